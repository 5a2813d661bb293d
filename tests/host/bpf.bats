#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The BPF backend on the host's own kernel, through libgreenai
# (tests/host/helpers/gasample.c), with the power model as the energy
# source (known power, so a known answer): CPU time per process and per
# cgroup as the kernel counts it, energy that follows CPU time, exact
# conservation, a fork storm counted in full, exits delivered or counted,
# and the raw_tp fallback. Runs as root.

setup() {
	load ../test_helper/common-setup
	_common_setup
	[ "$(id -u)" -eq 0 ] || skip "loading BPF needs root"
	BIN=$TOP/build/tests
	SAMPLE=$BIN/gasample
	[ -x "$SAMPLE" ] || fail "no $SAMPLE: make test-helpers"
	load ../test_helper/cgroups
	load ../test_helper/gasample
	_cgroups_setup
}

teardown() {
	if [ -n "${BG:-}" ]; then
		kill "$BG" 2>/dev/null || true
		wait "$BG" 2>/dev/null || true
	fi
	_cgroups_teardown
}

cgroup_id() {
	stat -c %i "$1"
}

# field FILE KIND KEY COL: column COL of the KIND line whose 2nd field is KEY
field() {
	awk -v k="$2" -v id="$3" -v c="$4" '$1 == k && $2 == id { print $c }' "$1"
}

# assert_all_exited OUT RECORDS CGROUP_ID N: N processes of the cgroup
# exited, each with one record; none is left in the tables; and the
# cgroup's CPU time and energy are exactly what they took with them.
assert_all_exited() {
	run awk -v c="$3" '$1 == "EXIT" && $5 == c { n++ } END { print n + 0 }' "$2"
	assert_output "$4"
	run awk -v c="$3" '$1 == "task" && $3 == c' "$1"
	assert_output ""
	# (printf: mawk prints integers past 2^31 as %.6g)
	run awk -v c="$3" '$1 == "EXIT" && $5 == c { t += $6; e += $7 + $8 }
		END { printf "%.0f %.0f\n", t, e }' "$2"
	assert_output "$(awk -v c="$3" '$1 == "cgroup" && $2 == c { printf "%.0f %.0f\n", $3, $4 + $5 }' "$1")"
}

@test "two busy processes in their own cgroups: CPU time as the kernel counts it, energy in its ratio" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	local a b out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	a=$(new_cgroup greenai-a.$$)
	b=$(new_cgroup greenai-b.$$)
	run "$SAMPLE" --backend bpf --source model --model-idle-mw 0 --model-max-mw 20000 \
		--records "$rec" -- sh -c "
		$BIN/cgspawn $a taskset -c 0 $BIN/spin 2 &
		$BIN/cgspawn $b taskset -c 1 $BIN/spin 1 &
		wait"
	assert_success
	echo "$output" >"$out"
	local ua ub ga gb ea eb
	ua=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$a/cpu.stat")
	ub=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$b/cpu.stat")
	ga=$(field "$out" cgroup "$(cgroup_id "$a")" 3)
	gb=$(field "$out" cgroup "$(cgroup_id "$b")" 3)
	within "$ga" "$ua" 2 || fail "cgroup a: greenai $ga ns, cpu.stat $ua ns"
	within "$gb" "$ub" 2 || fail "cgroup b: greenai $gb ns, cpu.stat $ub ns"
	# each spin's exit record (from its cgroup: whatever else runs on
	# the machine): its CPU time, and energy in proportion
	run awk -v a="$(cgroup_id "$a")" -v b="$(cgroup_id "$b")" \
		'$1 == "EXIT" && $9 == "spin" && ($5 == a || $5 == b) { print $6, $7 + $8 }' "$rec"
	assert_equal "${#lines[@]}" 2
	local long=(${lines[0]}) short=(${lines[1]})
	if [ "${long[0]}" -lt "${short[0]}" ]; then
		long=(${lines[1]}) short=(${lines[0]})
	fi
	within "${long[0]}" "$ua" 2 || fail "long spin ${long[0]} ns, cgroup $ua ns"
	within "$(awk -v a="${long[1]}" -v b="${short[1]}" 'BEGIN { print a / b }')" \
		"$(awk -v a="${long[0]}" -v b="${short[0]}" 'BEGIN { print a / b }')" 2 ||
		fail "energy ${long[1]}:${short[1]} vs CPU ${long[0]}:${short[0]}"
	# idle 0 W, 20 W at full load of the package's CPUs: each busy ns
	# costs 20 W / nr_cpus
	within "${long[1]}" "$(awk -v t="${long[0]}" -v n="$(nproc)" \
		'BEGIN { print t * 20 / n / 1000 }')" 2 ||
		fail "long spin ${long[1]} µJ for ${long[0]} ns"
	assert_conserved_bpf "$out" "$rec"
}

