// SPDX-License-Identifier: GPL-2.0
/*
 * The clients of a DRM GPU, from fdinfo (drm_clients.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greenai/files.h>

#include "energy/drm_clients.h"

/* What one fdinfo file says. */
struct drm_fdinfo {
	char driver[GA_DRM_KEY_LEN];
	char pdev[GA_DRM_KEY_LEN];
	bool has_id;
	__u64 id;
	unsigned int nr_engines;
	struct ga_drm_engine engines[GA_DRM_MAX_ENGINES];
};

/* A list of PIDs. */
struct drm_pids {
	__u32 *v;
	unsigned int nr;
	unsigned int cap;
};

/* Copy a whitespace-free value; Return: 0 or -EINVAL. */
static int drm_copy_str(char *dst, const char *val)
{
	size_t n = strlen(val);

	if (!n || n >= GA_DRM_KEY_LEN || strpbrk(val, " \t"))
		return -EINVAL;
	memcpy(dst, val, n + 1);
	return 0;
}

/* "<uint>" followed by " <unit>" when @unit is set. */
static int drm_parse_uint_unit(char *val, const char *unit, __u64 *out)
{
	char *sp = strchr(val, ' ');
	uint64_t v;
	int err;

	if (unit) {
		if (!sp || strcmp(sp + 1, unit))
			return -EINVAL;
		*sp = '\0';
	}
	err = ga_parse_u64(val, &v);
	if (unit)
		*sp = ' ';
	if (!err)
		*out = v;
	return err;
}

/*
 * Record an engine value. A name seen twice is two engines of one name
 * (amdgpu names both UVD and VCN decoders "dec"): their times add up.
 */
static int drm_add_engine(struct drm_fdinfo *fi, const char *name, bool cycles,
			  char *val)
{
	struct ga_drm_engine *e;
	unsigned int i;
	__u64 v;
	int err;

	err = drm_parse_uint_unit(val, cycles ? NULL : "ns", &v);
	if (err)
		return err;
	for (i = 0; i < fi->nr_engines; i++) {
		e = &fi->engines[i];
		if (e->cycles == cycles && !strcmp(e->name, name)) {
			e->val += v;
			return 0;
		}
	}
	if (fi->nr_engines == GA_DRM_MAX_ENGINES)
		return 0;
	e = &fi->engines[fi->nr_engines];
	if (drm_copy_str(e->name, name))
		return -EINVAL;
	e->cycles = cycles;
	e->val = v;
	fi->nr_engines++;
	return 0;
}

/* One "key:<whitespace>value" line of fdinfo. */
static int drm_parse_line(struct drm_fdinfo *fi, char *line)
{
	char *colon = strchr(line, ':'), *key = line, *val;
	uint64_t id;
	size_t n;
	int err;

	if (!colon || strncmp(key, "drm-", 4))
		return 0; /* pos:, flags:, driver-specific keys */
	*colon = '\0';
	val = colon + 1;
	val += strspn(val, " \t");
	n = strlen(val);
	while (n && (val[n - 1] == ' ' || val[n - 1] == '\t'))
		val[--n] = '\0';
	if (!strcmp(key, "drm-driver"))
		return drm_copy_str(fi->driver, val);
	if (!strcmp(key, "drm-pdev"))
		return drm_copy_str(fi->pdev, val);
	if (!strcmp(key, "drm-client-id")) {
		err = ga_parse_u64(val, &id);
		if (!err) {
			fi->has_id = true;
			fi->id = id;
		}
		return err;
	}
	if (!strncmp(key, "drm-engine-capacity-", 20))
		return 0;
	if (!strncmp(key, "drm-engine-", 11))
		return drm_add_engine(fi, key + 11, false, val);
	if (!strncmp(key, "drm-cycles-", 11))
		return drm_add_engine(fi, key + 11, true, val);
	return 0;
}

