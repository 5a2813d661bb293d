#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# RAPL by direct MSR reads. The guest (TCG) has no RAPL, so these tests
# load the suite's FAKE RAPL counters first (tests/kmod/fake_rapl: 32-bit
# counters growing at powers the test chooses); greenai.ko then runs its
# real probe, units and quirks, reader election, wrap poll and split on
# them. Powers are checked from the ring's interval records: Σ energy over
# Σ time of every interval but the first.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
	[ -f "$FAKE_RAPL_KO" ] || fail "no RAPL fake at $FAKE_RAPL_KO"
}

teardown() {
	local c=/sys/devices/system/cpu/cpu1/online
	[ ! -f "$c" ] || echo 1 >"$c"
	_kmod_teardown
}

SKX="vendor=intel model=0x55 esu=14 dram_esu=16 pkg_mw=20000 pp0_mw=12000 dram_mw=3000 psys_mw=0 fault=pp1"

# power_mw RECORDS ID: mean power of domain ID over its interval records
# after the first (µJ / ns = 10^6 mW)
power_mw() {
	awk -v d="$2" '$1 == "INTERVAL" && $3 == d {
		if (n++) { e += $7; t += $6 - $5 } }
		END { if (t) printf "%d\n", e / t * 1000000 }' "$1"
}

# flags_seen RECORDS ID: OR of the flags of domain ID's interval records
flags_seen() {
	local f all=0
	for f in $(awk -v d="$2" '$1 == "INTERVAL" && $3 == d { print $4 }' "$1"); do
		all=$((all | f))
	done
	echo "$all"
}

# domain_id NAME: the id of a domain in /proc/greenai/domains
domain_id() {
	awk -v n="$1" '!/^#/ && $2 == n { print $1 }' /proc/greenai/domains
}

# nr_cores: physical cores of the guest
nr_cores() {
	cat /sys/devices/system/cpu/cpu*/topology/thread_siblings_list | sort -u | wc -l
}

# first_thread CPU: the first CPU of CPU's physical core
first_thread() {
	sed 's/[-,].*//' "/sys/devices/system/cpu/cpu$1/topology/thread_siblings_list"
}

# assert_spin_core_energy RECORDS MW CGROUP_ID: the one spin process that
# exited in the test's cgroup got active energy of domain 1 (the cores) of
# MW over its CPU time, within 5 %. By its cgroup: a process an earlier test
# left behind may exit while the records are collected.
assert_spin_core_energy() {
	run awk -v c="$3" '$1 == "EXIT" && $9 == "spin" && $5 == c {
		split($10, d, ","); split(d[2], e, "+"); print $6, e[1] }' "$1"
	[ "${#lines[@]}" -eq 1 ] ||
		fail "$(printf 'not one spin exit in cgroup %s:\n' "$3"; grep -E '^(EXIT|LOST)' "$1")"
	local f=(${lines[0]})
	within "${f[1]}" "$((f[0] * $2 / 1000000))" 5 ||
		fail "spin ran ${f[0]} ns on a $2 mW core; its active core energy is ${f[1]} uJ"
}

# cores_mw BASE STEP: what the fake's core counters draw together, mW
cores_mw() {
	local k sum=0
	for k in $(sed 's/[-,].*//' /sys/devices/system/cpu/cpu*/topology/thread_siblings_list | sort -u); do
		sum=$((sum + $1 + k * $2))
	done
	echo "$sum"
}

@test "Skylake-SP: package, cores and DRAM found; DRAM in 2^-16 J; a faulting and a zero domain absent" {
	insmod "$FAKE_RAPL_KO" $SKX
	insmod "$GREENAI_KO" source=rapl
	run awk '!/^#/ { print $2, $3, $4, $5, $6, $7, $8, $10 }' /proc/greenai/domains
	assert_success
	local n
	n=$(nproc)
	assert_output "package-0 package rapl-msr measured 1000000 16384 262144000000 $n
core-0 core rapl-msr measured 1000000 16384 262144000000 $n
dram-0 dram rapl-msr measured 1000000 65536 65536000000 $n"
	run $RING domain 2
	assert_output "id 2 kind 4 source 1 flags 0 package 0 nr_cpus $n unit 1000000/65536 range_uj 65536000000 max_power_uw 1000000000 name dram-0"
	dmesg | grep -q 'greenai: reading RAPL from the test fake' ||
		fail "the kernel log does not say the fake is read"
	# greenai holds the fake while it reads it
	run rmmod greenai_fake_rapl
	assert_failure
}

