// SPDX-License-Identifier: GPL-2.0
/*
 * The greenai agent's client (agent_client.h): the connection, a request
 * and its reply, and the calls of agent.h an ordinary user makes besides
 * reading figures (a run cgroup and its end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <json-c/json.h>

#include <greenai/files.h>

#include "engine/agent_client.h"

#define GA_AGENT_TIMEOUT_S	10	/* a reply's longest wait */

const char *ga_agent_socket(const char *given)
{
	const char *env = getenv(GA_AGENT_SOCKET_ENV);

	if (given)
		return given;
	return env && env[0] ? env : GA_AGENT_SOCKET_DEF;
}

int ga_agent_connect(const char *path, int *fd, char *err, size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = GA_AGENT_TIMEOUT_S };
	struct json_object *hello, *v;
	int s, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_size, "agent socket %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		r = -errno;
		close(s);
		if (r == -ENOENT || r == -ECONNREFUSED) {
			char hint[GA_PATH_MAX + 160];

			snprintf(hint, sizeof(hint), GA_AGENT_START_HINT, path);
			snprintf(err, err_size, "no greenai agent at %s: %s",
				 path, hint);
		} else {
			snprintf(err, err_size, "greenai agent at %s: %s",
				 path, strerror(-r));
		}
		return r;
	}
	r = ga_agent_call(s, "{\"op\":\"hello\"}", &hello, err, err_size);
	if (r) {
		close(s);
		return r;
	}
	if (!json_object_object_get_ex(hello, "proto", &v) ||
	    json_object_get_int(v) != GA_AGENT_PROTO) {
		snprintf(err, err_size,
			 "greenai agent at %s speaks another protocol than %d: update greenai",
			 path, GA_AGENT_PROTO);
		json_object_put(hello);
		close(s);
		return -EPROTO;
	}
	json_object_put(hello);
	*fd = s;
	return 0;
}

/* The reply's one line, up to GA_AGENT_REPLY_MAX bytes. */
static int ga_agent_read_line(int fd, char **out, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size), *t;

	while (buf) {
		ssize_t got;

		if (n + 1 >= size) {
			if (size >= GA_AGENT_REPLY_MAX)
				break;
			size *= 2;
			t = realloc(buf, size);
			if (!t)
				break;
			buf = t;
		}
		got = recv(fd, buf + n, size - 1 - n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			int r = got < 0 ? -errno : -ECONNRESET;

			free(buf);
			return r == -EAGAIN ? -ETIMEDOUT : r;
		}
		n += got;
		if (buf[n - 1] == '\n') {
			buf[--n] = '\0';
			*out = buf;
			*len = n;
			return 0;
		}
	}
	free(buf);
	return buf ? -EPROTO : -ENOMEM;
}

int ga_agent_call(int fd, const char *req, struct json_object **reply,
		  char *err, size_t err_size)
{
	struct json_object *o, *ok, *msg, *en;
	size_t len = strlen(req), off = 0, n;
	char *line = NULL;
	int r;

	while (off <= len) {
		const char *p = off < len ? req + off : "\n";
		ssize_t w = send(fd, p, off < len ? len - off : 1,
				 MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			snprintf(err, err_size, "greenai agent: %s",
				 strerror(-r));
			return r;
		}
		off += w;
	}
	r = ga_agent_read_line(fd, &line, &n);
	if (r) {
		snprintf(err, err_size, "greenai agent: no reply: %s",
			 strerror(-r));
		return r;
	}
	o = json_tokener_parse(line);
	free(line);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		json_object_put(o);
		snprintf(err, err_size,
			 "greenai agent: a reply that is not its protocol's");
		return -EPROTO;
	}
	if (!json_object_get_boolean(ok)) {
		r = json_object_object_get_ex(o, "errno", &en) ?
			json_object_get_int(en) : 0;
		r = r > 0 && r < 4096 ? -r : -EPERM;
		if (!json_object_object_get_ex(o, "error", &msg))
			msg = NULL;
		snprintf(err, err_size, "greenai agent: %s",
			 msg ? json_object_get_string(msg) : strerror(-r));
		json_object_put(o);
		return r;
	}
	*reply = o;
	return 0;
}

/*
 * One request on a connection of its own: connect, say hello, ask. With
 * @keep not NULL, the connection stays open in *@keep after an answer
 * that is not a refusal.
 */
