//! The Morris μ*–σ screening chart of one output: building it from the
//! indices (points, groups by name prefix, axes, legend, subtitle), laying
//! out its labels once in pixel space (the diagonal's label, then the
//! point labels through [`super::labels`], else numbers with a key), the
//! key below the plot, and drawing it all.

use super::geometry::{Pt, Rect, ipt};
use super::labels::{
    CLEAR, Dot, LABEL, Obstacles, Placed, Want, anchor, draw_label, label_size, line_height,
    place_labels,
};
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
/// Points nearer than this many marker radii share one label: their
/// markers overlap by more than a quarter of their width, too much for a
/// label each to be told apart.
const MERGE: f64 = 1.5;
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

/// The μ* (x) and σ (y) axes of `points`: from a little below zero (or
/// the least value, when negative) to a little above the greatest, with
/// at least 5 ticks each.
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
    // A little below the least value, zero included: a marker at zero is
    // drawn whole, and its label has room on every side.
    let bottom = |lo: f64, hi: f64| {
        if hi > lo { lo - (hi - lo) * 0.04 } else { lo }
    };
    // At least 5 ticks on each axis.
    let x = Axis::numeric_at_least(
        bottom(xmin, xmax),
        top(xmin, xmax),
        8,
        5,
        &format!("μ* (change in {output} over a parameter's range)"),
    );
    let y = Axis::numeric_at_least(
        bottom(ymin, ymax),
        top(ymin, ymax),
        7,
        5,
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

    /// The dots of the points in pixels (as laid out by [`Self::plot_rect`]).
    fn dots(&self, plot: &Rect) -> Vec<Dot> {
        self.points
            .iter()
            .map(|p| Dot {
                at: self.to_px(plot, p.mu_star, p.sigma),
                r: style::marker_reach(style::series_style(p.group).marker, MARKER_R),
            })
            .collect()
    }

    /// Places the diagonal's label and the point labels (names, else
    /// numbers with a key).
    fn layout(&mut self, names: &[&str]) {
        let plot = self.plot_rect();
        let dots = self.dots(&plot);
        let px: Vec<Pt> = dots.iter().map(|d| d.at).collect();
        let whiskers = self.whisker_boxes(&plot);
        let area = plot.grow(-4.0);
        let fixed: Vec<Rect> = self
            .place_diagonal_label(&plot, &area, &dots, &whiskers)
            .into_iter()
            .collect();
        let m = self.x.hi.min(self.y.hi);
        let lines = vec![(self.to_px(&plot, 0.0, 0.0), self.to_px(&plot, m, m))];
        // Numbers and the lines of a shared label follow the rank of μ*.
        let rank = self.rank();
        let spots = spots(&px, MERGE * MARKER_R as f64, &rank);
        let obs = Obstacles {
            area,
            dots,
            fixed,
            whiskers,
            lines,
        };
        let full: Vec<Vec<String>> = spots
            .iter()
            .map(|s| s.iter().map(|&i| names[i].to_string()).collect())
            .collect();
        // Names where each finds a place around its point, else numbers.
        let named = (spots.len() <= MAX_NAMED)
            .then(|| place_labels(&obs, &wants(&spots, &full), false))
            .filter(|p| p.iter().all(Option::is_some));
        let (texts, places) = match named {
            Some(places) => (full, places),
            None => self.numbered(names, &rank, &spots, &obs),
        };
        self.labels = spots
            .into_iter()
            .zip(texts)
            .zip(places)
            .filter_map(|((s, t), p)| {
                let (c, _) = anchor(&obs.dots, &s);
                p.map(|p| (s, t, relative(p, c)))
            })
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
    /// beside it, clear of dots and whiskers. Returns its box (absolute
    /// pixels), if it found a place.
    fn place_diagonal_label(
        &mut self,
        plot: &Rect,
        area: &Rect,
        dots: &[Dot],
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
                    && dots.iter().all(|d| abs.dist(d.at) >= d.r + CLEAR)
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
    /// labels' texts and places (absolute pixels); a number that finds no
    /// free spot anywhere is left out, and its key entry says so.
    fn numbered(
        &mut self,
        names: &[&str],
        rank: &[usize],
        spots: &[Vec<usize>],
        obs: &Obstacles,
    ) -> (Vec<Vec<String>>, Vec<Option<Placed>>) {
        let mut number = vec![0; self.points.len()];
        for (k, &i) in rank.iter().enumerate() {
            number[i] = k + 1;
        }
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
        let places = place_labels(obs, &wants(spots, &texts), true);
        let mut unmarked = vec![false; self.points.len()];
        for (s, p) in spots.iter().zip(&places) {
            if p.is_none() {
                for &i in s {
                    unmarked[i] = true;
                }
            }
        }
        self.key = rank
            .iter()
            .map(|&i| {
                let note = if unmarked[i] {
                    " (no room to mark)"
                } else {
                    ""
                };
                format!("{}  {}{note}", number[i], names[i])
            })
            .collect();
        (texts, places)
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

    /// Draws markers, then leader lines, then labels on top.
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
        for p in &self.points {
            let st = style::series_style(p.group);
            style::draw_marker(plot, (p.mu_star, p.sigma), st.marker, MARKER_R, st.color)?;
        }
        // Over the markers: a leader that must pass another point's marker
        // is seen to go on to its own.
        for (spot, _, placed) in &self.labels {
            if let Some((a, b)) = placed.leader {
                let o = centre(spot);
                root.draw(&PathElement::new(
                    vec![ipt((a.0 + o.0, a.1 + o.1)), ipt((b.0 + o.0, b.1 + o.1))],
                    style::INK.mix(0.6).stroke_width(1),
                ))?;
            }
        }
        for (spot, lines, placed) in &self.labels {
            draw_label(root, lines, placed.rect.shift(centre(spot)))?;
        }
        Ok(())
    }
}

/// Groups the points at pixels `px` nearer than `d` to another (and so
/// on, in chains) into spots that share one label; spots and the points
/// within each follow `rank`.
fn spots(px: &[Pt], d: f64, rank: &[usize]) -> Vec<Vec<usize>> {
    let n = px.len();
    let mut cluster: Vec<usize> = (0..n).collect();
    for i in 0..n {
        for j in 0..i {
            let dij = ((px[i].0 - px[j].0).powi(2) + (px[i].1 - px[j].1).powi(2)).sqrt();
            if dij < d {
                let (ci, cj) = (cluster[i], cluster[j]);
                for c in cluster.iter_mut() {
                    if *c == ci {
                        *c = cj;
                    }
                }
            }
        }
    }
    let mut spots: Vec<Vec<usize>> = Vec::new();
    for &i in rank {
        match spots.iter_mut().find(|s| cluster[s[0]] == cluster[i]) {
            Some(s) => s.push(i),
            None => spots.push(vec![i]),
        }
    }
    spots
}

/// The labels to place: one per spot, of the size of its `texts`.
fn wants(spots: &[Vec<usize>], texts: &[Vec<String>]) -> Vec<Want> {
    spots
        .iter()
        .zip(texts)
        .map(|(s, t)| {
            let (w, h) = label_size(t);
            Want {
                own: s.clone(),
                w,
                h,
            }
        })
        .collect()
}

/// `p` (absolute pixels) relative to the centre `o` of its spot.
fn relative(p: Placed, o: Pt) -> Placed {
    Placed {
        rect: p.rect.shift((-o.0, -o.1)),
        leader: p
            .leader
            .map(|(a, b)| ((a.0 - o.0, a.1 - o.1), (b.0 - o.0, b.1 - o.1))),
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
        // The labels were laid out in pixels for this very plotting area.
        debug_assert!(
            {
                let (xr, yr) = plot.get_pixel_range();
                let r = self.plot_rect();
                [
                    (xr.start, r.x0),
                    (xr.end, r.x1),
                    (yr.start, r.y0),
                    (yr.end, r.y1),
                ]
                .iter()
                .all(|&(a, b)| (a as f64 - b).abs() <= 1.0)
            },
            "the Morris plotting area is not where the labels were laid out"
        );
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
    use super::super::labels::NEAR;
    use super::*;

    fn row(parameter: &str, mu_star: f64, sigma: f64) -> MorrisIndex {
        MorrisIndex {
            parameter: parameter.to_string(),
            mu_star,
            sigma,
            lo: mu_star * 0.6,
            hi: mu_star * 1.4,
        }
    }

    /// The finding's chart (existential of scenarios/sensitivity.toml):
    /// three points far out, seven crowded near the origin.
    fn finding() -> Vec<MorrisIndex> {
        [
            ("managers.rationale", 0.00262, 0.00332),
            ("managers.effect", 0.00058, 0.00100),
            ("managers.focus", 0.2319, 0.1675),
            ("managers.energy", 0.00311, 0.00457),
            ("managers.connection", 0.2403, 0.1481),
            ("professionals.need", 0.1600, 0.1330),
            ("professionals.consequentialism", 0.01110, 0.00806),
            ("professionals.aspiration", 0.00450, 0.00666),
            ("professionals.standard", 0.00022, 0.00037),
            ("professionals.base_drive", 0.01612, 0.01758),
        ]
        .iter()
        .map(|&(p, m, s)| row(p, m, s))
        .collect()
    }

    /// Checks the chart's labels in absolute pixels against its dots and
    /// plotting area, draws it, and returns the SVG.
    fn check_chart(chart: &Morris) -> String {
        let plot = chart.plot_rect();
        let dots = chart.dots(&plot);
        let abs: Vec<(Vec<usize>, Placed)> = chart
            .labels
            .iter()
            .map(|(s, _, p)| {
                let (c, _) = anchor(&dots, s);
                let leader = p
                    .leader
                    .map(|(a, b)| ((a.0 + c.0, a.1 + c.1), (b.0 + c.0, b.1 + c.1)));
                let rect = p.rect.shift(c);
                (s.clone(), Placed { rect, leader })
            })
            .collect();
        for (k, (s, p)) in abs.iter().enumerate() {
            assert!(p.rect.within(&plot), "label {k} leaves the plot");
            for (i, d) in dots.iter().enumerate() {
                assert!(p.rect.dist(d.at) >= d.r, "label {k} covers point {i}");
            }
            for (j, (_, q)) in abs.iter().enumerate() {
                assert!(
                    j == k || !p.rect.overlaps(&q.rect),
                    "labels {k}, {j} overlap"
                );
            }
            let (c, reach) = anchor(&dots, s);
            assert_eq!(
                p.leader.is_some(),
                p.rect.dist(c) - reach > NEAR,
                "label {k}"
            );
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
            root.fill(&WHITE).unwrap();
            chart.draw(&root).unwrap();
        }
        svg
    }

    #[test]
    fn the_findings_chart_names_every_point_clear_of_the_others() {
        let rows = finding();
        let chart = morris(Path::new("sensitivity.csv"), "existential", &rows).unwrap();
        // At least 5 ticks on each axis (σ had 4 here, on steps of 0.05).
        assert!(chart.y.ticks.len() >= 5, "{:?}", chart.y.labels);
        assert!(chart.x.ticks.len() >= 5, "{:?}", chart.x.labels);
        // Names, not numbers, and each point named exactly once.
        assert!(chart.key.is_empty());
        let mut named: Vec<usize> = chart
            .labels
            .iter()
            .flat_map(|(s, _, _)| s.clone())
            .collect();
        named.sort();
        assert_eq!(named, (0..rows.len()).collect::<Vec<_>>());
        let svg = check_chart(&chart);
        for r in &rows {
            assert!(svg.contains(&r.parameter), "{} not drawn", r.parameter);
        }
        // The same rows, the same chart.
        let again = morris(Path::new("sensitivity.csv"), "existential", &rows).unwrap();
        assert_eq!(check_chart(&again), svg);
    }

    #[test]
    fn many_crowded_points_are_numbered_clear_of_each_other() {
        // 36 points in a tight grid near the origin (markers about two
        // radii apart) and 4 far out: numbers, a key, the same rules.
        let mut rows: Vec<MorrisIndex> = (0..36)
            .map(|k| {
                let (i, j) = ((k % 6) as f64, (k / 6) as f64);
                row(&format!("group{}.p{k}", k % 3), 0.009 * i, 0.006 * j)
            })
            .collect();
        for k in 0..4 {
            let v = 0.1 + 0.06 * k as f64;
            rows.push(row(&format!("group{}.far{k}", k % 3), v, v * 0.7));
        }
        let chart = morris(Path::new("sensitivity.csv"), "y", &rows).unwrap();
        assert_eq!(chart.key.len(), 40);
        check_chart(&chart);
    }

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
