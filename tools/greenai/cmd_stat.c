// SPDX-License-Identifier: GPL-2.0
/*
 * greenai stat: the energy of a process, a cgroup, a VM or the whole
 * machine over a window, as perf stat counts events: per domain, with
 * CO2e; or every VM's (--vms).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#include "cli.h"

static const char cli_stat_help[] =
	"usage: greenai stat (-p PID | -c CGROUP | -V NAME | --vms | -a) [-I MS]\n"
	"                    [--region CC]\n"
	"                    [--intensity G] [--idle POLICY] [--idle-power W]\n"
	"                    [SECONDS]\n"
	"\n"
	"Count energy over a window, per domain, and its CO2e:\n"
	"  -p PID        that process (all its threads)\n"
	"  -c CGROUP     that cgroup v2 with its descendants, as cpu.stat counts\n"
	"                it, by its path under the cgroup2 mount\n"
	"                (\"/system.slice/x.service\") or as a directory; its\n"
	"                own figures (its processes alone) on a line of their own\n"
	"  -V NAME       the virtual machine NAME: its processes (vCPU and I/O\n"
	"                threads, the VMM; a libvirt domain's scope), summed\n"
	"  --vms         every virtual machine, a line each (docs/vms.md)\n"
	"  -a            the whole machine (every domain's energy)\n"
	"  -I MS         print the counts every MS ms (100 to 3600000), as\n"
	"                perf stat -I does, besides the total at the end\n"
	"  SECONDS       how long to count (default 1, up to 86400; decimals)\n"
	"  --region, --intensity   the grid intensity, as greenai intensity\n"
	"  --idle POLICY who a domain's idle energy goes to: capacity (each\n"
	"                process its share of the CPUs' capacity, the rest\n"
	"                the node's: the default), busy (all of it to what ran)\n"
	"                or none\n"
	"  --idle-power W  the idle power: auto (the model's, else calibrated,\n"
	"                else by utilisation), util, or watts for every domain\n"
	"                or some: 10, package-0=10,dram-0=2\n"
	"Energy counts from the start of the window: a process or cgroup is\n"
	"charged what it ran in it. A cgroup's descendants count, those that end\n"
	"in the window included; one made and removed within half a second\n"
	"(between two samples) cannot be placed, and is not counted.\n"
	"\n"
	"Exit status: 0; 1 when libgreenai cannot measure; 2 for bad usage.\n";

enum stat_target {
	STAT_NONE,
	STAT_PID,
	STAT_CGROUP,
	STAT_VM,
	STAT_VMS,
	STAT_ALL
};

/* -c: how often the window is sampled besides -I, s */
#define STAT_TICK_S	0.5

struct stat_ctx {
	enum stat_target target;
	__u32 pid;
	__u64 cgroup_id;
	char cgpath[GA_PATH_MAX];
	struct greenai_energy e[GREENAI_MAX_DOMAINS];
	__u64 node_idle_uj;	/* -a: idle no process was given, in the total */
	__u64 cpu_ns;
	int found;
	/* -c: the cgroup's own figures, and how many cgroups its tree has */
	struct greenai_energy own[GREENAI_MAX_DOMAINS];
	__u64 own_cpu_ns;
	unsigned int nr_cgroups;
	/* -V, --vms: the VMs (-V: those named vm, how many, a VMM's pid) */
	const char *vm;
	struct ga_vms *vms;
	unsigned int nr_vms;
	int vm_pid;
	enum ga_vmm vmm;
	struct ga_vm_figs *figs; /* --vms: a copy of each VM's */
};

static int stat_task(const struct ga_acct_task *t, void *arg)
{
	struct stat_ctx *s = arg;

	if (t->tgid != s->pid)
		return 0;
	memcpy(s->e, t->energy, sizeof(s->e));
	s->cpu_ns = t->cpu_ns;
	s->found = 1;
	return 1;
}

static int stat_cgroup(const struct ga_acct_cgroup *c, void *arg)
{
	struct stat_ctx *s = arg;

	if (c->id != s->cgroup_id)
		return 0;
	memcpy(s->own, c->energy, sizeof(s->own));
	s->own_cpu_ns = c->cpu_ns;
	return 1;
}

