// SPDX-License-Identifier: GPL-2.0
/*
 * The greenai agent's protocol (tools/lib/engine/agent.c): the
 * parser of a request takes exactly the protocol's objects and refuses
 * all else with a clear message; figures encoded by the agent decode to
 * the same in the client; a reply that is not the protocol's is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include <greenai/agent.h>

#include "engine/agent_client.h"

static int parse(const char *line, struct ga_agent_req *req, char *err)
{
	return ga_agent_parse_request(line, strlen(line), req, err, 256);
}

static void good_requests(void **state)
{
	struct ga_agent_req req;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"op\":\"hello\"}", &req, err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_HELLO);
	assert_int_equal(parse(" { \"op\" : \"sample\" } ", &req, err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_SAMPLE);
	assert_int_equal(parse("{\"op\":\"run-cgroup\",\"pid\":4242}", &req,
			       err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_RUN_CGROUP);
	assert_int_equal(req.pid, 4242);
	assert_false(req.hold);
	assert_int_equal(parse("{\"op\":\"run-cgroup\",\"pid\":7,\"hold\":true}",
			       &req, err), 0);
	assert_int_equal(req.pid, 7);
	assert_true(req.hold);
	assert_int_equal(parse("{\"hold\":false,\"op\":\"run-cgroup\",\"pid\":7}",
			       &req, err), 0);
	assert_false(req.hold);
	assert_int_equal(parse("{\"cgroup_id\":18446744073709551615,"
			       "\"op\":\"end-run\"}", &req, err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_END_RUN);
	assert_true(req.cgroup_id == UINT64_MAX);
	assert_int_equal(parse("{\"op\":\"leave-run\",\"cgroup_id\":77}", &req,
			       err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_LEAVE_RUN);
	assert_true(req.cgroup_id == 77);
}

/* label: any of model, units and unit, each as the exporter takes it. */
static void label_requests(void **state)
{
	struct ga_agent_req req;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"op\":\"label\",\"cgroup_id\":9,"
			       "\"model\":\"llama-3 8b/q4\",\"units\":\"12.5\","
			       "\"unit\":\"tokens\"}", &req, err), 0);
	assert_int_equal(req.op, GA_AGENT_OP_LABEL);
	assert_true(req.cgroup_id == 9);
	assert_string_equal(req.model, "llama-3 8b/q4");
	assert_string_equal(req.units, "12.5");
	assert_string_equal(req.unit, "tokens");
	assert_int_equal(parse("{\"op\":\"label\",\"cgroup_id\":9,"
			       "\"units\":\"1000000000000\"}", &req, err), 0);
	assert_string_equal(req.model, "");
	assert_string_equal(req.units, "1000000000000");
	assert_string_equal(req.unit, "");
	assert_int_equal(parse("{\"model\":\"m\",\"op\":\"label\","
			       "\"cgroup_id\":1}", &req, err), 0);
	assert_string_equal(req.model, "m");
	assert_string_equal(req.units, "");
}

