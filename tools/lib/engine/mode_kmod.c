// SPDX-License-Identifier: GPL-2.0
/*
 * libgreenai's module mode (ctx.h): greenai.ko accounts the CPU's domains
 * (RAPL or its power model) in the kernel, and libgreenai passes its
 * records and tables on; the domains only userspace sees (hwmon sensors,
 * GPUs) are added on top, numbered after the module's, and split here
 * with the same attribution core (account.c).
 *
 * The extra domains' accounting has one CPU, the whole machine: a
 * platform sensor is split over the run time of every CPU, and the
 * module's tables give each process's run time, not per CPU. At each
 * sample:
 *   1. the module closes its interval (FLUSH), and the extra sources are
 *      read right after; the module's interval records pass on, and give
 *      the time they cover, the extra domains' interval; its exit
 *      records are kept back;
 *   2. each process's run time since the previous sample, from the
 *      module's task table, and, for a process that has gone, from its
 *      exit record, is charged; the capacity is the interval times the
 *      CPUs online;
 *   3. the extra domains' energy is split (ga_ctx_split());
 *   4. the kept exit records go on with the extra domains' energy
 *      appended.
 * ga_open() closes the module's interval too, so that its tables are
 * exact to where the extra domains start; the records the module made
 * before are held and sent at the first sample.
 *
 * A module loaded with source=host (a VM guest) counts its host's
 * counters itself, and libgreenai is its feeder: before each of its
 * closes, at open and at each sample, the hand-over tree is read (the
 * host source, esrc_host.c) and each domain's counter is written to the
 * control file ("host I NAME ENERGY_UJ RANGE_UJ", docs/module.md). The
 * feeders (every process of libgreenai in module mode) take turns under
 * an flock of the control file and read the tree inside their turn, so
 * the counters reach the module in the order they were read, never going
 * back but for a wrap. A domain whose read failed, or a tree gone stale,
 * is not fed: the module flags it stale.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <greenai/clock.h>

#include "base/hash.h"
#include "engine/backend_kmod.h"
#include "engine/ctx.h"

/* A process's run time at the previous sample. */
struct kmod_prev {
	__u32 tgid;
	bool seen;			/* in the module's table this sample */
	unsigned int missed;		/* samples since it was last seen */
	__u64 cpu_ns;
	UT_hash_handle hh;
};

struct kmod_mode {
	struct ga_kmod *kmod;
	struct ga_acct_domain_totals totals[GREENAI_MAX_DOMAINS];
	/* the extra domains: what they are split by */
	struct kmod_prev *prev;		/* hash by tgid */
	struct greenai_rec_hdr **held;	/* records held back, copies */
	unsigned int nr_held, max_held;
	bool held_early;		/* held at open, sent at sample 1 */
	__u64 last_ns;			/* the extra sources' last interval */
	__u64 read_ns;			/* the extra sources' last reading */
	__u64 iv_start, iv_end;		/* the module's intervals, this sample */
	/* kmod_domain()'s extra domains, renumbered */
	struct greenai_domain dom_copy[GREENAI_MAX_DOMAINS];
	/* source=host: the tree the module is fed from */
	struct ga_esrc host;
	bool feeding;
	/* exit records are built here */
	__u64 exit_buf[GREENAI_REC_MAX_SIZE / 8];
	__u64 exit_extra[GREENAI_REC_MAX_SIZE / 8];
};

static struct kmod_mode *km(const struct ga_ctx *g)
{
	return g->mode;
}

static struct kmod_prev *kmod_prev_get(struct kmod_mode *m, __u32 tgid)
{
	struct kmod_prev *p;

	HASH_FIND(hh, m->prev, &tgid, sizeof(tgid), p);
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	HASH_ADD(hh, m->prev, tgid, sizeof(p->tgid), p);
	return p;
}

static void kmod_prev_drop(struct kmod_mode *m, __u32 tgid)
{
	struct kmod_prev *p;

	HASH_FIND(hh, m->prev, &tgid, sizeof(tgid), p);
	if (p) {
		HASH_DEL(m->prev, p);
		free(p);
	}
}

