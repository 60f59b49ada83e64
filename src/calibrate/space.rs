//! The parameter space of a calibration: one dimension per key with a
//! prior, its density and its draws, and the perturbation kernel that moves
//! a particle of one generation into a proposal of the next.
//!
//! A particle is a vector `θ` of `f64`: a real key holds its value, a key
//! with a `choice` prior the index of its value.
//!
//! The kernel (Beaumont et al. 2009; Filippi et al. 2013): real keys move
//! by a multivariate normal with twice the weighted covariance of the
//! previous population; each categorical key keeps its value with
//! probability [`STAY`] and otherwise jumps to one of its other values,
//! each as likely (pyABC's model perturbation kernel).

use crate::params::Value;
use crate::rng::{self, Rng};
use crate::scenario::calibrate::Prior;
use crate::stats::normal_mass;

/// The probability that the kernel keeps a categorical value.
pub const STAY: f64 = 0.7;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// One dimension of the space.
#[derive(Clone, Debug, PartialEq)]
pub enum Dim {
    /// A real key: uniform on `[lo, hi]`, or a normal truncated to it.
    Real {
        /// Lower end of the prior's support.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// `Some((mean, sd, ln Z))` for a truncated normal, `Z` its mass
        /// inside `[lo, hi]`.
        normal: Option<(f64, f64, f64)>,
    },
    /// A key with a `choice` prior: its values.
    Choice(Vec<Value>),
}

impl Dim {
    /// The dimension of a prior.
    pub fn of(prior: &Prior) -> Dim {
        match prior {
            Prior::Uniform { lo, hi } => Dim::Real {
                lo: *lo,
                hi: *hi,
                normal: None,
            },
            Prior::Normal { mean, sd, lo, hi } => Dim::Real {
                lo: *lo,
                hi: *hi,
                normal: Some((*mean, *sd, normal_mass(*mean, *sd, *lo, *hi).ln())),
            },
            Prior::Choice(values) => Dim::Choice(values.clone()),
        }
    }

    /// The log prior density of `x` (−∞ outside the support).
    pub fn log_prior(&self, x: f64) -> f64 {
        match self {
            Dim::Real { lo, hi, normal } => {
                if !(x >= *lo && x <= *hi) {
                    return f64::NEG_INFINITY;
                }
                match normal {
                    None => -(hi - lo).ln(),
                    Some((mean, sd, ln_z)) => {
                        let z = (x - mean) / sd;
                        -0.5 * z * z - sd.ln() - LN_SQRT_2PI - ln_z
                    }
                }
            }
            Dim::Choice(values) => {
                let i = x as usize;
                if x >= 0.0 && x.fract() == 0.0 && i < values.len() {
                    -(values.len() as f64).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
        }
    }

    /// A draw from the prior.
    pub fn sample(&self, r: &mut Rng) -> f64 {
        match self {
            Dim::Real {
                lo,
                hi,
                normal: None,
            } => lo + rng::uniform(r) * (hi - lo),
            Dim::Real {
                lo,
                hi,
                normal: Some((mean, sd, _)),
            } => {
                // The scenario reader refuses priors with less than 0.1% of
                // their mass inside the range, so this loop ends.
                for _ in 0..1_000_000 {
                    let x = mean + sd * rng::normal(r);
                    if x >= *lo && x <= *hi {
                        return x;
                    }
                }
                mean.clamp(*lo, *hi)
            }
            Dim::Choice(values) => {
                ((rng::uniform(r) * values.len() as f64) as usize).min(values.len() - 1) as f64
            }
        }
    }

    /// The prior's mean and sd (for a choice: none).
    pub fn prior_moments(&self) -> Option<(f64, f64)> {
        match self {
            Dim::Real {
                lo,
                hi,
                normal: None,
            } => Some(((lo + hi) / 2.0, (hi - lo) / 12f64.sqrt())),
            Dim::Real {
                lo,
                hi,
                normal: Some((mean, sd, ln_z)),
            } => {
                // The truncated normal's moments.
                let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                let pdf = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let z = ln_z.exp();
                let fa = if a.is_finite() { pdf(a) } else { 0.0 };
                let fb = if b.is_finite() { pdf(b) } else { 0.0 };
                let aa = if a.is_finite() { a * fa } else { 0.0 };
                let bb = if b.is_finite() { b * fb } else { 0.0 };
                let m = mean + sd * (fa - fb) / z;
                let var = sd * sd * (1.0 + (aa - bb) / z - ((fa - fb) / z).powi(2));
                Some((m, var.max(0.0).sqrt()))
            }
            Dim::Choice(_) => None,
        }
    }

    /// The scale below which a real dimension counts as collapsed (its
    /// kernel variance is kept at least this squared).
    fn floor(&self) -> f64 {
        match self {
            Dim::Real { lo, hi, normal } => {
                let width = normal.map_or(hi - lo, |(_, sd, _)| sd);
                1e-6 * width.abs().clamp(1e-12, 1e12)
            }
            Dim::Choice(_) => 0.0,
        }
    }
}

/// The space: the keys and their dimensions, in the order of the priors.
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// The keys.
    pub keys: Vec<String>,
    /// Their dimensions.
    pub dims: Vec<Dim>,
}

impl Space {
    /// The space of a calibration's priors.
    pub fn new(priors: &[(String, Prior)]) -> Space {
        Space {
            keys: priors.iter().map(|(k, _)| k.clone()).collect(),
            dims: priors.iter().map(|(_, p)| Dim::of(p)).collect(),
        }
    }

