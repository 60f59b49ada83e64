//! Tests of the March (1991) model: unit rules, determinism, equilibrium,
//! invariants, and March's published claims measured over seeded
//! replications (`crate::rng::seeded(base + r, 0)`), compared with paired
//! differences (the same seed gives the same initial reality and beliefs in
//! both settings) that must exceed `Z` standard errors.

use super::*;

/// Replications per setting of every claim test.
const REPS: u64 = 200;
/// Required distance of a paired mean difference from 0, in standard errors.
const Z: f64 = 3.0;

fn rng(seed: u64) -> crate::rng::Rng {
    crate::rng::seeded(seed, 0)
}

/// Mean and standard error of the mean.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// One value per replication `r` in `0..REPS`, from seed `base + r`.
fn replicate(base: u64, f: impl Fn(&mut crate::rng::Rng) -> f64) -> Vec<f64> {
    (0..REPS).map(|r| f(&mut rng(base + r))).collect()
}

/// Equilibrium (or capped) knowledge of a closed run.
fn equilibrium_knowledge(p: &MarchParams, base: u64) -> Vec<f64> {
    replicate(base, |g| run(p, g, |_, _| {}).knowledge)
}

/// Knowledge after exactly `periods` periods (stepping past equilibrium).
fn knowledge_at(p: &MarchParams, periods: u32, base: u64) -> Vec<f64> {
    replicate(base, |g| {
        let mut march = March::new(p, g);
        for _ in 0..periods {
            march.step(p, g);
        }
        march.knowledge()
    })
}

/// Asserts mean(hi − lo) > Z·se(hi − lo), printing both means, their
/// standard errors and the paired difference.
fn assert_above(what: &str, hi_name: &str, hi: &[f64], lo_name: &str, lo: &[f64]) {
    let d: Vec<f64> = hi.iter().zip(lo).map(|(a, b)| a - b).collect();
    let ((mh, sh), (ml, sl), (md, sd)) = (mean_se(hi), mean_se(lo), mean_se(&d));
    let report = format!(
        "{what}: {hi_name} = {mh:.4} ± {sh:.4}, {lo_name} = {ml:.4} ± {sl:.4}, \
         paired difference = {md:.4} ± {sd:.4} ({:.1} SE, n = {})",
        md / sd,
        hi.len()
    );
    println!("{report}");
    assert!(
        md > Z * sd,
        "expected {hi_name} > {lo_name} by > {Z} SE; {report}"
    );
}

fn closed(p1: f64, p2: f64) -> MarchParams {
    MarchParams {
        socialization: p1,
        code_learning: p2,
        ..MarchParams::default()
    }
}

// ---------------------------------------------------------------- unit rules

#[test]
fn thresholds_and_draws() {
    assert_eq!(threshold(0.0), 0);
    assert_eq!(threshold(-1.0), 0);
    assert_eq!(threshold(f64::NAN), 0);
    assert_eq!(threshold(1.0), u64::MAX);
    assert_eq!(threshold(2.0), u64::MAX);
    assert_eq!(threshold(0.5), 1 << 63);
    let mut g = rng(1);
    assert!((0..1000).all(|_| trial(&mut g, u64::MAX)));
    assert!((0..1000).all(|_| !trial(&mut g, 0)));
    let mut counts = [0u32; 3];
    for _ in 0..30_000 {
        counts[(ternary(&mut g) + 1) as usize] += 1;
    }
    assert!(
        counts.iter().all(|&c| (9_500..10_500).contains(&c)),
        "{counts:?}"
    );
}

#[test]
fn learn_table_matches_formula() {
    let p = closed(0.1, 0.3);
    let march = March::new(&p, &mut rng(0));
    assert_eq!(march.learn_table.len(), p.individuals as usize + 1);
    assert_eq!(march.learn_table[0], 0);
    for s in 1..=p.individuals {
        let expected = 1.0 - 0.7f64.powi(s as i32);
        let got = march.learn_table[s as usize] as f64 / 2f64.powi(64);
        assert!(
            (got - expected).abs() < 1e-12,
            "s = {s}: {got} vs {expected}"
        );
    }
}

#[test]
fn initial_state() {
    let p = MarchParams::default();
    let march = March::new(&p, &mut rng(3));
    assert_eq!(march.reality().len(), 30);
    assert_eq!(march.beliefs().len(), 30 * 50);
    assert!(march.code().iter().all(|&c| c == 0));
    assert_eq!(march.knowledge(), 0.0);
    assert_eq!(march.code_correct(), 0.0);
    assert_eq!(march.period(), 0);
}

