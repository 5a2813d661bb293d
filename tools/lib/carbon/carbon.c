// SPDX-License-Identifier: GPL-2.0
/*
 * Energy to CO2e and the Green Score (carbon.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <greenai/carbon.h>

#include "base/decimal.h"


/**
 * ga_co2_ug() - the CO2e of some energy
 * @energy_uj: the energy, µJ
 * @mg_per_kwh: the grid intensity, mg CO2e/kWh
 * @pue_milli: the PUE in thousandths (1000 for none)
 * @co2_ug: µg CO2e, rounded to the nearest
 *
 * No inputs overflow: 2^64 µJ at 100 kg/kWh and a PUE of 10 is 5.1e18 µg.
 *
 * Return: 0, or -EINVAL for a PUE out of 1.0..10.0.
 */
int ga_co2_ug(uint64_t energy_uj, uint32_t mg_per_kwh, uint32_t pue_milli,
	      uint64_t *co2_ug)
{
	/* µg = µJ / (µJ/kWh) x mg/kWh x 1000 µg/mg x PUE(milli) / 1000 */
	const unsigned __int128 den = GA_UJ_PER_KWH;
	unsigned __int128 v;

	if (pue_milli < GA_PUE_MIN_MILLI || pue_milli > GA_PUE_MAX_MILLI)
		return -EINVAL;
	v = (unsigned __int128)energy_uj * mg_per_kwh * pue_milli;
	*co2_ug = (uint64_t)((v + den / 2) / den);
	return 0;
}

/* "1.2": 1200. Return: 0, or -EINVAL outside 1.0..10.0. */
int ga_pue_parse(const char *s, uint32_t *pue_milli)
{
	uint64_t v;

	if (ga_parse_milli(s, GA_PUE_MAX_MILLI, &v) || v < GA_PUE_MIN_MILLI)
		return -EINVAL;
	*pue_milli = v;
	return 0;
}

/* A plain non-negative decimal (strtod's forms but hex, inf and nan). */
static int ga_parse_plain(const char *s, double *out)
{
	const char *p;
	char *end;

	for (p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' ||
		      *p == 'E' || *p == '-' || *p == '+'))
			return -EINVAL;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno || !isfinite(*out))
		return -EINVAL;
	return 0;
}

/* Accuracy in % (0 to 100). */
int ga_accuracy_parse(const char *s, double *pct)
{
	if (ga_parse_plain(s, pct) || *pct > 100)
		return -EINVAL;
	return 0;
}

/* CO2e in kg, more than 0. */
int ga_co2_kg_parse(const char *s, double *kg)
{
	if (ga_parse_plain(s, kg) || !(*kg > 0))
		return -EINVAL;
	return 0;
}

/**
 * ga_green_score() - accuracy per kilogram of CO2e
 * @accuracy_pct: 0 to 100
 * @co2_kg: more than 0
 * @score: accuracy_pct / co2_kg (BERT: 90 % for 550 kg gives 0.164)
 *
 * Return: 0, or -EINVAL for arguments out of range.
 */
int ga_green_score(double accuracy_pct, double co2_kg, double *score)
{
	if (!(accuracy_pct >= 0 && accuracy_pct <= 100) || !(co2_kg > 0) ||
	    !isfinite(co2_kg))
		return -EINVAL;
	*score = accuracy_pct / co2_kg;
	return 0;
}
