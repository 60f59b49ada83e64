//! `aggregate.csv`: one row per design point with the mean, standard
//! deviation and 95% confidence half-width of every run metric over the
//! replicates. Computed from the final `runs.csv` alone (so it is the same
//! for a sweep, a merged set of shards or a copy from another machine),
//! streaming: runs of a point are consecutive, so memory holds one point.

use super::Plan;
use crate::error::{Error, Result};
use crate::output::PartFile;
use crate::output::folder::{AGGREGATE, RUNS, ResultFolder};
use crate::output::table::{self, push_f64, push_u64};
use crate::stats::mean_ci;

/// Writes `aggregate.csv` in `folder` from its `runs.csv`.
pub fn write_aggregate(folder: &ResultFolder, plan: &Plan) -> Result<()> {
    let metrics = plan.scenario.model.run_metrics();
    let header = table::aggregate_header(&plan.design.table_columns(), metrics);
    let mut file = PartFile::open(&folder.file(AGGREGATE), 0, &header)?;
    let runs_path = folder.file(RUNS);
    let csv_error =
        |e: csv::Error| Error::folder(format!("cannot read {}: {e}", runs_path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&runs_path)
        .map_err(csv_error)?;
    let first_metric = plan.layout().first_run_metric;
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); metrics.len()];
    let mut current: Option<u64> = None;
    let mut record = csv::ByteRecord::new();
    let flush = |point: u64, values: &mut Vec<Vec<f64>>, file: &mut PartFile| -> Result<()> {
        let mut buf = Vec::new();
        push_u64(&mut buf, point);
        buf.extend_from_slice(&plan.point_fields(point));
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
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let point: u64 = std::str::from_utf8(&record[1])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                Error::folder(format!(
                    "{}: a row without a valid point",
                    runs_path.display()
                ))
            })?;
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
