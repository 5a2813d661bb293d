// SPDX-License-Identifier: GPL-2.0
/*
 * The VM hand-over tree (--vm-share-dir DIR, docs/vms.md): for each VM
 * the counters recognise, DIR/NAME/ with the VM's energy per host domain,
 * for the guest to read through a read-only share.
 *
 * DIR is root's and writable by root only, checked at the start. The
 * agent writes only into a DIR/NAME that exists and is owned by the uid
 * the VM's VMM runs as; everything is done relative to open directories,
 * never following a link (NAME/ is its owner's to change under us): the
 * files are made new (O_EXCL) and renamed over the old
 * (ga_write_atomic_at()), the host:I directories are the agent's own.
 * A VM's name must pass ga_vm_name_valid(); two live VMs of one name get
 * nothing. Every such refusal is logged once, when it starts or changes.
 *
 * A tree's counters are the VM's growth since the tree began, summed
 * (a VM started again under the same name goes on from where its tree
 * was), modulo GX_VM_RANGE_UJ; its domains are the host's when it began,
 * found by name at each update.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#include "exporter.h"

#define GX_VM_RANGE_UJ (1ull << 40) /* max_energy_range_uj: ~1.1 MJ */
#define GX_VM_MSG_MAX (2 * GA_PATH_MAX + 1024)

/* One recognised VM, as sampled. */
struct gx_vm_snap {
	char name[GA_VM_NAME_SHOWN_MAX + 1];
	unsigned int flags;
	enum ga_vmm vmm;
	int pid;
	uid_t uid;
	uint64_t uj[GREENAI_MAX_DOMAINS];
};

/* The host's domains, as sampled. */
struct gx_dom_snap {
	char name[GREENAI_NAME_LEN];
	uint16_t source;
	bool estimated;
};

struct gx_tree {
	char name[GA_VM_NAME_MAX + 1];
	int pid; /* the VM's whose growth was last taken */
	uint64_t seq;
	unsigned int nr;
	struct gx_dom_snap dom[GREENAI_MAX_DOMAINS];
	uint64_t acc[GREENAI_MAX_DOMAINS]; /* growth since the tree began */
	uint64_t last[GREENAI_MAX_DOMAINS]; /* the VM's energy last seen */
	bool described; /* the domains' name and range files written */
	bool live;
};

/* What was last said of a VM: said again only when it changes. */
struct gx_said {
	char key[GA_VM_NAME_SHOWN_MAX + 24];
	char msg[GX_VM_MSG_MAX];
	bool live;
};

struct gx_vmshare {
	int dirfd;
	char dir[GA_PATH_MAX];
	unsigned int interval_ms;
	struct gx_tree *trees;
	unsigned int nr_trees;
	struct gx_said *said;
	unsigned int nr_said;
};

/* The source of a domain, as greenai names sources on the host. */
static const char *gx_source_name(uint16_t src)
{
	switch (src) {
	case GREENAI_SRC_RAPL_MSR:
		return "rapl";
	case GREENAI_SRC_POWERCAP:
		return "powercap";
	case GREENAI_SRC_PERF:
		return "perf";
	case GREENAI_SRC_HWMON:
		return "hwmon";
	case GREENAI_SRC_NVML:
		return "nvml";
	case GREENAI_SRC_DRM:
		return "drm";
	case GREENAI_SRC_MODEL:
		return "model";
	case GREENAI_SRC_HOST:
		return "host";	/* a guest that is itself a VM host */
	default:
		return "other";
	}
}

/**
 * gx_vmshare_open() - the hand-over tree's directory
 * @out: the tree's state
 * @dir: DIR: must be a directory of root's, writable by no one else
 * @interval_s: the exporter's sampling interval
 * @err: why not, for a person
 * @err_size: its size
 *
 * Return: 0, or -errno (and @err says what is wrong).
 */
int gx_vmshare_open(struct gx_vmshare **out, const char *dir, double interval_s,
		    char *err, size_t err_size)
{
	struct gx_vmshare *s;
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		snprintf(
			err, err_size,
			"%s must be root's and writable by root only (0755 at most)",
			dir);
		close(fd);
		return -EPERM;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	s->dirfd = fd;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->interval_ms = (unsigned int)(interval_s * 1000 + 0.5);
	*out = s;
	return 0;
}

