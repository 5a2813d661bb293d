// SPDX-License-Identifier: GPL-2.0
/*
 * gtop's tracker: libgreenai's totals since gtop started, turned into
 * rows. Each refresh samples, then reads every process and cgroup; the
 * difference from the last refresh over the time between is the power.
 * Exit records carry what a process took with it: it stays listed,
 * marked exited, for keep_exited_s, so that a job shorter than a refresh
 * is seen. Containers and models are the sums of their processes' energy
 * since gtop started, kept after the processes have gone. A cgroup's row
 * is the cgroup with its descendants, as cpu.stat counts it (the sum of
 * their own figures, gtop_cgroups_tree()), its own figures beside; the
 * cgroups above those that ran are rows too.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uthash.h>
/*
 * The tables hold every process: they start at 16 384 buckets, not
 * uthash's 32, so that a lookup stays about one entry up to that many
 * (uthash reads these where its macros are used).
 */
#undef HASH_INITIAL_NUM_BUCKETS
#undef HASH_INITIAL_NUM_BUCKETS_LOG2
#define HASH_INITIAL_NUM_BUCKETS 16384U
#define HASH_INITIAL_NUM_BUCKETS_LOG2 14U

#include <greenai/libgreenai.h>

#include "gtop.h"

/* A process's energy over the domains in the total, and on GPUs. */
struct gt_totals {
	uint64_t cpu_ns, active_uj, idle_uj, gpu_uj;
};

/* A sum of processes' energy since gtop started: a container, a model. */
struct gt_group {
	char key[GT_KEY_MAX];
	struct gt_totals cur, prev;
	unsigned int nr_procs;
	bool seen;			/* VMs: in the census this refresh */
	UT_hash_handle hh;
};

/*
 * A process. What every refresh reads comes first, together, and the
 * names (read once) after: a refresh of 10 000 processes then touches a
 * line or two of each.
 */
struct gt_proc {
	UT_hash_handle hh;
	uint32_t tgid;
	bool seen, exited, named;
	bool ran;			/* its CPU time grew last refresh */
	bool dead;			/* freed after the next walk */
	unsigned int walk_at;		/* its place in the last walk */
	uint64_t start_ns;
	uint64_t cgroup_id;
	struct gt_totals cur, prev;
	double exited_at;
	struct gt_group *sums[2];	/* its container's, its model's */
	struct gt_proc *next_dead;
	/* names */
	char key[12];			/* the pid, as text */
	char comm[GREENAI_COMM_LEN];
	char model[GA_LABEL_MAX + 1], framework[64], container[80];
	char cgroup[GT_KEY_MAX];
	char cmd[GT_CMD_MAX];
};

/*
 * A cgroup: its own totals from libgreenai, named from its processes, and
 * the totals of it with its descendants (cur, prev).
 */
struct gt_cgroup {
	uint64_t id;
	struct gt_totals cur, prev;
	struct gt_totals own, own_prev;
	bool seen;
	unsigned int nr_procs;
	char path[GT_KEY_MAX];		/* "" until known */
	char model[GA_LABEL_MAX + 1], framework[64];
	char container[80];		/* from the path */
	UT_hash_handle hh;
	UT_hash_handle hp;		/* by path, while the tree is summed */
	struct gt_cgroup *next_made;	/* rows made for cgroups above */
};

struct gt_tracker {
	struct ga_ctx *g;
	double keep_exited_s;
	double start, last, now;
	struct gt_proc *procs;
	struct gt_cgroup *cgroups;
	struct gt_group *containers, *models;
	/*
	 * The VMs' figures (vms.h), kept from the first time the VM view is
	 * asked for: two reads of /proc for each new process, spared
	 * otherwise. Its first figures are since gtop started all the same.
	 */
	struct ga_vms *vms;
	bool vms_wanted, vms_counted;	/* asked for; counted last refresh */
	struct gt_group *vm_rows;	/* by "NAME (VMM, pid N)" */
	struct ga_cgroup_mount mount;
	bool have_mount;
	struct ga_cgroup_resolver resolver;
	uint64_t dom_prev[GREENAI_MAX_DOMAINS];
	/*
	 * The processes in the order libgreenai's last walk gave them, which
	 * it keeps while they live: a process is mostly where it was, found
	 * by one comparison (walk_order.h). Those dropped wait on dead until
	 * the next walk has ended.
	 */
	struct ga_walk_order order;
	struct gt_proc *dead;
};

