// SPDX-License-Identifier: GPL-2.0
/*
 * greenai.ko: parameters, init and exit.
 *
 * Parameters are checked before anything is set up; a bad value refuses
 * the load with a message in the kernel log saying which and why. They
 * are read-only once loaded (change the model and idle policy through
 * /proc/greenai/control).
 *
 * Each part is set up in order and torn down in the reverse order; a
 * failure unwinds what was already set up. The user-facing files come
 * last, /dev/greenai last of all: their reads, writes and ioctls reach
 * every other part.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <greenai/version.h>
#include <uapi/greenai.h>

#include "internal.h"

unsigned int greenai_interval_ms = GREENAI_INTERVAL_DEF_MS;
module_param_named(interval_ms, greenai_interval_ms, uint, 0444);
MODULE_PARM_DESC(interval_ms, "accounting interval, ms (10..10000, default 100)");

static char *greenai_source = "auto";
module_param_named(source, greenai_source, charp, 0444);
MODULE_PARM_DESC(source, "energy source: auto (RAPL if present, else model), rapl, model or host (a VM host's figures, fed through /proc/greenai/control)");

char *greenai_host_domain_names = "";
module_param_named(host_domains, greenai_host_domain_names, charp, 0444);
MODULE_PARM_DESC(host_domains, "source=host: the host's domain names, comma-separated, in its index order, each with :estimated where the host estimates it");

unsigned int greenai_model_idle_mw = 10000;
module_param_named(model_idle_mw, greenai_model_idle_mw, uint, 0444);
MODULE_PARM_DESC(model_idle_mw, "power model: package power when idle, mW (default 10000)");

unsigned int greenai_model_max_mw = 60000;
module_param_named(model_max_mw, greenai_model_max_mw, uint, 0444);
MODULE_PARM_DESC(model_max_mw, "power model: package power at full load, mW (default 60000, at most 10000000)");

static char *greenai_idle = "capacity";
module_param_named(idle, greenai_idle, charp, 0444);
MODULE_PARM_DESC(idle, "who idle energy goes to: capacity (each process its share of the CPUs' capacity, the rest to the node; default), busy (all to what ran) or none");

static unsigned int greenai_idle_mw;
module_param_named(idle_mw, greenai_idle_mw, uint, 0444);
MODULE_PARM_DESC(idle_mw, "a fixed idle power for every domain, mW; 0 (default): the model's, else calibrated, else by utilisation");

static char *greenai_weights = "auto";
module_param_named(weights, greenai_weights, charp, 0444);
MODULE_PARM_DESC(weights, "what weighs package and core energy: auto (the CPUs' cycles where every CPU counts them, else run time; default), time, cycles or cpu-clock");

unsigned int greenai_max_tasks = 16384;
module_param_named(max_tasks, greenai_max_tasks, uint, 0444);
MODULE_PARM_DESC(max_tasks, "processes tracked before the overflow entry (16..1048576, default 16384)");

unsigned int greenai_max_cgroups = 4096;
module_param_named(max_cgroups, greenai_max_cgroups, uint, 0444);
MODULE_PARM_DESC(max_cgroups, "cgroups tracked before the overflow entry (16..65536, default 4096)");

unsigned int greenai_ring_kb = 1024;
module_param_named(ring_kb, greenai_ring_kb, uint, 0444);
MODULE_PARM_DESC(ring_kb, "size of the /dev/greenai ring, KiB (16..65536, default 1024)");

int greenai_gid = -1;
module_param_named(gid, greenai_gid, int, 0444);
MODULE_PARM_DESC(gid, "group allowed to read energy figures (default -1: root only)");

#define GREENAI_MODEL_MAX_MW_PARAM	10000000U

enum greenai_source_sel {
	GREENAI_SOURCE_AUTO,
	GREENAI_SOURCE_RAPL,
	GREENAI_SOURCE_MODEL,
	GREENAI_SOURCE_HOST,
};

static int greenai_check_range(const char *name, unsigned int v,
			       unsigned int lo, unsigned int hi)
{
	if (v >= lo && v <= hi)
		return 0;
	pr_err("%s=%u is out of range %u..%u\n", name, v, lo, hi);
	return -EINVAL;
}

static int greenai_check_params(enum greenai_source_sel *sel,
				enum greenai_weigh *weigh)
{
	int err = 0;

	if (!strcmp(greenai_source, "auto")) {
		*sel = GREENAI_SOURCE_AUTO;
	} else if (!strcmp(greenai_source, "rapl")) {
		*sel = GREENAI_SOURCE_RAPL;
	} else if (!strcmp(greenai_source, "model")) {
		*sel = GREENAI_SOURCE_MODEL;
	} else if (!strcmp(greenai_source, "host")) {
		*sel = GREENAI_SOURCE_HOST;
	} else {
		pr_err("source=%s is not one of auto, rapl, model, host\n",
		       greenai_source);
		err = -EINVAL;
	}
	if (!err && *greenai_host_domain_names &&
	    *sel != GREENAI_SOURCE_HOST) {
		pr_err("host_domains is for source=host only\n");
		err = -EINVAL;
	}
	err = err ?: greenai_check_range("interval_ms", greenai_interval_ms,
					 GREENAI_INTERVAL_MIN_MS,
					 GREENAI_INTERVAL_MAX_MS);
	err = err ?: greenai_check_range("model_max_mw", greenai_model_max_mw,
					 1, GREENAI_MODEL_MAX_MW_PARAM);
	err = err ?: greenai_check_range("model_idle_mw",
					 greenai_model_idle_mw, 0,
					 greenai_model_max_mw);
	err = err ?: greenai_check_range("idle_mw", greenai_idle_mw, 0,
					 GREENAI_MODEL_MAX_MW_PARAM);
	err = err ?: greenai_check_range("max_tasks", greenai_max_tasks, 16,
					 1 << 20);
	err = err ?: greenai_check_range("max_cgroups", greenai_max_cgroups,
					 16, 1 << 16);
	err = err ?: greenai_check_range("ring_kb", greenai_ring_kb, 16,
					 1 << 16);
	if (!err && ga_idle_share_parse(greenai_idle, &greenai_idle_share)) {
		pr_err("idle=%s is not one of capacity, busy, none\n",
		       greenai_idle);
		err = -EINVAL;
	}
	if (!err && greenai_weigh_parse(greenai_weights, weigh)) {
		pr_err("weights=%s is not one of auto, time, cycles, cpu-clock\n",
		       greenai_weights);
		err = -EINVAL;
	}
	if (!err && greenai_gid < -1) {
		pr_err("gid=%d is not a group id (or -1 for root only)\n",
		       greenai_gid);
		err = -EINVAL;
	}
	return err;
}

/* The energy domains, from the source that source= names (domain.c). */
static int greenai_source_init(enum greenai_source_sel sel)
{
	int err;

	switch (sel) {
	case GREENAI_SOURCE_RAPL:
		err = greenai_domains_init(&greenai_rapl_ops, NULL);
		if (err == -ENODEV)
			pr_err("source=rapl: no RAPL energy counters on this machine\n");
		return err;
	case GREENAI_SOURCE_MODEL:
		return greenai_domains_init(&greenai_model_ops, NULL);
	case GREENAI_SOURCE_HOST:
		return greenai_domains_init(&greenai_host_ops, NULL);
	case GREENAI_SOURCE_AUTO:
		break;
	}
	/* auto: RAPL where the CPU has it, the power model otherwise */
	return greenai_domains_init(&greenai_rapl_ops, &greenai_model_ops);
}

