// SPDX-License-Identifier: GPL-2.0
/*
 * What a program's flags leave unsaid (settings.h): one order for every
 * program, flag > environment > configuration files > default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/bpf_abi.h>
#include <greenai/carbon.h>
#include <greenai/files.h>
#include <greenai/settings.h>

#include "base/decimal.h"

/**
 * ga_settings_region() - the region a program is about
 * @flag: --region, or NULL
 *
 * Return: @flag, else GREENAI_REGION when it is set and not empty, else
 * NULL (the configuration's, if any, is the caller's next choice).
 */
const char *ga_settings_region(const char *flag)
{
	const char *env = getenv("GREENAI_REGION");

	if (flag)
		return flag;
	return env && *env ? env : NULL;
}

/**
 * ga_settings_intensity() - the grid intensity a program uses, one figure
 * @cfg: the configuration files' settings
 * @given: --intensity, or NULL
 * @region: --region, or NULL
 * @in: the figure
 * @from: where it came from, for people
 * @from_size: its size (GA_SETTINGS_FROM_MAX)
 * @err: what is wrong, and where it was said
 * @err_size: its size
 *
 * Flags first (a figure over a region), then GREENAI_REGION, then the
 * configuration's intensity or region, else the world average.
 *
 * Return: 0, or -EINVAL / -ENOENT with @err set.
 */
int ga_settings_intensity(const struct ga_config *cfg, const char *given,
			  const char *region, struct ga_intensity *in,
			  char *from, size_t from_size, char *err,
			  size_t err_size)
{
	const char *env = ga_settings_region(NULL), *where = NULL;
	char why[256];
	int r;

	if (given) {
		snprintf(from, from_size, "--intensity");
	} else if (region) {
		snprintf(from, from_size, "--region");
	} else if (env) {
		region = env;
		snprintf(from, from_size, "GREENAI_REGION");
	} else {
		given = ga_config_get(cfg, GA_CFG_INTENSITY, &where);
		if (given) {
			snprintf(from, from_size, "intensity in %s", where);
		} else {
			region = ga_config_get(cfg, GA_CFG_REGION, &where);
			snprintf(from, from_size, "%s%s",
				 region ? "region in " : "",
				 region ? where : "");
		}
	}
	r = ga_intensity_choose(given, region, in, why, sizeof(why));
	if (r) {
		snprintf(err, err_size, "%s (from %s)", why, from);
		return r;
	}
	if (in->origin == GA_INT_WORLD)
		snprintf(from, from_size,
			 "no region given (--region, GREENAI_REGION, config): the world average");
	return 0;
}

/**
 * ga_settings_pue() - the PUE: --pue, else the configuration's, else 1.0
 * @cfg: the configuration files' settings
 * @given: --pue, or NULL
 * @pue_milli: the PUE in thousandths
 * @err: what is wrong, and where it was said
 * @err_size: its size
 *
 * Return: 0 or -EINVAL.
 */
int ga_settings_pue(const struct ga_config *cfg, const char *given,
		    uint32_t *pue_milli, char *err, size_t err_size)
{
	const char *from = "--pue";
	uint32_t v = GA_PUE_MIN_MILLI;

	if (!given)
		given = ga_config_get(cfg, GA_CFG_PUE, &from);
	if (given && ga_pue_parse(given, &v)) {
		snprintf(err, err_size, "pue '%s': not 1.0 to 10.0 (from %s)",
			 given, from);
		return -EINVAL;
	}
	*pue_milli = v;
	return 0;
}

/* One setting: the flag, else the environment, else the configuration. */
static const char *ga_settings_pick(const struct ga_config *cfg,
				    const char *flag, const char *flag_name,
				    const char *env_name, enum ga_config_key k,
				    const char **from)
{
	const char *env = getenv(env_name);

	*from = flag_name;
	if (flag)
		return flag;
	*from = env_name;
	if (env && *env)
		return env;
	return ga_config_get(cfg, k, from);
}

