# SPDX-License-Identifier: GPL-2.0
"""What the table generators (gen-intensity.py, gen-cpu-power.py) share:
fetching a pinned npm package and the date it was published. Errors come
back as NpmError, whose text says which command failed and why.
"""
import json
import subprocess


class NpmError(Exception):
    pass


def pack(name, version, folder):
    """`npm pack NAME@VERSION` into FOLDER; the tarball's path."""
    try:
        out = subprocess.run(["npm", "pack", f"{name}@{version}"],
                             cwd=folder, check=True, capture_output=True,
                             text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError) as e:
        raise NpmError(f"npm pack {name}@{version}: {e}") from e
    return f"{folder}/{out[-1]}"


def published(name, version):
    """The date (YYYY-MM-DD) NAME@VERSION was published, by `npm view`."""
    try:
        out = subprocess.run(["npm", "view", name, "time", "--json"],
                             check=True, capture_output=True,
                             text=True).stdout
        return json.loads(out)[version][:10]
    except (OSError, subprocess.CalledProcessError, ValueError,
            KeyError) as e:
        raise NpmError(f"npm view {name} time: no date for {version}: {e}") \
            from e
