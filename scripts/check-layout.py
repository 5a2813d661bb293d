#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tree's layout, checked: what docs/design.md says of rooms and layers.

    check-layout.py [--build DIR]          every check, as TAP
    check-layout.py --kmod DIR             only: no two of the module's
                                           objects in DIR call each other
    check-layout.py --write-map            write tools/lib/libgreenai.map
                                           from the public headers

The checks:
  1. a tool (tools/greenai, tools/gtop, tools/exporter) includes nothing of
     the library but <greenai/libgreenai.h>, and only its own headers else;
  2. a public header (what <greenai/libgreenai.h> gathers) includes public
     headers only;
  3. a room of tools/lib includes only from rooms on floors below its own
     (and from itself);
  4. no header includes itself again through others (include cycles);
  5. no two files of the library, and no two files of one tool, call each
     other, directly or round a longer loop (from the objects' symbols,
     nm), and no room calls up into a higher one;
  6. libgreenai.so exports exactly the functions and data the public
     headers declare (the map, tools/lib/libgreenai.map, kept with them);
  7. each public header compiles on its own, with gcc and with clang.

Checks 5 and 6 read what `make tools` built under --build (default
build); the kernel module's objects are checked by the VM suite, which
builds them (--kmod).
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = "tools/lib"
TOOLS = ("tools/greenai", "tools/gtop", "tools/exporter")
MAP = os.path.join(LIB, "libgreenai.map")

# The library's rooms, bottom up: a room may use the rooms of lower floors
# only. The core (include/greenai: the attribution core, RAPL units, the
# BPF programs' ABI) is below them all.
FLOORS = {
    "core": 0,
    "base": 1,
    "energy": 2, "ident": 2, "carbon": 2,
    "engine": 3, "settings": 3, "store": 3,
    "workload": 4,
}

# Public headers whose implementation is not a tools/lib/<room>/<name>.c:
# the room they belong to.
PUBLIC_ROOM = {
    "libgreenai.h": "top",
    "engine.h": "engine",
    "clock.h": "base",
    "files.h": "base",
    "json.h": "base",
    "version.h": "core",
    "attrib.h": "core",
    "rapl.h": "core",
    "bpf_abi.h": "core",
    "bpf_counters.h": "core",
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)


class Tap:
    def __init__(self):
        self.failed = 0

    def result(self, name, problems):
        if problems:
            self.failed += 1
            print("not ok - " + name)
            for p in problems[:40]:
                print("# " + p)
            if len(problems) > 40:
                print("# ... and %d more" % (len(problems) - 40))
        else:
            print("ok - " + name)


def rel(path):
    return os.path.relpath(path, TOP)


def sources(folder, exts=(".c", ".h")):
    out = []
    for d, _, files in os.walk(os.path.join(TOP, folder)):
        for f in sorted(files):
            if f.endswith(exts):
                out.append(rel(os.path.join(d, f)))
    return sorted(out)


