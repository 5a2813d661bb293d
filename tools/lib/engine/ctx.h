/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai's context, private to the library: what libgreenai.c (the
 * BPF mode and the API) and mode_kmod.c (the module mode) share.
 */
#ifndef _GREENAI_CTX_H
#define _GREENAI_CTX_H

#include <stdbool.h>

#include "base/hash.h"

#include "engine/backend_kmod.h"
#include "energy/esrc.h"
#include "engine/libgreenai.h"
#include "base/topology.h"
#include "base/walk_order.h"

#define GA_EXIT_MAX_WAIT	100	/* samples an exit waits at most */
#define GA_SWEEP_SAMPLES	50	/* samples between two sweeps */
#define GA_MAX_SOURCES		8
#define GA_MAX_SHARES		1024

/*
 * The previous cumulative run time of one ga_runs entry, per CPU. A dead
 * one (its process folded) waits on the context's dead_runs, by
 * next_of_tgid, until the next walk has ended (walk_order.h).
 */
struct run_prev {
	struct ga_bpf_run_key key;
	bool dead;
	struct ga_acct_ref acct;	/* where it was charged */
	unsigned int walk_at;		/* its place in the last walk */
	__u64 ran_at;			/* the sample it last had run time in */
	struct run_prev *next_of_tgid;
	UT_hash_handle hh;
	__u64 prev[];
};

/* The entries of one process, to drop them when it is folded. */
struct proc_runs {
	__u32 tgid;
	bool pending;			/* scratch of ga_sweep() */
	struct run_prev *runs;
	UT_hash_handle hh;
};

struct pending_exit {
	struct greenai_rec_task_exit rec;	/* as the BPF program sent it */
	unsigned int waited;
	bool gone;				/* seen gone at a sample */
};

struct domain_src {
	struct ga_esrc *src;
	unsigned int zone;
	__u64 last_uj;
};

/* Module mode: a process's run time at the previous sample. */
struct kmod_prev {
	__u32 tgid;
	bool seen;			/* in the module's table this sample */
	__u64 cpu_ns;
	UT_hash_handle hh;
};

struct ga_ctx {
	struct ga_opts opts;
	const char *root;
	enum ga_backend backend;
	char backend_name[32];
	struct ga_bpf *bpf;
	struct ga_kmod *kmod;
	struct ga_acct_domain_totals kmod_totals[GREENAI_MAX_DOMAINS];
	unsigned int dom_base;		/* id of the accounting's domain 0 */
	/* module mode: what the extra domains are split by */
	struct kmod_prev *kprev;	/* hash by tgid */
	/*
	 * BPF mode: the ga_runs entries in the order the last walk met them.
	 * The kernel walks its hash in the same order while it keeps the
	 * same entries, so an entry is mostly where it was: found by one
	 * comparison, not a hash lookup.
	 */
	struct ga_walk_order order;
	struct run_prev *dead_runs;	/* freed after the next walk */
	struct greenai_rec_hdr **held;	/* records held back, copies */
	unsigned int nr_held, max_held;
	bool held_early;		/* held at open, sent at sample 1 */
	__u64 read_ns;			/* the extra sources' last reading */
	__u64 kiv_start, kiv_end;	/* the module's intervals, this sample */
	/* ga_domain()'s extra domains, renumbered */
	struct greenai_domain dom_copy[GREENAI_MAX_DOMAINS];
	__u64 rec_extra[GREENAI_REC_MAX_SIZE / 8];	/* an exit record */
	struct ga_topology topo;
	struct ga_acct *acct;

	struct ga_esrc src[GA_MAX_SOURCES];
	unsigned int nr_src;
	struct ga_source_status status[GA_MAX_SOURCES * 2];
	char reasons[GA_MAX_SOURCES * 2][GA_ESRC_REASON_LEN];
	unsigned int nr_status;
	struct domain_src dsrc[GREENAI_MAX_DOMAINS];

	ga_record_fn record_fn;
	void *record_arg;
	__u32 seq;
	__u64 last_ns;

	struct ga_bpf_cpu *cpus, *cpus_prev;
	__u64 *delta;			/* per CPU, scratch */
	__u64 *cpu_cap;			/* per CPU: its time in the interval */
	__u64 *pkg_busy, *pkg_cap;	/* per package, for the model */
	struct run_prev *runs;		/* hash by key */
	struct proc_runs *procs;	/* hash by tgid */
	struct pending_exit *pending;
	unsigned int nr_pending, max_pending;
	struct ga_share *shares;
	struct ga_identity_cache *ids;	/* made at the first ga_identity() */
	__u64 exits_forced, exits_untracked, exits_swept;
	__u64 samples;
	/* records are built here */
	union {
		struct greenai_rec_interval iv[GREENAI_MAX_DOMAINS];
		__u8 exit_buf[GREENAI_REC_MAX_SIZE];
	} rec;
};

__u64 ga_ctx_now(void);
void ga_ctx_status(struct ga_ctx *g, const char *name, bool used,
		   const char *reason);
void ga_ctx_emit(struct ga_ctx *g, struct greenai_rec_hdr *h);
int ga_ctx_new_acct(struct ga_ctx *g, unsigned int nr_cpus);
void ga_ctx_open_sources(struct ga_ctx *g, bool cpu);
int ga_ctx_add_domains(struct ga_ctx *g);
void ga_ctx_read_sources(struct ga_ctx *g, __u64 now);
void ga_ctx_split(struct ga_ctx *g, const __u64 *cpu_cap);
void ga_ctx_forget(struct ga_ctx *g, __u32 tgid);

int ga_mode_kmod_open(struct ga_ctx *g, char *err, size_t err_size);
void ga_mode_kmod_close(struct ga_ctx *g);
int ga_mode_kmod_sample(struct ga_ctx *g);
unsigned int ga_mode_kmod_nr_domains(const struct ga_ctx *g);
const struct greenai_domain *ga_mode_kmod_domain(const struct ga_ctx *g,
						 unsigned int id);
const struct ga_acct_domain_totals *
ga_mode_kmod_domain_totals(const struct ga_ctx *g, unsigned int id);
int ga_mode_kmod_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn,
			       void *arg);
int ga_mode_kmod_for_each_cgroup(const struct ga_ctx *g,
				 ga_acct_cgroup_fn fn, void *arg);
void ga_mode_kmod_stats(const struct ga_ctx *g, struct ga_stats *out);

#endif /* _GREENAI_CTX_H */
