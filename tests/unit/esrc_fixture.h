/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Energy sources (tools/lib/energy/esrc.h) in the unit tests: a source opened on
 * a fixture tree, or the test failed with the source's reason; one opened
 * by an unprivileged user; and the checks the source tests share: what a
 * zone is (any zone, a GPU's), a read that fails and leaves the energy
 * alone, a malformed sysfs value, power counted from open, per-process
 * shares and their flags.
 *
 * Static inline functions in a header, as fixture.h, which it includes;
 * include it after <cmocka.h>.
 */
#ifndef _GREENAI_TEST_ESRC_FIXTURE_H
#define _GREENAI_TEST_ESRC_FIXTURE_H

#include <grp.h>
#include <sys/wait.h>

#include <greenai/attrib.h>

#include "energy/esrc.h"
#include "fixture.h"

/* Open source @ops with @conf, or fail the test with the reason. */
static inline void fix_open_conf(struct ga_esrc *s,
				 const struct ga_esrc_ops *ops,
				 const struct ga_esrc_conf *conf)
{
	int err = ga_esrc_open(s, ops, conf);

	if (err)
		fail_msg("open %s on %s: %d %s", ops->name,
			 conf->root ? conf->root : "/", err, s->reason);
}

/* Open source @ops on the tree @root, or fail the test with the reason. */
static inline void fix_open(struct ga_esrc *s, const struct ga_esrc_ops *ops,
			    const char *root)
{
	struct ga_esrc_conf conf = { .root = root };

	fix_open_conf(s, ops, &conf);
}

/* What opening a source said, for tests that open it in a child. */
struct fix_open_result {
	int err;
	unsigned int nr_zones;
	char first[GREENAI_NAME_LEN]; /* the first zone's name */
	char reason[GA_ESRC_REASON_LEN];
};

/*
 * Open source @ops on @root as nobody (65534), in a child: tests run as
 * root, who reads any file, and root-only files are what is tested.
 */
static inline void fix_open_as_nobody(const struct ga_esrc_ops *ops,
				      const char *root,
				      struct fix_open_result *r)
{
	struct ga_esrc_conf conf = { .root = root };
	struct ga_esrc s;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(2);
		memset(r, 0, sizeof(*r));
		r->err = ga_esrc_open(&s, ops, &conf);
		memcpy(r->reason, s.reason, sizeof(r->reason));
		if (!r->err) {
			r->nr_zones = s.nr_zones;
			strcpy(r->first, s.zones[0].name);
			ga_esrc_close(&s);
		}
		if (write(fds[1], r, sizeof(*r)) != sizeof(*r))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], r, sizeof(*r)), sizeof(*r));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Zone @zone of @s, a power sensor opened between CLOCK_MONOTONIC
 * @before_ns and @after_ns reading @power_uw all along, counts from open:
 * read one second after @after_ns, it has between @power_uw over that
 * second and over that second and the time open took.
 */
static inline void fix_check_power_from_open(struct ga_esrc *s,
					     unsigned int zone, __u64 power_uw,
					     __u64 before_ns, __u64 after_ns)
{
	struct ga_zone *z = &s->zones[zone];

	assert_true(z->power_uw == power_uw);
	assert_int_equal(ga_esrc_read(s, after_ns + GA_NSEC_PER_SEC, NULL), 0);
	assert_true(z->energy_uj >= power_uw);
	assert_true(z->energy_uj <= power_uw + ga_mul_div(power_uw,
							  after_ns - before_ns,
							  GA_NSEC_PER_SEC));
}

/*
 * Zone @z is called @name, is a @kind (enum greenai_domain_kind) of
 * @source (enum greenai_source), of package @package and contained in
 * zone @parent (-1: none).
 */
static inline void fix_check_zone(const struct ga_zone *z, const char *name,
				  __u16 kind, __u16 source, int package,
				  int parent)
{
	assert_string_equal(z->name, name);
	assert_int_equal(z->kind, kind);
	assert_int_equal(z->source, source);
	assert_int_equal(z->package, package);
	assert_int_equal(z->parent, parent);
}

