#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# source=host: a VM guest's module takes its host's figures, fed through
# /proc/greenai/control ("host INDEX NAME ENERGY_UJ MAX_RANGE_UJ"). Each
# interval's energy is what was fed since the last close, to the µJ; what
# ran gets its share; a counter going back is a wrap within its range; an
# unfed domain gets nothing and is flagged stale. interval_ms=10000 keeps
# the timer's closes out of the way, and each check holds even if one
# comes: a feed is always followed by a flush, so a close takes a whole
# delta or nothing.
# The feeder: libgreenai in module mode (gasample) reads a FAKE host tree
# (tests/test_helper/host-tree.bash) and feeds the module at each sample.

setup() {
	load ../test_helper/kmod-setup
	_kmod_setup
	load ../test_helper/host-tree
}

teardown() {
	_kmod_teardown
}

F_WRAPPED=2
F_STALE=256

load_host() {
	insmod "$GREENAI_KO" source=host host_domains=package-0,dram-0 \
		interval_ms=10000 "$@"
}

# feed INDEX NAME ENERGY RANGE
feed() {
	echo "host $1 $2 $3 $4" >/proc/greenai/control
}

# energies RECORDS ID: domain ID's interval energies, in order, 0s left out
energies() {
	sort -k2,2n "$1" | awk -v d="$2" '$1 == "INTERVAL" && $3 == d && $7 { print $7 }' | xargs
}

# counters: each domain's name, range and energy
counters() {
	awk '!/^#/ { print $2, $8, $11 }' /proc/greenai/domains
}

# flags_of RECORDS ID: domain ID's interval flags, in order
flags_of() {
	sort -k2,2n "$1" | awk -v d="$2" '$1 == "INTERVAL" && $3 == d { print $4 }' | xargs
}

@test "source=host: the named domains over every CPU, measured by the host; refused without names" {
	run insmod "$GREENAI_KO" source=host
	assert_failure
	run insmod "$GREENAI_KO" source=model host_domains=package-0
	assert_failure
	run insmod "$GREENAI_KO" source=host host_domains=package-0,package-0
	assert_failure
	run insmod "$GREENAI_KO" source=host host_domains=package-0,
	assert_failure
	run insmod "$GREENAI_KO" source=host 'host_domains=a/b'
	assert_failure
	! grep -q '^greenai ' /proc/modules
	load_host
	run awk '!/^#/ { print $1, $2, $4, $5, $10 }' /proc/greenai/domains
	assert_output "0 package-0 host measured $(nproc)
1 dram-0 host measured $(nproc)"
	run $RING domain 0
	assert_success
}

@test "source=host: a domain the host estimates is flagged estimated; libgreenai feeds only a module loaded so" {
	run insmod "$GREENAI_KO" source=host host_domains=package-0:guessed
	assert_failure
	run insmod "$GREENAI_KO" source=host host_domains=package-0:
	assert_failure
	! grep -q '^greenai ' /proc/modules
	local root=$BATS_TEST_TMPDIR/root rec=$BATS_TEST_TMPDIR/rec
	guest_tree "$root"
	sed -i 's/^host:0 source=rapl measured$/host:0 source=model estimated/' \
		"$HOST/greenai-host"
	# loaded as measured: libgreenai names the parameter the tree asks for
	load_host
	run "$BIN/gasample" --backend module --sysfs-root "$root" -- true
	assert_success
	assert_line "source host skipped greenai.ko source=host not fed: its domain 0 is package-0, the host's tree's package-0:estimated (reload it with host_domains=package-0:estimated,dram-0)"
	rmmod greenai
	insmod "$GREENAI_KO" source=host \
		host_domains=package-0:estimated,dram-0:measured interval_ms=10000
	run awk '!/^#/ { print $2, $4, $5 }' /proc/greenai/domains
	assert_output "package-0 host estimated
dram-0 host measured"
	host_updates "$BIN/spin"
	run "$BIN/gasample" --backend module --sysfs-root "$root" --records "$rec" -- "${HOST_UPDATES[@]}"
	assert_success
	assert_line "provenance 0 estimated by the host"
	assert_line "provenance 1 measured by the host"
	# every interval of the estimated domain says so, none of the other
	run awk '$1 == "INTERVAL" { n[$3]++; if ($4 % 2) e[$3]++ }
		END { print n[0] == e[0], e[1] + 0 }' "$rec"
	assert_output "1 0"
}

