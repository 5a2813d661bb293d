/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables the reports print: aligned text for people, CSV (RFC 4180) and
 * Markdown for documents and other tools. Cells are copied in; the table
 * is printed, then freed.
 */
#ifndef _GREENAI_TABLE_H
#define _GREENAI_TABLE_H

#include <stdio.h>

enum ga_table_format {
	GA_TABLE_TEXT,
	GA_TABLE_CSV,
	GA_TABLE_MARKDOWN,
};

struct ga_table {
	enum ga_table_format format;
	const char *const *cols;
	unsigned int nr_cols;
	char **cells;			/* row-major */
	unsigned int nr_rows, max_rows;
};

int ga_table_format_parse(const char *name, enum ga_table_format *out);
void ga_table_init(struct ga_table *t, enum ga_table_format format,
		   const char *const *cols, unsigned int nr_cols);
int ga_table_add(struct ga_table *t, const char *const *cells);
void ga_table_print(const struct ga_table *t, FILE *f);
void ga_table_free(struct ga_table *t);
void ga_csv_field(FILE *f, const char *s);

/* A number as the format wants it: %.6g for people, %.12g for CSV. */
void ga_table_num(const struct ga_table *t, char *buf, size_t size,
		  double v);

#endif /* _GREENAI_TABLE_H */
