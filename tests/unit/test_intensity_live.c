// SPDX-License-Identifier: GPL-2.0
/*
 * The chain of intensity providers (tools/lib/carbon/intensity_live.c) without a
 * network: the settings' syntax, the Carbon Aware SDK's best window under
 * both its spellings, and the chain falling from a provider that cannot
 * answer (no token, a closed port, a file of the past) to the next, each
 * failure said. The HTTP providers' answers are tested against a fake API
 * in tests/host/carbon.bats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <greenai/intensity_live.h>

static void provider_lists_and_seconds(void **state)
{
	enum ga_provider order[GA_PROV_NR];
	static const char *const bad[] = { "", " ", "solar", "file,file",
					   "static,", ",static",
					   "electricitymaps carbonaware" };
	unsigned int nr, i;
	uint32_t ms;

	(void)state;
	assert_int_equal(ga_live_parse_order(" electricitymaps ,static,  file",
					     order, &nr),
			 0);
	assert_int_equal(nr, 3);
	assert_int_equal(order[0], GA_PROV_ELECTRICITYMAPS);
	assert_int_equal(order[1], GA_PROV_STATIC);
	assert_int_equal(order[2], GA_PROV_FILE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!ga_live_parse_order(bad[i], order, &nr))
			fail_msg("'%s' taken", bad[i]);
	assert_int_equal(ga_live_parse_seconds("10", 100, 60000, &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(ga_live_parse_seconds("0.25", 100, 60000, &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(ga_live_parse_seconds("0.05", 100, 60000, &ms),
			 -EINVAL);
	assert_int_equal(ga_live_parse_seconds("1.", 0, 60000, &ms), -EINVAL);
	assert_int_equal(ga_live_parse_seconds("1.0001", 0, 60000, &ms),
			 -EINVAL);
	assert_int_equal(ga_live_parse_seconds("-1", 0, 60000, &ms), -EINVAL);
	assert_int_equal(ga_live_parse_seconds("99999999999999", 0, 60000,
					       &ms),
			 -EINVAL);
}

static void sdk_best_window_in_both_spellings(void **state)
{
	static const char lists[] =
		"[{\"location\": \"eastus\", \"optimalDataPoints\": [{\"location\": \"eastus\","
		" \"timestamp\": \"2026-12-06T13:00:00+00:00\", \"duration\": 60, \"value\": 80.5}],"
		" \"forecastData\": []}]";
	static const char single[] =
		"[{\"location\": \"eastus\", \"optimalDataPoint\": {\"location\": \"eastus\","
		" \"timestamp\": \"2026-12-06T13:00:00Z\", \"duration\": 60, \"value\": 80.5},"
		" \"forecastData\": []}]";
	static const char *const none[] = {
		"[]", "[{\"optimalDataPoints\": []}]", "{}", "[{",
		"[{\"optimalDataPoint\": {\"timestamp\": \"soon\", \"value\": 1}}]",
	};
	int64_t start, dur;
	unsigned int i;
	uint32_t mg;

	(void)state;
	assert_int_equal(ga_carbonaware_optimal(lists, strlen(lists), &start,
						&dur, &mg),
			 0);
	assert_int_equal(start, 1796562000000LL);
	assert_int_equal(dur, 3600000);
	assert_int_equal(mg, 80500);
	start = dur = mg = 0;
	assert_int_equal(ga_carbonaware_optimal(single, strlen(single), &start,
						&dur, &mg),
			 0);
	assert_int_equal(start, 1796562000000LL);
	assert_int_equal(mg, 80500);
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_int_equal(ga_carbonaware_optimal(none[i],
							strlen(none[i]),
							&start, &dur, &mg),
				 -ENOENT);
}

static char tmp_file[] = "/tmp/greenai-test-series-XXXXXX";

static void write_series(const char *text)
{
	FILE *f = fopen(tmp_file, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void chain_falls_through_and_says_why(void **state)
{
	struct ga_live_result res;
	struct ga_live_conf c;
	int64_t now = 1796551200000LL;	/* 2026-12-06T10:00:00Z */
	uint32_t mg;
	int fd;

	(void)state;
	fd = mkstemp(tmp_file);
	assert_true(fd >= 0);
	close(fd);
	ga_live_conf_default(&c);
	c.region = "FR";
	c.timeout_ms = 2000;
	c.em_url = "http://127.0.0.1:1";	/* nothing listens there */
	c.ca_url = "http://127.0.0.1:1/ca";
	c.file = tmp_file;
	assert_int_equal(ga_live_parse_order("electricitymaps, carbonaware, file, static",
					     c.order, &c.nr),
			 0);
	/* no token; a closed port; a file of the past: latest takes its last */
	write_series("2026-12-06T08:00:00Z,300\n2026-12-06T09:00:00Z,120\n");
	assert_int_equal(ga_live_get(&c, GA_WANT_LATEST, now, &res), 0);
	assert_int_equal(res.used, GA_PROV_FILE);
	assert_int_equal(res.nr_failed, 2);
	assert_int_equal(res.failed[0].p, GA_PROV_ELECTRICITYMAPS);
	assert_non_null(strstr(res.failed[0].why, "no token"));
	assert_int_equal(res.failed[1].p, GA_PROV_CARBONAWARE);
	assert_true(strlen(res.failed[1].why) > 0);
	assert_int_equal(ga_series_at(&res.series, now + 86400000LL, &mg), 0);
	assert_int_equal(mg, 120000);
	assert_non_null(strstr(res.series.source, tmp_file));
	ga_live_result_free(&res);
	/* a forecast wants what is to come: the file has none, the table */
	assert_int_equal(ga_live_get(&c, GA_WANT_FORECAST, now, &res), 0);
	assert_int_equal(res.used, GA_PROV_STATIC);
	assert_int_equal(res.nr_failed, 3);
	assert_non_null(strstr(res.failed[2].why, "no intensity after"));
	assert_int_equal(ga_series_at(&res.series, now, &mg), 0);
	assert_int_equal(mg, 44180);	/* France's, in the embedded table */
	ga_live_result_free(&res);
	/* a history from a file that starts later: none either */
	write_series("2026-12-06T11:00:00Z,300\n");
	assert_int_equal(ga_live_get(&c, GA_WANT_HISTORY, now, &res), 0);
	assert_int_equal(res.used, GA_PROV_STATIC);
	ga_live_result_free(&res);
	/* a region the table does not know, and nothing else: no figure */
	c.region = "US-CAL-CISO";
	c.nr = 1;
	c.order[0] = GA_PROV_STATIC;
	assert_int_equal(ga_live_get(&c, GA_WANT_LATEST, now, &res), -ENOENT);
	assert_int_equal(res.nr_failed, 1);
	assert_non_null(strstr(res.failed[0].why, "not in the embedded table"));
	/* no region at all: the world's average, and said so */
	c.region = NULL;
	assert_int_equal(ga_live_get(&c, GA_WANT_LATEST, now, &res), 0);
	assert_non_null(strstr(res.series.source, "no region given"));
	ga_live_result_free(&res);
	unlink(tmp_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(provider_lists_and_seconds),
		cmocka_unit_test(sdk_best_window_in_both_spellings),
		cmocka_unit_test(chain_falls_through_and_says_why),
	};

	return cmocka_run_group_tests_name("intensity_live", tests, NULL,
					   NULL);
}