static int ga_agent_ask_keep(const char *socket, const char *req,
			     struct json_object **reply, int *keep, char *err,
			     size_t err_size)
{
	int fd, r;

	if (err_size)
		err[0] = '\0';
	r = ga_agent_connect(ga_agent_socket(socket), &fd, err, err_size);
	if (r)
		return r;
	r = ga_agent_call(fd, req, reply, err, err_size);
	if (!r && keep)
		*keep = fd;
	else
		close(fd);
	return r;
}

static int ga_agent_ask(const char *socket, const char *req,
			struct json_object **reply, char *err, size_t err_size)
{
	return ga_agent_ask_keep(socket, req, reply, NULL, err, err_size);
}

int ga_agent_run_cgroup(const char *socket, int pid, char *cgpath,
			size_t cgpath_size, uint64_t *cgroup_id, int *hold,
			char *err, size_t err_size)
{
	struct json_object *reply, *id, *path;
	char req[96];
	int r, fd = -1;

	snprintf(req, sizeof(req), "{\"op\":\"run-cgroup\",\"pid\":%d%s}", pid,
		 hold ? ",\"hold\":true" : "");
	r = ga_agent_ask_keep(socket, req, &reply, hold ? &fd : NULL, err,
			      err_size);
	if (r)
		return r;
	if (hold)
		*hold = fd;
	if (!json_object_object_get_ex(reply, "cgroup_id", &id) ||
	    !json_object_object_get_ex(reply, "path", &path) ||
	    !json_object_is_type(id, json_type_int) ||
	    !json_object_is_type(path, json_type_string) ||
	    (size_t)json_object_get_string_len(path) >= cgpath_size) {
		json_object_put(reply);
		snprintf(err, err_size,
			 "greenai agent: a run-cgroup reply without its cgroup");
		if (hold) {
			close(fd);
			*hold = -1;
		}
		return -EPROTO;
	}
	*cgroup_id = json_object_get_uint64(id);
	snprintf(cgpath, cgpath_size, "%s", json_object_get_string(path));
	json_object_put(reply);
	return 0;
}

/* end-run or leave-run of @cgroup_id; leave-run's "moved", or 0. */
static int ga_agent_run_op(const char *socket, const char *op,
			   uint64_t cgroup_id, char *err, size_t err_size)
{
	struct json_object *reply, *moved;
	char req[96];
	int r;

	snprintf(req, sizeof(req), "{\"op\":\"%s\",\"cgroup_id\":%llu}", op,
		 (unsigned long long)cgroup_id);
	r = ga_agent_ask(socket, req, &reply, err, err_size);
	if (r)
		return r;
	if (json_object_object_get_ex(reply, "moved", &moved) &&
	    json_object_is_type(moved, json_type_int))
		r = json_object_get_int(moved);
	json_object_put(reply);
	return r < 0 ? 0 : r;
}

int ga_agent_end_run(const char *socket, uint64_t cgroup_id, char *err,
		     size_t err_size)
{
	int r = ga_agent_run_op(socket, "end-run", cgroup_id, err, err_size);

	return r < 0 ? r : 0;
}

int ga_agent_leave_run(const char *socket, uint64_t cgroup_id, char *err,
		       size_t err_size)
{
	return ga_agent_run_op(socket, "leave-run", cgroup_id, err, err_size);
}

int ga_agent_label(const char *socket, uint64_t cgroup_id, const char *model,
		   const char *units, const char *unit, char *err,
		   size_t err_size)
{
	struct json_object *req = json_object_new_object(), *reply;
	int r;

	if (!req)
		return -ENOMEM;
	json_object_object_add(req, "op", json_object_new_string("label"));
	json_object_object_add(req, "cgroup_id",
			       json_object_new_uint64(cgroup_id));
	if (model && *model)
		json_object_object_add(req, "model",
				       json_object_new_string(model));
	if (units && *units)
		json_object_object_add(req, "units",
				       json_object_new_string(units));
	if (unit && *unit)
		json_object_object_add(req, "unit",
				       json_object_new_string(unit));
	r = ga_agent_ask(socket,
			 json_object_to_json_string_ext(req,
							JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE),
			 &reply, err, err_size);
	json_object_put(req);
	if (!r)
		json_object_put(reply);
	return r;
}
