//! Sensitivity charts, drawn from `sensitivity.csv` alone, one file per
//! output.
//!
//! * Morris screening (`morris_<output>`): each parameter on the μ*–σ
//!   plane (μ* the mean absolute elementary effect, its influence; σ the
//!   spread of its effects, non-linearity and interactions), with the 95%
//!   interval of μ* as a horizontal whisker and the dashed reference line
//!   σ = μ*. Points are coloured and shaped by the prefix of their name
//!   (`managers.`, `professionals.` …) when there are several. Labels are
//!   placed in pixel space once, when the chart is built (so PNG and SVG
//!   agree): beside their point when there is room, further out with a
//!   leader line when not, never over a marker or another label, rather
//!   not over a whisker; points whose markers coincide share one label of
//!   several lines. Placement is greedy, most constrained spot first, with
//!   a few reorderings to lower the total cost; when some label still
//!   finds no free place (or there are more than 30), every point gets a
//!   number instead, keyed below the plot.
//! * Sobol' indices (`sobol_<output>`): horizontal bars, parameters sorted
//!   by total index ST, the first-order index S1 hatched above the solid
//!   ST bar (distinct in greyscale), 95% whiskers. The axis spans at least
//!   [0, 1]; intervals reaching beyond [−0.5, 1.5] are cut with an arrow.
//!
//! The files: `geometry` (pixel rectangles and segments), `labels` (where
//! the Morris labels go), `morris` and `sobol` (the two charts).

mod geometry;
mod labels;
mod morris;
mod sobol;

pub(crate) use morris::morris;
pub(crate) use sobol::sobol;
