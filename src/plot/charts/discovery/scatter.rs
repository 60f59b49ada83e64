//! `discover_scatter`: the design points over two numeric inputs, the
//! cases of interest (by the mean of the metric over each point's
//! replicates) in colour and the others grey, the box as a rectangle. The
//! inputs are the two numeric parameters box 1 restricts with the smallest
//! quasi-p-values; when it restricts one, that one and the numeric input
//! after it in the design's order; when none, the first two numeric
//! inputs. A point outside the box's limits on a restricted parameter not
//! on the axes (such as `coupling = freedom_safety`) is a faint cross, so
//! the rectangle holds, as solid dots, exactly the points of the box. A
//! design with fewer than two numeric inputs that vary gets no scatter.

use super::{Sample, draw_cross, draw_legend, legend_height, lighten, limit_words};
use crate::error::Result;
use crate::plot::data::{BoxLimit, ChosenBox, Design, Restriction};
use crate::plot::missing;
use crate::plot::style::{self, Axis, Chart, DrawResult, Marker, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

const CASE: RGBColor = style::OKABE_ITO[1];
const OTHER: RGBColor = RGBColor(165, 165, 165);
/// How much lighter the points outside the box's other limits are.
const FAINT: f64 = 0.6;
/// At most this many of the other limits are written out in the subtitle.
const SHOWN_LIMITS: usize = 2;

/// One design point: x, y, case of interest, within the other limits.
struct Dot(f64, f64, bool, bool);

/// The scatter of the design points with box 1.
pub(crate) struct BoxScatter {
    title: String,
    subtitle: Vec<String>,
    x: Axis,
    y: Axis,
    /// The rectangle: x from, x to, y from, y to.
    rect: (f64, f64, f64, f64),
    box_label: String,
    dots: Vec<Dot>,
    legend: Vec<Vec<(Sample, String)>>,
}

/// The design's parameter of limit `l` (read from `file`).
fn param_of(l: &BoxLimit, design: &Design, file: &Path) -> Result<usize> {
    design.param(&l.parameter).ok_or_else(|| {
        missing(
            file,
            format!(
                "column `{}` (a restricted parameter in discover_boxes.csv)",
                l.parameter
            ),
        )
    })
}

/// The two inputs on the axes, and a note when the second is not
/// restricted; `None` with fewer than two numeric inputs that vary.
fn axes(
    limits: &[(&BoxLimit, usize)],
    design: &Design,
    b: usize,
) -> Option<(usize, usize, Option<String>)> {
    let numeric: Vec<usize> = design
        .varying()
        .into_iter()
        .filter(|&i| design.params[i].numeric())
        .collect();
    if numeric.len() < 2 {
        return None;
    }
    let mut restricted: Vec<(f64, usize)> = limits
        .iter()
        .filter(|(l, p)| matches!(l.limit, Restriction::Range { .. }) && numeric.contains(p))
        .map(|(l, p)| (l.p_value, *p))
        .collect();
    // Smallest quasi-p first, undefined ones last, ties in file order.
    restricted.sort_by(|a, b| match (a.0.is_nan(), b.0.is_nan()) {
        (false, false) => a.0.total_cmp(&b.0),
        (x, y) => x.cmp(&y),
    });
    let name = |p: usize| design.params[p].name.clone();
    match restricted[..] {
        [(_, x), (_, y), ..] => Some((x, y, None)),
        [(_, x)] => {
            let k = numeric.iter().position(|&p| p == x).unwrap_or(0);
            let y = numeric[(k + 1) % numeric.len()];
            let note = format!(
                "box {b} restricts one numeric parameter, {}; {} beside it is not restricted",
                name(x),
                name(y)
            );
            Some((x, y, Some(note)))
        }
        [] => Some((
            numeric[0],
            numeric[1],
            Some(format!(
                "box {b} restricts no numeric parameter: the first two numeric inputs are shown"
            )),
        )),
    }
}

/// Whether design row `r` is within limit `l` of parameter `p`.
fn within(l: &BoxLimit, design: &Design, p: usize, r: usize) -> bool {
    let param = &design.params[p];
    match &l.limit {
        Restriction::Range { lower, upper } => param.num.as_ref().is_none_or(|v| {
            (lower.is_nan() || v[r] >= *lower) && (upper.is_nan() || v[r] <= *upper)
        }),
        Restriction::Levels(kept) => kept.contains(&param.text[r]),
    }
}

/// The extent of the box along parameter `p` on `axis`: its limits, an
/// open side out to the axis' end.
fn extent(limits: &[(&BoxLimit, usize)], p: usize, axis: &Axis) -> (f64, f64) {
    let range = limits.iter().find_map(|(l, q)| match l.limit {
        Restriction::Range { lower, upper } if *q == p => Some((lower, upper)),
        _ => None,
    });
    let (lo, hi) = range.unwrap_or((f64::NAN, f64::NAN));
    let pick = |v: f64, open: f64| {
        if v.is_finite() {
            v.clamp(axis.lo, axis.hi)
        } else {
            open
        }
    };
    (pick(lo, axis.lo), pick(hi, axis.hi))
}

/// The scatter of `design` (read from `file`; `values`: the metric's mean
/// at each row) with the limits `limits` of box `first`.
pub(crate) fn scatter(
    first: &ChosenBox,
    limits: &[&BoxLimit],
    design: &Design,
    values: &[f64],
    file: &Path,
) -> Result<Option<BoxScatter>> {
    let limits: Vec<(&BoxLimit, usize)> = limits
        .iter()
        .map(|l| Ok((*l, param_of(l, design, file)?)))
        .collect::<Result<_>>()?;
    let b = first.at.box_no;
    let Some((px, py, note)) = axes(&limits, design, b) else {
        return Ok(None);
    };
    let others: Vec<&(&BoxLimit, usize)> = limits
        .iter()
        .filter(|(_, p)| *p != px && *p != py)
        .collect();
    let num = |p: usize, r: usize| design.params[p].num.as_ref().map_or(f64::NAN, |v| v[r]);
    let dots: Vec<Dot> = (0..design.len())
        .filter(|&r| values[r].is_finite())
        .map(|r| {
            let inside = others.iter().all(|(l, p)| within(l, design, *p, r));
            Dot(num(px, r), num(py, r), first.holds(values[r]), inside)
        })
        .collect();
    let axis = |p: usize, vals: Vec<f64>| {
        let unit = vals.iter().all(|v| (0.0..=1.0).contains(v));
        let (lo, hi) = style::data_range(vals, unit);
        Axis::numeric(lo, hi, 5, &design.params[p].name)
    };
    let x = axis(px, dots.iter().map(|d| d.0).collect());
    let y = axis(py, dots.iter().map(|d| d.1).collect());
    let (x0, x1) = extent(&limits, px, &x);
    let (y0, y1) = extent(&limits, py, &y);
    let subtitle = subtitle(first, design, values, &others, note);
    let mut items = vec![
        (Sample::Marker(Marker::Circle, 5, CASE), first.rule()),
        (
            Sample::Marker(Marker::Circle, 5, OTHER),
            "other design points".into(),
        ),
    ];
    if !others.is_empty() {
        items.push((
            Sample::Cross(lighten(OTHER, FAINT / 2.0)),
            format!("outside box {b}'s other limits"),
        ));
    }
    items.push((Sample::Rect, format!("box {b}")));
    Ok(Some(BoxScatter {
        title: format!(
            "{} over {} × {}, with box {b}",
            first.rule(),
            design.params[px].short,
            design.params[py].short
        ),
        subtitle,
        x,
        y,
        rect: (x0, x1, y0, y1),
        box_label: format!("box {b}"),
        dots,
        legend: vec![items],
    }))
}

/// What the dots are, and what the crosses and axes are when they need
/// saying.
fn subtitle(
    first: &ChosenBox,
    design: &Design,
    values: &[f64],
    others: &[&(&BoxLimit, usize)],
    note: Option<String>,
) -> Vec<String> {
    let b = first.at.box_no;
    let mut lines = vec![format!(
        "a dot per design point (mean of {} over its replicates), coloured when {}; \
         rectangle: box {b}'s limits",
        first.metric,
        first.rule()
    )];
    if !others.is_empty() {
        let words: Vec<String> = others
            .iter()
            .take(SHOWN_LIMITS)
            .map(|(l, p)| {
                let range = design.params[*p]
                    .num
                    .as_ref()
                    .map_or((f64::NAN, f64::NAN), |v| {
                        v.iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                                (a.min(x), b.max(x))
                            })
                    });
                limit_words(&design.params[*p].short, &l.limit, range)
            })
            .collect();
        let more = match others.len().saturating_sub(SHOWN_LIMITS) {
            0 => String::new(),
            1 => " and 1 more".into(),
            n => format!(" and {n} more"),
        };
        lines.push(format!(
            "crosses: outside box {b}'s other limits ({}{more})",
            words.join(", ")
        ));
    }
    lines.extend(note);
    let missing = values.iter().filter(|v| !v.is_finite()).count();
    if missing > 0 {
        lines.push(format!(
            "{missing} of {} design points without a value of {} are left out",
            values.len(),
            first.metric
        ));
    }
    lines
}

