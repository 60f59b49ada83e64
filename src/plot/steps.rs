//! The steps of [`super::plot_dir`], one per family of charts: the time
//! series, the sensitivity indices, and the charts of design points.

use super::charts;
use super::choose::{
    auto_lines, file_part, lines_stem, panel_metrics, param_index, primary_metrics,
};
use super::data::{
    self, Aggregate, Contrasts, Design, Discovery, FolderInfo, SaIndices, Sensitivity,
};
use super::style;
use super::{Format, Inputs, PlotOptions};
use crate::error::{Error, Result};
use crate::model::Charts;
use crate::plot::missing;
use charts::distribution::Grouping;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Step 1: the time series, when `ticks.csv` has rows: the model's panels in
/// `timeseries`; or, when metrics are asked for, one `timeseries_<metric>`
/// for each of them that `ticks.csv` has (in its own file, so that the
/// default chart is never replaced by a chart of other metrics).
pub(super) fn timeseries(inputs: &Inputs, opts: &PlotOptions, out: &Path) -> Result<Vec<PathBuf>> {
    let Some(names) = &inputs.tick_metrics else {
        return Ok(Vec::new());
    };
    // Metrics asked for: only their own charts (the default one is
    // neither drawn nor touched).
    let (panels, extra) = if opts.metrics.is_empty() {
        (panel_metrics(names, &[], inputs.charts.panels), Vec::new())
    } else {
        let asked = panel_metrics(names, &opts.metrics, inputs.charts.panels);
        (Vec::new(), asked)
    };
    let all = union(&panels, &extra);
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let (design, design_path) = inputs.design()?;
    let by_design = match &opts.by {
        Some(b) => Some(param_index(&design, b, &design_path)?),
        None => None,
    };
    let labels = charts::timeseries::Labels {
        time: inputs.charts.time.to_string(),
        scales: all.iter().map(|m| inputs.scale_of(m)).collect(),
    };
    let ticks = inputs.file(crate::output::tables::TICKS.file);
    let Some(chart) = charts::timeseries::build(
        &ticks,
        &design,
        inputs.agg.as_ref(),
        by_design,
        &all,
        labels,
    )?
    else {
        return Ok(Vec::new());
    };
    let default = chart.subset(&indices(&all, &panels));
    let mut written = if panels.is_empty() {
        Vec::new()
    } else {
        style::save(&default, out, "timeseries", opts.format)?
    };
    for m in &extra {
        let stem = format!("timeseries_{}", file_part(m));
        let one = chart.subset(&indices(&all, std::slice::from_ref(m)));
        written.extend(style::save(&one, out, &stem, opts.format)?);
    }
    Ok(written)
}

/// `a` followed by the names of `b` that are not in it.
fn union(a: &[String], b: &[String]) -> Vec<String> {
    let mut all = a.to_vec();
    all.extend(b.iter().filter(|m| !a.contains(m)).cloned());
    all
}

/// The positions in `all` of the names `some` (each is in `all`).
fn indices(all: &[String], some: &[String]) -> Vec<usize> {
    some.iter()
        .filter_map(|m| all.iter().position(|a| a == m))
        .collect()
}

