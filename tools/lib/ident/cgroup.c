// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup mounts, process cgroups, cgroup ids and labels (cgroup.h).
 *
 * Rules: every file is read under the caller's root; mountinfo and
 * /proc/PID/cgroup are parsed field by field and a line that does not
 * parse is skipped, never guessed at. Cgroup paths are accepted only in
 * canonical form (absolute, no empty, "." or ".." component), so that
 * nothing here ever opens a directory outside the cgroup mount.
 *
 * The id -> path walk is the one expensive operation: it is bounded (a
 * number of directories and a depth), keeps at most GA_CGROUP_DEPTH_MAX
 * directories open, and its answers are cached and checked against the
 * directory's id again before each reuse, so a cgroup removed and another
 * made at the same path is never reported under a stale id.
 *
 * No locking: a struct ga_cgroup_resolver belongs to one thread.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <greenai/cgroup.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The fields of a mountinfo line that matter here, unescaped, in place. */
struct mountinfo {
	char *root;
	char *mnt;
	char *fstype;
};

static const char *const layout_names[GA_CGROUP_LAYOUT_NR] = {
	[GA_CGROUP_NONE] = "none",
	[GA_CGROUP_LEGACY] = "legacy (v1 only)",
	[GA_CGROUP_HYBRID] = "hybrid (v1 and v2)",
	[GA_CGROUP_UNIFIED] = "unified (v2 only)",
};

static const char *const hier_names[GA_CGROUP_HIER_NR] = {
	[GA_CGROUP_V2] = "v2",
	[GA_CGROUP_V1_SYSTEMD] = "v1 name=systemd",
	[GA_CGROUP_V1_CPU] = "v1 cpu,cpuacct",
	[GA_CGROUP_V1_MEMORY] = "v1 memory",
};

/* mountinfo escapes space, tab, newline and backslash as \ooo (octal). */
static void unescape_octal(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": ID,
 * parent, dev, root, mount point, options, optional fields up to "-",
 * then file system type, source and super options.
 */
static int parse_mountinfo(char *line, struct mountinfo *mi)
{
	char *save = NULL, *tok;
	int field = 0;

	memset(mi, 0, sizeof(*mi));
	for (tok = strtok_r(line, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 3)
			mi->root = tok;
		else if (field == 4)
			mi->mnt = tok;
		else if (field >= 6 && !strcmp(tok, "-"))
			break;
	}
	if (!tok || field < 6)
		return -EINVAL;
	mi->fstype = strtok_r(NULL, " \n", &save);
	if (!mi->fstype || !mi->root || !mi->mnt)
		return -EINVAL;
	unescape_octal(mi->root);
	unescape_octal(mi->mnt);
	if (mi->root[0] != '/' || mi->mnt[0] != '/')
		return -EINVAL;
	return 0;
}

static int save_mount(struct ga_cgroup_mount *m, const char *root,
		      const struct mountinfo *mi)
{
	int err;

	if (strlen(mi->mnt) >= sizeof(m->mnt) ||
	    strlen(mi->root) >= sizeof(m->hroot))
		return -ENAMETOOLONG;
	err = ga_path(m->dir, sizeof(m->dir), root, "%s", mi->mnt + 1);
	if (err)
		return err;
	/* "<root>/sys/fs/cgroup/" -> "<root>/sys/fs/cgroup" */
	if (strlen(m->dir) > 1 && m->dir[strlen(m->dir) - 1] == '/')
		m->dir[strlen(m->dir) - 1] = '\0';
	strcpy(m->mnt, mi->mnt);
	strcpy(m->hroot, mi->root);
	return 0;
}

/**
 * ga_cgroup_find_mount() - the cgroup v2 mount, from mountinfo
 * @root: "/" or a fixture tree: <root>/proc/self/mountinfo is read
 * @m: the mount found
 *
 * When cgroup2 is mounted more than once, the first mount of the whole
 * hierarchy (root "/") is taken, else the first mount. The layout and
 * the number of v1 hierarchies are written to @m even when there is no
 * cgroup2 mount, so that the caller can say what there is instead.
 *
 * Return: 0; -ENODEV when cgroup2 is not mounted (m->layout is then
 * GA_CGROUP_LEGACY or GA_CGROUP_NONE); -errno of opening mountinfo;
 * -ENAMETOOLONG when the mount point does not fit.
 */
int ga_cgroup_find_mount(const char *root, struct ga_cgroup_mount *m)
{
	char path[GA_PATH_MAX], *line = NULL;
	bool found = false, found_whole = false;
	unsigned int nr_v1 = 0;
	struct mountinfo mi;
	size_t cap = 0;
	int err = 0;
	FILE *f;

	err = ga_path(path, sizeof(path), root, "proc/self/mountinfo");
	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (parse_mountinfo(line, &mi))
			continue;
		if (!strcmp(mi.fstype, "cgroup")) {
			nr_v1++;
			continue;
		}
		if (strcmp(mi.fstype, "cgroup2") || found_whole)
			continue;
		if (found && strcmp(mi.root, "/"))
			continue;
		err = save_mount(m, root, &mi);
		if (err)
			break;
		found = true;
		found_whole = !strcmp(mi.root, "/");
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	if (err)
		return err;
	m->nr_v1 = nr_v1;
	if (found)
		m->layout = nr_v1 ? GA_CGROUP_HYBRID : GA_CGROUP_UNIFIED;
	else
		m->layout = nr_v1 ? GA_CGROUP_LEGACY : GA_CGROUP_NONE;
	return found ? 0 : -ENODEV;
}

/**
 * ga_cgroup_layout_name() - how a layout is described to users
 * @layout: the layout
 *
 * Return: a constant string, "?" for an unknown value.
 */
const char *ga_cgroup_layout_name(enum ga_cgroup_layout layout)
{
	if ((unsigned int)layout >= GA_CGROUP_LAYOUT_NR)
		return "?";
	return layout_names[layout];
}

/* Whether a comma-separated controller list holds @name. */
static bool has_controller(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name), i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && list[j] != ',')
			j++;
		if (j - i == n && !memcmp(list + i, name, n))
			return true;
		i = j + 1;
	}
	return false;
}

