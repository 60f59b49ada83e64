//! Morris elementary-effects screening.
//!
//! This file owns the Morris (1991) one-at-a-time design
//! ([`morris_design`]) and the elementary-effect statistics
//! ([`morris_analyze`]).
//!
//! # Design
//! As SALib's `morris.sample` without optimal trajectory selection: on a grid
//! of `p` (even) levels `{0, 1/(p−1), …, 1}` with jump `Δ = p / (2(p − 1))`,
//! each trajectory draws, from `crate::rng::seeded(seed, …)` on stream
//! [`STREAM_MORRIS_DESIGN`], a base level `x*_i ∈ {0, …, 1 − Δ}` per factor,
//! a random factor order and a random direction per factor. Its first point
//! has factor `i` at `x*_i` (upward direction) or `x*_i + Δ` (downward);
//! each of the `k` following points moves the next factor of the order to
//! the other end of its jump. A trajectory has `k + 1` points, all in
//! `[0, 1]`, and the design is `trajectories · (k + 1)` points.
//!
//! # Statistics
//! The elementary effect of the factor moved between two consecutive points
//! is `(ȳ(next) − ȳ(prev)) / (x_i(next) − x_i(prev))`, i.e.
//! `(y(x + Δe_i) − y(x)) / Δ` whatever the direction of the step, from the
//! replicate means `ȳ`. Per factor: `mu` is the mean effect, `mu_star` the
//! mean absolute effect, `sigma` the standard deviation (divisor `r − 1`, NaN
//! for a single trajectory). The interval of `mu_star` is a percentile
//! bootstrap over trajectories (drawn with replacement together with their
//! replicate outputs, which carry the replication noise); redrawing the
//! replicates within each trajectory as well is available through
//! [`BootstrapConfig::resample_replicates`] but biases `mu_star` upwards (see
//! [`crate::sensitivity::bootstrap`]).
//!
//! With replication noise of variance `σ²` per run, an elementary effect
//! carries noise of variance `2σ²/(R·Δ²)`, so `mu_star` of the replicate means
//! does not go to 0 for an inert factor but to the noise floor
//! `√(2/π) · √(2σ²/R) / Δ`; compare small `mu_star` values with it.

use crate::error::{Error, Result};
use rand::RngExt;

use super::bootstrap::{BootstrapConfig, GroupedReplicates, Resampler, percentile_interval};

/// ChaCha stream of the Morris design draws.
pub const STREAM_MORRIS_DESIGN: u64 = 2;

/// Morris statistics of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (`n − 1` divisor).
    pub sigma: f64,
    /// Lower bootstrap bound of `mu_star` (NaN without bootstrap).
    pub mu_star_lo: f64,
    /// Upper bootstrap bound of `mu_star` (NaN without bootstrap).
    pub mu_star_hi: f64,
}

/// Morris design of `trajectories` trajectories of `k + 1` points each on a
/// `levels`-level grid, or an error if `k = 0`, `trajectories = 0`, `levels`
/// is odd or below 2, or the design size overflows.
pub fn try_morris_design(
    k: usize,
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    if k == 0 || trajectories == 0 {
        return Err(Error::usage(
            "morris_design: k and trajectories must be at least 1",
        ));
    }
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(Error::usage(format!(
            "morris_design: levels = {levels} must be even and at least 2"
        )));
    }
    let total = k
        .checked_add(1)
        .and_then(|s| s.checked_mul(trajectories))
        .ok_or_else(|| Error::usage("morris_design: design size overflows usize"))?;
    let half = levels / 2;
    let denom = (levels - 1) as f64;
    let mut rng = crate::rng::seeded(seed, STREAM_MORRIS_DESIGN);
    let mut out = Vec::with_capacity(total);
    let mut order: Vec<usize> = Vec::with_capacity(k);
    for _ in 0..trajectories {
        let base: Vec<usize> = (0..k).map(|_| rng.random_range(0..half)).collect();
        order.clear();
        order.extend(0..k);
        for i in (1..k).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
        // Grid level index of every factor; value = level / (levels − 1).
        let mut level: Vec<usize> = (0..k)
            .map(|i| base[i] + if up[i] { 0 } else { half })
            .collect();
        let to_point = |lv: &[usize]| lv.iter().map(|&l| l as f64 / denom).collect::<Vec<f64>>();
        out.push(to_point(&level));
        for &f in &order {
            level[f] = base[f] + if up[f] { half } else { 0 };
            out.push(to_point(&level));
        }
    }
    Ok(out)
}

