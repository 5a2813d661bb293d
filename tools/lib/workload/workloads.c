// SPDX-License-Identifier: GPL-2.0
/*
 * Workload counters (workloads.h): the node's, and each container's,
 * pod's and model's, grown from libgreenai's per-cgroup totals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <greenai/carbon.h>
#include <greenai/clock.h>

#include "workload/wl_internal.h"

const char *const wl_kind_name[WL_KINDS] = {
	[WL_CONTAINER] = "container",
	[WL_POD] = "pod",
	[WL_MODEL] = "model",
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
	if (!w->conf.keep_updates)
		w->conf.keep_updates = GA_WL_KEEP_UPDATES_DEF;
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
	{
		struct ga_vms_conf vc = { .root = w->root,
					  .max_vms = w->conf.max_series,
					  .keep_updates = w->conf.keep_updates };

		if (ga_vms_new(&w->vms, &vc)) {
			ga_wl_free(w);
			return -ENOMEM;
		}
	}
	*out = w;
	return 0;
}

void wl_series_free(struct ga_wl *w, struct wl_series *s)
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
	ga_vms_free(w->vms);
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
struct wl_series *wl_series_get(struct ga_wl *w, enum wl_kind kind,
				       const char *key)
{
	struct wl_series *s = wl_series_find(w, kind, key);

	if (s)
		return s;
	if (w->nr_series[kind] >= w->conf.max_series) {
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
 * The pod's cgroup, from the path of one in it: @path cut after the
 * component that names pod @uid (dashes, or a systemd slice's
 * underscores). Return: false when none does.
 */
static bool wl_pod_cgroup(char *path, const char *uid)
{
	char alt[GA_POD_UID_LEN + 1], *c, *end;
	size_t i;

	for (i = 0; uid[i] && i < GA_POD_UID_LEN; i++)
		alt[i] = uid[i] == '-' ? '_' : uid[i];
	alt[i] = '\0';
	for (c = path; *c; c = end) {
		end = strchrnul(c + 1, '/');
		if (memmem(c, end - c, uid, strlen(uid)) ||
		    memmem(c, end - c, alt, strlen(alt))) {
			*end = '\0';
			return true;
		}
	}
	return false;
}

/*
 * Who made container @ct, when not root's runtimes: a user's rootless
 * runtime ("uid:1000"), or a container it is inside ("docker:<id>"); ""
 * for root's. Part of its series' key and labels, so that no one can
 * make a series that adds to another's.
 */
static void wl_owner(const struct ga_container *ct, char *buf, size_t size)
{
	if (ct->flags & GA_CT_ROOTLESS)
		snprintf(buf, size, "uid:%u", ct->owner_uid);
	else if (ct->flags & GA_CT_NESTED)
		snprintf(buf, size, "%s:%s", ga_runtime_name(ct->outer_runtime),
			 ct->outer_id);
	else
		buf[0] = '\0';
}