/// Socialisation reads the code as it was at the start of the period: with
/// p1 = p2 = 1 the code learns in period 1, but beliefs only move from
/// period 2 on, one gradual step per period.
#[test]
fn socialisation_and_learning_are_synchronous_and_gradual() {
    let p = MarchParams {
        socialization: 1.0,
        code_learning: 1.0,
        ..MarchParams::default()
    };
    let mut g = rng(11);
    let mut march = March::new(&p, &mut g);
    let before = march.beliefs().to_vec();
    march.step(&p, &mut g);
    assert_eq!(
        march.beliefs(),
        &before[..],
        "beliefs moved toward a code of 0"
    );
    assert!(march.code().iter().any(|&c| c != 0), "code did not learn");
    let code = march.code().to_vec();
    let before = march.beliefs().to_vec();
    march.step(&p, &mut g);
    for (i, (&old, &new)) in before.iter().zip(march.beliefs()).enumerate() {
        let c = code[i % p.dimensions as usize];
        let expected = match (c, old) {
            (0, b) => b,
            (c, b) if b == c => b,
            (c, 0) => c,
            _ => 0,
        };
        assert_eq!(new, expected, "cell {i}: belief {old}, code {c}");
    }
}

#[test]
fn zero_rates_freeze_beliefs_and_code() {
    let p = closed(0.0, 0.0);
    let mut g = rng(5);
    let mut march = March::new(&p, &mut g);
    let beliefs = march.beliefs().to_vec();
    for _ in 0..50 {
        march.step(&p, &mut g);
    }
    assert_eq!(march.beliefs(), &beliefs[..]);
    assert!(march.code().iter().all(|&c| c == 0));
}

#[test]
fn full_turnover_and_turbulence_replace_everything() {
    let p = MarchParams {
        turnover: 1.0,
        turbulence: 1.0,
        code_learning: 0.0,
        ..MarchParams::default()
    };
    let mut g = rng(8);
    let mut march = March::new(&p, &mut g);
    let reality = march.reality().to_vec();
    march.step(&p, &mut g);
    assert!(march.reality().iter().zip(&reality).all(|(a, b)| a == &-b));
}

#[test]
fn knowledge_measures() {
    let p = MarchParams {
        dimensions: 4,
        individuals: 3,
        fast_individuals: 1,
        ..MarchParams::default()
    };
    let mut march = March::new(&p, &mut rng(0));
    march.reality = vec![1, -1, 1, 1];
    march.code = vec![1, 1, 0, 1];
    march.beliefs = vec![1, -1, 1, 1, 0, 0, 0, 0, -1, 1, 0, 1];
    assert_eq!(march.knowledge(), 0.25); // (1 − 1 + 0 + 1) / 4
    assert_eq!(march.code_correct(), 0.5);
    assert_eq!(march.individual_knowledge_range(0..1), 1.0);
    assert_eq!(march.individual_knowledge_range(1..2), 0.0);
    assert_eq!(march.individual_knowledge_range(2..3), -0.25);
    assert_eq!(march.individual_knowledge(), 0.75 / 3.0);
    assert_eq!(march.individual_knowledge_range(1..99), -0.125); // clamped
    assert!(march.individual_knowledge_range(2..2).is_nan());
    assert!(march.individual_knowledge_range(5..9).is_nan());
    let s = march.summary(&p, true);
    assert_eq!((s.fast_knowledge, s.slow_knowledge), (1.0, -0.125));
    let s = march.summary(
        &MarchParams {
            fast_individuals: 0,
            ..p
        },
        true,
    );
    assert!(s.fast_knowledge.is_nan());
}

#[test]
fn degenerate_sizes_do_not_panic() {
    for (m, n) in [(0, 0), (0, 5), (5, 0), (1, 1), (70, 3), (130, 2)] {
        let p = MarchParams {
            dimensions: m,
            individuals: n,
            fast_individuals: 9,
            turnover: 0.1,
            turbulence: 0.1,
            max_periods: Some(20),
            ..MarchParams::default()
        };
        let s = run(&p, &mut rng(1), |_, _| {});
        assert_eq!(s.periods, 20);
        let s = run(
            &MarchParams {
                turnover: 0.0,
                turbulence: 0.0,
                ..p
            },
            &mut rng(1),
            |_, _| {},
        );
        assert!(s.periods <= 20);
    }
}

