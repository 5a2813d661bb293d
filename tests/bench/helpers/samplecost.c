// SPDX-License-Identifier: GPL-2.0
/*
 * samplecost SAMPLES INTERVAL_MS [MAX_RUNS]: what one libgreenai sample
 * costs. Opens the BPF backend (the power model as the energy source),
 * samples every INTERVAL_MS SAMPLES times (at least 3), draining the exit
 * ring between samples as the tools do, and prints
 *   processes N      processes libgreenai follows after the last sample
 *   ran N            of them, those charged run time in the last interval
 *   sample_us N      the median CPU time of one ga_sample() after the
 *                    first two (this process's user and system time,
 *                    the kernel's map reads included)
 *   evicted N        run entries the BPF map made room for others
 * MAX_RUNS sizes the BPF run map (0: the default). Root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <greenai/libgreenai.h>

struct count {
	unsigned long n;
	unsigned long ran;
	__u64 *prev;		/* cpu_ns by tgid, the last sample's */
	unsigned long max;
};

static int count_task(const struct ga_acct_task *t, void *arg)
{
	struct count *c = arg;

	if (t->tgid == GA_ACCT_OVERFLOW_ID)
		return 0;
	c->n++;
	if (t->tgid < c->max) {
		c->ran += t->cpu_ns != c->prev[t->tgid];
		c->prev[t->tgid] = t->cpu_ns;
	}
	return 0;
}

static __u64 cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct ga_opts opts = { .backend = GA_BACKEND_BPF,
				.cpu_source = GA_CPU_SOURCE_MODEL,
				.no_extra_sources = true };
	struct count c = { .max = 1 << 22 };
	struct ga_stats st;
	char err[256];
	struct ga_ctx *g;
	__u64 *cost, t;
	long i, n = argc >= 3 ? atol(argv[1]) : 0;
	long ms = argc >= 3 ? atol(argv[2]) : 0;

	if (argc < 3 || argc > 4 || n < 3 || ms < 10) {
		fprintf(stderr,
			"usage: samplecost SAMPLES INTERVAL_MS [MAX_RUNS]\n");
		return 2;
	}
	opts.bpf.max_runs = argc == 4 ? atol(argv[3]) : 0;
	cost = calloc(n, sizeof(*cost));
	c.prev = calloc(c.max, sizeof(*c.prev));
	if (!cost || !c.prev)
		return 1;
	if (ga_open(&g, &opts, err, sizeof(err))) {
		fprintf(stderr, "samplecost: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		ga_wait(g, mono_ns() + ms * 1000000ULL, -1);
		t = cpu_ns();
		if (ga_sample(g)) {
			fprintf(stderr, "samplecost: a sample failed\n");
			return 1;
		}
		cost[i] = cpu_ns() - t;
		c.n = c.ran = 0;
		ga_for_each_task(g, count_task, &c);
	}
	ga_stats(g, &st);
	qsort(cost + 2, n - 2, sizeof(*cost), cmp_u64);
	printf("processes %lu\nran %lu\nsample_us %.0f\nevicted %llu\n", c.n,
	       c.ran, cost[2 + (n - 2) / 2] / 1000.0,
	       (unsigned long long)st.runs_evicted);
	ga_close(g);
	return 0;
}