/* @key of a series, after its owner's when it has one; cut when long. */
static void wl_key(char *buf, size_t size, const char *owner, const char *key)
{
	/* a byte no label, id or owner holds: owner and name never blend */
	int n = snprintf(buf, size, "%s%s%s", owner, owner[0] ? "\x1f" : "",
			 key);

	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

/*
 * The pod series of cgroup @path (@ct parsed from it), if it is in a pod;
 * the pod's cgroup is noted from it.
 */
static void wl_pod_series(struct ga_wl *w, char *path,
			  const struct ga_container *ct, bool v1,
			  const struct ga_wl_meta *meta, struct wl_series **out)
{
	char owner[WL_OWNER_MAX], key[sizeof(out[0]->key)];
	struct wl_series *s;

	if (!ct->pod_uid[0])
		return;
	wl_owner(ct, owner, sizeof(owner));
	wl_key(key, sizeof(key), owner, ct->pod_uid);
	s = wl_series_get(w, WL_POD, key);
	if (!s)
		return;
	snprintf(s->owner, sizeof(s->owner), "%s", owner);
	if (!s->cgroup && !v1 && wl_pod_cgroup(path, ct->pod_uid))
		s->cgroup = strdup(path);
	snprintf(s->pod_uid, sizeof(s->pod_uid), "%s", ct->pod_uid);
	if (meta && meta->pod_name[0])
		snprintf(s->pod_name, sizeof(s->pod_name), "%s",
			 meta->pod_name);
	if (meta && meta->pod_namespace[0])
		snprintf(s->pod_namespace, sizeof(s->pod_namespace), "%s",
			 meta->pod_namespace);
	s->terminated = false;
	s->fold_at = 0;
	s->nr_cgroups++;
	out[WL_POD] = s;
}

/*
 * The container and pod series of the cgroup @path, each with one more
 * member (a v2 cgroup, or a process in a v1 one: @v1, whose path is no
 * directory of the v2 mount to watch); NULL for none. A cgroup below a
 * container's is the container's; one in a pod (its own, a container's,
 * the runtime's monitor's) is the pod's, as the pod's cpu.stat counts
 * it. Each cgroup is in one container at most: a container in another
 * (kind, k3d) is its own, so containers add up with nothing twice.
 */
static void wl_container_series(struct ga_wl *w, const char *cgpath,
				bool v1, const char *model,
				struct wl_series **out)
{
	char path[GA_PATH_MAX], key[160], id[160], owner[WL_OWNER_MAX];
	struct ga_container ct;
	struct ga_wl_meta meta;
	struct wl_series *s;

	out[WL_CONTAINER] = out[WL_POD] = NULL;
	snprintf(path, sizeof(path), "%s", cgpath);
	if (ga_container_parse(path, &ct) || ct.runtime == GA_RT_NONE ||
	    ct.runtime == GA_RT_SYSTEMD)
		return;
	if ((ct.flags & GA_CT_CONMON) || (!ct.id[0] && !ct.name[0])) {
		/* no container: a pod's own cgroup, or its monitor's */
		wl_pod_series(w, path, &ct, v1, NULL, out);
		return;
	}
	/* root's runtimes' files say nothing of a user's containers */
	if (ct.flags & GA_CT_ROOTLESS)
		memset(&meta, 0, sizeof(meta));
	else
		ga_wl_meta_read(w->runtime_root, &ct, &meta);
	wl_owner(&ct, owner, sizeof(owner));
	snprintf(id, sizeof(id), "%s/%s", ga_runtime_name(ct.runtime),
		 ct.id[0] ? ct.id : ct.name);
	wl_key(key, sizeof(key), owner, id);
	s = wl_series_get(w, WL_CONTAINER, key);
	if (s) {
		snprintf(s->owner, sizeof(s->owner), "%s", owner);
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
		s->terminated = false;
		s->fold_at = 0;
		s->nr_cgroups++;
		out[WL_CONTAINER] = s;
	}
	wl_pod_series(w, path, &ct, v1, &meta, out);
}

/* Whether [@s, @s + @n) is a decimal number: no sign, no leading zero. */
static bool wl_is_num(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 10 || (s[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * Whose cgroup @dir (stat @st) is: its directory's owner; but a run
 * cgroup the agent made for a user (root's, named greenai-run-P-N) is the
 * user's of its user.greenai.owner "uid:N" (N not 0), which only root
 * (the agent) can have set on a root-owned cgroup.
 */
static uid_t wl_cgroup_uid(const char *dir, const struct stat *st)
{
	const char *base = strrchr(dir, '/'), *dash;
	char v[32], *end;
	unsigned long uid;

	if (st->st_uid || !base || strncmp(++base, "greenai-run-", 12) ||
	    !(dash = strchr(base + 12, '-')) ||
	    !wl_is_num(base + 12, dash - base - 12) ||
	    !wl_is_num(dash + 1, strlen(dash + 1)) ||
	    ga_cgroup_label_get(dir, GA_LABEL_OWNER, v, sizeof(v)) ||
	    strncmp(v, "uid:", 4) || !wl_is_num(v + 4, strlen(v + 4)))
		return st->st_uid;
	uid = strtoul(v + 4, &end, 10);
	return uid && uid < UINT32_MAX ? (uid_t)uid : st->st_uid;
}

/*
 * The model series of cgroup @cgpath: its user.greenai.model label, its
 * own or inherited; NULL for none, or past max_series. The label is set
 * by whoever owns the cgroup it is on: on one that is not root's, it is
 * that user's model (owner "uid:N"), never root's of the same name; so is
 * one on the agent's run cgroup for that user (wl_cgroup_uid()). A
 * model ends when no cgroup of it is left and the labelled one has gone.
 */
static struct wl_series *wl_model_series(struct ga_wl *w, const char *cgpath,
					 char *model, size_t size)
{
	char from[GA_PATH_MAX], dir[GA_PATH_MAX], owner[WL_OWNER_MAX] = "";
	char key[sizeof(((struct wl_series *)0)->key)];
	struct wl_series *s;
	struct stat st;
	uid_t uid;

	if (ga_cgroup_label_find(&w->mount, cgpath, GA_LABEL_MODEL, model,
				 size, from, sizeof(from)) || !model[0] ||
	    ga_cgroup_dir(&w->mount, from, dir, sizeof(dir)) || stat(dir, &st))
		return NULL;
	uid = wl_cgroup_uid(dir, &st);
	if (uid)
		snprintf(owner, sizeof(owner), "uid:%u", (unsigned int)uid);
	wl_key(key, sizeof(key), owner, model);
	s = wl_series_get(w, WL_MODEL, key);
	if (!s)
		return NULL;
	snprintf(s->model, sizeof(s->model), "%s", model);
	snprintf(s->owner, sizeof(s->owner), "%s", owner);
	if (!s->cgroup)
		s->cgroup = strdup(from);
	s->terminated = false;
	s->fold_at = 0;
	s->nr_cgroups++;
	return s;
}

/* Who cgroup @c is, from its path: its container, pod and model. */
static void wl_cgroup_resolve(struct ga_wl *w, struct wl_cgroup *c,
			      const char *cgpath)
{
	char model[GA_LABEL_MAX + 1] = "";

	c->path = strdup(cgpath);
	c->s[WL_MODEL] = wl_model_series(w, cgpath, model, sizeof(model));
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

/*
 * Whether cgroup @dir, owned by @st, may speak for model series @s: its
 * owner is the model's (root for root's, N for "uid:N"), so that no one
 * adds units to another's model.
 */
static bool wl_units_owner(const struct wl_series *s, const char *dir,
			   const struct stat *st)
{
	uid_t of = wl_cgroup_uid(dir, st);
	char *end;
	unsigned long uid;

	if (!s->owner[0])
		return of == 0;
	if (strncmp(s->owner, "uid:", 4))
		return false;
	uid = strtoul(s->owner + 4, &end, 10);
	return !*end && uid == of;
}

/*
 * Cgroup @c's units of work to its model: its own user.greenai.units
 * (not inherited) and user.greenai.unit, as greenai run mirrors a run's
 * units= and unit= there. Checked as the metrics file's are (a number
 * from 0.001 to 10^12, a name of 1 to 24 of [A-Za-z0-9_.-]), counted
 * only when the cgroup's owner is the model's and its unit the model's
 * (the first one counted). A model's units grow by each cgroup's growth:
 * a reading lower than the last adds nothing; the first reading of a
 * cgroup is its base, unless the cgroup was met without units first (a
 * run that began while the exporter ran): then it counts whole. So
 * nothing is counted twice across a restart of the exporter.
 */
static void wl_units(struct ga_wl *w, struct wl_cgroup *c)
{
	/* values longer than a metric's are no values (-ERANGE) */
	char dir[GA_PATH_MAX], v[32], unit[GA_METRIC_UNIT_MAX + 1];
	struct wl_series *s = c->s[WL_MODEL];
	uint64_t milli;
	struct stat st;

	if (!s || !c->path || c->gone ||
	    ga_cgroup_dir(&w->mount, c->path, dir, sizeof(dir)))
		return;
	if (ga_cgroup_label_get(dir, GA_LABEL_UNITS, v, sizeof(v)) ||
	    ga_cgroup_label_get(dir, GA_LABEL_UNIT, unit, sizeof(unit)) ||
	    ga_metric_units_milli(v, &milli) || !ga_metric_unit_ok(unit) ||
	    stat(dir, &st) || !wl_units_owner(s, dir, &st) ||
	    (s->unit[0] && strcmp(s->unit, unit))) {
		if (c->units == WL_UNITS_UNREAD)
			c->units = WL_UNITS_ABSENT;
		return;
	}
	if (!s->unit[0])
		strcpy(s->unit, unit);
	if (c->units == WL_UNITS_ABSENT)
		s->units_milli += milli;
	else if (c->units == WL_UNITS_SEEN && milli > c->prev_units_milli)
		s->units_milli += milli - c->prev_units_milli;
	c->units = WL_UNITS_SEEN;
	c->prev_units_milli = milli;
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
	wl_units(w, c);
	/* a cgroup that ran is there; one that did not may have gone */
	if (!cpu && !c->gone && wl_cgroup_gone(w, c)) {
		c->gone = true;
		for (k = 0; k < WL_KINDS; k++) {
			/* a model, once its labelled cgroup has gone too */
			if (c->s[k] && c->s[k]->nr_cgroups &&
			    !--c->s[k]->nr_cgroups && k != WL_MODEL)
				c->s[k]->terminated = true;
		}
	}
	if (c->gone && !c->kept && w->nr_gone < GA_WL_PENDING_MAX)
		w->gone[w->nr_gone++] = c->id;
	return 0;
}

uint64_t wl_co2(const struct ga_wl *w, const struct wl_counts *c)
{
	uint64_t ug = 0;

	ga_co2_ug(c->total_uj, w->conf.mg_per_kwh, w->conf.pue_milli, &ug);
	return c->co2_base_ug + ug;
}

void wl_counts_add(struct wl_counts *to, const struct wl_counts *c,
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

/*
 * Terminated containers, pods and models, kept as they were for
 * keep_updates updates (whatever scraped them meanwhile): into the
 * node's totals.
 */
static void wl_fold(struct ga_wl *w)
{
	struct wl_series *s, *st;
	unsigned int k;

	for (k = 0; k < WL_KINDS; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			uint64_t co2;

			if (!s->terminated)
				continue;
			if (!s->fold_at)
				s->fold_at = w->stats.updates + w->conf.keep_updates;
			if (w->stats.updates < s->fold_at)
				continue;
			co2 = wl_co2(w, &s->c);
			if (k == WL_CONTAINER && w->conf.ledger)
				wl_record(w, s, co2);
			wl_counts_add(&w->term[k], &s->c, co2);
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
 * Containers, pods and models none of whose cgroups is live (taken up
 * from the state file and not met yet, or a model whose cgroups have
 * gone): ended once their cgroup (a model's: the labelled one) has gone.
 */
static void wl_check_unmet(struct ga_wl *w)
{
	char dir[GA_PATH_MAX];
	struct wl_series *s, *st;
	struct stat sb;
	unsigned int k;

	for (k = 0; k < WL_KINDS; k++) {
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
			     w->base_idle_uj, w->base_unattr_uj,
			     w->base_node_idle_uj };
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
		w->base_node_idle_uj[i] += t->node_idle_uj;
	}
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		map[i] = -1;
		for (j = 0; i < nd && j < ga_nr_domains(g) &&
			    j < GREENAI_MAX_DOMAINS; j++)
			if (!strcmp(ga_domain(w->g, i)->name,
				    ga_domain(g, j)->name))
				map[i] = (int)j;
	}
	for (i = 0; i < sizeof(node) / sizeof(node[0]); i++)
		wl_remap(node[i], map);
	for (k = 0; k < WL_KINDS; k++) {
		HASH_ITER(hh, w->series[k], s, st) {
			wl_remap(s->c.active_uj, map);
			wl_remap(s->c.idle_uj, map);
		}
	}
	for (k = 0; k < WL_KINDS; k++) {
		wl_remap(w->term[k].active_uj, map);
		wl_remap(w->term[k].idle_uj, map);
	}
	ga_vms_remap(w->vms, map);
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
	if (!r)
		r = ga_vms_update(w->vms, w->g);
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
uint64_t wl_node_co2(const struct ga_wl *w)
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

void ga_wl_stats(const struct ga_wl *w, struct ga_wl_stats *out)
{
	struct ga_vms_stats vs;

	*out = w->stats;
	out->containers = w->nr_series[WL_CONTAINER];
	out->pods = w->nr_series[WL_POD];
	out->models = w->nr_series[WL_MODEL];
	ga_vms_stats(w->vms, &vs);
	out->vms = vs.vms;
	out->dropped += vs.dropped;
}

/**
 * ga_wl_vms() - the VMs the counters keep
 * @w: the counters
 *
 * Return: their census (vms.h), updated with the counters.
 */
const struct ga_vms *ga_wl_vms(const struct ga_wl *w)
{
	return w->vms;
}
