//! PRIM (Patient Rule Induction Method) scenario discovery.
//!
//! This module owns the pure-math part of `profspace discover`: given a table
//! of design points (numeric and categorical input dimensions) and a boolean
//! *case of interest* per point, it finds axis-aligned boxes in the input
//! space where the cases of interest are concentrated (Friedman & Fisher
//! 1999; Bryant & Lempert 2010), following the implementation of the EMA
//! Workbench (`ema_workbench.analysis.prim`, Kwakkel 2017, version 2.5.3):
//!
//! * [`Dataset`] / [`Column`]: the validated input table;
//! * [`PrimConfig`] / [`Objective`]: the algorithm's settings;
//! * [`Prim`]: one session of the covering loop, producing a
//!   [`Trajectory`] (peeling then pasting) and, after a [`BoxChoice`], a
//!   [`PrimBox`] with its [`QuasiP`] values; [`find_boxes`] runs the whole
//!   covering loop;
//! * [`resample`]: stability of the restricted dimensions over bootstrap
//!   resamples ([`Stability`]).
//!
//! It does no I/O, starts no threads and keeps no global state; every result
//! is a deterministic function of its inputs, except [`resample`], whose only
//! randomness comes from the caller's random number generator.
//!
//! # Algorithm, as implemented
//!
//! *Peeling.* Starting from the box that holds every remaining point, each
//! step considers, for every numeric dimension, two candidates: removing the
//! points below the `peel_alpha` quantile or above the `1 − peel_alpha`
//! quantile of the values *inside the box* (EMA's sdtoolkit-style quantile:
//! the midpoint between the order statistic at `(m − 1)·q` and the nearest
//! distinct neighbour, see [`ema_quantile`]); for every categorical dimension
//! with more than one kept level, one candidate per kept level (removing that
//! level). The candidates are scored by the [`Objective`] (EMA's default,
//! [`Objective::Lenient1`], is the gain in density divided by the number of
//! points removed); the best score wins, ties going to the candidate with
//! fewer restricted dimensions and then to the first candidate in EMA's order
//! (numeric dimensions in column order, upper edge before lower edge, then
//! categorical dimensions in column order, levels in level order). The best
//! candidate is accepted only if its mass stays `≥ mass_min`, it removes at
//! least one point and its score is `> 0`; otherwise peeling stops.
//!
//! *Pasting.* From the last peeled box (and, with
//! [`PrimConfig::paste_chosen`], again from the chosen box), each step
//! considers, for every restricted numeric dimension, extending the lower
//! (upper) limit to the `1 − paste_alpha` (`paste_alpha`) quantile of the
//! remaining points in the slab between the box and the data minimum
//! (maximum) that satisfy the other limits, and for every restricted
//! categorical dimension adding back one removed level. The best candidate
//! (same scoring and ties) is accepted if its mass is `≥ mass_min`, it adds
//! points, its score is `> 0` and its density strictly increases.
//!
//! *Statistics* are always relative to the original data: coverage = cases of
//! interest in the box / all cases of interest of the dataset, mass = points
//! in the box / all points of the dataset, density = cases of interest in the
//! box / points in the box (only points not already claimed by earlier boxes
//! of the covering loop are counted as in a box), exactly as EMA reports
//! them.
//!
//! *Box choice.* [`Trajectory::choose`]: the step with the highest coverage
//! among those with density `≥ threshold` (Bryant & Lempert's trade-off
//! read at a density floor); the caller may name any step instead.
//!
//! # Fidelity to EMA Workbench
//!
//! On the same data and settings the trajectory (counts, coverage, density,
//! mass, restricted dimensions and limits) is bit-for-bit EMA's, for both
//! numeric (including tied, integer-valued) and categorical dimensions, and
//! the quasi-p-values agree to about `1e-12` relative (statrs' regularised
//! incomplete beta versus scipy's). Deliberate differences:
//!
//! * EMA selects the *last* box of the trajectory and replaces it by a "dump
//!   box" (no restriction, trajectory discarded) if its density misses the
//!   threshold; here the box is chosen by [`Trajectory::choose`] and a box
//!   missing the threshold is kept and flagged ([`PrimBox::meets_threshold`]),
//!   and ends the covering loop.
//! * EMA pastes only the end of the peeling trajectory;
//!   [`PrimConfig::paste_chosen`] also pastes the chosen box.
//! * EMA skips categorical pastes when no numeric dimension is restricted (an
//!   early `return` inside its loop over column types); here they are always
//!   tried.
//! * Equal candidates on the levels of one categorical dimension are taken in
//!   level order; EMA iterates a Python `set`, whose order depends on string
//!   hashing and may change between interpreter runs.
//! * All numeric dimensions are peeled as EMA peels `float` columns; EMA's
//!   separate peel for `int`-typed columns is not reproduced (pass integer
//!   parameters as `f64`, which EMA treats identically).
//! * [`resample`] bootstraps by default and reports how often each dimension
//!   is restricted in the chosen box; EMA's `PrimBox.resample` (half-size
//!   subsamples, "reproduce coverage / density") is available through
//!   [`Sampling::Subsample`] and the `reproduce_*` fields, with the caller's
//!   random number generator instead of NumPy's global one.
//! * Not implemented: EMA's regression mode (non-binary outcome), Guivarch's
//!   update function, PCA-PRIM and constrained PRIM.

