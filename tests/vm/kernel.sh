#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel for the module VM rig: the generic amd64 image (for
# its vmlinuz and modules) and the matching headers (to build greenai.ko),
# unpacked with apt-get download + dpkg -x, never installed on the host.
#
#   kernel.sh release SERIES   print the current release of a series
#   kernel.sh fetch SERIES     fetch and unpack it, print the release
#   kernel.sh dir RELEASE      print where a fetched release is unpacked
#
# SERIES is 6.1 or 6.12 (Debian 12's own kernel and its +deb12 backport),
# or a full release such as 6.1.0-56-amd64. The cache is
# $GREENAI_KERNEL_CACHE (default /var/cache/greenai/kernels); a release is
# unpacked once, under <cache>/<release>/root.
set -euo pipefail

cache=${GREENAI_KERNEL_CACHE:-/var/cache/greenai/kernels}

die() { echo "kernel.sh: $*" >&2; exit 1; }

# The metapackage that follows the current release of each series.
series_meta() {
	case $1 in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

resolve_release() {
	local spec=$1 meta dep
	if [[ $spec =~ ^[0-9]+\.[0-9]+[.0-9]*-[0-9]+-amd64$ ||
	      $spec =~ ^[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-amd64$ ]]; then
		echo "$spec"
		return
	fi
	meta=$(series_meta "$spec") ||
		die "unknown kernel series '$spec' (known: 6.1, 6.12, or a release such as 6.1.0-56-amd64)"
	dep=$(apt-cache depends "$meta" 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	[ -n "$dep" ] ||
		die "cannot resolve series $spec: package $meta is unknown to apt (run apt-get update)"
	echo "$dep"
}

# Packages that make up a release: image, headers and what the headers
# need to build a module (the -common headers and the kbuild tools).
release_packages() {
	local rel=$1
	echo "linux-image-$rel-unsigned"
	echo "linux-headers-$rel"
	apt-cache depends "linux-headers-$rel" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p'
}

fetch_release() {
	local rel=$1 dir=$cache/$1 pkgs tmp
	if [ -f "$dir/.unpacked" ]; then
		echo "$rel"
		return
	fi
	mapfile -t pkgs < <(release_packages "$rel")
	[ "${#pkgs[@]}" -ge 4 ] ||
		die "release $rel: apt does not know its headers (run apt-get update)"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"${pkgs[@]}" >&2) ||
		{ rm -rf "$tmp"; die "release $rel: apt-get download failed"; }
	mv "$tmp"/*.deb "$dir/debs/"
	rmdir "$tmp"
	for deb in "$dir"/debs/*.deb; do
		dpkg -x "$deb" "$dir/root"
	done
	# The headers' Makefile includes the -common Makefile by its installed
	# path; point it at the unpacked copy.
	sed -i "s#^include /usr/src/#include $dir/root/usr/src/#" \
		"$dir/root/usr/src/linux-headers-$rel/Makefile"
	[ -f "$dir/root/boot/vmlinuz-$rel" ] ||
		die "release $rel: no vmlinuz in the image package"
	touch "$dir/.unpacked"
	echo "$rel"
}

[ $# -eq 2 ] || die "usage: kernel.sh release|fetch SERIES, kernel.sh dir RELEASE"
case $1 in
release) resolve_release "$2" ;;
fetch)
	rel=$(resolve_release "$2") || exit 1
	fetch_release "$rel"
	;;
dir)
	[ -f "$cache/$2/.unpacked" ] || die "release $2 is not fetched"
	echo "$cache/$2/root"
	;;
*) die "unknown command '$1'" ;;
esac
