// SPDX-License-Identifier: GPL-2.0
/*
 * libgreenai's context (libgreenai.h): the backend, the energy sources
 * and the userspace accounting, sampled together.
 *
 * BPF mode, at each sample:
 *   1. ga_flush on every CPU: run time is charged up to now everywhere;
 *   2. each CPU's busy time and each (process, cgroup)'s run time per CPU
 *      since the previous sample (differences of the maps' cumulative
 *      values), charged to the accounting;
 *   3. each energy source read, each domain's energy since the previous
 *      sample taken, GPU shares taken, and the split done (account.c);
 *   4. exit records from the BPF ring queued; a queued exit is folded
 *      (its record completed with the process's totals and sent on, its
 *      entries dropped) at the first sample after the one that saw the
 *      process gone for good: its /proc entry absent, or a zombie with no
 *      thread left but the leader, whose last slices the next sample's
 *      flush has charged. After GA_EXIT_MAX_WAIT samples it is folded
 *      whatever, and counted.
 *
 * Domains come from the sources' zones: CPU-package zones (package, core,
 * uncore, DRAM) are split over the run time on their package's CPUs,
 * platform zones (psys, hwmon) over all CPUs, GPU zones by their
 * per-process shares.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/ctx.h"
#include "base/sysfs.h"

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

__u64 ga_ctx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void ga_ctx_status(struct ga_ctx *g, const char *name, bool used,
		   const char *reason)
{
	unsigned int i = g->nr_status;
	char *dst = g->reasons[i];
	size_t n;

	if (i == GA_MAX_SOURCES * 2)
		return;
	if (!reason)
		reason = "";
	n = min_u64(strlen(reason), GA_ESRC_REASON_LEN - 1);
	memcpy(dst, reason, n);
	dst[n] = '\0';
	g->status[i] = (struct ga_source_status){
		.name = name, .used = used, .reason = g->reasons[i],
	};
	g->nr_status++;
}

/* Open one source; on success it is kept. */
static bool ga_try_source(struct ga_ctx *g, const struct ga_esrc_ops *ops,
			  const struct ga_esrc_conf *conf)
{
	struct ga_esrc *s = &g->src[g->nr_src];

	if (g->nr_src == GA_MAX_SOURCES)
		return false;
	if (ga_esrc_open(s, ops, conf)) {
		ga_ctx_status(g, ops->name, false, s->reason);
		return false;
	}
	if (!s->nr_zones) {
		ga_ctx_status(g, ops->name, false, "no energy counter found");
		ga_esrc_close(s);
		return false;
	}
	ga_ctx_status(g, ops->name, true, "");
	g->nr_src++;
	return true;
}

/*
 * The energy sources: with @cpu, the CPU's (powercap, else perf, else the
 * model, or the one asked for); then the others, unless told not to.
 */
void ga_ctx_open_sources(struct ga_ctx *g, bool cpu)
{
	static const struct ga_esrc_ops *const cpu_src[] = {
		[GA_CPU_SOURCE_POWERCAP] = &ga_esrc_powercap,
		[GA_CPU_SOURCE_PERF] = &ga_esrc_perf,
		[GA_CPU_SOURCE_MODEL] = &ga_esrc_model,
	};
	struct ga_esrc_conf conf = {
		.root = g->root,
		.nvml_lib = g->opts.nvml_lib,
		.model_idle_uw = g->opts.model_idle_uw,
		.model_max_uw = g->opts.model_max_uw,
		.model_packages = g->topo.nr_packages,
	};
	enum ga_cpu_source cs = g->opts.cpu_source;

	if (!cpu) {
		/* the module's */
	} else if (cs != GA_CPU_SOURCE_AUTO) {
		ga_try_source(g, cpu_src[cs], &conf);
	} else if (!ga_try_source(g, &ga_esrc_powercap, &conf) &&
		   !ga_try_source(g, &ga_esrc_perf, &conf)) {
		ga_try_source(g, &ga_esrc_model, &conf);
	}
	if (g->opts.no_extra_sources)
		return;
	ga_try_source(g, &ga_esrc_hwmon, &conf);
	ga_try_source(g, &ga_esrc_nvml, &conf);
	ga_try_source(g, &ga_esrc_drm, &conf);
}

/* The accounting, with the caller's caps and idle policy. */
int ga_ctx_new_acct(struct ga_ctx *g, unsigned int nr_cpus)
{
	struct ga_acct_conf ac = {
		.nr_cpus = nr_cpus,
		.max_tasks = g->opts.max_tasks,
		.max_cgroups = g->opts.max_cgroups,
		.idle = g->opts.idle,
	};

	g->shares = calloc(GA_MAX_SHARES, sizeof(*g->shares));
	if (!g->shares)
		return -ENOMEM;
	return ga_acct_new(&g->acct, &ac);
}

