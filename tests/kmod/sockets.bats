#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Machines of two packages. The VM rig boots a guest with one CPU in each
# of two packages for this file (tests/vm/run.sh --sockets 2, which
# tests/run-all.sh runs after each kernel's suite); in the suite's usual
# guest, of one package, its tests are skipped. RAPL comes from the
# suite's FAKE counters (tests/kmod/fake_rapl), which read the same on
# every CPU: the platform counter reads on both packages, as one counter.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
	[ -f "$FAKE_RAPL_KO" ] || fail "no RAPL fake at $FAKE_RAPL_KO"
	local pkgs
	pkgs=$(sort -u /sys/devices/system/cpu/cpu*/topology/physical_package_id | wc -l)
	[ "$pkgs" -eq 2 ] ||
		skip "the guest has $pkgs package(s): run.sh --sockets 2 runs this file"
}

teardown() {
	_kmod_teardown
}

# domain_id NAME: the id of a domain in /proc/greenai/domains
domain_id() {
	awk -v n="$1" '!/^#/ && $2 == n { print $1 }' /proc/greenai/domains
}

# package_of CPU: the physical package of a CPU
package_of() {
	cat "/sys/devices/system/cpu/cpu$1/topology/physical_package_id"
}

@test "the platform counter covers every CPU of both packages, counted once" {
	insmod "$FAKE_RAPL_KO" vendor=intel model=0x8f esu=14 psys_esu=0 \
		pkg_mw=20000 psys_mw=50000
	insmod "$GREENAI_KO" source=rapl
	run awk '!/^#/ { print $2, $3, $10 }' /proc/greenai/domains
	assert_success
	assert_output "package-0 package 1
psys-0 psys 2
package-1 package 1"
	dmesg | grep -q 'greenai: the psys counter reads on CPU 1 too: counted once' ||
		fail "the kernel log does not say the second package's copy is left out"
}

@test "a process on the second package's CPU gets platform energy, none of the first package's" {
	insmod "$FAKE_RAPL_KO" vendor=intel model=0x8f esu=14 psys_esu=0 \
		pkg_mw=20000 psys_mw=50000
	insmod "$GREENAI_KO" source=rapl interval_ms=500
	local out=$BATS_TEST_TMPDIR/records cpu=1 g psys pkg0 pkgn
	[ "$(package_of $cpu)" != "$(package_of 0)" ] ||
		fail "CPU 0 and CPU $cpu are in one package"
	g=$(new_cgroup greenai-sockets)
	# what the test starts runs on CPU 1 only, from its first instant
	run taskset -c $cpu $RING collect "$out" -- \
		"$BIN/cgspawn" "$g" "$BIN/spin" 2
	assert_success
	psys=$(domain_id psys-0)
	pkg0=$(domain_id "package-$(package_of 0)")
	pkgn=$(domain_id "package-$(package_of $cpu)")
	run awk -v c="$(stat -c %i "$g")" \
		'$1 == "EXIT" && $9 == "spin" && $5 == c { print $10 }' "$out"
	assert_success
	[ "${#lines[@]}" -eq 1 ] || fail "not one spin exit: $(grep -E '^(EXIT|LOST)' "$out")"
	local per=(${lines[0]//,/ })
	assert_equal "${per[$pkg0]}" "0+0"
	[ "${per[$pkgn]%+*}" -gt 0 ] ||
		fail "spin got no active energy of its own package: ${per[*]}"
	[ "${per[$psys]%+*}" -gt 0 ] ||
		fail "spin got no active platform energy: ${per[*]}"
	# the platform's intervals count both CPUs' capacity
	run awk -v d="$psys" '$1 == "INTERVAL" && $3 == d &&
		$12 != 2 * ($6 - $5) { print }' "$out"
	assert_output ""
	assert_conserved 3
}
