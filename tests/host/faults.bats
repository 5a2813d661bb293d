#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection: an energy source that vanishes or returns garbage while
# the exporter reads it (a FAKE powercap tree, from the unit tests'
# fixture: the host may have no RAPL), a ledger on a full disk, a ledger
# another writer holds, and kill -9 of the exporter and of a greenai run
# whose command is frozen. Nothing already recorded may be lost, and the
# next start recovers. Runs as root (BPF, cgroups, a tmpfs mount).

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/exporter
	[ "$(id -u)" -eq 0 ] || skip "needs root here (BPF, cgroups, mount)"
	EXPORTER=$TOP/build/greenai-exporter
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	T=$BATS_TEST_TMPDIR
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$T/config
	PIDS=()
	MNT=
	ORPHAN=
}

teardown() {
	local p
	end_pids KILL
	if [ -n "$ORPHAN" ] && [ -d "$ORPHAN" ]; then
		echo 1 >"$ORPHAN/cgroup.kill"
		for p in $(seq 500); do
			rmdir "$ORPHAN" 2>/dev/null && break
			sleep 0.01
		done
	fi
	[ -z "$MNT" ] || umount "$MNT"
}

# start_exporter ARGS...: greenai-exporter (test_helper/exporter.bash),
# sampling every 0.2 s, no ledger
start_exporter() {
	exporter_start -i 0.2 --no-ledger "$@"
}

# until_metric REGEX: scrape (60 s at most) until a line matches
until_metric() {
	local deadline=$((SECONDS + 60))
	while :; do
		output=$(curl -fsS "http://127.0.0.1:$PORT/metrics") || true
		grep -qE -- "$1" <<<"$output" && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	fail "never: $1: $(grep -E '^greenai_node_(joules_total|zone)' <<<"$output")"
}

@test "an energy source that vanishes or returns garbage keeps its energy, says so, and goes on when it is back" {
	local f base
	cp -a "$TOP/tests/fixtures/powercap-intel" "$T/root"
	f=$T/root/sys/class/powercap/intel-rapl:0/energy_uj
	base=$(cat "$f")
	start_exporter --root "$T/root"
	until_metric '^greenai_node_zone_up\{.*zone="package-0".*\} 1$'
	echo $((base + 10000000)) >"$f"
	until_metric '^greenai_node_joules_total\{.*zone="package-0",provenance="measured"\} 10\.000000$'
	# garbage: the zone is down, its energy stays
	echo "not a number" >"$f"
	until_metric '^greenai_node_zone_up\{.*zone="package-0".*\} 0$'
	until_metric '^greenai_node_zone_read_errors_total\{.*zone="package-0".*\} [1-9]'
	grep -qE '^greenai_node_joules_total\{.*zone="package-0",provenance="measured"\} 10\.000000$' <<<"$output" ||
		fail "the energy moved: $output"
	# gone: the same
	rm "$f"
	until_metric '^greenai_node_zone_read_errors_total\{.*zone="package-0".*\} ([3-9]|[1-9][0-9]+)$'
	grep -qE '^greenai_node_joules_total\{.*zone="package-0",provenance="measured"\} 10\.000000$' <<<"$output" ||
		fail "the energy moved: $output"
	grep -q "zone package-0: .*; its energy stays where it was" "$T/exporter.log" ||
		fail "$(cat "$T/exporter.log")"
	# back, 20 J on: counted from the last good reading
	echo $((base + 20000000)) >"$f"
	until_metric '^greenai_node_joules_total\{.*zone="package-0",provenance="measured"\} 20\.000000$'
	until_metric '^greenai_node_zone_up\{.*zone="package-0".*\} 1$'
	grep -q "zone package-0 reads again" "$T/exporter.log"
	curl -fs "http://127.0.0.1:$PORT/healthz"
}

@test "a full disk: a run that cannot be recorded is not started, one that was keeps its start, and the next run recovers" {
	local L
	MNT=$T/disk
	mkdir "$MNT"
	mount -t tmpfs -o size=1m tmpfs "$MNT"
	L=$MNT/ledger.db
	"$GREENAI" run --ledger "$L" --model first -- true 2>/dev/null
	# fill the disk: the next run cannot be begun, so it does not start
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true
	run --separate-stderr "$GREENAI" run --ledger "$L" --model second -- touch "$T/ran"
	assert_failure 125
	[[ $stderr == *"cannot read or write it (is its disk full?)"* ]] || fail "$stderr"
	[ ! -e "$T/ran" ] || fail "the command ran though it could not be recorded"
	# room to begin, then the command fills the disk before the end: the
	# end is written if SQLite finds room in its journal, else said, and
	# the run is then marked incomplete; either way the label is printed
	# and the command's status returned
	rm "$MNT/fill"
	run --separate-stderr "$GREENAI" run --ledger "$L" --model third -- \
		sh -c "dd if=/dev/zero of='$MNT/fill' bs=4k 2>/dev/null; exit 3"
	assert_failure 3
	[[ $stderr == *"greenai: run "*" of model third, exit status 3"* ]] || fail "$stderr"
	local third=done
	[[ $stderr != *"recording a run's end"* ]] || third=incomplete
	# room again: what was recorded is there
	rm "$MNT/fill"
	run "$GREENAI" report --by run --format json --ledger "$L"
	assert_success
	python3 -c '
import json, sys
got = [(r["model"], r["status"]) for r in json.loads(sys.argv[1])]
assert got == [("first", "done"), ("third", sys.argv[2])], got
' "$output" "$third" || fail "$output"
	"$GREENAI" run --ledger "$L" --model fourth -- true 2>/dev/null
}

