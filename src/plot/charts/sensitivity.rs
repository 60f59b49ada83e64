//! Sensitivity charts, drawn from `sensitivity.csv` alone, one file per
//! output.
//!
//! * Morris screening (`morris_<output>`): each parameter on the μ*–σ
//!   plane (μ* the mean absolute elementary effect, its influence; σ the
//!   spread of its effects, non-linearity and interactions), with the 95%
//!   interval of μ* as a horizontal whisker and the dashed reference line
//!   σ = μ*. Points are coloured and shaped by the prefix of their name
//!   (`managers.`, `professionals.` …) when there are several. Labels are
//!   placed in pixel space once, when the chart is built (so PNG and SVG
//!   agree): beside their point when there is room, further out with a
//!   leader line when not, never over a marker or another label, rather
//!   not over a whisker; points whose markers coincide share one label of
//!   several lines. Placement is greedy, most constrained spot first, with
//!   a few reorderings to lower the total cost; when some label still
//!   finds no free place (or there are more than 30), every point gets a
//!   number instead, keyed below the plot.
//! * Sobol' indices (`sobol_<output>`): horizontal bars, parameters sorted
//!   by total index ST, the first-order index S1 hatched above the solid
//!   ST bar (distinct in greyscale), 95% whiskers. The axis spans at least
//!   [0, 1]; intervals reaching beyond [−0.5, 1.5] are cut with an arrow.

use crate::plot::PlotError;
use crate::plot::data::{MorrisIndex, SobolIndex};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Text size of the point labels.
const LABEL: f64 = 17.0;
/// Radius of the Morris markers.
const MARKER_R: i32 = 8;
/// Width of the Morris chart.
const MORRIS_W: u32 = 1060;
/// Height of the Morris chart's main area (plot, axes).
const MORRIS_MAIN: u32 = 860;
/// With more labels than this, points are numbered straight away.
const MAX_NAMED: usize = 30;
/// At most this many orders are tried when placing labels, twice.
const MAX_RETRIES: usize = 12;
/// The label of the reference line.
const DIAGONAL: &str = "σ = μ*";

/// A rectangle in pixels (x to the right, y down).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

type Pt = (f64, f64);

impl Rect {
    fn around(p: Pt, r: f64) -> Rect {
        Rect {
            x0: p.0 - r,
            y0: p.1 - r,
            x1: p.0 + r,
            y1: p.1 + r,
        }
    }

    fn shift(&self, d: Pt) -> Rect {
        Rect {
            x0: self.x0 + d.0,
            y0: self.y0 + d.1,
            x1: self.x1 + d.0,
            y1: self.y1 + d.1,
        }
    }

    fn grow(&self, pad: f64) -> Rect {
        Rect {
            x0: self.x0 - pad,
            y0: self.y0 - pad,
            x1: self.x1 + pad,
            y1: self.y1 + pad,
        }
    }

    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn within(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// The point of the rectangle nearest to `p`.
    fn nearest(&self, p: Pt) -> Pt {
        (p.0.clamp(self.x0, self.x1), p.1.clamp(self.y0, self.y1))
    }

    /// Whether segment `a`–`b` passes through the rectangle.
    fn hit_by(&self, a: Pt, b: Pt) -> bool {
        self.clip(a, b).is_some()
    }

    /// The length of segment `a`–`b` inside the rectangle.
    fn inside_len(&self, a: Pt, b: Pt) -> f64 {
        self.clip(a, b).map_or(0.0, |(t0, t1)| {
            (t1 - t0) * ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt()
        })
    }

    /// The part of segment `a`–`b` inside the rectangle, as the interval of
    /// its parameter (Liang–Barsky), if any.
    fn clip(&self, a: Pt, b: Pt) -> Option<(f64, f64)> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 > t1 {
                    return None;
                }
            }
        }
        Some((t0, t1))
    }
}

/// Where one label goes, relative to its point: the text box and, when the
/// box is away from the point, a leader line from the marker's edge.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Placed {
    rect: Rect,
    leader: Option<(Pt, Pt)>,
}

