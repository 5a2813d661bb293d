// SPDX-License-Identifier: GPL-2.0
/*
 * Process identity (identity.h): /proc/PID/{stat,comm,exe,cmdline,
 * cgroup,maps} under a root, the container and labels of its cgroup, and
 * a bounded cache keyed by (pid, start time).
 *
 * Rules: a process may exit at any point while it is read, and its pid
 * be taken by another: stat is read first and again last, and a process
 * whose stat or comm is gone, or whose start time changed, is -ESRCH,
 * whatever was read in between. Other files failing on their own leave
 * their field empty and set a flag (permission, kernel thread, zombie).
 * /proc/PID/stat is parsed from the last ')' on: comm may hold spaces,
 * parentheses and anything else but NUL. Command lines are bounded and
 * escaped (\ooo for bytes outside printable ASCII and for '\'), so that
 * what a process puts in its argv never reaches a terminal raw.
 *
 * The cache holds at most conf->capacity processes, least recently used
 * first out (uthash, re-added on each use). It does no locking: one
 * cache per thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>

#include <greenai/files.h>
#include <greenai/identity.h>

#include "ident/identity_cache.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define STAT_MAX 2048 /* a stat line, comm included */
#define IDENTITY_CACHE_DEF 4096

struct identity_entry {
	int pid;
	char stat_comm[GA_COMM_MAX];	/* /proc/PID/stat's, when read */
	struct ga_identity id;
	UT_hash_handle hh;
};

struct ga_identity_cache {
	char root[GA_PATH_MAX];
	struct ga_cgroup_mount mount;
	bool has_mount;
	unsigned int capacity;
	struct identity_entry *table; /* least recently used first */
	struct ga_identity_cache_stats stats;
};

/* Shared objects that show a framework: a prefix of their file name. */
static const struct {
	const char *prefix;
	uint32_t bit;
} framework_libs[] = {
	{ "libtorch", GA_FW_PYTORCH }, /* libtorch.so, _cpu, _cuda, ... */
	{ "libc10", GA_FW_PYTORCH }, /* libc10.so, libc10_cuda.so */
	{ "libtensorflow", GA_FW_TENSORFLOW }, /* _framework, _cc, C API */
	{ "_pywrap_tensorflow_internal", GA_FW_TENSORFLOW },
	{ "xla_extension", GA_FW_JAX }, /* jaxlib up to 0.4 */
	{ "libjax_common", GA_FW_JAX },
	{ "libonnxruntime", GA_FW_ONNXRUNTIME },
	{ "onnxruntime_pybind11_state", GA_FW_ONNXRUNTIME },
	{ "libcudart", GA_FW_CUDA },
	{ "libcublas", GA_FW_CUDA }, /* and libcublasLt */
	{ "libcudnn", GA_FW_CUDA },
};

/* Directories whose shared objects show a framework. */
static const struct {
	const char *dir;
	uint32_t bit;
} framework_dirs[] = {
	{ "/jaxlib/", GA_FW_JAX }, /* _jax.so and friends, 0.5 on */
	{ "/jax_plugins/", GA_FW_JAX },
};

static const char *const framework_names[GA_FW_NR] = {
	"pytorch", "tensorflow", "jax", "onnxruntime", "cuda",
};

static int proc_path(char *buf, size_t size, const char *root, int pid,
		     const char *file)
{
	return ga_path(buf, size, root, "proc/%d/%s", pid, file);
}

/* ENOENT and ESRCH from a /proc/PID file: the process is gone. */
static int gone(int err)
{
	return err == -ENOENT || err == -ESRCH ? -ESRCH : err;
}

/* A decimal field of stat, [s, e), into @val. */
static int stat_field(const char *s, const char *e, uint64_t *val)
{
	char num[24];

	if (e - s <= 0 || (size_t)(e - s) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, e - s);
	num[e - s] = '\0';
	if (num[0] == '-') { /* e.g. tty_nr: not one this code keeps */
		*val = 0;
		return 0;
	}
	return ga_parse_u64(num, val);
}

