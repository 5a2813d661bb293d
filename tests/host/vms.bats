#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Virtual machines as workloads on the host's BPF backend (docs/vms.md):
# processes that look like VMMs by their command line (a busy Python
# exec'd with QEMU's argv[0] and -name, Firecracker's --id), and a
# libvirt domain's scope made as a cgroup, with processes in its vcpu0
# and emulator sub-cgroups. The exporter's greenai_vm_* figures are
# checked against its per-process ones in the same scrape, to the µJ;
# the hand-over tree of --vm-share-dir against its contract; greenai stat
# and gtop list the VMs. Runs as root.

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/cgroups
	load ../test_helper/exporter
	load ../test_helper/poll
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
	EXPORTER=$TOP/build/greenai-exporter
	GREENAI=$TOP/build/greenai
	GTOP=$TOP/build/gtop
	[ -x "$EXPORTER" ] || fail "no $EXPORTER: make tools"
	_cgroups_setup
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	T=$BATS_TEST_TMPDIR
	PIDS=()
	SHARE=$T/share
	mkdir -m 0755 "$SHARE"
	chmod 0755 "$T"
}

teardown() {
	end_pids KILL
	_cgroups_teardown
}

# VM names end in the test's pid: other runs, and other VMs, may be here.
SFX=$(printf '%08x' $$)

# argv0_is PID WORD: the process's argv[0] is WORD (its exec is done)
argv0_is() {
	[ "$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -n 1)" = "$2" ]
}

# vmm ARGV0 ARGS...: a busy loop exec'd with a VMM's command line, in
# the background (as the user in $AS, if set); VMM_PID once it is exec'd
vmm() {
	local argv0=$1
	shift
	if [ -n "${AS:-}" ]; then
		setpriv --reuid="$AS" --regid="$AS" --clear-groups -- \
			bash -c 'exec -a "$0" /usr/bin/python3 -c "while 1: pass" "$@"' \
			"$argv0" "$@" &
	else
		bash -c 'exec -a "$0" /usr/bin/python3 -c "while 1: pass" "$@"' \
			"$argv0" "$@" &
	fi
	VMM_PID=$!
	PIDS+=("$VMM_PID")
	poll_until 30 argv0_is "$VMM_PID" "$argv0"
}

scrape() {
	curl -fsS "http://127.0.0.1:$PORT/metrics"
}

# has_vm NAME: the last scrape ($output) has NAME's energy, above zero
has_vm() {
	output=$(scrape) &&
		awk -v re="vm=\"$1\"" '/^greenai_vm_joules_total\{/ && $0 ~ re && $NF > 0 { n++ }
			END { exit !n }' <<<"$output"
}

# has_vm_procs NAME PID...: has_vm NAME, in a scrape where every PID has
# figures ($output)
has_vm_procs() {
	local name=$1 z
	shift
	has_vm "$name" || return 1
	for z in $(zones); do
		procs_uj "$z" "$@" >/dev/null || return 1
	done
}

