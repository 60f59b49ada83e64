//! One run of a session's scenario: replicate 0, simulated in a thread of
//! its own with a live view that copies the rows as they are recorded (and
//! stops the model when asked); its downloads are written by the library's
//! own code path (`sweep::execute`, `plot::plot_dir`), on first request.

use super::lock;
use profspace::model::{Recorded, Recording};
use profspace::scenario::{Scenario, Value, render_resolved};
use profspace::sweep::{self, Options, Plan, Progress, Stop};
use serde_json::{Value as Json, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// At most this many team rows are kept per run (team ticks × teams).
const TEAM_ROWS: u64 = 40_000;
/// At most this many team ticks are kept per run.
const TEAM_TICKS: u64 = 200;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    Running,
    Done,
    Stopped,
    Error,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Stopped => "stopped",
            Status::Error => "error",
        }
    }
}

/// What the live view has copied so far.
struct Rows {
    status: Status,
    error: Option<String>,
    /// `[tick, tick metrics…]`, row after row.
    ticks: Vec<f64>,
    /// `[tick, team, tile fields…, levers…]`, row after row.
    teams: Vec<f64>,
    /// Floats of the model's `Recorded` already copied.
    seen: (usize, usize),
}

/// The files of a run, written on first request.
#[derive(Default)]
struct Files {
    folder: Option<Result<(), String>>,
    png: Option<Result<(), String>>,
    svg: Option<Result<(), String>>,
}

