#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What a scrape of greenai-exporter costs with 100 and 1 000 containers
# (the target: <= 10 ms and bounded memory at 1 000). Each
# container is a cgroup with docker's path shape holding one process
# that wakes every second (tests/bench/sleepers.c), so that every one is
# a live series. For each size: the wall time of 50 scrapes by curl
# (median and worst), the exporter's own rendering time (its
# greenai_exporter_scrape_render_seconds), the size of the exposition,
# the exporter's CPU while sampling every second, and its RSS; then every
# container is replaced by a new one, four times (churn), and the number
# of series and of cgroups followed, and the RSS after two and after four
# replacements, measured again: bounded, they stay put. Prints a Markdown table. Root (BPF).
# Reproduce with: make bench (or tests/bench/exporter-scrape.sh alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
make --no-print-directory -C "$top" tools test-helpers >/dev/null
. "$top/tests/bench/lib.sh"
sizes=${GREENAI_BENCH_CONTAINERS:-100 1000}
cg=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
# docker's own slice (the only place the exporter takes docker's names
# from), the ids marked with this run's pid
base=$cg/system.slice
mark=$(printf '%08x' $$)
tmp=$(mktemp -d)
exp_pid=

cleanup() {
	[ -n "$exp_pid" ] && kill "$exp_pid" 2>/dev/null && wait "$exp_pid" 2>/dev/null
	remove_containers
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_containers N GEN: N docker-shaped cgroups of generation GEN
start_containers() {
	local i id
	mkdir -p "$base"
	for i in $(seq "$1"); do
		id=$mark$(printf '%024x%032x' "$2" "$i")
		mkdir "$base/docker-$id.scope"
		"$top/build/tests/cgspawn" "$base/docker-$id.scope" \
			"$top/build/tests/sleepers" 1 1000 3600 >/dev/null 2>&1 &
	done
}

scrape() {
	curl -fsS "http://127.0.0.1:$port/metrics"
}

# series: live container series in the exposition
series() {
	scrape | grep -c '^greenai_container_cpu_seconds_total{' || true
}

rss_kib() {
	awk '/^VmRSS/ { print $2 }' "/proc/$exp_pid/status"
}

cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$exp_pid/stat"
}

echo "| containers | scrape wall ms, median | worst of 50 | render ms (exporter) | exposition KiB | exporter CPU % (1 s samples) | RSS MiB | after 4 churns: series | cgroups followed | RSS MiB after 2 churns | after 4 |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $sizes; do
	start_containers "$n" 1
	"$top/build/greenai-exporter" -l 127.0.0.1:0 -i 1 --keep-ended 2 \
		--state "$tmp/state" \
		--no-ledger 2>"$tmp/log" &
	exp_pid=$!
	port=
	until [ -n "$port" ]; do
		port=$(sed -n 's/.*listening on port \([0-9]*\),.*/\1/p' "$tmp/log")
		sleep 0.1
	done
	until [ "$(series 2>/dev/null)" -ge "$n" ]; do sleep 0.5; done
	times=()
	for _ in $(seq 50); do
		times+=("$(curl -fsS -o /dev/null -w '%{time_total}' \
			"http://127.0.0.1:$port/metrics")")
	done
	med=$(median "${times[@]}")
	worst=$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)
	out=$(scrape)
	render=$(awk '/^greenai_exporter_scrape_render_seconds / { print $2 * 1000 }' <<<"$out")
	kib=$(( ${#out} / 1024 ))
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks)
	t0=$(date +%s.%N)
	sleep 20
	c1=$(cpu_ticks)
	t1=$(date +%s.%N)
	cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
		'BEGIN { printf "%.2f", 100 * (b - a) / hz / (t1 - t0) }')
	rss1=$(rss_kib)
	# churn: every container replaced by a new one, four times
	for gen in 2 3 4 5; do
		remove_containers
		start_containers "$n" "$gen"
		until [ "$(series 2>/dev/null)" -le "$n" ] &&
			scrape | grep -q "^greenai_terminated_containers_total{[^}]*} $(( (gen - 1) * n ))$"; do
			sleep 0.5
		done
		[ "$gen" = 3 ] && rss2=$(rss_kib)
	done
	nseries=$(series)
	ncg=$(scrape | awk '/^greenai_exporter_cgroups / { print $2 }')
	rss3=$(rss_kib)
	kill "$exp_pid"
	wait "$exp_pid" 2>/dev/null || true
	exp_pid=
	remove_containers
	rm -f "$tmp/state"
	awk -v n="$n" -v med="$med" -v w="$worst" -v r="$render" -v k="$kib" \
		-v c="$cpu" -v r1="$rss1" -v s="$nseries" -v g="$ncg" \
		-v r2="$rss2" -v r3="$rss3" \
		'BEGIN { printf "| %d | %.2f | %.2f | %.2f | %d | %s | %.1f | %d | %d | %.1f | %.1f |\n",
			n, med * 1000, w * 1000, r, k, c, r1 / 1024, s, g, r2 / 1024, r3 / 1024 }'
done
echo
echo "$(nproc) CPUs, $(uname -r). Command: tests/bench/exporter-scrape.sh"
echo "(GREENAI_BENCH_CONTAINERS changes the sizes)."
