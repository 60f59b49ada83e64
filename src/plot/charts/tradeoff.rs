//! Trade-off map: mean autonomy (x) against mean safety (y) per design
//! point, with 95% CI whiskers, coloured and shaped by the grouping
//! parameter (`by`, else the first varying text parameter such as
//! `coupling`). The trace parameter (`managers.focus` when it varies, else
//! the first varying numeric parameter) sets the marker size, and thin
//! lines join the points that differ only in it, in its order: zero-sum
//! shows as paths falling to the left as focus rises, positive-sum as
//! paths rising to the upper right.

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, MetricStats};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// The trade-off chart.
pub(crate) struct Tradeoff {
    x_name: String,
    y_name: String,
    /// Per point: x, x ci, y, y ci, group, size level in [0, 1].
    points: Vec<Point>,
    /// Polylines (point indices in trace order) and their group.
    traces: Vec<(usize, Vec<usize>)>,
    x: Axis,
    y: Axis,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
}

/// Builds the map of `a` (x) against `s` (y).
pub(crate) fn build(
    agg: &Aggregate,
    a: &MetricStats,
    s: &MetricStats,
    by: Option<usize>,
) -> Result<Tradeoff> {
    let d = &agg.design;
    let (group, trace) = group_and_trace(d, by);
    let (points, row_of_point) = collect_points(d, a, s, group, trace);
    let traces = match trace {
        Some(t) => trace_lines(d, t, &points, &row_of_point),
        None => Vec::new(),
    };
    let xs = points.iter().flat_map(|p| [p.0 - fin(p.1), p.0 + fin(p.1)]);
    let ys = points.iter().flat_map(|p| [p.2 - fin(p.3), p.2 + fin(p.3)]);
    let unit = a.unit() && s.unit();
    let (xr, yr) = if unit {
        ((0.0, 1.0), (0.0, 1.0))
    } else {
        (style::data_range(xs, false), style::data_range(ys, false))
    };
    let legend = legend(d, group);
    let mut subtitle = subtitle(d, group, trace, !traces.is_empty());
    if points.len() > MAX_WHISKERS {
        subtitle[0] = format!(
            "final-window mean per design point; {} points, so no whiskers (each point's 95% CI \
             is in aggregate.csv)",
            points.len()
        );
    }
    let unit_suffix = if unit { " (0–1)" } else { "" };
    Ok(Tradeoff {
        x_name: a.name.clone(),
        y_name: s.name.clone(),
        x: Axis::numeric(xr.0, xr.1, 5, &format!("{}{unit_suffix}", a.name)),
        y: Axis::numeric(yr.0, yr.1, 5, &format!("{}{unit_suffix}", s.name)),
        points,
        traces,
        legend,
        subtitle,
    })
}

/// The grouping parameter (`by`, else the first varying text parameter,
/// else another varying parameter of few values) and the trace parameter
/// (`managers.focus` when it varies, else the first varying numeric one).
fn group_and_trace(d: &Design, by: Option<usize>) -> (Option<usize>, Option<usize>) {
    let mut group = by.or_else(|| d.group_param());
    let trace = d
        .param("managers.focus")
        .filter(|&i| d.params[i].varies() && Some(i) != group)
        .or_else(|| {
            d.varying()
                .into_iter()
                .find(|&i| d.params[i].numeric() && Some(i) != group)
        });
    // Without a text parameter, colour by another varying parameter of
    // few values.
    if group.is_none() {
        group = d
            .varying()
            .into_iter()
            .find(|&i| Some(i) != trace && d.params[i].levels.len() <= 8);
    }
    (group, trace)
}

/// One point: x, x ci, y, y ci, group, size level in [0, 1].
type Point = (f64, f64, f64, f64, usize, f64);

/// The points whose means are both defined, and the design row of each.
fn collect_points(
    d: &Design,
    a: &MetricStats,
    s: &MetricStats,
    group: Option<usize>,
    trace: Option<usize>,
) -> (Vec<Point>, Vec<usize>) {
    let mut points = Vec::new();
    let mut row_of_point = Vec::new();
    for r in 0..d.len() {
        if !(a.mean[r].is_finite() && s.mean[r].is_finite()) {
            continue;
        }
        let g = group.map_or(0, |g| d.params[g].level[r]);
        let size = trace.map_or(0.5, |t| {
            let n = d.params[t].levels.len();
            if n > 1 {
                d.params[t].level[r] as f64 / (n - 1) as f64
            } else {
                0.5
            }
        });
        points.push((a.mean[r], a.ci[r], s.mean[r], s.ci[r], g, size));
        row_of_point.push(r);
    }
    (points, row_of_point)
}

