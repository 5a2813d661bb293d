// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libgreenai's userspace accounting (tools/lib/engine/account.c):
 * exact conservation per domain over random intervals and processes,
 * CPU domains split by the run time on their CPUs only, share domains,
 * the overflow entries of full tables, and the fold of an exit.
 *
 * Expected figures come from sums kept here over the same inputs, never
 * from the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/account.h"
#include "fixture.h"

#define NR_CPUS 4

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static __u64 rng(void)
{
	return fix_rng(&rng_state);
}

struct sums {
	__u64 active[GREENAI_MAX_DOMAINS], idle[GREENAI_MAX_DOMAINS];
	__u64 cpu_ns;
	unsigned int n;
};

static int sum_task(const struct ga_acct_task *t, void *arg)
{
	struct sums *s = arg;
	unsigned int i;

	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		s->active[i] += t->energy[i].active_uj;
		s->idle[i] += t->energy[i].idle_uj;
	}
	s->cpu_ns += t->cpu_ns;
	s->n++;
	return 0;
}

static int sum_cgroup(const struct ga_acct_cgroup *c, void *arg)
{
	struct sums *s = arg;
	unsigned int i;

	for (i = 0; i < GREENAI_MAX_DOMAINS; i++) {
		s->active[i] += c->energy[i].active_uj;
		s->idle[i] += c->energy[i].idle_uj;
	}
	s->cpu_ns += c->cpu_ns;
	s->n++;
	return 0;
}

/* Two packages of two CPUs each, and a platform domain over all four. */
static struct ga_acct *two_packages(unsigned int max_tasks, __u32 share)
{
	static const unsigned char pkg0[NR_CPUS] = { 1, 1, 0, 0 };
	static const unsigned char pkg1[NR_CPUS] = { 0, 0, 1, 1 };
	static const unsigned char all[NR_CPUS] = { 1, 1, 1, 1 };
	struct ga_acct_conf conf = { .nr_cpus = NR_CPUS,
				     .max_tasks = max_tasks,
				     .idle.share = share };
	struct greenai_domain d = { .kind = GREENAI_DOM_PACKAGE };
	struct ga_acct *a;

	assert_int_equal(ga_acct_new(&a, &conf), 0);
	assert_int_equal(ga_acct_add_domain(a, &d, pkg0), 0);
	d.package = 1;
	assert_int_equal(ga_acct_add_domain(a, &d, pkg1), 1);
	d.kind = GREENAI_DOM_PSYS;
	assert_int_equal(ga_acct_add_domain(a, &d, all), 2);
	assert_int_equal(ga_acct_domain(a, 2)->nr_cpus, 4);
	return a;
}

/*
 * Σ processes + node idle + unattributed == energy, per domain, over many
 * intervals, under the default policy (capacity).
 */
static void conservation_random(void **state)
{
	struct greenai_rec_interval rec[3];
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_CAPACITY);
	__u64 energy_total[3] = { 0 }, unattributed[3] = { 0 };
	__u64 cpu_total = 0, t0 = 1000;
	struct sums tasks = { 0 }, cgroups = { 0 };
	unsigned int iv, k, i;

	(void)state;
	for (iv = 0; iv < 2000; iv++) {
		__u64 energy[3], cpu_ns[NR_CPUS];
		unsigned int n = rng() % 40;

		ga_acct_begin(a, t0, t0 + 100000000);
		t0 += 100000000;
		for (k = 0; k < n; k++) {
			for (i = 0; i < NR_CPUS; i++) {
				cpu_ns[i] = rng() % 4 ? 0 : rng() % 25000000;
				cpu_total += cpu_ns[i];
			}
			assert_int_equal(ga_acct_charge(a, 1 + rng() % 500,
							rng() % 7, "w", 0,
							cpu_ns),
					 0);
		}
		for (i = 0; i < 3; i++) {
			energy[i] = rng() % 10000000;
			energy_total[i] += energy[i];
		}
		ga_acct_end(a, NULL, energy, NULL, rec);
		for (i = 0; i < 3; i++) {
			assert_int_equal(rec[i].active_uj + rec[i].idle_uj,
					 energy[i]);
			unattributed[i] += rec[i].unattributed_uj +
					   rec[i].node_idle_uj;
		}
	}
	ga_acct_for_each_task(a, sum_task, &tasks);
	ga_acct_for_each_cgroup(a, sum_cgroup, &cgroups);
	assert_int_equal(tasks.cpu_ns, cpu_total);
	assert_int_equal(cgroups.cpu_ns, cpu_total);
	for (i = 0; i < 3; i++) {
		const struct ga_acct_domain_totals *t =
			ga_acct_domain_totals(a, i);

		assert_int_equal(t->energy_uj, energy_total[i]);
		assert_int_equal(t->node_idle_uj + t->unattributed_uj,
				 unattributed[i]);
		assert_int_equal(tasks.active[i] + tasks.idle[i] +
					 unattributed[i],
				 energy_total[i]);
		assert_int_equal(cgroups.active[i] + cgroups.idle[i] +
					 unattributed[i],
				 energy_total[i]);
	}
	ga_acct_free(a);
}

