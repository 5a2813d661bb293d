#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# How greenai's costs grow with the processes on the machine: the CPU
# time of one libgreenai sample (tests/bench/helpers/samplecost.c: the
# BPF backend, the power model), of one gtop refresh in batch mode (its
# steady CPU time per refresh: a run of 3 + GREENAI_BENCH_REFRESHES (10)
# refreshes less one of 3, over the difference) and of one scrape of
# greenai-exporter (its own rendering time, greenai_exporter_scrape_
# render_seconds, and curl's wall time; medians of 20), at 100, 1 000,
# 10 000 and 50 000 live processes that each wake every period
# (tests/bench/sleepers.c, so that every one runs in every interval: 1 s,
# and 5 s for 50 000, more wake-ups a second than two CPUs keep up with;
# the samples, refreshes and scrapes are then that far apart too), and
# at 10 000 cgroups of one such process each, shaped as docker's
# containers (so that each is one of the exporter's series). Then, from one size to the
# next, how much each cost grew for how much the processes that ran grew,
# as a factor per decade (10 when a cost grows as the processes do): "ok"
# up to GREENAI_BENCH_STEEP (12: some noise allowed), else "too steep".
# The samples follow GREENAI_BENCH_SIZES (default above; the cgroups:
# GREENAI_BENCH_CGROUPS, 0 for none); kernel.pid_max is raised for the
# run when it is too small and put back after. 50 000 sleepers take
# about 6 GiB. Past 8 192 processes, samplecost, gtop and the exporter
# get BPF run maps of twice as many entries as processes (bpf_runs,
# through GREENAI_BPF_RUNS), else the default 16 384; what samplecost's
# map let go is counted (runs_evicted). Prints Markdown tables.
# Root. Reproduce with: make bench (or tests/bench/scale.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
make --no-print-directory -C "$top" tools test-helpers >/dev/null
sizes=${GREENAI_BENCH_SIZES-100 1000 10000 50000}
ncg=${GREENAI_BENCH_CGROUPS-10000}
n_refresh=${GREENAI_BENCH_REFRESHES:-10}
steep=${GREENAI_BENCH_STEEP:-12}
bin=$top/build/tests
cg=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
# docker's own slice, the ids marked with this run's pid
base=$cg/system.slice
mark=$(printf '%08x' $$)
tmp=$(mktemp -d)
pid_max0=$(cat /proc/sys/kernel/pid_max)
sl= exp_pid= period=1

cleanup() {
	[ -n "$exp_pid" ] && kill "$exp_pid" 2>/dev/null && wait "$exp_pid" 2>/dev/null
	stop_sleepers
	remove_containers
	echo "$pid_max0" >/proc/sys/kernel/pid_max
	rm -rf "$tmp"
}
trap cleanup EXIT

stop_sleepers() {
	[ -n "$sl" ] || return 0
	# the children first: once their parent is gone they are not its
	pkill -TERM -P "$sl" 2>/dev/null || true
	wait "$sl" 2>/dev/null || true
	sl=
}

# start_sleepers N: N processes waking every $period s, for long enough
start_sleepers() {
	local want=$(($1 + 20000))
	[ "$(cat /proc/sys/kernel/pid_max)" -ge "$want" ] ||
		echo 4194304 >/proc/sys/kernel/pid_max
	period=$(($1 > 10000 ? 5 : 1))
	"$bin/sleepers" "$1" $((period * 1000)) 3600 >"$tmp/sleepers.out" &
	sl=$!
	until grep -q ready "$tmp/sleepers.out" 2>/dev/null; do sleep 0.1; done
}

# cpu_ns PID: the CPU time of PID's threads so far, ns
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'
}

# gtop_ms: gtop -b's CPU ms per refresh, from its 3rd refresh to its
# (3 + n_refresh)th (the first ones read who every process is)
gtop_ms() {
	local gp c0 c1
	: >"$tmp/gtop.hdr"
	"$top/build/gtop" -b -d "$period" -n $((4 + n_refresh)) \
		> >(awk '/^gtop - / { print; fflush() }' >"$tmp/gtop.hdr") &
	gp=$!
	until [ "$(wc -l <"$tmp/gtop.hdr")" -ge 3 ]; do sleep 0.02; done
	c0=$(cpu_ns "$gp")
	until [ "$(wc -l <"$tmp/gtop.hdr")" -ge $((3 + n_refresh)) ]; do sleep 0.02; done
	c1=$(cpu_ns "$gp")
	wait "$gp"
	awk -v a="$c0" -v b="$c1" -v n="$n_refresh" 'BEGIN { printf "%.1f\n", (b - a) / n / 1e6 }'
}