void gx_vmshare_close(struct gx_vmshare *s)
{
	if (!s)
		return;
	close(s->dirfd);
	free(s->trees);
	free(s->said);
	free(s);
}

/* Say @msg of VM @key once (again when it changes); "" is all well. */
static void gx_say(struct gx_vmshare *s, const char *key, const char *msg)
{
	struct gx_said *p = NULL, *n;
	unsigned int i;

	for (i = 0; i < s->nr_said; i++)
		if (!strcmp(s->said[i].key, key))
			p = &s->said[i];
	if (!p) {
		if (!msg[0])
			return;
		n = realloc(s->said, (s->nr_said + 1) * sizeof(*n));
		if (!n)
			return;
		s->said = n;
		p = &s->said[s->nr_said++];
		snprintf(p->key, sizeof(p->key), "%s", key);
		p->msg[0] = '\0';
	}
	p->live = true;
	if (!strcmp(p->msg, msg))
		return;
	if (msg[0])
		fprintf(stderr, "greenai-exporter: vm-share: %s\n", msg);
	else if (p->msg[0])
		fprintf(stderr,
			"greenai-exporter: vm-share: %s: written again\n", key);
	snprintf(p->msg, sizeof(p->msg), "%s", msg);
}

static struct gx_tree *gx_tree_find(struct gx_vmshare *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_trees; i++)
		if (!strcmp(s->trees[i].name, name))
			return &s->trees[i];
	return NULL;
}

