// SPDX-License-Identifier: GPL-2.0
/*
 * forkstorm N: fork N children that exit at once, reaping each, as fast as
 * possible; a workload of short-lived processes for the module suite.
 * Prints its own pid first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long i, n = argc == 2 ? strtol(argv[1], NULL, 10) : -1;

	if (n < 1) {
		fprintf(stderr, "usage: forkstorm N\n");
		return 2;
	}
	printf("%d\n", getpid());
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid) {
			perror("waitpid");
			return 1;
		}
	}
	return 0;
}
