#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Attribution with the power model and known coefficients: energy follows
# CPU time, everything adds up to the microjoule, a cgroup is the sum of
# its processes alive and exited, and a storm of short-lived processes is
# counted in full.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
}

teardown() {
	_kmod_teardown
}

@test "two busy processes on different CPUs get energy in the ratio of their CPU time" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	# idle 0 W, 20 W at full load: every busy ns costs 20 W / nr_cpus
	insmod "$GREENAI_KO" model_idle_mw=0 model_max_mw=20000
	local g out=$BATS_TEST_TMPDIR/records
	g=$(new_cgroup greenai-ratio)
	run $RING collect "$out" -- "$BIN/cgspawn" "$g" sh -c \
		"taskset -c 0 $BIN/spin 2 & taskset -c 1 $BIN/spin 1 & wait"
	assert_success
	run awk '$1 == "EXIT" && $9 == "spin" { print $6, $7 + $8 }' "$out"
	assert_equal "${#lines[@]}" 2
	local long=(${lines[0]}) short=(${lines[1]})
	if [ "${long[0]}" -lt "${short[0]}" ]; then
		long=(${lines[1]}) short=(${lines[0]})
	fi
	# they ran 2 s and 1 s of CPU time as the kernel counts it, plus
	# their start-up; the module's count is within 20 % of that
	within "${long[0]}" 2200000000 20 || fail "long spin ran ${long[0]} ns"
	within "${short[0]}" 1100000000 20 || fail "short spin ran ${short[0]} ns"
	# energy ratio == CPU time ratio within 2 %
	within "$(awk -v a="${long[1]}" -v b="${short[1]}" 'BEGIN { print a / b }')" \
		"$(awk -v a="${long[0]}" -v b="${short[0]}" 'BEGIN { print a / b }')" 2 ||
		fail "energy ${long[1]}:${short[1]} vs CPU ${long[0]}:${short[0]}"
	# and the energy is what the model says: cpu_ns x 20 W / nr_cpus
	within "${long[1]}" "$(awk -v c="${long[0]}" -v n="$(nproc)" \
		'BEGIN { printf "%d", c * 20 / n / 1000 }')" 2 ||
		fail "long spin got ${long[1]} uJ for ${long[0]} ns"
}

@test "processes, the node's idle and unattributed equal each domain's energy to the microjoule" {
	insmod "$GREENAI_KO"
	"$BIN/forkstorm" 200 >/dev/null
	"$BIN/spin" 0.5
	flush
	assert_conserved
}

@test "a cgroup's energy is the sum of its processes, alive and exited" {
	insmod "$GREENAI_KO"
	local g id out=$BATS_TEST_TMPDIR/records
	g=$(new_cgroup greenai-sum)
	id=$(stat -c %i "$g")
	# processes that exit, and one that stays alive after working in
	# itself (a shell loop forks nothing, so no exit goes unrecorded)
	run $RING collect "$out" -- "$BIN/cgspawn" "$g" sh -c \
		"$BIN/spin 0.3; $BIN/forkstorm 100 >/dev/null
		 sh -c 'i=0; while [ \$i -lt 20000 ]; do i=\$((i + 1)); done
			exec sleep 1000' </dev/null >/dev/null 2>&1 &"
	assert_success
	# the one left is done working once it is sleep, in its sleep
	# (clock_nanosleep or nanosleep, 60 s at most); its last slices are
	# in the interval closed after that, and a sleeper is charged nothing
	# more, so the cgroup and it read alike from then
	local pid nr deadline=$((SECONDS + 60))
	until pid=$(head -n 1 "$g/cgroup.procs") &&
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] &&
		read -r nr _ <"/proc/$pid/syscall" &&
		{ [ "$nr" = 230 ] || [ "$nr" = 35 ]; }; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the shell loop never went to sleep"
		sleep 0.05
	done
	flush
	run $PROC cgroup "$id"
	assert_success
	local cg=(${lines[0]}) live=(${lines[1]}) exited
	assert_equal "${cg[0]}" cgroup
	assert [ "${live[1]}" -gt 0 ]
	exited=$(awk -v c="$id" '$1 == "EXIT" && $5 == c {
		a += $7; i += $8; n += $6 } END { printf "%.0f %.0f %.0f\n", a, i, n }' "$out")
	exited=($exited)
	assert_equal "${cg[1]}" "$((live[1] + exited[0]))"
	assert_equal "${cg[2]}" "$((live[2] + exited[1]))"
	assert_equal "${cg[3]}" "$((live[3] + exited[2]))"
	run grep -c '^LOST ' "$out"
	assert_output 0
}

