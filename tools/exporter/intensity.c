// SPDX-License-Identifier: GPL-2.0
/*
 * The grid intensity greenai-exporter counts CO2e with (exporter.h): a
 * figure given (--intensity, or intensity in greenai.conf), else the live
 * providers of greenai.conf when any is set up (intensity_live.h), asked
 * again every intensity_refresh seconds, the figure in force looked up at
 * each sample; else the embedded table's for the region. When the figure
 * changes, what was counted so far keeps the figure it was counted at.
 * Asking the providers happens in the sampling loop: a provider that does
 * not answer holds the samples back by up to http_timeout (counting goes
 * on at the next one, over a longer interval).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/carbon.h"
#include "base/clock.h"
#include "exporter.h"
#include "carbon/intensity.h"

/**
 * gx_intensity_init() - the intensity and PUE to start with
 * @gi: set up
 * @region: --region or NULL (then GREENAI_REGION, then greenai.conf)
 * @given: --intensity or NULL (then greenai.conf's intensity)
 * @pue: --pue or NULL (then greenai.conf's, else 1.0)
 * @pue_milli: the PUE
 * @err: why not (bad settings, or no provider answered)
 * @err_size: its size
 *
 * Return: 0, or -EINVAL.
 */
int gx_intensity_init(struct gx_intensity *gi, const char *region,
		      const char *given, const char *pue, uint32_t *pue_milli,
		      char *err, size_t err_size)
{
	struct ga_live_result res;
	struct ga_intensity in;
	const char *env = getenv("GREENAI_REGION"), *v;
	char why[GA_CONFIG_FROM_MAX + 256];

	memset(gi, 0, sizeof(*gi));
	gi->cfg = calloc(1, sizeof(*gi->cfg));
	if (!gi->cfg || ga_config_load(gi->cfg, why, sizeof(why))) {
		snprintf(err, err_size, "%s", gi->cfg ? why : "out of memory");
		return -EINVAL;
	}
	*pue_milli = GA_PUE_MIN_MILLI;
	v = pue ? pue : ga_config_get(gi->cfg, GA_CFG_PUE, NULL);
	if (v && ga_pue_parse(v, pue_milli)) {
		snprintf(err, err_size, "--pue: '%s' is not 1.0 to 10.0", v);
		return -EINVAL;
	}
	if (!given && !region && env && *env)
		region = env;
	if (!given && !region)
		given = ga_config_get(gi->cfg, GA_CFG_INTENSITY, NULL);
	if (!given)
		gi->live = ga_live_conf_load(&gi->conf, gi->cfg, region);
	if (!gi->live) {
		if (!given && !region)
			region = ga_config_get(gi->cfg, GA_CFG_REGION, NULL);
		if (ga_intensity_choose(given, region, &in, why, sizeof(why))) {
			snprintf(err, err_size, "%s", why);
			return -EINVAL;
		}
		gi->mg = in.mg_per_kwh;
		snprintf(gi->source, sizeof(gi->source), "%s", in.source);
		return 0;
	}
	if (ga_live_get(&gi->conf, GA_WANT_LATEST, ga_unix_ms(), &res)) {
		ga_live_print_failures(stderr, "greenai-exporter", &res);
		snprintf(err, err_size, "no grid intensity from any provider");
		return -EINVAL;
	}
	ga_live_print_failures(stderr, "greenai-exporter", &res);
	gi->series = res.series;
	gi->next_refresh_ms = ga_unix_ms() + gi->conf.refresh_ms;
	/* (a latest answer covers now: ga_live_get() saw to it) */
	if (ga_series_at(&gi->series, ga_unix_ms(), &gi->mg))
		gi->mg = gi->series.p[gi->series.n - 1].mg_per_kwh;
	snprintf(gi->source, sizeof(gi->source), "%s", gi->series.source);
	return 0;
}

/**
 * gx_intensity_tick() - after a sample: the figure in force now
 * @gi: the intensity
 * @st: the exporter's state; its counters get the new figure, if any
 */
void gx_intensity_tick(struct gx_intensity *gi, struct gx_state *st)
{
	struct ga_live_result res;
	int64_t now = ga_unix_ms();
	uint32_t mg;

	if (!gi->live)
		return;
	if (now >= gi->next_refresh_ms) {
		gi->next_refresh_ms = now + gi->conf.refresh_ms;
		if (!ga_live_get(&gi->conf, GA_WANT_LATEST, now, &res)) {
			ga_series_free(&gi->series);
			gi->series = res.series;
			gi->warned = 0;
		} else if (!gi->warned++) {
			ga_live_print_failures(stderr, "greenai-exporter", &res);
			fprintf(stderr, "greenai-exporter: no provider answered; %s stands\n",
				gi->source);
		}
	}
	if (ga_series_at(&gi->series, now, &mg))
		mg = gi->mg;	/* the last figure known */
	if (mg == gi->mg && !strcmp(gi->source, gi->series.source))
		return;
	gi->mg = mg;
	snprintf(gi->source, sizeof(gi->source), "%s", gi->series.source);
	pthread_mutex_lock(&st->lock);
	ga_wl_set_intensity(st->wl, mg, gi->source);
	pthread_mutex_unlock(&st->lock);
	fprintf(stderr, "greenai-exporter: grid intensity now %u.%03u g/kWh (%s)\n",
		mg / 1000, mg % 1000, gi->source);
}

void gx_intensity_free(struct gx_intensity *gi)
{
	ga_series_free(&gi->series);
	free(gi->cfg);
}
