#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: two real models trained under greenai run, then their
# report and comparison. An MLP of two 256-unit layers and one of a single
# 32-unit layer learn scikit-learn's bundled digits (demo/train_digits.py),
# each writing its accuracy through $GREENAI_METRICS; greenai measures them
# with whichever backend (greenai.ko or BPF) and energy source (RAPL,
# perf, hwmon, GPUs, else the power model) the machine has, and says
# which. Root (BPF and cgroups).
#
# GREENAI_REGION sets the grid (default: the world average, said so);
# GREENAI_DEMO_ITERS the training iterations (default 200; the tests use
# fewer); GREENAI_DEMO_MODULE=1 also boots Debian's kernel in QEMU and
# shows greenai.ko (scripts/demo-guest.sh). The ledger is
# build/demo/ledger.db, made afresh; the charts build/demo/report.svg.
set -euo pipefail

top=$(cd "$(dirname "$0")/../" && pwd)
cd "$top"
make --no-print-directory bpf tools >/dev/null
greenai=$top/build/greenai
py=/usr/bin/python3
iters=${GREENAI_DEMO_ITERS:-200}
ledger=$top/build/demo/ledger.db
rm -rf "$top/build/demo"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (BPF programs and cgroups)" >&2; exit 1; }
echo "== grid intensity"
"$greenai" intensity
for m in "mlp-256x256 256,256" "mlp-32 32"; do
	set -- $m
	echo
	echo "== training $1 on the digits under greenai run"
	"$greenai" run --model "$1" --ledger "$ledger" --tag demo=digits -- \
		"$py" "$top/demo/train_digits.py" --hidden "$2" --max-iter "$iters"
done
echo
echo "== greenai report"
"$greenai" report --ledger "$ledger"
echo
echo "== greenai compare mlp-256x256 mlp-32"
"$greenai" compare --ledger "$ledger" mlp-256x256 mlp-32
echo
echo "== the same as Markdown"
"$greenai" report --ledger "$ledger" --format markdown
"$greenai" report --ledger "$ledger" --format svg >"$top/build/demo/report.svg"
"$greenai" export --ledger "$ledger" --format codecarbon-csv 1 \
	>"$top/build/demo/emissions.csv"
echo
echo "== charts of CO2e and Green Score: build/demo/report.svg;"
echo "   the first run as CodeCarbon's emissions.csv: build/demo/emissions.csv"
if [ "${GREENAI_DEMO_MODULE:-0}" = 1 ]; then
	echo
	echo "== booting Debian ${GREENAI_DEMO_KERNEL:-6.12} in QEMU to load greenai.ko"
	tests/vm/run.sh --demo "${GREENAI_DEMO_KERNEL:-6.12}"
fi
