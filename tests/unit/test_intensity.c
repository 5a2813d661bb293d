// SPDX-License-Identifier: GPL-2.0
/*
 * The embedded grid intensities and the choice of a run's figure
 * (tools/lib/carbon/intensity.c): the generated table is sorted and whole, a
 * country's two- and three-letter codes give the same figure, names are
 * matched in any case and spelling of spaces, a user's figure is parsed
 * exactly, and anything else is refused with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/intensity.h>

/* Every country of the table has its name, by its alpha-3 code. */
static void country_names(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 1; i < ga_nr_countries; i++)
		assert_true(strcmp(ga_countries[i - 1].iso3,
				   ga_countries[i].iso3) < 0);
	for (i = 0; i < ga_intensity_nr_rows; i++) {
		const char *iso3 = ga_intensity_rows[i].iso3;

		/* aggregates ("EU", "WORLD", "G20") have none */
		if (strlen(iso3) == 3 && strcmp(iso3, "G20") &&
		    !ga_country_name(iso3))
			fail_msg("%s has no name", iso3);
	}
	assert_string_equal(ga_country_name("FRA"), "France");
	assert_string_equal(ga_country_name("USA"), "United States");
	assert_string_equal(ga_country_name("DEU"), "Germany");
	assert_null(ga_country_name("EU"));
	assert_null(ga_country_name("WORLD"));
	assert_null(ga_country_name("fra"));
	assert_null(ga_country_name(NULL));
}

static void table_is_sorted_and_sane(void **state)
{
	unsigned int i;

	(void)state;
	assert_true(ga_intensity_nr_rows > 200);
	for (i = 0; i < ga_intensity_nr_rows; i++) {
		const struct ga_intensity_row *r = &ga_intensity_rows[i];

		if (i)
			assert_true(strcmp(ga_intensity_rows[i - 1].code,
					   r->code) < 0);
		assert_true(strlen(r->code) < GA_REGION_MAX);
		assert_true(r->mg_per_kwh < 2000000);
	}
}

static void two_and_three_letter_codes_agree(void **state)
{
	struct ga_intensity a, b;
	unsigned int i, pairs = 0;

	(void)state;
	for (i = 0; i < ga_intensity_nr_rows; i++) {
		const struct ga_intensity_row *r = &ga_intensity_rows[i];

		if (strlen(r->code) != 2)
			continue;
		assert_int_equal(ga_intensity_region(r->code, &a), 0);
		assert_int_equal(ga_intensity_region(r->iso3, &b), 0);
		assert_int_equal(a.mg_per_kwh, b.mg_per_kwh);
		assert_string_equal(a.region, b.region);
		assert_int_equal(a.origin, GA_INT_REGION);
		pairs++;
	}
	assert_true(pairs > 150);
}

static void names_in_any_case_and_spacing(void **state)
{
	struct ga_intensity a, b;

	(void)state;
	assert_int_equal(ga_intensity_region("fr", &a), 0);
	assert_int_equal(ga_intensity_region("FRA", &b), 0);
	assert_int_equal(a.mg_per_kwh, b.mg_per_kwh);
	assert_string_equal(a.region, "FRA");
	assert_int_equal(ga_intensity_region("latin-america_and caribbean",
					     &a), 0);
	assert_int_equal(ga_intensity_region("LATIN AMERICA AND CARIBBEAN",
					     &b), 0);
	assert_int_equal(a.mg_per_kwh, b.mg_per_kwh);
}

static void bad_and_unknown_regions(void **state)
{
	static const char *const bad[] = {
		"", "F!", "fr;", "FR\n", "a-region-name-much-longer-than-any-in-the-table",
	};
	struct ga_intensity out;
	char err[256] = "";
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_intensity_region(bad[i], &out), -EINVAL);
	assert_int_equal(ga_intensity_region("ZZ", &out), -ENOENT);
	assert_int_equal(ga_intensity_choose(NULL, "ZZ", &out, err,
					     sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "not in the embedded table"));
	assert_int_equal(ga_intensity_region("g20", &out), 0);
	assert_int_equal(ga_intensity_choose(NULL, "fr;", &out, err,
					     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a country code"));
}

static void world_when_no_region_given(void **state)
{
	struct ga_intensity out, world;
	char err[256];

	(void)state;
	assert_int_equal(ga_intensity_choose(NULL, NULL, &out, err,
					     sizeof(err)), 0);
	assert_int_equal(ga_intensity_region("WORLD", &world), 0);
	assert_int_equal(out.origin, GA_INT_WORLD);
	assert_int_equal(out.mg_per_kwh, world.mg_per_kwh);
	assert_non_null(strstr(out.source, "Ember"));
}

static void user_figure_parsed_exactly_and_first(void **state)
{
	static const struct {
		const char *in;
		uint32_t mg;
	} good[] = {
		{ "0", 0 }, { "56.25", 56250 }, { "412", 412000 },
		{ "0.001", 1 }, { "100000", 100000000 },
	};
	static const char *const bad[] = {
		"", ".", "12.", "-3", "+3", "1.2345", "1e3", "abc", " 5",
		"100000.001", "99999999999999999999",
	};
	struct ga_intensity out;
	char err[256];
	uint32_t mg;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ga_intensity_parse_g(good[i].in, &mg), 0);
		assert_int_equal(mg, good[i].mg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_intensity_parse_g(bad[i], &mg), -EINVAL);
	/* a given figure wins over the region */
	assert_int_equal(ga_intensity_choose("56.25", "PL", &out, err,
					     sizeof(err)), 0);
	assert_int_equal(out.origin, GA_INT_GIVEN);
	assert_int_equal(out.mg_per_kwh, 56250);
	assert_int_equal(ga_intensity_choose("lots", "PL", &out, err,
					     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "g CO2e/kWh"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_sorted_and_sane),
		cmocka_unit_test(country_names),
		cmocka_unit_test(two_and_three_letter_codes_agree),
		cmocka_unit_test(names_in_any_case_and_spacing),
		cmocka_unit_test(bad_and_unknown_regions),
		cmocka_unit_test(world_when_no_region_given),
		cmocka_unit_test(user_figure_parsed_exactly_and_first),
	};

	return cmocka_run_group_tests_name("intensity", tests, NULL, NULL);
}
