#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Carbon-aware greenai: the live intensity providers against a fake of the
# Electricity Maps and Carbon Aware SDK APIs on 127.0.0.1 (the real ones
# are not reachable here), their failures each falling back to the next
# with a message, the cache, greenai schedule against a brute force over
# the forecast served, the forecast printed and plotted, and greenai run
# --carbon-aware freezing a CPU-bound command while a scripted intensity is
# high, with the ledger's CO2e the sum over intervals of energy times the
# intensity then in force. Runs as root (BPF, cgroups).

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "greenai run needs root here (BPF, cgroups)"
	GREENAI=$TOP/build/greenai
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	CONF=$BATS_TEST_TMPDIR/greenai.conf
	unset GREENAI_REGION ELECTRICITYMAPS_TOKEN
	export GREENAI_CONFIG=$CONF
	export GREENAI_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	# it holds a token: its owner's only, as a careful user keeps it
	: >"$CONF"
	chmod 600 "$CONF"
	# the forecast the fake serves, g/kWh per hour from this hour on
	VALUES=300,250,100,120,400,80,90,500
}

teardown() {
	[ -z "$API_PID" ] || kill "$API_PID" 2>/dev/null || true
	if [ -n "$RUN_BG" ]; then
		kill -9 "$RUN_BG" 2>/dev/null || true
		# and its command, which runs until told to stop
		echo 1 >"$(findmnt -n -t cgroup2 -o TARGET | head -n 1)/greenai.runs/$RUN_BG/cgroup.kill" \
			2>/dev/null || true
	fi
}

# api_start: the fake APIs; sets API (its base URL) and API_LOG
api_start() {
	API_LOG=$BATS_TEST_TMPDIR/api.log
	: >"$API_LOG"
	python3 "$TOP/tests/fakes/intensity-api/server.py" \
		"$BATS_TEST_TMPDIR/api.port" "$API_LOG" "$VALUES" &
	API_PID=$!
	local deadline=$((SECONDS + 60))
	until [ -s "$BATS_TEST_TMPDIR/api.port" ]; do
		kill -0 "$API_PID" || fail "the fake API did not start"
		[ "$SECONDS" -lt "$deadline" ] || fail "the fake API never listened"
		sleep 0.01
	done
	API=http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/api.port")
}

# ledger SQL: one query on the test's ledger, rows as "a|b|c"
ledger() {
	python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$LEDGER" "$1"
}

@test "intensity: Electricity Maps' latest, its token in a header and never a flag, then from the cache" {
	api_start
	cat >"$CONF" <<-EOF
		electricitymaps_token = from-the-file
		electricitymaps_url = $API/ok/em
	EOF
	run "$GREENAI" intensity --region DE
	assert_success
	assert_line "intensity: 300.000 g CO2e/kWh"
	assert_line "provider:  electricitymaps"
	assert_line "source:    Electricity Maps $API/ok/em, zone DE"
	run grep -c "^GET /ok/em/carbon-intensity/latest?zone=DE auth-token=from-the-file$" "$API_LOG"
	assert_output 1
	# again: the cache answers, the API is not asked
	run "$GREENAI" intensity --region DE
	assert_success
	assert_line "provider:  electricitymaps (cached)"
	run grep -c "latest" "$API_LOG"
	assert_output 1
	# the environment's token wins over the file's; no flag takes one
	ELECTRICITYMAPS_TOKEN=from-env run "$GREENAI" intensity --region FR
	assert_success
	grep -q "zone=FR auth-token=from-env$" "$API_LOG" || fail "$(cat "$API_LOG")"
	run "$GREENAI" intensity --token x --region DE
	assert_failure 2
	# a file with the token that every user can read is warned about
	assert_equal "$(stat -c %a "$CONF")" 600
	refute_output --partial "can read it"
	chmod 644 "$CONF"
	run "$GREENAI" intensity --region DE
	assert_success
	assert_line "greenai intensity: warning: $CONF holds electricitymaps_token and every user can read it (mode 0644): keep the token where only its users can (a user's own greenai.conf at 0600, or a group's at 0640)"
	refute_output --partial from-the-file
}

