//! Tests of the PRIM module. Random data comes from ChaCha streams seeded
//! here, in the tests only.

use super::limits::{Lim, State};
use super::stats::binomial_upper_tail;
use super::*;
use rand::RngExt;
use std::fmt;

/// Uniform points in `[0, 1)^d` with `y = 1` inside `bounds` (dimension,
/// lower, upper), then `noise` of the labels flipped.
fn box_data(seed: u64, n: usize, d: usize, bounds: &[(usize, f64, f64)], noise: f64) -> Dataset {
    let mut rng = crate::rng::seeded(seed, 0);
    let mut x = vec![Vec::with_capacity(n); d];
    for _ in 0..n {
        for col in x.iter_mut() {
            col.push(rng.random::<f64>());
        }
    }
    let y: Vec<bool> = (0..n)
        .map(|r| {
            let inside = bounds
                .iter()
                .all(|&(j, lo, hi)| x[j][r] >= lo && x[j][r] <= hi);
            inside != (rng.random::<f64>() < noise)
        })
        .collect();
    let columns = x
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::numeric(format!("x{j}"), v))
        .collect();
    Dataset::new(columns, y).expect("valid synthetic data")
}

/// True box: (dimension, lower, upper) per restricted dimension.
type Bounds = Vec<(usize, f64, f64)>;

fn numeric_limit(b: &PrimBox, j: usize) -> (f64, f64) {
    match &b.limits.limits[j] {
        Limit::Numeric { lower, upper } => (*lower, *upper),
        Limit::Categorical { .. } => panic!("dimension {j} is not numeric"),
    }
}

/// The first box restricts exactly the dimensions of `bounds`, within
/// `tol` of the true limits (the unrestricted sides are at the data range,
/// i.e. within `tol` of 0 or 1).
fn check_known_box(data: &Dataset, config: PrimConfig, bounds: &[(usize, f64, f64)], tol: f64) {
    let mut prim = Prim::new(data, config).expect("valid config");
    let b = prim
        .find_box(BoxChoice::Threshold)
        .expect("no error")
        .expect("a box");
    assert!(b.meets_threshold, "density {}", b.density);
    let mut want: Vec<usize> = bounds.iter().map(|&(j, _, _)| j).collect();
    want.sort_unstable();
    assert_eq!(
        b.restricted, want,
        "restricted dimensions of {:?}",
        b.limits
    );
    for &(j, lo, hi) in bounds {
        let (l, u) = numeric_limit(&b, j);
        assert!(
            (l - lo).abs() <= tol && (u - hi).abs() <= tol,
            "x{j}: found [{l}, {u}], truth [{lo}, {hi}]"
        );
    }
    assert_eq!(b.quasi_p.len(), want.len());
    for q in &b.quasi_p {
        if let QuasiP::Numeric { lower, upper, .. } = q {
            for p in lower.iter().chain(upper) {
                assert!(*p < 1e-6, "a true restriction has quasi-p {p}");
            }
        }
    }
}

#[test]
fn known_box_in_3_4_and_5_dimensions() {
    // With 5 % label noise the true box has density ≈ 0.95; the default
    // threshold 0.8 picks a looser box (one side up to ~0.09 out), so the
    // limit check uses threshold 0.9, and the default only the dimensions.
    let cases: [(u64, usize, usize, Bounds); 3] = [
        (11, 2000, 3, vec![(0, 0.5, 1.0), (2, 0.3, 0.8)]),
        (12, 3000, 4, vec![(1, 0.2, 0.6), (3, 0.4, 0.9)]),
        (13, 5000, 5, vec![(0, 0.5, 1.0), (4, 0.3, 0.8)]),
    ];
    for (seed, n, d, bounds) in &cases {
        let data = box_data(*seed, *n, *d, bounds, 0.05);
        let tight = PrimConfig {
            threshold: 0.9,
            ..PrimConfig::default()
        };
        check_known_box(&data, tight, bounds, 0.05);
        check_known_box(&data, PrimConfig::default(), bounds, 0.1);
    }
}

#[test]
fn known_box_with_original_objective() {
    let bounds = [(0, 0.5, 1.0), (2, 0.3, 0.8)];
    let data = box_data(21, 3000, 4, &bounds, 0.05);
    let config = PrimConfig {
        objective: Objective::Original,
        threshold: 0.9,
        ..PrimConfig::default()
    };
    check_known_box(&data, config, &bounds, 0.05);
}

fn categorical_data(seed: u64, n: usize) -> Dataset {
    let mut rng = crate::rng::seeded(seed, 0);
    let x0: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let x1: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let codes: Vec<usize> = (0..n).map(|_| rng.random_range(0..3)).collect();
    let y = (0..n)
        .map(|r| (codes[r] == 1 && x0[r] > 0.6) != (rng.random::<f64>() < 0.05))
        .collect();
    let levels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    Dataset::new(
        vec![
            Column::numeric("x0", x0),
            Column::categorical("coupling", levels, codes),
            Column::numeric("x1", x1),
        ],
        y,
    )
    .expect("valid synthetic data")
}

