#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What the greenai agent costs (greenai-exporter --agent-socket PATH
# --listen none, sampling every second): its CPU time (all its threads,
# /proc/PID/task/*/schedstat) over a window of GREENAI_BENCH_WINDOW (30)
# seconds with no client, then over the same window with
# GREENAI_BENCH_CLIENTS (100) clients each asking for a sample once a
# second (tests/bench/agent_clients.py, as user GREENAI_BENCH_AGENT_UID,
# 65534 by default: what an ordinary user's client asks), the two
# alternating GREENAI_BENCH_RUNS (3) times. The clients' cost is the
# difference of the medians; the target: under 1 % of one CPU. Prints a
# Markdown table. Root. Reproduce with: make bench (or
# tests/bench/agent-cost.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
make --no-print-directory -C "$top" tools >/dev/null
window=${GREENAI_BENCH_WINDOW:-30}
clients=${GREENAI_BENCH_CLIENTS:-100}
uid=${GREENAI_BENCH_AGENT_UID:-65534}
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

idle=() busy=() out=
for i in $(seq "$runs"); do
	c0=$(cpu_ns "$ag")
	sleep "$window"
	idle+=("$(pct "$c0" "$(cpu_ns "$ag")" "$window")")
	# the clients run a second longer than the window, on each side
	"$top/tests/bench/agent_clients.py" "$sock" "$clients" $((window + 2)) \
		"$uid" >"$tmp/clients" &
	cl=$!
	sleep 1
	c0=$(cpu_ns "$ag")
	sleep "$window"
	busy+=("$(pct "$c0" "$(cpu_ns "$ag")" "$window")")
	wait "$cl"
	out="$out $(awk '{ printf "%s %s, ", $2, $1 }' "$tmp/clients")"
done
im=$(median "${idle[@]}")
bm=$(median "${busy[@]}")
d=$(awk -v a="$im" -v b="$bm" 'BEGIN { printf "%.3f", b - a }')
echo "| figure | median | runs' range | target | |"
echo "|---|---:|---:|---:|---|"
echo "| agent's CPU, no client: % of one CPU | $im | $(range "${idle[@]}") | | |"
echo "| with $clients clients asking once a second | $bm | $(range "${busy[@]}") | | |"
echo "| the clients' cost | $d | | < 1 % | $(verdict "$d" "<=" 0.999) |"
echo
echo "$(uname -r), $(nproc) CPUs; windows of $window s, alternating, $runs each;"
echo "clients as uid $uid, each ask a connection (hello, sample, close);"
echo "the clients said, per run:$out"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end. Command: tests/bench/agent-cost.sh"
