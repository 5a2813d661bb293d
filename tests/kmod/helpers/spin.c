// SPDX-License-Identifier: GPL-2.0
/*
 * spin SECONDS: keep one CPU busy for SECONDS of wall time (a decimal
 * number), then exit; a workload of known length for the module suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	volatile unsigned long n = 0;
	double end;
	char *rest;

	if (argc != 2 || strtod(argv[1], &rest) <= 0 || *rest) {
		fprintf(stderr, "usage: spin SECONDS\n");
		return 2;
	}
	end = now() + strtod(argv[1], NULL);
	while (now() < end)
		n++;
	return 0;
}
