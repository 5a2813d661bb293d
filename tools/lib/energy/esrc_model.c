// SPDX-License-Identifier: GPL-2.0
/*
 * The power-model energy source (GREENAI_SRC_MODEL): where no sensor
 * exists, each CPU package's energy estimated from its activity, with the
 * coefficients and the arithmetic of greenai.ko's model (kmod/model.c,
 * greenai_model_energy()), so both backends give the same figures.
 *
 * Zones: one "package-N" per package (GREENAI_DOM_PACKAGE, flagged
 * GREENAI_F_ESTIMATED), N = 0, 1, ...: conf->model_packages of them, or as
 * many as the highest physical_package_id + 1 of the CPUs in
 * /sys/devices/system/cpu (cpuN/topology, which online CPUs have), as
 * topology.c counts them. Zone N is physical package N, and entry N of the
 * struct ga_activity given to read is its activity.
 *
 * The model: P = idle + (max - idle) × busy / capacity per package, µW, with
 * capacity = online CPUs × elapsed. Over a read's interval, with online =
 * capacity / elapsed (integer, as the module's capacity is built):
 *	E = idle × elapsed + (max - idle) × busy / online	(µW × ns)
 * divided by 10^9 into µJ over the common denominator online × 10^9, whose
 * remainder is carried to the next read (rescaled when the number of
 * online CPUs changes, losing under 1 µJ), so a run of reads gives the
 * floor of the exact energy. A busy time above the capacity is clamped to
 * it and flagged GREENAI_F_CLAMPED (the model never goes above max);
 * a package with no online CPU uses nothing.
 *
 * Coefficients: conf->model_idle_uw and conf->model_max_uw, per package;
 * both 0 means the module's defaults, 10 W and 60 W. max must be 1 µW to
 * 10 kW (the module's model_max_mw range) and idle at most max.
 *
 * Times: open stamps CLOCK_MONOTONIC; each read gives @now_ns on that clock
 * and the activity since the previous read (or open). A @now_ns not after
 * the previous one only restarts the interval.
 *
 * Locking: none; one caller per source (esrc.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/attrib.h>
#include <greenai/clock.h>
#include <greenai/files.h>

#include "energy/esrc.h"
#include "energy/meter.h"

#define MD_CPU		"sys/devices/system/cpu"
#define MD_IDLE_UW	10000000ULL	/* the module's model_idle_mw=10000 */
#define MD_MAX_UW	60000000ULL	/* the module's model_max_mw=60000 */
#define MD_LIMIT_UW	10000000000ULL	/* model_max_mw at most 10 000 000 */
#define MD_MAX_PKGS	4096

/* Per-zone state: the module's model_den and model_rem. */
struct md_zone {
	__u64 den;		/* online CPUs × 10^9 of the remainder */
	__u64 rem;		/* carried, in 1 / den µJ */
};

struct md_priv {
	__u64 idle_uw;
	__u64 max_uw;
	__u64 last_ns;
	struct md_zone *mz;
};

/* How many packages the CPUs of sysfs are in: the highest id + 1. */
static int md_count_packages(struct ga_esrc *s, const char *root,
			     unsigned int *nr)
{
	char path[GA_PATH_MAX];
	unsigned int n = 0;
	struct dirent *de;
	int64_t id;
	DIR *dir;
	int err;

	err = ga_path(path, sizeof(path), root, MD_CPU);
	if (err)
		return err;
	dir = opendir(path);
	if (!dir) {
		err = -errno;
		ga_esrc_reason(s,
			       "model: %s: %s: set the number of packages in the configuration",
			       path, strerror(-err));
		return err;
	}
	while ((de = readdir(dir))) {
		const char *p = de->d_name + 3;

		if (strncmp(de->d_name, "cpu", 3) || *p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p)
			continue;	/* cpufreq, cpuidle, ... */
		if (ga_path(path, sizeof(path), root,
			    MD_CPU "/%s/topology/physical_package_id",
			    de->d_name) ||
		    ga_read_s64(path, &id))
			continue;	/* offline: no topology */
		if (id < 0)
			id = 0;		/* no topology on this arch */
		if (id >= MD_MAX_PKGS) {
			err = -E2BIG;
			break;
		}
		if (id + 1 > n)
			n = id + 1;
	}
	closedir(dir);
	if (err == -E2BIG) {
		ga_esrc_reason(s, "model: package id %lld: at most %u packages",
			       (long long)id, MD_MAX_PKGS);
		return err;
	}
	if (!n) {
		ga_esrc_reason(s,
			       "model: no CPU topology under %s: set the number of packages in the configuration",
			       MD_CPU);
		return -ENOENT;
	}
	*nr = n;
	return 0;
}

