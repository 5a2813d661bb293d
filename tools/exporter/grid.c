// SPDX-License-Identifier: GPL-2.0
/*
 * The grid intensity greenai-exporter counts CO2e with (exporter.h): the
 * library's ga_grid, from the flags and greenai.conf (settings.h), the
 * figure in force looked up after each sample. When the figure changes,
 * what was counted so far keeps the figure it was counted at. Asking the
 * providers happens in the sampling loop: a provider that does not answer
 * holds the samples back by up to http_timeout (counting goes on at the
 * next one, over a longer interval).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "exporter.h"

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
	char why[GA_CONFIG_FROM_MAX + 256];
	int r;

	memset(gi, 0, sizeof(*gi));
	gi->cfg = calloc(1, sizeof(*gi->cfg));
	if (!gi->cfg || ga_config_load(gi->cfg, why, sizeof(why))) {
		snprintf(err, err_size, "%s", gi->cfg ? why : "out of memory");
		return -EINVAL;
	}
	if (gi->cfg->warning[0])
		fprintf(stderr, "greenai-exporter: warning: %s\n",
			gi->cfg->warning);
	if (ga_settings_pue(gi->cfg, pue, pue_milli, err, err_size))
		return -EINVAL;
	r = ga_grid_init(&gi->grid, gi->cfg, given, region, ga_unix_ms(), &res,
			 err, err_size);
	if (gi->grid.live)
		ga_live_print_failures(stderr, "greenai-exporter", &res);
	return r;
}

/**
 * gx_intensity_tick() - after a sample: the figure in force now
 * @gi: the intensity
 * @st: the exporter's state; its counters get the new figure, if any
 */
void gx_intensity_tick(struct gx_intensity *gi, struct gx_state *st)
{
	struct ga_grid *gr = &gi->grid;
	struct ga_live_result res;
	unsigned int t = ga_grid_tick(gr, ga_unix_ms(), &res);

	if (t & GA_GRID_FAILED) {
		ga_live_print_failures(stderr, "greenai-exporter", &res);
		fprintf(stderr, "greenai-exporter: no provider answered; %s stands\n",
			gr->source);
	}
	if (!(t & GA_GRID_CHANGED))
		return;
	pthread_mutex_lock(&st->lock);
	ga_wl_set_intensity(st->wl, gr->mg_per_kwh, gr->source);
	pthread_mutex_unlock(&st->lock);
	fprintf(stderr, "greenai-exporter: grid intensity now %u.%03u g/kWh (%s)\n",
		gr->mg_per_kwh / 1000, gr->mg_per_kwh % 1000, gr->source);
}

void gx_intensity_free(struct gx_intensity *gi)
{
	ga_grid_free(&gi->grid);
	free(gi->cfg);
}
