# SPDX-License-Identifier: GPL-2.0
"""threads_exit.py N: N processes, one after the other, each with three
threads spinning on both CPUs when the main thread calls exit_group
(os._exit): all four threads go through the kernel's exit at once, the
case where two of them can both see the process's live count at 0."""
import os
import sys
import threading


def child():
    started = threading.Barrier(4)

    def spin():
        started.wait()
        while True:
            pass

    for _ in range(3):
        threading.Thread(target=spin, daemon=True).start()
    started.wait()
    os._exit(0)


for _ in range(int(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        child()
    os.waitpid(pid, 0)
