/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gtop: the live energy view. One refresh samples libgreenai, turns the
 * totals since gtop started into rows (tracker.c: processes, which stay
 * listed a while after they exit, and their sums per cgroup, container and
 * ML model), then shows them: a screen (tui.c, ncurses) or text and JSON
 * lines for scripts (batch.c). The VM view's rows are libgreenai's census
 * of VMs (vms.h), updated at each refresh. Rows are built for one view, filtered and
 * sorted (rows.c).
 */
#ifndef _GTOP_H
#define _GTOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <greenai/libgreenai.h>

#define GT_HISTORY	120	/* power samples kept per domain */
#define GT_KEY_MAX	256
#define GT_CMD_MAX	512

enum gt_view {
	GT_VIEW_PROC,
	GT_VIEW_CGROUP,
	GT_VIEW_CONTAINER,
	GT_VIEW_MODEL,
	GT_VIEW_VM,		/* virtual machines: their processes (vms.h) */
	GT_VIEW_NR,
};

enum gt_col {
	GT_COL_PID,
	GT_COL_POWER,		/* W, active */
	GT_COL_POWER_IDLE,	/* W, with the idle share */
	GT_COL_ENERGY,		/* J since gtop started */
	GT_COL_CO2,		/* g */
	GT_COL_CPU,		/* % of one CPU */
	GT_COL_GPU,		/* W on GPUs */
	GT_COL_MODEL,
	GT_COL_FRAMEWORK,
	GT_COL_CONTAINER,
	GT_COL_NAME,		/* command, cgroup, container, model */
	GT_COL_NR,
};

/*
 * A row of a view: a process, or the sum of a cgroup, container, model.
 * Its strings ("" for none) are the tracker's, valid until gt_refresh().
 */
struct gt_row {
	const char *key;		/* what it is, for following it */
	uint32_t pid;			/* processes */
	unsigned int nr_procs;		/* sums: processes live in it */
	bool exited;			/* processes: gone, kept a while */
	unsigned int depth;		/* tree view: 1 for a cgroup's process */
	uint64_t tree_id;		/* tree view: the cgroup it is under */
	double power_w, power_idle_w, gpu_w, cpu_pct;
	uint64_t energy_uj;
	uint64_t co2_ug;
	/*
	 * cgroups: the figures above are the cgroup's with its descendants';
	 * these, of its own processes alone
	 */
	bool has_own;
	uint64_t own_energy_uj;
	double own_power_w;
	const char *model;
	const char *framework;
	const char *container;
	const char *name;
};

struct gt_rows {
	struct gt_row *r;
	unsigned int nr, max;
};

/* A domain in the header: power now, history, energy since start. */
struct gt_domain {
	char name[GREENAI_NAME_LEN];
	bool estimated, in_total;
	const char *provenance;	/* ga_domain_provenance(): "measured", ... */
	char estimate[512];	/* ga_domain_estimate(): "" when measured */
	double power_w;
	double hist[GT_HISTORY];	/* oldest first */
	unsigned int nr_hist;
	uint64_t energy_uj;
};

struct gt_tracker;

struct gt_state {
	struct ga_ctx *g;
	struct gt_tracker *t;
	struct ga_config cfg;
	char model_from[GA_SETTINGS_FROM_MAX];	/* the power model's, if given */
	struct ga_grid grid;		/* the grid intensity in force */
	double interval_s;		/* of the last refresh */
	double uptime_s;		/* since gtop started */
	unsigned int nr_domains;
	struct gt_domain dom[GREENAI_MAX_DOMAINS];
	double power_w;			/* machine, domains in the total */
	uint64_t energy_uj;
	unsigned int nr_live, nr_exited;
};

struct gt_filter {
	int32_t pid;			/* -p, 0: any */
	const char *cgroup;		/* -c: path prefix */
	const char *model;		/* --model */
	const char *text;		/* the '/' filter: any column */
};

/* What the command line asked for; the screen changes some of it. */
struct gt_opts {
	double delay_s;			/* -d */
	unsigned long iterations;	/* -n, 0: until quit */
	bool batch, json;
	enum gt_view view;
	bool tree;
	enum gt_col sort;
	bool ascending;
	struct gt_filter filter;
	double keep_exited_s;
};

/* What the grid intensity is, in a few characters: its region, else
 * where a live figure is from, else "given". */
static inline const char *gt_grid_label(const struct gt_state *s)
{
	if (s->grid.region[0])
		return s->grid.region;
	return s->grid.live ? s->grid.source : "given";
}

/* The machine's CO2e now, g/h: its power at the intensity in force. */
static inline double gt_co2_g_per_h(const struct gt_state *s)
{
	return s->power_w * 3600 / GA_J_PER_KWH * s->grid.mg_per_kwh / 1000.0;
}

/* tui.c */
int gt_tui_run(struct gt_state *s, struct gt_opts *o);

/* tracker.c */
int gt_tracker_new(struct gt_tracker **out, struct ga_ctx *g,
		   double keep_exited_s);
void gt_tracker_free(struct gt_tracker *t);
void gt_tracker_want_vms(struct gt_tracker *t);
int gt_refresh(struct gt_state *s);
int gt_rows_build(struct gt_state *s, enum gt_view view, bool tree,
		  const struct gt_filter *f, struct gt_rows *out);

/* rows.c */
void gt_rows_sort(struct gt_rows *rows, enum gt_col col, bool ascending);
void gt_rows_top(struct gt_rows *rows, enum gt_col col, bool ascending,
		 unsigned int k);
int gt_rows_tree(struct gt_rows *rows, enum gt_col col, bool ascending,
		 const char *text);
int gt_rows_add(struct gt_rows *rows, const struct gt_row *row);
void gt_rows_free(struct gt_rows *rows);
bool gt_row_matches(const struct gt_row *r, const char *text);
const char *gt_view_name(enum gt_view v);
int gt_view_parse(const char *name, enum gt_view *out);
const char *gt_col_name(enum gt_col c);
int gt_col_parse(const char *name, enum gt_col *out);

/* batch.c */
void gt_batch_text(FILE *f, const struct gt_state *s,
		   const struct gt_rows *rows, enum gt_view view,
		   unsigned int max_rows);
int gt_batch_json(FILE *f, const struct gt_state *s,
		  const struct gt_rows *rows, enum gt_view view);

#endif /* _GTOP_H */
