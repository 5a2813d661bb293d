/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * greenai ABI: what the kernel module, the BPF programs and the userspace
 * tools agree on. Records read from /dev/greenai (and from the BPF ring
 * buffer), domain descriptors, ioctl numbers and limits.
 *
 * Rules of this file:
 * - fixed-width types only, no pointers, explicit padding, every field
 *   naturally aligned, every structure a multiple of 8 bytes;
 * - every unit in a comment: energy in µJ, time in ns, power in µW;
 * - a record starts with struct greenai_rec_hdr whose size field lets a
 *   reader skip record types (or trailing fields) it does not know;
 * - GREENAI_ABI_VERSION goes up on any incompatible change; fields are
 *   only ever appended, and readers check hdr.size before reading them.
 *
 * Timestamps are CLOCK_MONOTONIC (ktime_get_ns() in the kernel).
 */
#ifndef _UAPI_GREENAI_H
#define _UAPI_GREENAI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/ioctl.h>
#endif

#define GREENAI_ABI_VERSION	2

/* Limits */
#define GREENAI_MAX_DOMAINS	32	/* energy domains one backend reports */
#define GREENAI_COMM_LEN	16	/* same as TASK_COMM_LEN */
#define GREENAI_NAME_LEN	32	/* domain names, NUL-terminated */
#define GREENAI_INTERVAL_MIN_MS	10	/* accounting interval bounds */
#define GREENAI_INTERVAL_MAX_MS	10000
#define GREENAI_INTERVAL_DEF_MS	100
#define GREENAI_REC_MAX_SIZE	4096	/* no record is larger */

/* Record types (struct greenai_rec_hdr.type) */
enum greenai_rec_type {
	GREENAI_REC_INTERVAL = 1,	/* struct greenai_rec_interval */
	GREENAI_REC_TASK_EXIT = 2,	/* struct greenai_rec_task_exit */
	GREENAI_REC_LOST = 3,		/* struct greenai_rec_lost */
	GREENAI_REC_CGROUP_GONE = 4,	/* struct greenai_rec_cgroup_gone */
};

/* Common header of every record. */
struct greenai_rec_hdr {
	__u16 type;		/* enum greenai_rec_type */
	__u16 size;		/* bytes, header included, multiple of 8 */
	__u32 seq;		/* per-stream sequence number, wraps */
	__u64 ts_ns;		/* CLOCK_MONOTONIC, ns */
};

/* Domain kinds (struct greenai_domain.kind) */
enum greenai_domain_kind {
	GREENAI_DOM_PACKAGE = 1,	/* CPU package (RAPL PKG) */
	GREENAI_DOM_CORE = 2,		/* cores (RAPL PP0, AMD core) */
	GREENAI_DOM_UNCORE = 3,		/* uncore / integrated GPU (RAPL PP1) */
	GREENAI_DOM_DRAM = 4,		/* memory of a package */
	GREENAI_DOM_PSYS = 5,		/* platform (RAPL PSys) */
	GREENAI_DOM_GPU = 6,		/* discrete GPU */
	GREENAI_DOM_PLATFORM = 7,	/* other board sensor (hwmon) */
};

/* Where a domain's figures come from (struct greenai_domain.source) */
enum greenai_source {
	GREENAI_SRC_RAPL_MSR = 1,	/* module, direct MSR reads: measured */
	GREENAI_SRC_POWERCAP = 2,	/* /sys/class/powercap: measured */
	GREENAI_SRC_PERF = 3,		/* perf power PMU: measured */
	GREENAI_SRC_HWMON = 4,		/* hwmon energy or power: measured */
	GREENAI_SRC_NVML = 5,		/* NVIDIA NVML: measured */
	GREENAI_SRC_DRM = 6,		/* DRM fdinfo: measured */
	GREENAI_SRC_MODEL = 7,		/* power model: estimated */
	GREENAI_SRC_HOST = 8,		/* a VM's host: its figures, handed */
					/* over (docs/vms.md) */
};

