# SPDX-License-Identifier: GPL-2.0
#
# What the suites that read gasample's output share (tests/host/helpers/
# gasample.c): its "domain" and "task" lines, and its --records file.

# Σ processes (alive, and exited through their records) + the node's idle
# + unattributed == the energy of the domains, to the µJ; and each
# interval's active + idle == its energy.
assert_conserved_bpf() {
	local out=$1 rec=$2
	run awk '
		FNR == NR && $1 == "domain" { e += $4; u += $7 + $9 }
		FNR == NR && $1 == "task" { t += $5 + $6 }
		FNR != NR && $1 == "EXIT" { x += $7 + $8 }
		FNR != NR && $1 == "INTERVAL" && $7 != $8 + $9 { bad++ }
		END {
			if (x + t + u != e)
				printf "%d exited + %d alive + %d node idle and unattributed != %d\n", x, t, u, e
			if (bad) print bad " intervals with active + idle != energy"
		}' "$out" "$rec"
	assert_output ""
}
