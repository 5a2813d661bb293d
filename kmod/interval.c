// SPDX-License-Identifier: GPL-2.0
/*
 * Closing an interval: every interval_ms (and on a flush), retire every
 * CPU's buffer, take each domain's energy, split it over the processes
 * that ran on the domain's CPUs with the attribution core (active and idle
 * share kept apart), add the shares to the process and cgroup totals, emit
 * an interval record per domain, and fold the processes that exited.
 *
 * Exits are folded at the earliest one interval late: a process's last
 * slice of CPU time comes after its exit tracepoint, and its exit path may
 * block (closing files, say) for longer than an interval. An exit is
 * folded at the first close before whose flip every thread of the process
 * was dead and off its CPU for good (their last slices are then in the
 * retired buffers), or once GREENAI_EXIT_MAX_WAIT_NS have passed since
 * the exit whatever (counted as forced: a later slice then makes a new
 * entry, which the sweep hands on once the process is gone).
 *
 * The sweep, at a close at most once every GREENAI_SWEEP_NS, drops the
 * rows of what is gone without an exit folded:
 * - a process whose exit was dropped (the per-CPU or the pending list
 *   full) or whose entry late slices made again after a forced fold: gone
 *   when its tgid names no process, or one that started at another time,
 *   at two sweeps in a row while nothing charged it; it is handed on as a
 *   GREENAI_REC_TASK_EXIT record (ppid 0, uid unknown) and counted in
 *   stats as tasks_swept. A slice of a pid's new process hands the old
 *   process's row on at once.
 * - a cgroup that was removed, no process row names and nothing charged
 *   in the close: handed on as a GREENAI_REC_CGROUP_GONE record, and its
 *   totals added to the overflow row (which holds what no row of its own
 *   does), so the rows still add up; counted as cgroups_removed.
 * Other rows are not touched.
 *
 * A flush (the FLUSH ioctl, the control file's "flush") closes the
 * interval now, within a rate limit: GREENAI_FLUSH_BURST at once, then
 * one every GREENAI_FLUSH_NS; beyond it a flush gets -EBUSY and closes
 * nothing.
 *
 * The work is proportional to the processes that ran in the interval (and
 * to the number of CPUs), never to all processes on the system.
 *
 * Locking: greenai_interval_close() runs under greenai_lock, from the
 * delayed work or from a flush.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cgroup.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Serialises interval closes, domain figures and tables (internal.h). */
DEFINE_MUTEX(greenai_lock);
struct greenai_stats greenai_stats;
u32 greenai_idle_share = GREENAI_IDLE_CAPACITY;
bool greenai_idle_util;

static struct delayed_work greenai_work;
static bool greenai_stopping;
static u64 greenai_last_close_ns;

/* Exits waiting to be folded, from the previous intervals. */
static struct greenai_exit *greenai_pending;
static unsigned int greenai_nr_pending, greenai_pending_max;

/* How long an exit waits for its task to be off-CPU for good. */
#define GREENAI_EXIT_MAX_WAIT_NS	(10 * NSEC_PER_SEC)

/* The sweep of rows of what is gone runs at most this often. */
#define GREENAI_SWEEP_NS	NSEC_PER_SEC
static u64 greenai_last_sweep_ns;

/* Closes are numbered: a row's seen_gen is the last that charged it. */
static u32 greenai_gen, greenai_sweep_gen;

/* Flushes: a burst, then one per GREENAI_FLUSH_NS (a virtual clock). */
#define GREENAI_FLUSH_BURST	32
#define GREENAI_FLUSH_NS	(5 * NSEC_PER_MSEC)
static u64 greenai_flush_tat;

/* Records are built here, under greenai_lock. */
static u64 greenai_rec_buf[GREENAI_REC_MAX_SIZE / sizeof(u64)];

static void greenai_emit_exit(struct greenai_task *t,
			      const struct greenai_exit *e);

/*
 * Hand on the row of a process that is gone without its exit folded: an
 * exit record, the cgroup's count of exits, and the row goes.
 */
