// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process and per-cgroup totals since load: CPU time and, per domain,
 * active energy and idle share (µJ).
 *
 * Bounded: at most max_tasks processes and max_cgroups cgroups are kept;
 * beyond that, charges go to one overflow entry of each kind, which is
 * counted and shown, so totals still add up. Entries are allocated by the
 * closing thread (process context), never on the hot path, and freed
 * when the process's exit is folded, or when the interval close's sweep
 * finds the process or the cgroup gone (interval.c hands their totals on
 * first).
 *
 * Locking: everything here is called with greenai_lock held.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

#define GREENAI_TASK_BITS	12
#define GREENAI_CGROUP_BITS	8

static DEFINE_HASHTABLE(greenai_tasks, GREENAI_TASK_BITS);
static DEFINE_HASHTABLE(greenai_cgroups, GREENAI_CGROUP_BITS);
static struct greenai_task *greenai_task_overflow;
static struct greenai_cgroup *greenai_cgroup_overflow;
static u64 greenai_nr_tasks, greenai_nr_cgroups;
static u64 greenai_task_overflows, greenai_cgroup_overflows;

static size_t greenai_task_size(void)
{
	return struct_size_t(struct greenai_task, energy, greenai_nr_doms);
}

static size_t greenai_cgroup_size(void)
{
	return struct_size_t(struct greenai_cgroup, energy, greenai_nr_doms);
}

/* The entries that take what the tables have no room for. */
struct greenai_task *greenai_task_overflow_entry(void)
{
	return greenai_task_overflow;
}

struct greenai_cgroup *greenai_cgroup_overflow_entry(void)
{
	return greenai_cgroup_overflow;
}

bool greenai_task_is_overflow(const struct greenai_task *t)
{
	return t == greenai_task_overflow;
}

bool greenai_cgroup_is_overflow(const struct greenai_cgroup *c)
{
	return c == greenai_cgroup_overflow;
}

/**
 * greenai_task_find() - the entry of a process
 * @tgid: its thread group id
 *
 * Return: the entry, or NULL.
 */
struct greenai_task *greenai_task_find(u32 tgid)
{
	struct greenai_task *t;

	hash_for_each_possible(greenai_tasks, t, node, tgid)
		if (t->tgid == tgid)
			return t;
	return NULL;
}

/**
 * greenai_task_get() - the entry of a process, created if need be
 * @tgid: its thread group id
 * @start_ns: its start_time, kept with a new entry
 * @cgroup_id: its cgroup v2 id now, kept as the process's cgroup
 * @comm: its command name now, kept as the process's name
 *
 * Return: the entry, or the overflow entry when the table is full or
 * memory is short.
 */
struct greenai_task *greenai_task_get(u32 tgid, u64 start_ns,
				      u64 cgroup_id, const char *comm)
{
	struct greenai_task *t = greenai_task_find(tgid);

	if (t) {
		/* the latest name and cgroup: exec and migration change them */
		t->cgroup_id = cgroup_id;
		memcpy(t->comm, comm, sizeof(t->comm));
		return t;
	}
	if (greenai_nr_tasks < greenai_max_tasks)
		t = kzalloc(greenai_task_size(), GFP_KERNEL);
	if (!t) {
		greenai_task_overflows++;
		return greenai_task_overflow;
	}
	t->tgid = tgid;
	t->start_ns = start_ns;
	t->cgroup_id = cgroup_id;
	memcpy(t->comm, comm, sizeof(t->comm));
	hash_add(greenai_tasks, &t->node, tgid);
	greenai_nr_tasks++;
	return t;
}

/**
 * greenai_task_remove() - forget an exited process
 * @t: its entry (not the overflow entry)
 */
void greenai_task_remove(struct greenai_task *t)
{
	if (WARN_ON_ONCE(greenai_task_is_overflow(t)))
		return;
	hash_del(&t->node);
	kfree(t);
	greenai_nr_tasks--;
}

/**
 * greenai_cgroup_find() - the entry of a cgroup
 * @id: its cgroup v2 id
 *
 * Return: the entry, or NULL.
 */
struct greenai_cgroup *greenai_cgroup_find(u64 id)
{
	struct greenai_cgroup *c;

	hash_for_each_possible(greenai_cgroups, c, node, id)
		if (c->id == id)
			return c;
	return NULL;
}

/**
 * greenai_cgroup_remove() - forget a removed cgroup
 * @c: its entry (not the overflow entry)
 */
void greenai_cgroup_remove(struct greenai_cgroup *c)
{
	if (WARN_ON_ONCE(greenai_cgroup_is_overflow(c)))
		return;
	hash_del(&c->node);
	kfree(c);
	greenai_nr_cgroups--;
}

