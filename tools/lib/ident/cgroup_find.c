// SPDX-License-Identifier: GPL-2.0
/*
 * Finding a workload's cgroup (cgroup.h): a cgroup given as a path or a
 * directory, a container by its id, a systemd unit by its name.
 *
 * A container or a unit is found by walking the cgroup v2 mount, depth
 * first, GA_CGROUP_WALK_DEF directories and GA_CGROUP_DEPTH_MAX levels at
 * most, and reading each directory's path as ga_container_parse() does:
 * no runtime socket, no D-Bus. What matches is the outermost cgroup of
 * the workload (podman's libpod-<id>.scope, not its "container" child);
 * two workloads that match are an error that names both, never a guess.
 *
 * Functions return 0 or -errno and print nothing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <greenai/cgroup.h>
#include <greenai/container.h>

/* What a walk looks for, and what it found. */
struct find {
	bool (*match)(struct find *f, const char *cgpath);
	const char *want;
	size_t want_len;
	char key[GA_CONTAINER_ID_LEN + 1];	/* the container's full id */
	char path[GA_PATH_MAX];		/* the first match */
	char other[GA_PATH_MAX];	/* another workload that matched */
	unsigned int left;		/* directories still allowed */
	bool cut;			/* the walk gave up */
};

static void find_dir(struct find *f, int fd, char *cgpath, size_t len,
		     unsigned int depth)
{
	struct dirent *de;
	DIR *d = fdopendir(fd);

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) && !f->other[0]) {
		size_t n = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!f->left) {
			f->cut = true;
			break;
		}
		f->left--;
		if (len + 1 + n >= GA_PATH_MAX)
			continue;
		snprintf(cgpath + len, GA_PATH_MAX - len, "%s%s",
			 len == 1 ? "" : "/", de->d_name);
		/* a match's descendants are the same workload's */
		if (f->match(f, cgpath) || depth + 1 >= GA_CGROUP_DEPTH_MAX)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			find_dir(f, sub, cgpath, strlen(cgpath), depth + 1);
	}
	cgpath[len] = '\0';
	closedir(d);
}

/* Walk @m for f->match; -ENOENT, -ENOTUNIQ (f->other), -E2BIG. */
static int find_walk(const struct ga_cgroup_mount *m, struct find *f,
		     char *path, size_t size, char *other, size_t other_size)
{
	char dir[GA_PATH_MAX], cgpath[GA_PATH_MAX];
	int fd, err;

	f->left = GA_CGROUP_WALK_DEF;
	snprintf(cgpath, sizeof(cgpath), "%s", m->hroot);
	err = ga_cgroup_dir(m, cgpath, dir, sizeof(dir));
	if (err)
		return err;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	find_dir(f, fd, cgpath, strlen(cgpath), 0);
	if (f->other[0]) {
		if (other_size)
			snprintf(other, other_size, "%s", f->other);
		snprintf(path, size, "%s", f->path);
		return -ENOTUNIQ;
	}
	if (!f->path[0])
		return f->cut ? -E2BIG : -ENOENT;
	if (strlen(f->path) >= size)
		return -ENAMETOOLONG;
	strcpy(path, f->path);
	return 0;
}

/* A match at @cgpath: the first, or another workload's (f->other). */
static bool find_hit(struct find *f, const char *cgpath, const char *key)
{
	if (!f->path[0]) {
		snprintf(f->path, sizeof(f->path), "%s", cgpath);
		snprintf(f->key, sizeof(f->key), "%s", key);
	} else if (strcmp(f->key, key) || !ga_cgroup_within(f->path, cgpath)) {
		snprintf(f->other, sizeof(f->other), "%s", cgpath);
	}
	return true;
}

static bool match_container(struct find *f, const char *cgpath)
{
	struct ga_container ct;

	if (ga_container_parse(cgpath, &ct) || !ct.id[0] ||
	    (ct.flags & GA_CT_CONMON) ||
	    strncmp(ct.id, f->want, f->want_len))
		return false;
	return find_hit(f, cgpath, ct.id);
}

/**
 * ga_cgroup_of_container() - the cgroup of a running container
 * @m: the cgroup v2 mount
 * @id: its id, or the start of it (docker ps's 12 digits), lower-case hex
 * @path: its cgroup's path (the outermost, as in /proc/PID/cgroup)
 * @size: the size of @path
 * @other: with -ENOTUNIQ, the cgroup of another container @id starts
 * @other_size: its size; 0 for none
 *
 * Docker, podman, containerd, CRI-O and kubepods layouts, as
 * ga_container_parse() reads them; the runtime's monitor (conmon) is not
 * the container.
 *
 * Return: 0; -EINVAL when @id is not 1 to 64 hex digits; -ENOENT when no
 * cgroup is the container's; -ENOTUNIQ when @id starts two containers'
 * ids (@path has one, @other another); -E2BIG when the walk gave up.
 */