/* Parse the text of an fdinfo file (modified). Return: 0 or -EINVAL. */
static int drm_parse_fdinfo(char *text, struct drm_fdinfo *fi)
{
	char *line, *save = NULL;
	int err;

	memset(fi, 0, sizeof(*fi));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		err = drm_parse_line(fi, line);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Room for element @nr of array @v of @size-byte elements, @cap of them
 * allocated. Return: the array, moved or not, or NULL (@v is kept).
 */
static void *drm_grow(void *v, unsigned int nr, unsigned int *cap, size_t size)
{
	unsigned int ncap;

	if (nr < *cap)
		return v;
	ncap = *cap ? 2 * *cap : 16;
	v = realloc(v, ncap * size);
	if (v)
		*cap = ncap;
	return v;
}

static int drm_clients_add(struct ga_drm_clients *l,
			   const struct ga_drm_client *c)
{
	struct ga_drm_client *v = drm_grow(l->v, l->nr, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->nr++] = *c;
	return 0;
}

void ga_drm_clients_free(struct ga_drm_clients *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int drm_pids_add(struct drm_pids *l, __u32 pid)
{
	__u32 *v = drm_grow(l->v, l->nr, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->nr++] = pid;
	return 0;
}

static bool drm_pids_has(const struct drm_pids *l, __u32 pid)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (l->v[i] == pid)
			return true;
	return false;
}

/* Whether an error reading a process's files means "not allowed". */
static bool drm_denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

/*
 * Read fd @fd of process @pid; a record of card @c's client goes to
 * @recs. Return: 0 (recorded or not ours), -EACCES, -ENOMEM.
 */
static int drm_scan_fd(const struct ga_drm_card_id *c, const char *pid,
		       __u32 npid, const char *fd, struct ga_drm_clients *recs)
{
	char path[GA_PATH_MAX], target[64], text[4096];
	struct ga_drm_client rec;
	struct drm_fdinfo fi;
	ssize_t n;
	int err;

	if (ga_path(path, sizeof(path), c->root, "proc/%s/fd/%s", pid, fd))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return drm_denied(-errno) ? -EACCES : 0;
	target[n] = '\0';
	if (strncmp(target, "/dev/dri/", 9))
		return 0;
	if (ga_path(path, sizeof(path), c->root, "proc/%s/fdinfo/%s", pid, fd))
		return 0;
	err = ga_read_str(path, text, sizeof(text));
	if (err)
		return drm_denied(err) ? -EACCES : 0;
	if (drm_parse_fdinfo(text, &fi) || !fi.has_id ||
	    strcmp(fi.pdev, c->pdev) || strcmp(fi.driver, c->driver))
		return 0;
	memset(&rec, 0, sizeof(rec));
	rec.id = fi.id;
	rec.pid = npid;
	rec.nr_engines = fi.nr_engines;
	memcpy(rec.engines, fi.engines, sizeof(rec.engines));
	return drm_clients_add(recs, &rec);
}

/* Scan one process. Return: 0, -EACCES (unreadable), -ENOMEM. */
static int drm_scan_pid(const struct ga_drm_card_id *c, const char *pid,
			__u32 npid, struct ga_drm_clients *recs)
{
	char dir[GA_PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (ga_path(dir, sizeof(dir), c->root, "proc/%s/fdinfo", pid))
		return 0;
	d = opendir(dir);
	if (!d)
		return drm_denied(-errno) ? -EACCES : 0; /* or gone */
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		err = drm_scan_fd(c, pid, npid, de->d_name, recs);
	}
	closedir(d);
	return err;
}

/*
 * Every fd of every process that is a client of card @c, as records (one
 * per fd), and the processes that could not be read, in @denied.
 */
static int drm_scan(const struct ga_drm_card_id *c, struct ga_drm_clients *recs,
		    struct drm_pids *denied, unsigned long *unreadable)
{
	char dir[GA_PATH_MAX];
	struct dirent *de;
	uint64_t pid;
	int err = 0;
	DIR *d;

	if (ga_path(dir, sizeof(dir), c->root, "proc"))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		if (ga_parse_u64(de->d_name, &pid) || pid > UINT32_MAX)
			continue;
		err = drm_scan_pid(c, de->d_name, pid, recs);
		if (err == -EACCES) {
			(*unreadable)++;
			err = drm_pids_add(denied, pid);
		}
	}
	closedir(d);
	return err;
}

