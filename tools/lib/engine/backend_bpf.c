// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend (backend_bpf.h): the skeleton of bpf/greenai.bpf.c,
 * embedded in the library, loaded and attached in this process.
 *
 * Attach: tp_btf programs where the kernel has BTF (/sys/kernel/btf/
 * vmlinux), raw_tp ones otherwise, or as the caller forces; only the
 * chosen flavour is loaded. ga_flush is loaded, never attached: the flush
 * runs it on each possible CPU with BPF_PROG_TEST_RUN (an IPI), skipping
 * offline ones.
 *
 * Errors carry what to do: loading BPF needs root (or CAP_BPF with
 * CAP_PERFMON), and a kernel with BPF and tracepoints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "engine/backend_bpf.h"
#include "greenai.skel.h"

struct ga_bpf {
	struct greenai_bpf *skel;
	struct ring_buffer *exits;
	unsigned int nr_cpus;		/* possible CPUs */
	enum ga_bpf_attach attach;
	ga_bpf_exit_fn exit_fn;
	void *exit_arg;
	struct ga_bpf_run *values;	/* a per-CPU value, nr_cpus of them */
	struct ga_bpf_cpu *cpus;
	/* a batch of ga_runs read at once: keys, and nr_cpus values each */
	struct ga_bpf_run_key *batch_keys;
	struct ga_bpf_run *batch_values;
	int *counters;			/* each CPU's counter, -1: none */
	bool counting;
	bool no_batch;			/* the kernel cannot: one at a time */
};

#define GA_BPF_BATCH	256

