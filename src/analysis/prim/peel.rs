//! Peeling: the box shrinks by the best of its candidate peels until none
//! is accepted.

use super::covering::Prim;
use super::ema_quantile;
use super::limits::{Lim, State};
use super::moves::{Candidate, Move};
use super::{ColumnValues, Phase, Step};

/// Buffers reused by every peeling step: the values of the box's members on
/// one dimension, ascending, and the running count of cases of interest
/// among them.
#[derive(Debug, Default)]
struct Scratch {
    vals: Vec<f64>,
    kcum: Vec<usize>,
}

impl Prim<'_> {
    /// Peels the box `st` until no candidate is accepted, appending a step
    /// per accepted peel.
    pub(super) fn peel(&self, st: &mut State, steps: &mut Vec<Step>) {
        let mut scratch = Scratch {
            vals: Vec::with_capacity(st.n),
            kcum: Vec::with_capacity(st.n + 1),
        };
        // Members in ascending order of each dimension, shrunk after every
        // peel, so a step costs O(box size · dimensions).
        let mut sorted: Vec<Vec<usize>> = self
            .order
            .iter()
            .map(|o| o.iter().copied().filter(|&r| st.members[r]).collect())
            .collect();
        loop {
            let r_cur = self.restricted(&st.lims).len();
            let mut best: Option<Candidate> = None;
            self.numeric_peels(st, &sorted, r_cur, &mut scratch, &mut best);
            self.categorical_peels(st, r_cur, &mut best);
            match best {
                Some(c) if self.accept(st, &c, false) => {
                    self.apply(st, &c, None);
                    for rows in &mut sorted {
                        rows.retain(|&r| st.members[r]);
                    }
                    steps.push(self.step(Phase::Peel, st));
                }
                _ => return,
            }
        }
    }

    /// Offers `best` the two peels of every numeric dimension (upper edge
    /// first, as in EMA); `sorted` holds the members in ascending order of
    /// each dimension, `r_cur` is the number of restricted dimensions.
    fn numeric_peels(
        &self,
        st: &State,
        sorted: &[Vec<usize>],
        r_cur: usize,
        scratch: &mut Scratch,
        best: &mut Option<Candidate>,
    ) {
        let alpha = self.config.peel_alpha;
        let y = &self.data.y;
        let Scratch { vals, kcum } = scratch;
        for &j in &self.numeric {
            let (ColumnValues::Numeric(x), Lim::Num(lo, hi), Lim::Num(ilo, ihi)) =
                (&self.data.columns[j].values, &st.lims[j], &self.init[j])
            else {
                continue;
            };
            vals.clear();
            kcum.clear();
            kcum.push(0);
            let mut acc = 0;
            for &r in &sorted[j] {
                vals.push(x[r]);
                acc += usize::from(y[r]);
                kcum.push(acc);
            }
            let m = vals.len();
            let was = usize::from(self.restricted_dim(j, &st.lims[j]));
            // Upper edge first, as in EMA.
            if let Some(v) = ema_quantile(vals, 1.0 - alpha) {
                let keep = vals.partition_point(|&a| a <= v);
                let now = usize::from(v != *ihi || lo != ilo);
                let c = Candidate {
                    obj: self.objective(st.n, st.k, keep, kcum[keep]),
                    restricted: r_cur - was + now,
                    n: keep,
                    k: kcum[keep],
                    mv: Move::Upper(j, v),
                };
                if c.beats(best) {
                    *best = Some(c);
                }
            }
            if let Some(v) = ema_quantile(vals, alpha) {
                let cut = vals.partition_point(|&a| a < v);
                let now = usize::from(v != *ilo || hi != ihi);
                let c = Candidate {
                    obj: self.objective(st.n, st.k, m - cut, st.k - kcum[cut]),
                    restricted: r_cur - was + now,
                    n: m - cut,
                    k: st.k - kcum[cut],
                    mv: Move::Lower(j, v),
                };
                if c.beats(best) {
                    *best = Some(c);
                }
            }
        }
    }

    /// Offers `best` the removal of each kept level of every categorical
    /// dimension that keeps more than one; `r_cur` is the number of
    /// restricted dimensions.
    fn categorical_peels(&self, st: &State, r_cur: usize, best: &mut Option<Candidate>) {
        let y = &self.data.y;
        for &j in &self.categorical {
            let (ColumnValues::Categorical { codes, levels }, Lim::Cat(mask)) =
                (&self.data.columns[j].values, &st.lims[j])
            else {
                continue;
            };
            if mask.iter().filter(|&&b| b).count() <= 1 {
                continue;
            }
            let mut cn = vec![0usize; levels.len()];
            let mut ck = vec![0usize; levels.len()];
            for (r, &m) in st.members.iter().enumerate() {
                if m {
                    cn[codes[r]] += 1;
                    ck[codes[r]] += usize::from(y[r]);
                }
            }
            let was = usize::from(self.restricted_dim(j, &st.lims[j]));
            for l in (0..levels.len()).filter(|&l| mask[l]) {
                let (n, k) = (st.n - cn[l], st.k - ck[l]);
                let c = Candidate {
                    obj: self.objective(st.n, st.k, n, k),
                    // Removing a level always leaves fewer than present.
                    restricted: r_cur - was + 1,
                    n,
                    k,
                    mv: Move::DropLevel(j, l),
                };
                if c.beats(best) {
                    *best = Some(c);
                }
            }
        }
    }
}
