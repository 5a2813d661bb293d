// SPDX-License-Identifier: GPL-2.0
/*
 * greenai's BPF backend: per-CPU busy time charged to the process (thread
 * group) and cgroup v2 that ran, on hosts that cannot load greenai.ko.
 * libgreenai (tools/lib/engine/backend_bpf.c) reads the maps every interval and
 * splits energy with the same attribution core as the module.
 *
 * - sched_switch (tp_btf, or raw_tp where BTF-typed tracepoints are not
 *   available): the process switched out (current, at the tracepoint) is
 *   charged, in ga_runs keyed by tgid and cgroup id, the run time the
 *   scheduler counted for it (se.sum_exec_runtime) since it was last
 *   charged, which each thread keeps in ga_threads. No clock is read on
 *   the hot path (a clock read costs more than the rest of the program in
 *   a VM), and the figures are the kernel's own, those of
 *   /proc/PID/schedstat and cpu.stat. O(1), no lock, and no helper call
 *   on the usual path: its three lookups are in arrays, which the
 *   verifier inlines.
 *   A CPU keeps slots (GA_BPF_SLOTS, in ga_slots by tgid) of run time not
 *   yet added to ga_runs: a process switched out again on the same CPU
 *   adds to its slot and the program does no hash lookup.
 * - ga_flush_btf/raw (raw_tp, never attached): run by the reader on each CPU in
 *   turn (BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU, an IPI) to charge
 *   the running process its run time so far, so a process that runs alone
 *   on a CPU and never switches is charged every interval, and to empty
 *   the slots into ga_runs. sched_switch runs with interrupts off, so the
 *   IPI never finds a slot half-written.
 * - With ga_count, each switch also reads the CPU's counter (cycles; a
 *   perf event the reader opened on each CPU, in ga_counter) and charges
 *   what it counted since the previous switch to the process switched
 *   out, beside its run time: the weight of its share of a package's and
 *   its cores' energy. Without, no counter is read.
 * - sched_process_fork/exec: describe processes in ga_procs (comm after
 *   exec, parent, start time) so the reader has them without /proc.
 * - sched_process_exit: when the last thread of a process exits, an exit
 *   record (the ABI's, with no energy: the reader adds it) goes into the
 *   ga_exits ring; a full ring drops it and counts the drop. Where the
 *   tracepoint says which thread is the last (group_dead), exactly one.
 *
 * Configuration is in const volatile globals, set before load. Map sizes
 * are set by the reader (bpf_map__set_max_entries). ga_runs is an LRU
 * map: when it has no free entry, a new one takes the place of one used
 * least recently, mostly one idle since the reader took its run time; the
 * run time an entry let go gathered since the reader's last sample is
 * lost, and the reader counts the entries let go. The map keeps free
 * entries per CPU and may make room before it is full, so the reader
 * gives it 512 entries per CPU when that is more than the default. A
 * charge that still finds no entry goes to the CPU's overflow and is
 * counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include <greenai/bpf_abi.h>
#include <uapi/greenai.h>

char LICENSE[] SEC("license") = "GPL";

#define GA_TASK_DEAD	0x00000080	/* task->__state: its last switch */

/* task_struct before Linux 5.14, whose __state was state */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* Set by the reader before load. */
const volatile bool ga_emit_exits = true;	/* write exit records */
const volatile bool ga_by_cgroup = true;	/* key run time by cgroup */
const volatile bool ga_count;			/* read ga_counter */

struct ga_bpf_counters ga_stats;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ga_bpf_cpu);
} ga_cpus SEC(".maps");

/*
 * Least recently used goes first when it is full: a process that hops
 * through many cgroups makes an entry in each, and the entries of those
 * it left, idle since the reader took their run time, make room, never
 * the busy ones (see the head of the file).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, GA_BPF_RUNS_DEF);
	__type(key, struct ga_bpf_run_key);
	__type(value, struct ga_bpf_run);
} ga_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GA_BPF_RUNS_DEF);
	__type(key, __u32);
	__type(value, struct ga_bpf_proc);
} ga_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, GA_BPF_EXITS_DEF_KB * 1024);
} ga_exits SEC(".maps");

/* Each CPU's slots: run time not yet added to ga_runs, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GA_BPF_SLOTS);
	__type(key, __u32);
	__type(value, struct ga_bpf_slot);
} ga_slots SEC(".maps");

/*
 * Per thread: the run time it was last charged at (see ga_thread()). An
 * array, not task storage or a hash: its lookup is a few instructions the
 * verifier inlines, where either of those is a call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GA_BPF_THREADS);
	__type(key, __u32);
	__type(value, __u64);
} ga_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} ga_counter SEC(".maps");

static const struct ga_bpf_run ga_zero_run;

/*
 * What the CPU's counter counted since the last call on this CPU: all of
 * it by the one task that ran meanwhile. 0 without ga_count, or when the
 * counter cannot be read (its count is then lost, not moved).
 */
