/* SPDX-License-Identifier: GPL-2.0 */
/*
 * greenai-exporter: libgreenai's workload counters (tools/lib/workload/workloads.h)
 * served to Prometheus over HTTP. main.c samples on a timer and keeps the
 * state file; http.c answers /metrics, /healthz and / with libmicrohttpd
 * on its own thread; agent.c, with --agent-socket, answers ordinary users
 * on a Unix socket on another (docs/agent.md); vmshare.c keeps the VM
 * hand-over tree (docs/vms.md). They share struct gx_state under its lock.
 */
#ifndef _GREENAI_EXPORTER_H
#define _GREENAI_EXPORTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <greenai/libgreenai.h>

struct gx_state {
	pthread_mutex_t lock;		/* everything below */
	struct ga_ctx *g;
	struct ga_wl *wl;
	double interval_s;
	double last_sample;		/* CLOCK_MONOTONIC s; 0: none yet */
	int last_error;			/* of the last sample, -errno */
	uint64_t samples, sample_errors;
	uint64_t scrapes;
	uint64_t reopens;		/* backend opened anew */
	double scrape_seconds;		/* the last scrape's rendering */
	const char *backend;
	char zone_err[GREENAI_MAX_DOMAINS][128];	/* as last said */
};

#define GX_PER_CLIENT_DEF	16	/* connections one address may hold */

struct gx_http_conf {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char *tls_cert, *tls_key;	/* PEM text; NULL: plain HTTP */
	char *user, *password;		/* basic auth; NULL: none */
	char *token;			/* bearer token; NULL: none */
	unsigned int max_connections;
	unsigned int max_per_client;	/* connections from one address */
};

struct gx_http;

int gx_parse_listen(const char *s, struct sockaddr_storage *addr,
		    socklen_t *len);
int gx_http_start(struct gx_http **out, struct gx_state *st,
		  const struct gx_http_conf *conf, char *err, size_t err_size);
unsigned int gx_http_port(const struct gx_http *h);
void gx_http_stop(struct gx_http *h);

/* agent.c: the greenai agent; @root as --root ("/": NULL) */
struct gx_agent;

int gx_agent_start(struct gx_agent **out, struct gx_state *st,
		   const char *path, const char *root, char *err,
		   size_t err_size);
void gx_agent_stop(struct gx_agent *a);

/* vmshare.c: the VM hand-over tree (--vm-share-dir, docs/vms.md) */
struct gx_vmshare;

int gx_vmshare_open(struct gx_vmshare **out, const char *dir, double interval_s,
		    char *err, size_t err_size);
void gx_vmshare_update(struct gx_vmshare *s, struct gx_state *st);
void gx_vmshare_close(struct gx_vmshare *s);

/* grid.c: the grid intensity the counters use, live when set up */
struct gx_intensity {
	struct ga_config *cfg;
	struct ga_grid grid;
};

int gx_intensity_init(struct gx_intensity *gi, const char *region,
		      const char *given, const char *pue, uint32_t *pue_milli,
		      char *err, size_t err_size);
void gx_intensity_tick(struct gx_intensity *gi, struct gx_state *st);
void gx_intensity_free(struct gx_intensity *gi);

#endif /* _GREENAI_EXPORTER_H */
