# SPDX-License-Identifier: GPL-2.0
#
# The energy sources libgreenai adds in userspace (hwmon, GPUs), faked for
# a test that has none: a sysfs root with one hwmon power sensor of a
# fixed 5 W, and the FAKE libnvidia-ml.so.1 (tests/fakes/nvml) with one
# GPU drawing 30 W and no energy counter. Needs TOP and BATS_TEST_TMPDIR.
#
# extra_sources_setup: sets EXTRA_ROOT, NVML_LIB and GA_FAKE_NVML_STATE;
# a process lists itself as one of the GPU's (a compute context) with
# "echo procs.0=PID >>$GA_FAKE_NVML_STATE".

extra_sources_setup() {
	EXTRA_ROOT=$BATS_TEST_TMPDIR/extra-root
	NVML_LIB=$TOP/build/tests/fakes/nvml/libnvidia-ml.so.1
	[ -f "$NVML_LIB" ] || fail "no FAKE NVML at $NVML_LIB (make test-helpers)"
	mkdir -p "$EXTRA_ROOT/sys/class/hwmon/hwmon0"
	echo acpi_power_meter >"$EXTRA_ROOT/sys/class/hwmon/hwmon0/name"
	echo 5000000 >"$EXTRA_ROOT/sys/class/hwmon/hwmon0/power1_input"
	export GA_FAKE_NVML_STATE=$BATS_TEST_TMPDIR/fake-nvml
	printf 'gpus=1\npower_mw.0=30000\n' >"$GA_FAKE_NVML_STATE"
}

# assert_extra_domains OUT RECORDS: what gasample printed (OUT) and its
# records file, for a run where one process ran with the GPU listed:
# - the hwmon sensor and the GPU are domains numbered after all others;
# - the 5 W sensor's energy is 5 W times its intervals' length (2 %);
# - each interval of either is active + idle to the µJ; the GPU's, split
#   equally for want of per-process figures, are flagged so (16);
# - that process's exit record carries energy of both.
assert_extra_domains() {
	local out=$1 rec=$2 hw gpu last
	hw=$(awk '$1 == "domain" && $3 ~ /^hwmon-acpi_power_meter-/ { print $2 }' "$out")
	gpu=$(awk '$1 == "domain" && $3 == "gpu-0" { print $2 }' "$out")
	last=$(awk '$1 == "domain" && $3 !~ /^(hwmon-|gpu-)/ { m = $2 } END { print m }' "$out")
	[ -n "$hw" ] && [ -n "$gpu" ] && [ -n "$last" ] ||
		fail "$(printf 'domains missing:\n'; grep '^domain' "$out")"
	[ "$hw" = $((last + 1)) ] && [ "$gpu" = $((last + 2)) ] ||
		fail "$(printf 'extra domains not after the others:\n'; grep '^domain' "$out")"
	local e ns
	read -r e ns < <(awk -v d="$hw" '$1 == "INTERVAL" && $3 == d {
		e += $7; ns += $6 - $5 } END { printf "%.0f %.0f\n", e, ns }' "$rec")
	within "$e" $((ns / 200)) 2 || fail "5 W sensor: $e uJ over $ns ns"
	run awk -v a="$hw" -v b="$gpu" '$1 == "INTERVAL" && ($3 == a || $3 == b) &&
		$7 != $8 + $9 { print "not conserved:", $0 }' "$rec"
	assert_output ""
	run awk -v b="$gpu" '$1 == "INTERVAL" && $3 == b && $8 > 0 &&
		int($4 / 16) % 2 == 0 { print "not flagged equal:", $0 }' "$rec"
	assert_output ""
	run awk -v a="$hw" -v b="$gpu" '$1 == "EXIT" && $9 == "spin" {
		split($10, d, ","); split(d[a + 1], h, "+"); split(d[b + 1], g, "+");
		print (h[1] > 0), (g[1] > 0) }' "$rec"
	assert_output "1 1"
}
