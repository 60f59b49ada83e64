//! The golden tick: the next state of an organisation computed here, in
//! plain scalar code written from the equations of `docs/ODD.md` §7, and
//! compared with the engine's tick to 1e-12, for both couplings.
//!
//! Two designs. A tiny organisation without noise or events, one tick
//! (`one_tick_…`). And the whole tick (`every_tick_…`): teams of 3, 7 and
//! 13 professionals (not multiples of the lane width), three kinds of
//! manager, noise, leavers, revocations and turbulence, every tick of a
//! run checked. Its random numbers are read here from the streams in the
//! documented order (ODD §4, *Random numbers*): per team and tick six noise
//! words per professional (window after window), one turnover word each,
//! then the further words of the noise draws that leave the ziggurat's fast
//! path, the replacement levers, the turbulence shift and the hires' draws;
//! the turbulence of the tick from the organisation's stream. The engine's
//! state is read only through its accessors; nothing of the engine's
//! arithmetic is reused (the generator's `normal` and `uniform` are the
//! documented draws).

use profspace::model::psm::metrics::tick as m;
use profspace::model::psm::{Coupling, Levers, Organisation, PsmParams};
use profspace::rng::{self, Rng, Words};

use crate::common;

const SCENARIO: &str = "
ticks = 10
[organization]
teams = 3
team_size = 4
peers = 2
peer_within = 0.5
[managers]
spread = 0.2
listening = 0.6
dominance = 0.3
[professionals.spread]
need = 0.2
consequentialism = 0.3
[dynamics]
noise = 0.0
alpha = 0.3
[turnover]
exit_base = 0.0
exit_sensitivity = 0.0
[licence]
revoke_below = 0.0
replace_after = 1
";

