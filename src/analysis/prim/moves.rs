//! One change of the box: the candidate moves, their order, whether one is
//! accepted, and applying it.

use super::covering::Prim;
use super::limits::{Lim, Split, State};

/// A single change of the box.
#[derive(Debug, Clone, Copy)]
pub(super) enum Move {
    Lower(usize, f64),
    Upper(usize, f64),
    DropLevel(usize, usize),
    AddLevel(usize, usize),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) obj: f64,
    pub(super) restricted: usize,
    pub(super) n: usize,
    pub(super) k: usize,
    pub(super) mv: Move,
}

impl Candidate {
    /// EMA's order: higher score, then fewer restricted dimensions; the
    /// first of equal candidates is kept.
    pub(super) fn beats(&self, other: &Option<Candidate>) -> bool {
        match other {
            None => true,
            Some(o) => self.obj > o.obj || (self.obj == o.obj && self.restricted < o.restricted),
        }
    }
}

impl Prim<'_> {
    /// Whether candidate `c` may replace the box `st` (a peel if not
    /// `pasting`).
    pub(super) fn accept(&self, st: &State, c: &Candidate, pasting: bool) -> bool {
        let n_total = self.data.rows() as f64;
        let mass_old = st.n as f64 / n_total;
        let mass_new = c.n as f64 / n_total;
        if !(mass_new >= self.config.mass_min && c.obj > 0.0) {
            return false;
        }
        if pasting {
            let mean_old = st.k as f64 / st.n as f64;
            let mean_new = c.k as f64 / c.n as f64;
            mass_new > mass_old && mean_new > mean_old
        } else {
            mass_new < mass_old
        }
    }

    /// Applies a move to the limits and updates the members (remaining
    /// points inside the limits): a peel only drops members; a paste takes
    /// the rows of `grown`, the split of the box before the move.
    pub(super) fn apply(&self, st: &mut State, c: &Candidate, grown: Option<&Split>) {
        match c.mv {
            Move::Lower(j, v) => {
                if let Lim::Num(lo, _) = &mut st.lims[j] {
                    *lo = v;
                }
            }
            Move::Upper(j, v) => {
                if let Lim::Num(_, hi) = &mut st.lims[j] {
                    *hi = v;
                }
            }
            Move::DropLevel(j, l) | Move::AddLevel(j, l) => {
                if let Some(x) = match &mut st.lims[j] {
                    Lim::Cat(mask) => mask.get_mut(l),
                    Lim::Num(..) => None,
                } {
                    *x = matches!(c.mv, Move::AddLevel(..));
                }
            }
        }
        let j = match c.mv {
            Move::Lower(j, _)
            | Move::Upper(j, _)
            | Move::DropLevel(j, _)
            | Move::AddLevel(j, _) => j,
        };
        match grown {
            None => {
                for (r, m) in st.members.iter_mut().enumerate() {
                    *m = *m && self.within(r, j, &st.lims[j]);
                }
            }
            Some(sp) => {
                st.members.iter_mut().for_each(|m| *m = false);
                for r in self.rows_replacing(sp, j, &st.lims[j]) {
                    st.members[r] = true;
                }
            }
        }
        st.n = c.n;
        st.k = c.k;
    }
}
