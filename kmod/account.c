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
 *
 * Counter weights (weights=): each CPU has a pinned perf counter of its
 * own (cycles, or the software cpu-clock), opened when the CPU comes
 * online and released when it goes; each charge adds the counter's
 * increase since the CPU's previous switch to what ran, beside its run
 * time. perf_event_read_local(), which BPF's reads use, is not exported
 * to modules: the probe does what it does for an event of its own CPU
 * that is on it (the PMU's read brings event->count up to date), and
 * charges time as uncounted when the event is not counting.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/perf_event.h>
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

/* as asked (weights=), and as done: time, cycles or cpu-clock */
static enum greenai_weigh greenai_weigh_asked;
static enum greenai_weigh greenai_weigh;
/* set once every CPU online at load has its counter */
static bool greenai_counters_ready;

static const char *const greenai_weigh_names[] = {
	[GREENAI_WEIGH_AUTO] = "auto",
	[GREENAI_WEIGH_TIME] = "time",
	[GREENAI_WEIGH_CYCLES] = "cycles",
	[GREENAI_WEIGH_CPU_CLOCK] = "cpu-clock",
};

/**
 * greenai_weigh_parse() - a weights= value
 * @name: "auto", "time", "cycles" or "cpu-clock"
 * @out: set to it
 *
 * Return: 0, or -EINVAL for another name (@out unchanged).
 */
int greenai_weigh_parse(const char *name, enum greenai_weigh *out)
{
	int i = match_string(greenai_weigh_names,
			     ARRAY_SIZE(greenai_weigh_names), name);

	if (i < 0)
		return -EINVAL;
	*out = i;
	return 0;
}

/**
 * greenai_weigh_name() - the name of a weight
 * @w: the weight
 *
 * Return: its name, as weights= takes it.
 */
const char *greenai_weigh_name(enum greenai_weigh w)
{
	return w < ARRAY_SIZE(greenai_weigh_names) ?
	       greenai_weigh_names[w] : "?";
}

/**
 * greenai_account_weigh() - what weighs package and core energy
 *
 * Return: GREENAI_WEIGH_TIME, _CYCLES or _CPU_CLOCK, settled at load.
 */
enum greenai_weigh greenai_account_weigh(void)
{
	return greenai_weigh;
}

/*
 * The count of this CPU's counter, where it is counting on this CPU.
 * Interrupts are off (the probes, the flip's IPI).
 */
static bool greenai_counter_read(struct perf_event *e, u64 *count)
{
	if (READ_ONCE(e->state) != PERF_EVENT_STATE_ACTIVE ||
	    READ_ONCE(e->oncpu) != smp_processor_id())
		return false;
	e->pmu->read(e);
	*count = local64_read(&e->count);
	return true;
}

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
			s->count = 0;
			s->cgroup_id = greenai_task_cgroup_id(p);
			s->start_ns = p->group_leader->start_time;
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
	struct perf_event *e = READ_ONCE(c->counter);
	u64 delta = now - c->last_ns, count = 0, v;
	struct greenai_slot *s;
	bool counted = false;

	c->last_ns = now;
	if (e && greenai_counter_read(e, &v)) {
		count = v - c->last_count;
		c->last_count = v;
		counted = true;
	}
	if (is_idle_task(p))
		return;
	b->busy_ns += delta;
	if (counted)
		b->busy_count += count;
	else
		b->uncounted_ns += delta;
	s = greenai_slot_find(b, p);
	if (likely(s)) {
		s->run_ns += delta;
		s->count += count;
	} else {
		b->overflow_ns += delta;
		b->overflow_count += count;
	}
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
	e->start_ns = p->group_leader->start_time;
	e->ts_ns = ktime_get_ns();
	e->ready = false;
	e->task = p;
	get_task_struct(p);
out:
	local_irq_restore(flags);
}

/*
 * In an IPI on each online CPU: close this CPU's buffer. A buffer the CPU
 * retired as it went offline is left for this close to read: the CPU,
 * back since, keeps writing its other buffer until the next close.
 */
