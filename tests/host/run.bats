#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# greenai run on the host's BPF backend (power model: no RAPL here):
# the command's exit status and signals pass through, the carbon label's
# CO2e is its energy times the intensity, the ledger has the run, a run
# whose greenai was killed is marked incomplete by the next, bad usage
# changes nothing; greenai report and compare give the ledger's own sums
# per model, run and container, as tables, JSON and SVG charts that parse
# and render; export writes CodeCarbon's CSV, JSON and a model card; stat
# counts a cgroup over a window. Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	load ../test_helper/cgroups
	_cgroups_setup
}

teardown() {
	_cgroups_teardown
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

# label_field KEY: the first word after KEY in the label ($output)
label_field() {
	awk -v k="$1" '$1 == k { print $2; exit }' <<<"$output"
}

@test "run: the label's CO2e is its energy times the intensity, and the ledger has it" {
	run "$GREENAI" run --model digits-mlp --region FR --accuracy 97.5 \
		--tag team=vision --ledger "$LEDGER" -- "$BIN/spin" 1
	assert_success
	assert_line --regexp '^greenai: run [0-9]+ of model digits-mlp, exit status 0$'
	local cpu dur e uj co2 want mg
	# spin 1 runs one second of CPU time, as the kernel counts it, on one
	# thread: greenai's count is that within 10 %, and no more than the
	# run lasted
	cpu=$(awk '$1 == "cpu" { print $3 * 1000; exit }' <<<"$output")
	dur=$(awk '$1 == "duration" { print $2 * 1000; exit }' <<<"$output")
	[ "$cpu" -ge 900 ] && [ "$cpu" -le "$dur" ] ||
		fail "spin 1 ran $cpu ms of CPU time in a run of $dur ms"
	e=$(label_field energy)
	uj=$(tr -d . <<<"$e")
	uj=$((10#$uj))
	[ "$uj" -gt 0 ] || fail "no energy: $output"
	mg=$(awk '$2 == "\"FRA\"," { print $4 + 0 }' "$TOP/tools/lib/carbon/intensity_table.c")
	co2=$(label_field co2e | tr -d .)
	co2=$((10#$co2))
	want=$(( (uj * mg + 1800000000) / 3600000000 ))
	[ "$co2" -eq "$want" ] || fail "co2e $co2 ug, energy $uj uJ x $mg mg/kWh is $want ug"
	assert_line --regexp '^  green score +[0-9.e+]+ '
	run ledger "SELECT model, status, exit_code, co2_ug, mg_per_kwh, region, accuracy_pct FROM runs"
	assert_output "digits-mlp|1|0|$co2|$mg|FRA|97.5"
	run ledger "SELECT key, value FROM run_tags"
	assert_output "team|vision"
	run ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE in_total = 1"
	assert_output "$uj"
}

@test "run: the command's exit status and its metrics file come back" {
	run "$GREENAI" run --ledger "$LEDGER" -- sh -c \
		'printf "accuracy=88.5\nloss=-0.25\nthis is not a metric\n" >"$GREENAI_METRICS"; exit 7'
	assert_failure 7
	assert_line --regexp '^  accuracy +88.5 %$'
	assert_line --partial "1 bad line(s) in \$GREENAI_METRICS skipped (line 3: not key=value)"
	run ledger "SELECT exit_code, accuracy_pct FROM runs"
	assert_output "7|88.5"
	run ledger "SELECT key, value FROM run_metrics ORDER BY key"
	assert_output "accuracy|88.5
loss|-0.25"
	# a command that is not there: the shell's 127, and why
	run -127 "$GREENAI" run --ledger "$LEDGER" -- /no/such/command
	assert_failure 127
	assert_line "greenai run: /no/such/command: No such file or directory"
}

# wait_run_started PID: until the greenai run PID has its command in its
# cgroup, <cgroup2>/greenai.runs/PID (60 s at most); prints PID. Only that
# run's cgroup: another greenai run may have one there too.
wait_run_started() {
	local deadline=$((SECONDS + 60))
	until grep -q . "$CG/greenai.runs/$1/cgroup.procs" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || fail "greenai run $1 never started its command"
		sleep 0.01
	done
	echo "$1"
}

@test "run: SIGINT and SIGTERM to greenai go to the command, whose status it returns" {
	local sig n=0 want
	for sig in INT TERM; do
		# a background job of a script starts with SIGINT ignored, as
		# under nohup: start greenai with it as a terminal would
		python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$GREENAI" run --ledger "$LEDGER" \
			-- sleep 600 2>/dev/null &
		local job=$! pid rc=0
		pid=$(wait_run_started "$job")
		kill -"$sig" "$pid"
		wait "$job" || rc=$?
		want=$((128 + $(kill -l "$sig")))
		[ "$rc" -eq "$want" ] || fail "SIG$sig: exit status $rc, not $want"
		n=$((n + 1))
		run ledger "SELECT status, exit_code FROM runs WHERE id = $n"
		assert_output "1|$want"
		[ ! -d "$CG/greenai.runs/$pid" ] || fail "the run's cgroup is left behind"
	done
}

@test "run: a run whose greenai was killed is marked incomplete by the next" {
	"$GREENAI" run --ledger "$LEDGER" -- sleep 600 2>/dev/null &
	local job=$! pid
	pid=$(wait_run_started "$job")
	kill -KILL "$pid"
	wait "$job" || true
	# what it ran is orphaned in its cgroup: stop it, remove the cgroup
	echo 1 >"$CG/greenai.runs/$pid/cgroup.kill"
	run ledger "SELECT status FROM runs"
	assert_output 0
	run "$GREENAI" run --ledger "$LEDGER" -- true
	assert_success
	run ledger "SELECT id, status FROM runs ORDER BY id"
	assert_output "1|2
2|1"
	local i
	for i in $(seq 500); do
		rmdir "$CG/greenai.runs/$pid" 2>/dev/null && break
		sleep 0.01
	done
}

@test "run: CO2e for several countries is the energy times the table's figure" {
	local cc iso n=0 mg uj co2
	for cc in FR:FRA DE:DEU PL:POL IN:IND NO:NOR; do
		iso=${cc#*:}
		cc=${cc%:*}
		run "$GREENAI" run --region "$cc" --ledger "$LEDGER" -- "$BIN/spin" 0.1
		assert_success
		n=$((n + 1))
		mg=$(awk -v c="\"$cc\"," -v i="\"$iso\"," '$2 == c && $3 == i { print $4 + 0 }' \
			"$TOP/tools/lib/carbon/intensity_table.c")
		[ -n "$mg" ] || fail "no row $cc -> $iso in the table"
		uj=$(ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE in_total = 1 AND run_id = $n")
		co2=$(( (uj * mg + 1800000000) / 3600000000 ))
		run ledger "SELECT region, mg_per_kwh, co2_ug FROM runs WHERE id = $n"
		assert_output "$iso|$mg|$co2"
	done
}

@test "commands refuse a ledger they cannot read, and leave it as it was" {
	local junk=$BATS_TEST_TMPDIR/junk.db sum cmd
	head -c 4096 /dev/urandom >"$junk"
	sum=$(sha256sum <"$junk")
	for cmd in "report --by model" "report --by run" "compare a b" "export --format json 1" \
		"score --model a" "run -- touch $BATS_TEST_TMPDIR/ran"; do
		run "$GREENAI" ${cmd%% *} --ledger "$junk" ${cmd#* }
		[ "$status" -ne 0 ] && [ "$status" -ne 2 ] || fail "$cmd: exit status $status"
		assert_output --partial "ledger $junk: not a greenai ledger"
	done
	[ "$(sha256sum <"$junk")" = "$sum" ] || fail "the file was changed"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "run ran its command without a ledger"
	# a directory where the ledger's directory should be
	run "$GREENAI" report --ledger "$junk/ledger.db"
	assert_failure 1
	assert_output --partial "cannot make its directory: Not a directory"
}

@test "run: PUE, region and ledger from greenai.conf; a bad file runs nothing" {
	local conf=$XDG_CONFIG_HOME/greenai/greenai.conf
	mkdir -p "${conf%/*}"
	printf 'pue = 1.5\nregion = SE\nledger = %s\n' "$LEDGER" >"$conf"
	run "$GREENAI" run -- "$BIN/spin" 0.2
	assert_success
	local mg uj want
	mg=$(awk '$2 == "\"SWE\"," { print $4 + 0 }' "$TOP/tools/lib/carbon/intensity_table.c")
	uj=$(ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE in_total = 1")
	want=$(( (uj * mg * 1500 + 1800000000000) / 3600000000000 ))
	run ledger "SELECT region, mg_per_kwh, pue_milli, co2_ug FROM runs"
	assert_output "SWE|$mg|1500|$want"
	# the flags win over the file
	run "$GREENAI" run --pue 1.1 --region FR -- true
	assert_success
	run ledger "SELECT region, pue_milli FROM runs WHERE id = 2"
	assert_output "FRA|1100"
	# a bad file: nothing runs, the ledger is as it was
	printf 'pue = 1.5\nledger = %s\npue = 2\n' "$LEDGER" >"$conf"
	run "$GREENAI" run -- touch "$BATS_TEST_TMPDIR/ran"
	assert_failure 2
	assert_line --index 0 "greenai run: $conf:3: 'pue' given twice"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "the command ran"
	run ledger "SELECT COUNT(*) FROM runs"
	assert_output 2
}

@test "run: bad usage is refused before anything is made" {
	local bad
	for bad in "--pue 0.5" "--pue 1.2345" "--tag novalue" "--tag =v" \
		"--interval-ms 5" "--interval-ms 1x" "--backend kernel" \
		"--region ZZ" "--intensity -3" "--accuracy 120" "--bogus"; do
		# shellcheck disable=SC2086
		run "$GREENAI" run --ledger "$LEDGER" $bad -- true
		assert_failure 2
		assert_output --partial "Try 'greenai run --help'"
	done
	run "$GREENAI" run --ledger "$LEDGER"
	assert_failure 2
	assert_output --partial "no command to run"
	run "$GREENAI" run --model "$(printf 'a\nb')" --ledger "$LEDGER" -- true
	assert_failure 2
	[ ! -e "$LEDGER" ] || fail "bad usage made the ledger"
}

# ledger_models: per model, from the ledger itself: runs, latest accuracy,
# kWh and kg CO2e summed over done runs, Green Score
ledger_models() {
	python3 - "$LEDGER" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (model,) in db.execute("SELECT DISTINCT model FROM runs ORDER BY MIN(id) OVER (PARTITION BY model)"):
    runs = db.execute("SELECT id, co2_ug, accuracy_pct FROM runs WHERE model = ? AND status = 1 ORDER BY id", (model,)).fetchall()
    uj = sum(db.execute("SELECT COALESCE(SUM(active_uj + idle_uj), 0) FROM run_energy WHERE in_total = 1 AND run_id = ?", (r[0],)).fetchone()[0] for r in runs)
    kg = sum(r[1] for r in runs) / 1e9
    acc = [r[2] for r in runs if r[2] is not None][-1]
    print(model, len(runs), acc, uj / 3.6e12, kg, acc / kg)
PY
}

# close A B: |A/B - 1| < 1e-9
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { r = a / b - 1; if (r < 0) r = -r; exit !(r < 1e-9) }'
}

@test "report and compare sum the ledger per model, as the ledger has it" {
	local m
	for m in "base 0.4 92" "base 0.2 93" "pruned 0.2 90"; do
		set -- $m
		run "$GREENAI" run --model "$1" --accuracy "$3" --ledger "$LEDGER" \
			-- "$BIN/spin" "$2"
		assert_success
	done
	local want got
	want=$(ledger_models)
	run "$GREENAI" report --format csv --ledger "$LEDGER"
	assert_success
	assert_line --index 0 "Model,Runs,Accuracy %,Energy kWh,CO2 kg,Green Score"
	# base: 2 runs, the latest accuracy (93); pruned: 1 run
	while read -r name runs acc kwh kg gs; do
		got=$(awk -F, -v m="$name" '$1 == m' <<<"$output")
		IFS=, read -r _ r a k c g <<<"$got"
		[ "$r" = "$runs" ] && close "$a" "$acc" || fail "$name: $got, ledger: $runs runs, $acc %"
		close "$k" "$kwh" && close "$c" "$kg" && close "$g" "$gs" ||
			fail "$name: $got, ledger: $kwh kWh $kg kg $gs"
	done <<<"$want"
	run "$GREENAI" compare --format csv --ledger "$LEDGER" base pruned
	assert_success
	local b p
	b=($(awk '$1 == "base"' <<<"$want"))
	p=($(awk '$1 == "pruned"' <<<"$want"))
	IFS=, read -r _ _ _ _ a e c g <<<"${lines[1]}"
	close "$a" "$(awk -v x="${p[2]}" -v y="${b[2]}" 'BEGIN { printf "%.15g", 100 * x / y }')" &&
	close "$e" "$(awk -v x="${p[3]}" -v y="${b[3]}" 'BEGIN { printf "%.15g", 100 * (1 - x / y) }')" &&
	close "$c" "$(awk -v x="${p[4]}" -v y="${b[4]}" 'BEGIN { printf "%.15g", 100 * (1 - x / y) }')" &&
	close "$g" "$(awk -v x="${p[5]}" -v y="${b[5]}" 'BEGIN { printf "%.15g", 100 * (x / y - 1) }')" ||
		fail "compare: ${lines[1]}; ledger: base ${b[*]}, pruned ${p[*]}"
	# the other formats: Markdown with its rule, aligned text
	run "$GREENAI" report --by run --format markdown --ledger "$LEDGER"
	assert_line --index 1 "|---|---|---|---|---|---|---|---|---|---|---|"
	assert_equal "${#lines[@]}" 5
	run "$GREENAI" report --ledger "$LEDGER"
	assert_line --index 0 --regexp '^Model +Runs +Accuracy % +Energy kWh +CO2 kg +Green Score$'
}

@test "report --format json: the ledger's exact figures, per model and per run" {
	local m
	for m in "base 0.3 92" "pruned 0.2 90"; do
		set -- $m
		run "$GREENAI" run --model "$1" --accuracy "$3" --tag k=v \
			--ledger "$LEDGER" -- "$BIN/spin" "$2"
		assert_success
	done
	run "$GREENAI" run --ledger "$LEDGER" -- false
	assert_failure 1
	"$GREENAI" report --format json --ledger "$LEDGER" >"$BATS_TEST_TMPDIR/m.json"
	"$GREENAI" report --by run --format json --ledger "$LEDGER" >"$BATS_TEST_TMPDIR/r.json"
	"$GREENAI" export --format json --ledger "$LEDGER" 2 >"$BATS_TEST_TMPDIR/e.json"
	python3 - "$LEDGER" "$BATS_TEST_TMPDIR" <<'PY' || fail "JSON and ledger differ"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
d = sys.argv[2]
def uj(run):
    return db.execute("SELECT SUM(active_uj + idle_uj) FROM run_energy"
                      " WHERE in_total = 1 AND run_id = ?", (run,)).fetchone()[0] or 0
models = json.load(open(d + "/m.json"))
assert [m["model"] for m in models] == ["base", "pruned", None], models
for m in models:
    rows = db.execute("SELECT id, co2_ug, accuracy_pct FROM runs WHERE model IS ?",
                      (m["model"],)).fetchall()
    assert m["runs"] == len(rows) and m["incomplete"] == 0
    assert m["energy_uj"] == sum(uj(r[0]) for r in rows), m
    assert m["co2_ug"] == sum(r[1] for r in rows), m
    assert abs(m["co2_kg"] - m["co2_ug"] / 1e9) <= 1e-12 * m["co2_kg"]
    if m["model"]:
        assert m["accuracy_pct"] == rows[-1][2]
        assert abs(m["green_score"] / (m["accuracy_pct"] / m["co2_kg"]) - 1) < 1e-9
    else:
        assert m["accuracy_pct"] is None and m["green_score"] is None
runs = json.load(open(d + "/r.json"))
assert [r["id"] for r in runs] == [1, 2, 3]
for r in runs:
    st, code, co2, s, e = db.execute("SELECT status, exit_code, co2_ug, start_unix_ns,"
                                     " end_unix_ns FROM runs WHERE id = ?", (r["id"],)).fetchone()
    assert r["status"] == "done" and r["exit_code"] == code and r["co2_ug"] == co2
    assert r["energy_uj"] == uj(r["id"]) == sum(x["active_uj"] + x["idle_uj"]
                                                for x in r["domains"] if x["in_total"])
    assert abs(r["duration_s"] - (e - s) / 1e9) < 1e-6
    assert r["cgroup"].startswith("/greenai.runs/")
assert runs[2]["exit_code"] == 1 and runs[2]["model"] is None
assert runs[0]["tags"] == {"k": "v"} and runs[0]["accuracy_pct"] == 92
assert json.load(open(d + "/e.json")) == runs[1]
PY
}

@test "report --format svg: bar charts that parse and render, scaled to the ledger" {
	local m
	for m in "big 0.4 95" 'tiny<&"> 0.1 80'; do
		set -- $m
		run "$GREENAI" run --model "$1" --accuracy "$3" \
			--ledger "$LEDGER" -- "$BIN/spin" "$2"
		assert_success
	done
	"$GREENAI" report --format svg --ledger "$LEDGER" >"$BATS_TEST_TMPDIR/m.svg"
	xmllint --noout "$BATS_TEST_TMPDIR/m.svg"
	rsvg-convert "$BATS_TEST_TMPDIR/m.svg" -o "$BATS_TEST_TMPDIR/m.png"
	python3 - "$LEDGER" "$BATS_TEST_TMPDIR" <<'PY' || fail "SVG and ledger differ"
import sqlite3, struct, sys
import xml.etree.ElementTree as ET
db = sqlite3.connect(sys.argv[1])
d = sys.argv[2]
ns = {"s": "http://www.w3.org/2000/svg"}
svg = ET.parse(d + "/m.svg").getroot()
w, h = int(svg.get("width")), int(svg.get("height"))
png = open(d + "/m.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n"
assert struct.unpack(">II", png[16:24]) == (w, h), "PNG is not the SVG's size"
charts = svg.findall("s:g", ns)
assert len(charts) == 2, "a CO2e chart and a Green Score chart"
co2 = dict(db.execute("SELECT model, co2_ug FROM runs"))
acc = dict(db.execute("SELECT model, accuracy_pct FROM runs"))
want = [co2, {m: acc[m] / (co2[m] / 1e9) for m in co2}]
for chart, values in zip(charts, want):
    labels = [t.text for t in chart.findall("s:text", ns) if t.get("text-anchor") == "end"]
    assert labels == ["big", 'tiny<&">'], labels
    bars = [float(r.get("width")) for r in chart.findall("s:rect", ns)]
    top = max(values.values())
    for label, width in zip(labels, bars):
        assert abs(width - values[label] / top * max(bars)) <= 0.1, (label, width)
PY
}

@test "report --by container: runs summed per container greenai ran in" {
	local id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	local ct=$CG/docker/$id
	mkdir -p "$ct"
	# greenai itself in a docker-shaped cgroup, as inside a container
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$ct" \
		"$GREENAI" run --model m --ledger "$LEDGER" -- "$BIN/spin" 0.2
	"$GREENAI" run --model m --ledger "$LEDGER" -- "$BIN/spin" 0.1
	rmdir "$ct" "$CG/docker" 2>/dev/null || true
	run "$GREENAI" report --by container --format csv --ledger "$LEDGER"
	assert_success
	assert_line --index 0 "Container,Runs,Energy kWh,CO2 kg"
	local want1 want2
	want1=$(ledger "SELECT SUM(co2_ug) FROM runs WHERE container_id = '$id' AND container_runtime = 'docker'")
	want2=$(ledger "SELECT SUM(co2_ug) FROM runs WHERE container_id IS NULL")
	[ -n "$want1" ] && [ -n "$want2" ] || fail "ledger: $(ledger 'SELECT * FROM runs')"
	IFS=, read -r name runs _ kg <<<"${lines[1]}"
	[ "$name" = "docker/$id" ] && [ "$runs" = 1 ] && close "$kg" "$(awk -v u="$want1" 'BEGIN { print u / 1e9 }')" ||
		fail "${lines[1]}; ledger: $want1 ug"
	IFS=, read -r name runs _ kg <<<"${lines[2]}"
	[ "$name" = "(host)" ] && [ "$runs" = 1 ] && close "$kg" "$(awk -v u="$want2" 'BEGIN { print u / 1e9 }')" ||
		fail "${lines[2]}; ledger: $want2 ug"
}

@test "report and compare refuse bad usage and unknown models" {
	run "$GREENAI" report --by pod --ledger "$LEDGER"
	assert_failure 2
	assert_output --partial "--by 'pod': not model, run or container"
	run "$GREENAI" report --format yaml --ledger "$LEDGER"
	assert_failure 2
	run "$GREENAI" compare --ledger "$LEDGER" base
	assert_failure 2
	run "$GREENAI" compare --ledger "$LEDGER" base other
	assert_failure 1
	assert_output --partial "no completed run of model 'base' in the ledger"
}

@test "export: CodeCarbon's emissions.csv columns and units, and a model card block" {
	run "$GREENAI" run --model digits --region FR --ledger "$LEDGER" \
		-- "$BIN/spin" 0.3
	assert_success
	run "$GREENAI" export --format codecarbon-csv --ledger "$LEDGER" 1
	assert_success
	# the header of CodeCarbon 3.2's emissions.csv (its EmissionsData),
	# and greenai's own column: the idle policy
	assert_line --index 0 "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,cpu_utilization_percent,gpu_utilization_percent,ram_utilization_percent,ram_used_gb,on_cloud,pue,wue,greenai_idle_policy"
	# the row in CodeCarbon's units, from the ledger's figures
	local want
	want=$(ledger "SELECT r.co2_ug, SUM(e.active_uj + e.idle_uj),
		(r.end_unix_ns - r.start_unix_ns), r.idle_policy FROM runs r
		JOIN run_energy e ON e.run_id = r.id AND e.in_total = 1")
	echo "$output" >"$BATS_TEST_TMPDIR/emissions.csv"
	python3 - "$want" "$BATS_TEST_TMPDIR/emissions.csv" <<'PY' ||
import csv, sys
co2_ug, uj, ns, idle = sys.argv[1].split("|")
co2_ug, uj, ns = int(co2_ug), int(uj), int(ns)
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 1 and len(rows[0]) == 39, rows
r = rows[0]
close = lambda a, b: abs(float(a) - b) <= 1e-9 * max(abs(b), 1e-30) + 1e-12
assert close(r["emissions"], co2_ug / 1e9), "emissions kg"
assert close(r["energy_consumed"], uj / 3.6e12), "energy kWh"
assert abs(float(r["duration"]) - ns / 1e9) < 1e-6, "duration s"
assert close(r["cpu_power"], (uj / 1e6) / (ns / 1e9)), "W"
assert r["country_iso_code"] == "FRA" and r["project_name"] == "digits"
assert r["tracking_mode"] == "process" and r["pue"] == "1.000"
assert idle.startswith("capacity: package-0 ") and r["greenai_idle_policy"] == idle
PY
		fail "CSV: $output; ledger: $want"
	run "$GREENAI" export --format model-card --training-type fine-tuning \
		--ledger "$LEDGER" 1
	assert_success
	assert_line --index 0 "co2_eq_emissions:"
	assert_line "  emissions: $(awk -v u="${want%%|*}" 'BEGIN { printf "%.6f", u / 1e6 }')"
	assert_line '  training_type: "fine-tuning"'
	assert_line '  geographical_location: "FRA"'
	assert_line --regexp '^  source: "greenai \(.*\), grid intensity [0-9.]+ g/kWh: Ember .*; idle policy capacity: package-0 .*"$'
	# a run that is not there, or not a run id
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 2
	assert_failure 1
	assert_output --partial "no run 2 in the ledger"
	for bad in 0 -1 x 1x; do
		run "$GREENAI" export --format model-card --ledger "$LEDGER" "$bad"
		assert_failure 2
	done
	run "$GREENAI" export --format yaml --ledger "$LEDGER" 1
	assert_failure 2
}

@test "stat: a cgroup's energy and CPU time over a window, with its CO2e" {
	local g=$CG/greenai-stat.$$ out
	mkdir "$g"
	# a spin that outlives the window (removing the cgroup ends it)
	"$BIN/cgspawn" "$g" "$BIN/spin" 600 2>/dev/null &
	local job=$! u0 u1 b0 b1
	# the cgroup's own CPU time read before and after greenai stat: what
	# the spin ran in the window is at most that, and at least that less
	# what it may have run outside the window (one thread: the time)
	b0=$(date +%s%N)
	u0=$(awk '$1 == "usage_usec" { print $2 }' "$g/cpu.stat")
	run "$GREENAI" stat -c "/greenai-stat.$$" -I 400 --region FR 2
	u1=$(awk '$1 == "usage_usec" { print $2 }' "$g/cpu.stat")
	b1=$(date +%s%N)
	echo 1 >"$g/cgroup.kill"
	wait "$job" || true
	rmdir "$g"
	assert_success
	# interval blocks, no more than the 400 ms intervals of a 2 s window
	# (fewer when greenai is late to one), and the total
	local blocks
	blocks=$(grep -c '^greenai stat: ' <<<"$output")
	[ "$blocks" -ge 2 ] && [ "$blocks" -le 5 ] || fail "$blocks blocks: $output"
	# the total: the last block
	out=$(awk '/^greenai stat: / { b = "" } { b = b $0 "\n" } END { printf "%s", b }' <<<"$output")
	local cpu uj co2 mg win most least
	cpu=$(awk '$3 == "CPU" { print $1 * 1000 }' <<<"$out")
	win=$(awk '/^greenai stat: / { print int($3 * 1000) }' <<<"$out")
	# (ms; 10 ms for the rounding of each figure and the reads' own time)
	most=$(( (u1 - u0) / 1000 + 10 ))
	least=$(( (u1 - u0) / 1000 - ((b1 - b0) / 1000000 - win) - 10 ))
	[ "$cpu" -gt 0 ] && [ "$cpu" -le $((win + 10)) ] || fail "spin ran $cpu ms of a $win ms window: $out"
	[ "$cpu" -le "$most" ] && [ "$cpu" -ge "$least" ] ||
		fail "spin ran $cpu ms in the window; cpu.stat: $(( (u1 - u0) / 1000 )) ms in the $(( (b1 - b0) / 1000000 )) ms around it"
	uj=$(awk '$2 == "J" && $0 !~ /not in the total/ { gsub(/\./, "", $1); s += $1 } END { print s + 0 }' <<<"$out")
	co2=$(awk '$2 == "g" { gsub(/\./, "", $1); print $1 + 0 }' <<<"$out")
	mg=$(awk '$2 == "\"FRA\"," { print $4 + 0 }' "$TOP/tools/lib/carbon/intensity_table.c")
	# per domain rounding: within one µg per domain
	local want=$(( (uj * mg + 1800000000) / 3600000000 ))
	[ $((co2 - want)) -le 1 ] && [ $((want - co2)) -le 1 ] ||
		fail "co2e $co2 ug, energy $uj uJ x $mg mg/kWh is $want ug"
}

@test "stat: bad usage is refused" {
	run "$GREENAI" stat 1
	assert_failure 2
	assert_output --partial "what to count"
	run "$GREENAI" stat -a -p 1
	assert_failure 2
	for bad in "-p 0" "-p 4194305" "-p x" "-c /no/such/cgroup" "-a -I 5" \
		"-a 0" "-a abc" "-a 1 2" "-a --intensity x"; do
		# shellcheck disable=SC2086
		run "$GREENAI" stat $bad
		assert_failure 2
		assert_output --partial "Try 'greenai stat --help'"
	done
}

@test "idle policy: stat and run name the one they split under; none gives a run active energy only" {
	# the power model here: its own idle power is the basis
	run "$GREENAI" stat -a 0.3
	assert_success
	assert_line --regexp '^  idle policy capacity: package-0 model [0-9]+\.[0-9]{3} W$'
	assert_line --regexp '^ +[0-9]+\.[0-9]{6} J  node idle: '
	run "$GREENAI" stat --idle busy --idle-power 7.5 -a 0.3
	assert_success
	assert_line '  idle policy busy: package-0 fixed 7.500 W'
	# from the environment, and from greenai.conf, in that order
	mkdir -p "$XDG_CONFIG_HOME/greenai"
	printf 'idle = none\nidle_power = util\n' >"$XDG_CONFIG_HOME/greenai/greenai.conf"
	GREENAI_IDLE=busy run "$GREENAI" stat -a 0.3
	assert_line '  idle policy busy: package-0 by utilisation'
	run "$GREENAI" run --ledger "$LEDGER" --model none -- "$BIN/spin" 0.3
	assert_success
	assert_line '  idle policy   none: package-0 by utilisation'
	# with none, the run's energy is all active; the ledger says why
	run ledger "SELECT SUM(e.idle_uj), SUM(e.active_uj) > 0, r.idle_policy
		FROM runs r JOIN run_energy e ON e.run_id = r.id"
	assert_output "0|1|none: package-0 by utilisation"
	run "$GREENAI" report --by run --format json --ledger "$LEDGER"
	assert_output --partial '"idle_policy": "none: package-0 by utilisation"'
}

@test "a run's ledger row names what weighed its CPUs and how each estimated domain was estimated" {
	local est weights
	run "$GREENAI" run --ledger "$LEDGER" --model none -- "$BIN/spin" 0.2
	assert_success
	assert_line --regexp '^  weights       (time \(package and core energy split by run time\)|cycles \(package and core energy split by CPU cycles\))$'
	weights=$(sed -n 's/^  weights       \([a-z]*\) .*/\1/p' <<<"$output")
	est=$(sed -n 's/^  estimated by  //p' <<<"$output")
	[ -n "$est" ] || fail "no 'estimated by' line: $output"
	run ledger "SELECT r.weights, e.estimated, e.estimated_by FROM runs r
		JOIN run_energy e ON e.run_id = r.id WHERE e.domain = 'package-0'"
	assert_output "$weights|1|$est"
	run "$GREENAI" report --by run --format json --ledger "$LEDGER"
	assert_success
	python3 -c 'import json, sys
r = json.loads(sys.argv[1])[0]
assert r["weights"] == sys.argv[2], r["weights"]
d = [d for d in r["domains"] if d["domain"] == "package-0"][0]
assert d["estimated_by"] == sys.argv[3], d' "$output" "$weights" "$est" ||
		fail "JSON: $output"
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 1
	assert_success
	assert_output --partial "; weighed by $weights; package-0 estimated by $est"
}

@test "idle policy: bad --idle, --idle-power, environment and greenai.conf values are refused" {
	local bad
	for bad in "--idle some" "--idle-power 0" "--idle-power x" \
		"--idle-power package-0=" "--idle-power 5,5"; do
		# shellcheck disable=SC2086
		run "$GREENAI" stat $bad -a 0.1
		assert_failure 2
		assert_output --partial "(from --idle"
		# shellcheck disable=SC2086
		run "$GREENAI" run $bad --ledger "$LEDGER" -- true
		assert_failure 2
	done
	GREENAI_IDLE_POWER=lots run "$GREENAI" stat -a 0.1
	assert_failure 2
	assert_output --partial "(from GREENAI_IDLE_POWER)"
	mkdir -p "$XDG_CONFIG_HOME/greenai"
	echo 'idle = all' >"$XDG_CONFIG_HOME/greenai/greenai.conf"
	run "$GREENAI" run --ledger "$LEDGER" -- true
	assert_failure 2
	assert_output --partial "greenai.conf:1: idle 'all': not capacity, busy or none"
	# nothing ran: no ledger was made
	[ ! -e "$LEDGER" ]
}

@test "stat: an estimated figure names the power model's source, CCF's figures for the CPU by default" {
	run "$GREENAI" stat -a 1
	assert_success
	grep -q ', estimated' <<<"$output" ||
		skip "this host measures its CPU (RAPL, powercap or perf): the model is not used"
	assert_output --regexp ', estimated \(power model: CCF [^)]* min/max W per vCPU[^(]*\(@cloud-carbon-footprint/[a-z]+@[0-9.]+\): [0-9]+\.[0-9]{3}\.\.[0-9]+\.[0-9]{3} W per package \([0-9]+ CPUs\)\)'
}

@test "stat: greenai.conf's model_idle_w and model_max_w set the model, per CPU, and are named" {
	local conf=$XDG_CONFIG_HOME/greenai/greenai.conf n
	mkdir -p "${conf%/*}"
	# idle = max: the package draws its CPUs' watts whatever runs
	printf 'model_idle_w = 1.5\nmodel_max_w = 1.5\n' >"$conf"
	run "$GREENAI" stat -a 2
	assert_success
	grep -q ', estimated' <<<"$output" ||
		skip "this host measures its CPU (RAPL, powercap or perf): the model is not used"
	assert_output --partial "estimated (power model: model_idle_w in $conf:1, model_max_w in $conf:2: "
	n=$(grep -c '^processor' /proc/cpuinfo)
	# every estimated package together: 1.5 W per online CPU over the window
	run awk -v n="$n" '/^greenai stat: / { t = $3 }
		/, estimated/ { gsub(/\./, "", $1); e += $1 }
		END { w = e / 1e6 / t; d = w / (1.5 * n) - 1; if (d < 0) d = -d
		      print w; exit !(d <= 0.02) }' <<<"$output"
	assert_success
}

@test "stat: a bad power model in greenai.conf is refused, and nothing is counted" {
	local conf=$XDG_CONFIG_HOME/greenai/greenai.conf
	mkdir -p "${conf%/*}"
	printf 'model_max_w = 4\n' >"$conf"
	run "$GREENAI" stat -a 1
	assert_failure 2
	assert_output --partial "model_max_w without model_idle_w (from $conf:1)"
	refute_output --partial " J "
	printf 'model_idle_w = 5\nmodel_max_w = 4\n' >"$conf"
	run "$GREENAI" stat -a 1
	assert_failure 2
	assert_output --partial "model_idle_w 5 above model_max_w 4"
	printf 'model_idle_w = 0.5\nmodel_max_w = lots\n' >"$conf"
	run "$GREENAI" stat -a 1
	assert_failure 2
	assert_output --partial "$conf:2: model_max_w 'lots': not watts per CPU"
}

@test "run: cgroups the command makes below its own are the run's, and go with it" {
	# the command makes a cgroup below its own and spins 0.5 s there
	run "$GREENAI" run --ledger "$LEDGER" -- sh -c '
		d='"$CG"'$(sed -n "s/^0:://p" /proc/self/cgroup)/step
		mkdir "$d" && "$1" "$d" "$2" 0.5' sh "$BIN/cgspawn" "$BIN/spin"
	assert_success
	local cpu dur
	cpu=$(awk '$1 == "cpu" { print int($3 * 1000); exit }' <<<"$output")
	dur=$(awk '$1 == "duration" { print int($2 * 1000); exit }' <<<"$output")
	[ "$cpu" -ge 500 ] && [ "$cpu" -le "$dur" ] ||
		fail "$cpu ms of CPU time for a spin of 500 ms, in a run of $dur ms: $output"
	local pid
	pid=$(ledger "SELECT cgroup FROM runs")
	[ ! -d "$CG$pid" ] || fail "the run's cgroup is left behind: $CG$pid"
}

# measure DIR ARGS...: greenai run ARGS (a workload, cgroup DIR) while a
# spin of 0.3 s runs in DIR, started once the run has begun; a sleep
# keeps DIR populated until then, and is ended after: the run ends by
# itself. Its standard error in $output, its status in $status.
measure() {
	local dir=$1 keeper job log=$BATS_TEST_TMPDIR/measure.log
	shift
	: >"$log"
	"$BIN/cgspawn" "$dir" sleep 600 2>/dev/null &
	keeper=$!
	local deadline=$((SECONDS + 60))
	until grep -q '^populated 1$' "$dir/cgroup.events"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$dir never held the sleep"
		sleep 0.01
	done
	"$GREENAI" run --ledger "$LEDGER" "$@" 2>"$log" &
	job=$!
	deadline=$((SECONDS + 60))
	until grep -q '^greenai run: measuring ' "$log"; do
		kill -0 "$job" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] ||
			break
		sleep 0.05
	done
	"$BIN/cgspawn" "$dir" "$BIN/spin" 0.3 2>/dev/null
	# (the sleep, not cgspawn, is in DIR)
	echo 1 >"$dir/cgroup.kill"
	wait "$keeper" 2>/dev/null || true
	status=0
	wait "$job" || status=$?
	output=$(cat "$log")
}

@test "run --unit and --container: a workload from now to its end, with the same label and ledger row" {
	local id unit u c cpu
	# a systemd unit's cgroup and a docker container's, as they lay them
	# out; the id's first 12 digits are this test's
	id=$(printf '%08x%056d' $$ 0 | tr 0 e)
	unit=greenai-wl-$$.service
	u=$(new_cgroup "system.slice/$unit")
	c=$(new_cgroup "system.slice/docker-$id.scope")
	measure "$u" --model wl --region FR --unit "greenai-wl-$$"
	local out_u=$output st_u=$status
	measure "$c" --container "${id:0:12}"
	local out_c=$output st_c=$status
	[ "$st_u" -eq 0 ] && [ "$st_c" -eq 0 ] || fail "$out_u $out_c"
	grep -q "^greenai run: measuring unit greenai-wl-$$ (/system.slice/$unit) until it ends$" <<<"$out_u" ||
		fail "$out_u"
	grep -q "^greenai run: the run ends: no process is left in its cgroup$" <<<"$out_c" ||
		fail "$out_c"
	grep -qE '^greenai: run 1 of model wl, exit status 0$' <<<"$out_u" || fail "$out_u"
	# the spin's 0.3 s of CPU time, each (what it took to start and end
	# besides, within 100 ms)
	for output in "$out_u" "$out_c"; do
		cpu=$(awk '$1 == "cpu" { print int($3 * 1000); exit }' <<<"$output")
		[ "$cpu" -ge 300 ] && [ "$cpu" -le 400 ] ||
			fail "$cpu ms of CPU time for a spin of 300 ms: $output"
	done
	run ledger "SELECT id, model, command, cgroup, container_runtime, container_id, status, exit_code, region FROM runs ORDER BY id"
	assert_line --index 0 "1|wl|unit greenai-wl-$$|/system.slice/$unit|||1|0|FRA"
	assert_line --index 1 "2||container ${id:0:12}|/system.slice/docker-$id.scope|docker|$id|1|0|WORLD"
	# the CO2e is its energy's at the intensity, as a command's
	run ledger "SELECT co2_ug > 0 FROM runs WHERE id = 2"
	assert_output 1
	run "$GREENAI" report --by container --format csv --ledger "$LEDGER"
	assert_success
	assert_output --partial "docker/$id"
}

@test "run: a workload that is not there, is two, or comes with a command is refused, and nothing is written" {
	local bad
	for bad in "--cgroup /no/such/cgroup" "--unit greenai-none-$$" \
		"--container 0123abc0123abc" "--container NOTHEX" "--unit a/b" \
		"--cgroup / --unit x" "--cgroup / -- true" "--duration 5s -- true" \
		"--cgroup / --duration never" "--cgroup / --carbon-aware"; do
		# shellcheck disable=SC2086
		run "$GREENAI" run --ledger "$LEDGER" $bad
		assert_failure 2
		assert_line --index 0 --regexp '^greenai run: '
	done
	# two units of one name: both are named
	new_cgroup "greenai-a.$$/twice-$$.service" >/dev/null
	new_cgroup "greenai-b.$$/twice-$$.service" >/dev/null
	run "$GREENAI" run --ledger "$LEDGER" --unit "twice-$$"
	assert_failure 2
	assert_output --regexp "more than one: /greenai-[ab]\.$$/twice-$$.service and /greenai-[ab]\.$$/twice-$$.service"
	[ ! -e "$LEDGER" ] || fail "a ledger was written"
	# the help says what docker run under greenai run measures
	run "$GREENAI" run --help
	assert_output --partial "measures the docker client only"
	assert_output --partial "--container ID"
}

@test "report --by container: a run inside a container measured whole over its time counts once" {
	local id c sub log=$BATS_TEST_TMPDIR/outer.log
	id=$(printf '%08x%056d' $$ 0 | tr 0 f)
	c=$(new_cgroup "system.slice/docker-$id.scope")
	sub=$(new_cgroup "system.slice/docker-$id.scope/job")
	"$BIN/cgspawn" "$c" sleep 600 2>/dev/null &
	local deadline=$((SECONDS + 60))
	until grep -q '^populated 1$' "$c/cgroup.events"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$c never held the sleep"
		sleep 0.01
	done
	# the whole container, and inside it, while it runs, a job's cgroup
	"$GREENAI" run --ledger "$LEDGER" --container "$id" 2>"$log" &
	local outer=$!
	deadline=$((SECONDS + 60))
	until grep -q '^greenai run: measuring ' "$log"; do
		kill -0 "$outer" || fail "$(cat "$log")"
		[ "$SECONDS" -lt "$deadline" ] || fail "never measuring: $(cat "$log")"
		sleep 0.05
	done
	measure "$sub" --cgroup "${sub#"$CG"}"
	[ "$status" -eq 0 ] || fail "$output"
	echo 1 >"$c/cgroup.kill"
	wait "$outer" || fail "$(cat "$log")"
	# the inner run's energy is in the outer's: the container's is the
	# outer's alone, in its two runs
	local outer_uj
	outer_uj=$(ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE run_id = 1 AND in_total = 1")
	run ledger "SELECT COUNT(*) FROM run_energy WHERE run_id = 2 AND active_uj > 0"
	assert_output 1
	run "$GREENAI" report --by container --format json --ledger "$LEDGER"
	assert_success
	python3 -c '
import json, sys
rows = [r for r in json.loads(sys.stdin.read()) if r["container"].endswith(sys.argv[1])]
assert len(rows) == 1 and rows[0]["runs"] == 2, rows
assert rows[0]["energy_uj"] == int(sys.argv[2]), (rows, sys.argv[2])
' "$id" "$outer_uj" <<<"$output" || fail "$output"
}

@test "run: a FIFO or a link put in place of \$GREENAI_METRICS is not read, and nothing hangs" {
	local other=$BATS_TEST_TMPDIR/elsewhere
	printf 'accuracy=99\n' >"$other"
	# (timeout only stops a greenai that hangs on the FIFO: status 124)
	run timeout 120 "$GREENAI" run --ledger "$LEDGER" --model fifo -- \
		sh -c 'rm "$GREENAI_METRICS"; mkfifo "$GREENAI_METRICS"'
	assert_success
	assert_output --partial "not a regular file"
	run timeout 120 "$GREENAI" run --ledger "$LEDGER" --model link -- \
		sh -c "rm \"\$GREENAI_METRICS\"; ln -s '$other' \"\$GREENAI_METRICS\""
	assert_success
	assert_output --partial "a link was put in its place: its metrics are not recorded"
	run ledger "SELECT model, accuracy_pct FROM runs ORDER BY id"
	assert_output "fifo|
link|"
	run ledger "SELECT COUNT(*) FROM run_metrics"
	assert_output 0
}
