// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/greenai: a ring of the ABI's binary records (include/uapi/greenai.h)
 * for one reader at a time.
 *
 * - open() needs root or the group of the gid= parameter; a second open
 *   while one reader has the device gets -EBUSY. Opening empties the ring:
 *   a reader gets the records emitted from then on.
 * - read() returns whole records only (-EINVAL if the buffer cannot hold
 *   the next one), blocks until there is one unless O_NONBLOCK (-EAGAIN).
 * - poll() reports EPOLLIN when a record is waiting.
 * - The kernel never waits for the reader: a record that does not fit is
 *   dropped and counted, and a GREENAI_REC_LOST record with the count goes
 *   in first once there is room again. With no reader, nothing is kept.
 * - ioctl: GREENAI_IOC_INFO, GREENAI_IOC_DOMAIN, GREENAI_IOC_FLUSH; any
 *   other command gets -ENOTTY.
 *
 * Locking: ring.lock (a mutex: writer and readers are in process context)
 * guards the ring; it is taken inside greenai_lock, never around it.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include "internal.h"

static struct {
	struct mutex lock;	/* guards everything below */
	wait_queue_head_t wait;
	char *buf;
	size_t size;
	size_t head;		/* next byte written */
	size_t tail;		/* next byte read */
	size_t used;
	bool open;
	u32 seq;
	u64 lost;		/* dropped since the last LOST record */
	u64 lost_total;		/* dropped since open */
	u64 records;
} ring;

/**
 * greenai_may_read() - whether the caller may read energy figures
 *
 * Return: true for root (CAP_SYS_ADMIN) and members of the gid= group.
 */
bool greenai_may_read(void)
{
	if (capable(CAP_SYS_ADMIN))
		return true;
	return greenai_gid >= 0 &&
	       in_group_p(make_kgid(&init_user_ns, greenai_gid));
}

static void ring_put(const void *src, size_t len)
{
	size_t first = min(len, ring.size - ring.head);

	memcpy(ring.buf + ring.head, src, first);
	memcpy(ring.buf, src + first, len - first);
	ring.head = (ring.head + len) % ring.size;
	ring.used += len;
}

static void ring_peek(void *dst, size_t len)
{
	size_t first = min(len, ring.size - ring.tail);

	memcpy(dst, ring.buf + ring.tail, first);
	memcpy(dst + first, ring.buf, len - first);
}

static void ring_put_lost(u64 ts_ns)
{
	struct greenai_rec_lost l = {
		.hdr = {
			.type = GREENAI_REC_LOST,
			.size = sizeof(l),
			.seq = ring.seq++,
			.ts_ns = ts_ns,
		},
		.lost = ring.lost,
		.lost_total = ring.lost_total,
	};

	ring_put(&l, sizeof(l));
	ring.lost = 0;
}

/**
 * greenai_ring_emit() - queue a record for the reader, or count its loss
 * @rec: the record; its type, size and ts_ns set, seq is set here
 */
void greenai_ring_emit(struct greenai_rec_hdr *rec)
{
	size_t need = rec->size;

	mutex_lock(&ring.lock);
	if (!ring.open)
		goto out;
	if (ring.lost)
		need += sizeof(struct greenai_rec_lost);
	if (ring.size - ring.used < need) {
		ring.lost++;
		ring.lost_total++;
		goto out;
	}
	if (ring.lost)
		ring_put_lost(rec->ts_ns);
	rec->seq = ring.seq++;
	ring_put(rec, rec->size);
	ring.records++;
	wake_up_interruptible(&ring.wait);
out:
	mutex_unlock(&ring.lock);
}

/**
 * greenai_ring_stats() - records queued and lost since load
 * @records: records queued for a reader
 * @lost: records dropped because the reader was slow
 */
void greenai_ring_stats(u64 *records, u64 *lost)
{
	mutex_lock(&ring.lock);
	*records = ring.records;
	*lost = ring.lost_total;
	mutex_unlock(&ring.lock);
}

