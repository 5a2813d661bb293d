// SPDX-License-Identifier: GPL-2.0
/*
 * Energy domains: what greenai splits. Each domain covers a set of CPUs
 * and gives the energy it used over an interval, with its provenance,
 * through one or more meters (internal.h) over disjoint sets of its CPUs.
 *
 * Sources:
 * - rapl: direct MSR reads (rapl_msr.c), measured: package, cores, uncore,
 *   DRAM and platform counters per package; AMD's core counters are one
 *   meter per physical core.
 * - model: one "package-N" domain per physical package with one meter,
 *   power P = idle + (max - idle) x utilisation of the package's online
 *   CPUs, flagged estimated; the sub-µJ remainder is carried between
 *   intervals (rescaled, losing under 1 µJ, when the number of online
 *   CPUs changes).
 * source=auto takes RAPL where the CPU has it and the model otherwise.
 *
 * Locking: the domain table and the meter pool are allocated at init and
 * freed at exit. Meters are added, CPUs join them and their figures change
 * under greenai_lock (the hotplug callbacks take it).
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "internal.h"

struct greenai_dom *greenai_doms;
unsigned int greenai_nr_doms;
struct greenai_meter *greenai_meters;
unsigned int greenai_nr_meters;

static const char * const greenai_kind_names[] = {
	[GREENAI_DOM_PACKAGE] = "package",
	[GREENAI_DOM_CORE] = "core",
	[GREENAI_DOM_UNCORE] = "uncore",
	[GREENAI_DOM_DRAM] = "dram",
	[GREENAI_DOM_PSYS] = "psys",
	[GREENAI_DOM_GPU] = "gpu",
	[GREENAI_DOM_PLATFORM] = "platform",
};

static const char * const greenai_source_names[] = {
	[GREENAI_SRC_RAPL_MSR] = "rapl-msr",
	[GREENAI_SRC_POWERCAP] = "powercap",
	[GREENAI_SRC_PERF] = "perf",
	[GREENAI_SRC_HWMON] = "hwmon",
	[GREENAI_SRC_NVML] = "nvml",
	[GREENAI_SRC_DRM] = "drm",
	[GREENAI_SRC_MODEL] = "model",
};

const char *greenai_kind_name(u16 kind)
{
	if (kind >= ARRAY_SIZE(greenai_kind_names) || !greenai_kind_names[kind])
		return "unknown";
	return greenai_kind_names[kind];
}

const char *greenai_source_name(u16 source)
{
	if (source >= ARRAY_SIZE(greenai_source_names) ||
	    !greenai_source_names[source])
		return "unknown";
	return greenai_source_names[source];
}

/**
 * greenai_cpu_package() - the logical package of a CPU
 * @cpu: a possible CPU
 *
 * Return: the package index, 0 when the topology does not say.
 */
int greenai_cpu_package(int cpu)
{
	int pkg = topology_logical_package_id(cpu);

	return pkg < 0 ? 0 : pkg;
}

/* Model energy over an interval, µJ; the caller set busy_ns/capacity_ns. */
static u64 greenai_model_energy(struct greenai_dom *d, u64 elapsed_ns)
{
	u64 online = elapsed_ns ? div64_u64(d->capacity_ns, elapsed_ns) : 0;
	u64 den, uj, r1, r2, rem;

	if (!online)
		return 0;
	den = online * GA_NSEC_PER_SEC;
	if (d->model_den != den) {
		/* online CPUs changed: rescale the carried remainder */
		d->model_rem = d->model_den ?
			ga_mul_div(d->model_rem, den, d->model_den) : 0;
		d->model_den = den;
	}
	uj = ga_mul_div_rem(d->idle_uw * online, elapsed_ns, den, &r1);
	uj += ga_mul_div_rem(d->max_uw - d->idle_uw, d->busy_ns, den, &r2);
	rem = d->model_rem + r1 + r2;
	uj += div64_u64_rem(rem, den, &d->model_rem);
	return uj;
}

