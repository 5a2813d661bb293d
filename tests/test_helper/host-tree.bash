# SPDX-License-Identifier: GPL-2.0
#
# The FAKE hand-over tree of a VM's host (tests/fixtures/FAKE-host-tree,
# docs/vms.md), for the suites that read it: the host suite's BPF mode and
# the module suite's source=host.

# host_tree ROOT: the tree under ROOT; HOST is its directory, HOST_RANGE
# its dram-0 range
host_tree() {
	cp -a "$TOP/tests/fixtures/FAKE-host-tree" "$1"
	HOST=$1/var/lib/greenai/host
	HOST_RANGE=65712999613
}

# host_updates SPIN: a command line for a sampled program: while SPIN
# runs 1 s of CPU time, the host writes five updates as its agent does
# (each file replaced whole, greenai-host last, seq bumped): package-0
# 2 J each from 1 J, dram-0 0.3 J each from 0.1 J below its range,
# wrapping at the first. Call host_tree first.
host_updates() {
	echo $((HOST_RANGE - 100000)) >"$HOST/host:1/energy_uj"
	HOST_UPDATES=(sh -c '
		"$1" 1 & spin=$!
		h=$2 pkg=1000000 dram=$(($3 - 100000))
		put() { echo "$2" >"$h/$1.tmp" && mv "$h/$1.tmp" "$h/$1"; }
		for seq in 8 9 10 11 12; do
			pkg=$((pkg + 2000000)) dram=$(((dram + 300000) % $3))
			put host:0/energy_uj $pkg
			put host:1/energy_uj $dram
			sed "s/^seq .*/seq $seq/" "$h/greenai-host" >"$h/greenai-host.tmp"
			mv "$h/greenai-host.tmp" "$h/greenai-host"
		done
		wait $spin' sh "$1" "$HOST" "$HOST_RANGE")
}
