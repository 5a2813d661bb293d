/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The idle policy a user chose, as libgreenai takes it: who a domain's
 * idle energy goes to (capacity, busy, none: enum greenai_idle_share) and
 * how it is estimated (the utilisation ratio, or a fixed idle power for a
 * domain or all, else what is known of the domain: the power model's idle
 * power, a calibrated one). docs/attribution.md explains each.
 *
 * Zeroed, a struct ga_idle_conf is the default: capacity, and the idle
 * power from what is known.
 */
#ifndef _GREENAI_IDLE_H
#define _GREENAI_IDLE_H

#include <stdbool.h>
#include <stddef.h>

#include <greenai/attrib.h>

#define GA_IDLE_POWERS_MAX	GREENAI_MAX_DOMAINS
#define GA_IDLE_POWER_MAX_MW	10000000	/* 10 kW */

/* A fixed idle power for the domain of that name, or for all when "". */
struct ga_idle_power {
	char domain[GREENAI_NAME_LEN];
	__u64 uw;
};

struct ga_idle_conf {
	__u32 share;		/* enum greenai_idle_share */
	bool share_given;	/* chosen by the user, not the default */
	bool util;		/* by the utilisation ratio, whatever is known */
	unsigned int nr_powers;
	struct ga_idle_power powers[GA_IDLE_POWERS_MAX];
	/* a saved calibration: where each domain's calibration starts */
	unsigned int nr_saved;
	struct ga_idle_power saved[GA_IDLE_POWERS_MAX];
};

/* "capacity", "busy" or "none". Return: 0, or -EINVAL with @err set. */
int ga_idle_conf_share(struct ga_idle_conf *c, const char *name, char *err,
		       size_t err_size);
/*
 * The idle power: "auto" (what is known of each domain), "util" (the
 * utilisation ratio), or a comma-separated list of "W" (every domain)
 * and "NAME=W" (one domain), in watts, up to 3 decimals, above 0.
 * Return: 0, or -EINVAL with @err set and @c unchanged.
 */
int ga_idle_conf_power(struct ga_idle_conf *c, const char *spec, char *err,
		       size_t err_size);
/* The fixed idle power for a domain: its own, else every domain's, else 0. */
__u64 ga_idle_conf_fixed(const struct ga_idle_conf *c, const char *domain);
/*
 * A saved calibration (greenai calibrate --save): each measured domain's
 * idle power as it was learned on this host, one "NAME=W" a line, '#'
 * comments. A program that splits energy under the default idle power
 * starts each domain's calibration from it ("calibrated" from its first
 * interval, as a long-running one would be) and goes on learning.
 *
 * ga_idle_saved_path(): $GREENAI_CALIBRATION, else the user's
 * ($XDG_STATE_HOME/greenai/idle-power, ~/.local/state by default) when
 * @mine or when it exists, else the host's (/etc/greenai/idle-power;
 * root's own). Return: 0, -ENOENT without a home, -ENAMETOOLONG.
 * ga_idle_conf_load_saved(): the file at @path into @c; a file that is not
 * there gives nothing. Return: 0, or -EINVAL with @err set ("FILE:LINE:
 * what") and @c unchanged.
 * ga_idle_save(): write @n figures, after a comment line, to @path (its
 * directory made). Return: 0 or -errno.
 */
int ga_idle_saved_path(char *buf, size_t size, bool mine);
int ga_idle_conf_load_saved(struct ga_idle_conf *c, const char *path,
			    char *err, size_t err_size);
__u64 ga_idle_conf_saved(const struct ga_idle_conf *c, const char *domain);
int ga_idle_save(const char *path, const struct ga_idle_power *p,
		 unsigned int n, const char *comment);

/*
 * How a domain's idle part was estimated, as outputs say it:
 * "package-0 calibrated 9.800 W", "dram-0 by utilisation".
 */
void ga_idle_describe(const struct ga_idle_policy *p, const char *domain,
		      char *out, size_t size);

#endif /* _GREENAI_IDLE_H */
