#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The greenai agent (docs/agent.md): greenai-exporter --agent-socket on the
# host's BPF backend, answering two unprivileged users made for the test
# (ga-test-a and ga-test-b, removed after it) and root. Each user runs a
# busy process; the users speak the protocol through
# helpers/agent_client.py, and use greenai and gtop through libgreenai's
# agent mode. Runs as root.

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/cgroups
	[ "$(id -u)" -eq 0 ] || skip "the agent needs root here (BPF, users)"
	EXPORTER=$TOP/build/greenai-exporter
	[ -x "$EXPORTER" ] || fail "no $EXPORTER: make tools"
	_cgroups_setup
	unset GREENAI_REGION GREENAI_CONFIG GREENAI_AGENT_SOCKET
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	T=$BATS_TEST_TMPDIR
	PIDS=()
	STRAY=()
	# the users reach the test's directory, and the programs in it: the
	# checkout may be where they cannot
	local d=$T
	while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ] && [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	mkdir -m 755 "$T/bin"
	cp "$TOP/build/greenai" "$TOP/build/gtop" \
		"$TOP/tests/host/helpers/agent_client.py" "$T/bin/"
	chmod 755 "$T/bin"/*
	local u
	for u in a b; do
		userdel -f "ga-test-$u" 2>/dev/null || true
		useradd -M -s /bin/sh "ga-test-$u"
		mkdir -m 700 "$T/home-$u"
		chown "ga-test-$u" "$T/home-$u"
	done
	UID_A=$(id -u ga-test-a)
	UID_B=$(id -u ga-test-b)
	# each user's processes start in a cgroup of the test's: the run
	# cgroups the agent makes inside them go with them
	UCG_a=$(new_cgroup "ga-agent-a.$$")
	UCG_b=$(new_cgroup "ga-agent-b.$$")
	SOCK=$T/agent/agent.sock
}

teardown() {
	local p c deadline
	end_pids
	# busy children the users' clients left, in their run cgroups
	for c in $(find "$UCG_a" "$UCG_b" -mindepth 1 -depth -type d \
		-name 'greenai-run-*' 2>/dev/null); do
		remove_cgroup "$c"
	done
	for p in "${STRAY[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	deadline=$((SECONDS + 30))
	for p in "${STRAY[@]}"; do
		while [ -d "/proc/$p" ] && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.05
		done
	done
	_cgroups_teardown
	userdel -f ga-test-a 2>/dev/null || true
	userdel -f ga-test-b 2>/dev/null || true
}

# as_cmd USER: AS, the command that runs what follows it as ga-test-USER,
# in USER's test cgroup, in a clean environment that points at the test's
# agent; sh, setpriv and env exec it, so that it keeps their pid
as_cmd() {
	local ucg=UCG_$1
	AS=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "${!ucg}" setpriv --reuid="ga-test-$1" --regid="ga-test-$1" --clear-groups
		env -i PATH=/usr/bin:/bin HOME="$T/home-$1"
		GREENAI_AGENT_SOCKET="${AGENT_SOCK:-$SOCK}"
		GREENAI_CALIBRATION="$T/home-$1/idle-power")
}

# as USER CMD...: CMD as ga-test-USER (as_cmd)
as() {
	as_cmd "$1"
	shift
	"${AS[@]}" "$@"
}

# start_agent [LISTEN]: the exporter as an agent only (or with HTTP on
# LISTEN too, its port then in PORT), sampling every second (every
# AGENT_INTERVAL s when set); back once its socket answers (60 s at most)
start_agent() {
	"$EXPORTER" --listen "${1:-none}" --agent-socket "$SOCK" \
		-i "${AGENT_INTERVAL:-1}" --no-ledger \
		--state "$T/state" 2>>"$T/exporter.log" 3>&- &
	PIDS+=("$!")
	local deadline=$((SECONDS + 60))
	PORT=
	until [ -S "$SOCK" ] && "$T/bin/agent_client.py" "$SOCK" sample \
		>/dev/null 2>&1 && { [ -z "$1" ] || { PORT=$(sed -n \
		's/.*listening on port \([0-9]*\),.*/\1/p' "$T/exporter.log" |
		tail -n 1) && [ -n "$PORT" ]; }; }; do
		[ "$SECONDS" -lt "$deadline" ] ||
			fail "the agent never answered: $(cat "$T/exporter.log")"
		kill -0 "${PIDS[-1]}" 2>/dev/null ||
			fail "the exporter stopped: $(cat "$T/exporter.log")"
		sleep 0.05
	done
}