@test "a ledger another writer holds: a run waits for it, then is recorded" {
	local L=$T/ledger.db
	"$GREENAI" run --ledger "$L" -- true 2>/dev/null
	# another writer takes the ledger until the test says
	mkfifo "$T/release"
	python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
open(sys.argv[3]).read()
db.execute("COMMIT")
' "$L" "$T/locked" "$T/release" &
	PIDS+=($!)
	local deadline=$((SECONDS + 60)) job nr
	until [ -e "$T/locked" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the other writer never took the ledger"
		sleep 0.01
	done
	"$GREENAI" run --ledger "$L" --model waited -- touch "$T/ran" 2>"$T/err" &
	job=$!
	PIDS+=("$job")
	# the run waits: it has the ledger open and sleeps in SQLite's busy
	# wait (clock_nanosleep or nanosleep), its command not started
	until [ -n "$(find "/proc/$job/fd" -lname "$L" 2>/dev/null)" ] &&
		read -r nr _ <"/proc/$job/syscall" &&
		{ [ "$nr" = 230 ] || [ "$nr" = 35 ]; }; do
		kill -0 "$job" 2>/dev/null || fail "the run did not wait: $(cat "$T/err")"
		[ "$SECONDS" -lt "$deadline" ] || fail "the run never waited for the ledger"
		sleep 0.01
	done
	[ ! -e "$T/ran" ] || fail "the command ran before the run was recorded"
	echo >"$T/release"
	wait "$job" || fail "the run failed: $(cat "$T/err")"
	[ -e "$T/ran" ] || fail "the command never ran"
	run python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT COUNT(*), SUM(model = '"'waited'"' AND status = 1) FROM runs").fetchone())' "$L"
	assert_output "(2, 1)"
}

# until_events DIR LINE: wait (60 s at most) for LINE in DIR/cgroup.events
until_events() {
	local deadline=$((SECONDS + 60))
	until grep -qx "$2" "$1/cgroup.events" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# state_value KEY: a figure of the exporter's state file
state_value() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$T/state" "$1"
}

@test "the exporter killed with -9 starts again from its last state: counters go on from there" {
	local saved c1 i before after
	start_exporter --save-every 1
	until_metric '^greenai_node_co2_grams_total\{.*\} 0\.[0-9]*[1-9]'
	# a state file written since the counters grew (60 s at most)
	local deadline=$((SECONDS + 60))
	until [ -s "$T/state" ] && [ "$(state_value node_co2_ug)" -gt 0 ]; do
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.01
	done
	[ "$(state_value node_co2_ug)" -gt 0 ] || fail "no state saved"
	kill -9 "$EXPORTER_PID"
	wait "$EXPORTER_PID" || true
	saved=$(state_value node_co2_ug)
	# the state file is whole (written, then renamed)
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/state"
	start_exporter --save-every 1
	output=$(curl -fsS "http://127.0.0.1:$PORT/metrics")
	c1=$(awk '/^greenai_node_co2_grams_total\{/ { print $NF }' <<<"$output")
	python3 -c 'import sys; assert round(float(sys.argv[1]) * 1e6) >= int(sys.argv[2]), sys.argv[1:]' \
		"$c1" "$saved" || fail "after the restart $c1 g, saved $saved ug"
	grep -c "listening on port" "$T/exporter.log" | grep -qx 2
}

@test "greenai run killed with -9 while its command is frozen: the next greenai thaws it" {
	local pid
	# clean while the command starts, dirty once it runs
	grid_series "$T/s.csv" 0
	printf 'intensity_file = %s\nintensity_refresh = 1\n' "$T/s.csv" >"$T/greenai.conf"
	GREENAI_CONFIG=$T/greenai.conf "$GREENAI" run --ledger "$T/l.db" \
		--interval-ms 100 --carbon-aware --max-intensity 500 -- \
		"$BIN/spin" 600 2>"$T/err" &
	pid=$!
	PIDS+=("$pid")
	ORPHAN=$CG/greenai.runs/$pid
	until_events "$ORPHAN" "populated 1" || fail "never started: $(cat "$T/err")"
	grid_series "$T/s.csv" 1
	until_events "$ORPHAN" "frozen 1" || fail "never frozen: $(cat "$T/err")"
	kill -9 "$pid"
	wait "$pid" || true
	# the next command that opens the ledger finds the run's owner gone
	run "$GREENAI" report --by run --format json --ledger "$T/l.db"
	assert_success
	until_events "$ORPHAN" "frozen 0" || fail "still frozen"
	python3 -c '
import json, sys
runs = json.loads(sys.argv[1])
assert [r["status"] for r in runs] == ["incomplete"], runs
' "$output" || fail "$output"
}
