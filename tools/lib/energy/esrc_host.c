// SPDX-License-Identifier: GPL-2.0
/*
 * The host energy source (GREENAI_SRC_HOST), for a virtual machine: the
 * energy its host measured for it, read from the hand-over tree the host's
 * greenai agent writes into a share the guest mounts read-only
 * (conf->host_dir under conf->root, GA_HOST_DIR_DEF by default;
 * docs/vms.md has the format, version 1):
 *
 *	greenai-host		"key value" lines: version 1, vm NAME,
 *				interval_ms N, seq N, idle_policy POLICY, and
 *				one "host:I source=SRC measured|estimated"
 *				line per domain, I = 0, 1, ...
 *	host:I/name		the host domain's name ("package-0")
 *	host:I/energy_uj	this VM's energy on it, µJ, wrapping to 0
 *				past max_energy_range_uj
 *	host:I/max_energy_range_uj
 *
 * Zones: one per host domain, in index order, named as the host names the
 * domain, labelled "host:I SRC". The kind comes from the name (package-*,
 * core-*, uncore-*, dram-*, psys*, gpu-*; anything else is a platform
 * zone). A guest sees one machine: every zone covers all its CPUs
 * (@package -1), whichever host package its vCPUs ran on, and is split
 * over its processes by run time as a package is. A domain the host
 * estimated (its power model) is flagged GREENAI_F_ESTIMATED.
 *
 * Strict at open: a description that is not version 1, a line that is
 * not "key value" of printable text, a known key twice or with a bad
 * value, a missing key, domain indices that are not 0..n-1, a file longer
 * than HOST_DESC_MAX, a domain file that is missing, not a plain decimal
 * (a sign, garbage, too long), an energy above its range, a range of 0,
 * or a name that is not [A-Za-z0-9._-] or is taken twice: the open fails
 * with a reason naming the file, and the source is not used. Lines of
 * other keys are left for later versions.
 *
 * Counting, as the powercap source counts RAPL: a reading below the last
 * one is a wrap, ΔE = range - old + new, flagged GREENAI_F_WRAPPED (a new
 * tree, after the host's agent restarted, counts from 0 again: a wrap
 * too); one that would mean more than GA_RAPL_MAX_POWER_UW since the last
 * reading is an error, and counting starts again from it.
 *
 * Liveness: the host bumps seq at every update. When seq has not changed
 * for HOST_STALE of the host's intervals (by the @now_ns of the reads), the
 * tree is stale: every zone is flagged GREENAI_F_STALE and its error says
 * so, for as long as it lasts. Its counters are still read (a stopped
 * counter gives no energy, which the flag marks as not known to be none).
 * A description that turns bad after open fails every zone's read with
 * the reason, their energy kept.
 *
 * Locking: none; one caller per source (esrc.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/attrib.h>
#include <greenai/clock.h>
#include <greenai/files.h>
#include <greenai/rapl.h>

#include "energy/esrc.h"
#include "energy/meter.h"

#define HOST_DESC		"greenai-host"
#define HOST_DESC_MAX		4096	/* bytes of greenai-host */
#define HOST_MAX_ZONES		GREENAI_MAX_DOMAINS	/* as the host writes */
#define HOST_STALE		3	/* host intervals without a new seq */
#define HOST_MAX_INTERVAL_MS	3600000
#define HOST_VM_LEN		64
#define HOST_SRC_LEN		16
#define HOST_MSG_LEN		192

/* What greenai-host says. */
struct host_desc {
	char vm[HOST_VM_LEN + 1];
	__u64 interval_ms;
	__u64 seq;
	unsigned int nr;			/* domains */
	char src[HOST_MAX_ZONES][HOST_SRC_LEN + 1];
	bool estimated[HOST_MAX_ZONES];
};

/* Per-zone state. */
struct host_zone {
	char *energy_path;
	__u64 range;
	__u64 wrap_ns;		/* time to cover the range at max power */
	__u64 last;		/* last good reading */
	__u64 last_ns;
};

struct host_priv {
	char *dir;		/* the tree, root included */
	char vm[HOST_VM_LEN + 1];
	__u64 interval_ms;
	__u64 seq;		/* the last seq read */
	__u64 seq_ns;		/* when it was first read */
	struct host_zone z[HOST_MAX_ZONES];
};

