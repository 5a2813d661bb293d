/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger as JSON (json-c), for `greenai report --format json` and
 * `greenai export --format json`. Exact figures are integers in base
 * units (energy_uj, co2_ug); the kWh and kg beside them are for reading.
 * Times are UTC, RFC 3339. What is not known is null.
 */
#ifndef _GREENAI_JSON_OUT_H
#define _GREENAI_JSON_OUT_H

#include <stdio.h>
#include <json-c/json.h>

#include <greenai/libgreenai.h>

#include "models.h"

struct json_object *cli_run_json(const struct ga_run *run);
struct json_object *cli_sum_json(const struct cli_model_sum *m,
				enum cli_group_by by);
int cli_json_print(struct json_object *o, FILE *f);

#endif /* _GREENAI_JSON_OUT_H */
