// SPDX-License-Identifier: GPL-2.0
/*
 * greenai run: run a command in a cgroup of its own, or watch a workload
 * already running, measure it, print its carbon label and record it in
 * the ledger.
 *
 * The command is born inside a new cgroup v2 (clone3 with
 * CLONE_INTO_CGROUP), <cgroup2>/greenai.runs/<pid>, labelled with the model
 * (user.greenai.model) and the run id. libgreenai samples while it runs;
 * when it has exited, what its processes left running is stopped (their
 * energy would otherwise escape the run), the exits are folded, and the
 * energy per domain of the cgroup with its descendants (the cgroups the
 * command made) is the run's. Signals greenai receives (INT, TERM, HUP,
 * QUIT, USR1, USR2) go to the command; greenai exits with the command's
 * status (128 + signal when a signal ended it).
 *
 * A workload (--cgroup, --container, --unit) is an existing cgroup: its
 * figures with its descendants' at the start are the run's base, and the
 * run ends when the cgroup has no process left or has gone (cgroup.events,
 * watched with inotify), at --duration, or at a signal to greenai. The
 * workload is never signalled, labelled or frozen: it is not greenai's.
 *
 * A process (--pid) is moved, its whole thread group, into a cgroup made
 * for the run inside the cgroup it was in, <its cgroup>/greenai-run-<pid
 * of greenai>, so that the limits of its container, unit or job still
 * hold; what it starts is born there. Its run ends at EOF on greenai's
 * standard input, at a signal to greenai (any that would end greenai and
 * can be caught) or when the process exits; the process, and whatever it
 * left running in the run's cgroup, then go back to where it came from,
 * and the run's figures are printed as JSON on standard output, after the
 * first line, "started run=ID metrics=PATH cgroup=PATH", which tells the
 * process its run and metrics file. The process is held by a pidfd: what
 * is read of it by pid, and its move, count only if it is alive after.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "json_out.h"
#include "label.h"
#include "run_carbon.h"

#define RUN_SETTLE_NS	(10 * 1000000000ULL)	/* at most, for the exits to fold */
#define RUN_SETTLE_AGENT_NS	(130 * 1000000000ULL)	/* two of its samples */

static const char cli_run_help[] =
	"usage: greenai run [OPTIONS] -- CMD [ARG...]\n"
	"       greenai run [OPTIONS] (--cgroup PATH | --container ID | --unit NAME)\n"
	"                   [--duration D]\n"
	"       greenai run [OPTIONS] --pid PID\n"
	"\n"
	"Run CMD in a cgroup of its own, measure the energy of everything it\n"
	"starts (the cgroups it makes below its own included), and print its\n"
	"carbon label on standard error: duration, energy per domain (J, kWh;\n"
	"active and idle), CO2e and the intensity used, the Green Score when the\n"
	"accuracy is known, and whether the figures are measured or estimated.\n"
	"The run goes into the ledger.\n"
	"\n"
	"Not root, a command is measured through the greenai agent, which makes\n"
	"its cgroup inside greenai's own (CG/greenai-run-PID-N, whose limits\n"
	"still hold); the figures are the agent's (one sample every --interval\n"
	"of the agent's), and the run ends once the agent has sampled it twice\n"
	"after the command's end.\n"
	"--carbon-aware needs root.\n"
	"\n"
	"`greenai run -- docker run IMAGE` measures the docker client only: the\n"
	"container runs under the container runtime, not under CMD. Start the\n"
	"container, then measure it with --container.\n"
	"\n"
	"A workload already running, from now until it ends, with the same\n"
	"label, ledger row and CO2e as a command's:\n"
	"  --cgroup PATH      a cgroup v2 and its descendants (a pod's cgroup, a\n"
	"                     slice), by its path under the cgroup2 mount or as a\n"
	"                     directory\n"
	"  --container ID     a docker, podman, containerd or CRI-O container, by\n"
	"                     its id or the start of it (docker ps's 12 digits)\n"
	"  --unit NAME        a systemd unit (NAME.service when no type is given),\n"
	"                     the system's or a user's\n"
	"  --duration D       stop after D (90s, 10m, 1h30m); else the run ends\n"
	"                     when no process is left in the cgroup, when it is\n"
	"                     removed, or at SIGINT or SIGTERM to greenai\n"
	"The workload is not signalled, labelled or frozen: --carbon-aware is\n"
	"for commands only.\n"
	"\n"
	"A process already running, from now on, in a cgroup of its own:\n"
	"  --pid PID          move process PID (all its threads) into a new run\n"
	"                     cgroup made in its own (CG/greenai-run-N, whose\n"
	"                     limits still hold; not root, the agent's\n"
	"                     CG/greenai-run-PID-N), labelled with the model;\n"
	"                     what it starts from then on is born there. A\n"
	"                     process left in the run cgroup of a greenai that\n"
	"                     was killed is taken from where that one took\n"
	"                     it (the run is stale; not root, the agent's\n"
	"                     cgroup is made inside the stale one, and the\n"
	"                     process goes back to it). The first line on\n"
	"                     standard output is \"started run=ID metrics=PATH\n"
	"                     cgroup=PATH\": the run's id, its metrics file\n"
	"                     (the process's to write, as $GREENAI_METRICS)\n"
	"                     and its cgroup. The run ends at EOF on greenai's\n"
	"                     standard input, at a signal to greenai (INT,\n"
	"                     TERM, HUP, QUIT, USR1, USR2, ALRM, ...), or when\n"
	"                     the process exits; the process, and what\n"
	"                     it left running, go back to the cgroup it came\n"
	"                     from. The label goes to standard error, the\n"
	"                     ledger gets the run, and the rest of standard\n"
	"                     output is the run as one JSON object (greenai\n"
	"                     report --by run --format json's, with ledger,\n"
	"                     estimated, estimated_by, energy_sources, ended\n"
	"                     and pid). Not root, the greenai agent moves\n"
	"                     the process in and back.\n"
	"\n"
	"  --model NAME       the model this run trains or serves (a label on\n"
	"                     its cgroup, user.greenai.model)\n"
	"  --accuracy A       the model's accuracy, %; else CMD may write\n"
	"                     accuracy=A to the file named in $GREENAI_METRICS\n"
	"                     (key=value lines, numbers; all are recorded);\n"
	"                     $GREENAI_RUN_ID is the run's id in the ledger\n"
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
	"Exit status: CMD's (128 + N when signal N ended it), 0 for a workload\n"
	"or a process; 2 for bad usage (no such cgroup, container, unit or\n"
	"process); 125 when greenai could not measure or run CMD, or the\n"
	"workload had no process.\n";

#define CLI_EXIT_RUN	125

