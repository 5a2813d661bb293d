# SPDX-License-Identifier: GPL-2.0
#
# What the suites that make cgroups share (tests/host, tests/kmod): the
# cgroup2 mount, cgroups made for one test and removed after it, and a
# relative comparison of figures.

# _cgroups_setup: CG, the cgroup2 mount; no cgroup made yet.
_cgroups_setup() {
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	[ -n "$CG" ] || fail "no cgroup2 mount"
	TEST_CGROUPS=()
}

# new_cgroup NAME: create $CG/NAME for this test, print its path.
new_cgroup() {
	local c=$CG/$1
	mkdir "$c"
	TEST_CGROUPS+=("$c")
	echo "$c"
}

# _cgroups_teardown: kill what runs in this test's cgroups, remove them.
_cgroups_teardown() {
	local c
	for c in "${TEST_CGROUPS[@]}"; do
		[ -d "$c" ] || continue
		echo 1 >"$c/cgroup.kill"
		# cgroup.kill is asynchronous: wait until the cgroup is empty
		for _ in $(seq 200); do
			grep -q '^populated 0$' "$c/cgroup.events" && break
			sleep 0.05
		done
		rmdir "$c"
	done
}

# within A B PCT: |A/B - 1| <= PCT %
within() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN {
		r = a / b - 1; if (r < 0) r = -r; exit !(r <= p / 100) }'
}