/* A package's energy goes to what ran on its CPUs, in proportion (busy). */
static void package_split_by_its_cpus(void **state)
{
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_BUSY);
	const __u64 p0[NR_CPUS] = { 30000000, 0, 0, 0 };
	const __u64 p1[NR_CPUS] = { 0, 10000000, 20000000, 0 };
	const __u64 energy[3] = { 900000, 400000, 0 };
	const struct ga_acct_task *t1, *t2;

	(void)state;
	ga_acct_begin(a, 0, 100000000);
	ga_acct_charge(a, 1, 5, "one", 0, p0);
	ga_acct_charge(a, 2, 5, "two", 0, p1);
	ga_acct_end(a, NULL, energy, NULL, NULL);
	t1 = ga_acct_task(a, 1);
	t2 = ga_acct_task(a, 2);
	/*
	 * package 0: capacity 200 ms, busy 40 ms (30 + 10): active is
	 * 900000 × 40/200 = 180000, split 30:10; idle 720000 likewise.
	 */
	assert_int_equal(t1->energy[0].active_uj, 135000);
	assert_int_equal(t2->energy[0].active_uj, 45000);
	assert_int_equal(t1->energy[0].idle_uj, 540000);
	assert_int_equal(t2->energy[0].idle_uj, 180000);
	/* package 1: only process 2 ran there (20 ms of 200) */
	assert_int_equal(t1->energy[1].active_uj + t1->energy[1].idle_uj, 0);
	assert_int_equal(t2->energy[1].active_uj, 40000);
	assert_int_equal(t2->energy[1].idle_uj, 360000);
	assert_int_equal(t1->cpu_ns, 30000000);
	assert_int_equal(t2->cpu_ns, 30000000);
	ga_acct_free(a);
}

/*
 * The default: idle by capacity share, the rest the node's; a model
 * domain's idle power is the model's own, a fixed one the user's.
 */
