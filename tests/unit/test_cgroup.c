// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/lib/ident/cgroup.c: finding the cgroup v2 mount in
 * mountinfo (unified, hybrid, v1-only and no-cgroup hosts, escaped mount
 * points, a subtree mounted before the whole, a container's view), a
 * process's cgroup from /proc/PID/cgroup, cgroup ids and the id -> path
 * walk with its cache, and the user.greenai.* labels.
 *
 * Fixture trees are tests/fixtures/proc-*; labels are tested on a
 * directory made under /tmp (user xattrs), and everything once more on
 * the host's real cgroup2 mount when run as root.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <greenai/cgroup.h>

#include "fixture.h"

#define FX GA_FIXTURES "/"
#define CID_TORCH \
	"b6f2a3c1d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f70"
#define CID_TF \
	"9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define TORCH_CG                                                               \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"      \
	"7e44ee88_1e65_4a16_8cdf_9a90c819180e.slice/cri-containerd-" CID_TORCH \
	".scope"

/* --- helpers --- */

/* A root with a mountinfo that mounts cgroup2 at /cg (hierarchy @hroot). */
static char *tmp_root(const char *hroot)
{
	char *root = fix_tmpdir_new(), line[GA_PATH_MAX];

	fix_mkdirs(root, "cg");
	snprintf(line, sizeof(line),
		 "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		 "30 1 0:27 %s /cg rw,nosuid shared:9 - cgroup2 cgroup2 rw\n",
		 hroot);
	fix_write(root, "proc/self/mountinfo", line);
	return root;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* --- the mount --- */

static void unified_host(void **state)
{
	struct ga_cgroup_mount m;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v2", &m), 0);
	assert_string_equal(m.mnt, "/sys/fs/cgroup");
	assert_string_equal(m.dir, FX "proc-v2/sys/fs/cgroup");
	assert_string_equal(m.hroot, "/");
	assert_int_equal(m.layout, GA_CGROUP_UNIFIED);
	assert_int_equal(m.nr_v1, 0);
}

static void hybrid_host_has_v2_at_unified(void **state)
{
	struct ga_cgroup_mount m;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-hybrid", &m), 0);
	assert_string_equal(m.mnt, "/sys/fs/cgroup/unified");
	assert_string_equal(m.dir, FX "proc-hybrid/sys/fs/cgroup/unified");
	assert_int_equal(m.layout, GA_CGROUP_HYBRID);
	assert_int_equal(m.nr_v1, 12);
	assert_string_equal(ga_cgroup_layout_name(m.layout),
			    "hybrid (v1 and v2)");
}

static void v1_only_and_no_cgroup_hosts_say_so(void **state)
{
	struct ga_cgroup_mount m;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v1", &m), -ENODEV);
	assert_int_equal(m.layout, GA_CGROUP_LEGACY);
	assert_int_equal(m.nr_v1, 11);
	assert_string_equal(ga_cgroup_layout_name(m.layout),
			    "legacy (v1 only)");
	assert_int_equal(ga_cgroup_find_mount(FX "proc-none", &m), -ENODEV);
	assert_int_equal(m.layout, GA_CGROUP_NONE);
	assert_int_equal(m.nr_v1, 0);
	assert_int_equal(ga_cgroup_find_mount(FX "no-such-tree", &m), -ENOENT);
	assert_string_equal(ga_cgroup_layout_name(GA_CGROUP_LAYOUT_NR), "?");
}

/* A subtree (nspawn's) mounted first; the whole one, escaped, after. */
static void escaped_mount_point_and_whole_hierarchy_first(void **state)
{
	struct ga_cgroup_mount m;
	uint64_t id;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-escaped", &m), 0);
	assert_string_equal(m.mnt, "/run/cgroup v2");
	assert_string_equal(m.hroot, "/");
	assert_int_equal(m.layout, GA_CGROUP_UNIFIED);
	assert_int_equal(ga_cgroup_id_of(&m, "/machine.slice", &id), 0);
	assert_true(id ==
		    ino_of(FX "proc-escaped/run/cgroup v2/machine.slice"));
}

/* Inside a container sharing the host's cgroup namespace. */
static void container_view_strips_the_mount_root(void **state)
{
	struct ga_cgroup_mount m;
	enum ga_cgroup_hier hier;
	char path[GA_PATH_MAX], dir[GA_PATH_MAX];
	const char *scope = "/system.slice/docker-" CID_TF ".scope";

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-container", &m), 0);
	assert_string_equal(m.hroot, scope);
	assert_int_equal(ga_cgroup_of_pid(FX "proc-container", 0, path,
					  sizeof(path), &hier),
			 0);
	assert_int_equal(hier, GA_CGROUP_V2);
	assert_int_equal(ga_cgroup_dir(&m, path, dir, sizeof(dir)), 0);
	assert_string_equal(dir, FX "proc-container/sys/fs/cgroup/app");
	assert_int_equal(ga_cgroup_dir(&m, scope, dir, sizeof(dir)), 0);
	assert_string_equal(dir, FX "proc-container/sys/fs/cgroup");
	/* not visible through this mount */
	assert_int_equal(ga_cgroup_dir(&m, "/system.slice", dir, sizeof(dir)),
			 -ENOENT);
	assert_int_equal(ga_cgroup_dir(&m, "/", dir, sizeof(dir)), -ENOENT);
	/* a sibling whose name starts like the mount's root */
	assert_int_equal(ga_cgroup_dir(&m,
				       "/system.slice/docker-" CID_TF ".scopex",
				       dir, sizeof(dir)),
			 -ENOENT);
}

static void mountinfo_escapes_and_malformed_lines(void **state)
{
	char *root = tmp_root("/");
	struct ga_cgroup_mount m;

	*state = root;
	fix_write(root, "proc/self/mountinfo",
		  "garbage\n"
		  "\n"
		  "31 1 0:27 / /no/separator rw shared:9 cgroup2 cgroup2 rw\n"
		  "32 1 0:27 / relative rw - cgroup2 cgroup2 rw\n"
		  "33 1 0:27 / /short rw -\n"
		  "34 1 0:28 / /v1 rw - cgroup cgroup rw,memory\n"
		  "35 1 0:27 / /a\\040b\\011c\\134d\\012e rw shared:9 "
		  "master:2 propagate_from:1 - cgroup2 cgroup2 rw\n");
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);
	assert_string_equal(m.mnt, "/a b\tc\\d\ne");
	assert_int_equal(m.layout, GA_CGROUP_HYBRID);
	assert_int_equal(m.nr_v1, 1);
}

static uint64_t rng = 0x243f6a8885a308d3ULL; /* fix_rng()'s state */

/* Real lines mutated at random: @n of them into @path. */
static void write_mutated(const char *path, const char *const *lines,
			  size_t nr_lines, int n)
{
	static const char alphabet[] = " -:/\\0123456789ab,";
	FILE *f = fopen(path, "w");
	char buf[512];
	size_t nr_alpha = sizeof(alphabet) - 1;
	int i, j;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		size_t len;

		snprintf(buf, sizeof(buf), "%s",
			 lines[fix_rng(&rng) % nr_lines]);
		len = strlen(buf);
		for (j = 0; j < 3 && len; j++) {
			size_t at = fix_rng(&rng) % len;

			if (fix_rng(&rng) % 4 == 0) {
				buf[at] = '\0';
				len = at;
			} else if (fix_rng(&rng) % 2) {
				buf[at] = alphabet[fix_rng(&rng) % nr_alpha];
			} else {
				buf[at] = (char)(1 + fix_rng(&rng) % 255);
			}
		}
		fprintf(f, "%s\n", buf);
	}
	assert_int_equal(fclose(f), 0);
}

