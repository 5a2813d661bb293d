#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# agent_clients.py [--keep] SOCKET N SECONDS UID...: N clients of the
# greenai agent (docs/agent.md) that each ask for a sample once a second
# for SECONDS, the N spread evenly over each second.
#
# Without --keep, as user UID (the first): each ask connects, says hello,
# asks for the sample and closes (the agent holds 128 connections at
# once, 16 of a uid, so 100 clients of one user cannot stay connected).
# With --keep, as libgreenai's clients do (gtop, greenai stat): each
# client says hello once and asks on the connection it keeps; the
# clients are dealt out over the UIDs, one process of each UID's.
#
# Prints "asked N", "answered N", "refused N" (replies with "ok": false,
# or a connection that failed) and "late N" (asks that started over
# 100 ms behind their time: the figures then understate the load).
import json
import os
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s, s.makefile("rwb")


def call(f, op):
    f.write(json.dumps({"op": op}).encode() + b"\n")
    f.flush()
    return json.loads(f.readline()).get("ok") is True


def ask(path):
    s, f = connect(path)
    ok = call(f, "hello") and call(f, "sample")
    f.close()
    s.close()
    return ok


def run(path, mine, n, secs):
    """Clients number MINE (of N) ask for SECS seconds; return the counts."""
    asked = answered = refused = late = 0
    conns = {}
    if keep:
        for k in mine:
            try:
                conns[k] = connect(path)
                if not call(conns[k][1], "hello"):
                    refused += 1
            except OSError:
                refused += 1
    start = time.monotonic()
    for t in range(secs):
        for k in mine:
            due = start + t + k / n
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.1:
                late += 1
            asked += 1
            try:
                ok = call(conns[k][1], "sample") if keep else ask(path)
            except (OSError, KeyError, ValueError):
                ok = False
            answered += ok
            refused += not ok
    for s, f in conns.values():
        f.close()
        s.close()
    return asked, answered, refused, late


keep = False


def main():
    global keep
    args = sys.argv[1:]
    if args and args[0] == "--keep":
        keep = True
        args = args[1:]
    if len(args) < 4:
        sys.exit("usage: agent_clients.py [--keep] SOCKET N SECONDS UID...")
    path, n, secs = args[0], int(args[1]), int(args[2])
    uids = [int(u) for u in args[3:]] if keep else [int(args[3])]
    pipes = []
    for i, uid in enumerate(uids):
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r)
            if uid:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            counts = run(path, range(i, n, len(uids)), n, secs)
            os.write(w, (" ".join(map(str, counts)) + "\n").encode())
            os._exit(0)
        os.close(w)
        pipes.append(r)
    total = [0, 0, 0, 0]
    for r in pipes:
        with os.fdopen(r) as f:
            line = f.read().split()
        if len(line) != 4:
            sys.exit("a client process failed")
        total = [a + int(b) for a, b in zip(total, line)]
        os.wait()
    print("asked %d\nanswered %d\nrefused %d\nlate %d" % tuple(total))


main()
