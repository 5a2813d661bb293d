#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# greenai run over the module: with greenai.ko loaded, the command is
# measured through it (backend "module"), its CPU time is the kernel's,
# the label's CO2e is its energy times the intensity, and report reads
# the run back from the ledger, as the host suite checks on BPF.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
	GREENAI=$TOP/build/greenai
	[ -x "$GREENAI" ] || fail "no $GREENAI"
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
}

teardown() {
	_kmod_teardown
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

@test "greenai run measures a command through the module and records it" {
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	run "$GREENAI" run --backend module --model m --region FR \
		--accuracy 90 --ledger "$LEDGER" -- "$BIN/spin" 0.5
	assert_success
	assert_line --regexp '^  backend +module'
	local cpu dur uj mg co2
	# spin 0.5 runs half a second of CPU time, as the kernel counts it,
	# on one thread: the module's count is that within 20 %, and no more
	# than the run lasted
	cpu=$(awk '$1 == "cpu" { print $3 * 1000; exit }' <<<"$output")
	dur=$(awk '$1 == "duration" { print $2 * 1000; exit }' <<<"$output")
	[ "$cpu" -ge 400 ] && [ "$cpu" -le "$dur" ] ||
		fail "spin 0.5 ran $cpu ms of CPU time in a run of $dur ms"
	uj=$(ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE in_total = 1")
	[ "${uj:-0}" -gt 0 ] || fail "no energy: $output"
	mg=$(awk '$2 == "\"FRA\"," { print $4 + 0 }' "$TOP/tools/lib/carbon/intensity_table.c")
	co2=$(( (uj * mg + 1800000000) / 3600000000 ))
	run ledger "SELECT backend, status, exit_code, co2_ug, accuracy_pct FROM runs"
	assert_output --regexp "^module[^|]*\|1\|0\|$co2\|90.0$"
	run "$GREENAI" report --ledger "$LEDGER" --format csv
	assert_success
	assert_line --index 1 --regexp "^m,1,90,"
}

# model_params: the module's model coefficients in force, "idle max" (mW)
model_params() {
	echo "$(cat /sys/module/greenai/parameters/model_idle_mw)" \
		"$(cat /sys/module/greenai/parameters/model_max_mw)"
}

@test "greenai gives the module's default model the CPU's CCF figures, and names them" {
	insmod "$GREENAI_KO"
	assert_equal "$(model_params)" "10000 60000"
	run "$GREENAI" stat -a 0.5
	assert_success
	assert_output --partial ", estimated (power model: CCF "
	# the figures named are the module's now, per package
	local w
	w=$(grep -o '[0-9]*\.[0-9]*\.\.[0-9]*\.[0-9]* W per package' <<<"$output" | head -n 1)
	[ -n "$w" ] || fail "no coefficients named: $output"
	assert_equal "$(model_params)" \
		"$(awk -F'[. ]' '{ print $1 * 1000 + $2, $4 * 1000 + $5 }' <<<"$w")"
}

@test "coefficients the module was loaded with stay, and are the ones named" {
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	run "$GREENAI" stat -a 0.5
	assert_success
	assert_output --partial ", estimated (power model: greenai.ko's model_idle_mw=0 model_max_mw=20000 per package)"
	assert_equal "$(model_params)" "0 20000"
}

@test "greenai.conf's model figures replace the module's, per CPU of its package" {
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	local conf=$XDG_CONFIG_HOME/greenai/greenai.conf n
	mkdir -p "${conf%/*}"
	printf 'model_idle_w = 0.25\nmodel_max_w = 2\n' >"$conf"
	n=$(awk '!/^#/ && $2 == "package-0" { print $10 }' /proc/greenai/domains)
	run "$GREENAI" stat -a 0.5
	assert_success
	assert_output --partial "(power model: model_idle_w in $conf:1, model_max_w in $conf:2: "
	assert_equal "$(model_params)" "$((250 * n)) $((2000 * n))"
	# and the domains' ceiling with them
	run awk '!/^#/ && $2 == "package-0" { print $9 }' /proc/greenai/domains
	assert_output "$((2000000 * n))"
}
