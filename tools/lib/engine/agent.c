// SPDX-License-Identifier: GPL-2.0
/*
 * The greenai agent's protocol (agent.h, docs/agent.md): the parser of a
 * request, and the encoders and decoders of the figures a sample's reply
 * holds, one copy for the agent and for its client (mode_agent.c). The
 * connection is agent_client.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <greenai/agent.h>
#include <greenai/json.h>

#include "engine/agent_client.h"

static const char *const ga_agent_ops[] = {
	[GA_AGENT_OP_HELLO] = "hello",
	[GA_AGENT_OP_SAMPLE] = "sample",
	[GA_AGENT_OP_RUN_CGROUP] = "run-cgroup",
	[GA_AGENT_OP_END_RUN] = "end-run",
	[GA_AGENT_OP_LEAVE_RUN] = "leave-run",
	[GA_AGENT_OP_LABEL] = "label",
};

/* A member that is a whole number from @lo to @hi. */
static int ga_agent_member_u64(struct json_object *o, const char *key,
			       uint64_t lo, uint64_t hi, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	*out = json_object_get_uint64(v);
	/* a negative number reads as 0, with errno set by json-c 0.16 */
	if (json_object_get_int64(v) < 0 || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

/*
 * label's optional string member @key into @buf: 1 to @size - 1 bytes,
 * no NUL byte; *@have counts it. Return: 0, or -EINVAL with @err.
 */
static int ga_agent_label_member(struct json_object *o, const char *key,
				 char *buf, size_t size, unsigned int *have,
				 char *err, size_t err_size)
{
	struct json_object *v;
	size_t n;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	n = json_object_is_type(v, json_type_string) ?
		(size_t)json_object_get_string_len(v) : size;
	if (!n || n >= size || strlen(json_object_get_string(v)) != n) {
		snprintf(err, err_size,
			 "label's \"%s\" is not a string of 1 to %zu bytes",
			 key, size - 1);
		return -EINVAL;
	}
	memcpy(buf, json_object_get_string(v), n + 1);
	(*have)++;
	return 0;
}

int ga_agent_parse_request(const char *line, size_t len,
			   struct ga_agent_req *out, char *err,
			   size_t err_size)
{
	struct json_tokener *tok;
	struct json_object *o, *op;
	struct ga_agent_req req = { 0 };
	unsigned int i, want;
	uint64_t v;
	int r = -EINVAL;

	if (len + 1 > GA_AGENT_REQ_MAX) {
		snprintf(err, err_size, "request over %u bytes",
			 GA_AGENT_REQ_MAX);
		return -E2BIG;
	}
	if (memchr(line, '\0', len)) {
		snprintf(err, err_size, "request holds a NUL byte");
		return -EINVAL;
	}
	tok = json_tokener_new_ex(8);
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, len);
	if (!o || json_tokener_get_parse_end(tok) != len) {
		snprintf(err, err_size, "request is not one JSON object");
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, err_size, "request is not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "op", &op) ||
	    !json_object_is_type(op, json_type_string)) {
		snprintf(err, err_size, "request has no \"op\" string");
		goto out;
	}
	for (i = 0; i < sizeof(ga_agent_ops) / sizeof(ga_agent_ops[0]); i++)
		if (!strcmp(json_object_get_string(op), ga_agent_ops[i]))
			break;
	if (i == sizeof(ga_agent_ops) / sizeof(ga_agent_ops[0])) {
		snprintf(err, err_size,
			 "unknown op (hello, sample, run-cgroup, end-run, leave-run, label)");
		goto out;
	}
	req.op = i;
	want = 1;
	switch (req.op) {
	case GA_AGENT_OP_RUN_CGROUP:
		if (ga_agent_member_u64(o, "pid", 1, 0x3fffffff, &v)) {
			snprintf(err, err_size,
				 "run-cgroup needs \"pid\", a process id");
			goto out;
		}
		req.pid = v;
		want = 2;
		if (json_object_object_get_ex(o, "hold", &op)) {
			if (!json_object_is_type(op, json_type_boolean)) {
				snprintf(err, err_size,
					 "run-cgroup's \"hold\" is true or false");
				goto out;
			}
			req.hold = json_object_get_boolean(op);
			want = 3;
		}
		break;
	case GA_AGENT_OP_END_RUN:
	case GA_AGENT_OP_LEAVE_RUN:
		if (ga_agent_member_u64(o, "cgroup_id", 1, UINT64_MAX, &v)) {
			snprintf(err, err_size,
				 "%s needs \"cgroup_id\", a cgroup's id",
				 ga_agent_ops[req.op]);
			goto out;
		}
		req.cgroup_id = v;
		want = 2;
		break;
	case GA_AGENT_OP_LABEL:
		if (ga_agent_member_u64(o, "cgroup_id", 1, UINT64_MAX, &v)) {
			snprintf(err, err_size,
				 "label needs \"cgroup_id\", its run cgroup's id");
			goto out;
		}
		req.cgroup_id = v;
		want = 2;
		if (ga_agent_label_member(o, "model", req.model,
					  sizeof(req.model), &want, err,
					  err_size) ||
		    ga_agent_label_member(o, "units", req.units,
					  sizeof(req.units), &want, err,
					  err_size) ||
		    ga_agent_label_member(o, "unit", req.unit,
					  sizeof(req.unit), &want, err,
					  err_size))
			goto out;
		if (want == 2) {
			snprintf(err, err_size,
				 "label needs \"model\", \"units\" or \"unit\"");
			goto out;
		}
		break;
	default:
		break;
	}
	if ((unsigned int)json_object_object_length(o) != want) {
		snprintf(err, err_size, "%s takes %s", ga_agent_ops[req.op],
			 want == 1 ? "no member but \"op\"" :
			 req.op == GA_AGENT_OP_RUN_CGROUP ?
			 "\"op\", \"pid\" and \"hold\" only" :
			 req.op == GA_AGENT_OP_LABEL ?
			 "\"op\", \"cgroup_id\", \"model\", \"units\" and \"unit\" only" :
			 "\"op\" and \"cgroup_id\" only");
		goto out;
	}
	*out = req;
	r = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}

int ga_agent_error_line(int errnum, const char *msg, char *buf, size_t size)
{
	struct json_object *o = json_object_new_object();
	int n;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "errno", json_object_new_int(errnum));
	json_object_object_add(o, "error", json_object_new_string(msg));
	n = snprintf(buf, size, "%s\n",
		     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return n >= 0 && (size_t)n < size ? 0 : -ENOSPC;
}

/* [[active, idle], ...], one pair a domain. */
static struct json_object *ga_agent_energy_json(const struct greenai_energy *e,
						unsigned int n)
{
	struct json_object *a = json_object_new_array_ext(n);
	unsigned int i;

	for (i = 0; a && i < n; i++) {
		struct json_object *p = json_object_new_array_ext(2);

		if (!p) {
			json_object_put(a);
			return NULL;
		}
		json_object_array_add(p, json_object_new_uint64(e[i].active_uj));
		json_object_array_add(p, json_object_new_uint64(e[i].idle_uj));
		json_object_array_add(a, p);
	}
	return a;
}

static void ga_agent_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

struct json_object *ga_agent_task_json(const struct ga_acct_task *t,
				       unsigned int nr_domains)
{
	struct json_object *o = json_object_new_object();
	char comm[GREENAI_COMM_LEN + 1];

	if (!o)
		return NULL;
	memcpy(comm, t->comm, GREENAI_COMM_LEN);
	comm[GREENAI_COMM_LEN] = '\0';
	ga_agent_u64(o, "pid", t->tgid);
	ga_agent_u64(o, "start_ns", t->start_ns);
	ga_agent_u64(o, "cgroup_id", t->cgroup_id);
	json_object_object_add(o, "comm", json_object_new_string(comm));
	ga_agent_u64(o, "cpu_ns", t->cpu_ns);
	json_object_object_add(o, "energy",
			       ga_agent_energy_json(t->energy, nr_domains));
	return o;
}

struct json_object *ga_agent_cgroup_json(const struct ga_acct_cgroup *c,
					 unsigned int nr_domains)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ga_agent_u64(o, "id", c->id);
	ga_agent_u64(o, "cpu_ns", c->cpu_ns);
	ga_agent_u64(o, "nr_exited", c->nr_exited);
	json_object_object_add(o, "energy",
			       ga_agent_energy_json(c->energy, nr_domains));
	return o;
}

