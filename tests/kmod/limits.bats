#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# What the module keeps and what it lets hold it up: rows of removed
# cgroups and of processes whose exits it never folded go, a reader that
# faults in its copy out holds up nothing, flushes are rate-limited, and
# the gid= group lets in no one from another user namespace.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	[ -z "${GATE_FD:-}" ] || exec {GATE_FD}>&-
	_kmod_teardown
}

# until_true SECONDS CMD...: run CMD, with a flush before each try, until
# it succeeds or SECONDS have passed; fails then.
until_true() {
	local deadline=$((SECONDS + $1))
	shift
	while :; do
		flush 2>/dev/null || true
		"$@" && return 0
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# cgroup_row ID: the line of cgroup ID in /proc/greenai/cgroups.
cgroup_row() {
	awk -v c="$1" '$1 == c' /proc/greenai/cgroups
}

has_cgroup_row() {
	[ -n "$(cgroup_row "$1")" ]
}

# no_exit_pending: no exit waits to be folded, after two closes (the
# caller's last try's processes exit in the first, are folded in the
# second).
no_exit_pending() {
	flush 2>/dev/null
	flush 2>/dev/null
	[ "$(stat_value exits_pending)" -eq 0 ]
}

# in_userns CMD...: busybox's CMD as root of a user namespace of its own,
# in group 4242, with CAP_SYS_ADMIN there only; run from the initramfs's
# root, where the rig's root is /newroot, since a chrooted process may not
# make a user namespace.
in_userns() {
	setpriv --regid=4242 --clear-groups \
		nsenter --root=/proc/1/root --wd=/ \
		/bin/busybox unshare -r /bin/busybox "$@"
}

# stale_rows: rows of /proc/greenai/tasks whose pid names no process,
# after two closes (the processes of the caller's last try exit in the
# first, and are folded in the second).
stale_rows() {
	local p n=0
	flush 2>/dev/null
	flush 2>/dev/null
	for p in $(awk '!/^#/ && $1 != "overflow" { print $1 }' /proc/greenai/tasks); do
		[ -d "/proc/$p" ] || n=$((n + 1))
	done
	echo "$n"
}

no_stale_rows() {
	[ "$(stale_rows)" -eq 0 ]
}

@test "rows of removed cgroups are handed on, so a new cgroup still gets a row of its own" {
	insmod "$GREENAI_KO" max_cgroups=16
	local keep kid before parent out=$BATS_TEST_TMPDIR/records
	local gate=$BATS_TEST_TMPDIR/gate collector ovf g id id2 n=0
	keep=$(new_cgroup greenai-keep)
	"$BIN/cgspawn" "$keep" "$BIN/spin" 0.2 2>/dev/null
	kid=$(stat -c %i "$keep")
	until_true 60 has_cgroup_row "$kid" || fail "no row for the cgroup kept"
	until_true 60 no_exit_pending || fail "exits still pending"
	flush
	before=$(cgroup_row "$kid")
	# the ring is read from here to the end
	mkfifo "$gate"
	$RING collect "$out" -- bash -c "read -r _ <'$gate'" 3>&- &
	collector=$!
	TEST_PIDS+=($collector)
	# cgroups made and run in until the table is full...
	parent=$(new_cgroup greenai-churn)
	while [ "$(stat_value cgroups)" -lt 16 ]; do
		n=$((n + 1))
		[ "$n" -le 16 ] || fail "the table does not fill: $(cat /proc/greenai/stats)"
		new_cgroup "greenai-churn/c$n" >/dev/null
		"$BIN/cgspawn" "$parent/c$n" /bin/true 2>/dev/null
		id=$(stat -c %i "$parent/c$n")
		until_true 60 has_cgroup_row "$id" || fail "no row for c$n"
	done
	# ...so that the next one's process is charged to the overflow row
	ovf=$(stat_value cgroup_overflows)
	new_cgroup greenai-churn/c0 >/dev/null
	"$BIN/cgspawn" "$parent/c0" /bin/true 2>/dev/null
	until_true 60 eval '[ "$(stat_value cgroup_overflows)" -gt "$ovf" ]' ||
		fail "a cgroup beyond the table got a row"
	# all removed: a new cgroup's busy loop gets a row of its own
	for id in $(seq 0 "$n"); do
		rmdir "$parent/c$id"
	done
	g=$(new_cgroup greenai-after)
	"$BIN/cgspawn" "$g" "$BIN/spin" 60 2>/dev/null &
	TEST_PIDS+=($!)
	id2=$(stat -c %i "$g")
	until_true 120 has_cgroup_row "$id2" || fail "no row for the new cgroup: $(cat /proc/greenai/stats)"
	# (the new cgroup needed one row handed on; the sweeps hand on all)
	until_true 120 eval '[ "$(stat_value cgroups_removed)" -ge "$n" ]' ||
		fail "$n rows made, not all handed on: $(cat /proc/greenai/stats)"
	echo >"$gate"
	wait "$collector" || fail "the ring's reader failed"
	# handed on: a record for each row that went, and the row is gone
	run awk '$1 == "CGONE" { print $3 }' "$out"
	assert [ "${#lines[@]}" -ge "$n" ]
	for id in "${lines[@]}"; do
		run cgroup_row "$id"
		assert_output ""
	done
	# the rows still add up to each domain's energy
	assert_conserved
	# the kept cgroup's row is as it was
	assert_equal "$(cgroup_row "$kid")" "$before"
}

@test "rows of processes whose exits were dropped go once the processes are gone" {
	insmod "$GREENAI_KO" interval_ms=10000
	local gate=$BATS_TEST_TMPDIR/gate out=$BATS_TEST_TMPDIR/burst b burst
	mkfifo "$gate"
	# 10 batches of 200 children on CPU 0, an interval closed after each
	# (a CPU's buffer has room for 256 processes), then 2000 exits on
	# CPU 0 in one interval: more than the 1024 a CPU records
	"$BIN/exitburst" 10 200 <"$gate" >"$out" &
	burst=$!
	TEST_PIDS+=($burst)
	exec {GATE_FD}>"$gate"
	for b in $(seq 10); do
		echo >&"$GATE_FD"
		until_true 120 grep -q "^batch $b\$" "$out" || fail "batch $b did not start"
		flush
	done
	assert [ "$(stat_value tasks)" -ge 1200 ]
	echo >&"$GATE_FD"
	# no flush until all have exited
	wait "$burst" || fail "the children were not reaped"
	flush
	assert [ "$(stat_value exits_dropped)" -gt 0 ]
	until_true 120 no_stale_rows || fail "$(stale_rows) rows of processes gone"
	assert [ "$(stat_value tasks_swept)" -gt 0 ]
}

@test "flushes beyond the rate limit get EBUSY and close nothing" {
	insmod "$GREENAI_KO" interval_ms=10000
	run $RING flushes 200
	assert_success
	local f=($output)
	# ok K busy B intervals I
	assert [ "${f[3]}" -gt 0 ]
	assert_equal "${f[5]}" "${f[1]}"
	assert_equal "$(stat_value flushes_refused)" "${f[3]}"
	# the control file's flush is limited alike
	run bash -c 'for i in $(seq 300); do echo flush >/proc/greenai/control || exit 1; done'
	assert_failure
	assert_output --partial "busy"
}

@test "flushes before a process is gone for good do not force its exit's fold" {
	insmod "$GREENAI_KO" interval_ms=10000
	local out=$BATS_TEST_TMPDIR/records during=$BATS_TEST_TMPDIR/during
	local pid held
	# the helper's child has exited and been reaped, but a perf event
	# holds one of its threads: the module cannot fold the exit. Then
	# 150 flushes, each a close: the module waits 10 s, not a number of
	# closes, before it folds an exit whatever
	run $RING collect "$out" -- python3 "$TOP/tests/kmod/helpers/held_exit.py" -- \
		sh -c 'n=0
		while [ $n -lt 150 ]; do
			echo flush 2>/dev/null >/proc/greenai/control && n=$((n + 1))
		done
		cat /proc/greenai/tasks >"$1.tasks"' - "$during"
	assert_success
	assert_line "released"
	pid=$(printf '%s\n' "${lines[@]}" | awk '$1 == "pid" { print $2 }')
	held=$(printf '%s\n' "${lines[@]}" | awk '$1 == "held_ms" { print $2 }')
	[[ $pid =~ ^[0-9]+$ && $held =~ ^[0-9]+$ ]] || fail "helper: $output"
	[ "$held" -lt 9000 ] ||
		skip "150 flushes took ${held} ms, near the 10 s the module waits"
	# while held: its row waits, not folded by force, though 150 closes
	# came (exits_forced, the whole module's, is left alone: on a busy
	# machine other exits may wait 10 s)
	run awk -v p="$pid" '$1 == p { n++ } END { print n + 0 }' "$during.tasks"
	assert_output 1
	# released: folded once
	run awk -v p="$pid" '$1 == "EXIT" && $3 == p { n++ } END { print n + 0 }' "$out"
	assert_output 1
}

@test "a reader whose buffer faults in its copy out holds up neither intervals nor /proc/greenai" {
	insmod "$GREENAI_KO" interval_ms=50
	local out=$BATS_TEST_TMPDIR/reader p q deadline
	$RING stall-read >"$out" 2>&1 &
	p=$!
	TEST_PIDS+=($p)
	# until the read waits in its fault (30 s at most)
	deadline=$((SECONDS + 30))
	until grep -q userfault "/proc/$p/stack" 2>/dev/null ||
		grep -q userfault "/proc/$p/wchan" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the reader did not stall: $(cat "$out")"
		sleep 0.1
	done
	# intervals keep closing, the files and a flush answer (30 s at most)
	(
		i0=$(stat_value intervals)
		d=$((SECONDS + 30))
		until [ "$(stat_value intervals)" -gt $((i0 + 3)) ]; do
			[ "$SECONDS" -lt "$d" ] || exit 1
			sleep 0.1
		done
		flush && cat /proc/greenai/tasks >/dev/null
	) &
	q=$!
	deadline=$((SECONDS + 40))
	while kill -0 "$q" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
	local stuck=0
	kill -0 "$q" 2>/dev/null && stuck=1
	kill -9 "$p"
	wait "$q" || fail "intervals did not close while the reader was stalled"
	assert_equal "$stuck" 0
	grep -q reading "$out"
}

@test "the gid= group is refused to a reader in another user namespace" {
	insmod "$GREENAI_KO" gid=4242
	run setpriv --reuid=65534 --regid=4242 --clear-groups \
		cat /proc/greenai/tasks
	assert_success
	[ -d /proc/1/root/newroot/proc ] || skip "not the rig's guest layout"
	run in_userns cat /proc/self/uid_map /newroot/proc/greenai/tasks
	assert_failure
	assert_output --regexp "^ *0 +0 +1"
	assert_output --partial "Permission denied"
	run in_userns dd if=/newroot/dev/greenai of=/dev/null count=0
	assert_failure
	assert_output --partial "Permission denied"
}