static void md_close(struct ga_esrc *s)
{
	struct md_priv *mp = s->priv;

	if (mp)
		free(mp->mz);
	free(mp);
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

static int md_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	__u64 idle = conf ? conf->model_idle_uw : 0;
	__u64 max = conf ? conf->model_max_uw : 0;
	unsigned int n = conf ? conf->model_packages : 0, i;
	struct md_priv *mp;
	int err;

	if (!idle && !max) {
		idle = MD_IDLE_UW;
		max = MD_MAX_UW;
	}
	if (!max || max > MD_LIMIT_UW || idle > max) {
		ga_esrc_reason(s,
			       "model: idle %llu µW and max %llu µW: max must be 1 µW to 10 kW and idle at most max",
			       (unsigned long long)idle,
			       (unsigned long long)max);
		return -EINVAL;
	}
	if (!n) {
		err = md_count_packages(s, conf ? conf->root : NULL, &n);
		if (err)
			return err;
	}
	if (n > MD_MAX_PKGS) {
		ga_esrc_reason(s, "model: %u packages, at most %u", n,
			       MD_MAX_PKGS);
		return -E2BIG;
	}
	mp = calloc(1, sizeof(*mp));
	s->priv = mp;
	s->zones = calloc(n, sizeof(*s->zones));
	if (mp)
		mp->mz = calloc(n, sizeof(*mp->mz));
	if (!mp || !s->zones || !mp->mz) {
		md_close(s);
		return -ENOMEM;
	}
	mp->idle_uw = idle;
	mp->max_uw = max;
	mp->last_ns = ga_mono_ns();
	for (i = 0; i < n; i++) {
		struct ga_zone *z = &s->zones[i];

		snprintf(z->name, sizeof(z->name), "package-%u", i);
		snprintf(z->label, sizeof(z->label), "model %llu..%llu uW",
			 (unsigned long long)idle, (unsigned long long)max);
		z->kind = GREENAI_DOM_PACKAGE;
		z->source = GREENAI_SRC_MODEL;
		z->flags = GREENAI_F_ESTIMATED;
		z->package = i;
		z->parent = -1;
		z->idle_uw = idle;
	}
	s->nr_zones = n;
	return 0;
}

/* One package over one interval: greenai_model_energy() of the module. */
static __u64 md_energy(const struct md_priv *mp, struct md_zone *m,
		       __u64 elapsed_ns, __u64 capacity_ns, __u64 busy_ns)
{
	__u64 online = capacity_ns / elapsed_ns;
	__u64 den, uj, r1, r2, rem;

	if (!online)
		return 0;
	den = online * GA_NSEC_PER_SEC;
	if (m->den != den) {
		/* online CPUs changed: rescale the carried remainder */
		m->rem = m->den ? ga_mul_div(m->rem, den, m->den) : 0;
		m->den = den;
	}
	uj = ga_mul_div_rem(mp->idle_uw * online, elapsed_ns, den, &r1);
	uj += ga_mul_div_rem(mp->max_uw - mp->idle_uw, busy_ns, den, &r2);
	rem = m->rem + r1 + r2;
	uj += rem / den;
	m->rem = rem % den;
	return uj;
}

static int md_read(struct ga_esrc *s, __u64 now_ns,
		   const struct ga_activity *act)
{
	struct md_priv *mp = s->priv;
	__u64 elapsed, busy, cap, uj;
	unsigned int i;
	int first = 0;

	if (now_ns <= mp->last_ns) {
		mp->last_ns = now_ns;
		return 0;
	}
	elapsed = now_ns - mp->last_ns;
	mp->last_ns = now_ns;
	for (i = 0; i < s->nr_zones; i++) {
		struct ga_zone *z = &s->zones[i];

		if (!act || i >= act->nr_packages || !act->busy_ns ||
		    !act->capacity_ns) {
			ga_zone_error(z, "no activity for package %u", i);
			if (!first)
				first = -EINVAL;
			continue;
		}
		busy = act->busy_ns[i];
		cap = act->capacity_ns[i];
		if (busy > cap) {
			busy = cap;
			z->flags |= GREENAI_F_CLAMPED;
		}
		uj = md_energy(mp, &mp->mz[i], elapsed, cap, busy);
		ga_zone_count(z, uj, elapsed);
	}
	return first;
}

const struct ga_esrc_ops ga_esrc_model = {
	.name = "model",
	.open = md_open,
	.read = md_read,
	.close = md_close,
};
