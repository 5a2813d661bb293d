// SPDX-License-Identifier: GPL-2.0
/*
 * Container, pod and systemd unit from a cgroup path (container.h).
 *
 * Rules: a pure function of its input, no I/O, no allocation, no state:
 * the path is read once, left to right, one component at a time, and
 * nothing is copied until the whole path has been accepted. Every length
 * is checked before it is used; a path this code does not understand is
 * "none", never an error of its caller's making, never a crash.
 *
 * Names are matched whole, with the runtime's exact prefix and suffix, and
 * ids by their exact length and alphabet: a runtime is named only when the
 * path says so (a bare id under a pod does not say which CRI runtime made
 * it: that is GA_RT_KUBEPODS).
 *
 * Names are also taken only where the runtimes put them, under cgroups
 * only root makes: a container at the top of the tree or in its runtime's
 * slice (system.slice, machine.slice, /docker, /lxc, /libpod_parent, a
 * containerd namespace), a pod under kubepods or kubepods.slice at the
 * top (kubelet.slice in a kind node), anything inside a container so
 * found (its root's), and anything in a user's systemd instance
 * (/user.slice/user-UID.slice/user@UID.service: rootless, with that UID
 * as its owner). The same names elsewhere (a subtree delegated to a user
 * or a service) are not a container: whoever owns the subtree chose them.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <greenai/container.h>
#include <greenai/files.h>

/* A component of the path: not NUL-terminated. */
struct comp {
	const char *s;
	size_t len;
};

/* What is known of the Kubernetes pod since the last container. */
struct kube {
	bool in; /* under a kubepods cgroup */
	enum ga_qos qos;
	struct comp pod; /* the UID as written, s == NULL if none */
};

/* A component that names a container. */
struct hit {
	enum ga_runtime runtime;
	unsigned int flags;
	struct comp id; /* 64 hex digits, or s == NULL */
	struct comp name; /* LXC */
	struct kube kube; /* the pod it belongs to */
};

struct parse {
	struct comp parent, grandparent;
	struct comp top; /* the first component (v1 controller dirs left out) */
	unsigned int depth; /* of the component being scanned; top is 0 */
	struct kube kube;
	bool user_service; /* under /user.slice/user-UID.slice/user@UID.service */
	unsigned int uid; /* its UID */
	struct comp unit;
	struct hit outer, inner;
	unsigned int nr_hits;
};

/* Runtimes that name a container's cgroup <prefix><id><suffix>. */
static const struct {
	const char *prefix;
	const char *suffix;
	enum ga_runtime runtime;
	unsigned int flags;
} named_layouts[] = {
	{ "docker-", ".scope", GA_RT_DOCKER, 0 },
	{ "cri-containerd-", ".scope", GA_RT_CONTAINERD, GA_CT_CRI },
	{ "nerdctl-", ".scope", GA_RT_CONTAINERD, 0 },
	{ "crio-conmon-", ".scope", GA_RT_CRIO, GA_CT_CONMON },
	{ "crio-", ".scope", GA_RT_CRIO, 0 },
	{ "crio-", "", GA_RT_CRIO, 0 },
	{ "libpod-conmon-", ".scope", GA_RT_PODMAN, GA_CT_CONMON },
	{ "libpod-", ".scope", GA_RT_PODMAN, 0 },
	{ "libpod-conmon-", "", GA_RT_PODMAN, GA_CT_CONMON },
	{ "libpod-payload-", "", GA_RT_PODMAN, 0 },
	{ "libpod-", "", GA_RT_PODMAN, 0 },
};

/*
 * runc's "slice:prefix:id" cgroupsPath, seen as a cgroup name when the
 * kubelet uses the systemd driver and the runtime cgroupfs.
 */
static const struct {
	const char *prefix;
	enum ga_runtime runtime;
	unsigned int flags;
} colon_layouts[] = {
	{ "cri-containerd", GA_RT_CONTAINERD, GA_CT_CRI },
	{ "crio", GA_RT_CRIO, 0 },
	{ "docker", GA_RT_DOCKER, 0 },
};

