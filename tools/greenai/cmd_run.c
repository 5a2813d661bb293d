// SPDX-License-Identifier: GPL-2.0
/*
 * greenai run: run a command in a cgroup of its own, measure it, print its
 * carbon label and record it in the ledger.
 *
 * The command is born inside a new cgroup v2 (clone3 with
 * CLONE_INTO_CGROUP), <cgroup2>/greenai.runs/<pid>, labelled with the model
 * (user.greenai.model) and the run id. libgreenai samples while it runs;
 * when it has exited, what its processes left running is stopped (their
 * energy would otherwise escape the run), the exits are folded, and the
 * cgroup's energy per domain is the run's. Signals greenai receives
 * (INT, TERM, HUP, QUIT, USR1, USR2) go to the command; greenai exits
 * with the command's status (128 + signal when a signal ended it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "label.h"
#include "run_carbon.h"

#define RUN_SETTLE_SAMPLES	100	/* at most, for the exits to fold */

static const char cli_run_help[] =
	"usage: greenai run [OPTIONS] -- CMD [ARG...]\n"
	"\n"
	"Run CMD in a cgroup of its own, measure the energy of everything it\n"
	"starts, and print its carbon label on standard error: duration,\n"
	"energy per domain (J, kWh; active and idle), CO2e and the intensity\n"
	"used, the Green Score when the accuracy is known, and whether the\n"
	"figures are measured or estimated. The run goes into the ledger.\n"
	"\n"
	"  --model NAME       the model this run trains or serves (a label on\n"
	"                     its cgroup, user.greenai.model)\n"
	"  --accuracy A       the model's accuracy, %; else CMD may write\n"
	"                     accuracy=A to the file named in $GREENAI_METRICS\n"
	"                     (key=value lines, numbers; all are recorded)\n"
	"  --region CC        where the energy comes from (else GREENAI_REGION,\n"
	"                     else greenai.conf, else the world average); see\n"
	"                     greenai intensity\n"
	"  --intensity G      the grid intensity, g CO2e/kWh, instead\n"
	"  --pue P            the data centre's PUE, 1.0 to 10.0 (default:\n"
	"                     greenai.conf's pue, else 1.0)\n"
	"  --idle POLICY      who a domain's idle energy goes to: capacity (the\n"
	"                     run its share of the CPUs' capacity, the rest the\n"
	"                     node's: the default), busy (all of it to what\n"
	"                     ran) or none; the label and ledger say which\n"
	"  --idle-power W     auto (default), util, or watts: 10,\n"
	"                     package-0=10,dram-0=2 (see greenai stat --help)\n"
	"  --tag KEY=VALUE    recorded with the run; repeatable\n"
	"  --ledger PATH      the ledger (default: greenai.conf's ledger, else\n"
	"                     /var/lib/greenai/ledger.db for root,\n"
	"                     $XDG_DATA_HOME/greenai/ledger.db otherwise)\n"
	"  --interval-ms N    sampling interval, 10 to 10000 (default 500)\n"
	"  --backend B        auto (default), module or bpf\n"
	"\n"
	"Carbon-aware runs (the intensity from the providers of greenai.conf,\n"
	"see greenai intensity --help):\n"
	"  --carbon-aware     wait for a clean grid before starting CMD, and\n"
	"                     freeze its cgroup (cgroup.freeze) while the grid\n"
	"                     is above the threshold, thawing it when it comes\n"
	"                     back under; each pause is logged and recorded\n"
	"                     with the CO2e it avoided\n"
	"  --max-intensity G  the threshold, g CO2e/kWh (default: the mean of\n"
	"                     the forecast until the deadline)\n"
	"  --deadline T       no waiting or pausing after T: a time (RFC 3339,\n"
	"                     2026-12-06T18:00:00Z) or a length from now (6h,\n"
	"                     1h30m); default 24h\n"
	"Whatever the providers, the run is cut into intervals where the\n"
	"intensity changes, and each interval's CO2e is its energy times the\n"
	"intensity then in force; the ledger keeps them.\n"
	"\n"
	"Exit status: CMD's (128 + N when signal N ended it); 2 for bad usage;\n"
	"125 when greenai could not measure or run CMD.\n";

#define CLI_EXIT_RUN	125

