// SPDX-License-Identifier: GPL-2.0
/*
 * The workload counters as Prometheus families (wl_internal.h): the
 * node's, each container's, pod's, model's and VM's, the terminated
 * ones' totals, and the processes' when asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/exposition.h>

#include "workload/wl_internal.h"

#define WL_MAX_LABELS	10

/* A zone's labels after @n others: zone, provenance. */
static unsigned int wl_zone_labels(const struct ga_wl *w, unsigned int i,
				   struct ga_label *l, unsigned int n)
{
	const struct greenai_domain *d = ga_domain(w->g, i);

	l[n++] = (struct ga_label){ "zone", d->name };
	l[n++] = (struct ga_label){ "provenance",
				    ga_domain_provenance(w->g, i) };
	return n;
}

static int wl_expose_node(struct ga_wl *w, struct ga_expo *e)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "greenai_node_joules",
		  "Energy of each zone of the node since greenai counted it." },
		{ "greenai_node_active_joules",
		  "The part of a zone's energy attributed to what ran." },
		{ "greenai_node_idle_joules",
		  "The part of a zone's energy that is its idle share." },
		{ "greenai_node_unattributed_joules",
		  "Active energy of a zone that no process was there to take." },
		{ "greenai_node_own_idle_joules",
		  "The part of a zone's idle energy the idle policy gave no workload: the node's own." },
	};
	unsigned int nd = ga_nr_domains(w->g), f, i, n;
	struct ga_label l[WL_MAX_LABELS];
	int r = 0;

	l[0] = (struct ga_label){ "node_name", w->node_name };
	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		r = r ?: ga_expo_family(e, fam[f].name, GA_EXPO_COUNTER,
					"joules", fam[f].help);
		for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
			const struct ga_acct_domain_totals *t =
				ga_domain_totals(w->g, i);
			const uint64_t v[] = {
				w->base_energy_uj[i] + t->energy_uj,
				w->base_active_uj[i] + t->active_uj,
				w->base_idle_uj[i] + t->idle_uj,
				w->base_unattr_uj[i] + t->unattributed_uj,
				w->base_node_idle_uj[i] + t->node_idle_uj,
			};

			n = wl_zone_labels(w, i, l, 1);
			ga_expo_sample_fixed(e, l, n, v[f], 6);
		}
	}
	r = r ?: ga_expo_family(e, "greenai_node_watts", GA_EXPO_GAUGE,
				"watts", "Power of each zone over the last sample.");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		n = wl_zone_labels(w, i, l, 1);
		ga_expo_sample(e, l, n, w->power_w[i]);
	}
	r = r ?: ga_expo_family(e, "greenai_idle_power_watts", GA_EXPO_GAUGE,
				"watts",
				"The idle power each zone's energy was split with, and how it was had (policy: capacity, busy or none; basis: utilisation, fixed, calibrated or model; 0 W by utilisation).");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		const struct ga_idle_policy *p = &ga_domain_totals(w->g, i)->idle;

		n = wl_zone_labels(w, i, l, 1);
		l[n++] = (struct ga_label){ "policy",
					    ga_idle_share_name(p->share) };
		l[n++] = (struct ga_label){ "basis",
					    ga_idle_basis_name(p->basis) };
		ga_expo_sample_fixed(e, l, n, p->idle_power_uw, 6);
	}
	r = r ?: ga_expo_family(e, "greenai_node_zone_up", GA_EXPO_GAUGE, NULL,
				"1 when the zone's last reading was good; 0 when it failed (its energy stays where it was).");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		n = wl_zone_labels(w, i, l, 1);
		ga_expo_sample(e, l, n, !*ga_domain_error(w->g, i));
	}
	r = r ?: ga_expo_family(e, "greenai_node_zone_estimate", GA_EXPO_GAUGE,
				NULL,
				"1 for each estimated zone; its estimate label says how its figures are made (the power model's source and coefficients).");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		if (!*ga_domain_estimate(w->g, i))
			continue;
		n = wl_zone_labels(w, i, l, 1);
		l[n++] = (struct ga_label){ "estimate",
					    ga_domain_estimate(w->g, i) };
		ga_expo_sample(e, l, n, 1);
	}
	r = r ?: ga_expo_family(e, "greenai_node_zone_read_errors",
				GA_EXPO_COUNTER, NULL,
				"Samples in which the zone's reading failed.");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		n = wl_zone_labels(w, i, l, 1);
		ga_expo_sample_fixed(e, l, n, w->read_errors[i], 0);
	}
	r = r ?: ga_expo_family(e, "greenai_node_co2_grams", GA_EXPO_COUNTER,
				"grams",
				"CO2e of the node's energy (zones that do not overlap), at the grid intensity and PUE in force.");
	if (!r)
		ga_expo_sample_fixed(e, l, 1, wl_node_co2(w), 6);
	r = r ?: ga_expo_family(e, "greenai_grid_intensity_grams_per_kwh",
				GA_EXPO_GAUGE, NULL,
				"The grid's carbon intensity in force, gCO2e/kWh.");
	if (!r) {
		l[1] = (struct ga_label){ "source", w->source };
		ga_expo_sample_fixed(e, l, 2, w->conf.mg_per_kwh, 3);
	}
	return r;
}