/// Step 2: the indices of a sensitivity analysis.
pub(super) fn sensitivity_charts(
    s: &Sensitivity,
    opts: &PlotOptions,
    out: &Path,
) -> Result<Vec<PathBuf>> {
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

/// Step 3–8: the charts of design points: heatmaps, the situations map, the
/// trade-off map, comparisons, the profile, lines and, for a sampled
/// design, scatters with a trend. Sampled parameters are never a heatmap
/// axis, a line's x or a comparison's labels: every point has its own
/// value of them.
pub(super) fn per_point(
    agg: &Aggregate,
    defaults: &Charts,
    opts: &PlotOptions,
    by: Option<usize>,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    if agg.design.len() == 0 {
        return Err(missing(&agg.path, "rows (no design point has results)"));
    }
    let primary = primary_metrics(agg, &opts.metrics, defaults.primary);
    let design = &agg.design;
    let mut written = Vec::new();
    let mut save = |chart: &dyn SaveAs, stem: &str| {
        written.extend(chart.save_as(out, stem, opts.format)?);
        Ok::<(), Error>(())
    };
    grid_charts(agg, defaults, &primary, by, &mut save)?;
    let (across, up) = defaults.tradeoff;
    if design.len() >= 2
        && !across.is_empty()
        && let (Some(a), Some(s)) = (agg.metric(across), agg.metric(up))
    {
        save(&charts::tradeoff::build(agg, a, s, by)?, "tradeoff")?;
    }
    let sampled = design.sampled();
    if design.len() >= 2 && sampled.is_empty() {
        for m in &primary {
            let chart = charts::comparison::build(agg, agg.require(m)?, by)?;
            save(&chart, &format!("comparison_{}", file_part(m)))?;
        }
    }
    if let Some(chart) = charts::profile::build(agg, defaults, by)? {
        save(&chart, "profile")?;
    }
    if let Some((x, group)) = auto_lines(design, by) {
        for m in &primary {
            let chart = charts::lines::build(agg, agg.require(m)?, x, group)?;
            save(&chart, &lines_stem(m, design, group))?;
        }
    }
    if !sampled.is_empty() {
        let by = by.filter(|b| !sampled.contains(b));
        for m in &primary {
            let chart = charts::scatter::build(agg, agg.require(m)?, &sampled, by)?;
            save(&chart, &format!("scatter_{}", file_part(m)))?;
        }
    }
    Ok(written)
}

/// The heatmaps and the situations map, when two numeric parameters that
/// are not sampled form a grid.
fn grid_charts(
    agg: &Aggregate,
    defaults: &Charts,
    primary: &[String],
    by: Option<usize>,
    save: &mut dyn FnMut(&dyn SaveAs, &str) -> Result<()>,
) -> Result<()> {
    let design = &agg.design;
    let numeric: Vec<usize> = design
        .varying()
        .into_iter()
        .filter(|&i| {
            let p = &design.params[i];
            p.numeric() && !p.sampled && Some(i) != by
        })
        .collect();
    if numeric.len() < 2 || !design.is_grid(numeric[0], numeric[1]) {
        return Ok(());
    }
    for m in primary {
        let chart = charts::heatmap::build(agg, agg.require(m)?, numeric[0], numeric[1], by)?;
        save(&chart, &format!("heatmap_{}", file_part(m)))?;
    }
    if let Some(situations) = situation_metrics(agg, defaults) {
        let chart = charts::situations::build(agg, &situations, numeric[0], numeric[1], by)?;
        save(&chart, "situations")?;
    }
    Ok(())
}

/// A chart that can be saved, whatever its type (for the steps above).
pub(super) trait SaveAs {
    fn save_as(&self, dir: &Path, stem: &str, format: Format) -> Result<Vec<PathBuf>>;
}

impl<C: style::Chart> SaveAs for C {
    fn save_as(&self, dir: &Path, stem: &str, format: Format) -> Result<Vec<PathBuf>> {
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

/// The states of the default distribution chart: the model's time-series
/// panels that are columns of `agents.csv`, else its first six columns.
fn default_states(columns: &[String], panels: &[&str]) -> Vec<String> {
    let chosen: Vec<String> = panels
        .iter()
        .filter(|p| columns.iter().any(|c| c == *p))
        .map(|p| p.to_string())
        .collect();
    if chosen.is_empty() {
        columns.iter().take(6).cloned().collect()
    } else {
        chosen
    }
}

/// Step 9: the distribution of professionals' states, when `agents.csv` exists:
/// `distribution` with the model's time-series panels that are columns of
/// it (else its first six states); or, when metrics are asked for, one
/// `distribution_<state>` for each of them that is a column of it.
pub(super) fn distribution(
    inputs: &Inputs,
    opts: &PlotOptions,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let path = inputs.file(crate::output::tables::AGENTS.file);
    let Some(columns) = data::agent_states(&path)? else {
        return Ok(Vec::new());
    };
    let (panels, extra) = if opts.metrics.is_empty() {
        (default_states(&columns, inputs.charts.panels), Vec::new())
    } else {
        let asked: Vec<String> = opts
            .metrics
            .iter()
            .filter(|m| columns.contains(m))
            .cloned()
            .collect();
        (Vec::new(), union(&[], &asked))
    };
    let all = union(&panels, &extra);
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let (design, _) = inputs.design()?;
    let (grouping, group_of) = agent_groups(&design);
    let values = data::read_agents(
        &path,
        &all,
        grouping.labels.len(),
        &group_of,
        data::agents::MAX_VALUES,
    )?;
    if values.ticks.is_empty() {
        return Ok(Vec::new());
    }
    let time = inputs.charts.time;
    let mut written = Vec::new();
    if !panels.is_empty() {
        let default =
            charts::distribution::build(&values, &indices(&all, &panels), &grouping, time);
        written.extend(style::save(&default, out, "distribution", opts.format)?);
    }
    for m in &extra {
        let one = charts::distribution::build(
            &values,
            &indices(&all, std::slice::from_ref(m)),
            &grouping,
            time,
        );
        let stem = format!("distribution_{}", file_part(m));
        written.extend(style::save(&one, out, &stem, opts.format)?);
    }
    Ok(written)
}

/// The groups of the distribution chart: each design point when there are
/// at most 12 (pooling points that differ would make a violin bimodal),
/// else the `condition` column when it varies, else the model's grouping
/// parameter when it varies, else all runs pooled; and the group of each
/// point.
fn agent_groups(design: &Design) -> (Grouping, BTreeMap<u64, usize>) {
    let varying = |name: &str| design.param(name).filter(|&i| design.params[i].varies());
    let param = varying("condition").or_else(|| design.group.as_deref().and_then(varying));
    let n = design.len();
    // A parameter whose levels are the design points is the same grouping,
    // with better labels.
    let param = param.filter(|&g| design.params[g].levels.len() == n || n > MAX_POINT_GROUPS);
    if let Some(g) = param {
        let p = &design.params[g];
        let labels = if p.name == "condition" {
            p.shown_levels()
        } else {
            p.shown_levels()
                .iter()
                .map(|l| format!("{} = {l}", p.short))
                .collect()
        };
        let grouping = Grouping {
            pooled: p.levels.len() < n,
            labels,
            what: Some(p.name.clone()),
        };
        return (
            grouping,
            (0..n).map(|r| (design.points[r], p.level[r])).collect(),
        );
    }
    if n > 1 && n <= MAX_POINT_GROUPS {
        let grouping = Grouping {
            labels: (0..n).map(|r| design.label(r)).collect(),
            what: Some("design point".into()),
            pooled: false,
        };
        return (grouping, (0..n).map(|r| (design.points[r], r)).collect());
    }
    let grouping = Grouping {
        labels: vec!["all runs".into()],
        what: None,
        pooled: true,
    };
    (grouping, design.points.iter().map(|&p| (p, 0)).collect())
}

/// At most this many design points are groups of their own.
const MAX_POINT_GROUPS: usize = 12;

/// Step 10: the forest plots of `contrasts.csv`: one `contrast_<metric>` per
/// metric (of those in `metrics`, when any are given).
pub(super) fn contrasts(
    c: &Contrasts,
    metrics: &[String],
    out: &Path,
    format: Format,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for m in &c.metrics {
        if m.rows.is_empty() || (!metrics.is_empty() && !metrics.contains(&m.metric)) {
            continue;
        }
        let chart = charts::contrast::build(m, &c.others);
        let stem = format!("contrast_{}", file_part(&m.metric));
        written.extend(style::save(&chart, out, &stem, format)?);
    }
    Ok(written)
}

/// Step 11: the charts of a scenario discovery (`discover.csv`, from
/// `profspace discover`): `discover_trajectory`, `discover_box` and, when
/// the design has two numeric inputs that vary, `discover_scatter`. The
/// design points come from `design.csv` (else `aggregate.csv`), the
/// metric's means from `aggregate.csv`.
pub(super) fn discovery(
    d: &Discovery,
    dir: &Path,
    info: &FolderInfo,
    out: &Path,
    format: Format,
) -> Result<Vec<PathBuf>> {
    let first = d.first();
    let (design, file, values) = design_means(dir, info, &first.metric)?;
    let limits = d.limits_of(first.at.box_no);
    let c = charts::discovery::trajectory(d);
    let mut written = style::save(&c, out, "discover_trajectory", format)?;
    let c = charts::discovery::limits(first, &limits, &design, &file)?;
    written.extend(style::save(&c, out, "discover_box", format)?);
    if let Some(c) = charts::discovery::scatter(first, &limits, &design, &values, &file)? {
        written.extend(style::save(&c, out, "discover_scatter", format)?);
    }
    Ok(written)
}

/// The design points of `dir` (from `design.csv`, else `aggregate.csv`),
/// the file they were read from, and the mean of `metric` at each (NaN
/// where `aggregate.csv` has no row of the point).
fn design_means(
    dir: &Path,
    info: &FolderInfo,
    metric: &str,
) -> Result<(Design, PathBuf, Vec<f64>)> {
    let aggregate = dir.join(crate::output::tables::AGGREGATE.file);
    let mean = data::discover::point_means(&aggregate, metric)?;
    let path = dir.join(crate::output::tables::DESIGN.file);
    let (design, file) = if path.is_file() {
        (data::read_design(&path, info)?, path)
    } else {
        (Aggregate::read(&aggregate, info)?.design, aggregate)
    };
    let values = design
        .points
        .iter()
        .map(|p| mean.get(p).copied().unwrap_or(f64::NAN))
        .collect();
    Ok((design, file, values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::tests::grid;

    #[test]
    fn agents_group_by_point_when_few_else_condition_then_the_models_choice() {
        // Few points: one violin per design point, never two pooled.
        let mut d = grid(&[
            ("coupling", &["zero_sum", "freedom_safety"]),
            ("condition", &["walls", "space", "integrated"]),
        ]);
        d.group = Some("coupling".into());
        let (g, of) = agent_groups(&d);
        assert_eq!(g.what.as_deref(), Some("design point"));
        assert!(!g.pooled);
        assert_eq!((g.labels.len(), of[&5]), (6, 5));
        // A condition that is the whole design keeps its own labels.
        let d = grid(&[("condition", &["walls", "space", "integrated"])]);
        let (g, of) = agent_groups(&d);
        assert_eq!(g.labels, vec!["walls", "space", "integrated"]);
        assert!(!g.pooled && g.what.as_deref() == Some("condition"));
        assert_eq!(of[&1], 1);
        let mut d = grid(&[
            ("coupling", &["zero_sum", "freedom_safety"]),
            ("managers.focus", &["0.1", "0.9"]),
        ]);
        d.group = Some("coupling".into());
        let (g, of) = agent_groups(&d);
        assert_eq!(g.what.as_deref(), Some("design point"));
        assert_eq!((g.labels.len(), of[&3]), (4, 3));
        // Many points: the condition, else the model's grouping, pooled.
        let mut many = grid(&[
            ("coupling", &["zero_sum", "freedom_safety"]),
            ("a", &["1", "2", "3", "4"]),
            ("b", &["1", "2", "3", "4"]),
        ]);
        many.group = Some("coupling".into());
        let (g, _) = agent_groups(&many);
        assert_eq!(
            g.labels,
            vec!["coupling = zero_sum", "coupling = freedom_safety"]
        );
        assert!(g.pooled);
        many.group = None;
        let (g, of) = agent_groups(&many);
        assert_eq!((g.labels.len(), g.what.clone(), of[&15]), (1, None, 0));
    }
}
