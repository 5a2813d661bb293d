// SPDX-License-Identifier: GPL-2.0
/*
 * A run's SCI and its terms (sci.h).
 */
#include <string.h>

#include <greenai/libgreenai.h>

#include "models.h"
#include "sci.h"

#define CLI_S_PER_YEAR	(365.25 * 86400)

/* What a run's unit is called: its unit, else "unit". */
const char *cli_unit_name(const struct ga_run *run)
{
	return run->unit && *run->unit ? run->unit : "unit";
}

/**
 * cli_sci_run() - the SCI of a completed run, term by term
 * @run: the run
 * @emb: TE and EL
 * @out: the terms (sci.h); M and the SCI only when the ledger has the
 *	 run's CPU time and the machine's CPUs (has_share)
 */
void cli_sci_run(const struct ga_run *run, const struct ga_embodied *emb,
		 struct cli_sci *out)
{
	double busy, mg_uj = 0, uj = 0;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->e_kwh = cli_run_total_uj(run) * (run->pue_milli / 1000.0) /
		     (double)GA_UJ_PER_KWH;
	/* the intervals' intensities weighed by their energy */
	for (i = 0; i < run->nr_intervals; i++) {
		mg_uj += (double)run->intervals[i].mg_per_kwh *
			 run->intervals[i].energy_uj;
		uj += run->intervals[i].energy_uj;
	}
	out->i_g_per_kwh = (uj > 0 ? mg_uj / uj : run->mg_per_kwh) / 1000.0;
	out->o_g = out->e_kwh * out->i_g_per_kwh;
	out->duration_s = (run->end_unix_ns - run->start_unix_ns) / 1e9;
	out->per_unit = run->has_units && run->units > 0;
	out->r = out->per_unit ? run->units : 1;
	if (!run->nr_cpus || out->duration_s <= 0)
		return;
	out->has_share = 1;
	busy = out->duration_s * run->nr_cpus;
	out->share = run->cpu_ns / 1e9 / busy;
	if (out->share > 1)
		out->share = 1;
	out->m_g = emb->total_g * (out->duration_s /
				   (emb->lifetime_myears / 1000.0 *
				    CLI_S_PER_YEAR)) * out->share;
	out->sci_g = (out->o_g + out->m_g) / out->r;
}