static const char *const runtime_names[GA_RT_NR] = {
	[GA_RT_NONE] = "none",
	[GA_RT_DOCKER] = "docker",
	[GA_RT_CONTAINERD] = "containerd",
	[GA_RT_CRIO] = "cri-o",
	[GA_RT_PODMAN] = "podman",
	[GA_RT_LXC] = "lxc",
	[GA_RT_KUBEPODS] = "kubepods",
	[GA_RT_SYSTEMD] = "systemd",
	[GA_RT_UNKNOWN] = "unknown",
};

static const char *const qos_names[GA_QOS_NR] = {
	[GA_QOS_NONE] = "",
	[GA_QOS_GUARANTEED] = "guaranteed",
	[GA_QOS_BURSTABLE] = "burstable",
	[GA_QOS_BESTEFFORT] = "besteffort",
};

static bool comp_eq(struct comp c, const char *s)
{
	size_t n = strlen(s);

	return c.len == n && !memcmp(c.s, s, n);
}

static bool comp_has_prefix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.len >= n && !memcmp(c.s, p, n);
}

static bool comp_has_suffix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.len >= n && !memcmp(c.s + c.len - n, p, n);
}

/* @c without its first @head and last @tail bytes; the caller checks. */
static struct comp comp_trim(struct comp c, size_t head, size_t tail)
{
	struct comp r = { c.s + head, c.len - head - tail };

	return r;
}

static bool is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/**
 * ga_container_id_valid() - whether a string is a full container id
 * @s: the string, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: true when @s is exactly 64 lower-case hex digits, the form
 * docker, containerd, CRI-O and podman all use.
 */
bool ga_container_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len != GA_CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/*
 * A pod UID: a UUID, with '-' or, in systemd slice names, '_' between its
 * groups, or the 32 hex digits of a static pod's hash.
 */
static bool pod_uid_valid(struct comp c)
{
	size_t i;

	if (c.len == 32) {
		for (i = 0; i < c.len; i++)
			if (!is_lower_hex(c.s[i]))
				return false;
		return true;
	}
	if (c.len != GA_POD_UID_LEN)
		return false;
	for (i = 0; i < c.len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c.s[i] != '-' && c.s[i] != '_')
				return false;
		} else if (!is_lower_hex(c.s[i])) {
			return false;
		}
	}
	return true;
}

/* An LXC container name: what lxc-create accepts, bounded. */
static bool lxc_name_valid(struct comp c)
{
	size_t i;

	if (c.len == 0 || c.len > GA_CONTAINER_NAME_MAX)
		return false;
	for (i = 0; i < c.len; i++) {
		char ch = c.s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		      ch == '.'))
			return false;
	}
	return true;
}

/*
 * "user@1000.service" where systemd puts it, /user.slice/user-1000.slice/:
 * a user's systemd instance, home of rootless runtimes. @uid its UID.
 */
