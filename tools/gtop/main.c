// SPDX-License-Identifier: GPL-2.0
/*
 * gtop: who is burning power right now. Options, the energy backend, the
 * grid intensity, then the screen (tui.c) or batch output (batch.c).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <greenai/libgreenai.h>

#include "gtop.h"

#define GT_EXIT_FAIL	1
#define GT_EXIT_USAGE	2

static const char gt_help[] =
	"usage: gtop [-d SECS] [-b [-n N] [--json]] [-p PID | -c CGROUP]\n"
	"            [--model NAME] [--view VIEW] [--tree] [--sort COL]\n"
	"            [--ascending] [--keep SECS] [--region CC | --intensity G]\n"
	"            [--backend auto|module|bpf|agent] [--idle POLICY]\n"
	"            [--idle-power W]\n"
	"\n"
	"The live energy view: per energy domain the power, its history and the\n"
	"energy since gtop started, the grid intensity and the machine's CO2e\n"
	"rate; then one row per process, cgroup, container, ML model or VM with its\n"
	"power (active, and with its share of idle), energy, CO2e, CPU %, power\n"
	"on GPUs, model label, ML framework, container and command. Processes\n"
	"that exit stay listed, marked, for --keep seconds.\n"
	"\n"
	"  -d, --delay SECS    refresh every SECS, 0.1 to 3600 (default 1)\n"
	"  -b, --batch         print each refresh as text, like top -b\n"
	"  -n, --iterations N  stop after N refreshes\n"
	"      --json          with -b: one JSON object per refresh and line\n"
	"  -p, --pid PID       only this process\n"
	"  -c, --cgroup PATH   only this cgroup (its path from the cgroup2 root)\n"
	"                      and those under it\n"
	"      --model NAME    only what is labelled with this model\n"
	"      --view VIEW     process (default), cgroup, container, model or vm\n"
	"      --tree          cgroup view: each cgroup's processes under it\n"
	"      --sort COL      pid, power (default), power-idle, energy, co2,\n"
	"                      cpu, gpu, model, framework, container or name\n"
	"      --ascending     smallest first\n"
	"      --keep SECS     how long exited processes stay (default 10)\n"
	"      --region CC, --intensity G   the grid intensity, as greenai\n"
	"                      intensity (else GREENAI_REGION, greenai.conf, the\n"
	"                      world average)\n"
	"      --backend B     auto (default), module, bpf or agent (an ordinary\n"
	"                      user's: the greenai agent, docs/agent.md)\n"
	"      --idle POLICY   who idle energy goes to: capacity (each process\n"
	"                      its share of the CPUs' capacity, the rest the\n"
	"                      node's: the default), busy (all of it to what\n"
	"                      ran) or none; the header names it\n"
	"      --idle-power W  auto (default), util, or watts: 10,\n"
	"                      package-0=10,dram-0=2 (see greenai stat --help)\n"
	"\n"
	"Keys: arrows, PgUp/PgDn, Home/End move; v or Tab next view; t tree;\n"
	"F6 or > sort column, i invert; / filter (Esc clears); f follow a row;\n"
	"space pause; F1, h or ? help; q or F10 quit. A click on a column's\n"
	"title sorts by it, on a row selects it.\n"
	"\n"
	"Exit status: 0; 1 when no energy backend can be opened (it says what\n"
	"is missing and how to fix it); 2 for bad usage.\n";

static int gt_usage(const char *fmt, const char *arg)
{
	fputs("gtop: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'gtop --help'.\n", stderr);
	return GT_EXIT_USAGE;
}

static int gt_parse_secs(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

struct gt_cli {
	struct gt_opts o;
	struct ga_opts gopts;
	const char *region, *intensity, *idle, *idle_power;
};

static int gt_parse(int argc, char **argv, struct gt_cli *c)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'J' },
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "model", required_argument, NULL, 'M' },
		{ "view", required_argument, NULL, 'V' },
		{ "tree", no_argument, NULL, 'T' },
		{ "sort", required_argument, NULL, 's' },
		{ "ascending", no_argument, NULL, 'A' },
		{ "keep", required_argument, NULL, 'k' },
		{ "region", required_argument, NULL, 'r' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "backend", required_argument, NULL, 'B' },
		{ "idle", required_argument, NULL, 'I' },
		{ "idle-power", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct gt_opts *o = &c->o;
	char *end;
	long v;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "d:bn:p:c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (gt_parse_secs(optarg, 0.1, 3600, &o->delay_s))
				return gt_usage("-d '%s': not 0.1 to 3600 seconds",
						optarg);
			break;
		case 'b':
			o->batch = true;
			break;
		case 'n':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || errno)
				return gt_usage("-n '%s': not a number of refreshes from 1",
						optarg);
			o->iterations = v;
			break;
		case 'J':
			o->json = true;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || errno ||
			    v > INT32_MAX)
				return gt_usage("-p '%s': not a process id",
						optarg);
			o->filter.pid = v;
			break;
		case 'c':
			if (optarg[0] != '/')
				return gt_usage("-c '%s': not a cgroup path (from the cgroup2 root, starting with /)",
						optarg);
			o->filter.cgroup = optarg;
			break;
		case 'M':
			o->filter.model = optarg;
			break;
		case 'V':
			if (gt_view_parse(optarg, &o->view))
				return gt_usage("--view '%s': not process, cgroup, container, model or vm",
						optarg);
			break;
		case 'T':
			o->tree = true;
			break;
		case 's':
			if (gt_col_parse(optarg, &o->sort))
				return gt_usage("--sort '%s': not a column (see gtop --help)",
						optarg);
			break;
		case 'A':
			o->ascending = true;
			break;
		case 'k':
			if (gt_parse_secs(optarg, 0, 86400, &o->keep_exited_s))
				return gt_usage("--keep '%s': not 0 to 86400 seconds",
						optarg);
			break;
		case 'r':
			c->region = optarg;
			break;
		case 'i':
			c->intensity = optarg;
			break;
		case 'I':
			c->idle = optarg;
			break;
		case 'W':
			c->idle_power = optarg;
			break;
		case 'B':
			if (ga_backend_parse(optarg, &c->gopts.backend))
				return gt_usage("--backend '%s': not auto, module, bpf or agent",
						optarg);
			break;
		case 'h':
			fputs(gt_help, stdout);
			return -1;
		case 'v':
			printf("gtop %s\n", GREENAI_VERSION);
			return -1;
		default:
			return gt_usage("unknown option or missing value: '%s'",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		return gt_usage("unexpected '%s'", argv[optind]);
	if (o->json && !o->batch)
		return gt_usage("%s: --json is for batch mode (-b)", "--json");
	if (o->tree && o->view != GT_VIEW_CGROUP)
		o->view = GT_VIEW_CGROUP;
	return 0;
}

/*
 * The idle policy, the grid intensity and the power model, in the
 * library's order: flags, the environment, greenai.conf; for the
 * intensity, its live providers, its region, the world; the model's
 * coefficients if greenai.conf gives them.
 */
