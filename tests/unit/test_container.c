// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the cgroup path parser (tools/lib/ident/container.c): a table
 * of real-world cgroup paths, as docker, containerd, CRI-O, podman, LXC,
 * the kubelet and systemd make them on cgroup v1 and v2, and as kind and
 * k3d nest them, each with what it must say, and paths of no workload;
 * then malformed paths, which must say "none" and never crash, and random
 * bytes.
 *
 * The ids are of the shape the runtimes print (64 lower-case hex digits);
 * the samples come from bug reports, documentation and test suites of
 * container tooling (docker on Debian and CentOS, Kubernetes on cgroupfs
 * and systemd drivers, kind nodes), rewritten here, not copied.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/container.h>
#include <greenai/files.h>

#include "fixture.h"

#define ID_A "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
#define ID_B "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define ID_C "34dc0b5e626f2c5c4c5170e34b10e7654ce36f0fcd532739f4445baabea03376"
#define ID_D "d7b1b8e0c5a14d2a9b0f6e3c2d1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"
#define ID_E "e2c9a6f0b1d74c3e8a5f2b9d0c6e1a7f3b8d4c0e9a5f1b6d2c7e3a8f4b9d0c5e"
#define NODE "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define UID_DASH "74c13223-5a00-11e9-b385-42010a80018d"
#define UID_US "74c13223_5a00_11e9_b385_42010a80018d"
#define UID2_DASH "0b6a2c6e-93f2-4c1e-8f0a-5d7e1c2b3a49"
#define UID2_US "0b6a2c6e_93f2_4c1e_8f0a_5d7e1c2b3a49"
#define STATIC_UID "5d4c5b4b2dd7f1e6a3c9a7b3b0d2e3c1"

/*
 * A cgroup path and what ga_container_parse() must say of it, written as
 * says() writes a parsed path: the runtime, its flags (cri, nested,
 * conmon, rootless), then qos=, id=, name=, pod=, unit= and
 * outer=<runtime>:<id> where they are set.
 */
struct sample {
	const char *what;
	const char *path;
	const char *says;
};

