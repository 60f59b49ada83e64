//! The numbers of a box: its coverage, density and mass, the score of a
//! candidate move, EMA's quantile that places a peel or a paste, and the
//! quasi-p-values of its restrictions.

use super::covering::Prim;
use super::limits::{Lim, State, to_public};
use super::{Objective, Phase, QuasiP, Step};
use statrs::distribution::{Binomial, DiscreteCDF};

/// The `q`-quantile of ascending `sorted` as EMA Workbench computes it
/// (`prim_util.get_quantile`, after sdtoolkit): with `i = (m − 1)·q`, take
/// the order statistics at `floor(i)` and `ceil(i)`; while they are equal,
/// move the lower index down (for `q > 0.5`) or the upper index up (for
/// `q ≤ 0.5`) until they differ or reach the end; return their midpoint.
/// The result thus lies between two distinct data values whenever possible,
/// so a peel at it never splits tied values. `None` for an empty slice or
/// `q` outside `(0, 1)`.
pub fn ema_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(q > 0.0 && q < 1.0) {
        return None;
    }
    let m = sorted.len();
    let i = (m - 1) as f64 * q;
    let mut lo = (i.floor() as usize).min(m - 1);
    let mut hi = (i.ceil() as usize).min(m - 1);
    if q > 0.5 {
        while sorted[lo] == sorted[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while sorted[lo] == sorted[hi] && hi < m - 1 {
            hi += 1;
        }
    }
    Some((sorted[lo] + sorted[hi]) / 2.0)
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)` (scipy's
/// `binomtest(k, n, p, alternative="greater").pvalue`).
pub(super) fn binomial_upper_tail(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n as u64) {
        Ok(b) => b.sf(k as u64 - 1),
        Err(_) => f64::NAN,
    }
}

impl Prim<'_> {
    /// The trajectory step of the box `st`, with its statistics relative to
    /// the whole dataset.
    pub(super) fn step(&self, phase: Phase, st: &State) -> Step {
        let n_total = self.data.rows() as f64;
        let coi_total = self.data.coi as f64;
        Step {
            phase,
            n: st.n,
            k: st.k,
            coverage: st.k as f64 / coi_total,
            density: if st.n > 0 {
                st.k as f64 / st.n as f64
            } else {
                0.0
            },
            mass: st.n as f64 / n_total,
            restricted: self.restricted(&st.lims),
            limits: to_public(&st.lims),
        }
    }

    /// The score of a candidate box of `n_new` points and `k_new` cases of
    /// interest replacing the box of `n_old` points and `k_old` cases.
    pub(super) fn objective(&self, n_old: usize, k_old: usize, n_new: usize, k_new: usize) -> f64 {
        if n_old == 0 {
            return 0.0;
        }
        let mean_old = k_old as f64 / n_old as f64;
        let mean_new = if n_new > 0 {
            k_new as f64 / n_new as f64
        } else {
            0.0
        };
        let change = n_old.abs_diff(n_new) as f64;
        match self.config.objective {
            Objective::Original => {
                if n_new > 0 {
                    mean_new
                } else {
                    -1.0
                }
            }
            Objective::Lenient1 => {
                if mean_old != mean_new && change > 0.0 {
                    (mean_new - mean_old) / change
                } else {
                    0.0
                }
            }
            Objective::Lenient2 => {
                if mean_old != mean_new && change > 0.0 {
                    n_new as f64 * (mean_new - mean_old) / change
                } else {
                    0.0
                }
            }
        }
    }

    /// Quasi-p-values of the restrictions of the box `st`.
    pub(super) fn quasi_p(&self, st: &State) -> Vec<QuasiP> {
        let sp = self.split(&st.lims);
        let p_without = |j: usize, lim: Lim| {
            let (tj, hj) = self.count_replacing(&sp, j, &lim);
            let p = if tj > 0 { hj as f64 / tj as f64 } else { 0.0 };
            binomial_upper_tail(st.k, st.n, p)
        };
        self.restricted(&st.lims)
            .into_iter()
            .filter_map(|j| match (&st.lims[j], &self.init[j]) {
                (Lim::Num(lo, hi), Lim::Num(ilo, ihi)) => Some(QuasiP::Numeric {
                    dim: j,
                    lower: (lo != ilo).then(|| p_without(j, Lim::Num(*ilo, *hi))),
                    upper: (hi != ihi).then(|| p_without(j, Lim::Num(*lo, *ihi))),
                }),
                (Lim::Cat(_), init @ Lim::Cat(_)) => Some(QuasiP::Categorical {
                    dim: j,
                    p: p_without(j, init.clone()),
                }),
                _ => None,
            })
            .collect()
    }
}