static int gt_settings(struct gt_cli *c, struct gt_state *s)
{
	char err[GA_CONFIG_FROM_MAX + 256];
	struct ga_live_result res;
	int r;

	if (ga_config_load(&s->cfg, err, sizeof(err)))
		return gt_usage("%s", err);
	if (s->cfg.warning[0])
		fprintf(stderr, "gtop: warning: %s\n", s->cfg.warning);
	if (ga_settings_idle(&s->cfg, c->idle, c->idle_power, &c->gopts.idle,
			     err, sizeof(err)))
		return gt_usage("%s", err);
	r = ga_settings_model(&s->cfg, &c->gopts.model_cpu_idle_mw,
			      &c->gopts.model_cpu_max_mw, s->model_from,
			      sizeof(s->model_from), err, sizeof(err));
	if (r < 0)
		return gt_usage("%s", err);
	if (r)
		c->gopts.model_from = s->model_from;
	c->gopts.host_energy_dir = ga_settings_host_energy_dir(&s->cfg);
	if (ga_settings_bpf_runs(&s->cfg, &c->gopts.bpf.max_runs, err,
				 sizeof(err)))
		return gt_usage("%s", err);
	r = ga_grid_init(&s->grid, &s->cfg, c->intensity, c->region,
			 ga_unix_ms(), &res, err, sizeof(err));
	if (s->grid.live && (r || res.nr_failed))
		ga_live_print_failures(stderr, "gtop", &res);
	if (r)
		return s->grid.live ? GT_EXIT_FAIL : gt_usage("%s", err);
	return 0;
}

