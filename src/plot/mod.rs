//! Charts of a result folder, drawn from its CSV tables alone (never from
//! model internals): which charts a folder supports, the options that force
//! one, and the errors. The charts themselves live in `charts`, the CSV
//! reading in `data`, the shared look (embedded font, palettes, legend,
//! PNG/SVG output) in `style`.
//!
//! [`plot_dir`] picks the charts automatically from the columns present:
//!
//! | chart | file | drawn when |
//! |---|---|---|
//! | time series | `timeseries` | `ticks.csv` has rows |
//! | heatmap | `heatmap_<metric>` | two numeric parameters vary on a grid |
//! | situations map | `situations` | as the heatmap, and the shares `alienated`, `disoriented`, `integrated` exist |
//! | trade-off map | `tradeoff` | `autonomy` and `safety` exist, ≥ 2 points |
//! | comparison | `comparison_<metric>` | ≥ 2 design points |
//! | profile (radar) | `profile` | ≥ 3 of purpose, identity, safety, drive, meaning |
//! | lines | `lines_<y>[_by_<by>]` | one varying numeric parameter (plus at most one grouping parameter), or exactly two numeric ones |
//! | Morris screening (μ*–σ) | `morris_<output>` | `sensitivity.csv` of method `morris`, per output |
//! | Sobol' indices (S1, ST bars) | `sobol_<output>` | `sensitivity.csv` of method `sobol`, per output |
//!
//! A folder with `sensitivity.csv` holds a sensitivity analysis, whose
//! design is a sample (Morris trajectories, Saltelli matrices) rather than
//! conditions to compare: it gets the time series (when `ticks.csv` has
//! rows) and the sensitivity charts only, never the heatmap, trade-off,
//! comparison, profile or lines of its sample points.
//!
//! With [`PlotOptions::x`] or [`PlotOptions::y`] only the asked chart is
//! drawn: a heatmap when `y` names a parameter, else lines of the metric
//! `y` against the parameter `x`. [`PlotOptions::metrics`] chooses the
//! metrics of the heatmaps, comparisons, lines and time-series panels, and
//! the outputs of the sensitivity charts;
//! [`PlotOptions::by`] the grouping (line per value, colour, heatmap panel).
//!
//! Which metrics are drawn by default (the main metric, the time-series
//! panels, the situations and the profile's axes) is the model's choice
//! ([`crate::model::Model::charts`]); the model is the one named in the
//! folder's `manifest.json`, or else the one whose metrics the tables have.
//!
//! Every file is deterministic: the same CSV gives the same SVG bytes.

mod charts;
mod data;
mod png;
mod style;

use crate::model::Charts;
use data::{Aggregate, Design, SaIndices, Sensitivity};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    /// Metrics for heatmaps, comparisons, lines and time-series panels, and
    /// the outputs of the sensitivity charts (empty: `essential` or the
    /// first metric; the key metrics for the time series; every output).
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

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A file, column or row the chart needs is not there.
    #[error("{}: missing {what}", file.display())]
    Missing {
        /// The file (or folder) looked in.
        file: PathBuf,
        /// What is missing, e.g. "column `essential_mean`".
        what: String,
    },
    /// The data or the options do not fit the chart asked for.
    #[error("{}: {message}", file.display())]
    Invalid {
        /// The file concerned.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A CSV file could not be read or parsed.
    #[error("cannot read {}: {source}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// The parser's error.
        #[source]
        source: csv::Error,
    },
    /// Drawing failed.
    #[error("cannot draw {}: {message}", file.display())]
    Draw {
        /// The image file.
        file: PathBuf,
        /// The backend's message.
        message: String,
    },
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path written.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl From<PlotError> for crate::error::Error {
    fn from(e: PlotError) -> Self {
        match e {
            PlotError::Missing { .. } | PlotError::Invalid { .. } | PlotError::Csv { .. } => {
                crate::error::Error::plot(e.to_string())
            }
            PlotError::Draw { .. } => crate::error::Error::internal(e.to_string()),
            PlotError::Io { path, source } => {
                crate::error::Error::io(format!("cannot write {}", path.display()), source)
            }
        }
    }
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
}