/* -c: the cgroup with its descendants, and its own figures. */
static void stat_read_cgroup(struct ga_ctx *g, struct stat_ctx *s)
{
	struct ga_acct_cgroup sum;

	memset(s->own, 0, sizeof(s->own));
	s->own_cpu_ns = 0;
	s->nr_cgroups = 0;
	if (ga_cgroup_tree(g, s->cgpath, &sum, &s->nr_cgroups))
		return;
	memcpy(s->e, sum.energy, sizeof(s->e));
	s->cpu_ns = sum.cpu_ns;
	s->found = s->nr_cgroups > 0;
	ga_for_each_cgroup(g, stat_cgroup, s);
}

/* -V: the VMs named s->vm, summed; --vms: a copy of every VM's figures. */
static void stat_read_vms(struct stat_ctx *s)
{
	unsigned int i, d, n = ga_vms_count(s->vms);
	struct ga_vm_figs *f;

	s->nr_vms = 0;
	if (s->target == STAT_VMS) {
		f = calloc(n ? n : 1, sizeof(*f));
		if (!f)
			return;
		for (i = 0; i < n; i++)
			f[i] = *ga_vms_at(s->vms, i);
		free(s->figs);
		s->figs = f;
		s->nr_vms = n;
		s->found = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct ga_vm_figs *v = ga_vms_at(s->vms, i);

		if (strcmp(v->vm.name, s->vm))
			continue;
		for (d = 0; d < GREENAI_MAX_DOMAINS; d++) {
			s->e[d].active_uj += v->energy[d].active_uj;
			s->e[d].idle_uj += v->energy[d].idle_uj;
		}
		s->cpu_ns += v->cpu_ns;
		s->nr_vms++;
		s->vm_pid = v->pid;
		s->vmm = v->vm.vmm;
		s->found = 1;
	}
}

/* The target's energy per domain since ga_open(). */
static void stat_read(struct ga_ctx *g, struct stat_ctx *s)
{
	unsigned int i;

	memset(s->e, 0, sizeof(s->e));
	s->cpu_ns = 0;
	s->node_idle_uj = 0;
	s->found = 0;
	switch (s->target) {
	case STAT_PID:
		ga_for_each_task(g, stat_task, s);
		break;
	case STAT_CGROUP:
		stat_read_cgroup(g, s);
		break;
	case STAT_VM:
	case STAT_VMS:
		stat_read_vms(s);
		break;
	default:
		for (i = 0; i < ga_nr_domains(g); i++) {
			const struct ga_acct_domain_totals *t =
				ga_domain_totals(g, i);

			s->e[i].active_uj = t->active_uj;
			s->e[i].idle_uj = t->idle_uj;
			if (ga_domain_in_total(g, i))
				s->node_idle_uj += t->node_idle_uj;
		}
		s->found = 1;
	}
}

/* -c: what the cgroup's own processes used, its descendants left out. */
static void stat_print_own(struct ga_ctx *g, const struct stat_ctx *now,
			   const struct stat_ctx *then)
{
	unsigned int i;
	__u64 uj = 0;

	for (i = 0; i < ga_nr_domains(g); i++)
		if (ga_domain_in_total(g, i))
			uj += now->own[i].active_uj + now->own[i].idle_uj -
			      then->own[i].active_uj - then->own[i].idle_uj;
	printf("own, without descendants: %llu.%06llu J in the total, %.3f s CPU time\n",
	       (unsigned long long)(uj / 1000000),
	       (unsigned long long)(uj % 1000000),
	       (now->own_cpu_ns - then->own_cpu_ns) / 1e9);
}

/* @v's figures at the start of the window: zero when it was not there. */
static const struct ga_vm_figs *stat_vm_then(const struct stat_ctx *then,
					     const struct ga_vm_figs *v)
{
	static const struct ga_vm_figs none;
	unsigned int i;

	for (i = 0; i < then->nr_vms; i++) {
		const struct ga_vm_figs *o = &then->figs[i];

		if (o->pid == v->pid && o->vm.vmm == v->vm.vmm &&
		    !strcmp(o->vm.scope, v->vm.scope) &&
		    !strcmp(o->vm.name, v->vm.name))
			return o;
	}
	return &none;
}

static void stat_uj(const char *what, __u64 uj)
{
	printf(" %*llu.%06llu", (int)(strlen(what) > 13 ? strlen(what) - 7 : 6),
	       (unsigned long long)(uj / 1000000),
	       (unsigned long long)(uj % 1000000));
}

