#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What gtop costs at the default 1 s refresh, with 100, 1 000 and 10 000
# live processes that each wake every second (tests/bench/sleepers.c, so
# that every one of them is in greenai's tables), side by side with top -b
# -d 1 and pidstat -p ALL 1 (the /proc-scanning way other tools sample)
# on the same processes. Each tool runs twice, for 5 refreshes and
# for 5 + GREENAI_BENCH_REFRESHES (default 30): the difference of their
# CPU times over the difference of their wall times is the steady cost of
# a refresh, as a share of one CPU; the first run's CPU time is the cost
# of starting (reading who every process is). Peak RSS too. Batch mode
# prints every process at every refresh, as top -b does; the screen
# (gtop in a 200x50 tmux window, its CPU time from /proc over the same
# refreshes after 5 s of warm-up) samples every process and draws what
# fits. The target: <= 1 % of one CPU at 10 000 processes for the
# screen. Prints a Markdown table. Root (gtop's BPF programs).
# Reproduce with: make bench (or tests/bench/gtop-cost.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
make --no-print-directory -C "$top" tools test-helpers >/dev/null
n_refresh=${GREENAI_BENCH_REFRESHES:-30}
sizes=${GREENAI_BENCH_SIZES:-100 1000 10000}
pid_max=$(cat /proc/sys/kernel/pid_max)

# cpu_of CMD...: "<CPU s> <wall s> <peak RSS KiB>" of CMD: its user and
# system time (getrusage of the finished child) and its wall time
cpu_of() {
	python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f %d" % (r.ru_utime + r.ru_stime, wall, r.ru_maxrss))' "$@"
}

# steady TOOL ARGS...: "<steady CPU %> <CPU s of 5 refreshes> <RSS KiB>"
# (pidstat takes its count last, without -n)
steady() {
	local a b
	if [ "$1" = pidstat ]; then
		a=($(cpu_of "$@" 5))
		b=($(cpu_of "$@" $((5 + n_refresh))))
	else
		a=($(cpu_of "$@" -n 5))
		b=($(cpu_of "$@" -n $((5 + n_refresh))))
	fi
	awk -v c1="${a[0]}" -v w1="${a[1]}" -v c2="${b[0]}" -v w2="${b[1]}" \
		-v r="${b[2]}" 'BEGIN { printf "%.3f %.2f %d\n", 100 * (c2 - c1) / (w2 - w1), c1, r }'
}

# screen_cpu: the steady CPU % of gtop's screen, in tmux
screen_cpu() {
	local sock=gtop-bench pid t0 c0 t1 c1 hz
	hz=$(getconf CLK_TCK)
	tmux -L "$sock" new-session -d -s b -x 200 -y 50 "$top/build/gtop -d 1"
	pid=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
	sleep 5
	t0=$(date +%s.%N)
	c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep "$n_refresh"
	t1=$(date +%s.%N)
	c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	tmux -L "$sock" kill-server
	awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
		'BEGIN { printf "%.3f\n", 100 * (b - a) / hz / (t1 - t0) }'
}

echo "| live processes | gtop screen: CPU % of one CPU | gtop -b: CPU %, steady | its first 5 refreshes, CPU s | peak RSS MiB | top -b: CPU %, steady | its first 5, CPU s | peak RSS MiB | pidstat: CPU %, steady | peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $sizes; do
	if [ "$n" -ge "$((pid_max - 2000))" ]; then
		echo "| $n | (kernel.pid_max is $pid_max: raise it) | | | | | | | | |"
		continue
	fi
	secs=$((7 * n_refresh + 150))
	"$top/build/tests/sleepers" "$n" 1000 "$secs" >"$top/build/sleepers.out" &
	sl=$!
	until grep -q ready "$top/build/sleepers.out" 2>/dev/null; do sleep 0.1; done
	sc=$(screen_cpu)
	g=($(steady "$top/build/gtop" -b -d 1))
	t=($(steady top -b -d 1))
	ps=($(steady pidstat -p ALL 1))
	# the children first: once their parent is gone they are not its
	pkill -TERM -P "$sl" 2>/dev/null || true
	wait "$sl" 2>/dev/null || true
	awk -v n="$n" -v sc="$sc" -v gc="${g[0]}" -v gs="${g[1]}" \
		-v gr="${g[2]}" -v tc="${t[0]}" -v ts="${t[1]}" -v tr="${t[2]}" \
		-v pc="${ps[0]}" -v pr="${ps[2]}" \
		'BEGIN { printf "| %d | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f | %.2f | %.1f |\n",
			n, sc, gc, gs, gr / 1024, tc, ts, tr / 1024, pc, pr / 1024 }'
done
echo
echo "$(nproc) CPUs, $(uname -r); steady over $n_refresh refreshes; GREENAI_BENCH_SIZES and"
echo "GREENAI_BENCH_REFRESHES change what is measured. Command: tests/bench/gtop-cost.sh"
