/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An HTTP GET through libcurl, for the intensity providers: a time limit
 * on connecting and on the whole answer, a limit on its size, no
 * redirects to other schemes, and an error that says which of them it was.
 */
#ifndef _GREENAI_HTTP_GET_H
#define _GREENAI_HTTP_GET_H

#include <stddef.h>

#define GA_HTTP_BODY_MAX	(4 * 1024 * 1024)

struct ga_http_answer {
	char *body;	/* NUL-terminated; free() it */
	size_t len;
	long status;
};

int ga_http_get(const char *url, const char *const *headers,
		unsigned int timeout_ms, size_t max_bytes,
		struct ga_http_answer *a, char *err, size_t err_size);
char *ga_http_escape(const char *s);

#endif /* _GREENAI_HTTP_GET_H */