    /// The log prior density of a particle.
    pub fn log_prior(&self, theta: &[f64]) -> f64 {
        self.dims
            .iter()
            .zip(theta)
            .map(|(d, &x)| d.log_prior(x))
            .sum()
    }

    /// A draw from the prior.
    pub fn sample(&self, r: &mut Rng) -> Vec<f64> {
        self.dims.iter().map(|d| d.sample(r)).collect()
    }

    /// The scenario value of dimension `d` at `x`.
    pub fn value(&self, d: usize, x: f64) -> Value {
        match &self.dims[d] {
            Dim::Real { .. } => Value::Float(x),
            Dim::Choice(values) => values[(x as usize).min(values.len() - 1)].clone(),
        }
    }

    /// The indices of the real dimensions.
    pub fn real(&self) -> Vec<usize> {
        (0..self.dims.len())
            .filter(|&d| matches!(self.dims[d], Dim::Real { .. }))
            .collect()
    }
}

/// The perturbation kernel fitted to a weighted population.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// The real dimensions.
    real: Vec<usize>,
    /// The lower Cholesky factor of the covariance (row-major, n × n).
    chol: Vec<f64>,
    /// ln of the normal's normalising constant: Σ ln Lᵢᵢ + n ln √(2π).
    log_norm: f64,
    /// The categorical dimensions and their number of values.
    choice: Vec<(usize, usize)>,
}

impl Kernel {
    /// The kernel of a population `thetas` with normalised `weights`:
    /// covariance twice the weighted (unbiased, NumPy's `aweights`)
    /// covariance of the real dimensions.
    pub fn fit(space: &Space, thetas: &[Vec<f64>], weights: &[f64]) -> Kernel {
        let real = space.real();
        let n = real.len();
        let mut mean = vec![0.0; n];
        for (t, &w) in thetas.iter().zip(weights) {
            for (m, &d) in mean.iter_mut().zip(&real) {
                *m += w * t[d];
            }
        }
        let sum_sq: f64 = weights.iter().map(|w| w * w).sum();
        let unbias = if sum_sq < 1.0 {
            1.0 / (1.0 - sum_sq)
        } else {
            1.0
        };
        let mut cov = vec![0.0; n * n];
        for (t, &w) in thetas.iter().zip(weights) {
            for a in 0..n {
                let da = t[real[a]] - mean[a];
                for b in 0..=a {
                    cov[a * n + b] += w * da * (t[real[b]] - mean[b]);
                }
            }
        }
        for a in 0..n {
            for b in 0..=a {
                let c = 2.0 * unbias * cov[a * n + b];
                cov[a * n + b] = c;
                cov[b * n + a] = c;
            }
            let floor = space.dims[real[a]].floor();
            cov[a * n + a] = cov[a * n + a].max(floor * floor);
        }
        let chol = cholesky(&cov, n);
        let log_norm = (0..n).map(|i| chol[i * n + i].ln()).sum::<f64>() + n as f64 * LN_SQRT_2PI;
        let choice = space
            .dims
            .iter()
            .enumerate()
            .filter_map(|(d, dim)| match dim {
                Dim::Choice(v) => Some((d, v.len())),
                Dim::Real { .. } => None,
            })
            .collect();
        Kernel {
            real,
            chol,
            log_norm,
            choice,
        }
    }

