//! Axes: tick positions on 1-2-5 steps and number formatting, padded data
//! ranges, the `Axis` value (range, ticks, labels, description), the
//! `Ticked` plotters axis that puts ticks where `Axis` says, the house
//! cartesian chart built on them, and the width of its y label area.

use super::palette::{GRID, INK};
use super::text::{AXIS, TICK, font, text_size};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

/// A real axis whose tick positions are given (plotters' own f64 axis
/// chooses them itself).
#[derive(Clone, Debug)]
pub(crate) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if !(span.is_finite() && span != 0.0 && v.is_finite()) {
            return (limit.0 + limit.1) / 2;
        }
        let f = (v - self.lo) / span;
        let px = limit.0 as f64 + (limit.1 - limit.0) as f64 * f;
        px.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A cartesian plane with ticks chosen by [`ticks`] or by category.
pub(crate) type Plane = Cartesian2d<Ticked, Ticked>;

/// Height of the x label area (tick labels and axis description).
pub(crate) const X_AREA: u32 = 64;
/// Top margin of a cartesian chart.
pub(crate) const TOP_MARGIN: u32 = 12;

/// Tick positions (about `target` of them, on 1-2-5 steps) within
/// `[lo, hi]`, and the number of decimals that shows them exactly.
pub(crate) fn ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 2);
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * mag;
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let out = (first..=last).map(|k| k as f64 * step).collect();
    (out, decimals)
}

/// `x` with `decimals` decimals, never "-0".
pub(crate) fn fmt_num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `x` rounded to `digits` significant digits, written without an exponent
/// or trailing zeros (`0.849`, `1230`, `0.000123`); a whole number keeps
/// every digit (a count of 1500 is exact, and short). Every number a chart
/// writes as text (parameter values, values in cells and labels) goes
/// through this with 3 digits; axis ticks are round numbers of their own.
pub(crate) fn fmt_sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return fmt_num(x, 0);
    }
    let digits = digits.max(1) as i32;
    let mag = x.abs().log10().floor() as i32;
    let decimals = digits - 1 - mag;
    if decimals <= 0 {
        let f = 10f64.powi(-decimals);
        return fmt_num((x / f).round() * f, 0);
    }
    let s = fmt_num(x, decimals as usize);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A value as written in a table, for a label: a number rounded by
/// [`fmt_sig`] to 3 significant digits (a whole number as written), any
/// other text unchanged.
pub(crate) fn label_value(text: &str) -> String {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && t.chars().any(|c| matches!(c, '.' | 'e' | 'E')) => fmt_sig(x, 3),
        _ => text.to_string(),
    }
}

/// A data range for an axis: the finite values padded by 6%; for values
/// all within [0, 1] (`unit`) the range stays within [0, 1]. A zero or
/// empty range is widened so the axis is never degenerate.
pub(crate) fn data_range(values: impl IntoIterator<Item = f64>, unit: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span > 1e-12 {
        span * 0.06
    } else {
        (lo.abs() * 0.1).max(0.05)
    };
    let (mut a, mut b) = (lo - pad, hi + pad);
    if unit {
        a = a.max(0.0);
        b = b.min(1.0);
        if b - a < 1e-9 {
            (a, b) = (0.0, 1.0);
        }
    }
    (a, b)
}

/// One axis: its range, tick positions and tick labels, and its description.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub labels: Vec<String>,
    pub desc: String,
}

impl Axis {
    /// A numeric axis over `[lo, hi]` with about `target` round ticks.
    pub fn numeric(lo: f64, hi: f64, target: usize, desc: &str) -> Axis {
        let (ticks, d) = ticks(lo, hi, target);
        Axis {
            lo,
            hi,
            labels: ticks.iter().map(|&t| fmt_num(t, d)).collect(),
            ticks,
            desc: desc.to_string(),
        }
    }

    /// A numeric axis over `[lo, hi]` with about `target` round ticks,
    /// and more (finer steps) when that gives fewer than `min`.
    pub fn numeric_at_least(lo: f64, hi: f64, target: usize, min: usize, desc: &str) -> Axis {
        let mut target = target.max(1);
        let mut axis = Axis::numeric(lo, hi, target, desc);
        // Each step of 1-2-5 is reached within a few more targets; a
        // degenerate range has one tick whatever the target.
        while axis.ticks.len() < min && target < 10 * min.max(1) {
            target += 1;
            axis = Axis::numeric(lo, hi, target, desc);
        }
        axis
    }

    /// A categorical axis: category `k` sits at `k`, labelled `levels[k]`.
    pub fn categorical(levels: &[String], desc: &str) -> Axis {
        Axis {
            lo: -0.5,
            hi: levels.len() as f64 - 0.5,
            ticks: (0..levels.len()).map(|k| k as f64).collect(),
            labels: levels.to_vec(),
            desc: desc.to_string(),
        }
    }

