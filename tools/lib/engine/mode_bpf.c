// SPDX-License-Identifier: GPL-2.0
/*
 * libgreenai's BPF mode (ctx.h): the BPF programs loaded in this process
 * collect run time (backend_bpf.c), and every domain is split here with
 * the shared attribution core (account.c), so the figures mean what the
 * module's mean.
 *
 * At each sample:
 *   1. ga_flush on every CPU: run time is charged up to now everywhere;
 *   2. each CPU's busy time and each (process, cgroup)'s run time per CPU
 *      since the previous sample (differences of the maps' cumulative
 *      values), charged to the accounting;
 *   3. each energy source read, each domain's energy since the previous
 *      sample taken, GPU shares taken, and the split done (ctx.c);
 *   4. exit records from the BPF ring queued; a queued exit is folded
 *      (its record completed with the process's totals and sent on, its
 *      entries dropped) at the first sample after the one that saw the
 *      process gone for good: its /proc entry absent, or a zombie with no
 *      thread left but the leader, whose last slices the next sample's
 *      flush has charged. After BPF_EXIT_MAX_WAIT samples it is folded
 *      whatever, and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/clock.h>
#include <greenai/files.h>
#include <greenai/walk_order.h>

#include "base/hash.h"
#include "engine/backend_bpf.h"
#include "engine/ctx.h"

#define BPF_EXIT_MAX_WAIT	100	/* samples an exit waits at most */
#define BPF_SWEEP_SAMPLES	50	/* samples between two sweeps */

/*
 * The previous cumulative run time of one ga_runs entry, per CPU. A dead
 * one (its process folded) waits on the mode's dead_runs, by
 * next_of_tgid, until the next walk has ended (walk_order.h).
 */
struct run_prev {
	struct ga_bpf_run_key key;
	bool dead;
	struct ga_acct_ref acct;	/* where it was charged */
	unsigned int walk_at;		/* its place in the last walk */
	__u64 ran_at;			/* the sample it last had run time in */
	__u64 seen_at;			/* the last sample whose walk met it */
	struct run_prev *next_of_tgid;
	UT_hash_handle hh;
	struct ga_bpf_run prev[];	/* per CPU, at the last sample */
};

/* The entries of one process, to drop them when it is folded. */
struct proc_runs {
	__u32 tgid;
	bool pending;			/* scratch of bpf_sweep_procs() */
	struct run_prev *runs;
	UT_hash_handle hh;
};

struct pending_exit {
	struct greenai_rec_task_exit rec;	/* as the BPF program sent it */
	unsigned int waited;
	bool gone;				/* seen gone at a sample */
};

struct bpf_mode {
	struct ga_bpf *bpf;
	__u64 last_ns;			/* the last sample's end */
	__u64 samples;
	/*
	 * The ga_runs entries in the order the last walk met them. The
	 * kernel walks its hash in the same order while it keeps the same
	 * entries, so an entry is mostly where it was: found by one
	 * comparison, not a hash lookup.
	 */
	struct ga_walk_order order;
	struct run_prev *runs;		/* hash by key */
	struct run_prev *dead_runs;	/* freed after the next walk */
	struct proc_runs *procs;	/* hash by tgid */
	struct pending_exit *pending;
	unsigned int nr_pending, max_pending;
	__u64 exits_forced, exits_untracked, exits_swept;
	__u64 runs_evicted;		/* entries the LRU map let go */

	struct ga_bpf_cpu *cpus, *cpus_prev;
	__u64 *delta;			/* per CPU, scratch: run time */
	__u64 *delta_count;		/* and the CPU's counter */
	__u64 *cpu_cap;			/* per CPU: its time in the interval */
	__u64 *pkg_busy, *pkg_cap;	/* per package, for the model */
	/* exit records are built here */
	__u8 exit_buf[GREENAI_REC_MAX_SIZE] __attribute__((aligned(8)));
};