/**
 * ga_settings_idle() - the idle policy a program splits energy under, with
 * the saved calibration unless it is by utilisation (idle.h)
 * @cfg: the configuration files' settings
 * @share: --idle, or NULL
 * @power: --idle-power, or NULL
 * @out: the policy (settings.h)
 * @err: what is wrong, and where it was said
 * @err_size: its size
 *
 * Return: 0, or -EINVAL with @err set and @out unchanged.
 */
int ga_settings_idle(const struct ga_config *cfg, const char *share,
		     const char *power, struct ga_idle_conf *out, char *err,
		     size_t err_size)
{
	struct ga_idle_conf c = { 0 };
	const char *v, *from = NULL;
	char why[192];

	v = ga_settings_pick(cfg, share, "--idle", "GREENAI_IDLE", GA_CFG_IDLE,
			     &from);
	if (v && ga_idle_conf_share(&c, v, why, sizeof(why)))
		goto bad;
	v = ga_settings_pick(cfg, power, "--idle-power", "GREENAI_IDLE_POWER",
			     GA_CFG_IDLE_POWER, &from);
	if (v && ga_idle_conf_power(&c, v, why, sizeof(why)))
		goto bad;
	/* what is known of a domain includes its saved calibration */
	if (!c.util) {
		char path[GA_PATH_MAX];

		if (!ga_idle_saved_path(path, sizeof(path), false) &&
		    ga_idle_conf_load_saved(&c, path, err, err_size))
			return -EINVAL;
	}
	*out = c;
	return 0;
bad:
	snprintf(err, err_size, "%s (from %s)", why, from ? from : "?");
	return -EINVAL;
}

/**
 * ga_settings_model() - the power model's coefficients greenai.conf gives
 * @cfg: the configuration files' settings (values already checked)
 * @idle_mw: model_idle_w, mW per CPU
 * @max_mw: model_max_w, mW per CPU
 * @from: where they are from, "model_idle_w in FILE:LINE, model_max_w in
 *	FILE:LINE"
 * @from_size: its size (GA_SETTINGS_FROM_MAX)
 * @err: what is wrong, and where it was said
 * @err_size: its size
 *
 * Return: 1 when both are given, 0 when neither is (libgreenai then takes
 * Cloud Carbon Footprint's figures for the CPU), or -EINVAL when only one
 * is, or idle is above max (nothing is set).
 */
int ga_settings_model(const struct ga_config *cfg, uint32_t *idle_mw,
		      uint32_t *max_mw, char *from, size_t from_size,
		      char *err, size_t err_size)
{
	const char *fi = NULL, *fm = NULL;
	const char *vi = ga_config_get(cfg, GA_CFG_MODEL_IDLE, &fi);
	const char *vm = ga_config_get(cfg, GA_CFG_MODEL_MAX, &fm);
	uint64_t i, m;

	if (!vi && !vm)
		return 0;
	if (!vi || !vm) {
		snprintf(err, err_size,
			 "%s without %s (from %s): give both, or neither for the CPU family's figures",
			 vi ? "model_idle_w" : "model_max_w",
			 vi ? "model_max_w" : "model_idle_w", vi ? fi : fm);
		return -EINVAL;
	}
	if (ga_parse_milli(vi, GA_MODEL_MAX_MW, &i) ||
	    ga_parse_milli(vm, GA_MODEL_MAX_MW, &m) || !m || i > m) {
		snprintf(err, err_size,
			 "model_idle_w %s above model_max_w %s (from %s and %s)",
			 vi, vm, fi, fm);
		return -EINVAL;
	}
	*idle_mw = i;
	*max_mw = m;
	snprintf(from, from_size, "model_idle_w in %s, model_max_w in %s", fi,
		 fm);
	return 1;
}

/**
 * ga_settings_embodied() - the SCI's embodied emissions and lifetime
 * @cfg: the configuration files' settings (values already checked)
 * @out: TE and EL, and where they are from
 * @err: what is wrong, and where it was said
 * @err_size: its size
 *
 * Return: 0, or -EINVAL for a value out of range (nothing is set).
 */
