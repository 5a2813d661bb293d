// SPDX-License-Identifier: GPL-2.0
/*
 * The powercap energy source (GREENAI_SRC_POWERCAP): the RAPL energy
 * counters the kernel's intel_rapl_msr and MMIO RAPL drivers publish under
 * /sys/class/powercap, one zone per counter.
 *
 * Zones. Every class entry intel-rapl:N, intel-rapl:N:M, intel-rapl-mmio:N
 * and intel-rapl-mmio:N:M (a symlink in real sysfs, a directory in fixture
 * trees) is read for its name, energy_uj and max_energy_range_uj, and named
 * as greenai.ko names its RAPL domains:
 *	package-P, package-P-die-D	"package-P"[-die-D]	PACKAGE
 *	psys, psys-P (top level)	"psys-P" (psys: 0)	PSYS
 *	core, uncore, dram (nested)	"core-P"[-die-D], ...	CORE, ...
 * where P and D come from the package zone the others are nested in. Other
 * names and other control types (dtpm, ...) are left out: how their energy
 * nests is not known, so they could count it twice.
 *
 * No energy twice.
 * - Nesting (@parent): cores and uncore are part of their package. The
 *   package and DRAM are part of psys, the platform, where there is one (the
 *   first psys zone: on multi-socket parts only the master socket's psys
 *   counts, the others read 0). DRAM is nested under its package in sysfs
 *   but is not part of the package's energy (RAPL PKG excludes DRAM), so its
 *   only parent is psys. The zones without a parent add up to the machine.
 * - Mirrors: a counter published twice is reported once. Entries are taken
 *   in a fixed order (intel-rapl before intel-rapl-mmio, lower numbers
 *   first), and a zone whose greenai name is already taken is a mirror and
 *   left out with the zones nested in it. That covers the MMIO interface
 *   (MCHBAR copies of the package MSRs: "package-0" twice) and AMD/Hygon
 *   parts under kernels that took each CCD for a die: package-0-die-0,
 *   package-0-die-1, ... all read the one per-socket counter, and are named
 *   "package-P", as the module does on AMD, where RAPL is per package (the
 *   vendor is the vendor_id of /proc/cpuinfo). On AMD the nested "core"
 *   zone is left out too: it reads the per-core MSR of one core (the
 *   package's lead CPU), not the package's cores.
 *
 * Counting. energy_uj is the 32-bit hardware count in µJ; it wraps to 0
 * past max_energy_range_uj, the count 2^32 - 1 in µJ (not a power of two).
 * A reading below the previous one is one wrap: ΔE = range - old + new,
 * flagged GREENAI_F_WRAPPED (the true step is one count more, at most 61 µJ
 * per wrap with the usual units: sysfs does not give the count's size). A
 * read at least the time the counter takes to cover its range at
 * GA_RAPL_MAX_POWER_UW after the previous one may hide a second wrap, and
 * is flagged GREENAI_F_SUSPECT. A wrap that would mean more than that power
 * over the time since the last reading (at least one second) is not a wrap
 * but a counter that went back: the read is an error (-ERANGE) and
 * counting starts again from the new value. A reading above the range is
 * an error (-ERANGE).
 *
 * Times: the baseline is read at open and stamped with CLOCK_MONOTONIC;
 * reads give @now_ns on the same clock. A @now_ns not after the previous
 * reading's leaves the elapsed time unknown: no power and no SUSPECT flag
 * for that read.
 *
 * energy_uj is readable by root only since CVE-2020-8694 (PLATYPUS): a
 * permission error at open fails the whole source with -EACCES and a reason
 * saying how to grant access.
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
#include <greenai/rapl.h>

#include "base/cpuinfo.h"
#include "energy/esrc.h"
#include "energy/meter.h"

#define PC_CLASS	"sys/class/powercap"
#define PC_NAME_LEN	64
#define PC_MAX_IDX	100000	/* sanity bound on zone numbers */

static const char * const pc_kind_names[] = {
	[GREENAI_DOM_PACKAGE] = "package",
	[GREENAI_DOM_CORE] = "core",
	[GREENAI_DOM_UNCORE] = "uncore",
	[GREENAI_DOM_DRAM] = "dram",
	[GREENAI_DOM_PSYS] = "psys",
};

