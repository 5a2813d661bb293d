#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make demo's script (scripts/demo.sh), with few training iterations: two
# MLPs trained on the bundled digits under greenai run, each with its
# accuracy from $GREENAI_METRICS, then the report and the comparison.
# Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "the demo needs root (BPF, cgroups)"
}

@test "the demo trains two models under greenai run and compares them" {
	GREENAI_DEMO_ITERS=5 run "$TOP/scripts/demo.sh"
	assert_success
	# each run's label names the backend and the energy source
	assert_line --regexp '^  backend +(module|bpf \(tp_btf\)|bpf \(raw_tp\)); energy from .+$'
	# the report has both models, each with its accuracy and a score
	assert_line --regexp '^mlp-256x256 +1 +[0-9.]+ +[0-9.e+-]+ +[0-9.e+-]+ +[0-9.e+]+$'
	assert_line --regexp '^mlp-32 +1 +[0-9.]+ +[0-9.e+-]+ +[0-9.e+-]+ +[0-9.e+]+$'
	# and the comparison its four figures, and the idle policy of both
	assert_line --regexp '^mlp-256x256 +mlp-32 +[0-9.e+-]+ +-?[0-9.e+-]+ +-?[0-9.e+-]+ +-?[0-9.e+-]+ +capacity$'
	# the accuracy each script printed is the one the ledger has
	local acc
	acc=$(awk '/^mlp 32:/ { print $NF == "%" ? $(NF - 1) : $NF }' <<<"$output")
	run awk -v a="$acc" '$1 == "mlp-32" { d = $3 - a; exit !(d < 0.01 && d > -0.01) }' <<<"$output"
	assert_success
	# the charts it leaves parse, with a bar per model in each
	xmllint --noout "$TOP/build/demo/report.svg"
	run xmllint --xpath 'count(//*[local-name()="rect"][@fill!="white"])' \
		"$TOP/build/demo/report.svg"
	assert_output 4
}
