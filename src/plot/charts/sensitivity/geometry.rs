//! Pixel geometry shared by the sensitivity charts' label placement and
//! drawing: points, rectangles (overlap, containment, the nearest point,
//! clipping a segment, the distance to a point), whether two segments
//! cross, a point's distance to a segment, and rounding a point to whole
//! pixels.

/// A rectangle in pixels (x to the right, y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

pub(super) type Pt = (f64, f64);

impl Rect {
    pub(super) fn shift(&self, d: Pt) -> Rect {
        Rect {
            x0: self.x0 + d.0,
            y0: self.y0 + d.1,
            x1: self.x1 + d.0,
            y1: self.y1 + d.1,
        }
    }

    pub(super) fn grow(&self, pad: f64) -> Rect {
        Rect {
            x0: self.x0 - pad,
            y0: self.y0 - pad,
            x1: self.x1 + pad,
            y1: self.y1 + pad,
        }
    }

    pub(super) fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    pub(super) fn within(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// The point of the rectangle nearest to `p`.
    pub(super) fn nearest(&self, p: Pt) -> Pt {
        (p.0.clamp(self.x0, self.x1), p.1.clamp(self.y0, self.y1))
    }

    /// The distance from `p` to the rectangle (0 inside).
    pub(super) fn dist(&self, p: Pt) -> f64 {
        let q = self.nearest(p);
        ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt()
    }

    /// Whether segment `a`–`b` passes through the rectangle.
    pub(super) fn hit_by(&self, a: Pt, b: Pt) -> bool {
        self.clip(a, b).is_some()
    }

    /// The length of segment `a`–`b` inside the rectangle.
    pub(super) fn inside_len(&self, a: Pt, b: Pt) -> f64 {
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

pub(super) fn segments_cross(a: Pt, b: Pt, c: Pt, d: Pt) -> bool {
    let orient = |p: Pt, q: Pt, r: Pt| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// The distance from `p` to the segment `a`–`b`.
pub(super) fn seg_dist(a: Pt, b: Pt, p: Pt) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = (a.0 + t * dx, a.1 + t * dy);
    ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt()
}

pub(super) fn ipt(p: Pt) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
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
        assert_eq!(r.dist((13.0, 14.0)), 5.0);
        assert_eq!(r.dist((5.0, 5.0)), 0.0);
        assert_eq!(seg_dist((0.0, 0.0), (10.0, 0.0), (5.0, 3.0)), 3.0);
        assert_eq!(seg_dist((0.0, 0.0), (10.0, 0.0), (13.0, 4.0)), 5.0);
    }
}
