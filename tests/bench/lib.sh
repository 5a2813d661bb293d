# SPDX-License-Identifier: GPL-2.0
#
# What the benchmark scripts share. Sourced.

# median N...: the median of the numbers given.
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