struct run_opts {
	const char *model, *accuracy, *region, *intensity, *pue, *ledger;
	const char *max_intensity, *deadline;
	const char *idle, *idle_power;
	struct ga_idle_conf idle_conf;
	int carbon_aware;
	struct ga_kv tags[GA_LEDGER_MAX_KV];
	unsigned int nr_tags;
	unsigned long interval_ms;
	enum ga_backend backend;
	struct ga_opts gopts;		/* the power model's, from the file */
	char **cmd;
};

static int run_usage(const char *fmt, const char *arg)
{
	return cli_usage(&cli_cmd_run, fmt, arg);
}

static int run_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "accuracy", required_argument, NULL, 'a' },
		{ "region", required_argument, NULL, 'r' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "pue", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "interval-ms", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "idle", required_argument, NULL, 'I' },
		{ "idle-power", required_argument, NULL, 'W' },
		{ "carbon-aware", no_argument, NULL, 'C' },
		{ "max-intensity", required_argument, NULL, 'M' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, *eq;
	int c;

	o->interval_ms = 500;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!ga_cgroup_label_value_valid(optarg))
				return run_usage("--model '%s': not a label (1 to 255 printable bytes)",
						 optarg);
			o->model = optarg;
			break;
		case 'a':
			o->accuracy = optarg;
			break;
		case 'r':
			o->region = optarg;
			break;
		case 'I':
			o->idle = optarg;
			break;
		case 'W':
			o->idle_power = optarg;
			break;
		case 'i':
			o->intensity = optarg;
			break;
		case 'p':
			o->pue = optarg;
			break;
		case 't':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] ||
			    o->nr_tags == GA_LEDGER_MAX_KV)
				return run_usage("--tag '%s': not KEY=VALUE (64 at most)",
						 optarg);
			*eq = '\0';
			o->tags[o->nr_tags++] = (struct ga_kv){ optarg, eq + 1 };
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'n':
			errno = 0;
			o->interval_ms = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno ||
			    o->interval_ms < 10 || o->interval_ms > 10000)
				return run_usage("--interval-ms '%s': not 10 to 10000",
						 optarg);
			break;
		case 'b':
			if (ga_backend_parse(optarg, &o->backend))
				return run_usage("--backend '%s': not auto, module or bpf",
						 optarg);
			break;
		case 'C':
			o->carbon_aware = 1;
			break;
		case 'M':
			o->max_intensity = optarg;
			break;
		case 'D':
			o->deadline = optarg;
			break;
		case 'h':
			cli_help(&cli_cmd_run);
			return -1;
		default:
			return cli_bad_option(&cli_cmd_run, argv);
		}
	}
	if (optind >= argc)
		return run_usage("no command to run%s", "");
	if ((o->max_intensity || o->deadline) && !o->carbon_aware)
		return run_usage("%s needs --carbon-aware",
				 o->max_intensity ? "--max-intensity" :
						    "--deadline");
	o->cmd = argv + optind;
	return 0;
}

/*
 * The run's cgroup: <cgroup2>/greenai.runs/<pid>, made here; @dir + @rel
 * is its path from the cgroup2 root.
 */
static int run_cgroup(char *dir, size_t size, size_t *rel, const char **why)
{
	struct ga_cgroup_mount m;
	int n;

	if (ga_cgroup_find_mount("/", &m)) {
		*why = "no cgroup v2 mount";
		return -ENODEV;
	}
	n = snprintf(dir, size, "%s/greenai.runs", m.dir);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		*why = "cannot make <cgroup2>/greenai.runs (run as root?)";
		return -errno;
	}
	n = snprintf(dir, size, "%s/greenai.runs/%d", m.dir, getpid());
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	*rel = strlen(m.dir);
	if (mkdir(dir, 0755)) {
		*why = "cannot make the run's cgroup";
		return -errno;
	}
	return 0;
}