static void greenai_task_retire(struct greenai_task *t)
{
	struct greenai_exit e = {
		.tgid = t->tgid,
		.uid = (u32)-1,
		.start_ns = t->start_ns,
		.ts_ns = ktime_get_ns(),
	};
	struct greenai_cgroup *c = greenai_cgroup_find(t->cgroup_id);

	greenai_emit_exit(t, &e);
	if (c)
		c->nr_exited++;
	greenai_task_remove(t);
	greenai_stats.tasks_swept++;
}

/* Give every process that ran on any CPU its entries and its CPU time. */
static void greenai_resolve_slots(void)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct greenai_cpu_buf *b = greenai_account_retired(cpu);

		for (i = 0; i < b->nr_slots; i++) {
			struct greenai_slot *s = &b->slots[b->used[i]];
			struct greenai_task *old = greenai_task_find(s->tgid);

			/*
			 * A pid's new process: the old one's row goes, unless
			 * a slot of this close has it (both ran in the
			 * interval: the new one is charged to it this once).
			 */
			if (old && old->start_ns != s->start_ns &&
			    old->seen_gen != greenai_gen)
				greenai_task_retire(old);
			s->task = greenai_task_get(s->tgid, s->start_ns,
						   s->cgroup_id, s->comm);
			s->cgroup = greenai_cgroup_get(s->cgroup_id);
			s->task->cpu_ns += s->run_ns;
			s->cgroup->cpu_ns += s->run_ns;
			s->task->seen_gen = greenai_gen;
			s->cgroup->seen_gen = greenai_gen;
		}
		if (b->overflow_ns) {
			/* processes that found no slot: charged as a whole */
			b->overflow.run_ns = b->overflow_ns;
			b->overflow.count = b->overflow_count;
			b->overflow.task = greenai_task_overflow_entry();
			b->overflow.cgroup = greenai_cgroup_overflow_entry();
			b->overflow.task->cpu_ns += b->overflow_ns;
			b->overflow.cgroup->cpu_ns += b->overflow_ns;
			greenai_stats.slot_overflow_ns += b->overflow_ns;
		}
	}
}

static void greenai_charge_slot(struct greenai_meter *m, unsigned int di,
				struct greenai_slot *s, bool by_count)
{
	struct greenai_energy e;

	ga_interval_charge(&m->iv, by_count ? s->count : s->run_ns, s->run_ns,
			   &e);
	s->task->energy[di].active_uj += e.active_uj;
	s->task->energy[di].idle_uj += e.idle_uj;
	s->cgroup->energy[di].active_uj += e.active_uj;
	s->cgroup->energy[di].idle_uj += e.idle_uj;
}

/* Run time on a meter's CPUs, and the time they were online. */
static void greenai_meter_busy(struct greenai_meter *m, u64 elapsed)
{
	u64 online = 0;
	int cpu;

	m->busy_ns = 0;
	m->busy_count = 0;
	m->uncounted_ns = 0;
	for_each_cpu(cpu, &m->cpus) {
		struct greenai_cpu_buf *b = greenai_account_retired(cpu);

		m->busy_ns += b->busy_ns;
		m->busy_count += b->busy_count;
		m->uncounted_ns += b->uncounted_ns;
		if (cpu_online(cpu))
			online++;
	}
	m->capacity_ns = online * elapsed;
}

/**
 * greenai_idle_set_fixed() - a fixed idle power for one domain or all
 * @name: the domain's name, or NULL for every domain
 * @uw: µW; 0 forgets the fixed figure (the estimate is then the model's,
 *	the calibrated one or the utilisation ratio)
 *
 * Under greenai_lock, or before the interval work starts.
 *
 * Return: 0, or -ENOENT when no domain has that name.
 */
int greenai_idle_set_fixed(const char *name, u64 uw)
{
	unsigned int i;
	int err = name ? -ENOENT : 0;

	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		if (name && strcmp(name, d->desc.name))
			continue;
		d->idle_fixed_uw = uw;
		err = 0;
	}
	return err;
}