/// What the labels must avoid.
struct Obstacles {
    /// Labels must stay inside.
    area: Rect,
    /// Markers: never under a label; a leader crosses one only at a cost.
    markers: Vec<Rect>,
    /// Placed labels and fixed texts: never covered, never crossed.
    hard: Vec<Rect>,
    /// Whiskers and the point each belongs to: a label should rather not
    /// cover one nor continue another point's, a leader not run along one.
    whiskers: Vec<(usize, Rect)>,
    /// Lines a label should rather not cross (the diagonal).
    lines: Vec<(Pt, Pt)>,
    /// Leader lines already drawn: never under a label, rarely crossed.
    leaders: Vec<(Pt, Pt)>,
}

/// Directions tried around a point, most natural first (degrees, y down):
/// beside, then diagonally, then above and below, then in between.
const ANGLES: [f64; 24] = [
    0.0, 180.0, -30.0, 30.0, -150.0, 150.0, -60.0, 60.0, -120.0, 120.0, -90.0, 90.0, -15.0, 15.0,
    -165.0, 165.0, -45.0, 45.0, -135.0, 135.0, -75.0, 75.0, -105.0, 105.0,
];
/// Gaps between marker and label tried, nearest first (pixels).
const GAPS: [f64; 11] = [
    3.0, 12.0, 24.0, 40.0, 60.0, 85.0, 115.0, 150.0, 190.0, 235.0, 285.0,
];

/// The box of a `w` × `h` label `gap` pixels beyond a marker of radius `r`
/// at `p`, in direction `deg`: beside it, centred, when the direction is
/// near horizontal or vertical, else with a corner towards it.
fn candidate(p: Pt, w: f64, h: f64, r: f64, gap: f64, deg: f64) -> Rect {
    let (s, c) = deg.to_radians().sin_cos();
    let a = (p.0 + (r + gap) * c, p.1 + (r + gap) * s);
    let x0 = if c > 0.25 {
        a.0
    } else if c < -0.25 {
        a.0 - w
    } else {
        a.0 - w / 2.0
    };
    let y0 = if s > 0.25 {
        a.1
    } else if s < -0.25 {
        a.1 - h
    } else {
        a.1 - h / 2.0
    };
    Rect {
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
    }
}

