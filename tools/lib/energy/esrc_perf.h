/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The perf energy source's two system calls (esrc_perf.c), as hooks the
 * unit tests point at a fake power PMU: the machines greenai is developed
 * on have none. Set them before any source is opened; nothing but tests
 * changes them.
 */
#ifndef _GREENAI_ESRC_PERF_H
#define _GREENAI_ESRC_PERF_H

#include <linux/types.h>

/*
 * perf_event_open() of a system-wide counting event of PMU @type on @cpu:
 * a file descriptor, closed with close(), or -errno.
 */
extern int (*ga_perf_event_open)(__u32 type, __u64 config, int cpu);

/* read() of the event's 64-bit count: 0 or -errno. */
extern int (*ga_perf_event_read)(int fd, __u64 *count);

#endif /* _GREENAI_ESRC_PERF_H */