/* @e's energy summed over the domains counted in the total, and GPUs. */
static void gt_sum_energy(const struct ga_ctx *g,
			  const struct greenai_energy *e, unsigned int nr,
			  struct gt_totals *t)
{
	unsigned int i;

	t->active_uj = t->idle_uj = t->gpu_uj = 0;
	for (i = 0; i < nr && i < ga_nr_domains(g); i++) {
		if (!ga_domain_in_total(g, i))
			continue;
		t->active_uj += e[i].active_uj;
		t->idle_uj += e[i].idle_uj;
		if (ga_domain(g, i)->kind == GREENAI_DOM_GPU)
			t->gpu_uj += e[i].active_uj + e[i].idle_uj;
	}
}

/* Drop @p: freed once no walk's order can hold it (walk_order.h). */
static void gt_proc_drop(struct gt_tracker *t, struct gt_proc *p)
{
	HASH_DEL(t->procs, p);
	p->dead = true;
	p->next_dead = t->dead;
	t->dead = p;
}

static void gt_free_dead(struct gt_tracker *t)
{
	struct gt_proc *p, *next;

	for (p = t->dead; p; p = next) {
		next = p->next_dead;
		free(p);
	}
	t->dead = NULL;
}

static struct gt_proc *gt_proc_get(struct gt_tracker *t, uint32_t tgid,
				   uint64_t start_ns)
{
	struct gt_proc *p;

	HASH_FIND(hh, t->procs, &tgid, sizeof(tgid), p);
	if (p && p->start_ns != start_ns) {
		/* the pid was reused: a new process */
		gt_proc_drop(t, p);
		p = NULL;
	}
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->start_ns = start_ns;
	snprintf(p->key, sizeof(p->key), "%u", tgid);
	HASH_ADD(hh, t->procs, tgid, sizeof(p->tgid), p);
	return p;
}

/*
 * A process's name (comm) as its command line comes from libgreenai:
 * printable, every other byte as \ooo (ga_escape()). Paths, containers and
 * models stay as they are, for lookups, and are escaped where shown.
 */
static void gt_comm_text(char *dst, size_t size, const char *comm,
			 size_t max)
{
	ga_escape(dst, size, comm, strnlen(comm, max));
}

/* Who @p is, read once: command line, cgroup, container, model. */
static void gt_proc_name(struct gt_tracker *t, struct gt_proc *p)
{
	const struct ga_identity *id;
	const struct ga_container *c;

	p->named = true;
	gt_comm_text(p->cmd, sizeof(p->cmd), p->comm, sizeof(p->comm));
	if (ga_identity(t->g, p->tgid, &id))
		return;
	if (id->cmdline[0])
		snprintf(p->cmd, sizeof(p->cmd), "%s", id->cmdline);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", id->cgroup);
	snprintf(p->model, sizeof(p->model), "%s", id->model);
	ga_frameworks_str(id->frameworks, p->framework, sizeof(p->framework));
	c = &id->container;
	if (c->runtime != GA_RT_NONE && c->runtime != GA_RT_SYSTEMD)
		snprintf(p->container, sizeof(p->container), "%s/%s",
			 ga_runtime_name(c->runtime),
			 c->short_id[0] ? c->short_id : c->name);
}

