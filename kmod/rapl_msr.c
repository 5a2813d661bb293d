// SPDX-License-Identifier: GPL-2.0
/*
 * RAPL meters: the energy source (greenai_rapl_ops) that reads the
 * energy-status MSRs directly (the perf RAPL PMU cannot be read from an
 * IPI or a work item of a module). Counters are in the units of the
 * power-unit MSR, 32 bits wide, and come out in µJ.
 *
 * Probe. The register map of include/greenai/rapl.h says which MSRs the
 * CPU may have; each is read with rdmsrl_safe on one online CPU of each
 * package, and one that faults or reads 0 (or whose power-unit MSR reads
 * 0) is absent. A package-scope counter is one meter for the package's
 * CPUs: per die on Intel parts with several dies in a package, whose
 * counters are per die (as the kernel's RAPL PMU has them), per package on
 * AMD, whose dies mirror the package's counter. AMD's core counter is one
 * meter per physical core, read once per core (by one of its hardware
 * threads), never per thread. The platform counter (Intel PSys) is the
 * whole machine's: one meter over every CPU of every package, read on a
 * CPU of the first group where it reads non-zero (on a multi-socket part
 * only one package's copy counts; the others read 0, and one that does
 * not is the same counter again, left out).
 *
 * Reads. Each meter has a reader, an online CPU among those it covers
 * and of the group its counter was found in (the platform meter covers
 * them all, but reads only where it was found). At
 * each interval close the flip IPI (account.c, through domain.c) reads,
 * on each CPU, the meters it is the reader of, so energy and run time are
 * cut at the same moment. A meter whose counter could wrap twice within
 * an interval at GA_RAPL_MAX_POWER_UW is also read by a poll, every half
 * of its shortest wrap time, and what the poll read is added at the
 * close: no interval length can hide a wrap.
 *
 * Hotplug (domain.c's callbacks, through the ops). A CPU joins its meters
 * when it comes online, the first time included: the topology of a CPU
 * that was never online is not known, so meters are not built from the
 * possible CPUs. A core seen for the first time gets its meter then
 * (cores are known by their core id). A package with no online CPU at
 * load cannot be probed, and is left out with a warning. A CPU going down
 * hands the meters it reads to another online CPU of theirs; a meter left
 * with none is not read (its CPUs run nothing) until one of them comes
 * back, when its counter resumes from its last reading, flagged suspect
 * if that was longer ago than a wrap.
 *
 * Locking: meters, readers, counters and pending poll readings change
 * under greenai_lock; the flip IPI is sent under it too.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include <linux/workqueue.h>
#include <asm/processor.h>

#include <greenai/rapl.h>

#include "compat/msr.h"
#include "fake_rapl.h"
#include "internal.h"

static const struct greenai_fake_rapl *greenai_fake;
static struct delayed_work greenai_rapl_poll_work;
static unsigned long greenai_rapl_poll_jiffies;	/* 0: no poll needed */
static bool greenai_rapl_stopping;
static bool greenai_rapl_per_die;	/* Intel: package counters per die */
static bool greenai_rapl_multi_die;	/* some package has several dies */

/*
 * The CPUs one package-scope counter covers are a "group": a die on
 * Intel, a package on AMD.
 */
static int greenai_rapl_group(int cpu)
{
	int die;

	if (!greenai_rapl_per_die)
		return greenai_cpu_package(cpu);
	die = topology_logical_die_id(cpu);
	return die < 0 ? 0 : die;
}

/* Whether any package has CPUs in two groups. */
static bool greenai_rapl_find_multi_die(void)
{
	int cpu, first;

	for_each_online_cpu(cpu) {
		/* the first CPU of the package cpu is in */
		first = cpumask_first(topology_core_cpumask(cpu));
		if (greenai_rapl_group(cpu) != greenai_rapl_group(first))
			return true;
	}
	return false;
}

/*
 * The counters of a package are probed on one of its online CPUs: a
 * package with none at load is left out, and said so.
 */
static void greenai_rapl_warn_offline_packages(void)
{
	unsigned int nr_pkgs = topology_max_packages(), nr_online = 0;
	unsigned long *seen;
	int cpu;

	seen = bitmap_zalloc(nr_pkgs, GFP_KERNEL);
	if (!seen)
		return;
	for_each_online_cpu(cpu) {
		unsigned int pkg = greenai_cpu_package(cpu);

		if (pkg < nr_pkgs && !test_and_set_bit(pkg, seen))
			nr_online++;
	}
	if (nr_online < nr_pkgs)
		pr_warn("%u of %u packages have no online CPU: their RAPL counters are not read until greenai is reloaded\n",
			nr_pkgs - nr_online, nr_pkgs);
	bitmap_free(seen);
}

