// SPDX-License-Identifier: GPL-2.0
/*
 * greenai.ko: module init and exit. Each part is set up in order and torn
 * down in the reverse order; a failure unwinds what was already set up.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include <greenai/version.h>
#include <uapi/greenai.h>

#include "greenai.h"

static int __init greenai_init(void)
{
	int err;

	err = greenai_procfs_init();
	if (err)
		return err;
	pr_info("version %s, ABI %d, loaded\n", GREENAI_VERSION,
		GREENAI_ABI_VERSION);
	return 0;
}

static void __exit greenai_exit(void)
{
	greenai_procfs_exit();
	pr_info("unloaded\n");
}

module_init(greenai_init);
module_exit(greenai_exit);

MODULE_DESCRIPTION("greenai: per-task and per-cgroup energy attribution");
MODULE_AUTHOR("greenai developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(GREENAI_VERSION);
