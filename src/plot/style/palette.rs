//! Colour and series styles: the greys of text, guides and grid, the
//! Okabe–Ito palette with marker shapes and dash patterns (so series
//! survive colour blindness and greyscale printing), drawing a marker or a
//! dashed line in a series' style, and the viridis colour map.

use super::DrawResult;
use plotters::prelude::*;

/// Light grey of the grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Dark grey of secondary text and guides.
pub(crate) const INK: RGBColor = RGBColor(60, 60, 60);
/// Near-black of the main text.
pub(crate) const TEXT: RGBColor = RGBColor(20, 20, 20);

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

/// How far a marker of radius `r` drawn by [`draw_marker`] reaches from
/// its centre, its outline or stroke included (pixels).
pub(crate) fn marker_reach(marker: Marker, r: i32) -> f64 {
    let rf = r as f64;
    match marker {
        Marker::Circle => rf + 1.0,
        Marker::Triangle | Marker::TriangleDown => 1.2 * rf + 1.0,
        Marker::Square => 0.85 * std::f64::consts::SQRT_2 * rf + 1.0,
        Marker::Diamond => 1.25 * rf + 1.0,
        Marker::Star => 1.3 * rf + 1.0,
        // Strokes of 3 pixels or r/2, with square-ish ends.
        Marker::Cross => std::f64::consts::SQRT_2 * rf + (3.max(r / 2)) as f64,
        Marker::Plus => 1.2 * rf + (3.max(r / 2)) as f64,
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
    draw_marker_alpha(area, at, marker, r, color, 1.0)
}

/// As [`draw_marker`], with fill and outline at opacity `alpha` (many
/// overlapping markers then show their density, and a line drawn over them
/// stays visible).
pub(crate) fn draw_marker_alpha<DB, CT>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    r: i32,
    color: RGBColor,
    alpha: f64,
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
    let outline = ShapeStyle::from(&TEXT.mix(alpha)).stroke_width(1);
    let fill = color.mix(alpha).filled();
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
            let style = ShapeStyle::from(&color.mix(alpha)).stroke_width(3.max(r as u32 / 2));
            area.draw(
                &(EmptyElement::at(at) + PathElement::new(a, style) + PathElement::new(b, style)),
            )?;
            return Ok(());
        }
    };
    match shape {
        None => {
            area.draw(&(EmptyElement::at(at.clone()) + Circle::new((0, 0), r, fill)))?;
            area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), r, outline)))?;
        }
        Some(pts) => {
            let mut closed = pts.clone();
            closed.push(pts[0]);
            area.draw(
                &(EmptyElement::at(at)
                    + Polygon::new(pts, fill)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        assert!(dark_text_on(viridis(0.9)) && !dark_text_on(viridis(0.1)));
    }
}
