// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the host energy source (tools/lib/energy/esrc_host.c) on
 * tests/fixtures/FAKE-host-tree, a FAKE hand-over tree as a VM host's
 * greenai agent writes it (docs/vms.md): zones, names, kinds and labels,
 * exact deltas, the wrap at max_energy_range_uj, a counter that goes back
 * too far, a new tree after the host's agent restarted, a tree that stops
 * updating (stale), a domain the host estimated, host_dir, and every kind
 * of bad file, at open (the source is not used) and after (the read
 * fails, the energy is kept).
 *
 * Tests copy the fixture to a temporary directory and rewrite its files
 * between reads. Times are CLOCK_MONOTONIC from T(0), a second after the
 * open's stamp: every read's elapsed time is what the test says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/clock.h>

#include "energy/esrc.h"
#include "esrc_fixture.h"

#define SEC 1000000000ULL
#define TREE "FAKE-host-tree"
#define HOST "var/lib/greenai/host"
#define DESC HOST "/greenai-host"
#define PKG HOST "/host:0/energy_uj"
#define DRAM HOST "/host:1/energy_uj"
#define PKG_RANGE 262143328850ULL
#define DRAM_RANGE 65712999613ULL

static __u64 t_base;

/* A time @s seconds after T(0), T(0) a second after the open's stamp. */
static __u64 T(unsigned int s)
{
	return t_base + (1 + s) * SEC;
}

/* The fixture's greenai-host at @seq, its domains' sources as given. */
static void write_desc(const char *dir, unsigned long long seq,
		       const char *kind1)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "version 1\nvm FAKE-guest\ninterval_ms 1000\nseq %llu\n"
		 "idle_policy capacity\nhost:0 source=rapl measured\n"
		 "host:1 source=%s\n",
		 seq, kind1);
	fix_write(dir, DESC, text);
}

static void write_u64(const char *dir, const char *rel, unsigned long long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu\n", v);
	fix_write(dir, rel, text);
}

/* The host's next update: counter @rel at @v, then greenai-host at @seq. */
static void update(const char *dir, const char *rel, unsigned long long v,
		   unsigned long long seq)
{
	write_u64(dir, rel, v);
	write_desc(dir, seq, "rapl measured");
}

/* A cmocka setup: a copy of the tree in *@state, for fix_teardown(). */
static int tree_setup(void **state)
{
	*state = fix_copy_new(TREE);
	return 0;
}

#define TREE_TEST(f) \
	cmocka_unit_test_setup_teardown(f, tree_setup, fix_teardown)

static void open_tree(struct ga_esrc *s, const char *dir)
{
	fix_open(s, &ga_esrc_host, dir);
	t_base = ga_mono_ns();
}

/* --- zones ---------------------------------------------------------------- */

static void zones_of_the_fake_tree(void **state)
{
	struct ga_esrc s;

	(void)state;
	open_tree(&s, GA_FIXTURES "/" TREE);
	assert_int_equal(s.nr_zones, 2);
	fix_check_zone(&s.zones[0], "package-0", GREENAI_DOM_PACKAGE,
		       GREENAI_SRC_HOST, -1, -1);
	assert_string_equal(s.zones[0].label, "host:0 rapl");
	assert_true(s.zones[0].range_uj == PKG_RANGE);
	assert_int_equal(s.zones[0].flags, 0);
	fix_check_zone(&s.zones[1], "dram-0", GREENAI_DOM_DRAM,
		       GREENAI_SRC_HOST, -1, -1);
	assert_true(s.zones[1].range_uj == DRAM_RANGE);
	assert_false(s.zones[1].has_shares);
	assert_true(s.zones[0].energy_uj == 0);
	ga_esrc_close(&s);
}