/*
 * Charge @tgid its run time since the previous sample, @cpu_ns being its
 * total now. At open (@prime), only remember it. A process first seen
 * later was not in the module's table at open, just after its close: all
 * the run time the module has for it came since.
 */
static int kmod_charge(struct ga_ctx *g, __u32 tgid, __u64 cgroup_id,
		       const char *comm, __u64 start_ns, __u64 cpu_ns,
		       bool prime)
{
	struct kmod_prev *p = kmod_prev_get(km(g), tgid);
	__u64 d;

	if (!p)
		return -ENOMEM;
	p->seen = true;
	/* from 0 for a new entry; a pid reused between samples too */
	d = cpu_ns >= p->cpu_ns ? cpu_ns - p->cpu_ns : cpu_ns;
	p->cpu_ns = cpu_ns;
	if (prime || !d)
		return 0;
	return ga_acct_charge(g->acct, tgid, cgroup_id, comm, start_ns, &d);
}

struct kmod_walk {
	struct ga_ctx *g;
	bool prime;
};

static int kmod_charge_task(const struct ga_acct_task *t, void *arg)
{
	struct kmod_walk *w = arg;

	if (t->tgid == GA_ACCT_OVERFLOW_ID)
		return 0;
	return kmod_charge(w->g, t->tgid, t->cgroup_id, t->comm, t->start_ns,
			   t->cpu_ns, w->prime);
}

/* Keep a copy of @h, to send later. */
static int kmod_hold(struct kmod_mode *m, const struct greenai_rec_hdr *h)
{
	struct greenai_rec_hdr *c;

	if (m->nr_held == m->max_held) {
		unsigned int n = m->max_held ? 2 * m->max_held : 64;
		void *p = realloc(m->held, n * sizeof(*m->held));

		if (!p)
			return -ENOMEM;
		m->held = p;
		m->max_held = n;
	}
	c = malloc(h->size);
	if (!c)
		return -ENOMEM;
	memcpy(c, h, h->size);
	m->held[m->nr_held++] = c;
	return 0;
}

static void kmod_drop_held(struct kmod_mode *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_held; i++)
		free(m->held[i]);
	m->nr_held = 0;
}

/*
 * The module's records of this sample: intervals pass on, and give the
 * time they cover; exits wait for the extra domains' split.
 */
static void kmod_record(struct greenai_rec_hdr *h, void *arg)
{
	struct ga_ctx *g = arg;
	struct kmod_mode *m = km(g);

	if (h->type == GREENAI_REC_INTERVAL &&
	    h->size >= sizeof(struct greenai_rec_interval)) {
		const struct greenai_rec_interval *iv = (const void *)h;

		if (!m->iv_end || iv->start_ns < m->iv_start)
			m->iv_start = iv->start_ns;
		if (iv->end_ns > m->iv_end)
			m->iv_end = iv->end_ns;
	}
	if (!g->acct || h->type != GREENAI_REC_TASK_EXIT ||
	    h->size < sizeof(struct greenai_rec_task_exit) ||
	    kmod_hold(m, h))
		ga_ctx_emit(g, h);	/* without extra domains at worst */
}

/* At open: what the module made before, sent at the first sample. */
static void kmod_record_early(struct greenai_rec_hdr *h, void *arg)
{
	struct kmod_mode *m = arg;

	if (!kmod_hold(m, h))
		m->held_early = true;
}

