# SPDX-License-Identifier: GPL-2.0
#
# Waiting on a condition, not on the clock: poll_until checks it every
# 50 ms and fails the test, naming it, when it has not come true within
# the bound given. The bound is a ceiling for a slow machine, never the
# expected wait.

# poll_until SECONDS CMD...: run CMD until it succeeds, SECONDS at most
poll_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] ||
			fail "not true within the bound: $*"
		sleep 0.05
	done
}