static struct bpf_mode *bm(const struct ga_ctx *g)
{
	return g->mode;
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* What the model is told of the packages' load in the last interval. */
static struct ga_activity bpf_activity(const struct ga_ctx *g)
{
	return (struct ga_activity){
		.nr_packages = g->topo.nr_packages,
		.busy_ns = bm(g)->pkg_busy,
		.capacity_ns = bm(g)->pkg_cap,
	};
}

/* The run_prev of @key, made (at zero) on first sight. */
static struct run_prev *bpf_run_prev(struct ga_ctx *g,
				     const struct ga_bpf_run_key *key)
{
	struct bpf_mode *m = bm(g);
	size_t n = g->topo.nr_cpus;
	struct proc_runs *pr;
	struct run_prev *rp;

	HASH_FIND(hh, m->runs, key, sizeof(*key), rp);
	if (rp)
		return rp;
	rp = calloc(1, sizeof(*rp) + n * sizeof(rp->prev[0]));
	if (!rp)
		return NULL;
	rp->key = *key;
	HASH_ADD(hh, m->runs, key, sizeof(rp->key), rp);
	HASH_FIND(hh, m->procs, &key->tgid, sizeof(key->tgid), pr);
	if (!pr) {
		pr = calloc(1, sizeof(*pr));
		if (!pr)
			return rp;	/* not dropped at the fold: harmless */
		pr->tgid = key->tgid;
		HASH_ADD(hh, m->procs, tgid, sizeof(pr->tgid), pr);
	}
	rp->next_of_tgid = pr->runs;
	pr->runs = rp;
	return rp;
}

/* Take what ran before now as already seen: charged from now on. */
static int bpf_prime_run(const struct ga_bpf_run_key *key,
			 const struct ga_bpf_run *run, void *arg)
{
	struct ga_ctx *g = arg;
	struct run_prev *rp = bpf_run_prev(g, key);

	if (!rp)
		return -ENOMEM;
	memcpy(rp->prev, run, g->topo.nr_cpus * sizeof(rp->prev[0]));
	return 0;
}

/*
 * The start of the first interval, the same moment for the run times and
 * for every energy source: each source is read once now (the model with
 * no activity yet), and the domains count from that reading.
 */
static int bpf_prime(struct ga_ctx *g)
{
	struct ga_activity act = bpf_activity(g);
	struct bpf_mode *m = bm(g);
	int r = ga_bpf_flush(m->bpf);

	r = r ?: ga_bpf_for_each_run(m->bpf, bpf_prime_run, g);
	r = r ?: ga_bpf_cpus(m->bpf, m->cpus_prev);
	m->last_ns = ga_mono_ns();
	ga_ctx_read_sources(g, m->last_ns, &act);
	ga_ctx_start_domains(g);
	return r;
}

static int bpf_alloc(struct ga_ctx *g, unsigned int nr_cpus)
{
	struct bpf_mode *m = bm(g);

	m->cpus = calloc(nr_cpus, sizeof(*m->cpus));
	m->cpus_prev = calloc(nr_cpus, sizeof(*m->cpus_prev));
	m->delta = calloc(nr_cpus, sizeof(*m->delta));
	m->delta_count = calloc(nr_cpus, sizeof(*m->delta_count));
	m->cpu_cap = calloc(nr_cpus, sizeof(*m->cpu_cap));
	m->pkg_busy = calloc(g->topo.nr_packages, sizeof(*m->pkg_busy));
	m->pkg_cap = calloc(g->topo.nr_packages, sizeof(*m->pkg_cap));
	if (!m->cpus || !m->cpus_prev || !m->delta || !m->delta_count ||
	    !m->cpu_cap ||
	    !m->pkg_busy || !m->pkg_cap)
		return -ENOMEM;
	return 0;
}

static int bpf_open(struct ga_ctx *g, char *err, size_t err_size)
{
	struct bpf_mode *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	g->mode = m;
	r = ga_bpf_open(&m->bpf, &g->opts.bpf, g->opts.weights, err,
			err_size);
	if (r)
		return r;
	g->counting = ga_bpf_counting(m->bpf);
	g->weighed_by = !g->counting ? GA_WEIGHT_TIME :
			g->opts.weights == GA_WEIGHT_CPU_CLOCK ?
			GA_WEIGHT_CPU_CLOCK : GA_WEIGHT_CYCLES;
	snprintf(g->backend_name, sizeof(g->backend_name), "bpf (%s)",
		 ga_bpf_attach_name(m->bpf));
	r = ga_topology_read(&g->topo, g->root, ga_bpf_nr_cpus(m->bpf));
	r = r ?: bpf_alloc(g, ga_bpf_nr_cpus(m->bpf));
	r = r ?: ga_ctx_new_acct(g, g->topo.nr_cpus);
	if (r)
		return r;
	ga_ctx_open_sources(g, true);
	if (!g->nr_src) {
		snprintf(err, err_size, "no energy source: %s",
			 g->nr_status ? g->status[0].reason : "none tried");
		return -ENODEV;
	}
	r = ga_ctx_add_domains(g);
	if (r)
		return r;
	r = bpf_prime(g);
	if (r)
		snprintf(err, err_size,
			 "BPF backend: the first reading failed: %s",
			 strerror(-r));
	return r;
}

/* Free the entries of folded processes, which no walk's order now holds. */
static void bpf_free_dead_runs(struct bpf_mode *m)
{
	struct run_prev *rp, *next;

	for (rp = m->dead_runs; rp; rp = next) {
		next = rp->next_of_tgid;
		free(rp);
	}
	m->dead_runs = NULL;
}

static void bpf_close(struct ga_ctx *g)
{
	struct bpf_mode *m = bm(g);
	struct run_prev *rp, *rt;
	struct proc_runs *pr, *pt;

	if (!m)
		return;
	HASH_ITER(hh, m->runs, rp, rt) {
		HASH_DEL(m->runs, rp);
		free(rp);
	}
	HASH_ITER(hh, m->procs, pr, pt) {
		HASH_DEL(m->procs, pr);
		free(pr);
	}
	ga_bpf_close(m->bpf);
	bpf_free_dead_runs(m);
	ga_walk_done(&m->order);
	free(m->cpus);
	free(m->cpus_prev);
	free(m->delta);
	free(m->delta_count);
	free(m->cpu_cap);
	free(m->pkg_busy);
	free(m->pkg_cap);
	free(m->pending);
	free(m);
	g->mode = NULL;
}

static bool bpf_run_same(const void *item, const void *key)
{
	const struct run_prev *rp = item;

	return !rp->dead && !memcmp(&rp->key, key, sizeof(rp->key));
}

/* bpf_run_prev() for the walk's next entry: where the last walk met it. */
static struct run_prev *bpf_run_prev_walk(struct ga_ctx *g,
					  const struct ga_bpf_run_key *key)
{
	struct bpf_mode *m = bm(g);
	struct run_prev *rp = ga_walk_find(&m->order, bpf_run_same, key);

	if (!rp)
		rp = bpf_run_prev(g, key);
	if (rp)
		ga_walk_push(&m->order, rp, &rp->walk_at);
	return rp;
}

static int bpf_charge_run(const struct ga_bpf_run_key *key,
			  const struct ga_bpf_run *run, void *arg)
{
	struct ga_ctx *g = arg;
	struct bpf_mode *m = bm(g);
	struct ga_bpf_proc proc = { 0 };
	const char *comm = NULL;
	struct run_prev *rp;
	unsigned int cpu;
	bool moved = false;

	rp = bpf_run_prev_walk(g, key);
	if (!rp)
		return -ENOMEM;
	rp->seen_at = m->samples;
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		const struct ga_bpf_run *now = &run[cpu];
		struct ga_bpf_run *was = &rp->prev[cpu];

		/* an entry dropped and made again starts from 0 */
		m->delta[cpu] = now->run_ns >= was->run_ns ?
			now->run_ns - was->run_ns : now->run_ns;
		m->delta_count[cpu] = now->count >= was->count ?
			now->count - was->count : now->count;
		*was = *now;
		moved |= m->delta[cpu] != 0;
	}
	if (!moved)
		return 0;
	/* a process new to the accounting is named, once */
	if (!rp->acct.task && !ga_acct_task(g->acct, key->tgid) &&
	    !ga_bpf_proc(m->bpf, key->tgid, &proc))
		comm = proc.comm;
	rp->ran_at = m->samples;
	return ga_acct_charge_counts(g->acct, &rp->acct, key->tgid,
				     key->cgroup_id, comm, proc.start_ns,
				     m->delta, g->counting ? m->delta_count :
							     NULL);
}

