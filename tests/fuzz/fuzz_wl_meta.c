// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the runtimes' files that name containers and pods
 * (ga_wl_meta_read): the input is the config.json of a containerd, CRI-O
 * or docker container (the first byte picks which), read from a tree; the
 * names taken are what Kubernetes names can be.
 */
#include <ctype.h>

#include "fuzz.h"
#include "ident/wl_meta.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' &&
		    *s != '_')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum ga_runtime rt;
		const char *file;
	} kind[] = {
		{ GA_RT_CONTAINERD, "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/config.json" },
		{ GA_RT_CRIO, "run/containers/storage/overlay-containers/" ID "/userdata/config.json" },
		{ GA_RT_DOCKER, "var/lib/docker/containers/" ID "/config.v2.json" },
	};
	struct ga_container ct = { 0 };
	struct ga_wl_meta m;
	char root[4096], path[4400];
	unsigned int k;
	int fd;

	if (!size)
		return 0;
	k = data[0] % 3;
	snprintf(root, sizeof(root), "/dev/shm/greenai-fuzz-XXXXXX");
	if (!mkdtemp(root))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", root, kind[k].file);
	fuzz_mkdirs(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, data + 1, size - 1) < 0)
			abort();
		close(fd);
	}
	ct.runtime = kind[k].rt;
	memcpy(ct.id, ID, sizeof(ID));
	ga_wl_meta_read(root, &ct, &m);
	check_name(m.container_name);
	check_name(m.pod_name);
	check_name(m.pod_namespace);
	fuzz_tree_remove(root);
	return 0;
}