struct json_object *ga_agent_domain_json(const struct ga_ctx *g,
					 unsigned int id, bool totals)
{
	const struct greenai_domain *d = ga_domain(g, id);
	const struct ga_acct_domain_totals *t = ga_domain_totals(g, id);
	struct json_object *o = json_object_new_object();
	char name[GREENAI_NAME_LEN + 1];

	if (!o)
		return NULL;
	memcpy(name, d->name, GREENAI_NAME_LEN);
	name[GREENAI_NAME_LEN] = '\0';
	ga_agent_u64(o, "id", d->id);
	json_object_object_add(o, "name", json_object_new_string(name));
	ga_agent_u64(o, "kind", d->kind);
	ga_agent_u64(o, "source", d->source);
	ga_agent_u64(o, "flags", d->flags);
	ga_agent_u64(o, "package", d->package);
	ga_agent_u64(o, "nr_cpus", d->nr_cpus);
	json_object_object_add(
		o, "estimated",
		json_object_new_boolean(!!(d->flags & GREENAI_F_ESTIMATED)));
	ga_json_add(o, "estimate", ga_json_str(ga_domain_estimate(g, id)));
	ga_agent_u64(o, "idle_share", t->idle.share);
	ga_agent_u64(o, "idle_basis", t->idle.basis);
	ga_agent_u64(o, "idle_power_uw", t->idle.idle_power_uw);
	if (!totals)
		return o;
	ga_agent_u64(o, "energy_uj", t->energy_uj);
	ga_agent_u64(o, "active_uj", t->active_uj);
	ga_agent_u64(o, "idle_uj", t->idle_uj);
	ga_agent_u64(o, "node_idle_uj", t->node_idle_uj);
	ga_agent_u64(o, "unattributed_uj", t->unattributed_uj);
	ga_agent_u64(o, "flags_seen", t->flags_seen);
	return o;
}

