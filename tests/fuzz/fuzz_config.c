// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: greenai.conf (ga_config_parse): whole or refused. */
#include <string.h>

#include <greenai/config.h>

#include "fuzz.h"

static struct ga_config cfg, before;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[GA_CONFIG_FROM_MAX + 256];

	memset(&cfg, 0, sizeof(cfg));
	before = cfg;
	/* a file refused leaves the settings as they were */
	if (ga_config_parse(&cfg, (const char *)data, size, "fuzz.conf", err,
			    sizeof(err)) &&
	    memcmp(&cfg, &before, sizeof(cfg)))
		abort();
	return 0;
}
