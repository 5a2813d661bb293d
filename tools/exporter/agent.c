// SPDX-License-Identifier: GPL-2.0
/*
 * The greenai agent (docs/agent.md): the exporter answers ordinary users
 * on a local Unix socket, on a thread of its own, from the backend it
 * already holds (there can be one reader of the module's ring, so the
 * agent is no second process). Each connection's peer is known by
 * SO_PEERCRED: root sees everything; any other uid its own processes
 * (real uid, pid and start time) and its own cgroups (a directory it
 * owns, delegated to it, and the run cgroups made for it), and of the
 * domains their descriptions only: whole-package energy at a fine time
 * resolution is the RAPL power side channel, which is why the kernel
 * made energy_uj root's. Figures are the last sample's, at most one a
 * second (--interval 1 or more with --agent-socket).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <json-c/json.h>

#include <greenai/libgreenai.h>

#include "exporter.h"

#define GX_AGENT_MAX_CLIENTS	128	/* connections at once */
#define GX_AGENT_PER_UID	16	/* of one uid but root's */
#define GX_AGENT_RATE		20	/* requests a second, a connection */
#define GX_AGENT_WALK_MAX	65536	/* cgroup directories a walk visits */
#define GX_AGENT_REPLIES	8	/* uids whose replies a sample keeps */
#define GX_NOBODY		((uid_t)-1)	/* a process gone, or reused */

struct gx_client {
	int fd;
	uint64_t serial;		/* which connection: runs it holds */
	uid_t uid;
	pid_t pid;
	char in[GA_AGENT_REQ_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	bool closing;			/* closed once out is sent */
	bool dead;			/* to be dropped after this wake */
	uint32_t events;		/* what epoll waits for on fd */
	double window;			/* the second requests count in */
	unsigned int reqs;
};

/* A run cgroup the agent made, and whose it is. */
struct gx_run {
	__u64 id;
	uid_t uid;
	char dir[GA_PATH_MAX + 64];
	char path[GA_PATH_MAX + 64];	/* from the mount's root */
	uint64_t holder;		/* the connection that holds it; 0 none */
};

#define GX_AGENT_RUNS_PER_UID	32	/* live run cgroups of one uid */

/* The cgroups a uid may read: their ids. */
struct gx_owned {
	__u64 *ids;
	unsigned int nr, max;
};

/* A process as the accounting keys it, and its owner. */
struct gx_key {
	__u64 start_ns;
	__u32 tgid;
	uid_t uid;
};

/* The processes of the accounting, with their owners. */
struct gx_keys {
	struct gx_key *k;
	size_t nr, max;
};

/*
 * A cgroup directory that is not root's, or is below one (those are the
 * only ones a uid but root's can own): its id, its owner, and its
 * parent's entry (-1: root's, and all above it).
 */
struct gx_cg {
	uint64_t id;
	uid_t uid;
	int parent;
};

/* The cgroup tree as walked once a sample, parents before children. */
struct gx_tree {
	struct gx_cg *cg;
	bool *mine;			/* scratch: of the uid asking */
	unsigned int nr, max, walked;
	bool done;			/* walked at this sample */
};

/*
 * A sample's reply to one uid, rendered once for every request of that
 * uid until the next sample: the JSON object without its closing brace,
 * to which each answer adds its own age_ms.
 */
struct gx_reply_text {
	uid_t uid;
	__u64 sample, reopens;		/* the state's, when rendered */
	unsigned int runs;		/* gx_agent.runs_gen, when rendered */
	double last_sample;		/* the sample's time */
	char *text;
	size_t len;
};

struct gx_agent {
	struct gx_state *st;
	const char *root;		/* "/" or --root */
	char *path;
	int lfd, wake[2], epfd;
	pthread_t thread;
	bool bound, started;
	struct ga_cgroup_mount mnt;
	bool have_mnt;
	unsigned int runs;		/* run cgroups made, for their names */
	uint64_t serials;		/* connections accepted */
	struct gx_run *run;		/* the run cgroups it made, live */
	unsigned int nr_run, max_run;
	struct gx_client clients[GX_AGENT_MAX_CLIENTS];
	unsigned int nr;
	struct gx_keys owners;		/* the processes' owners at a sample */
	__u64 owners_sample;		/* that sample */
	struct gx_tree tree;		/* at that sample */
	unsigned int runs_gen;		/* run cgroups made or removed */
	struct gx_reply_text replies[GX_AGENT_REPLIES];
	unsigned int next_reply;
};

/*
 * Send @iov (@n parts of one line or more) to @c: at once when nothing
 * waits before it, what the socket does not take queued for POLLOUT. A
 * peer gone or a client out of memory is closed.
 */
static void gx_client_putv(struct gx_client *c, struct iovec *iov, int n)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = n };
	size_t done = 0, len = 0;
	ssize_t sent;
	char *t;
	int i;

	if (c->closing)
		return;
	if (!c->out_len) {
		sent = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0 && errno != EAGAIN && errno != EINTR) {
			c->closing = true;
			return;
		}
		done = sent < 0 ? 0 : sent;
	}
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (done == len)
		return;
	t = realloc(c->out, c->out_len + len - done);
	if (!t) {
		c->closing = true;
		return;
	}
	c->out = t;
	for (i = 0; i < n; i++) {
		size_t skip = done < iov[i].iov_len ? done : iov[i].iov_len;

		done -= skip;
		memcpy(c->out + c->out_len, (char *)iov[i].iov_base + skip,
		       iov[i].iov_len - skip);
		c->out_len += iov[i].iov_len - skip;
	}
}

