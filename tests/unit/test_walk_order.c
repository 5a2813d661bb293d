// SPDX-License-Identifier: GPL-2.0
/*
 * A walk's order (tools/lib/base/walk_order.c): a second walk of the same
 * items finds each where the first had it; one added or dropped in
 * between shifts the rest, which are still found; a dead item is never
 * returned; an incomplete walk leaves no order behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/walk_order.h>

struct item {
	int key;
	bool dead;
	unsigned int at;
};

static bool same(const void *item, const void *key)
{
	const struct item *i = item;

	return !i->dead && i->key == *(const int *)key;
}

/*
 * Walk @items in order: each found by the order or "looked up" (a miss,
 * counted), then pushed. Return: the misses.
 */
static unsigned int walk(struct ga_walk_order *o, struct item **items,
			 unsigned int n, bool complete)
{
	unsigned int i, misses = 0;

	ga_walk_begin(o);
	for (i = 0; i < n; i++) {
		struct item *it = ga_walk_find(o, same, &items[i]->key);

		if (!it) {
			misses++;
			it = items[i];
		}
		assert_ptr_equal(it, items[i]);
		ga_walk_push(o, it, &it->at);
	}
	ga_walk_end(o, complete);
	return misses;
}

static void the_same_walk_finds_everything_in_place(void **state)
{
	static struct item a[3000];
	static struct item *w[3000];
	struct ga_walk_order o = { 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		a[i].key = (int)i * 7;
		w[i] = &a[i];
	}
	assert_int_equal(walk(&o, w, 3000, true), 3000);
	assert_int_equal(walk(&o, w, 3000, true), 0);
	assert_int_equal(walk(&o, w, 3000, true), 0);
	ga_walk_done(&o);
}

static void an_item_added_or_dropped_shifts_the_rest(void **state)
{
	static struct item a[101];
	struct item *w[101];
	struct ga_walk_order o = { 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < 101; i++) {
		a[i].key = (int)i;
		w[i] = &a[i];
	}
	/* the first walk met items 0..99 */
	assert_int_equal(walk(&o, w, 100, true), 100);
	/* one new item (100) in the middle: only it is looked up */
	memmove(&w[51], &w[50], 50 * sizeof(w[0]));
	w[50] = &a[100];
	assert_int_equal(walk(&o, w, 101, true), 1);
	/* item 10 dropped, and marked dead as its owner would */
	a[10].dead = true;
	memmove(&w[10], &w[11], 90 * sizeof(w[0]));
	assert_int_equal(walk(&o, w, 100, true), 0);
	/* ten in a row dropped: past what the cursor looks ahead, so the
	 * next is looked up, and those after it are in place */
	memmove(&w[20], &w[30], 70 * sizeof(w[0]));
	assert_int_equal(walk(&o, w, 90, true), 1);
	/* and all in place again after */
	assert_int_equal(walk(&o, w, 90, true), 0);
	ga_walk_done(&o);
}

static void a_dead_item_is_never_found(void **state)
{
	struct item x = { .key = 1 }, y = { .key = 1 };
	struct item *w[1] = { &x };
	struct ga_walk_order o = { 0 };
	int key = 1;

	(void)state;
	walk(&o, w, 1, true);
	/* x dropped; y, a new item, has its key (a pid used again) */
	x.dead = true;
	ga_walk_begin(&o);
	assert_null(ga_walk_find(&o, same, &key));
	ga_walk_push(&o, &y, &y.at);
	ga_walk_end(&o, true);
	w[0] = &y;
	assert_int_equal(walk(&o, w, 1, true), 0);
	ga_walk_done(&o);
}

static void an_incomplete_walk_leaves_no_order(void **state)
{
	struct item a[4] = { { .key = 1 }, { .key = 2 }, { .key = 3 }, { .key = 4 } };
	struct item *w[4] = { &a[0], &a[1], &a[2], &a[3] };
	struct ga_walk_order o = { 0 };

	(void)state;
	walk(&o, w, 4, true);
	/* stopped after two: its order is not kept, nor the last one */
	assert_int_equal(walk(&o, w, 2, false), 0);
	assert_int_equal(walk(&o, w, 4, true), 4);
	ga_walk_done(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_walk_finds_everything_in_place),
		cmocka_unit_test(an_item_added_or_dropped_shifts_the_rest),
		cmocka_unit_test(a_dead_item_is_never_found),
		cmocka_unit_test(an_incomplete_walk_leaves_no_order),
	};

	return cmocka_run_group_tests_name("walk_order", tests, NULL, NULL);
}