/*
 * Zone @zone of @s is GPU @index as the GPU sources make it: "gpu-@index"
 * of package @index, from @source, labelled @label, with per-process
 * shares, no parent, and power readings @integrated or an energy counter.
 */
static inline void fix_check_gpu_zone(const struct ga_esrc *s,
				      unsigned int zone, unsigned int index,
				      __u16 source, const char *label,
				      bool integrated)
{
	const struct ga_zone *z = &s->zones[zone];
	char name[GREENAI_NAME_LEN];

	assert_true(zone < s->nr_zones);
	snprintf(name, sizeof(name), "gpu-%u", index);
	fix_check_zone(z, name, GREENAI_DOM_GPU, source, index, -1);
	assert_string_equal(z->label, label);
	assert_int_equal(z->integrated, integrated);
	assert_true(z->has_shares);
}

/*
 * The shares of zone @zone of @s, into @out of room for @max: the flags
 * that come with them must be @flags. Return: what ga_esrc_shares() did.
 */
static inline int fix_shares(struct ga_esrc *s, unsigned int zone,
			     struct ga_share *out, unsigned int max,
			     __u32 flags)
{
	__u32 got = ~flags;
	int n;

	n = ga_esrc_shares(s, zone, out, max, &got);
	assert_int_equal(got, flags);
	return n;
}

/* Share @sh is process @pid's, of weight @weight. */
static inline void fix_check_share(const struct ga_share *sh, __u32 pid,
				   __u64 weight)
{
	assert_int_equal(sh->pid, pid);
	assert_true(sh->weight == weight);
}

/*
 * A read of @s at @now_ns fails with @err, zone @zone's error says @what,
 * and the zone's energy is what it was.
 */
static inline void fix_read_fails(struct ga_esrc *s, __u64 now_ns, int err,
				  unsigned int zone, const char *what)
{
	__u64 energy = s->zones[zone].energy_uj;

	assert_int_equal(ga_esrc_read(s, now_ns, NULL), err);
	assert_non_null(strstr(s->zones[zone].error, what));
	assert_true(s->zones[zone].energy_uj == energy);
}

/*
 * Values of a sysfs file that are not a plain decimal of at most 64 bits:
 * text, nothing, a sign, two numbers, a fraction, hex, an exponent.
 * Return: how many, in *@out.
 */
static inline unsigned int fix_bad_decimals(const char *const **out)
{
	static const char *const bad[] = {
		"abc\n",
		"",
		"\n",
		"-5\n",
		"99999999999999999999999\n",
		"12 34\n",
		"1.5\n",
		"0x10\n",
		"+7\n",
		"1e6\n",
	};

	*out = bad;
	return ARRAY_SIZE(bad);
}

/*
 * Zone @zone of @s reads file @dir/@rel. Every value written there that
 * is not a plain decimal of at most 64 bits (text, nothing, a sign, two
 * numbers, a fraction, hex, an exponent) fails the read, at @t0_ns, then
 * a second apart, with an error naming @file, and leaves the zone's
 * energy as it was; the other zones read as before. At most 10 reads.
 */
static inline void fix_check_malformed(struct ga_esrc *s, unsigned int zone,
				       const char *dir, const char *rel,
				       const char *file, __u64 t0_ns)
{
	__u64 energy = s->zones[zone].energy_uj;
	const char *const *bad;
	unsigned int i, j, n = fix_bad_decimals(&bad);

	for (i = 0; i < n; i++) {
		fix_write(dir, rel, bad[i]);
		assert_true(ga_esrc_read(s, t0_ns + i * GA_NSEC_PER_SEC, NULL) <
			    0);
		assert_true(s->zones[zone].energy_uj == energy);
		assert_non_null(strstr(s->zones[zone].error, file));
		for (j = 0; j < s->nr_zones; j++)
			if (j != zone)
				assert_string_equal(s->zones[j].error, "");
	}
}

#endif /* _GREENAI_TEST_ESRC_FIXTURE_H */