# busy USER: a busy process of ga-test-USER (not a child of any client);
# its pid in BUSY
busy() {
	as_cmd "$1"
	"${AS[@]}" sh -c 'while :; do :; done' 3>&- &
	BUSY=$!
	PIDS+=("$BUSY")
}

# facts USER: what USER (or root for "root") is given: agent_client.py's
# lines
facts() {
	if [ "$1" = root ]; then
		"$T/bin/agent_client.py" "$SOCK" sample
	else
		as "$1" "$T/bin/agent_client.py" "$SOCK" sample
	fi
}

# until_seen USER FACT...: wait until each FACT is among USER's (the agent
# has sampled it), 60 s at most
until_seen() {
	local u=$1 f out deadline=$((SECONDS + 60))
	shift
	for f in "$@"; do
		until out=$(facts "$u") && grep -qx "$f" <<<"$out"; do
			[ "$SECONDS" -lt "$deadline" ] ||
				fail "$u never saw '$f': $out"
			sleep 0.1
		done
	done
}

# two_busy: a busy process of each user, pa and pb (the caller's locals),
# once root sees both
two_busy() {
	busy a
	pa=$BUSY
	busy b
	pb=$BUSY
	until_seen root "task $pa" "task $pb"
}

@test "agent: each user sees their own processes only, root sees both" {
	local pa pb
	start_agent
	two_busy
	until_seen a "task $pa"
	until_seen b "task $pb"

	run facts a
	assert_success
	assert_line "task $pa"
	refute_line "task $pb"
	# the domains described, their machine-wide energy not given
	assert_line --regexp '^domain [a-z]+-?[0-9]* no-totals$'
	refute_line --regexp '^domain .* totals$'
	run facts b
	assert_success
	assert_line "task $pb"
	refute_line "task $pa"
	run facts root
	assert_line "task $pa"
	assert_line "task $pb"
	assert_line --regexp '^domain .* totals$'
}

@test "agent: greenai stat -p and gtop work for a user's own process, not another's" {
	local pa pb
	start_agent
	two_busy

	run as a "$T/bin/greenai" stat -p "$pa" 2
	assert_success
	assert_output --partial "s, agent"
	assert_output --partial "CPU time"
	refute_output --partial "nothing of the target ran"
	# the CPU time of a busy process over the window is not nothing
	refute_output --regexp ' 0\.000 s  CPU time'

	# another's process: not to be counted (not even found)
	run as a "$T/bin/greenai" stat -p "$pb" 2
	assert_output --regexp "nothing of the target ran|-p '$pb': no such process"
	refute_output --partial "CPU time"

	# the machine's energy is root's
	run as a "$T/bin/greenai" stat -a 1
	assert_failure
	assert_output --partial "the machine's energy is root's only"

	run as a "$T/bin/gtop" -b -n 2 -d 1
	assert_success
	assert_output --partial "backend agent"
	assert_output --partial "power: the machine's is root's only"
	assert_output --regexp "(^|[^0-9])$pa "
	refute_output --regexp "(^|[^0-9])$pb "
}

# busy_in DIR: a busy process of root's in cgroup DIR
busy_in() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec sh -c "while :; do :; done"' \
		"$1" 3>&- &
	PIDS+=("$!")
}

@test "agent: a cgroup a user owns, and those below it, are theirs; another's or root's are not" {
	local d c e f ic ie iff
	start_agent
	# delegated to a: d (and c, root's, below it), and the leaf e; f is
	# root's. Each holds a busy process of root's, not a's
	d=$(new_cgroup "ga-deleg-d.$$")
	c=$(new_cgroup "ga-deleg-d.$$/inner")
	e=$(new_cgroup "ga-deleg-e.$$")
	f=$(new_cgroup "ga-deleg-f.$$")
	chown ga-test-a "$d" "$e"
	busy_in "$c"
	busy_in "$e"
	busy_in "$f"
	ic=$(stat -c %i "$c")
	ie=$(stat -c %i "$e")
	iff=$(stat -c %i "$f")
	until_seen root "cgroup $ic" "cgroup $ie" "cgroup $iff"
	until_seen a "cgroup $ic" "cgroup $ie"
	run facts a
	refute_line "cgroup $iff"
	# the processes are root's: not a's
	refute_line --regexp "^task ($(IFS='|'; echo "${PIDS[*]}"))$"
	run facts b
	assert_success
	refute_line "cgroup $ic"
	refute_line "cgroup $ie"
	refute_line "cgroup $iff"
}