/* A member that is a whole number, or 0 when absent. */
static int ga_agent_get_u64(struct json_object *o, const char *key,
			    bool need, __u64 *out)
{
	struct json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return need ? -EPROTO : 0;
	if (!json_object_is_type(v, json_type_int))
		return -EPROTO;
	*out = json_object_get_uint64(v);
	return 0;
}

static int ga_agent_get_str(struct json_object *o, const char *key, char *buf,
			    size_t size)
{
	struct json_object *v;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EPROTO;
	snprintf(buf, size, "%s", json_object_get_string(v));
	return 0;
}

static int ga_agent_energy_from_json(struct json_object *o,
				     struct greenai_energy *e, unsigned int n)
{
	struct json_object *a;
	unsigned int i;

	memset(e, 0, GREENAI_MAX_DOMAINS * sizeof(*e));
	if (!json_object_object_get_ex(o, "energy", &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) != n || n > GREENAI_MAX_DOMAINS)
		return -EPROTO;
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(a, i);
		struct json_object *x, *y;

		if (!json_object_is_type(p, json_type_array) ||
		    json_object_array_length(p) != 2)
			return -EPROTO;
		x = json_object_array_get_idx(p, 0);
		y = json_object_array_get_idx(p, 1);
		if (!json_object_is_type(x, json_type_int) ||
		    !json_object_is_type(y, json_type_int))
			return -EPROTO;
		e[i].active_uj = json_object_get_uint64(x);
		e[i].idle_uj = json_object_get_uint64(y);
	}
	return 0;
}

int ga_agent_task_from_json(struct json_object *o, unsigned int nr_domains,
			    struct ga_acct_task *t)
{
	char comm[GREENAI_COMM_LEN + 1] = { 0 };
	__u64 pid;
	int r;

