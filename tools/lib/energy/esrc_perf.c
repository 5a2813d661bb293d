// SPDX-License-Identifier: GPL-2.0
/*
 * The perf energy source (GREENAI_SRC_PERF): the RAPL events of the perf
 * "power" PMU (arch/x86/events/rapl.c), each counted system-wide on the
 * CPU the PMU's cpumask gives for a package.
 *
 * Zones. The PMU is /sys/bus/event_source/devices/power: its type, its
 * cpumask (one CPU per package, or per die on Intel parts with several),
 * and events/energy-{pkg,cores,gpu,ram,psys}, each with a config
 * ("event=0x02"), a .scale (Joules per count, a decimal such as
 * 2.3283064365386962890625e-10) and a .unit ("Joules"). Each event on each
 * cpumask CPU is one zone, named as greenai.ko names its RAPL domains:
 * package-P, core-P, uncore-P (energy-gpu, RAPL PP1), dram-P, psys-P, with
 * "-die-D" after P when some package has several cpumask CPUs. P and D are
 * the CPU's physical_package_id and die_id in sysfs (the CPU's place in the
 * cpumask when its topology cannot be read). An event whose config, scale or
 * unit cannot be understood is left out.
 *
 * No energy twice: cores and uncore are part of their package (@parent);
 * packages and DRAM are part of the first psys zone where there is one (as
 * in esrc_powercap.c: DRAM is not part of the package). On AMD and Hygon,
 * whose RAPL counters are per package, cpumask CPUs of one package (kernels
 * that took each CCD for a die) read the same counter: only the first is
 * counted (the vendor is the vendor_id of /proc/cpuinfo).
 *
 * Counting. An event's count is the kernel's 64-bit sum of the hardware
 * counter in units of the scale (the PMU undoes the 32-bit wraps itself).
 * The scale is parsed into an exact fraction, µJ per count = num / den
 * (2^-32 J is 15625 / 2^26 µJ), and the counts go through the attribution
 * core's 64-bit counter, which carries the sub-µJ remainder: the sum of the
 * deltas is floor(counts × scale) exactly, with no floating point. The
 * count wraps at 2^64 (2^32 J, 4.3 GJ, with the usual scale): a count below
 * the previous one is one wrap, flagged GREENAI_F_WRAPPED, if the energy it
 * means fits in GA_RAPL_MAX_POWER_UW over the time since the last reading
 * (at least a second); otherwise, and for any step forward beyond that, the
 * read is an error (-ERANGE) and counting restarts from the new count.
 *
 * Times: the first count is taken at open and stamped with CLOCK_MONOTONIC;
 * reads give @now_ns on the same clock. A @now_ns not after the previous
 * reading's leaves the elapsed time unknown (no power for that read).
 *
 * Opening needs the right to count system-wide events: root, CAP_PERFMON
 * (CAP_SYS_ADMIN before Linux 5.8), or kernel.perf_event_paranoid <= 0. A
 * permission error fails the source with a reason that says so.
 *
 * The two system calls go through the hooks ga_perf_event_open and
 * ga_perf_event_read (esrc_perf.h), which the unit tests point at a fake
 * PMU: the machines greenai is developed on have none.
 *
 * Locking: none; one caller per source (esrc.h). The two hooks are global:
 * they are set before any source is opened, by tests only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include <greenai/attrib.h>
#include <greenai/clock.h>
#include <greenai/files.h>
#include <greenai/rapl.h>

#include "base/cpuinfo.h"
#include "energy/esrc.h"
#include "energy/esrc_perf.h"
#include "energy/meter.h"

#define PF_PMU		"sys/bus/event_source/devices/power"
#define PF_CPU		"sys/devices/system/cpu"
#define PF_MAX_CPU	1048576		/* sanity bound on CPU numbers */
#define PF_MAX_EVENT	0xff		/* format/event is config:0-7 */

static const struct pf_event {
	const char *name;	/* under events/ */
	__u16 kind;
	const char *zone;	/* the zone name's prefix */
} pf_events[] = {
	{ "energy-pkg", GREENAI_DOM_PACKAGE, "package" },
	{ "energy-cores", GREENAI_DOM_CORE, "core" },
	{ "energy-gpu", GREENAI_DOM_UNCORE, "uncore" },
	{ "energy-ram", GREENAI_DOM_DRAM, "dram" },
	{ "energy-psys", GREENAI_DOM_PSYS, "psys" },
};

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define PF_NR_EVENTS	ARRAY_SIZE(pf_events)

