// SPDX-License-Identifier: GPL-2.0
/*
 * A container's name and its pod's, from the runtimes' and the kubelet's
 * files (wl_meta.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <greenai/files.h>

#include "ident/wl_meta.h"

#define GA_META_FILE_MAX	(1 << 20)
#define GA_META_JSON_DEPTH	32

/* The JSON object in @path, or NULL. */
static json_object *ga_meta_json(const char *path)
{
	struct json_tokener *tok;
	json_object *o = NULL;
	size_t len;
	char *buf;

	if (ga_read_file(path, GA_META_FILE_MAX, &buf, &len))
		return NULL;
	tok = json_tokener_new_ex(GA_META_JSON_DEPTH);
	if (tok) {
		o = json_tokener_parse_ex(tok, buf, (int)len);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	free(buf);
	return o;
}

/* Whether @s may be a Kubernetes name (or a docker one): no odd bytes. */
static bool ga_meta_name_ok(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > GA_META_NAME_MAX)
		return false;
	for (p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		      *p == '_'))
			return false;
	}
	return true;
}

/* @buf = @o[@key] when it is a good name and @buf is still empty. */
static void ga_meta_take(json_object *o, const char *key, char *buf)
{
	json_object *v;
	const char *s;

	if (buf[0] || !o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return;
	s = json_object_get_string(v);
	if (ga_meta_name_ok(s))
		snprintf(buf, GA_META_NAME_MAX + 1, "%s", s);
}

static json_object *ga_meta_member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_object) ? v : NULL;
}

/* An OCI bundle's config.json: the annotations of containerd or CRI-O. */
static void ga_meta_oci(const char *path, struct ga_wl_meta *m)
{
	json_object *o = ga_meta_json(path), *a;

	if (!o)
		return;
	a = ga_meta_member(o, "annotations");
	ga_meta_take(a, "io.kubernetes.cri.container-name", m->container_name);
	ga_meta_take(a, "io.kubernetes.cri.sandbox-name", m->pod_name);
	ga_meta_take(a, "io.kubernetes.cri.sandbox-namespace",
		     m->pod_namespace);
	ga_meta_take(a, "io.kubernetes.container.name", m->container_name);
	ga_meta_take(a, "io.kubernetes.pod.name", m->pod_name);
	ga_meta_take(a, "io.kubernetes.pod.namespace", m->pod_namespace);
	json_object_put(o);
}

static void ga_meta_docker(const char *path, struct ga_wl_meta *m)
{
	json_object *o = ga_meta_json(path), *l, *v;

	if (!o)
		return;
	l = ga_meta_member(ga_meta_member(o, "Config"), "Labels");
	ga_meta_take(l, "io.kubernetes.container.name", m->container_name);
	ga_meta_take(l, "io.kubernetes.pod.name", m->pod_name);
	ga_meta_take(l, "io.kubernetes.pod.namespace", m->pod_namespace);
	if (!m->container_name[0] && json_object_object_get_ex(o, "Name", &v) &&
	    json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (*s == '/' && ga_meta_name_ok(s + 1))
			snprintf(m->container_name, sizeof(m->container_name),
				 "%s", s + 1);
	}
	json_object_put(o);
}

/* var/log/pods/<namespace>_<name>_<uid>: the pod of @uid. */
static void ga_meta_kubelet(const char *root, const char *uid,
			    struct ga_wl_meta *m)
{
	char path[GA_PATH_MAX], ns[GA_META_NAME_MAX + 1];
	char name[GA_META_NAME_MAX + 1];
	size_t n = strlen(uid), len;
	struct dirent *de;
	const char *a, *b;
	DIR *d;

	if (ga_path(path, sizeof(path), root, "var/log/pods"))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len <= n + 1 || de->d_name[len - n - 1] != '_' ||
		    strcmp(de->d_name + len - n, uid))
			continue;
		/* namespaces have no '_'; a pod's name has none either */
		a = strchr(de->d_name, '_');
		b = de->d_name + len - n - 1;
		if (a == b || (size_t)(a - de->d_name) > GA_META_NAME_MAX ||
		    (size_t)(b - a - 1) > GA_META_NAME_MAX)
			continue;
		snprintf(ns, sizeof(ns), "%.*s", (int)(a - de->d_name),
			 de->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)(b - a - 1), a + 1);
		if (ga_meta_name_ok(ns) && ga_meta_name_ok(name)) {
			snprintf(m->pod_namespace, sizeof(m->pod_namespace),
				 "%s", ns);
			snprintf(m->pod_name, sizeof(m->pod_name), "%s", name);
		}
		break;
	}
	closedir(d);
}

/**
 * ga_wl_meta_read() - the names of a container and its pod
 * @root: where the node's files are ("/")
 * @ct: the container, from its cgroup path
 * @out: the names found; "" for each not found
 */
void ga_wl_meta_read(const char *root, const struct ga_container *ct,
		     struct ga_wl_meta *out)
{
	static const char *const ctrd_ns[] = { "k8s.io", "moby", "default" };
	char path[GA_PATH_MAX];
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (ct->id[0]) {
		for (i = 0; i < sizeof(ctrd_ns) / sizeof(ctrd_ns[0]); i++) {
			if (!ga_path(path, sizeof(path), root,
				     "run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
				     ctrd_ns[i], ct->id))
				ga_meta_oci(path, out);
		}
		if (!ga_path(path, sizeof(path), root,
			     "run/containers/storage/overlay-containers/%s/userdata/config.json",
			     ct->id))
			ga_meta_oci(path, out);
		if (!ga_path(path, sizeof(path), root,
			     "var/lib/containers/storage/overlay-containers/%s/userdata/config.json",
			     ct->id))
			ga_meta_oci(path, out);
		if (!ga_path(path, sizeof(path), root,
			     "var/lib/docker/containers/%s/config.v2.json",
			     ct->id))
			ga_meta_docker(path, out);
	}
	if (ct->pod_uid[0] && (!out->pod_name[0] || !out->pod_namespace[0]))
		ga_meta_kubelet(root, ct->pod_uid, out);
	if (ct->name[0] && !out->container_name[0])
		snprintf(out->container_name, sizeof(out->container_name),
			 "%s", ct->name);
}