@test "agent: run cgroups: a user's own processes only, inside their cgroup, seen by its user and root only, ended once empty" {
	start_agent
	# a's client puts its own busy child in a run cgroup
	run as a "$T/bin/agent_client.py" "$SOCK" run-child
	assert_success
	local ca pa_child path
	pa_child=$(awk '$1 == "child" { print $2 }' <<<"$output")
	STRAY+=("$pa_child")
	ca=$(awk '$1 == "cgroup" { print $2 }' <<<"$output")
	path=$(awk '$1 == "cgroup" { print $3 }' <<<"$output")
	[ -n "$ca" ] || fail "no cgroup in: $output"
	# inside the cgroup the child was in: every limit on it still holds
	[ "$path" = "${UCG_a#"$CG"}/greenai-run-$pa_child-${path##*-}" ] ||
		fail "path $path"
	assert_equal "$(cut -d: -f3 <"/proc/$pa_child/cgroup" | tail -n 1)" "$path"
	run as b "$T/bin/agent_client.py" "$SOCK" run-child
	assert_success
	local cb
	STRAY+=("$(awk '$1 == "child" { print $2 }' <<<"$output")")
	cb=$(awk '$1 == "cgroup" { print $2 }' <<<"$output")

	until_seen root "cgroup $ca" "cgroup $cb"
	until_seen a "cgroup $ca"
	until_seen b "cgroup $cb"
	run facts a
	refute_line "cgroup $cb"
	run facts b
	refute_line "cgroup $ca"

	# another user's process is refused, and nothing moved
	busy a
	local pa=$BUSY
	run as b "$T/bin/agent_client.py" "$SOCK" run-pid "$pa"
	assert_output --partial '"ok":false'
	assert_output --partial "not yours"
	assert_equal "$(cut -d: -f3 <"/proc/$pa/cgroup" | tail -n 1)" \
		"${UCG_a#"$CG"}"
	# one's own process that is not one's child: inside its cgroup too
	run as a "$T/bin/agent_client.py" "$SOCK" run-pid "$pa"
	assert_output --partial '"ok":true'
	assert_output --regexp "\"path\":\"${UCG_a#"$CG"}/greenai-run-$pa-[0-9]+\""
	assert_equal "$(cut -d: -f3 <"/proc/$pa/cgroup" | tail -n 1)" \
		"$(sed 's/.*"path":"\([^"]*\)".*/\1/' <<<"$output")"

	# ending: not another's, not while busy; then gone
	run as b "$T/bin/agent_client.py" "$SOCK" end-run "$ca"
	assert_output --partial "no run cgroup of yours"
	run as a "$T/bin/agent_client.py" "$SOCK" end-run "$ca"
	assert_output --partial "still holds processes"
	[ -d "$CG$path" ]
	remove_cgroup_procs "$CG$path"
	run as a "$T/bin/agent_client.py" "$SOCK" end-run "$ca"
	assert_output '{"ok":true}'
	[ ! -d "$CG$path" ]
}

# remove_cgroup_procs DIR: kill what runs in DIR and wait until it is empty
remove_cgroup_procs() {
	local deadline=$((SECONDS + 60))
	echo 1 >"$1/cgroup.kill"
	until grep -q '^populated 0$' "$1/cgroup.events"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$1 never emptied"
		sleep 0.05
	done
}

@test "agent: a user's greenai run measures its command in a run cgroup the agent makes" {
	start_agent
	local l=$T/home-a/ledger.db
	cp "$TOP/build/greenai" "$T/bin/greenai"
	run --separate-stderr as a "$T/bin/greenai" run --model toy --ledger "$l" -- \
		sh -c 'echo accuracy=90 >>"$GREENAI_METRICS"; i=0
			while [ $i -lt 200000 ]; do i=$((i + 1)); done; times'
	assert_success
	# the shell's own CPU time, as the kernel counted it
	local sh_ns
	sh_ns=$(awk 'NR == 1 { split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.0f\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e9 }' <<<"$output")
	[[ $stderr =~ backend\ +agent ]] || fail "$stderr"
	[[ $stderr != *"sample failed"* ]] || fail "$stderr"
	# the run is in the user's ledger, theirs alone, with its figures;
	# its cgroup was inside the user's, and is gone
	assert_equal "$(stat -c '%U %a' "$l")" "ga-test-a 600"
	run python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT r.model, r.backend, r.accuracy_pct, r.status,"
                    " SUM(e.active_uj + e.idle_uj) > 0, r.cgroup FROM runs r"
                    " JOIN run_energy e ON e.run_id = r.id"):
    print(*r)' "$l"
	assert_output --regexp "^toy agent 90.0 1 1 ${UCG_a#"$CG"}/greenai-run-[0-9]+-[0-9]+\$"
	[ -z "$(find "$UCG_a" -mindepth 1 -type d)" ] || fail "a run cgroup is left"
	# its CPU time is the command's, within 20 % (or 30 ms: the
	# shell's figure is in clock ticks)
	run python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT cpu_ns FROM runs").fetchone()[0])' "$l"
	awk -v a="$output" -v b="$sh_ns" 'BEGIN { d = a - b; if (d < 0) d = -d
		exit !(b > 0 && (d <= 0.2 * b || d <= 30e6)) }' ||
		fail "greenai $output ns, the shell $sh_ns ns"
	# without the agent, the user is told what to start
	kill "${PIDS[@]}"
	wait "${PIDS[@]}" 2>/dev/null || true
	PIDS=()
	run as a "$T/bin/greenai" run --ledger "$l" -- true
	assert_failure
	assert_output --partial "start the greenai agent"
}

