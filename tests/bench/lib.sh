# SPDX-License-Identifier: GPL-2.0
#
# What the benchmark scripts share. Sourced.

# median N...: the median of the numbers given.
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread N...: (max - min) / median of the numbers, in %.
spread() {
	local m
	m=$(median "$@")
	printf '%s\n' "$@" | sort -n | awk -v m="$m" '{ v[NR] = $1 }
		END { printf "%.1f\n", m ? 100 * (v[NR] - v[1]) / m : 0 }'
}

# range N...: "min..max" of the numbers.
range() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%s..%s\n", v[1], v[NR] }'
}

# verdict VALUE OP BOUND: "ok" when VALUE OP BOUND holds (OP: <= or >=),
# else WORD (default "over").
verdict() {
	awk -v v="$1" -v op="$2" -v b="$3" -v w="${4:-over}" 'BEGIN {
		ok = op == "<=" ? v + 0 <= b + 0 : v + 0 >= b + 0
		print ok ? "ok" : w }'
}

# remove_containers: kill what runs in the bench's docker-shaped cgroups
# ($base/docker-$mark*.scope), then remove them
remove_containers() {
	local d
	for d in "$base"/docker-"$mark"*.scope; do
		[ -d "$d" ] || continue
		echo 1 >"$d/cgroup.kill"
	done
	for d in "$base"/docker-"$mark"*.scope; do
		[ -d "$d" ] || continue
		until grep -q '^populated 0$' "$d/cgroup.events"; do sleep 0.05; done
		rmdir "$d"
	done
}
