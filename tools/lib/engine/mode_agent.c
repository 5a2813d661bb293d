// SPDX-License-Identifier: GPL-2.0
/*
 * libgreenai's agent mode (ctx.h): an ordinary user's figures, as the
 * greenai agent (greenai-exporter --agent-socket, docs/agent.md) last
 * sampled them. Each ga_sample() asks the agent for its last sample: the
 * domains' descriptions (and their totals for root), and the processes
 * and cgroups the caller may see. Figures count from ga_open(): what the
 * agent had at the first sample is the baseline taken from each, so that
 * they mean what the other modes' mean. A process is keyed by its pid and
 * start time, so a reused pid starts from zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "base/hash.h"
#include "engine/agent_client.h"
#include "engine/ctx.h"

struct agent_base_task {
	struct {
		__u32 tgid;
		__u32 pad;
		__u64 start_ns;
	} key;
	__u64 cpu_ns;
	struct greenai_energy energy[GREENAI_MAX_DOMAINS];
	UT_hash_handle hh;
};

struct agent_base_cgroup {
	__u64 id;
	__u64 cpu_ns, nr_exited;
	struct greenai_energy energy[GREENAI_MAX_DOMAINS];
	UT_hash_handle hh;
};

struct agent_mode {
	int fd;
	const char *path;
	__u64 sample;			/* the agent's sample id, last seen */
	__u64 swept;			/* the sample id at ga_sweep() */
	bool primed;			/* the baseline is taken */
	unsigned int nr_domains;
	struct greenai_domain dom[GREENAI_MAX_DOMAINS];
	struct ga_acct_domain_totals tot[GREENAI_MAX_DOMAINS];
	struct ga_acct_domain_totals tot0[GREENAI_MAX_DOMAINS];
	struct ga_acct_task *tasks;
	unsigned int nr_tasks;
	struct ga_acct_cgroup *cgroups;
	unsigned int nr_cgroups;
	struct agent_base_task *base_tasks;
	struct agent_base_cgroup *base_cgroups;
};

static struct agent_mode *am(const struct ga_ctx *g)
{
	return g->mode;
}

static __u64 agent_sub(__u64 now, __u64 then)
{
	return now >= then ? now - then : 0;
}

static void agent_sub_energy(struct greenai_energy *e,
			     const struct greenai_energy *base, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		e[i].active_uj = agent_sub(e[i].active_uj, base[i].active_uj);
		e[i].idle_uj = agent_sub(e[i].idle_uj, base[i].idle_uj);
	}
}

/* A process's figures since ga_open(); its baseline first met now. */
static int agent_rebase_task(struct agent_mode *m, struct ga_acct_task *t)
{
	struct agent_base_task *b, k = { 0 };

	k.key.tgid = t->tgid;
	k.key.start_ns = t->start_ns;
	HASH_FIND(hh, m->base_tasks, &k.key, sizeof(k.key), b);
	if (!b && !m->primed) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->key = k.key;
		b->cpu_ns = t->cpu_ns;
		memcpy(b->energy, t->energy, sizeof(b->energy));
		HASH_ADD(hh, m->base_tasks, key, sizeof(b->key), b);
	}
	if (b) {
		t->cpu_ns = agent_sub(t->cpu_ns, b->cpu_ns);
		agent_sub_energy(t->energy, b->energy, m->nr_domains);
	}
	return 0;
}

static int agent_rebase_cgroup(struct agent_mode *m, struct ga_acct_cgroup *c)
{
	struct agent_base_cgroup *b;

	HASH_FIND(hh, m->base_cgroups, &c->id, sizeof(c->id), b);
	if (!b && !m->primed) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->id = c->id;
		b->cpu_ns = c->cpu_ns;
		b->nr_exited = c->nr_exited;
		memcpy(b->energy, c->energy, sizeof(b->energy));
		HASH_ADD(hh, m->base_cgroups, id, sizeof(b->id), b);
	}
	if (b) {
		c->cpu_ns = agent_sub(c->cpu_ns, b->cpu_ns);
		c->nr_exited = agent_sub(c->nr_exited, b->nr_exited);
		agent_sub_energy(c->energy, b->energy, m->nr_domains);
	}
	return 0;
}

