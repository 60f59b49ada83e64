//! Time series: small multiples (one panel per key metric) of the mean over
//! runs at every written tick (or period: the model's word for its time
//! axis), one line per condition, with a band around each line.
//!
//! Conditions: with at most 8 design points, each point is a condition
//! (labelled by its parameter values). With more, the lines group the
//! points by the `by` parameter, else by the first varying text parameter
//! (such as `coupling`) when it has at most 8 values: each line then pools
//! every run of every point with that value. Otherwise 8 points are shown,
//! spread evenly over the ranking of the first panel metric's final-window
//! mean (from `aggregate.csv`; the best, the worst and six between), or
//! over the design order without it.
//!
//! The band: where every line is one design point, its runs share the
//! design point and differ only in their random numbers, so the band is
//! the 95% confidence band of the mean (Student's t over the runs). Where
//! a line pools runs of different design points, a confidence band would
//! mix the design's variation into "uncertainty"; the band is then the
//! spread of the pooled runs, mean ± 1 sd, and the subtitle and the legend
//! say so. Either band is kept within the smallest and largest run at that
//! tick, so it never leaves the metric's range (a share below 0, a score
//! above 1).
//!
//! With at most [`FEW_TICKS`] written ticks, lines would suggest a course
//! between them that nobody observed: each tick gets a marker with a bar
//! (the band), joined by a thin line only from three ticks on.

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, TickSeries, Welford, read_ticks};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Plane, SeriesStyle};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;
use std::path::Path;

/// At most this many lines per panel.
const MAX_LINES: usize = 8;
/// At most this many written ticks are drawn as markers with bars.
pub(crate) const FEW_TICKS: usize = 12;

/// The lines of the chart: which design points feed which line.
#[derive(Clone, Debug)]
pub(crate) struct Conditions {
    pub labels: Vec<String>,
    pub of_point: BTreeMap<u64, usize>,
    pub note: Option<String>,
    /// Whether some line pools the runs of several design points.
    pub pooled: bool,
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
        return grouped(design, g);
    }
    if n <= MAX_LINES {
        return Conditions {
            labels: (0..n).map(|r| design.label(r)).collect(),
            of_point: (0..n).map(|r| (design.points[r], r)).collect(),
            note: None,
            pooled: false,
        };
    }
    // Eight points spread over the ranking of the final-window mean.
    let (pool, note) = match agg.and_then(|a| ranked(design, a, rank_metric)) {
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
        pooled: false,
    }
}

/// One line per level of parameter `g`, pooling its points.
fn grouped(design: &Design, g: usize) -> Conditions {
    let p = &design.params[g];
    let of_point = (0..design.len())
        .map(|r| (design.points[r], p.level[r]))
        .collect();
    let mut per_level = vec![0usize; p.levels.len()];
    for &k in &p.level {
        per_level[k] += 1;
    }
    let pooled = per_level.iter().any(|&c| c > 1);
    Conditions {
        labels: p
            .shown_levels()
            .iter()
            .map(|l| format!("{} = {l}", p.short))
            .collect(),
        of_point,
        note: pooled.then(|| {
            format!(
                "each line pools the runs of all design points with that {}",
                p.name
            )
        }),
        pooled,
    }
}

/// The design rows with a final-window mean of `metric`, best first; `None`
/// when fewer than 8 have one.
fn ranked(design: &Design, a: &Aggregate, metric: &str) -> Option<Vec<usize>> {
    let m = a.metric(metric)?;
    let by_point: BTreeMap<u64, f64> = a
        .design
        .points
        .iter()
        .zip(&m.mean)
        .map(|(&p, &v)| (p, v))
        .collect();
    let value = |r: usize| by_point.get(&design.points[r]).copied();
    let mut rows: Vec<usize> = (0..design.len())
        .filter(|&r| value(r).is_some_and(f64::is_finite))
        .collect();
    if rows.len() < MAX_LINES {
        return None;
    }
    rows.sort_by(|&a, &b| {
        let (va, vb) = (value(a).unwrap_or(0.0), value(b).unwrap_or(0.0));
        vb.total_cmp(&va).then(a.cmp(&b))
    });
    Some(rows)
}

/// What the band around a line shows (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Band {
    /// The 95% confidence band of the mean over one design point's runs.
    Confidence,
    /// The spread of runs pooled from several design points: mean ± 1 sd.
    Spread,
}

