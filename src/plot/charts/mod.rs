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
