#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The BPF backend's exit ring (ga_exits, 256 KiB by default): how many
# exit records a second it delivers without loss, and where loss starts.
# Fork storms of short-lived processes (tests/kmod/helpers/forkstorm.c),
# 1, 2 and 4 at once, under libgreenai reading the ring every 100 ms,
# 1 s (greenai run's sampling is 500 ms) and 5 s (greenai-exporter's
# default): exits delivered per second of the storm, and exits dropped
# (the program's count, exits_dropped; each one's process is still folded
# through the sweep, only its exact figures are lost); then the same with
# the ring drained every 100 ms between samples (ga_drain(), as greenai
# run and the exporter do). Prints a Markdown table. Root.
# Reproduce with: make bench (or tests/bench/ring-loss.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
make --no-print-directory -C "$top" test-helpers >/dev/null
n=${GREENAI_BENCH_FORKS:-20000}
sample=$top/build/tests/gasample
storm=$top/build/tests/forkstorm

echo "| sampled every | drained every | storms at once | exits | seconds | exits/s delivered | dropped | dropped % |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for run in 100:0 1000:0 5000:0 1000:100 5000:100; do
	iv=${run%:*} dr=${run#*:}
	for p in 1 2 4; do
		t0=$(date +%s.%N)
		out=$("$sample" --backend bpf --source model --interval-ms "$iv" \
			--drain-ms "$dr" -- \
			sh -c "for k in \$(seq $p); do '$storm' $n >/dev/null & done; wait")
		t1=$(date +%s.%N)
		awk -v iv="$iv" -v dr="$dr" -v p="$p" -v t0="$t0" -v t1="$t1" -v want=$((n * p)) '
			$1 == "stat" && $2 == "exits_bpf" { got = $3 }
			$1 == "stat" && $2 == "exits_dropped" { drop = $3 }
			END {
				s = t1 - t0
				printf "| %d ms | %s | %d | %d | %.2f | %.0f | %d | %.2f %% |\n",
					iv, dr ? dr " ms" : "-", p, want, s, got / s, drop,
					100 * drop / want
			}' <<<"$out"
	done
done
echo
echo "each row: gasample --backend bpf --source model --interval-ms MS [--drain-ms 100] -- P x forkstorm $n;"
echo "seconds: the wall time of the whole run (BPF load and the last reads"
echo "included), so exits/s is a lower bound of the rate the ring keeps up with"
