//! Scatter of a sampled design (`[sweep.sample]`: every point its own real
//! value of each sampled parameter): one panel per sampled parameter, one
//! dot per design point (its mean over replicates) at that parameter's
//! value, and a smoothed trend: LOWESS ([`crate::plot::estimate::lowess`]:
//! local straight lines, tricube weights, each fit over the nearest 2/3 of
//! the points, R's default span). Dots and trends are coloured by the
//! grouping parameter (`by`, else the first varying text parameter such as
//! `coupling`) when it has at most 8 values, each group with its own
//! trend; a group of fewer than [`MIN_TREND`] points gets no trend.
//! Parameters other than the panel's vary along the cloud, which is the
//! point of a sample: the trend is the metric's average course over them.

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, MetricStats};
use crate::plot::estimate::lowess;
use crate::plot::missing;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The share of the points each local fit of the trend uses.
pub(crate) const SPAN: f64 = 2.0 / 3.0;
/// The fewest points of a group that get a trend.
pub(crate) const MIN_TREND: usize = 5;
/// At most this many panels (sampled parameters).
const MAX_PANELS: usize = 12;
/// At most this many groups (colours).
const MAX_GROUPS: usize = 8;
/// Points along a trend line.
const TREND_POINTS: usize = 60;

/// One panel: the parameter, its axis, the dots (x, y, group) and the
/// trend of each group (group, points).
struct Panel {
    name: String,
    x: Axis,
    dots: Vec<(f64, f64, usize)>,
    trends: Vec<(usize, Vec<(f64, f64)>)>,
}

/// The scatter chart of one metric.
pub(crate) struct Scatter {
    metric: String,
    panels: Vec<Panel>,
    y: Axis,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
    cols: usize,
    rows: usize,
}

/// Builds the scatter of `metric` against each parameter of `params`
/// (sampled ones), coloured by `by` or the design's grouping parameter.
pub(crate) fn build(
    agg: &Aggregate,
    metric: &MetricStats,
    params: &[usize],
    by: Option<usize>,
) -> Result<Scatter> {
    let d = &agg.design;
    let rows: Vec<usize> = (0..d.len())
        .filter(|&r| metric.mean[r].is_finite())
        .collect();
    if rows.is_empty() {
        return Err(missing(
            &agg.path,
            format!("values of `{}_mean` (every row is empty)", metric.name),
        ));
    }
    let group = by
        .or_else(|| d.group_param())
        .filter(|&g| !params.contains(&g) && d.params[g].levels.len() <= MAX_GROUPS);
    let group_of = |r: usize| group.map_or(0, |g| d.params[g].level[r]);
    let ng = group.map_or(1, |g| d.params[g].levels.len());
    let panels: Vec<Panel> = params
        .iter()
        .take(MAX_PANELS)
        .map(|&p| panel(d, metric, p, &rows, &group_of, ng))
        .collect();
    let unit = metric.unit();
    let (y0, y1) = style::data_range(rows.iter().map(|&r| metric.mean[r]), unit);
    let ydesc = if unit {
        format!("{} (0–1)", metric.name)
    } else {
        metric.name.clone()
    };
    let mut subtitle = vec![
        "one dot per design point (mean over its replicates); line: LOWESS trend".to_string(),
        format!(
            "(local linear fits, tricube weights, each over the nearest 2/3 of the points; \
             none for fewer than {MIN_TREND} points)"
        ),
    ];
    if params.len() > MAX_PANELS {
        subtitle.push(format!(
            "the first {MAX_PANELS} of {} sampled parameters",
            params.len()
        ));
    }
    let n = panels.len().max(1);
    let cols = n.min(3);
    Ok(Scatter {
        metric: metric.name.clone(),
        panels,
        y: Axis::numeric(y0, y1, 5, &ydesc),
        legend: legend(d, group),
        subtitle,
        cols,
        rows: n.div_ceil(cols),
    })
}