impl BoxScatter {
    fn draw_dots<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Plane>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        for d in self.dots.iter().filter(|d| !d.3) {
            let c = if d.2 { CASE } else { OTHER };
            draw_cross(plot, (d.0, d.1), 4, lighten(c, FAINT))?;
        }
        for case in [false, true] {
            for d in self.dots.iter().filter(|d| d.3 && d.2 == case) {
                let c = if case { CASE } else { OTHER };
                style::draw_marker(plot, (d.0, d.1), Marker::Circle, 5, c)?;
            }
        }
        Ok(())
    }
}

impl Chart for BoxScatter {
    fn size(&self) -> (u32, u32) {
        let w = 1100;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + 800 + legend_height(&self.legend, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (main, legend) = style::layout_with(
            root,
            &self.title,
            &self.subtitle,
            |w| legend_height(&self.legend, w),
            (0, 0, 60, 80),
        )?;
        let chart = style::cartesian(
            &main,
            &self.x,
            &self.y,
            style::y_area_for(&self.y.labels),
            true,
        )?;
        let plot = chart.plotting_area();
        self.draw_dots(plot)?;
        let (x0, x1, y0, y1) = self.rect;
        plot.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            style::TEXT.stroke_width(3),
        ))?;
        plot.draw(
            &(EmptyElement::at((x0, y1))
                + Text::new(
                    self.box_label.clone(),
                    (6, 6),
                    style::anchored(style::bold(style::LEGEND), HPos::Left, VPos::Top),
                )),
        )?;
        draw_legend(&legend, &self.legend)
    }
}
