//! Paired contrasts (`profspace compare`): every level of one design
//! parameter against a baseline level, at every combination of the other
//! design parameters, over the replicates, which share their random
//! numbers across design points (common random numbers). The paired
//! interval is what the design buys; the unpaired (Welch) one is shown
//! beside it for comparison.
//!
//! `contrasts.csv`: `metric,by,level,baseline,` the other design
//! parameters, then `n,mean_diff,sd_diff,ci95,ci95_unpaired,d_z` (see
//! [`crate::stats::Paired`]); an empty field is undefined (fewer than two
//! pairs, or no spread).

use super::{Finished, RunTable};
use crate::error::{Error, Result};
use crate::output::table::{push_f64, push_text, push_u64};
use crate::output::tables::CONTRASTS;
use crate::stats::{Paired, paired};
use std::collections::{BTreeMap, HashMap};

/// What to compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The design parameter whose levels are compared.
    pub by: String,
    /// The level the others are compared against (default: the first).
    pub baseline: Option<String>,
    /// The metrics (at least one).
    pub metrics: Vec<String>,
}

/// One contrast: a level against the baseline at one combination of the
/// other parameters, for one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The metric.
    pub metric: String,
    /// The level compared with the baseline.
    pub level: String,
    /// The values of the other design parameters.
    pub others: Vec<String>,
    /// The paired statistics of level − baseline.
    pub stats: Paired,
}

/// Every contrast of a folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Contrasts {
    /// The parameter compared.
    pub by: String,
    /// Its baseline level.
    pub baseline: String,
    /// Its levels, in design order (the baseline among them).
    pub levels: Vec<String>,
    /// The other design parameters.
    pub others: Vec<String>,
    /// The metrics, in the order asked.
    pub metrics: Vec<String>,
    /// The contrasts: per metric, per level, per combination of the others
    /// (in design order).
    pub rows: Vec<Row>,
}

/// Two values of a parameter are the same level when equal as text or,
/// for numbers, within 1e-9.
fn same_level(a: &str, b: &str) -> bool {
    a == b
        || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if (x - y).abs() <= 1e-9)
}

/// Computes the contrasts of a finished folder.
pub fn compare(f: &Finished, opts: &Options) -> Result<Contrasts> {
    let dir = f.folder.dir().display().to_string();
    let m = &f.manifest;
    let Some(by_col) = m.columns.iter().position(|c| *c == opts.by) else {
        return Err(not_an_input(&opts.by, m, &dir));
    };
    let t = f.runs(&opts.metrics)?;
    if let Some(super::results::Unpaired {
        replicate: r,
        first: (p, s),
        other: (q, u),
    }) = t.unpaired()
    {
        return Err(Error::folder(format!(
            "{dir} is not paired: replicate {r} has seed {s} at point {p} but seed {u} at point {q}; \
             a paired contrast needs the same seed for a replicate at every point (common random \
             numbers), as every profspace sweep has"
        )));
    }
    let (levels, level_of) = distinct(&t.values[by_col]);
    if levels.len() < 2 {
        return Err(Error::usage(format!(
            "`{}` has one level in {dir} ({}); compare needs at least two",
            opts.by, levels[0]
        )));
    }
    let baseline = match &opts.baseline {
        None => 0,
        Some(b) => levels
            .iter()
            .position(|l| same_level(l, b))
            .ok_or_else(|| {
                Error::usage(format!(
                    "--baseline {b} is not a level of `{}`; its levels are {}",
                    opts.by,
                    levels.join(", ")
                ))
            })?,
    };
    let other_cols: Vec<usize> = (0..m.columns.len()).filter(|&c| c != by_col).collect();
    let keys: Vec<Vec<String>> = (0..t.len())
        .map(|row| {
            other_cols
                .iter()
                .map(|&c| t.values[c][row].clone())
                .collect()
        })
        .collect();
    let (groups, group_of) = distinct(&keys);
    // Per (group, level): replicate → row.
    let mut cells: HashMap<(usize, usize), BTreeMap<u32, usize>> = HashMap::new();
    for row in 0..t.len() {
        cells
            .entry((group_of[row], level_of[row]))
            .or_default()
            .insert(t.replicate[row], row);
    }
    let mut rows = Vec::new();
    for (k, metric) in t.metrics.iter().enumerate() {
        for (level, name) in levels.iter().enumerate().filter(|&(l, _)| l != baseline) {
            for (g, others) in groups.iter().enumerate() {
                let (Some(a), Some(b)) = (cells.get(&(g, level)), cells.get(&(g, baseline))) else {
                    continue;
                };
                let (x, y) = pairs(&t, k, a, b);
                rows.push(Row {
                    metric: metric.clone(),
                    level: name.clone(),
                    others: others.clone(),
                    stats: paired(&x, &y),
                });
            }
        }
    }
    if rows.is_empty() {
        return Err(Error::usage(format!(
            "no two design points of {dir} differ in `{}` alone (is it sampled?); compare needs a \
             grid axis or the named conditions",
            opts.by
        )));
    }
    Ok(Contrasts {
        by: opts.by.clone(),
        baseline: levels[baseline].clone(),
        levels,
        others: other_cols.iter().map(|&c| m.columns[c].clone()).collect(),
        metrics: t.metrics.clone(),
        rows,
    })
}