/* Start @argv inside the cgroup @dir, signals unblocked, env set. */
static pid_t run_spawn(const char *dir, char **argv, const sigset_t *orig)
{
	struct clone_args args = { 0 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long pid;

	if (fd < 0)
		return -errno;
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (__u64)fd;
	fflush(NULL);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, orig, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "greenai run: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(fd);
	return pid < 0 ? -errno : pid;
}

static void run_sample(struct ga_ctx *g, unsigned int *errors)
{
	int r = ga_sample(g);

	if (r && !(*errors)++)
		fprintf(stderr, "greenai run: a sample failed: %s\n",
			strerror(-r));
}

/*
 * Wait for the command, sampling every interval and passing signals on.
 * Return: its wait status, or -errno.
 */
static int run_wait(struct ga_ctx *g, pid_t pid, int sfd,
		    unsigned long interval_ms, unsigned int *errors,
		    struct cli_run_carbon *rc, uint64_t cgid)
{
	__u64 next = ga_mono_ns() + interval_ms * 1000000ULL;
	int status;

	for (;;) {
		struct signalfd_siginfo si;
		/* the exit ring is drained meanwhile (ga_wait()) */
		int n = ga_wait(g, next, sfd);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0) {
			next += interval_ms * 1000000ULL;
			if (next < ga_mono_ns())
				next = ga_mono_ns() + interval_ms * 1000000ULL;
			run_sample(g, errors);
			cli_rc_tick(rc, ga_unix_ms(),
				   cli_label_energy_now(g, cgid));
			continue;
		}
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			cli_rc_signal(rc, ga_unix_ms());
			kill(pid, si.ssi_signo);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
	}
}

/* Whether the cgroup @dir has processes ("populated 1"). */
static int run_populated(const char *dir)
{
	char path[GA_PATH_MAX + 32], ev[256] = "";
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(ev, 1, sizeof(ev) - 1, f);
	fclose(f);
	ev[n] = '\0';
	return strstr(ev, "populated 1") != NULL;
}

/*
 * Stop what the command left in its cgroup: its energy would escape the
 * run. cgroup.kill is asynchronous: wait (10 s at most) until the cgroup
 * is empty. Return: whether anything was left.
 */
