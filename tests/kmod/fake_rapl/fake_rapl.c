// SPDX-License-Identifier: GPL-2.0
/*
 * greenai_fake_rapl: a FAKE of the CPU's RAPL energy-status MSRs, for the
 * module suite on machines (TCG guests) that have none. It exports one
 * struct greenai_fake_rapl (kmod/fake_rapl.h); greenai.ko, loaded after
 * it, reads these counters instead of the CPU's and runs its real probe,
 * units, quirks, reader election, wrap poll and split on them.
 *
 * Each counter behaves as the hardware's: a 32-bit count of energy in
 * 2^-esu J that grows at a constant power from a start value (near the
 * wrap by default) at the first read, computed from the time of each read.
 * AMD's core counters are read on the core's own threads and may each
 * draw a different power. A domain whose power is 0 reads 0, as absent
 * domains do; one named in fault= faults (-EIO). The longest time between
 * two reads of the package counter is kept for the tests to read
 * (parameters/pkg_max_gap_ns): how late greenai's reader was at worst.
 *
 *   insmod greenai_fake_rapl.ko vendor=intel model=0x55 \
 *	esu=14 dram_esu=16 pkg_mw=20000 dram_mw=3000 fault=pp1
 */
#define pr_fmt(fmt) "greenai_fake_rapl: " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/topology.h>

#include <greenai/attrib.h>
#include <greenai/rapl.h>

#include "fake_rapl.h"

static char *vendor = "intel";
module_param(vendor, charp, 0444);
MODULE_PARM_DESC(vendor, "CPU vendor to pretend to be: intel or amd");
static unsigned int family;
module_param(family, uint, 0444);
MODULE_PARM_DESC(family, "display family (default 6 for intel, 0x19 for amd)");
static unsigned int model = 0x55;
module_param(model, uint, 0444);
MODULE_PARM_DESC(model, "display model (default 0x55, Skylake-SP)");
static unsigned int esu = 14;
module_param(esu, uint, 0444);
MODULE_PARM_DESC(esu, "energy status unit in the power-unit MSR: 2^-esu J");
static int dram_esu = -1;
module_param(dram_esu, int, 0444);
MODULE_PARM_DESC(dram_esu, "unit the DRAM counter really counts in (default esu)");
static int psys_esu = -1;
module_param(psys_esu, int, 0444);
MODULE_PARM_DESC(psys_esu, "unit the PSys counter really counts in (default esu)");
static unsigned int pkg_mw, pp0_mw, pp1_mw, dram_mw, psys_mw, core_mw;
module_param(pkg_mw, uint, 0444);
MODULE_PARM_DESC(pkg_mw, "package power, mW (0: reads 0)");
module_param(pp0_mw, uint, 0444);
MODULE_PARM_DESC(pp0_mw, "Intel PP0 (cores) power, mW");
module_param(pp1_mw, uint, 0444);
MODULE_PARM_DESC(pp1_mw, "Intel PP1 (uncore) power, mW");
module_param(dram_mw, uint, 0444);
MODULE_PARM_DESC(dram_mw, "DRAM power, mW");
module_param(psys_mw, uint, 0444);
MODULE_PARM_DESC(psys_mw, "Intel PSys (platform) power, mW");
module_param(core_mw, uint, 0444);
MODULE_PARM_DESC(core_mw, "AMD power of each physical core, mW");
static unsigned int core_step_mw;
module_param(core_step_mw, uint, 0444);
MODULE_PARM_DESC(core_step_mw, "AMD: core whose first thread is CPU k draws core_mw + k x this, mW");
static char *fault = "";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "comma-separated domains whose MSR faults: pkg,pp0,pp1,dram,psys,core");
static unsigned int start = 0xfff00000;
module_param(start, uint, 0444);
MODULE_PARM_DESC(start, "every counter's value at the first read (default near the wrap)");

#define FAKE_MAX_MW	1000000U	/* 1 kW */

struct fake_counter {
	const char *name;
	u32 intel_msr;
	u32 amd_msr;
	unsigned int *mw;
	int *esu;		/* NULL: the power-unit MSR's */
};

static struct fake_counter fake_counters[] = {
	{ "pkg", GA_MSR_INTEL_PKG_ENERGY, GA_MSR_AMD_PKG_ENERGY, &pkg_mw },
	{ "pp0", GA_MSR_INTEL_PP0_ENERGY, 0, &pp0_mw },
	{ "pp1", GA_MSR_INTEL_PP1_ENERGY, 0, &pp1_mw },
	{ "dram", GA_MSR_INTEL_DRAM_ENERGY, 0, &dram_mw, &dram_esu },
	{ "psys", GA_MSR_INTEL_PSYS_ENERGY, 0, &psys_mw, &psys_esu },
	{ "core", 0, GA_MSR_AMD_CORE_ENERGY, &core_mw },
};

static bool fake_amd;
static u64 fake_t0;	/* time of the first read; 0 before it */

/* Reads of the package counter: the last one's time, the longest gap. */
static DEFINE_SPINLOCK(fake_gap_lock);
static u64 fake_pkg_last_ns, fake_pkg_max_gap_ns;