/*
 * --vms: a line per VM, its energy per domain in the window (active and
 * idle share, J), in the total, and its CPU time; then what each domain
 * is and the idle policy.
 */
static void stat_print_vms(struct ga_ctx *g, const struct stat_ctx *now,
			   const struct stat_ctx *then, double secs)
{
	unsigned int i, d, nd = ga_nr_domains(g);
	char idle[512], col[GREENAI_NAME_LEN + 8];

	printf("greenai stat: %.3f s, %s, %u VM%s\n", secs, ga_backend_name(g),
	       now->nr_vms, now->nr_vms == 1 ? "" : "s");
	printf("%-24s %-16s %8s %6s %13s", "VM", "VMM", "PID", "UID",
	       "TOTAL J");
	for (d = 0; d < nd; d++) {
		snprintf(col, sizeof(col), "%s J", ga_domain(g, d)->name);
		printf(" %13s", col);
	}
	printf(" %10s\n", "CPU s");
	for (i = 0; i < now->nr_vms; i++) {
		const struct ga_vm_figs *v = &now->figs[i];
		const struct ga_vm_figs *o = stat_vm_then(then, v);
		__u64 tot = 0, e;

		for (d = 0; d < nd; d++)
			if (ga_domain_in_total(g, d))
				tot += v->energy[d].active_uj +
				       v->energy[d].idle_uj -
				       o->energy[d].active_uj -
				       o->energy[d].idle_uj;
		printf("%-24s %-16s %8d %6u", v->vm.name[0] ? v->vm.name : "-",
		       ga_vmm_name(v->vm.vmm), v->pid, (unsigned int)v->uid);
		stat_uj("TOTAL J", tot);
		for (d = 0; d < nd; d++) {
			snprintf(col, sizeof(col), "%s J",
				 ga_domain(g, d)->name);
			e = v->energy[d].active_uj + v->energy[d].idle_uj -
			    o->energy[d].active_uj - o->energy[d].idle_uj;
			stat_uj(col, e);
		}
		printf(" %10.3f%s\n", (v->cpu_ns - o->cpu_ns) / 1e9,
		       v->ended ? " (ended)" : "");
	}
	for (d = 0; d < nd; d++) {
		const char *est = ga_domain_estimate(g, d);

		printf("  %s: %s%s%s%s\n", ga_domain(g, d)->name,
		       *est ? "estimated (" : "measured", est,
		       *est ? ")" : "",
		       ga_domain_in_total(g, d) ? "" : ", not in the total");
	}
	ga_idle_summary(g, idle, sizeof(idle));
	printf("  idle policy %s\n", idle);
	fflush(stdout);
}

