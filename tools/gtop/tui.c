// SPDX-License-Identifier: GPL-2.0
/*
 * gtop's screen (ncurses), in the habits of htop: a header of domains
 * with their power history, a table with a selected row, a key bar at the
 * bottom. Columns are dropped right to left when the terminal is narrow;
 * colours are the 8 basic ones, so 8- and 256-colour terminals alike
 * work, and none at all on a terminal without colour.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gtop.h"

enum gt_pair {
	GT_PAIR_HEAD = 1,	/* table header, key bar keys */
	GT_PAIR_SEL,		/* the selected row */
	GT_PAIR_EXITED,
	GT_PAIR_GRAPH,
	GT_PAIR_HOT,		/* a row drawing power now */
	GT_PAIR_LABEL,
};

struct gt_tui {
	struct gt_state *s;
	struct gt_opts *o;
	struct gt_rows rows;
	unsigned int sel, top;		/* selected row, first row shown */
	char follow[GT_KEY_MAX];	/* "" or the followed row's key */
	char filter[128];
	bool paused, help, editing, utf8;
	int table_y;			/* the table's header line */
	char message[160];
};

/* A column of the table: its width (0: the rest), from which width on. */
struct gt_column {
	enum gt_col col;
	const char *title;
	int width;
	int min_cols;
};

static const struct gt_column gt_columns[] = {
	{ GT_COL_PID, "PID", 7, 0 },
	{ GT_COL_POWER, "POWER W", 9, 0 },
	{ GT_COL_POWER_IDLE, "W+IDLE", 8, 0 },
	{ GT_COL_ENERGY, "ENERGY J", 11, 0 },
	{ GT_COL_CO2, "CO2 g", 9, 0 },
	{ GT_COL_CPU, "CPU%", 6, 0 },
	{ GT_COL_GPU, "GPU W", 7, 110 },
	{ GT_COL_MODEL, "MODEL", 14, 100 },
	{ GT_COL_FRAMEWORK, "FRAMEWORK", 12, 125 },
	{ GT_COL_CONTAINER, "CONTAINER", 20, 145 },
	{ GT_COL_NAME, "COMMAND", 0, 0 },
};

#define GT_NR_COLUMNS (sizeof(gt_columns) / sizeof(gt_columns[0]))

static const char *gt_name_title(enum gt_view v)
{
	static const char *const t[GT_VIEW_NR] = {
		[GT_VIEW_PROC] = "COMMAND",
		[GT_VIEW_CGROUP] = "CGROUP",
		[GT_VIEW_CONTAINER] = "CONTAINER",
		[GT_VIEW_MODEL] = "MODEL",
		[GT_VIEW_VM] = "VM",
	};

	return t[v];
}

