# SPDX-License-Identifier: GPL-2.0
#
# Loaded by the module suites (tests/kmod/*.bats), which run as root in the
# VM rig's guest with GREENAI_KO set. Gives the helpers' paths (and the
# RAPL fake's, FAKE_RAPL_KO), the cgroup2
# mount, and cleanup of what a test started: its processes, its cgroups
# and the module.

_kmod_setup() {
	load ../test_helper/common-setup
	_common_setup
	[ -n "${GREENAI_IN_GUEST:-}" ] || skip "runs in the VM rig's guest only"
	[ -f "$GREENAI_KO" ] || fail "no module at GREENAI_KO=$GREENAI_KO"
	BIN=$TOP/build/tests
	FAKE_RAPL_KO=$(dirname "$GREENAI_KO")/../tests/kmod/fake_rapl/greenai_fake_rapl.ko
	RING="python3 $TOP/tests/kmod/helpers/greenai_ring.py"
	PROC="python3 $TOP/tests/kmod/helpers/greenai_proc.py"
	load ../test_helper/cgroups
	_cgroups_setup
	TEST_PIDS=()
}

_kmod_teardown() {
	local p
	for p in "${TEST_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	_cgroups_teardown
	if grep -q '^greenai ' /proc/modules; then
		rmmod greenai
	fi
	if grep -q '^greenai_fake_rapl ' /proc/modules; then
		rmmod greenai_fake_rapl
	fi
}

# flush: close the current interval now.
flush() {
	echo flush >/proc/greenai/control
}

# stat_value KEY: a counter from /proc/greenai/stats.
stat_value() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/greenai/stats
}

# assert_conserved [N]: every domain (N of them, if given) has used energy,
# and its processes plus the node's idle plus unattributed add up to it to
# the microjoule.
assert_conserved() {
	run $PROC conservation
	assert_success
	if [ $# -gt 0 ]; then
		assert_equal "${#lines[@]}" "$1"
	else
		assert [ "${#lines[@]}" -ge 1 ]
	fi
	local l f
	for l in "${lines[@]}"; do
		f=($l)
		assert [ "${f[1]}" -gt 0 ]
		assert_equal "${f[2]}" "${f[1]}"
	done
}