/* Damaged mountinfo and cgroup files: an answer or an error, no crash. */
static void random_lines_never_crash(void **state)
{
	static const char *const mi[] = {
		"32 22 0:27 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 "
		"cgroup2 rw,nsdelegate",
		"36 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw shared:15 - cgroup "
		"cgroup rw,cpu,cpuacct",
		"41 25 0:35 / /run/cgroup\\040v2 rw master:7 - cgroup2 none rw",
		"28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
	};
	static const char *const cg[] = {
		"0::/system.slice/nginx.service",
		"1:name=systemd:/user.slice/user-1000.slice/session-3.scope",
		"2:cpu,cpuacct:/docker/" CID_TF,
		"3:memory:/kubepods/besteffort/pod7e44ee88-1e65-4a16-8cdf-"
		"9a90c819180e/" CID_TORCH,
	};
	char *root = tmp_root("/"), path[GA_PATH_MAX], out[GA_PATH_MAX];
	struct ga_cgroup_mount m;
	enum ga_cgroup_hier hier;
	int round, err;

	*state = root;
	for (round = 0; round < 200; round++) {
		snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
		write_mutated(path, mi, 4, 50);
		err = ga_cgroup_find_mount(root, &m);
		assert_true(err == 0 || err == -ENODEV);
		assert_true(m.layout < GA_CGROUP_LAYOUT_NR);
		if (!err)
			assert_true(m.mnt[0] == '/' && m.hroot[0] == '/');
		snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
		write_mutated(path, cg, 4, 20);
		err = ga_cgroup_of_pid(root, 0, out, sizeof(out), &hier);
		assert_true(!err || err == -ENODATA || err == -EINVAL);
		if (!err)
			assert_true(out[0] == '/' && hier < GA_CGROUP_HIER_NR);
	}
}

/* --- a process's cgroup --- */

static void v2_line_of_a_process(void **state)
{
	char path[GA_PATH_MAX];
	enum ga_cgroup_hier hier = GA_CGROUP_HIER_NR;

	(void)state;
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v2", 4242, path,
					  sizeof(path), &hier),
			 0);
	assert_string_equal(path, TORCH_CG);
	assert_int_equal(hier, GA_CGROUP_V2);
	/* "self" is a symlink to 4242 in this tree */
	assert_int_equal(
		ga_cgroup_of_pid(FX "proc-v2", 0, path, sizeof(path), NULL), 0);
	assert_string_equal(path, TORCH_CG);
	/* ':' in the path belongs to the path */
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v2", 4545, path,
					  sizeof(path), &hier),
			 0);
	assert_non_null(strstr(path, ".slice:cri-containerd:" CID_TORCH));
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v2", 99999, path,
					  sizeof(path), &hier),
			 -ESRCH);
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v2", 4242, path, 20, &hier),
			 -ENAMETOOLONG);
}

