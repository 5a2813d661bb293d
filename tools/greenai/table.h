/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables the reports print: aligned text for people, CSV (RFC 4180) and
 * Markdown for documents and other tools. Cells are copied in; the table
 * is printed, then freed.
 */
#ifndef _GREENAI_TABLE_H
#define _GREENAI_TABLE_H

#include <stdio.h>

enum cli_table_format {
	CLI_TABLE_TEXT,
	CLI_TABLE_CSV,
	CLI_TABLE_MARKDOWN,
};

struct cli_table {
	enum cli_table_format format;
	const char *const *cols;
	unsigned int nr_cols;
	char **cells;			/* row-major */
	unsigned int nr_rows, max_rows;
};

int cli_table_format_parse(const char *name, enum cli_table_format *out);
void cli_table_init(struct cli_table *t, enum cli_table_format format,
		   const char *const *cols, unsigned int nr_cols);
int cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);
void cli_csv_field(FILE *f, const char *s);

/* A number as the format wants it: %.6g for people, %.12g for CSV. */
void cli_table_num(const struct cli_table *t, char *buf, size_t size,
		  double v);

#endif /* _GREENAI_TABLE_H */
