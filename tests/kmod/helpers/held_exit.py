#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper: a process whose exit is not over until the test says so.

  held_exit.py -- CMD [ARG...]

Forks a child with two threads and opens a software perf event on the
second thread: the event holds that thread's task_struct, so after the
child has exited and been reaped, one of its threads is still not freed,
and greenai.ko cannot fold its exit (the process is not gone for good).
Then it runs CMD, prints the child's pid and how long CMD ran after the
child was reaped, closes the event, and flushes until no exit is pending.

Prints "pid PID", "held_ms MS", "released".
"""
import ctypes
import os
import struct
import subprocess
import sys
import threading
import time

NR_PERF_EVENT_OPEN = 298        # x86_64
PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_TASK_CLOCK = 1
PERF_ATTR_SIZE_VER0 = 64


def perf_open(tid):
    """A task-clock event on @tid, counting from now; its file descriptor."""
    attr = struct.pack("<IIQQQQQIIQ", PERF_TYPE_SOFTWARE, PERF_ATTR_SIZE_VER0,
                       PERF_COUNT_SW_TASK_CLOCK, 0, 0, 0, 0, 0, 0, 0)
    buf = ctypes.create_string_buffer(attr, len(attr))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(ctypes.c_long(NR_PERF_EVENT_OPEN), buf,
                      ctypes.c_int(tid), ctypes.c_int(-1), ctypes.c_int(-1),
                      ctypes.c_ulong(0))
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit("held_exit: perf_event_open on %d: %s" % (tid, os.strerror(err)))
    return fd


def child(tid_w, go_r):
    """Two threads; the second's tid to the parent; exit when told, the
    second thread first and gone for good (released), so that the first's
    exit is the process's last: the process's exit then holds the first
    thread's task_struct and the event the second's, and greenai.ko can
    tell the second is still held (were the held thread the last to exit,
    the module's own hold on it would hide the event's)."""
    go = threading.Event()
    tids = []

    def second():
        tids.append(threading.get_native_id())
        os.write(tid_w, b"%d\n" % tids[0])
        go.wait()

    t = threading.Thread(target=second)
    t.start()
    os.read(go_r, 1)
    go.set()
    t.join()
    # join() returns before the thread's own exit is over: wait until the
    # kernel has released it (a bounded poll: a minute at most)
    deadline = time.monotonic() + 60
    while os.path.exists("/proc/self/task/%d" % tids[0]):
        if time.monotonic() > deadline:
            os._exit(3)
        time.sleep(0.001)
    os._exit(0)


def pending():
    with open("/proc/greenai/stats") as f:
        for line in f:
            k, v = line.split()
            if k == "exits_pending":
                return int(v)
    sys.exit("held_exit: no exits_pending in /proc/greenai/stats")


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    tid_r, tid_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        child(tid_w, go_r)
    tid = int(os.read(tid_r, 64).split()[0])
    fd = perf_open(tid)
    os.write(go_w, b"x")
    _, status = os.waitpid(pid, 0)
    reaped = time.monotonic()
    if status:
        sys.exit("held_exit: the child's second thread was not released")
    rc = subprocess.call(argv[2:])
    held = time.monotonic() - reaped
    print("pid %d" % pid)
    print("held_ms %d" % (held * 1000))
    os.close(fd)
    print("released")
    sys.stdout.flush()
    # the thread is freed: the next closes fold the exit (each flush is
    # a close, or EBUSY within the rate limit)
    for _ in range(100000):
        if not pending():
            break
        try:
            with open("/proc/greenai/control", "w") as f:
                f.write("flush\n")
        except OSError:
            pass
    sys.exit(rc)


if __name__ == "__main__":
    main(sys.argv)
