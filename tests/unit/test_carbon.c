// SPDX-License-Identifier: GPL-2.0
/*
 * Energy to CO2e and the Green Score (tools/lib/carbon/carbon.c), and the exact
 * decimals users give (tools/lib/base/decimal.c): a kWh at an intensity is that
 * many grams, PUE scales it, rounding is to the nearest µg, the largest
 * inputs do not overflow; the Green Score is the source paper's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>

#include <greenai/carbon.h>

#include "base/decimal.h"


static void one_kwh_is_the_intensity_in_grams(void **state)
{
	uint64_t ug;

	(void)state;
	/* 1 kWh at 472.94 g/kWh, no PUE: 472.94 g */
	assert_int_equal(ga_co2_ug(GA_UJ_PER_KWH, 472940, 1000, &ug), 0);
	assert_int_equal(ug, 472940000);
	/* PUE 1.5 */
	assert_int_equal(ga_co2_ug(GA_UJ_PER_KWH, 472940, 1500, &ug), 0);
	assert_int_equal(ug, 709410000);
	/* 1 J at 400 g/kWh: 0.111... mg, to the nearest µg */
	assert_int_equal(ga_co2_ug(1000000, 400000, 1000, &ug), 0);
	assert_int_equal(ug, 111);
	/* half a µg rounds up, less rounds down */
	assert_int_equal(ga_co2_ug(1800000, 1000, 1000, &ug), 0);
	assert_int_equal(ug, 1);
	assert_int_equal(ga_co2_ug(1799999, 1000, 1000, &ug), 0);
	assert_int_equal(ug, 0);
	assert_int_equal(ga_co2_ug(0, 472940, 1000, &ug), 0);
	assert_int_equal(ug, 0);
}

static void out_of_range_pue_is_an_error(void **state)
{
	uint64_t ug = 7;

	(void)state;
	assert_int_equal(ga_co2_ug(1, 1, 999, &ug), -EINVAL);
	assert_int_equal(ga_co2_ug(1, 1, 10001, &ug), -EINVAL);
	assert_int_equal(ug, 7);
	/* the largest of everything still fits, exactly */
	assert_int_equal(ga_co2_ug(UINT64_MAX, 100000000, 10000, &ug), 0);
	assert_int_equal(ug, 5124095576030431004ULL);
}

static void decimals_are_exact_and_strict(void **state)
{
	static const char *const bad[] = {
		"", ".", ".5", "5.", "-1", "+1", "1e3", "1.2345", " 1", "1 ",
		"0x10", "1,5", "nan",
	};
	uint64_t v;
	uint32_t pue;
	unsigned int i;

	(void)state;
	assert_int_equal(ga_parse_milli("1.2", 5000, &v), 0);
	assert_int_equal(v, 1200);
	assert_int_equal(ga_parse_milli("0.001", 5000, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ga_parse_milli("5", 5000, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(ga_parse_milli("5.001", 5000, &v), -EINVAL);
	assert_int_equal(ga_parse_milli("99999999999999999999999", 5000, &v),
			 -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_parse_milli(bad[i], 5000, &v), -EINVAL);
	assert_int_equal(ga_pue_parse("1.58", &pue), 0);
	assert_int_equal(pue, 1580);
	assert_int_equal(ga_pue_parse("0.9", &pue), -EINVAL);
	assert_int_equal(ga_pue_parse("10.5", &pue), -EINVAL);
}

static void green_score_as_the_paper_defines_it(void **state)
{
	double s, a, kg;

	(void)state;
	/* BERT: 90 % accuracy for 550 kg CO2e */
	assert_int_equal(ga_green_score(90, 550, &s), 0);
	assert_true(fabs(s - 0.16364) < 1e-4);
	assert_int_equal(ga_green_score(101, 1, &s), -EINVAL);
	assert_int_equal(ga_green_score(-1, 1, &s), -EINVAL);
	assert_int_equal(ga_green_score(90, 0, &s), -EINVAL);
	assert_int_equal(ga_green_score(90, INFINITY, &s), -EINVAL);
	assert_int_equal(ga_accuracy_parse("97.5", &a), 0);
	assert_true(a == 97.5);
	assert_int_equal(ga_accuracy_parse("100.1", &a), -EINVAL);
	assert_int_equal(ga_accuracy_parse("-3", &a), -EINVAL);
	assert_int_equal(ga_accuracy_parse("nan", &a), -EINVAL);
	assert_int_equal(ga_accuracy_parse("", &a), -EINVAL);
	assert_int_equal(ga_co2_kg_parse("2.5e-3", &kg), 0);
	assert_true(kg == 2.5e-3);
	assert_int_equal(ga_co2_kg_parse("0", &kg), -EINVAL);
	assert_int_equal(ga_co2_kg_parse("1e999", &kg), -EINVAL);
	assert_int_equal(ga_co2_kg_parse("0x1p3", &kg), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_kwh_is_the_intensity_in_grams),
		cmocka_unit_test(out_of_range_pue_is_an_error),
		cmocka_unit_test(decimals_are_exact_and_strict),
		cmocka_unit_test(green_score_as_the_paper_defines_it),
	};

	return cmocka_run_group_tests_name("carbon", tests, NULL, NULL);
}
