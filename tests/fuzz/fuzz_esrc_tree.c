// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the sysfs trees the energy sources read, made from the input
 * (fuzz.h): powercap (sys/class/powercap) and hwmon (sys/class/hwmon) and
 * the DRM GPUs (sys/class/drm), and a VM host's hand-over tree
 * (var/lib/greenai/host), each opened and read twice, as a sample does,
 * then closed. The first byte picks the source.
 */

#include <greenai/attrib.h>

#include "energy/esrc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const struct ga_esrc_ops *ops;
		const char *prefix;
	} src[] = {
		{ &ga_esrc_powercap, "sys/class/powercap" },
		{ &ga_esrc_hwmon, "sys/class/hwmon" },
		{ &ga_esrc_drm, "sys/class/drm" },
		{ &ga_esrc_host, "var/lib/greenai/host" },
	};
	struct ga_esrc_conf conf = { 0 };
	struct ga_esrc s;
	char root[4096];
	unsigned int k;

	if (size < 2)
		return 0;
	k = data[0] % (sizeof(src) / sizeof(src[0]));
	if (fuzz_tree(data + 1, size - 1, src[k].prefix, root))
		return 0;
	conf.root = root;
	if (!ga_esrc_open(&s, src[k].ops, &conf)) {
		ga_esrc_read(&s, 1000000000ULL, NULL);
		ga_esrc_read(&s, 2000000000ULL, NULL);
		ga_esrc_close(&s);
	}
	fuzz_tree_remove(root);
	return 0;
}