@test "intensity: errors, slow answers, malformed JSON and huge bodies each fall back to the next provider, said plainly" {
	api_start
	local mode want
	# (a timeout that a busy machine's answers are well within; the slow
	# fake answers 30 s late)
	for mode in e500 e401 slow bad badvalue huge; do
		case $mode in
		e500) want="HTTP status 500: {\"error\": \"internal error\"}" ;;
		e401) want="HTTP status 401: {\"error\": \"bad token\"}" ;;
		slow) want="no answer within 5000 ms" ;;
		bad) want="the answer: malformed JSON at byte" ;;
		badvalue) want="the answer: point 0: the intensity is not a number" ;;
		huge) want="the answer is larger than 4194304 bytes" ;;
		esac
		cat >"$CONF" <<-EOF
			electricitymaps_token = t
			electricitymaps_url = $API/$mode/em
			carbonaware_url = $API/ok/ca
			http_timeout = 5
		EOF
		run --separate-stderr "$GREENAI" intensity --region DE
		assert_success
		[[ $stderr == "greenai intensity: electricitymaps: $want"* ]] ||
			fail "$mode: stderr '$stderr', not '$want'"
		assert_line --regexp '^provider:  carbonaware( \(cached\))?$'
		# the SDK's latest: its last hour, the fake's last value
		assert_line "intensity: 500.000 g CO2e/kWh"
	done
	# both fail: the embedded table, said so
	cat >"$CONF" <<-EOF
		electricitymaps_token = t
		electricitymaps_url = $API/e500/em
		carbonaware_url = $API/bad/ca
	EOF
	run --separate-stderr "$GREENAI" intensity --region DE
	assert_success
	assert_line "provider:  static"
	assert_line "intensity: 342.060 g CO2e/kWh"
	[[ $stderr == *"carbonaware: the answer: malformed JSON"* ]] || fail "$stderr"
	# and when the table does not know the zone either: no figure, exit 1
	run --separate-stderr "$GREENAI" intensity --region US-CAL-CISO
	assert_failure 1
	[[ $stderr == *"static: region 'US-CAL-CISO' is not in the embedded table"* ]] || fail "$stderr"
	[[ $stderr == *"no intensity from any provider"* ]] || fail "$stderr"
	# nothing that failed was cached
	! ls "$GREENAI_CACHE_DIR"/electricitymaps-* 2>/dev/null ||
		fail "a failed answer was cached"
	ls "$GREENAI_CACHE_DIR"/carbonaware-*.json >/dev/null
}

# best_window JSON DURATION_S: check greenai schedule's answer against a
# brute force over every second of the forecast the fake serves
best_window() {
	python3 - "$1" "$2" "$VALUES" <<-'EOF'
		import json, sys, time
		got, dur, vals = json.loads(sys.argv[1]), int(sys.argv[2]), [float(v) for v in sys.argv[3].split(",")]
		h0 = int(time.time()) // 3600 * 3600
		end = h0 + 3600 * len(vals)
		def mean(s):  # the forecast's mean over [s, s + dur), s in whole seconds
		    t, acc = s, 0.0
		    while t < s + dur:
		        i = (t - h0) // 3600
		        nxt = min(h0 + 3600 * (i + 1), s + dur)
		        acc += (nxt - t) * vals[i]
		        t = nxt
		    return acc / dur
		lo = int(time.time()) + 1  # (greenai asked a moment ago)
		best = min(range(lo, end - dur + 1), key=lambda s: (round(mean(s), 9), s))
		assert abs(got["start_unix"] - best) <= 1, (got, best)
		assert abs(got["mean_g_per_kwh"] - mean(best)) < 1e-6 * mean(best), (got, mean(best))
	EOF
}

