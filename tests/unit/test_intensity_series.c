// SPDX-License-Identifier: GPL-2.0
/*
 * A grid intensity over time (tools/lib/carbon/intensity_series.c): times and
 * lengths as sources write them, CSV and JSON series whole or refused with
 * the place of the fault, the figure in force at a time, means, and the
 * best window checked against a brute force over every minute of random
 * series.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/intensity_series.h>

static char err[256];

static void times_as_sources_write_them(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} good[] = {
		{ "2026-12-06T10:00:00Z", 1796551200000LL },
		{ "2026-12-06 10:00:00Z", 1796551200000LL },
		{ "2026-12-06T10:00Z", 1796551200000LL },
		{ "2026-12-06T10:00:00.250Z", 1796551200250LL },
		{ "2026-12-06T11:30:00+01:30", 1796551200000LL },
		{ "2026-12-06T08:00:00-02:00", 1796551200000LL },
		{ "1796551200", 1796551200000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
	};
	static const char *const bad[] = {
		"", "2026-12-06T10:00:00", "2026-12-06", "2026-13-01T00:00:00Z",
		"2026-02-31T00:00:00Z", "2025-02-29T00:00:00Z",
		"2026-12-06T24:00:00Z", "2026-12-06T10:00:00.Z",
		"2026-12-06T10:00:00Zjunk", "2026-12-06T10:00:00+1", "-5",
		"1e9", "99999999999999", "2026-12-06X10:00:00Z",
	};
	char buf[32];
	unsigned int i;
	int64_t ms;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ga_time_parse(good[i].in, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_time_parse(bad[i], &ms), -EINVAL);
	ga_time_format(1796551200999LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-06T10:00:00Z");
}

static void lengths_as_users_and_the_sdk_write_them(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} good[] = {
		{ "2h", 7200000 }, { "90m", 5400000 }, { "1h30m", 5400000 },
		{ "45s", 45000 }, { "1d", 86400000 }, { "08:00:00", 28800000 },
		{ "00:05:00", 300000 },
	};
	static const char *const bad[] = { "", "2", "h", "2x", "-1h", "1.5h",
					   "367d", "08:60:00", "8:00:00", "2h ",
					   "99999999999999999999s" };
	unsigned int i;
	int64_t ms;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ga_duration_parse(good[i].in, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ga_duration_parse(bad[i], &ms), -EINVAL);
}

static int parse(struct ga_iseries *s, const char *text)
{
	return ga_series_parse(s, text, strlen(text), err, sizeof(err));
}

static void csv_whole_or_refused_with_its_line(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "", "no intensity in it" },
		{ "time,intensity\n", "no intensity in it" },
		{ "1700000000,100\n1700000000,200\n", "two intensities for" },
		{ "1700000000,100\nnot a time,3\n", "line 2: 'not a time' is not a time" },
		{ "1700000000,lots\n", "line 1: 'lots' is not g CO2e/kWh" },
		{ "1700000000,-1\n", "line 1: '-1' is not g CO2e/kWh" },
		{ "1700000000\n", "line 1: not 'time,g/kWh[,duration]'" },
		{ "1700000000,1,1h,x\n", "line 1: not" },
		{ "1700000000,1,0s\n", "line 1: '0s' is not a duration" },
	};
	struct ga_iseries s;
	unsigned int i;
	uint32_t mg;

	(void)state;
	ga_series_init(&s);
	assert_int_equal(parse(&s, "timestamp,intensity\r\n"
				   "# a comment\n\n"
				   "1700003600,\"250.5\"\r\n"
				   "1700000000, 100 \n"
				   "1700007200,80,30m\n"),
			 0);
	assert_int_equal(s.n, 3);
	/* sorted; each until the next; the last as long as it says */
	assert_int_equal(s.p[0].t_ms, 1700000000000LL);
	assert_int_equal(s.p[0].dur_ms, 3600000);
	assert_int_equal(s.p[1].mg_per_kwh, 250500);
	assert_int_equal(s.p[2].dur_ms, 1800000);
	assert_int_equal(ga_series_at(&s, 1700003600000LL - 1, &mg), 0);
	assert_int_equal(mg, 100000);
	assert_int_equal(ga_series_at(&s, 1700007200000LL + 1800000, &mg),
			 -ENOENT);
	assert_int_equal(ga_series_at(&s, 1700000000000LL - 1, &mg), -ENOENT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&s, bad[i].text), -EINVAL);
		if (!strstr(err, bad[i].err))
			fail_msg("'%s': '%s', not '%s'", bad[i].text, err,
				 bad[i].err);
		assert_int_equal(s.n, 0);
	}
	ga_series_free(&s);
}

