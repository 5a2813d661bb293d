# SPDX-License-Identifier: GPL-2.0
"""Train an MLP on scikit-learn's bundled handwritten digits (8x8 images,
1797 samples, shipped in Debian's python3-sklearn: nothing is downloaded)
and write its test accuracy (and the Python that ran it, for CodeCarbon's
python_version column) to the file greenai run names in $GREENAI_METRICS.

    train_digits.py --hidden 256,256 [--max-iter N]
"""
import argparse
import os
import platform
import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", required=True,
                    help="hidden layer sizes, comma-separated")
    ap.add_argument("--max-iter", type=int, default=200)
    a = ap.parse_args()
    hidden = tuple(int(n) for n in a.hidden.split(","))
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=0.25,
                                          random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=hidden, max_iter=a.max_iter,
                              random_state=0).fit(Xtr, ytr)
    acc = 100.0 * model.score(Xte, yte)
    params = sum(w.size for w in model.coefs_) + \
        sum(b.size for b in model.intercepts_)
    print(f"mlp {a.hidden}: {params} parameters, test accuracy {acc:.2f} %")
    metrics = os.environ.get("GREENAI_METRICS")
    if metrics:
        with open(metrics, "a") as f:
            f.write(f"accuracy={acc:.4f}\nparameters={params}\n"
                    f"iterations={model.n_iter_}\n"
                    f"python_version={platform.python_version()}\n")
    else:
        print("GREENAI_METRICS is not set: run me under greenai run",
              file=sys.stderr)


if __name__ == "__main__":
    main()
