/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order in which a walk of a table met its items, so that the next
 * walk of the same table finds each item where the last one had it: one
 * comparison instead of a hash lookup. A table walked in a stable order
 * (the kernel's BPF hash while it keeps its entries, a uthash table in
 * insertion order) mostly gives the same sequence again; an item added or
 * dropped since shifts the rest, which the cursor steps over: a few by
 * looking ahead, more by taking up the place of the next item the walk
 * finds by lookup (each item keeps its place in the last walk).
 *
 * Lifetime: the last walk's items are compared with the next walk's keys,
 * so an owner must not free an item between two walks while it may be in
 * the last walk's order. It marks it dead (its same() callback then says
 * no), keeps it, and frees it after ga_walk_end() of the next walk, which
 * forgets every item that walk did not meet.
 *
 * Not thread-safe; no locking.
 */
#ifndef _GREENAI_WALK_ORDER_H
#define _GREENAI_WALK_ORDER_H

#include <stdbool.h>

/* Whether @item (of the last walk) is the one with @key; never for a dead one. */
typedef bool (*ga_walk_same_fn)(const void *item, const void *key);

struct ga_walk_order {
	void **last;			/* the last complete walk's items */
	unsigned int nr_last, max_last;
	unsigned int pos;		/* the cursor in last[] */
	void **now;			/* this walk's items, so far */
	unsigned int nr_now, max_now;
	bool broken;			/* no memory: this walk's is not kept */
};

void ga_walk_begin(struct ga_walk_order *o);
void *ga_walk_find(struct ga_walk_order *o, ga_walk_same_fn same,
		   const void *key);
void ga_walk_push(struct ga_walk_order *o, void *item, unsigned int *at);
void ga_walk_end(struct ga_walk_order *o, bool complete);
void ga_walk_done(struct ga_walk_order *o);

#endif /* _GREENAI_WALK_ORDER_H */