static int ga_bpf_libbpf_print(enum libbpf_print_level level,
			       const char *fmt, va_list ap)
{
	/* what went wrong reaches the caller's err; libbpf's own words on demand */
	(void)level;
	if (!getenv("GREENAI_BPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * Whether this kernel's sched_process_exit tracepoint passes group_dead
 * (Linux 6.16 on): its BTF prototype has three arguments, the context
 * and (task, group_dead), instead of two.
 */
static bool ga_bpf_exit_has_group_dead(void)
{
	const struct btf_type *t;
	struct btf *btf = btf__load_vmlinux_btf();
	bool yes = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit",
				    BTF_KIND_TYPEDEF);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	/* typedef -> pointer -> function prototype */
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	yes = t && btf_is_func_proto(t) && btf_vlen(t) == 3;
	btf__free(btf);
	return yes;
}

static void ga_bpf_choose(struct ga_bpf *b)
{
	struct greenai_bpf *s = b->skel;
	bool btf = b->attach == GA_BPF_ATTACH_TP_BTF;
	bool gd = btf && ga_bpf_exit_has_group_dead();

	bpf_program__set_autoload(s->progs.ga_switch_btf, btf);
	bpf_program__set_autoload(s->progs.ga_fork_btf, btf);
	bpf_program__set_autoload(s->progs.ga_exec_btf, btf);
	bpf_program__set_autoload(s->progs.ga_exit_btf, btf && !gd);
	bpf_program__set_autoload(s->progs.ga_exit_btf_gd, gd);
	bpf_program__set_autoload(s->progs.ga_switch_raw, !btf);
	bpf_program__set_autoload(s->progs.ga_fork_raw, !btf);
	bpf_program__set_autoload(s->progs.ga_exec_raw, !btf);
	bpf_program__set_autoload(s->progs.ga_exit_raw, !btf);
	bpf_program__set_autoload(s->progs.ga_flush_btf, btf);
	bpf_program__set_autoload(s->progs.ga_flush_raw, !btf);
	bpf_program__set_autoattach(s->progs.ga_flush_btf, false);
	bpf_program__set_autoattach(s->progs.ga_flush_raw, false);
}

static int ga_bpf_exit_cb(void *ctx, void *data, size_t size)
{
	struct ga_bpf *b = ctx;
	const struct greenai_rec_task_exit *r = data;

	if (size < sizeof(*r) || r->hdr.size > size)
		return 0;
	return b->exit_fn ? b->exit_fn(r, b->exit_arg) : 0;
}

static int ga_bpf_fail(struct ga_bpf *b, int err, char *msg, size_t size,
		       const char *what)
{
	const char *hint = "";

	if (err == -EPERM || err == -EACCES)
		hint = ": run as root (or with CAP_BPF and CAP_PERFMON)";
	else if (err == -ENOENT || err == -EINVAL || err == -ESRCH)
		hint = ": does this kernel have BPF and the scheduler tracepoints?";
	snprintf(msg, size, "BPF backend: %s: %s%s", what, strerror(-err),
		 hint);
	ga_bpf_close(b);
	return err;
}

/*
 * Each CPU's counter of @w, opened before the programs load: whether any
 * opened says whether the programs read them. A CPU that is offline has
 * none. Return: 0, or -errno when not one could be opened.
 */
static int ga_bpf_open_counters(struct ga_bpf *b, enum ga_weight w)
{
	struct perf_event_attr a = { .size = sizeof(a) };
	unsigned int cpu, n = 0;
	int fd, err = -ENOENT;

	if (w == GA_WEIGHT_TIME)
		return -ENOENT;
	if (w == GA_WEIGHT_CPU_CLOCK) {
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_CPU_CLOCK;
	} else {
		a.type = PERF_TYPE_HARDWARE;
		a.config = PERF_COUNT_HW_CPU_CYCLES;
	}
	b->counters = malloc(b->nr_cpus * sizeof(*b->counters));
	if (!b->counters)
		return -ENOMEM;
	for (cpu = 0; cpu < b->nr_cpus; cpu++) {
		fd = syscall(__NR_perf_event_open, &a, -1, cpu, -1,
			     PERF_FLAG_FD_CLOEXEC);
		b->counters[cpu] = fd;
		if (fd >= 0)
			n++;
		else if (errno != ENODEV)
			err = -errno;	/* ENODEV: an offline CPU */
	}
	return n ? 0 : err;
}

static void ga_bpf_close_counters(struct ga_bpf *b)
{
	unsigned int cpu;

	for (cpu = 0; b->counters && cpu < b->nr_cpus; cpu++)
		if (b->counters[cpu] >= 0)
			close(b->counters[cpu]);
	free(b->counters);
	b->counters = NULL;
}

/* The counters into ga_counter, once the programs are loaded. */
static int ga_bpf_set_counters(struct ga_bpf *b)
{
	int fd = bpf_map__fd(b->skel->maps.ga_counter);
	__u32 cpu;

	for (cpu = 0; cpu < b->nr_cpus; cpu++)
		if (b->counters[cpu] >= 0 &&
		    bpf_map_update_elem(fd, &cpu, &b->counters[cpu], BPF_ANY))
			return -errno;
	return 0;
}

/**
 * ga_bpf_open() - load and attach the BPF programs
 * @out: the backend
 * @conf: its configuration; NULL for the defaults
 * @weights: what weighs a process's share: with counters (all but
 *	GA_WEIGHT_TIME), each CPU's is opened and read at every switch;
 *	GA_WEIGHT_AUTO goes without when the CPU has no cycles counter
 * @err: a message saying what went wrong and what to do
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int ga_bpf_open(struct ga_bpf **out, const struct ga_bpf_conf *conf,
		enum ga_weight weights, char *err, size_t err_size)
{
	struct ga_bpf_conf def = { 0 };
	struct ga_bpf *b;
	int r;

	if (!conf)
		conf = &def;
	if (conf->exits_kb && ((conf->exits_kb & (conf->exits_kb - 1)) ||
			       conf->exits_kb * 1024ULL < (__u64)getpagesize() ||
			       conf->exits_kb > (1U << 20))) {
		snprintf(err, err_size,
			 "BPF backend: the exit ring (%u KiB) must be a power of 2 from a page (%d KiB) to 1 GiB",
			 conf->exits_kb, getpagesize() / 1024);
		return -EINVAL;
	}
	libbpf_set_print(ga_bpf_libbpf_print);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	r = libbpf_num_possible_cpus();
	if (r <= 0)
		return ga_bpf_fail(b, r ? r : -EINVAL, err, err_size,
				   "cannot count the CPUs");
	b->nr_cpus = r;
	b->values = calloc(b->nr_cpus, sizeof(*b->values));
	if (b->values) {
		r = ga_bpf_open_counters(b, weights);
		b->counting = !r;
		if (r && weights != GA_WEIGHT_AUTO && weights != GA_WEIGHT_TIME)
			return ga_bpf_fail(b, r, err, err_size,
					   weights == GA_WEIGHT_CYCLES ?
					   "no CPU cycles counter (no PMU here?): weigh by run time instead" :
					   "cannot open the cpu-clock counter");
		if (r == -ENOMEM)
			return ga_bpf_fail(b, r, err, err_size,
					   "out of memory");
	}
	b->cpus = calloc(b->nr_cpus, sizeof(*b->cpus));
	if (!b->values || !b->cpus)
		return ga_bpf_fail(b, -ENOMEM, err, err_size, "out of memory");

	b->attach = conf->attach;
	if (b->attach == GA_BPF_ATTACH_AUTO) {
		/* tp_btf where it loads, raw_tp where it does not */
		struct ga_bpf_conf c = *conf;

		c.attach = GA_BPF_ATTACH_TP_BTF;
		ga_bpf_close(b);
		if (!ga_bpf_open(out, &c, weights, err, err_size))
			return 0;
		c.attach = GA_BPF_ATTACH_RAW_TP;
		return ga_bpf_open(out, &c, weights, err, err_size);
	}
	b->skel = greenai_bpf__open();
	if (!b->skel)
		return ga_bpf_fail(b, -errno, err, err_size, "cannot open");
	ga_bpf_choose(b);
	b->skel->rodata->ga_emit_exits = !conf->no_exits;
	b->skel->rodata->ga_count = b->counting;
	if (conf->max_runs) {
		bpf_map__set_max_entries(b->skel->maps.ga_runs,
					 conf->max_runs);
		bpf_map__set_max_entries(b->skel->maps.ga_procs,
					 conf->max_runs);
	} else if (b->nr_cpus * GA_BPF_RUNS_PER_CPU > GA_BPF_RUNS_DEF) {
		/*
		 * The LRU map keeps free entries per CPU and may make room
		 * before it is full: on many CPUs, more entries.
		 */
		bpf_map__set_max_entries(b->skel->maps.ga_runs,
					 b->nr_cpus * GA_BPF_RUNS_PER_CPU);
	}
	if (conf->exits_kb)
		bpf_map__set_max_entries(b->skel->maps.ga_exits,
					 conf->exits_kb * 1024);
	r = greenai_bpf__load(b->skel);
	if (r)
		return ga_bpf_fail(b, r, err, err_size, "cannot load");
	if (b->counting) {
		r = ga_bpf_set_counters(b);
		if (r)
			return ga_bpf_fail(b, r, err, err_size,
					   "cannot hand the counters over");
	}
	r = greenai_bpf__attach(b->skel);
	if (r)
		return ga_bpf_fail(b, r, err, err_size, "cannot attach");
	b->exits = ring_buffer__new(bpf_map__fd(b->skel->maps.ga_exits),
				    ga_bpf_exit_cb, b, NULL);
	if (!b->exits)
		return ga_bpf_fail(b, -errno, err, err_size,
				   "cannot map the exit ring");
	*out = b;
	return 0;
}