@test "Sapphire Rapids: the platform counter counts in joules" {
	insmod "$FAKE_RAPL_KO" vendor=intel model=0x8f esu=14 psys_esu=0 \
		pkg_mw=20000 psys_mw=50000
	insmod "$GREENAI_KO" interval_ms=500
	run awk '!/^#/ { print $2, $6, $7 }' /proc/greenai/domains
	assert_output "package-0 1000000 16384
psys-0 1000000 1"
	local out=$BATS_TEST_TMPDIR/records p
	run $RING collect "$out" -- "$BIN/spin" 4
	assert_success
	# 50 W in whole joules: 200 counts in 4 s, one count either end
	p=$(power_mw "$out" "$(domain_id psys-0)")
	within "$p" 50000 5 || fail "psys-0 measured $p mW, the counter runs at 50000"
}

@test "measured energy follows each counter through its wrap, and every interval adds up" {
	# the counters start at greenai's probe 2^20 counts below the wrap:
	# the package's (2^-14 J, 20 W) wraps 3.2 s later, while spin runs
	insmod "$FAKE_RAPL_KO" $SKX start=0xfff00000
	insmod "$GREENAI_KO" interval_ms=500
	local out=$BATS_TEST_TMPDIR/records name want p
	run $RING collect "$out" -- "$BIN/spin" 6
	assert_success
	for want in package-0:20000 core-0:12000 dram-0:3000; do
		name=${want%:*}
		p=$(power_mw "$out" "$(domain_id "$name")")
		within "$p" "${want#*:}" 3 ||
			fail "$name measured $p mW, the counter runs at ${want#*:}"
	done
	# the wrap came 3.2 s after the probe, within the 6 s of spin; the
	# domain's flags since load say so whether or not the reader saw it
	local since_load
	since_load=$(awk '!/^#/ && $2 == "package-0" { print $15 }' /proc/greenai/domains)
	((since_load & 2)) || fail "package-0 never flagged a wrap (flags $since_load)"
	((since_load & 4)) && fail "package-0 flagged an interval suspect"
	# each record: energy = active + idle, and = shares + unattributed
	run awk '$1 == "INTERVAL" && $7 != $8 + $9 { print }' "$out"
	assert_output ""
	assert_conserved 3
}

@test "a counter that can wrap within an interval is read often enough to keep every wrap" {
	# 2^-24 J: the counter spans 256 J, 2.56 s at 100 W; intervals of 3 s
	insmod "$FAKE_RAPL_KO" vendor=intel model=0x55 esu=24 pkg_mw=100000
	insmod "$GREENAI_KO" interval_ms=3000
	dmesg | grep -q 'greenai: RAPL counters can wrap within an interval: read every 128 ms' ||
		fail "no wrap poll started"
	local out=$BATS_TEST_TMPDIR/records p
	run $RING collect "$out" -- "$BIN/spin" 7
	assert_success
	p=$(power_mw "$out" 0)
	within "$p" 100000 3 || fail "package-0 measured $p mW, the counter runs at 100000"
	(($(flags_seen "$out" 0) & 2)) || fail "package-0 never flagged a wrap"
	# an interval is flagged suspect only when the reader was late: two
	# reads of the counter as far apart as its shortest wrap (256 J at
	# the 1 kW greenai assumes at most: 256 ms; a busy host can delay the
	# guest's poll that much), as the fake saw them (it times a read a
	# little before greenai does: 16 ms for that)
	local gap
	gap=$(cat /sys/module/greenai_fake_rapl/parameters/pkg_max_gap_ns)
	if (($(flags_seen "$out" 0) & 4)); then
		[ "$gap" -ge 240000000 ] ||
			fail "an interval was flagged suspect, yet no two reads were more than $gap ns apart"
	fi
}

@test "AMD: a package counter and one counter per physical core, each core's energy to what ran on it" {
	[ "$(nr_cores)" -ge 2 ] || skip "needs two physical cores"
	# core k (by its first thread) draws 5 W + k x 10 W
	insmod "$FAKE_RAPL_KO" vendor=amd pkg_mw=30000 core_mw=5000 core_step_mw=10000
	insmod "$GREENAI_KO" interval_ms=500
	local n cpu1_mw cores_mw
	n=$(nproc)
	cpu1_mw=$((5000 + $(first_thread 1) * 10000))
	cores_mw=$(cores_mw 5000 10000)
	run awk '!/^#/ { print $2, $3, $4, $6, $7, $10 }' /proc/greenai/domains
	assert_output "package-0 package rapl-msr 1000000 16384 $n
core-0 core rapl-msr 1000000 16384 $n"
	local out=$BATS_TEST_TMPDIR/records p g
	g=$(new_cgroup greenai-amd)
	run $RING collect "$out" -- "$BIN/cgspawn" "$g" taskset -c 1 "$BIN/spin" 2
	assert_success
	p=$(power_mw "$out" 1)
	within "$p" "$cores_mw" 3 || fail "core-0 measured $p mW, the cores draw $cores_mw"
	# spin ran on CPU 1 alone: its active energy is CPU 1's core power
	# over its run time, not the cores' mean power (a package-wide split)
	assert_spin_core_energy "$out" "$cpu1_mw" "$(stat -c %i "$g")"
}

