/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger's runs summed per model (or per container greenai ran in or
 * measured), for `greenai report` and `greenai compare`: completed runs
 * only; energy and CO2e are the sums over them (the domains each run
 * counted in its total), the accuracy is the latest run's that had one,
 * the Green Score that accuracy over the CO2e. Per container, a run held
 * by another that measured the whole container over its time counts as
 * a run, its energy and CO2e once, in the other.
 */
#ifndef _GREENAI_MODELS_H
#define _GREENAI_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include <greenai/libgreenai.h>

#define CLI_MODEL_NAME_MAX	256

enum cli_group_by {
	CLI_BY_MODEL,
	CLI_BY_CONTAINER,	/* "<runtime>/<id>" */
};

struct cli_model_sum {
	char name[CLI_MODEL_NAME_MAX];	/* "" for runs without one */
	unsigned int runs;		/* completed */
	unsigned int incomplete;
	uint64_t energy_uj;
	uint64_t co2_ug;
	int has_accuracy;
	double accuracy_pct;
	int has_score;
	double score;
	/* the idle policy of its runs: "capacity", ..., "mixed", "unrecorded" */
	char idle[16];
	/* what weighed their CPUs: "time", "cycles", ..., "mixed", */
	/* "unrecorded" */
	char weights[16];
};

void cli_run_idle_share(const struct ga_run *run, char *out, size_t size);

struct cli_models {
	struct cli_model_sum *m;
	unsigned int nr, max;
};

uint64_t cli_run_total_uj(const struct ga_run *run);
int cli_models_load(struct ga_ledger *l, enum cli_group_by by,
		   struct cli_models *out);
const struct cli_model_sum *cli_models_find(const struct cli_models *ms,
					  const char *name);
void cli_models_free(struct cli_models *ms);

#endif /* _GREENAI_MODELS_H */
