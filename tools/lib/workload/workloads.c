// SPDX-License-Identifier: GPL-2.0
/*
 * Workload counters (workloads.h): the node's, and each container's,
 * pod's and model's, grown from libgreenai's per-cgroup totals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include <greenai/carbon.h>
#include <greenai/cgroup.h>
#include <greenai/clock.h>
#include <greenai/container.h>
#include <greenai/files.h>
#include <greenai/workloads.h>

#include "base/hash.h"
#include "ident/wl_meta.h"

#define GA_WL_PENDING_MAX	4096	/* cgroups resolved in one walk */

enum wl_kind {
	WL_CONTAINER,
	WL_POD,
	WL_MODEL,
	WL_KINDS,
};

static const char *const wl_kind_name[WL_KINDS] = {
	[WL_CONTAINER] = "container",
	[WL_POD] = "pod",
	[WL_MODEL] = "model",
};

/*
 * What a workload has used: energy per domain (by the context's domain
 * ids), CPU time, and CO2e: what earlier intensities (and earlier runs of
 * the exporter) gave, plus the energy in the total since, at the
 * intensity in force.
 */
struct wl_counts {
	uint64_t active_uj[GREENAI_MAX_DOMAINS];
	uint64_t idle_uj[GREENAI_MAX_DOMAINS];
	uint64_t cpu_ns;
	uint64_t co2_base_ug;
	uint64_t total_uj;
};

struct wl_series {
	UT_hash_handle hh;
	enum wl_kind kind;
	char key[160];
	/* labels; "" for none */
	char container_id[GA_CONTAINER_ID_LEN + 1];
	char container_name[GA_META_NAME_MAX + 1];
	const char *runtime;
	char pod_uid[GA_POD_UID_LEN + 1];
	char pod_name[GA_META_NAME_MAX + 1];
	char pod_namespace[GA_META_NAME_MAX + 1];
	char model[GA_LABEL_MAX + 1];
	struct wl_counts c;
	unsigned int nr_cgroups;	/* live cgroups that add to it */
	bool terminated, exposed;
	int64_t first_unix_ns;
	/* a container's first cgroup, a pod's (its parent): to see it go */
	char *cgroup;
};

struct wl_cgroup {
	UT_hash_handle hh;
	uint64_t id;
	bool resolved, gone;
	bool kept;			/* libgreenai keeps it (the module) */
	char *path;			/* under the cgroup2 mount */
	uint64_t prev_cpu_ns;
	struct greenai_energy prev[GREENAI_MAX_DOMAINS];
	struct wl_series *s[WL_KINDS];
};

/*
 * A process whose v2 cgroup names no container, on a host with v1
 * hierarchies: its v1 path may (a runtime with the cgroupfs driver puts
 * containers there only). Looked at once; followed when it is in one.
 */
struct wl_v1proc {
	UT_hash_handle hh;
	uint32_t tgid;
	uint64_t start_ns;
	struct wl_series *s[2];		/* container, pod; NULL: none */
	uint64_t prev_cpu_ns;
	struct greenai_energy *prev;	/* GREENAI_MAX_DOMAINS; in one only */
};

struct ga_wl {
	struct ga_ctx *g;
	struct ga_wl_conf conf;
	char node_name[256];
	char root[GA_PATH_MAX], runtime_root[GA_PATH_MAX];
	char source[128];
	char backend[64];
	struct ga_cgroup_mount mount;
	bool have_mount;
	struct ga_cgroup_resolver resolver;
	struct wl_cgroup *cgroups;
	bool v1;			/* the host may have v1 hierarchies */
	struct wl_v1proc *v1procs;
	struct wl_series *series[WL_KINDS];
	unsigned int nr_series[WL_KINDS];
	/* the node: energy per domain, and its parts */
	uint64_t base_energy_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_active_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_idle_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_unattr_uj[GREENAI_MAX_DOMAINS];
	uint64_t base_co2_ug;
	uint64_t co2_from_uj;		/* the node's total when it was set */
	double power_w[GREENAI_MAX_DOMAINS];
	uint64_t last_energy_uj[GREENAI_MAX_DOMAINS];
	uint64_t read_errors[GREENAI_MAX_DOMAINS];	/* failed readings */
	/* cgroups met this update, to be resolved in one walk */
	uint64_t pending[GA_WL_PENDING_MAX];
	unsigned int nr_pending;
	/* cgroups gone, their growth taken: dropped after the walk */
	uint64_t gone[GA_WL_PENDING_MAX];
	unsigned int nr_gone;
	/* containers and pods folded once terminated and exposed */
	struct wl_counts term[2];
	uint64_t nr_term[2];
	struct ga_wl_stats stats;
};

static void wl_v1proc_free(struct ga_wl *w, struct wl_v1proc *p)
{
	unsigned int k;

	for (k = 0; k < 2; k++)
		if (p->s[k] && p->s[k]->nr_cgroups &&
		    !--p->s[k]->nr_cgroups)
			p->s[k]->terminated = true;
	HASH_DEL(w->v1procs, p);
	free(p->prev);
	free(p);
}

