//! `sensitivity.csv`: the indices of a scenario's `[sensitivity]` analysis,
//! computed from the final `runs.csv` (so a merged set of shards gives the
//! same file) with the estimators of [`crate::sensitivity`].
//!
//! Columns for Morris: `method,output,parameter,mu,mu_star,sigma,
//! mu_star_lo,mu_star_hi`; for Sobol': `method,output,parameter,s1,s1_lo,
//! s1_hi,st,st_lo,st_hi`. Bounds are 95% percentile-bootstrap intervals
//! over design rows (Saltelli base rows, Morris trajectories), computed
//! from the means over the replicates of each point, so they count the
//! variance between replications (see `crate::sensitivity::bootstrap`).

use super::Plan;
use crate::error::{Error, Result};
use crate::output::folder::ResultFolder;
use crate::output::table::{push_f64, push_text};
use crate::output::tables::{RUNS, SENSITIVITY};
use crate::rng;
use crate::scenario::sensitivity::Method;
use crate::sensitivity::{BootstrapConfig, SaltelliDesign, try_morris_analyze, try_sobol_analyze};

/// Reads `y[output][point][replicate]` from `runs.csv`.
fn outputs(folder: &ResultFolder, plan: &Plan, names: &[String]) -> Result<Vec<Vec<Vec<f64>>>> {
    let metrics = plan.scenario.model.run_metrics();
    let first = plan.layout().first_run_metric;
    let cols: Vec<usize> = names
        .iter()
        .map(|n| metrics.iter().position(|m| m.name == n).map(|i| first + i))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::internal("an output is not a metric of the model"))?;
    let points = plan.design.len() as usize;
    let reps = plan.replications as usize;
    let mut y = vec![vec![vec![f64::NAN; reps]; points]; names.len()];
    let mut seen = 0u64;
    let path = folder.file(RUNS.file);
    let csv_error = |e: csv::Error| Error::folder(format!("cannot read {}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(&path).map_err(csv_error)?;
    for record in reader.byte_records() {
        let record = record.map_err(csv_error)?;
        let field = |i: usize| {
            std::str::from_utf8(&record[i])
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
        };
        let (Some(point), Some(rep)) = (field(1), field(2)) else {
            continue;
        };
        for (o, &c) in cols.iter().enumerate() {
            y[o][point as usize][rep as usize] = field(c).unwrap_or(f64::NAN);
        }
        seen += 1;
    }
    if seen < plan.total_runs() {
        return Err(Error::folder(format!(
            "{}: {} of {} runs have results (see failures.csv); the sensitivity indices need every run",
            path.display(),
            seen,
            plan.total_runs()
        )));
    }
    Ok(y)
}

/// Writes `sensitivity.csv` for a complete, unsharded folder of a scenario
/// with a `[sensitivity]` section; returns the rows for printing.
pub fn write_indices(folder: &ResultFolder, plan: &Plan) -> Result<Vec<Vec<String>>> {
    let Some(sa) = &plan.scenario.sensitivity else {
        return Ok(Vec::new());
    };
    let y = outputs(folder, plan, &sa.outputs)?;
    let seed = rng::sensitivity_seed(plan.scenario.seed);
    let boot = BootstrapConfig::new(sa.bootstrap as usize, seed ^ 0xB007);
    let k = sa.parameters.len();
    let mut buf: Vec<u8> = match sa.method {
        Method::Morris => {
            b"method,output,parameter,mu,mu_star,sigma,mu_star_lo,mu_star_hi\n".to_vec()
        }
        Method::Sobol => b"method,output,parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi\n".to_vec(),
    };
    let mut rows = Vec::new();
    let unit = sa.unit_design(seed);
    for (name, y) in sa.outputs.iter().zip(&y) {
        let values: Vec<Vec<f64>> = match sa.method {
            Method::Morris => try_morris_analyze(k, sa.trajectories as usize, &unit, y, &boot)
                .map_err(|e| {
                    Error::folder(format!("cannot compute the Morris indices of {name}: {e}"))
                })?
                .into_iter()
                .map(|m| vec![m.mu, m.mu_star, m.sigma, m.mu_star_lo, m.mu_star_hi])
                .collect(),
            Method::Sobol => {
                let design = SaltelliDesign {
                    k,
                    n: sa.base_samples as usize,
                };
                try_sobol_analyze(&design, y, &boot)
                    .map_err(|e| {
                        Error::folder(format!("cannot compute the Sobol' indices of {name}: {e}"))
                    })?
                    .into_iter()
                    .map(|s| vec![s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi])
                    .collect()
            }
        };
        for ((param, _), v) in sa.parameters.iter().zip(values) {
            push_text(&mut buf, sa.method.name());
            buf.push(b',');
            push_text(&mut buf, name);
            buf.push(b',');
            push_text(&mut buf, param);
            let mut row = vec![name.clone(), param.clone()];
            for x in v {
                buf.push(b',');
                push_f64(&mut buf, x);
                row.push(format!("{x:.3}"));
            }
            buf.push(b'\n');
            rows.push(row);
        }
    }
    folder.write(SENSITIVITY.file, &buf)?;
    Ok(rows)
}
