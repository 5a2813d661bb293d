// SPDX-License-Identifier: GPL-2.0
/*
 * fake_powercap_plant: a FAKE RAPL package whose power is a known function
 * of real cgroups' CPU time, for the closed-loop accuracy test and bench.
 *
 *   fake_powercap_plant ROOT CGROUP2 IDLE_MW REST_MW [CGROUP=MW]...
 *
 * Power at every moment: IDLE_MW, plus each named CGROUP's MW per CPU it
 * keeps busy (its cpu.stat usage over time), plus REST_MW per CPU of the
 * rest of the machine's CPU time, less the named ones'. The machine's CPU
 * time is the cgroup v1 cpuacct root's usage where that hierarchy is
 * mounted: it is charged whenever the scheduler charges a task, as the
 * named cgroups' usage is. Else it is the cgroup2 root CGROUP2's usage,
 * which the kernel samples at ticks: work that runs between ticks, such as
 * the plant's own, is missed there, and the plant says so on stderr. The
 * energy is integrated every millisecond, in exact integers, and written
 * as a powercap tree under ROOT:
 *
 *   ROOT/sys/class/powercap/intel-rapl/enabled
 *   ROOT/sys/class/powercap/intel-rapl:0/{name,enabled,energy_uj,
 *                                          max_energy_range_uj}
 *   ROOT/proc/cpuinfo                      (the machine's, copied)
 *
 * energy_uj is written whole (a new file renamed over it). The plant runs
 * at SCHED_FIFO priority where it may, so that the counter is never more
 * than a period behind the CPU time it follows; it says on stderr when it
 * may not. ROOT/plant.ready appears once the first reading is there. It
 * stops on SIGTERM or SIGINT, and then prints each named cgroup's and the
 * rest's CPU time (ns) and the energy it counted (µJ), one per line:
 *   NAME CPU_NS ENERGY_UJ
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PLANT_MAX	16
#define PLANT_PERIOD_NS	1000000

struct plant_cg {
	const char *name;	/* as given; "rest" for the rest */
	char path[4096];	/* its cpu.stat */
	uint64_t mw;
	uint64_t last_us;	/* usage_usec at the last step */
	uint64_t cpu_us;	/* since the start */
	unsigned __int128 energy_pj;	/* its part of the energy, pJ */
};

static volatile sig_atomic_t plant_stop;

static void plant_on_signal(int sig)
{
	(void)sig;
	plant_stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "fake_powercap_plant: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A small file's text, in one read. Return: 0, or -1 when unreadable. */
static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int usage_us(const char *path, uint64_t *us)
{
	char buf[512], *p;

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "usage_usec ");
	if (!p)
		return -1;
	*us = strtoull(p + 11, NULL, 10);
	return 0;
}

/* the cpuacct root's usage file, where a v1 hierarchy has cpuacct */
static int cpuacct_usage(char *path, size_t size)
{
	char dev[256], dir[3800], type[64], opts[512];
	FILE *m = fopen("/proc/mounts", "r");
	int found = -1;

	if (!m)
		return -1;
	while (found && fscanf(m, "%255s %3799s %63s %511s %*[^\n]", dev,
			       dir, type, opts) == 4) {
		char *o, *save = NULL;

		if (strcmp(type, "cgroup"))
			continue;
		for (o = strtok_r(opts, ",", &save); o;
		     o = strtok_r(NULL, ",", &save))
			if (!strcmp(o, "cpuacct")) {
				snprintf(path, size, "%s/cpuacct.usage", dir);
				found = access(path, R_OK);
				break;
			}
	}
	fclose(m);
	return found;
}

/* the machine's CPU time, µs: see the head of the file */
static int machine_us(const char *path, int ns, uint64_t *us)
{
	char buf[64];

	if (!ns)
		return usage_us(path, us);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	*us = strtoull(buf, NULL, 10) / 1000;
	return 0;
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		die(path);
}

static void mkdirs(const char *root)
{
	static const char *const dirs[] = {
		"sys", "sys/class", "sys/class/powercap",
		"sys/class/powercap/intel-rapl",
		"sys/class/powercap/intel-rapl:0", "proc",
	};
	char path[4096];
	unsigned int i;

	if (mkdir(root, 0755) && errno != EEXIST)
		die(root);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
	}
}