static void gt_on_record(const struct greenai_rec_hdr *h, void *arg)
{
	const struct greenai_rec_task_exit *x = (const void *)h;
	struct gt_tracker *t = arg;
	struct gt_proc *p;

	if (h->type != GREENAI_REC_TASK_EXIT)
		return;
	p = gt_proc_get(t, x->pid, x->start_ns);
	if (!p)
		return;
	if (!p->comm[0])
		memcpy(p->comm, x->comm, sizeof(p->comm));
	p->cgroup_id = x->cgroup_id;
	p->cur.cpu_ns = x->cpu_ns;
	if (x->nr_domains)
		gt_sum_energy(t->g, x->energy, x->nr_domains, &p->cur);
	p->exited = true;
	p->exited_at = t->now;
}

/* Whether process @tgid has exited. */
static bool gt_proc_gone(uint32_t tgid)
{
	/* a signal 0 costs no file: a zombie still counts, until reaped */
	return kill(tgid, 0) && errno == ESRCH;
}

static bool gt_proc_same(const void *item, const void *key)
{
	const struct gt_proc *p = item;
	const struct ga_acct_task *a = key;

	return !p->dead && p->tgid == a->tgid && p->start_ns == a->start_ns;
}

/* gt_proc_get() for the walk's next process: where the last walk had it. */
static struct gt_proc *gt_proc_walk(struct gt_tracker *t,
				    const struct ga_acct_task *a)
{
	struct gt_proc *p = ga_walk_find(&t->order, gt_proc_same, a);

	if (!p)
		p = gt_proc_get(t, a->tgid, a->start_ns);
	if (p)
		ga_walk_push(&t->order, p, &p->walk_at);
	return p;
}

static int gt_on_task(const struct ga_acct_task *a, void *arg)
{
	struct gt_tracker *t = arg;
	struct gt_proc *p;

	if (a->tgid == GA_ACCT_OVERFLOW_ID)
		return 0;
	p = gt_proc_walk(t, a);
	if (!p)
		return -ENOMEM;
	memcpy(p->comm, a->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	p->cgroup_id = a->cgroup_id;
	p->cur.cpu_ns = a->cpu_ns;
	gt_sum_energy(t->g, a->energy, GREENAI_MAX_DOMAINS, &p->cur);
	p->seen = true;
	/*
	 * Its exit may be a few samples from being folded: a process that
	 * has just stopped running is looked up, once, to see whether it
	 * has gone (or is a zombie) rather than gone to sleep.
	 */
	if (p->cur.cpu_ns != p->prev.cpu_ns) {
		p->ran = true;
	} else if (p->ran && !p->exited) {
		p->ran = false;
		if (gt_proc_gone(p->tgid)) {
			p->exited = true;
			p->exited_at = t->now;
		}
	}
	return 0;
}

static struct gt_group *gt_group_get(struct gt_group **tab, const char *key)
{
	struct gt_group *s;

	HASH_FIND_STR(*tab, key, s);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->key, sizeof(s->key), "%s", key);
	HASH_ADD_STR(*tab, key, s);
	return s;
}

static struct gt_cgroup *gt_cgroup_get(struct gt_tracker *t, uint64_t id)
{
	struct gt_cgroup *c;

	HASH_FIND(hh, t->cgroups, &id, sizeof(id), c);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	HASH_ADD(hh, t->cgroups, id, sizeof(c->id), c);
	return c;
}

static int gt_on_cgroup(const struct ga_acct_cgroup *a, void *arg)
{
	struct gt_tracker *t = arg;
	struct gt_cgroup *c = gt_cgroup_get(t, a->id);

	if (!c)
		return -ENOMEM;
	c->own.cpu_ns = a->cpu_ns;
	gt_sum_energy(t->g, a->energy, GREENAI_MAX_DOMAINS, &c->own);
	c->seen = true;
	return 0;
}

/*
 * Each cgroup's live processes, and its path, model and framework from
 * them (gt_cgroup_count() for each process); a cgroup none of whose
 * processes gtop knows by name is looked up by its id (a walk of the
 * cgroup tree), once (gt_cgroups_name()).
 */
