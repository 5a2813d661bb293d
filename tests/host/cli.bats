#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The greenai command (tools/greenai): help, the intensity a run uses and
# why (flags, environment, greenai.conf), the Green Score given or from a
# ledger holding the source paper's BERT and DistilBERT, compare against
# the paper's figures, and bad usage refused with exit status 2 and a
# message saying what is wrong.

setup() {
	load ../test_helper/common-setup
	_common_setup
	GREENAI=$TOP/build/greenai
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	TABLE=$TOP/tools/lib/carbon/intensity_table.c
	unset GREENAI_REGION GREENAI_CONFIG
	# the user's greenai.conf is the test's own
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	CONF=$XDG_CONFIG_HOME/greenai/greenai.conf
	mkdir -p "${CONF%/*}"
}

# table_g CODE: the embedded figure of CODE, g/kWh with 3 decimals
table_g() {
	awk -v c="\"$1\"," '$1 == "{" && $2 == c {
		printf "%d.%03d\n", $4 / 1000, $4 % 1000 }' "$TABLE"
}

@test "greenai --help lists every command; each has its own help" {
	run "$GREENAI" --help
	assert_success
	assert_line --regexp '^  intensity +'
	assert_line --regexp '^  score +'
	assert_line --regexp '^  calibrate +'
	for c in intensity score calibrate; do
		run "$GREENAI" "$c" --help
		assert_success
		assert_line --index 0 --regexp "^usage: greenai $c "
		run "$GREENAI" help "$c"
		assert_success
		assert_line --index 0 --regexp "^usage: greenai $c "
	done
	run "$GREENAI"
	assert_failure 2
}

@test "intensity: a country's yearly average, by either code and in any case" {
	local want
	want=$(table_g FRA)
	[ -n "$want" ] || fail "no FRA row in $TABLE"
	for r in FR fr FRA fra; do
		run "$GREENAI" intensity --region "$r"
		assert_success
		assert_line "intensity: $want g CO2e/kWh"
		assert_line "region:    FRA"
		assert_line --regexp '^source: +Ember yearly average via @tgwf/co2 [0-9.]+ of [0-9]{4}-[0-9]{2}-[0-9]{2}, latest year per country \(CC BY-SA 4\.0\)$'
	done
}

@test "intensity: the flag wins over GREENAI_REGION, a given figure over both" {
	GREENAI_REGION=PL run "$GREENAI" intensity
	assert_line "intensity: $(table_g POL) g CO2e/kWh"
	GREENAI_REGION=PL run "$GREENAI" intensity --region SE
	assert_line "intensity: $(table_g SWE) g CO2e/kWh"
	GREENAI_REGION=PL run "$GREENAI" intensity --region SE --intensity 56.25
	assert_success
	assert_line "intensity: 56.250 g CO2e/kWh"
	assert_line "why:       given with --intensity"
	refute_line --partial "region:"
}

@test "intensity: greenai.conf's region or figure, under the flag and GREENAI_REGION" {
	printf '# this site\nregion = NO\n' >"$CONF"
	run "$GREENAI" intensity
	assert_success
	assert_line "intensity: $(table_g NOR) g CO2e/kWh"
	assert_line "why:       the region's yearly average; region from region in $CONF:2"
	GREENAI_REGION=PL run "$GREENAI" intensity
	assert_line "intensity: $(table_g POL) g CO2e/kWh"
	run "$GREENAI" intensity --region SE
	assert_line "intensity: $(table_g SWE) g CO2e/kWh"
	printf 'region = NO\nintensity = 12.5\n' >"$CONF"
	run "$GREENAI" intensity
	assert_line "intensity: 12.500 g CO2e/kWh"
	assert_line "why:       given with intensity in $CONF:2"
	assert_line "source:    intensity in $CONF:2"
	# $GREENAI_CONFIG alone, and it must be there
	printf 'region = DE\n' >"$BATS_TEST_TMPDIR/site.conf"
	GREENAI_CONFIG=$BATS_TEST_TMPDIR/site.conf run "$GREENAI" intensity
	assert_line "intensity: $(table_g DEU) g CO2e/kWh"
	GREENAI_CONFIG=$BATS_TEST_TMPDIR/absent.conf run "$GREENAI" intensity
	assert_failure 2
	assert_line --index 0 "greenai intensity: config $BATS_TEST_TMPDIR/absent.conf: No such file or directory"
}

