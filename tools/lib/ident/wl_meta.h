/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names a container's cgroup path does not carry: the container's name,
 * its pod's name and namespace, read from the files the runtimes and the
 * kubelet leave on the node, without any runtime socket:
 *
 *   containerd  run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/
 *               config.json: annotations io.kubernetes.cri.container-name,
 *               io.kubernetes.cri.sandbox-name, -sandbox-namespace
 *   CRI-O       run/containers/storage/overlay-containers/<id>/userdata/
 *               config.json (and under var/lib/containers): annotations
 *               io.kubernetes.container.name, io.kubernetes.pod.name,
 *               io.kubernetes.pod.namespace
 *   docker      var/lib/docker/containers/<id>/config.v2.json: "Name",
 *               and Config.Labels as CRI-O's annotations (cri-dockerd)
 *   kubelet     var/log/pods/<namespace>_<name>_<uid>/, for a pod whose
 *               containers' files say nothing
 *
 * Paths are under a root ("/", or a fixture tree in tests). Files larger
 * than 1 MiB, or JSON deeper than 32 levels, are not read. Strings that
 * are not what a Kubernetes name can be are left out.
 */
#ifndef _GREENAI_WL_META_H
#define _GREENAI_WL_META_H

#include <greenai/container.h>

#define GA_META_NAME_MAX	253	/* a DNS subdomain, Kubernetes' longest */

struct ga_wl_meta {
	char container_name[GA_META_NAME_MAX + 1];
	char pod_name[GA_META_NAME_MAX + 1];
	char pod_namespace[GA_META_NAME_MAX + 1];
};

void ga_wl_meta_read(const char *root, const struct ga_container *ct,
		     struct ga_wl_meta *out);

#endif /* _GREENAI_WL_META_H */
