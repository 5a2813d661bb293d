// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/greenai: the module's text interface. Formats are stable within
 * an ABI version (docs/module.md, "/proc/greenai"); a line starting with
 * '#' names the columns. Energies are µJ, times ns, powers µW.
 *
 * version   "abi N", "module X.Y.Z", "kernel RELEASE". World-readable: it
 *	     says nothing about energy.
 * domains   one line per energy domain: provenance, unit, totals since load
 * tasks     one line per live process: CPU time and energy per domain
 * cgroups   one line per cgroup v2 (live and exited processes together):
 *	     its own figures, not its descendants', as a second '#' line says
 * stats     "key value" lines: the module's own counters
 * control   write-only commands, parsed strictly (see greenai_control_write)
 *
 * Energy files are root-only (fine-grained energy is a side channel), or
 * readable by the group of the gid= parameter in the initial user
 * namespace (greenai_may_read()).
 *
 * Readers take greenai_lock while they print, so each file is one
 * consistent snapshot, taken at the last interval close.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/nsproxy.h>
#include <linux/printk.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <generated/utsrelease.h>

#include <greenai/version.h>

#include "internal.h"

#define GREENAI_CONTROL_MAX	128	/* longest command accepted, bytes */
#define GREENAI_MODEL_MAX_MW	10000000ULL	/* 10 kW per package */

static struct proc_dir_entry *greenai_proc_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "abi %d\n", GREENAI_ABI_VERSION);
	seq_printf(m, "module %s\n", GREENAI_VERSION);
	seq_printf(m, "kernel %s\n", UTS_RELEASE);
	return 0;
}

static int domains_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_puts(m, "# id name kind source provenance unit_num unit_den range_uj max_power_uw nr_cpus energy_uj active_uj idle_uj unattributed_uj flags node_idle_uj idle idle_basis idle_power_uw\n");
	mutex_lock(&greenai_lock);
	for (i = 0; i < greenai_nr_doms; i++) {
		struct greenai_dom *d = &greenai_doms[i];
		struct ga_idle_policy idle;

		greenai_idle_policy_of(d, &idle);
		seq_printf(m, "%u %s %s %s %s %llu %llu %llu %llu %u %llu %llu %llu %llu 0x%x %llu %s %s %llu\n",
			   d->desc.id, d->desc.name,
			   greenai_kind_name(d->desc.kind),
			   greenai_source_name(d->desc.source),
			   d->desc.flags & GREENAI_F_ESTIMATED ?
			   "estimated" : "measured",
			   d->desc.unit_num, d->desc.unit_den,
			   d->desc.range_uj, d->desc.max_power_uw,
			   d->desc.nr_cpus, d->energy_uj, d->active_uj,
			   d->idle_uj, d->unattributed_uj, d->flags_seen,
			   d->node_idle_uj, ga_idle_share_name(idle.share),
			   ga_idle_basis_name(idle.basis), idle.idle_power_uw);
	}
	mutex_unlock(&greenai_lock);
	return 0;
}

static void energy_header(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < greenai_nr_doms; i++) {
		const char *name = greenai_doms[i].desc.name;

		seq_printf(m, " %s.active_uj %s.idle_uj", name, name);
	}
}

static void energy_columns(struct seq_file *m, const struct greenai_energy *e)
{
	unsigned int i;

	for (i = 0; i < greenai_nr_doms; i++)
		seq_printf(m, " %llu %llu", e[i].active_uj, e[i].idle_uj);
}

static int task_line(struct greenai_task *t, void *arg)
{
	struct seq_file *m = arg;

	if (greenai_task_is_overflow(t))
		seq_puts(m, "overflow -");
	else
		seq_printf(m, "%u %llu", t->tgid, t->cgroup_id);
	seq_printf(m, " %llu", t->cpu_ns);
	energy_columns(m, t->energy);
	seq_putc(m, ' ');
	seq_escape(m, t->comm, " \t\n\\");
	seq_putc(m, '\n');
	return 0;
}