fn clamp(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// Geometric mean.
fn g(parts: &[f64]) -> f64 {
    parts.iter().product::<f64>().powf(1.0 / parts.len() as f64)
}

/// A copy of every array of the organisation, by name.
struct State {
    arrays: Vec<(String, Vec<f64>)>,
}

impl State {
    fn read(org: &Organisation) -> State {
        State {
            arrays: org
                .state_arrays()
                .into_iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> &[f64] {
        &self
            .arrays
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no state array {name}"))
            .1
    }
}

/// Reads the first word, then the words of the stream after the bulk: one
/// normal draw of the noise, which leaves the fast path on later words.
struct Continue<'a> {
    first: Option<u32>,
    rest: &'a mut Rng,
}

impl Words for Continue<'_> {
    fn word(&mut self) -> u32 {
        self.first.take().unwrap_or_else(|| self.rest.word())
    }
}

/// The random numbers of team `j` at tick `t`: the noise of W1, W2, W3, W4,
/// W6 and W7 per professional, the turnover uniforms, and the stream that
/// phase C reads on.
struct Draws {
    z: Vec<[f64; 6]>,
    u: Vec<f64>,
    more: Rng,
}

fn team_draws(key: &[u8; 32], j: usize, tick: u32, ts: usize, noise: f64) -> Draws {
    let mut more = rng::stream(key, rng::team_stream(j), tick);
    let words: Vec<u32> = (0..7 * ts).map(|_| more.word()).collect();
    let mut z = vec![[0.0; 6]; ts];
    for w in 0..6 {
        for (k, zk) in z.iter_mut().enumerate() {
            let mut src = Continue {
                first: Some(words[w * ts + k]),
                rest: &mut more,
            };
            zk[w] = noise * rng::normal(&mut src);
        }
    }
    let u = (0..ts).map(|k| rng::uniform32(words[6 * ts + k])).collect();
    Draws { z, u, more }
}

/// The profile of unit `k` of `count` by cumulative shares (ODD §5): the
/// first whose cumulative share exceeds (k + ½)/count.
fn profile_of(shares: &[f64], k: usize, count: usize) -> usize {
    let at = (k as f64 + 0.5) / count as f64;
    let mut cum = 0.0;
    for (i, s) in shares.iter().enumerate() {
        cum += s;
        if cum > at {
            return i;
        }
    }
    shares.len() - 1
}

/// A draw around a mean, clamped (ODD §2: every draw is normal, clamped).
fn draw(r: &mut Rng, mean: f64, sd: f64) -> f64 {
    clamp(mean + sd * rng::normal(r))
}

/// What a tick does besides the arrays: the levers after it, and its events.
struct Events {
    levers: Vec<Levers>,
    exits: u64,
    revocations: u64,
    turbulent: bool,
}

/// The state after one tick and the observation of that tick, computed from
/// the equations; `key` and `tick` give the random numbers.
fn expected_tick(
    s: &PsmParams,
    org: &Organisation,
    key: &[u8; 32],
    tick: u32,
) -> (State, Vec<f64>, Events) {
    let st = State::read(org);
    let levers = org.levers().to_vec();
    let ties = org.ties();
    let k_peers = org.peers_per_professional();
    let ts = org.team_size();
    let n = org.len();
    let teams = org.teams();
    let zero_sum = s.coupling == Coupling::ZeroSum;
    let d = &s.dynamics;
    let (alpha, w) = (d.alpha, d.peer_weight);
    let mut draws: Vec<Draws> = (0..teams)
        .map(|j| team_draws(key, j, tick, ts, d.noise))
        .collect();
    let mut leaves = vec![false; n];

    let mut next: Vec<(String, Vec<f64>)> = st.arrays.clone();
    let mut set = |name: &str, i: usize, x: f64| {
        next.iter_mut().find(|(nm, _)| nm == name).unwrap().1[i] = x;
    };
    let mut obs = vec![0.0; m::LEN];
    let (mut ess_team, mut trust_team, mut adjust_team) =
        (vec![0.0; teams], vec![0.0; teams], vec![0.0; teams]);
    for i in 0..n {
        let j = i / ts;
        let lv = levers[j];
        let big_l = st.get("licence")[j];
        let e_m = st.get("effects")[j];
        let perf = st.get("perf")[j];
        let v = |name: &str| st.get(name)[i];
        let (a, sf, p, id, mn, dr, q, cy, tr) = (
            v("autonomy"),
            v("safety"),
            v("purpose"),
            v("identity"),
            v("meaning"),
            v("drive"),
            v("skill"),
            v("cynicism"),
            v("trust"),
        );
        let (need, lambda, asp, std, base) = (
            v("need"),
            v("lambda"),
            v("aspiration"),
            v("standard"),
            v("base_drive"),
        );
        let peer = |name: &str| -> f64 {
            if k_peers == 0 {
                return st.get(name)[i];
            }
            let mine = &ties[i * k_peers..(i + 1) * k_peers];
            mine.iter().map(|&t| st.get(name)[t as usize]).sum::<f64>() / k_peers as f64
        };

        // Signals.
        let r = dr * (need - a).max(0.0);
        let voice = sf * (1.0 - cy);
        let pressure = (lv.effect - perf).max(0.0);
        // The frame.
        let (a_star, k, s_off, sigma) = if zero_sum {
            let c = clamp(lv.focus + lv.effect * pressure + lv.dominance * r);
            let wp = dr * voice;
            let wm = big_l * (1.0 - lv.listening / 2.0) + lv.dominance;
            let a_star = if wp + wm > 0.0 {
                (wp * need + wm * (1.0 - c)) / (wp + wm)
            } else {
                a
            };
            let k = (need - (1.0 - c)).abs();
            (
                a_star,
                k,
                big_l * (lv.focus + lv.connection) / 2.0 * (1.0 - k),
                1.0 - a,
            )
        } else {
            let bx = big_l * (lv.focus * lv.connection).sqrt();
            let k = lv.dominance * r;
            (
                need * sf,
                k,
                bx * (1.0 - k),
                clamp(big_l * lv.focus + lv.effect * pressure),
            )
        };
        // Work.
        let e = g(&[dr, (1.0 + mn) / 2.0]);
        let x = g(&[q, a, sf, e]);
        let al = 1.0 - (1.0 - sigma) * (1.0 - p);
        let fnc = g(&[e, al, (1.0 + lv.energy) / 2.0]);
        let ess = (x * fnc).sqrt();
        // Targets.
        let c_mn = 0.25 + 1.5 * mn;
        let p_star = (big_l * lv.rationale * mn).sqrt();
        let fit = 1.0 - (e_m - std).abs();
        let id_star = fit * (1.0 + a) / 2.0;
        let mn_star =
            (1.0 - w) * g(&[sf, (p + id) / 2.0, (1.0 + lv.connection) / 2.0]) + w * peer("meaning");
        let aspiration = asp + lv.effect * (1.0 - asp) / 2.0;
        let f = (aspiration - ess).max(0.0);
        let source = lambda * (1.0 - f) + (1.0 - lambda) * id;
        let d_star =
            (1.0 - w) * g(&[base, source, 1.0 - cy, (1.0 + lv.energy) / 2.0]) + w * peer("drive");
        let s_star = (1.0 - w) * s_off + w * peer("safety");
        let tr_star = g(&[1.0 - k, (1.0 + lv.connection) / 2.0]);
        // Phase B, with the noise of W1, W2, W3, W4, W6 and W7.
        let z = draws[j].z[i % ts];
        set("autonomy", i, clamp(a + alpha * (a_star - a) + z[0]));
        set("safety", i, clamp(sf + alpha * (s_star - sf) + z[1]));
        set("purpose", i, clamp(p + alpha * c_mn * (p_star - p) + z[2]));
        set(
            "identity",
            i,
            clamp(id + alpha * c_mn * (id_star - id) + z[3]),
        );
        set("standard", i, clamp(std + alpha * 0.2 * p * (e_m - std)));
        let mn_new = if d.meaning_dynamics {
            clamp(mn + alpha * (mn_star - mn) + z[4])
        } else {
            mn
        };
        set("meaning", i, mn_new);
        let d_new = clamp(dr + alpha * c_mn * (d_star - dr) + z[5]);
        set("drive", i, d_new);
        // Turnover reads the new drive and meaning.
        let t = &s.turnover;
        let engagement = (d_new * mn_new).sqrt();
        let p_leave = t.exit_base + t.exit_sensitivity * (t.engagement_floor - engagement).max(0.0);
        leaves[i] = draws[j].u[i % ts] < p_leave;
        set(
            "skill",
            i,
            clamp(q + d.learn * (1.0 + lambda) / 2.0 * a * sf * (1.0 - q) - 0.01 * q * (1.0 - a)),
        );
        set(
            "cynicism",
            i,
            clamp(cy + d.cynicism_rate * (lambda * f * (1.0 - cy) - (1.0 - f) * cy / 2.0)),
        );
        let tr_new = clamp(tr + alpha * (tr_star - tr));
        set("trust", i, tr_new);
        ess_team[j] += ess / ts as f64;
        trust_team[j] += tr_new / ts as f64;
        adjust_team[j] += voice * (std - e_m) / ts as f64;

        // The observation of this tick: state at its start, flows of phase A.
        for (col, val) in [
            (m::AUTONOMY, a),
            (m::SAFETY, sf),
            (m::PURPOSE, p),
            (m::IDENTITY, id),
            (m::MEANING, mn),
            (m::DRIVE, dr),
            (m::SKILL, q),
            (m::CYNICISM, cy),
            (m::TRUST, tr),
            (m::STANDARD, std),
            (m::CONFLICT, k),
            (m::EXISTENTIAL, x),
            (m::FUNCTIONAL, fnc),
            (m::ESSENTIAL, ess),
            (m::FIT, fit),
            (m::ALIENATED, f64::from(u8::from(a < 0.3 && mn < 0.3))),
            (
                m::DISORIENTED,
                f64::from(u8::from(a >= 0.5 && sf < 0.3 && p < 0.3)),
            ),
            (
                m::INTEGRATED,
                f64::from(u8::from(
                    a > 0.5 && sf > 0.5 && p > 0.5 && id > 0.5 && mn > 0.5,
                )),
            ),
        ] {
            obs[col] += val / n as f64;
        }
    }
    // Managers: communicative adjustment (B), performance, licence,
    // revocation, turbulence and turnover (C), each team on its own stream.
    let turbulent =
        rng::uniform(&mut rng::stream(key, rng::ORG_STREAM, tick)) < s.environment.turbulence;
    let manager_profiles = s.managers.effective_profiles();
    let manager_shares: Vec<f64> = manager_profiles.iter().map(|p| p.share).collect();
    let place_profiles = s.professionals.effective_profiles();
    let place_shares: Vec<f64> = place_profiles.iter().map(|p| p.share).collect();
    let (before_exits, before_revocations) = org.counts();
    let mut events = Events {
        levers: levers.clone(),
        exits: before_exits,
        revocations: before_revocations,
        turbulent,
    };
    assert_eq!(
        s.licence.replace_after, 1,
        "the golden tick knows no `below` counter: a licence below the threshold is revoked at once"
    );
    for j in 0..teams {
        let lv = levers[j];
        let (big_l, e_m) = (st.get("licence")[j], st.get("effects")[j]);
        obs[m::EFFECTS] += e_m / teams as f64;
        obs[m::LICENCE] += big_l / teams as f64;
        let mut e_new = clamp(e_m + alpha * lv.listening * adjust_team[j]);
        set("perf", j, ess_team[j]);
        let l_new = clamp(big_l + s.licence.rate * (trust_team[j] - big_l));
        set("licence", j, l_new);
        let r = &mut draws[j].more;
        if l_new < s.licence.revoke_below {
            let pr = &manager_profiles[profile_of(&manager_shares, j, teams)];
            let (mm, sd) = (pr.levers, pr.spread);
            events.levers[j] = Levers {
                rationale: draw(r, mm.rationale, sd),
                effect: draw(r, mm.effect, sd),
                focus: draw(r, mm.focus, sd),
                energy: draw(r, mm.energy, sd),
                connection: draw(r, mm.connection, sd),
                dominance: draw(r, mm.dominance, sd),
                listening: draw(r, mm.listening, sd),
            };
            set("licence", j, s.licence.initial);
            e_new = d.effects0;
            for k in 0..ts {
                set("trust", j * ts + k, 0.5);
            }
            events.revocations += 1;
        }
        if turbulent {
            e_new = clamp(e_new + 0.2 * rng::normal(r));
        }
        set("effects", j, e_new);
        for k in (0..ts).filter(|&k| leaves[j * ts + k]) {
            let i = j * ts + k;
            let tm = place_profiles[profile_of(&place_shares, k, ts)].traits;
            let sd = s.professionals.spread;
            let need = draw(r, tm.need, sd.need);
            let lambda = draw(r, tm.consequentialism, sd.consequentialism);
            let aspiration = draw(r, tm.aspiration, sd.aspiration);
            let standard = draw(r, tm.standard, sd.standard);
            let base = draw(r, tm.base_drive, sd.base_drive);
            let skill = draw(r, 0.3, 0.1);
            for (name, x) in [
                ("need", need),
                ("lambda", lambda),
                ("aspiration", aspiration),
                ("standard", standard),
                ("base_drive", base),
                ("skill", skill),
                ("autonomy", 0.5),
                ("safety", 0.5),
                ("purpose", 0.5),
                ("identity", 0.5),
                ("meaning", 0.5),
                ("drive", base),
                ("cynicism", 0.0),
                ("trust", 0.5),
            ] {
                set(name, i, x);
            }
            events.exits += 1;
        }
    }
    obs[m::EXITS] = events.exits as f64;
    obs[m::REVOCATIONS] = events.revocations as f64;
    (State { arrays: next }, obs, events)
}

/// Steps `org` through tick `tick` and compares everything with the
/// equations: every array, the levers, the observation. Returns the
/// observation and what the tick did.
fn compare(
    s: &PsmParams,
    org: &mut Organisation,
    seed: u64,
    tick: u32,
    label: &str,
) -> (Vec<f64>, Events) {
    let key = rng::run_key(seed);
    let (want, want_obs, events) = expected_tick(s, org, &key, tick);
    let got_obs = org.step(tick);
    let got = State::read(org);
    for (name, values) in &want.arrays {
        for (i, (w, g)) in values.iter().zip(got.get(name)).enumerate() {
            assert!(
                (w - g).abs() < 1e-12,
                "{label}, tick {tick}: {name}[{i}] after the tick: expected {w}, engine {g}"
            );
        }
    }
    for (j, (w, g)) in events.levers.iter().zip(org.levers()).enumerate() {
        assert_eq!(w, g, "{label}, tick {tick}: the levers of team {j}");
    }
    for (col, (w, g)) in want_obs.iter().zip(&got_obs).enumerate() {
        assert!(
            (w - g).abs() < 1e-12,
            "{label}, tick {tick}: observation {} expected {w}, engine {g}",
            m::METRICS[col].name
        );
    }
    (got_obs.to_vec(), events)
}

fn check(coupling: &str) {
    let s = common::psm(&format!("coupling = \"{coupling}\"\n{SCENARIO}"));
    let seed = 20_261_129;
    let mut org = Organisation::new(&s, seed);
    // A few ticks first, so that states and last tick's performance differ
    // between professionals and teams.
    for t in 0..4 {
        org.step(t);
    }
    let before = State::read(&org);
    let (obs, _) = compare(&s, &mut org, seed, 4, coupling);
    // The tiny organisation must exercise the rules that matter: some
    // change, no revocation, no exits.
    assert!(State::read(&org).get("autonomy") != before.get("autonomy"));
    assert_eq!(obs[m::EXITS], 0.0);
    assert_eq!(obs[m::REVOCATIONS], 0.0);
}

/// The whole tick: three teams led by a commanding, an absent and an
/// integrating manager, noise, turnover, revocation at once below the
/// threshold, turbulence; every tick of 40 checked.
fn whole(coupling: &str, team_size: u32) -> [bool; 3] {
    let peers = team_size.min(4);
    // Trust runs higher under freedom/safety: its licences are revoked
    // from a higher threshold, so that revocations happen in both.
    let revoke_below = if coupling == "zero_sum" { 0.45 } else { 0.65 };
    let text = format!(
        "coupling = \"{coupling}\"\nticks = 40\n\
         [organization]\nteams = 3\nteam_size = {team_size}\npeers = {peers}\npeer_within = 0.5\n\
         [managers]\nspread = 0.1\n\
         [[managers.profiles]]\nname = \"commanding\"\nshare = 0.34\nfocus = 0.9\neffect = 0.9\n\
         connection = 0.1\nrationale = 0.1\ndominance = 0.9\nlistening = 0.1\n\
         [[managers.profiles]]\nname = \"absent\"\nshare = 0.33\nfocus = 0.1\neffect = 0.1\n\
         connection = 0.1\nrationale = 0.1\ndominance = 0.0\n\
         [[managers.profiles]]\nname = \"integrating\"\nshare = 0.33\nfocus = 0.8\nconnection = 0.8\n\
         rationale = 0.8\nlistening = 0.8\ndominance = 0.0\n\
         [professionals.spread]\nneed = 0.2\nconsequentialism = 0.3\n\
         [dynamics]\nnoise = 0.05\nalpha = 0.3\n\
         [turnover]\nexit_base = 0.03\nexit_sensitivity = 0.5\nengagement_floor = 0.5\n\
         [licence]\ninitial = 0.8\nrate = 0.5\nrevoke_below = {revoke_below}\nreplace_after = 1\n\
         [environment]\nturbulence = 0.3\n"
    );
    let s = common::psm(&text);
    let seed = 7 + u64::from(team_size);
    let mut org = Organisation::new(&s, seed);
    let label = format!("{coupling}, teams of {team_size}");
    let (mut exits, mut revocations, mut shocks) = (0u64, 0u64, 0u32);
    let mut shares = [false; 3];
    for t in 0..40 {
        let before = org.counts();
        let (obs, events) = compare(&s, &mut org, seed, t, &label);
        exits += events.exits - before.0;
        revocations += events.revocations - before.1;
        shocks += u32::from(events.turbulent);
        for (k, col) in [m::ALIENATED, m::DISORIENTED, m::INTEGRATED]
            .into_iter()
            .enumerate()
        {
            shares[k] |= obs[col] > 0.0;
        }
    }
    eprintln!(
        "{label}: 40 ticks equal to the equations, with {exits} leavers, {revocations} \
         revocations, {shocks} turbulent ticks; shares seen (alienated, disoriented, \
         integrated) {shares:?}"
    );
    assert!(
        exits > 0,
        "{label}: no leaver: the turnover rule was not exercised"
    );
    assert!(
        revocations > 0,
        "{label}: no revocation: the licence rule was not exercised"
    );
    assert!(
        shocks > 0,
        "{label}: no turbulence: the shock rule was not exercised"
    );
    shares
}

/// Every share must have been above 0 in some tick of the couplings' runs,
/// so that the three situations' rules were compared too.
fn all_shares_seen(seen: &[[bool; 3]]) {
    for (k, name) in ["alienated", "disoriented", "integrated"]
        .into_iter()
        .enumerate()
    {
        assert!(
            seen.iter().any(|s| s[k]),
            "the {name} share was never above 0: its rule was not compared"
        );
    }
}

#[test]
fn every_tick_of_zero_sum_follows_the_equations() {
    let seen: Vec<[bool; 3]> = [3, 7, 13].map(|ts| whole("zero_sum", ts)).to_vec();
    all_shares_seen(&seen);
}

#[test]
fn every_tick_of_freedom_safety_follows_the_equations() {
    let seen: Vec<[bool; 3]> = [3, 7, 13].map(|ts| whole("freedom_safety", ts)).to_vec();
    all_shares_seen(&seen);
}

#[test]
fn one_tick_of_zero_sum_follows_the_equations() {
    check("zero_sum");
}

#[test]
fn one_tick_of_freedom_safety_follows_the_equations() {
    check("freedom_safety");
}