/* Kinds from the host's names; cores in the package, packages in psys. */
static void kinds_and_nesting_from_names(void **state)
{
	static const char *const names[] = { "psys", "package-1", "core-1",
					     "gpu-0", "fan-board" };
	char *dir = *state, rel[64], text[512];
	struct ga_esrc s;
	unsigned int i;

	strcpy(text, "version 1\nvm FAKE-guest\ninterval_ms 1000\nseq 1\n");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(rel, sizeof(rel), HOST "/host:%u/name", i);
		fix_write(dir, rel, names[i]);
		snprintf(rel, sizeof(rel), HOST "/host:%u/energy_uj", i);
		fix_write(dir, rel, "0\n");
		snprintf(rel, sizeof(rel), HOST "/host:%u/max_energy_range_uj",
			 i);
		fix_write(dir, rel, "1000000000\n");
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "host:%u source=%s\n", i,
			 i == 3 ? "nvml measured" : "rapl measured");
	}
	fix_write(dir, DESC, text);
	open_tree(&s, dir);
	assert_int_equal(s.nr_zones, 5);
	fix_check_zone(&s.zones[0], "psys", GREENAI_DOM_PSYS, GREENAI_SRC_HOST,
		       -1, -1);
	fix_check_zone(&s.zones[1], "package-1", GREENAI_DOM_PACKAGE,
		       GREENAI_SRC_HOST, -1, 0);
	fix_check_zone(&s.zones[2], "core-1", GREENAI_DOM_CORE,
		       GREENAI_SRC_HOST, -1, 1);
	fix_check_zone(&s.zones[3], "gpu-0", GREENAI_DOM_GPU, GREENAI_SRC_HOST,
		       -1, -1);
	assert_string_equal(s.zones[3].label, "host:3 nvml");
	fix_check_zone(&s.zones[4], "fan-board", GREENAI_DOM_PLATFORM,
		       GREENAI_SRC_HOST, -1, -1);
	ga_esrc_close(&s);
}

/* A domain the host estimated is flagged so, at every read. */
static void estimated_by_the_host(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	write_desc(dir, 7, "model estimated");
	open_tree(&s, dir);
	assert_int_equal(s.zones[0].flags & GREENAI_F_ESTIMATED, 0);
	assert_int_equal(s.zones[1].flags & GREENAI_F_ESTIMATED,
			 GREENAI_F_ESTIMATED);
	assert_string_equal(s.zones[1].label, "host:1 model");
	write_desc(dir, 8, "model estimated");
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_true(s.zones[1].flags & GREENAI_F_ESTIMATED);
	ga_esrc_close(&s);
}

/* --- counting ------------------------------------------------------------- */

static void deltas_are_exact(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	open_tree(&s, dir);
	write_u64(dir, PKG, 1000000 + 2500001);
	update(dir, DRAM, 500000 + 123, 8);
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_true(s.zones[0].energy_uj == 2500001);
	assert_true(s.zones[1].energy_uj == 123);
	assert_int_equal(s.zones[0].flags, 0);
	assert_string_equal(s.zones[0].error, "");
	/* nothing new: nothing counted */
	write_desc(dir, 9, "rapl measured");
	assert_int_equal(ga_esrc_read(&s, T(1), NULL), 0);
	assert_true(s.zones[0].energy_uj == 2500001);
	assert_true(s.zones[0].power_uw == 0);
	update(dir, PKG, 1000000 + 2500001 + 7000000, 10);
	assert_int_equal(ga_esrc_read(&s, T(3), NULL), 0);
	assert_true(s.zones[0].energy_uj == 9500001);
	assert_true(s.zones[0].power_uw == 3500000); /* 7 J over 2 s */
	ga_esrc_close(&s);
}

/* Below the last reading: a wrap at max_energy_range_uj, flagged. */
static void wrap_at_the_range(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	write_u64(dir, DRAM, DRAM_RANGE - 1000);
	open_tree(&s, dir);
	update(dir, DRAM, 4000, 8);
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_true(s.zones[1].energy_uj == 5000);
	assert_true(s.zones[1].flags & GREENAI_F_WRAPPED);
	assert_false(s.zones[0].flags & GREENAI_F_WRAPPED);
	/* a wrap is flagged in its own read only */
	update(dir, DRAM, 4010, 9);
	assert_int_equal(ga_esrc_read(&s, T(1), NULL), 0);
	assert_true(s.zones[1].energy_uj == 5010);
	assert_false(s.zones[1].flags & GREENAI_F_WRAPPED);
	assert_true(s.zones[1].flags_seen & GREENAI_F_WRAPPED);
	ga_esrc_close(&s);
}

/*
 * A counter back by more than a wrap explains (more than 1 kW): an
 * error, nothing counted, and counting goes on from the new value.
 */
static void counter_back_too_far_is_an_error(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	open_tree(&s, dir);
	update(dir, PKG, 999999, 8);
	fix_read_fails(&s, T(0), -ERANGE, 0, "went back");
	assert_true(s.zones[0].energy_uj == 0);
	assert_string_equal(s.zones[1].error, "");
	update(dir, PKG, 999999 + 42, 9);
	assert_int_equal(ga_esrc_read(&s, T(1), NULL), 0);
	assert_true(s.zones[0].energy_uj == 42);
	ga_esrc_close(&s);
}

