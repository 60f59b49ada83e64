//! Replay of one particle of a finished calibration: its parameters and the
//! seed of its accepted attempt, run again as a plain run of
//! `replications` runs (what the particle's simulation was), recording as
//! much as asked. The replay's mean of each target must equal the
//! particle's simulated value in `particles.csv`, bit for bit.

use super::tables::Folder;
use crate::error::{Error, Result};
use crate::scenario::Limits;
use crate::sweep::replay::Recording;
use crate::sweep::{Options, Outcome, Plan, Progress, Stop, execute};
use std::path::Path;

/// A particle replayed: the execution, its generation and place, and the
/// simulated targets (by metric), the same in both folders.
#[derive(Clone, Debug)]
pub struct ReplayedParticle {
    /// What the execution achieved.
    pub outcome: Outcome,
    /// The particle's generation and its place in it.
    pub generation: u32,
    /// Its seed.
    pub seed: u64,
    /// (metric, simulated value) of each target.
    pub targets: Vec<(String, f64)>,
}

/// Whether `dir` holds a calibration (its `particles.csv`).
pub fn is_calibration(dir: &Path) -> bool {
    dir.join(crate::output::tables::PARTICLES.file).is_file()
}

/// Replays row `row` of the `particles.csv` of the calibration in `dir`
/// (rows counted from 0 below the header) into `opts.out`.
pub fn replay(
    dir: &Path,
    row: u64,
    recording: &Recording,
    opts: &Options,
    progress: &dyn Progress,
    stop: &Stop,
) -> Result<ReplayedParticle> {
    let f = Folder::read(dir)?;
    let n = f.all.len();
    let Some(i) = usize::try_from(row).ok().filter(|&i| i < n) else {
        return Err(Error::usage(format!(
            "--run {row}: a calibration's runs are the rows of its particles.csv, 0 to {}",
            n.saturating_sub(1)
        )));
    };
    let base = crate::sweep::replay::manifest_scenario(dir, &f.scenario_toml)?;
    let job = super::Job::new(&base)?;
    let (generation, theta) = &f.all[i];
    let (seed, sims) = &f.replays[i];
    let mut s = base.clone();
    for (d, key) in job.space.keys.iter().enumerate() {
        s.set(key, &job.space.value(d, theta[d]))
            .map_err(|m| Error::folder(format!("{}: particle {row}: {m}", dir.display())))?;
    }
    s.replications = job.spec.replications;
    s.seed = *seed;
    s.calibrate = None;
    s.name = format!("{}-particle-{row}", base.name);
    // A particle's runs recorded nothing but their results.
    s.output.ticks_every = 0;
    s.output.teams_every = 0;
    recording.apply(&mut s.output);
    if let Err(problems) = s.check_rules(&Limits::default())
        && let Some(p) = problems.first()
    {
        return Err(Error::usage(format!(
            "the replay cannot record that: `{}`: {}",
            p.path, p.message
        )));
    }
    let plan = Plan::new(&s, None);
    let outcome = execute(&plan, opts, progress, stop)?;
    let metrics: Vec<String> = f.targets.iter().map(|t| t.metric.clone()).collect();
    let done = ReplayedParticle {
        outcome,
        generation: *generation,
        seed: *seed,
        targets: metrics.iter().cloned().zip(sims.iter().copied()).collect(),
    };
    if !done.outcome.complete {
        return Ok(done);
    }
    let again = target_means(&opts.out.join(crate::output::tables::RUNS.file), &metrics)?;
    for ((metric, was), now) in done.targets.iter().zip(&again) {
        if was.to_bits() != now.to_bits() && !(was.is_nan() && now.is_nan()) {
            return Err(Error::internal(format!(
                "the replay of particle {row} differs from the calibration: {metric} was {was}, \
                 the replay's mean is {now}"
            )));
        }
    }
    Ok(done)
}

/// The mean over the rows of a `runs.csv` of each metric, summed in row
/// order as the calibration does.
fn target_means(path: &Path, metrics: &[String]) -> Result<Vec<f64>> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::internal(format!("cannot read {}: {e}", path.display())))?;
    let head: Vec<String> = r
        .headers()
        .map_err(|e| Error::internal(format!("cannot read {}: {e}", path.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    let cols: Vec<usize> = metrics
        .iter()
        .map(|m| {
            head.iter()
                .position(|h| h == m)
                .ok_or_else(|| Error::internal(format!("{} has no column {m}", path.display())))
        })
        .collect::<Result<_>>()?;
    let mut sums = vec![0.0; cols.len()];
    let mut n = 0u32;
    for rec in r.records() {
        let rec =
            rec.map_err(|e| Error::internal(format!("cannot read {}: {e}", path.display())))?;
        for (s, &c) in sums.iter_mut().zip(&cols) {
            *s += rec[c].parse::<f64>().unwrap_or(f64::NAN);
        }
        n += 1;
    }
    Ok(sums.iter().map(|s| s / f64::from(n.max(1))).collect())
}