/* The rank of a /proc/PID/cgroup line: lower is better, -1 unusable. */
static int line_rank(const char *id, const char *ctl, size_t ctl_len)
{
	if (!strcmp(id, "0") && ctl_len == 0)
		return GA_CGROUP_V2;
	if (has_controller(ctl, ctl_len, "name=systemd"))
		return GA_CGROUP_V1_SYSTEMD;
	if (has_controller(ctl, ctl_len, "cpu") ||
	    has_controller(ctl, ctl_len, "cpuacct"))
		return GA_CGROUP_V1_CPU;
	if (has_controller(ctl, ctl_len, "memory"))
		return GA_CGROUP_V1_MEMORY;
	return -1;
}

/**
 * ga_cgroup_of_pid() - the cgroup a process is in
 * @root: "/" or a fixture tree
 * @pid: the process; 0 or less for the caller itself ("self")
 * @path: the cgroup path, e.g. "/system.slice/nginx.service"
 * @size: its size
 * @hier: which hierarchy it is of (may be NULL)
 *
 * The cgroup v2 line ("0::") is taken whenever there is one; on a host
 * with v1 hierarchies only, the name=systemd one, else cpu/cpuacct, else
 * memory. The path may contain ':' (everything after the second one).
 *
 * Return: 0; -ESRCH when the process does not exist (any more); -ENODATA
 * when no line is usable; -EINVAL for a path that is not absolute;
 * -ENAMETOOLONG when it does not fit @size; other -errno of reading.
 */
static int cgroup_of_pid(const char *root, int pid, char *path, size_t size,
			 enum ga_cgroup_hier *hier, int min_rank);

int ga_cgroup_of_pid(const char *root, int pid, char *path, size_t size,
		     enum ga_cgroup_hier *hier)
{
	return cgroup_of_pid(root, pid, path, size, hier, GA_CGROUP_V2);
}