struct run_opts {
	const char *model, *accuracy, *region, *intensity, *pue, *ledger;
	const char *max_intensity, *deadline;
	const char *idle, *idle_power;
	struct ga_idle_conf idle_conf;
	/* a workload: at most one of these, and its cgroup */
	const char *cgroup, *container, *unit, *duration;
	int64_t duration_ms;
	char wl_path[GA_PATH_MAX];	/* from the cgroup2 root */
	/* a process (--pid): where it was, its owner, a pidfd on it */
	const char *pid_arg;
	pid_t pid;
	int pidfd;
	char pid_from[GA_PATH_MAX];	/* from the cgroup2 root */
	char pid_stale[GA_PATH_MAX];	/* a stale run's cgroup it was in */
	uid_t pid_uid;
	gid_t pid_gid;
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

/*
 * --cgroup, --container or --unit: its cgroup's path, into o->wl_path;
 * the workload's name as the ledger's command.
 */
static int run_parse_workload(int argc, struct run_opts *o)
{
	static char label[GA_PATH_MAX + 32], *cmd[2] = { label, NULL };
	const char *flag = o->cgroup ? "--cgroup" :
			   o->container ? "--container" : "--unit";
	const char *arg = o->cgroup ?: o->container ?: o->unit;
	char other[GA_PATH_MAX];
	struct ga_cgroup_mount m;
	int r;

	if (optind < argc)
		return run_usage("%s: a workload or a command, not both", flag);
	if (o->carbon_aware)
		return run_usage("--carbon-aware: greenai pauses only a command it starts, not %s's",
				 flag);
	if (ga_cgroup_find_mount("/", &m) || m.layout == GA_CGROUP_LEGACY) {
		fprintf(stderr, "greenai run: no cgroup v2 mount\n");
		return CLI_EXIT_RUN;
	}
	if (o->cgroup)
		r = ga_cgroup_of_arg(&m, arg, o->wl_path, sizeof(o->wl_path));
	else if (o->container)
		r = ga_cgroup_of_container(&m, arg, o->wl_path,
					   sizeof(o->wl_path), other,
					   sizeof(other));
	else
		r = ga_cgroup_of_unit(&m, arg, o->wl_path, sizeof(o->wl_path),
				      other, sizeof(other));
	if (r == -ENOTUNIQ) {
		fprintf(stderr, "greenai run: %s '%s': more than one: %s and %s; give --cgroup PATH\n",
			flag, arg, o->wl_path, other);
		return CLI_EXIT_USAGE;
	}
	if (r == -EINVAL)
		return run_usage(o->container ?
				 "--container '%s': not a container id (1 to 64 hex digits)" :
				 "--unit '%s': not a unit name", arg);
	if (r == -ENOENT)
		return run_usage(o->cgroup ? "--cgroup '%s': no such cgroup v2" :
				 o->container ? "--container '%s': no running container has that id" :
				 "--unit '%s': no cgroup of that unit (is it running?)",
				 arg);
	if (r) {
		fprintf(stderr, "greenai run: %s '%s': %s\n", flag, arg,
			strerror(-r));
		return CLI_EXIT_RUN;
	}
	snprintf(label, sizeof(label), "%s %s", flag + 2, arg);
	o->cmd = cmd;
	return 0;
}

/* Whether the process of @pidfd is alive (EPERM: alive, not ours). */
static int run_pidfd_alive(int pidfd)
{
	return !syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) ||
	       errno == EPERM;
}

/* Whether [@s, @s + @len) is a pid (1 to INT_MAX), into *@pid. */
static int run_is_pid(const char *s, size_t len, int *pid)
{
	long long n = 0;
	size_t i;

	if (!len || len > 10 || *s == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		n = n * 10 + s[i] - '0';
	}
	*pid = n;
	return n <= INT_MAX;
}

/*
 * Whether greenai @pid is running: a process of that pid named greenai,
 * or running the same program as this one.
 */