/*
 * Which CPUs a zone's energy is split over; NULL: by shares. In module
 * mode the accounting has one CPU, the whole machine (mode_kmod.c).
 */
static const unsigned char *ga_zone_cpus(struct ga_ctx *g,
					 const struct ga_zone *z,
					 unsigned char *buf)
{
	unsigned int cpu;

	if (z->has_shares)
		return NULL;
	if (g->kmod) {
		buf[0] = 1;
		return buf;
	}
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		switch (z->kind) {
		case GREENAI_DOM_PACKAGE:
		case GREENAI_DOM_CORE:
		case GREENAI_DOM_UNCORE:
		case GREENAI_DOM_DRAM:
			buf[cpu] = z->package < 0 ||
				   g->topo.package[cpu] == z->package;
			break;
		default:
			buf[cpu] = 1;
		}
	}
	return buf;
}

static bool ga_cpu_kind(__u16 kind)
{
	return kind == GREENAI_DOM_PACKAGE || kind == GREENAI_DOM_CORE ||
	       kind == GREENAI_DOM_UNCORE || kind == GREENAI_DOM_DRAM;
}

/*
 * Whether a hwmon zone counts what a domain already has counts: a CPU
 * zone (amd_energy's sockets and cores) of a package for which RAPL, the
 * perf PMU, the model or the module already has a domain of that kind.
 * Kept, it would count that energy twice in any sum over domains.
 */
static bool ga_zone_duplicate(struct ga_ctx *g, const struct ga_zone *z)
{
	unsigned int i, n = g->dom_base + ga_acct_nr_domains(g->acct);
	__u32 pkg = z->package < 0 ? 0 : z->package;

	if (z->source != GREENAI_SRC_HWMON || !ga_cpu_kind(z->kind))
		return false;
	for (i = 0; i < n; i++) {
		const struct greenai_domain *d = ga_domain(g, i);

		if (d && d->source != GREENAI_SRC_HWMON && d->kind == z->kind &&
		    d->package == pkg)
			return true;
	}
	return false;
}

static void ga_left_out(struct ga_ctx *g, unsigned int n, const char *why)
{
	char msg[96];

	if (!n)
		return;
	snprintf(msg, sizeof(msg), "%u zone(s) left out: %s", n, why);
	ga_ctx_status(g, "domains", false, msg);
}

/* Each source's zones become the accounting's domains. */
int ga_ctx_add_domains(struct ga_ctx *g)
{
	unsigned char *cpus = calloc(g->topo.nr_cpus ?: 1, 1);
	unsigned int i, z, too_many = 0, dup = 0;
	int id = 0;

	if (!cpus)
		return -ENOMEM;
	for (i = 0; i < g->nr_src; i++) {
		struct ga_esrc *s = &g->src[i];

		for (z = 0; z < s->nr_zones; z++) {
			const struct ga_zone *zone = &s->zones[z];
			struct greenai_domain d = {
				.kind = zone->kind,
				.source = zone->source,
				.flags = zone->flags & GREENAI_F_ESTIMATED,
				.package = zone->package < 0 ? 0 :
								zone->package,
				.unit_num = 1,
				.unit_den = 1,
				.range_uj = zone->range_uj,
			};

			if (ga_zone_duplicate(g, zone)) {
				dup++;
				continue;
			}
			if (g->dom_base + ga_acct_nr_domains(g->acct) >=
			    GREENAI_MAX_DOMAINS) {
				too_many++;
				continue;
			}
			snprintf(d.name, sizeof(d.name), "%s", zone->name);
			id = ga_acct_add_domain(g->acct, &d,
						ga_zone_cpus(g, zone, cpus));
			if (id < 0)
				break;
			g->dsrc[id] = (struct domain_src){
				.src = s, .zone = z,
				.last_uj = zone->energy_uj,
			};
		}
	}
	free(cpus);
	ga_left_out(g, too_many, "more than the ABI's 32 domains");
	_Static_assert(GREENAI_MAX_DOMAINS == 32, "the message above");
	ga_left_out(g, dup, "hwmon CPU counters another source counts");
	return id < 0 ? id : 0;
}

static struct run_prev *ga_run_prev(struct ga_ctx *g,
				    const struct ga_bpf_run_key *key);

static int ga_open_bpf(struct ga_ctx *g, char *err, size_t err_size)
{
	unsigned int n;
	int r;

	r = ga_bpf_open(&g->bpf, &g->opts.bpf, err, err_size);
	if (r)
		return r;
	n = ga_bpf_nr_cpus(g->bpf);
	g->cpus = calloc(n, sizeof(*g->cpus));
	g->cpus_prev = calloc(n, sizeof(*g->cpus_prev));
	g->delta = calloc(n, sizeof(*g->delta));
	g->cpu_cap = calloc(n, sizeof(*g->cpu_cap));
	if (!g->cpus || !g->cpus_prev || !g->delta || !g->cpu_cap)
		return -ENOMEM;
	snprintf(g->backend_name, sizeof(g->backend_name), "bpf (%s)",
		 ga_bpf_attach_name(g->bpf));
	return 0;
}