static void gt_cgroup_count(struct gt_tracker *t, const struct gt_proc *p)
{
	struct gt_cgroup *c;

	HASH_FIND(hh, t->cgroups, &p->cgroup_id, sizeof(p->cgroup_id), c);
	if (!c)
		return;
	c->nr_procs += !p->exited;
	if (!c->path[0] && p->cgroup[0])
		snprintf(c->path, sizeof(c->path), "%s", p->cgroup);
	if (!c->model[0] && p->model[0])
		snprintf(c->model, sizeof(c->model), "%s", p->model);
	if (!c->framework[0] && p->framework[0])
		snprintf(c->framework, sizeof(c->framework), "%s",
			 p->framework);
}

static void gt_cgroups_name(struct gt_tracker *t)
{
	struct gt_cgroup *c, *ctmp;

	HASH_ITER(hh, t->cgroups, c, ctmp) {
		struct ga_container ct;

		if (c->path[0])
			continue;
		if (!t->have_mount ||
		    ga_cgroup_path_of_id(&t->resolver, c->id, c->path,
					 sizeof(c->path)))
			snprintf(c->path, sizeof(c->path), "cgroup %llu",
				 (unsigned long long)c->id);
		if (!ga_container_parse(c->path, &ct) &&
		    ct.runtime != GA_RT_NONE && ct.runtime != GA_RT_SYSTEMD)
			snprintf(c->container, sizeof(c->container), "%s/%s",
				 ga_runtime_name(ct.runtime),
				 ct.short_id[0] ? ct.short_id : ct.name);
	}
}

static void gt_totals_add(struct gt_totals *to, const struct gt_totals *a,
			  const struct gt_totals *b)
{
	/* to += a - b */
	to->cpu_ns += a->cpu_ns - b->cpu_ns;
	to->active_uj += a->active_uj - b->active_uj;
	to->idle_uj += a->idle_uj - b->idle_uj;
	to->gpu_uj += a->gpu_uj - b->gpu_uj;
}

/*
 * The cgroup above @path ("/a/b" -> "/a", "/a" -> "/"), in place.
 * Return: false at the root, or for a path that is not one.
 */
static bool gt_path_up(char *path)
{
	char *slash = strrchr(path, '/');

	if (path[0] != '/' || !path[1] || !slash)
		return false;
	slash[slash == path] = '\0';
	return true;
}

/*
 * A row for the cgroup above some that ran, which did not run itself (a
 * pod's, a slice): made once, by its id. NULL when it has gone.
 */
static struct gt_cgroup *gt_cgroup_above(struct gt_tracker *t,
					 const char *path)
{
	struct gt_cgroup *c;
	uint64_t id;

	if (!t->have_mount || ga_cgroup_id_of(&t->mount, path, &id))
		return NULL;
	HASH_FIND(hh, t->cgroups, &id, sizeof(id), c);
	if (c)
		return NULL;	/* there, not named by this path yet */
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return c;
}

/* @c's own totals, now and at the last refresh, into @row's tree. */
static void gt_tree_add(struct gt_cgroup *row, const struct gt_cgroup *c)
{
	static const struct gt_totals zero;

	gt_totals_add(&row->cur, &c->own, &zero);
	gt_totals_add(&row->prev, &c->own_prev, &zero);
}

/*
 * Each cgroup with its descendants, now and at the last refresh: its own
 * totals added to its own row and to every row above it, so that each
 * cgroup's own figures count once in any row. The cgroups above those
 * that ran get rows of their own.
 */
