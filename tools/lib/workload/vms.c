// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs on the host and their figures (vms.h): libgreenai's
 * per-process totals summed per VM, as growth.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/identity.h>
#include <greenai/vms.h>

#include "base/hash.h"

#define VM_KEY_MAX (GA_PATH_MAX + 8)

struct vm_entry {
	UT_hash_handle hh;
	char *key; /* "scope:<path>", or "pid:<pid>:<start_ns>" of its VMM */
	struct ga_vm_figs f;
	unsigned long fold_at; /* the update it is folded at; 0: live */
};

/*
 * A process met: its VM (NULL: none, and nothing more is kept of it),
 * and a VM's process's totals last seen.
 */
struct vm_proc {
	UT_hash_handle hh;
	__u32 tgid;
	__u64 start_ns;
	char comm[GREENAI_COMM_LEN]; /* an exec changes it: looked at anew */
	struct vm_entry *e;
	unsigned long seen; /* the update it was last live in */
	__u64 prev_cpu_ns;
	struct greenai_energy *prev; /* GREENAI_MAX_DOMAINS; a VM's only */
};

struct ga_vms {
	struct ga_vms_conf conf;
	char root[GA_PATH_MAX];
	struct vm_entry *vms;
	struct vm_proc *procs;
	struct vm_entry **sorted;
	unsigned int nr_vms, nr_sorted;
	unsigned long updates;
	struct ga_vm_figs term;
	struct ga_vms_stats stats;
	struct ga_ctx *g; /* during an update */
};

/**
 * ga_vms_new() - a census of the host's VMs
 * @out: the census
 * @conf: root, bounds (NULL: the defaults)
 *
 * Return: 0 or -ENOMEM.
 */
int ga_vms_new(struct ga_vms **out, const struct ga_vms_conf *conf)
{
	struct ga_vms *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	if (conf)
		v->conf = *conf;
	snprintf(v->root, sizeof(v->root), "%s",
		 v->conf.root && v->conf.root[0] ? v->conf.root : "/");
	v->conf.root = v->root;
	if (!v->conf.max_vms)
		v->conf.max_vms = GA_VMS_MAX_DEF;
	if (!v->conf.keep_updates)
		v->conf.keep_updates = GA_VMS_KEEP_DEF;
	snprintf(v->term.vm.name, sizeof(v->term.vm.name), "terminated");
	*out = v;
	return 0;
}

static void vm_entry_free(struct ga_vms *v, struct vm_entry *e)
{
	HASH_DEL(v->vms, e);
	v->nr_vms--;
	free(e->key);
	free(e);
}

static void vm_proc_free(struct ga_vms *v, struct vm_proc *p)
{
	if (p->e && p->e->f.nr_procs && !--p->e->f.nr_procs)
		p->e->f.ended = true;
	HASH_DEL(v->procs, p);
	free(p->prev);
	free(p);
}

void ga_vms_free(struct ga_vms *v)
{
	if (!v)
		return;
	while (v->procs)
		vm_proc_free(v, v->procs);
	while (v->vms)
		vm_entry_free(v, v->vms);
	free(v->sorted);
	free(v);
}