@test "counter weights: a counter read at each switch weighs the package, and the records say so" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	local a b out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	a=$(new_cgroup greenai-a.$$)
	b=$(new_cgroup greenai-b.$$)
	# the software cpu-clock: it counts what run time counts, by the
	# counters' path (each CPU's event, read by the switch program)
	run "$SAMPLE" --backend bpf --source model --model-idle-mw 0 --model-max-mw 20000 \
		--weights cpu-clock --records "$rec" -- sh -c "
		$BIN/cgspawn $a taskset -c 0 $BIN/spin 2 &
		$BIN/cgspawn $b taskset -c 1 $BIN/spin 1 &
		wait"
	assert_success
	echo "$output" >"$out"
	assert_line "weights cpu-clock"
	# the intervals in which processes ran were weighed by the counter
	run awk '$1 == "INTERVAL" && $13 > 0 && int($4 / 128) % 2 { n++ } END { print n + 0 }' "$rec"
	assert [ "$output" -gt 0 ]
	local ga gb ea eb
	ga=$(field "$out" cgroup "$(cgroup_id "$a")" 3)
	gb=$(field "$out" cgroup "$(cgroup_id "$b")" 3)
	ea=$(awk -v c="$(cgroup_id "$a")" '$1 == "cgroup" && $2 == c { print $4 + $5 }' "$out")
	eb=$(awk -v c="$(cgroup_id "$b")" '$1 == "cgroup" && $2 == c { print $4 + $5 }' "$out")
	within "$(awk -v a="$ea" -v b="$eb" 'BEGIN { print a / b }')" \
		"$(awk -v a="$ga" -v b="$gb" 'BEGIN { print a / b }')" 3 ||
		fail "energy $ea:$eb vs CPU $ga:$gb"
	assert_conserved_bpf "$out" "$rec"
	# cycles: weighed by them where the CPU counts them, else refused
	# with what to do, never quietly by run time
	run "$SAMPLE" --backend bpf --source model --weights cycles -- true
	if [ "$status" -eq 0 ]; then
		assert_line "weights cycles"
	else
		assert_output --partial "no CPU cycles counter (no PMU here?): weigh by run time instead"
	fi
	run "$SAMPLE" --backend bpf --source model --weights heavy -- true
	assert_failure
}

@test "a process hopping through many cgroups leaves room for the next ones: they are counted, not overflowed" {
	local base home victim out=$BATS_TEST_TMPDIR/out dirs="" i ua ga
	base=$(new_cgroup greenai-hop.$$)
	home=$(new_cgroup greenai-hop.$$/home)
	victim=$(new_cgroup greenai-hop.$$/victim)
	for i in $(seq 400); do
		dirs="$dirs $(new_cgroup "greenai-hop.$$/h$i")"
	done
	# 400 cgroups, an entry in each (the shell waits on a child in each,
	# so it is switched out there), three times the entries ga_runs has;
	# then, the hopper still alive, a new process in a cgroup of its own
	run "$SAMPLE" --backend bpf --source model --max-runs 128 -- sh -c "
		for d in $dirs; do echo \$\$ >\$d/cgroup.procs; /bin/true; done
		echo \$\$ >$home/cgroup.procs
		$BIN/cgspawn $victim $BIN/spin 1"
	assert_success
	echo "$output" >"$out"
	# a full map made room for it: nothing went to the overflow
	assert_line "stat runs_full 0"
	ua=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$victim/cpu.stat")
	ga=$(field "$out" cgroup "$(cgroup_id "$victim")" 3)
	[ -n "$ga" ] || fail "the new process's cgroup has no figures of its own"
	within "$ga" "$ua" 2 || fail "greenai $ga ns, cpu.stat $ua ns"
}