/* A present RAPL register of one group, as the probe found it. */
struct greenai_rapl_found {
	struct ga_rapl_reg reg;
	struct ga_unit unit;
	u64 raw;
	int cpu;		/* where it was read */
};

static int greenai_rdmsr_local(u32 msr, u64 *val)
{
	if (greenai_fake)
		return greenai_fake->read_msr(msr, val);
	return greenai_rdmsr_safe(msr, val);
}

struct greenai_msr_read {
	u32 msr;
	int err;
	u64 val;
};

static void greenai_msr_read_fn(void *info)
{
	struct greenai_msr_read *r = info;

	r->err = greenai_rdmsr_local(r->msr, &r->val);
}

static int greenai_rdmsr_on(int cpu, u32 msr, u64 *val)
{
	struct greenai_msr_read r = { .msr = msr, .err = -EIO };
	int err;

	err = smp_call_function_single(cpu, greenai_msr_read_fn, &r, 1);
	*val = r.val;
	return err ?: r.err;
}

static enum ga_cpu_vendor greenai_cpu_vendor(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_INTEL:
		return GA_CPU_INTEL;
	case X86_VENDOR_AMD:
		return GA_CPU_AMD;
	case X86_VENDOR_HYGON:
		return GA_CPU_HYGON;
	}
	return GA_CPU_OTHER;
}

/* The CPU's register map, or the fake's when its module is loaded. */
static int greenai_rapl_map(struct ga_rapl_map *map)
{
	greenai_fake = __symbol_get(GREENAI_FAKE_RAPL_SYMBOL);
	if (greenai_fake) {
		pr_warn("reading RAPL from the test fake %s, not from the CPU\n",
			GREENAI_FAKE_RAPL_SYMBOL);
		return ga_rapl_map(greenai_fake->vendor, greenai_fake->family,
				   greenai_fake->model, map);
	}
	return ga_rapl_map(greenai_cpu_vendor(), boot_cpu_data.x86,
			   boot_cpu_data.x86_model, map);
}

/* Which registers of @map group @grp has, read on one of its CPUs. */
static unsigned int greenai_rapl_probe(const struct ga_rapl_map *map,
				       int grp, struct greenai_rapl_found *out)
{
	unsigned int i, n = 0;
	u64 unit_val;
	int cpu;

	for_each_online_cpu(cpu)
		if (greenai_rapl_group(cpu) == grp)
			break;
	if (cpu >= nr_cpu_ids)
		return 0;
	if (greenai_rdmsr_on(cpu, map->unit_msr, &unit_val))
		return 0;
	for (i = 0; i < map->nr_regs; i++) {
		const struct ga_rapl_reg *reg = &map->regs[i];
		u64 raw = 0;
		int err = greenai_rdmsr_on(cpu, reg->msr, &raw);

		if (!ga_rapl_present(err, unit_val, raw))
			continue;
		out[n].reg = *reg;
		out[n].unit = ga_rapl_unit(unit_val, reg->quirk);
		out[n].raw = raw;
		out[n].cpu = cpu;
		n++;
	}
	return n;
}

/*
 * A platform-scope counter is the machine's, whichever group reads it:
 * keep it in the first group where the probe found it, not in the others.
 */
static void greenai_rapl_one_platform(struct greenai_rapl_found *found,
				      unsigned int *nr_found, int nr_grps)
{
	bool seen = false;
	unsigned int i, n;
	int grp;

	for (grp = 0; grp < nr_grps; grp++) {
		struct greenai_rapl_found *f = &found[grp * GA_RAPL_MAX_REGS];

		for (i = 0, n = 0; i < nr_found[grp]; i++) {
			if (f[i].reg.scope != GA_RAPL_SCOPE_PLATFORM) {
				f[n++] = f[i];
			} else if (!seen) {
				seen = true;
				f[n++] = f[i];
			} else {
				pr_info("the %s counter reads on CPU %d too: counted once, where it was found first\n",
					greenai_kind_name(f[i].reg.kind),
					f[i].cpu);
			}
		}
		nr_found[grp] = n;
	}
}

/*
 * More domains than the ABI carries (GREENAI_MAX_DOMAINS): leave out the
 * ones nested in others, platform first, then uncore and cores.
 */