static void stat_print(struct ga_ctx *g, const struct stat_ctx *now,
		       const struct stat_ctx *then, double secs,
		       const struct ga_intensity *in)
{
	unsigned int i;
	uint64_t co2 = 0, ug;
	char idle[512];

	if (now->target == STAT_VMS) {
		stat_print_vms(g, now, then, secs);
		return;
	}
	printf("greenai stat: %.3f s, %s\n", secs, ga_backend_name(g));
	if (now->target == STAT_CGROUP)
		printf("cgroup %s with its descendants (%u cgroups charged)\n",
		       now->cgpath, now->nr_cgroups);
	if (now->target == STAT_VM && now->nr_vms == 1)
		printf("vm %s (%s, pid %d): its processes\n", now->vm,
		       ga_vmm_name(now->vmm), now->vm_pid);
	else if (now->target == STAT_VM && now->nr_vms)
		printf("vm %s: %u VMs of that name, their processes summed\n",
		       now->vm, now->nr_vms);
	else if (now->target == STAT_VM)
		printf("vm %s: none of that name\n", now->vm);
	for (i = 0; i < ga_nr_domains(g); i++) {
		__u64 a = now->e[i].active_uj - then->e[i].active_uj;
		__u64 d = a + now->e[i].idle_uj - then->e[i].idle_uj;
		int in_total = ga_domain_in_total(g, i);

		const char *est = ga_domain_estimate(g, i);
		const char *prov = ga_domain_provenance(g, i);
		/* "measured by the host" said; plain "measured" is not */
		bool by = !*est && strcmp(prov, "measured");

		printf("%18llu.%06llu J  %-16s (active %llu.%06llu J)%s%s%s%s%s%s\n",
		       (unsigned long long)(d / 1000000),
		       (unsigned long long)(d % 1000000), ga_domain(g, i)->name,
		       (unsigned long long)(a / 1000000),
		       (unsigned long long)(a % 1000000), by ? ", " : "",
		       by ? prov : "",
		       *est ? ", estimated (" : "", est, *est ? ")" : "",
		       in_total ? "" : ", not in the total");
		if (*ga_domain_error(g, i))
			fprintf(stderr, "greenai stat: warning: %s: %s\n",
				ga_domain(g, i)->name, ga_domain_error(g, i));
		if (in_total && !ga_co2_ug(d, in->mg_per_kwh,
					   GA_PUE_MIN_MILLI, &ug))
			co2 += ug;
	}
	printf("%18llu.%06llu g  CO2e at %u.%03u g/kWh (%s)\n",
	       (unsigned long long)(co2 / 1000000),
	       (unsigned long long)(co2 % 1000000), in->mg_per_kwh / 1000,
	       in->mg_per_kwh % 1000, in->region[0] ? in->region : "given");
	if (now->target != STAT_ALL)
		printf("%22.3f s  CPU time\n", (now->cpu_ns - then->cpu_ns) / 1e9);
	else
		printf("%18llu.%06llu J  node idle: the idle energy no process was given\n",
		       (unsigned long long)((now->node_idle_uj -
					     then->node_idle_uj) / 1000000),
		       (unsigned long long)((now->node_idle_uj -
					     then->node_idle_uj) % 1000000));
	if (now->target == STAT_CGROUP)
		stat_print_own(g, now, then);
	ga_idle_summary(g, idle, sizeof(idle));
	printf("  idle policy %s\n", idle);
	fflush(stdout);
}

/* -c: a path under the cgroup2 mount, or a directory; its path and id. */
static int stat_cgroup_arg(const char *arg, struct stat_ctx *s)
{
	struct ga_cgroup_mount m;
	uint64_t v;
	int r;

	r = ga_cgroup_find_mount("/", &m);
	r = r ?: ga_cgroup_of_arg(&m, arg, s->cgpath, sizeof(s->cgpath));
	r = r ?: ga_cgroup_id_of(&m, s->cgpath, &v);
	if (!r)
		s->cgroup_id = v;
	return r;
}

