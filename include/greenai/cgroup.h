/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroups: where cgroup v2 is mounted, which cgroup a process is in, a
 * cgroup's id and the path of an id, and the greenai labels on a cgroup.
 *
 * Everything is read under a root directory ("/" normally, a fixture tree
 * in tests): <root>/proc/self/mountinfo, <root>/proc/PID/cgroup and the
 * mount point found there, under <root> too. Paths of cgroups ("cgroup
 * paths") are those of /proc/PID/cgroup: absolute, in the reader's cgroup
 * namespace ("/system.slice/nginx.service"); the directory of a cgroup is
 * the mount's directory joined with the part of its path below the
 * mount's own root (mountinfo's fourth field).
 *
 * The cgroup v2 mount is never assumed to be /sys/fs/cgroup: hybrid hosts
 * mount it at /sys/fs/cgroup/unified beside the v1 controllers, guests
 * and containers wherever they like.
 *
 * A cgroup's id is the one the kernel uses (bpf_get_current_cgroup_id(),
 * the cgroup_id of greenai's records): on cgroup2 it is the 64-bit kernfs
 * node id, read with name_to_handle_at() (the handle is that id), which
 * is also the directory's inode number on 64-bit kernels. On any other
 * file system (fixture trees) the inode number stands in for it.
 *
 * Labels are extended attributes of the cgroup's directory, in the "user."
 * namespace: user.greenai.model, user.greenai.run, user.greenai.accuracy.
 * A label applies to the cgroup and to every cgroup below it, unless one
 * of those has its own: a job's child cgroups inherit the job's model.
 *
 * Functions return 0 or a negative errno, print nothing, and leave their
 * outputs untouched on error unless they say otherwise.
 */
#ifndef _GREENAI_CGROUP_H
#define _GREENAI_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <greenai/files.h>

#define GA_LABEL_MODEL "user.greenai.model"
#define GA_LABEL_RUN "user.greenai.run"
#define GA_LABEL_ACCURACY "user.greenai.accuracy"
/* a run's units of work so far and what a unit is (run_metrics.h) */
#define GA_LABEL_UNITS "user.greenai.units"
#define GA_LABEL_UNIT "user.greenai.unit"
/* the uid a root-owned run cgroup of the agent's is for ("uid:N") */
#define GA_LABEL_OWNER "user.greenai.owner"
#define GA_LABEL_PREFIX "user.greenai."
#define GA_LABEL_MAX 255 /* bytes of a value, NUL excluded */

/* How the host mounts its cgroups. */
enum ga_cgroup_layout {
	GA_CGROUP_NONE, /* no cgroup file system at all */
	GA_CGROUP_LEGACY, /* v1 hierarchies only */
	GA_CGROUP_HYBRID, /* v1 hierarchies and a v2 one */
	GA_CGROUP_UNIFIED, /* v2 only */
	GA_CGROUP_LAYOUT_NR,
};

/* Which line of /proc/PID/cgroup a path came from. */
enum ga_cgroup_hier {
	GA_CGROUP_V2, /* "0::/path" */
	GA_CGROUP_V1_SYSTEMD, /* "N:name=systemd:/path" */
	GA_CGROUP_V1_CPU, /* "N:cpu,cpuacct:/path" (or either alone) */
	GA_CGROUP_V1_MEMORY, /* "N:memory:/path" */
	GA_CGROUP_HIER_NR,
};

struct ga_cgroup_mount {
	char dir[GA_PATH_MAX]; /* to open: <root> + mount point */
	char mnt[GA_PATH_MAX]; /* the mount point, unescaped */
	/* its root in the hierarchy: "/" but in a container or bind mount */
	char hroot[GA_PATH_MAX];
	enum ga_cgroup_layout layout;
	unsigned int nr_v1; /* v1 hierarchies mounted */
};

int ga_cgroup_find_mount(const char *root, struct ga_cgroup_mount *m);
const char *ga_cgroup_layout_name(enum ga_cgroup_layout layout);

int ga_cgroup_of_pid(const char *root, int pid, char *path, size_t size,
		     enum ga_cgroup_hier *hier);
int ga_cgroup_v1_of_pid(const char *root, int pid, char *path, size_t size,
			enum ga_cgroup_hier *hier);
const char *ga_cgroup_hier_name(enum ga_cgroup_hier hier);

int ga_cgroup_dir(const struct ga_cgroup_mount *m, const char *cgpath,
		  char *buf, size_t size);
/*
 * Whether the cgroup at @path is the one at @top or below it, as cpu.stat
 * counts a cgroup with its descendants: "/a/b" is within "/a" and "/", not
 * within "/ab". A pure comparison of the two paths.
 */
bool ga_cgroup_within(const char *top, const char *path);
int ga_cgroup_id(const char *dir, uint64_t *id);
int ga_cgroup_id_at(int dirfd, const char *name, uint64_t *id);
int ga_cgroup_id_of(const struct ga_cgroup_mount *m, const char *cgpath,
		    uint64_t *id);

/*
 * id -> path, by walking the mount: at most max_dirs directories a walk,
 * the last GA_CGROUP_CACHE_SIZE answers kept (each checked before use).
 */
#define GA_CGROUP_CACHE_SIZE 64
#define GA_CGROUP_WALK_DEF 65536 /* directories a walk visits */
#define GA_CGROUP_DEPTH_MAX 64 /* levels below the mount */

struct ga_cgroup_resolver {
	const struct ga_cgroup_mount *mount;
	unsigned int max_dirs;
	uint64_t tick;
	struct {
		uint64_t id;
		char *path; /* NULL: free */
		uint64_t used;
	} cache[GA_CGROUP_CACHE_SIZE];
	uint64_t hits, walks, dirs_walked;
};

void ga_cgroup_resolver_init(struct ga_cgroup_resolver *r,
			     const struct ga_cgroup_mount *m,
			     unsigned int max_dirs);
void ga_cgroup_resolver_done(struct ga_cgroup_resolver *r);
int ga_cgroup_path_of_id(struct ga_cgroup_resolver *r, uint64_t id, char *path,
			 size_t size);
typedef void (*ga_cgroup_found_fn)(uint64_t id, const char *path, void *arg);
int ga_cgroup_paths_of_ids(struct ga_cgroup_resolver *r, uint64_t *ids,
			   unsigned int n, ga_cgroup_found_fn fn, void *arg);

/*
 * A workload's cgroup, found (cgroup_find.c): as the user named it (a
 * path or a directory), a container by its id or the start of it, a
 * systemd unit by its name. -ENOTUNIQ when two workloads match, with
 * the other's path in @other.
 */
int ga_cgroup_of_arg(const struct ga_cgroup_mount *m, const char *arg,
		     char *path, size_t size);
int ga_cgroup_of_container(const struct ga_cgroup_mount *m, const char *id,
			   char *path, size_t size, char *other,
			   size_t other_size);
int ga_cgroup_of_unit(const struct ga_cgroup_mount *m, const char *name,
		      char *path, size_t size, char *other, size_t other_size);

bool ga_cgroup_label_name_valid(const char *name);
bool ga_cgroup_label_value_valid(const char *value);
int ga_cgroup_label_get(const char *dir, const char *name, char *buf,
			size_t size);
int ga_cgroup_label_find(const struct ga_cgroup_mount *m, const char *cgpath,
			 const char *name, char *buf, size_t size, char *from,
			 size_t from_size);
int ga_cgroup_label_set(const char *dir, const char *name, const char *value);
int ga_cgroup_label_remove(const char *dir, const char *name);

#endif /* _GREENAI_CGROUP_H */