static void gt_colours(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(GT_PAIR_HEAD, COLOR_BLACK, COLOR_GREEN);
	init_pair(GT_PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(GT_PAIR_EXITED, COLOR_RED, -1);
	init_pair(GT_PAIR_GRAPH, COLOR_GREEN, -1);
	init_pair(GT_PAIR_HOT, COLOR_YELLOW, -1);
	init_pair(GT_PAIR_LABEL, COLOR_CYAN, -1);
}

/* The last @width samples of @d as a bar graph, scaled to their maximum. */
static void gt_graph(const struct gt_tui *t, const struct gt_domain *d,
		     int width)
{
	static const char *const bars[] = { " ", "\u2581", "\u2582", "\u2583",
					    "\u2584", "\u2585", "\u2586",
					    "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#%@";
	unsigned int first, i;
	double max = 0;
	int n;

	first = d->nr_hist > (unsigned int)width ? d->nr_hist - width : 0;
	for (i = first; i < d->nr_hist; i++)
		if (d->hist[i] > max)
			max = d->hist[i];
	attron(COLOR_PAIR(GT_PAIR_GRAPH));
	for (n = 0; n < width - (int)(d->nr_hist - first); n++)
		addch(' ');
	for (i = first; i < d->nr_hist; i++) {
		int level = max > 0 ? (int)(d->hist[i] / max * 8 + 0.5) : 0;

		if (t->utf8)
			addstr(bars[level]);
		else
			addch(ascii[level * 9 / 8]);
	}
	attroff(COLOR_PAIR(GT_PAIR_GRAPH));
}

static int gt_draw_header(struct gt_tui *t)
{
	const struct gt_state *s = t->s;
	int y = 0, graph = COLS - 62;
	char idle[512];
	unsigned int i;

	mvprintw(y++, 0, "gtop  %s  %u processes, %u exited  up %.0f s%s",
		 ga_backend_name(s->g), s->nr_live, s->nr_exited, s->uptime_s,
		 t->paused ? "  [paused]" : "");
	if (!ga_domain_totals_shown(s->g))
		/* through the agent: the machine's energy is root's */
		mvprintw(y++, 0,
			 "machine: root's only; your processes below, at %u.%03u g/kWh (%s)",
			 s->grid.mg_per_kwh / 1000, s->grid.mg_per_kwh % 1000,
			 gt_grid_label(s));
	else
		mvprintw(y++, 0,
			 "machine %8.3f W  %12.3f J   CO2e %.3f g/h at %u.%03u g/kWh (%s)",
			 s->power_w, s->energy_uj / 1e6,
			 gt_co2_g_per_h(s),
			 s->grid.mg_per_kwh / 1000, s->grid.mg_per_kwh % 1000,
			 gt_grid_label(s));
	ga_idle_summary(s->g, idle, sizeof(idle));
	mvprintw(y++, 0, "idle policy %.*s", COLS > 12 ? COLS - 12 : 0, idle);
	for (i = 0; i < s->nr_domains && y < LINES / 3; i++) {
		const struct gt_domain *d = &s->dom[i];

		move(y++, 0);
		attron(COLOR_PAIR(GT_PAIR_LABEL));
		printw("%-14.14s", d->name);
		attroff(COLOR_PAIR(GT_PAIR_LABEL));
		if (!ga_domain_totals_shown(s->g)) {
			printw(" %s", d->provenance);
			continue;
		}
		printw(" %8.3f W %12.3f J %-9s ", d->power_w,
		       d->energy_uj / 1e6,
		       d->provenance);
		if (graph >= 8)
			gt_graph(t, d, graph);
	}
	if (i < s->nr_domains)
		mvprintw(y++, 0, "(%u more domains: a taller terminal shows them)",
			 s->nr_domains - i);
	for (i = 0; i < s->nr_domains; i++) {
		if (s->dom[i].estimate[0]) {
			mvprintw(y++, 0, "estimated: %s", s->dom[i].estimate);
			break;
		}
	}
	mvprintw(y++, 0, "view %s%s%s  sort %s %s%s%s%s%s",
		 gt_view_name(t->o->view), t->o->tree ? " (tree)" : "",
		 t->o->view == GT_VIEW_CGROUP ? ", with descendants" : "",
		 gt_col_name(t->o->sort), t->o->ascending ? "asc" : "desc",
		 t->filter[0] ? "  filter: " : "", t->filter,
		 t->follow[0] ? "  following " : "", t->follow);
	return y;
}

static void gt_draw_cell(const struct gt_column *c, const struct gt_row *r,
			 enum gt_view view, int width)
{
	char buf[GT_CMD_MAX + 16];

	switch (c->col) {
	case GT_COL_PID:
		if (view == GT_VIEW_PROC || r->depth)
			snprintf(buf, sizeof(buf), "%u", r->pid);
		else
			snprintf(buf, sizeof(buf), "%u", r->nr_procs);
		break;
	case GT_COL_POWER:
		snprintf(buf, sizeof(buf), "%.3f", r->power_w);
		break;
	case GT_COL_POWER_IDLE:
		snprintf(buf, sizeof(buf), "%.3f", r->power_idle_w);
		break;
	case GT_COL_ENERGY:
		snprintf(buf, sizeof(buf), "%.3f", r->energy_uj / 1e6);
		break;
	case GT_COL_CO2:
		snprintf(buf, sizeof(buf), "%.4f", r->co2_ug / 1e6);
		break;
	case GT_COL_CPU:
		snprintf(buf, sizeof(buf), "%.1f", r->cpu_pct);
		break;
	case GT_COL_GPU:
		snprintf(buf, sizeof(buf), "%.3f", r->gpu_w);
		break;
	case GT_COL_MODEL:
		snprintf(buf, sizeof(buf), "%s", r->model[0] ? r->model : "-");
		break;
	case GT_COL_FRAMEWORK:
		snprintf(buf, sizeof(buf), "%s",
			 r->framework[0] ? r->framework : "-");
		break;
	case GT_COL_CONTAINER:
		snprintf(buf, sizeof(buf), "%s",
			 r->container[0] ? r->container : "-");
		break;
	default:
		snprintf(buf, sizeof(buf), "%s%s%s", r->depth ? " `- " : "",
			 r->name, r->exited ? " <exited>" : "");
		printw(" %-.*s", width > 1 ? width - 1 : 0, buf);
		return;
	}
	if (c->col >= GT_COL_MODEL)
		printw(" %-*.*s", c->width - 1, c->width - 1, buf);
	else
		printw("%*.*s", c->width, c->width, buf);
}

static bool gt_column_shown(const struct gt_column *c)
{
	return COLS >= c->min_cols;
}

static void gt_draw_table(struct gt_tui *t, int y)
{
	int height = LINES - y - 2, x = 0, i;
	unsigned int k, j;

	t->table_y = y;
	if (height < 1)
		return;
	move(y, 0);
	attron(COLOR_PAIR(GT_PAIR_HEAD) | A_BOLD);
	for (k = 0; k < GT_NR_COLUMNS; k++) {
		const struct gt_column *c = &gt_columns[k];
		const char *title = c->col == GT_COL_NAME ?
			gt_name_title(t->o->view) :
			c->col == GT_COL_PID && t->o->view != GT_VIEW_PROC ?
			"PROCS" : c->title;

		if (!gt_column_shown(c))
			continue;
		if (c->col == GT_COL_NAME)
			printw(" %-*s", COLS - x - 1 > 0 ? COLS - x - 1 : 0,
			       title);
		else if (c->col >= GT_COL_MODEL)
			printw(" %-*s", c->width - 1, title);
		else
			printw("%*s", c->width, title);
		x += c->width;
	}
	attroff(COLOR_PAIR(GT_PAIR_HEAD) | A_BOLD);
	y++;
	if (t->sel >= t->rows.nr)
		t->sel = t->rows.nr ? t->rows.nr - 1 : 0;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (unsigned int)height)
		t->top = t->sel - height + 1;
	for (i = 0; i < height && t->top + i < t->rows.nr; i++) {
		const struct gt_row *r = &t->rows.r[t->top + i];
		int attr = t->top + i == t->sel ? COLOR_PAIR(GT_PAIR_SEL) :
			   r->exited ? COLOR_PAIR(GT_PAIR_EXITED) :
			   r->power_w >= 1 ? COLOR_PAIR(GT_PAIR_HOT) : 0;

		move(y + i, 0);
		attron(attr);
		for (j = 0, x = 0; j < GT_NR_COLUMNS; j++) {
			if (!gt_column_shown(&gt_columns[j]))
				continue;
			gt_draw_cell(&gt_columns[j], r, t->o->view, COLS - x);
			x += gt_columns[j].width;
		}
		if (t->top + i == t->sel)
			clrtoeol();
		attroff(attr);
	}
}

static void gt_draw_keys(struct gt_tui *t)
{
	static const char *const keys[][2] = {
		{ "F1", "Help" }, { "/", "Filter" }, { "F5", "Tree" },
		{ "F6", "SortBy" }, { "v", "View" }, { "f", "Follow" },
		{ "Spc", "Pause" }, { "F10", "Quit" },
	};
	unsigned int i;

	move(LINES - 1, 0);
	clrtoeol();
	if (t->editing) {
		printw("Filter: %s", t->filter);
		return;
	}
	if (t->message[0]) {
		printw("%s", t->message);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		attron(A_BOLD);
		printw("%s", keys[i][0]);
		attroff(A_BOLD);
		attron(COLOR_PAIR(GT_PAIR_HEAD));
		printw("%-7s", keys[i][1]);
		attroff(COLOR_PAIR(GT_PAIR_HEAD));
	}
}

static void gt_draw_help(void)
{
	static const char *const lines[] = {
		"gtop help: the live energy view",
		"",
		"  Up/Down, PgUp/PgDn, Home/End   move the selection",
		"  v, Tab        next view: process, cgroup, container, model, vm",
		"  t, F5         tree: each cgroup's processes under it",
		"  >, F6         sort by the next column;  i  invert the order",
		"  P E C M N     sort by power, energy, CO2e, CPU %, name",
		"  /, F3         filter (any column); Enter keeps it, Esc clears",
		"  f             follow the selected row as it moves",
		"  space         pause; the figures stay still",
		"  F1, h, ?      this help",
		"  mouse         a click on a title sorts by it, on a row selects it",
		"  q, F10        quit",
		"",
		"POWER W is the power drawn by what a row ran; W+IDLE adds its",
		"share of the machine's idle power. ENERGY J and CO2 g count since",
		"gtop started. Red rows have exited: they stay for --keep seconds.",
		"",
		"Press any key to go back.",
	};
	unsigned int i;

	erase();
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mvprintw(i, 0, "%s", lines[i]);
}

static void gt_draw(struct gt_tui *t)
{
	erase();
	if (t->help)
		gt_draw_help();
	else
		gt_draw_table(t, gt_draw_header(t));
	if (!t->help)
		gt_draw_keys(t);
	refresh();
}

static int gt_rebuild(struct gt_tui *t)
{
	struct gt_filter f = t->o->filter;
	unsigned int i;
	int r;

	f.text = t->filter[0] ? t->filter : NULL;
	r = gt_rows_build(t->s, t->o->view, t->o->tree, &f, &t->rows);
	if (r)
		return r;
	if (t->o->tree)
		r = gt_rows_tree(&t->rows, t->o->sort, t->o->ascending, f.text);
	else if (t->follow[0] || t->sel >= (unsigned int)LINES)
		gt_rows_sort(&t->rows, t->o->sort, t->o->ascending);
	else
		/* what a screen from the top shows: the rest need no order */
		gt_rows_top(&t->rows, t->o->sort, t->o->ascending,
			    t->top + LINES);
	if (t->follow[0])
		for (i = 0; i < t->rows.nr; i++)
			if (!strcmp(t->rows.r[i].key, t->follow))
				t->sel = i;
	return r;
}

static void gt_set_sort(struct gt_tui *t, enum gt_col col)
{
	t->o->sort = col;
	t->o->ascending = col >= GT_COL_MODEL || col == GT_COL_PID;
}

/* A key while the filter is being typed. */
static void gt_filter_key(struct gt_tui *t, int ch)
{
	size_t n = strlen(t->filter);

	if (ch == '\n' || ch == KEY_ENTER) {
		t->editing = false;
	} else if (ch == 27) {
		t->filter[0] = '\0';
		t->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			t->filter[n - 1] = '\0';
	} else if (ch >= 32 && ch < 127 && n < sizeof(t->filter) - 1) {
		t->filter[n] = ch;
		t->filter[n + 1] = '\0';
	}
}

/* The column under @x on the table's header line; GT_COL_NR if none. */
static enum gt_col gt_column_at(int x)
{
	unsigned int k;
	int left = 0;

	for (k = 0; k < GT_NR_COLUMNS; k++) {
		if (!gt_column_shown(&gt_columns[k]))
			continue;
		if (!gt_columns[k].width || x < left + gt_columns[k].width)
			return gt_columns[k].col;
		left += gt_columns[k].width;
	}
	return GT_COL_NR;
}

/* A click: on the header, sort by that column; on a row, select it. */
static void gt_mouse(struct gt_tui *t)
{
	MEVENT ev;
	enum gt_col col;

	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED |
						  BUTTON1_PRESSED)))
		return;
	if (ev.y == t->table_y) {
		col = gt_column_at(ev.x);
		if (col == t->o->sort)
			t->o->ascending = !t->o->ascending;
		else if (col != GT_COL_NR)
			gt_set_sort(t, col);
	} else if (ev.y > t->table_y && ev.y < LINES - 1) {
		t->sel = t->top + ev.y - t->table_y - 1;
		t->follow[0] = '\0';
	}
}