impl Band {
    /// The band at one tick, within the runs' range; `None` when undefined.
    fn bounds(self, w: &Welford) -> Option<(f64, f64)> {
        let mu = w.mean();
        let half = match self {
            Band::Confidence => w.ci95(),
            Band::Spread => w.sd(),
        };
        if !(mu.is_finite() && half.is_finite()) {
            return None;
        }
        let (lo, hi) = w.range();
        Some(((mu - half).max(lo), (mu + half).min(hi)))
    }

    /// What it is, for the legend and the subtitle: drawn as a band, or
    /// as `bars` at each tick.
    fn name(self, bars: bool) -> &'static str {
        match (self, bars) {
            (Band::Confidence, false) => "95% confidence band of the mean (Student's t)",
            (Band::Confidence, true) => "95% confidence interval of the mean (Student's t)",
            (Band::Spread, _) => "spread of the pooled runs, mean ± 1 sd",
        }
    }
}

/// What the chart needs to know besides the table: the word for the time
/// axis and the declared scale of each metric (`None`: unknown).
#[derive(Clone, Debug)]
pub(crate) struct Labels {
    pub time: String,
    pub scales: Vec<Option<String>>,
}

/// The time-series chart.
pub(crate) struct TimeSeries {
    series: TickSeries,
    labels: Vec<String>,
    band: Band,
    axis: Labels,
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
    axis: Labels,
) -> Result<Option<TimeSeries>> {
    if design.len() == 0 || metrics.is_empty() {
        return Ok(None);
    }
    let cond = conditions(design, agg, by, &metrics[0]);
    let series = read_ticks(ticks_path, metrics, cond.labels.len(), &cond.of_point)?;
    if series.ticks.is_empty() {
        return Ok(None);
    }
    let band = if cond.pooled {
        Band::Spread
    } else {
        Band::Confidence
    };
    let subtitle = subtitle(&series, band, &axis.time, cond.note);
    let legend = legend(&cond.labels, band, series.ticks.len() <= FEW_TICKS);
    let mut chart = TimeSeries {
        series,
        labels: cond.labels,
        band,
        axis,
        subtitle,
        cols: 1,
        rows: 1,
        legend,
    };
    chart.arrange();
    Ok(Some(chart))
}

/// The lines under the title: the mean, the band, the runs per line (and
/// whether runs that stopped early leave the mean), and the grouping note.
fn subtitle(series: &TickSeries, band: Band, time: &str, note: Option<String>) -> Vec<String> {
    let nc = series.conditions;
    let at = |t: usize| (0..nc).map(move |c| series.at(t, c, 0).n);
    let first: Vec<u64> = at(0).collect();
    let (lo, hi) = (first.iter().min(), first.iter().max());
    let runs = match (lo, hi) {
        (Some(a), Some(b)) if a == b => format!("{a} runs per line"),
        (Some(a), Some(b)) => format!("{a}–{b} runs per line"),
        _ => String::new(),
    };
    let few = series.ticks.len() <= FEW_TICKS;
    let shown = if few { "bars" } else { "shaded" };
    let mean = match band {
        Band::Confidence => "mean over runs",
        Band::Spread => "mean over the pooled runs",
    };
    let mut lines = vec![
        format!("{mean}; {runs}"),
        format!("{shown}: {}, within the runs' range", band.name(few)),
    ];
    if band == Band::Spread {
        lines.push("(not a confidence interval: the runs of a line differ in their design)".into());
    }
    let shrinks = (0..series.ticks.len()).any(|t| at(t).zip(&first).any(|(n, &f)| n < f));
    if shrinks {
        lines.push(format!(
            "runs that ended early are left out of later {time}s' means"
        ));
    }
    lines.extend(note);
    lines
}

/// One entry per line (when several), and one for the band when shaded.
fn legend(labels: &[String], band: Band, few: bool) -> Vec<LegendEntry> {
    let mut legend: Vec<LegendEntry> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| LegendEntry {
            label: l.clone(),
            style: style::series_style(i),
            line: true,
            marker: true,
            fill: false,
        })
        .collect();
    if labels.len() == 1 {
        legend[0].label = format!("mean, {}", legend[0].label);
    }
    if !few {
        legend.push(LegendEntry {
            label: format!("shaded: {}", band.name(false)),
            style: SeriesStyle {
                color: BAND_GREY,
                ..style::series_style(0)
            },
            line: false,
            marker: false,
            fill: true,
        });
    }
    legend
}

/// The colour of the band's legend sample (bands take their line's colour).
const BAND_GREY: RGBColor = RGBColor(110, 110, 110);

