#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A client of the greenai agent (docs/agent.md) for agent.bats, speaking
# the protocol itself, as another program would:
#
#   agent_client.py SOCKET sample      the last sample, one fact a line:
#                                      "sample N", "task PID", "cgroup ID",
#                                      "domain NAME totals|no-totals"
#   agent_client.py SOCKET burst       15 samples on one connection, as
#                                      fast as they come: "burst D T", D
#                                      the distinct samples met, T the
#                                      seconds from the first to the last
#   agent_client.py SOCKET raw TEXT    TEXT as a request line; the reply
#   agent_client.py SOCKET run-child   a busy child of this process put in
#                                      a run cgroup: "child PID", "cgroup
#                                      ID PATH" (the child is left running)
#   agent_client.py SOCKET run-pid PID a run cgroup for PID: the reply
#   agent_client.py SOCKET end-run ID  the reply (leave-run ID alike)
import json
import socket
import subprocess
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s.makefile("rwb")


def call(f, line):
    f.write(line.encode() + b"\n")
    f.flush()
    reply = f.readline()
    if not reply.endswith(b"\n"):
        sys.exit("no whole reply: %r" % reply[:200])
    return reply.decode()


def request(f, obj):
    return json.loads(call(f, json.dumps(obj)))


def main():
    path, what = sys.argv[1], sys.argv[2]
    f = connect(path)
    hello = request(f, {"op": "hello"})
    if not hello.get("ok") or hello.get("proto") != 1:
        sys.exit("hello: %r" % hello)
    if what == "sample":
        r = request(f, {"op": "sample"})
        if not r["ok"]:
            sys.exit(r["error"])
        print("sample %d" % r["sample"])
        for t in r["tasks"]:
            print("task %d" % t["pid"])
        for c in r["cgroups"]:
            print("cgroup %d" % c["id"])
        for d in r["domains"]:
            print("domain %s %s" % (d["name"], "totals" if "energy_uj" in d
                                    else "no-totals"))
    elif what == "burst":
        seen = set()
        t = time.monotonic()
        for _ in range(15):
            r = request(f, {"op": "sample"})
            if not r["ok"]:
                sys.exit(r["error"])
            seen.add(r["sample"])
        print("burst %d %.6f" % (len(seen), time.monotonic() - t))
    elif what == "raw":
        sys.stdout.write(call(f, sys.argv[3]))
    elif what == "run-child":
        # its output not the caller's: it outlives this client
        child = subprocess.Popen(["sh", "-c", "while :; do :; done"],
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        r = request(f, {"op": "run-cgroup", "pid": child.pid})
        print("child %d" % child.pid)
        if not r["ok"]:
            child.kill()
            sys.exit(r["error"])
        print("cgroup %d %s" % (r["cgroup_id"], r["path"]))
    elif what == "run-pid":
        sys.stdout.write(call(f, json.dumps({"op": "run-cgroup",
                                             "pid": int(sys.argv[3])})))
    elif what in ("end-run", "leave-run"):
        sys.stdout.write(call(f, json.dumps({"op": what,
                                             "cgroup_id": int(sys.argv[3])})))
    else:
        sys.exit("unknown: " + what)


main()