/**
 * greenai_meter_energy() - energy of a meter over the interval
 * @m: the meter; for the model, its domain's busy_ns and capacity_ns of
 *	the interval are set
 * @elapsed_ns: length of the interval
 * @flags: set to the GREENAI_F_* that apply
 *
 * Caller holds greenai_lock.
 *
 * Return: µJ.
 */
u64 greenai_meter_energy(struct greenai_meter *m, u64 elapsed_ns, u32 *flags)
{
	if (m->msr)
		return greenai_rapl_energy(m, flags);
	*flags = m->dom->desc.flags & GREENAI_F_ESTIMATED;
	return greenai_model_energy(m->dom, elapsed_ns);
}

static unsigned int greenai_max_meters;
static int greenai_domains_cpuhp = -1;
static u64 greenai_start_ns;

/**
 * greenai_domains_alloc() - allocate the domain table and the meter pool
 * @nr_doms: domains, at most GREENAI_MAX_DOMAINS
 * @max_meters: meters the domains may ever have
 *
 * Return: 0, -E2BIG or -ENOMEM.
 */
int greenai_domains_alloc(unsigned int nr_doms, unsigned int max_meters)
{
	unsigned int i;

	if (nr_doms > GREENAI_MAX_DOMAINS)
		return -E2BIG;
	greenai_doms = kcalloc(nr_doms, sizeof(*greenai_doms), GFP_KERNEL);
	/* a meter holds a cpumask: 1 KiB with NR_CPUS=8192 */
	greenai_meters = kvcalloc(max_meters, sizeof(*greenai_meters),
				  GFP_KERNEL);
	if (!greenai_doms || !greenai_meters) {
		greenai_domains_exit();
		return -ENOMEM;
	}
	greenai_nr_doms = nr_doms;
	greenai_max_meters = max_meters;
	greenai_nr_meters = 0;
	for (i = 0; i < nr_doms; i++)
		greenai_doms[i].desc.id = i;
	return 0;
}

/**
 * greenai_meter_add() - give a domain a new meter from the pool
 * @d: the domain
 *
 * Called at init, before any interval closes, or under greenai_lock.
 *
 * Return: the meter, with no CPUs and no reader, or NULL when the pool is
 * used up.
 */
struct greenai_meter *greenai_meter_add(struct greenai_dom *d)
{
	struct greenai_meter *m, **tail;

	if (greenai_nr_meters == greenai_max_meters)
		return NULL;
	m = &greenai_meters[greenai_nr_meters];
	m->dom = d;
	m->reader = -1;
	m->core = -1;
	for (tail = &d->meters; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	d->nr_meters++;
	greenai_nr_meters++;
	return m;
}

/* A CPU that comes online joins its package's model meter. */
static void greenai_model_cpu_online(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		if (d->desc.source != GREENAI_SRC_MODEL ||
		    d->group != greenai_cpu_package(cpu))
			continue;
		cpumask_set_cpu(cpu, &d->cpus);
		cpumask_set_cpu(cpu, &d->meters->cpus);
		d->desc.nr_cpus = cpumask_weight(&d->cpus);
	}
}

static int greenai_domains_online(unsigned int cpu)
{
	mutex_lock(&greenai_lock);
	greenai_model_cpu_online(cpu);
	greenai_rapl_cpu_online(cpu);
	mutex_unlock(&greenai_lock);
	return 0;
}

static int greenai_domains_offline(unsigned int cpu)
{
	mutex_lock(&greenai_lock);
	greenai_rapl_cpu_offline(cpu);
	mutex_unlock(&greenai_lock);
	return 0;
}

/**
 * greenai_domains_start_ns() - when the domains started measuring
 *
 * Return: CLOCK_MONOTONIC ns: the start of the first interval.
 */
u64 greenai_domains_start_ns(void)
{
	return greenai_start_ns;
}

/**
 * greenai_model_set() - new coefficients for every model domain
 * @idle_uw: power at zero utilisation, µW
 * @max_uw: power at full utilisation, µW, at least @idle_uw
 *
 * Caller holds greenai_lock; checked by the caller.
 *
 * Return: 0, or -ENODEV when no domain uses the model.
 */