/* A class entry found by the scan. */
struct pc_entry {
	char dir[PC_NAME_LEN];		/* "intel-rapl:0:1" */
	char kname[PC_NAME_LEN];	/* the name file: "package-0", "core" */
	bool mmio;			/* intel-rapl-mmio */
	unsigned int idx[2];		/* N, M */
	bool nested;			/* N:M */
	__u16 kind;
	int pkg;
	int die;			/* -1: none in the name */
	int zone;			/* index of its zone; -1: left out */
};

/* Per-zone state. */
struct pc_zone {
	char *energy_path;
	__u64 range;
	__u64 wrap_ns;		/* time to cover the range at max power */
	__u64 last;		/* last good reading */
	__u64 last_ns;		/* when it was read */
	bool have_last;
};

/* An unsigned decimal without sign or leading '+': the whole of [s, *end). */
static int pc_parse_idx(const char *s, const char **end, unsigned int *val)
{
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > PC_MAX_IDX)
			return -ERANGE;
	}
	*end = s;
	*val = v;
	return 0;
}

/* "intel-rapl:N", "intel-rapl:N:M", and the same with -mmio. */
static bool pc_parse_dir(const char *d, struct pc_entry *e)
{
	const char *p;

	if (!strncmp(d, "intel-rapl:", 11)) {
		e->mmio = false;
		p = d + 11;
	} else if (!strncmp(d, "intel-rapl-mmio:", 16)) {
		e->mmio = true;
		p = d + 16;
	} else {
		return false;
	}
	if (pc_parse_idx(p, &p, &e->idx[0]))
		return false;
	e->nested = *p == ':';
	e->idx[1] = 0;
	if (e->nested && pc_parse_idx(p + 1, &p, &e->idx[1]))
		return false;
	return *p == '\0' && strlen(d) < sizeof(e->dir);
}

/*
 * What the kernel's zone name says: "package-P", "package-P-die-D",
 * "psys", "psys-P" at the top; "core", "uncore", "dram" nested.
 */
static bool pc_parse_kname(struct pc_entry *e)
{
	const char *n = e->kname, *p;
	unsigned int pkg, die;

	e->pkg = 0;
	e->die = -1;
	if (e->nested) {
		if (!strcmp(n, "core"))
			e->kind = GREENAI_DOM_CORE;
		else if (!strcmp(n, "uncore"))
			e->kind = GREENAI_DOM_UNCORE;
		else if (!strcmp(n, "dram"))
			e->kind = GREENAI_DOM_DRAM;
		else
			return false;
		return true;
	}
	if (!strcmp(n, "psys")) {
		e->kind = GREENAI_DOM_PSYS;
		return true;
	}
	if (!strncmp(n, "psys-", 5)) {
		if (pc_parse_idx(n + 5, &p, &pkg) || *p)
			return false;
		e->kind = GREENAI_DOM_PSYS;
		e->pkg = pkg;
		return true;
	}
	if (strncmp(n, "package-", 8) || pc_parse_idx(n + 8, &p, &pkg))
		return false;
	e->kind = GREENAI_DOM_PACKAGE;
	e->pkg = pkg;
	if (!*p)
		return true;
	if (strncmp(p, "-die-", 5) || pc_parse_idx(p + 5, &p, &die) || *p)
		return false;
	e->die = die;
	return true;
}

/* intel-rapl first, then by N, the package before what is nested in it. */
static int pc_entry_cmp(const void *a, const void *b)
{
	const struct pc_entry *x = a, *y = b;

	if (x->mmio != y->mmio)
		return x->mmio - y->mmio;
	if (x->idx[0] != y->idx[0])
		return x->idx[0] < y->idx[0] ? -1 : 1;
	if (x->nested != y->nested)
		return x->nested - y->nested;
	if (x->idx[1] != y->idx[1])
		return x->idx[1] < y->idx[1] ? -1 : 1;
	return 0;
}

/* The entry a nested one is in: same interface, same N, not nested. */
static struct pc_entry *pc_entry_parent(struct pc_entry *ents, unsigned int n,
					const struct pc_entry *e)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!ents[i].nested && ents[i].mmio == e->mmio &&
		    ents[i].idx[0] == e->idx[0])
			return &ents[i];
	return NULL;
}

