// SPDX-License-Identifier: GPL-2.0
/*
 * Metrics exposition in Prometheus' text format and OpenMetrics (expo.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/exposition.h>

void ga_expo_init(struct ga_expo *e, enum ga_expo_format format)
{
	memset(e, 0, sizeof(*e));
	e->format = format;
}

void ga_expo_done(struct ga_expo *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

/* Empty the text, keeping the buffer, for the next exposition. */
void ga_expo_reset(struct ga_expo *e)
{
	e->len = 0;
	e->failed = false;
	e->family[0] = '\0';
	e->nr_samples = 0;
	if (e->buf)
		e->buf[0] = '\0';
}

static bool ga_expo_room(struct ga_expo *e, size_t n)
{
	size_t cap;
	char *p;

	if (e->failed)
		return false;
	if (e->len + n + 1 <= e->cap)
		return true;
	cap = e->cap ? e->cap : 4096;
	while (cap < e->len + n + 1)
		cap *= 2;
	p = realloc(e->buf, cap);
	if (!p) {
		e->failed = true;
		return false;
	}
	e->buf = p;
	e->cap = cap;
	return true;
}

static void ga_expo_put(struct ga_expo *e, const char *s, size_t n)
{
	if (!ga_expo_room(e, n))
		return;
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	e->buf[e->len] = '\0';
}

static void ga_expo_puts(struct ga_expo *e, const char *s)
{
	ga_expo_put(e, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void ga_expo_printf(struct ga_expo *e, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		ga_expo_put(e, buf, (size_t)n < sizeof(buf) ? (size_t)n :
			    sizeof(buf) - 1);
}

/* The length of the UTF-8 sequence at @s (at most @n bytes), 0 if bad. */
static size_t ga_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/*
 * @s escaped: backslash, newline and (@quote) the double quote; bytes
 * that are not UTF-8 as U+FFFD.
 */
static void ga_expo_escaped(struct ga_expo *e, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n) {
		if (*p == '\\') {
			ga_expo_put(e, "\\\\", 2);
			k = 1;
		} else if (*p == '\n') {
			ga_expo_put(e, "\\n", 2);
			k = 1;
		} else if (*p == '"' && quote) {
			ga_expo_put(e, "\\\"", 2);
			k = 1;
		} else {
			k = ga_utf8_len(p, n);
			if (k)
				ga_expo_put(e, (const char *)p, k);
			else
				ga_expo_put(e, "\xef\xbf\xbd", 3);
			k = k ? k : 1;
		}
		p += k;
		n -= k;
	}
}

static bool ga_name_ok(const char *s, bool colon)
{
	const char *p;

	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' ||
		      (colon && *p == ':')))
			return false;
	}
	return true;
}

/**
 * ga_expo_family() - start a metric family
 * @e: the exposition
 * @name: its name, without the "_total" of a counter's samples
 * @type: counter, gauge or info
 * @unit: the unit @name ends with ("joules"), or NULL
 * @help: what it counts
 *
 * Return: 0, or -EINVAL for a name that is not a metric name or does
 * not end with its unit.
 */
int ga_expo_family(struct ga_expo *e, const char *name,
		   enum ga_expo_type type, const char *unit,
		   const char *help)
{
	static const char *const om_type[] = {
		[GA_EXPO_COUNTER] = "counter",
		[GA_EXPO_GAUGE] = "gauge",
		[GA_EXPO_INFO] = "info",
	};
	static const char *const prom_type[] = {
		[GA_EXPO_COUNTER] = "counter",
		[GA_EXPO_GAUGE] = "gauge",
		[GA_EXPO_INFO] = "gauge",
	};
	/* what the samples' names add to the family's */
	const char *suffix = type == GA_EXPO_COUNTER ? "_total" :
			     type == GA_EXPO_INFO ? "_info" : "";
	size_t n = name ? strlen(name) : 0, u = unit ? strlen(unit) : 0;
	bool om = e->format == GA_EXPO_OPENMETRICS;

	if (!ga_name_ok(name, true) ||
	    n + strlen(suffix) >= sizeof(e->family) ||
	    (unit && (!ga_name_ok(unit, false) || u + 1 > n ||
		      name[n - u - 1] != '_' || strcmp(name + n - u, unit))) ||
	    (unsigned int)type > GA_EXPO_INFO)
		return -EINVAL;
	snprintf(e->family, sizeof(e->family), "%s%s", name, suffix);
	e->type = type;
	ga_expo_puts(e, "# TYPE ");
	ga_expo_puts(e, om ? name : e->family);
	ga_expo_puts(e, " ");
	ga_expo_puts(e, om ? om_type[type] : prom_type[type]);
	ga_expo_puts(e, "\n");
	if (om && unit) {
		ga_expo_puts(e, "# UNIT ");
		ga_expo_puts(e, name);
		ga_expo_puts(e, " ");
		ga_expo_puts(e, unit);
		ga_expo_puts(e, "\n");
	}
	if (help) {
		ga_expo_puts(e, "# HELP ");
		ga_expo_puts(e, om ? name : e->family);
		ga_expo_puts(e, " ");
		ga_expo_escaped(e, help, om);
		ga_expo_puts(e, "\n");
	}
	return 0;
}