#[test]
fn categorical_dimension_that_matters() {
    let data = categorical_data(31, 4000);
    let config = PrimConfig {
        threshold: 0.9,
        ..PrimConfig::default()
    };
    let mut prim = Prim::new(&data, config).expect("valid config");
    let b = prim
        .find_box(BoxChoice::Threshold)
        .expect("no error")
        .expect("a box");
    assert_eq!(b.restricted, vec![0, 1]);
    assert_eq!(b.limits.limits[1], Limit::Categorical { kept: vec![1] });
    assert_eq!(data.level_names(1, &[1]), vec!["b"]);
    let (l, u) = numeric_limit(&b, 0);
    assert!(
        (l - 0.6).abs() <= 0.05 && (u - 1.0).abs() <= 0.05,
        "[{l}, {u}]"
    );
    assert!(matches!(b.quasi_p[1], QuasiP::Categorical { dim: 1, p } if p < 1e-6));
}

#[test]
fn hand_computed_trajectory() {
    // x = 0, 1, …, 19 and y = (x ≥ 10). Each peel removes the lowest point
    // (the 0.05 quantile of m ≤ 20 points is the midpoint of the two
    // smallest), so the box goes [0.5, 19], [1.5, 19], …, [9.5, 19]; then
    // removing x = 10 leaves the density at 1 (score 0) and peeling stops.
    // Pasting the lower limit back to 8.5 would add a non-case: rejected.
    let x: Vec<f64> = (0..20).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|&v| v >= 10.0).collect();
    let data = Dataset::new(vec![Column::numeric("x", x)], y).expect("valid");
    let prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t = prim.trajectory().expect("trajectory");
    assert_eq!(t.steps.len(), 11);
    assert_eq!(t.peel_len, 11);
    for (i, s) in t.steps.iter().enumerate() {
        assert_eq!(s.n, 20 - i);
        assert_eq!(s.k, 10);
        assert_eq!(s.coverage, 1.0);
        assert_eq!(s.density, 10.0 / (20 - i) as f64);
        assert_eq!(s.mass, (20 - i) as f64 / 20.0);
        let lower = if i == 0 { 0.0 } else { i as f64 - 0.5 };
        assert_eq!(s.limits.limits[0], Limit::Numeric { lower, upper: 19.0 });
        assert_eq!(s.restricted, if i == 0 { vec![] } else { vec![0] });
    }
    // Highest coverage (1 everywhere) at density ≥ 0.8: the densest step.
    assert_eq!(t.choose(0.8), (10, true));
    let mut prim = prim;
    let b = prim.select(t, BoxChoice::Threshold).expect("box");
    assert!(b.pasting.is_empty());
    // Dropping the restriction gives density 0.5: P(X ≥ 10 | Bin(10, 0.5)).
    match b.quasi_p.as_slice() {
        [
            QuasiP::Numeric {
                dim: 0,
                lower: Some(p),
                upper: None,
            },
        ] => assert!((p - 1.0 / 1024.0).abs() < 1e-12, "{p}"),
        other => panic!("unexpected quasi-p {other:?}"),
    }
    assert_eq!(prim.remaining(), (10, 0));
    assert!(prim.find_box(BoxChoice::Threshold).expect("ok").is_none());
}

#[test]
fn categorical_peel_by_hand() {
    // Level 0: 10 points, 1 case; level 1: 10 points, 9 cases; level 2:
    // 10 points, 0 cases. Lenient1 scores removing level 2 at
    // (10/20 − 10/30)/10 and level 0 at (9/20 − 1/3)/10: level 2 goes
    // first, then level 0 (score (9/10 − 1/2)/10 > 0), leaving level 1.
    let codes: Vec<usize> = (0..30).map(|i| i / 10).collect();
    let y: Vec<bool> = (0..30)
        .map(|i| matches!(i / 10, 0 if i == 0) || (i / 10 == 1 && i != 19))
        .collect();
    let levels = vec!["a".into(), "b".into(), "c".into()];
    let data = Dataset::new(vec![Column::categorical("c", levels, codes)], y).expect("valid");
    let prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t = prim.trajectory().expect("trajectory");
    let kept: Vec<&Limit> = t.steps.iter().map(|s| &s.limits.limits[0]).collect();
    assert_eq!(
        kept,
        vec![
            &Limit::Categorical {
                kept: vec![0, 1, 2]
            },
            &Limit::Categorical { kept: vec![0, 1] },
            &Limit::Categorical { kept: vec![1] },
        ]
    );
    assert_eq!(t.steps[2].density, 0.9);
}

