/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's carbon label: what `greenai run` measured, as the ledger records
 * it and as it prints it.
 */
#ifndef _GREENAI_LABEL_H
#define _GREENAI_LABEL_H

#include <stdio.h>

#include <greenai/libgreenai.h>

struct cli_label {
	struct ga_run run;		/* its strings point into this label */
	__u64 start_ns, end_ns;		/* CLOCK_MONOTONIC */
	struct ga_metrics metrics;
	char command[1024];
	char host[256];
	char backend[64];
	char model[256];
	char region[GA_REGION_MAX];
	char cgroup[4096];		/* the run's, from the cgroup2 root */
	char ct_runtime[16];		/* the run's container, else greenai's */
	char ct_id[256];
	char sources[256];		/* the energy sources used */
	char idle_policy[512];		/* ga_idle_summary() at the end */
	char estimate[512];		/* how estimated figures are made */
	struct ga_machine machine;	/* what the run ran on */
	char gpu_models[256];		/* the GPUs in the total, by model */
	char names[GA_LEDGER_MAX_DOMAINS][32];
	char estimates[GA_LEDGER_MAX_DOMAINS][256];	/* each domain's */
	__u64 cpu_ns;
	__u64 total_active_uj, total_idle_uj;
	int found;			/* its cgroups had figures */
	int estimated;			/* a domain in the total is */
	int has_score;
	double score;
};

void cli_label_begin(struct cli_label *lb, char **argv, const char *model,
		    const char *backend, const struct ga_intensity *in,
		    uint32_t pue_milli);
void cli_label_where(struct cli_label *lb, const char *cgroup);
int cli_label_measure(const struct ga_ctx *g, const char *cgpath,
		     const struct ga_acct_cgroup *base,
		     struct ga_acct_cgroup *out);
void cli_label_finish(struct cli_label *lb, const struct ga_ctx *g,
		     const char *cgpath, const struct ga_acct_cgroup *base,
		     int has_accuracy, double accuracy);
void cli_label_print(const struct cli_label *lb, FILE *f,
		    const char *ledger);
void cli_label_set_co2(struct cli_label *lb, uint64_t co2_ug);
__u64 cli_label_energy_now(const struct ga_ctx *g, const char *cgpath,
			   const struct ga_acct_cgroup *base);

#endif /* _GREENAI_LABEL_H */
