// SPDX-License-Identifier: GPL-2.0
/*
 * greenai report: the ledger per model, run or container, as a table,
 * CSV, Markdown, JSON or SVG bar charts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "json_out.h"
#include "models.h"
#include "svg.h"
#include "table.h"

static const char cli_report_help[] =
	"usage: greenai report [--by model|run|container]\n"
	"                      [--format table|csv|markdown|json|svg]\n"
	"                      [--ledger PATH]\n"
	"\n"
	"Print the ledger. --by model (the default): per model, its completed\n"
	"runs, accuracy % (the latest run's), energy in kWh and CO2e in kg\n"
	"(summed over its runs) and Green Score (accuracy % per kg CO2e).\n"
	"--by run: each run with its status, duration, energy, CO2e and\n"
	"accuracy. --by container: per container greenai ran in or measured\n"
	"(\"(host)\" for none), its runs, energy and CO2e; a run held by one\n"
	"that measured the whole container over its time counts once. Energy\n"
	"counts each run's domains without overlap.\n"
	"\n"
	"Formats: table (aligned text), csv (RFC 4180), markdown, json (an\n"
	"array: exact figures as integers, energy_uj and co2_ug, with kWh and\n"
	"kg beside them; --by run gives each run whole, domains, tags and\n"
	"metrics), svg (bar charts: CO2e per model and Green Score per model;\n"
	"CO2e per run or per container).\n"
	"\n"
	"Exit status: 0; 1 when the ledger cannot be read; 2 for bad usage.\n";

enum report_out {
	REPORT_TABLE,	/* table, csv, markdown: struct cli_table */
	REPORT_JSON,
	REPORT_SVG,
};

struct report_opts {
	const char *ledger;
	int by_run;
	enum cli_group_by by;
	enum report_out out;
	enum cli_table_format format;
};

static int report_parse_format(const char *name, struct report_opts *o)
{
	if (!strcmp(name, "json"))
		o->out = REPORT_JSON;
	else if (!strcmp(name, "svg"))
		o->out = REPORT_SVG;
	else if (!cli_table_format_parse(name, &o->format))
		o->out = REPORT_TABLE;
	else
		return -EINVAL;
	return 0;
}

static int report_parse(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->by_run = !strcmp(optarg, "run");
			if (!strcmp(optarg, "container"))
				o->by = CLI_BY_CONTAINER;
			else if (strcmp(optarg, "model") && !o->by_run)
				return cli_usage(&cli_cmd_report,
						    "--by '%s': not model, run or container",
						    optarg);
			break;
		case 'f':
			if (report_parse_format(optarg, o))
				return cli_usage(&cli_cmd_report,
						    "--format '%s': not table, csv, markdown, json or svg",
						    optarg);
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'h':
			cli_help(&cli_cmd_report);
			return -1;
		default:
			return cli_bad_option(&cli_cmd_report, argv);
		}
	}
	if (optind < argc)
		return cli_usage(&cli_cmd_report, "unexpected '%s'",
				    argv[optind]);
	return 0;
}

/* What --by run collects for JSON and SVG. */
struct report_runs {
	struct json_object *json;
	struct cli_bar *bars;
	char (*labels)[64];
	unsigned int nr, max;
};

static int report_run_bar(struct report_runs *rr, const struct ga_run *run)
{
	if (run->status != GA_RUN_DONE)
		return 0;
	if (rr->nr == rr->max) {
		unsigned int n = rr->max ? 2 * rr->max : 16;
		void *b = realloc(rr->bars, n * sizeof(*rr->bars));

		if (!b)
			return -ENOMEM;
		rr->bars = b;
		b = realloc(rr->labels, n * sizeof(*rr->labels));
		if (!b)
			return -ENOMEM;
		rr->labels = b;
		rr->max = n;
	}
	snprintf(rr->labels[rr->nr], sizeof(rr->labels[0]), "#%lld %s",
		 (long long)run->id, run->model ? run->model : "");
	rr->bars[rr->nr] = (struct cli_bar){ rr->labels[rr->nr],
					    run->co2_ug / 1e9, 1 };
	rr->nr++;
	return 0;
}

static int report_run_collect(const struct ga_run *run, void *arg)
{
	struct report_runs *rr = arg;

	if (rr->json)
		return json_object_array_add(rr->json, cli_run_json(run)) ?
			       -ENOMEM : 0;
	return report_run_bar(rr, run);
}

static int report_run_row(const struct ga_run *run, void *arg)
{
	struct cli_table *t = arg;
	char id[24], dur[32], kwh[32], kg[32], acc[32] = "";
	const char *cells[7] = { id, run->model ? run->model : "",
				 ga_run_status_name(run->status), dur, kwh, kg,
				 acc };

	snprintf(id, sizeof(id), "%lld", (long long)run->id);
	if (run->status == GA_RUN_DONE) {
		cli_table_num(t, dur, sizeof(dur),
			     (run->end_unix_ns - run->start_unix_ns) / 1e9);
		cli_table_num(t, kwh, sizeof(kwh),
			     cli_run_total_uj(run) / (double)GA_UJ_PER_KWH);
		cli_table_num(t, kg, sizeof(kg), run->co2_ug / 1e9);
	} else {
		dur[0] = kwh[0] = kg[0] = '\0';
	}
	if (run->has_accuracy)
		cli_table_num(t, acc, sizeof(acc), run->accuracy_pct);
	return cli_table_add(t, cells);
}

