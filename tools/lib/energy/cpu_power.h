/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The power model's coefficients from the CPU: Cloud Carbon Footprint's
 * minimum and maximum watts per vCPU (a hardware thread) of the CPU's
 * processor family, from the table scripts/gen-cpu-power.py generates
 * (cpu_power_table.c), the family told from /proc/cpuinfo's model name
 * (cpu_power.c). Units: mW per CPU.
 */
#ifndef _GREENAI_CPU_POWER_H
#define _GREENAI_CPU_POWER_H

#include <linux/types.h>

#define GA_CPU_POWER_SOURCE_LEN	160

/* One processor family of the table. */
struct ga_cpu_power_row {
	const char *family;	/* CCF's name: "Cascade Lake" */
	__u32 min_mw;		/* per vCPU, idle */
	__u32 max_mw;		/* per vCPU, at full load */
	const char *source;	/* "@cloud-carbon-footprint/azure@1.8.0" */
};

extern const char ga_cpu_power_date[];
extern const struct ga_cpu_power_row ga_cpu_power_rows[];
extern const unsigned int ga_cpu_power_nr_rows;
extern const struct ga_cpu_power_row ga_cpu_power_average;

/* The coefficients for one CPU model, and where they are from. */
struct ga_cpu_power {
	__u32 min_mw;		/* per CPU */
	__u32 max_mw;
	char source[GA_CPU_POWER_SOURCE_LEN];
};

const char *ga_cpu_family(const char *model_name);
void ga_cpu_power_of(const char *model_name, struct ga_cpu_power *out);

#endif /* _GREENAI_CPU_POWER_H */