/**
 * greenai_idle_policy_of() - the idle policy a domain's next interval gets
 * @d: the domain
 * @out: the policy
 *
 * Under greenai_lock.
 */
void greenai_idle_policy_of(const struct greenai_dom *d,
			    struct ga_idle_policy *out)
{
	bool model = d->desc.source == GREENAI_SRC_MODEL;

	ga_idle_resolve(out, greenai_idle_share, greenai_idle_util,
			d->idle_fixed_uw, model ? &d->idle_uw : NULL, &d->cal);
}

/*
 * A package's and a core's active energy is weighed by the CPUs' counts
 * when every busy moment on its CPUs was counted; else, and in other
 * domains, by run time. Capacity shares of idle stay by run time.
 */
static bool greenai_meter_by_count(const struct greenai_meter *m)
{
	u16 kind = m->dom->desc.kind;

	return greenai_account_weigh() != GREENAI_WEIGH_TIME &&
	       (kind == GREENAI_DOM_PACKAGE || kind == GREENAI_DOM_CORE) &&
	       !m->uncounted_ns && m->busy_count;
}

/* Split a meter's energy over the processes that ran on its CPUs. */
static u32 greenai_split_meter(struct greenai_meter *m, unsigned int di,
			       u64 elapsed, u32 *nr_tasks)
{
	struct ga_idle_policy policy = m->dom->idle;
	bool by_count = greenai_meter_by_count(m);
	unsigned int i;
	u64 energy;
	u32 flags;
	int cpu;

	/* an idle power is the domain's: each meter has its CPUs' part */
	if (policy.basis != GREENAI_BASIS_UTIL && m->dom->nr_meters > 1)
		policy.idle_power_uw = m->dom->capacity_ns ?
			ga_mul_div(policy.idle_power_uw, m->capacity_ns,
				   m->dom->capacity_ns) : 0;
	energy = greenai_meter_energy(m, elapsed, &flags);
	ga_interval_begin(&m->iv, &policy, energy, elapsed, m->capacity_ns,
			  m->busy_ns, by_count ? m->busy_count : m->busy_ns);
	for_each_cpu(cpu, &m->cpus) {
		struct greenai_cpu_buf *b = greenai_account_retired(cpu);

		for (i = 0; i < b->nr_slots; i++)
			greenai_charge_slot(m, di, &b->slots[b->used[i]],
					    by_count);
		if (b->overflow_ns)
			greenai_charge_slot(m, di, &b->overflow, by_count);
		*nr_tasks += b->nr_slots + !!b->overflow_ns;
	}
	if (by_count)
		m->iv.flags |= GREENAI_F_WEIGHT_COUNT;
	return flags | m->iv.flags;
}

/* Take each domain's energy and share it over the processes that ran. */
static void greenai_split_domains(u64 start_ns, u64 end_ns)
{
	struct greenai_rec_interval *r = (void *)greenai_rec_buf;
	u64 elapsed = end_ns - start_ns;
	struct greenai_meter *m;
	unsigned int di;

	for (di = 0; di < greenai_nr_doms; di++) {
		struct greenai_dom *d = &greenai_doms[di];

		memset(r, 0, sizeof(*r));
		d->busy_ns = 0;
		d->capacity_ns = 0;
		for (m = d->meters; m; m = m->next) {
			greenai_meter_busy(m, elapsed);
			d->busy_ns += m->busy_ns;
			d->capacity_ns += m->capacity_ns;
		}
		greenai_idle_policy_of(d, &d->idle);
		for (m = d->meters; m; m = m->next) {
			r->flags |= greenai_split_meter(m, di, elapsed,
							&r->nr_tasks);
			r->energy_uj += m->iv.energy_uj;
			r->active_uj += m->iv.active_uj;
			r->idle_uj += m->iv.idle_uj;
			r->node_idle_uj += ga_interval_node_idle(&m->iv);
			r->unattributed_uj += ga_interval_unattributed(&m->iv);
		}
		if (!(r->flags & GREENAI_F_SUSPECT))
			ga_idle_cal_add(&d->cal, r->energy_uj, elapsed,
					d->busy_ns, d->capacity_ns);
		d->energy_uj += r->energy_uj;
		d->active_uj += r->active_uj;
		d->idle_uj += r->idle_uj;
		d->node_idle_uj += r->node_idle_uj;
		d->unattributed_uj += r->unattributed_uj;
		d->flags_seen |= r->flags;

		r->hdr.type = GREENAI_REC_INTERVAL;
		r->hdr.size = sizeof(*r);
		r->hdr.ts_ns = end_ns;
		r->domain = d->desc.id;
		r->start_ns = start_ns;
		r->end_ns = end_ns;
		r->busy_ns = d->busy_ns;
		r->capacity_ns = d->capacity_ns;
		r->idle_share = d->idle.share;
		r->idle_basis = d->idle.basis;
		r->idle_power_uw = d->idle.idle_power_uw;
		greenai_ring_emit(&r->hdr);
	}
}

