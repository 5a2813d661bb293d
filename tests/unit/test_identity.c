// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/lib/ident/identity.c: /proc/PID/stat parsing (comm with
 * spaces and parentheses), ML framework detection from mapped files,
 * command line escaping, whole identities read from the fixture tree
 * tests/fixtures/proc-v2 (a Kubernetes GPU node: a PyTorch + CUDA
 * trainer in a CRI pod, TensorFlow in docker, JAX + ONNX Runtime in
 * rootless podman, nginx with a deleted binary, a kernel thread, a
 * zombie, a process that vanishes mid-read, a greenai job step), the
 * model label from the cgroup's xattrs, and the cache: hits, pid reuse,
 * refresh, eviction.
 *
 * Then the real thing: this process, a zombie and a reaped child, another
 * user's process (permission denied), a python3 that loads a stand-in
 * named libtorch_cpu.so, and python3 importing torch if python3-torch is
 * installed.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <greenai/identity.h>

#include "ident/identity_cache.h"
#include "fixture.h"

#define FX GA_FIXTURES "/"
#define V2 FX "proc-v2"
#define CID_TORCH \
	"b6f2a3c1d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f70"
#define CID_TF \
	"9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define CID_JAX \
	"3f1d2c4b5a6978877665544332211009f8e7d6c5b4a392817f6e5d4c3b2a1908"
#define POD "7e44ee88-1e65-4a16-8cdf-9a90c819180e"
#define TORCH_CG                                                               \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"      \
	"7e44ee88_1e65_4a16_8cdf_9a90c819180e.slice/cri-containerd-" CID_TORCH \
	".scope"

static const char *argv0;

/* --- helpers --- */

/* A root whose proc/PID is a copy of proc-v2's, to be changed by a test. */
static void copy_pid(const char *root, int pid)
{
	static const char *const files[] = { "stat", "comm", "cmdline",
					     "cgroup", "maps" };
	char from[GA_PATH_MAX], to[GA_PATH_MAX], target[GA_PATH_MAX];
	ssize_t n;
	size_t i;

	snprintf(to, sizeof(to), "%s/proc/%d", root, pid);
	fix_mkdirs(to, NULL);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(from, sizeof(from), V2 "/proc/%d/%s", pid, files[i]);
		snprintf(to, sizeof(to), "%s/proc/%d/%s", root, pid, files[i]);
		fix_copy_file(from, to, 0644);
	}
	snprintf(from, sizeof(from), V2 "/proc/%d/exe", pid);
	n = readlink(from, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	snprintf(to, sizeof(to), "%s/proc/%d/exe", root, pid);
	assert_int_equal(symlink(target, to), 0);
}

static void set_stat_start(const char *root, int pid, const char *comm,
			   uint64_t start)
{
	char path[GA_PATH_MAX], line[512];
	int n;

	n = snprintf(line, sizeof(line),
		     "%d (%s) S 1 %d 1 0 -1 4194560 10 0 0 0 5 1 0 0 20 0 1 0 "
		     "%llu 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
		     "0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		     pid, comm, pid, (unsigned long long)start);
	snprintf(path, sizeof(path), "%s/proc/%d/stat", root, pid);
	fix_write_data(path, NULL, line, n);
}

static struct ga_cgroup_mount *v2_mount(void)
{
	static struct ga_cgroup_mount m;

	assert_int_equal(ga_cgroup_find_mount(V2, &m), 0);
	return &m;
}

/* --- /proc/PID/stat --- */

static void stat_lines_parse_from_the_last_paren(void **state)
{
	struct ga_proc_stat st;

	(void)state;
	assert_int_equal(ga_proc_stat_parse(
				 "4242 (python3) R 4200 4242 4200 0 -1 4194560 "
				 "1 0 12 0 73452 8123 0 0 20 0 37 0 912345 4 5",
				 &st),
			 0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "python3");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 4200);
	assert_int_equal(st.flags, 4194560);
	assert_int_equal(st.start_time, 912345);

	/* comm "a) (b) R 1 2": the fields start after the last ')' */
	assert_int_equal(ga_proc_stat_parse("77 (a) (b) R 1 2) S 9 1 1 0 -1 "
					    "64 0 0 0 0 0 0 0 0 20 0 1 0 "
					    "31337",
					    &st),
			 0);
	assert_string_equal(st.comm, "a) (b) R 1 2");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 9);
	assert_int_equal(st.start_time, 31337);
	/* an empty comm, and one with a newline */
	assert_int_equal(ga_proc_stat_parse("5 () S 1 1 1 0 -1 0 0 0 0 0 0 0 "
					    "0 0 20 0 1 0 8",
					    &st),
			 0);
	assert_string_equal(st.comm, "");
	assert_int_equal(ga_proc_stat_parse("5 (x\ny) S 1 1 1 0 -1 0 0 0 0 0 "
					    "0 0 0 0 20 0 1 0 8",
					    &st),
			 0);
	assert_string_equal(st.comm, "x\ny");
	/* the real file of 5151, comm "tf (srv) x) y" */
	assert_int_equal(ga_proc_stat_read(V2, 5151, &st), 0);
	assert_string_equal(st.comm, "tf (srv) x) y");
	assert_int_equal(st.start_time, 1203456);
}

