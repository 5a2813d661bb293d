// SPDX-License-Identifier: GPL-2.0
/*
 * The idle policy as users give it (greenai/idle.h): the share's name,
 * the idle power's spec, which figure a domain gets, how a policy is
 * described.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/files.h>
#include <greenai/idle.h>

#include "fixture.h"

static void share_by_name(void **state)
{
	struct ga_idle_conf c = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(c.share, GREENAI_IDLE_CAPACITY);
	assert_false(c.share_given);
	assert_int_equal(ga_idle_conf_share(&c, "busy", err, sizeof(err)), 0);
	assert_int_equal(c.share, GREENAI_IDLE_BUSY);
	assert_true(c.share_given);
	assert_int_equal(ga_idle_conf_share(&c, "idle", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "idle policy 'idle': not capacity, busy or none");
	assert_int_equal(c.share, GREENAI_IDLE_BUSY);
	assert_int_equal(ga_idle_conf_share(&c, NULL, err, sizeof(err)),
			 -EINVAL);
}

static void power_spec(void **state)
{
	struct ga_idle_conf c = { 0 };
	char err[160];

	(void)state;
	assert_int_equal(ga_idle_conf_power(&c, "package-0=12.5,3,dram-0=0.75",
					    err, sizeof(err)), 0);
	assert_int_equal(c.nr_powers, 3);
	assert_int_equal(ga_idle_conf_fixed(&c, "package-0"), 12500000);
	assert_int_equal(ga_idle_conf_fixed(&c, "dram-0"), 750000);
	assert_int_equal(ga_idle_conf_fixed(&c, "gpu-0"), 3000000);
	assert_false(c.util);

	assert_int_equal(ga_idle_conf_power(&c, "util", err, sizeof(err)), 0);
	assert_true(c.util);
	assert_int_equal(c.nr_powers, 0);
	assert_int_equal(ga_idle_conf_fixed(&c, "package-0"), 0);
	assert_int_equal(ga_idle_conf_power(&c, "auto", err, sizeof(err)), 0);
	assert_false(c.util);
}

static void power_spec_errors_change_nothing(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "10001", "abc", "package-0=", "=5",
		"package-0=1,package-0=2", "1,2", "5,", ",5", "5,,6",
		"a-name-that-is-longer-than-thirty-one=1", "1.0005", "1 W",
	};
	struct ga_idle_conf c = { 0 };
	char err[160];
	unsigned int i;

	(void)state;
	assert_int_equal(ga_idle_conf_power(&c, "dram-0=2", err, sizeof(err)),
			 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ga_idle_conf_power(&c, bad[i], err,
						    sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		assert_int_equal(c.nr_powers, 1);
		assert_int_equal(ga_idle_conf_fixed(&c, "dram-0"), 2000000);
	}
	assert_int_equal(ga_idle_conf_power(&c, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(ga_idle_conf_power(&c, "1,2", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "idle power: 'every domain' given twice");
}

static void describe(void **state)
{
	struct ga_idle_policy p = { GREENAI_IDLE_CAPACITY,
				    GREENAI_BASIS_CALIBRATED, 9800000 };
	char out[96];

	(void)state;
	ga_idle_describe(&p, "package-0", out, sizeof(out));
	assert_string_equal(out, "package-0 calibrated 9.800 W");
	p.share = GREENAI_IDLE_BUSY;
	p.basis = GREENAI_BASIS_UTIL;
	ga_idle_describe(&p, "dram-0", out, sizeof(out));
	assert_string_equal(out, "dram-0 by utilisation");
}

/* A saved calibration reads back as written, comments aside. */
static void saved_calibration_round_trip(void **state)
{
	const struct ga_idle_power p[] = {
		{ "package-0", 9812345 }, { "dram-0", 1204000 },
	};
	struct ga_idle_conf c = { 0 };
	char path[FIX_PATH_MAX], err[256], *text;
	size_t len;

	fix_path(path, *state, "state/greenai/idle-power");
	assert_int_equal(ga_idle_save(path, p, 2, "host h, a comment"), 0);
	assert_int_equal(ga_read_file(path, 4096, &text, &len), 0);
	/* milliwatts, as a user gives watts */
	assert_string_equal(text, "# host h, a comment\npackage-0=9.812\ndram-0=1.204\n");
	free(text);
	assert_int_equal(ga_idle_conf_load_saved(&c, path, err, sizeof(err)),
			 0);
	assert_int_equal(c.nr_saved, 2);
	assert_int_equal(ga_idle_conf_saved(&c, "package-0"), 9812000);
	assert_int_equal(ga_idle_conf_saved(&c, "dram-0"), 1204000);
	assert_int_equal(ga_idle_conf_saved(&c, "psys"), 0);
	/* no file: nothing, and no error */
	fix_path(path, *state, "none");
	c.nr_saved = 0;
	assert_int_equal(ga_idle_conf_load_saved(&c, path, err, sizeof(err)),
			 0);
	assert_int_equal(c.nr_saved, 0);
}

