#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The VM rig's entry points refuse bad input with a clear message, and the
# kernel series it tests resolve to Debian's current releases.

setup() {
	load ../test_helper/common-setup
	_common_setup
}

@test "series 6.1 and 6.12 resolve to Debian 12 kernel releases" {
	run "$TOP/tests/vm/kernel.sh" release 6.1
	assert_success
	assert_output --regexp '^6\.1\.0-[0-9]+-amd64$'
	run "$TOP/tests/vm/kernel.sh" release 6.12
	assert_success
	assert_output --regexp '^6\.12\.[0-9]+\+deb12-amd64$'
}

@test "an unknown kernel series is refused with the known ones" {
	run -1 "$TOP/tests/vm/kernel.sh" fetch 5.10
	assert_output --partial "unknown kernel series '5.10'"
	assert_output --partial "6.1, 6.12"
}

@test "a release that was never fetched has no directory" {
	GREENAI_KERNEL_CACHE=$BATS_TEST_TMPDIR run -1 \
		"$TOP/tests/vm/kernel.sh" dir 6.1.0-1-amd64
	assert_output --partial "not fetched"
}

@test "run.sh without a series prints its usage" {
	run -2 "$TOP/tests/vm/run.sh"
	assert_output --partial "usage: run.sh"
}

@test "run-all.sh refuses an unknown suite before running anything" {
	run -2 "$TOP/tests/run-all.sh" unit bogus
	assert_output --partial "unknown suite 'bogus'"
	refute_output --partial "# --- unit"
}
