/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace energy sources: one interface, one file per source
 * (esrc_powercap.c, esrc_perf.c, esrc_hwmon.c, esrc_nvml.c, esrc_drm.c,
 * esrc_model.c, and esrc_host.c: a VM host's figures, in a guest).
 *
 * A source finds its zones when it is opened; each zone is one energy
 * counter (a powercap zone, a perf power event of one package, a hwmon
 * energy or power channel, a GPU, a model package). Each read extends
 * every zone's energy to a monotonic 64-bit µJ total since open:
 * hardware wraps corrected, power-only sensors integrated over time. A
 * source never reports the same energy twice: a zone whose energy is
 * contained in another's (cores and uncore in their package, a package
 * and DRAM in psys) names that zone in @parent, and mirrored counters
 * (per-die copies of one package counter) are reported once. @parent is
 * about energy, not about where sysfs nests a zone: DRAM is nested under
 * its package in powercap but is not part of the package's energy, so its
 * parent is psys where there is one, never its package.
 *
 * A source that is not there (no such sysfs class, no library, no
 * permission) fails to open with a negative errno and a reason the user
 * can read, saying what to do where something can be done; it is then
 * skipped. A zone whose read fails keeps its energy, gets the error in
 * @error, and is read again next time; a counter that goes backwards by
 * more than a wrap explains is an error, never a negative or huge delta.
 *
 * Tests point a source at a fixture tree: conf->root replaces "/" for
 * every file the source reads (the tools' --sysfs-root).
 *
 * Not thread-safe: one caller per source.
 */
#ifndef _GREENAI_ESRC_H
#define _GREENAI_ESRC_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/greenai.h>

#define GA_ESRC_REASON_LEN	256
#define GA_ZONE_LABEL_LEN	64
#define GA_ZONE_ERROR_LEN	128

/* One energy counter of a source. */
struct ga_zone {
	char name[GREENAI_NAME_LEN];	/* unique in the source: "package-0" */
	char label[GA_ZONE_LABEL_LEN];	/* where from: "intel-rapl:0" */
	__u16 kind;			/* enum greenai_domain_kind */
	__u16 source;			/* enum greenai_source */
	__u32 flags;			/* GREENAI_F_* of the last read */
	__u32 flags_seen;		/* GREENAI_F_* of every read since open */
	__s32 package;			/* CPU package or GPU index; -1: none */
	__s32 parent;			/* zone whose energy contains it; -1 */
	__u64 energy_uj;		/* since open, µJ, never decreases */
	__u64 range_uj;			/* µJ until the hardware wraps; 0: never */
	__u64 power_uw;			/* mean power over the last read, µW */
	__u64 idle_uw;			/* the model's idle power, µW */
	bool integrated;		/* energy integrated from power readings */
	bool has_shares;		/* per-process shares (GPUs) */
	char error[GA_ZONE_ERROR_LEN];	/* last read's error; "" when fine */
};

/*
 * A process's weight in a zone with shares (a GPU): busy time in ns, or
 * utilisation in any unit, the same for every process of one zone.
 */
struct ga_share {
	__u32 pid;
	__u32 __pad;
	__u64 weight;
};

/* ga_esrc_shares() flags */
#define GA_SHARE_EQUAL	(1U << 0)	/* no per-process figure: equal split */
#define GA_SHARE_TRUNCATED (1U << 1)	/* more processes than @max: cut */

/* What the power model needs: activity of each CPU package. */
struct ga_activity {
	unsigned int nr_packages;
	const __u64 *busy_ns;		/* run time on each package's CPUs */
	const __u64 *capacity_ns;	/* online CPUs x elapsed, each */
};

struct ga_esrc_conf {
	const char *root;		/* "/" or a fixture tree; NULL: "/" */
	const char *nvml_lib;		/* NULL: "libnvidia-ml.so.1" */
	/* the power model: per package, µW (esrc_model.c) */
	__u64 model_idle_uw;
	__u64 model_max_uw;
	unsigned int model_packages;	/* 0: as many as sysfs shows */
	/* the host's hand-over tree, under @root; NULL: GA_HOST_DIR_DEF */
	const char *host_dir;
};

/* Where a guest mounts its host's hand-over tree (esrc_host.c) */
#define GA_HOST_DIR_DEF		"/var/lib/greenai/host"

struct ga_esrc;

struct ga_esrc_ops {
	const char *name;		/* "powercap", "hwmon", ... */
	/* find the zones; 0, or -errno with s->reason set */
	int (*open)(struct ga_esrc *s, const struct ga_esrc_conf *conf);
	/*
	 * Update the zones: either one at a time (read_zone, which
	 * ga_esrc_read() calls for each zone, keeping the first error), or
	 * all together (read, for a source whose zones share one reading;
	 * @act is only used by the model).
	 */
	int (*read_zone)(struct ga_esrc *s, unsigned int zone, __u64 now_ns);
	int (*read)(struct ga_esrc *s, __u64 now_ns,
		    const struct ga_activity *act);
	/* per-process weights of a zone with has_shares; optional */
	int (*shares)(struct ga_esrc *s, unsigned int zone,
		      struct ga_share *out, unsigned int max, __u32 *flags);
	void (*close)(struct ga_esrc *s);
};

struct ga_esrc {
	const struct ga_esrc_ops *ops;
	struct ga_zone *zones;		/* owned by the source */
	unsigned int nr_zones;
	char reason[GA_ESRC_REASON_LEN]; /* why open failed */
	void *priv;			/* the source's own state */
};

extern const struct ga_esrc_ops ga_esrc_powercap;
extern const struct ga_esrc_ops ga_esrc_perf;
extern const struct ga_esrc_ops ga_esrc_hwmon;
extern const struct ga_esrc_ops ga_esrc_nvml;
extern const struct ga_esrc_ops ga_esrc_drm;
extern const struct ga_esrc_ops ga_esrc_model;
extern const struct ga_esrc_ops ga_esrc_host;

/*
 * ga_esrc_open() - open one source
 * @s: zeroed by the call, then filled
 * @ops: which source
 * @conf: its configuration
 *
 * Return: 0, or -errno with s->reason saying why (the source is absent).
 */
int ga_esrc_open(struct ga_esrc *s, const struct ga_esrc_ops *ops,
		 const struct ga_esrc_conf *conf);

/*
 * ga_esrc_read() - read every zone of an open source
 * @now_ns: CLOCK_MONOTONIC, ns; for integrating power
 *
 * Return: 0 when every zone was read, else the first zone error (the
 * other zones are still read; each zone's @error says what failed).
 */
int ga_esrc_read(struct ga_esrc *s, __u64 now_ns,
		 const struct ga_activity *act);

/*
 * ga_esrc_shares() - per-process weights in a zone (GPUs)
 *
 * Return: how many entries were written to @out (at most @max), or
 * -EOPNOTSUPP when the zone has none, or -errno.
 */
int ga_esrc_shares(struct ga_esrc *s, unsigned int zone,
		   struct ga_share *out, unsigned int max, __u32 *flags);

void ga_esrc_close(struct ga_esrc *s);

/* esrc_host.c: a host zone's raw counter, for greenai.ko's source=host */
int ga_esrc_host_counter(const struct ga_esrc *s, unsigned int zone,
			 __u64 *energy_uj, __u64 *range_uj);

/* Helpers for sources: */
void ga_esrc_reason(struct ga_esrc *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ga_zone_error(struct ga_zone *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* _GREENAI_ESRC_H */
