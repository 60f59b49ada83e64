//! The stylized facts F1–F14 of the model (`docs/ODD.md` §1): acceptance
//! tests that must emerge from the mechanisms. Each compares conditions over
//! 10 paired seeds (replicate r has the same random numbers in every
//! condition) and asserts a difference beyond the noise: larger than three
//! standard errors of the paired difference, or a bound on a mean. Failure
//! messages carry the measured numbers.

use crate::common;
use common::{Bound, Results, assert_bound, assert_greater, mean, run};

const SEEDS: u32 = 10;

fn with_levers(coupling: &str, levers: &str) -> Results {
    run(
        &format!("coupling = \"{coupling}\"\n[managers]\n{levers}\n"),
        SEEDS,
    )
}

const MANAGEMENT_ONLY: &str = "focus = 0.9\neffect = 0.9\nconnection = 0.1\nrationale = 0.1";
const INTEGRATED: &str = "focus = 0.8\nconnection = 0.8\nrationale = 0.8";
const PROFESSION_ONLY: &str = "focus = 0.1\neffect = 0.1\nrationale = 0.1";
const ABSENT: &str = "focus = 0.1\neffect = 0.1\nrationale = 0.1\nconnection = 0.1";

#[test]
fn f1_zero_sum_autonomy_falls_as_focus_rises() {
    let focus = [0.1, 0.3, 0.5, 0.7, 0.9];
    let autonomy: Vec<Vec<f64>> = focus
        .iter()
        .map(|f| with_levers("zero_sum", &format!("focus = {f}")).metric("autonomy"))
        .collect();
    for k in 1..focus.len() {
        assert_greater(
            &format!("F1: autonomy at focus {} vs {}", focus[k - 1], focus[k]),
            &autonomy[k - 1],
            &autonomy[k],
            3.0,
        );
    }
}

#[test]
fn f2_freedom_safety_focus_and_connection_raise_safety_and_autonomy() {
    let levels = [0.2, 0.5, 0.8];
    let results: Vec<Results> = levels
        .iter()
        .map(|x| with_levers("freedom_safety", &format!("focus = {x}\nconnection = {x}")))
        .collect();
    for k in 1..levels.len() {
        for m in ["safety", "autonomy"] {
            assert_greater(
                &format!(
                    "F2: {m} at focus = connection = {} vs {}",
                    levels[k],
                    levels[k - 1]
                ),
                &results[k].metric(m),
                &results[k - 1].metric(m),
                3.0,
            );
        }
    }
}

#[test]
fn f3_best_freedom_safety_cell_beats_best_zero_sum_cell() {
    let grid = [0.1, 0.3, 0.5, 0.7, 0.9];
    let best = |coupling: &str| -> (f64, f64, Vec<f64>) {
        let mut best: Option<(f64, f64, Vec<f64>)> = None;
        for f in grid {
            for c in grid {
                let e = with_levers(coupling, &format!("focus = {f}\nconnection = {c}"))
                    .metric("essential");
                if best.as_ref().is_none_or(|b| mean(&e) > mean(&b.2)) {
                    best = Some((f, c, e));
                }
            }
        }
        best.expect("grid is not empty")
    };
    let (ff, fc, fs) = best("freedom_safety");
    let (zf, zc, zs) = best("zero_sum");
    assert_greater(
        &format!(
            "F3: best freedom_safety cell (focus {ff}, connection {fc}) vs best zero_sum cell (focus {zf}, connection {zc}) on essential"
        ),
        &fs,
        &zs,
        3.0,
    );
}

#[test]
fn f4_walls_without_space_alienate_and_drive_people_out() {
    let walls = with_levers("zero_sum", MANAGEMENT_ONLY);
    let integrated = with_levers("zero_sum", INTEGRATED);
    assert_greater(
        "F4: alienated share, management-only vs integrated",
        &walls.metric("alienated"),
        &integrated.metric("alienated"),
        3.0,
    );
    assert_greater(
        "F4: exits, management-only vs integrated",
        &walls.metric("exits"),
        &integrated.metric("exits"),
        3.0,
    );
}

#[test]
fn f5_space_without_walls_lowers_function_and_safety() {
    for coupling in ["zero_sum", "freedom_safety"] {
        let space = with_levers(coupling, PROFESSION_ONLY);
        let integrated = with_levers(coupling, INTEGRATED);
        assert_greater(
            &format!("F5 ({coupling}): functional, integrated vs profession-only"),
            &integrated.metric("functional"),
            &space.metric("functional"),
            3.0,
        );
        if coupling == "freedom_safety" {
            assert_greater(
                "F5 (freedom_safety): safety, integrated vs profession-only",
                &integrated.metric("safety"),
                &space.metric("safety"),
                3.0,
            );
        }
    }
}

#[test]
fn f6_consequentialists_learn_faster_but_turn_cynical() {
    let logic = |lambda: f64| {
        run(
            &format!("[professionals]\naspiration = 0.9\nconsequentialism = {lambda}\n"),
            SEEDS,
        )
    };
    let (cons, ident) = (logic(0.9), logic(0.1));
    assert_greater(
        "F6: skill at tick 30, consequentialists (0.9) vs identity-driven (0.1)",
        &cons.at_tick("skill", 30),
        &ident.at_tick("skill", 30),
        3.0,
    );
    assert_greater(
        "F6: cynicism over the final window, consequentialists vs identity-driven",
        &cons.metric("cynicism"),
        &ident.metric("cynicism"),
        3.0,
    );
}

