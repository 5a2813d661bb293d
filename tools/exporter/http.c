// SPDX-License-Identifier: GPL-2.0
/*
 * greenai-exporter's HTTP side, over libmicrohttpd: GET (or HEAD) of
 * /metrics (Prometheus text 0.0.4, or OpenMetrics 1.0 when the Accept
 * header asks for it), /healthz and an index page at /; anything else is
 * 404, other methods 405. One internal thread polls every connection;
 * a scrape renders the counters under the state's lock into the
 * thread's own buffer. Connections are bounded in number, time (10 s)
 * and memory (16 KiB: larger headers get 431), and in number per client
 * address, so slow or greedy clients cannot stall the others. With a user and password, every path but
 * /healthz wants them (basic auth, compared in constant time); with a
 * certificate and key, only TLS is spoken.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <microhttpd.h>

#include <greenai/libgreenai.h>

#include "exporter.h"

#define GX_TIMEOUT_S		10
#define GX_CONN_MEMORY		(16 * 1024)
#define GX_MAX_CONN_DEF		256

struct gx_http {
	struct MHD_Daemon *d;
	struct gx_state *st;
	struct gx_http_conf conf;
	struct ga_expo expo;		/* used by the polling thread only */
};

/**
 * gx_parse_listen() - "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses)
 * @s: the text
 * @addr: the address
 * @len: its length
 *
 * Return: 0, or -EINVAL.
 */
int gx_parse_listen(const char *s, struct sockaddr_storage *addr,
		    socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
	char host[64], *end;
	const char *colon;
	unsigned long port;

	memset(addr, 0, sizeof(*addr));
	colon = strrchr(s, ':');
	if (!colon || colon - s >= (long)sizeof(host) || !colon[1])
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || errno || port > 65535 || colon[1] == '-' ||
	    colon[1] == '+' || colon[1] == ' ')
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return 0;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	*len = sizeof(*a4);
	if (!host[0]) {
		a4->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
}

static enum MHD_Result gx_reply(struct MHD_Connection *c, unsigned int code,
				const char *type, const char *body,
				size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result gx_text(struct MHD_Connection *c, unsigned int code,
			       const char *text)
{
	return gx_reply(c, code, "text/plain; charset=utf-8", text,
			strlen(text));
}

/* Whether two strings are equal, in time that depends on @b's length. */
static bool gx_same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	unsigned char d = na != nb;

	for (i = 0; i < nb; i++)
		d |= (unsigned char)(b[i] ^ (i < na ? a[i] : 0));
	return !d;
}

/* "Authorization: Bearer <token>" with the token, compared in constant time. */
static bool gx_bearer_ok(struct gx_http *h, struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);

	if (!v || strncasecmp(v, "Bearer ", 7))
		return false;
	v += 7;
	while (*v == ' ')
		v++;
	return gx_same(v, h->conf.token);
}

static bool gx_authorised(struct gx_http *h, struct MHD_Connection *c)
{
	char *pass = NULL, *user;
	bool ok;

	if (h->conf.token)
		return gx_bearer_ok(h, c);
	if (!h->conf.user)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = user && pass && gx_same(user, h->conf.user) &&
	     gx_same(pass, h->conf.password);
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

/* The exporter's own counts, one plain sample each, in gx_render()'s order. */
static const struct {
	const char *name;
	enum ga_expo_type type;
	const char *help;
} gx_own[] = {
	{ "greenai_exporter_samples", GA_EXPO_COUNTER,
	  "Samples of libgreenai taken." },
	{ "greenai_exporter_sample_errors", GA_EXPO_COUNTER,
	  "Samples that failed." },
	{ "greenai_exporter_backend_reopens", GA_EXPO_COUNTER,
	  "Times the backend was opened anew (SIGHUP, or failing samples)." },
	{ "greenai_exporter_scrapes", GA_EXPO_COUNTER,
	  "Scrapes of /metrics answered." },
	{ "greenai_exporter_series_dropped", GA_EXPO_COUNTER,
	  "Containers, pods, models and VMs past the bound on series, counted in the node's figures only." },
	{ "greenai_exporter_cgroups", GA_EXPO_GAUGE,
	  "Cgroups the exporter follows now (those gone are dropped)." },
};

/* The exporter's own figures, then the workloads'. */
static int gx_render(struct gx_http *h, struct ga_expo *e)
{
	struct gx_state *st = h->st;
	struct ga_label l[2] = { { "version", GREENAI_VERSION },
				 { "backend", st->backend } };
	uint64_t own[sizeof(gx_own) / sizeof(gx_own[0])];
	struct ga_wl_stats ws;
	unsigned int i;
	int r;

	ga_wl_stats(st->wl, &ws);
	own[0] = st->samples;
	own[1] = st->sample_errors;
	own[2] = st->reopens;
	own[3] = st->scrapes;
	own[4] = ws.dropped;
	own[5] = ws.cgroups;
	r = ga_expo_family(e, "greenai_exporter_build", GA_EXPO_INFO, NULL,
			   "greenai-exporter's version and the backend it reads.");
	if (!r)
		ga_expo_sample(e, l, 2, 1);
	for (i = 0; !r && i < sizeof(own) / sizeof(own[0]); i++) {
		r = ga_expo_family(e, gx_own[i].name, gx_own[i].type, NULL,
				   gx_own[i].help);
		if (!r)
			ga_expo_sample_fixed(e, NULL, 0, own[i], 0);
	}
	r = r ?: ga_expo_family(e, "greenai_exporter_scrape_render_seconds",
				GA_EXPO_GAUGE, "seconds",
				"Time the previous scrape took to render.");
	if (!r)
		ga_expo_sample(e, NULL, 0, st->scrape_seconds);
	r = r ?: ga_wl_expose(st->wl, e);
	return r ?: ga_expo_finish(e);
}

static enum MHD_Result gx_metrics(struct gx_http *h,
				  struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT);
	struct gx_state *st = h->st;
	double t0 = ga_mono_s();
	int r;

	ga_expo_reset(&h->expo);
	h->expo.format = ga_expo_negotiate(accept);
	pthread_mutex_lock(&st->lock);
	st->scrapes++;
	r = st->samples ? gx_render(h, &h->expo) : -EAGAIN;
	st->scrape_seconds = ga_mono_s() - t0;
	pthread_mutex_unlock(&st->lock);
	if (r == -EAGAIN)
		return gx_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			       "no sample taken yet: try again in a moment\n");
	if (r)
		return gx_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			       "cannot render the metrics: out of memory\n");
	return gx_reply(c, MHD_HTTP_OK, ga_expo_content_type(h->expo.format),
			h->expo.buf, h->expo.len);
}