/* A followed process's growth since it was last seen, to its series. */
static void wl_v1proc_grow(struct ga_wl *w, struct wl_v1proc *p,
			   uint64_t cpu_ns, const struct greenai_energy *e,
			   unsigned int nr)
{
	unsigned int i, k;
	uint64_t cpu = cpu_ns >= p->prev_cpu_ns ? cpu_ns - p->prev_cpu_ns : 0;
	uint64_t total = 0;

	p->prev_cpu_ns = cpu_ns;
	for (i = 0; i < nr && i < ga_nr_domains(w->g) &&
		    i < GREENAI_MAX_DOMAINS; i++) {
		uint64_t act = e[i].active_uj >= p->prev[i].active_uj ?
			e[i].active_uj - p->prev[i].active_uj : 0;
		uint64_t idle = e[i].idle_uj >= p->prev[i].idle_uj ?
			e[i].idle_uj - p->prev[i].idle_uj : 0;

		p->prev[i] = e[i];
		if (ga_domain_in_total(w->g, i))
			total += act + idle;
		for (k = 0; k < 2; k++) {
			if (!p->s[k])
				continue;
			p->s[k]->c.active_uj[i] += act;
			p->s[k]->c.idle_uj[i] += idle;
		}
	}
	for (k = 0; k < 2; k++) {
		if (!p->s[k])
			continue;
		p->s[k]->c.cpu_ns += cpu;
		p->s[k]->c.total_uj += total;
	}
}

/* An exit: a followed process's last growth, then it is let go. */
static void wl_on_record(const struct greenai_rec_hdr *h, void *arg)
{
	const struct greenai_rec_task_exit *x = (const void *)h;
	struct ga_wl *w = arg;
	struct wl_v1proc *p;

	if (h->type != GREENAI_REC_TASK_EXIT)
		return;
	HASH_FIND(hh, w->v1procs, &x->pid, sizeof(x->pid), p);
	if (!p || p->start_ns != x->start_ns)
		return;
	if (p->prev)
		wl_v1proc_grow(w, p, x->cpu_ns, x->energy, x->nr_domains);
	wl_v1proc_free(w, p);
}

/**
 * ga_wl_new() - workload counters over an open libgreenai context
 * @out: the counters
 * @g: the context, sampled by the caller before each ga_wl_update()
 * @conf: node name, root, intensity, PUE, bounds, ledger
 *
 * Return: 0, -EINVAL for a bad configuration, or -ENOMEM.
 */
int ga_wl_new(struct ga_wl **out, struct ga_ctx *g,
	      const struct ga_wl_conf *conf)
{
	struct ga_wl *w;

	if (!conf->node_name || !conf->node_name[0] ||
	    conf->pue_milli < GA_PUE_MIN_MILLI ||
	    conf->pue_milli > GA_PUE_MAX_MILLI)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->g = g;
	w->conf = *conf;
	if (!w->conf.max_series)
		w->conf.max_series = GA_WL_MAX_SERIES_DEF;
	snprintf(w->node_name, sizeof(w->node_name), "%s", conf->node_name);
	snprintf(w->root, sizeof(w->root), "%s",
		 conf->root && conf->root[0] ? conf->root : "/");
	snprintf(w->runtime_root, sizeof(w->runtime_root), "%s",
		 conf->runtime_root && conf->runtime_root[0] ?
		 conf->runtime_root : "/");
	snprintf(w->source, sizeof(w->source), "%s",
		 conf->intensity_source ? conf->intensity_source : "");
	snprintf(w->backend, sizeof(w->backend), "%s",
		 conf->backend ? conf->backend : ga_backend_name(g));
	w->conf.node_name = w->node_name;
	w->conf.root = w->root;
	w->conf.runtime_root = w->runtime_root;
	w->conf.intensity_source = w->source;
	w->conf.backend = w->backend;
	/* v1 hierarchies: unless the host has cgroup v2 only */
	w->v1 = true;
	if (!ga_cgroup_find_mount(w->root, &w->mount)) {
		w->have_mount = true;
		w->v1 = w->mount.layout != GA_CGROUP_UNIFIED;
		ga_cgroup_resolver_init(&w->resolver, &w->mount,
					GA_CGROUP_WALK_DEF);
	}
	ga_set_record_fn(g, wl_on_record, w);
	*out = w;
	return 0;
}

static void wl_series_free(struct ga_wl *w, struct wl_series *s)
{
	HASH_DEL(w->series[s->kind], s);
	w->nr_series[s->kind]--;
	free(s->cgroup);
	free(s);
}

void ga_wl_free(struct ga_wl *w)
{
	struct wl_series *s, *st;
	struct wl_cgroup *c, *ct;
	unsigned int k;

	if (!w)
		return;
	ga_set_record_fn(w->g, NULL, NULL);
	while (w->v1procs)
		wl_v1proc_free(w, w->v1procs);
	HASH_ITER(hh, w->cgroups, c, ct) {
		HASH_DEL(w->cgroups, c);
		free(c->path);
		free(c);
	}
	for (k = 0; k < WL_KINDS; k++)
		HASH_ITER(hh, w->series[k], s, st)
			wl_series_free(w, s);
	if (w->have_mount)
		ga_cgroup_resolver_done(&w->resolver);
	free(w);
}

static struct wl_series *wl_series_find(struct ga_wl *w, enum wl_kind kind,
					const char *key)
{
	struct wl_series *s;

	HASH_FIND_STR(w->series[kind], key, s);
	return s;
}