/**
 * greenai_cgroup_get() - the entry of a cgroup, created if need be
 * @id: its cgroup v2 id
 *
 * Return: the entry, or the overflow entry.
 */
struct greenai_cgroup *greenai_cgroup_get(u64 id)
{
	struct greenai_cgroup *c = greenai_cgroup_find(id);

	if (c)
		return c;
	if (greenai_nr_cgroups < greenai_max_cgroups)
		c = kzalloc(greenai_cgroup_size(), GFP_KERNEL);
	if (!c) {
		greenai_cgroup_overflows++;
		return greenai_cgroup_overflow;
	}
	c->id = id;
	hash_add(greenai_cgroups, &c->node, id);
	greenai_nr_cgroups++;
	return c;
}

/**
 * greenai_tasks_for_each() - call @fn on every process entry, then on the
 *	overflow entry; stops at the first non-zero return
 * @fn: the function
 * @arg: passed to @fn
 *
 * Return: 0 or what @fn returned.
 */
int greenai_tasks_for_each(greenai_task_fn fn, void *arg)
{
	struct greenai_task *t;
	unsigned int bkt;
	int err;

	hash_for_each(greenai_tasks, bkt, t, node) {
		err = fn(t, arg);
		if (err)
			return err;
	}
	return fn(greenai_task_overflow, arg);
}

/**
 * greenai_cgroups_for_each() - the same over cgroup entries
 * @fn: the function
 * @arg: passed to @fn
 *
 * Return: 0 or what @fn returned.
 */
int greenai_cgroups_for_each(greenai_cgroup_fn fn, void *arg)
{
	struct greenai_cgroup *c;
	unsigned int bkt;
	int err;

	hash_for_each(greenai_cgroups, bkt, c, node) {
		err = fn(c, arg);
		if (err)
			return err;
	}
	return fn(greenai_cgroup_overflow, arg);
}

/**
 * greenai_tasks_sweep() - call @fn on every process entry but the overflow
 *	entry; @fn may remove the entry it is given; stops at the first
 *	non-zero return
 * @fn: the function
 * @arg: passed to @fn
 *
 * Return: 0 or what @fn returned.
 */
int greenai_tasks_sweep(greenai_task_fn fn, void *arg)
{
	struct greenai_task *t;
	struct hlist_node *tmp;
	unsigned int bkt;
	int err;

	hash_for_each_safe(greenai_tasks, bkt, tmp, t, node) {
		err = fn(t, arg);
		if (err)
			return err;
	}
	return 0;
}

/**
 * greenai_cgroups_sweep() - the same over cgroup entries
 * @fn: the function
 * @arg: passed to @fn
 *
 * Return: 0 or what @fn returned.
 */
int greenai_cgroups_sweep(greenai_cgroup_fn fn, void *arg)
{
	struct greenai_cgroup *c;
	struct hlist_node *tmp;
	unsigned int bkt;
	int err;

	hash_for_each_safe(greenai_cgroups, bkt, tmp, c, node) {
		err = fn(c, arg);
		if (err)
			return err;
	}
	return 0;
}

void greenai_table_stats(u64 *tasks, u64 *task_overflows, u64 *cgroups,
			 u64 *cgroup_overflows)
{
	*tasks = greenai_nr_tasks;
	*task_overflows = greenai_task_overflows;
	*cgroups = greenai_nr_cgroups;
	*cgroup_overflows = greenai_cgroup_overflows;
}

/**
 * greenai_table_init() - allocate the overflow entries
 *
 * Called after the domains are known. Return: 0 or -ENOMEM.
 */
int greenai_table_init(void)
{
	greenai_task_overflow = kzalloc(greenai_task_size(), GFP_KERNEL);
	greenai_cgroup_overflow = kzalloc(greenai_cgroup_size(), GFP_KERNEL);
	if (!greenai_task_overflow || !greenai_cgroup_overflow) {
		greenai_table_exit();
		return -ENOMEM;
	}
	strscpy(greenai_task_overflow->comm, "[overflow]",
		sizeof(greenai_task_overflow->comm));
	return 0;
}

/**
 * greenai_table_exit() - free every entry
 */
void greenai_table_exit(void)
{
	struct greenai_task *t;
	struct greenai_cgroup *c;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(greenai_tasks, bkt, tmp, t, node) {
		hash_del(&t->node);
		kfree(t);
	}
	hash_for_each_safe(greenai_cgroups, bkt, tmp, c, node) {
		hash_del(&c->node);
		kfree(c);
	}
	kfree(greenai_task_overflow);
	kfree(greenai_cgroup_overflow);
	greenai_task_overflow = NULL;
	greenai_cgroup_overflow = NULL;
	greenai_nr_tasks = 0;
	greenai_nr_cgroups = 0;
	greenai_task_overflows = 0;
	greenai_cgroup_overflows = 0;
}
