// SPDX-License-Identifier: GPL-2.0
/*
 * The record ring: the ABI's binary records (include/uapi/greenai.h) that
 * the interval close emits, kept for the one reader of /dev/greenai
 * (device.c), which reads them through the functions here. Sizes are
 * bytes; the ring holds ring_kb KiB.
 *
 * - The kernel never waits for the reader: a record that does not fit is
 *   dropped and counted, and a GREENAI_REC_LOST record with the count goes
 *   in first once there is room again. With no reader, nothing is kept.
 * - One reader at a time takes the ring (greenai_ring_open()), which
 *   empties it: the reader gets the records emitted from then on.
 * - greenai_ring_read() copies out whole records only (-EINVAL if the
 *   buffer cannot hold the next one) and blocks until there is one unless
 *   told not to (-EAGAIN).
 *
 * The ring calls nothing of the module's: the interval close writes into
 * it, the device file reads from it.
 *
 * Locking: ring.lock (a mutex: writer and readers are in process context)
 * guards the ring; it is taken inside greenai_lock, never around it, and
 * held only to copy within memory: a read copies whole records into a
 * bounce buffer under it, and out to the reader after it lets go, so a
 * reader whose buffer faults slowly never holds up an emit (nor the
 * interval close, nor what waits on greenai_lock). ring.read_lock, outside
 * ring.lock, makes reads of one ring take turns; only a read advances the
 * tail, and only once its copy out has succeeded: a fault loses nothing.
 */
#define pr_fmt(fmt) "greenai: " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"

/* Bytes one read copies out at most: whole records, at least one. */
#define GREENAI_RING_BOUNCE	(16 * GREENAI_REC_MAX_SIZE)

static struct {
	struct mutex read_lock;	/* one read at a time; guards bounce */
	char *bounce;
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

static void ring_put(const void *src, size_t len)
{
	size_t first = min(len, ring.size - ring.head);

	memcpy(ring.buf + ring.head, src, first);
	memcpy(ring.buf, src + first, len - first);
	ring.head = (ring.head + len) % ring.size;
	ring.used += len;
}

/* Copy @len bytes out of the ring from offset @off, wrapping. */
static void ring_peek(void *dst, size_t off, size_t len)
{
	size_t first = min(len, ring.size - off);

	memcpy(dst, ring.buf + off, first);
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

/**
 * greenai_ring_open() - take the ring for a reader, emptied
 *
 * Return: 0, or -EBUSY when another reader has it.
 */
int greenai_ring_open(void)
{
	int err = 0;

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
	return err;
}

/**
 * greenai_ring_release() - the reader lets go: records are no longer kept
 */
void greenai_ring_release(void)
{
	mutex_lock(&ring.lock);
	ring.open = false;
	mutex_unlock(&ring.lock);
}

/*
 * Copy the whole records that fit in @count bytes into the bounce buffer,
 * from the tail, which stays where it is; ring.lock and ring.read_lock
 * held. Return: bytes copied, or -EINVAL when @count cannot hold the
 * next record.
 */
static ssize_t ring_peek_records(size_t count)
{
	size_t done = 0, tail = ring.tail;

	count = min_t(size_t, count, GREENAI_RING_BOUNCE);
	while (done < ring.used) {
		struct greenai_rec_hdr hdr;

		ring_peek(&hdr, tail, sizeof(hdr));
		if (hdr.size > count - done)
			break;
		ring_peek(ring.bounce + done, tail, hdr.size);
		tail = (tail + hdr.size) % ring.size;
		done += hdr.size;
	}
	return done ? done : -EINVAL;
}

/**
 * greenai_ring_read() - copy whole records out to the reader
 * @ubuf: the reader's buffer
 * @count: its size, bytes
 * @nonblock: return -EAGAIN rather than wait for a record
 *
 * Return: bytes copied, -EINVAL when @count cannot hold the next record,
 * -EAGAIN, -ERESTARTSYS or -EFAULT.
 */
ssize_t greenai_ring_read(char __user *ubuf, size_t count, bool nonblock)
{
	ssize_t ret;

	if (mutex_lock_interruptible(&ring.read_lock))
		return -ERESTARTSYS;
	for (;;) {
		mutex_lock(&ring.lock);
		if (ring.used)
			break;
		mutex_unlock(&ring.lock);
		ret = -EAGAIN;
		if (nonblock)
			goto out;
		ret = -ERESTARTSYS;
		if (wait_event_interruptible(ring.wait, READ_ONCE(ring.used)))
			goto out;
	}
	ret = ring_peek_records(count);
	mutex_unlock(&ring.lock);
	if (ret < 0)
		goto out;
	if (copy_to_user(ubuf, ring.bounce, ret)) {
		ret = -EFAULT;
		goto out;
	}
	/* only reads take records out: those copied are still at the tail */
	mutex_lock(&ring.lock);
	ring.tail = (ring.tail + ret) % ring.size;
	ring.used -= ret;
	mutex_unlock(&ring.lock);
out:
	mutex_unlock(&ring.read_lock);
	return ret;
}

/**
 * greenai_ring_poll() - whether a record is waiting, for poll()
 * @f: the reader's file
 * @wait: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM when a record is waiting, else 0.
 */
__poll_t greenai_ring_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &ring.wait, wait);
	return READ_ONCE(ring.used) ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * greenai_ring_bytes() - the size of the ring
 *
 * Return: bytes.
 */
size_t greenai_ring_bytes(void)
{
	return ring.size;
}

/**
 * greenai_ring_init() - allocate the ring
 *
 * Records can be emitted from then on; /dev/greenai comes later
 * (greenai_dev_init()), once everything its ioctls reach is set up.
 *
 * Return: 0 or -ENOMEM.
 */
int greenai_ring_init(void)
{
	mutex_init(&ring.read_lock);
	mutex_init(&ring.lock);
	init_waitqueue_head(&ring.wait);
	ring.size = (size_t)greenai_ring_kb * 1024;
	ring.buf = kvmalloc(ring.size, GFP_KERNEL);
	ring.bounce = kvmalloc(GREENAI_RING_BOUNCE, GFP_KERNEL);
	if (!ring.buf || !ring.bounce) {
		greenai_ring_exit();
		return -ENOMEM;
	}
	return 0;
}

/**
 * greenai_ring_exit() - free the ring, once /dev/greenai is gone
 */
void greenai_ring_exit(void)
{
	kvfree(ring.buf);
	kvfree(ring.bounce);
	ring.buf = NULL;
	ring.bounce = NULL;
}
