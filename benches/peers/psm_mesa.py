#!/usr/bin/env python3
"""psm_mesa: an idiomatic Mesa 3.x implementation of the professional-space
model (PSM) v1.1 as described in docs/ODD.md, used as a performance peer
for profspace (whole runs at 100 professionals: 10 teams x 10).

Professionals and managers are `mesa.Agent`s; peer ties are lists of
agents; the tick is driven by AgentSet.do(...) calls, one per phase, and a
DataCollector records the organisation means each tick, as a Mesa user
would write it. Parameter names, defaults and the per-run metrics
(final-window means, settle_tick) are shared with psm_numpy.py.

Usage:
    pip install mesa
    python3 psm_mesa.py --time                       # steps/s at 10 x 10
    python3 psm_mesa.py --reps 10 --seed 1           # per-run means
    python3 psm_mesa.py --set coupling=zero_sum --reps 10 --out runs.csv
"""
import argparse
import math
import os
import sys
import time

import mesa
import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from psm_numpy import LEVERS, RUN_METRICS, TICK_METRICS, TRAITS, make_params, run_metrics  # noqa: E402


def clamp(x):
    """clamp to [0, 1]: every update ends with clamp."""
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


class Manager(mesa.Agent):
    """A team's manager: levers, effects E, licence L, `below`, perf."""

    def __init__(self, model):
        super().__init__(model)
        self.team = []          # the team's professionals (agents)
        self.perf = 0.0         # team essential of the previous tick (0 at start)
        self.appoint()

    def appoint(self):
        """Levers drawn from the manager profile; L = licence0, E = effects0."""
        prm, rnd = self.model.prm, self.model.random
        for name in LEVERS:
            setattr(self, name, clamp(rnd.gauss(prm["managers." + name], prm["managers.spread"])))
        self.E = prm["dynamics.effects0"]
        self.L = prm["licence.initial"]
        self.below = 0

    # Phase B: communicative adjustment of effects, from phase-A values
    def adjust_effects(self):
        gap = sum(p.voice_gap for p in self.team) / len(self.team)
        self.E_next = clamp(self.E + self.model.prm["dynamics.alpha"] * self.listening * gap)

    # Phase C: perf, licence, revocation
    def end_of_tick(self):
        prm = self.model.prm
        self.E = self.E_next
        self.perf = sum(p.ess for p in self.team) / len(self.team)
        mean_trust = sum(p.tr for p in self.team) / len(self.team)
        self.L = clamp(self.L + prm["licence.rate"] * (mean_trust - self.L))
        self.below = self.below + 1 if self.L < prm["licence.revoke_below"] else 0
        if self.below >= prm["licence.replace_after"]:
            # the group revokes the licence: a new manager, team trust reset
            self.appoint()
            for p in self.team:
                p.tr = 0.5
            self.model.revocations += 1


