// SPDX-License-Identifier: GPL-2.0
/*
 * gasample: the host suite's window on libgreenai. Opens a backend, runs
 * a command, samples every interval while it runs and three times more
 * once it has exited (the BPF backend has then folded the exits of its
 * processes; with the module, until the module has none pending), and
 * prints what libgreenai counted. The backend is libgreenai's choice
 * unless --backend says.
 *
 *   gasample [--backend auto|module|bpf] [--interval-ms N]
 *            [--source auto|powercap|perf|model|host]
 *            [--model-idle-mw N] [--model-max-mw N]
 *            [--attach auto|tp_btf|raw_tp] [--max-runs N] [--exits-kb N]
 *            [--sysfs-root DIR] [--nvml-lib PATH] [--drain-ms N]
 *            [--idle capacity|busy|none] [--idle-power SPEC]
 *            [--idle-saved FILE]
 *            [--weights auto|time|cycles|cpu-clock]
 *            [--records FILE] -- CMD [ARG...]
 *
 * --records writes one line per record, as tests/kmod/helpers/
 * greenai_ring.py collect does for the module:
 *   INTERVAL seq domain flags start end energy active idle unattributed
 *            busy capacity nr_tasks idle_share idle_basis idle_power_uw
 *            node_idle
 *   EXIT seq pid ppid cgroup_id cpu_ns active idle comm per_domain
 * Then on stdout:
 *   backend NAME
 *   weights time|cycles|cpu-clock
 *   domain ID NAME energy active idle unattributed flags_seen node_idle
 *   provenance ID TEXT       (measured, estimated, measured by the host...)
 *   error ID TEXT            (the domain's last read failed: why)
 *   task TGID CGROUP_ID CPU_NS ACTIVE IDLE COMM
 *   cgroup ID CPU_NS ACTIVE IDLE NR_EXITED
 *   stat KEY VALUE
 * Exit status: CMD's, or 125 when libgreenai fails.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#define SETTLE_MAX	300	/* samples the module's pending exits may take */

static FILE *records;
static unsigned long sample_errors;	/* ga_sample() calls that failed */
static unsigned long drain_ms;		/* ga_drain() this often; 0: never */

/* Σ active and Σ idle over @n domains. */
static void sum_energy(const struct greenai_energy *e, unsigned int n,
		       unsigned long long *act, unsigned long long *idle)
{
	unsigned int i;

	*act = *idle = 0;
	for (i = 0; i < n; i++) {
		*act += e[i].active_uj;
		*idle += e[i].idle_uj;
	}
}

static void print_record(const struct greenai_rec_hdr *h, void *arg)
{
	(void)arg;
	if (!records)
		return;
	if (h->type == GREENAI_REC_INTERVAL) {
		const struct greenai_rec_interval *r = (const void *)h;

		fprintf(records,
			"INTERVAL %u %u %u %llu %llu %llu %llu %llu %llu %llu %llu %u %u %u %llu %llu\n",
			h->seq, r->domain, r->flags,
			(unsigned long long)r->start_ns,
			(unsigned long long)r->end_ns,
			(unsigned long long)r->energy_uj,
			(unsigned long long)r->active_uj,
			(unsigned long long)r->idle_uj,
			(unsigned long long)r->unattributed_uj,
			(unsigned long long)r->busy_ns,
			(unsigned long long)r->capacity_ns, r->nr_tasks,
			r->idle_share, r->idle_basis,
			(unsigned long long)r->idle_power_uw,
			(unsigned long long)r->node_idle_uj);
	} else if (h->type == GREENAI_REC_TASK_EXIT) {
		const struct greenai_rec_task_exit *r = (const void *)h;
		unsigned long long act, idle;
		char comm[GREENAI_COMM_LEN + 1] = "";
		unsigned int i;

		sum_energy(r->energy, r->nr_domains, &act, &idle);
		memcpy(comm, r->comm, GREENAI_COMM_LEN);
		for (i = 0; comm[i]; i++)
			if (comm[i] == ' ')
				comm[i] = '_';
		fprintf(records, "EXIT %u %u %u %llu %llu %llu %llu %s ",
			h->seq, r->pid, r->ppid,
			(unsigned long long)r->cgroup_id,
			(unsigned long long)r->cpu_ns, act, idle, comm);
		for (i = 0; i < r->nr_domains; i++)
			fprintf(records, "%s%llu+%llu", i ? "," : "",
				(unsigned long long)r->energy[i].active_uj,
				(unsigned long long)r->energy[i].idle_uj);
		fputc('\n', records);
	}
}

static int print_task(const struct ga_acct_task *t, void *arg)
{
	unsigned long long act, idle;

	sum_energy(t->energy, *(unsigned int *)arg, &act, &idle);
	printf("task %u %llu %llu %llu %llu %s\n", t->tgid,
	       (unsigned long long)t->cgroup_id,
	       (unsigned long long)t->cpu_ns, act, idle,
	       t->comm[0] ? t->comm : "-");
	return 0;
}

