/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The greenai agent's client, private to the engine: a connection to the
 * agent (agent_client.c) and the decoders of a sample's reply (agent.c),
 * for mode_agent.c and agent.h's calls.
 */
#ifndef _GREENAI_ENGINE_AGENT_CLIENT_H
#define _GREENAI_ENGINE_AGENT_CLIENT_H

#include <stddef.h>

#include <greenai/agent.h>

struct json_object;

/* What to start when no agent answers, for an error message. */
#define GA_AGENT_START_HINT \
	"start the greenai agent: systemctl start greenai-exporter, or " \
	"greenai-exporter --agent-socket %s (as root)"

/*
 * Connect to the agent at @path and say hello: 0 with *@fd, or -errno
 * with @err (the hint above when nothing listens there).
 */
int ga_agent_connect(const char *path, int *fd, char *err, size_t err_size);
/*
 * Send request @req (one JSON object, no newline) and read its reply:
 * 0 with *@reply (the caller puts it), or -errno with @err: the agent's
 * refusal (its errno) or what went wrong with the connection (-EPROTO for
 * a reply that is not the protocol's).
 */
int ga_agent_call(int fd, const char *req, struct json_object **reply,
		  char *err, size_t err_size);

int ga_agent_task_from_json(struct json_object *o, unsigned int nr_domains,
			    struct ga_acct_task *t);
int ga_agent_cgroup_from_json(struct json_object *o, unsigned int nr_domains,
			      struct ga_acct_cgroup *c);
int ga_agent_domain_from_json(struct json_object *o, struct greenai_domain *d,
			      struct ga_acct_domain_totals *t, char *estimate,
			      size_t estimate_size);

#endif /* _GREENAI_ENGINE_AGENT_CLIENT_H */
