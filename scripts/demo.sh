#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: what people do to save energy in machine learning, measured.
# A PyTorch MLP (two 256-unit layers) learns scikit-learn's bundled digits
# (demo/optimise_digits.py, CPU, one thread), then each technique is a
# greenai run of its own, a ledger row: magnitude pruning with
# fine-tuning, dynamic int8 quantisation, knowledge distillation into a
# 32-unit student, and energy-aware scheduling (the baseline's training
# again, carbon-aware, against demo/forecast.csv). Each model then
# predicts the test set many times (its inference run), so that energy per
# prediction compares. greenai compare prints the techniques in the
# columns of the Green Score paper's Table 2, and the paper's own figures
# beside them. greenai measures with whichever backend (greenai.ko or
# BPF) and energy source (RAPL, perf, hwmon, GPUs, else the power model)
# the machine has, and says which. Root (BPF and cgroups).
#
# The grid: demo/forecast.csv, replayed from now through greenai.conf's
# intensity_file_offset (demo/forecast_offset.py works it out) so that its
# low window (the first point at or under GREENAI_DEMO_MAX_G, default 200
# g/kWh) opens GREENAI_DEMO_LEAD seconds (default 5) after the scheduled
# run is started, which waits for it. Every other run is given the figure
# in force before that window: what a run started then gets.
#
# GREENAI_DEMO_ITERS: training epochs (default 30; inference predicts the
# test set 10 times as often; the tests use few). GREENAI_DEMO_MODULE=1
# also boots Debian's kernel in QEMU and shows greenai.ko
# (scripts/demo-guest.sh). Everything is in build/demo/, made afresh: the
# ledger, the models (torch.save), the comparison as Markdown and SVG.
set -euo pipefail

top=$(cd "$(dirname "$0")/../" && pwd)
cd "$top"
make --no-print-directory bpf tools >/dev/null
greenai=$top/build/greenai
py=/usr/bin/python3
opt=$top/demo/optimise_digits.py
iters=${GREENAI_DEMO_ITERS:-30}
lead=${GREENAI_DEMO_LEAD:-5}
max_g=${GREENAI_DEMO_MAX_G:-200}
d=$top/build/demo
ledger=$d/ledger.db

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (BPF programs and cgroups)" >&2; exit 1; }
case $iters in ''|*[!0-9]*|0) echo "demo: GREENAI_DEMO_ITERS: a number of epochs, 1 or more" >&2; exit 2;; esac
rm -rf "$d"
mkdir -p "$d"
chmod 700 "$d"

# the figure in force before the forecast's low window
eval "$("$py" "$top/demo/forecast_offset.py" "$top/demo/forecast.csv" \
	--below "$max_g" --lead 0)"
grid=$before

# measure MODEL PHASE TECHNIQUE [greenai run options] -- CMD...
measure() {
	local model=$1 phase=$2 technique=$3
	shift 3
	echo
	echo "== $model: $technique, $phase"
	"$greenai" run --model "$model" --ledger "$ledger" --tag demo=digits \
		--tag phase="$phase" --tag technique="$technique" "$@"
}

echo "== every run but the scheduled one under $grid g CO2e/kWh: demo/forecast.csv before its low window"
measure baseline training baseline --intensity "$grid" -- \
	"$py" "$opt" train --out "$d/baseline.pt" --epochs "$iters"
measure pruned training pruning --intensity "$grid" -- \
	"$py" "$opt" prune --model "$d/baseline.pt" --out "$d/pruned.pt" \
	--amount 0.7 --epochs $(((iters + 5) / 6))
measure quantised training quantisation --intensity "$grid" -- \
	"$py" "$opt" quantise --model "$d/baseline.pt" --out "$d/quantised.pt"
measure distilled training "knowledge distillation" --intensity "$grid" -- \
	"$py" "$opt" distil --model "$d/baseline.pt" --out "$d/distilled.pt" \
	--hidden 32 --epochs "$iters"

# energy-aware scheduling: the forecast replayed so that its low window
# opens $lead s from now, by a greenai.conf of the demo's own: that file
# only, then the table
eval "$("$py" "$top/demo/forecast_offset.py" "$top/demo/forecast.csv" \
	--below "$max_g" --lead "$lead")"
printf 'intensity_providers = file, static\nintensity_file = %s\nintensity_file_offset = %s\n' \
	"$top/demo/forecast.csv" "$offset" >"$d/greenai.conf"
echo
echo "== the forecast (demo/forecast.csv moved by $offset): $before g/kWh now, $low from $window"
GREENAI_CONFIG=$d/greenai.conf "$greenai" schedule --duration 1m --within 10m
GREENAI_CONFIG=$d/greenai.conf measure scheduled training \
	"energy-aware scheduling" --carbon-aware --max-intensity "$max_g" \
	--deadline 10m -- \
	"$py" "$opt" train --out "$d/scheduled.pt" --epochs "$iters"

# inference: each model predicts the test set $((iters * 10)) times
for m in baseline pruned quantised distilled; do
	case $m in
	baseline) t=baseline ;;
	pruned) t=pruning ;;
	quantised) t=quantisation ;;
	distilled) t="knowledge distillation" ;;
	esac
	measure "$m-infer" inference "$t" --intensity "$grid" -- \
		"$py" "$opt" infer --model "$d/$m.pt" --repeat $((iters * 10))
done

models="baseline pruned quantised distilled scheduled baseline-infer pruned-infer quantised-infer distilled-infer"
echo
echo "== greenai report"
"$greenai" report --ledger "$ledger"
echo
echo "== greenai compare: training against baseline, inference per prediction against baseline-infer"
"$greenai" compare --ledger "$ledger" $models
"$greenai" compare --ledger "$ledger" --format csv $models >"$d/compare.csv"
"$greenai" compare --ledger "$ledger" --format markdown $models \
	>"$d/compare.md" 2>/dev/null
"$greenai" compare --ledger "$ledger" --format svg $models \
	>"$d/compare.svg" 2>/dev/null
echo
echo "== measured beside the paper's Table 2 (reference figures)"
"$py" "$top/demo/beside_paper.py" "$d/compare.csv" \
	"$top/demo/paper_table2.csv" "$d/beside-paper.md"
"$greenai" report --ledger "$ledger" --format svg >"$d/report.svg"
"$greenai" export --ledger "$ledger" --format codecarbon-csv 1 \
	>"$d/emissions.csv"
echo
echo "== build/demo/: compare.md and compare.svg (the techniques),"
echo "   beside-paper.md (with the paper's figures), report.svg (CO2e and"
echo "   Green Score per model), emissions.csv (the baseline's training as"
echo "   CodeCarbon's emissions.csv)"
if [ "${GREENAI_DEMO_MODULE:-0}" = 1 ]; then
	echo
	echo "== booting Debian ${GREENAI_DEMO_KERNEL:-6.12} in QEMU to load greenai.ko"
	tests/vm/run.sh --demo "${GREENAI_DEMO_KERNEL:-6.12}"
fi
