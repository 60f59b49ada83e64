//! The chart asked for with `--x`/`--y`: a heatmap over two parameters,
//! or lines of a metric against one.

use super::PlotOptions;
use super::charts;
use super::choose::{file_part, lines_stem, param_index, primary_metrics};
use super::data::Aggregate;
use super::style;
use crate::error::Result;
use crate::model::Charts;
use crate::plot::invalid;
use std::path::{Path, PathBuf};

/// The chart asked for with `x`/`y`: a heatmap when `y` names a
/// parameter, else lines of the metric `y` (or the chosen metrics) against
/// the parameter `x`, a scatter with a trend when `x` was sampled.
pub(super) fn forced(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    out: &Path,
    mkdir: impl Fn() -> Result<()>,
) -> Result<Vec<PathBuf>> {
    let design = &agg.design;
    let by = match &opts.by {
        Some(b) => Some(param_index(design, b, &agg.path)?),
        None => None,
    };
    match opts.y.as_deref().and_then(|y| design.param(y)) {
        Some(yp) => heatmap(agg, defaults, opts, yp, by, out, mkdir),
        None => lines(agg, defaults, opts, by, out, mkdir),
    }
}

/// A heatmap of the chosen metrics over `--x` × the parameter `yp`.
fn heatmap(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    yp: usize,
    by: Option<usize>,
    out: &Path,
    mkdir: impl Fn() -> Result<()>,
) -> Result<Vec<PathBuf>> {
    let (design, path) = (&agg.design, &agg.path);
    let invalid = |message: String| invalid(path, message);
    let Some(xname) = &opts.x else {
        return Err(invalid(format!(
            "a heatmap over `{}` needs --x PARAMETER too",
            design.params[yp].name
        )));
    };
    let xp = param_index(design, xname, path)?;
    for p in [xp, yp] {
        if !design.params[p].numeric() {
            return Err(invalid(format!(
                "parameter `{}` is not numeric",
                design.params[p].name
            )));
        }
    }
    if xp == yp {
        return Err(invalid("--x and --y name the same parameter".into()));
    }
    if design.params[xp].levels.len() > 60 || design.params[yp].levels.len() > 60 {
        return Err(invalid(format!(
            "`{}` × `{}` is not a grid (more than 60 values); draw lines with --y METRIC instead",
            design.params[xp].name, design.params[yp].name
        )));
    }
    let metrics = primary_metrics(agg, &opts.metrics, defaults.primary);
    for m in &metrics {
        agg.require(m)?;
    }
    mkdir()?;
    let mut written = Vec::new();
    for m in &metrics {
        let chart = charts::heatmap::build(agg, agg.require(m)?, xp, yp, by)?;
        let stem = format!("heatmap_{}", file_part(m));
        written.extend(style::save(&chart, out, &stem, opts.format)?);
    }
    Ok(written)
}

/// Lines of the metric `--y` (or the chosen metrics) against `--x`; a
/// scatter with a trend (`scatter_<metric>_<x>`) when `--x` was sampled.
fn lines(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    by: Option<usize>,
    out: &Path,
    mkdir: impl Fn() -> Result<()>,
) -> Result<Vec<PathBuf>> {
    let (design, path) = (&agg.design, &agg.path);
    let x = match &opts.x {
        Some(name) => param_index(design, name, path)?,
        None => design
            .varying()
            .into_iter()
            .find(|&i| design.params[i].numeric() && Some(i) != by)
            .ok_or_else(|| invalid(path, "no numeric parameter varies; name one with --x"))?,
    };
    let px = &design.params[x];
    if !px.numeric() {
        return Err(invalid(
            path,
            format!(
                "--x `{}` is not numeric; lines need a numeric parameter (try --by {})",
                px.name, px.name
            ),
        ));
    }
    let metrics: Vec<String> = match &opts.y {
        Some(y) => vec![agg.require(y)?.name.clone()],
        None => primary_metrics(agg, &opts.metrics, defaults.primary),
    };
    for m in &metrics {
        agg.require(m)?;
    }
    mkdir()?;
    let mut written = Vec::new();
    for m in &metrics {
        let metric = agg.require(m)?;
        written.extend(if px.sampled {
            let chart = charts::scatter::build(agg, metric, &[x], by.filter(|&b| b != x))?;
            let stem = format!("scatter_{}_{}", file_part(m), file_part(&px.name));
            style::save(&chart, out, &stem, opts.format)?
        } else {
            let chart = charts::lines::build(agg, metric, x, by)?;
            style::save(&chart, out, &lines_stem(m, design, by), opts.format)?
        });
    }
    Ok(written)
}