impl Inputs {
    fn read(dir: &Path) -> Result<Inputs, PlotError> {
        if !dir.is_dir() {
            return Err(PlotError::Missing {
                file: dir.to_path_buf(),
                what: "folder".into(),
            });
        }
        let agg_path = dir.join("aggregate.csv");
        let sens_path = dir.join("sensitivity.csv");
        let agg = if agg_path.is_file() {
            Some(Aggregate::read(&agg_path)?)
        } else {
            None
        };
        let tick_metrics = data::tick_metrics(&dir.join("ticks.csv"))?;
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
        let charts = model_of(dir, &names).map_or(NO_DEFAULTS, |m| m.charts());
        verified(dir)?;
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
        })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Every metric asked for must exist somewhere; in a sensitivity
    /// folder, where only the time series and the indices are drawn, among
    /// the outputs of the analysis or the columns of ticks.csv.
    fn check_metrics(&self, asked: &[String]) -> Result<(), PlotError> {
        let in_ticks = |m: &String| self.tick_metrics.as_ref().is_some_and(|t| t.contains(m));
        for m in asked {
            if let Some(s) = &self.sens {
                if s.output(m).is_none() && !in_ticks(m) {
                    return Err(PlotError::Missing {
                        file: s.path.clone(),
                        what: format!("output `{m}` (outputs: {})", s.output_list()),
                    });
                }
                continue;
            }
            let in_agg = self.agg.as_ref().is_some_and(|a| a.metric(m).is_some());
            if !in_agg && !in_ticks(m) {
                return Err(match &self.agg {
                    Some(a) => a
                        .require(m)
                        .err()
                        .unwrap_or_else(|| data::missing_file(&self.file("aggregate.csv"))),
                    None => PlotError::Missing {
                        file: self.file("ticks.csv"),
                        what: format!("column `{m}`"),
                    },
                });
            }
        }
        Ok(())
    }
}

/// A folder with a manifest must match it: a complete folder's tables
/// their digests; a manifest that cannot be read is refused.
fn verified(dir: &Path) -> Result<(), PlotError> {
    use crate::output::manifest::{Read, Status};
    let invalid = |message: String| PlotError::Invalid {
        file: dir.join("manifest.json"),
        message,
    };
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
};

/// The model of a result folder: the one its manifest names, else the one
/// that has the most of `columns` among its metrics (at least half of them).
fn model_of(dir: &Path, columns: &[&str]) -> Option<&'static dyn crate::model::Model> {
    let named = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| m.get("model")?.as_str().map(str::to_string));
    if let Some(m) = named.as_deref().and_then(crate::model::find_version) {
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
    Ok(plot_inputs(dir, opts)?)
}