/**
 * ga_bpf_close() - detach and unload; NULL is fine
 * @b: the backend
 */
void ga_bpf_close(struct ga_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->exits);
	greenai_bpf__destroy(b->skel);
	ga_bpf_close_counters(b);
	free(b->values);
	free(b->batch_keys);
	free(b->batch_values);
	free(b->cpus);
	free(b);
}

const char *ga_bpf_attach_name(const struct ga_bpf *b)
{
	return b->attach == GA_BPF_ATTACH_TP_BTF ? "tp_btf" : "raw_tp";
}

unsigned int ga_bpf_nr_cpus(const struct ga_bpf *b)
{
	return b->nr_cpus;
}

bool ga_bpf_counting(const struct ga_bpf *b)
{
	return b->counting;
}

/**
 * ga_bpf_flush() - charge what runs on every CPU up to now
 * @b: the backend
 *
 * Return: 0, or the first error other than an offline CPU's.
 */
int ga_bpf_flush(struct ga_bpf *b)
{
	int fd = bpf_program__fd(b->attach == GA_BPF_ATTACH_TP_BTF ?
				 b->skel->progs.ga_flush_btf :
				 b->skel->progs.ga_flush_raw);
	unsigned int cpu;

	for (cpu = 0; cpu < b->nr_cpus; cpu++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

		if (bpf_prog_test_run_opts(fd, &opts) && errno != ENXIO)
			return -errno;
	}
	return 0;
}

/**
 * ga_bpf_cpus() - every possible CPU's clock and busy time
 * @b: the backend
 * @out: ga_bpf_nr_cpus() entries
 *
 * Return: 0 or -errno.
 */
int ga_bpf_cpus(struct ga_bpf *b, struct ga_bpf_cpu *out)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.ga_cpus), &zero,
				out))
		return -errno;
	return 0;
}

/*
 * The walk in batches (BPF_MAP_LOOKUP_BATCH, Linux 5.6 on): a few system
 * calls for the whole map instead of two per entry. -EOPNOTSUPP when the
 * kernel has no batch operations for the map, before @fn was called.
 */
static int ga_bpf_for_each_run_batch(struct ga_bpf *b, ga_bpf_run_fn fn,
				     void *arg)
{
	int fd = bpf_map__fd(b->skel->maps.ga_runs);
	__u32 in = 0, out = 0, n, i;
	bool first = true, last = false;
	int r;

	if (!b->batch_keys) {
		b->batch_keys = calloc(GA_BPF_BATCH, sizeof(*b->batch_keys));
		b->batch_values = calloc((size_t)GA_BPF_BATCH * b->nr_cpus,
					 sizeof(*b->batch_values));
		if (!b->batch_keys || !b->batch_values)
			return -ENOMEM;
	}
	while (!last) {
		n = GA_BPF_BATCH;
		r = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
					 b->batch_keys, b->batch_values, &n,
					 NULL);
		if (r < 0 && errno != ENOENT) {
			r = -errno;
			if (first && (r == -EINVAL || r == -ENOTSUP ||
				      r == -EOPNOTSUPP || r == -ENOSYS))
				return -EOPNOTSUPP;
			return r;
		}
		last = r < 0;	/* ENOENT: these were the last */
		first = false;
		in = out;
		for (i = 0; i < n; i++) {
			r = fn(&b->batch_keys[i],
			       b->batch_values + (size_t)i * b->nr_cpus, arg);
			if (r)
				return r;
		}
	}
	return 0;
}

