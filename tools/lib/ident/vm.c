// SPDX-License-Identifier: GPL-2.0
/*
 * Which virtual machine a process is part of (vm.h): a libvirt domain's
 * scope in its cgroup path, or a VMM's command line.
 *
 * Rules: every input is untrusted (anyone may start a process called
 * qemu-system-x86_64 with any -name); nothing is read past the length
 * given, every copy is bounded, and a name is shown escaped. What does
 * not parse is no VM, never an error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greenai/cgroup.h>
#include <greenai/identity.h>
#include <greenai/vm.h>

#define VM_CMDLINE_MAX \
	(64 * 1024) /* of a VMM's argv read: libvirt's are long */

static const char *const vmm_names[GA_VMM_NR] = {
	[GA_VMM_NONE] = "none",
	[GA_VMM_LIBVIRT] = "libvirt",
	[GA_VMM_QEMU] = "qemu",
	[GA_VMM_FIRECRACKER] = "firecracker",
	[GA_VMM_CLOUD_HYPERVISOR] = "cloud-hypervisor",
};

/**
 * ga_vmm_name() - a VMM's name, as greenai prints it
 * @vmm: the VMM
 *
 * Return: "libvirt", "qemu", "firecracker", "cloud-hypervisor", "none";
 * "?" if unknown.
 */
const char *ga_vmm_name(enum ga_vmm vmm)
{
	if ((unsigned int)vmm >= GA_VMM_NR)
		return "?";
	return vmm_names[vmm];
}

/**
 * ga_vm_name_valid() - whether a VM's name may name its hand-over tree
 * @s: the name, not necessarily NUL-terminated
 * @len: its length
 *
 * Return: true when @s is 1 to GA_VM_NAME_MAX bytes of [A-Za-z0-9._-]
 * and does not start with '.' (so neither "." nor ".." nor a hidden name).
 */
