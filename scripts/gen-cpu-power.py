#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate tools/lib/energy/cpu_power_table.c, the power model's coefficients
per processor family: Cloud Carbon Footprint's minimum and maximum watts per
vCPU (Apache-2.0), as its npm packages for Azure and AWS publish them, with
the families' names from @cloud-carbon-footprint/core.

    scripts/gen-cpu-power.py [--dir DIR] [--published YYYY-MM-DD] [-o OUT]

Without --dir, `npm pack` fetches the pinned versions below into a temporary
folder (--dir: a folder holding their tarballs already); without
--published, `npm view` gives the date the newest of them was published.
A family found in two packages must have the same figures in both; the
first package's wins the name, and its average over families is the
fallback for a CPU of no known family. Re-run it when the data updates
and commit the result; the build never runs it.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

# The providers, in order of preference, and the package naming families.
PACKAGES = [
    ("@cloud-carbon-footprint/azure", "1.8.0",
     "package/dist/domain/AzureFootprintEstimationConstants.js"),
    ("@cloud-carbon-footprint/aws", "0.15.0",
     "package/dist/domain/AwsFootprintEstimationConstants.js"),
]
# the version both providers above depend on (^0.17.3)
CORE = ("@cloud-carbon-footprint/core", "0.17.3",
        "package/src/compute/ComputeProcessorTypes.ts")
MAX_MW = 1000000  # 1 kW per vCPU: no CPU draws more


def fail(msg):
    sys.exit(f"gen-cpu-power: {msg}")


def tarball(name, version, folder):
    pattern = os.path.join(folder, name[1:].replace("/", "-") +
                           f"-{version}.tgz")
    found = glob.glob(pattern)
    if found:
        return found[0]
    try:
        out = subprocess.run(["npm", "pack", f"{name}@{version}"],
                             cwd=folder, check=True, capture_output=True,
                             text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"npm pack {name}@{version}: {e}")
    return os.path.join(folder, out[-1])


def member(tgz, path):
    with tarfile.open(tgz) as t:
        try:
            return t.extractfile(path).read().decode()
        except KeyError:
            fail(f"{tgz}: no {path}")


def published(packages):
    dates = []
    for name, version, _ in packages:
        try:
            out = subprocess.run(["npm", "view", name, "time", "--json"],
                                 check=True, capture_output=True,
                                 text=True).stdout
            dates.append(json.loads(out)[version][:10])
        except (OSError, subprocess.CalledProcessError, ValueError,
                KeyError) as e:
            fail(f"npm view {name} time: no date for {version}: {e}")
    return max(dates)


def cpu_types(text):
    """The CPU members of COMPUTE_PROCESSOR_TYPES: key -> family name."""
    m = re.search(r"// CPU Processors(.*?)// GPU Processors", text, re.S)
    if not m:
        fail(f"{CORE[2]}: no CPU section in COMPUTE_PROCESSOR_TYPES")
    types = dict(re.findall(r"(\w+) = '([^']+)'", m.group(1)))
    if not types:
        fail(f"{CORE[2]}: no CPU processor types")
    return types


def watts(text, what, path):
    """MIN or MAX: (average, {processor key: W per vCPU})."""
    avg = re.search(rf"{what}_WATTS_AVG: ([0-9.]+),", text)
    block = re.search(rf"{what}_WATTS_BY_COMPUTE_PROCESSOR: \{{(.*?)\}}",
                      text, re.S)
    if not avg or not block:
        fail(f"{path}: no {what}_WATTS_AVG or {what}_WATTS_BY_COMPUTE_PROCESSOR")
    rows = re.findall(r"COMPUTE_PROCESSOR_TYPES\.(\w+)\]: ([0-9.]+),",
                      block.group(1))
    return float(avg.group(1)), {k: float(v) for k, v in rows}


def milliwatts(w, where):
    mw = round(w * 1000)
    if not 0 <= mw <= MAX_MW:
        fail(f"{where}: {w} W per vCPU is not a CPU's")
    return mw


def read_all(folder):
    types = cpu_types(member(tarball(CORE[0], CORE[1], folder), CORE[2]))
    families, average = {}, None
    for name, version, path in PACKAGES:
        text = member(tarball(name, version, folder), path)
        min_avg, mins = watts(text, "MIN", path)
        max_avg, maxs = watts(text, "MAX", path)
        source = f"{name}@{version}"
        if average is None:
            average = (milliwatts(min_avg, path), milliwatts(max_avg, path),
                       source)
        for key, lo in mins.items():
            if key not in types:
                continue  # a GPU's
            if key not in maxs:
                fail(f"{path}: {key} has a minimum and no maximum")
            row = (milliwatts(lo, path), milliwatts(maxs[key], path))
            if row[0] > row[1]:
                fail(f"{path}: {key}: minimum above maximum")
            family = types[key]
            if family in families:
                if families[family][:2] != row:
                    fail(f"{family}: {families[family][2]} and {source} differ")
                continue
            families[family] = row + (source,)
    if not families:
        fail("no CPU family in any package")
    return families, average


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(families, average, date):
    out = [
        "// SPDX-License-Identifier: GPL-2.0",
        "/*",
        " * Generated by scripts/gen-cpu-power.py: do not edit.",
        " * The power model's coefficients: minimum and maximum watts per vCPU",
        " * per processor family, from Cloud Carbon Footprint (Apache-2.0,",
        " * https://www.cloudcarbonfootprint.org/docs/methodology), as these npm",
        " * packages publish them:",
    ]
    out += [f" *   {n} {v}" for n, v, _ in PACKAGES]
    out += [
        f" * the newest published {date}; family names from",
        f" * {CORE[0]} {CORE[1]}. Sorted by family; mW.",
        " */",
        '#include "energy/cpu_power.h"',
        "",
        "const char ga_cpu_power_date[] = " + c_string(date) + ";",
        "",
        "const struct ga_cpu_power_row ga_cpu_power_rows[] = {",
    ]
    for family in sorted(families):
        lo, hi, source = families[family]
        out.append(f"\t{{ {c_string(family)}, {lo}, {hi}, "
                   f"{c_string(source)} }},")
    out += [
        "};",
        "",
        "const unsigned int ga_cpu_power_nr_rows =",
        "\tsizeof(ga_cpu_power_rows) / sizeof(ga_cpu_power_rows[0]);",
        "",
        "/* the first package's average over its families */",
        "const struct ga_cpu_power_row ga_cpu_power_average = {",
        f"\t\"average\", {average[0]}, {average[1]}, {c_string(average[2])}",
        "};",
        "",
    ]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", help="a folder with the packages' tarballs")
    ap.add_argument("--published", help="the data's date, YYYY-MM-DD")
    ap.add_argument("-o", "--output",
                    default=os.path.join(os.path.dirname(__file__), "..",
                                         "tools/lib/energy/cpu_power_table.c"))
    a = ap.parse_args()
    if a.published and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.published):
        fail(f"--published {a.published}: not YYYY-MM-DD")
    with tempfile.TemporaryDirectory() as tmp:
        families, average = read_all(a.dir or tmp)
    date = a.published or published(PACKAGES)
    with open(a.output, "w") as f:
        f.write(generate(families, average, date))
    print(f"gen-cpu-power: {len(families)} families -> {a.output}")


if __name__ == "__main__":
    main()
