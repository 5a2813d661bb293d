// SPDX-License-Identifier: GPL-2.0
/*
 * The paths of the accounting's cgroups, and sums over a cgroup and its
 * descendants (cgroup_tree.h).
 *
 *   1. After each sample, the accounting's cgroups are walked: one met
 *      for the first time gets an entry, with no path yet; each entry
 *      notes the walk it was last met in.
 *   2. Entries the walk did not meet (the accounting forgot the cgroup)
 *      are dropped, so the table is never larger than the accounting's.
 *   3. The new ones are looked up together, in one walk of the cgroup
 *      mount (ga_cgroup_paths_of_ids()). One not found has gone already:
 *      it is marked unplaced and never looked up again. A walk that
 *      failed otherwise (cut short) leaves them to the next update.
 *   4. A sum walks the accounting's cgroups once and adds the own
 *      figures of each whose path is within the top's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include <greenai/cgroup.h>

#include "engine/cgroup_tree.h"

enum cgt_state {
	CGT_NEW,	/* not looked up yet */
	CGT_PLACED,	/* path known */
	CGT_UNPLACED,	/* gone before it was looked up */
};

struct cgt_entry {
	uint64_t id;
	enum cgt_state state;
	uint64_t met;		/* the update that last met it */
	char *path;		/* CGT_PLACED only */
	UT_hash_handle hh;
};

struct ga_cgtree {
	struct ga_cgroup_mount mount;
	bool have_mount;
	struct ga_cgroup_resolver resolver;
	struct cgt_entry *entries;
	uint64_t updates;
	uint64_t *pending;	/* ids of CGT_NEW entries, this update */
	unsigned int nr_pending, cap_pending;
	int err;		/* of the walk's callback */
};

/**
 * ga_cgtree_new() - an empty table of cgroup paths
 * @out: the table
 * @root: where /proc and the cgroup mount are read ("/" normally)
 *
 * Return: 0, or -ENOMEM. With no cgroup v2 mount, nothing is ever placed.
 */
int ga_cgtree_new(struct ga_cgtree **out, const char *root)
{
	struct ga_cgtree *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (!ga_cgroup_find_mount(root, &t->mount) &&
	    t->mount.layout != GA_CGROUP_LEGACY &&
	    t->mount.layout != GA_CGROUP_NONE) {
		t->have_mount = true;
		ga_cgroup_resolver_init(&t->resolver, &t->mount,
					GA_CGROUP_WALK_DEF);
	}
	*out = t;
	return 0;
}

static void cgt_drop(struct ga_cgtree *t, struct cgt_entry *e)
{
	HASH_DEL(t->entries, e);
	free(e->path);
	free(e);
}

void ga_cgtree_free(struct ga_cgtree *t)
{
	struct cgt_entry *e, *tmp;

	if (!t)
		return;
	HASH_ITER(hh, t->entries, e, tmp)
		cgt_drop(t, e);
	if (t->have_mount)
		ga_cgroup_resolver_done(&t->resolver);
	free(t->pending);
	free(t);
}

static bool cgt_is_entry(uint64_t id)
{
	/* the overflow entries: 0 in the library, (u64)-1 in the module */
	return id && id != UINT64_MAX;
}

static int cgt_meet(const struct ga_acct_cgroup *c, void *arg)
{
	struct ga_cgtree *t = arg;
	struct cgt_entry *e;

	if (!cgt_is_entry(c->id))
		return 0;
	HASH_FIND(hh, t->entries, &c->id, sizeof(c->id), e);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->id = c->id;
		HASH_ADD(hh, t->entries, id, sizeof(e->id), e);
	}
	e->met = t->updates;
	if (e->state != CGT_NEW)
		return 0;
	if (t->nr_pending == t->cap_pending) {
		unsigned int cap = t->cap_pending ? t->cap_pending * 2 : 64;
		uint64_t *p = realloc(t->pending, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->pending = p;
		t->cap_pending = cap;
	}
	t->pending[t->nr_pending++] = c->id;
	return 0;
}

