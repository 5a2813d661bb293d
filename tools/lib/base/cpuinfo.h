/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What <root>/proc/cpuinfo says about the CPUs that the energy sources
 * need: the vendor, and from it whether RAPL counts per package (AMD and
 * Hygon) or per die (Intel parts with several dies).
 */
#ifndef _GREENAI_CPUINFO_H
#define _GREENAI_CPUINFO_H

#include <stdbool.h>

#include <greenai/rapl.h>

enum ga_cpu_vendor ga_cpuinfo_vendor(const char *root);
bool ga_cpuinfo_rapl_per_package(const char *root);

#endif /* _GREENAI_CPUINFO_H */
