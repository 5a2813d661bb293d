// SPDX-License-Identifier: GPL-2.0
/*
 * The workload counters across restarts of the exporter (wl_internal.h):
 * a JSON file written whole, then renamed over the old one, and read
 * back with every value checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include <greenai/files.h>

#include "workload/wl_internal.h"

/* --- the state file ------------------------------------------------------ */

/* 2: the node's own idle in node_zones; 1 (without it) is read too */
#define WL_STATE_VERSION	2
#define WL_STATE_MAX		(64 << 20)

/* What each kind's ended series were folded into */
static const char *const wl_term_key[WL_KINDS] = {
	[WL_CONTAINER] = "terminated_containers",
	[WL_POD] = "terminated_pods",
	[WL_MODEL] = "terminated_models",
};

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
	uint64_t own[GREENAI_MAX_DOMAINS];
	const uint64_t *node[] = { energy, active, idle, un, own };
	json_object *o = json_object_new_object(), *a;
	struct wl_series *s, *st;

	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		const struct ga_acct_domain_totals *t =
			ga_domain_totals(w->g, i);

		energy[i] = w->base_energy_uj[i] + t->energy_uj;
		active[i] = w->base_active_uj[i] + t->active_uj;
		idle[i] = w->base_idle_uj[i] + t->idle_uj;
		un[i] = w->base_unattr_uj[i] + t->unattributed_uj;
		own[i] = w->base_node_idle_uj[i] + t->node_idle_uj;
	}
	json_object_object_add(o, "version", json_object_new_int(WL_STATE_VERSION));
	json_object_object_add(o, "node_name",
			       json_object_new_string(w->node_name));
	json_object_object_add(o, "node_zones", wl_zones_json(w, node, 5));
	json_object_object_add(o, "node_co2_ug", wl_u64(wl_node_co2(w)));
	for (k = 0; k < WL_KINDS; k++) {
		json_object *t = wl_counts_json(w, &w->term[k]);

		json_object_object_add(t, "count", wl_u64(w->nr_term[k]));
		json_object_object_add(o, wl_term_key[k], t);
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
				{ "owner", s->owner },
				{ "cgroup", s->cgroup ? s->cgroup : "" },
			};
			unsigned int i;

			for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
				json_object_object_add(j, f[i][0],
						       json_object_new_string(f[i][1]));
			if (s->unit[0]) {
				json_object_object_add(j, "unit",
					json_object_new_string(s->unit));
				json_object_object_add(j, "units_milli",
					wl_u64(s->units_milli));
			}
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
	json_object *o;
	const char *text;
	char *buf = NULL;
	int r, n;

	/* its directory, the first time (/var/lib/greenai) */
	r = ga_mkdir_parents(path, 0700);
	if (r)
		return r;
	o = wl_state_json(w);
	if (!o)
		return -ENOMEM;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = text ? (int)strlen(text) : -1;
	buf = n >= 0 ? malloc(n + 1) : NULL;
	if (buf) {
		memcpy(buf, text, n);
		buf[n] = '\n';
	}
	/* it names workloads: for root only */
	r = !buf ? -ENOMEM : ga_write_atomic(path, buf, n + 1, 0600);
	free(buf);
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
			continue;	/* a zone the machine no longer has */
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
	const char *cgroup = wl_get_str(j, "cgroup"), *unit;
	struct wl_counts c = { 0 };
	uint64_t units = 0;
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
	WL_STR(owner);
#undef WL_STR
	/* a model's units, when it had any: a good unit, or none at all */
	unit = wl_get_str(j, "unit");
	if (unit && !(ga_metric_unit_ok(unit) &&
		      wl_get_u64(j, "units_milli", &units)))
		return -EINVAL;
	if (unit && k == WL_MODEL && (!s->unit[0] || !strcmp(s->unit, unit))) {
		snprintf(s->unit, sizeof(s->unit), "%s", unit);
		s->units_milli += units;
	}
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
			     w->base_idle_uj, w->base_unattr_uj,
			     w->base_node_idle_uj };
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
	    version < 1 || version > WL_STATE_VERSION ||
	    !json_object_object_get_ex(o, "node_zones", &z) ||
	    !wl_get_u64(o, "node_co2_ug", &co2) ||
	    wl_zones_load(w, z, node, version == 1 ? 4 : 5) ||
	    !json_object_object_get_ex(o, "series", &a) ||
	    !json_object_is_type(a, json_type_array))
		goto bad;
	w->base_co2_ug += co2;
	for (k = 0; k < WL_KINDS; k++) {
		/* files before models were folded have none of theirs */
		if (k == WL_MODEL &&
		    !json_object_object_get_ex(o, wl_term_key[k], NULL))
			continue;
		if (!json_object_object_get_ex(o, wl_term_key[k], &t) ||
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
		 "%s: not a greenai-exporter state file of version 1 to %d",
		 path, WL_STATE_VERSION);
	return r;
}
