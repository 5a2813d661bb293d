// SPDX-License-Identifier: GPL-2.0
/*
 * spin SECONDS: keep one CPU busy until this process has run for SECONDS
 * of CPU time (a decimal number), then exit; a workload of known length
 * for the module and host suites. CPU time, not wall time: on a busy
 * machine the spin takes longer, but what it ran is what it was asked to
 * run, and it lives at least SECONDS of wall time either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	volatile unsigned long n = 0;
	unsigned long i;
	double secs;
	char *rest;

	if (argc != 2 || (secs = strtod(argv[1], &rest)) <= 0 || *rest) {
		fprintf(stderr, "usage: spin SECONDS\n");
		return 2;
	}
	/* (the CPU clock is a system call: look at it every 100 000 turns) */
	while (cpu_now() < secs)
		for (i = 0; i < 100000; i++)
			n++;
	return 0;
}
