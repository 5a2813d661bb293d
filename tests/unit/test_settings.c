// SPDX-License-Identifier: GPL-2.0
/*
 * What a program's flags leave unsaid (tools/lib/settings/settings.c):
 * one order for every program, flag > GREENAI_REGION > greenai.conf >
 * default, each figure saying where it came from; and ga_grid, which
 * follows the intensity in force: a given figure for good, the live
 * providers (here a forecast file) asked again, else the table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <greenai/carbon.h>
#include <greenai/clock.h>
#include <greenai/config.h>
#include <greenai/settings.h>

#include "fixture.h"

static struct ga_config cfg;
static char err[GA_SETTINGS_FROM_MAX + 256];
static char from[GA_SETTINGS_FROM_MAX];

static void conf(const char *text)
{
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(ga_config_parse(&cfg, text, strlen(text), "g.conf",
					 err, sizeof(err)),
			 0);
}

/* The table's figure for @region. */
static uint32_t table_mg(const char *region)
{
	struct ga_intensity in;

	assert_int_equal(ga_intensity_region(region, &in), 0);
	return in.mg_per_kwh;
}

static int setup(void **state)
{
	(void)state;
	unsetenv("GREENAI_REGION");
	unsetenv("ELECTRICITYMAPS_TOKEN");
	unsetenv("GREENAI_BPF_RUNS");
	/* the providers' cache, out of the way */
	setenv("GREENAI_CACHE_DIR", "/nonexistent/greenai-test-cache", 1);
	return 0;
}