@test "agent: a user's greenai.track in Python is measured through the agent, and goes back" {
	start_agent
	local l=$T/home-a/ledger.db
	mkdir -m 755 "$T/py"
	cp -r "$TOP/python/greenai" "$T/py/"
	cp "$TOP/tests/host/helpers/py_track.py" "$T/bin/"
	chmod -R a+rX "$T/py" "$T/bin"
	run as a env PYTHONPATH="$T/py" GREENAI_BIN="$T/bin/greenai" \
		/usr/bin/python3 "$T/bin/py_track.py" train "$l"
	assert_success
	local js=${lines[-1]}
	# in a run cgroup inside its own during the block, back after; the
	# figures are the ledger's
	run /usr/bin/python3 -c 'import json, sqlite3, sys
o = json.loads(sys.argv[1]); db = sqlite3.connect(sys.argv[2])
row = db.execute("SELECT model, backend, SUM(e.active_uj + e.idle_uj), r.cpu_ns"
                 " FROM runs r JOIN run_energy e ON e.run_id = r.id"
                 " AND e.in_total = 1").fetchone()
print(o["before"] == sys.argv[3], o["after"] == o["before"],
      o["inside"].startswith(sys.argv[3] + "/greenai-run-"),
      row[0], row[1], row[2] == o["energy_uj"], row[3] > 0)' \
		"$js" "$l" "${UCG_a#"$CG"}"
	assert_output "True True True digits-mlp agent True True"
	[ -z "$(find "$UCG_a" -mindepth 1 -type d)" ] || fail "a run cgroup is left"
}