/**
 * ga_cgroup_v1_of_pid() - the cgroup v1 path of a process, v2 or not
 * @root: "/" or a fixture tree
 * @pid: the process
 * @path: the path
 * @size: its size
 * @hier: which hierarchy (may be NULL)
 *
 * As ga_cgroup_of_pid(), the v2 line left out: on a hybrid host, where
 * a runtime with the cgroupfs driver puts its containers in the v1
 * hierarchies only.
 *
 * Return: as ga_cgroup_of_pid(); -ENODATA with no v1 line.
 */
int ga_cgroup_v1_of_pid(const char *root, int pid, char *path, size_t size,
			enum ga_cgroup_hier *hier)
{
	return cgroup_of_pid(root, pid, path, size, hier, GA_CGROUP_V1_SYSTEMD);
}

static int cgroup_of_pid(const char *root, int pid, char *path, size_t size,
			 enum ga_cgroup_hier *hier, int min_rank)
{
	char file[GA_PATH_MAX], *line = NULL, *best = NULL;
	int best_rank = GA_CGROUP_HIER_NR, err = 0;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (pid > 0)
		err = ga_path(file, sizeof(file), root, "proc/%d/cgroup", pid);
	else
		err = ga_path(file, sizeof(file), root, "proc/self/cgroup");
	if (err)
		return err;
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *c1, *c2;
		int rank;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = '\0';
		rank = line_rank(line, c1 + 1, c2 - c1 - 1);
		if (rank < min_rank || rank >= best_rank)
			continue;
		free(best);
		best = strdup(c2 + 1);
		if (!best) {
			err = -ENOMEM;
			break;
		}
		best_rank = rank;
	}
	if (!err && ferror(f))
		err = errno == ESRCH || errno == ENOENT ? -ESRCH : -EIO;
	free(line);
	fclose(f);
	if (!err && !best)
		err = -ENODATA;
	if (!err && best[0] != '/')
		err = -EINVAL;
	if (!err && strlen(best) >= size)
		err = -ENAMETOOLONG;
	if (!err) {
		strcpy(path, best);
		if (hier)
			*hier = best_rank;
	}
	free(best);
	return err;
}

/**
 * ga_cgroup_hier_name() - how a hierarchy is described to users
 * @hier: the hierarchy
 *
 * Return: a constant string, "?" for an unknown value.
 */
const char *ga_cgroup_hier_name(enum ga_cgroup_hier hier)
{
	if ((unsigned int)hier >= GA_CGROUP_HIER_NR)
		return "?";
	return hier_names[hier];
}

/* Absolute, and no empty, "." or ".." component: "/" or "/a/b". */
static bool cgpath_canonical(const char *p)
{
	const char *c;

	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (c = p; *c;) {
		const char *e = strchrnul(c + 1, '/');
		size_t len = e - c - 1;

		if (len == 0 || (len == 1 && c[1] == '.') ||
		    (len == 2 && c[1] == '.' && c[2] == '.'))
			return false;
		c = e;
	}
	return true;
}

/* The part of @cgpath below the mount's root, or NULL if not below it. */
static const char *below_mount(const struct ga_cgroup_mount *m,
			       const char *cgpath)
{
	size_t n = strlen(m->hroot);

	if (!strcmp(m->hroot, "/"))
		return cgpath;
	if (strncmp(cgpath, m->hroot, n) || (cgpath[n] && cgpath[n] != '/'))
		return NULL;
	return cgpath[n] ? cgpath + n : "/";
}

/**
 * ga_cgroup_dir() - the directory of a cgroup
 * @m: the cgroup v2 mount
 * @cgpath: the cgroup's path (as in /proc/PID/cgroup)
 * @buf: the directory, under the mount
 * @size: its size
 *
 * Return: 0; -EINVAL when @cgpath is not canonical; -ENOENT when it is
 * not below the mount's root (not visible through this mount);
 * -ENAMETOOLONG when the result does not fit.
 */