static unsigned int greenai_rapl_trim(struct greenai_rapl_found *found,
				      unsigned int *nr_found, int nr_grps)
{
	static const u16 drop[] = {
		GREENAI_DOM_PSYS, GREENAI_DOM_UNCORE, GREENAI_DOM_CORE,
	};
	unsigned int total = 0, k, i, n;
	int grp;

	for (grp = 0; grp < nr_grps; grp++)
		total += nr_found[grp];
	for (k = 0; k < ARRAY_SIZE(drop) && total > GREENAI_MAX_DOMAINS; k++) {
		pr_warn("%u RAPL domains are more than %u: leaving out the %s counters\n",
			total, GREENAI_MAX_DOMAINS, greenai_kind_name(drop[k]));
		for (grp = 0; grp < nr_grps; grp++) {
			struct greenai_rapl_found *f =
				&found[grp * GA_RAPL_MAX_REGS];

			for (i = 0, n = 0; i < nr_found[grp]; i++)
				if (f[i].reg.kind != drop[k])
					f[n++] = f[i];
			total -= nr_found[grp] - n;
			nr_found[grp] = n;
		}
	}
	return total;
}

/* Start a meter on a counter's reading taken now. */
static void greenai_meter_start(struct greenai_meter *m, struct ga_unit unit,
				u32 msr, u64 raw)
{
	/* the unit was checked by the probe: this cannot fail */
	WARN_ON_ONCE(ga_counter_init(&m->ctr, GA_RAPL_COUNTER_BITS, unit,
				     GA_RAPL_MAX_POWER_UW, raw));
	m->msr = msr;
	m->last_ns = ktime_get_ns();
}

static void greenai_rapl_describe(struct greenai_dom *d, int grp,
				  const struct greenai_rapl_found *f)
{
	const char *kind = greenai_kind_name(f->reg.kind);
	int pkg = greenai_cpu_package(f->cpu);
	struct ga_counter c;

	d->group = grp;
	d->reg = f->reg;
	d->desc.kind = f->reg.kind;
	d->desc.source = GREENAI_SRC_RAPL_MSR;
	d->desc.flags = 0;
	d->desc.package = pkg;
	d->desc.unit_num = f->unit.num;
	d->desc.unit_den = f->unit.den;
	ga_counter_init(&c, GA_RAPL_COUNTER_BITS, f->unit, 0, 0);
	d->desc.range_uj = ga_counter_range_uj(&c);
	d->desc.max_power_uw = GA_RAPL_MAX_POWER_UW;
	/* the platform's name says only the package it is read in */
	if (greenai_rapl_multi_die && f->reg.scope != GA_RAPL_SCOPE_PLATFORM)
		snprintf(d->desc.name, sizeof(d->desc.name), "%s-%d-die-%d",
			 kind, pkg, topology_die_id(f->cpu));
	else
		snprintf(d->desc.name, sizeof(d->desc.name), "%s-%d", kind,
			 pkg);
}

/*
 * Build the domains of every group from what the probe found. A package-
 * or platform-scope counter gets its meter now, on the probe's reading;
 * core meters come as the CPUs come online (greenai_rapl_cpu_online()).
 */
static int greenai_rapl_build(struct greenai_rapl_found *found,
			      unsigned int *nr_found, int nr_grps)
{
	unsigned int nr_doms, di = 0, i;
	int grp, err;

	greenai_rapl_one_platform(found, nr_found, nr_grps);
	nr_doms = greenai_rapl_trim(found, nr_found, nr_grps);
	if (!nr_doms)
		return -ENODEV;
	/* one meter per package-scope domain, at most one per CPU else */
	err = greenai_domains_alloc(nr_doms, nr_doms + nr_cpu_ids);
	if (err)
		return err;
	for (grp = 0; grp < nr_grps; grp++) {
		struct greenai_rapl_found *f = &found[grp * GA_RAPL_MAX_REGS];

		for (i = 0; i < nr_found[grp]; i++) {
			struct greenai_dom *d = &greenai_doms[di++];

			greenai_rapl_describe(d, grp, &f[i]);
			if (f[i].reg.scope != GA_RAPL_SCOPE_CORE)
				greenai_meter_start(greenai_meter_add(d),
						    f[i].unit, f[i].reg.msr,
						    f[i].raw);
		}
	}
	return 0;
}

static void greenai_rapl_put_fake(void)
{
	if (greenai_fake) {
		__symbol_put(GREENAI_FAKE_RAPL_SYMBOL);
		greenai_fake = NULL;
	}
}

/**
 * greenai_rapl_domains() - find the RAPL domains
 *
 * Return: 0, -ENODEV when the machine has no RAPL counter, or -errno;
 * on failure, the fake is let go (domain.c frees the table).
 */
