# SPDX-License-Identifier: GPL-2.0
"""The demo's measured comparison beside the Green Score paper's Table 2.

    beside_paper.py COMPARE_CSV PAPER_CSV MARKDOWN_OUT

COMPARE_CSV is `greenai compare --format csv`; PAPER_CSV the paper's
figures (demo/paper_table2.csv), matched by technique. Prints a text table
of both, measured beside reference, and writes it as Markdown.
"""
import csv
import sys

CITE = ("Nisha Yadav and Pinky Laxmikant Sasmal, \"Energy-Efficient "
        "Optimization of Machine Learning Models: Balancing Performance and "
        "Sustainability\" (2026), Table 2")
FIG = [("Accuracy retained %", "accuracy_retained"),
       ("Energy reduction %", "energy_reduction"),
       ("CO2 reduction %", "co2_reduction")]


def num(s):
    return f"{float(s):.1f}" if s else "n/a"


def main():
    src, paper_csv, out = sys.argv[1:4]
    with open(src) as f:
        rows = list(csv.DictReader(f))
    with open(paper_csv) as f:
        paper = {r["technique"]: r for r in csv.DictReader(
            line for line in f if not line.startswith("#"))}
    head = ["Technique", "Phase"]
    for name, _ in FIG:
        head += [f"{name} measured", "paper"]
    table = []
    for r in rows:
        p = paper.get(r["Technique"], {})
        line = [r["Technique"], r["Phase"]]
        for name, key in FIG:
            line += [num(r[name]), p.get(key, "")]
        table.append(line)
    w = [max(len(x[i]) for x in [head] + table) for i in range(len(head))]
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)).rstrip())
    for line in table:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(line)).rstrip())
    print(f"paper: reference figures from {CITE}; its runs, not these")
    with open(out, "w") as f:
        f.write("| " + " | ".join(head) + " |\n")
        f.write("|" + "---|" * len(head) + "\n")
        for line in table:
            f.write("| " + " | ".join(line) + " |\n")
        f.write(f"\n\"paper\": reference figures from {CITE}, "
                "for its own models and runs; the measured figures are this "
                "demo's.\n")


if __name__ == "__main__":
    main()