/**
 * ga_bpf_for_each_run() - visit every process and cgroup with run time
 * @b: the backend
 * @fn: called for each; a non-zero return stops the walk and is returned
 * @arg: passed to @fn
 *
 * Entries added during the walk may or may not be visited.
 *
 * Return: 0, @fn's non-zero return, or -errno.
 */
int ga_bpf_for_each_run(struct ga_bpf *b, ga_bpf_run_fn fn, void *arg)
{
	int fd = bpf_map__fd(b->skel->maps.ga_runs);
	struct ga_bpf_run_key key, next;
	struct ga_bpf_run_key *prev = NULL;
	int r;

	if (!b->no_batch) {
		r = ga_bpf_for_each_run_batch(b, fn, arg);
		if (r != -EOPNOTSUPP)
			return r;
		b->no_batch = true;
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, b->values)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		r = fn(&key, b->values, arg);
		if (r)
			return r;
	}
	return errno == ENOENT ? 0 : -errno;
}

/**
 * ga_bpf_forget() - drop an entry of ga_runs (its process has gone)
 * @b: the backend
 * @key: the entry
 *
 * Return: 0, or -errno (-ENOENT: no such entry).
 */
int ga_bpf_forget(struct ga_bpf *b, const struct ga_bpf_run_key *key)
{
	if (bpf_map_delete_elem(bpf_map__fd(b->skel->maps.ga_runs), key))
		return -errno;
	return 0;
}

/**
 * ga_bpf_proc() - what the programs know of a process
 * @b: the backend
 * @tgid: the process
 * @out: its description
 *
 * Return: 0, or -ENOENT.
 */
int ga_bpf_proc(struct ga_bpf *b, __u32 tgid, struct ga_bpf_proc *out)
{
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.ga_procs), &tgid,
				out))
		return -errno;
	return 0;
}

int ga_bpf_forget_proc(struct ga_bpf *b, __u32 tgid)
{
	if (bpf_map_delete_elem(bpf_map__fd(b->skel->maps.ga_procs), &tgid))
		return -errno;
	return 0;
}

int ga_bpf_exits_fd(const struct ga_bpf *b)
{
	return ring_buffer__epoll_fd(b->exits);
}

/**
 * ga_bpf_poll_exits() - hand the exit records waiting to @fn
 * @b: the backend
 * @timeout_ms: how long to wait for one; 0: do not wait
 * @fn: called for each record
 * @arg: passed to @fn
 *
 * Return: records handled, or -errno.
 */
int ga_bpf_poll_exits(struct ga_bpf *b, int timeout_ms, ga_bpf_exit_fn fn,
		      void *arg)
{
	int r;

	b->exit_fn = fn;
	b->exit_arg = arg;
	r = timeout_ms ? ring_buffer__poll(b->exits, timeout_ms) :
			 ring_buffer__consume(b->exits);
	b->exit_fn = NULL;
	return r;
}

/**
 * ga_bpf_stats() - the programs' counters
 * @b: the backend
 * @out: a copy of them
 */
void ga_bpf_stats(const struct ga_bpf *b, struct ga_bpf_counters *out)
{
	const volatile struct ga_bpf_counters *s = &b->skel->bss->ga_stats;

	out->runs_full = s->runs_full;
	out->procs_full = s->procs_full;
	out->exits = s->exits;
	out->exits_dropped = s->exits_dropped;
	out->unpaired = s->unpaired;
}

/**
 * ga_bpf_switch_cost() - time the kernel spent in the sched_switch program
 * @b: the backend
 * @run_ns: total run time, ns
 * @runs: how many times it ran
 *
 * Both stay 0 unless kernel.bpf_stats_enabled is 1 (the kernel only times
 * BPF programs then).
 *
 * Return: 0 or -errno.
 */
int ga_bpf_switch_cost(const struct ga_bpf *b, __u64 *run_ns, __u64 *runs)
{
	const struct bpf_program *p = b->attach == GA_BPF_ATTACH_TP_BTF ?
		b->skel->progs.ga_switch_btf : b->skel->progs.ga_switch_raw;
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return -errno;
	*run_ns = info.run_time_ns;
	*runs = info.run_cnt;
	return 0;
}