fn plot_inputs(dir: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>, PlotError> {
    style::ensure_fonts();
    let inputs = Inputs::read(dir)?;
    let out = opts.out.clone().unwrap_or_else(|| dir.join("plots"));
    let mkdir = || {
        std::fs::create_dir_all(&out).map_err(|source| PlotError::Io {
            path: out.clone(),
            source,
        })
    };
    if opts.x.is_some() || opts.y.is_some() {
        let agg = inputs
            .agg
            .as_ref()
            .ok_or_else(|| data::missing_file(&inputs.file("aggregate.csv")))?;
        return forced(agg, &inputs.charts, opts, &out, mkdir);
    }
    if inputs.agg.is_none() && inputs.tick_metrics.is_none() && inputs.sens.is_none() {
        return Err(data::missing_file(&inputs.file("aggregate.csv")));
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
        return Ok(written);
    }
    if let Some(agg) = &inputs.agg {
        written.extend(per_point(agg, &inputs.charts, opts, by, &out)?);
    }
    Ok(written)
}

/// 1. The time series, when `ticks.csv` has rows.
fn timeseries(inputs: &Inputs, opts: &PlotOptions, out: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let Some(names) = &inputs.tick_metrics else {
        return Ok(Vec::new());
    };
    let panels = panel_metrics(names, &opts.metrics, inputs.charts.panels);
    if panels.is_empty() {
        return Ok(Vec::new());
    }
    let design_path = inputs.file("design.csv");
    let mut design = if design_path.is_file() {
        data::read_design(&design_path)?
    } else if let Some(a) = &inputs.agg {
        a.design.clone()
    } else {
        return Err(data::missing_file(&design_path));
    };
    design.group = grouping(&inputs.charts);
    let by_design = match &opts.by {
        Some(b) => Some(param_index(&design, b, &design_path)?),
        None => None,
    };
    match charts::timeseries::build(
        &inputs.file("ticks.csv"),
        &design,
        inputs.agg.as_ref(),
        by_design,
        &panels,
    )? {
        Some(chart) => style::save(&chart, out, "timeseries", opts.format),
        None => Ok(Vec::new()),
    }
}

/// 2. The indices of a sensitivity analysis.
fn sensitivity_charts(
    s: &Sensitivity,
    opts: &PlotOptions,
    out: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    let mut written = Vec::new();
    for (output, indices) in &s.outputs {
        if !opts.metrics.is_empty() && !opts.metrics.contains(output) {
            continue;
        }
        let stem = file_part(output);
        match indices {
            SaIndices::Morris(rows) => {
                let chart = charts::sensitivity::morris(&s.path, output, rows)?;
                written.extend(style::save(
                    &chart,
                    out,
                    &format!("morris_{stem}"),
                    opts.format,
                )?);
            }
            SaIndices::Sobol(rows) => {
                let chart = charts::sensitivity::sobol(output, rows);
                written.extend(style::save(
                    &chart,
                    out,
                    &format!("sobol_{stem}"),
                    opts.format,
                )?);
            }
        }
    }
    Ok(written)
}

/// 3–7. The charts of design points: heatmaps, the situations map, the
/// trade-off map, comparisons, the profile and lines.
fn per_point(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    by: Option<usize>,
    out: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    if agg.design.len() == 0 {
        return Err(PlotError::Missing {
            file: agg.path.clone(),
            what: "rows (no design point has results)".into(),
        });
    }
    let primary = primary_metrics(agg, &opts.metrics, defaults.primary);
    let design = &agg.design;
    let mut written = Vec::new();
    let save = |chart: &dyn SaveAs, stem: &str, written: &mut Vec<PathBuf>| {
        written.extend(chart.save_as(out, stem, opts.format)?);
        Ok::<(), PlotError>(())
    };
    let numeric: Vec<usize> = design
        .varying()
        .into_iter()
        .filter(|&i| design.params[i].numeric() && Some(i) != by)
        .collect();
    if numeric.len() >= 2 && design.is_grid(numeric[0], numeric[1]) {
        for m in &primary {
            let chart = charts::heatmap::build(agg, agg.require(m)?, numeric[0], numeric[1], by)?;
            save(&chart, &format!("heatmap_{}", file_part(m)), &mut written)?;
        }
        if let Some(situations) = situation_metrics(agg, defaults) {
            let chart = charts::situations::build(agg, &situations, numeric[0], numeric[1], by)?;
            save(&chart, "situations", &mut written)?;
        }
    }
    if design.len() >= 2
        && let (Some(a), Some(s)) = (agg.metric("autonomy"), agg.metric("safety"))
    {
        let chart = charts::tradeoff::build(agg, a, s, by)?;
        save(&chart, "tradeoff", &mut written)?;
    }
    if design.len() >= 2 {
        for m in &primary {
            let chart = charts::comparison::build(agg, agg.require(m)?, by)?;
            save(
                &chart,
                &format!("comparison_{}", file_part(m)),
                &mut written,
            )?;
        }
    }
    if let Some(chart) = charts::profile::build(agg, defaults, by)? {
        save(&chart, "profile", &mut written)?;
    }
    if let Some((x, group)) = auto_lines(design, by) {
        for m in &primary {
            let chart = charts::lines::build(agg, agg.require(m)?, x, group)?;
            save(&chart, &lines_stem(m, design, group), &mut written)?;
        }
    }
    Ok(written)
}

/// A chart that can be saved, whatever its type (for the steps above).
trait SaveAs {
    fn save_as(&self, dir: &Path, stem: &str, format: Format) -> Result<Vec<PathBuf>, PlotError>;
}

impl<C: style::Chart> SaveAs for C {
    fn save_as(&self, dir: &Path, stem: &str, format: Format) -> Result<Vec<PathBuf>, PlotError> {
        style::save(self, dir, stem, format)
    }
}

/// The model's situations, when the aggregate has their shares.
fn situation_metrics<'a>(
    agg: &'a Aggregate,
    defaults: &Charts,
) -> Option<Vec<charts::situations::Situation<'a>>> {
    // Colours: vermillion, orange, bluish green (Okabe–Ito), in order.
    const COLOURS: [usize; 3] = [1, 3, 2];
    if defaults.situations.is_empty() {
        return None;
    }
    defaults
        .situations
        .iter()
        .zip(COLOURS.iter().cycle())
        .map(|((name, label), &colour)| {
            Some(charts::situations::Situation {
                metric: agg.metric(name)?,
                label: label.to_string(),
                color: style::OKABE_ITO[colour],
            })
        })
        .collect()
}