/* One event as the PMU describes it. */
struct pf_desc {
	bool present;
	__u64 config;
	struct ga_unit unit;	/* µJ per count */
};

/* One cpumask CPU: the package (or die) it counts. */
struct pf_cpu {
	int cpu;
	int pkg;
	int die;
};

/* Per-zone state. */
struct pf_zone {
	int fd;
	int cpu;
	struct ga_counter ctr;
	__u64 last_ns;
	bool have_last;
};

static int pf_sys_open(__u32 type, __u64 config, int cpu)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = type;
	attr.size = sizeof(attr);
	attr.config = config;
	fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static int pf_sys_read(int fd, __u64 *count)
{
	ssize_t n;

	do {
		n = read(fd, count, sizeof(*count));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*count) ? 0 : -EIO;
}

/* The system calls, unless a test points the hooks elsewhere (esrc_perf.h). */
int (*ga_perf_event_open)(__u32 type, __u64 config, int cpu) = pf_sys_open;
int (*ga_perf_event_read)(int fd, __u64 *count) = pf_sys_read;

static __uint128_t pf_gcd(__uint128_t a, __uint128_t b)
{
	while (b) {
		__uint128_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/**
 * pf_parse_scale() - a perf .scale in Joules as an exact µJ fraction
 * @s: "2.3283064365386962890625e-10": digits, an optional fraction, an
 *	optional exponent; no sign, no space
 * @unit: set to µJ per count, num / den in lowest terms
 *
 * Return: 0, -EINVAL when @s is not such a number or is 0, -ERANGE when the
 * fraction does not fit in 64-bit terms.
 */
static int pf_parse_scale(const char *s, struct ga_unit *unit)
{
	const __uint128_t max = ~(__uint128_t)0;
	int frac = 0, zeros = 0, zfrac = 0, exp = 0, e6, digits = 0;
	__uint128_t m = 0, num, den, g;
	bool dot = false, neg;
	const char *p;

	/*
	 * m: the digits without the zeros that end them; frac: how many of
	 * m's digits follow the point; zeros: zeros not yet in m (zfrac of
	 * them after the point), which only a later digit puts in.
	 */
	for (p = s; *p; p++) {
		if (*p == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		digits++;
		if (*p == '0') {
			zeros++;
			zfrac += dot;
			continue;
		}
		for (; zeros; zeros--) {
			if (m > max / 10)
				return -ERANGE;
			m *= 10;
		}
		if (m > (max - 9) / 10)
			return -ERANGE;
		m = m * 10 + (*p - '0');
		frac += zfrac + dot;
		zfrac = 0;
	}
	if (!digits)
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		neg = *p == '-';
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			exp = exp * 10 + (*p++ - '0');
			if (exp > 1000)
				return -ERANGE;
		}
		if (neg)
			exp = -exp;
	}
	if (*p || !m)
		return -EINVAL;
	/* µJ per count: m × 10^(exp - frac + the integer part's zeros + 6) */
	e6 = exp - frac + (zeros - zfrac) + 6;
	num = m;
	den = 1;
	for (; e6 > 0; e6--) {
		if (num > max / 10)
			return -ERANGE;
		num *= 10;
	}
	for (; e6 < 0; e6++) {
		if (den > max / 10)
			return -ERANGE;
		den *= 10;
	}
	g = pf_gcd(num, den);
	num /= g;
	den /= g;
	if (num > ~0ULL || den > ~0ULL)
		return -ERANGE;
	unit->num = (__u64)num;
	unit->den = (__u64)den;
	return 0;
}

/* "event=0x02": the event's config (format/event is config:0-7). */
static int pf_parse_config(const char *s, __u64 *config)
{
	unsigned long v;
	char *end;

	if (strncmp(s, "event=0x", 8))
		return -EINVAL;
	s += 8;
	if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
	      (*s >= 'A' && *s <= 'F')))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (*end || errno || v > PF_MAX_EVENT)
		return -EINVAL;
	*config = v;
	return 0;
}

