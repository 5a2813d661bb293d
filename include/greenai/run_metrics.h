/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's own metrics: the file named in $GREENAI_METRICS that `greenai
 * run` gives the command, "key=value" lines with numeric values
 * ("accuracy=91.2", "loss=0.31"). Keys are 1 to 64 of [A-Za-z0-9_.-];
 * values decimal numbers (a sign, decimals and an exponent allowed, not
 * inf or nan); '#' starts a comment line; the last of a key wins. A bad
 * line is skipped and reported, never half taken.
 *
 * Three keys say more than a figure:
 *   units           the run's functional unit count, how many it made
 *                   ("units=10000"): a number above 0, per-unit figures
 *                   and the SCI divide by it
 *   unit            what a unit is ("unit=predictions"): 1 to 24 of
 *                   [A-Za-z0-9_.-]; text, not a number
 *   python_version  the Python that ran it ("python_version=3.11.2"):
 *                   1 to 31 of [A-Za-z0-9.+-]; text
 * A bad value of one of them is refused as any bad line is: nothing is
 * recorded for that key.
 */
#ifndef _GREENAI_METRICS_H
#define _GREENAI_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GA_METRICS_MAX		64
#define GA_METRIC_KEY_MAX	64
#define GA_METRIC_UNIT_MAX	24	/* "unit": its name's length */
#define GA_UNITS_MAX		1000000000000ULL /* units a value may say */

struct ga_metric {
	char key[GA_METRIC_KEY_MAX + 1];
	char text[32];		/* the value as written, validated */
	double value;		/* 0 for a text value */
	int is_text;		/* "unit", "python_version": @text only */
};

struct ga_metrics {
	struct ga_metric m[GA_METRICS_MAX];
	unsigned int nr;
	unsigned int bad_lines;
	char first_error[128];	/* "line 3: ..." */
};

int ga_metrics_parse(const char *text, size_t len, struct ga_metrics *out);
int ga_metrics_read(const char *path, struct ga_metrics *out);
const struct ga_metric *ga_metrics_get(const struct ga_metrics *m,
				       const char *key);
/*
 * A units count and a unit's name as a metric's value says them, checked
 * again where another may have written them (a cgroup's user.greenai.units
 * and user.greenai.unit): a decimal number from 0.001 to GA_UNITS_MAX, in
 * thousandths; 1 to 24 of [A-Za-z0-9_.-].
 */
int ga_metric_units_milli(const char *s, uint64_t *milli);
bool ga_metric_unit_ok(const char *s);

#endif /* _GREENAI_METRICS_H */
