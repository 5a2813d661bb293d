// SPDX-License-Identifier: GPL-2.0
/*
 * A grid intensity that changes with time (intensity_series.h): the
 * series, the figure in force at a time, means, the best window, and the
 * CSV and JSON files a forecast or history comes in.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include <greenai/intensity.h>
#include <greenai/intensity_series.h>

#define GA_SERIES_JSON_DEPTH	16

void ga_series_init(struct ga_iseries *s)
{
	memset(s, 0, sizeof(*s));
}

void ga_series_free(struct ga_iseries *s)
{
	free(s->p);
	ga_series_init(s);
}

/**
 * ga_series_add() - a point, in any order (ga_series_finish() sorts)
 * @s: the series
 * @t_ms: from when
 * @dur_ms: for how long; 0 when the source does not say (then until the
 *	    next point), GA_SERIES_FOREVER for from then on
 * @mg_per_kwh: the intensity
 *
 * Return: 0, -EINVAL for a negative duration or an intensity over
 * GA_INTENSITY_MAX_MG, -E2BIG past GA_SERIES_MAX_POINTS, -ENOMEM.
 */
int ga_series_add(struct ga_iseries *s, int64_t t_ms, int64_t dur_ms,
		  uint32_t mg_per_kwh)
{
	if (dur_ms < 0 || (mg_per_kwh > GA_INTENSITY_MAX_MG &&
			   mg_per_kwh != GA_SERIES_GAP))
		return -EINVAL;
	if (s->n == GA_SERIES_MAX_POINTS)
		return -E2BIG;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct ga_ipoint *p = reallocarray(s->p, cap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->p = p;
		s->cap = cap;
	}
	s->p[s->n++] = (struct ga_ipoint){ t_ms, dur_ms, mg_per_kwh };
	return 0;
}

/* A figure in force at all times: the table's, or the user's. */
int ga_series_constant(struct ga_iseries *s, uint32_t mg_per_kwh)
{
	s->n = 0;
	return ga_series_add(s, INT64_MIN, GA_SERIES_FOREVER, mg_per_kwh);
}

