/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's own metrics: the file named in $GREENAI_METRICS that `greenai
 * run` gives the command, "key=value" lines with numeric values
 * ("accuracy=91.2", "loss=0.31"). Keys are 1 to 64 of [A-Za-z0-9_.-];
 * values decimal numbers (a sign, decimals and an exponent allowed, not
 * inf or nan); '#' starts a comment line; the last of a key wins. A bad
 * line is skipped and reported, never half taken.
 */
#ifndef _GREENAI_METRICS_H
#define _GREENAI_METRICS_H

#include <stddef.h>

#define GA_METRICS_MAX		64
#define GA_METRIC_KEY_MAX	64

struct ga_metric {
	char key[GA_METRIC_KEY_MAX + 1];
	char text[32];		/* the value as written, validated */
	double value;
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

#endif /* _GREENAI_METRICS_H */