/* The series of @key, made when new; NULL past max_series or no memory. */
static struct wl_series *wl_series_get(struct ga_wl *w, enum wl_kind kind,
				       const char *key)
{
	struct wl_series *s = wl_series_find(w, kind, key);

	if (s)
		return s;
	if (kind != WL_MODEL && w->nr_series[kind] >= w->conf.max_series) {
		w->stats.dropped++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->kind = kind;
	s->runtime = "";
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->first_unix_ns = ga_unix_ns();
	HASH_ADD_STR(w->series[kind], key, s);
	w->nr_series[kind]++;
	return s;
}

/*
 * The container and pod series of the container at cgroup @path, each
 * with one more member (a v2 cgroup, or a process in a v1 one: @v1, whose
 * path is no directory of the v2 mount to watch); NULL for none.
 */
static void wl_container_series(struct ga_wl *w, const char *cgpath,
				bool v1, const char *model,
				struct wl_series **out)
{
	char path[GA_PATH_MAX], key[160];
	struct ga_container ct;
	struct ga_wl_meta meta;
	struct wl_series *s;

	out[WL_CONTAINER] = out[WL_POD] = NULL;
	snprintf(path, sizeof(path), "%s", cgpath);
	if (ga_container_parse(path, &ct) || ct.runtime == GA_RT_NONE ||
	    ct.runtime == GA_RT_SYSTEMD || (ct.flags & GA_CT_CONMON) ||
	    (!ct.id[0] && !ct.name[0]))
		return;
	ga_wl_meta_read(w->runtime_root, &ct, &meta);
	snprintf(key, sizeof(key), "%s/%s", ga_runtime_name(ct.runtime),
		 ct.id[0] ? ct.id : ct.name);
	s = wl_series_get(w, WL_CONTAINER, key);
	if (s) {
		if (!s->nr_cgroups && !s->cgroup && !v1)
			s->cgroup = strdup(path);
		snprintf(s->container_id, sizeof(s->container_id), "%s",
			 ct.id);
		snprintf(s->container_name, sizeof(s->container_name), "%s",
			 meta.container_name);
		s->runtime = ga_runtime_name(ct.runtime);
		snprintf(s->pod_uid, sizeof(s->pod_uid), "%s", ct.pod_uid);
		snprintf(s->pod_name, sizeof(s->pod_name), "%s",
			 meta.pod_name);
		snprintf(s->pod_namespace, sizeof(s->pod_namespace), "%s",
			 meta.pod_namespace);
		snprintf(s->model, sizeof(s->model), "%s", model);
		s->terminated = s->exposed = false;
		s->nr_cgroups++;
		out[WL_CONTAINER] = s;
	}
	if (!ct.pod_uid[0])
		return;
	s = wl_series_get(w, WL_POD, ct.pod_uid);
	if (s) {
		if (!s->cgroup && !v1) {
			char *slash = strrchr(path, '/');

			if (slash && slash != path)
				*slash = '\0';
			s->cgroup = strdup(path);
		}
		snprintf(s->pod_uid, sizeof(s->pod_uid), "%s", ct.pod_uid);
		if (meta.pod_name[0])
			snprintf(s->pod_name, sizeof(s->pod_name), "%s",
				 meta.pod_name);
		if (meta.pod_namespace[0])
			snprintf(s->pod_namespace, sizeof(s->pod_namespace),
				 "%s", meta.pod_namespace);
		s->terminated = s->exposed = false;
		s->nr_cgroups++;
		out[WL_POD] = s;
	}
}

/* Who cgroup @c is, from its path: its container, pod and model. */
static void wl_cgroup_resolve(struct ga_wl *w, struct wl_cgroup *c,
			      const char *cgpath)
{
	char model[GA_LABEL_MAX + 1] = "";
	struct wl_series *s;

	c->path = strdup(cgpath);
	if (!ga_cgroup_label_find(&w->mount, cgpath, GA_LABEL_MODEL, model,
				  sizeof(model), NULL, 0) &&
	    model[0] && (s = wl_series_get(w, WL_MODEL, model))) {
		snprintf(s->model, sizeof(s->model), "%s", model);
		c->s[WL_MODEL] = s;
	}
	wl_container_series(w, cgpath, false, c->s[WL_MODEL] ? model : "",
			    c->s);
}

/* Whether cgroup @c's directory has gone. */
static bool wl_cgroup_gone(struct ga_wl *w, const struct wl_cgroup *c)
{
	char dir[GA_PATH_MAX];
	struct stat st;

	if (!c->path || ga_cgroup_dir(&w->mount, c->path, dir, sizeof(dir)))
		return false;
	return stat(dir, &st) && errno == ENOENT;
}

static uint64_t wl_growth(uint64_t now, uint64_t before)
{
	/* a total that went down started again from zero */
	return now >= before ? now - before : now;
}

static int wl_on_cgroup(const struct ga_acct_cgroup *a, void *arg)
{
	struct ga_wl *w = arg;
	unsigned int nd = ga_nr_domains(w->g), i, k;
	uint64_t cpu, total = 0;
	struct wl_cgroup *c;

	if (!a->id)
		return 0;	/* the overflow: the node's only */
	HASH_FIND(hh, w->cgroups, &a->id, sizeof(a->id), c);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->id = a->id;
		HASH_ADD(hh, w->cgroups, id, sizeof(c->id), c);
		w->stats.cgroups++;
	}
	if (!c->resolved) {
		/*
		 * Looked up after this walk, all together; its growth is
		 * taken at the next update, from zero, whole.
		 */
		if (w->nr_pending < GA_WL_PENDING_MAX)
			w->pending[w->nr_pending++] = c->id;
		return 0;
	}
	cpu = wl_growth(a->cpu_ns, c->prev_cpu_ns);
	c->prev_cpu_ns = a->cpu_ns;
	for (k = 0; k < WL_KINDS; k++)
		if (c->s[k])
			c->s[k]->c.cpu_ns += cpu;
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		uint64_t act = wl_growth(a->energy[i].active_uj,
					 c->prev[i].active_uj);
		uint64_t idle = wl_growth(a->energy[i].idle_uj,
					  c->prev[i].idle_uj);

		c->prev[i] = a->energy[i];
		if (ga_domain_in_total(w->g, i))
			total += act + idle;
		for (k = 0; k < WL_KINDS; k++) {
			if (!c->s[k])
				continue;
			c->s[k]->c.active_uj[i] += act;
			c->s[k]->c.idle_uj[i] += idle;
		}
	}
	for (k = 0; k < WL_KINDS; k++)
		if (c->s[k])
			c->s[k]->c.total_uj += total;
	/* a cgroup that ran is there; one that did not may have gone */
	if (!cpu && !c->gone && wl_cgroup_gone(w, c)) {
		c->gone = true;
		for (k = WL_CONTAINER; k <= WL_POD; k++) {
			if (c->s[k] && c->s[k]->nr_cgroups &&
			    !--c->s[k]->nr_cgroups)
				c->s[k]->terminated = true;
		}
	}
	if (c->gone && !c->kept && w->nr_gone < GA_WL_PENDING_MAX)
		w->gone[w->nr_gone++] = c->id;
	return 0;
}