use std::fmt;

use rand::{Rng, RngExt};
use statrs::distribution::{Binomial, DiscreteCDF};

/// Error raised by this module for invalid input data or settings.
#[derive(Debug, Clone, PartialEq)]
pub enum PrimError {
    /// The dataset has no rows.
    NoRows,
    /// The dataset has no input dimension.
    NoDimensions,
    /// A column does not have one value per row of the outcome.
    LengthMismatch {
        /// Name of the offending column.
        dimension: String,
        /// Number of rows (length of the outcome vector).
        expected: usize,
        /// Length of the column.
        found: usize,
    },
    /// Two columns have the same name.
    DuplicateDimension {
        /// The repeated name.
        name: String,
    },
    /// A numeric value is NaN or infinite.
    NonFinite {
        /// Name of the offending column.
        dimension: String,
        /// Row of the offending value.
        row: usize,
    },
    /// A categorical code does not index a level of its column.
    InvalidLevel {
        /// Name of the offending column.
        dimension: String,
        /// Row of the offending value.
        row: usize,
        /// The offending code.
        code: usize,
        /// Number of levels of the column.
        levels: usize,
    },
    /// Every row is the same point: there is nothing to discover.
    SingleDistinctPoint,
    /// No row is a case of interest.
    NoCaseOfInterest,
    /// A setting is out of its range.
    InvalidParameter {
        /// Name of the setting.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The admissible range, in words.
        expected: &'static str,
    },
    /// A chosen step index is beyond the end of the trajectory.
    StepOutOfRange {
        /// The requested step.
        step: usize,
        /// Number of steps of the trajectory.
        steps: usize,
    },
    /// A trajectory was computed before the latest box was accepted.
    StaleTrajectory,
    /// No resample could be analysed (each lacked cases of interest or
    /// distinct points).
    NoSuccessfulResample {
        /// Number of resamples attempted.
        attempted: usize,
    },
}

impl fmt::Display for PrimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRows => write!(f, "the dataset has no rows"),
            Self::NoDimensions => write!(f, "the dataset has no input dimension"),
            Self::LengthMismatch {
                dimension,
                expected,
                found,
            } => write!(
                f,
                "dimension `{dimension}` has {found} values but the outcome has {expected} rows"
            ),
            Self::DuplicateDimension { name } => {
                write!(f, "dimension `{name}` appears more than once")
            }
            Self::NonFinite { dimension, row } => {
                write!(
                    f,
                    "dimension `{dimension}` has a non-finite value in row {row}"
                )
            }
            Self::InvalidLevel {
                dimension,
                row,
                code,
                levels,
            } => write!(
                f,
                "dimension `{dimension}` has level index {code} in row {row} but only {levels} levels"
            ),
            Self::SingleDistinctPoint => {
                write!(
                    f,
                    "all rows are the same point: there is nothing to discover"
                )
            }
            Self::NoCaseOfInterest => write!(f, "no row is a case of interest"),
            Self::InvalidParameter {
                name,
                value,
                expected,
            } => write!(f, "`{name}` = {value} is invalid: expected {expected}"),
            Self::StepOutOfRange { step, steps } => write!(
                f,
                "step {step} is beyond the end of the trajectory ({steps} steps)"
            ),
            Self::StaleTrajectory => write!(
                f,
                "the trajectory was computed before the latest box was accepted"
            ),
            Self::NoSuccessfulResample { attempted } => write!(
                f,
                "none of the {attempted} resamples had both cases of interest and distinct points"
            ),
        }
    }
}

impl std::error::Error for PrimError {}

/// Values of one input column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Numeric values (must be finite).
    Numeric(Vec<f64>),
    /// Categorical values, as indices into `levels`.
    Categorical {
        /// Names of the levels, e.g. `["zero_sum", "freedom_safety"]`.
        levels: Vec<String>,
        /// One level index per row.
        codes: Vec<usize>,
    },
}

/// One named input dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name of the dimension (unique within a dataset).
    pub name: String,
    /// Its values, one per row.
    pub values: ColumnValues,
}

impl Column {
    /// A numeric dimension.
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Numeric(values),
        }
    }

    /// A categorical dimension with the given level names and one level
    /// index per row.
    pub fn categorical(name: impl Into<String>, levels: Vec<String>, codes: Vec<usize>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Categorical { levels, codes },
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Categorical { codes, .. } => codes.len(),
        }
    }

    fn same_value(&self, a: usize, b: usize) -> bool {
        match &self.values {
            ColumnValues::Numeric(v) => v[a] == v[b],
            ColumnValues::Categorical { codes, .. } => codes[a] == codes[b],
        }
    }
}

/// A validated table of design points with a boolean case-of-interest flag
/// per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    columns: Vec<Column>,
    y: Vec<bool>,
    coi: usize,
}