@test "intensity: a bad greenai.conf is refused with its file and line" {
	local bad
	for bad in "region = Atlantis" "pue = 0.5" "colour = green" "region FR"; do
		printf '# ok\n%s\n' "$bad" >"$CONF"
		run "$GREENAI" intensity
		assert_failure 2
		assert_line --index 0 --regexp "^greenai intensity: $CONF:2: "
		refute_line --regexp '^intensity:'
	done
	# the flags do not need the file: it is not read
	run "$GREENAI" intensity --intensity 5
	assert_success
}

@test "intensity: no region gives the world average and says so" {
	run "$GREENAI" intensity
	assert_success
	assert_line "intensity: $(table_g WORLD) g CO2e/kWh"
	assert_line --partial "no region given"
}

@test "intensity: an unknown region or a bad figure is refused, never replaced" {
	run "$GREENAI" intensity --region ZZ
	assert_failure 2
	assert_output --partial "region 'ZZ': not in the embedded table"
	refute_output --partial "g CO2e/kWh"
	GREENAI_REGION='F!' run "$GREENAI" intensity
	assert_failure 2
	assert_output --partial "(from GREENAI_REGION)"
	for bad in abc -5 1.2345 1e3 100000.001 ""; do
		run "$GREENAI" intensity --intensity "$bad"
		assert_failure 2
		assert_output --partial "not a figure in g CO2e/kWh"
	done
	run "$GREENAI" intensity --bogus
	assert_failure 2
	run "$GREENAI" intensity extra
	assert_failure 2
	run "$GREENAI" no-such-command
	assert_failure 2
	assert_output --partial "no command 'no-such-command'"
}

@test "score: accuracy per kg CO2e, the source paper's BERT figure" {
	run "$GREENAI" score --accuracy 90 --co2-kg 550
	assert_success
	local s
	s=$(awk '{ print $3 }' <<<"$output")
	awk -v s="$s" 'BEGIN { exit !(s > 0.1635 && s < 0.1637) }' ||
		fail "90 % for 550 kg gave $s, the paper's 0.164"
	run "$GREENAI" score --accuracy 86 --co2-kg 120
	assert_success
	assert_output --partial "green score: 0.716667 "
	run "$GREENAI" score --accuracy 97.5 --co2-kg 0.0025
	assert_success
	assert_output --partial "green score: 39000 "
}

# paper_ledger FILE: a ledger holding the source paper's BERT (90 %, 550 kg
# CO2e) and DistilBERT (86 %, 120 kg) as runs at 400 g/kWh (1375 and
# 300 kWh), the kind of figures no test can burn
paper_ledger() {
	"$GREENAI" report --ledger "$1" >/dev/null || return 1
	python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i, (model, acc, kg, kwh) in enumerate([("BERT", 90, 550, 1375),
                                           ("DistilBERT", 86, 120, 300)], 1):
    db.execute("INSERT INTO runs (id, model, command, host, backend, start_unix_ns,"
               " end_unix_ns, status, exit_code, owner_pid, owner_start, mg_per_kwh,"
               " intensity_source, pue_milli, co2_ug, accuracy_pct)"
               " VALUES (?, ?, 'train', 'paper', 'none', 0, 3600000000000, 1, 0, 1, 0,"
               " 400000, 'the paper', 1000, ?, ?)", (i, model, kg * 10**9, acc))
    db.execute("INSERT INTO run_energy (run_id, domain, kind, active_uj, idle_uj,"
               " estimated, in_total) VALUES (?, 'package-0', 'package', ?, 0, 0, 1)",
               (i, kwh * 36 * 10**11))
db.commit()
PY
}

@test "score and compare from the ledger: the source paper's BERT and DistilBERT" {
	local l=$BATS_TEST_TMPDIR/paper.db
	paper_ledger "$l"
	# Green Score = accuracy % / kg CO2e: 90 / 550 = 0.1636, 86 / 120 = 0.7167
	run "$GREENAI" score --ledger "$l" --model BERT
	assert_success
	assert_line "accuracy:    90 %"
	assert_line "co2e:        550 kg"
	assert_line "green score: 0.163636 (% accuracy per kg CO2e)"
	run "$GREENAI" score --ledger "$l" --run 2
	assert_success
	assert_line "green score: 0.716667 (% accuracy per kg CO2e)"
	run "$GREENAI" report --ledger "$l" --format csv
	assert_line --index 1 "BERT,1,90,1375,550,0.163636363636"
	assert_line --index 2 "DistilBERT,1,86,300,120,0.716666666667"
	# accuracy retained 86/90 = 95.56 %, energy and CO2e down 1 - 120/550
	# = 78.18 %, Green Score up 0.7167/0.1636 - 1 = 337.96 %
	run "$GREENAI" compare --ledger "$l" --format csv BERT DistilBERT
	assert_success
	local a e c g
	IFS=, read -r _ _ _ _ a e c g <<<"${lines[1]}"
	awk -v a="$a" -v e="$e" -v c="$c" -v g="$g" 'BEGIN {
		ok = a > 95.555 && a < 95.556 && e > 78.181 && e < 78.182 &&
		     c > 78.181 && c < 78.182 && g > 337.962 && g < 337.963
		exit !ok }' || fail "compare: ${lines[1]}"
	# runs whose CPU energy was weighed differently do not compare
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET weights = CASE id WHEN 1 THEN ? ELSE ? END",
           ("time", "cycles"))
