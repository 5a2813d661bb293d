// SPDX-License-Identifier: GPL-2.0
/*
 * Report tables (table.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "table.h"

int cli_table_format_parse(const char *name, enum cli_table_format *out)
{
	static const char *const names[] = {
		[CLI_TABLE_TEXT] = "table",
		[CLI_TABLE_CSV] = "csv",
		[CLI_TABLE_MARKDOWN] = "markdown",
	};
	int i = ga_name_index(names, sizeof(names) / sizeof(names[0]), name);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

void cli_table_init(struct cli_table *t, enum cli_table_format format,
		   const char *const *cols, unsigned int nr_cols)
{
	memset(t, 0, sizeof(*t));
	t->format = format;
	t->cols = cols;
	t->nr_cols = nr_cols;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	unsigned int i;

	if (t->nr_rows == t->max_rows) {
		unsigned int n = t->max_rows ? 2 * t->max_rows : 16;
		void *p = realloc(t->cells, (size_t)n * t->nr_cols *
					    sizeof(*t->cells));

		if (!p)
			return -ENOMEM;
		t->cells = p;
		t->max_rows = n;
	}
	for (i = 0; i < t->nr_cols; i++) {
		char *c = strdup(cells[i] ? cells[i] : "");

		if (!c) {
			while (i--)
				free(t->cells[t->nr_rows * t->nr_cols + i]);
			return -ENOMEM;
		}
		t->cells[t->nr_rows * t->nr_cols + i] = c;
	}
	t->nr_rows++;
	return 0;
}

void cli_table_num(const struct cli_table *t, char *buf, size_t size,
		  double v)
{
	snprintf(buf, size, t->format == CLI_TABLE_CSV ? "%.12g" : "%.6g", v);
}

static const char *cli_cell(const struct cli_table *t, int row,
			   unsigned int col)
{
	return row < 0 ? t->cols[col] : t->cells[row * t->nr_cols + col];
}

/* One CSV field: quoted when it has a comma, a quote or a line break. */
void cli_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* One Markdown cell: '|' escaped, line breaks as spaces. */
static void cli_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
}

/* Aligned text: the first column to the left, the others to the right. */
static void cli_table_print_text(const struct cli_table *t, FILE *f)
{
	size_t *width = calloc(t->nr_cols, sizeof(*width));
	unsigned int c;
	int r;

	if (!width)
		return;
	for (r = -1; r < (int)t->nr_rows; r++)
		for (c = 0; c < t->nr_cols; c++)
			if (strlen(cli_cell(t, r, c)) > width[c])
				width[c] = strlen(cli_cell(t, r, c));
	for (r = -1; r < (int)t->nr_rows; r++) {
		for (c = 0; c < t->nr_cols; c++)
			fprintf(f, c ? "  %*s" : "%-*s", (int)width[c],
				cli_cell(t, r, c));
		fputc('\n', f);
	}
	free(width);
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
	unsigned int c;
	int r;

	if (t->format == CLI_TABLE_TEXT) {
		cli_table_print_text(t, f);
		return;
	}
	for (r = -1; r < (int)t->nr_rows; r++) {
		for (c = 0; c < t->nr_cols; c++) {
			if (t->format == CLI_TABLE_CSV) {
				if (c)
					fputc(',', f);
				cli_csv_field(f, cli_cell(t, r, c));
				continue;
			}
			fputs(c ? " " : "| ", f);
			cli_md_cell(f, cli_cell(t, r, c));
			fputs(" |", f);
		}
		fputc('\n', f);
		if (r == -1 && t->format == CLI_TABLE_MARKDOWN) {
			for (c = 0; c < t->nr_cols; c++)
				fputs(c ? "---|" : "|---|", f);
			fputc('\n', f);
		}
	}
}

void cli_table_free(struct cli_table *t)
{
	unsigned int i;

	for (i = 0; i < t->nr_rows * t->nr_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
