#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The quick part of the userspace soak (tests/soak/exporter-soak.sh; make
# soak runs it for 10 minutes): the exporter scraped without pause for 20 s,
# and longer if it takes that to make 101 scrapes and churn 31 containers,
# while containers churn; counters never go back, RSS and open files flat.
# Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
}

@test "soak: the exporter scraped for 20 s or more while containers churn: nothing goes back, RSS and open files flat" {
	# at least 20 s, and on until enough happened to mean something:
	# 101 scrapes and 31 churned containers (a busy machine needs longer)
	run "$TOP/tests/soak/exporter-soak.sh" 20 101 31
	assert_success
	# the figures, for the log
	echo "$output" | sed 's/^/# /' >&3
	assert_line --regexp '^\| [0-9]+ \| [0-9]+ \| [0-9]+ \| 0 \|'
	local row scrapes churned
	row=$(grep -E '^\| [0-9]+ \|' <<<"$output")
	scrapes=$(awk -F'|' '{ print $3 + 0 }' <<<"$row")
	churned=$(awk -F'|' '{ print $4 + 0 }' <<<"$row")
	[ "$scrapes" -gt 100 ] && [ "$churned" -gt 30 ] ||
		fail "too little: $scrapes scrapes, $churned containers"
}