static int run_greenai_alive(int pid)
{
	struct ga_proc_stat st;
	struct stat a, b;
	char exe[64];

	if (ga_proc_stat_read("/", pid, &st) || st.state == 'Z' ||
	    st.state == 'X')
		return 0;
	if (!strcmp(st.comm, "greenai"))
		return 1;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	return !stat(exe, &a) && !stat("/proc/self/exe", &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Whether [@s, @s + @len) is "P-N", two decimal numbers: the agent's. */
static int run_is_agent_run(const char *s, size_t len)
{
	const char *dash = memchr(s, '-', len);
	int n;

	return dash && run_is_pid(s, dash - s, &n) &&
	       run_is_pid(dash + 1, s + len - dash - 1, &n);
}

/*
 * --pid's process in a greenai run already: a cgroup of its path that is
 * "greenai-run-N" (greenai run --pid's, made in the process's cgroup) or
 * "/greenai.runs/N" (a command's) is greenai N's run; greenai-run-P-N (P
 * and N decimal numbers) and /greenai.runs/agent/... are the agent's
 * (which ends a run whose greenai has gone: its connection closed).
 * Refused while that
 * greenai (or the agent) is there; else the run is stale (its greenai
 * was killed): say so. As root, measure the process from the cgroup the
 * first stale greenai-run-N is in (it goes back there at the end), else
 * from the stale /greenai.runs/N itself; o->pid_stale is the stale cgroup,
 * removed once empty. Not root, the agent makes its run cgroup inside the
 * one the process is in, the stale one, and the process goes back there:
 * a user cannot move it out of a cgroup of root's, nor remove it.
 * Return: 0 or an exit status.
 */
static int run_pid_stale(struct run_opts *o)
{
	char path[GA_PATH_MAX];
	const char *c, *e;
	size_t cut = 0, cut_end = 0, runs_end = 0, len;
	int owner, agent, cmd, i;

	snprintf(path, sizeof(path), "%s", o->pid_from);
	for (c = path, i = 0; *c; c = e, i++) {
		while (*c == '/')
			c++;
		e = c + strcspn(c, "/");
		len = e - c;
		owner = 0;
		agent = 0;
		cmd = i == 1 && !strncmp(path, "/greenai.runs/", 14);
		if (cmd) {
			if (!run_is_pid(c, len, &owner))
				agent = 1;
		} else if (len > 12 && !strncmp(c, "greenai-run-", 12)) {
			if (!run_is_pid(c + 12, len - 12, &owner))
				agent = run_is_agent_run(c + 12, len - 12);
		}
		if (agent || (owner && run_greenai_alive(owner)))
			return cli_usage(&cli_cmd_run, "--pid %s: already in a greenai run (%s), which measures it",
					 o->pid_arg, o->pid_from);
		if (owner && cmd) {
			runs_end = e - path;
		} else if (owner && !cut) {
			cut = c - path;
			cut_end = e - path;
		}
	}
	if ((cut || runs_end) && geteuid()) {
		fprintf(stderr, "greenai run: --pid %s: in %.*s, the run cgroup of a greenai that has gone (stale): the agent makes this run's cgroup inside it, and the process goes back to it at the end (only root can move it out, or remove it)\n",
			o->pid_arg, (int)(cut ? cut_end : runs_end), path);
		return 0;
	}
	if (cut) {
		snprintf(o->pid_stale, sizeof(o->pid_stale), "%.*s",
			 (int)cut_end, path);
		snprintf(o->pid_from, sizeof(o->pid_from), "%.*s",
			 cut > 1 ? (int)cut - 1 : 1, path);
	} else if (runs_end) {
		snprintf(o->pid_stale, sizeof(o->pid_stale), "%.*s",
			 (int)runs_end, path);
	} else {
		return 0;
	}
	fprintf(stderr, "greenai run: --pid %s: in %s, the run cgroup of a greenai that has gone (stale): measured from %s\n",
		o->pid_arg, o->pid_stale, o->pid_from);
	return 0;
}

/*
 * --pid: a process (a thread group's leader) that is not greenai, a kernel
 * thread, a zombie or in a greenai run already; where it is, its owner
 * and its command line as the ledger's command. Not root, through the agent.
 */
static int run_parse_pid(int argc, struct run_opts *o)
{
	static char label[1100], *cmd[2] = { label, NULL };
	struct ga_cgroup_mount m;
	struct ga_identity id;
	char *end;
	long v;
	int r;

	if (optind < argc)
		return run_usage("--pid: a process or a command, not both%s",
				 "");
	if (o->carbon_aware)
		return run_usage("--carbon-aware: greenai pauses only a command it starts, not --pid's%s",
				 "");
	if (o->duration)
		return run_usage("--duration: not with --pid, whose run ends at EOF on standard input, a signal or the process's exit%s",
				 "");
	errno = 0;
	v = strtol(o->pid_arg, &end, 10);
	if (*o->pid_arg < '0' || *o->pid_arg > '9' || *end || errno ||
	    v <= 0 || v > INT_MAX)
		return run_usage("--pid '%s': not a process id", o->pid_arg);
	o->pid = v;
	if (o->pid == getpid())
		return run_usage("--pid %s: that is greenai itself", o->pid_arg);
	o->pidfd = syscall(SYS_pidfd_open, o->pid, 0);
	/* (a thread that does not lead its group: EINVAL, since 6.9 ENOENT) */
	if (o->pidfd < 0 && (errno == EINVAL || errno == ENOENT))
		return run_usage("--pid %s: a thread, not a process: give its process's id (Tgid in /proc/PID/status)",
				 o->pid_arg);
	if (o->pidfd < 0 && errno == ESRCH)
		return run_usage("--pid %s: no such process", o->pid_arg);
	if (o->pidfd < 0) {
		fprintf(stderr, "greenai run: --pid %s: %s\n", o->pid_arg,
			strerror(errno));
		return CLI_EXIT_RUN;
	}
	r = ga_identity_read("/", NULL, o->pid, GA_ID_READ_CMDLINE, &id);
	if (r == -ESRCH)
		return run_usage("--pid %s: no such process", o->pid_arg);
	if (r) {
		fprintf(stderr, "greenai run: --pid %s: %s\n", o->pid_arg,
			strerror(-r));
		return CLI_EXIT_RUN;
	}
	snprintf(label, sizeof(label), "pid %d: %s", o->pid,
		 id.cmdline[0] ? id.cmdline : id.comm);
	r = id.flags & GA_ID_KTHREAD ? 1 : id.flags & GA_ID_ZOMBIE ? 2 : 0;
	ga_identity_done(&id);
	if (r)
		return run_usage(r == 1 ? "--pid %s: a kernel thread, which no cgroup but the root holds" :
				 "--pid %s: the process has exited", o->pid_arg);
	if (ga_cgroup_find_mount("/", &m) || m.layout == GA_CGROUP_LEGACY) {
		fprintf(stderr, "greenai run: no cgroup v2 mount\n");
		return CLI_EXIT_RUN;
	}
	r = ga_cgroup_of_pid("/", o->pid, o->pid_from, sizeof(o->pid_from),
			     NULL);
	if (r == -ESRCH)
		return run_usage("--pid %s: no such process", o->pid_arg);
	if (r) {
		fprintf(stderr, "greenai run: --pid %s: its cgroup: %s\n",
			o->pid_arg, strerror(-r));
		return CLI_EXIT_RUN;
	}
	r = ga_proc_owner("/", o->pid, &o->pid_uid, &o->pid_gid);
	/* read while the pidfd holds it: alive after, the same process */
	if (r == -ESRCH || (!r && !run_pidfd_alive(o->pidfd)))
		return run_usage("--pid %s: no such process", o->pid_arg);
	if (r) {
		fprintf(stderr, "greenai run: --pid %s: its owner: %s\n",
			o->pid_arg, strerror(-r));
		return CLI_EXIT_RUN;
	}
	r = run_pid_stale(o);
	if (r)
		return r;
	o->cmd = cmd;
	return 0;
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
		{ "cgroup", required_argument, NULL, 'G' },
		{ "container", required_argument, NULL, 'K' },
		{ "unit", required_argument, NULL, 'U' },
		{ "duration", required_argument, NULL, 'T' },
		{ "pid", required_argument, NULL, 'P' },
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
		case 'G':
			o->cgroup = optarg;
			break;
		case 'K':
			o->container = optarg;
			break;
		case 'U':
			o->unit = optarg;
			break;
		case 'P':
			o->pid_arg = optarg;
			break;
		case 'T':
			if (ga_duration_parse(optarg, &o->duration_ms) ||
			    o->duration_ms <= 0)
				return run_usage("--duration '%s': not a length (90s, 10m, 1h30m)",
						 optarg);
			o->duration = optarg;
			break;
		case 'h':
			cli_help(&cli_cmd_run);
			return -1;
		default:
			return cli_bad_option(&cli_cmd_run, argv);
		}
	}
	if (!!o->cgroup + !!o->container + !!o->unit + !!o->pid_arg > 1)
		return run_usage("one of --pid, --cgroup, --container and --unit%s",
				 "");
	if ((o->max_intensity || o->deadline) && !o->carbon_aware)
		return run_usage("%s needs --carbon-aware",
				 o->max_intensity ? "--max-intensity" :
						    "--deadline");
	if (o->cgroup || o->container || o->unit)
		return run_parse_workload(argc, o);
	if (o->pid_arg)
		return run_parse_pid(argc, o);
	if (o->duration)
		return run_usage("--duration needs --cgroup, --container or --unit%s",
				 "");
	if (optind >= argc)
		return run_usage("no command to run%s", "");
	o->cmd = argv + optind;
	return 0;
}

/* Where a run is measured: a cgroup, with its descendants. */
struct run_where {
	char dir[GA_PATH_MAX];		/* its directory */
	char path[GA_PATH_MAX];		/* its path from the cgroup2 root */
	int made;			/* made for the run: a command's */
	struct ga_acct_cgroup base;	/* its figures at the start */
	/* not root: the agent made it, for the held command */
	uint64_t agent_id;		/* 0: greenai made it */
	int agent_hold;			/* the connection that holds it */
	pid_t held;			/* the command, waiting on @go */
	int go;				/* its pipe: the environment, then EOF */
};

/* Make @w's cgroup, @parent/@name, and find its path from the root. */
static int run_make(const struct ga_cgroup_mount *m, struct run_where *w,
		    const char *parent, const char *name, const char **why)
{
	char dir[GA_PATH_MAX];
	int n, r;

	n = snprintf(dir, sizeof(dir), "%s/%s", parent, name);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(w->dir, dir, n + 1);
	if (mkdir(w->dir, 0755)) {
		*why = "cannot make the run's cgroup";
		return -errno;
	}
	w->made = 1;
	r = ga_cgroup_of_arg(m, w->dir, w->path, sizeof(w->path));
	if (r)
		*why = "the run's cgroup is not under the cgroup2 mount";
	return r;
}

/* A command's cgroup: <cgroup2>/greenai.runs/<pid>, made here. */
static int run_cgroup(struct run_where *w, const char **why)
{
	struct ga_cgroup_mount m;
	char name[16];
	int n;

	if (ga_cgroup_find_mount("/", &m) || m.layout == GA_CGROUP_LEGACY) {
		*why = "no cgroup v2 mount";
		return -ENODEV;
	}
	n = snprintf(w->dir, sizeof(w->dir), "%s/greenai.runs", m.dir);
	if (n < 0 || (size_t)n >= sizeof(w->dir))
		return -ENAMETOOLONG;
	if (mkdir(w->dir, 0755) && errno != EEXIST) {
		*why = "cannot make <cgroup2>/greenai.runs (run as root?)";
		return -errno;
	}
	snprintf(name, sizeof(name), "%d", getpid());
	return run_make(&m, w, w->dir, name, why);
}

