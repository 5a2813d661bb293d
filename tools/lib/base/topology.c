// SPDX-License-Identifier: GPL-2.0
/*
 * CPU topology from sysfs (topology.h): the online list
 * (sys/devices/system/cpu/online, a cpulist such as "0-3,8,10-11") and
 * each CPU's topology/physical_package_id. A CPU whose package is not in
 * sysfs (never online) counts as package 0, as the module does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/files.h>

#include "base/topology.h"

/**
 * ga_cpulist_parse() - a kernel cpulist into a set
 * @s: "0-3,8" (empty: no CPU)
 * @set: one byte per CPU, set for the CPUs listed, cleared for the rest
 * @n: CPUs in @set; CPUs listed beyond it are ignored
 *
 * Return: 0, or -EINVAL for a malformed list (@set is then undefined).
 */
int ga_cpulist_parse(const char *s, unsigned char *set, unsigned int n)
{
	memset(set, 0, n);
	while (*s) {
		unsigned long a, b;
		char *end;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			b = strtoul(s, &end, 10);
			if (b < a)
				return -EINVAL;
		}
		for (; a <= b && a < n; a++)
			set[a] = 1;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return 0;
}

/**
 * ga_topology_online() - reread which CPUs are online
 * @t: the topology
 * @root: the sysfs root
 *
 * Return: 0, or -errno (the set is then all online).
 */
/* The package of @cpu, where sysfs says; 0 else. */
static void ga_topology_package(struct ga_topology *t, const char *root,
				unsigned int cpu)
{
	char path[GA_PATH_MAX];
	int64_t pkg;

	if (ga_path(path, sizeof(path), root,
		    "sys/devices/system/cpu/cpu%u/topology/physical_package_id",
		    cpu) ||
	    ga_read_s64(path, &pkg) || pkg < 0 || pkg >= GA_TOPO_MAX_PACKAGES)
		return;
	t->package[cpu] = pkg;
	if ((unsigned int)pkg + 1 > t->nr_packages)
		t->nr_packages = pkg + 1;
}

/*
 * Which CPUs are online now. A CPU that has come online since has its
 * package read again: an offline CPU has no topology directory, so at
 * open it was taken for package 0. nr_packages does not change: the
 * domains were made from it.
 */
int ga_topology_online(struct ga_topology *t, const char *root)
{
	char path[GA_PATH_MAX], buf[4096];
	unsigned int cpu, nr_packages = t->nr_packages;
	unsigned char *was = t->scratch;
	int err;

	memcpy(was, t->online, t->nr_cpus);
	err = ga_path(path, sizeof(path), root, "sys/devices/system/cpu/online");
	err = err ?: ga_read_str(path, buf, sizeof(buf));
	err = err ?: ga_cpulist_parse(buf, t->online, t->nr_cpus);
	if (err)
		memset(t->online, 1, t->nr_cpus);
	for (cpu = 0; cpu < t->nr_cpus; cpu++) {
		if (!t->online[cpu] || was[cpu])
			continue;
		ga_topology_package(t, root, cpu);
		if (t->package[cpu] >= (int)nr_packages)
			t->package[cpu] = 0;	/* no domain of its own */
	}
	t->nr_packages = nr_packages;
	return err;
}

/**
 * ga_topology_read() - the packages of @nr_cpus CPUs and which are online
 * @t: filled; free with ga_topology_free()
 * @root: the sysfs root
 * @nr_cpus: possible CPUs
 *
 * Return: 0 or -ENOMEM.
 */
int ga_topology_read(struct ga_topology *t, const char *root,
		     unsigned int nr_cpus)
{
	unsigned int cpu;

	memset(t, 0, sizeof(*t));
	t->nr_cpus = nr_cpus;
	t->package = calloc(nr_cpus, sizeof(*t->package));
	t->online = calloc(nr_cpus, 1);
	t->scratch = calloc(nr_cpus, 1);
	if (!t->package || !t->online || !t->scratch) {
		ga_topology_free(t);
		return -ENOMEM;
	}
	t->nr_packages = 1;
	for (cpu = 0; cpu < nr_cpus; cpu++)
		ga_topology_package(t, root, cpu);
	/* every CPU is new: packages read again, none added */
	ga_topology_online(t, root);
	return 0;
}

void ga_topology_free(struct ga_topology *t)
{
	free(t->package);
	free(t->online);
	free(t->scratch);
	t->package = NULL;
	t->online = NULL;
	t->scratch = NULL;
}