#[test]
fn ema_quantile_matches_hand_values() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0];
    // i = 4 · 0.05 = 0.2: order statistics 0 and 1.
    assert_eq!(ema_quantile(&v, 0.05), Some(1.5));
    // i = 3.8: order statistics 3 and 4.
    assert_eq!(ema_quantile(&v, 0.95), Some(4.5));
    // Ties: [1, 1, 1, 2]: lower walks up to the first distinct value.
    assert_eq!(ema_quantile(&[1.0, 1.0, 1.0, 2.0], 0.05), Some(1.5));
    // Upper walks down: [1, 2, 2, 2] at 0.95 → (1 + 2) / 2.
    assert_eq!(ema_quantile(&[1.0, 2.0, 2.0, 2.0], 0.95), Some(1.5));
    // All equal: no distinct neighbour, the value itself.
    assert_eq!(ema_quantile(&[3.0, 3.0], 0.05), Some(3.0));
    assert_eq!(ema_quantile(&[3.0, 3.0], 0.95), Some(3.0));
    assert_eq!(ema_quantile(&[7.0], 0.95), Some(7.0));
    assert_eq!(ema_quantile(&[], 0.5), None);
    assert_eq!(ema_quantile(&v, 1.0), None);
}

#[test]
fn binomial_tail_matches_direct_sum() {
    let choose =
        |n: u64, k: u64| -> f64 { (0..k).fold(1.0, |a, i| a * (n - i) as f64 / (i + 1) as f64) };
    for &(k, n, p) in &[
        (3usize, 10usize, 0.2f64),
        (7, 12, 0.5),
        (1, 5, 0.9),
        (10, 10, 0.3),
    ] {
        let direct: f64 = (k..=n)
            .map(|i| choose(n as u64, i as u64) * p.powi(i as i32) * (1.0 - p).powi((n - i) as i32))
            .sum();
        let got = binomial_upper_tail(k, n, p);
        assert!(
            (got - direct).abs() < 1e-12 * direct.max(1e-300),
            "{k} {n} {p}: {got} vs {direct}"
        );
    }
    assert_eq!(binomial_upper_tail(0, 5, 0.3), 1.0);
}

/// Bit-exact comparison through the shortest round-trip representation.
fn fingerprint<T: fmt::Debug>(x: &T) -> String {
    format!("{x:?}")
}

#[test]
fn repeated_runs_are_bit_identical() {
    let data = categorical_data(41, 3000);
    let a = find_boxes(&data, PrimConfig::default(), 3).expect("boxes");
    let b = find_boxes(&data, PrimConfig::default(), 3).expect("boxes");
    assert!(!a.is_empty());
    assert_eq!(fingerprint(&a), fingerprint(&b));
    let prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t1 = prim.trajectory().expect("trajectory");
    let t2 = prim.trajectory().expect("trajectory");
    assert_eq!(fingerprint(&t1), fingerprint(&t2));
    let mut r1 = crate::rng::seeded(5, 0);
    let mut r2 = crate::rng::seeded(5, 0);
    let s1 = resample(
        &data,
        PrimConfig::default(),
        a.first(),
        4,
        Sampling::Bootstrap,
        &mut r1,
    );
    let s2 = resample(
        &data,
        PrimConfig::default(),
        a.first(),
        4,
        Sampling::Bootstrap,
        &mut r2,
    );
    assert_eq!(fingerprint(&s1), fingerprint(&s2));
}

/// The message of an error that must be the user's to act on (a usage
/// error).
fn usage<T: fmt::Debug>(result: crate::error::Result<T>) -> String {
    let e = result.expect_err("an error");
    assert!(matches!(e, crate::error::Error::Usage(_)), "{e:?}");
    assert!(e.is_user());
    e.to_string()
}

#[test]
fn bad_data_is_an_error() {
    let y3 = vec![true, false, true];
    assert_eq!(
        usage(Dataset::new(vec![Column::numeric("a", vec![])], vec![])),
        "the dataset has no rows"
    );
    assert_eq!(
        usage(Dataset::new(vec![], y3.clone())),
        "the dataset has no input dimension"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![
                Column::numeric("a", vec![1.0, 2.0, 3.0]),
                Column::numeric("b", vec![1.0, 2.0])
            ],
            y3.clone()
        )),
        "dimension `b` has 2 values but the outcome has 3 rows"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![
                Column::numeric("a", vec![1.0, 1.0, 1.0]),
                Column::categorical("c", vec!["u".into()], vec![0, 0, 0])
            ],
            y3.clone()
        )),
        "all rows are the same point: there is nothing to discover"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![Column::numeric("a", vec![1.0, 2.0, 3.0])],
            vec![false; 3]
        )),
        "no row is a case of interest"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![Column::numeric("a", vec![1.0, f64::NAN, 3.0])],
            y3.clone()
        )),
        "dimension `a` has a non-finite value in row 1"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![Column::categorical("c", vec!["u".into()], vec![0, 1, 0])],
            y3.clone()
        )),
        "dimension `c` has level index 1 in row 1 but only 1 levels"
    );
    assert_eq!(
        usage(Dataset::new(
            vec![
                Column::numeric("a", vec![1.0, 2.0, 3.0]),
                Column::numeric("a", vec![1.0, 2.0, 3.0])
            ],
            y3.clone()
        )),
        "dimension `a` appears more than once"
    );
}