/* An exit record on its way, with the extra domains' energy appended. */
static void kmod_emit_exit(struct ga_ctx *g, struct greenai_rec_task_exit *e)
{
	struct kmod_mode *m = km(g);
	struct greenai_rec_task_exit *out = (void *)m->exit_buf;
	unsigned int kn = g->dom_base, n = ga_acct_nr_domains(g->acct);
	unsigned int have = e->nr_domains < kn ? e->nr_domains : kn;

	memcpy(out, e, sizeof(*e) + have * sizeof(e->energy[0]));
	memset(&out->energy[have], 0,
	       (GREENAI_MAX_DOMAINS - have) * sizeof(out->energy[0]));
	out->nr_domains = kn + n;
	out->hdr.size = sizeof(*out) + (kn + n) * sizeof(out->energy[0]);
	kmod_prev_drop(m, e->pid);
	ga_ctx_forget(g, e->pid);
	/* its last run time is charged; the exit takes its extra energy */
	if (ga_acct_task(g->acct, e->pid)) {
		struct greenai_rec_task_exit *x = (void *)m->exit_extra;

		if (!ga_acct_exit(g->acct, e->pid, x))
			memcpy(&out->energy[kn], x->energy,
			       n * sizeof(x->energy[0]));
	}
	ga_ctx_emit(g, &out->hdr);
}

/*
 * Processes gone with no exit record (the module dropped it): their
 * entries would stay for good. The module's own close may fold an exit
 * between this sample's reading of the ring and of the table: the
 * process is then in neither, and its record comes at the next sample.
 * So an entry is folded silently only when it has been missing from the
 * table for KMOD_UNSEEN_MAX samples and no exit record came for it.
 */
#define KMOD_UNSEEN_MAX	2

static void kmod_forget_unseen(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	struct greenai_rec_task_exit *x = (void *)m->exit_extra;
	struct kmod_prev *p, *tmp;

	HASH_ITER(hh, m->prev, p, tmp) {
		if (p->seen) {
			p->seen = false;
			p->missed = 0;
			continue;
		}
		if (++p->missed < KMOD_UNSEEN_MAX)
			continue;
		ga_acct_exit(g->acct, p->tgid, x);
		HASH_DEL(m->prev, p);
		free(p);
	}
}

/*
 * The start of the extra domains, the module's close at open: every
 * source's reading just after it (kmod_read_sources()), and every
 * process's run time so far.
 */
static int kmod_extra_prime(struct ga_ctx *g)
{
	struct kmod_walk w = { .g = g, .prime = true };

	ga_ctx_start_domains(g);
	return ga_kmod_for_each_task(km(g)->kmod, kmod_charge_task, &w);
}

/* The extra sources, read right after each of the module's closes. */
static void kmod_read_sources(struct ga_ctx *g)
{
	struct ga_activity act = { .nr_packages = g->topo.nr_packages };

	if (!g->acct)
		return;
	km(g)->read_ns = ga_mono_ns();
	ga_ctx_read_sources(g, km(g)->read_ns, &act);
}

static int kmod_extra_sample(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	struct kmod_walk w = { .g = g };
	__u64 now = m->read_ns, start = m->last_ns, end = now, cap = 0;
	unsigned int i;
	int r;

	/* the module's intervals, which its run times are exact to */
	if (m->iv_end > m->iv_start) {
		start = m->iv_start;
		end = m->iv_end;
	}
	m->iv_start = m->iv_end = 0;
	ga_topology_online(&g->topo, g->root);
	for (i = 0; i < g->topo.nr_cpus; i++)
		cap += g->topo.online[i];
	cap *= end - start;
	ga_acct_begin(g->acct, start, end);
	m->last_ns = now;
	r = ga_kmod_for_each_task(m->kmod, kmod_charge_task, &w);
	/* the held records are this sample's exits */
	for (i = 0; i < m->nr_held && !r; i++) {
		struct greenai_rec_task_exit *e = (void *)m->held[i];

		r = kmod_charge(g, e->pid, e->cgroup_id, e->comm, e->start_ns,
				e->cpu_ns, false);
	}
	ga_ctx_split(g, &cap);
	for (i = 0; i < m->nr_held; i++)
		kmod_emit_exit(g, (void *)m->held[i]);
	kmod_drop_held(m);
	if (!r)
		kmod_forget_unseen(g);
	return r;
}

