// SPDX-License-Identifier: GPL-2.0
/*
 * JSON as greenai's programs write it (tools/lib/base/json.c): a string
 * that is missing or empty is null, never "".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>

#include <greenai/json.h>

static void strings_and_nulls(void **state)
{
	struct json_object *o = json_object_new_object();

	(void)state;
	ga_json_add(o, "model", ga_json_str("mlp-small"));
	ga_json_add(o, "none", ga_json_str(NULL));
	ga_json_add(o, "empty", ga_json_str(""));
	ga_json_add(o, "quote", ga_json_str("a \"b\""));
	assert_string_equal(json_object_to_json_string_ext(
				    o, JSON_C_TO_STRING_PLAIN),
			    "{\"model\":\"mlp-small\",\"none\":null,"
			    "\"empty\":null,\"quote\":\"a \\\"b\\\"\"}");
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_and_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
