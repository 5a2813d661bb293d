#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh SECONDS [TARGET...]: run each libFuzzer target (build/fuzz/) for
# SECONDS, from its seed corpus (tests/fuzz/corpus/TARGET, in the repo) and
# what earlier runs found (build/fuzz-corpus/TARGET); first, each input
# kept from a crash once fixed (tests/fuzz/regress/TARGET) is run once.
# Prints TAP, one line per target: its runs, or the crash and the input
# that made it (build/fuzz-artifacts/). Reproduce a crash with
# build/fuzz/TARGET FILE.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
[ $# -gt 0 ] || set -- $(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
mkdir -p "$top/build/fuzz-artifacts"
echo "1..$#"
n=0
for t in "$@"; do
	n=$((n + 1))
	bin=$top/build/fuzz/$t
	work=$top/build/fuzz-corpus/$t
	regress=$top/tests/fuzz/regress/$t
	log=$top/build/fuzz-artifacts/$t.log
	mkdir -p "$work"
	if [ ! -x "$bin" ]; then
		echo "not ok $n $t: not built (make fuzz-build)"
		continue
	fi
	# the inputs of crashes fixed: each once
	if [ -d "$regress" ] && ls -A "$regress" | grep -q . &&
		! "$bin" -runs=0 "$regress"/* >"$log" 2>&1; then
		echo "not ok $n $t: an input of tests/fuzz/regress/$t crashes again"
		grep -m 3 -E 'ERROR|SUMMARY|Running:' "$log" | sed 's/^/# /'
		continue
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$top/build/fuzz-artifacts/$t-" \
		"$work" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok $n $t: $secs s, ${runs:-?} inputs, no crash (corpus $(ls "$work" | wc -l))"
	else
		echo "not ok $n $t: crashed within $secs s"
		grep -m 5 -E 'ERROR|SUMMARY|Test unit written|artifact' "$log" | sed 's/^/# /'
	fi
done