/* A series' identity labels, after node_name; returns how many in all. */
static unsigned int wl_labels(const struct ga_wl *w,
			      const struct wl_series *s, struct ga_label *l)
{
	unsigned int n = 0;

	l[n++] = (struct ga_label){ "node_name", w->node_name };
	/* "" for root's; a user's ("uid:1000"), or the outer container's */
	l[n++] = (struct ga_label){ "owner", s->owner };
	switch (s->kind) {
	case WL_CONTAINER:
		l[n++] = (struct ga_label){ "container_id", s->container_id };
		l[n++] = (struct ga_label){ "container_name",
					    s->container_name };
		l[n++] = (struct ga_label){ "runtime", s->runtime };
		l[n++] = (struct ga_label){ "pod_name", s->pod_name };
		l[n++] = (struct ga_label){ "pod_namespace", s->pod_namespace };
		l[n++] = (struct ga_label){ "model", s->model };
		break;
	case WL_POD:
		l[n++] = (struct ga_label){ "pod_uid", s->pod_uid };
		l[n++] = (struct ga_label){ "pod_name", s->pod_name };
		l[n++] = (struct ga_label){ "pod_namespace", s->pod_namespace };
		break;
	default:
		l[n++] = (struct ga_label){ "model", s->model };
		break;
	}
	return n;
}

/* The families of a kind of workload, and what each sample is. */
enum wl_value {
	WL_V_ENERGY,		/* per zone: active and idle share, µJ */
	WL_V_ACTIVE,		/* per zone: active, µJ */
	WL_V_CO2,		/* µg */
	WL_V_CPU,		/* ns */
};

static const struct {
	const char *suffix, *unit, *help;	/* help: "%s" the kind */
	enum wl_value value;
} wl_families[] = {
	{ "joules", "joules",
	  "Energy of each %s per zone (active and idle share).", WL_V_ENERGY },
	{ "active_joules", "joules",
	  "The active part of each %s's energy per zone.", WL_V_ACTIVE },
	{ "co2_grams", "grams", "CO2e of each %s's energy.", WL_V_CO2 },
	{ "cpu_seconds", "seconds", "CPU time of each %s.", WL_V_CPU },
};

static void wl_expose_series(struct ga_wl *w, struct ga_expo *e,
			     const struct wl_series *s, enum wl_value v)
{
	unsigned int nd = ga_nr_domains(w->g), i, n;
	struct ga_label l[WL_MAX_LABELS];

	n = wl_labels(w, s, l);
	switch (v) {
	case WL_V_CO2:
		ga_expo_sample_fixed(e, l, n, wl_co2(w, &s->c), 6);
		return;
	case WL_V_CPU:
		ga_expo_sample_fixed(e, l, n, s->c.cpu_ns, 9);
		return;
	default:
		break;
	}
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++)
		ga_expo_sample_fixed(e, l, wl_zone_labels(w, i, l, n),
				     s->c.active_uj[i] + (v == WL_V_ENERGY ?
				     s->c.idle_uj[i] : 0), 6);
}

static int wl_expose_kind(struct ga_wl *w, struct ga_expo *e,
			  enum wl_kind k)
{
	struct wl_series *s, *st;
	char name[96], help[160];
	unsigned int f;
	int r = 0;

