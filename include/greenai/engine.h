/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai's engine: one API over greenai's backends, for every tool.
 *
 * ga_open() picks a backend: the module (greenai.ko: /proc/greenai and
 * /dev/greenai) when it is loaded, else the BPF programs loaded in this
 * process; for a caller that is not root, the greenai agent (agent.h)
 * when its socket exists: then the figures are the agent's, of the
 * caller's own processes and cgroups only. The caller can force any. It opens the energy sources the
 * backend needs in userspace: in BPF mode, the CPU's (powercap, else the
 * perf power PMU, else, in a VM, its host's figures, else the power model)
 * and the others (hwmon, GPUs).
 *
 * ga_sample() closes an interval now: in BPF mode, it charges each CPU's
 * running process up to now, takes every process's run time and every
 * domain's energy since the last sample, and splits it with the shared
 * attribution core (include/greenai/attrib.h), so the figures mean what
 * the module's
 * mean. Interval and exit records (include/uapi/greenai.h) go to the
 * record callback as they are made; the per-process and per-cgroup totals
 * since ga_open() are read with the for_each functions.
 *
 * Not thread-safe: one thread per context.
 */
#ifndef _GREENAI_ENGINE_H
#define _GREENAI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <greenai/attrib.h>
#include <greenai/bpf_counters.h>
#include <greenai/identity.h>
#include <greenai/idle.h>
#include <uapi/greenai.h>

/*
 * The figures of a process, a cgroup and a domain since ga_open(), as the
 * accounting keeps them (per domain: active and idle µJ, struct
 * greenai_energy). Processes and cgroups past the tables' caps are
 * charged to an overflow entry of each table, counted, never dropped.
 */
#define GA_ACCT_OVERFLOW_ID	((__u32)-1)	/* tgid of the overflow entry */

struct ga_acct_task {
	__u32 tgid;		/* GA_ACCT_OVERFLOW_ID for the overflow entry */
	__u64 cgroup_id;	/* where it last ran */
	__u64 start_ns;
	char comm[GREENAI_COMM_LEN];
	__u64 cpu_ns;
	struct greenai_energy energy[GREENAI_MAX_DOMAINS];
};

struct ga_acct_cgroup {
	__u64 id;		/* 0 for the overflow entry */
	__u64 cpu_ns;
	__u64 nr_exited;
	struct greenai_energy energy[GREENAI_MAX_DOMAINS];
};

/*
 * energy_uj == active_uj + idle_uj == Σ processes + node_idle_uj +
 * unattributed_uj; @idle is the policy the last interval was split under.
 */
struct ga_acct_domain_totals {
	__u64 energy_uj;
	__u64 active_uj;
	__u64 idle_uj;
	__u64 node_idle_uj;	/* idle the processes were not given */
	__u64 unattributed_uj;	/* active, with no process to take it */
	__u32 flags_seen;
	struct ga_idle_policy idle;
};

typedef int (*ga_acct_task_fn)(const struct ga_acct_task *t, void *arg);
typedef int (*ga_acct_cgroup_fn)(const struct ga_acct_cgroup *c, void *arg);

struct ga_acct_stats {
	__u64 intervals;
	__u64 tasks;
	__u64 task_overflows;	/* charges that found the task table full */
	__u64 cgroups;
	__u64 cgroup_overflows;
	__u64 exits;
};

/* How the BPF programs attach, and the sizes of their maps. */
enum ga_bpf_attach {
	GA_BPF_ATTACH_AUTO,	/* tp_btf where the kernel has BTF, else raw_tp */
	GA_BPF_ATTACH_TP_BTF,
	GA_BPF_ATTACH_RAW_TP,
};

struct ga_bpf_conf {
	enum ga_bpf_attach attach;
	__u32 max_runs;		/* ga_runs and ga_procs entries; 0: default */
	__u32 exits_kb;		/* ga_exits ring, KiB, a power of 2; 0: default */
	bool no_exits;		/* do not write exit records */
};

enum ga_backend {
	GA_BACKEND_AUTO,
	GA_BACKEND_MODULE,
	GA_BACKEND_BPF,
	GA_BACKEND_AGENT,	/* the greenai agent's last sample (agent.h) */
};

/*
 * What weighs a process's share of a package's and its cores' active
 * energy (DRAM, platforms and GPUs have their own). Interval records
 * weighed by a counter say so (GREENAI_F_WEIGHT_COUNT). BPF mode only:
 * the module weighs by run time.
 */