static int greenai_rapl_domains(void)
{
	struct greenai_rapl_found *found = NULL;
	unsigned int *nr_found = NULL;
	struct ga_rapl_map map;
	int nr_grps = 0, grp, cpu, err;

	err = greenai_rapl_map(&map);
	if (err)
		goto out;
	greenai_rapl_per_die = map.unit_msr == GA_MSR_INTEL_RAPL_POWER_UNIT;
	for_each_possible_cpu(cpu)
		nr_grps = max(nr_grps, greenai_rapl_group(cpu) + 1);
	found = kcalloc(nr_grps * GA_RAPL_MAX_REGS, sizeof(*found),
			GFP_KERNEL);
	nr_found = kcalloc(nr_grps, sizeof(*nr_found), GFP_KERNEL);
	err = -ENOMEM;
	if (!found || !nr_found)
		goto out;

	cpus_read_lock();
	greenai_rapl_warn_offline_packages();
	greenai_rapl_multi_die = greenai_rapl_find_multi_die();
	for (grp = 0; grp < nr_grps; grp++) {
		struct greenai_rapl_found *f = &found[grp * GA_RAPL_MAX_REGS];

		nr_found[grp] = greenai_rapl_probe(&map, grp, f);
	}
	cpus_read_unlock();
	err = greenai_rapl_build(found, nr_found, nr_grps);
out:
	kfree(found);
	kfree(nr_found);
	if (err)
		greenai_rapl_put_fake();
	return err;
}

/**
 * greenai_rapl_sample_local() - read the meters this CPU is the reader of
 *
 * Called in the flip IPI, interrupts off, under the closer's greenai_lock.
 */
static void greenai_rapl_sample_local(void)
{
	int cpu = smp_processor_id();
	unsigned int i;

	for (i = 0; i < greenai_nr_meters; i++) {
		struct greenai_meter *m = &greenai_meters[i];

		if (m->reader != cpu || greenai_rdmsr_local(m->msr, &m->raw))
			continue;
		m->raw_ns = ktime_get_ns();
		m->sampled = true;
	}
}

/* Take a reading into the meter's counter; the energy is left pending. */
static void greenai_meter_take(struct greenai_meter *m, u64 raw, u64 now)
{
	u64 uj;

	m->pending_flags |= ga_counter_update(&m->ctr, raw, now - m->last_ns,
					      &uj);
	m->pending_uj += uj;
	m->last_ns = now;
}

/**
 * greenai_rapl_energy() - a RAPL meter's energy since the last close
 * @m: the meter
 * @elapsed_ns: length of the interval (the counter has its own clock)
 * @flags: set to GREENAI_F_WRAPPED and GREENAI_F_SUSPECT as they apply
 *
 * Caller holds greenai_lock, after the flip.
 *
 * Return: µJ.
 */
static u64 greenai_rapl_energy(struct greenai_meter *m, u64 elapsed_ns,
			       u32 *flags)
{
	u64 uj;

	if (m->sampled)
		greenai_meter_take(m, m->raw, m->raw_ns);
	m->sampled = false;
	uj = m->pending_uj;
	*flags = m->pending_flags;
	m->pending_uj = 0;
	m->pending_flags = 0;
	return uj;
}

static void greenai_rapl_poll(struct work_struct *work)
{
	unsigned int i;
	u64 raw;

	mutex_lock(&greenai_lock);
	for (i = 0; i < greenai_nr_meters; i++) {
		struct greenai_meter *m = &greenai_meters[i];

		if (m->msr && m->reader >= 0 &&
		    !greenai_rdmsr_on(m->reader, m->msr, &raw))
			greenai_meter_take(m, raw, ktime_get_ns());
	}
	if (!greenai_rapl_stopping)
		queue_delayed_work(system_unbound_wq, &greenai_rapl_poll_work,
				   greenai_rapl_poll_jiffies);
	mutex_unlock(&greenai_lock);
}

/*
 * The meter of @cpu's physical core in core domain @d, made if new. Cores
 * are told apart by their core id within the domain's group, not by the
 * online siblings: a thread may first come online after its sibling went
 * down, and must still find its core's meter.
 */
static struct greenai_meter *
greenai_core_meter(struct greenai_dom *d, unsigned int cpu)
{
	struct ga_unit unit = { d->desc.unit_num, d->desc.unit_den };
	int core = topology_core_id(cpu);
	struct greenai_meter *m;
	u64 raw;

	for (m = d->meters; m; m = m->next)
		if (m->core == core)
			return m;
	/* a core seen for the first time: its counter, read on this thread */
	if (greenai_rdmsr_on(cpu, d->reg.msr, &raw) ||
	    !ga_rapl_present(0, 1, raw))
		return NULL;
	m = greenai_meter_add(d);
	if (m) {
		greenai_meter_start(m, unit, d->reg.msr, raw);
		m->core = core;
	}
	return m;
}