static void copy_cpuinfo(const char *root)
{
	char buf[65536], path[4096];
	size_t n;
	FILE *in = fopen("/proc/cpuinfo", "r"), *out;

	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	out = fopen(path, "w");
	if (!in || !out)
		die("cpuinfo");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	if (fclose(out))
		die(path);
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 50 };
	struct plant_cg cg[PLANT_MAX + 1];
	unsigned int n = 0, i;
	uint64_t idle_mw, root_start, root_us, named_total_us = 0;
	unsigned __int128 idle_pj = 0, total_pj;
	struct timespec t0, t;
	char root_stat[4096], text[64];
	int precise;
	uint64_t last_ns, now_ns;
	const char *root;

	if (argc < 5 || argc - 5 > PLANT_MAX) {
		fprintf(stderr, "usage: fake_powercap_plant ROOT CGROUP2 IDLE_MW REST_MW [CGROUP=MW]...\n");
		return 2;
	}
	root = argv[1];
	precise = !cpuacct_usage(root_stat, sizeof(root_stat));
	if (!precise) {
		snprintf(root_stat, sizeof(root_stat), "%s/cpu.stat", argv[2]);
		fprintf(stderr, "fake_powercap_plant: no cpuacct hierarchy: the rest of the machine's CPU time is sampled at ticks\n");
	}
	idle_mw = strtoull(argv[3], NULL, 10);
	memset(cg, 0, sizeof(cg));
	for (i = 5; i < (unsigned int)argc; i++, n++) {
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			fprintf(stderr, "fake_powercap_plant: '%s' is not CGROUP=MW\n",
				argv[i]);
			return 2;
		}
		*eq = '\0';
		cg[n].name = argv[i];
		cg[n].mw = strtoull(eq + 1, NULL, 10);
		snprintf(cg[n].path, sizeof(cg[n].path), "%s/cpu.stat",
			 argv[i]);
		if (usage_us(cg[n].path, &cg[n].last_us))
			die(cg[n].path);
	}
	cg[n].name = "rest";
	cg[n].mw = strtoull(argv[4], NULL, 10);
	if (machine_us(root_stat, precise, &root_start))
		die(root_stat);

	mkdirs(root);
	copy_cpuinfo(root);
	put(root, "sys/class/powercap/intel-rapl/enabled", "1\n");
	put(root, "sys/class/powercap/intel-rapl:0/enabled", "1\n");
	put(root, "sys/class/powercap/intel-rapl:0/name", "package-0\n");
	put(root, "sys/class/powercap/intel-rapl:0/max_energy_range_uj",
	    "4611686018427387904\n");
	put(root, "sys/class/powercap/intel-rapl:0/energy_uj", "0\n");
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		fprintf(stderr, "fake_powercap_plant: no SCHED_FIFO (%s): the counter may lag the CPU time on a busy machine\n",
			strerror(errno));
	signal(SIGTERM, plant_on_signal);
	signal(SIGINT, plant_on_signal);
	put(root, "plant.ready", "1\n");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	last_ns = t0.tv_sec * 1000000000ULL + t0.tv_nsec;
	t = t0;
	while (!plant_stop) {
		uint64_t named_us = 0, rest_us, now_us, dt;

		t.tv_nsec += PLANT_PERIOD_NS;
		if (t.tv_nsec >= 1000000000) {
			t.tv_nsec -= 1000000000;
			t.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
		now_ns = t.tv_sec * 1000000000ULL + t.tv_nsec;
		/* idle: mW × ns = pJ */
		idle_pj += (unsigned __int128)idle_mw * (now_ns - last_ns);
		last_ns = now_ns;
		for (i = 0; i < n; i++) {
			if (usage_us(cg[i].path, &now_us))
				continue;	/* gone: nothing more of it */
			dt = now_us > cg[i].last_us ? now_us - cg[i].last_us : 0;
			cg[i].last_us = now_us;
			cg[i].cpu_us += dt;
			named_us += dt;
			/* mW per CPU × µs of CPU time: nJ, × 1000: pJ */
			cg[i].energy_pj += (unsigned __int128)cg[i].mw * dt *
					   1000;
		}
		/*
		 * The rest: the root's CPU time since the start less the
		 * named ones', billed as it grows past what was billed. The
		 * root's count and a cgroup's are updated at different
		 * moments (ticks, switches): a step's difference can dip
		 * below zero, and clipping each step would bill the dips.
		 */
		if (!cg[n].mw) {
			/* the rest costs nothing: no need to know it */
			named_total_us += named_us;
		} else if (!machine_us(root_stat, precise, &root_us)) {
			named_total_us += named_us;
			dt = root_us - root_start;
			rest_us = dt > named_total_us + cg[n].cpu_us ?
				  dt - named_total_us - cg[n].cpu_us : 0;
			cg[n].cpu_us += rest_us;
			cg[n].energy_pj += (unsigned __int128)cg[n].mw *
					   rest_us * 1000;
		} else {
			named_total_us += named_us;
		}
		total_pj = idle_pj;
		for (i = 0; i <= n; i++)
			total_pj += cg[i].energy_pj;
		snprintf(text, sizeof(text), "%" PRIu64 "\n",
			 (uint64_t)(total_pj / 1000000));
		put(root, "sys/class/powercap/intel-rapl:0/energy_uj", text);
	}
	for (i = 0; i <= n; i++)
		printf("%s %" PRIu64 " %" PRIu64 "\n", cg[i].name,
		       cg[i].cpu_us * 1000,
		       (uint64_t)(cg[i].energy_pj / 1000000));
	printf("idle 0 %" PRIu64 "\n", (uint64_t)(idle_pj / 1000000));
	return 0;
}