static int gt_cgroups_tree(struct gt_tracker *t)
{
	struct gt_cgroup *c, *ctmp, *up, *byp = NULL, *made = NULL;
	char path[GT_KEY_MAX];

	HASH_ITER(hh, t->cgroups, c, ctmp) {
		memset(&c->cur, 0, sizeof(c->cur));
		memset(&c->prev, 0, sizeof(c->prev));
		if (c->path[0] == '/')
			HASH_ADD_KEYPTR(hp, byp, c->path, strlen(c->path), c);
	}
	/* the rows above, first: a new one is added to the table after */
	HASH_ITER(hh, t->cgroups, c, ctmp) {
		snprintf(path, sizeof(path), "%s", c->path);
		while (gt_path_up(path)) {
			HASH_FIND(hp, byp, path, strlen(path), up);
			if (up)
				continue;
			up = gt_cgroup_above(t, path);
			if (!up)
				continue;
			HASH_ADD_KEYPTR(hp, byp, up->path, strlen(up->path), up);
			up->next_made = made;
			made = up;
		}
	}
	for (; made; made = up) {
		up = made->next_made;
		HASH_ADD(hh, t->cgroups, id, sizeof(made->id), made);
	}
	HASH_ITER(hh, t->cgroups, c, ctmp) {
		gt_tree_add(c, c);
		snprintf(path, sizeof(path), "%s", c->path);
		while (gt_path_up(path)) {
			HASH_FIND(hp, byp, path, strlen(path), up);
			if (up)
				gt_tree_add(up, c);
		}
	}
	HASH_CLEAR(hp, byp);
	return 0;
}

/* Sums and cgroups start a refresh at no process. */
static void gt_sums_begin(struct gt_tracker *t)
{
	struct gt_group *tabs[2] = { t->containers, t->models }, *s, *tmp;
	struct gt_cgroup *c, *ctmp;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		HASH_ITER(hh, tabs[i], s, tmp) {
			s->prev = s->cur;
			s->nr_procs = 0;
		}
	}
	HASH_ITER(hh, t->cgroups, c, ctmp)
		c->nr_procs = 0;
}

/* Add @p's energy since the last refresh to its container's and model's. */
static int gt_sums_add(struct gt_tracker *t, struct gt_proc *p)
{
	const char *keys[2] = { p->container, p->model };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct gt_group **tab = i ? &t->models : &t->containers;

		/* looked up once: named processes do not change */
		if (!p->sums[i] || !p->named)
			p->sums[i] = gt_group_get(tab, keys[i]);
		if (!p->sums[i])
			return -ENOMEM;
		gt_totals_add(&p->sums[i]->cur, &p->cur, &p->prev);
		p->sums[i]->nr_procs += !p->exited;
	}
	return 0;
}

int gt_tracker_new(struct gt_tracker **out, struct ga_ctx *g,
		   double keep_exited_s)
{
	struct gt_tracker *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->g = g;
	t->keep_exited_s = keep_exited_s;
	t->start = t->last = t->now = ga_mono_s();
	if (ga_vms_new(&t->vms, NULL)) {
		free(t);
		return -ENOMEM;
	}
	if (!ga_cgroup_find_mount("/", &t->mount)) {
		t->have_mount = true;
		ga_cgroup_resolver_init(&t->resolver, &t->mount,
					GA_CGROUP_WALK_DEF);
	}
	ga_set_record_fn(g, gt_on_record, t);
	*out = t;
	return 0;
}

static void gt_group_free_all(struct gt_group **tab)
{
	struct gt_group *s, *tmp;

	HASH_ITER(hh, *tab, s, tmp) {
		HASH_DEL(*tab, s);
		free(s);
	}
}

void gt_tracker_free(struct gt_tracker *t)
{
	struct gt_cgroup *c, *ctmp;
	struct gt_proc *p, *tmp;

	if (!t)
		return;
	ga_set_record_fn(t->g, NULL, NULL);
	HASH_ITER(hh, t->procs, p, tmp) {
		HASH_DEL(t->procs, p);
		free(p);
	}
	gt_free_dead(t);
	ga_walk_done(&t->order);
	HASH_ITER(hh, t->cgroups, c, ctmp) {
		HASH_DEL(t->cgroups, c);
		free(c);
	}
	gt_group_free_all(&t->containers);
	gt_group_free_all(&t->models);
	gt_group_free_all(&t->vm_rows);
	ga_vms_free(t->vms);
	if (t->have_mount)
		ga_cgroup_resolver_done(&t->resolver);
	free(t);
}

