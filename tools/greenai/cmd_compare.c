// SPDX-License-Identifier: GPL-2.0
/*
 * greenai compare: a baseline against its optimised versions (pruned,
 * quantised, distilled, scheduled), from the ledger, in the columns of
 * the optimisation table of the Green Score paper.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "models.h"
#include "svg.h"
#include "table.h"

static const char cli_compare_help[] =
	"usage: greenai compare [--format table|csv|markdown|svg] [--ledger PATH]\n"
	"                       BASELINE MODEL...\n"
	"\n"
	"Compare models of the ledger with a baseline, as the Green Score\n"
	"paper's optimisation table does, a row per MODEL: its technique,\n"
	"accuracy retained (% of the baseline's), energy and CO2e reduction\n"
	"(%), and the change of the Green Score (%). Each model's figures are\n"
	"greenai report's: its completed runs summed, the latest accuracy.\n"
	"\n"
	"What the runs' tags say (greenai run --tag), the latest run's:\n"
	"  technique=NAME    the row's technique (else the model's name)\n"
	"  phase=P           training, inference, ...: models are compared\n"
	"                    within their phase. A phase's baseline is BASELINE\n"
	"                    when it is of that phase, else the first MODEL of\n"
	"                    it; the Baseline column says which\n"
	"A run's units=N and unit=NAME in $GREENAI_METRICS (the work it did:\n"
	"9000 predictions) make the figures per unit: when every run of a model\n"
	"and of its baseline has units, all of the same unit, energy and CO2e\n"
	"are compared per unit (their sums over the sums of units), else as\n"
	"totals; the Per column says which.\n"
	"\n"
	"A figure that needs an accuracy is left empty when a model has none.\n"
	"The last column is the idle policy the runs' energy was split under\n"
	"(greenai run --idle); figures split under different policies do not\n"
	"compare, and a warning says so. --format svg draws a bar chart of\n"
	"each of the four figures per phase, a bar per technique (a reduction\n"
	"below zero is a rise: its value is shown, with no bar).\n"
	"\n"
	"Exit status: 0; 1 when a model is not in the ledger, a phase has no\n"
	"model to compare with its baseline, or the ledger cannot be read; 2\n"
	"for bad usage.\n";

#define CMP_TAG_MAX	128

struct cmp_model {
	const struct cli_model_sum *m;
	char technique[CMP_TAG_MAX];	/* "" until a tag says */
	char phase[CMP_TAG_MAX];	/* "" when no run says */
	char unit[CMP_TAG_MAX];
	bool unit_mixed;		/* its runs name different units */
	double units;			/* summed over its runs */
	unsigned int runs_with_units, runs_without_units;
	const struct cmp_model *base;	/* its phase's baseline */
};

struct cmp {
	struct cmp_model *c;
	unsigned int nr;
};

static const char *cmp_tag(const struct ga_run *run, const char *key)
{
	unsigned int i;

	for (i = 0; i < run->nr_tags; i++)
		if (!strcmp(run->tags[i].key, key))
			return run->tags[i].value;
	return NULL;
}

/* A completed run's tags (the latest's win) and units, to its model. */
static int cmp_add_run(const struct ga_run *run, void *arg)
{
	struct cmp *cs = arg;
	const char *v;
	unsigned int i;

	if (run->status != GA_RUN_DONE || !run->model)
		return 0;
	for (i = 0; i < cs->nr; i++) {
		struct cmp_model *c = &cs->c[i];

		if (strcmp(c->m->name, run->model))
			continue;
		v = cmp_tag(run, "technique");
		if (v)
			snprintf(c->technique, sizeof(c->technique), "%s", v);
		v = cmp_tag(run, "phase");
		if (v)
			snprintf(c->phase, sizeof(c->phase), "%s", v);
		v = run->unit ? run->unit : "";
		if (c->runs_with_units + c->runs_without_units &&
		    strcmp(c->unit, v))
			c->unit_mixed = true;
		snprintf(c->unit, sizeof(c->unit), "%s", v);
		if (!run->has_units || run->units <= 0)
			c->runs_without_units++;
		if (run->has_units && run->units > 0) {
			c->units += run->units;
			c->runs_with_units++;
		}
	}
	return 0;
}

static int cmp_per_unit(const struct cmp_model *c)
{
	return c->runs_with_units && c->runs_with_units == c->m->runs;
}