    /// A proposal moved from `from`.
    pub fn perturb(&self, from: &[f64], r: &mut Rng) -> Vec<f64> {
        let mut to = from.to_vec();
        let n = self.real.len();
        let z: Vec<f64> = (0..n).map(|_| rng::normal(r)).collect();
        for (a, &d) in self.real.iter().enumerate() {
            let shift: f64 = (0..=a).map(|b| self.chol[a * n + b] * z[b]).sum();
            to[d] = from[d] + shift;
        }
        for &(d, k) in &self.choice {
            if rng::uniform(r) >= STAY {
                let cur = from[d] as usize;
                let pick = ((rng::uniform(r) * (k - 1) as f64) as usize).min(k - 2);
                to[d] = (if pick >= cur { pick + 1 } else { pick }) as f64;
            }
        }
        to
    }

    /// ln K(to | from).
    pub fn log_density(&self, to: &[f64], from: &[f64]) -> f64 {
        let n = self.real.len();
        let mut y = vec![0.0; n];
        let mut sq = 0.0;
        for a in 0..n {
            let row = &self.chol[a * n..a * n + a];
            let v = to[self.real[a]]
                - from[self.real[a]]
                - row.iter().zip(&y[..a]).map(|(l, y)| l * y).sum::<f64>();
            y[a] = v / self.chol[a * n + a];
            sq += y[a] * y[a];
        }
        let mut ln = -0.5 * sq - self.log_norm;
        for &(d, k) in &self.choice {
            ln += if to[d] == from[d] {
                STAY.ln()
            } else {
                ((1.0 - STAY) / (k - 1) as f64).ln()
            };
        }
        ln
    }
}

/// The lower Cholesky factor of a symmetric matrix, with growing jitter on
/// the diagonal until it is positive definite.
fn cholesky(m: &[f64], n: usize) -> Vec<f64> {
    let scale = (0..n).map(|i| m[i * n + i]).fold(0.0, f64::max).max(1e-300);
    let mut jitter = 0.0;
    loop {
        if let Some(l) = try_cholesky(m, n, jitter) {
            return l;
        }
        jitter = if jitter == 0.0 {
            1e-12 * scale
        } else {
            jitter * 10.0
        };
    }
}

