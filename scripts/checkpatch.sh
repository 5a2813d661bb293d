#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh [FILE...]: run the kernel's checkpatch.pl --strict over the
# kernel code: kmod/, the suite's RAPL fake, what of include/ the module
# compiles (the core, the ABI) and the BPF programs; or over the FILEs
# given. kmod/compat/ is left out: its LINUX_VERSION_CODE tests are what
# checkpatch warns against by design, and they are its whole purpose.
#
# checkpatch.pl comes from Debian's linux-source-6.1 package: its .deb is
# downloaded (not installed) and the script, with the spelling and
# const-struct lists it reads, is taken out of the source tarball into
# $GREENAI_CHECKPATCH_CACHE (default /var/cache/greenai/checkpatch).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${GREENAI_CHECKPATCH_CACHE:-/var/cache/greenai/checkpatch}
pkg=linux-source-6.1
script=$cache/scripts/checkpatch.pl

fetch() {
	local tmp deb
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" \
		>&2) || { echo "checkpatch.sh: cannot download $pkg" >&2; return 1; }
	deb=$(ls "$tmp"/*.deb)
	mkdir -p "$cache"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/src/linux-source-6.1.tar.*' |
		tar -xJ -C "$tmp" --wildcards --strip-components=1 \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	rm -rf "$cache/scripts"
	mv "$tmp/scripts" "$cache/scripts"
}

[ -x "$script" ] || fetch

checkpatch() {
	perl "$script" --strict --no-tree --terse --show-types \
		--max-line-length=80 -f "$@"
}

if [ $# -gt 0 ]; then
	checkpatch "$@"
	exit
fi
cd "$top"
rc=0
# include/greenai also holds libgreenai's public headers: userspace, not
# checked here; the core, the module's ABI and the BPF ABI are
checkpatch kmod/*.c kmod/*.h tests/kmod/fake_rapl/*.c \
	include/uapi/greenai.h include/greenai/attrib.[ch] \
	include/greenai/rapl.[ch] include/greenai/bpf_abi.h \
	include/greenai/bpf_counters.h \
	include/greenai/version.h || rc=1
# BPF programs: libbpf's configuration is "const volatile" by design
checkpatch --ignore VOLATILE bpf/*.bpf.c tests/bench/bpf/*.bpf.c || rc=1
exit $rc
