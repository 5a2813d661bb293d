#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The cost of greenai's BPF backend per context switch, on the running kernel's
# own kernel: the sched_switch program's run time as the kernel measures
# it (kernel.bpf_stats_enabled=1: run_time_ns / run_cnt), and the
# throughput of a pipe ping-pong pinned to one CPU, alternating runs
# without and with the programs attached (through libgreenai, sampling
# every 100 ms with the power model); and the program's cost with 64
# processes switching on one CPU, more than its slots (bpf/greenai.bpf.c)
# hold; and its cost when it reads a counter at each switch (counter
# weights: the software cpu-clock here, a PMU's cycles where there is
# one). The peer: a bpftrace script doing the same per-task sched_switch
# accounting (tests/bench/bpftrace/task-oncpu.bt), in the same alternation.
# Prints a Markdown table. Root.
# Reproduce with: make bench (or tests/bench/bpf-cost.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
make --no-print-directory -C "$top" test-helpers >/dev/null
pp=$top/build/tests/pingpong
sample=$top/build/tests/gasample
rounds=${GREENAI_BENCH_ROUNDS:-200000}
runs=${GREENAI_BENCH_RUNS:-5}

old=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$old" >/proc/sys/kernel/bpf_stats_enabled' EXIT
echo 1 >/proc/sys/kernel/bpf_stats_enabled

# bpftrace needs tracefs for its tracepoints
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

# peer_run: pingpong with the bpftrace peer attached; its switches/s
peer_run() {
	local out=$top/build/bpftrace.out bt
	bpftrace "$top/tests/bench/bpftrace/task-oncpu.bt" >"$out" 2>&1 &
	bt=$!
	until grep -q '^Attaching' "$out"; do
		kill -0 "$bt" 2>/dev/null || { cat "$out" >&2; return 1; }
		sleep 0.05
	done
	taskset -c 0 "$pp" "$rounds" | awk '{ print $3 }'
	kill -INT "$bt"
	wait "$bt" || true
}

base=() with=() floor=() peer=() ns=0 cnt=0 many_ns=0 many_cnt=0
cnt_ns=0 cnt_cnt=0
for i in $(seq "$runs"); do
	floor+=("$("$top/build/tests/bpf-floor" "$top/build/tests/empty_switch.bpf.o" \
		taskset -c 0 "$pp" "$rounds" | awk '$1 == "floor_ns" { print $2 }')")
	base+=("$(taskset -c 0 "$pp" "$rounds" | awk '{ print $3 }')")
	peer+=("$(peer_run)")
	out=$("$sample" --backend bpf --source model -- \
		taskset -c 0 "$pp" "$rounds")
	with+=("$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { print $3; exit }' <<<"$out")")
	ns=$((ns + $(awk '$2 == "switch_run_ns" { print $3 }' <<<"$out")))
	cnt=$((cnt + $(awk '$2 == "switch_runs" { print $3 }' <<<"$out")))
	# the same, reading a counter at each switch
	out=$("$sample" --backend bpf --source model --weights cpu-clock -- \
		taskset -c 0 "$pp" "$rounds")
	cnt_ns=$((cnt_ns + $(awk '$2 == "switch_run_ns" { print $3 }' <<<"$out")))
	cnt_cnt=$((cnt_cnt + $(awk '$2 == "switch_runs" { print $3 }' <<<"$out")))
	# 32 pairs on one CPU: more processes than a CPU has slots
	out=$("$sample" --backend bpf --source model -- taskset -c 0 sh -c \
		"for k in \$(seq 32); do $pp $((rounds / 32)) >/dev/null & done; wait")
	many_ns=$((many_ns + $(awk '$2 == "switch_run_ns" { print $3 }' <<<"$out")))
	many_cnt=$((many_cnt + $(awk '$2 == "switch_runs" { print $3 }' <<<"$out")))
done

b=$(median "${base[@]}")
w=$(median "${with[@]}")
f=$(median "${floor[@]}")
p=$(median "${peer[@]}")
echo "| kernel | runs | baseline switches/s | with greenai BPF | ratio | bpftrace peer | its ratio | BPF ns/switch (bpf_stats) | with a counter read | 64 processes: BPF ns/switch | empty program ns (floor) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -v k="$(uname -r)" -v r="$runs" -v b="$b" -v w="$w" -v ns="$ns" \
	-v c="$cnt" -v mns="$many_ns" -v mc="$many_cnt" -v f="$f" -v p="$p" \
	-v cns="$cnt_ns" -v cc="$cnt_cnt" 'BEGIN {
	printf "| %s | %d | %.0f | %.0f | %.1f %% | %.0f | %.1f %% | %.0f | %.0f | %.0f | %.0f |\n",
		k, r, b, w, 100 * w / b, p, 100 * p / b, c ? ns / c : 0,
		cc ? cns / cc : 0, mc ? mns / mc : 0, f }'
echo
echo "each run: taskset -c 0 pingpong $rounds (medians of alternating runs);"
echo "BPF ns/switch: run_time_ns / run_cnt of ga_switch_btf over all runs;"
echo "with a counter read: the same with --weights cpu-clock (a counter read"
echo "at each switch, as counter weights do with a PMU's cycles);"
echo "64 processes: the same for 32 pingpong pairs at once on CPU 0 (more"
echo "processes than a CPU's slots: most switches look ga_runs up);"
echo "floor: the same figure for an empty sched_switch program (bench/bpf);"
echo "bpftrace peer: tests/bench/bpftrace/task-oncpu.bt attached instead"