static bool is_user_service(const struct parse *p, struct comp c,
			    unsigned int *uid)
{
	unsigned long v = 0;
	size_t i;

	if (p->depth != 2 || !comp_eq(p->top, "user.slice") ||
	    !comp_has_prefix(c, "user@") || !comp_has_suffix(c, ".service"))
		return false;
	c = comp_trim(c, 5, 8);
	if (c.len == 0 || c.len > 10)
		return false;
	for (i = 0; i < c.len; i++) {
		if (c.s[i] < '0' || c.s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(c.s[i] - '0');
	}
	/* its slice names the same user */
	if (p->parent.len != c.len + 11 || memcmp(p->parent.s, "user-", 5) ||
	    memcmp(p->parent.s + 5, c.s, c.len) || v > UINT_MAX)
		return false;
	*uid = (unsigned int)v;
	return true;
}

/*
 * Whether what is scanned now is somewhere only root (or, for a user's
 * instance, that user) makes cgroups of its own accord: in a container
 * already found, or in a user's systemd instance (rootless).
 */
static bool in_owned(const struct parse *p)
{
	return p->nr_hits || p->user_service;
}

/* Whether the component scanned is at depth @depth below top @top. */
static bool at(const struct parse *p, unsigned int depth, const char *top)
{
	return p->depth == depth && (!top || comp_eq(p->top, top));
}

/* Where the kubelet makes kubepods: at the top, kubelet.slice in kind. */
static bool kube_root_ok(const struct parse *p)
{
	return in_owned(p) || p->depth == 0 || at(p, 1, "kubelet.slice");
}

/* A "pod<uid>" name, cgroupfs or slice form: the UID, or s == NULL. */
static struct comp pod_of(struct comp c)
{
	struct comp none = { NULL, 0 };

	if (!comp_has_prefix(c, "pod"))
		return none;
	c = comp_trim(c, 3, 0);
	return pod_uid_valid(c) ? c : none;
}

static void note_qos(struct kube *k, struct comp word)
{
	if (comp_eq(word, "burstable"))
		k->qos = GA_QOS_BURSTABLE;
	else if (comp_eq(word, "besteffort"))
		k->qos = GA_QOS_BESTEFFORT;
}

/*
 * A systemd slice name without ".slice": dash-separated words, each slice
 * named after its parent. The kubelet's are kubepods, kubepods-<qos>,
 * kubepods[-<qos>]-pod<uid>, with "kubelet-" in front in kind's nodes.
 */
static void scan_slice(struct parse *p, struct comp name)
{
	struct comp word = { name.s, 0 };
	bool kube = false;
	size_t i;

	for (i = 0; i <= name.len; i++) {
		if (i < name.len && name.s[i] != '-') {
			word.len++;
			continue;
		}
		if (comp_eq(word, "kubepods"))
			kube = true;
		else if (kube)
			note_qos(&p->kube, word);
		if (kube && i == name.len && pod_of(word).s)
			p->kube.pod = pod_of(word);
		word.s = name.s + i + 1;
		word.len = 0;
	}
	if (kube)
		p->kube.in = true;
}

/* A slice name, taken as the kubelet's only where the kubelet makes them. */
static void scan_slice_at(struct parse *p, struct comp name)
{
	if (p->kube.in || kube_root_ok(p))
		scan_slice(p, name);
}

/* The cgroupfs kubelet's names: kubepods, <qos>, pod<uid>. */
static void scan_kubepods(struct parse *p, struct comp c)
{
	if (comp_eq(c, "kubepods")) {
		if (p->kube.in || kube_root_ok(p))
			p->kube.in = true;
		return;
	}
	if (!p->kube.in || p->kube.pod.s)
		return;
	note_qos(&p->kube, c);
	if (pod_of(c).s)
		p->kube.pod = pod_of(c);
}

static void add_hit(struct parse *p, enum ga_runtime rt, unsigned int flags,
		    struct comp id, struct comp name)
{
	struct hit h = { .runtime = rt,
			 .flags = flags,
			 .id = id,
			 .name = name,
			 .kube = p->kube };

	if (h.kube.in && h.kube.pod.s)
		h.flags |= GA_CT_CRI;
	if (p->user_service && !p->nr_hits)
		h.flags |= GA_CT_ROOTLESS;
	else if (p->nr_hits)
		h.flags |= p->outer.flags & GA_CT_ROOTLESS;
	if (p->nr_hits++ == 0)
		p->outer = h;
	p->inner = h;
	memset(&p->kube, 0, sizeof(p->kube));
}

/*
 * Where a runtime's named cgroup may be: a scope in system.slice or
 * machine.slice at the top, or in one of podman's pods there
 * (machine.slice/machine-libpod_pod_<id>.slice), in a kube pod, in a
 * container or a user's instance; a bare name (cgroupfs driver) in a pod
 * or /libpod_parent.
 */
static bool named_at_home(const struct parse *p, size_t suffix_len)
{
	if (in_owned(p) || (p->kube.in && p->kube.pod.s))
		return true;
	if (suffix_len)
		return at(p, 1, "system.slice") || at(p, 1, "machine.slice") ||
		       (at(p, 2, "machine.slice") &&
			comp_has_prefix(p->parent, "machine-libpod_pod_") &&
			comp_has_suffix(p->parent, ".slice"));
	return at(p, 1, "libpod_parent") || at(p, 1, "machine.slice");
}

static bool scan_named(struct parse *p, struct comp c)
{
	struct comp none = { NULL, 0 };
	size_t i;

	for (i = 0; i < sizeof(named_layouts) / sizeof(named_layouts[0]); i++) {
		size_t pre = strlen(named_layouts[i].prefix);
		size_t suf = strlen(named_layouts[i].suffix);
		struct comp id;

		if (c.len != pre + GA_CONTAINER_ID_LEN + suf ||
		    !comp_has_prefix(c, named_layouts[i].prefix) ||
		    !comp_has_suffix(c, named_layouts[i].suffix))
			continue;
		id = comp_trim(c, pre, suf);
		if (!ga_container_id_valid(id.s, id.len))
			continue;
		if (!named_at_home(p, suf))
			return false;
		add_hit(p, named_layouts[i].runtime, named_layouts[i].flags, id,
			none);
		return true;
	}
	return false;
}

/* The services of the runtimes, where runc may name a cgroup slice:prefix:id. */
static bool runtime_service(struct comp c)
{
	static const char *const svc[] = {
		"containerd.service", "crio.service", "docker.service",
		"cri-docker.service", "k3s.service",  "k3s-agent.service",
	};
	size_t i;

	for (i = 0; i < sizeof(svc) / sizeof(svc[0]); i++)
		if (comp_eq(c, svc[i]))
			return true;
	return false;
}

/* "kubepods-burstable-pod<uid>.slice:cri-containerd:<id>" */
static bool scan_colon(struct parse *p, struct comp c)
{
	const char *c1 = memchr(c.s, ':', c.len), *c2;
	struct comp slice, prefix, id, none = { NULL, 0 };
	size_t i;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', c.s + c.len - (c1 + 1));
	if (!c2)
		return false;
	slice = (struct comp){ c.s, c1 - c.s };
	prefix = (struct comp){ c1 + 1, c2 - c1 - 1 };
	id = (struct comp){ c2 + 1, c.s + c.len - c2 - 1 };
	if (!ga_container_id_valid(id.s, id.len))
		return false;
	/* runc's name, in the runtime's service: /system.slice/X.service/ */
	if (!in_owned(p) &&
	    !(at(p, 2, "system.slice") && runtime_service(p->parent)))
		return false;
	for (i = 0; i < sizeof(colon_layouts) / sizeof(colon_layouts[0]); i++) {
		if (!comp_eq(prefix, colon_layouts[i].prefix))
			continue;
		if (comp_has_suffix(slice, ".slice"))
			scan_slice(p, comp_trim(slice, 0, 6));
		add_hit(p, colon_layouts[i].runtime, colon_layouts[i].flags, id,
			none);
		return true;
	}
	return false;
}

/* A bare id: its parent says whose it is, if anything does. */
static bool scan_bare(struct parse *p, struct comp c)
{
	struct comp none = { NULL, 0 };
	enum ga_runtime rt = GA_RT_UNKNOWN;

	if (!ga_container_id_valid(c.s, c.len))
		return false;
	if (comp_eq(p->parent, "docker") && (in_owned(p) || p->depth == 1))
		rt = GA_RT_DOCKER;
	else if (p->kube.in && p->kube.pod.s && pod_of(p->parent).s)
		rt = GA_RT_KUBEPODS;
	else if (comp_eq(p->grandparent, "ecs") &&
		 (in_owned(p) || p->depth == 2))
		rt = GA_RT_DOCKER; /* /ecs/<task>/<id> */
	else if (comp_eq(p->parent, "default") &&
		 (in_owned(p) || p->depth == 1))
		rt = GA_RT_CONTAINERD; /* /<namespace>/<id> */
	else if (!in_owned(p) && p->depth != 1)
		return false; /* an id in someone's subtree: theirs to name */
	add_hit(p, rt, 0, c, none);
	return true;
}

static bool scan_lxc(struct parse *p, struct comp c)
{
	struct comp none = { NULL, 0 }, name;

	if (!in_owned(p) && p->depth > (comp_eq(p->parent, "lxc") ? 1u : 0u))
		return false;
	if (comp_eq(p->parent, "lxc") && lxc_name_valid(c)) {
		add_hit(p, GA_RT_LXC, 0, none, c);
		return true;
	}
	if (comp_has_prefix(c, "lxc.payload.")) {
		name = comp_trim(c, 12, 0);
		if (lxc_name_valid(name)) {
			add_hit(p, GA_RT_LXC, 0, none, name);
			return true;
		}
	}
	if (comp_has_prefix(c, "lxc.monitor.")) {
		name = comp_trim(c, 12, 0);
		if (lxc_name_valid(name)) {
			add_hit(p, GA_RT_LXC, GA_CT_CONMON, none, name);
			return true;
		}
	}
	return false;
}

static void scan_component(struct parse *p, struct comp c)
{
	if (comp_has_suffix(c, ".service") || comp_has_suffix(c, ".scope"))
		p->unit = c;
	if (!p->user_service && is_user_service(p, c, &p->uid))
		p->user_service = true;
	if (scan_lxc(p, c) || scan_named(p, c) || scan_colon(p, c) ||
	    scan_bare(p, c))
		return;
	if (comp_has_suffix(c, ".slice"))
		scan_slice_at(p, comp_trim(c, 0, 6));
	else
		scan_kubepods(p, c);
}

/* A canonical component: not empty, ".", "..", too long or with controls. */
static bool comp_valid(struct comp c)
{
	size_t i;

	if (c.len == 0 || c.len > NAME_MAX || comp_eq(c, ".") ||
	    comp_eq(c, ".."))
		return false;
	for (i = 0; i < c.len; i++) {
		unsigned char ch = c.s[i];

		if (ch < 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

/*
 * The length of @path's v1 controller directory, /sys/fs/cgroup/<ctl>,
 * left out of the walk (the tree starts below it); 0 when there is none.
 */
static size_t v1_prefix_len(const char *path, size_t n)
{
	static const char *const ctl[] = {
		"cpu",	   "cpuacct",	 "cpuset",  "memory",
		"devices", "freezer",	 "net_cls", "net_prio",
		"blkio",   "perf_event", "hugetlb", "pids",
		"rdma",	   "misc",	 "systemd", "unified",
	};
	static const char head[] = "/sys/fs/cgroup/";
	const size_t hl = sizeof(head) - 1;
	struct comp c;
	const char *end;
	size_t i;

	if (n <= hl || memcmp(path, head, hl))
		return 0;
	end = memchr(path + hl, '/', n - hl);
	c = (struct comp){ path + hl, (end ? end : path + n) - (path + hl) };
	if (!comp_valid(c))
		return 0;
	for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		if (comp_eq(c, ctl[i]))
			break;
	if (i == sizeof(ctl) / sizeof(ctl[0]) && !memchr(c.s, ',', c.len) &&
	    !comp_has_prefix(c, "name="))
		return 0;
	return hl + c.len;
}

static void copy_comp(char *dst, size_t size, struct comp c)
{
	size_t n = c.len < size - 1 ? c.len : size - 1;

	if (!c.s)
		n = 0; /* memcpy() from NULL is undefined, even of 0 bytes */
	else
		memcpy(dst, c.s, n);
	dst[n] = '\0';
}

static void set_id(struct ga_container *c, struct comp id)
{
	if (!id.s)
		return;
	copy_comp(c->id, sizeof(c->id), id);
	copy_comp(c->short_id, sizeof(c->short_id), id);
}

static void set_kube(struct ga_container *c, const struct kube *k)
{
	size_t i;

	if (!k->in)
		return;
	c->qos = k->qos;
	if (!k->pod.s)
		return;
	if (c->qos == GA_QOS_NONE)
		c->qos = GA_QOS_GUARANTEED;
	copy_comp(c->pod_uid, sizeof(c->pod_uid), k->pod);
	for (i = 0; c->pod_uid[i]; i++)
		if (c->pod_uid[i] == '_')
			c->pod_uid[i] = '-';
}

static void fill(struct ga_container *c, const struct parse *p)
{
	const struct hit *h = &p->inner;

	copy_comp(c->unit, sizeof(c->unit), p->unit);
	if (p->kube.in) {
		/* a pod's (or QoS class's) own cgroup, no container below */
		c->runtime = GA_RT_KUBEPODS;
		set_kube(c, &p->kube);
		if (p->kube.pod.s)
			c->flags |= GA_CT_CRI;
		if (p->user_service)
			c->flags |= GA_CT_ROOTLESS;
		if (c->flags & GA_CT_ROOTLESS)
			c->owner_uid = p->uid;
		if (p->nr_hits) {
			c->flags |= GA_CT_NESTED;
			c->outer_runtime = p->outer.runtime;
			copy_comp(c->outer_id, sizeof(c->outer_id),
				  p->outer.id);
		}
		return;
	}
	if (!p->nr_hits) {
		c->runtime = p->unit.s ? GA_RT_SYSTEMD : GA_RT_NONE;
		return;
	}
	c->runtime = h->runtime;
	c->flags = h->flags;
	if (c->flags & GA_CT_ROOTLESS)
		c->owner_uid = p->uid;
	set_id(c, h->id);
	copy_comp(c->name, sizeof(c->name), h->name);
	set_kube(c, &h->kube);
	if (p->nr_hits > 1) {
		c->flags |= GA_CT_NESTED;
		c->outer_runtime = p->outer.runtime;
		copy_comp(c->outer_id, sizeof(c->outer_id), p->outer.id);
	}
}

/**
 * ga_container_parse() - the container, pod and unit a cgroup path names
 * @path: an absolute cgroup path ("/system.slice/docker-<id>.scope"), or
 *	the path of a cgroup directory
 * @c: the result; always written, runtime GA_RT_NONE on error
 *
 * Return: 0 (GA_RT_NONE included: a path of no container), -EINVAL when
 * @path is not canonical (see container.h), -ENAMETOOLONG when it is
 * GA_PATH_MAX bytes or longer.
 */
int ga_container_parse(const char *path, struct ga_container *c)
{
	struct parse p;
	size_t n, i, start;

	memset(c, 0, sizeof(*c));
	if (!path)
		return -EINVAL;
	n = strnlen(path, GA_PATH_MAX);
	if (n == GA_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/')
		return -EINVAL;
	if (n == 1)
		return 0;

	memset(&p, 0, sizeof(p));
	start = v1_prefix_len(path, n) + 1;
	for (i = start; i <= n; i++) {
		struct comp comp = { path + start, i - start };

		if (i < n && path[i] != '/')
			continue;
		if (!comp_valid(comp))
			return -EINVAL;
		if (!p.depth)
			p.top = comp;
		scan_component(&p, comp);
		p.grandparent = p.parent;
		p.parent = comp;
		p.depth++;
		start = i + 1;
	}
	fill(c, &p);
	return 0;
}

/**
 * ga_runtime_name() - the name of a runtime, as greenai prints it
 * @rt: the runtime
 *
 * Return: "docker", "containerd", "cri-o", ..., "none"; "?" if unknown.
 */
const char *ga_runtime_name(enum ga_runtime rt)
{
	if ((unsigned int)rt >= GA_RT_NR)
		return "?";
	return runtime_names[rt];
}

/**
 * ga_qos_name() - the name of a Kubernetes QoS class
 * @qos: the class
 *
 * Return: "guaranteed", "burstable", "besteffort", "" for none, "?" if
 * unknown.
 */
const char *ga_qos_name(enum ga_qos qos)
{
	if ((unsigned int)qos >= GA_QOS_NR)
		return "?";
	return qos_names[qos];
}
