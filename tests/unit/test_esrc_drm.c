// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the DRM GPU energy source (tools/lib/energy/esrc_drm.c) on the
 * fixture trees tests/fixtures/drm-{amdgpu,i915,xe}: sysfs cards with
 * their hwmon sensors, and /proc trees whose fdinfo files are what the
 * amdgpu, i915 and xe drivers print. Tests that move counters copy a
 * fixture into a temporary directory and rewrite files between reads.
 *
 * Expected energies are worked out by hand in the comments: a counter's
 * difference; power by the trapezoid rule, (P0 + P1) / 2 × Δt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/clock.h>

#include "energy/esrc.h"
#include "esrc_fixture.h"

#define SEC 1000000000ULL
#define AMD_HWMON0 "sys/class/drm/card0/device/hwmon/hwmon3"
#define I915_HWMON                                          \
	"sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/" \
	"0000:02:01.0/0000:03:00.0/hwmon/hwmon5"
#define XE_HWMON "sys/class/drm/card0/device/hwmon/hwmon2"

/* The copy of a fixture tree the running test changes; "": none. */
static char tmp[FIX_PATH_MAX];

static void copy_fixture(const char *name)
{
	fix_copy(name, tmp);
}

static void remove_tmp(void)
{
	assert_int_equal(fix_rm(tmp), 0);
	tmp[0] = '\0';
}

/* After each test, even a failed one: the copy goes. */
static int teardown(void **st)
{
	int err = 0;

	(void)st;
	if (tmp[0])
		err = fix_rm(tmp);
	tmp[0] = '\0';
	return err;
}

/* Write file @rel of the copy, printf-style. */
#define put(rel, ...) fix_writef(tmp, rel, __VA_ARGS__)

static void run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void open_root(struct ga_esrc *s, const char *root)
{
	fix_open(s, &ga_esrc_drm, root);
}

/* An amdgpu fdinfo as 6.1 prints it. */
static void amd_fdinfo(const char *rel, const char *pdev, unsigned int id,
		       unsigned long long gfx, unsigned long long compute,
		       unsigned long long dma)
{
	put(rel,
	    "pos:\t0\nflags:\t02100002\nmnt_id:\t26\nino:\t1023\n"
	    "drm-driver:\tamdgpu\ndrm-pdev:\t%s\npasid:\t32775\n"
	    "drm-client-id:\t%u\ndrm-memory-vram:\t123456 KiB\n"
	    "drm-memory-gtt: \t2048 KiB\ndrm-memory-cpu: \t0 KiB\n"
	    "drm-engine-gfx:\t%llu ns\ndrm-engine-compute:\t%llu ns\n"
	    "drm-engine-dma:\t%llu ns\n",
	    pdev, id, gfx, compute, dma);
}

static void drm_finds_gpu_cards_not_connectors(void **st)
{
	struct ga_esrc s;

	(void)st;
	open_root(&s, GA_FIXTURES "/drm-amdgpu");
	/* card0 and card1; card0-DP-1 is a connector, card2 a framebuffer */
	assert_int_equal(s.nr_zones, 2);
	fix_check_gpu_zone(&s, 0, 0, GREENAI_SRC_DRM,
			   "card0 amdgpu 0000:03:00.0 power1_average", true);
	fix_check_gpu_zone(&s, 1, 1, GREENAI_SRC_DRM,
			   "card1 amdgpu 0000:0c:00.0 power1_input", true);
	ga_esrc_close(&s);
	assert_null(s.zones);
}

