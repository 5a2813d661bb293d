/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The RAPL register map: which energy-status MSRs a CPU has, what each
 * one measures, how far it reaches (a package or one physical core) and
 * which fixed-unit quirk it needs. Pure data and pure code, compiled into
 * the module (kmod/rapl_msr.c reads the MSRs) and into the unit tests.
 *
 * Sources: Intel SDM vol. 4 (the MSR lists per family), AMD PPR for
 * family 17h, and the kernel's arch/x86/events/rapl.c, whose model table
 * the quirks follow.
 */
#ifndef _GREENAI_RAPL_H
#define _GREENAI_RAPL_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
#endif

#include <greenai/attrib.h>

/* Energy-status MSRs: 32-bit counters in the unit of the power-unit MSR. */
#define GA_MSR_INTEL_PKG_ENERGY		0x611
#define GA_MSR_INTEL_DRAM_ENERGY	0x619
#define GA_MSR_INTEL_PP0_ENERGY		0x639
#define GA_MSR_INTEL_PP1_ENERGY		0x641
#define GA_MSR_INTEL_PSYS_ENERGY	0x64d
#define GA_MSR_AMD_CORE_ENERGY		0xc001029a
#define GA_MSR_AMD_PKG_ENERGY		0xc001029b

#define GA_RAPL_MAX_REGS		5

/*
 * The highest power any one RAPL domain is assumed to draw, µW. It only
 * sets how often a counter is read so that it cannot wrap twice unseen:
 * a high ceiling means reading more often, never missing a wrap.
 */
#define GA_RAPL_MAX_POWER_UW		1000000000ULL	/* 1 kW */

enum ga_cpu_vendor {
	GA_CPU_OTHER,
	GA_CPU_INTEL,
	GA_CPU_AMD,
	GA_CPU_HYGON,
};

/**
 * enum ga_rapl_scope - the CPUs one counter covers
 * @GA_RAPL_SCOPE_PACKAGE: every CPU of a physical package (one read per
 *	package)
 * @GA_RAPL_SCOPE_CORE: the hardware threads of one physical core (one
 *	read per core, not per thread)
 * @GA_RAPL_SCOPE_PLATFORM: every CPU of the machine, all packages: one
 *	counter, read on a CPU of the one package where it reads non-zero
 *	(Intel PSys: on a multi-socket part the other packages read 0)
 */
enum ga_rapl_scope {
	GA_RAPL_SCOPE_PACKAGE,
	GA_RAPL_SCOPE_CORE,
	GA_RAPL_SCOPE_PLATFORM,
};

/**
 * struct ga_rapl_reg - one energy-status register
 * @msr: its address
 * @kind: enum greenai_domain_kind of what it measures
 * @scope: enum ga_rapl_scope
 * @quirk: enum ga_rapl_quirk: where its unit comes from
 */
struct ga_rapl_reg {
	__u32 msr;
	__u16 kind;
	__u8 scope;
	__u8 quirk;
};

/**
 * struct ga_rapl_map - the RAPL registers a CPU may have
 * @unit_msr: the power-unit MSR
 * @nr_regs: entries of @regs
 * @regs: the energy-status registers to probe, package first
 */
struct ga_rapl_map {
	__u32 unit_msr;
	unsigned int nr_regs;
	struct ga_rapl_reg regs[GA_RAPL_MAX_REGS];
};

int ga_rapl_map(enum ga_cpu_vendor vendor, unsigned int family,
		unsigned int model, struct ga_rapl_map *map);
bool ga_rapl_present(int read_err, __u64 unit_msr_val, __u64 first_raw);

#endif /* _GREENAI_RAPL_H */
