/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai's context, private to the engine: what the API (libgreenai.c)
 * and the modes behind it share, and the table each mode fills.
 *
 *   libgreenai.c  the API: picks a mode at ga_open() and calls it through
 *                 its struct ga_mode_ops; nothing mode-specific
 *   mode_bpf.c    the BPF programs in this process; every domain is split
 *                 here, with the shared attribution core (account.c)
 *   mode_kmod.c   greenai.ko accounts the CPU's domains; the domains only
 *                 userspace sees (hwmon, GPUs) are split here on top
 *   mode_agent.c  the greenai agent's figures, asked over its socket
 *                 (agent_client.c), for a caller that is not root
 *   ctx.c         what both modes do alike: the power model's coefficients
 *                 settled, the energy sources opened and read, their zones
 *                 made domains and split, records sent to the caller,
 *                 processes' identities
 *
 * The modes call ctx.c, never libgreenai.c; ctx.c reaches a mode only
 * through the ops table. Each mode keeps its own state behind g->mode.
 */
#ifndef _GREENAI_ENGINE_CTX_H
#define _GREENAI_ENGINE_CTX_H

#include <stdbool.h>

#include <greenai/engine.h>

#include "energy/esrc.h"
#include "engine/account.h"
#include "base/topology.h"

#define GA_MAX_SOURCES		8
#define GA_MAX_SHARES		1024
#define GA_MODEL_FROM_LEN	256

struct ga_ctx;

/*
 * A mode: how the engine gets run time and energy. Every entry is
 * required unless it says otherwise.
 */
struct ga_mode_ops {
	/* set g->mode, the domains and the backend's name; -errno, @err */
	int (*open)(struct ga_ctx *g, char *err, size_t err_size);
	/* free g->mode; called after a failed open too */
	void (*close)(struct ga_ctx *g);
	int (*sample)(struct ga_ctx *g);
	/* take the records waiting in the kernel; NULL: nothing waits */
	int (*drain)(struct ga_ctx *g);
	/* fold processes whose exit record was lost; NULL: none are */
	void (*sweep)(struct ga_ctx *g);
	unsigned int (*nr_domains)(const struct ga_ctx *g);
	const struct greenai_domain *(*domain)(const struct ga_ctx *g,
					       unsigned int id);
	const struct ga_acct_domain_totals *(*domain_totals)(
		const struct ga_ctx *g, unsigned int id);
	/* NULL: the mode reads no counter of its own in userspace */
	const char *(*domain_error)(const struct ga_ctx *g, unsigned int id);
	/* NULL: no device names (ga_domain_device()) */
	const char *(*domain_device)(const struct ga_ctx *g, unsigned int id);
	int (*for_each_task)(const struct ga_ctx *g, ga_acct_task_fn fn,
			     void *arg);
	int (*for_each_cgroup)(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
			       void *arg);
	/* NULL: the tables are the backend's own (-EOPNOTSUPP) */
	int (*forget_cgroup)(struct ga_ctx *g, __u64 id);
	void (*stats)(const struct ga_ctx *g, struct ga_stats *out);
	/*
	 * The start time of live process @tgid as the backend clocks it, for
	 * a process that came in through a GPU share; NULL or 0: unknown.
	 */
	__u64 (*start_ns)(struct ga_ctx *g, __u32 tgid);
};

extern const struct ga_mode_ops ga_mode_bpf;
extern const struct ga_mode_ops ga_mode_kmod;
extern const struct ga_mode_ops ga_mode_agent;

/* A domain of the accounting: which source's zone it reads. */
struct domain_src {
	struct ga_esrc *src;
	unsigned int zone;
	__u64 last_uj;
};

struct ga_ctx {
	struct ga_opts opts;
	const char *root;
	const struct ga_mode_ops *ops;
	void *mode;			/* the mode's own state */
	char backend_name[32];

	/*
	 * The domains split in userspace: all of them in BPF mode, those
	 * after the module's (numbered from dom_base) in module mode, where
	 * the accounting has a single CPU, the whole machine (whole_machine).
	 * acct is NULL when there are none.
	 */
	struct ga_topology topo;
	struct ga_acct *acct;
	unsigned int dom_base;
	bool whole_machine;
	bool counting;			/* charges carry the CPUs' counters */
	bool totals_hidden;		/* agent mode: the domains' totals */
					/* are root's (ga_domain_totals_shown()) */
	enum ga_weight weighed_by;	/* package and core: ga_weights() */
	struct ga_esrc src[GA_MAX_SOURCES];
	unsigned int nr_src;
	struct domain_src dsrc[GREENAI_MAX_DOMAINS];
	struct ga_share *shares;	/* scratch of ga_ctx_split() */

	/* the power model's coefficients, as ga_ctx_model() settled them */
	struct {
		__u64 pkg_idle_uw;	/* given per package, µW; else 0 */
		__u64 pkg_max_uw;
		__u32 cpu_idle_mw;	/* else per CPU, mW */
		__u32 cpu_max_mw;
		char from[GA_MODEL_FROM_LEN];	/* where they are from */
		char estimate[GA_MODEL_FROM_LEN + 192]; /* ga_domain_estimate() */
	} model;

	struct ga_source_status status[GA_MAX_SOURCES * 2];
	char reasons[GA_MAX_SOURCES * 2][GA_ESRC_REASON_LEN];
	unsigned int nr_status;

	ga_record_fn record_fn;
	void *record_arg;
	__u32 seq;
	struct ga_identity_cache *ids;	/* made at the first identity */
	struct ga_cgtree *cgtree;	/* opts.cgroup_paths only */
	/* interval records are built here */
	struct greenai_rec_interval iv[GREENAI_MAX_DOMAINS];
};

void ga_ctx_status(struct ga_ctx *g, const char *name, bool used,
		   const char *reason);
void ga_ctx_emit(struct ga_ctx *g, struct greenai_rec_hdr *h);
int ga_ctx_new_acct(struct ga_ctx *g, unsigned int nr_cpus);
void ga_ctx_free_acct(struct ga_ctx *g);
void ga_ctx_model(struct ga_ctx *g);
void ga_ctx_model_package(struct ga_ctx *g, unsigned int nr_cpus,
			  __u64 *idle_uw, __u64 *max_uw);
void ga_ctx_open_sources(struct ga_ctx *g, bool cpu);
void ga_ctx_close_sources(struct ga_ctx *g);
int ga_ctx_add_domains(struct ga_ctx *g);
void ga_ctx_start_domains(struct ga_ctx *g);
void ga_ctx_read_sources(struct ga_ctx *g, __u64 now,
			 const struct ga_activity *act);
void ga_ctx_split(struct ga_ctx *g, const __u64 *cpu_cap);
const char *ga_ctx_domain_error(const struct ga_ctx *g, unsigned int id);
const char *ga_ctx_domain_device(const struct ga_ctx *g, unsigned int id);
int ga_ctx_identity(struct ga_ctx *g, __u32 tgid,
		    const struct ga_identity **out);
void ga_ctx_forget(struct ga_ctx *g, __u32 tgid);

#endif /* _GREENAI_ENGINE_CTX_H */
