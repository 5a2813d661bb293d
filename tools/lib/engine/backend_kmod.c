// SPDX-License-Identifier: GPL-2.0
/*
 * The module backend (backend_kmod.h): greenai.ko does the accounting;
 * this reads it. Domains come from GREENAI_IOC_DOMAIN, records from the
 * /dev/greenai ring (whole records, non-blocking), totals from the text
 * files of /proc/greenai, parsed strictly: a line that does not have the
 * columns the header announces is an error (-EPROTO), never a guess.
 *
 * The paths are parameters so that tests can point the parser at files
 * of their own; tools use "/proc/greenai" and "/dev/greenai".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <greenai/files.h>

#include "engine/backend_kmod.h"

#define GA_KMOD_READ_BUF	(64 * 1024)
#define GA_KMOD_PARAMS		"/sys/module/greenai/parameters"

struct ga_kmod {
	char proc[GA_PATH_MAX];
	int fd;
	struct greenai_info info;
	struct greenai_domain dom[GREENAI_MAX_DOMAINS];
	__u8 *buf;
};

static int ga_kmod_fail(struct ga_kmod *k, int err, char *msg, size_t size,
			const char *fmt, const char *what)
{
	snprintf(msg, size, fmt, what, strerror(-err));
	ga_kmod_close(k);
	return err;
}

/**
 * ga_kmod_open() - attach to a loaded greenai.ko
 * @out: the backend
 * @proc_dir: "/proc/greenai"
 * @dev: "/dev/greenai"
 * @err: what went wrong, and what to do
 * @err_size: its size
 *
 * Return: 0; -ENOENT when the module is not loaded; -EPROTO for another
 * ABI version; -EBUSY when another reader has the ring; or -errno.
 */
int ga_kmod_open(struct ga_kmod **out, const char *proc_dir,
		 const char *dev, char *err, size_t err_size)
{
	char path[GA_PATH_MAX], buf[256];
	struct ga_kmod *k;
	unsigned int i, abi = 0;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fd = -1;
	snprintf(k->proc, sizeof(k->proc), "%s", proc_dir);
	r = ga_path(path, sizeof(path), proc_dir, "version");
	r = r ?: ga_read_str(path, buf, sizeof(buf));
	if (r)
		return ga_kmod_fail(k, r, err, err_size,
				    "module backend: %s: %s (is greenai.ko loaded?)",
				    path);
	if (sscanf(buf, "abi %u", &abi) != 1 || abi != GREENAI_ABI_VERSION) {
		snprintf(err, err_size,
			 "module backend: greenai.ko speaks ABI %u, this library %d",
			 abi, GREENAI_ABI_VERSION);
		ga_kmod_close(k);
		return -EPROTO;
	}
	k->buf = malloc(GA_KMOD_READ_BUF);
	if (!k->buf)
		return ga_kmod_fail(k, -ENOMEM, err, err_size, "%s: %s", dev);
	k->fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		r = -errno;
		return ga_kmod_fail(k, r, err, err_size,
				    r == -EBUSY ?
				    "module backend: %s: %s (another reader has it)" :
				    r == -EACCES || r == -EPERM ?
				    "module backend: %s: %s (root, or the group of greenai.ko's gid=)" :
				    "module backend: %s: %s", dev);
	}
	if (ioctl(k->fd, GREENAI_IOC_INFO, &k->info))
		return ga_kmod_fail(k, -errno, err, err_size,
				    "module backend: %s: GREENAI_IOC_INFO: %s",
				    dev);
	if (k->info.nr_domains > GREENAI_MAX_DOMAINS) {
		snprintf(err, err_size, "module backend: %u domains",
			 k->info.nr_domains);
		ga_kmod_close(k);
		return -EPROTO;
	}
	for (i = 0; i < k->info.nr_domains; i++) {
		k->dom[i].id = i;
		if (ioctl(k->fd, GREENAI_IOC_DOMAIN, &k->dom[i]))
			return ga_kmod_fail(k, -errno, err, err_size,
					    "module backend: %s: GREENAI_IOC_DOMAIN: %s",
					    dev);
	}
	*out = k;
	return 0;
}

void ga_kmod_close(struct ga_kmod *k)
{
	if (!k)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k->buf);
	free(k);
}

const struct greenai_info *ga_kmod_info(const struct ga_kmod *k)
{
	return &k->info;
}

const struct greenai_domain *ga_kmod_domain(const struct ga_kmod *k,
					    unsigned int id)
{
	return id < k->info.nr_domains ? &k->dom[id] : NULL;
}