static __always_inline __u64 ga_count_delta(struct ga_bpf_cpu *cpu)
{
	struct bpf_perf_event_value v;
	__u64 d = 0;

	if (!ga_count)
		return 0;
	if (bpf_perf_event_read_value(&ga_counter, BPF_F_CURRENT_CPU, &v,
				      sizeof(v))) {
		cpu->count_valid = 0;
		return 0;
	}
	if (cpu->count_valid && v.counter >= cpu->cur_count)
		d = v.counter - cpu->cur_count;
	cpu->cur_count = v.counter;
	cpu->count_valid = 1;
	return d;
}

/* Describe @p's process in ga_procs. */
static void ga_describe(struct task_struct *p, __u64 flags)
{
	struct task_struct *leader = BPF_CORE_READ(p, group_leader);
	struct ga_bpf_proc proc = {};
	__u32 tgid = BPF_CORE_READ(p, tgid);

	proc.start_ns = BPF_CORE_READ(leader, start_time);
	proc.ppid = BPF_CORE_READ(p, real_parent, tgid);
	proc.uid = BPF_CORE_READ(p, cred, uid.val);
	bpf_core_read_str(proc.comm, sizeof(proc.comm), &leader->comm);
	if (bpf_map_update_elem(&ga_procs, &tgid, &proc, flags) &&
	    flags == BPF_ANY)
		__sync_fetch_and_add(&ga_stats.procs_full, 1);
}

/*
 * A task's run time so far: the scheduler's own count, which it brings up
 * to date for the task switched out before the sched_switch tracepoint.
 * Direct loads in tp_btf programs, CO-RE reads in raw_tp ones.
 */
static __always_inline __u64 ga_runtime(struct task_struct *p, bool btf)
{
	return btf ? p->se.sum_exec_runtime :
		     BPF_CORE_READ(p, se.sum_exec_runtime);
}

static __always_inline __u32 ga_pid(struct task_struct *p, bool btf)
{
	return btf ? p->pid : BPF_CORE_READ(p, pid);
}

/* Whether @p (prev) is switched out for the last time: it has exited. */
static __always_inline bool ga_dead(struct task_struct *p, bool btf)
{
	struct task_struct___pre514 *old = (void *)p;

	if (bpf_core_field_exists(p->__state))
		return (btf ? p->__state : BPF_CORE_READ(p, __state)) &
		       GA_TASK_DEAD;
	return (btf ? old->state : BPF_CORE_READ(old, state)) & GA_TASK_DEAD;
}

/*
 * Thread @pid's word in ga_threads: the low 16 bits of the id make the
 * index, spread so that threads with consecutive ids (a pool, a parent
 * and its child) use different cache lines, as they may run on different
 * CPUs; the rest of the id is the word's tag. Two threads whose ids share
 * their low 16 bits share the word: whichever was charged last holds it,
 * and the other finds another's tag and is charged from the CPU's pairing
 * instead (see ga_charge_current()). Writes are whole words, so a word is
 * never half one thread's.
 */
static __always_inline __u64 *ga_thread(__u32 pid)
{
	__u32 i = (pid & 7) << 13 | (pid >> 3 & 0x1fff);

	return bpf_map_lookup_elem(&ga_threads, &i);
}

static __always_inline __u64 ga_thread_tag(__u32 pid)
{
	return GA_BPF_THREAD_VALID |
	       (__u64)(pid >> 16 & 0x3f) << GA_BPF_THREAD_TAG_SHIFT;
}

/* The process and cgroup v2 of current (@p in tp_btf programs). */
static __always_inline void ga_key(struct ga_bpf_run_key *key,
				   struct task_struct *p, bool btf)
{
	if (btf) {
		key->tgid = p->tgid;
		if (ga_by_cgroup)
			key->cgroup_id = p->cgroups->dfl_cgrp->kn->id;
	} else {
		key->tgid = bpf_get_current_pid_tgid() >> 32;
		if (ga_by_cgroup)
			key->cgroup_id = bpf_get_current_cgroup_id();
	}
}

/*
 * Add @delta ns and @count on this CPU to @key's ga_runs entry, made if
 * need be.
 */
