//! Sweeps: a design (grid and samples) times replications becomes a list of
//! runs with fixed ids and seeds *before* anything runs; the runner executes
//! them in parallel and streams the results to disk in run order.
//!
//! Run ids are canonical: `run = point · replications + replicate`, and the
//! seed of a run depends on the replicate only (common random numbers). A
//! shard `K/N` holds the runs with `run % N == K`. This module is the only
//! one that spawns threads: the runner's pool for the runs of a plan, and
//! [`run_tasks`] for the simulations of a calibration or an advice.

mod aggregate;
mod indices;
mod merge;
pub mod replay;
mod resume;
mod runner;
mod stop;
mod tasks;

pub use aggregate::write_aggregate;
pub use indices::write_indices;
pub use merge::merge;
pub use replay::{Replayed, replay};
pub(crate) use runner::{Decision, catch_run, check_again, decide};
pub use runner::{Options, Outcome, Progress, execute};
pub use stop::{Reason, Stop};
pub use tasks::run_tasks;

/// How to make a run's tables smaller, for messages about size.
pub const SMALLER: &str = "write fewer per-tick rows ([output] ticks_every = 10, or 0 for none; \
     --no-ticks on the command line), fewer team or agent rows (a larger teams_every, fewer \
     agents_at), or sweep fewer points or replications";

