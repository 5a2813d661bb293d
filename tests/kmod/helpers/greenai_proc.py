#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper: consistent snapshots of /proc/greenai.

Each file is read under the module's lock, but two files may straddle an
interval close; a snapshot is retried until the interval count in
/proc/greenai/stats is the same before and after.

  greenai_proc.py conservation
      per domain: "NAME energy_uj cgroups_plus_node_idle_plus_unattributed_uj"
  greenai_proc.py cgroup ID
      "cgroup active idle cpu_ns" for cgroup ID, then "tasks active idle
      cpu_ns" summed over its live processes
  greenai_proc.py task PID
      "active idle cpu_ns" of a live process (all domains summed)
"""
import sys

P = "/proc/greenai/"


def read(name):
    with open(P + name) as f:
        return [l.split() for l in f if not l.startswith("#")]


def intervals():
    return next(int(v) for k, v in read("stats") if k == "intervals")


def snapshot(*names):
    while True:
        before = intervals()
        files = [read(n) for n in names]
        if intervals() == before:
            return files


def energies(fields, first, ndom):
    act = sum(int(fields[first + 2 * i]) for i in range(ndom))
    idle = sum(int(fields[first + 2 * i + 1]) for i in range(ndom))
    return act, idle


def main(argv):
    if argv[1:] == ["conservation"]:
        doms, cgs = snapshot("domains", "cgroups")
        for d in doms:
            i = int(d[0])
            total = int(d[13]) + int(d[15])
            for c in cgs:
                total += int(c[3 + 2 * i]) + int(c[4 + 2 * i])
            print(d[1], d[10], total)
        return 0
    if len(argv) == 3 and argv[1] == "cgroup":
        doms, cgs, tasks = snapshot("domains", "cgroups", "tasks")
        n = len(doms)
        for c in cgs:
            if c[0] == argv[2]:
                a, i = energies(c, 3, n)
                print("cgroup", a, i, c[1])
        a = i = cpu = 0
        for t in tasks:
            if t[1] == argv[2]:
                ta, ti = energies(t, 3, n)
                a, i, cpu = a + ta, i + ti, cpu + int(t[2])
        print("tasks", a, i, cpu)
        return 0
    if len(argv) == 3 and argv[1] == "task":
        doms, tasks = snapshot("domains", "tasks")
        for t in tasks:
            if t[0] == argv[2]:
                a, i = energies(t, 3, len(doms))
                print(a, i, t[2])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