/*
 * Whether @c and its baseline compare per unit: every run of both says
 * its units, and all of them count the same unit.
 */
static int cmp_same_units(const struct cmp_model *c)
{
	return cmp_per_unit(c) && cmp_per_unit(c->base) && !c->unit_mixed &&
	       !c->base->unit_mixed && !strcmp(c->unit, c->base->unit);
}

/*
 * Each model's baseline: BASELINE (c[0]) for its phase, else the first
 * model of the phase. A phase with a baseline and nothing else is an
 * error: its model has nothing to be compared with.
 */
static int cmp_baselines(struct cmp *cs)
{
	unsigned int i, j;
	int r = 0;

	for (i = 0; i < cs->nr; i++) {
		struct cmp_model *c = &cs->c[i];

		if (!strcmp(c->phase, cs->c[0].phase)) {
			c->base = &cs->c[0];
			continue;
		}
		for (j = 1; j < i && strcmp(cs->c[j].phase, c->phase); j++)
			;
		c->base = &cs->c[j];
	}
	for (i = 1; i < cs->nr; i++) {
		const struct cmp_model *c = &cs->c[i];
		unsigned int others = 0;

		if (c->base != c)
			continue;
		for (j = 1; j < cs->nr; j++)
			others += cs->c[j].base == c && j != i;
		if (!others) {
			fprintf(stderr, "greenai compare: model '%s' is of phase '%s', which has no other model: nothing to compare it with (the first model of a phase other than BASELINE's is that phase's baseline)\n",
				c->m->name, c->phase);
			r = -EINVAL;
		}
	}
	return r;
}

struct cmp_figures {
	int has_acc, has_energy, has_co2, has_score, per_unit;
	double acc, energy, co2, score;
	double energy_j;		/* the model's, per unit or total */
};

static void cmp_figures(const struct cmp_model *c, struct cmp_figures *f)
{
	const struct cli_model_sum *b = c->base->m, *p = c->m;
	double eb = b->energy_uj, ep = p->energy_uj;
	double cb = b->co2_ug, cp = p->co2_ug;

	memset(f, 0, sizeof(*f));
	f->per_unit = cmp_same_units(c);
	if (f->per_unit) {
		eb /= c->base->units;
		cb /= c->base->units;
		ep /= c->units;
		cp /= c->units;
	}
	f->energy_j = ep / 1e6;
	f->has_acc = b->has_accuracy && p->has_accuracy && b->accuracy_pct > 0;
	if (f->has_acc)
		f->acc = 100 * p->accuracy_pct / b->accuracy_pct;
	f->has_energy = eb > 0;
	if (f->has_energy)
		f->energy = 100 * (1 - ep / eb);
	f->has_co2 = cb > 0;
	if (f->has_co2)
		f->co2 = 100 * (1 - cp / cb);
	/* Green Score = accuracy / CO2e: the ratio of two is that of */
	/* accuracy over that of CO2e, per unit or not */
	f->has_score = b->has_score && p->has_score && b->score > 0 &&
		       cp > 0 && f->has_acc;
	if (f->has_score)
		f->score = 100 * (p->accuracy_pct * cb / (b->accuracy_pct * cp) -
				  1);
}

static void cmp_warn(const struct cmp_model *c, char *idle, size_t size)
{
	const struct cli_model_sum *b = c->base->m, *p = c->m;

	if (strcmp(b->idle, p->idle) || !strcmp(b->idle, "mixed")) {
		snprintf(idle, size, "%s vs %s", b->idle, p->idle);
		fprintf(stderr, "greenai compare: warning: the runs' energy was split under different idle policies (%s): the figures do not compare (%s, %s)\n",
			idle, b->name, p->name);
	} else {
		snprintf(idle, size, "%s", b->idle);
	}
	if (strcmp(b->weights, p->weights) || !strcmp(b->weights, "mixed"))
		fprintf(stderr, "greenai compare: warning: the runs' CPU energy was weighed differently (%s vs %s): the figures do not compare (%s, %s)\n",
			b->weights, p->weights, b->name, p->name);
	if (cmp_per_unit(c) != cmp_per_unit(c->base))
		fprintf(stderr, "greenai compare: warning: not every run says its units: the totals are compared (%s, %s)\n",
			b->name, p->name);
	else if (cmp_per_unit(c) && !cmp_same_units(c))
		fprintf(stderr, "greenai compare: warning: the runs count different units (%s%s vs %s%s): the totals are compared (%s, %s)\n",
			c->base->unit[0] ? c->base->unit : "unnamed",
			c->base->unit_mixed ? " and others" : "",
			c->unit[0] ? c->unit : "unnamed",
			c->unit_mixed ? " and others" : "", b->name, p->name);
}