/* Each bad line: refused with its message, the request left as it was. */
static void bad_requests(void **state)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "", "request is not one JSON object" },
		{ "nonsense", "request is not one JSON object" },
		{ "{\"op\":\"sample\"} {}", "request is not one JSON object" },
		{ "{\"op\":\"sample\"", "request is not one JSON object" },
		{ "[\"sample\"]", "request is not a JSON object" },
		{ "\"sample\"", "request is not a JSON object" },
		{ "{}", "request has no \"op\" string" },
		{ "{\"op\":1}", "request has no \"op\" string" },
		{ "{\"op\":\"rm\"}",
		  "unknown op (hello, sample, run-cgroup, end-run, leave-run, label)" },
		{ "{\"op\":\"SAMPLE\"}",
		  "unknown op (hello, sample, run-cgroup, end-run, leave-run, label)" },
		{ "{\"op\":\"sample\",\"uid\":0}",
		  "sample takes no member but \"op\"" },
		{ "{\"op\":\"run-cgroup\"}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":\"12\"}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":0}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":-5}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":1.5}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":99999999999}",
		  "run-cgroup needs \"pid\", a process id" },
		{ "{\"op\":\"run-cgroup\",\"pid\":5,\"uid\":0}",
		  "run-cgroup takes \"op\", \"pid\" and \"hold\" only" },
		{ "{\"op\":\"run-cgroup\",\"pid\":5,\"hold\":1}",
		  "run-cgroup's \"hold\" is true or false" },
		{ "{\"op\":\"run-cgroup\",\"pid\":5,\"hold\":\"yes\"}",
		  "run-cgroup's \"hold\" is true or false" },
		{ "{\"op\":\"run-cgroup\",\"pid\":5,\"hold\":true,\"x\":1}",
		  "run-cgroup takes \"op\", \"pid\" and \"hold\" only" },
		{ "{\"op\":\"end-run\",\"cgroup_id\":5,\"hold\":true}",
		  "end-run takes \"op\" and \"cgroup_id\" only" },
		{ "{\"op\":\"end-run\",\"cgroup_id\":0}",
		  "end-run needs \"cgroup_id\", a cgroup's id" },
		{ "{\"op\":\"end-run\",\"cgroup_id\":-1}",
		  "end-run needs \"cgroup_id\", a cgroup's id" },
		{ "{\"op\":\"leave-run\"}",
		  "leave-run needs \"cgroup_id\", a cgroup's id" },
		{ "{\"op\":\"label\",\"model\":\"m\"}",
		  "label needs \"cgroup_id\", its run cgroup's id" },
		{ "{\"op\":\"label\",\"cgroup_id\":0,\"model\":\"m\"}",
		  "label needs \"cgroup_id\", its run cgroup's id" },
		{ "{\"op\":\"label\",\"cgroup_id\":3}",
		  "label needs \"model\", \"units\" or \"unit\"" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"model\":7}",
		  "label's \"model\" is not a string of 1 to 255 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"model\":\"a\\u0000b\"}",
		  "label's \"model\" is not a string of 1 to 255 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"units\":12}",
		  "label's \"units\" is not a string of 1 to 31 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,"
		  "\"units\":\"12345678901234567890123456789012\"}",
		  "label's \"units\" is not a string of 1 to 31 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"model\":\"\"}",
		  "label's \"model\" is not a string of 1 to 255 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"unit\":null}",
		  "label's \"unit\" is not a string of 1 to 31 bytes" },
		/* label: one bad member, and nothing of the request is taken */
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"model\":\"m\","
		  "\"unit\":[]}",
		  "label's \"unit\" is not a string of 1 to 31 bytes" },
		{ "{\"op\":\"label\",\"cgroup_id\":3,\"model\":\"m\","
		  "\"owner\":\"uid:0\"}",
		  "label takes \"op\", \"cgroup_id\", \"model\", \"units\" and \"unit\" only" },
	};
	struct ga_agent_req req = { .op = GA_AGENT_OP_END_RUN, .pid = 7 };
	unsigned int i;
	char err[256];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].line, &req, err), -EINVAL);
		assert_string_equal(err, bad[i].err);
		assert_int_equal(req.op, GA_AGENT_OP_END_RUN);
		assert_int_equal(req.pid, 7);
	}
}