static int print_cgroup(const struct ga_acct_cgroup *c, void *arg)
{
	unsigned long long act, idle;

	sum_energy(c->energy, *(unsigned int *)arg, &act, &idle);
	printf("cgroup %llu %llu %llu %llu %llu\n",
	       (unsigned long long)c->id, (unsigned long long)c->cpu_ns, act,
	       idle, (unsigned long long)c->nr_exited);
	return 0;
}

static void print_all(struct ga_ctx *g)
{
	unsigned int i, n = ga_nr_domains(g);
	const struct ga_source_status *src;
	struct ga_stats st;

	printf("backend %s\n", ga_backend_name(g));
	printf("weights %s\n", ga_weight_name(ga_weights(g)));
	for (i = 0; i < ga_sources(g, &src); i++)
		printf("source %s %s %s\n", src[i].name,
		       src[i].used ? "used" : "skipped", src[i].reason);
	for (i = 0; i < n; i++) {
		const struct ga_acct_domain_totals *t = ga_domain_totals(g, i);

		printf("domain %u %s %llu %llu %llu %llu %u %llu\n", i,
		       ga_domain(g, i)->name,
		       (unsigned long long)t->energy_uj,
		       (unsigned long long)t->active_uj,
		       (unsigned long long)t->idle_uj,
		       (unsigned long long)t->unattributed_uj, t->flags_seen,
		       (unsigned long long)t->node_idle_uj);
	}
	for (i = 0; i < n; i++) {
		printf("provenance %u %s\n", i, ga_domain_provenance(g, i));
		if (*ga_domain_error(g, i))
			printf("error %u %s\n", i, ga_domain_error(g, i));
	}
	ga_for_each_task(g, print_task, &n);
	ga_for_each_cgroup(g, print_cgroup, &n);
	ga_stats(g, &st);
	printf("stat intervals %llu\n", (unsigned long long)st.acct.intervals);
	printf("stat exits %llu\n", (unsigned long long)st.acct.exits);
	printf("stat exits_bpf %llu\n", (unsigned long long)st.bpf.exits);
	printf("stat exits_dropped %llu\n",
	       (unsigned long long)st.bpf.exits_dropped);
	printf("stat exits_forced %llu\n",
	       (unsigned long long)st.exits_forced);
	printf("stat exits_untracked %llu\n",
	       (unsigned long long)st.exits_untracked);
	printf("stat exits_pending %llu\n",
	       (unsigned long long)st.exits_pending);
	printf("stat runs_full %llu\n", (unsigned long long)st.bpf.runs_full);
	printf("stat procs_full %llu\n", (unsigned long long)st.bpf.procs_full);
	printf("stat unpaired %llu\n", (unsigned long long)st.bpf.unpaired);
	printf("stat task_overflows %llu\n",
	       (unsigned long long)st.acct.task_overflows);
	printf("stat switch_run_ns %llu\n",
	       (unsigned long long)st.switch_run_ns);
	printf("stat switch_runs %llu\n", (unsigned long long)st.switch_runs);
	printf("stat exits_swept %llu\n", (unsigned long long)st.exits_swept);
	printf("stat runs_evicted %llu\n",
	       (unsigned long long)st.runs_evicted);
	printf("stat sample_errors %lu\n", sample_errors);
}