static void drm_amdgpu_power_is_integrated_exactly(void **st)
{
	struct ga_esrc s;
	__u64 t;
	int i;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 0);
	assert_int_equal(s.zones[0].power_uw, 35000000);

	put(AMD_HWMON0 "/power1_average", "45000000\n");
	put("sys/class/drm/card1/device/hwmon/hwmon4/power1_input",
	    "130000000\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	/* (35 W + 45 W) / 2 × 2 s = 80 J; (120 W + 130 W) / 2 × 2 s = 250 J */
	assert_int_equal(s.zones[0].energy_uj, 80000000);
	assert_int_equal(s.zones[0].power_uw, 40000000);
	assert_int_equal(s.zones[1].energy_uj, 250000000);

	/* 7 mW × 142857 ns = 0.999999 µJ a read, carried: 999 µJ in 1000 */
	put(AMD_HWMON0 "/power1_average", "7000\n");
	t = 4 * SEC;
	assert_int_equal(ga_esrc_read(&s, t, NULL), 0);
	/* 45 W to 7 mW over 1 s: 22.5035 J */
	assert_int_equal(s.zones[0].energy_uj, 80000000 + 22503500);
	for (i = 0; i < 1000; i++) {
		t += 142857;
		assert_int_equal(ga_esrc_read(&s, t, NULL), 0);
	}
	/* floor(999.999 µJ): without the carry it would be 0 */
	assert_int_equal(s.zones[0].energy_uj, 80000000 + 22503500 + 999);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_amdgpu_apu_ppt_is_a_package_zone_never_added(void **st)
{
	struct ga_share sh[4];
	struct ga_esrc s;
	__u32 flags;

	(void)st;
	copy_fixture("drm-amdgpu");
	/* amdgpu gives only an APU the "vddnb" rail: card0 is one */
	put(AMD_HWMON0 "/in1_label", "vddnb\n");
	put(AMD_HWMON0 "/in1_input", "918\n");
	open_root(&s, tmp);
	assert_int_equal(s.nr_zones, 2);
	/* its PPT is the whole SoC's: the package's, nested, not a GPU's */
	fix_check_zone(&s.zones[0], "apu-0", GREENAI_DOM_PACKAGE,
		       GREENAI_SRC_DRM, 0, -1);
	assert_string_equal(s.zones[0].label,
			    "card0 amdgpu 0000:03:00.0 power1_average");
	assert_int_equal(s.zones[0].flags, GREENAI_F_NESTED);
	assert_false(s.zones[0].has_shares);
	assert_int_equal(ga_esrc_shares(&s, 0, sh, 4, &flags), -EOPNOTSUPP);
	/* the discrete card beside it is still a GPU */
	fix_check_gpu_zone(&s, 1, 1, GREENAI_SRC_DRM,
			   "card1 amdgpu 0000:0c:00.0 power1_input", true);
	/* the flag says what the zone is: a read keeps it, and counts */
	put(AMD_HWMON0 "/power1_average", "45000000\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].flags, GREENAI_F_NESTED);
	assert_int_equal(s.zones[0].energy_uj, 90000000);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_power_counts_from_open(void **st)
{
	struct ga_esrc s;
	__u64 before, after;

	(void)st;
	before = ga_mono_ns();
	open_root(&s, GA_FIXTURES "/drm-amdgpu");
	after = ga_mono_ns();
	/* 35 W from open, which was between before and after */
	fix_check_power_from_open(&s, 0, 35000000, before, after);
	ga_esrc_close(&s);
}

static void drm_amdgpu_energy_counter_is_preferred(void **st)
{
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	put(AMD_HWMON0 "/energy1_input", "1000\n");
	open_root(&s, tmp); /* the counter's reference: 1000 µJ */
	assert_string_equal(s.zones[0].label,
			    "card0 amdgpu 0000:03:00.0 energy1_input");
	assert_false(s.zones[0].integrated);

	put(AMD_HWMON0 "/energy1_input", "251000\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 250000);
	put(AMD_HWMON0 "/energy1_input", "1251000\n");
	assert_int_equal(ga_esrc_read(&s, 2 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 1250000);
	assert_int_equal(s.zones[0].power_uw, 1000000);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_i915_discrete_card_energy_integrated_gpu_left_out(void **st)
{
	struct ga_esrc s;

	(void)st;
	open_root(&s, GA_FIXTURES "/drm-i915");
	/* card0, the integrated GPU, has no hwmon; card1 found by links */
	assert_int_equal(s.nr_zones, 1);
	fix_check_gpu_zone(&s, 0, 1, GREENAI_SRC_DRM,
			   "card1 i915 0000:03:00.0 energy1_input", false);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 0);
	ga_esrc_close(&s);

	copy_fixture("drm-i915");
	open_root(&s, tmp);
	put(I915_HWMON "/energy1_input", "183650283041\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 10000000);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_xe_card_channel_is_preferred_to_package(void **st)
{
	struct ga_esrc s;

	(void)st;
	open_root(&s, GA_FIXTURES "/drm-xe");
	assert_int_equal(s.nr_zones, 1);
	assert_string_equal(s.zones[0].label,
			    "card0 xe 0000:03:00.0 energy1_input");
	ga_esrc_close(&s);

	/* the board's channel whatever its number */
	copy_fixture("drm-xe");
	put(XE_HWMON "/energy1_label", "pkg\n");
	put(XE_HWMON "/energy2_label", "card\n");
	open_root(&s, tmp);
	assert_string_equal(s.zones[0].label,
			    "card0 xe 0000:03:00.0 energy2_input");
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_counter_going_backwards_or_jumping_is_an_error(void **st)
{
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-i915");
	open_root(&s, tmp);
	put(I915_HWMON "/energy1_input", "183640284041\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 1000);

	/* the driver was reloaded */
	put(I915_HWMON "/energy1_input", "5000\n");
	fix_read_fails(&s, 2 * SEC, -ERANGE, 0, "backwards");
	assert_true(s.zones[0].flags & GREENAI_F_SUSPECT);

	put(I915_HWMON "/energy1_input", "7000\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_string_equal(s.zones[0].error, "");
	assert_int_equal(s.zones[0].energy_uj, 3000);

	/* 200 kJ in a second is no GPU's: an error too */
	put(I915_HWMON "/energy1_input", "200000007000\n");
	fix_read_fails(&s, 4 * SEC, -ERANGE, 0, "jumped");
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_malformed_sensor_value_is_a_zone_error(void **st)
{
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);

	put(AMD_HWMON0 "/power1_average", "35000000 uW\n");
	assert_int_equal(ga_esrc_read(&s, 2 * SEC, NULL), -EINVAL);
	assert_string_equal(s.zones[0].error,
			    "card0: power1_average: Invalid argument");
	assert_int_equal(s.zones[0].energy_uj, 0);
	assert_string_equal(s.zones[1].error, "");

	put(AMD_HWMON0 "/power1_average", "-1\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), -EINVAL);
	put(AMD_HWMON0 "/power1_average", "9223372036854775808\n");
	fix_read_fails(&s, 4 * SEC, -ERANGE, 0, "implausible");

	/* good again: 35 W over the 4 s since the last good reading */
	put(AMD_HWMON0 "/power1_average", "35000000\n");
	assert_int_equal(ga_esrc_read(&s, 5 * SEC, NULL), 0);
	assert_string_equal(s.zones[0].error, "");
	assert_int_equal(s.zones[0].energy_uj, 140000000);
	ga_esrc_close(&s);

	/* a card whose uevent has no PCI address is not a card of ours */
	put("sys/class/drm/card1/device/uevent", "DRIVER=amdgpu\n");
	open_root(&s, tmp);
	assert_int_equal(s.nr_zones, 1);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_vanished_card_is_a_zone_error(void **st)
{
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);

	run("mv '%s/" AMD_HWMON0 "' '%s/gone'", tmp, tmp);
	assert_int_equal(ga_esrc_read(&s, 2 * SEC, NULL), -ENOENT);
	assert_string_equal(s.zones[0].error,
			    "card0: power1_average: No such file or directory");
	assert_string_equal(s.zones[1].error, "");
	assert_int_equal(s.zones[0].energy_uj, 0);

	run("mv '%s/gone' '%s/" AMD_HWMON0 "'", tmp, tmp);
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 70000000);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_no_gpu_fails_open_with_reason(void **st)
{
	struct ga_esrc_conf conf = { 0 };
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	conf.root = tmp;
	run("rm -rf '%s/sys/class/drm/card0' '%s/sys/class/drm/card1'", tmp,
	    tmp);
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_drm, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "no amdgpu, i915 or xe GPU"));
	assert_null(s.zones);

	run("rm -rf '%s/sys'", tmp);
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_drm, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "no DRM devices"));
	remove_tmp();
}

static void drm_fdinfo_shares_count_each_client_once(void **st)
{
	struct ga_share out[8];
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp); /* busy times so far: the reference */

	/* client 7 (pid 1000 fds 5 and 6, its child 3000): +2 s gfx, +1 s
	 * compute; client 8 (pid 1000): +0.1 s; client 9 (pid 2000): +0.5 s
	 * gfx and +5 ms dma */
	amd_fdinfo("proc/1000/fdinfo/5", "0000:03:00.0", 7, 7000000000ULL,
		   2000000000ULL, 20000000);
	amd_fdinfo("proc/1000/fdinfo/6", "0000:03:00.0", 7, 7000000000ULL,
		   2000000000ULL, 20000000);
	amd_fdinfo("proc/3000/fdinfo/5", "0000:03:00.0", 7, 7000000000ULL,
		   2000000000ULL, 20000000);
	amd_fdinfo("proc/1000/fdinfo/7", "0000:03:00.0", 8, 400000000, 0, 0);
	amd_fdinfo("proc/2000/fdinfo/4", "0000:03:00.0", 9, 1200000000, 0,
		   10000000);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 2);
	fix_check_share(&out[0], 1000, 3100000000ULL);
	fix_check_share(&out[1], 2000, 505000000);

	/* nothing since */
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 2);
	assert_int_equal(out[0].weight, 0);
	assert_int_equal(out[1].weight, 0);

	/* card1's one client, of pid 5000 */
	amd_fdinfo("proc/5000/fdinfo/9", "0000:0c:00.0", 2, 950000000, 0, 0);
	assert_int_equal(fix_shares(&s, 1, out, 8, 0), 1);
	fix_check_share(&out[0], 5000, 50000000);

	/* room for one: the lowest PID, and a flag saying there was more */
	assert_int_equal(fix_shares(&s, 0, out, 1, GA_SHARE_TRUNCATED), 1);
	assert_int_equal(out[0].pid, 1000);
	/* room for just as many: not cut */
	assert_int_equal(fix_shares(&s, 0, out, 2, 0), 2);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_fdinfo_new_clients_and_engines_going_backwards(void **st)
{
	struct ga_share out[8];
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp);

	/* a process started since: all its busy time is new */
	run("mkdir -p '%s/proc/7000/fd' '%s/proc/7000/fdinfo' && "
	    "ln -s /dev/dri/renderD128 '%s/proc/7000/fd/4'",
	    tmp, tmp, tmp);
	amd_fdinfo("proc/7000/fdinfo/4", "0000:03:00.0", 11, 40000000, 0, 0);
	/* client 9's gfx reads lower: it counts nothing until it catches up */
	amd_fdinfo("proc/2000/fdinfo/4", "0000:03:00.0", 9, 600000000, 0,
		   6000000);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 3);
	fix_check_share(&out[1], 2000, 1000000);
	fix_check_share(&out[2], 7000, 40000000);

	amd_fdinfo("proc/2000/fdinfo/4", "0000:03:00.0", 9, 700000010, 0,
		   6000000);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 3);
	assert_int_equal(out[1].weight, 10);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_fdinfo_vanished_and_malformed_are_skipped(void **st)
{
	struct ga_share out[8];
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-amdgpu");
	open_root(&s, tmp);

	/* pid 2000 exits; pid 1000 exits, its child 3000 keeps client 7 */
	run("rm -rf '%s/proc/2000' '%s/proc/1000'", tmp, tmp);
	amd_fdinfo("proc/3000/fdinfo/5", "0000:03:00.0", 7, 5000000100ULL,
		   1000000000, 20000000);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 1);
	fix_check_share(&out[0], 3000, 100);

	/* pid 2500 is passed client 7 too: it stays 3000's */
	run("mkdir -p '%s/proc/2500/fd' '%s/proc/2500/fdinfo' && "
	    "ln -s /dev/dri/renderD128 '%s/proc/2500/fd/3'",
	    tmp, tmp, tmp);
	amd_fdinfo("proc/2500/fdinfo/3", "0000:03:00.0", 7, 5000000150ULL,
		   1000000000, 20000000);
	amd_fdinfo("proc/3000/fdinfo/5", "0000:03:00.0", 7, 5000000150ULL,
		   1000000000, 20000000);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 1);
	fix_check_share(&out[0], 3000, 50);
	run("rm -rf '%s/proc/2500'", tmp);

	/* a process whose fds went between listing and reading */
	run("rm -rf '%s/proc/3000/fdinfo'", tmp);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 0);

	/* malformed fdinfo: no id, a bad number, a bad unit, no engines */
	put("proc/6000/fdinfo/3",
	    "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\n"
	    "drm-engine-gfx:\t5 ns\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 0);
	put("proc/6000/fdinfo/3",
	    "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\n"
	    "drm-client-id:\t10\ndrm-engine-gfx:\t5 us\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 0);
	put("proc/6000/fdinfo/3",
	    "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\n"
	    "drm-client-id:\t-10\ndrm-engine-gfx:\t5 ns\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 0);
	put("proc/6000/fdinfo/3",
	    "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\n"
	    "drm-client-id:\t10\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 1);
	fix_check_share(&out[0], 6000, 0);

	/* no /proc at all: no clients, not an error */
	run("rm -rf '%s/proc'", tmp);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 0);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_fdinfo_i915_and_xe_engines(void **st)
{
	struct ga_share out[8];
	struct ga_esrc s;

	(void)st;
	copy_fixture("drm-i915");
	open_root(&s, tmp);
	/* render +500 ns, video +20 ns; a capacity is not a time, and the
	 * integrated GPU's client of the same process is another card's */
	put("proc/1200/fdinfo/8",
	    "pos:\t0\nflags:\t02100002\nmnt_id:\t26\nino:\t1047\n"
	    "drm-driver:\ti915\ndrm-pdev:\t0000:03:00.0\n"
	    "drm-client-id:\t41\ndrm-engine-render:\t987654821 ns\n"
	    "drm-engine-copy:\t0 ns\ndrm-engine-video:\t12345698 ns\n"
	    "drm-engine-capacity-video:\t4\n"
	    "drm-engine-video-enhance:\t0 ns\ndrm-engine-compute:\t0 ns\n");
	put("proc/1200/fdinfo/9",
	    "drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\n"
	    "drm-client-id:\t3\ndrm-engine-render:\t99999999 ns\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 2);
	fix_check_share(&out[0], 1200, 520);
	fix_check_share(&out[1], 1300, 0);
	ga_esrc_close(&s);
	remove_tmp();

	/* xe counts busy cycles; total cycles are the clock, not busy */
	copy_fixture("drm-xe");
	open_root(&s, tmp);
	run("sed -i 's/^drm-cycles-rcs:.*/drm-cycles-rcs:\\t28258900/; "
	    "s/^drm-total-cycles-rcs:.*/drm-total-cycles-rcs:\\t9655183225/; "
	    "s/^drm-cycles-ccs:.*/drm-cycles-ccs:\\t24/' "
	    "'%s/proc/700/fdinfo/6'",
	    tmp);
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 1);
	fix_check_share(&out[0], 700, 1024);
	ga_esrc_close(&s);
	remove_tmp();
}

static void drm_shares_of_a_bad_zone(void **st)
{
	struct ga_share out[1];
	struct ga_esrc s;
	__u32 flags;

	(void)st;
	open_root(&s, GA_FIXTURES "/drm-xe");
	assert_int_equal(ga_esrc_shares(&s, 1, out, 1, &flags), -EINVAL);
	ga_esrc_close(&s);
}

/* Every test removes its copy of a fixture, even when it fails. */
#define DRM_TEST(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DRM_TEST(drm_finds_gpu_cards_not_connectors),
		DRM_TEST(drm_amdgpu_power_is_integrated_exactly),
		DRM_TEST(drm_amdgpu_apu_ppt_is_a_package_zone_never_added),
		DRM_TEST(drm_power_counts_from_open),
		DRM_TEST(drm_amdgpu_energy_counter_is_preferred),
		DRM_TEST(drm_i915_discrete_card_energy_integrated_gpu_left_out),
		DRM_TEST(drm_xe_card_channel_is_preferred_to_package),
		DRM_TEST(drm_counter_going_backwards_or_jumping_is_an_error),
		DRM_TEST(drm_malformed_sensor_value_is_a_zone_error),
		DRM_TEST(drm_vanished_card_is_a_zone_error),
		DRM_TEST(drm_no_gpu_fails_open_with_reason),
		DRM_TEST(drm_fdinfo_shares_count_each_client_once),
		DRM_TEST(drm_fdinfo_new_clients_and_engines_going_backwards),
		DRM_TEST(drm_fdinfo_vanished_and_malformed_are_skipped),
		DRM_TEST(drm_fdinfo_i915_and_xe_engines),
		DRM_TEST(drm_shares_of_a_bad_zone),
	};

	return cmocka_run_group_tests_name("esrc_drm", tests, NULL, NULL);
}
