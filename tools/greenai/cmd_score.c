// SPDX-License-Identifier: GPL-2.0
/*
 * greenai score: the Green Score of an accuracy and a CO2e, given or from
 * the ledger (a model's, as greenai report sums it, or one run's).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "models.h"

static const char cli_score_help[] =
	"usage: greenai score --accuracy A --co2-kg C\n"
	"       greenai score [--ledger PATH] (--model NAME | --run ID)\n"
	"\n"
	"Print the Green Score: accuracy (%) per kilogram of CO2e, A / C, as\n"
	"the source paper defines it (BERT, 90 % for 550 kg: 0.164).\n"
	"  --accuracy A   the model's accuracy in percent, 0 to 100\n"
	"  --co2-kg C     the CO2e its training (or run) emitted, in kg, > 0\n"
	"  --model NAME   from the ledger: the model's latest accuracy over the\n"
	"                 CO2e of all its completed runs (greenai report's)\n"
	"  --run ID       from the ledger: one completed run's\n"
	"  --ledger PATH  the ledger (default as greenai report)\n"
	"\n"
	"Exit status: 0; 1 when the ledger has no such model or run, or no\n"
	"accuracy for it; 2 for bad usage or input.\n";

struct score_opts {
	const char *acc, *co2, *model, *run, *ledger;
	long long run_id;
};

/* What --run looks for in the ledger, and finds. */
struct score_run {
	long long id;
	int found, done, has_acc;
	double acc, kg;
	char idle[16];
};

static int score_find_run(const struct ga_run *run, void *arg)
{
	struct score_run *s = arg;

	if (run->id != s->id)
		return 0;
	s->found = 1;
	s->done = run->status == GA_RUN_DONE;
	s->has_acc = run->has_accuracy;
	s->acc = run->accuracy_pct;
	s->kg = run->co2_ug / 1e9;
	cli_run_idle_share(run, s->idle, sizeof(s->idle));
	return 1;
}

/*
 * The accuracy, CO2e and idle policy of --model or --run. Return: 0 or
 * exit status.
 */
static int score_from_ledger(const struct score_opts *o, double *acc,
			     double *kg, char *idle, size_t idle_size)
{
	struct score_run sr = { .id = o->run_id };
	const struct cli_model_sum *m;
	struct ga_ledger *l;
	struct cli_models ms;
	char err[4608], what[300];
	int r, ok = 0;

	if (ga_ledger_open(&l, o->ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai score: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	if (o->model) {
		snprintf(what, sizeof(what), "model '%.256s'", o->model);
		r = cli_models_load(l, CLI_BY_MODEL, &ms);
		m = r ? NULL : cli_models_find(&ms, o->model);
		if (m && m->runs) {
			ok = m->has_accuracy ? 2 : 1;
			*acc = m->accuracy_pct;
			*kg = m->co2_ug / 1e9;
			snprintf(idle, idle_size, "%s", m->idle);
		}
		if (!r)
			cli_models_free(&ms);
	} else {
		snprintf(what, sizeof(what), "run %lld", o->run_id);
		r = ga_ledger_for_each_run(l, score_find_run, &sr);
		r = r < 0 ? r : 0;
		if (sr.found && sr.done) {
			ok = sr.has_acc ? 2 : 1;
			*acc = sr.acc;
			*kg = sr.kg;
			snprintf(idle, idle_size, "%s", sr.idle);
		}
	}
	if (r)
		fprintf(stderr, "greenai score: %s\n", ga_ledger_error(l));
	else if (!ok)
		fprintf(stderr, "greenai score: no completed %s in the ledger\n",
			what);
	else if (ok == 1)
		fprintf(stderr, "greenai score: %s has no accuracy (greenai run --accuracy, or accuracy= in $GREENAI_METRICS)\n",
			what);
	ga_ledger_close(l);
	return !r && ok == 2 ? 0 : CLI_EXIT_FAIL;
}

static int score_parse(int argc, char **argv, struct score_opts *o)
{
	static const struct option opts[] = {
		{ "accuracy", required_argument, NULL, 'a' },
		{ "co2-kg", required_argument, NULL, 'c' },
		{ "model", required_argument, NULL, 'm' },
		{ "run", required_argument, NULL, 'r' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->acc = optarg;
			break;
		case 'c':
			o->co2 = optarg;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'r':
			o->run = optarg;
			errno = 0;
			o->run_id = strtoll(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || errno)
				return cli_usage(&cli_cmd_score,
						    "--run '%s': not a run id (a number from 1)",
						    optarg);
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'h':
			cli_help(&cli_cmd_score);
			return -1;
		default:
			return cli_bad_option(&cli_cmd_score, argv);
		}
	}
	if (optind < argc)
		return cli_usage(&cli_cmd_score, "unexpected '%s'",
				    argv[optind]);
	if ((o->model || o->run) && (o->acc || o->co2))
		return cli_usage(&cli_cmd_score,
				    "--model or --run, or --accuracy and --co2-kg, not both");
	if (o->model && o->run)
		return cli_usage(&cli_cmd_score,
				    "--model or --run, not both");
	if (!o->model && !o->run && (!o->acc || !o->co2))
		return cli_usage(&cli_cmd_score,
				    "both --accuracy and --co2-kg are needed (or --model, --run)");
	return 0;
}

static int cli_score_main(int argc, char **argv)
{
	struct score_opts o = { 0 };
	double a, kg, score;
	char idle[16];
	int r;

	r = score_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (o.model || o.run) {
		r = cli_ledger(&cli_cmd_score, &o.ledger);
		r = r ?: score_from_ledger(&o, &a, &kg, idle, sizeof(idle));
		if (r)
			return r;
		if (ga_green_score(a, kg, &score)) {
			fprintf(stderr, "greenai score: no CO2e recorded: no Green Score\n");
			return CLI_EXIT_FAIL;
		}
		printf("accuracy:    %.6g %%\n", a);
		printf("co2e:        %.6g kg\n", kg);
		printf("green score: %.6g (%% accuracy per kg CO2e)\n", score);
		printf("idle policy: %s\n", idle);
		return 0;
	}
	if (ga_accuracy_parse(o.acc, &a))
		return cli_usage(&cli_cmd_score,
				    "--accuracy '%s': not a percentage, 0 to 100",
				    o.acc);
	if (ga_co2_kg_parse(o.co2, &kg) || ga_green_score(a, kg, &score))
		return cli_usage(&cli_cmd_score,
				    "--co2-kg '%s': not a mass in kg above 0",
				    o.co2);
	printf("green score: %.6g (%% accuracy per kg CO2e)\n", score);
	return 0;
}

const struct cli_cmd cli_cmd_score = {
	.name = "score",
	.summary = "the Green Score of an accuracy and a CO2e, or from the ledger",
	.help = cli_score_help,
	.run = cli_score_main,
};
