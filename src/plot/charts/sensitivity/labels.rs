//! Label placement for the Morris chart, in pixel space.
//!
//! [`place_labels`] is a pure function of the dots, the fixed obstacles and
//! the sizes of the labels; it gives each label a box and, when the box is
//! not right next to its dots, a leader line. Its rules hold for every
//! label it places:
//!
//! * no label overlaps another label or a fixed text (the diagonal's);
//! * no label covers a dot, its own ones included;
//! * a label more than [`NEAR`] pixels from its dots has a leader line from
//!   its dots to the box, one nearer has none (and is nearer its own dots
//!   than any other, so it cannot seem to name another point);
//! * no label covers a leader line, no leader line runs through a label;
//! * every label lies inside the area.
//!
//! The search is greedy: the label with the fewest free candidates first,
//! each label at the cheapest free candidate around its dots (beside them,
//! then further out along 24 rays up to the far side of the area), the
//! cost being the distance plus penalties for covering a whisker, crossing
//! the diagonal, and a leader running through other dots, along whiskers
//! or across other leaders. A label with no free candidate on the rays
//! moves to the front and the labels are placed again; then each costly
//! label is tried first once, and an order is kept when it leaves fewer
//! labels without a place or costs less. When asked, a label that finds no
//! place on the rays is put on the cheapest free spot of a grid over the
//! whole area (every 6 pixels). Every loop is bounded and every tie is
//! broken by index, so the same input gives the same places.
//!
//! Also the size and drawing of a label's text.

use super::geometry::{Pt, Rect, seg_dist, segments_cross};
use crate::plot::style::{self, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::cmp::Ordering;

/// Text size of the point labels.
pub(super) const LABEL: f64 = 17.0;
/// White ground left and right of a label's text (pixels), part of its box.
const PAD: f64 = 2.0;
/// The least room between a label's box and a dot or another label.
pub(super) const CLEAR: f64 = 3.0;
/// A label whose box is at most this far (pixels) from the edge of its
/// dots is right next to them and has no leader line; further away, it
/// has one.
pub(super) const NEAR: f64 = 6.0;
/// At most this many orders are tried to settle the labels without a
/// place, and as many to lower the cost.
const MAX_RETRIES: usize = 12;
/// The step of the grid searched when the rays have no free place.
const GRID_STEP: f64 = 6.0;

/// Where one label goes: its box (the white ground it paints) and, when
/// the box is away from its dots, a leader line from the edge of the dots
/// to the nearest point of the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Placed {
    pub rect: Rect,
    pub leader: Option<(Pt, Pt)>,
}

/// A dot of the chart: its centre and how far its marker reaches from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Dot {
    pub at: Pt,
    pub r: f64,
}

/// What the labels must, or should rather, avoid.
pub(super) struct Obstacles {
    /// Labels stay inside.
    pub area: Rect,
    /// Every dot: never under a label; a leader runs through one only at
    /// a high cost.
    pub dots: Vec<Dot>,
    /// Fixed texts: never covered by a label, never crossed by a leader.
    pub fixed: Vec<Rect>,
    /// Whiskers and the dot each belongs to: a label should rather not
    /// cover one nor continue another dot's, a leader not run along one.
    pub whiskers: Vec<(usize, Rect)>,
    /// Lines a label should rather not cross (the diagonal).
    pub lines: Vec<(Pt, Pt)>,
}

/// One label to place: the dots it names (indices into
/// [`Obstacles::dots`]; several when their markers coincide) and the
/// width and height of its box.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Want {
    pub own: Vec<usize>,
    pub w: f64,
    pub h: f64,
}

/// Directions tried around a dot, most natural first (degrees, y down):
/// beside, then diagonally, then above and below, then in between.
const ANGLES: [f64; 24] = [
    0.0, 180.0, -30.0, 30.0, -150.0, 150.0, -60.0, 60.0, -120.0, 120.0, -90.0, 90.0, -15.0, 15.0,
    -165.0, 165.0, -45.0, 45.0, -135.0, 135.0, -75.0, 75.0, -105.0, 105.0,
];
/// Gaps between dots and label tried first, nearest first (pixels); the
/// rays go on beyond them (see [`gaps`]).
const GAPS: [f64; 11] = [
    3.0, 12.0, 24.0, 40.0, 60.0, 85.0, 115.0, 150.0, 190.0, 235.0, 285.0,
];