/**
 * ga_proc_stat_parse() - the fields of a /proc/PID/stat line used here
 * @buf: the line, NUL-terminated
 * @st: the fields
 *
 * "PID (COMM) STATE PPID ... FLAGS ... STARTTIME ...": COMM is what lies
 * between the first '(' and the last ')', whatever it contains; the
 * fields after it are counted from the last ')'.
 *
 * Return: 0, or -EINVAL when the line is not a stat line.
 */
int ga_proc_stat_parse(const char *buf, struct ga_proc_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	const char *s, *e;
	struct ga_proc_stat r;
	uint64_t v;
	size_t n;
	int field;

	if (!open || !close || close < open || open == buf || open[-1] != ' ' ||
	    close[1] != ' ')
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (stat_field(buf, open - 1, &v) || v == 0 || v > INT32_MAX)
		return -EINVAL;
	r.pid = (int)v;
	n = close - open - 1;
	if (n >= sizeof(r.comm))
		n = sizeof(r.comm) - 1;
	memcpy(r.comm, open + 1, n);
	r.comm[n] = '\0';

	/* field 3 starts two bytes after the last ')' */
	for (s = close + 2, field = 3; field <= 22; field++) {
		e = strchrnul(s, ' ');
		if (e == s)
			return -EINVAL;
		if (field == 3) {
			if (e - s != 1)
				return -EINVAL;
			r.state = *s;
		} else if (field == 4 || field == 9 || field == 22) {
			if (stat_field(s, e, &v))
				return -EINVAL;
			if (field == 4)
				r.ppid = v > INT32_MAX ? 0 : (int)v;
			else if (field == 9)
				r.flags = (unsigned int)v;
			else
				r.start_time = v;
		}
		if (!*e && field < 22)
			return -EINVAL;
		s = e + 1;
	}
	*st = r;
	return 0;
}

/**
 * ga_proc_stat_read() - read and parse /proc/PID/stat
 * @root: "/" or a fixture tree
 * @pid: the process
 * @st: its fields
 *
 * Return: 0; -ESRCH when the process does not exist; -EINVAL for a line
 * that does not parse or is of another pid; other -errno.
 */
int ga_proc_stat_read(const char *root, int pid, struct ga_proc_stat *st)
{
	char path[GA_PATH_MAX], buf[STAT_MAX];
	struct ga_proc_stat r;
	int err;

	if (pid <= 0)
		return -EINVAL;
	err = proc_path(path, sizeof(path), root, pid, "stat");
	if (err)
		return err;
	err = ga_read_str(path, buf, sizeof(buf));
	if (err)
		return gone(err);
	err = ga_proc_stat_parse(buf, &r);
	if (err)
		return err;
	if (r.pid != pid)
		return -EINVAL;
	*st = r;
	return 0;
}

/* Id @nth (0: real, 3: file system) of @key ("\nUid:") in @buf. */
static int status_id(const char *buf, const char *key, unsigned int nth,
		     unsigned long *v)
{
	const char *p = strstr(buf, key);
	unsigned long id[4];

	if (!p || nth > 3 ||
	    sscanf(p + strlen(key), "%lu %lu %lu %lu", &id[0], &id[1], &id[2],
		   &id[3]) != 4)
		return -EINVAL;
	*v = id[nth];
	return 0;
}

/* /proc/PID/status, allocated; -ESRCH when the process has gone. */
static int read_status(const char *root, int pid, char **buf)
{
	char path[GA_PATH_MAX];
	size_t len;
	int err;

	if (pid <= 0)
		return -EINVAL;
	err = proc_path(path, sizeof(path), root, pid, "status");
	err = err ?: ga_read_file(path, 1 << 16, buf, &len);
	return gone(err);
}

/**
 * ga_proc_owner() - the uid and gid a process opens files with
 * @root: "/" or a fixture tree
 * @pid: the process
 * @uid: its file system uid (the last of "Uid:" in /proc/PID/status)
 * @gid: its file system gid (the last of "Gid:")
 *
 * The ids that decide whether it may write a file made for it: its
 * effective ones but after setfsuid(). Read from its status, by name,
 * not from the owner of a /proc/PID file (root's when the process is not
 * dumpable, for all but the directory).
 *
 * Return: 0; -ESRCH when the process does not exist; -EINVAL when the
 * status has no such lines; other -errno.
 */