static const struct sample samples[] = {
	/* docker */
	{ "docker, cgroupfs driver", "/docker/" ID_A, "docker id=" ID_A },
	{ "docker, systemd driver", "/system.slice/docker-" ID_B ".scope",
	  "docker id=" ID_B " unit=docker-" ID_B ".scope" },
	{ "docker, v1 cpu,cpuacct directory",
	  "/sys/fs/cgroup/cpu,cpuacct/docker/" ID_A, "docker id=" ID_A },
	{ "docker, v1 memory directory, systemd driver",
	  "/sys/fs/cgroup/memory/system.slice/docker-" ID_B ".scope",
	  "docker id=" ID_B " unit=docker-" ID_B ".scope" },
	{ "docker in docker", "/docker/" ID_A "/docker/" ID_B,
	  "docker nested id=" ID_B " outer=docker:" ID_A },
	{ "docker on ECS", "/ecs/1f9c5b3c4d2e4f6a8b0c1d2e3f4a5b6c/" ID_C,
	  "docker id=" ID_C },
	{ "dockerd itself", "/system.slice/docker.service",
	  "systemd unit=docker.service" },

	/* Kubernetes, cgroupfs driver */
	{ "kubepods besteffort, cgroupfs",
	  "/kubepods/besteffort/pod" UID_DASH "/" ID_C,
	  "kubepods cri qos=besteffort id=" ID_C " pod=" UID_DASH },
	{ "kubepods guaranteed, cgroupfs", "/kubepods/pod" UID_DASH "/" ID_C,
	  "kubepods cri qos=guaranteed id=" ID_C " pod=" UID_DASH },
	{ "kubepods burstable, v1 memory directory",
	  "/sys/fs/cgroup/memory/kubepods/burstable/pod" UID_DASH "/" ID_C,
	  "kubepods cri qos=burstable id=" ID_C " pod=" UID_DASH },
	{ "static pod (32-hex UID), k3s",
	  "/kubepods/burstable/pod" STATIC_UID "/" ID_D,
	  "kubepods cri qos=burstable id=" ID_D " pod=" STATIC_UID },
	{ "CRI-O, cgroupfs", "/kubepods/burstable/pod" UID_DASH "/crio-" ID_D,
	  "cri-o cri qos=burstable id=" ID_D " pod=" UID_DASH },
	{ "a pod's own cgroup, cgroupfs", "/kubepods/besteffort/pod" UID_DASH,
	  "kubepods cri qos=besteffort pod=" UID_DASH },
	{ "the burstable class's cgroup", "/kubepods/burstable",
	  "kubepods qos=burstable" },
	{ "a pod UID of the wrong shape: the class's cgroup",
	  "/kubepods/burstable/pod74c13223-5a00-11e9-b385-42010a80018",
	  "kubepods qos=burstable" },

	/* Kubernetes, systemd driver */
	{ "containerd CRI, systemd, burstable",
	  "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID_US ".slice/cri-containerd-" ID_C
	  ".scope",
	  "containerd cri qos=burstable id=" ID_C " pod=" UID_DASH
	  " unit=cri-containerd-" ID_C ".scope" },
	{ "containerd CRI, systemd, guaranteed",
	  "/kubepods.slice/kubepods-pod" UID_US ".slice/cri-containerd-" ID_C
	  ".scope",
	  "containerd cri qos=guaranteed id=" ID_C " pod=" UID_DASH
	  " unit=cri-containerd-" ID_C ".scope" },
	{ "CRI-O, systemd, besteffort",
	  "/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod" UID_US ".slice/crio-" ID_D ".scope",
	  "cri-o cri qos=besteffort id=" ID_D " pod=" UID_DASH
	  " unit=crio-" ID_D ".scope" },
	{ "CRI-O's conmon is not the container",
	  "/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod" UID_US ".slice/crio-conmon-" ID_D ".scope",
	  "cri-o cri conmon qos=besteffort id=" ID_D " pod=" UID_DASH
	  " unit=crio-conmon-" ID_D ".scope" },
	{ "CRI-O, v1 cpu,cpuacct directory (OpenShift 4.x)",
	  "/sys/fs/cgroup/cpu,cpuacct/kubepods.slice/kubepods-pod" UID_US
	  ".slice/crio-" ID_D ".scope",
	  "cri-o cri qos=guaranteed id=" ID_D " pod=" UID_DASH
	  " unit=crio-" ID_D ".scope" },
	{ "cri-dockerd, systemd",
	  "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID_US ".slice/docker-" ID_A ".scope",
	  "docker cri qos=burstable id=" ID_A " pod=" UID_DASH
	  " unit=docker-" ID_A ".scope" },
	{ "a pod's own slice",
	  "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID_US ".slice",
	  "kubepods cri qos=burstable pod=" UID_DASH },
	{ "runc's slice:prefix:id (cgroupfs runtime, systemd kubelet)",
	  "/system.slice/containerd.service/kubepods-burstable-pod" UID_US
	  ".slice:cri-containerd:" ID_C,
	  "containerd cri qos=burstable id=" ID_C " pod=" UID_DASH
	  " unit=containerd.service" },

	/* kind, k3d: Kubernetes nodes in docker containers */
	{ "kind node on v1: a pod under the node's docker cgroup",
	  "/docker/" NODE "/kubepods/burstable/pod" UID2_DASH "/" ID_E,
	  "kubepods cri nested qos=burstable id=" ID_E " pod=" UID2_DASH
	  " outer=docker:" NODE },
	{ "kind node on v2, seen from the host",
	  "/system.slice/docker-" NODE ".scope/kubelet.slice/"
	  "kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID2_US
	  ".slice/cri-containerd-" ID_E ".scope",
	  "containerd cri nested qos=besteffort id=" ID_E " pod=" UID2_DASH
	  " unit=cri-containerd-" ID_E ".scope outer=docker:" NODE },
	{ "kind node on v2, seen from inside the node (cgroupns)",
	  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID2_US
	  ".slice/cri-containerd-" ID_E ".scope",
	  "containerd cri qos=guaranteed id=" ID_E " pod=" UID2_DASH
	  " unit=cri-containerd-" ID_E ".scope" },
	{ "k3d node: guaranteed pod under the node's docker cgroup",
	  "/docker/" NODE "/kubepods/pod" UID2_DASH "/" ID_E,
	  "kubepods cri nested qos=guaranteed id=" ID_E " pod=" UID2_DASH
	  " outer=docker:" NODE },
	{ "a pod cgroup inside a kind node",
	  "/docker/" NODE "/kubepods/besteffort/pod" UID2_DASH,
	  "kubepods cri nested qos=besteffort pod=" UID2_DASH
	  " outer=docker:" NODE },

	/* podman */
	{ "podman, root, systemd", "/machine.slice/libpod-" ID_B ".scope",
	  "podman id=" ID_B " unit=libpod-" ID_B ".scope" },
	{ "podman, crun's container sub-cgroup",
	  "/machine.slice/libpod-" ID_B ".scope/container",
	  "podman id=" ID_B " unit=libpod-" ID_B ".scope" },
	{ "podman, root, systemd, in a pod",
	  "/machine.slice/machine-libpod_pod_" ID_A ".slice/libpod-" ID_B
	  ".scope/container",
	  "podman id=" ID_B " unit=libpod-" ID_B ".scope" },
	{ "podman's conmon", "/machine.slice/libpod-conmon-" ID_B ".scope",
	  "podman conmon id=" ID_B " unit=libpod-conmon-" ID_B ".scope" },
	{ "podman, rootless",
	  "/user.slice/user-1000.slice/user@1000.service/user.slice/"
	  "libpod-" ID_B ".scope/container",
	  "podman rootless id=" ID_B " unit=libpod-" ID_B ".scope uid=1000" },
	{ "podman, rootless conmon",
	  "/user.slice/user-1000.slice/user@1000.service/user.slice/"
	  "libpod-conmon-" ID_B ".scope",
	  "podman conmon rootless id=" ID_B " unit=libpod-conmon-" ID_B
	  ".scope uid=1000" },
	{ "podman, cgroupfs", "/libpod_parent/libpod-" ID_B,
	  "podman id=" ID_B },
	{ "docker, rootless, systemd",
	  "/user.slice/user-1001.slice/user@1001.service/user.slice/"
	  "docker-" ID_A ".scope",
	  "docker rootless id=" ID_A " unit=docker-" ID_A ".scope uid=1001" },

	/* containerd without Kubernetes */
	{ "containerd, default namespace (ctr run)", "/default/" ID_D,
	  "containerd id=" ID_D },
	{ "nerdctl, systemd", "/system.slice/nerdctl-" ID_D ".scope",
	  "containerd id=" ID_D " unit=nerdctl-" ID_D ".scope" },
	{ "an id under a parent no runtime is known by", "/actions_job/" ID_C,
	  "unknown id=" ID_C },

	/* LXC, LXD */
	{ "LXC 3", "/lxc/web01", "lxc name=web01" },
	{ "LXC 4 payload", "/lxc.payload.web01", "lxc name=web01" },
	{ "LXC 4 monitor", "/lxc.monitor.web01", "lxc conmon name=web01" },
	{ "a service in an LXD container",
	  "/lxc.payload.ubuntu-jammy/system.slice/nginx.service",
	  "lxc name=ubuntu-jammy unit=nginx.service" },

	/* systemd */
	{ "a system service", "/system.slice/nginx.service",
	  "systemd unit=nginx.service" },
	{ "a templated service",
	  "/system.slice/system-getty.slice/getty@tty1.service",
	  "systemd unit=getty@tty1.service" },
	{ "a login session", "/user.slice/user-1000.slice/session-3.scope",
	  "systemd unit=session-3.scope" },
	{ "a desktop app in the user's manager",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "app-org.gnome.Terminal.slice/"
	  "vte-spawn-2a4c1b3e-7d2b-4f41-9c60-1b1c8f7b9e1a.scope",
	  "systemd unit=vte-spawn-2a4c1b3e-7d2b-4f41-9c60-1b1c8f7b9e1a.scope" },
	{ "the user's manager itself",
	  "/user.slice/user-1000.slice/user@1000.service/init.scope",
	  "systemd unit=init.scope" },
	{ "PID 1", "/init.scope", "systemd unit=init.scope" },
	{ "a systemd-nspawn machine",
	  "/machine.slice/systemd-nspawn@debian.service",
	  "systemd unit=systemd-nspawn@debian.service" },
	{ "a scope whose name only looks like docker's",
	  "/system.slice/docker-abc.scope", "systemd unit=docker-abc.scope" },
	{ "a v1 systemd hierarchy directory",
	  "/sys/fs/cgroup/systemd/system.slice/sshd.service",
	  "systemd unit=sshd.service" },

	/* no container, no unit */
	{ "the root cgroup", "/", "none" },
	{ "a cgroupns root inside a container", "/", "none" },
	{ "a plain cgroup", "/greenai/job-17/step-2", "none" },
	{ "docker's parent, no id", "/docker", "none" },
	{ "63 hex digits",
	  "/docker/4f797c539e6c745de61a93ca3ff892358ecbcaccd"
	  "8414d5db545c3842814297",
	  "none" },
	{ "65 hex digits", "/docker/" ID_A "0", "none" },
	{ "upper-case hex",
	  "/docker/4F797C539E6C745DE61A93CA3FF892358ECBCAC"
	  "CD8414D5DB545C38428142970",
	  "none" },
	{ "not hex",
	  "/docker/4f797c539e6c745de61a93ca3ff892358ecbcaccd8414"
	  "d5db545c3842814297g",
	  "none" },
	{ "cri-containerd without its .scope", "/cri-containerd-" ID_C,
	  "none" },
	{ "an LXC name with a bad character", "/lxc.payload.we$b", "none" },
};

