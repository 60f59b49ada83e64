//! Situations map: over two swept numeric parameters (x, y), one panel per
//! value of a third (the `by` parameter, else the first other varying one,
//! text preferred), every cell is a column of the shares of professionals
//! in each situation (for the professional-space model: alienated,
//! disoriented, integrated), stacked from the bottom; the rest of the cell
//! is the share in none of them. The largest share is written in the cell,
//! so a reader sees at a glance which situation dominates where.

use crate::error::Result;
use crate::plot::data::{Aggregate, MetricStats};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Marker, SeriesStyle};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many panels.
const MAX_PANELS: usize = 6;
/// The share of professionals in none of the situations.
const NONE: RGBColor = RGBColor(236, 236, 236);

/// One situation: its metric, its label in the legend and its colour.
pub(crate) struct Situation<'a> {
    pub metric: &'a MetricStats,
    pub label: String,
    pub color: RGBColor,
}

/// The chart.
pub(crate) struct Situations {
    x: Axis,
    y: Axis,
    labels: Vec<String>,
    colors: Vec<RGBColor>,
    /// Panel caption and cells `[yi][xi][situation]` (NaN: no data).
    panels: Vec<(String, Vec<Vec<Vec<f64>>>)>,
    subtitle: Vec<String>,
    cell_w: u32,
    cell_h: u32,
    cols: usize,
    rows: usize,
    y_area: u32,
}

/// Builds the map of `situations` over parameters `x` × `y`.
pub(crate) fn build(
    agg: &Aggregate,
    situations: &[Situation<'_>],
    x: usize,
    y: usize,
    by: Option<usize>,
) -> Result<Situations> {
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
    let (nx, ny, ns) = (px.levels.len(), py.levels.len(), situations.len());
    let panel_levels: Vec<String> = match panel {
        Some(p) => d.params[p]
            .shown_levels()
            .into_iter()
            .take(MAX_PANELS)
            .collect(),
        None => vec![String::new()],
    };
    let mut panels = Vec::new();
    for (k, level) in panel_levels.iter().enumerate() {
        let mut sum = vec![vec![vec![0.0; ns]; nx]; ny];
        let mut cnt = vec![vec![0u32; nx]; ny];
        for r in 0..d.len() {
            if panel.is_some_and(|p| d.params[p].level[r] != k) {
                continue;
            }
            let values: Vec<f64> = situations.iter().map(|s| s.metric.mean[r]).collect();
            if values.iter().all(|v| v.is_finite()) {
                let cell = &mut sum[py.level[r]][px.level[r]];
                for (c, v) in cell.iter_mut().zip(values) {
                    *c += v;
                }
                cnt[py.level[r]][px.level[r]] += 1;
            }
        }
        let cells = sum
            .into_iter()
            .zip(&cnt)
            .map(|(row, c)| {
                row.into_iter()
                    .zip(c)
                    .map(|(shares, &n)| {
                        shares
                            .into_iter()
                            .map(|s| if n > 0 { s / f64::from(n) } else { f64::NAN })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let caption = match panel {
            Some(p) => format!("{} = {level}", d.params[p].name),
            None => String::new(),
        };
        panels.push((caption, cells));
    }
    let mut subtitle = vec![
        "share of professionals in each situation (mean over replicates); grey: none of them"
            .to_string(),
    ];
    if !averaged.is_empty() {
        subtitle.push(format!("each cell averages over {}", averaged.join(", ")));
    }
    let cell_w = (500 / nx as u32).clamp(40, 110);
    let cell_h = (460 / ny as u32).clamp(36, 96);
    let np = panels.len();
    let cols = np.min(3);
    let y_axis = Axis::categorical(&py.shown_levels(), &py.name);
    let y_area = style::y_area_for(&y_axis.labels);
    Ok(Situations {
        x: Axis::categorical(&px.shown_levels(), &px.name),
        y: y_axis,
        labels: situations.iter().map(|s| s.label.clone()).collect(),
        colors: situations.iter().map(|s| s.color).collect(),
        panels,
        subtitle,
        cell_w,
        cell_h,
        cols,
        rows: np.div_ceil(cols),
        y_area,
    })
}

const CAPTION_H: u32 = 40;

impl Situations {
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

    fn legend(&self) -> Vec<LegendEntry> {
        let entry = |label: &str, color: RGBColor| LegendEntry {
            label: label.to_string(),
            style: SeriesStyle {
                color,
                marker: Marker::Square,
                dash: None,
            },
            line: false,
            marker: true,
            fill: false,
        };
        self.labels
            .iter()
            .zip(&self.colors)
            .map(|(l, &c)| entry(l, c))
            .chain(std::iter::once(entry(
                "none of them",
                RGBColor(200, 200, 200),
            )))
            .collect()
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        caption: &str,
        cells: &[Vec<Vec<f64>>],
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
        for (yi, row) in cells.iter().enumerate() {
            for (xi, shares) in row.iter().enumerate() {
                let (x0, y0) = (xi as f64 - 0.5, yi as f64 - 0.5);
                plot.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    NONE.filled(),
                ))?;
                let mut bottom = y0;
                for (share, color) in shares.iter().zip(&self.colors) {
                    if share.is_finite() && *share > 0.0 {
                        let top = (bottom + share).min(y0 + 1.0);
                        plot.draw(&Rectangle::new(
                            [(x0, bottom), (x0 + 1.0, top)],
                            color.filled(),
                        ))?;
                        bottom = top;
                    }
                }
                plot.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    WHITE.stroke_width(2),
                ))?;
                // The largest share, written near the top of the cell in its
                // situation's colour (white where the shares reach the text).
                let largest = shares
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.is_finite() && **s >= 0.01)
                    .max_by(|a, b| a.1.total_cmp(b.1));
                if let Some((k, share)) = largest {
                    // Above the bars, or inside a tall one.
                    let (color, at) = if bottom - y0 > 0.6 {
                        (WHITE, bottom - 0.15)
                    } else {
                        (darken(self.colors[k]), yi as f64 + 0.3)
                    };
                    plot.draw(&Text::new(
                        format!("{:.0}%", share * 100.0),
                        (xi as f64, at),
                        style::anchored(
                            style::bold(style::CELL).color(&color),
                            HPos::Center,
                            VPos::Center,
                        ),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

/// A darker shade of a colour, for text on light grey.
fn darken(c: RGBColor) -> RGBColor {
    let f = |x: u8| (f64::from(x) * 0.72).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

fn title(s: &Situations) -> String {
    format!("situations over {} × {}", s.x.desc, s.y.desc)
}

impl Chart for Situations {
    fn size(&self) -> (u32, u32) {
        let (pw, ph) = self.panel_size();
        let w = (pw * self.cols as u32 + 20)
            .max(style::bold_text_size(&title(self), style::TITLE).0 + 60)
            .max(800);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + ph * self.rows as u32 + style::legend_height(&self.legend(), w) + 10,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = self.legend();
        let (main, bottom) =
            style::layout(root, &title(self), &self.subtitle, &legend, (0, 0, 0, 0))?;
        let (w, _) = main.dim_in_pixel();
        let (pw, ph) = self.panel_size();
        let used = pw * self.cols as u32;
        let grid = main.margin(0, 0, w.saturating_sub(used) / 2, 0);
        for (k, (caption, cells)) in self.panels.iter().enumerate() {
            let (r, c) = (k / self.cols, k % self.cols);
            let panel = grid
                .clone()
                .shrink((pw * c as u32, ph * r as u32), (pw, ph));
            self.draw_panel(&panel, caption, cells)?;
        }
        style::draw_legend(&bottom, &legend)
    }
}
