// SPDX-License-Identifier: GPL-2.0
/*
 * The host's figures: the energy source (greenai_host_ops) of a virtual
 * machine's guest, source=host. The guest's host measures what the VM
 * used on each of its own domains and hands the counters over
 * (docs/vms.md); userspace feeds them in through the control file
 * (greenai_host_feed(), "host INDEX NAME ENERGY_UJ MAX_RANGE_UJ").
 *
 * The domains are named by the host_domains parameter, in the host's
 * index order, at load: NAME, or NAME:estimated where the host says its
 * figure is its power model's (flagged GREENAI_F_ESTIMATED, as the model's
 * are), NAME:measured being NAME. Each has one meter over every CPU: a
 * guest is one machine, whichever host package its vCPUs ran on, and each
 * domain is split over what ran as a package is. Source GREENAI_SRC_HOST.
 *
 * Counting: the first feed of a domain is its baseline and gives no
 * energy; a later one gives the increase since the one before, a counter
 * that went back counting as a wrap within the range, as powercap does
 * (flagged GREENAI_F_WRAPPED), unless that wrap would mean more than 1 kW
 * since the last feed: then the host's tree began again, and the counter
 * is counted from its new value. A feed with another range starts counting
 * again from it, giving no energy. The energy is taken by the next
 * interval close. Until the first feed, intervals get no energy and are
 * flagged GREENAI_F_STALE; so is every interval from the
 * GREENAI_HOST_STALE-th in a row that closed with no feed of the domain.
 *
 * Locking: the domains are made at init; feeds and the interval close
 * touch their counters under greenai_lock.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "internal.h"

/* Intervals in a row closed with no feed before a domain is stale. */
#define GREENAI_HOST_STALE	3

/* A host domain's counter, as fed. */
struct greenai_host_ctr {
	u64 last;		/* the last value fed, µJ */
	u64 range;		/* its range, µJ; 0 until the first feed */
	u64 at;			/* when it was fed last, ktime ns */
	u32 quiet;		/* intervals in a row closed with no feed */
	bool fed;		/* fed since the last close */
};

static struct greenai_host_ctr greenai_host_ctrs[GREENAI_MAX_DOMAINS];

/* [A-Za-z0-9._-], as the host names its domains. */
static bool greenai_host_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= GREENAI_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return true;
}

/*
 * NAME[:measured|:estimated] of host_domains, @len bytes at @p: the name's
 * length in *@name_len, and whether the host estimated it.
 */
static bool greenai_host_entry(const char *p, size_t len, size_t *name_len,
			       bool *estimated)
{
	const char *colon = memchr(p, ':', len);
	size_t n = colon ? colon - p : len;

	*name_len = n;
	*estimated = false;
	if (!greenai_host_name_ok(p, n))
		return false;
	if (!colon)
		return true;
	len -= n + 1;
	if (len == 9 && !memcmp(colon + 1, "estimated", 9)) {
		*estimated = true;
		return true;
	}
	return len == 8 && !memcmp(colon + 1, "measured", 8);
}

/* One domain per entry of host_domains, each over every CPU. */
static int greenai_host_domains(void)
{
	const char *p = greenai_host_domain_names, *end;
	unsigned int n = 0, i, j;
	size_t len, name_len;
	bool estimated;
	int err;

	if (!*p) {
		pr_err("source=host needs host_domains=NAME[,NAME...], the host's domain names in its order\n");
		return -EINVAL;
	}
	for (end = p; end; end = strchr(end + 1, ','))
		n++;
	if (n > GREENAI_MAX_DOMAINS) {
		pr_err("host_domains: %u names are more than %u domains\n", n,
		       GREENAI_MAX_DOMAINS);
		return -EINVAL;
	}
	err = greenai_domains_alloc(n, n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		end = strchrnul(p, ',');
		len = end - p;
		if (!greenai_host_entry(p, len, &name_len, &estimated)) {
			pr_err("host_domains: '%.*s' is not NAME or NAME:measured or NAME:estimated (NAME [A-Za-z0-9._-], 1 to %d bytes)\n",
			       (int)min_t(size_t, len, 2 * GREENAI_NAME_LEN), p,
			       GREENAI_NAME_LEN - 1);
			return -EINVAL;
		}
		memcpy(d->desc.name, p, name_len);
		for (j = 0; j < i; j++) {
			if (!strcmp(greenai_doms[j].desc.name, d->desc.name)) {
				pr_err("host_domains: '%s' named twice\n",
				       d->desc.name);
				return -EINVAL;
			}
		}
		greenai_meter_add(d);
		d->desc.kind = GREENAI_DOM_PACKAGE;
		d->desc.source = GREENAI_SRC_HOST;
		if (estimated)
			d->desc.flags |= GREENAI_F_ESTIMATED;
		d->desc.package = 0;
		d->desc.unit_num = 1;
		d->desc.unit_den = 1;
		p = end + 1;
	}
	memset(greenai_host_ctrs, 0, sizeof(greenai_host_ctrs));
	pr_info("%u domain(s) fed with the host's figures\n", n);
	return 0;
}