static void gx_client_put(struct gx_client *c, const char *s, size_t n)
{
	struct iovec iov = { (void *)s, n };

	gx_client_putv(c, &iov, 1);
}

static void gx_client_error(struct gx_client *c, int errnum, const char *msg)
{
	char line[GA_AGENT_REQ_MAX + 256];

	if (!ga_agent_error_line(errnum, msg, line, sizeof(line)))
		gx_client_put(c, line, strlen(line));
}

static void gx_client_json(struct gx_client *c, struct json_object *o)
{
	size_t n;
	const char *s;

	if (!o) {
		gx_client_error(c, ENOMEM, "out of memory");
		return;
	}
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	gx_client_putv(c, (struct iovec[]){ { (void *)s, n }, { (void *)"\n", 1 } },
		       2);
	json_object_put(o);
}

/*
 * The owner (real uid) of process @pid that started at @start_ns (the
 * backend's clock:
 * CLOCK_MONOTONIC ns) is @uid's. /proc counts the start in clock ticks
 * of CLOCK_BOOTTIME, which is ahead of CLOCK_MONOTONIC by the time the
 * machine slept before the start: a process of the same pid that started
 * otherwise is another one (a reused pid): GX_NOBODY, as when it is gone.
 */
static uid_t gx_task_owner(const char *root, __u32 pid, __u64 start_ns)
{
	struct ga_proc_stat a, b;
	struct timespec mono, boot;
	__u64 tick = 1000000000ull / sysconf(_SC_CLK_TCK), at, slept;
	uid_t owner;

	if (pid == GA_ACCT_OVERFLOW_ID || pid > 0x3fffffff)
		return GX_NOBODY;
	if (ga_proc_stat_read(root, pid, &a) ||
	    ga_proc_uid(root, pid, &owner) ||
	    ga_proc_stat_read(root, pid, &b) || a.start_time != b.start_time)
		return GX_NOBODY;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	slept = (boot.tv_sec - mono.tv_sec) * 1000000000ll +
		(boot.tv_nsec - mono.tv_nsec);
	at = a.start_time * tick;
	return at + tick >= start_ns && at <= start_ns + slept + tick ?
		       owner : GX_NOBODY;
}

static int gx_owned_add(struct gx_owned *o, __u64 id)
{
	if (o->nr == o->max) {
		unsigned int max = o->max ? o->max * 2 : 64;
		__u64 *t = realloc(o->ids, max * sizeof(*t));

		if (!t)
			return -ENOMEM;
		o->ids = t;
		o->max = max;
	}
	o->ids[o->nr++] = id;
	return 0;
}

/* Add @c to @t. Return: its index, or -ENOMEM. */
static int gx_tree_add(struct gx_tree *t, const struct gx_cg *c)
{
	if (t->nr == t->max) {
		unsigned int max = t->max ? t->max * 2 : 64;
		struct gx_cg *cg = realloc(t->cg, max * sizeof(*cg));
		bool *mine;

		if (!cg)
			return -ENOMEM;
		t->cg = cg;
		mine = realloc(t->mine, max * sizeof(*mine));
		if (!mine)
			return -ENOMEM;
		t->mine = mine;
		t->max = max;
	}
	t->cg[t->nr] = *c;
	return t->nr++;
}

/*
 * Add cgroup @name of the directory open at @dfd, whose entry is
 * @parent (-1: root's, and all above it), to @t when it is not root's or
 * is below one; @sb is its stat. Return: its entry, -1 for none, or
 * -ENOMEM.
 */
static int gx_tree_note(struct gx_tree *t, int dfd, const char *name,
			const struct stat *sb, int parent)
{
	struct gx_cg c = { .uid = sb->st_uid, .parent = parent };

	if ((!c.uid && parent < 0) || ga_cgroup_id_at(dfd, name, &c.id))
		return -1;
	return gx_tree_add(t, &c);
}

/*
 * Walk the cgroup directory open at @fd (closed here), whose entry is
 * @me, into @t, parents before children. A directory's link count is 2
 * and its subdirectories (kernfs keeps it so): a cgroup without children
 * is looked at by its name alone, one system call, and only one with
 * children is opened and read. A tree that could not be held whole is
 * cut short: a uid is then given fewer of its cgroups, never another's.
 */
static void gx_tree_walk(struct gx_tree *t, int fd, int me,
			 unsigned int depth)
{
	struct dirent *de;
	struct stat sb;
	int sub, it;
	DIR *d;

	d = depth <= GA_CGROUP_DEPTH_MAX ? fdopendir(fd) : NULL;
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (t->walked++ >= GX_AGENT_WALK_MAX)
			break;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(sb.st_mode))
			continue;
		it = gx_tree_note(t, dirfd(d), de->d_name, &sb, me);
		if (it == -ENOMEM) {
			t->walked = GX_AGENT_WALK_MAX;	/* no more */
			break;
		}
		if (sb.st_nlink == 2)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			gx_tree_walk(t, sub, it, depth + 1);
	}
	closedir(d);
}

