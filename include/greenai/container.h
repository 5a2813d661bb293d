/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cgroup path says about the workload in it: the container runtime
 * and container id, the Kubernetes pod and QoS class, the systemd unit.
 *
 * ga_container_parse() is a pure function of the path (no I/O, no
 * allocation): it is given the path of /proc/PID/cgroup, or a cgroup v1
 * directory such as /sys/fs/cgroup/memory/docker/<id>, and recognises the
 * names the runtimes give their cgroups:
 *
 *   docker      /docker/<id>                       (cgroupfs driver)
 *               /system.slice/docker-<id>.scope    (systemd driver)
 *   containerd  /kubepods/<qos>/pod<uid>/<id>      (CRI, cgroupfs: the
 *                 runtime is not in the name, so "kubepods")
 *               /kubepods.slice/kubepods-<qos>.slice/
 *                 kubepods-<qos>-pod<uid_with_underscores>.slice/
 *                 cri-containerd-<id>.scope        (CRI, systemd)
 *               /<namespace>/<id>, nerdctl-<id>.scope  (not CRI)
 *   cri-o       crio-<id>.scope, crio-<id>; crio-conmon-<id>.scope is the
 *                 container's monitor (GA_CT_CONMON), not the container
 *   podman      libpod-<id>.scope (and its "container" child on crun),
 *               libpod-conmon-<id>.scope, /libpod_parent/libpod-<id>;
 *               rootless under user@UID.service (GA_CT_ROOTLESS)
 *   lxc         /lxc/<name>, lxc.payload.<name>, lxc.monitor.<name>
 *   systemd     the innermost *.service or *.scope, when no container
 *
 * Only where the runtimes put them: a runtime's name in a subtree some
 * user or service was given (delegated) is not a container. Containers
 * and pods are found at the top of the tree or in their runtime's slice
 * (system.slice, machine.slice, kubepods[.slice], /docker, /lxc,
 * /libpod_parent, a containerd namespace), inside a container so found,
 * or in a user's systemd instance, /user.slice/user-UID.slice/
 * user@UID.service, as that user's (GA_CT_ROOTLESS, owner_uid): a
 * user's container is never the same as root's of the same id.
 *
 * A container inside a container (kind, k3d: a kubelet in a docker
 * container) is reported by its innermost container, with the outermost
 * in outer_runtime/outer_id and GA_CT_NESTED. Container ids are 64
 * lower-case hex digits, kept whole; pod UIDs are 8-4-4-4-12 hex with
 * dashes (systemd slices escape them with underscores) or 32 hex digits
 * (static pods).
 *
 * A path that is not a canonical absolute path (empty, "." or ".."
 * components, a trailing '/', control characters, a component longer than
 * NAME_MAX, GA_PATH_MAX or longer in all) is rejected: runtime none.
 */
#ifndef _GREENAI_CONTAINER_H
#define _GREENAI_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#define GA_CONTAINER_ID_LEN 64 /* hex digits of a full id */
#define GA_CONTAINER_SHORT_LEN 12 /* of the short form ("docker ps") */
#define GA_POD_UID_LEN 36 /* 8-4-4-4-12 */
#define GA_UNIT_NAME_MAX 255 /* systemd's limit, less the NUL */
#define GA_CONTAINER_NAME_MAX 64 /* an LXC container's name */

enum ga_runtime {
	GA_RT_NONE, /* not in a container */
	GA_RT_DOCKER,
	GA_RT_CONTAINERD,
	GA_RT_CRIO,
	GA_RT_PODMAN,
	GA_RT_LXC,
	GA_RT_KUBEPODS, /* a pod's container, runtime not named */
	GA_RT_SYSTEMD, /* a systemd service or scope */
	GA_RT_UNKNOWN, /* a container id under an unknown parent */
	GA_RT_NR,
};

enum ga_qos {
	GA_QOS_NONE, /* not in a pod */
	GA_QOS_GUARANTEED,
	GA_QOS_BURSTABLE,
	GA_QOS_BESTEFFORT,
	GA_QOS_NR,
};

/* ga_container.flags */
#define GA_CT_CRI (1u << 0) /* made for a Kubernetes pod */
#define GA_CT_CONMON (1u << 1) /* the runtime's monitor (conmon, lxc.monitor) */
#define GA_CT_NESTED (1u << 2) /* inside another container */
#define GA_CT_ROOTLESS (1u << 3) /* under a user's systemd instance */

struct ga_container {
	enum ga_runtime runtime;
	unsigned int flags;
	enum ga_qos qos;
	char id[GA_CONTAINER_ID_LEN + 1]; /* "" if none */
	char short_id[GA_CONTAINER_SHORT_LEN + 1];
	char name[GA_CONTAINER_NAME_MAX + 1]; /* LXC only */
	char pod_uid[GA_POD_UID_LEN + 1]; /* with dashes */
	char unit[GA_UNIT_NAME_MAX + 1]; /* innermost service/scope */
	enum ga_runtime outer_runtime; /* GA_CT_NESTED only */
	char outer_id[GA_CONTAINER_ID_LEN + 1];
	unsigned int owner_uid; /* GA_CT_ROOTLESS: whose instance it is in */
};

int ga_container_parse(const char *path, struct ga_container *c);
bool ga_container_id_valid(const char *s, size_t len);
const char *ga_runtime_name(enum ga_runtime rt);
const char *ga_qos_name(enum ga_qos qos);

#endif /* _GREENAI_CONTAINER_H */