/*
 * Not root: the command is forked now, held on a pipe, and the agent
 * (which holds the backend) makes its run cgroup inside greenai's own and
 * moves it there; greenai cannot make cgroups. At the start
 * (run_release()) the child reads the environment the run set (NUL-ended
 * NAME=VALUE strings) from the pipe and execs the command; if greenai gives
 * up first, the pipe's EOF with nothing in it ends the child.
 */
static int run_cgroup_agent(struct run_where *w, char **argv,
			    const char **why)
{
	static char err[256];
	struct ga_cgroup_mount m;
	int p[2], r;

	*why = "no cgroup v2 mount";
	r = ga_cgroup_find_mount("/", &m);
	if (!r && m.layout == GA_CGROUP_LEGACY)
		r = -ENODEV;
	if (r)
		return r;
	if (pipe2(p, O_CLOEXEC)) {
		*why = "a pipe";
		return -errno;
	}
	fflush(NULL);
	w->held = fork();
	if (w->held == 0) {
		char env[8192];
		size_t n = 0;
		ssize_t k;

		close(p[1]);
		while (n < sizeof(env) &&
		       (k = read(p[0], env + n, sizeof(env) - n)) > 0)
			n += k;
		if (!n || env[n - 1] != '\0')
			_exit(125);
		for (k = 0; (size_t)k < n; k += strlen(env + k) + 1)
			putenv(env + k);
		execvp(argv[0], argv);
		fprintf(stderr, "greenai run: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	if (w->held < 0) {
		close(p[1]);
		*why = "cannot start the command";
		return -errno;
	}
	w->go = p[1];
	r = ga_agent_run_cgroup(NULL, w->held, w->path, sizeof(w->path),
				&w->agent_id, &w->agent_hold, err,
				sizeof(err));
	if (r) {
		*why = err;
		return r;
	}
	w->made = 1;
	r = ga_cgroup_dir(&m, w->path, w->dir, sizeof(w->dir));
	if (r)
		*why = "the run's cgroup is not under the cgroup2 mount";
	return r;
}

/* Send the held command the run's environment: it starts. */
static int run_release(struct run_where *w)
{
	static const char *const names[] = { "GREENAI_METRICS",
					     "GREENAI_RUN_ID" };
	char env[2 * GA_PATH_MAX];
	void (*old)(int);
	size_t n = 0, i;
	int r = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int k = snprintf(env + n, sizeof(env) - n, "%s=%s", names[i],
				 getenv(names[i]) ?: "");

		if (k < 0 || (size_t)k >= sizeof(env) - n)
			return -ENAMETOOLONG;
		n += k + 1;
	}
	/* a command killed while held: EPIPE, not the end of greenai */
	old = signal(SIGPIPE, SIG_IGN);
	if (write(w->go, env, n) != (ssize_t)n)
		r = errno == EPIPE ? -ESRCH : -EIO;
	signal(SIGPIPE, old);
	close(w->go);
	w->go = -1;
	return r;
}

/* greenai gave up before the start: the held command ends, unstarted. */
static void run_unhold(struct run_where *w)
{
	if (w->go >= 0) {
		close(w->go);
		w->go = -1;
	}
	if (w->held > 0)
		waitpid(w->held, NULL, 0);
	w->held = 0;
}

/*
 * --pid's cgroup: <its cgroup>/greenai-run-<greenai's pid>, made here, so
 * that the limits of the cgroups it was in (memory.max, pids.max,
 * cpu.max of its container, unit or job) still hold over the run, and the
 * cgroup it came from is not left empty (a systemd scope would go). A
 * cgroup that holds processes has no domain controllers in its
 * subtree_control: it may have children.
 */
static int run_cgroup_pid(const struct run_opts *o, struct run_where *w,
			  const char **why)
{
	static char err[256];
	struct ga_cgroup_mount m;
	char from[GA_PATH_MAX], name[32];
	int r;

	*why = "no cgroup v2 mount";
	r = ga_cgroup_find_mount("/", &m);
	if (!r && m.layout == GA_CGROUP_LEGACY)
		r = -ENODEV;
	if (!r && geteuid()) {
		/* not root: the agent makes it, and moves the process now */
		*why = err;
		r = ga_agent_run_cgroup(NULL, o->pid, w->path, sizeof(w->path),
					&w->agent_id, &w->agent_hold, err,
					sizeof(err));
		if (r)
			return r;
		w->made = 1;
		*why = "the run's cgroup is not under the cgroup2 mount";
		return ga_cgroup_dir(&m, w->path, w->dir, sizeof(w->dir));
	}
	if (!r) {
		*why = "the process's cgroup";
		r = ga_cgroup_dir(&m, o->pid_from, from, sizeof(from));
	}
	if (r)
		return r;
	snprintf(name, sizeof(name), "greenai-run-%d", getpid());
	return run_make(&m, w, from, name, why);
}

/* A workload's cgroup, found at parsing: its directory. */
static int run_workload(const struct run_opts *o, struct run_where *w,
			const char **why)
{
	struct ga_cgroup_mount m;
	int r;

	*why = "no cgroup v2 mount";
	r = ga_cgroup_find_mount("/", &m);
	r = r ?: ga_cgroup_dir(&m, o->wl_path, w->dir, sizeof(w->dir));
	if (r)
		return r;
	snprintf(w->path, sizeof(w->path), "%s", o->wl_path);
	return 0;
}

/* Remove the run's cgroup and those the command made below it. */
static void run_rmdir_tree(const char *dir, unsigned int depth)
{
	char sub[GA_PATH_MAX];
	struct dirent *de;
	DIR *d = depth < GA_CGROUP_DEPTH_MAX ? opendir(dir) : NULL;

	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir,
				     de->d_name) < sizeof(sub))
			run_rmdir_tree(sub, depth + 1);
	}
	if (d)
		closedir(d);
	rmdir(dir);
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
 * Label run cgroup @dir with the run's @model, its @units so far and their
 * @unit name (each NULL: left as it is): greenai's own cgroup (root's) by
 * its xattrs, the agent's (@agent_id, root-owned) by asking the agent.
 * Return: 0, or -errno with @err saying why.
 */
static int run_label(const char *dir, uint64_t agent_id, const char *model,
		     const char *units, const char *unit, char *err,
		     size_t err_size)
{
	int r = 0;

	if (agent_id)
		return ga_agent_label(NULL, agent_id, model, units, unit, err,
				      err_size);
	/* the name first: the exporter counts units with a name only */
	if (model)
		r = ga_cgroup_label_set(dir, GA_LABEL_MODEL, model);
	if (!r && unit)
		r = ga_cgroup_label_set(dir, GA_LABEL_UNIT, unit);
	if (!r && units)
		r = ga_cgroup_label_set(dir, GA_LABEL_UNITS, units);
	if (r)
		snprintf(err, err_size, "cannot label the cgroup (xattrs): %s",
			 strerror(-r));
	return r;
}

/*
 * The run's units so far, mirrored from its metrics file into its cgroup's
 * user.greenai.unit and user.greenai.units, for the exporter's
 * greenai_model_units_total (a serving run's rate of work): looked at
 * each interval, read again when the file changed. Only a cgroup made for
 * the run: greenai's own, or the agent's (through the agent). Values the
 * exporter would not take are not mirrored.
 */
static struct {
	char dir[GA_PATH_MAX];		/* "": no mirror */
	uint64_t agent_id;		/* the agent's run cgroup, or 0 */
	const char *metrics;
	struct timespec mtime;
	off_t size;
	char units[32], unit[32];
} run_mirror;