static int gx_u64_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int gx_key_cmp(const void *a, const void *b)
{
	const struct gx_key *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static int gx_keys_add(const struct ga_acct_task *t, void *arg)
{
	struct gx_keys *ks = arg;

	if (ks->nr == ks->max) {
		size_t max = ks->max ? ks->max * 2 : 256;
		struct gx_key *k = realloc(ks->k, max * sizeof(*k));

		if (!k)
			return -ENOMEM;
		ks->k = k;
		ks->max = max;
	}
	ks->k[ks->nr++] = (struct gx_key){ t->start_ns, t->tgid, GX_NOBODY };
	return 0;
}

/*
 * The owners of the accounting's processes at sample @sample, looked up
 * in /proc once a sample, for every caller (a request would otherwise
 * read /proc three times per process), and without the state's lock
 * (that would hold up the sampling). Sorted by key.
 */
static int gx_owners(struct gx_agent *a, __u64 sample)
{
	struct gx_keys *ks = &a->owners;
	size_t i;
	int r;

	if (a->owners_sample == sample && ks->k)
		return 0;
	ks->nr = 0;
	a->tree.done = false;
	pthread_mutex_lock(&a->st->lock);
	r = ga_for_each_task(a->st->g, gx_keys_add, ks);
	pthread_mutex_unlock(&a->st->lock);
	if (r < 0) {
		a->owners_sample = 0;
		return r;
	}
	for (i = 0; i < ks->nr; i++)
		ks->k[i].uid = gx_task_owner(a->root, ks->k[i].tgid,
					     ks->k[i].start_ns);
	qsort(ks->k, ks->nr, sizeof(*ks->k), gx_key_cmp);
	a->owners_sample = sample;
	return 0;
}

/*
 * The cgroups @uid owns, into @o, unsorted: a directory @uid owns
 * (delegated to it) and any below one. The tree is walked once a sample,
 * for every caller.
 */
static int gx_owned_cgroups(struct gx_agent *a, uid_t uid, struct gx_owned *o)
{
	struct gx_tree *t = &a->tree;
	unsigned int i;
	struct stat sb;
	int fd, me;

	if (!t->done) {
		t->nr = t->walked = 0;
		t->done = true;
		fd = a->have_mnt ? open(a->mnt.dir, O_RDONLY | O_DIRECTORY |
					     O_CLOEXEC) : -1;
		me = fd >= 0 && !fstat(fd, &sb) ?
			     gx_tree_note(t, fd, "", &sb, -1) : -ENOENT;
		if (me != -ENOENT)
			gx_tree_walk(t, fd, me < 0 ? -1 : me, 0);
		else if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < t->nr; i++) {
		t->mine[i] = t->cg[i].uid == uid ||
			     (t->cg[i].parent >= 0 && t->mine[t->cg[i].parent]);
		if (t->mine[i] && gx_owned_add(o, t->cg[i].id))
			return -ENOMEM;
	}
	return 0;
}

struct gx_reply {
	struct gx_agent *a;
	uid_t uid;
	unsigned int nr_domains;
	const struct gx_owned *owned;
	const struct gx_keys *tasks_owned;
	struct json_object *tasks, *cgroups;
};

static int gx_reply_task(const struct ga_acct_task *t, void *arg)
{
	struct gx_reply *r = arg;
	struct gx_key k = { t->start_ns, t->tgid, 0 }, *o;

	if (r->uid) {
		o = bsearch(&k, r->tasks_owned->k, r->tasks_owned->nr,
			    sizeof(k), gx_key_cmp);
		if (!o || o->uid != r->uid)
			return 0;
	}
	json_object_array_add(r->tasks, ga_agent_task_json(t, r->nr_domains));
	return 0;
}

static int gx_reply_cgroup(const struct ga_acct_cgroup *c, void *arg)
{
	struct gx_reply *r = arg;

	if (r->uid && !bsearch(&c->id, r->owned->ids, r->owned->nr,
			       sizeof(c->id), gx_u64_cmp))
		return 0;
	json_object_array_add(r->cgroups,
			      ga_agent_cgroup_json(c, r->nr_domains));
	return 0;
}

/*
 * The last sample's figures that @uid may see, rendered into @t (whose
 * text is replaced): a JSON object without its closing brace.
 */
static int gx_reply_render(struct gx_agent *a, uid_t uid,
			   struct gx_reply_text *t)
{
	struct gx_state *st = a->st;
	struct gx_owned owned = { 0 };
	struct gx_reply r = { .a = a, .uid = uid, .owned = &owned,
			      .tasks_owned = &a->owners };
	struct json_object *o, *doms;
	unsigned int i;
	const char *s;
	__u64 sample;
	size_t n;
	int err;

	pthread_mutex_lock(&st->lock);
	sample = st->samples;
	pthread_mutex_unlock(&st->lock);
	if (uid) {
		err = gx_owners(a, sample);
		if (!err)
			err = gx_owned_cgroups(a, uid, &owned);
		for (i = 0; !err && i < a->nr_run; i++)
			if (a->run[i].uid == uid)
				err = gx_owned_add(&owned, a->run[i].id);
		if (err) {
			free(owned.ids);
			return err;
		}
		qsort(owned.ids, owned.nr, sizeof(*owned.ids), gx_u64_cmp);
	}
	o = json_object_new_object();
	doms = json_object_new_array();
	r.tasks = json_object_new_array();
	r.cgroups = json_object_new_array();
	pthread_mutex_lock(&st->lock);
	t->uid = uid;
	/*
	 * the owners' sample: when another came meanwhile, the next request
	 * renders anew, with owners of the sample it shows
	 */
	t->sample = sample;
	t->reopens = st->reopens;
	t->runs = a->runs_gen;
	t->last_sample = st->last_sample;
	r.nr_domains = ga_nr_domains(st->g);
	for (i = 0; i < r.nr_domains; i++)
		json_object_array_add(doms, ga_agent_domain_json(st->g, i,
								  !uid));
	ga_for_each_task(st->g, gx_reply_task, &r);
	ga_for_each_cgroup(st->g, gx_reply_cgroup, &r);
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "sample", json_object_new_uint64(st->samples));
	json_object_object_add(o, "interval_ms",
			       json_object_new_int64(st->interval_s * 1000));
	json_object_object_add(o, "backend",
			       json_object_new_string(st->backend));
	pthread_mutex_unlock(&st->lock);
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	json_object_object_add(o, "domains", doms);
	json_object_object_add(o, "tasks", r.tasks);
	json_object_object_add(o, "cgroups", r.cgroups);
	free(owned.ids);
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	free(t->text);
	t->text = s && n > 1 && s[n - 1] == '}' ? strndup(s, n - 1) : NULL;
	t->len = t->text ? n - 1 : 0;
	json_object_put(o);
	return t->text ? 0 : -ENOMEM;
}