static void hybrid_host_prefers_the_v2_line(void **state)
{
	char path[GA_PATH_MAX];
	enum ga_cgroup_hier hier;

	(void)state;
	assert_int_equal(ga_cgroup_of_pid(FX "proc-hybrid", 0, path,
					  sizeof(path), &hier),
			 0);
	assert_string_equal(path,
			    "/user.slice/user-1000.slice/session-3.scope");
	assert_int_equal(hier, GA_CGROUP_V2);
	/* docker on v1 controllers, v2 left in containerd's service */
	assert_int_equal(ga_cgroup_of_pid(FX "proc-hybrid", 1200, path,
					  sizeof(path), &hier),
			 0);
	assert_string_equal(path, "/system.slice/containerd.service");
	assert_int_equal(hier, GA_CGROUP_V2);
	/* its v1 line, where the container is (the exporter asks) */
	assert_int_equal(ga_cgroup_v1_of_pid(FX "proc-hybrid", 1200, path,
					     sizeof(path), &hier),
			 0);
	assert_true(hier != GA_CGROUP_V2);
	assert_non_null(strstr(path, "/docker/"));
}

static void v1_only_host_lines_in_order_of_preference(void **state)
{
	char path[GA_PATH_MAX];
	enum ga_cgroup_hier hier;

	(void)state;
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v1", 1234, path,
					  sizeof(path), &hier),
			 0);
	assert_string_equal(path, "/system.slice/docker-" CID_TF ".scope");
	assert_int_equal(hier, GA_CGROUP_V1_SYSTEMD);
	assert_string_equal(ga_cgroup_hier_name(hier), "v1 name=systemd");
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v1", 1235, path,
					  sizeof(path), &hier),
			 0);
	assert_int_equal(hier, GA_CGROUP_V1_CPU);
	assert_true(!strncmp(path, "/kubepods/besteffort/pod", 24));
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v1", 1236, path,
					  sizeof(path), &hier),
			 0);
	assert_string_equal(path, "/batch/job-9");
	assert_int_equal(hier, GA_CGROUP_V1_MEMORY);
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v1", 1237, path,
					  sizeof(path), &hier),
			 -ENODATA);
	assert_int_equal(ga_cgroup_of_pid(FX "proc-v1", 1238, path,
					  sizeof(path), &hier),
			 -EINVAL);
	assert_string_equal(ga_cgroup_hier_name(GA_CGROUP_HIER_NR), "?");
}

/* --- directories and ids --- */

static void dirs_of_paths_are_canonical_only(void **state)
{
	struct ga_cgroup_mount m;
	char dir[GA_PATH_MAX];

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v2", &m), 0);
	assert_int_equal(ga_cgroup_dir(&m, "/", dir, sizeof(dir)), 0);
	assert_string_equal(dir, FX "proc-v2/sys/fs/cgroup");
	assert_int_equal(ga_cgroup_dir(&m, "/greenai/job-17", dir, sizeof(dir)),
			 0);
	assert_string_equal(dir, FX "proc-v2/sys/fs/cgroup/greenai/job-17");
	assert_int_equal(ga_cgroup_dir(&m, "/greenai/../..", dir, sizeof(dir)),
			 -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "/..", dir, sizeof(dir)), -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "/./a", dir, sizeof(dir)), -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "greenai", dir, sizeof(dir)),
			 -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "/greenai/", dir, sizeof(dir)),
			 -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "//greenai", dir, sizeof(dir)),
			 -EINVAL);
	assert_int_equal(ga_cgroup_dir(&m, "/greenai", dir, 10), -ENAMETOOLONG);
}

static void ids_are_inode_numbers_off_cgroup2(void **state)
{
	struct ga_cgroup_mount m;
	uint64_t id;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v2", &m), 0);
	assert_int_equal(ga_cgroup_id_of(&m, TORCH_CG, &id), 0);
	assert_true(id == ino_of(FX "proc-v2/sys/fs/cgroup" TORCH_CG));
	assert_int_equal(ga_cgroup_id_of(&m, "/greenai/nope", &id), -ENOENT);
	assert_int_equal(ga_cgroup_id(FX "proc-v2/sys/fs/cgroup/cgroup.procs",
				      &id),
			 -ENOTDIR);
}

static void ids_resolve_to_paths_and_are_cached(void **state)
{
	static const char *const paths[] = {
		"/",
		TORCH_CG,
		"/system.slice/docker-" CID_TF ".scope",
		"/system.slice/nginx.service",
		"/greenai/job-17/step-1",
		"/greenai/job-17/step-2",
		"/greenai",
	};
	struct ga_cgroup_resolver r;
	struct ga_cgroup_mount m;
	char path[GA_PATH_MAX];
	uint64_t id;
	size_t i;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v2", &m), 0);
	ga_cgroup_resolver_init(&r, &m, 0);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		assert_int_equal(ga_cgroup_id_of(&m, paths[i], &id), 0);
		assert_int_equal(
			ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
		assert_string_equal(path, paths[i]);
	}
	assert_int_equal(r.hits, 0);
	assert_int_equal(r.walks, i);
	/* again: from the cache, checked, no walk */
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		assert_int_equal(ga_cgroup_id_of(&m, paths[i], &id), 0);
		assert_int_equal(
			ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
		assert_string_equal(path, paths[i]);
	}
	assert_int_equal(r.hits, i);
	assert_int_equal(r.walks, i);
	/* an inode that is no cgroup's */
	id = ino_of(FX "proc-v2/sys/fs/cgroup/cgroup.procs");
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)),
			 -ENOENT);
	assert_int_equal(ga_cgroup_id_of(&m, TORCH_CG, &id), 0);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, 16), -ENAMETOOLONG);
	ga_cgroup_resolver_done(&r);
}

