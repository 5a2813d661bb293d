/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam for a RAPL fake. Machines without RAPL (VMs, TCG guests) cannot
 * exercise rapl_msr.c, so the test suite builds tests/kmod/fake_rapl, a module
 * that exports one struct greenai_fake_rapl under the name below: a CPU
 * identity and energy-status MSRs that count at powers the test chose.
 * If that module is loaded when greenai.ko loads, rapl_msr.c reads it instead
 * of the CPU's MSRs, says so in the kernel log, and holds a reference to
 * it until unloaded. Nothing else changes: the probe, the units and
 * quirks, the reader election, the wrap poll and the split are the real
 * code.
 */
#ifndef _GREENAI_FAKE_RAPL_H
#define _GREENAI_FAKE_RAPL_H

#include <linux/types.h>

#define GREENAI_FAKE_RAPL_SYMBOL	"greenai_fake_rapl"

/**
 * struct greenai_fake_rapl - a stand-in for the CPU's RAPL MSRs
 * @vendor: enum ga_cpu_vendor it pretends to be
 * @family: display family it pretends to be
 * @model: display model it pretends to be
 * @read_msr: read an MSR on the calling CPU, as rdmsrl_safe() does: 0 or
 *	-EIO; called with interrupts off
 */
struct greenai_fake_rapl {
	unsigned int vendor;
	unsigned int family;
	unsigned int model;
	int (*read_msr)(u32 msr, u64 *val);
};

#endif /* _GREENAI_FAKE_RAPL_H */
