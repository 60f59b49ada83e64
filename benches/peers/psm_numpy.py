#!/usr/bin/env python3
"""psm_numpy: an independent, vectorised numpy implementation of the
professional-space model (PSM) v1.1, written from the model description in
docs/ODD.md (entities §2, scheduling §3, initialisation §5, submodels and
observation §7). It shares no code with profspace and serves as a
statistical cross-check (see crosscheck.py) and as a performance peer.

Usage examples:
    python3 psm_numpy.py --seed 1 --reps 10                # print per-run means
    python3 psm_numpy.py --set coupling=zero_sum --set managers.focus=0.9 \
        --reps 20 --out runs.csv                           # one CSV row per replicate
    python3 psm_numpy.py --time --set organization.teams=1000   # steps/s

Parameters use the scenario key names (`--set key=value`), e.g.
`dynamics.alpha`, `licence.revoke_below`, `organization.teams`.
The random stream is numpy's default_rng(seed); it does not (and need not)
match profspace's.
"""
import argparse
import math
import sys
import time

import numpy as np

# ---------------------------------------------------------------------------
# Parameters and their defaults (docs/ODD.md §2 and §5, v1.1 defaults)
# ---------------------------------------------------------------------------
DEFAULTS = {
    "coupling": "freedom_safety",
    # organisation
    "organization.teams": 10,
    "organization.team_size": 10,
    "organization.peers": 4,
    "organization.peer_within": 0.5,
    # manager lever means and their spread
    "managers.rationale": 0.5,
    "managers.effect": 0.5,
    "managers.focus": 0.5,
    "managers.energy": 0.5,
    "managers.connection": 0.5,
    "managers.dominance": 0.2,
    "managers.listening": 0.5,
    "managers.spread": 0.05,
    # professional trait means and spreads (lambda = consequentialism)
    "professionals.need": 0.7,
    "professionals.consequentialism": 0.5,
    "professionals.aspiration": 0.6,
    "professionals.standard": 0.7,
    "professionals.base_drive": 0.7,
    "professionals.spread.need": 0.1,
    "professionals.spread.consequentialism": 0.2,
    "professionals.spread.aspiration": 0.1,
    "professionals.spread.standard": 0.15,
    "professionals.spread.base_drive": 0.1,
    # dynamics
    "dynamics.alpha": 0.1,
    "dynamics.noise": 0.02,
    "dynamics.peer_weight": 0.3,
    "dynamics.learn": 0.05,
    "dynamics.cynicism_rate": 0.1,
    "dynamics.effects0": 0.4,
    "dynamics.meaning_dynamics": True,
    # turnover
    "turnover.exit_base": 0.002,
    "turnover.exit_sensitivity": 0.05,
    "turnover.engagement_floor": 0.4,
    # licence (v1.1: revoke_below 0.40)
    "licence.initial": 0.7,
    "licence.rate": 0.05,
    "licence.revoke_below": 0.40,
    "licence.replace_after": 10,
    # environment
    "environment.turbulence": 0.0,
}

LEVERS = ("rationale", "effect", "focus", "energy", "connection", "dominance", "listening")
TRAITS = ("need", "consequentialism", "aspiration", "standard", "base_drive")

# Tick metrics (docs/ODD.md §7, Observation), in output order.
TICK_METRICS = [
    "autonomy", "safety", "purpose", "identity", "meaning", "drive", "skill",
    "cynicism", "trust", "standard", "effects", "licence", "conflict",
    "existential", "functional", "essential", "fit", "alienated",
    "disoriented", "integrated", "exits", "revocations",
]
RUN_METRICS = TICK_METRICS + ["settle_tick"]
COL = {name: i for i, name in enumerate(TICK_METRICS)}