struct found {
	uint64_t id[8];
	char path[8][GA_PATH_MAX];
	unsigned int n;
};

static void on_found(uint64_t id, const char *path, void *arg)
{
	struct found *f = arg;

	assert_true(f->n < 8);
	f->id[f->n] = id;
	snprintf(f->path[f->n++], GA_PATH_MAX, "%s", path);
}

/* Many ids in one walk, parents and children alike; one not a cgroup. */
static void many_ids_resolve_in_one_walk(void **state)
{
	static const char *const paths[] = {
		"/greenai/job-17/step-2",
		"/",
		"/greenai",
		"/system.slice/docker-" CID_TF ".scope",
		"/greenai/job-17/step-1",
	};
	struct ga_cgroup_resolver r;
	struct ga_cgroup_mount m;
	uint64_t ids[6], want[6];
	struct found f = { .n = 0 };
	unsigned int i, j;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-v2", &m), 0);
	ga_cgroup_resolver_init(&r, &m, 0);
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		assert_int_equal(ga_cgroup_id_of(&m, paths[i], &ids[i]), 0);
	memcpy(want, ids, sizeof(want));
	assert_int_equal(ga_cgroup_paths_of_ids(&r, ids, 5, on_found, &f), 0);
	assert_int_equal(r.walks, 1);
	assert_int_equal(f.n, 5);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		for (j = 0; j < f.n && f.id[j] != want[i]; j++)
			;
		assert_true(j < f.n);
		assert_string_equal(f.path[j], paths[i]);
	}
	/* one that is no cgroup's: the others are still given, -ENOENT */
	f.n = 0;
	ids[0] = want[2];
	ids[1] = ino_of(FX "proc-v2/sys/fs/cgroup/cgroup.procs");
	assert_int_equal(ga_cgroup_paths_of_ids(&r, ids, 2, on_found, &f),
			 -ENOENT);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.path[0], "/greenai");
	assert_int_equal(ga_cgroup_paths_of_ids(&r, ids, 0, on_found, &f), 0);
	ga_cgroup_resolver_done(&r);
}

static void resolver_in_a_container_gives_namespace_paths(void **state)
{
	struct ga_cgroup_resolver r;
	struct ga_cgroup_mount m;
	char path[GA_PATH_MAX];
	uint64_t id;

	(void)state;
	assert_int_equal(ga_cgroup_find_mount(FX "proc-container", &m), 0);
	ga_cgroup_resolver_init(&r, &m, 0);
	id = ino_of(FX "proc-container/sys/fs/cgroup/app");
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/docker-" CID_TF ".scope/app");
	id = ino_of(FX "proc-container/sys/fs/cgroup");
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/docker-" CID_TF ".scope");
	ga_cgroup_resolver_done(&r);
}

/*
 * 5 + 25 + 125 directories: a walk bounded to 10 gives up; a cached
 * path moved away is not trusted; more ids than the cache holds all
 * resolve right.
 */
static void resolver_is_bounded_and_never_stale(void **state)
{
	char *root = tmp_root("/"), rel[64], dir[GA_PATH_MAX];
	struct ga_cgroup_resolver r;
	struct ga_cgroup_mount m;
	char path[GA_PATH_MAX], from[GA_PATH_MAX], to[GA_PATH_MAX];
	uint64_t id, ids[125];
	int a, b, c, n = 0;

	*state = root;
	for (a = 0; a < 5; a++)
		for (b = 0; b < 5; b++)
			for (c = 0; c < 5; c++) {
				snprintf(rel, sizeof(rel), "cg/a%d/b%d/c%d", a,
					 b, c);
				fix_mkdirs(root, rel);
			}
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);

	ga_cgroup_resolver_init(&r, &m, 10);
	snprintf(dir, sizeof(dir), "%s/cg/a4/b4/c4", root);
	assert_int_equal(ga_cgroup_path_of_id(&r, ino_of(dir), path,
					      sizeof(path)),
			 -E2BIG);
	assert_int_equal(r.dirs_walked, 10);
	ga_cgroup_resolver_done(&r);

	ga_cgroup_resolver_init(&r, &m, 0);
	snprintf(from, sizeof(from), "%s/cg/a1/b2", root);
	id = ino_of(from);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_string_equal(path, "/a1/b2");
	snprintf(to, sizeof(to), "%s/cg/a3/moved", root);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_string_equal(path, "/a3/moved");
	assert_int_equal(r.hits, 0);
	assert_int_equal(r.walks, 2);
	assert_int_equal(rename(to, from), 0);

	for (a = 0; a < 5; a++)
		for (b = 0; b < 5; b++)
			for (c = 0; c < 5; c++) {
				snprintf(dir, sizeof(dir), "%s/cg/a%d/b%d/c%d",
					 root, a, b, c);
				ids[n++] = ino_of(dir);
			}
	for (n = 0; n < 125; n++) {
		assert_int_equal(ga_cgroup_path_of_id(&r, ids[n], path,
						      sizeof(path)),
				 0);
		snprintf(rel, sizeof(rel), "/a%d/b%d/c%d", n / 25, n / 5 % 5,
			 n % 5);
		assert_string_equal(path, rel);
	}
	/* the last GA_CGROUP_CACHE_SIZE are cached */
	for (n = 125 - GA_CGROUP_CACHE_SIZE; n < 125; n++)
		assert_int_equal(ga_cgroup_path_of_id(&r, ids[n], path,
						      sizeof(path)),
				 0);
	assert_int_equal(r.hits, GA_CGROUP_CACHE_SIZE);
	ga_cgroup_resolver_done(&r);
}

