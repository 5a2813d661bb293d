// SPDX-License-Identifier: GPL-2.0
/*
 * The hwmon energy source (GREENAI_SRC_HWMON): energy counters and power
 * sensors of the /sys/class/hwmon devices (Documentation/hwmon/
 * sysfs-interface.rst).
 *
 * Channels. A device's attributes are in hwmonN/ (or hwmonN/device/ for
 * drivers of the old style); its driver is in "name". Where the device has
 * energyN_input channels (µJ, a counter), each is a zone, used directly;
 * only a device without any is read for powerN_average, or powerN_input
 * where there is no average (µW, a sensor), integrated over time. GPU
 * devices (amdgpu, i915, xe, nouveau, radeon) are left to the DRM and NVML
 * sources. amd_energy has a counter per core ("Ecore000", ...) and per
 * socket ("Esocket0", ...): the cores are part of their socket and are what
 * RAPL counts too, so where a socket channel exists the core channels are
 * left out (one per core would also flood the zone table).
 *
 * Zones are named "hwmon-<driver>-<label>" (powerN_label or energyN_label,
 * else the channel, "power1"), lower case, characters other than letters,
 * digits, '_', '-' and '.' turned into '_', cut to GREENAI_NAME_LEN - 1,
 * and made unique with "-2", "-3", ... Their kind is GREENAI_DOM_PLATFORM
 * except for amd_energy's, whose labels say what they are: "EsocketN" is
 * package N (GREENAI_DOM_PACKAGE), "EcoreN" a core (GREENAI_DOM_CORE).
 * Zones have no parent: hwmon does not say how its sensors nest, and
 * adding them to RAPL zones of another source is the caller's choice.
 *
 * Each zone's readings go through an energy meter (meter.h) whose bound
 * is HW_MAX_POWER_UW (1 MW). Counters are monotonic but may reset (a
 * driver reloaded): a reading below the previous one is an error for that
 * read (-ERANGE, flagged GREENAI_F_SUSPECT), never a negative delta, and
 * counting resumes from it; so is a step of more than 1 MW over the time
 * since the last reading (at least a second). Power is integrated with
 * the trapezoid rule between consecutive good samples, exact to the µJ
 * with the remainder carried; such zones are marked integrated. A power
 * reading above 1 MW is an error, as is anything that is not a plain
 * decimal (text, a sign, nothing, more than 64 bits): no number is made
 * up.
 *
 * Times: open takes the first sample, stamped with CLOCK_MONOTONIC; reads
 * give @now_ns on the same clock. A @now_ns not after the previous sample's
 * integrates nothing: the new sample replaces the old one.
 *
 * A channel that cannot be read for lack of permission (amd_energy's are
 * root-only since CVE-2020-8694) is left out; if that leaves no zone, the
 * source fails with -EACCES and a reason saying how to grant access, and
 * otherwise s->reason notes it.
 *
 * Locking: none; one caller per source (esrc.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/clock.h>
#include <greenai/files.h>

#include "energy/esrc.h"
#include "energy/meter.h"
#include "energy/sysfs_names.h"

#define HW_CLASS	"sys/class/hwmon"
#define HW_MAX_POWER_UW	1000000000000ULL	/* 1 MW: no sensor reads more */
#define HW_MAX_CHAN	100000			/* sanity bound on channels */
#define HW_DRIVER_LEN	64
#define HW_LABEL_LEN	64

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Devices another source reports: GPUs. */
static const char * const hw_gpu_drivers[] = {
	"amdgpu", "i915", "xe", "nouveau", "radeon",
};

/* A channel found in a device's attributes. */
struct hw_chan {
	unsigned int n;
	bool energy;		/* energyN_input; else power */
	bool average;		/* powerN_average (else powerN_input) */
	char label[HW_LABEL_LEN];
};

/* Per-zone state. */
struct hw_zone {
	char *path;		/* the value's file */
	struct ga_meter meter;
};

struct hw_priv {
	struct hw_zone *hz;
	unsigned int cap;	/* zones allocated */
	unsigned int denied;	/* channels left out: permission */
};

static bool hw_is_gpu(const char *driver)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hw_gpu_drivers); i++)
		if (!strcmp(driver, hw_gpu_drivers[i]))
			return true;
	return false;
}