static enum MHD_Result gx_health(struct gx_http *h, struct MHD_Connection *c)
{
	struct gx_state *st = h->st;
	char msg[256];
	double age;
	int err;

	pthread_mutex_lock(&st->lock);
	age = st->last_sample ? ga_mono_s() - st->last_sample : -1;
	err = st->last_error;
	pthread_mutex_unlock(&st->lock);
	if (age < 0)
		return gx_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			       "starting: no sample yet\n");
	if (err) {
		snprintf(msg, sizeof(msg), "the last sample failed: %s\n",
			 strerror(-err));
		return gx_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	if (age > 3 * st->interval_s + 1) {
		snprintf(msg, sizeof(msg),
			 "stalled: the last sample is %.1f s old\n", age);
		return gx_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	return gx_text(c, MHD_HTTP_OK, "ok\n");
}

static const char gx_index[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	"<title>greenai-exporter</title></head><body>\n"
	"<h1>greenai-exporter</h1>\n"
	"<p>Energy and CO2e of this node's containers, pods and models, for Prometheus.</p>\n"
	"<ul><li><a href=\"metrics\">/metrics</a></li>\n"
	"<li><a href=\"healthz\">/healthz</a></li></ul>\n"
	"</body></html>\n";

static enum MHD_Result gx_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct gx_http *h = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	if (!*con_cls) {
		/* the headers are in: answer after the body, if any */
		*con_cls = h;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;	/* a body is not read, only ignored */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		r = MHD_create_response_from_buffer(
			strlen("only GET and HEAD\n"), "only GET and HEAD\n",
			MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		ret = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/healthz"))
		return gx_health(h, c);
	if (!gx_authorised(h, c)) {
		r = MHD_create_response_from_buffer(strlen("unauthorised\n"),
						    "unauthorised\n",
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		if (h->conf.token) {
			MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
						"Bearer realm=\"greenai\"");
			ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
		} else {
			ret = MHD_queue_basic_auth_fail_response(c, "greenai", r);
		}
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/metrics"))
		return gx_metrics(h, c);
	if (!strcmp(url, "/"))
		return gx_reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
				gx_index, sizeof(gx_index) - 1);
	return gx_text(c, MHD_HTTP_NOT_FOUND,
		       "not found: the metrics are at /metrics\n");
}

static void gx_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (getenv("GREENAI_HTTP_DEBUG"))
		vfprintf(stderr, fmt, ap);
}

/**
 * gx_http_start() - serve the state on the configured address
 * @out: the server
 * @st: what it serves (and locks)
 * @conf: address, TLS, auth, bounds
 * @err: what went wrong
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int gx_http_start(struct gx_http **out, struct gx_state *st,
		  const struct gx_http_conf *conf, char *err, size_t err_size)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct gx_http *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->st = st;
	h->conf = *conf;
	if (!h->conf.max_connections)
		h->conf.max_connections = GX_MAX_CONN_DEF;
	if (!h->conf.max_per_client)
		h->conf.max_per_client = GX_PER_CLIENT_DEF;
	ga_expo_init(&h->expo, GA_EXPO_PROMETHEUS);
	if (conf->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			snprintf(err, err_size,
				 "this libmicrohttpd was built without TLS");
			free(h);
			return -ENOTSUP;
		}
		flags |= MHD_USE_TLS;
	}
	if (conf->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, gx_request, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&h->conf.addr,
		MHD_OPTION_CONNECTION_LIMIT, h->conf.max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->conf.max_per_client,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)GX_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GX_CONN_MEMORY,
		MHD_OPTION_EXTERNAL_LOGGER, gx_log, NULL,
		conf->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		conf->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, conf->tls_key,
		MHD_OPTION_END);
	if (!h->d) {
		int e = errno ? errno : EADDRINUSE;

		snprintf(err, err_size,
			 "cannot listen there: %s (in use, not the host's, or a bad certificate or key)",
			 strerror(e));
		ga_expo_done(&h->expo);
		free(h);
		return -e;
	}
	*out = h;
	return 0;
}

unsigned int gx_http_port(const struct gx_http *h)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

void gx_http_stop(struct gx_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	ga_expo_done(&h->expo);
	free(h);
}
