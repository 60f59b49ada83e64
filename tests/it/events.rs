//! The end-of-tick events of `docs/ODD.md` §7, Phase C, tested one rule at a
//! time on organisations built so that only the rule under test can act:
//! revocation and replacement of a manager, the turnover rate and the
//! turbulence rate.

use profspace::model::psm::Organisation;
use profspace::model::psm::metrics::tick as m;

use crate::common;

/// Half-width of the 99.9% normal interval of a binomial count.
fn binomial_band(trials: f64, p: f64) -> f64 {
    3.29 * (trials * p * (1.0 - p)).sqrt()
}

fn array(org: &Organisation, name: &str) -> Vec<f64> {
    org.state_arrays()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no array {name}"))
        .1
        .to_vec()
}

/// A licence that follows the team's trust at once (rate 1) can never reach
/// 0.9, so every team counts toward revocation from the first tick; the
/// group revokes at the third tick in a row.
#[test]
fn revocation_replaces_the_manager_after_replace_after_ticks_below() {
    let s = common::psm(
        "coupling = \"zero_sum\"\n[organization]\nteams = 4\n\
         [managers]\nspread = 0.1\nlistening = 0.9\n\
         [dynamics]\neffects0 = 0.3\n\
         [licence]\ninitial = 0.95\nrate = 1.0\nrevoke_below = 0.9\nreplace_after = 3\n\
         [turnover]\nexit_base = 0.0\nexit_sensitivity = 0.0\n",
    );
    let mut org = Organisation::new(&s, 7);
    let teams = org.teams();
    for t in 0..2 {
        let obs = org.step(t);
        assert_eq!(obs[m::REVOCATIONS], 0.0, "revoked too early, tick {t}");
        let licence = array(&org, "licence");
        assert!(
            licence.iter().all(|&l| l < 0.9),
            "licence should follow trust below the threshold: {licence:?}"
        );
        let effects = array(&org, "effects");
        assert!(
            effects.iter().all(|&e| e != 0.3),
            "listening managers should have moved their effects: {effects:?}"
        );
    }
    let levers_before = org.levers().to_vec();
    let obs = org.step(2);
    assert_eq!(
        obs[m::REVOCATIONS],
        teams as f64,
        "every team revokes at the third tick below"
    );
    assert_eq!(array(&org, "licence"), vec![0.95; teams], "L = licence0");
    assert_eq!(array(&org, "effects"), vec![0.3; teams], "E = effects0");
    assert!(
        array(&org, "trust").iter().all(|&t| t == 0.5),
        "the teams' trust is reset to 0.5"
    );
    for (j, (before, after)) in levers_before.iter().zip(org.levers()).enumerate() {
        assert_ne!(
            before, after,
            "team {j}: the new manager's levers are redrawn"
        );
    }
    // The count of ticks below starts again: the next revocation is three
    // ticks later.
    for t in 3..5 {
        assert_eq!(org.step(t)[m::REVOCATIONS], teams as f64, "tick {t}");
    }
    assert_eq!(org.step(5)[m::REVOCATIONS], 2.0 * teams as f64);
    let (_, revocations) = org.counts();
    assert_eq!(revocations, 2 * teams as u64);
}

#[test]
fn no_manager_is_revoked_above_the_threshold() {
    let s = common::psm("[licence]\nrevoke_below = 0.0\n");
    let mut org = Organisation::new(&s, 7);
    for t in 0..200 {
        org.step(t);
    }
    assert_eq!(org.counts().1, 0);
}