const PANEL_W: u32 = 520;
const PANEL_H: u32 = 380;

impl TimeSeries {
    /// Chooses the grid of panels for the metrics.
    fn arrange(&mut self) {
        let n = self.series.metrics.len();
        self.cols = match n {
            1..=3 => n,
            4 => 2,
            _ => 3,
        };
        self.rows = n.div_ceil(self.cols);
    }

    /// The chart of the metrics `ms` (indices) alone.
    pub fn subset(&self, ms: &[usize]) -> TimeSeries {
        let mut chart = TimeSeries {
            series: self.series.select(ms),
            labels: self.labels.clone(),
            band: self.band,
            axis: Labels {
                time: self.axis.time.clone(),
                scales: ms
                    .iter()
                    .map(|&m| self.axis.scales.get(m).cloned().flatten())
                    .collect(),
            },
            subtitle: self.subtitle.clone(),
            cols: 1,
            rows: 1,
            legend: self.legend.clone(),
        };
        chart.arrange();
        chart
    }

    fn width(&self) -> u32 {
        (PANEL_W * self.cols as u32).max(900)
    }

    fn few(&self) -> bool {
        self.series.ticks.len() <= FEW_TICKS
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
        let x = Axis::numeric(xlo, xhi, 5, &self.axis.time);
        let y = Axis::numeric(ylo, yhi, 5, &self.y_desc(m, unit));
        let chart = style::cartesian(&body, &x, &y, style::y_area_for(&y.labels), true)?;
        let plot = chart.plotting_area();
        if self.few() {
            self.draw_bars(plot, m, (ylo, yhi))?;
            self.draw_points(plot, m, (ylo, yhi))
        } else {
            // Bands first (under every line).
            self.draw_bands(plot, m, (ylo, yhi))?;
            self.draw_lines(plot, m, (ylo, yhi))
        }
    }