	for (f = 0; !r && f < sizeof(wl_families) / sizeof(wl_families[0]);
	     f++) {
		snprintf(name, sizeof(name), "greenai_%s_%s", wl_kind_name[k],
			 wl_families[f].suffix);
		snprintf(help, sizeof(help), wl_families[f].help,
			 wl_kind_name[k]);
		r = ga_expo_family(e, name, GA_EXPO_COUNTER,
				   wl_families[f].unit, help);
		HASH_ITER(hh, w->series[k], s, st) {
			if (r)
				break;
			wl_expose_series(w, e, s, wl_families[f].value);
		}
	}
	return r;
}

/*
 * The models' units of work (wl_units()): a counter per model whose
 * cgroups said their units, with its unit; no more series than models.
 * Energy or CO2e per unit is for the query to make, over the same
 * window: rate(greenai_model_joules_total[5m]) over
 * rate(greenai_model_units_total[5m]) (docs/exporter.md).
 */
static int wl_expose_units(struct ga_wl *w, struct ga_expo *e)
{
	struct ga_label l[WL_MAX_LABELS];
	struct wl_series *s, *st;
	unsigned int n;
	int r = ga_expo_family(e, "greenai_model_units", GA_EXPO_COUNTER, NULL,
			       "Units of work each model's runs said they did (units= and unit=, greenai run).");

	HASH_ITER(hh, w->series[WL_MODEL], s, st) {
		if (r)
			break;
		if (!s->unit[0])
			continue;
		n = wl_labels(w, s, l);
		l[n++] = (struct ga_label){ "unit", s->unit };
		ga_expo_sample_fixed(e, l, n, s->units_milli, 3);
	}
	return r;
}

static int wl_expose_terminated(struct ga_wl *w, struct ga_expo *e)
{
	unsigned int nd = ga_nr_domains(w->g), i, k, n;
	struct ga_label l[WL_MAX_LABELS];
	char name[96], help[200];
	int r = 0;

	l[0] = (struct ga_label){ "node_name", w->node_name };
	for (k = 0; k < WL_KINDS; k++) {
		const char *kn = wl_kind_name[k];

		snprintf(name, sizeof(name), "greenai_terminated_%ss_joules",
			 kn);
		snprintf(help, sizeof(help),
			 "Energy per zone of the %ss that have ended, whose own series are gone.",
			 kn);
		r = r ?: ga_expo_family(e, name, GA_EXPO_COUNTER, "joules",
					help);
		for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
			n = wl_zone_labels(w, i, l, 1);
			ga_expo_sample_fixed(e, l, n, w->term[k].active_uj[i] +
					     w->term[k].idle_uj[i], 6);
		}
		snprintf(name, sizeof(name), "greenai_terminated_%ss_co2_grams",
			 kn);
		snprintf(help, sizeof(help), "CO2e of the %ss that have ended.",
			 kn);
		r = r ?: ga_expo_family(e, name, GA_EXPO_COUNTER, "grams",
					help);
		if (!r)
			ga_expo_sample_fixed(e, l, 1, w->term[k].co2_base_ug,
					     6);
		snprintf(name, sizeof(name), "greenai_terminated_%ss", kn);
		snprintf(help, sizeof(help), "How many %ss have ended.", kn);
		r = r ?: ga_expo_family(e, name, GA_EXPO_COUNTER, NULL, help);
		if (!r)
			ga_expo_sample_fixed(e, l, 1, w->nr_term[k], 0);
	}
	return r;
}

/* Whether VMs @a and @b are one series: the same labels. */
static bool wl_vm_same(const struct ga_vm_figs *a, const struct ga_vm_figs *b)
{
	return a->uid == b->uid && a->vm.vmm == b->vm.vmm &&
	       !strcmp(a->vm.name, b->vm.name);
}

/*
 * The VMs (vms.h): energy per zone, its active part, CPU time. Two VMs
 * of one name, VMM and owner (two processes named alike) are one series,
 * their sum: labels name no instance.
 */
