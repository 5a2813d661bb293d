# SPDX-License-Identifier: GPL-2.0
#
# The closed loop, for tests/host/accuracy.bats and tests/bench/accuracy.sh:
# a FAKE powercap package (tests/host/helpers/fake_powercap_plant.c) whose
# power is IDLE_MW plus MW per busy CPU of each cgroup (and of the rest of
# the machine), and greenai (gasample, BPF mode) reading it while
# workloads run in those cgroups. Needs TOP, CG (the cgroup2 mount) and a
# directory of its own, PLANT_DIR. Plain bash: no bats needed.
#
# plant_start IDLE_MW REST_MW "CGROUP=MW ...": starts the plant and
#	returns once it has a first reading. Its tree is PLANT_ROOT: on
#	tmpfs (/dev/shm) where there is one, as a new file every millisecond
#	costs a disk's file system a fifth of a CPU and a tmpfs a fortieth;
#	else $PLANT_DIR/root. plant_stop stops it (PLANT_PID) and removes a
#	tmpfs tree. With REST_MW 0 and no cgroup, it draws IDLE_MW whatever
#	runs.
# plant_run IDLE_MW REST_MW "CGROUP=MW ..." "GASAMPLE_OPTS" CMD...
#	starts the plant, runs CMD under gasample (100 ms intervals, the
#	plant's package as the CPU's energy source), stops the plant.
#	Leaves $PLANT_DIR/plant (the plant's CPU time and energy per cgroup),
#	$PLANT_DIR/out and $PLANT_DIR/records (gasample's). Return: 1 when a
#	part failed.
# plant_truth CGROUP: the energy the plant gave CGROUP (its MW per busy
#	CPU) plus its capacity share of the idle power (IDLE_MW × its CPU
#	time over the CPUs), µJ; then its CPU time, ns
# plant_greenai CGROUP: what greenai charged CGROUP (active + idle), µJ;
#	then its CPU time as greenai counted it, ns

plant_start() {
	local idle=$1 rest=$2 cgs=$3 deadline
	PLANT_IDLE_MW=$idle
	PLANT_ROOT=$(mktemp -d /dev/shm/greenai-plant.XXXXXX 2>/dev/null) ||
		PLANT_ROOT=$PLANT_DIR/root
	rm -rf "$PLANT_DIR/root"
	# shellcheck disable=SC2086
	"$TOP/build/tests/fake_powercap_plant" "$PLANT_ROOT" "$CG" \
		"$idle" "$rest" $cgs >"$PLANT_DIR/plant" 2>"$PLANT_DIR/plant.err" &
	PLANT_PID=$!
	deadline=$((SECONDS + 60))
	until [ -e "$PLANT_ROOT/plant.ready" ]; do
		if ! kill -0 "$PLANT_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			echo "the plant did not start: $(cat "$PLANT_DIR/plant.err")" >&2
			kill "$PLANT_PID" 2>/dev/null
			return 1
		fi
		sleep 0.01
	done
}

plant_stop() {
	kill "$PLANT_PID"
	wait "$PLANT_PID"
	case $PLANT_ROOT in
	/dev/shm/greenai-plant.*) rm -rf "$PLANT_ROOT" ;;
	esac
}

# plant_cleanup: for a teardown, what a failed test left running or behind
plant_cleanup() {
	[ -n "${PLANT_PID:-}" ] && kill "$PLANT_PID" 2>/dev/null
	case ${PLANT_ROOT:-} in
	/dev/shm/greenai-plant.*) rm -rf "$PLANT_ROOT" ;;
	esac
	return 0
}

plant_run() {
	local opts=$4
	plant_start "$1" "$2" "$3" || return 1
	shift 4
	# shellcheck disable=SC2086
	"$TOP/build/tests/gasample" --backend bpf --source powercap \
		--sysfs-root "$PLANT_ROOT" --interval-ms 100 \
		--records "$PLANT_DIR/records" $opts -- \
		"$@" >"$PLANT_DIR/out" 2>"$PLANT_DIR/gasample.err"
	local rc=$?
	plant_stop
	[ "$rc" -eq 0 ] || { cat "$PLANT_DIR/gasample.err" >&2; return 1; }
}

plant_truth() {
	awk -v c="$1" -v i="$PLANT_IDLE_MW" -v n="$(getconf _NPROCESSORS_ONLN)" \
		'$1 == c { printf "%.0f %s\n", $3 + i * $2 / n / 1e6, $2 }' \
		"$PLANT_DIR/plant"
}

plant_greenai() {
	awk -v id="$(stat -c %i "$1")" \
		'$1 == "cgroup" && $2 == id { printf "%.0f %s\n", $4 + $5, $3 }' \
		"$PLANT_DIR/out"
}