/* [A-Za-z0-9._-], 1 to @max bytes, not starting with '.' when @no_dot. */
static bool host_name_ok(const char *s, size_t max, bool no_dot)
{
	size_t n = strlen(s), i;

	if (!n || n > max || (no_dot && s[0] == '.'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* "host:I" with I a decimal without leading zeros below HOST_MAX_ZONES. */
static int host_index(const char *key, unsigned int *idx)
{
	const char *d = key + 5;
	uint64_t v;

	if (strncmp(key, "host:", 5) || (d[0] == '0' && d[1]) ||
	    ga_parse_u64(d, &v))
		return -EINVAL;
	if (v >= HOST_MAX_ZONES)
		return -ERANGE;
	*idx = v;
	return 0;
}

/* "source=SRC measured|estimated" */
static bool host_domain_line(char *val, struct host_desc *d, unsigned int i)
{
	char *src = val + 7, *kind = strchr(val, ' ');
	size_t n;

	if (strncmp(val, "source=", 7) || !kind)
		return false;
	n = kind - src;
	*kind++ = '\0';
	if (!n || n > HOST_SRC_LEN)
		return false;
	for (; *src; src++)
		if (!((*src >= 'a' && *src <= 'z') ||
		      (*src >= '0' && *src <= '9') || *src == '-' ||
		      *src == '_'))
			return false;
	if (!strcmp(kind, "measured"))
		d->estimated[i] = false;
	else if (!strcmp(kind, "estimated"))
		d->estimated[i] = true;
	else
		return false;
	memcpy(d->src[i], val + 7, n);
	d->src[i][n] = '\0';
	return true;
}

enum { HK_VERSION, HK_VM, HK_INTERVAL, HK_SEQ, HK_IDLE, HK_NR };

static const char *const host_keys[HK_NR] = {
	[HK_VERSION] = "version", [HK_VM] = "vm",
	[HK_INTERVAL] = "interval_ms", [HK_SEQ] = "seq",
	[HK_IDLE] = "idle_policy",
};

/* One "key value" line; @seen: the keys and domains had so far. */
static int host_line(char *line, struct host_desc *d, unsigned int *seen,
		     uint64_t *doms, uint64_t *version, char *msg,
		     size_t size)
{
	char *val = strchr(line, ' ');
	unsigned int k, i;
	uint64_t v;
	int r;

	if (!val || val == line || !val[1]) {
		snprintf(msg, size, "'key value' expected");
		return -EINVAL;
	}
	*val++ = '\0';
	if (!strncmp(line, "host:", 5)) {
		r = host_index(line, &i);
		if (r) {
			if (r == -ERANGE)
				snprintf(msg, size, "%s: more domains than %d",
					 line, GREENAI_MAX_DOMAINS);
			else
				snprintf(msg, size, "%s: not host:INDEX", line);
			return -EINVAL;
		}
		if (*doms & (1ULL << i)) {
			snprintf(msg, size, "%s given twice", line);
			return -EINVAL;
		}
		if (!host_domain_line(val, d, i)) {
			snprintf(msg, size,
				 "%s: 'source=SRC measured|estimated' expected",
				 line);
			return -EINVAL;
		}
		*doms |= 1ULL << i;
		return 0;
	}
	for (k = 0; k < HK_NR; k++)
		if (!strcmp(line, host_keys[k]))
			break;
	if (k == HK_NR)
		return 0;	/* a later version's */
	if (*seen & (1U << k)) {
		snprintf(msg, size, "%s given twice", line);
		return -EINVAL;
	}
	*seen |= 1U << k;
	switch (k) {
	case HK_VERSION:
		if (ga_parse_u64(val, version))
			goto bad;
		return 0;
	case HK_VM:
		if (!host_name_ok(val, HOST_VM_LEN, true))
			goto bad;
		strcpy(d->vm, val);
		return 0;
	case HK_INTERVAL:
		if (ga_parse_u64(val, &v) || !v || v > HOST_MAX_INTERVAL_MS)
			goto bad;
		d->interval_ms = v;
		return 0;
	case HK_SEQ:
		if (ga_parse_u64(val, &v))
			goto bad;
		d->seq = v;
		return 0;
	default:
		return 0;	/* idle_policy: for people */
	}
bad:
	snprintf(msg, size, "%s: bad value '%.40s'", line, val);
	return -EINVAL;
}

/* Parse greenai-host's text (@len bytes, NUL-terminated). */
static int host_parse(char *text, size_t len, struct host_desc *d, char *msg,
		      size_t size)
{
	unsigned int seen = 0, line = 0, k;
	uint64_t doms = 0;
	uint64_t version = 0;
	char *p = text, *nl;
	size_t i;
	int r, off;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < len; i++) {
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e)) {
			snprintf(msg, size,
				 "byte %zu: not printable text (a byte 0x%02x)",
				 i, (unsigned char)text[i]);
			return -EINVAL;
		}
	}
	while (*p) {
		line++;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		off = snprintf(msg, size, "line %u: ", line);
		if (off < 0 || (size_t)off >= size)
			off = 0;
		r = host_line(p, d, &seen, &doms, &version, msg + off,
			      size - off);
		if (r)
			return r;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!(seen & (1U << HK_VERSION))) {
		snprintf(msg, size, "no version line");
		return -EINVAL;
	}
	if (version != 1) {
		snprintf(msg, size, "version %llu: only version 1 is read",
			 (unsigned long long)version);
		return -EINVAL;
	}
	for (k = 0; k < HK_NR; k++) {
		if (k != HK_IDLE && !(seen & (1U << k))) {
			snprintf(msg, size, "no %s line", host_keys[k]);
			return -EINVAL;
		}
	}
	while (d->nr < HOST_MAX_ZONES && (doms & (1ULL << d->nr)))
		d->nr++;
	if (!d->nr || doms != (1ULL << d->nr) - 1) {
		snprintf(msg, size, "%s", d->nr ?
			 "domain indices are not 0, 1, ... without a gap" :
			 "no domain (no host:0 line)");
		return -EINVAL;
	}
	return 0;
}

