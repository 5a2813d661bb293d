// SPDX-License-Identifier: GPL-2.0
/*
 * What both modes of the engine do alike (ctx.h): the energy sources
 * opened and read, their zones made the accounting's domains, each
 * domain's energy split at a sample, records handed to the caller, and
 * the identities of processes.
 *
 * Domains come from the sources' zones: CPU-package zones (package, core,
 * uncore, DRAM) are split over the run time on their package's CPUs,
 * platform zones (psys, hwmon) over all CPUs, GPU zones by their
 * per-process shares. In module mode the accounting has one CPU, the
 * whole machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/identity.h>

#include "base/cpuinfo.h"
#include "energy/cpu_power.h"
#include "ident/identity_cache.h"
#include "engine/ctx.h"

void ga_ctx_status(struct ga_ctx *g, const char *name, bool used,
		   const char *reason)
{
	unsigned int i = g->nr_status;
	char *dst = g->reasons[i];
	size_t n;

	if (i == GA_MAX_SOURCES * 2)
		return;
	if (!reason)
		reason = "";
	n = strlen(reason);
	if (n > GA_ESRC_REASON_LEN - 1)
		n = GA_ESRC_REASON_LEN - 1;
	memcpy(dst, reason, n);
	dst[n] = '\0';
	g->status[i] = (struct ga_source_status){
		.name = name, .used = used, .reason = g->reasons[i],
	};
	g->nr_status++;
}

void ga_ctx_emit(struct ga_ctx *g, struct greenai_rec_hdr *h)
{
	h->seq = g->seq++;
	if (g->record_fn)
		g->record_fn(h, g->record_arg);
}

/* Open one source; on success it is kept. */
static bool ga_try_source(struct ga_ctx *g, const struct ga_esrc_ops *ops,
			  const struct ga_esrc_conf *conf)
{
	struct ga_esrc *s = &g->src[g->nr_src];

	if (g->nr_src == GA_MAX_SOURCES)
		return false;
	if (ga_esrc_open(s, ops, conf)) {
		ga_ctx_status(g, ops->name, false, s->reason);
		return false;
	}
	if (!s->nr_zones) {
		ga_ctx_status(g, ops->name, false, "no energy counter found");
		ga_esrc_close(s);
		return false;
	}
	ga_ctx_status(g, ops->name, true, "");
	g->nr_src++;
	return true;
}

/**
 * ga_ctx_model() - settle the power model's coefficients
 * @g: the context; its options read, its root set
 *
 * Per package when the options give them so, else per CPU when they give
 * them so, else Cloud Carbon Footprint's figures per vCPU for the
 * processor family that <root>/proc/cpuinfo's model name says
 * (cpu_power.h), each with where it is from.
 */
void ga_ctx_model(struct ga_ctx *g)
{
	const char *from = g->opts.model_from ? g->opts.model_from : "given";
	struct ga_cpu_power cp;
	char name[128];

	memset(&g->model, 0, sizeof(g->model));
	if (g->opts.model_max_uw) {
		g->model.pkg_idle_uw = g->opts.model_idle_uw;
		g->model.pkg_max_uw = g->opts.model_max_uw;
	} else if (g->opts.model_cpu_max_mw) {
		g->model.cpu_idle_mw = g->opts.model_cpu_idle_mw;
		g->model.cpu_max_mw = g->opts.model_cpu_max_mw;
	} else {
		ga_cpuinfo_model_name(g->root, name, sizeof(name));
		ga_cpu_power_of(name, &cp);
		g->model.cpu_idle_mw = cp.min_mw;
		g->model.cpu_max_mw = cp.max_mw;
		from = cp.source;
	}
	snprintf(g->model.from, sizeof(g->model.from), "%s", from);
}

/**
 * ga_ctx_model_package() - the power model's coefficients of one package
 * @g: the context, ga_ctx_model() done
 * @nr_cpus: the package's CPUs
 * @idle_uw: its power at rest, µW
 * @max_uw: its power at full load, µW
 *
 * Also sets what ga_domain_estimate() says of the model's domains.
 */
void ga_ctx_model_package(struct ga_ctx *g, unsigned int nr_cpus,
			  __u64 *idle_uw, __u64 *max_uw)
{
	char per[24] = "";

	*idle_uw = g->model.pkg_idle_uw;
	*max_uw = g->model.pkg_max_uw;
	if (!*max_uw) {
		if (!nr_cpus)
			nr_cpus = 1;
		*idle_uw = (__u64)g->model.cpu_idle_mw * 1000 * nr_cpus;
		*max_uw = (__u64)g->model.cpu_max_mw * 1000 * nr_cpus;
		snprintf(per, sizeof(per), " (%u CPUs)", nr_cpus);
	}
	snprintf(g->model.estimate, sizeof(g->model.estimate),
		 "power model: %s: %llu.%03llu..%llu.%03llu W per package%s",
		 g->model.from, (unsigned long long)(*idle_uw / 1000000),
		 (unsigned long long)(*idle_uw / 1000 % 1000),
		 (unsigned long long)(*max_uw / 1000000),
		 (unsigned long long)(*max_uw / 1000 % 1000), per);
}

