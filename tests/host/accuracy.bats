#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The closed loop: a FAKE powercap package draws 10 W idle and 15 W per
# busy CPU, whoever keeps it busy (the named cgroups and the rest of the
# machine alike), integrated from their cpu.stat every millisecond
# (tests/host/helpers/fake_powercap_plant.c). A workload's true energy is
# then its 15 W per CPU-second plus its capacity share of the idle power
# (10 W × its CPU time over the CPUs). Under the default policy, with the
# plant's idle power given as a user would give theirs, greenai must find
# each workload's within 1 %, whatever else runs, and a fixed workload's
# figure must move less than 2 % when a neighbour keeps the other CPU busy.
# Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "needs root here (BPF, cgroups)"
	load ../test_helper/cgroups
	_cgroups_setup
	load ../test_helper/plant
	BIN=$TOP/build/tests
	GREENAI=$TOP/build/greenai
	PLANT_DIR=$BATS_TEST_TMPDIR
}

teardown() {
	plant_cleanup
	_cgroups_teardown
}

# assert_recovered CGROUP: greenai's figure within 1 % of the plant's
assert_recovered() {
	local truth got
	truth=($(plant_truth "$1"))
	got=($(plant_greenai "$1"))
	[ -n "${truth[0]:-}" ] && [ -n "${got[0]:-}" ] ||
		fail "no figures for $1: plant '${truth[*]:-}', greenai '${got[*]:-}'"
	within "${got[0]}" "${truth[0]}" 1 ||
		fail "$1: greenai ${got[0]} uJ for ${got[1]} ns, the plant ${truth[0]} uJ for ${truth[1]} ns"
}

@test "three workloads beside a background load: each one's energy within 1 % of the plant's" {
	local w1 w2 w3 bg
	w1=$(new_cgroup greenai-acc.$$/w1)
	w2=$(new_cgroup greenai-acc.$$/w2)
	w3=$(new_cgroup greenai-acc.$$/w3)
	bg=$(new_cgroup greenai-acc.$$/bg)
	# the background runs until the three have done their CPU time
	plant_run 10000 15000 "$w1=15000 $w2=15000 $w3=15000 $bg=15000" \
		"--idle-power package-0=10" sh -c "
		$BIN/cgspawn $bg $BIN/spin 600 2>/dev/null & b=\$!
		$BIN/cgspawn $w1 $BIN/spin 3 2>/dev/null & p1=\$!
		$BIN/cgspawn $w2 $BIN/spin 2 2>/dev/null & p2=\$!
		$BIN/cgspawn $w3 $BIN/spin 1 2>/dev/null & p3=\$!
		wait \$p1 \$p2 \$p3; kill \$b; wait \$b; exit 0"
	assert_recovered "$w1"
	assert_recovered "$w2"
	assert_recovered "$w3"
	# every interval was split under the default policy (capacity, 0)
	# with the given idle power (fixed, 1; 10 W)
	run awk '$1 == "INTERVAL" && ($14 != 0 || $15 != 1 || $16 != 10000000) { n++ }
		END { print n + 0 }' "$PLANT_DIR/records"
	assert_output 0
}

@test "a workload's figure moves less than 2 % when a neighbour keeps the other CPU busy" {
	[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "needs two CPUs"
	local w bg alone with
	w=$(new_cgroup greenai-acc.$$/w)
	bg=$(new_cgroup greenai-acc.$$/bg)
	plant_run 10000 15000 "$w=15000 $bg=15000" "--idle-power package-0=10" \
		"$BIN/cgspawn" "$w" taskset -c 0 "$BIN/spin" 2
	assert_recovered "$w"
	alone=($(plant_greenai "$w"))
	remove_cgroup "$w"
	w=$(new_cgroup greenai-acc.$$/w)
	plant_run 10000 15000 "$w=15000 $bg=15000" "--idle-power package-0=10" \
		sh -c "$BIN/cgspawn $bg taskset -c 1 $BIN/spin 600 2>/dev/null & b=\$!
		$BIN/cgspawn $w taskset -c 0 $BIN/spin 2 2>/dev/null
		kill \$b; wait \$b; exit 0"
	assert_recovered "$w"
	with=($(plant_greenai "$w"))
	# per CPU-second, as the two spins ran a little more or less than 2 s
	within "$(awk -v e="${with[0]}" -v c="${with[1]}" 'BEGIN { print e / c }')" \
		"$(awk -v e="${alone[0]}" -v c="${alone[1]}" 'BEGIN { print e / c }')" 2 ||
		fail "alone ${alone[0]} uJ for ${alone[1]} ns, beside the neighbour ${with[0]} uJ for ${with[1]} ns"
}

@test "a saved calibration splits a run under its figure from the first interval" {
	local w saved=$BATS_TEST_TMPDIR/saved
	w=$(new_cgroup greenai-acc.$$/w)
	printf '# a comment\npackage-0=10\n' >"$saved"
	# 2 s of CPU: what a busy machine shifts between the plant's counter
	# and its intervals (a few ms at the start and the end) stays far
	# below 1 % of it
	plant_run 10000 15000 "$w=15000" "--idle-saved $saved" \
		"$BIN/cgspawn" "$w" "$BIN/spin" 2
	assert_recovered "$w"
	# every interval calibrated (basis 2), the first at the saved 10 W;
	# later ones only ever lower (a quieter block learned)
	run awk '$1 == "INTERVAL" && ($15 != 2 || $16 > 10000000) { n++ }
		END { print n + 0 }' "$PLANT_DIR/records"
	assert_output 0
	run awk '$1 == "INTERVAL" { print $16; exit }' "$PLANT_DIR/records"
	assert_output 10000000
	# a bad file: refused, with where and what
	printf 'package-0=10\npackage-0=11\n' >"$saved"
	run "$BIN/gasample" --backend bpf --source model --idle-saved "$saved" -- true
	assert_failure
	assert_output --partial "$saved:2: 'package-0' given twice"
}

@test "greenai calibrate learns a FAKE package's idle power and saves it" {
	# a FAKE package drawing 10 W whatever runs
	plant_start 10000 0 ""
	run "$GREENAI" calibrate --root "$PLANT_ROOT" --save 3
	plant_stop
	if [ "$status" -eq 0 ]; then
		# the least power of blocks of 100 ms intervals, read within a
		# millisecond of the plant's steps
		assert_line --regexp '^  package-0      calibrated (9\.9[0-9]{2}|10\.0[0-9]{2}) W$'
		assert_line "saved to $GREENAI_CALIBRATION"
		run cat "$GREENAI_CALIBRATION"
		assert_line --index 0 --regexp '^# greenai calibrate on .*, 3 s in 100 ms intervals: idle power, W$'
		assert_line --index 1 --regexp '^package-0=(9\.9|10\.0)[0-9]{2}$'
		assert_equal "${#lines[@]}" 2
	else
		# too busy a machine for 16 quiet intervals in a row: said so,
		# and nothing saved
		assert_equal "$status" 1
		assert_line "  package-0      not calibrated: fewer than 16 quiet intervals in a row"
		assert_output --partial "the machine was too busy for 1 domain(s)"
		assert [ ! -e "$GREENAI_CALIBRATION" ]
	fi
}