static void malformed_stat_lines_are_rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"4242 python3 R 1",
		"4242 (python3 R 1 2 3",
		"(python3) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"x (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"0 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"4242 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",
		"4242 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x8",
		"4242 (a) RS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"4242 (a)R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"4242 (a) R 1  1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
		"4242 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		"99999999999999999999999",
		"99999999999 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 8",
	};
	struct ga_proc_stat st = { .pid = -7 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (ga_proc_stat_parse(bad[i], &st) != -EINVAL)
			print_message("# accepted: \"%s\"\n", bad[i]);
		assert_int_equal(ga_proc_stat_parse(bad[i], &st), -EINVAL);
		assert_int_equal(st.pid, -7);
	}
	assert_int_equal(ga_proc_stat_read(V2, 99999, &st), -ESRCH);
	assert_int_equal(ga_proc_stat_read(V2, 0, &st), -EINVAL);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL; /* fix_rng()'s state */

/* A real line, mutated at random: parsed or rejected, never a crash. */
static void random_stat_lines_never_crash(void **state)
{
	static const char line[] =
		"4242 (python3) R 4200 4242 4200 0 -1 4194560 1048576 0 12 0 "
		"73452 8123 0 0 20 0 37 0 912345 41234567168 1834567";
	static const char alphabet[] = "() -0123456789xR\n\t";
	struct ga_proc_stat st;
	char buf[sizeof(line) + 16];
	size_t nr_alpha = sizeof(alphabet) - 1;
	int i, j, accepted = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		size_t len = sizeof(line) - 1;
		int edits = 1 + fix_rng(&rng) % 4;

		memcpy(buf, line, sizeof(line));
		for (j = 0; j < edits; j++) {
			size_t at = fix_rng(&rng) % len;

			switch (fix_rng(&rng) % 3) {
			case 0: /* replace */
				buf[at] = alphabet[fix_rng(&rng) % nr_alpha];
				break;
			case 1: /* cut short */
				len = at;
				buf[len] = '\0';
				break;
			default: /* raw byte */
				buf[at] = (char)(1 + fix_rng(&rng) % 255);
				break;
			}
			if (!len)
				break;
		}
		if (ga_proc_stat_parse(buf, &st))
			continue;
		accepted++;
		assert_true(st.pid > 0);
		assert_true(strlen(st.comm) < GA_COMM_MAX);
	}
	print_message("# %d of 200000 mutated lines still parse\n", accepted);
}

static void stat_of_another_pid_is_rejected(void **state)
{
	char *root = fix_tmpdir_new(), from[GA_PATH_MAX], to[GA_PATH_MAX];
	struct ga_proc_stat st;

	*state = root;
	snprintf(from, sizeof(from), "%s/proc/10", root);
	fix_mkdirs(from, NULL);
	set_stat_start(root, 10, "x", 5);
	assert_int_equal(ga_proc_stat_read(root, 10, &st), 0);
	snprintf(to, sizeof(to), "%s/proc/11", root);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(ga_proc_stat_read(root, 11, &st), -EINVAL);
}

/* The file system ids, the last of "Uid:" and "Gid:", not the real ones. */
static void owner_is_the_fs_ids_of_status(void **state)
{
	char *root = fix_tmpdir_new();
	uid_t u = 1;
	gid_t g = 1;

	*state = root;
	fix_mkdirs(root, "proc/10");
	fix_write(root, "proc/10/status",
		  "Name:\tx\nUmask:\t0022\nUid:\t0\t1000\t0\t1000\n"
		  "Gid:\t0\t0\t5\t1001\nGroups:\t\n");
	assert_int_equal(ga_proc_owner(root, 10, &u, &g), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 1001);
	fix_mkdirs(root, "proc/11");
	fix_write(root, "proc/11/status",
		  "Name:\tx\nUid:\t7\t7\t7\t7\nGid:\t7\t7\t7\n");
	assert_int_equal(ga_proc_owner(root, 11, &u, &g), -EINVAL);
	assert_int_equal(u, 1000);
	assert_int_equal(ga_proc_owner(root, 12, &u, &g), -ESRCH);
	assert_int_equal(ga_proc_owner(root, 0, &u, &g), -EINVAL);
	assert_int_equal(ga_proc_owner("/", getpid(), &u, &g), 0);
	assert_int_equal(u, geteuid());
	assert_int_equal(g, getegid());
}

/* --- frameworks --- */

