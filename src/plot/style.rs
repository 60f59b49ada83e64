//! The look shared by every chart: the embedded DejaVu Sans font (so a
//! headless machine without fonts draws text), text sizes, the Okabe–Ito
//! palette with marker shapes and dash patterns (so series survive colour
//! blindness and greyscale printing), the viridis colour map, axis ticks and
//! number formatting, the legend, and writing a chart as PNG and/or SVG.

use super::{Format, PlotError};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};
use std::path::{Path, PathBuf};
use std::sync::Once;

pub(crate) static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The font family every chart uses (registered from the embedded files).
pub(crate) const FONT: &str = "sans-serif";

/// Chart title.
pub(crate) const TITLE: f64 = 30.0;
/// The line under the title.
pub(crate) const SUBTITLE: f64 = 19.0;
/// Panel captions.
pub(crate) const PANEL: f64 = 22.0;
/// Axis descriptions.
pub(crate) const AXIS: f64 = 21.0;
/// Tick labels.
pub(crate) const TICK: f64 = 18.0;
/// Legend entries.
pub(crate) const LEGEND: f64 = 18.0;
/// Values written inside heatmap cells.
pub(crate) const CELL: f64 = 17.0;

/// Light grey of the grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Dark grey of secondary text and guides.
pub(crate) const INK: RGBColor = RGBColor(60, 60, 60);
/// Near-black of the main text.
pub(crate) const TEXT: RGBColor = RGBColor(20, 20, 20);

/// The result of drawing on any backend.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

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

/// Registers the embedded fonts once per process.
pub(crate) fn ensure_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Both files are valid fonts; a failure here would only mean that
        // text is missing, never a crash.
        let _ = register_font(FONT, FontStyle::Normal, REGULAR).is_ok();
        let _ = register_font(FONT, FontStyle::Bold, BOLD).is_ok();
    });
}

/// Height of the x label area (tick labels and axis description).
pub(crate) const X_AREA: u32 = 64;
/// Top margin of a cartesian chart.
pub(crate) const TOP_MARGIN: u32 = 12;

/// A regular text style of `size`.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&TEXT)
}

/// A bold text style of `size`.
pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&TEXT)
}

/// Anchors a text style.
pub(crate) fn anchored<'a>(style: TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// Width and height of `text` in pixels.
pub(crate) fn text_size(text: &str, size: f64) -> (u32, u32) {
    styled_text_size(text, size, FontStyle::Normal)
}

/// Width and height of `text` in pixels, in bold.
pub(crate) fn bold_text_size(text: &str, size: f64) -> (u32, u32) {
    styled_text_size(text, size, FontStyle::Bold)
}

fn styled_text_size(text: &str, size: f64, style: FontStyle) -> (u32, u32) {
    ensure_fonts();
    (FONT, size, style)
        .into_font()
        .box_size(text)
        .unwrap_or_else(|_| {
            // Fallback estimate: 0.6 em per character.
            (
                (text.chars().count() as f64 * size * 0.55) as u32,
                size as u32,
            )
        })
}

/// Cuts `text` to at most `max_px` pixels wide, ending in an ellipsis.
pub(crate) fn fit_text(text: &str, size: f64, max_px: u32) -> String {
    fit_styled(text, size, max_px, FontStyle::Normal)
}

fn fit_styled(text: &str, size: f64, max_px: u32, style: FontStyle) -> String {
    if styled_text_size(text, size, style).0 <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if styled_text_size(&s, size, style).0 <= max_px {
            return s;
        }
    }
    "…".to_string()
}

/// Okabe–Ito colour-blind-safe palette, in the order series use it (yellow
/// last: it is weak on white).
pub(crate) const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

/// Marker shapes, distinct in greyscale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    Star,
}

const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Plus,
    Marker::Star,
];

/// Dash patterns: (dash, gap) in pixels; `None` is solid.
const DASHES: [Option<(i32, i32)>; 4] = [None, Some((14, 7)), Some((4, 5)), Some((24, 8))];

/// Colour, marker and dash of one series.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SeriesStyle {
    pub color: RGBColor,
    pub marker: Marker,
    pub dash: Option<(i32, i32)>,
}