/// Finds the cheapest free place for a `w` × `h` label of the point (or
/// cluster of points) at `p` drawn `r` pixels wide, whose own markers are
/// `own` (indices into `obs.markers`), and its cost (distance plus
/// penalties), or `None` when every candidate covers something it must not.
fn place(p: Pt, w: f64, h: f64, r: f64, own: &[usize], obs: &Obstacles) -> Option<(f64, Placed)> {
    let others = || {
        obs.markers
            .iter()
            .enumerate()
            .filter(|(k, _)| !own.contains(k))
            .map(|(_, m)| m)
    };
    let mut best: Option<(f64, Placed)> = None;
    for (gi, &gap) in GAPS.iter().enumerate() {
        // A nearer place beats any further one by more than this.
        if let Some((c, _)) = best
            && c < gap
        {
            break;
        }
        for (ai, &deg) in ANGLES.iter().enumerate() {
            let rect = candidate(p, w, h, r, gap, deg);
            if !rect.within(&obs.area) {
                continue;
            }
            // (The box never meets its own markers: it starts `gap` beyond.)
            let padded = rect.grow(3.0);
            if obs.hard.iter().any(|o| o.overlaps(&padded))
                || others().any(|o| o.overlaps(&padded))
                || obs.leaders.iter().any(|&(u, v)| padded.hit_by(u, v))
            {
                continue;
            }
            let leader = (gi >= 2).then(|| {
                let q = rect.nearest(p);
                let len = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt().max(1e-9);
                let from = (p.0 + (q.0 - p.0) * r / len, p.1 + (q.1 - p.1) * r / len);
                (from, q)
            });
            // Without a leader, the label must sit nearer its own point than
            // any other, or it names the wrong one.
            let near = |q: &Rect| {
                let c = ((q.x0 + q.x1) / 2.0, (q.y0 + q.y1) / 2.0);
                let n = rect.nearest(c);
                ((n.0 - c.0).powi(2) + (n.1 - c.1).powi(2)).sqrt()
            };
            let own_d = (gap + r).min({
                let n = rect.nearest(p);
                ((n.0 - p.0).powi(2) + (n.1 - p.1).powi(2)).sqrt()
            });
            if gi < 2 && others().any(|o| near(o) < own_d + 6.0) {
                continue;
            }
            let mut cost = gap + ai as f64 * 1.5;
            // Covering a whisker hides data, and a label in line with the end
            // of another point's whisker reads as that point's: both are
            // worse than a long leader.
            cost += 200.0
                * obs
                    .whiskers
                    .iter()
                    .filter(|(k, o)| {
                        let o = if own.contains(k) {
                            *o
                        } else {
                            Rect {
                                x0: o.x0 - 24.0,
                                x1: o.x1 + 24.0,
                                ..*o
                            }
                        };
                        o.overlaps(&padded)
                    })
                    .count() as f64;
            cost += 45.0
                * obs
                    .lines
                    .iter()
                    .filter(|&&(u, v)| padded.hit_by(u, v))
                    .count() as f64;
            if let Some((u, v)) = leader {
                // The leader never runs through a label, rarely through
                // another marker or leader.
                let shrunk = (
                    (u.0 + (v.0 - u.0) * 0.02, u.1 + (v.1 - u.1) * 0.02),
                    (v.0 - (v.0 - u.0) * 0.02, v.1 - (v.1 - u.1) * 0.02),
                );
                if obs
                    .hard
                    .iter()
                    .any(|o| o.grow(1.0).hit_by(shrunk.0, shrunk.1))
                {
                    continue;
                }
                cost += 60.0 * others().filter(|o| o.hit_by(shrunk.0, shrunk.1)).count() as f64;
                // Crossing a whisker is fine, running along one is not.
                cost += obs
                    .whiskers
                    .iter()
                    .map(|(_, o)| {
                        let len = o.inside_len(shrunk.0, shrunk.1);
                        if len > 14.0 {
                            200.0
                        } else if len > 0.0 {
                            10.0
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>();
                cost += 30.0
                    * obs
                        .leaders
                        .iter()
                        .filter(|&&(a2, b2)| segments_cross(u, v, a2, b2))
                        .count() as f64;
            }
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, Placed { rect, leader }));
            }
        }
    }
    best
}

/// How many candidate places a `w` × `h` label at `p` has among `obs`.
fn count_places(p: Pt, w: f64, h: f64, r: f64, own: &[usize], obs: &Obstacles) -> usize {
    let mut n = 0;
    for &gap in &GAPS {
        for &deg in &ANGLES {
            let rect = candidate(p, w, h, r, gap, deg);
            let padded = rect.grow(3.0);
            if rect.within(&obs.area)
                && !obs.hard.iter().any(|o| o.overlaps(&padded))
                && !obs
                    .markers
                    .iter()
                    .enumerate()
                    .any(|(k, o)| !own.contains(&k) && o.overlaps(&padded))
            {
                n += 1;
            }
        }
    }
    n
}