/*
 * {"op":"sample"}: the last sample's figures that @c may see, rendered
 * once a sample for each of the last GX_AGENT_REPLIES callers' uids.
 */
static void gx_agent_sample(struct gx_agent *a, struct gx_client *c)
{
	struct gx_state *st = a->st;
	struct gx_reply_text *t = NULL;
	char tail[64];
	__u64 sample, reopens;
	unsigned int i;
	int n;

	pthread_mutex_lock(&st->lock);
	sample = st->samples;
	reopens = st->reopens;
	pthread_mutex_unlock(&st->lock);
	for (i = 0; i < GX_AGENT_REPLIES && !t; i++)
		if (a->replies[i].text && a->replies[i].uid == c->uid &&
		    a->replies[i].sample == sample &&
		    a->replies[i].reopens == reopens &&
		    a->replies[i].runs == a->runs_gen)
			t = &a->replies[i];
	for (i = 0; i < GX_AGENT_REPLIES && !t; i++)
		if (a->replies[i].text && a->replies[i].uid == c->uid)
			t = &a->replies[i];
	if (!t)
		t = &a->replies[a->next_reply++ % GX_AGENT_REPLIES];
	if ((!t->text || t->uid != c->uid || t->sample != sample ||
	     t->reopens != reopens || t->runs != a->runs_gen) &&
	    gx_reply_render(a, c->uid, t)) {
		gx_client_error(c, ENOMEM, "out of memory");
		return;
	}
	n = snprintf(tail, sizeof(tail), ",\"age_ms\":%lld}\n",
		     t->last_sample ?
		     (long long)((ga_mono_s() - t->last_sample) * 1000) : -1LL);
	gx_client_putv(c, (struct iovec[]){ { t->text, t->len },
					    { tail, n } }, 2);
}

static void gx_agent_hello(struct gx_agent *a, struct gx_client *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "proto", json_object_new_int(GA_AGENT_PROTO));
	json_object_object_add(o, "version",
			       json_object_new_string(GREENAI_VERSION));
	json_object_object_add(o, "uid", json_object_new_int64(c->uid));
	json_object_object_add(o, "interval_ms",
			       json_object_new_int64(a->st->interval_s * 1000));
	json_object_object_add(o, "sees",
			       json_object_new_string(c->uid ? "own" : "all"));
	gx_client_json(c, o);
}

static int gx_write_pid(const char *dir, int pid)
{
	char path[2 * GA_PATH_MAX], num[16];
	int fd, n, r = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	n = snprintf(num, sizeof(num), "%d", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, num, n) != n)
		r = -errno;
	close(fd);
	return r;
}

/* Whether the process of @pidfd is alive (EPERM: alive, not ours to kill). */
static bool gx_pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
	       errno == EPERM;
}

/*
 * Move @pid from the run cgroup of path @path (from the mount's root) to
 * @dest, only if it is still there: a pidfd holds it while its cgroup is
 * read, so a pid reused meanwhile is never moved. Return: 0, or -errno.
 */