/* Why the backend did not open, and what to do about it. */
static void gt_open_failed(int r, const char *err)
{
	fprintf(stderr, "gtop: no energy backend: %s\n", err);
	if (r == -EPERM || r == -EACCES)
		fputs("gtop: greenai's BPF programs need root (or CAP_BPF, CAP_PERFMON and\n"
		      "      CAP_SYS_RESOURCE): run gtop as root, or load greenai.ko\n"
		      "      (insmod greenai.ko), whose /dev/greenai a user can be given\n",
		      stderr);
	else
		fputs("gtop: it needs greenai.ko loaded (insmod greenai.ko) or a kernel with\n"
		      "      BPF, BTF and the sched tracepoints for its BPF programs\n",
		      stderr);
}

static int gt_batch(struct gt_state *s, const struct gt_opts *o)
{
	struct gt_rows rows = { 0 };
	unsigned long n;
	int r = 0;

	for (n = 0; !o->iterations || n < o->iterations; n++) {
		/* the exit ring is drained meanwhile (ga_wait()) */
		ga_wait(s->g, ga_mono_ns() + (__u64)(o->delay_s * 1e9), -1);
		r = gt_refresh(s);
		r = r ?: gt_rows_build(s, o->view, o->tree, &o->filter, &rows);
		if (r)
			break;
		if (o->tree)
			r = gt_rows_tree(&rows, o->sort, o->ascending,
					 o->filter.text);
		else
			gt_rows_sort(&rows, o->sort, o->ascending);
		if (r)
			break;
		if (o->json)
			r = gt_batch_json(stdout, s, &rows, o->view);
		else
			gt_batch_text(stdout, s, &rows, o->view, 0);
		if (r)
			break;
	}
	gt_rows_free(&rows);
	if (r)
		fprintf(stderr, "gtop: %s\n", strerror(-r));
	return r ? GT_EXIT_FAIL : 0;
}

int main(int argc, char **argv)
{
	struct gt_cli c = {
		.o = { .delay_s = 1, .sort = GT_COL_POWER, .keep_exited_s = 10 },
	};
	struct gt_state s = { 0 };
	char err[512];
	int r;

	r = gt_parse(argc, argv, &c);
	if (r)
		return r < 0 ? 0 : r;
	r = gt_settings(&c, &s);
	if (r)
		return r;
	r = ga_open(&s.g, &c.gopts, err, sizeof(err));
	if (r) {
		gt_open_failed(r, err);
		return GT_EXIT_FAIL;
	}
	r = gt_tracker_new(&s.t, s.g, c.o.keep_exited_s);
	if (!r && c.o.view == GT_VIEW_VM)
		gt_tracker_want_vms(s.t);
	if (!r) {
		r = gt_refresh(&s);	/* the baseline of the first interval */
		if (r)
			fprintf(stderr, "gtop: %s\n", strerror(-r));
		else
			r = c.o.batch ? gt_batch(&s, &c.o) :
					gt_tui_run(&s, &c.o);
	}
	gt_tracker_free(s.t);
	ga_close(s.g);
	ga_grid_free(&s.grid);
	return r;
}