static int cli_stat_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "idle", required_argument, NULL, 'D' },
		{ "idle-power", required_argument, NULL, 'W' },
		{ "vms", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *region = NULL, *given = NULL, *why;
	const char *idle = NULL, *idle_power = NULL;
	struct stat_ctx start = { 0 }, cur;
	struct ga_opts gopts = { 0 };
	double secs = 1, every = 0, t0, next, tick;
	struct ga_intensity in;
	struct ga_ctx *g;
	char err[512], *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hap:c:I:V:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'p':
		case 'c':
		case 'V':
		case 'M':
			if (start.target != STAT_NONE)
				return cli_usage(&cli_cmd_stat,
						    "one of -p, -c, -V, --vms and -a%s",
						    "");
			start.target = c == 'a' ? STAT_ALL :
				       c == 'p' ? STAT_PID :
				       c == 'V' ? STAT_VM :
				       c == 'M' ? STAT_VMS : STAT_CGROUP;
			if (c == 'V' && (!optarg[0] ||
					 strlen(optarg) > GA_VM_NAME_SHOWN_MAX))
				return cli_usage(&cli_cmd_stat,
						    "-V '%s': not a VM's name",
						    optarg);
			if (c == 'V')
				start.vm = optarg;
			if (c == 'p') {
				errno = 0;
				start.pid = strtoul(optarg, &end, 10);
				if (*optarg < '1' || *optarg > '9' || *end ||
				    errno || kill(start.pid, 0) == -1)
					return cli_usage(&cli_cmd_stat,
							    "-p '%s': no such process",
							    optarg);
			}
			if (c == 'c' && stat_cgroup_arg(optarg, &start))
				return cli_usage(&cli_cmd_stat,
						    "-c '%s': no such cgroup v2",
						    optarg);
			break;
		case 'I':
			every = strtod(optarg, &end) / 1000;
			if (*optarg < '0' || *optarg > '9' || *end ||
			    every < 0.1 || every > 3600)
				return cli_usage(&cli_cmd_stat,
						    "-I '%s': not 100 to 3600000 ms",
						    optarg);
			break;
		case 'r':
			region = optarg;
			break;
		case 'i':
			given = optarg;
			break;
		case 'D':
			idle = optarg;
			break;
		case 'W':
			idle_power = optarg;
			break;
		case 'h':
			return cli_help(&cli_cmd_stat);
		default:
			return cli_bad_option(&cli_cmd_stat, argv);
		}
	}
	if (start.target == STAT_NONE)
		return cli_usage(&cli_cmd_stat,
				    "what to count: -p, -c, -V, --vms or -a%s", "");
	if (argc - optind > 1)
		return cli_usage(&cli_cmd_stat, "unexpected '%s'",
				    argv[optind + 1]);
	if (optind < argc) {
		secs = strtod(argv[optind], &end);
		if (*argv[optind] < '0' || *argv[optind] > '9' || *end ||
		    secs <= 0 || secs > 86400)
			return cli_usage(&cli_cmd_stat,
					    "SECONDS '%s': not more than 0 and up to 86400",
					    argv[optind]);
	}
	c = cli_intensity(&cli_cmd_stat, given, region, &in, &why);
	c = c ?: cli_idle(&cli_cmd_stat, idle, idle_power, &gopts.idle);
	c = c ?: cli_model(&cli_cmd_stat, &gopts);
	if (c)
		return c;
	gopts.cgroup_paths = start.target == STAT_CGROUP;
	if (ga_open(&g, &gopts, err, sizeof(err))) {
		fprintf(stderr, "greenai stat: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	if (start.target == STAT_ALL && !ga_domain_totals_shown(g)) {
		fprintf(stderr,
			"greenai stat: -a: the machine's energy is root's only (through the agent, a user sees their own processes and cgroups): use -p or -c, or run as root\n");
		ga_close(g);
		return CLI_EXIT_FAIL;
	}
	if ((start.target == STAT_VM || start.target == STAT_VMS) &&
	    ga_vms_new(&start.vms, NULL)) {
		fprintf(stderr, "greenai stat: out of memory\n");
		ga_close(g);
		return CLI_EXIT_FAIL;
	}
	if (start.vms) {
		/* the window starts with the VMs as they are now */
		ga_sample(g);
		ga_vms_update(start.vms, g);
		stat_read(g, &start);
	}
	cur = start;
	cur.figs = NULL;
	if (start.vms)
		stat_read(g, &cur); /* its own copy of the same figures */
	t0 = ga_mono_s();
	next = t0 + (every ? every : secs);
	tick = t0 + STAT_TICK_S;
	for (;;) {
		double now = ga_mono_s(), stop = t0 + secs;
		double wake = next < stop ? next : stop;

		/*
		 * -c: a sample every tick, to place descendants that come and
		 * go; -V, --vms: to take the VMs' processes before they end
		 */
		if ((start.target == STAT_CGROUP || start.vms) && tick < wake)
			wake = tick;
		if (wake > now)
			usleep((useconds_t)((wake - now) * 1e6));
		ga_sample(g);
		if (start.vms)
			ga_vms_update(start.vms, g);
		now = ga_mono_s();
		while (tick <= now)
			tick += STAT_TICK_S;
		if (now < next && now < stop)
			continue;
		if (every && now < stop) {
			struct stat_ctx prev = cur;

			cur.figs = NULL;
			stat_read(g, &cur);
			stat_print(g, &cur, &prev, every, &in);
			free(prev.figs);
			next += every;
			continue;
		}
		break;
	}
	/* what the window's last processes took with them */
	ga_sweep(g);
	ga_sample(g);
	if (start.vms)
		ga_vms_update(start.vms, g);
	stat_read(g, &cur);
	if (!cur.found)
		fprintf(stderr, "greenai stat: nothing of the target ran in the window\n");
	stat_print(g, &cur, &start, ga_mono_s() - t0, &in);
	free(cur.figs);
	free(start.figs);
	ga_vms_free(start.vms);
	ga_close(g);
	return 0;
}

const struct cli_cmd cli_cmd_stat = {
	.name = "stat",
	.summary = "energy of a process, cgroup or the machine over a window",
	.help = cli_stat_help,
	.run = cli_stat_main,
};