/// The values of metric `k` of the replicates present, with a finite
/// value, at both cells: (level, baseline), in replicate order.
fn pairs(
    t: &RunTable,
    k: usize,
    a: &BTreeMap<u32, usize>,
    b: &BTreeMap<u32, usize>,
) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (r, &ra) in a {
        if let Some(&rb) = b.get(r) {
            let (va, vb) = (t.metric[k][ra], t.metric[k][rb]);
            if va.is_finite() && vb.is_finite() {
                x.push(va);
                y.push(vb);
            }
        }
    }
    (x, y)
}

/// The distinct values in order of first appearance, and each item's
/// index among them.
fn distinct<T: Clone + Eq + std::hash::Hash>(items: &[T]) -> (Vec<T>, Vec<usize>) {
    let mut seen: HashMap<&T, usize> = HashMap::new();
    let mut order = Vec::new();
    let index = items
        .iter()
        .map(|x| {
            *seen.entry(x).or_insert_with(|| {
                order.push(x.clone());
                order.len() - 1
            })
        })
        .collect();
    (order, index)
}

/// The error for a `--by` that is not an input of the design.
fn not_an_input(by: &str, m: &crate::output::manifest::Existing, dir: &str) -> Error {
    if m.columns.is_empty() {
        return Error::usage(format!(
            "{dir} holds a single design point; compare needs a sweep (a [sweep] grid or named conditions)"
        ));
    }
    if m.resolved.iter().any(|c| c == by) {
        let by_what = if m.columns.iter().any(|c| c == "condition") {
            "compare --by condition"
        } else {
            "compare by one of the design's parameters"
        };
        return Error::usage(format!(
            "`{by}` follows from the named conditions in {dir} (it is not varied on its own); \
             {by_what}"
        ));
    }
    let hint = crate::params::suggest(by, m.columns.iter().map(String::as_str))
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    Error::usage(format!(
        "`{by}` is not a design parameter of {dir}; {hint}the design varies {}",
        m.columns.join(", ")
    ))
}

/// The best design point of each level of a parameter on a metric, and the
/// paired difference of each best point against the first level's.
#[derive(Clone, Debug, PartialEq)]
pub struct BestCells {
    /// The metric.
    pub metric: String,
    /// The parameter whose levels are compared.
    pub by: String,
    /// The other design parameters.
    pub others: Vec<String>,
    /// Per level, in design order: the level, the other parameters' values
    /// at its best point, and the point's mean.
    pub cells: Vec<(String, Vec<String>, f64)>,
    /// Per level after the first: its best point − the first level's best
    /// point, paired by replicate.
    pub contrasts: Vec<Paired>,
    /// The most design points any level's best was chosen from: the
    /// larger, the more a best mean is biased upward by the choice.
    pub candidates: usize,
}

