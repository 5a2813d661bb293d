/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a process is: pid, start time, comm, exe, command line, cgroup,
 * container, model label and the ML frameworks it has loaded, read from
 * <root>/proc/PID/ (root "/" normally, a fixture tree in tests).
 *
 * A pid is reused; (pid, start time) is not: the start time is field 22
 * of /proc/PID/stat, in clock ticks since boot. The identity cache keys
 * its entries by both, so a new process under an old pid is noticed and
 * read afresh, and a process's identity is otherwise read once: the maps
 * scan (the expensive part, some thousands of lines for a Python process
 * with PyTorch) once per process lifetime, again only when asked. An
 * exec keeps the pid and start time: callers that see execs (the BPF
 * backend does) ask for GA_ID_GET_REFRESH or forget the pid; the cache
 * notices one by itself when the name in /proc/PID/stat changes, and then
 * reads everything again, maps included.
 *
 * Errors: -ESRCH when the process is gone, before or while it is read
 * (a pid whose stat or comm vanishes, or whose start time changes, under
 * the reader). A field the reader may not see (exe and maps of another
 * user's process, without CAP_SYS_PTRACE) is left empty and flagged:
 * that is not an error.
 */
#ifndef _GREENAI_IDENTITY_H
#define _GREENAI_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <greenai/cgroup.h>
#include <greenai/container.h>

#define GA_COMM_MAX 64 /* /proc/PID/comm: 16, or 64 for workers */
#define GA_CMDLINE_MAX 1024 /* of the command line, once escaped */

/* ML frameworks, as a bitmask: what shared objects a process maps. */
enum ga_framework {
	GA_FW_PYTORCH = 1u << 0, /* libtorch*.so, libc10*.so */
	GA_FW_TENSORFLOW = 1u << 1, /* libtensorflow*.so, _pywrap_tf... */
	GA_FW_JAX = 1u << 2, /* jaxlib: xla_extension.so, ... */
	GA_FW_ONNXRUNTIME = 1u << 3, /* libonnxruntime*.so, its pybind */
	GA_FW_CUDA = 1u << 4, /* libcudart, libcuda, libcublas, libcudnn */
};

#define GA_FW_NR 5
#define GA_FW_ALL ((1u << GA_FW_NR) - 1)

/* ga_identity.flags */
#define GA_ID_KTHREAD (1u << 0) /* a kernel thread */
#define GA_ID_ZOMBIE (1u << 1) /* exited, not yet reaped */
#define GA_ID_EXE_DENIED (1u << 2) /* exe: permission denied */
#define GA_ID_EXE_DELETED (1u << 3) /* exe: deleted since exec */
#define GA_ID_EXE_NONE (1u << 4) /* exe: none (kthread, zombie) */
#define GA_ID_CMDLINE_CUT (1u << 5) /* cmdline: truncated */
#define GA_ID_MAPS_DENIED (1u << 6) /* maps: permission denied */
#define GA_ID_MAPS_SCANNED (1u << 7) /* maps: read (frameworks valid) */
#define GA_ID_CGROUP_NONE (1u << 8) /* no cgroup (path or dir) */
#define GA_ID_LABELS_DENIED (1u << 9) /* labels: could not be read */

struct ga_identity {
	int pid;
	int ppid;
	char state; /* R, S, D, Z, ... */
	uint64_t start_time; /* clock ticks since boot */
	char comm[GA_COMM_MAX]; /* as the kernel has it */
	char *exe; /* "" when unknown */
	char *cmdline; /* space-joined, escaped; "" if none */
	char *cgroup; /* cgroup path; "" when unknown */
	enum ga_cgroup_hier cgroup_hier;
	uint64_t cgroup_id; /* 0 when unknown */
	struct ga_container container;
	char model[GA_LABEL_MAX + 1]; /* "" when unlabelled */
	char run[GA_LABEL_MAX + 1];
	char accuracy[GA_LABEL_MAX + 1];
	uint32_t frameworks; /* enum ga_framework bits */
	uint32_t flags; /* GA_ID_* */
};

/* What ga_identity_read() reads besides stat and comm. */
#define GA_ID_READ_EXE (1u << 0)
#define GA_ID_READ_CMDLINE (1u << 1)
#define GA_ID_READ_CGROUP (1u << 2) /* path, id, container, labels */
#define GA_ID_READ_MAPS (1u << 3)
#define GA_ID_READ_ALL 0xfu

/* /proc/PID/stat, the fields used here. */
struct ga_proc_stat {
	int pid;
	char comm[GA_COMM_MAX];
	char state;
	int ppid;
	unsigned int flags; /* PF_* */
	uint64_t start_time;
};

int ga_proc_stat_parse(const char *buf, struct ga_proc_stat *st);
int ga_proc_stat_read(const char *root, int pid, struct ga_proc_stat *st);
int ga_proc_owner(const char *root, int pid, uid_t *uid, gid_t *gid);
int ga_proc_uid(const char *root, int pid, uid_t *uid);

uint32_t ga_framework_of_path(const char *path);
const char *ga_framework_name(uint32_t bit);
int ga_frameworks_str(uint32_t mask, char *buf, size_t size);
int ga_proc_frameworks(const char *root, int pid, uint32_t *mask);

bool ga_escape(char *dst, size_t size, const char *src, size_t len);

int ga_identity_read(const char *root, const struct ga_cgroup_mount *m, int pid,
		     unsigned int what, struct ga_identity *id);
void ga_identity_done(struct ga_identity *id);

#endif /* _GREENAI_IDENTITY_H */
