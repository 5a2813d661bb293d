/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine's CPUs as libgreenai needs them: which are online,
 * and the physical package of each, from sysfs under a root. Read at
 * open; ga_topology_online() brings it up to date as CPUs come and go.
 */
#ifndef _GREENAI_TOPOLOGY_H
#define _GREENAI_TOPOLOGY_H

struct ga_topology {
	unsigned int nr_cpus;		/* possible CPUs (the BPF maps' count) */
	unsigned int nr_packages;	/* highest package id + 1 */
	int *package;			/* per CPU; 0 where sysfs does not say */
	unsigned char *online;		/* per CPU */
	unsigned char *scratch;		/* per CPU */
};

#define GA_TOPO_MAX_PACKAGES	4096

int ga_topology_read(struct ga_topology *t, const char *root,
		     unsigned int nr_cpus);
int ga_topology_online(struct ga_topology *t, const char *root);
int ga_cpulist_parse(const char *s, unsigned char *set, unsigned int n);
void ga_topology_free(struct ga_topology *t);

#endif /* _GREENAI_TOPOLOGY_H */
