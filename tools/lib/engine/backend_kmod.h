/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai's module backend: greenai.ko's /proc/greenai files and its
 * /dev/greenai record ring (docs/module.md, "/proc/greenai", "/dev/greenai").
 */
#ifndef _GREENAI_BACKEND_KMOD_H
#define _GREENAI_BACKEND_KMOD_H

#include <stddef.h>

#include <uapi/greenai.h>

#include "engine/account.h"

struct ga_kmod;

typedef void (*ga_kmod_record_fn)(struct greenai_rec_hdr *rec, void *arg);
/* @path: the cgroup's path, "-" once removed */
typedef int (*ga_kmod_cgroup_fn)(const struct ga_acct_cgroup *c,
				 const char *path, void *arg);

int ga_kmod_open(struct ga_kmod **out, const char *proc_dir,
		 const char *dev, char *err, size_t err_size);
void ga_kmod_close(struct ga_kmod *k);
const struct greenai_info *ga_kmod_info(const struct ga_kmod *k);
const struct greenai_domain *ga_kmod_domain(const struct ga_kmod *k,
					    unsigned int id);
int ga_kmod_flush(struct ga_kmod *k);
int ga_kmod_read(struct ga_kmod *k, ga_kmod_record_fn fn, void *arg);
int ga_kmod_domain_totals(struct ga_kmod *k,
			  struct ga_acct_domain_totals *out);
int ga_kmod_for_each_task(struct ga_kmod *k, ga_acct_task_fn fn, void *arg);
int ga_kmod_for_each_cgroup(struct ga_kmod *k, ga_kmod_cgroup_fn fn,
			    void *arg);
int ga_kmod_stat(struct ga_kmod *k, const char *key, __u64 *val);
int ga_kmod_stat_word(struct ga_kmod *k, const char *key, char *word,
		      size_t size);
int ga_kmod_control(struct ga_kmod *k, const char *cmd);
int ga_kmod_control_open(struct ga_kmod *k);
int ga_kmod_control_fd(int fd, const char *cmd);
int ga_kmod_model(struct ga_kmod *k, __u64 *idle_mw, __u64 *max_mw);

/* Exposed for the unit tests: one line of /proc/greenai/tasks. */
int ga_kmod_parse_task(char *line, unsigned int nr_domains,
		       struct ga_acct_task *t);
int ga_kmod_parse_cgroup(char *line, unsigned int nr_domains,
			 struct ga_acct_cgroup *c, char **path);
void ga_kmod_unescape(char *s);

#endif /* _GREENAI_BACKEND_KMOD_H */
