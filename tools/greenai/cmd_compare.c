// SPDX-License-Identifier: GPL-2.0
/*
 * greenai compare: a model against its optimised version (pruned,
 * quantised, distilled), from the ledger.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "models.h"
#include "table.h"

static const char cli_compare_help[] =
	"usage: greenai compare [--format table|csv|markdown] [--ledger PATH]\n"
	"                       BASELINE OPTIMISED\n"
	"\n"
	"Compare two models of the ledger, as the source paper's optimisation\n"
	"table does: accuracy retained (% of the baseline's), energy and CO2e\n"
	"reduction (%), and the change of the Green Score (%). Each model's\n"
	"figures are greenai report's. A figure that needs an accuracy is left\n"
	"empty when a model has none. The last column is the idle policy the\n"
	"runs' energy was split under (greenai run --idle); figures split under\n"
	"different policies do not compare, and a warning says so.\n"
	"\n"
	"Exit status: 0; 1 when a model is not in the ledger or it cannot be\n"
	"read; 2 for bad usage.\n";

static const struct cli_model_sum *compare_find(const struct cli_models *ms,
					       const char *name)
{
	const struct cli_model_sum *m = cli_models_find(ms, name);

	if (!m || !m->runs) {
		fprintf(stderr, "greenai compare: no completed run of model '%s' in the ledger\n",
			name);
		return NULL;
	}
	return m;
}

static int cli_compare_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const cols[] = {
		"Baseline", "Optimised", "Accuracy retained %",
		"Energy reduction %", "CO2 reduction %", "Green Score change %",
		"Idle policy",
	};
	enum cli_table_format format = CLI_TABLE_TEXT;
	const struct cli_model_sum *b, *p;
	char acc[32] = "", en[32] = "", co2[32] = "", gs[32] = "";
	const char *ledger = NULL, *cells[7];
	char idle[40];
	char err[4608];
	struct ga_ledger *l;
	struct cli_models ms;
	struct cli_table t;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_table_format_parse(optarg, &format))
				return cli_usage(&cli_cmd_compare,
						    "--format '%s': not table, csv or markdown",
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
	if (argc - optind != 2)
		return cli_usage(&cli_cmd_compare,
				    "two models are needed, BASELINE OPTIMISED%s",
				    "");
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
	b = compare_find(&ms, argv[optind]);
	p = compare_find(&ms, argv[optind + 1]);
	r = CLI_EXIT_FAIL;
	if (!b || !p)
		goto out;
	cli_table_init(&t, format, cols, 7);
	if (b->has_accuracy && p->has_accuracy && b->accuracy_pct > 0)
		cli_table_num(&t, acc, sizeof(acc),
			     100 * p->accuracy_pct / b->accuracy_pct);
	if (b->energy_uj)
		cli_table_num(&t, en, sizeof(en),
			     100 * (1 - (double)p->energy_uj / b->energy_uj));
	if (b->co2_ug)
		cli_table_num(&t, co2, sizeof(co2),
			     100 * (1 - (double)p->co2_ug / b->co2_ug));
	if (b->has_score && p->has_score && b->score > 0)
		cli_table_num(&t, gs, sizeof(gs),
			     100 * (p->score / b->score - 1));
	cells[0] = b->name;
	cells[1] = p->name;
	cells[2] = acc;
	cells[3] = en;
	cells[4] = co2;
	cells[5] = gs;
	if (strcmp(b->idle, p->idle) || !strcmp(b->idle, "mixed")) {
		snprintf(idle, sizeof(idle), "%s vs %s", b->idle, p->idle);
		fprintf(stderr, "greenai compare: warning: the runs' energy was split under different idle policies (%s): the figures do not compare\n",
			idle);
	} else {
		snprintf(idle, sizeof(idle), "%s", b->idle);
	}
	if (strcmp(b->weights, p->weights) || !strcmp(b->weights, "mixed"))
		fprintf(stderr, "greenai compare: warning: the runs' CPU energy was weighed differently (%s vs %s): the figures do not compare\n",
			b->weights, p->weights);
	cells[6] = idle;
	r = cli_table_add(&t, cells) ? CLI_EXIT_FAIL : 0;
	if (!r)
		cli_table_print(&t, stdout);
	cli_table_free(&t);
out:
	cli_models_free(&ms);
	ga_ledger_close(l);
	return r;
}

const struct cli_cmd cli_cmd_compare = {
	.name = "compare",
	.summary = "a model against its optimised version, from the ledger",
	.help = cli_compare_help,
	.run = cli_compare_main,
};
