//! The charts of a scenario discovery (`profspace discover`), drawn from
//! its three tables (`discover_trajectory.csv`, `discover.csv`,
//! `discover_boxes.csv`) and the folder's design points (`design.csv`,
//! the metric's means in `aggregate.csv`):
//!
//! * `discover_trajectory`: coverage against density at every step of
//!   PRIM's peeling and pasting, coloured by the number of restricted
//!   parameters, the chosen box ringed and labelled; later boxes of the
//!   covering loop in lighter marks;
//! * `discover_box`: box 1's limits, one row per restricted parameter: the
//!   box's range as a dark bar on a light track of the parameter's range
//!   over the design (a categorical parameter: one cell per level, the
//!   kept ones dark), its quasi-p-value at the right;
//! * `discover_scatter`: the design points over the two numeric parameters
//!   box 1 restricts most significantly (smallest quasi-p-values), cases
//!   of interest in colour, the others grey, the box as a rectangle; the
//!   points outside the box's limits on its other restricted parameters
//!   as faint crosses.
//!
//! This file holds what they share: lighter colours, the words of a box
//! and of a limit, and a small legend whose samples are drawn as the
//! charts draw them (markers, a ring, a cross, a rectangle).

mod limits;
mod scatter;
mod trajectory;

pub(crate) use limits::limits;
pub(crate) use scatter::scatter;
pub(crate) use trajectory::trajectory;

use crate::plot::data::{ChosenBox, Restriction};
use crate::plot::style::{self, DrawResult, Marker};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// `c` mixed with white: `f` = 0 keeps it, 1 is white.
pub(super) fn lighten(c: RGBColor, f: f64) -> RGBColor {
    let m = |x: u8| (x as f64 + (255.0 - x as f64) * f).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// `coverage 0.828, density 0.65` (3 significant digits).
pub(super) fn stats_words(b: &ChosenBox) -> String {
    format!(
        "coverage {}, density {}",
        style::fmt_sig(b.at.coverage, 3),
        style::fmt_sig(b.at.density, 3)
    )
}

/// A quasi-p-value as written at the right of a row: `p = 0.0944`,
/// `p = 2.17e-5` (3 significant digits), `p undefined`.
pub(super) fn p_words(p: f64) -> String {
    if !p.is_finite() {
        return "p undefined".to_string();
    }
    if p == 0.0 || p >= 1e-3 {
        return format!("p = {}", style::fmt_sig(p, 3));
    }
    let s = format!("{p:.2e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("p = {mantissa}e{exp}")
}

/// One limit in words: `managers.focus ≥ 0.53`, `0.2 ≤ x ≤ 0.8`,
/// `coupling = freedom_safety`, `coupling ∈ {a, b}`; `range` is the
/// parameter's range over the design (a side at or beyond it is no
/// limit).
pub(super) fn limit_words(name: &str, limit: &Restriction, range: (f64, f64)) -> String {
    match limit {
        Restriction::Range { lower, upper } => {
            let (lo, hi) = sides(*lower, *upper, range);
            match (lo, hi) {
                (Some(a), Some(b)) => {
                    format!(
                        "{} ≤ {name} ≤ {}",
                        style::fmt_sig(a, 3),
                        style::fmt_sig(b, 3)
                    )
                }
                (Some(a), None) => format!("{name} ≥ {}", style::fmt_sig(a, 3)),
                (None, Some(b)) => format!("{name} ≤ {}", style::fmt_sig(b, 3)),
                (None, None) => format!("{name} anywhere"),
            }
        }
        Restriction::Levels(kept) if kept.len() == 1 => format!("{name} = {}", kept[0]),
        Restriction::Levels(kept) => format!("{name} ∈ {{{}}}", kept.join(", ")),
    }
}

/// The sides of `[lower, upper]` that limit a parameter whose values run
/// over `range`: a side that is undefined or at or beyond the range's end
/// is none.
pub(super) fn sides(lower: f64, upper: f64, range: (f64, f64)) -> (Option<f64>, Option<f64>) {
    (
        (lower.is_finite() && lower > range.0).then_some(lower),
        (upper.is_finite() && upper < range.1).then_some(upper),
    )
}

/// What a legend entry shows beside its label.
#[derive(Clone, Copy, Debug)]
pub(super) enum Sample {
    /// A marker of the charts' kind, radius and colour.
    Marker(Marker, i32, RGBColor),
    /// The ring around a chosen box.
    Ring,
    /// A thin cross of a colour.
    Cross(RGBColor),
    /// The outline of a box.
    Rect,
    /// Text alone (a heading of the row).
    None,
}

const SAMPLE_W: i32 = 30;
const GAP: i32 = 28;
const ROW_H: i32 = 30;

fn item_width((sample, label): &(Sample, String)) -> i32 {
    let text = (style::text_size(label, style::LEGEND).0 as f64 * 1.1).ceil() as i32;
    match sample {
        Sample::None => text,
        _ => SAMPLE_W + 8 + text,
    }
}

/// The rows of a legend `width` pixels wide: each of `groups` starts a
/// row, and its items flow on in rows as wide as fit.
fn rows(groups: &[Vec<(Sample, String)>], width: i32) -> Vec<Vec<&(Sample, String)>> {
    let mut out: Vec<Vec<&(Sample, String)>> = Vec::new();
    for g in groups {
        let mut used = i32::MAX;
        for item in g {
            let w = item_width(item);
            if used.saturating_add(GAP + w) > width {
                out.push(Vec::new());
                used = w;
            } else {
                used += GAP + w;
            }
            if let Some(row) = out.last_mut() {
                row.push(item);
            }
        }
    }
    out
}

/// The height of a legend of `groups` `width` pixels wide.
pub(super) fn legend_height(groups: &[Vec<(Sample, String)>], width: u32) -> u32 {
    (rows(groups, width as i32 - 40).len() as i32 * ROW_H + 16) as u32
}

/// Draws a legend of `groups` (each starts a row), rows centred.
pub(super) fn draw_legend<DB>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Vec<(Sample, String)>],
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    for (r, row) in rows(groups, w as i32 - 40).iter().enumerate() {
        let total: i32 =
            row.iter().map(|i| item_width(i)).sum::<i32>() + GAP * (row.len() as i32 - 1);
        let mut x = (w as i32 - total) / 2;
        let y = 8 + r as i32 * ROW_H + ROW_H / 2;
        for item in row {
            let (sample, label) = item;
            let c = (x + SAMPLE_W / 2, y);
            match *sample {
                Sample::Marker(m, radius, color) => style::draw_marker(area, c, m, radius, color)?,
                Sample::Ring => area.draw(&Circle::new(c, 11, style::TEXT.stroke_width(3)))?,
                Sample::Cross(color) => draw_cross(area, c, 6, color)?,
                Sample::Rect => area.draw(&Rectangle::new(
                    [(x + 2, y - 10), (x + SAMPLE_W - 2, y + 10)],
                    style::TEXT.stroke_width(3),
                ))?,
                Sample::None => {}
            }
            let tx = match sample {
                Sample::None => x,
                _ => x + SAMPLE_W + 8,
            };
            area.draw(&Text::new(
                label.clone(),
                (tx, y),
                style::anchored(style::font(style::LEGEND), HPos::Left, VPos::Center),
            ))?;
            x += item_width(item) + GAP;
        }
    }
    Ok(())
}