/* Take what ran before now as already seen: charged from now on. */
static int ga_prime_run(const struct ga_bpf_run_key *key,
			const __u64 *run_ns, void *arg)
{
	struct ga_ctx *g = arg;
	struct run_prev *rp = ga_run_prev(g, key);

	if (!rp)
		return -ENOMEM;
	memcpy(rp->prev, run_ns, g->topo.nr_cpus * sizeof(rp->prev[0]));
	return 0;
}

/*
 * The start of the first interval, the same moment for the run times and
 * for every energy source: each source is read once now (the model with
 * no activity yet), and the domains count from that reading.
 */
static int ga_prime_bpf(struct ga_ctx *g)
{
	struct ga_activity act = {
		.nr_packages = g->topo.nr_packages,
		.busy_ns = g->pkg_busy,
		.capacity_ns = g->pkg_cap,
	};
	unsigned int i;
	int r = ga_bpf_flush(g->bpf);

	r = r ?: ga_bpf_for_each_run(g->bpf, ga_prime_run, g);
	r = r ?: ga_bpf_cpus(g->bpf, g->cpus_prev);
	g->last_ns = ga_ctx_now();
	for (i = 0; i < g->nr_src; i++)
		ga_esrc_read(&g->src[i], g->last_ns, &act);
	for (i = 0; i < ga_acct_nr_domains(g->acct); i++) {
		struct domain_src *ds = &g->dsrc[i];

		ds->last_uj = ds->src->zones[ds->zone].energy_uj;
	}
	return r;
}

/**
 * ga_open() - open a backend and the energy sources
 * @out: the context
 * @opts: options; NULL for the defaults
 * @err: what went wrong, and what to do
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int ga_open(struct ga_ctx **out, const struct ga_opts *opts, char *err,
	    size_t err_size)
{
	struct ga_opts def = { 0 };
	struct ga_ctx *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->opts = opts ? *opts : def;
	g->root = g->opts.sysfs_root ? g->opts.sysfs_root : "/";
	if (!g->opts.model_max_uw) {
		/* no coefficients given: the module's defaults */
		g->opts.model_idle_uw = 10000000;
		g->opts.model_max_uw = 60000000;
	}
	g->backend = g->opts.backend;
	if (g->backend == GA_BACKEND_AUTO)
		g->backend = access("/proc/greenai/version", F_OK) == 0 ?
			GA_BACKEND_MODULE : GA_BACKEND_BPF;
	if (err_size)
		err[0] = '\0';
	if (g->backend == GA_BACKEND_MODULE) {
		r = ga_mode_kmod_open(g, err, err_size);
		if (r)
			goto fail;
		*out = g;
		return 0;
	}
	r = ga_open_bpf(g, err, err_size);
	if (r)
		goto fail;
	r = ga_topology_read(&g->topo, g->root, ga_bpf_nr_cpus(g->bpf));
	if (r)
		goto fail;
	g->pkg_busy = calloc(g->topo.nr_packages, sizeof(*g->pkg_busy));
	g->pkg_cap = calloc(g->topo.nr_packages, sizeof(*g->pkg_cap));
	r = -ENOMEM;
	if (!g->pkg_busy || !g->pkg_cap)
		goto fail;
	r = ga_ctx_new_acct(g, g->topo.nr_cpus);
	if (r)
		goto fail;
	ga_ctx_open_sources(g, true);
	if (!g->nr_src) {
		snprintf(err, err_size, "no energy source: %s",
			 g->nr_status ? g->status[0].reason : "none tried");
		r = -ENODEV;
		goto fail;
	}
	r = ga_ctx_add_domains(g);
	if (r)
		goto fail;
	r = ga_prime_bpf(g);
	if (r) {
		snprintf(err, err_size,
			 "BPF backend: the first reading failed: %s",
			 strerror(-r));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	if (err_size && !err[0])
		snprintf(err, err_size, "libgreenai: %s", strerror(-r));
	ga_close(g);
	return r;
}

/* Free the entries of folded processes, which no walk's order now holds. */
static void ga_free_dead_runs(struct ga_ctx *g)
{
	struct run_prev *rp, *next;

	for (rp = g->dead_runs; rp; rp = next) {
		next = rp->next_of_tgid;
		free(rp);
	}
	g->dead_runs = NULL;
}

