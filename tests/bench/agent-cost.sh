#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What the greenai agent costs (greenai-exporter --agent-socket PATH
# --listen none, sampling every second): its CPU time (all its threads,
# /proc/PID/task/*/schedstat) over a window of GREENAI_BENCH_WINDOW (30)
# seconds with no client; with GREENAI_BENCH_CLIENTS (100) clients of one
# user (GREENAI_BENCH_AGENT_UID, 65534) each asking for a sample once a
# second on a connection of its own (connect, hello, sample, close: one
# user cannot keep 100 connections); and with as many clients that keep
# their connections and ask on them once a second, as libgreenai's do
# (gtop, greenai stat run by users), dealt out over the 8 users
# GREENAI_BENCH_AGENT_UIDS (60001 to 60008). tests/bench/agent_clients.py
# is the clients. The three alternate GREENAI_BENCH_RUNS (3) times; the
# clients' cost is the difference of the medians; the target, for
# either: under 1 % of one CPU. Prints a Markdown table. Root. Reproduce
# with: make bench (or tests/bench/agent-cost.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
make --no-print-directory -C "$top" tools >/dev/null
window=${GREENAI_BENCH_WINDOW:-30}
clients=${GREENAI_BENCH_CLIENTS:-100}
uid=${GREENAI_BENCH_AGENT_UID:-65534}
read -r -a uids <<<"${GREENAI_BENCH_AGENT_UIDS:-60001 60002 60003 60004 60005 60006 60007 60008}"
runs=${GREENAI_BENCH_RUNS:-3}
tmp=$(mktemp -d)
chmod 755 "$tmp"
sock=$tmp/agent.sock
ag=

cleanup() {
	[ -n "$ag" ] && kill "$ag" 2>/dev/null && wait "$ag" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# cpu_ns PID: the CPU time of PID's threads so far, ns
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'
}

# pct A B SECONDS: (B - A) ns over SECONDS, in % of one CPU
pct() {
	awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.3f\n", 100 * (b - a) / 1e9 / s }'
}

"$top/build/greenai-exporter" --agent-socket "$sock" --listen none -i 1 \
	--no-ledger --state "$tmp/state" 2>"$tmp/log" &
ag=$!
until [ -S "$sock" ]; do
	kill -0 "$ag" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
	sleep 0.1
done
chmod 777 "$tmp"
sleep 3

# busy_pct ARGS...: the agent's CPU over the window while
# agent_clients.py ARGS runs (a second longer on each side); what the
# clients said added to $tmp/said
busy_pct() {
	local c0 cl
	"$top/tests/bench/agent_clients.py" "$@" >"$tmp/clients" &
	cl=$!
	sleep 1
	c0=$(cpu_ns "$ag")
	sleep "$window"
	pct "$c0" "$(cpu_ns "$ag")" "$window"
	wait "$cl"
	awk '{ printf " %s %s,", $2, $1 }' "$tmp/clients" >>"$tmp/said"
}

idle=() busy=() kept=()
for i in $(seq "$runs"); do
	c0=$(cpu_ns "$ag")
	sleep "$window"
	idle+=("$(pct "$c0" "$(cpu_ns "$ag")" "$window")")
	busy+=("$(busy_pct "$sock" "$clients" $((window + 2)) "$uid")")
	kept+=("$(busy_pct --keep "$sock" "$clients" $((window + 2)) "${uids[@]}")")
done
im=$(median "${idle[@]}")
bm=$(median "${busy[@]}")
km=$(median "${kept[@]}")
d=$(awk -v a="$im" -v b="$bm" 'BEGIN { printf "%.3f", b - a }')
k=$(awk -v a="$im" -v b="$km" 'BEGIN { printf "%.3f", b - a }')
echo "| figure | median | runs' range | target | |"
echo "|---|---:|---:|---:|---|"
echo "| agent's CPU, no client: % of one CPU | $im | $(range "${idle[@]}") | | |"
echo "| with $clients clients of one user, a connection per ask | $bm | $(range "${busy[@]}") | | |"
echo "| their cost | $d | | < 1 % | $(verdict "$d" "<=" 0.999) |"
echo "| with $clients clients of ${#uids[@]} users, on connections they keep | $km | $(range "${kept[@]}") | | |"
echo "| their cost | $k | | < 1 % | $(verdict "$k" "<=" 0.999) |"
echo
echo "$(uname -r), $(nproc) CPUs; windows of $window s, alternating, $runs each;"
echo "the clients said, per run (a connection per ask, then kept):$(cat "$tmp/said")"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end. Command: tests/bench/agent-cost.sh"
