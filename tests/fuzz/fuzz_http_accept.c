// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: what greenai-exporter parses of an HTTP request itself: the
 * Accept header that chooses OpenMetrics (ga_expo_negotiate); and its
 * --listen address (gx_parse_listen). libmicrohttpd parses the rest of
 * the request; tests/host/exporter.bats sends it bad requests.
 */
#include <greenai/exposition.h>

#include "exporter.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct sockaddr_storage addr;
	socklen_t len;
	enum ga_expo_format f = ga_expo_negotiate(s);

	if (f != GA_EXPO_PROMETHEUS && f != GA_EXPO_OPENMETRICS)
		abort();
	if (!gx_parse_listen(s, &addr, &len) && len > sizeof(addr))
		abort();
	free(s);
	return 0;
}