static int tasks_show(struct seq_file *m, void *v)
{
	mutex_lock(&greenai_lock);
	seq_puts(m, "# pid cgroup_id cpu_ns");
	energy_header(m);
	seq_puts(m, " comm\n");
	greenai_tasks_for_each(task_line, m);
	mutex_unlock(&greenai_lock);
	return 0;
}

/* The cgroup's path in the reader's cgroup namespace, or "-" if gone. */
static void cgroup_path_column(struct seq_file *m, u64 id, char *buf,
			       size_t len)
{
	struct cgroup *cgrp = cgroup_get_from_id(id);

	if (IS_ERR_OR_NULL(cgrp)) {
		seq_puts(m, "-");
		return;
	}
	if (cgroup_path_ns(cgrp, buf, len, current->nsproxy->cgroup_ns) < 0)
		seq_puts(m, "-");
	else
		seq_escape(m, buf, " \t\n\\");
	cgroup_put(cgrp);
}

struct cgroup_show {
	struct seq_file *m;
	char *path;
};

static int cgroup_line(struct greenai_cgroup *c, void *arg)
{
	struct cgroup_show *cs = arg;
	struct seq_file *m = cs->m;
	bool overflow = greenai_cgroup_is_overflow(c);

	if (overflow)
		seq_puts(m, "overflow");
	else
		seq_printf(m, "%llu", c->id);
	seq_printf(m, " %llu %llu", c->cpu_ns, c->nr_exited);
	energy_columns(m, c->energy);
	seq_putc(m, ' ');
	if (overflow)
		seq_puts(m, "-");
	else
		cgroup_path_column(m, c->id, cs->path, PATH_MAX);
	seq_putc(m, '\n');
	return 0;
}

static int cgroups_show(struct seq_file *m, void *v)
{
	struct cgroup_show cs = { .m = m };

	cs.path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!cs.path)
		return -ENOMEM;
	mutex_lock(&greenai_lock);
	seq_puts(m, "# cgroup_id cpu_ns exited");
	energy_header(m);
	seq_puts(m, " path\n");
	seq_puts(m, "# figures: own (each cgroup's processes; its descendants' not included)\n");
	greenai_cgroups_for_each(cgroup_line, &cs);
	mutex_unlock(&greenai_lock);
	kfree(cs.path);
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	u64 switches, probe_ns, samples, tasks, task_ovf, cgroups, cgroup_ovf;
	u64 records, lost;

	greenai_account_stats(&switches, &probe_ns, &samples);
	greenai_ring_stats(&records, &lost);
	mutex_lock(&greenai_lock);
	greenai_table_stats(&tasks, &task_ovf, &cgroups, &cgroup_ovf);
	seq_printf(m, "interval_ms %u\n", greenai_interval_ms);
	seq_printf(m, "weights %s\n",
		   greenai_weigh_name(greenai_account_weigh()));
	seq_printf(m, "intervals %llu\n", greenai_stats.intervals);
	seq_printf(m, "switches %llu\n", switches);
	seq_printf(m, "probe_samples %llu\n", samples);
	seq_printf(m, "probe_ns_sampled %llu\n", probe_ns);
	seq_printf(m, "probe_ns_avg %llu\n",
		   samples ? div64_u64(probe_ns, samples) : 0);
	seq_printf(m, "close_ns %llu\n", greenai_stats.close_ns);
	seq_printf(m, "close_ns_avg %llu\n", greenai_stats.intervals ?
		   div64_u64(greenai_stats.close_ns, greenai_stats.intervals) :
		   0);
	seq_printf(m, "tasks %llu\n", tasks);
	seq_printf(m, "tasks_max %u\n", greenai_max_tasks);
	seq_printf(m, "task_overflows %llu\n", task_ovf);
	seq_printf(m, "cgroups %llu\n", cgroups);
	seq_printf(m, "cgroups_max %u\n", greenai_max_cgroups);
	seq_printf(m, "cgroup_overflows %llu\n", cgroup_ovf);
	seq_printf(m, "slot_overflow_ns %llu\n",
		   greenai_stats.slot_overflow_ns);
	seq_printf(m, "exits %llu\n", greenai_stats.exits);
	seq_printf(m, "exits_dropped %llu\n", greenai_stats.exits_dropped);
	seq_printf(m, "exits_untracked %llu\n", greenai_stats.exits_untracked);
	seq_printf(m, "exits_forced %llu\n", greenai_stats.exits_forced);
	seq_printf(m, "exits_pending %llu\n", greenai_stats.exits_pending);
	seq_printf(m, "tasks_swept %llu\n", greenai_stats.tasks_swept);
	seq_printf(m, "cgroups_removed %llu\n", greenai_stats.cgroups_removed);
	seq_printf(m, "flushes_refused %llu\n", greenai_stats.flushes_refused);
	seq_printf(m, "ring_records %llu\n", records);
	seq_printf(m, "ring_lost %llu\n", lost);
	seq_printf(m, "last_close_ns %llu\n", greenai_stats.last_close_ns);
	mutex_unlock(&greenai_lock);
	return 0;
}