/* Read every class entry that looks like a RAPL zone. */
static int pc_scan(struct ga_esrc *s, const char *root, struct pc_entry **out,
		   unsigned int *nr)
{
	char path[GA_PATH_MAX];
	struct pc_entry *ents = NULL, *tmp, e;
	unsigned int n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int err;

	err = ga_path(path, sizeof(path), root, PC_CLASS);
	if (err)
		return err;
	dir = opendir(path);
	if (!dir) {
		err = -errno;
		ga_esrc_reason(s, "powercap: %s: %s%s", path, strerror(-err),
			       err == -ENOENT ? " (a kernel without powercap)" :
						"");
		return err;
	}
	while ((de = readdir(dir))) {
		memset(&e, 0, sizeof(e));
		if (!pc_parse_dir(de->d_name, &e))
			continue;
		strcpy(e.dir, de->d_name);
		if (ga_path(path, sizeof(path), root, PC_CLASS "/%s/name",
			    e.dir) ||
		    ga_read_str(path, e.kname, sizeof(e.kname)) ||
		    !pc_parse_kname(&e))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			tmp = realloc(ents, cap * sizeof(*ents));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			ents = tmp;
		}
		e.zone = -1;
		ents[n++] = e;
	}
	closedir(dir);
	if (err) {
		free(ents);
		return err;
	}
	if (n)
		qsort(ents, n, sizeof(*ents), pc_entry_cmp);
	*out = ents;
	*nr = n;
	return 0;
}

/* The greenai name of an entry (its package entry for a nested one). */
static void pc_zone_name(char *buf, size_t size, const struct pc_entry *e,
			 const struct pc_entry *pe, bool amd)
{
	const char *kind = pc_kind_names[e->kind];
	int die = pe->die;

	if (amd)
		die = -1;	/* RAPL is per package: the dies mirror it */
	if (die >= 0)
		snprintf(buf, size, "%s-%d-die-%d", kind, pe->pkg, die);
	else
		snprintf(buf, size, "%s-%d", kind, pe->pkg);
}

static int pc_find_zone(const struct ga_esrc *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_zones; i++)
		if (!strcmp(s->zones[i].name, name))
			return i;
	return -1;
}

/*
 * A zone's range and first reading. Return: 0; -ENODEV when the zone cannot
 * be counted (no range); -EACCES (with the reason set) or -ENOMEM to stop.
 */
static int pc_start_zone(struct ga_esrc *s, const char *root,
			 const struct pc_entry *e, struct ga_zone *z,
			 struct pc_zone *p)
{
	char path[GA_PATH_MAX];
	uint64_t v, range = 0;
	int err;

	err = ga_path(path, sizeof(path), root,
		      PC_CLASS "/%s/max_energy_range_uj", e->dir);
	if (!err)
		err = ga_read_u64(path, &range);
	p->range = range;
	if (!err && !p->range)
		err = -EINVAL;
	if (err == -EACCES || err == -EPERM)
		goto denied;
	if (err)
		return -ENODEV;	/* without its range a wrap cannot be undone */
	z->range_uj = p->range;
	p->wrap_ns = ga_mul_div(p->range, GA_NSEC_PER_SEC,
				GA_RAPL_MAX_POWER_UW);
	err = ga_path(path, sizeof(path), root, PC_CLASS "/%s/energy_uj",
		      e->dir);
	if (err)
		return -ENODEV;
	p->energy_path = strdup(path);
	if (!p->energy_path)
		return -ENOMEM;
	err = ga_read_u64(path, &v);
	if (err == -EACCES || err == -EPERM)
		goto denied;
	if (!err && v > p->range)
		err = -ERANGE;
	if (err) {
		/* kept: the first good read is the baseline */
		ga_zone_error(z, "energy_uj: %s", strerror(-err));
		return 0;
	}
	p->last = v;
	p->last_ns = ga_mono_ns();
	p->have_last = true;
	return 0;
denied:
	ga_esrc_reason(s,
		       "powercap: %s/energy_uj is readable by root only (CVE-2020-8694): run as root, or grant read access (chmod a+r, or a udev rule: SUBSYSTEM==\"powercap\", RUN+=\"/bin/chmod a+r /sys%%p/energy_uj\")",
		       e->dir);
	return -EACCES;
}