/* A key; false to quit. */
static bool gt_key(struct gt_tui *t, int ch)
{
	int page = LINES > 8 ? LINES - 8 : 1;

	t->message[0] = '\0';
	if (t->help) {
		t->help = false;
		return true;
	}
	if (t->editing) {
		gt_filter_key(t, ch);
		return true;
	}
	switch (ch) {
	case 'q':
	case KEY_F(10):
		return false;
	case KEY_UP:
	case 'k':
		t->sel -= t->sel > 0;
		t->follow[0] = '\0';
		break;
	case KEY_DOWN:
	case 'j':
		t->sel++;
		t->follow[0] = '\0';
		break;
	case KEY_PPAGE:
		t->sel = t->sel > (unsigned int)page ? t->sel - page : 0;
		break;
	case KEY_NPAGE:
		t->sel += page;
		break;
	case KEY_HOME:
		t->sel = 0;
		break;
	case KEY_END:
		t->sel = t->rows.nr ? t->rows.nr - 1 : 0;
		break;
	case 'v':
	case '\t':
		t->o->view = (t->o->view + 1) % GT_VIEW_NR;
		t->o->tree = false;
		t->sel = t->top = 0;
		break;
	case 't':
	case KEY_F(5):
		t->o->tree = !t->o->tree;
		if (t->o->tree)
			t->o->view = GT_VIEW_CGROUP;
		break;
	case '>':
	case KEY_F(6):
		gt_set_sort(t, (t->o->sort + 1) % GT_COL_NR);
		break;
	case 'i':
		t->o->ascending = !t->o->ascending;
		break;
	case 'P':
		gt_set_sort(t, GT_COL_POWER);
		break;
	case 'E':
		gt_set_sort(t, GT_COL_ENERGY);
		break;
	case 'C':
		gt_set_sort(t, GT_COL_CO2);
		break;
	case 'M':
		gt_set_sort(t, GT_COL_CPU);
		break;
	case 'N':
		gt_set_sort(t, GT_COL_NAME);
		break;
	case '/':
	case KEY_F(3):
		t->editing = true;
		break;
	case 27:
		t->filter[0] = '\0';
		break;
	case 'f':
		if (t->follow[0])
			t->follow[0] = '\0';
		else if (t->sel < t->rows.nr)
			snprintf(t->follow, sizeof(t->follow), "%s",
				 t->rows.r[t->sel].key);
		break;
	case ' ':
		t->paused = !t->paused;
		break;
	case 'h':
	case '?':
	case KEY_F(1):
		t->help = true;
		break;
	case KEY_MOUSE:
		gt_mouse(t);
		break;
	case KEY_RESIZE:
		break;
	default:
		snprintf(t->message, sizeof(t->message),
			 "unknown key: F1, h or ? for help");
	}
	return true;
}