/// The chart asked for with `x`/`y`.
fn forced(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    out: &Path,
    mkdir: impl Fn() -> Result<(), PlotError>,
) -> Result<Vec<PathBuf>, PlotError> {
    let design = &agg.design;
    let path = &agg.path;
    let by = match &opts.by {
        Some(b) => Some(param_index(design, b, path)?),
        None => None,
    };
    let y_param = opts.y.as_deref().and_then(|y| design.param(y));
    let mut written = Vec::new();
    if let Some(yp) = y_param {
        // Heatmap of metrics over x × y.
        let Some(xname) = &opts.x else {
            return Err(PlotError::Invalid {
                file: path.clone(),
                message: format!(
                    "a heatmap over `{}` needs --x PARAMETER too",
                    design.params[yp].name
                ),
            });
        };
        let xp = param_index(design, xname, path)?;
        for p in [xp, yp] {
            if !design.params[p].numeric() {
                return Err(PlotError::Invalid {
                    file: path.clone(),
                    message: format!("parameter `{}` is not numeric", design.params[p].name),
                });
            }
        }
        if xp == yp {
            return Err(PlotError::Invalid {
                file: path.clone(),
                message: "--x and --y name the same parameter".into(),
            });
        }
        if design.params[xp].levels.len() > 60 || design.params[yp].levels.len() > 60 {
            return Err(PlotError::Invalid {
                file: path.clone(),
                message: format!(
                    "`{}` × `{}` is not a grid (more than 60 values); draw lines with --y METRIC instead",
                    design.params[xp].name, design.params[yp].name
                ),
            });
        }
        let metrics = primary_metrics(agg, &opts.metrics, defaults.primary);
        for m in &metrics {
            agg.require(m)?;
        }
        mkdir()?;
        for m in &metrics {
            let chart = charts::heatmap::build(agg, agg.require(m)?, xp, yp, by)?;
            written.extend(style::save(
                &chart,
                out,
                &format!("heatmap_{}", file_part(m)),
                opts.format,
            )?);
        }
        return Ok(written);
    }
    // Lines of metric(s) y against parameter x.
    let x = match &opts.x {
        Some(name) => param_index(design, name, path)?,
        None => design
            .varying()
            .into_iter()
            .find(|&i| design.params[i].numeric() && Some(i) != by)
            .ok_or_else(|| PlotError::Invalid {
                file: path.clone(),
                message: "no numeric parameter varies; name one with --x".into(),
            })?,
    };
    if !design.params[x].numeric() {
        return Err(PlotError::Invalid {
            file: path.clone(),
            message: format!(
                "--x `{}` is not numeric; lines need a numeric parameter (try --by {})",
                design.params[x].name, design.params[x].name
            ),
        });
    }
    let metrics: Vec<String> = match &opts.y {
        Some(y) => vec![agg.require(y)?.name.clone()],
        None => primary_metrics(agg, &opts.metrics, defaults.primary),
    };
    for m in &metrics {
        agg.require(m)?;
    }
    mkdir()?;
    for m in &metrics {
        let chart = charts::lines::build(agg, agg.require(m)?, x, by)?;
        written.extend(style::save(
            &chart,
            out,
            &lines_stem(m, design, by),
            opts.format,
        )?);
    }
    Ok(written)
}

