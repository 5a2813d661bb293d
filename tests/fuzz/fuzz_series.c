// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: an intensity series, CSV or JSON as files and the two APIs
 * give them (ga_series_parse, ga_carbonaware_optimal), times and lengths;
 * a series taken is sorted, its spans do not overlap, and the best window
 * over it is a start it covers.
 */
#include <greenai/intensity_live.h>
#include <greenai/intensity_series.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ga_iseries s;
	char err[256], *str = fuzz_str(data, size);
	int64_t a, b, start;
	uint32_t mg;
	double mean;
	size_t i;

	ga_time_parse(str, &a);
	ga_duration_parse(str, &a);
	ga_carbonaware_optimal(str, size, &a, &b, &mg);
	ga_series_init(&s);
	if (!ga_series_parse(&s, (const char *)data, size, err, sizeof(err))) {
		for (i = 0; i + 1 < s.n; i++)
			if (s.p[i].t_ms >= s.p[i + 1].t_ms ||
			    s.p[i].dur_ms > s.p[i + 1].t_ms - s.p[i].t_ms)
				abort();
		if (s.p[0].t_ms > INT64_MIN + 1 &&
		    !ga_series_best_window(&s, s.p[0].t_ms,
					   s.p[0].t_ms + 86400000, 3600000,
					   &start, &mean) &&
		    ga_series_at(&s, start, &mg))
			abort();
	}
	ga_series_free(&s);
	free(str);
	return 0;
}