/* struct greenai_domain.flags and struct greenai_rec_interval.flags */
#define GREENAI_F_ESTIMATED	(1U << 0) /* from a model, not a sensor */
#define GREENAI_F_WRAPPED	(1U << 1) /* hardware counter wrapped */
#define GREENAI_F_SUSPECT	(1U << 2) /* interval may hide a whole wrap */
#define GREENAI_F_CLAMPED	(1U << 3) /* busy time exceeded capacity */
/* split by share (GPUs, userspace only): */
#define GREENAI_F_SHARE_EQUAL	(1U << 4) /* equal among users: no figure */
#define GREENAI_F_SHARE_CUT	(1U << 5) /* more users than kept: some out */
/* a domain inside another's energy (userspace only): never added up */
#define GREENAI_F_NESTED	(1U << 6) /* an APU's PPT: holds its package */
/* active energy weighed by a CPU counter (cycles), not run time: */
#define GREENAI_F_WEIGHT_COUNT	(1U << 7)
/* the host's hand-over tree stopped updating (userspace only): stale */
#define GREENAI_F_STALE		(1U << 8)

/*
 * Who a domain's idle energy goes to (struct greenai_rec_interval.idle_share).
 * A task's capacity share is its run time over the domain's capacity (its
 * CPUs × the interval): what it would be given of an idle machine's power
 * had it been alone, whatever else ran.
 */
enum greenai_idle_share {
	GREENAI_IDLE_CAPACITY = 0,	/* its capacity share each, the */
					/* rest to the node (default) */
	GREENAI_IDLE_BUSY = 1,		/* all to what ran, by weight */
	GREENAI_IDLE_NONE = 2,		/* all to the node */
};

/* How a domain's idle part was estimated (greenai_rec_interval.idle_basis) */
enum greenai_idle_basis {
	GREENAI_BASIS_UTIL = 0,		/* energy × (1 - busy / capacity) */
	GREENAI_BASIS_FIXED = 1,	/* a configured idle power */
	GREENAI_BASIS_CALIBRATED = 2,	/* learned from quiet intervals */
	GREENAI_BASIS_MODEL = 3,	/* the power model's idle power */
};

/*
 * One energy domain. Energy of a count is unit_num / unit_den µJ (RAPL:
 * 10^6 / 2^ESU); range_uj is the energy after which the hardware counter
 * wraps (0: it does not).
 */
struct greenai_domain {
	__u32 id;		/* index, 0 .. nr_domains - 1 */
	__u16 kind;		/* enum greenai_domain_kind */
	__u16 source;		/* enum greenai_source */
	__u32 flags;		/* GREENAI_F_* */
	__u32 package;		/* physical package (or GPU index) */
	__u32 nr_cpus;		/* CPUs whose activity this domain covers */
	__u32 __pad;
	__u64 unit_num;		/* µJ per count = unit_num / unit_den */
	__u64 unit_den;
	__u64 range_uj;		/* µJ until the counter wraps, 0 if never */
	__u64 max_power_uw;	/* µW, used to flag suspect intervals */
	char name[GREENAI_NAME_LEN];	/* "package-0", "dram-0", ... */
};

/* Energy charged to one thing in one domain. */
struct greenai_energy {
	__u64 active_uj;	/* µJ, in proportion to its busy time */
	__u64 idle_uj;		/* µJ, its share of the domain's idle energy */
};

/*
 * GREENAI_REC_INTERVAL: one domain over one accounting interval.
 * energy_uj == active_uj + idle_uj, and the sum over every task charged in
 * the interval plus node_idle_uj plus unattributed_uj == energy_uj exactly.
 */
struct greenai_rec_interval {
	struct greenai_rec_hdr hdr;
	__u32 domain;		/* struct greenai_domain.id */
	__u32 flags;		/* GREENAI_F_* */
	__u64 start_ns;		/* CLOCK_MONOTONIC, ns */
	__u64 end_ns;
	__u64 energy_uj;	/* ΔE of the domain, µJ */
	__u64 active_uj;
	__u64 idle_uj;
	__u64 unattributed_uj;	/* active, but no task ran to take it, µJ */
	__u64 busy_ns;		/* Σ task run time on the domain's CPUs */
	__u64 capacity_ns;	/* nr_cpus × (end_ns - start_ns) */
	__u32 nr_tasks;		/* tasks charged */
	__u16 idle_share;	/* enum greenai_idle_share */
	__u16 idle_basis;	/* enum greenai_idle_basis */
	__u64 idle_power_uw;	/* the idle power in force, µW (0: by util) */
	__u64 node_idle_uj;	/* idle the tasks were not given, µJ */
};

