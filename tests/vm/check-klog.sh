#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-klog.sh LOG...: fail if a kernel log holds an oops, a WARN, a BUG,
# a KASAN/UBSAN/KFENCE report, a lockdep splat, a hung task or a panic.
# Prints the offending lines. Exit 0 clean, 1 splat found, 2 bad usage.
set -u

[ $# -gt 0 ] || { echo "usage: check-klog.sh LOG..." >&2; exit 2; }
for f in "$@"; do
	[ -r "$f" ] || { echo "check-klog.sh: cannot read $f" >&2; exit 2; }
done

# Each pattern is the first line the kernel prints for that report.
patterns=(
	'BUG: '				# BUG: unable to handle, sleeping in atomic...
	'kernel BUG at '
	'WARNING: '			# WARN_ON, lockdep "WARNING: possible ..."
	'Oops: '
	'general protection fault'
	'Kernel panic'
	'Call Trace:'			# any stack dump
	'KASAN: '
	'UBSAN: '
	'KFENCE: '
	'INFO: task .* blocked for more than'
	'INFO: rcu_.* detected stalls'
	'inconsistent lock state'
	'possible circular locking dependency'
	'possible recursive locking'
	'suspicious RCU usage'
	'list_(add|del) corruption'
	'refcount_t: '
	'unreferenced object 0x'	# kmemleak
	'Unable to handle kernel'
)
re=$(IFS='|'; echo "${patterns[*]}")
if grep -E -n -H -e "$re" "$@"; then
	exit 1
fi
exit 0