static int run_stop_leftovers(const char *dir)
{
	char path[GA_PATH_MAX + 32];
	FILE *f;
	int i;

	if (!run_populated(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
	for (i = 0; i < 1000 && run_populated(dir); i++)
		usleep(10000);
	return 1;
}

/* Sample until the run's processes are folded (exits pending none). */
static void run_settle(struct ga_ctx *g, unsigned int *errors)
{
	struct ga_stats st;
	int i;

	/* queue the exits, see them gone, fold them */
	for (i = 0; i < 3; i++)
		run_sample(g, errors);
	ga_sweep(g);
	run_sample(g, errors);
	for (i = 0; i < RUN_SETTLE_SAMPLES; i++) {
		ga_stats(g, &st);
		if (!st.exits_pending)
			break;
		usleep(10000);
		run_sample(g, errors);
	}
}

static int run_exec(struct run_opts *o, const struct ga_intensity *in,
		    uint32_t pue_milli, double acc, int has_acc,
		    struct cli_run_carbon *rc)
{
	struct ga_opts gopts = o->gopts;
	char cgdir[GA_PATH_MAX], err[512], ledger_path[GA_PATH_MAX];
	char metrics[] = "/tmp/greenai-metrics-XXXXXX";
	struct cli_label lb = { 0 };
	struct ga_ledger *ledger = NULL;
	const char *why = "";
	sigset_t set, orig;
	unsigned int errors = 0;
	struct ga_ctx *g = NULL;
	int r, status = 0, sfd = -1, mfd, ret = CLI_EXIT_RUN;
	size_t cgrel = 0;
	uint64_t cgid = 0;
	int64_t end_ms;
	pid_t pid;

	r = run_cgroup(cgdir, sizeof(cgdir), &cgrel, &why);
	if (r) {
		fprintf(stderr, "greenai run: %s: %s\n", why, strerror(-r));
		return CLI_EXIT_RUN;
	}
	ga_cgroup_id(cgdir, &cgid);
	if (rc->aware)
		cli_rc_aware(rc, rc->max_mg, rc->deadline_ms, cgdir);
	if (o->model && ga_cgroup_label_set(cgdir, GA_LABEL_MODEL, o->model))
		fprintf(stderr, "greenai run: cannot label the cgroup with the model (xattrs): the ledger still has it\n");
	gopts.backend = o->backend;
	gopts.idle = o->idle_conf;
	if (ga_open(&g, &gopts, err, sizeof(err))) {
		fprintf(stderr, "greenai run: %s\n", err);
		goto out;
	}
	if (ga_ledger_open(&ledger, o->ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai run: %s\n", err);
		goto out;
	}
	if (o->ledger)
		snprintf(ledger_path, sizeof(ledger_path), "%s", o->ledger);
	else
		ga_ledger_default_path(ledger_path, sizeof(ledger_path));
	mfd = mkstemp(metrics);
	if (mfd < 0) {
		fprintf(stderr, "greenai run: a metrics file: %s\n",
			strerror(errno));
		goto out;
	}
	close(mfd);
	setenv("GREENAI_METRICS", metrics, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &orig);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd >= 0) {
		r = cli_rc_wait_start(rc, sfd, o->interval_ms);
		if (r) {
			fprintf(stderr, "greenai run: signal %d while waiting: %s was not started\n",
				r, o->cmd[0]);
			ret = 128 + r;
			goto out_metrics;
		}
	}
	cli_label_begin(&lb, o->cmd, o->model, ga_backend_name(g), in,
		       pue_milli);
	lb.run.mg_per_kwh = rc->mg;	/* after any wait */
	cli_label_where(&lb, cgdir + cgrel);
	memcpy(lb.run.tags, o->tags, sizeof(o->tags));
	lb.run.nr_tags = o->nr_tags;
	lb.run.start_unix_ns = ga_unix_ns();
	if (ga_ledger_begin(ledger, &lb.run)) {
		fprintf(stderr, "greenai run: %s\n", ga_ledger_error(ledger));
		goto out_metrics;
	}
	snprintf(err, sizeof(err), "%lld", (long long)lb.run.id);
	ga_cgroup_label_set(cgdir, GA_LABEL_RUN, err);

	lb.start_ns = ga_mono_ns();
	cli_rc_begin(rc, lb.run.start_unix_ns / 1000000);
	pid = sfd < 0 ? -errno : run_spawn(cgdir, o->cmd, &orig);
	if (pid < 0) {
		fprintf(stderr, "greenai run: cannot start %s: %s\n",
			o->cmd[0], strerror(-pid));
		goto out_metrics;
	}
	r = run_wait(g, pid, sfd, o->interval_ms, &errors, rc, cgid);
	lb.end_ns = ga_mono_ns();
	lb.run.end_unix_ns = ga_unix_ns();
	end_ms = lb.run.end_unix_ns / 1000000;
	if (r < 0) {
		fprintf(stderr, "greenai run: waiting for %s: %s\n",
			o->cmd[0], strerror(-r));
		cli_rc_signal(rc, end_ms);	/* never leave it frozen */
		goto out_metrics;
	}
	status = r;
	cli_rc_signal(rc, end_ms);
	if (run_stop_leftovers(cgdir))
		fprintf(stderr, "greenai run: what %s left running was stopped\n",
			o->cmd[0]);
	run_settle(g, &errors);
	lb.run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) :
					      128 + WTERMSIG(status);
	ga_metrics_read(metrics, &lb.metrics);
	cli_label_finish(&lb, g, cgdir, has_acc, acc);
	cli_rc_end(rc, end_ms, lb.total_active_uj + lb.total_idle_uj, &lb.run);
	cli_label_set_co2(&lb, lb.run.co2_ug);
	cli_label_print(&lb, stderr, ledger_path);
	if (ga_ledger_finish(ledger, &lb.run))
		fprintf(stderr, "greenai run: %s\n", ga_ledger_error(ledger));
	ret = lb.run.exit_code;
out_metrics:
	unlink(metrics);
out:
	if (sfd >= 0)
		close(sfd);
	ga_ledger_close(ledger);
	ga_close(g);
	rmdir(cgdir);
	return ret;
}

/*
 * The threshold and deadline of --carbon-aware: the flags', else the mean
 * of the forecast until the deadline, and 24 hours from now.
 */
static int run_aware(const struct run_opts *o, const struct ga_live_conf *conf,
		     int live, struct cli_run_carbon *rc)
{
	struct ga_live_result fc;
	int64_t now = ga_unix_ms(), until = now + 24 * 3600 * 1000LL, d;
	char when[32];
	double mean;
	uint32_t max;

	if (o->deadline) {
		if (!ga_time_parse(o->deadline, &d))
			until = d;
		else if (!ga_duration_parse(o->deadline, &d) && d > 0)
			until = now + d;
		else
			return run_usage("--deadline '%s': not a time (RFC 3339 with a zone) or a length (6h, 1h30m)",
					 o->deadline);
		if (until <= now)
			return run_usage("--deadline '%s': already past",
					 o->deadline);
	}
	if (o->max_intensity) {
		if (ga_intensity_parse_g(o->max_intensity, &max))
			return run_usage("--max-intensity '%s': not g CO2e/kWh, 0 to 100000",
					 o->max_intensity);
	} else {
		if (!live || ga_live_get(conf, GA_WANT_FORECAST, now, &fc))
			return run_usage("--carbon-aware needs --max-intensity%s",
					 ": no provider gives a forecast to take the mean of");
		/* (a forecast may start at its next step, a little later) */
		d = fc.series.p[0].t_ms > now ? fc.series.p[0].t_ms : now;
		if (ga_series_mean(&fc.series, d,
				   until < ga_series_end(&fc.series) ?
					   until : ga_series_end(&fc.series),
				   &mean)) {
			ga_live_result_free(&fc);
			return run_usage("--carbon-aware needs --max-intensity%s",
					 ": the forecast does not cover the time until the deadline");
		}
		max = (uint32_t)(mean + 0.5);
		fprintf(stderr, "greenai run: the threshold is the forecast's mean, %u.%03u g/kWh (%s)\n",
			max / 1000, max % 1000, fc.series.source);
		ga_live_result_free(&fc);
	}
	ga_time_format(until, when, sizeof(when));
	fprintf(stderr, "greenai run: carbon-aware: pausing above %u.%03u g/kWh until %s\n",
		max / 1000, max % 1000, when);
	rc->aware = 1;
	rc->max_mg = max;
	rc->deadline_ms = until;
	return 0;
}

/*
 * The intensity a run starts with, and where it will come from as it
 * goes: --intensity, or the providers when any but the table is set up,
 * or the table's figure for the region.
 */
static int run_intensity(struct run_opts *o, struct ga_live_conf *conf,
			 struct ga_intensity *in, uint32_t pue,
			 struct cli_run_carbon *rc)
{
	struct ga_live_result res;
	const char *why;
	int r, live = 0;

	if (!o->intensity) {
		r = cli_live(&cli_cmd_run, o->region, conf, &live);
		if (r)
			return r;
	}
	if (!live) {
		r = cli_intensity(&cli_cmd_run, o->intensity, o->region, in,
				     &why);
		r = r ?: cli_rc_init(rc, NULL, NULL, in->mg_per_kwh, pue) ?
			       CLI_EXIT_RUN : 0;
		if (!r)
			snprintf(rc->series.source, sizeof(rc->series.source),
				 "%s", in->source);
	} else {
		r = ga_live_get(conf, GA_WANT_LATEST, ga_unix_ms(), &res);
		ga_live_print_failures(stderr, "greenai run", &res);
		if (r) {
			fprintf(stderr, "greenai run: no grid intensity from any provider\n");
			return CLI_EXIT_RUN;
		}
		cli_rc_init(rc, conf, &res, 0, pue);
		memset(in, 0, sizeof(*in));
		in->mg_per_kwh = rc->mg;
		in->origin = GA_INT_REGION;
		snprintf(in->region, sizeof(in->region), "%s",
			 conf->region ? conf->region : "");
		in->source = rc->series.source;
	}
	if (!r && o->carbon_aware)
		r = run_aware(o, conf, live, rc);
	return r;
}

static int cli_run_main(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ga_live_conf conf;
	struct cli_run_carbon rc;
	struct ga_intensity in;
	uint32_t pue = GA_PUE_MIN_MILLI;
	double acc = 0;
	int r;

	r = run_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	r = cli_pue(&cli_cmd_run, o.pue, &pue);
	r = r ?: cli_idle(&cli_cmd_run, o.idle, o.idle_power, &o.idle_conf);
	r = r ?: cli_ledger(&cli_cmd_run, &o.ledger);
	r = r ?: cli_model(&cli_cmd_run, &o.gopts);
	if (r)
		return r;
	if (o.accuracy && ga_accuracy_parse(o.accuracy, &acc))
		return run_usage("--accuracy '%s': not a percentage, 0 to 100",
				 o.accuracy);
	memset(&rc, 0, sizeof(rc));
	r = run_intensity(&o, &conf, &in, pue, &rc);
	if (!r)
		r = run_exec(&o, &in, pue, acc, !!o.accuracy, &rc);
	cli_rc_free(&rc);
	return r;
}

const struct cli_cmd cli_cmd_run = {
	.name = "run",
	.summary = "run a command, measure it, print its carbon label",
	.help = cli_run_help,
	.run = cli_run_main,
};
