#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# greenai.ko loads, says what it is in /proc/greenai/version and unloads
# cleanly. Runs as root inside the VM rig's guest (tests/vm/run.sh), with
# GREENAI_KO pointing at the module built for the guest's kernel.

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ -n "${GREENAI_IN_GUEST:-}" ] || skip "runs in the VM rig's guest only"
	[ -f "$GREENAI_KO" ] || fail "no module at GREENAI_KO=$GREENAI_KO"
}

teardown() {
	if grep -q '^greenai ' /proc/modules; then
		rmmod greenai
	fi
}

@test "insmod creates /proc/greenai/version" {
	run ! test -e /proc/greenai
	run insmod "$GREENAI_KO"
	assert_success
	assert [ -f /proc/greenai/version ]
	run grep -c '^greenai ' /proc/modules
	assert_output 1
}

@test "/proc/greenai/version gives the ABI, module version and kernel" {
	insmod "$GREENAI_KO"
	run cat /proc/greenai/version
	assert_success
	assert_line --index 0 "abi $ABI_VERSION"
	assert_line --index 1 "module $MODULE_VERSION"
	assert_line --index 2 "kernel $(uname -r)"
	assert_equal "${#lines[@]}" 3
	run modinfo -F version "$GREENAI_KO"
	assert_output "$MODULE_VERSION"
}

@test "/proc/greenai/version is read-only" {
	insmod "$GREENAI_KO"
	run stat -c %a /proc/greenai/version
	assert_output 444
	run bash -c 'echo 2 > /proc/greenai/version'
	assert_failure
	run cat /proc/greenai/version
	assert_line --index 0 "abi $ABI_VERSION"
}

@test "a second insmod fails with EEXIST and leaves the loaded module" {
	insmod "$GREENAI_KO"
	run insmod "$GREENAI_KO"
	assert_failure
	assert_output --partial "File exists"
	assert [ -f /proc/greenai/version ]
}

@test "rmmod removes /proc/greenai" {
	insmod "$GREENAI_KO"
	run rmmod greenai
	assert_success
	assert [ ! -e /proc/greenai ]
	run grep -c '^greenai ' /proc/modules
	assert_output 0
}

@test "insmod and rmmod 20 times in a row leave nothing behind" {
	local i
	for i in $(seq 20); do
		insmod "$GREENAI_KO" || fail "insmod $i failed"
		grep -q "^abi $ABI_VERSION$" /proc/greenai/version ||
			fail "load $i: no /proc/greenai/version"
		rmmod greenai || fail "rmmod $i failed"
		[ ! -e /proc/greenai ] || fail "unload $i left /proc/greenai"
	done
	run grep -c '^greenai ' /proc/modules
	assert_output 0
	run grep -c 'greenai: version .* loaded' <(dmesg)
	assert [ "$output" -ge 20 ]
}