/* source=host: the tree's counters into the module (see the top). */
static void kmod_feed_host(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	__u64 energy, range;
	char cmd[128];
	unsigned int i;
	int fd;

	if (!m->feeding)
		return;
	fd = ga_kmod_control_open(m->kmod);
	if (fd < 0)
		return;
	if (!flock(fd, LOCK_EX)) {
		ga_esrc_read(&m->host, ga_mono_ns(), NULL);
		for (i = 0; i < m->host.nr_zones; i++) {
			if (ga_esrc_host_counter(&m->host, i, &energy, &range))
				continue;
			snprintf(cmd, sizeof(cmd), "host %u %s %llu %llu", i,
				 m->host.zones[i].name,
				 (unsigned long long)energy,
				 (unsigned long long)range);
			ga_kmod_control_fd(fd, cmd);
		}
	}
	close(fd);
}

/* The host_domains= parameter the tree asks for: NAME[:estimated],... */
static const char *kmod_host_domains(const struct ga_esrc *host, char *buf,
				     size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < host->nr_zones && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s%s", i ? "," : "",
			      host->zones[i].name,
			      host->zones[i].flags & GREENAI_F_ESTIMATED ?
				      ":estimated" : "");
	return buf;
}

/*
 * source=host: open the tree its domains are fed from. The tree's domains
 * must be the module's (host_domains=, in the tree's order); feeding
 * needs root. Either way the sources' status says what is done.
 */
static void kmod_open_host(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	const struct greenai_domain *d = ga_kmod_domain(m->kmod, 0);
	struct ga_esrc_conf conf = {
		.root = g->root,
		.host_dir = g->opts.host_energy_dir,
	};
	char why[GA_ESRC_REASON_LEN + 192], want[160];
	unsigned int i;
	int fd;

	if (!g->dom_base || !d || d->source != GREENAI_SRC_HOST)
		return;
	if (ga_esrc_open(&m->host, &ga_esrc_host, &conf)) {
		snprintf(why, sizeof(why), "greenai.ko source=host not fed: %s",
			 m->host.reason);
		ga_ctx_status(g, "host", false, why);
		return;
	}
	for (i = 0; i < g->dom_base || i < m->host.nr_zones; i++) {
		const struct ga_zone *z = i < m->host.nr_zones ?
					  &m->host.zones[i] : NULL;

		d = i < g->dom_base ? ga_kmod_domain(m->kmod, i) : NULL;
		if (!d || !z || strcmp(d->name, z->name) ||
		    (d->flags ^ z->flags) & GREENAI_F_ESTIMATED) {
			snprintf(why, sizeof(why),
				 "greenai.ko source=host not fed: its domain %u is %s%s, the host's tree's %s%s (reload it with host_domains=%s)",
				 i, d ? d->name : "not there",
				 d && d->flags & GREENAI_F_ESTIMATED ?
					 ":estimated" : "",
				 z ? z->name : "not there",
				 z && z->flags & GREENAI_F_ESTIMATED ?
					 ":estimated" : "",
				 kmod_host_domains(&m->host, want,
						   sizeof(want)));
			goto out;
		}
	}
	fd = ga_kmod_control_open(m->kmod);
	if (fd < 0) {
		snprintf(why, sizeof(why),
			 "greenai.ko source=host not fed: /proc/greenai/control: %s",
			 strerror(-fd));
		goto out;
	}
	close(fd);
	m->feeding = true;
	ga_ctx_status(g, "host", true, "feeds greenai.ko source=host");
	return;
out:
	ga_ctx_status(g, "host", false, why);
	ga_esrc_close(&m->host);
}

static int kmod_sample(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	unsigned int i;
	int r;

	if (m->held_early) {
		for (i = 0; i < m->nr_held; i++)
			ga_ctx_emit(g, m->held[i]);
		kmod_drop_held(m);
		m->held_early = false;
	}
	kmod_feed_host(g);
	r = ga_kmod_flush(m->kmod);
	kmod_read_sources(g);
	if (!r && ga_kmod_read(m->kmod, kmod_record, g) < 0)
		r = -EPROTO;
	r = r ?: ga_kmod_domain_totals(m->kmod, m->totals);
	if (g->acct) {
		int e = kmod_extra_sample(g);

		r = r ?: e;
	}
	return r;
}