static void json_of_the_providers_shapes(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "{\"zone\": \"DE\", \"carbonIntensity\": 3", "malformed JSON" },
		{ "[1, 2]", "point 0: not an object" },
		{ "[{\"timestamp\": \"2026-12-06T10:00:00Z\", \"value\": \"x\"}]",
		  "point 0: the intensity is not a number" },
		{ "[{\"value\": 3}]", "point 0: no time" },
		{ "[{\"time\": \"2026-12-06T10:00:00Z\", \"rating\": 1e12}]",
		  "out of range" },
		{ "[{\"time\": \"2026-12-06T10:00:00Z\", \"rating\": 1, \"duration\": \"soon\"}]",
		  "a bad duration" },
		{ "[] []", "malformed JSON" },
		{ "\"text\"", "not a series" },
		{ "{\"forecast\": 5}", "not a series" },
		{ "[{\"forecastData\": \"x\"}]", "not a series" },
		{ "[{\"time\": \"2026-12-06T10:00:00Z\", \"rating\": null}]",
		  "no intensity in it" },
	};
	struct ga_iseries s;
	unsigned int i;
	uint32_t mg;

	(void)state;
	ga_series_init(&s);
	/* Electricity Maps' latest: one point, from then on */
	assert_int_equal(parse(&s, "{\"zone\": \"DE\", \"carbonIntensity\": 302,"
				   " \"datetime\": \"2026-12-06T10:00:00.000Z\"}"),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.p[0].dur_ms, GA_SERIES_FOREVER);
	/* its forecast, a gap (null) in it */
	assert_int_equal(parse(&s, "{\"zone\": \"DE\", \"forecast\": ["
				   "{\"carbonIntensity\": 300, \"datetime\": \"2026-12-06T10:00:00Z\"},"
				   "{\"carbonIntensity\": null, \"datetime\": \"2026-12-06T11:00:00Z\"},"
				   "{\"carbonIntensity\": 200.5, \"datetime\": \"2026-12-06T12:00:00Z\"}]}"),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.p[0].dur_ms, 3600000);	/* the null ends it */
	assert_int_equal(ga_series_at(&s, 1796556600000LL, &mg), -ENOENT);
	assert_int_equal(ga_series_at(&s, 1796558400000LL, &mg), 0);
	assert_int_equal(mg, 200500);
	/* the SDK's forecast: durations in minutes */
	assert_int_equal(parse(&s, "[{\"location\": \"eastus\", \"forecastData\": ["
				   "{\"timestamp\": \"2026-12-06T10:00:00+00:00\", \"duration\": 5, \"value\": 40},"
				   "{\"timestamp\": \"2026-12-06T10:10:00+00:00\", \"duration\": 5, \"value\": 50}],"
				   " \"optimalDataPoints\": []}]"),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.p[0].dur_ms, 300000);
	assert_int_equal(ga_series_at(&s, 1796551200000LL + 400000, &mg),
			 -ENOENT);
	/* the SDK's emissions: "HH:MM:SS" durations, rating */
	assert_int_equal(parse(&s, "[{\"location\": \"eastus\", \"time\": \"2026-12-06T10:00:00Z\","
				   " \"rating\": 41.5, \"duration\": \"08:00:00\"}]"),
			 0);
	assert_int_equal(s.p[0].dur_ms, 8 * 3600000);
	assert_int_equal(s.p[0].mg_per_kwh, 41500);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ga_series_parse_json(&s, bad[i].text,
						      strlen(bad[i].text), err,
						      sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].err))
			fail_msg("'%s': '%s', not '%s'", bad[i].text, err,
				 bad[i].err);
		assert_int_equal(s.n, 0);
	}
	ga_series_free(&s);
}

