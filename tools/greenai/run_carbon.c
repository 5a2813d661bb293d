// SPDX-License-Identifier: GPL-2.0
/*
 * A run's carbon over time (run_carbon.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#include "run_carbon.h"

static void cli_rc_say(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void cli_rc_say(const char *fmt, ...)
{
	va_list ap;

	fputs("greenai run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void cli_rc_g(uint32_t mg, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%03u g/kWh", mg / 1000, mg % 1000);
}

/**
 * cli_rc_init() - the intensity a run starts with
 * @rc: zeroed and set up
 * @conf: the providers to ask again every conf->refresh_ms, or NULL when the
 *	  figure does not change (the table's, or --intensity)
 * @first: their first answer (its series is taken over), or NULL
 * @given_mg: the figure, when @first is NULL
 * @pue_milli: the PUE
 *
 * Return: 0 or -ENOMEM.
 */
int cli_rc_init(struct cli_run_carbon *rc, const struct ga_live_conf *conf,
	       const struct ga_live_result *first, uint32_t given_mg,
	       uint32_t pue_milli)
{
	memset(rc, 0, sizeof(*rc));
	rc->pue_milli = pue_milli;
	if (first) {
		rc->series = first->series;
		rc->conf = conf;
		rc->next_refresh_ms = ga_unix_ms() + conf->refresh_ms;
	} else {
		ga_series_init(&rc->series);
		if (ga_series_constant(&rc->series, given_mg))
			return -ENOMEM;
		snprintf(rc->series.source, sizeof(rc->series.source),
			 "constant");
	}
	rc->deadline_ms = INT64_MAX;
	if (ga_series_at(&rc->series, ga_unix_ms(), &rc->mg))
		rc->mg = given_mg;
	return 0;
}

/* Pause when the grid is above @max_mg, until @deadline_ms. */
void cli_rc_aware(struct cli_run_carbon *rc, uint32_t max_mg,
		 int64_t deadline_ms, const char *cgdir)
{
	rc->aware = 1;
	rc->max_mg = max_mg;
	rc->deadline_ms = deadline_ms;
	snprintf(rc->cgdir, sizeof(rc->cgdir), "%s", cgdir);
}

/* Ask the providers again when it is time; keep the old series if not. */
static void cli_rc_refresh(struct cli_run_carbon *rc, int64_t now_ms)
{
	struct ga_live_result res;

	if (!rc->conf || now_ms < rc->next_refresh_ms)
		return;
	rc->next_refresh_ms = now_ms + rc->conf->refresh_ms;
	if (ga_live_get(rc->conf, GA_WANT_LATEST, now_ms, &res)) {
		if (!rc->refresh_warned++)
			cli_rc_say("no provider answered again (%s: %s); the last answer (%s) stands",
				  ga_provider_name(res.failed[0].p),
				  res.failed[0].why, rc->series.source);
		return;
	}
	ga_series_free(&rc->series);
	rc->series = res.series;
}

/* The intensity now; where the series says nothing, the last figure. */
static uint32_t cli_rc_mg_at(struct cli_run_carbon *rc, int64_t now_ms)
{
	uint32_t mg;

	if (!ga_series_at(&rc->series, now_ms, &mg))
		rc->mg = mg;
	return rc->mg;
}

/* The first time from @now_ms the series is at or under @max, or -1. */
static int64_t cli_rc_next_clean(const struct cli_run_carbon *rc,
				int64_t now_ms)
{
	int64_t t = now_ms;
	uint32_t mg;
	int i;

	for (i = 0; i < 100000; i++) {
		if (!ga_series_at(&rc->series, t, &mg) && mg <= rc->max_mg)
			return t;
		if (ga_series_next_change(&rc->series, t, &t))
			return -1;
	}
	return -1;
}