/* The host's agent restarted: a new tree, seq and counters from 0. */
static void new_tree_counts_on(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	write_u64(dir, DRAM, DRAM_RANGE - 10);
	open_tree(&s, dir);
	update(dir, DRAM, 90, 1);
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_true(s.zones[1].energy_uj == 100);
	assert_true(s.zones[1].flags & GREENAI_F_WRAPPED);
	ga_esrc_close(&s);
}

/*
 * seq unchanged for 3 of the host's intervals (1 s each) since a read
 * first saw it: stale, every zone flagged and saying so, its counters
 * still read; a new seq ends it.
 */
static void stale_tree_is_flagged(void **state)
{
	char *dir = *state;
	struct ga_esrc s;
	unsigned int i;

	open_tree(&s, dir);
	write_desc(dir, 8, "rapl measured");
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_int_equal(ga_esrc_read(&s, T(2), NULL), 0);
	assert_false(s.zones[0].flags & GREENAI_F_STALE);
	write_u64(dir, PKG, 1000000 + 5);
	assert_int_equal(ga_esrc_read(&s, T(3), NULL), -ESTALE);
	for (i = 0; i < s.nr_zones; i++) {
		assert_true(s.zones[i].flags & GREENAI_F_STALE);
		assert_non_null(strstr(s.zones[i].error, "stale"));
		assert_non_null(strstr(s.zones[i].error, "seq 8"));
	}
	assert_true(s.zones[0].energy_uj == 5);
	assert_int_equal(ga_esrc_read(&s, T(4), NULL), -ESTALE);
	write_desc(dir, 9, "rapl measured");
	assert_int_equal(ga_esrc_read(&s, T(5), NULL), 0);
	assert_false(s.zones[0].flags & GREENAI_F_STALE);
	assert_string_equal(s.zones[0].error, "");
	assert_true(s.zones[0].flags_seen & GREENAI_F_STALE);
	/* counted from the new seq's first read: 3 intervals again */
	assert_int_equal(ga_esrc_read(&s, T(7), NULL), 0);
	assert_int_equal(ga_esrc_read(&s, T(8), NULL), -ESTALE);
	ga_esrc_close(&s);
}

/* --- where the tree is ---------------------------------------------------- */

static void no_tree_no_source(void **state)
{
	char *dir = fix_tmpdir_new();
	struct ga_esrc_conf conf = { .root = dir };
	struct ga_esrc s;

	*state = dir;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_host, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "no hand-over tree"));
	assert_non_null(strstr(s.reason, HOST));
}

static void host_dir_elsewhere(void **state)
{
	char *dir = *state, from[FIX_PATH_MAX], to[FIX_PATH_MAX];
	struct ga_esrc_conf conf = { .root = dir, .host_dir = "/mnt/host" };
	struct ga_esrc s;

	fix_path(from, dir, HOST);
	fix_mkdirs(dir, "mnt/");
	fix_path(to, dir, "mnt/host");
	assert_int_equal(rename(from, to), 0);
	fix_open_conf(&s, &ga_esrc_host, &conf);
	assert_int_equal(s.nr_zones, 2);
	ga_esrc_close(&s);
	/* the default place has nothing now */
	conf.host_dir = NULL;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_host, &conf), -ENOENT);
	conf.host_dir = "mnt/host";
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_host, &conf), -EINVAL);
	assert_non_null(strstr(s.reason, "not an absolute path"));
}

/* --- bad files ------------------------------------------------------------ */

/* greenai-host as @text does not open; the reason says @what. */
static void check_bad_desc(const char *dir, const char *text, size_t len,
			   const char *what)
{
	struct ga_esrc_conf conf = { .root = dir };
	struct ga_esrc s;

	fix_write_data(dir, DESC, text, len);
	if (ga_esrc_open(&s, &ga_esrc_host, &conf) != -EINVAL)
		fail_msg("greenai-host '%s' opened", text);
	if (!strstr(s.reason, what) || !strstr(s.reason, "greenai-host"))
		fail_msg("greenai-host '%s': reason '%s', not '%s'", text,
			 s.reason, what);
	assert_int_equal(s.nr_zones, 0);
}

