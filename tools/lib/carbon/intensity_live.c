// SPDX-License-Identifier: GPL-2.0
/*
 * The chain of intensity providers (intensity_live.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include <greenai/files.h>
#include <greenai/intensity.h>
#include <greenai/intensity_live.h>

#include "base/decimal.h"
#include "carbon/http_get.h"

static const char *const ga_provider_names[GA_PROV_NR] = {
	[GA_PROV_ELECTRICITYMAPS] = "electricitymaps",
	[GA_PROV_CARBONAWARE] = "carbonaware",
	[GA_PROV_FILE] = "file",
	[GA_PROV_STATIC] = "static",
};

const char *ga_provider_name(enum ga_provider p)
{
	return (unsigned int)p < GA_PROV_NR ? ga_provider_names[p] : "?";
}

/**
 * ga_live_parse_order() - a list of providers, "electricitymaps, static"
 * @text: names, comma-separated, blanks around them allowed
 * @order: filled (may be NULL: only checked)
 * @nr: how many
 *
 * Return: 0, or -EINVAL for an unknown name, one twice, or none.
 */
int ga_live_parse_order(const char *text, enum ga_provider *order,
			unsigned int *nr)
{
	unsigned int seen = 0, n = 0, k;
	const char *p = text;

	while (*p) {
		const char *start, *end;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		for (end = p; end > start && (end[-1] == ' ' ||
					      end[-1] == '\t');)
			end--;
		len = end - start;
		for (k = 0; k < GA_PROV_NR; k++)
			if (len == strlen(ga_provider_names[k]) &&
			    !strncmp(start, ga_provider_names[k], len))
				break;
		if (k == GA_PROV_NR || (seen & (1u << k)))
			return -EINVAL;
		seen |= 1u << k;
		if (order)
			order[n] = k;
		n++;
		if (*p == ',' && !*++p)
			return -EINVAL;	/* "static," */
	}
	if (!n)
		return -EINVAL;
	*nr = n;
	return 0;
}

/**
 * ga_live_parse_seconds() - seconds, up to 3 decimals, into ms
 * @text: "10", "0.5"
 * @min_ms: the least allowed
 * @max_ms: the most allowed
 * @ms: the value
 *
 * Return: 0 or -EINVAL.
 */
int ga_live_parse_seconds(const char *text, uint32_t min_ms, uint32_t max_ms,
			  uint32_t *ms)
{
	uint64_t v;

	if (ga_parse_milli(text, max_ms, &v) || v < min_ms)
		return -EINVAL;
	*ms = (uint32_t)v;
	return 0;
}

/**
 * ga_live_parse_offset() - how far a file's times are moved
 * @text: a length as ga_duration_parse() reads it ("61229s", "1d2h"),
 *	  up to a century, after an optional '-' (back in time) or '+'
 * @ms: the offset
 *
 * Return: 0 or -EINVAL.
 */
int ga_live_parse_offset(const char *text, int64_t *ms)
{
	int64_t v;
	int neg = text[0] == '-';

	if (text[0] == '-' || text[0] == '+')
		text++;
	if (ga_duration_parse_max(text, GA_DURATION_LONGEST_MS, &v))
		return -EINVAL;
	*ms = neg ? -v : v;
	return 0;
}

void ga_live_conf_default(struct ga_live_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->order[0] = GA_PROV_STATIC;
	c->nr = 1;
	c->em_url = GA_EM_URL;
	c->timeout_ms = 10000;
	c->cache_ms = 300000;
	c->refresh_ms = 300000;
	c->max_bytes = GA_HTTP_BODY_MAX;
}

/*
 * Where HTTP answers are kept: $GREENAI_CACHE_DIR, else /var/cache/greenai
 * for root, else $XDG_CACHE_HOME/greenai (~/.cache/greenai).
 */
