//! The end-of-tick events of `docs/ODD.md` §7, Phase C, tested one rule at a
//! time on organisations built so that only the rule under test can act:
//! revocation and replacement of a manager, the turnover rate and the
//! turbulence rate.

use profspace::model::psm::Organisation;
use profspace::model::psm::metrics::tick as m;

mod common;

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
