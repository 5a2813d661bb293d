// SPDX-License-Identifier: GPL-2.0
/*
 * The power model: the energy source (greenai_model_ops) for CPUs without
 * RAPL counters, or when source=model asks for it.
 *
 * One "package-N" domain per physical package the firmware announced,
 * with one meter over the package's online CPUs. Its power is
 * P = idle + (max - idle) x utilisation of those CPUs, in µW: idle and
 * max from the model_idle_mw and model_max_mw parameters, or later from
 * the control file (greenai_model_set()), which sets the parameters too:
 * /sys/module/greenai/parameters says the coefficients in force.
 * Energies are µJ, flagged estimated; the sub-µJ remainder is carried
 * between intervals, in 1/den µJ (rescaled, losing under 1 µJ, when the
 * number of online CPUs changes).
 *
 * Locking: the domains are made at init, before any interval closes. CPUs
 * join them, and their coefficients and carried remainder change, under
 * greenai_lock.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/topology.h>

#include "internal.h"

/* A meter's energy over an interval, µJ; busy_ns/capacity_ns are set. */
static u64 greenai_model_energy(struct greenai_meter *m, u64 elapsed_ns,
				u32 *flags)
{
	struct greenai_dom *d = m->dom;
	u64 online = elapsed_ns ? div64_u64(d->capacity_ns, elapsed_ns) : 0;
	u64 den, uj, r1, r2, rem;

	*flags = d->desc.flags & GREENAI_F_ESTIMATED;
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

/**
 * greenai_model_set() - new coefficients for every model domain
 * @idle_uw: power at zero utilisation, µW, a whole number of mW
 * @max_uw: power at full utilisation, µW, at least @idle_uw, a whole
 *	number of mW
 *
 * The model_idle_mw and model_max_mw parameters follow, so that their
 * files say what is in force.
 *
 * Caller holds greenai_lock; checked by the caller.
 *
 * Return: 0, or -ENODEV when no domain uses the model (nothing changes).
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
	if (!n)
		return -ENODEV;
	WRITE_ONCE(greenai_model_idle_mw, div_u64(idle_uw, 1000));
	WRITE_ONCE(greenai_model_max_mw, div_u64(max_uw, 1000));
	return 0;
}

/* One domain per package, at the coefficients of the parameters. */
static int greenai_model_domains(void)
{
	u64 idle_uw = greenai_model_idle_mw * 1000ULL;
	u64 max_uw = greenai_model_max_mw * 1000ULL;
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
	pr_info("%u domain(s) from the power model, %llu..%llu mW per package (estimated)\n",
		greenai_nr_doms, idle_uw / 1000, max_uw / 1000);
	return 0;
}

/*
 * Nothing to start or stop: the model reads no counter, and a CPU going
 * down stays in its meter, where its capacity counts only while online.
 */
const struct greenai_source_ops greenai_model_ops = {
	.name = "power model",
	.domains = greenai_model_domains,
	.cpu_online = greenai_model_cpu_online,
	.energy = greenai_model_energy,
};
