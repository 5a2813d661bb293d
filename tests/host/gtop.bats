#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# gtop on the host's BPF backend: batch mode's text and JSON lines
# parsed (two busy processes with their model labels, sorted, figures that
# agree with greenai stat over the same window, an exited process kept),
# bad usage refused, and the screen driven in tmux: start, views, sort,
# filter, help, resize, quit with the terminal given back. Runs as root.

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "gtop needs root here (BPF)"
	GTOP=$TOP/build/gtop
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	[ -x "$GTOP" ] || fail "no $GTOP: make tools"
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	# the test's own tmux server, whatever else runs tmux
	TMUX_L=gtop-test.$$
	PIDS=()
}

teardown() {
	local p
	# (a test may have left a process stopped: it gets its signal once
	# continued)
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		kill -CONT "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	tmux -L "$TMUX_L" kill-server 2>/dev/null || true
}

# run_model NAME SECS: spin for SECS of CPU time under greenai run --model
# NAME; the spinning process's pid in RUN_PID, greenai's in RUN_OWNER. The
# tests give a spin that outlives them (teardown stops it), so that it is
# there, busy, whenever gtop looks, however slow the machine.
run_model() {
	"$GREENAI" run --model "$1" --ledger "$BATS_TEST_TMPDIR/l.db" \
		-- "$BIN/spin" "$2" >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" &
	PIDS+=($!)
	RUN_OWNER=$!
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		# (not there yet: greenai has not made it)
		RUN_PID=$(head -n 1 "$CG/greenai.runs/$RUN_OWNER/cgroup.procs" 2>/dev/null ||
			true)
		[ -n "$RUN_PID" ] && return 0
		sleep 0.01
	done
	fail "greenai run --model $1 never started: $(cat "$BATS_TEST_TMPDIR/run.err")"
}

# json_check SCRIPT: the Python SCRIPT on the last JSON line in $output
# (as j), with the pids A and B
json_check() {
	python3 -c 'import json, sys
j = json.loads(sys.stdin.read().splitlines()[-1])
A, B = int(sys.argv[1]), int(sys.argv[2])
exec(sys.argv[3])' "${A:-0}" "${B:-0}" "$1" <<<"$output"
}

@test "gtop -b --json: two busy processes with their models, sorted by power" {
	run_model alpha 600
	A=$RUN_PID
	run_model beta 600
	B=$RUN_PID
	run "$GTOP" -b -n 2 -d 0.5 --json
	assert_success
	assert_equal "${#lines[@]}" 2
	json_check '
rows = {r["pid"]: r for r in j["rows"]}
assert j["view"] == "process" and j["backend"].startswith("bpf")
for pid, model in ((A, "alpha"), (B, "beta")):
    r = rows[pid]
    assert r["model"] == model, r
    assert r["cpu_pct"] > 0 and r["power_w"] > 0 and r["energy_uj"] > 0, r
    assert r["name"].endswith("spin 600") and not r["exited"], r
p = [r["power_w"] for r in j["rows"]]
assert p == sorted(p, reverse=True), p
assert sum(d["energy_uj"] for d in j["domains"] if d["in_total"]) == j["energy_uj"]
assert j["idle_policy"].startswith("capacity: package-0 "), j["idle_policy"]
' || fail "$output"
	# --idle none: the rows' power with idle is their active power
	run "$GTOP" -b -n 2 -d 0.5 --json --idle none
	assert_success
	json_check '
assert j["idle_policy"].startswith("none: package-0 "), j["idle_policy"]
for r in j["rows"]:
    assert abs(r["power_idle_w"] - r["power_w"]) < 1e-9, r
' || fail "$output"
	# the model view sums them; --model keeps one
	run "$GTOP" -b -n 1 -d 0.5 --json --view model --model alpha
	assert_success
	json_check '
assert [r["name"] for r in j["rows"]] == ["alpha"], j["rows"]
assert j["rows"][0]["processes"] == 1 and j["rows"][0]["power_w"] > 0
' || fail "$output"
	# and sorting by name, ascending, is sorted so
	run "$GTOP" -b -n 1 -d 0.5 --json --sort name --ascending
	json_check '
n = [r["name"] for r in j["rows"]]
assert n == sorted(n), n
' || fail "$output"
}

@test "gtop -b --tree: each cgroup followed by its own processes" {
	run_model alpha 600
	A=$RUN_PID
	run "$GTOP" -b -n 1 -d 0.5 --json --tree
	assert_success
	json_check '
import os
rows, head, seen = j["rows"], None, False
assert j["view"] == "cgroup" and rows and "depth" not in rows[0]
for r in rows:
    if r.get("depth", 0) == 0:
        head = r["key"]
        continue
    assert r["depth"] == 1
    try:
        cg = open("/proc/%d/cgroup" % r["pid"]).read().split("::")[-1].strip()
    except OSError:
        continue    # gone since
    assert cg == head, (r, head, cg)
    seen |= r["pid"] == A
assert seen, "the spin is not under its cgroup"
' || fail "$output"
}

