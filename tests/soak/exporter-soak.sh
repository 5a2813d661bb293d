#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# exporter-soak.sh SECONDS [MIN_SCRAPES MIN_CONTAINERS]: greenai-exporter
# (BPF backend, sampling every
# 0.2 s) scraped without pause for SECONDS while containers churn: docker-
# shaped cgroups made, given a short busy process and removed, about three
# a second, ten alive at most. Checked at every scrape: the node's joules
# and CO2e, and the containers' joules (live ones plus the terminated
# folded), never go back. Checked at the end: the exporter's RSS and open
# files are where they were after the first fifth of the run (warm-up),
# RSS within 4 MiB. With the minimums, it goes on past SECONDS until it has
# made that many scrapes and churned that many containers (a busy machine
# does less in a second), ten times SECONDS at most. Prints a Markdown
# table (seconds as run); exit 1 on any failure. Root.
# Reproduce with: make soak (600 s), or tests/soak/exporter-soak.sh 60.
set -euo pipefail

secs=${1:?usage: exporter-soak.sh SECONDS [MIN_SCRAPES MIN_CONTAINERS]}
min_scrapes=${2:-0} min_churned=${3:-0}
top=$(cd "$(dirname "$0")/../.." && pwd)
exporter=$top/build/greenai-exporter
bin=$top/build/tests
[ -x "$exporter" ] && [ -x "$bin/cgspawn" ] || {
	echo "exporter-soak: build first (make tools test-helpers)" >&2
	exit 2
}
cg=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
t=$(mktemp -d)
# docker's own slice (the only place the exporter takes docker's names
# from), the ids marked with this run's pid
slice=$cg/system.slice
mark=$(printf '%08x' $$)
mkdir -p "$slice"
pids=()

cleanup() {
	local p d
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for d in "$slice"/docker-"$mark"*.scope/; do
		[ -d "$d" ] || continue
		echo 1 >"$d/cgroup.kill"
	done
	for d in "$slice"/docker-"$mark"*.scope/; do
		[ -d "$d" ] || continue
		for _ in $(seq 200); do
			rmdir "$d" 2>/dev/null && break
			sleep 0.05
		done
	done
	rm -rf "$t"
}
trap cleanup EXIT

"$exporter" -l 127.0.0.1:0 -i 0.2 --keep-ended 1 --state "$t/state" --no-ledger \
	--runtime-root "$t/rt" 2>"$t/log" &
xp=$!
pids+=("$xp")
port=
for _ in $(seq 400); do
	port=$(sed -n 's/.*listening on port \([0-9]*\),.*/\1/p' "$t/log")
	[ -n "$port" ] && curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
	sleep 0.05
done
[ -n "$port" ] || { cat "$t/log" >&2; exit 1; }

# the churn: a container every 0.3 s, ten alive at most (each one's
# process runs 0.2 s: the oldest is empty when it is removed)
churn() {
	set +e
	local n=0 id dir live=()
	while :; do
		n=$((n + 1))
		id=$mark$(printf '%056x' "$n")
		dir=$slice/docker-$id.scope
		mkdir "$dir"
		"$bin/cgspawn" "$dir" "$bin/spin" 0.2 2>/dev/null &
		live+=("$dir")
		if [ "${#live[@]}" -gt 10 ]; then
			echo 1 >"${live[0]}/cgroup.kill"
			rmdir "${live[0]}" 2>/dev/null
			live=("${live[@]:1}")
		fi
		echo "$n" >"$t/churned"
		sleep 0.3
	done
}
churn &
pids+=($!)

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$xp/status"; }
fds() { ls "/proc/$xp/fd" | wc -l; }

start=$(date +%s)
warm=$((start + secs / 5))
end=$((start + secs))
hard_end=$((start + 10 * secs))
scrapes=0 bad=0 prev="" rss0="" fds0="" rss_max=0
while :; do
	now_s=$(date +%s)
	if [ "$now_s" -ge "$end" ]; then
		[ "$scrapes" -ge "$min_scrapes" ] &&
			[ "$(cat "$t/churned" 2>/dev/null || echo 0)" -ge "$min_churned" ] &&
			break
		[ "$now_s" -lt "$hard_end" ] || break
	fi
	m=$(curl -fsS "http://127.0.0.1:$port/metrics") || { bad=$((bad + 1)); continue; }
	scrapes=$((scrapes + 1))
	now=$(awk '
		/^greenai_node_joules_total\{/ { n += $NF }
		/^greenai_node_co2_grams_total\{/ { c += $NF }
		/^greenai_container_joules_total\{/ { k += $NF }
		/^greenai_terminated_containers_joules_total\{/ { k += $NF }
		END { printf "%.6f %.6f %.6f\n", n, c, k }' <<<"$m")
	if [ -n "$prev" ] && ! awk -v a="$prev" -v b="$now" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 3; i++) if (y[i] + 1e-6 < x[i]) exit 1 }'; then
		echo "# went back: $prev -> $now" >&2
		bad=$((bad + 1))
	fi
	prev=$now
	if [ -z "$rss0" ] && [ "$(date +%s)" -ge "$warm" ]; then
		rss0=$(rss) fds0=$(fds)
	fi
	r=$(rss)
	[ "$r" -le "$rss_max" ] || rss_max=$r
done
kill -0 "$xp" || { echo "# the exporter died: $(cat "$t/log")" >&2; exit 1; }
rss1=$(rss) fds1=$(fds)
churned=$(cat "$t/churned")
ran=$(($(date +%s) - start))
echo "| seconds | scrapes | containers churned | went back | RSS after warm-up KiB | RSS at end KiB | max KiB | open files after warm-up | at end |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| $ran | $scrapes | $churned | $bad | $rss0 | $rss1 | $rss_max | $fds0 | $fds1 |"
echo "(reproduce: tests/soak/exporter-soak.sh $secs)"
fail=0
[ "$bad" -eq 0 ] || { echo "exporter-soak: $bad scrapes failed or went back" >&2; fail=1; }
[ "$scrapes" -gt 0 ] || fail=1
[ "$rss1" -le $((rss0 + 4096)) ] ||
	{ echo "exporter-soak: RSS grew from $rss0 to $rss1 KiB" >&2; fail=1; }
[ "$fds1" -le "$fds0" ] ||
	{ echo "exporter-soak: open files went from $fds0 to $fds1" >&2; fail=1; }
exit "$fail"
