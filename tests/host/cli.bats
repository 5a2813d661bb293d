#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The greenai command (tools/greenai): help, the intensity a run uses and
# why, the Green Score, and bad usage refused with exit status 2 and a
# message saying what is wrong.

setup() {
	load ../test_helper/common-setup
	_common_setup
	GREENAI=$TOP/build/greenai
	[ -x "$GREENAI" ] || fail "no $GREENAI: make tools"
	TABLE=$TOP/tools/lib/intensity_table.c
	unset GREENAI_REGION GREENAI_CONFIG
	# the user's greenai.conf is the test's own
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	CONF=$XDG_CONFIG_HOME/greenai/greenai.conf
	mkdir -p "${CONF%/*}"
}

# table_g CODE: the embedded figure of CODE, g/kWh with 3 decimals
table_g() {
	awk -v c="\"$1\"," '$1 == "{" && $2 == c {
		printf "%d.%03d\n", $4 / 1000, $4 % 1000 }' "$TABLE"
}

@test "greenai --help lists every command; each has its own help" {
	run "$GREENAI" --help
	assert_success
	assert_line --regexp '^  intensity +'
	assert_line --regexp '^  score +'
	for c in intensity score; do
		run "$GREENAI" "$c" --help
		assert_success
		assert_line --index 0 --regexp "^usage: greenai $c "
		run "$GREENAI" help "$c"
		assert_success
		assert_line --index 0 --regexp "^usage: greenai $c "
	done
	run "$GREENAI"
	assert_failure 2
}

@test "intensity: a country's yearly average, by either code and in any case" {
	local want
	want=$(table_g FRA)
	[ -n "$want" ] || fail "no FRA row in $TABLE"
	for r in FR fr FRA fra; do
		run "$GREENAI" intensity --region "$r"
		assert_success
		assert_line "intensity: $want g CO2e/kWh"
		assert_line "region:    FRA"
		assert_line --regexp '^source: +Ember yearly average via @tgwf/co2 [0-9.]+ of [0-9]{4}-[0-9]{2}-[0-9]{2}, latest year per country \(CC BY-SA 4\.0\)$'
	done
}

@test "intensity: the flag wins over GREENAI_REGION, a given figure over both" {
	GREENAI_REGION=PL run "$GREENAI" intensity
	assert_line "intensity: $(table_g POL) g CO2e/kWh"
	GREENAI_REGION=PL run "$GREENAI" intensity --region SE
	assert_line "intensity: $(table_g SWE) g CO2e/kWh"
	GREENAI_REGION=PL run "$GREENAI" intensity --region SE --intensity 56.25
	assert_success
	assert_line "intensity: 56.250 g CO2e/kWh"
	assert_line "why:       given with --intensity"
	refute_line --partial "region:"
}

@test "intensity: greenai.conf's region or figure, under the flag and GREENAI_REGION" {
	printf '# this site\nregion = NO\n' >"$CONF"
	run "$GREENAI" intensity
	assert_success
	assert_line "intensity: $(table_g NOR) g CO2e/kWh"
	assert_line "why:       the region's yearly average; region from region in $CONF:2"
	GREENAI_REGION=PL run "$GREENAI" intensity
	assert_line "intensity: $(table_g POL) g CO2e/kWh"
	run "$GREENAI" intensity --region SE
	assert_line "intensity: $(table_g SWE) g CO2e/kWh"
	printf 'region = NO\nintensity = 12.5\n' >"$CONF"
	run "$GREENAI" intensity
	assert_line "intensity: 12.500 g CO2e/kWh"
	assert_line "why:       given with intensity in $CONF:2"
	assert_line "source:    intensity in $CONF:2"
	# $GREENAI_CONFIG alone, and it must be there
	printf 'region = DE\n' >"$BATS_TEST_TMPDIR/site.conf"
	GREENAI_CONFIG=$BATS_TEST_TMPDIR/site.conf run "$GREENAI" intensity
	assert_line "intensity: $(table_g DEU) g CO2e/kWh"
	GREENAI_CONFIG=$BATS_TEST_TMPDIR/absent.conf run "$GREENAI" intensity
	assert_failure 2
	assert_line --index 0 "greenai intensity: config $BATS_TEST_TMPDIR/absent.conf: No such file or directory"
}

@test "intensity: a bad greenai.conf is refused with its file and line" {
	local bad
	for bad in "region = Atlantis" "pue = 0.5" "colour = green" "region FR"; do
		printf '# ok\n%s\n' "$bad" >"$CONF"
		run "$GREENAI" intensity
		assert_failure 2
		assert_line --index 0 --regexp "^greenai intensity: $CONF:2: "
		refute_line --regexp '^intensity:'
	done
	# the flags do not need the file: it is not read
	run "$GREENAI" intensity --intensity 5
	assert_success
}

@test "intensity: no region gives the world average and says so" {
	run "$GREENAI" intensity
	assert_success
	assert_line "intensity: $(table_g WORLD) g CO2e/kWh"
	assert_line --partial "no region given"
}

@test "intensity: an unknown region or a bad figure is refused, never replaced" {
	run "$GREENAI" intensity --region ZZ
	assert_failure 2
	assert_output --partial "region 'ZZ': not in the embedded table"
	refute_output --partial "g CO2e/kWh"
	GREENAI_REGION='F!' run "$GREENAI" intensity
	assert_failure 2
	assert_output --partial "(from GREENAI_REGION)"
	for bad in abc -5 1.2345 1e3 100000.001 ""; do
		run "$GREENAI" intensity --intensity "$bad"
		assert_failure 2
		assert_output --partial "not a figure in g CO2e/kWh"
	done
	run "$GREENAI" intensity --bogus
	assert_failure 2
	run "$GREENAI" intensity extra
	assert_failure 2
	run "$GREENAI" no-such-command
	assert_failure 2
	assert_output --partial "no command 'no-such-command'"
}

@test "score: accuracy per kg CO2e, the source paper's BERT figure" {
	run "$GREENAI" score --accuracy 90 --co2-kg 550
	assert_success
	local s
	s=$(awk '{ print $3 }' <<<"$output")
	awk -v s="$s" 'BEGIN { exit !(s > 0.1635 && s < 0.1637) }' ||
		fail "90 % for 550 kg gave $s, the paper's 0.164"
	run "$GREENAI" score --accuracy 97.5 --co2-kg 0.0025
	assert_success
	assert_output --partial "green score: 39000 "
}

@test "score: missing or out-of-range figures are refused" {
	run "$GREENAI" score --accuracy 90
	assert_failure 2
	assert_output --partial "both --accuracy and --co2-kg"
	for a in 101 -1 nan abc ""; do
		run "$GREENAI" score --accuracy "$a" --co2-kg 1
		assert_failure 2
		assert_output --partial "--accuracy '$a'"
	done
	for c in 0 -1 inf 1e999 0x10; do
		run "$GREENAI" score --accuracy 90 --co2-kg "$c"
		assert_failure 2
		assert_output --partial "--co2-kg '$c'"
	done
}