void ga_close(struct ga_ctx *g)
{
	struct run_prev *rp, *rt;
	struct proc_runs *pr, *pt;
	unsigned int i;

	if (!g)
		return;
	for (i = 0; i < g->nr_src; i++)
		ga_esrc_close(&g->src[i]);
	HASH_ITER(hh, g->runs, rp, rt) {
		HASH_DEL(g->runs, rp);
		free(rp);
	}
	HASH_ITER(hh, g->procs, pr, pt) {
		HASH_DEL(g->procs, pr);
		free(pr);
	}
	ga_bpf_close(g->bpf);
	ga_mode_kmod_close(g);
	ga_identity_cache_free(g->ids);
	ga_acct_free(g->acct);
	ga_topology_free(&g->topo);
	ga_free_dead_runs(g);
	ga_walk_done(&g->order);
	free(g->cpus);
	free(g->cpus_prev);
	free(g->delta);
	free(g->cpu_cap);
	free(g->pkg_busy);
	free(g->pkg_cap);
	free(g->shares);
	free(g->pending);
	free(g);
}

int ga_backend_parse(const char *name, enum ga_backend *out)
{
	static const char *const names[] = {
		[GA_BACKEND_AUTO] = "auto",
		[GA_BACKEND_MODULE] = "module",
		[GA_BACKEND_BPF] = "bpf",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ga_backend_name(const struct ga_ctx *g)
{
	return g->backend_name;
}

void ga_set_record_fn(struct ga_ctx *g, ga_record_fn fn, void *arg)
{
	g->record_fn = fn;
	g->record_arg = arg;
}

void ga_ctx_emit(struct ga_ctx *g, struct greenai_rec_hdr *h)
{
	h->seq = g->seq++;
	if (g->record_fn)
		g->record_fn(h, g->record_arg);
}

/* The run_prev of @key, made (at zero) on first sight. */
static struct run_prev *ga_run_prev(struct ga_ctx *g,
				    const struct ga_bpf_run_key *key)
{
	size_t n = g->topo.nr_cpus;
	struct proc_runs *pr;
	struct run_prev *rp;

	HASH_FIND(hh, g->runs, key, sizeof(*key), rp);
	if (rp)
		return rp;
	rp = calloc(1, sizeof(*rp) + n * sizeof(rp->prev[0]));
	if (!rp)
		return NULL;
	rp->key = *key;
	HASH_ADD(hh, g->runs, key, sizeof(rp->key), rp);
	HASH_FIND(hh, g->procs, &key->tgid, sizeof(key->tgid), pr);
	if (!pr) {
		pr = calloc(1, sizeof(*pr));
		if (!pr)
			return rp;	/* not dropped at the fold: harmless */
		pr->tgid = key->tgid;
		HASH_ADD(hh, g->procs, tgid, sizeof(pr->tgid), pr);
	}
	rp->next_of_tgid = pr->runs;
	pr->runs = rp;
	return rp;
}

static bool ga_run_same(const void *item, const void *key)
{
	const struct run_prev *rp = item;

	return !rp->dead && !memcmp(&rp->key, key, sizeof(rp->key));
}

/* ga_run_prev() for the walk's next entry: where the last walk met it. */
static struct run_prev *ga_run_prev_walk(struct ga_ctx *g,
					 const struct ga_bpf_run_key *key)
{
	struct run_prev *rp = ga_walk_find(&g->order, ga_run_same, key);

	if (!rp)
		rp = ga_run_prev(g, key);
	if (rp)
		ga_walk_push(&g->order, rp, &rp->walk_at);
	return rp;
}

static int ga_charge_run(const struct ga_bpf_run_key *key,
			 const __u64 *run_ns, void *arg)
{
	struct ga_ctx *g = arg;
	struct ga_bpf_proc proc = { 0 };
	const char *comm = NULL;
	struct run_prev *rp;
	unsigned int cpu;
	bool moved = false;

	rp = ga_run_prev_walk(g, key);
	if (!rp)
		return -ENOMEM;
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		/* an entry dropped and made again starts from 0 */
		g->delta[cpu] = run_ns[cpu] >= rp->prev[cpu] ?
			run_ns[cpu] - rp->prev[cpu] : run_ns[cpu];
		rp->prev[cpu] = run_ns[cpu];
		moved |= g->delta[cpu] != 0;
	}
	if (!moved)
		return 0;
	/* a process new to the accounting is named, once */
	if (!rp->acct.task && !ga_acct_task(g->acct, key->tgid) &&
	    !ga_bpf_proc(g->bpf, key->tgid, &proc))
		comm = proc.comm;
	rp->ran_at = g->samples;
	return ga_acct_charge_ref(g->acct, &rp->acct, key->tgid,
				  key->cgroup_id, comm, proc.start_ns,
				  g->delta);
}

/*
 * Each CPU's busy time since the last sample and its capacity: the
 * interval's length if it is online. The interval ends at a stamp taken
 * after the run times were read (ga_sample()), so no run time taken can
 * lie beyond it.
 */
static int ga_read_cpus(struct ga_ctx *g, __u64 elapsed)
{
	unsigned int cpu;
	int r;

	r = ga_bpf_cpus(g->bpf, g->cpus);
	if (r)
		return r;
	memset(g->pkg_busy, 0, g->topo.nr_packages * sizeof(*g->pkg_busy));
	memset(g->pkg_cap, 0, g->topo.nr_packages * sizeof(*g->pkg_cap));
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		struct ga_bpf_cpu *c = &g->cpus[cpu], *p = &g->cpus_prev[cpu];
		int pkg = g->topo.package[cpu];

		g->cpu_cap[cpu] = g->topo.online[cpu] ? elapsed : 0;
		if (g->topo.online[cpu]) {
			g->pkg_busy[pkg] += min_u64(c->busy_ns - p->busy_ns,
						    elapsed);
			g->pkg_cap[pkg] += elapsed;
		}
		g->delta[cpu] = c->overflow_ns - p->overflow_ns;
		*p = *c;
	}
	return 0;
}