/* Read and parse the tree's greenai-host; @msg says what is wrong. */
static int host_load(const char *dir, struct host_desc *d, char *msg,
		     size_t size)
{
	char path[GA_PATH_MAX], why[HOST_MSG_LEN];
	size_t len = 0;
	char *text;
	int r;

	r = ga_path(path, sizeof(path), dir, HOST_DESC);
	if (!r)
		r = ga_read_file(path, HOST_DESC_MAX, &text, &len);
	if (r) {
		snprintf(msg, size, "%s/%s: %s", dir, HOST_DESC,
			 r == -EFBIG ? "longer than 4096 bytes" :
				       strerror(-r));
		return r == -EFBIG ? -EINVAL : r;
	}
	r = host_parse(text, len, d, why, sizeof(why));
	free(text);
	if (r)
		snprintf(msg, size, "%s/%s: %s", dir, HOST_DESC, why);
	return r;
}

/* What a ga_read_u64() error means to a reader of a domain file. */
static const char *host_why(int err)
{
	switch (err) {
	case -ENOENT:
		return "missing";
	case -EINVAL:
		return "not a plain decimal number";
	case -ERANGE:
		return "out of range";
	default:
		return strerror(-err);
	}
}

static __u16 host_kind(const char *name)
{
	static const struct {
		const char *prefix;
		__u16 kind;
	} k[] = {
		{ "package", GREENAI_DOM_PACKAGE }, { "core", GREENAI_DOM_CORE },
		{ "uncore", GREENAI_DOM_UNCORE }, { "dram", GREENAI_DOM_DRAM },
		{ "psys", GREENAI_DOM_PSYS }, { "gpu", GREENAI_DOM_GPU },
	};
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		n = strlen(k[i].prefix);
		if (!strncmp(name, k[i].prefix, n) &&
		    (name[n] == '\0' || name[n] == '-'))
			return k[i].kind;
	}
	return GREENAI_DOM_PLATFORM;
}

