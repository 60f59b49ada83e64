//! The arithmetic of ABC-SMC, free of simulation and I/O: distances,
//! importance weights, weighted quantiles (the tolerances) and the
//! effective sample size, and the posterior summaries.

use super::space::{Dim, Kernel, Space};
use crate::scenario::calibrate::Target;

/// An accepted particle.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Its parameters (see [`Space`]).
    pub theta: Vec<f64>,
    /// Its distance to the observations.
    pub distance: f64,
    /// The simulated targets (the mean over the replications).
    pub sims: Vec<f64>,
    /// The attempts its slot took (the last one accepted).
    pub attempts: u32,
}

/// The distance √Σ((sim − obs)/sd)²; +∞ when a simulated value is missing.
pub fn distance(sims: &[f64], targets: &[Target]) -> f64 {
    let mut sq = 0.0;
    for (x, t) in sims.iter().zip(targets) {
        let z = (x - t.value) / t.sd;
        if !z.is_finite() {
            return f64::INFINITY;
        }
        sq += z * z;
    }
    sq.sqrt()
}

/// The weighted α-quantile as pyABC computes it: the points sorted, the
/// cumulative weights less half each point's own weight as abscissae, and
/// linear interpolation between them (the ends held outside).
pub fn weighted_quantile(points: &[f64], weights: &[f64], alpha: f64) -> f64 {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| points[a].total_cmp(&points[b]).then(a.cmp(&b)));
    let total: f64 = weights.iter().sum();
    let mut xs = Vec::with_capacity(points.len());
    let mut cum = 0.0;
    for &i in &order {
        let w = weights[i] / total;
        cum += w;
        xs.push(cum - 0.5 * w);
    }
    let ys: Vec<f64> = order.iter().map(|&i| points[i]).collect();
    interp(alpha, &xs, &ys)
}

/// NumPy's `interp`: `y` at `x` on the polyline through `(xs, ys)`, the
/// end values outside it.
fn interp(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if x <= xs[0] {
        return ys[0];
    }
    if x >= xs[n - 1] {
        return ys[n - 1];
    }
    let j = xs.partition_point(|&v| v <= x);
    let (x0, x1, y0, y1) = (xs[j - 1], xs[j], ys[j - 1], ys[j]);
    if x1 == x0 || y1 == y0 {
        return y0;
    }
    if !(y0.is_finite() && y1.is_finite()) {
        return if x - x0 < x1 - x { y0 } else { y1 };
    }
    y0 + (x - x0) * (y1 - y0) / (x1 - x0)
}

/// The effective sample size of normalised weights: 1 / Σ wᵢ².
pub fn ess(weights: &[f64]) -> f64 {
    1.0 / weights.iter().map(|w| w * w).sum::<f64>()
}

/// The normalised importance weights of a new generation: prior(θ) /
/// Σⱼ wⱼ K(θ | θⱼ) over the previous generation.
pub fn importance_weights(
    space: &Space,
    kernel: &Kernel,
    previous: &[Particle],
    previous_weights: &[f64],
    new: &[Particle],
) -> Vec<f64> {
    let log_w: Vec<f64> = previous_weights.iter().map(|w| w.ln()).collect();
    let mut terms = vec![0.0; previous.len()];
    let ln: Vec<f64> = new
        .iter()
        .map(|p| {
            for (t, (q, lw)) in terms.iter_mut().zip(previous.iter().zip(&log_w)) {
                *t = lw + kernel.log_density(&p.theta, &q.theta);
            }
            space.log_prior(&p.theta) - log_sum_exp(&terms)
        })
        .collect();
    normalise_log(&ln)
}

/// ln Σ exp(xᵢ), without overflow.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// Weights from their logarithms, summing to 1.
pub fn normalise_log(ln: &[f64]) -> Vec<f64> {
    let max = ln.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = ln.iter().map(|x| (x - max).exp()).collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}

/// Picks an index with probability proportional to `cumulative`'s steps
/// (`cumulative` ascending, its last value the total), from a uniform `u`.
pub fn pick(cumulative: &[f64], u: f64) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    cumulative
        .partition_point(|&c| c <= u * total)
        .min(cumulative.len().saturating_sub(1))
}

/// The running sums of `weights`.
pub fn cumulative(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |s, w| {
            *s += w;
            Some(*s)
        })
        .collect()
}

