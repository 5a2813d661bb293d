# SPDX-License-Identifier: GPL-2.0
"""Replay a forecast (CSV time,intensity as greenai's file provider reads
it) from now: every time moved by one offset, so that the first low
window (the first point at or under a threshold after one above it)
opens LEAD seconds from now. The points keep their figures and spans.

    replay_forecast.py IN OUT --below G --lead S

Prints shell assignments: window (the window's start, RFC 3339), low (its
figure), before (the figure in force until then, the one a run started
now would get), offset_s (how far the times moved).
"""
import argparse
import os
import time
from datetime import datetime, timezone


def parse(path):
    pts = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("time,"):
                continue
            t, g = line.split(",")[:2]
            t = datetime.fromisoformat(t.replace("Z", "+00:00"))
            pts.append((t.timestamp(), float(g)))
    return pts


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--below", type=float, required=True)
    ap.add_argument("--lead", type=float, required=True)
    a = ap.parse_args()
    pts = parse(a.src)
    i = next((i for i in range(1, len(pts))
              if pts[i][1] <= a.below < pts[i - 1][1]), None)
    if i is None:
        ap.error(f"{a.src}: no point at or under {a.below:g} g/kWh after "
                 "one above it")
    off = time.time() + a.lead - pts[i][0]
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"# {os.path.basename(a.src)} replayed: every time moved by "
                f"{off:.3f} s\ntime,intensity\n")
        for t, g in pts:
            f.write(f"{iso(t + off)},{g:g}\n")
    os.rename(tmp, a.out)
    print(f"window={iso(pts[i][0] + off)} low={pts[i][1]:g} "
          f"before={pts[i - 1][1]:g} offset_s={off:.3f}")


if __name__ == "__main__":
    main()