bool ga_vm_name_valid(const char *s, size_t len)
{
	size_t i;

	if (!s || len == 0 || len > GA_VM_NAME_MAX || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* @vm's name from @len bytes at @s: escaped for showing, flagged. */
static void set_name(struct ga_vm *vm, const char *s, size_t len)
{
	if (ga_escape(vm->name, sizeof(vm->name), s, len))
		vm->flags |= GA_VM_NAME_CUT;
	if (ga_vm_name_valid(s, len))
		vm->flags |= GA_VM_NAME_SHARE;
	else
		vm->flags &= ~GA_VM_NAME_SHARE;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * systemd's unit name escaping undone ("\x2d" is '-'), into @out of
 * @size bytes. Return: the length, or -1 when it does not fit or a
 * "\x" is not followed by two hex digits.
 */
static int unescape_unit(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\') {
			int hi, lo;

			if (i + 3 >= len || s[i + 1] != 'x')
				return -1;
			hi = hex_digit(s[i + 2]);
			lo = hex_digit(s[i + 3]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 3;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

/*
 * A libvirt machine scope's name: "machine-" and the escaped machine
 * name "qemu-ID-NAME" (libvirt's), ".scope"; @vm named NAME.
 */
static bool libvirt_scope(const char *c, size_t len, struct ga_vm *vm)
{
	static const char pre[] = "machine-", suf[] = ".scope";
	const size_t pl = sizeof(pre) - 1, sl = sizeof(suf) - 1;
	char un[256];
	const char *p;
	int n;

	if (len <= pl + sl || memcmp(c, pre, pl) ||
	    memcmp(c + len - sl, suf, sl))
		return false;
	n = unescape_unit(c + pl, len - pl - sl, un, sizeof(un));
	if (n < 0 || strncmp(un, "qemu-", 5))
		return false;
	/* the domain's id: decimal digits, then '-' */
	p = un + 5;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '-' || !p[1])
		return false;
	p++;
	set_name(vm, p, (size_t)n - (size_t)(p - un));
	return true;
}

/**
 * ga_vm_from_cgroup() - the libvirt domain a cgroup path is in
 * @path: a cgroup path from the cgroup2 root ("/machine.slice/machine-
 *	qemu\x2d1\x2dweb.scope/libvirt/vcpu0"), or a v1 one below its
 *	controller's directory
 * @vm: the result; always written, GA_VMM_NONE when none
 *
 * The scope is taken only where systemd-machined makes it, directly in
 * /machine.slice at the top (or in a slice below it, machine-*.slice):
 * the same name in a subtree some user was given is not a VM.
 *
 * Return: 0 (none included), -EINVAL when @path is not absolute.
 */
int ga_vm_from_cgroup(const char *path, struct ga_vm *vm)
{
	const char *c, *end;
	unsigned int depth = 0;
	size_t n;

	memset(vm, 0, sizeof(*vm));
	if (!path || path[0] != '/')
		return -EINVAL;
	n = strnlen(path, GA_PATH_MAX);
	if (n == GA_PATH_MAX)
		return -ENAMETOOLONG;
	for (c = path + 1; c < path + n; c = end + 1, depth++) {
		size_t len;

		end = memchr(c, '/', path + n - c);
		if (!end)
			end = path + n;
		len = (size_t)(end - c);
		if (depth == 0) {
			if (len != 13 || memcmp(c, "machine.slice", 13))
				return 0;
			continue;
		}
		if (libvirt_scope(c, len, vm)) {
			vm->vmm = GA_VMM_LIBVIRT;
			if ((size_t)(end - path) >= sizeof(vm->scope)) {
				memset(vm, 0, sizeof(*vm));
				return 0;
			}
			memcpy(vm->scope, path, (size_t)(end - path));
			vm->scope[end - path] = '\0';
			return 0;
		}
		/* only machine-*.slice between machine.slice and a scope */
		if (len < 14 || memcmp(c, "machine-", 8) ||
		    memcmp(c + len - 6, ".slice", 6))
			return 0;
	}
	return 0;
}

/* argv's words: each NUL-terminated within @len (the last may not be). */
struct words {
	const char *p, *end;
};

static bool next_word(struct words *w, const char **s, size_t *len)
{
	const char *z;

	if (w->p >= w->end)
		return false;
	z = memchr(w->p, '\0', w->end - w->p);
	*s = w->p;
	*len = (size_t)((z ? z : w->end) - w->p);
	w->p = z ? z + 1 : w->end;
	return true;
}

static bool word_eq(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && !memcmp(s, lit, len);
}

static bool word_prefix(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(s, lit, n);
}

/* The last component of argv[0]. */
static void base_name(const char **s, size_t *len)
{
	const char *slash = NULL, *p;

	for (p = *s; p < *s + *len; p++)
		if (*p == '/')
			slash = p;
	if (slash) {
		*len -= (size_t)(slash + 1 - *s);
		*s = slash + 1;
	}
}

static enum ga_vmm vmm_of(const char *s, size_t len)
{
	base_name(&s, &len);
	if (word_prefix(s, len, "qemu-system-") && len > 12)
		return GA_VMM_QEMU;
	if (word_eq(s, len, "qemu-kvm") || word_eq(s, len, "kvm"))
		return GA_VMM_QEMU;
	if (word_eq(s, len, "firecracker"))
		return GA_VMM_FIRECRACKER;
	if (word_eq(s, len, "cloud-hypervisor"))
		return GA_VMM_CLOUD_HYPERVISOR;
	return GA_VMM_NONE;
}

/*
 * An element of a QEMU option value: up to a ',' that is not ",,", with
 * ",," made ','. Return: false at the end.
 */
static bool qemu_elem(const char **p, const char *end, char *out, size_t size,
		      size_t *olen)
{
	const char *s = *p;
	size_t o = 0;

	if (s > end)
		return false;
	while (s < end) {
		if (*s == ',') {
			if (s + 1 < end && s[1] == ',') {
				s++;
			} else {
				break;
			}
		}
		if (o + 1 < size)
			out[o++] = *s;
		else
			o = size; /* too long: marked */
		s++;
	}
	*p = s + 1;
	if (o >= size)
		o = size - 1;
	out[o] = '\0';
	*olen = o;
	return true;
}

/* QEMU's -name value: "NAME[,...]" or "guest=NAME,..." in any place. */
static bool qemu_name(const char *v, size_t len, struct ga_vm *vm)
{
	char el[GA_VM_NAME_SHOWN_MAX + 8];
	const char *p = v, *end = v + len;
	size_t n;
	bool first = true;

	while (qemu_elem(&p, end, el, sizeof(el), &n)) {
		if (first && !memchr(el, '=', n)) {
			set_name(vm, el, n);
			return true;
		}
		first = false;
		if (!strncmp(el, "guest=", 6)) {
			set_name(vm, el + 6, n - 6);
			return true;
		}
	}
	return false;
}

/* Cloud Hypervisor's --api-socket value: "path=P,..." or "P". */
static bool ch_name(const char *v, size_t len, struct ga_vm *vm)
{
	const char *p = v, *end = v + len, *comma;
	size_t n;

	if (word_prefix(v, len, "fd="))
		return false;
	if (word_prefix(v, len, "path=")) {
		p += 5;
		comma = memchr(p, ',', end - p);
		if (comma)
			end = comma;
	}
	n = (size_t)(end - p);
	base_name(&p, &n);
	if (n > 7 && !memcmp(p + n - 7, "-socket", 7))
		n -= 7;
	else if (n > 5 && !memcmp(p + n - 5, ".sock", 5))
		n -= 5;
	if (!n)
		return false;
	set_name(vm, p, n);
	return true;
}

/*
 * An option's value: "OPT VALUE" (the next word), or "OPT=VALUE" for
 * those that take it so (@eq_ok: Firecracker's and Cloud Hypervisor's).
 */
static bool opt_value(struct words *w, const char *s, size_t len,
		      const char *opt, bool eq_ok, const char **v, size_t *vlen)
{
	size_t n = strlen(opt);

	if (word_eq(s, len, opt))
		return next_word(w, v, vlen);
	if (eq_ok && len > n && !memcmp(s, opt, n) && s[n] == '=') {
		*v = s + n + 1;
		*vlen = len - n - 1;
		return true;
	}
	return false;
}

/**
 * ga_vm_from_argv() - the VM a command line starts
 * @argv: the command line as /proc/PID/cmdline has it (NUL-separated)
 * @len: its length
 * @vm: the result; always written, GA_VMM_NONE when it is no VMM's
 *
 * The VMM is known by argv[0]'s last component; its name by its option
 * (vm.h). The last such option counts, as it does for the VMM. A VMM
 * with no name (QEMU without -name, Cloud Hypervisor without a socket
 * path) is a VM with name "". Sets GA_VM_VMM.
 *
 * Return: 0.
 */
int ga_vm_from_argv(const char *argv, size_t len, struct ga_vm *vm)
{
	struct words w = { argv, argv + len };
	const char *s, *v;
	size_t n, vn;
	enum ga_vmm vmm;

	memset(vm, 0, sizeof(*vm));
	if (!argv || !next_word(&w, &s, &n))
		return 0;
	vmm = vmm_of(s, n);
	if (vmm == GA_VMM_NONE)
		return 0;
	vm->vmm = vmm;
	vm->flags = GA_VM_VMM;
	if (vmm == GA_VMM_FIRECRACKER)
		set_name(vm, "anonymous-instance", 18);
	while (next_word(&w, &s, &n)) {
		switch (vmm) {
		case GA_VMM_QEMU:
			if (opt_value(&w, s, n, "-name", false, &v, &vn) ||
			    opt_value(&w, s, n, "--name", false, &v, &vn)) {
				vm->name[0] = '\0';
				vm->flags &= GA_VM_VMM;
				qemu_name(v, vn, vm);
			}
			break;
		case GA_VMM_FIRECRACKER:
			if (opt_value(&w, s, n, "--id", true, &v, &vn)) {
				vm->flags &= GA_VM_VMM;
				set_name(vm, v, vn);
			}
			break;
		case GA_VMM_CLOUD_HYPERVISOR:
			if (opt_value(&w, s, n, "--api-socket", true, &v,
				      &vn)) {
				vm->name[0] = '\0';
				vm->flags &= GA_VM_VMM;
				ch_name(v, vn, vm);
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * The first VM_CMDLINE_MAX bytes of /proc/PID/cmdline into @buf, a word
 * cut there left out. Return: its length, or -errno.
 */
static ssize_t read_cmdline(const char *path, char *buf)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < VM_CMDLINE_MAX) {
		n = read(fd, buf + got, VM_CMDLINE_MAX - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got == VM_CMDLINE_MAX) {
		char *z = memrchr(buf, '\0', got);

		got = z ? (size_t)(z - buf) + 1 : 0;
	}
	return (ssize_t)got;
}

/**
 * ga_vm_of_pid() - the VM a process is part of
 * @root: "/" or a fixture tree
 * @pid: the process
 * @vm: the result; always written, GA_VMM_NONE when none
 *
 * Its cgroup first: a process in a libvirt domain's scope is that
 * domain's (GA_VMM_LIBVIRT, with the scope). Then its command line: a
 * VMM is its VM's (GA_VM_VMM), and names it (libvirt's scope name is the
 * domain's cut to 20 bytes; QEMU's -name has it whole). Of the command
 * line, the first 64 KiB are read.
 *
 * Return: 0 (none included); -ESRCH when the process has gone; -errno.
 */
int ga_vm_of_pid(const char *root, int pid, struct ga_vm *vm)
{
	char path[GA_PATH_MAX], *buf;
	struct ga_vm cmd;
	ssize_t len;
	int err;

	memset(vm, 0, sizeof(*vm));
	if (pid <= 0)
		return -EINVAL;
	err = ga_cgroup_of_pid(root, pid, path, sizeof(path), NULL);
	if (err == -ENOENT || err == -ESRCH)
		return -ESRCH;
	if (!err)
		ga_vm_from_cgroup(path, vm);
	err = ga_path(path, sizeof(path), root, "proc/%d/cmdline", pid);
	if (err)
		return err;
	buf = malloc(VM_CMDLINE_MAX);
	if (!buf)
		return -ENOMEM;
	len = read_cmdline(path, buf);
	if (len == -ENOENT || len == -ESRCH) {
		free(buf);
		return -ESRCH;
	}
	if (len < 0) {
		free(buf);
		return vm->vmm == GA_VMM_NONE ? (int)len : 0;
	}
	ga_vm_from_argv(buf, (size_t)len, &cmd);
	free(buf);
	if (cmd.vmm == GA_VMM_NONE)
		return 0;
	if (vm->vmm == GA_VMM_LIBVIRT) {
		/* the VMM of the domain: its whole name, if it has one */
		vm->flags |= GA_VM_VMM;
		if (cmd.name[0]) {
			memcpy(vm->name, cmd.name, sizeof(vm->name));
			vm->flags = (vm->flags &
				     ~(GA_VM_NAME_SHARE | GA_VM_NAME_CUT)) |
				    (cmd.flags &
				     (GA_VM_NAME_SHARE | GA_VM_NAME_CUT));
		}
		return 0;
	}
	*vm = cmd;
	return 0;
}