int ga_proc_owner(const char *root, int pid, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	char *buf;
	int err;

	err = read_status(root, pid, &buf);
	if (err)
		return err;
	err = status_id(buf, "\nUid:", 3, &u);
	err = err ?: status_id(buf, "\nGid:", 3, &g);
	free(buf);
	if (err)
		return err;
	*uid = u;
	*gid = g;
	return 0;
}

/**
 * ga_proc_uid() - the real uid of a process
 * @root: "/" or a fixture tree
 * @pid: the process
 * @uid: its real uid (the first of "Uid:" in /proc/PID/status)
 *
 * Whose process it is, as the agent's rules count it (docs/agent.md).
 *
 * Return: 0; -ESRCH when the process does not exist; -EINVAL when the
 * status has no such line; other -errno.
 */
int ga_proc_uid(const char *root, int pid, uid_t *uid)
{
	unsigned long u;
	char *buf;
	int err;

	err = read_status(root, pid, &buf);
	if (err)
		return err;
	err = status_id(buf, "\nUid:", 0, &u);
	free(buf);
	if (!err)
		*uid = u;
	return err;
}

/**
 * ga_framework_of_path() - the frameworks a mapped file's path shows
 * @path: a path from /proc/PID/maps
 *
 * Return: the GA_FW_* bits, 0 for none.
 */
uint32_t ga_framework_of_path(const char *path)
{
	const char *base = strrchr(path, '/');
	uint32_t bits = 0;
	size_t i;

	if (!base || !strstr(base, ".so"))
		return 0;
	base++;
	for (i = 0; i < sizeof(framework_libs) / sizeof(framework_libs[0]); i++)
		if (!strncmp(base, framework_libs[i].prefix,
			     strlen(framework_libs[i].prefix)))
			bits |= framework_libs[i].bit;
	for (i = 0; i < sizeof(framework_dirs) / sizeof(framework_dirs[0]); i++)
		if (strstr(path, framework_dirs[i].dir))
			bits |= framework_dirs[i].bit;
	/* the driver: libcuda.so, libcuda.so.1, libcuda.so.535.104.05 */
	if (!strncmp(base, "libcuda.so", 10) &&
	    (base[10] == '\0' || base[10] == '.' || base[10] == ' '))
		bits |= GA_FW_CUDA;
	return bits;
}

/**
 * ga_framework_name() - the name of one framework bit
 * @bit: one GA_FW_* value
 *
 * Return: "pytorch", "tensorflow", "jax", "onnxruntime", "cuda", or "?".
 */
const char *ga_framework_name(uint32_t bit)
{
	unsigned int i;

	for (i = 0; i < GA_FW_NR; i++)
		if (bit == 1u << i)
			return framework_names[i];
	return "?";
}

/**
 * ga_frameworks_str() - a framework mask as a comma-separated list
 * @mask: GA_FW_* bits
 * @buf: e.g. "pytorch,cuda"; "" for 0
 * @size: its size
 *
 * Return: 0, or -ERANGE when the list does not fit (@buf then holds "").
 */
int ga_frameworks_str(uint32_t mask, char *buf, size_t size)
{
	size_t off = 0;
	unsigned int i;

	if (!size)
		return -ERANGE;
	buf[0] = '\0';
	for (i = 0; i < GA_FW_NR; i++) {
		int n;

		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? "," : "",
			     framework_names[i]);
		if (n < 0 || (size_t)n >= size - off) {
			buf[0] = '\0';
			return -ERANGE;
		}
		off += n;
	}
	return 0;
}

/* The path of a maps line: what follows the five fields, or NULL. */
static const char *maps_path(const char *line)
{
	const char *s = line;
	int field;

	for (field = 0; field < 5; field++) {
		s = strchr(s, ' ');
		if (!s)
			return NULL;
		while (*s == ' ')
			s++;
	}
	return *s == '/' ? s : NULL;
}