/*
 * A runtime's names where no runtime puts them: in a subtree delegated to
 * a user or a service, whose owner chose the names. They must not be
 * taken for root's containers and pods (a user's energy would land in
 * another tenant's series); in a user's systemd instance they are that
 * user's (rootless, uid=).
 */
static const struct sample spoofs[] = {
	{ "docker's scope in a user's app slice is the user's",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-" ID_A
	  ".scope",
	  "docker rootless id=" ID_A " unit=docker-" ID_A ".scope uid=1000" },
	{ "a pod slice in a user's instance is the user's",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "kubepods-besteffort-pod" UID_US ".slice/cri-containerd-" ID_C
	  ".scope",
	  "containerd cri rootless qos=besteffort id=" ID_C " pod=" UID_DASH
	  " unit=cri-containerd-" ID_C ".scope uid=1000" },
	{ "docker's scope in a delegated service",
	  "/system.slice/ci-runner.service/docker-" ID_A ".scope",
	  "systemd unit=docker-" ID_A ".scope" },
	{ "docker's scope deep in system.slice",
	  "/system.slice/ci.slice/docker-" ID_A ".scope",
	  "systemd unit=docker-" ID_A ".scope" },
	{ "a kubepods tree in a delegated service",
	  "/system.slice/ci-runner.service/kubepods.slice/kubepods-pod" UID_US
	  ".slice/cri-containerd-" ID_C ".scope",
	  "systemd unit=cri-containerd-" ID_C ".scope" },
	{ "a cgroupfs kubepods tree in a plain cgroup",
	  "/greenai/job-17/kubepods/besteffort/pod" UID_DASH "/" ID_C, "none" },
	{ "a pod's slice alone in a delegated service",
	  "/system.slice/ci-runner.service/kubepods-burstable-pod" UID_US
	  ".slice",
	  "systemd unit=ci-runner.service" },
	{ "a user's instance faked in a delegated service",
	  "/system.slice/ci-runner.service/user.slice/user-0.slice/"
	  "user@0.service/docker-" ID_A ".scope",
	  "systemd unit=docker-" ID_A ".scope" },
	{ "a user's instance whose slice names another user",
	  "/user.slice/user-1000.slice/user@0.service/docker-" ID_A ".scope",
	  "systemd unit=docker-" ID_A ".scope" },
	{ "docker's cgroupfs parent in a delegated service",
	  "/system.slice/ci-runner.service/docker/" ID_A,
	  "systemd unit=ci-runner.service" },
	{ "an id deep in a plain cgroup", "/greenai/job-17/" ID_A, "none" },
	{ "runc's slice:prefix:id in a delegated service",
	  "/system.slice/ci-runner.service/kubepods-pod" UID_US
	  ".slice:cri-containerd:" ID_C,
	  "systemd unit=ci-runner.service" },
	{ "an LXC payload in a delegated service",
	  "/system.slice/ci-runner.service/lxc.payload.web01",
	  "systemd unit=ci-runner.service" },
	{ "podman's scope in a delegated service",
	  "/system.slice/ci-runner.service/libpod-" ID_B ".scope",
	  "systemd unit=libpod-" ID_B ".scope" },
};

