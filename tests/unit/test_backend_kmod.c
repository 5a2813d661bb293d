// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the module backend's parsers (tools/lib/engine/backend_kmod.c):
 * lines of /proc/greenai/tasks and cgroups as greenai.ko prints them
 * (kmod/procfs.c), escapes, the overflow rows, and malformed lines, which
 * are errors, never half-read numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/backend_kmod.h"

static void task_line(void **state)
{
	char line[] = "4242 8123 1500000 100 20 7 3 python3\\040train";
	struct ga_acct_task t;

	(void)state;
	assert_int_equal(ga_kmod_parse_task(line, 2, &t), 0);
	assert_int_equal(t.tgid, 4242);
	assert_int_equal(t.cgroup_id, 8123);
	assert_int_equal(t.cpu_ns, 1500000);
	assert_int_equal(t.energy[0].active_uj, 100);
	assert_int_equal(t.energy[0].idle_uj, 20);
	assert_int_equal(t.energy[1].active_uj, 7);
	assert_int_equal(t.energy[1].idle_uj, 3);
	assert_string_equal(t.comm, "python3 train");
}

/* Anyone can empty their comm: the line ends in the separator. */
static void task_empty_comm(void **state)
{
	char line[] = "12 3 4 5 6 ";
	struct ga_acct_task t;

	(void)state;
	assert_int_equal(ga_kmod_parse_task(line, 1, &t), 0);
	assert_int_equal(t.tgid, 12);
	assert_string_equal(t.comm, "");
}

static void task_overflow_row(void **state)
{
	char line[] = "overflow - 99 5 6 [overflow]";
	struct ga_acct_task t;

	(void)state;
	assert_int_equal(ga_kmod_parse_task(line, 1, &t), 0);
	assert_int_equal(t.tgid, GA_ACCT_OVERFLOW_ID);
	assert_int_equal(t.cpu_ns, 99);
	assert_int_equal(t.energy[0].active_uj + t.energy[0].idle_uj, 11);
}

static void task_malformed(void **state)
{
	static const char *const bad[] = {
		"", /* empty */
		"12 3 4 5 6", /* no comm column at all */
		"12 3 4 5 comm", /* a domain short */
		"12 3 4 5 6 7 comm", /* a column too many */
		"12 3 x 5 6 comm", /* not a number */
		"-12 3 4 5 6 comm", /* a sign */
		"12 3 4 5 6 two words", /* unescaped space */
		"12 3 99999999999999999999 5 6 c", /* above 2^64 */
		"4294967295 3 4 5 6 comm", /* the overflow id as a pid */
		"overflow 3 4 5 6 comm", /* overflow with a cgroup */
	};
	struct ga_acct_task t;
	char line[128];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		assert_int_equal(ga_kmod_parse_task(line, 1, &t), -EPROTO);
	}
}

static void cgroup_lines(void **state)
{
	char line[] = "77 5000 3 10 2 /system.slice/a\\134b.service";
	char gone[] = "78 1 0 0 0 -";
	char ovf[] = "overflow 1 0 4 4 -";
	char bad[] = "77 5000 10 2 /x";
	struct ga_acct_cgroup c;
	char *path;

	(void)state;
	assert_int_equal(ga_kmod_parse_cgroup(line, 1, &c, &path), 0);
	assert_int_equal(c.id, 77);
	assert_int_equal(c.cpu_ns, 5000);
	assert_int_equal(c.nr_exited, 3);
	assert_int_equal(c.energy[0].active_uj, 10);
	assert_string_equal(path, "/system.slice/a\\b.service");
	assert_int_equal(ga_kmod_parse_cgroup(gone, 1, &c, &path), 0);
	assert_string_equal(path, "-");
	assert_int_equal(ga_kmod_parse_cgroup(ovf, 1, &c, &path), 0);
	assert_int_equal(c.id, (__u64)-1);
	assert_int_equal(ga_kmod_parse_cgroup(bad, 1, &c, &path), -EPROTO);
}

static void unescape(void **state)
{
	char s[] = "a\\011b\\012c\\134\\777\\01";

	(void)state;
	ga_kmod_unescape(s);
	/* \777 is not a byte and \01 is cut short: both stay as they are */
	assert_string_equal(s, "a\tb\nc\\\\777\\01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_line),
		cmocka_unit_test(task_empty_comm),
		cmocka_unit_test(task_overflow_row),
		cmocka_unit_test(task_malformed),
		cmocka_unit_test(cgroup_lines),
		cmocka_unit_test(unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