static void ga_expo_labels(struct ga_expo *e, const struct ga_label *labels,
			   unsigned int nr)
{
	unsigned int i;

	ga_expo_puts(e, e->family);
	if (!nr)
		return;
	ga_expo_puts(e, "{");
	for (i = 0; i < nr; i++) {
		if (i)
			ga_expo_puts(e, ",");
		ga_expo_puts(e, labels[i].name);
		ga_expo_puts(e, "=\"");
		ga_expo_escaped(e, labels[i].value ? labels[i].value : "",
				true);
		ga_expo_puts(e, "\"");
	}
	ga_expo_puts(e, "}");
}

/**
 * ga_expo_sample_fixed() - a sample of the current family, exactly
 * @e: the exposition
 * @labels: its labels (names are the caller's constants)
 * @nr: how many
 * @value: the value times 10^@decimals (µJ for J: 6)
 * @decimals: 0 to 9
 */
void ga_expo_sample_fixed(struct ga_expo *e, const struct ga_label *labels,
			  unsigned int nr, uint64_t value,
			  unsigned int decimals)
{
	uint64_t scale = 1;
	unsigned int i;

	for (i = 0; i < decimals && i < 9; i++)
		scale *= 10;
	ga_expo_labels(e, labels, nr);
	if (scale == 1)
		ga_expo_printf(e, " %" PRIu64 "\n", value);
	else
		ga_expo_printf(e, " %" PRIu64 ".%0*" PRIu64 "\n",
			       value / scale, (int)i, value % scale);
	e->nr_samples++;
}

/**
 * ga_expo_sample() - a sample of the current family
 * @e: the exposition
 * @labels: its labels
 * @nr: how many
 * @value: the value (NaN and infinities spelt as both formats want)
 */
void ga_expo_sample(struct ga_expo *e, const struct ga_label *labels,
		    unsigned int nr, double value)
{
	ga_expo_labels(e, labels, nr);
	if (isnan(value))
		ga_expo_puts(e, " NaN\n");
	else if (isinf(value))
		ga_expo_puts(e, value > 0 ? " +Inf\n" : " -Inf\n");
	else
		ga_expo_printf(e, " %.17g\n", value);
	e->nr_samples++;
}

/**
 * ga_expo_finish() - end the exposition
 * @e: the exposition
 *
 * Return: 0, or -ENOMEM when some of it could not be written.
 */
int ga_expo_finish(struct ga_expo *e)
{
	if (e->format == GA_EXPO_OPENMETRICS)
		ga_expo_puts(e, "# EOF\n");
	return e->failed ? -ENOMEM : 0;
}

const char *ga_expo_content_type(enum ga_expo_format format)
{
	return format == GA_EXPO_OPENMETRICS ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
}

/*
 * The format an Accept header asks for: OpenMetrics when it names it
 * (Prometheus sends it first, with text 0.0.4 as its fallback), else the
 * text format, which every scraper reads.
 */
enum ga_expo_format ga_expo_negotiate(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") ?
		GA_EXPO_OPENMETRICS : GA_EXPO_PROMETHEUS;
}
