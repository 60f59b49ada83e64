#!/usr/bin/env python3
"""profspace calibrate against pyABC on the same simulator, prior, distance
and tolerance schedule.

The simulator is profspace itself: pyABC calls `profspace run` once per
simulation (one replicate, a fresh seed from pyABC's own generator) and
reads the targets from its runs.csv; profspace calibrate runs the same
model in-process. Both use

- priors: managers.focus ~ U(0, 1), managers.connection ~ U(0, 1);
- distance: sqrt(sum(((sim - obs) / sd)^2)) over the targets;
- tolerances: epsilon_0 the median of a prior sample's distances, then the
  weighted median of the previous generation's distances (pyABC's
  QuantileEpsilon(alpha=0.5, weighted=True));
- kernel: a multivariate normal with twice the weighted covariance
  (pyABC's MultivariateNormalTransition(scaling=2) with a bandwidth factor
  of 1);
- the same number of particles and generations.

The observations are made by profspace at known levers (the "truth").

    pip install pyabc pandas
    cargo build --release
    python3 benches/peers/calibrate_pyabc.py target/release/profspace \\
        [--particles 200] [--generations 6] [--cores 2]

Prints the posterior mean and sd of each lever for both, their
simulations and wall-clock time, measured in this one run.
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import time

ORG = "ticks = 120\n[organization]\nteams = 3\nteam_size = 8\n"
TRUTH = {"managers.focus": 0.8, "managers.connection": 0.3}
COUPLING = "zero_sum"
TARGETS = ["autonomy", "safety", "purpose", "meaning", "conflict"]
SD = 0.02


def run_profspace(binary, scenario_text, args, workdir):
    """Runs `profspace run` and returns the rows of runs.csv as dicts."""
    path = os.path.join(workdir, "s.toml")
    with open(path, "w") as f:
        f.write(scenario_text)
    out = tempfile.mkdtemp(dir=workdir)
    subprocess.run(
        [binary, "run", path, "--out", out, "--no-plots", "--no-ticks", "--threads", "1"]
        + args,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(os.path.join(out, "runs.csv")) as f:
        rows = list(csv.DictReader(f))
    subprocess.run(["rm", "-rf", out], check=True)
    return rows


def observe(binary, workdir):
    """Final-window means of 12 replicates at the truth."""
    text = f'coupling = "{COUPLING}"\n' + ORG + "[managers]\n" + "".join(
        f"{k.split('.')[1]} = {v}\n" for k, v in TRUTH.items()
    )
    rows = run_profspace(binary, text, ["--replications", "12", "--seed", "1"], workdir)
    return {m: sum(float(r[m]) for r in rows) / len(rows) for m in TARGETS}


def pyabc_side(binary, observed, particles, generations, cores, workdir):
    import numpy as np
    import pyabc

    base = f'coupling = "{COUPLING}"\n' + ORG

    def model(par):
        seed = int(np.random.randint(0, 2**62))
        sets = []
        for k in TRUTH:
            sets += ["--set", f"{k}={par[k]}"]
        d = tempfile.mkdtemp(dir=workdir)
        rows = run_profspace(
            binary, base, sets + ["--seed", str(seed), "--replications", "1"], d
        )
        subprocess.run(["rm", "-rf", d], check=True)
        return {m: float(rows[0][m]) for m in TARGETS}

    def distance(x, y):
        return math.sqrt(sum(((x[m] - y[m]) / SD) ** 2 for m in TARGETS))

    prior = pyabc.Distribution(
        **{k: pyabc.RV("uniform", 0, 1) for k in TRUTH}
    )
    abc = pyabc.ABCSMC(
        model,
        prior,
        distance,
        population_size=particles,
        transitions=pyabc.MultivariateNormalTransition(
            scaling=2.0, bandwidth_selector=lambda n, d: 1.0
        ),
        eps=pyabc.QuantileEpsilon(alpha=0.5, weighted=True),
        sampler=pyabc.sampler.MulticoreEvalParallelSampler(n_procs=cores),
    )
    db = "sqlite:///" + os.path.join(workdir, "pyabc.db")
    abc.new(db, observed)
    t0 = time.time()
    history = abc.run(max_nr_populations=generations)
    secs = time.time() - t0
    df, w = history.get_distribution()
    out = {}
    for k in TRUTH:
        x = df[k].to_numpy()
        m = float(np.sum(w * x))
        out[k] = (m, float(math.sqrt(np.sum(w * (x - m) ** 2))))
    sims = int(history.total_nr_simulations)
    eps = list(history.get_all_populations()["epsilon"])
    return out, sims, secs, eps


def profspace_side(binary, observed, particles, generations, cores, workdir):
    text = (
        f'seed = 17\ncoupling = "{COUPLING}"\n'
        + ORG
        + f"[calibrate]\nparticles = {particles}\ngenerations = {generations}\n"
        + "[calibrate.priors]\n"
        + "".join(f'"{k}" = {{ uniform = [0.0, 1.0] }}\n' for k in TRUTH)
        + "[calibrate.targets]\n"
        + "".join(f"{m} = {{ value = {observed[m]}, sd = {SD} }}\n" for m in TARGETS)
    )
    path = os.path.join(workdir, "cal.toml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(workdir, "cal")
    t0 = time.time()
    subprocess.run(
        [binary, "calibrate", path, "--out", out, "--no-plots", "--threads", str(cores)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    secs = time.time() - t0
    post = {}
    with open(os.path.join(out, "posterior.csv")) as f:
        for r in csv.DictReader(f):
            post[r["parameter"]] = (float(r["mean"]), float(r["sd"]))
    with open(os.path.join(out, "generations.csv")) as f:
        gens = list(csv.DictReader(f))
    sims = particles + sum(int(g["simulations"]) for g in gens)
    eps = [float(g["epsilon"]) for g in gens]
    return {k: post[k] for k in TRUTH}, sims, secs, eps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--particles", type=int, default=200)
    ap.add_argument("--generations", type=int, default=6)
    ap.add_argument("--cores", type=int, default=2)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory() as workdir:
        observed = observe(binary, workdir)
        print("observed (profspace at the truth, 12 replicates):", file=sys.stderr)
        for m in TARGETS:
            print(f"  {m} = {observed[m]:.4f} (sd {SD})", file=sys.stderr)
        ours = profspace_side(binary, observed, a.particles, a.generations, a.cores, workdir)
        theirs = pyabc_side(binary, observed, a.particles, a.generations, a.cores, workdir)
    print(f"{'':24} {'profspace':>22} {'pyABC':>22}   truth")
    for k in TRUTH:
        (m1, s1), (m2, s2) = ours[0][k], theirs[0][k]
        print(f"{k:24} {m1:10.3f} (sd {s1:.3f}) {m2:10.3f} (sd {s2:.3f})   {TRUTH[k]}")
    print(f"{'simulations':24} {ours[1]:>22} {theirs[1]:>22}")
    print(f"{'seconds (wall clock)':24} {ours[2]:>22.1f} {theirs[2]:>22.1f}")
    print(f"{'final epsilon':24} {ours[3][-1]:>22.3f} {theirs[3][-1]:>22.3f}")
    print(f"epsilon schedule, profspace: {[round(e, 2) for e in ours[3]]}")
    print(f"epsilon schedule, pyABC:     {[round(e, 2) for e in theirs[3]]}")


if __name__ == "__main__":
    main()