/* The entry of VM @vm, made when new; NULL past max_vms or no memory. */
static struct vm_entry *vm_entry_get(struct ga_vms *v, const struct ga_vm *vm,
				     int pid, __u64 start_ns)
{
	char key[VM_KEY_MAX];
	struct vm_entry *e;

	if (vm->scope[0])
		snprintf(key, sizeof(key), "scope:%s", vm->scope);
	else
		snprintf(key, sizeof(key), "pid:%d:%llu", pid,
			 (unsigned long long)start_ns);
	HASH_FIND_STR(v->vms, key, e);
	if (e)
		return e;
	if (v->nr_vms >= v->conf.max_vms) {
		v->stats.dropped++;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = strdup(key);
	if (!e->key) {
		free(e);
		return NULL;
	}
	e->f.vm = *vm;
	e->f.vm.flags &= ~GA_VM_VMM;
	HASH_ADD_KEYPTR(hh, v->vms, e->key, strlen(e->key), e);
	v->nr_vms++;
	return e;
}

/*
 * Who process @t is: its VM's entry, or NULL. Most processes are no VM's
 * and cost two reads (cgroup, command line); a VM's is read again, with
 * its owner, between two reads of its start time, so that all is of one
 * process.
 */
static struct vm_entry *vm_identify(struct ga_vms *v,
				    const struct ga_acct_task *t)
{
	struct ga_proc_stat a, b;
	struct vm_entry *e;
	struct ga_vm vm;
	uid_t uid;

	if (ga_vm_of_pid(v->root, (int)t->tgid, &vm) || vm.vmm == GA_VMM_NONE)
		return NULL;
	if (ga_proc_stat_read(v->root, (int)t->tgid, &a) ||
	    ga_vm_of_pid(v->root, (int)t->tgid, &vm) || vm.vmm == GA_VMM_NONE ||
	    ga_proc_uid(v->root, (int)t->tgid, &uid) ||
	    ga_proc_stat_read(v->root, (int)t->tgid, &b) ||
	    a.start_time != b.start_time)
		return NULL; /* not one process read throughout */
	e = vm_entry_get(v, &vm, (int)t->tgid, t->start_ns);
	if (!e)
		return NULL;
	if (vm.flags & GA_VM_VMM) {
		/* the VMM names the VM (libvirt's scope cuts the name) */
		e->f.pid = (int)t->tgid;
		e->f.uid = uid;
		memcpy(e->f.vm.name, vm.name, sizeof(vm.name));
		e->f.vm.flags = vm.flags & ~GA_VM_VMM;
	} else if (!e->f.pid && !e->f.nr_procs) {
		e->f.uid = uid;
	}
	e->f.nr_procs++;
	e->f.ended = false;
	e->fold_at = 0;
	return e;
}

static uint64_t growth(uint64_t now, uint64_t before)
{
	/* a total that went down started again from zero */
	return now >= before ? now - before : now;
}

static int vm_on_task(const struct ga_acct_task *t, void *arg)
{
	struct ga_vms *v = arg;
	unsigned int i, nd = ga_nr_domains(v->g);
	struct vm_entry *e;
	struct vm_proc *p;

	if (t->tgid == GA_ACCT_OVERFLOW_ID || !t->tgid || t->tgid > 0x3fffffff)
		return 0;
	HASH_FIND(hh, v->procs, &t->tgid, sizeof(t->tgid), p);
	if (p && p->start_ns != t->start_ns) {
		vm_proc_free(v, p); /* the pid was used again */
		p = NULL;
	}
	if (p && strncmp(p->comm, t->comm, sizeof(p->comm))) {
		/* an exec: who it is now, its growth from here on */
		if (p->e && p->e->f.nr_procs && !--p->e->f.nr_procs)
			p->e->f.ended = true;
		memcpy(p->comm, t->comm, sizeof(p->comm));
		p->e = vm_identify(v, t);
		if (p->e && !p->prev) {
			p->prev =
				malloc(GREENAI_MAX_DOMAINS * sizeof(*p->prev));
			if (!p->prev)
				return -ENOMEM;
			memcpy(p->prev, t->energy,
			       GREENAI_MAX_DOMAINS * sizeof(*p->prev));
			p->prev_cpu_ns = t->cpu_ns;
		}
	}
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->tgid = t->tgid;
		p->start_ns = t->start_ns;
		memcpy(p->comm, t->comm, sizeof(p->comm));
		HASH_ADD(hh, v->procs, tgid, sizeof(p->tgid), p);
		p->e = vm_identify(v, t);
		/* its growth from zero: all it used since ga_open() */
		if (p->e) {
			p->prev = calloc(GREENAI_MAX_DOMAINS, sizeof(*p->prev));
			if (!p->prev)
				return -ENOMEM;
		}
	}
	p->seen = v->updates;
	e = p->e;
	if (!e || !p->prev)
		return 0;
	e->f.cpu_ns += growth(t->cpu_ns, p->prev_cpu_ns);
	p->prev_cpu_ns = t->cpu_ns;
	for (i = 0; i < nd && i < GREENAI_MAX_DOMAINS; i++) {
		uint64_t act =
			growth(t->energy[i].active_uj, p->prev[i].active_uj);
		uint64_t idle =
			growth(t->energy[i].idle_uj, p->prev[i].idle_uj);

		p->prev[i] = t->energy[i];
		e->f.energy[i].active_uj += act;
		e->f.energy[i].idle_uj += idle;
		if (ga_domain_in_total(v->g, i))
			e->f.total_uj += act + idle;
	}
	return 0;
}

static void figs_add(struct ga_vm_figs *to, const struct ga_vm_figs *f)
{
	unsigned int i;

	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		to->energy[i].active_uj += f->energy[i].active_uj;
		to->energy[i].idle_uj += f->energy[i].idle_uj;
	}
	to->cpu_ns += f->cpu_ns;
	to->total_uj += f->total_uj;
}