static __always_inline void ga_add_run(struct ga_bpf_cpu *cpu,
				       const struct ga_bpf_run_key *key,
				       __u64 delta, __u64 count, bool describe)
{
	struct ga_bpf_run *run;

	run = bpf_map_lookup_elem(&ga_runs, key);
	if (!run) {
		/* first time here: describe the process too (current) */
		if (bpf_map_update_elem(&ga_runs, key, &ga_zero_run,
					BPF_NOEXIST) == 0 && describe)
			ga_describe((void *)bpf_get_current_task(),
				    BPF_NOEXIST);
		run = bpf_map_lookup_elem(&ga_runs, key);
		if (!run) {
			cpu->overflow_ns += delta;
			cpu->overflow_count += count;
			__sync_fetch_and_add(&ga_stats.runs_full, 1);
			return;
		}
	}
	run->run_ns += delta;
	run->count += count;
}

/* Empty a slot into ga_runs. */
static __always_inline void ga_slot_flush(struct ga_bpf_cpu *cpu,
					  struct ga_bpf_slot *s)
{
	if (s->pending_ns)
		ga_add_run(cpu, &s->key, s->pending_ns, s->pending_count,
			   false);
	s->pending_ns = 0;
	s->pending_count = 0;
}

/*
 * Charge @delta ns of run time on this CPU to current's process: into its
 * slot if the slot has its key (no hash lookup), else straight into
 * ga_runs, the slot emptied and taken for it.
 */
static __always_inline void ga_charge(struct ga_bpf_cpu *cpu, __u64 delta,
				      __u64 count, struct task_struct *p,
				      bool btf)
{
	struct ga_bpf_run_key key = {};
	struct ga_bpf_slot *s;
	__u32 i;

	cpu->busy_ns += delta;
	ga_key(&key, p, btf);
	i = key.tgid & (GA_BPF_SLOTS - 1);
	s = bpf_map_lookup_elem(&ga_slots, &i);
	if (s && s->key.tgid == key.tgid &&
	    s->key.cgroup_id == key.cgroup_id) {
		s->pending_ns += delta;
		s->pending_count += count;
		return;
	}
	if (s)
		ga_slot_flush(cpu, s);
	ga_add_run(cpu, &key, delta, count, true);
	if (s)
		s->key = key;
}

/*
 * Charge current (@p) what the scheduler counted for it since it was last
 * charged. Each thread keeps the count it was last charged at (its word
 * in ga_threads, set to 0 ns when it is forked and dropped at its last
 * switch), so nothing depends on seeing every switch: some kernels count
 * switches that never reach the tracepoint's programs, and a thread can
 * live and die in a slice whose start was not seen. A thread whose word
 * another holds, or that has none (one from before load, a kernel's I/O
 * thread, which passes no fork tracepoint), is charged from the count it
 * had when it started on this CPU (the CPU's cur_*, set at each switch);
 * one never seen starting is only counted from now, and counted as
 * unpaired.
 */
static __always_inline void ga_charge_current(struct ga_bpf_cpu *cpu,
					      struct task_struct *p, bool btf,
					      __u64 count)
{
	__u32 pid = ga_pid(p, btf);
	__u64 sum, base, tag, v, *t;
	bool mine;

	/* the idle task (pid 0) is not charged */
	if (!pid)
		return;
	t = ga_thread(pid);
	if (!t)
		return;
	sum = ga_runtime(p, btf) & GA_BPF_THREAD_SUM;
	tag = ga_thread_tag(pid);
	v = *t;
	mine = (v & ~GA_BPF_THREAD_SUM) == tag;
	if (mine) {
		base = v & GA_BPF_THREAD_SUM;
	} else if (pid == cpu->cur_pid) {
		base = cpu->cur_sum;
	} else {
		base = sum;
		__sync_fetch_and_add(&ga_stats.unpaired, 1);
	}
	if (sum > base)
		ga_charge(cpu, sum - base, count, p, btf);
	if (!ga_dead(p, btf))
		*t = tag | sum;
	else if (mine)
		*t = 0;	/* its id may be a new thread's next */
}

/* prev (current) stops running on this CPU, next starts. */
static __always_inline void ga_switch(struct task_struct *prev,
				      struct task_struct *next, bool btf)
{
	struct ga_bpf_cpu *cpu;
	__u32 zero = 0;

