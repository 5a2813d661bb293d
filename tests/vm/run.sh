#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The module VM rig:
#   run.sh [--sockets N] [--name NAME] [--share DIR]
#          [--suite PATH | --demo | --exec SCRIPT] SERIES
#
# Fetches a Debian kernel (tests/vm/kernel.sh: 6.1, 6.12 or a release),
# builds greenai.ko against its headers with W=1, boots it under QEMU (TCG)
# with the host's root shared read-only over 9p, and runs the bats suite
# tests/kmod/*.bats inside the guest (--suite: the bats file or folder
# PATH instead; --exec: SCRIPT instead, as root, with GREENAI_KO set;
# --demo: scripts/demo-guest.sh). The guest has 2 CPUs in one package, or
# with --sockets 2 one CPU in each of two packages (artefacts then in
# build/vm/RELEASE-2s/). Results come back through a second, writable 9p
# share, not the serial console, which drops lines under load.
# --name gives QEMU "-name guest=NAME", as a VM manager would (artefacts in
# build/vm/RELEASE-NAME/); --share DIR shares DIR read-only with the mount
# tag greenai-host, as a VM's hand-over tree is shared (docs/vms.md). The
# script of --exec finds the host's GREENAI_GUEST_* variables set, and
# GREENAI_RESULTS naming the results share.
#
# Prints TAP lines: the build, the module's call graph (no file calls a
# file that calls it back: scripts/check-layout.py --kmod), every test of
# the guest suite (prefixed with the release), and a check of the guest's
# kernel log (check-klog.sh) in which any oops, WARN, BUG, KASAN or
# lockdep splat is a failure.
# Exit status 0 only if every line is "ok". Artefacts: build/vm/RELEASE/.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
mode=suite script=$top/tests/kmod sockets=1 vmname="" share=""
usage="usage: run.sh [--sockets N] [--name NAME] [--share DIR] [--suite PATH | --demo | --exec SCRIPT] SERIES"
while :; do
	case ${1:-} in
	--sockets) sockets=${2:-} ;;
	--name) vmname=${2:-} ;;
	--share) share=${2:-} ;;
	*) break ;;
	esac
	[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
	shift 2
done
[[ -z $vmname || $vmname =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] ||
	{ echo "run.sh: --name is 1 to 64 of [A-Za-z0-9._-], not starting with . - or _" >&2; exit 2; }
[ -z "$share" ] || [ -d "$share" ] ||
	{ echo "run.sh: --share: $share is not a directory" >&2; exit 2; }
case $sockets in
1 | 2) ;;
*) echo "run.sh: --sockets is 1 or 2" >&2; exit 2 ;;
esac
case ${1:-} in
--suite)
	script=$(realpath "${2:-}")
	shift 2
	;;
--demo)
	mode=exec script=$top/scripts/demo-guest.sh
	shift
	;;
--exec)
	mode=exec script=$(realpath "${2:-}")
	shift 2
	;;
esac
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
series=$1
# The whole guest run: about 8 minutes on an idle 2-CPU host, and TCG
# slows with the host's load; the bound is for a guest that hangs, not a
# slow one.
timeout_s=${GREENAI_VM_TIMEOUT:-2700}

# Modules the initramfs loads, in dependency order; the ones a kernel has
# built in, or folded into another (fscache into netfs on 6.12), are skipped.
guest_modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay)

failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
diag() { sed 's/^/# /'; }

make_initramfs() {
	local rel=$1 root=$2 dir=$3 results=$4 ko=$5 m f
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/dev" "$dir/proc" "$dir/sys" "$dir/lib/modules"
	cp /bin/busybox "$dir/bin/busybox"
	: >"$dir/modules"
	for m in "${guest_modules[@]}"; do
		f=$(find "$root/lib/modules/$rel/kernel" -name "$m.ko" -o \
			-name "$m.ko.xz" | head -n 1)
		[ -n "$f" ] || continue
		case $f in
		*.xz) xz -dc "$f" >"$dir/lib/modules/$m.ko" ;;
		*) cp "$f" "$dir/lib/modules/$m.ko" ;;
		esac
		echo "$m" >>"$dir/modules"
	done
	sed -e "s#@TOP@#$top#g" -e "s#@RESULTS@#$results#g" \
		-e "s#@KO@#$ko#g" -e "s#@MODE@#$mode#g" \
		-e "s#@SCRIPT@#$script#g" \
		"$vm/guest-init.sh" >"$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$dir.cpio.gz"
}

