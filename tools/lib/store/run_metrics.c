// SPDX-License-Identifier: GPL-2.0
/*
 * $GREENAI_METRICS files (metrics.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <greenai/files.h>
#include <greenai/run_metrics.h>

#define GA_METRICS_FILE_MAX	65536

/* A decimal number: [-+]digits[.digits][e[-+]digits], nothing else. */
static int ga_metric_value(const char *v, size_t n, double *out)
{
	char buf[32], *end;
	size_t i;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789.eE+-", v[i]))
			return -EINVAL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (*end || errno || !isfinite(*out))
		return -EINVAL;
	return 0;
}

/* Whether @v (@n bytes) is 1 to @max of [A-Za-z0-9] and @extra. */
static int ga_metric_text_ok(const char *v, size_t n, size_t max,
			     const char *extra)
{
	size_t i;

	if (!n || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || strchr(extra, v[i])))
			return 0;
	return 1;
}

static int ga_metric_key_ok(const char *k, size_t n)
{
	return ga_metric_text_ok(k, n, GA_METRIC_KEY_MAX, "_.-");
}

static int ga_metric_is(const char *k, size_t kn, const char *name)
{
	return kn == strlen(name) && !memcmp(k, name, kn);
}

static void ga_metrics_bad(struct ga_metrics *m, unsigned int line,
			   const char *why)
{
	if (!m->bad_lines++)
		snprintf(m->first_error, sizeof(m->first_error),
			 "line %u: %s", line, why);
}

/* One line (without its newline). */
static void ga_metrics_line(struct ga_metrics *m, const char *s, size_t n,
			    unsigned int line)
{
	const char *eq = memchr(s, '=', n);
	struct ga_metric *slot = NULL;
	size_t kn, vn;
	double v = 0;
	int text = 0;
	unsigned int i;

	if (!n || s[0] == '#')
		return;
	if (!eq) {
		ga_metrics_bad(m, line, "not key=value");
		return;
	}
	kn = eq - s;
	if (!ga_metric_key_ok(s, kn)) {
		ga_metrics_bad(m, line, "a key is 1 to 64 of A-Z a-z 0-9 _ . -");
		return;
	}
	vn = n - kn - 1;
	if (ga_metric_is(s, kn, "unit")) {
		if (!ga_metric_text_ok(eq + 1, vn, GA_METRIC_UNIT_MAX, "_.-")) {
			ga_metrics_bad(m, line, "unit: a name of 1 to 24 of A-Z a-z 0-9 _ . -");
			return;
		}
		text = 1;
	} else if (ga_metric_is(s, kn, "python_version")) {
		if (!ga_metric_text_ok(eq + 1, vn, sizeof(slot->text) - 1,
				       ".+-")) {
			ga_metrics_bad(m, line, "python_version: 1 to 31 of A-Z a-z 0-9 . + -");
			return;
		}
		text = 1;
	} else if (ga_metric_value(eq + 1, vn, &v)) {
		ga_metrics_bad(m, line, ga_metric_is(s, kn, "units") ?
			       "units: not a number" : "the value is not a number");
		return;
	} else if (ga_metric_is(s, kn, "units") && !(v > 0)) {
		ga_metrics_bad(m, line, "units: a count above 0");
		return;
	}
	for (i = 0; i < m->nr; i++)
		if (strlen(m->m[i].key) == kn && !memcmp(m->m[i].key, s, kn))
			slot = &m->m[i];
	if (!slot) {
		if (m->nr == GA_METRICS_MAX) {
			ga_metrics_bad(m, line, "more than 64 metrics");
			return;
		}
		slot = &m->m[m->nr++];
	}
	memcpy(slot->key, s, kn);
	slot->key[kn] = '\0';
	memcpy(slot->text, eq + 1, vn);
	slot->text[vn] = '\0';
	slot->value = v;
	slot->is_text = text;
}

/**
 * ga_metrics_parse() - the metrics in @text
 * @text: the file's bytes (need not end with a newline, nor a NUL)
 * @len: their length
 * @out: the metrics, and the bad lines' count and first error
 *
 * Return: 0; -EINVAL when @text has a NUL byte (not a text file).
 */
int ga_metrics_parse(const char *text, size_t len, struct ga_metrics *out)
{
	unsigned int line = 1;
	size_t start = 0, i;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len))
		return -EINVAL;
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		ga_metrics_line(out, text + start, i - start, line++);
		start = i + 1;
	}
	return 0;
}

/*
 * Read and parse @path: a regular file of at most 64 KiB (-EFBIG past),
 * never through a link (-ELOOP) nor from anything else (-EINVAL): the
 * command that writes it could put a FIFO, which would never end, or a
 * link to a file it may not read, in its place.
 */
int ga_metrics_read(const char *path, struct ga_metrics *out)
{
	char *buf = NULL;
	size_t n = 0;
	struct stat st;
	int fd, r = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (st.st_size > GA_METRICS_FILE_MAX)
		r = -EFBIG;
	else if (!(buf = malloc(GA_METRICS_FILE_MAX + 1)))
		r = -ENOMEM;
	while (!r) {
		ssize_t got = read(fd, buf + n, GA_METRICS_FILE_MAX + 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			r = -errno;
		else if (!got)
			break;
		else if ((n += got) > GA_METRICS_FILE_MAX)
			r = -EFBIG;
	}
	close(fd);
	if (!r)
		r = ga_metrics_parse(buf, n, out);
	free(buf);
	return r;
}

const struct ga_metric *ga_metrics_get(const struct ga_metrics *m,
				       const char *key)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (!strcmp(m->m[i].key, key))
			return &m->m[i];
	return NULL;
}

/**
 * ga_metric_units_milli() - a units count, as a value of "units=" is
 * @s: the text (at most 31 bytes)
 * @milli: the count in thousandths, rounded
 *
 * Return: 0, or -EINVAL when @s is not a number from 0.001 to
 * GA_UNITS_MAX.
 */
int ga_metric_units_milli(const char *s, uint64_t *milli)
{
	double v;

	if (ga_metric_value(s, strlen(s), &v) || !(v >= 0.001) ||
	    v > (double)GA_UNITS_MAX)
		return -EINVAL;
	*milli = (uint64_t)(v * 1000 + 0.5);
	return 0;
}

/**
 * ga_metric_unit_ok() - whether @s is a unit's name, as "unit=" takes it
 * @s: 1 to GA_METRIC_UNIT_MAX of [A-Za-z0-9_.-]
 *
 * Return: true if it is.
 */
bool ga_metric_unit_ok(const char *s)
{
	return ga_metric_text_ok(s, strlen(s), GA_METRIC_UNIT_MAX, "_.-");
}
