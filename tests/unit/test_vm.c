// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of VM recognition (tools/lib/ident/vm.c): libvirt's machine
 * scopes as systemd names them (with libvirt's vcpuN, emulator and
 * iothread sub-cgroups, on cgroup v2 and v1), QEMU's, Firecracker's and
 * Cloud Hypervisor's command lines as their managers write them, and
 * names that must not name a hand-over tree; then a fixture /proc, and
 * random bytes, which must never crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/identity.h>
#include <greenai/vm.h>

#include "fixture.h"

#define SCOPE "/machine.slice/machine-qemu\\x2d3\\x2dweb\\x2d01.scope"

static void libvirt_scopes(void **state)
{
	static const struct {
		const char *path;
		const char *name;
		const char *scope;
	} cases[] = {
		{ SCOPE, "web-01", SCOPE },
		{ SCOPE "/libvirt/vcpu0", "web-01", SCOPE },
		{ SCOPE "/libvirt/emulator", "web-01", SCOPE },
		{ SCOPE "/libvirt/iothread1", "web-01", SCOPE },
		{ SCOPE "/vcpu1", "web-01", SCOPE },
		{ "/machine.slice/machine-qemu\\x2d12\\x2dk8s_node.a.scope/"
		  "libvirt",
		  "k8s_node.a",
		  "/machine.slice/machine-qemu\\x2d12\\x2dk8s_node.a.scope" },
		/* a custom partition slice below machine.slice */
		{ "/machine.slice/machine-prod.slice/"
		  "machine-qemu\\x2d1\\x2ddb.scope/libvirt/vcpu0",
		  "db",
		  "/machine.slice/machine-prod.slice/"
		  "machine-qemu\\x2d1\\x2ddb.scope" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ga_vm vm;

		assert_int_equal(ga_vm_from_cgroup(cases[i].path, &vm), 0);
		assert_int_equal(vm.vmm, GA_VMM_LIBVIRT);
		assert_string_equal(vm.name, cases[i].name);
		assert_string_equal(vm.scope, cases[i].scope);
		assert_true(vm.flags & GA_VM_NAME_SHARE);
		assert_false(vm.flags & GA_VM_VMM);
	}
}

static void not_libvirt_scopes(void **state)
{
	static const char *const paths[] = {
		"/",
		"/machine.slice",
		/* an LXC container of libvirt's, not a VM */
		"/machine.slice/machine-lxc\\x2d5\\x2dweb.scope",
		/* a user's own subtree, named like libvirt's */
		"/user.slice/user-1000.slice/user@1000.service/machine.slice/"
		"machine-qemu\\x2d1\\x2dweb.scope",
		"/system.slice/machine-qemu\\x2d1\\x2dweb.scope",
		/* a unit in machine.slice that is not a machine scope */
		"/machine.slice/systemd-nspawn@web.service",
		"/machine.slice/machine-qemu\\x2d1\\x2d.scope",
		"/machine.slice/machine-qemu\\x2dx\\x2dweb.scope",
		"/machine.slice/machine-qemu\\x2d1web.scope",
		"/machine.slice/machine-qemu\\x2g1\\x2dweb.scope",
		"/machine.slice/machine-qemu\\x2d1\\x2dweb.scope\\",
		"/machine.slice/other/machine-qemu\\x2d1\\x2dweb.scope",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		struct ga_vm vm;

		assert_int_equal(ga_vm_from_cgroup(paths[i], &vm), 0);
		assert_int_equal(vm.vmm, GA_VMM_NONE);
		assert_string_equal(vm.name, "");
	}
	{
		struct ga_vm vm;

		assert_int_equal(ga_vm_from_cgroup("machine.slice", &vm),
				 -EINVAL);
		assert_int_equal(ga_vm_from_cgroup(NULL, &vm), -EINVAL);
	}
}

/* A command line of @n words into @buf, NUL-separated as in cmdline. */
static size_t argv_of(char *buf, size_t size, const char *const *words,
		      size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		size_t l = strlen(words[i]) + 1;

		assert_true(o + l <= size);
		memcpy(buf + o, words[i], l);
		o += l;
	}
	return o;
}

