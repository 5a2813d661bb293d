// SPDX-License-Identifier: GPL-2.0
/*
 * sleepers N PERIOD_MS SECONDS: N processes that each wake every
 * PERIOD_MS for SECONDS, then exit: a machine of many live processes that
 * all run a little (so every one is in greenai's tables), for measuring
 * what a refresh of gtop costs. Prints "ready" once all are forked; exits
 * when they have.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleeper(long period_ms, long secs)
{
	struct timespec ts = { period_ms / 1000, period_ms % 1000 * 1000000 };
	time_t end = time(NULL) + secs;

	while (time(NULL) < end)
		nanosleep(&ts, NULL);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n, period, secs, i;
	pid_t pid;

	if (argc != 4 || (n = atol(argv[1])) < 1 ||
	    (period = atol(argv[2])) < 1 || (secs = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: sleepers N PERIOD_MS SECONDS\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("sleepers: fork");
			kill(0, SIGTERM);
			return 1;
		}
		if (!pid)
			sleeper(period, secs);
	}
	printf("ready\n");
	fflush(stdout);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
