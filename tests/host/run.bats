#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# greenai run on this machine's BPF backend (power model: no RAPL here):
# the command's exit status and signals pass through, the carbon label's
# CO2e is its energy times the intensity, the ledger has the run, a run
# whose greenai was killed is marked incomplete by the next, and bad
# usage changes nothing. Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	unset GREENAI_REGION
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

# label_field KEY: the first word after KEY in the label ($output)
label_field() {
	awk -v k="$1" '$1 == k { print $2; exit }' <<<"$output"
}

@test "run: the label's CO2e is its energy times the intensity, and the ledger has it" {
	run "$GREENAI" run --model digits-mlp --region FR --accuracy 97.5 \
		--tag team=vision --ledger "$LEDGER" -- "$BIN/spin" 1
	assert_success
	assert_line --regexp '^greenai: run [0-9]+ of model digits-mlp, exit status 0$'
	local cpu e uj co2 want mg
	cpu=$(awk '$1 == "cpu" { print $3 * 1000; exit }' <<<"$output")
	[ "$cpu" -ge 900 ] && [ "$cpu" -le 1100 ] || fail "spin 1 ran $cpu ms"
	e=$(label_field energy)
	uj=$(tr -d . <<<"$e")
	uj=$((10#$uj))
	[ "$uj" -gt 0 ] || fail "no energy: $output"
	mg=$(awk '$2 == "\"FRA\"," { print $4 + 0 }' "$TOP/tools/lib/intensity_table.c")
	co2=$(label_field co2e | tr -d .)
	co2=$((10#$co2))
	want=$(( (uj * mg + 1800000000) / 3600000000 ))
	[ "$co2" -eq "$want" ] || fail "co2e $co2 ug, energy $uj uJ x $mg mg/kWh is $want ug"
	assert_line --regexp '^  green score +[0-9.e+]+ '
	run ledger "SELECT model, status, exit_code, co2_ug, mg_per_kwh, region, accuracy_pct FROM runs"
	assert_output "digits-mlp|1|0|$co2|$mg|FRA|97.5"
	run ledger "SELECT key, value FROM run_tags"
	assert_output "team|vision"
	run ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE kind IN ('package', 'dram', 'psys', 'gpu')"
	assert_output "$uj"
}

@test "run: the command's exit status and its metrics file come back" {
	run "$GREENAI" run --ledger "$LEDGER" -- sh -c \
		'printf "accuracy=88.5\nloss=-0.25\nthis is not a metric\n" >"$GREENAI_METRICS"; exit 7'
	assert_failure 7
	assert_line --regexp '^  accuracy +88.5 %$'
	assert_line --partial "1 bad line(s) in \$GREENAI_METRICS skipped (line 3: not key=value)"
	run ledger "SELECT exit_code, accuracy_pct FROM runs"
	assert_output "7|88.5"
	run ledger "SELECT key, value FROM run_metrics ORDER BY key"
	assert_output "accuracy|88.5
loss|-0.25"
}

# wait_run_started: until a greenai run has its command in its cgroup,
# <cgroup2>/greenai.runs/<greenai's pid>; prints that pid. ($! may be a
# subshell's.)
wait_run_started() {
	local i d
	for i in $(seq 500); do
		for d in "$CG"/greenai.runs/*/; do
			grep -q . "$d/cgroup.procs" 2>/dev/null && basename "$d" && return 0
		done
		sleep 0.01
	done
	fail "greenai run never started its command"
}

@test "run: a signal to greenai goes to the command, whose status it returns" {
	"$GREENAI" run --ledger "$LEDGER" -- sleep 60 2>/dev/null &
	local job=$! pid rc=0
	pid=$(wait_run_started)
	kill -TERM "$pid"
	wait "$job" || rc=$?
	[ "$rc" -eq 143 ] || fail "exit status $rc, not 128 + SIGTERM"
	run ledger "SELECT status, exit_code FROM runs"
	assert_output "1|143"
	[ ! -d "$CG/greenai.runs/$pid" ] || fail "the run's cgroup is left behind"
}

@test "run: a run whose greenai was killed is marked incomplete by the next" {
	"$GREENAI" run --ledger "$LEDGER" -- sleep 60 2>/dev/null &
	local job=$! pid
	pid=$(wait_run_started)
	kill -KILL "$pid"
	wait "$job" || true
	# what it ran is orphaned in its cgroup: stop it, remove the cgroup
	echo 1 >"$CG/greenai.runs/$pid/cgroup.kill"
	run ledger "SELECT status FROM runs"
	assert_output 0
	run "$GREENAI" run --ledger "$LEDGER" -- true
	assert_success
	run ledger "SELECT id, status FROM runs ORDER BY id"
	assert_output "1|2
2|1"
	local i
	for i in $(seq 500); do
		rmdir "$CG/greenai.runs/$pid" 2>/dev/null && break
		sleep 0.01
	done
}

@test "run: bad usage is refused before anything is made" {
	local bad
	for bad in "--pue 0.5" "--pue 1.2345" "--tag novalue" "--tag =v" \
		"--interval-ms 5" "--interval-ms 1x" "--backend kernel" \
		"--region ZZ" "--intensity -3" "--accuracy 120" "--bogus"; do
		# shellcheck disable=SC2086
		run "$GREENAI" run --ledger "$LEDGER" $bad -- true
		assert_failure 2
		assert_output --partial "Try 'greenai run --help'"
	done
	run "$GREENAI" run --ledger "$LEDGER"
	assert_failure 2
	assert_output --partial "no command to run"
	run "$GREENAI" run --model "$(printf 'a\nb')" --ledger "$LEDGER" -- true
	assert_failure 2
	[ ! -e "$LEDGER" ] || fail "bad usage made the ledger"
}