/**
 * ga_kmod_flush() - have the module close an interval now
 * @k: the backend
 *
 * Return: 0 or -errno.
 */
int ga_kmod_flush(struct ga_kmod *k)
{
	return ioctl(k->fd, GREENAI_IOC_FLUSH) ? -errno : 0;
}

/**
 * ga_kmod_read() - hand every record waiting in the ring to @fn
 * @k: the backend
 * @fn: called for each record; it may change the record
 * @arg: passed to @fn
 *
 * Return: records handled, or -errno (-EPROTO: a malformed record).
 */
int ga_kmod_read(struct ga_kmod *k, ga_kmod_record_fn fn, void *arg)
{
	int n = 0;

	for (;;) {
		ssize_t len = read(k->fd, k->buf, GA_KMOD_READ_BUF);
		size_t off = 0;

		if (len < 0)
			return errno == EAGAIN ? n : -errno;
		if (len == 0)
			return n;
		while (off + sizeof(struct greenai_rec_hdr) <= (size_t)len) {
			struct greenai_rec_hdr *h = (void *)(k->buf + off);

			if (h->size < sizeof(*h) || h->size % 8 ||
			    off + h->size > (size_t)len)
				return -EPROTO;
			fn(h, arg);
			off += h->size;
			n++;
		}
	}
}

/**
 * ga_kmod_unescape() - undo the module's \ooo escapes, in place
 * @s: the string
 */
void ga_kmod_unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 |
			       (s[3] - '0');
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* The next space-separated field of *@s, NUL-terminated; NULL at the end. */
static char *next_field(char **s)
{
	char *f = *s, *e;

	if (!f || !*f)
		return NULL;
	e = strchr(f, ' ');
	if (e) {
		*e = '\0';
		*s = e + 1;
	} else {
		*s = NULL;
	}
	return f;
}

static int next_u64(char **s, __u64 *v)
{
	char *f = next_field(s);
	uint64_t x;

	if (!f || ga_parse_u64(f, &x))
		return -EPROTO;
	*v = x;
	return 0;
}

static int parse_energy(char **s, unsigned int n, struct greenai_energy *e)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (next_u64(s, &e[i].active_uj) ||
		    next_u64(s, &e[i].idle_uj))
			return -EPROTO;
	return 0;
}

/**
 * ga_kmod_parse_task() - one line of /proc/greenai/tasks
 * @line: "pid cgroup_id cpu_ns {active idle}... comm", changed in place
 * @nr_domains: how many energy pairs
 * @t: the result; the overflow row gives tgid GA_ACCT_OVERFLOW_ID
 *
 * Return: 0 or -EPROTO.
 */
int ga_kmod_parse_task(char *line, unsigned int nr_domains,
		       struct ga_acct_task *t)
{
	char *s = line, *f;
	uint64_t v;

	memset(t, 0, sizeof(*t));
	f = next_field(&s);
	if (!f)
		return -EPROTO;
	if (!strcmp(f, "overflow")) {
		f = next_field(&s);
		if (!f || strcmp(f, "-"))
			return -EPROTO;
		t->tgid = GA_ACCT_OVERFLOW_ID;
	} else {
		if (ga_parse_u64(f, &v) || v >= GA_ACCT_OVERFLOW_ID)
			return -EPROTO;
		t->tgid = v;
		if (next_u64(&s, &t->cgroup_id))
			return -EPROTO;
	}
	/* the comm may be empty (prctl(PR_SET_NAME, "")): "... 5 6 " */
	if (next_u64(&s, &t->cpu_ns) ||
	    parse_energy(&s, nr_domains, t->energy) || !s || strchr(s, ' '))
		return -EPROTO;
	ga_kmod_unescape(s);
	snprintf(t->comm, sizeof(t->comm), "%s", s);
	return 0;
}

/**
 * ga_kmod_parse_cgroup() - one line of /proc/greenai/cgroups
 * @line: "cgroup_id cpu_ns exited {active idle}... path", changed in place
 * @nr_domains: how many energy pairs
 * @c: the result; the overflow row gives id (u64)-1
 * @path: set to the path, in @line
 *
 * Return: 0 or -EPROTO.
 */
int ga_kmod_parse_cgroup(char *line, unsigned int nr_domains,
			 struct ga_acct_cgroup *c, char **path)
{
	char *s = line, *f;
	uint64_t v;