@test "CPU hotplug moves the readers; counters resume when a core comes back" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	[ "$(nr_cores)" -ge 2 ] || skip "needs two physical cores"
	insmod "$FAKE_RAPL_KO" vendor=amd pkg_mw=30000 core_mw=5000
	insmod "$GREENAI_KO" interval_ms=500
	local out=$BATS_TEST_TMPDIR/records p c=/sys/devices/system/cpu/cpu1/online
	run $RING collect "$out" -- sh -c "$BIN/spin 1; echo 0 >$c; $BIN/spin 1.5;
		echo 1 >$c; $BIN/spin 1.5"
	assert_success
	# the counters count on while a core is offline; nothing is lost
	p=$(power_mw "$out" 0)
	within "$p" 30000 3 || fail "package-0 measured $p mW, the counter runs at 30000"
	p=$(power_mw "$out" 1)
	within "$p" $(($(nr_cores) * 5000)) 3 ||
		fail "core-0 measured $p mW, the counters run at $(($(nr_cores) * 5000))"
	(($(flags_seen "$out" 1) & 4)) && fail "an interval was flagged suspect"
	true
}

@test "a CPU offline at load joins its package and its own core meter when it comes online" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	[ "$(nr_cores)" -ge 2 ] || skip "needs two physical cores"
	local cpu1_mw c=/sys/devices/system/cpu/cpu1/online
	cpu1_mw=$((5000 + $(first_thread 1) * 10000))
	echo 0 >"$c"
	insmod "$FAKE_RAPL_KO" vendor=amd pkg_mw=30000 core_mw=5000 core_step_mw=10000
	insmod "$GREENAI_KO" interval_ms=500
	run awk '!/^#/ { print $2, $10 }' /proc/greenai/domains
	assert_output "package-0 1
core-0 1"
	echo 1 >"$c"
	run awk '!/^#/ { print $2, $10 }' /proc/greenai/domains
	assert_output "package-0 2
core-0 2"
	# CPU 1's core got its own counter when it came online
	local out=$BATS_TEST_TMPDIR/records g
	g=$(new_cgroup greenai-amd-hotplug)
	run $RING collect "$out" -- "$BIN/cgspawn" "$g" taskset -c 1 "$BIN/spin" 2
	assert_success
	assert_spin_core_energy "$out" "$cpu1_mw" "$(stat -c %i "$g")"
}

@test "the power model counts a CPU offline at load once it comes online" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	echo 0 >/sys/devices/system/cpu/cpu1/online
	insmod "$GREENAI_KO" source=model
	run awk '!/^#/ { print $2, $10 }' /proc/greenai/domains
	assert_output "package-0 1"
	echo 1 >/sys/devices/system/cpu/cpu1/online
	run awk '!/^#/ { print $2, $10 }' /proc/greenai/domains
	assert_output "package-0 2"
}

@test "source=auto takes RAPL where it is and the model where every counter is absent" {
	insmod "$FAKE_RAPL_KO" $SKX
	insmod "$GREENAI_KO"
	run awk '!/^#/ { print $2, $4, $5 }' /proc/greenai/domains
	assert_line --index 0 "package-0 rapl-msr measured"
	rmmod greenai
	insmod "$GREENAI_KO" source=model
	run awk '!/^#/ { print $2, $4, $5 }' /proc/greenai/domains
	assert_output "package-0 model estimated"
	rmmod greenai
	rmmod greenai_fake_rapl
	insmod "$FAKE_RAPL_KO" vendor=intel pkg_mw=20000 fault=pkg,pp0,pp1,dram,psys
	run insmod "$GREENAI_KO" source=rapl
	assert_failure
	dmesg | tail -n 5 | grep -q 'source=rapl: no RAPL energy counters on this machine' ||
		fail "no reason given for refusing source=rapl"
	insmod "$GREENAI_KO"
	run awk '!/^#/ { print $2, $4, $5 }' /proc/greenai/domains
	assert_output "package-0 model estimated"
	# the fake is no longer held once RAPL was found absent
	rmmod greenai_fake_rapl
}
