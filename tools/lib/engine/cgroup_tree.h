/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup with its descendants, as cpu.stat counts it.
 *
 * The accounting keeps each cgroup's own figures, by id: what its own
 * processes used, without its descendants'. Those are exact, and the
 * conservation of every domain is stated over them, so they stay as
 * they are; a cgroup's figures with its descendants are a sum of own
 * figures over the cgroups below it, made here.
 *
 * A cgroup v2 id says nothing of where the cgroup is, and once its
 * directory is removed nothing maps the id to a path. So the path of
 * each cgroup the accounting holds is learnt when it first appears
 * (ga_cgtree_update(), after each sample: one walk of the mount for all
 * the new ones) and kept while the accounting keeps the cgroup, after the
 * directory has gone. A cgroup made and removed between two samples is
 * never placed: its figures count in the machine's only.
 *
 * A sum over a tree takes each cgroup's own figures once: summing the
 * trees of cgroups none of which is below another counts nothing twice.
 *
 * The cgroups are walked through a callback (the engine's
 * ga_for_each_cgroup()), so that tests can give a table of their own.
 * No locking: one thread, as the engine's context.
 */
#ifndef _GREENAI_ENGINE_CGROUP_TREE_H
#define _GREENAI_ENGINE_CGROUP_TREE_H

#include <stdint.h>

#include <greenai/engine.h>

struct ga_cgtree;

/* Walk the accounting's cgroups of @src, as ga_for_each_cgroup(). */
typedef int (*ga_cgtree_walk_fn)(const void *src, ga_acct_cgroup_fn fn,
				 void *arg);

int ga_cgtree_new(struct ga_cgtree **out, const char *root);
void ga_cgtree_free(struct ga_cgtree *t);
int ga_cgtree_update(struct ga_cgtree *t, ga_cgtree_walk_fn walk,
		     const void *src);
const char *ga_cgtree_path(const struct ga_cgtree *t, uint64_t id);
int ga_cgtree_sum(const struct ga_cgtree *t, const char *top,
		  ga_cgtree_walk_fn walk, const void *src,
		  struct ga_acct_cgroup *out, unsigned int *nr);

#endif /* _GREENAI_ENGINE_CGROUP_TREE_H */