impl Dataset {
    /// Validates and builds a dataset.
    ///
    /// # Errors
    /// [`PrimError::NoRows`], [`PrimError::NoDimensions`],
    /// [`PrimError::LengthMismatch`], [`PrimError::DuplicateDimension`],
    /// [`PrimError::NonFinite`], [`PrimError::InvalidLevel`],
    /// [`PrimError::NoCaseOfInterest`] or [`PrimError::SingleDistinctPoint`].
    pub fn new(columns: Vec<Column>, y: Vec<bool>) -> Result<Self, PrimError> {
        let rows = y.len();
        if rows == 0 {
            return Err(PrimError::NoRows);
        }
        if columns.is_empty() {
            return Err(PrimError::NoDimensions);
        }
        for (i, c) in columns.iter().enumerate() {
            if c.len() != rows {
                return Err(PrimError::LengthMismatch {
                    dimension: c.name.clone(),
                    expected: rows,
                    found: c.len(),
                });
            }
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(PrimError::DuplicateDimension {
                    name: c.name.clone(),
                });
            }
            match &c.values {
                ColumnValues::Numeric(v) => {
                    if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                        return Err(PrimError::NonFinite {
                            dimension: c.name.clone(),
                            row,
                        });
                    }
                }
                ColumnValues::Categorical { levels, codes } => {
                    if let Some(row) = codes.iter().position(|&code| code >= levels.len()) {
                        return Err(PrimError::InvalidLevel {
                            dimension: c.name.clone(),
                            row,
                            code: codes[row],
                            levels: levels.len(),
                        });
                    }
                }
            }
        }
        let coi = y.iter().filter(|&&b| b).count();
        if coi == 0 {
            return Err(PrimError::NoCaseOfInterest);
        }
        let distinct = (1..rows).any(|r| columns.iter().any(|c| !c.same_value(0, r)));
        if !distinct {
            return Err(PrimError::SingleDistinctPoint);
        }
        Ok(Self { columns, y, coi })
    }

    /// Number of rows (design points).
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// The input columns, in the order given.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The case-of-interest flags, one per row.
    pub fn outcome(&self) -> &[bool] {
        &self.y
    }

    /// Number of cases of interest.
    pub fn cases_of_interest(&self) -> usize {
        self.coi
    }

    /// Index of the column named `name`, if any.
    pub fn dimension_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Names of the given levels of categorical column `dim` (empty for a
    /// numeric column or an out-of-range index).
    pub fn level_names(&self, dim: usize, levels: &[usize]) -> Vec<&str> {
        match self.columns.get(dim).map(|c| &c.values) {
            Some(ColumnValues::Categorical { levels: names, .. }) => levels
                .iter()
                .filter_map(|&l| names.get(l).map(String::as_str))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The dataset restricted to `rows` (repetitions allowed), validated.
    fn subset(&self, rows: &[usize]) -> Result<Self, PrimError> {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                values: match &c.values {
                    ColumnValues::Numeric(v) => {
                        ColumnValues::Numeric(rows.iter().map(|&r| v[r]).collect())
                    }
                    ColumnValues::Categorical { levels, codes } => ColumnValues::Categorical {
                        levels: levels.clone(),
                        codes: rows.iter().map(|&r| codes[r]).collect(),
                    },
                },
            })
            .collect();
        Self::new(columns, rows.iter().map(|&r| self.y[r]).collect())
    }
}

/// Score used to rank peeling and pasting candidates (EMA's
/// `PRIMObjectiveFunctions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// EMA's default (`LENIENT1`): change in density divided by the number
    /// of points removed (peeling) or added (pasting). Makes peels of
    /// different sizes (a whole category versus `peel_alpha` of a numeric
    /// range) comparable.
    #[default]
    Lenient1,
    /// EMA's `LENIENT2` (Friedman & Fisher 1999, eq. 14.6): `Lenient1`
    /// multiplied by the number of points in the candidate box.
    Lenient2,
    /// Friedman & Fisher's original criterion (EMA's `ORIGINAL`): the
    /// density of the candidate box.
    Original,
}

/// Settings of the PRIM algorithm. [`Default`] gives EMA Workbench's
/// defaults plus a density threshold of 0.8.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimConfig {
    /// Fraction of the box's points removed by one numeric peel, in
    /// `(0, 0.5)`. Default 0.05.
    pub peel_alpha: f64,
    /// Quantile of the adjacent slab added by one numeric paste, in
    /// `(0, 0.5)`. Default 0.05.
    pub paste_alpha: f64,
    /// Minimum box mass (share of all points), in `[0, 1)`. Default 0.05.
    pub mass_min: f64,
    /// Minimum density of the default box choice, in `[0, 1]`. Default 0.8.
    pub threshold: f64,
    /// Candidate score. Default [`Objective::Lenient1`] (EMA's default).
    pub objective: Objective,
    /// Paste the last peeled box and append the pasting steps to the
    /// trajectory, as EMA does. Default true.
    pub paste_trajectory: bool,
    /// Paste the chosen box again (it may lie in the middle of the
    /// trajectory, where EMA never pastes). Default true.
    pub paste_chosen: bool,
}