int ga_settings_embodied(const struct ga_config *cfg, struct ga_embodied *out,
			 char *err, size_t err_size)
{
	const char *fk = NULL, *fy = NULL;
	const char *vk = ga_config_get(cfg, GA_CFG_EMBODIED_KG, &fk);
	const char *vy = ga_config_get(cfg, GA_CFG_EMBODIED_YEARS, &fy);
	uint64_t g = GA_EMBODIED_DEFAULT_G, my = GA_EMBODIED_DEFAULT_MYEARS;

	if (vk && ga_parse_milli(vk, GA_EMBODIED_MAX_G, &g)) {
		snprintf(err, err_size,
			 "embodied_kg '%s' (from %s): kg CO2e, 0 to 1000000, up to 3 decimals",
			 vk, fk);
		return -EINVAL;
	}
	if (vy && (ga_parse_milli(vy, GA_EMBODIED_MAX_MYEARS, &my) ||
		   my < GA_EMBODIED_MIN_MYEARS)) {
		snprintf(err, err_size,
			 "embodied_years '%s' (from %s): years, 0.1 to 50, up to 3 decimals",
			 vy, fy);
		return -EINVAL;
	}
	out->total_g = g;
	out->lifetime_myears = my;
	if (!vk && !vy)
		snprintf(out->source, sizeof(out->source), "%s",
			 GA_EMBODIED_DEFAULT_SOURCE);
	else
		snprintf(out->source, sizeof(out->source),
			 "embodied_kg %s%s, embodied_years %s%s",
			 vk ? "in " : "", vk ? fk : "default (SCI Guide: 1230.3 kg CO2e)",
			 vy ? "in " : "", vy ? fy : "default (SCI Guide: 4 years)");
	return 0;
}

/**
 * ga_settings_on_cloud() - whether the machine is a cloud provider's
 * @cfg: the configuration files' settings (values already checked)
 * @detected: what the machine's DMI strings say (ga_machine_read())
 *
 * Return: on_cloud's yes or no when it is set so, else @detected.
 */
enum ga_cloud ga_settings_on_cloud(const struct ga_config *cfg,
				   enum ga_cloud detected)
{
	const char *v = ga_config_get(cfg, GA_CFG_ON_CLOUD, NULL);

	if (v && !strcmp(v, "yes"))
		return GA_CLOUD_YES;
	if (v && !strcmp(v, "no"))
		return GA_CLOUD_NO;
	return detected;
}

const char *ga_settings_host_energy_dir(const struct ga_config *cfg)
{
	const char *env = getenv("GREENAI_HOST_ENERGY_DIR");

	if (env && *env)
		return env;
	return ga_config_get(cfg, GA_CFG_HOST_ENERGY_DIR, NULL);
}

int ga_settings_bpf_runs(const struct ga_config *cfg, uint32_t *runs,
			 char *err, size_t err_size)
{
	const char *v = getenv("GREENAI_BPF_RUNS"), *from = "GREENAI_BPF_RUNS";

	if (!v || !*v)
		v = ga_config_get(cfg, GA_CFG_BPF_RUNS, &from);
	*runs = 0;
	if (v && ga_config_bpf_runs(v, runs)) {
		snprintf(err, err_size,
			 "bpf_runs '%s' (from %s): entries of the BPF run map, %u to %u",
			 v, from, GA_BPF_RUNS_MIN, GA_BPF_RUNS_MAX);
		return -EINVAL;
	}
	return 0;
}

/* The ledger's file: --ledger, else the configuration's, else NULL. */
const char *ga_settings_ledger(const struct ga_config *cfg, const char *given)
{
	return given ? given : ga_config_get(cfg, GA_CFG_LEDGER, NULL);
}

/**
 * ga_live_conf_load() - the providers, as the configuration sets them up
 * @c: filled; its strings point into @cfg, which must outlive it
 * @cfg: greenai.conf's settings (values already checked)
 * @region: the region to ask about (the flag's, the environment's, or
 *	    NULL for the configuration's)
 *
 * The order is intensity_providers when given; else Electricity Maps when
 * it has a token, the Carbon Aware SDK when it has a URL, the file when
 * there is one, then the embedded table. The Electricity Maps token comes
 * from ELECTRICITYMAPS_TOKEN, else the configuration.
 *
 * Return: whether a provider other than the embedded table is set up.
 */