/*
 * Each CPU's busy time since the last sample and its capacity: the
 * interval's length if it is online. The interval ends at a stamp taken
 * after the run times were read (bpf_sample()), so no run time taken can
 * lie beyond it.
 */
static int bpf_read_cpus(struct ga_ctx *g, __u64 elapsed)
{
	struct bpf_mode *m = bm(g);
	unsigned int cpu;
	int r;

	r = ga_bpf_cpus(m->bpf, m->cpus);
	if (r)
		return r;
	memset(m->pkg_busy, 0, g->topo.nr_packages * sizeof(*m->pkg_busy));
	memset(m->pkg_cap, 0, g->topo.nr_packages * sizeof(*m->pkg_cap));
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		struct ga_bpf_cpu *c = &m->cpus[cpu], *p = &m->cpus_prev[cpu];
		int pkg = g->topo.package[cpu];

		m->cpu_cap[cpu] = g->topo.online[cpu] ? elapsed : 0;
		if (g->topo.online[cpu]) {
			m->pkg_busy[pkg] += min_u64(c->busy_ns - p->busy_ns,
						    elapsed);
			m->pkg_cap[pkg] += elapsed;
		}
		m->delta[cpu] = c->overflow_ns - p->overflow_ns;
		m->delta_count[cpu] = c->overflow_count - p->overflow_count;
		*p = *c;
	}
	return 0;
}

