// SPDX-License-Identifier: GPL-2.0
/*
 * Energy domains: what greenai splits. Each domain covers a set of CPUs
 * and gives the energy it used over an interval (µJ), with its
 * provenance, through one or more meters (internal.h) over disjoint sets
 * of its CPUs.
 *
 * The domains and their meters come from one source, known here only by
 * its struct greenai_source_ops, which main.c picks from the source=
 * parameter:
 * - RAPL (rapl_msr.c): direct MSR reads, measured: package, cores, uncore
 *   and DRAM counters per package, and the platform counter over every
 *   CPU; AMD's core counters are one meter per physical core.
 * - the power model (model.c): one "package-N" domain per physical
 *   package, estimated from the utilisation of its CPUs.
 * - the host's figures (host.c), in a virtual machine's guest: domains
 *   named by a parameter, over every CPU, fed from userspace.
 * source=auto takes RAPL where the CPU has it and the model otherwise: a
 * source that finds no domain hands over to the fallback. This file owns
 * the table and the meter pool the source fills, the CPU hotplug
 * callbacks, and the start and stop of the source.
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
	[GREENAI_SRC_HOST] = "host",
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

/* The source of every domain and meter, from init to exit. */
static const struct greenai_source_ops *greenai_source;
static unsigned int greenai_max_meters;
static int greenai_domains_cpuhp = -1;
static u64 greenai_start_ns;

/**
 * greenai_meter_energy() - energy of a meter over the interval
 * @m: the meter; its busy_ns and capacity_ns of the interval are set,
 *	and its domain's
 * @elapsed_ns: length of the interval
 * @flags: set to the GREENAI_F_* that apply
 *
 * Caller holds greenai_lock, after the flip.
 *
 * Return: µJ.
 */
u64 greenai_meter_energy(struct greenai_meter *m, u64 elapsed_ns, u32 *flags)
{
	return greenai_source->energy(m, elapsed_ns, flags);
}

/**
 * greenai_domains_sample_local() - read the meters this CPU reads
 *
 * Called in the flip IPI, interrupts off, under the closer's greenai_lock.
 */
void greenai_domains_sample_local(void)
{
	if (greenai_source->sample_local)
		greenai_source->sample_local();
}

/* Free the domain table and the meter pool; idempotent. */
static void greenai_domains_free(void)
{
	kvfree(greenai_meters);
	greenai_meters = NULL;
	greenai_nr_meters = 0;
	greenai_max_meters = 0;
	kfree(greenai_doms);
	greenai_doms = NULL;
	greenai_nr_doms = 0;
}

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
		greenai_domains_free();
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

static int greenai_domains_online(unsigned int cpu)
{
	mutex_lock(&greenai_lock);
	greenai_source->cpu_online(cpu);
	mutex_unlock(&greenai_lock);
	return 0;
}

static int greenai_domains_offline(unsigned int cpu)
{
	mutex_lock(&greenai_lock);
	if (greenai_source->cpu_offline)
		greenai_source->cpu_offline(cpu);
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

/* Ask @src for its domains; a source that fails leaves none. */
static int greenai_domains_find(const struct greenai_source_ops *src)
{
	int err = src->domains();

	if (err) {
		greenai_domains_free();
		return err;
	}
	greenai_source = src;
	return 0;
}

/**
 * greenai_domains_init() - make the energy domains and start measuring
 * @src: the source of the domains
 * @fallback: the source to take if @src has none or fails, or NULL
 *
 * Return: 0, -ENODEV when the source (the fallback if any) found no
 * domain, or -errno.
 */
int greenai_domains_init(const struct greenai_source_ops *src,
			 const struct greenai_source_ops *fallback)
{
	int err;

	greenai_start_ns = ktime_get_ns();
	err = greenai_domains_find(src);
	if (err && fallback) {
		if (err != -ENODEV)
			pr_warn("%s unusable (error %d): using the %s\n",
				src->name, err, fallback->name);
		err = greenai_domains_find(fallback);
	}
	if (err)
		return err;

	/* the CPUs online now join their meters, and so will later ones */
	err = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "greenai/domains:online",
				greenai_domains_online,
				greenai_domains_offline);
	if (err < 0)
		goto out;
	greenai_domains_cpuhp = err;
	if (greenai_source->start) {
		err = greenai_source->start();
		if (err)
			goto out;
	}
	return 0;
out:
	greenai_domains_exit();
	return err;
}

/**
 * greenai_domains_exit() - stop the source and free the domain table
 */
void greenai_domains_exit(void)
{
	if (greenai_domains_cpuhp >= 0) {
		cpuhp_remove_state_nocalls(greenai_domains_cpuhp);
		greenai_domains_cpuhp = -1;
	}
	if (greenai_source) {
		if (greenai_source->stop)
			greenai_source->stop();
		greenai_source = NULL;
	}
	greenai_domains_free();
}