/*
 * A domain's user that no run time was charged for yet (it started since
 * the last sample): its cgroup and name from /proc, so that its share
 * counts where it runs. Return: false for a pid that is not a live
 * process (a GPU can list one that has exited): it gets no share.
 */
static bool ga_ctx_introduce(struct ga_ctx *g, __u32 pid)
{
	const struct ga_identity *id;
	struct ga_bpf_proc proc = { 0 };

	if (ga_acct_task(g->acct, pid))
		return true;
	if (ga_identity(g, pid, &id))
		return false;
	/* the start time as the BPF programs have it, which ga_sweep() uses */
	if (g->bpf && ga_bpf_proc(g->bpf, pid, &proc))
		proc.start_ns = 0;
	ga_acct_add_task(g->acct, pid, id->cgroup_id, id->comm, proc.start_ns);
	return true;
}

/* Read every source at @now (the model from the packages' activity). */
void ga_ctx_read_sources(struct ga_ctx *g, __u64 now)
{
	struct ga_activity act = {
		.nr_packages = g->topo.nr_packages,
		.busy_ns = g->pkg_busy,
		.capacity_ns = g->pkg_cap,
	};
	unsigned int i;

	for (i = 0; i < g->nr_src; i++)
		ga_esrc_read(&g->src[i], now, &act);
}

/* Split each domain's energy since the last split, as last read. */
void ga_ctx_split(struct ga_ctx *g, const __u64 *cpu_cap)
{
	unsigned int i, n = ga_acct_nr_domains(g->acct);
	__u64 energy[GREENAI_MAX_DOMAINS];
	__u32 flags[GREENAI_MAX_DOMAINS];

	for (i = 0; i < n; i++) {
		struct domain_src *ds = &g->dsrc[i];
		const struct ga_zone *z = &ds->src->zones[ds->zone];
		__u32 sf;
		int k, nr;

		energy[i] = z->energy_uj - ds->last_uj;
		flags[i] = z->flags;	/* this read's */
		ds->last_uj = z->energy_uj;
		if (!z->has_shares)
			continue;
		nr = ga_esrc_shares(ds->src, ds->zone, g->shares,
				    GA_MAX_SHARES, &sf);
		if (sf & GA_SHARE_EQUAL)
			flags[i] |= GREENAI_F_SHARE_EQUAL;
		if (sf & GA_SHARE_TRUNCATED)
			flags[i] |= GREENAI_F_SHARE_CUT;
		for (k = 0; k < nr; k++) {
			if (ga_ctx_introduce(g, g->shares[k].pid))
				ga_acct_share(g->acct, i, g->shares[k].pid,
					      g->shares[k].weight);
		}
	}
	ga_acct_end(g->acct, cpu_cap, energy, flags, g->rec.iv);
	for (i = 0; i < n; i++) {
		g->rec.iv[i].domain += g->dom_base;
		ga_ctx_emit(g, &g->rec.iv[i].hdr);
	}
}