/* greenai.ko's default coefficients (model_idle_mw, model_max_mw) */
#define KMOD_MODEL_IDLE_MW	10000
#define KMOD_MODEL_MAX_MW	60000

/*
 * The module's power model, when its domains are the model's: set to
 * libgreenai's coefficients (ga_ctx_model()) when it has its defaults, or
 * when the options gave figures; coefficients chosen otherwise (at load,
 * or by the control file since) stay. Either way ga_domain_estimate()
 * names the ones in force; a set that fails (not root) says why in the
 * sources' status.
 */
static void kmod_model(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	const struct greenai_domain *d = NULL;
	bool given = g->opts.model_max_uw || g->opts.model_cpu_max_mw;
	__u64 idle_uw, max_uw, cur_idle = 0, cur_max = 0;
	unsigned int i;
	char cmd[96];
	int r;

	for (i = 0; i < g->dom_base && !d; i++) {
		d = ga_kmod_domain(m->kmod, i);
		if (d && d->source != GREENAI_SRC_MODEL)
			d = NULL;
	}
	if (!d)
		return;
	ga_ctx_model_package(g, d->nr_cpus, &idle_uw, &max_uw);
	r = ga_kmod_model(m->kmod, &cur_idle, &cur_max);
	if (!r && cur_idle * 1000 == idle_uw / 1000 * 1000 &&
	    cur_max * 1000 == max_uw / 1000 * 1000)
		return;
	if (!r && !given &&
	    (cur_idle != KMOD_MODEL_IDLE_MW || cur_max != KMOD_MODEL_MAX_MW))
		goto theirs;
	snprintf(cmd, sizeof(cmd), "model idle_mw=%llu max_mw=%llu\n",
		 (unsigned long long)(idle_uw / 1000),
		 (unsigned long long)(max_uw / 1000));
	r = ga_kmod_control(m->kmod, cmd);
	if (!r)
		return;
	snprintf(cmd, sizeof(cmd), "its power model not set: %s",
		 strerror(-r));
	ga_ctx_status(g, "greenai.ko", false, cmd);
	if (ga_kmod_model(m->kmod, &cur_idle, &cur_max)) {
		snprintf(g->model.estimate, sizeof(g->model.estimate),
			 "power model: greenai.ko's coefficients");
		return;
	}
theirs:
	snprintf(g->model.estimate, sizeof(g->model.estimate),
		 "power model: greenai.ko's model_idle_mw=%llu model_max_mw=%llu per package",
		 (unsigned long long)cur_idle, (unsigned long long)cur_max);
}

/* The extra domains, if any source of them is here. */
static int kmod_open_extra(struct ga_ctx *g)
{
	const struct greenai_info *info = ga_kmod_info(km(g)->kmod);
	int r;

	g->whole_machine = true;
	r = ga_topology_read(&g->topo, g->root, info->nr_cpus);
	r = r ?: ga_ctx_new_acct(g, 1);
	if (r)
		return r;
	ga_ctx_open_sources(g, false);
	r = ga_ctx_add_domains(g);
	if (r)
		return r;
	if (!ga_acct_nr_domains(g->acct)) {
		/* nothing to add: pass the module's figures on, no more */
		ga_ctx_free_acct(g);
	}
	return 0;
}

/*
 * What the module weighs package and core energy by (its weights=
 * parameter, settled at load; a module without the line weighs by run
 * time). Asked for another, the open fails and says how to reload it.
 */