static struct ga_run_pause *cli_rc_pause_new(struct cli_run_carbon *rc,
					    const char *kind, int64_t now_ms)
{
	struct ga_run_pause *p;

	if (rc->nr_pauses == rc->cap_pauses) {
		unsigned int cap = rc->cap_pauses ? 2 * rc->cap_pauses : 8;

		p = reallocarray(rc->pauses, cap, sizeof(*p));
		if (!p)
			return NULL;
		rc->pauses = p;
		rc->cap_pauses = cap;
	}
	p = &rc->pauses[rc->nr_pauses++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->start_unix_ns = now_ms * 1000000;
	rc->pause_sum = 0;
	rc->pause_last_ms = now_ms;
	return p;
}

/* Add the time since the last look to the pause's mean. */
static void cli_rc_pause_account(struct cli_run_carbon *rc, int64_t now_ms,
				uint32_t mg)
{
	if (now_ms > rc->pause_last_ms)
		rc->pause_sum += (__int128)(now_ms - rc->pause_last_ms) * mg;
	rc->pause_last_ms = now_ms;
}

/* End the open pause at @now_ms: its mean and what comes after it. */
static struct ga_run_pause *cli_rc_pause_end(struct cli_run_carbon *rc,
					    int64_t now_ms)
{
	struct ga_run_pause *p = &rc->pauses[rc->nr_pauses - 1];
	int64_t start = p->start_unix_ns / 1000000, len = now_ms - start;
	double after;

	cli_rc_pause_account(rc, now_ms, rc->mg);
	p->end_unix_ns = now_ms * 1000000;
	p->mg_during = len > 0 ? (uint32_t)(rc->pause_sum / len) : rc->mg;
	if (len > 0 &&
	    !ga_series_mean(&rc->series, now_ms, now_ms + len, &after))
		p->mg_after = (uint32_t)(after + 0.5);
	else
		p->mg_after = cli_rc_mg_at(rc, now_ms);
	return p;
}

/**
 * cli_rc_wait_start() - wait for a clean grid before the start
 * @rc: carbon-aware (cli_rc_aware())
 * @sfd: the signalfd of the signals greenai passes on
 * @tick_ms: how often to look
 *
 * Return: 0 to start, or the number of the signal that came meanwhile
 * (nothing was started).
 */
int cli_rc_wait_start(struct cli_run_carbon *rc, int sfd, unsigned long tick_ms)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	char a[32], b[32], when[32];
	int64_t now = ga_unix_ms(), next;
	uint32_t mg = cli_rc_mg_at(rc, now);

	if (!rc->aware || mg <= rc->max_mg || now >= rc->deadline_ms)
		return 0;
	cli_rc_g(mg, a, sizeof(a));
	cli_rc_g(rc->max_mg, b, sizeof(b));
	next = cli_rc_next_clean(rc, now);
	if (next >= 0)
		ga_time_format(next, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "not in the forecast");
	cli_rc_say("waiting: the grid is at %s, above %s; under it next at %s (%s)",
		  a, b, when, rc->series.source);
	if (!cli_rc_pause_new(rc, "wait", now))
		return 0;
	while (mg > rc->max_mg && now < rc->deadline_ms) {
		struct signalfd_siginfo si;
		int64_t left = rc->deadline_ms - now;

		if (poll(&pfd, 1, left < (int64_t)tick_ms ? (int)left :
							   (int)tick_ms) > 0 &&
		    read(sfd, &si, sizeof(si)) == sizeof(si) &&
		    si.ssi_signo != SIGCHLD) {
			rc->nr_pauses--;
			return si.ssi_signo;
		}
		now = ga_unix_ms();
		cli_rc_pause_account(rc, now, mg);
		cli_rc_refresh(rc, now);
		mg = cli_rc_mg_at(rc, now);
	}
	cli_rc_pause_end(rc, now);
	ga_time_format(now, when, sizeof(when));
	cli_rc_g(mg, a, sizeof(a));
	cli_rc_say("starting at %s: %s", when,
		  mg <= rc->max_mg ? a : "the deadline");
	return 0;
}

