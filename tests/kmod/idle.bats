#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Idle policies in the module: by default a process's idle share is its
# share of the CPUs' capacity, so its figure does not depend on what else
# ran; busy and none as asked; the idle power the model's, a fixed one, or
# a calibrated one; every domain line and interval record names the policy
# it was split under.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	_kmod_teardown
}

# domain_idle NAME: "idle idle_basis idle_power_uw" of a domain
domain_idle() {
	awk -v n="$1" '!/^#/ && $2 == n { print $17, $18, $19 }' /proc/greenai/domains
}

# spin_in NAME CPU SECONDS [CPU SECONDS]: in a new cgroup NAME, spin
# SECONDS of CPU time on CPU, and in a second cgroup NAME-bg at once, if
# given, the second spin; wait for both, all intervals closed. Prints
# "active idle cpu_ns" of NAME.
spin_in() {
	local g bg id out=$BATS_TEST_TMPDIR/records.$1
	g=$(new_cgroup "greenai-$1")
	id=$(stat -c %i "$g")
	if [ $# -gt 3 ]; then
		bg=$(new_cgroup "greenai-$1-bg")
		$RING collect "$out" -- sh -c "
			$BIN/cgspawn $bg taskset -c $4 $BIN/spin $5 &
			$BIN/cgspawn $g taskset -c $2 $BIN/spin $3 & wait" >/dev/null
	else
		$RING collect "$out" -- \
			"$BIN/cgspawn" "$g" taskset -c "$2" "$BIN/spin" "$3" >/dev/null
	fi
	$PROC cgroup "$id" | awk '$1 == "cgroup" { print $2, $3, $4 }'
}

# per_cpu_s "active idle cpu_ns": µJ per CPU-second
per_cpu_s() {
	awk '{ printf "%.0f\n", ($1 + $2) / ($3 / 1e9) }' <<<"$1"
}

@test "capacity, the default: a process's figure is the same with a neighbour busy or not" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	# 10 W idle, 60 W at full load: a CPU-second costs 60 W / nr_cpus
	insmod "$GREENAI_KO" source=model model_idle_mw=10000 model_max_mw=60000
	assert_equal "$(domain_idle package-0)" "capacity model 10000000"
	local alone with want
	alone=$(spin_in alone 0 1)
	with=$(spin_in with 0 1 1 1.5)
	want=$((60000000 / $(nproc)))
	within "$(per_cpu_s "$alone")" "$want" 1 ||
		fail "alone: $(per_cpu_s "$alone") uJ per CPU-second, the model says $want"
	within "$(per_cpu_s "$with")" "$want" 1 ||
		fail "with a neighbour: $(per_cpu_s "$with") uJ per CPU-second, the model says $want"
	# its idle part is 10 W over the CPUs, per CPU-second
	local f=($with)
	within "$(awk -v i="${f[1]}" -v c="${f[2]}" 'BEGIN { printf "%.0f", i / (c / 1e9) }')" \
		"$((10000000 / $(nproc)))" 1 || fail "idle ${f[1]} uJ for ${f[2]} ns"
	assert_conserved
}

@test "busy gives a process less idle when a neighbour ran, none gives it no idle" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	insmod "$GREENAI_KO" source=model model_idle_mw=10000 model_max_mw=60000 idle=busy
	assert_equal "$(domain_idle package-0)" "busy model 10000000"
	local alone with
	alone=$(spin_in alone 0 1)
	with=$(spin_in with 0 1 1 1.5)
	# alone it took nearly all the idle power; beside a neighbour, half
	awk -v a="$(per_cpu_s "$alone")" -v w="$(per_cpu_s "$with")" \
		'BEGIN { exit !(w < 0.93 * a) }' ||
		fail "busy: $(per_cpu_s "$with") with a neighbour, $(per_cpu_s "$alone") alone"
	assert_conserved
	echo "idle none" >/proc/greenai/control
	assert_equal "$(domain_idle package-0)" "none model 10000000"
	local none=($(spin_in none 0 1))
	assert_equal "${none[1]}" 0
	within "$(per_cpu_s "${none[*]}")" "$((50000000 / $(nproc)))" 1 ||
		fail "none: $(per_cpu_s "${none[*]}") uJ per CPU-second"
	assert_conserved
}

@test "interval records name the policy, the idle power and the node's idle" {
	insmod "$GREENAI_KO" source=model model_idle_mw=10000 model_max_mw=60000
	echo "idle_power mw=4000 domain=package-0" >/proc/greenai/control
	assert_equal "$(domain_idle package-0)" "capacity fixed 4000000"
	local out=$BATS_TEST_TMPDIR/records
	run $RING collect "$out" -- "$BIN/spin" 0.3
	assert_success
	# INTERVAL ... nr_tasks idle_share idle_basis idle_power_uw node_idle:
	# capacity (0), fixed (1), 4 W; energy = active + idle; node idle is
	# at most the idle part
	run awk '$1 == "INTERVAL" && $3 == 0 && $6 - $5 >= 10000000 &&
		($14 != 0 || $15 != 1 || $16 != 4000000 || $7 != $8 + $9 ||
		 $17 > $9) { n++ } END { print n + 0 }' "$out"
	assert_output 0
	run awk '$1 == "INTERVAL" && $3 == 0 { n++ } END { print n + 0 }' "$out"
	assert [ "$output" -gt 0 ]
	echo "idle_power auto" >/proc/greenai/control
	assert_equal "$(domain_idle package-0)" "capacity model 10000000"
	echo "idle_power util" >/proc/greenai/control
	assert_equal "$(domain_idle package-0)" "capacity utilisation 0"
}

@test "a measured domain learns its idle power from its quiet intervals" {
	# the RAPL fake counts a constant 100 W: the calibrated idle power
	# is that, once a block of quiet intervals has been seen
	insmod "$FAKE_RAPL_KO" pkg_mw=100000
	insmod "$GREENAI_KO" source=rapl
	assert_equal "$(domain_idle package-0)" "capacity utilisation 0"
	local deadline=$((SECONDS + 120)) got
	until got=$(domain_idle package-0) && [ "${got% *}" = "capacity calibrated" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "never calibrated: $got"
		sleep 0.1
	done
	# the least of many readings: a little low when a read came late
	within "${got##* }" 100000000 5 || fail "calibrated at ${got##* } uW"
}

@test "bad idle commands and parameters are refused and change nothing" {
	run insmod "$GREENAI_KO" idle=bogus
	assert_failure
	run grep -c 'idle=bogus is not one of capacity, busy, none' <(dmesg)
	assert [ "$output" -ge 1 ]
	insmod "$GREENAI_KO" source=model idle=none idle_mw=2000
	assert_equal "$(domain_idle package-0)" "none fixed 2000000"
	local bad
	for bad in "idle" "idle Busy" "idle busy now" "idle_power" \
		"idle_power mw=0" "idle_power mw=x" "idle_power mw=20000000" \
		"idle_power auto now" "idle_power util domain=package-0" \
		"idle_power mw=5 package-0" "idle_power mw=5 domain=nope"; do
		run bash -c 'printf "%s\n" "$1" > /proc/greenai/control' _ "$bad"
		assert_failure
	done
	assert_equal "$(domain_idle package-0)" "none fixed 2000000"
}