static void frameworks_from_mapped_paths(void **state)
{
	static const struct {
		const char *path;
		uint32_t bits;
	} t[] = {
		{ "/opt/venv/lib/python3.11/site-packages/torch/lib/"
		  "libtorch_cpu.so",
		  GA_FW_PYTORCH },
		{ "/usr/lib/x86_64-linux-gnu/libtorch_cuda.so.2.1",
		  GA_FW_PYTORCH },
		{ "/opt/libtorch/lib/libtorch.so", GA_FW_PYTORCH },
		{ "/site-packages/torch/lib/libc10.so", GA_FW_PYTORCH },
		{ "/site-packages/torch/lib/libc10_cuda.so", GA_FW_PYTORCH },
		{ "/site-packages/tensorflow/libtensorflow_framework.so.2",
		  GA_FW_TENSORFLOW },
		{ "/site-packages/tensorflow/libtensorflow_cc.so.2",
		  GA_FW_TENSORFLOW },
		{ "/site-packages/tensorflow/python/"
		  "_pywrap_tensorflow_internal.so",
		  GA_FW_TENSORFLOW },
		{ "/site-packages/jaxlib/xla_extension.so", GA_FW_JAX },
		{ "/site-packages/jaxlib/_jax.cpython-312-x86_64-linux-gnu.so",
		  GA_FW_JAX },
		{ "/site-packages/jax_plugins/xla_cuda12/xla_cuda_plugin.so",
		  GA_FW_JAX },
		{ "/usr/lib/libonnxruntime.so.1.17.1", GA_FW_ONNXRUNTIME },
		{ "/site-packages/onnxruntime/capi/"
		  "onnxruntime_pybind11_state.so",
		  GA_FW_ONNXRUNTIME },
		{ "/usr/local/cuda-12.2/lib64/libcudart.so.12.2.140",
		  GA_FW_CUDA },
		{ "/site-packages/cupy.libs/libcudart-9335f6a2.so.11.0",
		  GA_FW_CUDA },
		{ "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05",
		  GA_FW_CUDA },
		{ "/usr/lib/x86_64-linux-gnu/libcuda.so.1", GA_FW_CUDA },
		{ "/usr/lib/x86_64-linux-gnu/libcuda.so", GA_FW_CUDA },
		{ "/site-packages/nvidia/cublas/lib/libcublasLt.so.12",
		  GA_FW_CUDA },
		{ "/site-packages/nvidia/cudnn/lib/libcudnn.so.8", GA_FW_CUDA },
		/* look-alikes */
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", 0 },
		{ "/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", 0 },
		{ "/usr/lib/x86_64-linux-gnu/libcudadebugger.so.1", 0 },
		{ "/usr/lib/nginx/modules/cudaless.so.txt", 0 },
		{ "/opt/libtorch/lib/libtorch_cpu.a", 0 },
		{ "/opt/models/torch/weights.bin", 0 },
		{ "/opt/my torch/notes.txt", 0 },
		{ "[heap]", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (ga_framework_of_path(t[i].path) != t[i].bits)
			print_message("# %s\n", t[i].path);
		assert_int_equal(ga_framework_of_path(t[i].path), t[i].bits);
	}
}

static void framework_names_and_lists(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(ga_framework_name(GA_FW_PYTORCH), "pytorch");
	assert_string_equal(ga_framework_name(GA_FW_ONNXRUNTIME),
			    "onnxruntime");
	assert_string_equal(ga_framework_name(GA_FW_CUDA), "cuda");
	assert_string_equal(ga_framework_name(GA_FW_PYTORCH | GA_FW_CUDA), "?");
	assert_string_equal(ga_framework_name(0), "?");
	assert_int_equal(ga_frameworks_str(GA_FW_PYTORCH | GA_FW_CUDA, buf,
					   sizeof(buf)),
			 0);
	assert_string_equal(buf, "pytorch,cuda");
	assert_int_equal(ga_frameworks_str(GA_FW_ALL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pytorch,tensorflow,jax,onnxruntime,cuda");
	assert_int_equal(ga_frameworks_str(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ga_frameworks_str(GA_FW_ALL, buf, 10), -ERANGE);
	assert_string_equal(buf, "");
}

static void frameworks_of_fixture_processes(void **state)
{
	uint32_t mask = 0xdead;

	(void)state;
	assert_int_equal(ga_proc_frameworks(V2, 4242, &mask), 0);
	assert_int_equal(mask, GA_FW_PYTORCH | GA_FW_CUDA);
	assert_int_equal(ga_proc_frameworks(V2, 5151, &mask), 0);
	assert_int_equal(mask, GA_FW_TENSORFLOW);
	assert_int_equal(ga_proc_frameworks(V2, 6161, &mask), 0);
	assert_int_equal(mask, GA_FW_JAX | GA_FW_ONNXRUNTIME);
	assert_int_equal(ga_proc_frameworks(V2, 7171, &mask), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(ga_proc_frameworks(V2, 2, &mask), 0);
	assert_int_equal(mask, 0);
	mask = 0xdead;
	assert_int_equal(ga_proc_frameworks(V2, 99999, &mask), -ESRCH);
	assert_int_equal(mask, 0xdead);
}

/* --- escaping --- */

static void escaping_is_bounded_and_whole(void **state)
{
	char out[32];

	(void)state;
	assert_false(ga_escape(out, sizeof(out), "a b", 3));
	assert_string_equal(out, "a b");
	assert_false(ga_escape(out, sizeof(out), "\x1b[0m\t\\\xc3\xa9", 8));
	assert_string_equal(out, "\\033[0m\\011\\134\\303\\251");
	assert_false(ga_escape(out, sizeof(out), "a\0b", 3));
	assert_string_equal(out, "a\\000b");
	/* 5 bytes of room: "ab" fits, the escape after it does not */
	assert_true(ga_escape(out, 5, "ab\nc", 4));
	assert_string_equal(out, "ab");
	assert_true(ga_escape(out, 1, "a", 1));
	assert_string_equal(out, "");
	assert_false(ga_escape(out, 1, "", 0));
	assert_true(ga_escape(out, 0, "a", 1));
}

/* --- identities of fixture processes --- */

static void trainer_in_a_cri_pod(void **state)
{
	struct ga_identity id;
	uint64_t ino;
	struct stat st;

	(void)state;
	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 4242, GA_ID_READ_ALL, &id), 0);
	assert_int_equal(id.pid, 4242);
	assert_int_equal(id.ppid, 4200);
	assert_int_equal(id.state, 'R');
	assert_int_equal(id.start_time, 912345);
	assert_string_equal(id.comm, "python3");
	assert_string_equal(id.exe, "/usr/bin/python3.11");
	assert_string_equal(id.cmdline, "python3 train.py --model resnet50 "
					"--epochs 90 --data /data/imagenet");
	assert_string_equal(id.cgroup, TORCH_CG);
	assert_int_equal(id.cgroup_hier, GA_CGROUP_V2);
	assert_int_equal(stat(V2 "/sys/fs/cgroup" TORCH_CG, &st), 0);
	ino = st.st_ino;
	assert_true(id.cgroup_id == ino);
	assert_int_equal(id.container.runtime, GA_RT_CONTAINERD);
	assert_int_equal(id.container.flags, GA_CT_CRI);
	assert_int_equal(id.container.qos, GA_QOS_BURSTABLE);
	assert_string_equal(id.container.id, CID_TORCH);
	assert_string_equal(id.container.short_id, "b6f2a3c1d4e5");
	assert_string_equal(id.container.pod_uid, POD);
	assert_string_equal(id.model, ""); /* git keeps no xattrs */
	assert_int_equal(id.frameworks, GA_FW_PYTORCH | GA_FW_CUDA);
	assert_int_equal(id.flags, GA_ID_MAPS_SCANNED);
	ga_identity_done(&id);
	ga_identity_done(&id); /* twice is harmless */
}

static void tensorflow_in_docker_with_a_hostile_comm(void **state)
{
	struct ga_identity id;

	(void)state;
	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 5151, GA_ID_READ_ALL, &id), 0);
	assert_string_equal(id.comm, "tf (srv) x) y");
	assert_int_equal(id.start_time, 1203456);
	assert_int_equal(id.ppid, 5100);
	assert_string_equal(id.exe, "/usr/local/bin/python3.11");
	assert_string_equal(id.cmdline, "python serve.py --port=8501");
	assert_int_equal(id.container.runtime, GA_RT_DOCKER);
	assert_string_equal(id.container.id, CID_TF);
	assert_string_equal(id.container.unit, "docker-" CID_TF ".scope");
	assert_int_equal(id.frameworks, GA_FW_TENSORFLOW);
	ga_identity_done(&id);
}

static void jax_and_onnx_in_rootless_podman(void **state)
{
	struct ga_identity id;

	(void)state;
	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 6161, GA_ID_READ_ALL, &id), 0);
	assert_int_equal(id.container.runtime, GA_RT_PODMAN);
	assert_int_equal(id.container.flags, GA_CT_ROOTLESS);
	assert_string_equal(id.container.id, CID_JAX);
	assert_int_equal(id.frameworks, GA_FW_JAX | GA_FW_ONNXRUNTIME);
	assert_true(id.cgroup_id != 0);
	ga_identity_done(&id);
}