static uint64_t wl_co2(const struct ga_wl *w, const struct wl_counts *c)
{
	uint64_t ug = 0;

	ga_co2_ug(c->total_uj, w->conf.mg_per_kwh, w->conf.pue_milli, &ug);
	return c->co2_base_ug + ug;
}

static void wl_counts_add(struct wl_counts *to, const struct wl_counts *c,
			  uint64_t co2_ug)
{
	unsigned int i;

	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		to->active_uj[i] += c->active_uj[i];
		to->idle_uj[i] += c->idle_uj[i];
	}
	to->cpu_ns += c->cpu_ns;
	to->co2_base_ug += co2_ug;
}

/* A finished container, as a run in the ledger. */
static void wl_record(struct ga_wl *w, const struct wl_series *s)
{
	char names[GA_LEDGER_MAX_DOMAINS][GREENAI_NAME_LEN], cmd[300];
	unsigned int i, nd = ga_nr_domains(w->g);
	struct ga_run run = { 0 };

	snprintf(cmd, sizeof(cmd), "container %s",
		 s->container_name[0] ? s->container_name : s->key);
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
	run.co2_ug = wl_co2(w, &s->c);
	run.end_unix_ns = ga_unix_ns();
	run.status = GA_RUN_DONE;
	if (ga_ledger_finish(w->conf.ledger, &run))
		w->stats.ledger_errors++;
}

/* No cgroup that is kept (gone, not dropped yet) adds to @s any more. */
static void wl_unlink_series(struct ga_wl *w, const struct wl_series *s)
{
	struct wl_v1proc *p, *ptmp;
	struct wl_cgroup *c, *tmp;

	HASH_ITER(hh, w->cgroups, c, tmp)
		if (c->s[s->kind] == s)
			c->s[s->kind] = NULL;
	HASH_ITER(hh, w->v1procs, p, ptmp)
		if (s->kind <= WL_POD && p->s[s->kind] == s)
			p->s[s->kind] = NULL;
}

/* Terminated containers and pods exposed once: into the node's totals. */
static void wl_fold(struct ga_wl *w)
{
	struct wl_series *s, *st;
	unsigned int k;

	for (k = WL_CONTAINER; k <= WL_POD; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			if (!s->terminated || !s->exposed)
				continue;
			if (k == WL_CONTAINER && w->conf.ledger)
				wl_record(w, s);
			wl_counts_add(&w->term[k], &s->c, wl_co2(w, &s->c));
			w->nr_term[k]++;
			w->stats.terminated++;
			wl_unlink_series(w, s);
			wl_series_free(w, s);
		}
	}
}

static void wl_found(uint64_t id, const char *path, void *arg)
{
	struct ga_wl *w = arg;
	struct wl_cgroup *c;

	HASH_FIND(hh, w->cgroups, &id, sizeof(id), c);
	if (c && !c->resolved) {
		wl_cgroup_resolve(w, c, path);
		c->resolved = true;
	}
}

/*
 * The cgroups met for the first time, in one walk of the mount; those
 * not found (gone already) count in the node's figures only.
 */
static void wl_resolve_pending(struct ga_wl *w)
{
	unsigned int i;

	if (w->have_mount)
		ga_cgroup_paths_of_ids(&w->resolver, w->pending,
				       w->nr_pending, wl_found, w);
	for (i = 0; i < w->nr_pending; i++) {
		struct wl_cgroup *c;

		HASH_FIND(hh, w->cgroups, &w->pending[i], sizeof(uint64_t), c);
		if (c)
			c->resolved = true;
	}
	w->nr_pending = 0;
}

static int wl_on_task_v1(const struct ga_acct_task *t, void *arg)
{
	struct ga_wl *w = arg;
	char path[GA_PATH_MAX];
	struct wl_v1proc *p;
	struct wl_cgroup *c;

	if (t->tgid == GA_ACCT_OVERFLOW_ID)
		return 0;
	HASH_FIND(hh, w->cgroups, &t->cgroup_id, sizeof(t->cgroup_id), c);
	if (!c || !c->resolved || c->s[WL_CONTAINER])
		return 0;	/* its v2 cgroup says, or will say, who it is */
	HASH_FIND(hh, w->v1procs, &t->tgid, sizeof(t->tgid), p);
	if (p && p->start_ns != t->start_ns) {
		wl_v1proc_free(w, p);	/* the pid was used again */
		p = NULL;
	}
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->tgid = t->tgid;
		p->start_ns = t->start_ns;
		HASH_ADD(hh, w->v1procs, tgid, sizeof(p->tgid), p);
		if (!ga_cgroup_v1_of_pid(w->root, (int)t->tgid, path,
					 sizeof(path), NULL))
			wl_container_series(w, path, true, "", p->s);
		if (p->s[0] || p->s[1]) {
			/* its growth from zero: all of it is the container's */
			p->prev = calloc(GREENAI_MAX_DOMAINS,
					 sizeof(*p->prev));
			if (!p->prev)
				return -ENOMEM;
		}
	}
	if (p->prev)
		wl_v1proc_grow(w, p, t->cpu_ns, t->energy,
			       GREENAI_MAX_DOMAINS);
	return 0;
}

