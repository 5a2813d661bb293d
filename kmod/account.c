// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU accounting: the sched_switch probe charges the time since the
 * CPU's previous switch to the process that ran (idle excepted), and the
 * sched_process_exit probe notes processes whose last thread exits.
 *
 * Hot path rules: the probes run with interrupts off on their own CPU and
 * touch only that CPU's struct greenai_cpu: no lock, no allocation, O(1)
 * (an open-addressing table of GREENAI_CPU_SLOTS processes; a process that
 * finds no slot is charged to the CPU's overflow slot and counted).
 *
 * Each CPU has two buffers. greenai_account_flip() makes every online CPU,
 * in an IPI, charge the running task up to now, switch buffers and read
 * the energy meters it is the reader of (greenai_domains_sample_local():
 * RAPL's, rapl_msr.c); the closing thread then owns the retired buffers
 * until it clears them.
 * Time is local_clock(), differenced on one CPU only.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "compat/sched.h"
#include "internal.h"

/* One probe call in 2^GREENAI_PROBE_SAMPLE_SHIFT is timed, for stats. */
#define GREENAI_PROBE_SAMPLE_SHIFT	6

static struct greenai_cpu **greenai_cpus;
static enum cpuhp_state greenai_cpuhp_state;

static u64 greenai_task_cgroup_id(struct task_struct *p)
{
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(p));
	rcu_read_unlock();
	return id;
}

static struct greenai_slot *greenai_slot_find(struct greenai_cpu_buf *b,
					      struct task_struct *p)
{
	u32 tgid = p->tgid;
	unsigned int i = hash_32(tgid, ilog2(GREENAI_CPU_SLOTS));
	unsigned int n;

	for (n = 0; n < GREENAI_CPU_SLOTS; n++) {
		struct greenai_slot *s = &b->slots[i];

		if (s->used && s->tgid == tgid)
			return s;
		if (!s->used) {
			/* Only half full: probing stays short. */
			if (b->nr_slots >= GREENAI_CPU_SLOTS / 2)
				return NULL;
			s->used = 1;
			s->tgid = tgid;
			s->run_ns = 0;
			s->cgroup_id = greenai_task_cgroup_id(p);
			memcpy(s->comm, p->group_leader->comm, sizeof(s->comm));
			b->used[b->nr_slots++] = i;
			return s;
		}
		i = (i + 1) & (GREENAI_CPU_SLOTS - 1);
	}
	return NULL;
}

static void greenai_charge(struct greenai_cpu *c, struct task_struct *p,
			   u64 now)
{
	struct greenai_cpu_buf *b = &c->buf[c->active];
	u64 delta = now - c->last_ns;
	struct greenai_slot *s;

	c->last_ns = now;
	if (is_idle_task(p))
		return;
	b->busy_ns += delta;
	s = greenai_slot_find(b, p);
	if (likely(s))
		s->run_ns += delta;
	else
		b->overflow_ns += delta;
}

static GREENAI_SCHED_SWITCH_PROTO(greenai_probe_switch)
{
	struct greenai_cpu *c = greenai_cpus[smp_processor_id()];
	u64 now = local_clock();

	greenai_charge(c, prev, now);
	if (unlikely(!(++c->switches &
		       ((1U << GREENAI_PROBE_SAMPLE_SHIFT) - 1)))) {
		c->probe_ns += local_clock() - now;
		c->probe_samples++;
	}
}

static void greenai_probe_exit(void *data, struct task_struct *p)
{
	struct greenai_cpu *c;
	struct greenai_cpu_buf *b;
	struct greenai_exit *e;
	unsigned long flags;

	/* signal->live reaches 0 before this tracepoint for the last thread */
	if (atomic_read(&p->signal->live))
		return;
	local_irq_save(flags);
	c = greenai_cpus[smp_processor_id()];
	b = &c->buf[c->active];
	if (b->nr_exits == GREENAI_CPU_EXITS) {
		b->exits_dropped++;
		goto out;
	}
	e = &b->exits[b->nr_exits++];
	e->tgid = p->tgid;
	rcu_read_lock();
	e->ppid = task_tgid_nr(rcu_dereference(p->real_parent));
	rcu_read_unlock();
	e->uid = from_kuid_munged(&init_user_ns, task_uid(p));
	e->start_ns = p->start_time;
	e->ts_ns = ktime_get_ns();
	e->waited = 0;
	e->ready = false;
	e->task = p;
	get_task_struct(p);
out:
	local_irq_restore(flags);
}

/* In an IPI on each online CPU: close this CPU's buffer. */
static void greenai_cpu_flip(void *info)
{
	struct greenai_cpu *c = greenai_cpus[smp_processor_id()];

	greenai_charge(c, current, local_clock());
	c->active ^= 1;
	greenai_domains_sample_local();
}

/**
 * greenai_account_flip() - retire every online CPU's buffer
 *
 * Caller holds greenai_lock. The retired buffers stay the caller's until
 * it clears them with greenai_account_clear().
 */
void greenai_account_flip(void)
{
	on_each_cpu(greenai_cpu_flip, NULL, 1);
}

/**
 * greenai_account_retired() - the buffer a CPU no longer writes
 * @cpu: a possible CPU
 *
 * Return: the buffer, valid until the next flip.
 */
struct greenai_cpu_buf *greenai_account_retired(int cpu)
{
	struct greenai_cpu *c = greenai_cpus[cpu];

	return &c->buf[!READ_ONCE(c->active)];
}

/**
 * greenai_account_clear() - empty a retired buffer, O(slots used)
 * @b: the buffer
 */
void greenai_account_clear(struct greenai_cpu_buf *b)
{
	unsigned int i;

	for (i = 0; i < b->nr_slots; i++)
		b->slots[b->used[i]].used = 0;
	b->nr_slots = 0;
	b->nr_exits = 0;
	b->busy_ns = 0;
	b->overflow_ns = 0;
	b->exits_dropped = 0;
}

/**
 * greenai_account_stats() - switch and probe-cost counters of all CPUs
 * @switches: context switches seen
 * @probe_ns: time spent in the sampled probe calls, ns
 * @samples: probe calls sampled
 */
void greenai_account_stats(u64 *switches, u64 *probe_ns, u64 *samples)
{
	int cpu;

	*switches = 0;
	*probe_ns = 0;
	*samples = 0;
	for_each_possible_cpu(cpu) {
		struct greenai_cpu *c = greenai_cpus[cpu];

		*switches += READ_ONCE(c->switches);
		*probe_ns += READ_ONCE(c->probe_ns);
		*samples += READ_ONCE(c->probe_samples);
	}
}

/**
 * greenai_exit_put() - let go of the tasks of exits that will not be folded
 * @e: the exits
 * @n: how many
 */
void greenai_exit_put(struct greenai_exit *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		put_task_struct(e[i].task);
}

/* A CPU coming online starts its clock now, not when it went down. */
static int greenai_cpu_online(unsigned int cpu)
{
	greenai_cpus[cpu]->last_ns = local_clock();
	return 0;
}

/* Called with the probes detached: no exit can be recorded any more. */
static void greenai_cpus_free(void)
{
	int cpu, i;

	if (!greenai_cpus)
		return;
	for_each_possible_cpu(cpu) {
		struct greenai_cpu *c = greenai_cpus[cpu];

		for (i = 0; c && i < 2; i++)
			greenai_exit_put(c->buf[i].exits, c->buf[i].nr_exits);
		kvfree(c);
	}
	kfree(greenai_cpus);
	greenai_cpus = NULL;
}

/**
 * greenai_account_init() - allocate per-CPU state and attach the probes
 *
 * Return: 0 or -errno.
 */
int greenai_account_init(void)
{
	int cpu, err;

	greenai_cpus = kcalloc(nr_cpu_ids, sizeof(*greenai_cpus), GFP_KERNEL);
	if (!greenai_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		greenai_cpus[cpu] = kvzalloc_node(sizeof(*greenai_cpus[cpu]),
						  GFP_KERNEL, cpu_to_node(cpu));
		if (!greenai_cpus[cpu]) {
			err = -ENOMEM;
			goto out_free;
		}
	}
	err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "greenai:online",
				greenai_cpu_online, NULL);
	if (err < 0)
		goto out_free;
	greenai_cpuhp_state = err;

	err = greenai_tp_register("sched_switch", greenai_probe_switch, NULL);
	if (err)
		goto out_cpuhp;
	err = greenai_tp_register("sched_process_exit", greenai_probe_exit,
				  NULL);
	if (err)
		goto out_tp;
	return 0;

out_tp:
	greenai_tp_unregister_all();
out_cpuhp:
	cpuhp_remove_state(greenai_cpuhp_state);
out_free:
	greenai_cpus_free();
	return err;
}

/**
 * greenai_account_exit() - detach the probes and free per-CPU state
 */
void greenai_account_exit(void)
{
	greenai_tp_unregister_all();
	cpuhp_remove_state(greenai_cpuhp_state);
	greenai_cpus_free();
}