db.commit()' "$l"
	run "$GREENAI" compare --ledger "$l" BERT DistilBERT
	assert_success
	assert_output --partial "greenai compare: warning: the runs' CPU energy was weighed differently (time vs cycles): the figures do not compare"
}

# technique_ledger FILE: runs of a baseline and its optimised versions with
# fixed figures, training and inference, tagged as the demo tags them;
# prints the runs as "model acc J g units|- tags" lines for the test to
# compute what compare must say
TECHNIQUE_RUNS='base 96 100 40 - phase=training
pruned 94 60 24 - phase=training,technique=pruning
quantised 95 90 36 - phase=training,technique=quantisation
sched 96 50 10 - phase=training,technique=energy-aware scheduling
sched 96 50 8 - phase=training,technique=energy-aware scheduling
base-infer 96 20 8 1000 phase=inference
q-infer 95 6 2.4 500 phase=inference,technique=quantisation
q-infer 95 6 2.4 1000 phase=inference,technique=quantisation
d-infer 93 5 2 - phase=inference,technique=distillation'
technique_ledger() {
	"$GREENAI" report --ledger "$1" >/dev/null || return 1
	python3 - "$1" "$TECHNIQUE_RUNS" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i, line in enumerate(sys.argv[2].splitlines(), 1):
    model, acc, j, g, units, tags = line.split(" ", 5)
    db.execute("INSERT INTO runs (id, model, command, host, backend, start_unix_ns,"
               " end_unix_ns, status, exit_code, owner_pid, owner_start, mg_per_kwh,"
               " intensity_source, pue_milli, co2_ug, accuracy_pct, idle_policy, weights)"
               " VALUES (?, ?, 'x', 'h', 'none', ?, ?, 1, 0, 1, 0, 400000, 't', 1000,"
               " ?, ?, 'capacity: x', 'time')",
               (i, model, i * 10**9, i * 10**9 + 1, round(float(g) * 10**6), float(acc)))
    db.execute("INSERT INTO run_energy (run_id, domain, kind, active_uj, idle_uj,"
               " estimated, in_total) VALUES (?, 'package-0', 'package', ?, 0, 0, 1)",
               (i, round(float(j) * 10**6)))
    for kv in tags.split(","):
        db.execute("INSERT INTO run_tags VALUES (?, ?, ?)", (i, *kv.split("=", 1)))
    if units != "-":
        db.execute("UPDATE runs SET units = ?, unit = 'predictions' WHERE id = ?",
                   (float(units), i))
db.commit()
PY
}

# compare_expect BASELINE MODEL...: what compare must print as CSV rows
# (without the idle policy), computed from TECHNIQUE_RUNS
compare_expect() {
	python3 - "$TECHNIQUE_RUNS" "$@" <<'PY'
import sys
runs = {}
for line in sys.argv[1].splitlines():
    model, acc, j, g, units, tags = line.split(" ", 5)
    m = runs.setdefault(model, {"acc": 0, "j": 0, "g": 0, "units": 0, "all": True,
                                "n": 0, "tags": {}})
    m["acc"] = float(acc); m["j"] += float(j); m["g"] += float(g); m["n"] += 1
    m["all"] = m["all"] and units != "-"
    m["units"] += 0 if units == "-" else float(units)
    m["tags"].update(kv.split("=", 1) for kv in tags.split(","))
names = sys.argv[2:]
phase = lambda n: runs[n]["tags"].get("phase", "")
for n in names[1:]:
    b = names[0] if phase(n) == phase(names[0]) else \
        next(x for x in names[1:] if phase(x) == phase(n))
    if b == n:
        continue
    B, M = runs[b], runs[n]
    per = B["all"] and M["all"]
    eb, cb = (B["j"] / B["units"], B["g"] / B["units"]) if per else (B["j"], B["g"])
    em, cm = (M["j"] / M["units"], M["g"] / M["units"]) if per else (M["j"], M["g"])
    print(",".join([M["tags"].get("technique", n), phase(n), n, b] +
                   ["%.9g" % v for v in (100 * M["acc"] / B["acc"], 100 * (1 - em / eb),
                                         100 * (1 - cm / cb),
                                         100 * ((M["acc"] / cm) / (B["acc"] / cb) - 1), em)] +
                   ["predictions" if per else
                    "%d run%s" % (M["n"], "" if M["n"] == 1 else "s")]))
PY
}