static int drm_cmp_rec(const void *a, const void *b)
{
	const struct ga_drm_client *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

const struct ga_drm_client *ga_drm_find_client(const struct ga_drm_clients *l,
					       __u64 id)
{
	unsigned int lo = 0, hi = l->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->v[mid].id == id)
			return &l->v[mid];
		if (l->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Fold engine values of another fd of the same client: the larger wins. */
static void drm_merge_engines(struct ga_drm_client *into,
			      const struct ga_drm_client *from)
{
	const struct ga_drm_engine *f;
	unsigned int i, j;

	for (i = 0; i < from->nr_engines; i++) {
		f = &from->engines[i];
		for (j = 0; j < into->nr_engines; j++)
			if (into->engines[j].cycles == f->cycles &&
			    !strcmp(into->engines[j].name, f->name))
				break;
		if (j == into->nr_engines) {
			if (j == GA_DRM_MAX_ENGINES)
				continue;
			into->engines[into->nr_engines++] = *f;
		} else if (f->val > into->engines[j].val) {
			into->engines[j].val = f->val;
		}
	}
}

/*
 * Busy time of client @now since @old (NULL: a new client), ns or
 * cycles; @now's values become at least @old's.
 */
__u64 ga_drm_client_delta(struct ga_drm_client *now,
			  const struct ga_drm_client *old)
{
	__u64 ns = 0, cycles = 0, prev, d;
	struct ga_drm_engine *e;
	bool has_ns = false;
	unsigned int i, j;

	for (i = 0; i < now->nr_engines; i++) {
		e = &now->engines[i];
		prev = 0;
		for (j = 0; old && j < old->nr_engines; j++)
			if (old->engines[j].cycles == e->cycles &&
			    !strcmp(old->engines[j].name, e->name))
				prev = old->engines[j].val;
		d = e->val > prev ? e->val - prev : 0;
		if (e->val < prev)
			e->val = prev;
		if (e->cycles) {
			cycles += d;
		} else {
			ns += d;
			has_ns = true;
		}
	}
	return has_ns ? ns : cycles;
}

/*
 * Turn the records of one scan (sorted by client, then PID) into the
 * card's new client list, one entry per client with its owner.
 */
static int drm_collapse(const struct ga_drm_clients *old,
			struct ga_drm_clients *recs, struct ga_drm_clients *out)
{
	const struct ga_drm_client *prev;
	struct ga_drm_client cl;
	unsigned int i, j;
	int err;

	for (i = 0; i < recs->nr; i = j) {
		cl = recs->v[i];
		prev = ga_drm_find_client(old, cl.id);
		for (j = i + 1; j < recs->nr && recs->v[j].id == cl.id; j++) {
			if (prev && recs->v[j].pid == prev->pid)
				cl.pid = prev->pid;
			drm_merge_engines(&cl, &recs->v[j]);
		}
		err = drm_clients_add(out, &cl);
		if (err)
			return err;
	}
	return 0;
}

/* Keep the clients of processes that could not be read this time. */
static int drm_keep_denied(const struct ga_drm_clients *old,
			   const struct drm_pids *denied,
			   struct ga_drm_clients *out)
{
	unsigned int i, nr = out->nr;
	int err;

	for (i = 0; i < old->nr; i++) {
		if (!drm_pids_has(denied, old->v[i].pid))
			continue;
		if (nr && ga_drm_find_client(out, old->v[i].id))
			continue;
		err = drm_clients_add(out, &old->v[i]);
		if (err)
			return err;
	}
	if (out->nr > nr)
		qsort(out->v, out->nr, sizeof(*out->v), drm_cmp_rec);
	return 0;
}

/**
 * ga_drm_clients_update() - the clients of a card now
 * @c: the card
 * @prev: its clients as of the last update
 * @next: filled, one entry per client with its owner; the clients of
 *	  processes that could not be read are carried over from @prev
 * @unreadable: counts the processes that could not be read
 *
 * Return: 0 or -errno.
 */
int ga_drm_clients_update(const struct ga_drm_card_id *c,
			  const struct ga_drm_clients *prev,
			  struct ga_drm_clients *next,
			  unsigned long *unreadable)
{
	struct ga_drm_clients recs = { 0 };
	struct drm_pids denied = { 0 };
	int err;

	err = drm_scan(c, &recs, &denied, unreadable);
	if (err == -ENOENT)
		err = 0; /* no /proc: no clients */
	if (!err && recs.nr)
		qsort(recs.v, recs.nr, sizeof(*recs.v), drm_cmp_rec);
	if (!err)
		err = drm_collapse(prev, &recs, next);
	if (!err)
		err = drm_keep_denied(prev, &denied, next);
	ga_drm_clients_free(&recs);
	free(denied.v);
	return err;
}
