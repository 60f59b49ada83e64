//! The Morris μ*–σ screening chart of one output: building it from the
//! indices (points, groups by name prefix, axes, legend, subtitle), laying
//! out its labels once in pixel space (the diagonal's label, then the
//! point labels through [`super::labels`], else numbers with a key), the
//! key below the plot, and drawing it all.

use super::geometry::{Pt, Rect, ipt};
use super::labels::{LABEL, Obstacles, Placed, Search, draw_label, line_height, spots};
use crate::error::Result;
use crate::plot::data::MorrisIndex;
use crate::plot::missing;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Plane};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Radius of the Morris markers.
const MARKER_R: i32 = 8;
/// Width of the Morris chart.
const MORRIS_W: u32 = 1060;
/// Height of the Morris chart's main area (plot, axes).
const MORRIS_MAIN: u32 = 860;
/// With more labels than this, points are numbered straight away.
const MAX_NAMED: usize = 30;
/// The label of the reference line.
const DIAGONAL: &str = "σ = μ*";

/// One parameter on the μ*–σ plane.
#[derive(Clone, Debug)]
struct MorrisPoint {
    mu_star: f64,
    sigma: f64,
    lo: f64,
    hi: f64,
    group: usize,
}

/// The Morris μ*–σ chart of one output.
pub(crate) struct Morris {
    output: String,
    points: Vec<MorrisPoint>,
    /// The labels: the points each one names (one, or several whose
    /// markers nearly coincide), its lines of text, and its place relative
    /// to the points' centre.
    labels: Vec<(Vec<usize>, Vec<String>, Placed)>,
    /// Where "σ = μ*" goes: a point of the diagonal (data) and the box
    /// relative to it.
    diagonal_label: Option<(f64, Rect)>,
    /// Numbered mode: "1  name" per point, in number order.
    key: Vec<String>,
    x: Axis,
    y: Axis,
    y_area: u32,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
}

/// The group of each name: the part before the first `.`, when there are
/// between two and eight such parts; else one group.
fn groups(names: &[&str]) -> (Vec<usize>, Vec<String>) {
    let mut labels: Vec<String> = Vec::new();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            let g = n.split_once('.').map_or("", |(g, _)| g).to_string();
            labels.iter().position(|l| *l == g).unwrap_or_else(|| {
                labels.push(g);
                labels.len() - 1
            })
        })
        .collect();
    if labels.len() < 2 || labels.len() > 8 || labels.iter().any(String::is_empty) {
        return (vec![0; names.len()], Vec::new());
    }
    (idx, labels)
}

/// Builds the Morris chart of `output` from its rows of `path`.
pub(crate) fn morris(path: &Path, output: &str, rows: &[MorrisIndex]) -> Result<Morris> {
    let shown: Vec<&MorrisIndex> = rows
        .iter()
        .filter(|r| r.mu_star.is_finite() && r.sigma.is_finite())
        .collect();
    if shown.is_empty() {
        return Err(missing(
            path,
            format!("values of `mu_star` and `sigma` for output `{output}` (all empty)"),
        ));
    }
    let names: Vec<&str> = shown.iter().map(|r| r.parameter.as_str()).collect();
    let (group, group_names) = groups(&names);
    let points: Vec<MorrisPoint> = shown
        .iter()
        .zip(&group)
        .map(|(r, &g)| MorrisPoint {
            mu_star: r.mu_star,
            sigma: r.sigma,
            lo: r.lo,
            hi: r.hi,
            group: g,
        })
        .collect();
    let (x, y) = axes(&points, output);
    let y_area = style::y_area_for(&y.labels);
    let legend: Vec<LegendEntry> = group_names
        .iter()
        .enumerate()
        .map(|(i, g)| LegendEntry {
            label: format!("{g}.*"),
            style: style::series_style(i),
            line: false,
            marker: true,
            fill: false,
        })
        .collect();
    let mut chart = Morris {
        output: output.to_string(),
        points,
        labels: Vec::new(),
        diagonal_label: None,
        key: Vec::new(),
        x,
        y,
        y_area,
        legend,
        subtitle: subtitle(rows),
    };
    chart.layout(&names);
    Ok(chart)
}

