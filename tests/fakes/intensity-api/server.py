#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A fake of the Electricity Maps API v3 and of the Carbon Aware SDK WebAPI,
for tests: the networks they live on are not reachable here.

    server.py PORTFILE LOGFILE VALUES

listens on 127.0.0.1 (a free port, written to PORTFILE once it listens),
and answers under a first path element that says how to behave:

    /ok/...      the API's answer
    /old/...     the same, with the SDK's older optimalDataPoint spelling
    /e500/...    HTTP 500 with an error body
    /e401/...    HTTP 401, as for a bad token
    /slow/...    the answer, 30 s late
    /bad/...     JSON cut short
    /badvalue/.. a well-formed answer whose intensity is a string
    /huge/...    5 MiB of a JSON array

then em/carbon-intensity/{latest,forecast,history}?zone=Z, or
ca/emissions/bylocation?location=L and ca/emissions/forecasts/current.

VALUES is the forecast, g/kWh, one per hour from the start of the current
hour (comma-separated); the latest figure is the first of them, and the
history is the same values for the hours before. Each request is logged to
LOGFILE as "METHOD PATH auth-token=TOKEN".
"""
import json
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORTFILE, LOGFILE, VALUES = sys.argv[1], sys.argv[2], sys.argv[3]
VALUES = [float(v) for v in VALUES.split(",")]
LOCK = threading.Lock()


def iso(t, ms=False):
    d = datetime.fromtimestamp(t, timezone.utc)
    return d.isoformat(timespec="milliseconds" if ms else "seconds")


def hour0():
    return int(time.time()) // 3600 * 3600


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def em(self, kind, q, mode):
        zone = q.get("zone", ["?"])[0]
        h = hour0()
        pts = [{"carbonIntensity": v, "datetime": iso(h + 3600 * i, True).replace("+00:00", "Z")}
               for i, v in enumerate(VALUES)]
        if mode == "badvalue":
            pts[0]["carbonIntensity"] = "lots"
        if kind == "latest":
            return dict(zone=zone, updatedAt=iso(h), isEstimated=False, **pts[0])
        if kind == "forecast":
            return {"zone": zone, "forecast": pts, "updatedAt": iso(h)}
        if kind == "history":
            past = [{"carbonIntensity": v, "datetime": iso(h - 3600 * (len(VALUES) - i))}
                    for i, v in enumerate(VALUES)]
            return {"zone": zone, "history": past}
        return None

    def ca(self, path, q, mode):
        loc = q.get("location", ["?"])[0]
        h = hour0()
        if path == "emissions/bylocation":
            out = [{"location": loc, "time": iso(h - 3600 * (len(VALUES) - 1 - i)),
                    "rating": v, "duration": "01:00:00"} for i, v in enumerate(VALUES)]
            if mode == "badvalue":
                out[-1]["rating"] = "lots"
            return out
        if path == "emissions/forecasts/current":
            data = [{"location": loc, "timestamp": iso(h + 3600 * i), "duration": 60,
                     "value": v} for i, v in enumerate(VALUES)]
            if mode == "badvalue":
                data[0]["value"] = "lots"
            best = min(range(len(VALUES)), key=lambda i: (VALUES[i], i))
            f = {"generatedAt": iso(h), "location": loc, "dataStartAt": iso(h),
                 "dataEndAt": iso(h + 3600 * len(VALUES)), "windowSize": 60,
                 "forecastData": data}
            if mode == "old":
                f["optimalDataPoint"] = data[best]
            else:
                f["optimalDataPoints"] = [data[best]]
            return [f]
        return None

    def do_GET(self):
        u = urlsplit(self.path)
        parts = u.path.strip("/").split("/", 2)
        with LOCK, open(LOGFILE, "a") as log:
            log.write("GET %s auth-token=%s\n" % (self.path, self.headers.get("auth-token", "")))
        if len(parts) < 3:
            return self.send(404, '{"error": "not found"}')
        mode, api, rest = parts
        q = parse_qs(u.query)
        if mode == "e500":
            return self.send(500, '{"error": "internal error"}')
        if mode == "e401":
            return self.send(401, '{"error": "bad token"}')
        if mode == "slow":
            time.sleep(30)
        if mode == "bad":
            return self.send(200, '{"zone": "DE", "carbonIntensity": 3')
        if mode == "huge":
            return self.send(200, "[" + "0," * (5 * 1024 * 1024 // 2) + "0]")
        body = None
        if api == "em" and rest.startswith("carbon-intensity/"):
            body = self.em(rest.split("/", 1)[1], q, mode)
        elif api == "ca":
            body = self.ca(rest, q, mode)
        if body is None:
            return self.send(404, '{"error": "not found"}')
        return self.send(200, json.dumps(body))


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