// ------------------------------------------------ determinism and invariants

#[test]
fn same_seed_same_run() {
    let p = MarchParams {
        turnover: 0.05,
        turbulence: 0.01,
        fast_individuals: 10,
        max_periods: Some(100),
        ..MarchParams::default()
    };
    for p in [p.clone(), MarchParams::default()] {
        let trace = |seed| {
            let mut path = Vec::new();
            let s = run(&p, &mut rng(seed), |t, m| {
                path.push((t, m.knowledge(), m.code().to_vec(), m.beliefs().to_vec()))
            });
            (format!("{s:?}"), path)
        };
        let (a, b) = (trace(42), trace(42));
        assert_eq!(a, b);
        assert_ne!(a, trace(43));
    }
}

#[test]
fn invariants_hold_every_period() {
    let p = MarchParams {
        socialization: 0.3,
        turnover: 0.1,
        turbulence: 0.05,
        fast_individuals: 20,
        max_periods: Some(200),
        ..MarchParams::default()
    };
    for seed in 0..10 {
        let mut last = 0;
        run(&p, &mut rng(seed), |t, m| {
            assert_eq!(t, last + 1);
            last = t;
            assert!(m.beliefs().iter().all(|b| (-1..=1).contains(b)));
            assert!(m.code().iter().all(|c| (-1..=1).contains(c)));
            assert!(m.reality().iter().all(|&r| r == 1 || r == -1));
            assert!((-1.0..=1.0).contains(&m.knowledge()));
            assert!((0.0..=1.0).contains(&m.code_correct()));
            assert!((-1.0..=1.0).contains(&m.individual_knowledge()));
            assert!(m.superior_count() <= p.individuals as usize);
        });
        assert_eq!(last, 200);
    }
}

#[test]
fn closed_default_runs_reach_an_absorbing_equilibrium() {
    let p = MarchParams::default();
    for seed in 0..40 {
        let mut g = rng(seed);
        let mut march = March::new(&p, &mut g);
        let mut reached = false;
        while march.period() < p.resolved_max_periods() {
            if march.step(&p, &mut g) {
                reached = true;
                break;
            }
        }
        assert!(
            reached,
            "seed {seed}: capped at {}",
            p.resolved_max_periods()
        );
        // Independent check of the condition.
        let score = march.last_code_score();
        for row in march.beliefs().chunks(p.dimensions as usize) {
            let best: i32 = row
                .iter()
                .zip(march.reality())
                .map(|(&b, &r)| if b == 0 { 1 } else { i32::from(b * r) })
                .sum();
            assert!(best <= score, "seed {seed}: individual could beat the code");
            for (&b, &c) in row.iter().zip(march.code()) {
                assert!(c == 0 || b == c, "seed {seed}: belief differs from code");
            }
        }
        // Absorbing: nothing changes any more.
        let (code, beliefs) = (march.code().to_vec(), march.beliefs().to_vec());
        for _ in 0..100 {
            assert!(march.step(&p, &mut g));
        }
        assert_eq!(march.code(), &code[..]);
        assert_eq!(march.beliefs(), &beliefs[..]);
        // run() agrees.
        let s = run(&p, &mut rng(seed), |_, _| {});
        assert!(
            !s.capped && s.periods < p.resolved_max_periods(),
            "seed {seed}: {s:?}"
        );
    }
}

// ------------------------------------------------- March's published claims

/// Claim 1 (March 1991, Figure 1): slow socialisation with fast code learning
/// gives the highest equilibrium knowledge; for p2 = 0.5 and 0.9 knowledge
/// falls as p1 rises; with p1 = 0.1, faster code learning is better.
#[test]
fn claim1_slow_socialisation_and_fast_code_learning_are_best() {
    for (i, p2) in [0.5, 0.9].into_iter().enumerate() {
        let base = 10_000 + 1_000 * i as u64;
        let k = [0.1, 0.5, 0.9].map(|p1| equilibrium_knowledge(&closed(p1, p2), base));
        let what = format!("equilibrium knowledge, p2 = {p2}");
        assert_above(&what, "p1 = 0.1", &k[0], "p1 = 0.5", &k[1]);
        assert_above(&what, "p1 = 0.5", &k[1], "p1 = 0.9", &k[2]);
    }
    let k = [0.1, 0.5, 0.9].map(|p2| equilibrium_knowledge(&closed(0.1, p2), 12_000));
    let what = "equilibrium knowledge, p1 = 0.1";
    assert_above(what, "p2 = 0.9", &k[2], "p2 = 0.5", &k[1]);
    assert_above(what, "p2 = 0.5", &k[1], "p2 = 0.1", &k[0]);
}

