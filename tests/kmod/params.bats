#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters: bad values refuse the load with a clear message and
# leave nothing behind; loaded values cannot be changed behind the
# module's back.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	_kmod_teardown
}

# refuses PARAM MESSAGE: insmod with PARAM fails, MESSAGE is logged once
# more than before, and no trace of the module is left.
refuses() {
	local before after
	before=$(dmesg | grep -cF "greenai: $2" || true)
	run insmod "$GREENAI_KO" $1
	assert_failure
	after=$(dmesg | grep -cF "greenai: $2" || true)
	assert_equal "$after" "$((before + 1))"
	assert [ ! -e /proc/greenai ]
	assert [ ! -e /dev/greenai ]
	run grep -c '^greenai ' /proc/modules
	assert_output 0
}

@test "an interval outside 10..10000 ms refuses the load" {
	refuses interval_ms=5 "interval_ms=5 is out of range 10..10000"
	refuses interval_ms=10001 "interval_ms=10001 is out of range 10..10000"
}

@test "an unknown source refuses the load" {
	refuses source=bogus "source=bogus is not one of auto, rapl, model"
}

@test "source=rapl refuses the load on a machine without RAPL" {
	refuses source=rapl "source=rapl: no RAPL energy counters on this machine"
}

@test "model coefficients out of order or out of range refuse the load" {
	refuses "model_idle_mw=70000 model_max_mw=60000" \
		"model_idle_mw=70000 is out of range 0..60000"
	refuses model_max_mw=0 "model_max_mw=0 is out of range 1..10000000"
	refuses model_max_mw=20000000 \
		"model_max_mw=20000000 is out of range 1..10000000"
}

@test "table, ring and group limits out of range refuse the load" {
	refuses max_tasks=1 "max_tasks=1 is out of range 16..1048576"
	refuses max_cgroups=100000 "max_cgroups=100000 is out of range 16..65536"
	refuses ring_kb=0 "ring_kb=0 is out of range 16..65536"
	refuses gid=-5 "gid=-5 is not a group id (or -1 for root only)"
}

@test "a number that is not a number refuses the load" {
	run insmod "$GREENAI_KO" interval_ms=fast
	assert_failure
	assert [ ! -e /proc/greenai ]
}

@test "parameters are read-only once loaded" {
	insmod "$GREENAI_KO" interval_ms=250
	run stat -c %a /sys/module/greenai/parameters/interval_ms
	assert_output 444
	run bash -c 'echo 10 > /sys/module/greenai/parameters/interval_ms'
	assert_failure
	run cat /sys/module/greenai/parameters/interval_ms
	assert_output 250
	run awk '$1 == "interval_ms" { print $2 }' /proc/greenai/stats
	assert_output 250
}
