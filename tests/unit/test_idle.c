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

#include <greenai/idle.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(share_by_name),
		cmocka_unit_test(power_spec),
		cmocka_unit_test(power_spec_errors_change_nothing),
		cmocka_unit_test(describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