/// One row of `posterior.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The key, or `key:value` for a value of a choice.
    pub parameter: String,
    /// Weighted mean (a value's posterior probability).
    pub mean: f64,
    /// Weighted sd (for a value: √(p(1 − p))).
    pub sd: f64,
    /// The weighted 2.5%, 50% and 97.5% quantiles (none for a value).
    pub q: Option<[f64; 3]>,
    /// The prior's mean and sd (for a value: its prior probability).
    pub prior: (f64, f64),
}

/// The posterior of every key of `space` from a weighted population.
pub fn summarise(space: &Space, particles: &[Particle], weights: &[f64]) -> Vec<Summary> {
    let mut out = Vec::new();
    for (d, (key, dim)) in space.keys.iter().zip(&space.dims).enumerate() {
        let xs: Vec<f64> = particles.iter().map(|p| p.theta[d]).collect();
        match dim {
            Dim::Real { .. } => {
                let mean: f64 = xs.iter().zip(weights).map(|(x, w)| x * w).sum();
                let var: f64 = xs
                    .iter()
                    .zip(weights)
                    .map(|(x, w)| w * (x - mean).powi(2))
                    .sum();
                let q = [0.025, 0.5, 0.975].map(|a| weighted_quantile(&xs, weights, a));
                out.push(Summary {
                    parameter: key.clone(),
                    mean,
                    sd: var.max(0.0).sqrt(),
                    q: Some(q),
                    prior: dim.prior_moments().unwrap_or((f64::NAN, f64::NAN)),
                });
            }
            Dim::Choice(values) => {
                for (i, v) in values.iter().enumerate() {
                    let p: f64 = xs
                        .iter()
                        .zip(weights)
                        .filter(|(x, _)| **x as usize == i)
                        .map(|(_, w)| w)
                        .sum::<f64>()
                        .clamp(0.0, 1.0);
                    let prior = 1.0 / values.len() as f64;
                    out.push(Summary {
                        parameter: format!("{key}:{v}"),
                        mean: p,
                        sd: (p * (1.0 - p)).max(0.0).sqrt(),
                        q: None,
                        prior: (prior, (prior * (1.0 - prior)).sqrt()),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_match_pyabc() {
        // Values computed with pyabc.weighted_statistics.weighted_quantile
        // (numpy.interp on the cumulative weights less half of each).
        let p = [3.0, 1.0, 2.0, 4.0];
        let w = [0.1, 0.2, 0.3, 0.4];
        // Sorted: 1 (0.2), 2 (0.3), 3 (0.1), 4 (0.4); abscissae 0.1, 0.35,
        // 0.55, 0.8.
        assert_eq!(weighted_quantile(&p, &w, 0.05), 1.0);
        assert!((weighted_quantile(&p, &w, 0.5) - 2.75).abs() < 1e-12);
        assert!((weighted_quantile(&p, &w, 0.35) - 2.0).abs() < 1e-12);
        assert!((weighted_quantile(&p, &w, 0.7) - 3.6).abs() < 1e-12);
        assert_eq!(weighted_quantile(&p, &w, 0.9), 4.0);
        // Equal weights: the median of an even count is the midpoint.
        assert!((weighted_quantile(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4], 0.5) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn distances_scale_by_the_sd_and_missing_values_are_infinitely_far() {
        let t = [
            Target {
                metric: "a".into(),
                value: 1.0,
                sd: 0.5,
            },
            Target {
                metric: "b".into(),
                value: 0.0,
                sd: 2.0,
            },
        ];
        assert!((distance(&[2.0, 8.0], &t) - (4.0f64 + 16.0).sqrt()).abs() < 1e-12);
        assert_eq!(distance(&[f64::NAN, 0.0], &t), f64::INFINITY);
    }

    #[test]
    fn weights_normalise_and_the_ess_counts_them() {
        let w = normalise_log(&[0.0, 0.0, (2.0f64).ln()]);
        assert!((w[2] - 0.5).abs() < 1e-12 && (w[0] - 0.25).abs() < 1e-12);
        assert!((ess(&[0.25; 4]) - 4.0).abs() < 1e-12);
        assert!((ess(&w) - 1.0 / (0.0625 * 2.0 + 0.25)).abs() < 1e-12);
    }

    #[test]
    fn picks_follow_the_weights() {
        let c = cumulative(&[0.5, 0.0, 0.25, 0.25]);
        assert_eq!(pick(&c, 0.0), 0);
        assert_eq!(pick(&c, 0.49), 0);
        assert_eq!(pick(&c, 0.5), 2);
        assert_eq!(pick(&c, 0.74), 2);
        assert_eq!(pick(&c, 0.75), 3);
        assert_eq!(pick(&c, 0.999_999), 3);
    }
}