static void package_split_by_capacity(void **state)
{
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_CAPACITY);
	const __u64 p0[NR_CPUS] = { 30000000, 0, 0, 0 };
	const __u64 p1[NR_CPUS] = { 0, 10000000, 20000000, 0 };
	const __u64 energy[3] = { 900000, 400000, 0 };
	struct greenai_rec_interval rec[3];
	const struct ga_acct_task *t1, *t2;

	(void)state;
	ga_acct_set_model_idle(a, 1, 3000000);	/* 3 W */
	ga_acct_begin(a, 0, 100000000);
	ga_acct_charge(a, 1, 5, "one", 0, p0);
	ga_acct_charge(a, 2, 5, "two", 0, p1);
	ga_acct_end(a, NULL, energy, NULL, rec);
	t1 = ga_acct_task(a, 1);
	t2 = ga_acct_task(a, 2);
	/*
	 * package 0, by utilisation: active 180000 split 30:10 as before;
	 * idle 720000 by capacity: 30/200 and 10/200 of it, 576000 the node's
	 */
	assert_int_equal(rec[0].idle_share, GREENAI_IDLE_CAPACITY);
	assert_int_equal(rec[0].idle_basis, GREENAI_BASIS_UTIL);
	assert_int_equal(t1->energy[0].active_uj, 135000);
	assert_int_equal(t2->energy[0].active_uj, 45000);
	assert_int_equal(t1->energy[0].idle_uj, 108000);
	assert_int_equal(t2->energy[0].idle_uj, 36000);
	assert_int_equal(rec[0].node_idle_uj, 576000);
	/* package 1, the model's 3 W: 300000 idle, 100000 active */
	assert_int_equal(rec[1].idle_basis, GREENAI_BASIS_MODEL);
	assert_int_equal(rec[1].idle_power_uw, 3000000);
	assert_int_equal(t2->energy[1].active_uj, 100000);
	assert_int_equal(t2->energy[1].idle_uj, 30000);	/* 20/200 */
	assert_int_equal(rec[1].node_idle_uj, 270000);
	assert_int_equal(ga_acct_domain_totals(a, 1)->node_idle_uj, 270000);
	assert_int_equal(ga_acct_domain_totals(a, 1)->idle.basis,
			 GREENAI_BASIS_MODEL);
	ga_acct_free(a);
}

/* A fixed idle power for a domain by name, and one for every other. */
static void fixed_idle_power_by_domain(void **state)
{
	struct ga_acct_conf conf = { .nr_cpus = NR_CPUS };
	static const unsigned char all[NR_CPUS] = { 1, 1, 1, 1 };
	struct greenai_domain d = { .kind = GREENAI_DOM_PACKAGE,
				    .name = "package-0" };
	const __u64 cpu_ns[NR_CPUS] = { 100000000, 0, 0, 0 };
	const __u64 energy[2] = { 2000000, 2000000 };
	struct greenai_rec_interval rec[2];
	char err[128];
	struct ga_acct *a;

	(void)state;
	assert_int_equal(ga_idle_conf_power(&conf.idle, "5,package-0=12.5",
					    err, sizeof(err)), 0);
	assert_int_equal(ga_acct_new(&a, &conf), 0);
	assert_int_equal(ga_acct_add_domain(a, &d, all), 0);
	strcpy(d.name, "dram-0");
	d.kind = GREENAI_DOM_DRAM;
	assert_int_equal(ga_acct_add_domain(a, &d, all), 1);
	ga_acct_begin(a, 0, 100000000);
	ga_acct_charge(a, 1, 5, "one", 0, cpu_ns);
	ga_acct_end(a, NULL, energy, NULL, rec);
	assert_int_equal(rec[0].idle_basis, GREENAI_BASIS_FIXED);
	assert_int_equal(rec[0].idle_power_uw, 12500000);
	assert_int_equal(rec[0].idle_uj, 1250000);
	assert_int_equal(rec[1].idle_power_uw, 5000000);
	assert_int_equal(rec[1].idle_uj, 500000);
	/* one CPU of four for the whole interval: a quarter of idle */
	assert_int_equal(ga_acct_task(a, 1)->energy[0].idle_uj, 312500);
	assert_int_equal(ga_acct_task(a, 1)->energy[0].active_uj, 750000);
	ga_acct_free(a);
}

/*
 * Counter weights, from a FAKE counter: a package's active energy goes by
 * what each process counted, its idle share (capacity) by run time; DRAM
 * by run time. A charge without counts weighs nothing on the package, and
 * an interval whose counters counted nothing falls back to run time.
 */