#define BAD(text, what) check_bad_desc(dir, text, sizeof(text) - 1, what)
#define HEAD "version 1\nvm g\ninterval_ms 1000\nseq 1\n"

static void bad_descriptions(void **state)
{
	char *dir = *state, big[5000];

	BAD("version 2\nvm g\ninterval_ms 1000\nseq 1\nhost:0 source=rapl measured\n",
	    "only version 1");
	BAD("vm g\ninterval_ms 1000\nseq 1\nhost:0 source=rapl measured\n",
	    "no version");
	BAD("", "no version");
	BAD("\x7f"
	    "ELF\x02\x01\x01",
	    "not printable");
	BAD("version 1\0vm g\n", "not printable");
	BAD("garbage\n", "'key value' expected");
	BAD("hello world\n", "no version");
	BAD(HEAD "\nhost:0 source=rapl measured\n", "line 5");
	BAD(HEAD "version 1\nhost:0 source=rapl measured\n", "twice");
	BAD(HEAD "host:0 source=rapl measured\nhost:0 source=rapl measured\n",
	    "twice");
	BAD(HEAD "host:0 source=rapl measured\nhost:2 source=rapl measured\n",
	    "without a gap");
	BAD(HEAD, "no domain");
	BAD(HEAD "host:01 source=rapl measured\n", "not host:INDEX");
	BAD(HEAD "host:32 source=rapl measured\n", "more domains than 32");
	BAD(HEAD "host:0 source=rapl guessed\n", "source=SRC");
	BAD(HEAD "host:0 rapl measured\n", "source=SRC");
	BAD(HEAD "host:0 source=RAPL measured\n", "source=SRC");
	BAD("version 1\nvm g\ninterval_ms 1000\nhost:0 source=rapl measured\n",
	    "no seq");
	BAD("version 1\nvm g\nseq 1\nhost:0 source=rapl measured\n",
	    "no interval_ms");
	BAD("version 1\ninterval_ms 1000\nseq 1\nhost:0 source=rapl measured\n",
	    "no vm");
	BAD("version 1\nvm g\ninterval_ms 0\nseq 1\nhost:0 source=rapl measured\n",
	    "interval_ms: bad value");
	BAD("version 1\nvm g\ninterval_ms 1000\nseq -1\nhost:0 source=rapl measured\n",
	    "seq: bad value");
	BAD("version 1\nvm ../etc\ninterval_ms 1000\nseq 1\nhost:0 source=rapl measured\n",
	    "vm: bad value");
	BAD("version one\n", "version: bad value");
	memset(big, '#', sizeof(big));
	memcpy(big, HEAD "host:0 source=rapl measured\nx ", 48);
	check_bad_desc(dir, big, sizeof(big), "longer than 4096 bytes");
}

/* A domain file written as @text does not open; the reason says @what. */
static void check_bad_file(const char *dir, const char *rel, const char *text,
			   const char *what)
{
	struct ga_esrc_conf conf = { .root = dir };
	char path[FIX_PATH_MAX];
	struct ga_esrc s;

	fix_path(path, dir, "var");
	assert_int_equal(fix_rm(path), 0);
	fix_copy_tree(GA_FIXTURES "/" TREE, dir);
	if (text) {
		fix_write(dir, rel, text);
	} else {
		fix_path(path, dir, rel);
		assert_int_equal(fix_rm(path), 0);
	}
	if (ga_esrc_open(&s, &ga_esrc_host, &conf) != -EINVAL)
		fail_msg("%s '%s' opened", rel, text ? text : "(missing)");
	if (!strstr(s.reason, what) || !strstr(s.reason, rel))
		fail_msg("%s '%s': reason '%s', not '%s'", rel,
			 text ? text : "(missing)", s.reason, what);
}

static void bad_domain_files(void **state)
{
	char *dir = fix_tmpdir_new();
	const char *const *bad;
	unsigned int i, n = fix_bad_decimals(&bad);

	*state = dir;
	for (i = 0; i < n; i++) {
		check_bad_file(dir, PKG, bad[i], "host:0/energy_uj: ");
		check_bad_file(dir, HOST "/host:1/max_energy_range_uj", bad[i],
			       "max_energy_range_uj: ");
	}
	check_bad_file(dir, PKG, "1234567890123456789012345678901234567890\n",
		       "not a plain decimal number");
	check_bad_file(dir, PKG, NULL, "missing");
	check_bad_file(dir, HOST "/host:1/name", NULL, "missing");
	check_bad_file(dir, PKG, "262143328851\n", "above max_energy_range_uj");
	check_bad_file(dir, HOST "/host:0/max_energy_range_uj", "0\n",
		       "0 or out of range");
	check_bad_file(dir, HOST "/host:1/name", "dram 0\n",
		       "not a domain name");
	check_bad_file(dir, HOST "/host:1/name", "../x\n", "not a domain name");
	check_bad_file(dir, HOST "/host:1/name",
		       "a-name-longer-than-thirty-one-bytes\n", "too long");
	check_bad_file(dir, HOST "/host:1/name", "package-0\n", "host:0's too");
}

