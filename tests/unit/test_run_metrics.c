// SPDX-License-Identifier: GPL-2.0
/*
 * $GREENAI_METRICS files (tools/lib/store/run_metrics.c): key=value lines with
 * numbers; comments and blank lines skipped; the last of a key wins; a bad
 * line is skipped and counted, with the first one's reason, never half
 * taken; a file with a NUL or too big is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/run_metrics.h>

#include "fixture.h"

static void good_lines(void **state)
{
	static const char text[] =
		"# written by train.py\n"
		"accuracy=91.25\n"
		"\n"
		"loss=-0.5e-1\n"
		"samples=60000\n"
		"accuracy=92\n"
		"top-5.acc_val=99.1";	/* no newline at the end */
	struct ga_metrics m;

	(void)state;
	assert_int_equal(ga_metrics_parse(text, strlen(text), &m), 0);
	assert_int_equal(m.bad_lines, 0);
	assert_int_equal(m.nr, 4);
	assert_true(ga_metrics_get(&m, "accuracy")->value == 92);
	assert_string_equal(ga_metrics_get(&m, "accuracy")->text, "92");
	assert_true(ga_metrics_get(&m, "loss")->value == -0.05);
	assert_true(ga_metrics_get(&m, "top-5.acc_val")->value == 99.1);
	assert_null(ga_metrics_get(&m, "missing"));
}

static void bad_lines_are_skipped_and_counted(void **state)
{
	static const char *const bad[] = {
		"accuracy", "=5", "acc uracy=5", "accuracy=", "accuracy=ninety",
		"accuracy=nan", "accuracy=inf", "accuracy=1e999", "accuracy= 5",
		"accuracy=5 ", "accuracy=0x10", "k\xc3\xa9y=1",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
		"v=123456789012345678901234567890123",
	};
	char text[256];
	struct ga_metrics m;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "ok=1\n%s\n", bad[i]);
		assert_int_equal(ga_metrics_parse(text, strlen(text), &m), 0);
		assert_int_equal(m.nr, 1);
		assert_int_equal(m.bad_lines, 1);
		assert_non_null(strstr(m.first_error, "line 2: "));
	}
	assert_int_equal(ga_metrics_parse("a=1\0b=2\n", 8, &m), -EINVAL);
}

/* units, unit and python_version: a count above 0, and two short names */
static void the_functional_unit_and_python(void **state)
{
	static const char text[] =
		"units=10000\n"
		"unit=predictions\n"
		"python_version=3.11.2\n"
		"accuracy=91\n";
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "units=-5", "units: a count above 0" },
		{ "units=0", "units: a count above 0" },
		{ "units=-0", "units: a count above 0" },
		{ "units=many", "units: not a number" },
		{ "units=1e999", "units: not a number" },
		{ "unit=", "unit: a name of 1 to 24" },
		{ "unit=a b", "unit: a name of 1 to 24" },
		{ "unit=tokens/s", "unit: a name of 1 to 24" },
		{ "unit=aaaaaaaaaaaaaaaaaaaaaaaaa", "unit: a name of 1 to 24" },
		{ "python_version=", "python_version: 1 to 31" },
		{ "python_version=3.11 final", "python_version: 1 to 31" },
		{ "python_version=33333333333333333333333333333333",
		  "python_version: 1 to 31" },
	};
	char buf[256];
	struct ga_metrics m;
	const struct ga_metric *g;
	unsigned int i;

	(void)state;
	assert_int_equal(ga_metrics_parse(text, strlen(text), &m), 0);
	assert_int_equal(m.bad_lines, 0);
	assert_int_equal(m.nr, 4);
	g = ga_metrics_get(&m, "units");
	assert_true(g->value == 10000 && !g->is_text);
	g = ga_metrics_get(&m, "unit");
	assert_true(g->is_text);
	assert_string_equal(g->text, "predictions");
	g = ga_metrics_get(&m, "python_version");
	assert_true(g->is_text);
	assert_string_equal(g->text, "3.11.2");
	/* 24 characters is a unit name still; fractional units are counts */
	snprintf(buf, sizeof(buf), "unit=%s\nunits=2.5\n",
		 "abcdefghijklmnopqrstuvwx");
	assert_int_equal(ga_metrics_parse(buf, strlen(buf), &m), 0);
	assert_int_equal(m.bad_lines, 0);
	assert_true(ga_metrics_get(&m, "units")->value == 2.5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* good lines of the same keys first: the bad takes nothing */
		snprintf(buf, sizeof(buf),
			 "units=7\nunit=images\npython_version=3.9\n%s\n",
			 bad[i].line);
		assert_int_equal(ga_metrics_parse(buf, strlen(buf), &m), 0);
		assert_int_equal(m.bad_lines, 1);
		assert_int_equal(m.nr, 3);
		assert_non_null(strstr(m.first_error, "line 4: "));
		assert_non_null(strstr(m.first_error, bad[i].why));
		assert_true(ga_metrics_get(&m, "units")->value == 7);
		assert_string_equal(ga_metrics_get(&m, "unit")->text, "images");
		assert_string_equal(ga_metrics_get(&m, "python_version")->text,
				    "3.9");
	}
}

