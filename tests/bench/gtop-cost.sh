#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What gtop costs: the CPU time of gtop -b at the default 1 s refresh over
# GREENAI_BENCH_REFRESHES refreshes (default 30), as a share of one CPU,
# with 100, 1 000 and 10 000 live processes that each wake every second
# (tests/bench/sleepers.c, so every one of them is in greenai's tables);
# side by side with top -b -d 1 on the same processes. Its peak RSS too.
# The issue's target: <= 1 % of one CPU at 10 000 processes. Prints a
# Markdown table. Root (gtop's BPF programs).
# Reproduce with: make bench (or tests/bench/gtop-cost.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
make --no-print-directory -C "$top" tools test-helpers >/dev/null
n_refresh=${GREENAI_BENCH_REFRESHES:-30}
sizes=${GREENAI_BENCH_SIZES:-100 1000 10000}
pid_max=$(cat /proc/sys/kernel/pid_max)

# cpu_of CMD...: "<CPU % of one CPU> <peak RSS KiB>" of CMD: its user and
# system time (getrusage of the finished child) over its wall time
cpu_of() {
	python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %d" % (100 * (r.ru_utime + r.ru_stime) / wall, r.ru_maxrss))' "$@"
}

echo "| live processes | gtop -b CPU % of one CPU | gtop peak RSS MiB | top -b CPU % | top peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|"
for n in $sizes; do
	if [ "$n" -ge "$((pid_max - 2000))" ]; then
		echo "| $n | (kernel.pid_max is $pid_max: raise it) | | | |"
		continue
	fi
	secs=$((2 * n_refresh + 60))
	"$top/build/tests/sleepers" "$n" 1000 "$secs" >"$top/build/sleepers.out" &
	sl=$!
	until grep -q ready "$top/build/sleepers.out" 2>/dev/null; do sleep 0.1; done
	g=($(cpu_of "$top/build/gtop" -b -d 1 -n "$n_refresh"))
	t=($(cpu_of top -b -d 1 -n "$n_refresh"))
	kill -TERM -- "$sl" 2>/dev/null || true
	pkill -TERM -P "$sl" 2>/dev/null || true
	wait "$sl" 2>/dev/null || true
	awk -v n="$n" -v gc="${g[0]}" -v gr="${g[1]}" -v tc="${t[0]}" -v tr="${t[1]}" \
		'BEGIN { printf "| %d | %.2f | %.1f | %.2f | %.1f |\n", n, gc, gr / 1024, tc, tr / 1024 }'
done
echo
echo "$(nproc) CPUs, $(uname -r); $n_refresh refreshes each; GREENAI_BENCH_SIZES and"
echo "GREENAI_BENCH_REFRESHES change what is measured. Command: tests/bench/gtop-cost.sh"
