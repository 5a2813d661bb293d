#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of each libFuzzer target (tests/fuzz/corpus/),
from the fixtures the unit tests use and from the formats' own examples.
Re-run it when a fixture or a format changes; the seeds are committed."""
import json
import os
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(top, "tests", "fuzz", "corpus")


def seed(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def tree(fixture, sub, under=("sys", "class")):
    """A fixture's tree under sys/class/SUB (or UNDER/SUB) as the targets'
    tree input."""
    base = os.path.join(top, "tests", "fixtures", fixture, *under, sub)
    lines = []
    for d, dirs, files in sorted(os.walk(base)):
        for n in sorted(files + [x for x in dirs if os.path.islink(os.path.join(d, x))]):
            p = os.path.join(d, n)
            rel = os.path.relpath(p, base)
            if os.path.islink(p):
                lines.append("%s->%s" % (rel, os.readlink(p)))
            elif os.path.isfile(p):
                with open(p) as f:
                    lines.append("%s=%s" % (rel, f.read().replace("\n", "\\n")))
    return "\n".join(lines) + "\n"


for i, (fixture, sub) in enumerate([("powercap-intel", "powercap"),
                                    ("powercap-psys", "powercap"),
                                    ("powercap-amd-multidie", "powercap"),
                                    ("hwmon-energy", "hwmon"),
                                    ("hwmon-power", "hwmon"),
                                    ("drm-amdgpu", "drm"),
                                    ("drm-i915", "drm")]):
    k = {"powercap": 0, "hwmon": 1, "drm": 2}[sub]
    seed("fuzz_esrc_tree", fixture, bytes([k]) + tree(fixture, sub).encode())
seed("fuzz_esrc_tree", "FAKE-host-tree",
     bytes([3]) + tree("FAKE-host-tree", "host", ("var", "lib", "greenai")).encode())

seed("fuzz_config", "all-keys", """# greenai.conf
region = FR
pue = 1.2
ledger = /var/lib/greenai/ledger.db
intensity_providers = electricitymaps, carbonaware, file, static
electricitymaps_token = abc
electricitymaps_url = https://api.electricitymap.org/v3
electricitymaps_zone = DE
carbonaware_url = http://127.0.0.1:8080
carbonaware_location = westeurope
intensity_file = /srv/forecast.csv
http_timeout = 2.5
intensity_cache = 300
intensity_refresh = 60
""")
seed("fuzz_config", "intensity", "intensity = 56.25\r\n")
seed("fuzz_config", "bad", "region = FR\nregion = DE\n")

seed("fuzz_metrics", "ok", "accuracy=97.5\nloss=0.0123\nsamples=1797\n")
seed("fuzz_metrics", "bad", "accuracy = high\n=3\nx=1e400\n")

seed("fuzz_series", "csv", "timestamp,intensity\n2026-12-06T10:00:00Z,300\n2026-12-06T11:00:00+01:00,250.5,30m\n1796558400,100\n")
seed("fuzz_series", "em-latest", json.dumps({"zone": "DE", "carbonIntensity": 302, "datetime": "2026-12-06T10:00:00.000Z"}))
seed("fuzz_series", "em-forecast", json.dumps({"zone": "DE", "forecast": [
    {"carbonIntensity": 300, "datetime": "2026-12-06T10:00:00Z"},
    {"carbonIntensity": None, "datetime": "2026-12-06T11:00:00Z"},
    {"carbonIntensity": 120.5, "datetime": "2026-12-06T12:00:00Z"}]}))
seed("fuzz_series", "ca-forecast", json.dumps([{
    "location": "eastus", "windowSize": 60,
    "optimalDataPoints": [{"location": "eastus", "timestamp": "2026-12-06T12:00:00+00:00", "duration": 60, "value": 80}],
    "forecastData": [{"location": "eastus", "timestamp": "2026-12-06T10:00:00+00:00", "duration": 60, "value": 300},
                     {"location": "eastus", "timestamp": "2026-12-06T11:00:00+00:00", "duration": 60, "value": 80}]}]))
seed("fuzz_series", "ca-forecast-old", json.dumps([{
    "optimalDataPoint": {"timestamp": "2026-12-06T12:00:00Z", "duration": 5, "value": 80},
    "forecastData": []}]))
seed("fuzz_series", "ca-emissions", json.dumps([{"location": "eastus", "time": "2026-12-06T10:00:00Z", "rating": 41.5, "duration": "08:00:00"}]))
seed("fuzz_series", "duration", "1h30m")

for name, path in [
        ("docker", "/system.slice/docker-" + "a" * 64 + ".scope"),
        ("containerd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6e3f1c2a_8b7d_4e5f_9a0b_1c2d3e4f5a6b.slice/cri-containerd-" + "b" * 64 + ".scope"),
        ("crio", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f1e2d3c_4b5a_4978_8695_a4b3c2d1e0f9.slice/crio-" + "c" * 64 + ".scope"),
        ("cgroupfs", "/kubepods/burstable/pod6e3f1c2a-8b7d-4e5f-9a0b-1c2d3e4f5a6b/" + "d" * 64),
        ("podman", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + "e" * 64 + ".scope/container"),
        ("lxc", "/lxc.payload.web1/init.scope"),
        ("systemd", "/system.slice/nginx.service"),
        ("nested", "/docker/" + "f" * 64 + "/kubepods/besteffort/pod1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/" + "a" * 64)]:
    seed("fuzz_container_path", name, path)

for name, v in [("u64", "18446744073709551615\n"), ("s64", "-42"), ("cpulist", "0-3,8,10-11\n"),
                ("stat", "1234 (python3 train.py) R 1 1234 1234 0 -1 4194304 100 0 0 0 500 20 0 0 20 0 4 0 98765 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"),
                ("intensity", "56.250"), ("pue", "1.125"), ("region", "latin-america-and-caribbean"),
                ("providers", "electricitymaps, static")]:
    seed("fuzz_values", name, v)

# /proc/greenai tasks and cgroups lines (first byte: domains - 1)
# (as tests/unit/test_backend_kmod.c has them)
seed("fuzz_proc_greenai", "tasks", bytes([1]) + b"4242 8123 1500000 100 20 7 3 python3\\040train\n12 3 4 5 6 \n")
seed("fuzz_proc_greenai", "cgroups", bytes([0]) + b"77 5000 3 10 2 /system.slice/a\\134b.service\n5 0 0 0 0 -\n")

seed("fuzz_wl_meta", "containerd", bytes([0]) + json.dumps({"annotations": {
    "io.kubernetes.cri.container-name": "trainer", "io.kubernetes.cri.sandbox-name": "bert-0",
    "io.kubernetes.cri.sandbox-namespace": "ml"}}).encode())
seed("fuzz_wl_meta", "crio", bytes([1]) + json.dumps({"annotations": {
    "io.kubernetes.container.name": "trainer", "io.kubernetes.pod.name": "bert-0",
    "io.kubernetes.pod.namespace": "ml"}}).encode())
seed("fuzz_wl_meta", "docker", bytes([2]) + json.dumps({"Name": "/web", "Config": {"Labels": {
    "io.kubernetes.container.name": "web", "io.kubernetes.pod.name": "web-0",
    "io.kubernetes.pod.namespace": "default"}}}).encode())

for name, v in [("openmetrics", "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                ("text", "text/plain"), ("listen", "127.0.0.1:9102"), ("listen6", "[::1]:9102"),
                ("any", ":9102")]:
    seed("fuzz_http_accept", name, v)
print("seeds in", out, file=sys.stderr)