static int gx_move_checked(const struct gx_agent *a, int pid, const char *path,
			   const char *dest)
{
	char cg[GA_PATH_MAX];
	int fd, r;

	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	r = ga_cgroup_of_pid(a->root, pid, cg, sizeof(cg), NULL);
	if (!r && (strcmp(cg, path) || !gx_pidfd_alive(fd)))
		r = -ESRCH;
	r = r ?: gx_write_pid(dest, pid);
	close(fd);
	return r;
}

/*
 * Move what is in the run cgroup @dir (of path @path) to @dest: each
 * process checked (gx_move_checked()); what forks meanwhile is born
 * inside, so a few rounds. Return: the processes moved.
 */
static int gx_run_empty(const struct gx_agent *a, const char *dir,
			const char *path, const char *dest)
{
	char procs[GA_PATH_MAX + 80];
	int pid, moved = 0, i, n;
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	for (i = 0; i < 16; i++) {
		f = fopen(procs, "re");
		for (n = 0; f && fscanf(f, "%d", &pid) == 1;)
			n += !gx_move_checked(a, pid, path, dest);
		if (f)
			fclose(f);
		moved += n;
		if (!n)
			break;
	}
	return moved;
}

/* The cgroup @dir is made in: its parent. */
static void gx_parent(const char *dir, char *out, size_t size)
{
	char *slash;

	snprintf(out, size, "%s", dir);
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

/* Whether cgroup @dir holds a process ("populated 1"). */
static bool gx_populated(const char *dir)
{
	char path[GA_PATH_MAX + 80], line[64];
	bool pop = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strcmp(line, "populated 1\n"))
			pop = true;
	if (f)
		fclose(f);
	return pop;
}

static int gx_run_add(struct gx_agent *a, __u64 id, uid_t uid,
		      const char *dir, const char *path, uint64_t holder)
{
	struct gx_run *r;

	if (a->nr_run == a->max_run) {
		unsigned int max = a->max_run ? 2 * a->max_run : 16;

		r = realloc(a->run, max * sizeof(*r));
		if (!r)
			return -ENOMEM;
		a->run = r;
		a->max_run = max;
	}
	r = &a->run[a->nr_run++];
	r->id = id;
	r->uid = uid;
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->holder = holder;
	a->runs_gen++;
	return 0;
}

/*
 * Run @i goes: what is in it back where it was made, then the cgroup.
 * Return: the processes moved.
 */
static int gx_run_drop(struct gx_agent *a, unsigned int i)
{
	char parent[sizeof(a->run[i].dir)];
	int moved;

	gx_parent(a->run[i].dir, parent, sizeof(parent));
	moved = gx_run_empty(a, a->run[i].dir, a->run[i].path, parent);
	rmdir(a->run[i].dir);
	a->run[i] = a->run[--a->nr_run];
	a->runs_gen++;
	return moved;
}

/*
 * The connection @c closes: the runs it held (run-cgroup with "hold"),
 * not ended, are its client's that was killed: what is in them goes back
 * where each was made, and they are removed, as leave-run and end-run
 * would. Said on the exporter's log.
 */
static void gx_runs_release(struct gx_agent *a, const struct gx_client *c)
{
	char path[sizeof(a->run[0].path)];
	unsigned int i = a->nr_run;
	int moved;

	while (i-- > 0) {
		if (a->run[i].holder != c->serial)
			continue;
		snprintf(path, sizeof(path), "%s", a->run[i].path);
		moved = gx_run_drop(a, i);
		fprintf(stderr, "greenai-exporter: agent: the connection of pid %d (uid %u) that held run cgroup %s closed before end-run: %d process(es) went back to the cgroup it was made in, and it is removed\n",
			(int)c->pid, (unsigned int)c->uid, path, moved);
	}
}

/*
 * {"op":"run-cgroup","pid":P}: a cgroup made inside the one process P is
 * in, and P moved into it. Inside, not beside: every limit on P's cgroup
 * and its parents (a job's CPU or memory limit) still holds, so the agent
 * never lets a process out of them. Any process of the caller's (real
 * uid) may be moved; root's, any process.
 */
