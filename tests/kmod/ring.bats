#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# /dev/greenai: its ioctls, whole-record reads, one reader at a time, bad
# input answered with an error, and a reader that never reads stalls
# nothing: records are dropped and counted.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	exec 7<&- 2>/dev/null || true
	_kmod_teardown
}

@test "GREENAI_IOC_INFO gives the ABI version and the backend's shape" {
	insmod "$GREENAI_KO" interval_ms=200 ring_kb=64
	run $RING info
	assert_success
	assert_line "abi $ABI_VERSION"
	assert_line "nr_domains 1"
	assert_line "interval_ms 200"
	assert_line "nr_cpus $(nproc)"
	assert_line "ring_bytes 65536"
}

@test "GREENAI_IOC_DOMAIN describes a domain as /proc/greenai/domains does" {
	insmod "$GREENAI_KO" model_max_mw=30000
	run $RING domain 0
	assert_success
	assert_output "id 0 kind 1 source 7 flags 1 package 0 nr_cpus $(nproc) unit 1/1 range_uj 0 max_power_uw 30000000 name package-0"
}

@test "bad ioctls, short reads, writes and a second reader get errors" {
	# Records only appear when an interval closes or on a flush; the
	# longest interval keeps the timer from filling the ring between the
	# probe's open() and its "read-empty" read.
	insmod "$GREENAI_KO" interval_ms=10000
	run $RING probe
	assert_success
	assert_line "second-open EBUSY"
	assert_line "unknown-ioctl ENOTTY"
	assert_line "wrong-magic ENOTTY"
	assert_line "domain-99 EINVAL"
	assert_line "info-null EFAULT"
	assert_line "read-empty EAGAIN"
	assert_line "read-8-bytes EINVAL"
	assert_line "read-whole ok"
	assert_line "write EBADF"
	assert_line "seek ESPIPE"
	assert_line "open-rw EPERM"
	# after all that, the device still works for the next reader
	run $RING info
	assert_success
}

@test "records come whole, in sequence, one interval record per interval" {
	insmod "$GREENAI_KO"
	local out=$BATS_TEST_TMPDIR/records
	run $RING collect "$out" -- "$BIN/forkstorm" 50
	assert_success
	run awk '{ if ($2 != NR - 1) bad++ } END { print (NR > 0), bad + 0 }' "$out"
	assert_output "1 0"
	run grep -c '^INTERVAL ' "$out"
	assert [ "$output" -ge 2 ]
	run grep -c '^LOST ' "$out"
	assert_output 0
	# INTERVAL seq domain flags start end energy active idle unattributed:
	# energy = active + idle, and no more than it is unattributed
	run awk '$1 == "INTERVAL" && ($7 != $8 + $9 || $10 > $7) { n++ }
		END { print n + 0 }' "$out"
	assert_output 0
}

@test "a reader that never reads stalls nothing; drops are counted" {
	insmod "$GREENAI_KO" ring_kb=16
	exec 7</dev/greenai
	run "$BIN/forkstorm" 2000
	assert_success
	flush
	flush
	local lost
	lost=$(stat_value ring_lost)
	assert [ "$lost" -gt 0 ]
	assert [ "$(stat_value exits)" -ge 2000 ]
	# still one reader: the device is taken
	run $RING info
	assert_failure
	# the late reader finds whole records and, once it has made room,
	# a LOST record before the next record (the flush makes one)
	run bash -c "$RING dump 7 && echo flush > /proc/greenai/control &&
		$RING dump 7"
	assert_success
	assert_line --regexp '^LOST [0-9]+ [0-9]+ [0-9]+$'
	# the last LOST record counts every drop since the reader opened;
	# with the ring drained, nothing is dropped after it
	local rec
	rec=($(grep '^LOST ' <<<"$output" | tail -n 1))
	assert [ "${rec[3]}" -ge "$lost" ]
	assert_equal "${rec[3]}" "$(stat_value ring_lost)"
	run grep -A1 '^LOST ' <<<"$output"
	assert_line --index 1 --regexp '^(INTERVAL|EXIT) '
	exec 7<&-
}