enum ga_weight {
	GA_WEIGHT_AUTO,		/* CPU cycles where a PMU counts them, else */
				/* run time */
	GA_WEIGHT_TIME,		/* run time */
	GA_WEIGHT_CYCLES,	/* CPU cycles; ga_open() fails without them */
	GA_WEIGHT_CPU_CLOCK,	/* the software cpu-clock counter: run time, */
				/* by the counters' path (for tests) */
};

/* "auto", "time", "cycles", "cpu-clock". Return: 0 or -EINVAL. */
int ga_weight_parse(const char *name, enum ga_weight *out);
const char *ga_weight_name(enum ga_weight w);

enum ga_cpu_source {
	GA_CPU_SOURCE_AUTO,	/* powercap, else perf, else the host's */
				/* hand-over tree (a VM), else the model */
	GA_CPU_SOURCE_POWERCAP,
	GA_CPU_SOURCE_PERF,
	GA_CPU_SOURCE_MODEL,
	GA_CPU_SOURCE_HOST,
};

struct ga_opts {
	enum ga_backend backend;
	enum ga_cpu_source cpu_source;
	const char *sysfs_root;		/* NULL: "/" */
	const char *nvml_lib;		/* NULL: "libnvidia-ml.so.1" */
	/*
	 * The power model, where no sensor is: per package, µW, when
	 * model_max_uw is given; else per CPU (hardware thread), mW, when
	 * model_cpu_max_mw is (greenai.conf's model_idle_w and model_max_w,
	 * ga_settings_model()); else Cloud Carbon Footprint's minimum and
	 * maximum watts per vCPU of the CPU's processor family. model_from
	 * says where given figures are from ("model_max_w in FILE:LINE"),
	 * for the source every estimated figure names; NULL: "given".
	 */
	__u64 model_idle_uw;
	__u64 model_max_uw;
	/* with the module, its CPU domains are split under its own policy */
	struct ga_idle_conf idle;
	enum ga_weight weights;
	__u32 model_cpu_idle_mw;
	__u32 model_cpu_max_mw;
	const char *model_from;
	bool no_extra_sources;		/* only the CPU's energy source */
	unsigned int max_tasks;		/* 0: 65536 */
	unsigned int max_cgroups;	/* 0: 4096 */
	struct ga_bpf_conf bpf;
	/*
	 * Learn the path of each cgroup as it first appears (a walk of the
	 * cgroup mount after a sample that met new ones), so that
	 * ga_cgroup_tree() can sum a cgroup with its descendants.
	 */
	bool cgroup_paths;
	/*
	 * The greenai agent's socket (agent.h), for the backend "agent", which
	 * auto picks when the caller is not root and it exists. NULL:
	 * $GREENAI_AGENT_SOCKET, else GA_AGENT_SOCKET_DEF.
	 */
	const char *agent_socket;
	/*
	 * In a VM, where the host's greenai hands over the energy it measured
	 * for it (docs/vms.md), under sysfs_root; NULL: /var/lib/greenai/host.
	 * ga_settings_host_energy_dir() says what the settings give.
	 */
	const char *host_energy_dir;
};

/* Every interval and exit record, as it is made. */
typedef void (*ga_record_fn)(const struct greenai_rec_hdr *rec, void *arg);

/* An energy source tried at open: used, or skipped and why. */
struct ga_source_status {
	const char *name;
	bool used;
	const char *reason;		/* why skipped; "" when used */
};

struct ga_stats {
	struct ga_acct_stats acct;
	struct ga_bpf_counters bpf;
	__u64 exits_pending;
	__u64 exits_forced;		/* folded, though not seen gone */
	__u64 exits_untracked;		/* exits of processes never charged */
	__u64 exits_swept;		/* folded with no exit record: lost */
	__u64 runs_evicted;		/* BPF: run entries made room for others */
	__u64 switch_run_ns;		/* BPF: time in the sched_switch program */
	__u64 switch_runs;		/* (kernel.bpf_stats_enabled=1 only) */
};

struct ga_ctx;

int ga_open(struct ga_ctx **out, const struct ga_opts *opts, char *err,
	    size_t err_size);
void ga_close(struct ga_ctx *g);
const char *ga_backend_name(const struct ga_ctx *g);
/*
 * "auto", "module", "bpf" or "agent", as --backend says it.
 * Return: 0 or -EINVAL.
 */
int ga_backend_parse(const char *name, enum ga_backend *out);
void ga_set_record_fn(struct ga_ctx *g, ga_record_fn fn, void *arg);

int ga_sample(struct ga_ctx *g);
/* How often ga_wait() takes the records waiting in the kernel. */
#define GA_DRAIN_MS	100
int ga_wait(struct ga_ctx *g, __u64 until_ns, int fd);
int ga_drain(struct ga_ctx *g);
void ga_sweep(struct ga_ctx *g);

