/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload counters' insides (workloads.h), shared by the files that
 * keep them:
 *
 *   workloads.c  the counters grown from libgreenai's totals, each
 *                cgroup's workloads found, churn folded, rebase
 *   wl_expose.c  the counters as Prometheus families (exposition.h)
 *   wl_state.c   the counters saved to and loaded from the state file
 *   wl_ledger.c  a finished container recorded as a run in the ledger
 */
#ifndef _GREENAI_WL_INTERNAL_H
#define _GREENAI_WL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <greenai/cgroup.h>
#include <greenai/container.h>
#include <greenai/files.h>
#include <greenai/run_metrics.h>
#include <greenai/vms.h>
#include <greenai/workloads.h>

#include "base/hash.h"
#include "ident/wl_meta.h"

#define GA_WL_PENDING_MAX	4096	/* cgroups resolved in one walk */
#define WL_OWNER_MAX		80	/* "containerd:" and a 64-digit id */

enum wl_kind {
	WL_CONTAINER,
	WL_POD,
	WL_MODEL,
	WL_KINDS,
};

extern const char *const wl_kind_name[WL_KINDS];

/*
 * What a workload has used: energy per domain (by the context's domain
 * ids), CPU time, and CO2e: what earlier intensities (and earlier runs of
 * the exporter) gave, plus the energy in the total since, at the
 * intensity in force.
 */
struct wl_counts {
	uint64_t active_uj[GREENAI_MAX_DOMAINS];
	uint64_t idle_uj[GREENAI_MAX_DOMAINS];
	uint64_t cpu_ns;
	uint64_t co2_base_ug;
	uint64_t total_uj;
};

struct wl_series {
	UT_hash_handle hh;
	enum wl_kind kind;
	char key[384];	/* owner, 0x1f, a label of up to 255 bytes */
	/* labels; "" for none */
	char container_id[GA_CONTAINER_ID_LEN + 1];
	char container_name[GA_META_NAME_MAX + 1];
	const char *runtime;
	char pod_uid[GA_POD_UID_LEN + 1];
	char pod_name[GA_META_NAME_MAX + 1];
	char pod_namespace[GA_META_NAME_MAX + 1];
	char model[GA_LABEL_MAX + 1];
	/* who made it, when not root's runtimes or labels: "uid:1000", or
	 * the container it is inside ("docker:<id>") */
	char owner[WL_OWNER_MAX];
	struct wl_counts c;
	/* a model's units of work (its cgroups' user.greenai.units), in
	 * thousandths, and what a unit is ("" until a cgroup says) */
	uint64_t units_milli;
	char unit[GA_METRIC_UNIT_MAX + 1];
	unsigned int nr_cgroups;	/* live cgroups (a model's: v2) in it */
	bool terminated;
	/* terminated: the update from which on it is folded; 0: not set */
	unsigned long fold_at;
	int64_t first_unix_ns;
	/* a container's first cgroup, a pod's (its parent): to see it go */
	char *cgroup;
};

struct wl_cgroup {
	UT_hash_handle hh;
	uint64_t id;
	bool resolved, gone;
	bool kept;			/* libgreenai keeps it (the module) */
	char *path;			/* under the cgroup2 mount */
	uint64_t prev_cpu_ns;
	struct greenai_energy prev[GREENAI_MAX_DOMAINS];
	struct wl_series *s[WL_KINDS];
	/* its user.greenai.units: not read yet, read and absent, the last */
	enum { WL_UNITS_UNREAD, WL_UNITS_ABSENT, WL_UNITS_SEEN } units;
	uint64_t prev_units_milli;
};

/*
 * A process whose v2 cgroup names no container, on a host with v1
 * hierarchies: its v1 path may (a runtime with the cgroupfs driver puts
 * containers there only). Looked at once; followed when it is in one.
 */
struct wl_v1proc {
	UT_hash_handle hh;
	uint32_t tgid;
	uint64_t start_ns;
	struct wl_series *s[2];		/* container, pod; NULL: none */
	uint64_t prev_cpu_ns;
	struct greenai_energy *prev;	/* GREENAI_MAX_DOMAINS; in one only */
};

struct ga_wl {
	struct ga_ctx *g;
	struct ga_wl_conf conf;
	char node_name[256];
	char root[GA_PATH_MAX], runtime_root[GA_PATH_MAX];
	char source[128];
	char backend[64];
	struct ga_cgroup_mount mount;
	bool have_mount;
	struct ga_cgroup_resolver resolver;
	struct wl_cgroup *cgroups;
	bool v1;			/* the host may have v1 hierarchies */
	struct wl_v1proc *v1procs;
	struct wl_series *series[WL_KINDS];
	unsigned int nr_series[WL_KINDS];
	/* the node: energy per domain, and its parts */
	uint64_t base_energy_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_active_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_idle_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_unattr_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_node_idle_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_co2_ug;
	uint64_t co2_from_uj;		/* the node's total when it was set */
	double power_w[GREENAI_MAX_DOMAINS];
	uint64_t last_energy_uj[GREENAI_MAX_DOMAINS];
	uint64_t read_errors[GREENAI_MAX_DOMAINS];	/* failed readings */
	/* cgroups met this update, to be resolved in one walk */
	uint64_t pending[GA_WL_PENDING_MAX];
	unsigned int nr_pending;
	/* cgroups gone, their growth taken: dropped after the walk */
	uint64_t gone[GA_WL_PENDING_MAX];
	unsigned int nr_gone;
	/* containers, pods and models folded, keep_updates after they ended */
	struct wl_counts term[WL_KINDS];
	uint64_t nr_term[WL_KINDS];
	struct ga_wl_stats stats;
	struct ga_vms *vms;		/* the VMs (vms.h); NULL: no memory */
};

/* workloads.c */
uint64_t wl_co2(const struct ga_wl *w, const struct wl_counts *c);
uint64_t wl_node_co2(const struct ga_wl *w);
void wl_counts_add(struct wl_counts *to, const struct wl_counts *c,
		   uint64_t co2_ug);
struct wl_series *wl_series_get(struct ga_wl *w, enum wl_kind kind,
				const char *key);
void wl_series_free(struct ga_wl *w, struct wl_series *s);

/* wl_ledger.c */
void wl_record(struct ga_wl *w, const struct wl_series *s, uint64_t co2_ug);

#endif /* _GREENAI_WL_INTERNAL_H */