static void gt_domains_update(struct gt_state *s, double dt)
{
	struct gt_tracker *t = s->t;
	unsigned int i;

	s->nr_domains = ga_nr_domains(s->g);
	s->power_w = 0;
	s->energy_uj = 0;
	for (i = 0; i < s->nr_domains; i++) {
		const struct greenai_domain *d = ga_domain(s->g, i);
		struct gt_domain *o = &s->dom[i];
		uint64_t e = ga_domain_totals(s->g, i)->energy_uj;

		snprintf(o->name, sizeof(o->name), "%s", d->name);
		o->estimated = d->flags & GREENAI_F_ESTIMATED;
		o->provenance = ga_domain_provenance(s->g, i);
		snprintf(o->estimate, sizeof(o->estimate), "%s",
			 ga_domain_estimate(s->g, i));
		o->in_total = ga_domain_in_total(s->g, i);
		o->power_w = dt > 0 ? (e - t->dom_prev[i]) / 1e6 / dt : 0;
		o->energy_uj = e;
		t->dom_prev[i] = e;
		if (o->nr_hist == GT_HISTORY)
			memmove(o->hist, o->hist + 1,
				(GT_HISTORY - 1) * sizeof(o->hist[0]));
		else
			o->nr_hist++;
		o->hist[o->nr_hist - 1] = o->power_w;
		if (o->in_total) {
			s->power_w += o->power_w;
			s->energy_uj += e;
		}
	}
}

/**
 * gt_refresh() - sample, and bring every process and cgroup up to date
 * @s: gtop's state
 *
 * Return: 0, or -errno of ga_sample() or of memory.
 */
/*
 * The VMs' rows from the census: each VM's totals since gtop started
 * (its processes', summed), and at the last refresh; rows of VMs the
 * census let go are dropped.
 */
static int gt_vms_update(struct gt_tracker *t)
{
	struct gt_group *v, *vt;
	char key[GT_KEY_MAX];
	unsigned int i, n;
	int r;

	if (!t->vms_wanted)
		return 0;
	r = ga_vms_update(t->vms, t->g);
	if (r)
		return r;
	HASH_ITER(hh, t->vm_rows, v, vt)
		v->seen = false;
	n = ga_vms_count(t->vms);
	for (i = 0; i < n; i++) {
		const struct ga_vm_figs *f = ga_vms_at(t->vms, i);

		snprintf(key, sizeof(key), "%.200s (%s, pid %d)",
			 f->vm.name[0] ? f->vm.name : "-",
			 ga_vmm_name(f->vm.vmm), f->pid);
		v = gt_group_get(&t->vm_rows, key);
		if (!v)
			return -ENOMEM;
		v->prev = v->cur;
		gt_sum_energy(t->g, f->energy, GREENAI_MAX_DOMAINS, &v->cur);
		v->cur.cpu_ns = f->cpu_ns;
		/* the census's first figures: since gtop started, no rate */
		if (!t->vms_counted)
			v->prev = v->cur;
		v->nr_procs = f->nr_procs;
		v->seen = true;
	}
	HASH_ITER(hh, t->vm_rows, v, vt) {
		if (!v->seen) {
			HASH_DEL(t->vm_rows, v);
			free(v);
		}
	}
	t->vms_counted = true;
	return 0;
}

/* The VM view is asked for: count the VMs from the next refresh on. */
void gt_tracker_want_vms(struct gt_tracker *t)
{
	t->vms_wanted = true;
}

