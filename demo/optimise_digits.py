# SPDX-License-Identifier: GPL-2.0
"""The optimisation techniques `make demo` measures, on scikit-learn's
bundled handwritten digits (8x8 images, 1797 samples, shipped in Debian's
python3-sklearn: nothing is downloaded), with PyTorch on the CPU:

    optimise_digits.py train    --out M.pt [--hidden 256,256] [--epochs N]
    optimise_digits.py prune    --model M.pt --out P.pt [--amount 0.7] [--epochs N]
    optimise_digits.py quantise --model M.pt --out Q.pt
    optimise_digits.py distil   --model M.pt --out D.pt [--hidden 32] [--epochs N]
                                [--temperature 4] [--alpha 0.7]
    optimise_digits.py infer    --model M.pt [--repeat N]

Each step writes its test accuracy (%) and the model's parameters (those
not zero) to the file greenai run names in $GREENAI_METRICS (key=value
lines); `infer` predicts the test set N times and writes units=N x its
size, the predictions made, and unit=predictions. Models pass between
steps as whole modules in files (torch.save), never downloaded.
"""
import argparse
import contextlib
import os
import platform
import sys
import tempfile

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn.utils import prune

SEED = 0
BATCH = 64


def data():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=0.25,
                                          random_state=SEED)
    t = lambda a, d: torch.tensor(a, dtype=d)
    return (t(Xtr, torch.float32), t(ytr, torch.long),
            t(Xte, torch.float32), t(yte, torch.long))