/* "key=value" with a whole decimal number, nothing else. */
static int parse_kv_u64(const char *tok, const char *key, u64 *val)
{
	size_t n = strlen(key);

	if (!tok || strncmp(tok, key, n) || tok[n] != '=')
		return -EINVAL;
	return kstrtou64(tok + n + 1, 10, val);
}

/* A whole decimal number, digits only (no sign). */
static int parse_dec_u64(const char *tok, u64 *val)
{
	if (!isdigit(tok[0]))
		return -EINVAL;
	return kstrtou64(tok, 10, val);
}

/* "host INDEX NAME ENERGY_UJ MAX_RANGE_UJ" */
static int control_host(char **w)
{
	u64 index, energy, range;
	int err;

	if (parse_dec_u64(w[0], &index) || index >= GREENAI_MAX_DOMAINS ||
	    parse_dec_u64(w[2], &energy) || parse_dec_u64(w[3], &range) ||
	    !range || energy > range)
		return -EINVAL;
	mutex_lock(&greenai_lock);
	err = greenai_host_feed(index, w[1], energy, range);
	mutex_unlock(&greenai_lock);
	return err;
}

/* "idle_power auto|util|mw=N [domain=NAME]" */
static int control_idle_power(const char *a, const char *b)
{
	int err = 0;
	u64 x;

	if (!strcmp(a, "auto") || !strcmp(a, "util")) {
		if (b)
			return -EINVAL;
		mutex_lock(&greenai_lock);
		greenai_idle_util = !strcmp(a, "util");
		if (!greenai_idle_util)
			greenai_idle_set_fixed(NULL, 0);
		mutex_unlock(&greenai_lock);
		return 0;
	}
	if (parse_kv_u64(a, "mw", &x) || !x || x > GREENAI_MODEL_MAX_MW)
		return -EINVAL;
	if (b && strncmp(b, "domain=", 7))
		return -EINVAL;
	mutex_lock(&greenai_lock);
	err = greenai_idle_set_fixed(b ? b + 7 : NULL, x * 1000);
	if (!err)
		greenai_idle_util = false;
	mutex_unlock(&greenai_lock);
	return err;
}

/*
 * Commands, one per write, words separated by single spaces, an optional
 * final newline:
 *   flush                            close the interval now (-EBUSY over
 *                                    the rate limit, interval.c)
 *   model idle_mw=N max_mw=N         the power model's coefficients
 *   idle capacity|busy|none          who the idle energy goes to
 *   idle_power auto                  idle estimated by the model's idle
 *                                    power, else calibrated, else by
 *                                    utilisation; fixed figures forgotten
 *   idle_power util                  idle by the utilisation ratio
 *   idle_power mw=N [domain=NAME]    a fixed idle power, every domain's
 *                                    or one's (N > 0)
 *   host INDEX NAME ENERGY_UJ MAX_RANGE_UJ
 *                                    source=host: the host's counter of
 *                                    domain INDEX, named NAME (host.c);
 *                                    decimal, 0 < range, energy <= range
 * Anything else, or any bad value, is -EINVAL (-ENOENT for a domain that
 * is not there, -ENODEV for a host feed when the source is not the
 * host's) and changes nothing.
 */
