// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the NVML energy source (tools/lib/energy/esrc_nvml.c) against the
 * FAKE libnvidia-ml.so.1 of tests/fakes/nvml, which answers from a state
 * file each test writes (GA_FAKE_NVML_STATE): two GPUs, one with a total
 * energy counter and one with power readings only, their processes and
 * utilisation samples, and failures injected between reads.
 *
 * Expected energies are worked out by hand in the comments: a counter's
 * mJ × 1000; power by the trapezoid rule, (P0 + P1) / 2 × Δt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/clock.h>

#include "energy/esrc.h"
#include "esrc_fixture.h"

#define FAKE_NVML GA_BUILD "/tests/fakes/nvml/libnvidia-ml.so.1"
#define SEC 1000000000ULL

static char state_dir[FIX_PATH_MAX];
static char state_path[FIX_PATH_MAX];

/* Replace the fake's state with these "key=value" lines. */
static void state(const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	f = fopen(state_path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **st)
{
	(void)st;
	fix_tmpdir(state_dir);
	fix_path(state_path, state_dir, "state");
	setenv("GA_FAKE_NVML_STATE", state_path, 1);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return fix_rm(state_dir);
}

/* Two GPUs: an A100 with an energy counter, a P100 with power only. */
#define TWO_GPUS                         \
	"gpus=2\n"                       \
	"name.0=NVIDIA A100-SXM4-40GB\n" \
	"name.1=Tesla P100-PCIE-16GB\n"

static void open_fake(struct ga_esrc *s)
{
	struct ga_esrc_conf conf = { .nvml_lib = FAKE_NVML };

	fix_open_conf(s, &ga_esrc_nvml, &conf);
}

static void nvml_zones_one_per_gpu(void **st)
{
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=1000\npower_mw.0=250000\n"
		       "power_mw.1=50000\n");
	open_fake(&s);
	assert_int_equal(s.nr_zones, 2);
	fix_check_gpu_zone(&s, 0, 0, GREENAI_SRC_NVML,
			   "nvml:0 NVIDIA A100-SXM4-40GB", false);
	fix_check_gpu_zone(&s, 1, 1, GREENAI_SRC_NVML,
			   "nvml:1 Tesla P100-PCIE-16GB", true);
	ga_esrc_close(&s);
}

static void nvml_energy_counter_and_power_integration_exact(void **st)
{
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=1000\npower_mw.1=50000\n");
	open_fake(&s); /* the counter's reference: 1000 mJ */

	state(TWO_GPUS "energy_mj.0=1500\npower_mw.1=50000\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	/* 500 mJ since open; the first power reading only starts the clock */
	assert_int_equal(s.zones[0].energy_uj, 500000);
	assert_int_equal(s.zones[1].energy_uj, 0);
	assert_int_equal(s.zones[1].power_uw, 50000000);

	state(TWO_GPUS "energy_mj.0=1750\npower_mw.1=70000\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC + SEC / 2, NULL), 0);
	/* 250 mJ in 0.5 s: 0.5 W */
	assert_int_equal(s.zones[0].energy_uj, 750000);
	assert_int_equal(s.zones[0].power_uw, 500000);
	/* (50 W + 70 W) / 2 × 0.5 s = 30 J */
	assert_int_equal(s.zones[1].energy_uj, 30000000);
	assert_int_equal(s.zones[1].power_uw, 60000000);
	assert_string_equal(s.zones[0].error, "");
	assert_string_equal(s.zones[1].error, "");
	ga_esrc_close(&s);
}

static void nvml_power_integration_carries_remainder(void **st)
{
	struct ga_esrc s;
	__u64 t = 0;
	int i;

	(void)st;
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=7\n");
	open_fake(&s);
	assert_int_equal(ga_esrc_read(&s, t, NULL), 0);
	/* 7 mW × 142857 ns = 0.999999 µJ a read: dropped each time, 0 */
	for (i = 0; i < 1000; i++) {
		t += 142857;
		assert_int_equal(ga_esrc_read(&s, t, NULL), 0);
	}
	/* carried: floor(1000 × 0.999999) = 999 µJ */
	assert_int_equal(s.zones[1].energy_uj, 999);
	ga_esrc_close(&s);
}

static void nvml_power_counts_from_open(void **st)
{
	struct ga_esrc s;
	__u64 before, after;

	(void)st;
	state(TWO_GPUS "energy_mj.0=1000\npower_mw.1=40000\n");
	before = ga_mono_ns();
	open_fake(&s);
	after = ga_mono_ns();
	/* 40 W from open, which was between before and after */
	fix_check_power_from_open(&s, 1, 40000000, before, after);
	ga_esrc_close(&s);
}

static void nvml_shares_from_utilisation_samples(void **st)
{
	struct ga_share out[8];
	struct ga_esrc s;

	(void)st;
	/* a sample from before open does not count */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\n"
		       "procs.0=100,200\nsamples.0=100:90:500\n");
	open_fake(&s);
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nprocs.0=100,200\n"
		       "samples.0=100:90:500,100:30:1000,200:10:1000,"
		       "100:20:2000\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 2);
	fix_check_share(&out[0], 100, 50);
	fix_check_share(&out[1], 200, 10);

	/* only the samples since the last call */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nprocs.0=100,200\n"
		       "samples.0=100:30:1000,200:10:1000,100:20:2000,"
		       "100:5:3000\n");
	assert_int_equal(fix_shares(&s, 0, out, 8, 0), 1);
	fix_check_share(&out[0], 100, 5);

	/* room for one: the lowest PID, and a flag saying there was more */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nprocs.0=100,200\n"
		       "samples.0=200:10:4000,100:5:4000\n");
	assert_int_equal(fix_shares(&s, 0, out, 1, GA_SHARE_TRUNCATED), 1);
	assert_int_equal(out[0].pid, 100);
	ga_esrc_close(&s);
}

