#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# module-soak.sh: the module's soak, run inside the VM rig's guest
# (tests/vm/run.sh --exec; make soak) with GREENAI_KO set, for
# the seconds in build/vm-soak-seconds (written by make soak), or 3600. Mixed load, in rounds
# of about ten seconds: fork storms, busy processes in cgroups made and
# removed, a reader of /dev/greenai attaching and detaching, /proc/greenai
# read without pause, CPU 1 taken offline and back, and every fifth round
# the module unloaded and loaded again. After every round: every domain's
# processes plus its unattributed energy add up to it, to the microjoule.
# At the end: the module unloads, its slab caches are gone, and the
# kernel's unreclaimable slab is within 8 MiB of where it was before the
# first load. Prints TAP; run.sh adds the kernel log check.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${GREENAI_SOAK_SECONDS:-$(cat "$top/build/vm-soak-seconds" 2>/dev/null || echo 3600)}
bin=$top/build/tests
proc="python3 $top/tests/kmod/helpers/greenai_proc.py"
ring="python3 $top/tests/kmod/helpers/greenai_ring.py"
cg=/sys/fs/cgroup
ko=${GREENAI_KO:?GREENAI_KO: the module to soak}
n=0
ok() { n=$((n + 1)); echo "ok $n - module soak: $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - module soak: $*"; failed=1; }
failed=0

sunreclaim() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }
slab0=$(sunreclaim)

# conserved: every domain adds up; prints the first that does not
conserved() {
	echo flush >/proc/greenai/control || return 1
	$proc conservation | awk '$2 != $3 { print; bad = 1 } END { exit bad }'
}

load() { insmod "$ko" interval_ms=10 ring_kb=256; }

load || { not_ok "insmod $ko"; exit 1; }
echo 1..3
(while :; do cat /proc/greenai/* >/dev/null 2>&1; done) &
readers=$!
start=$(date +%s)
rounds=0 reloads=0 bad_round=""
while [ $(($(date +%s) - start)) -lt "$secs" ]; do
	rounds=$((rounds + 1))
	c=$cg/soak-$rounds
	mkdir "$c"
	"$bin/cgspawn" "$c" "$bin/spin" 8 2>/dev/null &
	"$bin/forkstorm" 2000 >/dev/null &
	storm=$!
	# a reader attaches for a while, then detaches
	$ring collect /dev/null -- "$bin/spin" 2 >/dev/null 2>&1 &
	reader=$!
	if [ -f /sys/devices/system/cpu/cpu1/online ]; then
		echo 0 >/sys/devices/system/cpu/cpu1/online
		"$bin/forkstorm" 500 >/dev/null
		echo 1 >/sys/devices/system/cpu/cpu1/online
	fi
	wait "$storm" "$reader" 2>/dev/null
	"$bin/spin" 2
	if ! out=$(conserved); then
		bad_round="round $rounds: $out"
		break
	fi
	echo 1 >"$c/cgroup.kill"
	for _ in $(seq 500); do
		rmdir "$c" 2>/dev/null && break
		sleep 0.01
	done
	if [ $((rounds % 5)) -eq 0 ]; then
		rmmod greenai && load || { bad_round="reload at round $rounds failed"; break; }
		reloads=$((reloads + 1))
	fi
done
kill "$readers" 2>/dev/null
wait 2>/dev/null
if [ -z "$bad_round" ]; then
	ok "$rounds rounds over $secs s ($reloads reloads): every domain added up after each"
else
	not_ok "every domain adds up after each round: $bad_round"
fi
if rmmod greenai && ! grep -q '^greenai ' /proc/modules; then
	ok "the module unloads at the end"
else
	not_ok "the module unloads at the end"
fi
slab1=$(sunreclaim)
if ! grep -qi greenai /proc/slabinfo 2>/dev/null &&
	[ "$slab1" -le $((slab0 + 8192)) ]; then
	ok "no greenai slab cache left; unreclaimable slab $slab0 kB before, $slab1 kB after"
else
	not_ok "no greenai slab cache left; unreclaimable slab $slab0 kB before, $slab1 kB after"
	grep -i greenai /proc/slabinfo | sed 's/^/# /'
fi
exit "$failed"
