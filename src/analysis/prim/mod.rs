//! PRIM (Patient Rule Induction Method) scenario discovery.
//!
//! This module owns the pure-math part of `profspace discover`: given a table
//! of design points (numeric and categorical input dimensions) and a boolean
//! *case of interest* per point, it finds axis-aligned boxes in the input
//! space where the cases of interest are concentrated (Friedman & Fisher
//! 1999; Bryant & Lempert 2010), following the implementation of the EMA
//! Workbench (`ema_workbench.analysis.prim`, Kwakkel 2017, version 2.5.3):
//!
//! * [`Dataset`] / [`Column`]: the validated input table (`data.rs`);
//! * [`PrimConfig`] / [`Objective`]: the algorithm's settings (`config.rs`);
//! * [`Prim`]: one session of the covering loop (`covering.rs`), producing a
//!   [`Trajectory`] (peeling then pasting: `peel.rs`, `paste.rs`) and, after
//!   a [`BoxChoice`], a [`PrimBox`] with its [`QuasiP`] values (the types in
//!   `boxes.rs`); [`find_boxes`] runs the whole covering loop;
//! * [`resample`]: stability of the restricted dimensions over bootstrap
//!   resamples ([`Stability`], `resample.rs`).
//!
//! Underneath: `limits.rs` holds the box as the algorithm works on it
//! (levels as masks, its members, which rows a box holds), `moves.rs` the
//! candidate moves, their order and their acceptance, `stats.rs` the numbers
//! of a box (coverage, density, mass, the candidates' score, EMA's quantile,
//! the quasi-p-values). The tests are in `tests.rs`.
//!
//! It does no I/O, starts no threads and keeps no global state; every result
//! is a deterministic function of its inputs, except [`resample`], whose only
//! randomness comes from the caller's random number generator. Invalid data
//! or settings are an [`Error::Usage`](crate::error::Error::Usage) saying
//! what is wrong.
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

mod boxes;
mod config;
mod covering;
mod data;
mod limits;
mod moves;
mod paste;
mod peel;
mod resample;
mod stats;

pub use boxes::{BoxChoice, BoxLimits, Limit, Phase, PrimBox, QuasiP, Step, Trajectory};
pub use config::{Objective, PrimConfig};
pub use covering::{Prim, find_boxes};
pub use data::{Column, ColumnValues, Dataset};
pub use resample::{DimensionStability, Sampling, Stability, resample};
pub use stats::ema_quantile;

#[cfg(test)]
mod tests;
