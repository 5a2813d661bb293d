/* SPDX-License-Identifier: GPL-2.0 */
/*
 * greenai.ko internals: what the files of the module share.
 *
 *   main.c	  parameters, init and exit
 *   tracepoint.c binds kernel tracepoints by name
 *   account.c	  the sched_switch and process-exit probes: per-CPU, lock-free
 *   domain.c	  energy domains and their meters, fed by one source's ops
 *   rapl_msr.c	  a source: RAPL counters read from the MSRs, wrap poll
 *   model.c	  a source: the power model, for CPUs without RAPL
 *   host.c	  a source: a VM host's figures, fed from userspace
 *   interval.c	  closes an interval: splits energy over tasks, folds exits
 *   table.c	  per-process and per-cgroup totals
 *   procfs.c	  /proc/greenai/
 *   ring.c	  the record ring: emit, copy out
 *   device.c	  /dev/greenai: the ring's reader, its ioctls
 *
 * Calls go one way: no file calls a file that calls it back, directly or
 * through others (scripts/check-layout.py --kmod checks the objects; the
 * VM suite runs it on every build). domain.c reaches its source through
 * struct greenai_source_ops, which main.c picks; the interval close
 * writes into the ring, and the device file, not the ring, closes the
 * interval for a flush.
 *
 * Locking. The probes touch only their own CPU's struct greenai_cpu, with
 * interrupts off (the scheduler calls them so). An interval is closed by
 * one thread at a time under greenai_lock: it flips every CPU's double
 * buffer with an IPI (the CPU itself flips, between two switches), then
 * reads the retired buffers, which no CPU writes any more. greenai_lock
 * also guards the domains' totals and the task and cgroup tables, which
 * only the closing thread and the /proc readers touch. The ring has its
 * own mutex.
 */
#ifndef _GREENAI_KMOD_INTERNAL_H
#define _GREENAI_KMOD_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <greenai/attrib.h>
#include <greenai/rapl.h>
#include <uapi/greenai.h>

/* --- parameters (main.c) ------------------------------------------------ */

extern unsigned int greenai_interval_ms;
extern unsigned int greenai_model_idle_mw;
extern unsigned int greenai_model_max_mw;
extern unsigned int greenai_max_tasks;
extern unsigned int greenai_max_cgroups;
extern unsigned int greenai_ring_kb;
extern int greenai_gid;
extern char *greenai_host_domain_names;

/*
 * What weighs a process's active energy in package and core domains: its
 * run time, or the count of a per-CPU perf counter (account.c).
 */
enum greenai_weigh {
	GREENAI_WEIGH_AUTO,		/* cycles where counted, else time */
	GREENAI_WEIGH_TIME,
	GREENAI_WEIGH_CYCLES,
	GREENAI_WEIGH_CPU_CLOCK,	/* the software clock: for tests */
};

int greenai_weigh_parse(const char *name, enum greenai_weigh *out);
const char *greenai_weigh_name(enum greenai_weigh w);

/* --- tracepoints (tracepoint.c) ----------------------------------------- */

int greenai_tp_register(const char *name, void *probe, void *data);
void greenai_tp_unregister_all(void);

/* --- per-CPU accounting (account.c) ------------------------------------- */

#define GREENAI_CPU_SLOTS	512	/* per-CPU table, used half full */
#define GREENAI_CPU_EXITS	1024	/* process exits one CPU records */

struct greenai_task;
struct greenai_cgroup;
struct perf_event;

/* Run time (and count) of one process on one CPU in one interval. */
struct greenai_slot {
	u32 tgid;
	u32 used;
	u64 cgroup_id;
	u64 run_ns;
	u64 count;		/* the CPU's counter over its run time */
	u64 start_ns;		/* the process's start_time: tells pids apart */
	char comm[GREENAI_COMM_LEN];
	/* set and used by the closing thread only */
	struct greenai_task *task;
	struct greenai_cgroup *cgroup;
};