static int ga_point_cmp(const void *a, const void *b)
{
	const struct ga_ipoint *x = a, *y = b;

	return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

/* The end of @p's span, saturated. */
static int64_t ga_point_end(const struct ga_ipoint *p)
{
	if (p->dur_ms == GA_SERIES_FOREVER || p->t_ms > INT64_MAX - p->dur_ms)
		return INT64_MAX;
	return p->t_ms + p->dur_ms;
}

/**
 * ga_series_finish() - sort, and give each point its span
 * @s: the series, at least one point
 * @err: why not, for people
 * @err_size: its size
 *
 * A point without a duration lasts until the next; the last one without
 * a duration lasts as long as the one before it (a forecast's step), or
 * forever when it is alone (a "latest" figure). A point that runs into
 * the next is cut where the next starts. A gap (GA_SERIES_GAP: a null in
 * the source) ends the point before it and is then dropped. Two points at
 * one time are an error.
 *
 * Return: 0 or -EINVAL.
 */
int ga_series_finish(struct ga_iseries *s, char *err, size_t err_size)
{
	char when[32];
	size_t i;

	size_t kept;

	if (!s->n) {
		snprintf(err, err_size, "no intensity in it");
		return -EINVAL;
	}
	qsort(s->p, s->n, sizeof(*s->p), ga_point_cmp);
	for (i = 0; i + 1 < s->n; i++) {
		struct ga_ipoint *p = &s->p[i];
		int64_t gap = s->p[i + 1].t_ms - p->t_ms;

		if (!gap) {
			ga_time_format(p->t_ms, when, sizeof(when));
			snprintf(err, err_size, "two intensities for %s",
				 when);
			return -EINVAL;
		}
		if (!p->dur_ms || p->dur_ms > gap)
			p->dur_ms = gap;
	}
	if (!s->p[i].dur_ms)
		s->p[i].dur_ms = i ? s->p[i - 1].dur_ms : GA_SERIES_FOREVER;
	/* a gap (a null in the source) has ended the point before it */
	for (i = kept = 0; i < s->n; i++)
		if (s->p[i].mg_per_kwh != GA_SERIES_GAP)
			s->p[kept++] = s->p[i];
	s->n = kept;
	if (!s->n) {
		snprintf(err, err_size, "no intensity in it");
		return -EINVAL;
	}
	return 0;
}

/* The last point that starts at or before @t_ms, or -1. */
static ssize_t ga_series_find(const struct ga_iseries *s, int64_t t_ms)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->p[mid].t_ms <= t_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/**
 * ga_series_at() - the intensity in force at a time
 * @s: a finished series
 * @t_ms: the time
 * @mg_per_kwh: the figure
 *
 * Return: 0, or -ENOENT when no point covers @t_ms.
 */
int ga_series_at(const struct ga_iseries *s, int64_t t_ms,
		 uint32_t *mg_per_kwh)
{
	ssize_t i = ga_series_find(s, t_ms);

	if (i < 0 || t_ms >= ga_point_end(&s->p[i]))
		return -ENOENT;
	*mg_per_kwh = s->p[i].mg_per_kwh;
	return 0;
}

/**
 * ga_series_next_change() - when the figure in force at a time next
 * changes (or stops being known)
 * @s: a finished series
 * @t_ms: the time
 * @next_ms: the first time after @t_ms where a point starts or ends
 *
 * Return: 0, or -ENOENT when nothing changes after @t_ms.
 */
int ga_series_next_change(const struct ga_iseries *s, int64_t t_ms,
			  int64_t *next_ms)
{
	ssize_t i = ga_series_find(s, t_ms);
	int64_t end;

	if (i >= 0) {
		end = ga_point_end(&s->p[i]);
		if (end > t_ms && end != INT64_MAX) {
			if ((size_t)i + 1 < s->n && s->p[i + 1].t_ms < end)
				end = s->p[i + 1].t_ms;
			*next_ms = end;
			return 0;
		}
	}
	if ((size_t)(i + 1) < s->n) {
		*next_ms = s->p[i + 1].t_ms;
		return 0;
	}
	return -ENOENT;
}

/* Where the last point's span ends (INT64_MAX: never). */
int64_t ga_series_end(const struct ga_iseries *s)
{
	return s->n ? ga_point_end(&s->p[s->n - 1]) : INT64_MIN;
}

/*
 * The integral of the intensity over [@from, @to), in mg/kWh x ms, into
 * @sum. Return: 0, or -ENOENT when a part of it is not covered.
 */
static int ga_series_integral(const struct ga_iseries *s, int64_t from,
			      int64_t to, __int128 *sum)
{
	ssize_t i = ga_series_find(s, from);
	int64_t t = from;

	*sum = 0;
	if (i < 0)
		return -ENOENT;
	for (; t < to; i++) {
		int64_t end;

		if ((size_t)i >= s->n || s->p[i].t_ms > t)
			return -ENOENT;
		end = ga_point_end(&s->p[i]);
		if (end <= t)
			return -ENOENT;
		if (end > to)
			end = to;
		*sum += (__int128)(end - t) * s->p[i].mg_per_kwh;
		t = end;
	}
	return 0;
}

/**
 * ga_series_mean() - the time-weighted mean intensity over [from, to)
 * @s: a finished series
 * @from_ms: from
 * @to_ms: to, after @from_ms
 * @mg_per_kwh: the mean
 *
 * Return: 0, -EINVAL for an empty span, -ENOENT when a part of it is not
 * covered.
 */
int ga_series_mean(const struct ga_iseries *s, int64_t from_ms, int64_t to_ms,
		   double *mg_per_kwh)
{
	__int128 sum;
	int r;

	if (to_ms <= from_ms)
		return -EINVAL;
	r = ga_series_integral(s, from_ms, to_ms, &sum);
	if (!r)
		*mg_per_kwh = (double)sum / (double)(to_ms - from_ms);
	return r;
}

/* Try @start for the best window; the earliest of equals wins. */
static void ga_window_try(const struct ga_iseries *s, int64_t start,
			  int64_t lo, int64_t hi, int64_t dur, int *found,
			  int64_t *best, __int128 *best_sum)
{
	__int128 sum;

	if (start < lo || start > hi || start > INT64_MAX - dur)
		return;
	if (ga_series_integral(s, start, start + dur, &sum))
		return;
	if (!*found || sum < *best_sum ||
	    (sum == *best_sum && start < *best)) {
		*found = 1;
		*best = start;
		*best_sum = sum;
	}
}

/**
 * ga_series_best_window() - the start with the lowest mean intensity
 * @s: a finished series
 * @lo_ms: the earliest start
 * @hi_ms: the latest start, at or after @lo_ms
 * @dur_ms: the job's length, over 0
 * @start_ms: the best start (the earliest of equals)
 * @mean_mg: its mean intensity
 *
 * Only windows the series covers whole count.
 *
 * Return: 0, -EINVAL for bad bounds, -ENOENT when no window in the bounds
 * is covered.
 */
int ga_series_best_window(const struct ga_iseries *s, int64_t lo_ms,
			  int64_t hi_ms, int64_t dur_ms, int64_t *start_ms,
			  double *mean_mg)
{
	__int128 best_sum = 0;
	int64_t best = 0;
	int found = 0;
	size_t i;

	if (dur_ms <= 0 || hi_ms < lo_ms)
		return -EINVAL;
	ga_window_try(s, lo_ms, lo_ms, hi_ms, dur_ms, &found, &best,
		      &best_sum);
	ga_window_try(s, hi_ms, lo_ms, hi_ms, dur_ms, &found, &best,
		      &best_sum);
	for (i = 0; i < s->n; i++) {
		int64_t edge[2] = { s->p[i].t_ms, ga_point_end(&s->p[i]) };
		int k;

		for (k = 0; k < 2; k++) {
			if (edge[k] == INT64_MIN || edge[k] == INT64_MAX)
				continue;
			ga_window_try(s, edge[k], lo_ms, hi_ms, dur_ms, &found,
				      &best, &best_sum);
			if (edge[k] >= INT64_MIN + dur_ms)
				ga_window_try(s, edge[k] - dur_ms, lo_ms,
					      hi_ms, dur_ms, &found, &best,
					      &best_sum);
		}
	}
	if (!found)
		return -ENOENT;
	*start_ms = best;
	*mean_mg = (double)best_sum / (double)dur_ms;
	return 0;
}

/* @n digits at @p into @v. */
static int ga_digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n--) {
		if (!isdigit((unsigned char)**p))
			return -EINVAL;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return 0;
}