static int bpf_queue_exit(const struct greenai_rec_task_exit *r, void *arg)
{
	struct bpf_mode *m = arg;
	struct pending_exit *p;

	if (m->nr_pending == m->max_pending) {
		unsigned int n = m->max_pending ? m->max_pending * 2 : 64;

		p = realloc(m->pending, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->pending = p;
		m->max_pending = n;
	}
	p = &m->pending[m->nr_pending++];
	memset(p, 0, sizeof(*p));
	p->rec = *r;
	return 0;
}

/*
 * Whether a process has gone for good (see the head of this file). A
 * process the BPF programs have seen start since, with the same pid, is a
 * new one: the old one has gone.
 */
static bool bpf_proc_gone(struct bpf_mode *m, __u32 tgid, __u64 start_ns)
{
	char path[GA_PATH_MAX], buf[1024], *rp;
	unsigned int threads = 0;
	struct ga_bpf_proc proc;
	struct dirent *de;
	DIR *d;

	if (!ga_bpf_proc(m->bpf, tgid, &proc) && proc.start_ns != start_ns)
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

static void bpf_forget_proc(struct ga_ctx *g, __u32 tgid)
{
	struct bpf_mode *m = bm(g);
	struct proc_runs *pr;
	struct run_prev *rp, *next;

	HASH_FIND(hh, m->procs, &tgid, sizeof(tgid), pr);
	if (pr) {
		for (rp = pr->runs; rp; rp = next) {
			next = rp->next_of_tgid;
			ga_bpf_forget(m->bpf, &rp->key);
			HASH_DEL(m->runs, rp);
			rp->dead = true;
			rp->next_of_tgid = m->dead_runs;
			m->dead_runs = rp;
		}
		HASH_DEL(m->procs, pr);
		free(pr);
	}
	ga_bpf_forget_proc(m->bpf, tgid);
	ga_ctx_forget(g, tgid);
}

/*
 * Whether a process has surely gone, without reading /proc: its pid is
 * free, or taken by a process the BPF programs have seen start since. A
 * zombie still counts as there.
 */
static bool bpf_proc_gone_quick(struct bpf_mode *m, __u32 tgid,
				__u64 start_ns)
{
	struct ga_bpf_proc proc;

	if (kill(tgid, 0) && errno == ESRCH)
		return true;
	return !ga_bpf_proc(m->bpf, tgid, &proc) && proc.start_ns != start_ns;
}

/* Whether one of @pr's entries had run time in the last sample. */
static bool bpf_proc_ran(const struct bpf_mode *m, const struct proc_runs *pr)
{
	const struct run_prev *rp;

	for (rp = pr->runs; rp; rp = rp->next_of_tgid)
		if (rp->ran_at + 1 == m->samples)
			return true;
	return false;
}

/*
 * Entries the LRU map let go to make room (bpf/greenai.bpf.c): not met by
 * this sample's complete walk though their process lives. Their run time
 * was taken at the samples before, but what they gathered since the last
 * one is lost (counted in runs_evicted, entries, not time). One that
 * comes back at a later sample starts again from 0; one let go and made
 * again between two samples is met as if it had stayed, its new count
 * taken against the old. Their previous counts wait on dead_runs like a
 * folded process's. O(entries), as the walk is.
 */
static void bpf_retire_evicted(struct ga_ctx *g)
{
	struct bpf_mode *m = bm(g);
	struct run_prev *rp, *tmp, **pp;
	struct proc_runs *pr;

	HASH_ITER(hh, m->runs, rp, tmp) {
		if (rp->seen_at == m->samples)
			continue;
		HASH_FIND(hh, m->procs, &rp->key.tgid, sizeof(rp->key.tgid),
			  pr);
		for (pp = pr ? &pr->runs : NULL; pp && *pp;
		     pp = &(*pp)->next_of_tgid) {
			if (*pp == rp) {
				*pp = rp->next_of_tgid;
				break;
			}
		}
		HASH_DEL(m->runs, rp);
		rp->dead = true;
		rp->next_of_tgid = m->dead_runs;
		m->dead_runs = rp;
		m->runs_evicted++;
	}
}

/*
 * Processes whose exit record never came (the ring was full): each
 * process with run time in the maps and no exit waiting is checked, and
 * one that has gone is queued as if its record had come, to be folded at
 * the next sample like the others. Without this, their entries would fill
 * the maps for good. The sweep bpf_sample() does every BPF_SWEEP_SAMPLES
 * (@periodic) is cheap at any number of processes: it skips those that
 * ran in the last sample (one whose record was lost is met at a later
 * sweep, once it has stopped running) and reads no /proc file, so a
 * zombie waits for its parent to reap it. A tool's own call checks every
 * process, fully.
 */
static void bpf_sweep_procs(struct ga_ctx *g, bool periodic)
{
	struct bpf_mode *m = bm(g);
	struct proc_runs *pr, *tmp;
	unsigned int i;

	HASH_ITER(hh, m->procs, pr, tmp)
		pr->pending = false;
	for (i = 0; i < m->nr_pending; i++) {
		HASH_FIND(hh, m->procs, &m->pending[i].rec.pid,
			  sizeof(pr->tgid), pr);
		if (pr)
			pr->pending = true;
	}
	HASH_ITER(hh, m->procs, pr, tmp) {
		const struct ga_acct_task *t;
		struct greenai_rec_task_exit rec = { 0 };
		struct ga_bpf_proc proc = { 0 };

		if (pr->pending || (periodic && bpf_proc_ran(m, pr)))
			continue;
		t = ga_acct_task(g->acct, pr->tgid);
		if (!t || !(periodic ? bpf_proc_gone_quick(m, pr->tgid,
							    t->start_ns) :
				       bpf_proc_gone(m, pr->tgid, t->start_ns)))
			continue;
		rec.pid = pr->tgid;
		rec.start_ns = t->start_ns;
		memcpy(rec.comm, t->comm, sizeof(rec.comm));
		if (!ga_bpf_proc(m->bpf, pr->tgid, &proc) &&
		    proc.start_ns == t->start_ns) {
			rec.ppid = proc.ppid;
			rec.uid = proc.uid;
			memcpy(rec.comm, proc.comm, sizeof(rec.comm));
		}
		rec.hdr.ts_ns = m->last_ns;
		if (bpf_queue_exit(&rec, m))
			return;
		m->pending[m->nr_pending - 1].gone = true;
		m->exits_swept++;
	}
}

static void bpf_sweep(struct ga_ctx *g)
{
	bpf_sweep_procs(g, false);
}

static void bpf_fold_exits(struct ga_ctx *g)
{
	struct bpf_mode *m = bm(g);
	struct greenai_rec_task_exit *out = (void *)m->exit_buf;
	unsigned int i, kept = 0;

	for (i = 0; i < m->nr_pending; i++) {
		struct pending_exit *p = &m->pending[i];
		bool forced = ++p->waited >= BPF_EXIT_MAX_WAIT;

		if (!p->gone && !forced) {
			/* seen gone now: folded at the next sample */
			p->gone = bpf_proc_gone(m, p->rec.pid,
						p->rec.start_ns);
			m->pending[kept++] = *p;
			continue;
		}
		m->exits_forced += !p->gone;
		if (ga_acct_exit(g->acct, p->rec.pid, out)) {
			m->exits_untracked++;
		} else {
			out->ppid = p->rec.ppid;
			out->uid = p->rec.uid;
			out->start_ns = p->rec.start_ns;
			/* its name at exit, after any exec */
			memcpy(out->comm, p->rec.comm, sizeof(out->comm));
			out->hdr.ts_ns = p->rec.hdr.ts_ns;
			ga_ctx_emit(g, &out->hdr);
		}
		bpf_forget_proc(g, p->rec.pid);
	}
	m->nr_pending = kept;
}

static int bpf_sample(struct ga_ctx *g)
{
	struct bpf_mode *m = bm(g);
	__u64 now, start = m->last_ns;
	struct ga_activity act;
	int r, walk;

	r = ga_bpf_flush(m->bpf);
	if (r)
		return r;
	ga_topology_online(&g->topo, g->root);
	ga_acct_begin(g->acct, start, 0);
	/*
	 * The processes' run time, then the CPUs', then the end of the
	 * interval: what is charged in between is in the CPUs' busy time,
	 * and all of it before the end, so the run time taken never exceeds
	 * the capacity.
	 *
	 * A walk that fails part way (no memory for a new entry) still
	 * closes the interval with what it charged: the entries it did not
	 * reach keep their previous count and are charged at the next
	 * sample, so no run time is lost, only late.
	 */
	ga_walk_begin(&m->order);
	walk = ga_bpf_for_each_run(m->bpf, bpf_charge_run, g);
	ga_walk_end(&m->order, !walk);
	bpf_free_dead_runs(m);
	/* after a complete walk, every entry still there was met */
	if (!walk)
		bpf_retire_evicted(g);
	now = ga_mono_ns();
	m->last_ns = now;
	ga_acct_set_end(g->acct, now);
	r = bpf_read_cpus(g, now - start);
	/* processes that found ga_runs full, as one */
	r = r ?: ga_acct_charge_counts(g->acct, NULL, GA_ACCT_OVERFLOW_ID, 0,
				       NULL, 0, m->delta,
				       g->counting ? m->delta_count : NULL);
	if (r)
		return r;
	act = bpf_activity(g);
	ga_ctx_read_sources(g, m->last_ns, &act);
	ga_ctx_split(g, m->cpu_cap);
	bpf_fold_exits(g);
	if (ga_bpf_poll_exits(m->bpf, 0, bpf_queue_exit, m) < 0)
		r = -ENOMEM;
	if (!(++m->samples % BPF_SWEEP_SAMPLES))
		bpf_sweep_procs(g, true);
	return walk ?: r;
}

/* The exit records waiting in the ring, queued for the next sample. */
static int bpf_drain(struct ga_ctx *g)
{
	struct bpf_mode *m = bm(g);

	return ga_bpf_poll_exits(m->bpf, 0, bpf_queue_exit, m) < 0 ? -ENOMEM :
								     0;
}

static unsigned int bpf_nr_domains(const struct ga_ctx *g)
{
	return ga_acct_nr_domains(g->acct);
}

static const struct greenai_domain *bpf_domain(const struct ga_ctx *g,
					       unsigned int id)
{
	return ga_acct_domain(g->acct, id);
}

static const struct ga_acct_domain_totals *
bpf_domain_totals(const struct ga_ctx *g, unsigned int id)
{
	return ga_acct_domain_totals(g->acct, id);
}

static int bpf_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn,
			     void *arg)
{
	return ga_acct_for_each_task(g->acct, fn, arg);
}

static int bpf_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
			       void *arg)
{
	return ga_acct_for_each_cgroup(g->acct, fn, arg);
}

