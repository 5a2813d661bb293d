// SPDX-License-Identifier: GPL-2.0
/*
 * floor OBJECT CMD...: load the BPF object (tests/bench/bpf/
 * empty_switch.bpf.c), attach its programs, run CMD, and print
 * "floor_ns N": run_time_ns / run_cnt of its first program over CMD's run,
 * as kernel.bpf_stats_enabled=1 makes the kernel count them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: floor OBJECT CMD...\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "floor: cannot attach: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 1;
	printf("floor_ns %.0f\n", info.run_cnt ?
	       (double)info.run_time_ns / info.run_cnt : 0.0);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
