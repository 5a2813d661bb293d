// SPDX-License-Identifier: GPL-2.0
/*
 * GPUs of the kernel's DRM drivers amdgpu, i915 and xe: energy from the
 * card's hwmon device, per-process shares from its DRM clients
 * (drm_clients.h), as an energy source (esrc.h).
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
 * AMD APUs. amdgpu's hwmon on an APU (the one whose in1 is "vddnb": only
 * APUs have that rail) reads the whole SoC's power, the CPU cores
 * included (its "PPT", package power tracking), not the GPU's. Its zone
 * is "apu-N", a package zone (CPU package 0) flagged GREENAI_F_NESTED:
 * it holds what the package's own counter (RAPL, or the model) counts,
 * so it is never added to another domain's energy. It is split like a
 * package, over the run time on the package's CPUs, not by GPU shares.
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
 * Shares: each process's weight is the increase of its DRM clients' busy
 * time since the previous shares() call (since open the first time), as
 * drm_clients.c finds them in fdinfo. The processes with the lowest PIDs
 * are returned when there are more than the caller has room for, with
 * GA_SHARE_TRUNCATED.
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

#include "energy/drm_clients.h"
#include "energy/esrc.h"
#include "energy/meter.h"
#include "energy/shares.h"
#include "energy/sysfs_names.h"

/* A reading above this is not a GPU's power: 100 kW, in µW. */
#define DRM_MAX_POWER_UW 100000000000ULL

/* The drivers whose cards this source reads. */
static const char *const drm_drivers[] = { "amdgpu", "i915", "xe" };

struct drm_card {
	unsigned int index;
	char driver[GA_DRM_KEY_LEN];
	char pdev[GA_DRM_KEY_LEN];
	char sensor_path[GA_PATH_MAX];
	struct ga_meter meter; /* energyN_input: counter; powerN_*: power */
	bool apu;		/* amdgpu on an APU: the whole SoC's power */
	struct ga_drm_clients clients; /* as of the last shares() */
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

/* Whether hwmon directory @hwdir is an APU's: amdgpu gives "vddnb" to APUs. */
static bool drm_hwmon_is_apu(const char *hwdir)
{
	char path[GA_PATH_MAX], label[32];

	if (ga_path(path, sizeof(path), hwdir, "in1_label"))
		return false;
	return !ga_read_str(path, label, sizeof(label)) &&
	       !strcmp(label, "vddnb");
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
		if (ga_sysfs_num(de->d_name, "energy", "_input", UINT_MAX, &n))
			drm_pick_take(&energy, n, drm_energy_is_card(hwdir, n));
		else if (ga_sysfs_num(de->d_name, "power", "_average", UINT_MAX,
				      &n))
			drm_pick_take(&avg, n, false);
		else if (ga_sysfs_num(de->d_name, "power", "_input", UINT_MAX,
				      &n))
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
	nr = ga_sysfs_list_num(dir, "hwmon", UINT_MAX, &hw);
	if (nr < 0)
		return nr;
	err = -ENOENT;
	for (i = 0; i < nr && err; i++) {
		err = ga_path(hwdir, sizeof(hwdir), dir, "hwmon%u", hw[i]);
		if (!err)
			err = drm_pick_sensor(hwdir, c);
		if (!err)
			c->apu = !strcmp(c->driver, "amdgpu") &&
				 drm_hwmon_is_apu(hwdir);
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

/* --- the source ------------------------------------------------------ */

/* The clients of card @c now, into @next (drm_clients.h). */
static int drm_update_clients(struct drm_priv *p, struct drm_card *c,
			      struct ga_drm_clients *next)
{
	const struct ga_drm_card_id id = {
		.root = p->root, .driver = c->driver, .pdev = c->pdev,
	};

	return ga_drm_clients_update(&id, &c->clients, next,
				     &p->nr_unreadable);
}

static void drm_free(struct drm_priv *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->nr_cards; i++)
		ga_drm_clients_free(&p->cards[i].clients);
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
	nr = ga_sysfs_list_num(dir, "card", UINT_MAX, &idx);
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

	snprintf(z->name, sizeof(z->name), "%s-%u", c->apu ? "apu" : "gpu",
		 c->index);
	snprintf(z->label, sizeof(z->label), "card%u %.8s %.16s %.20s",
		 c->index, c->driver, c->pdev, file);
	z->kind = c->apu ? GREENAI_DOM_PACKAGE : GREENAI_DOM_GPU;
	z->source = GREENAI_SRC_DRM;
	/* an APU is the machine's one package */
	z->package = c->apu ? 0 : c->index;
	z->flags = c->apu ? GREENAI_F_NESTED : 0;
	z->parent = -1;
	z->integrated = c->meter.kind == GA_METER_POWER;
	if (z->integrated && c->meter.have_ref)
		z->power_uw = c->meter.ref;
	z->has_shares = !c->apu;
}

static int drm_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	struct ga_drm_clients next;
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
			ga_drm_clients_free(&next);
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
	struct ga_drm_clients next = { 0 };
	const struct ga_drm_client *old;
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
		ga_drm_clients_free(&next);
		return err;
	}
	for (i = 0; i < next.nr; i++) {
		old = ga_drm_find_client(&c->clients, next.v[i].id);
		v[i].pid = next.v[i].pid;
		v[i].weight = ga_drm_client_delta(&next.v[i], old);
	}
	ga_drm_clients_free(&c->clients);
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