static void nginx_with_a_deleted_binary(void **state)
{
	struct ga_identity id;

	(void)state;
	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 7171, GA_ID_READ_ALL, &id), 0);
	assert_string_equal(id.exe, "/usr/sbin/nginx");
	assert_true(id.flags & GA_ID_EXE_DELETED);
	assert_string_equal(id.cmdline, "nginx: master process "
					"/usr/sbin/nginx -g daemon on; "
					"master_process on;");
	assert_int_equal(id.container.runtime, GA_RT_SYSTEMD);
	assert_string_equal(id.container.unit, "nginx.service");
	assert_int_equal(id.frameworks, 0);
	ga_identity_done(&id);
}

static void kernel_thread_and_zombie(void **state)
{
	struct ga_identity id;

	(void)state;
	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 2, GA_ID_READ_ALL, &id), 0);
	assert_string_equal(id.comm, "kthreadd");
	assert_int_equal(id.flags,
			 GA_ID_KTHREAD | GA_ID_EXE_NONE | GA_ID_MAPS_SCANNED);
	assert_string_equal(id.exe, "");
	assert_string_equal(id.cmdline, "");
	assert_string_equal(id.cgroup, "/");
	assert_int_equal(id.container.runtime, GA_RT_NONE);
	ga_identity_done(&id);

	assert_int_equal(
		ga_identity_read(V2, v2_mount(), 3131, GA_ID_READ_ALL, &id), 0);
	assert_int_equal(id.state, 'Z');
	assert_int_equal(id.flags,
			 GA_ID_ZOMBIE | GA_ID_EXE_NONE | GA_ID_MAPS_SCANNED);
	assert_string_equal(id.cmdline, "");
	ga_identity_done(&id);
}