static int wl_expose_vms(struct ga_wl *w, struct ga_expo *e)
{
	static const struct {
		const char *name, *unit, *help;
		enum wl_value value;
	} fam[] = {
		{ "greenai_vm_joules", "joules",
		  "Energy of each virtual machine per zone: its processes' (vCPU and I/O threads, the VMM), active and idle share.",
		  WL_V_ENERGY },
		{ "greenai_vm_active_joules", "joules",
		  "The active part of each virtual machine's energy per zone.",
		  WL_V_ACTIVE },
		{ "greenai_vm_cpu_seconds", "seconds",
		  "CPU time of each virtual machine's processes.", WL_V_CPU },
	};
	unsigned int nd = ga_nr_domains(w->g), nv = ga_vms_count(w->vms);
	unsigned int f, i, j, m, n;
	struct ga_label l[WL_MAX_LABELS];
	char owner[WL_OWNER_MAX];
	int r = 0;

	for (f = 0; !r && f < sizeof(fam) / sizeof(fam[0]); f++) {
		r = ga_expo_family(e, fam[f].name, GA_EXPO_COUNTER,
				   fam[f].unit, fam[f].help);
		for (i = 0; !r && i < nv; i = j) {
			const struct ga_vm_figs *v = ga_vms_at(w->vms, i);
			struct ga_vm_figs sum = *v;

			for (j = i + 1; j < nv; j++) {
				const struct ga_vm_figs *o = ga_vms_at(w->vms,
								       j);
				unsigned int d;

				if (!wl_vm_same(v, o))
					break;
				for (d = 0; d < GREENAI_MAX_DOMAINS; d++) {
					sum.energy[d].active_uj +=
						o->energy[d].active_uj;
					sum.energy[d].idle_uj +=
						o->energy[d].idle_uj;
				}
				sum.cpu_ns += o->cpu_ns;
			}
			if (v->uid)
				snprintf(owner, sizeof(owner), "uid:%u",
					 (unsigned int)v->uid);
			else
				owner[0] = '\0';
			n = 0;
			l[n++] = (struct ga_label){ "node_name", w->node_name };
			l[n++] = (struct ga_label){ "owner", owner };
			l[n++] = (struct ga_label){ "vm", v->vm.name };
			l[n++] = (struct ga_label){ "vmm",
						    ga_vmm_name(v->vm.vmm) };
			if (fam[f].value == WL_V_CPU) {
				ga_expo_sample_fixed(e, l, n, sum.cpu_ns, 9);
				continue;
			}
			for (m = 0; m < nd && m < GREENAI_MAX_DOMAINS; m++)
				ga_expo_sample_fixed(e, l,
					wl_zone_labels(w, m, l, n),
					sum.energy[m].active_uj +
					(fam[f].value == WL_V_ENERGY ?
					 sum.energy[m].idle_uj : 0), 6);
		}
	}
	return r;
}

/* The VMs that have ended and were folded, summed. */
static int wl_expose_terminated_vms(struct ga_wl *w, struct ga_expo *e)
{
	const struct ga_vm_figs *t = ga_vms_terminated(w->vms);
	unsigned int nd = ga_nr_domains(w->g), i, n;
	struct ga_label l[WL_MAX_LABELS];
	struct ga_vms_stats vs;
	int r;

	ga_vms_stats(w->vms, &vs);
	l[0] = (struct ga_label){ "node_name", w->node_name };
	r = ga_expo_family(e, "greenai_terminated_vms_joules", GA_EXPO_COUNTER,
			   "joules",
			   "Energy per zone of the virtual machines that have ended, whose own series are gone.");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		n = wl_zone_labels(w, i, l, 1);
		ga_expo_sample_fixed(e, l, n, t->energy[i].active_uj +
				     t->energy[i].idle_uj, 6);
	}
	r = r ?: ga_expo_family(e, "greenai_terminated_vms", GA_EXPO_COUNTER,
				NULL, "How many virtual machines have ended.");
	if (!r)
		ga_expo_sample_fixed(e, l, 1, vs.terminated, 0);
	return r;
}

/* A live process's figures, for the per-process series. */
struct wl_proc {
	const struct ga_acct_task *t;
	uint64_t uj;			/* in the total */
};

struct wl_procs {
	const struct ga_wl *w;
	struct wl_proc *p;
	unsigned int nr, max;
};

