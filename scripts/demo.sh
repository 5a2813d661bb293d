#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: what greenai can show today. Builds libgreenai, then boots
# Debian's kernel ($GREENAI_DEMO_KERNEL, default 6.12) in a QEMU guest,
# loads greenai.ko there and shows what it reports (scripts/demo-guest.sh).
# The ML training demo comes with the greenai CLI.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make --no-print-directory tools
echo "== booting Debian ${GREENAI_DEMO_KERNEL:-6.12} in QEMU to load greenai.ko"
tests/vm/run.sh --demo "${GREENAI_DEMO_KERNEL:-6.12}"