# compare_check EXPECTED GOT: CSV rows alike, numbers to 1e-6 relative
compare_check() {
	python3 - "$1" "$2" <<'PY' || fail "compare: expected
$1
got
$2"
import csv, io, sys
want = list(csv.reader(io.StringIO(sys.argv[1])))
got = list(csv.reader(io.StringIO(sys.argv[2])))
assert len(want) == len(got), (len(want), len(got))
for w, g in zip(want, got):
    assert w[:4] == g[:4] and w[9] == g[9] and g[10] == "capacity", (w, g)
    for a, b in zip(w[4:9], g[4:9]):
        assert abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(a))), (w, g)
PY
}

@test "compare: a baseline and several techniques, training and inference apart, per prediction" {
	local l=$BATS_TEST_TMPDIR/t.db models
	technique_ledger "$l"
	models="base pruned quantised sched base-infer q-infer d-infer"
	run --separate-stderr "$GREENAI" compare --ledger "$l" --format csv $models
	assert_success
	assert_line --index 0 "Technique,Phase,Model,Baseline,Accuracy retained %,Energy reduction %,CO2 reduction %,Green Score change %,Energy J,Per,Idle policy"
	assert_equal "${#lines[@]}" 6
	compare_check "$(compare_expect $models)" "$(sed 1d <<<"$output")"
	# the inference rows against base-infer, quantised's per prediction;
	# distillation's runs have no units: totals, and said so
	assert_line --index 4 --regexp '^quantisation,inference,q-infer,base-infer,.*,predictions,capacity$'
	assert_line --index 5 --regexp '^distillation,inference,d-infer,base-infer,.*,1 run,capacity$'
	[[ $stderr == *"warning: not every run says its units: the totals are compared (base-infer, d-infer)"* ]] ||
		fail "$stderr"
	# the technique's tag names the row, else the model does; sched's two
	# runs are summed
	assert_line --index 3 --regexp '^energy-aware scheduling,training,sched,base,'
	# units that are not the same unit do not compare: totals, and said so
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET unit = ? WHERE model = ? AND units = 500", ("images", "q-infer"))
db.commit()' "$l"
	run --separate-stderr "$GREENAI" compare --ledger "$l" --format csv base-infer q-infer
	assert_success
	assert_line --index 1 --regexp '^quantisation,inference,q-infer,base-infer,.*,2 runs,capacity$'
	[[ $stderr == *"warning: the runs count different units (predictions vs predictions and others): the totals are compared (base-infer, q-infer)"* ]] ||
		fail "$stderr"
	# the training phase alone, with the order of the models kept
	run "$GREENAI" compare --ledger "$l" --format csv base sched pruned
	assert_success
	compare_check "$(compare_expect base sched pruned)" "$(sed 1d <<<"$output")"
	# Markdown: a header, its rule, a row per model
	run --separate-stderr "$GREENAI" compare --ledger "$l" --format markdown $models
	assert_success
	assert_line --index 0 --regexp '^\| Technique \| Phase \| Model \| Baseline \| Accuracy retained % \|'
	assert_line --index 1 "|---|---|---|---|---|---|---|---|---|---|---|"
	assert_equal "${#lines[@]}" 7
	# text: aligned, the same rows; pruned: 94/96 of the accuracy, 60 of
	# 100 J, 24 of 40 g, a Green Score of (94/24) / (96/40) - 1
	run --separate-stderr "$GREENAI" compare --ledger "$l" $models
	assert_success
	assert_line --index 0 --regexp '^Technique +Phase +Model +Baseline +Accuracy retained %'
	assert_line --index 1 --regexp '^pruning +training +pruned +base +97\.9167 +40 +40 +63\.1944 +60 +1 run +capacity$'
	# SVG: four charts per phase, a bar per row of the phase in each, a
	# well-formed document
	run --separate-stderr "$GREENAI" compare --ledger "$l" --format svg $models
	assert_success
	local svg=$output
	xmllint --noout - <<<"$svg"
	run xmllint --xpath 'count(//*[local-name()="rect"][@fill!="white"])' - <<<"$svg"
	assert_output 20
	run xmllint --xpath '//*[local-name()="text"][@class="t"]/text()' - <<<"$svg"
	assert_output "Accuracy retained, training (% of the baseline's)
Energy reduction, training (% less than the baseline)
CO2e reduction, training (% less than the baseline)
Green Score change, training (% up on the baseline)
Accuracy retained, inference (% of the baseline's)
Energy reduction, inference (% less than the baseline)
CO2e reduction, inference (% less than the baseline)
Green Score change, inference (% up on the baseline)"
}

@test "compare: bad usage and models it cannot compare are refused" {
	local l=$BATS_TEST_TMPDIR/t.db
	technique_ledger "$l"
	run "$GREENAI" compare --ledger "$l" base
	assert_failure 2
	assert_output --partial "a baseline and at least one model are needed"
	run "$GREENAI" compare --ledger "$l"
	assert_failure 2
	run "$GREENAI" compare --ledger "$l" base pruned base
	assert_failure 2
	assert_output --partial "model 'base' is given twice"
	run "$GREENAI" compare --ledger "$l" --format png base pruned
	assert_failure 2
	assert_output --partial "--format 'png': not table, csv, markdown or svg"
	run "$GREENAI" compare --ledger "$l" base pruned gpt
	assert_failure 1
	assert_output "greenai compare: no completed run of model 'gpt' in the ledger"
	# an inference model with no inference baseline: nothing to compare with
	run "$GREENAI" compare --ledger "$l" base pruned q-infer
	assert_failure 1
	assert_output --partial "model 'q-infer' is of phase 'inference', which has no other model"
}

@test "score from the ledger: no such model or run, or no accuracy" {
	local l=$BATS_TEST_TMPDIR/paper.db
	paper_ledger "$l"
	run "$GREENAI" score --ledger "$l" --model GPT
	assert_failure 1
	assert_output "greenai score: no completed model 'GPT' in the ledger"
	run "$GREENAI" score --ledger "$l" --run 3
	assert_failure 1
	assert_output "greenai score: no completed run 3 in the ledger"
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET accuracy_pct = NULL WHERE id = 2")
db.commit()' "$l"
	run "$GREENAI" score --ledger "$l" --run 2
	assert_failure 1
	assert_output --partial "run 2 has no accuracy"
	for bad in "--run 0" "--run x" "--model BERT --run 1" \
		"--model BERT --accuracy 90" "--run"; do
		run "$GREENAI" score --ledger "$l" $bad
		assert_failure 2
	done
}

@test "score: missing or out-of-range figures are refused" {
	run "$GREENAI" score --accuracy 90
	assert_failure 2
	assert_output --partial "both --accuracy and --co2-kg are needed"
	for a in 101 -1 nan abc ""; do
		run "$GREENAI" score --accuracy "$a" --co2-kg 1
		assert_failure 2
		assert_output --partial "--accuracy '$a'"
	done
	for c in 0 -1 inf 1e999 0x10; do
		run "$GREENAI" score --accuracy 90 --co2-kg "$c"
		assert_failure 2
		assert_output --partial "--co2-kg '$c'"
	done
}

@test "calibrate: an estimated domain has nothing to learn; bad usage is refused" {
	run "$GREENAI" calibrate --save 1
	assert_success
	grep -q 'estimated: its power model' <<<"$output" ||
		skip "this host measures its CPU (RAPL, powercap or perf)"
	assert_line --regexp '^  package-0      estimated: its power model.s idle power, [0-9]+\.[0-9]{3} W, is used$'
	assert_line "nothing to save: no domain was calibrated"
	assert [ ! -e "$GREENAI_CALIBRATION" ]
	local bad
	for bad in "-I 5" "-I x" "0" "3601" "1 2" "--root /nonexistent" "--bogus"; do
		# shellcheck disable=SC2086
		run "$GREENAI" calibrate $bad
		assert_equal "$status" 2
		assert_output --partial "greenai calibrate: "
	done
	# a saved calibration that is not well formed stops a command that
	# would use it, and says where
	printf 'package-0\n' >"$GREENAI_CALIBRATION"
	run "$GREENAI" stat -a 0.2
	assert_equal "$status" 2
	assert_output --partial "$GREENAI_CALIBRATION:1: 'package-0' is not NAME=W"
}