/// The style of series `i`: colour, marker and dash all change together,
/// so each series differs from its neighbours in more than colour.
pub(crate) fn series_style(i: usize) -> SeriesStyle {
    SeriesStyle {
        color: OKABE_ITO[i % OKABE_ITO.len()],
        marker: MARKERS[i % MARKERS.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// Draws a marker of radius `r` pixels at `at` (in the area's coordinates).
pub(crate) fn draw_marker<DB, CT>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    r: i32,
    color: RGBColor,
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
    CT::From: Clone + 'static,
{
    let rf = r as f64;
    let poly = |pts: Vec<(f64, f64)>| -> Vec<(i32, i32)> {
        pts.into_iter()
            .map(|(x, y)| ((x * rf).round() as i32, (y * rf).round() as i32))
            .collect()
    };
    let outline = ShapeStyle::from(&TEXT).stroke_width(1);
    let shape: Option<Vec<(i32, i32)>> = match marker {
        Marker::Circle => None,
        Marker::Triangle => Some(poly(vec![(0.0, -1.2), (1.1, 0.75), (-1.1, 0.75)])),
        Marker::TriangleDown => Some(poly(vec![(0.0, 1.2), (1.1, -0.75), (-1.1, -0.75)])),
        Marker::Square => Some(poly(vec![
            (-0.85, -0.85),
            (0.85, -0.85),
            (0.85, 0.85),
            (-0.85, 0.85),
        ])),
        Marker::Diamond => Some(poly(vec![
            (0.0, -1.25),
            (1.05, 0.0),
            (0.0, 1.25),
            (-1.05, 0.0),
        ])),
        Marker::Star => {
            let mut pts = Vec::new();
            for k in 0..10 {
                let rad = if k % 2 == 0 { 1.3 } else { 0.55 };
                let a = std::f64::consts::FRAC_PI_2 + k as f64 * std::f64::consts::PI / 5.0;
                pts.push((rad * a.cos(), -rad * a.sin()));
            }
            Some(poly(pts))
        }
        Marker::Cross | Marker::Plus => {
            let (a, b) = if marker == Marker::Cross {
                (
                    poly(vec![(-1.0, -1.0), (1.0, 1.0)]),
                    poly(vec![(-1.0, 1.0), (1.0, -1.0)]),
                )
            } else {
                (
                    poly(vec![(-1.2, 0.0), (1.2, 0.0)]),
                    poly(vec![(0.0, -1.2), (0.0, 1.2)]),
                )
            };
            let style = ShapeStyle::from(&color).stroke_width(3.max(r as u32 / 2));
            area.draw(
                &(EmptyElement::at(at) + PathElement::new(a, style) + PathElement::new(b, style)),
            )?;
            return Ok(());
        }
    };
    match shape {
        None => {
            area.draw(&(EmptyElement::at(at.clone()) + Circle::new((0, 0), r, color.filled())))?;
            area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), r, outline)))?;
        }
        Some(pts) => {
            let mut closed = pts.clone();
            closed.push(pts[0]);
            area.draw(
                &(EmptyElement::at(at)
                    + Polygon::new(pts, color.filled())
                    + PathElement::new(closed, outline)),
            )?;
        }
    }
    Ok(())
}

/// Draws a polyline in the series' dash pattern.
pub(crate) fn draw_line<DB, CT>(
    area: &DrawingArea<DB, CT>,
    points: &[CT::From],
    style: &SeriesStyle,
    width: u32,
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
    CT::From: Clone + 'static,
{
    if points.len() < 2 {
        return Ok(());
    }
    let stroke = style.color.stroke_width(width);
    match style.dash {
        None => area.draw(&PathElement::new(points.to_vec(), stroke))?,
        Some((dash, gap)) => area.draw(&plotters::element::DashedPathElement::new(
            points.to_vec(),
            dash,
            gap,
            stroke,
        ))?,
    }
    Ok(())
}

/// What a legend entry shows beside its label.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub style: SeriesStyle,
    pub line: bool,
    pub marker: bool,
}

const SAMPLE_W: i32 = 48;
const ENTRY_GAP: i32 = 30;
const ROW_H: i32 = 30;

fn entry_width(e: &LegendEntry) -> i32 {
    SAMPLE_W + 10 + text_size(&e.label, LEGEND).0 as i32
}

fn legend_rows(entries: &[LegendEntry], width: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, e) in entries.iter().enumerate() {
        let w = entry_width(e);
        match rows.last_mut() {
            Some(row) if used + ENTRY_GAP + w <= width => {
                row.push(i);
                used += ENTRY_GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

/// Height in pixels of a legend of `entries` laid out in rows `width` wide.
pub(crate) fn legend_height(entries: &[LegendEntry], width: u32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    (legend_rows(entries, width as i32 - 20).len() as i32 * ROW_H + 16) as u32
}

/// Draws a legend: entries flow in centred rows.
pub(crate) fn draw_legend<DB>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let rows = legend_rows(entries, w as i32 - 20);
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&i| entry_width(&entries[i])).sum::<i32>()
            + ENTRY_GAP * (row.len() as i32 - 1);
        let mut x = (w as i32 - total) / 2;
        let y = 8 + r as i32 * ROW_H + ROW_H / 2;
        for &i in row {
            let e = &entries[i];
            if e.line {
                draw_line(area, &[(x, y), (x + SAMPLE_W, y)], &e.style, 3)?;
            }
            if e.marker {
                draw_marker(
                    area,
                    (x + SAMPLE_W / 2, y),
                    e.style.marker,
                    7,
                    e.style.color,
                )?;
            }
            area.draw(&Text::new(
                e.label.clone(),
                (x + SAMPLE_W + 10, y),
                anchored(font(LEGEND), HPos::Left, VPos::Center),
            ))?;
            x += entry_width(e) + ENTRY_GAP;
        }
    }
    Ok(())
}

