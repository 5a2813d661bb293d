# SPDX-License-Identifier: GPL-2.0
"""greenai for Python: the energy and CO2e of a block of code.

    import greenai

    with greenai.track(model="cnn", tags={"team": "vision"}) as run:
        train()
        run.log(accuracy=97.1, units=10000, unit="predictions")
    print(run.energy_j, run.co2e_g, run.green_score)

    @greenai.track(model="cnn")
    def train():
        ...
        greenai.log(accuracy=97.1)

Outside a greenai run, a block starts `greenai run --pid <this process>`:
greenai moves the process into a cgroup of its own for the block, and
everything it runs there (its threads, the processes it starts) is
measured; at the end of the block the process goes back to its cgroup,
greenai prints its carbon label on standard error and records the run in
its ledger, and the run object gets the figures. Inside a greenai run (a
script started by `greenai run -- python ...`, or a block within a
block), the block joins that run: what it logs goes to the run's metrics
file, and the figures are that run's (run.joined is True, its figures
None). See docs/python.md.

Standard library only. The greenai command is $GREENAI_BIN, else the
one on PATH; --pid needs root for now.
"""
import fcntl
import functools
import json
import math
import numbers
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

__all__ = ["GreenaiError", "Run", "track", "log", "current_run"]

_KEY = re.compile(r"[a-z_][a-z0-9_]*\Z")
_KEY_MAX = 64           # greenai's metric keys: 1 to 64 bytes
_VALUE_MAX = 31         # a number as written, in bytes
# the texts greenai's metrics file takes: what a unit of work is, and the
# Python (written by the package itself)
_TEXTS = {"unit": re.compile(r"[A-Za-z0-9_.-]{1,24}\Z"),
          "python_version": re.compile(r"[A-Za-z0-9.+-]{1,31}\Z")}
_TAG = re.compile(r"[^\x00-\x1f\x7f]{1,255}\Z")
_FILE_MAX = 65536       # greenai reads a metrics file of 64 KiB at most
_KEYS_MAX = 64          # and 64 metrics


class GreenaiError(Exception):
    """greenai could not measure the block, or a value was refused."""


def _metric_line(key, value):
    """key=value as greenai's metrics file has it, or GreenaiError."""
    if not isinstance(key, str) or not _KEY.match(key) or len(key) > _KEY_MAX:
        raise GreenaiError(
            "log: %r: a key is 1 to 64 of a-z 0-9 _, not starting with a "
            "digit" % (key,))
    if key in _TEXTS:
        if not isinstance(value, str) or not _TEXTS[key].match(value):
            raise GreenaiError(
                "log: %s=%r: %s" % (key, value, "a name of 1 to 24 of A-Z "
                                    "a-z 0-9 _ . -" if key == "unit" else
                                    "1 to 31 of A-Z a-z 0-9 . + -"))
        return "%s=%s\n" % (key, value)
    if isinstance(value, str):
        raise GreenaiError(
            "log: %s=%r: only unit= is a string (what a unit of work is); "
            "the run's metrics are numbers: record other texts as tags, "
            "track(tags=...)" % (key, value))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GreenaiError("log: %s=%r: not a number" % (key, value))
    if key == "units" and not value > 0:
        raise GreenaiError("log: units=%r: a count above 0" % (value,))
    text = None
    if isinstance(value, numbers.Integral):
        text = str(int(value))
    if text is None or len(text) > _VALUE_MAX:
        f = float(value)
        if not math.isfinite(f):
            raise GreenaiError("log: %s=%r: not a finite number" % (key, value))
        text = repr(f)
    return "%s=%s\n" % (key, text)


def _line_key(line):
    eq = line.find(b"=")
    return line[:eq] if eq > 0 and not line.startswith(b"#") else None