static int greenai_dev_open(struct inode *inode, struct file *f)
{
	int err = 0;

	if (!greenai_may_read())
		return -EACCES;
	if (f->f_mode & FMODE_WRITE)
		return -EPERM;
	mutex_lock(&ring.lock);
	if (ring.open) {
		err = -EBUSY;
		goto out;
	}
	ring.open = true;
	ring.head = 0;
	ring.tail = 0;
	ring.used = 0;
	ring.lost = 0;
	ring.lost_total = 0;
out:
	mutex_unlock(&ring.lock);
	return err ? err : nonseekable_open(inode, f);
}

static int greenai_dev_release(struct inode *inode, struct file *f)
{
	mutex_lock(&ring.lock);
	ring.open = false;
	mutex_unlock(&ring.lock);
	return 0;
}

/* Copy whole records to the user; ring.lock held. */
static ssize_t ring_read_locked(char __user *ubuf, size_t count)
{
	size_t done = 0;

	while (ring.used) {
		struct greenai_rec_hdr hdr;
		size_t first;

		ring_peek(&hdr, sizeof(hdr));
		if (hdr.size > count - done)
			break;
		first = min_t(size_t, hdr.size, ring.size - ring.tail);
		if (copy_to_user(ubuf + done, ring.buf + ring.tail, first) ||
		    copy_to_user(ubuf + done + first, ring.buf,
				 hdr.size - first))
			return done ? done : -EFAULT;
		ring.tail = (ring.tail + hdr.size) % ring.size;
		ring.used -= hdr.size;
		done += hdr.size;
	}
	if (!done && ring.used)
		return -EINVAL;	/* the buffer cannot hold the next record */
	return done;
}

static ssize_t greenai_dev_read(struct file *f, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	ssize_t ret;

	for (;;) {
		mutex_lock(&ring.lock);
		if (ring.used) {
			ret = ring_read_locked(ubuf, count);
			mutex_unlock(&ring.lock);
			return ret;
		}
		mutex_unlock(&ring.lock);
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(ring.wait, READ_ONCE(ring.used)))
			return -ERESTARTSYS;
	}
}

static __poll_t greenai_dev_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &ring.wait, wait);
	return READ_ONCE(ring.used) ? EPOLLIN | EPOLLRDNORM : 0;
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
		info.ring_bytes = ring.size;
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
		mutex_lock(&greenai_lock);
		greenai_interval_close();
		mutex_unlock(&greenai_lock);
		return 0;
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
 * greenai_ring_init() - allocate the ring
 *
 * Records can be emitted from then on; /dev/greenai comes later
 * (greenai_ring_dev_init()), once everything its ioctls reach is set up.
 *
 * Return: 0 or -ENOMEM.
 */
int greenai_ring_init(void)
{
	mutex_init(&ring.lock);
	init_waitqueue_head(&ring.wait);
	ring.size = (size_t)greenai_ring_kb * 1024;
	ring.buf = kvmalloc(ring.size, GFP_KERNEL);
	return ring.buf ? 0 : -ENOMEM;
}

/**
 * greenai_ring_exit() - free the ring, once /dev/greenai is gone
 */
void greenai_ring_exit(void)
{
	kvfree(ring.buf);
	ring.buf = NULL;
}

/**
 * greenai_ring_dev_init() - create /dev/greenai
 *
 * Called last at load: a FLUSH ioctl closes an interval, which needs the
 * accounting and the interval work in place.
 *
 * Return: 0 or -errno.
 */
int greenai_ring_dev_init(void)
{
	int err = misc_register(&greenai_miscdev);

	if (err)
		pr_err("cannot register /dev/greenai: %d\n", err);
	return err;
}

/**
 * greenai_ring_dev_exit() - remove /dev/greenai, first at unload
 */
void greenai_ring_dev_exit(void)
{
	misc_deregister(&greenai_miscdev);
}