static void vanished_processes_are_esrch(void **state)
{
	struct ga_identity id;

	(void)state;
	/* 8181: stat there, comm gone: it exited while being read */
	assert_int_equal(ga_identity_read(V2, v2_mount(), 8181, GA_ID_READ_ALL,
					  &id),
			 -ESRCH);
	assert_null(id.exe);
	assert_int_equal(id.pid, 0);
	assert_int_equal(ga_identity_read(V2, v2_mount(), 99999, GA_ID_READ_ALL,
					  &id),
			 -ESRCH);
	ga_identity_done(&id);
}

static void long_hostile_command_line(void **state)
{
	struct ga_identity id;
	const char *want =
		"/usr/bin/trainer --note=\\033[31mred\\033[0m\\011tab "
		"caf\\303\\251 back\\134slash \"q\" --opt0=xxxx";
	size_t i;

	(void)state;
	assert_int_equal(ga_identity_read(V2, v2_mount(), 9191,
					  GA_ID_READ_CMDLINE, &id),
			 0);
	assert_true(!strncmp(id.cmdline, want, strlen(want)));
	assert_true(id.flags & GA_ID_CMDLINE_CUT);
	assert_true(strlen(id.cmdline) < GA_CMDLINE_MAX);
	assert_true(strlen(id.cmdline) > GA_CMDLINE_MAX - 8);
	for (i = 0; id.cmdline[i]; i++)
		assert_true(id.cmdline[i] >= 0x20 && id.cmdline[i] < 0x7f);
	/* nothing else was asked for */
	assert_string_equal(id.exe, "");
	assert_string_equal(id.cgroup, "");
	assert_false(id.flags & GA_ID_MAPS_SCANNED);
	ga_identity_done(&id);
}

/* proc from the fixture, cgroups made here with their labels. */
static void model_label_of_a_job_step(void **state)
{
	char *root = fix_tmpdir_new(), path[GA_PATH_MAX];
	struct ga_cgroup_mount m;
	struct ga_identity id;

	*state = root;
	snprintf(path, sizeof(path), "%s/proc", root);
	assert_int_equal(symlink(V2 "/proc", path), 0);
	fix_mkdirs(root, "sys/fs/cgroup/greenai/job-17/step-1");
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/greenai/job-17", root);
	if (setxattr(path, GA_LABEL_MODEL, "resnet50", 8, 0)) {
		print_message("# skip: no user xattrs under /tmp: %s\n",
			      strerror(errno));
		skip();
		return;
	}
	assert_int_equal(ga_cgroup_label_set(path, GA_LABEL_RUN, "run-17"), 0);
	assert_int_equal(ga_cgroup_label_set(path, GA_LABEL_ACCURACY, "76.1"),
			 0);
	assert_int_equal(ga_cgroup_find_mount(root, &m), 0);
	assert_int_equal(ga_identity_read(root, &m, 9191, GA_ID_READ_ALL, &id),
			 0);
	assert_string_equal(id.cgroup, "/greenai/job-17/step-1");
	assert_string_equal(id.model, "resnet50");
	assert_string_equal(id.run, "run-17");
	assert_string_equal(id.accuracy, "76.1");
	assert_int_equal(id.container.runtime, GA_RT_NONE);
	ga_identity_done(&id);

	/* a stored value that is not a label's: flagged, not shown */
	assert_int_equal(setxattr(path, GA_LABEL_MODEL, "x\ny", 3, 0), 0);
	assert_int_equal(
		ga_identity_read(root, &m, 9191, GA_ID_READ_CGROUP, &id), 0);
	assert_string_equal(id.model, "");
	assert_true(id.flags & GA_ID_LABELS_DENIED);
	ga_identity_done(&id);
}

/* --- the cache --- */