def parse_value(key, text):
    """Convert a `--set` value to the type of the key's default."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        low = text.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError(f"{key}: expected true or false, got {text!r}")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if key == "coupling" and text not in ("zero_sum", "freedom_safety"):
        raise ValueError(f"coupling: expected zero_sum or freedom_safety, got {text!r}")
    return text


def make_params(sets=()):
    """Defaults overridden by `key=value` strings (or (key, value) pairs)."""
    prm = dict(DEFAULTS)
    for item in sets:
        if isinstance(item, str):
            if "=" not in item:
                raise ValueError(f"--set expects key=value, got {item!r}")
            key, text = item.split("=", 1)
            key = key.strip()
            if key not in DEFAULTS:
                raise ValueError(f"unknown key {key!r}; known: {', '.join(DEFAULTS)}")
            prm[key] = parse_value(key, text.strip())
        else:
            key, value = item
            if key not in DEFAULTS:
                raise ValueError(f"unknown key {key!r}")
            prm[key] = value
    return prm


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def clamp(x):
    """clamp to [0, 1] (every update ends with clamp)."""
    return np.clip(x, 0.0, 1.0)


def draw(rng, mean, sd, n):
    """Every draw is normal with the given mean and spread, clamped to [0, 1]."""
    return clamp(rng.normal(mean, sd, n))


def round_half_up(x):
    return int(math.floor(x + 0.5))


def sample_distinct(rng, n, pool, k):
    """(n, k) integers in [0, pool), distinct within each row (drawing
    without replacement)."""
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    if k > pool:
        raise ValueError("more ties than candidates")
    if 2 * k > pool:
        keys = rng.random((n, pool))
        return np.argpartition(keys, k - 1, axis=1)[:, :k].astype(np.int64)
    out = rng.integers(0, pool, (n, k))
    while k > 1:
        srt = np.sort(out, axis=1)
        bad = (srt[:, 1:] == srt[:, :-1]).any(axis=1)
        nbad = int(bad.sum())
        if nbad == 0:
            break
        out[bad] = rng.integers(0, pool, (nbad, k))
    return out


def peer_network(rng, teams, team_size, peers, peer_within):
    """docs/ODD.md §2: every professional has `peers` directed ties,
    round(peers·peer_within) inside the own team, the rest in other teams,
    drawn without replacement and without self-ties. Professionals are
    stored team by team: professional i is in team i // team_size.
    If a team or the organisation is too small, the tie counts are capped
    at the number of candidates."""
    n = teams * team_size
    idx = np.arange(n)
    team_start = (idx // team_size) * team_size
    k_in = min(round_half_up(peers * peer_within), team_size - 1)
    k_out = min(peers - k_in, n - team_size)
    # inside: choose among the team_size - 1 colleagues (skip own position)
    j = sample_distinct(rng, n, team_size - 1, k_in)
    pos = (idx % team_size)[:, None]
    inside = team_start[:, None] + j + (j >= pos)
    # outside: choose among the n - team_size others (skip own team block)
    j = sample_distinct(rng, n, n - team_size, k_out)
    outside = j + team_size * (j >= team_start[:, None])
    return np.concatenate([inside, outside], axis=1)


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------
class PSM:
    def __init__(self, prm, seed):
        self.prm = prm
        self.rng = rng = np.random.default_rng(seed)
        self.M = M = int(prm["organization.teams"])
        self.T = T = int(prm["organization.team_size"])
        self.N = M * T
        # team of each professional (professionals stored team by team)
        self.tm = np.repeat(np.arange(M), T)
        self.peers = peer_network(rng, M, T, int(prm["organization.peers"]),
                                  float(prm["organization.peer_within"]))
        # managers: levers drawn from the manager profile (§5)
        self.lev = {name: draw(rng, prm["managers." + name], prm["managers.spread"], M)
                    for name in LEVERS}
        self.E = np.full(M, float(prm["dynamics.effects0"]))   # effects
        self.L = np.full(M, float(prm["licence.initial"]))     # licence
        self.below = np.zeros(M, dtype=np.int64)               # ticks with L < revoke_below
        self.perf = np.zeros(M)                                 # perf_m: 0 at start
        # professionals: traits (need, lam, asp, std, bd) and states
        # (a, s, p, idn, mn, d, q, cy, tr), one array each (§5)
        self._init_professionals()
        self.exits = 0
        self.revocations = 0

    def _fresh(self, n, skill_mean):
        """Fresh traits and initial states for n professionals."""
        prm, rng = self.prm, self.rng
        tr = {t: draw(rng, prm["professionals." + t], prm["professionals.spread." + t], n)
              for t in TRAITS}
        st = {
            "a": np.full(n, 0.5), "s": np.full(n, 0.5), "p": np.full(n, 0.5),
            "idn": np.full(n, 0.5), "mn": np.full(n, 0.5),
            "d": tr["base_drive"].copy(),
            "q": draw(rng, skill_mean, 0.1, n),
            "cy": np.zeros(n), "tr": np.full(n, 0.5),
        }
        return tr, st

    def _init_professionals(self):
        # initial states: a, s, p, id, mn = 0.5; d = base_drive;
        # q ~ N(0.5, 0.1); cy = 0; tr = 0.5
        tr, st = self._fresh(self.N, 0.5)
        self.need, self.lam, self.asp = tr["need"], tr["consequentialism"], tr["aspiration"]
        self.std, self.bd = tr["standard"], tr["base_drive"]
        for k, v in st.items():
            setattr(self, k, v)

    def team_mean(self, x):
        return x.reshape(self.M, self.T).mean(axis=1)

    def peer(self, x):
        """peer(x): mean of x over P(i); own x if there are no ties."""
        if self.peers.shape[1] == 0:
            return x
        return x[self.peers].mean(axis=1)

    def tick(self, rows, t):
        prm, rng, tm, N = self.prm, self.rng, self.tm, self.N
        alpha = prm["dynamics.alpha"]
        noise = prm["dynamics.noise"]
        w = prm["dynamics.peer_weight"]
        a, s, p, idn, mn = self.a, self.s, self.p, self.idn, self.mn
        d, q, cy, tr = self.d, self.q, self.cy, self.tr
        need, lam, asp, std, bd = self.need, self.lam, self.asp, self.std, self.bd
        # manager values seen by each professional
        lv = {k: v[tm] for k, v in self.lev.items()}
        L_i = self.L[tm]
        E_i = self.E[tm]
        foc, eff, con = lv["focus"], lv["effect"], lv["connection"]
        dom, lis, ene, rat = lv["dominance"], lv["listening"], lv["energy"], lv["rationale"]

        # ---- Phase A: everything from the state of tick t (§7 Phase A) ----
        # signals: request, voice, pressure (perf_m = team essential of t-1)
        r = d * np.maximum(0.0, need - a)
        v = s * (1.0 - cy)
        g = np.maximum(0.0, self.lev["effect"] - self.perf)[tm]

        if prm["coupling"] == "zero_sum":
            # zero_sum: one budget, control c = 1 - a
            cstar = clamp(foc + eff * g + dom * r)
            wp = d * v
            wm = L_i * (1.0 - lis / 2.0) + dom
            wsum = wp + wm
            safe = wsum > 0
            # guard: when w_p + w_m = 0, a* = a
            astar = np.where(safe, (wp * need + wm * (1.0 - cstar)) / np.where(safe, wsum, 1.0), a)
            k = np.abs(need - (1.0 - cstar))
            s_off = L_i * (foc + con) / 2.0 * (1.0 - k)
            sigma = 1.0 - a
        else:
            # freedom_safety: box = L·sqrt(focus·connection)
            box = L_i * np.sqrt(foc * con)
            k = dom * r
            s_off = box * (1.0 - k)
            astar = need * s
            sigma = clamp(L_i * foc + eff * g)

        # work: effort, existential G(q,a,s,e), alignment, functional, essential
        e = np.sqrt(d * (1.0 + mn) / 2.0)
        x = (q * a * s * e) ** 0.25
        al = 1.0 - (1.0 - sigma) * (1.0 - p)
        fn = np.cbrt(e * al * (1.0 + ene) / 2.0)
        ess = np.sqrt(x * fn)

        # targets of the windows; meaning as catalyst c_mn
        c_mn = 0.25 + 1.5 * mn
        pstar = np.sqrt(L_i * rat * mn)
        fit = 1.0 - np.abs(E_i - std)
        idstar = fit * (1.0 + a) / 2.0
        mnstar = (1.0 - w) * np.cbrt(s * (p + idn) / 2.0 * (1.0 + con) / 2.0) + w * self.peer(mn)
        A = asp + eff * (1.0 - asp) / 2.0
        f = np.maximum(0.0, A - ess)
        source = lam * (1.0 - f) + (1.0 - lam) * idn
        dstar = (1.0 - w) * (bd * source * (1.0 - cy) * (1.0 + ene) / 2.0) ** 0.25 + w * self.peer(d)
        sstar = (1.0 - w) * s_off + w * self.peer(s)
        trstar = np.sqrt((1.0 - k) * (1.0 + con) / 2.0)

        # ---- observation of tick t: state at the start of t + phase A flows ----
        row = rows[t]
        row[COL["autonomy"]] = a.mean()
        row[COL["safety"]] = s.mean()
        row[COL["purpose"]] = p.mean()
        row[COL["identity"]] = idn.mean()
        row[COL["meaning"]] = mn.mean()
        row[COL["drive"]] = d.mean()
        row[COL["skill"]] = q.mean()
        row[COL["cynicism"]] = cy.mean()
        row[COL["trust"]] = tr.mean()
        row[COL["standard"]] = std.mean()
        row[COL["effects"]] = self.E.mean()
        row[COL["licence"]] = self.L.mean()
        row[COL["conflict"]] = k.mean()
        row[COL["existential"]] = x.mean()
        row[COL["functional"]] = fn.mean()
        row[COL["essential"]] = ess.mean()
        row[COL["fit"]] = fit.mean()
        # shares (v1.1): alienated a<0.3 & mn<0.3; disoriented a>=0.5 & s<0.3 & p<0.3;
        # integrated a, s, p, id, mn all > 0.5
        row[COL["alienated"]] = np.count_nonzero((a < 0.3) & (mn < 0.3)) / N
        row[COL["disoriented"]] = np.count_nonzero((a >= 0.5) & (s < 0.3) & (p < 0.3)) / N
        row[COL["integrated"]] = np.count_nonzero(
            (a > 0.5) & (s > 0.5) & (p > 0.5) & (idn > 0.5) & (mn > 0.5)) / N

        # ---- Phase B: the new state t+1 from A's values only (§7 Phase B) ----
        def eps():
            return rng.normal(0.0, noise, N)
        a1 = clamp(a + alpha * (astar - a) + eps())                    # W1
        s1 = clamp(s + alpha * (sstar - s) + eps())                    # W2
        p1 = clamp(p + alpha * c_mn * (pstar - p) + eps())             # W3
        id1 = clamp(idn + alpha * c_mn * (idstar - idn) + eps())       # W4
        std1 = clamp(std + alpha * 0.2 * p * (E_i - std))              # W5
        if prm["dynamics.meaning_dynamics"]:
            mn1 = clamp(mn + alpha * (mnstar - mn) + eps())            # W6
        else:
            mn1 = mn                                                   # ablation: mn held
        d1 = clamp(d + alpha * c_mn * (dstar - d) + eps())             # W7
        q1 = clamp(q + prm["dynamics.learn"] * (1.0 + lam) / 2.0 * a * s * (1.0 - q)
                   - 0.01 * q * (1.0 - a))                             # skill
        cy1 = clamp(cy + prm["dynamics.cynicism_rate"]
                    * (lam * f * (1.0 - cy) - (1.0 - f) * cy / 2.0))  # cynicism
        tr1 = clamp(tr + alpha * (trstar - tr))                        # trust
        # communicative adjustment of effects (uses standard of tick t)
        E1 = clamp(self.E + alpha * self.lev["listening"] * self.team_mean(v * (std - E_i)))

        # ---- Phase C: end-of-tick events on the new state (§7 Phase C) ----
        # team performance for the next tick's pressure
        self.perf = self.team_mean(ess)
        # licence follows the team's (new) trust; count ticks below threshold
        L1 = clamp(self.L + prm["licence.rate"] * (self.team_mean(tr1) - self.L))
        below = np.where(L1 < prm["licence.revoke_below"], self.below + 1, 0)
        revoked = below >= prm["licence.replace_after"]
        if revoked.any():
            # revocation: new manager (new levers, L = licence0, E = effects0,
            # below = 0), the team's trust reset to 0.5
            nr = int(revoked.sum())
            for name in LEVERS:
                self.lev[name][revoked] = draw(rng, prm["managers." + name], prm["managers.spread"], nr)
            L1[revoked] = prm["licence.initial"]
            E1[revoked] = prm["dynamics.effects0"]
            below[revoked] = 0
            tr1[revoked[tm]] = 0.5
            self.revocations += nr
        # turbulence: one organisation-wide Bernoulli draw; every E_m shifts by its own N(0, 0.2)
        turb = prm["environment.turbulence"]
        if turb > 0 and rng.random() < turb:
            E1 = clamp(E1 + rng.normal(0.0, 0.2, self.M))
        # turnover on the new state: engagement eg = G(d, mn)
        eg = np.sqrt(d1 * mn1)
        p_leave = prm["turnover.exit_base"] + prm["turnover.exit_sensitivity"] * np.maximum(
            0.0, prm["turnover.engagement_floor"] - eg)
        leave = rng.random(N) < p_leave
        n_leave = int(np.count_nonzero(leave))
        if n_leave:
            # replaced by a hire: fresh traits, initial states, skill ~ N(0.3, 0.1),
            # same place in the network
            trn, stn = self._fresh(n_leave, 0.3)
            self.need[leave] = trn["need"]
            self.lam[leave] = trn["consequentialism"]
            self.asp[leave] = trn["aspiration"]
            self.bd[leave] = trn["base_drive"]
            std1[leave] = trn["standard"]
            if mn1 is mn:
                mn1 = mn.copy()
            a1[leave] = stn["a"]; s1[leave] = stn["s"]; p1[leave] = stn["p"]
            id1[leave] = stn["idn"]; mn1[leave] = stn["mn"]; d1[leave] = stn["d"]
            q1[leave] = stn["q"]; cy1[leave] = stn["cy"]; tr1[leave] = stn["tr"]
            self.exits += n_leave

        # swap buffers
        self.a, self.s, self.p, self.idn, self.mn = a1, s1, p1, id1, mn1
        self.d, self.q, self.cy, self.tr, self.std = d1, q1, cy1, tr1, std1
        self.E, self.L, self.below = E1, L1, below
        # cumulative counts through tick t's phase C
        row[COL["exits"]] = self.exits
        row[COL["revocations"]] = self.revocations


def run_metrics(rows):
    """Per run (docs/ODD.md §7, Observation): final-window means over the
    last ceil(ticks/5) ticks, final cumulative exits and revocations, and
    settle_tick."""
    ticks = rows.shape[0]
    win = math.ceil(ticks / 5)
    out = dict(zip(TICK_METRICS, rows[-win:].mean(axis=0)))
    out["exits"] = rows[-1, COL["exits"]]
    out["revocations"] = rows[-1, COL["revocations"]]
    # settle_tick: m_t = trailing mean of essential over max(0, t-9)..=t;
    # 1 + the last t with |m_t - F| > 0.02 (F = final-window essential), else 0
    ess = rows[:, COL["essential"]]
    csum = np.concatenate([[0.0], np.cumsum(ess)])
    t = np.arange(ticks)
    lo = np.maximum(0, t - 9)
    m = (csum[t + 1] - csum[lo]) / (t + 1 - lo)
    outside = np.nonzero(np.abs(m - out["essential"]) > 0.02)[0]
    out["settle_tick"] = float(outside[-1] + 1) if outside.size else 0.0
    return out


def simulate(prm, seed, ticks):
    """One run. Returns (per-run metrics dict, tick rows, tick-loop seconds)."""
    model = PSM(prm, seed)
    rows = np.zeros((ticks, len(TICK_METRICS)))
    t0 = time.perf_counter()
    for t in range(ticks):
        model.tick(rows, t)
    elapsed = time.perf_counter() - t0
    return run_metrics(rows), rows, elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario parameter, e.g. managers.focus=0.9 (repeatable)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ticks", type=int, default=200)
    ap.add_argument("--reps", type=int, default=1, help="replicates, seeds seed..seed+N-1")
    ap.add_argument("--out", help="CSV file: one row per replicate with the per-run metrics")
    ap.add_argument("--time", action="store_true",
                    help="run once and print professional-steps per second")
    args = ap.parse_args(argv)
    try:
        prm = make_params(args.set)
    except ValueError as exc:
        ap.error(str(exc))
    if args.ticks < 1:
        ap.error("--ticks must be at least 1")
    n = prm["organization.teams"] * prm["organization.team_size"]

    if args.time:
        _, _, elapsed = simulate(prm, args.seed, args.ticks)
        print(f"psm_numpy {n} professionals: {n * args.ticks / elapsed:.0f} steps/s")
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
