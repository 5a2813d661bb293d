// SPDX-License-Identifier: GPL-2.0
/*
 * A finished container, recorded as a run in the ledger (wl_internal.h):
 * its energy per domain, its CO2e, its pod and namespace as tags.
 */
#include <stdio.h>

#include <greenai/clock.h>
#include <greenai/ledger.h>

#include "workload/wl_internal.h"

/* A finished container, as a run in the ledger, with its CO2e. */
void wl_record(struct ga_wl *w, const struct wl_series *s, uint64_t co2_ug)
{
	char names[GA_LEDGER_MAX_DOMAINS][GREENAI_NAME_LEN], cmd[420];
	unsigned int i, nd = ga_nr_domains(w->g);
	struct ga_run run = { 0 };

	snprintf(cmd, sizeof(cmd), "container %s",
		 s->container_name[0] ? s->container_name :
		 s->container_id[0] ? s->container_id : s->key);
	run.model = s->model[0] ? s->model : NULL;
	run.command = cmd;
	run.host = w->node_name;
	run.backend = w->backend;
	run.cgroup = s->cgroup;
	run.container_runtime = s->runtime;
	run.container_id = s->container_id[0] ? s->container_id :
			   s->container_name;
	run.start_unix_ns = s->first_unix_ns;
	run.mg_per_kwh = w->conf.mg_per_kwh;
	run.intensity_source = w->source;
	run.pue_milli = w->conf.pue_milli;
	run.tags[run.nr_tags++] = (struct ga_kv){ "source", "greenai-exporter" };
	if (s->pod_name[0])
		run.tags[run.nr_tags++] = (struct ga_kv){ "pod", s->pod_name };
	if (s->pod_namespace[0])
		run.tags[run.nr_tags++] =
			(struct ga_kv){ "namespace", s->pod_namespace };
	if (ga_ledger_begin(w->conf.ledger, &run)) {
		w->stats.ledger_errors++;
		return;
	}
	for (i = 0; i < nd && i < GA_LEDGER_MAX_DOMAINS; i++) {
		const struct greenai_domain *d = ga_domain(w->g, i);
		struct ga_run_energy *e = &run.energy[i];

		snprintf(names[i], sizeof(names[i]), "%s", d->name);
		e->domain = names[i];
		e->kind = ga_domain_kind_name(d->kind);
		e->active_uj = s->c.active_uj[i];
		e->idle_uj = s->c.idle_uj[i];
		e->estimated = !!(d->flags & GREENAI_F_ESTIMATED);
		e->in_total = ga_domain_in_total(w->g, i);
	}
	run.nr_energy = i;
	run.co2_ug = co2_ug;
	run.end_unix_ns = ga_unix_ns();
	run.status = GA_RUN_DONE;
	if (ga_ledger_finish(w->conf.ledger, &run))
		w->stats.ledger_errors++;
}
