/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's figures per functional unit, and its Software Carbon Intensity
 * (Green Software Foundation, ISO/IEC 21031:2024; docs/carbon.md):
 *
 *   SCI = (E x I + M) / R
 *
 *   E      the run's energy with the PUE's overhead, kWh (as CO2e counts it)
 *   I      the intensity it was counted at, g CO2e/kWh: the mean of the
 *          intensities in force over the run weighed by their energy (the
 *          run's figure when it did not vary); E x I is the run's CO2e
 *          but for the ledger's rounding of that to the µg
 *   M      the embodied emissions of the time and share of the machine it
 *          held: TE x (duration / EL) x share, share = CPU time /
 *          (duration x the machine's online CPUs), at most 1
 *   R      the run's units ($GREENAI_METRICS' units), else 1: per run
 */
#ifndef _GREENAI_SCI_H
#define _GREENAI_SCI_H

#include <greenai/libgreenai.h>

struct cli_sci {
	double e_kwh;
	double i_g_per_kwh;
	double o_g;		/* E x I */
	double duration_s;
	int has_share;		/* the ledger has the CPU time and CPUs */
	double share;
	double m_g;		/* when has_share */
	double r;		/* units, or 1 */
	int per_unit;		/* R is the run's units */
	double sci_g;		/* (E x I + M) / R, when has_share */
};

const char *cli_unit_name(const struct ga_run *run);
void cli_sci_run(const struct ga_run *run, const struct ga_embodied *emb,
		 struct cli_sci *out);

#endif /* _GREENAI_SCI_H */
