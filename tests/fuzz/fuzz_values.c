// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the one-value parsers: sysfs numbers, CPU lists,
 * /proc/PID/stat, and the figures users give (intensity, PUE, accuracy,
 * seconds, provider lists).
 */
#include <greenai/carbon.h>
#include <greenai/cgroup.h>
#include <greenai/files.h>
#include <greenai/identity.h>
#include <greenai/intensity.h>
#include <greenai/intensity_live.h>

#include "fuzz.h"
#include "base/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ga_provider order[GA_PROV_NR];
	char *s = fuzz_str(data, size);
	unsigned char set[1024];
	struct ga_proc_stat st;
	struct ga_intensity in;
	unsigned int nr;
	uint64_t u;
	int64_t v;
	uint32_t x;
	double d;

	ga_parse_u64(s, &u);
	ga_parse_s64(s, &v);
	ga_cpulist_parse(s, set, sizeof(set));
	ga_proc_stat_parse(s, &st);
	if (!ga_intensity_parse_g(s, &x) && x > GA_INTENSITY_MAX_MG)
		abort();
	if (!ga_pue_parse(s, &x) &&
	    (x < GA_PUE_MIN_MILLI || x > GA_PUE_MAX_MILLI))
		abort();
	if (!ga_accuracy_parse(s, &d) && !(d >= 0 && d <= 100))
		abort();
	ga_co2_kg_parse(s, &d);
	ga_intensity_region(s, &in);
	ga_live_parse_seconds(s, 0, 86400000, &x);
	if (!ga_live_parse_order(s, order, &nr) && (!nr || nr > GA_PROV_NR))
		abort();
	free(s);
	return 0;
}