@test "schedule: the best start in Electricity Maps' and the Carbon Aware SDK's forecasts (both spellings) is the brute force's" {
	api_start
	local d mode
	printf 'electricitymaps_token = t\nelectricitymaps_url = %s/ok/em\n' "$API" >"$CONF"
	for d in 1h 2h 90m; do
		run "$GREENAI" schedule --region DE --duration $d --json
		assert_success
		best_window "$output" $(($(sed 's/h$/*3600/; s/m$/*60/' <<<"$d")))
	done
	run "$GREENAI" schedule --region DE --duration 2h
	assert_success
	assert_line --regexp '^best start: +[0-9-]+T[0-9:]+Z \(in [0-9]+ min\)$'
	assert_line --regexp '^saving: +[0-9.]+ % of the CO2e'
	for mode in ok old; do
		printf 'carbonaware_url = %s/%s/ca\n' "$API" "$mode" >"$CONF"
		run "$GREENAI" schedule --region westeurope --duration 1h --json
		assert_success
		best_window "$output" 3600
		# the SDK's own pick, under either spelling: the 80 g hour
		python3 -c '
import json, sys, time
j = json.loads(sys.argv[1])
h0 = int(time.time()) // 3600 * 3600
assert j["provider"] == "carbonaware" and j["sdk_optimal_g_per_kwh"] == 80, j
assert j["sdk_optimal_start"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(h0 + 5 * 3600)), j
' "$output" || fail "$mode: $output"
	done
	grep -q "^GET /old/ca/emissions/forecasts/current?location=westeurope " "$API_LOG"
	# a window longer than the forecast: said, exit 1
	run --separate-stderr "$GREENAI" schedule --region westeurope --duration 9h --within 2d
	assert_failure 1
	[[ $stderr == *"no whole window of 9h in it"* ]] || fail "$stderr"
}

@test "intensity --forecast and --history: table, CSV, JSON, and an SVG plot that parses and renders" {
	api_start
	printf 'electricitymaps_token = t\nelectricitymaps_url = %s/ok/em\n' "$API" >"$CONF"
	run "$GREENAI" intensity --forecast --region DE --format csv
	assert_success
	assert_line --index 0 "timestamp,g_per_kwh,duration_s"
	python3 -c '
import csv, io, sys, time
rows = list(csv.DictReader(io.StringIO(sys.argv[1])))
vals = [float(v) for v in sys.argv[2].split(",")]
h0 = int(time.time()) // 3600 * 3600
assert [float(r["g_per_kwh"]) for r in rows] == vals, rows
assert rows[0]["timestamp"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(h0)), rows[0]
assert all(r["duration_s"] == "3600" for r in rows), rows
' "$output" "$VALUES" || fail "$output"
	run "$GREENAI" intensity --history --region DE --format json
	assert_success
	python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert j["provider"] == "electricitymaps" and len(j["points"]) == 8, j
' "$output" || fail "$output"
	run "$GREENAI" intensity --forecast --region DE
	assert_success
	assert_line --index 0 --regexp '^TIME \(UTC\) +G CO2E/KWH +MINUTES$'
	assert_line --regexp "^provider: electricitymaps \\(cached\\); Electricity Maps "
	"$GREENAI" intensity --forecast --region DE --format svg >"$BATS_TEST_TMPDIR/f.svg"
	xmllint --noout "$BATS_TEST_TMPDIR/f.svg"
	rsvg-convert "$BATS_TEST_TMPDIR/f.svg" >"$BATS_TEST_TMPDIR/f.png"
	[ -s "$BATS_TEST_TMPDIR/f.png" ]
	grep -q "<path fill=\"none\" stroke=\"#2e7d32\"" "$BATS_TEST_TMPDIR/f.svg"
}