static int parse_uint(const char *s, const char *what, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-') {
		fprintf(stderr, "gasample: %s: not a number: '%s'\n", what, s);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct ga_opts *o,
		      unsigned long *interval_ms)
{
	static const struct option longopts[] = {
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 's' },
		{ "model-idle-mw", required_argument, NULL, 'l' },
		{ "model-max-mw", required_argument, NULL, 'm' },
		{ "attach", required_argument, NULL, 'a' },
		{ "max-runs", required_argument, NULL, 'r' },
		{ "exits-kb", required_argument, NULL, 'e' },
		{ "records", required_argument, NULL, 'o' },
		{ "backend", required_argument, NULL, 'b' },
		{ "sysfs-root", required_argument, NULL, 'R' },
		{ "nvml-lib", required_argument, NULL, 'N' },
		{ "drain-ms", required_argument, NULL, 'D' },
		{ "idle", required_argument, NULL, 'I' },
		{ "idle-power", required_argument, NULL, 'W' },
		{ "idle-saved", required_argument, NULL, 'S' },
		{ "weights", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const sources[] = { "auto", "powercap", "perf",
					       "model", "host" };
	static const char *const attach[] = { "auto", "tp_btf", "raw_tp" };
	static const char *const backends[] = { "auto", "module", "bpf" };
	unsigned long v;
	unsigned int k;
	char err[160];
	int c;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_uint(optarg, "--interval-ms", interval_ms))
				return -1;
			break;
		case 's':
		case 'a':
			for (k = 0; k < (c == 's' ? 5U : 3U); k++)
				if (!strcmp(optarg,
					    c == 's' ? sources[k] : attach[k]))
					break;
			if (k == (c == 's' ? 5U : 3U)) {
				fprintf(stderr, "gasample: unknown %s '%s'\n",
					c == 's' ? "source" : "attach", optarg);
				return -1;
			}
			if (c == 's')
				o->cpu_source = k;
			else
				o->bpf.attach = k;
			break;
		case 'l':
		case 'm':
			if (parse_uint(optarg, "power", &v))
				return -1;
			if (c == 'l')
				o->model_idle_uw = v * 1000;
			else
				o->model_max_uw = v * 1000;
			break;
		case 'r':
			if (parse_uint(optarg, "--max-runs", &v))
				return -1;
			o->bpf.max_runs = v;
			break;
		case 'e':
			if (parse_uint(optarg, "--exits-kb", &v))
				return -1;
			o->bpf.exits_kb = v;
			break;
		case 'b':
			for (k = 0; k < 3; k++)
				if (!strcmp(optarg, backends[k]))
					break;
			if (k == 3) {
				fprintf(stderr, "gasample: unknown backend '%s'\n",
					optarg);
				return -1;
			}
			o->backend = k;
			break;
		case 'R':
			o->sysfs_root = optarg;
			break;
		case 'I':
			if (ga_idle_conf_share(&o->idle, optarg, err,
					       sizeof(err))) {
				fprintf(stderr, "gasample: %s\n", err);
				return -1;
			}
			break;
		case 'w':
			if (ga_weight_parse(optarg, &o->weights)) {
				fprintf(stderr, "gasample: unknown weights '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'W':
			if (ga_idle_conf_power(&o->idle, optarg, err,
					       sizeof(err))) {
				fprintf(stderr, "gasample: %s\n", err);
				return -1;
			}
			break;
		case 'S':
			if (ga_idle_conf_load_saved(&o->idle, optarg, err,
						    sizeof(err))) {
				fprintf(stderr, "gasample: %s\n", err);
				return -1;
			}
			break;
		case 'N':
			o->nvml_lib = optarg;
			break;
		case 'D':
			if (parse_uint(optarg, "--drain-ms", &drain_ms))
				return -1;
			break;
		case 'o':
			records = fopen(optarg, "w");
			if (!records) {
				perror(optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (optind >= argc || *interval_ms < 10 || *interval_ms > 10000) {
		fprintf(stderr, "usage: gasample [options] -- CMD [ARG...] (interval 10..10000 ms)\n");
		return -1;
	}
	return optind;
}

static void sample(struct ga_ctx *g)
{
	int r = ga_sample(g);

	if (r) {
		fprintf(stderr, "gasample: a sample failed: %s\n", strerror(-r));
		sample_errors++;
	}
}

static void tick(struct timespec *next, unsigned long ms)
{
	next->tv_nsec += (ms % 1000) * 1000000;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000;
	next->tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) ==
	       EINTR)
		;
}

int main(int argc, char **argv)
{
	struct ga_opts opts = { 0 };
	unsigned long interval_ms = 100;
	struct ga_stats st;
	struct timespec next;
	struct ga_ctx *g;
	char err[512] = "";
	int first, status = 0, i;
	pid_t pid;

	first = parse_args(argc, argv, &opts, &interval_ms);
	if (first < 0)
		return 2;
	if (ga_open(&g, &opts, err, sizeof(err))) {
		fprintf(stderr, "gasample: %s\n", err);
		return 125;
	}
	ga_set_record_fn(g, print_record, NULL);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(argv[first], argv + first);
		perror(argv[first]);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		unsigned long t;

		/* between samples, the exit ring drained every drain_ms */
		for (t = drain_ms; drain_ms && t < interval_ms; t += drain_ms) {
			tick(&next, drain_ms);
			if (ga_drain(g))
				sample_errors++;
		}
		tick(&next, drain_ms ? interval_ms - (t - drain_ms) : interval_ms);
		sample(g);
	}
	/*
	 * Every process of CMD has exited and been reaped: the next sample
	 * queues their exits, the one after sees them gone, the third
	 * folds them.
	 */
	for (i = 0; i < 3; i++)
		sample(g);
	/* processes whose exit record was dropped */
	ga_sweep(g);
	sample(g);
	/*
	 * The module folds an exit once all its threads are gone, at a
	 * sample's flush or at a close of its own: once none is pending,
	 * one more sample reads every record of what was folded.
	 */
	for (i = 0; i < SETTLE_MAX && !strcmp(ga_backend_name(g), "module");
	     i++) {
		ga_stats(g, &st);
		tick(&next, interval_ms);
		sample(g);
		if (!st.exits_pending)
			break;
	}
	print_all(g);
	if (records)
		fclose(records);
	ga_close(g);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