/* A decimal CPU number; *s moves past it. */
static int pf_parse_cpu(const char **s, int *cpu)
{
	long v = 0;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	while (**s >= '0' && **s <= '9') {
		v = v * 10 + (*(*s)++ - '0');
		if (v >= PF_MAX_CPU)
			return -ERANGE;
	}
	*cpu = v;
	return 0;
}

/* A cpulist ("0", "0,36", "0-3,8") into a new array of CPUs. */
static int pf_parse_cpulist(const char *s, int **out, unsigned int *nr)
{
	unsigned int n = 0, cap = 0;
	int *cpus = NULL, *tmp, a, b, err = 0;

	while (!err) {
		err = pf_parse_cpu(&s, &a);
		b = a;
		if (!err && *s == '-') {
			s++;
			err = pf_parse_cpu(&s, &b);
			if (!err && b < a)
				err = -EINVAL;
		}
		for (; !err && a <= b; a++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				tmp = NULL;
				if (cap <= PF_MAX_CPU)
					tmp = realloc(cpus, cap * sizeof(*tmp));
				if (!tmp) {
					err = -ENOMEM;
					break;
				}
				cpus = tmp;
			}
			cpus[n++] = a;
		}
		if (err || *s == '\0')
			break;
		if (*s++ != ',')
			err = -EINVAL;
	}
	if (err) {
		free(cpus);
		return err;
	}
	*out = cpus;
	*nr = n;
	return 0;
}

/* What the PMU says about one event; present false when it has none. */
static int pf_read_desc(const char *root, const struct pf_event *ev,
			struct pf_desc *d)
{
	char path[GA_PATH_MAX], buf[128];
	int err;

	d->present = false;
	err = ga_path(path, sizeof(path), root, PF_PMU "/events/%s", ev->name);
	if (!err)
		err = ga_read_str(path, buf, sizeof(buf));
	if (err == -ENOENT)
		return 0;
	if (!err)
		err = pf_parse_config(buf, &d->config);
	if (err)
		return err;
	err = ga_path(path, sizeof(path), root, PF_PMU "/events/%s.scale",
		      ev->name);
	if (!err)
		err = ga_read_str(path, buf, sizeof(buf));
	if (!err)
		err = pf_parse_scale(buf, &d->unit);
	if (err)
		return err;
	err = ga_path(path, sizeof(path), root, PF_PMU "/events/%s.unit",
		      ev->name);
	if (!err)
		err = ga_read_str(path, buf, sizeof(buf));
	if (!err && strcmp(buf, "Joules"))
		err = -EINVAL;
	if (err && err != -ENOENT)	/* no .unit: Joules by the scale */
		return err;
	d->present = true;
	return 0;
}

/*
 * The cpumask CPUs with their package and die; on AMD, one per package.
 * Return: 0 or -errno; *multi_die set when a package has several.
 */
static int pf_read_cpus(struct ga_esrc *s, const char *root,
			struct pf_cpu **out, unsigned int *nr, bool *multi_die)
{
	char path[GA_PATH_MAX], buf[4096];
	bool amd = ga_cpuinfo_rapl_per_package(root);
	unsigned int n, i, j, k = 0;
	struct pf_cpu *c;
	int *cpus, err;
	int64_t v;

	err = ga_path(path, sizeof(path), root, PF_PMU "/cpumask");
	if (!err)
		err = ga_read_str(path, buf, sizeof(buf));
	if (!err)
		err = pf_parse_cpulist(buf, &cpus, &n);
	if (err) {
		ga_esrc_reason(s, "perf: %s/cpumask: %s", PF_PMU,
			       strerror(-err));
		return err;
	}
	c = calloc(n, sizeof(*c));
	if (!c) {
		free(cpus);
		return -ENOMEM;
	}
	*multi_die = false;
	for (i = 0; i < n; i++) {
		struct pf_cpu *p = &c[k];

		p->cpu = cpus[i];
		p->pkg = i;	/* topology unknown: one package each */
		p->die = -1;
		if (!ga_path(path, sizeof(path), root,
			     PF_CPU "/cpu%d/topology/physical_package_id",
			     p->cpu) &&
		    !ga_read_s64(path, &v) && v >= 0 && v < PF_MAX_CPU)
			p->pkg = v;
		if (!ga_path(path, sizeof(path), root,
			     PF_CPU "/cpu%d/topology/die_id", p->cpu) &&
		    !ga_read_s64(path, &v) && v >= 0 && v < PF_MAX_CPU)
			p->die = v;
		for (j = 0; j < k && c[j].pkg != p->pkg; j++)
			;
		if (j < k && amd)
			continue;	/* the same per-package counter */
		if (j < k)
			*multi_die = true;
		k++;
	}
	free(cpus);
	/* a die number for every CPU of a multi-die package */
	for (i = 0; i < k; i++) {
		if (c[i].die >= 0)
			continue;
		c[i].die = 0;
		for (j = 0; j < i; j++)
			if (c[j].pkg == c[i].pkg)
				c[i].die++;
	}
	*out = c;
	*nr = k;
	return 0;
}

