// SPDX-License-Identifier: GPL-2.0
/*
 * The idle policy a user chose (idle.h): parsed strictly, described the
 * same way by every tool.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <greenai/idle.h>

#include "base/decimal.h"

int ga_idle_conf_share(struct ga_idle_conf *c, const char *name, char *err,
		       size_t err_size)
{
	__u32 share;

	if (!name || ga_idle_share_parse(name, &share)) {
		snprintf(err, err_size,
			 "idle policy '%.32s': not capacity, busy or none",
			 name ? name : "");
		return -EINVAL;
	}
	c->share = share;
	c->share_given = true;
	return 0;
}

/* One "W" or "NAME=W" item into @p. */
static int idle_power_item(const char *item, struct ga_idle_power *p,
			   char *err, size_t err_size)
{
	const char *eq = strchr(item, '='), *w = eq ? eq + 1 : item;
	size_t n = eq ? (size_t)(eq - item) : 0;
	uint64_t mw;

	memset(p, 0, sizeof(*p));
	if (eq && (!n || n >= sizeof(p->domain))) {
		snprintf(err, err_size,
			 "idle power '%.64s': a domain name is 1 to %zu characters",
			 item, sizeof(p->domain) - 1);
		return -EINVAL;
	}
	if (ga_parse_milli(w, GA_IDLE_POWER_MAX_MW, &mw) || !mw) {
		snprintf(err, err_size,
			 "idle power '%.64s': not watts above 0 and at most %d",
			 item, GA_IDLE_POWER_MAX_MW / 1000);
		return -EINVAL;
	}
	memcpy(p->domain, item, n);
	p->uw = mw * 1000;
	return 0;
}

int ga_idle_conf_power(struct ga_idle_conf *c, const char *spec, char *err,
		       size_t err_size)
{
	struct ga_idle_conf out = *c;
	char buf[1024], *save = NULL, *item;
	unsigned int i;

	if (!spec || !*spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, err_size,
			 "idle power: auto, util, or watts ('10', 'package-0=10,dram-0=2')");
		return -EINVAL;
	}
	out.nr_powers = 0;
	out.util = false;
	if (!strcmp(spec, "auto") || !strcmp(spec, "util")) {
		out.util = !strcmp(spec, "util");
		*c = out;
		return 0;
	}
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		struct ga_idle_power p;

		if (idle_power_item(item, &p, err, err_size))
			return -EINVAL;
		for (i = 0; i < out.nr_powers; i++) {
			if (!strcmp(out.powers[i].domain, p.domain)) {
				snprintf(err, err_size,
					 "idle power: '%s' given twice",
					 *p.domain ? p.domain : "every domain");
				return -EINVAL;
			}
		}
		if (out.nr_powers == GA_IDLE_POWERS_MAX) {
			snprintf(err, err_size,
				 "idle power: more than %d figures",
				 GA_IDLE_POWERS_MAX);
			return -EINVAL;
		}
		out.powers[out.nr_powers++] = p;
	}
	if (!out.nr_powers || spec[strlen(spec) - 1] == ',' ||
	    *spec == ',' || strstr(spec, ",,")) {
		snprintf(err, err_size, "idle power '%.64s': an empty item",
			 spec);
		return -EINVAL;
	}
	*c = out;
	return 0;
}

__u64 ga_idle_conf_fixed(const struct ga_idle_conf *c, const char *domain)
{
	__u64 all = 0;
	unsigned int i;

	for (i = 0; i < c->nr_powers; i++) {
		if (!strcmp(c->powers[i].domain, domain))
			return c->powers[i].uw;
		if (!*c->powers[i].domain)
			all = c->powers[i].uw;
	}
	return all;
}

void ga_idle_describe(const struct ga_idle_policy *p, const char *domain,
		      char *out, size_t size)
{
	if (p->basis == GREENAI_BASIS_UTIL)
		snprintf(out, size, "%s by utilisation", domain);
	else
		snprintf(out, size, "%s %s %llu.%03llu W", domain,
			 ga_idle_basis_name(p->basis),
			 (unsigned long long)(p->idle_power_uw / 1000000),
			 (unsigned long long)(p->idle_power_uw / 1000 % 1000));
}