/* Whether @c is a row of the table: not a phase's baseline. */
static int cmp_is_row(const struct cmp_model *c)
{
	return c->base != c;
}

static const char *cmp_technique(const struct cmp_model *c)
{
	return c->technique[0] ? c->technique : c->m->name;
}

static int cmp_table(const struct cmp *cs, enum cli_table_format format)
{
	static const char *const cols[] = {
		"Technique", "Phase", "Model", "Baseline",
		"Accuracy retained %", "Energy reduction %", "CO2 reduction %",
		"Green Score change %", "Energy J", "Per", "Idle policy",
	};
	const unsigned int nr_cols = sizeof(cols) / sizeof(cols[0]);
	char acc[32], en[32], co2[32], gs[32], ej[32], per[CMP_TAG_MAX + 8];
	char idle[40];
	const char *cells[sizeof(cols) / sizeof(cols[0])];
	struct cmp_figures f;
	struct cli_table t;
	unsigned int i;
	int r = 0;

	cli_table_init(&t, format, cols, nr_cols);
	for (i = 1; i < cs->nr && !r; i++) {
		const struct cmp_model *c = &cs->c[i];

		if (!cmp_is_row(c))
			continue;
		cmp_figures(c, &f);
		cmp_warn(c, idle, sizeof(idle));
		acc[0] = en[0] = co2[0] = gs[0] = '\0';
		if (f.has_acc)
			cli_table_num(&t, acc, sizeof(acc), f.acc);
		if (f.has_energy)
			cli_table_num(&t, en, sizeof(en), f.energy);
		if (f.has_co2)
			cli_table_num(&t, co2, sizeof(co2), f.co2);
		if (f.has_score)
			cli_table_num(&t, gs, sizeof(gs), f.score);
		cli_table_num(&t, ej, sizeof(ej), f.energy_j);
		if (f.per_unit)
			snprintf(per, sizeof(per), "%s",
				 c->unit[0] ? c->unit : "unit");
		else
			snprintf(per, sizeof(per), "%u run%s", c->m->runs,
				 c->m->runs == 1 ? "" : "s");
		cells[0] = cmp_technique(c);
		cells[1] = c->phase;
		cells[2] = c->m->name;
		cells[3] = c->base->m->name;
		cells[4] = acc;
		cells[5] = en;
		cells[6] = co2;
		cells[7] = gs;
		cells[8] = ej;
		cells[9] = per;
		cells[10] = idle;
		r = cli_table_add(&t, cells) ? CLI_EXIT_FAIL : 0;
	}
	if (!r)
		cli_table_print(&t, stdout);
	cli_table_free(&t);
	return r;
}

/*
 * Four charts per phase, in the order the phases come, each a bar per
 * row of that phase labelled with its technique.
 */
