/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's carbon over time: the grid intensity in force while it runs
 * (asked of the providers again every so often), the run cut into
 * intervals where the intensity changes, each interval's energy and CO2e;
 * and, with --carbon-aware, the wait for a clean grid before the start
 * and the freezes of the run's cgroup (cgroup.freeze) while the grid is
 * above the threshold, never past the deadline.
 *
 * The intensity is looked at every sampling interval, so an interval's
 * edges are late by at most one sampling interval.
 */
#ifndef _GREENAI_RUN_CARBON_H
#define _GREENAI_RUN_CARBON_H

#include <stdint.h>

#include <greenai/libgreenai.h>

struct cli_run_carbon {
	struct ga_iseries series;	/* the intensity in force */
	const struct ga_live_conf *conf;	/* NULL: a figure that stays */
	int64_t next_refresh_ms;
	int refresh_warned;
	uint32_t pue_milli;
	uint32_t mg;			/* now */
	/* the intervals so far; the last one is open */
	struct ga_run_interval *iv;
	unsigned int nr_iv, cap_iv;
	uint64_t iv_energy0;		/* the run's energy at its start */
	/* --carbon-aware */
	int aware;
	uint32_t max_mg;
	int64_t deadline_ms;
	char cgdir[4096];		/* the run's cgroup */
	int frozen;
	int thaw_warned;
	struct ga_run_pause *pauses;
	unsigned int nr_pauses, cap_pauses;
	__int128 pause_sum;		/* mg/kWh x ms while paused */
	int64_t pause_last_ms;
	int64_t start_ms;		/* the command's start */
	int64_t paused_ms;		/* frozen, in all */
	uint64_t energy;		/* the run's, at the last tick */
};

int cli_rc_init(struct cli_run_carbon *rc, const struct ga_live_conf *conf,
	       const struct ga_live_result *first, uint32_t given_mg,
	       uint32_t pue_milli);
void cli_rc_aware(struct cli_run_carbon *rc, uint32_t max_mg,
		 int64_t deadline_ms, const char *cgdir);
int cli_rc_wait_start(struct cli_run_carbon *rc, int sfd,
		     unsigned long tick_ms);
void cli_rc_begin(struct cli_run_carbon *rc, int64_t now_ms);
void cli_rc_tick(struct cli_run_carbon *rc, int64_t now_ms, uint64_t energy);
void cli_rc_signal(struct cli_run_carbon *rc, int64_t now_ms);
void cli_rc_end(struct cli_run_carbon *rc, int64_t now_ms, uint64_t energy,
	       struct ga_run *run);
void cli_rc_free(struct cli_run_carbon *rc);

#endif /* _GREENAI_RUN_CARBON_H */
