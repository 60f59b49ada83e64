//! Label placement for the Morris chart, in pixel space: what a label must
//! avoid ([`Obstacles`]), the candidate boxes around a point, the cost of
//! each (distance plus penalties for covering a whisker, crossing the
//! diagonal, a leader line running through markers, whiskers or other
//! leaders), grouping points whose markers coincide into one spot, and the
//! search over placing orders ([`Search`]): greedy, most constrained spot
//! first, a spot that finds no place moved to the front, then each costly
//! spot tried first while that lowers the total cost. Also the size and
//! drawing of a label's text.

use super::geometry::{Pt, Rect, segments_cross};
use crate::plot::style::{self, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Text size of the point labels.
pub(super) const LABEL: f64 = 17.0;
/// At most this many orders are tried when placing labels, twice.
const MAX_RETRIES: usize = 12;

/// Where one label goes, relative to its point: the text box and, when the
/// box is away from the point, a leader line from the marker's edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Placed {
    pub rect: Rect,
    pub leader: Option<(Pt, Pt)>,
}

/// What the labels must avoid.
pub(super) struct Obstacles {
    /// Labels must stay inside.
    pub area: Rect,
    /// Markers: never under a label; a leader crosses one only at a cost.
    pub markers: Vec<Rect>,
    /// Placed labels and fixed texts: never covered, never crossed.
    pub hard: Vec<Rect>,
    /// Whiskers and the point each belongs to: a label should rather not
    /// cover one nor continue another point's, a leader not run along one.
    pub whiskers: Vec<(usize, Rect)>,
    /// Lines a label should rather not cross (the diagonal).
    pub lines: Vec<(Pt, Pt)>,
    /// Leader lines already drawn: never under a label, rarely crossed.
    pub leaders: Vec<(Pt, Pt)>,
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

/// The markers of `obs` other than the label's `own`.
fn others<'a>(obs: &'a Obstacles, own: &'a [usize]) -> impl Iterator<Item = &'a Rect> + 'a {
    obs.markers
        .iter()
        .enumerate()
        .filter(move |(k, _)| !own.contains(k))
        .map(|(_, m)| m)
}

/// Whether a label box (`padded` by its margin) covers what it never may:
/// a placed label or fixed text, another point's marker, a leader line.
fn blocked(padded: &Rect, own: &[usize], obs: &Obstacles) -> bool {
    obs.hard.iter().any(|o| o.overlaps(padded))
        || others(obs, own).any(|o| o.overlaps(padded))
        || obs.leaders.iter().any(|&(u, v)| padded.hit_by(u, v))
}

/// The leader line from the edge of a marker of radius `r` at `p` to the
/// nearest point of the label box `rect`.
fn leader_to(rect: &Rect, p: Pt, r: f64) -> (Pt, Pt) {
    let q = rect.nearest(p);
    let len = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt().max(1e-9);
    let from = (p.0 + (q.0 - p.0) * r / len, p.1 + (q.1 - p.1) * r / len);
    (from, q)
}

/// Whether a label box `rect` without a leader sits about as near another
/// point's marker as its own point `p` (at most `reach` away), so that it
/// would seem to name the wrong one.
fn names_another(rect: &Rect, p: Pt, reach: f64, own: &[usize], obs: &Obstacles) -> bool {
    let near = |q: &Rect| {
        let c = ((q.x0 + q.x1) / 2.0, (q.y0 + q.y1) / 2.0);
        let n = rect.nearest(c);
        ((n.0 - c.0).powi(2) + (n.1 - c.1).powi(2)).sqrt()
    };
    let own_d = reach.min({
        let n = rect.nearest(p);
        ((n.0 - p.0).powi(2) + (n.1 - p.1).powi(2)).sqrt()
    });
    others(obs, own).any(|o| near(o) < own_d + 6.0)
}