int gt_refresh(struct gt_state *s)
{
	struct gt_tracker *t = s->t;
	struct gt_proc *p, *ptmp;
	struct gt_cgroup *c, *ctmp;
	struct ga_live_result res;
	int r;

	HASH_ITER(hh, t->procs, p, ptmp) {
		p->prev = p->cur;
		p->seen = false;
	}
	HASH_ITER(hh, t->cgroups, c, ctmp) {
		c->own_prev = c->own;
		c->seen = false;
	}
	t->now = ga_mono_s();
	r = ga_sample(s->g);
	if (r)
		return r;
	/* a provider that fails leaves the last figure standing */
	ga_grid_tick(&s->grid, ga_unix_ms(), &res);
	ga_walk_begin(&t->order);
	r = ga_for_each_task(s->g, gt_on_task, t);
	ga_walk_end(&t->order, !r);
	gt_free_dead(t);
	r = r ?: ga_for_each_cgroup(s->g, gt_on_cgroup, t);
	if (r)
		return r;
	s->nr_live = s->nr_exited = 0;
	gt_sums_begin(t);
	HASH_ITER(hh, t->procs, p, ptmp) {
		if (!p->seen && !p->exited) {
			/* folded without a record reaching us */
			p->exited = true;
			p->exited_at = t->now;
		}
		if (p->exited && t->now - p->exited_at > t->keep_exited_s) {
			gt_proc_drop(t, p);
			continue;
		}
		if (!p->named && !p->exited)
			gt_proc_name(t, p);
		else if (!p->named)
			gt_comm_text(p->cmd, sizeof(p->cmd), p->comm,
				     sizeof(p->comm));
		s->nr_live += !p->exited;
		s->nr_exited += p->exited;
		r = gt_sums_add(t, p);
		if (r)
			return r;
		gt_cgroup_count(t, p);
	}
	gt_cgroups_name(t);
	r = gt_cgroups_tree(t);
	r = r ?: gt_vms_update(t);
	if (r)
		return r;
	s->interval_s = t->now - t->last;
	s->uptime_s = t->now - t->start;
	gt_domains_update(s, s->interval_s);
	t->last = t->now;
	return 0;
}

/* A row's figures from totals now and at the last refresh. */
static void gt_row_figures(const struct gt_state *s, struct gt_row *row,
			   const struct gt_totals *cur,
			   const struct gt_totals *prev, bool fresh)
{
	double dt = s->interval_s > 0 ? s->interval_s : 1;
	uint64_t ug;

	row->energy_uj = cur->active_uj + cur->idle_uj;
	if (!ga_co2_ug(row->energy_uj, s->grid.mg_per_kwh, GA_PUE_MIN_MILLI,
		       &ug))
		row->co2_ug = ug;
	if (!fresh)
		return;
	row->power_w = (cur->active_uj - prev->active_uj) / 1e6 / dt;
	row->power_idle_w = row->power_w +
			    (cur->idle_uj - prev->idle_uj) / 1e6 / dt;
	row->gpu_w = (cur->gpu_uj - prev->gpu_uj) / 1e6 / dt;
	row->cpu_pct = (cur->cpu_ns - prev->cpu_ns) / 1e7 / dt;
}

static bool gt_proc_wanted(const struct gt_proc *p, const struct gt_filter *f)
{
	if (f->pid && p->tgid != (uint32_t)f->pid)
		return false;
	if (f->model && strcmp(p->model, f->model))
		return false;
	return !f->cgroup || ga_cgroup_within(f->cgroup, p->cgroup);
}

static int gt_add_proc(struct gt_state *s, const struct gt_proc *p,
		       unsigned int depth, const struct gt_filter *f,
		       struct gt_rows *out)
{
	struct gt_row row = { .pid = p->tgid, .exited = p->exited,
			      .depth = depth, .tree_id = p->cgroup_id,
			      .key = p->key, .model = p->model,
			      .framework = p->framework,
			      .container = p->container, .name = p->cmd };

	/* an exited process's last interval is the one it exited in */
	gt_row_figures(s, &row, &p->cur, &p->prev,
		       !p->exited || p->exited_at == s->t->now);
	if (f->text && !gt_row_matches(&row, f->text))
		return 0;
	return gt_rows_add(out, &row);
}