/* units and unit as a cgroup's xattrs carry them: checked again, bounded */
static void units_and_unit_checked_again(void **state)
{
	static const char *const bad_units[] = {
		"", "0", "-5", "0.0001", "abc", "nan", "inf", "1e13", "0x10",
		"5 ", " 5", "1000000000000.5", "12345678901234567890123456789012",
	};
	static const char *const bad_unit[] = {
		"", "bad unit", "x/y", "a-unit-name-far-too-long-to-keep",
		"caf\xc3\xa9", "tab\t",
	};
	uint64_t milli;
	unsigned int i;

	(void)state;
	assert_int_equal(ga_metric_units_milli("250", &milli), 0);
	assert_int_equal(milli, 250000);
	assert_int_equal(ga_metric_units_milli("0.001", &milli), 0);
	assert_int_equal(milli, 1);
	assert_int_equal(ga_metric_units_milli("12.3456", &milli), 0);
	assert_int_equal(milli, 12346);
	assert_int_equal(ga_metric_units_milli("1e12", &milli), 0);
	assert_int_equal(milli, 1000000000000000ULL);
	for (i = 0; i < sizeof(bad_units) / sizeof(bad_units[0]); i++) {
		milli = 42;
		assert_int_equal(ga_metric_units_milli(bad_units[i], &milli),
				 -EINVAL);
		assert_int_equal(milli, 42);
	}
	assert_true(ga_metric_unit_ok("predictions"));
	assert_true(ga_metric_unit_ok("tokens_out.v2-x"));
	assert_true(ga_metric_unit_ok("abcdefghijklmnopqrstuvwx"));
	for (i = 0; i < sizeof(bad_unit) / sizeof(bad_unit[0]); i++)
		assert_false(ga_metric_unit_ok(bad_unit[i]));
}

static void at_most_64_metrics(void **state)
{
	char text[4096];
	struct ga_metrics m;
	size_t off = 0;
	int i;

	(void)state;
	for (i = 0; i < 70; i++)
		off += snprintf(text + off, sizeof(text) - off, "m%d=%d\n", i, i);
	assert_int_equal(ga_metrics_parse(text, off, &m), 0);
	assert_int_equal(m.nr, GA_METRICS_MAX);
	assert_int_equal(m.bad_lines, 70 - GA_METRICS_MAX);
	assert_string_equal(m.first_error, "line 65: more than 64 metrics");
}

static void files(void **state)
{
	char path[FIX_PATH_MAX], big[70000];
	struct ga_metrics m;

	fix_write(*state, "m", "accuracy=97.5\n");
	fix_path(path, *state, "m");
	assert_int_equal(ga_metrics_read(path, &m), 0);
	assert_true(ga_metrics_get(&m, "accuracy")->value == 97.5);
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fix_write(*state, "big", big);
	fix_path(path, *state, "big");
	assert_int_equal(ga_metrics_read(path, &m), -EFBIG);
	fix_path(path, *state, "absent");
	assert_int_equal(ga_metrics_read(path, &m), -ENOENT);
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_lines),
		cmocka_unit_test(bad_lines_are_skipped_and_counted),
		cmocka_unit_test(the_functional_unit_and_python),
		cmocka_unit_test(units_and_unit_checked_again),
		cmocka_unit_test(at_most_64_metrics),
		cmocka_unit_test_setup_teardown(files, setup, fix_teardown),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
