// SPDX-License-Identifier: GPL-2.0
/*
 * GPUs of the kernel's DRM drivers amdgpu, i915 and xe: energy from the
 * card's hwmon device, per-process shares from DRM fdinfo (esrc.h).
 *
 * Zones. One per /sys/class/drm/cardN (connectors, "cardN-DP-1", are not
 * cards) whose PCI device is bound to one of those drivers and has a
 * hwmon sensor under device/hwmon/hwmonM: "gpu-N", N the card index.
 * The sensor is the first of:
 * - energyN_input, µJ, a 64-bit counter the driver extends (i915 and xe
 *   on discrete cards; on xe the channel labelled "card" is preferred
 *   over "pkg", being the whole board);
 * - powerN_average, then powerN_input, µW (amdgpu), integrated over time.
 * Integrated GPUs have no hwmon (RAPL's uncore domain covers them) and
 * are left out; so are cards of other drivers (NVIDIA: esrc_nvml.c).
 *
 * Energy, through an energy meter (meter.h) bounded by DRM_MAX_POWER_UW.
 * The sensor is read once at open, stamped with CLOCK_MONOTONIC, so
 * energy counts from open; reads give @now_ns on the same clock. A
 * counter going backwards (driver reloaded), or stepping by more than
 * 100 kW over the time since the last reading (at least a second), is an
 * error for that read (-ERANGE, flagged GREENAI_F_SUSPECT), and the
 * reading is the new reference: never a negative delta. Power is
 * integrated by the trapezoid rule, mean of two readings times the time
 * between them, µW × ns / 10^9 = µJ with the remainder carried, so the
 * energy is exact to the µJ; a read whose time is not after the previous
 * reading's integrates nothing. A failed read keeps the zone's energy,
 * and the next good reading integrates over the whole gap.
 *
 * Shares (Documentation/gpu/drm-usage-stats.rst). Every /proc/PID/fd/FD
 * that links to /dev/dri/ and whose fdinfo has drm-pdev equal to the
 * card's PCI address (device/uevent PCI_SLOT_NAME, or the device link)
 * is a handle of a client, drm-client-id, a struct drm_file. A client
 * can be held by several fds and processes (dup, fork, SCM_RIGHTS): it
 * is counted once, for its previous owner if that still holds it, else
 * for the lowest PID holding it. Its busy time is the sum of its
 * drm-engine-<e> values, ns (drm-engine-capacity-<e> is not a time); a
 * client without any (xe) counts drm-cycles-<e> instead, one driver per
 * card so one unit per zone. A process's weight is the increase of its
 * clients' busy time since the previous shares() call (since open the
 * first time); an engine value lower than the one seen before counts
 * nothing and the larger value is kept, as the document asks. A process
 * that vanishes is skipped; one whose fds cannot be read (EACCES) is
 * skipped and counted, and its clients keep their previous values until
 * it can be read again. An fdinfo that does not parse is left out. The
 * processes with the lowest PIDs are returned when there are more than
 * the caller has room for, with GA_SHARE_TRUNCATED. The root override
 * (conf->root) applies to /proc as to /sys.
 *
 * Units: energy µJ, power µW, time ns. Not thread-safe (esrc.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greenai/clock.h>
#include <greenai/files.h>

#include "energy/esrc.h"
#include "energy/meter.h"
#include "energy/shares.h"

#define DRM_MAX_ENGINES 16 /* per client; more are ignored */
#define DRM_KEY_LEN 32 /* engine name, driver, PCI address */
/* A reading above this is not a GPU's power: 100 kW, in µW. */
#define DRM_MAX_POWER_UW 100000000000ULL

/* The drivers whose cards this source reads. */
static const char *const drm_drivers[] = { "amdgpu", "i915", "xe" };

/* One engine's busy figure of a client: ns, or cycles when @cycles. */
struct drm_engine {
	char name[DRM_KEY_LEN];
	bool cycles;
	__u64 val;
};

