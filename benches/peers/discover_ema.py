"""Check `profspace discover` against EMA Workbench's PRIM on the same folder.

    python3 benches/peers/discover_ema.py DIR --metric integrated --above 0.3 \
        [--density 0.8] [--objective original|lenient1]

Reads DIR/design.csv (the design's inputs, listed in manifest.json) and
DIR/aggregate.csv (the metric's mean per design point), marks the cases of
interest (mean >= X for --above, <= X for --below), runs
ema_workbench.analysis.prim.Prim with the same settings (peel_alpha 0.05,
paste_alpha 0.05, mass_min 0.05, the objective), and picks on EMA's
peeling-and-pasting trajectory the box with the highest coverage among those
whose density reaches --density (the densest when none does), which is the
rule `discover` documents. It then compares that box with DIR/discover.csv
and DIR/discover_boxes.csv (box 1): the restricted parameters must be the
same and coverage and density within 0.05. Exit status 1 when they are not.

Run `profspace discover` with the same arguments first. Needs
`pip install ema_workbench pandas` (not needed by profspace itself).
"""

import argparse
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402
from ema_workbench.analysis.prim_util import PRIMObjectiveFunctions  # noqa: E402

OBJECTIVES = {
    "original": PRIMObjectiveFunctions.ORIGINAL,
    "lenient1": PRIMObjectiveFunctions.LENIENT1,
}


def choose(pt, threshold):
    best = None
    for i in range(len(pt)):
        c, d = pt.coverage.iloc[i], pt.density.iloc[i]
        if d >= threshold and (best is None or (c, d) > (pt.coverage.iloc[best], pt.density.iloc[best])):
            best = i
    if best is not None:
        return best
    return max(range(len(pt)), key=lambda i: (pt.density.iloc[i], pt.coverage.iloc[i], -i))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--metric", required=True)
    side = ap.add_mutually_exclusive_group(required=True)
    side.add_argument("--above", type=float)
    side.add_argument("--below", type=float)
    ap.add_argument("--density", type=float, default=0.8)
    ap.add_argument("--objective", choices=OBJECTIVES, default="original")
    a = ap.parse_args()

    manifest = json.load(open(f"{a.dir}/manifest.json"))
    inputs = manifest["design"]["columns"]
    design = pd.read_csv(f"{a.dir}/design.csv")
    agg = pd.read_csv(f"{a.dir}/aggregate.csv")
    x = design[inputs].copy()
    for c in x.columns:
        if x[c].dtype == object:
            x[c] = x[c].astype(str)
    m = agg[f"{a.metric}_mean"]
    keep = m.notna().values
    x, m = x[keep].reset_index(drop=True), m[keep].reset_index(drop=True)
    y = (m >= a.above).values if a.above is not None else (m <= a.below).values

    p = prim.Prim(x, y.astype(int), threshold=a.density, peel_alpha=0.05, paste_alpha=0.05,
                  mass_min=0.05, obj_function=OBJECTIVES[a.objective])
    p._update_yi_remaining(p)
    box = prim.PrimBox(p, p.box_init, p.yi_remaining[:])
    box = p._paste(p._peel(box))
    pt = box.peeling_trajectory
    i = choose(pt, a.density)
    lims = box.box_lims[i]
    ema_dims = sorted(c for c in lims.columns if not lims[c].equals(p.box_init[c]))
    ema_cov, ema_den = float(pt.coverage.iloc[i]), float(pt.density.iloc[i])

    ours = pd.read_csv(f"{a.dir}/discover.csv").iloc[0]
    limits = pd.read_csv(f"{a.dir}/discover_boxes.csv")
    our_dims = sorted(limits[limits["box"] == 1]["parameter"])
    print(f"cases of interest: {int(y.sum())} of {len(y)} design points")
    print(f"EMA Workbench: step {i} of {len(pt)}, coverage {ema_cov:.4f}, density {ema_den:.4f}, "
          f"restricted {ema_dims}")
    print(f"profspace:     step {int(ours['step'])}, coverage {ours['coverage']:.4f}, "
          f"density {ours['density']:.4f}, restricted {our_dims}")
    ok = (ema_dims == our_dims and abs(ema_cov - ours["coverage"]) <= 0.05
          and abs(ema_den - ours["density"]) <= 0.05)
    print("agree: same restricted parameters, coverage and density within 0.05" if ok
          else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
