//! Sensitivity charts, drawn from `sensitivity.csv` alone, one file per
//! output.
//!
//! * Morris screening (`morris_<output>`): each parameter on the μ*–σ
//!   plane (μ* the mean absolute elementary effect, its influence; σ the
//!   spread of its effects, non-linearity and interactions), with the 95%
//!   interval of μ* as a horizontal whisker and the dashed reference line
//!   σ = μ*. Points are coloured and shaped by the prefix of their name
//!   (`managers.`, `professionals.` …) when there are several. Both axes
//!   start a little below their least value or zero (a point at zero is
//!   drawn whole) and have at least 5 ticks. Labels are placed in pixel space once, when the
//!   chart is built (so PNG and SVG agree), by a greedy search whose rules
//!   hold for every label: none overlaps another or covers a point (its own
//!   included), each stays inside the plot, and one that is not right next
//!   to its point has a leader line to it; a label should rather not cover
//!   a whisker or cross the diagonal, nor a leader pass another point.
//!   Points whose markers overlap much share one label of several lines.
//!   When some name finds no place around its point (or there are more
//!   than 30), every point gets a number instead, keyed below the plot.
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