/// Traces: points equal in every varying parameter but the trace one `t`,
/// in its order, with the group of their first point.
fn trace_lines(
    d: &Design,
    t: usize,
    points: &[Point],
    row_of_point: &[usize],
) -> Vec<(usize, Vec<usize>)> {
    let mut traces = Vec::new();
    let keys: Vec<usize> = d.varying().into_iter().filter(|&i| i != t).collect();
    let mut by_key: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (k, &r) in row_of_point.iter().enumerate() {
        let key = keys.iter().map(|&i| d.params[i].level[r]).collect();
        by_key.entry(key).or_default().push(k);
    }
    for (_, mut ks) in by_key {
        ks.sort_by_key(|&k| d.params[t].level[row_of_point[k]]);
        if ks.len() >= 2 {
            traces.push((points[ks[0]].4, ks));
        }
    }
    traces
}

/// One legend entry per group, when there are several.
fn legend(d: &Design, group: Option<usize>) -> Vec<LegendEntry> {
    let entries = group.map_or_else(Vec::new, |g| super::group_legend(d, g, false));
    if entries.len() > 1 {
        entries
    } else {
        Vec::new()
    }
}

/// The lines under the title: what a point and a whisker are, and what
/// the marker size and the lines (when `traced`) follow.
fn subtitle(d: &Design, group: Option<usize>, trace: Option<usize>, traced: bool) -> Vec<String> {
    let mut subtitle =
        vec!["final-window mean per design point, whiskers: 95% CI over replicates".to_string()];
    if let Some(t) = trace {
        let p = &d.params[t];
        let mut line = format!(
            "marker size grows with {} ({} → {})",
            p.name,
            p.shown(0),
            p.shown(p.levels.len() - 1)
        );
        if traced {
            let others: Vec<&str> = d
                .varying()
                .into_iter()
                .filter(|&i| i != t && Some(i) != group)
                .map(|i| d.params[i].name.as_str())
                .collect();
            if others.is_empty() {
                line.push_str(&format!("; lines follow {}", p.name));
            } else {
                line.push_str(&format!("; lines join equal {}", others.join(", ")));
            }
        }
        subtitle.push(line);
    }
    subtitle
}

/// Above this many points the whiskers would hide the points: they are
/// left out and the points drawn translucent.
const MAX_WHISKERS: usize = 60;

fn fin(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

const PLOT: u32 = 860;

impl Chart for Tradeoff {
    fn size(&self) -> (u32, u32) {
        let w = PLOT + 150;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + PLOT + style::legend_height(&self.legend, w) + 10)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!(
            "Trade-off: {} against {} per design point",
            self.y_name, self.x_name
        );
        let (main, legend) =
            style::layout(root, &title, &self.subtitle, &self.legend, (0, 0, 30, 30))?;
        let chart = style::cartesian(
            &main,
            &self.x,
            &self.y,
            style::y_area_for(&self.y.labels),
            true,
        )?;
        let plot = chart.plotting_area();
        for (g, ks) in &self.traces {
            let mut st = style::series_style(*g);
            st.dash = None;
            let pts: Vec<(f64, f64)> = ks
                .iter()
                .map(|&k| (self.points[k].0, self.points[k].2))
                .collect();
            plot.draw(&PathElement::new(pts, st.color.mix(0.55).stroke_width(2)))?;
        }
        let many = self.points.len() > MAX_WHISKERS;
        for &(x, xc, y, yc, g, _) in self.points.iter().filter(|_| !many) {
            let c = style::series_style(g).color.mix(0.8).stroke_width(2);
            if xc.is_finite() && xc > 0.0 {
                plot.draw(&PathElement::new(vec![(x - xc, y), (x + xc, y)], c))?;
            }
            if yc.is_finite() && yc > 0.0 {
                plot.draw(&PathElement::new(vec![(x, y - yc), (x, y + yc)], c))?;
            }
        }
        for &(x, _, y, _, g, size) in &self.points {
            let st = style::series_style(g);
            let r = (5.0 + 6.0 * size).round() as i32;
            let alpha = if many { 0.5 } else { 1.0 };
            style::draw_marker_alpha(plot, (x, y), st.marker, r, st.color, alpha)?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
