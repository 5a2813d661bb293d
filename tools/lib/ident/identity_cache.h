/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The identity cache (identity.c), private to the library: the engine
 * keeps each live process's identity (greenai/identity.h), keyed by pid
 * and start time, read once per process and again after an exec.
 */
#ifndef _GREENAI_IDENTITY_CACHE_H
#define _GREENAI_IDENTITY_CACHE_H

#include <stdint.h>

#include <greenai/identity.h>

/* The cache. */
struct ga_identity_cache;

struct ga_identity_conf {
	const char *root; /* NULL: "/" */
	unsigned int capacity; /* processes kept; 0: 4096 */
	const struct ga_cgroup_mount *mount; /* NULL: found under root */
};

/* ga_identity_cache_get() flags */
#define GA_ID_GET_REFRESH (1u << 0) /* reread all but the maps */
#define GA_ID_GET_RESCAN_MAPS (1u << 1) /* and scan the maps again */

struct ga_identity_cache_stats {
	uint64_t hits;
	uint64_t misses; /* read afresh, reused pids included */
	uint64_t reused; /* same pid, another start time */
	uint64_t evictions; /* dropped for room */
	uint64_t maps_scans;
	uint64_t renamed; /* a new name (an exec): read again */
	unsigned int entries;
};

int ga_identity_cache_new(struct ga_identity_cache **out,
			  const struct ga_identity_conf *conf);
void ga_identity_cache_free(struct ga_identity_cache *c);
int ga_identity_cache_get(struct ga_identity_cache *c, int pid,
			  unsigned int flags, const struct ga_identity **out);
void ga_identity_cache_forget(struct ga_identity_cache *c, int pid);
void ga_identity_cache_stats(const struct ga_identity_cache *c,
			     struct ga_identity_cache_stats *st);

#endif /* _GREENAI_IDENTITY_CACHE_H */