/* A CPU that comes online joins every domain. */
static void greenai_host_cpu_online(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		cpumask_set_cpu(cpu, &d->cpus);
		cpumask_set_cpu(cpu, &d->meters->cpus);
		d->desc.nr_cpus = cpumask_weight(&d->cpus);
	}
}

/**
 * greenai_host_feed() - a host domain's counter, read from the host
 * @index: the domain's index
 * @name: its name, which must be the domain's
 * @energy_uj: the counter, µJ, at most @range_uj
 * @range_uj: where it wraps to 0, µJ, not 0
 *
 * Caller holds greenai_lock; @range_uj and @energy_uj checked by the
 * caller.
 *
 * Return: 0, -ENODEV when the source is not the host's, or -ENOENT when
 * there is no such domain (nothing changes).
 */
int greenai_host_feed(unsigned int index, const char *name, u64 energy_uj,
		      u64 range_uj)
{
	u64 now = ktime_get_ns();	/* 1 µJ a ns is 1 kW */
	struct greenai_host_ctr *c;
	struct greenai_meter *m;
	struct greenai_dom *d;

	if (!greenai_nr_doms || greenai_doms[0].desc.source != GREENAI_SRC_HOST)
		return -ENODEV;
	if (index >= greenai_nr_doms ||
	    strcmp(greenai_doms[index].desc.name, name))
		return -ENOENT;
	d = &greenai_doms[index];
	m = d->meters;
	c = &greenai_host_ctrs[index];
	if (c->range == range_uj) {
		if (energy_uj >= c->last) {
			m->pending_uj += energy_uj - c->last;
		} else if (range_uj - c->last + energy_uj <= now - c->at) {
			m->pending_uj += range_uj - c->last + energy_uj;
			m->pending_flags |= GREENAI_F_WRAPPED;
		}
		/*
		 * else more than 1 kW since the last feed: not a wrap, the
		 * host's tree began again (its agent restarted); counted
		 * from the new value on
		 */
	}
	c->at = now;
	c->last = energy_uj;
	c->range = range_uj;
	c->fed = true;
	d->desc.range_uj = range_uj;
	return 0;
}

/* What was fed since the last close. */
static u64 greenai_host_energy(struct greenai_meter *m, u64 elapsed_ns,
			       u32 *flags)
{
	struct greenai_host_ctr *c = &greenai_host_ctrs[m->dom->desc.id];
	u64 uj = m->pending_uj;

	if (c->fed)
		c->quiet = 0;
	else if (c->quiet < GREENAI_HOST_STALE)
		c->quiet++;
	c->fed = false;
	*flags = m->pending_flags | (m->dom->desc.flags & GREENAI_F_ESTIMATED);
	if (!c->range || c->quiet >= GREENAI_HOST_STALE)
		*flags |= GREENAI_F_STALE;
	m->pending_uj = 0;
	m->pending_flags = 0;
	return uj;
}

/* No counter to start or stop: the feeds come from userspace. */
const struct greenai_source_ops greenai_host_ops = {
	.name = "host's figures",
	.domains = greenai_host_domains,
	.cpu_online = greenai_host_cpu_online,
	.energy = greenai_host_energy,
};
