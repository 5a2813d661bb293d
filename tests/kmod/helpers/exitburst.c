// SPDX-License-Identifier: GPL-2.0
/*
 * exitburst BATCHES SIZE: on CPU 0 only, start BATCHES batches of SIZE
 * children that wait, then let them all exit at once; a burst of more
 * exits on one CPU than the module records in one interval, from
 * processes it has seen run.
 *
 * Reads one line on stdin before each batch, and one more before the
 * burst; prints "batch N" once batch N has started, and "done" once every
 * child is reaped. A caller closes an interval between batches, so each
 * child runs in an interval with room for it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int next_line(void)
{
	int c;

	while ((c = getchar()) != EOF)
		if (c == '\n')
			return 0;
	return -1;
}

int main(int argc, char **argv)
{
	long batches = argc == 3 ? strtol(argv[1], NULL, 10) : -1;
	long size = argc == 3 ? strtol(argv[2], NULL, 10) : -1;
	long b, i, n = 0;
	cpu_set_t cpu0;
	int gate[2];
	char c;

	if (batches < 1 || size < 1) {
		fprintf(stderr, "usage: exitburst BATCHES SIZE\n");
		return 2;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) || pipe(gate)) {
		perror("exitburst");
		return 1;
	}
	for (b = 1; b <= batches; b++) {
		if (next_line())
			return 1;
		for (i = 0; i < size; i++, n++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (!pid) {
				/* wait until the write end closes, then exit */
				close(gate[1]);
				while (read(gate[0], &c, 1) > 0)
					;
				_exit(0);
			}
		}
		printf("batch %ld\n", b);
		fflush(stdout);
	}
	if (next_line())
		return 1;
	close(gate[1]);
	while (n > 0 && wait(NULL) > 0)
		n--;
	printf("done\n");
	return n ? 1 : 0;
}