static void nvml_shares_equal_split_fallback_is_flagged(void **st)
{
	struct ga_share out[16];
	struct ga_esrc s;
	int i;

	(void)st;
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nutil.1=unsupported\n"
		       "procs.1=300,301,300\nprocs.0=7\n");
	open_fake(&s);
	/* utilisation not supported: one each, a PID listed twice once */
	assert_int_equal(fix_shares(&s, 1, out, 16, GA_SHARE_EQUAL), 2);
	fix_check_share(&out[0], 300, 1);
	fix_check_share(&out[1], 301, 1);

	/* supported but no sample since the last call: the same */
	assert_int_equal(fix_shares(&s, 0, out, 16, GA_SHARE_EQUAL), 1);
	assert_int_equal(out[0].pid, 7);

	/* samples that sum to nothing: the same */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nprocs.0=7,8\n"
		       "samples.0=7:0:10\n");
	assert_int_equal(fix_shares(&s, 0, out, 16, GA_SHARE_EQUAL), 2);

	/* nine processes start between the count and the list call */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nutil.1=unsupported\n"
		       "procs.1=1,2,3,4,5,6,7,8,9,10,11,12\nrace.1=9\n");
	assert_int_equal(fix_shares(&s, 1, out, 16, GA_SHARE_EQUAL), 12);
	for (i = 0; i < 12; i++)
		assert_int_equal(out[i].pid, i + 1);

	/* room for two of three: the lowest PIDs, flagged cut */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nutil.1=unsupported\n"
		       "procs.1=30,10,20\n");
	assert_int_equal(fix_shares(&s, 1, out, 2,
				    GA_SHARE_EQUAL | GA_SHARE_TRUNCATED),
			 2);
	assert_int_equal(out[0].pid, 10);
	assert_int_equal(out[1].pid, 20);

	/* nothing on the GPU */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\nutil.1=unsupported\n");
	assert_int_equal(fix_shares(&s, 1, out, 16, 0), 0);
	ga_esrc_close(&s);
}

static void nvml_library_missing_fails_open_with_reason(void **st)
{
	struct ga_esrc_conf conf = { .nvml_lib =
					     "/nonexistent/libnvidia-ml.so.1" };
	struct ga_esrc s;
	void *dl;

	(void)st;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -ENOENT);
	assert_string_equal(
		s.reason,
		"no NVIDIA driver: /nonexistent/libnvidia-ml.so.1 not found");
	assert_int_equal(s.nr_zones, 0);

	/* a library that is not NVML */
	conf.nvml_lib = "libm.so.6";
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -EOPNOTSUPP);
	assert_non_null(strstr(s.reason, "nvmlInit_v2"));

	/* the default name, on a host without the NVIDIA driver */
	dl = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
	if (dl) {
		dlclose(dl);
		return; /* a real driver here: nothing to test */
	}
	conf.nvml_lib = NULL;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -ENOENT);
	assert_string_equal(s.reason,
			    "no NVIDIA driver: libnvidia-ml.so.1 not found");
}

