// SPDX-License-Identifier: GPL-2.0
/*
 * greenai.conf (tools/lib/settings/config.c): "key = value" lines with blanks,
 * comments and CRLF; each value checked as its flag would be; a file with
 * any bad line refused whole, naming its file and line; a missing file
 * skipped unless it must exist; the user's file over the system's, and
 * $GREENAI_CONFIG alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/config.h>

#include "fixture.h"

static struct ga_config cfg;
static char err[GA_CONFIG_FROM_MAX + 256];

static int parse(const char *text)
{
	return ga_config_parse(&cfg, text, strlen(text), "t.conf", err,
			       sizeof(err));
}

static void good_files(void **state)
{
	const char *from;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(parse("# greenai settings\n"
			       "\n"
			       "  region = fr  \r\n"
			       "pue=1.25\n"
			       "\tledger =\t/srv/greenai/ledger.db"),
			 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_REGION, &from), "fr");
	assert_string_equal(from, "t.conf:3");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_PUE, &from), "1.25");
	assert_string_equal(from, "t.conf:4");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_LEDGER, NULL),
			    "/srv/greenai/ledger.db");
	assert_null(ga_config_get(&cfg, GA_CFG_INTENSITY, NULL));
	/* a second file's values win; what it does not set stays */
	assert_int_equal(parse("intensity = 56.5\nregion = DEU\n"), 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_REGION, &from), "DEU");
	assert_string_equal(from, "t.conf:2");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_INTENSITY, NULL),
			    "56.5");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_PUE, NULL), "1.25");
	/* the live intensity's settings */
	assert_int_equal(parse("intensity_providers = carbonaware, static\n"
			       "electricitymaps_token = abc-123\n"
			       "carbonaware_url = https://sdk.example/api\n"
			       "carbonaware_location = westeurope\n"
			       "intensity_file = /srv/forecast.csv\n"
			       "intensity_file_offset = -1d2h\n"
			       "http_timeout = 2.5\n"
			       "intensity_cache = 0\n"
			       "intensity_refresh = 60\n"),
			 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_PROVIDERS, NULL),
			    "carbonaware, static");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_EM_TOKEN, NULL),
			    "abc-123");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_HTTP_TIMEOUT, &from),
			    "2.5");
	assert_string_equal(from, "t.conf:7");
	assert_string_equal(ga_config_get(&cfg, GA_CFG_FILE_OFFSET, NULL),
			    "-1d2h");
	assert_null(ga_config_get(&cfg, GA_CFG_EM_URL, NULL));
	/* the machine's cloud, each of its three values */
	assert_int_equal(parse("on_cloud = no\n"), 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_ON_CLOUD, NULL), "no");
	assert_int_equal(parse("on_cloud = yes\n"), 0);
	assert_int_equal(parse("on_cloud = auto\n"), 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_ON_CLOUD, NULL), "auto");
	/* the BPF run map's size, at both ends */
	assert_int_equal(parse("bpf_runs = 1024\n"), 0);
	assert_int_equal(parse("bpf_runs = 4194304\n"), 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_BPF_RUNS, NULL),
			    "4194304");
}