static void cache_reads_once_and_notices_pid_reuse(void **state)
{
	char *root = fix_tmpdir_new(), path[GA_PATH_MAX];
	struct ga_identity_conf conf = { .capacity = 16 };
	struct ga_identity_cache_stats st;
	const struct ga_identity *id, *again;
	struct ga_identity_cache *c;

	*state = root;
	copy_pid(root, 4242);
	conf.root = root;
	conf.mount = v2_mount();
	assert_int_equal(ga_identity_cache_new(&c, &conf), 0);

	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	assert_int_equal(id->frameworks, GA_FW_PYTORCH | GA_FW_CUDA);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &again), 0);
	assert_ptr_equal(id, again);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.maps_scans, 1);
	assert_int_equal(st.entries, 1);

	/* the maps change: not seen until asked */
	fix_write(root, "proc/4242/maps", "");
	fix_write_data(root, "proc/4242/cmdline", "python3\0eval.py\0", 16);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	assert_int_equal(id->frameworks, GA_FW_PYTORCH | GA_FW_CUDA);
	assert_string_equal(id->cmdline, "python3 train.py --model resnet50 "
					 "--epochs 90 --data /data/imagenet");
	/* an exec: refresh rereads all but the maps */
	assert_int_equal(ga_identity_cache_get(c, 4242, GA_ID_GET_REFRESH, &id),
			 0);
	assert_string_equal(id->cmdline, "python3 eval.py");
	assert_int_equal(id->frameworks, GA_FW_PYTORCH | GA_FW_CUDA);
	assert_true(id->flags & GA_ID_MAPS_SCANNED);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.maps_scans, 1);
	assert_int_equal(
		ga_identity_cache_get(c, 4242, GA_ID_GET_RESCAN_MAPS, &id), 0);
	assert_int_equal(id->frameworks, 0);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.maps_scans, 2);

	/* an exec under another name: read again, maps too */
	fix_write(root, "proc/4242/maps",
		  "7f0000000000-7f0000001000 r-xp 00000000 08:01 1 "
		  "/usr/lib/libonnxruntime.so.1.16\n");
	set_stat_start(root, 4242, "onnx-serve", id->start_time);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	assert_int_equal(id->frameworks, GA_FW_ONNXRUNTIME);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.renamed, 1);
	assert_int_equal(st.maps_scans, 3);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.maps_scans, 3);

	/* another process under the same pid */
	set_stat_start(root, 4242, "bash", 999999);
	fix_write(root, "proc/4242/comm", "bash\n");
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	assert_int_equal(id->start_time, 999999);
	assert_string_equal(id->comm, "bash");
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.reused, 1);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 1);

	/* and gone */
	snprintf(path, sizeof(path), "%s/proc/4242/stat", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), -ESRCH);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(ga_identity_cache_get(c, 0, 0, &id), -EINVAL);
	ga_identity_cache_free(c);
}

static void cache_evicts_the_least_recently_used(void **state)
{
	struct ga_identity_conf conf = { .root = V2, .capacity = 3 };
	struct ga_identity_cache_stats st;
	const struct ga_identity *id;
	struct ga_identity_cache *c;

	(void)state;
	/* the mount is found under the root */
	assert_int_equal(ga_identity_cache_new(&c, &conf), 0);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0);
	assert_true(id->cgroup_id != 0);
	assert_int_equal(ga_identity_cache_get(c, 5151, 0, &id), 0);
	assert_int_equal(ga_identity_cache_get(c, 6161, 0, &id), 0);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0); /* hit */
	assert_int_equal(ga_identity_cache_get(c, 7171, 0, &id), 0); /* -5151 */
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.hits, 1);
	assert_int_equal(ga_identity_cache_get(c, 4242, 0, &id), 0); /* hit */
	assert_int_equal(ga_identity_cache_get(c, 5151, 0, &id), 0); /* -6161 */
	assert_int_equal(ga_identity_cache_get(c, 7171, 0, &id), 0); /* hit */
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 5);
	assert_int_equal(st.evictions, 2);
	ga_identity_cache_forget(c, 7171);
	ga_identity_cache_forget(c, 31337);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	/* failures leave no entry behind */
	assert_int_equal(ga_identity_cache_get(c, 8181, 0, &id), -ESRCH);
	ga_identity_cache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	ga_identity_cache_free(c);
	ga_identity_cache_free(NULL);
}

static void cache_on_a_v1_only_host(void **state)
{
	char *root = fix_tmpdir_new(), path[GA_PATH_MAX];
	struct ga_identity_conf conf = { 0 };
	const struct ga_identity *id;
	struct ga_identity_cache *c;

	*state = root;
	copy_pid(root, 5151);
	snprintf(path, sizeof(path), "%s/proc/5151/cgroup", root);
	fix_copy_file(FX "proc-v1/proc/1234/cgroup", path, 0644);
	fix_mkdirs(root, "proc/self");
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	fix_copy_file(FX "proc-v1/proc/self/mountinfo", path, 0644);
	conf.root = root;
	assert_int_equal(ga_identity_cache_new(&c, &conf), 0);
	assert_int_equal(ga_identity_cache_get(c, 5151, 0, &id), 0);
	assert_int_equal(id->cgroup_hier, GA_CGROUP_V1_SYSTEMD);
	assert_int_equal(id->container.runtime, GA_RT_DOCKER);
	assert_string_equal(id->container.id, CID_TF);
	assert_true(id->cgroup_id == 0); /* no v2 id for a v1 path */
	ga_identity_cache_free(c);
}