#[test]
fn bad_settings_are_an_error() {
    let y3 = vec![true, false, true];
    let data = Dataset::new(vec![Column::numeric("a", vec![1.0, 2.0, 3.0])], y3).expect("valid");
    for (bad, message) in [
        (
            PrimConfig {
                peel_alpha: 0.0,
                ..PrimConfig::default()
            },
            "`peel_alpha` = 0 is invalid: expected a value in (0, 0.5)",
        ),
        (
            PrimConfig {
                paste_alpha: 0.5,
                ..PrimConfig::default()
            },
            "`paste_alpha` = 0.5 is invalid: expected a value in (0, 0.5)",
        ),
        (
            PrimConfig {
                mass_min: 1.0,
                ..PrimConfig::default()
            },
            "`mass_min` = 1 is invalid: expected a value in [0, 1)",
        ),
        (
            PrimConfig {
                threshold: f64::NAN,
                ..PrimConfig::default()
            },
            "`threshold` = NaN is invalid: expected a value in [0, 1]",
        ),
    ] {
        assert_eq!(usage(Prim::new(&data, bad)), message);
    }
    assert_eq!(
        usage(find_boxes(&data, PrimConfig::default(), 0)),
        "`boxes` = 0 is invalid: expected at least 1"
    );
    let mut prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t = prim.trajectory().expect("trajectory");
    let steps = t.steps.len();
    assert_eq!(
        usage(prim.select(t.clone(), BoxChoice::Step(steps))),
        format!("step {steps} is beyond the end of the trajectory ({steps} steps)")
    );
    prim.select(t.clone(), BoxChoice::Step(0)).expect("box");
    assert_eq!(
        usage(prim.select(t, BoxChoice::Step(0))),
        "the trajectory was computed before the latest box was accepted"
    );
    let mut rng = crate::rng::seeded(1, 0);
    assert_eq!(
        usage(resample(
            &data,
            PrimConfig::default(),
            None,
            0,
            Sampling::Bootstrap,
            &mut rng
        )),
        "`resamples` = 0 is invalid: expected at least 1"
    );
    assert_eq!(
        usage(resample(
            &data,
            PrimConfig::default(),
            None,
            1,
            Sampling::Subsample { fraction: 0.0 },
            &mut rng
        )),
        "`fraction` = 0 is invalid: expected a value in (0, 1]"
    );
}

/// `y = 1` in two disjoint boxes: A = {x0 > 0.55, x1 > 0.5} (mass 0.225) and
/// B = {x0 < 0.3, x2 < 0.4} (mass 0.12), 2 % label noise.
fn two_box_data(seed: u64) -> Dataset {
    let mut rng = crate::rng::seeded(seed, 0);
    let n = 4000;
    let x: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
        .collect();
    let y = (0..n)
        .map(|r| {
            let a = x[0][r] > 0.55 && x[1][r] > 0.5;
            let b = x[0][r] < 0.3 && x[2][r] < 0.4;
            (a || b) != (rng.random::<f64>() < 0.02)
        })
        .collect();
    let columns = x
        .into_iter()
        .enumerate()
        .map(|(j, v)| Column::numeric(format!("x{j}"), v))
        .collect();
    Dataset::new(columns, y).expect("valid synthetic data")
}

#[test]
fn covering_finds_the_second_box() {
    let data = two_box_data(51);
    let config = PrimConfig {
        threshold: 0.9,
        ..PrimConfig::default()
    };
    let boxes = find_boxes(&data, config, 2).expect("boxes");
    assert_eq!(boxes.len(), 2);
    let (a, b) = (&boxes[0], &boxes[1]);
    assert!(a.meets_threshold && b.meets_threshold);
    assert_eq!(a.restricted, vec![0, 1]);
    assert_eq!(b.restricted, vec![0, 2]);
    let (a0, _) = numeric_limit(a, 0);
    let (a1, _) = numeric_limit(a, 1);
    let (_, b0) = numeric_limit(b, 0);
    let (_, b2) = numeric_limit(b, 2);
    assert!(
        (a0 - 0.55).abs() < 0.05 && (a1 - 0.5).abs() < 0.05,
        "{a0} {a1}"
    );
    assert!(
        (b0 - 0.3).abs() < 0.05 && (b2 - 0.4).abs() < 0.05,
        "{b0} {b2}"
    );
    // Statistics are relative to the original data: coverages add up.
    let total = data.cases_of_interest() as f64;
    assert_eq!(b.coverage, b.k as f64 / total);
    assert_eq!(b.mass, b.n as f64 / data.rows() as f64);
    assert!(a.coverage + b.coverage > 0.85 && a.coverage + b.coverage <= 1.0);
    // The second trajectory starts from the points left by the first box.
    let start = &b.trajectory.steps[0];
    assert_eq!(start.n, data.rows() - a.n);
    assert_eq!(start.k, data.cases_of_interest() - a.k);
}

