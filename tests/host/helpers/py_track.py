# SPDX-License-Identifier: GPL-2.0
"""py_track.py CASE LEDGER: greenai.track (python/greenai) at work, for
tests/host/python.bats. Prints one JSON object, on the last line of
standard output, with what the test checks; the label goes to standard
error.

  train     a small PyTorch MLP trained on scikit-learn's bundled digits
            in `with greenai.track(...)`, its accuracy logged
  decorator the same in a function decorated with @greenai.track
  joined    a block inside a greenai run (run by the test under
            `greenai run`)
  children  a block whose work is done by a subprocess and a forked
            multiprocessing child, each spinning for CPU time
"""
import json
import multiprocessing
import os
import subprocess
import sys
import time

import greenai

CASE, LEDGER = sys.argv[1], sys.argv[2]


def cgroup():
    with open("/proc/self/cgroup") as f:
        return [l for l in f.read().splitlines() if l.startswith("0::")][0][3:]


def train_digits():
    """A few hundred ms of CPU: an MLP over the 8x8 digits; accuracy %."""
    import torch
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    train, test = slice(0, 1400), slice(1400, None)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                torch.nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x[train]), y[train])
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = model(x[test]).argmax(1)
    return round(float((pred == y[test]).float().mean()) * 100, 2), \
        float(loss)


def figures(run):
    return {k: getattr(run, k) for k in (
        "joined", "ledger_id", "model", "energy_j", "energy_uj", "co2e_g",
        "green_score", "accuracy", "estimated", "source", "idle_policy",
        "cpu_time_s", "units", "unit", "python_version", "cgroup", "ledger",
        "tags", "metrics")}


def spin(seconds):
    """Spin until this process has run @seconds of CPU time."""
    while time.process_time() < seconds:
        pass


def child_main(q):
    q.put(cgroup())
    spin(0.3)
    q.put(time.process_time())


out = {"before": cgroup()}
if CASE == "train":
    with greenai.track(model="digits-mlp", tags={"team": "vision"},
                       ledger=LEDGER) as run:
        out["inside"] = cgroup()
        out["started_cgroup"] = run.cgroup
        acc, loss = train_digits()
        run.log(accuracy=acc, loss=loss, units=397, unit="predictions")
elif CASE == "decorator":
    @greenai.track(model="digits-dec", ledger=LEDGER)
    def fit():
        out["inside"] = cgroup()
        acc, _ = train_digits()
        greenai.log(accuracy=acc)
        return acc

    out["returned"] = fit()
    run = fit.last_run
elif CASE == "joined":
    with greenai.track(model="digits-joined") as run:
        out["inside"] = cgroup()
        run.log(accuracy=91.5, epochs=3, units=1797, unit="images")
elif CASE == "children":
    ctx = multiprocessing.get_context("fork")
    with greenai.track(model="digits-children", ledger=LEDGER) as run:
        out["inside"] = cgroup()
        # a subprocess, and a forked child, each 0.3 s of CPU time
        sub = subprocess.run(
            [sys.executable, "-c",
             "import time\n"
             "print(open('/proc/self/cgroup').read().splitlines()[-1][3:])\n"
             "while time.process_time() < 0.3: pass\n"
             "print(time.process_time())\n"],
            check=True, capture_output=True, text=True)
        out["subprocess_cgroup"], cpu = sub.stdout.split()
        q = ctx.Queue()
        p = ctx.Process(target=child_main, args=(q,))
        p.start()
        out["forked_cgroup"] = q.get()
        # each child's own count of its CPU time, at its end
        out["children_cpu_s"] = float(cpu) + q.get()
        p.join()
else:
    sys.exit("py_track.py: unknown case " + CASE)
out["after"] = cgroup()
out["env_after"] = os.environ.get("GREENAI_METRICS")
out.update(figures(run))
print(json.dumps(out))