/* --- the real /proc --- */

static void this_process(void **state)
{
	struct ga_cgroup_mount m;
	struct ga_proc_stat st;
	struct ga_identity id;
	char cg[GA_PATH_MAX];
	const char *base = strrchr(argv0, '/');
	bool has_v2;

	(void)state;
	base = base ? base + 1 : argv0;
	has_v2 = !ga_cgroup_find_mount("/", &m);
	assert_int_equal(ga_identity_read(NULL, has_v2 ? &m : NULL, getpid(),
					  GA_ID_READ_ALL, &id),
			 0);
	assert_int_equal(id.pid, getpid());
	assert_int_equal(id.ppid, getppid());
	assert_int_equal(ga_proc_stat_read("/", getpid(), &st), 0);
	assert_int_equal(id.start_time, st.start_time);
	assert_true(!strncmp(id.comm, base, 15));
	assert_true(strlen(id.exe) > strlen(base));
	assert_string_equal(id.exe + strlen(id.exe) - strlen(base), base);
	assert_true(!strncmp(id.cmdline, argv0, strlen(argv0)));
	assert_int_equal(ga_cgroup_of_pid(NULL, 0, cg, sizeof(cg), NULL), 0);
	assert_string_equal(id.cgroup, cg);
	if (has_v2)
		assert_true(id.cgroup_id != 0);
	assert_int_equal(id.frameworks, 0);
	assert_int_equal(id.flags & ~GA_ID_LABELS_DENIED, GA_ID_MAPS_SCANNED);
	ga_identity_done(&id);
}