/// A thin cross of half-width `r` pixels at `at`.
pub(super) fn draw_cross<DB, CT>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    r: i32,
    color: RGBColor,
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
    CT::From: Clone + 'static,
{
    let s = color.stroke_width(2);
    area.draw(
        &(EmptyElement::at(at)
            + PathElement::new(vec![(-r, -r), (r, r)], s)
            + PathElement::new(vec![(-r, r), (r, -r)], s)),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_have_three_significant_digits() {
        assert_eq!(p_words(0.0000383232), "p = 3.83e-5");
        assert_eq!(p_words(0.00009100), "p = 9.1e-5");
        assert_eq!(p_words(0.0943455), "p = 0.0943");
        assert_eq!(p_words(0.48006906), "p = 0.48");
        assert_eq!(p_words(f64::NAN), "p undefined");
        let r = Restriction::Range {
            lower: 0.530416,
            upper: 0.99831,
        };
        assert_eq!(limit_words("f", &r, (0.0, 1.0)), "0.53 ≤ f ≤ 0.998");
        assert_eq!(limit_words("f", &r, (0.0, 0.99831)), "f ≥ 0.53");
        let r = Restriction::Range {
            lower: f64::NAN,
            upper: 0.7453,
        };
        assert_eq!(limit_words("d", &r, (0.0, 1.0)), "d ≤ 0.745");
        let k = Restriction::Levels(vec!["a".into(), "b".into()]);
        assert_eq!(limit_words("c", &k, (f64::NAN, f64::NAN)), "c ∈ {a, b}");
        assert_eq!(lighten(RGBColor(0, 100, 255), 0.5), RGBColor(128, 178, 255));
    }
}