int ga_live_cache_dir(char *buf, size_t size)
{
	const char *env = getenv("GREENAI_CACHE_DIR"), *home;
	int n;

	if (env && env[0] == '/')
		n = snprintf(buf, size, "%s", env);
	else if (!geteuid())
		n = snprintf(buf, size, "/var/cache/greenai");
	else if ((env = getenv("XDG_CACHE_HOME")) && env[0] == '/')
		n = snprintf(buf, size, "%s/greenai", env);
	else if ((home = getenv("HOME")) && home[0] == '/')
		n = snprintf(buf, size, "%s/.cache/greenai", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static uint64_t ga_fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static void ga_cache_path(const struct ga_live_conf *c, enum ga_provider p,
			  const char *url, char *path, size_t size)
{
	snprintf(path, size, "%s/%s-%016llx.json", c->cache_dir,
		 ga_provider_name(p), (unsigned long long)ga_fnv1a(url));
}

/* A fresh answer for @url from the cache, or -ENOENT. */
static int ga_cache_get(const struct ga_live_conf *c, enum ga_provider p,
			const char *url, char **body, size_t *len)
{
	char path[4096 + 64];
	struct stat st;

	if (!c->cache_dir || !c->cache_ms)
		return -ENOENT;
	ga_cache_path(c, p, url, path, sizeof(path));
	if (stat(path, &st) || !S_ISREG(st.st_mode) ||
	    (int64_t)time(NULL) * 1000 - (int64_t)st.st_mtime * 1000 >=
		    (int64_t)c->cache_ms ||
	    st.st_mtime > time(NULL) + 1)
		return -ENOENT;
	return ga_read_file(path, c->max_bytes, body, len) ? -ENOENT : 0;
}

/* Keep @body for @url; a cache that cannot be written is no cache. */
static void ga_cache_put(const struct ga_live_conf *c, enum ga_provider p,
			 const char *url, const char *body, size_t len)
{
	char path[4096 + 64];

	if (!c->cache_dir || !c->cache_ms)
		return;
	if (mkdir(c->cache_dir, 0755) && errno != EEXIST)
		return;
	ga_cache_path(c, p, url, path, sizeof(path));
	ga_write_atomic(path, body, len, 0644);
}

/* Drop a cached answer that turned out to be bad. */
static void ga_cache_drop(const struct ga_live_conf *c, enum ga_provider p,
			  const char *url)
{
	char path[4096 + 64];

	if (!c->cache_dir)
		return;
	ga_cache_path(c, p, url, path, sizeof(path));
	unlink(path);
}

/* What an HTTP provider is asked, and where. */
struct ga_live_target {
	const char *name;	/* for people */
	const char *base;	/* its base URL */
	const char *what;	/* "zone" or "location" */
	const char *where;	/* which; NULL: none set */
	const char *key;	/* the setting that names it */
};

static void ga_live_target(const struct ga_live_conf *c, enum ga_provider p,
			   struct ga_live_target *t)
{
	if (p == GA_PROV_ELECTRICITYMAPS)
		*t = (struct ga_live_target){ "Electricity Maps", c->em_url,
					      "zone",
					      c->em_zone ?: c->region,
					      "electricitymaps_zone" };
	else
		*t = (struct ga_live_target){ "Carbon Aware SDK", c->ca_url,
					      "location",
					      c->ca_location ?: c->region,
					      "carbonaware_location" };
}

/*
 * The provider's URL for @want, or an error in @why. Return: 0 or -EINVAL.
 */
static int ga_live_url(const struct ga_live_conf *c, enum ga_provider p,
		       enum ga_want want, int64_t now_ms, char *url,
		       size_t size, char *why, size_t why_size)
{
	static const char *const em_kind[] = { "latest", "forecast",
					       "history" };
	struct ga_live_target t;
	char from[32], to[32];
	char *esc;

	ga_live_target(c, p, &t);
	if (p == GA_PROV_ELECTRICITYMAPS && !c->em_token) {
		snprintf(why, why_size, "no token (ELECTRICITYMAPS_TOKEN, or electricitymaps_token in greenai.conf)");
		return -EINVAL;
	}
	if (!t.base) {
		snprintf(why, why_size, "no URL (carbonaware_url in greenai.conf)");
		return -EINVAL;
	}
	if (!t.where) {
		snprintf(why, why_size, "no %s (--region, GREENAI_REGION, or %s in greenai.conf)",
			 t.what, t.key);
		return -EINVAL;
	}
	esc = ga_http_escape(t.where);
	if (!esc) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	if (p == GA_PROV_ELECTRICITYMAPS) {
		snprintf(url, size, "%s/carbon-intensity/%s?zone=%s", t.base,
			 em_kind[want], esc);
	} else if (want == GA_WANT_FORECAST) {
		snprintf(url, size, "%s/emissions/forecasts/current?location=%s",
			 t.base, esc);
	} else {
		/* to the next 5 minutes: a URL the cache can find again */
		int64_t end = (now_ms / 300000 + 1) * 300000;

		ga_time_format(end - 24 * 3600 * 1000LL, from, sizeof(from));
		ga_time_format(end, to, sizeof(to));
		snprintf(url, size,
			 "%s/emissions/bylocation?location=%s&time=%s&toTime=%s",
			 t.base, esc, from, to);
	}
	free(esc);
	return 0;
}

/* An HTTP provider's series, from the cache or the network. */
static int ga_live_http(const struct ga_live_conf *c, enum ga_provider p,
			enum ga_want want, int64_t now_ms,
			struct ga_live_result *res, char *why,
			size_t why_size)
{
	char url[8192], tok[4096 + 16], err[256];
	const char *headers[2] = { NULL, NULL };
	struct ga_live_target t;
	struct ga_http_answer a = { 0 };
	int r, cached;

	r = ga_live_url(c, p, want, now_ms, url, sizeof(url), why, why_size);
	if (r)
		return r;
	cached = !ga_cache_get(c, p, url, &a.body, &a.len);
	if (!cached) {
		if (p == GA_PROV_ELECTRICITYMAPS) {
			snprintf(tok, sizeof(tok), "auth-token: %s",
				 c->em_token);
			headers[0] = tok;
		}
		r = ga_http_get(url, headers, c->timeout_ms, c->max_bytes, &a,
				err, sizeof(err));
		if (r) {
			snprintf(why, why_size, "%s", err);
			return r;
		}
	}
	r = ga_series_parse_json(&res->series, a.body, a.len, err,
				 sizeof(err));
	if (r) {
		snprintf(why, why_size, "%s: %.200s",
			 cached ? "the cached answer" : "the answer", err);
		if (cached)
			ga_cache_drop(c, p, url);
	} else {
		if (!cached)
			ga_cache_put(c, p, url, a.body, a.len);
		res->cached = cached;
		if (p == GA_PROV_CARBONAWARE && want == GA_WANT_FORECAST)
			res->has_optimal = !ga_carbonaware_optimal(
				a.body, a.len, &res->optimal_ms,
				&res->optimal_dur_ms, &res->optimal_mg);
		ga_live_target(c, p, &t);
		snprintf(res->series.source, sizeof(res->series.source),
			 "%s %.80s, %s %.40s", t.name, t.base, t.what, t.where);
	}
	free(a.body);
	return r;
}

static int ga_live_file(const struct ga_live_conf *c,
			struct ga_live_result *res, char *why, size_t why_size)
{
	char err[256];
	size_t len, i;
	char *buf;
	int r;

	if (!c->file) {
		snprintf(why, why_size, "no file (intensity_file in greenai.conf)");
		return -EINVAL;
	}
	r = ga_read_file(c->file, c->max_bytes, &buf, &len);
	if (r) {
		snprintf(why, why_size, "%s: %s", c->file, strerror(-r));
		return r;
	}
	r = ga_series_parse(&res->series, buf, len, err, sizeof(err));
	free(buf);
	if (r) {
		snprintf(why, why_size, "%.200s: %s", c->file, err);
		return r;
	}
	/* a recorded series replayed: every point moved, none past the ends */
	/* of time (a century at most, by ga_live_parse_offset()) */
	for (i = 0; i < res->series.n; i++)
		res->series.p[i].t_ms += c->file_offset_ms;
	if (c->file_offset_ms)
		snprintf(res->series.source, sizeof(res->series.source),
			 "file %s, its times moved by %+.3f s", c->file,
			 c->file_offset_ms / 1000.0);
	else
		snprintf(res->series.source, sizeof(res->series.source),
			 "file %s", c->file);
	return 0;
}

static int ga_live_static(const struct ga_live_conf *c,
			  struct ga_live_result *res, char *why,
			  size_t why_size)
{
	struct ga_intensity in;
	int r;

	r = ga_intensity_region(c->region ? c->region : "WORLD", &in);
	if (r) {
		snprintf(why, why_size, "region '%s' is not in the embedded table",
			 c->region);
		return r;
	}
	r = ga_series_constant(&res->series, in.mg_per_kwh);
	if (!r)
		snprintf(res->series.source, sizeof(res->series.source),
			 "the embedded table, %s%s", in.region,
			 c->region ? "" : " (no region given)");
	return r;
}

/*
 * What @want needs of the series @s at @now: the figure now (the last
 * known one holds: a latest answer is a little old), or anything to come
 * (a forecast), or anything before (a history).
 */
static int ga_live_fit(struct ga_iseries *s, enum ga_want want,
		       int64_t now_ms, char *why, size_t why_size)
{
	char when[32];
	uint32_t mg;

	switch (want) {
	case GA_WANT_LATEST:
		if (!ga_series_at(s, now_ms, &mg))
			return 0;
		if (s->p[s->n - 1].t_ms <= now_ms) {
			s->p[s->n - 1].dur_ms = GA_SERIES_FOREVER;
			return 0;
		}
		break;
	case GA_WANT_FORECAST:
		if (ga_series_end(s) > now_ms)
			return 0;
		break;
	case GA_WANT_HISTORY:
		if (s->p[0].t_ms <= now_ms)
			return 0;
		break;
	}
	ga_time_format(now_ms, when, sizeof(when));
	snprintf(why, why_size, "no intensity %s %s in its answer",
		 want == GA_WANT_HISTORY ? "before" :
		 want == GA_WANT_FORECAST ? "after" : "for", when);
	return -ENOENT;
}

/**
 * ga_live_get() - an intensity series from the first provider that has one
 * @c: the providers and their settings
 * @want: what for
 * @now_ms: now, Unix ms
 * @res: the series and who gave it, and why those before failed;
 *	 ga_live_result_free() it
 *
 * Return: 0, or -ENOENT when every provider failed (res->failed says why).
 */
int ga_live_get(const struct ga_live_conf *c, enum ga_want want,
		int64_t now_ms, struct ga_live_result *res)
{
	unsigned int i;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < c->nr; i++) {
		enum ga_provider p = c->order[i];
		struct ga_live_attempt *a = &res->failed[res->nr_failed];
		int r;

		ga_series_init(&res->series);
		res->has_optimal = 0;
		res->cached = 0;
		if (p == GA_PROV_FILE)
			r = ga_live_file(c, res, a->why, sizeof(a->why));
		else if (p == GA_PROV_STATIC)
			r = ga_live_static(c, res, a->why, sizeof(a->why));
		else
			r = ga_live_http(c, p, want, now_ms, res, a->why,
					 sizeof(a->why));
		r = r ?: ga_live_fit(&res->series, want, now_ms, a->why,
				     sizeof(a->why));
		if (!r) {
			res->used = p;
			return 0;
		}
		ga_series_free(&res->series);
		a->p = p;
		res->nr_failed++;
	}
	return -ENOENT;
}

void ga_live_result_free(struct ga_live_result *res)
{
	ga_series_free(&res->series);
}

/*
 * Why each provider tried before the one that answered failed, a line
 * each on @f: "PROG: provider: why".
 */
void ga_live_print_failures(FILE *f, const char *prog,
			    const struct ga_live_result *res)
{
	unsigned int i;

	for (i = 0; i < res->nr_failed; i++)
		fprintf(f, "%s: %s: %s\n", prog,
			ga_provider_name(res->failed[i].p), res->failed[i].why);
}

/* A data point of the SDK: timestamp, duration (minutes), value. */
static int ga_ca_point(json_object *o, int64_t *start_ms, int64_t *dur_ms,
		       uint32_t *mg_per_kwh)
{
	json_object *t, *d, *v;
	double g;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "timestamp", &t) ||
	    !json_object_object_get_ex(o, "value", &v) ||
	    !json_object_is_type(t, json_type_string) ||
	    ga_time_parse(json_object_get_string(t), start_ms) ||
	    (!json_object_is_type(v, json_type_int) &&
	     !json_object_is_type(v, json_type_double)))
		return -EINVAL;
	g = json_object_get_double(v);
	if (!(g >= 0 && g <= GA_INTENSITY_MAX_MG / 1000.0))
		return -EINVAL;
	*mg_per_kwh = (uint32_t)(g * 1000 + 0.5);
	*dur_ms = 0;
	if (json_object_object_get_ex(o, "duration", &d) &&
	    json_object_is_type(d, json_type_int) &&
	    json_object_get_int64(d) > 0 &&
	    json_object_get_int64(d) <= 366 * 24 * 60)
		*dur_ms = json_object_get_int64(d) * 60000;
	return 0;
}

