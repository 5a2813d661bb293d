// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of a cgroup with its descendants (tools/lib/engine/
 * cgroup_tree.c) and of ga_cgroup_within(): a parent's sum is its own
 * figures and every descendant's, a sibling whose name starts like it is
 * not one; a descendant whose directory has gone stays in the sum; one
 * that was gone before it was ever seen is not placed; summing the own
 * figures over a tree, or the trees of its children and the parent's
 * own, gives the parent's sum (nothing counted twice); the table drops
 * what the accounting forgot.
 *
 * The cgroup tree is a directory tree made under /tmp with a mountinfo
 * that mounts it as cgroup2 (ids are inode numbers off cgroup2); the
 * accounting is a table here. Expected sums are made here from the
 * table, never by the code under test.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <greenai/cgroup.h>

#include "engine/cgroup_tree.h"
#include "fixture.h"

#define MAX_CG 16

/* The accounting, as a table: what ga_for_each_cgroup() would walk. */
struct table {
	struct ga_acct_cgroup c[MAX_CG];
	const char *path[MAX_CG];	/* under the mount, for the test */
	unsigned int nr;
};

static int table_walk(const void *src, ga_acct_cgroup_fn fn, void *arg)
{
	const struct table *t = src;
	unsigned int i;
	int r;

	for (i = 0; i < t->nr; i++) {
		r = fn(&t->c[i], arg);
		if (r)
			return r < 0 ? r : 0;
	}
	return 0;
}