/* Domain @i's name, range and first reading into zone @i. */
static int host_start_zone(struct ga_esrc *s, struct host_priv *p,
			   const struct host_desc *d, unsigned int i)
{
	struct ga_zone *z = &s->zones[i];
	struct host_zone *hz = &p->z[i];
	char path[GA_PATH_MAX];
	const char *file, *why;
	unsigned int j;
	uint64_t v;
	int r;

	file = "name";
	r = ga_path(path, sizeof(path), p->dir, "host:%u/name", i);
	if (!r)
		r = ga_read_str(path, z->name, sizeof(z->name));
	if (r)
		goto bad;
	if (!host_name_ok(z->name, GREENAI_NAME_LEN - 1, false)) {
		r = -EINVAL;
		goto bad;
	}
	for (j = 0; j < i; j++) {
		if (!strcmp(s->zones[j].name, z->name)) {
			ga_esrc_reason(s, "host: %s/host:%u/name: '%s' is host:%u's too",
				       p->dir, i, z->name, j);
			return -EINVAL;
		}
	}
	file = "max_energy_range_uj";
	r = ga_path(path, sizeof(path), p->dir, "host:%u/%s", i, file);
	if (!r)
		r = ga_read_u64(path, &v);
	if (!r && !v)
		r = -ERANGE;
	if (r)
		goto bad;
	hz->range = v;
	hz->wrap_ns = ga_mul_div(v, GA_NSEC_PER_SEC, GA_RAPL_MAX_POWER_UW);
	file = "energy_uj";
	r = ga_path(path, sizeof(path), p->dir, "host:%u/%s", i, file);
	if (!r)
		r = ga_read_u64(path, &v);
	if (!r && v > hz->range)
		r = -ERANGE;
	if (r)
		goto bad;
	hz->energy_path = strdup(path);
	if (!hz->energy_path)
		return -ENOMEM;
	hz->last = v;
	hz->last_ns = ga_mono_ns();

	snprintf(z->label, sizeof(z->label), "host:%u %s", i, d->src[i]);
	z->kind = host_kind(z->name);
	z->source = GREENAI_SRC_HOST;
	z->flags = d->estimated[i] ? GREENAI_F_ESTIMATED : 0;
	z->package = -1;
	z->parent = -1;
	z->range_uj = hz->range;
	return 0;
bad:
	if (r == -EFBIG)
		why = "too long";
	else if (r == -EINVAL && !strcmp(file, "name"))
		why = "not a domain name ([A-Za-z0-9._-])";
	else if (r == -ERANGE && !strcmp(file, "energy_uj"))
		why = "above max_energy_range_uj";
	else if (r == -ERANGE)
		why = "0 or out of range";
	else
		why = host_why(r);
	ga_esrc_reason(s, "host: %s/host:%u/%s: %s", p->dir, i, file, why);
	return -EINVAL;
}

/* Cores and uncore are in the first package, packages and DRAM in psys. */
static void host_nest(struct ga_esrc *s)
{
	int pkg = -1, psys = -1;
	unsigned int i;

	for (i = 0; i < s->nr_zones; i++) {
		if (pkg < 0 && s->zones[i].kind == GREENAI_DOM_PACKAGE)
			pkg = i;
		if (psys < 0 && s->zones[i].kind == GREENAI_DOM_PSYS)
			psys = i;
	}
	for (i = 0; i < s->nr_zones; i++) {
		switch (s->zones[i].kind) {
		case GREENAI_DOM_CORE:
		case GREENAI_DOM_UNCORE:
			s->zones[i].parent = pkg;
			break;
		case GREENAI_DOM_PACKAGE:
		case GREENAI_DOM_DRAM:
			s->zones[i].parent = psys;
			break;
		}
	}
}

static void host_close(struct ga_esrc *s)
{
	struct host_priv *p = s->priv;
	unsigned int i;

	if (p) {
		for (i = 0; i < HOST_MAX_ZONES; i++)
			free(p->z[i].energy_path);
		free(p->dir);
	}
	free(p);
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

static int host_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	const char *dir = conf && conf->host_dir ? conf->host_dir :
						   GA_HOST_DIR_DEF;
	char path[GA_PATH_MAX], msg[GA_ESRC_REASON_LEN - 8];
	struct host_priv *p;
	struct host_desc d;
	unsigned int i;
	int r;

	if (dir[0] != '/') {
		ga_esrc_reason(s, "host: %s: not an absolute path", dir);
		return -EINVAL;
	}
	r = ga_path(path, sizeof(path), conf ? conf->root : NULL, "%s",
		    dir + 1);
	if (r) {
		ga_esrc_reason(s, "host: %s: path too long", dir);
		return r;
	}
	p = calloc(1, sizeof(*p));
	s->priv = p;
	s->zones = calloc(HOST_MAX_ZONES, sizeof(*s->zones));
	if (!p || !s->zones || !(p->dir = strdup(path))) {
		host_close(s);
		return -ENOMEM;
	}
	r = host_load(p->dir, &d, msg, sizeof(msg));
	if (r == -ENOENT)
		ga_esrc_reason(s,
			       "host: no hand-over tree at %s (not a VM guest, or its host's share is not mounted there)",
			       p->dir);
	else if (r)
		ga_esrc_reason(s, "host: %s", msg);
	for (i = 0; !r && i < d.nr; i++) {
		r = host_start_zone(s, p, &d, i);
		s->nr_zones = i + 1;
	}
	if (r) {
		host_close(s);
		return r;
	}
	host_nest(s);
	strcpy(p->vm, d.vm);
	p->interval_ms = d.interval_ms;
	p->seq = d.seq;
	p->seq_ns = ga_mono_ns();
	return 0;
}