/*
 * A process (thread group) that exited. @task, the thread that exited
 * last, is held (get_task_struct) until the exit is folded: the fold waits
 * until every thread of the process has scheduled out for good, so their
 * last slices of CPU time have been charged.
 */
struct greenai_exit {
	u32 tgid;
	u32 ppid;
	u32 uid;
	u64 start_ns;
	u64 ts_ns;
	struct task_struct *task;
	bool ready;		/* all its threads gone before the flip */
};

struct greenai_cpu_buf {
	u64 busy_ns;
	u64 busy_count;		/* Σ of the slots' counts */
	u64 uncounted_ns;	/* busy time with no counter counting */
	u32 nr_slots;
	u32 nr_exits;
	u64 overflow_ns;	/* run time of processes with no free slot */
	u64 overflow_count;
	u64 exits_dropped;
	bool drained;		/* retired by its CPU going offline */
	u16 used[GREENAI_CPU_SLOTS];
	struct greenai_slot slots[GREENAI_CPU_SLOTS];
	struct greenai_slot overflow;
	struct greenai_exit exits[GREENAI_CPU_EXITS];
};

struct greenai_cpu {
	u64 last_ns;		/* local_clock() of the last switch or flip */
	struct perf_event *counter;	/* the CPU's own, or NULL */
	u64 last_count;		/* its count at the last switch or flip */
	unsigned int active;	/* buf[] the probes write into */
	u64 switches;
	u64 probe_ns;		/* time spent in sampled probe calls */
	u64 probe_samples;
	struct greenai_cpu_buf buf[2];
};

int greenai_account_init(enum greenai_weigh weigh);
enum greenai_weigh greenai_account_weigh(void);
void greenai_account_exit(void);
void greenai_account_flip(void);
struct greenai_cpu_buf *greenai_account_retired(int cpu);
void greenai_account_clear(struct greenai_cpu_buf *b);
void greenai_account_stats(u64 *switches, u64 *probe_ns, u64 *samples);
void greenai_exit_put(struct greenai_exit *e, unsigned int n);

/* --- energy domains (domain.c) ------------------------------------------ */

struct greenai_dom;

/*
 * One source of a domain's energy and the CPUs whose activity it pays
 * for: the power model, or one RAPL counter (a package's or die's, one
 * physical core's, or the platform's, over every CPU). A domain's meters
 * cover disjoint sets of CPUs; each interval, each meter's energy is split
 * over the processes that ran on its CPUs. A CPU joins its meter when it
 * first comes online (the topology of a CPU never online is not known).
 */
struct greenai_meter {
	struct greenai_dom *dom;
	struct greenai_meter *next;	/* the domain's next meter */
	struct cpumask cpus;
	/* RAPL (msr != 0): read by one online CPU of @cpus, -1 if none */
	u32 msr;
	int reader;
	int core;		/* core counter: topology_core_id() */
	struct ga_counter ctr;
	u64 last_ns;		/* when @ctr took its last reading */
	bool sampled;		/* @raw was read in this close's flip */
	u64 raw;
	u64 raw_ns;
	u64 pending_uj;		/* taken by the wrap poll since the close */
	u32 pending_flags;
	/* this interval */
	u64 busy_ns;
	u64 busy_count;
	u64 uncounted_ns;
	u64 capacity_ns;
	struct ga_interval iv;
};

struct greenai_dom {
	struct greenai_domain desc;
	struct cpumask cpus;
	struct greenai_meter *meters;	/* list, through meter->next */
	unsigned int nr_meters;
	int group;		/* package (model); RAPL: where it is read */
	struct ga_rapl_reg reg;	/* RAPL: its register */
	/* power model: µW, and the sub-µJ remainder carried, in 1/den µJ */
	u64 idle_uw;
	u64 max_uw;
	u64 model_rem;
	u64 model_den;
	/* idle: a fixed power (0: none), the calibration, the last policy */
	u64 idle_fixed_uw;
	struct ga_idle_cal cal;
	struct ga_idle_policy idle;
	/* this interval, over all meters */
	u64 busy_ns;
	u64 capacity_ns;
	/* since load, µJ */
	u64 energy_uj;
	u64 active_uj;
	u64 idle_uj;
	u64 node_idle_uj;
	u64 unattributed_uj;
	u32 flags_seen;		/* GREENAI_F_* of every interval so far */
};