/* The CPUs online now per package that has any: at least 1. */
static unsigned int ga_ctx_cpus_per_package(const struct ga_ctx *g)
{
	unsigned int cpu, n = 0, pkgs = 0;
	unsigned char *seen = calloc(g->topo.nr_packages ?: 1, 1);

	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		int p = g->topo.package[cpu];

		if (!g->topo.online[cpu])
			continue;
		n++;
		if (seen && p >= 0 && (unsigned int)p < g->topo.nr_packages &&
		    !seen[p]) {
			seen[p] = 1;
			pkgs++;
		}
	}
	free(seen);
	return pkgs && n >= pkgs ? n / pkgs : n ?: 1;
}

/*
 * The energy sources: with @cpu, the CPU's (powercap, else perf, else the
 * host's hand-over tree in a VM, else the model, or the one asked for);
 * then the others, unless told not to.
 */
void ga_ctx_open_sources(struct ga_ctx *g, bool cpu)
{
	static const struct ga_esrc_ops *const cpu_src[] = {
		[GA_CPU_SOURCE_POWERCAP] = &ga_esrc_powercap,
		[GA_CPU_SOURCE_PERF] = &ga_esrc_perf,
		[GA_CPU_SOURCE_MODEL] = &ga_esrc_model,
		[GA_CPU_SOURCE_HOST] = &ga_esrc_host,
	};
	struct ga_esrc_conf conf = {
		.root = g->root,
		.nvml_lib = g->opts.nvml_lib,
		.model_packages = g->topo.nr_packages,
		.host_dir = g->opts.host_energy_dir,
	};
	enum ga_cpu_source cs = g->opts.cpu_source;

	/* (the module's model is the module's: mode_kmod.c) */
	if (cpu)
		ga_ctx_model_package(g, ga_ctx_cpus_per_package(g),
				     &conf.model_idle_uw, &conf.model_max_uw);

	if (!cpu) {
		/* the module's */
	} else if (cs != GA_CPU_SOURCE_AUTO) {
		ga_try_source(g, cpu_src[cs], &conf);
	} else if (!ga_try_source(g, &ga_esrc_powercap, &conf) &&
		   !ga_try_source(g, &ga_esrc_perf, &conf) &&
		   !ga_try_source(g, &ga_esrc_host, &conf)) {
		ga_try_source(g, &ga_esrc_model, &conf);
	}
	if (g->opts.no_extra_sources)
		return;
	ga_try_source(g, &ga_esrc_hwmon, &conf);
	ga_try_source(g, &ga_esrc_nvml, &conf);
	ga_try_source(g, &ga_esrc_drm, &conf);
}

void ga_ctx_close_sources(struct ga_ctx *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_src; i++)
		ga_esrc_close(&g->src[i]);
	g->nr_src = 0;
}

/* The accounting, with the caller's caps and idle policy. */
int ga_ctx_new_acct(struct ga_ctx *g, unsigned int nr_cpus)
{
	struct ga_acct_conf ac = {
		.nr_cpus = nr_cpus,
		.max_tasks = g->opts.max_tasks,
		.max_cgroups = g->opts.max_cgroups,
		.idle = g->opts.idle,
		.counts = g->counting,
	};

	g->shares = calloc(GA_MAX_SHARES, sizeof(*g->shares));
	if (!g->shares)
		return -ENOMEM;
	return ga_acct_new(&g->acct, &ac);
}

void ga_ctx_free_acct(struct ga_ctx *g)
{
	ga_acct_free(g->acct);
	g->acct = NULL;
	free(g->shares);
	g->shares = NULL;
}

/* Which CPUs a zone's energy is split over; NULL: by shares. */
static const unsigned char *ga_zone_cpus(struct ga_ctx *g,
					 const struct ga_zone *z,
					 unsigned char *buf)
{
	unsigned int cpu;

	if (z->has_shares)
		return NULL;
	if (g->whole_machine) {
		buf[0] = 1;
		return buf;
	}
	for (cpu = 0; cpu < g->topo.nr_cpus; cpu++) {
		switch (z->kind) {
		case GREENAI_DOM_PACKAGE:
		case GREENAI_DOM_CORE:
		case GREENAI_DOM_UNCORE:
		case GREENAI_DOM_DRAM:
			buf[cpu] = z->package < 0 ||
				   g->topo.package[cpu] == z->package;
			break;
		default:
			buf[cpu] = 1;
		}
	}
	return buf;
}