def _append(path, lines):
    """Add @lines to the metrics file @path, as one writer at a time.

    The last of a key wins; when the file would pass greenai's 64 KiB, the
    lines a later one of the same key overrides are dropped first.
    """
    data = "".join(lines).encode()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW |
                     os.O_CLOEXEC)
    except OSError as e:
        raise GreenaiError("the run's metrics file %s: %s" %
                           (path, e.strerror)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        st = os.fstat(fd)
        if not (st.st_mode & 0o170000 == 0o100000):
            raise GreenaiError("the run's metrics file %s: not a regular "
                               "file" % path)
        old = os.pread(fd, min(st.st_size, _FILE_MAX + 1), 0)
        keys = {k for k in map(_line_key, old.splitlines()) if k}
        new = {k for k in map(_line_key, data.splitlines()) if k}
        if len(keys | new) > _KEYS_MAX:
            raise GreenaiError("log: a run has 64 metrics at most")
        if len(old) + len(data) > _FILE_MAX:
            last = {}
            for line in old.splitlines():
                k = _line_key(line)
                if k:
                    last.pop(k, None)
                    last[k] = line
            old = b"".join(v + b"\n" for v in last.values())
            if len(old) + len(data) > _FILE_MAX:
                raise GreenaiError("log: the run's metrics would pass 64 KiB")
            os.ftruncate(fd, 0)
            data = old + data
        os.write(fd, data)
    finally:
        os.close(fd)


def _python_version():
    return platform.python_version()


class Run:
    """One block's run: what it logged and, at its end, its figures.

    The figures are None until the block ends, and for a joined run
    (joined is True: the block was inside a greenai run, whose own label
    and ledger row have them).
    """

    _FIGURES = ("energy_j", "energy_uj", "energy_by_domain_j", "co2e_g",
                "intensity_g_per_kwh", "intensity_source", "region", "pue",
                "accuracy", "green_score", "estimated", "estimated_by",
                "source", "idle_policy", "duration_s", "cpu_time_s",
                "units", "unit", "python_version", "ledger", "ended",
                "result")

    def __init__(self, model, tags, joined, ledger_id, metrics_path,
                 cgroup=None):
        self.model = model
        self.tags = dict(tags)
        self.joined = joined
        self.ledger_id = ledger_id
        self.metrics_path = metrics_path
        self.cgroup = cgroup
        self.metrics = {}
        for name in self._FIGURES:
            setattr(self, name, None)
        self._pid = os.getpid()

    def log(self, **values):
        """Record metrics of the run: log(accuracy=97.1, unit="images").

        Keys are [a-z_][a-z0-9_]*; values finite numbers (accuracy, in %,
        gives the Green Score; units, above 0, the count of units of work
        the run made, for per-unit figures), but unit, what a unit is: a
        string of 1 to 24 of A-Z a-z 0-9 _ . - ("predictions"). The last
        value of a key wins. Checked before anything is written: a bad one
        raises GreenaiError, and nothing is logged.
        """
        if self.ended is not None:
            raise GreenaiError("log: the run has ended")
        lines = [_metric_line(k, v) for k, v in values.items()]
        _append(self.metrics_path, lines)
        self.metrics.update(values)

    def _take(self, j):
        self.result = j
        self.ledger_id = j.get("id")
        self.energy_uj = j.get("energy_uj")
        if self.energy_uj is not None:
            self.energy_j = self.energy_uj / 1e6
        self.energy_by_domain_j = {
            d["domain"]: (d["active_uj"] + d["idle_uj"]) / 1e6
            for d in j.get("domains") or ()}
        if j.get("co2_ug") is not None:
            self.co2e_g = j["co2_ug"] / 1e6
        intensity = j.get("intensity") or {}
        self.intensity_g_per_kwh = intensity.get("g_per_kwh")
        self.intensity_source = intensity.get("source")
        self.region = intensity.get("region")
        self.pue = j.get("pue")
        self.accuracy = j.get("accuracy_pct")
        self.green_score = j.get("green_score")
        self.estimated = j.get("estimated")
        self.estimated_by = j.get("estimated_by")
        self.source = j.get("energy_sources")
        self.idle_policy = j.get("idle_policy")
        self.duration_s = j.get("duration_s")
        self.cpu_time_s = j.get("cpu_s")
        self.units = j.get("units")
        self.unit = j.get("unit")
        self.python_version = j.get("python_version")
        self.ledger = j.get("ledger")
        self.ended = j.get("ended")
        self.cgroup = j.get("cgroup", self.cgroup)

    def __repr__(self):
        if self.joined:
            return "<greenai.Run joined run %s, model %r>" % (
                self.ledger_id, self.model)
        if self.energy_j is None:
            return "<greenai.Run %s of model %r, running>" % (
                self.ledger_id, self.model)
        return "<greenai.Run %s of model %r: %.6f J, %.6f g CO2e, %s>" % (
            self.ledger_id, self.model, self.energy_j, self.co2e_g,
            "estimated" if self.estimated else "measured")


_active = []            # this process's runs, the innermost last


def _after_fork_in_child():
    # A forked child must not hold the pipe that ends its parent's run,
    # nor end the run itself.
    for run in _active:
        proc = getattr(run, "_proc", None)
        if proc is not None and proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
    _active.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def current_run():
    """The innermost run of this process's blocks, or None."""
    return _active[-1] if _active else None


def log(**values):
    """Run.log() on the current run; inside a greenai run without a block,
    straight to its metrics file ($GREENAI_METRICS)."""
    run = current_run()
    if run is not None:
        return run.log(**values)
    path = os.environ.get("GREENAI_METRICS")
    if not path:
        raise GreenaiError("log: not in a greenai run (use greenai.track)")
    _append(path, [_metric_line(k, v) for k, v in values.items()])
    return None


def _greenai_bin():
    path = os.environ.get("GREENAI_BIN") or shutil.which("greenai")
    if not path:
        raise GreenaiError("no greenai command: install greenai or set "
                           "GREENAI_BIN")
    return path


class track:
    """Measure a block (with) or each call of a function (decorator).

    model: the model the code trains or serves (the run's label);
    tags: {key: short string}, recorded with the run. The rest are
    `greenai run`'s options: ledger (path), region (a country code),
    intensity (g CO2e/kWh), pue, idle (capacity, busy or none), backend
    (auto, module or bpf), interval_ms.
    """

    _OPTS = (("ledger", "--ledger"), ("region", "--region"),
             ("intensity", "--intensity"), ("pue", "--pue"),
             ("idle", "--idle"), ("backend", "--backend"),
             ("interval_ms", "--interval-ms"))

    def __init__(self, model=None, tags=None, *, ledger=None, region=None,
                 intensity=None, pue=None, idle=None, backend=None,
                 interval_ms=None):
        if callable(model):
            raise GreenaiError("track: a decorator with its parentheses: "
                               "@greenai.track() or @greenai.track(model=...)")
        if model is not None and (not isinstance(model, str) or not model or
                                  len(model.encode()) > 255 or
                                  any(ord(c) < 0x20 for c in model)):
            raise GreenaiError("track: model %r: 1 to 255 bytes, no control "
                               "character" % (model,))
        tags = dict(tags or {})
        for k, v in tags.items():
            if not isinstance(k, str) or not _KEY.match(k) or len(k) > 64:
                raise GreenaiError("track: tag %r: a key is 1 to 64 of a-z "
                                   "0-9 _, not starting with a digit" % (k,))
            if not isinstance(v, str) or not _TAG.match(v):
                raise GreenaiError("track: tag %s=%r: a string of 1 to 255 "
                                   "characters, no control character"
                                   % (k, v))
        self._kwargs = dict(model=model, tags=tags, ledger=ledger,
                            region=region, intensity=intensity, pue=pue,
                            idle=idle, backend=backend,
                            interval_ms=interval_ms)
        self.model = model
        self.tags = tags
        self._opts = {k: v for k, v in self._kwargs.items()
                      if v is not None and k not in ("model", "tags")}
        self._run = None

    # --- the block -----------------------------------------------------

    def __enter__(self):
        if self._run is not None:
            raise GreenaiError("track: this block is already running")
        metrics = os.environ.get("GREENAI_METRICS")
        if metrics:
            run = self._join(metrics)
        else:
            run = self._start()
        self._run = run
        _active.append(run)
        return run

    def _join(self, metrics):
        rid = os.environ.get("GREENAI_RUN_ID", "")
        run = Run(self.model, self.tags, True,
                  int(rid) if rid.isdigit() else None, metrics)
        _append(metrics, [_metric_line("python_version", _python_version())])
        if self.tags:
            warnings.warn("greenai: a block inside a greenai run joins it: "
                          "its tags are not recorded (the run's are its "
                          "--tag)", stacklevel=3)
        return run

    def _start(self):
        argv = [_greenai_bin(), "run", "--pid", str(os.getpid())]
        if self.model is not None:
            argv += ["--model", self.model]
        for k, v in self.tags.items():
            argv += ["--tag", "%s=%s" % (k, v)]
        for name, flag in self._OPTS:
            if name in self._opts:
                argv += [flag, str(self._opts[name])]
        err = tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err,
                                    start_new_session=True)
        except OSError as e:
            err.close()
            raise GreenaiError("cannot start %s: %s" %
                               (argv[0], e.strerror)) from None
        line = proc.stdout.readline().decode(errors="replace")
        fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
        if not line.startswith("started ") or not {"run", "metrics",
                                                   "cgroup"} <= set(fields):
            proc.stdin.close()
            proc.stdout.read()
            rc = proc.wait()
            raise GreenaiError(self._failed(rc, err, line))
        run = Run(self.model, self.tags, False, int(fields["run"]),
                  fields["metrics"], fields["cgroup"])
        run._proc, run._err = proc, err
        run._env = {k: os.environ.get(k)
                    for k in ("GREENAI_METRICS", "GREENAI_RUN_ID")}
        # what this process starts now is in the run: it joins it
        os.environ["GREENAI_METRICS"] = run.metrics_path
        os.environ["GREENAI_RUN_ID"] = fields["run"]
        try:
            _append(run.metrics_path,
                    [_metric_line("python_version", _python_version())])
        except GreenaiError:
            self._finish(run)
            raise
        return run

    @staticmethod
    def _failed(rc, err, first=""):
        err.seek(0)
        text = (first + err.read().decode(errors="replace")).strip()
        err.close()
        return "greenai run --pid failed (exit status %d)%s" % (
            rc, ": " + text if text else "")

    def _finish(self, run):
        """End @run's greenai: its figures, or GreenaiError."""
        proc, err = run._proc, run._err
        for k, v in run._env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        proc.stdin.close()
        out = proc.stdout.read().decode(errors="replace")
        proc.stdout.close()
        rc = proc.wait()
        run._proc = None
        if rc:
            raise GreenaiError(self._failed(rc, err))
        err.seek(0)
        label = err.read().decode(errors="replace")
        err.close()
        if label:
            sys.stderr.write(label)
            sys.stderr.flush()
        try:
            j = json.loads(out)
        except ValueError:
            raise GreenaiError("greenai run --pid gave no figures: %r"
                               % out[:200]) from None
        run._take(j)

    def __exit__(self, exc_type, exc, tb):
        run, self._run = self._run, None
        if run is None or run._pid != os.getpid():
            return False        # a forked child's copy: not its run
        if run in _active:
            _active.remove(run)
        if run.joined:
            run.ended = "joined: the outer run goes on"
            return False
        try:
            self._finish(run)
        except GreenaiError as e:
            if exc_type is None:
                raise
            sys.stderr.write("greenai: %s\n" % e)
        return False

    # --- the decorator -------------------------------------------------

    def __call__(self, fn):
        kwargs = self._kwargs

        @functools.wraps(fn)
        def wrapper(*args, **kw):
            with track(**kwargs) as run:
                wrapper.last_run = run
                return fn(*args, **kw)

        wrapper.last_run = None
        return wrapper