/// The panel of parameter `p`: dots of `rows` and a trend per group.
fn panel(
    d: &Design,
    metric: &MetricStats,
    p: usize,
    rows: &[usize],
    group_of: &dyn Fn(usize) -> usize,
    ng: usize,
) -> Panel {
    let param = &d.params[p];
    let xv = |r: usize| param.num.as_ref().map_or(f64::NAN, |v| v[r]);
    let dots: Vec<(f64, f64, usize)> = rows
        .iter()
        .map(|&r| (xv(r), metric.mean[r], group_of(r)))
        .filter(|(x, _, _)| x.is_finite())
        .collect();
    let (x0, x1) = style::data_range(dots.iter().map(|d| d.0), false);
    let trends = (0..ng)
        .filter_map(|g| {
            let pts: Vec<(f64, f64)> = dots
                .iter()
                .filter(|d| d.2 == g)
                .map(|d| (d.0, d.1))
                .collect();
            if pts.len() < MIN_TREND {
                return None;
            }
            let lo = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let hi = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            let at: Vec<f64> = (0..TREND_POINTS)
                .map(|k| lo + (hi - lo) * k as f64 / (TREND_POINTS - 1) as f64)
                .collect();
            let ys = lowess(&pts, SPAN, &at);
            Some((g, at.into_iter().zip(ys).collect()))
        })
        .collect();
    Panel {
        name: param.name.clone(),
        x: Axis::numeric(x0, x1, 5, &param.name),
        dots,
        trends,
    }
}

/// One entry per group (marker and line), or a dot and a trend line.
fn legend(d: &Design, group: Option<usize>) -> Vec<LegendEntry> {
    match group {
        Some(g) if d.params[g].levels.len() > 1 => super::group_legend(d, g, true),
        _ => vec![
            LegendEntry {
                label: "design point".into(),
                style: style::series_style(0),
                line: false,
                marker: true,
                fill: false,
            },
            LegendEntry {
                label: "LOWESS trend".into(),
                style: style::series_style(0),
                line: true,
                marker: false,
                fill: false,
            },
        ],
    }
}

const PANEL_W: u32 = 520;
const PANEL_H: u32 = 420;

impl Scatter {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = area.dim_in_pixel();
        area.draw(&Text::new(
            panel.name.clone(),
            (w as i32 / 2, 6),
            style::anchored(style::bold(style::PANEL), HPos::Center, VPos::Top),
        ))?;
        let body = area.split_vertically(36).1;
        let chart = style::cartesian(
            &body,
            &panel.x,
            &self.y,
            style::y_area_for(&self.y.labels),
            true,
        )?;
        let plot = chart.plotting_area();
        self.draw_dots(plot, panel)?;
        let clamp = |v: f64| v.clamp(self.y.lo, self.y.hi);
        for (g, pts) in &panel.trends {
            let line: Vec<(f64, f64)> = pts
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|&(x, y)| (x, clamp(y)))
                .collect();
            style::draw_line(plot, &line, &style::series_style(*g), 4)?;
        }
        Ok(())
    }

    fn draw_dots<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        panel: &Panel,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // Translucent, so that dense regions show and the trends drawn
        // over them stay visible.
        let alpha = if panel.dots.len() > 60 { 0.35 } else { 0.6 };
        for &(x, y, g) in &panel.dots {
            let st = style::series_style(g);
            style::draw_marker_alpha(plot, (x, y), st.marker, 5, st.color, alpha)?;
        }
        Ok(())
    }
}

impl Chart for Scatter {
    fn size(&self) -> (u32, u32) {
        let w = (PANEL_W * self.cols as u32).max(900);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + PANEL_H * self.rows as u32 + style::legend_height(&self.legend, w) + 10,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{} against the sampled parameters", self.metric);
        let body = style::header(root, &title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let lh = style::legend_height(&self.legend, w);
        let (legend, grid) = body.split_vertically(lh);
        let grid = grid.margin(0, 0, 10, 10);
        let areas = grid.split_evenly((self.rows, self.cols));
        for (panel, area) in self.panels.iter().zip(&areas) {
            self.draw_panel(area, panel)?;
        }
        style::draw_legend(&legend, &self.legend)
    }
}