static void counter_weights(void **state)
{
	static const unsigned char all[NR_CPUS] = { 1, 1, 1, 1 };
	struct ga_acct_conf conf = { .nr_cpus = NR_CPUS, .counts = true };
	struct greenai_domain pkg = { .kind = GREENAI_DOM_PACKAGE,
				      .name = "package-0" };
	struct greenai_domain dram = { .kind = GREENAI_DOM_DRAM,
				       .name = "dram-0" };
	const __u64 ns1[NR_CPUS] = { 100000000, 0, 0, 0 };
	const __u64 ns2[NR_CPUS] = { 0, 100000000, 0, 0 };
	const __u64 fake_c1[NR_CPUS] = { 300000000, 0, 0, 0 };
	const __u64 fake_c2[NR_CPUS] = { 0, 100000000, 0, 0 };
	const __u64 zero[NR_CPUS] = { 0 };
	const __u64 energy[2] = { 2000000, 400000 };
	struct greenai_rec_interval rec[2];
	const struct ga_acct_task *t1, *t2;
	char err[128];
	struct ga_acct *a;

	(void)state;
	/* 4 W idle on the package, 1 W on DRAM: 0.4 J and 0.1 J idle */
	assert_int_equal(ga_idle_conf_power(&conf.idle,
					    "package-0=4,dram-0=1", err,
					    sizeof(err)), 0);
	assert_int_equal(ga_acct_new(&a, &conf), 0);
	assert_int_equal(ga_acct_add_domain(a, &pkg, all), 0);
	assert_int_equal(ga_acct_add_domain(a, &dram, all), 1);
	ga_acct_begin(a, 0, 100000000);
	ga_acct_charge_counts(a, NULL, 1, 5, "hot", 0, ns1, fake_c1);
	ga_acct_charge_counts(a, NULL, 2, 5, "cool", 0, ns2, fake_c2);
	ga_acct_end(a, NULL, energy, NULL, rec);
	t1 = ga_acct_task(a, 1);
	t2 = ga_acct_task(a, 2);
	/* package: 1.6 J active, 3:1 by the counter; idle 0.4 J × 100/400 */
	assert_true(rec[0].flags & GREENAI_F_WEIGHT_COUNT);
	assert_int_equal(t1->energy[0].active_uj, 1200000);
	assert_int_equal(t2->energy[0].active_uj, 400000);
	assert_int_equal(t1->energy[0].idle_uj, 100000);
	assert_int_equal(t2->energy[0].idle_uj, 100000);
	assert_int_equal(rec[0].busy_ns, 200000000);
	/* DRAM: 0.3 J active, 1:1 by run time */
	assert_false(rec[1].flags & GREENAI_F_WEIGHT_COUNT);
	assert_int_equal(t1->energy[1].active_uj, 150000);
	assert_int_equal(t2->energy[1].active_uj, 150000);
	/* counters that counted nothing: run time, not flagged */
	ga_acct_begin(a, 100000000, 200000000);
	ga_acct_charge_counts(a, NULL, 1, 5, "hot", 0, ns1, zero);
	ga_acct_charge_counts(a, NULL, 2, 5, "cool", 0, ns2, NULL);
	ga_acct_end(a, NULL, energy, NULL, rec);
	assert_false(rec[0].flags & GREENAI_F_WEIGHT_COUNT);
	assert_int_equal(t1->energy[0].active_uj, 1200000 + 800000);
	assert_int_equal(t2->energy[0].active_uj, 400000 + 800000);
	ga_acct_free(a);
}

