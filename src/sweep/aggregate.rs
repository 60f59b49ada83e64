//! `aggregate.csv`: one row per design point with the mean, standard
//! deviation and 95% confidence half-width of every run metric over the
//! replicates. Computed from the final `runs.csv` alone (so it is the same
//! for a sweep, a merged set of shards or a copy from another machine),
//! streaming: runs of a point are consecutive, so memory holds one point.
//! A sweep with a precision target writes a point's runs round by round, so
//! its runs are gathered per point first; its table says, after `n`,
//! whether the point met the target (`target_met`).

use super::Plan;
use crate::error::{Error, Result};
use crate::output::PartFile;
use crate::output::folder::ResultFolder;
use crate::output::table::{self, push_f64, push_u64};
use crate::output::tables::{AGGREGATE, RUNS};
use crate::stats::mean_ci;
use std::collections::BTreeMap;

/// Writes `aggregate.csv` in `folder` from its `runs.csv`.
pub fn write_aggregate(folder: &ResultFolder, plan: &Plan) -> Result<()> {
    let metrics = plan.scenario.model.run_metrics();
    let mut header = table::aggregate_header(&plan.design.table_columns(), metrics);
    let target = plan.rounds.as_ref().and_then(|r| {
        metrics
            .iter()
            .position(|m| m.name == r.target.metric)
            .map(|k| (r, k))
    });
    if target.is_some() {
        // `…,n,target_met,…`
        let text = String::from_utf8_lossy(&header).replacen(",n,", ",n,target_met,", 1);
        header = text.into_bytes();
    }
    let mut file = PartFile::open(&folder.file(AGGREGATE.file), 0, &header)?;
    let runs_path = folder.file(RUNS.file);
    let csv_error =
        |e: csv::Error| Error::folder(format!("cannot read {}: {e}", runs_path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&runs_path)
        .map_err(csv_error)?;
    let first_metric = plan.layout().first_run_metric;
    let mut record = csv::ByteRecord::new();
    let flush = |point: u64, values: &mut Vec<Vec<f64>>, file: &mut PartFile| {
        file.append(&aggregate_row(plan, point, values, target))
    };
    // Runs of a point are consecutive but with a precision target; points
    // without any successful run still get a row (n = 0).
    let gather = target.is_some();
    let mut held: BTreeMap<u64, Vec<Vec<f64>>> = BTreeMap::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); metrics.len()];
    let mut current: Option<u64> = None;
    let mut next_point = 0u64;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let point = point_of(&record).ok_or_else(|| {
            Error::folder(format!(
                "{}: a row without a valid point",
                runs_path.display()
            ))
        })?;
        let row = (0..metrics.len()).map(|k| metric_of(&record, first_metric + k));
        if gather {
            let v = held
                .entry(point)
                .or_insert_with(|| vec![Vec::new(); metrics.len()]);
            for (k, x) in row.enumerate() {
                v[k].push(x);
            }
            continue;
        }
        if current != Some(point) {
            if let Some(p) = current {
                flush(p, &mut values, &mut file)?;
                next_point = p + 1;
            }
            while next_point < point {
                flush(next_point, &mut values, &mut file)?;
                next_point += 1;
            }
            current = Some(point);
        }
        for (v, x) in values.iter_mut().zip(row) {
            v.push(x);
        }
    }
    if let Some(p) = current {
        flush(p, &mut values, &mut file)?;
        next_point = p + 1;
    }
    while next_point < plan.design.len() {
        let mut v = held
            .remove(&next_point)
            .unwrap_or_else(|| vec![Vec::new(); metrics.len()]);
        flush(next_point, &mut v, &mut file)?;
        next_point += 1;
    }
    file.commit()
}

/// The row of `aggregate.csv` for `point` from its runs' `values` (one list
/// per run metric, emptied): `point`, the parameters, `n`, whether a
/// precision `target` is met, then mean, sd and ci95 of each metric.
fn aggregate_row(
    plan: &Plan,
    point: u64,
    values: &mut [Vec<f64>],
    target: Option<(&super::Rounds, usize)>,
) -> Vec<u8> {
    let mut buf = Vec::new();
    push_u64(&mut buf, point);
    buf.extend_from_slice(&plan.point_fields(point));
    buf.push(b',');
    push_u64(&mut buf, values.first().map_or(0, |v| v.len()) as u64);
    if let Some((rounds, k)) = target {
        let finite: Vec<f64> = values[k]
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        buf.extend_from_slice(if rounds.met(&finite) {
            b",true"
        } else {
            b",false"
        });
    }
    for v in values.iter_mut() {
        let m = mean_ci(v);
        for x in [m.mean, m.sd, m.ci95] {
            buf.push(b',');
            push_f64(&mut buf, x);
        }
        v.clear();
    }
    buf.push(b'\n');
    buf
}

/// The design point of a row of `runs.csv`.
fn point_of(record: &csv::ByteRecord) -> Option<u64> {
    std::str::from_utf8(&record[1]).ok()?.parse().ok()
}

/// A metric of a row of `runs.csv` (NaN when empty).
fn metric_of(record: &csv::ByteRecord, column: usize) -> f64 {
    std::str::from_utf8(&record[column])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}
