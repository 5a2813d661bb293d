// SPDX-License-Identifier: GPL-2.0
/*
 * The power model's coefficients from the CPU's model name (cpu_power.h).
 *
 * Families. /proc/cpuinfo's "model name" is matched against the patterns
 * below, first match wins, to one of Cloud Carbon Footprint's processor
 * families (its names, as in @cloud-carbon-footprint/core):
 * - Xeon Scalable (Bronze, Silver, Gold, Platinum NNNN): the second digit
 *   of the number is the generation: 1 Skylake, 2 Cascade Lake, 3 Ice
 *   Lake, 4 Sapphire Rapids, 5 Emerald Rapids;
 * - Xeon E3, E5, E7 -NNNN vN: v2 Ivy Bridge, v3 Haswell, v4 Broadwell,
 *   v5 and v6 Skylake (Kaby Lake is Skylake's microarchitecture); E3 and
 *   E5 with no vN Sandy Bridge; Xeon E-21NN and E-22NN Coffee Lake;
 * - Core iN-NNNN by the generation in the first digit: 2 Sandy Bridge,
 *   3 Ivy Bridge, 4 Haswell, 5 Broadwell, 6 and 7 Skylake, 8 and 9
 *   Coffee Lake;
 * - EPYC: the last digit of the number is the generation, 1 to 5
 *   (7571, 7R32, 7B13, 9R14 ...).
 * A family with figures in the table gets them; any other CPU (a newer
 * family CCF has no figures for, a model name that says nothing, as
 * hypervisors' "QEMU Virtual CPU" or "Intel Xeon CPU @ 2.20GHz" do) gets
 * the table's average over families, and its source says so.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "energy/cpu_power.h"

static const struct {
	const char *pattern;	/* POSIX extended, case-sensitive */
	const char *family;
} cp_families[] = {
	{ "Xeon.* (Bronze|Silver|Gold|Platinum) [0-9]1[0-9][0-9]", "Skylake" },
	{ "Xeon.* (Bronze|Silver|Gold|Platinum) [0-9]2[0-9][0-9]",
	  "Cascade Lake" },
	{ "Xeon.* (Bronze|Silver|Gold|Platinum) [0-9]3[0-9][0-9]", "Ice Lake" },
	{ "Xeon.* (Bronze|Silver|Gold|Platinum) [0-9]4[0-9][0-9]",
	  "Sapphire Rapids" },
	{ "Xeon.* (Bronze|Silver|Gold|Platinum) [0-9]5[0-9][0-9]",
	  "Emerald Rapids" },
	{ "Xeon.* E[357]-[0-9]{4}[A-Z]* v2", "Ivy Bridge" },
	{ "Xeon.* E[357]-[0-9]{4}[A-Z]* v3", "Haswell" },
	{ "Xeon.* E[357]-[0-9]{4}[A-Z]* v4", "Broadwell" },
	{ "Xeon.* E3-[0-9]{4}[A-Z]* v[56]", "Skylake" },
	{ "Xeon.* E[35]-[0-9]{4}[A-Z]*( 0)? ", "Sandy Bridge" },
	{ "Xeon.* E-2[12][0-9]{2}", "Coffee Lake" },
	{ "Core.* i[3579]-2[0-9]{3}", "Sandy Bridge" },
	{ "Core.* i[3579]-3[0-9]{3}", "Ivy Bridge" },
	{ "Core.* i[3579]-4[0-9]{3}", "Haswell" },
	{ "Core.* i[3579]-5[0-9]{3}", "Broadwell" },
	{ "Core.* i[3579]-[67][0-9]{3}", "Skylake" },
	{ "Core.* i[3579]-[89][0-9]{3}", "Coffee Lake" },
	{ "EPYC [0-9][0-9A-Z]{2}1", "AMD EPYC 1st Gen" },
	{ "EPYC [0-9][0-9A-Z]{2}2", "AMD EPYC 2nd Gen" },
	{ "EPYC [0-9][0-9A-Z]{2}3", "AMD EPYC 3rd Gen" },
	{ "EPYC [0-9][0-9A-Z]{2}4", "EPYC 4th Gen" },
	{ "EPYC [0-9][0-9A-Z]{2}5", "EPYC 5th Gen" },
};

/**
 * ga_cpu_family() - Cloud Carbon Footprint's processor family of a CPU
 * @model_name: /proc/cpuinfo's "model name"
 *
 * Return: the family's name, or NULL when the model name says none.
 */
const char *ga_cpu_family(const char *model_name)
{
	unsigned int i;
	regex_t re;
	int miss;

	for (i = 0; i < sizeof(cp_families) / sizeof(cp_families[0]); i++) {
		if (regcomp(&re, cp_families[i].pattern,
			    REG_EXTENDED | REG_NOSUB))
			continue;	/* the table's patterns all compile */
		miss = regexec(&re, model_name, 0, NULL, 0);
		regfree(&re);
		if (!miss)
			return cp_families[i].family;
	}
	return NULL;
}

static const struct ga_cpu_power_row *cp_row(const char *family)
{
	unsigned int i;

	for (i = 0; family && i < ga_cpu_power_nr_rows; i++)
		if (!strcmp(ga_cpu_power_rows[i].family, family))
			return &ga_cpu_power_rows[i];
	return NULL;
}

/**
 * ga_cpu_power_of() - the power model's coefficients for a CPU
 * @model_name: /proc/cpuinfo's "model name"; "" when unknown
 * @out: its family's minimum and maximum mW per CPU, else the table's
 *	average, and where they are from:
 *	"CCF Cascade Lake min/max W per vCPU (@cloud-carbon-footprint/azure@1.8.0)"
 */
void ga_cpu_power_of(const char *model_name, struct ga_cpu_power *out)
{
	const char *family = ga_cpu_family(model_name);
	const struct ga_cpu_power_row *r = cp_row(family);

	if (r) {
		snprintf(out->source, sizeof(out->source),
			 "CCF %s min/max W per vCPU (%s)", r->family,
			 r->source);
	} else {
		r = &ga_cpu_power_average;
		snprintf(out->source, sizeof(out->source),
			 "CCF average min/max W per vCPU, %s%s%s (%s)",
			 family ? "none for " : "", family ? family : "",
			 family ? "" : "CPU family not known", r->source);
	}
	out->min_mw = r->min_mw;
	out->max_mw = r->max_mw;
}