/* When the next refresh is due, -d from now. */
static __u64 gt_deadline(const struct gt_opts *o)
{
	return ga_mono_ns() + (__u64)(o->delay_s * 1e9);
}

/**
 * gt_tui_run() - the screen, until q (or -n refreshes)
 * @s: gtop's state, refreshed once
 * @o: the options; views and sorting change with keys
 *
 * Return: the exit status.
 */
int gt_tui_run(struct gt_state *s, struct gt_opts *o)
{
	struct gt_tui t = { .s = s, .o = o };
	unsigned long done = 0;
	bool dirty = true;
	__u64 next;
	int r = 0;

	setlocale(LC_ALL, "");
	t.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (!initscr()) {
		fputs("gtop: cannot start the screen (TERM?); try gtop -b\n",
		      stderr);
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);	/* a press acts at once */
	gt_colours();
	next = gt_deadline(o);
	r = gt_rebuild(&t);
	timeout(0);	/* getch() takes a key already there, never waits */
	while (!r) {
		int ch, n;

		if (dirty)
			gt_draw(&t);
		dirty = false;
		ch = getch();
		if (ch != ERR) {
			if (!gt_key(&t, ch))
				break;
			r = gt_rebuild(&t);
			dirty = true;
			continue;
		}
		/* a key, a signal (a resize) or the refresh; the exit ring
		 * is drained meanwhile (ga_wait()) */
		n = ga_wait(s->g, next, STDIN_FILENO);
		if (n == 1 || n == -EINTR)
			continue;
		if (n < 0) {
			r = n;
			break;
		}
		dirty = true;
		next = gt_deadline(o);
		if (t.paused)
			continue;
		r = gt_refresh(s);
		r = r ?: gt_rebuild(&t);
		if (o->iterations && ++done >= o->iterations)
			break;
	}
	endwin();
	gt_rows_free(&t.rows);
	if (r) {
		fprintf(stderr, "gtop: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
