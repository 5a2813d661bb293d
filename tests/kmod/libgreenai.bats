#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libgreenai over the module: the same program the host suite runs on the
# BPF backend (tests/host/helpers/gasample.c) reads greenai.ko's records,
# tasks and cgroups through the library's one API.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
	SAMPLE=$BIN/gasample
	[ -x "$SAMPLE" ] || fail "no $SAMPLE"
}

teardown() {
	_kmod_teardown
}

@test "libgreenai picks the loaded module and reads it through its API" {
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	local g id out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	g=$(new_cgroup greenai-lib)
	id=$(stat -c %i "$g")
	run "$SAMPLE" --records "$rec" -- "$BIN/cgspawn" "$g" sh -c \
		"$BIN/spin 1 & $BIN/spin 0.5 & wait"
	assert_success
	assert_line "backend module"
	echo "$output" >"$out"
	# both spins and their shell exited, each with its record
	run awk -v c="$id" '$1 == "EXIT" && $5 == c { n++ } END { print n + 0 }' "$rec"
	assert_output 3
	# the cgroup's CPU time is the kernel's, and its energy is exactly
	# what its processes took with them
	local usage cg
	usage=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$g/cpu.stat")
	cg=($(awk -v c="$id" '$1 == "cgroup" && $2 == c { printf "%s %.0f\n", $3, $4 + $5 }' "$out"))
	within "${cg[0]}" "$usage" 2 || fail "greenai ${cg[0]} ns, cpu.stat $usage ns"
	run awk -v c="$id" '$1 == "EXIT" && $5 == c { e += $7 + $8 }
		END { printf "%.0f\n", e }' "$rec"
	assert_output "${cg[1]}"
	# the domains are the module's, with its totals
	run awk '$1 == "domain" { print $3 }' "$out"
	assert_line "package-0"
}

@test "libgreenai adds hwmon and GPU domains after the module's, split alike" {
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	load ../test_helper/extra-sources
	extra_sources_setup
	local g id out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	g=$(new_cgroup greenai-extra)
	id=$(stat -c %i "$g")
	run "$SAMPLE" --sysfs-root "$EXTRA_ROOT" --nvml-lib "$NVML_LIB" \
		--records "$rec" -- "$BIN/cgspawn" "$g" sh -c \
		"echo procs.0=\$\$ >>$GA_FAKE_NVML_STATE; exec $BIN/spin 1"
	assert_success
	echo "$output" >"$out"
	assert_line "backend module"
	assert_line --regexp "^source hwmon used"
	assert_line --regexp "^source nvml used"
	assert_extra_domains "$out" "$rec"
	# the cgroup's energy, over every domain, is what its process took
	run awk -v c="$id" '$1 == "EXIT" && $5 == c { e += $7 + $8 }
		END { printf "%.0f\n", e }' "$rec"
	assert_output "$(awk -v c="$id" '$1 == "cgroup" && $2 == c { printf "%.0f\n", $4 + $5 }' "$out")"
}

@test "exits the module folds at its own closes, between a sample's reads, keep their extra domains' energy" {
	# a close every 10 ms, as well as the samples' flushes: many of
	# the 100 exits are folded while a sample is between the ring and
	# the table
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000 interval_ms=10
	load ../test_helper/extra-sources
	extra_sources_setup
	local g id out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec hw
	g=$(new_cgroup greenai-closes)
	id=$(stat -c %i "$g")
	run "$SAMPLE" --sysfs-root "$EXTRA_ROOT" --nvml-lib "$NVML_LIB" \
		--interval-ms 20 --records "$rec" -- "$BIN/cgspawn" "$g" sh -c \
		"for i in \$(seq 100); do $BIN/spin 0.01; done"
	assert_success
	echo "$output" >"$out"
	hw=$(awk '$1 == "domain" && $3 ~ /^hwmon-/ { print $2 }' "$out")
	[ -n "$hw" ] || fail "no hwmon domain"
	# every spin's record has its share of the 5 W sensor
	run awk -v c="$id" -v a="$hw" '$1 == "EXIT" && $5 == c && $9 == "spin" {
		n++; split($10, d, ","); split(d[a + 1], h, "+");
		if (h[1] + h[2] == 0) print "no hwmon energy:", $0 }
		END { print n + 0, "spins" }' "$rec"
	assert_output "100 spins"
	# and the cgroup's energy is what its processes took, to the µJ
	run awk -v c="$id" '$1 == "EXIT" && $5 == c { e += $7 + $8 }
		END { printf "%.0f\n", e }' "$rec"
	assert_output "$(awk -v c="$id" '$1 == "cgroup" && $2 == c { printf "%.0f\n", $4 + $5 }' "$out")"
}

@test "libgreenai says why it cannot read the module" {
	run "$SAMPLE" --backend module -- true
	assert_failure 125
	assert_output --partial "is greenai.ko loaded?"
	insmod "$GREENAI_KO"
	# one reader at a time: a second one is told who has the ring
	exec 9</dev/greenai
	run "$SAMPLE" --backend module -- true
	exec 9<&-
	assert_failure 125
	assert_output --partial "another reader has it"
}
