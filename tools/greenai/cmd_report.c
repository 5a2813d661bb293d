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
#include "sci.h"
#include "svg.h"
#include "table.h"

static const char cli_report_help[] =
	"usage: greenai report [--by model|run|container] [--sci]\n"
	"                      [--format table|csv|markdown|json|svg]\n"
	"                      [--ledger PATH]\n"
	"\n"
	"Print the ledger. --by model (the default): per model, its completed\n"
	"runs, accuracy % (the latest run's), energy in kWh and CO2e in kg\n"
	"(summed over its runs) and Green Score (accuracy % per kg CO2e).\n"
	"--by run: each run with its status, duration, energy, CO2e and\n"
	"accuracy, and where it said how many units of work it did (units=N,\n"
	"unit=NAME in $GREENAI_METRICS) its energy and CO2e per unit.\n"
	"--by container: per container greenai ran in or measured\n"
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
	"--sci: each completed run's Software Carbon Intensity (ISO/IEC\n"
	"21031), SCI = (E x I + M) / R, term by term: E its energy with the\n"
	"PUE (kWh), I the intensity its CO2e was counted at (g/kWh), M the\n"
	"embodied emissions of its time and share of the machine, TE x\n"
	"(duration / EL) x share, share its CPU time / (duration x CPUs); TE\n"
	"and EL are greenai.conf's embodied_kg and embodied_years, by default\n"
	"the SCI Guide's server (1230.3 kg CO2e over 4 years); R its units,\n"
	"else 1 (per run). Formats table, csv, markdown, json.\n"
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
	int by_given;		/* --by was given */
	int sci;		/* --sci */
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
		{ "sci", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->by_given = 1;
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
		case 's':
			o->sci = 1;
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
	if (o->sci && o->by_given && !o->by_run)
		return cli_usage(&cli_cmd_report, "--sci is per run: not with --by %s",
				    o->by == CLI_BY_CONTAINER ? "container" :
								"model");
	if (o->sci && o->out == REPORT_SVG)
		return cli_usage(&cli_cmd_report, "--sci: table, csv, markdown or json, not %s",
				    "svg");
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
	char id[24], dur[32], kwh[32], kg[32], acc[32] = "", units[32] = "";
	char kwh_u[32] = "", kg_u[32] = "";
	const char *cells[11] = { id, run->model ? run->model : "",
				  ga_run_status_name(run->status), dur, kwh, kg,
				  acc, units, run->has_units ?
					  cli_unit_name(run) : "",
				  kwh_u, kg_u };

	snprintf(id, sizeof(id), "%lld", (long long)run->id);
	if (run->status == GA_RUN_DONE) {
		cli_table_num(t, dur, sizeof(dur),
			     (run->end_unix_ns - run->start_unix_ns) / 1e9);
		cli_table_num(t, kwh, sizeof(kwh),
			     cli_run_total_uj(run) / (double)GA_UJ_PER_KWH);
		cli_table_num(t, kg, sizeof(kg), run->co2_ug / 1e9);
		if (run->has_units) {
			cli_table_num(t, kwh_u, sizeof(kwh_u),
				     cli_run_total_uj(run) /
					     (double)GA_UJ_PER_KWH /
					     run->units);
			cli_table_num(t, kg_u, sizeof(kg_u),
				     run->co2_ug / 1e9 / run->units);
		}
	} else {
		dur[0] = kwh[0] = kg[0] = '\0';
	}
	if (run->has_accuracy)
		cli_table_num(t, acc, sizeof(acc), run->accuracy_pct);
	if (run->has_units)
		cli_table_num(t, units, sizeof(units), run->units);
	return cli_table_add(t, cells);
}

