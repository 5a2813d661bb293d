// SPDX-License-Identifier: GPL-2.0
/*
 * The idle policy a user chose (idle.h): parsed strictly, described the
 * same way by every tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greenai/files.h>
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

int ga_idle_saved_path(char *buf, size_t size, bool mine)
{
	static const char host[] = "/etc/greenai/idle-power";
	const char *env = getenv("GREENAI_CALIBRATION");
	int r;

	if (env && *env) {
		if (strlen(env) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, env);
		return 0;
	}
	if (geteuid() != 0) {
		r = ga_xdg_path(buf, size, "XDG_STATE_HOME", ".local/state",
				"greenai/idle-power");
		/* a user without one of their own reads the host's */
		if ((!r && (mine || !access(buf, F_OK))) || (r && mine))
			return r;
	}
	if (sizeof(host) > size)
		return -ENAMETOOLONG;
	strcpy(buf, host);
	return 0;
}

/* One line of a saved calibration into @p. Return: 0, or -EINVAL and @why. */
static int idle_saved_line(const char *line, struct ga_idle_power *p,
			   const struct ga_idle_power *seen, unsigned int n,
			   char *why, size_t why_size)
{
	unsigned int i;

	if (!strchr(line, '=') || *line == '=') {
		snprintf(why, why_size, "'%.64s' is not NAME=W", line);
		return -EINVAL;
	}
	if (idle_power_item(line, p, why, why_size))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!strcmp(seen[i].domain, p->domain)) {
			snprintf(why, why_size, "'%s' given twice", p->domain);
			return -EINVAL;
		}
	}
	if (n == GA_IDLE_POWERS_MAX) {
		snprintf(why, why_size, "more than %d domains",
			 GA_IDLE_POWERS_MAX);
		return -EINVAL;
	}
	return 0;
}

int ga_idle_conf_load_saved(struct ga_idle_conf *c, const char *path,
			    char *err, size_t err_size)
{
	struct ga_idle_power saved[GA_IDLE_POWERS_MAX + 1];
	unsigned int n = 0, line = 0;
	char buf[256], why[160];
	FILE *f = fopen(path, "r");
	int r = 0;

	if (!f)
		return 0;
	while (!r && fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);

		line++;
		if (len && buf[len - 1] == '\n') {
			buf[--len] = '\0';
		} else if (!feof(f)) {
			snprintf(why, sizeof(why),
				 "a line longer than %zu bytes",
				 sizeof(buf) - 2);
			r = -EINVAL;
			break;
		}
		if (!len || buf[0] == '#')
			continue;
		r = idle_saved_line(buf, &saved[n], saved, n, why,
				    sizeof(why));
		n += !r;
	}
	fclose(f);
	if (r) {
		snprintf(err, err_size, "%.3800s:%u: %s", path, line, why);
		return r;
	}
	memcpy(c->saved, saved, n * sizeof(saved[0]));
	c->nr_saved = n;
	return 0;
}

__u64 ga_idle_conf_saved(const struct ga_idle_conf *c, const char *domain)
{
	unsigned int i;

	for (i = 0; i < c->nr_saved; i++)
		if (!strcmp(c->saved[i].domain, domain))
			return c->saved[i].uw;
	return 0;
}

int ga_idle_save(const char *path, const struct ga_idle_power *p,
		 unsigned int n, const char *comment)
{
	char text[GA_IDLE_POWERS_MAX * 64 + 512];
	size_t off;
	unsigned int i;
	int r;

	off = snprintf(text, sizeof(text), "# %.400s\n", comment);
	for (i = 0; i < n && i < GA_IDLE_POWERS_MAX; i++)
		off += snprintf(text + off, sizeof(text) - off,
				"%s=%llu.%03llu\n", p[i].domain,
				(unsigned long long)(p[i].uw / 1000000),
				(unsigned long long)(p[i].uw / 1000 % 1000));
	r = ga_mkdir_parents(path, 0755);
	return r ?: ga_write_atomic(path, text, off, 0644);
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