/* Malformed paths: rejected with -EINVAL, saying nothing. */
static const struct sample malformed[] = {
	{ "empty", "", "none" },
	{ "relative", "docker/" ID_A, "none" },
	{ "trailing slash", "/docker/" ID_A "/", "none" },
	{ "two slashes", "/docker//" ID_A, "none" },
	{ "outside the cgroup namespace",
	  "/../../system.slice/docker-" ID_B ".scope", "none" },
	{ "a dot component", "/docker/./" ID_A, "none" },
	{ "a newline", "/docker/\n" ID_A, "none" },
	{ "a tab", "/system.slice/ngi\tnx.service", "none" },
	{ "DEL", "/system.slice/ngi\x7fnx.service", "none" },
};

/* The flags as says() names them, in its order. */
static const struct {
	unsigned int flag;
	const char *name;
} flag_names[] = {
	{ GA_CT_CRI, "cri" },
	{ GA_CT_NESTED, "nested" },
	{ GA_CT_CONMON, "conmon" },
	{ GA_CT_ROOTLESS, "rootless" },
};

/* Append " @key@val" to @buf of @size, unless @val is empty. */
static void says_add(char *buf, size_t size, const char *key, const char *val)
{
	size_t n = strlen(buf);

	if (*val)
		snprintf(buf + n, size - n, " %s%s", key, val);
}