static void gx_agent_run_cgroup(struct gx_agent *a, struct gx_client *c,
				int pid, bool hold)
{
	char from[GA_PATH_MAX], dir[GA_PATH_MAX], run[GA_PATH_MAX + 64];
	char cgpath[GA_PATH_MAX + 64];
	struct json_object *o;
	unsigned int i, mine = 0;
	int pidfd, r;
	uint64_t id;
	uid_t owner;

	if (!a->have_mnt) {
		gx_client_error(c, ENODEV, "no cgroup v2 mount on the node");
		return;
	}
	for (i = 0; i < a->nr_run; i++)
		mine += a->run[i].uid == c->uid;
	if (c->uid && mine >= GX_AGENT_RUNS_PER_UID) {
		gx_client_error(c, EUSERS, "too many run cgroups of yours at once (32)");
		return;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		gx_client_error(c, ESRCH, "no such process");
		return;
	}
	/* read while the pidfd holds it: alive after, the same process */
	r = ga_proc_uid(a->root, pid, &owner);
	r = r ?: ga_cgroup_of_pid(a->root, pid, from, sizeof(from), NULL);
	if (r || !gx_pidfd_alive(pidfd)) {
		gx_client_error(c, ESRCH, "no such process");
		goto out;
	}
	if (c->uid && owner != c->uid) {
		gx_client_error(c, EPERM, "the process is not yours");
		goto out;
	}
	r = ga_cgroup_dir(&a->mnt, from, dir, sizeof(dir));
	if (r) {
		gx_client_error(c, -r, "the process's cgroup is not under the agent's cgroup2 mount");
		goto out;
	}
	for (;;) {
		snprintf(run, sizeof(run), "%s/greenai-run-%d-%u", dir, pid,
			 ++a->runs);
		if (!mkdir(run, 0755))
			break;
		if (errno != EEXIST) {
			gx_client_error(c, errno, "cannot make the run cgroup");
			goto out;
		}
	}
	snprintf(cgpath, sizeof(cgpath), "%s/%s", strcmp(from, "/") ? from : "",
		 strrchr(run, '/') + 1);
	/* readable by all, as cgroups are, whatever the umask */
	r = chmod(run, 0755) ? -errno : 0;
	/* checked, moved, checked: back to back */
	if (!r && !gx_pidfd_alive(pidfd))
		r = -ESRCH;
	r = r ?: gx_write_pid(run, pid);
	if (!r && !gx_pidfd_alive(pidfd))
		r = -ESRCH;
	r = r ?: ga_cgroup_id(run, &id);
	r = r ?: gx_run_add(a, id, owner, run, cgpath, hold ? c->serial : 0);
	if (r) {
		/* what came in under its pid goes back where it was */
		gx_run_empty(a, run, cgpath, dir);
		rmdir(run);
		gx_client_error(c, -r, r == -ESRCH ? "the process ended" :
				"cannot move the process into its run cgroup");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(id));
	json_object_object_add(o, "path", json_object_new_string(cgpath));
	gx_client_json(c, o);
out:
	close(pidfd);
}

/*
 * {"op":"end-run","cgroup_id":ID}: the run cgroup removed (empty by now);
 * leave-run (@leave): what is in it goes back where it was made, the
 * cgroup stays, for the agent's next samples to have its figures. Root's
 * may end any uid's run.
 */
static void gx_agent_end_run(struct gx_agent *a, struct gx_client *c, __u64 id,
			     bool leave)
{
	char parent[GA_PATH_MAX + 64];
	struct json_object *o;
	struct gx_run *run;
	unsigned int i;
	int moved;

	for (i = 0; i < a->nr_run; i++)
		if (a->run[i].id == id && (!c->uid || a->run[i].uid == c->uid))
			break;
	if (i == a->nr_run) {
		gx_client_error(c, ENOENT, "no run cgroup of yours has that id");
		return;
	}
	run = &a->run[i];
	if (leave) {
		gx_parent(run->dir, parent, sizeof(parent));
		moved = gx_run_empty(a, run->dir, run->path, parent);
		if (gx_populated(run->dir)) {
			gx_client_error(c, EBUSY, "processes are still in the run cgroup");
			return;
		}
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_object_object_add(o, "moved", json_object_new_int(moved));
		gx_client_json(c, o);
		return;
	}
	if (rmdir(run->dir) && errno != ENOENT) {
		gx_client_error(c, errno, errno == EBUSY ?
				"the run cgroup still holds processes" :
				"cannot remove the run cgroup");
		return;
	}
	a->run[i] = a->run[--a->nr_run];
	a->runs_gen++;
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	gx_client_json(c, o);
}

/*
 * {"op":"label","cgroup_id":ID,...}: the labels of the caller's run cgroup
 * (one the agent made for the caller's uid; root's, any run), each value
 * checked as the exporter checks it, all before any is set. A user's run is marked
 * user.greenai.owner "uid:N" first: the cgroup is root's, and the
 * exporter takes that mark, on a root-owned greenai-run-P-N only, as the
 * series' owner. The unit before its count: the exporter counts units
 * with a name only.
 */