impl Default for PrimConfig {
    fn default() -> Self {
        Self {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
            threshold: 0.8,
            objective: Objective::Lenient1,
            paste_trajectory: true,
            paste_chosen: true,
        }
    }
}

impl PrimConfig {
    /// Checks every setting's range.
    ///
    /// # Errors
    /// [`PrimError::InvalidParameter`] naming the first bad setting.
    pub fn validate(&self) -> Result<(), PrimError> {
        let open_half = |name, value: f64| {
            if value > 0.0 && value < 0.5 {
                Ok(())
            } else {
                Err(PrimError::InvalidParameter {
                    name,
                    value,
                    expected: "a value in (0, 0.5)",
                })
            }
        };
        open_half("peel_alpha", self.peel_alpha)?;
        open_half("paste_alpha", self.paste_alpha)?;
        if !(self.mass_min >= 0.0 && self.mass_min < 1.0) {
            return Err(PrimError::InvalidParameter {
                name: "mass_min",
                value: self.mass_min,
                expected: "a value in [0, 1)",
            });
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(PrimError::InvalidParameter {
                name: "threshold",
                value: self.threshold,
                expected: "a value in [0, 1]",
            });
        }
        Ok(())
    }
}

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
    /// level indices; see [`Dataset::level_names`]).
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
    round: usize,
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
    /// [`Trajectory::choose`] with [`PrimConfig::threshold`].
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
    /// Whether the box's density reaches [`PrimConfig::threshold`] (false
    /// when no step of the trajectory reaches it and the densest one was
    /// taken instead, or when a [`BoxChoice::Step`] below it was chosen).
    pub meets_threshold: bool,
    /// Pasting steps applied to the chosen step ([`PrimConfig::paste_chosen`]);
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
fn binomial_upper_tail(k: usize, n: usize, p: f64) -> f64 {
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

/// Internal limit: categorical levels as a mask over all levels.
#[derive(Debug, Clone, PartialEq)]
enum Lim {
    Num(f64, f64),
    Cat(Vec<bool>),
}

fn to_public(lims: &[Lim]) -> BoxLimits {
    BoxLimits {
        limits: lims
            .iter()
            .map(|l| match l {
                Lim::Num(lower, upper) => Limit::Numeric {
                    lower: *lower,
                    upper: *upper,
                },
                Lim::Cat(mask) => Limit::Categorical {
                    kept: mask
                        .iter()
                        .enumerate()
                        .filter_map(|(i, &k)| k.then_some(i))
                        .collect(),
                },
            })
            .collect(),
    }
}

/// Rows of a box and rows just outside it (see `Prim::split`).
#[derive(Debug, Clone)]
struct Split {
    inside: Vec<usize>,
    only: Vec<Vec<usize>>,
}

/// A single change of the box.
#[derive(Debug, Clone, Copy)]
enum Move {
    Lower(usize, f64),
    Upper(usize, f64),
    DropLevel(usize, usize),
    AddLevel(usize, usize),
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    obj: f64,
    restricted: usize,
    n: usize,
    k: usize,
    mv: Move,
}

impl Candidate {
    /// EMA's order: higher score, then fewer restricted dimensions; the
    /// first of equal candidates is kept.
    fn beats(&self, other: &Option<Candidate>) -> bool {
        match other {
            None => true,
            Some(o) => self.obj > o.obj || (self.obj == o.obj && self.restricted < o.restricted),
        }
    }
}

/// Current box: limits, members (remaining points inside), counts.
#[derive(Debug, Clone)]
struct State {
    lims: Vec<Lim>,
    members: Vec<bool>,
    n: usize,
    k: usize,
}

/// One session of PRIM's covering loop over a dataset: each accepted box
/// removes its points from the data the next box is sought in.
#[derive(Debug, Clone)]
pub struct Prim<'a> {
    data: &'a Dataset,
    config: PrimConfig,
    init: Vec<Lim>,
    numeric: Vec<usize>,
    categorical: Vec<usize>,
    /// Rows sorted by value, per numeric column (empty for categorical).
    order: Vec<Vec<usize>>,
    active: Vec<bool>,
    n_active: usize,
    k_active: usize,
    round: usize,
}

impl<'a> Prim<'a> {
    /// Starts a session on `data` with `config`.
    ///
    /// # Errors
    /// [`PrimError::InvalidParameter`] for a bad setting.
    pub fn new(data: &'a Dataset, config: PrimConfig) -> Result<Self, PrimError> {
        config.validate()?;
        let rows = data.rows();
        let mut init = Vec::with_capacity(data.columns.len());
        let mut order = Vec::with_capacity(data.columns.len());
        let mut numeric = Vec::new();
        let mut categorical = Vec::new();
        for (j, c) in data.columns.iter().enumerate() {
            match &c.values {
                ColumnValues::Numeric(v) => {
                    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    init.push(Lim::Num(lo, hi));
                    let mut o: Vec<usize> = (0..rows).collect();
                    o.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
                    order.push(o);
                    numeric.push(j);
                }
                ColumnValues::Categorical { levels, codes } => {
                    let mut present = vec![false; levels.len()];
                    for &code in codes {
                        present[code] = true;
                    }
                    init.push(Lim::Cat(present));
                    order.push(Vec::new());
                    categorical.push(j);
                }
            }
        }
        Ok(Self {
            data,
            config,
            init,
            numeric,
            categorical,
            order,
            active: vec![true; rows],
            n_active: rows,
            k_active: data.coi,
            round: 0,
        })
    }

