#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest, chrooted into the overlay of the host's root:
#   guest-run.sh RESULTS KO suite P bats --tap P > RESULTS/suite.tap
#   guest-run.sh RESULTS KO exec S  bash S > RESULTS/exec.log
# then the kernel log to RESULTS/dmesg.log and RESULTS/done last, so the
# host knows the run finished. GREENAI_KO is the module to test. /tmp is
# left as the overlay has it (a tmpfs mounted there would hide a tree or a
# results directory that lives under the host's /tmp).
set -u
results=$1 ko=$2 mode=$3 script=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp GREENAI_KO=$ko GREENAI_IN_GUEST=1
export GREENAI_RESULTS=$results
# shellcheck source=/dev/null
[ ! -f "$results/guest.env" ] || . "$results/guest.env"
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

case $mode in
suite)
	bats --tap --timing "${script:-$top/tests/kmod}" >"$results/suite.tap" \
		2>"$results/suite.err"
	echo $? >"$results/rc"
	;;
exec)
	bash "$script" >"$results/exec.log" 2>&1
	echo $? >"$results/rc"
	;;
*)
	echo "guest-run.sh: unknown mode $mode" >"$results/suite.err"
	echo 2 >"$results/rc"
	;;
esac
dmesg >"$results/dmesg.log"
touch "$results/done"
sync
