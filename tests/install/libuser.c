// SPDX-License-Identifier: GPL-2.0
/*
 * A program of someone else's, built against an installed libgreenai with
 * pkg-config (tests/host/install.bats): it includes the one public header
 * and calls the library without root or a backend. Prints key=value lines.
 */
#include <stdio.h>

#include <greenai/libgreenai.h>

int main(void)
{
	static const char path[] = "/system.slice/docker-"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		".scope";
	struct ga_intensity in;
	struct ga_container c;
	double score;
	uint64_t ug;

	printf("version=%s\n", GREENAI_VERSION);
	if (ga_intensity_region("FR", &in))
		return 1;
	printf("fr_mg_per_kwh=%u\n", in.mg_per_kwh);
	if (ga_co2_ug(GA_UJ_PER_KWH, in.mg_per_kwh, GA_PUE_MIN_MILLI, &ug))
		return 1;
	printf("co2_ug_of_a_kwh=%llu\n", (unsigned long long)ug);
	/* the Green Score's own example: BERT, 90 % at 550 kg */
	if (ga_green_score(90, 550, &score))
		return 1;
	printf("green_score=%.3f\n", score);
	if (ga_container_parse(path, &c))
		return 1;
	printf("runtime=%s\nshort_id=%s\n", ga_runtime_name(c.runtime),
	       c.short_id);
	return 0;
}