/* --- labels --- */

static bool user_xattrs_work(const char *dir)
{
	if (!setxattr(dir, "user.greenai.probe", "1", 1, 0)) {
		removexattr(dir, "user.greenai.probe");
		return true;
	}
	print_message("# skip: no user xattrs on %s: %s\n", dir,
		      strerror(errno));
	return false;
}

static void label_names_and_values(void **state)
{
	char big[GA_LABEL_MAX + 2];

	(void)state;
	assert_true(ga_cgroup_label_name_valid(GA_LABEL_MODEL));
	assert_true(ga_cgroup_label_name_valid(GA_LABEL_RUN));
	assert_true(ga_cgroup_label_name_valid(GA_LABEL_ACCURACY));
	assert_false(ga_cgroup_label_name_valid("user.greenai."));
	assert_false(ga_cgroup_label_name_valid("user.other"));
	assert_false(ga_cgroup_label_name_valid("trusted.greenai.model"));
	assert_false(ga_cgroup_label_name_valid("user.greenai.Model"));
	assert_false(ga_cgroup_label_name_valid("user.greenai.a.b"));
	assert_true(ga_cgroup_label_value_valid("bert-base-uncased"));
	assert_true(ga_cgroup_label_value_valid("modèle v2 (fine-tuned)"));
	assert_false(ga_cgroup_label_value_valid(""));
	assert_false(ga_cgroup_label_value_valid("a\nb"));
	assert_false(ga_cgroup_label_value_valid("a\tb"));
	assert_false(ga_cgroup_label_value_valid("\x1b[2J"));
	memset(big, 'x', GA_LABEL_MAX);
	big[GA_LABEL_MAX] = '\0';
	assert_true(ga_cgroup_label_value_valid(big));
	big[GA_LABEL_MAX] = 'x';
	big[GA_LABEL_MAX + 1] = '\0';
	assert_false(ga_cgroup_label_value_valid(big));
}

/* A job labelled, its steps inheriting; a step with its own label. */
static void labels_are_inherited_down_the_tree(void **state)
{
	char *root = tmp_root("/"), dir[GA_PATH_MAX], val[GA_LABEL_MAX + 1];
	char from[GA_PATH_MAX], big[400];
	struct ga_cgroup_mount m;

	*state = root;
	fix_mkdirs(root, "cg/job-17/step-1/worker");
	fix_mkdirs(root, "cg/job-17/step-2");
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);
	snprintf(dir, sizeof(dir), "%s/cg/job-17", root);
	if (!user_xattrs_work(dir)) {
		skip();
		return;
	}
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_MODEL, "resnet50"),
			 0);
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_RUN, "run-2024-11"),
			 0);
	assert_int_equal(
		ga_cgroup_label_get(dir, GA_LABEL_MODEL, val, sizeof(val)), 0);
	assert_string_equal(val, "resnet50");

	/* inherited, and where from */
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-1/worker",
					      GA_LABEL_MODEL, val, sizeof(val),
					      from, sizeof(from)),
			 0);
	assert_string_equal(val, "resnet50");
	assert_string_equal(from, "/job-17");
	/* a step's own label wins */
	snprintf(dir, sizeof(dir), "%s/cg/job-17/step-2", root);
	assert_int_equal(
		ga_cgroup_label_set(dir, GA_LABEL_MODEL, "resnet50-int8"), 0);
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-2",
					      GA_LABEL_MODEL, val, sizeof(val),
					      from, sizeof(from)),
			 0);
	assert_string_equal(val, "resnet50-int8");
	assert_string_equal(from, "/job-17/step-2");
	/* none up to the root */
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-1",
					      GA_LABEL_ACCURACY, val,
					      sizeof(val), NULL, 0),
			 -ENODATA);
	/* a cgroup that does not exist */
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-9",
					      GA_LABEL_MODEL, val, sizeof(val),
					      NULL, 0),
			 -ENOENT);
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/../..",
					      GA_LABEL_MODEL, val, sizeof(val),
					      NULL, 0),
			 -EINVAL);

	/* bad input changes nothing */
	snprintf(dir, sizeof(dir), "%s/cg/job-17", root);
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_MODEL, "a\nb"),
			 -EINVAL);
	assert_int_equal(ga_cgroup_label_set(dir, "user.other", "x"), -EINVAL);
	assert_int_equal(
		ga_cgroup_label_get(dir, GA_LABEL_MODEL, val, sizeof(val)), 0);
	assert_string_equal(val, "resnet50");
	assert_int_equal(ga_cgroup_label_get(dir, GA_LABEL_MODEL, val, 8),
			 -ERANGE);

	/* values written by others are checked on the way in */
	assert_int_equal(setxattr(dir, GA_LABEL_ACCURACY, "0.9\n", 4, 0), 0);
	assert_int_equal(ga_cgroup_label_get(dir, GA_LABEL_ACCURACY, val,
					     sizeof(val)),
			 -EINVAL);
	assert_int_equal(setxattr(dir, GA_LABEL_ACCURACY, "0.9\0x", 5, 0), 0);
	assert_int_equal(ga_cgroup_label_get(dir, GA_LABEL_ACCURACY, val,
					     sizeof(val)),
			 -EINVAL);
	memset(big, 'm', sizeof(big));
	assert_int_equal(setxattr(dir, GA_LABEL_ACCURACY, big, sizeof(big), 0),
			 0);
	assert_int_equal(ga_cgroup_label_get(dir, GA_LABEL_ACCURACY, val,
					     sizeof(val)),
			 -EINVAL);
	assert_int_equal(setxattr(dir, GA_LABEL_ACCURACY, "", 0, 0), 0);
	assert_int_equal(ga_cgroup_label_get(dir, GA_LABEL_ACCURACY, val,
					     sizeof(val)),
			 -EINVAL);
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_ACCURACY, "76.1"),
			 0);
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-1",
					      GA_LABEL_ACCURACY, val,
					      sizeof(val), NULL, 0),
			 0);
	assert_string_equal(val, "76.1");

	/* removed */
	assert_int_equal(ga_cgroup_label_remove(dir, GA_LABEL_MODEL), 0);
	assert_int_equal(ga_cgroup_label_remove(dir, GA_LABEL_MODEL), -ENODATA);
	assert_int_equal(ga_cgroup_label_find(&m, "/job-17/step-1",
					      GA_LABEL_MODEL, val, sizeof(val),
					      NULL, 0),
			 -ENODATA);
}