static int wl_on_task(const struct ga_acct_task *t, void *arg)
{
	struct wl_procs *ps = arg;
	unsigned int nd = ga_nr_domains(ps->w->g), i;
	uint64_t uj = 0;

	if (t->tgid == GA_ACCT_OVERFLOW_ID)
		return 0;
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++)
		if (ga_domain_in_total(ps->w->g, i))
			uj += t->energy[i].active_uj + t->energy[i].idle_uj;
	if (ps->nr == ps->max) {
		unsigned int n = ps->max ? 2 * ps->max : 1024;
		struct wl_proc *p = realloc(ps->p, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ps->p = p;
		ps->max = n;
	}
	ps->p[ps->nr++] = (struct wl_proc){ t, uj };
	return 0;
}

static int wl_proc_cmp(const void *a, const void *b)
{
	const struct wl_proc *x = a, *y = b;

	if (x->uj != y->uj)
		return x->uj < y->uj ? 1 : -1;
	return x->t->tgid < y->t->tgid ? -1 : x->t->tgid > y->t->tgid;
}

/* The container id of the cgroup a process last ran in, or "". */
static const char *wl_proc_container(const struct ga_wl *w, uint64_t cgid)
{
	struct wl_cgroup *c;

	HASH_FIND(hh, w->cgroups, &cgid, sizeof(cgid), c);
	return c && c->s[WL_CONTAINER] ? c->s[WL_CONTAINER]->container_id : "";
}

/* The max_processes processes that used most energy, by pid and command. */
static int wl_expose_processes(struct ga_wl *w, struct ga_expo *e)
{
	unsigned int nd = ga_nr_domains(w->g), i, k, n, m;
	struct wl_procs ps = { .w = w };
	struct ga_label l[WL_MAX_LABELS];
	char pid[16], comm[GREENAI_COMM_LEN + 1];
	int r;

	r = ga_for_each_task(w->g, wl_on_task, &ps);
	if (r)
		goto out;
	qsort(ps.p, ps.nr, sizeof(*ps.p), wl_proc_cmp);
	if (ps.nr > w->conf.max_processes)
		ps.nr = w->conf.max_processes;
	for (k = 0; !r && k < 2; k++) {
		r = k ? ga_expo_family(e, "greenai_process_cpu_seconds",
				       GA_EXPO_COUNTER, "seconds",
				       "CPU time of the processes that used most energy.") :
			ga_expo_family(e, "greenai_process_joules",
				       GA_EXPO_COUNTER, "joules",
				       "Energy per zone of the processes that used most energy since the exporter started.");
		for (i = 0; !r && i < ps.nr; i++) {
			const struct ga_acct_task *t = ps.p[i].t;

			snprintf(pid, sizeof(pid), "%u", t->tgid);
			snprintf(comm, sizeof(comm), "%.*s",
				 (int)sizeof(t->comm), t->comm);
			n = 0;
			l[n++] = (struct ga_label){ "node_name", w->node_name };
			l[n++] = (struct ga_label){ "pid", pid };
			l[n++] = (struct ga_label){ "comm", comm };
			l[n++] = (struct ga_label){ "container_id",
				wl_proc_container(w, t->cgroup_id) };
			if (k) {
				ga_expo_sample_fixed(e, l, n, t->cpu_ns, 9);
				continue;
			}
			for (m = 0; m < nd && m < GREENAI_MAX_DOMAINS; m++)
				ga_expo_sample_fixed(e, l,
					wl_zone_labels(w, m, l, n),
					t->energy[m].active_uj +
					t->energy[m].idle_uj, 6);
		}
	}
out:
	free(ps.p);
	return r;
}

/**
 * ga_wl_expose() - every counter, as metric families
 * @w: the counters
 * @e: the exposition to add to
 *
 * Changes nothing: what is exposed, and when an ended container is
 * folded, does not depend on who scrapes, or how often.
 *
 * Return: 0, or -errno.
 */
int ga_wl_expose(struct ga_wl *w, struct ga_expo *e)
{
	unsigned int k;
	int r = wl_expose_node(w, e);

	for (k = 0; !r && k < WL_KINDS; k++)
		r = wl_expose_kind(w, e, k);
	r = r ?: wl_expose_units(w, e);
	r = r ?: wl_expose_terminated(w, e);
	r = r ?: wl_expose_vms(w, e);
	r = r ?: wl_expose_terminated_vms(w, e);
	if (!r && w->conf.max_processes)
		r = wl_expose_processes(w, e);
	return r;
}
