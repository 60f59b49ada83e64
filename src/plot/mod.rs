//! Charts of a result folder, drawn from its CSV tables and its
//! `manifest.json` alone (never from model internals): which charts a
//! folder supports, the options that force one, and the errors. The charts
//! themselves live in `charts`, the CSV and manifest reading in `data`,
//! the steps of [`plot_dir`] in `steps` (and `forced` for `--x`/`--y`),
//! the shared choices in `choose`, the smoother and the kernel density in
//! `estimate`, the shared look (embedded font, palettes, legend, PNG/SVG
//! output) in `style`.
//!
//! [`plot_dir`] picks the charts automatically from the columns present:
//!
//! | chart | file | drawn when |
//! |---|---|---|
//! | time series | `timeseries`; with metrics asked for, `timeseries_<metric>` each instead | `ticks.csv` has rows |
//! | heatmap | `heatmap_<metric>` | two numeric parameters that are not sampled vary on a grid |
//! | situations map | `situations` | as the heatmap, and the shares `alienated`, `disoriented`, `integrated` exist |
//! | trade-off map | `tradeoff` | `autonomy` and `safety` exist, ≥ 2 points |
//! | comparison | `comparison_<metric>` | ≥ 2 design points, none sampled |
//! | profile (radar) | `profile` | ≥ 3 of purpose, identity, safety, drive, meaning |
//! | lines | `lines_<y>[_by_<by>]` | one varying numeric parameter that is not sampled (plus at most one grouping parameter), or exactly two numeric ones |
//! | scatter with a trend | `scatter_<metric>` | some parameters are sampled (`[sweep.sample]`): one panel each |
//! | distribution (violins) | `distribution`; with states asked for, `distribution_<state>` each instead | `agents.csv` has rows |
//! | forest plot of contrasts | `contrast_<metric>` | `contrasts.csv` exists (`profspace compare`), per metric; also [`plot_contrasts`] |
//! | PRIM trajectory (coverage–density) | `discover_trajectory` | `discover.csv` exists (`profspace discover`); also [`plot_discovery`] |
//! | box limits | `discover_box` | as the trajectory: box 1's limits on the ranges of the design, quasi-p-values |
//! | design points with the box | `discover_scatter` | as the trajectory, and the design has ≥ 2 numeric inputs that vary |
//! | Morris screening (μ*–σ) | `morris_<output>` | `sensitivity.csv` of method `morris`, per output |
//! | Sobol' indices (S1, ST bars) | `sobol_<output>` | `sensitivity.csv` of method `sobol`, per output |
//!
//! **Inputs.** Only the design's swept columns (`design.columns` in
//! `manifest.json`) are inputs: what varies, what groups, the axes, the
//! labels. The resolved columns the tables carry after them
//! (`design.resolved`: the values a named condition sets, every model
//! parameter of a plain run) are ignored. A column is *sampled* when the
//! resolved scenario's `[sweep.sample]` lists it or, without a manifest,
//! when it has at least 10 distinct values not evenly spaced (see
//! `data::folder`); every point has its own value of it, so it is never a
//! category.
//!
//! **Labels.** Every number a chart writes as text (parameter values in
//! legends, axes of categories and row labels, values in cells and beside
//! rows) is rounded to 3 significant digits (whole numbers keep their
//! digits); the tick labels of numeric axes are round steps of their own.
//!
//! **Bands.** A band called a confidence band is one: the time series
//! shades the 95% CI of the mean only where each line is one design point;
//! a line that pools several design points gets the spread of its runs
//! (mean ± 1 sd), and says so in its subtitle and legend. Bands stay
//! within the smallest and largest run. With at most 12 recorded ticks (or
//! periods, the model's word), each is a marker with a bar instead.
//!
//! A folder with `sensitivity.csv` holds a sensitivity analysis, whose
//! design is a sample (Morris trajectories, Saltelli matrices) rather than
//! conditions to compare: it gets the time series (when `ticks.csv` has
//! rows) and the sensitivity charts only, never the heatmap, trade-off,
//! comparison, profile, lines, scatters, distributions or contrasts of its
//! sample points. The charts of a discovery (`discover.csv`) are drawn in
//! any folder that has one, unless [`PlotOptions::metrics`] leaves out its
//! metric.
//!
//! With [`PlotOptions::x`] or [`PlotOptions::y`] only the asked chart is
//! drawn: a heatmap when `y` names a parameter, else lines of the metric
//! `y` against the parameter `x` (a scatter `scatter_<metric>_<x>` when
//! `x` was sampled). [`PlotOptions::metrics`] chooses the metrics of the
//! heatmaps, comparisons, lines, scatters and contrasts, and the outputs of
//! the sensitivity charts; metrics of `ticks.csv` and states of
//! `agents.csv` asked for get charts of their own (`timeseries_<metric>`,
//! `distribution_<state>`), drawn instead of the default `timeseries` and
//! `distribution`, which are left as they are (never overwritten).
//! [`PlotOptions::by`] sets the grouping (line per value, colour, heatmap
//! panel).
//!
//! Which metrics are drawn by default (the main metric, the time-series
//! panels, the situations and the profile's axes), the word for the time
//! axis and the preferred grouping are the model's choice
//! ([`crate::model::Model::charts`]); the model is the one named in the
//! folder's `manifest.json`, or else the one whose metrics the tables have.
//!
//! Every file is deterministic: the same CSV gives the same SVG bytes.