@test "bad usage and bad settings of the carbon-aware commands are refused, nothing done" {
	local bad
	for bad in "" "--duration" "--duration 0" "--duration 2x" \
		"--duration 2h --within 1h" "--duration 1h extra" "--bogus"; do
		run "$GREENAI" schedule $bad
		assert_failure 2
		assert_line --index 0 --regexp '^greenai schedule: '
	done
	for bad in "--format svg" "--forecast --history" "--forecast --format png" \
		"--forecast --intensity 100"; do
		run "$GREENAI" intensity $bad
		assert_failure 2
	done
	for bad in "--max-intensity 100" "--deadline 1h" \
		"--carbon-aware --max-intensity x" "--carbon-aware --max-intensity 100 --deadline tomorrow" \
		"--carbon-aware --max-intensity 100 --deadline 2001-01-01T00:00:00Z"; do
		run "$GREENAI" run --ledger "$LEDGER" $bad -- true
		assert_failure 2
	done
	# no forecast to take a mean of: the threshold must be given
	run "$GREENAI" run --ledger "$LEDGER" --carbon-aware -- true
	assert_failure 2
	assert_output --partial "needs --max-intensity"
	[ ! -e "$LEDGER" ] || fail "a ledger was made"
	for bad in "intensity_providers = solar" "intensity_providers = file, file" \
		"http_timeout = 0" "http_timeout = 61" "intensity_cache = -1" \
		"electricitymaps_url = ftp://x" "electricitymaps_token = a b" \
		"intensity_file = relative.csv" "intensity_refresh = 0.5" \
		"intensity_file_offset = 90" "intensity_file_offset = 36526d"; do
		echo "$bad" >"$CONF"
		run "$GREENAI" intensity
		assert_failure 2
		assert_output --regexp "$CONF:1: "
	done
	# a file that is not a series: said, with its line, and the table used
	printf 'time,intensity\n2026-01-01T00:00:00,100\n' >"$BATS_TEST_TMPDIR/f.csv"
	printf 'intensity_file = %s\n' "$BATS_TEST_TMPDIR/f.csv" >"$CONF"
	run --separate-stderr "$GREENAI" intensity --region FR
	assert_success
	assert_line "provider:  static"
	[[ $stderr == *"f.csv: line 2: '2026-01-01T00:00:00' is not a time"* ]] || fail "$stderr"
}

# series_file PATH POINT:G_PER_KWH...: a CSV series whose points start at
# the given offsets (seconds, decimals allowed) from now, or at the unix
# time in ms given as @MS; written whole (then renamed), since a run reads
# it again while it runs. Prints now, unix ms.
series_file() {
	local path=$1
	shift
	python3 - "$path" "$@" <<-'EOF'
		import os, sys, time
		from datetime import datetime, timezone
		now = time.time()
		with open(sys.argv[1] + ".tmp", "w") as f:
		    f.write("time,intensity\n")
		    for p in sys.argv[2:]:
		        off, g = p.split(":")
		        t = int(off[1:]) / 1000 if off[0] == "@" else now + float(off)
		        t = datetime.fromtimestamp(t, timezone.utc)
		        f.write(t.isoformat(timespec="milliseconds").replace("+00:00", "Z") + "," + g + "\n")
		os.rename(sys.argv[1] + ".tmp", sys.argv[1])
		print(int(now * 1000))
	EOF
}

# cg_has DIR WORD VALUE: wait (60 s at most) for "WORD VALUE" in
# DIR/cgroup.events
cg_has() {
	local deadline=$((SECONDS + 60))
	until grep -qx "$2 $3" "$1/cgroup.events" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || fail "no '$2 $3' in $1/cgroup.events"
		sleep 0.01
	done
}