@test "source=host: before a first feed no energy comes, flagged stale" {
	load_host
	local out=$BATS_TEST_TMPDIR/records
	$RING collect "$out" -- sh -c 'echo flush >/proc/greenai/control' >/dev/null
	assert_equal "$(energies "$out" 0)" ""
	assert_equal "$(energies "$out" 1)" ""
	local f
	for f in $(flags_of "$out" 0) $(flags_of "$out" 1); do
		assert [ $((f & F_STALE)) -ne 0 ]
	done
	run awk '!/^#/ { print $11 }' /proc/greenai/domains
	assert_output "0
0"
}

@test "source=host: each interval gets the fed deltas, a busy process its share, conserved to the uJ" {
	load_host idle=busy
	local g id out=$BATS_TEST_TMPDIR/records
	g=$(new_cgroup greenai-host)
	id=$(stat -c %i "$g")
	feed 0 package-0 1000 100000000
	feed 1 dram-0 7 100000000
	# the spin runs alone in the interval that gets 5 J of package-0
	$RING collect "$out" -- bash -c "
		echo flush >/proc/greenai/control
		$BIN/cgspawn $g taskset -c 0 $BIN/spin 0.5
		echo 'host 0 package-0 5001000 100000000' >/proc/greenai/control
		echo 'host 1 dram-0 300007 100000000' >/proc/greenai/control
		echo flush >/proc/greenai/control
		echo 'host 0 package-0 5001333 100000000' >/proc/greenai/control
		echo flush >/proc/greenai/control
		echo 'host 0 package-0 5101333 100000000' >/proc/greenai/control
		echo 'host 1 dram-0 300008 100000000' >/proc/greenai/control
		echo flush >/proc/greenai/control" >/dev/null
	assert_equal "$(energies "$out" 0)" "5000000 333 100000"
	assert_equal "$(energies "$out" 1)" "300000 1"
	run awk '!/^#/ { print $2, $11 }' /proc/greenai/domains
	assert_output "package-0 5100333
dram-0 300001"
	# the spin's share of package-0: the interval's 5 J by its run time
	# over all run time in the interval (idle=busy)
	local busy spin
	busy=$(sort -k2,2n "$out" | awk '$1 == "INTERVAL" && $3 == 0 && $7 == 5000000 { print $11 }')
	spin=$(awk -v c="$id" '$1 == "EXIT" && $5 == c {
		split($10, d, ","); split(d[1], e, "+"); print $6, e[1] + e[2] }' "$out")
	local f=($spin)
	[ "${#f[@]}" -eq 2 ] || fail "no spin exit in cgroup $id: $(grep EXIT "$out")"
	assert [ "${f[1]}" -gt 0 ]
	# the 5 J close is package-0's second record unless the timer closed
	# an interval while the spin ran: what ran before that got no energy
	# (nothing was fed), and the spin's share is then only below its whole
	local second
	second=$(sort -k2,2n "$out" | awk '$1 == "INTERVAL" && $3 == 0 { if (++n == 2) print $7 }')
	if [ "$second" -eq 5000000 ]; then
		within "${f[1]}" "$((5000000 * f[0] / busy))" 1 ||
			fail "spin ran ${f[0]} of $busy ns busy and got ${f[1]} of 5000000 uJ"
	else
		assert [ "${f[1]}" -le "$((5000000 * f[0] / busy + 1))" ]
	fi
	assert_conserved 2
}