static void gx_agent_label(struct gx_agent *a, struct gx_client *c,
			   const struct ga_agent_req *req)
{
	struct json_object *o;
	char owner[32];
	unsigned int i;
	uint64_t milli;
	int r = 0;

	/* each as the exporter takes it (workloads.c), else nothing is set */
	if (req->model[0] && !ga_cgroup_label_value_valid(req->model)) {
		gx_client_error(c, EINVAL, "label's \"model\" is not a model's name (1 to 255 bytes, no control character)");
		return;
	}
	if (req->units[0] && ga_metric_units_milli(req->units, &milli)) {
		gx_client_error(c, EINVAL, "label's \"units\" is not a count of units (a decimal number from 0.001 to 10^12, as a string)");
		return;
	}
	if (req->unit[0] && !ga_metric_unit_ok(req->unit)) {
		gx_client_error(c, EINVAL, "label's \"unit\" is not a unit's name (1 to 24 of A-Z a-z 0-9 _ . -)");
		return;
	}
	for (i = 0; i < a->nr_run; i++)
		if (a->run[i].id == req->cgroup_id &&
		    (!c->uid || a->run[i].uid == c->uid))
			break;
	if (i == a->nr_run) {
		gx_client_error(c, ENOENT, "no run cgroup of yours has that id");
		return;
	}
	if (a->run[i].uid) {
		snprintf(owner, sizeof(owner), "uid:%u",
			 (unsigned int)a->run[i].uid);
		r = ga_cgroup_label_set(a->run[i].dir, GA_LABEL_OWNER, owner);
	}
	if (!r && req->model[0])
		r = ga_cgroup_label_set(a->run[i].dir, GA_LABEL_MODEL,
					req->model);
	if (!r && req->unit[0])
		r = ga_cgroup_label_set(a->run[i].dir, GA_LABEL_UNIT,
					req->unit);
	if (!r && req->units[0])
		r = ga_cgroup_label_set(a->run[i].dir, GA_LABEL_UNITS,
					req->units);
	if (r) {
		gx_client_error(c, -r, "cannot label the run cgroup (xattrs)");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	gx_client_json(c, o);
}

static void gx_agent_line(struct gx_agent *a, struct gx_client *c,
			  const char *line, size_t len)
{
	struct ga_agent_req req;
	char err[256];
	double now = ga_mono_s();

	if (now - c->window >= 1) {
		c->window = now;
		c->reqs = 0;
	}
	if (++c->reqs > GX_AGENT_RATE) {
		gx_client_error(c, EBUSY,
				"too many requests: at most 20 a second");
		return;
	}
	if (ga_agent_parse_request(line, len, &req, err, sizeof(err))) {
		gx_client_error(c, EINVAL, err);
		return;
	}
	switch (req.op) {
	case GA_AGENT_OP_HELLO:
		gx_agent_hello(a, c);
		break;
	case GA_AGENT_OP_SAMPLE:
		gx_agent_sample(a, c);
		break;
	case GA_AGENT_OP_RUN_CGROUP:
		gx_agent_run_cgroup(a, c, req.pid, req.hold);
		break;
	case GA_AGENT_OP_END_RUN:
	case GA_AGENT_OP_LEAVE_RUN:
		gx_agent_end_run(a, c, req.cgroup_id,
				 req.op == GA_AGENT_OP_LEAVE_RUN);
		break;
	case GA_AGENT_OP_LABEL:
		gx_agent_label(a, c, &req);
		break;
	}
}

/* epoll's ids of the wake pipe and the listening socket; clients: index */
#define GX_EV_WAKE	(GX_AGENT_MAX_CLIENTS + 1)
#define GX_EV_LISTEN	(GX_AGENT_MAX_CLIENTS + 2)

/*
 * What epoll waits for on client @i: its queued reply to go, else its
 * next request, else (closing, all sent) to be dropped.
 */
static void gx_client_watch(struct gx_agent *a, unsigned int i, bool force)
{
	struct gx_client *c = &a->clients[i];
	struct epoll_event ev = { .data.u32 = i };

	if (c->closing && !c->out_len) {
		c->dead = true;
		return;
	}
	ev.events = c->out_len ? EPOLLOUT : EPOLLIN;
	if ((force || ev.events != c->events) &&
	    epoll_ctl(a->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		c->dead = true;
	c->events = ev.events;
}

/* Client @i goes; the last takes its place (and its index in epoll). */
static void gx_client_drop(struct gx_agent *a, unsigned int i)
{
	gx_runs_release(a, &a->clients[i]);
	close(a->clients[i].fd);
	free(a->clients[i].out);
	a->clients[i] = a->clients[--a->nr];
	if (i < a->nr && !a->clients[i].dead)
		gx_client_watch(a, i, true);
}

/*
 * Take a connection that waits, or refuse it. Return: the new client, or
 * NULL.
 */
static struct gx_client *gx_agent_accept(struct gx_agent *a)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct gx_client *c;
	unsigned int i, same = 0;
	char line[256];
	int fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return NULL;
	}
	for (i = 0; i < a->nr; i++)
		same += a->clients[i].uid == cred.uid;
	if (a->nr == GX_AGENT_MAX_CLIENTS ||
	    (cred.uid && same >= GX_AGENT_PER_UID)) {
		if (!ga_agent_error_line(EUSERS, a->nr == GX_AGENT_MAX_CLIENTS ?
					 "too many clients" :
					 "too many connections of your uid",
					 line, sizeof(line)) &&
		    send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			line[0] = '\0';
		close(fd);
		return NULL;
	}
	ev.data.u32 = a->nr;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return NULL;
	}
	c = &a->clients[a->nr++];
	*c = (struct gx_client){ .fd = fd, .uid = cred.uid, .pid = cred.pid,
				 .serial = ++a->serials,
				 .events = EPOLLIN };
	return c;
}

/* Read what came; answer each whole line. Return: false to drop @c. */
static bool gx_client_read(struct gx_agent *a, struct gx_client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 0);
	char *nl;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	c->in_len += n;
	while (!c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t len = nl - c->in;

		gx_agent_line(a, c, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
	}
	if (c->in_len == sizeof(c->in)) {
		/* a stream cannot find the next request's start: done */
		gx_client_error(c, E2BIG, "request over 1024 bytes");
		c->closing = true;
	}
	return true;
}

/* Send what waits. Return: false to drop @c. */
static bool gx_client_write(struct gx_client *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	c->out_off += n;
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
		return !c->closing;
	}
	return true;
}