/*
 * Cgroups that have gone, their growth all taken: dropped here and in
 * libgreenai, so that churn does not grow the tables. One a process that
 * ran in it still holds (not folded yet) is tried again next time; with
 * the module, whose table is its own, it is kept.
 */
static void wl_forget_gone(struct ga_wl *w)
{
	unsigned int i;

	for (i = 0; i < w->nr_gone; i++) {
		struct wl_cgroup *c;
		int r = ga_forget_cgroup(w->g, w->gone[i]);

		HASH_FIND(hh, w->cgroups, &w->gone[i], sizeof(uint64_t), c);
		if (!c)
			continue;
		if (r == -EOPNOTSUPP) {
			c->kept = true;
		} else if (!r || r == -ENOENT) {
			HASH_DEL(w->cgroups, c);
			free(c->path);
			free(c);
			w->stats.cgroups--;
		}
	}
	w->nr_gone = 0;
}

/*
 * Containers and pods none of whose cgroups has run since the exporter
 * started (taken up from the state file): ended once their cgroup has
 * gone.
 */
static void wl_check_unmet(struct ga_wl *w)
{
	char dir[GA_PATH_MAX];
	struct wl_series *s, *st;
	struct stat sb;
	unsigned int k;

	for (k = WL_CONTAINER; k <= WL_POD; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			if (s->nr_cgroups || s->terminated)
				continue;
			if (!s->cgroup || !w->have_mount ||
			    ga_cgroup_dir(&w->mount, s->cgroup, dir,
					  sizeof(dir)) ||
			    (stat(dir, &sb) && errno == ENOENT))
				s->terminated = true;
		}
	}
}

static uint64_t wl_node_co2(const struct ga_wl *w);

/* @v's values moved from the old context's domain ids to the new ones. */
static void wl_remap(uint64_t *v, const int *map)
{
	uint64_t old[GREENAI_MAX_DOMAINS];
	unsigned int i;

	memcpy(old, v, sizeof(old));
	memset(v, 0, sizeof(old));
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++)
		if (map[i] >= 0)
			v[map[i]] += old[i];
}

/**
 * ga_wl_rebase() - go on counting over a context opened anew
 * @w: the counters
 * @g: the new context (the backend started again: its totals from zero)
 *
 * What the old context counted becomes the base of the node's counters;
 * each cgroup's growth is taken from zero again. Zones are matched by
 * name; one the new context lacks keeps its figures in no series. The old
 * context may be closed after.
 */
void ga_wl_rebase(struct ga_wl *w, struct ga_ctx *g)
{
	uint64_t *node[] = { w->base_energy_uj, w->base_active_uj,
			     w->base_idle_uj, w->base_unattr_uj };
	unsigned int i, j, k, nd = ga_nr_domains(w->g);
	int map[GREENAI_MAX_DOMAINS];
	struct wl_v1proc *p, *pt;
	struct wl_series *s, *st;
	struct wl_cgroup *c, *ct;

	w->base_co2_ug = wl_node_co2(w);
	w->co2_from_uj = 0;	/* the new context counts from zero */
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		const struct ga_acct_domain_totals *t =
			ga_domain_totals(w->g, i);

		w->base_energy_uj[i] += t->energy_uj;
		w->base_active_uj[i] += t->active_uj;
		w->base_idle_uj[i] += t->idle_uj;
		w->base_unattr_uj[i] += t->unattributed_uj;
	}
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		map[i] = -1;
		for (j = 0; i < nd && j < ga_nr_domains(g) &&
			    j < GREENAI_MAX_DOMAINS; j++)
			if (!strcmp(ga_domain(w->g, i)->name,
				    ga_domain(g, j)->name))
				map[i] = (int)j;
	}
	for (i = 0; i < 4; i++)
		wl_remap(node[i], map);
	for (k = 0; k < WL_KINDS; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			wl_remap(s->c.active_uj, map);
			wl_remap(s->c.idle_uj, map);
		}
	}
	for (k = 0; k < 2; k++) {
		wl_remap(w->term[k].active_uj, map);
		wl_remap(w->term[k].idle_uj, map);
	}
	HASH_ITER(hh, w->cgroups, c, ct) {
		if (c->gone) {
			/* the new context will not report it again */
			HASH_DEL(w->cgroups, c);
			free(c->path);
			free(c);
			w->stats.cgroups--;
			continue;
		}
		c->prev_cpu_ns = 0;
		memset(c->prev, 0, sizeof(c->prev));
	}
	HASH_ITER(hh, w->v1procs, p, pt) {
		p->prev_cpu_ns = 0;
		if (p->prev)
			memset(p->prev, 0, GREENAI_MAX_DOMAINS *
			       sizeof(*p->prev));
	}
	memset(w->last_energy_uj, 0, sizeof(w->last_energy_uj));
	ga_set_record_fn(w->g, NULL, NULL);
	ga_set_record_fn(g, wl_on_record, w);
	w->g = g;
}

/**
 * ga_wl_update() - take the growth since the last update
 * @w: the counters
 * @interval_s: the time since the last sample, for the node's power
 *
 * Call after each ga_sample() of the context.
 *
 * Return: 0, or -ENOMEM (what was taken stays taken).
 */