/* A GPU is split by shares; CPU time does not count there. */
static void share_domain(void **state)
{
	struct ga_acct_conf conf = { .nr_cpus = NR_CPUS };
	struct greenai_domain gpu = { .kind = GREENAI_DOM_GPU };
	const __u64 cpu_ns[NR_CPUS] = { 5000000, 0, 0, 0 };
	const __u64 energy[1] = { 1000001 };
	struct greenai_rec_interval rec[1];
	struct ga_acct *a;

	(void)state;
	assert_int_equal(ga_acct_new(&a, &conf), 0);
	assert_int_equal(ga_acct_add_domain(a, &gpu, NULL), 0);
	ga_acct_begin(a, 0, 1000000);
	ga_acct_charge(a, 7, 1, "cpu", 0, cpu_ns);
	assert_int_equal(ga_acct_share(a, 0, 8, 3), 0);
	assert_int_equal(ga_acct_share(a, 0, 9, 1), 0);
	ga_acct_end(a, NULL, energy, NULL, rec);
	assert_int_equal(rec[0].unattributed_uj, 0);
	assert_int_equal(ga_acct_task(a, 7)->energy[0].active_uj, 0);
	assert_int_equal(ga_acct_task(a, 8)->energy[0].active_uj +
				 ga_acct_task(a, 9)->energy[0].active_uj,
			 1000001);
	assert_in_range(ga_acct_task(a, 8)->energy[0].active_uj, 750000,
			750001);
	/* a user made known before it runs: its share is in its cgroup */
	assert_int_equal(ga_acct_add_task(a, 10, 42, "new", 5), 0);
	assert_int_equal(ga_acct_add_task(a, 10, 43, "again", 6), 0);
	ga_acct_begin(a, 1000000, 2000000);
	assert_int_equal(ga_acct_share(a, 0, 10, 1), 0);
	ga_acct_end(a, NULL, energy, NULL, rec);
	assert_int_equal(ga_acct_task(a, 10)->cgroup_id, 42);
	assert_string_equal(ga_acct_task(a, 10)->comm, "new");
	assert_int_equal(ga_acct_cgroup(a, 42)->energy[0].active_uj, 1000001);
	/* a share of a CPU domain is refused */
	ga_acct_free(a);
	a = two_packages(0, GREENAI_IDLE_CAPACITY);
	assert_int_equal(ga_acct_share(a, 0, 8, 3), -22);
	ga_acct_free(a);
}

/* A full task table charges the overflow entry, counted, nothing lost. */
static void overflow_counted(void **state)
{
	struct ga_acct *a = two_packages(4, GREENAI_IDLE_BUSY);
	const __u64 cpu_ns[NR_CPUS] = { 1000000, 0, 0, 0 };
	const __u64 energy[3] = { 1000, 1000, 1000 };
	struct sums tasks = { 0 };
	struct ga_acct_stats st;
	unsigned int k;

	(void)state;
	ga_acct_begin(a, 0, 100000000);
	for (k = 1; k <= 10; k++)
		ga_acct_charge(a, k, 3, "p", 0, cpu_ns);
	ga_acct_end(a, NULL, energy, NULL, NULL);
	ga_acct_stats(a, &st);
	assert_int_equal(st.tasks, 4);
	assert_int_equal(st.task_overflows, 6);
	ga_acct_for_each_task(a, sum_task, &tasks);
	assert_int_equal(tasks.n, 5);
	assert_int_equal(tasks.cpu_ns, 10 * 1000000);
	/* and all the energy is in the tables, overflow included */
	assert_int_equal(tasks.active[0] + tasks.idle[0], 1000);
	ga_acct_free(a);
}

/* Shares of processes that find the table full: counted, not a cgroup. */
static void overflow_shares(void **state)
{
	struct ga_acct_conf conf = { .nr_cpus = NR_CPUS, .max_tasks = 16 };
	struct greenai_domain gpu = { .kind = GREENAI_DOM_GPU };
	const __u64 energy[1] = { 20000 };
	struct sums tasks = { 0 }, cgroups = { 0 };
	struct greenai_rec_interval rec[1];
	struct ga_acct *a;
	unsigned int k;

	(void)state;
	assert_int_equal(ga_acct_new(&a, &conf), 0);
	assert_int_equal(ga_acct_add_domain(a, &gpu, NULL), 0);
	ga_acct_begin(a, 0, 1000000);
	for (k = 1; k <= 20; k++)
		assert_int_equal(ga_acct_share(a, 0, k, 1000), 0);
	ga_acct_end(a, NULL, energy, NULL, rec);
	ga_acct_for_each_task(a, sum_task, &tasks);
	ga_acct_for_each_cgroup(a, sum_cgroup, &cgroups);
	assert_int_equal(tasks.active[0] + tasks.idle[0] +
				 rec[0].unattributed_uj, 20000);
	assert_int_equal(cgroups.active[0] + cgroups.idle[0] +
				 rec[0].unattributed_uj, 20000);
	/* 16 processes' cgroup (id 0) and the overflow cgroup, no other */
	assert_int_equal(cgroups.n, 2);
	ga_acct_free(a);
}

