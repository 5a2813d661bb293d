#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make demo's script (scripts/demo.sh), with two training epochs: a
# PyTorch baseline on the bundled digits, pruned, quantised, distilled and
# scheduled carbon-aware, each a greenai run with its accuracy from
# $GREENAI_METRICS, each model's inference a run of its own; then the
# comparison, in the columns of the Green Score paper, beside the paper's
# figures. Checked against what the runs left: the ledger, the models
# saved, the replayed forecast. Runs as root (BPF, cgroups).

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	GREENAI_DEMO_ITERS=2 "$TOP/scripts/demo.sh" >"$BATS_FILE_TMPDIR/out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/status"
}

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "the demo needs root (BPF, cgroups)"
	D=$TOP/build/demo
	output=$(cat "$BATS_FILE_TMPDIR/out")
	mapfile -t lines <<<"$output"
	[ "$(cat "$BATS_FILE_TMPDIR/status")" = 0 ] ||
		fail "demo.sh failed: $(tail -n 30 <<<"$output")"
}

# sql QUERY: rows of the demo's ledger, fields split by '|'
sql() {
	python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in r))' "$D/ledger.db" "$1"
}

@test "demo: every technique is a run in the ledger, with its accuracy, phase and technique" {
	# each run's label names the backend and the energy source
	assert_line --regexp '^  backend +(module|bpf \(tp_btf\)|bpf \(raw_tp\)); energy from .+$'
	run sql "SELECT r.model, r.status, r.accuracy_pct IS NOT NULL,
		(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'phase'),
		(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'technique')
		FROM runs r ORDER BY r.id"
	assert_output "baseline|1|1|training|baseline
pruned|1|1|training|pruning
quantised|1|1|training|quantisation
distilled|1|1|training|knowledge distillation
scheduled|1|1|training|energy-aware scheduling
baseline-infer|1|1|inference|baseline
pruned-infer|1|1|inference|pruning
quantised-infer|1|1|inference|quantisation
distilled-infer|1|1|inference|knowledge distillation"
	# the accuracy each script printed is the one the ledger has
	local acc
	acc=$(sed -n 's/^pruned: .*test accuracy \([0-9.]*\) %$/\1/p' "$BATS_FILE_TMPDIR/out")
	run sql "SELECT accuracy_pct FROM runs WHERE model = 'pruned'"
	awk -v a="$acc" -v b="$output" 'BEGIN { d = a - b; exit !(a != "" && d < 0.01 && d > -0.01) }' ||
		fail "printed $acc, ledger $output"
	# inference runs say what they did: 2 x 10 passes over the 450 test
	# digits, as predictions
	run sql "SELECT model, units, unit FROM runs WHERE units IS NOT NULL
		ORDER BY id"
	assert_output "baseline-infer|9000.0|predictions
pruned-infer|9000.0|predictions
quantised-infer|9000.0|predictions
distilled-infer|9000.0|predictions"
}