/**
 * ga_time_parse() - a time as sources write it
 * @text: RFC 3339 ("2026-12-06T10:00:00Z", with 'T' or ' ', optional
 *	  fraction, 'Z' or an offset "+01:00"; seconds may be left out), or
 *	  Unix seconds ("1765015200")
 * @unix_ms: the time
 *
 * A time without a zone is refused: it could be anywhere.
 *
 * Return: 0 or -EINVAL.
 */
int ga_time_parse(const char *text, int64_t *unix_ms)
{
	const char *p = text;
	int y, mo, d, h, mi, sec = 0, oh, om, sign;
	int64_t ms = 0, scale = 100;
	struct tm tm = { 0 };
	time_t t;

	if (isdigit((unsigned char)*p) && !strchr(text, '-') &&
	    !strchr(text, ':')) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(text, &end, 10);
		if (*end || errno || v < 0 || v > 253402300799LL)
			return -EINVAL;
		*unix_ms = v * 1000;
		return 0;
	}
	if (ga_digits(&p, 4, &y) || *p++ != '-' || ga_digits(&p, 2, &mo) ||
	    *p++ != '-' || ga_digits(&p, 2, &d) || (*p != 'T' && *p != ' ' &&
						    *p != 't') ||
	    (p++, ga_digits(&p, 2, &h)) || *p++ != ':' ||
	    ga_digits(&p, 2, &mi))
		return -EINVAL;
	if (*p == ':') {
		p++;
		if (ga_digits(&p, 2, &sec))
			return -EINVAL;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			for (; isdigit((unsigned char)*p); p++, scale /= 10)
				ms += (*p - '0') * scale;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	if (*p == 'Z' || *p == 'z') {
		p++;
		oh = om = sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (ga_digits(&p, 2, &oh) || *p++ != ':' ||
		    ga_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d)
		return -EINVAL;	/* 31 February */
	*unix_ms = ((int64_t)t - sign * (oh * 3600 + om * 60)) * 1000 + ms;
	return 0;
}

/* @unix_ms as RFC 3339 in UTC, to the second: "2026-12-06T10:00:00Z". */
void ga_time_format(int64_t unix_ms, char *buf, size_t size)
{
	time_t t = (time_t)(unix_ms / 1000 - (unix_ms % 1000 < 0));
	struct tm tm;

	if (unix_ms == INT64_MIN || unix_ms == INT64_MAX ||
	    !gmtime_r(&t, &tm)) {
		snprintf(buf, size, unix_ms == INT64_MAX ? "forever" :
							   "always");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/**
 * ga_duration_parse() - a length of time as a user writes it
 * @text: numbers each with a unit, s, m, h or d ("2h", "1h30m", "90s"),
 *	  or "HH:MM:SS" as the Carbon Aware SDK writes it
 * @ms: the length
 *
 * Return: 0, or -EINVAL for anything else, nothing, or over a year.
 */
int ga_duration_parse(const char *text, int64_t *ms)
{
	return ga_duration_parse_max(text, GA_DURATION_MAX_MS, ms);
}

/**
 * ga_duration_parse_max() - ga_duration_parse() up to another limit
 * @text: as ga_duration_parse()
 * @max_ms: the longest taken, at most GA_DURATION_LONGEST_MS
 * @ms: the length
 *
 * Return: 0, or -EINVAL for anything else, nothing, or over @max_ms.
 */
int ga_duration_parse_max(const char *text, int64_t max_ms, int64_t *ms)
{
	const char *p = text;
	int64_t total = 0;
	int h, m, s;

	if (max_ms > GA_DURATION_LONGEST_MS)
		max_ms = GA_DURATION_LONGEST_MS;
	if (strlen(text) >= 8 && text[2] == ':') {
		if (ga_digits(&p, 2, &h) || *p++ != ':' ||
		    ga_digits(&p, 2, &m) || *p++ != ':' ||
		    ga_digits(&p, 2, &s) || *p || m > 59 || s > 59)
			return -EINVAL;
		total = ((int64_t)h * 3600 + m * 60 + s) * 1000;
		if (total > max_ms)
			return -EINVAL;
		*ms = total;
		return 0;
	}
	if (!*p)
		return -EINVAL;
	while (*p) {
		int64_t v = 0, unit;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			v = v * 10 + (*p - '0');
			if (v > max_ms / 1000)
				return -EINVAL;
		}
		switch (*p++) {
		case 's':
			unit = 1000;
			break;
		case 'm':
			unit = 60 * 1000;
			break;
		case 'h':
			unit = 3600 * 1000;
			break;
		case 'd':
			unit = 86400 * 1000;
			break;
		default:
			return -EINVAL;
		}
		total += v * unit;
		if (total > max_ms)
			return -EINVAL;
	}
	*ms = total;
	return 0;
}

/* A line of CSV without its end, NUL-terminated in @buf. */
static int ga_csv_line(struct ga_iseries *s, char *line, unsigned int nr,
		       int *header_ok, char *err, size_t err_size)
{
	char *f[3], *save = NULL, *tok;
	int64_t t, dur = 0;
	unsigned int n = 0, i;
	uint32_t mg;

	for (tok = strtok_r(line, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == 3)
			goto bad;
		f[n++] = tok;
	}
	for (i = 0; i < n; i++) {
		char *e;

		while (*f[i] == ' ' || *f[i] == '\t' || *f[i] == '"')
			f[i]++;
		for (e = f[i] + strlen(f[i]); e > f[i] &&
		     (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"');)
			*--e = '\0';
	}
	if (n < 2)
		goto bad;
	if (*header_ok && isalpha((unsigned char)f[0][0])) {
		*header_ok = 0;
		return 0;	/* "timestamp,intensity" */
	}
	*header_ok = 0;
	if (ga_time_parse(f[0], &t)) {
		snprintf(err, err_size, "line %u: '%.40s' is not a time (RFC 3339 with a zone, or Unix seconds)",
			 nr, f[0]);
		return -EINVAL;
	}
	if (ga_intensity_parse_g(f[1], &mg)) {
		snprintf(err, err_size, "line %u: '%.40s' is not g CO2e/kWh",
			 nr, f[1]);
		return -EINVAL;
	}
	if (n == 3 && (ga_duration_parse(f[2], &dur) || !dur)) {
		snprintf(err, err_size, "line %u: '%.40s' is not a duration",
			 nr, f[2]);
		return -EINVAL;
	}
	if (ga_series_add(s, t, dur, mg)) {
		snprintf(err, err_size, "line %u: too many points", nr);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, err_size, "line %u: not 'time,g/kWh[,duration]'", nr);
	return -EINVAL;
}

/**
 * ga_series_parse_csv() - a forecast or history as CSV
 * @s: the series, filled and finished
 * @text: lines "time,intensity[,duration]": time as ga_time_parse(),
 *	  intensity in g CO2e/kWh, duration as ga_duration_parse(); a first
 *	  line of names, blank lines and '#' comments are skipped
 * @len: its length
 * @err: why not, for people
 * @err_size: its size
 *
 * Return: 0, or -EINVAL (nothing of it kept).
 */
int ga_series_parse_csv(struct ga_iseries *s, const char *text, size_t len,
			char *err, size_t err_size)
{
	unsigned int nr = 0;
	int header_ok = 1, r = 0;
	size_t off = 0;
	char line[512];

	s->n = 0;
	while (off < len && !r) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = (nl ? (size_t)(nl - text) : len) - off;

		nr++;
		if (n >= sizeof(line)) {
			snprintf(err, err_size, "line %u: too long", nr);
			r = -EINVAL;
			break;
		}
		memcpy(line, text + off, n);
		line[n] = '\0';
		off += n + 1;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (memchr(line, '\0', n)) {
			snprintf(err, err_size, "line %u: a NUL byte", nr);
			r = -EINVAL;
		} else if (n && line[0] != '#') {
			r = ga_csv_line(s, line, nr, &header_ok, err,
					err_size);
		}
	}
	r = r ?: ga_series_finish(s, err, err_size);
	if (r)
		s->n = 0;
	return r;
}

static json_object *ga_json_field(json_object *o, const char *const *names)
{
	json_object *v;

	for (; *names; names++)
		if (json_object_object_get_ex(o, *names, &v))
			return v;
	return NULL;
}

/* One JSON object of a series into @s; nulls are gaps (return 0). */
static int ga_json_point(struct ga_iseries *s, json_object *o, size_t idx,
			 char *err, size_t err_size)
{
	static const char *const time_keys[] = { "datetime", "timestamp",
						 "time", NULL };
	static const char *const value_keys[] = { "carbonIntensity",
						  "intensity", "value",
						  "rating", NULL };
	json_object *t, *v, *d;
	int64_t when, dur = 0;
	double g;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, err_size, "point %zu: not an object", idx);
		return -EINVAL;
	}
	t = ga_json_field(o, time_keys);
	v = ga_json_field(o, value_keys);
	if (!t || !json_object_is_type(t, json_type_string) ||
	    ga_time_parse(json_object_get_string(t), &when)) {
		snprintf(err, err_size, "point %zu: no time (datetime, timestamp or time, RFC 3339)",
			 idx);
		return -EINVAL;
	}
	if (!v || json_object_is_type(v, json_type_null))
		return ga_series_add(s, when, 0, GA_SERIES_GAP) ? -EINVAL : 0;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		snprintf(err, err_size, "point %zu: the intensity is not a number",
			 idx);
		return -EINVAL;
	}
	g = json_object_get_double(v);
	if (!(g >= 0 && g <= GA_INTENSITY_MAX_MG / 1000.0)) {
		snprintf(err, err_size, "point %zu: intensity %g g/kWh is out of range",
			 idx, g);
		return -EINVAL;
	}
	if (json_object_object_get_ex(o, "duration", &d)) {
		/* minutes (forecasts), or "HH:MM:SS" (emissions) */
		if (json_object_is_type(d, json_type_int) &&
		    json_object_get_int64(d) > 0 &&
		    json_object_get_int64(d) <= 366 * 24 * 60)
			dur = json_object_get_int64(d) * 60000;
		else if (!json_object_is_type(d, json_type_string) ||
			 ga_duration_parse(json_object_get_string(d), &dur))
			dur = -1;
		if (dur <= 0) {
			snprintf(err, err_size, "point %zu: a bad duration",
				 idx);
			return -EINVAL;
		}
	}
	if (ga_series_add(s, when, dur, (uint32_t)(g * 1000 + 0.5))) {
		snprintf(err, err_size, "too many points");
		return -EINVAL;
	}
	return 0;
}