/// The μ* (x) and σ (y) axes of `points`: from zero (or a little below
/// the least value, when negative) to a little above the greatest.
fn axes(points: &[MorrisPoint], output: &str) -> (Axis, Axis) {
    let xmax = points
        .iter()
        .flat_map(|p| [p.mu_star, p.hi])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let ymax = points.iter().map(|p| p.sigma).fold(0.0f64, f64::max);
    // Both are non-negative by definition; a hand-made table may differ.
    let xmin = points
        .iter()
        .flat_map(|p| [p.mu_star, p.lo])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let ymin = points.iter().map(|p| p.sigma).fold(0.0f64, f64::min);
    let top = |lo: f64, hi: f64| {
        if hi > lo {
            hi + (hi - lo) * 0.08
        } else {
            lo + 1.0
        }
    };
    let bottom = |lo: f64, hi: f64| if lo < 0.0 { lo - (hi - lo) * 0.04 } else { 0.0 };
    let x = Axis::numeric(
        bottom(xmin, xmax),
        top(xmin, xmax),
        8,
        &format!("μ* (change in {output} over a parameter's range)"),
    );
    let y = Axis::numeric(
        bottom(ymin, ymax),
        top(ymin, ymax),
        7,
        "σ (spread of the elementary effects, same units)",
    );
    (x, y)
}

/// The lines under the title: what μ*, σ, the whiskers and the diagonal
/// mean, and the parameters of `rows` left out for undefined indices.
fn subtitle(rows: &[MorrisIndex]) -> Vec<String> {
    let mut subtitle = vec![
        "μ* = mean absolute elementary effect (influence); σ = their spread (non-linearity and interactions)"
            .to_string(),
        "whiskers: 95% bootstrap CI of μ*; above the dashed line σ = μ*, effects vary more than their mean size"
            .to_string(),
    ];
    let skipped: Vec<&str> = rows
        .iter()
        .filter(|r| !(r.mu_star.is_finite() && r.sigma.is_finite()))
        .map(|r| r.parameter.as_str())
        .collect();
    if !skipped.is_empty() {
        subtitle.push(format!("undefined, not shown: {}", skipped.join(", ")));
    }
    subtitle
}

impl Morris {
    fn head(&self) -> u32 {
        68 + 27 * self.subtitle.len() as u32
    }

    fn below(&self) -> u32 {
        style::legend_height(&self.legend, MORRIS_W) + key_height(&self.key, MORRIS_W)
    }

    /// The plotting area in pixels, as `style::cartesian` lays it out in
    /// `draw` (main area margins 30 left and right).
    fn plot_rect(&self) -> Rect {
        let head = self.head() as f64;
        Rect {
            x0: 30.0 + 8.0 + self.y_area as f64,
            y0: head + style::TOP_MARGIN as f64,
            x1: MORRIS_W as f64 - 30.0 - 24.0,
            y1: head + (MORRIS_MAIN + 18) as f64 - 4.0 - style::X_AREA as f64,
        }
    }

    fn to_px(&self, plot: &Rect, x: f64, y: f64) -> Pt {
        (
            plot.x0 + (x - self.x.lo) / (self.x.hi - self.x.lo) * (plot.x1 - plot.x0),
            plot.y1 - (y - self.y.lo) / (self.y.hi - self.y.lo) * (plot.y1 - plot.y0),
        )
    }

    /// Places the diagonal's label and the point labels (names, else
    /// numbers with a key).
    fn layout(&mut self, names: &[&str]) {
        let plot = self.plot_rect();
        let r = MARKER_R as f64;
        let px: Vec<Pt> = self
            .points
            .iter()
            .map(|p| self.to_px(&plot, p.mu_star, p.sigma))
            .collect();
        let markers: Vec<Rect> = px.iter().map(|&p| Rect::around(p, r + 1.0)).collect();
        let whiskers = self.whisker_boxes(&plot);
        let area = plot.grow(-4.0);
        let hard: Vec<Rect> = self
            .place_diagonal_label(&plot, &area, &markers, &whiskers)
            .into_iter()
            .collect();
        let m = self.x.hi.min(self.y.hi);
        let lines = vec![(self.to_px(&plot, 0.0, 0.0), self.to_px(&plot, m, m))];
        // Numbers and the lines of a shared label follow the rank of μ*.
        let rank = self.rank();
        let spots = spots(&px, r, &rank);
        let obs = Obstacles {
            area,
            markers,
            hard,
            whiskers,
            lines,
            leaders: Vec::new(),
        };
        let search = Search::new(obs, &spots, &px, r);
        let full: Vec<Vec<String>> = spots
            .iter()
            .map(|s| s.iter().map(|&i| names[i].to_string()).collect())
            .collect();
        let named = if spots.len() <= MAX_NAMED {
            search.attempt(&full)
        } else {
            None
        };
        let (texts, abs) = match named {
            Some(abs) => (full, abs),
            None => self.numbered(names, &rank, &spots, &search),
        };
        let placed = search.relative(abs);
        self.labels = spots
            .into_iter()
            .zip(texts)
            .zip(placed)
            .map(|((s, t), p)| (s, t, p))
            .collect();
    }