/* The search stops at the mount's root: nothing above it is looked at. */
static void labels_are_not_searched_above_the_mount(void **state)
{
	char *root = tmp_root("/kubepods.slice/pod.slice");
	char dir[GA_PATH_MAX], val[GA_LABEL_MAX + 1], from[GA_PATH_MAX];
	struct ga_cgroup_mount m;

	*state = root;
	fix_mkdirs(root, "cg/ctr");
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);
	snprintf(dir, sizeof(dir), "%s/cg", root);
	if (!user_xattrs_work(dir)) {
		skip();
		return;
	}
	assert_int_equal(
		ga_cgroup_label_find(&m, "/kubepods.slice/pod.slice/ctr",
				     GA_LABEL_MODEL, val, sizeof(val), NULL, 0),
		-ENODATA);
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_MODEL, "llama-7b"),
			 0);
	assert_int_equal(ga_cgroup_label_find(&m,
					      "/kubepods.slice/pod.slice/ctr",
					      GA_LABEL_MODEL, val, sizeof(val),
					      from, sizeof(from)),
			 0);
	assert_string_equal(from, "/kubepods.slice/pod.slice");
	assert_int_equal(ga_cgroup_label_find(&m, "/kubepods.slice",
					      GA_LABEL_MODEL, val, sizeof(val),
					      NULL, 0),
			 -ENOENT);
}

/* --- the host's cgroup2 --- */

struct real {
	struct ga_cgroup_mount m;
	char top[GA_PATH_MAX]; /* <mount>/greenai-test.PID */
	char cgtop[GA_PATH_MAX]; /* its cgroup path */
	pid_t child;
};

static int teardown_real(void **state)
{
	struct real *rc = *state;
	char dir[GA_PATH_MAX + 32];

	if (!rc)
		return 0;
	if (rc->child > 0) {
		kill(rc->child, SIGKILL);
		waitpid(rc->child, NULL, 0);
	}
	if (!rc->top[0]) {
		free(rc);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/job/step", rc->top);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/job", rc->top);
	rmdir(dir);
	rmdir(rc->top);
	free(rc);
	return 0;
}

static uint64_t handle_id(const char *dir)
{
	char buf[sizeof(struct file_handle) + 8] __attribute__((aligned(8)));
	struct file_handle *fh = (struct file_handle *)buf;
	uint64_t id;
	int mount_id;

	fh->handle_bytes = 8;
	assert_int_equal(name_to_handle_at(AT_FDCWD, dir, fh, &mount_id, 0), 0);
	assert_int_equal(fh->handle_bytes, 8);
	memcpy(&id, fh->f_handle, 8);
	return id;
}