static void figure_in_force_next_change_and_mean(void **state)
{
	struct ga_iseries s;
	int64_t next;
	double mean;
	uint32_t mg;

	(void)state;
	ga_series_init(&s);
	/* 100 over [0, 10), a gap, 300 over [20, 30) */
	assert_int_equal(ga_series_add(&s, 0, 10, 100), 0);
	assert_int_equal(ga_series_add(&s, 20, 10, 300), 0);
	assert_int_equal(ga_series_finish(&s, err, sizeof(err)), 0);
	assert_int_equal(ga_series_at(&s, 9, &mg), 0);
	assert_int_equal(mg, 100);
	assert_int_equal(ga_series_at(&s, 10, &mg), -ENOENT);
	assert_int_equal(ga_series_next_change(&s, 5, &next), 0);
	assert_int_equal(next, 10);
	assert_int_equal(ga_series_next_change(&s, 12, &next), 0);
	assert_int_equal(next, 20);
	assert_int_equal(ga_series_next_change(&s, 30, &next), -ENOENT);
	assert_int_equal(ga_series_mean(&s, 0, 10, &mean), 0);
	assert_true(mean == 100);
	assert_int_equal(ga_series_mean(&s, 5, 25, &mean), -ENOENT);
	assert_int_equal(ga_series_mean(&s, 5, 5, &mean), -EINVAL);
	assert_int_equal(ga_series_end(&s), 30);
	/* a constant holds at all times */
	assert_int_equal(ga_series_constant(&s, 42), 0);
	assert_int_equal(ga_series_finish(&s, err, sizeof(err)), 0);
	assert_int_equal(ga_series_at(&s, INT64_MIN, &mg), 0);
	assert_int_equal(ga_series_at(&s, INT64_MAX - 1, &mg), 0);
	assert_int_equal(ga_series_mean(&s, -1000, 1000, &mean), 0);
	assert_true(mean == 42);
	assert_int_equal(ga_series_add(&s, 0, -1, 1), -EINVAL);
	assert_int_equal(ga_series_add(&s, 0, 1, 100000001), -EINVAL);
	ga_series_free(&s);
}

/* The integral over [start, start + dur) minute by minute, or -1. */
static long long brute_sum(const uint32_t *per_min, int len, int start,
			   int dur)
{
	long long sum = 0;
	int m;

	for (m = start; m < start + dur; m++) {
		if (m >= len || per_min[m] == UINT32_MAX)
			return -1;
		sum += per_min[m];
	}
	return sum;
}

static void best_window_is_the_brute_forces(void **state)
{
	uint32_t per_min[600];
	struct ga_iseries s;
	unsigned int round;

	(void)state;
	srand(20261206);
	ga_series_init(&s);
	for (round = 0; round < 300; round++) {
		int t = rand() % 5, len, lo, hi, dur, m, best = -1;
		long long best_sum = 0, sum;
		int64_t start;
		double mean;
		int r;

		/* random steps of 1 to 60 minutes, some gaps */
		s.n = 0;
		for (m = 0; m < 600; m++)
			per_min[m] = UINT32_MAX;
		while (t < 540) {
			int step = 1 + rand() % 60, gap = rand() % 8 == 0;
			uint32_t v = rand() % 1000;

			if (!gap) {
				assert_int_equal(ga_series_add(&s, t * 60000LL,
							       step * 60000LL,
							       v),
						 0);
				for (m = t; m < t + step && m < 600; m++)
					per_min[m] = v;
			}
			t += step + (gap ? rand() % 20 : 0);
		}
		len = t < 600 ? t : 600;
		if (!s.n)
			continue;
		assert_int_equal(ga_series_finish(&s, err, sizeof(err)), 0);
		dur = 1 + rand() % 180;
		lo = rand() % 300;
		hi = lo + rand() % 300;
		for (m = lo; m <= hi; m++) {
			sum = brute_sum(per_min, len, m, dur);
			if (sum >= 0 && (best < 0 || sum < best_sum)) {
				best = m;
				best_sum = sum;
			}
		}
		r = ga_series_best_window(&s, lo * 60000LL, hi * 60000LL,
					  dur * 60000LL, &start, &mean);
		if (best < 0) {
			assert_int_equal(r, -ENOENT);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(start, best * 60000LL);
		assert_true(mean * dur == (double)best_sum ||
			    (mean * dur - best_sum) / best_sum < 1e-12);
	}
	ga_series_free(&s);
	assert_int_equal(ga_series_best_window(&s, 0, 10, 0, NULL, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(times_as_sources_write_them),
		cmocka_unit_test(lengths_as_users_and_the_sdk_write_them),
		cmocka_unit_test(csv_whole_or_refused_with_its_line),
		cmocka_unit_test(json_of_the_providers_shapes),
		cmocka_unit_test(figure_in_force_next_change_and_mean),
		cmocka_unit_test(best_window_is_the_brute_forces),
	};

	return cmocka_run_group_tests_name("intensity_series", tests, NULL,
					   NULL);
}