/* A DRM client (struct drm_file) on one card, and who it is counted for. */
struct drm_client {
	__u64 id;
	__u32 pid;
	unsigned int nr_engines;
	struct drm_engine engines[DRM_MAX_ENGINES];
};

/* What one fdinfo file says. */
struct drm_fdinfo {
	char driver[DRM_KEY_LEN];
	char pdev[DRM_KEY_LEN];
	bool has_id;
	__u64 id;
	unsigned int nr_engines;
	struct drm_engine engines[DRM_MAX_ENGINES];
};

/* A list of clients, or of fdinfo records while scanning. */
struct drm_clients {
	struct drm_client *v;
	unsigned int nr;
	unsigned int cap;
};

/* A list of PIDs. */
struct drm_pids {
	__u32 *v;
	unsigned int nr;
	unsigned int cap;
};

struct drm_card {
	unsigned int index;
	char driver[DRM_KEY_LEN];
	char pdev[DRM_KEY_LEN];
	char sensor_path[GA_PATH_MAX];
	struct ga_meter meter; /* energyN_input: counter; powerN_*: power */
	struct drm_clients clients; /* as of the last shares() */
};

struct drm_priv {
	char *root;
	struct drm_card *cards;
	unsigned int nr_cards;
	unsigned long nr_unreadable; /* processes skipped, since open */
};

/* --- energy ---------------------------------------------------------- */

/* Read one card's sensor into its zone. Return: 0 or -errno. */
static int drm_read_card(struct drm_card *c, struct ga_zone *z, __u64 now_ns)
{
	uint64_t val;
	int err;

	err = ga_read_u64(c->sensor_path, &val);
	if (err) {
		ga_zone_error(z, "card%u: %s: %s", c->index,
			      strrchr(c->sensor_path, '/') + 1, strerror(-err));
		return err;
	}
	return ga_meter_read(&c->meter, z, val, now_ns);
}

/* --- finding the cards ----------------------------------------------- */

/* Whether @s is "<pre><digits><suf>"; the number in @n. */
static bool drm_match_num(const char *s, const char *pre, const char *suf,
			  unsigned int *n)
{
	size_t lp = strlen(pre);
	unsigned long v = 0;
	const char *p;

	if (strncmp(s, pre, lp))
		return false;
	p = s + lp;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > UINT_MAX)
			return false;
	}
	if (strcmp(p, suf))
		return false;
	*n = v;
	return true;
}

static int drm_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The numbers N of the entries "<pre>N" of directory @dir, sorted.
 * Return: how many (in *out, to free), or -errno.
 */
static int drm_list_num(const char *dir, const char *pre, unsigned int **out)
{
	unsigned int *v = NULL, *nv, nr = 0, cap = 0, n;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!drm_match_num(de->d_name, pre, "", &n))
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[nr++] = n;
	}
	closedir(d);
	if (nr)
		qsort(v, nr, sizeof(*v), drm_cmp_uint);
	*out = v;
	return nr;
}

/* The last component of a symlink's target, into @buf. */
static int drm_link_base(const char *path, char *buf, size_t size)
{
	char target[GA_PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base || strlen(base) >= size)
		return -EINVAL;
	strcpy(buf, base);
	return 0;
}