static void greenai_emit_exit(struct greenai_task *t,
			      const struct greenai_exit *e)
{
	struct greenai_rec_task_exit *r = (void *)greenai_rec_buf;
	size_t size = struct_size(r, energy, greenai_nr_doms);

	memset(r, 0, size);
	r->hdr.type = GREENAI_REC_TASK_EXIT;
	r->hdr.size = size;
	r->hdr.ts_ns = e->ts_ns;
	r->pid = e->tgid;
	r->ppid = e->ppid;
	r->uid = e->uid;
	r->nr_domains = greenai_nr_doms;
	r->cgroup_id = t->cgroup_id;
	r->start_ns = e->start_ns;
	r->cpu_ns = t->cpu_ns;
	memcpy(r->comm, t->comm, sizeof(r->comm));
	memcpy(r->energy, t->energy,
	       greenai_nr_doms * sizeof(struct greenai_energy));
	greenai_ring_emit(&r->hdr);
}

/*
 * Whether every thread of @p's process has scheduled out for the last
 * time. A thread that is TASK_DEAD and off its CPU has, and that switch
 * charged its last slice to a buffer the coming flip retires. The threads
 * still listed in the process are checked one by one. A thread that left
 * the list (a thread other than the leader is unlisted by its own exit,
 * just before its last switch) may still be running: the check waits
 * until the task_structs of the process (signal->sigcnt, one each, freed
 * after their last switch) are only the listed ones and @p, which is
 * held.
 */
static bool greenai_group_gone(struct task_struct *p)
{
	unsigned int listed = 0;
	bool p_listed = false;
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(p, t) {
		if (READ_ONCE(t->__state) != TASK_DEAD ||
		    READ_ONCE(t->on_cpu)) {
			rcu_read_unlock();
			return false;
		}
		listed++;
		p_listed |= t == p;
	}
	rcu_read_unlock();
	return refcount_read(&p->signal->sigcnt) == listed + !p_listed;
}

/*
 * Before the flip: which waiting exits can be folded at this close (see
 * greenai_group_gone()), or must be, GREENAI_EXIT_MAX_WAIT_NS after the
 * exit.
 */
static void greenai_exits_ready(u64 now)
{
	unsigned int i;

	for (i = 0; i < greenai_nr_pending; i++) {
		struct greenai_exit *e = &greenai_pending[i];

		e->ready = greenai_group_gone(e->task);
		if (!e->ready && now - e->ts_ns >= GREENAI_EXIT_MAX_WAIT_NS) {
			e->ready = true;
			greenai_stats.exits_forced++;
		}
	}
}

