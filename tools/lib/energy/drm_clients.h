/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clients of a GPU of the DRM drivers, from DRM fdinfo
 * (Documentation/gpu/drm-usage-stats.rst): who uses the card, and how
 * busy each keeps it. The drm energy source (esrc_drm.c) splits a card's
 * energy by them.
 *
 * Every /proc/PID/fd/FD that links to /dev/dri/ and whose fdinfo has
 * drm-pdev equal to the card's PCI address is a handle of a client,
 * drm-client-id, a struct drm_file. A client can be held by several fds
 * and processes (dup, fork, SCM_RIGHTS): it is counted once, for its
 * previous owner if that still holds it, else for the lowest PID holding
 * it. Its busy time is the sum of its drm-engine-<e> values, ns
 * (drm-engine-capacity-<e> is not a time); a client without any (xe)
 * counts drm-cycles-<e> instead, one driver per card so one unit per
 * card. An engine value lower than the one seen before counts nothing
 * and the larger value is kept, as the document asks. A process that
 * vanishes is skipped; one whose fds cannot be read (EACCES) is skipped
 * and counted, and its clients keep their previous values until it can
 * be read again. An fdinfo that does not parse is left out. The root
 * (conf->root of the source) applies to /proc.
 *
 * Units: busy time ns, or cycles. Not thread-safe.
 */
#ifndef _GREENAI_DRM_CLIENTS_H
#define _GREENAI_DRM_CLIENTS_H

#include <stdbool.h>
#include <linux/types.h>

#define GA_DRM_MAX_ENGINES 16 /* per client; more are ignored */
#define GA_DRM_KEY_LEN 32 /* engine name, driver, PCI address */

/* The card whose clients are looked for, and where /proc is. */
struct ga_drm_card_id {
	const char *root;
	const char *driver;
	const char *pdev;
};

/* One engine's busy figure of a client: ns, or cycles when @cycles. */
struct ga_drm_engine {
	char name[GA_DRM_KEY_LEN];
	bool cycles;
	__u64 val;
};

/* A DRM client (struct drm_file) on one card, and who it is counted for. */
struct ga_drm_client {
	__u64 id;
	__u32 pid;
	unsigned int nr_engines;
	struct ga_drm_engine engines[GA_DRM_MAX_ENGINES];
};

/* A list of clients, or of fdinfo records while scanning. */
struct ga_drm_clients {
	struct ga_drm_client *v;
	unsigned int nr;
	unsigned int cap;
};

int ga_drm_clients_update(const struct ga_drm_card_id *c,
			  const struct ga_drm_clients *prev,
			  struct ga_drm_clients *next,
			  unsigned long *unreadable);
const struct ga_drm_client *ga_drm_find_client(const struct ga_drm_clients *l,
					       __u64 id);
__u64 ga_drm_client_delta(struct ga_drm_client *now,
			  const struct ga_drm_client *old);
void ga_drm_clients_free(struct ga_drm_clients *l);

#endif /* _GREENAI_DRM_CLIENTS_H */
