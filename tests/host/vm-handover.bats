#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Measured energy inside VMs, end to end (docs/vms.md): the host's
# exporter recognises two QEMU guests of the VM rig (tests/vm/run.sh
# --name) as VMs and keeps each one's hand-over tree in the directory the
# guest is given (--share); greenai in each guest (tests/vm/guest-
# handover.sh) reads its tree: in one, libgreenai's BPF backend as the
# `host` source; in the other, greenai.ko loaded with source=host, fed
# from the tree by libgreenai. The host holds the trees still (SIGSTOP to the exporter) at
# both ends of a window, so both sides count the same window by
# construction. Runs as root; the guests boot Debian's 6.12 kernel under
# TCG, about two minutes.

setup() {
	load ../test_helper/common-setup
	_common_setup
	load ../test_helper/exporter
	load ../test_helper/poll
	load ../test_helper/gasample
	load ../test_helper/cgroups
	[ "$(id -u)" -eq 0 ] || skip "the exporter needs root here (BPF)"
	EXPORTER=$TOP/build/greenai-exporter
	[ -x "$EXPORTER" ] || fail "no $EXPORTER: make tools"
	unset GREENAI_REGION GREENAI_CONFIG
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	T=$BATS_TEST_TMPDIR
	PIDS=()
	SHARE=$T/share
	mkdir -m 0755 "$SHARE"
	chmod 0755 "$T"
	REL=$("$TOP/tests/vm/kernel.sh" fetch 6.12 2>"$T/fetch.log") ||
		fail "kernel 6.12 not fetched: $(cat "$T/fetch.log")"
}

teardown() {
	[ -z "${EXPORTER_PID:-}" ] || kill -CONT "$EXPORTER_PID" 2>/dev/null
	end_pids KILL
}

# The VMs' names: fixed, so that their artefacts (build/vm/RELEASE-NAME)
# are reused from run to run.
A=ga-handover-a
B=ga-handover-b

results() {
	echo "$TOP/build/vm/$REL-$1/results"
}

# both FILE: each guest has FILE in its results share
both() {
	[ -e "$(results $A)/$1" ] && [ -e "$(results $B)/$1" ]
}

# tell FILE: the host's step, to both guests
tell() {
	touch "$(results $A)/$1" "$(results $B)/$1"
}

# seq_of VM: the tree's update count
seq_of() {
	awk '$1 == "seq" { print $2 }' "$SHARE/$1/greenai-host" 2>/dev/null
}

seq_above() {
	local s
	s=$(seq_of "$1")
	[ -n "$s" ] && [ "$s" -gt "$2" ]
}

# tree VM: "NAME ENERGY_UJ RANGE" of each of its domains
tree() {
	local d
	for d in "$SHARE/$1"/host:*; do
		echo "$(cat "$d/name") $(cat "$d/energy_uj") $(cat "$d/max_energy_range_uj")"
	done
}

# guest VM LOAD BACKEND: boot the VM rig's guest as VM, with LOAD busy
# processes and greenai on BACKEND (bpf, or module: greenai.ko with
# source=host), in the background
guest() {
	GREENAI_GUEST_LOAD=$2 GREENAI_GUEST_BACKEND=$3 \
		"$TOP/tests/vm/run.sh" --name "$1" \
		--share "$SHARE/$1" --exec "$TOP/tests/vm/guest-handover.sh" 6.12 \
		>"$T/$1.tap" 2>&1 3>&- &
	PIDS+=($!)
}

@test "in two VMs, greenai (BPF, and the module) measures each with its own figures from the host: the host's over the same window, split with exact conservation" {
	local a b rc vm name e0 e1 r d got
	mkdir -m 0755 "$SHARE/$A" "$SHARE/$B"
	exporter_start -i 1 --no-ledger --vm-share-dir "$SHARE"
	rm -rf "$(results $A)" "$(results $B)"
	guest $A 2 bpf
	a=$!
	guest $B 0 module
	b=$!
	poll_until 1500 both ready
	# the window opens: both trees stand still while the guests read them
	kill -STOP "$EXPORTER_PID"
	tree $A >"$T/$A.e0"
	tree $B >"$T/$B.e0"
	tell frozen
	poll_until 600 both sampling
	kill -CONT "$EXPORTER_PID"
	poll_until 1200 both loaded
	# two more updates of each tree after the loads, then it closes
	poll_until 60 seq_above $A "$(($(seq_of $A) + 2))"
	poll_until 60 seq_above $B "$(($(seq_of $B) + 2))"
	kill -STOP "$EXPORTER_PID"
	tree $A >"$T/$A.e1"
	tree $B >"$T/$B.e1"
	tell end
	rc=0
	wait "$a" || rc=1
	wait "$b" || rc=1
	kill -CONT "$EXPORTER_PID"
	[ "$rc" -eq 0 ] || fail "a guest failed: $(cat "$T/$A.tap" "$T/$B.tap" \
		"$(results $A)"/gasample.err "$(results $B)"/gasample.err 2>/dev/null)"
	for vm in $A $B; do
		r=$(results $vm)
		assert_equal "$(cat "$r/gasample.rc")" 0
		# every host domain, in the guest with the host's name, measured
		# by the host, and its energy the tree's over the window
		while read -r name e0 range; do
			e1=$(awk -v n="$name" '$1 == n { print $2 }' "$T/$vm.e1")
			d=$(((e1 - e0 + range) % range))
			got=$(awk -v n="$name" '$1 == "domain" && $3 == n { print $4 }' "$r/gasample.out")
			[ -n "$got" ] || fail "$vm: no domain $name in the guest: $(cat "$r/gasample.out")"
			echo "$vm $name host $d guest $got" >>"$T/figures"
			# within 1 %, as the host's figure; exact, as the window is
			within "$got" "$d" 1 || fail "$vm $name: guest $got µJ, host $d µJ"
			assert_equal "$got" "$d"
		done <"$T/$vm.e0"
		run grep -c "^provenance .* by the host" "$r/gasample.out"
		assert [ "$output" -ge 1 ]
		assert_conserved_bpf "$r/gasample.out" "$r/records"
	done
	# each VM its own figure: over the same window, the busy guest's
	# energy (all domains) is well above the idle one's
	run awk -v a=$A -v b=$B '$1 == a { ea += $4 } $1 == b { eb += $4 }
		END { print (ea > 1.5 * eb) ? "apart" : ea " vs " eb }' "$T/figures"
	assert_output apart
}
