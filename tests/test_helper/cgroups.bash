# SPDX-License-Identifier: GPL-2.0
#
# What the suites that make cgroups share (tests/host, tests/kmod): the
# cgroup2 mount, cgroups made for one test and removed after it, and a
# relative comparison of figures.

# The cgroups a test made are listed in a file, not a variable: new_cgroup
# is called as $(new_cgroup NAME), in a subshell, where a variable set is
# lost (and with it the teardown of its cgroup, and whatever still ran in
# it, into the next test).

# _cgroups_setup: CG, the cgroup2 mount; no cgroup made yet.
_cgroups_setup() {
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	[ -n "$CG" ] || fail "no cgroup2 mount"
	TEST_CGROUPS=$BATS_TEST_TMPDIR/.cgroups
	: >"$TEST_CGROUPS"
}

# new_cgroup PATH: create $CG/PATH (which must not be there yet) and the
# parents it lacks, for this test; print its path.
new_cgroup() {
	local p=$CG part n=0
	IFS=/ read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		p=$p/$part
		n=$((n + 1))
		[ "$n" -lt "${#parts[@]}" ] && [ -d "$p" ] && continue
		mkdir "$p"
		echo "$p" >>"$TEST_CGROUPS"
	done
	echo "$p"
}

# remove_cgroup DIR: kill what runs in cgroup DIR, then remove it.
remove_cgroup() {
	local deadline=$((SECONDS + 60))
	echo 1 >"$1/cgroup.kill"
	# cgroup.kill is asynchronous: wait (60 s at most) until it is empty
	until grep -q '^populated 0$' "$1/cgroup.events"; do
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	rmdir "$1"
}

# _cgroups_teardown: remove this test's cgroups that are left, the last
# made (the deepest) first.
_cgroups_teardown() {
	local c
	[ -f "${TEST_CGROUPS:-}" ] || return 0
	tac "$TEST_CGROUPS" | while read -r c; do
		[ -d "$c" ] || continue
		remove_cgroup "$c"
	done
}

# within A B PCT: |A/B - 1| <= PCT %
within() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN {
		r = a / b - 1; if (r < 0) r = -r; exit !(r <= p / 100) }'
}