static void greenai_cpu_flip(void *info)
{
	struct greenai_cpu *c = greenai_cpus[smp_processor_id()];

	greenai_charge(c, current, local_clock());
	if (!c->buf[!c->active].drained)
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
	b->busy_count = 0;
	b->uncounted_ns = 0;
	b->overflow_ns = 0;
	b->overflow_count = 0;
	b->exits_dropped = 0;
	b->drained = false;
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

static struct perf_event_attr greenai_counter_attr = {
	.size = sizeof(struct perf_event_attr),
	.pinned = 1,
};

/*
 * A CPU coming online starts its clock now, not when it went down, and
 * opens its counter. Without one, a CPU online at load refuses the load;
 * a CPU that comes online later goes without (its time is uncounted, and
 * its domains' intervals are weighed by run time).
 */
static int greenai_cpu_online(unsigned int cpu)
{
	struct greenai_cpu *c = greenai_cpus[cpu];
	struct perf_event *e;

	c->last_ns = local_clock();
	if (greenai_weigh == GREENAI_WEIGH_TIME)
		return 0;
	e = perf_event_create_kernel_counter(&greenai_counter_attr, cpu, NULL,
					     NULL, NULL);
	if (IS_ERR(e)) {
		if (greenai_counters_ready)
			pr_warn("CPU %u: no %s counter (%ld): its run time is not counted\n",
				cpu, greenai_weigh_name(greenai_weigh),
				PTR_ERR(e));
		else if (greenai_weigh_asked != GREENAI_WEIGH_AUTO)
			pr_err("weights=%s: CPU %u has no such counter (%ld); weights=time weighs by run time\n",
			       greenai_weigh_name(greenai_weigh), cpu,
			       PTR_ERR(e));
		return greenai_counters_ready ? 0 : PTR_ERR(e);
	}
	c->last_count = 0;
	WRITE_ONCE(c->counter, e);
	return 0;
}

/*
 * On a CPU going offline, interrupts off, no close running: retire its
 * buffer as a flip would, so the next close charges its last slices and
 * folds its exits in the interval they belong to. The buffer it retires
 * into is empty (every close clears the retired buffers) unless the CPU
 * went offline before, came back and no close has run since: its slices
 * then stay where they are, for the next close to retire.
 */
static void greenai_cpu_drain(void *info)
{
	struct greenai_cpu *c = greenai_cpus[smp_processor_id()];

	greenai_charge(c, current, local_clock());
	if (c->buf[!c->active].drained)
		return;
	c->active ^= 1;
	c->buf[!c->active].drained = true;
}

/*
 * A CPU going offline retires its buffer and releases its counter: the
 * probe sees it gone. Under greenai_lock, which an interval close holds
 * while it owns the retired buffers.
 */
static int greenai_cpu_offline(unsigned int cpu)
{
	struct greenai_cpu *c = greenai_cpus[cpu];
	struct perf_event *e = c->counter;

	mutex_lock(&greenai_lock);
	smp_call_function_single(cpu, greenai_cpu_drain, NULL, 1);
	mutex_unlock(&greenai_lock);
	if (!e)
		return 0;
	WRITE_ONCE(c->counter, NULL);
	perf_event_release_kernel(e);
	return 0;
}

/* Every online CPU's clock and counter, by the weight in force. */
static int greenai_cpuhp_setup(enum greenai_weigh w)
{
	int err;

	greenai_weigh = w;
	greenai_counter_attr.type = w == GREENAI_WEIGH_CYCLES ?
				    PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
	greenai_counter_attr.config = w == GREENAI_WEIGH_CYCLES ?
				      PERF_COUNT_HW_CPU_CYCLES :
				      PERF_COUNT_SW_CPU_CLOCK;
	err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "greenai:online",
				greenai_cpu_online, greenai_cpu_offline);
	if (err < 0)
		return err;
	greenai_cpuhp_state = err;
	greenai_counters_ready = true;
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
 * @weigh: what is to weigh package and core energy (weights=): with auto,
 *	the CPUs' cycles where every online CPU counts them, else run time
 *
 * Return: 0 or -errno (-ENOENT, say, when a counter asked for is not
 * there).
 */
int greenai_account_init(enum greenai_weigh weigh)
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
	greenai_weigh_asked = weigh;
	greenai_counters_ready = false;
	if (weigh == GREENAI_WEIGH_AUTO) {
		err = greenai_cpuhp_setup(GREENAI_WEIGH_CYCLES);
		if (err) {
			pr_info("weights=auto: no CPU cycles counter, weighing by run time\n");
			err = greenai_cpuhp_setup(GREENAI_WEIGH_TIME);
		}
	} else {
		err = greenai_cpuhp_setup(weigh);
	}
	if (err)
		goto out_free;

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
