/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics exposition: Prometheus' text format 0.0.4 and OpenMetrics 1.0,
 * written into a buffer that grows. A family is declared once (name,
 * type, unit, help), then its samples follow, each with its labels; the
 * writer spells each format's differences:
 *
 *   counter "greenai_node_joules":  0.0.4: # TYPE greenai_node_joules_total counter
 *                                   OpenMetrics: # TYPE greenai_node_joules counter
 *                                                # UNIT greenai_node_joules joules
 *   samples of both: greenai_node_joules_total{zone="package-0"} 12.5
 *
 * and OpenMetrics' "# EOF" at the end. Label values and help texts are
 * escaped (\\, \", \n), and bytes that are not UTF-8 become U+FFFD, so
 * that no label a cgroup path carries can break the exposition.
 * Integer values with a fixed number of decimals (µJ as J, µg as g) are
 * printed exactly.
 *
 * Not thread-safe: one writer per buffer.
 */
#ifndef _GREENAI_EXPO_H
#define _GREENAI_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ga_expo_format {
	GA_EXPO_PROMETHEUS,	/* text/plain; version=0.0.4 */
	GA_EXPO_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

enum ga_expo_type {
	GA_EXPO_COUNTER,
	GA_EXPO_GAUGE,
	GA_EXPO_INFO,		/* value 1; an info family in OpenMetrics */
};

struct ga_label {
	const char *name;
	const char *value;	/* NULL: "" */
};

struct ga_expo {
	enum ga_expo_format format;
	char *buf;
	size_t len, cap;
	bool failed;		/* out of memory: the text is incomplete */
	/* the family being written */
	char family[128];
	enum ga_expo_type type;
	unsigned long nr_samples;
};

void ga_expo_init(struct ga_expo *e, enum ga_expo_format format);
void ga_expo_done(struct ga_expo *e);
void ga_expo_reset(struct ga_expo *e);
int ga_expo_family(struct ga_expo *e, const char *name,
		   enum ga_expo_type type, const char *unit,
		   const char *help);
void ga_expo_sample_fixed(struct ga_expo *e, const struct ga_label *labels,
			  unsigned int nr, uint64_t value,
			  unsigned int decimals);
void ga_expo_sample(struct ga_expo *e, const struct ga_label *labels,
		    unsigned int nr, double value);
int ga_expo_finish(struct ga_expo *e);
const char *ga_expo_content_type(enum ga_expo_format format);
enum ga_expo_format ga_expo_negotiate(const char *accept);

#endif /* _GREENAI_EXPO_H */