    /// The pixel boxes of the whiskers (of the points that have one) and
    /// the point each belongs to.
    fn whisker_boxes(&self, plot: &Rect) -> Vec<(usize, Rect)> {
        self.points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.lo.is_finite() && p.hi.is_finite())
            .map(|(i, p)| {
                let (a, b) = (
                    self.to_px(plot, p.lo.max(self.x.lo), p.sigma),
                    self.to_px(plot, p.hi, p.sigma),
                );
                let rect = Rect {
                    x0: a.0,
                    y0: a.1 - 6.0,
                    x1: b.0,
                    y1: a.1 + 6.0,
                };
                (i, rect)
            })
            .collect()
    }

    /// Places the diagonal's label: along the line from its far end,
    /// beside it, clear of markers and whiskers. Returns its box (absolute
    /// pixels), if it found a place.
    fn place_diagonal_label(
        &mut self,
        plot: &Rect,
        area: &Rect,
        markers: &[Rect],
        whiskers: &[(usize, Rect)],
    ) -> Option<Rect> {
        let m = self.x.hi.min(self.y.hi);
        let dw = style::text_size(DIAGONAL, LABEL).0 as f64;
        let dh = line_height();
        for t in [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2] {
            let on = self.to_px(plot, t * m, t * m);
            for rel in [
                Rect {
                    x0: 6.0,
                    y0: 6.0,
                    x1: 6.0 + dw,
                    y1: 6.0 + dh,
                },
                Rect {
                    x0: -6.0 - dw,
                    y0: -6.0 - dh,
                    x1: -6.0,
                    y1: -6.0,
                },
            ] {
                let abs = rel.shift(on);
                let padded = abs.grow(3.0);
                if abs.within(area)
                    && !markers.iter().any(|h| h.overlaps(&padded))
                    && !whiskers.iter().any(|(_, h)| h.overlaps(&padded))
                {
                    self.diagonal_label = Some((t * m, rel));
                    return Some(abs);
                }
            }
        }
        None
    }

    /// The points by decreasing μ* (ties in table order).
    fn rank(&self) -> Vec<usize> {
        let mut rank: Vec<usize> = (0..self.points.len()).collect();
        rank.sort_by(|&a, &b| {
            self.points[b]
                .mu_star
                .total_cmp(&self.points[a].mu_star)
                .then(a.cmp(&b))
        });
        rank
    }

    /// Crowded: numbers by rank of μ* as labels, and a key. Returns the
    /// labels' texts and places (absolute pixels).
    fn numbered(
        &mut self,
        names: &[&str],
        rank: &[usize],
        spots: &[Vec<usize>],
        search: &Search<'_>,
    ) -> (Vec<Vec<String>>, Vec<Placed>) {
        let mut number = vec![0; self.points.len()];
        for (k, &i) in rank.iter().enumerate() {
            number[i] = k + 1;
        }
        self.key = rank
            .iter()
            .map(|&i| format!("{}  {}", number[i], names[i]))
            .collect();
        let texts: Vec<Vec<String>> = spots
            .iter()
            .map(|s| {
                vec![
                    s.iter()
                        .map(|&i| number[i].to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect();
        // Nowhere free even for numbers: right of each spot.
        let abs = search
            .attempt(&texts)
            .unwrap_or_else(|| search.beside(&texts));
        (texts, abs)
    }

    /// Draws the reference line σ = μ* and its label.
    fn draw_diagonal<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &DrawingArea<DB, Plane>,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = self.x.hi.min(self.y.hi);
        plot.draw(&DashedPathElement::new(
            vec![(0.0, 0.0), (m, m)],
            10,
            7,
            style::INK.mix(0.75).stroke_width(2),
        ))?;
        if let Some((t, rel)) = self.diagonal_label {
            let on = plot.map_coordinate(&(t, t));
            let abs = rel.shift((on.0 as f64, on.1 as f64));
            root.draw(&Text::new(
                DIAGONAL,
                (
                    abs.x0.round() as i32,
                    ((abs.y0 + abs.y1) / 2.0).round() as i32,
                ),
                style::anchored(
                    style::font(LABEL).color(&style::INK),
                    HPos::Left,
                    VPos::Center,
                ),
            ))?;
        }
        Ok(())
    }

    /// Draws the 95% whisker of μ* of each point that has one.
    fn draw_whiskers<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Plane>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        for p in &self.points {
            if !(p.lo.is_finite() && p.hi.is_finite() && p.hi > p.lo) {
                continue;
            }
            let ink = style::series_style(p.group).color.mix(0.85).stroke_width(2);
            let (a, b) = (p.lo.max(self.x.lo), p.hi.min(self.x.hi));
            plot.draw(&PathElement::new(vec![(a, p.sigma), (b, p.sigma)], ink))?;
            for e in [a, b] {
                plot.draw(
                    &(EmptyElement::at((e, p.sigma))
                        + PathElement::new(vec![(0, -6), (0, 6)], ink)),
                )?;
            }
        }
        Ok(())
    }

    /// Draws leader lines, then markers, then labels on top.
    fn draw_points<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &DrawingArea<DB, Plane>,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let at: Vec<Pt> = self
            .points
            .iter()
            .map(|p| {
                let c = plot.map_coordinate(&(p.mu_star, p.sigma));
                (c.0 as f64, c.1 as f64)
            })
            .collect();
        let centre = |s: &[usize]| -> Pt {
            let k = s.len() as f64;
            (
                s.iter().map(|&i| at[i].0).sum::<f64>() / k,
                s.iter().map(|&i| at[i].1).sum::<f64>() / k,
            )
        };
        for (spot, _, placed) in &self.labels {
            if let Some((a, b)) = placed.leader {
                let o = centre(spot);
                root.draw(&PathElement::new(
                    vec![ipt((a.0 + o.0, a.1 + o.1)), ipt((b.0 + o.0, b.1 + o.1))],
                    style::INK.mix(0.6).stroke_width(1),
                ))?;
            }
        }
        for p in &self.points {
            let st = style::series_style(p.group);
            style::draw_marker(plot, (p.mu_star, p.sigma), st.marker, MARKER_R, st.color)?;
        }
        for (spot, lines, placed) in &self.labels {
            draw_label(root, lines, placed.rect.shift(centre(spot)))?;
        }
        Ok(())
    }
}