    /// The y axis description of panel `m`: the scale when it is [0, 1] in
    /// view and not declared otherwise, else the declared scale, if any.
    fn y_desc(&self, m: usize, unit: bool) -> String {
        match self.axis.scales.get(m).cloned().flatten() {
            Some(s) if s != "0 to 1" => format!("mean ({s})"),
            _ if unit => "mean (0–1)".to_string(),
            _ => "mean".to_string(),
        }
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
                values.push(a.mean());
                if let Some((lo, hi)) = self.band.bounds(a) {
                    values.extend([lo, hi]);
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
    /// last one is just short of it; with few ticks, half a gap beyond the
    /// first and the last (so the markers and bars stand clear).
    fn x_range(&self) -> (f64, f64) {
        let s = &self.series;
        let (t0, t1) = (s.ticks[0], s.ticks[s.ticks.len() - 1]);
        if t1 <= t0 {
            return (t0 - 1.0, t0 + 1.0);
        }
        if self.few() {
            let pad = 0.5 * self.min_gap();
            return (t0 - pad, t1 + pad);
        }
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
    }

    /// The smallest gap between written ticks (1 for a single tick).
    fn min_gap(&self) -> f64 {
        let g = self
            .series
            .ticks
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        if g.is_finite() && g > 0.0 { g } else { 1.0 }
    }

    /// The x offset of condition `c`'s markers and bars with few ticks, so
    /// that they stand side by side (at most half a gap in all).
    fn dodge(&self, c: usize) -> f64 {
        let nc = self.labels.len();
        if nc < 2 {
            return 0.0;
        }
        let step = 0.5 * self.min_gap() / nc as f64;
        (c as f64 - (nc - 1) as f64 / 2.0) * step
    }

    /// Draws the band of each condition of panel `m`, one polygon per
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
            let fill = style::series_style(c).color.mix(style::BAND_ALPHA).filled();
            let mut seg: Vec<(f64, f64, f64)> = Vec::new();
            let flush = |seg: &mut Vec<(f64, f64, f64)>| -> DrawResult {
                if seg.len() >= 2 {
                    let mut pts: Vec<(f64, f64)> =
                        seg.iter().map(|&(t, lo, _)| (t, clamp(lo))).collect();
                    pts.extend(seg.iter().rev().map(|&(t, _, hi)| (t, clamp(hi))));
                    plot.draw(&Polygon::new(pts, fill))?;
                }
                seg.clear();
                Ok(())
            };
            for t in 0..s.ticks.len() {
                match self.band.bounds(s.at(t, c, m)) {
                    Some((lo, hi)) => seg.push((s.ticks[t], lo, hi)),
                    None => flush(&mut seg)?,
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
            if nc > 1 {
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

    /// With few ticks: a bar (the band, with caps) at every tick of every
    /// condition of panel `m`.
    fn draw_bars<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        m: usize,
        (ylo, yhi): (f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let s = &self.series;
        for c in 0..self.labels.len() {
            let ink = style::series_style(c).color.stroke_width(2);
            let x_off = self.dodge(c);
            for t in 0..s.ticks.len() {
                let Some((lo, hi)) = self.band.bounds(s.at(t, c, m)) else {
                    continue;
                };
                let (lo, hi, x) = (lo.clamp(ylo, yhi), hi.clamp(ylo, yhi), s.ticks[t] + x_off);
                plot.draw(&PathElement::new(vec![(x, lo), (x, hi)], ink))?;
                for e in [lo, hi] {
                    plot.draw(
                        &(EmptyElement::at((x, e)) + PathElement::new(vec![(-6, 0), (6, 0)], ink)),
                    )?;
                }
            }
        }
        Ok(())
    }

    /// With few ticks: a marker at every tick of every condition of panel
    /// `m`, joined by a thin line from three ticks on.
    fn draw_points<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        m: usize,
        (ylo, yhi): (f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let s = &self.series;
        for c in 0..self.labels.len() {
            let st = style::series_style(c);
            let pts: Vec<(f64, f64)> = (0..s.ticks.len())
                .filter_map(|t| {
                    let mu = s.at(t, c, m).mean();
                    mu.is_finite()
                        .then(|| (s.ticks[t] + self.dodge(c), mu.clamp(ylo, yhi)))
                })
                .collect();
            if s.ticks.len() >= 3 {
                style::draw_line(plot, &pts, &st, 1)?;
            }
            for &p in &pts {
                style::draw_marker(plot, p, st.marker, 6, st.color)?;
            }
        }
        Ok(())
    }
}

/// The ticks (of `nt`) where condition `c` of `nc` gets a marker: six,
/// staggered by condition.
fn marker_ticks(c: usize, nc: usize, nt: usize) -> Vec<usize> {
    let marks = 6usize;
    (0..marks)
        .map(|k| {
            let f = (k as f64 + 0.5 + c as f64 / nc as f64) / (marks as f64 + 1.0);
            ((f * (nt - 1) as f64).round() as usize).min(nt - 1)
        })
        .collect()
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
        let title = match self.series.metrics.as_slice() {
            [one] => format!("{one} over time"),
            _ => "Metrics over time".to_string(),
        };
        let body = style::header(root, &title, &self.subtitle)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::tests::grid;

    #[test]
    fn bands_stay_within_the_runs() {
        // Two runs near 0: the t interval (1 degree of freedom) reaches far
        // below 0; the band stops at the smaller run.
        let mut w = Welford::default();
        for x in [0.01, 0.2] {
            w.push(x);
        }
        assert!(w.mean() - w.ci95() < -0.5);
        let (lo, hi) = Band::Confidence.bounds(&w).unwrap();
        assert_eq!((lo, hi), (0.01, 0.2));
        let (lo, hi) = Band::Spread.bounds(&w).unwrap();
        assert!(lo >= 0.01 && hi <= 0.2 && lo < hi);
        // One run: no band.
        let mut one = Welford::default();
        one.push(0.5);
        assert!(Band::Confidence.bounds(&one).is_none());
    }

    #[test]
    fn lines_that_pool_design_points_say_so() {
        // 12 points > 8 lines: one line per coupling, pooling 6 points each.
        let d = grid(&[
            ("coupling", &["zero_sum", "freedom_safety"]),
            ("managers.focus", &["0.1", "0.5", "0.9"]),
            ("managers.connection", &["0.2", "0.8"]),
        ]);
        let c = conditions(&d, None, None, "essential");
        assert!(c.pooled && c.note.is_some());
        assert_eq!(
            c.labels,
            vec!["coupling = zero_sum", "coupling = freedom_safety"]
        );
        // Few points: one line each, nothing pooled.
        let small = grid(&[("coupling", &["zero_sum", "freedom_safety"])]);
        assert!(!conditions(&small, None, None, "essential").pooled);
        // Grouping asked for with one point per value pools nothing.
        let by = small.param("coupling");
        assert!(!conditions(&small, None, by, "essential").pooled);
    }
}
