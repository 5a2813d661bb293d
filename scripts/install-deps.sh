#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package greenai needs to build, test and demo
# (README.md, "Dependencies", says what each is for). Idempotent: when all
# are installed it does nothing; otherwise it runs apt-get update once and
# installs what is missing. Kernel images and headers for the VM suite are
# not installed: tests/vm/kernel.sh unpacks them into a cache.
set -euo pipefail

packages=(
	build-essential pkg-config	# gcc, make: userspace and Kbuild
	libcmocka-dev			# unit tests
	bats bats-assert bats-support	# host and module suites
	qemu-system-x86			# module suite: boots Debian kernels (TCG)
	busybox-static cpio		# module suite: the guest's initramfs
	kmod xz-utils			# insmod/rmmod; .ko.xz of the 6.12 kernel
	dwarves				# pahole: BTF for the module on 6.12
	clang llvm libbpf-dev bpftool	# CO-RE BPF programs and skeletons
	libclang-rt-14-dev		# libFuzzer and the sanitizers for clang (tests/fuzz)
	libelf-dev zlib1g-dev		# libbpf's link dependencies
	uthash-dev			# libgreenai's process and cgroup tables
	libsqlite3-dev			# the ledger of runs
	libjson-c-dev			# JSON output (report, export, gtop -b)
	libncurses-dev			# gtop's screen
	libmicrohttpd-dev		# greenai-exporter's HTTP server
	libcurl4-openssl-dev		# the live intensity providers (HTTP)
	prometheus curl openssl		# tests: a real Prometheus scrapes the exporter (TLS too)
	python3-yaml man-db		# tests: Kubernetes manifests parsed, man pages rendered
	tmux				# tests: gtop's screen driven by keys
	bpftrace sysstat		# benchmarks: the bpftrace peer, pidstat
	librsvg2-bin libxml2-utils	# tests: SVG rendered and parsed
	python3-torch			# ML workloads: framework detection
	python3-sklearn			# the demo: MLPs on the bundled digits
	perl				# checkpatch.pl
	clang-format			# make format (the style in .clang-format)
)

missing=()
for p in "${packages[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = \
		"install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages installed"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}"
$sudo apt-get update -q
# Packages with a service (prometheus) must not start it here: the tests
# start their own, on loopback. policy-rc.d says no while installing,
# unless the machine already has one.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	trap '$sudo rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
	--no-install-recommends "${missing[@]}"