    /// The settings of this session.
    pub fn config(&self) -> &PrimConfig {
        &self.config
    }

    /// Points and cases of interest not yet claimed by an accepted box.
    pub fn remaining(&self) -> (usize, usize) {
        (self.n_active, self.k_active)
    }

    /// Limits of the box holding the whole dataset (its data range).
    pub fn initial_limits(&self) -> BoxLimits {
        to_public(&self.init)
    }

    /// Peels (and, with [`PrimConfig::paste_trajectory`], pastes) a box in
    /// the remaining points.
    ///
    /// # Errors
    /// [`PrimError::NoCaseOfInterest`] if no case of interest remains.
    pub fn trajectory(&self) -> Result<Trajectory, PrimError> {
        if self.k_active == 0 {
            return Err(PrimError::NoCaseOfInterest);
        }
        let mut st = State {
            lims: self.init.clone(),
            members: self.active.clone(),
            n: self.n_active,
            k: self.k_active,
        };
        let mut steps = vec![self.step(Phase::Initial, &st)];
        self.peel(&mut st, &mut steps);
        let peel_len = steps.len();
        if self.config.paste_trajectory {
            self.paste(&mut st, &mut steps);
        }
        Ok(Trajectory {
            steps,
            peel_len,
            round: self.round,
        })
    }

    /// Chooses a box on `trajectory` (which must come from
    /// [`Prim::trajectory`] since the last accepted box), pastes it if
    /// [`PrimConfig::paste_chosen`], computes its quasi-p-values and removes
    /// its points from the data for the next box.
    ///
    /// # Errors
    /// [`PrimError::StaleTrajectory`] or [`PrimError::StepOutOfRange`].
    pub fn select(
        &mut self,
        trajectory: Trajectory,
        choice: BoxChoice,
    ) -> Result<PrimBox, PrimError> {
        if trajectory.round != self.round {
            return Err(PrimError::StaleTrajectory);
        }
        let step = match choice {
            BoxChoice::Threshold => trajectory.choose(self.config.threshold).0,
            BoxChoice::Step(i) => i,
        };
        let chosen = trajectory
            .steps
            .get(step)
            .ok_or(PrimError::StepOutOfRange {
                step,
                steps: trajectory.steps.len(),
            })?;
        let lims = self.internal_limits(&chosen.limits);
        let members: Vec<bool> = (0..self.data.rows())
            .map(|r| self.active[r] && self.in_box(r, &lims))
            .collect();
        let n = members.iter().filter(|&&m| m).count();
        let k = members
            .iter()
            .zip(&self.data.y)
            .filter(|&(&m, &y)| m && y)
            .count();
        let mut st = State {
            lims,
            members,
            n,
            k,
        };
        let mut pasting = Vec::new();
        if self.config.paste_chosen {
            self.paste(&mut st, &mut pasting);
        }
        let quasi_p = self.quasi_p(&st);
        let last = self.step(Phase::Paste, &st);
        let meets_threshold = last.density >= self.config.threshold;
        for (r, &m) in st.members.iter().enumerate() {
            if m {
                self.active[r] = false;
            }
        }
        self.n_active -= st.n;
        self.k_active -= st.k;
        self.round += 1;
        Ok(PrimBox {
            trajectory,
            step,
            meets_threshold,
            pasting,
            limits: last.limits,
            n: last.n,
            k: last.k,
            coverage: last.coverage,
            density: last.density,
            mass: last.mass,
            restricted: last.restricted,
            quasi_p,
        })
    }

    /// [`Prim::trajectory`] then [`Prim::select`]; `Ok(None)` once no case
    /// of interest remains.
    ///
    /// # Errors
    /// [`PrimError::StepOutOfRange`] for a bad [`BoxChoice::Step`].
    pub fn find_box(&mut self, choice: BoxChoice) -> Result<Option<PrimBox>, PrimError> {
        if self.k_active == 0 {
            return Ok(None);
        }
        let t = self.trajectory()?;
        self.select(t, choice).map(Some)
    }

