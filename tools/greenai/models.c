// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger's runs summed per model or container (models.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "models.h"

/* A run's energy over the domains it counted in its total, µJ. */
uint64_t cli_run_total_uj(const struct ga_run *run)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < run->nr_energy; i++)
		if (run->energy[i].in_total)
			t += run->energy[i].active_uj + run->energy[i].idle_uj;
	return t;
}

const struct cli_model_sum *cli_models_find(const struct cli_models *ms,
					  const char *name)
{
	unsigned int i;

	for (i = 0; i < ms->nr; i++)
		if (!strcmp(ms->m[i].name, name))
			return &ms->m[i];
	return NULL;
}

/*
 * A run that measured a whole container (the exporter's record of it, or
 * greenai run --container): its cgroup is the container's own.
 */
struct cli_whole {
	char name[CLI_MODEL_NAME_MAX];	/* "<runtime>/<id>" */
	int64_t id, start_ns, end_ns;
};

struct cli_models_loader {
	struct cli_models *ms;
	enum cli_group_by by;
	struct cli_whole *whole;
	unsigned int nr_whole, max_whole;
};

/**
 * cli_run_idle_share() - the idle policy a run was split under, its name
 * @run: the run
 * @out: "capacity", "busy", "none"; "unrecorded" for a run of a greenai
 *	that did not record it
 * @size: its size
 */
void cli_run_idle_share(const struct ga_run *run, char *out, size_t size)
{
	const char *p = run->idle_policy, *colon = p ? strchr(p, ':') : NULL;

	if (!colon)
		snprintf(out, size, "unrecorded");
	else
		snprintf(out, size, "%.*s", (int)(colon - p), p);
}

/* @run's container, as --by container names it; "" for none. */
static void cli_run_container(const struct ga_run *run, char *name,
			      size_t size)
{
	name[0] = '\0';
	if (run->container_id)
		snprintf(name, size, "%s/%s",
			 run->container_runtime ? run->container_runtime : "?",
			 run->container_id);
}

static int cli_whole_add(const struct ga_run *run, void *arg)
{
	struct cli_models_loader *ld = arg;
	struct ga_container ct;
	struct cli_whole *w;

	if (run->status != GA_RUN_DONE || !run->container_id ||
	    !run->cgroup || ga_container_parse(run->cgroup, &ct) ||
	    strcmp(ct.id[0] ? ct.id : ct.name, run->container_id))
		return 0;
	if (ld->nr_whole == ld->max_whole) {
		unsigned int n = ld->max_whole ? 2 * ld->max_whole : 16;
		void *p = realloc(ld->whole, n * sizeof(*ld->whole));

		if (!p)
			return -ENOMEM;
		ld->whole = p;
		ld->max_whole = n;
	}
	w = &ld->whole[ld->nr_whole++];
	cli_run_container(run, w->name, sizeof(w->name));
	w->id = run->id;
	w->start_ns = run->start_unix_ns;
	w->end_ns = run->end_unix_ns;
	return 0;
}

/*
 * Whether @run's energy is in another run of its container already: one
 * that measured the whole container over a time that holds @run's (of
 * two over the same time, the first). A greenai run inside a container
 * the exporter recorded is its work.
 */
static bool cli_run_within(const struct cli_models_loader *ld,
			   const struct ga_run *run, const char *name)
{
	unsigned int i;

	for (i = 0; i < ld->nr_whole; i++) {
		const struct cli_whole *w = &ld->whole[i];

		if (w->id == run->id || strcmp(w->name, name) ||
		    w->start_ns > run->start_unix_ns ||
		    w->end_ns < run->end_unix_ns)
			continue;
		if (w->start_ns == run->start_unix_ns &&
		    w->end_ns == run->end_unix_ns && w->id > run->id)
			continue;
		return true;
	}
	return false;
}

static int cli_models_add(const struct ga_run *run, void *arg)
{
	struct cli_models_loader *ld = arg;
	struct cli_models *ms = ld->ms;
	char name[CLI_MODEL_NAME_MAX] = "", idle[16];
	const char *w;
	struct cli_model_sum *m;

	if (ld->by == CLI_BY_MODEL && run->model)
		snprintf(name, sizeof(name), "%s", run->model);
	else if (ld->by == CLI_BY_CONTAINER)
		cli_run_container(run, name, sizeof(name));
	m = (struct cli_model_sum *)cli_models_find(ms, name);

	if (!m) {
		if (ms->nr == ms->max) {
			unsigned int n = ms->max ? 2 * ms->max : 16;
			void *p = realloc(ms->m, n * sizeof(*ms->m));

			if (!p)
				return -ENOMEM;
			ms->m = p;
			ms->max = n;
		}
		m = &ms->m[ms->nr++];
		memset(m, 0, sizeof(*m));
		memcpy(m->name, name, sizeof(m->name));
	}
	if (run->status != GA_RUN_DONE) {
		m->incomplete += run->status == GA_RUN_INCOMPLETE;
		return 0;
	}
	m->runs++;
	cli_run_idle_share(run, idle, sizeof(idle));
	if (!m->idle[0])
		snprintf(m->idle, sizeof(m->idle), "%s", idle);
	else if (strcmp(m->idle, idle))
		snprintf(m->idle, sizeof(m->idle), "mixed");
	w = run->weights ? run->weights : "unrecorded";
	if (!m->weights[0])
		snprintf(m->weights, sizeof(m->weights), "%s", w);
	else if (strcmp(m->weights, w))
		snprintf(m->weights, sizeof(m->weights), "mixed");
	if (ld->by == CLI_BY_CONTAINER && name[0] &&
	    cli_run_within(ld, run, name))
		return 0;	/* counted once, in the run that holds it */
	m->energy_uj += cli_run_total_uj(run);
	m->co2_ug += run->co2_ug;
	if (run->has_accuracy) {
		/* runs come oldest first: the latest wins */
		m->has_accuracy = 1;
		m->accuracy_pct = run->accuracy_pct;
	}
	return 0;
}

/* Every model (or container) of the ledger, in the order of its first run. */
int cli_models_load(struct ga_ledger *l, enum cli_group_by by,
		   struct cli_models *out)
{
	struct cli_models_loader ld = { out, by, NULL, 0, 0 };
	unsigned int i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (by == CLI_BY_CONTAINER)
		r = ga_ledger_for_each_run(l, cli_whole_add, &ld);
	r = r ?: ga_ledger_for_each_run(l, cli_models_add, &ld);
	free(ld.whole);
	if (r) {
		cli_models_free(out);
		return r;
	}
	for (i = 0; i < out->nr; i++) {
		struct cli_model_sum *m = &out->m[i];

		m->has_score = m->has_accuracy &&
			       !ga_green_score(m->accuracy_pct, m->co2_ug / 1e9,
					       &m->score);
	}
	return 0;
}

void cli_models_free(struct cli_models *ms)
{
	free(ms->m);
	memset(ms, 0, sizeof(*ms));
}
