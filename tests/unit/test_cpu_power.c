// SPDX-License-Identifier: GPL-2.0
/*
 * The power model's coefficients from the CPU (tools/lib/energy/
 * cpu_power.c): /proc/cpuinfo model names, as cloud and desktop machines
 * print them, to Cloud Carbon Footprint's processor families, their
 * figures from the generated table, and the average for the rest; and
 * the model name read from a cpuinfo file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/cpuinfo.h"
#include "energy/cpu_power.h"

#include "fixture.h"

static void model_names_map_to_families(void **state)
{
	static const struct {
		const char *name, *family;
	} cases[] = {
		{ "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", "Skylake" },
		{ "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz", "Skylake" },
		{ "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
		  "Cascade Lake" },
		{ "Intel(R) Xeon(R) Silver 4214R CPU @ 2.40GHz", "Cascade Lake" },
		{ "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "Ice Lake" },
		{ "Intel(R) Xeon(R) Platinum 8488C", "Sapphire Rapids" },
		{ "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", "Sandy Bridge" },
		{ "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", "Ivy Bridge" },
		{ "Intel(R) Xeon(R) CPU E5-2676 v3 @ 2.40GHz", "Haswell" },
		{ "Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", "Broadwell" },
		{ "Intel(R) Xeon(R) CPU E3-1270 v6 @ 3.80GHz", "Skylake" },
		{ "Intel(R) Xeon(R) E-2288G CPU @ 3.70GHz", "Coffee Lake" },
		{ "Intel(R) Core(TM) i7-2600 CPU @ 3.40GHz", "Sandy Bridge" },
		{ "Intel(R) Core(TM) i7-6700K CPU @ 4.00GHz", "Skylake" },
		{ "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Coffee Lake" },
		{ "AMD EPYC 7571", "AMD EPYC 1st Gen" },
		{ "AMD EPYC 7R32", "AMD EPYC 2nd Gen" },
		{ "AMD EPYC 7B12", "AMD EPYC 2nd Gen" },
		{ "AMD EPYC 7763 64-Core Processor", "AMD EPYC 3rd Gen" },
		{ "AMD EPYC 9R14", "EPYC 4th Gen" },
	};
	static const char *const unknown[] = {
		"", "QEMU Virtual CPU version 2.5+", "AMD EPYC",
		"Intel(R) Xeon(R) CPU @ 2.20GHz",
		"11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz",
		"Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz",
		"AMD Ryzen 9 7950X 16-Core Processor",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *f = ga_cpu_family(cases[i].name);

		if (!f || strcmp(f, cases[i].family))
			fail_msg("'%s': got %s, want %s", cases[i].name,
				 f ? f : "none", cases[i].family);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (ga_cpu_family(unknown[i]))
			fail_msg("'%s': got %s, want none", unknown[i],
				 ga_cpu_family(unknown[i]));
}

static void a_family_gets_its_figures_others_the_average(void **state)
{
	struct ga_cpu_power cp;

	(void)state;
	/* CCF's Cascade Lake: 0.64 W to 3.97 W per vCPU */
	ga_cpu_power_of("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", &cp);
	assert_int_equal(cp.min_mw, 640);
	assert_int_equal(cp.max_mw, 3970);
	assert_string_equal(cp.source,
			    "CCF Cascade Lake min/max W per vCPU (@cloud-carbon-footprint/azure@1.8.0)");
	/* a family without figures, and an unknown CPU: the average */
	ga_cpu_power_of("AMD EPYC 9R14", &cp);
	assert_int_equal(cp.min_mw, ga_cpu_power_average.min_mw);
	assert_int_equal(cp.max_mw, ga_cpu_power_average.max_mw);
	assert_string_equal(cp.source,
			    "CCF average min/max W per vCPU, none for EPYC 4th Gen (@cloud-carbon-footprint/azure@1.8.0)");
	ga_cpu_power_of("QEMU Virtual CPU version 2.5+", &cp);
	assert_int_equal(cp.max_mw, ga_cpu_power_average.max_mw);
	assert_string_equal(cp.source,
			    "CCF average min/max W per vCPU, CPU family not known (@cloud-carbon-footprint/azure@1.8.0)");
}

static void the_table_is_sorted_and_sane(void **state)
{
	unsigned int i;

	(void)state;
	assert_true(ga_cpu_power_nr_rows > 0);
	for (i = 0; i < ga_cpu_power_nr_rows; i++) {
		const struct ga_cpu_power_row *r = &ga_cpu_power_rows[i];

		assert_true(r->min_mw <= r->max_mw);
		assert_true(r->max_mw > 0 && r->max_mw <= 1000000);
		assert_true(!strncmp(r->source, "@cloud-carbon-footprint/", 24));
		if (i)
			assert_true(strcmp(ga_cpu_power_rows[i - 1].family,
					   r->family) < 0);
	}
	assert_true(ga_cpu_power_average.min_mw < ga_cpu_power_average.max_mw);
}

static void the_model_name_comes_from_cpuinfo(void **state)
{
	char name[128];

	(void)state;
	ga_cpuinfo_model_name(GA_FIXTURES "/perf-power", name, sizeof(name));
	assert_string_equal(name, "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz");
	ga_cpuinfo_model_name(GA_FIXTURES "/powercap-intel", name,
			      sizeof(name));
	assert_string_equal(name, "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz");
	/* no cpuinfo: no name */
	ga_cpuinfo_model_name(GA_FIXTURES "/hwmon-power", name, sizeof(name));
	assert_string_equal(name, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_names_map_to_families),
		cmocka_unit_test(a_family_gets_its_figures_others_the_average),
		cmocka_unit_test(the_table_is_sorted_and_sane),
		cmocka_unit_test(the_model_name_comes_from_cpuinfo),
	};

	return cmocka_run_group_tests_name("cpu_power", tests, NULL, NULL);
}