use crate::error::{Error, Result};
use crate::output::folder::{Layout, MANIFEST, ResultFolder, Streams};
use crate::output::manifest::{self, Manifest, Status};
use crate::output::tables;
use crate::rng;
use crate::scenario::{Design, Precision, Scenario};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One part of a sweep split for a cluster: runs with `run % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (k, n) = s.split_once('/').ok_or_else(|| {
            Error::usage(format!(
                "`{s}` is not a shard; write K/N, e.g. 0/4 for the first of four"
            ))
        })?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| Error::usage(format!("`{k}` in `{s}` is not a whole number")))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| Error::usage(format!("`{n}` in `{s}` is not a whole number")))?;
        if count == 0 || index >= count {
            return Err(Error::usage(format!(
                "shard {s} does not exist: K must be from 0 to N − 1 and N at least 1"
            )));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One run: its id, place in the design and seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// Canonical run id.
    pub run: u64,
    /// Design point.
    pub point: u64,
    /// Replicate.
    pub replicate: u32,
    /// The run's seed (`rng::run_seed(master, replicate)`).
    pub seed: u64,
}

/// The runs of a scenario (or of one shard of it), fixed before any runs;
/// with a precision target, fixed round by round (see [`Rounds`]).
#[derive(Clone, Debug)]
pub struct Plan {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Its design.
    pub design: Design,
    /// Replications per point (of the first round, with a precision
    /// target).
    pub replications: u32,
    /// The shard, when the plan is one part of the sweep.
    pub shard: Option<Shard>,
    /// The rounds of a sweep with a precision target.
    pub rounds: Option<Rounds>,
    /// One run of the design alone, by its canonical id (a replay).
    pub only: Option<u64>,
}

/// The runs of a sweep with `[sweep] target_ci95`, planned round by round:
/// the first round runs every point's first replications; each later round
/// doubles the replications of the points whose 95% half-width on the
/// metric is still above the target, up to the maximum. Run ids are
/// `point · max_replications + replicate`, and replicate r has the same seed
/// whatever the rounds, so the rounds depend only on the results, which
/// depend only on the scenario: a resumed sweep plans the same rounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Rounds {
    /// The target.
    pub target: Precision,
    /// The runs planned so far, in the order they are written.
    pub ids: Vec<u64>,
    /// Replications planned so far at each point.
    pub planned: Vec<u32>,
    /// Rounds planned so far.
    pub count: u32,
}

/// The 95% half-width of the mean of `values` (infinite with fewer than
/// two).
fn half_width(values: &[f64]) -> f64 {
    let m = crate::stats::mean_ci(values);
    if m.ci95.is_finite() {
        m.ci95
    } else {
        f64::INFINITY
    }
}

impl Plan {
    /// The plan of a validated scenario (its first round, with a precision
    /// target).
    pub fn new(scenario: &Scenario, shard: Option<Shard>) -> Plan {
        let design = Design::build(scenario);
        let replications = scenario
            .sweep
            .as_ref()
            .and_then(|s| s.replications)
            .unwrap_or(scenario.replications);
        let mut plan = Plan {
            scenario: scenario.clone(),
            design,
            replications,
            shard,
            rounds: None,
            only: None,
        };
        if let Some(target) = scenario.sweep.as_ref().and_then(|s| s.target.clone()) {
            let points = plan.design.len();
            let mut rounds = Rounds {
                ids: Vec::new(),
                planned: vec![0; points as usize],
                count: 0,
                target,
            };
            rounds.plan(|_| true, replications);
            plan.rounds = Some(rounds);
        }
        plan
    }

    /// The replications that number the runs: run ids are `point · this +
    /// replicate`.
    pub fn id_replications(&self) -> u32 {
        self.rounds
            .as_ref()
            .map_or(self.replications, |r| r.target.max_replications)
    }

    /// Runs of the whole design (planned so far, with a precision target;
    /// one, for a replay).
    pub fn total_runs(&self) -> u64 {
        if self.only.is_some() {
            return 1;
        }
        match &self.rounds {
            Some(r) => r.ids.len() as u64,
            None => self.design.len() * u64::from(self.replications),
        }
    }

    /// The most runs the plan can ever have (for checking what a resumed
    /// folder holds).
    pub fn bound(&self) -> u64 {
        if self.only.is_some() {
            return 1;
        }
        match self.rounds {
            Some(_) => self.design.len() * u64::from(self.id_replications()),
            None => self.len(),
        }
    }

    /// Runs of this plan (the shard's share when sharded).
    pub fn len(&self) -> u64 {
        match self.shard {
            None => self.total_runs(),
            Some(Shard { index, count }) => {
                let total = self.total_runs();
                total / count + u64::from(index < total % count)
            }
        }
    }

    /// With a precision target: plans the next round from the metric's
    /// values so far (`values[point]`: replicate → value, failed runs
    /// absent), and returns whether it has any runs. Without one: false.
    pub fn next_round(&mut self, values: &BTreeMap<u64, BTreeMap<u32, f64>>) -> bool {
        if self.only.is_some() {
            return false;
        }
        let Some(rounds) = self.rounds.as_mut() else {
            return false;
        };
        let target = rounds.target.half_width;
        let planned = rounds.planned.clone();
        let before = rounds.ids.len();
        rounds.plan(
            |point| {
                let finite: Vec<f64> = values
                    .get(&point)
                    .into_iter()
                    .flat_map(|v| v.range(..planned[point as usize]))
                    .map(|(_, &x)| x)
                    .filter(|x| x.is_finite())
                    .collect();
                half_width(&finite) > target
            },
            0,
        );
        rounds.ids.len() > before
    }

    /// Whether the plan has no runs (a shard beyond the run count).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th run of this plan, in canonical order.
    pub fn run(&self, i: u64) -> RunSpec {
        if let Some(run) = self.only {
            return self.spec(run);
        }
        let run = match (self.shard, &self.rounds) {
            (_, Some(r)) => r.ids[i as usize],
            (None, None) => i,
            (Some(Shard { index, count }), None) => index + i * count,
        };
        self.spec(run)
    }

    /// The run with canonical id `run`.
    pub fn spec(&self, run: u64) -> RunSpec {
        let reps = u64::from(self.id_replications());
        let replicate = (run % reps) as u32;
        RunSpec {
            run,
            point: run / reps,
            replicate,
            seed: rng::run_seed(self.scenario.seed, replicate),
        }
    }

    /// The scenario of design point `point`. Every point was validated with
    /// the scenario, so an error here is a bug; the caller records it rather
    /// than running anything else under the point's labels.
    pub fn scenario_at(&self, point: u64) -> Result<Scenario> {
        self.design
            .apply(&self.scenario, point)
            .map_err(|e| Error::internal(format!("design point {point} cannot be set up: {e}")))
    }

    /// The parameter fields of a point's rows (`,v1,v2…`): its design
    /// values, then its resolved values.
    pub fn point_fields(&self, point: u64) -> Vec<u8> {
        let p = self.design.point(point);
        let mut fields = Vec::new();
        for v in p.values.iter().chain(&self.design.resolved_values(&p)) {
            fields.push(b',');
            crate::output::table::push_value(&mut fields, v);
        }
        fields
    }

    /// The shape of the tables this plan writes.
    pub fn layout(&self) -> Layout {
        Layout::new(&self.design.table_columns(), self.scenario.model)
    }
}

impl Rounds {
    /// Adds a round: every point for which `more(point)` holds and that has
    /// fewer than the maximum gets its replications doubled (or, in the
    /// first round, `first` of them).
    fn plan(&mut self, more: impl Fn(u64) -> bool, first: u32) {
        let max = self.target.max_replications;
        let mut added = false;
        for (point, n) in self.planned.iter_mut().enumerate() {
            let point = point as u64;
            if *n >= max || !more(point) {
                continue;
            }
            let next = if *n == 0 { first } else { (*n * 2).min(max) };
            for r in *n..next {
                self.ids.push(point * u64::from(max) + u64::from(r));
            }
            added |= next > *n;
            *n = next;
        }
        if added {
            self.count += 1;
        }
    }

    /// Whether the 95% half-width of the mean of a point's `values` meets
    /// the target.
    pub fn met(&self, values: &[f64]) -> bool {
        half_width(values) <= self.target.half_width
    }
}