int ga_live_conf_load(struct ga_live_conf *c, const struct ga_config *cfg,
		      const char *region)
{
	const char *v, *env = getenv("ELECTRICITYMAPS_TOKEN");
	unsigned int i;
	int live = 0;
	uint32_t ms;

	ga_live_conf_default(c);
	c->region = region ? region : ga_config_get(cfg, GA_CFG_REGION, NULL);
	c->em_token = env && *env ? env :
				    ga_config_get(cfg, GA_CFG_EM_TOKEN, NULL);
	v = ga_config_get(cfg, GA_CFG_EM_URL, NULL);
	if (v)
		c->em_url = v;
	c->em_zone = ga_config_get(cfg, GA_CFG_EM_ZONE, NULL);
	c->ca_url = ga_config_get(cfg, GA_CFG_CA_URL, NULL);
	c->ca_location = ga_config_get(cfg, GA_CFG_CA_LOCATION, NULL);
	c->file = ga_config_get(cfg, GA_CFG_INTENSITY_FILE, NULL);
	v = ga_config_get(cfg, GA_CFG_FILE_OFFSET, NULL);
	if (v)
		ga_live_parse_offset(v, &c->file_offset_ms);
	v = ga_config_get(cfg, GA_CFG_HTTP_TIMEOUT, NULL);
	if (v && !ga_live_parse_seconds(v, 100, 60000, &ms))
		c->timeout_ms = ms;
	v = ga_config_get(cfg, GA_CFG_CACHE, NULL);
	if (v && !ga_live_parse_seconds(v, 0, 86400000, &ms))
		c->cache_ms = ms;
	v = ga_config_get(cfg, GA_CFG_REFRESH, NULL);
	if (v && !ga_live_parse_seconds(v, 1000, 86400000, &ms))
		c->refresh_ms = ms;
	if (!ga_live_cache_dir(c->cache_buf, sizeof(c->cache_buf)))
		c->cache_dir = c->cache_buf;
	v = ga_config_get(cfg, GA_CFG_PROVIDERS, NULL);
	if (v) {
		ga_live_parse_order(v, c->order, &c->nr);
	} else {
		c->nr = 0;
		if (c->em_token)
			c->order[c->nr++] = GA_PROV_ELECTRICITYMAPS;
		if (c->ca_url)
			c->order[c->nr++] = GA_PROV_CARBONAWARE;
		if (c->file)
			c->order[c->nr++] = GA_PROV_FILE;
		c->order[c->nr++] = GA_PROV_STATIC;
	}
	for (i = 0; i < c->nr; i++)
		live |= c->order[i] != GA_PROV_STATIC;
	return live;
}

/* A region for a provider: printable, no blanks, not too long. */
static bool ga_region_ok(const char *r)
{
	size_t n = strlen(r);

	if (!n || n >= GA_REGION_MAX)
		return false;
	for (; *r; r++)
		if ((unsigned char)*r <= 0x20 || (unsigned char)*r >= 0x7f)
			return false;
	return true;
}

/**
 * ga_settings_live() - the intensity providers a program asks, and how
 * @cfg: the configuration files' settings; it must outlive @c
 * @region: --region, or NULL (then GREENAI_REGION, then the configuration)
 * @c: filled (ga_live_conf_load())
 * @err: what is wrong
 * @err_size: its size
 *
 * Return: whether any provider other than the embedded table is set up
 * (1 or 0), or -EINVAL for a region no provider could be asked about.
 */
int ga_settings_live(const struct ga_config *cfg, const char *region,
		     struct ga_live_conf *c, char *err, size_t err_size)
{
	region = ga_settings_region(region);
	if (region && !ga_region_ok(region)) {
		snprintf(err, err_size, "region '%s': not a region name",
			 region);
		return -EINVAL;
	}
	return ga_live_conf_load(c, cfg, region);
}

/* The figure of the series in force at @now_ms, else its last one. */
static void ga_grid_follow(struct ga_grid *gr, int64_t now_ms)
{
	if (ga_series_at(&gr->series, now_ms, &gr->mg_per_kwh))
		gr->mg_per_kwh = gr->series.p[gr->series.n - 1].mg_per_kwh;
	snprintf(gr->source, sizeof(gr->source), "%s", gr->series.source);
}