	memset(c, 0, sizeof(*c));
	f = next_field(&s);
	if (!f)
		return -EPROTO;
	if (!strcmp(f, "overflow"))
		c->id = (__u64)-1;
	else if (ga_parse_u64(f, &v))
		return -EPROTO;
	else
		c->id = v;
	if (next_u64(&s, &c->cpu_ns) || next_u64(&s, &c->nr_exited) ||
	    parse_energy(&s, nr_domains, c->energy) || !s || !*s ||
	    strchr(s, ' '))
		return -EPROTO;
	ga_kmod_unescape(s);
	*path = s;
	return 0;
}

/* Call @fn for each data line of a /proc/greenai file. */
static int ga_kmod_lines(struct ga_kmod *k, const char *name,
			 int (*fn)(char *line, void *arg), void *arg)
{
	char path[GA_PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int r = 0;

	if (ga_path(path, sizeof(path), k->proc, "%s", name))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!r && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		r = fn(line, arg);
	}
	free(line);
	fclose(f);
	return r;
}

struct task_walk {
	struct ga_kmod *k;
	ga_acct_task_fn fn;
	ga_kmod_cgroup_fn cfn;
	void *arg;
	struct ga_acct_domain_totals *totals;
};

static int task_walk_line(char *line, void *arg)
{
	struct task_walk *w = arg;
	struct ga_acct_task t;

	if (ga_kmod_parse_task(line, w->k->info.nr_domains, &t))
		return -EPROTO;
	return w->fn(&t, w->arg);
}

int ga_kmod_for_each_task(struct ga_kmod *k, ga_acct_task_fn fn, void *arg)
{
	struct task_walk w = { .k = k, .fn = fn, .arg = arg };

	return ga_kmod_lines(k, "tasks", task_walk_line, &w);
}

static int cgroup_walk_line(char *line, void *arg)
{
	struct task_walk *w = arg;
	struct ga_acct_cgroup c;
	char *path;

	if (ga_kmod_parse_cgroup(line, w->k->info.nr_domains, &c, &path))
		return -EPROTO;
	return w->cfn(&c, path, w->arg);
}

int ga_kmod_for_each_cgroup(struct ga_kmod *k, ga_kmod_cgroup_fn fn,
			    void *arg)
{
	struct task_walk w = { .k = k, .cfn = fn, .arg = arg };

	return ga_kmod_lines(k, "cgroups", cgroup_walk_line, &w);
}

static int domain_line(char *line, void *arg)
{
	struct task_walk *w = arg;
	struct ga_acct_domain_totals t = { 0 };
	char *s = line, *f, *end;
	unsigned int i;
	uint64_t id, flags;
	__u64 skip;

	f = next_field(&s);
	if (!f || ga_parse_u64(f, &id) || id >= w->k->info.nr_domains)
		return -EPROTO;
	/* name kind source provenance: text */
	for (i = 0; i < 4; i++)
		if (!next_field(&s))
			return -EPROTO;
	/* unit_num unit_den range_uj max_power_uw nr_cpus */
	for (i = 0; i < 5; i++)
		if (next_u64(&s, &skip))
			return -EPROTO;
	if (next_u64(&s, &t.energy_uj) || next_u64(&s, &t.active_uj) ||
	    next_u64(&s, &t.idle_uj) || next_u64(&s, &t.unattributed_uj))
		return -EPROTO;
	f = next_field(&s);
	if (!f || strncmp(f, "0x", 2) || !f[2])
		return -EPROTO;
	errno = 0;
	flags = strtoull(f + 2, &end, 16);
	if (errno || *end)
		return -EPROTO;
	t.flags_seen = flags;
	/* node_idle_uj idle idle_basis idle_power_uw */
	if (next_u64(&s, &t.node_idle_uj))
		return -EPROTO;
	f = next_field(&s);
	if (!f || ga_idle_share_parse(f, &t.idle.share))
		return -EPROTO;
	f = next_field(&s);
	for (i = 0; f && i <= GREENAI_BASIS_MODEL; i++)
		if (!strcmp(f, ga_idle_basis_name(i)))
			break;
	if (!f || i > GREENAI_BASIS_MODEL)
		return -EPROTO;
	t.idle.basis = i;
	if (next_u64(&s, &t.idle.idle_power_uw) || s)
		return -EPROTO;
	w->totals[id] = t;
	return 0;
}

/**
 * ga_kmod_domain_totals() - every domain's totals since load
 * @k: the backend
 * @out: ga_kmod_info()->nr_domains entries
 *
 * Return: 0 or -errno.
 */