/// Adds to `cost` the penalties of the label box (`padded`): covering a
/// whisker, lying in line with another point's whisker, crossing a line.
fn box_cost(mut cost: f64, padded: &Rect, own: &[usize], obs: &Obstacles) -> f64 {
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
                o.overlaps(padded)
            })
            .count() as f64;
    cost += 45.0
        * obs
            .lines
            .iter()
            .filter(|&&(u, v)| padded.hit_by(u, v))
            .count() as f64;
    cost
}

/// Adds to `cost` the penalties of the leader `u`–`v`, or `None` when it
/// runs through a label.
fn leader_cost(mut cost: f64, (u, v): (Pt, Pt), own: &[usize], obs: &Obstacles) -> Option<f64> {
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
        return None;
    }
    cost += 60.0
        * others(obs, own)
            .filter(|o| o.hit_by(shrunk.0, shrunk.1))
            .count() as f64;
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
    Some(cost)
}

/// Finds the cheapest free place for a `w` × `h` label of the point (or
/// cluster of points) at `p` drawn `r` pixels wide, whose own markers are
/// `own` (indices into `obs.markers`), and its cost (distance plus
/// penalties), or `None` when every candidate covers something it must not.
pub(super) fn place(
    p: Pt,
    w: f64,
    h: f64,
    r: f64,
    own: &[usize],
    obs: &Obstacles,
) -> Option<(f64, Placed)> {
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
            if blocked(&padded, own, obs) {
                continue;
            }
            let leader = (gi >= 2).then(|| leader_to(&rect, p, r));
            // Without a leader, the label must sit nearer its own point than
            // any other, or it names the wrong one.
            if gi < 2 && names_another(&rect, p, gap + r, own, obs) {
                continue;
            }
            let mut cost = box_cost(gap + ai as f64 * 1.5, &padded, own, obs);
            if let Some(l) = leader {
                match leader_cost(cost, l, own, obs) {
                    Some(c) => cost = c,
                    None => continue,
                }
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

/// Groups the points at pixels `px` whose markers (radius `r`) nearly
/// coincide into spots that share one label; spots and the points within
/// each follow `rank`.
pub(super) fn spots(px: &[Pt], r: f64, rank: &[usize]) -> Vec<Vec<usize>> {
    let n = px.len();
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
    let mut spots: Vec<Vec<usize>> = Vec::new();
    for &i in rank {
        match spots.iter_mut().find(|s| cluster[s[0]] == cluster[i]) {
            Some(s) => s.push(i),
            None => spots.push(vec![i]),
        }
    }
    spots
}

/// The outcome of placing every spot in one order: the total cost, the
/// cost of each spot and its place (absolute pixels), in spot order.
type Run = (f64, Vec<f64>, Vec<Placed>);

/// The search for the labels of a set of spots among fixed obstacles.
pub(super) struct Search<'a> {
    /// The fixed obstacles (no leaders yet).
    obs: Obstacles,
    /// The points each spot names.
    spots: &'a [Vec<usize>],
    /// The centre of each spot's markers (pixels).
    centres: Vec<Pt>,
    /// How far each spot's markers reach from its centre.
    reaches: Vec<f64>,
    /// The order tried first: the spots with the fewest free places first,
    /// then the most influential.
    first: Vec<usize>,
}

impl<'a> Search<'a> {
    /// The search for `spots` of the points at pixels `px`, markers of
    /// radius `r`, among `obs`.
    pub(super) fn new(obs: Obstacles, spots: &'a [Vec<usize>], px: &[Pt], r: f64) -> Search<'a> {
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
        let centres: Vec<Pt> = spots.iter().map(|s| centre(s)).collect();
        let reaches: Vec<f64> = spots.iter().map(|s| reach(s)).collect();
        // (Free places depend on the area, markers and fixed texts only.)
        let free: Vec<usize> = spots
            .iter()
            .enumerate()
            .map(|(k, s)| count_places(centres[k], 60.0, line_height(), reaches[k], s, &obs))
            .collect();
        let mut first: Vec<usize> = (0..spots.len()).collect();
        first.sort_by(|&a, &b| free[a].cmp(&free[b]).then(a.cmp(&b)));
        Search {
            obs,
            spots,
            centres,
            reaches,
            first,
        }
    }

    /// Places every spot in `order`, or names the first that finds no place.
    fn run(&self, texts: &[Vec<String>], order: &[usize]) -> Result<Run, usize> {
        let mut obs = Obstacles {
            area: self.obs.area,
            markers: self.obs.markers.clone(),
            hard: self.obs.hard.clone(),
            whiskers: self.obs.whiskers.clone(),
            lines: self.obs.lines.clone(),
            leaders: Vec::new(),
        };
        let n = self.spots.len();
        let mut placed = vec![None; n];
        let mut costs = vec![0.0; n];
        for &k in order {
            let (w, h) = text_box(&texts[k]);
            let (c, r) = (self.centres[k], self.reaches[k]);
            let (cost, p) = place(c, w, h, r, &self.spots[k], &obs).ok_or(k)?;
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
    }

    /// Runs `order`; a spot that finds no place goes first next time (a
    /// few times).
    fn settle(&self, texts: &[Vec<String>], mut order: Vec<usize>) -> Option<(Run, Vec<usize>)> {
        for _ in 0..(2 * self.spots.len()).min(MAX_RETRIES) {
            match self.run(texts, &order) {
                Ok(r) => return Some((r, order)),
                Err(k) if order[0] != k => {
                    order.retain(|&j| j != k);
                    order.insert(0, k);
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// Places labels of `texts` (one per spot, absolute pixels): the first
    /// order settled, then each costly spot in turn tried first, and the
    /// order kept when that lowers the total cost. `None` when some label
    /// finds no place.
    pub(super) fn attempt(&self, texts: &[Vec<String>]) -> Option<Vec<Placed>> {
        let n = self.spots.len();
        let ((mut total, mut costs, mut placed), mut order) =
            self.settle(texts, self.first.clone())?;
        let mut tried = vec![false; n];
        for _ in 0..n.min(MAX_RETRIES) {
            let Some(k) = (0..n)
                .filter(|&k| !tried[k] && costs[k] > 100.0)
                .max_by(|&a, &b| costs[a].total_cmp(&costs[b]).then(b.cmp(&a)))
            else {
                break;
            };
            tried[k] = true;
            let mut o = order.clone();
            o.retain(|&j| j != k);
            o.insert(0, k);
            if let Some(((t, c, p), o)) = self.settle(texts, o)
                && t < total
            {
                (total, costs, placed, order) = (t, c, p, o);
            }
        }
        Some(placed)
    }

    /// The labels of `texts` right of each spot, wherever that is (when
    /// nowhere is free).
    pub(super) fn beside(&self, texts: &[Vec<String>]) -> Vec<Placed> {
        (0..self.spots.len())
            .zip(texts)
            .map(|(k, t)| {
                let (c, (w, h)) = (self.centres[k], text_box(t));
                let x0 = c.0 + self.reaches[k] + 3.0;
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
    }

    /// Places `abs` (absolute pixels, one per spot) relative to the centre
    /// of their spot.
    pub(super) fn relative(&self, abs: Vec<Placed>) -> Vec<Placed> {
        abs.into_iter()
            .zip(&self.centres)
            .map(|(p, &o)| Placed {
                rect: p.rect.shift((-o.0, -o.1)),
                leader: p
                    .leader
                    .map(|(a, b)| ((a.0 - o.0, a.1 - o.1), (b.0 - o.0, b.1 - o.1))),
            })
            .collect()
    }
}

/// The height of one line of label text (DejaVu's ascent − descent).
pub(super) fn line_height() -> f64 {
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

/// Draws the lines of a label in `rect` (absolute pixels) on a faint
/// white ground.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