fn segments_cross(a: Pt, b: Pt, c: Pt, d: Pt) -> bool {
    let orient = |p: Pt, q: Pt, r: Pt| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

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
pub(crate) fn morris(path: &Path, output: &str, rows: &[MorrisIndex]) -> Result<Morris, PlotError> {
    let shown: Vec<&MorrisIndex> = rows
        .iter()
        .filter(|r| r.mu_star.is_finite() && r.sigma.is_finite())
        .collect();
    if shown.is_empty() {
        return Err(PlotError::Missing {
            file: path.to_path_buf(),
            what: format!("values of `mu_star` and `sigma` for output `{output}` (all empty)"),
        });
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
    let y_area = style::y_area_for(&y.labels);
    let legend: Vec<LegendEntry> = group_names
        .iter()
        .enumerate()
        .map(|(i, g)| LegendEntry {
            label: format!("{g}.*"),
            style: style::series_style(i),
            line: false,
            marker: true,
        })
        .collect();
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
        subtitle,
    };
    chart.layout(&names);
    Ok(chart)
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
        let mut hard: Vec<Rect> = Vec::new();
        let whiskers: Vec<(usize, Rect)> = self
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.lo.is_finite() && p.hi.is_finite())
            .map(|(i, p)| {
                let (a, b) = (
                    self.to_px(&plot, p.lo.max(self.x.lo), p.sigma),
                    self.to_px(&plot, p.hi, p.sigma),
                );
                let rect = Rect {
                    x0: a.0,
                    y0: a.1 - 6.0,
                    x1: b.0,
                    y1: a.1 + 6.0,
                };
                (i, rect)
            })
            .collect();
        // The diagonal's label: along the line from its far end, beside it.
        let m = self.x.hi.min(self.y.hi);
        let dw = style::text_size(DIAGONAL, LABEL).0 as f64;
        let dh = line_height();
        let area = plot.grow(-4.0);
        'diag: for t in [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2] {
            let on = self.to_px(&plot, t * m, t * m);
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
                if abs.within(&area)
                    && !markers.iter().any(|h| h.overlaps(&padded))
                    && !whiskers.iter().any(|(_, h)| h.overlaps(&padded))
                {
                    self.diagonal_label = Some((t * m, rel));
                    hard.push(abs);
                    break 'diag;
                }
            }
        }
        let lines = vec![(self.to_px(&plot, 0.0, 0.0), self.to_px(&plot, m, m))];
        // Points whose markers nearly coincide share one label.
        let n = self.points.len();
        let mut cluster: Vec<usize> = (0..n).collect();
        for i in 0..n {
            for j in 0..i {
                let d = ((px[i].0 - px[j].0).powi(2) + (px[i].1 - px[j].1).powi(2)).sqrt();
                if d < r {
                    let (ci, cj) = (cluster[i], cluster[j]);
                    for c in cluster.iter_mut() {
                        if *c == ci {
                            *c = cj;
                        }
                    }
                }
            }
        }
        // Numbers and the lines of a shared label follow the rank of μ*.
        let mut rank: Vec<usize> = (0..n).collect();
        rank.sort_by(|&a, &b| {
            self.points[b]
                .mu_star
                .total_cmp(&self.points[a].mu_star)
                .then(a.cmp(&b))
        });
        let mut spots: Vec<Vec<usize>> = Vec::new();
        for &i in &rank {
            match spots.iter_mut().find(|s| cluster[s[0]] == cluster[i]) {
                Some(s) => s.push(i),
                None => spots.push(vec![i]),
            }
        }
        let centre = |s: &[usize]| -> Pt {
            let k = s.len() as f64;
            (
                s.iter().map(|&i| px[i].0).sum::<f64>() / k,
                s.iter().map(|&i| px[i].1).sum::<f64>() / k,
            )
        };
        let reach = |s: &[usize]| -> f64 {
            let c = centre(s);
            r + s
                .iter()
                .map(|&i| ((px[i].0 - c.0).powi(2) + (px[i].1 - c.1).powi(2)).sqrt())
                .fold(0.0, f64::max)
        };
        // The spots with the fewest free places first, then the most
        // influential; failing that, simply the most influential first.
        let free: Vec<usize> = spots
            .iter()
            .map(|s| {
                let bare = Obstacles {
                    area,
                    markers: markers.clone(),
                    hard: hard.clone(),
                    whiskers: Vec::new(),
                    lines: Vec::new(),
                    leaders: Vec::new(),
                };
                count_places(centre(s), 60.0, line_height(), reach(s), s, &bare)
            })
            .collect();
        let mut first: Vec<usize> = (0..spots.len()).collect();
        first.sort_by(|&a, &b| free[a].cmp(&free[b]).then(a.cmp(&b)));
        // Places every spot in `order` (with the total cost and the cost of
        // each), or names the first that finds no place.
        type Run = (f64, Vec<f64>, Vec<Placed>);
        let run = |texts: &[Vec<String>], order: &[usize]| -> Result<Run, usize> {
            let mut obs = Obstacles {
                area,
                markers: markers.clone(),
                hard: hard.clone(),
                whiskers: whiskers.clone(),
                lines: lines.clone(),
                leaders: Vec::new(),
            };
            let mut placed = vec![None; spots.len()];
            let mut costs = vec![0.0; spots.len()];
            for &k in order {
                let (w, h) = text_box(&texts[k]);
                let c = centre(&spots[k]);
                let (cost, p) = place(c, w, h, reach(&spots[k]), &spots[k], &obs).ok_or(k)?;
                obs.hard.push(p.rect);
                if let Some(l) = p.leader {
                    obs.leaders.push(l);
                }
                placed[k] = Some(p);
                costs[k] = cost;
            }
            Ok((
                costs.iter().sum(),
                costs,
                placed.into_iter().flatten().collect(),
            ))
        };
        // A spot that finds no place goes first next time (a few times).
        let settle = |texts: &[Vec<String>], mut order: Vec<usize>| -> Option<(Run, Vec<usize>)> {
            for _ in 0..(2 * spots.len()).min(MAX_RETRIES) {
                match run(texts, &order) {
                    Ok(r) => return Some((r, order)),
                    Err(k) if order[0] != k => {
                        order.retain(|&j| j != k);
                        order.insert(0, k);
                    }
                    Err(_) => return None,
                }
            }
            None
        };
        // Then each costly spot in turn is tried first, and the order kept
        // when that lowers the total cost.
        let attempt = |texts: &[Vec<String>]| -> Option<Vec<Placed>> {
            let ((mut total, mut costs, mut placed), mut order) = settle(texts, first.clone())?;
            let mut tried = vec![false; spots.len()];
            for _ in 0..spots.len().min(MAX_RETRIES) {
                let Some(k) = (0..spots.len())
                    .filter(|&k| !tried[k] && costs[k] > 100.0)
                    .max_by(|&a, &b| costs[a].total_cmp(&costs[b]).then(b.cmp(&a)))
                else {
                    break;
                };
                tried[k] = true;
                let mut o = order.clone();
                o.retain(|&j| j != k);
                o.insert(0, k);
                if let Some(((t, c, p), o)) = settle(texts, o)
                    && t < total
                {
                    (total, costs, placed, order) = (t, c, p, o);
                }
            }
            Some(placed)
        };
        let relative = |abs: Vec<Placed>| -> Vec<Placed> {
            abs.into_iter()
                .zip(&spots)
                .map(|(p, s)| {
                    let o = centre(s);
                    Placed {
                        rect: p.rect.shift((-o.0, -o.1)),
                        leader: p
                            .leader
                            .map(|(a, b)| ((a.0 - o.0, a.1 - o.1), (b.0 - o.0, b.1 - o.1))),
                    }
                })
                .collect()
        };
        let full: Vec<Vec<String>> = spots
            .iter()
            .map(|s| s.iter().map(|&i| names[i].to_string()).collect())
            .collect();
        let named = if spots.len() <= MAX_NAMED {
            attempt(&full)
        } else {
            None
        };
        let (texts, abs) = match named {
            Some(abs) => (full, abs),
            None => {
                // Crowded: numbers by rank of μ*, and a key.
                let mut number = vec![0; n];
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
                let abs = attempt(&texts).unwrap_or_else(|| {
                    // Nowhere free even for numbers: right of each spot.
                    spots
                        .iter()
                        .zip(&texts)
                        .map(|(s, t)| {
                            let (c, (w, h)) = (centre(s), text_box(t));
                            let x0 = c.0 + reach(s) + 3.0;
                            Placed {
                                rect: Rect {
                                    x0,
                                    y0: c.1 - h / 2.0,
                                    x1: x0 + w,
                                    y1: c.1 + h / 2.0,
                                },
                                leader: None,
                            }
                        })
                        .collect()
                });
                (texts, abs)
            }
        };
        let placed = relative(abs);
        self.labels = spots
            .into_iter()
            .zip(texts)
            .zip(placed)
            .map(|((s, t), p)| (s, t, p))
            .collect();
    }
}