@test "demo: the pruned model has the sparsity asked, the quantised one int8 Linear layers" {
	assert_line --regexp '^quantised: 3 of 3 Linear layers dynamic int8 \(torch\.qint8, engine qnnpack\); test accuracy [0-9.]+ %$'
	run sql "SELECT m.key, m.value FROM runs r JOIN run_metrics m ON m.run_id = r.id
		WHERE r.model IN ('pruned', 'quantised') AND m.key IN ('sparsity', 'int8_layers')
		ORDER BY m.key"
	assert_output "int8_layers|3.0
sparsity|70.0"
	# and the models saved say so themselves
	run /usr/bin/python3 -c 'import sys, torch
from torch import nn
torch.backends.quantized.engine = "qnnpack"
p = torch.load(sys.argv[1])
w = [m.weight for m in p.modules() if isinstance(m, nn.Linear)]
print("pruned %.2f" % (100.0 * sum(int((x == 0).sum()) for x in w) / sum(x.numel() for x in w)))
q = torch.load(sys.argv[2])
ql = [m for m in q.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
print("quantised", len(ql), sorted({str(m.weight().dtype) for m in ql}),
      sum(isinstance(m, nn.Linear) and not isinstance(m, torch.ao.nn.quantized.dynamic.Linear)
          for m in q.modules()))' "$D/pruned.pt" "$D/quantised.pt"
	assert_success
	assert_line "pruned 70.00"
	assert_line "quantised 3 ['torch.qint8'] 0"
}

@test "demo: the carbon-aware run started in the forecast's low window" {
	# the window: the first point of the forecast at or under 200 g/kWh
	# after one above it, moved by the demo's intensity_file_offset; the
	# run's start is in its span, and its first interval at its figure
	local w off
	off=$(sed -n 's/^intensity_file_offset = \(-\?[0-9]*\)s$/\1/p' "$D/greenai.conf")
	[ -n "$off" ] || fail "no offset in $(cat "$D/greenai.conf")"
	w=$(python3 - "$TOP/demo/forecast.csv" "$off" <<-'EOF'
		import sys
		from datetime import datetime
		pts = [l.strip().split(",") for l in open(sys.argv[1])
		       if l[0].isdigit()]
		t = [int(datetime.fromisoformat(p[0].replace("Z", "+00:00")).timestamp())
		     + int(sys.argv[2]) for p in pts]
		g = [float(p[1]) for p in pts]
		i = next(i for i in range(1, len(g)) if g[i] <= 200 < g[i - 1])
		print(t[i] * 10**9, t[i + 1] * 10**9, int(g[i] * 1000))
	EOF
	)
	local start end mg
	read -r start end mg <<<"$w"
	run sql "SELECT r.start_unix_ns >= $start AND r.start_unix_ns < $end,
		(SELECT mg_per_kwh FROM run_intensity WHERE run_id = r.id ORDER BY seq LIMIT 1),
		(SELECT COUNT(*) FROM run_pauses WHERE run_id = r.id AND kind = 'freeze'),
		(SELECT COUNT(*) FROM run_pauses WHERE run_id = r.id AND kind = 'wait'
		 AND end_unix_ns < $start - 1000000000)
		FROM runs r WHERE model = 'scheduled'"
	# in the window, at its figure, never frozen, no wait that ended early
	assert_output "1|$mg|0|0"
	# and the source says the file was moved
	run sql "SELECT DISTINCT i.source FROM run_intensity i JOIN runs r ON r.id = i.run_id
		WHERE r.model = 'scheduled'"
	assert_output "file $TOP/demo/forecast.csv, its times moved by +$off.000 s"
	# every other run under the figure before the window
	run sql "SELECT DISTINCT mg_per_kwh FROM runs WHERE model != 'scheduled'"
	assert_output 260000
}

@test "demo: the comparison has every technique with its figures, beside the paper's" {
	# the table, and its CSV: a row per technique and phase, every figure
	# a number; accuracy retained as the ledger's accuracies say
	assert_line --regexp '^pruning +training +pruned +baseline( +-?[0-9.e+-]+){5} +1 run +capacity$'
	assert_line --regexp '^quantisation +inference +quantised-infer +baseline-infer( +-?[0-9.e+-]+){5} +predictions +capacity$'
	python3 - "$D/compare.csv" "$D/ledger.db" <<-'EOF' || fail "compare.csv: $(cat "$D/compare.csv")"
		import csv, sqlite3, sys
		rows = list(csv.DictReader(open(sys.argv[1])))
		acc = dict(sqlite3.connect(sys.argv[2]).execute(
		    "SELECT model, accuracy_pct FROM runs"))
		want = [("pruning", "training"), ("quantisation", "training"),
		        ("knowledge distillation", "training"),
		        ("energy-aware scheduling", "training"),
		        ("pruning", "inference"), ("quantisation", "inference"),
		        ("knowledge distillation", "inference")]
		assert [(r["Technique"], r["Phase"]) for r in rows] == want, rows
		for r in rows:
		    for k in ("Accuracy retained %", "Energy reduction %",
		              "CO2 reduction %", "Green Score change %", "Energy J"):
		        float(r[k])
		    a = 100 * acc[r["Model"]] / acc[r["Baseline"]]
		    assert abs(float(r["Accuracy retained %"]) - a) < 1e-6, r
	EOF
	# the paper's Table 2 beside it, said to be the paper's
	assert_line --partial 'paper: reference figures from Nisha Yadav and Pinky Laxmikant Sasmal, "Energy-Efficient Optimization of Machine Learning Models: Balancing Performance and Sustainability"'
	local t a e c
	while IFS=, read -r t _ a e c; do
		assert_line --regexp "^$t +training +-?[0-9.]+ +$a +-?[0-9.]+ +$e +-?[0-9.]+ +$c\$"
	done < <(grep -v '^#' "$TOP/demo/paper_table2.csv" | sed 1d)
	# Markdown and SVG in build/demo
	run grep -c '^| ' "$D/compare.md"
	assert_output 8
	run grep -c '^| ' "$D/beside-paper.md"
	assert_output 8
	grep -q 'reference figures from Nisha Yadav' "$D/beside-paper.md"
	xmllint --noout "$D/compare.svg" "$D/report.svg"
	run xmllint --xpath 'count(//*[local-name()="rect"][@fill!="white"])' "$D/compare.svg"
	assert_output 28
	run xmllint --xpath 'count(//*[local-name()="rect"][@fill!="white"])' "$D/report.svg"
	assert_output 18
}