static int ga_queue_exit(const struct greenai_rec_task_exit *r, void *arg)
{
	struct ga_ctx *g = arg;
	struct pending_exit *p;

	if (g->nr_pending == g->max_pending) {
		unsigned int n = g->max_pending ? g->max_pending * 2 : 64;

		p = realloc(g->pending, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		g->pending = p;
		g->max_pending = n;
	}
	p = &g->pending[g->nr_pending++];
	memset(p, 0, sizeof(*p));
	p->rec = *r;
	return 0;
}

/*
 * Whether a process has gone for good (see the head of this file). A
 * process the BPF programs have seen start since, with the same pid, is a
 * new one: the old one has gone.
 */
static bool ga_proc_gone(struct ga_ctx *g, __u32 tgid, __u64 start_ns)
{
	char path[GA_PATH_MAX], buf[1024], *rp;
	unsigned int threads = 0;
	struct ga_bpf_proc proc;
	struct dirent *de;
	DIR *d;

	if (!ga_bpf_proc(g->bpf, tgid, &proc) && proc.start_ns != start_ns)
		return true;
	if (ga_path(path, sizeof(path), "/", "proc/%u/stat", tgid) ||
	    ga_read_str(path, buf, sizeof(buf)))
		return true;
	rp = strrchr(buf, ')');
	if (!rp || (rp[1] && rp[2] != 'Z' && rp[2] != 'X'))
		return false;
	ga_path(path, sizeof(path), "/", "proc/%u/task", tgid);
	d = opendir(path);
	if (!d)
		return true;
	while ((de = readdir(d)))
		threads += de->d_name[0] != '.';
	closedir(d);
	return threads <= 1;
}

/* A process folded at exit: its identity is not kept either. */
void ga_ctx_forget(struct ga_ctx *g, __u32 tgid)
{
	if (g->ids)
		ga_identity_cache_forget(g->ids, tgid);
}

static void ga_forget_proc(struct ga_ctx *g, __u32 tgid)
{
	struct proc_runs *pr;
	struct run_prev *rp, *next;

	HASH_FIND(hh, g->procs, &tgid, sizeof(tgid), pr);
	if (pr) {
		for (rp = pr->runs; rp; rp = next) {
			next = rp->next_of_tgid;
			ga_bpf_forget(g->bpf, &rp->key);
			HASH_DEL(g->runs, rp);
			rp->dead = true;
			rp->next_of_tgid = g->dead_runs;
			g->dead_runs = rp;
		}
		HASH_DEL(g->procs, pr);
		free(pr);
	}
	ga_bpf_forget_proc(g->bpf, tgid);
	ga_ctx_forget(g, tgid);
}

/*
 * Whether a process has surely gone, without reading /proc: its pid is
 * free, or taken by a process the BPF programs have seen start since. A
 * zombie still counts as there.
 */
static bool ga_proc_gone_quick(struct ga_ctx *g, __u32 tgid, __u64 start_ns)
{
	struct ga_bpf_proc proc;

	if (kill(tgid, 0) && errno == ESRCH)
		return true;
	return !ga_bpf_proc(g->bpf, tgid, &proc) && proc.start_ns != start_ns;
}

/* Whether one of @pr's entries had run time in the last sample. */
static bool ga_proc_ran(const struct ga_ctx *g, const struct proc_runs *pr)
{
	const struct run_prev *rp;

	for (rp = pr->runs; rp; rp = rp->next_of_tgid)
		if (rp->ran_at + 1 == g->samples)
			return true;
	return false;
}

/*
 * Processes whose exit record never came (the ring was full): each
 * process with run time in the maps and no exit waiting is checked, and
 * one that has gone is queued as if its record had come, to be folded at
 * the next sample like the others. Without this, their entries would fill
 * the maps for good. The sweep ga_sample() does every GA_SWEEP_SAMPLES
 * (@periodic) is cheap at any number of processes: it skips those that ran in the
 * last sample (one whose record was lost is met at a later sweep, once it
 * has stopped running) and reads no /proc file, so a zombie waits for its
 * parent to reap it. A tool's own call checks every process, fully.
 */
static void ga_sweep_procs(struct ga_ctx *g, bool periodic)
{
	struct proc_runs *pr, *tmp;
	unsigned int i;

	if (g->kmod)
		return;
	HASH_ITER(hh, g->procs, pr, tmp)
		pr->pending = false;
	for (i = 0; i < g->nr_pending; i++) {
		HASH_FIND(hh, g->procs, &g->pending[i].rec.pid,
			  sizeof(pr->tgid), pr);
		if (pr)
			pr->pending = true;
	}
	HASH_ITER(hh, g->procs, pr, tmp) {
		const struct ga_acct_task *t;
		struct greenai_rec_task_exit rec = { 0 };
		struct ga_bpf_proc proc = { 0 };

		if (pr->pending || (periodic && ga_proc_ran(g, pr)))
			continue;
		t = ga_acct_task(g->acct, pr->tgid);
		if (!t || !(periodic ? ga_proc_gone_quick(g, pr->tgid,
							   t->start_ns) :
				       ga_proc_gone(g, pr->tgid, t->start_ns)))
			continue;
		rec.pid = pr->tgid;
		rec.start_ns = t->start_ns;
		memcpy(rec.comm, t->comm, sizeof(rec.comm));
		if (!ga_bpf_proc(g->bpf, pr->tgid, &proc) &&
		    proc.start_ns == t->start_ns) {
			rec.ppid = proc.ppid;
			rec.uid = proc.uid;
			memcpy(rec.comm, proc.comm, sizeof(rec.comm));
		}
		rec.hdr.ts_ns = g->last_ns;
		if (ga_queue_exit(&rec, g))
			return;
		g->pending[g->nr_pending - 1].gone = true;
		g->exits_swept++;
	}
}

/**
 * ga_sweep() - look for processes that went without an exit record now
 * @g: the context
 *
 * ga_sample() does a cheaper one every GA_SWEEP_SAMPLES samples; a tool
 * about to stop calls this, then ga_sample() once, to fold them all.
 */
void ga_sweep(struct ga_ctx *g)
{
	ga_sweep_procs(g, false);
}

static void ga_fold_exits(struct ga_ctx *g)
{
	struct greenai_rec_task_exit *out = (void *)g->rec.exit_buf;
	unsigned int i, kept = 0;

	for (i = 0; i < g->nr_pending; i++) {
		struct pending_exit *p = &g->pending[i];
		bool forced = ++p->waited >= GA_EXIT_MAX_WAIT;

		if (!p->gone && !forced) {
			/* seen gone now: folded at the next sample */
			p->gone = ga_proc_gone(g, p->rec.pid, p->rec.start_ns);
			g->pending[kept++] = *p;
			continue;
		}
		g->exits_forced += !p->gone;
		if (ga_acct_exit(g->acct, p->rec.pid, out)) {
			g->exits_untracked++;
		} else {
			out->ppid = p->rec.ppid;
			out->uid = p->rec.uid;
			out->start_ns = p->rec.start_ns;
			/* its name at exit, after any exec */
			memcpy(out->comm, p->rec.comm, sizeof(out->comm));
			out->hdr.ts_ns = p->rec.hdr.ts_ns;
			ga_ctx_emit(g, &out->hdr);
		}
		ga_forget_proc(g, p->rec.pid);
	}
	g->nr_pending = kept;
}

/**
 * ga_sample() - close an interval now
 * @g: the context
 *
 * Return: 0 or -errno.
 */
int ga_sample(struct ga_ctx *g)
{
	__u64 now, start = g->last_ns;
	int r, walk;

	if (g->kmod)
		return ga_mode_kmod_sample(g);

	r = ga_bpf_flush(g->bpf);
	if (r)
		return r;
	ga_topology_online(&g->topo, g->root);
	ga_acct_begin(g->acct, start, 0);
	/*
	 * The processes' run time, then the CPUs', then the end of the
	 * interval: what is charged in between is in the CPUs' busy time,
	 * and all of it before the end, so the run time taken never exceeds
	 * the capacity.
	 */
	/*
	 * A walk that fails part way (no memory for a new entry) still
	 * closes the interval with what it charged: the entries it did not
	 * reach keep their previous count and are charged at the next
	 * sample, so no run time is lost, only late.
	 */
	ga_walk_begin(&g->order);
	walk = ga_bpf_for_each_run(g->bpf, ga_charge_run, g);
	ga_walk_end(&g->order, !walk);
	ga_free_dead_runs(g);
	now = ga_ctx_now();
	g->last_ns = now;
	ga_acct_set_end(g->acct, now);
	r = ga_read_cpus(g, now - start);
	/* processes that found ga_runs full, as one */
	r = r ?: ga_acct_charge(g->acct, GA_ACCT_OVERFLOW_ID, 0, NULL, 0,
				g->delta);
	if (r)
		return r;
	ga_ctx_read_sources(g, g->last_ns);
	ga_ctx_split(g, g->cpu_cap);
	ga_fold_exits(g);
	if (ga_bpf_poll_exits(g->bpf, 0, ga_queue_exit, g) < 0)
		r = -ENOMEM;
	if (!(++g->samples % GA_SWEEP_SAMPLES))
		ga_sweep_procs(g, true);
	return walk ?: r;
}

/**
 * ga_drain() - take the exit records waiting in the kernel now
 * @g: the context
 *
 * The BPF ring of exit records is of a fixed size: between samples far
 * apart (the exporter's 5 s), a storm of short-lived processes can fill
 * it, and what does not fit is dropped (those processes are still folded,
 * through the sweep, but with what was last charged of them). A tool that
 * samples seldom calls this often (every 100 ms, say): it is cheap, and
 * the records taken wait for the next ga_sample() to be folded.
 *
 * Return: 0, or -ENOMEM. With the module, 0: it keeps its own records.
 */
int ga_drain(struct ga_ctx *g)
{
	if (g->kmod)
		return 0;
	return ga_bpf_poll_exits(g->bpf, 0, ga_queue_exit, g) < 0 ? -ENOMEM :
								    0;
}

const char *ga_domain_kind_name(__u16 kind)
{
	static const char *const names[] = {
		[GREENAI_DOM_PACKAGE] = "package", [GREENAI_DOM_CORE] = "core",
		[GREENAI_DOM_UNCORE] = "uncore", [GREENAI_DOM_DRAM] = "dram",
		[GREENAI_DOM_PSYS] = "psys", [GREENAI_DOM_GPU] = "gpu",
		[GREENAI_DOM_PLATFORM] = "platform",
	};

	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ?
		names[kind] : "other";
}

unsigned int ga_nr_domains(const struct ga_ctx *g)
{
	if (g->kmod)
		return ga_mode_kmod_nr_domains(g);
	return ga_acct_nr_domains(g->acct);
}

const struct greenai_domain *ga_domain(const struct ga_ctx *g,
				       unsigned int id)
{
	if (g->kmod)
		return ga_mode_kmod_domain(g, id);
	return ga_acct_domain(g->acct, id);
}

const struct ga_acct_domain_totals *ga_domain_totals(const struct ga_ctx *g,
						     unsigned int id)
{
	if (g->kmod)
		return ga_mode_kmod_domain_totals(g, id);
	return ga_acct_domain_totals(g->acct, id);
}

int ga_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn, void *arg)
{
	if (g->kmod)
		return ga_mode_kmod_for_each_task(g, fn, arg);
	return ga_acct_for_each_task(g->acct, fn, arg);
}

