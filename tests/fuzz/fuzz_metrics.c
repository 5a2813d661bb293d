// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a $GREENAI_METRICS file (ga_metrics_parse). */
#include <greenai/run_metrics.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ga_metrics m;
	unsigned int i;

	ga_metrics_parse((const char *)data, size, &m);
	if (m.nr > GA_METRICS_MAX)
		abort();
	for (i = 0; i < m.nr; i++)
		if (!m.m[i].key[0] || strlen(m.m[i].text) == 0)
			abort();
	return 0;
}