@test "a storm of 10000 short-lived processes is counted in full" {
	local g out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec id usage
	g=$(new_cgroup greenai-storm.$$)
	id=$(cgroup_id "$g")
	run "$SAMPLE" --backend bpf --source model --records "$rec" -- \
		"$BIN/cgspawn" "$g" "$BIN/forkstorm" 10000
	assert_success
	echo "$output" >"$out"
	assert_line "stat sample_errors 0"
	# forkstorm and its 10000 children: one exit record each, from the
	# ring or, for a record the ring dropped, from the sweep; the cgroup
	# is exactly what they took with them
	assert_all_exited "$out" "$rec" "$id" 10001
	# and its CPU time is the kernel's
	usage=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$g/cpu.stat")
	within "$(field "$out" cgroup "$id" 3)" "$usage" 2 ||
		fail "greenai $(field "$out" cgroup "$id" 3) ns, cpu.stat $usage ns"
	assert_conserved_bpf "$out" "$rec"
}

@test "processes whose threads exit at once give one exit record each" {
	local g out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec id
	g=$(new_cgroup greenai-threads.$$)
	id=$(cgroup_id "$g")
	run "$SAMPLE" --backend bpf --source model --records "$rec" -- \
		"$BIN/cgspawn" "$g" python3 "$TOP/tests/host/helpers/threads_exit.py" 200
	assert_success
	echo "$output" >"$out"
	assert_line "stat exits_untracked 0"
	# the parent and its 200 children, once each
	run awk -v c="$id" '$1 == "EXIT" && $5 == c && $9 == "python3" { n++; seen[$3]++ }
		END { for (p in seen) if (seen[p] > 1) print "twice:", p; print n + 0 }' "$rec"
	assert_output 201
	assert_conserved_bpf "$out" "$rec"
}

@test "a full exit ring drops records, counts the drops and still folds every process" {
	local g out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec id
	g=$(new_cgroup greenai-drop.$$)
	id=$(cgroup_id "$g")
	# a one-page ring holds a few dozen exit records; the sampler is
	# stopped for the whole storm, so nothing reads the ring meanwhile
	# and 3000 exits overflow it whatever the machine's pace
	run "$SAMPLE" --backend bpf --source model --interval-ms 1000 \
		--exits-kb "$(($(getconf PAGESIZE) / 1024))" \
		--records "$rec" -- sh -c 'kill -STOP $PPID
			"$1/cgspawn" "$2" "$1/forkstorm" 3000; s=$?
			kill -CONT $PPID; exit $s' sh "$BIN" "$g"
	assert_success
	echo "$output" >"$out"
	assert_line "stat sample_errors 0"
	local dropped swept
	dropped=$(awk '$1 == "stat" && $2 == "exits_dropped" { print $3 }' "$out")
	swept=$(awk '$1 == "stat" && $2 == "exits_swept" { print $3 }' "$out")
	[ "$dropped" -gt 0 ] || fail "nothing dropped"
	# every process whose record was dropped was found gone and folded:
	# one exit record each, no entry left, the cgroup equal to them all
	[ "$swept" -ge "$dropped" ] || fail "$dropped dropped, $swept swept"
	assert_all_exited "$out" "$rec" "$id" 3001
}

@test "a storm between samples a second apart loses no exit record when the ring is drained every 50 ms" {
	local g out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec id
	g=$(new_cgroup greenai-drain.$$)
	id=$(cgroup_id "$g")
	# the storm is more than the default ring holds (256 KiB: about 3300
	# exit records) when nothing reads it: the sampler is stopped for
	# the whole storm, so this overflows whatever the machine's pace
	run "$SAMPLE" --backend bpf --source model --interval-ms 1000 \
		-- sh -c 'kill -STOP $PPID; "$1" 10000; s=$?
			kill -CONT $PPID; exit $s' sh "$BIN/forkstorm"
	assert_success
	[ "$(awk '$2 == "exits_dropped" { print $3 }' <<<"$output")" -gt 0 ] ||
		fail "the storm did not overflow the ring: the test shows nothing"
	# drained between the samples, it keeps every record
	run "$SAMPLE" --backend bpf --source model --interval-ms 1000 \
		--drain-ms 50 --records "$rec" -- \
		"$BIN/cgspawn" "$g" "$BIN/forkstorm" 10000
	assert_success
	echo "$output" >"$out"
	assert_line "stat sample_errors 0"
	assert_line "stat exits_dropped 0"
	assert_line "stat exits_swept 0"
	# and the exits taken early fold as any: every process once, added up
	assert_all_exited "$out" "$rec" "$id" 10001
}