static bool ga_cpu_kind(__u16 kind)
{
	return kind == GREENAI_DOM_PACKAGE || kind == GREENAI_DOM_CORE ||
	       kind == GREENAI_DOM_UNCORE || kind == GREENAI_DOM_DRAM;
}

/*
 * Whether a hwmon zone counts what a domain already has counts: a CPU
 * zone (amd_energy's sockets and cores) of a package for which RAPL, the
 * perf PMU, the model or the module already has a domain of that kind.
 * Kept, it would count that energy twice in any sum over domains. Also a
 * VM host's GPU zone, where a source of the guest's own has a GPU (one
 * passed through): the guest's figure splits by per-process shares.
 */
static bool ga_zone_duplicate(struct ga_ctx *g, const struct ga_zone *z)
{
	unsigned int i, k, n = g->dom_base + ga_acct_nr_domains(g->acct);
	__u32 pkg = z->package < 0 ? 0 : z->package;

	/* the host's GPU figure, where the guest measures a GPU itself */
	if (z->source == GREENAI_SRC_HOST && z->kind == GREENAI_DOM_GPU) {
		for (i = 0; i < g->nr_src; i++)
			for (k = 0; k < g->src[i].nr_zones; k++)
				if (g->src[i].zones[k].source !=
					    GREENAI_SRC_HOST &&
				    g->src[i].zones[k].kind == GREENAI_DOM_GPU)
					return true;
		return false;
	}
	if (z->source != GREENAI_SRC_HWMON || !ga_cpu_kind(z->kind))
		return false;
	for (i = 0; i < n; i++) {
		const struct greenai_domain *d = g->ops->domain(g, i);

		if (d && d->source != GREENAI_SRC_HWMON && d->kind == z->kind &&
		    d->package == pkg)
			return true;
	}
	return false;
}

static void ga_left_out(struct ga_ctx *g, unsigned int n, const char *why)
{
	char msg[96];

	if (!n)
		return;
	snprintf(msg, sizeof(msg), "%u zone(s) left out: %s", n, why);
	ga_ctx_status(g, "domains", false, msg);
}

/* Each source's zones become the accounting's domains. */
int ga_ctx_add_domains(struct ga_ctx *g)
{
	unsigned char *cpus = calloc(g->topo.nr_cpus ?: 1, 1);
	unsigned int i, z, too_many = 0, dup = 0;
	int id = 0;

	if (!cpus)
		return -ENOMEM;
	for (i = 0; i < g->nr_src; i++) {
		struct ga_esrc *s = &g->src[i];

		for (z = 0; z < s->nr_zones; z++) {
			const struct ga_zone *zone = &s->zones[z];
			struct greenai_domain d = {
				.kind = zone->kind,
				.source = zone->source,
				.flags = zone->flags & (GREENAI_F_ESTIMATED |
							GREENAI_F_NESTED),
				.package = zone->package < 0 ? 0 :
								zone->package,
				.unit_num = 1,
				.unit_den = 1,
				.range_uj = zone->range_uj,
			};

			if (ga_zone_duplicate(g, zone)) {
				dup++;
				continue;
			}
			if (g->dom_base + ga_acct_nr_domains(g->acct) >=
			    GREENAI_MAX_DOMAINS) {
				too_many++;
				continue;
			}
			snprintf(d.name, sizeof(d.name), "%s", zone->name);
			id = ga_acct_add_domain(g->acct, &d,
						ga_zone_cpus(g, zone, cpus));
			if (id < 0)
				break;
			if (zone->source == GREENAI_SRC_MODEL)
				ga_acct_set_model_idle(g->acct, id,
						       zone->idle_uw);
			g->dsrc[id] = (struct domain_src){
				.src = s, .zone = z,
				.last_uj = zone->energy_uj,
			};
		}
	}
	free(cpus);
	ga_left_out(g, too_many, "more than the ABI's 32 domains");
	_Static_assert(GREENAI_MAX_DOMAINS == 32, "the message above");
	ga_left_out(g, dup, "counters another source counts (hwmon CPU, host GPU)");
	return id < 0 ? id : 0;
}

/* The domains count from the sources' last reading. */
void ga_ctx_start_domains(struct ga_ctx *g)
{
	unsigned int i;

	for (i = 0; i < ga_acct_nr_domains(g->acct); i++) {
		struct domain_src *ds = &g->dsrc[i];

		ds->last_uj = ds->src->zones[ds->zone].energy_uj;
	}
}