#define ARGV(...)                               \
	((const char *const[]){ __VA_ARGS__ }), \
		ARRAY_SIZE(((const char *const[]){ __VA_ARGS__ }))

static void expect_argv(const char *const *words, size_t n, enum ga_vmm vmm,
			const char *name, bool share)
{
	char buf[4096];
	size_t len = argv_of(buf, sizeof(buf), words, n);
	struct ga_vm vm;

	assert_int_equal(ga_vm_from_argv(buf, len, &vm), 0);
	assert_int_equal(vm.vmm, vmm);
	assert_string_equal(vm.name, name);
	if (vmm == GA_VMM_NONE)
		return;
	assert_true(vm.flags & GA_VM_VMM);
	assert_int_equal(!!(vm.flags & GA_VM_NAME_SHARE), share);
}

static void qemu_command_lines(void **state)
{
	(void)state;
	/* as libvirt writes it */
	expect_argv(ARGV("/usr/bin/qemu-system-x86_64", "-name",
			 "guest=web-01,debug-threads=on", "-S", "-object",
			 "secret,id=masterKey0,format=raw"),
		    GA_VMM_QEMU, "web-01", true);
	/* by hand */
	expect_argv(ARGV("qemu-system-aarch64", "-m", "512", "-name", "ci"),
		    GA_VMM_QEMU, "ci", true);
	expect_argv(ARGV("/usr/libexec/qemu-kvm", "--name",
			 "db,process=qemu:db"),
		    GA_VMM_QEMU, "db", true);
	expect_argv(ARGV("kvm", "-name", "debug-threads=on,guest=x.y_z"),
		    GA_VMM_QEMU, "x.y_z", true);
	/* ",," is a comma in the name: shown, never shared */
	expect_argv(ARGV("qemu-system-x86_64", "-name", "a,,b,guest=c"),
		    GA_VMM_QEMU, "a,b", false);
	/* the last -name counts */
	expect_argv(ARGV("qemu-system-x86_64", "-name", "one", "-name", "two"),
		    GA_VMM_QEMU, "two", true);
	/* no name: a VM all the same */
	expect_argv(ARGV("qemu-system-x86_64", "-machine", "none"), GA_VMM_QEMU,
		    "", false);
	/* -name with no value after it */
	expect_argv(ARGV("qemu-system-x86_64", "-name"), GA_VMM_QEMU, "",
		    false);
	/* hostile names */
	expect_argv(ARGV("qemu-system-x86_64", "-name", "guest=../../etc"),
		    GA_VMM_QEMU, "../../etc", false);
	expect_argv(ARGV("qemu-system-x86_64", "-name", ".hidden"), GA_VMM_QEMU,
		    ".hidden", false);
	expect_argv(ARGV("qemu-system-x86_64", "-name", "a/b"), GA_VMM_QEMU,
		    "a/b", false);
	expect_argv(ARGV("qemu-system-x86_64", "-name", "tab\there"),
		    GA_VMM_QEMU, "tab\\011here", false);
	expect_argv(ARGV("qemu-system-x86_64", "-name",
			 "a234567890123456789012345678901234567890123456789"
			 "0123456789012345"),
		    GA_VMM_QEMU,
		    "a234567890123456789012345678901234567890123456789"
		    "0123456789012345",
		    false);
	expect_argv(ARGV("qemu-system-x86_64", "-name",
			 "a234567890123456789012345678901234567890123456789"
			 "01234567890123"),
		    GA_VMM_QEMU,
		    "a234567890123456789012345678901234567890123456789"
		    "01234567890123",
		    true);
	/* not QEMU */
	expect_argv(ARGV("qemu-img", "-name", "x"), GA_VMM_NONE, "", false);
	expect_argv(ARGV("qemu-system-"), GA_VMM_NONE, "", false);
	expect_argv(ARGV("/bin/sh", "-c", "qemu-system-x86_64 -name x"),
		    GA_VMM_NONE, "", false);
}