static int agent_domains(struct ga_ctx *g, struct json_object *a)
{
	struct agent_mode *m = am(g);
	size_t i, n = json_object_array_length(a);

	if (n > GREENAI_MAX_DOMAINS || (m->primed && n != m->nr_domains))
		return -EPROTO;
	for (i = 0; i < n; i++) {
		struct ga_acct_domain_totals *t = &m->tot[i];
		char estimate[sizeof(g->model.estimate)];
		int r = ga_agent_domain_from_json(json_object_array_get_idx(a, i),
						  &m->dom[i], t, estimate,
						  sizeof(estimate));

		if (r || m->dom[i].id != i)
			return -EPROTO;
		g->totals_hidden = !json_object_object_get_ex(
			json_object_array_get_idx(a, i), "energy_uj", NULL);
		if (!m->primed)
			m->tot0[i] = *t;
		t->energy_uj = agent_sub(t->energy_uj, m->tot0[i].energy_uj);
		t->active_uj = agent_sub(t->active_uj, m->tot0[i].active_uj);
		t->idle_uj = agent_sub(t->idle_uj, m->tot0[i].idle_uj);
		t->node_idle_uj = agent_sub(t->node_idle_uj,
					    m->tot0[i].node_idle_uj);
		t->unattributed_uj = agent_sub(t->unattributed_uj,
					       m->tot0[i].unattributed_uj);
		/* the agent's words for its model, which are the ones */
		if (m->dom[i].source == GREENAI_SRC_MODEL && estimate[0])
			snprintf(g->model.estimate, sizeof(g->model.estimate),
				 "%s", estimate);
	}
	m->nr_domains = n;
	return 0;
}

static int agent_tasks(struct agent_mode *m, struct json_object *a)
{
	size_t i, n = json_object_array_length(a);
	struct ga_acct_task *t = n ? calloc(n, sizeof(*t)) : NULL;
	int r = 0;

	if (n && !t)
		return -ENOMEM;
	for (i = 0; i < n && !r; i++) {
		r = ga_agent_task_from_json(json_object_array_get_idx(a, i),
					    m->nr_domains, &t[i]);
		r = r ?: agent_rebase_task(m, &t[i]);
	}
	if (r) {
		free(t);
		return r;
	}
	free(m->tasks);
	m->tasks = t;
	m->nr_tasks = n;
	return 0;
}

static int agent_cgroups(struct agent_mode *m, struct json_object *a)
{
	size_t i, n = json_object_array_length(a);
	struct ga_acct_cgroup *c = n ? calloc(n, sizeof(*c)) : NULL;
	int r = 0;

	if (n && !c)
		return -ENOMEM;
	for (i = 0; i < n && !r; i++) {
		r = ga_agent_cgroup_from_json(json_object_array_get_idx(a, i),
					      m->nr_domains, &c[i]);
		r = r ?: agent_rebase_cgroup(m, &c[i]);
	}
	if (r) {
		free(c);
		return r;
	}
	free(m->cgroups);
	m->cgroups = c;
	m->nr_cgroups = n;
	return 0;
}

/* Ask the agent for its last sample. */
static int agent_fetch(struct ga_ctx *g, char *err, size_t err_size)
{
	struct agent_mode *m = am(g);
	struct json_object *reply, *dom, *tasks, *cgs, *id;
	int r;

	r = ga_agent_call(m->fd, "{\"op\":\"sample\"}", &reply, err, err_size);
	if (r)
		return r;
	if (!json_object_object_get_ex(reply, "domains", &dom) ||
	    !json_object_object_get_ex(reply, "tasks", &tasks) ||
	    !json_object_object_get_ex(reply, "cgroups", &cgs) ||
	    !json_object_object_get_ex(reply, "sample", &id) ||
	    !json_object_is_type(dom, json_type_array) ||
	    !json_object_is_type(tasks, json_type_array) ||
	    !json_object_is_type(cgs, json_type_array) ||
	    !json_object_is_type(id, json_type_int)) {
		r = -EPROTO;
	} else {
		r = agent_domains(g, dom);
		r = r ?: agent_tasks(m, tasks);
		r = r ?: agent_cgroups(m, cgs);
		m->sample = json_object_get_uint64(id);
	}
	if (r == -EPROTO)
		snprintf(err, err_size,
			 "greenai agent: a sample reply that is not its protocol's");
	json_object_put(reply);
	return r;
}

