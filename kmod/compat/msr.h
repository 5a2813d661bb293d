/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading an MSR that may not exist, across kernels: rdmsrl_safe() was
 * renamed rdmsrq_safe() in 6.16 (the "msr: Rename rdmsrl_*" series).
 */
#ifndef _GREENAI_COMPAT_MSR_H
#define _GREENAI_COMPAT_MSR_H

#include <linux/version.h>
#include <asm/msr.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define greenai_rdmsr_safe(msr, val)	rdmsrq_safe(msr, val)
#else
#define greenai_rdmsr_safe(msr, val)	rdmsrl_safe(msr, val)
#endif

#endif /* _GREENAI_COMPAT_MSR_H */
