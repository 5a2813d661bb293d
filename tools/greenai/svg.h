/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Horizontal bar charts as SVG 1.1, for `greenai report --format svg`: a
 * document of one or more charts stacked, each a title, one labelled bar
 * per row scaled to the largest value, and the value after the bar. Text
 * is escaped for XML; the output stands alone (no fonts, no scripts).
 */
#ifndef _GREENAI_SVG_H
#define _GREENAI_SVG_H

#include <stdint.h>
#include <stdio.h>

struct cli_bar {
	const char *label;
	double value;
	int known;		/* else drawn as "n/a", no bar */
};

struct cli_chart {
	const char *title;
	const char *unit;
	const struct cli_bar *bars;
	unsigned int nr;
};

void cli_svg_charts(FILE *f, const char *title, const struct cli_chart *c,
		   unsigned int nr);
void cli_svg_text(FILE *f, const char *s, unsigned int max);
void cli_svg_begin(FILE *f, unsigned int w, unsigned int h, const char *title);

/* svg_series.c: an intensity series as a step plot over [from, to) */
struct ga_iseries;
void cli_svg_series(FILE *f, const char *title, const struct ga_iseries *s,
		   int64_t from_ms, int64_t to_ms);

#endif /* _GREENAI_SVG_H */