/**
 * ga_proc_frameworks() - the ML frameworks a process has loaded
 * @root: "/" or a fixture tree
 * @pid: the process
 * @mask: the GA_FW_* bits of the shared objects it maps
 *
 * Reads all of /proc/PID/maps (stopping early once every framework is
 * seen): the expensive part of a process's identity.
 *
 * Return: 0; -ESRCH when the process is gone; -EACCES (or -EPERM) when
 * its maps may not be read; other -errno.
 */
int ga_proc_frameworks(const char *root, int pid, uint32_t *mask)
{
	char path[GA_PATH_MAX], *line = NULL, *prev = NULL;
	uint32_t bits = 0;
	size_t cap = 0;
	ssize_t n;
	int err;
	FILE *f;

	err = proc_path(path, sizeof(path), root, pid, "maps");
	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return gone(-errno);
	errno = 0;
	while (bits != GA_FW_ALL && (n = getline(&line, &cap, f)) > 0) {
		const char *p;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		p = maps_path(line);
		if (!p || (prev && !strcmp(p, prev)))
			continue; /* a library maps several ranges */
		bits |= ga_framework_of_path(p);
		free(prev);
		prev = strdup(p);
	}
	if (ferror(f))
		err = gone(errno ? -errno : -EIO);
	free(prev);
	free(line);
	fclose(f);
	if (!err)
		*mask = bits;
	return err;
}

/**
 * ga_escape() - a byte string made printable, bounded
 * @dst: the result, always NUL-terminated
 * @size: its size (at least 1)
 * @src: the bytes
 * @len: how many
 *
 * Printable ASCII but '\' is kept; every other byte becomes \ooo. An
 * escape is never cut in half.
 *
 * Return: true when @dst could not hold it all.
 */
bool ga_escape(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, o = 0;

	if (!size)
		return len > 0;
	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= size)
				break;
			dst[o++] = c;
			continue;
		}
		if (o + 4 >= size)
			break;
		dst[o++] = '\\';
		dst[o++] = '0' + (c >> 6);
		dst[o++] = '0' + ((c >> 3) & 7);
		dst[o++] = '0' + (c & 7);
	}
	dst[o] = '\0';
	return i < len;
}

/* Read at most @size bytes of a file; *cut when there was more. */
static int read_bounded(const char *path, char *buf, size_t size, size_t *len,
			bool *cut)
{
	size_t got = 0;
	char extra;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	*cut = false;
	if (!err && got == size) {
		do {
			n = read(fd, &extra, 1);
		} while (n < 0 && errno == EINTR);
		*cut = n > 0;
	}
	close(fd);
	*len = got;
	return err;
}