/// A run and everything it has recorded.
pub(super) struct Run {
    pub id: String,
    pub scenario: Scenario,
    pub stop: AtomicBool,
    rows: Mutex<Rows>,
    files: Mutex<Files>,
    dir: PathBuf,
    /// Team columns kept: (index in the model's team row after `team`, name, lever?).
    team_cols: Vec<(usize, &'static str, bool)>,
}

/// The team columns the server keeps: the tile fields, then the team
/// columns that are not tick metrics (the manager's levers).
fn team_columns(s: &Scenario) -> Vec<(usize, &'static str, bool)> {
    let team = s.model.team_metrics();
    let tick: Vec<&str> = s.model.tick_metrics().iter().map(|m| m.name).collect();
    let fields: Vec<String> = super::session::presentation(s.model)
        .tiles
        .map(|t| {
            let shown = t.situations.into_iter().map(|s| s.metric);
            shown.chain([t.value.0]).chain(t.details).collect()
        })
        .unwrap_or_default();
    let mut cols: Vec<(usize, &'static str, bool)> = Vec::new();
    for f in &fields {
        if !cols.iter().any(|c| c.1 == f) {
            let at = team.iter().position(|m| m.name == f);
            cols.extend(at.map(|i| (i, team[i].name, false)));
        }
    }
    for (i, m) in team.iter().enumerate() {
        if !tick.contains(&m.name) {
            cols.push((i, m.name, true));
        }
    }
    cols
}

impl Run {
    /// Starts replicate 0 of `scenario` in a thread of its own; `done` is
    /// called when it ends.
    pub fn start(
        id: String,
        scenario: Scenario,
        dir: PathBuf,
        done: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Arc<Run>> {
        let team_cols = team_columns(&scenario);
        let run = Arc::new(Run {
            id,
            scenario,
            stop: AtomicBool::new(false),
            rows: Mutex::new(Rows {
                status: Status::Running,
                error: None,
                ticks: Vec::new(),
                teams: Vec::new(),
                seen: (0, 0),
            }),
            files: Mutex::new(Files::default()),
            dir,
            team_cols,
        });
        let worker = run.clone();
        std::thread::Builder::new()
            .name(format!("run {}", run.id))
            .spawn(move || {
                worker.simulate();
                done();
            })?;
        Ok(run)
    }

    fn ticks(&self) -> u64 {
        match self.scenario.get(self.scenario.model.ticks_key()) {
            Some(Value::Int(t)) => t.max(0) as u64,
            _ => 0,
        }
    }

    fn simulate(&self) {
        let s = &self.scenario;
        let teams = s.model.population(&s.params).teams.max(1);
        let kept = TEAM_TICKS.min((TEAM_ROWS / teams).max(1));
        let teams_every = self.ticks().div_ceil(kept).max(1) as u32;
        let live = |rec: &Recorded| {
            self.take(rec);
            !self.stop.load(Ordering::Relaxed)
        };
        let rec = Recording {
            ticks_every: 1,
            teams_every,
            agents_at: &[],
            threads: 1,
            live: Some(&live),
        };
        let seed = profspace::rng::run_seed(s.seed, 0);
        let mut out = Recorded::default();
        let result = catch_unwind(AssertUnwindSafe(|| {
            s.model.simulate(&s.params, seed, rec, &mut out)
        }));
        self.take(&out);
        let mut rows = lock(&self.rows);
        match result {
            _ if self.stop.load(Ordering::Relaxed) => rows.status = Status::Stopped,
            Ok(_) => rows.status = Status::Done,
            Err(panic) => {
                rows.status = Status::Error;
                rows.error = Some(format!("the model failed: {}", panic_message(&panic)));
            }
        }
    }

    /// Copies the rows recorded since the last call.
    fn take(&self, rec: &Recorded) {
        let mut rows = lock(&self.rows);
        let (t0, m0) = rows.seen;
        if rec.ticks.len() > t0 {
            rows.ticks.extend_from_slice(&rec.ticks[t0..]);
        }
        let width = 2 + self.scenario.model.team_metrics().len();
        let mut at = m0;
        while at + width <= rec.teams.len() {
            let row = &rec.teams[at..at + width];
            rows.teams.extend_from_slice(&row[..2]);
            for &(i, _, _) in &self.team_cols {
                rows.teams.push(row[2 + i]);
            }
            at += width;
        }
        rows.seen = (rec.ticks.len(), at);
    }

    pub fn status(&self) -> Status {
        lock(&self.rows).status
    }

    /// `GET /api/run/{id}`.
    pub fn info(&self) -> Json {
        let rows = lock(&self.rows);
        let width = 1 + self.scenario.model.tick_metrics().len();
        json!({
            "id": self.id,
            "status": rows.status.word(),
            "seed": self.scenario.seed,
            "ticks": self.ticks(),
            "ticks_done": rows.ticks.len() / width,
            "scenario": render_resolved(&self.scenario),
            "command": format!("profspace run explorer.toml --seed {}", self.scenario.seed),
            "values": super::session::values_of(&self.scenario),
            "error": rows.error,
        })
    }

    /// `GET /api/run/{id}/series?since=N`: the rows of ticks ≥ N; once the
    /// status is not `running`, every remaining row.
    pub fn series(&self, since: u64) -> Json {
        let rows = lock(&self.rows);
        let metrics = self.scenario.model.tick_metrics();
        let width = 1 + metrics.len();
        let all: Vec<&[f64]> = rows.ticks.chunks_exact(width).collect();
        let from = all.partition_point(|r| r[0] < since as f64);
        let out: Vec<Json> = all[from..]
            .iter()
            .map(|r| Json::Array(r.iter().map(|&x| Json::from(x)).collect()))
            .collect();
        let next = all.last().map_or(since, |r| (r[0] as u64 + 1).max(since));
        let columns: Vec<&str> = std::iter::once(self.scenario.model.charts().time)
            .chain(metrics.iter().map(|m| m.name))
            .collect();
        json!({"status": rows.status.word(), "since": since, "next": next,
               "columns": columns, "rows": out})
    }

    /// `GET /api/run/{id}/teams?tick=T`: the teams at the last kept tick
    /// at or before T (the last kept tick without T).
    pub fn teams(&self, tick: Option<u64>) -> Json {
        let rows = lock(&self.rows);
        let width = 2 + self.team_cols.len();
        let all: Vec<&[f64]> = rows.teams.chunks_exact(width).collect();
        let last = match tick {
            Some(t) => all.iter().rev().find(|r| r[0] <= t as f64).or(all.first()),
            None => all.last(),
        };
        let Some(at) = last.map(|r| r[0]) else {
            return json!({"tick": null, "teams": []});
        };
        let teams: Vec<Json> = all
            .iter()
            .filter(|r| r[0] == at)
            .map(|r| {
                let mut o = json!({"team": r[1]});
                let mut levers = serde_json::Map::new();
                for (k, &(_, name, lever)) in self.team_cols.iter().enumerate() {
                    if lever {
                        levers.insert(name.into(), Json::from(r[2 + k]));
                    } else {
                        o[name] = Json::from(r[2 + k]);
                    }
                }
                o["levers"] = Json::Object(levers);
                o
            })
            .collect();
        json!({"tick": at, "teams": teams})
    }

    /// The run's result folder, written by `sweep::execute` exactly as
    /// `profspace run explorer.toml --seed S` writes it (once).
    fn folder(&self) -> Result<&Path, String> {
        if self.status() != Status::Done {
            return Err("the run has not finished; its tables are written when it is done".into());
        }
        let mut files = lock(&self.files);
        if files.folder.is_none() {
            files.folder = Some(self.write_folder());
        }
        files
            .folder
            .clone()
            .unwrap_or(Ok(()))
            .map(|()| self.dir.as_path())
    }

    fn write_folder(&self) -> Result<(), String> {
        let seed = self.scenario.seed.to_string();
        let opts = Options {
            out: self.dir.clone(),
            threads: 1,
            resume: false,
            fresh: false,
            overwrite: false,
            keep_previous: false,
            command: "run".into(),
            command_line: ["profspace", "run", "explorer.toml", "--seed", &seed]
                .map(String::from)
                .to_vec(),
        };
        let plan = Plan::new(&self.scenario, None);
        let outcome = sweep::execute(&plan, &opts, &Quiet, &Stop::new())
            .map_err(|e| format!("cannot write the run's tables: {e}"))?;
        if !outcome.complete || !outcome.failures.is_empty() {
            return Err("the run's tables could not be written in full".into());
        }
        Ok(())
    }

    /// A table of the run's folder (`ticks.csv`, `runs.csv`).
    pub fn table(&self, name: &str) -> Result<Vec<u8>, String> {
        let dir = self.folder()?;
        std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
    }

    /// The time-series chart, drawn by `plot_dir` (`png` or `svg`).
    pub fn chart(&self, ext: &str) -> Result<Vec<u8>, String> {
        use profspace::plot::{Format, PlotOptions, plot_dir};
        let dir = self.folder()?.to_path_buf();
        let format = if ext == "svg" {
            Format::Svg
        } else {
            Format::Png
        };
        {
            let mut files = lock(&self.files);
            let slot = if ext == "svg" {
                &mut files.svg
            } else {
                &mut files.png
            };
            if slot.is_none() {
                let opts = PlotOptions {
                    format,
                    ..PlotOptions::default()
                };
                *slot = Some(plot_dir(&dir, &opts).map(|_| ()).map_err(|e| e.to_string()));
            }
            slot.clone().unwrap_or(Ok(()))?;
        }
        let file = dir.join("plots").join(format!("timeseries.{ext}"));
        std::fs::read(&file).map_err(|e| format!("cannot read the chart: {e}"))
    }
}

/// Progress that shows nothing.
pub(super) struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// The message of a caught panic.
pub(super) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".into()
    }
}
