/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A grid intensity that changes with time: a series of points, each an
 * intensity (mg CO2e/kWh) in force from its time for its duration. The
 * intensity at a time is the point's whose span holds it; a time no point
 * covers has none (never a guess). Times are Unix milliseconds.
 *
 * A series comes from a forecast or history file (CSV or JSON, parsed
 * here), from a provider's answer (intensity_live.h), or from a single
 * figure that holds for all time (the embedded table, --intensity).
 *
 * Best window: the start s in [lo, hi] that gives the lowest mean
 * intensity over [s, s + d]. The mean is piecewise linear in s, with
 * corners only where s or s + d crosses the start of a point, so the
 * search tries those starts and lo and hi, and nothing else.
 */
#ifndef _GREENAI_INTENSITY_SERIES_H
#define _GREENAI_INTENSITY_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define GA_SERIES_MAX_POINTS	100000
#define GA_SERIES_FOREVER	INT64_MAX	/* the span of a constant */
#define GA_SERIES_NAME_MAX	160
#define GA_SERIES_GAP		UINT32_MAX	/* a point that is a gap */

struct ga_ipoint {
	int64_t t_ms;		/* from */
	int64_t dur_ms;		/* for; GA_SERIES_FOREVER: from then on */
	uint32_t mg_per_kwh;
};

struct ga_iseries {
	struct ga_ipoint *p;	/* by time, not overlapping */
	size_t n, cap;
	char source[GA_SERIES_NAME_MAX];	/* who says so */
};

void ga_series_init(struct ga_iseries *s);
void ga_series_free(struct ga_iseries *s);
int ga_series_add(struct ga_iseries *s, int64_t t_ms, int64_t dur_ms,
		  uint32_t mg_per_kwh);
int ga_series_constant(struct ga_iseries *s, uint32_t mg_per_kwh);
int ga_series_finish(struct ga_iseries *s, char *err, size_t err_size);

int ga_series_at(const struct ga_iseries *s, int64_t t_ms,
		 uint32_t *mg_per_kwh);
int ga_series_next_change(const struct ga_iseries *s, int64_t t_ms,
			  int64_t *next_ms);
int64_t ga_series_end(const struct ga_iseries *s);
int ga_series_mean(const struct ga_iseries *s, int64_t from_ms, int64_t to_ms,
		   double *mg_per_kwh);
int ga_series_best_window(const struct ga_iseries *s, int64_t lo_ms,
			  int64_t hi_ms, int64_t dur_ms, int64_t *start_ms,
			  double *mean_mg);

int ga_time_parse(const char *text, int64_t *unix_ms);
void ga_time_format(int64_t unix_ms, char *buf, size_t size);
#define GA_DURATION_MAX_MS	(366LL * 86400 * 1000)	/* a year */
#define GA_DURATION_LONGEST_MS	(36525LL * 86400 * 1000)	/* a century */
int ga_duration_parse(const char *text, int64_t *ms);
int ga_duration_parse_max(const char *text, int64_t max_ms, int64_t *ms);

int ga_series_parse_csv(struct ga_iseries *s, const char *text, size_t len,
			char *err, size_t err_size);
int ga_series_parse_json(struct ga_iseries *s, const char *text, size_t len,
			 char *err, size_t err_size);
int ga_series_parse(struct ga_iseries *s, const char *text, size_t len,
		    char *err, size_t err_size);

#endif /* _GREENAI_INTENSITY_SERIES_H */
