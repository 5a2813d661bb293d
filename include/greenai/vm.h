/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual machines as workloads: which VM a process is part of, from its
 * cgroup path or its command line, as a VM's processes show it:
 *
 *   libvirt     the domain's scope, machine.slice/machine-qemu\x2dN\x2d
 *               NAME.scope (systemd's escaping of "qemu-N-NAME"), and
 *               every cgroup below it (libvirt's vcpuN, emulator, iothreadN,
 *               with or without a "libvirt" cgroup between): every process
 *               in it is the VM's (QEMU, and helpers libvirt puts there)
 *   QEMU        qemu-system-*, qemu-kvm, kvm: -name NAME, -name guest=NAME,...
 *               (QEMU's option syntax: ",," a comma; the first element
 *               without '=' is the guest name)
 *   Firecracker firecracker: --id ID (its default, "anonymous-instance",
 *               when none)
 *   Cloud Hypervisor  cloud-hypervisor: it has no name of its own; the
 *               VM is named after its --api-socket (path=P or P): P's last
 *               component less a "-socket" (libvirt's NAME-socket) or
 *               ".sock" ending
 *
 * The functions here are pure (no I/O, no allocation) but
 * ga_vm_of_pid(), which reads /proc/PID/cgroup and /proc/PID/cmdline
 * under a root.
 *
 * A VM's name is what the VMM was given, untrusted: whoever starts a
 * process chooses its command line. ga_vm.name holds it as given, with
 * bytes that are not printable ASCII written as \ooo (ga_escape()), cut
 * to GA_VM_NAME_SHOWN_MAX; GA_VM_NAME_SHARE says whether it is also a
 * name the hand-over tree takes (ga_vm_name_valid()).
 */
#ifndef _GREENAI_VM_H
#define _GREENAI_VM_H

#include <stdbool.h>
#include <stddef.h>

#include <greenai/files.h>

#define GA_VM_NAME_MAX 64 /* a shareable name, bytes */
#define GA_VM_NAME_SHOWN_MAX 255 /* a name as shown, escaped */

enum ga_vmm {
	GA_VMM_NONE, /* not a VM's */
	GA_VMM_LIBVIRT, /* in a libvirt domain's scope (QEMU's or a helper) */
	GA_VMM_QEMU,
	GA_VMM_FIRECRACKER,
	GA_VMM_CLOUD_HYPERVISOR,
	GA_VMM_NR,
};

/* ga_vm.flags */
#define GA_VM_NAME_SHARE (1u << 0) /* the name passes ga_vm_name_valid() */
#define GA_VM_VMM (1u << 1) /* the process is the VMM itself */
#define GA_VM_NAME_CUT (1u << 2) /* the name was longer than shown */

struct ga_vm {
	enum ga_vmm vmm;
	unsigned int flags;
	char name[GA_VM_NAME_SHOWN_MAX + 1]; /* "" if none */
	/* libvirt: the domain's scope, from the cgroup2 root; "" otherwise */
	char scope[GA_PATH_MAX];
};

bool ga_vm_name_valid(const char *s, size_t len);
int ga_vm_from_cgroup(const char *path, struct ga_vm *vm);
int ga_vm_from_argv(const char *argv, size_t len, struct ga_vm *vm);
int ga_vm_of_pid(const char *root, int pid, struct ga_vm *vm);
const char *ga_vmm_name(enum ga_vmm vmm);

#endif /* _GREENAI_VM_H */
