//! Replay: one run of a finished sweep (or run) again, with its exact seed
//! and parameters, recording more of it (every tick, the teams, the
//! professionals) into a folder of its own. What a researcher does when one
//! point of a sweep looks odd. The replayed `runs.csv` row is checked
//! against the original's, byte for byte.

use super::runner::{Options, Outcome, Progress, execute};
use super::{Plan, Stop};
use crate::error::{Error, Result};
use crate::output::folder::ResultFolder;
use crate::output::manifest::{Read, Status};
use crate::output::tables::RUNS;
use crate::scenario::{Limits, Scenario};
use std::path::Path;

/// What a replay records besides the run's results (`None`: as the
/// original did).
#[derive(Clone, Debug, Default)]
pub struct Recording {
    /// Every n-th tick to `ticks.csv`.
    pub ticks_every: Option<u32>,
    /// Every n-th tick of every team to `teams.csv`.
    pub teams_every: Option<u32>,
    /// The ticks whose professionals go to `agents.csv`.
    pub agents_at: Option<Vec<u32>>,
}

impl Recording {
    /// Sets in `out` what the replay records beyond its original.
    pub fn apply(&self, out: &mut crate::scenario::Output) {
        if let Some(k) = self.ticks_every {
            out.ticks_every = k;
        }
        if let Some(k) = self.teams_every {
            out.teams_every = k;
        }
        if let Some(t) = &self.agents_at {
            let mut t = t.clone();
            t.sort_unstable();
            t.dedup();
            out.agents_at = t;
        }
    }
}

/// The resolved scenario a finished folder's manifest holds, read again.
pub fn manifest_scenario(dir: &Path, toml: &str) -> Result<Scenario> {
    Scenario::from_toml_with(
        toml,
        crate::output::folder::MANIFEST,
        "replay",
        &Limits::default(),
    )
    .map_err(|err| {
        Error::folder(format!(
            "{}: the scenario in manifest.json cannot be read again ({err})",
            dir.display()
        ))
    })
}

/// A replay done: the execution, and the run's row, the same in both
/// folders.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// What the execution achieved.
    pub outcome: Outcome,
    /// The run's row of `runs.csv`.
    pub row: String,
}

/// The row of run `run` in a `runs.csv` (without its line end).
fn row_of(path: &Path, run: u64) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let prefix = format!("{run},");
    Ok(text
        .lines()
        .skip(1)
        .find(|l| l.starts_with(&prefix))
        .map(str::to_string))
}

/// Replays run `run` of the finished folder `dir` into `opts.out`.
pub fn replay(
    dir: &Path,
    run: u64,
    recording: &Recording,
    opts: &Options,
    progress: &dyn Progress,
    stop: &Stop,
) -> Result<Replayed> {
    let folder = ResultFolder::new(dir);
    let e = match folder.manifest() {
        Read::Found(e) => e,
        _ => {
            return Err(Error::folder(format!(
                "{} holds no readable manifest.json: it is not a finished result folder",
                dir.display()
            )));
        }
    };
    if e.status != Status::Complete || !folder.file(RUNS.file).is_file() {
        return Err(Error::folder(format!(
            "{} holds no finished runs (a {} that is {}); replay works on the folder of a \
             finished run or sweep",
            dir.display(),
            e.command,
            e.status.name()
        )));
    }
    folder.verify(&e.files)?;
    let scenario = manifest_scenario(dir, &e.scenario_toml)?;
    if scenario.fingerprint() != e.fingerprint {
        return Err(Error::folder(format!(
            "{}: this profspace reads the folder's scenario differently (fingerprint {}, the \
             folder's {}); replay it with the version that made it ({})",
            dir.display(),
            scenario.fingerprint(),
            e.fingerprint,
            e.model
        )));
    }
    let mut plan = Plan::new(&scenario, None);
    let bound = plan.bound();
    if run >= bound {
        return Err(Error::usage(format!(
            "--run {run}: the folder's runs are numbered 0 to {}",
            bound.saturating_sub(1)
        )));
    }
    let Some(original) = row_of(&folder.file(RUNS.file), run)? else {
        return Err(Error::usage(format!(
            "--run {run}: runs.csv of {} has no row for it (it failed, or a precision target \
             did not plan it)",
            dir.display()
        )));
    };
    recording.apply(&mut plan.scenario.output);
    plan.only = Some(run);
    let outcome = execute(&plan, opts, progress, stop)?;
    if !outcome.complete {
        return Ok(Replayed {
            outcome,
            row: original,
        });
    }
    let again = row_of(&opts.out.join(RUNS.file), run)?.unwrap_or_default();
    if again != original {
        return Err(Error::internal(format!(
            "the replay of run {run} differs from the original:\n  original {original}\n  replay   {again}"
        )));
    }
    Ok(Replayed {
        outcome,
        row: original,
    })
}
