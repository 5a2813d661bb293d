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
