/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger's runs summed per model (or per container greenai ran in),
 * for `greenai report` and `greenai compare`: completed runs only; energy and CO2e are the sums over them
 * (the domains each run counted in its total), the accuracy is the
 * latest run's that had one, the Green Score that accuracy over the CO2e.
 */
#ifndef _GREENAI_MODELS_H
#define _GREENAI_MODELS_H

#include <stdint.h>

#include "store/ledger.h"

#define GA_MODEL_NAME_MAX	256

enum ga_group_by {
	GA_BY_MODEL,
	GA_BY_CONTAINER,	/* "<runtime>/<id>" */
};

struct ga_model_sum {
	char name[GA_MODEL_NAME_MAX];	/* "" for runs without one */
	unsigned int runs;		/* completed */
	unsigned int incomplete;
	uint64_t energy_uj;
	uint64_t co2_ug;
	int has_accuracy;
	double accuracy_pct;
	int has_score;
	double score;
};

struct ga_models {
	struct ga_model_sum *m;
	unsigned int nr, max;
};

uint64_t ga_run_total_uj(const struct ga_run *run);
int ga_models_load(struct ga_ledger *l, enum ga_group_by by,
		   struct ga_models *out);
const struct ga_model_sum *ga_models_find(const struct ga_models *ms,
					  const char *name);
void ga_models_free(struct ga_models *ms);

#endif /* _GREENAI_MODELS_H */
