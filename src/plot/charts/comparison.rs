//! Comparison: one metric's final-window mean per design point with its 95%
//! CI whisker, sorted from highest to lowest, each point labelled by its
//! parameter values (a dot plot). Up to 30 points are all shown; beyond,
//! the top 15 and the bottom 15, with a gap row saying how many are left
//! out. Dots are coloured and shaped by the grouping parameter (`by`, else
//! the first varying text parameter).

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, MetricStats};
use crate::plot::missing;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry};
use plotters::coord::Shift;
use plotters::prelude::*;

const SHOW_ALL: usize = 30;
const SHOW_EACH_END: usize = 15;
const ROW_H: u32 = 32;
const MAX_LABEL_PX: u32 = 460;

/// The comparison chart.
pub(crate) struct Comparison {
    metric: String,
    /// Slots from the top: `Some((mean, ci, group))` or `None` for the gap.
    slots: Vec<Option<(f64, f64, usize)>>,
    x: Axis,
    y: Axis,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
    y_area: u32,
}

/// Builds the comparison of `metric` over the design points.
pub(crate) fn build(
    agg: &Aggregate,
    metric: &MetricStats,
    by: Option<usize>,
) -> Result<Comparison> {
    let d = &agg.design;
    let group = by.or_else(|| d.group_param());
    let mut rows: Vec<usize> = (0..d.len())
        .filter(|&r| metric.mean[r].is_finite())
        .collect();
    if rows.is_empty() {
        return Err(missing(
            &agg.path,
            format!("values of `{}_mean` (every row is empty)", metric.name),
        ));
    }
    rows.sort_by(|&a, &b| metric.mean[b].total_cmp(&metric.mean[a]).then(a.cmp(&b)));
    let n = rows.len();
    let shown = shown_rows(&rows);
    let labels_top: Vec<String> = shown
        .iter()
        .map(|s| match s {
            Some(r) => style::fit_text(&d.label(*r), style::TICK, MAX_LABEL_PX),
            None => format!("⋮ {} more", n - 2 * SHOW_EACH_END),
        })
        .collect();
    let slots: Vec<Option<(f64, f64, usize)>> = shown
        .iter()
        .map(|s| {
            s.map(|r| {
                (
                    metric.mean[r],
                    metric.ci[r],
                    group.map_or(0, |g| d.params[g].level[r]),
                )
            })
        })
        .collect();
    let values = slots.iter().flatten().flat_map(|&(m, c, _)| {
        let c = if c.is_finite() { c } else { 0.0 };
        [m - c, m + c]
    });
    let unit = metric.unit();
    let (lo, hi) = style::data_range(values, unit);
    // Categories bottom-up: slot 0 (the best) at the top.
    let labels: Vec<String> = labels_top.iter().rev().cloned().collect();
    let y = Axis::categorical(&labels, "");
    let y_area = labels
        .iter()
        .map(|l| style::text_size(l, style::TICK).0)
        .max()
        .unwrap_or(0)
        + 24;
    let legend = group.map_or_else(Vec::new, |g| group_legend(d, g));
    let subtitle = subtitle(n);
    let desc = if unit {
        format!("{} (0–1)", metric.name)
    } else {
        metric.name.clone()
    };
    Ok(Comparison {
        metric: metric.name.clone(),
        slots,
        x: Axis::numeric(lo, hi, 6, &desc),
        y,
        legend,
        subtitle,
        y_area,
    })
}

/// The rows shown, from the top (`rows` sorted from highest to lowest):
/// all of them up to [`SHOW_ALL`], else the [`SHOW_EACH_END`] highest, a
/// gap (`None`) and the [`SHOW_EACH_END`] lowest.
fn shown_rows(rows: &[usize]) -> Vec<Option<usize>> {
    let n = rows.len();
    if n <= SHOW_ALL {
        rows.iter().map(|&r| Some(r)).collect()
    } else {
        rows[..SHOW_EACH_END]
            .iter()
            .map(|&r| Some(r))
            .chain(std::iter::once(None))
            .chain(rows[n - SHOW_EACH_END..].iter().map(|&r| Some(r)))
            .collect()
    }
}

/// A legend entry per level of the grouping parameter `g` (none when it
/// has one level): its colour and marker.
fn group_legend(d: &Design, g: usize) -> Vec<LegendEntry> {
    if d.params[g].levels.len() <= 1 {
        return Vec::new();
    }
    super::group_legend(d, g, false)
}

/// The subtitle's lines for `n` design points: what a dot and a whisker
/// are, and which points are shown when not all are.
fn subtitle(n: usize) -> Vec<String> {
    let mut subtitle = vec![
        "mean over replicates of each run's result, whiskers: 95% CI; sorted high to low"
            .to_string(),
    ];
    if n > SHOW_ALL {
        subtitle.push(format!(
            "the {SHOW_EACH_END} highest and {SHOW_EACH_END} lowest of {n} design points"
        ));
    }
    subtitle
}

impl Chart for Comparison {
    fn size(&self) -> (u32, u32) {
        let w = (self.y_area + 700).max(1000);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + ROW_H * self.slots.len() as u32 + 100 + style::legend_height(&self.legend, w),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{} by design point", self.metric);
        let (main, legend) =
            style::layout(root, &title, &self.subtitle, &self.legend, (0, 0, 10, 20))?;
        let chart = style::cartesian(&main, &self.x, &self.y, self.y_area, true)?;
        let plot = chart.plotting_area();
        let k = self.slots.len();
        for (i, slot) in self.slots.iter().enumerate() {
            let Some((m, c, g)) = *slot else { continue };
            let y = (k - 1 - i) as f64;
            let st = style::series_style(g);
            if c.is_finite() && c > 0.0 {
                let (a, b) = ((m - c).max(self.x.lo), (m + c).min(self.x.hi));
                let ink = st.color.stroke_width(2);
                plot.draw(&PathElement::new(vec![(a, y), (b, y)], ink))?;
                for e in [a, b] {
                    plot.draw(
                        &(EmptyElement::at((e, y)) + PathElement::new(vec![(0, -7), (0, 7)], ink)),
                    )?;
                }
            }
            style::draw_marker(plot, (m, y), st.marker, 7, st.color)?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