/* An exit carries everything the process was charged, then it is gone. */
static void exit_record(void **state)
{
	union {
		struct greenai_rec_task_exit r;
		char buf[GREENAI_REC_MAX_SIZE];
	} u;
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_BUSY);
	const __u64 cpu_ns[NR_CPUS] = { 0, 0, 7000000, 0 };
	const __u64 energy[3] = { 0, 5000, 0 };
	struct sums cg = { 0 };

	(void)state;
	ga_acct_begin(a, 0, 7000000);
	ga_acct_charge(a, 42, 9, "short", 123, cpu_ns);
	ga_acct_end(a, NULL, energy, NULL, NULL);
	assert_int_equal(ga_acct_exit(a, 42, &u.r), 0);
	assert_int_equal(u.r.hdr.type, GREENAI_REC_TASK_EXIT);
	assert_int_equal(u.r.hdr.size, sizeof(u.r) + 3 * 16);
	assert_int_equal(u.r.pid, 42);
	assert_int_equal(u.r.cgroup_id, 9);
	assert_int_equal(u.r.start_ns, 123);
	assert_int_equal(u.r.cpu_ns, 7000000);
	assert_string_equal(u.r.comm, "short");
	assert_int_equal(u.r.energy[1].active_uj + u.r.energy[1].idle_uj, 5000);
	assert_null(ga_acct_task(a, 42));
	assert_int_equal(ga_acct_exit(a, 42, &u.r), -2);
	/* the cgroup keeps the energy and counts the exit */
	ga_acct_for_each_cgroup(a, sum_cgroup, &cg);
	assert_int_equal(cg.active[1] + cg.idle[1], 5000);
	ga_acct_free(a);
}

/* An offline CPU adds no capacity: its package's idle share shrinks. */
static void offline_cpu_no_capacity(void **state)
{
	static const __u64 online[NR_CPUS] = { 100000000, 0, 100000000,
					       100000000 };
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_BUSY);
	const __u64 cpu_ns[NR_CPUS] = { 50000000, 0, 0, 0 };
	const __u64 energy[3] = { 1000, 0, 0 };
	struct greenai_rec_interval rec[3];

	(void)state;
	ga_acct_begin(a, 0, 100000000);
	ga_acct_charge(a, 1, 1, "x", 0, cpu_ns);
	ga_acct_end(a, online, energy, NULL, rec);
	assert_int_equal(rec[0].capacity_ns, 100000000);
	assert_int_equal(rec[2].capacity_ns, 300000000);
	/* half the only online CPU's time: half active */
	assert_int_equal(rec[0].active_uj, 500);
	ga_acct_free(a);
}

/*
 * Charging through a kept reference (ga_acct_charge_ref()) gives the same
 * figures as looking each process up; a process in the overflow gets no
 * reference, so it may have a place of its own later.
 */