/// The gaps tried in `area`: [`GAPS`], then a fifth further each time,
/// until the rays leave the area.
fn gaps(area: &Rect) -> Vec<f64> {
    let far = ((area.x1 - area.x0).powi(2) + (area.y1 - area.y0).powi(2)).sqrt();
    let mut out = GAPS.to_vec();
    let mut g = GAPS[GAPS.len() - 1];
    while g < far {
        g *= 1.2;
        out.push(g.round());
    }
    out
}

/// The centre of dots `own` and how far they reach from it.
pub(super) fn anchor(dots: &[Dot], own: &[usize]) -> (Pt, f64) {
    let k = own.len().max(1) as f64;
    let c = (
        own.iter().map(|&i| dots[i].at.0).sum::<f64>() / k,
        own.iter().map(|&i| dots[i].at.1).sum::<f64>() / k,
    );
    let reach = own
        .iter()
        .map(|&i| ((dots[i].at.0 - c.0).powi(2) + (dots[i].at.1 - c.1).powi(2)).sqrt() + dots[i].r)
        .fold(0.0, f64::max);
    (c, reach)
}

/// The box of a `w` × `h` label `gap` pixels beyond dots reaching `reach`
/// from `p`, in direction `deg`: beside them, centred, when the direction
/// is horizontal or vertical, else with a corner towards them. Its nearest
/// point is `reach + gap` from `p`.
fn candidate(p: Pt, w: f64, h: f64, reach: f64, gap: f64, deg: f64) -> Rect {
    let (s, c) = deg.to_radians().sin_cos();
    let a = (p.0 + (reach + gap) * c, p.1 + (reach + gap) * s);
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

/// The labels and leader lines placed so far.
#[derive(Default)]
struct Taken {
    rects: Vec<Rect>,
    leaders: Vec<(Pt, Pt)>,
}

/// Whether a label box may go at `rect` at all: inside the area, clear of
/// every dot, label and fixed text, over no leader line.
fn fits(rect: &Rect, obs: &Obstacles, taken: &Taken) -> bool {
    rect.within(&obs.area)
        // (The nearest candidates are exactly CLEAR away: not lost to
        // rounding.)
        && obs
            .dots
            .iter()
            .all(|d| rect.dist(d.at) >= d.r + CLEAR - 1e-6)
        && obs
            .fixed
            .iter()
            .chain(&taken.rects)
            .all(|o| !o.grow(CLEAR).overlaps(rect))
        && taken
            .leaders
            .iter()
            .all(|&(u, v)| !rect.grow(1.0).hit_by(u, v))
}

/// The leader line from the edge of dots reaching `reach` from `p` to the
/// nearest point of the label box `rect`.
fn leader_to(rect: &Rect, p: Pt, reach: f64) -> (Pt, Pt) {
    let q = rect.nearest(p);
    let len = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt().max(1e-9);
    let from = (
        p.0 + (q.0 - p.0) * reach / len,
        p.1 + (q.1 - p.1) * reach / len,
    );
    (from, q)
}

/// The penalties of a label box: covering a whisker, lying in line with
/// another dot's whisker, crossing a line.
fn box_cost(rect: &Rect, own: &[usize], obs: &Obstacles) -> f64 {
    let padded = rect.grow(CLEAR);
    // Covering a whisker hides data, and a label in line with the end of
    // another dot's whisker reads as that dot's: both are worse than a
    // long leader.
    let whiskers = obs
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
        .count();
    let lines = obs
        .lines
        .iter()
        .filter(|&&(u, v)| padded.hit_by(u, v))
        .count();
    200.0 * whiskers as f64 + 45.0 * lines as f64
}

/// The leader `u`–`v` without its last pixel at each end, where it may
/// touch its dots and its label.
pub(super) fn shrink(u: Pt, v: Pt) -> (Pt, Pt) {
    let len = ((v.0 - u.0).powi(2) + (v.1 - u.1).powi(2)).sqrt().max(1e-9);
    let f = (1.0 / len).min(0.5);
    (
        (u.0 + (v.0 - u.0) * f, u.1 + (v.1 - u.1) * f),
        (v.0 - (v.0 - u.0) * f, v.1 - (v.1 - u.1) * f),
    )
}

/// The penalties of the leader `u`–`v` of a label of dots `own`, or
/// `None` when it runs through a label or fixed text.
fn leader_cost((u, v): (Pt, Pt), own: &[usize], obs: &Obstacles, taken: &Taken) -> Option<f64> {
    let shrunk = shrink(u, v);
    if obs
        .fixed
        .iter()
        .chain(&taken.rects)
        .any(|o| o.grow(1.0).hit_by(shrunk.0, shrunk.1))
    {
        return None;
    }
    // Through another dot, it could seem to lead there.
    let through = obs
        .dots
        .iter()
        .enumerate()
        .filter(|(k, d)| !own.contains(k) && seg_dist(shrunk.0, shrunk.1, d.at) < d.r)
        .count();
    // Crossing a whisker is fine, running along one is not.
    let along: f64 = obs
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
        .sum();
    let crossed = taken
        .leaders
        .iter()
        .filter(|&&(a, b)| segments_cross(u, v, a, b))
        .count();
    Some(150.0 * through as f64 + along + 60.0 * crossed as f64)
}

/// Whether a label box `rect` without a leader is about as near another
/// dot as its own dots' centre `p`, so that it would seem to name that one.
fn names_another(rect: &Rect, p: Pt, own: &[usize], obs: &Obstacles) -> bool {
    let own_d = rect.dist(p);
    obs.dots
        .iter()
        .enumerate()
        .any(|(k, d)| !own.contains(&k) && rect.dist(d.at) < own_d + 6.0)
}

/// The label `want` (its dots' centre `p` and reach) at `rect`: its place
/// and cost (`extra` plus the distance and the penalties), or `None` when
/// it breaks a rule.
fn consider(
    rect: Rect,
    extra: f64,
    (p, reach): (Pt, f64),
    want: &Want,
    obs: &Obstacles,
    taken: &Taken,
) -> Option<(f64, Placed)> {
    if !fits(&rect, obs, taken) {
        return None;
    }
    let gap = (rect.dist(p) - reach).max(0.0);
    let leader = (gap > NEAR).then(|| leader_to(&rect, p, reach));
    let mut cost = extra + gap + box_cost(&rect, &want.own, obs);
    match leader {
        Some(l) => cost += leader_cost(l, &want.own, obs, taken)?,
        None if names_another(&rect, p, &want.own, obs) => return None,
        None => {}
    }
    Some((cost, Placed { rect, leader }))
}

/// The cheapest free place on the rays around the label's dots, and its
/// cost.
fn on_rays(
    at: (Pt, f64),
    want: &Want,
    obs: &Obstacles,
    taken: &Taken,
    gaps: &[f64],
) -> Option<(f64, Placed)> {
    let mut best: Option<(f64, Placed)> = None;
    for &gap in gaps {
        // Every candidate of this gap and beyond costs at least the gap.
        if best.is_some_and(|(c, _)| c < gap) {
            break;
        }
        for (ai, &deg) in ANGLES.iter().enumerate() {
            let rect = candidate(at.0, want.w, want.h, at.1, gap, deg);
            if let Some((c, p)) = consider(rect, ai as f64 * 1.5, at, want, obs, taken)
                && best.is_none_or(|(b, _)| c < b)
            {
                best = Some((c, p));
            }
        }
    }
    best
}

/// The cheapest free place on a grid over the whole area, and its cost.
fn on_grid(at: (Pt, f64), want: &Want, obs: &Obstacles, taken: &Taken) -> Option<(f64, Placed)> {
    let a = &obs.area;
    let (nx, ny) = (
        ((a.x1 - a.x0 - want.w) / GRID_STEP).floor(),
        ((a.y1 - a.y0 - want.h) / GRID_STEP).floor(),
    );
    if nx < 0.0 || ny < 0.0 {
        return None;
    }
    let mut best: Option<(f64, Placed)> = None;
    for j in 0..=ny as usize {
        for i in 0..=nx as usize {
            let x0 = a.x0 + i as f64 * GRID_STEP;
            let y0 = a.y0 + j as f64 * GRID_STEP;
            let rect = Rect {
                x0,
                y0,
                x1: x0 + want.w,
                y1: y0 + want.h,
            };
            // The distance alone already costs more than the best.
            if best.is_some_and(|(c, _)| rect.dist(at.0) - at.1 >= c) {
                continue;
            }
            if let Some((c, p)) = consider(rect, 0.0, at, want, obs, taken)
                && best.is_none_or(|(b, _)| c < b)
            {
                best = Some((c, p));
            }
        }
    }
    best
}

/// The outcome of placing the labels in one order.
#[derive(Clone)]
struct Run {
    /// The place of each label (in label order), `None` when it found none.
    places: Vec<Option<Placed>>,
    /// The cost of each label.
    costs: Vec<f64>,
    /// The labels without a place, in placing order.
    failed: Vec<usize>,
}

impl Run {
    fn total(&self) -> f64 {
        self.costs.iter().sum()
    }

    /// Fewer labels without a place, then the lower total cost.
    fn better_than(&self, o: &Run) -> bool {
        match self.failed.len().cmp(&o.failed.len()) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => self.total() < o.total(),
        }
    }
}