static void run_mirror_units(void)
{
	const struct ga_metric *units, *unit;
	const char *to_units = NULL, *to_unit = NULL;
	struct ga_metrics m;
	struct stat st;
	uint64_t milli;
	char err[256];

	if (!run_mirror.dir[0] || stat(run_mirror.metrics, &st) ||
	    (st.st_size == run_mirror.size &&
	     st.st_mtim.tv_sec == run_mirror.mtime.tv_sec &&
	     st.st_mtim.tv_nsec == run_mirror.mtime.tv_nsec))
		return;
	run_mirror.size = st.st_size;
	run_mirror.mtime = st.st_mtim;
	if (ga_metrics_read(run_mirror.metrics, &m))
		return;
	units = ga_metrics_get(&m, "units");
	unit = ga_metrics_get(&m, "unit");
	if (unit && strcmp(unit->text, run_mirror.unit) &&
	    ga_metric_unit_ok(unit->text) &&
	    strlen(unit->text) < sizeof(run_mirror.unit))
		to_unit = unit->text;
	if (units && strcmp(units->text, run_mirror.units) &&
	    !ga_metric_units_milli(units->text, &milli) &&
	    strlen(units->text) < sizeof(run_mirror.units))
		to_units = units->text;
	if ((!to_unit && !to_units) ||
	    run_label(run_mirror.dir, run_mirror.agent_id, NULL, to_units,
		      to_unit, err, sizeof(err)))
		return;
	if (to_unit)
		snprintf(run_mirror.unit, sizeof(run_mirror.unit), "%s",
			 to_unit);
	if (to_units)
		snprintf(run_mirror.units, sizeof(run_mirror.units), "%s",
			 to_units);
}

/*
 * An interval's end: a sample, the run's energy so far for its intensity
 * intervals, and the next end (@step on, or from now when late). Return:
 * the time it ended, CLOCK_MONOTONIC.
 */
static __u64 run_tick(struct ga_ctx *g, unsigned int *errors,
		      struct cli_run_carbon *rc, const struct run_where *w,
		      __u64 *next, __u64 step)
{
	__u64 now = ga_mono_ns();

	run_sample(g, errors);
	run_mirror_units();
	cli_rc_tick(rc, ga_unix_ms(),
		   cli_label_energy_now(g, w->path, &w->base));
	*next += step;
	if (*next < now)
		*next = now + step;
	return now;
}

/*
 * Wait for the command, sampling every interval and passing signals on.
 * Return: its wait status, or -errno.
 */
static int run_wait(struct ga_ctx *g, pid_t pid, int sfd,
		    unsigned long interval_ms, unsigned int *errors,
		    struct cli_run_carbon *rc, const struct run_where *w)
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
			run_tick(g, errors, rc, w, &next,
				 interval_ms * 1000000ULL);
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
 * A watch on a workload's end: @sfd (signals) and an inotify on its
 * cgroup.events (a change of "populated", the cgroup removed), in one
 * epoll file for ga_wait(). Return: the epoll file, or -errno; *@ifd the
 * inotify (-1 if none: the end is then seen at the next sample).
 */
static int run_watch_open(const struct run_where *w, int sfd, int *ifd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char path[GA_PATH_MAX + 32];
	int efd = epoll_create1(EPOLL_CLOEXEC);

	if (efd < 0)
		return -errno;
	ev.data.fd = sfd;
	if (epoll_ctl(efd, EPOLL_CTL_ADD, sfd, &ev)) {
		close(efd);
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/cgroup.events", w->dir);
	*ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (*ifd >= 0 && inotify_add_watch(*ifd, path,
					   IN_MODIFY | IN_DELETE_SELF) < 0) {
		close(*ifd);
		*ifd = -1;
	}
	ev.data.fd = *ifd;
	if (*ifd >= 0 && epoll_ctl(efd, EPOLL_CTL_ADD, *ifd, &ev)) {
		close(*ifd);
		*ifd = -1;
	}
	return efd;
}

/* Why a run ended: signal @signo to greenai. */
static void run_why_signal(char *why, size_t size, int signo)
{
	const char *name = sigabbrev_np(signo);

	if (name)
		snprintf(why, size, "SIG%s to greenai", name);
	else
		snprintf(why, size, "signal %d to greenai", signo);
}

/*
 * The sampling of a watch (run_watch(), run_watch_pid()): the interval's
 * next end, and when the run stops (--duration) if it goes on so long.
 */
struct run_clock {
	struct ga_ctx *g;
	unsigned int *errors;
	struct cli_run_carbon *rc;
	const struct run_where *w;
	__u64 step, next, stop, now;
};

static void run_clock_init(struct run_clock *c, struct ga_ctx *g,
			   unsigned int *errors, struct cli_run_carbon *rc,
			   const struct run_where *w, unsigned long interval_ms,
			   int64_t duration_ms)
{
	c->g = g;
	c->errors = errors;
	c->rc = rc;
	c->w = w;
	c->step = interval_ms * 1000000ULL;
	c->now = ga_mono_ns();
	c->next = c->now + c->step;
	c->stop = duration_ms > 0 ? c->now + (__u64)duration_ms * 1000000ULL :
				    UINT64_MAX;
}

/*
 * Wait for the files of the epoll file @efd until the interval's end (or
 * the stop, if sooner), and then tick (run_tick()). Return: how many of
 * @evs (at most @max) are ready, 0 after a tick (c->now its time), or
 * -errno.
 */
static int run_clock_wait(struct run_clock *c, int efd, struct epoll_event *evs,
			  int max)
{
	int n;

	for (;;) {
		n = ga_wait(c->g, c->next < c->stop ? c->next : c->stop, efd);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0) {
			c->now = run_tick(c->g, c->errors, c->rc, c->w,
					  &c->next, c->step);
			return 0;
		}
		n = epoll_wait(efd, evs, max, 0);
		if (n > 0)
			return n;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Measure a workload until it ends: no process left in its cgroup or the
 * cgroup gone, --duration, or a signal to greenai (which the workload
 * does not get). Return: 0, with why it ended in @why, or -errno.
 */
static int run_watch(struct ga_ctx *g, int sfd, const struct run_opts *o,
		     unsigned int *errors, struct cli_run_carbon *rc,
		     const struct run_where *w, char *why, size_t why_size)
{
	struct epoll_event evs[2];
	struct run_clock c;
	char buf[4096];
	int efd, ifd = -1, n, i, r = 0;

	run_clock_init(&c, g, errors, rc, w, o->interval_ms, o->duration_ms);
	efd = run_watch_open(w, sfd, &ifd);
	if (efd < 0)
		return efd;
	for (;;) {
		if (!run_populated(w->dir)) {
			snprintf(why, why_size, "%s", access(w->dir, F_OK) ?
				 "its cgroup was removed" :
				 "no process is left in its cgroup");
			break;
		}
		n = run_clock_wait(&c, efd, evs, 2);
		if (n < 0) {
			r = n;
			break;
		}
		if (n == 0 && c.now >= c.stop) {
			snprintf(why, why_size, "--duration %s", o->duration);
			break;
		}
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (evs[i].data.fd == ifd) {
				while (read(ifd, buf, sizeof(buf)) > 0)
					;
				continue;
			}
			if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
			    si.ssi_signo != SIGCHLD) {
				run_why_signal(why, why_size, si.ssi_signo);
				goto out;
			}
		}
	}
out:
	if (ifd >= 0)
		close(ifd);
	close(efd);
	return r;
}