int ga_cgroup_of_container(const struct ga_cgroup_mount *m, const char *id,
			   char *path, size_t size, char *other,
			   size_t other_size)
{
	struct find *f;
	size_t i, n = strlen(id);
	int err;

	if (!n || n > GA_CONTAINER_ID_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'f')))
			return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->match = match_container;
	f->want = id;
	f->want_len = n;
	err = find_walk(m, f, path, size, other, other_size);
	free(f);
	return err;
}

static bool match_unit(struct find *f, const char *cgpath)
{
	const char *base = strrchr(cgpath, '/');

	base = base ? base + 1 : cgpath;
	if (strcmp(base, f->want))
		return false;
	return find_hit(f, cgpath, base);
}

/* Whether @name ends in a unit type that has a cgroup. */
static bool unit_typed(const char *name)
{
	static const char *const types[] = { ".service", ".scope", ".slice" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t t = strlen(types[i]);

		if (n > t && !strcmp(name + n - t, types[i]))
			return true;
	}
	return false;
}

/**
 * ga_cgroup_of_unit() - the cgroup of a running systemd unit
 * @m: the cgroup v2 mount
 * @name: the unit: NAME.service, NAME.scope or NAME.slice; NAME alone is
 *        NAME.service, as systemctl takes it
 * @path: its cgroup's path
 * @size: the size of @path
 * @other: with -ENOTUNIQ, another cgroup of that name
 * @other_size: its size; 0 for none
 *
 * System units and users' (under user@UID.service) alike: the one
 * cgroup whose directory has that name, wherever its slice puts it.
 *
 * Return: 0; -EINVAL when @name is no unit name; -ENOENT when no cgroup
 * has it (the unit is not running); -ENOTUNIQ when two have (a system
 * unit and a user's, or two users'); -E2BIG when the walk gave up.
 */
int ga_cgroup_of_unit(const struct ga_cgroup_mount *m, const char *name,
		      char *path, size_t size, char *other, size_t other_size)
{
	struct find *f;
	char unit[GA_UNIT_NAME_MAX + 1];
	int n, err;

	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	n = snprintf(unit, sizeof(unit), "%s%s", name,
		     unit_typed(name) ? "" : ".service");
	if (n < 0 || (size_t)n >= sizeof(unit))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->match = match_unit;
	f->want = unit;
	f->want_len = (size_t)n;
	err = find_walk(m, f, path, size, other, other_size);
	free(f);
	return err;
}

/**
 * ga_cgroup_of_arg() - the cgroup a user named, as a path
 * @m: the cgroup v2 mount
 * @arg: its path ("/system.slice/x.service", as in /proc/PID/cgroup; the
 *       leading '/' may be left out), or its directory under the mount
 *       ("/sys/fs/cgroup/system.slice/x.service"); the path is tried first
 * @path: its path, canonical
 * @size: the size of @path
 *
 * Return: 0; -ENOENT when no cgroup v2 is there (a path that is not one,
 * or a directory outside the mount); -ENAMETOOLONG.
 */
int ga_cgroup_of_arg(const struct ga_cgroup_mount *m, const char *arg,
		     char *path, size_t size)
{
	char dir[GA_PATH_MAX], *real = NULL, *mnt = NULL;
	struct stat st;
	size_t n;
	int err = -ENOENT;

	/* "system.slice/x.service" is "/system.slice/x.service" */
	if (arg[0] != '/' &&
	    (size_t)snprintf(dir, sizeof(dir), "/%s", arg) < sizeof(dir) &&
	    !ga_cgroup_of_arg(m, dir, path, size))
		return 0;
	if (!ga_cgroup_dir(m, arg, dir, sizeof(dir)) && !stat(dir, &st) &&
	    S_ISDIR(st.st_mode)) {
		if (strlen(arg) >= size)
			return -ENAMETOOLONG;
		strcpy(path, arg);
		return 0;
	}
	/* a directory: its place under the mount's */
	real = realpath(arg, NULL);
	mnt = realpath(m->dir, NULL);
	if (!real || !mnt || stat(real, &st) || !S_ISDIR(st.st_mode))
		goto out;
	n = strlen(mnt);
	if (strcmp(mnt, "/") && (strncmp(real, mnt, n) ||
				 (real[n] && real[n] != '/')))
		goto out;
	if (!strcmp(mnt, "/"))
		n = 0;
	if (!strcmp(m->hroot, "/"))
		err = snprintf(path, size, "%s", real[n] ? real + n : "/");
	else
		err = snprintf(path, size, "%s%s", m->hroot, real + n);
	err = err < 0 || (size_t)err >= size ? -ENAMETOOLONG : 0;
out:
	free(real);
	free(mnt);
	return err;
}
