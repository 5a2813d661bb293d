#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# A cgroup with its descendants, as cpu.stat counts it, on the host's BPF
# backend: greenai stat -c of a parent whose children do the work is the
# parent's cpu.stat over the window, its own figures apart; in one gtop
# snapshot, a parent's row is its own figures and its children's trees,
# and the own figures of the tree add up to it exactly (nothing counted
# twice); greenai run --cgroup of a parent counts children that ended and
# were removed during the run. Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/cgroups
	[ "$(id -u)" -eq 0 ] || skip "greenai needs root here (BPF, cgroups)"
	GREENAI=$TOP/build/greenai
	GTOP=$TOP/build/gtop
	BIN=$TOP/build/tests
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	_cgroups_setup
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	PARENT=greenai-hier.$$
	PIDS=()
}

teardown() {
	end_pids
	_cgroups_teardown
}

# usage_us DIR: the CPU time of cgroup DIR and its descendants so far, µs
usage_us() {
	awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

# spin_in DIR SECS: a spin of SECS CPU seconds in cgroup DIR, in PIDS
spin_in() {
	"$BIN/cgspawn" "$1" "$BIN/spin" "$2" 2>/dev/null &
	PIDS+=($!)
}

# until_ran DIR: until a process of cgroup DIR (not its descendants) has
# run (60 s at most)
until_ran() {
	local deadline=$((SECONDS + 60)) pid
	while :; do
		for pid in $(cat "$1/cgroup.procs"); do
			[ "$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)" -gt 0 ] &&
				return 0
		done
		[ "$SECONDS" -lt "$deadline" ] || fail "nothing ran in $1"
		sleep 0.01
	done
}

@test "stat -c: a parent whose children do the work is its cpu.stat over the window, its own figures apart" {
	local p c out
	p=$(new_cgroup "$PARENT")
	for c in c1 c2 c3/inner; do
		spin_in "$(new_cgroup "$PARENT/$c")" 600
	done
	# the parent has a process of its own too, which works a little
	spin_in "$p" 600
	until_ran "$p"
	local u0 u1 b0 b1
	b0=$(date +%s%N)
	u0=$(usage_us "$p")
	run "$GREENAI" stat -c "/$PARENT" -I 500 2
	u1=$(usage_us "$p")
	b1=$(date +%s%N)
	assert_success
	# the total: the last block
	out=$(awk '/^greenai stat: / { b = "" } { b = b $0 "\n" } END { printf "%s", b }' <<<"$output")
	# the parent, c1, c2 and c3/inner: c3 ran nothing of its own
	grep -q "^cgroup /$PARENT with its descendants (4 cgroups charged)$" <<<"$out" ||
		fail "not the parent with its descendants: $out"
	local cpu own win most least
	cpu=$(awk '$3 == "CPU" { print int($1 * 1000) }' <<<"$out")
	own=$(awk '/^own, without descendants: / { print int($(NF - 3) * 1000) }' <<<"$out")
	win=$(awk '/^greenai stat: / { print int($3 * 1000) }' <<<"$out")
	# four spins ran in the window; cpu.stat read around it counts them
	# all, and what they ran outside it (four threads, at most that long
	# each); 10 ms for rounding and the reads
	most=$(( (u1 - u0) / 1000 + 10 ))
	least=$(( (u1 - u0) / 1000 - 4 * ((b1 - b0) / 1000000 - win) - 10 ))
	[ "$cpu" -le "$most" ] && [ "$cpu" -ge "$least" ] ||
		fail "the parent ran $cpu ms in the window; its cpu.stat: $(( (u1 - u0) / 1000 )) ms in the $(( (b1 - b0) / 1000000 )) ms around it: $out"
	# its own process is one of the four: some, not all
	[ "$own" -gt 0 ] && [ "$own" -lt "$cpu" ] ||
		fail "own $own ms of $cpu ms: $out"
}

@test "gtop: a parent's row is its own figures and its children's, and the tree's own figures add up to it" {
	[ -x "$GTOP" ] || fail "no $GTOP: make tools"
	local p c
	p=$(new_cgroup "$PARENT")
	# c2 runs nothing of its own: its row is its child's
	for c in c1 c2/inner; do
		spin_in "$(new_cgroup "$PARENT/$c")" 600
	done
	spin_in "$p" 600
	until_ran "$p"
	run "$GTOP" -b -n 2 -d 0.5 --json --view cgroup -c "/$PARENT"
	assert_success
	tail -n 1 <<<"$output" | python3 -c '
import json, sys
parent = sys.argv[1]
rows = {r["name"]: r for r in json.loads(sys.stdin.read())["rows"]}
assert set(rows) == {parent, parent + "/c1", parent + "/c2",
                     parent + "/c2/inner"}, sorted(rows)
top = rows[parent]
# the own figures of every cgroup of the tree, once each
own = sum(r["own_energy_uj"] for r in rows.values())
assert own == top["energy_uj"], (own, top["energy_uj"])
# the parent: its own, and its children with theirs
kids = rows[parent + "/c1"]["energy_uj"] + rows[parent + "/c2"]["energy_uj"]
assert top["own_energy_uj"] + kids == top["energy_uj"], (top, kids)
assert rows[parent + "/c2"]["own_energy_uj"] == 0
assert rows[parent + "/c2"]["energy_uj"] == rows[parent + "/c2/inner"]["energy_uj"] > 0
' "/$PARENT" || fail "$output"
}

@test "run --cgroup: children that end and are removed during the run are counted, as cpu.stat counts them" {
	local p keeper log=$BATS_TEST_TMPDIR/run.log c
	p=$(new_cgroup "$PARENT")
	# a process that does not work keeps the parent populated
	"$BIN/cgspawn" "$p" sleep 600 2>/dev/null &
	keeper=$!
	PIDS+=("$keeper")
	"$GREENAI" run --ledger "$BATS_TEST_TMPDIR/ledger.db" \
		--interval-ms 50 --cgroup "/$PARENT" 2>"$log" &
	local run=$!
	PIDS+=("$run")
	local deadline=$((SECONDS + 60))
	until grep -q '^greenai run: measuring ' "$log"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the run never started: $(cat "$log")"
		sleep 0.05
	done
	local u0 u1
	u0=$(usage_us "$p")
	# two children and a grandchild work, end, and their cgroups go
	local kids=()
	for c in c1 c2 c2/inner; do
		spin_in "$(new_cgroup "$PARENT/$c")" 0.3
		kids+=("${PIDS[-1]}")
	done
	for c in "${kids[@]}"; do
		wait "$c"
	done
	rmdir "$p/c2/inner" "$p/c2" "$p/c1"
	u1=$(usage_us "$p")
	# the parent is left with no process: the run ends by itself
	echo 1 >"$p/cgroup.kill"
	wait "$run" || fail "greenai run failed: $(cat "$log")"
	run cat "$log"
	assert_line "greenai run: the run ends: no process is left in its cgroup"
	local cpu
	cpu=$(awk '$1 == "cpu" { print int($3 * 1000); exit }' <<<"$output")
	# 0.3 s of CPU time each, and what cpu.stat counted, within 5 %
	[ "$cpu" -ge 900 ] || fail "$cpu ms for three spins of 300 ms: $output"
	within "$cpu" $(( (u1 - u0) / 1000 )) 5 ||
		fail "$cpu ms; the parent's cpu.stat: $(( (u1 - u0) / 1000 )) ms: $output"
}
