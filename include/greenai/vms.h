/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual machines on the host as workloads: each VM's energy per
 * domain, active and idle, and its CPU time, grown from libgreenai's
 * per-process totals (ga_for_each_task()) after each ga_sample().
 *
 * A VM is its processes (vm.h): every process in a libvirt domain's
 * scope (QEMU with its vCPU, I/O and emulator threads, and the helpers
 * libvirt puts there), or a VMM process found by its command line (QEMU,
 * Firecracker, Cloud Hypervisor: one process, all its threads). Its
 * figures are the sum of what libgreenai attributes to those processes,
 * under the idle policy in force: nothing is attributed anew. Each
 * process is looked at once (its cgroup and command line, ga_vm_of_pid()),
 * again after an exec (its name changes): what it uses from then on
 * counts in the VM it is part of then.
 *
 * The counters never go backwards: each process's growth since the last
 * update is added (a process first met adds its whole total since
 * ga_open()). A process counts up to the last update it was live in.
 * A VM none of whose processes is left is ended: it stays keep_updates
 * updates as it was, then is folded into the terminated totals and
 * dropped. At most max_vms are kept; the VMs past it count in the
 * machine's figures only (dropped), as containers do.
 *
 * Through the agent (a caller that is not root), ga_for_each_task()
 * gives the caller's own processes only: a user's census holds the VMs
 * whose processes run as that user.
 *
 * Not thread-safe.
 */
#ifndef _GREENAI_VMS_H
#define _GREENAI_VMS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <greenai/engine.h>
#include <greenai/vm.h>

#define GA_VMS_MAX_DEF 10000 /* VMs kept, as containers */
#define GA_VMS_KEEP_DEF 24 /* updates an ended VM stays */

struct ga_vms_conf {
	const char *root; /* "/" (NULL): /proc under it */
	unsigned int max_vms; /* 0: GA_VMS_MAX_DEF */
	unsigned int keep_updates; /* 0: GA_VMS_KEEP_DEF */
};

/* A VM's figures since the census first met it. */
struct ga_vm_figs {
	struct ga_vm vm; /* its name, VMM and (libvirt) scope */
	int pid; /* the VMM's; 0 when none was seen */
	uid_t uid; /* the VMM's real uid, else its first process's */
	bool ended; /* none of its processes is left */
	unsigned int nr_procs; /* live ones */
	uint64_t cpu_ns;
	struct greenai_energy energy[GREENAI_MAX_DOMAINS];
	uint64_t total_uj; /* in the domains of ga_domain_in_total() */
};

struct ga_vms_stats {
	unsigned int vms; /* kept now, ended ones included */
	unsigned long dropped; /* met past max_vms */
	unsigned long terminated; /* ended and folded */
	unsigned long procs; /* processes followed */
};

struct ga_vms;

int ga_vms_new(struct ga_vms **out, const struct ga_vms_conf *conf);
void ga_vms_free(struct ga_vms *v);
int ga_vms_update(struct ga_vms *v, struct ga_ctx *g);
unsigned int ga_vms_count(const struct ga_vms *v);
const struct ga_vm_figs *ga_vms_at(const struct ga_vms *v, unsigned int i);
const struct ga_vm_figs *ga_vms_terminated(const struct ga_vms *v);
void ga_vms_remap(struct ga_vms *v, const int *map);
void ga_vms_stats(const struct ga_vms *v, struct ga_vms_stats *out);

#endif /* _GREENAI_VMS_H */