static void cgt_found(uint64_t id, const char *path, void *arg)
{
	struct ga_cgtree *t = arg;
	struct cgt_entry *e;

	HASH_FIND(hh, t->entries, &id, sizeof(id), e);
	if (!e || e->state != CGT_NEW)
		return;
	e->path = strdup(path);
	if (e->path)
		e->state = CGT_PLACED;
	else
		t->err = -ENOMEM;	/* looked up again next time */
}

/**
 * ga_cgtree_update() - learn the paths of the cgroups met for the first time
 * @t: the table
 * @walk: walks the accounting's cgroups
 * @src: what @walk walks
 *
 * Return: 0, or -errno of the walk or of memory (what was learnt stays).
 */
int ga_cgtree_update(struct ga_cgtree *t, ga_cgtree_walk_fn walk,
		     const void *src)
{
	struct cgt_entry *e, *tmp;
	unsigned int i;
	int r;

	t->updates++;
	t->nr_pending = 0;
	t->err = 0;
	r = walk(src, cgt_meet, t);
	if (r)
		return r;	/* a partial walk: forget nothing */
	HASH_ITER(hh, t->entries, e, tmp)
		if (e->met != t->updates)
			cgt_drop(t, e);
	if (!t->nr_pending)
		return 0;
	r = -ENOENT;
	if (t->have_mount)
		r = ga_cgroup_paths_of_ids(&t->resolver, t->pending,
					   t->nr_pending, cgt_found, t);
	if (r && r != -ENOENT)
		return r;	/* cut short: the rest next time */
	for (i = 0; i < t->nr_pending; i++) {
		HASH_FIND(hh, t->entries, &t->pending[i], sizeof(uint64_t), e);
		if (e && e->state == CGT_NEW && !t->err)
			e->state = CGT_UNPLACED;
	}
	return t->err;
}

/**
 * ga_cgtree_path() - the path learnt for a cgroup
 * @t: the table
 * @id: the cgroup's id
 *
 * Return: its path, valid until the next update; NULL when not placed.
 */
const char *ga_cgtree_path(const struct ga_cgtree *t, uint64_t id)
{
	struct cgt_entry *e;

	HASH_FIND(hh, t->entries, &id, sizeof(id), e);
	return e && e->state == CGT_PLACED ? e->path : NULL;
}

struct cgt_sum {
	const struct ga_cgtree *t;
	const char *top;
	struct ga_acct_cgroup *out;
	unsigned int nr;
};

static int cgt_add(const struct ga_acct_cgroup *c, void *arg)
{
	struct cgt_sum *s = arg;
	const char *path;
	unsigned int i;

	if (!cgt_is_entry(c->id))
		return 0;
	path = ga_cgtree_path(s->t, c->id);
	if (!path || !ga_cgroup_within(s->top, path))
		return 0;
	if (!strcmp(path, s->top))
		s->out->id = c->id;
	s->out->cpu_ns += c->cpu_ns;
	s->out->nr_exited += c->nr_exited;
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		s->out->energy[i].active_uj += c->energy[i].active_uj;
		s->out->energy[i].idle_uj += c->energy[i].idle_uj;
	}
	s->nr++;
	return 0;
}

/**
 * ga_cgtree_sum() - a cgroup's own figures and its descendants', summed
 * @t: the table, updated since the last sample
 * @top: the cgroup's path
 * @walk: walks the accounting's cgroups
 * @src: what @walk walks
 * @out: the sum; its id is @top's when the accounting has it, else 0
 * @nr: how many cgroups were summed (0: none of the tree was charged)
 *
 * Return: 0, or -errno of the walk (@out and @nr untouched).
 */
int ga_cgtree_sum(const struct ga_cgtree *t, const char *top,
		  ga_cgtree_walk_fn walk, const void *src,
		  struct ga_acct_cgroup *out, unsigned int *nr)
{
	struct ga_acct_cgroup sum;
	struct cgt_sum s = { .t = t, .top = top, .out = &sum };
	int r;

	memset(&sum, 0, sizeof(sum));
	r = walk(src, cgt_add, &s);
	if (r)
		return r;
	*out = sum;
	*nr = s.nr;
	return 0;
}
