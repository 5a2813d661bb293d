#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The quick part of the userspace soak (tests/soak/exporter-soak.sh; make
# soak runs it for 10 minutes): the exporter scraped without pause for 20 s
# while containers churn; counters never go back, RSS and open files flat.
# Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
}

@test "soak: the exporter scraped for 20 s while containers churn: nothing goes back, RSS and open files flat" {
	run "$TOP/tests/soak/exporter-soak.sh" 20
	assert_success
	# the figures, for the log
	echo "$output" | sed 's/^/# /' >&3
	assert_line --regexp '^\| 20 \| [0-9]+ \| [0-9]+ \| 0 \|'
	# enough happened to mean something: scrapes and churned containers
	local scrapes churned
	scrapes=$(awk -F'|' '$2 == " 20 " { print $3 + 0 }' <<<"$output")
	churned=$(awk -F'|' '$2 == " 20 " { print $4 + 0 }' <<<"$output")
	[ "$scrapes" -gt 100 ] && [ "$churned" -gt 30 ] ||
		fail "too little: $scrapes scrapes, $churned containers"
}