static void firecracker_and_cloud_hypervisor(void **state)
{
	(void)state;
	expect_argv(ARGV("/usr/bin/firecracker", "--api-sock", "/run/fc.sock",
			 "--id", "fc-7"),
		    GA_VMM_FIRECRACKER, "fc-7", true);
	expect_argv(ARGV("firecracker", "--id=fc_8"), GA_VMM_FIRECRACKER,
		    "fc_8", true);
	expect_argv(ARGV("firecracker", "--api-sock", "/x"), GA_VMM_FIRECRACKER,
		    "anonymous-instance", true);
	expect_argv(ARGV("firecracker", "--id", "../x"), GA_VMM_FIRECRACKER,
		    "../x", false);
	expect_argv(ARGV("/usr/bin/cloud-hypervisor", "--api-socket",
			 "path=/run/libvirt/ch/web-socket", "--cpus", "boot=2"),
		    GA_VMM_CLOUD_HYPERVISOR, "web", true);
	expect_argv(ARGV("cloud-hypervisor", "--api-socket", "/tmp/ch-1.sock"),
		    GA_VMM_CLOUD_HYPERVISOR, "ch-1", true);
	expect_argv(ARGV("cloud-hypervisor", "--api-socket=path=/tmp/b.sock,"
					     "foo=bar"),
		    GA_VMM_CLOUD_HYPERVISOR, "b", true);
	expect_argv(ARGV("cloud-hypervisor", "--api-socket", "fd=3"),
		    GA_VMM_CLOUD_HYPERVISOR, "", false);
	expect_argv(ARGV("cloud-hypervisor", "--kernel", "vmlinux"),
		    GA_VMM_CLOUD_HYPERVISOR, "", false);
}

