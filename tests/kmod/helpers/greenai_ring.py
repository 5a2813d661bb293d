#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper: talk to /dev/greenai as a reader would (ABI version 2).

  greenai_ring.py collect OUT -- CMD...
      open the ring, run CMD, keep reading while it runs; when it has
      exited, close intervals until no exit is pending (exits are folded
      once all their threads are gone, one interval late at the
      earliest), then two more, and drain the ring. One line per record goes to OUT:
        INTERVAL seq domain flags start_ns end_ns energy active idle
                 unattributed busy capacity nr_tasks idle_share
                 idle_basis idle_power_uw node_idle
        EXIT seq pid ppid cgroup_id cpu_ns active idle comm per_domain
             (active and idle in µJ over all domains; per_domain is
             "active+idle" of each domain, comma-separated, by domain id)
        LOST seq lost lost_total
        CGONE seq cgroup_id cpu_ns exited active idle
      Exit status: CMD's.
  greenai_ring.py dump FD        print the records waiting on an open fd
  greenai_ring.py info           print the GREENAI_IOC_INFO fields
  greenai_ring.py domain ID      print a domain descriptor
  greenai_ring.py probe          exercise bad input: print one line per case
  greenai_ring.py flushes N      N FLUSH ioctls back to back: print
                                 "ok K busy B intervals I", I the closes
                                 stats counted meanwhile
  greenai_ring.py stall-read     open the ring, flush, and read it into a
                                 buffer whose pages userfaultfd holds back:
                                 prints "reading", then the read blocks in
                                 its copy out until the process is killed