# One TCG thread for both vCPUs: with a thread per vCPU, a vCPU can run a
# stale translation of kernel text that another vCPU just patched (the
# tracepoint and static-key patching that every insmod and rmmod does), and
# the guest dies on a stray int3 inside __schedule. Interleaved vCPUs
# see every patch at once; SMP, IPIs and hotplug are still real.
# no_timer_check: at boot the kernel times the IO-APIC timer interrupt
# against a short busy wait; under TCG on a busy host the interrupt comes
# late, the kernel takes the timer for broken, reroutes it, and the guest
# then waits for a tick that never comes (the log stops after "MP-BIOS bug:
# 8254 timer not connected to IO-APIC"). The emulated timer works; the
# check only measures the host's pace.
boot() {
	local rel=$1 root=$2 initrd=$3 results=$4 console=$5 extra=()
	[ -z "$vmname" ] || extra+=(-name "guest=$vmname")
	[ -z "$share" ] ||
		extra+=(-virtfs "local,path=$share,mount_tag=greenai-host,security_model=none,readonly=on,multidevs=remap")
	timeout "$timeout_s" qemu-system-x86_64 "${extra[@]}" \
		-accel tcg,thread=single -m 2048 \
		-smp "2,sockets=$sockets,cores=$((2 / sockets)),threads=1" \
		-nodefaults -no-reboot \
		-display none -serial "file:$console" \
		-kernel "$root/boot/vmlinuz-$rel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 rdinit=/init quiet no_timer_check" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap" \
		</dev/null
}

mkdir -p "$top/build"
rel=$("$vm/kernel.sh" fetch "$series" 2>"$top/build/vm-fetch-$series.log")
if [ -z "$rel" ]; then
	not_ok "$series: kernel image and headers fetched"
	diag <"$top/build/vm-fetch-$series.log"
	exit 1
fi
root=$("$vm/kernel.sh" dir "$rel")
out=$top/build/vm/$rel
name=$rel
if [ "$sockets" != 1 ]; then
	out=$top/build/vm/$rel-${sockets}s
	name="$rel ($sockets sockets)"
fi
if [ -n "$vmname" ]; then
	out=$out-$vmname
	name="$name ($vmname)"
fi
mkdir -p "$out"

if "$vm/build-module.sh" "$rel" "$out/src" 2>"$out/build.err"; then
	ok "$name: greenai.ko builds with W=1 and no warnings"
else
	not_ok "$name: greenai.ko builds with W=1 and no warnings"
	diag <"$out/build.err"
	exit 1
fi

# the module's files, as built: none calls another that calls it back
"$top/scripts/check-layout.py" --kmod "$out/src/kmod" \
	--name "$name: no two of greenai.ko's files call each other" || failed=1

if ! make --no-print-directory -C "$top" test-helpers tools \
	>"$out/helpers.log" 2>&1; then
	not_ok "$name: the suite's workload helpers and tools build"
	diag <"$out/helpers.log"
	exit 1
fi

results=$out/results
rm -rf "$results"
mkdir -p "$results"
# the environment's GREENAI_GUEST_* variables, for the guest's script
for v in $(compgen -e); do
	[[ $v == GREENAI_GUEST_* ]] && printf 'export %s=%q\n' "$v" "${!v}"
done >"$results/guest.env"
make_initramfs "$rel" "$root" "$out/initramfs" "$results" \
	"$out/src/kmod/greenai.ko"
boot "$rel" "$root" "$out/initramfs.cpio.gz" "$results" "$out/console.log"
qemu_rc=$?

if [ ! -f "$results/done" ]; then
	not_ok "$name: guest booted and ran the $mode to the end (qemu exit $qemu_rc)"
	tail -n 40 "$out/console.log" | diag
	exit 1
fi

if [ "$mode" = exec ]; then
	cat "$results/exec.log"
	[ "$(cat "$results/rc")" = 0 ] || failed=1
else
	# bats numbers its tests; the tally only needs ok / not ok.
	sed -E -e '/^1\.\.[0-9]+$/d' \
		-e "s/^(not ok|ok) [0-9]+ /\\1 - $name: /" "$results/suite.tap"
	grep -q '^not ok' "$results/suite.tap" && failed=1
	rc=$(cat "$results/rc")
	if [ "$rc" != 0 ] && ! grep -q '^not ok' "$results/suite.tap"; then
		not_ok "$name: bats ran the suite (exit $rc)"
		diag <"$results/suite.err"
	fi
fi

echo "# $name: guest kernel log in $results/dmesg.log, console in $out/console.log"
if klog=$("$vm/check-klog.sh" "$results/dmesg.log" "$out/console.log"); then
	ok "$name: kernel log has no oops, WARN, BUG, KASAN or lockdep report"
else
	not_ok "$name: kernel log has no oops, WARN, BUG, KASAN or lockdep report"
	echo "$klog" | diag
fi
exit $failed
