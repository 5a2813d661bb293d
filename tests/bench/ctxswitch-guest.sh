#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tests/bench/ctxswitch.sh: context-switch throughput of
# a pipe ping-pong pinned to one CPU, alternating runs without greenai.ko,
# with it (weighing by run time), and with it reading each CPU's counter
# at every switch (weights=cpu-clock: the software clock, as the guests
# have no PMU; a cycles counter is read by the PMU instead), and the
# module's own probe-cost counters. Prints a Markdown table.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
pp=$top/build/tests/pingpong
rounds=${GREENAI_BENCH_ROUNDS:-200000}
runs=${GREENAI_BENCH_RUNS:-5}

run_pp() {
	taskset -c 0 "$pp" "$rounds" | awk '{ print $3 }'
}

base=() with=() counted=()
for i in $(seq "$runs"); do
	base+=("$(run_pp)")
	insmod "$GREENAI_KO" weights=time
	with+=("$(run_pp)")
	echo flush >/proc/greenai/control
	stats=$(cat /proc/greenai/stats)
	rmmod greenai
	insmod "$GREENAI_KO" weights=cpu-clock
	counted+=("$(run_pp)")
	echo flush >/proc/greenai/control
	cstats=$(cat /proc/greenai/stats)
	rmmod greenai
done


b=$(median "${base[@]}")
w=$(median "${with[@]}")
cw=$(median "${counted[@]}")
probe=$(awk '$1 == "probe_ns_avg" { print $2 }' <<<"$stats")
close=$(awk '$1 == "close_ns_avg" { print $2 }' <<<"$stats")
cprobe=$(awk '$1 == "probe_ns_avg" { print $2 }' <<<"$cstats")

echo "| kernel | runs | baseline switches/s | with greenai.ko | ratio | probe ns/switch | interval close ns | with a counter read | ratio | probe ns/switch |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -v k="$(uname -r)" -v r="$runs" -v b="$b" -v w="$w" -v p="$probe" \
	-v c="$close" -v cw="$cw" -v cp="$cprobe" 'BEGIN {
	printf "| %s | %d | %.0f | %.0f | %.1f %% | %d | %d | %.0f | %.1f %% | %d |\n",
		k, r, b, w, 100 * w / b, p, c, cw, 100 * cw / b, cp }'
echo
echo "each run: taskset -c 0 pingpong $rounds (medians of alternating runs)"
