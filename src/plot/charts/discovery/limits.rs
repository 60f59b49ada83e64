//! `discover_box`: the limits of box 1, one row per restricted parameter
//! (in the order of `discover_boxes.csv`): its name at the left, a light
//! track spanning the parameter's range over the design points with the
//! box's `[lower, upper]` as a dark bar on it (the limits written above
//! it, the range's ends below), or for a categorical parameter one cell
//! per level with the kept ones dark; the quasi-p-value at the right.

use super::{p_words, sides, stats_words};
use crate::error::Result;
use crate::plot::data::{BoxLimit, ChosenBox, Design, Restriction};
use crate::plot::style::{self, Chart, DrawResult};
use crate::plot::{invalid, missing};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

const ROW_H: u32 = 84;
const TRACK_H: i32 = 18;
const P_W: u32 = 200;
const MAX_NAME_W: u32 = 420;
const KEPT: RGBColor = style::OKABE_ITO[0];
const TRACK: RGBColor = RGBColor(222, 222, 222);

/// What a row shows.
enum Shape {
    /// A numeric parameter: its range over the design and the box's limits
    /// (clamped to the range; an open side at the range's end), and the
    /// limits in words.
    Range {
        range: (f64, f64),
        bar: (f64, f64),
        words: String,
    },
    /// A categorical parameter: each level and whether the box keeps it.
    Levels(Vec<(String, bool)>),
}

struct Row {
    name: String,
    shape: Shape,
    p: String,
}

/// The chart of box 1's limits.
pub(crate) struct Limits {
    title: String,
    subtitle: Vec<String>,
    rows: Vec<Row>,
    name_w: u32,
}

/// The limits written above a bar: `0.53 – 0.998`, `≥ 0.53`, `≤ 0.745`.
fn bar_words(lo: Option<f64>, hi: Option<f64>) -> String {
    let f = |x: f64| style::fmt_sig(x, 3);
    match (lo, hi) {
        (Some(a), Some(b)) => format!("{} – {}", f(a), f(b)),
        (Some(a), None) => format!("≥ {}", f(a)),
        (None, Some(b)) => format!("≤ {}", f(b)),
        (None, None) => "the whole range".into(),
    }
}

/// The row of one restricted parameter; its values come from `design`
/// (read from `file`).
fn row(l: &BoxLimit, design: &Design, file: &Path) -> Result<Row> {
    let p = design.param(&l.parameter).ok_or_else(|| {
        missing(
            file,
            format!(
                "column `{}` (a restricted parameter in discover_boxes.csv)",
                l.parameter
            ),
        )
    })?;
    let param = &design.params[p];
    let shape = match (&l.limit, &param.num) {
        (Restriction::Range { lower, upper }, Some(v)) => {
            let range = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let (lo, hi) = sides(*lower, *upper, range);
            Shape::Range {
                range,
                bar: (lo.unwrap_or(range.0), hi.unwrap_or(range.1)),
                words: bar_words(lo, hi),
            }
        }
        (Restriction::Range { .. }, None) => {
            return Err(invalid(
                file,
                format!(
                    "`{}` has numeric limits in discover_boxes.csv but values that are not \
                     numbers here",
                    l.parameter
                ),
            ));
        }
        (Restriction::Levels(kept), _) => {
            if let Some(k) = kept.iter().find(|k| !param.levels.contains(k)) {
                return Err(invalid(
                    file,
                    format!(
                        "discover_boxes.csv keeps the level `{k}` of `{}`, which no design \
                         point has",
                        l.parameter
                    ),
                ));
            }
            Shape::Levels(
                param
                    .levels
                    .iter()
                    .map(|v| (v.clone(), kept.contains(v)))
                    .collect(),
            )
        }
    };
    Ok(Row {
        name: l.parameter.clone(),
        shape,
        p: p_words(l.p_value),
    })
}

/// The chart of the limits `limits` of box `first` over `design`.
pub(crate) fn limits(
    first: &ChosenBox,
    limits: &[&BoxLimit],
    design: &Design,
    file: &Path,
) -> Result<Limits> {
    let rows: Vec<Row> = limits
        .iter()
        .map(|l| row(l, design, file))
        .collect::<Result<_, _>>()?;
    let name_w = rows
        .iter()
        .map(|r| style::bold_text_size(&r.name, style::AXIS).0)
        .max()
        .unwrap_or(0)
        .min(MAX_NAME_W);
    Ok(Limits {
        title: format!(
            "where {} lives: box {} ({})",
            first.rule(),
            first.at.box_no,
            stats_words(first)
        ),
        subtitle: vec![
            "light track: the parameter's range over the design points; dark: the box's limits \
             (categorical: the levels kept)"
                .into(),
            "p: quasi-p-value of the restriction (small: unlikely to raise the density by chance)"
                .into(),
        ],
        rows,
        name_w,
    })
}