static void real_cgroup2_mount(void **state)
{
	struct real *rc = calloc(1, sizeof(*rc));
	char dir[GA_PATH_MAX + 32], cg[GA_PATH_MAX + 32], path[GA_PATH_MAX];
	char val[GA_LABEL_MAX + 1], from[GA_PATH_MAX];
	struct ga_cgroup_resolver r;
	enum ga_cgroup_hier hier;
	uint64_t id, id_job;
	int err, pfd[2];
	char go;

	assert_non_null(rc);
	*state = rc;
	if (geteuid() != 0) {
		print_message("# skip: not root, cannot make cgroups\n");
		skip();
		return;
	}
	err = ga_cgroup_find_mount("/", &rc->m);
	if (err) {
		print_message("# skip: no cgroup2 mounted here (%s, %s)\n",
			      strerror(-err),
			      ga_cgroup_layout_name(rc->m.layout));
		skip();
		return;
	}
	print_message("# cgroup2 at %s, %s\n", rc->m.mnt,
		      ga_cgroup_layout_name(rc->m.layout));
	snprintf(rc->top, sizeof(rc->top), "%s/greenai-test.%d", rc->m.dir,
		 (int)getpid());
	assert_true(snprintf(rc->cgtop, sizeof(rc->cgtop), "%s/greenai-test.%d",
			     strcmp(rc->m.hroot, "/") ? rc->m.hroot : "",
			     (int)getpid()) < (int)sizeof(rc->cgtop));
	if (mkdir(rc->top, 0755)) {
		print_message("# skip: cannot mkdir %s: %s\n", rc->top,
			      strerror(errno));
		rc->top[0] = '\0';
		skip();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/job", rc->top);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/job/step", rc->top);
	assert_int_equal(mkdir(dir, 0755), 0);

	/* ids: the file handle is the kernfs id, = inode on 64-bit */
	snprintf(cg, sizeof(cg), "%s/job/step", rc->cgtop);
	assert_int_equal(ga_cgroup_id_of(&rc->m, cg, &id), 0);
	assert_true(id == handle_id(dir));
	assert_true(id == ino_of(dir));
	assert_int_equal(ga_cgroup_id(rc->m.dir, &id_job), 0);
	assert_true(id_job == 1); /* the root cgroup's id */

	/* the label on the job, read from the step */
	snprintf(dir, sizeof(dir), "%s/job", rc->top);
	assert_int_equal(ga_cgroup_label_set(dir, GA_LABEL_MODEL, "bert-base"),
			 0);
	assert_int_equal(ga_cgroup_label_find(&rc->m, cg, GA_LABEL_MODEL, val,
					      sizeof(val), from, sizeof(from)),
			 0);
	assert_string_equal(val, "bert-base");
	assert_true(snprintf(path, sizeof(path), "%s/job", rc->cgtop) <
		    (int)sizeof(path));
	assert_string_equal(from, path);
	assert_int_equal(ga_cgroup_id(dir, &id_job), 0);

	/* a process moved into the step */
	assert_int_equal(pipe(pfd), 0);
	rc->child = fork();
	assert_true(rc->child >= 0);
	if (rc->child == 0) {
		close(pfd[1]);
		if (read(pfd[0], &go, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[0]);
	fix_writef(rc->top, "job/step/cgroup.procs", "%d\n", (int)rc->child);
	assert_int_equal(
		ga_cgroup_of_pid("/", rc->child, path, sizeof(path), &hier), 0);
	assert_int_equal(hier, GA_CGROUP_V2);
	assert_string_equal(path, cg);
	close(pfd[1]);
	waitpid(rc->child, NULL, 0);
	rc->child = 0;

	/* and back from the ids */
	ga_cgroup_resolver_init(&r, &rc->m, 0);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_string_equal(path, cg);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)), 0);
	assert_int_equal(r.hits, 1);
	assert_int_equal(ga_cgroup_path_of_id(&r, id_job, path, sizeof(path)),
			 0);
	assert_true(snprintf(from, sizeof(from), "%s/job", rc->cgtop) <
		    (int)sizeof(from));
	assert_string_equal(path, from);
	/* a removed cgroup's id is gone, cached or not */
	snprintf(dir, sizeof(dir), "%s/job/step", rc->top);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ga_cgroup_path_of_id(&r, id, path, sizeof(path)),
			 -ENOENT);
	ga_cgroup_resolver_done(&r);
}