/**
 * ga_carbonaware_optimal() - the Carbon Aware SDK's best window in a
 * /emissions/forecasts/current answer
 * @text: the answer: [ { "optimalDataPoints": [ point, ... ] } ], or the
 *	  older [ { "optimalDataPoint": point } ]
 * @len: its length
 * @start_ms: the window's start
 * @dur_ms: its length (0: not said)
 * @mg_per_kwh: its intensity
 *
 * Return: 0, or -ENOENT when the answer has none.
 */
int ga_carbonaware_optimal(const char *text, size_t len, int64_t *start_ms,
			   int64_t *dur_ms, uint32_t *mg_per_kwh)
{
	json_object *o, *f, *pt = NULL;
	int r = -ENOENT;

	if (len > INT32_MAX)
		return -ENOENT;
	o = json_tokener_parse(text);
	if (!o)
		return -ENOENT;
	f = json_object_is_type(o, json_type_array) &&
			    json_object_array_length(o) ?
		    json_object_array_get_idx(o, 0) :
		    o;
	if (json_object_is_type(f, json_type_object)) {
		if (json_object_object_get_ex(f, "optimalDataPoints", &pt) &&
		    json_object_is_type(pt, json_type_array))
			pt = json_object_array_length(pt) ?
				     json_object_array_get_idx(pt, 0) :
				     NULL;
		else if (!json_object_object_get_ex(f, "optimalDataPoint",
						    &pt))
			pt = NULL;
	}
	if (pt && !ga_ca_point(pt, start_ms, dur_ms, mg_per_kwh))
		r = 0;
	json_object_put(o);
	return r;
}