/*
 * The agent's thread: epoll, so that a wake costs what is ready, not a
 * look at every connection. Clients are dropped after each wake's
 * events, from the last, so that the indices epoll holds stay right.
 */
static void *gx_agent_loop(void *arg)
{
	struct gx_agent *a = arg;
	struct epoll_event evs[32];
	struct gx_client *c;
	int n, k;

	for (;;) {
		unsigned int i;

		n = epoll_wait(a->epfd, evs, sizeof(evs) / sizeof(evs[0]), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (k = 0; k < n; k++) {
			uint32_t id = evs[k].data.u32, ev = evs[k].events;
			bool keep = true;

			if (id == GX_EV_WAKE)
				return NULL;
			if (id == GX_EV_LISTEN) {
				c = gx_agent_accept(a);
				/* its first request has often come with it */
				if (c && !gx_client_read(a, c))
					c->dead = true;
				if (c && !c->dead)
					gx_client_watch(a, a->nr - 1, false);
				continue;
			}
			if (id >= a->nr || a->clients[id].dead)
				continue;
			c = &a->clients[id];
			if (ev & EPOLLOUT)
				keep = gx_client_write(c);
			else if (ev & EPOLLIN)
				keep = gx_client_read(a, c);
			else if (ev & (EPOLLHUP | EPOLLERR))
				keep = false;
			if (!keep)
				c->dead = true;
			else
				gx_client_watch(a, id, false);
		}
		for (i = a->nr; i-- > 0;)
			if (a->clients[i].dead)
				gx_client_drop(a, i);
	}
	return NULL;
}

/* Whether an agent answers at @path already. */
static bool gx_agent_answers(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes = fd >= 0 &&
		   !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));

	if (fd >= 0)
		close(fd);
	return yes;
}

/* The epoll set: the wake pipe and the listening socket to begin with. */
static int gx_agent_epoll(struct gx_agent *a)
{
	struct epoll_event wake = { .events = EPOLLIN, .data.u32 = GX_EV_WAKE };
	struct epoll_event lis = { .events = EPOLLIN, .data.u32 = GX_EV_LISTEN };

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0 ||
	    epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->wake[0], &wake) ||
	    epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->lfd, &lis))
		return -1;
	return 0;
}

int gx_agent_start(struct gx_agent **out, struct gx_state *st,
		   const char *path, const char *root, char *err,
		   size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gx_agent *a;
	sigset_t all, was;
	struct stat sb;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path) || path[0] != '/') {
		snprintf(err, err_size, "not an absolute path of up to %zu bytes",
			 sizeof(sa.sun_path) - 1);
		return -EINVAL;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &sb)) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, err_size, "there is a file that is not a socket");
			return -EEXIST;
		}
		if (gx_agent_answers(&sa)) {
			snprintf(err, err_size, "another agent answers there");
			return -EADDRINUSE;
		}
		unlink(path);		/* a stale socket */
	}
	ga_mkdir_parents(path, 0755);
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->st = st;
	a->root = root ? root : "/";
	a->wake[0] = a->wake[1] = -1;
	a->epfd = -1;
	a->have_mnt = !ga_cgroup_find_mount(a->root, &a->mnt) &&
		      a->mnt.layout != GA_CGROUP_NONE &&
		      a->mnt.layout != GA_CGROUP_LEGACY;
	a->path = strdup(path);
	a->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!a->path || a->lfd < 0 || pipe2(a->wake, O_CLOEXEC) ||
	    bind(a->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    !(a->bound = true) || chmod(path, 0666) || listen(a->lfd, 64) ||
	    gx_agent_epoll(a)) {
		r = -errno;
		snprintf(err, err_size, "%s", strerror(-r));
		gx_agent_stop(a);
		return r;
	}
	/* signals are the sampling loop's: its wait is what they cut short */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &was);
	r = pthread_create(&a->thread, NULL, gx_agent_loop, a);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (r) {
		snprintf(err, err_size, "%s", strerror(r));
		gx_agent_stop(a);
		return -r;
	}
	a->started = true;
	*out = a;
	return 0;
}

void gx_agent_stop(struct gx_agent *a)
{
	unsigned int i;

	if (!a)
		return;
	if (a->started) {
		if (write(a->wake[1], "x", 1) != 1)
			pthread_cancel(a->thread);	/* it waits in epoll */
		pthread_join(a->thread, NULL);
	}
	/* no one can end them after this: what is in them goes back */
	while (a->nr_run)
		gx_run_drop(a, a->nr_run - 1);
	while (a->nr)
		gx_client_drop(a, 0);
	if (a->lfd >= 0)
		close(a->lfd);
	if (a->bound)
		unlink(a->path);
	if (a->wake[0] >= 0)
		close(a->wake[0]);
	if (a->wake[1] >= 0)
		close(a->wake[1]);
	if (a->epfd >= 0)
		close(a->epfd);
	free(a->path);
	free(a->run);
	free(a->owners.k);
	for (i = 0; i < GX_AGENT_REPLIES; i++)
		free(a->replies[i].text);
	free(a->tree.cg);
	free(a->tree.mine);
	free(a);
}
