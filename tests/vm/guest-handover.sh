#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A guest's half of tests/host/vm-handover.bats, run by
#   run.sh --name NAME --share DIR --exec tests/vm/guest-handover.sh SERIES
# greenai in the guest (libgreenai's BPF backend, through gasample)
# measures with the hand-over tree its host shares (docs/vms.md), over a
# window the host marks by holding the tree still. The two sides step on
# each other's files in the results share ($GREENAI_RESULTS):
#   ready     (guest) the share is mounted and its tree has been written
#   frozen    (host)  the tree stands still
#   sampling  (guest) gasample has read the tree: its start is the frozen tree
#   loaded    (guest) the load is done; the host lets the tree move on
#   end       (host)  the tree stands still again
# and gasample's output in gasample.out and records, its exit status in
# gasample.rc. GREENAI_GUEST_LOAD busy processes run for
# GREENAI_GUEST_SECONDS (default 0 and 8). GREENAI_GUEST_BACKEND is bpf
# (the default: libgreenai reads the tree as its host source) or module
# (greenai.ko loaded with source=host and the tree's domain names, fed by
# libgreenai from the tree).
set -u
R=$GREENAI_RESULTS
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=/var/lib/greenai/host
load=${GREENAI_GUEST_LOAD:-0}
secs=${GREENAI_GUEST_SECONDS:-8}
backend=${GREENAI_GUEST_BACKEND:-bpf}

# nap: a tenth of a second without a process of its own (a guest that
# forks a sleep twenty times a second is busy under TCG: its host would
# rightly charge it for that)
mkfifo /tmp/nap
exec {nap}<>/tmp/nap
nap() {
	read -r -t 0.1 -u "$nap" _
}

# wait_for FILE: the host has written FILE (at most 20 minutes: TCG on a
# busy host is slow, and a host that went away ends the guest by timeout)
wait_for() {
	local deadline=$((SECONDS + 1200))
	until [ -e "$R/$1" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "no $1 from the host"; exit 1; }
		nap
	done
}

mkdir -p "$tree"
mount -t 9p -o trans=virtio,version=9p2000.L,ro greenai-host "$tree" ||
	{ echo "cannot mount the greenai-host share"; exit 1; }
deadline=$((SECONDS + 1200))
until grep -q '^seq [1-9]' "$tree/greenai-host" 2>/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || { echo "the host never wrote the tree"; exit 1; }
	nap
done
case $backend in
bpf) how=(--backend bpf --source host) ;;
module)
	# each domain's name, and :estimated where the host says so
	names=$(for d in "$tree"/host:*; do
		i=${d##*/}
		k=$(awk -v i="$i" '$1 == i { print $3 }' "$tree/greenai-host")
		echo "$(cat "$d/name")$([ "$k" != estimated ] || echo :estimated)"
	done | paste -sd,)
	insmod "$GREENAI_KO" source=host "host_domains=$names" ||
		{ echo "insmod source=host host_domains=$names failed"; exit 1; }
	how=(--backend module)
	;;
*) echo "GREENAI_GUEST_BACKEND is bpf or module"; exit 1 ;;
esac
touch "$R/ready"
wait_for frozen
export R load secs top
"$top/build/tests/gasample" "${how[@]}" --interval-ms 200 \
	--records "$R/records" -- bash -c '
		touch "$R/sampling"
		for i in $(seq "$load"); do
			"$top/build/tests/spin" "$secs" &
		done
		wait
		touch "$R/loaded"
		exec /usr/bin/python3 -c "
import os, time
while not os.path.exists(\"$R/end\"):
    time.sleep(0.1)"' \
	>"$R/gasample.out" 2>"$R/gasample.err"
echo $? >"$R/gasample.rc"