/* One zone: its counter read again, turned into energy. */
static int host_read_zone(struct ga_zone *z, struct host_zone *hz,
			  __u64 now_ns)
{
	__u64 elapsed = 0;
	uint64_t v;
	int err;

	err = ga_read_u64(hz->energy_path, &v);
	if (!err && v > hz->range)
		err = -ERANGE;
	if (err) {
		ga_zone_error(z, "energy_uj: %s",
			      err == -ERANGE ? "above max_energy_range_uj" :
					       host_why(err));
		return err;
	}
	if (now_ns > hz->last_ns)
		elapsed = now_ns - hz->last_ns;
	err = ga_zone_count_wrap(z, hz->last, v, hz->range, elapsed,
				 hz->wrap_ns);
	hz->last = v;
	hz->last_ns = now_ns;
	return err;
}

static int host_read(struct ga_esrc *s, __u64 now_ns,
		     const struct ga_activity *act)
{
	struct host_priv *p = s->priv;
	char msg[GA_ESRC_REASON_LEN];
	struct host_desc d;
	unsigned int i;
	bool stale = false;
	int r, err;

	(void)act;
	r = host_load(p->dir, &d, msg, sizeof(msg));
	if (!r && strcmp(d.vm, p->vm)) {
		snprintf(msg, sizeof(msg), "%s: vm %s, not %s", HOST_DESC,
			 d.vm, p->vm);
		r = -EINVAL;
	}
	if (r) {
		for (i = 0; i < s->nr_zones; i++)
			ga_zone_error(&s->zones[i], "%s", msg);
		return r;
	}
	p->interval_ms = d.interval_ms;
	if (d.seq != p->seq) {
		p->seq = d.seq;
		p->seq_ns = now_ns;
	} else if (now_ns > p->seq_ns &&
		   now_ns - p->seq_ns >=
			   HOST_STALE * p->interval_ms * 1000000ULL) {
		stale = true;
	}
	for (i = 0; i < s->nr_zones; i++) {
		struct ga_zone *z = &s->zones[i];

		if (i >= d.nr) {
			ga_zone_error(z, "host:%u: not in %s any more", i,
				      HOST_DESC);
			err = -ENOENT;
		} else {
			err = host_read_zone(z, &p->z[i], now_ns);
		}
		if (stale) {
			z->flags |= GREENAI_F_STALE;
			if (!err) {
				ga_zone_error(z,
					      "stale: the host's tree is at seq %llu for %llu ms (it updates every %llu ms)",
					      (unsigned long long)p->seq,
					      (unsigned long long)((now_ns -
								    p->seq_ns) /
								   1000000),
					      (unsigned long long)p->interval_ms);
				err = -ESTALE;
			}
		}
		if (err && !r)
			r = err;
	}
	return r;
}

/**
 * ga_esrc_host_counter() - a host zone's counter as the tree gave it
 * @s: an open host source
 * @zone: the zone (the host's index)
 * @energy_uj: set to the counter at the last read, µJ
 * @range_uj: set to its max_energy_range_uj
 *
 * For greenai.ko's source=host, which counts the host's counters itself
 * (mode_kmod.c feeds them in).
 *
 * Return: 0; -EINVAL when @s is not the host source or has no such zone;
 * -ESTALE when the zone's last read failed or found the tree stale (its
 * counter is then not to be passed on).
 */
int ga_esrc_host_counter(const struct ga_esrc *s, unsigned int zone,
			 __u64 *energy_uj, __u64 *range_uj)
{
	const struct host_priv *p = s->priv;

	if (s->ops != &ga_esrc_host || !p || zone >= s->nr_zones)
		return -EINVAL;
	if (s->zones[zone].error[0])
		return -ESTALE;
	*energy_uj = p->z[zone].last;
	*range_uj = p->z[zone].range;
	return 0;
}

const struct ga_esrc_ops ga_esrc_host = {
	.name = "host",
	.open = host_open,
	.read = host_read,
	.close = host_close,
};
