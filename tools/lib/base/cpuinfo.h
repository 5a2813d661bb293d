/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What <root>/proc/cpuinfo says about the CPUs that the energy sources
 * need: the vendor, and from it whether RAPL counts per package (AMD and
 * Hygon) or per die (Intel parts with several dies); the model name, from
 * which the power model takes its coefficients.
 */
#ifndef _GREENAI_CPUINFO_H
#define _GREENAI_CPUINFO_H

#include <stdbool.h>
#include <stddef.h>

#include <greenai/rapl.h>

enum ga_cpu_vendor ga_cpuinfo_vendor(const char *root);
bool ga_cpuinfo_rapl_per_package(const char *root);
void ga_cpuinfo_model_name(const char *root, char *buf, size_t size);

#endif /* _GREENAI_CPUINFO_H */