/// The design parameter called `name`, or a user error listing them.
fn param_index(design: &Design, name: &str, file: &Path) -> Result<usize, PlotError> {
    design.param(name).ok_or_else(|| PlotError::Missing {
        file: file.to_path_buf(),
        what: format!(
            "parameter column `{name}` (parameters: {})",
            if design.params.is_empty() {
                "none: a single condition".to_string()
            } else {
                design
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    })
}

/// The metrics of the per-point charts: those asked for that the aggregate
/// has, else the model's main metric, else the first metric.
fn primary_metrics(agg: &Aggregate, asked: &[String], main: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let chosen: Vec<String> = asked
        .iter()
        .filter_map(|m| agg.metric(m).map(|s| s.name.clone()))
        .filter(|m| seen.insert(m.clone()))
        .collect();
    // Metrics asked for are the only ones drawn (those of them that the
    // aggregate has); nothing else stands in for them.
    if !asked.is_empty() {
        return chosen;
    }
    if let Some(m) = agg.metric(main) {
        return vec![m.name.clone()];
    }
    agg.metrics
        .first()
        .map(|m| vec![m.name.clone()])
        .unwrap_or_default()
}

/// The time-series panels: the asked metrics present in ticks.csv (and only
/// them), else the model's panels present, else the first columns.
fn panel_metrics(names: &[String], asked: &[String], key_metrics: &[&str]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let chosen: Vec<String> = asked
        .iter()
        .filter(|m| names.contains(m) && seen.insert(m.to_string()))
        .take(MAX_PANELS)
        .cloned()
        .collect();
    if !asked.is_empty() {
        return chosen;
    }
    let key: Vec<String> = key_metrics
        .iter()
        .filter(|k| names.iter().any(|n| n == *k))
        .map(|k| k.to_string())
        .collect();
    if !key.is_empty() {
        return key;
    }
    names.iter().take(8).cloned().collect()
}

/// Whether the design is a family of lines: the x parameter and the
/// grouping parameter, if any. One varying numeric parameter (x) with at
/// most one other varying parameter of at most 8 values (the groups); or
/// exactly two varying numeric parameters and nothing else, x being the
/// one with more values.
fn auto_lines(design: &Design, by: Option<usize>) -> Option<(usize, Option<usize>)> {
    let varying = design.varying();
    let numeric: Vec<usize> = varying
        .iter()
        .copied()
        .filter(|&i| design.params[i].numeric() && Some(i) != by)
        .collect();
    let levels = |i: usize| design.params[i].levels.len();
    match (numeric.len(), varying.len()) {
        (1, 1) => Some((numeric[0], None)),
        (1, 2) => {
            let other = varying.iter().copied().find(|&i| i != numeric[0])?;
            (levels(other) <= 8).then_some((numeric[0], Some(other)))
        }
        (2, 2) => {
            let (a, b) = (numeric[0], numeric[1]);
            let (x, g) = if levels(b) > levels(a) {
                (b, a)
            } else {
                (a, b)
            };
            (levels(g) <= 8).then_some((x, Some(g)))
        }
        _ => None,
    }
}

fn lines_stem(metric: &str, design: &Design, by: Option<usize>) -> String {
    match by {
        Some(b) => format!(
            "lines_{}_by_{}",
            file_part(metric),
            file_part(&design.params[b].name)
        ),
        None => format!("lines_{}", file_part(metric)),
    }
}

/// A name made safe for a file name: letters, digits, `.`, `_`, `-`.
fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use data::tests::grid;

    #[test]
    fn line_families_are_recognised() {
        let march = grid(&[
            ("march.code_learning", &["0.1", "0.5", "0.9"]),
            ("march.socialization", &["0.1", "0.3", "0.5", "0.7", "0.9"]),
        ]);
        // x: the parameter with more values; one line per the other.
        assert_eq!(auto_lines(&march, None), Some((1, Some(0))));
        let one = grid(&[("a", &["1", "2", "3"])]);
        assert_eq!(auto_lines(&one, None), Some((0, None)));
        let grouped = grid(&[("coupling", &["z", "f"]), ("a", &["1", "2", "3"])]);
        assert_eq!(auto_lines(&grouped, None), Some((1, Some(0))));
        // The flagship (coupling × focus × connection) is a heatmap, not lines.
        let flagship = grid(&[
            ("coupling", &["z", "f"]),
            ("managers.focus", &["0.1", "0.9"]),
            ("managers.connection", &["0.1", "0.9"]),
        ]);
        assert_eq!(auto_lines(&flagship, None), None);
        assert_eq!(
            lines_stem("knowledge", &march, Some(0)),
            "lines_knowledge_by_march.code_learning"
        );
        assert_eq!(file_part("a b/c"), "a_b_c");
    }

    #[test]
    fn panels_prefer_the_key_metrics() {
        let names: Vec<String> = ["knowledge", "code_correct"].map(String::from).to_vec();
        const KEY: [&str; 3] = ["essential", "autonomy", "safety"];
        assert_eq!(panel_metrics(&names, &[], &KEY), names);
        let psm: Vec<String> = ["autonomy", "safety", "essential", "trust"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            panel_metrics(&psm, &[], &KEY),
            vec!["essential", "autonomy", "safety"]
        );
        assert_eq!(
            panel_metrics(&psm, &["trust".into(), "nope".into()], &KEY),
            vec!["trust"]
        );
        assert_eq!(
            panel_metrics(&psm, &["settle_tick".into()], &KEY),
            Vec::<String>::new()
        );
    }
}