#[test]
fn f7_meaning_is_the_catalyst() {
    let gap = |meaning: bool| -> Vec<f64> {
        let md = format!("[dynamics]\nmeaning_dynamics = {meaning}\n");
        let integrated = run(
            &format!("coupling = \"freedom_safety\"\n{md}[managers]\n{INTEGRATED}\n"),
            SEEDS,
        );
        let walls = run(
            &format!("coupling = \"freedom_safety\"\n{md}[managers]\n{MANAGEMENT_ONLY}\n"),
            SEEDS,
        );
        integrated
            .metric("essential")
            .iter()
            .zip(walls.metric("essential"))
            .map(|(a, b)| a - b)
            .collect()
    };
    let (on, off) = (gap(true), gap(false));
    assert_greater(
        "F7: essential gap integrated − management-only, meaning dynamics on vs off",
        &on,
        &off,
        3.0,
    );
}

#[test]
fn f8_dominance_costs_licence_and_breeds_conflict() {
    for coupling in ["freedom_safety", "zero_sum"] {
        let dominant = with_levers(coupling, "dominance = 0.9");
        let humble = with_levers(coupling, "dominance = 0.0");
        assert_greater(
            &format!("F8 ({coupling}): licence, dominance 0 vs 0.9"),
            &humble.metric("licence"),
            &dominant.metric("licence"),
            3.0,
        );
        assert_greater(
            &format!("F8 ({coupling}): conflict, dominance 0.9 vs 0"),
            &dominant.metric("conflict"),
            &humble.metric("conflict"),
            3.0,
        );
    }
}

#[test]
fn f9_integration_opens_the_five_windows_only_under_freedom_safety() {
    let fs = with_levers("freedom_safety", INTEGRATED);
    let zs = with_levers("zero_sum", INTEGRATED);
    assert_bound(
        "F9: integrated share, integrated levers, freedom_safety",
        &fs.metric("integrated"),
        Bound::AtLeast(0.3),
    );
    assert_bound(
        "F9: integrated share, integrated levers, zero_sum",
        &zs.metric("integrated"),
        Bound::AtMost(0.05),
    );
}

#[test]
fn f10_walls_without_space_alienate_but_do_not_disorient() {
    let walls = with_levers("zero_sum", MANAGEMENT_ONLY);
    assert_bound(
        "F10: alienated share, management-only levers, zero_sum",
        &walls.metric("alienated"),
        Bound::AtLeast(0.5),
    );
    assert_bound(
        "F10: disoriented share, management-only levers, zero_sum",
        &walls.metric("disoriented"),
        Bound::AtMost(0.05),
    );
}

#[test]
fn f11_space_without_walls_disorients_but_does_not_alienate() {
    let absent = with_levers("zero_sum", ABSENT);
    assert_bound(
        "F11: disoriented share, absent management, zero_sum",
        &absent.metric("disoriented"),
        Bound::AtLeast(0.5),
    );
    assert_bound(
        "F11: alienated share, absent management, zero_sum",
        &absent.metric("alienated"),
        Bound::AtMost(0.05),
    );
}

#[test]
fn f12_integration_beats_absence_which_beats_walls() {
    let integrated = with_levers("freedom_safety", INTEGRATED).metric("essential");
    let absent = with_levers("zero_sum", ABSENT).metric("essential");
    let walls = with_levers("zero_sum", MANAGEMENT_ONLY).metric("essential");
    assert_greater(
        "F12: essential, integrated freedom_safety vs absent management (zero_sum)",
        &integrated,
        &absent,
        3.0,
    );
    assert_greater(
        "F12: essential, absent management vs management-only (zero_sum)",
        &absent,
        &walls,
        3.0,
    );
}

#[test]
fn f13_the_group_revokes_a_commanding_manager_never_a_listening_one() {
    let commanding = with_levers("zero_sum", "dominance = 0.9\nfocus = 0.9\nconnection = 0.1");
    let listening = with_levers("zero_sum", "dominance = 0.0\nconnection = 0.9");
    assert_bound(
        "F13: revocations per run, commanding manager, zero_sum",
        &commanding.metric("revocations"),
        Bound::AtLeast(3.0),
    );
    let revoked = listening.metric("revocations");
    assert!(
        revoked.iter().all(|&r| r == 0.0),
        "F13: a listening, connected manager was revoked: {revoked:?} per run"
    );
}

#[test]
fn f14_runs_settle_and_faster_adjustment_settles_earlier() {
    let ticks = 200.0;
    let defaults = run("coupling = \"freedom_safety\"\n", SEEDS).metric("settle_tick");
    let outside: Vec<f64> = defaults
        .iter()
        .copied()
        .filter(|&t| !(t > 0.0 && t < ticks))
        .collect();
    eprintln!(
        "F14: settle_tick at defaults {defaults:?}: every run strictly between 0 and {ticks} \
         (mean {:.1}, {} of {} outside)",
        mean(&defaults),
        outside.len(),
        defaults.len()
    );
    assert!(
        outside.is_empty(),
        "F14: settle_tick lies strictly between 0 and {ticks} in freedom_safety at defaults; \
         {} of {} runs do not: {defaults:?}",
        outside.len(),
        defaults.len()
    );
    let alpha = |a: f64| {
        run(
            &format!("coupling = \"freedom_safety\"\n[dynamics]\nalpha = {a}\n"),
            SEEDS,
        )
        .metric("settle_tick")
    };
    assert_greater(
        "F14: settle_tick, alpha 0.05 vs alpha 0.2",
        &alpha(0.05),
        &alpha(0.2),
        3.0,
    );
}