static void name_rule(void **state)
{
	static const char *const good[] = { "a", "web-01", "A.b_c-9", "x..",
					    "-dash" };
	static const char *const bad[] = { "",	  ".", "..",   ".a", "a/b",
					   "a b", "é", "a\nb", "a:b" };
	char long_name[GA_VM_NAME_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(ga_vm_name_valid(good[i], strlen(good[i])));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(ga_vm_name_valid(bad[i], strlen(bad[i])));
	memset(long_name, 'a', sizeof(long_name));
	assert_true(ga_vm_name_valid(long_name, GA_VM_NAME_MAX));
	assert_false(ga_vm_name_valid(long_name, GA_VM_NAME_MAX + 1));
	assert_false(ga_vm_name_valid(NULL, 0));
	/* a NUL inside is no name */
	assert_false(ga_vm_name_valid("a\0b", 3));
	assert_string_equal(ga_vmm_name(GA_VMM_QEMU), "qemu");
	assert_string_equal(ga_vmm_name(GA_VMM_NR), "?");
}

static void proc_fixture(void **state)
{
	static const char qemu[] = "qemu-system-x86_64\0-name\0guest=web-01-"
				   "with-a-long-name,debug-threads=on\0";
	static const char fc[] = "firecracker\0--id\0fc-1\0";
	static const char sh[] = "/bin/sh\0";
	char *dir = fix_tmpdir_new();
	struct ga_vm vm;

	*state = dir;
	/* libvirt's QEMU: its scope (name cut by libvirt), its whole name */
	fix_write(dir, "proc/100/cgroup",
		  "0::/machine.slice/machine-qemu\\x2d1\\x2dweb\\x2d01\\x2d"
		  "with\\x2da\\x2dl.scope/libvirt/emulator\n");
	fix_write_data(dir, "proc/100/cmdline", qemu, sizeof(qemu) - 1);
	/* a helper in the same scope */
	fix_write(dir, "proc/101/cgroup",
		  "0::/machine.slice/machine-qemu\\x2d1\\x2dweb\\x2d01\\x2d"
		  "with\\x2da\\x2dl.scope\n");
	fix_write_data(dir, "proc/101/cmdline", sh, sizeof(sh) - 1);
	/* Firecracker in a service */
	fix_write(dir, "proc/200/cgroup", "0::/system.slice/fc.service\n");
	fix_write_data(dir, "proc/200/cmdline", fc, sizeof(fc) - 1);
	/* nothing */
	fix_write(dir, "proc/300/cgroup", "0::/system.slice/cron.service\n");
	fix_write_data(dir, "proc/300/cmdline", sh, sizeof(sh) - 1);

	assert_int_equal(ga_vm_of_pid(dir, 100, &vm), 0);
	assert_int_equal(vm.vmm, GA_VMM_LIBVIRT);
	assert_true(vm.flags & GA_VM_VMM);
	assert_string_equal(vm.name, "web-01-with-a-long-name");
	assert_string_equal(vm.scope, "/machine.slice/machine-qemu\\x2d1\\x2d"
				      "web\\x2d01\\x2dwith\\x2da\\x2dl.scope");
	assert_int_equal(ga_vm_of_pid(dir, 101, &vm), 0);
	assert_int_equal(vm.vmm, GA_VMM_LIBVIRT);
	assert_false(vm.flags & GA_VM_VMM);
	assert_string_equal(vm.name, "web-01-with-a-l");
	assert_int_equal(ga_vm_of_pid(dir, 200, &vm), 0);
	assert_int_equal(vm.vmm, GA_VMM_FIRECRACKER);
	assert_string_equal(vm.name, "fc-1");
	assert_string_equal(vm.scope, "");
	assert_int_equal(ga_vm_of_pid(dir, 300, &vm), 0);
	assert_int_equal(vm.vmm, GA_VMM_NONE);
	assert_int_equal(ga_vm_of_pid(dir, 400, &vm), -ESRCH);
	assert_int_equal(ga_vm_of_pid(dir, 0, &vm), -EINVAL);
}

static void random_bytes_never_crash(void **state)
{
	static const char *const heads[] = { "qemu-system-x86_64",
					     "firecracker",
					     "cloud-hypervisor" };
	static const char *const opts[] = { "-name",  "--id", "--api-socket",
					    "guest=", ",",    ",,",
					    "path=",  "=" };
	char buf[512], path[512];
	unsigned int seed = 1, i, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t len = 0, n;
		struct ga_vm vm;

		n = strlen(heads[i % 3]) + 1;
		memcpy(buf, heads[i % 3], n);
		len = n;
		for (j = 0; j < 12 && len < sizeof(buf) - 40; j++) {
			seed = seed * 1103515245 + 12345;
			if (seed >> 28 < 6) {
				const char *o = opts[(seed >> 16) % 8];

				memcpy(buf + len, o, strlen(o));
				len += strlen(o);
			} else {
				buf[len++] = (char)(seed >> 16);
			}
			if ((seed >> 8) % 3 == 0)
				buf[len++] = '\0';
		}
		assert_int_equal(ga_vm_from_argv(buf, len, &vm), 0);
		assert_true(strlen(vm.name) <= GA_VM_NAME_SHOWN_MAX);
		if (vm.flags & GA_VM_NAME_SHARE)
			assert_true(ga_vm_name_valid(vm.name, strlen(vm.name)));
		n = snprintf(path, sizeof(path), "%s", SCOPE);
		for (j = 0; j < 8 && n < sizeof(path) - 1; j++) {
			seed = seed * 1103515245 + 12345;
			path[(seed >> 16) % n] = (char)(seed >> 8);
		}
		path[0] = '/';
		path[n] = '\0';
		ga_vm_from_cgroup(path, &vm);
		assert_true(vm.vmm == GA_VMM_NONE || vm.vmm == GA_VMM_LIBVIRT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libvirt_scopes),
		cmocka_unit_test(not_libvirt_scopes),
		cmocka_unit_test(qemu_command_lines),
		cmocka_unit_test(firecracker_and_cloud_hypervisor),
		cmocka_unit_test(name_rule),
		FIX_TEST(proc_fixture),
		cmocka_unit_test(random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
