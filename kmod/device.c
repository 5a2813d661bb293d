// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/greenai: the device file of the record ring (ring.c), for one
 * reader at a time. Records and sizes are those of the ABI
 * (include/uapi/greenai.h), in bytes.
 *
 * - open() needs root or the group of the gid= parameter (held in the
 *   initial user namespace: a reader in another one is refused); a second open
 *   while one reader has the device gets -EBUSY. Opening empties the ring:
 *   a reader gets the records emitted from then on.
 * - read() returns whole records only (-EINVAL if the buffer cannot hold
 *   the next one), blocks until there is one unless O_NONBLOCK (-EAGAIN).
 * - poll() reports EPOLLIN when a record is waiting.
 * - ioctl: GREENAI_IOC_INFO, GREENAI_IOC_DOMAIN, GREENAI_IOC_FLUSH (closes
 *   the interval now: its records reach the ring before the ioctl
 *   returns; -EBUSY over the flush rate limit, interval.c); any other
 *   command gets -ENOTTY.
 *
 * The device file calls the interval close and the ring's read side; the
 * ring calls neither back.
 *
 * Locking: DOMAIN and FLUSH take greenai_lock; the ring takes its own
 * lock, inside greenai_lock.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "internal.h"

/**
 * greenai_may_read() - whether the caller may read energy figures
 *
 * Asked by open() here and by /proc/greenai's energy files (procfs.c).
 *
 * The figures name every process and cgroup of the machine, so the gid=
 * group lets in only callers of the module's user namespace, the initial
 * one: a process that holds the group inside another user namespace (a
 * container's) is refused.
 *
 * Return: true for root (CAP_SYS_ADMIN in the initial user namespace) and
 * members of the gid= group in the initial user namespace.
 */
bool greenai_may_read(void)
{
	if (capable(CAP_SYS_ADMIN))
		return true;
	return greenai_gid >= 0 && current_user_ns() == &init_user_ns &&
	       in_group_p(make_kgid(&init_user_ns, greenai_gid));
}

static int greenai_dev_open(struct inode *inode, struct file *f)
{
	int err;

	if (!greenai_may_read())
		return -EACCES;
	if (f->f_mode & FMODE_WRITE)
		return -EPERM;
	err = greenai_ring_open();
	return err ? err : nonseekable_open(inode, f);
}

static int greenai_dev_release(struct inode *inode, struct file *f)
{
	greenai_ring_release();
	return 0;
}

static ssize_t greenai_dev_read(struct file *f, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return greenai_ring_read(ubuf, count, f->f_flags & O_NONBLOCK);
}

static __poll_t greenai_dev_poll(struct file *f, poll_table *wait)
{
	return greenai_ring_poll(f, wait);
}

static long greenai_dev_ioctl(struct file *f, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct greenai_domain dom;
	struct greenai_info info;

	switch (cmd) {
	case GREENAI_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.abi_version = GREENAI_ABI_VERSION;
		info.nr_domains = greenai_nr_doms;
		info.interval_ms = greenai_interval_ms;
		info.nr_cpus = num_possible_cpus();
		info.ring_bytes = greenai_ring_bytes();
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case GREENAI_IOC_DOMAIN:
		if (copy_from_user(&dom, uarg, sizeof(dom)))
			return -EFAULT;
		if (dom.id >= greenai_nr_doms)
			return -EINVAL;
		mutex_lock(&greenai_lock);
		/* a user index: no speculative read past the table */
		dom = greenai_doms[array_index_nospec(dom.id,
						      greenai_nr_doms)].desc;
		mutex_unlock(&greenai_lock);
		return copy_to_user(uarg, &dom, sizeof(dom)) ? -EFAULT : 0;
	case GREENAI_IOC_FLUSH:
		return greenai_interval_flush();
	default:
		return -ENOTTY;
	}
}

static const struct file_operations greenai_dev_fops = {
	.owner = THIS_MODULE,
	.open = greenai_dev_open,
	.release = greenai_dev_release,
	.read = greenai_dev_read,
	.poll = greenai_dev_poll,
	.unlocked_ioctl = greenai_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* 0444: who may open is decided in open() (root, or the gid= group). */
static struct miscdevice greenai_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "greenai",
	.fops = &greenai_dev_fops,
	.mode = 0444,
};

/**
 * greenai_dev_init() - create /dev/greenai
 *
 * Called last at load: a FLUSH ioctl closes an interval, which needs the
 * accounting and the interval work in place.
 *
 * Return: 0 or -errno.
 */
int greenai_dev_init(void)
{
	int err = misc_register(&greenai_miscdev);

	if (err)
		pr_err("cannot register /dev/greenai: %d\n", err);
	return err;
}

/**
 * greenai_dev_exit() - remove /dev/greenai, first at unload
 */
void greenai_dev_exit(void)
{
	misc_deregister(&greenai_miscdev);
}