class Professional(mesa.Agent):
    def __init__(self, model, manager):
        super().__init__(model)
        self.manager = manager
        self.peers = []         # peer ties: a list of Professional agents
        self.hire(0.5)

    def hire(self, skill_mean):
        """Fresh traits and initial states (a new hire in this position)."""
        prm, rnd = self.model.prm, self.model.random
        for t in TRAITS:
            setattr(self, t, clamp(rnd.gauss(prm["professionals." + t],
                                             prm["professionals.spread." + t])))
        self.a = self.s = self.p = self.idn = self.mn = 0.5
        self.d = self.base_drive
        self.q = clamp(rnd.gauss(skill_mean, 0.1))
        self.cy = 0.0
        self.tr = 0.5

    def peer_mean(self, attr):
        if not self.peers:
            return getattr(self, attr)
        return sum(getattr(o, attr) for o in self.peers) / len(self.peers)

    # Phase A: everything from the state of tick t
    def decide(self):
        prm, m = self.model.prm, self.manager
        w = prm["dynamics.peer_weight"]
        a, s, p, idn, mn, d, q, cy = self.a, self.s, self.p, self.idn, self.mn, self.d, self.q, self.cy
        r = d * max(0.0, self.need - a)
        v = s * (1.0 - cy)
        g = max(0.0, m.effect - m.perf)
        if self.model.zero_sum:
            cstar = clamp(m.focus + m.effect * g + m.dominance * r)
            wp = d * v
            wm = m.L * (1.0 - m.listening / 2.0) + m.dominance
            self.astar = (wp * self.need + wm * (1.0 - cstar)) / (wp + wm) if wp + wm > 0 else a
            k = abs(self.need - (1.0 - cstar))
            s_off = m.L * (m.focus + m.connection) / 2.0 * (1.0 - k)
            sigma = 1.0 - a
        else:
            box = m.L * math.sqrt(m.focus * m.connection)
            k = m.dominance * r
            s_off = box * (1.0 - k)
            self.astar = self.need * s
            sigma = clamp(m.L * m.focus + m.effect * g)
        e = math.sqrt(d * (1.0 + mn) / 2.0)
        x = (q * a * s * e) ** 0.25
        al = 1.0 - (1.0 - sigma) * (1.0 - p)
        fn = (e * al * (1.0 + m.energy) / 2.0) ** (1.0 / 3.0)
        ess = math.sqrt(x * fn)
        self.c_mn = 0.25 + 1.5 * mn
        self.pstar = math.sqrt(m.L * m.rationale * mn)
        fit = 1.0 - abs(m.E - self.standard)
        self.idstar = fit * (1.0 + a) / 2.0
        self.mnstar = ((1.0 - w) * (s * (p + idn) / 2.0 * (1.0 + m.connection) / 2.0) ** (1.0 / 3.0)
                       + w * self.peer_mean("mn"))
        A = self.aspiration + m.effect * (1.0 - self.aspiration) / 2.0
        self.f = max(0.0, A - ess)
        source = self.consequentialism * (1.0 - self.f) + (1.0 - self.consequentialism) * idn
        self.dstar = ((1.0 - w) * (self.base_drive * source * (1.0 - cy) * (1.0 + m.energy) / 2.0) ** 0.25
                      + w * self.peer_mean("d"))
        self.sstar = (1.0 - w) * s_off + w * self.peer_mean("s")
        self.trstar = math.sqrt((1.0 - k) * (1.0 + m.connection) / 2.0)
        self.E_seen = m.E
        self.voice_gap = v * (self.standard - m.E)
        # flows, observed by the DataCollector
        self.k, self.x, self.fn, self.ess, self.fit = k, x, fn, ess, fit

    # Phase B: the new state from phase-A values (own state + stored targets)
    def advance(self):
        prm, rnd = self.model.prm, self.model.random
        alpha, noise = prm["dynamics.alpha"], prm["dynamics.noise"]
        a, s, p, lam = self.a, self.s, self.p, self.consequentialism
        self.a = clamp(a + alpha * (self.astar - a) + rnd.gauss(0.0, noise))
        self.s = clamp(s + alpha * (self.sstar - s) + rnd.gauss(0.0, noise))
        self.p = clamp(p + alpha * self.c_mn * (self.pstar - p) + rnd.gauss(0.0, noise))
        self.idn = clamp(self.idn + alpha * self.c_mn * (self.idstar - self.idn) + rnd.gauss(0.0, noise))
        self.standard = clamp(self.standard + alpha * 0.2 * p * (self.E_seen - self.standard))
        if prm["dynamics.meaning_dynamics"]:
            self.mn = clamp(self.mn + alpha * (self.mnstar - self.mn) + rnd.gauss(0.0, noise))
        self.d = clamp(self.d + alpha * self.c_mn * (self.dstar - self.d) + rnd.gauss(0.0, noise))
        self.q = clamp(self.q + prm["dynamics.learn"] * (1.0 + lam) / 2.0 * a * s * (1.0 - self.q)
                       - 0.01 * self.q * (1.0 - a))
        f = self.f
        self.cy = clamp(self.cy + prm["dynamics.cynicism_rate"]
                        * (lam * f * (1.0 - self.cy) - (1.0 - f) * self.cy / 2.0))
        self.tr = clamp(self.tr + alpha * (self.trstar - self.tr))

    # Phase C: turnover on the new state
    def turnover(self):
        prm = self.model.prm
        eg = math.sqrt(self.d * self.mn)
        p_leave = prm["turnover.exit_base"] + prm["turnover.exit_sensitivity"] * max(
            0.0, prm["turnover.engagement_floor"] - eg)
        if self.model.random.random() < p_leave:
            self.hire(0.3)
            self.model.exits += 1


def _share(cond):
    return lambda m: sum(1 for p in m.professionals if cond(p)) / len(m.professionals)