int ga_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
		       void *arg)
{
	if (g->kmod)
		return ga_mode_kmod_for_each_cgroup(g, fn, arg);
	return ga_acct_for_each_cgroup(g->acct, fn, arg);
}

/**
 * ga_domain_error() - why domain @id's last reading failed
 * @g: the context
 * @id: the domain
 *
 * A source that fails (its file gone, a value that is not a number) keeps
 * its energy where it was; the next good reading goes on from there.
 *
 * Return: the error, or "" when the last reading was good (and always
 * with the module, which reads its own counters).
 */
const char *ga_domain_error(const struct ga_ctx *g, unsigned int id)
{
	const struct domain_src *ds;

	if (g->kmod || id >= ga_nr_domains(g))
		return "";
	ds = &g->dsrc[id];
	return ds->src ? ds->src->zones[ds->zone].error : "";
}

bool ga_domain_in_total(const struct ga_ctx *g, unsigned int id)
{
	const struct greenai_domain *d = ga_domain(g, id);
	unsigned int i, n = ga_nr_domains(g);
	bool psys = false;

	if (!d)
		return false;
	for (i = 0; i < n; i++)
		psys |= ga_domain(g, i)->kind == GREENAI_DOM_PSYS;
	switch (d->kind) {
	case GREENAI_DOM_PSYS:
	case GREENAI_DOM_GPU:
		return true;
	case GREENAI_DOM_PACKAGE:
	case GREENAI_DOM_DRAM:
		return !psys;
	default:
		return false;
	}
}