static int vm_cmp(const void *a, const void *b)
{
	const struct vm_entry *x = *(const struct vm_entry *const *)a;
	const struct vm_entry *y = *(const struct vm_entry *const *)b;
	int r = strcmp(x->f.vm.name, y->f.vm.name);

	if (r)
		return r;
	if (x->f.uid != y->f.uid)
		return x->f.uid < y->f.uid ? -1 : 1;
	if (x->f.vm.vmm != y->f.vm.vmm)
		return x->f.vm.vmm < y->f.vm.vmm ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * Processes not live this update are let go; VMs ended keep_updates
 * ago are folded; the rest sorted by name.
 */
static int vm_sweep(struct ga_vms *v)
{
	struct vm_proc *p, *pt;
	struct vm_entry *e, *et, **s;
	unsigned int n = 0;

	HASH_ITER(hh, v->procs, p, pt)
	if (p->seen != v->updates)
		vm_proc_free(v, p);
	HASH_ITER(hh, v->vms, e, et)
	{
		if (e->f.nr_procs)
			e->f.ended = false;
		else
			e->f.ended = true;
		if (!e->f.ended)
			continue;
		if (!e->fold_at)
			e->fold_at = v->updates + v->conf.keep_updates;
		if (v->updates < e->fold_at)
			continue;
		figs_add(&v->term, &e->f);
		v->stats.terminated++;
		vm_entry_free(v, e);
	}
	s = realloc(v->sorted, (v->nr_vms + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	v->sorted = s;
	HASH_ITER(hh, v->vms, e, et)
	s[n++] = e;
	qsort(s, n, sizeof(*s), vm_cmp);
	v->nr_sorted = n;
	return 0;
}

/**
 * ga_vms_update() - take each VM's growth since the last update
 * @v: the census
 * @g: the context, sampled just before
 *
 * Return: 0, or -ENOMEM / -errno of reading the totals (what was taken
 * stays taken).
 */
int ga_vms_update(struct ga_vms *v, struct ga_ctx *g)
{
	int r, s;

	v->updates++;
	v->g = g;
	r = ga_for_each_task(g, vm_on_task, v);
	v->g = NULL;
	s = vm_sweep(v);
	v->stats.procs = HASH_COUNT(v->procs);
	return r ?: s;
}

/**
 * ga_vms_count() - how many VMs the census holds (ended ones included)
 * @v: the census
 *
 * Return: the number, as of the last update.
 */
unsigned int ga_vms_count(const struct ga_vms *v)
{
	return v->nr_sorted;
}

/**
 * ga_vms_at() - a VM's figures
 * @v: the census
 * @i: from 0 to ga_vms_count() - 1, in order of name, then uid, then
 *	VMM (two VMs that share all three are next to each other)
 *
 * Return: its figures, valid until the next update; NULL past the end.
 */
const struct ga_vm_figs *ga_vms_at(const struct ga_vms *v, unsigned int i)
{
	return i < v->nr_sorted ? &v->sorted[i]->f : NULL;
}

/**
 * ga_vms_terminated() - the figures of the VMs ended and folded, summed
 * @v: the census
 *
 * Return: their sum (vm.name "terminated").
 */
const struct ga_vm_figs *ga_vms_terminated(const struct ga_vms *v)
{
	return &v->term;
}

static void remap(struct greenai_energy *e, const int *map)
{
	struct greenai_energy old[GREENAI_MAX_DOMAINS];
	unsigned int i;

	memcpy(old, e, sizeof(old));
	memset(e, 0, sizeof(old));
	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		if (map[i] < 0 || map[i] >= GREENAI_MAX_DOMAINS)
			continue;
		e[map[i]].active_uj += old[i].active_uj;
		e[map[i]].idle_uj += old[i].idle_uj;
	}
}

/**
 * ga_vms_remap() - go on over a context opened anew
 * @v: the census
 * @map: for each old domain id, its id in the new context, or -1
 *
 * The counters move to the new ids (those of a domain the new context
 * lacks are dropped); every process's growth is taken from zero again.
 */
void ga_vms_remap(struct ga_vms *v, const int *map)
{
	struct vm_entry *e, *et;
	struct vm_proc *p, *pt;

	HASH_ITER(hh, v->vms, e, et)
	remap(e->f.energy, map);
	remap(v->term.energy, map);
	HASH_ITER(hh, v->procs, p, pt)
	{
		p->prev_cpu_ns = 0;
		if (p->prev)
			memset(p->prev, 0,
			       GREENAI_MAX_DOMAINS * sizeof(*p->prev));
	}
}

void ga_vms_stats(const struct ga_vms *v, struct ga_vms_stats *out)
{
	*out = v->stats;
	out->vms = v->nr_vms;
}