extern struct greenai_dom *greenai_doms;
extern unsigned int greenai_nr_doms;
extern struct greenai_meter *greenai_meters;
extern unsigned int greenai_nr_meters;

/**
 * struct greenai_source_ops - where the domains' energy comes from
 * @name: what the kernel log calls it ("RAPL counters", "power model")
 * @domains: make the source's domains, at init, with greenai_domains_alloc()
 *	and greenai_meter_add(), before any CPU joins a meter. Return: 0,
 *	-ENODEV when the machine has none, or -errno; a source that fails
 *	keeps nothing (domain.c frees the table).
 * @start: start reading, once the online CPUs have joined their meters;
 *	may be NULL. Return: 0 or -errno.
 * @stop: stop reading and let go of what @domains took; called once at
 *	exit, after a failed @start too; may be NULL
 * @cpu_online: a CPU, online, joins its meters; under greenai_lock
 * @cpu_offline: a CPU, still online, is going down; under greenai_lock;
 *	may be NULL
 * @sample_local: read the meters this CPU reads, in the flip IPI
 *	(interrupts off, under the closer's greenai_lock), so energy and run
 *	time are cut at the same moment; may be NULL
 * @energy: a meter's energy over the interval just closed, of
 *	@elapsed_ns, in µJ, and the GREENAI_F_* that apply; under
 *	greenai_lock, after the flip, with the interval's busy_ns and
 *	capacity_ns of the meter and its domain set
 *
 * One source feeds all the domains of a load. domain.c calls a source
 * only through these; a source calls domain.c's helpers.
 */
struct greenai_source_ops {
	const char *name;
	int (*domains)(void);
	int (*start)(void);
	void (*stop)(void);
	void (*cpu_online)(unsigned int cpu);
	void (*cpu_offline)(unsigned int cpu);
	void (*sample_local)(void);
	u64 (*energy)(struct greenai_meter *m, u64 elapsed_ns, u32 *flags);
};

int greenai_domains_init(const struct greenai_source_ops *src,
			 const struct greenai_source_ops *fallback);
void greenai_domains_exit(void);
int greenai_domains_alloc(unsigned int nr_doms, unsigned int max_meters);
struct greenai_meter *greenai_meter_add(struct greenai_dom *d);
int greenai_cpu_package(int cpu);
u64 greenai_domains_start_ns(void);
void greenai_domains_sample_local(void);
u64 greenai_meter_energy(struct greenai_meter *m, u64 elapsed_ns,
			 u32 *flags);
const char *greenai_kind_name(u16 kind);
const char *greenai_source_name(u16 source);

/* --- energy sources: RAPL (rapl_msr.c), the model (model.c), host.c ----- */

extern const struct greenai_source_ops greenai_rapl_ops;
extern const struct greenai_source_ops greenai_model_ops;
extern const struct greenai_source_ops greenai_host_ops;

int greenai_model_set(u64 idle_uw, u64 max_uw);
int greenai_host_feed(unsigned int index, const char *name, u64 energy_uj,
		      u64 range_uj);

/* --- interval close (interval.c) ---------------------------------------- */

extern struct mutex greenai_lock;
extern u32 greenai_idle_share;	/* enum greenai_idle_share */
extern bool greenai_idle_util;	/* idle by the utilisation ratio */

int greenai_idle_set_fixed(const char *name, u64 uw);
void greenai_idle_policy_of(const struct greenai_dom *d,
			    struct ga_idle_policy *out);

