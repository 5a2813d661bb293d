# SPDX-License-Identifier: GPL-2.0
#
# Loaded from setup() of every bats file: bats-support and bats-assert
# (Debian's packages), the project root from the test file's own path, and
# the versions the tree declares, read from its headers.

_common_setup() {
	bats_require_minimum_version 1.5.0
	load /usr/lib/bats/bats-support/load.bash
	load /usr/lib/bats/bats-assert/load.bash
	TOP=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
	export TOP
	ABI_VERSION=$(sed -n 's/^#define GREENAI_ABI_VERSION[[:space:]]*\([0-9]*\)$/\1/p' \
		"$TOP/include/uapi/greenai.h")
	MODULE_VERSION=$(sed -n 's/^#define GREENAI_VERSION "\(.*\)"$/\1/p' \
		"$TOP/include/greenai/version.h")
	export ABI_VERSION MODULE_VERSION
	# a calibration saved on the machine (greenai calibrate --save) would
	# start the tests' measured domains from its figures: each test has
	# its own place, empty
	export GREENAI_CALIBRATION=$BATS_TEST_TMPDIR/idle-power
}

# end_pids [SIGNAL]: signal the test's background jobs (the PIDS array;
# TERM unless told), then reap them
end_pids() {
	local p
	for p in "${PIDS[@]}"; do
		kill "-${1:-TERM}" "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}