/// Places the labels `wants` among `obs`, in pixels: one place per label,
/// in the order of `wants`, under the rules of this module. A label finds
/// its place on the rays around its dots; with `anywhere`, one that finds
/// none there goes to the nearest free spot of the area. `None` for a
/// label that found no place at all.
pub(super) fn place_labels(obs: &Obstacles, wants: &[Want], anywhere: bool) -> Vec<Option<Placed>> {
    let n = wants.len();
    if n == 0 {
        return Vec::new();
    }
    let gaps = gaps(&obs.area);
    let anchors: Vec<(Pt, f64)> = wants.iter().map(|w| anchor(&obs.dots, &w.own)).collect();
    // The most constrained first: the fewest free places among the dots
    // and fixed texts alone, ties by index.
    let none = Taken::default();
    let free: Vec<usize> = (0..n)
        .map(|k| {
            gaps.iter()
                .flat_map(|&g| ANGLES.iter().map(move |&d| (g, d)))
                .filter(|&(g, d)| {
                    let (p, reach) = anchors[k];
                    fits(
                        &candidate(p, wants[k].w, wants[k].h, reach, g, d),
                        obs,
                        &none,
                    )
                })
                .count()
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| free[a].cmp(&free[b]).then(a.cmp(&b)));

    let run = |order: &[usize]| -> Run {
        let mut taken = Taken::default();
        let mut out = Run {
            places: vec![None; n],
            costs: vec![0.0; n],
            failed: Vec::new(),
        };
        for &k in order {
            let found = on_rays(anchors[k], &wants[k], obs, &taken, &gaps).or_else(|| {
                anywhere
                    .then(|| on_grid(anchors[k], &wants[k], obs, &taken))
                    .flatten()
            });
            match found {
                Some((cost, p)) => {
                    taken.rects.push(p.rect);
                    taken.leaders.extend(p.leader);
                    out.places[k] = Some(p);
                    out.costs[k] = cost;
                }
                None => out.failed.push(k),
            }
        }
        out
    };

    let mut best = run(&order);
    let mut best_order = order.clone();
    // A label without a place goes first, a few times.
    let mut last = best.clone();
    for _ in 0..MAX_RETRIES {
        let Some(&k) = last.failed.first() else {
            break;
        };
        if order[0] == k {
            break;
        }
        order.retain(|&j| j != k);
        order.insert(0, k);
        last = run(&order);
        if last.better_than(&best) {
            (best, best_order) = (last.clone(), order.clone());
        }
    }
    // Each costly label first, once, kept when that is better.
    let mut tried = vec![false; n];
    for _ in 0..MAX_RETRIES {
        let Some(k) = (0..n)
            .filter(|&k| !tried[k] && best.costs[k] > 100.0)
            .max_by(|&a, &b| best.costs[a].total_cmp(&best.costs[b]).then(b.cmp(&a)))
        else {
            break;
        };
        tried[k] = true;
        let mut o = best_order.clone();
        o.retain(|&j| j != k);
        o.insert(0, k);
        let r = run(&o);
        if r.better_than(&best) {
            (best, best_order) = (r, o);
        }
    }
    best.places
}

/// The height of one line of label text (DejaVu's ascent − descent).
pub(super) fn line_height() -> f64 {
    (LABEL * 1.17).ceil()
}

/// Width and height of the box of a label of `lines`: the widest line in
/// the chart's font and its white ground, one line height each.
pub(super) fn label_size(lines: &[String]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| style::text_size(l, LABEL).0)
        .max()
        .unwrap_or(0);
    (w as f64 + 2.0 * PAD, line_height() * lines.len() as f64)
}

