// SPDX-License-Identifier: GPL-2.0
/*
 * gtop's rows (tools/gtop/rows.c, built into this test): the screen's
 * partial order (the first k rows exactly those of a full sort, for
 * random rows with many ties, either way, any k), the tree's order
 * (cgroups sorted, each followed by its own processes; a cgroup kept by a
 * filter only for a match of its own or of a process), the filter, and
 * the names of views and columns.
 */
#define _GNU_SOURCE	/* rows.c uses strcasestr() */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../tools/gtop/rows.c"

static void random_rows(struct gt_rows *rows, unsigned int n, unsigned int seed)
{
	unsigned int i;

	srand(seed);
	rows->nr = 0;
	for (i = 0; i < n; i++) {
		struct gt_row r = { .pid = i + 1, .key = "", .model = "",
				    .framework = "", .container = "",
				    .name = "" };

		/* few distinct values: ties everywhere */
		r.power_w = rand() % 7;
		r.energy_uj = rand() % 3;
		assert_int_equal(gt_rows_add(rows, &r), 0);
	}
}

static void the_top_k_are_those_of_a_full_sort(void **state)
{
	static const unsigned int ks[] = { 0, 1, 2, 5, 50, 299, 300, 400 };
	struct gt_rows a = { 0 }, b = { 0 };
	unsigned int i, seed, dir, kk;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		for (dir = 0; dir < 2; dir++) {
			for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
				unsigned int k = ks[kk], n = 300, sum = 0;

				random_rows(&a, n, seed);
				random_rows(&b, n, seed);
				gt_rows_sort(&a, GT_COL_POWER, dir);
				gt_rows_top(&b, GT_COL_POWER, dir, k);
				for (i = 0; i < n && i < k; i++)
					assert_int_equal(a.r[i].pid, b.r[i].pid);
				for (i = 0; i < n; i++)
					sum += b.r[i].pid;
				/* nothing lost or doubled */
				assert_int_equal(sum, n * (n + 1) / 2);
			}
		}
	}
	gt_rows_free(&a);
	gt_rows_free(&b);
}

static void add(struct gt_rows *rows, uint32_t pid, unsigned int depth,
		uint64_t tree_id, double power, const char *name)
{
	struct gt_row r = { .pid = pid, .depth = depth, .tree_id = tree_id,
			    .power_w = power, .key = name, .model = "",
			    .framework = "", .container = "", .name = name };

	assert_int_equal(gt_rows_add(rows, &r), 0);
}

static void the_tree_puts_processes_under_their_cgroup(void **state)
{
	struct gt_rows rows = { 0 };
	static const char *const want[] = { "/b", "spin", "sh", "/a", "py",
					    "/c" };
	unsigned int i;

	(void)state;
	add(&rows, 0, 0, 10, 1, "/a");
	add(&rows, 11, 1, 20, 5, "spin");
	add(&rows, 12, 1, 10, 1, "py");
	add(&rows, 0, 0, 20, 6, "/b");
	add(&rows, 13, 1, 20, 1, "sh");
	add(&rows, 0, 0, 30, 0, "/c");
	assert_int_equal(gt_rows_tree(&rows, GT_COL_POWER, false, NULL), 0);
	assert_int_equal(rows.nr, 6);
	for (i = 0; i < rows.nr; i++)
		assert_string_equal(rows.r[i].name, want[i]);
	/*
	 * filtered on "sh", the rows have only the processes that match (as
	 * gt_rows_build() makes them): /b stays for its "sh", /a and /c go,
	 * and "/shared" for its own name
	 */
	rows.nr = 0;
	add(&rows, 0, 0, 10, 1, "/a");
	add(&rows, 0, 0, 20, 6, "/b");
	add(&rows, 13, 1, 20, 1, "sh");
	add(&rows, 0, 0, 30, 0, "/c");
	add(&rows, 0, 0, 40, 0, "/shared");
	assert_int_equal(gt_rows_tree(&rows, GT_COL_POWER, false, "sh"), 0);
	assert_int_equal(rows.nr, 3);
	assert_string_equal(rows.r[0].name, "/b");
	assert_string_equal(rows.r[1].name, "sh");
	assert_string_equal(rows.r[2].name, "/shared");
	gt_rows_free(&rows);
}

static void filters_and_names(void **state)
{
	struct gt_row r = { .key = "42", .model = "ResNet-50",
			    .framework = "pytorch", .container = "docker/ab",
			    .name = "python3 train.py" };
	enum gt_view v;
	enum gt_col c;

	(void)state;
	assert_true(gt_row_matches(&r, "resnet"));
	assert_true(gt_row_matches(&r, "TRAIN"));
	assert_true(gt_row_matches(&r, "docker"));
	assert_false(gt_row_matches(&r, "tensorflow"));
	assert_int_equal(gt_view_parse("container", &v), 0);
	assert_int_equal(v, GT_VIEW_CONTAINER);
	assert_int_equal(gt_view_parse("Container", &v), -EINVAL);
	assert_int_equal(gt_col_parse("co2", &c), 0);
	assert_int_equal(c, GT_COL_CO2);
	assert_int_equal(gt_col_parse("", &c), -EINVAL);
	assert_string_equal(gt_col_name(GT_COL_POWER_IDLE), "power-idle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_top_k_are_those_of_a_full_sort),
		cmocka_unit_test(the_tree_puts_processes_under_their_cgroup),
		cmocka_unit_test(filters_and_names),
	};

	return cmocka_run_group_tests_name("gtop_rows", tests, NULL, NULL);
}