/// The height of one line of label text (DejaVu's ascent − descent).
fn line_height() -> f64 {
    (LABEL * 1.17).ceil()
}

/// Width and height of a label of `lines`.
fn text_box(lines: &[String]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| style::text_size(l, LABEL).0)
        .max()
        .unwrap_or(0);
    (w as f64, line_height() * lines.len() as f64)
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

/// Draws the lines of a label in `rect` (absolute pixels) on a faint
/// white ground.
fn draw_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[String],
    rect: Rect,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x0, y0) = (rect.x0.round() as i32, rect.y0.round() as i32);
    let (x1, y1) = (rect.x1.round() as i32, rect.y1.round() as i32);
    root.draw(&Rectangle::new(
        [(x0 - 2, y0), (x1 + 2, y1)],
        WHITE.mix(0.85).filled(),
    ))?;
    let lh = line_height();
    for (k, line) in lines.iter().enumerate() {
        let y = rect.y0 + lh * (k as f64 + 0.5);
        root.draw(&Text::new(
            line.clone(),
            (x0, y.round() as i32),
            style::anchored(style::font(LABEL), HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

fn ipt(p: Pt) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
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
        // The reference line σ = μ*.
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
        // Whiskers.
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
        // Leader lines, then markers, then labels on top.
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
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        if !self.key.is_empty() {
            draw_key(&key, &self.key)?;
        }
        Ok(())
    }
}

/// The axis of the Sobol' chart never reaches beyond these.
const SOBOL_MIN: f64 = -0.5;
const SOBOL_MAX: f64 = 1.5;
/// Height of one parameter's pair of bars.
const SOBOL_ROW: u32 = 58;

/// The Sobol' bar chart of one output.
pub(crate) struct Sobol {
    output: String,
    /// Sorted by ST, highest first.
    rows: Vec<SobolIndex>,
    x: Axis,
    y: Axis,
    y_area: u32,
    subtitle: Vec<String>,
}

/// Builds the Sobol' chart of `output`.
pub(crate) fn sobol(output: &str, rows: &[SobolIndex]) -> Sobol {
    let mut rows: Vec<SobolIndex> = rows.to_vec();
    let key = |s: &SobolIndex| if s.st.is_finite() { s.st } else { f64::MIN };
    // Stable: ties keep the scenario order.
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
    let values = rows.iter().flat_map(|r| {
        [r.s1, r.s1_lo, r.s1_hi, r.st, r.st_lo, r.st_hi]
            .into_iter()
            .filter(|v| v.is_finite())
    });
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let lo = ((lo * 10.0).floor() / 10.0).max(SOBOL_MIN);
    let hi = ((hi * 10.0).ceil() / 10.0).min(SOBOL_MAX);
    let cut = rows.iter().any(|r| {
        [r.s1_lo, r.st_lo, r.s1, r.st].iter().any(|&v| v < lo)
            || [r.s1_hi, r.st_hi, r.s1, r.st].iter().any(|&v| v > hi)
    });
    let labels: Vec<String> = rows
        .iter()
        .rev()
        .map(|r| style::fit_text(&r.parameter, style::TICK, 460))
        .collect();
    let y_area = labels
        .iter()
        .map(|l| style::text_size(l, style::TICK).0)
        .max()
        .unwrap_or(0)
        + 24;
    let sum = |f: fn(&SobolIndex) -> f64| -> String {
        let v: Vec<f64> = rows.iter().map(f).filter(|v| v.is_finite()).collect();
        if v.is_empty() {
            "–".into()
        } else {
            style::fmt_num(v.iter().sum(), 2)
        }
    };
    let mut second = format!(
        "whiskers: 95% bootstrap CI; sorted by ST; sum of S1 = {}, of ST = {}",
        sum(|r| r.s1),
        sum(|r| r.st)
    );
    if cut {
        second.push_str("; arrows: CI continues beyond the axis");
    }
    let subtitle = vec![
        "S1 (first order): share of the output's variance due to the parameter alone; ST (total): with all its interactions"
            .to_string(),
        second,
    ];
    Sobol {
        output: output.to_string(),
        rows,
        x: Axis::numeric(lo, hi, 10, "index (share of output variance)"),
        y: Axis::categorical(&labels, ""),
        y_area,
        subtitle,
    }
}

/// The two bars of the Sobol' chart: S1 hatched on a light ground, ST solid.
#[derive(Clone, Copy)]
enum Bar {
    First,
    Total,
}

impl Bar {
    fn color(self) -> RGBColor {
        match self {
            Bar::First => style::OKABE_ITO[1],
            Bar::Total => style::OKABE_ITO[0],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Bar::First => "S1 first order",
            Bar::Total => "ST total",
        }
    }
}

/// Draws a bar over the pixel rectangle `(x0, y0)`–`(x1, y1)`.
fn draw_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bar: Bar,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let c = bar.color();
    match bar {
        Bar::Total => {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))?;
        }
        Bar::First => {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.mix(0.18).filled()))?;
            // Hatching "/": lines x + y = k, every 8 px.
            let mut k = x0 + y0 + 4;
            while k < x1 + y1 {
                let (ax, bx) = ((k - y1).max(x0), (k - y0).min(x1));
                if ax < bx {
                    root.draw(&PathElement::new(
                        vec![(ax, k - ax), (bx, k - bx)],
                        c.stroke_width(2),
                    ))?;
                }
                k += 8;
            }
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(2)))?;
        }
    }
    Ok(())
}

