//! Heatmap: one metric's final-window mean over two swept numeric
//! parameters (x, y), one panel per value of a third parameter (the `by`
//! parameter, else the first other varying one, text preferred), all panels
//! on one viridis scale with a colour bar; every cell shows its value.
//! Points that differ only in further varying parameters are averaged into
//! one cell (said in the subtitle).

use crate::error::Result;
use crate::plot::data::{Aggregate, Design, MetricStats};
use crate::plot::style::{self, Axis, Chart, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many panels (values of the panel parameter).
const MAX_PANELS: usize = 12;

/// The heatmap chart.
pub(crate) struct Heatmap {
    metric: String,
    x: Axis,
    y: Axis,
    /// Panel caption and cells `[yi][xi]` (NaN: no data).
    panels: Vec<(String, Vec<Vec<f64>>)>,
    lo: f64,
    hi: f64,
    decimals: usize,
    subtitle: Vec<String>,
    cell_w: u32,
    cell_h: u32,
    cols: usize,
    rows: usize,
    y_area: u32,
}

/// Builds the heatmap of `metric` over parameters `x` × `y`.
pub(crate) fn build(
    agg: &Aggregate,
    metric: &MetricStats,
    x: usize,
    y: usize,
    by: Option<usize>,
) -> Result<Heatmap> {
    let d = &agg.design;
    let (px, py) = (&d.params[x], &d.params[y]);
    let others: Vec<usize> = d
        .varying()
        .into_iter()
        .filter(|&i| i != x && i != y)
        .collect();
    let panel = by.filter(|&b| b != x && b != y).or_else(|| {
        let candidates = || others.iter().copied().filter(|&i| !d.params[i].sampled);
        candidates()
            .find(|&i| !d.params[i].numeric())
            .or(candidates().next())
    });
    let averaged: Vec<&str> = others
        .iter()
        .filter(|&&i| Some(i) != panel)
        .map(|&i| d.params[i].name.as_str())
        .collect();
    let (nx, ny) = (px.levels.len(), py.levels.len());
    let panel_levels: Vec<String> = match panel {
        Some(p) => d.params[p]
            .shown_levels()
            .into_iter()
            .take(MAX_PANELS)
            .collect(),
        None => vec![String::new()],
    };
    let panels: Vec<(String, Vec<Vec<f64>>)> = panel_levels
        .iter()
        .enumerate()
        .map(|(k, level)| {
            let caption = match panel {
                Some(p) => format!("{} = {level}", d.params[p].name),
                None => String::new(),
            };
            (caption, cells(d, metric, (x, y), panel.map(|p| (p, k))))
        })
        .collect();
    let (lo, hi, decimals) = scale(&panels);
    let mut subtitle = vec![format!(
        "mean over replicates of each run's result; one colour scale for all panels"
    )];
    if panel_levels.len() < panel.map_or(1, |p| d.params[p].levels.len()) {
        subtitle.push(format!("first {MAX_PANELS} panels shown"));
    }
    if !averaged.is_empty() {
        subtitle.push(format!("each cell averages over {}", averaged.join(", ")));
    }
    let cell_w = (540 / nx as u32).clamp(28, 110);
    let cell_h = (480 / ny as u32).clamp(24, 96);
    let np = panels.len();
    let cols = np.min(3);
    let rows = np.div_ceil(cols);
    let y = Axis::categorical(&py.shown_levels(), &py.name);
    let y_area = style::y_area_for(&y.labels);
    Ok(Heatmap {
        metric: metric.name.clone(),
        x: Axis::categorical(&px.shown_levels(), &px.name),
        y,
        panels,
        lo,
        hi,
        decimals,
        subtitle,
        cell_w,
        cell_h,
        cols,
        rows,
        y_area,
    })
}

/// The cells `[yi][xi]` of one panel: the mean of `metric` over the points
/// at each level of parameters `x` and `y` (and, with `panel` = (p, k), at
/// level `k` of parameter `p`); NaN where there is none.
fn cells(
    d: &Design,
    metric: &MetricStats,
    (x, y): (usize, usize),
    panel: Option<(usize, usize)>,
) -> Vec<Vec<f64>> {
    let (px, py) = (&d.params[x], &d.params[y]);
    let (nx, ny) = (px.levels.len(), py.levels.len());
    let mut sum = vec![vec![0.0; nx]; ny];
    let mut cnt = vec![vec![0u32; nx]; ny];
    for r in 0..d.len() {
        if panel.is_some_and(|(p, k)| d.params[p].level[r] != k) {
            continue;
        }
        let v = metric.mean[r];
        if v.is_finite() {
            sum[py.level[r]][px.level[r]] += v;
            cnt[py.level[r]][px.level[r]] += 1;
        }
    }
    sum.iter()
        .zip(&cnt)
        .map(|(s, c)| {
            s.iter()
                .zip(c)
                .map(|(&s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
                .collect()
        })
        .collect()
}

/// The colour scale shared by all panels (lo, hi) and the decimals its
/// values are written with (enough to tell the cells apart, at most 3
/// significant digits); a constant metric is centred on the scale.
fn scale(panels: &[(String, Vec<Vec<f64>>)]) -> (f64, f64, usize) {
    let all = panels.iter().flat_map(|(_, c)| c.iter().flatten().copied());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in all.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let span = hi - lo;
    let decimals = if span > 0.0 {
        (1.0 - span.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        2
    };
    // No more than 3 significant digits for the largest value.
    let big = lo.abs().max(hi.abs());
    let decimals = if big > 0.0 {
        decimals.min((2.0 - big.log10().floor()).clamp(0.0, 6.0) as usize)
    } else {
        decimals
    };
    if span <= 0.0 {
        // A constant metric: centre it on the scale.
        let pad = (lo.abs() * 0.1).max(0.05);
        (lo, hi) = (lo - pad, hi + pad);
    }
    (lo, hi, decimals)
}

const BAR_W: u32 = 150;
const CAPTION_H: u32 = 40;

impl Heatmap {
    fn panel_size(&self) -> (u32, u32) {
        let nx = self.x.labels.len() as u32;
        let ny = self.y.labels.len() as u32;
        (
            self.y_area + nx * self.cell_w + 8 + 24 + 20,
            self.caption_h() + style::TOP_MARGIN + ny * self.cell_h + style::X_AREA + 4,
        )
    }

    fn caption_h(&self) -> u32 {
        if self.panels.iter().any(|(c, _)| !c.is_empty()) {
            CAPTION_H
        } else {
            0
        }
    }

    fn t(&self, v: f64) -> f64 {
        (v - self.lo) / (self.hi - self.lo)
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        caption: &str,
        cells: &[Vec<f64>],
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = area.dim_in_pixel();
        let body = if caption.is_empty() {
            area.clone()
        } else {
            area.draw(&Text::new(
                caption.to_string(),
                (w as i32 / 2, 8),
                style::anchored(style::bold(style::PANEL), HPos::Center, VPos::Top),
            ))?;
            area.split_vertically(CAPTION_H).1
        };
        let chart = style::cartesian(&body, &self.x, &self.y, self.y_area, false)?;
        let plot = chart.plotting_area();
        let value_font = style::font(style::CELL);
        let show_values = self.cell_w >= 44 && self.cell_h >= 24;
        for (yi, row) in cells.iter().enumerate() {
            for (xi, &v) in row.iter().enumerate() {
                let (x0, y0) = (xi as f64 - 0.5, yi as f64 - 0.5);
                let fill = if v.is_finite() {
                    style::viridis(self.t(v))
                } else {
                    RGBColor(235, 235, 235)
                };
                plot.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    fill.filled(),
                ))?;
                plot.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    WHITE.stroke_width(1),
                ))?;
                if show_values {
                    let text = style::fmt_num(v, self.decimals);
                    let color = if !v.is_finite() || style::dark_text_on(fill) {
                        style::TEXT
                    } else {
                        WHITE
                    };
                    plot.draw(&Text::new(
                        text,
                        (xi as f64, yi as f64),
                        style::anchored(
                            value_font.clone().color(&color),
                            HPos::Center,
                            VPos::Center,
                        ),
                    ))?;
                }
            }
        }
        Ok(())
    }

    fn draw_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (bx, bw) = (20, 28);
        let top = (self.caption_h() + style::TOP_MARGIN) as i32;
        let bottom = top + (self.y.labels.len() as u32 * self.cell_h) as i32;
        area.draw(&Text::new(
            self.metric.clone(),
            (bx, top - 10),
            style::anchored(style::bold(style::LEGEND), HPos::Left, VPos::Bottom),
        ))?;
        let steps = 120;
        for k in 0..steps {
            let f0 = k as f64 / steps as f64;
            let f1 = (k + 1) as f64 / steps as f64;
            let y0 = bottom - ((bottom - top) as f64 * f0).round() as i32;
            let y1 = bottom - ((bottom - top) as f64 * f1).round() as i32;
            area.draw(&Rectangle::new(
                [(bx, y1), (bx + bw, y0)],
                style::viridis((f0 + f1) / 2.0).filled(),
            ))?;
        }
        area.draw(&Rectangle::new(
            [(bx, top), (bx + bw, bottom)],
            style::INK.stroke_width(1),
        ))?;
        let (ticks, d) = style::ticks(self.lo, self.hi, 5);
        for t in ticks {
            let y = bottom - ((bottom - top) as f64 * self.t(t)).round() as i32;
            area.draw(&PathElement::new(
                vec![(bx + bw, y), (bx + bw + 6, y)],
                style::INK.stroke_width(1),
            ))?;
            area.draw(&Text::new(
                style::fmt_num(t, d),
                (bx + bw + 10, y),
                style::anchored(style::font(style::TICK), HPos::Left, VPos::Center),
            ))?;
        }
        Ok(())
    }
}

fn title(h: &Heatmap) -> String {
    format!("{} over {} × {}", h.metric, h.x.desc, h.y.desc)
}

fn title_w(h: &Heatmap) -> u32 {
    style::bold_text_size(&title(h), style::TITLE).0
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        let (pw, ph) = self.panel_size();
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            (pw * self.cols as u32 + BAR_W + 20)
                .max(title_w(self) + 60)
                .max(800),
            head + ph * self.rows as u32 + 10,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(root, &title(self), &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let (pw, ph) = self.panel_size();
        let used = pw * self.cols as u32 + BAR_W;
        let body = body.margin(0, 0, (w.saturating_sub(used)) / 2, 0);
        let (grid, bar) = body.split_horizontally(pw * self.cols as u32);
        for (k, (caption, cells)) in self.panels.iter().enumerate() {
            let (r, c) = (k / self.cols, k % self.cols);
            let panel = grid
                .clone()
                .shrink((pw * c as u32, ph * r as u32), (pw, ph));
            self.draw_panel(&panel, caption, cells)?;
        }
        let bar = bar.shrink((0, 0), (BAR_W, ph));
        self.draw_bar(&bar)
    }
}