static void bad_files_change_nothing(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "region = FR\ncolour = green\n",
		  "t.conf:2: unknown key 'colour'" },
		{ "region = FR\nregion = DE\n", "t.conf:2: 'region' given twice" },
		{ "pue 1.2\n", "t.conf:1: not 'key = value'" },
		{ "region = Atlantis\n", "t.conf:1: region 'Atlantis': not" },
		{ "region =\n", "t.conf:1: region '': not" },
		{ "pue = 0.9\n", "t.conf:1: pue '0.9': not 1.0 to 10.0" },
		{ "pue = 1.2345\n", "t.conf:1: pue '1.2345'" },
		{ "intensity = -3\n", "t.conf:1: intensity '-3'" },
		{ "intensity = lots\n", "t.conf:1: intensity 'lots'" },
		{ "ledger = relative/ledger.db\n",
		  "t.conf:1: ledger 'relative/ledger.db': not an absolute path" },
		{ "= FR\n", "t.conf:1: unknown key ''" },
		{ "intensity_providers = solar\n",
		  "t.conf:1: intensity_providers 'solar': not a list" },
		{ "electricitymaps_url = ftp://x\n",
		  "t.conf:1: electricitymaps_url 'ftp://x': not an http://" },
		{ "electricitymaps_token = a\tb\n",
		  "t.conf:1: electricitymaps_token (not shown): not" },
		{ "http_timeout = 0.01\n", "t.conf:1: http_timeout '0.01'" },
		{ "intensity_cache = 86401\n", "t.conf:1: intensity_cache" },
		{ "intensity_refresh = 0\n", "t.conf:1: intensity_refresh" },
		{ "intensity_file = x.csv\n",
		  "t.conf:1: intensity_file 'x.csv': not an absolute path" },
		{ "intensity_file_offset = 90\n",
		  "t.conf:1: intensity_file_offset '90': not a length" },
		{ "intensity_file_offset = --3h\n",
		  "t.conf:1: intensity_file_offset '--3h'" },
		{ "intensity_file_offset = 36526d\n",
		  "t.conf:1: intensity_file_offset '36526d'" },
		{ "model_idle_w = -1\n", "t.conf:1: model_idle_w '-1': not watts" },
		{ "model_idle_w = 0.0005\n", "t.conf:1: model_idle_w '0.0005'" },
		{ "model_idle_w = 1001\n", "t.conf:1: model_idle_w '1001'" },
		{ "model_max_w = 0\n",
		  "t.conf:1: model_max_w '0': not watts per CPU, 0.001 to 1000" },
		{ "model_max_w = 4 W\n", "t.conf:1: model_max_w '4 W'" },
		{ "embodied_kg = -1\n",
		  "t.conf:1: embodied_kg '-1': not kg CO2e, 0 to 1000000" },
		{ "embodied_kg = 1000001\n", "t.conf:1: embodied_kg '1000001'" },
		{ "embodied_kg = 1.2345\n", "t.conf:1: embodied_kg '1.2345'" },
		{ "embodied_kg = lots\n", "t.conf:1: embodied_kg 'lots'" },
		{ "embodied_years = 0\n",
		  "t.conf:1: embodied_years '0': not years, 0.1 to 50" },
		{ "embodied_years = 0.09\n", "t.conf:1: embodied_years '0.09'" },
		{ "embodied_years = 51\n", "t.conf:1: embodied_years '51'" },
		{ "embodied_years = 4y\n", "t.conf:1: embodied_years '4y'" },
		{ "on_cloud = maybe\n",
		  "t.conf:1: on_cloud 'maybe': not yes, no or auto" },
		{ "on_cloud = Yes\n", "t.conf:1: on_cloud 'Yes'" },
		{ "bpf_runs = 1023\n",
		  "t.conf:1: bpf_runs '1023': not entries of the BPF run map, 1024 to 4194304" },
		{ "bpf_runs = 4194305\n", "t.conf:1: bpf_runs '4194305'" },
		{ "bpf_runs = 64k\n", "t.conf:1: bpf_runs '64k'" },
		{ "bpf_runs = -1\n", "t.conf:1: bpf_runs '-1'" },
		{ "on_cloud = 1\n", "t.conf:1: on_cloud '1'" },
		{ "on_cloud =\n", "t.conf:1: on_cloud ''" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		assert_int_equal(parse("pue = 2\n"), 0);
		assert_int_equal(parse(bad[i].text), -EINVAL);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)))
			fail_msg("%s: got '%s', want '%s...'", bad[i].text, err,
				 bad[i].err);
		/* nothing of the bad file, the earlier file intact */
		assert_null(ga_config_get(&cfg, GA_CFG_REGION, NULL));
		assert_string_equal(ga_config_get(&cfg, GA_CFG_PUE, NULL), "2");
	}
	/* a NUL is not text */
	assert_int_equal(ga_config_parse(&cfg, "pue = 1\0x", 9, "t.conf", err,
					 sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.conf:1: line too long or not text");
}

static void files_and_their_order(void **state)
{
	char path[FIX_PATH_MAX], xdg[FIX_PATH_MAX];

	memset(&cfg, 0, sizeof(cfg));
	fix_path(path, *state, "absent.conf");
	assert_int_equal(ga_config_read(&cfg, path, 0, err, sizeof(err)), 0);
	assert_int_equal(ga_config_read(&cfg, path, 1, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "absent.conf: No such file"));
	/* the user's file, under $XDG_CONFIG_HOME */
	fix_write(*state, "xdg/greenai/greenai.conf", "region = NO\npue = 1.1\n");
	fix_path(xdg, *state, "xdg");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("GREENAI_CONFIG");
	if (access(GA_CONFIG_SYSTEM, F_OK) == 0)
		skip();		/* the host's own would be read first */
	assert_int_equal(ga_config_load(&cfg, err, sizeof(err)), 0);
	assert_string_equal(ga_config_get(&cfg, GA_CFG_REGION, NULL), "NO");
	/* $GREENAI_CONFIG alone: the user's file is not read */
	fix_write(*state, "only.conf", "intensity = 10\n");
	fix_path(path, *state, "only.conf");
	setenv("GREENAI_CONFIG", path, 1);
	assert_int_equal(ga_config_load(&cfg, err, sizeof(err)), 0);
	assert_null(ga_config_get(&cfg, GA_CFG_REGION, NULL));
	assert_string_equal(ga_config_get(&cfg, GA_CFG_INTENSITY, NULL), "10");
	/* a bad user file is an error, with its path and line */
	unsetenv("GREENAI_CONFIG");
	fix_write(*state, "xdg/greenai/greenai.conf", "region = NO\npue = x\n");
	assert_int_equal(ga_config_load(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "xdg/greenai/greenai.conf:2: pue 'x'"));
	unsetenv("XDG_CONFIG_HOME");
}

/* A token is never echoed; a file holding one others can read is said. */
static void a_token_is_kept_secret(void **state)
{
	char path[FIX_PATH_MAX];

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(parse("electricitymaps_token = s3cret\x01x\n"),
			 -EINVAL);
	assert_null(strstr(err, "s3cret"));
	fix_write(*state, "t.conf", "electricitymaps_token = s3cret\n");
	fix_path(path, *state, "t.conf");
	fix_chmod(*state, "t.conf", 0644);
	assert_int_equal(ga_config_read(&cfg, path, 1, err, sizeof(err)), 0);
	assert_non_null(strstr(cfg.warning, "t.conf holds electricitymaps_token and every user can read it (mode 0644): keep the token where only its users can"));
	assert_null(strstr(cfg.warning, "s3cret"));
	/* its owner's, or a group's: no warning */
	memset(&cfg, 0, sizeof(cfg));
	fix_chmod(*state, "t.conf", 0600);
	assert_int_equal(ga_config_read(&cfg, path, 1, err, sizeof(err)), 0);
	assert_string_equal(cfg.warning, "");
	fix_chmod(*state, "t.conf", 0640);
	assert_int_equal(ga_config_read(&cfg, path, 1, err, sizeof(err)), 0);
	assert_string_equal(cfg.warning, "");
	/* no token, no warning, whatever the mode */
	memset(&cfg, 0, sizeof(cfg));
	fix_write(*state, "t.conf", "region = FR\n");
	fix_chmod(*state, "t.conf", 0644);
	assert_int_equal(ga_config_read(&cfg, path, 1, err, sizeof(err)), 0);
	assert_string_equal(cfg.warning, "");
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_files),
		cmocka_unit_test(bad_files_change_nothing),
		cmocka_unit_test_setup_teardown(files_and_their_order, setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(a_token_is_kept_secret, setup,
						fix_teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