/*
 * GREENAI_REC_TASK_EXIT: a process (thread group) that exited, with all it
 * was charged over its life. nr_domains entries of struct greenai_energy
 * follow, indexed by domain id; the BPF backend, which does not split
 * energy in the kernel, sends none.
 */
struct greenai_rec_task_exit {
	struct greenai_rec_hdr hdr;
	__u32 pid;		/* thread group id */
	__u32 ppid;
	__u32 uid;
	__u32 nr_domains;	/* struct greenai_energy entries that follow */
	__u64 cgroup_id;	/* cgroup v2 id: inode of its directory */
	__u64 start_ns;		/* CLOCK_MONOTONIC, ns */
	__u64 cpu_ns;		/* total run time of all its threads, ns */
	char comm[GREENAI_COMM_LEN];
	struct greenai_energy energy[];
};

/* GREENAI_REC_LOST: records dropped because the reader was too slow. */
struct greenai_rec_lost {
	struct greenai_rec_hdr hdr;
	__u64 lost;		/* dropped since the previous lost record */
	__u64 lost_total;	/* dropped since the stream was opened */
};

/*
 * GREENAI_REC_CGROUP_GONE: a cgroup that was removed, with what its
 * processes were charged in it since load (its own figures, as in
 * /proc/greenai/cgroups); its row leaves the module's table as this
 * record is emitted. nr_domains entries of struct greenai_energy follow,
 * indexed by domain id.
 */
struct greenai_rec_cgroup_gone {
	struct greenai_rec_hdr hdr;
	__u64 cgroup_id;	/* cgroup v2 id: inode of its directory */
	__u64 cpu_ns;		/* run time of its processes, ns */
	__u64 nr_exited;	/* its processes that exited */
	__u32 nr_domains;	/* struct greenai_energy entries that follow */
	__u32 __pad;
	struct greenai_energy energy[];
};

/* GREENAI_IOC_INFO */
struct greenai_info {
	__u32 abi_version;	/* GREENAI_ABI_VERSION */
	__u32 nr_domains;
	__u32 interval_ms;
	__u32 nr_cpus;
	__u64 ring_bytes;	/* size of the /dev/greenai ring */
};

#define GREENAI_IOC_MAGIC	0xE6
/* Backend description. */
#define GREENAI_IOC_INFO \
	_IOR(GREENAI_IOC_MAGIC, 0x01, struct greenai_info)
/* Domain descriptor: set .id, get the rest. */
#define GREENAI_IOC_DOMAIN \
	_IOWR(GREENAI_IOC_MAGIC, 0x02, struct greenai_domain)
/* Close the current interval now (readers use it before a final read). */
#define GREENAI_IOC_FLUSH	_IO(GREENAI_IOC_MAGIC, 0x03)

/* Layout is ABI: these sizes change only with GREENAI_ABI_VERSION. */
#ifndef __VMLINUX_H__
#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
#include <assert.h>
#endif
static_assert(sizeof(struct greenai_rec_hdr) == 16, "greenai_rec_hdr");
static_assert(sizeof(struct greenai_domain) == 88, "greenai_domain");
static_assert(sizeof(struct greenai_energy) == 16, "greenai_energy");
static_assert(sizeof(struct greenai_rec_interval) == 112,
	      "greenai_rec_interval");
static_assert(sizeof(struct greenai_rec_task_exit) == 72,
	      "greenai_rec_task_exit");
static_assert(sizeof(struct greenai_rec_lost) == 32, "greenai_rec_lost");
static_assert(sizeof(struct greenai_rec_cgroup_gone) == 48,
	      "greenai_rec_cgroup_gone");
static_assert(sizeof(struct greenai_info) == 24, "greenai_info");
static_assert(sizeof(struct greenai_rec_task_exit) +
	      GREENAI_MAX_DOMAINS * sizeof(struct greenai_energy) <=
	      GREENAI_REC_MAX_SIZE, "task exit record fits");
static_assert(sizeof(struct greenai_rec_cgroup_gone) +
	      GREENAI_MAX_DOMAINS * sizeof(struct greenai_energy) <=
	      GREENAI_REC_MAX_SIZE, "cgroup record fits");
#endif /* __VMLINUX_H__ */

#endif /* _UAPI_GREENAI_H */
