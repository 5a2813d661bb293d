// SPDX-License-Identifier: GPL-2.0
/*
 * The machine a run ran on (machine.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/files.h>
#include <greenai/machine.h>

#include "base/cpuinfo.h"
#include "base/topology.h"

#define GA_MACHINE_MAX_CPUS	8192

static unsigned int ga_machine_cpus(const char *root)
{
	char path[GA_PATH_MAX], buf[4096];
	unsigned char *set;
	unsigned int i, n = 0;

	if (ga_path(path, sizeof(path), root,
		    "sys/devices/system/cpu/online") ||
	    ga_read_str(path, buf, sizeof(buf)))
		return 0;
	set = malloc(GA_MACHINE_MAX_CPUS);
	if (!set)
		return 0;
	if (!ga_cpulist_parse(buf, set, GA_MACHINE_MAX_CPUS))
		for (i = 0; i < GA_MACHINE_MAX_CPUS; i++)
			n += set[i];
	free(set);
	return n;
}

static uint64_t ga_machine_ram_kb(const char *root)
{
	char path[GA_PATH_MAX], line[256];
	unsigned long long kb = 0;
	FILE *f;

	if (ga_path(path, sizeof(path), root, "proc/meminfo"))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A DMI string; "" when it is not there. Return: whether it was. */
static int ga_dmi(const char *root, const char *name, char *buf, size_t size)
{
	char path[GA_PATH_MAX];

	buf[0] = '\0';
	return !ga_path(path, sizeof(path), root, "sys/class/dmi/id/%s",
			name) &&
	       !ga_read_str(path, buf, size);
}

static enum ga_cloud ga_machine_cloud(const char *root)
{
	static const char *const vendors[] = {
		"Amazon EC2", "Google", "Alibaba Cloud", "DigitalOcean",
		"Hetzner", "Scaleway", "Tencent Cloud", "OpenStack Foundation",
	};
	char vendor[128], product[128], tag[128];
	int have;
	unsigned int i;

	have = ga_dmi(root, "sys_vendor", vendor, sizeof(vendor));
	have |= ga_dmi(root, "product_name", product, sizeof(product));
	have |= ga_dmi(root, "chassis_asset_tag", tag, sizeof(tag));
	if (!have)
		return GA_CLOUD_UNKNOWN;
	for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (!strcmp(vendor, vendors[i]))
			return GA_CLOUD_YES;
	return (!strcmp(vendor, "Microsoft Corporation") &&
		!strcmp(product, "Virtual Machine")) ||
	       !strcmp(product, "Google Compute Engine") ||
	       !strncmp(product, "OpenStack", 9) ||
	       !strcmp(tag, "OracleCloud.com") ? GA_CLOUD_YES : GA_CLOUD_NO;
}

/**
 * ga_machine_read() - the machine's CPUs, memory and cloud
 * @root: "/" or a fixture tree; NULL means "/"
 * @out: what could be read; the rest "", 0 or GA_CLOUD_UNKNOWN
 */
void ga_machine_read(const char *root, struct ga_machine *out)
{
	memset(out, 0, sizeof(*out));
	ga_cpuinfo_model_name(root, out->cpu_model, sizeof(out->cpu_model));
	out->nr_cpus = ga_machine_cpus(root);
	out->ram_total_kb = ga_machine_ram_kb(root);
	out->on_cloud = ga_machine_cloud(root);
}
