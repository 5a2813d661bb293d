#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the module rig's initramfs (run.sh fills in the @...@ values).
# Loads virtio and 9p, mounts the host's root read-only under a tmpfs
# overlay, mounts the writable results share, and runs guest-run.sh in a
# chroot: the guest sees the host's tools and the built tree at their own
# paths. Whatever happens, it powers off.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

fail() {
	echo "greenai-rig: $*"
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules); do
	insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done

mkdir -p /host /ov /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro hostroot /host ||
	fail "cannot mount the host root"
mount -t tmpfs -o size=2g tmpfs /ov
mkdir -p /ov/upper /ov/work
mount -t overlay overlay \
	-o lowerdir=/host,upperdir=/ov/upper,workdir=/ov/work /newroot ||
	fail "cannot mount the overlay"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results \
	"/newroot@RESULTS@" || fail "cannot mount the results share"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev

chroot /newroot /bin/bash "@TOP@/tests/vm/guest-run.sh" "@RESULTS@" \
	"@KO@" "@MODE@" "@SCRIPT@"
sync
poweroff -f