/// With no sensitivity to engagement every professional leaves with
/// probability exit_base each tick.
#[test]
fn the_exit_frequency_matches_the_exit_probability() {
    for p in [0.01, 0.05] {
        let s = common::psm(&format!(
            "[turnover]\nexit_base = {p}\nexit_sensitivity = 0.0\n"
        ));
        let ticks = 400u32;
        let mut exits = 0u64;
        for seed in 0..3 {
            let mut org = Organisation::new(&s, seed);
            for t in 0..ticks {
                org.step(t);
            }
            exits += org.counts().0;
        }
        let trials = 3.0 * f64::from(ticks) * s.professionals() as f64;
        let band = binomial_band(trials, p);
        let expected = trials * p;
        eprintln!(
            "exit_base {p}: {exits} exits in {trials} professional-ticks, expected {expected} ± {band:.0}"
        );
        assert!(
            (exits as f64 - expected).abs() < band,
            "exit_base {p}: {exits} exits in {trials} professional-ticks; expected {expected} ± {band:.0} (99.9%)"
        );
    }
}

/// Effects move only in turbulent ticks when managers do not listen and no
/// licence is revoked; every team's effects then shift by its own draw.
#[test]
fn the_turbulence_frequency_matches_its_probability() {
    let p = 0.3;
    let s = common::psm(&format!(
        "[managers]\nlistening = 0.0\nspread = 0.0\n[licence]\nrevoke_below = 0.0\n\
         [dynamics]\neffects0 = 0.5\n[environment]\nturbulence = {p}\n"
    ));
    let ticks = 2000u32;
    let mut org = Organisation::new(&s, 11);
    let mut shifted = 0u32;
    let mut previous = array(&org, "effects");
    for t in 0..ticks {
        org.step(t);
        let now = array(&org, "effects");
        let moved = now.iter().zip(&previous).filter(|(a, b)| a != b).count();
        // All teams shift together, each by its own draw; a team at a bound
        // stays put when its draw points outward, so one mover is enough.
        if moved > 0 {
            shifted += 1;
        }
        previous = now;
    }
    let band = binomial_band(f64::from(ticks), p);
    let expected = f64::from(ticks) * p;
    eprintln!(
        "turbulence {p}: {shifted} turbulent ticks of {ticks}, expected {expected} ± {band:.0}"
    );
    assert!(
        (f64::from(shifted) - expected).abs() < band,
        "turbulence {p}: effects shifted in {shifted} of {ticks} ticks; expected {expected} ± {band:.0} (99.9%)"
    );
}

/// The median absolute value of a sample, over 0.6745: the sd of a normal,
/// untouched by the few draws clamped at the bounds.
fn robust_sd(xs: &[f64]) -> f64 {
    let mut a: Vec<f64> = xs.iter().map(|x| x.abs()).collect();
    a.sort_by(f64::total_cmp);
    a[a.len() / 2] / 0.674_489_750_196_081_7
}

/// Each turbulent tick shifts every team's effects by its own N(0, 0.2)
/// draw: from 0.5, with no listening and no revocation, one tick of
/// turbulence 1 moves 2 000 managers by draws whose spread is 0.2 and that
/// differ from team to team.
#[test]
fn a_turbulence_shift_is_a_draw_of_sd_0_2_for_each_team() {
    let s = common::psm(
        "[organization]\nteams = 2000\nteam_size = 1\npeers = 0\n\
         [managers]\nlistening = 0.0\nspread = 0.0\n[licence]\nrevoke_below = 0.0\n\
         [dynamics]\neffects0 = 0.5\n[environment]\nturbulence = 1.0\n",
    );
    let mut org = Organisation::new(&s, 3);
    org.step(0);
    let shifts: Vec<f64> = array(&org, "effects").iter().map(|e| e - 0.5).collect();
    let n = shifts.len() as f64;
    let sd = robust_sd(&shifts);
    // The median-based sd has a standard error of 1.167 σ / √n.
    let se = 1.167 * 0.2 / n.sqrt();
    eprintln!(
        "turbulence shift: sd {sd:.4}, expected 0.2 ± {:.4} (4 SE)",
        4.0 * se
    );
    assert!(
        (sd - 0.2).abs() < 4.0 * se,
        "turbulence shift: sd {sd:.4} of {n} teams' shifts, expected 0.2 ± {:.4} (4 SE)",
        4.0 * se
    );
    let mean = shifts.iter().sum::<f64>() / n;
    assert!(
        mean.abs() < 4.0 * 0.2 / n.sqrt(),
        "turbulence shift: mean {mean:.4}, expected 0 ± {:.4} (4 SE)",
        4.0 * 0.2 / n.sqrt()
    );
    // Each team its own draw: no two shifts alike but those clamped at a
    // bound.
    let mut inside: Vec<f64> = shifts.iter().copied().filter(|x| x.abs() < 0.5).collect();
    let count = inside.len();
    inside.sort_by(f64::total_cmp);
    inside.dedup();
    assert!(
        inside.len() == count && count as f64 > 0.9 * n,
        "turbulence shift: {} distinct shifts among the {count} teams inside the bounds: one \
         common shift?",
        inside.len()
    );
}