mod charts;
mod choose;
mod data;
mod estimate;
mod forced;
mod png;
mod steps;
mod style;

use crate::error::{Error, IoContext, Result};
use crate::model::Charts;
use choose::param_index;
use data::{Aggregate, Contrasts, Design, Discovery, FolderInfo, Sensitivity};
use std::path::{Path, PathBuf};
use steps::{distribution, per_point, sensitivity_charts, timeseries};

/// Which image files to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// PNG raster images (the default).
    #[default]
    Png,
    /// SVG vector images (text stays text).
    Svg,
    /// Both, side by side.
    Both,
}

/// What to draw; the defaults draw every chart the folder supports.
#[derive(Clone, Debug, Default)]
pub struct PlotOptions {
    /// Image format.
    pub format: Format,
    /// Metrics for heatmaps, comparisons, lines, scatters and contrasts,
    /// the outputs of the sensitivity charts (empty: the model's main
    /// metric or the first one; every output; every contrast), and time
    /// series and distributions of their own (`timeseries_<metric>`,
    /// `distribution_<state>`) instead of the default ones, which are left
    /// untouched.
    pub metrics: Vec<String>,
    /// Parameter on the x axis (lines, heatmap).
    pub x: Option<String>,
    /// Metric on the y axis (lines) or parameter on the y axis (heatmap).
    pub y: Option<String>,
    /// Parameter that groups the series (one line per value, the colour of
    /// the trade-off map, the panels of a heatmap).
    pub by: Option<String>,
    /// Folder for the charts (default: the result folder's `plots/`).
    pub out: Option<PathBuf>,
}

/// A file, column or row a chart needs that is not there:
/// `{file}: missing {what}`, a chart error.
pub(crate) fn missing(file: &Path, what: impl std::fmt::Display) -> Error {
    Error::plot(format!("{}: missing {what}", file.display()))
}

/// Data or options that do not fit the chart asked for: `{file}: {message}`,
/// a chart error.
pub(crate) fn invalid(file: &Path, message: impl std::fmt::Display) -> Error {
    Error::plot(format!("{}: {message}", file.display()))
}

/// A CSV file that cannot be read or parsed, a chart error.
pub(crate) fn unreadable(file: &Path, e: &csv::Error) -> Error {
    Error::plot(format!("cannot read {}: {e}", file.display()))
}

/// A chart the backend could not draw: an internal error (a chart that
/// cannot be renamed into place is an I/O error).
pub(crate) fn not_drawn(file: &Path, message: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot draw {}: {message}", file.display()))
}

/// At most this many time-series panels.
const MAX_PANELS: usize = 12;

/// What a result folder offers the charts: its tables, read, and the chart
/// defaults of its model.
struct Inputs {
    dir: PathBuf,
    agg: Option<Aggregate>,
    tick_metrics: Option<Vec<String>>,
    sens: Option<Sensitivity>,
    charts: Charts,
    info: FolderInfo,
    model: Option<&'static dyn crate::model::Model>,
    /// The state columns of `agents.csv`, when it exists.
    agent_states: Option<Vec<String>>,
    /// `contrasts.csv`, when it exists.
    contrasts: Option<Contrasts>,
}

