/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uthash, as libgreenai and its tools use it: tables that hold every
 * process, looked up for each at every sample. uthash starts a table at 32
 * buckets and doubles them only when a chain reaches 10 entries, so that
 * a table of 10 000 processes walks chains of several entries (a cache
 * miss each) per lookup. Tables here start at 16 384 buckets (256 KiB of
 * bucket heads on 64-bit), so that a lookup is about one entry up to that
 * many processes; uthash still doubles them past it.
 */
#ifndef _GREENAI_HASH_H
#define _GREENAI_HASH_H

#include <uthash.h>

/* uthash's macros read these where they are used: after the header, then */
#undef HASH_INITIAL_NUM_BUCKETS
#undef HASH_INITIAL_NUM_BUCKETS_LOG2
#define HASH_INITIAL_NUM_BUCKETS 16384U
#define HASH_INITIAL_NUM_BUCKETS_LOG2 14U

#endif /* _GREENAI_HASH_H */