@test "a storm of 10000 short-lived processes is counted in full" {
	insmod "$GREENAI_KO" ring_kb=8192
	local g id out=$BATS_TEST_TMPDIR/records parent usage
	g=$(new_cgroup greenai-storm)
	id=$(stat -c %i "$g")
	# Pinned to one CPU: across CPUs, the kernel's cpu.stat also counts
	# a woken task's wait from the wakeup to its first instruction
	# (the runqueue clock is not updated when a wakeup preempts idle),
	# which under TCG emulation is several percent of a storm's time.
	run $RING collect "$out" -- "$BIN/cgspawn" "$g" \
		taskset -c 0 "$BIN/forkstorm" 10000
	assert_success
	# the storm's parent: the forkstorm that is the parent of the others
	parent=$(awk '$1 == "EXIT" && $9 == "forkstorm" { n[$4]++ }
		END { for (p in n) if (n[p] > best) { best = n[p]; bp = p }
		      print bp }' "$out")
	assert [ -n "$parent" ]
	# every child has its exit record, or is in a LOST count
	run awk -v p="$parent" '$1 == "EXIT" && $4 == p { n++ }
		$1 == "LOST" { n += $3 } END { print n + 0 }' "$out"
	assert_output 10000
	# CPU time matches the kernel's own accounting of the cgroup
	usage=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "$g/cpu.stat")
	run $PROC cgroup "$id"
	local cg=(${lines[0]})
	within "${cg[3]}" "$usage" 2 ||
		fail "greenai ${cg[3]} ns, cpu.stat $usage ns"
	# and its energy is exactly what its processes took with them
	run awk -v c="$id" '$1 == "EXIT" && $5 == c { a += $7; i += $8 }
		END { printf "%.0f %.0f\n", a, i }' "$out"
	assert_output "${cg[1]} ${cg[2]}"
}

@test "a process still running long after its exit tracepoint leaves no entry behind" {
	# (intervals of 10 ms: the exit path spans well over 100 of them, and
	# the module waits 10 s, not a number of intervals, before it folds
	# an exit whatever)
	insmod "$GREENAI_KO" interval_ms=10
	local out=$BATS_TEST_TMPDIR/records pid
	# the child closes 600 000 descriptors in its exit path, after the
	# exit tracepoint: intervals of CPU time after it
	run $RING collect "$out" -- python3 "$TOP/tests/kmod/helpers/slow_exit.py" 600000
	assert_success
	pid=${lines[-1]}
	[[ $pid =~ ^[0-9]+$ ]] || fail "no pid from the helper: $output"
	run awk -v p="$pid" '$1 == "EXIT" && $3 == p { n++ } END { print n + 0 }' "$out"
	assert_output 1
	assert_equal "$(stat_value exits_forced)" 0
	flush
	flush
	run awk -v p="$pid" '$1 == p' /proc/greenai/tasks
	assert_output ""
}

@test "a process is folded only once all its threads are gone" {
	# (intervals as in the test before: the exit path spans several, and
	# never the 100 after which the module folds an exit whatever)
	insmod "$GREENAI_KO" interval_ms=50
	local out=$BATS_TEST_TMPDIR/records pid cpu rec
	# one thread still closes 300 000 descriptors in its exit path when
	# the thread that exited last, on the same CPU, has long been gone
	run $RING collect "$out" -- python3 "$TOP/tests/kmod/helpers/thread_exit.py" 300000
	assert_success
	read -r pid cpu <<<"${lines[-1]}"
	[[ $pid =~ ^[0-9]+$ && $cpu =~ ^[0-9]+$ ]] ||
		fail "no pid and CPU time from the helper: $output"
	run awk -v p="$pid" '$1 == "EXIT" && $3 == p { print $6 }' "$out"
	assert_equal "${#lines[@]}" 1
	rec=${lines[0]}
	# the exit record has the CPU time of every thread, to their last slice
	within "$rec" "$cpu" 2 || fail "exit record $rec ns, getrusage $cpu ns"
	flush
	flush
	run awk -v p="$pid" '$1 == p' /proc/greenai/tasks
	assert_output ""
	assert_equal "$(stat_value exits_forced)" 0
}