@test "source=host: a counter going back is a wrap within its range; a new range starts again" {
	load_host
	local out=$BATS_TEST_TMPDIR/records
	feed 0 package-0 999000 1000000
	$RING collect "$out" -- bash -c "
		echo 'host 0 package-0 500 1000000' >/proc/greenai/control
		echo flush >/proc/greenai/control
		echo 'host 0 package-0 100 2000000' >/proc/greenai/control
		echo flush >/proc/greenai/control
		echo 'host 0 package-0 150 2000000' >/proc/greenai/control
		echo flush >/proc/greenai/control" >/dev/null
	assert_equal "$(energies "$out" 0)" "1500 50"
	local f
	f=$(sort -k2,2n "$out" | awk '$1 == "INTERVAL" && $3 == 0 && $7 == 1500 { print $4 }')
	assert [ $((f & F_WRAPPED)) -ne 0 ]
	f=$(sort -k2,2n "$out" | awk '$1 == "INTERVAL" && $3 == 0 && $7 == 50 { print $4 }')
	assert [ $((f & F_WRAPPED)) -eq 0 ]
	run awk '!/^#/ && $2 == "package-0" { print $8, $11 }' /proc/greenai/domains
	assert_output "2000000 1550"
}

@test "source=host: a counter that begins again (the host's agent restarted) is not a wrap" {
	load_host
	local out=$BATS_TEST_TMPDIR/records
	# a range of 1.1 MJ: going back from 5 J to 100 uJ as a wrap would be
	# more than 1 kW since the last feed
	feed 0 package-0 5000000 1099511627776
	$RING collect "$out" -- bash -c "
		echo 'host 0 package-0 100 1099511627776' >/proc/greenai/control
		echo flush >/proc/greenai/control
		echo 'host 0 package-0 350 1099511627776' >/proc/greenai/control
		echo flush >/proc/greenai/control" >/dev/null
	assert_equal "$(energies "$out" 0)" "250"
	run awk '!/^#/ && $2 == "package-0" { print $11 }' /proc/greenai/domains
	assert_output "250"
}

