// SPDX-License-Identifier: GPL-2.0
/*
 * An HTTP GET through libcurl (http_get.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "carbon/http_get.h"

struct ga_http_buf {
	struct ga_http_answer *a;
	size_t max;
	int too_big;
};

static size_t ga_http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ga_http_buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (n > b->max - b->a->len) {
		b->too_big = 1;
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	}
	p = realloc(b->a->body, b->a->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + b->a->len, data, n);
	b->a->body = p;
	b->a->len += n;
	p[b->a->len] = '\0';
	return n;
}

static int ga_curl_init(void)
{
	static int done, r;

	if (!done) {
		done = 1;
		r = curl_global_init(CURL_GLOBAL_DEFAULT) ? -EIO : 0;
	}
	return r;
}

/**
 * ga_http_get() - fetch a URL
 * @url: http:// or https://
 * @headers: "Name: value" lines, NULL-terminated, or NULL
 * @timeout_ms: for the whole answer (connecting: at most half of it)
 * @max_bytes: the largest body taken
 * @a: the answer (body, its length, the HTTP status); a->body is NULL on
 *     failure and must be freed otherwise
 * @err: why not, for people: the time limit, the size limit, the HTTP
 *	 status or libcurl's own message
 * @err_size: its size
 *
 * An answer other than 2xx is a failure, its status kept in @a. With
 * @headers (a token among them), a redirect is not followed: libcurl would
 * send them to the new place.
 *
 * Return: 0; -ETIMEDOUT, -EFBIG, -EPROTO (HTTP status), -EIO.
 */
int ga_http_get(const char *url, const char *const *headers,
		unsigned int timeout_ms, size_t max_bytes,
		struct ga_http_answer *a, char *err, size_t err_size)
{
	struct ga_http_buf b = { .a = a, .max = max_bytes };
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL, *tmp;
	const char *const *h;
	CURLcode rc;
	CURL *c;
	int r = -EIO;

	memset(a, 0, sizeof(*a));
	if (ga_curl_init() || !(c = curl_easy_init())) {
		snprintf(err, err_size, "cannot set up libcurl");
		return -EIO;
	}
	for (h = headers; h && *h; h++) {
		tmp = curl_slist_append(hl, *h);
		if (!tmp) {
			snprintf(err, err_size, "out of memory");
			goto out;
		}
		hl = tmp;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/*
	 * libcurl sends custom headers to wherever a redirect leads: with
	 * a secret among them (a token), redirects are not followed.
	 */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, hl ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(timeout_ms / 2 ? timeout_ms / 2 : 1));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "greenai");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ga_http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)max_bytes);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, err_size, "no answer within %u ms", timeout_ms);
		r = -ETIMEDOUT;
	} else if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, err_size, "the answer is larger than %zu bytes",
			 max_bytes);
		r = -EFBIG;
	} else if (rc != CURLE_OK) {
		snprintf(err, err_size, "%s",
			 cerr[0] ? cerr : curl_easy_strerror(rc));
	} else if (a->status < 200 || a->status > 299) {
		char said[101] = "";
		size_t i;

		/* what the server said, printable, for people */
		for (i = 0; a->body && i < a->len && i < sizeof(said) - 1; i++)
			said[i] = a->body[i] >= 0x20 && a->body[i] < 0x7f ?
					  a->body[i] : ' ';
		said[i] = '\0';
		snprintf(err, err_size, "HTTP status %ld%s%s", a->status,
			 said[0] ? ": " : "", said);
		r = -EPROTO;
	} else {
		if (!a->body)
			a->body = calloc(1, 1);
		r = a->body ? 0 : -ENOMEM;
	}
out:
	if (r) {
		free(a->body);
		a->body = NULL;
		a->len = 0;
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return r;
}

/* @s escaped for a URL's query; free() it. NULL when out of memory. */
char *ga_http_escape(const char *s)
{
	char *e, *copy;

	if (ga_curl_init())
		return NULL;
	e = curl_easy_escape(NULL, s, 0);
	if (!e)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}
