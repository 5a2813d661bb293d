/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger: every run greenai measured, in SQLite. System-wide under
 * /var/lib/greenai when root, per user under $XDG_DATA_HOME/greenai (or
 * ~/.local/share/greenai) otherwise, or where the caller says.
 *
 * A run is written twice: at its start (status "running", with the pid and
 * start time of the process that owns it) and at its end (figures, status
 * "done"), each in one transaction. A run whose owner was killed (SIGKILL
 * leaves no chance to write) stays "running" until the next opening of the
 * ledger finds its owner gone and marks it "incomplete". Concurrent
 * writers are safe: WAL journal, a busy timeout, and immediate
 * transactions; openers take turns to set the file up (an flock on
 * "<ledger>.lock" beside it). The schema carries its version (PRAGMA user_version) and
 * is migrated forward at open; a ledger newer than this greenai is refused.
 */
#ifndef _GREENAI_LEDGER_H
#define _GREENAI_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include <greenai/machine.h>

#define GA_LEDGER_VERSION	7	/* the schema this code writes */
#define GA_LEDGER_MAX_KV	64	/* tags and metrics per run */
#define GA_LEDGER_MAX_DOMAINS	32

enum ga_run_status {
	GA_RUN_RUNNING,
	GA_RUN_DONE,
	GA_RUN_INCOMPLETE,
};

struct ga_kv {
	const char *key;
	const char *value;
};

struct ga_run_energy {
	const char *domain;	/* "package-0", "gpu-0", ... */
	const char *kind;	/* "package", "dram", "gpu", ... */
	uint64_t active_uj;
	uint64_t idle_uj;
	int estimated;		/* from a model, not a sensor */
	int in_total;		/* summed in the run's total (no overlap) */
	/* how it was estimated (ga_domain_estimate()); NULL: measured, or */
	/* not recorded (older runs) */
	const char *estimated_by;
};

/* A stretch of a run under one grid intensity. */
struct ga_run_interval {
	int64_t start_unix_ns, end_unix_ns;
	uint32_t mg_per_kwh;
	const char *source;	/* the provider's words */
	uint64_t energy_uj;	/* of the domains in the total */
	uint64_t co2_ug;	/* energy x intensity x PUE */
};

/* A wait before the start, or a freeze, on a dirty grid (--carbon-aware). */
struct ga_run_pause {
	const char *kind;		/* "wait" or "freeze" */
	int64_t start_unix_ns, end_unix_ns;
	uint32_t mg_during;		/* the mean intensity while paused */
	uint32_t mg_after;		/* over as long after it */
	uint64_t power_uw;		/* the run's mean power before it */
	int has_avoided;		/* a wait has no power to go by */
	int64_t avoided_ug;		/* CO2e not emitted (< 0: more) */
};

struct ga_run {
	int64_t id;
	const char *model;		/* NULL: none */
	const char *command;
	const char *host;
	const char *backend;
	const char *cgroup;		/* the run's, from the cgroup2 root */
	const char *container_runtime;	/* NULL: greenai was not in one */
	const char *container_id;
	int64_t start_unix_ns;
	int64_t end_unix_ns;
	enum ga_run_status status;
	int exit_code;
	/* carbon */
	const char *region;		/* NULL when the figure was given */
	uint32_t mg_per_kwh;
	const char *intensity_source;
	uint32_t pue_milli;
	uint64_t co2_ug;
	/* the idle policy its energy was split under (ga_idle_summary()) */
	const char *idle_policy;	/* NULL: not recorded (older runs) */
	/* what weighed package and core energy (ga_weight_name()) */
	const char *weights;		/* NULL: not recorded (older runs) */
	int has_accuracy;
	double accuracy_pct;
	/* the functional unit ($GREENAI_METRICS' units and unit) */
	int has_units;
	double units;			/* above 0 when has_units */
	const char *unit;		/* "predictions"; NULL: not said */
	const char *python_version;	/* NULL: not said */
	/* the run's CPU time, and the machine it ran on (NULL, 0: not */
	/* recorded, older runs) */
	uint64_t cpu_ns;
	uint32_t nr_cpus;		/* the machine's online CPUs */
	const char *cpu_model;
	uint64_t ram_total_kb;
	enum ga_cloud on_cloud;
	/* the GPUs in its energy, by model: "NVIDIA A100-SXM4-40GB", "2 x
	 * ...", "a, b"; NULL: none, or not recorded (before schema 7) */
	const char *gpu_models;
	struct ga_kv tags[GA_LEDGER_MAX_KV];
	unsigned int nr_tags;
	/* values are numbers; units, unit, python_version are above */
	struct ga_kv metrics[GA_LEDGER_MAX_KV];
	unsigned int nr_metrics;
	struct ga_run_energy energy[GA_LEDGER_MAX_DOMAINS];
	unsigned int nr_energy;
	const struct ga_run_interval *intervals;	/* by time */
	unsigned int nr_intervals;
	const struct ga_run_pause *pauses;		/* by time */
	unsigned int nr_pauses;
};

struct ga_ledger;

int ga_ledger_default_path(char *buf, size_t size);
int ga_ledger_open(struct ga_ledger **out, const char *path, char *err,
		   size_t err_size);
void ga_ledger_close(struct ga_ledger *l);
int ga_ledger_begin(struct ga_ledger *l, struct ga_run *run);
int ga_ledger_finish(struct ga_ledger *l, const struct ga_run *run);
int ga_ledger_recover(struct ga_ledger *l, unsigned int *marked);
const char *ga_ledger_error(const struct ga_ledger *l);

/* Each run, oldest first; strings live until @fn returns. */
typedef int (*ga_ledger_run_fn)(const struct ga_run *run, void *arg);
int ga_ledger_for_each_run(struct ga_ledger *l, ga_ledger_run_fn fn,
			   void *arg);
const char *ga_run_status_name(enum ga_run_status s);

#endif /* _GREENAI_LEDGER_H */
