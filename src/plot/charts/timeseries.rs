//! Time series: small multiples (one panel per key metric) of the mean over
//! runs at every written tick, with a shaded 95% confidence band (Student's
//! t over runs), one line per condition.
//!
//! Conditions: with at most 8 design points, each point is a condition
//! (labelled by its parameter values). With more, the lines group the
//! points by the `by` parameter, else by the first varying text parameter
//! (such as `coupling`) when it has at most 8 values: each line then pools
//! every run of every point with that value (the band is the CI over those
//! runs). Otherwise 8 points are shown, spread evenly over the ranking of
//! the first panel metric's final-window mean (from `aggregate.csv`; the
//! best, the worst and six between), or over the design order without it.

use crate::plot::PlotError;
use crate::plot::data::{Aggregate, Design, TickSeries, read_ticks};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;
use std::path::Path;

/// At most this many lines per panel.
const MAX_LINES: usize = 8;

/// The lines of the chart: which design points feed which line.
#[derive(Clone, Debug)]
pub(crate) struct Conditions {
    pub labels: Vec<String>,
    pub of_point: BTreeMap<u64, usize>,
    pub note: Option<String>,
}

/// Chooses the conditions (see the module documentation).
pub(crate) fn conditions(
    design: &Design,
    agg: Option<&Aggregate>,
    by: Option<usize>,
    rank_metric: &str,
) -> Conditions {
    let n = design.len();
    let group = by.or_else(|| {
        (n > MAX_LINES)
            .then(|| design.group_param())
            .flatten()
            .filter(|&g| design.params[g].levels.len() <= MAX_LINES)
    });
    if let Some(g) = group {
        let p = &design.params[g];
        let of_point = (0..n).map(|r| (design.points[r], p.level[r])).collect();
        let per_level = n as f64 / p.levels.len() as f64;
        let note = (per_level > 1.0).then(|| {
            format!(
                "each line pools the runs of all design points with that {}",
                p.name
            )
        });
        return Conditions {
            labels: p
                .levels
                .iter()
                .map(|l| format!("{} = {l}", p.short))
                .collect(),
            of_point,
            note,
        };
    }
    if n <= MAX_LINES {
        return Conditions {
            labels: (0..n).map(|r| design.label(r)).collect(),
            of_point: (0..n).map(|r| (design.points[r], r)).collect(),
            note: None,
        };
    }
    // Eight points spread over the ranking of the final-window mean.
    let ranked: Option<Vec<usize>> = agg.and_then(|a| {
        let m = a.metric(rank_metric)?;
        let by_point: BTreeMap<u64, f64> = a
            .design
            .points
            .iter()
            .zip(&m.mean)
            .map(|(&p, &v)| (p, v))
            .collect();
        let mut rows: Vec<usize> = (0..n)
            .filter(|&r| {
                by_point
                    .get(&design.points[r])
                    .is_some_and(|v| v.is_finite())
            })
            .collect();
        if rows.len() < MAX_LINES {
            return None;
        }
        rows.sort_by(|&a, &b| {
            let (va, vb) = (by_point[&design.points[a]], by_point[&design.points[b]]);
            vb.total_cmp(&va).then(a.cmp(&b))
        });
        Some(rows)
    });
    let (pool, note) = match ranked {
        Some(rows) => (
            rows,
            format!("8 of {n} design points, from best to worst final {rank_metric}"),
        ),
        None => (
            (0..n).collect(),
            format!("8 of {n} design points, spread over the design"),
        ),
    };
    let picked: Vec<usize> = (0..MAX_LINES)
        .map(|k| pool[k * (pool.len() - 1) / (MAX_LINES - 1)])
        .collect();
    Conditions {
        labels: picked.iter().map(|&r| design.label(r)).collect(),
        of_point: picked
            .iter()
            .enumerate()
            .map(|(c, &r)| (design.points[r], c))
            .collect(),
        note: Some(note),
    }
}

/// The time-series chart.
pub(crate) struct TimeSeries {
    series: TickSeries,
    labels: Vec<String>,
    subtitle: Vec<String>,
    cols: usize,
    rows: usize,
    legend: Vec<LegendEntry>,
}

