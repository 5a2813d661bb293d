// SPDX-License-Identifier: GPL-2.0
/*
 * Bar charts as SVG (svg.h).
 */
#include <math.h>

#include "svg.h"

#define SVG_WIDTH	720
#define SVG_MARGIN	16
#define SVG_LABEL_W	220	/* labels, right-aligned against the bars */
#define SVG_VALUE_W	110	/* the value after the longest bar */
#define SVG_ROW_H	24
#define SVG_BAR_H	16
#define SVG_TITLE_H	32
#define SVG_LABEL_MAX	32	/* characters of a label drawn */

static const char *const cli_svg_colours[] = { "#2e7d32", "#1565c0" };

/* Bytes in the UTF-8 sequence at @s, 0 if it is not a valid one. */
static unsigned int cli_utf8_len(const unsigned char *s)
{
	unsigned int n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/*
 * @s as XML character data, at most @max characters (then an ellipsis);
 * what XML cannot hold (control characters, bytes that are not UTF-8)
 * drawn as '?'.
 */
void cli_svg_text(FILE *f, const char *s, unsigned int max)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int n;

	for (; *p && max; max--, p += n ? n : 1) {
		n = cli_utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, f);
			continue;
		}
		switch (*p) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(!n || *p < 0x20 || *p == 0x7f ? '?' : *p, f);
		}
	}
	if (*p)
		fputs("\xe2\x80\xa6", f);
}

/*
 * A standalone SVG 1.1 document @w by @h with @title, on white; the caller
 * draws, then closes it with "</svg>".
 */
void cli_svg_begin(FILE *f, unsigned int w, unsigned int h, const char *title)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\" font-size=\"12\">\n",
		w, h, w, h);
	fputs("<title>", f);
	cli_svg_text(f, title, 200);
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"%u\" height=\"%u\" fill=\"white\"/>\n", w,
		h);
}

static unsigned int cli_chart_height(const struct cli_chart *c)
{
	return SVG_TITLE_H + (c->nr ? c->nr : 1) * SVG_ROW_H + SVG_MARGIN;
}

static void cli_svg_chart(FILE *f, const struct cli_chart *c, unsigned int y,
			 const char *colour)
{
	const unsigned int bar_w = SVG_WIDTH - 2 * SVG_MARGIN - SVG_LABEL_W -
				   SVG_VALUE_W;
	const unsigned int x0 = SVG_MARGIN + SVG_LABEL_W + 8;
	double max = 0;
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (c->bars[i].known && c->bars[i].value > max)
			max = c->bars[i].value;
	fprintf(f, "<g><text x=\"%d\" y=\"%u\" class=\"t\">", SVG_MARGIN,
		y + 20);
	cli_svg_text(f, c->title, 80);
	fputs(" (", f);
	cli_svg_text(f, c->unit, 40);
	fputs(")</text>\n", f);
	y += SVG_TITLE_H;
	if (!c->nr)
		fprintf(f, "<text x=\"%u\" y=\"%u\">no runs</text>\n", x0,
			y + SVG_BAR_H - 3);
	for (i = 0; i < c->nr; i++, y += SVG_ROW_H) {
		const struct cli_bar *b = &c->bars[i];
		double w = b->known && max > 0 ? b->value / max * bar_w : 0;

		if (w < 0 || !isfinite(w))
			w = 0;
		fprintf(f, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">",
			x0 - 8, y + SVG_BAR_H - 3);
		cli_svg_text(f, b->label, SVG_LABEL_MAX);
		fputs("</text>", f);
		fprintf(f,
			"<rect x=\"%u\" y=\"%u\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
			x0, y, w, SVG_BAR_H, colour);
		if (b->known)
			fprintf(f, "<text x=\"%.1f\" y=\"%u\">%.4g</text>\n",
				x0 + w + 6, y + SVG_BAR_H - 3, b->value);
		else
			fprintf(f, "<text x=\"%u\" y=\"%u\">n/a</text>\n",
				x0 + 6, y + SVG_BAR_H - 3);
	}
	fputs("</g>\n", f);
}

/**
 * cli_svg_charts() - a document of charts, one under the other
 * @f: where to
 * @title: the document's title
 * @c: the charts
 * @nr: how many
 */
void cli_svg_charts(FILE *f, const char *title, const struct cli_chart *c,
		   unsigned int nr)
{
	unsigned int h = SVG_MARGIN, i;

	for (i = 0; i < nr; i++)
		h += cli_chart_height(&c[i]);
	cli_svg_begin(f, SVG_WIDTH, h, title);
	fputs("<style>.t{font-size:15px;font-weight:bold}</style>\n", f);
	for (h = SVG_MARGIN / 2, i = 0; i < nr; i++) {
		cli_svg_chart(f, &c[i], h,
			     cli_svg_colours[i % (sizeof(cli_svg_colours) /
						 sizeof(cli_svg_colours[0]))]);
		h += cli_chart_height(&c[i]);
	}
	fputs("</svg>\n", f);
}