static int bpf_forget_cgroup(struct ga_ctx *g, __u64 id)
{
	struct run_prev *rp, *tmp;

	/* an entry of a process not folded may hold a reference to it */
	HASH_ITER(hh, bm(g)->runs, rp, tmp)
		if (rp->key.cgroup_id == id)
			return -EBUSY;
	return ga_acct_forget_cgroup(g->acct, id);
}

static void bpf_stats(const struct ga_ctx *g, struct ga_stats *out)
{
	const struct bpf_mode *m = bm(g);

	ga_acct_stats(g->acct, &out->acct);
	ga_bpf_stats(m->bpf, &out->bpf);
	ga_bpf_switch_cost(m->bpf, &out->switch_run_ns, &out->switch_runs);
	out->exits_pending = m->nr_pending;
	out->exits_forced = m->exits_forced;
	out->exits_untracked = m->exits_untracked;
	out->exits_swept = m->exits_swept;
	out->runs_evicted = m->runs_evicted;
}

static __u64 bpf_start_ns(struct ga_ctx *g, __u32 tgid)
{
	struct ga_bpf_proc proc = { 0 };

	return ga_bpf_proc(bm(g)->bpf, tgid, &proc) ? 0 : proc.start_ns;
}

const struct ga_mode_ops ga_mode_bpf = {
	.open = bpf_open,
	.close = bpf_close,
	.sample = bpf_sample,
	.drain = bpf_drain,
	.sweep = bpf_sweep,
	.nr_domains = bpf_nr_domains,
	.domain = bpf_domain,
	.domain_totals = bpf_domain_totals,
	.domain_error = ga_ctx_domain_error,
	.domain_device = ga_ctx_domain_device,
	.for_each_task = bpf_for_each_task,
	.for_each_cgroup = bpf_for_each_cgroup,
	.forget_cgroup = bpf_forget_cgroup,
	.stats = bpf_stats,
	.start_ns = bpf_start_ns,
};