/* After open, a malformed counter fails its zone's read only. */
static void malformed_counter_after_open(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	open_tree(&s, dir);
	/* a host that updates hourly: nothing goes stale over the reads */
	fix_write(
		dir, DESC,
		"version 1\nvm FAKE-guest\ninterval_ms 3600000\nseq 8\nhost:0 source=rapl measured\nhost:1 source=rapl measured\n");
	fix_check_malformed(&s, 1, dir, DRAM, "energy_uj", T(0));
	ga_esrc_close(&s);
}

/* After open, a bad greenai-host fails every zone, energy kept. */
static void bad_description_after_open(void **state)
{
	char *dir = *state;
	struct ga_esrc s;

	open_tree(&s, dir);
	update(dir, PKG, 1000000 + 10, 8);
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	fix_write(dir, DESC, "version 2\n");
	write_u64(dir, PKG, 1000000 + 20);
	fix_read_fails(&s, T(1), -EINVAL, 0, "only version 1");
	assert_non_null(strstr(s.zones[1].error, "only version 1"));
	assert_true(s.zones[0].energy_uj == 10);
	/* another VM's tree */
	fix_write(
		dir, DESC,
		"version 1\nvm other\ninterval_ms 1000\nseq 9\nhost:0 source=rapl measured\nhost:1 source=rapl measured\n");
	fix_read_fails(&s, T(2), -EINVAL, 0, "vm other, not FAKE-guest");
	/* back: counted from the last good reading */
	write_desc(dir, 10, "rapl measured");
	assert_int_equal(ga_esrc_read(&s, T(3), NULL), 0);
	assert_true(s.zones[0].energy_uj == 20);
	ga_esrc_close(&s);
}

/*
 * The raw counters greenai.ko's source=host is fed (mode_kmod.c): as the
 * tree gave them at the last read, none while the tree is stale.
 */
static void raw_counters_for_the_module(void **state)
{
	char *dir = *state;
	__u64 e = 0, r = 0;
	struct ga_esrc s;

	open_tree(&s, dir);
	assert_int_equal(ga_esrc_host_counter(&s, 0, &e, &r), 0);
	assert_true(e == 1000000 && r == PKG_RANGE);
	update(dir, PKG, 1000000 + 7, 8);
	assert_int_equal(ga_esrc_read(&s, T(0), NULL), 0);
	assert_int_equal(ga_esrc_host_counter(&s, 0, &e, &r), 0);
	assert_true(e == 1000007 && r == PKG_RANGE);
	assert_int_equal(ga_esrc_host_counter(&s, 1, &e, &r), 0);
	assert_true(e == 500000 && r == DRAM_RANGE);
	assert_int_equal(ga_esrc_host_counter(&s, 2, &e, &r), -EINVAL);
	assert_int_equal(ga_esrc_read(&s, T(3), NULL), -ESTALE);
	assert_int_equal(ga_esrc_host_counter(&s, 0, &e, &r), -ESTALE);
	ga_esrc_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zones_of_the_fake_tree),
		TREE_TEST(kinds_and_nesting_from_names),
		TREE_TEST(estimated_by_the_host),
		TREE_TEST(deltas_are_exact),
		TREE_TEST(wrap_at_the_range),
		TREE_TEST(counter_back_too_far_is_an_error),
		TREE_TEST(new_tree_counts_on),
		TREE_TEST(stale_tree_is_flagged),
		FIX_TEST(no_tree_no_source),
		TREE_TEST(host_dir_elsewhere),
		TREE_TEST(bad_descriptions),
		FIX_TEST(bad_domain_files),
		TREE_TEST(malformed_counter_after_open),
		TREE_TEST(bad_description_after_open),
		TREE_TEST(raw_counters_for_the_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