int greenai_model_set(u64 idle_uw, u64 max_uw)
{
	unsigned int i, n = 0;

	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		if (d->desc.source != GREENAI_SRC_MODEL)
			continue;
		d->idle_uw = idle_uw;
		d->max_uw = max_uw;
		d->desc.max_power_uw = max_uw;
		n++;
	}
	return n ? 0 : -ENODEV;
}

static int greenai_model_domains(u64 idle_uw, u64 max_uw)
{
	unsigned int nr_pkgs = 0, i;
	int cpu, err;

	/*
	 * Every package the firmware announced, with or without an online
	 * CPU now: one whose CPUs come online later has its domain ready.
	 */
	nr_pkgs = topology_max_packages();
	for_each_possible_cpu(cpu)
		nr_pkgs = max_t(unsigned int, nr_pkgs,
				greenai_cpu_package(cpu) + 1);
	if (nr_pkgs > GREENAI_MAX_DOMAINS) {
		pr_warn("%u packages are more than %u domains: the CPUs of the others are not accounted\n",
			nr_pkgs, GREENAI_MAX_DOMAINS);
		nr_pkgs = GREENAI_MAX_DOMAINS;
	}
	err = greenai_domains_alloc(nr_pkgs, nr_pkgs);
	if (err)
		return err;
	for (i = 0; i < nr_pkgs; i++) {
		struct greenai_dom *d = &greenai_doms[i];

		greenai_meter_add(d);
		d->group = i;
		d->desc.kind = GREENAI_DOM_PACKAGE;
		d->desc.source = GREENAI_SRC_MODEL;
		d->desc.flags = GREENAI_F_ESTIMATED;
		d->desc.package = i;
		d->desc.unit_num = 1;
		d->desc.unit_den = 1;
		d->desc.max_power_uw = max_uw;
		snprintf(d->desc.name, sizeof(d->desc.name), "package-%u", i);
		d->idle_uw = idle_uw;
		d->max_uw = max_uw;
	}
	return 0;
}

/**
 * greenai_domains_init() - find the energy domains
 * @sel: source=auto|rapl|model
 * @idle_uw: the model's idle power per package, µW
 * @max_uw: the model's full-load power per package, µW
 *
 * Return: 0, -ENODEV when RAPL was asked for and this machine has none,
 * or -errno.
 */
int greenai_domains_init(enum greenai_source_sel sel, u64 idle_uw,
			 u64 max_uw)
{
	int err = -ENODEV;

	greenai_start_ns = ktime_get_ns();
	if (sel != GREENAI_SOURCE_MODEL) {
		err = greenai_rapl_domains();
		if (err && sel == GREENAI_SOURCE_RAPL) {
			if (err == -ENODEV)
				pr_err("source=rapl: no RAPL energy counters on this machine\n");
			return err;
		}
		if (err && err != -ENODEV)
			pr_warn("RAPL counters unusable (error %d): using the power model\n",
				err);
	}
	if (err) {
		err = greenai_model_domains(idle_uw, max_uw);
		if (err)
			return err;
		pr_info("%u domain(s) from the power model, %llu..%llu mW per package (estimated)\n",
			greenai_nr_doms, idle_uw / 1000, max_uw / 1000);
	}

	/* the CPUs online now join their meters, and so will later ones */
	err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "greenai/domains:online",
				greenai_domains_online,
				greenai_domains_offline);
	if (err < 0)
		goto out;
	greenai_domains_cpuhp = err;
	err = greenai_rapl_start();
	if (err)
		goto out;
	return 0;
out:
	greenai_domains_exit();
	return err;
}

/**
 * greenai_domains_exit() - free the domain table
 */
void greenai_domains_exit(void)
{
	if (greenai_domains_cpuhp >= 0) {
		cpuhp_remove_state_nocalls(greenai_domains_cpuhp);
		greenai_domains_cpuhp = -1;
	}
	greenai_rapl_stop();
	kvfree(greenai_meters);
	greenai_meters = NULL;
	greenai_nr_meters = 0;
	greenai_max_meters = 0;
	kfree(greenai_doms);
	greenai_doms = NULL;
	greenai_nr_doms = 0;
}
