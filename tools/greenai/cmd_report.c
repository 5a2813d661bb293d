// SPDX-License-Identifier: GPL-2.0
/*
 * greenai report: the ledger per model or per run, as a table, CSV or
 * Markdown.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "greenai.h"
#include "ledger.h"
#include "models.h"
#include "table.h"

#define UJ_PER_KWH	3600000000000.0

static const char ga_report_help[] =
	"usage: greenai report [--by model|run] [--format table|csv|markdown]\n"
	"                      [--ledger PATH]\n"
	"\n"
	"Print the ledger. --by model (the default): per model, its completed\n"
	"runs, accuracy % (the latest run's), energy in kWh and CO2e in kg\n"
	"(summed over its runs) and Green Score (accuracy % per kg CO2e).\n"
	"--by run: each run with its status, duration, energy, CO2e and\n"
	"accuracy. Energy counts each run's domains without overlap.\n"
	"\n"
	"Exit status: 0; 1 when the ledger cannot be read; 2 for bad usage.\n";

struct report_opts {
	const char *ledger;
	int by_run;
	enum ga_table_format format;
};

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
			if (strcmp(optarg, "model") && strcmp(optarg, "run"))
				return ga_cli_usage(&ga_cmd_report,
						    "--by '%s': not model or run",
						    optarg);
			o->by_run = !strcmp(optarg, "run");
			break;
		case 'f':
			if (ga_table_format_parse(optarg, &o->format))
				return ga_cli_usage(&ga_cmd_report,
						    "--format '%s': not table, csv or markdown",
						    optarg);
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'h':
			ga_cli_help(&ga_cmd_report);
			return -1;
		default:
			return ga_cli_bad_option(&ga_cmd_report, argv);
		}
	}
	if (optind < argc)
		return ga_cli_usage(&ga_cmd_report, "unexpected '%s'",
				    argv[optind]);
	return 0;
}

static int report_run_row(const struct ga_run *run, void *arg)
{
	struct ga_table *t = arg;
	char id[24], dur[32], kwh[32], kg[32], acc[32] = "";
	const char *cells[7] = { id, run->model ? run->model : "",
				 ga_run_status_name(run->status), dur, kwh, kg,
				 acc };

	snprintf(id, sizeof(id), "%lld", (long long)run->id);
	if (run->status == GA_RUN_DONE) {
		ga_table_num(t, dur, sizeof(dur),
			     (run->end_unix_ns - run->start_unix_ns) / 1e9);
		ga_table_num(t, kwh, sizeof(kwh),
			     ga_run_total_uj(run) / UJ_PER_KWH);
		ga_table_num(t, kg, sizeof(kg), run->co2_ug / 1e9);
	} else {
		dur[0] = kwh[0] = kg[0] = '\0';
	}
	if (run->has_accuracy)
		ga_table_num(t, acc, sizeof(acc), run->accuracy_pct);
	return ga_table_add(t, cells);
}

static int report_models(struct ga_ledger *l, struct ga_table *t)
{
	struct ga_models ms;
	unsigned int i;
	int r = ga_models_load(l, &ms);

	for (i = 0; !r && i < ms.nr; i++) {
		const struct ga_model_sum *m = &ms.m[i];
		char runs[16], acc[32] = "", kwh[32], kg[32], gs[32] = "";
		const char *cells[6] = { m->name[0] ? m->name : "(none)", runs,
					 acc, kwh, kg, gs };

		snprintf(runs, sizeof(runs), "%u", m->runs);
		if (m->has_accuracy)
			ga_table_num(t, acc, sizeof(acc), m->accuracy_pct);
		ga_table_num(t, kwh, sizeof(kwh), m->energy_uj / UJ_PER_KWH);
		ga_table_num(t, kg, sizeof(kg), m->co2_ug / 1e9);
		if (m->has_score)
			ga_table_num(t, gs, sizeof(gs), m->score);
		r = ga_table_add(t, cells);
	}
	ga_models_free(&ms);
	return r;
}

static int ga_report_main(int argc, char **argv)
{
	static const char *const run_cols[] = {
		"Run", "Model", "Status", "Duration s", "Energy kWh", "CO2 kg",
		"Accuracy %",
	};
	static const char *const model_cols[] = {
		"Model", "Runs", "Accuracy %", "Energy kWh", "CO2 kg",
		"Green Score",
	};
	struct report_opts o = { 0 };
	struct ga_ledger *l;
	struct ga_table t;
	char err[4608];
	int r;

	r = report_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (ga_ledger_open(&l, o.ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai report: %s\n", err);
		return GA_EXIT_FAIL;
	}
	if (o.by_run) {
		ga_table_init(&t, o.format, run_cols, 7);
		r = ga_ledger_for_each_run(l, report_run_row, &t);
	} else {
		ga_table_init(&t, o.format, model_cols, 6);
		r = report_models(l, &t);
	}
	if (r)
		fprintf(stderr, "greenai report: %s\n", ga_ledger_error(l));
	else
		ga_table_print(&t, stdout);
	ga_table_free(&t);
	ga_ledger_close(l);
	return r ? GA_EXIT_FAIL : 0;
}

const struct ga_cmd ga_cmd_report = {
	.name = "report",
	.summary = "the ledger per model or per run: energy, CO2e, Green Score",
	.help = ga_report_help,
	.run = ga_report_main,
};