# cpu_usec DIR: the CPU time of cgroup DIR so far, µs
cpu_usec() {
	awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

@test "run --carbon-aware: a CPU-bound command is frozen while the grid is dirty, thawed after; CO2e is the sum over intervals" {
	local cg before after t_dirty t_clean end
	# clean until the test says otherwise: the run asks the file again
	# every second, and the test makes the grid dirty, then clean, at
	# points of the run it has seen happen, not at times it hopes for
	series_file "$BATS_TEST_TMPDIR/s.csv" -60:100 >/dev/null
	printf 'intensity_file = %s\nintensity_refresh = 1\n' "$BATS_TEST_TMPDIR/s.csv" >"$CONF"
	"$GREENAI" run --ledger "$LEDGER" --interval-ms 100 --carbon-aware \
		--max-intensity 500 -- python3 -c '
import os, sys
while not os.path.exists(sys.argv[1]):
    pass' "$BATS_TEST_TMPDIR/stop" 2>"$BATS_TEST_TMPDIR/err" &
	RUN_BG=$!
	cg=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)/greenai.runs/$RUN_BG
	cg_has "$cg" populated 1
	# dirty once the command has run 2 s of CPU time
	local deadline=$((SECONDS + 120))
	until [ "$(cpu_usec "$cg")" -ge 2000000 ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the command never ran 2 s"
		sleep 0.01
	done
	t_dirty=$(series_file "$BATS_TEST_TMPDIR/s.csv" -60:100 0:900)
	cg_has "$cg" frozen 1
	# frozen: no CPU time, looked at for a second; it stays frozen until
	# the grid is clean, which is the test's doing
	before=$(cpu_usec "$cg")
	end=$(($(date +%s%N) + 1000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		after=$(cpu_usec "$cg")
		[ $((after - before)) -lt 10000 ] ||
			fail "CPU time went on while frozen: $before -> $after us"
	done
	grep -qx "frozen 1" "$cg/cgroup.events" || fail "thawed while the grid was dirty"
	t_clean=$(series_file "$BATS_TEST_TMPDIR/s.csv" -60:100 "@$t_dirty:900" 0:100)
	cg_has "$cg" frozen 0
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$RUN_BG"
	RUN_BG=
	grep -q "greenai run: paused at .*: the grid is at 900.000 g/kWh, above 500.000 g/kWh" "$BATS_TEST_TMPDIR/err" ||
		fail "$(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "greenai run: resumed at .* (the grid is clean: 100.000 g/kWh) after" "$BATS_TEST_TMPDIR/err" ||
		fail "$(cat "$BATS_TEST_TMPDIR/err")"
	python3 - "$LEDGER" "$t_dirty" "$t_clean" <<-'EOF' || fail "$(cat "$BATS_TEST_TMPDIR/err")"
		import sqlite3, sys
		db, t_dirty, t_clean = sqlite3.connect(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
		(rid, co2, status), = db.execute("SELECT id, co2_ug, status FROM runs")
		assert status == 1
		iv = db.execute("SELECT start_unix_ns, end_unix_ns, mg_per_kwh, energy_uj, co2_ug"
		                " FROM run_intensity WHERE run_id = ? ORDER BY seq", (rid,)).fetchall()
		assert [v[2] for v in iv] == [100000, 900000, 100000], iv
		for (s, e, mg, uj, ug), nxt in zip(iv, iv[1:] + [None]):
		    assert ug == (uj * mg + 1800000000) // 3600000000, (uj, mg, ug)
		    assert nxt is None or nxt[0] == e
		# each figure in force over its interval: the dirty one begins
		# once the file said so, before it said clean again, and ends
		# once it had
		ms = lambda ns: ns // 1000000
		assert ms(iv[1][0]) >= t_dirty and ms(iv[1][0]) < t_clean <= ms(iv[1][1]), (iv, t_dirty, t_clean)
		# the run's CO2e is the sum over intervals of energy x intensity
		assert co2 == sum(v[4] for v in iv), (co2, iv)
		(total,), = db.execute("SELECT SUM(active_uj + idle_uj) FROM run_energy"
		                       " WHERE run_id = ? AND in_total", (rid,))
		assert total == sum(v[3] for v in iv), (total, iv)
		# the pause: one freeze over the dirty stretch, CO2e avoided
		(kind, s, e, during, after, uw, avoided), = db.execute(
		    "SELECT kind, start_unix_ns, end_unix_ns, mg_during, mg_after, power_uw,"
		    " avoided_ug FROM run_pauses WHERE run_id = ?", (rid,))
		assert kind == "freeze" and during == 900000 and after == 100000
		assert t_dirty <= ms(s) < t_clean <= ms(e), (s, e, t_dirty, t_clean)
		shifted = uw * ((e - s) // 1000) // 1000000
		assert avoided == (shifted * 900000 + 1800000000) // 3600000000 - \
		                  (shifted * 100000 + 1800000000) // 3600000000 and avoided > 0, \
		       (avoided, uw)
		# while frozen, the run drew next to nothing (it had run 2 s of
		# CPU time before)
		assert iv[1][3] < iv[0][3] / 10, iv
	EOF
	# greenai report gives the same intervals and pause
	run "$GREENAI" report --by run --format json --ledger "$LEDGER"
	assert_success
	python3 -c '
import json, sys
r, = json.loads(sys.argv[1])
iv = r["intervals"]
assert [v["g_per_kwh"] for v in iv] == [100, 900, 100], iv
assert sum(v["co2_ug"] for v in iv) == r["co2_ug"], r
assert sum(v["energy_uj"] for v in iv) == r["energy_uj"], r
p, = r["pauses"]
assert p["kind"] == "freeze" and p["avoided_co2_ug"] > 0, p
' "$output" || fail "$output"
}

@test "run --carbon-aware: waits for a clean grid before starting, or until the deadline; the threshold defaults to the forecast's mean" {
	local t0 err=$BATS_TEST_TMPDIR/err deadline
	# dirty, clean in an hour by the forecast; once greenai says it waits,
	# the file says clean from now (greenai asks it again every second):
	# the command starts when it is clean
	series_file "$BATS_TEST_TMPDIR/s.csv" -60:800 3600:100 >/dev/null
	printf 'intensity_file = %s\nintensity_refresh = 1\n' "$BATS_TEST_TMPDIR/s.csv" >"$CONF"
	"$GREENAI" run --ledger "$LEDGER" --interval-ms 100 \
		--carbon-aware --max-intensity 500 -- true 2>"$err" &
	RUN_BG=$!
	deadline=$((SECONDS + 60))
	until grep -q "waiting:" "$err"; do
		kill -0 "$RUN_BG" 2>/dev/null || fail "greenai run did not wait: $(cat "$err")"
		[ "$SECONDS" -lt "$deadline" ] || fail "greenai run never said it waits: $(cat "$err")"
		sleep 0.01
	done
	t0=$(series_file "$BATS_TEST_TMPDIR/s.csv" -60:800 0:100 3600:900)
	wait "$RUN_BG" || fail "greenai run failed: $(cat "$err")"
	RUN_BG=
	grep -q "^greenai run: waiting: the grid is at 800.000 g/kWh, above 500.000 g/kWh; under it next at [0-9]" "$err" ||
		fail "$(cat "$err")"
	run ledger "SELECT r.start_unix_ns / 1000000 - $t0, p.kind, p.mg_during,
		p.end_unix_ns <= r.start_unix_ns, p.avoided_ug IS NULL
		FROM runs r JOIN run_pauses p ON p.run_id = r.id"
	assert_success
	[[ $output =~ ^([0-9]+)\|wait\|800000\|1\|1$ ]] || fail "started before the grid was clean: $output"
	# always dirty: it starts at the deadline, and is never frozen
	t0=$(series_file "$BATS_TEST_TMPDIR/s.csv" -60:800)
	run --separate-stderr "$GREENAI" run --ledger "$LEDGER" --interval-ms 100 \
		--carbon-aware --max-intensity 500 --deadline 2s -- true
	assert_success
	[[ $stderr == *"starting at "*": the deadline"* ]] || fail "$stderr"
	run ledger "SELECT COUNT(*), SUM(kind = 'freeze') FROM run_pauses WHERE run_id = 2"
	assert_output "1|0"
	run ledger "SELECT start_unix_ns / 1000000 - $t0 >= 2000 FROM runs WHERE id = 2"
	assert_output 1
	# no --max-intensity: the mean of the forecast until the deadline
	# (100 for the first hour from now, 300 for the second: 200, and a
	# little more for the moment greenai starts after the file is made)
	series_file "$BATS_TEST_TMPDIR/s.csv" -60:100 3600:300 >/dev/null
	run --separate-stderr "$GREENAI" run --ledger "$LEDGER" --carbon-aware \
		--deadline 2h -- true
	assert_success
	[[ $stderr =~ "the threshold is the forecast's mean, 20"[01]"."[0-9]{3}" g/kWh (file " ]] || fail "$stderr"
}
