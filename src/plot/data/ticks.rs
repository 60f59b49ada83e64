//! A streaming pass over `ticks.csv`: per (condition, tick, metric) the
//! count, mean and squared deviations over runs (Welford), so a large
//! table never sits in memory.

use super::{column, csv_err, number, open_csv, require};
use crate::error::Result;
use crate::plot::invalid;
use crate::stats::t975;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Running count, mean and sum of squared deviations (Welford), and the
/// smallest and largest value.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Welford {
    pub n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Welford {
    /// Adds a value (non-finite values are skipped).
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        if self.n == 1 {
            (self.min, self.max) = (x, x);
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
    }

    /// Mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample standard deviation (NaN when n < 2).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
    }

    /// Half-width of the 95% CI of the mean (Student's t; NaN when n < 2).
    pub fn ci95(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        t975(self.n as usize - 1) * self.sd() / (self.n as f64).sqrt()
    }

    /// The smallest and largest value (NaN when empty).
    pub fn range(&self) -> (f64, f64) {
        if self.n == 0 {
            (f64::NAN, f64::NAN)
        } else {
            (self.min, self.max)
        }
    }
}

/// The metric columns of `ticks.csv` (every column but run, point,
/// replicate and tick), or `None` when the file is absent.
pub(crate) fn tick_metrics(path: &Path) -> Result<Option<Vec<String>>> {
    if !path.is_file() {
        return Ok(None);
    }
    let (_, header) = open_csv(path, false)?;
    Ok(Some(
        header
            .into_iter()
            .filter(|h| !["run", "point", "replicate", "tick"].contains(&h.as_str()))
            .collect(),
    ))
}

/// Per-condition, per-tick statistics over runs of some tick metrics.
#[derive(Clone, Debug)]
pub(crate) struct TickSeries {
    /// Tick numbers, ascending.
    pub ticks: Vec<f64>,
    /// Metric names, in the order asked for.
    pub metrics: Vec<String>,
    /// Number of conditions.
    pub conditions: usize,
    /// `acc[(t * conditions + c) * metrics + m]`.
    acc: Vec<Welford>,
}

impl TickSeries {
    /// The statistics of metric `m`, condition `c`, tick index `t`.
    pub fn at(&self, t: usize, c: usize, m: usize) -> &Welford {
        &self.acc[(t * self.conditions + c) * self.metrics.len() + m]
    }

    /// The series of the metrics `ms` (indices) alone, in that order.
    pub fn select(&self, ms: &[usize]) -> TickSeries {
        let mut acc = Vec::with_capacity(self.ticks.len() * self.conditions * ms.len());
        for t in 0..self.ticks.len() {
            for c in 0..self.conditions {
                acc.extend(ms.iter().map(|&m| *self.at(t, c, m)));
            }
        }
        TickSeries {
            ticks: self.ticks.clone(),
            metrics: ms.iter().map(|&m| self.metrics[m].clone()).collect(),
            conditions: self.conditions,
            acc,
        }
    }
}

/// Streams `ticks.csv`, adding each row's `metrics` to the condition
/// `condition_of(point)` (rows of points mapped to `None` are skipped).
pub(crate) fn read_ticks(
    path: &Path,
    metrics: &[String],
    conditions: usize,
    condition_of: &BTreeMap<u64, usize>,
) -> Result<TickSeries> {
    require(path)?;
    let (mut r, header) = open_csv(path, false)?;
    let pc = column(path, &header, "point")?;
    let tc = column(path, &header, "tick")?;
    let mcols: Vec<usize> = metrics
        .iter()
        .map(|m| column(path, &header, m))
        .collect::<Result<_, _>>()?;
    // Dense lookup of the condition of a point id (ids are 0..points).
    let max_id = condition_of.keys().next_back().copied().unwrap_or(0);
    let dense: Option<Vec<Option<usize>>> = (max_id < 10_000_000).then(|| {
        let mut v = vec![None; max_id as usize + 1];
        for (&p, &c) in condition_of {
            v[p as usize] = Some(c);
        }
        v
    });
    let nm = metrics.len();
    let block = conditions * nm;
    let mut slot_of: HashMap<u64, usize> = HashMap::new();
    let mut tick_values: Vec<u64> = Vec::new();
    let mut acc: Vec<Welford> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let parse_u64 = |b: &[u8]| -> Option<u64> { std::str::from_utf8(b).ok()?.trim().parse().ok() };
    let mut line = 1usize;
    while r.read_byte_record(&mut rec).map_err(|e| csv_err(path, e))? {
        line += 1;
        let (Some(point), Some(tick)) = (parse_u64(&rec[pc]), parse_u64(&rec[tc])) else {
            return Err(invalid(
                path,
                format!("line {line}: the point or tick is not a whole number"),
            ));
        };
        let cond = match &dense {
            Some(v) => v.get(point as usize).copied().flatten(),
            None => condition_of.get(&point).copied(),
        };
        let Some(c) = cond else { continue };
        let slot = *slot_of.entry(tick).or_insert_with(|| {
            tick_values.push(tick);
            acc.resize(acc.len() + block, Welford::default());
            tick_values.len() - 1
        });
        let base = slot * block + c * nm;
        for (k, &col) in mcols.iter().enumerate() {
            let text = std::str::from_utf8(&rec[col]).unwrap_or("\u{fffd}");
            let x = number(path, line, &metrics[k], text)?;
            acc[base + k].push(x);
        }
    }
    // Order the slots by tick.
    let mut order: Vec<usize> = (0..tick_values.len()).collect();
    order.sort_by_key(|&s| tick_values[s]);
    let mut sorted = Vec::with_capacity(acc.len());
    for &s in &order {
        sorted.extend_from_slice(&acc[s * block..(s + 1) * block]);
    }
    Ok(TickSeries {
        ticks: order.iter().map(|&s| tick_values[s] as f64).collect(),
        metrics: metrics.to_vec(),
        conditions,
        acc: sorted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_mean_ci() {
        let xs = [0.2, 0.4, 0.9, 0.1];
        let mut w = Welford::default();
        for x in xs {
            w.push(x);
        }
        w.push(f64::NAN);
        let m = crate::stats::mean_ci(&xs);
        assert_eq!(w.n, 4);
        assert!((w.mean() - m.mean).abs() < 1e-12);
        assert!((w.ci95() - m.ci95).abs() < 1e-12);
        assert!(Welford::default().mean().is_nan());
        assert_eq!(w.range(), (0.1, 0.9));
        assert!((w.sd() - m.sd).abs() < 1e-12);
        assert!(Welford::default().range().0.is_nan());
    }
}
