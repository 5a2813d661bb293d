#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Counter weights in the module (weights=): each CPU's perf counter, read
# by the switch probe, weighs a package's active energy, and the interval
# records say so. The guests have no PMU, so the plumbing is tested with
# the software cpu-clock, which counts what run time counts; the split by
# unequal counts is the core's arithmetic, tested with a FAKE counter in
# tests/unit/test_account.c.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	_kmod_teardown
}

# counted RECORDS DOMAIN: "flagged busy" of DOMAIN's interval records in
# which processes ran: how many are flagged weighed by counts, how many
# there are
counted() {
	awk -v d="$2" '$1 == "INTERVAL" && $3 == d && $13 > 0 {
		n++; if (int($4 / 128) % 2) c++ }
		END { print c + 0, n + 0 }' "$1"
}

@test "weights=cpu-clock: each CPU's counter weighs the package, and the records say so" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	insmod "$GREENAI_KO" source=model model_idle_mw=0 model_max_mw=20000 \
		weights=cpu-clock
	assert_equal "$(stat_value weights)" cpu-clock
	local a b out=$BATS_TEST_TMPDIR/records c
	a=$(new_cgroup greenai-wa)
	b=$(new_cgroup greenai-wb)
	$RING collect "$out" -- sh -c "
		$BIN/cgspawn $a taskset -c 0 $BIN/spin 2 &
		$BIN/cgspawn $b taskset -c 1 $BIN/spin 1 & wait" >/dev/null
	# every interval in which something ran was weighed by the counters
	c=($(counted "$out" 0))
	assert [ "${c[1]}" -gt 0 ]
	assert_equal "${c[0]}" "${c[1]}"
	# cpu-clock counts run time: energy in the ratio of CPU time
	local fa fb
	fa=($($PROC cgroup "$(stat -c %i "$a")" | awk '$1 == "cgroup" { print $2 + $3, $4 }'))
	fb=($($PROC cgroup "$(stat -c %i "$b")" | awk '$1 == "cgroup" { print $2 + $3, $4 }'))
	within "$(awk -v a="${fa[0]}" -v b="${fb[0]}" 'BEGIN { print a / b }')" \
		"$(awk -v a="${fa[1]}" -v b="${fb[1]}" 'BEGIN { print a / b }')" 3 ||
		fail "energy ${fa[0]}:${fb[0]} uJ for CPU ${fa[1]}:${fb[1]} ns"
	assert_conserved
	# libgreenai reads the module's weights, and refuses others
	run "$BIN/gasample" --backend module -- true
	assert_success
	assert_line "weights cpu-clock"
	run "$BIN/gasample" --backend module --weights time -- true
	assert_failure
	assert_output --partial "greenai.ko weighs by cpu-clock (its weights= parameter); reload it with weights=time"
}

@test "weights=time, and auto without a cycles counter, weigh by run time: no record flagged" {
	local out=$BATS_TEST_TMPDIR/records g c
	insmod "$GREENAI_KO" source=model weights=time
	assert_equal "$(stat_value weights)" time
	g=$(new_cgroup greenai-wt)
	$RING collect "$out" -- "$BIN/cgspawn" "$g" "$BIN/spin" 0.5 >/dev/null
	c=($(counted "$out" 0))
	assert [ "${c[1]}" -gt 0 ]
	assert_equal "${c[0]}" 0
	rmmod greenai
	# auto: cycles where every CPU counts them, else run time
	insmod "$GREENAI_KO" source=model
	run stat_value weights
	assert_output --regexp '^(cycles|time)$'
	run "$BIN/gasample" --backend module -- true
	assert_success
	assert_line "weights $(stat_value weights)"
}

@test "weights=cycles without a cycles counter refuses the load and says what to do" {
	local before after
	before=$(dmesg | grep -cF "has no such counter" || true)
	if insmod "$GREENAI_KO" source=model weights=cycles; then
		# a guest with a PMU: weighed by cycles, as asked
		assert_equal "$(stat_value weights)" cycles
		return
	fi
	after=$(dmesg | grep -cF "greenai: weights=cycles: CPU 0 has no such counter" || true)
	assert [ "$after" -gt "$before" ]
	dmesg | grep -F "has no such counter" | tail -1 | grep -qF "weights=time weighs by run time" ||
		fail "the message does not say what to do: $(dmesg | tail -3)"
	assert [ ! -e /proc/greenai ]
	run grep -c '^greenai ' /proc/modules
	assert_output 0
}

@test "a CPU going offline releases its counter; back online it counts again" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	insmod "$GREENAI_KO" source=model weights=cpu-clock
	local g out=$BATS_TEST_TMPDIR/records c
	echo 0 >/sys/devices/system/cpu/cpu1/online
	echo 1 >/sys/devices/system/cpu/cpu1/online
	g=$(new_cgroup greenai-wh)
	$RING collect "$out" -- "$BIN/cgspawn" "$g" taskset -c 1 "$BIN/spin" 0.5 >/dev/null
	c=($(counted "$out" 0))
	assert [ "${c[1]}" -gt 0 ]
	assert_equal "${c[0]}" "${c[1]}"
	assert_conserved
}