static void real_zombie_then_reaped(void **state)
{
	struct ga_identity id;
	siginfo_t si = { 0 };
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	/* wait for it to be a zombie, without reaping it */
	assert_int_equal(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(si.si_pid, pid);
	assert_int_equal(ga_identity_read(NULL, NULL, pid, GA_ID_READ_ALL, &id),
			 0);
	assert_int_equal(id.state, 'Z');
	assert_true(id.flags & GA_ID_ZOMBIE);
	assert_true(id.flags & GA_ID_EXE_NONE);
	assert_string_equal(id.exe, "");
	assert_string_equal(id.cmdline, "");
	ga_identity_done(&id);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(ga_identity_read(NULL, NULL, pid, GA_ID_READ_ALL, &id),
			 -ESRCH);
}

/* Another user's process: exe and maps denied, the rest readable. */
static int read_pid1_as_nobody(void)
{
	struct ga_identity id;
	int err;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
		return 10;
	err = ga_identity_read(NULL, NULL, 1, GA_ID_READ_ALL, &id);
	if (err)
		return 11;
	if (!(id.flags & GA_ID_EXE_DENIED) || id.exe[0])
		return 12;
	if (!(id.flags & GA_ID_MAPS_DENIED) || (id.flags & GA_ID_MAPS_SCANNED))
		return 13;
	if (!id.comm[0] || id.start_time == 0 || !id.cgroup[0])
		return 14;
	ga_identity_done(&id);
	return 0;
}

static void another_users_process_is_flagged_not_failed(void **state)
{
	struct stat st;
	pid_t pid;
	int status;

	(void)state;
	if (stat("/proc/1", &st) || st.st_uid != 0) {
		print_message("# skip: PID 1 here is not root's\n");
		skip();
		return;
	}
	if (geteuid() != 0) {
		assert_int_equal(read_pid1_as_nobody(), 0);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(read_pid1_as_nobody());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		print_message("# child failed check %d\n", WEXITSTATUS(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct child {
	pid_t pid;
	int in; /* its stdin: closing it ends it */
	int out; /* its stdout, open until it has ended */
};

/* Run argv with a pipe on stdin and wait for "ready" on its stdout. */
static bool spawn_ready(char *const argv[], struct child *ch)
{
	int to[2], from[2];
	char buf[64];
	ssize_t n;
	size_t got = 0;

	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC), 0);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	ch->in = to[1];
	while (got < sizeof(buf) - 1) {
		n = read(from[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
		if (strstr(buf, "ready"))
			break;
	}
	ch->out = from[0];
	buf[got] = '\0';
	return strstr(buf, "ready") != NULL;
}

static int end_child(struct child *ch)
{
	int status = 0;

	close(ch->in);
	waitpid(ch->pid, &status, 0);
	close(ch->out);
	return status;
}

static bool have_python3(void)
{
	return !system("python3 -c 'pass' >/dev/null 2>&1");
}

/* A real python3 that maps a shared object named like PyTorch's. */
static void python_with_a_stand_in_libtorch(void **state)
{
	static const char *const libz[] = {
		"/usr/lib/x86_64-linux-gnu/libz.so.1",
		"/lib/x86_64-linux-gnu/libz.so.1",
		"/usr/lib64/libz.so.1",
		"/usr/lib/aarch64-linux-gnu/libz.so.1",
	};
	char *dir = fix_tmpdir_new(), lib[GA_PATH_MAX];
	char *argv[] = { "python3", "-c",
			 "import ctypes, sys; ctypes.CDLL(sys.argv[1]); "
			 "print('ready', flush=True); sys.stdin.read()",
			 lib, NULL };
	struct ga_identity_conf conf = { 0 };
	const struct ga_identity *id;
	struct ga_identity_cache *c;
	struct child ch;
	size_t i;

	*state = dir;
	if (!have_python3()) {
		print_message("# skip: no python3 here\n");
		skip();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(libz); i++)
		if (!access(libz[i], R_OK))
			break;
	if (i == ARRAY_SIZE(libz)) {
		print_message(
			"# skip: no libz.so.1 to stand in for libtorch\n");
		skip();
		return;
	}
	snprintf(lib, sizeof(lib), "%s/libtorch_cpu.so", dir);
	fix_copy_file(libz[i], lib, 0644);
	assert_true(spawn_ready(argv, &ch));
	assert_int_equal(ga_identity_cache_new(&c, &conf), 0);
	assert_int_equal(ga_identity_cache_get(c, ch.pid, 0, &id), 0);
	assert_true(!strncmp(id->comm, "python3", 7));
	assert_non_null(strstr(id->exe, "python3"));
	assert_non_null(strstr(id->cmdline, "python3 -c import ctypes, sys;"));
	assert_int_equal(id->frameworks, GA_FW_PYTORCH);
	assert_int_equal(end_child(&ch), 0);
	assert_int_equal(ga_identity_cache_get(c, ch.pid, 0, &id), -ESRCH);
	ga_identity_cache_free(c);
}

/*
 * The real PyTorch, when the python3-torch package is installed: Debian's
 * python3 first (a python3 earlier in PATH, pyenv's say, does not see
 * Debian's packages).
 */
static void python_importing_torch(void **state)
{
	static const char *const pythons[] = { "/usr/bin/python3", "python3" };
	char *argv[] = { NULL, "-c",
			 "import sys, torch; print('ready', flush=True); "
			 "sys.stdin.read()",
			 NULL };
	char cmd[128];
	struct ga_identity id;
	struct child ch;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pythons); i++) {
		snprintf(cmd, sizeof(cmd),
			 "%s -c 'import torch' >/dev/null 2>&1", pythons[i]);
		if (!system(cmd))
			break;
	}
	if (i == ARRAY_SIZE(pythons)) {
		print_message("# skip: python3-torch is not installed\n");
		skip();
		return;
	}
	argv[0] = (char *)pythons[i];
	assert_true(spawn_ready(argv, &ch));
	assert_int_equal(
		ga_identity_read(NULL, NULL, ch.pid, GA_ID_READ_ALL, &id), 0);
	if (!(id.frameworks & GA_FW_PYTORCH))
		print_message("# frameworks of %s: %#x\n", pythons[i],
			      id.frameworks);
	assert_true(id.frameworks & GA_FW_PYTORCH);
	ga_identity_done(&id);
	assert_int_equal(end_child(&ch), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_lines_parse_from_the_last_paren),
		cmocka_unit_test(malformed_stat_lines_are_rejected),
		cmocka_unit_test(random_stat_lines_never_crash),
		cmocka_unit_test_teardown(stat_of_another_pid_is_rejected,
					  fix_teardown),
		cmocka_unit_test_teardown(owner_is_the_fs_ids_of_status,
					  fix_teardown),
		cmocka_unit_test(frameworks_from_mapped_paths),
		cmocka_unit_test(framework_names_and_lists),
		cmocka_unit_test(frameworks_of_fixture_processes),
		cmocka_unit_test(escaping_is_bounded_and_whole),
		cmocka_unit_test(trainer_in_a_cri_pod),
		cmocka_unit_test(tensorflow_in_docker_with_a_hostile_comm),
		cmocka_unit_test(jax_and_onnx_in_rootless_podman),
		cmocka_unit_test(nginx_with_a_deleted_binary),
		cmocka_unit_test(kernel_thread_and_zombie),
		cmocka_unit_test(vanished_processes_are_esrch),
		cmocka_unit_test(long_hostile_command_line),
		cmocka_unit_test_teardown(model_label_of_a_job_step,
					  fix_teardown),
		cmocka_unit_test_teardown(
			cache_reads_once_and_notices_pid_reuse, fix_teardown),
		cmocka_unit_test(cache_evicts_the_least_recently_used),
		cmocka_unit_test_teardown(cache_on_a_v1_only_host,
					  fix_teardown),
		cmocka_unit_test(this_process),
		cmocka_unit_test(real_zombie_then_reaped),
		cmocka_unit_test(another_users_process_is_flagged_not_failed),
		cmocka_unit_test_teardown(python_with_a_stand_in_libtorch,
					  fix_teardown),
		cmocka_unit_test(python_importing_torch),
	};

	(void)argc;
	argv0 = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