/* Write @pid into the cgroup.procs file @fd: its thread group moves. */
static int run_move_one(int fd, pid_t pid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", pid);

	return write(fd, buf, n) == n ? 0 : -errno;
}

/* Move --pid's process into the run's cgroup @dir. */
static int run_pid_in(const char *dir, pid_t pid)
{
	char path[GA_PATH_MAX + 32];
	int fd, r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = run_move_one(fd, pid);
	close(fd);
	return r;
}

/* Remove a stale run's cgroup (@path from the cgroup2 root) if empty. */
static void run_rmdir_stale(const char *path)
{
	struct ga_cgroup_mount m;
	char dir[GA_PATH_MAX];

	if (!ga_cgroup_find_mount("/", &m) &&
	    !ga_cgroup_dir(&m, path, dir, sizeof(dir)))
		run_rmdir_tree(dir, 0);
}

/*
 * Move process @pid, read from a cgroup.procs of the run's cgroup (@run,
 * from the cgroup2 root), into the cgroup.procs file @to, if it is still
 * one there: a pid read may have been reused since. Return: 0, -ESRCH
 * when it is not there any more, or -errno.
 */
static int run_move_back(int to, pid_t pid, const char *run)
{
	char cg[GA_PATH_MAX];
	int pidfd = syscall(SYS_pidfd_open, pid, 0), r;

	if (pidfd < 0)
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ?
			       -errno : -ESRCH;
	/* its cgroup, read while the pidfd holds it: alive after, the same */
	r = ga_cgroup_of_pid("/", pid, cg, sizeof(cg), NULL);
	if (r || !run_pidfd_alive(pidfd) || !ga_cgroup_within(run, cg))
		r = -ESRCH;
	else
		r = run_move_one(to, pid);
	close(pidfd);
	return r;
}

/*
 * Move every process of the cgroup @dir and its descendants, in the
 * run's cgroup @run, into the cgroup.procs file @to; count them in
 * @moved. A process that exited meanwhile is not an error. Return: 0 or
 * -errno.
 */
static int run_move_tree(const char *dir, const char *run, int to,
			 unsigned int depth, unsigned int *moved)
{
	char path[GA_PATH_MAX + 32];
	struct dirent *de;
	int r = 0, pid;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	while (f && !r && fscanf(f, "%d", &pid) == 1) {
		r = run_move_back(to, pid, run);
		if (r == -ESRCH)
			r = 0;
		else if (!r)
			(*moved)++;
	}
	if (f)
		fclose(f);
	d = depth < GA_CGROUP_DEPTH_MAX ? opendir(dir) : NULL;
	while (d && !r && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) < sizeof(path))
			r = run_move_tree(path, run, to, depth + 1, moved);
	}
	if (d)
		closedir(d);
	return r;
}

/*
 * At the end of a --pid run: the process, if it is still there, and what
 * it left running in the run's cgroup go back to the cgroup it came from
 * (what forks meanwhile is moved in a next round). Return: how many
 * processes were moved, or -errno (what is left stays in the run's
 * cgroup).
 */
static int run_pid_back(const struct run_opts *o, const struct run_where *w)
{
	char dir[GA_PATH_MAX], path[GA_PATH_MAX + 32];
	struct ga_cgroup_mount m;
	unsigned int moved = 0, i;
	int fd, r;

	if (w->agent_id) {
		r = ga_agent_leave_run(NULL, w->agent_id, path, sizeof(path));
		if (r < 0)
			fprintf(stderr, "greenai run: %s\n", path);
		return r;
	}

	r = ga_cgroup_find_mount("/", &m);
	r = r ?: ga_cgroup_dir(&m, o->pid_from, dir, sizeof(dir));
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; !r && i < 100 && run_populated(w->dir); i++)
		r = run_move_tree(w->dir, w->path, fd, 0, &moved);
	close(fd);
	if (!r && run_populated(w->dir))
		r = -EBUSY;
	return r ?: (int)moved;
}

/*
 * The signals whose default is to end a process, which greenai run --pid
 * takes as the end of its run (with INT, TERM, HUP, QUIT, USR1, USR2):
 * the timers', power failure, the CPU limit, the real-time ones.
 */
static void run_pid_sigset(sigset_t *set)
{
	static const int sigs[] = { SIGALRM, SIGVTALRM, SIGPROF, SIGPWR,
				    SIGXCPU, SIGXFSZ, SIGSTKFLT, SIGIO };
	unsigned int i;
	int n;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(set, sigs[i]);
	for (n = SIGRTMIN; n <= SIGRTMAX; n++)
		sigaddset(set, n);
}

/*
 * Standard input, to watch for its end without ever blocking and without
 * changing the flags of the open file it shares with others: opened
 * again (/proc/self/fd/0), O_NONBLOCK, for a pipe, FIFO, terminal or
 * file; a socket is read with MSG_DONTWAIT (*@sock). Return: the file,
 * or -1 when there is no standard input or it cannot be read so.
 */
static int run_stdin_open(int *sock)
{
	struct stat st;
	int fd;

	*sock = 0;
	if (fstat(STDIN_FILENO, &st))
		return -1;
	if (S_ISSOCK(st.st_mode)) {
		*sock = 1;
		return STDIN_FILENO;
	}
	fd = open("/proc/self/fd/0", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -1 : fd;
}

/*
 * Read and drop what standard input's @fd has now (a bounded amount:
 * the next round takes more). Return: 1 at its end (EOF, an error), else 0.
 */
static int run_stdin_drain(int fd, int sock)
{
	char buf[4096];
	ssize_t got;
	int i;

	for (i = 0; i < 64; i++) {
		got = sock ? recv(fd, buf, sizeof(buf), MSG_DONTWAIT) :
			     read(fd, buf, sizeof(buf));
		if (got > 0 || (got < 0 && errno == EINTR))
			continue;
		return !(got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	}
	return 0;
}

/*
 * Measure --pid's process until EOF on standard input, a signal to
 * greenai (run_pid_sigset()'s) or its exit (its pidfd readable).
 * Standard input is read and what comes is dropped, never blocking; one
 * that cannot be watched (a regular file, /dev/null) is read to its end
 * at once. Return: 0, with why it ended in @why, or -errno.
 */
static int run_watch_pid(struct ga_ctx *g, int sfd, const struct run_opts *o,
			 unsigned int *errors, struct cli_run_carbon *rc,
			 const struct run_where *w, char *why, size_t why_size)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[3];
	int efd = epoll_create1(EPOLL_CLOEXEC), in, sock, eof = 0, n, i, r = 0;
	struct run_clock c;

	if (efd < 0)
		return -errno;
	run_clock_init(&c, g, errors, rc, w, o->interval_ms, 0);
	in = run_stdin_open(&sock);
	ev.data.fd = sfd;
	if (epoll_ctl(efd, EPOLL_CTL_ADD, sfd, &ev))
		r = -errno;
	ev.data.fd = o->pidfd;
	if (!r && epoll_ctl(efd, EPOLL_CTL_ADD, o->pidfd, &ev))
		r = -errno;
	ev.data.fd = in;
	if (!r && in >= 0 && epoll_ctl(efd, EPOLL_CTL_ADD, in, &ev)) {
		if (errno == EPERM)	/* always readable: read it now */
			while (!(eof = run_stdin_drain(in, sock)))
				;
		else
			r = -errno;
	}
	while (!r) {
		if (eof) {
			snprintf(why, why_size, "EOF on standard input");
			break;
		}
		n = run_clock_wait(&c, efd, evs, 3);
		if (n < 0)
			r = n;
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (evs[i].data.fd == o->pidfd) {
				snprintf(why, why_size, "the process exited");
				goto out;
			}
			if (evs[i].data.fd == in) {
				eof = run_stdin_drain(in, sock);
				continue;
			}
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				run_why_signal(why, why_size, si.ssi_signo);
				goto out;
			}
		}
	}
