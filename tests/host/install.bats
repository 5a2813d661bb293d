#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libgreenai as someone else's program meets it: make install into a
# DESTDIR, then a program (tests/install/) built with pkg-config against
# the headers and the shared library installed, and run; the Python
# package (python/greenai) where Debian's python3 finds it.

setup() {
	load '../test_helper/common-setup'
	_common_setup
	DEST=$BATS_TEST_TMPDIR/root
	run make -C "$TOP" --no-print-directory install DESTDIR="$DEST" \
		PREFIX=/usr/local
	assert_success
	export PKG_CONFIG_PATH=$DEST/usr/local/lib/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$DEST
}

@test "an installed libgreenai builds a program with pkg-config alone, and it runs" {
	run pkg-config --modversion greenai
	assert_success
	assert_output "$MODULE_VERSION"
	# shellcheck disable=SC2046
	cc -std=gnu11 -Wall -Wextra -Werror $(pkg-config --cflags greenai) \
		-o "$BATS_TEST_TMPDIR/libuser" "$TOP/tests/install/libuser.c" \
		$(pkg-config --libs greenai)
	run readelf -d "$BATS_TEST_TMPDIR/libuser"
	assert_output --partial "Shared library: [libgreenai.so.0]"
	LD_LIBRARY_PATH=$DEST/usr/local/lib run "$BATS_TEST_TMPDIR/libuser"
	assert_success
	assert_line "version=$MODULE_VERSION"
	assert_line "green_score=0.164"
	assert_line "runtime=docker"
	assert_line "short_id=0123456789ab"
	mg=$(sed -n 's/^fr_mg_per_kwh=//p' <<<"$output")
	[ "$mg" -gt 0 ]
	# a kWh at X mg/kWh is X mg
	assert_line "co2_ug_of_a_kwh=$((mg * 1000))"
}

@test "an installed libgreenai links statically with pkg-config --static" {
	# shellcheck disable=SC2046
	cc -std=gnu11 -Wall -Wextra -Werror $(pkg-config --cflags greenai) \
		-o "$BATS_TEST_TMPDIR/libuser" "$TOP/tests/install/libuser.c" \
		"$DEST/usr/local/lib/libgreenai.a" \
		$(pkg-config --static --libs-only-l greenai | sed 's/-lgreenai//')
	run readelf -d "$BATS_TEST_TMPDIR/libuser"
	refute_output --partial "libgreenai"
	run "$BATS_TEST_TMPDIR/libuser"
	assert_success
	assert_line "green_score=0.164"
}

@test "the installed headers are libgreenai's public ones, and its private functions do not link" {
	inc=$DEST/usr/local/include/greenai
	[ -f "$inc/greenai/libgreenai.h" ]
	[ -f "$inc/uapi/greenai.h" ]
	# the core's RAPL units and the BPF programs' ABI stay in the tree
	[ ! -e "$inc/greenai/rapl.h" ]
	[ ! -e "$inc/greenai/bpf_abi.h" ]
	# shellcheck disable=SC2046
	run cc -o "$BATS_TEST_TMPDIR/private" "$TOP/tests/install/private_user.c" \
		$(pkg-config --libs greenai)
	assert_failure
	assert_output --partial "undefined reference to \`ga_acct_new'"
}

@test "the installed Python package is where Debian's python3 finds it, and imports" {
	local dir=$DEST/usr/local/lib/python$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
	[ -f "$dir/greenai/__init__.py" ]
	# that directory, without DESTDIR, is on Debian's python3's path
	run /usr/bin/python3 -c 'import sys; print(sys.argv[1] in sys.path)' \
		"${dir#"$DEST"}"
	assert_output "True"
	run env -u PYTHONPATH PYTHONPATH="$dir" /usr/bin/python3 -c \
		'import greenai; print(greenai.__file__); print(greenai.track, greenai.GreenaiError)'
	assert_success
	assert_line "$dir/greenai/__init__.py"
	# PREFIX=/usr: the version-free directory Debian's own packages use
	run make -C "$TOP" --no-print-directory install \
		DESTDIR="$BATS_TEST_TMPDIR/usr-root" PREFIX=/usr
	assert_success
	dir=$BATS_TEST_TMPDIR/usr-root/usr/lib/python3/dist-packages
	[ -f "$dir/greenai/__init__.py" ]
	run /usr/bin/python3 -c 'import sys; print("/usr/lib/python3/dist-packages" in sys.path)'
	assert_output "True"
	run env PYTHONPATH="$dir" /usr/bin/python3 -c 'import greenai; print(greenai.__file__)'
	assert_output "$dir/greenai/__init__.py"
}
