// SPDX-License-Identifier: GPL-2.0
/*
 * gtop's rows: kept, matched against a filter, sorted by a column (for
 * the tree view, cgroups sorted and each followed by its processes,
 * sorted); the names of views and columns, as flags and keys say them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strcasestr() */
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <greenai/libgreenai.h>

#include "gtop.h"

static const char *const gt_view_names[GT_VIEW_NR] = {
	[GT_VIEW_PROC] = "process",
	[GT_VIEW_CGROUP] = "cgroup",
	[GT_VIEW_CONTAINER] = "container",
	[GT_VIEW_MODEL] = "model",
	[GT_VIEW_VM] = "vm",
};

static const char *const gt_col_names[GT_COL_NR] = {
	[GT_COL_PID] = "pid",
	[GT_COL_POWER] = "power",
	[GT_COL_POWER_IDLE] = "power-idle",
	[GT_COL_ENERGY] = "energy",
	[GT_COL_CO2] = "co2",
	[GT_COL_CPU] = "cpu",
	[GT_COL_GPU] = "gpu",
	[GT_COL_MODEL] = "model",
	[GT_COL_FRAMEWORK] = "framework",
	[GT_COL_CONTAINER] = "container",
	[GT_COL_NAME] = "name",
};

const char *gt_view_name(enum gt_view v)
{
	return (unsigned int)v < GT_VIEW_NR ? gt_view_names[v] : "?";
}