@test "agent: a user's --pid run of a process left in a killed root greenai's run cgroup is made inside it, and says so" {
	start_agent
	busy a
	local pa=$BUSY stale gpid deadline=$((SECONDS + 60))
	# (once it is in a's cgroup, as a: as_cmd's exec chain has run)
	until [ "$(tail -n 1 "/proc/$pa/cgroup" | cut -d: -f3)" = "${UCG_a#"$CG"}" ] &&
		[ "$(stat -c %u "/proc/$pa")" = "$UID_A" ] &&
		[ "$(cat "/proc/$pa/comm")" = sh ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$pa never became a's busy sh"
		sleep 0.05
	done
	mkfifo "$T/in"
	"$TOP/build/greenai" run --pid "$pa" --ledger "$T/root.db" <"$T/in" \
		>"$T/out" 2>"$T/err" &
	gpid=$!
	PIDS+=("$gpid")
	exec 9>"$T/in"
	until [ -s "$T/out" ]; do
		kill -0 "$gpid" 2>/dev/null || fail "greenai: $(cat "$T/err")"
		sleep 0.05
	done
	stale=$(sed -n '1s/.* cgroup=//p' "$T/out")
	kill -KILL "$gpid"
	wait "$gpid" || true
	exec 9>&-
	assert_equal "$(tail -n 1 "/proc/$pa/cgroup" | cut -d: -f3)" "$stale"
	run --separate-stderr as a "$T/bin/greenai" run --pid "$pa" \
		--ledger "$T/home-a/l.db" </dev/null
	assert_success
	[[ $stderr == *"in $stale, the run cgroup of a greenai that has gone (stale): the agent makes this run's cgroup inside it, and the process goes back to it at the end"* ]] ||
		fail "$stderr"
	[[ $stderr != *"measured from"* ]] || fail "$stderr"
	[[ ${lines[0]} =~ \ cgroup=$stale/greenai-run-$pa-[0-9]+$ ]] ||
		fail "not inside $stale: ${lines[0]}"
	# back where it was: the stale cgroup, which only root removes
	assert_equal "$(tail -n 1 "/proc/$pa/cgroup" | cut -d: -f3)" "$stale"
}

@test "agent: a user's greenai run killed -9: the agent moves its command back and removes the run cgroup" {
	start_agent
	local gpid rcg cmd deadline=$((SECONDS + 60))
	as_cmd a
	"${AS[@]}" "$T/bin/greenai" run --ledger "$T/home-a/l.db" -- \
		sh -c 'while :; do :; done' 2>"$T/g.err" 3>&- &
	gpid=$!
	PIDS+=("$gpid")
	# once the command runs in its run cgroup
	until rcg=$(find "$UCG_a" -mindepth 1 -maxdepth 1 -type d \
		-name 'greenai-run-*') && [ -n "$rcg" ] &&
		cmd=$(head -n 1 "$rcg/cgroup.procs") && [ -n "$cmd" ] &&
		[ "$(cat "/proc/$cmd/comm" 2>/dev/null)" = sh ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "no run: $(cat "$T/g.err")"
		kill -0 "$gpid" || fail "greenai ended: $(cat "$T/g.err")"
		sleep 0.05
	done
	STRAY+=("$cmd")
	kill -KILL "$gpid"
	wait "$gpid" || true
	# the connection that held the run has closed: the run is ended
	until [ ! -d "$rcg" ]; do
		[ "$SECONDS" -lt "$deadline" ] ||
			fail "$rcg stays: $(cat "$T/exporter.log")"
		sleep 0.05
	done
	# its command goes on, back in the cgroup the run was made in
	kill -0 "$cmd"
	assert_equal "$(tail -n 1 "/proc/$cmd/cgroup" | cut -d: -f3)" "${UCG_a#"$CG"}"
	run cat "$T/exporter.log"
	assert_output --partial "the connection of pid $gpid (uid $UID_A) that held run cgroup ${rcg#"$CG"} closed before end-run: 1 process(es) went back to the cgroup it was made in, and it is removed"
	# a run that ends as it should leaves nothing, and says nothing of it
	run as a "$T/bin/greenai" run --ledger "$T/home-a/l.db" -- true
	assert_success
	[ "$(grep -c "closed before end-run" "$T/exporter.log")" = 1 ]
}

# until_metric AWK: scrape the exporter (PORT) until AWK, a program over
# its lines, exits 0 (60 s at most); the last scrape in output
until_metric() {
	local deadline=$((SECONDS + 60))
	until output=$(curl -fs "http://127.0.0.1:$PORT/metrics") &&
		awk "$1" <<<"$output"; do
		[ "$SECONDS" -lt "$deadline" ] ||
			fail "never met: $1: $(grep '^greenai_model' <<<"$output")"
		sleep 0.1
	done
}

# xattrs DIR: DIR's user.greenai.* xattrs, "name=value" a line, sorted
xattrs() {
	python3 -c 'import os, sys
for n in sorted(os.listxattr(sys.argv[1])):
    if n.startswith("user.greenai."):
        print("%s=%s" % (n[13:], os.getxattr(sys.argv[1], n).decode()))' "$1"
}

@test "agent: a user's greenai run --model is labelled by the agent: the exporter's model series are the user's, with its units" {
	start_agent 127.0.0.1:0
	local m=agent-model-$$ c rpid
	# the command waits for the test (go) before it says its units, so
	# the exporter meets its cgroup without units first (counted whole)
	as a "$T/bin/greenai" run --model "$m" --ledger "$T/home-a/ledger.db" -- \
		sh -c 'while [ ! -e "$0/go" ]; do :; done
			printf "units=42.5\nunit=tokens\n" >"$GREENAI_METRICS"
			while [ ! -e "$0/stop" ]; do :; done' "$T/home-a" \
		>"$T/run.out" 2>"$T/run.log" 3>&- &
	rpid=$!
	PIDS+=("$rpid")
	until_metric "/^greenai_model_cpu_seconds_total\\{.*owner=\"uid:$UID_A\",model=\"$m\"\\} [0-9.]*[1-9]/ { f = 1 } END { exit !f }"
	! grep -q "^greenai_model_.*owner=\"\",model=\"$m\"" <<<"$output" ||
		fail "a series of the model as root's: $output"
	! grep -q "^greenai_model_units_total{.*model=\"$m\"" <<<"$output" ||
		fail "units before any were said"
	# the run cgroup is root's, labelled by the agent
	c=$(find "$UCG_a" -mindepth 1 -type d -name 'greenai-run-*')
	[ -n "$c" ] || fail "no run cgroup"
	assert_equal "$(stat -c %u "$c")" 0
	run xattrs "$c"
	assert_output "model=$m
owner=uid:$UID_A"
	touch "$T/home-a/go"
	until_metric "/^greenai_model_units_total\\{.*owner=\"uid:$UID_A\",model=\"$m\",unit=\"tokens\"\\} / { if (\$NF + 0 == 42.5) f = 1 } END { exit !f }"
	run xattrs "$c"
	assert_output "model=$m
owner=uid:$UID_A
unit=tokens
units=42.5"
	touch "$T/home-a/stop"
	wait "$rpid" || fail "greenai run failed: $(cat "$T/run.log")"
	unset 'PIDS[-1]'
	[[ $(cat "$T/run.log") != *"no model label"* ]] || fail "$(cat "$T/run.log")"
}

@test "agent: label: a user's own run cgroups only; bad values are refused and change nothing" {
	start_agent
	run as a "$T/bin/agent_client.py" "$SOCK" run-child
	assert_success
	local ca path pb
	STRAY+=("$(awk '$1 == "child" { print $2 }' <<<"$output")")
	ca=$(awk '$1 == "cgroup" { print $2 }' <<<"$output")
	path=$(awk '$1 == "cgroup" { print $3 }' <<<"$output")
	# not another user's run cgroup, nor a cgroup the agent did not make
	# (the user's own test cgroup, or its parent)
	run as b "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"label\",\"cgroup_id\":$ca,\"model\":\"stolen\"}"
	assert_output '{"ok":false,"errno":2,"error":"no run cgroup of yours has that id"}'
	run as a "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"label\",\"cgroup_id\":$(stat -c %i "$UCG_a"),\"model\":\"m\"}"
	assert_output '{"ok":false,"errno":2,"error":"no run cgroup of yours has that id"}'
	run as a "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"label\",\"cgroup_id\":$(stat -c %i "$CG"),\"model\":\"m\"}"
	assert_output '{"ok":false,"errno":2,"error":"no run cgroup of yours has that id"}'
	# bad values, alone or beside good ones: refused, nothing set
	local bad
	for bad in '"units":"0"' '"units":"1e13"' '"units":12' '"unit":"a b"' \
		'"model":""' '"model":"a\nb"' '"model":"m","unit":"x/y"' \
		'"model":"m","owner":"uid:0"' '"unit":"tokens","units":"-1"'; do
		run as a "$T/bin/agent_client.py" "$SOCK" raw \
			"{\"op\":\"label\",\"cgroup_id\":$ca,$bad}"
		[[ $output == '{"ok":false,"errno":22,"error":"label'* ]] ||
			fail "{$bad}: $output"
	done
	run xattrs "$CG$path"
	assert_output ""
	run xattrs "$UCG_a"
	assert_output ""
	# a's own run: labelled
	run as a "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"label\",\"cgroup_id\":$ca,\"model\":\"m 1\",\"units\":\"3\",\"unit\":\"img\"}"
	assert_output '{"ok":true}'
	run xattrs "$CG$path"
	assert_output "model=m 1
owner=uid:$UID_A
unit=img
units=3"
	# a run cgroup the agent made for b is b's to label, not a's
	busy b
	pb=$BUSY
	run as b "$T/bin/agent_client.py" "$SOCK" run-pid "$pb"
	assert_output --partial '"ok":true'
	run as a "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"label\",\"cgroup_id\":$(sed 's/.*"cgroup_id":\([0-9]*\).*/\1/' <<<"$output"),\"unit\":\"img\"}"
	assert_output --partial '"error":"no run cgroup of yours has that id"'
}

@test "agent: a user has 32 run cgroups at most; leave-run moves back, end-run removes" {
	start_agent
	busy a
	local pa=$BUSY i ids=()
	# each run cgroup is made inside the one the process is in: nested
	for i in $(seq 32); do
		run as a "$T/bin/agent_client.py" "$SOCK" run-pid "$pa"
		assert_output --partial '"ok":true'
		ids+=("$(sed 's/.*"cgroup_id":\([0-9]*\).*/\1/' <<<"$output")")
	done
	run as a "$T/bin/agent_client.py" "$SOCK" run-pid "$pa"
	assert_output --partial '"error":"too many run cgroups of yours at once (32)"'
	# another user is not counted against a's
	busy b
	run as b "$T/bin/agent_client.py" "$SOCK" run-pid "$BUSY"
	assert_output --partial '"ok":true'
	# the innermost: its process goes back to the one it was made in
	run as a "$T/bin/agent_client.py" "$SOCK" leave-run "${ids[31]}"
	assert_output '{"ok":true,"moved":1}'
	[[ $(cut -d: -f3 <"/proc/$pa/cgroup" | tail -n 1) == */greenai-run-$pa-* ]] ||
		fail "$(cat "/proc/$pa/cgroup")"
	run as a "$T/bin/agent_client.py" "$SOCK" end-run "${ids[31]}"
	assert_output '{"ok":true}'
	run as a "$T/bin/agent_client.py" "$SOCK" run-pid "$pa"
	assert_output --partial '"ok":true'
}

@test "agent: a sample's reply is one uid's, the same for each of its requests until the next sample, each with its own age" {
	local a1 a2 r1 b1 try
	# a sample a minute: the four replies are of one sample, unless one
	# came between them (then again)
	AGENT_INTERVAL=60 start_agent
	until_seen root "sample 1"
	for try in 1 2 3; do
		a1=$(as a "$T/bin/agent_client.py" "$SOCK" raw '{"op":"sample"}')
		r1=$("$T/bin/agent_client.py" "$SOCK" raw '{"op":"sample"}')
		b1=$(as b "$T/bin/agent_client.py" "$SOCK" raw '{"op":"sample"}')
		a2=$(as a "$T/bin/agent_client.py" "$SOCK" raw '{"op":"sample"}')
		# whole JSON each, for its own uid; a's twice alike but for its
		# age, which does not go back; root's is not a's: the machine's
		# totals are root's
		run /usr/bin/python3 - "$UID_A" "$UID_B" "$a1" "$a2" "$b1" "$r1" <<'PY'
import json, sys
ua, ub = int(sys.argv[1]), int(sys.argv[2])
a1, a2, b, r = (json.loads(x) for x in sys.argv[3:7])
if len({x["sample"] for x in (a1, a2, b, r)}) > 1:
    sys.exit(3)
for reply, uid in ((a1, ua), (a2, ua), (b, ub), (r, 0)):
    assert reply["ok"] and reply["uid"] == uid and reply["sample"] >= 1, reply
    assert isinstance(reply["age_ms"], int) and reply["age_ms"] >= 0, reply
assert a2["age_ms"] >= a1["age_ms"], (a1["age_ms"], a2["age_ms"])
del a1["age_ms"], a2["age_ms"]
assert a1 == a2, (a1, a2)
assert not any("energy_uj" in d for d in a1["domains"]), a1["domains"]
assert r["domains"] and all("energy_uj" in d for d in r["domains"]), r
PY
		[ "$status" -eq 3 ] || break
	done
	assert_success
}

@test "agent: no figures finer than a sample a second" {
	run "$EXPORTER" --listen none --agent-socket "$SOCK" -i 0.5
	assert_failure 2
	assert_output --partial "--agent-socket needs an --interval of 1 s or more"
	start_agent
	# 15 requests as fast as they come: at most one new sample a second
	run as a "$T/bin/agent_client.py" "$SOCK" burst
	assert_success
	local n t
	read -r _ n t <<<"$output"
	awk -v n="$n" -v t="$t" 'BEGIN { exit !(n <= int(t) + 2) }' ||
		fail "$n samples in $t s"
}

@test "agent: a bad request gets a clear error and changes nothing" {
	start_agent
	run as a "$T/bin/agent_client.py" "$SOCK" raw 'nonsense'
	assert_output '{"ok":false,"errno":22,"error":"request is not one JSON object"}'
	run as a "$T/bin/agent_client.py" "$SOCK" raw '{"op":"rm","path":"/"}'
	assert_output --partial '"error":"unknown op (hello, sample, run-cgroup, end-run, leave-run, label)"'
	run as a "$T/bin/agent_client.py" "$SOCK" raw '{"op":"run-cgroup","pid":"1"}'
	assert_output --partial '"error":"run-cgroup needs \"pid\", a process id"'
	run as a "$T/bin/agent_client.py" "$SOCK" raw '{"op":"sample","uid":0}'
	assert_output --partial '"error":"sample takes no member but \"op\""'
	run as a "$T/bin/agent_client.py" "$SOCK" raw \
		"{\"op\":\"sample\",\"pad\":\"$(printf '%02000d' 0)\"}"
	assert_output --partial '"error":"request over 1024 bytes"'
	# a uid's 17th connection at once is refused
	run as a /usr/bin/python3 -c 'import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    return s, s.makefile()
held = []
for i in range(16):
    s, f = conn()
    s.sendall(b"{\"op\":\"hello\"}\n")
    held.append((s, f, f.readline()))
print(sum("\"ok\":true" in h for s, f, h in held))
s, f = conn()
print(f.readline().strip())' "$SOCK"
	assert_output '16
{"ok":false,"errno":87,"error":"too many connections of your uid"}'
	# nothing was made, and the agent answers as before
	assert_equal "$(find "$UCG_a" "$UCG_b" -mindepth 1 -type d | wc -l)" 0
	run facts a
	assert_success
	assert_line --regexp '^sample [0-9]+$'
}

@test "agent: a user without the agent is told what to start" {
	AGENT_SOCK=$T/none/agent.sock
	run as a "$T/bin/greenai" stat -a 1
	assert_failure
	assert_output --partial "start the greenai agent: systemctl start greenai-exporter, or greenai-exporter --agent-socket $T/none/agent.sock"
	run as a "$T/bin/gtop" --backend agent -b -n 1
	assert_failure
	assert_output --partial "no greenai agent at $T/none/agent.sock"
}

@test "agent: the exporter's agent flags refuse bad input, and a file in the way is left alone" {
	run "$EXPORTER" --listen none
	assert_failure 2
	assert_output --partial "--listen none needs --agent-socket"
	run "$EXPORTER" --agent-socket agent.sock
	assert_failure 2
	assert_output --partial "--agent-socket: 'agent.sock' is not an absolute path"
	run "$EXPORTER" --backend agent
	assert_failure 2
	assert_output --partial "--backend: 'agent' is not auto, module or bpf"
	echo keep >"$T/file"
	run "$EXPORTER" --listen none --agent-socket "$T/file" --no-ledger \
		--state "$T/state"
	assert_failure
	assert_output --partial "--agent-socket $T/file: there is a file that is not a socket"
	assert_equal "$(cat "$T/file")" keep
	# a second agent on a socket one answers is refused, the first goes on
	start_agent
	run "$EXPORTER" --listen none --agent-socket "$SOCK" --no-ledger \
		--state "$T/state2"
	assert_failure
	assert_output --partial "another agent answers there"
	run facts a
	assert_success
	assert_line --regexp '^sample [0-9]+$'
}
