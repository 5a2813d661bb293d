// SPDX-License-Identifier: GPL-2.0
/*
 * libgreenai's API (libgreenai.h): ga_open() picks a mode, and every call
 * after it goes to that mode through its ops table (ctx.h). Nothing here
 * knows how a mode works.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greenai/clock.h>
#include <greenai/identity.h>

#include "ident/identity_cache.h"
#include "engine/agent_client.h"
#include "engine/cgroup_tree.h"
#include "engine/ctx.h"

/*
 * Auto: the module when it is loaded, else BPF; for a caller that is not
 * root (who can use neither), the agent when its socket exists.
 */
static enum ga_backend ga_open_backend(const struct ga_ctx *g)
{
	if (g->opts.backend != GA_BACKEND_AUTO)
		return g->opts.backend;
	if (geteuid() &&
	    access(ga_agent_socket(g->opts.agent_socket), F_OK) == 0)
		return GA_BACKEND_AGENT;
	return access("/proc/greenai/version", F_OK) == 0 ?
		GA_BACKEND_MODULE : GA_BACKEND_BPF;
}

/* A caller that is not root could not open a backend: what to start. */
static void ga_open_hint(const struct ga_ctx *g, char *err, size_t err_size)
{
	char was[512], hint[GA_PATH_MAX + 160];

	if (!err_size)
		return;
	snprintf(was, sizeof(was), "%s", err[0] ? err : "no backend");
	snprintf(hint, sizeof(hint), GA_AGENT_START_HINT,
		 ga_agent_socket(g->opts.agent_socket));
	snprintf(err, err_size, "%s; as an ordinary user, %s", was, hint);
}

/**
 * ga_open() - open a backend and the energy sources
 * @out: the context
 * @opts: options; NULL for the defaults
 * @err: what went wrong, and what to do
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int ga_open(struct ga_ctx **out, const struct ga_opts *opts, char *err,
	    size_t err_size)
{
	struct ga_opts def = { 0 };
	enum ga_backend backend;
	struct ga_ctx *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->opts = opts ? *opts : def;
	g->weighed_by = GA_WEIGHT_TIME;
	g->root = g->opts.sysfs_root ? g->opts.sysfs_root : "/";
	ga_ctx_model(g);
	backend = ga_open_backend(g);
	g->ops = backend == GA_BACKEND_MODULE ? &ga_mode_kmod :
		 backend == GA_BACKEND_AGENT ? &ga_mode_agent : &ga_mode_bpf;
	if (err_size)
		err[0] = '\0';
	r = g->ops->open(g, err, err_size);
	if (r && backend != GA_BACKEND_AGENT && geteuid())
		ga_open_hint(g, err, err_size);
	if (!r && g->opts.cgroup_paths)
		r = ga_cgtree_new(&g->cgtree, g->root);
	if (r) {
		if (err_size && !err[0])
			snprintf(err, err_size, "libgreenai: %s", strerror(-r));
		ga_close(g);
		return r;
	}
	*out = g;
	return 0;
}

void ga_close(struct ga_ctx *g)
{
	if (!g)
		return;
	g->ops->close(g);
	ga_cgtree_free(g->cgtree);
	ga_ctx_close_sources(g);
	ga_identity_cache_free(g->ids);
	ga_ctx_free_acct(g);
	ga_topology_free(&g->topo);
	free(g);
}

int ga_backend_parse(const char *name, enum ga_backend *out)
{
	static const char *const names[] = {
		[GA_BACKEND_AUTO] = "auto",
		[GA_BACKEND_MODULE] = "module",
		[GA_BACKEND_BPF] = "bpf",
		[GA_BACKEND_AGENT] = "agent",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const ga_weight_names[] = {
	[GA_WEIGHT_AUTO] = "auto",
	[GA_WEIGHT_TIME] = "time",
	[GA_WEIGHT_CYCLES] = "cycles",
	[GA_WEIGHT_CPU_CLOCK] = "cpu-clock",
};

int ga_weight_parse(const char *name, enum ga_weight *out)
{
	unsigned int i;

	for (i = 0; i < sizeof(ga_weight_names) / sizeof(ga_weight_names[0]);
	     i++) {
		if (!strcmp(name, ga_weight_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ga_weight_name(enum ga_weight w)
{
	return (unsigned int)w < sizeof(ga_weight_names) /
				 sizeof(ga_weight_names[0]) ?
		       ga_weight_names[w] : "?";
}

enum ga_weight ga_weights(const struct ga_ctx *g)
{
	return g->weighed_by;
}

const char *ga_backend_name(const struct ga_ctx *g)
{
	return g->backend_name;
}

void ga_set_record_fn(struct ga_ctx *g, ga_record_fn fn, void *arg)
{
	g->record_fn = fn;
	g->record_arg = arg;
}

static int api_walk_cgroups(const void *src, ga_acct_cgroup_fn fn, void *arg)
{
	const struct ga_ctx *g = src;

	return g->ops->for_each_cgroup(g, fn, arg);
}

/**
 * ga_sample() - close an interval now
 * @g: the context
 *
 * With opts.cgroup_paths, the paths of the cgroups met for the first time
 * are learnt too; one that cannot be learnt now is tried at the next.
 *
 * Return: 0 or -errno.
 */