fn try_cholesky(m: &[f64], n: usize, jitter: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = m[i * n + j] + if i == j { jitter } else { 0.0 };
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Space {
        Space::new(&[
            ("a".into(), Prior::Uniform { lo: 0.0, hi: 2.0 }),
            (
                "b".into(),
                Prior::Normal {
                    mean: 0.0,
                    sd: 1.0,
                    lo: -10.0,
                    hi: 10.0,
                },
            ),
            (
                "c".into(),
                Prior::Choice(vec![
                    Value::Text("x".into()),
                    Value::Text("y".into()),
                    Value::Text("z".into()),
                ]),
            ),
        ])
    }

    #[test]
    fn prior_densities_integrate_to_one() {
        let s = space();
        // Uniform: 1/2 inside, nothing outside.
        assert!((s.dims[0].log_prior(1.0).exp() - 0.5).abs() < 1e-12);
        assert_eq!(s.dims[0].log_prior(2.5), f64::NEG_INFINITY);
        // Normal: the standard normal density at 0 (the truncation at ±10
        // removes nothing visible).
        let at0 = s.dims[1].log_prior(0.0).exp();
        assert!((at0 - 0.398_942_280_401_432_7).abs() < 1e-12, "{at0}");
        // A normal truncated to half its mass has twice the density.
        let half = Dim::of(&Prior::Normal {
            mean: 0.0,
            sd: 1.0,
            lo: 0.0,
            hi: 10.0,
        });
        assert!((half.log_prior(0.0).exp() - 2.0 * 0.398_942_280_401_432_7).abs() < 1e-12);
        assert_eq!(half.log_prior(-0.1), f64::NEG_INFINITY);
        // Choice: a third each, only the indices.
        assert!((s.dims[2].log_prior(2.0).exp() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.dims[2].log_prior(1.5), f64::NEG_INFINITY);
        assert_eq!(s.dims[2].log_prior(3.0), f64::NEG_INFINITY);
    }

    #[test]
    fn prior_draws_have_the_prior_moments() {
        let s = space();
        let mut r = rng::seeded(1, 0);
        let n = 40_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| s.sample(&mut r)).collect();
        for d in 0..2 {
            let (m, sd) = s.dims[d].prior_moments().unwrap();
            let mean = draws.iter().map(|t| t[d]).sum::<f64>() / n as f64;
            let var = draws.iter().map(|t| (t[d] - mean).powi(2)).sum::<f64>() / n as f64;
            let se = sd / (n as f64).sqrt();
            assert!(
                (mean - m).abs() < 5.0 * se,
                "dim {d}: mean {mean}, expected {m} ± {se}"
            );
            assert!(
                (var.sqrt() - sd).abs() < 0.02 * sd,
                "dim {d}: sd {}",
                var.sqrt()
            );
        }
        let share = draws.iter().filter(|t| t[2] == 1.0).count() as f64 / n as f64;
        assert!((share - 1.0 / 3.0).abs() < 0.01, "{share}");
        // A half-truncated normal's mean is √(2/π).
        let half = Dim::of(&Prior::Normal {
            mean: 0.0,
            sd: 1.0,
            lo: 0.0,
            hi: 10.0,
        });
        let (m, _) = half.prior_moments().unwrap();
        assert!(
            (m - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-9,
            "{m}"
        );
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn the_kernel_has_twice_the_weighted_covariance_and_its_density() {
        let s = Space::new(&[
            (
                "a".into(),
                Prior::Uniform {
                    lo: -100.0,
                    hi: 100.0,
                },
            ),
            (
                "b".into(),
                Prior::Uniform {
                    lo: -100.0,
                    hi: 100.0,
                },
            ),
        ]);
        // A population whose weighted covariance is known.
        let thetas = vec![
            vec![0.0, 0.0],
            vec![2.0, 1.0],
            vec![0.0, 3.0],
            vec![4.0, 0.0],
        ];
        let w = vec![0.4, 0.3, 0.2, 0.1];
        let k = Kernel::fit(&s, &thetas, &w);
        let mean = [0.3 * 2.0 + 0.1 * 4.0, 0.3 + 0.6];
        let mut cov = [[0.0; 2]; 2];
        for (t, wi) in thetas.iter().zip(&w) {
            for a in 0..2 {
                for b in 0..2 {
                    cov[a][b] += wi * (t[a] - mean[a]) * (t[b] - mean[b]);
                }
            }
        }
        let unbias = 1.0 / (1.0 - w.iter().map(|x| x * x).sum::<f64>());
        // L·Lᵀ is twice the unbiased weighted covariance.
        for a in 0..2 {
            for b in 0..2 {
                let llt: f64 = (0..2).map(|c| k.chol[a * 2 + c] * k.chol[b * 2 + c]).sum();
                let want = 2.0 * unbias * cov[a][b];
                assert!((llt - want).abs() < 1e-12, "({a},{b}): {llt} vs {want}");
            }
        }
        // Draws from the kernel have that covariance, and the density is
        // the normal's (checked at the centre and one point away).
        let mut r = rng::seeded(3, 0);
        let n = 50_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| k.perturb(&[1.0, 1.0], &mut r)).collect();
        let var0 = draws.iter().map(|t| (t[0] - 1.0).powi(2)).sum::<f64>() / n as f64;
        let want0 = 2.0 * unbias * cov[0][0];
        assert!((var0 - want0).abs() < 0.03 * want0, "{var0} vs {want0}");
        let det = (2.0 * unbias).powi(2) * (cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0]);
        let at_centre = k.log_density(&[1.0, 1.0], &[1.0, 1.0]);
        let want = -(2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln();
        assert!((at_centre - want).abs() < 1e-12, "{at_centre} vs {want}");
    }

    #[test]
    fn the_jump_kernel_keeps_or_jumps_to_another_value() {
        let s = space();
        let k = Kernel::fit(&s, &[vec![1.0, 0.0, 0.0], vec![1.5, 1.0, 2.0]], &[0.5, 0.5]);
        let mut r = rng::seeded(9, 0);
        let n = 30_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            counts[k.perturb(&[1.0, 0.0, 1.0], &mut r)[2] as usize] += 1;
        }
        let share = |c: usize| counts[c] as f64 / n as f64;
        assert!((share(1) - STAY).abs() < 0.01, "{counts:?}");
        assert!(
            (share(0) - 0.15).abs() < 0.01 && (share(2) - 0.15).abs() < 0.01,
            "{counts:?}"
        );
        // Its density: 0.7 to stay, 0.15 to each other value.
        let stay = k.log_density(&[1.0, 0.0, 1.0], &[1.0, 0.0, 1.0]);
        let jump = k.log_density(&[1.0, 0.0, 2.0], &[1.0, 0.0, 1.0]);
        assert!((stay - jump - (0.7f64 / 0.15).ln()).abs() < 1e-12);
    }
}