	cpu = bpf_map_lookup_elem(&ga_cpus, &zero);
	if (!cpu)
		return;
	ga_charge_current(cpu, prev, btf, ga_count_delta(cpu));
	cpu->cur_pid = ga_pid(next, btf);
	cpu->cur_sum = ga_runtime(next, btf) & GA_BPF_THREAD_SUM;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ga_switch_btf, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	ga_switch(prev, next, true);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(ga_switch_raw, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	ga_switch(prev, next, false);
	return 0;
}

/*
 * Run on a chosen CPU by the reader; never attached. Charges what runs
 * there its run time so far (the scheduler's count, up to date to its
 * last tick).
 */
static __always_inline void ga_flush(bool btf)
{
	struct ga_bpf_slot *s;
	struct task_struct *p;
	struct ga_bpf_cpu *cpu;
	__u32 zero = 0, i, k;

	cpu = bpf_map_lookup_elem(&ga_cpus, &zero);
	if (!cpu)
		return;
	cpu->flushes++;
	p = btf ? bpf_get_current_task_btf() :
		  (struct task_struct *)bpf_get_current_task();
	ga_charge_current(cpu, p, btf, ga_count_delta(cpu));
	for (i = 0; i < GA_BPF_SLOTS; i++) {
		/* the key apart: the verifier follows i in a register */
		k = i;
		barrier_var(i);
		s = bpf_map_lookup_elem(&ga_slots, &k);
		if (s)
			ga_slot_flush(cpu, s);
	}
	cpu->cur_pid = ga_pid(p, btf);
	cpu->cur_sum = ga_runtime(p, btf) & GA_BPF_THREAD_SUM;
}

SEC("raw_tp")
int BPF_PROG(ga_flush_btf)
{
	ga_flush(true);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(ga_flush_raw)
{
	ga_flush(false);
	return 0;
}

static void ga_fork(struct task_struct *child)
{
	__u32 pid = BPF_CORE_READ(child, pid);
	__u64 *t = ga_thread(pid);

	/* every new thread has run 0 ns, and is charged from there */
	if (t)
		*t = ga_thread_tag(pid);
	/* a new process, not a new thread of one */
	if (pid == BPF_CORE_READ(child, tgid))
		ga_describe(child, BPF_ANY);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ga_fork_btf, struct task_struct *parent,
	     struct task_struct *child)
{
	ga_fork(child);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(ga_fork_raw, struct task_struct *parent,
	     struct task_struct *child)
{
	ga_fork(child);
	return 0;
}

/* After exec, current has its new comm. */
static void ga_exec(void)
{
	ga_describe((struct task_struct *)bpf_get_current_task(), BPF_ANY);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ga_exec_btf)
{
	ga_exec();
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(ga_exec_raw)
{
	ga_exec();
	return 0;
}

/*
 * @group_dead: this is the process's last thread, as the kernel decided it
 * (the tracepoint's argument since Linux 6.16); -1 where the tracepoint
 * does not say. Then the live count is read instead: it reaches 0 before
 * this tracepoint for the last thread, but two threads exiting at once can
 * both find it at 0, and send two records; the reader folds the second as
 * untracked.
 */
static void ga_exit(struct task_struct *p, int group_dead)
{
	struct greenai_rec_task_exit *r;
	struct task_struct *leader;

	if (!ga_emit_exits || !group_dead)
		return;
	if (group_dead < 0 && BPF_CORE_READ(p, signal, live.counter))
		return;
	r = bpf_ringbuf_reserve(&ga_exits, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&ga_stats.exits_dropped, 1);
		return;
	}
	leader = BPF_CORE_READ(p, group_leader);
	r->hdr.type = GREENAI_REC_TASK_EXIT;
	r->hdr.size = sizeof(*r);
	r->hdr.seq = 0;		/* the reader numbers its stream */
	r->hdr.ts_ns = bpf_ktime_get_ns();
	r->pid = BPF_CORE_READ(p, tgid);
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->uid = BPF_CORE_READ(p, cred, uid.val);
	r->nr_domains = 0;
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->start_ns = BPF_CORE_READ(leader, start_time);
	r->cpu_ns = 0;
	bpf_core_read_str(r->comm, sizeof(r->comm), &leader->comm);
	bpf_ringbuf_submit(r, 0);
	__sync_fetch_and_add(&ga_stats.exits, 1);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ga_exit_btf, struct task_struct *p)
{
	ga_exit(p, -1);
	return 0;
}

/* Where the tracepoint has group_dead (the reader picks one of the two). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ga_exit_btf_gd, struct task_struct *p, bool group_dead)
{
	ga_exit(p, group_dead);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(ga_exit_raw, struct task_struct *p)
{
	ga_exit(p, -1);
	return 0;
}