/* A bad line says where and what, and changes nothing. */
static void saved_calibration_errors_change_nothing(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "package-0=9.8\n10\n", ":2: '10' is not NAME=W" },
		{ "=3\n", ":1: '=3' is not NAME=W" },
		{ "# c\npackage-0=0\n", ":2: idle power 'package-0=0': not watts above 0" },
		{ "package-0=x\n", ":1: idle power 'package-0=x': not watts" },
		{ "a=1\nb=2\na=3\n", ":3: 'a' given twice" },
	};
	char path[FIX_PATH_MAX], err[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ga_idle_conf c = { .nr_saved = 1 };

		c.saved[0] = (struct ga_idle_power){ "was", 1 };
		fix_write(*state, "cal", bad[i].text);
		fix_path(path, *state, "cal");
		err[0] = '\0';
		assert_int_equal(ga_idle_conf_load_saved(&c, path, err,
							 sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].err) || strncmp(err, path, strlen(path)))
			fail_msg("'%s': '%s', not '%s'", bad[i].text, err,
				 bad[i].err);
		assert_int_equal(c.nr_saved, 1);
		assert_string_equal(c.saved[0].domain, "was");
	}
}

/* GREENAI_CALIBRATION first; root's is the host's; a user's is theirs. */
static void saved_calibration_path(void **state)
{
	char buf[FIX_PATH_MAX];

	(void)state;
	setenv("GREENAI_CALIBRATION", "/t/cal", 1);
	assert_int_equal(ga_idle_saved_path(buf, sizeof(buf), true), 0);
	assert_string_equal(buf, "/t/cal");
	unsetenv("GREENAI_CALIBRATION");
	assert_int_equal(ga_idle_saved_path(buf, sizeof(buf), false), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/etc/greenai/idle-power");
	} else {
		setenv("XDG_STATE_HOME", "/x/state", 1);
		assert_int_equal(ga_idle_saved_path(buf, sizeof(buf), true), 0);
		assert_string_equal(buf, "/x/state/greenai/idle-power");
		/* without one of their own, a user reads the host's */
		assert_int_equal(ga_idle_saved_path(buf, sizeof(buf), false),
				 0);
		assert_string_equal(buf, "/etc/greenai/idle-power");
		unsetenv("XDG_STATE_HOME");
	}
}

/* A seeded calibration gives its figure at once; quieter blocks lower it. */
static void seeded_calibration(void **state)
{
	struct ga_idle_cal c = { 0 };
	struct ga_idle_policy p;
	__u64 uw = 0;
	int i;

	(void)state;
	ga_idle_cal_seed(&c, 9000000);
	ga_idle_resolve(&p, GREENAI_IDLE_CAPACITY, false, 0, NULL, &c);
	assert_int_equal(p.basis, GREENAI_BASIS_CALIBRATED);
	assert_int_equal(p.idle_power_uw, 9000000);
	/* a block of quiet 100 ms intervals at 8.5 W */
	for (i = 0; i < GA_CAL_BLOCK; i++)
		ga_idle_cal_add(&c, 850000, 100000000, 0, 200000000);
	assert_true(ga_idle_cal_get(&c, &uw));
	assert_int_equal(uw, 8500000);
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(share_by_name),
		cmocka_unit_test(power_spec),
		cmocka_unit_test(power_spec_errors_change_nothing),
		cmocka_unit_test(describe),
		cmocka_unit_test_setup_teardown(saved_calibration_round_trip,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(saved_calibration_errors_change_nothing,
						setup, fix_teardown),
		cmocka_unit_test(saved_calibration_path),
		cmocka_unit_test(seeded_calibration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