static int gt_add_cgroup(struct gt_state *s, const struct gt_cgroup *c,
			 bool tree, const struct gt_filter *f,
			 struct gt_rows *out)
{
	struct gt_row row = { .nr_procs = c->nr_procs, .tree_id = c->id,
			      .key = c->path, .name = c->path,
			      .model = c->model, .framework = c->framework,
			      .container = c->container };
	if (f->cgroup && !ga_cgroup_within(f->cgroup, c->path))
		return 0;
	if (f->model && strcmp(c->model, f->model))
		return 0;
	/* with its descendants; its own figures beside */
	gt_row_figures(s, &row, &c->cur, &c->prev, true);
	row.has_own = true;
	row.own_energy_uj = c->own.active_uj + c->own.idle_uj;
	row.own_power_w = s->interval_s > 0 ?
		(c->own.active_uj - c->own_prev.active_uj) / 1e6 /
		s->interval_s : 0;
	/* in a tree, a cgroup stays when one of its processes matches */
	if (f->text && !tree && !gt_row_matches(&row, f->text))
		return 0;
	return gt_rows_add(out, &row);
}

static int gt_add_sums(struct gt_state *s, struct gt_group *tab,
		       enum gt_view view, const struct gt_filter *f,
		       struct gt_rows *out)
{
	struct gt_group *g, *tmp;
	int r;

	HASH_ITER(hh, tab, g, tmp) {
		struct gt_row row = { .nr_procs = g->nr_procs, .key = g->key,
				      .model = "", .framework = "",
				      .container = "" };

		gt_row_figures(s, &row, &g->cur, &g->prev, true);
		if (view == GT_VIEW_MODEL) {
			row.model = g->key;
			row.name = g->key[0] ? g->key : "(none)";
		} else if (view == GT_VIEW_VM) {
			row.name = g->key;
		} else {
			row.container = g->key;
			row.name = g->key[0] ? g->key : "(host)";
		}
		if (f->model && view == GT_VIEW_MODEL &&
		    strcmp(row.model, f->model))
			continue;
		if (f->text && !gt_row_matches(&row, f->text))
			continue;
		r = gt_rows_add(out, &row);
		if (r)
			return r;
	}
	return 0;
}

/**
 * gt_rows_build() - the rows of a view, filtered, unsorted
 * @s: gtop's state, refreshed
 * @view: processes, cgroups, containers or models
 * @tree: cgroups: each followed by its processes
 * @f: what to keep
 * @out: the rows (emptied first)
 *
 * Return: 0 or -ENOMEM.
 */
int gt_rows_build(struct gt_state *s, enum gt_view view, bool tree,
		  const struct gt_filter *f, struct gt_rows *out)
{
	struct gt_tracker *t = s->t;
	struct gt_proc *p, *ptmp;
	struct gt_cgroup *c, *ctmp;
	int r = 0;

	out->nr = 0;
	switch (view) {
	case GT_VIEW_PROC:
		HASH_ITER(hh, t->procs, p, ptmp) {
			if (gt_proc_wanted(p, f))
				r = r ?: gt_add_proc(s, p, 0, f, out);
		}
		return r;
	case GT_VIEW_CGROUP:
		HASH_ITER(hh, t->cgroups, c, ctmp)
			r = r ?: gt_add_cgroup(s, c, tree, f, out);
		if (!tree)
			return r;
		/* the processes, under their cgroups once sorted */
		HASH_ITER(hh, t->procs, p, ptmp) {
			HASH_FIND(hh, t->cgroups, &p->cgroup_id,
				  sizeof(p->cgroup_id), c);
			if (c && gt_proc_wanted(p, f))
				r = r ?: gt_add_proc(s, p, 1, f, out);
		}
		return r;
	case GT_VIEW_CONTAINER:
		return gt_add_sums(s, t->containers, view, f, out);
	case GT_VIEW_VM:
		gt_tracker_want_vms(t);
		return gt_add_sums(s, t->vm_rows, view, f, out);
	default:
		return gt_add_sums(s, t->models, view, f, out);
	}
}