static int hw_chan_cmp(const void *a, const void *b)
{
	const struct hw_chan *x = a, *y = b;

	if (x->energy != y->energy)
		return y->energy - x->energy;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Add channel n (energy or power) to the list, or mark its kind. */
static int hw_chan_add(struct hw_chan **chans, unsigned int *nr,
		       unsigned int *cap, unsigned int n, bool energy,
		       bool average)
{
	struct hw_chan *c, *tmp;
	unsigned int i;

	for (i = 0; i < *nr; i++) {
		c = &(*chans)[i];
		if (c->n == n && c->energy == energy) {
			c->average |= average;
			return 0;
		}
	}
	if (*nr == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		tmp = realloc(*chans, *cap * sizeof(**chans));
		if (!tmp)
			return -ENOMEM;
		*chans = tmp;
	}
	c = &(*chans)[(*nr)++];
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->energy = energy;
	c->average = average;
	return 0;
}

/*
 * The channels of a device: its energy channels, or its power channels
 * when it has no energy channel, by number.
 */
static int hw_scan_chans(const char *dirpath, struct hw_chan **out,
			 unsigned int *nr)
{
	struct hw_chan *chans = NULL;
	unsigned int n = 0, cap = 0, i, j, ch;
	struct dirent *de;
	bool energy = false;
	DIR *dir;
	int err = 0;

	dir = opendir(dirpath);
	if (!dir)
		return -errno;
	while (!err && (de = readdir(dir))) {
		if (ga_sysfs_num(de->d_name, "energy", "_input", HW_MAX_CHAN,
				 &ch)) {
			err = hw_chan_add(&chans, &n, &cap, ch, true, false);
			energy = true;
		} else if (ga_sysfs_num(de->d_name, "power", "_input",
					HW_MAX_CHAN, &ch)) {
			err = hw_chan_add(&chans, &n, &cap, ch, false, false);
		} else if (ga_sysfs_num(de->d_name, "power", "_average",
					HW_MAX_CHAN, &ch)) {
			err = hw_chan_add(&chans, &n, &cap, ch, false, true);
		}
	}
	closedir(dir);
	if (err) {
		free(chans);
		return err;
	}
	if (n)
		qsort(chans, n, sizeof(*chans), hw_chan_cmp);
	/* energy channels sort first; drop the power ones after them */
	for (i = 0, j = 0; i < n; i++)
		if (chans[i].energy || !energy)
			chans[j++] = chans[i];
	*out = chans;
	*nr = j;
	return 0;
}

/* amd_energy: drop "Ecore" channels when an "Esocket" channel exists. */
static void hw_amd_energy_rule(const char *driver, struct hw_chan *chans,
			       unsigned int *nr)
{
	unsigned int i, j;
	bool socket = false;

	if (strcmp(driver, "amd_energy"))
		return;
	for (i = 0; i < *nr; i++)
		socket |= !strncmp(chans[i].label, "Esocket", 7);
	if (!socket)
		return;
	for (i = 0, j = 0; i < *nr; i++)
		if (strncmp(chans[i].label, "Ecore", 5))
			chans[j++] = chans[i];
	*nr = j;
}

static bool hw_name_taken(const struct ga_esrc *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_zones; i++)
		if (!strcmp(s->zones[i].name, name))
			return true;
	return false;
}