/// Reads `ticks.csv` for `metrics` and builds the chart; `None` when the
/// table has no rows for the chosen conditions.
pub(crate) fn build(
    ticks_path: &Path,
    design: &Design,
    agg: Option<&Aggregate>,
    by: Option<usize>,
    metrics: &[String],
) -> Result<Option<TimeSeries>, PlotError> {
    if design.len() == 0 || metrics.is_empty() {
        return Ok(None);
    }
    let cond = conditions(design, agg, by, &metrics[0]);
    let series = read_ticks(ticks_path, metrics, cond.labels.len(), &cond.of_point)?;
    if series.ticks.is_empty() {
        return Ok(None);
    }
    // Runs per condition (at the first tick).
    let runs: Vec<u64> = (0..cond.labels.len())
        .map(|c| series.at(0, c, 0).n)
        .collect();
    let (lo, hi) = (runs.iter().min().copied(), runs.iter().max().copied());
    let runs_text = match (lo, hi) {
        (Some(a), Some(b)) if a == b => format!("{a} runs per line"),
        (Some(a), Some(b)) => format!("{a}–{b} runs per line"),
        _ => String::new(),
    };
    let mut subtitle = vec![format!(
        "mean over runs, shaded: 95% confidence band (t); {runs_text}"
    )];
    if let Some(note) = cond.note {
        subtitle.push(note);
    }
    let n = metrics.len();
    let cols = match n {
        1..=3 => n,
        4 => 2,
        _ => 3,
    };
    let rows = n.div_ceil(cols);
    let legend = if cond.labels.len() > 1 {
        cond.labels
            .iter()
            .enumerate()
            .map(|(i, l)| LegendEntry {
                label: l.clone(),
                style: style::series_style(i),
                line: true,
                marker: true,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(TimeSeries {
        series,
        labels: cond.labels,
        subtitle,
        cols,
        rows,
        legend,
    }))
}

const PANEL_W: u32 = 520;
const PANEL_H: u32 = 380;

impl TimeSeries {
    fn width(&self) -> u32 {
        (PANEL_W * self.cols as u32).max(900)
    }

    fn draw_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, m: usize) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let name = &self.series.metrics[m];
        let (w, _) = area.dim_in_pixel();
        area.draw(&Text::new(
            name.clone(),
            (w as i32 / 2, 6),
            style::anchored(style::bold(style::PANEL), HPos::Center, VPos::Top),
        ))?;
        let body = area.split_vertically(36).1;
        let (ylo, yhi, unit) = self.y_range(m);
        let (xlo, xhi) = self.x_range();
        let x = Axis::numeric(xlo, xhi, 5, "tick");
        let y = Axis::numeric(ylo, yhi, 5, if unit { "mean (0–1)" } else { "mean" });
        let chart = style::cartesian(&body, &x, &y, style::y_area_for(&y.labels), true)?;
        let plot = chart.plotting_area();
        // Bands first (under every line).
        self.draw_bands(plot, m, (ylo, yhi))?;
        self.draw_lines(plot, m, (ylo, yhi))
    }

    /// The y range of panel `m`, and whether it is [0, 1]: [0, 1] for
    /// metrics within it, else from the data (from zero when no value is
    /// negative).
    fn y_range(&self, m: usize) -> (f64, f64, bool) {
        let s = &self.series;
        let mut values = Vec::new();
        for t in 0..s.ticks.len() {
            for c in 0..self.labels.len() {
                let a = s.at(t, c, m);
                let (mu, ci) = (a.mean(), a.ci95());
                values.push(mu);
                if ci.is_finite() {
                    values.push(mu - ci);
                    values.push(mu + ci);
                }
            }
        }
        let unit = values
            .iter()
            .filter(|v| v.is_finite())
            .all(|v| (0.0..=1.0).contains(v));
        let (ylo, yhi) = if unit {
            (0.0, 1.0)
        } else {
            let (a, b) = style::data_range(values.iter().copied(), false);
            let nonneg = values.iter().filter(|v| v.is_finite()).all(|&v| v >= 0.0);
            (if nonneg { 0.0 } else { a }, b)
        };
        (ylo, yhi, unit)
    }

    /// The x range: the written ticks, ending on a round tick when the
    /// last one is just short of it.
    fn x_range(&self) -> (f64, f64) {
        let s = &self.series;
        let (t0, t1) = (s.ticks[0], s.ticks[s.ticks.len() - 1]);
        if t1 > t0 {
            // End on a round tick when the last tick is just short of one.
            let (marks, _) = style::ticks(t0, t1, 5);
            let step = if marks.len() >= 2 {
                marks[1] - marks[0]
            } else {
                t1 - t0
            };
            let round = (t1 / step).ceil() * step;
            (
                t0,
                if round - t1 <= 0.05 * (t1 - t0) {
                    round
                } else {
                    t1
                },
            )
        } else {
            (t0 - 1.0, t0 + 1.0)
        }
    }

    /// Draws the 95% band of each condition of panel `m`, one polygon per
    /// stretch of ticks where it is defined, clamped to `(ylo, yhi)`.
    fn draw_bands<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        m: usize,
        (ylo, yhi): (f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let s = &self.series;
        let clamp = |v: f64| v.clamp(ylo, yhi);
        for c in 0..self.labels.len() {
            let st = style::series_style(c);
            let mut seg: Vec<(f64, f64, f64)> = Vec::new();
            let flush = |seg: &mut Vec<(f64, f64, f64)>| -> DrawResult {
                if seg.len() >= 2 {
                    let mut pts: Vec<(f64, f64)> =
                        seg.iter().map(|&(t, lo, _)| (t, clamp(lo))).collect();
                    pts.extend(seg.iter().rev().map(|&(t, _, hi)| (t, clamp(hi))));
                    plot.draw(&Polygon::new(pts, st.color.mix(0.22).filled()))?;
                }
                seg.clear();
                Ok(())
            };
            for t in 0..s.ticks.len() {
                let a = s.at(t, c, m);
                let (mu, ci) = (a.mean(), a.ci95());
                if mu.is_finite() && ci.is_finite() {
                    seg.push((s.ticks[t], mu - ci, mu + ci));
                } else {
                    flush(&mut seg)?;
                }
            }
            flush(&mut seg)?;
        }
        Ok(())
    }

    /// Draws the mean line of each condition of panel `m` and a few
    /// markers (staggered so they do not coincide).
    fn draw_lines<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        m: usize,
        (ylo, yhi): (f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let s = &self.series;
        let (nc, nt) = (self.labels.len(), s.ticks.len());
        let clamp = |v: f64| v.clamp(ylo, yhi);
        for c in 0..nc {
            let st = style::series_style(c);
            let mut seg: Vec<(f64, f64)> = Vec::new();
            for t in 0..nt {
                let mu = s.at(t, c, m).mean();
                if mu.is_finite() {
                    seg.push((s.ticks[t], clamp(mu)));
                } else {
                    style::draw_line(plot, &seg, &st, 3)?;
                    seg.clear();
                }
            }
            style::draw_line(plot, &seg, &st, 3)?;
            if nc > 1 || nt <= 12 {
                for t in marker_ticks(c, nc, nt) {
                    let mu = s.at(t, c, m).mean();
                    if mu.is_finite() {
                        style::draw_marker(plot, (s.ticks[t], clamp(mu)), st.marker, 6, st.color)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The ticks (of `nt`) where condition `c` of `nc` gets a marker: every
/// tick when there are at most 12, else six, staggered by condition.
fn marker_ticks(c: usize, nc: usize, nt: usize) -> Vec<usize> {
    let marks = 6usize;
    if nt <= 12 {
        (0..nt).collect()
    } else {
        (0..marks)
            .map(|k| {
                let f = (k as f64 + 0.5 + c as f64 / nc as f64) / (marks as f64 + 1.0);
                ((f * (nt - 1) as f64).round() as usize).min(nt - 1)
            })
            .collect()
    }
}

impl Chart for TimeSeries {
    fn size(&self) -> (u32, u32) {
        let w = self.width();
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
        let body = style::header(root, "Metrics over time", &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let lh = style::legend_height(&self.legend, w);
        let (legend, grid) = body.split_vertically(lh);
        let grid = grid.margin(0, 0, 10, 10);
        let panels = grid.split_evenly((self.rows, self.cols));
        for (m, panel) in panels.iter().enumerate().take(self.series.metrics.len()) {
            self.draw_panel(panel, m)?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
