#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh RELEASE OUTDIR: build greenai.ko with W=1 against the
# headers of a fetched Debian kernel (tests/vm/kernel.sh), in a copy of the
# sources under OUTDIR so builds for several kernels do not collide.
# Fails on any compiler or modpost warning. The module is OUTDIR/kmod/greenai.ko;
# the suite's RAPL fake, OUTDIR/tests/kmod/fake_rapl/greenai_fake_rapl.ko.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: build-module.sh RELEASE OUTDIR" >&2; exit 2; }
rel=$1 out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$("$top/tests/vm/kernel.sh" dir "$rel")
kdir=$root/usr/src/linux-headers-$rel

rm -rf "$out"
mkdir -p "$out"
cp -r "$top/Kbuild" "$top/kmod" "$top/include" "$out/"
mkdir -p "$out/tests/kmod"
cp -r "$top/tests/kmod/fake_rapl" "$out/tests/kmod/"

# build DIR NAME: build the module(s) in OUTDIR/DIR, W=1, no warnings.
build() {
	local log=$out/build-$2.log
	if ! make -C "$kdir" M="$out/$1" W=1 modules >"$log" 2>&1; then
		cat "$log" >&2
		echo "build-module.sh: $2 does not build against $rel" >&2
		exit 1
	fi
	if grep -E -i 'warning:|error:' "$log" >&2; then
		echo "build-module.sh: $2 builds against $rel with warnings" >&2
		exit 1
	fi
}
build . greenai.ko
build tests/kmod/fake_rapl greenai_fake_rapl.ko
test -f "$out/kmod/greenai.ko"
test -f "$out/tests/kmod/fake_rapl/greenai_fake_rapl.ko"