/* The value of "KEY=value" in a uevent text, into @buf. */
static int drm_uevent_get(const char *text, const char *key, char *buf,
			  size_t size)
{
	size_t kl = strlen(key), vl;
	const char *p = text, *end;

	while (*p) {
		end = p + strcspn(p, "\n");
		if ((size_t)(end - p) > kl && !strncmp(p, key, kl) &&
		    p[kl] == '=') {
			vl = end - p - kl - 1;
			if (!vl || vl >= size)
				return -EINVAL;
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = '\0';
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

/* Driver and PCI address of card @c->index: uevent, else the links. */
static int drm_card_identity(const char *root, struct drm_card *c)
{
	char path[GA_PATH_MAX], uevent[4096];
	int err;

	err = ga_path(path, sizeof(path), root,
		      "sys/class/drm/card%u/device/uevent", c->index);
	if (!err && !ga_read_str(path, uevent, sizeof(uevent)) &&
	    !drm_uevent_get(uevent, "DRIVER", c->driver, sizeof(c->driver)) &&
	    !drm_uevent_get(uevent, "PCI_SLOT_NAME", c->pdev, sizeof(c->pdev)))
		return 0;
	err = ga_path(path, sizeof(path), root,
		      "sys/class/drm/card%u/device/driver", c->index);
	if (!err)
		err = drm_link_base(path, c->driver, sizeof(c->driver));
	if (err)
		return err;
	err = ga_path(path, sizeof(path), root, "sys/class/drm/card%u/device",
		      c->index);
	if (!err)
		err = drm_link_base(path, c->pdev, sizeof(c->pdev));
	return err;
}

static bool drm_driver_known(const char *driver)
{
	size_t i;

	for (i = 0; i < sizeof(drm_drivers) / sizeof(drm_drivers[0]); i++)
		if (!strcmp(driver, drm_drivers[i]))
			return true;
	return false;
}

/* The best channel of a candidate kind seen so far. */
struct drm_pick {
	bool found;
	bool card_label;
	unsigned int n;
};

static void drm_pick_take(struct drm_pick *p, unsigned int n, bool label)
{
	if (!p->found || (label && !p->card_label) ||
	    (label == p->card_label && n < p->n)) {
		p->found = true;
		p->card_label = label;
		p->n = n;
	}
}

/* Whether hwmon channel energy<n> is labelled "card" (xe: whole board). */
static bool drm_energy_is_card(const char *hwdir, unsigned int n)
{
	char path[GA_PATH_MAX], label[32];

	if (ga_path(path, sizeof(path), hwdir, "energy%u_label", n))
		return false;
	return !ga_read_str(path, label, sizeof(label)) &&
	       !strcmp(label, "card");
}

/*
 * Choose the sensor of hwmon directory @hwdir: energy, else average
 * power, else instantaneous power. Return: 0, or -ENOENT when none.
 */
static int drm_pick_sensor(const char *hwdir, struct drm_card *c)
{
	struct drm_pick energy = { 0 }, avg = { 0 }, inst = { 0 };
	struct dirent *de;
	unsigned int n;
	DIR *d;

	d = opendir(hwdir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (drm_match_num(de->d_name, "energy", "_input", &n))
			drm_pick_take(&energy, n, drm_energy_is_card(hwdir, n));
		else if (drm_match_num(de->d_name, "power", "_average", &n))
			drm_pick_take(&avg, n, false);
		else if (drm_match_num(de->d_name, "power", "_input", &n))
			drm_pick_take(&inst, n, false);
	}
	closedir(d);
	if (energy.found) {
		ga_meter_init(&c->meter, GA_METER_COUNTER, DRM_MAX_POWER_UW);
		return ga_path(c->sensor_path, sizeof(c->sensor_path), hwdir,
			       "energy%u_input", energy.n);
	}
	ga_meter_init(&c->meter, GA_METER_POWER, DRM_MAX_POWER_UW);
	if (avg.found)
		return ga_path(c->sensor_path, sizeof(c->sensor_path), hwdir,
			       "power%u_average", avg.n);
	if (inst.found)
		return ga_path(c->sensor_path, sizeof(c->sensor_path), hwdir,
			       "power%u_input", inst.n);
	return -ENOENT;
}

/* Find the first hwmon device of card @c with a sensor. */
static int drm_find_sensor(const char *root, struct drm_card *c)
{
	char dir[GA_PATH_MAX], hwdir[GA_PATH_MAX];
	unsigned int *hw = NULL;
	int nr, i, err;

	err = ga_path(dir, sizeof(dir), root,
		      "sys/class/drm/card%u/device/hwmon", c->index);
	if (err)
		return err;
	nr = drm_list_num(dir, "hwmon", &hw);
	if (nr < 0)
		return nr;
	err = -ENOENT;
	for (i = 0; i < nr && err; i++) {
		err = ga_path(hwdir, sizeof(hwdir), dir, "hwmon%u", hw[i]);
		if (!err)
			err = drm_pick_sensor(hwdir, c);
	}
	free(hw);
	return err;
}

/*
 * Probe card @index. Return: 0 (a zone), -ENODEV (not ours or no
 * sensor), -EACCES (a sensor we may not read), or another -errno.
 */
static int drm_probe_card(const char *root, unsigned int index,
			  struct drm_card *c)
{
	uint64_t val;
	int err;

	memset(c, 0, sizeof(*c));
	c->index = index;
	err = drm_card_identity(root, c);
	if (err || !drm_driver_known(c->driver))
		return -ENODEV;
	err = drm_find_sensor(root, c);
	if (err)
		return err == -ENOMEM ? err : -ENODEV;
	err = ga_read_u64(c->sensor_path, &val);
	if (err == -EACCES || err == -EPERM)
		return -EACCES;
	/* energy counts from open: this is the first reading */
	if (!err)
		ga_meter_start(&c->meter, val, ga_mono_ns());
	return 0;
}

/* --- fdinfo ---------------------------------------------------------- */

/* Copy a whitespace-free value; Return: 0 or -EINVAL. */
static int drm_copy_str(char *dst, const char *val)
{
	size_t n = strlen(val);

	if (!n || n >= DRM_KEY_LEN || strpbrk(val, " \t"))
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
	struct drm_engine *e;
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
	if (fi->nr_engines == DRM_MAX_ENGINES)
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

static int drm_clients_add(struct drm_clients *l, const struct drm_client *c)
{
	struct drm_client *v = drm_grow(l->v, l->nr, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->nr++] = *c;
	return 0;
}

static void drm_clients_free(struct drm_clients *l)
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
static int drm_scan_fd(const char *root, const struct drm_card *c,
		       const char *pid, __u32 npid, const char *fd,
		       struct drm_clients *recs)
{
	char path[GA_PATH_MAX], target[64], text[4096];
	struct drm_client rec;
	struct drm_fdinfo fi;
	ssize_t n;
	int err;

	if (ga_path(path, sizeof(path), root, "proc/%s/fd/%s", pid, fd))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return drm_denied(-errno) ? -EACCES : 0;
	target[n] = '\0';
	if (strncmp(target, "/dev/dri/", 9))
		return 0;
	if (ga_path(path, sizeof(path), root, "proc/%s/fdinfo/%s", pid, fd))
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
static int drm_scan_pid(const char *root, const struct drm_card *c,
			const char *pid, __u32 npid, struct drm_clients *recs)
{
	char dir[GA_PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (ga_path(dir, sizeof(dir), root, "proc/%s/fdinfo", pid))
		return 0;
	d = opendir(dir);
	if (!d)
		return drm_denied(-errno) ? -EACCES : 0; /* or gone */
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		err = drm_scan_fd(root, c, pid, npid, de->d_name, recs);
	}
	closedir(d);
	return err;
}

/*
 * Every fd of every process that is a client of card @c, as records (one
 * per fd), and the processes that could not be read, in @denied.
 */
static int drm_scan(struct drm_priv *p, const struct drm_card *c,
		    struct drm_clients *recs, struct drm_pids *denied)
{
	char dir[GA_PATH_MAX];
	struct dirent *de;
	uint64_t pid;
	int err = 0;
	DIR *d;

	if (ga_path(dir, sizeof(dir), p->root, "proc"))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		if (ga_parse_u64(de->d_name, &pid) || pid > UINT32_MAX)
			continue;
		err = drm_scan_pid(p->root, c, de->d_name, pid, recs);
		if (err == -EACCES) {
			p->nr_unreadable++;
			err = drm_pids_add(denied, pid);
		}
	}
	closedir(d);
	return err;
}

static int drm_cmp_rec(const void *a, const void *b)
{
	const struct drm_client *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static const struct drm_client *drm_find_client(const struct drm_clients *l,
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
static void drm_merge_engines(struct drm_client *into,
			      const struct drm_client *from)
{
	const struct drm_engine *f;
	unsigned int i, j;

	for (i = 0; i < from->nr_engines; i++) {
		f = &from->engines[i];
		for (j = 0; j < into->nr_engines; j++)
			if (into->engines[j].cycles == f->cycles &&
			    !strcmp(into->engines[j].name, f->name))
				break;
		if (j == into->nr_engines) {
			if (j == DRM_MAX_ENGINES)
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
static __u64 drm_client_delta(struct drm_client *now,
			      const struct drm_client *old)
{
	__u64 ns = 0, cycles = 0, prev, d;
	struct drm_engine *e;
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
static int drm_collapse(const struct drm_clients *old, struct drm_clients *recs,
			struct drm_clients *out)
{
	const struct drm_client *prev;
	struct drm_client cl;
	unsigned int i, j;
	int err;

	for (i = 0; i < recs->nr; i = j) {
		cl = recs->v[i];
		prev = drm_find_client(old, cl.id);
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
static int drm_keep_denied(const struct drm_clients *old,
			   const struct drm_pids *denied,
			   struct drm_clients *out)
{
	unsigned int i, nr = out->nr;
	int err;

	for (i = 0; i < old->nr; i++) {
		if (!drm_pids_has(denied, old->v[i].pid))
			continue;
		if (nr && drm_find_client(out, old->v[i].id))
			continue;
		err = drm_clients_add(out, &old->v[i]);
		if (err)
			return err;
	}
	if (out->nr > nr)
		qsort(out->v, out->nr, sizeof(*out->v), drm_cmp_rec);
	return 0;
}

/*
 * Scan the clients of card @c into @next, one entry per client with its
 * owner, and carry over from the card's list the clients of processes
 * that could not be read. Return: 0 or -errno.
 */
static int drm_update_clients(struct drm_priv *p, struct drm_card *c,
			      struct drm_clients *next)
{
	struct drm_clients recs = { 0 };
	struct drm_pids denied = { 0 };
	int err;

	err = drm_scan(p, c, &recs, &denied);
	if (err == -ENOENT)
		err = 0; /* no /proc: no clients */
	if (!err && recs.nr)
		qsort(recs.v, recs.nr, sizeof(*recs.v), drm_cmp_rec);
	if (!err)
		err = drm_collapse(&c->clients, &recs, next);
	if (!err)
		err = drm_keep_denied(&c->clients, &denied, next);
	drm_clients_free(&recs);
	free(denied.v);
	return err;
}

/* --- the source ------------------------------------------------------ */

static void drm_free(struct drm_priv *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->nr_cards; i++)
		drm_clients_free(&p->cards[i].clients);
	free(p->cards);
	free(p->root);
	free(p);
}

/* Probe every card; Return: 0 with at least one, or -errno. */
static int drm_probe_all(struct ga_esrc *s, struct drm_priv *p)
{
	char dir[GA_PATH_MAX];
	unsigned int *idx = NULL;
	int nr, i, err, denied = 0;

	err = ga_path(dir, sizeof(dir), p->root, "sys/class/drm");
	if (err)
		return err;
	nr = drm_list_num(dir, "card", &idx);
	if (nr < 0) {
		ga_esrc_reason(s, "drm: no DRM devices: %s: %s", dir,
			       strerror(-nr));
		return nr;
	}
	p->cards = calloc(nr ? nr : 1, sizeof(*p->cards));
	if (!p->cards) {
		free(idx);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		err = drm_probe_card(p->root, idx[i], &p->cards[p->nr_cards]);
		if (!err)
			p->nr_cards++;
		else if (err == -EACCES)
			denied++;
		else if (err == -ENOMEM)
			break;
	}
	free(idx);
	if (err == -ENOMEM)
		return err;
	if (p->nr_cards)
		return 0;
	if (denied) {
		ga_esrc_reason(
			s,
			"drm: GPU energy sensors under %s are not readable by this user; run as root",
			dir);
		return -EACCES;
	}
	ga_esrc_reason(
		s,
		"drm: no amdgpu, i915 or xe GPU with a hwmon energy or power sensor under %s",
		dir);
	return -ENODEV;
}

static void drm_fill_zone(const struct drm_card *c, struct ga_zone *z)
{
	const char *file = strrchr(c->sensor_path, '/') + 1;

	snprintf(z->name, sizeof(z->name), "gpu-%u", c->index);
	snprintf(z->label, sizeof(z->label), "card%u %.8s %.16s %.20s",
		 c->index, c->driver, c->pdev, file);
	z->kind = GREENAI_DOM_GPU;
	z->source = GREENAI_SRC_DRM;
	z->package = c->index;
	z->parent = -1;
	z->integrated = c->meter.kind == GA_METER_POWER;
	if (z->integrated && c->meter.have_ref)
		z->power_uw = c->meter.ref;
	z->has_shares = true;
}

static int drm_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	struct drm_clients next;
	struct drm_priv *p;
	unsigned int i;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->root = strdup(conf->root ? conf->root : "/");
	err = p->root ? drm_probe_all(s, p) : -ENOMEM;
	if (err)
		goto out_free;
	s->zones = calloc(p->nr_cards, sizeof(*s->zones));
	if (!s->zones) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < p->nr_cards; i++) {
		drm_fill_zone(&p->cards[i], &s->zones[i]);
		/* the clients' busy time so far: shares count from open */
		memset(&next, 0, sizeof(next));
		if (!drm_update_clients(p, &p->cards[i], &next))
			p->cards[i].clients = next;
		else
			drm_clients_free(&next);
	}
	s->nr_zones = p->nr_cards;
	s->priv = p;
	return 0;

out_free:
	drm_free(p);
	return err;
}

static int drm_read(struct ga_esrc *s, unsigned int i, __u64 now_ns)
{
	struct drm_priv *p = s->priv;

	return drm_read_card(&p->cards[i], &s->zones[i], now_ns);
}

static int drm_shares(struct ga_esrc *s, unsigned int zone,
		      struct ga_share *out, unsigned int max, __u32 *flags)
{
	struct drm_priv *p = s->priv;
	struct drm_card *c = &p->cards[zone];
	struct drm_clients next = { 0 };
	const struct drm_client *old;
	struct ga_share *v = NULL;
	unsigned int i;
	int err;

	*flags = 0;
	err = drm_update_clients(p, c, &next);
	if (!err && next.nr) {
		v = calloc(next.nr, sizeof(*v));
		if (!v)
			err = -ENOMEM;
	}
	if (err) {
		drm_clients_free(&next);
		return err;
	}
	for (i = 0; i < next.nr; i++) {
		old = drm_find_client(&c->clients, next.v[i].id);
		v[i].pid = next.v[i].pid;
		v[i].weight = drm_client_delta(&next.v[i], old);
	}
	drm_clients_free(&c->clients);
	c->clients = next;
	err = ga_shares_merge(v, next.nr, out, max, flags);
	free(v);
	return err;
}

static void drm_close(struct ga_esrc *s)
{
	drm_free(s->priv);
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

/*
 * The source of the GPUs of the amdgpu, i915 and xe drivers, through hwmon
 * and DRM fdinfo (esrc.h).
 */
const struct ga_esrc_ops ga_esrc_drm = {
	.name = "drm",
	.open = drm_open,
	.read_zone = drm_read,
	.shares = drm_shares,
	.close = drm_close,
};