static int report_runs(struct ga_ledger *l, const struct report_opts *o)
{
	static const char *const cols[] = {
		"Run", "Model", "Status", "Duration s", "Energy kWh", "CO2 kg",
		"Accuracy %", "Units", "Unit", "Energy kWh/unit",
		"CO2 kg/unit",
	};
	struct report_runs rr = { 0 };
	struct cli_chart chart = { "CO2e per run", "kg", NULL, 0 };
	struct cli_table t;
	int r;

	if (o->out == REPORT_TABLE) {
		cli_table_init(&t, o->format, cols, 11);
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

struct report_sci {
	const struct ga_embodied *emb;
	struct cli_table *t;		/* or */
	struct json_object *json;
	unsigned int unknown;		/* runs whose share is not known */
};

static struct json_object *report_sci_json(const struct ga_run *run,
					   const struct cli_sci *s)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ga_json_add(o, "id", json_object_new_int64(run->id));
	ga_json_add(o, "model", ga_json_str(run->model));
	ga_json_add(o, "e_kwh", json_object_new_double(s->e_kwh));
	ga_json_add(o, "pue", json_object_new_double(run->pue_milli / 1000.0));
	ga_json_add(o, "i_g_per_kwh", json_object_new_double(s->i_g_per_kwh));
	ga_json_add(o, "e_times_i_g", json_object_new_double(s->o_g));
	ga_json_add(o, "duration_s", json_object_new_double(s->duration_s));
	ga_json_add(o, "cpu_s",
		    s->has_share ? json_object_new_double(run->cpu_ns / 1e9) :
				   NULL);
	ga_json_add(o, "cpus", s->has_share ?
				      json_object_new_int(run->nr_cpus) : NULL);
	ga_json_add(o, "share", s->has_share ?
				       json_object_new_double(s->share) : NULL);
	ga_json_add(o, "m_g", s->has_share ? json_object_new_double(s->m_g) :
					     NULL);
	ga_json_add(o, "r", json_object_new_double(s->r));
	ga_json_add(o, "per", json_object_new_string(s->per_unit ?
							    cli_unit_name(run) :
							    "run"));
	ga_json_add(o, "sci_g",
		    s->has_share ? json_object_new_double(s->sci_g) : NULL);
	return o;
}

static int report_sci_one(const struct ga_run *run, void *arg)
{
	struct report_sci *rs = arg;
	char id[24], e[32], in[32], o[32], dur[32], share[32] = "", m[32] = "";
	char r[32], sci[32] = "";
	const char *cells[11] = { id, run->model ? run->model : "", e, in, o,
				  dur, share, m, r, NULL, sci };
	struct cli_sci s;

	if (run->status != GA_RUN_DONE)
		return 0;
	cli_sci_run(run, rs->emb, &s);
	rs->unknown += !s.has_share;
	if (rs->json)
		return json_object_array_add(rs->json,
					     report_sci_json(run, &s)) ?
			       -ENOMEM : 0;
	snprintf(id, sizeof(id), "%lld", (long long)run->id);
	cli_table_num(rs->t, e, sizeof(e), s.e_kwh);
	cli_table_num(rs->t, in, sizeof(in), s.i_g_per_kwh);
	cli_table_num(rs->t, o, sizeof(o), s.o_g);
	cli_table_num(rs->t, dur, sizeof(dur), s.duration_s);
	cli_table_num(rs->t, r, sizeof(r), s.r);
	cells[9] = s.per_unit ? cli_unit_name(run) : "run";
	if (s.has_share) {
		cli_table_num(rs->t, share, sizeof(share), s.share);
		cli_table_num(rs->t, m, sizeof(m), s.m_g);
		cli_table_num(rs->t, sci, sizeof(sci), s.sci_g);
	}
	return cli_table_add(rs->t, cells);
}

/* --sci: each completed run's SCI term by term; where TE and EL are from. */
static int report_sci(struct ga_ledger *l, const struct report_opts *o,
		      const struct ga_embodied *emb)
{
	static const char *const cols[] = {
		"Run", "Model", "E kWh", "I g/kWh", "E*I g", "Duration s",
		"Share", "M g", "R", "Per", "SCI g",
	};
	struct report_sci rs = { .emb = emb };
	struct json_object *top;
	struct cli_table t;
	int r;

	if (o->out == REPORT_JSON) {
		top = json_object_new_object();
		rs.json = json_object_new_array();
		if (!top || !rs.json) {
			json_object_put(top);
			json_object_put(rs.json);
			return -ENOMEM;
		}
		r = ga_ledger_for_each_run(l, report_sci_one, &rs);
		ga_json_add(top, "embodied_kg",
			    json_object_new_double(emb->total_g / 1000.0));
		ga_json_add(top, "lifetime_years",
			    json_object_new_double(emb->lifetime_myears /
						   1000.0));
		ga_json_add(top, "embodied_source",
			    json_object_new_string(emb->source));
		ga_json_add(top, "runs", rs.json);
		if (r) {
			json_object_put(top);
			return r;
		}
		return cli_json_print(top, stdout);
	}
	cli_table_init(&t, o->format, cols, 11);
	rs.t = &t;
	r = ga_ledger_for_each_run(l, report_sci_one, &rs);
	if (!r)
		cli_table_print(&t, stdout);
	cli_table_free(&t);
	if (r || o->format == CLI_TABLE_CSV)
		return r;
	printf("%sSCI = (E x I + M) / R. E: energy x PUE; I: the intensities in force, weighed by energy; "
	       "M = TE x (duration / EL) x share, TE %.3f kg CO2e, EL %.3f years "
	       "(%s); share: CPU time / (duration x the machine's CPUs); "
	       "R: the run's units, else 1 (per run).\n",
	       o->format == CLI_TABLE_MARKDOWN ? "\n" : "",
	       emb->total_g / 1000.0, emb->lifetime_myears / 1000.0,
	       emb->source);
	if (rs.unknown)
		printf("%u run(s) without M and SCI: the ledger has no CPU time and CPU count for them (greenai run records them from schema 6 on; the exporter's finished containers have none).\n",
		       rs.unknown);
	return 0;
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
	struct ga_embodied emb;
	struct ga_ledger *l;
	char err[4608];
	int r;

	r = report_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	r = cli_ledger(&cli_cmd_report, &o.ledger);
	r = r ?: o.sci ? cli_embodied(&cli_cmd_report, &emb) : 0;
	if (r)
		return r;
	if (ga_ledger_open(&l, o.ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai report: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	r = o.sci ? report_sci(l, &o, &emb) :
	    o.by_run ? report_runs(l, &o) : report_sums(l, &o);
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
