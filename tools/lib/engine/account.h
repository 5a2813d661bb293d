/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace accounting: what greenai.ko does at each interval close,
 * done in libgreenai for the BPF backend (and for the domains only
 * userspace sees, such as GPUs and hwmon, in module mode).
 *
 * The caller feeds one interval at a time: ga_acct_begin(), the run time
 * of every process that ran (ga_acct_charge(), per CPU) and the shares of
 * the domains that are split by share rather than CPU time (GPUs,
 * ga_acct_share()), then ga_acct_end() with each domain's energy. The
 * split is the shared attribution core's (include/greenai/attrib.h), so
 * the numbers mean what the module's mean: per domain and interval,
 * Σ processes + node idle + unattributed == energy, to the µJ.
 *
 * Memory is bounded: at most max_tasks processes and max_cgroups cgroups
 * are tracked; the rest are charged to an overflow entry of each table,
 * counted. The work of an interval is proportional to the processes
 * charged in it.
 */
#ifndef _GREENAI_ACCOUNT_H
#define _GREENAI_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include <greenai/attrib.h>
#include <greenai/engine.h>
#include <uapi/greenai.h>

struct ga_acct;

struct ga_acct_conf {
	unsigned int nr_cpus;		/* possible CPUs */
	unsigned int max_tasks;		/* 0: 65536 */
	unsigned int max_cgroups;	/* 0: 4096 */
	struct ga_idle_conf idle;
	bool counts;		/* charges carry the CPUs' counters: */
				/* packages and cores are weighed by them */
};

int ga_acct_new(struct ga_acct **out, const struct ga_acct_conf *conf);
void ga_acct_free(struct ga_acct *a);

/*
 * A domain: @cpus has one byte per possible CPU, non-zero for the CPUs
 * whose run time it is split by; NULL for a domain split by shares.
 * Return: its id (0, 1, ...), or -ENOSPC past GREENAI_MAX_DOMAINS.
 */
int ga_acct_add_domain(struct ga_acct *a, const struct greenai_domain *desc,
		       const unsigned char *cpus);
/* The source's own idle power for a domain (the model's), µW. */
void ga_acct_set_model_idle(struct ga_acct *a, unsigned int id, __u64 uw);
unsigned int ga_acct_nr_domains(const struct ga_acct *a);
const struct greenai_domain *ga_acct_domain(const struct ga_acct *a,
					    unsigned int id);
const struct ga_acct_domain_totals *
ga_acct_domain_totals(const struct ga_acct *a, unsigned int id);

void ga_acct_begin(struct ga_acct *a, __u64 start_ns, __u64 end_ns);
/* When the end is only known once the charges are in. */
void ga_acct_set_end(struct ga_acct *a, __u64 end_ns);
/* @cpu_ns: run time on each possible CPU in this interval. */
int ga_acct_charge(struct ga_acct *a, __u32 tgid, __u64 cgroup_id,
		   const char *comm, __u64 start_ns, const __u64 *cpu_ns);
/*
 * Where a (process, cgroup) was last charged, for a caller that charges
 * the same pair interval after interval: passed back, it spares the two
 * table lookups. Zeroed to start; the caller drops it once the process
 * is folded (ga_acct_exit()), which frees what it points to.
 */
struct ga_acct_ref {
	struct acct_task *task;
	struct acct_cgroup *cgroup;
};

int ga_acct_charge_ref(struct ga_acct *a, struct ga_acct_ref *ref,
		       __u32 tgid, __u64 cgroup_id, const char *comm,
		       __u64 start_ns, const __u64 *cpu_ns);
/* @cpu_count: each CPU's counter (cycles) while it ran; NULL: none */
int ga_acct_charge_counts(struct ga_acct *a, struct ga_acct_ref *ref,
			  __u32 tgid, __u64 cgroup_id, const char *comm,
			  __u64 start_ns, const __u64 *cpu_ns,
			  const __u64 *cpu_count);
/* A process with a share (ga_acct_share()) but no run time charged yet. */
int ga_acct_add_task(struct ga_acct *a, __u32 tgid, __u64 cgroup_id,
		     const char *comm, __u64 start_ns);
/* Its cgroup is where it was last charged; 0 if it never was. */
int ga_acct_share(struct ga_acct *a, unsigned int domain, __u32 tgid,
		  __u64 weight);
/*
 * @cpu_capacity_ns: the time each possible CPU was online in the
 * interval, as measured where its run time was (the BPF programs' clock),
 * NULL: end - start for every CPU; @energy_uj, @flags: each domain's;
 * @out: one record per domain.
 */
void ga_acct_end(struct ga_acct *a, const __u64 *cpu_capacity_ns,
		 const __u64 *energy_uj, const __u32 *flags,
		 struct greenai_rec_interval *out);

/*
 * ga_acct_exit() - a process has gone: its exit record, and its entry
 * folded into its cgroup's count of exited processes
 * @rec: room for an exit record with every domain
 *
 * Return: 0, or -ENOENT when the process was never charged.
 */
int ga_acct_forget_cgroup(struct ga_acct *a, __u64 id);
int ga_acct_exit(struct ga_acct *a, __u32 tgid,
		 struct greenai_rec_task_exit *rec);
/* GA_ACCT_OVERFLOW_ID / 0: the overflow entries */
const struct ga_acct_task *ga_acct_task(const struct ga_acct *a, __u32 tgid);
const struct ga_acct_cgroup *ga_acct_cgroup(const struct ga_acct *a,
					    __u64 id);

int ga_acct_for_each_task(const struct ga_acct *a, ga_acct_task_fn fn,
			  void *arg);
int ga_acct_for_each_cgroup(const struct ga_acct *a, ga_acct_cgroup_fn fn,
			    void *arg);

void ga_acct_stats(const struct ga_acct *a, struct ga_acct_stats *out);

#endif /* _GREENAI_ACCOUNT_H */
