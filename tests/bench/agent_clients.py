#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# agent_clients.py SOCKET N SECONDS UID: N clients of the greenai agent
# (docs/agent.md) that each ask for a sample once a second for SECONDS,
# as user UID: each ask connects, says hello, asks for the sample and
# closes (the agent holds 128 connections at once, 16 of a uid, so 100 clients do not
# stay connected), the N spread evenly over each second. Prints
# "asked N", "answered N", "refused N" (replies with "ok": false) and
# "late N" (asks that started over 100 ms behind their time: the figures
# then understate the load).
import json
import os
import socket
import sys
import time


def ask(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    f = s.makefile("rwb")
    ok = True
    for op in ("hello", "sample"):
        f.write(json.dumps({"op": op}).encode() + b"\n")
        f.flush()
        reply = f.readline()
        ok = ok and json.loads(reply).get("ok") is True
    f.close()
    s.close()
    return ok


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: agent_clients.py SOCKET N SECONDS UID")
    path, n, secs, uid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if uid:
        os.setgid(uid)
        os.setuid(uid)
    asked = answered = refused = late = 0
    start = time.monotonic()
    for k in range(n * secs):
        due = start + k / n
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.1:
            late += 1
        asked += 1
        try:
            if ask(path):
                answered += 1
            else:
                refused += 1
        except OSError:
            refused += 1
    print("asked %d\nanswered %d\nrefused %d\nlate %d" % (asked, answered, refused, late))


main()
