// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The RAPL register map (rapl.h): which energy-status MSRs to probe on a
 * CPU, and the rule that decides whether a probed register is there.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#else
#include <errno.h>
#endif

#include <greenai/rapl.h>

#define GA_INTEL_FAMILY		6
#define GA_AMD_FIRST_FAMILY	0x17	/* Zen: first with RAPL MSRs */

/*
 * Intel servers whose DRAM counter counts in 2^-16 J whatever the
 * power-unit MSR says: Haswell-EP, Broadwell-EP and -DE, Skylake-SP,
 * Ice Lake-SP and -D, Knights Landing and Mill.
 */
static const __u8 ga_intel_dram_2_16[] = {
	0x3f, 0x4f, 0x56, 0x55, 0x6a, 0x6c, 0x57, 0x85,
};

/* Intel servers whose PSys counter counts in joules: SPR and EMR. */
static const __u8 ga_intel_psys_1j[] = {
	0x8f, 0xcf,
};

static bool ga_model_in(unsigned int model, const __u8 *list, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (list[i] == model)
			return true;
	return false;
}

static void ga_map_add(struct ga_rapl_map *map, __u32 msr, __u16 kind,
		       enum ga_rapl_scope scope, enum ga_rapl_quirk quirk)
{
	struct ga_rapl_reg *r = &map->regs[map->nr_regs++];

	r->msr = msr;
	r->kind = kind;
	r->scope = scope;
	r->quirk = quirk;
}

static void ga_map_intel(unsigned int model, struct ga_rapl_map *map)
{
	enum ga_rapl_quirk dram = GA_RAPL_UNIT_MSR, psys = GA_RAPL_UNIT_MSR;

	if (ga_model_in(model, ga_intel_dram_2_16,
			sizeof(ga_intel_dram_2_16)))
		dram = GA_RAPL_UNIT_FIXED_2_16;
	if (ga_model_in(model, ga_intel_psys_1j, sizeof(ga_intel_psys_1j)))
		psys = GA_RAPL_UNIT_FIXED_1J;

	map->unit_msr = GA_MSR_INTEL_RAPL_POWER_UNIT;
	ga_map_add(map, GA_MSR_INTEL_PKG_ENERGY, GREENAI_DOM_PACKAGE,
		   GA_RAPL_SCOPE_PACKAGE, GA_RAPL_UNIT_MSR);
	ga_map_add(map, GA_MSR_INTEL_PP0_ENERGY, GREENAI_DOM_CORE,
		   GA_RAPL_SCOPE_PACKAGE, GA_RAPL_UNIT_MSR);
	ga_map_add(map, GA_MSR_INTEL_PP1_ENERGY, GREENAI_DOM_UNCORE,
		   GA_RAPL_SCOPE_PACKAGE, GA_RAPL_UNIT_MSR);
	ga_map_add(map, GA_MSR_INTEL_DRAM_ENERGY, GREENAI_DOM_DRAM,
		   GA_RAPL_SCOPE_PACKAGE, dram);
	ga_map_add(map, GA_MSR_INTEL_PSYS_ENERGY, GREENAI_DOM_PSYS,
		   GA_RAPL_SCOPE_PLATFORM, psys);
}

static void ga_map_amd(struct ga_rapl_map *map)
{
	map->unit_msr = GA_MSR_AMD_RAPL_POWER_UNIT;
	ga_map_add(map, GA_MSR_AMD_PKG_ENERGY, GREENAI_DOM_PACKAGE,
		   GA_RAPL_SCOPE_PACKAGE, GA_RAPL_UNIT_MSR);
	ga_map_add(map, GA_MSR_AMD_CORE_ENERGY, GREENAI_DOM_CORE,
		   GA_RAPL_SCOPE_CORE, GA_RAPL_UNIT_MSR);
}

/**
 * ga_rapl_map() - the RAPL registers to probe on a CPU
 * @vendor: enum ga_cpu_vendor
 * @family: the CPU's display family
 * @model: the CPU's display model
 * @map: filled in
 *
 * Intel family 6 may have package, PP0 (cores), PP1 (uncore or graphics),
 * DRAM and PSys (the platform: the whole machine) counters; AMD and
 * Hygon from family 17h a package counter and one counter per physical
 * core. Which of them a given part really has is for the probe to find
 * (ga_rapl_present()).
 *
 * Return: 0, or -ENODEV when this CPU has no RAPL MSRs.
 */
int ga_rapl_map(enum ga_cpu_vendor vendor, unsigned int family,
		unsigned int model, struct ga_rapl_map *map)
{
	map->nr_regs = 0;
	map->unit_msr = 0;
	switch (vendor) {
	case GA_CPU_INTEL:
		if (family != GA_INTEL_FAMILY)
			return -ENODEV;
		ga_map_intel(model, map);
		return 0;
	case GA_CPU_AMD:
	case GA_CPU_HYGON:
		if (family < GA_AMD_FIRST_FAMILY)
			return -ENODEV;
		ga_map_amd(map);
		return 0;
	case GA_CPU_OTHER:
		break;
	}
	return -ENODEV;
}

/**
 * ga_rapl_present() - whether a probed RAPL register is really there
 * @read_err: what reading the energy-status MSR returned (0 or -errno)
 * @unit_msr_val: the power-unit MSR's value
 * @first_raw: the energy-status MSR's value
 *
 * A register that faults is absent; so is one that reads 0, or whose
 * power-unit register reads 0: hypervisors and TCG let the reads succeed
 * and return 0 on CPUs without RAPL, and a domain the part lacks reads 0.
 *
 * Return: true when the domain can be measured.
 */
bool ga_rapl_present(int read_err, __u64 unit_msr_val, __u64 first_raw)
{
	return !read_err && unit_msr_val &&
	       (first_raw & ((1ULL << GA_RAPL_COUNTER_BITS) - 1));
}