#[test]
fn covering_stops_when_no_case_is_left() {
    // All cases of interest in x ≥ 10: the first box takes them all.
    let x: Vec<f64> = (0..20).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|&v| v >= 10.0).collect();
    let data = Dataset::new(vec![Column::numeric("x", x)], y).expect("valid");
    let boxes = find_boxes(&data, PrimConfig::default(), 5).expect("boxes");
    assert_eq!(boxes.len(), 1);
}

#[test]
fn step_choice_and_chosen_pasting() {
    let data = box_data(61, 2000, 3, &[(0, 0.5, 1.0), (2, 0.3, 0.8)], 0.05);
    let mut prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t = prim.trajectory().expect("trajectory");
    // The last box of the trajectory: density above the default choice's.
    let last = t.steps.len() - 1;
    let (default_step, _) = t.choose(0.8);
    assert!(t.steps[last].density >= t.steps[default_step].density);
    let b = prim.select(t.clone(), BoxChoice::Step(last)).expect("box");
    assert_eq!(b.step, last);
    // Pasting a trajectory's end again changes nothing: it is pasted out.
    assert!(b.pasting.is_empty());
    assert_eq!(b.limits, t.steps[last].limits);
    // Every step's box statistics are consistent with its counts.
    for s in &t.steps {
        assert_eq!(s.density, s.k as f64 / s.n as f64);
        assert!(s.mass >= 0.05);
    }
    // Peeling never grows the box; pasting never shrinks it.
    for w in t.steps.windows(2) {
        match w[1].phase {
            Phase::Peel => assert!(w[1].n < w[0].n),
            Phase::Paste => assert!(w[1].n > w[0].n && w[1].density > w[0].density),
            Phase::Initial => panic!("initial step inside the trajectory"),
        }
    }
}

#[test]
fn resampling_finds_the_relevant_dimensions() {
    let bounds = [(0, 0.5, 1.0), (2, 0.3, 0.8)];
    let data = box_data(71, 2000, 4, &bounds, 0.05);
    let reference = find_boxes(&data, PrimConfig::default(), 1).expect("boxes");
    let mut rng = crate::rng::seeded(72, 0);
    let s = resample(
        &data,
        PrimConfig::default(),
        reference.first(),
        10,
        Sampling::Bootstrap,
        &mut rng,
    )
    .expect("stability");
    assert_eq!((s.attempted, s.completed), (10, 10));
    let names: Vec<&str> = s.dimensions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["x0", "x1", "x2", "x3"]);
    for d in &s.dimensions {
        let relevant = d.dim == 0 || d.dim == 2;
        // The step of each resample nearest the reference's coverage (or
        // density) restricts the true dimensions and mostly only those.
        if relevant {
            assert_eq!(d.restricted, 1.0, "{}", d.name);
            assert_eq!(d.reproduce_coverage, Some(1.0), "{}", d.name);
            assert_eq!(d.reproduce_density, Some(1.0), "{}", d.name);
        } else {
            assert!(d.restricted <= 0.3, "{}: {}", d.name, d.restricted);
            for r in [d.reproduce_coverage, d.reproduce_density] {
                assert!(r.is_some_and(|r| r <= 0.3), "{}: {r:?}", d.name);
            }
        }
    }
    let s = resample(
        &data,
        PrimConfig::default(),
        None,
        5,
        Sampling::Subsample { fraction: 0.5 },
        &mut rng,
    )
    .expect("stability");
    assert_eq!(s.completed, 5);
    assert_eq!(s.dimensions[0].restricted, 1.0);
    assert_eq!(s.dimensions[0].reproduce_density, None);
}

#[test]
fn all_cases_of_interest_give_the_whole_box() {
    let data = Dataset::new(
        vec![Column::numeric("a", vec![1.0, 2.0, 3.0])],
        vec![true; 3],
    )
    .expect("valid");
    let boxes = find_boxes(&data, PrimConfig::default(), 2).expect("boxes");
    assert_eq!(boxes.len(), 1);
    assert!(boxes[0].restricted.is_empty());
    assert_eq!(
        (boxes[0].coverage, boxes[0].density, boxes[0].mass),
        (1.0, 1.0, 1.0)
    );
}

