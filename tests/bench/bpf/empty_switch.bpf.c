// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of tests/bench/bpf-cost.sh: a tp_btf/sched_switch program that
 * does nothing. The kernel's BPF stats time every program run, and part of
 * what they report is their own clock reads; this program's figure is that
 * part, measured the same way.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(ga_bench_empty)
{
	return 0;
}