/// With alpha 0 and no noise the states stay where they start, so every
/// professional's engagement is √(base_drive · 0.5) and the exit
/// probability exit_base + exit_sensitivity · max(0, floor − engagement) is
/// the same every tick (a hire starts in the same state): the exits of
/// 2 000 professionals over 50 ticks follow it for several settings.
#[test]
fn the_exit_rate_follows_engagement_below_the_floor() {
    for (base, sensitivity, floor, base_drive) in [
        (0.0, 0.5, 0.8, 0.5),
        (0.02, 0.2, 0.9, 0.32),
        (0.05, 1.0, 0.3, 0.5),
        (0.01, 0.3, 0.6, 0.18),
    ] {
        let s = common::psm(&format!(
            "[organization]\nteams = 200\nteam_size = 10\n\
             [professionals]\nbase_drive = {base_drive}\n[professionals.spread]\nbase_drive = 0.0\n\
             [dynamics]\nalpha = 0.0\nnoise = 0.0\n\
             [licence]\nrevoke_below = 0.0\n\
             [turnover]\nexit_base = {base}\nexit_sensitivity = {sensitivity}\nengagement_floor = {floor}\n"
        ));
        let engagement = (base_drive * 0.5f64).sqrt();
        let p = base + sensitivity * (floor - engagement).max(0.0);
        let ticks = 50u32;
        let mut org = Organisation::new(&s, 5);
        for t in 0..ticks {
            org.step(t);
        }
        let exits = org.counts().0 as f64;
        let trials = f64::from(ticks) * s.professionals() as f64;
        let (expected, band) = (trials * p, binomial_band(trials, p));
        eprintln!(
            "exits at base {base}, sensitivity {sensitivity}, floor {floor}, engagement \
             {engagement:.3}: {exits} in {trials} professional-ticks, expected {expected:.0} ± {band:.0}"
        );
        assert!(
            (exits - expected).abs() <= band.max(0.5),
            "exits at base {base}, sensitivity {sensitivity}, floor {floor}, engagement \
             {engagement:.3} (probability {p:.4}): {exits} in {trials} professional-ticks, \
             expected {expected:.0} ± {band:.0} (99.9%)"
        );
    }
}

