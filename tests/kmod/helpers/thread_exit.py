#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper: a process whose other thread is still exiting when the
thread that exits last has gone.

  thread_exit.py NR_FDS

Forks a child pinned to one CPU with two threads. Its main thread opens
NR_FDS descriptors (copies of one pipe end), starts a second thread, then
takes a private copy of the descriptor table (unshare(CLONE_FILES)),
closes its copies and blocks. The second thread calls exit_group(): it
leaves the process's count of live threads first, then closes the
NR_FDS descriptors of the table it still holds in its exit path, while
the main thread, woken by the kill and sharing the CPU, is likely to exit
last and be gone long before. Prints the child's pid once it has been
reaped.
"""
import ctypes
import os
import resource
import sys
import threading

CLONE_FILES = 0x400


def child(n):
    libc = ctypes.CDLL(None, use_errno=True)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    r, w = os.pipe()
    for fd in range(64, n + 64):
        os.dup2(r, fd)
    go = threading.Event()

    def exiter():
        go.wait()
        os._exit(0)

    threading.Thread(target=exiter).start()
    if libc.unshare(CLONE_FILES):
        err = ctypes.get_errno()
        os.write(2, b"unshare: %s\n" % os.strerror(err).encode())
        os._exit(1)
    os.closerange(64, n + 64)
    go.set()
    os.read(r, 1)  # nothing is ever written: blocks until killed
    os._exit(1)


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        sys.exit(__doc__)
    n = int(argv[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
    pid = os.fork()
    if pid == 0:
        child(n)
    _, status, usage = os.wait4(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
        sys.exit("thread_exit.py: the child failed: status %#x" % status)
    print(pid, round((usage.ru_utime + usage.ru_stime) * 1e9))


if __name__ == "__main__":
    main(sys.argv)