static int kmod_weights(struct ga_ctx *g, struct ga_kmod *k, char *err,
			size_t err_size)
{
	enum ga_weight w = GA_WEIGHT_TIME;
	char word[32];
	int r;

	r = ga_kmod_stat_word(k, "weights", word, sizeof(word));
	if (r && r != -ENOENT) {
		snprintf(err, err_size, "module backend: %s/stats: weights: %s",
			 "/proc/greenai", strerror(-r));
		return r;
	}
	if (!r && (ga_weight_parse(word, &w) || w == GA_WEIGHT_AUTO)) {
		snprintf(err, err_size,
			 "module backend: %s/stats: weights '%s' is not a weight",
			 "/proc/greenai", word);
		return -EPROTO;
	}
	if (g->opts.weights != GA_WEIGHT_AUTO && g->opts.weights != w) {
		snprintf(err, err_size,
			 "module backend: greenai.ko weighs by %s (its weights= parameter); reload it with weights=%s",
			 ga_weight_name(w), ga_weight_name(g->opts.weights));
		return -EINVAL;
	}
	g->weighed_by = w;
	return 0;
}

static int kmod_open(struct ga_ctx *g, char *err, size_t err_size)
{
	struct kmod_mode *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	g->mode = m;
	r = ga_kmod_open(&m->kmod, "/proc/greenai", "/dev/greenai", err,
			 err_size);
	if (r)
		return r;
	r = kmod_weights(g, m->kmod, err, err_size);
	if (r)
		return r;
	snprintf(g->backend_name, sizeof(g->backend_name), "module");
	ga_ctx_status(g, "greenai.ko", true, "");
	r = ga_kmod_domain_totals(m->kmod, m->totals);
	if (r) {
		snprintf(err, err_size, "module backend: %s/domains: %s",
			 "/proc/greenai", strerror(-r));
		return r;
	}
	g->dom_base = ga_kmod_info(m->kmod)->nr_domains;
	/* one policy for every domain: the module's */
	if (g->dom_base && g->opts.idle.share_given &&
	    g->opts.idle.share != m->totals[0].idle.share) {
		snprintf(err, err_size,
			 "module backend: the module gives idle energy by '%s', not '%s' (as root: echo 'idle %s' >/proc/greenai/control; or --backend bpf)",
			 ga_idle_share_name(m->totals[0].idle.share),
			 ga_idle_share_name(g->opts.idle.share),
			 ga_idle_share_name(g->opts.idle.share));
		return -EINVAL;
	}
	if (g->dom_base)
		g->opts.idle.share = m->totals[0].idle.share;
	kmod_model(g);
	if (!g->opts.no_extra_sources) {
		r = kmod_open_extra(g);
		if (r) {
			snprintf(err, err_size,
				 "module backend: the extra energy sources: %s",
				 strerror(-r));
			return r;
		}
	}
	/*
	 * Close the module's interval now: its tables are then exact to
	 * this moment, where the extra domains start. What it made before
	 * is held for the first sample.
	 */
	kmod_open_host(g);
	kmod_feed_host(g);
	r = ga_kmod_flush(m->kmod);
	kmod_read_sources(g);
	if (!r && ga_kmod_read(m->kmod, kmod_record_early, m) < 0)
		r = -EPROTO;
	if (!r && g->acct) {
		m->last_ns = m->read_ns;
		r = kmod_extra_prime(g);
	}
	if (r)
		snprintf(err, err_size, "module backend: the first close: %s",
			 strerror(-r));
	return r;
}

static void kmod_close(struct ga_ctx *g)
{
	struct kmod_mode *m = km(g);
	struct kmod_prev *p, *tmp;

	if (!m)
		return;
	HASH_ITER(hh, m->prev, p, tmp) {
		HASH_DEL(m->prev, p);
		free(p);
	}
	kmod_drop_held(m);
	free(m->held);
	if (m->feeding)
		ga_esrc_close(&m->host);
	ga_kmod_close(m->kmod);
	free(m);
	g->mode = NULL;
}

static unsigned int kmod_nr_domains(const struct ga_ctx *g)
{
	return g->dom_base + (g->acct ? ga_acct_nr_domains(g->acct) : 0);
}

static const struct greenai_domain *kmod_domain(const struct ga_ctx *g,
						unsigned int id)
{
	struct kmod_mode *m = km(g);
	const struct greenai_domain *d;

	if (id < g->dom_base)
		return ga_kmod_domain(m->kmod, id);
	if (!g->acct)
		return NULL;
	d = ga_acct_domain(g->acct, id - g->dom_base);
	if (!d)
		return NULL;
	/* numbered after the module's; a copy per domain, so it stays */
	m->dom_copy[id - g->dom_base] = *d;
	m->dom_copy[id - g->dom_base].id = id;
	return &m->dom_copy[id - g->dom_base];
}