static void pf_close(struct ga_esrc *s)
{
	struct pf_zone *pz = s->priv;
	unsigned int i;

	for (i = 0; pz && i < s->nr_zones; i++)
		if (pz[i].fd >= 0)
			close(pz[i].fd);
	free(pz);
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

static void pf_denied(struct ga_esrc *s, const char *root,
		      const struct pf_event *ev, int cpu, int err)
{
	char path[GA_PATH_MAX], now[24] = "unknown";
	int64_t v;

	if (!ga_path(path, sizeof(path), root,
		     "proc/sys/kernel/perf_event_paranoid") &&
	    !ga_read_s64(path, &v))
		snprintf(now, sizeof(now), "%lld", (long long)v);
	ga_esrc_reason(s,
		       "perf: power/%s on CPU %d: %s: system-wide events need root, CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8) or kernel.perf_event_paranoid <= 0 (it is %s): run as root, or sysctl -w kernel.perf_event_paranoid=0",
		       ev->name, cpu, strerror(-err), now);
}

/* One zone: its event opened on its CPU and its first count. */
static int pf_start_zone(struct ga_esrc *s, const char *root, __u32 type,
			 const struct pf_cpu *c, const struct pf_event *ev,
			 const struct pf_desc *d, bool multi_die)
{
	struct ga_zone *z = &s->zones[s->nr_zones];
	struct pf_zone *p = &((struct pf_zone *)s->priv)[s->nr_zones];
	__u64 count;
	int fd, err;

	fd = ga_perf_event_open(type, d->config, c->cpu);
	if (fd == -EACCES || fd == -EPERM) {
		pf_denied(s, root, ev, c->cpu, fd);
		return fd;
	}
	if (fd < 0)
		return fd;
	memset(z, 0, sizeof(*z));
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->cpu = c->cpu;
	if (multi_die)
		snprintf(z->name, sizeof(z->name), "%s-%d-die-%d", ev->zone,
			 c->pkg, c->die);
	else
		snprintf(z->name, sizeof(z->name), "%s-%d", ev->zone, c->pkg);
	snprintf(z->label, sizeof(z->label), "power/%s cpu%d", ev->name,
		 c->cpu);
	z->kind = ev->kind;
	z->source = GREENAI_SRC_PERF;
	z->package = c->pkg;
	z->parent = -1;
	err = ga_perf_event_read(fd, &count);
	if (err) {
		ga_zone_error(z, "read: %s", strerror(-err));
	} else {
		ga_counter_init(&p->ctr, 64, d->unit, 0, count);
		p->last_ns = ga_mono_ns();
		p->have_last = true;
	}
	p->ctr.unit = d->unit;
	s->nr_zones++;
	return 0;
}

/* Cores and uncore in their package; packages and DRAM in psys. */
static void pf_nest(struct ga_esrc *s)
{
	const struct pf_zone *pz = s->priv;
	unsigned int i, j;
	int psys = -1;

	for (i = 0; i < s->nr_zones && psys < 0; i++)
		if (s->zones[i].kind == GREENAI_DOM_PSYS)
			psys = i;
	for (i = 0; i < s->nr_zones; i++) {
		struct ga_zone *z = &s->zones[i];

		if (z->kind == GREENAI_DOM_PACKAGE ||
		    z->kind == GREENAI_DOM_DRAM) {
			z->parent = psys;
			continue;
		}
		if (z->kind != GREENAI_DOM_CORE &&
		    z->kind != GREENAI_DOM_UNCORE)
			continue;
		/* the package counted on the same CPU */
		for (j = 0; j < s->nr_zones; j++)
			if (s->zones[j].kind == GREENAI_DOM_PACKAGE &&
			    pz[j].cpu == pz[i].cpu)
				z->parent = j;
	}
}

static int pf_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	const char *root = conf ? conf->root : NULL;
	struct pf_desc desc[PF_NR_EVENTS];
	char path[GA_PATH_MAX];
	struct pf_cpu *cpus = NULL;
	unsigned int nr_cpus = 0, i, e, nr_events = 0;
	int err, last_err = -ENODEV;
	bool multi_die;
	uint64_t type;

	err = ga_path(path, sizeof(path), root, PF_PMU "/type");
	if (!err)
		err = ga_read_u64(path, &type);
	if (!err && type > 0xffffffffULL)
		err = -ERANGE;
	if (err == -ENOENT) {
		ga_esrc_reason(s, "perf: no power PMU (%s): no RAPL here",
			       PF_PMU);
		return err;
	}
	if (err) {
		ga_esrc_reason(s, "perf: %s/type: %s", PF_PMU, strerror(-err));
		return err;
	}
	for (e = 0; e < PF_NR_EVENTS; e++) {
		err = pf_read_desc(root, &pf_events[e], &desc[e]);
		if (err) {
			desc[e].present = false;
			last_err = err;
		}
		nr_events += desc[e].present;
	}
	if (!nr_events) {
		ga_esrc_reason(s, "perf: no usable event under %s/events",
			       PF_PMU);
		return last_err;
	}
	err = pf_read_cpus(s, root, &cpus, &nr_cpus, &multi_die);
	if (err)
		return err;
	s->zones = calloc(nr_cpus * nr_events + 1, sizeof(*s->zones));
	s->priv = calloc(nr_cpus * nr_events + 1, sizeof(struct pf_zone));
	if (!s->zones || !s->priv) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_cpus; i++) {
		for (e = 0; e < PF_NR_EVENTS; e++) {
			if (!desc[e].present)
				continue;
			err = pf_start_zone(s, root, (__u32)type, &cpus[i],
					    &pf_events[e], &desc[e], multi_die);
			if (err == -EACCES || err == -EPERM || err == -ENOMEM)
				goto out;
			if (err)
				last_err = err;	/* not on this CPU */
		}
	}
	err = 0;
	if (!s->nr_zones) {
		ga_esrc_reason(s, "perf: no power event could be opened: %s",
			       strerror(-last_err));
		err = last_err;
	}
	pf_nest(s);