    /// Internal form of public limits (a step's, possibly edited).
    fn internal_limits(&self, b: &BoxLimits) -> Vec<Lim> {
        b.limits
            .iter()
            .zip(&self.init)
            .map(|(l, i)| match (l, i) {
                (Limit::Numeric { lower, upper }, Lim::Num(..)) => Lim::Num(*lower, *upper),
                (Limit::Categorical { kept }, Lim::Cat(m)) => {
                    let mut mask = vec![false; m.len()];
                    for &k in kept {
                        if let Some(x) = mask.get_mut(k) {
                            *x = true;
                        }
                    }
                    Lim::Cat(mask)
                }
                // A limit of the wrong kind (edited by the caller): none.
                (Limit::Categorical { .. }, Lim::Num(..))
                | (Limit::Numeric { .. }, Lim::Cat(_)) => i.clone(),
            })
            .collect()
    }

    fn restricted_dim(&self, j: usize, l: &Lim) -> bool {
        l != &self.init[j]
    }

    fn restricted(&self, lims: &[Lim]) -> Vec<usize> {
        (0..lims.len())
            .filter(|&j| self.restricted_dim(j, &lims[j]))
            .collect()
    }

    fn step(&self, phase: Phase, st: &State) -> Step {
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

    fn objective(&self, n_old: usize, k_old: usize, n_new: usize, k_new: usize) -> f64 {
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

    fn in_box(&self, row: usize, lims: &[Lim]) -> bool {
        lims.iter().enumerate().all(|(j, l)| self.within(row, j, l))
    }

    /// Whether remaining-or-not `row` satisfies limit `l` on dimension `j`.
    fn within(&self, row: usize, j: usize, l: &Lim) -> bool {
        match (&self.data.columns[j].values, l) {
            (ColumnValues::Numeric(v), Lim::Num(lo, hi)) => *lo <= v[row] && v[row] <= *hi,
            (ColumnValues::Categorical { codes, .. }, Lim::Cat(mask)) => {
                mask.get(codes[row]).copied().unwrap_or(false)
            }
            _ => true,
        }
    }

    /// The remaining rows inside `lims`, and for each dimension the
    /// remaining rows outside `lims` on that dimension only. The boxes that
    /// differ from `lims` on one dimension can then be counted without
    /// scanning every row.
    fn split(&self, lims: &[Lim]) -> Split {
        let rows = self.data.rows();
        // Column by column: how many limits each row violates, and the last.
        let mut outside = vec![0u8; rows];
        let mut last = vec![0usize; rows];
        for (j, l) in lims.iter().enumerate() {
            let mut mark = |r: usize, ok: bool| {
                if !ok {
                    outside[r] = outside[r].saturating_add(1);
                    last[r] = j;
                }
            };
            match (&self.data.columns[j].values, l) {
                (ColumnValues::Numeric(v), Lim::Num(lo, hi)) => {
                    for (r, x) in v.iter().enumerate() {
                        mark(r, *lo <= *x && *x <= *hi);
                    }
                }
                (ColumnValues::Categorical { codes, .. }, Lim::Cat(mask)) => {
                    for (r, c) in codes.iter().enumerate() {
                        mark(r, mask.get(*c).copied().unwrap_or(false));
                    }
                }
                _ => {}
            }
        }
        let mut sp = Split {
            inside: Vec::new(),
            only: vec![Vec::new(); lims.len()],
        };
        for r in (0..rows).filter(|&r| self.active[r]) {
            match outside[r] {
                0 => sp.inside.push(r),
                1 => sp.only[last[r]].push(r),
                _ => {}
            }
        }
        sp
    }

    /// Remaining rows inside the box of `sp` with dimension `j`'s limit
    /// replaced by `lim`.
    fn rows_replacing<'s>(
        &'s self,
        sp: &'s Split,
        j: usize,
        lim: &'s Lim,
    ) -> impl Iterator<Item = usize> + 's {
        sp.inside
            .iter()
            .chain(sp.only[j].iter())
            .copied()
            .filter(move |&r| self.within(r, j, lim))
    }

    /// Points and cases of interest of [`Prim::rows_replacing`].
    fn count_replacing(&self, sp: &Split, j: usize, lim: &Lim) -> (usize, usize) {
        self.rows_replacing(sp, j, lim)
            .fold((0, 0), |(n, k), r| (n + 1, k + usize::from(self.data.y[r])))
    }

    fn accept(&self, st: &State, c: &Candidate, pasting: bool) -> bool {
        let n_total = self.data.rows() as f64;
        let mass_old = st.n as f64 / n_total;
        let mass_new = c.n as f64 / n_total;
        if !(mass_new >= self.config.mass_min && c.obj > 0.0) {
            return false;
        }
        if pasting {
            let mean_old = st.k as f64 / st.n as f64;
            let mean_new = c.k as f64 / c.n as f64;
            mass_new > mass_old && mean_new > mean_old
        } else {
            mass_new < mass_old
        }
    }