/// Claim 2 (Figure 1): at p1 = 0.9 the p2 = 0.1 curve ends above the p2 = 0.9 one.
#[test]
fn claim2_fast_socialisation_favours_slow_code_learning() {
    let slow = equilibrium_knowledge(&closed(0.9, 0.1), 20_000);
    let fast = equilibrium_knowledge(&closed(0.9, 0.9), 20_000);
    assert_above(
        "equilibrium knowledge, p1 = 0.9",
        "p2 = 0.1",
        &slow,
        "p2 = 0.9",
        &fast,
    );
}

/// Claim 3 (Figure 2: p2 = 0.5, fast socialisers at p1 = 0.9, slow at 0.1,
/// m = 30, n = 50): a mixed population beats a homogeneous one with the same
/// mean rate. Settings: 25 fast + 25 slow vs all at 0.5, and 10 fast + 40
/// slow vs all at 0.26.
#[test]
fn claim3_mixed_socialisation_beats_homogeneous() {
    for (fast, base) in [(25, 30_000), (10, 31_000)] {
        let mean_rate = (0.9 * fast as f64 + 0.1 * (50 - fast) as f64) / 50.0;
        let mixed = MarchParams {
            fast_individuals: fast,
            fast_socialization: 0.9,
            ..closed(0.1, 0.5)
        };
        let mixed = equilibrium_knowledge(&mixed, base);
        let homogeneous = equilibrium_knowledge(&closed(mean_rate, 0.5), base);
        assert_above(
            "equilibrium knowledge, p2 = 0.5",
            &format!("{fast} at 0.9 + {} at 0.1", 50 - fast),
            &mixed,
            &format!("all at {mean_rate:.2}"),
            &homogeneous,
        );
    }
}

/// Claim 4 (Figure 3: p2 = 0.5, m = 30, n = 50): with fast socialisation
/// (p1 = 0.9), moderate turnover (p3 = 0.1) gives more code knowledge at
/// period 20 than none.
#[test]
fn claim4_moderate_turnover_helps_fast_socialisation() {
    let p = |p3| MarchParams {
        turnover: p3,
        ..closed(0.9, 0.5)
    };
    let with = knowledge_at(&p(0.1), 20, 40_000);
    let without = knowledge_at(&p(0.0), 20, 40_000);
    assert_above(
        "knowledge at period 20, p1 = 0.9",
        "p3 = 0.1",
        &with,
        "p3 = 0",
        &without,
    );
}

/// Claim 5 (Figure 4: p1 = 0.5, p2 = 0.5, p4 = 0.02, m = 30, n = 50): under
/// turbulence knowledge decays without turnover and is sustained with
/// p3 = 0.1. "Late" = mean knowledge over periods 81–100.
#[test]
fn claim5_turnover_sustains_knowledge_under_turbulence() {
    let path = |p3: f64, seed: u64| {
        let p = MarchParams {
            turnover: p3,
            turbulence: 0.02,
            max_periods: Some(100),
            ..closed(0.5, 0.5)
        };
        let mut k = Vec::with_capacity(100);
        run(&p, &mut rng(seed), |_, m| k.push(m.knowledge()));
        let late = k[80..].iter().sum::<f64>() / 20.0;
        (k[9], late)
    };
    let without: Vec<_> = (0..REPS).map(|r| path(0.0, 50_000 + r)).collect();
    let with: Vec<_> = (0..REPS).map(|r| path(0.1, 50_000 + r)).collect();
    let k10 = |v: &[(f64, f64)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    let late = |v: &[(f64, f64)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
    assert_above(
        "decay without turnover (p3 = 0)",
        "period 10",
        &k10(&without),
        "late",
        &late(&without),
    );
    assert_above(
        "late knowledge under turbulence",
        "p3 = 0.1",
        &late(&with),
        "p3 = 0",
        &late(&without),
    );
    let three_quarters: Vec<f64> = k10(&with).iter().map(|k| 0.75 * k).collect();
    assert_above(
        "sustained with turnover (p3 = 0.1)",
        "late",
        &late(&with),
        "0.75 × period 10",
        &three_quarters,
    );
}