static int agent_open(struct ga_ctx *g, char *err, size_t err_size)
{
	struct agent_mode *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->fd = -1;
	g->mode = m;
	m->path = ga_agent_socket(g->opts.agent_socket);
	r = ga_agent_connect(m->path, &m->fd, err, err_size);
	r = r ?: agent_fetch(g, err, err_size);
	if (r)
		return r;
	m->primed = true;
	snprintf(g->backend_name, sizeof(g->backend_name), "agent");
	ga_ctx_status(g, "agent", true, "");
	return 0;
}

static void agent_close(struct ga_ctx *g)
{
	struct agent_mode *m = am(g);
	struct agent_base_task *bt, *tt;
	struct agent_base_cgroup *bc, *tc;

	if (!m)
		return;
	HASH_ITER(hh, m->base_tasks, bt, tt) {
		HASH_DEL(m->base_tasks, bt);
		free(bt);
	}
	HASH_ITER(hh, m->base_cgroups, bc, tc) {
		HASH_DEL(m->base_cgroups, bc);
		free(bc);
	}
	if (m->fd >= 0)
		close(m->fd);
	free(m->tasks);
	free(m->cgroups);
	free(m);
	g->mode = NULL;
}

static int agent_sample(struct ga_ctx *g)
{
	char err[256];

	return agent_fetch(g, err, sizeof(err));
}

static unsigned int agent_nr_domains(const struct ga_ctx *g)
{
	return am(g)->nr_domains;
}

static const struct greenai_domain *agent_domain(const struct ga_ctx *g,
						 unsigned int id)
{
	return id < am(g)->nr_domains ? &am(g)->dom[id] : NULL;
}

static const struct ga_acct_domain_totals *
agent_domain_totals(const struct ga_ctx *g, unsigned int id)
{
	return &am(g)->tot[id < GREENAI_MAX_DOMAINS ? id : 0];
}

static int agent_for_each_task(const struct ga_ctx *g, ga_acct_task_fn fn,
			       void *arg)
{
	const struct agent_mode *m = am(g);
	unsigned int i;
	int r;

	for (i = 0; i < m->nr_tasks; i++) {
		r = fn(&m->tasks[i], arg);
		if (r)
			return r;
	}
	return 0;
}

static int agent_for_each_cgroup(const struct ga_ctx *g, ga_acct_cgroup_fn fn,
				 void *arg)
{
	const struct agent_mode *m = am(g);
	unsigned int i;
	int r;

	for (i = 0; i < m->nr_cgroups; i++) {
		r = fn(&m->cgroups[i], arg);
		if (r)
			return r;
	}
	return 0;
}

/*
 * ga_sweep(): what has ended by now is in the agent's figures two of its
 * samples later (one sees it gone, the next has its exits folded); until
 * then its exits count as pending, for a caller that waits for them.
 */
static void agent_sweep(struct ga_ctx *g)
{
	am(g)->swept = am(g)->sample ? am(g)->sample : 1;
}

static void agent_stats(const struct ga_ctx *g, struct ga_stats *out)
{
	const struct agent_mode *m = am(g);

	out->acct.tasks = m->nr_tasks;
	out->acct.cgroups = m->nr_cgroups;
	out->exits_pending = m->swept && m->sample < m->swept + 2;
}

const struct ga_mode_ops ga_mode_agent = {
	.open = agent_open,
	.close = agent_close,
	.sample = agent_sample,
	.nr_domains = agent_nr_domains,
	.domain = agent_domain,
	.domain_totals = agent_domain_totals,
	.for_each_task = agent_for_each_task,
	.for_each_cgroup = agent_for_each_cgroup,
	.stats = agent_stats,
	.sweep = agent_sweep,
};