/// Morris design of `trajectories` trajectories of `k + 1` points each on a
/// `levels`-level grid (see the module documentation).
///
/// # Panics
/// If `k = 0`, `trajectories = 0` or `levels` is odd or below 2; see
/// [`try_morris_design`].
pub fn morris_design(k: usize, trajectories: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    try_morris_design(k, trajectories, levels, seed).unwrap_or_else(|e| panic!("{e}"))
}

/// The factor moved by one step of a trajectory and the signed step size.
#[derive(Clone, Copy)]
struct Step {
    factor: usize,
    delta: f64,
}

/// Recovers the moved factor and step of every step of every trajectory.
fn parse_steps(k: usize, trajectories: usize, points: &[Vec<f64>]) -> Result<Vec<Step>> {
    if points.len() != trajectories * (k + 1) {
        return Err(Error::usage(format!(
            "morris_analyze: expected {} points, got {}",
            trajectories * (k + 1),
            points.len()
        )));
    }
    if let Some(p) = points
        .iter()
        .position(|x| x.len() != k || x.iter().any(|v| !v.is_finite()))
    {
        return Err(Error::usage(format!(
            "morris_analyze: point {p} does not have {k} finite coordinates"
        )));
    }
    let mut steps = Vec::with_capacity(trajectories * k);
    let mut moved = vec![false; k];
    for (t, traj) in points.chunks_exact(k + 1).enumerate() {
        moved.fill(false);
        for (s, pair) in traj.windows(2).enumerate() {
            let mut changed = (0..k).filter(|&c| pair[0][c] != pair[1][c]);
            let (Some(factor), None) = (changed.next(), changed.next()) else {
                return Err(Error::usage(format!(
                    "morris_analyze: step {s} of trajectory {t} does not move exactly one factor"
                )));
            };
            if moved[factor] {
                return Err(Error::usage(format!(
                    "morris_analyze: trajectory {t} moves factor {factor} twice"
                )));
            }
            moved[factor] = true;
            steps.push(Step {
                factor,
                delta: pair[1][factor] - pair[0][factor],
            });
        }
    }
    Ok(steps)
}

/// Elementary effects of the trajectories `source[slot]` whose replicate
/// means are at `means[slot·(k+1)..]`, passed to `each(factor, effect)`.
fn for_each_effect(
    means: &[f64],
    source: impl Iterator<Item = usize>,
    steps: &[Step],
    k: usize,
    mut each: impl FnMut(usize, f64),
) {
    for (m, t) in means.chunks_exact(k + 1).zip(source) {
        for (s, step) in steps[t * k..(t + 1) * k].iter().enumerate() {
            each(step.factor, (m[s + 1] - m[s]) / step.delta);
        }
    }
}

