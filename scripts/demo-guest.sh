#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of make demo (run by tests/vm/guest-run.sh, as root, with
# GREENAI_KO set): load the module, show what it reports, unload it.
set -euo pipefail

step() {
	echo "\$ $*"
	"$@"
}

echo "== greenai on $(uname -r), a QEMU guest"
step insmod "$GREENAI_KO"
step cat /proc/greenai/version
step grep '^greenai ' /proc/modules
step rmmod greenai
test ! -e /proc/greenai
echo "== greenai.ko unloaded, /proc/greenai is gone"
