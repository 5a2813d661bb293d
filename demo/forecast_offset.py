# SPDX-License-Identifier: GPL-2.0
"""The offset that replays a forecast from now: the length to move every
time of a forecast file (CSV time,intensity, as greenai's file provider
reads it) by, so that its first low window (the first point at or under a
threshold after one above it) opens LEAD seconds from now. greenai.conf's
intensity_file_offset takes it.

    forecast_offset.py FORECAST --below G --lead S

Prints shell assignments: offset (whole seconds, "61229s" or "-3600s"),
window (the window's start once moved, RFC 3339), low (its figure),
before (the figure in force until then: what a run started now gets).
"""
import argparse
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
            pts.append((int(t.timestamp()), float(g)))
    return pts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("forecast")
    ap.add_argument("--below", type=float, required=True)
    ap.add_argument("--lead", type=float, required=True)
    a = ap.parse_args()
    pts = parse(a.forecast)
    i = next((i for i in range(1, len(pts))
              if pts[i][1] <= a.below < pts[i - 1][1]), None)
    if i is None:
        ap.error(f"{a.forecast}: no point at or under {a.below:g} g/kWh "
                 "after one above it")
    off = round(time.time() + a.lead) - pts[i][0]
    start = datetime.fromtimestamp(pts[i][0] + off, timezone.utc)
    print(f"offset={'-' if off < 0 else ''}{abs(off)}s "
          f"window={start.isoformat().replace('+00:00', 'Z')} "
          f"low={pts[i][1]:g} before={pts[i - 1][1]:g}")


if __name__ == "__main__":
    main()