/// A small deterministic dataset (no random numbers, so that it can be
/// rebuilt bit for bit in Python to run EMA Workbench on it): two
/// low-discrepancy columns, an integer-valued column with ties, a
/// categorical column, and label noise on every 13th row.
fn golden_data() -> Dataset {
    let n = 300;
    let golden = 0.618_033_988_749_894_9_f64;
    let sqrt2 = std::f64::consts::SQRT_2;
    let x0: Vec<f64> = (0..n).map(|i| (i as f64 * golden) % 1.0).collect();
    let x1: Vec<f64> = (0..n).map(|i| (i as f64 * sqrt2) % 1.0).collect();
    let x2: Vec<f64> = (0..n).map(|i| ((i * 7) % 10) as f64).collect();
    let c: Vec<usize> = (0..n).map(|i| (i * 5 / 3) % 3).collect();
    let y = (0..n)
        .map(|i| (x0[i] > 0.4 && x2[i] <= 5.0 && c[i] != 2) != (i % 13 == 0))
        .collect();
    let levels = vec!["a".into(), "b".into(), "c".into()];
    Dataset::new(
        vec![
            Column::numeric("x0", x0),
            Column::numeric("x1", x1),
            Column::numeric("x2", x2),
            Column::categorical("c", levels, c),
        ],
        y,
    )
    .expect("valid")
}

/// A trajectory and box printed by EMA Workbench 2.5.3 for [`golden_data`].
struct Golden {
    objective: Objective,
    n: &'static [usize],
    k: &'static [usize],
    last: [(f64, f64); 3],
    kept: &'static [usize],
    chosen: usize,
    qp: [f64; 3],
}

/// Values printed by EMA Workbench 2.5.3 (`Prim._peel` then `_paste`): the
/// peeling + pasting trajectory's (n, k), the last box, and the
/// quasi-p-values of the box chosen by the default rule.
fn golden_cases() -> [Golden; 2] {
    [
        Golden {
            objective: Objective::Lenient1,
            n: &[
                300, 201, 181, 161, 141, 120, 114, 108, 102, 96, 91, 86, 81, 76, 72, 61, 49, 22,
            ],
            k: &[
                88, 80, 78, 77, 76, 74, 72, 71, 70, 70, 70, 70, 70, 69, 68, 58, 47, 22,
            ],
            last: [
                (0.4067244362353968, 0.996894379984866),
                (0.0, 0.9970414071697178),
                (0.5, 4.5),
            ],
            kept: &[1],
            chosen: 12,
            qp: [
                8.443333831414056e-07,
                2.4680894003125226e-10,
                3.490249258754533e-07,
            ],
        },
        Golden {
            objective: Objective::Original,
            n: &[
                300, 201, 101, 91, 81, 71, 61, 57, 54, 51, 48, 45, 42, 39, 37, 35, 33, 31, 29, 27,
                25, 23, 21, 19, 18, 17, 16, 15, 17, 19, 20, 21, 22,
            ],
            k: &[
                88, 80, 44, 42, 41, 41, 41, 39, 39, 38, 38, 38, 38, 37, 35, 33, 31, 29, 27, 25, 23,
                21, 20, 18, 17, 16, 15, 14, 16, 18, 19, 20, 21,
            ],
            last: [
                (0.3895035093610808, 0.785584827470359),
                (0.0, 0.9970414071697178),
                (0.0, 5.5),
            ],
            kept: &[0],
            chosen: 12,
            qp: [
                0.0004472073015142362,
                1.4273218592686234e-06,
                8.06463652560523e-06,
            ],
        },
    ]
}