impl Inputs {
    fn read(dir: &Path) -> Result<Inputs> {
        if !dir.is_dir() {
            return Err(missing(dir, "folder"));
        }
        verified(dir)?;
        let agg_path = dir.join(crate::output::tables::AGGREGATE.file);
        let sens_path = dir.join(crate::output::tables::SENSITIVITY.file);
        let info = FolderInfo::read(dir);
        let agg = if agg_path.is_file() {
            Some(Aggregate::read(&agg_path, &info)?)
        } else {
            None
        };
        let tick_metrics = data::tick_metrics(&dir.join(crate::output::tables::TICKS.file))?;
        let sens = if sens_path.is_file() {
            Some(Sensitivity::read(&sens_path)?)
        } else {
            None
        };
        let names: Vec<&str> = agg
            .iter()
            .flat_map(|a| a.metrics.iter().map(|m| m.name.as_str()))
            .chain(tick_metrics.iter().flatten().map(String::as_str))
            .collect();
        let agent_states = data::agent_states(&dir.join(crate::output::tables::AGENTS.file))?;
        let contrasts_path = dir.join(crate::output::tables::CONTRASTS.file);
        let contrasts = if contrasts_path.is_file() {
            Some(Contrasts::read(&contrasts_path, &info)?)
        } else {
            None
        };
        let model = model_of(&info, &names);
        let charts = model.map_or(NO_DEFAULTS, |m| m.charts());
        let mut agg = agg;
        if let Some(a) = &mut agg {
            a.design.group = grouping(&charts);
        }
        Ok(Inputs {
            dir: dir.to_path_buf(),
            agg,
            tick_metrics,
            sens,
            charts,
            info,
            model,
            agent_states,
            contrasts,
        })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The design (from `design.csv`, else from `aggregate.csv`) with the
    /// model's grouping, and the file it was read from.
    fn design(&self) -> Result<(Design, PathBuf)> {
        let path = self.file(crate::output::tables::DESIGN.file);
        let mut design = if path.is_file() {
            data::read_design(&path, &self.info)?
        } else if let Some(a) = &self.agg {
            return Ok((a.design.clone(), a.path.clone()));
        } else {
            return Err(data::missing_file(&path));
        };
        design.group = grouping(&self.charts);
        Ok((design, path))
    }

    /// The scale the model declares for the per-tick metric `name`.
    fn scale_of(&self, name: &str) -> Option<String> {
        self.model?
            .tick_metrics()
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.scale.to_string())
    }