int ga_wl_update(struct ga_wl *w, double interval_s)
{
	unsigned int i, nd = ga_nr_domains(w->g);
	int r;

	wl_fold(w);
	r = ga_for_each_cgroup(w->g, wl_on_cgroup, w);
	wl_forget_gone(w);
	wl_resolve_pending(w);
	wl_check_unmet(w);
	if (!r && w->v1)
		r = ga_for_each_task(w->g, wl_on_task_v1, w);
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		uint64_t e = ga_domain_totals(w->g, i)->energy_uj;

		w->power_w[i] = interval_s > 0 ?
			(e - w->last_energy_uj[i]) / 1e6 / interval_s : 0;
		w->last_energy_uj[i] = e;
		w->read_errors[i] += !!*ga_domain_error(w->g, i);
	}
	w->stats.updates++;
	return r;
}

/* The node's energy in the total, by the context in use. */
static uint64_t wl_node_uj(const struct ga_wl *w)
{
	unsigned int i, nd = ga_nr_domains(w->g);
	uint64_t uj = 0;

	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++)
		if (ga_domain_in_total(w->g, i))
			uj += ga_domain_totals(w->g, i)->energy_uj;
	return uj;
}

/*
 * The node's CO2e: what earlier intensities gave, and its energy in the
 * total since the one in force took over, at that one.
 */
static uint64_t wl_node_co2(const struct ga_wl *w)
{
	uint64_t uj = wl_node_uj(w), ug = 0;

	ga_co2_ug(uj > w->co2_from_uj ? uj - w->co2_from_uj : 0,
		  w->conf.mg_per_kwh, w->conf.pue_milli, &ug);
	return w->base_co2_ug + ug;
}

/**
 * ga_wl_set_intensity() - a new grid intensity from now on
 * @w: the counters
 * @mg_per_kwh: the intensity
 * @source: where it comes from (copied)
 *
 * What every counter's energy emitted so far, at the intensity then in
 * force, is kept; energy from now on counts at @mg_per_kwh. Call it
 * right after an update, so that no energy is counted at the wrong one.
 */
void ga_wl_set_intensity(struct ga_wl *w, uint32_t mg_per_kwh,
			 const char *source)
{
	struct wl_series *s, *tmp;
	unsigned int k;

	w->base_co2_ug = wl_node_co2(w);
	w->co2_from_uj = wl_node_uj(w);
	for (k = 0; k < WL_KINDS; k++)
		HASH_ITER(hh, w->series[k], s, tmp) {
			s->c.co2_base_ug = wl_co2(w, &s->c);
			s->c.total_uj = 0;
		}
	w->conf.mg_per_kwh = mg_per_kwh;
	snprintf(w->source, sizeof(w->source), "%s", source ? source : "");
}

#define WL_MAX_LABELS	10

/* A zone's labels after @n others: zone, provenance. */
static unsigned int wl_zone_labels(const struct ga_wl *w, unsigned int i,
				   struct ga_label *l, unsigned int n)
{
	const struct greenai_domain *d = ga_domain(w->g, i);

	l[n++] = (struct ga_label){ "zone", d->name };
	l[n++] = (struct ga_label){ "provenance",
		d->flags & GREENAI_F_ESTIMATED ? "estimated" : "measured" };
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
		  "Energy of a zone in intervals in which nothing ran on it." },
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
	r = r ?: ga_expo_family(e, "greenai_node_zone_up", GA_EXPO_GAUGE, NULL,
				"1 when the zone's last reading was good; 0 when it failed (its energy stays where it was).");
	for (i = 0; !r && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		n = wl_zone_labels(w, i, l, 1);
		ga_expo_sample(e, l, n, !*ga_domain_error(w->g, i));
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
	/* a terminated one has been exposed this once: folded next */
	HASH_ITER(hh, w->series[k], s, st)
		if (!r && s->terminated)
			s->exposed = true;
	return r;
}