/// A hire starts fresh: with exit_base 1 everyone leaves at the end of tick
/// 0, so the state entering tick 1 is 4 000 hires: traits drawn around the
/// means with their spreads, skill ~ N(0.3, 0.1), every state at its
/// initial value.
#[test]
fn hires_start_with_fresh_traits_initial_states_and_low_skill() {
    let s = common::psm(
        "[organization]\nteams = 400\nteam_size = 10\n\
         [professionals]\nneed = 0.6\nconsequentialism = 0.4\naspiration = 0.55\nstandard = 0.65\nbase_drive = 0.75\n\
         [professionals.spread]\nneed = 0.1\nconsequentialism = 0.12\naspiration = 0.08\nstandard = 0.1\nbase_drive = 0.05\n\
         [turnover]\nexit_base = 1.0\n[licence]\nrevoke_below = 0.0\n",
    );
    let mut org = Organisation::new(&s, 9);
    org.step(0);
    assert_eq!(org.counts().0, 4000, "everyone leaves with exit_base 1");
    let stats = |name: &str| {
        let x = array(&org, name);
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (mean, sd, n)
    };
    for (name, mean, sd) in [
        ("need", 0.6, 0.1),
        ("lambda", 0.4, 0.12),
        ("aspiration", 0.55, 0.08),
        ("standard", 0.65, 0.1),
        ("base_drive", 0.75, 0.05),
        ("skill", 0.3, 0.1),
    ] {
        let (m, d, n) = stats(name);
        let (se_m, se_d) = (sd / n.sqrt(), sd / (2.0 * n).sqrt());
        eprintln!(
            "hires' {name}: mean {m:.4} (expected {mean} ± {:.4}), sd {d:.4} (expected {sd} ± {:.4})",
            4.0 * se_m,
            4.0 * se_d
        );
        assert!(
            (m - mean).abs() < 4.0 * se_m,
            "hires' {name}: mean {m:.4}, expected {mean} ± {:.4} (4 SE)",
            4.0 * se_m
        );
        assert!(
            (d - sd).abs() < 4.0 * se_d,
            "hires' {name}: sd {d:.4}, expected {sd} ± {:.4} (4 SE)",
            4.0 * se_d
        );
    }
    for (name, value) in [
        ("autonomy", 0.5),
        ("safety", 0.5),
        ("purpose", 0.5),
        ("identity", 0.5),
        ("meaning", 0.5),
        ("cynicism", 0.0),
        ("trust", 0.5),
    ] {
        let x = array(&org, name);
        assert!(
            x.iter().all(|&v| v == value),
            "hires' {name} should all be {value}: {:?}",
            &x[..5]
        );
    }
    assert_eq!(
        array(&org, "drive"),
        array(&org, "base_drive"),
        "a hire's drive is its base drive"
    );
}

/// A revoked manager's successor draws its levers from the scenario's
/// distribution: 500 teams revoked at once (replace_after 1, a threshold no
/// licence reaches) get levers around the means with the spread.
#[test]
fn a_new_manager_draws_its_levers_from_the_profile() {
    let s = common::psm(
        "[organization]\nteams = 500\nteam_size = 2\npeers = 1\npeer_within = 1.0\n\
         [managers]\nrationale = 0.3\neffect = 0.6\nfocus = 0.4\nenergy = 0.7\nconnection = 0.5\n\
         dominance = 0.35\nlistening = 0.45\nspread = 0.08\n\
         [licence]\ninitial = 0.5\nrevoke_below = 1.0\nreplace_after = 1\n[turnover]\nexit_base = 0.0\nexit_sensitivity = 0.0\n",
    );
    let mut org = Organisation::new(&s, 13);
    let before = org.levers().to_vec();
    org.step(0);
    assert_eq!(
        org.counts().1,
        500,
        "every licence is below 1: every manager is revoked"
    );
    let after = org.levers();
    let n = after.len() as f64;
    let lever = |f: fn(&profspace::model::psm::Levers) -> f64, name: &str, mean: f64| {
        let x: Vec<f64> = after.iter().map(f).collect();
        let m = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let (se_m, se_d) = (0.08 / n.sqrt(), 0.08 / (2.0 * n).sqrt());
        eprintln!(
            "new managers' {name}: mean {m:.4} (expected {mean}), sd {sd:.4} (expected 0.08)"
        );
        assert!(
            (m - mean).abs() < 4.0 * se_m,
            "new managers' {name}: mean {m:.4}, expected {mean} ± {:.4} (4 SE)",
            4.0 * se_m
        );
        assert!(
            (sd - 0.08).abs() < 4.0 * se_d,
            "new managers' {name}: sd {sd:.4}, expected 0.08 ± {:.4} (4 SE)",
            4.0 * se_d
        );
    };
    lever(|l| l.rationale, "rationale", 0.3);
    lever(|l| l.effect, "effect", 0.6);
    lever(|l| l.focus, "focus", 0.4);
    lever(|l| l.energy, "energy", 0.7);
    lever(|l| l.connection, "connection", 0.5);
    lever(|l| l.dominance, "dominance", 0.35);
    lever(|l| l.listening, "listening", 0.45);
    assert!(
        before.iter().zip(after).all(|(b, a)| b != a),
        "every successor's levers are new draws"
    );
}