impl Chart for Sobol {
    fn size(&self) -> (u32, u32) {
        let w = (self.y_area + 760).max(1000);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + SOBOL_ROW * self.rows.len() as u32 + 100 + 46)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("Sobol' indices: {}", self.output);
        let body = style::header(root, &title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let (main, legend) = body.split_vertically(h - 46);
        let main = main.margin(0, 0, 10, 30);
        let chart = style::cartesian(&main, &self.x, &self.y, self.y_area, false)?;
        let plot = chart.plotting_area();
        let (ylo, yhi) = (self.y.lo, self.y.hi);
        for &t in &self.x.ticks {
            plot.draw(&PathElement::new(
                vec![(t, ylo), (t, yhi)],
                style::GRID.stroke_width(1),
            ))?;
        }
        let (xlo, xhi) = (self.x.lo, self.x.hi);
        let clamp = |v: f64| v.clamp(xlo, xhi);
        let k = self.rows.len();
        for (i, r) in self.rows.iter().enumerate() {
            let yc = (k - 1 - i) as f64;
            for (bar, v, lo, hi, (b0, b1)) in [
                (Bar::First, r.s1, r.s1_lo, r.s1_hi, (0.04, 0.38)),
                (Bar::Total, r.st, r.st_lo, r.st_hi, (-0.38, -0.04)),
            ] {
                let mid = yc + (b0 + b1) / 2.0;
                if v.is_finite() {
                    let p0 = plot.map_coordinate(&(clamp(0.0), yc + b1));
                    let p1 = plot.map_coordinate(&(clamp(v), yc + b0));
                    draw_bar(root, bar, p0, p1)?;
                    if v < xlo || v > xhi {
                        // Cut by the axis: its value, inside the cut end.
                        let text = style::fmt_num(v, 2);
                        let (tw, th) = style::text_size(&text, style::TICK);
                        let (tw, th) = (tw as i32, th as i32);
                        let at = plot.map_coordinate(&(clamp(v), mid));
                        let x0 = if v < xlo { at.0 + 16 } else { at.0 - 16 - tw };
                        root.draw(&Rectangle::new(
                            [
                                (x0 - 4, at.1 - th / 2 - 2),
                                (x0 + tw + 4, at.1 + th / 2 + 2),
                            ],
                            WHITE.filled(),
                        ))?;
                        root.draw(&Text::new(
                            text,
                            (x0, at.1),
                            style::anchored(style::font(style::TICK), HPos::Left, VPos::Center),
                        ))?;
                    }
                } else {
                    let at = plot.map_coordinate(&(clamp(0.0), mid));
                    root.draw(&Text::new(
                        "undefined",
                        (at.0 + 6, at.1),
                        style::anchored(
                            style::font(style::LEGEND).color(&style::INK),
                            HPos::Left,
                            VPos::Center,
                        ),
                    ))?;
                }
                if lo.is_finite() && hi.is_finite() && hi > lo {
                    let ink = style::TEXT.stroke_width(2);
                    let (a, b) = (clamp(lo), clamp(hi));
                    let pa = plot.map_coordinate(&(a, mid));
                    let pb = plot.map_coordinate(&(b, mid));
                    root.draw(&PathElement::new(vec![pa, pb], ink))?;
                    for (p, end, beyond) in [(pa, -1, lo < xlo), (pb, 1, hi > xhi)] {
                        if beyond {
                            // An arrow head pointing out of the axis.
                            root.draw(&Polygon::new(
                                vec![
                                    (p.0 + 2 * end, p.1),
                                    (p.0 - 9 * end, p.1 - 6),
                                    (p.0 - 9 * end, p.1 + 6),
                                ],
                                style::TEXT.filled(),
                            ))?;
                        } else {
                            root.draw(&PathElement::new(
                                vec![(p.0, p.1 - 6), (p.0, p.1 + 6)],
                                ink,
                            ))?;
                        }
                    }
                }
            }
        }
        // The zero line, over the bars.
        if xlo <= 0.0 && 0.0 <= xhi {
            plot.draw(&PathElement::new(
                vec![(0.0, ylo), (0.0, yhi)],
                style::TEXT.stroke_width(2),
            ))?;
        }
        // Legend: a swatch of each bar.
        let (w, _) = legend.dim_in_pixel();
        let entries = [Bar::First, Bar::Total];
        let widths: Vec<i32> = entries
            .iter()
            .map(|b| 44 + 10 + style::text_size(b.label(), style::LEGEND).0 as i32)
            .collect();
        let total: i32 = widths.iter().sum::<i32>() + 40;
        let mut x = (w as i32 - total) / 2;
        let base = legend.get_base_pixel();
        let y = 23;
        for (b, wd) in entries.iter().zip(widths) {
            draw_bar(
                root,
                *b,
                (base.0 + x, base.1 + y - 10),
                (base.0 + x + 44, base.1 + y + 10),
            )?;
            legend.draw(&Text::new(
                b.label(),
                (x + 54, y),
                style::anchored(style::font(style::LEGEND), HPos::Left, VPos::Center),
            ))?;
            x += wd + 40;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_rectangles_meet() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        assert!(r.hit_by((-5.0, 5.0), (15.0, 5.0)));
        assert!(r.hit_by((5.0, 5.0), (6.0, 6.0)));
        assert!(!r.hit_by((-5.0, -5.0), (-1.0, 20.0)));
        assert!(!r.hit_by((11.0, 0.0), (20.0, 10.0)));
        assert!(segments_cross(
            (0.0, 0.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (2.0, 0.0)
        ));
        assert!(!segments_cross(
            (0.0, 0.0),
            (1.0, 0.0),
            (0.0, 1.0),
            (1.0, 1.0)
        ));
        assert_eq!(r.nearest((20.0, -3.0)), (10.0, 0.0));
    }

    #[test]
    fn labels_avoid_markers_and_each_other() {
        let area = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 400.0,
            y1: 400.0,
        };
        let pts = [(100.0, 100.0), (104.0, 104.0), (108.0, 100.0)];
        let mut obs = Obstacles {
            area,
            markers: pts.iter().map(|&p| Rect::around(p, 9.0)).collect(),
            hard: Vec::new(),
            whiskers: Vec::new(),
            lines: Vec::new(),
            leaders: Vec::new(),
        };
        let mut boxes = Vec::new();
        for (k, &p) in pts.iter().enumerate() {
            let (_, placed) = place(p, 120.0, 20.0, 8.0, &[k], &obs).expect("room enough");
            assert!(placed.rect.within(&area));
            assert!(obs.hard.iter().all(|h| !h.overlaps(&placed.rect)));
            assert!(obs.markers.iter().all(|h| !h.overlaps(&placed.rect)));
            obs.hard.push(placed.rect);
            boxes.push(placed.rect);
        }
        // A label wider than the area has no place.
        assert!(place((50.0, 50.0), 500.0, 20.0, 8.0, &[], &obs).is_none());
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
