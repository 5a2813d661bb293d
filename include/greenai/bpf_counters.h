/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The BPF programs' own counters, as the programs keep them (their .bss,
 * bpf/greenai.bpf.c) and as libgreenai's ga_stats() hands them on (the
 * module fills exits_dropped too). Fixed-width types only: the BPF
 * programs include this under vmlinux.h.
 */
#ifndef _GREENAI_BPF_COUNTERS_H
#define _GREENAI_BPF_COUNTERS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct ga_bpf_counters {
	__u64 runs_full;	/* charges that found ga_runs full */
	__u64 procs_full;	/* processes not described: ga_procs full */
	__u64 exits;		/* exit records written */
	__u64 exits_dropped;	/* exit records lost: ring full */
	/* slices of threads from before load not seen starting: lost */
	__u64 unpaired;
};

#endif /* _GREENAI_BPF_COUNTERS_H */