int ga_kmod_domain_totals(struct ga_kmod *k,
			  struct ga_acct_domain_totals *out)
{
	struct task_walk w = { .k = k, .totals = out };

	return ga_kmod_lines(k, "domains", domain_line, &w);
}

struct stat_find {
	const char *key;
	__u64 *val;		/* a number, or */
	char *word;		/* a word of under word_size bytes */
	size_t word_size;
	bool found;
};

static int stat_line(char *line, void *arg)
{
	struct stat_find *sf = arg;
	char *s = line, *f = next_field(&s);
	uint64_t v;

	if (!f || strcmp(f, sf->key))
		return 0;
	if (sf->word) {
		if (!s || !*s || strchr(s, ' ') ||
		    strlen(s) >= sf->word_size)
			return -EPROTO;
		strcpy(sf->word, s);
	} else {
		if (!s || ga_parse_u64(s, &v))
			return -EPROTO;
		*sf->val = v;
	}
	sf->found = true;
	return 1;
}

/**
 * ga_kmod_stat() - one counter of /proc/greenai/stats
 * @k: the backend
 * @key: its name
 * @val: its value
 *
 * Return: 0, -ENOENT for no such counter, or -errno.
 */
int ga_kmod_stat(struct ga_kmod *k, const char *key, __u64 *val)
{
	struct stat_find sf = { .key = key, .val = val };
	int r = ga_kmod_lines(k, "stats", stat_line, &sf);

	if (r < 0)
		return r;
	return sf.found ? 0 : -ENOENT;
}

/**
 * ga_kmod_stat_word() - one word of /proc/greenai/stats ("weights cycles")
 * @k: the backend
 * @key: its name
 * @word: set to the word
 * @size: @word's size
 *
 * Return: 0, -ENOENT for no such line, -EPROTO for a line that is not one
 * word that fits, or -errno.
 */
int ga_kmod_stat_word(struct ga_kmod *k, const char *key, char *word,
		      size_t size)
{
	struct stat_find sf = { .key = key, .word = word, .word_size = size };
	int r = ga_kmod_lines(k, "stats", stat_line, &sf);

	if (r < 0)
		return r;
	return sf.found ? 0 : -ENOENT;
}

/**
 * ga_kmod_control() - one command to the module's control file
 * @k: the backend
 * @cmd: the command, "model idle_mw=N max_mw=N" (docs/module.md)
 *
 * Return: 0; -EPERM without CAP_SYS_ADMIN; -EINVAL when the module
 * refuses it (it then changes nothing); or -errno.
 */
int ga_kmod_control(struct ga_kmod *k, const char *cmd)
{
	int fd = ga_kmod_control_open(k), r;

	if (fd < 0)
		return fd;
	r = ga_kmod_control_fd(fd, cmd);
	close(fd);
	return r;
}

/**
 * ga_kmod_control_open() - open the module's control file for writing
 * @k: the backend
 *
 * For several commands in a row (ga_kmod_control_fd()); the caller
 * closes the fd.
 *
 * Return: the fd, or -errno (-EPERM without CAP_SYS_ADMIN).
 */
int ga_kmod_control_open(struct ga_kmod *k)
{
	char path[GA_PATH_MAX];
	int fd, r;

	r = ga_path(path, sizeof(path), k->proc, "control");
	if (r)
		return r;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/**
 * ga_kmod_control_fd() - one command through an open control file
 * @fd: from ga_kmod_control_open()
 * @cmd: the command
 *
 * Return: 0; -EINVAL (or another -errno the module gives) when the module
 * refuses it, changing nothing; or -errno.
 */
int ga_kmod_control_fd(int fd, const char *cmd)
{
	size_t len = strlen(cmd);
	ssize_t n = write(fd, cmd, len);

	return n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
}

/**
 * ga_kmod_model() - the module's power model coefficients in force
 * @k: the backend
 * @idle_mw: per package, mW (the model_idle_mw parameter)
 * @max_mw: per package, mW (model_max_mw)
 *
 * The module keeps its parameters equal to what is in force (its control
 * command sets both).
 *
 * Return: 0 or -errno.
 */
int ga_kmod_model(struct ga_kmod *k, __u64 *idle_mw, __u64 *max_mw)
{
	uint64_t idle, max;
	int r;

	(void)k;
	r = ga_read_u64(GA_KMOD_PARAMS "/model_idle_mw", &idle) ?:
	    ga_read_u64(GA_KMOD_PARAMS "/model_max_mw", &max);
	if (!r) {
		*idle_mw = idle;
		*max_mw = max;
	}
	return r;
}
