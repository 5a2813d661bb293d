/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a grid intensity comes from, live: a chain of providers tried in
 * order, the first that answers wins, and the answer says which it was and
 * why each before it failed.
 *
 *   electricitymaps  the Electricity Maps API v3: carbon-intensity/latest,
 *                    /history and /forecast?zone=Z, the token in an
 *                    "auth-token" header (from ELECTRICITYMAPS_TOKEN or the
 *                    configuration, never a flag: flags are seen by all)
 *   carbonaware      the Green Software Foundation's Carbon Aware SDK
 *                    WebAPI: /emissions/bylocation?location=L and
 *                    /emissions/forecasts/current?location=L, whose best
 *                    window is read under either of its spellings,
 *                    optimalDataPoints (a list) or optimalDataPoint
 *   file             a forecast or history file, CSV or JSON
 *                    (intensity_series.h), its times moved by an offset
 *                    when one is set (a recorded forecast replayed)
 *   static           the embedded yearly average of the region (intensity.h)
 *
 * HTTP answers are kept on disk for a while (the cache), so that commands
 * run in a row ask once. Every answer is parsed whole or refused.
 */
#ifndef _GREENAI_INTENSITY_LIVE_H
#define _GREENAI_INTENSITY_LIVE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <greenai/intensity_series.h>

#define GA_EM_URL	"https://api.electricitymap.org/v3"
#define GA_LIVE_ERR_MAX	512

enum ga_provider {
	GA_PROV_ELECTRICITYMAPS,
	GA_PROV_CARBONAWARE,
	GA_PROV_FILE,
	GA_PROV_STATIC,
	GA_PROV_NR,
};

enum ga_want {
	GA_WANT_LATEST,		/* the figure now; the last one known holds */
	GA_WANT_FORECAST,	/* from now on */
	GA_WANT_HISTORY,	/* the past */
};

struct ga_live_conf {
	enum ga_provider order[GA_PROV_NR];
	unsigned int nr;
	const char *em_url, *em_token, *em_zone;
	const char *ca_url, *ca_location;
	const char *file;
	int64_t file_offset_ms;		/* added to the file's times */
	const char *region;		/* NULL: none given */
	unsigned int timeout_ms;
	unsigned int cache_ms;		/* 0: no cache */
	const char *cache_dir;		/* NULL: no cache */
	size_t max_bytes;		/* the largest answer taken */
	uint32_t refresh_ms;		/* how often a long run asks again */
	char cache_buf[4096];
};

struct ga_live_attempt {
	enum ga_provider p;
	char why[GA_LIVE_ERR_MAX];
};

struct ga_live_result {
	struct ga_iseries series;	/* its source says who */
	enum ga_provider used;
	int cached;			/* from the cache */
	struct ga_live_attempt failed[GA_PROV_NR];
	unsigned int nr_failed;
	/* the Carbon Aware SDK's own best window, when it gave one */
	int has_optimal;
	int64_t optimal_ms;
	int64_t optimal_dur_ms;
	uint32_t optimal_mg;
};

const char *ga_provider_name(enum ga_provider p);
int ga_live_parse_order(const char *text, enum ga_provider *order,
			unsigned int *nr);
int ga_live_parse_seconds(const char *text, uint32_t min_ms, uint32_t max_ms,
			  uint32_t *ms);
int ga_live_parse_offset(const char *text, int64_t *ms);
void ga_live_conf_default(struct ga_live_conf *c);
int ga_live_cache_dir(char *buf, size_t size);
int ga_live_get(const struct ga_live_conf *c, enum ga_want want,
		int64_t now_ms, struct ga_live_result *res);
void ga_live_result_free(struct ga_live_result *res);
void ga_live_print_failures(FILE *f, const char *prog,
			    const struct ga_live_result *res);

int ga_carbonaware_optimal(const char *text, size_t len, int64_t *start_ms,
			   int64_t *dur_ms, uint32_t *mg_per_kwh);

#endif /* _GREENAI_INTENSITY_LIVE_H */