/**
 * greenai_rapl_cpu_online() - a CPU joins its meters; orphans get a reader
 * @cpu: the CPU, online
 *
 * Every CPU joins the platform meter; a meter is read only by a CPU of
 * the group its counter was found in.
 *
 * Caller holds greenai_lock (the domains' hotplug callback).
 */
static void greenai_rapl_cpu_online(unsigned int cpu)
{
	int grp = greenai_rapl_group(cpu);
	struct greenai_meter *m;
	unsigned int i;

	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		if (d->desc.source != GREENAI_SRC_RAPL_MSR)
			continue;
		if (d->group != grp && d->reg.scope != GA_RAPL_SCOPE_PLATFORM)
			continue;
		if (d->reg.scope == GA_RAPL_SCOPE_CORE)
			m = greenai_core_meter(d, cpu);
		else
			m = d->meters;
		if (!m)
			continue;
		cpumask_set_cpu(cpu, &m->cpus);
		cpumask_set_cpu(cpu, &d->cpus);
		d->desc.nr_cpus = cpumask_weight(&d->cpus);
		if (m->reader < 0 && d->group == grp)
			m->reader = cpu;
	}
}

/**
 * greenai_rapl_cpu_offline() - a CPU going down hands its meters over
 * @cpu: the CPU, still online
 *
 * Caller holds greenai_lock (the domains' hotplug callback).
 */
static void greenai_rapl_cpu_offline(unsigned int cpu)
{
	unsigned int i;
	int other;

	for (i = 0; i < greenai_nr_meters; i++) {
		struct greenai_meter *m = &greenai_meters[i];

		if (m->reader != cpu)
			continue;
		m->reader = -1;
		for_each_cpu_and(other, &m->cpus, cpu_online_mask) {
			if (other != cpu &&
			    greenai_rapl_group(other) == m->dom->group) {
				m->reader = other;
				break;
			}
		}
	}
}

/**
 * greenai_rapl_start() - start the wrap poll where a counter needs it
 *
 * Called once the CPUs have joined their meters.
 *
 * Return: 0.
 */
static int greenai_rapl_start(void)
{
	unsigned int i, nr_doms = 0;
	u64 period = 0, p;

	for (i = 0; i < greenai_nr_doms; i++)
		nr_doms += greenai_doms[i].desc.source == GREENAI_SRC_RAPL_MSR;
	if (!nr_doms)
		return 0;
	pr_info("%u RAPL domain(s) with %u counter(s), measured\n", nr_doms,
		greenai_nr_meters);

	for (i = 0; i < greenai_nr_meters; i++) {
		p = ga_counter_sample_period_ns(&greenai_meters[i].ctr);
		if (p && (!period || p < period))
			period = p;
	}
	greenai_rapl_stopping = false;
	INIT_DELAYED_WORK(&greenai_rapl_poll_work, greenai_rapl_poll);
	if (period && period < greenai_interval_ms * NSEC_PER_MSEC) {
		greenai_rapl_poll_jiffies =
			max(nsecs_to_jiffies(period), 1UL);
		pr_info("RAPL counters can wrap within an interval: read every %u ms\n",
			jiffies_to_msecs(greenai_rapl_poll_jiffies));
		queue_delayed_work(system_unbound_wq, &greenai_rapl_poll_work,
				   greenai_rapl_poll_jiffies);
	}
	return 0;
}

/**
 * greenai_rapl_stop() - stop reading RAPL; idempotent
 */
static void greenai_rapl_stop(void)
{
	if (greenai_rapl_poll_jiffies) {
		mutex_lock(&greenai_lock);
		greenai_rapl_stopping = true;
		mutex_unlock(&greenai_lock);
		cancel_delayed_work_sync(&greenai_rapl_poll_work);
		greenai_rapl_poll_jiffies = 0;
	}
	greenai_rapl_put_fake();
}

const struct greenai_source_ops greenai_rapl_ops = {
	.name = "RAPL counters",
	.domains = greenai_rapl_domains,
	.start = greenai_rapl_start,
	.stop = greenai_rapl_stop,
	.cpu_online = greenai_rapl_cpu_online,
	.cpu_offline = greenai_rapl_cpu_offline,
	.sample_local = greenai_rapl_sample_local,
	.energy = greenai_rapl_energy,
};