out:
	free(cpus);
	if (err)
		pf_close(s);
	return err;
}

/* One zone: a new count turned into energy. */
static int pf_read_zone(struct ga_zone *z, struct pf_zone *p, __u64 now_ns)
{
	__u64 count, counts, delta, elapsed = 0;
	__u32 flags;
	int err;

	z->error[0] = '\0';
	err = ga_perf_event_read(p->fd, &count);
	if (err) {
		ga_zone_error(z, "read: %s", strerror(-err));
		return err;
	}
	if (!p->have_last) {
		/* the first good count: the baseline */
		ga_counter_init(&p->ctr, 64, p->ctr.unit, 0, count);
		goto out;
	}
	if (now_ns > p->last_ns)
		elapsed = now_ns - p->last_ns;
	/* modulo 2^64: one wrap, which must fit in max power too */
	counts = count - p->ctr.last_raw;
	if (ga_mul_div(counts, p->ctr.unit.num, p->ctr.unit.den) >
	    ga_energy_limit_uj(GA_RAPL_MAX_POWER_UW, elapsed)) {
		ga_zone_error(z, "count %s from %llu to %llu",
			      count < p->ctr.last_raw ? "went back" : "jumped",
			      (unsigned long long)p->ctr.last_raw,
			      (unsigned long long)count);
		p->ctr.last_raw = count;
		err = -ERANGE;
		goto out;
	}
	flags = ga_counter_update(&p->ctr, count, elapsed, &delta);
	ga_zone_count(z, delta, elapsed);
	z->flags |= flags;
out:
	p->last_ns = now_ns;
	p->have_last = true;
	return err;
}

static int pf_read(struct ga_esrc *s, unsigned int i, __u64 now_ns)
{
	struct pf_zone *pz = s->priv;

	return pf_read_zone(&s->zones[i], &pz[i], now_ns);
}

const struct ga_esrc_ops ga_esrc_perf = {
	.name = "perf",
	.open = pf_open,
	.read_zone = pf_read,
	.close = pf_close,
};