/* Fold the exits that are ready, keep the others, take this interval's. */
static void greenai_fold_exits(void)
{
	unsigned int i, kept = 0;
	int cpu;

	for (i = 0; i < greenai_nr_pending; i++) {
		struct greenai_exit *e = &greenai_pending[i];
		struct greenai_task *t;

		if (!e->ready) {
			greenai_pending[kept++] = *e;
			continue;
		}
		put_task_struct(e->task);
		t = greenai_task_find(e->tgid);
		if (!t || t->start_ns != e->start_ns) {
			greenai_stats.exits_untracked++;
			continue;
		}
		greenai_emit_exit(t, e);
		greenai_cgroup_get(t->cgroup_id)->nr_exited++;
		greenai_task_remove(t);
		greenai_stats.exits++;
	}
	greenai_nr_pending = kept;

	for_each_possible_cpu(cpu) {
		struct greenai_cpu_buf *b = greenai_account_retired(cpu);
		unsigned int n = min(b->nr_exits,
				     greenai_pending_max - greenai_nr_pending);

		for (i = 0; i < n; i++) {
			struct greenai_exit *e = &b->exits[i];
			struct greenai_task *t = greenai_task_find(e->tgid);

			if (t && t->start_ns == e->start_ns)
				t->exiting = true;
		}
		memcpy(&greenai_pending[greenai_nr_pending], b->exits,
		       n * sizeof(*b->exits));
		greenai_nr_pending += n;
		greenai_exit_put(&b->exits[n], b->nr_exits - n);
		greenai_stats.exits_dropped += b->exits_dropped +
					       (b->nr_exits - n);
	}
	greenai_stats.exits_pending = greenai_nr_pending;
}

/* Whether no process has @tgid, or the one that has started at another time. */
static bool greenai_process_gone(u32 tgid, u64 start_ns)
{
	struct task_struct *p;
	bool gone;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	gone = !p || p->start_time != start_ns;
	rcu_read_unlock();
	return gone;
}

static int greenai_sweep_task(struct greenai_task *t, void *arg)
{
	struct greenai_cgroup *c;

	if (!t->exiting && t->seen_gen != greenai_gen &&
	    greenai_process_gone(t->tgid, t->start_ns)) {
		if (t->gone) {
			greenai_task_retire(t);
			return 0;
		}
		t->gone = true;
	} else {
		t->gone = false;
	}
	c = greenai_cgroup_find(t->cgroup_id);
	if (c)
		c->ref_gen = greenai_sweep_gen;
	return 0;
}

/* Whether the cgroup v2 of @id has been removed. */
static bool greenai_cgroup_gone(u64 id)
{
	struct cgroup *cgrp = cgroup_get_from_id(id);

	if (IS_ERR_OR_NULL(cgrp))
		return true;
	cgroup_put(cgrp);
	return false;
}

static void greenai_emit_cgroup_gone(struct greenai_cgroup *c)
{
	struct greenai_rec_cgroup_gone *r = (void *)greenai_rec_buf;
	size_t size = struct_size(r, energy, greenai_nr_doms);

	memset(r, 0, size);
	r->hdr.type = GREENAI_REC_CGROUP_GONE;
	r->hdr.size = size;
	r->hdr.ts_ns = ktime_get_ns();
	r->cgroup_id = c->id;
	r->cpu_ns = c->cpu_ns;
	r->nr_exited = c->nr_exited;
	r->nr_domains = greenai_nr_doms;
	memcpy(r->energy, c->energy,
	       greenai_nr_doms * sizeof(struct greenai_energy));
	greenai_ring_emit(&r->hdr);
}

static int greenai_sweep_cgroup(struct greenai_cgroup *c, void *arg)
{
	struct greenai_cgroup *o = greenai_cgroup_overflow_entry();
	unsigned int i;

	if (c->ref_gen == greenai_sweep_gen || c->seen_gen == greenai_gen ||
	    !greenai_cgroup_gone(c->id))
		return 0;
	greenai_emit_cgroup_gone(c);
	/* the rows still add up to each domain's energy */
	o->cpu_ns += c->cpu_ns;
	o->nr_exited += c->nr_exited;
	for (i = 0; i < greenai_nr_doms; i++) {
		o->energy[i].active_uj += c->energy[i].active_uj;
		o->energy[i].idle_uj += c->energy[i].idle_uj;
	}
	greenai_cgroup_remove(c);
	greenai_stats.cgroups_removed++;
	return 0;
}