static int read_cmdline(const char *root, struct ga_identity *id)
{
	char path[GA_PATH_MAX], raw[GA_CMDLINE_MAX], out[GA_CMDLINE_MAX];
	size_t len = 0, i;
	bool cut = false;
	int err;

	err = proc_path(path, sizeof(path), root, id->pid, "cmdline");
	if (err)
		return err;
	if (read_bounded(path, raw, sizeof(raw), &len, &cut))
		return 0; /* gone (checked later) or unreadable: empty */
	while (len && raw[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		if (raw[i] == '\0')
			raw[i] = ' ';
	if (ga_escape(out, sizeof(out), raw, len) || cut)
		id->flags |= GA_ID_CMDLINE_CUT;
	id->cmdline = strdup(out);
	return id->cmdline ? 0 : -ENOMEM;
}

static int read_exe(const char *root, struct ga_identity *id)
{
	static const char deleted[] = " (deleted)";
	char path[GA_PATH_MAX], target[GA_PATH_MAX];
	size_t dl = sizeof(deleted) - 1;
	ssize_t n;
	int err;

	err = proc_path(path, sizeof(path), root, id->pid, "exe");
	if (err)
		return err;
	n = readlink(path, target, sizeof(target));
	if (n < 0) {
		if (errno == EACCES || errno == EPERM)
			id->flags |= GA_ID_EXE_DENIED;
		else
			id->flags |= GA_ID_EXE_NONE;
		n = 0;
	} else if ((size_t)n == sizeof(target)) {
		n = 0; /* cut: better none than a wrong one */
		id->flags |= GA_ID_EXE_NONE;
	}
	target[n] = '\0';
	if ((size_t)n > dl && !strcmp(target + n - dl, deleted)) {
		target[n - dl] = '\0';
		id->flags |= GA_ID_EXE_DELETED;
	}
	id->exe = strdup(target);
	return id->exe ? 0 : -ENOMEM;
}

static void read_label(const struct ga_cgroup_mount *m, struct ga_identity *id,
		       const char *name, char *buf, size_t size)
{
	int err = ga_cgroup_label_find(m, id->cgroup, name, buf, size, NULL, 0);

	if (err && err != -ENODATA && err != -ENOENT)
		id->flags |= GA_ID_LABELS_DENIED;
	if (err)
		buf[0] = '\0';
}

static int read_cgroup(const char *root, const struct ga_cgroup_mount *m,
		       struct ga_identity *id)
{
	char path[GA_PATH_MAX];
	int err;

	err = ga_cgroup_of_pid(root, id->pid, path, sizeof(path),
			       &id->cgroup_hier);
	if (err) {
		id->flags |= GA_ID_CGROUP_NONE;
		path[0] = '\0';
	}
	id->cgroup = strdup(path);
	if (!id->cgroup)
		return -ENOMEM;
	if (err)
		return 0;
	ga_container_parse(id->cgroup, &id->container);
	if (!m || id->cgroup_hier != GA_CGROUP_V2)
		return 0; /* a v1 path is not a v2 cgroup's */
	if (ga_cgroup_id_of(m, id->cgroup, &id->cgroup_id)) {
		id->flags |= GA_ID_CGROUP_NONE;
		id->cgroup_id = 0;
		return 0;
	}
	read_label(m, id, GA_LABEL_MODEL, id->model, sizeof(id->model));
	read_label(m, id, GA_LABEL_RUN, id->run, sizeof(id->run));
	read_label(m, id, GA_LABEL_ACCURACY, id->accuracy,
		   sizeof(id->accuracy));
	return 0;
}

static void read_maps(const char *root, struct ga_identity *id)
{
	uint32_t mask = 0;
	int err;

	id->flags &= ~(GA_ID_MAPS_SCANNED | GA_ID_MAPS_DENIED);
	id->frameworks = 0;
	if (id->flags & GA_ID_KTHREAD) {
		id->flags |= GA_ID_MAPS_SCANNED; /* no user memory */
		return;
	}
	err = ga_proc_frameworks(root, id->pid, &mask);
	if (err == -EACCES || err == -EPERM)
		id->flags |= GA_ID_MAPS_DENIED;
	if (err)
		return;
	id->frameworks = mask;
	id->flags |= GA_ID_MAPS_SCANNED;
}

static int read_comm(const char *root, struct ga_identity *id,
		     const struct ga_proc_stat *st)
{
	char path[GA_PATH_MAX];
	int err;

	err = proc_path(path, sizeof(path), root, id->pid, "comm");
	if (err)
		return err;
	err = ga_read_str(path, id->comm, sizeof(id->comm));
	if (err == -ENOENT || err == -ESRCH)
		return -ESRCH;
	if (err) /* unreadable here, but stat had it */
		strcpy(id->comm, st->comm);
	return 0;
}

/* Empty strings for what was not read, so that readers need no checks. */
static int fill_empty(struct ga_identity *id)
{
	if (!id->exe)
		id->exe = strdup("");
	if (!id->cmdline)
		id->cmdline = strdup("");
	if (!id->cgroup)
		id->cgroup = strdup("");
	return id->exe && id->cmdline && id->cgroup ? 0 : -ENOMEM;
}

/**
 * ga_identity_read() - read a process's identity
 * @root: "/" or a fixture tree
 * @m: the cgroup v2 mount, for cgroup ids and labels (NULL: none)
 * @pid: the process
 * @what: GA_ID_READ_* besides stat and comm
 * @id: the identity; free it with ga_identity_done()
 *
 * Return: 0; -ESRCH when the process is gone or its pid was reused while
 * it was read (@id is then empty); -ENOMEM; -EINVAL for a malformed stat.
 */
int ga_identity_read(const char *root, const struct ga_cgroup_mount *m, int pid,
		     unsigned int what, struct ga_identity *id)
{
	struct ga_proc_stat st, again;
	int err;

	memset(id, 0, sizeof(*id));
	err = ga_proc_stat_read(root, pid, &st);
	if (err)
		return err;
	id->pid = pid;
	id->ppid = st.ppid;
	id->state = st.state;
	id->start_time = st.start_time;
	if (st.flags & PF_KTHREAD)
		id->flags |= GA_ID_KTHREAD;
	if (st.state == 'Z' || st.state == 'X')
		id->flags |= GA_ID_ZOMBIE;

	err = read_comm(root, id, &st);
	if (!err && (what & GA_ID_READ_EXE))
		err = read_exe(root, id);
	if (!err && (what & GA_ID_READ_CMDLINE))
		err = read_cmdline(root, id);
	if (!err && (what & GA_ID_READ_CGROUP))
		err = read_cgroup(root, m, id);
	if (!err && (what & GA_ID_READ_MAPS))
		read_maps(root, id);
	if (!err)
		err = fill_empty(id);
	/* still there, and still the same process? */
	if (!err && (ga_proc_stat_read(root, pid, &again) ||
		     again.start_time != st.start_time))
		err = -ESRCH;
	if (err) {
		ga_identity_done(id);
		memset(id, 0, sizeof(*id));
		return err;
	}
	return 0;
}

/**
 * ga_identity_done() - free what an identity holds
 * @id: the identity (read or zeroed)
 */
void ga_identity_done(struct ga_identity *id)
{
	free(id->exe);
	free(id->cmdline);
	free(id->cgroup);
	id->exe = id->cmdline = id->cgroup = NULL;
}

/**
 * ga_identity_cache_new() - a cache of process identities
 * @out: the cache
 * @conf: root, capacity, cgroup mount (see identity.h); may be NULL
 *
 * When no mount is given, the cgroup v2 mount is looked for under the
 * root; without one, identities have no cgroup id and no labels.
 *
 * Return: 0, -ENOMEM or -ENAMETOOLONG.
 */
int ga_identity_cache_new(struct ga_identity_cache **out,
			  const struct ga_identity_conf *conf)
{
	const char *root = conf && conf->root ? conf->root : "/";
	struct ga_identity_cache *c;

	if (strlen(root) >= sizeof(c->root))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	strcpy(c->root, root);
	c->capacity = conf && conf->capacity ? conf->capacity :
					       IDENTITY_CACHE_DEF;
	if (conf && conf->mount) {
		c->mount = *conf->mount;
		c->has_mount = true;
	} else {
		c->has_mount = !ga_cgroup_find_mount(root, &c->mount);
	}
	*out = c;
	return 0;
}

static void entry_free(struct ga_identity_cache *c, struct identity_entry *e)
{
	HASH_DEL(c->table, e);
	ga_identity_done(&e->id);
	free(e);
}

/**
 * ga_identity_cache_free() - free a cache and every identity in it
 * @c: the cache (NULL is fine)
 */
void ga_identity_cache_free(struct ga_identity_cache *c)
{
	struct identity_entry *e, *tmp;

	if (!c)
		return;
	HASH_ITER(hh, c->table, e, tmp)
	entry_free(c, e);
	free(c);
}

/* Reread an entry's identity in place; its maps only when asked. */
static int refresh(struct ga_identity_cache *c, struct identity_entry *e,
		   unsigned int flags)
{
	const struct ga_cgroup_mount *m = c->has_mount ? &c->mount : NULL;
	unsigned int what = GA_ID_READ_EXE | GA_ID_READ_CMDLINE |
			    GA_ID_READ_CGROUP;
	struct ga_identity fresh;
	const uint32_t keep = GA_ID_MAPS_SCANNED | GA_ID_MAPS_DENIED;
	int err;

	if (flags & GA_ID_GET_RESCAN_MAPS)
		what |= GA_ID_READ_MAPS;
	err = ga_identity_read(c->root, m, e->pid, what, &fresh);
	if (err)
		return err;
	if (fresh.start_time != e->id.start_time) {
		ga_identity_done(&fresh);
		return -ESRCH;
	}
	if (what & GA_ID_READ_MAPS) {
		c->stats.maps_scans++;
	} else {
		fresh.frameworks = e->id.frameworks;
		fresh.flags |= e->id.flags & keep;
	}
	ga_identity_done(&e->id);
	e->id = fresh;
	return 0;
}

static int add_entry(struct ga_identity_cache *c, int pid,
		     struct identity_entry **out)
{
	const struct ga_cgroup_mount *m = c->has_mount ? &c->mount : NULL;
	struct identity_entry *e;
	int err;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	err = ga_identity_read(c->root, m, pid, GA_ID_READ_ALL, &e->id);
	if (err) {
		free(e);
		return err;
	}
	c->stats.maps_scans++;
	while (HASH_COUNT(c->table) >= c->capacity) {
		entry_free(c, c->table); /* the least recently used */
		c->stats.evictions++;
	}
	e->pid = pid;
	HASH_ADD_INT(c->table, pid, e);
	*out = e;
	return 0;
}

/**
 * ga_identity_cache_get() - a process's identity, from the cache or /proc
 * @c: the cache
 * @pid: the process
 * @flags: 0, GA_ID_GET_REFRESH, GA_ID_GET_RESCAN_MAPS
 * @out: the identity; valid until the next call on @c
 *
 * Reads /proc/PID/stat (to tell a reused pid), and the rest only for a
 * process not seen before, a new process under a known pid, or when
 * @flags ask for it.
 *
 * Return: 0; -ESRCH when the process is gone (its entry is dropped);
 * -ENOMEM; -EINVAL for pid <= 0.
 */
int ga_identity_cache_get(struct ga_identity_cache *c, int pid,
			  unsigned int flags, const struct ga_identity **out)
{
	struct identity_entry *e;
	struct ga_proc_stat st;
	int err;

	if (pid <= 0)
		return -EINVAL;
	HASH_FIND_INT(c->table, &pid, e);
	err = ga_proc_stat_read(c->root, pid, &st);
	if (err) {
		if (e)
			entry_free(c, e);
		return err == -EINVAL ? -ESRCH : err;
	}
	if (e && e->id.start_time != st.start_time) {
		c->stats.reused++;
		entry_free(c, e);
		e = NULL;
	}
	if (!e) {
		c->stats.misses++;
		err = add_entry(c, pid, &e);
		if (err)
			return err;
		memcpy(e->stat_comm, st.comm, sizeof(e->stat_comm));
		*out = &e->id;
		return 0;
	}
	if (strcmp(e->stat_comm, st.comm)) {
		/* a new name: an exec, most likely; read it all again */
		c->stats.renamed++;
		flags |= GA_ID_GET_REFRESH | GA_ID_GET_RESCAN_MAPS;
		memcpy(e->stat_comm, st.comm, sizeof(e->stat_comm));
	}
	if (flags & (GA_ID_GET_REFRESH | GA_ID_GET_RESCAN_MAPS)) {
		err = refresh(c, e, flags);
		if (err) {
			entry_free(c, e);
			return err;
		}
	} else {
		c->stats.hits++;
	}
	/* most recently used last */
	HASH_DEL(c->table, e);
	HASH_ADD_INT(c->table, pid, e);
	*out = &e->id;
	return 0;
}

/**
 * ga_identity_cache_forget() - drop a process from the cache
 * @c: the cache
 * @pid: the process (exited, or exec'd: read afresh next time)
 */
void ga_identity_cache_forget(struct ga_identity_cache *c, int pid)
{
	struct identity_entry *e;

	HASH_FIND_INT(c->table, &pid, e);
	if (e)
		entry_free(c, e);
}

/**
 * ga_identity_cache_stats() - what the cache has done
 * @c: the cache
 * @st: its counters and size
 */
void ga_identity_cache_stats(const struct ga_identity_cache *c,
			     struct ga_identity_cache_stats *st)
{
	*st = c->stats;
	st->entries = HASH_COUNT(c->table);
}
