#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-layout.py, the layout suite's checker, finds what it is
# there to find: each test breaks one rule in a copy of the tree's
# sources and expects the checker to name the offence.

setup() {
	load '../test_helper/common-setup'
	_common_setup
	COPY=$BATS_TEST_TMPDIR/tree
	mkdir -p "$COPY"
	(cd "$TOP" && git ls-files -z scripts include tools kmod |
		xargs -0 cp --parents -t "$COPY")
}

check() {
	run "$COPY/scripts/check-layout.py" --build "$BATS_TEST_TMPDIR/none"
}

@test "the tree as it is breaks no include rule" {
	check
	assert_line "ok - layout: the tools include only <greenai/libgreenai.h> of the library"
	assert_line "ok - layout: the public headers include public headers only"
	assert_line "ok - layout: each room of tools/lib includes only from rooms below it"
	assert_line "ok - layout: no header includes itself through others"
	assert_line "ok - layout: each public header compiles on its own"
}

@test "a public header that needs another included before it is refused" {
	sed -i '/#include <stdint.h>/d' "$COPY/include/greenai/config.h"
	check
	assert_failure
	assert_line "not ok - layout: each public header compiles on its own"
	assert_line --partial "# greenai/config.h, alone, with gcc:"
	assert_line --partial "# greenai/config.h, alone, with clang:"
	assert_line --partial "uint32_t"
}

@test "a tool that includes a private header of the library is refused" {
	sed -i '0,/#include <greenai\/libgreenai.h>/s//&\n#include "base\/hash.h"/' \
		"$COPY/tools/gtop/tracker.c"
	check
	assert_failure
	assert_line "not ok - layout: the tools include only <greenai/libgreenai.h> of the library"
	assert_line --partial "# tools/gtop/tracker.c includes \"base/hash.h\""
}

@test "a room that includes from a room above it is refused" {
	sed -i '0,/#include "energy\/esrc.h"/s//&\n#include "engine\/account.h"/' \
		"$COPY/tools/lib/energy/meter.h"
	check
	assert_failure
	assert_line "not ok - layout: each room of tools/lib includes only from rooms below it"
	assert_line --partial "# tools/lib/energy/meter.h (energy, floor 2) includes engine/account.h (engine, floor 3)"
}

@test "a public header that includes a private one is refused" {
	sed -i '0,/#include <greenai\/identity.h>/s//&\n#include "engine\/ctx.h"/' \
		"$COPY/include/greenai/engine.h"
	check
	assert_failure
	assert_line "not ok - layout: the public headers include public headers only"
	assert_line --partial "# include/greenai/engine.h includes \"engine/ctx.h\""
}

@test "two headers that include each other are a cycle" {
	sed -i '0,/#include "energy\/esrc.h"/s//&\n#include "energy\/shares.h"/' \
		"$COPY/tools/lib/energy/meter.h"
	sed -i '0,/#include "energy\/esrc.h"/s//&\n#include "energy\/meter.h"/' \
		"$COPY/tools/lib/energy/shares.h"
	check
	assert_failure
	assert_line "not ok - layout: no header includes itself through others"
	assert_line --partial "tools/lib/energy/meter.h <-> tools/lib/energy/shares.h"
}

@test "two objects that call each other are a cycle; calls one way are not" {
	d=$BATS_TEST_TMPDIR/objs
	mkdir -p "$d"
	printf 'void b(void);\nvoid a(void) { b(); }\n' >"$d/a.c"
	printf 'void a(void);\nvoid c(void);\nvoid b(void) { c(); }\n' >"$d/b.c"
	printf 'void c(void) { }\n' >"$d/c.c"
	for f in a b c; do cc -c -o "$d/$f.o" "$d/$f.c"; done
	run "$TOP/scripts/check-layout.py" --kmod "$d" --name "one way"
	assert_success
	assert_output "ok - one way"
	printf 'void a(void);\nvoid c(void) { a(); }\n' >"$d/c.c"
	cc -c -o "$d/c.o" "$d/c.c"
	run "$TOP/scripts/check-layout.py" --kmod "$d" --name "a loop"
	assert_failure
	assert_line "not ok - a loop"
	assert_line "# call each other: a.o, b.o, c.o"
}