/// Morris statistics with a percentile-bootstrap interval for `mu_star`
/// configured by `boot` ([`BootstrapConfig::new`] gives the behaviour of
/// [`morris_analyze`]).
///
/// `points` must be `trajectories` consecutive trajectories of `k + 1` unit
/// points in which every step moves exactly one factor and every factor
/// moves once (as produced by [`morris_design`]); `y[p]` holds the `R ≥ 1`
/// replicate outputs of point `p`. Errors describe the first violated
/// condition (also: non-finite values, unequal replicate counts, confidence
/// outside `(0, 1)`).
pub fn try_morris_analyze(
    k: usize,
    trajectories: usize,
    points: &[Vec<f64>],
    y: &[Vec<f64>],
    boot: &BootstrapConfig,
) -> Result<Vec<MorrisIndex>> {
    if k == 0 || trajectories == 0 {
        return Err(Error::usage(
            "morris_analyze: k and trajectories must be at least 1",
        ));
    }
    if k.checked_add(1)
        .and_then(|s| s.checked_mul(trajectories))
        .is_none()
    {
        return Err(Error::usage("morris_analyze: design size overflows usize"));
    }
    boot.check("morris_analyze")?;
    let (bootstrap, confidence) = (boot.resamples, boot.confidence);
    let steps = parse_steps(k, trajectories, points)?;
    let data = GroupedReplicates::new(y, k + 1, trajectories, "morris_analyze")?;
    let r = trajectories as f64;

    let mut effects = vec![Vec::with_capacity(trajectories); k];
    for_each_effect(&data.means(), 0..trajectories, &steps, k, |f, e| {
        effects[f].push(e)
    });

    let mut samples = vec![Vec::with_capacity(bootstrap); k];
    let mut resampler = Resampler::new(&data, boot);
    let mut sum_abs = vec![0.0; k];
    for _ in 0..bootstrap {
        resampler.draw();
        sum_abs.fill(0.0);
        let source = resampler.picked.iter().copied();
        for_each_effect(&resampler.means, source, &steps, k, |f, e| {
            sum_abs[f] += e.abs()
        });
        for (b, s) in samples.iter_mut().zip(&sum_abs) {
            b.push(s / r);
        }
    }

    Ok(effects
        .iter()
        .zip(&samples)
        .map(|(ee, b)| {
            let mu = ee.iter().sum::<f64>() / r;
            let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / r;
            let sigma = if trajectories > 1 {
                (ee.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            let (mu_star_lo, mu_star_hi) = percentile_interval(b, confidence);
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                mu_star_lo,
                mu_star_hi,
            }
        })
        .collect())
}

/// Morris statistics (`mu`, `mu_star`, `sigma`) from replicate means, with a
/// 95 % percentile-bootstrap interval for `mu_star` from `bootstrap`
/// resamples of trajectories and replicates.
///
/// # Panics
/// On the invalid inputs listed at [`try_morris_analyze`].
pub fn morris_analyze(
    k: usize,
    trajectories: usize,
    points: &[Vec<f64>],
    y: &[Vec<f64>],
    bootstrap: usize,
    seed: u64,
) -> Vec<MorrisIndex> {
    try_morris_analyze(
        k,
        trajectories,
        points,
        y,
        &BootstrapConfig::new(bootstrap, seed),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::super::test_models::{G_A, g_function};
    use super::*;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn design_is_one_at_a_time_on_the_grid() {
        let (k, t, p) = (5, 40, 4);
        let delta = p as f64 / (2.0 * (p - 1) as f64);
        let pts = morris_design(k, t, p, 3);
        assert_eq!(pts.len(), t * (k + 1));
        let (mut ups, mut downs, mut first_moved) = (0, 0, vec![0; k]);
        for traj in pts.chunks_exact(k + 1) {
            let mut moved = vec![false; k];
            for (s, pair) in traj.windows(2).enumerate() {
                let changed: Vec<usize> = (0..k).filter(|&c| pair[0][c] != pair[1][c]).collect();
                assert_eq!(changed.len(), 1);
                let f = changed[0];
                assert!(!moved[f]);
                moved[f] = true;
                let step = pair[1][f] - pair[0][f];
                assert!((step.abs() - delta).abs() < 1e-12, "step {step}");
                if step > 0.0 {
                    ups += 1
                } else {
                    downs += 1
                }
                if s == 0 {
                    first_moved[f] += 1;
                }
            }
            for x in traj.iter().flatten() {
                let l = x * (p - 1) as f64;
                assert!(
                    (0.0..=1.0).contains(x) && (l - l.round()).abs() < 1e-12,
                    "{x}"
                );
            }
        }
        // Directions and orders are random, not fixed.
        assert!(ups > 50 && downs > 50, "{ups} up, {downs} down");
        assert!(first_moved.iter().all(|&c| c > 0), "{first_moved:?}");
        assert_eq!(pts, morris_design(k, t, p, 3));
        assert_ne!(pts, morris_design(k, t, p, 4));
        assert!(try_morris_design(k, t, 5, 3).is_err());
        assert!(try_morris_design(0, t, 4, 3).is_err());
        // Two levels: Δ = 1, every point is a corner.
        assert!(
            morris_design(3, 4, 2, 1)
                .iter()
                .flatten()
                .all(|&x| x == 0.0 || x == 1.0)
        );
    }

    #[test]
    fn linear_model_effects_are_exact() {
        let c = [3.0, -2.0, 0.5, 0.0];
        let pts = morris_design(4, 10, 6, 9);
        let y: Vec<Vec<f64>> = pts
            .iter()
            .map(|x| vec![x.iter().zip(&c).map(|(a, b)| a * b).sum::<f64>(); 2])
            .collect();
        let idx = morris_analyze(4, 10, &pts, &y, 100, 1);
        for (i, m) in idx.iter().enumerate() {
            assert!((m.mu - c[i]).abs() < 1e-9, "{m:?}");
            assert!((m.mu_star - c[i].abs()).abs() < 1e-9, "{m:?}");
            assert!(m.sigma < 1e-9, "{m:?}");
            assert!(m.mu_star_lo <= m.mu_star + 1e-9 && m.mu_star - 1e-9 <= m.mu_star_hi);
        }
    }

    /// Expected μ* of the G function on a 4-level grid (Δ = 2/3): the moved
    /// factor jumps between |4x−2| = 2 and 2/3, so |EE_i| = (4/3)/Δ/(1+a_i)
    /// times the product of the other factors, which at the time of the move
    /// are independent and uniform on the 4 grid levels, where
    /// E[g_j] = (4/3 + a_j)/(1 + a_j).
    fn g_expected_mu_star() -> Vec<f64> {
        let mean_g: Vec<f64> = G_A.iter().map(|a| (4.0 / 3.0 + a) / (1.0 + a)).collect();
        (0..G_A.len())
            .map(|i| {
                let others: f64 = (0..G_A.len())
                    .filter(|&j| j != i)
                    .map(|j| mean_g[j])
                    .product();
                2.0 / (1.0 + G_A[i]) * others
            })
            .collect()
    }

    #[test]
    fn g_function_ranking_and_expected_mu_star() {
        let (k, t) = (6, 50);
        let pts = morris_design(k, t, 4, 2024);
        let y: Vec<Vec<f64>> = pts.iter().map(|x| vec![g_function(x)]).collect();
        let idx = morris_analyze(k, t, &pts, &y, 1000, 5);
        let expected = g_expected_mu_star();
        println!("Morris, G function a = {G_A:?}, 50 trajectories, 4 levels, 1000 bootstrap");
        println!("  i   mu       mu*      [95% CI]             E[mu*]   sigma");
        for (i, m) in idx.iter().enumerate() {
            println!(
                "  {}  {:7.4}  {:7.4}  [{:7.4}, {:7.4}]  {:7.4}  {:7.4}",
                i + 1,
                m.mu,
                m.mu_star,
                m.mu_star_lo,
                m.mu_star_hi,
                expected[i],
                m.sigma
            );
        }
        // Importance decreases with a: strict order for a = 0, 1, 4.5, 9,
        // and both a = 99 factors below all of them (in either order).
        for i in 0..3 {
            assert!(idx[i].mu_star > idx[i + 1].mu_star, "{i}: {idx:?}");
        }
        assert!(idx[3].mu_star > idx[4].mu_star.max(idx[5].mu_star));
        // Trajectories are i.i.d., so these percentile intervals should have
        // close to nominal coverage; over 20 design seeds tried during
        // development they covered E[mu*] in 114 of 120 cases, so with six
        // intervals per run about one seed in four misses one. The seed is
        // fixed; a miss after a change of seed is not by itself a bug.
        for (m, e) in idx.iter().zip(&expected) {
            assert!(
                m.mu_star_lo <= *e && *e <= m.mu_star_hi,
                "E[mu*] = {e} not in {m:?}"
            );
        }
    }

    #[test]
    fn replication_noise_sets_a_floor_under_mu_star() {
        // G function + N(0, σ²) noise independent across points and
        // replicates, R = 5. An elementary effect gains noise z ~ N(0, s²),
        // s² = 2σ²/(R·Δ²), so for the two nearly inert factors (a = 99)
        // E|EE + z| lies between the floor E|z| = s·√(2/π) and the floor plus
        // the noise-free mean |EE| (triangle inequality; E|μ + z| ≥ E|z| for
        // symmetric unimodal z). The noisy interval must meet that bracket,
        // sit above the clean interval and be wider.
        let (k, t, reps, sigma) = (6, 50, 5, 0.3);
        let delta = 2.0 / 3.0;
        let pts = morris_design(k, t, 4, 2024);
        let clean: Vec<Vec<f64>> = pts.iter().map(|x| vec![g_function(x); reps]).collect();
        let mut rng = crate::rng::seeded(17, 0);
        let normal = Normal::new(0.0, sigma).unwrap();
        let noisy: Vec<Vec<f64>> = clean
            .iter()
            .map(|ys| ys.iter().map(|v| v + normal.sample(&mut rng)).collect())
            .collect();
        let a = morris_analyze(k, t, &pts, &clean, 500, 5);
        let b = morris_analyze(k, t, &pts, &noisy, 500, 5);
        let s = (2.0 * sigma * sigma / reps as f64).sqrt() / delta;
        let floor = s * (2.0 / std::f64::consts::PI).sqrt();
        for i in 4..6 {
            let (c, n) = (a[i], b[i]);
            println!(
                "noisy G, factor {}: mu* {:.4} [{:.4}, {:.4}], floor {floor:.4}",
                i + 1,
                n.mu_star,
                n.mu_star_lo,
                n.mu_star_hi
            );
            assert!(
                n.mu_star_lo <= floor + c.mu_star && floor <= n.mu_star_hi,
                "{n:?}"
            );
            assert!(n.mu_star_lo > c.mu_star_hi, "{c:?} {n:?}");
            assert!(
                n.mu_star_hi - n.mu_star_lo > c.mu_star_hi - c.mu_star_lo,
                "{c:?} {n:?}"
            );
        }
        let same = morris_analyze(k, t, &pts, &noisy, 500, 5);
        let bits = |v: &[MorrisIndex]| -> Vec<u64> {
            v.iter()
                .flat_map(|m| [m.mu, m.mu_star, m.sigma, m.mu_star_lo, m.mu_star_hi])
                .map(f64::to_bits)
                .collect()
        };
        assert_eq!(bits(&b), bits(&same));
    }

    #[test]
    fn rejects_malformed_trajectories() {
        let pts = morris_design(3, 2, 4, 0);
        let y = vec![vec![1.0]; pts.len()];
        let boot = BootstrapConfig::new(10, 0);
        assert!(try_morris_analyze(3, 2, &pts, &y, &boot).is_ok());
        assert!(try_morris_analyze(3, 3, &pts, &y, &boot).is_err());
        let mut two_moves = pts.clone();
        two_moves[1] = vec![0.5, 0.5, 0.5];
        assert!(try_morris_analyze(3, 2, &two_moves, &y, &boot).is_err());
        let mut repeat = pts.clone();
        repeat[2] = repeat[0].clone();
        assert!(try_morris_analyze(3, 2, &repeat, &y, &boot).is_err());
        let single = morris_analyze(3, 1, &pts[..4], &y[..4], 0, 0);
        assert!(
            single
                .iter()
                .all(|m| m.sigma.is_nan() && m.mu_star_lo.is_nan())
        );
    }
}
