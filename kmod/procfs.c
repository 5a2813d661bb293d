// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/greenai: the module's text interface.
 *
 * version	"abi N", "module X.Y.Z" and "kernel RELEASE" lines: the ABI of
 *		include/uapi/greenai.h, the module's version and the kernel
 *		release it was built for. World-readable: it says nothing
 *		about energy, so it is no side channel.
 *
 * Files are created at init and removed at exit; procfs serialises its own
 * callbacks against removal, so no locking is needed here.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/printk.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <generated/utsrelease.h>

#include <greenai/version.h>
#include <uapi/greenai.h>

#include "greenai.h"

static struct proc_dir_entry *greenai_proc_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "abi %d\n", GREENAI_ABI_VERSION);
	seq_printf(m, "module %s\n", GREENAI_VERSION);
	seq_printf(m, "kernel %s\n", UTS_RELEASE);
	return 0;
}

int greenai_procfs_init(void)
{
	greenai_proc_dir = proc_mkdir("greenai", NULL);
	if (!greenai_proc_dir) {
		pr_err("cannot create /proc/greenai\n");
		return -ENOMEM;
	}
	if (!proc_create_single("version", 0444, greenai_proc_dir,
				version_show)) {
		pr_err("cannot create /proc/greenai/version\n");
		goto out_remove_dir;
	}
	return 0;

out_remove_dir:
	proc_remove(greenai_proc_dir);
	greenai_proc_dir = NULL;
	return -ENOMEM;
}

void greenai_procfs_exit(void)
{
	proc_remove(greenai_proc_dir);
	greenai_proc_dir = NULL;
}