int ga_sample(struct ga_ctx *g)
{
	int r = g->ops->sample(g);

	if (!r && g->cgtree)
		ga_cgtree_update(g->cgtree, api_walk_cgroups, g);
	return r;
}

/**
 * ga_drain() - take the exit records waiting in the kernel now
 * @g: the context
 *
 * The BPF ring of exit records is of a fixed size: between samples far
 * apart (the exporter's 5 s), a storm of short-lived processes can fill
 * it, and what does not fit is dropped (those processes are still folded,
 * through the sweep, but with what was last charged of them). ga_wait()
 * calls this every GA_DRAIN_MS; the records taken wait for the next
 * ga_sample() to be folded.
 *
 * It touches only the exits waiting to be folded, which no reader of
 * figures looks at: another thread may read figures (ga_for_each_*(),
 * ga_domain*()) meanwhile, though none may sample or read ga_stats().
 *
 * Return: 0, or -ENOMEM. With the module, 0: it keeps its own records.
 */
int ga_drain(struct ga_ctx *g)
{
	return g->ops->drain ? g->ops->drain(g) : 0;
}

/**
 * ga_wait() - wait until a time, or until a file can be read
 * @g: the context
 * @until_ns: CLOCK_MONOTONIC ns (ga_mono_ns()) to wait until
 * @fd: a file to watch for reading (a terminal, a signalfd), or -1
 *
 * Between samples, the exit records the kernel holds are taken every
 * GA_DRAIN_MS (ga_drain()), so that a storm of short processes between
 * two samples far apart loses none; what ga_drain() says of threads holds
 * for it too.
 *
 * Return: 1 when @fd can be read, 0 when @until_ns has come, -EINTR when
 * a signal came (the caller looks at what its handler set), or -errno.
 */
int ga_wait(struct ga_ctx *g, __u64 until_ns, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		__u64 now = ga_mono_ns(), left_ms;
		int n;

		if (now >= until_ns)
			return 0;
		left_ms = (until_ns - now + 999999) / 1000000;
		n = poll(&pfd, fd >= 0, left_ms < GA_DRAIN_MS ? (int)left_ms :
								GA_DRAIN_MS);
		if (n < 0)
			return -errno;
		if (n > 0)
			return 1;
		ga_drain(g);
	}
}

/**
 * ga_sweep() - look for processes that went without an exit record now
 * @g: the context
 *
 * ga_sample() does a cheaper one every so many samples; a tool about to
 * stop calls this, then ga_sample() once, to fold them all.
 */
void ga_sweep(struct ga_ctx *g)
{
	if (g->ops->sweep)
		g->ops->sweep(g);
}

const char *ga_domain_kind_name(__u16 kind)
{
	static const char *const names[] = {
		[GREENAI_DOM_PACKAGE] = "package", [GREENAI_DOM_CORE] = "core",
		[GREENAI_DOM_UNCORE] = "uncore", [GREENAI_DOM_DRAM] = "dram",
		[GREENAI_DOM_PSYS] = "psys", [GREENAI_DOM_GPU] = "gpu",
		[GREENAI_DOM_PLATFORM] = "platform",
	};

	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ?
		names[kind] : "other";
}

bool ga_domain_totals_shown(const struct ga_ctx *g)
{
	return !g->totals_hidden;
}

unsigned int ga_nr_domains(const struct ga_ctx *g)
{
	return g->ops->nr_domains(g);
}

const struct greenai_domain *ga_domain(const struct ga_ctx *g,
				       unsigned int id)
{
	return g->ops->domain(g, id);
}

const struct ga_acct_domain_totals *ga_domain_totals(const struct ga_ctx *g,
						     unsigned int id)
{
	return g->ops->domain_totals(g, id);
}

