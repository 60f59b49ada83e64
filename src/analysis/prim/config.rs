//! The algorithm's settings and their ranges.

use crate::error::{Error, Result};

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
    /// [`Error::Usage`] naming the first bad setting.
    pub fn validate(&self) -> Result<()> {
        let open_half = |name, value: f64| {
            if value > 0.0 && value < 0.5 {
                Ok(())
            } else {
                Err(invalid(name, value, "a value in (0, 0.5)"))
            }
        };
        open_half("peel_alpha", self.peel_alpha)?;
        open_half("paste_alpha", self.paste_alpha)?;
        if !(self.mass_min >= 0.0 && self.mass_min < 1.0) {
            return Err(invalid("mass_min", self.mass_min, "a value in [0, 1)"));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(invalid("threshold", self.threshold, "a value in [0, 1]"));
        }
        Ok(())
    }
}

/// The error of a setting out of its range: its name, its value and the
/// admissible range in words.
pub(super) fn invalid(name: &str, value: f64, expected: &str) -> Error {
    Error::usage(format!(
        "`{name}` = {value} is invalid: expected {expected}"
    ))
}