out:
	if (in > STDIN_FILENO)
		close(in);
	close(efd);
	return r;
}

/*
 * A --pid run's figures, on standard output after its "started" line: the
 * ledger's run as JSON (greenai report --by run --format json's) and what
 * only the run knows.
 */
static void run_pid_json(struct cli_label *lb, const char *ledger,
			 const char *why_end, pid_t pid)
{
	struct json_object *o;

	lb->run.status = GA_RUN_DONE;
	o = cli_run_json(&lb->run);
	if (!o) {
		fprintf(stderr, "greenai run: no memory for the JSON\n");
		return;
	}
	ga_json_add(o, "ledger", ga_json_str(ledger));
	ga_json_add(o, "estimated", json_object_new_boolean(lb->estimated));
	ga_json_add(o, "estimated_by",
		    lb->estimate[0] ? ga_json_str(lb->estimate) : NULL);
	ga_json_add(o, "energy_sources",
		    ga_json_str(lb->sources[0] ? lb->sources : "nothing"));
	ga_json_add(o, "ended", ga_json_str(why_end));
	ga_json_add(o, "pid", json_object_new_int(pid));
	if (cli_json_print(o, stdout) || fflush(stdout))
		fprintf(stderr, "greenai run: the JSON was not written: %s\n",
			strerror(errno));
}

/*
 * Stop what the command left in its cgroup: its energy would escape the
 * run. cgroup.kill is asynchronous: wait (10 s at most) until the cgroup
 * is empty. Return: whether anything was left.
 */