    /// Every metric asked for must exist somewhere (aggregate.csv,
    /// ticks.csv, agents.csv or contrasts.csv); in a sensitivity folder,
    /// where only the time series and the indices are drawn, among the
    /// outputs of the analysis or the columns of ticks.csv.
    fn check_metrics(&self, asked: &[String]) -> Result<()> {
        let in_ticks = |m: &String| self.tick_metrics.as_ref().is_some_and(|t| t.contains(m));
        let elsewhere = |m: &String| {
            self.agent_states.as_ref().is_some_and(|a| a.contains(m))
                || self
                    .contrasts
                    .as_ref()
                    .is_some_and(|c| c.metrics.iter().any(|x| x.metric == *m))
        };
        for m in asked {
            if let Some(s) = &self.sens {
                if s.output(m).is_none() && !in_ticks(m) {
                    return Err(missing(
                        &s.path,
                        format!("output `{m}` (outputs: {})", s.output_list()),
                    ));
                }
                continue;
            }
            let in_agg = self.agg.as_ref().is_some_and(|a| a.metric(m).is_some());
            if !in_agg && !in_ticks(m) && !elsewhere(m) {
                return Err(match &self.agg {
                    Some(a) => a.require(m).err().unwrap_or_else(|| {
                        data::missing_file(&self.file(crate::output::tables::AGGREGATE.file))
                    }),
                    None => missing(
                        &self.file(crate::output::tables::TICKS.file),
                        format!("column `{m}`"),
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A folder with a manifest must match it: a complete folder's tables
/// their digests; a manifest that cannot be read is refused.
fn verified(dir: &Path) -> Result<()> {
    use crate::output::manifest::{Read, Status};
    let invalid = |message: String| invalid(&dir.join(crate::output::folder::MANIFEST), message);
    match crate::output::manifest::read(dir) {
        Read::Found(e) if e.status == Status::Complete => crate::output::ResultFolder::new(dir)
            .verify(&e.files)
            .map_err(|err| invalid(err.to_string())),
        Read::Unreadable(why) => Err(invalid(format!("cannot be read ({why})"))),
        _ => Ok(()),
    }
}

/// The model's preferred grouping parameter, if it has one.
fn grouping(charts: &Charts) -> Option<String> {
    (!charts.group.is_empty()).then(|| charts.group.to_string())
}

/// Chart defaults for a folder whose model is unknown.
const NO_DEFAULTS: Charts = Charts {
    primary: "",
    panels: &[],
    situations: &[],
    profile: ("", &[]),
    time: "tick",
    group: "",
    tradeoff: ("", ""),
};

/// The model of a result folder: the one its manifest names, else the one
/// that has the most of `columns` among its metrics (at least half of them).
fn model_of(info: &FolderInfo, columns: &[&str]) -> Option<&'static dyn crate::model::Model> {
    if let Some(m) = info.model.as_deref().and_then(crate::model::find_version) {
        return Some(m);
    }
    let mut best: Option<(usize, &'static dyn crate::model::Model)> = None;
    for m in crate::model::all() {
        let names = m.tick_metrics().iter().chain(m.run_metrics());
        let score = columns
            .iter()
            .filter(|c| names.clone().any(|x| x.name == **c))
            .count();
        if score > 0 && score * 2 >= columns.len() && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, m));
        }
    }
    best.map(|(_, m)| m)
}

/// Reads only the CSV files in `dir` (and the model named in its manifest),
/// writes charts into `dir/plots/` (or `opts.out`), returns the files
/// written (in a fixed order).
pub fn plot_dir(dir: &Path, opts: &PlotOptions) -> crate::error::Result<Vec<PathBuf>> {
    let analysis = dir.join(crate::output::tables::PARTICLES.file).is_file()
        || dir.join(crate::output::tables::DIAGNOSIS.file).is_file();
    if analysis
        && (opts.x.is_some() || opts.y.is_some() || opts.by.is_some() || !opts.metrics.is_empty())
    {
        return Err(Error::usage(format!(
            "{} holds a calibration or a diagnosis: its charts take no --x, --y, --by or --metric",
            dir.display()
        )));
    }
    if dir.join(crate::output::tables::DIAGNOSIS.file).is_file() {
        let out = opts.out.clone().unwrap_or_else(|| dir.join(PLOTS_DIR));
        let mut files = plot_diagnosis(dir, &out, opts.format)?;
        if dir.join(crate::output::tables::ADVICE.file).is_file() {
            files.extend(plot_advice(dir, &out, opts.format)?);
        }
        return Ok(files);
    }
    if dir.join(crate::output::tables::PARTICLES.file).is_file()
        && !dir.join(crate::output::tables::RUNS.file).is_file()
    {
        let out = opts.out.clone().unwrap_or_else(|| dir.join(PLOTS_DIR));
        let mut files = plot_calibration(dir, &out, opts.format)?;
        if dir.join(crate::output::tables::ADVICE.file).is_file() {
            files.extend(plot_advice(dir, &out, opts.format)?);
        }
        return Ok(files);
    }
    plot_inputs(dir, opts)
}

/// Draws the charts of a diagnosis folder (`profspace diagnose`) into
/// `out`: `diagnosis` (the forest plot of every team's levers), then
/// `radar_<team folder>` per team with at least three scored windows. The
/// folder and each team's calibration are checked first.
pub fn plot_diagnosis(
    dir: &Path,
    out: &Path,
    format: Format,
) -> crate::error::Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let d = crate::calibrate::diagnose::read(dir)?;
    std::fs::create_dir_all(out).at("write", out)?;
    let mut written = style::save(
        &charts::diagnosis::forest(&d.teams)?,
        out,
        "diagnosis",
        format,
    )?;
    for (team, f) in &d.teams {
        if let Some(r) = charts::diagnosis::radar(team, f, &d.windows) {
            let stem = format!(
                "radar_{}",
                f.dir
                    .file_name()
                    .map_or_else(|| team.clone(), |n| n.to_string_lossy().into_owned())
            );
            written.extend(style::save(&r, out, &stem, format)?);
        }
    }
    Ok(written)
}

/// Draws `advice` from the `advice.csv` of `dir` (`profspace advise`) into
/// `out`.
pub fn plot_advice(dir: &Path, out: &Path, format: Format) -> crate::error::Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let chart = charts::diagnosis::advice(&dir.join(crate::output::tables::ADVICE.file))?;
    std::fs::create_dir_all(out).at("write", out)?;
    style::save(&chart, out, "advice", format)
}

/// The charts' folder of a result folder.
const PLOTS_DIR: &str = "plots";

/// Draws the charts of a calibration folder (`profspace calibrate`) into
/// `out` (created if needed): `posterior_pairs`, `epsilon` and
/// `predictive`, in that order. The folder's tables are checked against
/// its manifest first (see [`crate::calibrate::tables::Folder::read`]).
pub fn plot_calibration(
    dir: &Path,
    out: &Path,
    format: Format,
) -> crate::error::Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let f = crate::calibrate::tables::Folder::read(dir)?;
    std::fs::create_dir_all(out).at("write", out)?;
    let mut written = Vec::new();
    written.extend(style::save(
        &charts::calibration::pairs(&f)?,
        out,
        "posterior_pairs",
        format,
    )?);
    written.extend(style::save(
        &charts::calibration::epsilon(&f),
        out,
        "epsilon",
        format,
    )?);
    written.extend(style::save(
        &charts::calibration::predictive(&f)?,
        out,
        "predictive",
        format,
    )?);
    Ok(written)
}

fn plot_inputs(dir: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let inputs = Inputs::read(dir)?;
    let out = opts.out.clone().unwrap_or_else(|| dir.join("plots"));
    let mkdir = || std::fs::create_dir_all(&out).at("write", &out);
    if opts.x.is_some() || opts.y.is_some() {
        let agg = inputs.agg.as_ref().ok_or_else(|| {
            data::missing_file(&inputs.file(crate::output::tables::AGGREGATE.file))
        })?;
        return forced::forced(agg, &inputs.charts, opts, &out, mkdir);
    }
    if inputs.agg.is_none() && inputs.tick_metrics.is_none() && inputs.sens.is_none() {
        return Err(data::missing_file(
            &inputs.file(crate::output::tables::AGGREGATE.file),
        ));
    }
    inputs.check_metrics(&opts.metrics)?;
    let by = match (&opts.by, &inputs.agg) {
        (Some(b), Some(a)) => Some(param_index(&a.design, b, &a.path)?),
        _ => None,
    };
    mkdir()?;
    let mut written = timeseries(&inputs, opts, &out)?;
    if let Some(s) = &inputs.sens {
        // The design of a sensitivity analysis is a sample (Morris
        // trajectories, Saltelli matrices): its points are not conditions
        // worth comparing one by one, so the per-point charts are not drawn.
        written.extend(sensitivity_charts(s, opts, &out)?);
    } else {
        if let Some(agg) = &inputs.agg {
            written.extend(per_point(agg, &inputs.charts, opts, by, &out)?);
        }
        written.extend(distribution(&inputs, opts, &out)?);
        if let Some(c) = &inputs.contrasts {
            written.extend(steps::contrasts(c, &opts.metrics, &out, opts.format)?);
        }
    }
    if inputs.file(data::discover::BOXES).is_file() {
        let d = Discovery::read(dir)?;
        if opts.metrics.is_empty() || opts.metrics.contains(&d.first().metric) {
            written.extend(steps::discovery(&d, dir, &inputs.info, &out, opts.format)?);
        }
    }
    Ok(written)
}

/// Draws the forest plot of every metric of `dir/contrasts.csv` (written
/// by `profspace compare DIR --by PARAM`), or of the `metrics` given (each
/// must be there), into `out` (created if needed): one
/// `contrast_<metric>` file per metric, in the table's order, returned.
/// Only the table and the folder's manifest are read.
pub fn plot_contrasts(
    dir: &Path,
    out: &Path,
    metrics: &[String],
    format: Format,
) -> Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let info = FolderInfo::read(dir);
    let c = Contrasts::read(&dir.join(crate::output::tables::CONTRASTS.file), &info)?;
    if let Some(m) = metrics
        .iter()
        .find(|m| !c.metrics.iter().any(|x| x.metric == **m))
    {
        return Err(missing(
            &c.path,
            format!("metric `{m}` (metrics: {})", c.metric_list()),
        ));
    }
    std::fs::create_dir_all(out).at("write", out)?;
    steps::contrasts(&c, metrics, out, format)
}

/// Draws the charts of the scenario discovery in `dir` (the tables of
/// `profspace discover DIR --metric M --above X`: `discover_trajectory.csv`,
/// `discover.csv`, `discover_boxes.csv`, with the design points of
/// `design.csv` and the metric's means in `aggregate.csv`) into `out`
/// (created if needed): `discover_trajectory`, `discover_box` and, when the
/// design has two numeric inputs that vary, `discover_scatter`, returned in
/// that order. Only the tables and the folder's manifest are read; a
/// missing table or column is an error naming it.
pub fn plot_discovery(dir: &Path, out: &Path, format: Format) -> Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let d = Discovery::read(dir)?;
    let info = FolderInfo::read(dir);
    std::fs::create_dir_all(out).at("write", out)?;
    steps::discovery(&d, dir, &info, out, format)
}