/* What @c says, as struct sample writes it, into @buf of @size. */
static void says(const struct ga_container *c, char *buf, size_t size)
{
	char other[GA_CONTAINER_ID_LEN + 32];
	unsigned int known = 0;
	size_t i;

	snprintf(buf, size, "%s", ga_runtime_name(c->runtime));
	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		known |= flag_names[i].flag;
		if (c->flags & flag_names[i].flag)
			says_add(buf, size, "", flag_names[i].name);
	}
	if (c->flags & ~known) {
		snprintf(other, sizeof(other), "%#x", c->flags & ~known);
		says_add(buf, size, "flags=", other);
	}
	says_add(buf, size, "qos=", ga_qos_name(c->qos));
	says_add(buf, size, "id=", c->id);
	says_add(buf, size, "name=", c->name);
	says_add(buf, size, "pod=", c->pod_uid);
	says_add(buf, size, "unit=", c->unit);
	if (c->outer_runtime != GA_RT_NONE || c->outer_id[0]) {
		snprintf(other, sizeof(other), "%s:%s",
			 ga_runtime_name(c->outer_runtime), c->outer_id);
		says_add(buf, size, "outer=", other);
	}
	if (c->flags & GA_CT_ROOTLESS) {
		snprintf(other, sizeof(other), "%u", c->owner_uid);
		says_add(buf, size, "uid=", other);
	}
}