static void nvml_init_or_count_failing_fails_open(void **st)
{
	struct ga_esrc_conf conf = { .nvml_lib = FAKE_NVML };
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=0\nfail=nvmlInit_v2:9\n");
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -ENODEV);
	assert_string_equal(s.reason, "nvml: nvmlInit_v2: Driver Not Loaded");

	state(TWO_GPUS "energy_mj.0=0\nfail=nvmlDeviceGetCount_v2\n");
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -EIO);
	assert_string_equal(s.reason,
			    "nvml: nvmlDeviceGetCount_v2: Unknown Error");

	state("gpus=0\n");
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "no GPU"));

	/* neither energy nor power on any GPU */
	state("gpus=1\n");
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_nvml, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "energy or power"));

	/* a GPU that cannot be reached, or has no sensor, is left out */
	state("gpus=3\nenergy_mj.0=0\npower_mw.1=1\n"
	      "fail=nvmlDeviceGetHandleByIndex_v2@0\n");
	open_fake(&s);
	assert_int_equal(s.nr_zones, 1);
	assert_string_equal(s.zones[0].name, "gpu-1");
	assert_int_equal(s.zones[0].package, 1);
	ga_esrc_close(&s);
}

static void nvml_call_failing_halfway_is_a_zone_error(void **st)
{
	struct ga_share out[4];
	struct ga_esrc s;
	__u32 flags;

	(void)st;
	state(TWO_GPUS "energy_mj.0=1000\npower_mw.1=50000\n");
	open_fake(&s);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);

	/* GPU 1 falls off the bus: its zone says so, GPU 0 is still read */
	state(TWO_GPUS "energy_mj.0=2000\npower_mw.1=50000\n"
		       "fail=nvmlDeviceGetPowerUsage@1:15\n");
	assert_int_equal(ga_esrc_read(&s, 2 * SEC, NULL), -ENODEV);
	assert_string_equal(s.zones[1].error,
			    "nvmlDeviceGetPowerUsage: GPU is lost");
	assert_int_equal(s.zones[1].energy_uj, 0);
	assert_string_equal(s.zones[0].error, "");
	assert_int_equal(s.zones[0].energy_uj, 1000000);

	/* back: the gap is integrated, 50 W × 2 s; the counter fails now */
	state(TWO_GPUS "energy_mj.0=3000\npower_mw.1=50000\n"
		       "fail=nvmlDeviceGetTotalEnergyConsumption@0\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), -EIO);
	assert_string_equal(
		s.zones[0].error,
		"nvmlDeviceGetTotalEnergyConsumption: Unknown Error");
	assert_int_equal(s.zones[0].energy_uj, 1000000);
	assert_string_equal(s.zones[1].error, "");
	assert_int_equal(s.zones[1].energy_uj, 100000000);

	/* the counter back: nothing lost since its last good reading */
	state(TWO_GPUS "energy_mj.0=3500\npower_mw.1=50000\n");
	assert_int_equal(ga_esrc_read(&s, 4 * SEC, NULL), 0);
	assert_string_equal(s.zones[0].error, "");
	assert_int_equal(s.zones[0].energy_uj, 2500000);

	/* no utilisation and no process list: an error, not a figure */
	state(TWO_GPUS "energy_mj.0=3500\npower_mw.1=50000\nprocs.0=1\n"
		       "fail=nvmlDeviceGetProcessUtilization,"
		       "nvmlDeviceGetComputeRunningProcesses_v3\n");
	assert_int_equal(ga_esrc_shares(&s, 0, out, 4, &flags), -EIO);
	ga_esrc_close(&s);
}