static int fake_gap_get(char *buf, const struct kernel_param *kp)
{
	unsigned long flags;
	u64 gap;

	spin_lock_irqsave(&fake_gap_lock, flags);
	gap = fake_pkg_max_gap_ns;
	spin_unlock_irqrestore(&fake_gap_lock, flags);
	return sysfs_emit(buf, "%llu\n", gap);
}

static const struct kernel_param_ops fake_gap_ops = {
	.get = fake_gap_get,
};
module_param_cb(pkg_max_gap_ns, &fake_gap_ops, NULL, 0444);
MODULE_PARM_DESC(pkg_max_gap_ns, "longest time between two reads of the package counter, ns (read-only)");

/* A read of the package counter at @now (interrupts are off). */
static void fake_pkg_read_at(u64 now)
{
	spin_lock(&fake_gap_lock);
	/* (two CPUs' reads may take the lock out of order) */
	if (now > fake_pkg_last_ns) {
		if (fake_pkg_last_ns &&
		    now - fake_pkg_last_ns > fake_pkg_max_gap_ns)
			fake_pkg_max_gap_ns = now - fake_pkg_last_ns;
		fake_pkg_last_ns = now;
	}
	spin_unlock(&fake_gap_lock);
}

static bool fake_faults(const char *name)
{
	size_t len = strlen(name);
	const char *p = fault;

	while ((p = strstr(p, name))) {
		if ((p == fault || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* The counter at this instant: start + power × time, in 2^-unit J. */
static u64 fake_count(const struct fake_counter *c)
{
	unsigned int unit = c->esu && *c->esu >= 0 ? *c->esu : esu;
	u64 uw = *c->mw * 1000ULL;
	u64 now = ktime_get_ns();
	u64 t0 = cmpxchg64(&fake_t0, 0, now) ?: now;

	if (c->mw == &pkg_mw)
		fake_pkg_read_at(now);
	if (c->mw == &core_mw) {
		int cpu = smp_processor_id();
		int first = cpumask_first(topology_sibling_cpumask(cpu));

		uw += (u64)first * core_step_mw * 1000ULL;
	}

	/* µW × ns = 10^-15 J; × 2^unit counts per J */
	return start + mul_u64_u64_div_u64(uw << unit, now - t0,
					   1000000000000000ULL);
}

static int fake_read_msr(u32 msr, u64 *val)
{
	unsigned int i;

	*val = 0;
	if (msr == (fake_amd ? GA_MSR_AMD_RAPL_POWER_UNIT :
			       GA_MSR_INTEL_RAPL_POWER_UNIT)) {
		/* time and power units as real parts report them */
		*val = 0x000a0003ULL | ((u64)esu << GA_RAPL_ESU_SHIFT);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(fake_counters); i++) {
		const struct fake_counter *c = &fake_counters[i];

		if (msr != (fake_amd ? c->amd_msr : c->intel_msr) || !msr)
			continue;
		if (fake_faults(c->name))
			return -EIO;
		if (*c->mw)
			*val = fake_count(c) & 0xffffffffULL;
		return 0;
	}
	return -EIO;
}

struct greenai_fake_rapl greenai_fake_rapl = {
	.read_msr = fake_read_msr,
};
EXPORT_SYMBOL_GPL(greenai_fake_rapl);

static int __init fake_rapl_init(void)
{
	unsigned int i;

	if (!strcmp(vendor, "intel")) {
		greenai_fake_rapl.vendor = GA_CPU_INTEL;
		greenai_fake_rapl.family = family ?: 6;
	} else if (!strcmp(vendor, "amd")) {
		fake_amd = true;
		greenai_fake_rapl.vendor = GA_CPU_AMD;
		greenai_fake_rapl.family = family ?: 0x19;
	} else {
		pr_err("vendor=%s is not intel or amd\n", vendor);
		return -EINVAL;
	}
	greenai_fake_rapl.model = model;
	if (esu > 31 || dram_esu > 31 || psys_esu > 31) {
		pr_err("esu, dram_esu and psys_esu are 0..31\n");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(fake_counters); i++) {
		if (*fake_counters[i].mw > FAKE_MAX_MW) {
			pr_err("%s_mw=%u is above %u\n", fake_counters[i].name,
			       *fake_counters[i].mw, FAKE_MAX_MW);
			return -EINVAL;
		}
	}
	if (core_step_mw > FAKE_MAX_MW / nr_cpu_ids) {
		pr_err("core_step_mw=%u is above %u\n", core_step_mw,
		       FAKE_MAX_MW / nr_cpu_ids);
		return -EINVAL;
	}
	pr_info("FAKE RAPL counters loaded (%s family 0x%x model 0x%x)\n",
		vendor, greenai_fake_rapl.family, model);
	return 0;
}

static void __exit fake_rapl_exit(void)
{
}

module_init(fake_rapl_init);
module_exit(fake_rapl_exit);

MODULE_DESCRIPTION("FAKE RAPL MSRs for testing greenai.ko without RAPL");
MODULE_LICENSE("GPL");
