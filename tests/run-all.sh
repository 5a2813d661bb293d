#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh SUITE...: run the named suites and tally them.
#
#   layout  the rooms, layers and public API of docs/design.md
#         (scripts/check-layout.py)
#   unit  cmocka tests, built natively and with ASan+UBSan (tests/unit)
#   fuzz  each libFuzzer target (tests/fuzz) for $GREENAI_FUZZ_SECONDS
#         (default 15), after the inputs of crashes fixed
#   host  bats suite on the host itself (tests/host)
#   vm    module suite in QEMU guests, one per kernel of $KERNELS
#         (default "6.1 6.12"; tests/vm/run.sh), then tests/kmod/sockets.bats
#         in a guest with two packages
#
# Every suite reports TAP lines; they are shown as they come, kept in
# build/results/SUITE.tap, and counted. The last line is the tally,
# "N passed, N failed" (", N skipped" when some were), after the ten
# slowest tests of the bats suites (all timings: build/results/SUITE.tap.raw).
# Exit 1 on any failure, or when nothing ran.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
results=build/results
mkdir -p "$results"
KERNELS=${KERNELS:-6.1 6.12}

# Number-free TAP lines named after the suite: "ok - SUITE: test name".
# cmocka prints a skipped test as "not ok N # SKIP": a skip, not a failure.
retag() {
	sed -E -e '/^1\.\.[0-9]+$/d' -e 's/ in [0-9]+ms($| #)/\1/' \
		-e 's/^not ok ([0-9]+) # SKIP/ok \1 # SKIP/' \
		-e "s#^(not ok|ok) [0-9]+( -)? #\\1 - $1: #"
}

# run_tap NAME CMD...: CMD prints TAP; a non-zero exit without any failed
# test line (a crash, a missing tool) is a failure of its own.
run_tap() {
	local name=$1 out rc
	shift
	out=$(mktemp)
	"$@" 2>"$out.err" | tee -a "$suite_file.raw" | retag "$name" |
		tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $name: ran to the end (exit $rc)" | tee -a "$out"
		sed 's/^/# /' "$out.err" | tail -n 30
	fi
	cat "$out" >>"$suite_file"
	rm -f "$out" "$out.err"
}

# build_step WHAT LOG TARGET...: make the targets; "ok - WHAT" when they
# build, else "not ok - WHAT" and the end of the log, and a failure.
build_step() {
	local what=$1 log=$2
	shift 2
	if make --no-print-directory "$@" >"$log" 2>&1; then
		echo "ok - $what" | tee -a "$suite_file"
		return 0
	fi
	echo "not ok - $what" | tee -a "$suite_file"
	sed 's/^/# /' "$log" | tail -n 40
	return 1
}

suite_layout() {
	build_step "layout: libgreenai and the tools build" \
		"$results/layout-build.log" tools || return
	run_tap layout scripts/check-layout.py
}

suite_unit() {
	local t name
	build_step "unit: tests build with -Wall -Wextra -Werror, natively and with ASan+UBSan" \
		"$results/unit-build.log" unit-build || return
	for t in build/unit/test_* build/unit-asan/test_*; do
		name=${t#build/}
		run_tap "${name/test_/}" env CMOCKA_MESSAGE_OUTPUT=TAP \
			ASAN_OPTIONS=abort_on_error=1 "$t"
	done
}

suite_fuzz() {
	build_step "fuzz: targets build with clang, libFuzzer and ASan+UBSan" \
		"$results/fuzz-build.log" fuzz-build || return
	run_tap fuzz tests/fuzz/run.sh "${GREENAI_FUZZ_SECONDS:-15}"
}

suite_host() {
	build_step "host: BPF programs, libgreenai and the test programs build" \
		"$results/host-build.log" bpf tools test-helpers || return
	run_tap host bats --tap --timing tests/host
}

# A guest runs on one host CPU (its vCPUs share one TCG thread: see
# tests/vm/run.sh), so the kernels' guests run side by side, each kernel's
# suite then its two-package guest. Their lines are shown as each kernel
# ends, in the order of $KERNELS.
suite_vm() {
	local k all=$suite_file
	build_step "vm: the tools and the suite's helpers build" \
		"$results/vm-build.log" test-helpers tools || return
	for k in $KERNELS; do
		tests/vm/kernel.sh fetch "$k" >/dev/null 2>&1
	done
	for k in $KERNELS; do
		(
			suite_file=$all.$k
			: >"$suite_file"
			: >"$suite_file.raw"
			run_tap "vm" tests/vm/run.sh "$k"
			run_tap "vm" tests/vm/run.sh --sockets 2 \
				--suite tests/kmod/sockets.bats "$k"
		) >"$all.$k.out" 2>&1 &
	done
	wait
	for k in $KERNELS; do
		cat "$all.$k.out"
		cat "$all.$k" >>"$all"
		cat "$all.$k.raw" >>"$all.raw"
		rm -f "$all.$k" "$all.$k.raw" "$all.$k.out"
	done
}

[ $# -gt 0 ] || set -- layout unit fuzz host vm
for suite in "$@"; do
	case $suite in
	layout | unit | fuzz | host | vm) ;;
	*) echo "run-all.sh: unknown suite '$suite' (layout, unit, fuzz, host, vm)" >&2; exit 2 ;;
	esac
done

for suite in "$@"; do
	suite_file=$results/$suite.tap
	: >"$suite_file"
	: >"$suite_file.raw"
	echo "# --- $suite"
	"suite_$suite"
done

passed=0 failed=0 skipped=0
for suite in "$@"; do
	f=$results/$suite.tap
	p=$(grep -E '^ok ' "$f" | grep -vc ' # [Ss][Kk][Ii][Pp]')
	s=$(grep -E '^ok ' "$f" | grep -c ' # [Ss][Kk][Ii][Pp]')
	n=$(grep -c '^not ok ' "$f")
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + n))
done
# The bats suites time their tests (host, and vm inside its guests):
# the slowest ten, to see where the time goes.
echo
echo "# slowest tests (ms):"
for suite in "$@"; do
	cat "$results/$suite.tap.raw"
done | sed -n -E 's/^(not ok|ok)( [0-9]+)?( -)? (.*) in ([0-9]+)ms($| #.*)/\5 \4/p' |
	sort -rn | head -n 10 | sed 's/^/#   /'
echo
tally="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || tally="$tally, $skipped skipped"
echo "$tally"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