static void idle_order(void **state)
{
	struct ga_idle_conf c = { .share = GREENAI_IDLE_NONE };

	(void)state;
	unsetenv("GREENAI_IDLE");
	unsetenv("GREENAI_IDLE_POWER");
	/* nothing said: the default */
	conf("");
	assert_int_equal(ga_settings_idle(&cfg, NULL, NULL, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.share, GREENAI_IDLE_CAPACITY);
	assert_false(c.share_given);
	assert_int_equal(c.nr_powers, 0);
	/* the file */
	conf("idle = busy\nidle_power = package-0=9.5\n");
	assert_int_equal(ga_settings_idle(&cfg, NULL, NULL, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.share, GREENAI_IDLE_BUSY);
	assert_true(c.share_given);
	assert_int_equal(ga_idle_conf_fixed(&c, "package-0"), 9500000);
	/* the environment over the file, the flags over both */
	setenv("GREENAI_IDLE", "none", 1);
	setenv("GREENAI_IDLE_POWER", "util", 1);
	assert_int_equal(ga_settings_idle(&cfg, NULL, NULL, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.share, GREENAI_IDLE_NONE);
	assert_true(c.util);
	assert_int_equal(ga_settings_idle(&cfg, "capacity", "4", &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.share, GREENAI_IDLE_CAPACITY);
	assert_false(c.util);
	assert_int_equal(ga_idle_conf_fixed(&c, "dram-0"), 4000000);
	/* a bad value says where it came from, and changes nothing */
	setenv("GREENAI_IDLE_POWER", "lots", 1);
	assert_int_equal(ga_settings_idle(&cfg, "busy", NULL, &c, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "(from GREENAI_IDLE_POWER)"));
	assert_int_equal(c.share, GREENAI_IDLE_CAPACITY);
	unsetenv("GREENAI_IDLE");
	unsetenv("GREENAI_IDLE_POWER");
	unsetenv("GREENAI_BPF_RUNS");
	/* and the file refuses a bad one at its line */
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(ga_config_parse(&cfg, "idle = some\n", 12, "g.conf",
					 err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "g.conf:1: idle 'some': not capacity, busy or none");
}

static void intensity_order(void **state)
{
	struct ga_intensity in;

	(void)state;
	conf("region = SE\nintensity = 12.5\n");
	/* the flag's figure over everything */
	assert_int_equal(ga_settings_intensity(&cfg, "300", "FR", &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.mg_per_kwh, 300000);
	assert_string_equal(from, "--intensity");
	/* the flag's region over the environment and the file */
	setenv("GREENAI_REGION", "DE", 1);
	assert_int_equal(ga_settings_intensity(&cfg, NULL, "FR", &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.mg_per_kwh, table_mg("FR"));
	assert_string_equal(from, "--region");
	/* the environment over the file */
	assert_int_equal(ga_settings_intensity(&cfg, NULL, NULL, &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.mg_per_kwh, table_mg("DE"));
	assert_string_equal(from, "GREENAI_REGION");
	/* the file's figure over its region, saying which line */
	unsetenv("GREENAI_REGION");
	assert_int_equal(ga_settings_intensity(&cfg, NULL, NULL, &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.mg_per_kwh, 12500);
	assert_string_equal(from, "intensity in g.conf:2");
	/* else the file's region, else the world */
	conf("region = SE\n");
	assert_int_equal(ga_settings_intensity(&cfg, NULL, NULL, &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.mg_per_kwh, table_mg("SE"));
	assert_string_equal(from, "region in g.conf:1");
	conf("");
	assert_int_equal(ga_settings_intensity(&cfg, NULL, NULL, &in, from,
					       sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(in.origin, GA_INT_WORLD);
	assert_int_equal(in.mg_per_kwh, table_mg("WORLD"));
}

static void intensity_errors_say_where(void **state)
{
	struct ga_intensity in;

	(void)state;
	conf("");
	setenv("GREENAI_REGION", "Atlantis", 1);
	assert_int_not_equal(ga_settings_intensity(&cfg, NULL, NULL, &in, from,
						   sizeof(from), err,
						   sizeof(err)),
			     0);
	assert_non_null(strstr(err, "'Atlantis'"));
	assert_non_null(strstr(err, "(from GREENAI_REGION)"));
	unsetenv("GREENAI_REGION");
	assert_int_equal(ga_settings_intensity(&cfg, "-3", NULL, &in, from,
					       sizeof(from), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "(from --intensity)"));
}

static void pue_and_ledger(void **state)
{
	uint32_t pue = 0;

	(void)state;
	conf("pue = 1.5\nledger = /srv/l.db\n");
	assert_int_equal(ga_settings_pue(&cfg, NULL, &pue, err, sizeof(err)),
			 0);
	assert_int_equal(pue, 1500);
	assert_int_equal(ga_settings_pue(&cfg, "1.1", &pue, err, sizeof(err)),
			 0);
	assert_int_equal(pue, 1100);
	/* a bad flag changes nothing, and says so */
	assert_int_equal(ga_settings_pue(&cfg, "0.5", &pue, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pue, 1100);
	assert_string_equal(err, "pue '0.5': not 1.0 to 10.0 (from --pue)");
	conf("");
	assert_int_equal(ga_settings_pue(&cfg, NULL, &pue, err, sizeof(err)),
			 0);
	assert_int_equal(pue, GA_PUE_MIN_MILLI);
	conf("ledger = /srv/l.db\n");
	assert_string_equal(ga_settings_ledger(&cfg, NULL), "/srv/l.db");
	assert_string_equal(ga_settings_ledger(&cfg, "/tmp/x.db"), "/tmp/x.db");
	conf("");
	assert_null(ga_settings_ledger(&cfg, NULL));
}

static void live_region(void **state)
{
	struct ga_live_conf lc;

	(void)state;
	conf("region = SE\n");
	/* no provider but the table */
	assert_int_equal(ga_settings_live(&cfg, NULL, &lc, err, sizeof(err)),
			 0);
	assert_string_equal(lc.region, "SE");
	conf("region = SE\nintensity_file = /srv/f.csv\n");
	assert_int_equal(ga_settings_live(&cfg, NULL, &lc, err, sizeof(err)),
			 1);
	assert_int_equal(lc.nr, 2);
	assert_int_equal(lc.order[0], GA_PROV_FILE);
	setenv("GREENAI_REGION", "US-CAL-CISO", 1);
	assert_int_equal(ga_settings_live(&cfg, NULL, &lc, err, sizeof(err)),
			 1);
	assert_string_equal(lc.region, "US-CAL-CISO");
	assert_int_equal(ga_settings_live(&cfg, "FR", &lc, err, sizeof(err)),
			 1);
	assert_string_equal(lc.region, "FR");
	assert_int_equal(ga_settings_live(&cfg, "a b", &lc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "region 'a b': not a region name");
	unsetenv("GREENAI_REGION");
}

static void grid_given_and_table(void **state)
{
	struct ga_live_result res;
	struct ga_grid gr;

	(void)state;
	conf("intensity = 55\nintensity_file = /nonexistent/f.csv\n");
	/* a figure in the file holds for good: no provider is asked */
	assert_int_equal(ga_grid_init(&gr, &cfg, NULL, NULL, ga_unix_ms(), &res,
				      err, sizeof(err)),
			 0);
	assert_false(gr.live);
	assert_int_equal(gr.mg_per_kwh, 55000);
	assert_int_equal(ga_grid_tick(&gr, ga_unix_ms() + 86400000, &res), 0);
	ga_grid_free(&gr);
	/* a region flag over the file's figure: the table's, no provider */
	conf("intensity = 55\n");
	assert_int_equal(ga_grid_init(&gr, &cfg, NULL, "FR", ga_unix_ms(), &res,
				      err, sizeof(err)),
			 0);
	assert_false(gr.live);
	assert_int_equal(gr.mg_per_kwh, table_mg("FR"));
	assert_string_equal(gr.region, "FRA");
	ga_grid_free(&gr);
	/* a bad flag: an error, nothing set up */
	assert_int_equal(ga_grid_init(&gr, &cfg, "x", NULL, ga_unix_ms(), &res,
				      err, sizeof(err)),
			 -EINVAL);
}

static void grid_follows_the_live_figure(void **state)
{
	char *dir = fix_tmpdir_new(), path[FIX_PATH_MAX];
	char text[FIX_PATH_MAX + 128];
	int64_t now = ga_unix_ms(), t0 = now / 1000 - 60;
	struct ga_live_result res;
	struct ga_grid gr;
	unsigned int t;

	(void)state;
	/* 100 g/kWh from a minute ago, 900 from 10 min on, 200 from 20 */
	snprintf(text, sizeof(text), "time,intensity\n%lld,100\n%lld,900\n"
		 "%lld,200\n", (long long)t0, (long long)t0 + 660,
		 (long long)t0 + 1260);
	fix_write(dir, "f.csv", text);
	fix_path(path, dir, "f.csv");
	snprintf(text, sizeof(text),
		 "intensity_file = %s\nintensity_refresh = 60\n"
		 "intensity_providers = file\n", path);
	conf(text);
	assert_int_equal(ga_grid_init(&gr, &cfg, NULL, NULL, now, &res, err,
				      sizeof(err)),
			 0);
	assert_true(gr.live);
	assert_int_equal(gr.mg_per_kwh, 100000);
	assert_non_null(strstr(gr.source, path));
	/* the figure in force, looked up at each tick */
	assert_int_equal(ga_grid_tick(&gr, now + 1000, &res), 0);
	t = ga_grid_tick(&gr, (t0 + 700) * 1000, &res);
	assert_int_equal(t, GA_GRID_CHANGED);
	assert_int_equal(gr.mg_per_kwh, 900000);
	/* asked again a refresh later, the file gone and no other provider:
	 * it fails once, and the figures known stand */
	fix_unlink(dir, "f.csv");
	t = ga_grid_tick(&gr, (t0 + 1300) * 1000, &res);
	assert_int_equal(t, GA_GRID_FAILED | GA_GRID_CHANGED);
	assert_int_equal(gr.mg_per_kwh, 200000);
	t = ga_grid_tick(&gr, (t0 + 1400) * 1000, &res);
	assert_int_equal(t, 0);
	ga_grid_free(&gr);
	fix_rm(dir);
	free(dir);
}

/* The file's series, read through a configuration moving it by @offset. */
static void replay(const char *path, const char *offset,
		   struct ga_live_conf *lc, struct ga_live_result *res)
{
	char text[FIX_PATH_MAX + 128];

	snprintf(text, sizeof(text),
		 "intensity_file = %s\nintensity_file_offset = %s\n"
		 "intensity_providers = file\n", path, offset);
	conf(text);
	assert_int_equal(ga_settings_live(&cfg, NULL, lc, err, sizeof(err)),
			 1);
	/* a history, asked for after the end of the day */
	assert_int_equal(ga_live_get(lc, GA_WANT_HISTORY, 1796700000000, res),
			 0);
}

static void file_replayed_at_an_offset(void **state)
{
	char *dir = fix_tmpdir_new(), path[FIX_PATH_MAX];
	struct ga_live_result res;
	struct ga_live_conf lc;
	int64_t off;

	(void)state;
	/* a recorded day: 300 g/kWh at its start, 100 an hour later */
	fix_write(dir, "f.csv",
		  "time,intensity\n2026-12-06T18:00:00Z,300\n"
		  "2026-12-06T19:00:00Z,100\n");
	fix_path(path, dir, "f.csv");
	/* moved on by 1 d 30 s: every point, its figure and span kept */
	replay(path, "1d30s", &lc, &res);
	assert_int_equal(lc.file_offset_ms, 86430000);
	assert_int_equal(res.series.n, 2);
	assert_int_equal(res.series.p[0].t_ms, 1796580000000 + 86430000);
	assert_int_equal(res.series.p[1].t_ms, 1796583600000 + 86430000);
	assert_int_equal(res.series.p[0].dur_ms, 3600000);
	assert_int_equal(res.series.p[1].mg_per_kwh, 100000);
	assert_non_null(strstr(res.series.source,
			       "its times moved by +86430.000 s"));
	ga_live_result_free(&res);
	/* and back in time */
	replay(path, "-1h", &lc, &res);
	assert_int_equal(res.series.p[0].t_ms, 1796580000000 - 3600000);
	ga_live_result_free(&res);
	assert_int_equal(ga_live_parse_offset("+2m", &off), 0);
	assert_int_equal(off, 120000);
	/* a forecast of years ago, up to a century; a plain length is a */
	/* year at most */
	assert_int_equal(ga_live_parse_offset("-3650d", &off), 0);
	assert_int_equal(off, -3650LL * 86400000);
	assert_int_equal(ga_live_parse_offset("36526d", &off), -EINVAL);
	assert_int_equal(ga_duration_parse("400d", &off), -EINVAL);
	assert_int_equal(ga_live_parse_offset("-", &off), -EINVAL);
	assert_int_equal(ga_live_parse_offset("", &off), -EINVAL);
	fix_unlink(dir, "f.csv");
	fix_rm(dir);
	free(dir);
}

static void model_both_or_neither(void **state)
{
	uint32_t idle = 7, max = 7;

	(void)state;
	/* neither: the CPU family's figures, nothing set */
	conf("pue = 1.2\n");
	assert_int_equal(ga_settings_model(&cfg, &idle, &max, from,
					   sizeof(from), err, sizeof(err)),
			 0);
	assert_int_equal(idle, 7);
	/* both, per CPU, in mW, and where from */
	conf("model_idle_w = 0.64\nmodel_max_w = 3.97\n");
	assert_int_equal(ga_settings_model(&cfg, &idle, &max, from,
					   sizeof(from), err, sizeof(err)),
			 1);
	assert_int_equal(idle, 640);
	assert_int_equal(max, 3970);
	assert_string_equal(from,
			    "model_idle_w in g.conf:1, model_max_w in g.conf:2");
	/* one alone, or idle above max: an error that sets nothing */
	idle = max = 7;
	conf("model_max_w = 3.97\n");
	assert_int_equal(ga_settings_model(&cfg, &idle, &max, from,
					   sizeof(from), err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "model_max_w without model_idle_w (from g.conf:1): give both, or neither for the CPU family's figures");
	conf("model_idle_w = 5\nmodel_max_w = 4\n");
	assert_int_equal(ga_settings_model(&cfg, &idle, &max, from,
					   sizeof(from), err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "model_idle_w 5 above model_max_w 4 (from g.conf:1 and g.conf:2)");
	assert_int_equal(idle, 7);
	assert_int_equal(max, 7);
}

/* bpf_runs: GREENAI_BPF_RUNS, else greenai.conf's, else 0 (the default) */
static void bpf_runs_order(void **state)
{
	uint32_t runs = 7;

	(void)state;
	unsetenv("GREENAI_BPF_RUNS");
	conf("pue = 1.2\n");
	assert_int_equal(ga_settings_bpf_runs(&cfg, &runs, err, sizeof(err)),
			 0);
	assert_int_equal(runs, 0);
	conf("bpf_runs = 65536\n");
	assert_int_equal(ga_settings_bpf_runs(&cfg, &runs, err, sizeof(err)),
			 0);
	assert_int_equal(runs, 65536);
	setenv("GREENAI_BPF_RUNS", "131072", 1);
	assert_int_equal(ga_settings_bpf_runs(&cfg, &runs, err, sizeof(err)),
			 0);
	assert_int_equal(runs, 131072);
	/* empty: not set */
	setenv("GREENAI_BPF_RUNS", "", 1);
	assert_int_equal(ga_settings_bpf_runs(&cfg, &runs, err, sizeof(err)),
			 0);
	assert_int_equal(runs, 65536);
	setenv("GREENAI_BPF_RUNS", "100", 1);
	assert_int_equal(ga_settings_bpf_runs(&cfg, &runs, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "bpf_runs '100' (from GREENAI_BPF_RUNS): entries of the BPF run map, 1024 to 4194304");
	unsetenv("GREENAI_BPF_RUNS");
}

/* TE and EL: greenai.conf's, else the SCI Guide's; where each is from */
static void embodied_defaults_and_config(void **state)
{
	struct ga_embodied e;

	(void)state;
	conf("pue = 1.2\n");
	assert_int_equal(ga_settings_embodied(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(e.total_g, 1230300);
	assert_int_equal(e.lifetime_myears, 4000);
	assert_non_null(strstr(e.source, "SCI Guide"));
	conf("embodied_kg = 850.5\nembodied_years = 6\n");
	assert_int_equal(ga_settings_embodied(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(e.total_g, 850500);
	assert_int_equal(e.lifetime_myears, 6000);
	assert_string_equal(e.source,
			    "embodied_kg in g.conf:1, embodied_years in g.conf:2");
	conf("embodied_years = 0.5\n");
	assert_int_equal(ga_settings_embodied(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(e.total_g, 1230300);
	assert_int_equal(e.lifetime_myears, 500);
	assert_string_equal(e.source,
			    "embodied_kg default (SCI Guide: 1230.3 kg CO2e), embodied_years in g.conf:1");
	/* zero embodied emissions: a machine someone else accounts for */
	conf("embodied_kg = 0\n");
	assert_int_equal(ga_settings_embodied(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(e.total_g, 0);
}

/* on_cloud: yes and no override what the DMI strings say; auto keeps it */
static void on_cloud_override(void **state)
{
	static const enum ga_cloud det[] = { GA_CLOUD_UNKNOWN, GA_CLOUD_NO,
					     GA_CLOUD_YES };
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		conf("pue = 1.2\n");
		assert_int_equal(ga_settings_on_cloud(&cfg, det[i]), det[i]);
		conf("on_cloud = auto\n");
		assert_int_equal(ga_settings_on_cloud(&cfg, det[i]), det[i]);
		conf("on_cloud = yes\n");
		assert_int_equal(ga_settings_on_cloud(&cfg, det[i]),
				 GA_CLOUD_YES);
		conf("on_cloud = no\n");
		assert_int_equal(ga_settings_on_cloud(&cfg, det[i]),
				 GA_CLOUD_NO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(idle_order, setup),
		cmocka_unit_test_setup(intensity_order, setup),
		cmocka_unit_test_setup(intensity_errors_say_where, setup),
		cmocka_unit_test_setup(pue_and_ledger, setup),
		cmocka_unit_test_setup(model_both_or_neither, setup),
		cmocka_unit_test_setup(embodied_defaults_and_config, setup),
		cmocka_unit_test_setup(on_cloud_override, setup),
		cmocka_unit_test_setup(bpf_runs_order, setup),
		cmocka_unit_test_setup(live_region, setup),
		cmocka_unit_test_setup(grid_given_and_table, setup),
		cmocka_unit_test_setup(grid_follows_the_live_figure, setup),
		cmocka_unit_test_setup(file_replayed_at_an_offset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