static ssize_t control_write(struct file *f, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[GREENAI_CONTROL_MAX + 1], *p = buf, *w[5], *cmd, *a, *b;
	size_t len = count, i, n;
	u64 x, y;
	int err;

	if (!count || count > GREENAI_CONTROL_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[len] = '\0';
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	for (i = 0; i < len; i++)
		if (!isprint(buf[i]))
			return -EINVAL;

	for (n = 0; p && n < ARRAY_SIZE(w); n++)
		w[n] = strsep(&p, " ");
	if (p)
		return -EINVAL;	/* too many words */
	cmd = w[0];
	if (!strcmp(cmd, "host")) {
		if (n != 5)
			return -EINVAL;
		err = control_host(w + 1);
		return err ? err : count;
	}
	if (n > 3)
		return -EINVAL;
	a = n > 1 ? w[1] : NULL;
	b = n > 2 ? w[2] : NULL;

	if (!strcmp(cmd, "flush") && !a) {
		err = greenai_interval_flush();
		return err ? err : count;
	}
	if (!strcmp(cmd, "model") && a && b) {
		if (parse_kv_u64(a, "idle_mw", &x) ||
		    parse_kv_u64(b, "max_mw", &y) || !y || x > y ||
		    y > GREENAI_MODEL_MAX_MW)
			return -EINVAL;
		mutex_lock(&greenai_lock);
		err = greenai_model_set(x * 1000, y * 1000);
		mutex_unlock(&greenai_lock);
		return err ? err : count;
	}
	if (!strcmp(cmd, "idle") && a && !b) {
		u32 share;

		if (ga_idle_share_parse(a, &share))
			return -EINVAL;
		mutex_lock(&greenai_lock);
		greenai_idle_share = share;
		mutex_unlock(&greenai_lock);
		return count;
	}
	if (!strcmp(cmd, "idle_power") && a) {
		err = control_idle_power(a, b);
		return err ? err : count;
	}
	return -EINVAL;
}

static int control_open(struct inode *inode, struct file *f)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static const struct proc_ops control_ops = {
	.proc_open = control_open,
	.proc_write = control_write,
	.proc_lseek = noop_llseek,
};

static int greenai_read_open(struct inode *inode, struct file *f)
{
	if (!greenai_may_read())
		return -EACCES;
	return single_open(f, pde_data(inode), NULL);
}

static const struct proc_ops greenai_read_ops = {
	.proc_open = greenai_read_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static const struct {
	const char *name;
	int (*show)(struct seq_file *m, void *v);
} greenai_read_files[] = {
	{ "domains", domains_show },
	{ "tasks", tasks_show },
	{ "cgroups", cgroups_show },
	{ "stats", stats_show },
};

int greenai_procfs_init(void)
{
	umode_t mode = greenai_gid >= 0 ? 0440 : 0400;
	struct proc_dir_entry *e;
	unsigned int i;

	greenai_proc_dir = proc_mkdir("greenai", NULL);
	if (!greenai_proc_dir) {
		pr_err("cannot create /proc/greenai\n");
		return -ENOMEM;
	}
	if (!proc_create_single("version", 0444, greenai_proc_dir,
				version_show))
		goto out_remove;
	for (i = 0; i < ARRAY_SIZE(greenai_read_files); i++) {
		e = proc_create_data(greenai_read_files[i].name, mode,
				     greenai_proc_dir, &greenai_read_ops,
				     greenai_read_files[i].show);
		if (!e)
			goto out_remove;
		if (greenai_gid >= 0)
			proc_set_user(e, GLOBAL_ROOT_UID,
				      make_kgid(&init_user_ns, greenai_gid));
	}
	if (!proc_create("control", 0200, greenai_proc_dir, &control_ops))
		goto out_remove;
	return 0;

out_remove:
	pr_err("cannot create the files of /proc/greenai\n");
	proc_remove(greenai_proc_dir);
	greenai_proc_dir = NULL;
	return -ENOMEM;
}

void greenai_procfs_exit(void)
{
	proc_remove(greenai_proc_dir);
	greenai_proc_dir = NULL;
}