/* @s->path parses to @ret and says @s->says; the short id is the id's. */
static void check_sample(const struct sample *s, int ret)
{
	struct ga_container c;
	char got[1024];
	int err;

	memset(&c, 0x5a, sizeof(c)); /* every field must be written */
	err = ga_container_parse(s->path, &c);
	says(&c, got, sizeof(got));
	if (err != ret || strcmp(got, s->says))
		print_message("# sample \"%s\": %d\n", s->what, err);
	assert_int_equal(err, ret);
	assert_string_equal(got, s->says);
	assert_int_equal(strlen(c.short_id),
			 c.id[0] ? GA_CONTAINER_SHORT_LEN : 0);
	assert_memory_equal(c.short_id, c.id, strlen(c.short_id));
}

static void real_world_paths(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(samples); i++)
		check_sample(&samples[i], 0);
	print_message("# %zu cgroup paths\n", i);
}

static void runtime_names_outside_their_roots_are_not_containers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(spoofs); i++)
		check_sample(&spoofs[i], 0);
}

static void malformed_paths_are_rejected(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(malformed); i++)
		check_sample(&malformed[i], -EINVAL);
}

/* The same paths as /proc/PID/cgroup shows them on v1, per controller. */
static void v1_controller_directories(void **state)
{
	static const char *const ctl[] = { "cpu,cpuacct", "memory", "pids",
					   "blkio", "systemd" };
	char path[512];
	struct ga_container c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ctl); i++) {
		snprintf(path, sizeof(path),
			 "/sys/fs/cgroup/%s/kubepods/burstable/pod%s/crio-%s",
			 ctl[i], UID_DASH, ID_D);
		assert_int_equal(ga_container_parse(path, &c), 0);
		assert_int_equal(c.runtime, GA_RT_CRIO);
		assert_string_equal(c.pod_uid, UID_DASH);
		assert_int_equal(c.qos, GA_QOS_BURSTABLE);
	}
}

static void overlong_paths_are_rejected(void **state)
{
	struct ga_container c;
	char *p = malloc(GA_PATH_MAX + 16);
	size_t i;

	(void)state;
	assert_non_null(p);
	/* GA_PATH_MAX bytes of "/a/a/...": too long in all */
	for (i = 0; i < GA_PATH_MAX + 8; i += 2) {
		p[i] = '/';
		p[i + 1] = 'a';
	}
	p[GA_PATH_MAX + 8] = '\0';
	assert_int_equal(ga_container_parse(p, &c), -ENAMETOOLONG);
	assert_int_equal(c.runtime, GA_RT_NONE);

	/* just under: many components, no container, fine */
	p[GA_PATH_MAX - 2] = '\0';
	assert_int_equal(ga_container_parse(p, &c), 0);
	assert_int_equal(c.runtime, GA_RT_NONE);

	/* one component longer than NAME_MAX */
	p[0] = '/';
	memset(p + 1, 'x', 300);
	strcpy(p + 301, ".service");
	assert_int_equal(ga_container_parse(p, &c), -EINVAL);
	assert_int_equal(c.runtime, GA_RT_NONE);
	assert_string_equal(c.unit, "");

	/* a unit of exactly NAME_MAX bytes fits */
	memset(p + 1, 'u', 255 - 8);
	strcpy(p + 1 + 255 - 8, ".service");
	assert_int_equal(ga_container_parse(p, &c), 0);
	assert_int_equal(c.runtime, GA_RT_SYSTEMD);
	assert_int_equal(strlen(c.unit), 255);
	free(p);
}

