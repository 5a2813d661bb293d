#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the cost of greenai.ko per context switch, measured in the
# VM rig's guest (tests/vm/run.sh) on $GREENAI_BENCH_KERNEL (default 6.12).
# Reproduce with: make bench. Figures from a TCG guest show the module's
# cost relative to an emulated switch, not what real hardware would see.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
make --no-print-directory -C "$top" test-helpers >/dev/null
exec "$top/tests/vm/run.sh" --exec "$top/tests/bench/ctxswitch-guest.sh" \
	"${GREENAI_BENCH_KERNEL:-6.12}"