static void nul_and_size(void **state)
{
	char line[GA_AGENT_REQ_MAX + 8], err[256];
	struct ga_agent_req req;

	(void)state;
	assert_int_equal(ga_agent_parse_request("{\"op\":\"hello\"}\0x", 16,
						&req, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "request holds a NUL byte");
	memset(line, ' ', sizeof(line));
	memcpy(line, "{\"op\":\"hello\"}", 14);
	/* a whole request line, newline included, fits in GA_AGENT_REQ_MAX */
	assert_int_equal(ga_agent_parse_request(line, GA_AGENT_REQ_MAX - 1,
						&req, err, sizeof(err)), 0);
	assert_int_equal(ga_agent_parse_request(line, GA_AGENT_REQ_MAX, &req,
						err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "request over 1024 bytes");
}

static void error_line(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(ga_agent_error_line(EPERM, "not \"yours\"", buf,
					     sizeof(buf)), 0);
	assert_string_equal(buf,
			    "{\"ok\":false,\"errno\":1,\"error\":\"not \\\"yours\\\"\"}\n");
	assert_int_equal(ga_agent_error_line(EPERM, "x", buf, 10), -ENOSPC);
}

/* Through a string, as on the socket. */
static struct json_object *wire(struct json_object *o)
{
	struct json_object *back = json_tokener_parse(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	assert_non_null(back);
	return back;
}

static void task_and_cgroup_round_trip(void **state)
{
	struct ga_acct_task t = {
		.tgid = 4242, .cgroup_id = 0x8000000000000001ull,
		.start_ns = 123456789012345ull, .cpu_ns = UINT64_MAX,
		.comm = "py thon\"x\\",
	}, back;
	struct ga_acct_cgroup c = { .id = 77, .cpu_ns = 5, .nr_exited = 3 },
		cback;
	struct json_object *o;

	(void)state;
	t.energy[0] = (struct greenai_energy){ 1, 2 };
	t.energy[2] = (struct greenai_energy){ UINT64_MAX, 0 };
	c.energy[1] = (struct greenai_energy){ 9, 10 };
	o = wire(ga_agent_task_json(&t, 3));
	assert_int_equal(ga_agent_task_from_json(o, 3, &back), 0);
	assert_int_equal(back.tgid, t.tgid);
	assert_true(back.cgroup_id == t.cgroup_id);
	assert_true(back.start_ns == t.start_ns);
	assert_true(back.cpu_ns == t.cpu_ns);
	assert_memory_equal(back.comm, t.comm, sizeof(t.comm));
	assert_memory_equal(back.energy, t.energy, sizeof(t.energy));
	/* another number of domains than the reply's: refused */
	assert_int_equal(ga_agent_task_from_json(o, 2, &back), -EPROTO);
	json_object_put(o);
	o = wire(ga_agent_cgroup_json(&c, 2));
	assert_int_equal(ga_agent_cgroup_from_json(o, 2, &cback), 0);
	assert_true(cback.id == c.id && cback.cpu_ns == c.cpu_ns &&
		    cback.nr_exited == c.nr_exited);
	assert_memory_equal(cback.energy, c.energy, sizeof(c.energy));
	json_object_put(o);
}

static void bad_replies(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"pid\":1,\"start_ns\":2,\"cgroup_id\":3,\"cpu_ns\":4}",
		"{\"pid\":1,\"start_ns\":2,\"cgroup_id\":3,\"cpu_ns\":\"4\","
		"\"energy\":[]}",
		"{\"pid\":1,\"start_ns\":2,\"cgroup_id\":3,\"cpu_ns\":4,"
		"\"energy\":[[1]]}",
		"{\"pid\":1,\"start_ns\":2,\"cgroup_id\":3,\"cpu_ns\":4,"
		"\"energy\":[[1,\"2\"]]}",
		"{\"pid\":4294967296,\"start_ns\":2,\"cgroup_id\":3,"
		"\"cpu_ns\":4,\"energy\":[[1,2]]}",
		"{\"pid\":1,\"start_ns\":2,\"cgroup_id\":3,\"cpu_ns\":4,"
		"\"comm\":5,\"energy\":[[1,2]]}",
	};
	struct ga_acct_task t;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = json_tokener_parse(bad[i]);

		assert_non_null(o);
		assert_int_equal(ga_agent_task_from_json(o, 1, &t), -EPROTO);
		json_object_put(o);
	}
}

static void domain_without_totals(void **state)
{
	struct json_object *o = json_tokener_parse(
		"{\"id\":1,\"name\":\"dram-0\",\"kind\":4,\"source\":1,"
		"\"flags\":0,\"package\":0,\"nr_cpus\":8,\"estimated\":false,"
		"\"estimate\":null,\"idle_share\":1,\"idle_basis\":2,"
		"\"idle_power_uw\":1500000}");
	struct ga_acct_domain_totals tot;
	struct greenai_domain d;
	char est[64];

	(void)state;
	assert_int_equal(ga_agent_domain_from_json(o, &d, &tot, est,
						   sizeof(est)), 0);
	assert_int_equal(d.id, 1);
	assert_string_equal(d.name, "dram-0");
	assert_int_equal(d.kind, 4);
	assert_int_equal(d.nr_cpus, 8);
	assert_string_equal(est, "");
	assert_int_equal(tot.idle.share, 1);
	assert_int_equal(tot.idle.basis, 2);
	assert_true(tot.idle.idle_power_uw == 1500000);
	assert_true(tot.energy_uj == 0 && tot.active_uj == 0);
	json_object_put(o);
	o = json_tokener_parse("{\"id\":40,\"name\":\"x\",\"kind\":4,"
			       "\"source\":1,\"flags\":0,\"package\":0,"
			       "\"nr_cpus\":8,\"idle_share\":1,"
			       "\"idle_basis\":2,\"idle_power_uw\":0}");
	assert_int_equal(ga_agent_domain_from_json(o, &d, &tot, est,
						   sizeof(est)), -EPROTO);
	json_object_put(o);
}

static void socket_path(void **state)
{
	(void)state;
	unsetenv(GA_AGENT_SOCKET_ENV);
	assert_string_equal(ga_agent_socket(NULL), GA_AGENT_SOCKET_DEF);
	setenv(GA_AGENT_SOCKET_ENV, "", 1);
	assert_string_equal(ga_agent_socket(NULL), GA_AGENT_SOCKET_DEF);
	setenv(GA_AGENT_SOCKET_ENV, "/tmp/a.sock", 1);
	assert_string_equal(ga_agent_socket(NULL), "/tmp/a.sock");
	assert_string_equal(ga_agent_socket("/x.sock"), "/x.sock");
	unsetenv(GA_AGENT_SOCKET_ENV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_requests),
		cmocka_unit_test(bad_requests),
		cmocka_unit_test(label_requests),
		cmocka_unit_test(nul_and_size),
		cmocka_unit_test(error_line),
		cmocka_unit_test(task_and_cgroup_round_trip),
		cmocka_unit_test(bad_replies),
		cmocka_unit_test(domain_without_totals),
		cmocka_unit_test(socket_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