/* After the fold: hand on the rows of processes and cgroups gone. */
static void greenai_sweep(u64 now)
{
	if (now - greenai_last_sweep_ns < GREENAI_SWEEP_NS)
		return;
	greenai_last_sweep_ns = now;
	greenai_sweep_gen++;
	greenai_tasks_sweep(greenai_sweep_task, NULL);
	greenai_cgroups_sweep(greenai_sweep_cgroup, NULL);
}

/**
 * greenai_interval_close() - close the current interval now
 *
 * Caller holds greenai_lock.
 */
void greenai_interval_close(void)
{
	u64 start = greenai_last_close_ns, end;
	int cpu;

	lockdep_assert_held(&greenai_lock);
	end = ktime_get_ns();
	greenai_gen++;
	greenai_exits_ready(end);
	greenai_account_flip();
	greenai_resolve_slots();
	greenai_split_domains(start, end);
	greenai_fold_exits();
	greenai_sweep(end);
	for_each_possible_cpu(cpu)
		greenai_account_clear(greenai_account_retired(cpu));

	greenai_last_close_ns = end;
	greenai_stats.last_close_ns = end;
	greenai_stats.intervals++;
	greenai_stats.close_ns += ktime_get_ns() - end;
}

/**
 * greenai_interval_flush() - close the interval now, within the rate limit
 *
 * Takes greenai_lock.
 *
 * Return: 0, or -EBUSY when flushes come faster than the limit (nothing
 * is closed).
 */
int greenai_interval_flush(void)
{
	u64 now = ktime_get_ns(), tat;
	int err = 0;

	mutex_lock(&greenai_lock);
	tat = max(greenai_flush_tat, now);
	if (tat - now > (GREENAI_FLUSH_BURST - 1) * GREENAI_FLUSH_NS) {
		greenai_stats.flushes_refused++;
		err = -EBUSY;
	} else {
		greenai_flush_tat = tat + GREENAI_FLUSH_NS;
		greenai_interval_close();
	}
	mutex_unlock(&greenai_lock);
	return err;
}

static void greenai_work_fn(struct work_struct *work)
{
	mutex_lock(&greenai_lock);
	greenai_interval_close();
	if (!greenai_stopping)
		queue_delayed_work(system_unbound_wq, &greenai_work,
				   msecs_to_jiffies(greenai_interval_ms));
	mutex_unlock(&greenai_lock);
}

/**
 * greenai_interval_init() - start closing intervals every interval_ms
 *
 * Return: 0 or -ENOMEM.
 */
int greenai_interval_init(void)
{
	greenai_pending_max = num_possible_cpus() * GREENAI_CPU_EXITS;
	greenai_pending = kvcalloc(greenai_pending_max,
				   sizeof(*greenai_pending), GFP_KERNEL);
	if (!greenai_pending)
		return -ENOMEM;
	greenai_stopping = false;
	/* the domains' counters were first read then */
	greenai_last_close_ns = greenai_domains_start_ns();
	greenai_last_sweep_ns = greenai_last_close_ns;
	greenai_flush_tat = 0;
	INIT_DELAYED_WORK(&greenai_work, greenai_work_fn);
	queue_delayed_work(system_unbound_wq, &greenai_work,
			   msecs_to_jiffies(greenai_interval_ms));
	return 0;
}

/**
 * greenai_interval_exit() - stop closing intervals
 */
void greenai_interval_exit(void)
{
	mutex_lock(&greenai_lock);
	greenai_stopping = true;
	mutex_unlock(&greenai_lock);
	cancel_delayed_work_sync(&greenai_work);
	greenai_exit_put(greenai_pending, greenai_nr_pending);
	kvfree(greenai_pending);
	greenai_pending = NULL;
	greenai_nr_pending = 0;
}