/* A root whose mountinfo mounts <root>/cg as the cgroup2 hierarchy. */
static char *tmp_root(void)
{
	char *root = fix_tmpdir_new();

	fix_mkdirs(root, "cg");
	fix_write(root, "proc/self/mountinfo",
		  "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		  "30 1 0:27 / /cg rw,nosuid shared:9 - cgroup2 cgroup2 rw\n");
	return root;
}

static uint64_t ino_of(const char *root, const char *cgpath)
{
	char dir[GA_PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/cg%s", root, cgpath);
	assert_int_equal(stat(dir, &st), 0);
	return st.st_ino;
}

/*
 * Cgroup @cgpath made under @root, charged @cpu_ns and (domain 0 active,
 * domain 1 idle) energy in the table.
 */
static void add(struct table *t, const char *root, const char *cgpath,
		uint64_t cpu_ns, uint64_t uj)
{
	char rel[GA_PATH_MAX];
	struct ga_acct_cgroup *c = &t->c[t->nr];

	assert_true(t->nr < MAX_CG);
	snprintf(rel, sizeof(rel), "cg%s", cgpath);
	fix_mkdirs(root, rel);
	memset(c, 0, sizeof(*c));
	c->id = ino_of(root, cgpath);
	c->cpu_ns = cpu_ns;
	c->nr_exited = 1;
	c->energy[0].active_uj = uj;
	c->energy[1].idle_uj = uj / 2;
	t->path[t->nr++] = cgpath;
}

/* The expected sum over the table's cgroups within @top. */
static void expect(const struct table *t, const char *top,
		   struct ga_acct_cgroup *want, unsigned int *nr)
{
	unsigned int i;

	memset(want, 0, sizeof(*want));
	*nr = 0;
	for (i = 0; i < t->nr; i++) {
		const char *p = t->path[i];
		size_t n = strlen(top);

		if (strcmp(top, "/") &&
		    (strncmp(p, top, n) || (p[n] && p[n] != '/')))
			continue;
		want->cpu_ns += t->c[i].cpu_ns;
		want->nr_exited += t->c[i].nr_exited;
		want->energy[0].active_uj += t->c[i].energy[0].active_uj;
		want->energy[1].idle_uj += t->c[i].energy[1].idle_uj;
		(*nr)++;
	}
}

static void assert_sum(const struct ga_cgtree *ct, const struct table *t,
		       const char *top)
{
	struct ga_acct_cgroup got, want;
	unsigned int n, wn;

	expect(t, top, &want, &wn);
	assert_int_equal(ga_cgtree_sum(ct, top, table_walk, t, &got, &n), 0);
	assert_int_equal(n, wn);
	assert_int_equal(got.cpu_ns, want.cpu_ns);
	assert_int_equal(got.nr_exited, want.nr_exited);
	assert_int_equal(got.energy[0].active_uj, want.energy[0].active_uj);
	assert_int_equal(got.energy[1].idle_uj, want.energy[1].idle_uj);
}

static void within_is_by_path_component(void **state)
{
	(void)state;
	assert_true(ga_cgroup_within("/", "/"));
	assert_true(ga_cgroup_within("/", "/a/b"));
	assert_true(ga_cgroup_within("/a", "/a"));
	assert_true(ga_cgroup_within("/a", "/a/b"));
	assert_true(ga_cgroup_within("/a/", "/a/b/c"));
	assert_false(ga_cgroup_within("/a", "/ab"));
	assert_false(ga_cgroup_within("/a/b", "/a"));
	assert_false(ga_cgroup_within("/a", "/"));
	assert_false(ga_cgroup_within("/a", "cgroup 12"));
}

static void a_parent_is_its_own_and_its_descendants(void **state)
{
	char *root = tmp_root();
	struct ga_acct_cgroup got;
	struct ga_cgtree *ct;
	struct table t = { 0 };
	unsigned int n;

	*state = root;
	/* four children, one with a child of its own; the parent ran too */
	add(&t, root, "/parent", 5, 500);
	add(&t, root, "/parent/c1", 1000, 10000);
	add(&t, root, "/parent/c2", 2000, 20000);
	add(&t, root, "/parent/c3", 3000, 30000);
	add(&t, root, "/parent/c4", 4000, 40000);
	add(&t, root, "/parent/c4/inner", 7, 70);
	/* a sibling whose name starts like the parent's, and another tree */
	add(&t, root, "/parentx", 100000, 1000000);
	add(&t, root, "/other/job", 9, 90);
	assert_int_equal(ga_cgtree_new(&ct, root), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_string_equal(ga_cgtree_path(ct, t.c[5].id), "/parent/c4/inner");
	assert_sum(ct, &t, "/parent");
	assert_sum(ct, &t, "/parent/c4");
	assert_sum(ct, &t, "/parent/c1");
	assert_sum(ct, &t, "/parentx");
	assert_sum(ct, &t, "/");
	/* by hand too: the parent's is 5 + 1000 + ... + 7 ns */
	assert_int_equal(ga_cgtree_sum(ct, "/parent", table_walk, &t, &got, &n),
			 0);
	assert_int_equal(n, 6);
	assert_int_equal(got.cpu_ns, 5 + 1000 + 2000 + 3000 + 4000 + 7);
	assert_int_equal(got.id, t.c[0].id);
	/* a cgroup with no figures of its own: its descendants' */
	assert_int_equal(ga_cgtree_sum(ct, "/other", table_walk, &t, &got, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(got.cpu_ns, 9);
	assert_int_equal(got.id, 0);
	/* nothing there */
	assert_int_equal(ga_cgtree_sum(ct, "/none", table_walk, &t, &got, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(got.cpu_ns, 0);
	ga_cgtree_free(ct);
}

static void levels_add_up_without_counting_twice(void **state)
{
	static const char *const kids[] = { "/pod/c1", "/pod/c2", "/pod/c3" };
	char *root = tmp_root();
	struct ga_acct_cgroup pod, kid, own = { 0 }, sum = { 0 };
	struct ga_cgtree *ct;
	struct table t = { 0 };
	unsigned int n, i;

	*state = root;
	add(&t, root, "/pod", 11, 110);
	add(&t, root, "/pod/c1", 1000, 1000);
	add(&t, root, "/pod/c2", 2000, 3000);
	add(&t, root, "/pod/c2/sub", 3000, 5000);
	add(&t, root, "/pod/c3", 4000, 7000);
	assert_int_equal(ga_cgtree_new(&ct, root), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_int_equal(ga_cgtree_sum(ct, "/pod", table_walk, &t, &pod, &n),
			 0);
	/* the pod is its own figures and its children's trees */
	for (i = 0; i < ARRAY_SIZE(kids); i++) {
		assert_int_equal(ga_cgtree_sum(ct, kids[i], table_walk, &t,
					       &kid, &n),
				 0);
		sum.cpu_ns += kid.cpu_ns;
		sum.energy[0].active_uj += kid.energy[0].active_uj;
	}
	sum.cpu_ns += t.c[0].cpu_ns;
	sum.energy[0].active_uj += t.c[0].energy[0].active_uj;
	assert_int_equal(sum.cpu_ns, pod.cpu_ns);
	assert_int_equal(sum.energy[0].active_uj, pod.energy[0].active_uj);
	/* and the own figures of every cgroup of the tree, once each */
	for (i = 0; i < t.nr; i++) {
		own.cpu_ns += t.c[i].cpu_ns;
		own.energy[0].active_uj += t.c[i].energy[0].active_uj;
	}
	assert_int_equal(own.cpu_ns, pod.cpu_ns);
	assert_int_equal(own.energy[0].active_uj, pod.energy[0].active_uj);
	ga_cgtree_free(ct);
}

static void descendants_that_have_gone_stay_in_the_sum(void **state)
{
	char *root = tmp_root(), dir[GA_PATH_MAX];
	struct ga_acct_cgroup got;
	struct ga_cgtree *ct;
	struct table t = { 0 };
	unsigned int n;

	*state = root;
	add(&t, root, "/run", 1, 10);
	add(&t, root, "/run/step1", 1000, 100);
	assert_int_equal(ga_cgtree_new(&ct, root), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	/*
	 * step2 is made, charged and removed before an update sees it; step1
	 * ends, its directory goes, the accounting keeps its figures. (Both
	 * removed once both are made: a fixture's inode numbers, unlike
	 * cgroup2's ids, may be used again.)
	 */
	add(&t, root, "/run/step2", 5000, 500);
	snprintf(dir, sizeof(dir), "%s/cg/run/step2", root);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof(dir), "%s/cg/run/step1", root);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_int_equal(ga_cgtree_sum(ct, "/run", table_walk, &t, &got, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(got.cpu_ns, 1 + 1000);
	assert_null(ga_cgtree_path(ct, t.c[2].id));
	/* unplaced for good: not looked up again, even when a walk would */
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_null(ga_cgtree_path(ct, t.c[2].id));
	ga_cgtree_free(ct);
}

static void what_the_accounting_forgets_is_dropped(void **state)
{
	char *root = tmp_root();
	struct ga_acct_cgroup got;
	struct ga_cgtree *ct;
	struct table t = { 0 };
	unsigned int n;

	*state = root;
	add(&t, root, "/a", 1, 1);
	add(&t, root, "/a/b", 2, 2);
	assert_int_equal(ga_cgtree_new(&ct, root), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_non_null(ga_cgtree_path(ct, t.c[1].id));
	t.nr = 1;	/* /a/b forgotten (ga_forget_cgroup()) */
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_null(ga_cgtree_path(ct, t.c[1].id));
	assert_int_equal(ga_cgtree_sum(ct, "/a", table_walk, &t, &got, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got.cpu_ns, 1);
	ga_cgtree_free(ct);
}

static void overflow_entries_are_never_placed(void **state)
{
	char *root = tmp_root();
	struct ga_acct_cgroup got;
	struct ga_cgtree *ct;
	struct table t = { 0 };
	unsigned int n;

	*state = root;
	add(&t, root, "/a", 1, 1);
	t.c[t.nr].id = 0;			/* the library's overflow */
	t.c[t.nr++].cpu_ns = 1000;
	t.c[t.nr].id = UINT64_MAX;		/* the module's */
	t.c[t.nr++].cpu_ns = 1000;
	assert_int_equal(ga_cgtree_new(&ct, root), 0);
	assert_int_equal(ga_cgtree_update(ct, table_walk, &t), 0);
	assert_int_equal(ga_cgtree_sum(ct, "/", table_walk, &t, &got, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got.cpu_ns, 1);
	ga_cgtree_free(ct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_is_by_path_component),
		FIX_TEST(a_parent_is_its_own_and_its_descendants),
		FIX_TEST(levels_add_up_without_counting_twice),
		FIX_TEST(descendants_that_have_gone_stay_in_the_sum),
		FIX_TEST(what_the_accounting_forgets_is_dropped),
		FIX_TEST(overflow_entries_are_never_placed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