int ga_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn, void *arg)
{
	return g->ops->for_each_task(g, fn, arg);
}

int ga_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
		       void *arg)
{
	return g->ops->for_each_cgroup(g, fn, arg);
}

/**
 * ga_domain_error() - why domain @id's last reading failed
 * @g: the context
 * @id: the domain
 *
 * A source that fails (its file gone, a value that is not a number) keeps
 * its energy where it was; the next good reading goes on from there.
 *
 * Return: the error, or "" when the last reading was good (and always
 * with the module, which reads its own counters).
 */
const char *ga_domain_error(const struct ga_ctx *g, unsigned int id)
{
	if (!g->ops->domain_error || id >= ga_nr_domains(g))
		return "";
	return g->ops->domain_error(g, id);
}

/**
 * ga_domain_device() - the model of domain @id's device
 * @g: the context
 * @id: the domain
 *
 * Return: a GPU's model as its source names it (NVML's
 * nvmlDeviceGetName(), at most 44 bytes), or "" when not known (other
 * sources, the module's own domains, the agent).
 */
const char *ga_domain_device(const struct ga_ctx *g, unsigned int id)
{
	if (!g->ops->domain_device || id >= ga_nr_domains(g))
		return "";
	return g->ops->domain_device(g, id);
}

void ga_idle_summary(const struct ga_ctx *g, char *out, size_t size)
{
	unsigned int i, n = ga_nr_domains(g);
	size_t len;

	len = snprintf(out, size, "%s:",
		       ga_idle_share_name(g->opts.idle.share));
	for (i = 0; i < n && len < size; i++) {
		const struct ga_acct_domain_totals *t = ga_domain_totals(g, i);
		char one[96];

		ga_idle_describe(&t->idle, ga_domain(g, i)->name, one,
				 sizeof(one));
		len += snprintf(out + len, size - len, "%s %s", i ? "," : "",
				one);
	}
}

const char *ga_domain_estimate(const struct ga_ctx *g, unsigned int id)
{
	const struct greenai_domain *d = ga_domain(g, id);

	if (!d || !(d->flags & GREENAI_F_ESTIMATED))
		return "";
	if (d->source == GREENAI_SRC_MODEL && g->model.estimate[0])
		return g->model.estimate;
	if (d->source == GREENAI_SRC_HOST)
		return "estimated by the host";
	return "estimated by its source";
}

const char *ga_domain_provenance(const struct ga_ctx *g, unsigned int id)
{
	const struct greenai_domain *d = ga_domain(g, id);
	bool est = d && (d->flags & GREENAI_F_ESTIMATED);

	if (d && d->source == GREENAI_SRC_HOST)
		return est ? "estimated by the host" : "measured by the host";
	return est ? "estimated" : "measured";
}

bool ga_domain_in_total(const struct ga_ctx *g, unsigned int id)
{
	const struct greenai_domain *d = ga_domain(g, id);
	unsigned int i, n = ga_nr_domains(g);
	bool psys = false;

	if (!d || d->flags & GREENAI_F_NESTED)
		return false;
	for (i = 0; i < n; i++)
		psys |= ga_domain(g, i)->kind == GREENAI_DOM_PSYS;
	switch (d->kind) {
	case GREENAI_DOM_PSYS:
	case GREENAI_DOM_GPU:
		return true;
	case GREENAI_DOM_PACKAGE:
	case GREENAI_DOM_DRAM:
		return !psys;
	default:
		return false;
	}
}

unsigned int ga_sources(const struct ga_ctx *g,
			const struct ga_source_status **out)
{
	*out = g->status;
	return g->nr_status;
}

int ga_cgroup_tree(const struct ga_ctx *g, const char *cgpath,
		   struct ga_acct_cgroup *out, unsigned int *nr)
{
	if (!cgpath || cgpath[0] != '/')
		return -EINVAL;
	if (!g->cgtree)
		return -EOPNOTSUPP;
	return ga_cgtree_sum(g->cgtree, cgpath, api_walk_cgroups, g, out, nr);
}

int ga_forget_cgroup(struct ga_ctx *g, __u64 id)
{
	if (!g->ops->forget_cgroup)
		return -EOPNOTSUPP;
	return g->ops->forget_cgroup(g, id);
}

void ga_stats(const struct ga_ctx *g, struct ga_stats *out)
{
	memset(out, 0, sizeof(*out));
	g->ops->stats(g, out);
}

int ga_identity(struct ga_ctx *g, __u32 tgid, const struct ga_identity **out)
{
	return ga_ctx_identity(g, tgid, out);
}