static void null_and_names(void **state)
{
	struct ga_container c;

	(void)state;
	assert_int_equal(ga_container_parse(NULL, &c), -EINVAL);
	assert_int_equal(c.runtime, GA_RT_NONE);
	assert_string_equal(ga_runtime_name(GA_RT_CRIO), "cri-o");
	assert_string_equal(ga_runtime_name(GA_RT_NR), "?");
	assert_string_equal(ga_qos_name(GA_QOS_BESTEFFORT), "besteffort");
	assert_string_equal(ga_qos_name(GA_QOS_NR), "?");
	assert_true(ga_container_id_valid(ID_A, 64));
	assert_false(ga_container_id_valid(ID_A, 63));
	assert_false(ga_container_id_valid("", 0));
}

static uint64_t rng = 0x243f6a8885a308d3ULL; /* fix_rng()'s state */

static bool is_hex_id(const char *s)
{
	return ga_container_id_valid(s, strlen(s));
}

/*
 * Random paths built from pieces of real ones and random bytes: whatever
 * comes out is consistent, every string is terminated and within bounds
 * (ASan checks the reads).
 */
static void random_paths_never_crash(void **state)
{
	static const char *const pieces[] = {
		"/",
		"/",
		"/",
		"docker",
		"docker-",
		".scope",
		".slice",
		".service",
		"kubepods",
		"-burstable",
		"-pod",
		"pod",
		UID_US,
		UID_DASH,
		ID_A,
		ID_B,
		"crio-",
		"conmon-",
		"libpod-",
		":",
		"cri-containerd",
		"lxc.payload.",
		"lxc",
		"user@1000.service",
		"..",
		".",
		"besteffort",
		"\n",
		"\xff",
		"_",
		"-",
	};
	char path[700];
	struct ga_container c;
	int i, j;

	(void)state;
	for (i = 0; i < 200000; i++) {
		size_t len = 0;
		int parts = 1 + fix_rng(&rng) % 24;

		for (j = 0; j < parts; j++) {
			const char *piece;
			char rnd[2];

			if (fix_rng(&rng) % 8 == 0) {
				rnd[0] = (char)(1 + fix_rng(&rng) % 255);
				rnd[1] = '\0';
				piece = rnd;
			} else {
				piece = pieces[fix_rng(&rng) %
					       ARRAY_SIZE(pieces)];
			}
			if (len + strlen(piece) >= sizeof(path))
				break;
			memcpy(path + len, piece, strlen(piece));
			len += strlen(piece);
		}
		path[len] = '\0';
		if (ga_container_parse(path, &c)) {
			assert_int_equal(c.runtime, GA_RT_NONE);
			continue;
		}
		assert_true(c.runtime < GA_RT_NR);
		assert_true(c.qos < GA_QOS_NR);
		assert_true(!c.id[0] || is_hex_id(c.id));
		assert_true(!c.outer_id[0] || is_hex_id(c.outer_id));
		assert_true(strlen(c.pod_uid) == 0 || strlen(c.pod_uid) == 32 ||
			    strlen(c.pod_uid) == GA_POD_UID_LEN);
		assert_null(strchr(c.pod_uid, '_'));
		assert_true(strlen(c.unit) <= GA_UNIT_NAME_MAX);
		assert_true(strlen(c.name) <= GA_CONTAINER_NAME_MAX);
		if (c.id[0])
			assert_int_equal(strlen(c.short_id), 12);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_world_paths),
		cmocka_unit_test(
			runtime_names_outside_their_roots_are_not_containers),
		cmocka_unit_test(malformed_paths_are_rejected),
		cmocka_unit_test(v1_controller_directories),
		cmocka_unit_test(overlong_paths_are_rejected),
		cmocka_unit_test(null_and_names),
		cmocka_unit_test(random_paths_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