static void charge_by_reference(void **state)
{
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_BUSY), *b = two_packages(0, GREENAI_IDLE_BUSY);
	static struct ga_acct_ref refs[64];
	const __u64 energy[3] = { 5000, 7000, 11000 };
	struct sums sa = { 0 }, sb = { 0 }, ca = { 0 }, cb = { 0 };
	struct ga_acct *c = two_packages(2, GREENAI_IDLE_BUSY);
	struct ga_acct_ref r[3] = { { 0 } };
	unsigned int iv, k, i;

	(void)state;
	for (iv = 0; iv < 200; iv++) {
		ga_acct_begin(a, iv * 1000000ULL, (iv + 1) * 1000000ULL);
		ga_acct_begin(b, iv * 1000000ULL, (iv + 1) * 1000000ULL);
		for (k = 0; k < 64; k++) {
			__u64 cpu_ns[NR_CPUS];

			if (rng() % 3 == 0)
				continue;
			for (i = 0; i < NR_CPUS; i++)
				cpu_ns[i] = rng() % 2 ? rng() % 250000 : 0;
			ga_acct_charge(a, 100 + k, k % 7, "p", 0, cpu_ns);
			ga_acct_charge_ref(b, &refs[k], 100 + k, k % 7, "p", 0,
					   cpu_ns);
		}
		ga_acct_end(a, NULL, energy, NULL, NULL);
		ga_acct_end(b, NULL, energy, NULL, NULL);
	}
	ga_acct_for_each_task(a, sum_task, &sa);
	ga_acct_for_each_task(b, sum_task, &sb);
	ga_acct_for_each_cgroup(a, sum_cgroup, &ca);
	ga_acct_for_each_cgroup(b, sum_cgroup, &cb);
	assert_int_equal(sa.n, sb.n);
	assert_int_equal(sa.cpu_ns, sb.cpu_ns);
	assert_int_equal(ca.cpu_ns, cb.cpu_ns);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sa.active[i], sb.active[i]);
		assert_int_equal(sa.idle[i], sb.idle[i]);
		assert_int_equal(ca.active[i], cb.active[i]);
	}
	ga_acct_free(a);
	ga_acct_free(b);

	/* a table of two: the third process is in the overflow, unkept */
	ga_acct_begin(c, 0, 1000000);
	for (k = 0; k < 3; k++) {
		const __u64 cpu_ns[NR_CPUS] = { 1000, 0, 0, 0 };

		ga_acct_charge_ref(c, &r[k], 1 + k, 1, "p", 0, cpu_ns);
	}
	ga_acct_end(c, NULL, energy, NULL, NULL);
	assert_non_null(r[0].task);
	assert_non_null(r[1].task);
	assert_null(r[2].task);
	ga_acct_free(c);
}

/* A cgroup is dropped only once no process last ran in it. */
static void forget_cgroup(void **state)
{
	struct ga_acct *a = two_packages(0, GREENAI_IDLE_BUSY);
	const __u64 cpu_ns[NR_CPUS] = { 1000, 0, 0, 0 };
	const __u64 energy[3] = { 100, 100, 100 };
	struct greenai_rec_task_exit *rec = calloc(1, GREENAI_REC_MAX_SIZE);
	struct ga_acct_stats st;

	(void)state;
	ga_acct_begin(a, 0, 1000000);
	ga_acct_charge(a, 5, 77, "p", 0, cpu_ns);
	ga_acct_end(a, NULL, energy, NULL, NULL);
	assert_int_equal(ga_acct_forget_cgroup(a, 77), -EBUSY);
	assert_int_equal(ga_acct_forget_cgroup(a, 78), -ENOENT);
	assert_int_equal(ga_acct_exit(a, 5, rec), 0);
	assert_int_equal(ga_acct_forget_cgroup(a, 77), 0);
	assert_null(ga_acct_cgroup(a, 77));
	ga_acct_stats(a, &st);
	assert_int_equal(st.cgroups, 0);
	assert_int_equal(ga_acct_forget_cgroup(a, 77), -ENOENT);
	free(rec);
	ga_acct_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conservation_random),
		cmocka_unit_test(package_split_by_its_cpus),
		cmocka_unit_test(package_split_by_capacity),
		cmocka_unit_test(fixed_idle_power_by_domain),
		cmocka_unit_test(counter_weights),
		cmocka_unit_test(share_domain),
		cmocka_unit_test(overflow_counted),
		cmocka_unit_test(overflow_shares),
		cmocka_unit_test(exit_record),
		cmocka_unit_test(offline_cpu_no_capacity),
		cmocka_unit_test(charge_by_reference),
		cmocka_unit_test(forget_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