static void real_self_cgroup(void **state)
{
	struct ga_cgroup_mount m;
	char path[GA_PATH_MAX], dir[GA_PATH_MAX];
	enum ga_cgroup_hier hier;
	struct stat st;
	uint64_t id;

	(void)state;
	if (ga_cgroup_find_mount("/", &m)) {
		print_message("# skip: no cgroup2 mounted here\n");
		skip();
		return;
	}
	assert_int_equal(ga_cgroup_of_pid("/", 0, path, sizeof(path), &hier),
			 0);
	assert_int_equal(hier, GA_CGROUP_V2);
	assert_int_equal(
		ga_cgroup_of_pid(NULL, getpid(), dir, sizeof(dir), &hier), 0);
	assert_string_equal(path, dir);
	assert_int_equal(ga_cgroup_dir(&m, path, dir, sizeof(dir)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(ga_cgroup_id(dir, &id), 0);
	assert_true(id != 0);
}

/* A container by its id or the start of it, a unit by its name. */
static void workloads_are_found_by_container_and_unit(void **state)
{
	static const char *const dirs[] = {
		"cg/system.slice/docker-" CID_TORCH ".scope",
		"cg/machine.slice/libpod-" CID_TF ".scope/container",
		"cg/machine.slice/libpod-conmon-" CID_TF ".scope",
		"cg/system.slice/nginx.service",
		"cg/system.slice/job.slice/worker.service",
		"cg/user.slice/user-1000.slice/user@1000.service/app.slice/"
		"worker.service",
		"cg/parent/child",
	};
	char *root = tmp_root("/"), path[GA_PATH_MAX], other[GA_PATH_MAX];
	char dir[GA_PATH_MAX];
	struct ga_cgroup_mount m;
	size_t i;

	*state = root;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		fix_mkdirs(root, dirs[i]);
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);
	/* whole ids and docker ps's 12 digits */
	assert_int_equal(ga_cgroup_of_container(&m, CID_TORCH, path,
						sizeof(path), NULL, 0),
			 0);
	assert_string_equal(path, "/system.slice/docker-" CID_TORCH ".scope");
	assert_int_equal(ga_cgroup_of_container(&m, "9ec39b91f3d7", path,
						sizeof(path), NULL, 0),
			 0);
	/* podman's scope, not its "container" child nor conmon */
	assert_string_equal(path, "/machine.slice/libpod-" CID_TF ".scope");
	/* the start of both ids ("b6..." and "9e..." share none): unknown */
	assert_int_equal(ga_cgroup_of_container(&m, "0123", path, sizeof(path),
						NULL, 0),
			 -ENOENT);
	for (i = 0; i < 3; i++) {
		static const char *const bad[] = { "", "XYZ", "9EC39B" };

		assert_int_equal(ga_cgroup_of_container(&m, bad[i], path,
							sizeof(path), NULL, 0),
				 -EINVAL);
	}
	/* a start two containers' ids share */
	fix_mkdirs(root, "cg/system.slice/docker-9ec3"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 ".scope");
	assert_int_equal(ga_cgroup_of_container(&m, "9ec3", path, sizeof(path),
						other, sizeof(other)),
			 -ENOTUNIQ);
	assert_true(strcmp(path, other));
	assert_int_equal(ga_cgroup_of_container(&m, "9ec39", path, sizeof(path),
						NULL, 0),
			 0);
	assert_string_equal(path, "/machine.slice/libpod-" CID_TF ".scope");
	/* units: .service added; one in a nested slice; two of a name */
	assert_int_equal(ga_cgroup_of_unit(&m, "nginx", path, sizeof(path),
					   NULL, 0),
			 0);
	assert_string_equal(path, "/system.slice/nginx.service");
	assert_int_equal(ga_cgroup_of_unit(&m, "job.slice", path, sizeof(path),
					   NULL, 0),
			 0);
	assert_string_equal(path, "/system.slice/job.slice");
	assert_int_equal(ga_cgroup_of_unit(&m, "worker.service", path,
					   sizeof(path), other, sizeof(other)),
			 -ENOTUNIQ);
	assert_true(strstr(path, "worker.service") &&
		    strstr(other, "worker.service") && strcmp(path, other));
	assert_int_equal(ga_cgroup_of_unit(&m, "absent", path, sizeof(path),
					   NULL, 0),
			 -ENOENT);
	assert_int_equal(ga_cgroup_of_unit(&m, "a/b", path, sizeof(path),
					   NULL, 0),
			 -EINVAL);
	/* a cgroup as a path, without its '/', or as a directory */
	assert_int_equal(ga_cgroup_of_arg(&m, "/parent", path, sizeof(path)),
			 0);
	assert_string_equal(path, "/parent");
	assert_int_equal(ga_cgroup_of_arg(&m, "parent/child", path,
					  sizeof(path)),
			 0);
	assert_string_equal(path, "/parent/child");
	snprintf(dir, sizeof(dir), "%s/cg/parent/child", root);
	assert_int_equal(ga_cgroup_of_arg(&m, dir, path, sizeof(path)), 0);
	assert_string_equal(path, "/parent/child");
	snprintf(dir, sizeof(dir), "%s/cg", root);
	assert_int_equal(ga_cgroup_of_arg(&m, dir, path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(ga_cgroup_of_arg(&m, "/no/such", path, sizeof(path)),
			 -ENOENT);
	assert_int_equal(ga_cgroup_of_arg(&m, root, path, sizeof(path)),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unified_host),
		cmocka_unit_test(hybrid_host_has_v2_at_unified),
		cmocka_unit_test(v1_only_and_no_cgroup_hosts_say_so),
		cmocka_unit_test(escaped_mount_point_and_whole_hierarchy_first),
		cmocka_unit_test(container_view_strips_the_mount_root),
		cmocka_unit_test_teardown(mountinfo_escapes_and_malformed_lines,
					  fix_teardown),
		cmocka_unit_test_teardown(random_lines_never_crash,
					  fix_teardown),
		cmocka_unit_test(v2_line_of_a_process),
		cmocka_unit_test(hybrid_host_prefers_the_v2_line),
		cmocka_unit_test(v1_only_host_lines_in_order_of_preference),
		cmocka_unit_test(dirs_of_paths_are_canonical_only),
		cmocka_unit_test(ids_are_inode_numbers_off_cgroup2),
		cmocka_unit_test(ids_resolve_to_paths_and_are_cached),
		cmocka_unit_test(many_ids_resolve_in_one_walk),
		cmocka_unit_test(resolver_in_a_container_gives_namespace_paths),
		cmocka_unit_test_teardown(resolver_is_bounded_and_never_stale,
					  fix_teardown),
		cmocka_unit_test_teardown(
			workloads_are_found_by_container_and_unit,
			fix_teardown),
		cmocka_unit_test(label_names_and_values),
		cmocka_unit_test_teardown(labels_are_inherited_down_the_tree,
					  fix_teardown),
		cmocka_unit_test_teardown(
			labels_are_not_searched_above_the_mount, fix_teardown),
		cmocka_unit_test_teardown(real_cgroup2_mount, teardown_real),
		cmocka_unit_test(real_self_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