/* Read every source at @now (the model from the packages' @act). */
void ga_ctx_read_sources(struct ga_ctx *g, __u64 now,
			 const struct ga_activity *act)
{
	unsigned int i;

	for (i = 0; i < g->nr_src; i++)
		ga_esrc_read(&g->src[i], now, act);
}

/*
 * A domain's user that no run time was charged for yet (it started since
 * the last sample): its cgroup and name from /proc, so that its share
 * counts where it runs. Return: false for a pid that is not a live
 * process (a GPU can list one that has exited): it gets no share.
 */
static bool ga_ctx_introduce(struct ga_ctx *g, __u32 pid)
{
	const struct ga_identity *id;
	__u64 start_ns = 0;

	if (ga_acct_task(g->acct, pid))
		return true;
	if (ga_ctx_identity(g, pid, &id))
		return false;
	/* the start time as the backend has it, which its sweep uses */
	if (g->ops->start_ns)
		start_ns = g->ops->start_ns(g, pid);
	ga_acct_add_task(g->acct, pid, id->cgroup_id, id->comm, start_ns);
	return true;
}

/*
 * Split each domain's energy since the last split, as last read, and send
 * its interval record. @cpu_cap: each CPU's capacity in the interval.
 */
void ga_ctx_split(struct ga_ctx *g, const __u64 *cpu_cap)
{
	unsigned int i, n = ga_acct_nr_domains(g->acct);
	__u64 energy[GREENAI_MAX_DOMAINS];
	__u32 flags[GREENAI_MAX_DOMAINS];

	for (i = 0; i < n; i++) {
		struct domain_src *ds = &g->dsrc[i];
		const struct ga_zone *z = &ds->src->zones[ds->zone];
		__u32 sf;
		int k, nr;

		energy[i] = z->energy_uj - ds->last_uj;
		flags[i] = z->flags;	/* this read's */
		ds->last_uj = z->energy_uj;
		if (!z->has_shares)
			continue;
		nr = ga_esrc_shares(ds->src, ds->zone, g->shares,
				    GA_MAX_SHARES, &sf);
		if (sf & GA_SHARE_EQUAL)
			flags[i] |= GREENAI_F_SHARE_EQUAL;
		if (sf & GA_SHARE_TRUNCATED)
			flags[i] |= GREENAI_F_SHARE_CUT;
		for (k = 0; k < nr; k++) {
			if (ga_ctx_introduce(g, g->shares[k].pid))
				ga_acct_share(g->acct, i, g->shares[k].pid,
					      g->shares[k].weight);
		}
	}
	ga_acct_end(g->acct, cpu_cap, energy, flags, g->iv);
	for (i = 0; i < n; i++) {
		g->iv[i].domain += g->dom_base;
		ga_ctx_emit(g, &g->iv[i].hdr);
	}
}

/*
 * Why domain @id (of the accounting's, from 0) failed its last reading:
 * "" when it did not.
 */
const char *ga_ctx_domain_error(const struct ga_ctx *g, unsigned int id)
{
	const struct domain_src *ds;

	if (!g->acct || id >= ga_acct_nr_domains(g->acct))
		return "";
	ds = &g->dsrc[id];
	return ds->src ? ds->src->zones[ds->zone].error : "";
}

/*
 * The model of domain @id's device, as its source names it: a GPU's from
 * NVML (its zone's label, "nvml:<index> <name>"); "" when the source
 * gives none (DRM's cards are named by driver and PCI address only).
 */
const char *ga_ctx_domain_device(const struct ga_ctx *g, unsigned int id)
{
	const struct domain_src *ds;
	const struct ga_zone *z;
	const char *sp;

	if (!g->acct || id >= ga_acct_nr_domains(g->acct))
		return "";
	ds = &g->dsrc[id];
	if (!ds->src)
		return "";
	z = &ds->src->zones[ds->zone];
	if (z->source != GREENAI_SRC_NVML || strncmp(z->label, "nvml:", 5))
		return "";
	sp = strchr(z->label, ' ');
	return sp ? sp + 1 : "";
}

int ga_ctx_identity(struct ga_ctx *g, __u32 tgid,
		    const struct ga_identity **out)
{
	/* /proc is the machine's, whatever root the sources are read under */
	struct ga_identity_conf conf = { .root = "/" };
	int r;

	if (!g->ids) {
		r = ga_identity_cache_new(&g->ids, &conf);
		if (r)
			return r;
	}
	return ga_identity_cache_get(g->ids, tgid, 0, out);
}

/* A process folded at exit: its identity is not kept either. */
void ga_ctx_forget(struct ga_ctx *g, __u32 tgid)
{
	if (g->ids)
		ga_identity_cache_forget(g->ids, tgid);
}
