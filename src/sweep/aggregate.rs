//! `aggregate.csv`: one row per design point with the mean, standard
//! deviation and 95% confidence half-width of every run metric over the
//! replicates. Computed from the final `runs.csv` alone (so it is the same
//! for a sweep, a merged set of shards or a copy from another machine),
//! streaming: runs of a point are consecutive, so memory holds one point.

use super::Plan;
use crate::model;
use crate::output::PartFile;
use crate::output::table::{self, push_f64, push_u64, push_value};
use crate::stats::mean_ci;
use anyhow::{Context, Result};
use std::path::Path;

/// Writes `aggregate.csv` in `out` from `out/runs.csv`.
pub fn write_aggregate(out: &Path, plan: &Plan) -> Result<()> {
    let metrics = model::run_metrics(plan.scenario.model);
    let columns = &plan.design.columns;
    let header = table::aggregate_header(columns, metrics);
    let path = out.join("aggregate.csv");
    let mut file = PartFile::open(&path, 0, &header)?;
    let runs_path = out.join("runs.csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&runs_path)
        .with_context(|| format!("cannot read {}", runs_path.display()))?;
    let first_metric = 4 + columns.len();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); metrics.len()];
    let mut current: Option<u64> = None;
    let mut record = csv::ByteRecord::new();
    let flush = |point: u64, values: &mut Vec<Vec<f64>>, file: &mut PartFile| -> Result<()> {
        let mut buf = Vec::new();
        push_u64(&mut buf, point);
        for v in &plan.design.point(point).values {
            buf.push(b',');
            push_value(&mut buf, v);
        }
        buf.push(b',');
        push_u64(&mut buf, values.first().map_or(0, |v| v.len()) as u64);
        for v in values.iter_mut() {
            let m = mean_ci(v);
            for x in [m.mean, m.sd, m.ci95] {
                buf.push(b',');
                push_f64(&mut buf, x);
            }
            v.clear();
        }
        buf.push(b'\n');
        file.append(&buf)
    };
    // Points without any successful run still get a row (n = 0).
    let mut next_point = 0u64;
    while reader
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot read {}", runs_path.display()))?
    {
        let point: u64 = std::str::from_utf8(&record[1])
            .ok()
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("{}: a row without a valid point", runs_path.display()))?;
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
        for (k, v) in values.iter_mut().enumerate() {
            let x: f64 = std::str::from_utf8(&record[first_metric + k])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            v.push(x);
        }
    }
    if let Some(p) = current {
        flush(p, &mut values, &mut file)?;
        next_point = p + 1;
    }
    while next_point < plan.design.len() {
        flush(next_point, &mut values, &mut file)?;
        next_point += 1;
    }
    file.commit()
}
