#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The build system: targets, what `make` does without a kernel tree, bad
# input, `make install` into DESTDIR, the ABI header on its own, and the
# kernel code under checkpatch --strict.

setup() {
	load ../test_helper/common-setup
	_common_setup
	cd "$TOP"
}

@test "make help lists every top-level target" {
	run make --no-print-directory help
	assert_success
	local t
	for t in all kmod bpf tools check unit host vm lint demo deps install \
		clean help; do
		assert_line --regexp "^  $t "
	done
}

@test "make kmod without a kernel tree fails and says what is missing" {
	run make --no-print-directory kmod KDIR="$BATS_TEST_TMPDIR/none"
	assert_failure
	assert_output --partial "no kernel build tree at KDIR=$BATS_TEST_TMPDIR/none"
}

@test "make builds libgreenai and skips the module when there is no kernel tree" {
	run make --no-print-directory BUILD="$BATS_TEST_TMPDIR/b" \
		KDIR="$BATS_TEST_TMPDIR/none" all
	assert_success
	assert_output --partial "kmod: skipped, no kernel build tree"
	run nm "$BATS_TEST_TMPDIR/b/lib/libgreenai.a"
	assert_line --regexp " T ga_interval_begin$"
	assert_line --regexp " T ga_counter_update$"
}

@test "make install puts headers, library and module sources under DESTDIR" {
	local d=$BATS_TEST_TMPDIR/root
	run make --no-print-directory BUILD="$BATS_TEST_TMPDIR/b" \
		DESTDIR="$d" PREFIX=/usr install
	assert_success
	assert [ -f "$d/usr/include/greenai/uapi.h" ]
	assert [ -f "$d/usr/lib/libgreenai.a" ]
	assert [ -f "$d/usr/src/greenai-$MODULE_VERSION/Kbuild" ]
	assert [ -f "$d/usr/src/greenai-$MODULE_VERSION/kmod/main.c" ]
	run find "$d/usr/src" -name '*.o' -o -name '*.ko'
	assert_output ""
}

@test "the ABI header compiles on its own in strict C11" {
	run gcc -std=c11 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only \
		-x c include/uapi/greenai.h
	assert_success
	assert_output ""
}

@test "the ABI header's size checks fire when a layout changes" {
	sed 's/__u32 nr_tasks;/__u32 nr_tasks, extra;/' include/uapi/greenai.h \
		>"$BATS_TEST_TMPDIR/greenai.h"
	run gcc -std=gnu11 -fsyntax-only -x c "$BATS_TEST_TMPDIR/greenai.h"
	assert_failure
	assert_output --partial "greenai_rec_interval"
}

@test "kernel code passes checkpatch.pl --strict (make lint)" {
	run make --no-print-directory lint
	assert_success
	refute_output --regexp "(ERROR|WARNING|CHECK):"
}