int gt_view_parse(const char *name, enum gt_view *out)
{
	int i = ga_name_index(gt_view_names, GT_VIEW_NR, name);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *gt_col_name(enum gt_col c)
{
	return (unsigned int)c < GT_COL_NR ? gt_col_names[c] : "?";
}

int gt_col_parse(const char *name, enum gt_col *out)
{
	int i = ga_name_index(gt_col_names, GT_COL_NR, name);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

int gt_rows_add(struct gt_rows *rows, const struct gt_row *row)
{
	if (rows->nr == rows->max) {
		unsigned int n = rows->max ? 2 * rows->max : 256;
		void *p = realloc(rows->r, n * sizeof(*rows->r));

		if (!p)
			return -ENOMEM;
		rows->r = p;
		rows->max = n;
	}
	rows->r[rows->nr++] = *row;
	return 0;
}

void gt_rows_free(struct gt_rows *rows)
{
	free(rows->r);
	memset(rows, 0, sizeof(*rows));
}

/* Whether @text is in one of the row's words (any case). */
bool gt_row_matches(const struct gt_row *r, const char *text)
{
	return strcasestr(r->name, text) || strcasestr(r->model, text) ||
	       strcasestr(r->framework, text) ||
	       strcasestr(r->container, text) || strcasestr(r->key, text);
}

static enum gt_col gt_sort_col;
static int gt_sort_dir;

static int gt_cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int gt_row_cmp(const struct gt_row *a, const struct gt_row *b)
{
	int c = 0;

	switch (gt_sort_col) {
	case GT_COL_PID:
		c = gt_cmp_num(a->pid, b->pid);
		break;
	case GT_COL_POWER:
		c = gt_cmp_num(a->power_w, b->power_w);
		break;
	case GT_COL_POWER_IDLE:
		c = gt_cmp_num(a->power_idle_w, b->power_idle_w);
		break;
	case GT_COL_ENERGY:
		c = gt_cmp_num(a->energy_uj, b->energy_uj);
		break;
	case GT_COL_CO2:
		c = gt_cmp_num(a->co2_ug, b->co2_ug);
		break;
	case GT_COL_CPU:
		c = gt_cmp_num(a->cpu_pct, b->cpu_pct);
		break;
	case GT_COL_GPU:
		c = gt_cmp_num(a->gpu_w, b->gpu_w);
		break;
	case GT_COL_MODEL:
		c = strcmp(a->model, b->model);
		break;
	case GT_COL_FRAMEWORK:
		c = strcmp(a->framework, b->framework);
		break;
	case GT_COL_CONTAINER:
		c = strcmp(a->container, b->container);
		break;
	default:
		c = strcmp(a->name, b->name);
	}
	/* ties in the same order whichever way: by pid, else by key */
	if (!c && a->pid != b->pid)
		c = -gt_sort_dir * gt_cmp_num(a->pid, b->pid);
	else if (!c)
		c = -gt_sort_dir * strcmp(a->key, b->key);
	return gt_sort_dir * c;
}

static int gt_qsort_cmp(const void *a, const void *b)
{
	return gt_row_cmp(a, b);
}

/**
 * gt_rows_sort() - sort by a column
 * @rows: the rows
 * @col: the column
 * @ascending: smallest first; else largest first
 */
void gt_rows_sort(struct gt_rows *rows, enum gt_col col, bool ascending)
{
	gt_sort_col = col;
	gt_sort_dir = ascending ? 1 : -1;
	qsort(rows->r, rows->nr, sizeof(*rows->r), gt_qsort_cmp);
}

static void gt_row_swap(struct gt_row *a, struct gt_row *b)
{
	struct gt_row t = *a;

	*a = *b;
	*b = t;
}

/**
 * gt_rows_top() - the first @k rows of the sorted order, sorted, in front;
 * the others after them in no order
 * @rows: the rows
 * @col: the column
 * @ascending: the order
 * @k: how many the screen shows (from the first); all when >= the rows
 *
 * A selection (Hoare's quickselect, middle pivot) then a sort of @k rows:
 * linear in the rows on average, where a full sort of 10 000 rows at each
 * refresh would cost several times more for a screen that shows 50.
 */
void gt_rows_top(struct gt_rows *rows, enum gt_col col, bool ascending,
		 unsigned int k)
{
	unsigned int lo = 0, hi = rows->nr;

	gt_sort_col = col;
	gt_sort_dir = ascending ? 1 : -1;
	while (k < rows->nr && hi - lo > 1) {
		struct gt_row pivot = rows->r[lo + (hi - lo) / 2];
		unsigned int i = lo, j = hi - 1;

		/* [lo, i) before the pivot, (j, hi) after it */
		while (i <= j) {
			while (gt_row_cmp(&rows->r[i], &pivot) < 0)
				i++;
			while (gt_row_cmp(&rows->r[j], &pivot) > 0)
				j--;
			if (i > j)
				break;
			gt_row_swap(&rows->r[i++], &rows->r[j]);
			if (!j--)
				break;
		}
		if (k <= j + 1 && j + 1 > lo)
			hi = j + 1;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	qsort(rows->r, k < rows->nr ? k : rows->nr, sizeof(*rows->r),
	      gt_qsort_cmp);
}

static int gt_tree_cmp(const void *pa, const void *pb)
{
	const struct gt_row *a = pa, *b = pb;

	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	if (a->depth && a->tree_id != b->tree_id)
		return a->tree_id < b->tree_id ? -1 : 1;
	return gt_row_cmp(a, b);
}

/* The first of @n children sorted by cgroup, under @id; NULL if none. */
static const struct gt_row *gt_children(const struct gt_row *kids,
					unsigned int n, uint64_t id,
					unsigned int *nr)
{
	unsigned int lo = 0, hi = n, i;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (kids[mid].tree_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n && kids[i].tree_id == id; i++)
		;
	*nr = i - lo;
	return *nr ? &kids[lo] : NULL;
}

/**
 * gt_rows_tree() - the tree view's order: cgroups (depth 0) sorted, each
 * followed by its processes (depth 1), sorted
 * @rows: the rows of a tree view
 * @col: the column
 * @ascending: the order
 * @text: the filter; a cgroup that does not match stays only when one of
 *	  its processes does (NULL: none)
 *
 * Return: 0 or -ENOMEM.
 */
int gt_rows_tree(struct gt_rows *rows, enum gt_col col, bool ascending,
		 const char *text)
{
	unsigned int heads = 0, i, n, k = 0, size = rows->nr + 1;
	struct gt_row *out = malloc(size * sizeof(*out));
	const struct gt_row *kids;

	if (!out)
		return -ENOMEM;
	gt_sort_col = col;
	gt_sort_dir = ascending ? 1 : -1;
	qsort(rows->r, rows->nr, sizeof(*rows->r), gt_tree_cmp);
	while (heads < rows->nr && !rows->r[heads].depth)
		heads++;
	for (i = 0; i < heads; i++) {
		kids = gt_children(rows->r + heads, rows->nr - heads,
				   rows->r[i].tree_id, &n);
		if (text && !n && !gt_row_matches(&rows->r[i], text))
			continue;
		out[k++] = rows->r[i];
		if (kids) {
			memcpy(out + k, kids, n * sizeof(*out));
			k += n;
		}
	}
	free(rows->r);
	rows->r = out;
	rows->nr = k;
	rows->max = size;
	return 0;
}
