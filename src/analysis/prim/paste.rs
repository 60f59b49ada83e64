//! Pasting: the box grows by the best of its candidate pastes while its
//! density rises.

use super::covering::Prim;
use super::ema_quantile;
use super::limits::{Lim, State};
use super::moves::{Candidate, Move};
use super::{ColumnValues, Phase, Step};

impl Prim<'_> {
    /// Pastes the box `st` while a candidate is accepted, appending a step
    /// per accepted paste.
    pub(super) fn paste(&self, st: &mut State, steps: &mut Vec<Step>) {
        let q = self.config.paste_alpha;
        let mut slab: Vec<f64> = Vec::new();
        loop {
            let restricted = self.restricted(&st.lims);
            let r_cur = restricted.len();
            let mut best: Option<Candidate> = None;
            let sp = self.split(&st.lims);
            for &j in &restricted {
                match (&self.data.columns[j].values, &st.lims[j], &self.init[j]) {
                    (ColumnValues::Numeric(x), Lim::Num(lo, hi), Lim::Num(ilo, ihi)) => {
                        for lower in [true, false] {
                            // Slab between the box and the data range.
                            let range = if lower {
                                Lim::Num(*ilo, *lo)
                            } else {
                                Lim::Num(*hi, *ihi)
                            };
                            slab.clear();
                            slab.extend(self.rows_replacing(&sp, j, &range).map(|r| x[r]));
                            slab.sort_by(f64::total_cmp);
                            let v = if lower {
                                ema_quantile(&slab, 1.0 - q).unwrap_or(*ilo)
                            } else {
                                ema_quantile(&slab, q).unwrap_or(*ihi)
                            };
                            let trial = if lower {
                                Lim::Num(v, *hi)
                            } else {
                                Lim::Num(*lo, v)
                            };
                            let (n, k) = self.count_replacing(&sp, j, &trial);
                            let now = usize::from(self.restricted_dim(j, &trial));
                            let c = Candidate {
                                obj: self.objective(st.n, st.k, n, k),
                                restricted: r_cur - 1 + now,
                                n,
                                k,
                                mv: if lower {
                                    Move::Lower(j, v)
                                } else {
                                    Move::Upper(j, v)
                                },
                            };
                            if c.beats(&best) {
                                best = Some(c);
                            }
                        }
                    }
                    (ColumnValues::Categorical { .. }, Lim::Cat(mask), Lim::Cat(imask)) => {
                        for l in (0..mask.len()).filter(|&l| imask[l] && !mask[l]) {
                            let mut added = mask.clone();
                            added[l] = true;
                            let trial = Lim::Cat(added);
                            let (n, k) = self.count_replacing(&sp, j, &trial);
                            let now = usize::from(self.restricted_dim(j, &trial));
                            let c = Candidate {
                                obj: self.objective(st.n, st.k, n, k),
                                restricted: r_cur - 1 + now,
                                n,
                                k,
                                mv: Move::AddLevel(j, l),
                            };
                            if c.beats(&best) {
                                best = Some(c);
                            }
                        }
                    }
                    _ => {}
                }
            }
            match best {
                Some(c) if self.accept(st, &c, true) => {
                    self.apply(st, &c, Some(&sp));
                    steps.push(self.step(Phase::Paste, st));
                }
                _ => return,
            }
        }
    }
}
