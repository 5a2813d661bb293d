/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What bpf/greenai.bpf.c and libgreenai's BPF backend (tools/lib/engine/
 * backend_bpf.c) agree on: the maps' keys and values. Fixed-width types,
 * explicit padding, as in the ABI header; not a stable ABI (both sides
 * are built together).
 *
 * Maps:
 *   ga_cpus   PERCPU_ARRAY[1] of struct ga_bpf_cpu: each CPU's clock and
 *             busy time
 *   ga_runs   PERCPU_HASH struct ga_bpf_run_key -> struct ga_bpf_run: run
 *             time of a process in a cgroup, on each CPU, since it was
 *             first seen (cumulative; the reader takes differences)
 *   ga_procs  HASH tgid -> struct ga_bpf_proc: what a process is
 *   ga_slots  PERCPU_ARRAY[GA_BPF_SLOTS] of struct ga_bpf_slot: each
 *             CPU's run time not yet added to ga_runs, by tgid
 *   ga_threads ARRAY[GA_BPF_THREADS] of __u64: per thread, the run time
 *             it was last charged at (bpf/greenai.bpf.c says how)
 *   ga_exits  RINGBUF of struct greenai_rec_task_exit with no domain
 *             (the reader adds the energy)
 *   ga_counter PERF_EVENT_ARRAY: each CPU's counter (cycles), read at
 *             every switch when the reader set one (ga_count)
 * Globals (.bss): ga_stats, struct ga_bpf_counters (bpf_counters.h).
 */
#ifndef _GREENAI_BPF_ABI_H
#define _GREENAI_BPF_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <greenai/bpf_counters.h>

#define GA_BPF_RUNS_DEF		16384	/* ga_runs entries by default, */
#define GA_BPF_RUNS_PER_CPU	512	/* or as many per CPU if more */
#define GA_BPF_RUNS_MIN		1024	/* bpf_runs, when set: at least */
#define GA_BPF_RUNS_MAX		4194304	/* and at most */
#define GA_BPF_EXITS_DEF_KB	256	/* ga_exits ring, KiB */

struct ga_bpf_run_key {
	__u32 tgid;
	__u32 __pad;
	__u64 cgroup_id;	/* cgroup v2 id when the time was charged */
};

/*
 * Run time charged on a CPU to a (process, cgroup) it ran recently, not
 * yet added to ga_runs: a CPU that switches between processes finds the
 * entry here (ga_slots, indexed by tgid) and skips the ga_runs lookup.
 * ga_flush adds every slot to ga_runs at each sample, before the reader
 * reads them.
 */
#define GA_BPF_SLOTS		1024	/* per CPU, a power of 2 */

struct ga_bpf_slot {
	struct ga_bpf_run_key key;
	__u64 pending_ns;
	__u64 pending_count;
};

struct ga_bpf_cpu {
	__u64 busy_ns;		/* run time charged to processes */
	__u64 overflow_ns;	/* of which with no room in ga_runs */
	__u64 overflow_count;	/* the counter meanwhile (ga_count) */
	__u64 flushes;		/* ga_flush runs on this CPU */
	/*
	 * what runs on the CPU (0: not known yet), and its
	 * se.sum_exec_runtime when it started
	 */
	__u64 cur_sum;
	__u32 cur_pid;
	__u32 __pad;
	/* the CPU's counter at its last switch or flush (ga_count) */
	__u64 cur_count;
	__u64 count_valid;
};

struct ga_bpf_run {
	__u64 run_ns;		/* on this CPU, since first seen */
	__u64 count;		/* the CPU's counter meanwhile (ga_count) */
};

/*
 * ga_threads: one word per thread, at an index made of the low 16 bits of
 * its id; the word holds a valid bit, the id's high bits (a tag: Linux
 * ids are below 2^22) and se.sum_exec_runtime when the thread was last
 * charged, modulo 2^57 ns (4.5 years).
 */
#define GA_BPF_THREADS		65536
#define GA_BPF_THREAD_VALID	0x8000000000000000ULL
#define GA_BPF_THREAD_TAG_SHIFT	57
#define GA_BPF_THREAD_SUM	0x01ffffffffffffffULL /* below the tag */

struct ga_bpf_proc {
	__u64 start_ns;		/* task->start_time, CLOCK_MONOTONIC */
	__u32 ppid;
	__u32 uid;
	char comm[16];
};

#endif /* _GREENAI_BPF_ABI_H */