    fn label(&self, v: f64) -> String {
        let tol = (self.hi - self.lo).abs() * 1e-9;
        self.ticks
            .iter()
            .position(|t| (t - v).abs() <= tol)
            .map(|i| self.labels[i].clone())
            .unwrap_or_else(|| fmt_num(v, 2))
    }
}

/// Builds a cartesian chart with the house style: the axes' ticks, a
/// light grid (when `grid`), labelled axes.
pub(crate) fn cartesian<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
    y_label_area: u32,
    grid: bool,
) -> Result<ChartContext<'a, DB, Plane>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_top(TOP_MARGIN)
        .margin_right(24)
        .margin_left(8)
        .margin_bottom(4)
        .x_label_area_size(if x.desc.is_empty() { 40 } else { X_AREA })
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(
            Ticked {
                lo: x.lo,
                hi: x.hi,
                ticks: x.ticks.clone(),
            },
            Ticked {
                lo: y.lo,
                hi: y.hi,
                ticks: y.ticks.clone(),
            },
        )?;
    let xf = |v: &f64| x.label(*v);
    let yf = |v: &f64| y.label(*v);
    chart
        .configure_mesh()
        .x_desc(x.desc.as_str())
        .y_desc(y.desc.as_str())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .axis_desc_style(font(AXIS))
        .label_style(font(TICK))
        .bold_line_style(if grid { GRID.to_rgba() } else { TRANSPARENT })
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()?;
    Ok(chart)
}

/// Width of the y label area that fits tick labels `labels` and a rotated
/// axis description.
pub(crate) fn y_area_for(labels: &[String]) -> u32 {
    let widest = labels
        .iter()
        .map(|l| text_size(l, TICK).0)
        .max()
        .unwrap_or(0);
    widest + 52
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        let (t, d) = ticks(0.0, 1.0, 5);
        assert_eq!(t, vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(d, 1);
        let (t, d) = ticks(0.33, 0.41, 5);
        assert!(t.iter().all(|&x| (0.33..=0.41).contains(&x)));
        assert_eq!(d, 2);
        assert_eq!(ticks(3.0, 3.0, 5).0, vec![3.0]);
        assert_eq!(fmt_num(-0.0001, 2), "0.00");
    }

    #[test]
    fn an_axis_can_ask_for_at_least_five_ticks() {
        // About 7 ticks on 1-2-5 steps can be as few as 3 (a step of 0.05
        // over 0 … 0.14).
        assert_eq!(Axis::numeric(0.0, 0.1407, 7, "").ticks.len(), 3);
        for hi in [0.1407, 0.18, 0.33, 1.0, 47.0, 0.0021, 1234.0] {
            let a = Axis::numeric_at_least(0.0, hi, 7, 5, "");
            assert!((5..=12).contains(&a.ticks.len()), "{hi}: {:?}", a.labels);
            let mut l = a.labels.clone();
            l.dedup();
            assert_eq!(l, a.labels, "{hi}: labels repeat");
        }
        // Already enough: the same axis.
        assert_eq!(
            Axis::numeric_at_least(0.0, 0.3, 7, 5, "").ticks,
            Axis::numeric(0.0, 0.3, 7, "").ticks
        );
        assert_eq!(Axis::numeric_at_least(2.0, 2.0, 7, 5, "").ticks.len(), 1);
    }

    #[test]
    fn labels_have_three_significant_digits() {
        assert_eq!(fmt_sig(0.8492218000795573, 3), "0.849");
        assert_eq!(fmt_sig(0.000123456, 3), "0.000123");
        assert_eq!(fmt_sig(-0.0501, 3), "-0.0501");
        assert_eq!(fmt_sig(12.3456, 3), "12.3");
        assert_eq!(fmt_sig(1234.5, 3), "1230");
        assert_eq!(fmt_sig(0.99951, 3), "1");
        assert_eq!(fmt_sig(0.5, 3), "0.5");
        assert_eq!(fmt_sig(1500.0, 3), "1500");
        assert_eq!(fmt_sig(-0.00001, 3), "-0.00001");
        assert_eq!(fmt_sig(f64::NAN, 3), "–");
        assert_eq!(label_value("0.8492218000795573"), "0.849");
        assert_eq!(label_value("0.1"), "0.1");
        assert_eq!(label_value("12345"), "12345");
        assert_eq!(label_value("zero_sum"), "zero_sum");
        assert_eq!(label_value("true"), "true");
        assert_eq!(label_value("2.5e-7"), "0.00000025");
    }

    #[test]
    fn ranges_are_never_degenerate() {
        assert_eq!(data_range([f64::NAN], true), (0.0, 1.0));
        let (a, b) = data_range([0.5, 0.5], true);
        assert!(a < 0.5 && b > 0.5);
        let (a, b) = data_range([0.0, 1.0], true);
        assert_eq!((a, b), (0.0, 1.0));
        let (a, b) = data_range([7.0], false);
        assert!(a < 7.0 && b > 7.0);
    }
}
