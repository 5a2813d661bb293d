// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace accounting (account.h): process and cgroup tables, and the
 * close of an interval with the shared attribution core.
 *
 * An interval's charges are kept as slots, one per ga_acct_charge() or
 * ga_acct_share() call, each with its weight in every domain (its run
 * time on the domain's CPUs, or its share). ga_acct_end() then splits
 * each domain's energy over the slots in proportion to their weights.
 * A per-CPU mask of the domains covering that CPU keeps a charge's cost
 * to the CPUs it ran on times their domains.
 *
 * Tables are uthash hash tables; their sizes are capped, and a process or
 * cgroup that finds its table full is charged to the table's overflow
 * entry, counted, never dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "engine/account.h"

#define GA_ACCT_TASKS_DEF	65536
#define GA_ACCT_CGROUPS_DEF	4096
#define GA_ACCT_OVERFLOW_CGROUP	((__u64)-1)

struct acct_task {
	struct ga_acct_task pub;
	UT_hash_handle hh;
};

struct acct_cgroup {
	struct ga_acct_cgroup pub;
	UT_hash_handle hh;
};

struct acct_slot {
	struct acct_task *task;
	struct acct_cgroup *cgroup;
	__u64 w[GREENAI_MAX_DOMAINS];	/* weight: run time, count or share */
	__u64 t[GREENAI_MAX_DOMAINS];	/* run time on the domain's CPUs */
};

struct acct_domain {
	struct greenai_domain desc;
	bool by_share;
	bool by_count;		/* weighed by the CPUs' counters, if any */
	__u64 fixed_uw;		/* the user's idle power for it; 0: none */
	bool has_model;		/* the source knows its idle power: */
	__u64 model_uw;		/* this, µW (the model's) */
	struct ga_idle_cal cal;
	struct ga_acct_domain_totals totals;
	/* this interval */
	__u64 capacity_ns;
	__u64 total_w;		/* Σ weights */
	__u64 busy_ns;		/* Σ run time */
	struct ga_interval iv;
};

struct ga_acct {
	struct ga_acct_conf conf;
	struct acct_domain dom[GREENAI_MAX_DOMAINS];
	unsigned int nr_doms;
	__u32 *cpu_doms;		/* per CPU: mask of the domains on it */
	struct acct_task *tasks;	/* hash by tgid */
	struct acct_cgroup *cgroups;	/* hash by id */
	struct acct_task overflow_task;
	struct acct_cgroup overflow_cgroup;
	unsigned int nr_tasks, nr_cgroups;
	struct acct_slot *slots;
	unsigned int nr_slots, max_slots;
	__u64 start_ns, end_ns;
	struct ga_acct_stats stats;
};

/**
 * ga_acct_new() - empty tables, no domain yet
 * @out: the accounting state
 * @conf: CPUs, caps and idle policy
 *
 * Return: 0, -EINVAL for no CPU, or -ENOMEM.
 */
int ga_acct_new(struct ga_acct **out, const struct ga_acct_conf *conf)
{
	struct ga_acct *a;

	if (!conf->nr_cpus)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->conf = *conf;
	if (!a->conf.max_tasks)
		a->conf.max_tasks = GA_ACCT_TASKS_DEF;
	if (!a->conf.max_cgroups)
		a->conf.max_cgroups = GA_ACCT_CGROUPS_DEF;
	a->cpu_doms = calloc(conf->nr_cpus, sizeof(*a->cpu_doms));
	if (!a->cpu_doms) {
		free(a);
		return -ENOMEM;
	}
	a->overflow_task.pub.tgid = GA_ACCT_OVERFLOW_ID;
	a->overflow_task.pub.cgroup_id = GA_ACCT_OVERFLOW_CGROUP;
	strcpy(a->overflow_task.pub.comm, "[overflow]");
	a->overflow_cgroup.pub.id = GA_ACCT_OVERFLOW_CGROUP;
	*out = a;
	return 0;
}

void ga_acct_free(struct ga_acct *a)
{
	struct acct_task *t, *tt;
	struct acct_cgroup *c, *ct;

	if (!a)
		return;
	HASH_ITER(hh, a->tasks, t, tt) {
		HASH_DEL(a->tasks, t);
		free(t);
	}
	HASH_ITER(hh, a->cgroups, c, ct) {
		HASH_DEL(a->cgroups, c);
		free(c);
	}
	free(a->slots);
	free(a->cpu_doms);
	free(a);
}

int ga_acct_add_domain(struct ga_acct *a, const struct greenai_domain *desc,
		       const unsigned char *cpus)
{
	struct acct_domain *d;
	unsigned int id = a->nr_doms, cpu, n = 0;
	__u64 uw;

	if (id >= GREENAI_MAX_DOMAINS)
		return -ENOSPC;
	d = &a->dom[id];
	memset(d, 0, sizeof(*d));
	d->desc = *desc;
	d->desc.id = id;
	d->by_share = !cpus;
	for (cpu = 0; cpus && cpu < a->conf.nr_cpus; cpu++) {
		if (cpus[cpu]) {
			a->cpu_doms[cpu] |= 1U << id;
			n++;
		}
	}
	d->desc.nr_cpus = n;
	d->by_count = a->conf.counts && cpus &&
		      (desc->kind == GREENAI_DOM_PACKAGE ||
		       desc->kind == GREENAI_DOM_CORE);
	d->fixed_uw = ga_idle_conf_fixed(&a->conf.idle, d->desc.name);
	/* a saved calibration: learned before, here from the start */
	uw = ga_idle_conf_saved(&a->conf.idle, d->desc.name);
	if (uw)
		ga_idle_cal_seed(&d->cal, uw);
	a->nr_doms++;
	return id;
}

void ga_acct_set_model_idle(struct ga_acct *a, unsigned int id, __u64 uw)
{
	if (id < a->nr_doms) {
		a->dom[id].has_model = true;
		a->dom[id].model_uw = uw;
	}
}

unsigned int ga_acct_nr_domains(const struct ga_acct *a)
{
	return a->nr_doms;
}

const struct greenai_domain *ga_acct_domain(const struct ga_acct *a,
					    unsigned int id)
{
	return id < a->nr_doms ? &a->dom[id].desc : NULL;
}

const struct ga_acct_domain_totals *
ga_acct_domain_totals(const struct ga_acct *a, unsigned int id)
{
	return id < a->nr_doms ? &a->dom[id].totals : NULL;
}

void ga_acct_begin(struct ga_acct *a, __u64 start_ns, __u64 end_ns)
{
	unsigned int i;

	a->start_ns = start_ns;
	a->end_ns = end_ns;
	a->nr_slots = 0;
	for (i = 0; i < a->nr_doms; i++) {
		a->dom[i].total_w = 0;
		a->dom[i].busy_ns = 0;
	}
}

void ga_acct_set_end(struct ga_acct *a, __u64 end_ns)
{
	a->end_ns = end_ns;
}

/* Each domain's capacity: its CPUs' time, or the interval for shares. */
static void acct_capacity(struct ga_acct *a, const __u64 *cpu_capacity_ns)
{
	__u64 elapsed = a->end_ns > a->start_ns ? a->end_ns - a->start_ns : 0;
	unsigned int i, cpu;

	for (i = 0; i < a->nr_doms; i++)
		a->dom[i].capacity_ns = a->dom[i].by_share ? elapsed : 0;
	for (cpu = 0; cpu < a->conf.nr_cpus; cpu++) {
		__u64 cap = cpu_capacity_ns ? cpu_capacity_ns[cpu] : elapsed;
		__u32 m = a->cpu_doms[cpu];

		for (i = 0; m; i++, m >>= 1)
			if (m & 1)
				a->dom[i].capacity_ns += cap;
	}
}

static struct acct_task *acct_task_get(struct ga_acct *a, __u32 tgid,
				       __u64 cgroup_id, const char *comm,
				       __u64 start_ns)
{
	struct acct_task *t;

	HASH_FIND(hh, a->tasks, &tgid, sizeof(tgid), t);
	if (!t) {
		if (a->nr_tasks >= a->conf.max_tasks ||
		    !(t = calloc(1, sizeof(*t)))) {
			a->stats.task_overflows++;
			return &a->overflow_task;
		}
		t->pub.tgid = tgid;
		t->pub.start_ns = start_ns;
		HASH_ADD(hh, a->tasks, pub.tgid, sizeof(t->pub.tgid), t);
		a->nr_tasks++;
	}
	t->pub.cgroup_id = cgroup_id;
	if (comm && comm[0]) {
		strncpy(t->pub.comm, comm, sizeof(t->pub.comm) - 1);
		t->pub.comm[sizeof(t->pub.comm) - 1] = '\0';
	}
	return t;
}

static struct acct_cgroup *acct_cgroup_get(struct ga_acct *a, __u64 id)
{
	struct acct_cgroup *c;

	HASH_FIND(hh, a->cgroups, &id, sizeof(id), c);
	if (c)
		return c;
	if (a->nr_cgroups >= a->conf.max_cgroups ||
	    !(c = calloc(1, sizeof(*c)))) {
		a->stats.cgroup_overflows++;
		return &a->overflow_cgroup;
	}
	c->pub.id = id;
	HASH_ADD(hh, a->cgroups, pub.id, sizeof(c->pub.id), c);
	a->nr_cgroups++;
	return c;
}

static struct acct_slot *acct_slot_new(struct ga_acct *a)
{
	struct acct_slot *s;

	if (a->nr_slots == a->max_slots) {
		unsigned int n = a->max_slots ? a->max_slots * 2 : 256;

		s = realloc(a->slots, n * sizeof(*s));
		if (!s)
			return NULL;
		a->slots = s;
		a->max_slots = n;
	}
	s = &a->slots[a->nr_slots++];
	memset(s->w, 0, sizeof(s->w));
	memset(s->t, 0, sizeof(s->t));
	return s;
}

/**
 * ga_acct_charge_ref() - a process ran in this interval
 * @a: the accounting state
 * @ref: where this process and cgroup were charged last (account.h), or
 *       NULL
 * @tgid: the process
 * @cgroup_id: the cgroup it ran in
 * @comm: its name, or NULL to keep the one known
 * @start_ns: its start time, for a process seen for the first time
 * @cpu_ns: its run time on each possible CPU in this interval
 * @cpu_count: what each CPU's counter (cycles) counted meanwhile, the
 *	weight of its share of the domains weighed so; NULL: none
 *
 * Return: 0, or -ENOMEM (nothing charged).
 */
int ga_acct_charge_counts(struct ga_acct *a, struct ga_acct_ref *ref,
			  __u32 tgid, __u64 cgroup_id, const char *comm,
			  __u64 start_ns, const __u64 *cpu_ns,
			  const __u64 *cpu_count)
{
	struct acct_slot *s;
	unsigned int cpu, i;
	__u64 total = 0;

	for (cpu = 0; cpu < a->conf.nr_cpus; cpu++)
		total += cpu_ns[cpu];
	if (!total)
		return 0;
	s = acct_slot_new(a);
	if (!s)
		return -ENOMEM;
	if (ref && ref->task) {
		s->task = ref->task;
		s->cgroup = ref->cgroup;
		s->task->pub.cgroup_id = cgroup_id;
	} else {
		s->task = tgid == GA_ACCT_OVERFLOW_ID ? &a->overflow_task :
			acct_task_get(a, tgid, cgroup_id, comm, start_ns);
		/* a process in the overflow entry: its cgroup's is too */
		s->cgroup = s->task == &a->overflow_task ?
			&a->overflow_cgroup : acct_cgroup_get(a, cgroup_id);
		/* the overflow is not kept: the process may get a place */
		if (ref && s->task != &a->overflow_task &&
		    s->cgroup != &a->overflow_cgroup) {
			ref->task = s->task;
			ref->cgroup = s->cgroup;
		}
	}
	for (cpu = 0; cpu < a->conf.nr_cpus; cpu++) {
		__u32 m = a->cpu_doms[cpu];

		if (!cpu_ns[cpu])
			continue;
		for (i = 0; m; i++, m >>= 1) {
			struct acct_domain *d = &a->dom[i];
			__u64 w;

			if (!(m & 1))
				continue;
			w = !d->by_count ? cpu_ns[cpu] :
			    cpu_count ? cpu_count[cpu] : 0;
			s->w[i] += w;
			s->t[i] += cpu_ns[cpu];
			d->total_w += w;
			d->busy_ns += cpu_ns[cpu];
		}
	}
	s->task->pub.cpu_ns += total;
	s->cgroup->pub.cpu_ns += total;
	return 0;
}

/* ga_acct_charge_counts() weighed by run time alone. */
int ga_acct_charge_ref(struct ga_acct *a, struct ga_acct_ref *ref,
		       __u32 tgid, __u64 cgroup_id, const char *comm,
		       __u64 start_ns, const __u64 *cpu_ns)
{
	return ga_acct_charge_counts(a, ref, tgid, cgroup_id, comm, start_ns,
				     cpu_ns, NULL);
}

/* ga_acct_charge_ref() without a reference: two table lookups. */
int ga_acct_charge(struct ga_acct *a, __u32 tgid, __u64 cgroup_id,
		   const char *comm, __u64 start_ns, const __u64 *cpu_ns)
{
	return ga_acct_charge_ref(a, NULL, tgid, cgroup_id, comm, start_ns,
				  cpu_ns);
}

/**
 * ga_acct_add_task() - make a process known before it is charged
 * @a: the accounting state
 * @tgid: the process
 * @cgroup_id: its cgroup
 * @comm: its name
 * @start_ns: its start time
 *
 * For a process that has a share in a domain (a GPU's user) before any
 * run time of it was charged: its share then counts in its cgroup.
 *
 * Return: 0, or -ENOSPC when the table is full (it goes to the overflow).
 */
int ga_acct_add_task(struct ga_acct *a, __u32 tgid, __u64 cgroup_id,
		     const char *comm, __u64 start_ns)
{
	struct acct_task *t;

	HASH_FIND(hh, a->tasks, &tgid, sizeof(tgid), t);
	if (t)
		return 0;
	t = acct_task_get(a, tgid, cgroup_id, comm, start_ns);
	return t == &a->overflow_task ? -ENOSPC : 0;
}

/**
 * ga_acct_share() - a process's weight in a domain split by shares
 * @a: the accounting state
 * @domain: the domain (added with no CPUs)
 * @tgid: the process
 * @weight: its weight (busy time, utilisation)
 *
 * Return: 0, -EINVAL for a domain split by CPU time, or -ENOMEM.
 */
int ga_acct_share(struct ga_acct *a, unsigned int domain, __u32 tgid,
		  __u64 weight)
{
	struct acct_task *t;
	struct acct_slot *s;

	if (domain >= a->nr_doms || !a->dom[domain].by_share)
		return -EINVAL;
	if (!weight)
		return 0;
	HASH_FIND(hh, a->tasks, &tgid, sizeof(tgid), t);
	s = acct_slot_new(a);
	if (!s)
		return -ENOMEM;
	s->task = t ? t : acct_task_get(a, tgid, 0, NULL, 0);
	s->cgroup = s->task == &a->overflow_task ? &a->overflow_cgroup :
		acct_cgroup_get(a, s->task->pub.cgroup_id);
	s->w[domain] = weight;
	a->dom[domain].total_w += weight;
	return 0;
}

static void acct_charge_slot(struct acct_domain *d, unsigned int id,
			     struct acct_slot *s, bool by_count)
{
	struct greenai_energy e;

	/*
	 * A CPU domain weighs active energy by run time, or by the CPUs'
	 * counters, and gives capacity's idle by run time; a GPU's user has
	 * the whole of it in proportion to its share.
	 */
	if (d->by_share)
		ga_interval_charge(&d->iv, s->w[id], s->w[id], &e);
	else
		ga_interval_charge(&d->iv, by_count ? s->w[id] : s->t[id],
				   s->t[id], &e);
	s->task->pub.energy[id].active_uj += e.active_uj;
	s->task->pub.energy[id].idle_uj += e.idle_uj;
	s->cgroup->pub.energy[id].active_uj += e.active_uj;
	s->cgroup->pub.energy[id].idle_uj += e.idle_uj;
}

/**
 * ga_acct_end() - split each domain's energy over the interval's slots
 * @a: the accounting state
 * @cpu_capacity_ns: each CPU's time in the interval, or NULL
 * @energy_uj: each domain's energy in the interval, µJ
 * @flags: each domain's GREENAI_F_* for the interval, or NULL
 * @out: an interval record per domain (seq left 0), or NULL
 */
void ga_acct_end(struct ga_acct *a, const __u64 *cpu_capacity_ns,
		 const __u64 *energy_uj, const __u32 *flags,
		 struct greenai_rec_interval *out)
{
	__u64 elapsed = a->end_ns > a->start_ns ? a->end_ns - a->start_ns : 0;
	unsigned int i, k;

	acct_capacity(a, cpu_capacity_ns);

	for (i = 0; i < a->nr_doms; i++) {
		struct acct_domain *d = &a->dom[i];
		/* counters that counted nothing weigh nothing: run time then */
		bool by_count = d->by_count && d->total_w;
		__u64 busy = d->busy_ns;
		__u32 nr_tasks = 0;
		struct ga_idle_policy pol;

		/* a GPU with any user is busy the whole interval */
		if (d->by_share)
			busy = d->total_w ? d->capacity_ns : 0;
		ga_idle_resolve(&pol, a->conf.idle.share, a->conf.idle.util,
				d->fixed_uw, d->has_model ? &d->model_uw : NULL,
				&d->cal);
		d->totals.idle = pol;
		/* a GPU in use is its users' whole: capacity is by share */
		if (d->by_share && pol.share == GREENAI_IDLE_CAPACITY)
			pol.share = GREENAI_IDLE_BUSY;
		ga_interval_begin(&d->iv, &pol, energy_uj[i], elapsed,
				  d->capacity_ns, busy,
				  d->by_share || by_count ? d->total_w :
							    d->busy_ns);
		for (k = 0; k < a->nr_slots; k++) {
			if (!a->slots[k].w[i] && !a->slots[k].t[i])
				continue;
			acct_charge_slot(d, i, &a->slots[k], by_count);
			nr_tasks++;
		}
		d->iv.flags |= flags ? flags[i] : 0;
		if (by_count)
			d->iv.flags |= GREENAI_F_WEIGHT_COUNT;
		if (!(d->iv.flags & GREENAI_F_SUSPECT))
			ga_idle_cal_add(&d->cal, energy_uj[i], elapsed, busy,
					d->capacity_ns);
		d->totals.energy_uj += d->iv.energy_uj;
		d->totals.active_uj += d->iv.active_uj;
		d->totals.idle_uj += d->iv.idle_uj;
		d->totals.node_idle_uj += ga_interval_node_idle(&d->iv);
		d->totals.unattributed_uj += ga_interval_unattributed(&d->iv);
		d->totals.flags_seen |= d->iv.flags;
		if (!out)
			continue;
		memset(&out[i], 0, sizeof(out[i]));
		out[i].hdr.type = GREENAI_REC_INTERVAL;
		out[i].hdr.size = sizeof(out[i]);
		out[i].hdr.ts_ns = a->end_ns;
		out[i].domain = i;
		out[i].flags = d->iv.flags;
		out[i].start_ns = a->start_ns;
		out[i].end_ns = a->end_ns;
		out[i].energy_uj = d->iv.energy_uj;
		out[i].active_uj = d->iv.active_uj;
		out[i].idle_uj = d->iv.idle_uj;
		out[i].unattributed_uj = ga_interval_unattributed(&d->iv);
		out[i].node_idle_uj = ga_interval_node_idle(&d->iv);
		out[i].busy_ns = d->by_share ? d->total_w : d->busy_ns;
		out[i].capacity_ns = d->capacity_ns;
		out[i].nr_tasks = nr_tasks;
		out[i].idle_share = d->totals.idle.share;
		out[i].idle_basis = d->totals.idle.basis;
		out[i].idle_power_uw = d->totals.idle.idle_power_uw;
	}
	a->nr_slots = 0;
	a->stats.intervals++;
}

/**
 * ga_acct_forget_cgroup() - drop a cgroup that has gone, and its totals
 * @a: the accounting state
 * @id: the cgroup
 *
 * For a reader that has taken its figures and wants the table bounded
 * while cgroups come and go. Between intervals only. The caller sees to
 * it that no ga_acct_ref points to it.
 *
 * Return: 0; -ENOENT: no such cgroup; -EBUSY: a process last ran in it.
 */
int ga_acct_forget_cgroup(struct ga_acct *a, __u64 id)
{
	struct acct_cgroup *c;
	struct acct_task *t, *tmp;

	HASH_FIND(hh, a->cgroups, &id, sizeof(id), c);
	if (!c)
		return -ENOENT;
	HASH_ITER(hh, a->tasks, t, tmp)
		if (t->pub.cgroup_id == id)
			return -EBUSY;
	HASH_DEL(a->cgroups, c);
	free(c);
	a->nr_cgroups--;
	return 0;
}

int ga_acct_exit(struct ga_acct *a, __u32 tgid,
		 struct greenai_rec_task_exit *rec)
{
	struct acct_cgroup *c;
	struct acct_task *t;
	__u64 cg;

	HASH_FIND(hh, a->tasks, &tgid, sizeof(tgid), t);
	if (!t)
		return -ENOENT;
	memset(rec, 0, sizeof(*rec));
	rec->hdr.type = GREENAI_REC_TASK_EXIT;
	rec->hdr.size = sizeof(*rec) + a->nr_doms * sizeof(rec->energy[0]);
	rec->hdr.ts_ns = a->end_ns;
	rec->pid = tgid;
	rec->nr_domains = a->nr_doms;
	rec->cgroup_id = t->pub.cgroup_id;
	rec->start_ns = t->pub.start_ns;
	rec->cpu_ns = t->pub.cpu_ns;
	memcpy(rec->comm, t->pub.comm, sizeof(rec->comm));
	memcpy(rec->energy, t->pub.energy,
	       a->nr_doms * sizeof(rec->energy[0]));
	cg = t->pub.cgroup_id;
	HASH_FIND(hh, a->cgroups, &cg, sizeof(cg), c);
	if (c)
		c->pub.nr_exited++;
	HASH_DEL(a->tasks, t);
	free(t);
	a->nr_tasks--;
	a->stats.exits++;
	return 0;
}

const struct ga_acct_task *ga_acct_task(const struct ga_acct *a, __u32 tgid)
{
	struct acct_task *t;

	if (tgid == GA_ACCT_OVERFLOW_ID)
		return &a->overflow_task.pub;
	HASH_FIND(hh, a->tasks, &tgid, sizeof(tgid), t);
	return t ? &t->pub : NULL;
}

/* @id 0: the overflow entry. */
const struct ga_acct_cgroup *ga_acct_cgroup(const struct ga_acct *a, __u64 id)
{
	struct acct_cgroup *c;

	HASH_FIND(hh, a->cgroups, &id, sizeof(id), c);
	if (c)
		return &c->pub;
	return id ? NULL : &a->overflow_cgroup.pub;
}

static bool acct_energy_any(const struct greenai_energy *e)
{
	unsigned int i;

	for (i = 0; i < GREENAI_MAX_DOMAINS; i++)
		if (e[i].active_uj || e[i].idle_uj)
			return true;
	return false;
}

/* The overflow entries come last, and only once something was in them. */
int ga_acct_for_each_task(const struct ga_acct *a, ga_acct_task_fn fn,
			  void *arg)
{
	struct acct_task *t, *tmp;
	int r;

	HASH_ITER(hh, a->tasks, t, tmp) {
		r = fn(&t->pub, arg);
		if (r)
			return r;
	}
	if (!a->overflow_task.pub.cpu_ns &&
	    !acct_energy_any(a->overflow_task.pub.energy))
		return 0;
	return fn(&a->overflow_task.pub, arg);
}

int ga_acct_for_each_cgroup(const struct ga_acct *a, ga_acct_cgroup_fn fn,
			    void *arg)
{
	struct acct_cgroup *c, *tmp;
	int r;

	HASH_ITER(hh, a->cgroups, c, tmp) {
		r = fn(&c->pub, arg);
		if (r)
			return r;
	}
	if (!a->overflow_cgroup.pub.cpu_ns &&
	    !acct_energy_any(a->overflow_cgroup.pub.energy))
		return 0;
	return fn(&a->overflow_cgroup.pub, arg);
}

void ga_acct_stats(const struct ga_acct *a, struct ga_acct_stats *out)
{
	*out = a->stats;
	out->tasks = a->nr_tasks;
	out->cgroups = a->nr_cgroups;
}