impl Limits {
    /// Draws row `r` in `area` (one row high), the track from `x0` to `x1`.
    fn draw_row<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        r: &Row,
        (x0, x1): (i32, i32),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let y = ROW_H as i32 / 2;
        let name = style::fit_text(&r.name, style::AXIS, MAX_NAME_W);
        area.draw(&Text::new(
            name,
            (x0 - 24, y),
            style::anchored(style::bold(style::AXIS), HPos::Right, VPos::Center),
        ))?;
        area.draw(&Text::new(
            r.p.clone(),
            (x1 + 24, y),
            style::anchored(style::font(style::AXIS), HPos::Left, VPos::Center),
        ))?;
        let (top, bottom) = (y - TRACK_H / 2, y + TRACK_H / 2);
        match &r.shape {
            Shape::Range { range, bar, words } => {
                let span = range.1 - range.0;
                let px = |v: f64| {
                    let f = if span > 0.0 {
                        (v - range.0) / span
                    } else {
                        0.5
                    };
                    x0 + ((x1 - x0) as f64 * f.clamp(0.0, 1.0)).round() as i32
                };
                area.draw(&Rectangle::new([(x0, top), (x1, bottom)], TRACK.filled()))?;
                let (b0, b1) = (px(bar.0), px(bar.1).max(px(bar.0) + 2));
                area.draw(&Rectangle::new(
                    [(b0, top - 3), (b1, bottom + 3)],
                    KEPT.filled(),
                ))?;
                let tw = style::text_size(words, style::TICK).0 as i32;
                let cx = ((b0 + b1) / 2).clamp(x0 + tw / 2, (x1 - tw / 2).max(x0 + tw / 2));
                area.draw(&Text::new(
                    words.clone(),
                    (cx, top - 6),
                    style::anchored(style::bold(style::TICK), HPos::Center, VPos::Bottom),
                ))?;
                let ends = style::anchored(
                    style::font(style::TICK).color(&style::INK),
                    HPos::Left,
                    VPos::Top,
                );
                area.draw(&Text::new(
                    style::fmt_sig(range.0, 3),
                    (x0, bottom + 6),
                    ends.clone(),
                ))?;
                area.draw(&Text::new(
                    style::fmt_sig(range.1, 3),
                    (x1, bottom + 6),
                    ends.pos(plotters::style::text_anchor::Pos::new(
                        HPos::Right,
                        VPos::Top,
                    )),
                ))?;
            }
            Shape::Levels(levels) => self.draw_levels(area, levels, (x0, x1), (top, bottom))?,
        }
        Ok(())
    }

    /// One cell per level, the kept ones dark, each with its name.
    fn draw_levels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        levels: &[(String, bool)],
        (x0, x1): (i32, i32),
        (top, bottom): (i32, i32),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = levels.len().max(1) as i32;
        let cell = (x1 - x0) / n;
        for (k, (level, kept)) in levels.iter().enumerate() {
            let a = x0 + k as i32 * cell;
            let b = if k as i32 == n - 1 { x1 } else { a + cell - 4 };
            let (fill, text) = if *kept {
                (KEPT, WHITE)
            } else {
                (TRACK, style::INK)
            };
            area.draw(&Rectangle::new(
                [(a, top - 10), (b, bottom + 10)],
                fill.filled(),
            ))?;
            let label = style::fit_text(
                &style::label_value(level),
                style::TICK,
                (b - a - 8).max(8) as u32,
            );
            let font = if *kept {
                style::bold(style::TICK)
            } else {
                style::font(style::TICK)
            };
            area.draw(&Text::new(
                label,
                ((a + b) / 2, (top + bottom) / 2),
                style::anchored(font.color(&text), HPos::Center, VPos::Center),
            ))?;
        }
        Ok(())
    }
}

impl Chart for Limits {
    fn size(&self) -> (u32, u32) {
        let title_w = style::bold_text_size(&self.title, style::TITLE).0 + 60;
        let w = (self.name_w + 48 + 640 + P_W).max(1100).max(title_w);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + ROW_H * self.rows.len().max(1) as u32 + 40)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(root, &self.title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let (x0, x1) = ((self.name_w + 48) as i32, (w - P_W - 24) as i32);
        if self.rows.is_empty() {
            body.draw(&Text::new(
                "the box restricts no parameter: the cases of interest are spread over the \
                 whole design",
                (w as i32 / 2, ROW_H as i32 / 2),
                style::anchored(style::font(style::AXIS), HPos::Center, VPos::Center),
            ))?;
            return Ok(());
        }
        for (k, r) in self.rows.iter().enumerate() {
            let top = 10 + k as u32 * ROW_H;
            let area = body.clone().shrink((0, top), (w, ROW_H));
            self.draw_row(&area, r, (x0, x1))?;
        }
        Ok(())
    }
}
