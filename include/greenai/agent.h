/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The greenai agent (docs/agent.md): greenai-exporter --agent-socket PATH
 * answers ordinary users on a local Unix socket, so that they see their
 * own processes' and cgroups' figures without root. The protocol is JSON
 * lines over SOCK_STREAM: one request object a line, one reply object a
 * line, in order.
 *
 * What is here: the socket's path, the parser of a request (the agent's),
 * the encoders of the figures a reply holds, and the calls an ordinary
 * user makes besides reading figures (a run cgroup). A program reads the
 * figures through ga_open() with the backend "agent" (engine.h).
 */
#ifndef _GREENAI_AGENT_H
#define _GREENAI_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <greenai/cgroup.h>
#include <greenai/engine.h>

#define GA_AGENT_PROTO		1	/* the protocol's version */
#define GA_AGENT_SOCKET_DEF	"/run/greenai/agent.sock"
#define GA_AGENT_SOCKET_ENV	"GREENAI_AGENT_SOCKET"
#define GA_AGENT_REQ_MAX	1024	/* bytes of a request, newline included */
#define GA_AGENT_REPLY_MAX	(64u << 20)	/* bytes of a reply */

/*
 * The socket's path: @given when not NULL, else $GREENAI_AGENT_SOCKET when
 * set and not empty, else GA_AGENT_SOCKET_DEF.
 */
const char *ga_agent_socket(const char *given);

enum ga_agent_op {
	GA_AGENT_OP_HELLO,	/* {"op":"hello"} */
	GA_AGENT_OP_SAMPLE,	/* {"op":"sample"} */
	GA_AGENT_OP_RUN_CGROUP,	/* {"op":"run-cgroup","pid":P[,"hold":true]} */
	GA_AGENT_OP_END_RUN,	/* {"op":"end-run","cgroup_id":ID} */
	GA_AGENT_OP_LEAVE_RUN,	/* {"op":"leave-run","cgroup_id":ID} */
	/* {"op":"label","cgroup_id":ID[,"model":M][,"units":U][,"unit":N]} */
	GA_AGENT_OP_LABEL,
};

#define GA_AGENT_UNITS_MAX	31	/* bytes of a label's "units" or "unit" */

struct ga_agent_req {
	enum ga_agent_op op;
	int pid;		/* run-cgroup */
	bool hold;		/* run-cgroup: ended when this connection is */
	uint64_t cgroup_id;	/* end-run, leave-run, label */
	/*
	 * label: each "" when not given, else 1 byte or more, no NUL byte
	 * (the agent checks their values as the exporter does)
	 */
	char model[GA_LABEL_MAX + 1];
	char units[GA_AGENT_UNITS_MAX + 1];
	char unit[GA_AGENT_UNITS_MAX + 1];
};

/*
 * One request line, @len bytes without its newline: a JSON object with
 * "op" and that op's members, nothing else. Return: 0, or -EINVAL (-E2BIG
 * over GA_AGENT_REQ_MAX) with @err saying what is wrong.
 */
int ga_agent_parse_request(const char *line, size_t len,
			   struct ga_agent_req *out, char *err,
			   size_t err_size);

/*
 * The members of a sample's reply (docs/agent.md), made from a context:
 * a process, a cgroup, a domain (its description; its energy totals only
 * when @totals). NULL when out of memory.
 */
struct json_object *ga_agent_task_json(const struct ga_acct_task *t,
				       unsigned int nr_domains);
struct json_object *ga_agent_cgroup_json(const struct ga_acct_cgroup *c,
					 unsigned int nr_domains);
struct json_object *ga_agent_domain_json(const struct ga_ctx *g,
					 unsigned int id, bool totals);
/*
 * A refusal {"ok":false,"errno":@errnum,"error":@msg} (@errnum positive,
 * as errno), as one line with its newline. Return: 0 or -ENOSPC.
 */
int ga_agent_error_line(int errnum, const char *msg, char *buf, size_t size);

/*
 * A run cgroup for process @pid, which must be the caller's own (real
 * uid): the agent makes greenai-run-PID-N inside the cgroup @pid is in (so
 * every limit on that cgroup still holds), moves @pid into it and gives
 * its path (as in /proc/PID/cgroup) and id. Its figures are the caller's
 * to read through the agent until it is removed. @socket: NULL for
 * ga_agent_socket(NULL). With @hold not NULL, the run is held by the
 * connection that asked, left open in *@hold (close-on-exec): when it
 * closes before the run is ended (the caller killed), the agent moves
 * what is in the run back to where it was made and removes the run
 * cgroup. Close it once the run is ended.
 *
 * Return: 0, or -errno with @err saying why (the agent's reply, or what
 * to start when there is no agent).
 */
int ga_agent_run_cgroup(const char *socket, int pid, char *cgpath,
			size_t cgpath_size, uint64_t *cgroup_id, int *hold,
			char *err, size_t err_size);
/*
 * Remove the caller's run cgroup @cgroup_id, which must be empty by now.
 * Return: 0, or -errno with @err (-EBUSY while a process is still in it).
 */
int ga_agent_end_run(const char *socket, uint64_t cgroup_id, char *err,
		     size_t err_size);
/*
 * Move what is in the caller's run cgroup @cgroup_id back to the cgroup it
 * was made in; the cgroup stays (its figures) until ga_agent_end_run().
 * Return: the processes moved, or -errno with @err.
 */
int ga_agent_leave_run(const char *socket, uint64_t cgroup_id, char *err,
		       size_t err_size);

/*
 * Label the caller's run cgroup @cgroup_id (one the agent made for the
 * caller's uid, still there) with the run's model (user.greenai.model)
 * and its units so far and their name (user.greenai.units, .unit), as
 * root's greenai run labels its own cgroup; each NULL or "" is left as it
 * is. Each is checked as the exporter checks it: a bad one refuses the
 * whole request, and nothing is set. Return: 0, or -errno with @err.
 */
int ga_agent_label(const char *socket, uint64_t cgroup_id, const char *model,
		   const char *units, const char *unit, char *err,
		   size_t err_size);

#endif /* _GREENAI_AGENT_H */