static int cmp_svg(const struct cmp *cs)
{
	static const char *const titles[] = {
		"Accuracy retained", "Energy reduction", "CO2e reduction",
		"Green Score change",
	};
	static const char *const units[] = {
		"% of the baseline's", "% less than the baseline",
		"% less than the baseline", "% up on the baseline",
	};
	char (*names)[32 + CMP_TAG_MAX];
	char title[CLI_MODEL_NAME_MAX + 64], idle[40];
	unsigned int i, j, k, m, r, off = 0, nr_ch = 0;
	struct cli_chart *ch;
	struct cmp_figures f;
	struct cli_bar *bars;

	bars = calloc(4 * cs->nr, sizeof(*bars));
	ch = calloc(4 * cs->nr, sizeof(*ch));
	names = calloc(4 * cs->nr, sizeof(*names));
	if (!bars || !ch || !names) {
		free(bars);
		free(ch);
		free(names);
		return CLI_EXIT_FAIL;
	}
	for (i = 1; i < cs->nr; i++) {
		const char *phase = cs->c[i].phase;

		if (!cmp_is_row(&cs->c[i]))
			continue;
		for (j = 1; j < i; j++)
			if (cmp_is_row(&cs->c[j]) &&
			    !strcmp(cs->c[j].phase, phase))
				break;
		if (j < i)
			continue;	/* its phase is drawn already */
		for (m = 0, j = i; j < cs->nr; j++)
			m += cmp_is_row(&cs->c[j]) &&
			     !strcmp(cs->c[j].phase, phase);
		for (r = 0, j = i; j < cs->nr; j++) {
			const struct cmp_model *c = &cs->c[j];

			if (!cmp_is_row(c) || strcmp(c->phase, phase))
				continue;
			cmp_figures(c, &f);
			cmp_warn(c, idle, sizeof(idle));
			for (k = 0; k < 4; k++)
				bars[off + k * m + r].label = cmp_technique(c);
			bars[off + r].value = f.acc;
			bars[off + r].known = f.has_acc;
			bars[off + m + r].value = f.energy;
			bars[off + m + r].known = f.has_energy;
			bars[off + 2 * m + r].value = f.co2;
			bars[off + 2 * m + r].known = f.has_co2;
			bars[off + 3 * m + r].value = f.score;
			bars[off + 3 * m + r].known = f.has_score;
			r++;
		}
		for (k = 0; k < 4; k++) {
			snprintf(names[nr_ch + k], sizeof(names[0]), "%s%s%s",
				 titles[k], phase[0] ? ", " : "", phase);
			ch[nr_ch + k] = (struct cli_chart){
				names[nr_ch + k], units[k], bars + off + k * m, m
			};
		}
		off += 4 * m;
		nr_ch += 4;
	}
	snprintf(title, sizeof(title),
		 "greenai compare: optimisations against their baselines (%s)",
		 cs->c[0].m->name);
	cli_svg_charts(stdout, title, ch, nr_ch);
	free(bars);
	free(ch);
	free(names);
	return 0;
}

static int cli_compare_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_table_format format = CLI_TABLE_TEXT;
	const char *ledger = NULL;
	struct cmp cs = { NULL, 0 };
	char err[4608];
	struct ga_ledger *l;
	struct cli_models ms;
	int c, r, i, j, svg = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			svg = !strcmp(optarg, "svg");
			if (!svg && cli_table_format_parse(optarg, &format))
				return cli_usage(&cli_cmd_compare,
						    "--format '%s': not table, csv, markdown or svg",
						    optarg);
			break;
		case 'l':
			ledger = optarg;
			break;
		case 'h':
			return cli_help(&cli_cmd_compare);
		default:
			return cli_bad_option(&cli_cmd_compare, argv);
		}
	}
	if (argc - optind < 2)
		return cli_usage(&cli_cmd_compare,
				    "a baseline and at least one model are needed: BASELINE MODEL...%s",
				    "");
	for (i = optind; i < argc; i++)
		for (j = optind; j < i; j++)
			if (!strcmp(argv[i], argv[j]))
				return cli_usage(&cli_cmd_compare,
						    "model '%s' is given twice",
						    argv[i]);
	r = cli_ledger(&cli_cmd_compare, &ledger);
	if (r)
		return r;
	if (ga_ledger_open(&l, ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai compare: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	r = cli_models_load(l, CLI_BY_MODEL, &ms);
	if (r) {
		fprintf(stderr, "greenai compare: %s\n", ga_ledger_error(l));
		ga_ledger_close(l);
		return CLI_EXIT_FAIL;
	}
	r = CLI_EXIT_FAIL;
	cs.c = calloc(argc - optind, sizeof(*cs.c));
	if (!cs.c)
		goto out;
	for (i = optind; i < argc; i++) {
		const struct cli_model_sum *m = cli_models_find(&ms, argv[i]);

		if (!m || !m->runs) {
			fprintf(stderr, "greenai compare: no completed run of model '%s' in the ledger\n",
				argv[i]);
			goto out;
		}
		cs.c[cs.nr++].m = m;
	}
	if (ga_ledger_for_each_run(l, cmp_add_run, &cs)) {
		fprintf(stderr, "greenai compare: %s\n", ga_ledger_error(l));
		goto out;
	}
	if (cmp_baselines(&cs))
		goto out;
	r = svg ? cmp_svg(&cs) : cmp_table(&cs, format);
out:
	free(cs.c);
	cli_models_free(&ms);
	ga_ledger_close(l);
	return r;
}

const struct cli_cmd cli_cmd_compare = {
	.name = "compare",
	.summary = "a baseline against its optimised versions, from the ledger",
	.help = cli_compare_help,
	.run = cli_compare_main,
};