def mlp(hidden):
    sizes = [64] + [int(n) for n in hidden.split(",")] + [10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return 100.0 * (model(X).argmax(1) == y).float().mean().item()


def parameters(model):
    """Weights that are not zero, and biases, of its Linear layers, float
    or quantised (whose packed weights are not torch parameters)."""
    n = 0
    for m in model.modules():
        if isinstance(m, torch.ao.nn.quantized.dynamic.Linear):
            w, b = m.weight().int_repr(), m.bias()
        elif isinstance(m, nn.Linear):
            w, b = m.weight, m.bias
        else:
            continue
        n += int((w != 0).sum()) + (b.numel() if b is not None else 0)
    return n


@contextlib.contextmanager
def quiet_qnnpack():
    """Debian's torch warns through glog, on standard error, at every
    forward of a dynamic int8 Linear under qnnpack, that qnnpack ignores
    reduce_range (its kernels need no reduced range): those lines are
    dropped, whatever else was written passed on."""
    noise = ("qnnpack incorrectly ignores reduce_range",
             "Logging before InitGoogleLogging")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            for line in tmp.read().decode(errors="replace").splitlines():
                if not any(n in line for n in noise):
                    print(line, file=sys.stderr)


def fit(model, X, y, epochs, loss_fn, lr=1e-3):
    """Adam over minibatches, the same order every time (SEED)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(X), generator=g).split(BATCH):
            opt.zero_grad()
            loss_fn(model(X[idx]), idx).backward()
            opt.step()


def metrics(**kv):
    path = os.environ.get("GREENAI_METRICS")
    if not path:
        print("GREENAI_METRICS is not set: run me under greenai run",
              file=sys.stderr)
        return
    # the CodeCarbon export's python_version column
    kv.setdefault("python_version", platform.python_version())
    with open(path, "a") as f:
        for k, v in kv.items():
            f.write(f"{k}={v}\n")


def cmd_train(a, Xtr, ytr, Xte, yte):
    model = mlp(a.hidden)
    fit(model, Xtr, ytr, a.epochs,
        lambda out, idx: F.cross_entropy(out, ytr[idx]))
    torch.save(model, a.out)
    acc = accuracy(model, Xte, yte)
    print(f"trained mlp {a.hidden}: {parameters(model)} parameters, "
          f"{a.epochs} epochs, test accuracy {acc:.2f} %")
    metrics(accuracy=f"{acc:.4f}", parameters=parameters(model),
            epochs=a.epochs)


def cmd_prune(a, Xtr, ytr, Xte, yte):
    model = torch.load(a.model)
    ls = linears(model)
    prune.global_unstructured([(m, "weight") for m in ls],
                              pruning_method=prune.L1Unstructured,
                              amount=a.amount)
    # fine-tuning under the masks, then the masks made permanent
    fit(model, Xtr, ytr, a.epochs,
        lambda out, idx: F.cross_entropy(out, ytr[idx]))
    for m in ls:
        prune.remove(m, "weight")
    torch.save(model, a.out)
    total = sum(m.weight.numel() for m in ls)
    zeros = sum(int((m.weight == 0).sum()) for m in ls)
    sparsity = 100.0 * zeros / total
    acc = accuracy(model, Xte, yte)
    print(f"pruned: global L1 unstructured, {a.amount * 100:g} % asked; "
          f"sparsity {sparsity:.2f} % of {total} weights; fine-tuned "
          f"{a.epochs} epochs; test accuracy {acc:.2f} %")
    metrics(accuracy=f"{acc:.4f}", parameters=parameters(model),
            sparsity=f"{sparsity:.4f}", epochs=a.epochs)


def cmd_quantise(a, Xtr, ytr, Xte, yte):
    torch.backends.quantized.engine = "qnnpack"
    model = torch.load(a.model)
    model.eval()
    q = torch.ao.quantization.quantize_dynamic(model, {nn.Linear},
                                               dtype=torch.qint8)
    torch.save(q, a.out)
    ql = [m for m in q.modules()
          if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    int8 = [m for m in ql if m.weight().dtype == torch.qint8]
    with quiet_qnnpack():
        acc = accuracy(q, Xte, yte)
    print(f"quantised: {len(int8)} of {len(linears(model))} Linear layers "
          f"dynamic int8 (torch.qint8, engine "
          f"{torch.backends.quantized.engine}); test accuracy {acc:.2f} %")
    metrics(accuracy=f"{acc:.4f}", parameters=parameters(model),
            int8_layers=len(int8), weight_bits=8)


def cmd_distil(a, Xtr, ytr, Xte, yte):
    teacher = torch.load(a.model)
    teacher.eval()
    with torch.no_grad():
        soft = F.softmax(teacher(Xtr) / a.temperature, dim=1)
    student = mlp(a.hidden)
    T2 = a.temperature ** 2

    def loss(out, idx):
        kd = F.kl_div(F.log_softmax(out / a.temperature, dim=1), soft[idx],
                      reduction="batchmean") * T2
        return a.alpha * kd + (1 - a.alpha) * F.cross_entropy(out, ytr[idx])

    # a small student learns faster at a higher rate
    fit(student, Xtr, ytr, a.epochs, loss, lr=5e-3)
    torch.save(student, a.out)
    acc = accuracy(student, Xte, yte)
    print(f"distilled: student mlp {a.hidden}, {parameters(student)} "
          f"parameters (teacher {parameters(teacher)}), temperature "
          f"{a.temperature:g}, {a.epochs} epochs; test accuracy {acc:.2f} %")
    metrics(accuracy=f"{acc:.4f}", parameters=parameters(student),
            epochs=a.epochs, temperature=a.temperature)


def cmd_infer(a, Xtr, ytr, Xte, yte):
    torch.backends.quantized.engine = "qnnpack"
    model = torch.load(a.model)
    model.eval()
    correct = 0
    with torch.no_grad(), quiet_qnnpack():
        for _ in range(a.repeat):
            correct += int((model(Xte).argmax(1) == yte).sum())
    units = a.repeat * len(Xte)
    acc = 100.0 * correct / units
    print(f"inference: {os.path.basename(a.model)}, {units} predictions, "
          f"accuracy {acc:.2f} %")
    metrics(accuracy=f"{acc:.4f}", parameters=parameters(model), units=units,
            unit="predictions")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("train")
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", default="256,256")
    p.add_argument("--epochs", type=int, default=30)
    p = sub.add_parser("prune")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--amount", type=float, default=0.7)
    p.add_argument("--epochs", type=int, default=5)
    p = sub.add_parser("quantise")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("distil")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", default="32")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--alpha", type=float, default=0.7)
    p = sub.add_parser("infer")
    p.add_argument("--model", required=True)
    p.add_argument("--repeat", type=int, default=300)
    a = ap.parse_args()
    if getattr(a, "amount", 0.5) <= 0 or getattr(a, "amount", 0.5) >= 1:
        ap.error("--amount: a fraction, over 0 and under 1")
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    globals()["cmd_" + a.cmd](a, *data())


if __name__ == "__main__":
    main()