/* A new tree for VM @v over domains @d: its counters from 0. */
static struct gx_tree *gx_tree_new(struct gx_vmshare *s,
				   const struct gx_vm_snap *v,
				   const struct gx_dom_snap *d, unsigned int nd)
{
	struct gx_tree *t = realloc(s->trees, (s->nr_trees + 1) * sizeof(*t));

	if (!t)
		return NULL;
	s->trees = t;
	t = &s->trees[s->nr_trees++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", v->name);
	t->pid = v->pid;
	t->nr = nd;
	memcpy(t->dom, d, nd * sizeof(*d));
	memcpy(t->last, v->uj, sizeof(t->last));
	return t;
}

/* The VM's growth since the last update, to the tree's counters. */
static void gx_tree_grow(struct gx_tree *t, const struct gx_vm_snap *v,
			 const struct gx_dom_snap *d, unsigned int nd)
{
	unsigned int i, j;

	if (v->pid != t->pid) {
		/* another VM of that name: its energy from its start */
		memset(t->last, 0, sizeof(t->last));
		t->pid = v->pid;
	}
	for (i = 0; i < t->nr; i++) {
		for (j = 0; j < nd; j++)
			if (!strcmp(t->dom[i].name, d[j].name))
				break;
		if (j == nd)
			continue; /* gone from the host: no growth */
		t->acc[i] += v->uj[j] >= t->last[j] ? v->uj[j] - t->last[j] :
						      v->uj[j];
	}
	memcpy(t->last, v->uj, sizeof(t->last));
}

/* Write @text as file @name of @dfd. Return: 0 or -errno. */
static int gx_put(int dfd, const char *name, const char *text)
{
	return ga_write_atomic_at(dfd, name, text, strlen(text), 0644,
				  GA_WRITE_NO_SYNC);
}

/*
 * host:I of the tree in @nfd: made if missing, and the agent's own (a
 * directory of the VM's owner's making is refused). Return: its fd or
 * -errno.
 */
static int gx_domain_dir(int nfd, unsigned int i)
{
	char name[32];
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "host:%u", i);
	if (mkdirat(nfd, name, 0755) && errno != EEXIST)
		return -errno;
	fd = openat(nfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
	if (fstat(fd, &st) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	fchmod(fd, 0755);
	return fd;
}

/* The tree's files in @nfd: energy first, greenai-host last. */
static int gx_tree_write(struct gx_vmshare *s, struct gx_tree *t, int nfd,
			 const char *policy, char *msg, size_t msg_size)
{
	char buf[4096], num[32];
	unsigned int i;
	size_t off;
	int fd, r = 0;

	for (i = 0; i < t->nr && !r; i++) {
		fd = gx_domain_dir(nfd, i);
		if (fd < 0) {
			snprintf(
				msg, msg_size,
				"%s/%s/host:%u: %s: nothing more written for VM %s",
				s->dir, t->name, i,
				fd == -EPERM ? "not the agent's directory" :
					       strerror(-fd),
				t->name);
			return fd;
		}
		if (!t->described) {
			snprintf(buf, sizeof(buf), "%s\n", t->dom[i].name);
			snprintf(num, sizeof(num), "%llu\n",
				 (unsigned long long)GX_VM_RANGE_UJ);
			r = gx_put(fd, "name", buf) ?:
				    gx_put(fd, "max_energy_range_uj", num);
		}
		snprintf(num, sizeof(num), "%llu\n",
			 (unsigned long long)(t->acc[i] % GX_VM_RANGE_UJ));
		r = r ?: gx_put(fd, "energy_uj", num);
		close(fd);
	}
	if (r) {
		snprintf(msg, msg_size,
			 "%s/%s: %s: nothing more written for VM %s", s->dir,
			 t->name, strerror(-r), t->name);
		return r;
	}
	t->described = true;
	t->seq++;
	off = (size_t)snprintf(buf, sizeof(buf),
			       "version 1\nvm %s\ninterval_ms %u\nseq %" PRIu64
			       "\nidle_policy %s\n",
			       t->name, s->interval_ms, t->seq, policy);
	for (i = 0; i < t->nr && off < sizeof(buf); i++)
		off += (size_t)snprintf(
			buf + off, sizeof(buf) - off, "host:%u source=%s %s\n",
			i, gx_source_name(t->dom[i].source),
			t->dom[i].estimated ? "estimated" : "measured");
	r = gx_put(nfd, "greenai-host", buf);
	if (r)
		snprintf(msg, msg_size, "%s/%s/greenai-host: %s", s->dir,
			 t->name, strerror(-r));
	return r;
}

/*
 * VM @v's tree: its growth taken, and written when its directory is there
 * and its VMM's owner's. Return: true when written; @msg says why not.
 */
static bool gx_vm_write(struct gx_vmshare *s, const struct gx_vm_snap *v,
			const struct gx_dom_snap *d, unsigned int nd,
			const char *policy, char *msg, size_t msg_size)
{
	struct gx_tree *t = gx_tree_find(s, v->name);
	struct stat st;
	int nfd;

	/* counted whether or not it can be written: it never steps back */
	if (!t)
		t = gx_tree_new(s, v, d, nd);
	else
		gx_tree_grow(t, v, d, nd);
	if (!t) {
		snprintf(msg, msg_size, "out of memory");
		return false;
	}
	t->live = true;
	nfd = openat(s->dirfd, v->name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0) {
		if (errno == ENOENT)
			snprintf(
				msg, msg_size,
				"no directory %s/%s: nothing written for VM %s (%s, pid %d); make it, owned by uid %u, to share its figures",
				s->dir, v->name, v->name, ga_vmm_name(v->vmm),
				v->pid, (unsigned int)v->uid);
		else
			snprintf(msg, msg_size,
				 "%s/%s: %s: nothing written for VM %s", s->dir,
				 v->name,
				 errno == ELOOP || errno == ENOTDIR ?
					 "not a directory" :
					 strerror(errno),
				 v->name);
		return false;
	}
	if (fstat(nfd, &st) || st.st_uid != v->uid) {
		snprintf(
			msg, msg_size,
			"%s/%s is owned by uid %u, not by uid %u that VM %s's VMM (%s, pid %d) runs as: nothing written",
			s->dir, v->name, (unsigned int)st.st_uid,
			(unsigned int)v->uid, v->name, ga_vmm_name(v->vmm),
			v->pid);
		close(nfd);
		return false;
	}
	gx_tree_write(s, t, nfd, policy, msg, msg_size);
	close(nfd);
	return !msg[0];
}

/* Take what the trees need from the counters, under the state's lock. */
static unsigned int gx_snapshot(struct gx_state *st, struct gx_vm_snap **out,
				struct gx_dom_snap *d, unsigned int *nd,
				char *policy, size_t policy_size)
{
	const struct ga_vms *vms;
	unsigned int i, j, n = 0, nv;
	struct gx_vm_snap *v;

	pthread_mutex_lock(&st->lock);
	vms = ga_wl_vms(st->wl);
	nv = ga_vms_count(vms);
	*nd = ga_nr_domains(st->g);
	if (*nd > GREENAI_MAX_DOMAINS)
		*nd = GREENAI_MAX_DOMAINS;
	for (i = 0; i < *nd; i++) {
		const struct greenai_domain *dom = ga_domain(st->g, i);

		snprintf(d[i].name, sizeof(d[i].name), "%s", dom->name);
		d[i].source = dom->source;
		d[i].estimated = dom->flags & GREENAI_F_ESTIMATED;
	}
	snprintf(policy, policy_size, "%s",
		 *nd ? ga_idle_share_name(
			       ga_domain_totals(st->g, 0)->idle.share) :
		       "none");
	v = calloc(nv ? nv : 1, sizeof(*v));
	for (i = 0; v && i < nv; i++) {
		const struct ga_vm_figs *f = ga_vms_at(vms, i);

		if (f->ended)
			continue;
		snprintf(v[n].name, sizeof(v[n].name), "%s", f->vm.name);
		v[n].flags = f->vm.flags;
		v[n].vmm = f->vm.vmm;
		v[n].pid = f->pid;
		v[n].uid = f->uid;
		for (j = 0; j < *nd; j++)
			v[n].uj[j] =
				f->energy[j].active_uj + f->energy[j].idle_uj;
		n++;
	}
	pthread_mutex_unlock(&st->lock);
	*out = v;
	return n;
}

/**
 * gx_vmshare_update() - every VM's tree, after a sample
 * @s: the tree's state
 * @st: the exporter's state (its lock is taken to read the counters)
 */
void gx_vmshare_update(struct gx_vmshare *s, struct gx_state *st)
{
	struct gx_dom_snap d[GREENAI_MAX_DOMAINS];
	char policy[32], msg[GX_VM_MSG_MAX], key[sizeof(s->said[0].key)];
	struct gx_vm_snap *v;
	unsigned int i, j, n, nd, keep;

	n = gx_snapshot(st, &v, d, &nd, policy, sizeof(policy));
	if (!v)
		return;
	for (i = 0; i < s->nr_said; i++)
		s->said[i].live = false;
	for (i = 0; i < s->nr_trees; i++)
		s->trees[i].live = false;
	for (i = 0; i < n; i++) {
		int other = 0;

		msg[0] = '\0';
		snprintf(key, sizeof(key), "VM %s (pid %d)", v[i].name,
			 v[i].pid);
		for (j = 0; j < n; j++)
			if (j != i && !strcmp(v[j].name, v[i].name))
				other = v[j].pid;
		if (!v[i].name[0])
			snprintf(
				msg, sizeof(msg),
				"a VM (%s, pid %d) has no name: nothing written",
				ga_vmm_name(v[i].vmm), v[i].pid);
		else if (!(v[i].flags & GA_VM_NAME_SHARE))
			snprintf(
				msg, sizeof(msg),
				"VM '%s' (%s, pid %d): not a name the tree takes ([A-Za-z0-9._-], 1 to %d bytes, not starting with '.'): nothing written",
				v[i].name, ga_vmm_name(v[i].vmm), v[i].pid,
				GA_VM_NAME_MAX);
		else if (other && gx_tree_find(s, v[i].name))
			gx_tree_find(s, v[i].name)->live = true; /* kept */
		if (other && !msg[0])
			snprintf(
				msg, sizeof(msg),
				"two VMs are named %s (pids %d and %d): nothing written for either",
				v[i].name, v[i].pid, other);
		else if (!msg[0])
			gx_vm_write(s, &v[i], d, nd, policy, msg, sizeof(msg));
		gx_say(s, key, msg);
	}
	/* the trees of VMs gone: a VM of that name starts a new one */
	for (i = keep = 0; i < s->nr_trees; i++)
		if (s->trees[i].live)
			s->trees[keep++] = s->trees[i];
	s->nr_trees = keep;
	for (i = keep = 0; i < s->nr_said; i++)
		if (s->said[i].live)
			s->said[keep++] = s->said[i];
	s->nr_said = keep;
	free(v);
}
