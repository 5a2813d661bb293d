// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a cgroup path, as containers' runtimes make them. */
#include <greenai/container.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_str(data, size);
	struct ga_container c;

	if (!ga_container_parse(path, &c) &&
	    strnlen(c.id, sizeof(c.id)) == sizeof(c.id))
		abort();
	free(path);
	return 0;
}
