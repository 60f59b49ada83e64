//! Lines: one metric's final-window mean against a numeric parameter, with
//! a shaded 95% CI band, one line per value of a grouping parameter (March
//! 1991's Figure 1: knowledge against socialization, one line per code
//! learning rate). Points that differ only in further varying parameters
//! are averaged; their CI half-widths combine as √(Σ ciᵢ²) / k, the CI of a
//! mean of k independent means (said in the subtitle).

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, MetricStats};
use crate::plot::invalid;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The lines chart.
pub(crate) struct Lines {
    title: String,
    /// Per group: points (x, mean, ci).
    series: Vec<Vec<(f64, f64, f64)>>,
    x: Axis,
    y: Axis,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
}

/// Builds the lines of `metric` against parameter `x`, grouped by `group`.
pub(crate) fn build(
    agg: &Aggregate,
    metric: &MetricStats,
    x: usize,
    group: Option<usize>,
) -> Result<Lines> {
    let d = &agg.design;
    let px = &d.params[x];
    if !px.numeric() {
        return Err(invalid(
            &agg.path,
            format!("parameter `{}` is not numeric", px.name),
        ));
    }
    let group = group.filter(|&g| g != x);
    let ng = group.map_or(1, |g| d.params[g].levels.len());
    let nx = px.levels.len();
    let series = series(d, metric, x, group);
    let averaged: Vec<&str> = d
        .varying()
        .into_iter()
        .filter(|&i| i != x && Some(i) != group)
        .map(|i| d.params[i].name.as_str())
        .collect();
    let xs: Vec<f64> = (0..nx).map(|j| px.level_value(j)).collect();
    let (x0, x1) = match (xs.first(), xs.last()) {
        (Some(&a), Some(&b)) if b > a => {
            let pad = (b - a) * 0.03;
            (a - pad, b + pad)
        }
        (Some(&a), _) => (a - 0.5, a + 0.5),
        _ => (0.0, 1.0),
    };
    let unit = metric.unit();
    let ys = series.iter().flatten().flat_map(|&(_, m, c)| {
        let c = if c.is_finite() { c } else { 0.0 };
        [m - c, m + c]
    });
    let (y0, y1) = style::data_range(ys, unit);
    let legend = match group {
        Some(g) if ng > 1 => legend(d, g),
        _ => Vec::new(),
    };
    let mut subtitle =
        vec!["mean over replicates of each run's result, shaded: 95% confidence band".to_string()];
    if !averaged.is_empty() {
        subtitle.push(format!("averaged over {}", averaged.join(", ")));
    }
    let title = match group {
        Some(g) => format!(
            "{} against {}, by {}",
            metric.name, px.name, d.params[g].name
        ),
        None => format!("{} against {}", metric.name, px.name),
    };
    let ydesc = if unit {
        format!("{} (0–1)", metric.name)
    } else {
        metric.name.clone()
    };
    Ok(Lines {
        title,
        series,
        x: Axis::numeric(x0, x1, 6, &px.name),
        y: Axis::numeric(y0, y1, 6, &ydesc),
        legend,
        subtitle,
    })
}

/// Per group (one when `group` is `None`): the points (x, mean, ci) of
/// `metric` at each level of parameter `x` that has data, averaged over
/// the points that differ only in other parameters.
fn series(
    d: &Design,
    metric: &MetricStats,
    x: usize,
    group: Option<usize>,
) -> Vec<Vec<(f64, f64, f64)>> {
    let px = &d.params[x];
    let ng = group.map_or(1, |g| d.params[g].levels.len());
    let nx = px.levels.len();
    let mut sum = vec![vec![(0.0, 0.0, 0usize, true); nx]; ng];
    for r in 0..d.len() {
        let (m, c) = (metric.mean[r], metric.ci[r]);
        if !m.is_finite() {
            continue;
        }
        let g = group.map_or(0, |g| d.params[g].level[r]);
        let cell = &mut sum[g][px.level[r]];
        cell.0 += m;
        cell.1 += c * c;
        cell.2 += 1;
        cell.3 &= c.is_finite();
    }
    sum.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| c.2 > 0)
                .map(|(j, &(s, s2, k, ok))| {
                    let k = k as f64;
                    let ci = if ok { s2.sqrt() / k } else { f64::NAN };
                    (px.level_value(j), s / k, ci)
                })
                .collect()
        })
        .collect()
}

/// One legend entry per level of the grouping parameter `g`.
fn legend(d: &Design, g: usize) -> Vec<LegendEntry> {
    super::group_legend(d, g, true)
}

impl Chart for Lines {
    fn size(&self) -> (u32, u32) {
        let w = 1100;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + 640 + style::legend_height(&self.legend, w) + 10)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (main, legend) = style::layout(
            root,
            &self.title,
            &self.subtitle,
            &self.legend,
            (0, 0, 10, 20),
        )?;
        let chart = style::cartesian(
            &main,
            &self.x,
            &self.y,
            style::y_area_for(&self.y.labels),
            true,
        )?;
        let plot = chart.plotting_area();
        let clamp = |v: f64| v.clamp(self.y.lo, self.y.hi);
        for (g, pts) in self.series.iter().enumerate() {
            let st = style::series_style(g);
            // A band over each stretch of points with a CI; a whisker for
            // a lone point.
            for stretch in pts.split(|p| !p.2.is_finite()) {
                match stretch {
                    [] => {}
                    [(x, m, c)] => {
                        plot.draw(&PathElement::new(
                            vec![(*x, clamp(m - c)), (*x, clamp(m + c))],
                            st.color.stroke_width(2),
                        ))?;
                    }
                    _ => {
                        let mut poly: Vec<(f64, f64)> =
                            stretch.iter().map(|&(x, m, c)| (x, clamp(m - c))).collect();
                        poly.extend(stretch.iter().rev().map(|&(x, m, c)| (x, clamp(m + c))));
                        plot.draw(&Polygon::new(poly, st.color.mix(0.2).filled()))?;
                    }
                }
            }
        }
        for (g, pts) in self.series.iter().enumerate() {
            let st = style::series_style(g);
            let line: Vec<(f64, f64)> = pts.iter().map(|&(x, m, _)| (x, clamp(m))).collect();
            style::draw_line(plot, &line, &st, 3)?;
            for &(x, m) in &line {
                style::draw_marker(plot, (x, m), st.marker, 6, st.color)?;
            }
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
