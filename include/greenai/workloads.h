/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workload counters: the energy (J, per zone, active and idle), CO2e (g)
 * and CPU time (s) of the node and of each container, pod and ML model
 * on it, as counters that never go backwards. What greenai-exporter
 * serves; the metric logic lives here, the HTTP in tools/exporter.
 *
 * ga_wl_update() takes libgreenai's totals since it was opened, after a
 * ga_sample(), and adds each cgroup's growth since the last update to the
 * workloads it belongs to, found once per cgroup from its path (container
 * and pod: container.h; pod name and namespace: the runtime's and the
 * kubelet's files, wl_meta.c; model: the user.greenai.model label on the
 * cgroup or above). A total that went down (the backend started again)
 * counts from zero: growth, never a step back.
 *
 * Churn keeps the number of series bounded: a container or pod none of
 * whose cgroups is left is terminated; it is exposed as it is for
 * keep_updates more updates (so that every scraper sees its last
 * values; scrapes change nothing), then folded into the node's
 * terminated_* counters (and, with a ledger, recorded there as a
 * finished run), and its series dropped.
 * A model (the user.greenai.model label, which the owner of any cgroup
 * may set) is bounded and ended the same way: max_series of them at
 * most, terminated once no cgroup of it is left and the labelled cgroup
 * has gone, then folded into terminated_models. A label on a cgroup not
 * owned by root is its owner's model (owner "uid:N"), never root's.
 *
 * Per-process series are off by default (a process is no workload, and
 * pids are many and short-lived); with max_processes, the processes that
 * used most energy since the exporter started are exposed, that many at
 * most, by pid and command.
 *
 * The VMs on the node (vms.h) are counted with the rest, bounded by
 * max_series and ended after keep_updates as containers are:
 * greenai_vm_* series, labelled with the VM's name, its VMM and owner.
 * Their counters start from zero with the exporter (they are not in the
 * state file).
 *
 * ga_wl_rebase() moves the counters onto a new context when the backend
 * was started again (its totals from zero), zones matched by name.
 *
 * ga_wl_save() and ga_wl_load() keep the counters across restarts of the
 * exporter (a JSON file written whole, then renamed over the old one),
 * so that rate() never sees a reset.
 *
 * CO2e of a workload is its energy in the node's total (zones that do not
 * overlap: libgreenai's ga_domain_in_total()) at the intensity and PUE in
 * force, in integers: µJ × mg/kWh × PUE into µg (carbon.h).
 *
 * Not thread-safe: the exporter holds its lock around each call.
 */
#ifndef _GREENAI_WORKLOADS_H
#define _GREENAI_WORKLOADS_H

#include <stdbool.h>
#include <stdint.h>

#include <greenai/engine.h>
#include <greenai/exposition.h>
#include <greenai/ledger.h>
#include <greenai/vms.h>

#define GA_WL_MAX_SERIES_DEF	10000	/* containers, pods, models, each */
#define GA_WL_KEEP_UPDATES_DEF	24	/* an ended one's, before folding */

struct ga_wl_conf {
	const char *node_name;
	const char *root;		/* "/": the cgroup mount's /proc */
	const char *runtime_root;	/* "/": runtimes' and kubelet's files */
	uint32_t mg_per_kwh;
	uint32_t pue_milli;
	const char *intensity_source;
	unsigned int max_series;	/* 0: GA_WL_MAX_SERIES_DEF */
	/* updates an ended series stays as it was; 0: GA_WL_KEEP_UPDATES_DEF */
	unsigned int keep_updates;
	struct ga_ledger *ledger;	/* finished containers; NULL: none */
	/* per-process series: off (0), or the N that used most energy */
	unsigned int max_processes;
	const char *backend;		/* for the ledger */
};

struct ga_wl_stats {
	unsigned long updates;
	unsigned int containers, pods, models, cgroups;
	unsigned int vms;		/* ended ones not folded included */
	unsigned long terminated;	/* containers and pods folded */
	unsigned long dropped;		/* past max_series: node total only */
	unsigned long ledger_errors;
};

struct ga_wl;

int ga_wl_new(struct ga_wl **out, struct ga_ctx *g,
	      const struct ga_wl_conf *conf);
void ga_wl_free(struct ga_wl *w);
int ga_wl_update(struct ga_wl *w, double interval_s);
void ga_wl_rebase(struct ga_wl *w, struct ga_ctx *g);
void ga_wl_set_intensity(struct ga_wl *w, uint32_t mg_per_kwh,
			 const char *source);
int ga_wl_expose(struct ga_wl *w, struct ga_expo *e);
int ga_wl_save(const struct ga_wl *w, const char *path);
int ga_wl_load(struct ga_wl *w, const char *path, char *err,
	       size_t err_size);
void ga_wl_stats(const struct ga_wl *w, struct ga_wl_stats *out);
const struct ga_vms *ga_wl_vms(const struct ga_wl *w);

#endif /* _GREENAI_WORKLOADS_H */
