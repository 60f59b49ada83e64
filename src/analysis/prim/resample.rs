//! Stability of a box over resamples of the data (bootstrap, or EMA's
//! half-size subsamples).

use super::config::invalid;
use super::covering::Prim;
use super::{BoxChoice, Dataset, PrimBox, PrimConfig, Step};
use crate::error::{Error, Result};
use rand::{Rng, RngExt};

/// How resamples are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Sampling {
    /// `n` rows drawn with replacement (bootstrap).
    #[default]
    Bootstrap,
    /// `floor(n · fraction)` rows drawn without replacement (EMA's
    /// `PrimBox.resample` uses `fraction = 0.5`).
    Subsample {
        /// Share of the rows, in `(0, 1]`.
        fraction: f64,
    },
}

/// Stability of one dimension over resamples.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionStability {
    /// Column index.
    pub dim: usize,
    /// Column name.
    pub name: String,
    /// Share of the analysed resamples whose chosen box
    /// ([`BoxChoice::Threshold`]) restricts this dimension.
    pub restricted: f64,
    /// EMA's "reproduce coverage": share of the analysed resamples whose
    /// trajectory step closest in coverage to the reference box restricts
    /// this dimension (`None` without a reference box).
    pub reproduce_coverage: Option<f64>,
    /// EMA's "reproduce density": the same for the step closest in density.
    pub reproduce_density: Option<f64>,
}

/// Result of [`resample`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stability {
    /// Resamples drawn.
    pub attempted: usize,
    /// Resamples analysed (the others had no case of interest or a single
    /// distinct point).
    pub completed: usize,
    /// One entry per column, in column order.
    pub dimensions: Vec<DimensionStability>,
}

/// Reruns PRIM (first box, [`BoxChoice::Threshold`], same settings) on
/// `resamples` resamples of `data` drawn with `rng`, and reports how often
/// each dimension is restricted. With a `reference` box (usually the box
/// found on the full data), also reports EMA's reproduce-coverage and
/// reproduce-density shares.
///
/// # Errors
/// [`Error::Usage`] for a bad setting, `resamples == 0` or a fraction
/// outside `(0, 1]`, or if no resample could be analysed.
pub fn resample<R: Rng + ?Sized>(
    data: &Dataset,
    config: PrimConfig,
    reference: Option<&PrimBox>,
    resamples: usize,
    sampling: Sampling,
    rng: &mut R,
) -> Result<Stability> {
    config.validate()?;
    if resamples == 0 {
        return Err(invalid("resamples", 0.0, "at least 1"));
    }
    let n = data.rows();
    let size = match sampling {
        Sampling::Bootstrap => n,
        Sampling::Subsample { fraction } => {
            if !(fraction > 0.0 && fraction <= 1.0) {
                return Err(invalid("fraction", fraction, "a value in (0, 1]"));
            }
            ((n as f64 * fraction) as usize).min(n)
        }
    };
    let d = data.columns.len();
    let mut in_chosen = vec![0usize; d];
    let mut at_cov = vec![0usize; d];
    let mut at_den = vec![0usize; d];
    let mut completed = 0;
    for _ in 0..resamples {
        let rows: Vec<usize> = match sampling {
            Sampling::Bootstrap => (0..n).map(|_| rng.random_range(0..n)).collect(),
            Sampling::Subsample { .. } => rand::seq::index::sample(rng, n, size).into_vec(),
        };
        let Ok(sub) = data.subset(&rows) else {
            continue;
        };
        let mut prim = Prim::new(&sub, config)?;
        let Some(b) = prim.find_box(BoxChoice::Threshold)? else {
            continue;
        };
        completed += 1;
        for &j in &b.restricted {
            in_chosen[j] += 1;
        }
        if let Some(rf) = reference {
            let nearest = |f: &dyn Fn(&Step) -> f64, target: f64| {
                let mut best = 0;
                let mut dist = f64::INFINITY;
                for (i, s) in b.trajectory.steps.iter().enumerate() {
                    let dd = (f(s) - target).abs();
                    if dd < dist {
                        dist = dd;
                        best = i;
                    }
                }
                best
            };
            let ic = nearest(&|s: &Step| s.coverage, rf.coverage);
            let id = nearest(&|s: &Step| s.density, rf.density);
            for &j in &b.trajectory.steps[ic].restricted {
                at_cov[j] += 1;
            }
            for &j in &b.trajectory.steps[id].restricted {
                at_den[j] += 1;
            }
        }
    }
    if completed == 0 {
        return Err(Error::usage(format!(
            "none of the {resamples} resamples had both cases of interest and distinct points"
        )));
    }
    let share = |c: usize| c as f64 / completed as f64;
    Ok(Stability {
        attempted: resamples,
        completed,
        dimensions: (0..d)
            .map(|j| DimensionStability {
                dim: j,
                name: data.columns[j].name.clone(),
                restricted: share(in_chosen[j]),
                reproduce_coverage: reference.map(|_| share(at_cov[j])),
                reproduce_density: reference.map(|_| share(at_den[j])),
            })
            .collect(),
    })
}