static int __init greenai_init(void)
{
	enum greenai_source_sel sel;
	enum greenai_weigh weigh;
	int err;

	err = greenai_check_params(&sel, &weigh);
	if (err)
		return err;
	err = greenai_source_init(sel);
	if (err)
		return err;
	greenai_idle_set_fixed(NULL, greenai_idle_mw * 1000ULL);
	err = greenai_table_init();
	if (err)
		goto out_domains;
	err = greenai_ring_init();
	if (err)
		goto out_table;
	err = greenai_account_init(weigh);
	if (err)
		goto out_ring;
	err = greenai_interval_init();
	if (err)
		goto out_account;
	err = greenai_procfs_init();
	if (err)
		goto out_interval;
	err = greenai_dev_init();
	if (err)
		goto out_procfs;
	pr_info("version %s, ABI %d, loaded: interval %u ms, weights %s\n",
		GREENAI_VERSION, GREENAI_ABI_VERSION, greenai_interval_ms,
		greenai_weigh_name(greenai_account_weigh()));
	return 0;

out_procfs:
	greenai_procfs_exit();
out_interval:
	greenai_interval_exit();
out_account:
	greenai_account_exit();
out_ring:
	greenai_ring_exit();
out_table:
	greenai_table_exit();
out_domains:
	greenai_domains_exit();
	return err;
}

static void __exit greenai_exit(void)
{
	greenai_dev_exit();
	greenai_procfs_exit();
	greenai_interval_exit();
	greenai_account_exit();
	greenai_ring_exit();
	greenai_table_exit();
	greenai_domains_exit();
	pr_info("unloaded\n");
}

module_init(greenai_init);
module_exit(greenai_exit);

MODULE_DESCRIPTION("greenai: per-task and per-cgroup energy attribution");
MODULE_AUTHOR("greenai developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(GREENAI_VERSION);