static void nvml_energy_support_unknown_at_open_is_asked_again(void **st)
{
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=1000\npower_mw.1=1\n"
		       "fail=nvmlDeviceGetTotalEnergyConsumption@0:15\n");
	open_fake(&s);
	assert_int_equal(s.nr_zones, 2);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), -ENODEV);
	assert_int_equal(s.zones[0].energy_uj, 0);

	/* answers now: that reading is the reference */
	state(TWO_GPUS "energy_mj.0=1200\npower_mw.1=1\n");
	assert_int_equal(ga_esrc_read(&s, 2 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 0);
	assert_false(s.zones[0].integrated);
	state(TWO_GPUS "energy_mj.0=1300\npower_mw.1=1\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 100000);
	assert_int_equal(s.zones[0].power_uw, 100000);
	ga_esrc_close(&s);
}

static void nvml_counter_going_backwards_or_jumping_is_an_error(void **st)
{
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=4000\npower_mw.1=1\n");
	open_fake(&s);
	state(TWO_GPUS "energy_mj.0=5000\npower_mw.1=1\n");
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	assert_int_equal(s.zones[0].energy_uj, 1000000);

	/* the driver was reloaded: its counter starts again */
	state(TWO_GPUS "energy_mj.0=100\npower_mw.1=1\n");
	fix_read_fails(&s, 2 * SEC, -ERANGE, 0, "backwards");
	assert_true(s.zones[0].flags & GREENAI_F_SUSPECT);
	assert_string_equal(s.zones[1].error, "");

	state(TWO_GPUS "energy_mj.0=300\npower_mw.1=1\n");
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_string_equal(s.zones[0].error, "");
	assert_int_equal(s.zones[0].energy_uj, 1200000);

	/* 200 kJ in a second is no GPU's: an error too */
	state(TWO_GPUS "energy_mj.0=200000300\npower_mw.1=1\n");
	fix_read_fails(&s, 4 * SEC, -ERANGE, 0, "jumped");
	ga_esrc_close(&s);
}

static void nvml_implausible_power_is_an_error(void **st)
{
	struct ga_esrc s;

	(void)st;
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1000\n");
	open_fake(&s);
	assert_int_equal(ga_esrc_read(&s, 1 * SEC, NULL), 0);
	/* 4 GW */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=4000000000\n");
	fix_read_fails(&s, 2 * SEC, -ERANGE, 1, "implausible");
	/* a time not after the last good reading's integrates nothing */
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1000\n");
	assert_int_equal(ga_esrc_read(&s, SEC / 2, NULL), 0);
	assert_int_equal(s.zones[1].energy_uj, 0);
	/* 1 W over the 2.5 s since */
	assert_int_equal(ga_esrc_read(&s, 3 * SEC, NULL), 0);
	assert_int_equal(s.zones[1].energy_uj, 2500000);
	/* an energy counter past 2^64 µJ */
	state(TWO_GPUS "energy_mj.0=18446744073709552\npower_mw.1=1000\n");
	fix_read_fails(&s, 4 * SEC, -ERANGE, 0, "implausible");
	/* the other GPU is read all the same: 1 W over that second */
	assert_int_equal(s.zones[1].energy_uj, 2500000 + 1000000);
	ga_esrc_close(&s);
}

static void nvml_reopen_after_close(void **st)
{
	struct ga_esrc s;
	int i;

	(void)st;
	state(TWO_GPUS "energy_mj.0=0\npower_mw.1=1\n");
	for (i = 0; i < 3; i++) {
		open_fake(&s);
		assert_int_equal(s.nr_zones, 2);
		ga_esrc_close(&s);
		assert_null(s.zones);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nvml_zones_one_per_gpu),
		cmocka_unit_test(
			nvml_energy_counter_and_power_integration_exact),
		cmocka_unit_test(nvml_power_integration_carries_remainder),
		cmocka_unit_test(nvml_power_counts_from_open),
		cmocka_unit_test(nvml_shares_from_utilisation_samples),
		cmocka_unit_test(nvml_shares_equal_split_fallback_is_flagged),
		cmocka_unit_test(nvml_library_missing_fails_open_with_reason),
		cmocka_unit_test(nvml_init_or_count_failing_fails_open),
		cmocka_unit_test(nvml_call_failing_halfway_is_a_zone_error),
		cmocka_unit_test(
			nvml_energy_support_unknown_at_open_is_asked_again),
		cmocka_unit_test(
			nvml_counter_going_backwards_or_jumping_is_an_error),
		cmocka_unit_test(nvml_implausible_power_is_an_error),
		cmocka_unit_test(nvml_reopen_after_close),
	};

	return cmocka_run_group_tests_name("esrc_nvml", tests, setup, teardown);
}