static int run_stop_leftovers(const char *dir)
{
	char path[GA_PATH_MAX + 32];
	int i, killed = 0, pid;
	FILE *f;

	if (!run_populated(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("1", f);
		killed = !fclose(f);
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	for (i = 0; i < 1000 && run_populated(dir); i++) {
		/* not root (the agent's cgroup): its processes are ours */
		f = killed ? NULL : fopen(path, "re");
		while (f && fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		if (f)
			fclose(f);
		usleep(10000);
	}
	return 1;
}

/*
 * Sample until the run's processes are folded (exits pending none), 10 s
 * at most: through the agent, until two of its samples (each --interval
 * of the agent's apart, 60 s at most) came after the end, 130 s at most.
 */
static void run_settle(struct ga_ctx *g, unsigned int *errors)
{
	int agent = !strcmp(ga_backend_name(g), "agent");
	/* the agent samples every --interval, 60 s at most */
	__u64 until = ga_mono_ns() + (agent ? RUN_SETTLE_AGENT_NS : RUN_SETTLE_NS);
	struct ga_stats st;
	int i;

	/* queue the exits, see them gone, fold them */
	for (i = 0; i < 3; i++)
		run_sample(g, errors);
	ga_sweep(g);
	run_sample(g, errors);
	for (;;) {
		ga_stats(g, &st);
		if (!st.exits_pending)
			break;
		if (ga_mono_ns() >= until) {
			fprintf(stderr, "greenai run: %llu exit(s) still pending: the run's last figures may be missing\n",
				(unsigned long long)st.exits_pending);
			break;
		}
		/* the agent answers 20 requests a second at most */
		usleep(agent ? 100000 : 10000);
		run_sample(g, errors);
	}
}

/* The run's start: its base, when it measures a workload. */
static void run_base(struct ga_ctx *g, struct run_where *w,
		     unsigned int *errors)
{
	unsigned int nr;

	if (w->made)
		return;		/* a new cgroup: nothing before the run */
	run_sample(g, errors);
	if (ga_cgroup_tree(g, w->path, &w->base, &nr))
		memset(&w->base, 0, sizeof(w->base));
}

static int run_exec(struct run_opts *o, const struct ga_intensity *in,
		    uint32_t pue_milli, double acc, int has_acc,
		    struct cli_run_carbon *rc)
{
	struct ga_opts gopts = o->gopts;
	char err[512], ledger_path[GA_PATH_MAX], why_end[64] = "";
	char metrics[] = "/tmp/greenai-metrics-XXXXXX";
	struct cli_label lb = { 0 };
	struct ga_ledger *ledger = NULL;
	struct run_where w = { .go = -1, .agent_hold = -1 };
	const char *why = "";
	sigset_t set, orig;
	unsigned int errors = 0;
	struct ga_ctx *g = NULL;
	int r, status = 0, sfd = -1, mfd, ret = CLI_EXIT_RUN;
	int by_pid = o->pid > 0, moved_in = 0;
	int64_t end_ms;
	pid_t pid = 0;

	if (!o->wl_path[0] && !by_pid && geteuid() && rc->aware) {
		fprintf(stderr, "greenai run: --carbon-aware needs root: it pauses the run by freezing its cgroup\n");
		goto out;
	}
	if (o->wl_path[0])
		r = run_workload(o, &w, &why);
	else if (by_pid)
		r = run_cgroup_pid(o, &w, &why);
	else if (geteuid())
		r = run_cgroup_agent(&w, o->cmd, &why);
	else
		r = run_cgroup(&w, &why);
	/* through the agent, it is in now: whatever fails, it goes back */
	moved_in = by_pid && w.agent_id;
	if (r) {
		fprintf(stderr, "greenai run: %s: %s\n", why, strerror(-r));
		goto out;
	}
	if (!w.made && !run_populated(w.dir)) {
		fprintf(stderr, "greenai run: %s: no process in it: nothing to measure\n",
			w.path);
		goto out;
	}
	if (rc->aware)
		cli_rc_aware(rc, rc->max_mg, rc->deadline_ms, w.dir);
	/* the agent's cgroup is root's: the agent labels it */
	if (w.made && o->model &&
	    run_label(w.dir, w.agent_id, o->model, NULL, NULL, err,
		      sizeof(err)))
		fprintf(stderr, "greenai run: the cgroup has no model label (%s): the ledger still has it\n",
			err);
	gopts.backend = o->backend;
	gopts.cgroup_paths = true;
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
	/* --pid: the file is the process's to write */
	if (by_pid && (o->pid_uid != geteuid() || o->pid_gid != getegid()) &&
	    fchown(mfd, o->pid_uid, o->pid_gid)) {
		fprintf(stderr, "greenai run: the metrics file for process %d: %s\n",
			o->pid, strerror(errno));
		close(mfd);
		goto out_metrics;
	}
	close(mfd);
	setenv("GREENAI_METRICS", metrics, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (!by_pid) {
		sigaddset(&set, SIGCHLD);
	} else {
		/*
		 * Whatever would end greenai and can be caught ends the run
		 * instead, the process back where it was; a caller gone is
		 * its pipe's EPIPE, not the end of greenai.
		 */
		run_pid_sigset(&set);
		signal(SIGPIPE, SIG_IGN);
	}
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
	run_base(g, &w, &errors);
	cli_label_begin(&lb, o->cmd, o->model, ga_backend_name(g), in,
		       pue_milli);
	lb.run.mg_per_kwh = rc->mg;	/* after any wait */
	/* greenai.conf's on_cloud over the DMI strings (read at the start) */
	cli_on_cloud(&cli_cmd_run, &lb.machine);
	lb.run.on_cloud = lb.machine.on_cloud;
	cli_label_where(&lb, w.path);
	memcpy(lb.run.tags, o->tags, sizeof(o->tags));
	lb.run.nr_tags = o->nr_tags;
	lb.run.start_unix_ns = ga_unix_ns();
	if (by_pid) {
		if (sfd < 0)
			r = -errno;
		else if (w.agent_id)
			r = 0;	/* the agent moved it in already */
		else
			r = run_pid_in(w.dir, o->pid);
		/* what moved is the pidfd's process only if it is alive now */
		if (!r && !run_pidfd_alive(o->pidfd)) {
			run_pid_back(o, &w);
			r = -ESRCH;
		}
		if (r) {
			fprintf(stderr, "greenai run: cannot move process %d into the run's cgroup: %s\n",
				o->pid, r == -ESRCH ? "it has exited" :
				strerror(-r));
			goto out_metrics;
		}
		moved_in = 1;
		if (o->pid_stale[0] && strcmp(o->pid_stale, o->pid_from))
			run_rmdir_stale(o->pid_stale);
	}
	if (ga_ledger_begin(ledger, &lb.run)) {
		fprintf(stderr, "greenai run: %s\n", ga_ledger_error(ledger));
		goto out_metrics;
	}
	snprintf(err, sizeof(err), "%lld", (long long)lb.run.id);
	if (w.made && !w.agent_id)
		ga_cgroup_label_set(w.dir, GA_LABEL_RUN, err);
	if (w.made) {
		snprintf(run_mirror.dir, sizeof(run_mirror.dir), "%s", w.dir);
		run_mirror.agent_id = w.agent_id;
		run_mirror.metrics = metrics;
	}
	setenv("GREENAI_RUN_ID", err, 1);
	if (by_pid) {
		printf("started run=%s metrics=%s cgroup=%s\n", err, metrics,
		       w.path);
		fflush(stdout);
	}

	lb.start_ns = ga_mono_ns();
	cli_rc_begin(rc, lb.run.start_unix_ns / 1000000);
	if (by_pid) {
		r = run_watch_pid(g, sfd, o, &errors, rc, &w, why_end,
				  sizeof(why_end));
	} else if (!w.made) {
		fprintf(stderr, "greenai run: measuring %s (%s) until it ends\n",
			o->cmd[0], w.path);
		r = sfd < 0 ? -errno :
			      run_watch(g, sfd, o, &errors, rc, &w, why_end,
					sizeof(why_end));
	} else {
		if (sfd < 0)
			pid = -errno;
		else if (w.agent_id)
			pid = run_release(&w) ?: w.held;
		else
			pid = run_spawn(w.dir, o->cmd, &orig);
		if (pid > 0)
			w.held = 0;	/* started: run_wait() reaps it */
		if (pid < 0) {
			fprintf(stderr, "greenai run: cannot start %s: %s\n",
				o->cmd[0], strerror(-pid));
			goto out_metrics;
		}
		r = run_wait(g, pid, sfd, o->interval_ms, &errors, rc, &w);
	}
	lb.end_ns = ga_mono_ns();
	lb.run.end_unix_ns = ga_unix_ns();
	end_ms = lb.run.end_unix_ns / 1000000;
	if (r < 0) {
		fprintf(stderr, "greenai run: waiting for %s: %s\n",
			o->cmd[0], strerror(-r));
		cli_rc_signal(rc, end_ms);	/* never leave it frozen */
		goto out_metrics;
	}
	status = w.made && !by_pid ? r : 0;
	cli_rc_signal(rc, end_ms);
	if (by_pid) {
		struct pollfd pfd = { .fd = o->pidfd, .events = POLLIN };
		int alive = poll(&pfd, 1, 0) == 0;

		fprintf(stderr, "greenai run: the run ends: %s\n", why_end);
		r = run_pid_back(o, &w);
		moved_in = 0;
		if (r < 0)
			fprintf(stderr, "greenai run: what is left in %s could not go back to %s: %s; it stays there\n",
				w.path, o->pid_from, strerror(-r));
		else if (r > alive)
			fprintf(stderr, "greenai run: %d process(es) it left running went to %s\n",
				r - alive, o->pid_from);
	} else if (!w.made)
		fprintf(stderr, "greenai run: the run ends: %s\n", why_end);
	else if (run_stop_leftovers(w.dir))
		fprintf(stderr, "greenai run: what %s left running was stopped\n",
			o->cmd[0]);
	run_mirror_units();	/* what the run said last */
	run_mirror.dir[0] = '\0';
	run_settle(g, &errors);
	lb.run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) :
					      128 + WTERMSIG(status);
	r = ga_metrics_read(metrics, &lb.metrics);
	if (r == -ELOOP || r == -EINVAL || r == -EFBIG)
		fprintf(stderr, "greenai run: $GREENAI_METRICS (%s): %s: its metrics are not recorded\n",
			metrics, r == -EFBIG ? "larger than 64 KiB" :
			r == -ELOOP ? "a link was put in its place" :
				      "not a regular file, or not key=value lines");
	cli_label_finish(&lb, g, w.path, &w.base, has_acc, acc);
	cli_rc_end(rc, end_ms, lb.total_active_uj + lb.total_idle_uj, &lb.run);
	cli_label_set_co2(&lb, lb.run.co2_ug);
	cli_label_print(&lb, stderr, ledger_path);
	ret = lb.run.exit_code;
	if (ga_ledger_finish(ledger, &lb.run)) {
		fprintf(stderr, "greenai run: %s\n", ga_ledger_error(ledger));
		if (by_pid)
			ret = CLI_EXIT_RUN;
	} else if (by_pid) {
		run_pid_json(&lb, ledger_path, why_end, o->pid);
	}
out_metrics:
	unlink(metrics);
out:
	if (moved_in && run_pid_back(o, &w) < 0)
		fprintf(stderr, "greenai run: process %d could not go back to %s\n",
			o->pid, o->pid_from);
	run_unhold(&w);
	if (sfd >= 0)
		close(sfd);
	ga_ledger_close(ledger);
	ga_close(g);
	if (w.agent_id) {
		if (!by_pid)
			run_stop_leftovers(w.dir);
		if (ga_agent_end_run(NULL, w.agent_id, err, sizeof(err)))
			fprintf(stderr, "greenai run: the run's cgroup %s: %s\n",
				w.path, err);
		/* (held: had greenai been killed, the agent would end it) */
		if (w.agent_hold >= 0)
			close(w.agent_hold);
	} else if (w.made) {
		run_rmdir_tree(w.dir, 0);
	}
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
	struct run_opts o = { .pidfd = -1 };
	struct ga_live_conf conf;
	struct cli_run_carbon rc;
	struct ga_intensity in;
	uint32_t pue = GA_PUE_MIN_MILLI;
	struct ga_machine machine = { 0 };	/* only to check the file */
	double acc = 0;
	int r;

	r = run_parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	r = cli_pue(&cli_cmd_run, o.pue, &pue);
	r = r ?: cli_idle(&cli_cmd_run, o.idle, o.idle_power, &o.idle_conf);
	r = r ?: cli_ledger(&cli_cmd_run, &o.ledger);
	r = r ?: cli_model(&cli_cmd_run, &o.gopts);
	r = r ?: cli_on_cloud(&cli_cmd_run, &machine);
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
	if (o.pidfd >= 0)
		close(o.pidfd);
	return r;
}

const struct cli_cmd cli_cmd_run = {
	.name = "run",
	.summary = "run a command, measure it, print its carbon label",
	.help = cli_run_help,
	.run = cli_run_main,
};