    /// Applies a move to the limits and updates the members (remaining
    /// points inside the limits): a peel only drops members; a paste takes
    /// the rows of `grown`, the split of the box before the move.
    fn apply(&self, st: &mut State, c: &Candidate, grown: Option<&Split>) {
        match c.mv {
            Move::Lower(j, v) => {
                if let Lim::Num(lo, _) = &mut st.lims[j] {
                    *lo = v;
                }
            }
            Move::Upper(j, v) => {
                if let Lim::Num(_, hi) = &mut st.lims[j] {
                    *hi = v;
                }
            }
            Move::DropLevel(j, l) | Move::AddLevel(j, l) => {
                if let Some(x) = match &mut st.lims[j] {
                    Lim::Cat(mask) => mask.get_mut(l),
                    Lim::Num(..) => None,
                } {
                    *x = matches!(c.mv, Move::AddLevel(..));
                }
            }
        }
        let j = match c.mv {
            Move::Lower(j, _)
            | Move::Upper(j, _)
            | Move::DropLevel(j, _)
            | Move::AddLevel(j, _) => j,
        };
        match grown {
            None => {
                for (r, m) in st.members.iter_mut().enumerate() {
                    *m = *m && self.within(r, j, &st.lims[j]);
                }
            }
            Some(sp) => {
                st.members.iter_mut().for_each(|m| *m = false);
                for r in self.rows_replacing(sp, j, &st.lims[j]) {
                    st.members[r] = true;
                }
            }
        }
        st.n = c.n;
        st.k = c.k;
    }

    fn peel(&self, st: &mut State, steps: &mut Vec<Step>) {
        let alpha = self.config.peel_alpha;
        let y = &self.data.y;
        let mut vals: Vec<f64> = Vec::with_capacity(st.n);
        let mut kcum: Vec<usize> = Vec::with_capacity(st.n + 1);
        // Members in ascending order of each dimension, shrunk after every
        // peel, so a step costs O(box size · dimensions).
        let mut sorted: Vec<Vec<usize>> = self
            .order
            .iter()
            .map(|o| o.iter().copied().filter(|&r| st.members[r]).collect())
            .collect();
        loop {
            let r_cur = self.restricted(&st.lims).len();
            let mut best: Option<Candidate> = None;
            for &j in &self.numeric {
                let (ColumnValues::Numeric(x), Lim::Num(lo, hi), Lim::Num(ilo, ihi)) =
                    (&self.data.columns[j].values, &st.lims[j], &self.init[j])
                else {
                    continue;
                };
                vals.clear();
                kcum.clear();
                kcum.push(0);
                let mut acc = 0;
                for &r in &sorted[j] {
                    vals.push(x[r]);
                    acc += usize::from(y[r]);
                    kcum.push(acc);
                }
                let m = vals.len();
                let was = usize::from(self.restricted_dim(j, &st.lims[j]));
                // Upper edge first, as in EMA.
                if let Some(v) = ema_quantile(&vals, 1.0 - alpha) {
                    let keep = vals.partition_point(|&a| a <= v);
                    let now = usize::from(v != *ihi || lo != ilo);
                    let c = Candidate {
                        obj: self.objective(st.n, st.k, keep, kcum[keep]),
                        restricted: r_cur - was + now,
                        n: keep,
                        k: kcum[keep],
                        mv: Move::Upper(j, v),
                    };
                    if c.beats(&best) {
                        best = Some(c);
                    }
                }
                if let Some(v) = ema_quantile(&vals, alpha) {
                    let cut = vals.partition_point(|&a| a < v);
                    let now = usize::from(v != *ilo || hi != ihi);
                    let c = Candidate {
                        obj: self.objective(st.n, st.k, m - cut, st.k - kcum[cut]),
                        restricted: r_cur - was + now,
                        n: m - cut,
                        k: st.k - kcum[cut],
                        mv: Move::Lower(j, v),
                    };
                    if c.beats(&best) {
                        best = Some(c);
                    }
                }
            }
            for &j in &self.categorical {
                let (ColumnValues::Categorical { codes, levels }, Lim::Cat(mask)) =
                    (&self.data.columns[j].values, &st.lims[j])
                else {
                    continue;
                };
                if mask.iter().filter(|&&b| b).count() <= 1 {
                    continue;
                }
                let mut cn = vec![0usize; levels.len()];
                let mut ck = vec![0usize; levels.len()];
                for (r, &m) in st.members.iter().enumerate() {
                    if m {
                        cn[codes[r]] += 1;
                        ck[codes[r]] += usize::from(y[r]);
                    }
                }
                let was = usize::from(self.restricted_dim(j, &st.lims[j]));
                for l in (0..levels.len()).filter(|&l| mask[l]) {
                    let (n, k) = (st.n - cn[l], st.k - ck[l]);
                    let c = Candidate {
                        obj: self.objective(st.n, st.k, n, k),
                        // Removing a level always leaves fewer than present.
                        restricted: r_cur - was + 1,
                        n,
                        k,
                        mv: Move::DropLevel(j, l),
                    };
                    if c.beats(&best) {
                        best = Some(c);
                    }
                }
            }
            match best {
                Some(c) if self.accept(st, &c, false) => {
                    self.apply(st, &c, None);
                    for rows in &mut sorted {
                        rows.retain(|&r| st.members[r]);
                    }
                    steps.push(self.step(Phase::Peel, st));
                }
                _ => return,
            }
        }
    }

