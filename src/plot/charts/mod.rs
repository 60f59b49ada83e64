//! One file per chart. Each `build` function turns the tables of
//! [`super::data`] into a chart value (the numbers it will show, decided
//! once), and each chart value draws itself on any plotters backend through
//! [`super::style::Chart`], so PNG and SVG show the same thing.

pub(crate) mod calibration;
pub(crate) mod comparison;
pub(crate) mod contrast;
pub(crate) mod diagnosis;
pub(crate) mod discovery;
pub(crate) mod distribution;
pub(crate) mod heatmap;
pub(crate) mod lines;
pub(crate) mod profile;
pub(crate) mod scatter;
pub(crate) mod sensitivity;
pub(crate) mod situations;
pub(crate) mod timeseries;
pub(crate) mod tradeoff;

use super::data::Design;
use super::style::{self, LegendEntry};

/// A legend entry per shown level of the grouping parameter `g`: its
/// colour and marker, and its line when the chart draws one per group.
pub(crate) fn group_legend(d: &Design, g: usize, line: bool) -> Vec<LegendEntry> {
    d.params[g]
        .shown_levels()
        .iter()
        .enumerate()
        .map(|(i, l)| LegendEntry {
            label: format!("{} = {l}", d.params[g].short),
            style: style::series_style(i),
            line,
            marker: true,
            fill: false,
        })
        .collect()
}
