// SPDX-License-Identifier: GPL-2.0
/*
 * An intensity series as an SVG step plot (svg.h), for `greenai intensity
 * --forecast --format svg`: time across, g CO2e/kWh up, each point a flat
 * step over its span, gaps left open; the axes labelled with the first and
 * last times (UTC) and the lowest and highest intensities.
 */
#include <greenai/libgreenai.h>

#include "svg.h"

#define PLOT_W		720
#define PLOT_H		360
#define PLOT_LEFT	80
#define PLOT_RIGHT	24
#define PLOT_TOP	48
#define PLOT_BOTTOM	48

struct plot {
	int64_t from, to;
	double lo, hi;
};

static double plot_x(const struct plot *p, int64_t t)
{
	if (t < p->from)
		t = p->from;
	if (t > p->to)
		t = p->to;
	return PLOT_LEFT + (double)(t - p->from) / (double)(p->to - p->from) *
				   (PLOT_W - PLOT_LEFT - PLOT_RIGHT);
}

static double plot_y(const struct plot *p, double mg)
{
	return PLOT_H - PLOT_BOTTOM -
	       (mg - p->lo) / (p->hi - p->lo) * (PLOT_H - PLOT_TOP -
						 PLOT_BOTTOM);
}

void cli_svg_series(FILE *f, const char *title, const struct ga_iseries *s,
		   int64_t from_ms, int64_t to_ms)
{
	struct plot p = { from_ms, to_ms > from_ms ? to_ms : from_ms + 1,
			  0, 1 };
	char a[32], b[32];
	size_t i;
	int open = 0;

	for (i = 0; i < s->n; i++)
		if (s->p[i].mg_per_kwh > p.hi)
			p.hi = s->p[i].mg_per_kwh;
	p.hi *= 1.05;
	cli_svg_begin(f, PLOT_W, PLOT_H, title);
	fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">",
		PLOT_LEFT);
	cli_svg_text(f, title, 80);
	fputs("</text>\n", f);
	fprintf(f,
		"<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"#444\"/>\n",
		PLOT_LEFT, PLOT_TOP, PLOT_H - PLOT_BOTTOM, PLOT_W - PLOT_RIGHT);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f g</text>\n",
		PLOT_LEFT - 6, PLOT_TOP + 4, p.hi / 1000);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0 g</text>\n",
		PLOT_LEFT - 6, PLOT_H - PLOT_BOTTOM + 4);
	ga_time_format(p.from, a, sizeof(a));
	ga_time_format(p.to, b, sizeof(b));
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", PLOT_LEFT,
		PLOT_H - PLOT_BOTTOM + 20, a);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
		PLOT_W - PLOT_RIGHT, PLOT_H - PLOT_BOTTOM + 20, b);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">g CO2e/kWh, UTC</text>\n",
		PLOT_W / 2, PLOT_H - 8);
	fputs("<path fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" d=\"",
	      f);
	for (i = 0; i < s->n; i++) {
		const struct ga_ipoint *pt = &s->p[i];
		int64_t end = pt->dur_ms == GA_SERIES_FOREVER ||
					      pt->t_ms > INT64_MAX - pt->dur_ms ?
				      INT64_MAX :
				      pt->t_ms + pt->dur_ms;
		double y = plot_y(&p, pt->mg_per_kwh);

		if (end <= p.from || pt->t_ms >= p.to)
			continue;
		if (!open || (i && s->p[i - 1].t_ms + s->p[i - 1].dur_ms !=
					   pt->t_ms))
			fprintf(f, "%sM%.1f %.1f", open ? " " : "",
				plot_x(&p, pt->t_ms), y);
		else
			fprintf(f, " V%.1f", y);
		fprintf(f, " H%.1f", plot_x(&p, end));
		open = 1;
	}
	fputs("\"/>\n</svg>\n", f);
}
