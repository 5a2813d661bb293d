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

#include "carbon.h"
#include "cgroup.h"
#include "greenai.h"
#include "intensity.h"
#include "label.h"
#include "ledger.h"
#include "libgreenai.h"
#include "metrics.h"

#define RUN_SETTLE_SAMPLES	100	/* at most, for the exits to fold */

static const char ga_run_help[] =
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
	"  --tag KEY=VALUE    recorded with the run; repeatable\n"
	"  --ledger PATH      the ledger (default: greenai.conf's ledger, else\n"
	"                     /var/lib/greenai/ledger.db for root,\n"
	"                     $XDG_DATA_HOME/greenai/ledger.db otherwise)\n"
	"  --interval-ms N    sampling interval, 10 to 10000 (default 500)\n"
	"  --backend B        auto (default), module or bpf\n"
	"\n"
	"Exit status: CMD's (128 + N when signal N ended it); 2 for bad usage;\n"
	"125 when greenai could not measure or run CMD.\n";

#define GA_EXIT_RUN	125

struct run_opts {
	const char *model, *accuracy, *region, *intensity, *pue, *ledger;
	struct ga_kv tags[GA_LEDGER_MAX_KV];
	unsigned int nr_tags;
	unsigned long interval_ms;
	enum ga_backend backend;
	char **cmd;
};

static int run_usage(const char *fmt, const char *arg)
{
	return ga_cli_usage(&ga_cmd_run, fmt, arg);
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
		case 'h':
			ga_cli_help(&ga_cmd_run);
			return -1;
		default:
			return ga_cli_bad_option(&ga_cmd_run, argv);
		}
	}
	if (optind >= argc)
		return run_usage("no command to run%s", "");
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

static __s64 unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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
		    unsigned long interval_ms, unsigned int *errors)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	int status;

	for (;;) {
		struct signalfd_siginfo si;
		int n = poll(&pfd, 1, interval_ms);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0) {
			run_sample(g, errors);
			continue;
		}
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
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
		    uint32_t pue_milli, double acc, int has_acc)
{
	struct ga_opts gopts = { .backend = o->backend };
	char cgdir[GA_PATH_MAX], err[512], ledger_path[GA_PATH_MAX];
	char metrics[] = "/tmp/greenai-metrics-XXXXXX";
	struct ga_label lb = { 0 };
	struct ga_ledger *ledger = NULL;
	const char *why = "";
	sigset_t set, orig;
	unsigned int errors = 0;
	struct ga_ctx *g = NULL;
	int r, status = 0, sfd = -1, mfd, ret = GA_EXIT_RUN;
	size_t cgrel = 0;
	pid_t pid;

	r = run_cgroup(cgdir, sizeof(cgdir), &cgrel, &why);
	if (r) {
		fprintf(stderr, "greenai run: %s: %s\n", why, strerror(-r));
		return GA_EXIT_RUN;
	}
	if (o->model && ga_cgroup_label_set(cgdir, GA_LABEL_MODEL, o->model))
		fprintf(stderr, "greenai run: cannot label the cgroup with the model (xattrs): the ledger still has it\n");
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
	ga_label_begin(&lb, o->cmd, o->model, ga_backend_name(g), in,
		       pue_milli);
	ga_label_where(&lb, cgdir + cgrel);
	memcpy(lb.run.tags, o->tags, sizeof(o->tags));
	lb.run.nr_tags = o->nr_tags;
	lb.run.start_unix_ns = unix_ns();
	if (ga_ledger_begin(ledger, &lb.run)) {
		fprintf(stderr, "greenai run: %s\n", ga_ledger_error(ledger));
		goto out_metrics;
	}
	snprintf(err, sizeof(err), "%lld", (long long)lb.run.id);
	ga_cgroup_label_set(cgdir, GA_LABEL_RUN, err);

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
	lb.start_ns = ga_label_now();
	pid = sfd < 0 ? -errno : run_spawn(cgdir, o->cmd, &orig);
	if (pid < 0) {
		fprintf(stderr, "greenai run: cannot start %s: %s\n",
			o->cmd[0], strerror(-pid));
		goto out_metrics;
	}
	r = run_wait(g, pid, sfd, o->interval_ms, &errors);
	lb.end_ns = ga_label_now();
	lb.run.end_unix_ns = unix_ns();
	if (r < 0) {
		fprintf(stderr, "greenai run: waiting for %s: %s\n",
			o->cmd[0], strerror(-r));
		goto out_metrics;
	}
	status = r;
	if (run_stop_leftovers(cgdir))
		fprintf(stderr, "greenai run: what %s left running was stopped\n",
			o->cmd[0]);
	run_settle(g, &errors);
	lb.run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) :
					      128 + WTERMSIG(status);
	ga_metrics_read(metrics, &lb.metrics);
	ga_label_finish(&lb, g, cgdir, has_acc, acc);
	ga_label_print(&lb, stderr, ledger_path);
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

static int ga_run_main(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ga_intensity in;
	uint32_t pue = GA_PUE_MIN_MILLI;
	const char *why;
	double acc = 0;
	int r;

	r = run_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	r = ga_cli_intensity(&ga_cmd_run, o.intensity, o.region, &in, &why);
	r = r ?: ga_cli_pue(&ga_cmd_run, o.pue, &pue);
	r = r ?: ga_cli_ledger(&ga_cmd_run, &o.ledger);
	if (r)
		return r;
	if (o.accuracy && ga_accuracy_parse(o.accuracy, &acc))
		return run_usage("--accuracy '%s': not a percentage, 0 to 100",
				 o.accuracy);
	return run_exec(&o, &in, pue, acc, !!o.accuracy);
}

const struct ga_cmd ga_cmd_run = {
	.name = "run",
	.summary = "run a command, measure it, print its carbon label",
	.help = ga_run_help,
	.run = ga_run_main,
};
