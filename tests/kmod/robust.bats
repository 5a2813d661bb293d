#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The module under stress: CPUs going offline and online while it
# accounts, and load/unload cycles while processes churn and its files are
# read. The rig fails the run if the kernel log shows any splat.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	local c=/sys/devices/system/cpu/cpu1/online
	[ ! -f "$c" ] || echo 1 >"$c"
	_kmod_teardown
}

@test "CPU hotplug during accounting keeps every domain adding up" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	insmod "$GREENAI_KO"
	local g i0
	g=$(new_cgroup greenai-hotplug)
	"$BIN/cgspawn" "$g" "$BIN/spin" 60 2>/dev/null &
	TEST_PIDS+=($!)
	i0=$(stat_value intervals)
	echo 0 >/sys/devices/system/cpu/cpu1/online
	"$BIN/forkstorm" 200 >/dev/null
	flush
	echo 1 >/sys/devices/system/cpu/cpu1/online
	"$BIN/forkstorm" 200 >/dev/null
	flush
	assert [ "$(stat_value intervals)" -gt "$i0" ]
	run $PROC conservation
	assert_success
	local f=(${lines[0]})
	assert_equal "${f[2]}" "${f[1]}"
}

@test "a CPU going offline hands on its last slices to the interval they ran in" {
	[ -f /sys/devices/system/cpu/cpu1/online ] || skip "cpu1 cannot go offline"
	# (intervals of 10 s: no timed close between the run and the flush;
	# a try with one in between is made again)
	insmod "$GREENAI_KO" interval_ms=10000
	local try g id i0 cpu
	for try in 1 2 3; do
		g=$(new_cgroup "greenai-offline-$try")
		id=$(stat -c %i "$g")
		flush
		i0=$(stat_value intervals)
		"$BIN/cgspawn" "$g" taskset -c 1 "$BIN/spin" 0.5 2>/dev/null
		echo 0 >/sys/devices/system/cpu/cpu1/online
		[ "$(stat_value intervals)" -eq "$i0" ] && break
		echo 1 >/sys/devices/system/cpu/cpu1/online
	done
	assert_equal "$(stat_value intervals)" "$i0"
	flush
	cpu=$(awk -v c="$id" '$1 == c { print $2 }' /proc/greenai/cgroups)
	[ -n "$cpu" ] || fail "no row for the cgroup that ran on cpu1"
	# 0.5 s of CPU time, in the interval that was closing
	assert [ "$cpu" -ge 400000000 ]
	# its exit is folded while the CPU is still offline
	local deadline=$((SECONDS + 60))
	# (two closes a try: the last try's processes exit in the first)
	until flush && flush && [ "$(stat_value exits_pending)" -eq 0 ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "exit still pending"
		sleep 0.1
	done
}

@test "100 load and unload cycles while processes churn and files are read" {
	local storm reader i
	"$BIN/forkstorm" 100000000 >/dev/null &
	storm=$!
	TEST_PIDS+=($storm)
	(while :; do cat /proc/greenai/* >/dev/null 2>&1; done) &
	reader=$!
	TEST_PIDS+=($reader)
	for i in $(seq 100); do
		insmod "$GREENAI_KO" interval_ms=10 || fail "insmod $i failed"
		flush || fail "flush $i failed"
		rmmod greenai || fail "rmmod $i failed"
	done
	kill -0 "$storm"
	run grep -c '^greenai ' /proc/modules
	assert_output 0
}