# scrape_ms: "<render ms> <curl ms>", medians of 20 scrapes of a fresh
# exporter sampling every second, after its third sample
scrape_ms() {
	local port= r=() w=() out i
	: >"$tmp/log"
	"$top/build/greenai-exporter" -l 127.0.0.1:0 -i "$period" --no-ledger \
		--state "$tmp/state" 2>"$tmp/log" &
	exp_pid=$!
	until [ -n "$port" ]; do
		kill -0 "$exp_pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
		port=$(sed -n 's/.*listening on port \([0-9]*\),.*/\1/p' "$tmp/log")
		sleep 0.1
	done
	sleep $((3 * period)).5
	for i in $(seq 20); do
		out=$(curl -fsS -o "$tmp/scrape" -w '%{time_total}' \
			"http://127.0.0.1:$port/metrics") ||
			{ cat "$tmp/log" >&2; exit 1; }
		w+=("$out")
		out=$(curl -fsS "http://127.0.0.1:$port/metrics") ||
			{ cat "$tmp/log" >&2; exit 1; }
		r+=("$(awk '/^greenai_exporter_scrape_render_seconds / { print $2 * 1000 }' <<<"$out")")
	done
	kill "$exp_pid"
	wait "$exp_pid" 2>/dev/null || true
	exp_pid=
	rm -f "$tmp/state"
	awk -v r="$(median "${r[@]}")" -v w="$(median "${w[@]}")" \
		'BEGIN { printf "%.3f %.2f\n", r, w * 1000 }'
}

# measure LABEL N: one row of the table, and the figures kept for the
# growth table
rows=() labels=() rans=() s_ms=() g_ms=() x_ms=()
measure() {
	local s sample ran procs ev g x runs=$(($2 * 2 > 16384 ? $2 * 2 : 0))
	sleep $((2 * period))
	s=$("$bin/samplecost" 7 $((period * 1000)) "$runs")
	if [ "$runs" -gt 0 ]; then
		export GREENAI_BPF_RUNS=$runs
	else
		unset GREENAI_BPF_RUNS
	fi
	procs=$(awk '$1 == "processes" { print $2 }' <<<"$s")
	ran=$(awk '$1 == "ran" { print $2 }' <<<"$s")
	sample=$(awk '$1 == "sample_us" { printf "%.2f", $2 / 1000 }' <<<"$s")
	ev=$(awk '$1 == "evicted" { print $2 }' <<<"$s")
	g=$(gtop_ms)
	x=($(scrape_ms))
	labels+=("$1") rans+=("$ran") s_ms+=("$sample") g_ms+=("$g") x_ms+=("${x[0]}")
	rows+=("| $1 | $procs | $ran | $sample | $g | ${x[0]} | ${x[1]} | $ev |")
}

for n in $sizes; do
	start_sleepers "$n"
	measure "$n processes" "$n"
	stop_sleepers
done
if [ "$ncg" -gt 0 ]; then
	# one sleeper in each of ncg containers
	mkdir -p "$base"
	start_sleepers "$ncg"
	i=0
	for p in $(cat "/proc/$sl/task/$sl/children"); do
		i=$((i + 1))
		d=$base/docker-$mark$(printf '%056x' "$i").scope
		mkdir "$d"
		echo "$p" >"$d/cgroup.procs"
	done
	measure "$ncg containers of 1 process" "$ncg"
	stop_sleepers
	remove_containers
fi

echo "| live processes | followed by libgreenai | ran in the last interval | one libgreenai sample, CPU ms | one gtop -b refresh, CPU ms | one exporter scrape: render ms | curl ms | samplecost's runs_evicted |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
# growth from one size to the next: a cost's factor per decade of the
# processes that ran, 10 when it grows as they do
echo "| from | to | processes that ran: × | sample: × per decade | gtop: × per decade | scrape: × per decade | |"
echo "|---|---|---:|---:|---:|---:|---|"
per_decade() { # COST1 COST2 RAN1 RAN2
	awk -v a="$1" -v b="$2" -v r1="$3" -v r2="$4" 'BEGIN {
		if (a <= 0 || b <= 0 || r2 <= r1) { print "-"; exit }
		printf "%.1f\n", exp(log(b / a) / log(r2 / r1) * log(10)) }'
}
nsz=$(wc -w <<<"$sizes")
for ((i = 1; i < nsz; i++)); do
	j=$((i - 1)) v="ok"
	ps=$(per_decade "${s_ms[j]}" "${s_ms[i]}" "${rans[j]}" "${rans[i]}")
	pg=$(per_decade "${g_ms[j]}" "${g_ms[i]}" "${rans[j]}" "${rans[i]}")
	px=$(per_decade "${x_ms[j]}" "${x_ms[i]}" "${rans[j]}" "${rans[i]}")
	for f in "$ps" "$pg" "$px"; do
		[ "$f" = - ] || [ "$(verdict "$f" "<=" "$steep" x)" = ok ] || v="too steep"
	done
	echo "| ${labels[j]} | ${labels[i]} | $(awk -v a="${rans[j]}" -v b="${rans[i]}" 'BEGIN { printf "%.1f", b / a }') | $ps | $pg | $px | $v |"
done
echo
echo "$(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end. × per decade: the"
echo "cost's growth over the processes', as if over ten times as many (10: in"
echo "proportion; target <= $steep). Command: tests/bench/scale.sh"
