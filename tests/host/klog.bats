#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The VM rig's kernel-log check (tests/vm/check-klog.sh): a clean boot log
# from the guest passes; each kind of kernel report fails the run and is
# shown. Fixtures in tests/fixtures/klog/: clean-*.log are logs recorded
# from the rig's guests; the others are excerpts in the kernel's formats.

setup() {
	load ../test_helper/common-setup
	_common_setup
	CHECK=$TOP/tests/vm/check-klog.sh
	FIX=$TOP/tests/fixtures/klog
}

@test "a clean guest kernel log passes" {
	run "$CHECK" "$FIX"/clean-*.log
	assert_success
	assert_output ""
}

@test "a WARN splat fails the check and is shown" {
	run -1 "$CHECK" "$FIX/clean-6.1.log" "$FIX/warn.log"
	assert_output --partial "warn.log:3:"
	assert_output --partial "WARNING: CPU: 1 PID: 312 at kmod/main.c:40"
}

@test "an oops fails the check" {
	run -1 "$CHECK" "$FIX/oops.log"
	assert_output --partial "BUG: kernel NULL pointer dereference"
	assert_output --partial "Oops: 0000"
}

@test "a KASAN report fails the check" {
	run -1 "$CHECK" "$FIX/kasan.log"
	assert_output --partial "BUG: KASAN: slab-use-after-free"
}

@test "a lockdep report fails the check" {
	run -1 "$CHECK" "$FIX/lockdep.log"
	assert_output --partial "possible circular locking dependency"
}

@test "a hung task fails the check" {
	run -1 "$CHECK" "$FIX/hung-task.log"
	assert_output --partial "blocked for more than 120 seconds"
}

@test "a missing log is an error, never a pass" {
	run -2 "$CHECK" "$BATS_TEST_TMPDIR/no-such.log"
	assert_output --partial "cannot read"
	run -2 "$CHECK"
	assert_output --partial "usage"
}