class PSMModel(mesa.Model):
    def __init__(self, prm, seed):
        super().__init__(rng=seed)
        self.prm = prm
        self.zero_sum = prm["coupling"] == "zero_sum"
        self.exits = 0
        self.revocations = 0
        teams, size = prm["organization.teams"], prm["organization.team_size"]
        for _ in range(teams):
            m = Manager(self)
            m.team = [Professional(self, m) for _ in range(size)]
        self.managers = self.agents_by_type[Manager]
        self.professionals = self.agents_by_type[Professional]
        # peer ties: round(peers·peer_within) in the own team, the rest elsewhere
        k_in = min(int(math.floor(prm["organization.peers"] * prm["organization.peer_within"] + 0.5)),
                   size - 1)
        everyone = list(self.professionals)
        for p in everyone:
            mates = [o for o in p.manager.team if o is not p]
            others = [o for o in everyone if o.manager is not p.manager]
            k_out = min(prm["organization.peers"] - k_in, len(others))
            p.peers = self.random.sample(mates, k_in) + self.random.sample(others, k_out)
        mean = lambda attr: (lambda m: m.professionals.agg(attr, np.mean))  # noqa: E731
        self.datacollector = mesa.DataCollector(model_reporters={
            "autonomy": mean("a"), "safety": mean("s"), "purpose": mean("p"),
            "identity": mean("idn"), "meaning": mean("mn"), "drive": mean("d"),
            "skill": mean("q"), "cynicism": mean("cy"), "trust": mean("tr"),
            "standard": mean("standard"),
            "effects": lambda m: m.managers.agg("E", np.mean),
            "licence": lambda m: m.managers.agg("L", np.mean),
            "conflict": mean("k"), "existential": mean("x"), "functional": mean("fn"),
            "essential": mean("ess"), "fit": mean("fit"),
            "alienated": _share(lambda p: p.a < 0.3 and p.mn < 0.3),
            "disoriented": _share(lambda p: p.a >= 0.5 and p.s < 0.3 and p.p < 0.3),
            "integrated": _share(lambda p: p.a > 0.5 and p.s > 0.5 and p.p > 0.5
                                 and p.idn > 0.5 and p.mn > 0.5),
            "exits": "exits", "revocations": "revocations",
        })

    def step(self):
        self.professionals.do("decide")        # phase A
        self.datacollector.collect(self)       # state at the start of t + flows
        self.professionals.do("advance")       # phase B
        self.managers.do("adjust_effects")     # phase B (effects)
        self.managers.do("end_of_tick")        # phase C: perf, licence, revocation
        if self.prm["environment.turbulence"] > 0 and self.random.random() < self.prm["environment.turbulence"]:
            for m in self.managers:            # phase C: turbulence
                m.E = clamp(m.E + self.random.gauss(0.0, 0.2))
        self.professionals.do("turnover")      # phase C: turnover


def simulate(prm, seed, ticks):
    model = PSMModel(prm, seed)
    t0 = time.perf_counter()
    for _ in range(ticks):
        model.step()
    elapsed = time.perf_counter() - t0
    rows = model.datacollector.get_model_vars_dataframe()[TICK_METRICS].to_numpy(dtype=float)
    res = run_metrics(rows)
    # the collector ran before phase C: take the final cumulative counts from the model
    res["exits"], res["revocations"] = float(model.exits), float(model.revocations)
    return res, rows, elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ticks", type=int, default=200)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--time", action="store_true")
    args = ap.parse_args(argv)
    try:
        prm = make_params(args.set)
    except ValueError as exc:
        ap.error(str(exc))
    n = prm["organization.teams"] * prm["organization.team_size"]
    if args.time:
        _, _, elapsed = simulate(prm, args.seed, args.ticks)
        print(f"psm_mesa {n} professionals: {n * args.ticks / elapsed:.0f} steps/s")
        return 0
    results = [simulate(prm, args.seed + r, args.ticks)[0] for r in range(args.reps)]
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(",".join(RUN_METRICS) + "\n")
            for res in results:
                fh.write(",".join(repr(float(res[m])) for m in RUN_METRICS) + "\n")
    else:
        arr = np.array([[res[m] for m in RUN_METRICS] for res in results])
        sd = arr.std(axis=0, ddof=1) if len(results) > 1 else np.zeros(arr.shape[1])
        print(f"{'metric':<13} {'mean':>10} {'sd':>10}   ({len(results)} runs, {args.ticks} ticks)")
        for j, m in enumerate(RUN_METRICS):
            print(f"{m:<13} {arr[:, j].mean():>10.4f} {sd[j]:>10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