# vm_uj NAME ZONE: greenai_vm_joules_total of NAME in ZONE, µJ, from $output
vm_uj() {
	awk -v vm="vm=\"$1\"" -v z="zone=\"$2\"" '
		/^greenai_vm_joules_total\{/ && index($0, vm) && index($0, z) {
			v = $NF; sub(/\./, "", v); print v + 0; n++ }
		END { exit n != 1 }' <<<"$output"
}

# procs_uj ZONE PID...: the processes' greenai_process_joules_total in
# ZONE, summed, µJ, from $output (each must be there)
procs_uj() {
	local zone=$1
	shift
	awk -v z="zone=\"$zone\"" -v pids="$*" '
		BEGIN { n = split(pids, p, " "); for (i = 1; i <= n; i++) want["pid=\"" p[i] "\""] = 1 }
		/^greenai_process_joules_total\{/ && index($0, z) {
			for (k in want) if (index($0, k)) { v = $NF; sub(/\./, "", v); s += v; seen[k] = 1 } }
		END { for (k in want) if (!(k in seen)) exit 1; printf "%d\n", s }' <<<"$output"
}

# assert_vm_is_procs NAME PID...: in every zone, NAME's energy in the
# last scrape ($output) is its processes' summed, to the µJ
assert_vm_is_procs() {
	local name=$1 z vm p
	shift
	[ -n "$(zones)" ] || fail "no zones in: $output"
	for z in $(zones); do
		vm=$(vm_uj "$name" "$z") || fail "no $name in $z"
		p=$(procs_uj "$z" "$@") || fail "not every one of $* in $z"
		[ "$vm" -eq "$p" ] || fail "$z: VM $vm µJ, its processes $p µJ"
	done
}

# zones: the zones of the node, from $output
zones() {
	sed -n 's/^greenai_node_joules_total{.*zone="\([^"]*\)".*/\1/p' <<<"$output" | sort -u
}

# tree_value NAME FILE: a file of NAME's tree
tree_value() {
	cat "$SHARE/$1/$2"
}

# host_key NAME KEY: the value of KEY in NAME's greenai-host
host_key() {
	awk -v k="$2" '$1 == k { print $2 }' "$SHARE/$1/greenai-host"
}

# seq_above NAME N: NAME's tree is at seq N + 1 or later
seq_above() {
	[ -f "$SHARE/$1/greenai-host" ] && [ "$(host_key "$1" seq)" -gt "$2" ]
}

log_has() {
	grep -qF -- "$1" "$T/exporter.log"
}

@test "vms: a QEMU process is a VM: its greenai_vm figures are its process's, to the µJ" {
	local name=ga-vm-$SFX vm p
	vmm qemu-system-x86_64 -name "guest=$name,debug-threads=on" -S
	exporter_start -i 0.5 --per-process 10000 --no-ledger
	poll_until 60 has_vm "$name"
	output=$(scrape)
	grep -q "^greenai_vm_joules_total{node_name=\"[^\"]*\",owner=\"\",vm=\"$name\",vmm=\"qemu\",zone=" <<<"$output" ||
		fail "no labelled series: $(grep "$name" <<<"$output")"
	assert_vm_is_procs "$name" "$VMM_PID"
	# CPU time too, and the terminated family is there
	vm=$(awk -v re="vm=\"$name\"" '/^greenai_vm_cpu_seconds_total\{/ && $0 ~ re { print $NF }' <<<"$output")
	p=$(awk -v re="pid=\"$VMM_PID\"" '/^greenai_process_cpu_seconds_total\{/ && $0 ~ re { print $NF }' <<<"$output")
	[ -n "$vm" ] && [ "$vm" = "$p" ] || fail "CPU: VM $vm s, process $p s"
	grep -q '^greenai_terminated_vms_total{' <<<"$output"
	run promtool check metrics <<<"$output"
	refute_output --partial "greenai_vm"
}

# dropped: the last scrape ($output) counts a series dropped
dropped() {
	output=$(scrape) &&
		awk '$1 == "greenai_exporter_series_dropped_total" && $NF >= 1 { n++ } END { exit !n }' <<<"$output"
}

# vm_gone NAME: the last scrape has no series of NAME, and a VM ended
vm_gone() {
	output=$(scrape) &&
		! grep -q "vm=\"$1\"" <<<"$output" &&
		awk '$1 ~ /^greenai_terminated_vms_total/ && $NF >= 1 { n++ } END { exit !n }' <<<"$output"
}

# qemu_poked NAME SOCKET PID: QEMU's monitor asked something (it runs a
# little), then has_vm_procs NAME PID
qemu_poked() {
	/usr/bin/python3 - "$2" <<-'PY' || return 1
		import socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(5)
		s.connect(sys.argv[1])
		s.sendall(b"info status\n")
		s.recv(4096)
		s.close()
	PY
	has_vm_procs "$1" "$3"
}

@test "vms: a real QEMU (no machine, stopped) is a VM named by its -name guest=" {
	local name=ga-qemu-$SFX
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	qemu-system-x86_64 -name "guest=$name,debug-threads=on" -machine none \
		-nodefaults -display none -S \
		-monitor "unix:$T/mon,server=on,wait=off" &
	VMM_PID=$!
	PIDS+=("$VMM_PID")
	poll_until 30 argv0_is "$VMM_PID" qemu-system-x86_64
	poll_until 30 test -S "$T/mon"
	# met as QEMU from its first sample on: its figures all the VM's
	exporter_start -i 0.5 --per-process 10000 --no-ledger
	poll_until 60 qemu_poked "$name" "$T/mon" "$VMM_PID"
	grep -q "owner=\"\",vm=\"$name\",vmm=\"qemu\"" <<<"$output" ||
		fail "not QEMU's: $(grep "$name" <<<"$output")"
	assert_vm_is_procs "$name" "$VMM_PID"
}

@test "vms: VMs are bounded by --max-series, and one that ends is folded after --keep-ended" {
	local a=ga-max-a-$SFX b=ga-max-b-$SFX pa n
	vmm qemu-system-x86_64 -name "guest=$a"
	pa=$VMM_PID
	vmm qemu-system-x86_64 -name "guest=$b"
	exporter_start -i 0.5 --no-ledger --max-series 1 --keep-ended 1
	# both met: one is a series, the other dropped (the node's only)
	poll_until 60 dropped
	n=$(sed -n 's/^greenai_vm_cpu_seconds_total{.*vm="\([^"]*\)".*/\1/p' <<<"$output" | sort -u | wc -l)
	[ "$n" -eq 1 ] || fail "$n VMs as series with --max-series 1"
	kill -TERM "$EXPORTER_PID"
	wait "$EXPORTER_PID" || true
	# one VM in the series: it ends, and is folded
	rm -f "$T/state"
	exporter_start -i 0.5 --no-ledger --keep-ended 1
	poll_until 60 has_vm "$a"
	kill -KILL "$pa"
	poll_until 60 vm_gone "$a"
}

@test "vms: a libvirt domain's scope is a VM: its processes in vcpu0 and emulator, summed" {
	local name=ga-lv-$SFX scope a b
	scope=$(new_cgroup 'machine.slice/machine-qemu\x2d7\x2dga\x2dlv\x2d'"$SFX"'.scope')
	new_cgroup "${scope#"$CG"/}/libvirt" >/dev/null
	new_cgroup "${scope#"$CG"/}/libvirt/vcpu0" >/dev/null
	new_cgroup "${scope#"$CG"/}/libvirt/emulator" >/dev/null
	bash -c 'echo $$ >"$1/cgroup.procs" && exec -a busy-vcpu /usr/bin/python3 -c "while 1: pass"' \
		_ "$scope/libvirt/vcpu0" &
	a=$!
	bash -c 'echo $$ >"$1/cgroup.procs" && exec -a busy-emulator /usr/bin/python3 -c "while 1: pass"' \
		_ "$scope/libvirt/emulator" &
	b=$!
	PIDS+=("$a" "$b")
	poll_until 30 argv0_is "$a" busy-vcpu
	poll_until 30 argv0_is "$b" busy-emulator
	exporter_start -i 0.5 --per-process 10000 --no-ledger
	# a scrape in which both processes have run
	poll_until 60 has_vm_procs "$name" "$a" "$b"
	grep -q "vm=\"$name\",vmm=\"libvirt\"" <<<"$output" ||
		fail "not a libvirt VM: $(grep "$name" <<<"$output")"
	assert_vm_is_procs "$name" "$a" "$b"
}

@test "vms: the hand-over tree: its format, counters and seq rising, files 0644" {
	local name=ga-tree-$SFX s0 e0 f dom
	mkdir -m 0755 "$SHARE/$name"
	vmm qemu-system-x86_64 -name "guest=$name"
	exporter_start -i 1 --no-ledger --vm-share-dir "$SHARE"
	poll_until 60 seq_above "$name" 0
	run cat "$SHARE/$name/greenai-host"
	assert_line --index 0 "version 1"
	assert_line --index 1 "vm $name"
	assert_line --index 2 "interval_ms 1000"
	assert_line --index 3 --regexp '^seq [1-9][0-9]*$'
	assert_line --index 4 --regexp '^idle_policy (capacity|busy|none)$'
	assert_line --index 5 --regexp '^host:0 source=(rapl|powercap|perf|hwmon|nvml|drm|model) (measured|estimated)$'
	output=$(scrape)
	# each domain of the tree is one of the host's, in the host's order
	for dom in "$SHARE/$name"/host:*; do
		grep -qx "$(cat "$dom/name")" <(zones) ||
			fail "$dom/name: $(cat "$dom/name") is no zone of the host"
		[ "$(cat "$dom/max_energy_range_uj")" = 1099511627776 ]
		grep -Eqx '[0-9]+' "$dom/energy_uj"
	done
	[ "$(ls -d "$SHARE/$name"/host:* | wc -l)" -eq "$(zones | wc -l)" ]
	# files 0644, directories 0755, the agent's; nothing half-written left
	for f in $(find "$SHARE/$name" -mindepth 1 -type f); do
		[ "$(stat -c %a "$f")" = 644 ] || fail "$f: mode $(stat -c %a "$f")"
	done
	for f in "$SHARE/$name"/host:*; do
		[ "$(stat -c %a:%u "$f")" = 755:0 ] || fail "$f: $(stat -c %a:%u "$f")"
	done
	[ -z "$(find "$SHARE/$name" -name '*.??????')" ] ||
		fail "temporary files left: $(find "$SHARE/$name" -name '*.??????')"
	# rising: seq every update, the busy VM's energy with it
	s0=$(host_key "$name" seq)
	e0=$(cat "$SHARE/$name/host:0/energy_uj")
	poll_until 60 seq_above "$name" "$((s0 + 2))"
	[ "$(cat "$SHARE/$name/host:0/energy_uj")" -gt "$e0" ] ||
		fail "energy_uj did not rise: $e0, then $(cat "$SHARE/$name/host:0/energy_uj")"
	# the tree began with the exporter: at most what the VM used since
	output=$(scrape)
	[ "$(cat "$SHARE/$name/host:0/energy_uj")" -le "$(vm_uj "$name" "$(cat "$SHARE/$name/host:0/name")")" ]
}

@test "vms: a foreign-owned, a missing directory, a bad name and two VMs of one name get nothing" {
	local good=ga-good-$SFX foreign=ga-foreign-$SFX missing=ga-missing-$SFX
	local dup=ga-dup-$SFX s0
	mkdir -m 0755 "$SHARE/$good" "$SHARE/$foreign" "$SHARE/$dup"
	chown 65534:65534 "$SHARE/$foreign"
	vmm qemu-system-x86_64 -name "guest=$good"
	vmm qemu-system-x86_64 -name "guest=$foreign"
	vmm firecracker --id "$missing"
	vmm qemu-system-x86_64 -name "guest=../ga-bad-$SFX"
	vmm qemu-system-x86_64 -name "guest=$dup"
	vmm firecracker --id="$dup"
	exporter_start -i 1 --no-ledger --vm-share-dir "$SHARE"
	poll_until 60 seq_above "$good" 0
	poll_until 60 log_has "$SHARE/$foreign is owned by uid 65534, not by uid 0"
	poll_until 60 log_has "no directory $SHARE/$missing: nothing written for VM $missing (firecracker"
	poll_until 60 log_has "VM '../ga-bad-$SFX' (qemu, pid"
	poll_until 60 log_has "two VMs are named $dup"
	# what the first of them was given before the second was met goes;
	# two more updates after all was said: still nothing written
	rm -rf "${SHARE:?}/$dup"/*
	s0=$(host_key "$good" seq)
	poll_until 60 seq_above "$good" "$((s0 + 2))"
	[ -z "$(ls -A "$SHARE/$foreign")" ] || fail "written: $(ls -A "$SHARE/$foreign")"
	[ -z "$(ls -A "$SHARE/$dup")" ] || fail "written: $(ls -A "$SHARE/$dup")"
	[ ! -e "$SHARE/$missing" ] && [ ! -e "$T/ga-bad-$SFX" ] && [ ! -e "$SHARE/ga-bad-$SFX" ]
	# each is said once, not at every update
	[ "$(grep -c "two VMs are named $dup" "$T/exporter.log")" -le 2 ]
	[ "$(grep -c "$SHARE/$foreign is owned by" "$T/exporter.log")" -eq 1 ]
}

@test "vms: a user's VM: its own directory gets the tree, a link planted in it is not followed" {
	local name=ga-user-$SFX linked=ga-link-$SFX
	mkdir -m 0755 "$SHARE/$name" "$SHARE/$linked" "$T/target"
	chown 65534:65534 "$SHARE/$name" "$SHARE/$linked"
	# the user plants host:0 as a link to a directory of root's
	ln -s "$T/target" "$SHARE/$linked/host:0"
	AS=65534 vmm qemu-system-x86_64 -name "guest=$name"
	AS=65534 vmm qemu-system-x86_64 -name "guest=$linked"
	exporter_start -i 1 --no-ledger --vm-share-dir "$SHARE"
	poll_until 60 seq_above "$name" 0
	[ "$(stat -c %u "$SHARE/$name/greenai-host")" = 0 ]
	poll_until 60 log_has "$SHARE/$linked/host:0: not the agent's directory"
	[ -z "$(ls -A "$T/target")" ] || fail "written through the link: $(ls -A "$T/target")"
	[ ! -e "$SHARE/$linked/greenai-host" ]
	output=$(scrape)
	grep -q "owner=\"uid:65534\",vm=\"$name\",vmm=\"qemu\"" <<<"$output" ||
		fail "not the user's: $(grep "$name" <<<"$output")"
}

@test "vms: --vm-share-dir refuses a directory that is not root's alone, or not there, and sampling under a second" {
	mkdir -m 0777 "$T/open"
	run "$EXPORTER" --vm-share-dir "$T/open" --listen none --agent-socket "$T/s"
	[ "$status" -eq 2 ]
	assert_output --partial "$T/open must be root's and writable by root only"
	run "$EXPORTER" --vm-share-dir "$T/nowhere"
	[ "$status" -eq 2 ]
	assert_output --partial "$T/nowhere: No such file or directory"
	# no finer than the agent: a second
	run "$EXPORTER" --vm-share-dir "$SHARE" -i 0.5
	[ "$status" -eq 2 ]
	assert_output --partial "--vm-share-dir needs an --interval of 1 s or more"
	[ ! -e "$T/s" ] && [ ! -e "$T/nowhere" ]
}

@test "vms: through the agent, a user sees the VMs of their own VMMs, not root's" {
	local mine=ga-mine-$SFX roots=ga-root-$SFX d=$T
	# the user reaches the test's directory, and the program in it
	while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ] && [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	mkdir -m 755 "$T/bin" "$T/agent"
	cp "$GREENAI" "$T/bin/"
	AS=65534 vmm qemu-system-x86_64 -name "guest=$mine"
	vmm qemu-system-x86_64 -name "guest=$roots"
	"$EXPORTER" --listen none --agent-socket "$T/agent/sock" -i 1 \
		--no-ledger --state "$T/state" 2>>"$T/exporter.log" 3>&- &
	PIDS+=("$!")
	poll_until 60 test -S "$T/agent/sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		env GREENAI_AGENT_SOCKET="$T/agent/sock" "$T/bin/greenai" stat --vms 3
	assert_success
	assert_line --regexp "^$mine +qemu +[0-9]+ +65534 +[0-9]+\.[0-9]{6} "
	refute_output --partial "$roots"
	run setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		env GREENAI_AGENT_SOCKET="$T/agent/sock" "$T/bin/greenai" stat -V "$roots" 2
	refute_line --regexp "^vm $roots \(qemu"
}

@test "vms: greenai stat -V and --vms, and gtop's VM view, show the VM" {
	local name=ga-stat-$SFX
	vmm qemu-system-x86_64 -name "guest=$name"
	run "$GREENAI" stat -V "$name" 1
	assert_success
	assert_line --index 1 "vm $name (qemu, pid $VMM_PID): its processes"
	assert_line --regexp '^ +[0-9]+\.[0-9]{6} J  [a-z]+-?[0-9]* +\(active [0-9]+\.[0-9]{6} J\)'
	assert_line --regexp '^ +[0-9]+\.[0-9]{3} s  CPU time$'
	refute_line --regexp '^ +0\.000 s  CPU time$'
	assert_line --regexp '^  idle policy '
	run "$GREENAI" stat --vms 1
	assert_success
	assert_line --regexp "^$name +qemu +$VMM_PID +0 +[0-9]+\.[0-9]{6} "
	run "$GTOP" -b -n 2 -d 0.5 --view vm
	assert_success
	assert_line --partial "$name (qemu, pid $VMM_PID)"
	run "$GREENAI" stat -V "" 1
	[ "$status" -eq 2 ]
	run "$GREENAI" stat -V "$name" --vms 1
	[ "$status" -eq 2 ]
}