unsigned int ga_sources(const struct ga_ctx *g,
			const struct ga_source_status **out)
{
	*out = g->status;
	return g->nr_status;
}

int ga_forget_cgroup(struct ga_ctx *g, __u64 id)
{
	struct run_prev *rp, *tmp;

	if (g->kmod)
		return -EOPNOTSUPP;
	/* an entry of a process not folded may hold a reference to it */
	HASH_ITER(hh, g->runs, rp, tmp)
		if (rp->key.cgroup_id == id)
			return -EBUSY;
	return ga_acct_forget_cgroup(g->acct, id);
}

void ga_stats(const struct ga_ctx *g, struct ga_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (g->kmod) {
		ga_mode_kmod_stats(g, out);
		return;
	}
	ga_acct_stats(g->acct, &out->acct);
	ga_bpf_stats(g->bpf, &out->bpf);
	ga_bpf_switch_cost(g->bpf, &out->switch_run_ns, &out->switch_runs);
	out->exits_pending = g->nr_pending;
	out->exits_forced = g->exits_forced;
	out->exits_untracked = g->exits_untracked;
	out->exits_swept = g->exits_swept;
}

int ga_identity(struct ga_ctx *g, __u32 tgid, const struct ga_identity **out)
{
	/* /proc is the machine's, whatever root the sources are read under */
	struct ga_identity_conf conf = { .root = "/" };
	int r;

	if (!g->ids) {
		r = ga_identity_cache_new(&g->ids, &conf);
		if (r)
			return r;
	}
	return ga_identity_cache_get(g->ids, tgid, 0, out);
}
