// SPDX-License-Identifier: GPL-2.0
/*
 * Summing per-process weights by PID and handing out as many as fit
 * (shares.h).
 */
#include <stdlib.h>
#include <string.h>

#include "energy/shares.h"

static int ga_share_cmp(const void *a, const void *b)
{
	const struct ga_share *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/**
 * ga_shares_merge() - one entry per PID, as many as fit
 * @v: @nr weights, any order, PIDs repeated; sorted and summed in place
 * @nr: how many
 * @out: where the entries go, lowest PIDs first
 * @max: room in @out
 * @flags: GA_SHARE_TRUNCATED is added when there were more than @max PIDs
 *
 * Return: how many entries were written to @out.
 */
unsigned int ga_shares_merge(struct ga_share *v, unsigned int nr,
			     struct ga_share *out, unsigned int max,
			     __u32 *flags)
{
	unsigned int i, n = 0;

	if (nr)
		qsort(v, nr, sizeof(*v), ga_share_cmp);
	for (i = 0; i < nr; i++) {
		if (n && v[n - 1].pid == v[i].pid)
			v[n - 1].weight += v[i].weight;
		else
			v[n++] = v[i];
	}
	if (n > max) {
		*flags |= GA_SHARE_TRUNCATED;
		n = max;
	}
	if (n)
		memcpy(out, v, n * sizeof(*out));
	return n;
}
