// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the ABI header: field offsets that readers in other
 * languages rely on, ioctl numbers that encode their argument's size and
 * direction, and limits that agree with each other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/ioctl.h>

#include <uapi/greenai.h>

static void record_header_layout(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct greenai_rec_hdr, type), 0);
	assert_int_equal(offsetof(struct greenai_rec_hdr, size), 2);
	assert_int_equal(offsetof(struct greenai_rec_hdr, seq), 4);
	assert_int_equal(offsetof(struct greenai_rec_hdr, ts_ns), 8);
}

static void records_start_with_the_header_and_are_8_byte_multiples(void **s)
{
	(void)s;
	assert_int_equal(offsetof(struct greenai_rec_interval, hdr), 0);
	assert_int_equal(offsetof(struct greenai_rec_task_exit, hdr), 0);
	assert_int_equal(offsetof(struct greenai_rec_lost, hdr), 0);
	assert_int_equal(sizeof(struct greenai_rec_interval) % 8, 0);
	assert_int_equal(sizeof(struct greenai_rec_task_exit) % 8, 0);
	assert_int_equal(sizeof(struct greenai_rec_lost) % 8, 0);
	assert_int_equal(sizeof(struct greenai_domain) % 8, 0);
	/* the per-domain energies follow the fixed part directly */
	assert_int_equal(offsetof(struct greenai_rec_task_exit, energy),
			 sizeof(struct greenai_rec_task_exit));
}

static void u64_fields_are_naturally_aligned(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct greenai_rec_interval, start_ns) % 8, 0);
	assert_int_equal(offsetof(struct greenai_rec_interval, energy_uj), 40);
	assert_int_equal(offsetof(struct greenai_rec_task_exit, cgroup_id), 32);
	assert_int_equal(offsetof(struct greenai_domain, unit_num), 24);
	assert_int_equal(offsetof(struct greenai_domain, name), 56);
	assert_int_equal(offsetof(struct greenai_info, ring_bytes), 16);
}

static void ioctls_encode_size_and_direction(void **state)
{
	(void)state;
	assert_int_equal(_IOC_TYPE(GREENAI_IOC_INFO), GREENAI_IOC_MAGIC);
	assert_int_equal(_IOC_SIZE(GREENAI_IOC_INFO),
			 sizeof(struct greenai_info));
	assert_int_equal(_IOC_DIR(GREENAI_IOC_INFO), _IOC_READ);
	assert_int_equal(_IOC_SIZE(GREENAI_IOC_DOMAIN),
			 sizeof(struct greenai_domain));
	assert_int_equal(_IOC_DIR(GREENAI_IOC_DOMAIN), _IOC_READ | _IOC_WRITE);
	assert_int_equal(_IOC_DIR(GREENAI_IOC_FLUSH), _IOC_NONE);
	assert_int_not_equal(_IOC_NR(GREENAI_IOC_INFO),
			     _IOC_NR(GREENAI_IOC_DOMAIN));
}

static void limits_are_consistent(void **state)
{
	(void)state;
	assert_true(GREENAI_INTERVAL_MIN_MS <= GREENAI_INTERVAL_DEF_MS);
	assert_true(GREENAI_INTERVAL_DEF_MS <= GREENAI_INTERVAL_MAX_MS);
	assert_true(sizeof(struct greenai_rec_task_exit) +
		    GREENAI_MAX_DOMAINS * sizeof(struct greenai_energy) <=
		    GREENAI_REC_MAX_SIZE);
	/* a record's size must fit its 16-bit size field */
	assert_true(GREENAI_REC_MAX_SIZE <= UINT16_MAX);
	assert_int_equal(sizeof(((struct greenai_rec_task_exit *)0)->comm),
			 GREENAI_COMM_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_header_layout),
		cmocka_unit_test(records_start_with_the_header_and_are_8_byte_multiples),
		cmocka_unit_test(u64_fields_are_naturally_aligned),
		cmocka_unit_test(ioctls_encode_size_and_direction),
		cmocka_unit_test(limits_are_consistent),
	};

	return cmocka_run_group_tests_name("uapi", tests, NULL, NULL);
}
