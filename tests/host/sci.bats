#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Energy per unit of work, the SCI and the CodeCarbon row: a run's units,
# unit and Python version from $GREENAI_METRICS (bad values refused, nothing
# recorded for the key); per-unit figures in the label and every report
# format; greenai report --sci term by term from a ledger of known figures,
# its embodied emissions from greenai.conf or the SCI Guide's defaults;
# export's CodeCarbon row (its documented columns and units, energies with
# the PUE) and model card from the same ledger.

setup() {
	load ../test_helper/common-setup
	_common_setup
	GREENAI=$TOP/build/greenai
	BIN=$TOP/build/tests
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

# A ledger of known figures (greenai makes the schema, the rows are put in):
#   run 1 "a": package-0 5e9+1e9 uJ, dram-0 1.2e9, gpu-0 3.6e9 (core-0's
#     9e9 not in the total): 10.8e9 uJ = 0.003 kWh; PUE 1.5; two intervals,
#     7.2e9 uJ at 50 g/kWh and 3.6e9 at 80; 3600 s, 1800 s of CPU time on
#     4 CPUs; 1000 images; DEU; Python 3.11.2; a cloud machine of 16 GiB
#   run 2 "b": package-0 3.6e9 uJ at 100 g/kWh, PUE 1, no intervals; 100 s,
#     100 s of CPU on 2 CPUs; no units; EU; not a cloud
#   run 3 "c": done, but from before schema 6: no CPU time nor CPUs
#   run 4 "d": still running
known_ledger() {
	"$GREENAI" report --ledger "$LEDGER" >/dev/null
	python3 - "$LEDGER" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
T0 = 1796000000 * 10**9
def run(id, model, start, dur_s, status, region, mg, pue, co2, **kw):
    cols = dict(id=id, model=model, command="python3 x.py", host="secret-host",
                backend="bpf", start_unix_ns=start,
                end_unix_ns=start + dur_s * 10**9 if status == 1 else None,
                status=status, exit_code=0, owner_pid=1, owner_start=1,
                region=region, mg_per_kwh=mg, intensity_source="test table",
                pue_milli=pue, co2_ug=co2, idle_policy="capacity: test",
                weights="time")
    cols.update(kw)
    db.execute("INSERT INTO runs (%s) VALUES (%s)" % (
        ",".join(cols), ",".join("?" * len(cols))), list(cols.values()))
def energy(id, domain, kind, active, idle, in_total=1):
    db.execute("INSERT INTO run_energy (run_id, domain, kind, active_uj,"
               " idle_uj, estimated, in_total) VALUES (?,?,?,?,?,0,?)",
               (id, domain, kind, active, idle, in_total))
run(1, "a", T0, 3600, 1, "DEU", 50000, 1500,
    7200000000 * 50000 * 3 // 2 // 3600000000
    + 3600000000 * 80000 * 3 // 2 // 3600000000,
    units=1000, unit="images", python_version="3.11.2",
    cpu_ns=1800 * 10**9, nr_cpus=4, cpu_model="Test CPU @ 2.00GHz",
    ram_total_kb=16 * 1024 * 1024, on_cloud=1, gpu_models="NVIDIA L4")
energy(1, "package-0", "package", 5000000000, 1000000000)
energy(1, "dram-0", "dram", 1200000000, 0)
energy(1, "gpu-0", "gpu", 3600000000, 0)
energy(1, "core-0", "core", 9000000000, 0, in_total=0)
for seq, (e, mg) in enumerate([(7200000000, 50000), (3600000000, 80000)]):
    db.execute("INSERT INTO run_intensity VALUES (1,?,?,?,?,?,?,?)",
               (seq, T0 + seq * 1800 * 10**9, T0 + (seq + 1) * 1800 * 10**9,
                mg, "test", e, e * mg * 3 // 2 // 3600000000))
run(2, "b", T0 + 4000 * 10**9, 100, 1, "EU", 100000, 1000, 100000,
    cpu_ns=100 * 10**9, nr_cpus=2, on_cloud=0)
energy(2, "package-0", "package", 3600000000, 0)
run(3, "c", T0 + 5000 * 10**9, 10, 1, "FRA", 44180, 1000, 4418)
energy(3, "package-0", "package", 360000000, 0)
run(4, "d", T0 + 6000 * 10**9, 0, 0, "FRA", 44180, 1000, None)
db.commit()
PY
}

# The SCI's terms of the known runs, as report --sci --format json must
# give them, from TE (kg) and EL (years): "id e_kwh i o m r per sci", m
# and sci "-" where unknown
want_sci() {
	python3 - "$1" "$2" <<'PY'
import sys
te_g, el_s = float(sys.argv[1]) * 1000, float(sys.argv[2]) * 365.25 * 86400
e1 = 10.8e9 / 3.6e12 * 1.5
i1 = (7.2e9 * 50 + 3.6e9 * 80) / 10.8e9
m1 = te_g * 3600 / el_s * (1800 / (3600 * 4))
print(1, e1, i1, e1 * i1, m1, 1000, "images", (e1 * i1 + m1) / 1000)
e2 = 3.6e9 / 3.6e12
m2 = te_g * 100 / el_s * (100 / (100 * 2))
print(2, e2, 100.0, e2 * 100, m2, 1, "run", e2 * 100 + m2)
e3 = 0.36e9 / 3.6e12
print(3, e3, 44.18, e3 * 44.18, "-", 1, "run", "-")
PY
}

# check_sci_json WANT: report --sci --format json ($output) has WANT's figures
check_sci_json() {
	python3 - "$1" <<PY || fail "report --sci: $output; want: $1"
import json, sys
got = json.loads('''$output''')
want = [l.split() for l in sys.argv[1].splitlines()]
close = lambda a, b: abs(a - b) <= 1e-9 * abs(b) + 1e-15
assert [r["id"] for r in got["runs"]] == [1, 2, 3], got["runs"]
for r, w in zip(got["runs"], want):
    assert close(r["e_kwh"], float(w[1])), ("E", r, w)
    assert close(r["i_g_per_kwh"], float(w[2])), ("I", r, w)
    assert close(r["e_times_i_g"], float(w[3])), ("E x I", r, w)
    assert r["r"] == float(w[5]) and r["per"] == w[6], ("R", r, w)
    if w[4] == "-":
        assert r["m_g"] is None and r["sci_g"] is None and r["share"] is None, r
    else:
        assert close(r["m_g"], float(w[4])), ("M", r, w)
        assert close(r["sci_g"], float(w[7])), ("SCI", r, w)
PY
}

@test "sci: report --sci gives each term from the ledger's figures, TE and EL the SCI Guide's or greenai.conf's" {
	known_ledger
	run "$GREENAI" report --sci --format json --ledger "$LEDGER"
	assert_success
	check_sci_json "$(want_sci 1230.3 4)"
	python3 -c 'import json, sys
o = json.loads(sys.argv[1])
assert o["embodied_kg"] == 1230.3 and o["lifetime_years"] == 4, o
assert "SCI Guide" in o["embodied_source"], o
r = o["runs"][0]
assert r["share"] == 0.125 and r["cpus"] == 4 and r["cpu_s"] == 1800, r' "$output" ||
		fail "$output"
	# the table says every term, and where TE and EL are from
	run "$GREENAI" report --sci --ledger "$LEDGER"
	assert_success
	assert_line --index 0 --regexp '^Run +Model +E kWh +I g/kWh +E\*I g +Duration s +Share +M g +R +Per +SCI g$'
	assert_line --index 1 --regexp '^1 +a +0\.0045 +60 +0\.27 +3600 +0\.125 +[0-9.]+ +1000 +images +[0-9.e-]+$'
	assert_line --index 3 --regexp '^3 +c +0\.0001 +44\.18 +0\.004418 +10 +1 +run *$'
	assert_output --partial "TE 1230.300 kg CO2e, EL 4.000 years (the SCI Guide's (Green Software Foundation) server: 1230.3 kg CO2e over 4 years)"
	assert_output --partial "1 run(s) without M and SCI"
	refute_output --regexp '(^|[^a-z])d( |$)'
	# CSV: the header and the same figures
	run "$GREENAI" report --sci --format csv --ledger "$LEDGER"
	assert_success
	assert_line --index 0 "Run,Model,E kWh,I g/kWh,E*I g,Duration s,Share,M g,R,Per,SCI g"
	assert_line --index 1 --regexp '^1,a,0\.0045,60,0\.27,3600,0\.125,[0-9.]+,1000,images,[0-9.e-]+$'
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
	run "$GREENAI" report --sci --format markdown --ledger "$LEDGER"
	assert_success
	assert_line --index 0 --regexp '^\| Run \| Model \| E kWh \|'
	# greenai.conf's TE and EL
	printf 'embodied_kg = 850.5\nembodied_years = 6\n' >"$BATS_TEST_TMPDIR/g.conf"
	GREENAI_CONFIG=$BATS_TEST_TMPDIR/g.conf run "$GREENAI" report --sci \
		--format json --ledger "$LEDGER"
	assert_success
	check_sci_json "$(want_sci 850.5 6)"
	assert_output --partial "\"embodied_source\": \"embodied_kg in $BATS_TEST_TMPDIR/g.conf:1, embodied_years in $BATS_TEST_TMPDIR/g.conf:2\""
}

@test "sci: bad embodied settings and bad usage of --sci are refused, nothing printed" {
	known_ledger
	local bad
	for bad in 'embodied_kg = -1' 'embodied_kg = 1000001' \
		'embodied_kg = lots' 'embodied_years = 0' \
		'embodied_years = 51' 'embodied_years = 4 years'; do
		echo "$bad" >"$BATS_TEST_TMPDIR/g.conf"
		GREENAI_CONFIG=$BATS_TEST_TMPDIR/g.conf run --separate-stderr \
			"$GREENAI" report --sci --ledger "$LEDGER"
		assert_failure 2
		[ -z "$output" ] || fail "$bad: printed $output"
		[[ $stderr == *"g.conf:1: ${bad%% *} '"* ]] || fail "$bad: $stderr"
	done
	run "$GREENAI" report --sci --by model --ledger "$LEDGER"
	assert_failure 2
	assert_output --partial "--sci is per run: not with --by model"
	run "$GREENAI" report --sci --by container --ledger "$LEDGER"
	assert_failure 2
	run "$GREENAI" report --sci --format svg --ledger "$LEDGER"
	assert_failure 2
	# --by run is what --sci is
	run "$GREENAI" report --sci --by run --format csv --ledger "$LEDGER"
	assert_success
	assert_line --index 0 --partial "SCI g"
}

@test "sci: per-unit energy and CO2e in report --by run, as table, CSV, Markdown and JSON" {
	known_ledger
	run "$GREENAI" report --by run --format csv --ledger "$LEDGER"
	assert_success
	assert_line --index 0 "Run,Model,Status,Duration s,Energy kWh,CO2 kg,Accuracy %,Units,Unit,Energy kWh/unit,CO2 kg/unit"
	assert_line --index 1 "1,a,done,3600,0.003,0.00027,,1000,images,3e-06,2.7e-07"
	assert_line --index 2 "2,b,done,100,0.001,0.0001,,,,,"
	run "$GREENAI" report --by run --format markdown --ledger "$LEDGER"
	assert_success
	assert_line --index 2 --regexp '^\| 1 \| a \| done \| 3600 \| 0\.003 \| 0\.00027 \|  \| 1000 \| images \| 3e-06 \| 2\.7e-07 \|$'
	run "$GREENAI" report --by run --ledger "$LEDGER"
	assert_success
	assert_line --index 1 --regexp '^1 +a +done +3600 +0\.003 +0\.00027 +1000 +images +3e-06 +2\.7e-07$'
	run "$GREENAI" report --by run --format json --ledger "$LEDGER"
	assert_success
	python3 -c 'import json, sys
a, b = json.loads(sys.argv[1])[:2]
close = lambda x, y: abs(x - y) <= 1e-12 * abs(y)
assert a["units"] == 1000 and a["unit"] == "images", a
assert close(a["energy_kwh_per_unit"], 10.8e9 / 3.6e12 / 1000), a
assert close(a["co2_kg_per_unit"], 270000 / 1e9 / 1000), a
assert a["python_version"] == "3.11.2" and a["cpu_s"] == 1800, a
assert a["machine"] == {"cpu_model": "Test CPU @ 2.00GHz", "cpus": 4,
                        "ram_total_kb": 16777216, "on_cloud": True,
                        "gpu_models": "NVIDIA L4"}, a
assert b["units"] is None and b["energy_kwh_per_unit"] is None, b
assert b["machine"]["on_cloud"] is False and b["python_version"] is None, b' \
		"$output" || fail "$output"
}

@test "sci: export's CodeCarbon row has its documented columns and units, energies with the PUE, and the machine" {
	known_ledger
	run "$GREENAI" export --format codecarbon-csv --ledger "$LEDGER" 1
	assert_success
	# CodeCarbon 3.2's emissions.csv header (its EmissionsData fields, as
	# its output documentation lists them), then greenai's idle policy
	assert_line --index 0 "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,cpu_utilization_percent,gpu_utilization_percent,ram_utilization_percent,ram_used_gb,on_cloud,pue,wue,greenai_idle_policy"
	echo "$output" >"$BATS_TEST_TMPDIR/emissions.csv"
	"$GREENAI" export --format codecarbon-json --ledger "$LEDGER" 1 \
		>"$BATS_TEST_TMPDIR/emissions.json"
	python3 - "$BATS_TEST_TMPDIR/emissions.csv" "$BATS_TEST_TMPDIR/emissions.json" <<'PY' ||
import csv, json, sys, time
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and len(rows[0]) == 39, rows
r = rows[0]
j = json.load(open(sys.argv[2]))
assert list(j) == list(r), (list(j), list(r))
close = lambda a, b: abs(float(a) - b) <= 1e-9 * abs(b) + 1e-15
# kWh with the PUE (1.5), as CodeCarbon multiplies each energy by it
kwh = lambda uj: uj / 3.6e12 * 1.5
want = {
    "duration": 3600.0, "emissions": 270000 / 1e9,
    "emissions_rate": 270000 / 1e9 / 3600,
    "cpu_power": 6e9 / 1e6 / 3600, "gpu_power": 3.6e9 / 1e6 / 3600,
    "ram_power": 1.2e9 / 1e6 / 3600,
    "cpu_energy": kwh(6e9), "gpu_energy": kwh(3.6e9),
    "ram_energy": kwh(1.2e9), "energy_consumed": kwh(10.8e9),
    "ram_total_size": 16.0, "pue": 1.5, "cpu_count": 4, "gpu_count": 1,
}
for k, v in want.items():
    assert close(r[k], v), (k, r[k], v)
    assert close(j[k], v), (k, j[k], v)
# emissions / energy_consumed: the intensity, 60 g/kWh
assert close(float(r["emissions"]) / float(r["energy_consumed"]), 0.060)
assert type(j["cpu_count"]) is int and type(j["emissions"]) is float
text = {
    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S",
                               time.gmtime(1796000000 + 3600)),
    "project_name": "a", "run_id": "1", "country_name": "Germany",
    "country_iso_code": "DEU", "region": "", "python_version": "3.11.2",
    "cpu_model": "Test CPU @ 2.00GHz", "tracking_mode": "process",
    "on_cloud": "Y", "gpu_model": "NVIDIA L4", "codecarbon_version": "",
    "greenai_idle_policy": "capacity: test",
}
for k, v in text.items():
    assert r[k] == v, (k, r[k], v)
    assert j[k] == (v or None), (k, j[k], v)
PY
		fail "CSV: $(cat "$BATS_TEST_TMPDIR/emissions.csv")"
	# an aggregate region, no Python, not a cloud; an older run: unknown
	run "$GREENAI" export --format codecarbon-csv --ledger "$LEDGER" 2
	assert_success
	python3 -c 'import csv, io, sys
r = list(csv.DictReader(io.StringIO(sys.argv[1])))[0]
assert r["country_name"] == "" and r["country_iso_code"] == ""
assert r["region"] == "EU" and r["python_version"] == "" and r["on_cloud"] == "N"
assert r["cpu_count"] == "2" and r["gpu_count"] == "" and r["ram_total_size"] == ""
assert abs(float(r["energy_consumed"]) - 0.001) < 1e-15, r' "$output" ||
		fail "$output"
	run "$GREENAI" export --format codecarbon-csv --ledger "$LEDGER" 3
	assert_success
	python3 -c 'import csv, io, sys
r = list(csv.DictReader(io.StringIO(sys.argv[1])))[0]
assert r["country_name"] == "France" and r["on_cloud"] == "" and r["cpu_count"] == ""' \
		"$output" || fail "$output"
	# the model card: what it ran on, never the host's name
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 1
	assert_success
	assert_line '  hardware_used: "CPU: 4 logical CPUs, Test CPU @ 2.00GHz; GPU: 1 (NVIDIA L4)"'
	refute_output --partial secret-host
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 3
	assert_line '  hardware_used: "CPU: not recorded; GPU: none measured"'
	# a CPU model of any length in the ledger is cut at 200 characters,
	# GPU models at 255
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET cpu_model = ?, gpu_models = ? WHERE id = 1",
           ("X" * 3000, "Y" * 3000))
db.commit()' "$LEDGER"
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 1
	assert_success
	assert_line "  hardware_used: \"CPU: 4 logical CPUs, $(printf 'X%.0s' $(seq 200)); GPU: 1 ($(printf 'Y%.0s' $(seq 255)))\""
	# a run recorded before the ledger kept GPU models
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET gpu_models = NULL WHERE id = 1")
db.commit()' "$LEDGER"
	run "$GREENAI" export --format model-card --ledger "$LEDGER" 1
	assert_output --partial "GPU: 1 (models not recorded)"
	run "$GREENAI" export --format codecarbon-json --ledger "$LEDGER" 4
	assert_failure 1
	assert_output --partial "run 4 did not complete"
}

@test "sci: greenai run records units, unit and python_version; bad ones are refused, said, and not recorded" {
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	run "$GREENAI" run --model m --region FR --ledger "$LEDGER" -- sh -c \
		'printf "units=250\nunit=predictions\npython_version=3.11.2\naccuracy=90\n" >"$GREENAI_METRICS"; exec "$1" 0.2' sh "$BIN/spin"
	assert_success
	local uj co2 cpus
	uj=$(ledger "SELECT SUM(active_uj + idle_uj) FROM run_energy WHERE in_total = 1")
	co2=$(ledger "SELECT co2_ug FROM runs WHERE id = 1")
	assert_line "  per unit      $(awk -v u="$uj" -v c="$co2" 'BEGIN { printf "%.9g J, %.9g g CO2e (250 predictions)", u / 1e6 / 250, c / 1e6 / 250 }')"
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	run ledger "SELECT units, unit, python_version, nr_cpus, cpu_ns > 0, ram_total_kb > 0 FROM runs"
	assert_output "250.0|predictions|3.11.2|$cpus|1|1"
	# the text keys are not numeric metrics; accuracy is
	run ledger "SELECT key FROM run_metrics ORDER BY key"
	assert_output "accuracy"
	# bad values: each refused with its reason, nothing recorded for it
	run "$GREENAI" run --ledger "$LEDGER" -- sh -c \
		'printf "units=-5\nunit=a-unit-name-far-too-long-to-keep\nloss=0.5\n" >"$GREENAI_METRICS"'
	assert_success
	assert_line --partial "2 bad line(s) in \$GREENAI_METRICS skipped (line 1: units: a count above 0)"
	refute_line --partial "per unit"
	run ledger "SELECT units IS NULL, unit IS NULL FROM runs WHERE id = 2"
	assert_output "1|1"
	run ledger "SELECT key FROM run_metrics WHERE run_id = 2"
	assert_output "loss"
	run "$GREENAI" run --ledger "$LEDGER" -- sh -c \
		'printf "units=many\n" >"$GREENAI_METRICS"'
	assert_line --partial "(line 1: units: not a number)"
}

@test "sci: greenai.conf's on_cloud overrides the DMI strings; auto keeps them; a bad value is refused, nothing recorded" {
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	local conf=$BATS_TEST_TMPDIR/g.conf v
	for v in yes no auto; do
		echo "on_cloud = $v" >"$conf"
		GREENAI_CONFIG=$conf run "$GREENAI" run --region FR \
			--ledger "$LEDGER" -- true
		assert_success
	done
	run ledger "SELECT on_cloud FROM runs ORDER BY id"
	assert_line --index 0 1
	assert_line --index 1 0
	# auto: what the machine's DMI strings say (the export's column)
	"$GREENAI" run --region FR --ledger "$LEDGER" -- true
	[ "$(ledger "SELECT on_cloud FROM runs WHERE id = 3")" = \
		"$(ledger "SELECT on_cloud FROM runs WHERE id = 4")" ] ||
		fail "auto is not what is detected"
	run "$GREENAI" export --ledger "$LEDGER" --format codecarbon-json 1
	assert_output --partial '"on_cloud": "Y"'
	echo "on_cloud = maybe" >"$conf"
	GREENAI_CONFIG=$conf run "$GREENAI" run --region FR \
		--ledger "$LEDGER" -- true
	assert_failure 2
	assert_output --partial "g.conf:1: on_cloud 'maybe': not yes, no or auto"
	run ledger "SELECT COUNT(*) FROM runs"
	assert_output 4
}

@test "sci: the GPUs' models (the FAKE NVML's names) are recorded and in the model card and CodeCarbon's gpu_model, bounded" {
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	local nvml=$TOP/build/tests/fakes/nvml long i
	[ -f "$nvml/libnvidia-ml.so.1" ] || fail "no FAKE NVML (make test-helpers)"
	long=$(printf 'X%.0s' $(seq 100))
	export GA_FAKE_NVML_STATE=$BATS_TEST_TMPDIR/fake-nvml
	# (a name longer than NVML's buffer is no name: not known)
	printf 'gpus=4\nname.0=NVIDIA A100-SXM4-40GB\nname.1=%s\nname.2=NVIDIA A100-SXM4-40GB\nname.3=%s\n' \
		"$long" "${long:0:90}" >"$GA_FAKE_NVML_STATE"
	for i in 0 1 2 3; do echo "power_mw.$i=30000"; done >>"$GA_FAKE_NVML_STATE"
	LD_LIBRARY_PATH=$nvml run "$GREENAI" run --region FR --ledger "$LEDGER" -- true
	assert_success
	# each model once, counted; a name cut to what the source keeps
	run ledger "SELECT gpu_models FROM runs WHERE id = 1"
	assert_output "2 x NVIDIA A100-SXM4-40GB, model not known, ${long:0:44}"
	run "$GREENAI" export --ledger "$LEDGER" --format model-card 1
	assert_line "  hardware_used: \"CPU: $(grep -c '^processor' /proc/cpuinfo) logical CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); GPU: 4 (2 x NVIDIA A100-SXM4-40GB, model not known, ${long:0:44})\""
	run "$GREENAI" export --ledger "$LEDGER" --format codecarbon-json 1
	assert_output --partial "\"gpu_model\": \"2 x NVIDIA A100-SXM4-40GB, model not known, ${long:0:44}\","
	# no GPU: none recorded, none said
	unset GA_FAKE_NVML_STATE
	run "$GREENAI" run --region FR --ledger "$LEDGER" -- true
	run ledger "SELECT gpu_models IS NULL FROM runs WHERE id = 2"
	assert_output 1
	run "$GREENAI" export --ledger "$LEDGER" --format model-card 2
	assert_output --partial "GPU: none measured"
}