# until_grep FILE ERE: wait (60 s at most) for a line of FILE to match ERE
until_grep() {
	local deadline=$((SECONDS + 60))
	until grep -qE -- "$2" "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "never in $1: '$2': $(cat "$1")"
		sleep 0.01
	done
}

# cpu_ticks PID: the CPU time of process PID so far, clock ticks
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "gtop -b agrees with greenai stat over the same window" {
	run_model alpha 600
	A=$RUN_PID
	PIDS+=("$A")
	local out=$BATS_TEST_TMPDIR/gtop stat=$BATS_TEST_TMPDIR/stat gt st t0 deadline
	# The spin runs only while both windows are open, so that both count
	# the same work whatever the machine's pace: it is stopped until then;
	# each tool is stopped once its window is open (gtop's second, once it
	# has printed the first; greenai stat's, once it has printed an
	# interval); the spin runs 0.3 s of CPU time and is stopped; then the
	# tools end their windows.
	kill -STOP "$A"
	"$GTOP" -b -n 2 -d 2 --json -p "$A" >"$out" &
	gt=$!
	PIDS+=("$gt")
	until_grep "$out" .
	kill -STOP "$gt"
	[ "$(wc -l <"$out")" -eq 1 ] || fail "gtop ended its window before it was stopped"
	"$GREENAI" stat -p "$A" -I 100 3 >"$stat" &
	st=$!
	PIDS+=("$st")
	until_grep "$stat" '^greenai stat: '
	kill -STOP "$st"
	! grep '^greenai stat: ' "$stat" | grep -qv '^greenai stat: 0\.100 s' ||
		fail "greenai stat ended its window before it was stopped"
	t0=$(cpu_ticks "$A")
	kill -CONT "$A"
	deadline=$((SECONDS + 60))
	until [ "$(cpu_ticks "$A")" -ge $((t0 + $(getconf CLK_TCK) * 3 / 10)) ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the spin never ran"
		sleep 0.01
	done
	kill -STOP "$A"
	kill -CONT "$gt" "$st"
	wait "$gt" || fail "gtop failed"
	wait "$st" || fail "greenai stat failed"
	kill -CONT "$A"
	output=$(cat "$out")
	local total cpu j
	total=$(awk '/^greenai stat: / { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$stat")
	cpu=$(awk '$3 == "CPU" { print $1 }' <<<"$total")
	j=$(awk '$3 == "package-0" { print $1 }' <<<"$total")
	[ -n "$cpu" ] && [ -n "$j" ] || fail "stat: $(cat "$stat")"
	# the same work in both: 2 % on CPU time, 25 % on energy (the
	# power model splits the machine's, which moves, over each tool's
	# own intervals)
	json_check "
r = j['rows']
assert len(r) == 1 and r[0]['pid'] == A, r
cpu = r[0]['cpu_pct'] / 100 * j['interval_s']
assert abs(cpu / $cpu - 1) < 0.02, (cpu, $cpu)
e = r[0]['energy_uj'] / 1e6
assert abs(e / $j - 1) < 0.25, (e, $j)
" || fail "gtop: $output; stat: $(cat "$stat")"
}

@test "gtop -b keeps a process that exited between two refreshes, marked" {
	local out=$BATS_TEST_TMPDIR/out job i n
	"$GTOP" -b -n 3 -d 1 --keep 30 --json >"$out" &
	job=$!
	PIDS+=("$job")
	# once gtop has refreshed (it reads the backend), it is stopped while
	# a job starts and ends: the job is shorter than one refresh whatever
	# the pace of the machine
	for i in $(seq 3000); do
		[ -s "$out" ] && break
		sleep 0.01
	done
	[ -s "$out" ] || fail "gtop never refreshed"
	kill -STOP "$job"
	n=$(wc -l <"$out")
	[ "$n" -lt 3 ] || fail "gtop made all its refreshes before it could be stopped"
	"$BIN/spin" 0.3 &
	A=$!
	wait "$A"
	kill -CONT "$job"
	wait "$job"
	output=$(cat "$out")
	json_check '
r = [r for r in j["rows"] if r["pid"] == A]
assert len(r) == 1, j["rows"]
assert r[0]["exited"] and r[0]["energy_uj"] > 0, r
' || fail "$output"
	# and the text says so
	run "$GTOP" -b -n 1 -d 0.2 --keep 30 -p "$$"
	assert_success
	assert_line --index 0 --regexp '^gtop - [0-9:]+ up [0-9.]+ s, backend bpf .*, [0-9]+ processes, [0-9]+ exited$'
	assert_line --regexp '^ +PID +POWER_W +W\+IDLE +ENERGY_J +CO2_G +CPU% +GPU_W +MODEL +FRAMEWORK +CONTAINER +COMMAND$'
}

@test "gtop without permission says what is missing and how to fix it" {
	run runuser -u nobody -- env -u XDG_CONFIG_HOME HOME=/nonexistent \
		"$GTOP" -b -n 1 -d 0.1
	assert_failure 1
	assert_line --index 0 --regexp '^gtop: no energy backend: .*Operation not permitted'
	assert_line --partial "run gtop as root, or load greenai.ko"
	refute_line --partial "libbpf"
	refute_output --partial "POWER_W"
}

@test "gtop's screen on 8-colour and colourless terminals, and -c" {
	local term
	for term in xterm vt100; do
		tmux -L "$TMUX_L" new-session -d -s g -x 80 -y 24 \
			"TERM=$term $GTOP -d 0.3 -c /"
		screen_has "view process"
		screen_has "COMMAND"
		tmux -L "$TMUX_L" send-keys -t g q
		tmux -L "$TMUX_L" kill-server 2>/dev/null || true
	done
	# -c keeps what is under a cgroup, nothing else
	run_model alpha 600
	A=$RUN_PID
	local cg
	cg=$(awk -F:: '/^0::/ { print $2 }' "/proc/$A/cgroup")
	run "$GTOP" -b -n 1 -d 0.3 --json -c "$cg"
	assert_success
	json_check '
assert [r["pid"] for r in j["rows"]] == [A], j["rows"]
' || fail "$output"
}

@test "gtop refuses bad usage with a message, before opening anything" {
	local bad
	for bad in "-d 0" "-d x" "-d 4000" "-n 0" "-n x" "--view pods" \
		"--sort colour" "-p abc" "-p 0" "-c relative/path" "--json" \
		"--keep -1" "--backend gpu" "--region Atlantis" "--bogus" "extra" \
		"--idle most" "--idle-power 0"; do
		run "$GTOP" $bad
		assert_failure 2
		assert_line --index 0 --regexp '^gtop: '
		assert_line "Try 'gtop --help'."
	done
	run "$GTOP" --help
	assert_success
	assert_line --index 0 --regexp '^usage: gtop '
}

# screen_grep FLAG TEXT: wait (60 s at most) for a line of the tmux screen
# that has TEXT (FLAG -F) or matches the extended regex TEXT (FLAG -E).
# Matched in the shell: a grep would carry TEXT on its command line, and
# gtop lists that process too, so under a filter on TEXT it would be a
# row of its own.
screen_grep() {
	local deadline=$((SECONDS + 60)) screen line
	while :; do
		screen=$(tmux -L "$TMUX_L" capture-pane -p -t g)
		if [ "$1" = -F ]; then
			[[ $screen == *"$2"* ]] && return 0
		else
			while IFS= read -r line; do
				[[ $line =~ $2 ]] && return 0
			done <<<"$screen"
		fi
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.01
	done
	fail "not on the screen: '$2'; screen: $screen"
}

# screen_has TEXT: TEXT on the screen
screen_has() {
	screen_grep -F "$1"
}

# screen_matches ERE: a line matching ERE on the screen
screen_matches() {
	screen_grep -E "$1"
}

@test "gtop's screen: views, sort, filter, help, resize and quit, driven by keys" {
	command -v tmux >/dev/null || fail "no tmux"
	run_model alpha 600
	A=$RUN_PID
	tmux -L "$TMUX_L" new-session -d -s g -x 100 -y 30 \
		"TERM=xterm-256color bash --norc --noprofile"
	tmux -L "$TMUX_L" send-keys -t g "$GTOP -d 0.3" Enter
	screen_has "view process  sort power desc"
	screen_has "POWER W"
	# views: v goes process, cgroup, container, model, vm
	tmux -L "$TMUX_L" send-keys -t g v
	screen_has "view cgroup"
	screen_has "CGROUP"
	tmux -L "$TMUX_L" send-keys -t g v v
	screen_has "view model"
	screen_has "alpha"
	tmux -L "$TMUX_L" send-keys -t g v
	screen_has "view vm"
	tmux -L "$TMUX_L" send-keys -t g v
	screen_has "view process"
	# the mouse (SGR reports, as xterm sends them): a click on the CO2
	# header sorts by it; one on the second row selects it, f follows it
	local y pid
	y=$(tmux -L "$TMUX_L" capture-pane -p -t g | grep -n '^ *PID  *POWER W' | cut -d: -f1)
	tmux -L "$TMUX_L" send-keys -t g -l "$(printf '\e[<0;38;%dM\e[<0;38;%dm' "$y" "$y")"
	screen_has "sort co2 desc"
	# (paused, so that the rows stay where they were read)
	tmux -L "$TMUX_L" send-keys -t g Space
	screen_has "[paused]"
	pid=$(tmux -L "$TMUX_L" capture-pane -p -t g | sed -n "$((y + 2))p" | awk '{ print $1 }')
	tmux -L "$TMUX_L" send-keys -t g -l "$(printf '\e[<0;3;%dM\e[<0;3;%dm' $((y + 2)) $((y + 2)))"
	tmux -L "$TMUX_L" send-keys -t g f
	screen_has "following $pid"
	tmux -L "$TMUX_L" send-keys -t g f Space
	# sort: E by energy, i inverts
	tmux -L "$TMUX_L" send-keys -t g E
	screen_has "sort energy desc"
	tmux -L "$TMUX_L" send-keys -t g i
	screen_has "sort energy asc"
	# filter: only rows with "alpha" stay
	tmux -L "$TMUX_L" send-keys -t g / a l p h a Enter
	screen_has "filter: alpha"
	# (looked for under the filter, where it is one of two rows: a busy
	# machine's other processes may outrank it on the unfiltered screen)
	screen_matches "^ *$A .* alpha +/"
	# its command, cut to fit the column: the start of the spin's
	local line cmd
	while IFS= read -r line; do
		[[ $line =~ ^\ *$A\  ]] && break
	done < <(tmux -L "$TMUX_L" capture-pane -p -t g)
	cmd=${line##* alpha }
	cmd=${cmd#"${cmd%%[! ]*}"}
	cmd=${cmd%"${cmd##*[! ]}"}
	[ -n "$cmd" ] && [[ "$BIN/spin 600" == "$cmd"* ]] ||
		fail "the spin's row shows '$cmd' for its command: $line"
	# (the spin, labelled alpha, and greenai run --model alpha: no other)
	local other
	other=$(tmux -L "$TMUX_L" capture-pane -p -t g |
		awk -v a="$A" -v o="$RUN_OWNER" '/^ +PID +POWER/ { on = 1; next }
			on && /^ +[0-9]+ / && $1 != a && $1 != o')
	[ -z "$other" ] || fail "rows without alpha under the filter: $other"
	tmux -L "$TMUX_L" send-keys -t g Escape
	# help and back
	tmux -L "$TMUX_L" send-keys -t g h
	screen_has "gtop help: the live energy view"
	tmux -L "$TMUX_L" send-keys -t g x
	screen_has "view process"
	# narrow: the wide columns go, the command stays
	tmux -L "$TMUX_L" resize-window -t g -x 80 -y 24
	screen_has "COMMAND"
	! tmux -L "$TMUX_L" capture-pane -p -t g | grep -q "CONTAINER" ||
		fail "80 columns still show CONTAINER"
	# quit: the shell is back, off the alternate screen, cursor shown
	tmux -L "$TMUX_L" send-keys -t g q
	local deadline=$((SECONDS + 60))
	until [ "$(tmux -L "$TMUX_L" display -p -t g '#{alternate_on}')" = 0 ]; do
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.01
	done
	assert_equal "$(tmux -L "$TMUX_L" display -p -t g '#{alternate_on}')" 0
	assert_equal "$(tmux -L "$TMUX_L" display -p -t g '#{cursor_flag}')" 1
	tmux -L "$TMUX_L" send-keys -t g "echo shell-is-back-\$((6 * 7))" Enter
	screen_has "shell-is-back-42"
}

@test "gtop -b: names anyone can choose reach the terminal escaped, never raw" {
	# a cgroup and a process whose names hold a terminal escape and a
	# tab or a newline (cgroupfs refuses a newline)
	local g pid deadline=$((SECONDS + 60))
	g=$CG/greenai-esc.$$
	mkdir -p "$g/"$'\e[2Jcg\tx'
	PIDS+=("")
	bash -c "echo \$\$ >'$g/'\$'\\e[2Jcg\\tx''/cgroup.procs'
		exec -a \$'\\e[2Jevil\\nline' $BIN/spin 600" &
	pid=$!
	PIDS[-1]=$pid
	until tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q evil; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the process never took its name"
		sleep 0.01
	done
	local view
	for view in process cgroup; do
		run "$GTOP" -b -n 2 -d 0.5 --view "$view"
		assert_success
		if printf '%s' "$output" | grep -q $'\e'; then
			fail "$view view: an escape byte reached the terminal: $(printf '%s' "$output" | od -c | head)"
		fi
	done
	assert_line --regexp '/greenai-esc\.[0-9]+/\\033\[2Jcg\\011x$'
	run "$GTOP" -b -n 2 -d 0.5
	assert_line --regexp "^ *$pid .*\\\\033\\[2Jevil\\\\012line 600$"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rmdir "$g/"$'\e[2Jcg\tx' "$g"
}