static int wl_expose_terminated(struct ga_wl *w, struct ga_expo *e)
{
	unsigned int nd = ga_nr_domains(w->g), i, k, n;
	struct ga_label l[WL_MAX_LABELS];
	char name[96], help[200];
	int r = 0;

	l[0] = (struct ga_label){ "node_name", w->node_name };
	for (k = WL_CONTAINER; k <= WL_POD; k++) {
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
 * Marks the terminated containers and pods as exposed: the next update
 * folds them.
 *
 * Return: 0, or -errno.
 */
int ga_wl_expose(struct ga_wl *w, struct ga_expo *e)
{
	unsigned int k;
	int r = wl_expose_node(w, e);

	for (k = 0; !r && k < WL_KINDS; k++)
		r = wl_expose_kind(w, e, k);
	r = r ?: wl_expose_terminated(w, e);
	if (!r && w->conf.max_processes)
		r = wl_expose_processes(w, e);
	return r;
}

void ga_wl_stats(const struct ga_wl *w, struct ga_wl_stats *out)
{
	*out = w->stats;
	out->containers = w->nr_series[WL_CONTAINER];
	out->pods = w->nr_series[WL_POD];
	out->models = w->nr_series[WL_MODEL];
}

/* --- the state file ------------------------------------------------------ */

#define WL_STATE_VERSION	1
#define WL_STATE_MAX		(64 << 20)

static json_object *wl_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

/* {"zone": [energy...]}: @nr values per zone, by domain name */
static json_object *wl_zones_json(const struct ga_wl *w,
				  const uint64_t *const *v, unsigned int nr)
{
	unsigned int nd = ga_nr_domains(w->g), i, j;
	json_object *o = json_object_new_object();

	for (i = 0; o && i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		json_object *a = json_object_new_array();

		for (j = 0; a && j < nr; j++)
			json_object_array_add(a, wl_u64(v[j][i]));
		json_object_object_add(o, ga_domain(w->g, i)->name, a);
	}
	return o;
}

static json_object *wl_counts_json(const struct ga_wl *w,
				   const struct wl_counts *c)
{
	const uint64_t *v[] = { c->active_uj, c->idle_uj };
	json_object *o = json_object_new_object();

	json_object_object_add(o, "zones", wl_zones_json(w, v, 2));
	json_object_object_add(o, "cpu_ns", wl_u64(c->cpu_ns));
	json_object_object_add(o, "co2_ug", wl_u64(wl_co2(w, c)));
	return o;
}

static json_object *wl_state_json(const struct ga_wl *w)
{
	unsigned int nd = ga_nr_domains(w->g), i, k;
	uint64_t energy[GREENAI_MAX_DOMAINS], active[GREENAI_MAX_DOMAINS];
	uint64_t idle[GREENAI_MAX_DOMAINS], un[GREENAI_MAX_DOMAINS];
	const uint64_t *node[] = { energy, active, idle, un };
	json_object *o = json_object_new_object(), *a;
	struct wl_series *s, *st;

	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		const struct ga_acct_domain_totals *t =
			ga_domain_totals(w->g, i);

		energy[i] = w->base_energy_uj[i] + t->energy_uj;
		active[i] = w->base_active_uj[i] + t->active_uj;
		idle[i] = w->base_idle_uj[i] + t->idle_uj;
		un[i] = w->base_unattr_uj[i] + t->unattributed_uj;
	}
	json_object_object_add(o, "version", json_object_new_int(WL_STATE_VERSION));
	json_object_object_add(o, "node_name",
			       json_object_new_string(w->node_name));
	json_object_object_add(o, "node_zones", wl_zones_json(w, node, 4));
	json_object_object_add(o, "node_co2_ug", wl_u64(wl_node_co2(w)));
	for (k = WL_CONTAINER; k <= WL_POD; k++) {
		json_object *t = wl_counts_json(w, &w->term[k]);

		json_object_object_add(t, "count", wl_u64(w->nr_term[k]));
		json_object_object_add(o, k == WL_CONTAINER ?
				       "terminated_containers" :
				       "terminated_pods", t);
	}
	a = json_object_new_array();
	for (k = 0; k < WL_KINDS; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			json_object *j = wl_counts_json(w, &s->c);
			const char *const f[][2] = {
				{ "kind", wl_kind_name[k] },
				{ "key", s->key },
				{ "container_id", s->container_id },
				{ "container_name", s->container_name },
				{ "runtime", s->runtime },
				{ "pod_uid", s->pod_uid },
				{ "pod_name", s->pod_name },
				{ "pod_namespace", s->pod_namespace },
				{ "model", s->model },
				{ "cgroup", s->cgroup ? s->cgroup : "" },
			};
			unsigned int i;

			for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
				json_object_object_add(j, f[i][0],
						       json_object_new_string(f[i][1]));
			json_object_array_add(a, j);
		}
	}
	json_object_object_add(o, "series", a);
	return o;
}

/**
 * ga_wl_save() - write the counters to @path, whole or not at all
 * @w: the counters
 * @path: the state file; written as "<path>.tmp", then renamed over it
 *
 * Return: 0 or -errno.
 */
int ga_wl_save(const struct ga_wl *w, const char *path)
{
	char tmp[GA_PATH_MAX];
	json_object *o;
	const char *text;
	FILE *f;
	int r = 0;

	char *slash;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* its directory, the first time (/var/lib/greenai) */
	slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	o = wl_state_json(w);
	if (!o)
		return -ENOMEM;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	f = fopen(tmp, "w");
	if (!f) {
		r = -errno;
		goto out;
	}
	if (!text || fputs(text, f) == EOF || fputc('\n', f) == EOF)
		r = -EIO;
	if (fflush(f) || fsync(fileno(f)))
		r = r ?: -errno;
	if (fclose(f))
		r = r ?: -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
out:
	json_object_put(o);
	return r;
}

static bool wl_get_u64(json_object *o, const char *key, uint64_t *v)
{
	json_object *j;

	if (!json_object_object_get_ex(o, key, &j) ||
	    !json_object_is_type(j, json_type_int))
		return false;
	errno = 0;
	*v = json_object_get_uint64(j);
	return !errno;
}

static const char *wl_get_str(json_object *o, const char *key)
{
	json_object *j;

	if (!json_object_object_get_ex(o, key, &j) ||
	    !json_object_is_type(j, json_type_string))
		return NULL;
	return json_object_get_string(j);
}

/* The domain id of zone @name now, or -1. */
static int wl_zone_id(const struct ga_wl *w, const char *name)
{
	unsigned int i, nd = ga_nr_domains(w->g);

	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++)
		if (!strcmp(ga_domain(w->g, i)->name, name))
			return (int)i;
	return -1;
}

/* {"zone": [v0, v1...]} into @nr arrays by domain id; unknown zones left. */
static int wl_zones_load(const struct ga_wl *w, json_object *o,
			 uint64_t *const *v, unsigned int nr)
{
	unsigned int j;
	int id;

	if (!o || !json_object_is_type(o, json_type_object))
		return -EINVAL;
	json_object_object_foreach(o, name, a) {
		if (!json_object_is_type(a, json_type_array) ||
		    json_object_array_length(a) != nr)
			return -EINVAL;
		for (j = 0; j < nr; j++) {
			json_object *x = json_object_array_get_idx(a, j);

			if (!json_object_is_type(x, json_type_int))
				return -EINVAL;
		}
		id = wl_zone_id(w, name);
		if (id < 0)
			continue;	/* a zone this machine no longer has */
		for (j = 0; j < nr; j++)
			v[j][id] += json_object_get_uint64(
				json_object_array_get_idx(a, j));
	}
	return 0;
}