int ga_cgroup_dir(const struct ga_cgroup_mount *m, const char *cgpath,
		  char *buf, size_t size)
{
	const char *rel;
	int n;

	if (!cgpath_canonical(cgpath))
		return -EINVAL;
	rel = below_mount(m, cgpath);
	if (!rel)
		return -ENOENT;
	if (!strcmp(rel, "/"))
		rel = "";
	if (!strcmp(m->dir, "/") && *rel)
		n = snprintf(buf, size, "%s", rel);
	else
		n = snprintf(buf, size, "%s%s", m->dir, rel);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * ga_cgroup_within() - whether a cgroup is another or one of its descendants
 * @top: a cgroup path ("/a")
 * @path: another ("/a/b")
 *
 * Return: true when @path is @top or below it; every path is within "/".
 */
bool ga_cgroup_within(const char *top, const char *path)
{
	size_t n = strlen(top);

	if (n && top[n - 1] == '/')
		n--; /* "/" itself, or a stray trailing slash */
	return !strncmp(path, top, n) && (!path[n] || path[n] == '/');
}

static bool fd_is_cgroup2(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * The id of @name in @dirfd ("" for @dirfd itself): the kernfs id from
 * its file handle on cgroup2, else the inode number.
 */
static int id_at(int dirfd, const char *name, bool cgroup2, uint64_t *id)
{
	char buf[sizeof(struct file_handle) + sizeof(uint64_t)]
		__attribute__((aligned(8)));
	struct file_handle *fh = (struct file_handle *)buf;
	int flags = *name ? 0 : AT_EMPTY_PATH, mount_id;
	struct stat st;

	if (cgroup2) {
		fh->handle_bytes = sizeof(uint64_t);
		if (!name_to_handle_at(dirfd, name, fh, &mount_id, flags) &&
		    fh->handle_bytes == sizeof(uint64_t)) {
			memcpy(id, fh->f_handle, sizeof(*id));
			return 0;
		}
		if (errno != EOVERFLOW && errno != EOPNOTSUPP)
			return -errno;
	}
	if (fstatat(dirfd, name, &st, flags | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}

/**
 * ga_cgroup_id() - the id of the cgroup at a directory
 * @dir: the cgroup's directory
 * @id: its id (see cgroup.h: the kernfs id on cgroup2)
 *
 * Return: 0, -ENOTDIR, or -errno of opening @dir.
 */
int ga_cgroup_id(const char *dir, uint64_t *id)
{
	int fd, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = id_at(fd, "", fd_is_cgroup2(fd), id);
	close(fd);
	return err;
}

/**
 * ga_cgroup_id_at() - the id of a cgroup given by a directory and a name
 * @dirfd: a directory of the cgroup2 mount, open
 * @name: a cgroup's name in it, or "" for @dirfd's own cgroup
 * @id: its id
 *
 * Return: 0, -ENOTDIR, or -errno.
 */
int ga_cgroup_id_at(int dirfd, const char *name, uint64_t *id)
{
	return id_at(dirfd, name, fd_is_cgroup2(dirfd), id);
}

/**
 * ga_cgroup_id_of() - the id of a cgroup given by its path
 * @m: the cgroup v2 mount
 * @cgpath: the cgroup's path
 * @id: its id
 *
 * Return: 0 or -errno of ga_cgroup_dir() and ga_cgroup_id().
 */
int ga_cgroup_id_of(const struct ga_cgroup_mount *m, const char *cgpath,
		    uint64_t *id)
{
	char dir[GA_PATH_MAX];
	int err;

	err = ga_cgroup_dir(m, cgpath, dir, sizeof(dir));
	if (err)
		return err;
	return ga_cgroup_id(dir, id);
}

/**
 * ga_cgroup_resolver_init() - set up id -> path lookups on a mount
 * @r: the resolver
 * @m: the mount; must outlive @r
 * @max_dirs: directories one walk may visit, 0 for GA_CGROUP_WALK_DEF
 */
void ga_cgroup_resolver_init(struct ga_cgroup_resolver *r,
			     const struct ga_cgroup_mount *m,
			     unsigned int max_dirs)
{
	memset(r, 0, sizeof(*r));
	r->mount = m;
	r->max_dirs = max_dirs ? max_dirs : GA_CGROUP_WALK_DEF;
}

/**
 * ga_cgroup_resolver_done() - free what a resolver keeps
 * @r: the resolver; may be initialised again
 */
void ga_cgroup_resolver_done(struct ga_cgroup_resolver *r)
{
	unsigned int i;

	for (i = 0; i < GA_CGROUP_CACHE_SIZE; i++) {
		free(r->cache[i].path);
		r->cache[i].path = NULL;
	}
}

struct walk {
	const uint64_t *want;	/* sorted */
	unsigned int nr_want, nr_found;
	/* each one found, as found; NULL: stop at the first, in path */
	ga_cgroup_found_fn fn;
	void *arg;
	const struct ga_cgroup_mount *mount;
	bool cgroup2;
	unsigned int left; /* directories still allowed */
	uint64_t visited;
	char path[GA_PATH_MAX]; /* below the mount, "" for its root */
};

static int mount_path(const struct ga_cgroup_mount *m, const char *rel,
		      char *buf, size_t size);

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether @id is wanted; hands it to w->fn. Return: true when all found. */
static bool walk_met(struct walk *w, uint64_t id)
{
	char path[GA_PATH_MAX];

	if (!bsearch(&id, w->want, w->nr_want, sizeof(id), cmp_u64))
		return false;
	if (w->fn && !mount_path(w->mount, w->path, path, sizeof(path)))
		w->fn(id, path, w->arg);
	return ++w->nr_found == w->nr_want || !w->fn;
}

/* Look for w->want below @fd (consumed); -ENOENT if not all there. */
static int walk_dir(struct walk *w, int fd, size_t len, unsigned int depth)
{
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOENT; /* removed or unreadable: not here */
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		uint64_t id;
		int sub;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!w->left) {
			err = -E2BIG;
			break;
		}
		w->left--;
		w->visited++;
		if (id_at(dirfd(d), de->d_name, w->cgroup2, &id))
			continue; /* gone since readdir, or no dir */
		if (len + 1 + n >= sizeof(w->path))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, n + 1);
		if (walk_met(w, id)) {
			err = 0;
			break;
		}
		if (depth + 1 >= GA_CGROUP_DEPTH_MAX)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		err = walk_dir(w, sub, len + 1 + n, depth + 1);
		if (err != -ENOENT)
			break;
		w->path[len] = '\0';
	}
	if (err == -ENOENT)
		w->path[len] = '\0';
	closedir(d);
	return err;
}

/* The cgroup path of @rel, a path below the mount ("" for its root). */
static int mount_path(const struct ga_cgroup_mount *m, const char *rel,
		      char *buf, size_t size)
{
	bool whole = !strcmp(m->hroot, "/");
	int n;

	if (!*rel)
		n = snprintf(buf, size, "%s", m->hroot);
	else
		n = snprintf(buf, size, "%s%s", whole ? "" : m->hroot, rel);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Walk the mount for the @n ids of @want (sorted); each found goes to @fn,
 * or with no @fn the walk stops at the first, its path in @path.
 */
static int walk_mount(struct ga_cgroup_resolver *r, const uint64_t *want,
		      unsigned int n, ga_cgroup_found_fn fn, void *arg,
		      char *path, size_t size)
{
	struct walk *w;
	uint64_t root_id;
	int fd, err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->want = want;
	w->nr_want = n;
	w->fn = fn;
	w->arg = arg;
	w->mount = r->mount;
	w->left = r->max_dirs;
	fd = open(r->mount->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out_free;
	}
	w->cgroup2 = fd_is_cgroup2(fd);
	err = id_at(fd, "", w->cgroup2, &root_id);
	if (!err && walk_met(w, root_id)) {
		close(fd);
	} else if (!err) {
		err = walk_dir(w, fd, 0, 0);
	} else {
		close(fd);
	}
	r->walks++;
	r->dirs_walked += w->visited;
	if (!err && !fn)
		err = mount_path(r->mount, w->path, path, size);
out_free:
	free(w);
	return err;
}

static void cache_put(struct ga_cgroup_resolver *r, uint64_t id,
		      const char *path)
{
	unsigned int i, victim = 0;
	char *copy = strdup(path);

	if (!copy)
		return; /* a cache, not a promise */
	for (i = 0; i < GA_CGROUP_CACHE_SIZE; i++) {
		if (!r->cache[i].path) {
			victim = i;
			break;
		}
		if (r->cache[i].used < r->cache[victim].used)
			victim = i;
	}
	free(r->cache[victim].path);
	r->cache[victim].id = id;
	r->cache[victim].path = copy;
	r->cache[victim].used = ++r->tick;
}

/**
 * ga_cgroup_path_of_id() - the path of the cgroup with an id
 * @r: the resolver
 * @id: the cgroup id
 * @path: its path (as in /proc/PID/cgroup)
 * @size: the size of @path
 *
 * A cached answer is used when the directory at its path still has @id;
 * otherwise the mount is walked, depth first, up to r->max_dirs
 * directories and GA_CGROUP_DEPTH_MAX levels.
 *
 * Return: 0; -ENOENT when no cgroup has @id; -E2BIG when the walk gave up
 * before it saw every directory; -ENAMETOOLONG; -errno of opening the
 * mount.
 */
int ga_cgroup_path_of_id(struct ga_cgroup_resolver *r, uint64_t id, char *path,
			 size_t size)
{
	char found[GA_PATH_MAX];
	unsigned int i;
	uint64_t now;
	int err;

	for (i = 0; i < GA_CGROUP_CACHE_SIZE; i++) {
		if (!r->cache[i].path || r->cache[i].id != id)
			continue;
		if (ga_cgroup_id_of(r->mount, r->cache[i].path, &now) ||
		    now != id) {
			free(r->cache[i].path);
			r->cache[i].path = NULL;
			break;
		}
		if (strlen(r->cache[i].path) >= size)
			return -ENAMETOOLONG;
		strcpy(path, r->cache[i].path);
		r->cache[i].used = ++r->tick;
		r->hits++;
		return 0;
	}
	err = walk_mount(r, &id, 1, NULL, NULL, found, sizeof(found));
	if (err)
		return err;
	cache_put(r, id, found);
	if (strlen(found) >= size)
		return -ENAMETOOLONG;
	strcpy(path, found);
	return 0;
}

/**
 * ga_cgroup_paths_of_ids() - the paths of many cgroups, in one walk
 * @r: the resolver
 * @ids: the cgroup ids; sorted in place
 * @n: how many
 * @fn: given each id found and its path (as in /proc/PID/cgroup)
 * @arg: passed to @fn
 *
 * For a sampler that meets many new cgroups at once (containers started
 * together): one walk of the mount instead of one each.
 *
 * Return: 0 when all were found; -ENOENT when some were not (those found
 * were given to @fn); -E2BIG when the walk gave up; -errno.
 */
int ga_cgroup_paths_of_ids(struct ga_cgroup_resolver *r, uint64_t *ids,
			   unsigned int n, ga_cgroup_found_fn fn, void *arg)
{
	if (!n)
		return 0;
	qsort(ids, n, sizeof(*ids), cmp_u64);
	return walk_mount(r, ids, n, fn, arg, NULL, 0);
}

/**
 * ga_cgroup_label_name_valid() - whether a name is a greenai label's
 * @name: "user.greenai." and 1 to 64 of [a-z0-9_-]
 *
 * Return: true if it is.
 */
bool ga_cgroup_label_name_valid(const char *name)
{
	size_t n = strlen(GA_LABEL_PREFIX), i;

	if (strncmp(name, GA_LABEL_PREFIX, n))
		return false;
	for (i = n; name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return i > n && i - n <= 64;
}

/**
 * ga_cgroup_label_value_valid() - whether a string may be a label's value
 * @value: 1 to GA_LABEL_MAX bytes, no control character
 *
 * Return: true if it may. Bytes above 0x7f (UTF-8) are allowed.
 */
bool ga_cgroup_label_value_valid(const char *value)
{
	size_t i;

	for (i = 0; value[i]; i++) {
		unsigned char c = value[i];

		if (c < 0x20 || c == 0x7f || i >= GA_LABEL_MAX)
			return false;
	}
	return i > 0;
}

/**
 * ga_cgroup_label_get() - a label of one cgroup, not inherited
 * @dir: the cgroup's directory
 * @name: the label, e.g. GA_LABEL_MODEL
 * @buf: its value, NUL-terminated
 * @size: the size of @buf
 *
 * Return: 0; -ENODATA when the cgroup has no such label; -EINVAL when
 * @name is not a label's or the stored value is not a valid one;
 * -ERANGE when it does not fit @buf; -EOPNOTSUPP when the file system
 * has no user extended attributes; other -errno of getxattr().
 */
int ga_cgroup_label_get(const char *dir, const char *name, char *buf,
			size_t size)
{
	char val[GA_LABEL_MAX + 2];
	ssize_t n;

	if (!ga_cgroup_label_name_valid(name))
		return -EINVAL;
	n = getxattr(dir, name, val, sizeof(val) - 1);
	if (n < 0)
		return errno == ERANGE ? -EINVAL : -errno;
	val[n] = '\0';
	if ((size_t)n != strlen(val) || !ga_cgroup_label_value_valid(val))
		return -EINVAL;
	if ((size_t)n >= size)
		return -ERANGE;
	memcpy(buf, val, n + 1);
	return 0;
}

/**
 * ga_cgroup_label_find() - a cgroup's label, its own or inherited
 * @m: the cgroup v2 mount
 * @cgpath: the cgroup's path
 * @name: the label, e.g. GA_LABEL_MODEL
 * @buf: its value
 * @size: the size of @buf
 * @from: the path of the cgroup that has it (may be NULL)
 * @from_size: the size of @from
 *
 * Looks at @cgpath, then at each ancestor up to the mount's root.
 *
 * Return: 0; -ENODATA when none of them has it; -ENOENT when the cgroup
 * does not exist (any more) or is not visible through @m; the other
 * errors of ga_cgroup_label_get() and ga_cgroup_dir().
 */
int ga_cgroup_label_find(const struct ga_cgroup_mount *m, const char *cgpath,
			 const char *name, char *buf, size_t size, char *from,
			 size_t from_size)
{
	char cur[GA_PATH_MAX], dir[GA_PATH_MAX], *slash;
	int err;

	if (strlen(cgpath) >= sizeof(cur))
		return -ENAMETOOLONG;
	strcpy(cur, cgpath);
	for (;;) {
		err = ga_cgroup_dir(m, cur, dir, sizeof(dir));
		if (err == -ENOENT && strcmp(cur, cgpath))
			return -ENODATA; /* above the mount's root */
		if (err)
			return err;
		err = ga_cgroup_label_get(dir, name, buf, size);
		if (err != -ENODATA)
			break;
		if (!strcmp(cur, "/"))
			return -ENODATA;
		slash = strrchr(cur, '/');
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (err)
		return err;
	if (from) {
		if (strlen(cur) >= from_size)
			return -ENAMETOOLONG;
		strcpy(from, cur);
	}
	return 0;
}

/**
 * ga_cgroup_label_set() - label a cgroup
 * @dir: the cgroup's directory
 * @name: the label, e.g. GA_LABEL_MODEL
 * @value: its value (see ga_cgroup_label_value_valid())
 *
 * Return: 0; -EINVAL for a bad name or value (nothing is written);
 * -EOPNOTSUPP without user xattrs; -EPERM, -EACCES; other -errno.
 */
int ga_cgroup_label_set(const char *dir, const char *name, const char *value)
{
	if (!ga_cgroup_label_name_valid(name) ||
	    !ga_cgroup_label_value_valid(value))
		return -EINVAL;
	if (setxattr(dir, name, value, strlen(value), 0))
		return -errno;
	return 0;
}

/**
 * ga_cgroup_label_remove() - take a label off a cgroup
 * @dir: the cgroup's directory
 * @name: the label
 *
 * Return: 0; -ENODATA when it had none; -EINVAL for a bad name; -errno.
 */
int ga_cgroup_label_remove(const char *dir, const char *name)
{
	if (!ga_cgroup_label_name_valid(name))
		return -EINVAL;
	if (removexattr(dir, name))
		return -errno;
	return 0;
}