static int report_runs(struct ga_ledger *l, const struct report_opts *o)
{
	static const char *const cols[] = {
		"Run", "Model", "Status", "Duration s", "Energy kWh", "CO2 kg",
		"Accuracy %",
	};
	struct report_runs rr = { 0 };
	struct cli_chart chart = { "CO2e per run", "kg", NULL, 0 };
	struct cli_table t;
	int r;

	if (o->out == REPORT_TABLE) {
		cli_table_init(&t, o->format, cols, 7);
		r = ga_ledger_for_each_run(l, report_run_row, &t);
		if (!r)
			cli_table_print(&t, stdout);
		cli_table_free(&t);
		return r;
	}
	if (o->out == REPORT_JSON) {
		rr.json = json_object_new_array();
		if (!rr.json)
			return -ENOMEM;
	}
	r = ga_ledger_for_each_run(l, report_run_collect, &rr);
	if (!r && rr.json) {
		r = cli_json_print(rr.json, stdout);
		rr.json = NULL;
	} else if (!r) {
		chart.bars = rr.bars;
		chart.nr = rr.nr;
		cli_svg_charts(stdout, "greenai: CO2e per run", &chart, 1);
	}
	json_object_put(rr.json);
	free(rr.bars);
	free(rr.labels);
	return r;
}

static const char *report_sum_name(const struct cli_model_sum *m,
				   enum cli_group_by by)
{
	if (m->name[0])
		return m->name;
	return by == CLI_BY_MODEL ? "(none)" : "(host)";
}

static int report_sums_table(const struct cli_models *ms,
			     const struct report_opts *o)
{
	static const char *const model_cols[] = {
		"Model", "Runs", "Accuracy %", "Energy kWh", "CO2 kg",
		"Green Score",
	};
	static const char *const ct_cols[] = {
		"Container", "Runs", "Energy kWh", "CO2 kg",
	};
	int by_model = o->by == CLI_BY_MODEL;
	struct cli_table t;
	unsigned int i;
	int r = 0;

	cli_table_init(&t, o->format, by_model ? model_cols : ct_cols,
		      by_model ? 6 : 4);
	for (i = 0; !r && i < ms->nr; i++) {
		const struct cli_model_sum *m = &ms->m[i];
		char runs[16], acc[32] = "", kwh[32], kg[32], gs[32] = "";
		const char *mc[6] = { report_sum_name(m, o->by), runs, acc, kwh,
				      kg, gs };
		const char *cc[4] = { mc[0], runs, kwh, kg };

		snprintf(runs, sizeof(runs), "%u", m->runs);
		if (m->has_accuracy)
			cli_table_num(&t, acc, sizeof(acc), m->accuracy_pct);
		cli_table_num(&t, kwh, sizeof(kwh), m->energy_uj / (double)GA_UJ_PER_KWH);
		cli_table_num(&t, kg, sizeof(kg), m->co2_ug / 1e9);
		if (m->has_score)
			cli_table_num(&t, gs, sizeof(gs), m->score);
		r = cli_table_add(&t, by_model ? mc : cc);
	}
	if (!r)
		cli_table_print(&t, stdout);
	cli_table_free(&t);
	return r;
}

static int report_sums_svg(const struct cli_models *ms,
			   const struct report_opts *o)
{
	struct cli_bar *bars = calloc(2 * ms->nr + 1, sizeof(*bars));
	int by_model = o->by == CLI_BY_MODEL;
	struct cli_chart c[2] = {
		{ by_model ? "CO2e per model" : "CO2e per container", "kg",
		  bars, ms->nr },
		{ "Green Score per model", "% accuracy per kg CO2e",
		  bars + ms->nr, ms->nr },
	};
	unsigned int i;

	if (!bars)
		return -ENOMEM;
	for (i = 0; i < ms->nr; i++) {
		const struct cli_model_sum *m = &ms->m[i];

		bars[i] = (struct cli_bar){ report_sum_name(m, o->by),
					   m->co2_ug / 1e9, 1 };
		bars[ms->nr + i] = (struct cli_bar){ bars[i].label, m->score,
						    m->has_score };
	}
	cli_svg_charts(stdout,
		      by_model ? "greenai: CO2e and Green Score per model" :
				 "greenai: CO2e per container",
		      c, by_model ? 2 : 1);
	free(bars);
	return 0;
}

static int report_sums(struct ga_ledger *l, const struct report_opts *o)
{
	struct json_object *a;
	struct cli_models ms;
	unsigned int i;
	int r = cli_models_load(l, o->by, &ms);

	if (r)
		return r;
	switch (o->out) {
	case REPORT_TABLE:
		r = report_sums_table(&ms, o);
		break;
	case REPORT_SVG:
		r = report_sums_svg(&ms, o);
		break;
	case REPORT_JSON:
		a = json_object_new_array();
		for (i = 0; a && i < ms.nr; i++)
			if (json_object_array_add(a, cli_sum_json(&ms.m[i],
								 o->by)))
				break;
		r = a && i == ms.nr ? cli_json_print(a, stdout) : -ENOMEM;
		if (r)
			json_object_put(a);
		break;
	}
	cli_models_free(&ms);
	return r;
}

static int cli_report_main(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct ga_ledger *l;
	char err[4608];
	int r;

	r = report_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	r = cli_ledger(&cli_cmd_report, &o.ledger);
	if (r)
		return r;
	if (ga_ledger_open(&l, o.ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai report: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	r = o.by_run ? report_runs(l, &o) : report_sums(l, &o);
	if (r == -ENOMEM)
		fprintf(stderr, "greenai report: %s\n", strerror(ENOMEM));
	else if (r)
		fprintf(stderr, "greenai report: %s\n", ga_ledger_error(l));
	ga_ledger_close(l);
	return r ? CLI_EXIT_FAIL : 0;
}

const struct cli_cmd cli_cmd_report = {
	.name = "report",
	.summary = "the ledger per model or per run: energy, CO2e, Green Score",
	.help = cli_report_help,
	.run = cli_report_main,
};