/* "hwmon-<driver>-<label>", sanitised, cut and made unique. */
static void hw_zone_name(const struct ga_esrc *s, char *name,
			 const char *driver, const char *label)
{
	char base[HW_DRIVER_LEN + HW_LABEL_LEN + 8], sfx[12];
	size_t len, i;
	unsigned int k;

	snprintf(base, sizeof(base), "hwmon-%s-%s", driver, label);
	base[GREENAI_NAME_LEN - 1] = '\0';
	for (i = 0; base[i]; i++) {
		char c = base[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			c = '_';
		base[i] = c;
	}
	strcpy(name, base);
	for (k = 2; hw_name_taken(s, name) && k < 100000; k++) {
		snprintf(sfx, sizeof(sfx), "-%u", k);
		len = strlen(base);
		if (len + strlen(sfx) > GREENAI_NAME_LEN - 1)
			len = GREENAI_NAME_LEN - 1 - strlen(sfx);
		memcpy(name, base, len);
		strcpy(name + len, sfx);
	}
}

/* What a label says: amd_energy's sockets and cores; else a platform. */
static void hw_zone_kind(struct ga_zone *z, const char *driver,
			 const char *label)
{
	unsigned int n;

	z->kind = GREENAI_DOM_PLATFORM;
	z->package = -1;
	if (strcmp(driver, "amd_energy"))
		return;
	if (ga_sysfs_num(label, "Esocket", "", HW_MAX_CHAN, &n)) {
		z->kind = GREENAI_DOM_PACKAGE;
		z->package = n;
	} else if (!strncmp(label, "Ecore", 5)) {
		z->kind = GREENAI_DOM_CORE;
	}
}

/* Make room for @more zones. */
static int hw_grow(struct ga_esrc *s, unsigned int more)
{
	struct hw_priv *hp = s->priv;
	struct ga_zone *zones;
	struct hw_zone *hz;
	unsigned int cap = hp->cap;

	if (s->nr_zones + more <= cap)
		return 0;
	while (cap < s->nr_zones + more)
		cap = cap ? 2 * cap : 8;
	zones = realloc(s->zones, cap * sizeof(*zones));
	if (!zones)
		return -ENOMEM;
	s->zones = zones;
	hz = realloc(hp->hz, cap * sizeof(*hz));
	if (!hz)
		return -ENOMEM;
	hp->hz = hz;
	hp->cap = cap;
	return 0;
}

/* One channel as a zone, with its first sample; -EACCES: left out. */
static int hw_add_zone(struct ga_esrc *s, const char *root, const char *rel,
		       const char *hwmon, const char *driver,
		       const struct hw_chan *c)
{
	struct hw_priv *hp = s->priv;
	struct ga_zone *z = &s->zones[s->nr_zones];
	struct hw_zone *h = &hp->hz[s->nr_zones];
	char path[GA_PATH_MAX], file[48], chan[24];
	uint64_t v;
	int err;

	memset(z, 0, sizeof(*z));
	memset(h, 0, sizeof(*h));
	snprintf(chan, sizeof(chan), "%s%u", c->energy ? "energy" : "power",
		 c->n);
	snprintf(file, sizeof(file), "%s_%s", chan,
		 c->average ? "average" : "input");
	err = ga_path(path, sizeof(path), root, "%s/%s", rel, file);
	if (err)
		return err;
	h->path = strdup(path);
	if (!h->path)
		return -ENOMEM;
	ga_meter_init(&h->meter, c->energy ? GA_METER_COUNTER : GA_METER_POWER,
		      HW_MAX_POWER_UW);
	hw_zone_name(s, z->name, driver, c->label[0] ? c->label : chan);
	snprintf(z->label, sizeof(z->label), "%s/%s", hwmon, file);
	hw_zone_kind(z, driver, c->label);
	z->source = GREENAI_SRC_HWMON;
	z->parent = -1;
	z->integrated = !c->energy;
	err = ga_read_u64(path, &v);
	if (err == -EACCES || err == -EPERM) {
		free(h->path);
		h->path = NULL;
		hp->denied++;
		return -EACCES;
	}
	if (!err)
		err = ga_meter_start(&h->meter, v, ga_mono_ns());
	if (err)
		ga_zone_error(z, "%s: %s", file, strerror(-err));
	s->nr_zones++;
	return 0;
}

/* The zones of one hwmonN. */
static int hw_add_device(struct ga_esrc *s, const char *root, const char *hwmon)
{
	char rel[128], path[GA_PATH_MAX], driver[HW_DRIVER_LEN];
	struct hw_chan *chans = NULL;
	unsigned int nr = 0, i;
	int err;

	/* attributes in hwmonN/, or in hwmonN/device/ (old drivers) */
	snprintf(rel, sizeof(rel), HW_CLASS "/%s", hwmon);
	err = ga_path(path, sizeof(path), root, "%s/name", rel);
	if (!err)
		err = ga_read_str(path, driver, sizeof(driver));
	if (err == -ENOENT) {
		snprintf(rel, sizeof(rel), HW_CLASS "/%s/device", hwmon);
		err = ga_path(path, sizeof(path), root, "%s/name", rel);
		if (!err)
			err = ga_read_str(path, driver, sizeof(driver));
	}
	if (err || !driver[0] || hw_is_gpu(driver))
		return 0;
	err = ga_path(path, sizeof(path), root, "%s", rel);
	if (!err)
		err = hw_scan_chans(path, &chans, &nr);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (i = 0; i < nr; i++) {
		struct hw_chan *c = &chans[i];
		char lab[HW_LABEL_LEN];

		if (!ga_path(path, sizeof(path), root, "%s/%s%u_label", rel,
			     c->energy ? "energy" : "power", c->n) &&
		    !ga_read_str(path, lab, sizeof(lab)))
			strcpy(c->label, lab);
	}
	hw_amd_energy_rule(driver, chans, &nr);
	err = hw_grow(s, nr);
	for (i = 0; !err && i < nr; i++) {
		err = hw_add_zone(s, root, rel, hwmon, driver, &chans[i]);
		if (err == -EACCES)
			err = 0;
	}
	free(chans);
	return err;
}

/* The hwmonN numbers of the class, in order. */
static int hw_list_devices(struct ga_esrc *s, const char *root,
			   unsigned int **out, unsigned int *nr)
{
	char path[GA_PATH_MAX];
	int n;

	n = ga_path(path, sizeof(path), root, HW_CLASS);
	if (n)
		return n;
	n = ga_sysfs_list_num(path, "hwmon", HW_MAX_CHAN, out);
	if (n < 0) {
		if (n != -ENOMEM)
			ga_esrc_reason(s, "hwmon: %s: %s", path, strerror(-n));
		return n;
	}
	*nr = n;
	return 0;
}

static void hw_close(struct ga_esrc *s)
{
	struct hw_priv *hp = s->priv;
	unsigned int i;

	if (hp) {
		for (i = 0; i < s->nr_zones; i++)
			free(hp->hz[i].path);
		free(hp->hz);
		free(hp);
	}
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

static int hw_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	const char *root = conf ? conf->root : NULL;
	unsigned int *devs = NULL, nr = 0, i;
	struct hw_priv *hp;
	char hwmon[24];
	int err;

	err = hw_list_devices(s, root, &devs, &nr);
	if (err)
		return err;
	hp = calloc(1, sizeof(*hp));
	s->priv = hp;
	if (!hp)
		err = -ENOMEM;
	for (i = 0; !err && i < nr; i++) {
		snprintf(hwmon, sizeof(hwmon), "hwmon%u", devs[i]);
		err = hw_add_device(s, root, hwmon);
	}
	free(devs);
	if (!err && !s->nr_zones && hp->denied) {
		ga_esrc_reason(s,
			       "hwmon: %u energy or power channel(s) readable by root only: run as root, or grant read access (chmod a+r, or a udev rule: SUBSYSTEM==\"hwmon\", RUN+=\"/bin/chmod a+r /sys%%p/energy1_input\")",
			       hp->denied);
		err = -EACCES;
	} else if (!err && !s->nr_zones) {
		ga_esrc_reason(s,
			       "hwmon: no energy or power sensor under %s (GPU sensors are read by the drm and nvml sources)",
			       HW_CLASS);
		err = -ENODEV;
	} else if (!err && hp->denied) {
		ga_esrc_reason(s,
			       "hwmon: %u channel(s) left out, readable by root only: run as root, or grant read access",
			       hp->denied);
	}
	if (err)
		hw_close(s);
	return err;
}

/* Read one zone's file and hand the reading to its meter. */
static int hw_read_zone(struct ga_zone *z, struct hw_zone *h, __u64 now_ns)
{
	const char *file = strrchr(z->label, '/') + 1;
	uint64_t v;
	int err;

	z->error[0] = '\0';
	err = ga_read_u64(h->path, &v);
	if (err) {
		ga_zone_error(z, "%s: %s", file, strerror(-err));
		return err;
	}
	return ga_meter_read(&h->meter, z, v, now_ns);
}

static int hw_read(struct ga_esrc *s, unsigned int i, __u64 now_ns)
{
	struct hw_priv *hp = s->priv;

	return hw_read_zone(&s->zones[i], &hp->hz[i], now_ns);
}

const struct ga_esrc_ops ga_esrc_hwmon = {
	.name = "hwmon",
	.open = hw_open,
	.read_zone = hw_read,
	.close = hw_close,
};