/// The bytes a plan's tables will take, estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputSize {
    /// Bytes and rows per run of each streamed table, in the order of
    /// [`tables::STREAMED`].
    pub streamed: [(u64, u64); tables::N_STREAMED],
    /// `aggregate.csv`.
    pub aggregate: u64,
}

impl OutputSize {
    /// All tables together.
    pub fn total(&self) -> u64 {
        self.streamed
            .iter()
            .map(|s| s.0)
            .fold(self.aggregate, u64::saturating_add)
    }

    /// The bytes of the streamed table `t`, and its rows per run.
    pub fn of(&self, t: &tables::Table) -> (u64, u64) {
        self.streamed[tables::slot(t)]
    }
}

impl Plan {
    /// The size of the tables this plan writes: about 19 bytes per real
    /// number, 8 per id field, from point 0's rows per run.
    pub fn estimated_output(&self) -> OutputSize {
        let model = self.scenario.model;
        let runs = self.len();
        let run_fields = model.run_metrics().len() as u64;
        let point = self.scenario_at(0).ok();
        let columns = self.design.columns.len() + self.design.resolved.len();
        let streamed = tables::STREAMED.map(|t| match (t.rows, &point) {
            _ if t.file == tables::RUNS.file => (
                runs.saturating_mul(40 + 12 * columns as u64 + 19 * run_fields),
                1,
            ),
            (Some(rows), Some(point)) => {
                let n = (rows.per_run)(point);
                let ids = (3 + rows.ids) as u64;
                let fields = (rows.metrics)(model).len() as u64;
                (
                    runs.saturating_mul(n).saturating_mul(8 * ids + 19 * fields),
                    n,
                )
            }
            _ => (0, 0),
        });
        OutputSize {
            streamed,
            aggregate: self.design.len().saturating_mul(20 + 60 * run_fields),
        }
    }
}

/// Writes the manifest of `plan` in `folder`.
pub(crate) fn write_manifest(folder: &ResultFolder, plan: &Plan, m: &Manifest) -> Result<()> {
    let rounds = plan.rounds.as_ref().map(|r| r.count);
    let bytes = manifest::render(m, &plan.scenario, &plan.design, plan.replications, rounds)?;
    folder.write(MANIFEST, &bytes)
}

/// Completes a folder whose every run is written (by a sweep or a merge):
/// the streamed tables get their final names, an unsharded folder gets
/// `aggregate.csv` (and `sensitivity.csv` when every run succeeded), and the
/// manifest says `complete`.
pub(crate) fn finish(
    folder: &ResultFolder,
    plan: &Plan,
    streams: Streams,
    manifest: &mut Manifest,
) -> Result<()> {
    let out = &plan.scenario.output;
    let written = tables::written(out, manifest.runs_failed > 0);
    folder.commit_streams(streams, written)?;
    if plan.shard.is_none() {
        aggregate::write_aggregate(folder, plan)?;
        if manifest.runs_failed == 0 && plan.only.is_none() {
            indices::write_indices(folder, plan)?;
        }
    }
    crate::output::parquet::export(folder, &plan.scenario, &written)?;
    manifest.files = folder.digests()?;
    manifest.status = Status::Complete;
    write_manifest(folder, plan, manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str, shard: Option<Shard>) -> Plan {
        Plan::new(&Scenario::from_toml(text, "t.toml", "t").unwrap(), shard)
    }

    const GRID: &str = "replications = 3\n[sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
                        \"managers.focus\" = { from = 0.1, to = 0.9, steps = 5 }\n";

    #[test]
    fn runs_are_numbered_point_major_and_paired() {
        let p = plan(GRID, None);
        assert_eq!(p.design.len(), 10);
        assert_eq!(p.total_runs(), 30);
        let r = p.run(7);
        assert_eq!((r.point, r.replicate), (2, 1));
        // Replicate 1 has the same seed at every point.
        assert!((0..10).all(|pt| p.spec(pt * 3 + 1).seed == r.seed));
        assert_ne!(p.spec(0).seed, p.spec(1).seed);
        // First axis varies slowest.
        assert_eq!(
            p.design.point(4).values[0],
            crate::scenario::Value::Text("zero_sum".into())
        );
        assert_eq!(
            p.design.point(5).values[0],
            crate::scenario::Value::Text("freedom_safety".into())
        );
        assert_eq!(
            p.design.point(1).values[1],
            crate::scenario::Value::Float(0.3)
        );
    }

    #[test]
    fn shards_partition_the_runs() {
        let full = plan(GRID, None);
        let mut seen = Vec::new();
        for k in 0..4 {
            let p = plan(GRID, Some(Shard { index: k, count: 4 }));
            for i in 0..p.len() {
                seen.push(p.run(i).run);
            }
        }
        seen.sort();
        assert_eq!(seen, (0..full.total_runs()).collect::<Vec<_>>());
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(
            "1/3".parse::<Shard>().ok(),
            Some(Shard { index: 1, count: 3 })
        );
        for bad in ["3/3", "1", "a/2", "0/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