static const struct ga_acct_domain_totals *
kmod_domain_totals(const struct ga_ctx *g, unsigned int id)
{
	if (id < g->dom_base)
		return &km(g)->totals[id];
	if (!g->acct)
		return NULL;
	return ga_acct_domain_totals(g->acct, id - g->dom_base);
}

struct kmod_merge {
	const struct ga_ctx *g;
	ga_acct_task_fn task_fn;
	ga_acct_cgroup_fn cgroup_fn;
	void *arg;
};

static void kmod_merge_energy(const struct ga_ctx *g,
			      struct greenai_energy *dst,
			      const struct greenai_energy *extra)
{
	unsigned int n = ga_acct_nr_domains(g->acct);

	if (extra)
		memcpy(&dst[g->dom_base], extra, n * sizeof(*extra));
}

static int kmod_merge_task(const struct ga_acct_task *t, void *arg)
{
	struct kmod_merge *m = arg;
	const struct ga_acct_task *x = ga_acct_task(m->g->acct, t->tgid);
	struct ga_acct_task mt = *t;

	kmod_merge_energy(m->g, mt.energy, x ? x->energy : NULL);
	return m->task_fn(&mt, m->arg);
}

static int kmod_merge_cgroup(const struct ga_acct_cgroup *c,
			     const char *path, void *arg)
{
	struct kmod_merge *m = arg;
	const struct ga_acct_cgroup *x;
	struct ga_acct_cgroup mc = *c;

	(void)path;
	if (m->g->acct) {
		x = ga_acct_cgroup(m->g->acct, c->id);
		kmod_merge_energy(m->g, mc.energy, x ? x->energy : NULL);
	}
	return m->cgroup_fn(&mc, m->arg);
}

/* The module's tables, with the extra domains of each entry. */
static int kmod_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn,
			      void *arg)
{
	struct kmod_merge m = { .g = g, .task_fn = fn, .arg = arg };

	if (!g->acct)
		return ga_kmod_for_each_task(km(g)->kmod, fn, arg);
	return ga_kmod_for_each_task(km(g)->kmod, kmod_merge_task, &m);
}

static int kmod_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
				void *arg)
{
	struct kmod_merge m = { .g = g, .cgroup_fn = fn, .arg = arg };

	return ga_kmod_for_each_cgroup(km(g)->kmod, kmod_merge_cgroup, &m);
}

static void kmod_stats(const struct ga_ctx *g, struct ga_stats *out)
{
	struct ga_kmod *k = km(g)->kmod;
	const struct kmod_prev *p;

	ga_kmod_stat(k, "intervals", &out->acct.intervals);
	ga_kmod_stat(k, "exits", &out->acct.exits);
	ga_kmod_stat(k, "exits_dropped", &out->bpf.exits_dropped);
	ga_kmod_stat(k, "exits_forced", &out->exits_forced);
	ga_kmod_stat(k, "exits_pending", &out->exits_pending);
	/* gone from the table, their records not read yet: pending too */
	for (p = km(g)->prev; p; p = p->hh.next)
		out->exits_pending += p->missed > 0;
	ga_kmod_stat(k, "exits_untracked", &out->exits_untracked);
	ga_kmod_stat(k, "tasks", &out->acct.tasks);
	ga_kmod_stat(k, "task_overflows", &out->acct.task_overflows);
}

const struct ga_mode_ops ga_mode_kmod = {
	.open = kmod_open,
	.close = kmod_close,
	.sample = kmod_sample,
	.nr_domains = kmod_nr_domains,
	.domain = kmod_domain,
	.domain_totals = kmod_domain_totals,
	.for_each_task = kmod_for_each_task,
	.for_each_cgroup = kmod_for_each_cgroup,
	.stats = kmod_stats,
};
