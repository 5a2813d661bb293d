// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the module's /proc/greenai text as libgreenai reads it: each
 * line of the input as a line of tasks (ga_kmod_parse_task) and of
 * cgroups (ga_kmod_parse_cgroup, whose path is unescaped), for 1 to
 * GREENAI_MAX_DOMAINS domains (the first byte). The files' other users
 * (ga_kmod_open) need /dev/greenai's ioctls and are tested in the VM.
 */
#include "engine/backend_kmod.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *save = NULL;
	unsigned int nd;

	if (!size)
		return 0;
	nd = 1 + data[0] % GREENAI_MAX_DOMAINS;
	text = fuzz_str(data + 1, size - 1);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *a = strdup(line), *b = strdup(line), *path = NULL;
		struct ga_acct_cgroup c;
		struct ga_acct_task t;

		if (!a || !b)
			abort();
		ga_kmod_parse_task(a, nd, &t);
		if (!ga_kmod_parse_cgroup(b, nd, &c, &path) && !path)
			abort();
		free(a);
		free(b);
	}
	free(text);
	return 0;
}
