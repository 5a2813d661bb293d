// SPDX-License-Identifier: GPL-2.0
/*
 * JSON as greenai's programs write it (greenai/json.h).
 */
#include <json-c/json.h>

#include <greenai/json.h>

/* @s as a JSON string; NULL or "" as null. */
struct json_object *ga_json_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

/* @v under @key in @o; a NULL @v is null. @o takes @v. */
void ga_json_add(struct json_object *o, const char *key,
		 struct json_object *v)
{
	json_object_object_add(o, key, v);
}
