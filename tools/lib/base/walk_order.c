// SPDX-License-Identifier: GPL-2.0
/*
 * A walk's order, kept to find the next walk's items by one comparison
 * (walk_order.h).
 */
#include <stdlib.h>

#include <greenai/walk_order.h>

/* How far past the cursor an item is looked for: items dropped since. */
#define GA_WALK_AHEAD	2

/**
 * ga_walk_begin() - a walk starts
 * @o: the order, zeroed before the first walk
 */
void ga_walk_begin(struct ga_walk_order *o)
{
	o->pos = 0;
	o->nr_now = 0;
	o->broken = false;
}

/**
 * ga_walk_find() - the last walk's item for @key, where it is expected
 * @o: the order
 * @same: whether an item of the last walk is @key's
 * @key: what the walk met now
 *
 * Looks at the cursor and a little past it (items dropped since the last
 * walk); a match moves the cursor past it. No match leaves the cursor (an
 * item added since the last walk), and the caller looks @key up.
 * Either way the caller then ga_walk_push()es the item.
 *
 * Return: the item, or NULL.
 */
void *ga_walk_find(struct ga_walk_order *o, ga_walk_same_fn same,
		   const void *key)
{
	unsigned int i;

	for (i = o->pos; i < o->nr_last && i <= o->pos + GA_WALK_AHEAD; i++) {
		if (same(o->last[i], key)) {
			o->pos = i + 1;
			return o->last[i];
		}
	}
	return NULL;
}

/**
 * ga_walk_push() - @item is this walk's next
 * @o: the order
 * @item: the item the walk met
 * @at: the item's place in the last walk (0 for a new item), made its
 *      place in this one
 *
 * An item the last walk had further on than the cursor looked (several
 * dropped since) moves the cursor past its old place.
 */
void ga_walk_push(struct ga_walk_order *o, void *item, unsigned int *at)
{
	if (*at < o->nr_last && o->last[*at] == item && *at >= o->pos)
		o->pos = *at + 1;
	*at = o->nr_now;
	if (o->broken)
		return;
	if (o->nr_now == o->max_now) {
		unsigned int n = o->max_now ? 2 * o->max_now : 1024;
		void **p = realloc(o->now, n * sizeof(*p));

		if (!p) {
			o->broken = true;	/* found all the same, slower */
			return;
		}
		o->now = p;
		o->max_now = n;
	}
	o->now[o->nr_now++] = item;
}

/**
 * ga_walk_end() - a walk is over
 * @o: the order
 * @complete: whether it met the whole table
 *
 * Keeps this walk's order for the next when it is whole; forgets the last
 * walk's either way, so that items marked dead may be freed now.
 */
void ga_walk_end(struct ga_walk_order *o, bool complete)
{
	void **p = o->last;
	unsigned int max = o->max_last;

	o->last = o->now;
	o->max_last = o->max_now;
	o->nr_last = complete && !o->broken ? o->nr_now : 0;
	o->now = p;
	o->max_now = max;
	o->nr_now = 0;
	o->pos = 0;
}

/**
 * ga_walk_done() - free the order's arrays; the items are the owner's
 * @o: the order
 */
void ga_walk_done(struct ga_walk_order *o)
{
	free(o->last);
	free(o->now);
	o->last = o->now = NULL;
	o->nr_last = o->max_last = o->nr_now = o->max_now = 0;
}