unsigned int ga_nr_domains(const struct ga_ctx *g);
const struct greenai_domain *ga_domain(const struct ga_ctx *g,
				       unsigned int id);
const struct ga_acct_domain_totals *ga_domain_totals(const struct ga_ctx *g,
						     unsigned int id);
int ga_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn, void *arg);
int ga_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
		       void *arg);
/*
 * A cgroup with its descendants, as cpu.stat counts it: the own figures
 * (ga_for_each_cgroup()) of the cgroup at @cgpath (a path as in
 * /proc/PID/cgroup) and of every cgroup below it, summed, those that have
 * gone included while the accounting keeps them. Each cgroup's own
 * figures are taken once: the trees of cgroups none of which is below
 * another add up without counting anything twice. out->id is @cgpath's
 * id when the accounting has it, else 0; @nr says how many cgroups were
 * summed (0: nothing of the tree ran).
 *
 * Needs ga_opts.cgroup_paths. A cgroup's path is learnt at the first
 * sample it is charged in: one made and removed between two samples
 * cannot be placed, and counts in the machine's figures only.
 *
 * Return: 0; -EINVAL when @cgpath is not absolute; -EOPNOTSUPP without
 * cgroup_paths; -errno of reading the figures.
 */
int ga_cgroup_tree(const struct ga_ctx *g, const char *cgpath,
		   struct ga_acct_cgroup *out, unsigned int *nr);
/*
 * Drop a cgroup that has gone, and its totals, once its reader has taken
 * them: the tables stay bounded while containers come and go. Not during
 * ga_for_each_cgroup(). Return: 0; -EBUSY while a process that ran in it
 * is not folded yet; -ENOENT; -EOPNOTSUPP with the module (its table is
 * its own).
 */
int ga_forget_cgroup(struct ga_ctx *g, __u64 id);
/*
 * Whether domain @id counts in a sum over domains without counting any
 * energy twice: psys where there is one, else packages and DRAM; GPUs;
 * never cores or uncore (inside their package), nor a domain flagged
 * GREENAI_F_NESTED (an APU's PPT, which holds its package), nor platform
 * sensors (hwmon), which may measure the whole machine.
 */
bool ga_domain_in_total(const struct ga_ctx *g, unsigned int id);
const char *ga_domain_error(const struct ga_ctx *g, unsigned int id);
/* A GPU's model ("NVIDIA A100-SXM4-40GB"), as NVML names it; "" unknown */
const char *ga_domain_device(const struct ga_ctx *g, unsigned int id);
/*
 * Whether ga_domain_totals() holds the domains' energy: false for a caller
 * that is not root through the agent, which gives the machine's energy to
 * root only (agent.h); the totals are then 0 but for the idle policy.
 */
bool ga_domain_totals_shown(const struct ga_ctx *g);
/*
 * The idle policy the domains were last split under, as every output
 * says it: "capacity: package-0 calibrated 9.800 W, dram-0 by
 * utilisation" (before the first sample: what was asked for).
 */
void ga_idle_summary(const struct ga_ctx *g, char *out, size_t size);
/* What weighs packages' and cores' active energy: GA_WEIGHT_TIME or _CYCLES/_CPU_CLOCK. */
enum ga_weight ga_weights(const struct ga_ctx *g);
/*
 * How domain @id's figures are estimated, "power model: SOURCE: I..M W per
 * package"; "" when they are measured.
 */
const char *ga_domain_estimate(const struct ga_ctx *g, unsigned int id);
/*
 * Where domain @id's figures come from, as every output says it:
 * "measured", "estimated", or, in a VM whose host hands its figures over
 * (source "host"), "measured by the host" or "estimated by the host".
 */
const char *ga_domain_provenance(const struct ga_ctx *g, unsigned int id);
/* A domain kind's name: "package", "dram", "gpu", ...; "other" if unknown. */
const char *ga_domain_kind_name(__u16 kind);
unsigned int ga_sources(const struct ga_ctx *g,
			const struct ga_source_status **out);
void ga_stats(const struct ga_ctx *g, struct ga_stats *out);

/*
 * Who a live process is (identity.h): exe, command line, cgroup path,
 * container, model label, ML frameworks. Read once per process and kept
 * until it is folded at exit; read again after an exec (when its name
 * changes). Return: 0, or -ESRCH when it has gone (its exit record is
 * then all there is), or -errno.
 */
int ga_identity(struct ga_ctx *g, __u32 tgid, const struct ga_identity **out);

#endif /* _GREENAI_ENGINE_H */
