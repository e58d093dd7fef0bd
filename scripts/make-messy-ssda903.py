#!/usr/bin/env python3
"""Writes a messy copy of an SSDA903 extract (Episodes and Reviews), the way a council's pre-validation
extract looks, to try `import --format ssda903 --lenient` on: a yearly return whose children began their care
before it (their first episodes dropped), open last episodes with a reason ceased but no date, unknown
placement codes, reviews outside any episode, and children only in Reviews. Deterministic (seeded).

    scripts/make-messy-ssda903.py IN_DIR OUT_DIR [--seed N]

IN_DIR holds episodes.csv and reviews.csv (for example the files `permanenced-bench ssda903 --work DIR`
writes). Prints what it injected, per fault.
"""
import csv
import random
import sys
from collections import defaultdict
from pathlib import Path


def main():
    args = sys.argv[1:]
    seed = 903
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    src, out = Path(args[0]), Path(args[1])
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    with open(src / "episodes.csv", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    col = {n: i for i, n in enumerate(header)}
    by_child = defaultdict(list)
    for r in rows:
        by_child[r[col["CHILD"]]].append(r)
    counts = defaultdict(int)
    kept = []
    for child, eps in by_child.items():
        x = rnd.random()
        if x < 0.30 and len(eps) > 1 and eps[1][col["RNE"]] != "S":
            eps = eps[1:]  # the period began before the extract
            counts["first row continues a period (RNE not S)"] += 1
        elif x < 0.35 and eps[-1][col["DEC"]] == "":
            eps[-1][col["REC"]] = "E13"  # a reason ceased, no date
            counts["open last episode with REC but no DEC"] += 1
        elif x < 0.37:
            eps[0][col["PLACE"]] = "Q9"  # not a placement code
            counts["unknown PLACE code"] += 1
        kept += eps
    with open(out / "episodes.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(kept)
    with open(src / "reviews.csv", newline="") as f:
        reader = csv.reader(f)
        rheader = next(reader)
        reviews = list(reader)
    children = list(by_child)
    for child in rnd.sample(children, len(children) * 3 // 100):
        reviews.append([child, "01/01/2012", "01/01/1990", "PN1"][:len(rheader)])
        counts["review outside any episode"] += 1
    for n in range(len(children) // 100):
        reviews.append([f"ONLYREV{n}", "01/01/2012", "01/01/2025", "PN1"][:len(rheader)])
        counts["child only in Reviews"] += 1
    with open(out / "reviews.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rheader)
        w.writerows(reviews)
    print(f"{len(by_child) + len(children) // 100} children written to {out}")
    for k, v in sorted(counts.items()):
        print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