const KEY_GAP: i32 = 34;
const KEY_ROW: i32 = 28;

fn key_rows(key: &[String], width: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, k) in key.iter().enumerate() {
        let w = style::text_size(k, style::LEGEND).0 as i32;
        match rows.last_mut() {
            Some(row) if used + KEY_GAP + w <= width => {
                row.push(i);
                used += KEY_GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

fn key_height(key: &[String], width: u32) -> u32 {
    if key.is_empty() {
        0
    } else {
        (key_rows(key, width as i32 - 60).len() as i32 * KEY_ROW + 16) as u32
    }
}

fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, key: &[String]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    for (r, row) in key_rows(key, w as i32 - 60).iter().enumerate() {
        let widths: Vec<i32> = row
            .iter()
            .map(|&i| style::text_size(&key[i], style::LEGEND).0 as i32)
            .collect();
        let total: i32 = widths.iter().sum::<i32>() + KEY_GAP * (row.len() as i32 - 1);
        let mut x = (w as i32 - total) / 2;
        let y = 8 + r as i32 * KEY_ROW + KEY_ROW / 2;
        for (&i, wd) in row.iter().zip(widths) {
            area.draw(&Text::new(
                key[i].clone(),
                (x, y),
                style::anchored(style::font(style::LEGEND), HPos::Left, VPos::Center),
            ))?;
            x += wd + KEY_GAP;
        }
    }
    Ok(())
}

impl Chart for Morris {
    fn size(&self) -> (u32, u32) {
        (MORRIS_W, self.head() + MORRIS_MAIN + 18 + self.below())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("Morris screening: {}", self.output);
        let body = style::header(root, &title, &self.subtitle)?;
        let (w, h) = body.dim_in_pixel();
        let lh = style::legend_height(&self.legend, w);
        let (main, rest) = body.split_vertically(h - self.below());
        let (legend, key) = rest.split_vertically(lh);
        let main = main.margin(0, 0, 30, 30);
        let chart = style::cartesian(&main, &self.x, &self.y, self.y_area, true)?;
        let plot = chart.plotting_area();
        self.draw_diagonal(root, plot)?;
        self.draw_whiskers(plot)?;
        self.draw_points(root, plot)?;
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        if !self.key.is_empty() {
            draw_key(&key, &self.key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_come_from_name_prefixes() {
        let (g, names) = groups(&["a.x", "b.y", "a.z"]);
        assert_eq!(g, vec![0, 1, 0]);
        assert_eq!(names, vec!["a", "b"]);
        let (g, names) = groups(&["x", "y"]);
        assert_eq!(g, vec![0, 0]);
        assert!(names.is_empty());
    }
}