/// The best cell of each level of `by` (highest mean of `metric` over the
/// replicates) and their paired differences; `None` when `by` is not an
/// input with two levels or more, or when no other parameter varies (then
/// there is one cell per level and `compare` says it all).
pub fn best_cells(f: &Finished, by: &str, metric: &str) -> Result<Option<BestCells>> {
    let m = &f.manifest;
    let Some(by_col) = m.columns.iter().position(|c| c == by) else {
        return Ok(None);
    };
    if m.columns.len() < 2 {
        return Ok(None);
    }
    let t = f.runs(&[metric.to_string()])?;
    if t.unpaired().is_some() {
        return Ok(None);
    }
    let (levels, level_of) = distinct(&t.values[by_col]);
    if levels.len() < 2 {
        return Ok(None);
    }
    // Mean per point, and each point's level and rows.
    let mut points: BTreeMap<u64, (usize, f64, usize, BTreeMap<u32, usize>)> = BTreeMap::new();
    for (row, &level) in level_of.iter().enumerate() {
        let e = points
            .entry(t.point[row])
            .or_insert((level, 0.0, 0, BTreeMap::new()));
        let x = t.metric[0][row];
        if x.is_finite() {
            e.1 += x;
            e.2 += 1;
        }
        e.3.insert(t.replicate[row], row);
    }
    let mut best: Vec<Option<(u64, f64)>> = vec![None; levels.len()];
    let mut per_level = vec![0usize; levels.len()];
    for (level, ..) in points.values() {
        per_level[*level] += 1;
    }
    for (&p, (level, sum, n, _)) in &points {
        let mean = sum / *n as f64;
        if *n > 0 && best[*level].is_none_or(|(_, b)| mean > b) {
            best[*level] = Some((p, mean));
        }
    }
    let Some(best) = best.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let others: Vec<usize> = (0..m.columns.len()).filter(|&c| c != by_col).collect();
    let cells = best
        .iter()
        .zip(&levels)
        .map(|(&(p, mean), level)| {
            let row = *points[&p].3.values().next().unwrap_or(&0);
            let values = others.iter().map(|&c| t.values[c][row].clone()).collect();
            (level.clone(), values, mean)
        })
        .collect();
    let rows_of = |p: u64| &points[&p].3;
    let contrasts = best[1..]
        .iter()
        .map(|&(p, _)| {
            let (x, y) = pairs(&t, 0, rows_of(p), rows_of(best[0].0));
            paired(&x, &y)
        })
        .collect();
    Ok(Some(BestCells {
        metric: metric.to_string(),
        by: by.to_string(),
        others: others.iter().map(|&c| m.columns[c].clone()).collect(),
        cells,
        contrasts,
        candidates: per_level.into_iter().max().unwrap_or(0),
    }))
}

impl Contrasts {
    /// `contrasts.csv`.
    pub fn table(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        let head: Vec<&str> = ["metric", "by", "level", "baseline"]
            .into_iter()
            .chain(self.others.iter().map(String::as_str))
            .chain(["n", "mean_diff", "sd_diff", "ci95", "ci95_unpaired", "d_z"])
            .collect();
        for (i, h) in head.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_text(&mut buf, h);
        }
        buf.push(b'\n');
        for r in &self.rows {
            for (i, text) in [&r.metric, &self.by, &r.level, &self.baseline]
                .into_iter()
                .chain(&r.others)
                .enumerate()
            {
                if i > 0 {
                    buf.push(b',');
                }
                push_text(&mut buf, text);
            }
            buf.push(b',');
            push_u64(&mut buf, r.stats.n as u64);
            let s = &r.stats;
            for x in [s.mean_diff, s.sd_diff, s.ci95, s.ci95_unpaired, s.d_z] {
                buf.push(b',');
                push_f64(&mut buf, if x.is_finite() { x } else { f64::NAN });
            }
            buf.push(b'\n');
        }
        buf
    }

    /// Writes `contrasts.csv` into the folder (atomically).
    pub fn write(&self, f: &Finished) -> Result<()> {
        f.folder.write(CONTRASTS.file, &self.table())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_match_as_numbers_or_text() {
        assert!(same_level("0.3", "0.30"));
        assert!(same_level("zero_sum", "zero_sum"));
        assert!(!same_level("0.3", "0.31"));
        let (order, index) = distinct(&["b", "a", "b", "c"]);
        assert_eq!(order, ["b", "a", "c"]);
        assert_eq!(index, [0, 1, 0, 2]);
    }
}