@test "hwmon and GPU sources add domains of their own, split alike" {
	load ../test_helper/extra-sources
	extra_sources_setup
	local out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	run "$SAMPLE" --backend bpf --source model --sysfs-root "$EXTRA_ROOT" \
		--nvml-lib "$NVML_LIB" --records "$rec" -- sh -c \
		"echo procs.0=\$\$ >>$GA_FAKE_NVML_STATE; exec $BIN/spin 1"
	assert_success
	echo "$output" >"$out"
	assert_line --regexp "^source hwmon used"
	assert_line --regexp "^source nvml used"
	assert_extra_domains "$out" "$rec"
	assert_conserved_bpf "$out" "$rec"
}

@test "the raw_tp fallback counts the same" {
	local g out=$BATS_TEST_TMPDIR/out usage id
	g=$(new_cgroup greenai-raw.$$)
	id=$(cgroup_id "$g")
	run "$SAMPLE" --backend bpf --attach raw_tp --source model -- \
		"$BIN/cgspawn" "$g" "$BIN/spin" 1
	assert_success
	assert_line "backend bpf (raw_tp)"
	echo "$output" >"$out"
	usage=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$g/cpu.stat")
	within "$(field "$out" cgroup "$id" 3)" "$usage" 2 ||
		fail "greenai $(field "$out" cgroup "$id" 3) ns, cpu.stat $usage ns"
}

@test "the sampler refuses bad options and changes nothing" {
	run "$SAMPLE" --backend bpf --interval-ms 5 -- true
	assert_failure 2
	run "$SAMPLE" --backend bpf --source nuclear -- true
	assert_failure 2
	assert_output --partial "unknown source 'nuclear'"
	run "$SAMPLE" --backend bpf --exits-kb 3 -- true
	assert_failure 125
	assert_output --partial "must be a power of 2"
	run "$SAMPLE" --backend bpf --exits-kb 4194304 -- true
	assert_failure 125
	assert_output --partial "to 1 GiB"
}

# The FAKE hand-over tree a VM host's greenai writes (host_tree ROOT: as
# ROOT, the guest's sysfs root) and its updates (host_updates).
load ../test_helper/host-tree

@test "in a VM: the host's hand-over tree (FAKE) is the energy source, measured by the host, split with exact conservation" {
	local root=$BATS_TEST_TMPDIR/root out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	host_tree "$root"
	# a host that updates hourly: the tree does not go stale here
	sed -i 's/^interval_ms .*/interval_ms 3600000/' "$HOST/greenai-host"
	# while a process spins, the host writes five updates as its agent
	# does: package-0 2 J each, dram-0 0.3 J each, wrapping at the first
	host_updates "$BIN/spin"
	run "$SAMPLE" --backend bpf --sysfs-root "$root" --records "$rec" -- "${HOST_UPDATES[@]}"
	assert_success
	echo "$output" >"$out"
	# the machine has no RAPL of its own under this root: the host's
	# figures come before the power model, which is not opened
	assert_line --regexp "^source host used"
	refute_line --regexp "^source model"
	assert_line "provenance 0 measured by the host"
	assert_line "provenance 1 measured by the host"
	refute_line --regexp "^error "
	# every µJ the host handed over, the wrap undone, and flagged (2)
	assert_equal "$(field "$out" domain 0 3) $(field "$out" domain 0 4)" "package-0 10000000"
	assert_equal "$(field "$out" domain 1 3) $(field "$out" domain 1 4)" "dram-0 1500000"
	assert_equal $(($(field "$out" domain 1 8) & 2)) 2
	assert_conserved_bpf "$out" "$rec"
	# the spinning process got its share of the host's package energy
	run awk '$1 == "EXIT" && $9 == "spin" { split($10, d, ","); split(d[1], p, "+"); print (p[1] > 0) }' "$rec"
	assert_output "1"
}