/// The threshold is strict and the licence follows trust: a licence that
/// stays at or above revoke_below is never revoked, one below it is at the
/// replace_after-th tick in a row and not before.
#[test]
fn the_licence_threshold_and_the_count_of_ticks_below() {
    // rate 0: the licence stays at its initial value.
    for (initial, below, after, revoked) in [(0.5, 0.5, 1, false), (0.49, 0.5, 4, true)] {
        let s = common::psm(&format!(
            "[organization]\nteams = 5\n\
             [licence]\ninitial = {initial}\nrate = 0.0\nrevoke_below = {below}\nreplace_after = {after}\n"
        ));
        let mut org = Organisation::new(&s, 1);
        for t in 0..after {
            let obs = org.step(t);
            let expected = if revoked && t + 1 == after { 5.0 } else { 0.0 };
            assert_eq!(
                obs[m::REVOCATIONS],
                expected,
                "licence {initial} against threshold {below}, replace_after {after}: tick {t}"
            );
        }
    }
}

/// The noise: with alpha 0, one tick moves each noisy window by its draw
/// alone (ε ~ N(0, noise)), and the states without noise (trust, standard,
/// and meaning when frozen) not at all.
#[test]
fn each_noisy_window_moves_by_a_draw_of_the_stated_sd() {
    for frozen in [false, true] {
        let s = common::psm(&format!(
            "[organization]\nteams = 400\nteam_size = 10\n[professionals.spread]\nbase_drive = 0.0\n\
             [professionals]\nbase_drive = 0.5\n\
             [dynamics]\nalpha = 0.0\nnoise = 0.05\nmeaning_dynamics = {}\n\
             [turnover]\nexit_base = 0.0\nexit_sensitivity = 0.0\n",
            !frozen
        ));
        let mut org = Organisation::new(&s, 21);
        let before: Vec<(String, Vec<f64>)> = [
            "autonomy", "safety", "purpose", "identity", "meaning", "drive", "trust", "standard",
        ]
        .iter()
        .map(|n| (n.to_string(), array(&org, n)))
        .collect();
        org.step(0);
        for (name, b) in &before {
            let change: Vec<f64> = array(&org, name)
                .iter()
                .zip(b)
                .map(|(a, b)| a - b)
                .collect();
            let n = change.len() as f64;
            let noisy = matches!(
                name.as_str(),
                "autonomy" | "safety" | "purpose" | "identity" | "drive"
            ) || (name == "meaning" && !frozen);
            if noisy {
                let sd = (change.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
                let se = 0.05 / (2.0 * n).sqrt();
                eprintln!(
                    "{name} (meaning frozen: {frozen}): one tick's change has sd {sd:.5}, expected 0.05 ± {:.5}",
                    4.0 * se
                );
                assert!(
                    (sd - 0.05).abs() < 4.0 * se,
                    "{name}: with alpha 0 a tick moves it by its noise alone; sd {sd:.5}, expected 0.05 ± {:.5} (4 SE)",
                    4.0 * se
                );
            } else {
                assert!(
                    change.iter().all(|&x| x == 0.0),
                    "{name} (meaning frozen: {frozen}) has no noise and alpha 0: it must not move, but moved by up to {:e}",
                    change.iter().fold(0.0f64, |a, x| a.max(x.abs()))
                );
            }
        }
    }
}