	memset(t, 0, sizeof(*t));
	if (!json_object_is_type(o, json_type_object))
		return -EPROTO;
	r = ga_agent_get_u64(o, "pid", true, &pid);
	r = r ?: ga_agent_get_u64(o, "start_ns", true, &t->start_ns);
	r = r ?: ga_agent_get_u64(o, "cgroup_id", true, &t->cgroup_id);
	r = r ?: ga_agent_get_u64(o, "cpu_ns", true, &t->cpu_ns);
	r = r ?: ga_agent_get_str(o, "comm", comm, sizeof(comm));
	r = r ?: ga_agent_energy_from_json(o, t->energy, nr_domains);
	if (r || pid > UINT32_MAX)
		return -EPROTO;
	t->tgid = pid;
	memcpy(t->comm, comm, GREENAI_COMM_LEN);
	return 0;
}

int ga_agent_cgroup_from_json(struct json_object *o, unsigned int nr_domains,
			      struct ga_acct_cgroup *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(o, json_type_object))
		return -EPROTO;
	r = ga_agent_get_u64(o, "id", true, &c->id);
	r = r ?: ga_agent_get_u64(o, "cpu_ns", true, &c->cpu_ns);
	r = r ?: ga_agent_get_u64(o, "nr_exited", true, &c->nr_exited);
	return r ?: ga_agent_energy_from_json(o, c->energy, nr_domains);
}

int ga_agent_domain_from_json(struct json_object *o, struct greenai_domain *d,
			      struct ga_acct_domain_totals *t, char *estimate,
			      size_t estimate_size)
{
	__u64 v[9];
	int r;

	memset(d, 0, sizeof(*d));
	memset(t, 0, sizeof(*t));
	if (!json_object_is_type(o, json_type_object))
		return -EPROTO;
	r = ga_agent_get_u64(o, "id", true, &v[0]);
	r = r ?: ga_agent_get_u64(o, "kind", true, &v[1]);
	r = r ?: ga_agent_get_u64(o, "source", true, &v[2]);
	r = r ?: ga_agent_get_u64(o, "flags", true, &v[3]);
	r = r ?: ga_agent_get_u64(o, "package", true, &v[4]);
	r = r ?: ga_agent_get_u64(o, "nr_cpus", true, &v[5]);
	r = r ?: ga_agent_get_u64(o, "idle_share", true, &v[6]);
	r = r ?: ga_agent_get_u64(o, "idle_basis", true, &v[7]);
	r = r ?: ga_agent_get_u64(o, "idle_power_uw", true,
				  &t->idle.idle_power_uw);
	r = r ?: ga_agent_get_u64(o, "energy_uj", false, &t->energy_uj);
	r = r ?: ga_agent_get_u64(o, "active_uj", false, &t->active_uj);
	r = r ?: ga_agent_get_u64(o, "idle_uj", false, &t->idle_uj);
	r = r ?: ga_agent_get_u64(o, "node_idle_uj", false, &t->node_idle_uj);
	r = r ?: ga_agent_get_u64(o, "unattributed_uj", false,
				  &t->unattributed_uj);
	r = r ?: ga_agent_get_u64(o, "flags_seen", false, &v[8]);
	r = r ?: ga_agent_get_str(o, "name", d->name, sizeof(d->name));
	r = r ?: ga_agent_get_str(o, "estimate", estimate, estimate_size);
	if (r || v[0] >= GREENAI_MAX_DOMAINS || v[1] > 0xffff ||
	    v[2] > 0xffff || v[3] > UINT32_MAX || v[4] > UINT32_MAX ||
	    v[5] > UINT32_MAX || v[6] > UINT32_MAX || v[7] > UINT32_MAX ||
	    v[8] > UINT32_MAX)
		return -EPROTO;
	d->id = v[0];
	d->kind = v[1];
	d->source = v[2];
	d->flags = v[3];
	d->package = v[4];
	d->nr_cpus = v[5];
	t->idle.share = v[6];
	t->idle.basis = v[7];
	t->flags_seen = v[8];
	return 0;
}