#[test]
fn matches_ema_workbench_on_a_small_dataset() {
    let cases = golden_cases();
    let data = golden_data();
    for g in &cases {
        let config = PrimConfig {
            objective: g.objective,
            paste_chosen: false,
            ..PrimConfig::default()
        };
        let mut prim = Prim::new(&data, config).expect("valid config");
        let t = prim.trajectory().expect("trajectory");
        let n: Vec<usize> = t.steps.iter().map(|s| s.n).collect();
        let k: Vec<usize> = t.steps.iter().map(|s| s.k).collect();
        assert_eq!(
            (n.as_slice(), k.as_slice()),
            (g.n, g.k),
            "{:?}",
            g.objective
        );
        let last = &t.steps[t.steps.len() - 1].limits.limits;
        for (j, &(lower, upper)) in g.last.iter().enumerate() {
            assert_eq!(last[j], Limit::Numeric { lower, upper }, "x{j}");
        }
        assert_eq!(
            last[3],
            Limit::Categorical {
                kept: g.kept.to_vec()
            }
        );
        let b = prim.select(t, BoxChoice::Threshold).expect("box");
        assert_eq!(b.step, g.chosen);
        assert_eq!(b.restricted, vec![0, 2, 3]);
        let got: Vec<f64> = b
            .quasi_p
            .iter()
            .map(|q| match q {
                QuasiP::Numeric {
                    lower: Some(p),
                    upper: None,
                    ..
                }
                | QuasiP::Numeric {
                    lower: None,
                    upper: Some(p),
                    ..
                }
                | QuasiP::Categorical { p, .. } => *p,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        for (a, e) in got.iter().zip(&g.qp) {
            assert!((a - e).abs() <= 1e-9 * e, "quasi-p {a} vs EMA {e}");
        }
    }
}

#[test]
fn ties_go_to_the_upper_edge_first() {
    // x = 0..19, y = (5 ≤ x ≤ 14): peeling either edge removes one
    // non-case with the same score and the same number of restricted
    // dimensions; EMA tries the upper edge first and keeps the first of
    // equal candidates, so the five upper peels come before the lower ones.
    let x: Vec<f64> = (0..20).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|&v| (5.0..=14.0).contains(&v)).collect();
    let data = Dataset::new(vec![Column::numeric("x", x)], y).expect("valid");
    let t = Prim::new(&data, PrimConfig::default())
        .expect("valid config")
        .trajectory()
        .expect("trajectory");
    let limits: Vec<(f64, f64)> = t
        .steps
        .iter()
        .map(|s| match s.limits.limits[0] {
            Limit::Numeric { lower, upper } => (lower, upper),
            Limit::Categorical { .. } => panic!("numeric"),
        })
        .collect();
    let mut want = vec![(0.0, 19.0)];
    want.extend((0..5).map(|i| (0.0, 18.5 - i as f64)));
    want.extend((0..5).map(|i| (0.5 + i as f64, 14.5)));
    assert_eq!(limits, want);
}

#[test]
fn ties_go_to_fewer_restricted_dimensions() {
    // Level v: x0 = 10..47, cases except x0 ∈ {10..13, 44..47}; level w:
    // 20 non-cases at x0 = 60..79; level z: non-cases at x0 = 20.5, 30.5.
    // Step 1 drops w. At step 2, dropping z and peeling either edge of x0
    // all remove two non-cases (equal score); dropping z keeps one
    // restricted dimension instead of two, so it wins although the x0
    // candidates come first. Trajectory checked against EMA Workbench 2.5.3.
    let mut x0 = Vec::new();
    let mut codes = Vec::new();
    let mut y = Vec::new();
    for x in 10..48 {
        x0.push(f64::from(x));
        codes.push(0);
        y.push(!matches!(x, 10..=13 | 44..=47));
    }
    for x in 60..80 {
        x0.push(f64::from(x));
        codes.push(1);
        y.push(false);
    }
    for x in [20.5, 30.5] {
        x0.push(x);
        codes.push(2);
        y.push(false);
    }
    let levels = vec!["v".into(), "w".into(), "z".into()];
    let data = Dataset::new(
        vec![
            Column::numeric("x0", x0),
            Column::categorical("c", levels, codes),
        ],
        y,
    )
    .expect("valid");
    let t = Prim::new(&data, PrimConfig::default())
        .expect("valid config")
        .trajectory()
        .expect("trajectory");
    let got: Vec<(usize, usize, Limit, Limit)> = t
        .steps
        .iter()
        .map(|s| {
            (
                s.n,
                s.k,
                s.limits.limits[0].clone(),
                s.limits.limits[1].clone(),
            )
        })
        .collect();
    let num = |lower: f64, upper: f64| Limit::Numeric { lower, upper };
    let cat = |kept: &[usize]| Limit::Categorical {
        kept: kept.to_vec(),
    };
    let want = vec![
        (60, 30, num(10.0, 79.0), cat(&[0, 1, 2])),
        (40, 30, num(10.0, 79.0), cat(&[0, 2])),
        (38, 30, num(10.0, 79.0), cat(&[0])),
        (36, 30, num(10.0, 45.5), cat(&[0])),
        (34, 30, num(10.0, 43.5), cat(&[0])),
        (32, 30, num(11.5, 43.5), cat(&[0])),
        (30, 30, num(13.5, 43.5), cat(&[0])),
    ];
    assert_eq!(got, want);
}

#[test]
fn pasting_by_hand() {
    // x = 0..199, cases at x ≥ 50 except x = 150. Starting from the box
    // [99.5, 199] (100 points, 99 cases), each paste adds the top 5 % of the
    // points below the box while the density rises. Values checked against
    // EMA Workbench 2.5.3 (`Prim._paste` on the same box).
    let x: Vec<f64> = (0..200).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|&v| v >= 50.0 && v != 150.0).collect();
    let data = Dataset::new(vec![Column::numeric("x0", x.clone())], y).expect("valid");
    let prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let mut st = State {
        lims: vec![Lim::Num(99.5, 199.0)],
        members: x.iter().map(|&v| v >= 99.5).collect(),
        n: 100,
        k: 99,
    };
    let mut steps = Vec::new();
    prim.paste(&mut st, &mut steps);
    let got: Vec<(usize, usize, Limit)> = steps
        .iter()
        .map(|s| (s.n, s.k, s.limits.limits[0].clone()))
        .collect();
    let lowers = [
        94.5, 89.5, 84.5, 79.5, 75.5, 71.5, 67.5, 63.5, 59.5, 56.5, 53.5, 50.5,
    ];
    let sizes = [105, 110, 115, 120, 124, 128, 132, 136, 140, 143, 146, 149];
    let want: Vec<(usize, usize, Limit)> = lowers
        .iter()
        .zip(sizes)
        .map(|(&lower, n)| {
            (
                n,
                n - 1,
                Limit::Numeric {
                    lower,
                    upper: 199.0,
                },
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(steps.iter().all(|s| s.phase == Phase::Paste));
    // The members follow the limits.
    assert_eq!(st.members.iter().filter(|&&m| m).count(), 149);

    // The same through `select` on a chosen step [99.5, 199]: pasted with
    // `paste_chosen`, untouched without.
    for paste_chosen in [true, false] {
        let config = PrimConfig {
            paste_chosen,
            ..PrimConfig::default()
        };
        let mut prim = Prim::new(&data, config).expect("valid config");
        let mut t = prim.trajectory().expect("trajectory");
        t.steps[0].limits.limits[0] = Limit::Numeric {
            lower: 99.5,
            upper: 199.0,
        };
        let b = prim.select(t, BoxChoice::Step(0)).expect("box");
        let (n, lower) = if paste_chosen {
            (149, 50.5)
        } else {
            (100, 99.5)
        };
        assert_eq!(b.pasting.len(), if paste_chosen { 12 } else { 0 });
        assert_eq!((b.n, b.k), (n, n - 1));
        assert_eq!(
            b.limits.limits[0],
            Limit::Numeric {
                lower,
                upper: 199.0
            }
        );
        assert_eq!(prim.remaining(), (200 - n, 149 - (n - 1)));
    }
}

#[test]
fn columns_are_found_by_name() {
    let data = box_data(3, 20, 3, &[(0, 0.0, 0.5)], 0.0);
    assert_eq!(data.dimension_index("x1"), Some(1));
    assert_eq!(data.dimension_index("x2"), Some(2));
    assert_eq!(data.dimension_index("y"), None);
}

#[test]
fn the_objectives_score_a_peel_as_their_authors_define_them() {
    let data = box_data(3, 20, 2, &[(0, 0.0, 0.5)], 0.0);
    let score = |objective: Objective, n_old, k_old, n_new, k_new| {
        let config = PrimConfig {
            objective,
            ..PrimConfig::default()
        };
        Prim::new(&data, config)
            .expect("valid config")
            .objective(n_old, k_old, n_new, k_new)
    };
    // From 100 points with 40 of interest to 90 with 39: densities 0.4 and
    // 0.4333…, 10 points removed.
    let gain = 39.0 / 90.0 - 0.4;
    assert!((score(Objective::Lenient1, 100, 40, 90, 39) - gain / 10.0).abs() < 1e-12);
    assert!((score(Objective::Lenient2, 100, 40, 90, 39) - 90.0 * gain / 10.0).abs() < 1e-12);
    assert!((score(Objective::Original, 100, 40, 90, 39) - 39.0 / 90.0).abs() < 1e-12);
    // No change in density, or nothing removed: no gain.
    assert_eq!(score(Objective::Lenient1, 100, 40, 50, 20), 0.0);
    assert_eq!(score(Objective::Lenient2, 100, 40, 100, 41), 0.0);
}

#[test]
fn every_step_counts_the_points_inside_its_limits_even_with_ties() {
    // A column of whole numbers puts many points exactly on a quantile: the
    // box keeps a point on its limit (limits are inclusive), so the counts a
    // step reports must be those of its limits, recounted here.
    let mut rng = crate::rng::seeded(7, 0);
    let n = 400;
    let x0: Vec<f64> = (0..n).map(|i| f64::from(i % 10)).collect();
    let x1: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let y: Vec<bool> = (0..n as usize)
        .map(|r| (x0[r] >= 4.0 && x1[r] > 0.3) != (rng.random::<f64>() < 0.05))
        .collect();
    let data = Dataset::new(
        vec![
            Column::numeric("x0", x0.clone()),
            Column::numeric("x1", x1.clone()),
        ],
        y.clone(),
    )
    .expect("valid");
    let prim = Prim::new(&data, PrimConfig::default()).expect("valid config");
    let t = prim.trajectory().expect("trajectory");
    assert!(t.peel_len > 5, "too few peels to test: {}", t.peel_len);
    for (i, s) in t.steps.iter().enumerate() {
        let (l0, u0) = match s.limits.limits[0] {
            Limit::Numeric { lower, upper } => (lower, upper),
            _ => unreachable!(),
        };
        let (l1, u1) = match s.limits.limits[1] {
            Limit::Numeric { lower, upper } => (lower, upper),
            _ => unreachable!(),
        };
        let inside: Vec<usize> = (0..n as usize)
            .filter(|&r| x0[r] >= l0 && x0[r] <= u0 && x1[r] >= l1 && x1[r] <= u1)
            .collect();
        let k = inside.iter().filter(|&&r| y[r]).count();
        assert_eq!(
            (s.n, s.k),
            (inside.len(), k),
            "step {i} with x0 in [{l0}, {u0}], x1 in [{l1}, {u1}]"
        );
    }
}
