#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper: a process that is still running long after its exit tracepoint.

  slow_exit.py NR_FDS

Forks a child that opens NR_FDS descriptors (copies of one pipe end) and
_exit()s: the kernel closes them in the exit path, after sched_process_exit,
so the child's last slices of CPU time come after it was reported exiting.
Prints the child's pid once it has been reaped.
"""
import os
import resource
import sys


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        sys.exit(__doc__)
    n = int(argv[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
    r, _w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in range(64, n + 64):
            os.dup2(r, fd)
        os._exit(0)
    os.waitpid(pid, 0)
    print(pid)


if __name__ == "__main__":
    main(sys.argv)