    fn paste(&self, st: &mut State, steps: &mut Vec<Step>) {
        let q = self.config.paste_alpha;
        let mut slab: Vec<f64> = Vec::new();
        loop {
            let restricted = self.restricted(&st.lims);
            let r_cur = restricted.len();
            let mut best: Option<Candidate> = None;
            let sp = self.split(&st.lims);
            for &j in &restricted {
                match (&self.data.columns[j].values, &st.lims[j], &self.init[j]) {
                    (ColumnValues::Numeric(x), Lim::Num(lo, hi), Lim::Num(ilo, ihi)) => {
                        for lower in [true, false] {
                            // Slab between the box and the data range.
                            let range = if lower {
                                Lim::Num(*ilo, *lo)
                            } else {
                                Lim::Num(*hi, *ihi)
                            };
                            slab.clear();
                            slab.extend(self.rows_replacing(&sp, j, &range).map(|r| x[r]));
                            slab.sort_by(f64::total_cmp);
                            let v = if lower {
                                ema_quantile(&slab, 1.0 - q).unwrap_or(*ilo)
                            } else {
                                ema_quantile(&slab, q).unwrap_or(*ihi)
                            };
                            let trial = if lower {
                                Lim::Num(v, *hi)
                            } else {
                                Lim::Num(*lo, v)
                            };
                            let (n, k) = self.count_replacing(&sp, j, &trial);
                            let now = usize::from(self.restricted_dim(j, &trial));
                            let c = Candidate {
                                obj: self.objective(st.n, st.k, n, k),
                                restricted: r_cur - 1 + now,
                                n,
                                k,
                                mv: if lower {
                                    Move::Lower(j, v)
                                } else {
                                    Move::Upper(j, v)
                                },
                            };
                            if c.beats(&best) {
                                best = Some(c);
                            }
                        }
                    }
                    (ColumnValues::Categorical { .. }, Lim::Cat(mask), Lim::Cat(imask)) => {
                        for l in (0..mask.len()).filter(|&l| imask[l] && !mask[l]) {
                            let mut added = mask.clone();
                            added[l] = true;
                            let trial = Lim::Cat(added);
                            let (n, k) = self.count_replacing(&sp, j, &trial);
                            let now = usize::from(self.restricted_dim(j, &trial));
                            let c = Candidate {
                                obj: self.objective(st.n, st.k, n, k),
                                restricted: r_cur - 1 + now,
                                n,
                                k,
                                mv: Move::AddLevel(j, l),
                            };
                            if c.beats(&best) {
                                best = Some(c);
                            }
                        }
                    }
                    _ => {}
                }
            }
            match best {
                Some(c) if self.accept(st, &c, true) => {
                    self.apply(st, &c, Some(&sp));
                    steps.push(self.step(Phase::Paste, st));
                }
                _ => return,
            }
        }
    }

    fn quasi_p(&self, st: &State) -> Vec<QuasiP> {
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

/// The covering loop: up to `boxes` boxes, each sought in the points not
/// claimed by the earlier ones and chosen with [`BoxChoice::Threshold`].
/// Stops early when no case of interest remains or after a box that misses
/// the density threshold (that box is still returned, flagged by
/// [`PrimBox::meets_threshold`]).
///
/// # Errors
/// [`PrimError::InvalidParameter`] for a bad setting or `boxes == 0`.
pub fn find_boxes(
    data: &Dataset,
    config: PrimConfig,
    boxes: usize,
) -> Result<Vec<PrimBox>, PrimError> {
    if boxes == 0 {
        return Err(PrimError::InvalidParameter {
            name: "boxes",
            value: 0.0,
            expected: "at least 1",
        });
    }
    let mut prim = Prim::new(data, config)?;
    let mut out = Vec::new();
    while out.len() < boxes {
        match prim.find_box(BoxChoice::Threshold)? {
            Some(b) => {
                let stop = !b.meets_threshold;
                out.push(b);
                if stop {
                    break;
                }
            }
            None => break,
        }
    }
    Ok(out)
}

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
/// [`PrimError::InvalidParameter`] for a bad setting, `resamples == 0` or a
/// fraction outside `(0, 1]`; [`PrimError::NoSuccessfulResample`] if no
/// resample could be analysed.
pub fn resample<R: Rng + ?Sized>(
    data: &Dataset,
    config: PrimConfig,
    reference: Option<&PrimBox>,
    resamples: usize,
    sampling: Sampling,
    rng: &mut R,
) -> Result<Stability, PrimError> {
    config.validate()?;
    if resamples == 0 {
        return Err(PrimError::InvalidParameter {
            name: "resamples",
            value: 0.0,
            expected: "at least 1",
        });
    }
    let n = data.rows();
    let size = match sampling {
        Sampling::Bootstrap => n,
        Sampling::Subsample { fraction } => {
            if !(fraction > 0.0 && fraction <= 1.0) {
                return Err(PrimError::InvalidParameter {
                    name: "fraction",
                    value: fraction,
                    expected: "a value in (0, 1]",
                });
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
        return Err(PrimError::NoSuccessfulResample {
            attempted: resamples,
        });
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

#[cfg(test)]
mod tests;
