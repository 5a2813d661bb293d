#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# /proc/greenai: what each file shows, who may read it, and a control file
# that takes valid commands and rejects everything else unchanged.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	_kmod_teardown
}

@test "domains shows the model's estimated package domain with its power" {
	insmod "$GREENAI_KO" model_idle_mw=5000 model_max_mw=40000
	run awk '!/^#/ { print $2, $3, $4, $5, $9, $10 }' /proc/greenai/domains
	assert_success
	assert_line "package-0 package model estimated 40000000 $(nproc)"
}

@test "energy files are root-only by default, version is world-readable" {
	insmod "$GREENAI_KO"
	local f
	for f in domains tasks cgroups stats; do
		run stat -c '%a %U %G' "/proc/greenai/$f"
		assert_output "400 root root"
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			cat "/proc/greenai/$f"
		assert_failure
	done
	run stat -c %a /proc/greenai/control
	assert_output 200
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		cat /proc/greenai/version
	assert_success
	assert_line --index 0 "abi $ABI_VERSION"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		python3 -c 'open("/dev/greenai")'
	assert_failure
	assert_output --partial "Permission denied"
}

@test "gid= lets that group, and no other, read the energy files and ring" {
	insmod "$GREENAI_KO" gid=4242
	run stat -c '%a %G' /proc/greenai/tasks
	assert_output --regexp '^440 (4242|UNKNOWN)$'
	run setpriv --reuid=65534 --regid=4242 --clear-groups \
		cat /proc/greenai/domains
	assert_success
	assert_output --partial "package-0"
	run setpriv --reuid=65534 --regid=4242 --clear-groups \
		python3 -c 'import os; os.close(os.open("/dev/greenai", os.O_RDONLY))'
	assert_success
	run setpriv --reuid=65534 --regid=4243 --clear-groups \
		cat /proc/greenai/domains
	assert_failure
	run setpriv --reuid=65534 --regid=4242 --clear-groups \
		sh -c 'echo flush > /proc/greenai/control'
	assert_failure
}

@test "control rejects garbage, oversized and half-valid commands unchanged" {
	insmod "$GREENAI_KO" model_idle_mw=5000 model_max_mw=40000
	local before bad
	before=$(cat /proc/greenai/domains)
	for bad in "garbage" "" "flush now" "model" "model idle_mw=1" \
		"model idle_mw=1 max_mw=" "model idle_mw=5000 max_mw=1000" \
		"model max_mw=2000 idle_mw=1000" "model idle_mw=-1 max_mw=2" \
		"model idle_mw=1x max_mw=2" "model idle_mw=1 max_mw=2 more" \
		"model  idle_mw=1 max_mw=2" "model idle_mw=0 max_mw=0" \
		"model idle_mw=1 max_mw=20000000" "idle" "idle fixed_mw=abc" \
		"idle fixed_mw=" "idle util extra" \
		"$(head -c 200 /dev/zero | tr '\0' x)"; do
		run bash -c 'printf "%s\n" "$1" > /proc/greenai/control' _ "$bad"
		assert_failure
		assert_output --partial "Invalid argument"
	done
	run bash -c 'printf "flu\0sh" > /proc/greenai/control'
	assert_failure
	run awk '!/^#/ { print $9 }' /proc/greenai/domains
	assert_output 40000000
	assert_equal "$(awk '!/^#/ { print $1, $2, $9 }' <<<"$before")" \
		"$(awk '!/^#/ { print $1, $2, $9 }' /proc/greenai/domains)"
}

@test "control applies model and idle commands" {
	insmod "$GREENAI_KO"
	echo "model idle_mw=1000 max_mw=20000" >/proc/greenai/control
	run awk '!/^#/ { print $9 }' /proc/greenai/domains
	assert_output 20000000
	echo "idle_power mw=500" >/proc/greenai/control
	run awk '!/^#/ { print $17, $18, $19 }' /proc/greenai/domains
	assert_output "capacity fixed 500000"
	echo "idle busy" >/proc/greenai/control
	echo "idle_power util" >/proc/greenai/control
	run awk '!/^#/ { print $17, $18, $19 }' /proc/greenai/domains
	assert_output "busy utilisation 0"
	printf flush >/proc/greenai/control
}

@test "stats counts intervals and context switches" {
	insmod "$GREENAI_KO"
	flush
	local i0 s0
	i0=$(stat_value intervals)
	s0=$(stat_value switches)
	"$BIN/forkstorm" 20 >/dev/null
	flush
	assert [ "$(stat_value intervals)" -gt "$i0" ]
	assert [ "$(stat_value switches)" -gt "$s0" ]
	assert [ "$(stat_value probe_samples)" -gt 0 ]
}

@test "tasks and cgroups show a running process with its cgroup and path" {
	insmod "$GREENAI_KO"
	local g pid id i
	g=$(new_cgroup greenai-proc-test)
	"$BIN/cgspawn" "$g" "$BIN/spin" 60 2>/dev/null &
	TEST_PIDS+=($!)
	id=$(stat -c %i "$g")
	# until the spin has run in an interval (60 s at most)
	local deadline=$((SECONDS + 60))
	while :; do
		flush
		pid=$(head -n 1 "$g/cgroup.procs")
		[ -n "$pid" ] && grep -q "^$pid $id " /proc/greenai/tasks && break
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	run awk -v p="$pid" '$1 == p { print $2, ($3 > 0), $NF }' /proc/greenai/tasks
	assert_output "$id 1 spin"
	run awk -v c="$id" '$1 == c { print $NF }' /proc/greenai/cgroups
	assert_output "/greenai-proc-test"
	# its rows are each cgroup's own figures, and the file says so
	run sed -n 2p /proc/greenai/cgroups
	assert_output "# figures: own (each cgroup's processes; its descendants' not included)"
}
