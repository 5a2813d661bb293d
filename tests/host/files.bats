#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# What greenai writes to disk that names processes, commands, models or
# pods is its owner's only: the ledger (its directory, database, journal
# and lock) and the exporter's state file. An older ledger left readable
# by others is made private when opened. Runs as root (the exporter).

setup() {
	load ../test_helper/common-setup
	_common_setup
	GREENAI=$TOP/build/greenai
	EXPORTER=$TOP/build/greenai-exporter
	BIN=$TOP/build/tests
	T=$BATS_TEST_TMPDIR
	PIDS=()
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$T/config
	umask 022
}

teardown() {
	end_pids
}

# mode PATH: its permission bits, octal
mode() {
	stat -c %a "$1"
}

@test "the ledger, its directory, journal and lock are their owner's only" {
	local l=$T/new/dir/ledger.db f
	run "$GREENAI" run --ledger "$l" --model private -- true
	assert_success
	assert_equal "$(mode "$T/new")" 700
	assert_equal "$(mode "$T/new/dir")" 700
	for f in "$l" "$l-wal" "$l-shm" "$l.lock"; do
		[ -e "$f" ] || continue
		assert_equal "$f $(mode "$f")" "$f 600"
	done
	# a ledger an older greenai left readable by others: made private
	chmod 644 "$l"
	[ -e "$l-wal" ] && chmod 644 "$l-wal"
	run "$GREENAI" report --ledger "$l"
	assert_success
	assert_output --partial private
	for f in "$l" "$l-wal"; do
		[ -e "$f" ] || continue
		assert_equal "$f $(mode "$f")" "$f 600"
	done
}

@test "the exporter's state file and its directory are root's only" {
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
	load ../test_helper/exporter
	exporter_start --state "$T/state-dir/state"
	kill -TERM "$EXPORTER_PID"
	wait "$EXPORTER_PID" || true
	[ -e "$T/state-dir/state" ] ||
		fail "no state file was saved: $(cat "$T/exporter.log")"
	assert_equal "$(mode "$T/state-dir")" 700
	assert_equal "$(mode "$T/state-dir/state")" 600
}
