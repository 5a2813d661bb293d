/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai's BPF backend: loads and attaches bpf/greenai.bpf.c in this
 * process and reads what it collects (include/greenai/bpf_abi.h). Run
 * time only: the energy split is the caller's (account.c).
 *
 * ga_bpf_open() sets libbpf's print callback for the process: warnings to
 * stderr, debug output only with GREENAI_BPF_DEBUG set.
 */
#ifndef _GREENAI_BACKEND_BPF_H
#define _GREENAI_BACKEND_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <greenai/bpf_abi.h>
#include <greenai/engine.h>
#include <uapi/greenai.h>

struct ga_bpf;

/*
 * Called for each exit record; a negative return stops polling (that
 * record is consumed all the same).
 */
typedef int (*ga_bpf_exit_fn)(const struct greenai_rec_task_exit *r,
			      void *arg);

int ga_bpf_open(struct ga_bpf **out, const struct ga_bpf_conf *conf,
		enum ga_weight weights, char *err, size_t err_size);
/* Whether each switch reads the CPUs' counters (ga_bpf_run.count). */
bool ga_bpf_counting(const struct ga_bpf *b);
void ga_bpf_close(struct ga_bpf *b);
const char *ga_bpf_attach_name(const struct ga_bpf *b);
unsigned int ga_bpf_nr_cpus(const struct ga_bpf *b);

int ga_bpf_flush(struct ga_bpf *b);
int ga_bpf_cpus(struct ga_bpf *b, struct ga_bpf_cpu *out);

/*
 * Each entry of ga_runs: @run has ga_bpf_nr_cpus() values, one per
 * possible CPU, valid during the call.
 */
typedef int (*ga_bpf_run_fn)(const struct ga_bpf_run_key *key,
			     const struct ga_bpf_run *run, void *arg);
int ga_bpf_for_each_run(struct ga_bpf *b, ga_bpf_run_fn fn, void *arg);
int ga_bpf_forget(struct ga_bpf *b, const struct ga_bpf_run_key *key);
int ga_bpf_proc(struct ga_bpf *b, __u32 tgid, struct ga_bpf_proc *out);
int ga_bpf_forget_proc(struct ga_bpf *b, __u32 tgid);

int ga_bpf_exits_fd(const struct ga_bpf *b);
int ga_bpf_poll_exits(struct ga_bpf *b, int timeout_ms, ga_bpf_exit_fn fn,
		      void *arg);
void ga_bpf_stats(const struct ga_bpf *b, struct ga_bpf_counters *out);
int ga_bpf_switch_cost(const struct ga_bpf *b, __u64 *run_ns, __u64 *runs);

#endif /* _GREENAI_BACKEND_BPF_H */
