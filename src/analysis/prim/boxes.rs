//! What PRIM finds: the limits of a box, the steps of a trajectory and the
//! choice among them, the quasi-p-values of a box's restrictions, the box.

/// Limit of a box on one dimension.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// Numeric dimension: the box holds `lower ≤ x ≤ upper`.
    Numeric {
        /// Lower limit (inclusive).
        lower: f64,
        /// Upper limit (inclusive).
        upper: f64,
    },
    /// Categorical dimension: the box holds the listed levels (ascending
    /// level indices; see [`Dataset::level_names`](super::Dataset::level_names)).
    Categorical {
        /// Kept level indices.
        kept: Vec<usize>,
    },
}

/// Limits of a box, one [`Limit`] per column of the dataset, in column
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxLimits {
    /// One limit per column.
    pub limits: Vec<Limit>,
}

/// Phase of the algorithm that produced a trajectory step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The starting box, holding every remaining point.
    Initial,
    /// A peeling step.
    Peel,
    /// A pasting step.
    Paste,
}

/// One box on the peeling/pasting trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Which phase produced this box.
    pub phase: Phase,
    /// Number of (remaining) points in the box.
    pub n: usize,
    /// Number of (remaining) cases of interest in the box.
    pub k: usize,
    /// `k` / cases of interest of the whole dataset.
    pub coverage: f64,
    /// `k / n`.
    pub density: f64,
    /// `n` / rows of the whole dataset.
    pub mass: f64,
    /// Restricted dimensions (column indices, ascending): numeric limits
    /// differing from the data range of the whole dataset, or categorical
    /// dimensions missing some level present in the whole dataset.
    pub restricted: Vec<usize>,
    /// The box limits.
    pub limits: BoxLimits,
}

/// The sequence of boxes visited by one peeling (and pasting) run.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Initial box, peeling steps, then pasting steps.
    pub steps: Vec<Step>,
    /// Number of steps from the initial box and peeling (the rest are
    /// pasting steps).
    pub peel_len: usize,
    pub(super) round: usize,
}

impl Trajectory {
    /// Index of the box with the highest coverage among those with density
    /// `≥ threshold` (ties: higher density, then the earlier step), and
    /// `true`; or, if no step reaches the threshold, the step with the
    /// highest density (ties: higher coverage, then the earlier step) and
    /// `false`.
    pub fn choose(&self, threshold: f64) -> (usize, bool) {
        let mut best: Option<usize> = None;
        for (i, s) in self.steps.iter().enumerate() {
            if s.density < threshold {
                continue;
            }
            best = match best {
                Some(b) => {
                    let t = &self.steps[b];
                    if (s.coverage, s.density) > (t.coverage, t.density) {
                        Some(i)
                    } else {
                        Some(b)
                    }
                }
                None => Some(i),
            };
        }
        if let Some(b) = best {
            return (b, true);
        }
        let mut b = 0;
        for (i, s) in self.steps.iter().enumerate() {
            let t = &self.steps[b];
            if (s.density, s.coverage) > (t.density, t.coverage) {
                b = i;
            }
        }
        (b, false)
    }
}

/// How to pick the box from a trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoxChoice {
    /// [`Trajectory::choose`] with [`PrimConfig::threshold`](super::PrimConfig::threshold).
    #[default]
    Threshold,
    /// This step index of the trajectory.
    Step(usize),
}

/// One-sided binomial quasi-p-value of a restriction (Bryant & Lempert
/// 2010, as computed by EMA): with `T`, `H` the points and cases of interest
/// of the box and `p` the density of the box with that one restriction
/// dropped, `P(X ≥ H)` for `X ~ Binomial(T, p)`. Small values mean the
/// restriction is unlikely to raise the density by chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuasiP {
    /// A numeric dimension: one value per restricted side (`None` for a
    /// side at the data range).
    Numeric {
        /// Column index.
        dim: usize,
        /// Quasi-p-value of the lower limit.
        lower: Option<f64>,
        /// Quasi-p-value of the upper limit.
        upper: Option<f64>,
    },
    /// A categorical dimension: one value for the whole set of removed
    /// levels.
    Categorical {
        /// Column index.
        dim: usize,
        /// Quasi-p-value.
        p: f64,
    },
}

impl QuasiP {
    /// Column index of the restriction.
    pub fn dim(&self) -> usize {
        match self {
            Self::Numeric { dim, .. } | Self::Categorical { dim, .. } => *dim,
        }
    }
}

/// A box found by PRIM, with its statistics relative to the whole dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// The trajectory the box was chosen from.
    pub trajectory: Trajectory,
    /// Index of the chosen step of `trajectory`.
    pub step: usize,
    /// Whether the box's density reaches [`PrimConfig::threshold`](super::PrimConfig::threshold) (false
    /// when no step of the trajectory reaches it and the densest one was
    /// taken instead, or when a [`BoxChoice::Step`] below it was chosen).
    pub meets_threshold: bool,
    /// Pasting steps applied to the chosen step ([`PrimConfig::paste_chosen`](super::PrimConfig::paste_chosen));
    /// empty if the box is exactly the chosen step.
    pub pasting: Vec<Step>,
    /// The final box.
    pub limits: BoxLimits,
    /// Points in the box (among those not claimed by earlier boxes).
    pub n: usize,
    /// Cases of interest in the box.
    pub k: usize,
    /// `k` / cases of interest of the whole dataset.
    pub coverage: f64,
    /// `k / n`.
    pub density: f64,
    /// `n` / rows of the whole dataset.
    pub mass: f64,
    /// Restricted dimensions (ascending column indices).
    pub restricted: Vec<usize>,
    /// Quasi-p-values, one per restricted dimension, in the same order.
    pub quasi_p: Vec<QuasiP>,
}