/// Draws the lines of a label in its box `rect` (absolute pixels) on a
/// faint white ground.
pub(super) fn draw_label<DB: DrawingBackend>(
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
        [(x0, y0), (x1, y1)],
        WHITE.mix(0.85).filled(),
    ))?;
    let lh = line_height();
    for (k, line) in lines.iter().enumerate() {
        let y = rect.y0 + lh * (k as f64 + 0.5);
        root.draw(&Text::new(
            line.clone(),
            ((rect.x0 + PAD).round() as i32, y.round() as i32),
            style::anchored(style::font(LABEL), HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 800.0,
        y1: 600.0,
    };

    /// A number in [0, 1) from a fixed sequence (the same every run).
    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Dots at `pts` of radius 9–11 (as markers reach), one label each of
    /// the given width (one line, or two when `two` says so).
    fn case(pts: &[Pt], widths: &[f64], two: &[usize]) -> (Obstacles, Vec<Want>) {
        let obs = Obstacles {
            area: AREA,
            dots: pts
                .iter()
                .enumerate()
                .map(|(k, &at)| Dot {
                    at,
                    r: 9.0 + (k % 3) as f64,
                })
                .collect(),
            fixed: Vec::new(),
            whiskers: Vec::new(),
            lines: Vec::new(),
        };
        let wants = (0..pts.len())
            .map(|k| Want {
                own: vec![k],
                w: widths[k % widths.len()],
                h: if two.contains(&k) { 40.0 } else { 20.0 },
            })
            .collect();
        (obs, wants)
    }

    /// The finding: most points crowded near the origin (bottom left),
    /// markers touching and overlapping, a few far out, long names.
    fn crowded() -> (Obstacles, Vec<Want>) {
        let mut s = 7;
        let mut pts: Vec<Pt> = (0..14)
            .map(|_| (40.0 + 45.0 * lcg(&mut s), 560.0 - 45.0 * lcg(&mut s)))
            .collect();
        pts.extend([(600.0, 80.0), (520.0, 200.0), (300.0, 330.0)]);
        case(&pts, &[150.0, 235.0, 120.0, 180.0, 60.0], &[3, 9])
    }

    /// A few points far apart.
    fn sparse() -> (Obstacles, Vec<Want>) {
        let pts = [
            (100.0, 500.0),
            (300.0, 300.0),
            (650.0, 100.0),
            (500.0, 450.0),
            (780.0, 580.0),
        ];
        case(&pts, &[150.0, 235.0, 120.0], &[])
    }

    /// Checks every rule of the module on `places` (absolute pixels) and
    /// returns how many labels have a leader.
    fn check(obs: &Obstacles, wants: &[Want], places: &[Option<Placed>]) -> usize {
        assert_eq!(places.len(), wants.len());
        let placed: Vec<(usize, &Placed)> = places
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.as_ref().map(|p| (k, p)))
            .collect();
        let mut leaders = 0;
        for &(k, p) in &placed {
            let r = &p.rect;
            assert!(r.within(&obs.area), "label {k} leaves the area: {r:?}");
            assert!(
                ((r.x1 - r.x0) - wants[k].w).abs() < 1e-9
                    && ((r.y1 - r.y0) - wants[k].h).abs() < 1e-9,
                "label {k} changed size"
            );
            for (j, d) in obs.dots.iter().enumerate() {
                assert!(
                    r.dist(d.at) >= d.r,
                    "label {k} covers dot {j} ({} px from its centre, reach {})",
                    r.dist(d.at),
                    d.r
                );
            }
            for f in &obs.fixed {
                assert!(!r.overlaps(f), "label {k} covers a fixed text");
            }
            for &(j, q) in &placed {
                if j != k {
                    assert!(!r.overlaps(&q.rect), "labels {k} and {j} overlap");
                }
            }
            // A leader exactly when the label is not right next to its
            // dots, from their edge to the nearest point of the box.
            let (c, reach) = anchor(&obs.dots, &wants[k].own);
            let gap = r.dist(c) - reach;
            assert_eq!(
                p.leader.is_some(),
                gap > NEAR,
                "label {k}: {gap:.1} px from its dots, leader {:?}",
                p.leader
            );
            if let Some((u, v)) = p.leader {
                leaders += 1;
                let near = r.nearest(c);
                assert!((v.0 - near.0).abs() < 1e-9 && (v.1 - near.1).abs() < 1e-9);
                let from = ((u.0 - c.0).powi(2) + (u.1 - c.1).powi(2)).sqrt();
                assert!(
                    (from - reach).abs() < 1e-6,
                    "label {k}: leader starts {from} out"
                );
                // It runs through no other label, and no label covers it.
                let (a, b) = shrink(u, v);
                for &(j, q) in &placed {
                    if j != k {
                        assert!(!q.rect.hit_by(a, b), "leader of {k} runs through label {j}");
                    }
                }
            } else {
                // Right next to its dots, and nearer them than any other.
                let own = r.dist(c);
                for (j, d) in obs.dots.iter().enumerate() {
                    if !wants[k].own.contains(&j) {
                        assert!(r.dist(d.at) >= own, "label {k} seems to name dot {j}");
                    }
                }
            }
        }
        leaders
    }

    #[test]
    fn crowded_labels_keep_every_rule() {
        let (obs, wants) = crowded();
        let places = place_labels(&obs, &wants, true);
        assert!(places.iter().all(Option::is_some), "{places:?}");
        let leaders = check(&obs, &wants, &places);
        // Most of the crowd is displaced, and says whose label it is.
        assert!(leaders >= 7, "{leaders} leaders");
        // On the rays alone some may find no place; those placed keep the
        // rules all the same.
        check(&obs, &wants, &place_labels(&obs, &wants, false));
    }

    #[test]
    fn sparse_labels_sit_beside_their_dots() {
        let (obs, wants) = sparse();
        let places = place_labels(&obs, &wants, false);
        assert!(places.iter().all(Option::is_some));
        assert_eq!(check(&obs, &wants, &places), 0, "{places:?}");
        // The dot in the corner has no room on its right: its label goes
        // to its left, inside.
        let corner = places[4].unwrap().rect;
        assert!(corner.x1 <= 780.0 - 9.0, "{corner:?}");
    }

    #[test]
    fn fixed_texts_whiskers_and_lines_are_respected() {
        let (mut obs, wants) = sparse();
        // A fixed text right of the first dot, where its label would go.
        obs.fixed.push(Rect {
            x0: 110.0,
            y0: 470.0,
            x1: 300.0,
            y1: 530.0,
        });
        // A whisker through the second dot: its label goes above or below.
        obs.whiskers.push((
            1,
            Rect {
                x0: 200.0,
                y0: 294.0,
                x1: 450.0,
                y1: 306.0,
            },
        ));
        obs.lines.push(((0.0, 600.0), (600.0, 0.0)));
        let places = place_labels(&obs, &wants, false);
        check(&obs, &wants, &places);
        let second = places[1].unwrap().rect;
        assert!(!second.overlaps(&obs.whiskers[0].1), "{second:?}");
    }

    #[test]
    fn the_same_input_gives_the_same_places() {
        for (obs, wants) in [crowded(), sparse()] {
            let a = place_labels(&obs, &wants, true);
            let b = place_labels(&obs, &wants, true);
            let bits = |p: &[Option<Placed>]| -> Vec<u64> {
                p.iter()
                    .flatten()
                    .flat_map(|p| {
                        let r = p.rect;
                        let (u, v) = p.leader.unwrap_or(((0.0, 0.0), (0.0, 0.0)));
                        [r.x0, r.y0, r.x1, r.y1, u.0, u.1, v.0, v.1].map(f64::to_bits)
                    })
                    .collect()
            };
            assert_eq!(bits(&a), bits(&b));
            assert_eq!(a.iter().flatten().count(), wants.len());
        }
    }

    #[test]
    fn no_room_means_no_place_and_an_end() {
        // Forty dots on a small area: the labels that fit keep the rules,
        // the others get none, and the search ends.
        let mut s = 3;
        let pts: Vec<Pt> = (0..40)
            .map(|_| (10.0 + 180.0 * lcg(&mut s), 10.0 + 130.0 * lcg(&mut s)))
            .collect();
        let (mut obs, wants) = case(&pts, &[90.0, 140.0], &[]);
        obs.area = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 200.0,
            y1: 150.0,
        };
        let places = place_labels(&obs, &wants, true);
        check(&obs, &wants, &places);
        assert!(places.iter().any(Option::is_none));
        // A label wider than the area has no place at all.
        let wide = [Want {
            own: vec![0],
            w: 500.0,
            h: 20.0,
        }];
        assert_eq!(place_labels(&obs, &wide, true), vec![None]);
        assert!(place_labels(&obs, &[], true).is_empty());
    }
}