@test "in a VM: a host tree that stops updating is flagged stale and said; a bad one is not used, and says why" {
	local root=$BATS_TEST_TMPDIR/root out=$BATS_TEST_TMPDIR/out
	host_tree "$root"
	# the host updates every 10 ms; seq never moves while 0.3 s of CPU
	# time (so at least as much wall time) passes
	sed -i 's/^interval_ms .*/interval_ms 10/' "$HOST/greenai-host"
	run "$SAMPLE" --backend bpf --sysfs-root "$root" -- "$BIN/spin" 0.3
	assert_success
	echo "$output" >"$out"
	assert_line --regexp "^source host used"
	# GREENAI_F_STALE (256) seen, and the last reading says so
	assert_equal $(($(field "$out" domain 0 8) & 256)) 256
	assert_line --regexp "^error 0 stale: the host's tree is at seq 7 for [0-9]+ ms \(it updates every 10 ms\)$"
	# a version this greenai does not read: not used, the model instead
	echo "version 2" >"$HOST/greenai-host"
	run "$SAMPLE" --backend bpf --sysfs-root "$root" -- true
	assert_success
	assert_line --regexp "^source host skipped host: .*/greenai-host: version 2: only version 1 is read$"
	assert_line --regexp "^source model used"
	assert_line "provenance 0 estimated"
	# a negative counter: the same
	host_tree "$BATS_TEST_TMPDIR/root2"
	echo -5 >"$HOST/host:0/energy_uj"
	run "$SAMPLE" --backend bpf --sysfs-root "$BATS_TEST_TMPDIR/root2" -- true
	assert_success
	assert_line --regexp "^source host skipped host: .*/host:0/energy_uj: not a plain decimal number$"
	assert_line --regexp "^source model used"
	# asked for by name, it is the only CPU source tried: no model
	run "$SAMPLE" --backend bpf --source host --sysfs-root "$BATS_TEST_TMPDIR/root2" -- true
	refute_line --regexp "^source model"
}

# until_map NAME ENTRIES: wait (60 s at most) until a BPF map NAME of
# ENTRIES entries is loaded
until_map() {
	local deadline=$((SECONDS + 60))
	until bpftool map show | grep -A1 -E "name $1 " |
		grep -q -E "max_entries $2 "; do
		[ "$SECONDS" -lt "$deadline" ] || fail "no map $1 of $2 entries"
		sleep 0.05
	done
}

# gtop_bg: gtop -b on the BPF backend for up to 10 minutes, in the
# background (GREENAI_* from the caller); its pid in BG, killed at teardown
gtop_bg() {
	"$TOP/build/gtop" --backend bpf -b -d 1 -n 600 >/dev/null 3>&- &
	BG=$!
}

@test "bpf_runs sizes the run and process maps for the tools; a bad one is refused before anything loads" {
	command -v bpftool >/dev/null || skip "no bpftool"
	local conf=$BATS_TEST_TMPDIR/g.conf
	# an unusual size: no other map on the machine has it
	echo "bpf_runs = 40961" >"$conf"
	GREENAI_CONFIG=$conf gtop_bg
	until_map ga_runs 40961
	until_map ga_procs 40961
	kill "$BG"
	wait "$BG" || true
	# the environment before the file
	GREENAI_CONFIG=$conf GREENAI_BPF_RUNS=40963 gtop_bg
	until_map ga_runs 40963
	kill "$BG"
	wait "$BG" || true
	BG=

	for v in 1023 4194305 64k; do
		run env GREENAI_BPF_RUNS="$v" timeout 60 "$TOP/build/gtop" \
			--backend bpf -b -n 1
		assert_failure 2
		assert_output --partial "bpf_runs '$v' (from GREENAI_BPF_RUNS): entries of the BPF run map, 1024 to 4194304"
		echo "bpf_runs = $v" >"$conf"
		run env GREENAI_CONFIG="$conf" timeout 60 \
			"$TOP/build/greenai-exporter" --listen 127.0.0.1:0 \
			--no-ledger --state "$BATS_TEST_TMPDIR/state"
		assert_failure 2
		assert_output --partial "bpf_runs '$v': not entries of the BPF run map"
	done
	run env GREENAI_BPF_RUNS=12 timeout 60 "$TOP/build/greenai" stat -a 1
	assert_failure 2
	assert_output --partial "bpf_runs '12' (from GREENAI_BPF_RUNS)"
}