@test "source=host: a feed that stops is stale from the third interval without one" {
	load_host
	local out=$BATS_TEST_TMPDIR/records
	feed 0 package-0 0 1000000
	feed 1 dram-0 0 1000000
	# package-0 is fed 5 uJ, then nothing for four flushes, then 10 uJ;
	# dram-0 before each flush. A close of the timer among them is one
	# more close without a feed, which the check below counts too.
	$RING collect "$out" -- bash -c "
		echo 'host 0 package-0 5 1000000' >/proc/greenai/control
		for v in 1 2 3 4 5; do
			echo \"host 1 dram-0 \$v 1000000\" >/proc/greenai/control
			echo flush >/proc/greenai/control
		done
		echo 'host 0 package-0 15 1000000' >/proc/greenai/control
		echo 'host 1 dram-0 6 1000000' >/proc/greenai/control
		echo flush >/proc/greenai/control" >/dev/null
	assert_equal "$(energies "$out" 0)" "5 10"
	# package-0's records from the one that took the 5 uJ to the one that
	# took the 10: "k stale", k the closes in a row without a feed
	run bash -c "sort -k2,2n '$out' | awk '\$1 == \"INTERVAL\" && \$3 == 0 {
		if (\$7 == 5) k = 0; else if (\$7 == 10) { print 0, \$4; exit }
		else if (k != \"\") k++
		if (k != \"\") print k, \$4 }'"
	assert_success
	assert [ "${#lines[@]}" -ge 6 ]
	local l f
	for l in "${lines[@]}"; do
		f=($l)
		assert_equal "$(((f[1] & F_STALE) != 0))" "$((f[0] >= 3))"
	done
	# dram-0, fed before every flush, is never stale
	for f in $(sort -k2,2n "$out" | awk '$1 == "INTERVAL" && $3 == 1 && $7 { print $4 }'); do
		assert_equal "$((f & F_STALE))" 0
	done
}

@test "source=host: bad feeds are refused and change nothing" {
	load_host
	feed 0 package-0 1000 1000000
	local before bad
	# each domain's range and energy (its flags may change: the module's
	# own 10 s timer can close an interval on a slow machine)
	before=$(counters)
	for bad in "host" "host 0" "host 0 package-0" "host 0 package-0 1" \
		"host 0 package-0 1 2 3" "host 0 package-0 -1 10" \
		"host 0 package-0 +1 10" "host +0 package-0 1 10" \
		"host 0 package-0 11 10" "host 0 package-0 1 0" \
		"host 0 package-0 0x1 10" "host x package-0 1 10" \
		"host 0 package-0 1x 10" "host 0  package-0 1 10" \
		"host 0 package-0 1 10 " "host 99 package-0 1 10" \
		"host 0 package-0 18446744073709551616 18446744073709551617" \
		"host 0 package-0 1 $(head -c 120 /dev/zero | tr '\0' 9)"; do
		run bash -c 'printf "%s\n" "$1" > /proc/greenai/control' _ "$bad"
		assert_failure
		assert_output --partial "Invalid argument"
	done
	for bad in "host 2 package-0 1 10" "host 0 dram-0 1 10" \
		"host 1 package-0 1 10"; do
		run bash -c 'printf "%s\n" "$1" > /proc/greenai/control' _ "$bad"
		assert_failure
		assert_output --partial "No such file or directory"
	done
	assert_equal "$before" "$(counters)"
	# the baseline stands: the next good feed counts from it
	feed 0 package-0 1250 1000000
	flush
	run awk '!/^#/ && $2 == "package-0" { print $8, $11 }' /proc/greenai/domains
	assert_output "1000000 250"
}

@test "source=host: a host feed to another source is refused" {
	insmod "$GREENAI_KO" source=model
	run bash -c 'echo "host 0 package-0 1 10" > /proc/greenai/control'
	assert_failure
	assert_output --partial "No such device"
}

# guest_tree ROOT: the FAKE hand-over tree under ROOT (host_tree), a host
# that updates hourly (never stale here), and ROOT/sys the guest's own,
# for libgreenai's topology
guest_tree() {
	host_tree "$1"
	ln -s /sys "$1/sys"
	sed -i 's/^interval_ms .*/interval_ms 3600000/' "$HOST/greenai-host"
}

@test "source=host: libgreenai in module mode feeds the module from the host's tree (FAKE)" {
	load_host
	local root=$BATS_TEST_TMPDIR/root out=$BATS_TEST_TMPDIR/out rec=$BATS_TEST_TMPDIR/rec
	guest_tree "$root"
	# while a process spins, the host writes five updates as its agent
	# does: package-0 2 J each, dram-0 0.3 J each, wrapping at the first;
	# libgreenai feeds at open and at each sample, the last after them
	host_updates "$BIN/spin"
	run "$BIN/gasample" --backend module --sysfs-root "$root" --records "$rec" -- "${HOST_UPDATES[@]}"
	assert_success
	echo "$output" >"$out"
	assert_line "backend module"
	assert_line --regexp "^source host used"
	# every uJ the host handed over since the open, the wrap undone
	run awk '!/^#/ { print $2, $4, $5, $8, $11 }' /proc/greenai/domains
	assert_output "package-0 host measured 262143328850 10000000
dram-0 host measured $HOST_RANGE 1500000"
	local f
	f=$(awk '!/^#/ && $2 == "dram-0" { print $15 }' /proc/greenai/domains)
	assert_equal $((f & F_WRAPPED)) "$F_WRAPPED"
	# the interval records carry it too, and the spin got its share
	run awk '$1 == "INTERVAL" && $3 == 0 { e += $7 } END { print e }' "$rec"
	assert_output 10000000
	run awk '$1 == "EXIT" && $9 == "spin" { split($10, d, ","); split(d[1], p, "+"); print (p[1] > 0) }' "$rec"
	assert_output "1"
	assert_conserved 2
}

@test "source=host: libgreenai does not feed a module whose domains are not the tree's, and says so" {
	insmod "$GREENAI_KO" source=host host_domains=package-0,psys interval_ms=10000
	local root=$BATS_TEST_TMPDIR/root
	guest_tree "$root"
	run "$BIN/gasample" --backend module --sysfs-root "$root" -- true
	assert_success
	assert_line --regexp "^source host skipped greenai.ko source=host not fed: its domain 1 is psys, the host's tree's dram-0 \(reload it with host_domains=package-0,dram-0\)$"
	run awk '!/^#/ { print $11 }' /proc/greenai/domains
	assert_output "0
0"
}