/// Draws a title and an optional subtitle at the top of `root`, and returns
/// the area below them.
pub(crate) fn header<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let title = fit_styled(title, TITLE, w - 40, FontStyle::Bold);
    root.draw(&Text::new(
        title,
        (w as i32 / 2, 18),
        anchored(bold(TITLE), HPos::Center, VPos::Top),
    ))?;
    let mut y = 18 + 42;
    for line in subtitle {
        let line = fit_text(line, SUBTITLE, w - 40);
        root.draw(&Text::new(
            line,
            (w as i32 / 2, y),
            anchored(font(SUBTITLE).color(&INK), HPos::Center, VPos::Top),
        ))?;
        y += 27;
    }
    Ok(root.split_vertically(y + 8).1)
}

/// The common layout: title and subtitle on top, the legend at the bottom,
/// the chart area between them with the given (top, bottom, left, right)
/// margins. Returns (chart area, legend area).
pub(crate) type Areas<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

pub(crate) fn layout<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
    legend: &[LegendEntry],
    margins: (u32, u32, u32, u32),
) -> Result<Areas<DB>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let body = header(root, title, subtitle)?;
    let (w, h) = body.dim_in_pixel();
    let lh = legend_height(legend, w);
    let (main, bottom) = body.split_vertically(h - lh);
    Ok((
        main.margin(margins.0, margins.1, margins.2, margins.3),
        bottom,
    ))
}

/// Viridis (matplotlib), at 0, 0.1, …, 1.
const VIRIDIS: [(u8, u8, u8); 11] = [
    (68, 1, 84),
    (72, 36, 117),
    (65, 68, 135),
    (53, 95, 141),
    (42, 120, 142),
    (33, 145, 140),
    (34, 168, 132),
    (68, 191, 112),
    (122, 209, 81),
    (189, 223, 38),
    (253, 231, 37),
];

/// Viridis at `t` in [0, 1] (clamped; NaN gives the low end).
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 10.0;
    let i = (x.floor() as usize).min(9);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `c` should be dark (for light backgrounds).
pub(crate) fn dark_text_on(c: RGBColor) -> bool {
    0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64 > 120.0
}

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

/// Something that can draw itself at a fixed size.
pub(crate) trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on `root` (already white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Writes `chart` as `dir/stem.png` and/or `dir/stem.svg`, each through a
/// temporary file renamed into place, so a chart under its final name is
/// always whole.
pub(crate) fn save<C: Chart>(
    chart: &C,
    dir: &Path,
    stem: &str,
    format: Format,
) -> Result<Vec<PathBuf>, PlotError> {
    ensure_fonts();
    let size = chart.size();
    let mut written = Vec::new();
    if matches!(format, Format::Png | Format::Both) {
        let path = dir.join(format!("{stem}.png"));
        let tmp = dir.join(format!(".{stem}.png.tmp-{}.png", std::process::id()));
        let draw_err = |e: Box<dyn std::error::Error + Send + Sync>| PlotError::Draw {
            file: path.clone(),
            message: e.to_string(),
        };
        let drawn = (|| {
            let root = super::png::TextFix(BitMapBackend::new(&tmp, size)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_err(e.into()))?;
            chart.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))
        })();
        if let Err(e) = drawn.and_then(|()| {
            std::fs::rename(&tmp, &path).map_err(|source| PlotError::Io {
                path: path.clone(),
                source,
            })
        }) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        written.push(path);
    }
    if matches!(format, Format::Svg | Format::Both) {
        let path = dir.join(format!("{stem}.svg"));
        let draw_err = |e: Box<dyn std::error::Error + Send + Sync>| PlotError::Draw {
            file: path.clone(),
            message: e.to_string(),
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_err(e.into()))?;
            chart.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))?;
        }
        crate::output::write_atomic(&path, svg.as_bytes()).map_err(|e| match e {
            crate::error::Error::Io { source, .. } => PlotError::Io {
                path: path.clone(),
                source,
            },
            other => PlotError::Draw {
                file: path.clone(),
                message: other.to_string(),
            },
        })?;
        written.push(path);
    }
    Ok(written)
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
    fn ranges_are_never_degenerate() {
        assert_eq!(data_range([f64::NAN], true), (0.0, 1.0));
        let (a, b) = data_range([0.5, 0.5], true);
        assert!(a < 0.5 && b > 0.5);
        let (a, b) = data_range([0.0, 1.0], true);
        assert_eq!((a, b), (0.0, 1.0));
        let (a, b) = data_range([7.0], false);
        assert!(a < 7.0 && b > 7.0);
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        assert!(dark_text_on(viridis(0.9)) && !dark_text_on(viridis(0.1)));
    }
}
