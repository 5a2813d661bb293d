// SPDX-License-Identifier: GPL-2.0
/*
 * Container and pod names from the runtimes' and the kubelet's files
 * (tools/lib/ident/wl_meta.c), in trees written the way containerd, CRI-O,
 * docker (with cri-dockerd's labels) and the kubelet lay them out; what
 * is malformed, too deep, or not a name is left out, never half taken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "ident/wl_meta.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "6e3f1c2a-8b7d-4e5f-9a0b-1c2d3e4f5a6b"

/* The container of a cgroup path, as the exporter would have it. */
static void parse(const char *path, struct ga_container *ct)
{
	assert_int_equal(ga_container_parse(path, ct), 0);
}

static void containerd_annotations(void **state)
{
	struct ga_container ct;
	struct ga_wl_meta m;

	fix_write(*state,
		  "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID
		  "/config.json",
		  "{\"ociVersion\":\"1.1.0\",\"annotations\":{"
		  "\"io.kubernetes.cri.container-type\":\"container\","
		  "\"io.kubernetes.cri.container-name\":\"trainer\","
		  "\"io.kubernetes.cri.sandbox-name\":\"bert-train-7f9c\","
		  "\"io.kubernetes.cri.sandbox-namespace\":\"ml\"}}");
	parse("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      "6e3f1c2a_8b7d_4e5f_9a0b_1c2d3e4f5a6b.slice/cri-containerd-" ID
	      ".scope", &ct);
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.container_name, "trainer");
	assert_string_equal(m.pod_name, "bert-train-7f9c");
	assert_string_equal(m.pod_namespace, "ml");
}

static void crio_annotations(void **state)
{
	struct ga_container ct;
	struct ga_wl_meta m;

	fix_write(*state,
		  "run/containers/storage/overlay-containers/" ID
		  "/userdata/config.json",
		  "{\"annotations\":{\"io.kubernetes.container.name\":\"infer\","
		  "\"io.kubernetes.pod.name\":\"llm-0\","
		  "\"io.kubernetes.pod.namespace\":\"serving\"}}");
	parse("/kubepods.slice/kubepods-pod6e3f1c2a_8b7d_4e5f_9a0b_1c2d3e4f5a6b"
	      ".slice/crio-" ID ".scope", &ct);
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.container_name, "infer");
	assert_string_equal(m.pod_name, "llm-0");
	assert_string_equal(m.pod_namespace, "serving");
}

static void docker_name_and_labels(void **state)
{
	struct ga_container ct;
	struct ga_wl_meta m;

	fix_write(*state, "var/lib/docker/containers/" ID "/config.v2.json",
		  "{\"Name\":\"/jupyter\",\"Config\":{\"Labels\":{}}}");
	parse("/system.slice/docker-" ID ".scope", &ct);
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.container_name, "jupyter");
	assert_string_equal(m.pod_name, "");
	/* cri-dockerd: the pod's labels win over the docker name */
	fix_write(*state, "var/lib/docker/containers/" ID "/config.v2.json",
		  "{\"Name\":\"/k8s_web_web-1_prod_" UID "_0\",\"Config\":"
		  "{\"Labels\":{\"io.kubernetes.container.name\":\"web\","
		  "\"io.kubernetes.pod.name\":\"web-1\","
		  "\"io.kubernetes.pod.namespace\":\"prod\"}}}");
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.container_name, "web");
	assert_string_equal(m.pod_name, "web-1");
	assert_string_equal(m.pod_namespace, "prod");
}

static void kubelet_pod_log_directory(void **state)
{
	struct ga_container ct;
	struct ga_wl_meta m;

	/* no runtime file: the kubelet's pod directory names the pod */
	fix_mkdirs(*state, "var/log/pods/other_x_00000000-0000-0000-0000-000000000000");
	fix_mkdirs(*state, "var/log/pods/kube-system_coredns-5d78c9869d-abcde_" UID "/coredns");
	parse("/kubepods/burstable/pod" UID "/" ID, &ct);
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.pod_name, "coredns-5d78c9869d-abcde");
	assert_string_equal(m.pod_namespace, "kube-system");
	assert_string_equal(m.container_name, "");
}

static void bad_files_give_nothing(void **state)
{
	static const char *const bad[] = {
		"",					/* empty */
		"{\"annotations\":",			/* cut short */
		"[1,2,3]",				/* not an object */
		"{\"annotations\":{\"io.kubernetes.pod.name\":42}}",
		"{\"annotations\":{\"io.kubernetes.pod.name\":\"a b\\\"c\"}}",
		"{\"annotations\":{\"io.kubernetes.pod.name\":\"x\\n\"}}",
	};
	char deep[400] = "";
	struct ga_container ct;
	struct ga_wl_meta m;
	unsigned int i;

	parse("/kubepods.slice/kubepods-pod6e3f1c2a_8b7d_4e5f_9a0b_1c2d3e4f5a6b"
	      ".slice/crio-" ID ".scope", &ct);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fix_write(*state,
			  "run/containers/storage/overlay-containers/" ID
			  "/userdata/config.json", bad[i]);
		ga_wl_meta_read(*state, &ct, &m);
		assert_string_equal(m.pod_name, "");
		assert_string_equal(m.container_name, "");
	}
	/* deeper than 32 levels: not parsed at all */
	for (i = 0; i < 40; i++)
		strcat(deep, "{\"a\":");
	strcat(deep, "1");
	for (i = 0; i < 40; i++)
		strcat(deep, "}");
	fix_write(*state,
		  "run/containers/storage/overlay-containers/" ID
		  "/userdata/config.json", deep);
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.pod_name, "");
	/* no file anywhere: nothing, and no error */
	fix_unlink(*state, "run/containers/storage/overlay-containers/" ID
		   "/userdata/config.json");
	ga_wl_meta_read(*state, &ct, &m);
	assert_string_equal(m.pod_namespace, "");
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(containerd_annotations),
		T(crio_annotations),
		T(docker_name_and_labels),
		T(kubelet_pod_log_directory),
		T(bad_files_give_nothing),
	};

	return cmocka_run_group_tests_name("wl_meta", tests, NULL, NULL);
}