struct greenai_stats {
	u64 intervals;
	u64 slot_overflow_ns;
	u64 exits;
	u64 exits_dropped;
	u64 exits_untracked;
	u64 exits_forced;	/* folded after GREENAI_EXIT_MAX_WAIT_NS */
	u64 exits_pending;	/* waiting to be folded after the last close */
	u64 tasks_swept;	/* rows of processes gone, exit not folded */
	u64 cgroups_removed;	/* rows of removed cgroups handed on */
	u64 flushes_refused;	/* flushes over the rate limit */
	u64 close_ns;		/* time spent closing intervals */
	u64 last_close_ns;	/* CLOCK_MONOTONIC of the last close */
};

extern struct greenai_stats greenai_stats;

int greenai_interval_init(void);
void greenai_interval_exit(void);
void greenai_interval_close(void);
int greenai_interval_flush(void);

/* --- task and cgroup tables (table.c) ----------------------------------- */

struct greenai_task {
	struct hlist_node node;
	u32 tgid;
	u32 seen_gen;		/* the last close that charged it */
	u64 cgroup_id;
	u64 start_ns;		/* the process's start_time */
	u64 cpu_ns;
	bool exiting;		/* its exit waits to be folded */
	bool gone;		/* its process was gone at the last sweep */
	char comm[GREENAI_COMM_LEN];
	struct greenai_energy energy[];	/* greenai_nr_doms entries */
};

struct greenai_cgroup {
	struct hlist_node node;
	u64 id;
	u32 seen_gen;		/* the last close that charged it */
	u32 ref_gen;		/* the last sweep that found a process in it */
	u64 cpu_ns;
	u64 nr_exited;
	struct greenai_energy energy[];
};

int greenai_table_init(void);
void greenai_table_exit(void);
struct greenai_task *greenai_task_get(u32 tgid, u64 start_ns,
				      u64 cgroup_id, const char *comm);
struct greenai_task *greenai_task_find(u32 tgid);
void greenai_task_remove(struct greenai_task *t);
struct greenai_cgroup *greenai_cgroup_get(u64 id);
struct greenai_cgroup *greenai_cgroup_find(u64 id);
void greenai_cgroup_remove(struct greenai_cgroup *c);
struct greenai_task *greenai_task_overflow_entry(void);
struct greenai_cgroup *greenai_cgroup_overflow_entry(void);
bool greenai_task_is_overflow(const struct greenai_task *t);
bool greenai_cgroup_is_overflow(const struct greenai_cgroup *c);
void greenai_table_stats(u64 *tasks, u64 *task_overflows, u64 *cgroups,
			 u64 *cgroup_overflows);

/* Iterate under greenai_lock; the overflow entries come last. */
typedef int (*greenai_task_fn)(struct greenai_task *t, void *arg);
typedef int (*greenai_cgroup_fn)(struct greenai_cgroup *c, void *arg);
int greenai_tasks_for_each(greenai_task_fn fn, void *arg);
int greenai_cgroups_for_each(greenai_cgroup_fn fn, void *arg);
/* The same without the overflow entries; @fn may remove the entry. */
int greenai_tasks_sweep(greenai_task_fn fn, void *arg);
int greenai_cgroups_sweep(greenai_cgroup_fn fn, void *arg);

/* --- the record ring (ring.c) ------------------------------------------- */

struct file;
struct poll_table_struct;

int greenai_ring_init(void);
void greenai_ring_exit(void);
void greenai_ring_emit(struct greenai_rec_hdr *rec);
void greenai_ring_stats(u64 *records, u64 *lost);
int greenai_ring_open(void);
void greenai_ring_release(void);
ssize_t greenai_ring_read(char __user *ubuf, size_t count, bool nonblock);
__poll_t greenai_ring_poll(struct file *f, struct poll_table_struct *wait);
size_t greenai_ring_bytes(void);

/* --- /proc/greenai (procfs.c) and /dev/greenai (device.c) ---------------- */

int greenai_procfs_init(void);
void greenai_procfs_exit(void);

int greenai_dev_init(void);
void greenai_dev_exit(void);
bool greenai_may_read(void);

#endif /* _GREENAI_KMOD_INTERNAL_H */