/* Open an interval at @now_ms under the intensity now. */
static int cli_rc_interval_open(struct cli_run_carbon *rc, int64_t now_ms)
{
	struct ga_run_interval *v;

	if (rc->nr_iv == rc->cap_iv) {
		unsigned int cap = rc->cap_iv ? 2 * rc->cap_iv : 16;

		v = reallocarray(rc->iv, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		rc->iv = v;
		rc->cap_iv = cap;
	}
	v = &rc->iv[rc->nr_iv++];
	memset(v, 0, sizeof(*v));
	v->start_unix_ns = now_ms * 1000000;
	v->mg_per_kwh = rc->mg;
	v->source = strdup(rc->series.source);
	rc->iv_energy0 = rc->energy;
	return 0;
}

/* Close the open interval at @now_ms with the run's energy @energy. */
static void cli_rc_interval_close(struct cli_run_carbon *rc, int64_t now_ms,
				 uint64_t energy)
{
	struct ga_run_interval *v = &rc->iv[rc->nr_iv - 1];

	v->end_unix_ns = now_ms * 1000000;
	v->energy_uj = energy > rc->iv_energy0 ? energy - rc->iv_energy0 : 0;
	if (ga_co2_ug(v->energy_uj, v->mg_per_kwh, rc->pue_milli, &v->co2_ug))
		v->co2_ug = 0;
}

/* The command starts now. */
void cli_rc_begin(struct cli_run_carbon *rc, int64_t now_ms)
{
	rc->start_ms = now_ms;
	cli_rc_mg_at(rc, now_ms);
	cli_rc_interval_open(rc, now_ms);
}

static int cli_rc_freeze(struct cli_run_carbon *rc, int on)
{
	char path[4096 + 32];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/cgroup.freeze", rc->cgdir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		r = -errno;
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * Thaw the run. A thaw that fails is said (once) and tried again at the
 * next tick, the run still counted as frozen; at the end (@last) the pause
 * is closed whatever came of it.
 */
static void cli_rc_thaw(struct cli_run_carbon *rc, int64_t now_ms,
		       const char *why, int last)
{
	struct ga_run_pause *p;
	char when[32], a[32], avoided[64] = "";
	uint64_t shifted, during, after;
	unsigned __int128 uj;
	int r;

	if (!rc->frozen)
		return;
	r = cli_rc_freeze(rc, 0);
	if (r && !rc->thaw_warned++)
		cli_rc_say("cannot thaw the run (%s): trying again", strerror(-r));
	if (r && !last)
		return;
	rc->frozen = 0;
	p = cli_rc_pause_end(rc, now_ms);
	rc->paused_ms += (p->end_unix_ns - p->start_unix_ns) / 1000000;
	/*
	 * Running straight through, the work done after the pause would
	 * have been done during it, at its power: what that energy emits
	 * at the pause's intensity, less what it emits at the intensity of
	 * as long after it.
	 */
	uj = (unsigned __int128)p->power_uw *
	     (uint64_t)((p->end_unix_ns - p->start_unix_ns) / 1000) / 1000000;
	shifted = uj > UINT64_MAX ? UINT64_MAX : (uint64_t)uj;
	if (!ga_co2_ug(shifted, p->mg_during, rc->pue_milli, &during) &&
	    !ga_co2_ug(shifted, p->mg_after, rc->pue_milli, &after)) {
		p->has_avoided = 1;
		p->avoided_ug = (int64_t)during - (int64_t)after;
		snprintf(avoided, sizeof(avoided), ", %.6f g CO2e avoided",
			 p->avoided_ug / 1e6);
	}
	ga_time_format(now_ms, when, sizeof(when));
	cli_rc_g(rc->mg, a, sizeof(a));
	cli_rc_say("resumed at %s (%s: %s) after %.3f s%s", when, why, a,
		  (p->end_unix_ns - p->start_unix_ns) / 1e9, avoided);
}

/**
 * cli_rc_tick() - a sample of the running command
 * @rc: the run
 * @now_ms: now
 * @energy: the run's energy so far (cli_label_energy_now())
 *
 * Cuts an interval where the intensity changed; when carbon-aware,
 * freezes the run above the threshold and thaws it under it or at the
 * deadline.
 */
void cli_rc_tick(struct cli_run_carbon *rc, int64_t now_ms, uint64_t energy)
{
	uint32_t old = rc->mg, mg;
	char when[32], a[32], b[32];

	if (rc->frozen)
		cli_rc_pause_account(rc, now_ms, old);
	/* (the energy of a run never goes back: a cgroup not found is 0) */
	if (energy < rc->energy)
		energy = rc->energy;
	rc->energy = energy;
	cli_rc_refresh(rc, now_ms);
	mg = cli_rc_mg_at(rc, now_ms);
	if (!rc->nr_iv) {
		cli_rc_interval_open(rc, now_ms);	/* no memory before */
	} else if (mg != old || strcmp(rc->iv[rc->nr_iv - 1].source ?: "",
				       rc->series.source)) {
		cli_rc_interval_close(rc, now_ms, energy);
		cli_rc_interval_open(rc, now_ms);
	}
	if (!rc->aware)
		return;
	if (rc->frozen && (mg <= rc->max_mg || now_ms >= rc->deadline_ms)) {
		cli_rc_thaw(rc, now_ms, mg <= rc->max_mg ? "the grid is clean" :
							  "the deadline", 0);
	} else if (!rc->frozen && mg > rc->max_mg &&
		   now_ms < rc->deadline_ms) {
		int64_t ran = now_ms - rc->start_ms - rc->paused_ms;
		struct ga_run_pause *p = cli_rc_pause_new(rc, "freeze", now_ms);
		int r = p ? cli_rc_freeze(rc, 1) : -ENOMEM;

		if (r) {
			cli_rc_say("cannot freeze the run (%s): it goes on",
				  strerror(-r));
			if (p)
				rc->nr_pauses--;
			rc->aware = 0;
			return;
		}
		rc->frozen = 1;
		if (ran > 0)
			p->power_uw = energy * 1000 / (uint64_t)ran;
		ga_time_format(now_ms, when, sizeof(when));
		cli_rc_g(mg, a, sizeof(a));
		cli_rc_g(rc->max_mg, b, sizeof(b));
		cli_rc_say("paused at %s: the grid is at %s, above %s", when, a,
			  b);
	}
}

/* A signal for the command: thaw it so that it gets it; no more pauses. */
void cli_rc_signal(struct cli_run_carbon *rc, int64_t now_ms)
{
	cli_rc_thaw(rc, now_ms, "a signal for the command", 0);
	rc->aware = 0;
}

/**
 * cli_rc_end() - the command has ended; its figures into @run
 * @rc: the run
 * @now_ms: the end
 * @energy: the run's whole energy, every exit folded
 * @run: gets the intervals, the pauses and the CO2e, their sum
 */
void cli_rc_end(struct cli_run_carbon *rc, int64_t now_ms, uint64_t energy,
	       struct ga_run *run)
{
	unsigned int i;

	cli_rc_thaw(rc, now_ms, "the end", 1);
	if (!rc->nr_iv)
		cli_rc_begin(rc, now_ms);
	if (energy < rc->energy)
		energy = rc->energy;
	if (rc->nr_iv)
		cli_rc_interval_close(rc, now_ms, energy);
	run->co2_ug = 0;
	for (i = 0; i < rc->nr_iv; i++)
		run->co2_ug += rc->iv[i].co2_ug;
	run->intervals = rc->iv;
	run->nr_intervals = rc->nr_iv;
	run->pauses = rc->pauses;
	run->nr_pauses = rc->nr_pauses;
}

void cli_rc_free(struct cli_run_carbon *rc)
{
	unsigned int i;

	if (rc->frozen && rc->cgdir[0])
		cli_rc_freeze(rc, 0);
	for (i = 0; i < rc->nr_iv; i++)
		free((char *)rc->iv[i].source);
	free(rc->iv);
	free(rc->pauses);
	ga_series_free(&rc->series);
}
