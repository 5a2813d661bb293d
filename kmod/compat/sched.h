/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prototypes of the scheduler tracepoints greenai probes, across kernels.
 *
 * sched_switch gained its prev_state argument in 5.18 (commit fa2c3254d7cf,
 * "sched/tracing: Don't re-read p->state when emitting sched_switch
 * event"): [5.18, ...) (void *, bool, prev, next, unsigned int);
 * [4.15, 5.18) (void *, bool, prev, next).
 * sched_process_exit is (void *, struct task_struct *) on every kernel
 * greenai builds for.
 */
#ifndef _GREENAI_COMPAT_SCHED_H
#define _GREENAI_COMPAT_SCHED_H

#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
#define GREENAI_SCHED_SWITCH_PROTO(name)				\
	void name(void *data, bool preempt, struct task_struct *prev,	\
		  struct task_struct *next, unsigned int prev_state)
#else
#define GREENAI_SCHED_SWITCH_PROTO(name)				\
	void name(void *data, bool preempt, struct task_struct *prev,	\
		  struct task_struct *next)
#endif

#endif /* _GREENAI_COMPAT_SCHED_H */