/* The array of points in @o: itself, or a member that holds them. */
static json_object *ga_json_points(json_object *o)
{
	static const char *const list_keys[] = { "forecast", "history",
						 "forecastData", "data",
						 "emissions", NULL };
	json_object *v;

	if (json_object_is_type(o, json_type_array)) {
		/* the Carbon Aware SDK: [ { "forecastData": [...] } ] */
		v = json_object_array_length(o) ?
			    json_object_array_get_idx(o, 0) : NULL;
		if (v && json_object_is_type(v, json_type_object) &&
		    json_object_object_get_ex(v, "forecastData", &v))
			return v;
		return o;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	v = ga_json_field(o, list_keys);
	return v ? v : o;	/* a single point: "latest" */
}

/**
 * ga_series_parse_json() - a forecast, history or latest figure as JSON
 * @s: the series, filled and finished
 * @text: an array of points, or an object with the array in forecast,
 *	  history, forecastData, data or emissions, or a single point; a
 *	  point is an object with its time in datetime, timestamp or time
 *	  and its intensity (g CO2e/kWh, a number; null is a gap: no
 *	  intensity from then until the next point) in
 *	  carbonIntensity, intensity, value or rating, and an optional
 *	  duration (minutes, or "HH:MM:SS"). Electricity Maps' and the
 *	  Carbon Aware SDK's answers are of these shapes.
 * @len: its length
 * @err: why not, for people
 * @err_size: its size
 *
 * Return: 0, or -EINVAL (nothing of it kept).
 */
int ga_series_parse_json(struct ga_iseries *s, const char *text, size_t len,
			 char *err, size_t err_size)
{
	struct json_tokener *tok;
	json_object *o = NULL, *pts;
	int r = -EINVAL;
	size_t i;

	s->n = 0;
	if (len > INT32_MAX) {
		snprintf(err, err_size, "too big");
		return -EINVAL;
	}
	tok = json_tokener_new_ex(GA_SERIES_JSON_DEPTH);
	if (!tok) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len) {
		size_t at = json_tokener_get_parse_end(tok);

		while (at < len && isspace((unsigned char)text[at]))
			at++;
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    at < len) {
			snprintf(err, err_size, "malformed JSON at byte %zu",
				 json_tokener_get_parse_end(tok));
			goto out;
		}
	}
	pts = ga_json_points(o);
	if (!pts) {
		snprintf(err, err_size, "not a series of intensities");
		goto out;
	}
	if (json_object_is_type(pts, json_type_object)) {
		r = ga_json_point(s, pts, 0, err, err_size);
	} else if (!json_object_is_type(pts, json_type_array)) {
		snprintf(err, err_size, "not a series of intensities");
	} else {
		r = 0;
		for (i = 0; i < json_object_array_length(pts) && !r; i++)
			r = ga_json_point(s, json_object_array_get_idx(pts, i),
					  i, err, err_size);
	}
	r = r ?: ga_series_finish(s, err, err_size);
out:
	if (r)
		s->n = 0;
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}

/* CSV or JSON, told apart by the first byte that is not a blank. */
int ga_series_parse(struct ga_iseries *s, const char *text, size_t len,
		    char *err, size_t err_size)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && (text[i] == '[' || text[i] == '{'))
		return ga_series_parse_json(s, text, len, err, err_size);
	return ga_series_parse_csv(s, text, len, err, err_size);
}
