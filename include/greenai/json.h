/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON as greenai's programs write it, through json-c: a string that is
 * missing (NULL) or empty is null, never "".
 */
#ifndef _GREENAI_JSON_H
#define _GREENAI_JSON_H

struct json_object;

struct json_object *ga_json_str(const char *s);
void ga_json_add(struct json_object *o, const char *key,
		 struct json_object *v);

#endif /* _GREENAI_JSON_H */
