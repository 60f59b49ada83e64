//! The box as the algorithm holds it: numeric limits and categorical levels
//! as a mask, its members, and which rows a box (or a box with one limit
//! replaced) holds.

use super::covering::Prim;
use super::{BoxLimits, ColumnValues, Limit};

/// Internal limit: categorical levels as a mask over all levels.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lim {
    Num(f64, f64),
    Cat(Vec<bool>),
}

pub(super) fn to_public(lims: &[Lim]) -> BoxLimits {
    BoxLimits {
        limits: lims
            .iter()
            .map(|l| match l {
                Lim::Num(lower, upper) => Limit::Numeric {
                    lower: *lower,
                    upper: *upper,
                },
                Lim::Cat(mask) => Limit::Categorical {
                    kept: mask
                        .iter()
                        .enumerate()
                        .filter_map(|(i, &k)| k.then_some(i))
                        .collect(),
                },
            })
            .collect(),
    }
}

/// Rows of a box and rows just outside it (see `Prim::split`).
#[derive(Debug, Clone)]
pub(super) struct Split {
    pub(super) inside: Vec<usize>,
    pub(super) only: Vec<Vec<usize>>,
}

/// Current box: limits, members (remaining points inside), counts.
#[derive(Debug, Clone)]
pub(super) struct State {
    pub(super) lims: Vec<Lim>,
    pub(super) members: Vec<bool>,
    pub(super) n: usize,
    pub(super) k: usize,
}

impl Prim<'_> {
    /// Internal form of public limits (a step's, possibly edited).
    pub(super) fn internal_limits(&self, b: &BoxLimits) -> Vec<Lim> {
        b.limits
            .iter()
            .zip(&self.init)
            .map(|(l, i)| match (l, i) {
                (Limit::Numeric { lower, upper }, Lim::Num(..)) => Lim::Num(*lower, *upper),
                (Limit::Categorical { kept }, Lim::Cat(m)) => {
                    let mut mask = vec![false; m.len()];
                    for &k in kept {
                        if let Some(x) = mask.get_mut(k) {
                            *x = true;
                        }
                    }
                    Lim::Cat(mask)
                }
                // A limit of the wrong kind (edited by the caller): none.
                (Limit::Categorical { .. }, Lim::Num(..))
                | (Limit::Numeric { .. }, Lim::Cat(_)) => i.clone(),
            })
            .collect()
    }

    pub(super) fn restricted_dim(&self, j: usize, l: &Lim) -> bool {
        l != &self.init[j]
    }

    pub(super) fn restricted(&self, lims: &[Lim]) -> Vec<usize> {
        (0..lims.len())
            .filter(|&j| self.restricted_dim(j, &lims[j]))
            .collect()
    }
    pub(super) fn in_box(&self, row: usize, lims: &[Lim]) -> bool {
        lims.iter().enumerate().all(|(j, l)| self.within(row, j, l))
    }

    /// Whether remaining-or-not `row` satisfies limit `l` on dimension `j`.
    pub(super) fn within(&self, row: usize, j: usize, l: &Lim) -> bool {
        match (&self.data.columns[j].values, l) {
            (ColumnValues::Numeric(v), Lim::Num(lo, hi)) => *lo <= v[row] && v[row] <= *hi,
            (ColumnValues::Categorical { codes, .. }, Lim::Cat(mask)) => {
                mask.get(codes[row]).copied().unwrap_or(false)
            }
            _ => true,
        }
    }

    /// The remaining rows inside `lims`, and for each dimension the
    /// remaining rows outside `lims` on that dimension only. The boxes that
    /// differ from `lims` on one dimension can then be counted without
    /// scanning every row.
    pub(super) fn split(&self, lims: &[Lim]) -> Split {
        let rows = self.data.rows();
        // Column by column: how many limits each row violates, and the last.
        let mut outside = vec![0u8; rows];
        let mut last = vec![0usize; rows];
        for (j, l) in lims.iter().enumerate() {
            let mut mark = |r: usize, ok: bool| {
                if !ok {
                    outside[r] = outside[r].saturating_add(1);
                    last[r] = j;
                }
            };
            match (&self.data.columns[j].values, l) {
                (ColumnValues::Numeric(v), Lim::Num(lo, hi)) => {
                    for (r, x) in v.iter().enumerate() {
                        mark(r, *lo <= *x && *x <= *hi);
                    }
                }
                (ColumnValues::Categorical { codes, .. }, Lim::Cat(mask)) => {
                    for (r, c) in codes.iter().enumerate() {
                        mark(r, mask.get(*c).copied().unwrap_or(false));
                    }
                }
                _ => {}
            }
        }
        let mut sp = Split {
            inside: Vec::new(),
            only: vec![Vec::new(); lims.len()],
        };
        for r in (0..rows).filter(|&r| self.active[r]) {
            match outside[r] {
                0 => sp.inside.push(r),
                1 => sp.only[last[r]].push(r),
                _ => {}
            }
        }
        sp
    }

    /// Remaining rows inside the box of `sp` with dimension `j`'s limit
    /// replaced by `lim`.
    pub(super) fn rows_replacing<'s>(
        &'s self,
        sp: &'s Split,
        j: usize,
        lim: &'s Lim,
    ) -> impl Iterator<Item = usize> + 's {
        sp.inside
            .iter()
            .chain(sp.only[j].iter())
            .copied()
            .filter(move |&r| self.within(r, j, lim))
    }

    /// Points and cases of interest of [`Prim::rows_replacing`].
    pub(super) fn count_replacing(&self, sp: &Split, j: usize, lim: &Lim) -> (usize, usize) {
        self.rows_replacing(sp, j, lim)
            .fold((0, 0), |(n, k), r| (n + 1, k + usize::from(self.data.y[r])))
    }
}