def includes(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as f:
        return INCLUDE_RE.findall(f.read())


def public_headers():
    """include/greenai/libgreenai.h and all it includes, from include/."""
    seen, todo = set(), ["greenai/libgreenai.h"]
    while todo:
        h = todo.pop()
        if h in seen:
            continue
        seen.add(h)
        for kind, inc in includes(os.path.join("include", h)):
            if kind == "<" and os.path.exists(os.path.join(TOP, "include",
                                                           inc)):
                todo.append(inc)
    return seen


def room_of_public(h):
    """The room a public header (greenai/x.h) belongs to."""
    name = os.path.basename(h)
    if name in PUBLIC_ROOM:
        return PUBLIC_ROOM[name]
    if h.startswith("uapi/"):
        return "core"
    stem = name[:-2] + ".c"
    for room in FLOORS:
        if os.path.exists(os.path.join(TOP, LIB, room, stem)):
            return room
    return None


def check_tools(tap):
    problems = []
    for tool in TOOLS:
        for path in sources(tool):
            for kind, inc in includes(path):
                local = os.path.exists(os.path.join(TOP, tool, inc))
                if kind == '"' and local and "/" not in inc:
                    continue
                if kind == "<" and inc == "greenai/libgreenai.h":
                    continue
                if kind == "<" and not inc.startswith(("greenai/", "uapi/")):
                    continue
                problems.append("%s includes %s%s%s" % (
                    path, kind, inc, '"' if kind == '"' else ">"))
    tap.result("layout: the tools include only <greenai/libgreenai.h> of "
               "the library", problems)


def check_public(tap, public):
    problems = []
    for h in sorted(public):
        for kind, inc in includes(os.path.join("include", h)):
            if kind == '"':
                problems.append("include/%s includes \"%s\"" % (h, inc))
            elif inc.startswith(("greenai/", "uapi/")) and inc not in public:
                problems.append("include/%s includes <%s>, not public" %
                                (h, inc))
    tap.result("layout: the public headers include public headers only",
               problems)


def check_rooms(tap):
    problems = []
    rooms = sorted(d for d in os.listdir(os.path.join(TOP, LIB))
                   if os.path.isdir(os.path.join(TOP, LIB, d)))
    for room in rooms:
        if room not in FLOORS:
            problems.append("%s/%s is a room of no floor" % (LIB, room))
    for path in sources(LIB):
        room = path.split("/")[2] if path.count("/") >= 3 else None
        if room not in FLOORS:
            continue
        for kind, inc in includes(path):
            if kind == '"':
                to = inc.split("/")[0] if "/" in inc else None
                if to is None:
                    if os.path.exists(os.path.join(TOP, os.path.dirname(path),
                                                   inc)):
                        problems.append("%s includes \"%s\" without its room"
                                        % (path, inc))
                    continue
            elif inc.startswith(("greenai/", "uapi/")):
                to = room_of_public(inc)
                if to == "top":
                    problems.append("%s includes <%s>: the library's own "
                                    "files take the headers they use" %
                                    (path, inc))
                    continue
            else:
                continue
            if to is None or to not in FLOORS:
                problems.append("%s includes %s, of no room" % (path, inc))
            elif to != room and FLOORS[to] >= FLOORS[room]:
                problems.append("%s (%s, floor %d) includes %s (%s, floor "
                                "%d)" % (path, room, FLOORS[room], inc, to,
                                         FLOORS[to]))
    tap.result("layout: each room of tools/lib includes only from rooms "
               "below it", problems)


def resolve(path, kind, inc):
    """The file of the tree an include names, or None (a system header)."""
    cands = []
    if kind == '"':
        cands.append(os.path.join(os.path.dirname(path), inc))
    cands += [os.path.join("include", inc), os.path.join(LIB, inc)]
    for c in cands:
        if os.path.exists(os.path.join(TOP, c)):
            return os.path.normpath(c)
    return None


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_include_cycles(tap):
    graph = collections.defaultdict(set)
    for folder in ("include", LIB) + TOOLS + ("kmod",):
        for path in sources(folder, (".h",)):
            for kind, inc in includes(path):
                to = resolve(path, kind, inc)
                if to:
                    graph[path].add(to)
    found = cycles(graph)
    tap.result("layout: no header includes itself through others",
               [" <-> ".join(c) for c in found])


def nm_symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TW":
            defined.add(parts[2])	# functions: a use of one is a call
    return defined, undefined


def call_graph(objs):
    """file -> files whose functions it calls (or takes), from nm."""
    syms = {o: nm_symbols(o) for o in objs}
    where = {}
    for o, (defined, _) in syms.items():
        for s in defined:
            where[s] = o
    graph = collections.defaultdict(set)
    for o, (_, undefined) in syms.items():
        graph[o]
        for s in undefined:
            if s in where and where[s] != o:
                graph[o].add(where[s])
    return graph


def objects(folder):
    out = []
    for d, _, files in os.walk(folder):
        out += [os.path.join(d, f) for f in files if f.endswith(".o")]
    return sorted(out)


def src_of(obj, build):
    """build/lib/tools/lib/base/files.o -> tools/lib/base/files.c"""
    for prefix in (os.path.join(build, "lib"), os.path.join(build, "obj")):
        if obj.startswith(prefix + os.sep):
            return obj[len(prefix) + 1:-2] + ".c"
    return obj


def check_calls(tap, build):
    lib = [o for o in objects(os.path.join(build, "lib"))]
    problems = []
    if not lib:
        problems.append("no objects under %s/lib: make tools first" % build)
    graph = call_graph(lib)
    for c in cycles(graph):
        problems.append("call each other: " +
                        ", ".join(src_of(o, build) for o in c))
    for o, tos in sorted(graph.items()):
        s = src_of(o, build)
        room = s.split("/")[2] if s.startswith(LIB + "/") else "core"
        for t in sorted(tos):
            ts = src_of(t, build)
            to = ts.split("/")[2] if ts.startswith(LIB + "/") else "core"
            if to != room and FLOORS.get(to, 9) >= FLOORS.get(room, 0):
                problems.append("%s (%s) calls up into %s (%s)" %
                                (s, room, ts, to))
    for tool in TOOLS:
        objs = objects(os.path.join(build, "obj", tool))
        if not objs:
            problems.append("no objects of %s: make tools first" % tool)
        for c in cycles(call_graph(objs)):
            problems.append("call each other: " +
                            ", ".join(src_of(o, build) for o in c))
    tap.result("layout: no files call each other in a loop, no room calls "
               "up", problems)


def public_symbols():
    """What the public headers declare: functions and data, by name."""
    cc = os.environ.get("CC", "cc")
    aux = subprocess.run(
        [cc, "-std=gnu11", "-Iinclude", "-fsyntax-only", "-aux-info",
         "/dev/stdout", "-x", "c", "-"],
        input="#include <greenai/libgreenai.h>\n", capture_output=True,
        text=True, cwd=TOP, check=True).stdout
    names = set()
    for line in aux.splitlines():
        m = re.match(r"/\* include/greenai/\S+:\d+:\w+ \*/ extern .*?\b"
                     r"(ga_\w+) \(", line)
        if m:
            names.add(m.group(1))
    for h in public_headers():
        with open(os.path.join(TOP, "include", h), encoding="utf-8") as f:
            for m in re.finditer(r"^extern [^(;]*?\b(ga_\w+)(\[\])?;", f.read(),
                                 re.M):
                names.add(m.group(1))
    return names


def write_map():
    names = sorted(public_symbols())
    with open(os.path.join(TOP, MAP), "w", encoding="utf-8") as f:
        f.write("/* libgreenai's exports: what include/greenai/libgreenai.h\n"
                " * declares. scripts/check-layout.py --write-map writes it;\n"
                " * make check fails when it and the headers differ. */\n")
        f.write("LIBGREENAI_0 {\n\tglobal:\n")
        for n in names:
            f.write("\t\t%s;\n" % n)
        f.write("\tlocal:\n\t\t*;\n};\n")
    print("%s: %d symbols" % (MAP, len(names)))


def check_exports(tap, build):
    problems = []
    so = os.path.join(build, "lib", "libgreenai.so.0")
    declared = public_symbols()
    with open(os.path.join(TOP, MAP), encoding="utf-8") as f:
        listed = set(re.findall(r"^\t\t(ga_\w+);$", f.read(), re.M))
    for n in sorted(declared - listed):
        problems.append("%s: %s is declared public but not listed" % (MAP, n))
    for n in sorted(listed - declared):
        problems.append("%s: %s is listed but no public header declares it"
                        % (MAP, n))
    if not os.path.exists(so):
        problems.append("no %s: make tools first" % so)
    else:
        out = subprocess.run(["nm", "-D", "--defined-only", so],
                             capture_output=True, text=True,
                             check=True).stdout
        exported = {l.split()[-1].split("@")[0] for l in out.splitlines()
                    if len(l.split()) == 3}
        exported.discard("LIBGREENAI_0")
        for n in sorted(exported - declared):
            problems.append("%s exports %s, which no public header declares"
                            % (so, n))
        for n in sorted(declared - exported):
            problems.append("%s does not export %s" % (so, n))
    tap.result("layout: libgreenai.so exports what the public headers "
               "declare, no more", problems)


def check_alone(tap, public):
    """Each public header compiles on its own, with gcc and with clang."""
    problems = []
    for cc in ("gcc", "clang"):
        if not shutil.which(cc):
            problems.append("no " + cc)
            continue
        for h in sorted(public):
            r = subprocess.run([cc, "-std=gnu11", "-fsyntax-only", "-Wall",
                                "-Wextra", "-Werror", "-Iinclude", "-x", "c",
                                "-"], input="#include <%s>\n" % h,
                               capture_output=True, text=True)
            if r.returncode:
                lines = r.stderr.strip().splitlines() or ["?"]
                first = next((l for l in lines if "error" in l), lines[0])
                problems.append("%s, alone, with %s: %s" % (h, cc, first))
    tap.result("layout: each public header compiles on its own", problems)


def check_kmod(tap, folder, name):
    objs = [o for o in objects(folder) if not o.endswith((".mod.o",))
            and os.path.basename(o) not in ("greenai.o",)]
    problems = [] if objs else ["no objects in " + folder]
    for c in cycles(call_graph(objs)):
        problems.append("call each other: " +
                        ", ".join(os.path.basename(o) for o in c))
    tap.result(name, problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--kmod", metavar="DIR")
    ap.add_argument("--name", default="layout: no two of greenai.ko's files "
                    "call each other")
    ap.add_argument("--write-map", action="store_true")
    a = ap.parse_args()
    os.chdir(TOP)
    tap = Tap()
    if a.write_map:
        write_map()
        return 0
    if a.kmod:
        check_kmod(tap, a.kmod, a.name)
        return 1 if tap.failed else 0
    public = public_headers()
    check_tools(tap)
    check_public(tap, public)
    check_rooms(tap)
    check_include_cycles(tap)
    check_calls(tap, a.build)
    check_exports(tap, a.build)
    check_alone(tap, public)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