/**
 * ga_grid_init() - the grid intensity a long-running program starts with
 * @gr: set up; ga_grid_free() it
 * @cfg: the configuration files' settings; it must outlive @gr
 * @given: --intensity, or NULL (then greenai.conf's intensity)
 * @region: --region, or NULL (then GREENAI_REGION, then greenai.conf)
 * @now_ms: the wall clock, ms (ga_unix_ms())
 * @res: zeroed, then with the providers' answers when they were asked
 *	 (ga_live_print_failures() says why each that failed did); its
 *	 series is the grid's, not to be freed
 * @err: why not: a bad setting, or no provider answered
 * @err_size: its size
 *
 * Return: 0, or -EINVAL.
 */
int ga_grid_init(struct ga_grid *gr, const struct ga_config *cfg,
		 const char *given, const char *region, int64_t now_ms,
		 struct ga_live_result *res, char *err, size_t err_size)
{
	struct ga_intensity in;

	memset(gr, 0, sizeof(*gr));
	memset(res, 0, sizeof(*res));
	if (!given)
		region = ga_settings_region(region);
	if (!given && !region)
		given = ga_config_get(cfg, GA_CFG_INTENSITY, NULL);
	if (!given)
		gr->live = ga_live_conf_load(&gr->conf, cfg, region) > 0;
	if (!gr->live) {
		if (!given && !region)
			region = ga_config_get(cfg, GA_CFG_REGION, NULL);
		if (ga_intensity_choose(given, region, &in, err, err_size))
			return -EINVAL;
		gr->mg_per_kwh = in.mg_per_kwh;
		snprintf(gr->source, sizeof(gr->source), "%s", in.source);
		snprintf(gr->region, sizeof(gr->region), "%s", in.region);
		return 0;
	}
	if (ga_live_get(&gr->conf, GA_WANT_LATEST, now_ms, res)) {
		snprintf(err, err_size, "no grid intensity from any provider");
		return -EINVAL;
	}
	gr->series = res->series;
	memset(&res->series, 0, sizeof(res->series));
	gr->next_refresh_ms = now_ms + gr->conf.refresh_ms;
	/* (a latest answer covers now: ga_live_get() saw to it) */
	ga_grid_follow(gr, now_ms);
	return 0;
}

/**
 * ga_grid_tick() - the figure in force now
 * @gr: the grid
 * @now_ms: the wall clock, ms
 * @res: the providers' answers when they were asked again
 *
 * The providers are asked again every refresh_ms; when none answers, the
 * last figure known stands.
 *
 * Return: GA_GRID_CHANGED when the figure or its source changed (the new
 * one in @gr), GA_GRID_FAILED the first time asking failed (why in @res),
 * or 0.
 */
unsigned int ga_grid_tick(struct ga_grid *gr, int64_t now_ms,
			  struct ga_live_result *res)
{
	uint32_t mg = gr->mg_per_kwh;
	unsigned int out = 0;
	char source[GA_SERIES_NAME_MAX];

	if (!gr->live)
		return 0;
	if (now_ms >= gr->next_refresh_ms) {
		gr->next_refresh_ms = now_ms + gr->conf.refresh_ms;
		if (!ga_live_get(&gr->conf, GA_WANT_LATEST, now_ms, res)) {
			ga_series_free(&gr->series);
			gr->series = res->series;
			memset(&res->series, 0, sizeof(res->series));
			gr->failing = false;
		} else if (!gr->failing) {
			gr->failing = true;
			out |= GA_GRID_FAILED;
		}
	}
	snprintf(source, sizeof(source), "%s", gr->source);
	if (ga_series_at(&gr->series, now_ms, &gr->mg_per_kwh))
		gr->mg_per_kwh = mg;	/* the last figure known */
	snprintf(gr->source, sizeof(gr->source), "%s", gr->series.source);
	if (gr->mg_per_kwh != mg || strcmp(source, gr->source))
		out |= GA_GRID_CHANGED;
	return out;
}

void ga_grid_free(struct ga_grid *gr)
{
	ga_series_free(&gr->series);
}
