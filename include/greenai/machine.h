/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine a run ran on, as the ledger records it for exports
 * (CodeCarbon's columns, a model card's hardware_used) and for the SCI's
 * share of the machine: the CPU model and the online CPUs' count, the
 * memory, and whether it is a cloud provider's virtual machine.
 *
 * A cloud machine is known by its DMI strings (sys/class/dmi/id):
 * sys_vendor "Amazon EC2", "Google", "Alibaba Cloud", "DigitalOcean",
 * "Hetzner", "Scaleway", "Tencent Cloud", "OpenStack Foundation", or
 * "Microsoft Corporation" with product_name "Virtual Machine" (Azure);
 * product_name "Google Compute Engine" or one starting "OpenStack";
 * chassis_asset_tag "OracleCloud.com". Other DMI strings: not a cloud;
 * no DMI (most arm64 boards, some containers): not known.
 */
#ifndef _GREENAI_MACHINE_H
#define _GREENAI_MACHINE_H

#include <stdint.h>

/* Whether a machine is a cloud provider's; zero: not known. */
enum ga_cloud {
	GA_CLOUD_UNKNOWN,
	GA_CLOUD_NO,
	GA_CLOUD_YES,
};

struct ga_machine {
	char cpu_model[128];	/* /proc/cpuinfo's model name; "" unknown */
	unsigned int nr_cpus;	/* online CPUs; 0 unknown */
	uint64_t ram_total_kb;	/* /proc/meminfo's MemTotal; 0 unknown */
	enum ga_cloud on_cloud;	/* UNKNOWN: no DMI to tell */
};

void ga_machine_read(const char *root, struct ga_machine *out);

#endif /* _GREENAI_MACHINE_H */
