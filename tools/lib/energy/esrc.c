// SPDX-License-Identifier: GPL-2.0
/*
 * The energy-source interface's dispatch and helpers (esrc.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "energy/esrc.h"

int ga_esrc_open(struct ga_esrc *s, const struct ga_esrc_ops *ops,
		 const struct ga_esrc_conf *conf)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	err = ops->open(s, conf);
	if (err && !s->reason[0])
		ga_esrc_reason(s, "%s: %s", ops->name, strerror(-err));
	return err;
}

/*
 * Each read's flags and errors are its own (a wrap is flagged in the
 * interval it happened in, every time): they are cleared before the
 * source reads, but for GREENAI_F_ESTIMATED and GREENAI_F_NESTED, which
 * say what the zone is.
 * A source read zone by zone has every zone read even when one fails;
 * the first error is returned.
 */
int ga_esrc_read(struct ga_esrc *s, __u64 now_ns,
		 const struct ga_activity *act)
{
	unsigned int i;
	int r = 0, err;

	for (i = 0; i < s->nr_zones; i++) {
		s->zones[i].flags &= GREENAI_F_ESTIMATED | GREENAI_F_NESTED;
		s->zones[i].error[0] = '\0';
	}
	if (s->ops->read_zone) {
		for (i = 0; i < s->nr_zones; i++) {
			err = s->ops->read_zone(s, i, now_ns);
			if (err && !r)
				r = err;
		}
	} else {
		r = s->ops->read(s, now_ns, act);
	}
	for (i = 0; i < s->nr_zones; i++)
		s->zones[i].flags_seen |= s->zones[i].flags;
	return r;
}

int ga_esrc_shares(struct ga_esrc *s, unsigned int zone,
		   struct ga_share *out, unsigned int max, __u32 *flags)
{
	*flags = 0;
	if (zone >= s->nr_zones)
		return -EINVAL;
	if (!s->ops->shares || !s->zones[zone].has_shares)
		return -EOPNOTSUPP;
	return s->ops->shares(s, zone, out, max, flags);
}

void ga_esrc_close(struct ga_esrc *s)
{
	if (s->ops && s->ops->close)
		s->ops->close(s);
	s->ops = NULL;
}

void ga_esrc_reason(struct ga_esrc *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

void ga_zone_error(struct ga_zone *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->error, sizeof(z->error), fmt, ap);
	va_end(ap);
}
