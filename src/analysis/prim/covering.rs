//! The covering loop: a session over a dataset, its trajectories, the
//! choice of a box and the removal of its points before the next one.

use super::config::invalid;
use super::data::no_case_of_interest;
use super::limits::{Lim, State, to_public};
use super::{BoxChoice, BoxLimits, ColumnValues, Dataset, Phase, PrimBox, PrimConfig, Trajectory};
use crate::error::{Error, Result};

/// One session of PRIM's covering loop over a dataset: each accepted box
/// removes its points from the data the next box is sought in.
#[derive(Debug, Clone)]
pub struct Prim<'a> {
    pub(super) data: &'a Dataset,
    pub(super) config: PrimConfig,
    pub(super) init: Vec<Lim>,
    pub(super) numeric: Vec<usize>,
    pub(super) categorical: Vec<usize>,
    /// Rows sorted by value, per numeric column (empty for categorical).
    pub(super) order: Vec<Vec<usize>>,
    pub(super) active: Vec<bool>,
    pub(super) n_active: usize,
    pub(super) k_active: usize,
    pub(super) round: usize,
}

impl<'a> Prim<'a> {
    /// Starts a session on `data` with `config`.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad setting.
    pub fn new(data: &'a Dataset, config: PrimConfig) -> Result<Self> {
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
    /// [`Error::Usage`] if no case of interest remains.
    pub fn trajectory(&self) -> Result<Trajectory> {
        if self.k_active == 0 {
            return Err(no_case_of_interest());
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
    /// [`Error::Usage`] for a trajectory computed before the latest box was
    /// accepted, or a step beyond its end.
    pub fn select(&mut self, trajectory: Trajectory, choice: BoxChoice) -> Result<PrimBox> {
        if trajectory.round != self.round {
            return Err(Error::usage(
                "the trajectory was computed before the latest box was accepted",
            ));
        }
        let step = match choice {
            BoxChoice::Threshold => trajectory.choose(self.config.threshold).0,
            BoxChoice::Step(i) => i,
        };
        let chosen = trajectory.steps.get(step).ok_or_else(|| {
            Error::usage(format!(
                "step {step} is beyond the end of the trajectory ({} steps)",
                trajectory.steps.len()
            ))
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
    /// [`Error::Usage`] for a bad [`BoxChoice::Step`].
    pub fn find_box(&mut self, choice: BoxChoice) -> Result<Option<PrimBox>> {
        if self.k_active == 0 {
            return Ok(None);
        }
        let t = self.trajectory()?;
        self.select(t, choice).map(Some)
    }
}

/// The covering loop: up to `boxes` boxes, each sought in the points not
/// claimed by the earlier ones and chosen with [`BoxChoice::Threshold`].
/// Stops early when no case of interest remains or after a box that misses
/// the density threshold (that box is still returned, flagged by
/// [`PrimBox::meets_threshold`]).
///
/// # Errors
/// [`Error::Usage`] for a bad setting or `boxes == 0`.
pub fn find_boxes(data: &Dataset, config: PrimConfig, boxes: usize) -> Result<Vec<PrimBox>> {
    if boxes == 0 {
        return Err(invalid("boxes", 0.0, "at least 1"));
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