"""
import ctypes
import errno
import fcntl
import os
import select
import struct
import subprocess
import sys
import threading
import time

DEV = "/dev/greenai"
STATS = "/proc/greenai/stats"
SETTLE_S = 60  # seconds; the module forces a fold 10 s after the exit
HDR = struct.Struct("<HHIQ")
INTERVAL = struct.Struct("<II8QIHHQQ")
EXIT = struct.Struct("<IIIIQQQ16s")
ENERGY = struct.Struct("<QQ")
LOST = struct.Struct("<QQ")
INFO = struct.Struct("<IIIIQ")
DOMAIN = struct.Struct("<IHHIIII4Q32s")
CGONE = struct.Struct("<QQQII")
REC_INTERVAL, REC_EXIT, REC_LOST, REC_CGONE = 1, 2, 3, 4


def ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (0xE6 << 8) | nr


IOC_INFO = ioc(2, 1, INFO.size)
IOC_DOMAIN = ioc(3, 2, DOMAIN.size)
IOC_FLUSH = ioc(0, 3, 0)


def parse(buf, out):
    off = 0
    while off < len(buf):
        rtype, size, seq, _ts = HDR.unpack_from(buf, off)
        body = off + HDR.size
        if rtype == REC_INTERVAL:
            v = INTERVAL.unpack_from(buf, body)
            out.write("INTERVAL %d %s\n" % (seq, " ".join(map(str, v))))
        elif rtype == REC_EXIT:
            pid, ppid, _uid, nr, cg, _start, cpu, comm = EXIT.unpack_from(buf, body)
            act = idle = 0
            per = []
            for i in range(nr):
                a, b = ENERGY.unpack_from(buf, body + EXIT.size + i * ENERGY.size)
                act += a
                idle += b
                per.append("%d+%d" % (a, b))
            name = comm.split(b"\0")[0].decode(errors="replace").replace(" ", "_")
            out.write("EXIT %d %d %d %d %d %d %d %s %s\n"
                      % (seq, pid, ppid, cg, cpu, act, idle, name, ",".join(per)))
        elif rtype == REC_LOST:
            lost, total = LOST.unpack_from(buf, body)
            out.write("LOST %d %d %d\n" % (seq, lost, total))
        elif rtype == REC_CGONE:
            cg, cpu, exited, nr, _pad = CGONE.unpack_from(buf, body)
            act = idle = 0
            for i in range(nr):
                a, b = ENERGY.unpack_from(buf, body + CGONE.size + i * ENERGY.size)
                act += a
                idle += b
            out.write("CGONE %d %d %d %d %d %d\n"
                      % (seq, cg, cpu, exited, act, idle))
        else:
            out.write("UNKNOWN %d %d\n" % (seq, rtype))
        if size < HDR.size or size % 8:
            raise SystemExit("bad record size %d" % size)
        off += size


def drain(fd, out):
    while True:
        try:
            buf = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        if not buf:
            return
        parse(buf, out)


def collect(path, cmd):
    fd = os.open(DEV, os.O_RDONLY | os.O_NONBLOCK)
    stop = threading.Event()
    with open(path, "w") as out:
        def reader():
            while not stop.is_set():
                r, _, _ = select.select([fd], [], [], 0.2)
                if r:
                    drain(fd, out)
        t = threading.Thread(target=reader)
        t.start()
        rc = subprocess.call(cmd)
        stop.set()
        t.join()
        settle(fd, out)
        flush(fd)
        flush(fd)
        drain(fd, out)
    os.close(fd)
    return rc


def stat_value(key):
    with open(STATS) as f:
        for line in f:
            k, v = line.split()
            if k == key:
                return int(v)
    raise SystemExit("%s has no %s" % (STATS, key))


def flush(fd):
    """Close the interval now; over the module's flush rate limit (EBUSY),
    try again, 10 s at most."""
    deadline = time.monotonic() + 10
    while True:
        try:
            fcntl.ioctl(fd, IOC_FLUSH)
            return
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


def settle(fd, out):
    """Close intervals until no exit waits to be folded.

    An exit is folded once every thread of its process has scheduled out
    for good, which may take a few intervals; each wait is for the ring's
    next record (the timer's next interval), SETTLE_S seconds at most.
    """
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        flush(fd)
        drain(fd, out)
        if stat_value("exits_pending") == 0:
            return
        select.select([fd], [], [], 1.0)
        drain(fd, out)
    raise SystemExit("exits still pending after %d s" % SETTLE_S)


def info():
    fd = os.open(DEV, os.O_RDONLY)
    buf = bytearray(INFO.size)
    fcntl.ioctl(fd, IOC_INFO, buf)
    abi, ndom, interval, ncpus, ring = INFO.unpack(buf)
    print("abi %d\nnr_domains %d\ninterval_ms %d\nnr_cpus %d\nring_bytes %d"
          % (abi, ndom, interval, ncpus, ring))
    os.close(fd)


def domain(did):
    fd = os.open(DEV, os.O_RDONLY)
    buf = bytearray(DOMAIN.pack(did, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b""))
    fcntl.ioctl(fd, IOC_DOMAIN, buf)
    v = DOMAIN.unpack(buf)
    print("id %d kind %d source %d flags %d package %d nr_cpus %d "
          "unit %d/%d range_uj %d max_power_uw %d name %s"
          % (v[0], v[1], v[2], v[3], v[4], v[5], v[7], v[8], v[9], v[10],
             v[11].split(b"\0")[0].decode()))
    os.close(fd)


def attempt(name, fn):
    try:
        fn()
        print("%s ok" % name)
    except OSError as e:
        print("%s %s" % (name, errno.errorcode.get(e.errno, e.errno)))


def probe():
    fd = os.open(DEV, os.O_RDONLY | os.O_NONBLOCK)
    attempt("second-open", lambda: os.close(os.open(DEV, os.O_RDONLY)))
    attempt("unknown-ioctl", lambda: fcntl.ioctl(fd, ioc(0, 0x7f, 0)))
    attempt("wrong-magic", lambda: fcntl.ioctl(fd, (0x11 << 8) | 3))
    bad = bytearray(DOMAIN.pack(99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b""))
    attempt("domain-99", lambda: fcntl.ioctl(fd, IOC_DOMAIN, bad))
    attempt("info-null", lambda: fcntl.ioctl(fd, IOC_INFO, 0))
    attempt("read-empty", lambda: os.read(fd, 4096))
    fcntl.ioctl(fd, IOC_FLUSH)
    attempt("read-8-bytes", lambda: os.read(fd, 8))
    attempt("read-whole", lambda: os.read(fd, 4096))
    attempt("write", lambda: os.write(fd, b"x"))
    attempt("seek", lambda: os.lseek(fd, 0, os.SEEK_SET))
    os.close(fd)
    attempt("open-rw", lambda: os.close(os.open(DEV, os.O_RDWR)))


def flushes(n):
    fd = os.open(DEV, os.O_RDONLY | os.O_NONBLOCK)
    i0 = stat_value("intervals")
    ok = busy = 0
    for _ in range(n):
        try:
            fcntl.ioctl(fd, IOC_FLUSH)
            ok += 1
        except OSError as e:
            if e.errno != errno.EBUSY:
                raise
            busy += 1
    print("ok %d busy %d intervals %d" % (ok, busy, stat_value("intervals") - i0))
    os.close(fd)


# userfaultfd(2), x86-64: the syscall, UFFDIO_API, UFFDIO_REGISTER (MISSING)
NR_USERFAULTFD = 323
UFFD_API = 0xAA
UFFDIO_API = (3 << 30) | (24 << 16) | (0xAA << 8) | 0x3F
UFFDIO_REGISTER = (3 << 30) | (32 << 16) | (0xAA << 8) | 0x00
UFFDIO_REGISTER_MODE_MISSING = 1


def stall_read():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                          ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.read.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
    libc.read.restype = ctypes.c_ssize_t
    fd = os.open(DEV, os.O_RDONLY)
    fcntl.ioctl(fd, IOC_FLUSH)
    uffd = libc.syscall(NR_USERFAULTFD, os.O_CLOEXEC)
    if uffd < 0:
        raise OSError(ctypes.get_errno(), "userfaultfd")
    fcntl.ioctl(uffd, UFFDIO_API, bytearray(struct.pack("<QQQ", UFFD_API, 0, 0)))
    size = 1 << 16
    addr = libc.mmap(None, size, 3, 0x22, -1, 0)  # RW, private anonymous
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    fcntl.ioctl(uffd, UFFDIO_REGISTER, bytearray(struct.pack(
        "<QQQQ", addr, size, UFFDIO_REGISTER_MODE_MISSING, 0)))
    print("reading", flush=True)
    n = libc.read(fd, addr, size)
    print("read %d" % n)


def main(argv):
    if len(argv) >= 4 and argv[1] == "collect" and argv[3] == "--":
        return collect(argv[2], argv[4:])
    if len(argv) == 3 and argv[1] == "dump":
        fd = int(argv[2])
        os.set_blocking(fd, False)
        return drain(fd, sys.stdout)
    if argv[1:] == ["info"]:
        return info()
    if len(argv) == 3 and argv[1] == "domain":
        return domain(int(argv[2]))
    if argv[1:] == ["probe"]:
        return probe()
    if len(argv) == 3 and argv[1] == "flushes":
        return flushes(int(argv[2]))
    if argv[1:] == ["stall-read"]:
        return stall_read()
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