/* Choose the zones (names, kinds, mirrors) and take their baselines. */
static int pc_build(struct ga_esrc *s, const char *root, struct pc_entry *ents,
		    unsigned int n, bool amd)
{
	struct pc_zone *pz;
	unsigned int i;
	int err;

	s->zones = calloc(n ? n : 1, sizeof(*s->zones));
	pz = calloc(n ? n : 1, sizeof(*pz));
	s->priv = pz;
	if (!s->zones || !pz)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct pc_entry *e = &ents[i], *pe = e;
		struct ga_zone *z = &s->zones[s->nr_zones];
		struct pc_zone *p = &pz[s->nr_zones];
		char name[GREENAI_NAME_LEN];

		if (e->nested) {
			pe = pc_entry_parent(ents, n, e);
			if (!pe || pe->zone < 0 ||
			    pe->kind != GREENAI_DOM_PACKAGE)
				continue;	/* in a mirror, or orphaned */
			if (amd && e->kind == GREENAI_DOM_CORE)
				continue;	/* one core, not the package */
		}
		pc_zone_name(name, sizeof(name), e, pe, amd);
		if (pc_find_zone(s, name) >= 0)
			continue;		/* a mirror */
		strcpy(z->name, name);
		snprintf(z->label, sizeof(z->label), "%s", e->dir);
		z->kind = e->kind;
		z->source = GREENAI_SRC_POWERCAP;
		z->package = pe->pkg;
		z->parent = -1;
		if (e->nested && (e->kind == GREENAI_DOM_CORE ||
				  e->kind == GREENAI_DOM_UNCORE))
			z->parent = pe->zone;
		err = pc_start_zone(s, root, e, z, p);
		if (err) {
			free(p->energy_path);
			memset(z, 0, sizeof(*z));
			memset(p, 0, sizeof(*p));
			if (err == -ENODEV)
				continue;
			return err;
		}
		e->zone = s->nr_zones++;
	}
	return 0;
}

/* Packages and DRAM are part of the platform: the first psys zone. */
static void pc_nest_in_psys(struct ga_esrc *s)
{
	int psys = -1;
	unsigned int i;

	for (i = 0; i < s->nr_zones && psys < 0; i++)
		if (s->zones[i].kind == GREENAI_DOM_PSYS)
			psys = i;
	if (psys < 0)
		return;
	for (i = 0; i < s->nr_zones; i++)
		if (s->zones[i].kind == GREENAI_DOM_PACKAGE ||
		    s->zones[i].kind == GREENAI_DOM_DRAM)
			s->zones[i].parent = psys;
}

static void pc_close(struct ga_esrc *s)
{
	struct pc_zone *pz = s->priv;
	unsigned int i;

	for (i = 0; pz && i < s->nr_zones; i++)
		free(pz[i].energy_path);
	free(pz);
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

static int pc_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	const char *root = conf ? conf->root : NULL;
	struct pc_entry *ents = NULL;
	unsigned int n = 0;
	int err;

	err = pc_scan(s, root, &ents, &n);
	if (err)
		return err;
	err = pc_build(s, root, ents, n, ga_cpuinfo_rapl_per_package(root));
	free(ents);
	if (!err) {
		pc_nest_in_psys(s);
		if (!s->nr_zones) {
			ga_esrc_reason(s,
				       "powercap: no RAPL zone under %s (is the intel_rapl_msr module loaded?)",
				       PC_CLASS);
			err = -ENODEV;
		}
	}
	if (err)
		pc_close(s);
	return err;
}

/* One zone: a new reading turned into energy. */
static int pc_read_zone(struct ga_zone *z, struct pc_zone *p, __u64 now_ns)
{
	__u64 elapsed = 0;
	uint64_t v;
	int err;

	z->error[0] = '\0';
	err = ga_read_u64(p->energy_path, &v);
	if (!err && v > p->range)
		err = -ERANGE;
	if (err) {
		if (err == -ERANGE)
			ga_zone_error(z,
				      "energy_uj above max_energy_range_uj %llu",
				      (unsigned long long)p->range);
		else
			ga_zone_error(z, "energy_uj: %s", strerror(-err));
		return err;
	}
	if (p->have_last) {	/* else the first good reading: the baseline */
		if (now_ns > p->last_ns)
			elapsed = now_ns - p->last_ns;
		err = ga_zone_count_wrap(z, p->last, v, p->range, elapsed,
					 p->wrap_ns);
	}
	p->last = v;
	p->last_ns = now_ns;
	p->have_last = true;
	return err;
}

static int pc_read(struct ga_esrc *s, unsigned int i, __u64 now_ns)
{
	struct pc_zone *pz = s->priv;

	return pc_read_zone(&s->zones[i], &pz[i], now_ns);
}

const struct ga_esrc_ops ga_esrc_powercap = {
	.name = "powercap",
	.open = pc_open,
	.read_zone = pc_read,
	.close = pc_close,
};
