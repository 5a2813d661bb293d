// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong ROUNDS: two processes pass one byte back and forth over two
 * pipes, ROUNDS times (two context switches a round when they share a
 * CPU); prints "rounds seconds switches_per_second".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long i, rounds = argc == 2 ? strtol(argv[1], NULL, 10) : -1;
	int ping[2], pong[2];
	double t0, t;
	char c = 0;
	pid_t pid;

	if (rounds < 1) {
		fprintf(stderr, "usage: pingpong ROUNDS\n");
		return 2;
	}
	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		for (i = 0; i < rounds; i++)
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = now();
	for (i = 0; i < rounds; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
			perror("pingpong");
			return 1;
		}
	t = now() - t0;
	waitpid(pid, NULL, 0);
	printf("%ld %.6f %.0f\n", rounds, t, 2 * rounds / t);
	return 0;
}
