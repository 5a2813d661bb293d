/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Energy to CO2e, and the Green Score (docs/carbon.md):
 *   CO2e = energy (kWh) x grid intensity (g CO2e/kWh) x PUE
 *   Green Score = accuracy (%) / CO2e (kg)
 * CO2e is computed in integers (µJ, mg/kWh, PUE in thousandths) into µg,
 * rounded to the nearest; one interval at a time, so that an intensity
 * that changes gives the right sum.
 */
#ifndef _GREENAI_CARBON_H
#define _GREENAI_CARBON_H

#include <stdint.h>

#define GA_J_PER_KWH	3600000ULL		/* J in a kWh: 3.6e6 */
#define GA_UJ_PER_KWH	(GA_J_PER_KWH * 1000000)
#define GA_PUE_MIN_MILLI	1000	/* 1.0: nothing beyond the IT load */
#define GA_PUE_MAX_MILLI	10000

int ga_co2_ug(uint64_t energy_uj, uint32_t mg_per_kwh, uint32_t pue_milli,
	      uint64_t *co2_ug);
int ga_pue_parse(const char *s, uint32_t *pue_milli);
int ga_accuracy_parse(const char *s, double *pct);
int ga_co2_kg_parse(const char *s, double *kg);
int ga_green_score(double accuracy_pct, double co2_kg, double *score);

#endif /* _GREENAI_CARBON_H */
