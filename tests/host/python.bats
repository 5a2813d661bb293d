#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The Python package (python/greenai) and greenai run --pid under it, on
# the host's BPF backend: a PyTorch training loop in `with greenai.track`
# is measured in a cgroup of its own, gets the figures its ledger row has,
# and goes back to its cgroup; the decorator; a block inside greenai run
# joins it; what a block's child processes run is in its run; log() and
# greenai run --pid refuse bad input and change nothing. Runs as root
# (BPF, cgroups); Debian's python3 with python3-torch and python3-sklearn.

setup() {
	load ../test_helper/common-setup
	_common_setup
	PY=/usr/bin/python3
	export PYTHONPATH=$TOP/python
	export GREENAI_BIN=$TOP/build/greenai
	HELPER=$TOP/tests/host/helpers/py_track.py
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	unset GREENAI_REGION GREENAI_CONFIG GREENAI_METRICS GREENAI_RUN_ID
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	PIDS=()
}

teardown() {
	end_pids KILL
	# a test cgroup, and a run cgroup left in it by a failure
	if [ -n "${LIM:-}" ] && [ -d "$LIM" ]; then
		find "$LIM" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
		rmdir "$LIM"
	fi
}

needs_root() {
	[ "$(id -u)" -eq 0 ] || skip "greenai run --pid needs root (BPF, cgroups)"
	[ -x "$GREENAI_BIN" ] || fail "no $GREENAI_BIN: make tools"
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	"$PY" -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

# field KEY: KEY of the JSON object on the last line of $output
field() {
	tail -n 1 <<<"$output" | "$PY" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1"
}

# gone CGROUP: the run's cgroup (its path from the cgroup2 root) is gone
gone() {
	[[ $1 == */greenai-run-[0-9]* ]] || fail "not a run's cgroup: '$1'"
	[ ! -e "$CG$1" ] || fail "$1 is left"
}

# run_of FROM CGROUP: CGROUP is a --pid run's, made in the cgroup FROM
run_of() {
	[[ $2 == ${1%/}/greenai-run-[0-9]* ]] ||
		fail "'$2' is not a run's cgroup in '$1'"
}

# wait_for FILE PID: until FILE has something in it, while PID lives
# (30 s at most)
wait_for() {
	local until=$((SECONDS + 30))
	until [ -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || fail "process $2 ended: $(cat "$1")"
		[ "$SECONDS" -lt "$until" ] || fail "nothing in $1 after 30 s"
		sleep 0.05
	done
}

# start_pid_run PID ARGS...: greenai run --pid PID ARGS in the background,
# its standard input a FIFO the test holds open on fd 9 (exec 9>&- ends
# the run), standard output in $OUT, standard error in $OUT.err; returns
# once its "started" line is there. GPID is greenai's pid, RUN_CG the
# run's cgroup.
start_pid_run() {
	local pid=$1
	shift
	OUT=$BATS_TEST_TMPDIR/out
	# (a run before's files gone: the first line waited for is this one's)
	rm -f "$BATS_TEST_TMPDIR/in" "$OUT" "$OUT.err"
	mkfifo "$BATS_TEST_TMPDIR/in"
	"$GREENAI_BIN" run --pid "$pid" "$@" <"$BATS_TEST_TMPDIR/in" \
		>"$OUT" 2>"$OUT.err" &
	GPID=$!
	PIDS+=("$GPID")
	exec 9>"$BATS_TEST_TMPDIR/in"
	wait_for "$OUT" "$GPID"
	RUN_CG=$(sed -n '1s/.* cgroup=//p' "$OUT")
}

# greenai_run ARGS...: greenai run ARGS, stdin /dev/null, as `run` would
# ($status, $output), in the background for its pid; its cgroup
# (greenai.runs/<pid>, or greenai-run-<pid> for --pid) must not be left
greenai_run() {
	"$GREENAI_BIN" run "$@" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 &
	local p=$!
	status=0
	wait "$p" || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/run.out")
	[ ! -e "$CG/greenai.runs/$p" ] || fail "greenai.runs/$p is left"
	[ -z "$(find "$CG" -maxdepth 8 -type d -name "greenai-run-$p")" ] ||
		fail "greenai-run-$p is left"
}

@test "python: the package's unit tests pass (no greenai needed)" {
	run "$PY" -m unittest discover -s "$TOP/tests/python" -v
	assert_success
	assert_output --partial "OK"
}

@test "python: a PyTorch loop in greenai.track is measured, recorded as the ledger has it, and goes back to its cgroup" {
	needs_root
	run --separate-stderr "$PY" "$HELPER" train "$LEDGER"
	assert_success
	# the label went to standard error
	# shellcheck disable=SC2154 # (run --separate-stderr sets it)
	[[ $stderr == *"greenai: run "*" of model digits-mlp"* ]] ||
		fail "no label: $stderr"
	# inside the block, the process was in the run's cgroup; after, back
	[ "$(field inside)" = "$(field started_cgroup)" ]
	run_of "$(field before)" "$(field inside)"
	[ "$(field after)" = "$(field before)" ]
	[ "$(field env_after)" = "null" ]
	local id uj acc
	id=$(field ledger_id)
	uj=$(field energy_uj)
	[ "$uj" -gt 0 ] || fail "no energy: $output"
	[ "$(field joined)" = false ]
	# measured or estimated, and the sources, as the ledger and label say
	local est
	est=$(ledger "SELECT MAX(estimated) FROM run_energy WHERE run_id = $id AND in_total = 1")
	[ "$(field estimated)" = "$([ "$est" = 1 ] && echo true || echo false)" ]
	[[ $stderr == *"; energy from $(field source)"$'\n'* ]] ||
		fail "source '$(field source)' is not the label's: $stderr"
	[[ $(field idle_policy) == capacity* ]]
	[ "$(field green_score)" != null ]
	acc=$(field accuracy)
	local cg
	cg=$(field cgroup)
	# the run's figures are its ledger row's
	local report
	report=$("$GREENAI_BIN" report --by run --format json --ledger "$LEDGER")
	run "$PY" -c 'import json, sys
runs = {r["id"]: r for r in json.loads(sys.argv[1])}
r = runs[int(sys.argv[2])]
print(r["energy_uj"], r["model"], r["accuracy_pct"], r["status"],
      r["tags"]["team"], r["units"], r["unit"], r["python_version"],
      sorted(r["metrics"]))' "$report" "$id"
	assert_output "$uj digits-mlp $acc done vision 397.0 predictions $("$PY" -c 'import platform; print(platform.python_version())') ['accuracy', 'loss']"
	# the run object has them too
	[ "$(field units)" = 397.0 ] && [ "$(field unit)" = predictions ]
	run ledger "SELECT model, status, exit_code, command LIKE 'pid %: %py_track.py train %' FROM runs WHERE id = $id"
	assert_output "digits-mlp|1|0|1"
	gone "$cg"
}

@test "python: @greenai.track measures each call of the function" {
	needs_root
	run --separate-stderr "$PY" "$HELPER" decorator "$LEDGER"
	assert_success
	[ "$(field returned)" = "$(field accuracy)" ]
	run_of "$(field before)" "$(field inside)"
	[ "$(field after)" = "$(field before)" ]
	local uj
	uj=$(field energy_uj)
	[ "$uj" -gt 0 ]
	gone "$(field cgroup)"
	run ledger "SELECT model, accuracy_pct IS NOT NULL, (SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE run_id = runs.id AND in_total = 1) FROM runs"
	assert_output "digits-dec|1|$uj"
}

@test "python: a block inside greenai run joins that run: no second run, its metrics in the outer one" {
	needs_root
	run --separate-stderr "$GREENAI_BIN" run --model outer --ledger "$LEDGER" \
		-- "$PY" "$HELPER" joined "$LEDGER"
	assert_success
	[ "$(field joined)" = true ]
	[ "$(field energy_j)" = null ]
	[ "$(field co2e_g)" = null ]
	# it stayed in the outer run's cgroup
	[[ $(field before) == /greenai.runs/* ]]
	[ "$(field inside)" = "$(field before)" ]
	[ "$(field after)" = "$(field before)" ]
	local id
	id=$(field ledger_id)
	run ledger "SELECT id, model, accuracy_pct, units, unit, python_version = '$("$PY" -c 'import platform; print(platform.python_version())')' FROM runs"
	assert_output "$id|outer|91.5|1797.0|images|1"
	run ledger "SELECT key, value FROM run_metrics ORDER BY key"
	assert_output $'accuracy|91.5\nepochs|3.0'
}

@test "python: what a block's subprocess and forked child run is in its run" {
	needs_root
	run --separate-stderr "$PY" "$HELPER" children "$LEDGER"
	assert_success
	local cg
	cg=$(field inside)
	run_of "$(field before)" "$cg"
	[ "$(field subprocess_cgroup)" = "$cg" ]
	[ "$(field forked_cgroup)" = "$cg" ]
	# each child spun 0.3 s of CPU time (its own count): the run has
	# that CPU time, within the 10 % greenai's own count may differ by
	"$PY" -c 'import sys
run, children = float(sys.argv[1]), float(sys.argv[2])
sys.exit(not (children >= 0.6 and run >= 0.9 * children))' \
		"$(field cpu_time_s)" "$(field children_cpu_s)" ||
		fail "run CPU $(field cpu_time_s) s, children $(field children_cpu_s) s"
	[ "$(field after)" = "$(field before)" ]
	gone "$cg"
}

@test "python: greenai's refusal is a GreenaiError with its message" {
	needs_root
	run "$PY" -c 'import greenai
try:
    with greenai.track(model="m", backend="nope"):
        pass
except greenai.GreenaiError as e:
    print("GreenaiError:", e)'
	assert_success
	assert_output --partial "GreenaiError: greenai run --pid failed (exit status 2)"
	assert_output --partial "--backend 'nope'"
}

@test "python: as another user, greenai.track says why it cannot measure" {
	needs_root
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env PYTHONPATH="$PYTHONPATH" GREENAI_BIN="$GREENAI_BIN" \
		GREENAI_AGENT_SOCKET=/nonexistent/agent.sock \
		XDG_CONFIG_HOME=/nonexistent HOME=/nonexistent "$PY" -c 'import greenai
try:
    with greenai.track(model="m"):
        pass
except greenai.GreenaiError as e:
    print("GreenaiError:", e)'
	assert_success
	assert_output --partial "GreenaiError: greenai run --pid failed (exit status 125)"
	assert_output --partial "start the greenai agent"
}

@test "run --pid: the run ends when the process exits, and its metrics file is its to write" {
	needs_root
	local fifo=$BATS_TEST_TMPDIR/go ready=$BATS_TEST_TMPDIR/ready
	mkfifo "$fifo"
	exec 8<>"$fifo"
	# a process whose real ids are root's and whose effective ones (it
	# opens files with) are another user's, not dumpable since; it waits
	# for a line, the metrics file's name, writes to it, exits
	"$PY" -c 'import os, sys
os.setresgid(0, 65534, 0)
os.setresuid(0, 65534, 0)
print("ready", flush=True)
with open(sys.stdin.readline().strip(), "a") as f:
    f.write("accuracy=42\n")' <&8 >"$ready" &
	PIDS+=($!)
	local pid=$!
	wait_for "$ready" "$pid"
	grep -qP '^Uid:\t0\t65534\t0\t65534$' "/proc/$pid/status"
	local from
	from=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	# greenai's stdin stays open: the process's exit ends the run
	start_pid_run "$pid" --model m --ledger "$LEDGER"
	run head -n 1 "$OUT"
	assert_output --regexp '^started run=[0-9]+ metrics=/[^ ]+ cgroup=/([^ ]*/)?greenai-run-[0-9]+$'
	local metrics cg=$RUN_CG
	run_of "$from" "$cg"
	metrics=$(sed -n '1s/.* metrics=\([^ ]*\) .*/\1/p' "$OUT")
	[ "$(stat -c %u:%a "$metrics")" = "65534:600" ]
	grep -qx "0::$cg" "/proc/$pid/cgroup"
	echo "$metrics" >&8
	wait "$GPID" || fail "greenai: exit $?: $(cat "$OUT.err")"
	exec 9>&- 8>&-
	run tail -n +2 "$OUT"
	run "$PY" -c 'import json, sys; j = json.loads(sys.argv[1]); print(j["ended"], j["status"], j["model"], j["pid"])' "$output"
	assert_output "the process exited done m $pid"
	run cat "$OUT.err"
	assert_output --partial "greenai run: the run ends: the process exited"
	run ledger "SELECT key, value FROM run_metrics"
	assert_output "accuracy|42.0"
	[ ! -e "$metrics" ]
	gone "$cg"
}

@test "run --pid: at SIGTERM to greenai the run ends, and the process and what it left running go back" {
	needs_root
	sleep infinity &
	PIDS+=($!)
	local pid=$! from
	from=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	start_pid_run "$pid" --ledger "$LEDGER"
	local cg=$RUN_CG
	run_of "$from" "$cg"
	grep -qx "0::$cg" "/proc/$pid/cgroup"
	# a process the run started, left running: born in the run's cgroup
	local left
	left=$(setsid sh -c 'echo $$ >"$1"/cgroup.procs; sleep infinity >/dev/null 2>&1 & echo $!' sh "$CG$cg")
	PIDS+=($left)
	grep -qx "0::$cg" "/proc/$left/cgroup"
	kill -TERM "$GPID"
	wait "$GPID" || fail "greenai: exit $?: $(cat "$OUT.err")"
	exec 9>&-
	run cat "$OUT.err"
	assert_output --partial "greenai run: the run ends: SIGTERM to greenai"
	assert_output --partial "1 process(es) it left running went to $from"
	grep -qx "0::$from" "/proc/$pid/cgroup"
	grep -qx "0::$from" "/proc/$left/cgroup"
	kill -0 "$left"     # moved, not stopped
	run ledger "SELECT status FROM runs"
	assert_output "1"
	gone "$cg"
}

@test "run --pid: bad usage is refused and changes nothing" {
	needs_root
	sleep infinity &
	PIDS+=($!)
	local pid=$! from c
	from=$(grep '^0::' "/proc/$pid/cgroup")
	for c in \
		"--pid 99999999999|--pid '99999999999': not a process id" \
		"--pid 4194304|--pid 4194304: no such process" \
		"--pid abc|--pid 'abc': not a process id" \
		"--pid 0|--pid '0': not a process id" \
		"--pid $pid -- true|--pid: a process or a command, not both" \
		"--pid $pid --cgroup /|one of --pid, --cgroup, --container and --unit" \
		"--pid $pid --duration 1m|--duration: not with --pid" \
		"--pid $pid --carbon-aware --max-intensity 100|--carbon-aware: greenai pauses only a command it starts" \
		"--pid 2|--pid 2: a kernel thread" \
		"--pid $pid --model|" ; do
		local args=${c%%|*} want=${c#*|}
		# shellcheck disable=SC2086
		greenai_run $args --ledger "$LEDGER"
		assert_failure 2
		[ -z "$want" ] || assert_output --partial "$want"
	done
	[ ! -e "$LEDGER" ]
	[ "$(grep '^0::' "/proc/$pid/cgroup")" = "$from" ]
}

@test "run --pid: a thread and a process in a run already are refused" {
	needs_root
	# a thread of a process that is not its leader
	local out=$BATS_TEST_TMPDIR/tid
	"$PY" -c 'import threading, time
t = threading.Thread(target=time.sleep, args=(3600,), daemon=True)
t.start()
print(t.native_id, flush=True)
time.sleep(3600)' >"$out" &
	PIDS+=($!)
	wait_for "$out" "$!"
	greenai_run --pid "$(cat "$out")" --ledger "$LEDGER"
	assert_failure 2
	assert_output --partial "a thread, not a process"
	# a process that greenai run measures already
	run "$GREENAI_BIN" run --ledger "$BATS_TEST_TMPDIR/outer.db" -- \
		sh -c '"$1" run --pid $$ --ledger "$2" </dev/null' sh "$GREENAI_BIN" "$LEDGER"
	assert_failure 2
	assert_output --partial "already in a greenai run (/greenai.runs/"
	[ ! -e "$LEDGER" ]
}

@test "run --pid: only greenai-run-P-N, P and N numbers, is the agent's run cgroup" {
	needs_root
	LIM=$CG/ga-names.$$
	mkdir "$LIM" "$LIM/greenai-run-12-x9" "$LIM/greenai-run-12-34"
	sleep infinity &
	PIDS+=($!)
	local pid=$!
	# a name that only looks like the agent's: measured, and back there
	echo "$pid" >"$LIM/greenai-run-12-x9/cgroup.procs"
	run "$GREENAI_BIN" run --pid "$pid" --ledger "$LEDGER" </dev/null
	assert_success
	refute_output --partial "already in a greenai run"
	grep -qx "0::${LIM#"$CG"}/greenai-run-12-x9" "/proc/$pid/cgroup"
	# the agent's shape: refused, nothing written
	echo "$pid" >"$LIM/greenai-run-12-34/cgroup.procs"
	run "$GREENAI_BIN" run --pid "$pid" --ledger "$BATS_TEST_TMPDIR/l2.db" </dev/null
	assert_failure 2
	assert_output --partial "already in a greenai run (${LIM#"$CG"}/greenai-run-12-34)"
	[ ! -e "$BATS_TEST_TMPDIR/l2.db" ]
}

@test "run --pid: a signal greenai does not pass on (USR1, USR2, ALRM, a real-time one) ends the run, and all goes back" {
	needs_root
	sleep infinity &
	PIDS+=($!)
	local pid=$! from sig metrics cg n=0
	from=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	for sig in USR1 USR2 ALRM RTMIN+3; do
		start_pid_run "$pid" --ledger "$LEDGER"
		cg=$RUN_CG
		n=$((n + 1))
		metrics=$(sed -n '1s/.* metrics=\([^ ]*\) .*/\1/p' "$OUT")
		grep -qx "0::$cg" "/proc/$pid/cgroup"
		kill -s "$sig" "$GPID"
		wait "$GPID" || fail "greenai: SIG$sig: exit $?: $(cat "$OUT.err")"
		exec 9>&-
		run cat "$OUT.err"
		if [ "$sig" = RTMIN+3 ]; then
			assert_output --partial "the run ends: signal $(($(kill -l RTMIN) + 3)) to greenai"
		else
			assert_output --partial "the run ends: SIG$sig to greenai"
		fi
		grep -qx "0::$from" "/proc/$pid/cgroup"
		[ ! -e "$metrics" ] || fail "SIG$sig: $metrics is left"
		gone "$cg"
		run ledger "SELECT COUNT(*), SUM(status = 1) FROM runs"
		assert_output "$n|$n"
	done
}

@test "run --pid: a process left in the run cgroup of a greenai that was killed is measured again, from where it was" {
	needs_root
	sleep infinity &
	PIDS+=($!)
	local pid=$! from stale
	from=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	start_pid_run "$pid" --ledger "$LEDGER"
	stale=$RUN_CG
	kill -KILL "$GPID"
	wait "$GPID" || true
	exec 9>&-
	# (the killed greenai's metrics file, which nothing can remove)
	rm -f "$(sed -n '1s/.* metrics=\([^ ]*\) .*/\1/p' "$OUT")"
	grep -qx "0::$stale" "/proc/$pid/cgroup"
	# a live run refuses it; this one is stale
	start_pid_run "$pid" --ledger "$LEDGER"
	run cat "$OUT.err"
	assert_output --partial "in $stale, the run cgroup of a greenai that has gone (stale): measured from $from"
	run_of "$from" "$RUN_CG"
	grep -qx "0::$RUN_CG" "/proc/$pid/cgroup"
	[ ! -e "$CG$stale" ] || fail "the stale $stale is left"
	exec 9>&-
	wait "$GPID" || fail "greenai: exit $?: $(cat "$OUT.err")"
	grep -qx "0::$from" "/proc/$pid/cgroup"
	gone "$RUN_CG"
	# the killed run is incomplete, the new one done
	run ledger "SELECT status FROM runs ORDER BY id"
	assert_output $'2\n1'
}

@test "run --pid: the process stays under its cgroup, and its limits, during the run" {
	needs_root
	local lim=$CG/greenai-test-limits-$$ pid limits="" in=$BATS_TEST_TMPDIR/in-lim
	LIM=$lim
	mkdir "$lim"
	# the limits, where the cgroup2 hierarchy has these controllers
	if grep -qw memory "$CG/cgroup.controllers" &&
		grep -qw pids "$CG/cgroup.controllers"; then
		echo "+memory +pids" >"$CG/cgroup.subtree_control"
		echo 512M >"$lim/memory.max"
		echo 64 >"$lim/pids.max"
		limits=1
	fi
	sh -c 'echo $$ >"$1/cgroup.procs" && echo in >"$2" && exec sleep infinity' \
		sh "$lim" "$in" &
	PIDS+=($!)
	pid=$!
	wait_for "$in" "$pid"
	grep -qx "0::${lim#"$CG"}" "/proc/$pid/cgroup"
	start_pid_run "$pid" --ledger "$LEDGER"
	[[ $(sed -n 's/^0:://p' "/proc/$pid/cgroup") == "${lim#"$CG"}"/* ]] ||
		fail "not under ${lim#"$CG"}: $(cat "/proc/$pid/cgroup")"
	[ "$RUN_CG" = "${lim#"$CG"}/greenai-run-$GPID" ]
	if [ -n "$limits" ]; then
		[ "$(cat "$lim/memory.max")" = 536870912 ]
		[ "$(cat "$lim/pids.max")" = 64 ]
		# what the run cgroup counts is counted in the limited one
		[ "$(cat "$lim/pids.current")" -ge "$(cat "$CG$RUN_CG/pids.current")" ]
		[ "$(cat "$CG$RUN_CG/pids.current")" -ge 1 ]
	fi
	exec 9>&-
	wait "$GPID" || fail "greenai: exit $?: $(cat "$OUT.err")"
	grep -qx "0::${lim#"$CG"}" "/proc/$pid/cgroup"
	gone "$RUN_CG"
	end_pids KILL
	PIDS=()
	rmdir "$lim"
}