static int wl_counts_load(const struct ga_wl *w, json_object *o,
			  struct wl_counts *c)
{
	uint64_t *v[] = { c->active_uj, c->idle_uj };
	json_object *z;
	uint64_t cpu, co2;

	if (!json_object_object_get_ex(o, "zones", &z) ||
	    !wl_get_u64(o, "cpu_ns", &cpu) || !wl_get_u64(o, "co2_ug", &co2) ||
	    wl_zones_load(w, z, v, 2))
		return -EINVAL;
	c->cpu_ns += cpu;
	c->co2_base_ug += co2;
	return 0;
}

static int wl_series_load(struct ga_wl *w, json_object *j)
{
	static const char *const rt[] = {
		"docker", "containerd", "cri-o", "podman", "lxc", "kubepods",
		"unknown",
	};
	const char *kind = wl_get_str(j, "kind"), *key = wl_get_str(j, "key");
	const char *runtime = wl_get_str(j, "runtime");
	const char *cgroup = wl_get_str(j, "cgroup");
	struct wl_counts c = { 0 };
	struct wl_series *s;
	unsigned int k, i;

	for (k = 0; kind && k < WL_KINDS; k++)
		if (!strcmp(kind, wl_kind_name[k]))
			break;
	if (!kind || k == WL_KINDS || !key || !key[0] ||
	    strlen(key) >= sizeof(s->key) || !runtime ||
	    wl_counts_load(w, j, &c))
		return -EINVAL;
	s = wl_series_get(w, k, key);
	if (!s)
		return 0;	/* past the bound: its figures are lost */
	wl_counts_add(&s->c, &c, c.co2_base_ug);
	/* the runtime's name, as the code spells it */
	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++)
		if (!strcmp(runtime, rt[i]))
			s->runtime = rt[i];
#define WL_STR(f)                                                         \
	do {                                                              \
		const char *v_ = wl_get_str(j, #f);                       \
		snprintf(s->f, sizeof(s->f), "%s", v_ ? v_ : "");         \
	} while (0)
	WL_STR(container_id);
	WL_STR(container_name);
	WL_STR(pod_uid);
	WL_STR(pod_name);
	WL_STR(pod_namespace);
	WL_STR(model);
#undef WL_STR
	/* met again when one of its cgroups runs; ended if it has gone */
	if (cgroup && cgroup[0] == '/' && !s->cgroup)
		s->cgroup = strdup(cgroup);
	return 0;
}

/**
 * ga_wl_load() - take up the counters a previous run saved
 * @w: the counters, new (no update yet)
 * @path: the state file
 * @err: what is wrong with it
 * @err_size: its size
 *
 * A file that is not there is no error (a first start). A bad one is
 * refused whole: nothing is taken from it.
 *
 * Return: 0, -EINVAL (a bad file), or -errno.
 */
int ga_wl_load(struct ga_wl *w, const char *path, char *err,
	       size_t err_size)
{
	uint64_t *node[] = { w->base_energy_uj, w->base_active_uj,
			     w->base_idle_uj, w->base_unattr_uj };
	struct json_tokener *tok;
	json_object *o = NULL, *z, *a, *t;
	uint64_t version, co2, count;
	struct ga_wl saved = *w;
	unsigned int k;
	size_t len, i;
	char *buf;
	int r;

	r = ga_read_file(path, WL_STATE_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r) {
		snprintf(err, err_size, "%s: %s", path, strerror(-r));
		return r;
	}
	r = -EINVAL;
	tok = json_tokener_new_ex(16);
	if (tok) {
		o = json_tokener_parse_ex(tok, buf, (int)len);
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	free(buf);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !wl_get_u64(o, "version", &version) ||
	    version != WL_STATE_VERSION ||
	    !json_object_object_get_ex(o, "node_zones", &z) ||
	    !wl_get_u64(o, "node_co2_ug", &co2) ||
	    wl_zones_load(w, z, node, 4) ||
	    !json_object_object_get_ex(o, "series", &a) ||
	    !json_object_is_type(a, json_type_array))
		goto bad;
	w->base_co2_ug += co2;
	for (k = WL_CONTAINER; k <= WL_POD; k++) {
		if (!json_object_object_get_ex(o, k == WL_CONTAINER ?
					       "terminated_containers" :
					       "terminated_pods", &t) ||
		    !wl_get_u64(t, "count", &count) ||
		    wl_counts_load(w, t, &w->term[k]))
			goto bad;
		w->nr_term[k] += count;
	}
	for (i = 0; i < json_object_array_length(a); i++)
		if (wl_series_load(w, json_object_array_get_idx(a, i)))
			goto bad;
	json_object_put(o);
	return 0;
bad:
	/* nothing taken: drop the series made so far, restore the rest */
	for (k = 0; k < WL_KINDS; k++) {
		struct wl_series *s, *st;

		HASH_ITER(hh, w->series[k], s, st)
			wl_series_free(w, s);
	}
	saved.stats = w->stats;
	*w = saved;
	json_object_put(o);
	snprintf(err, err_size,
		 "%s: not a greenai-exporter state file of version %d",
		 path, WL_STATE_VERSION);
	return r;
}
