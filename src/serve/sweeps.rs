//! A sweep of two levers from the Sweep tab: the session's scenario plus a
//! `[sweep]` grid, run by `sweep::execute` in a thread of its own with a
//! progress count and a stop; its charts drawn by `plot::plot_dir`; the
//! folder served as a tar.

use super::lock;
use super::runs::panic_message;
use super::session::{Problem, caps};
use profspace::scenario::{Kind, Scenario, Value};
use profspace::sweep::{self, Options, Plan, Progress, Reason, Stop};
use serde_json::{Map, Value as Json, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use toml_edit::{Array, DocumentMut, Item, Table};

/// Where a sweep is.
struct State {
    status: &'static str,
    error: Option<String>,
    charts: Vec<String>,
}

/// A sweep and its folder.
pub(super) struct Sweep {
    pub id: String,
    /// The scenario text of the sweep (`explorer-sweep.toml`).
    pub toml: String,
    scenario: Scenario,
    pub stop: Stop,
    done: AtomicU64,
    total: AtomicU64,
    state: Mutex<State>,
    dir: PathBuf,
}

impl Progress for Sweep {
    fn start(&self, total: u64, done: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }
    fn advance(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }
    fn finish(&self) {}
}

/// An axis of the grid from the request: a float key and its values.
fn axis(body: &Map<String, Json>, name: &str, s: &Scenario) -> Result<(String, Vec<f64>), String> {
    let a = body
        .get(name)
        .and_then(Json::as_object)
        .ok_or_else(|| format!("{name}: expected {{\"key\": …, \"values\": […]}}"))?;
    let key = a
        .get("key")
        .and_then(Json::as_str)
        .ok_or(format!("{name}: no key"))?;
    let (kind, sweepable) = s.kind_of(key).map_err(|e| format!("{name}: {e}"))?;
    let Kind::Float { min, max } = kind else {
        return Err(format!("{name}: `{key}` is not a lever with real values"));
    };
    if !sweepable {
        return Err(format!("{name}: `{key}` cannot be swept"));
    }
    let values: Vec<f64> = a
        .get("values")
        .and_then(Json::as_array)
        .map(|v| v.iter().filter_map(Json::as_f64).collect())
        .unwrap_or_default();
    if values.is_empty() || values.len() > 20 {
        return Err(format!("{name}: give from 1 to 20 values of `{key}`"));
    }
    if let Some(v) = values.iter().find(|v| !(min..=max).contains(*v)) {
        return Err(format!(
            "{name}: {v} is out of range; `{key}` takes {}",
            kind.allowed()
        ));
    }
    Ok((key.to_string(), values))
}

/// The scenario text of the sweep: the session's text plus `[sweep]`.
pub(super) fn sweep_text(
    text: &str,
    s: &Scenario,
    body: &Map<String, Json>,
) -> Result<(String, Scenario), Result<String, Vec<Problem>>> {
    let (xk, xv) = axis(body, "x", s).map_err(Ok)?;
    let (yk, yv) = axis(body, "y", s).map_err(Ok)?;
    if xk == yk {
        return Err(Ok("pick two different levers for x and y".into()));
    }
    let reps = body.get("replications").and_then(Json::as_u64).unwrap_or(1);
    if !(1..=50).contains(&reps) {
        return Err(Ok("replications: from 1 to 50".into()));
    }
    let couplings = body
        .get("couplings")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let mut doc: DocumentMut = text.parse().map_err(|e| Ok(format!("{e}")))?;
    let mut grid = Table::new();
    // The model's grouping key (the frame of negotiation), every value.
    let group = s.model.charts().group;
    if couplings
        && !group.is_empty()
        && let Ok((Kind::Choice(choices), _)) = s.kind_of(group)
    {
        grid.insert(
            group,
            toml_edit::value(choices.iter().copied().collect::<Array>()),
        );
    }
    grid.insert(&xk, toml_edit::value(xv.iter().copied().collect::<Array>()));
    grid.insert(&yk, toml_edit::value(yv.iter().copied().collect::<Array>()));
    let mut sw = Table::new();
    sw.insert("replications", toml_edit::value(reps as i64));
    sw.insert("grid", Item::Table(grid));
    sw.decor_mut()
        .set_prefix("\n# Added by the explorer's Sweep tab:\n");
    doc.insert("sweep", Item::Table(sw));
    doc.insert("name", toml_edit::value("explorer-sweep"));
    let out = doc.to_string();
    let scenario = match profspace::scenario::Scenario::from_toml(
        &out,
        "explorer-sweep.toml",
        "explorer-sweep",
    ) {
        Ok(sc) => sc,
        Err(e) => {
            return Err(Err(e
                .problems
                .into_iter()
                .map(|p| Problem {
                    line: p.line,
                    key: Some(p.path),
                    message: p.message,
                })
                .collect()));
        }
    };
    check_size(&scenario).map_err(Ok)?;
    Ok((out, scenario))
}

/// The caps on a sweep's points, runs and work.
fn check_size(s: &Scenario) -> Result<(), String> {
    let plan = Plan::new(s, None);
    let points = plan.design.len();
    let runs = plan.total_runs();
    let pop = s.model.population(&s.params).agents.max(1);
    let ticks = match s.get(s.model.ticks_key()) {
        Some(Value::Int(t)) => t.max(1) as u64,
        _ => 1,
    };
    let work = runs.saturating_mul(pop).saturating_mul(ticks);
    if points > caps::POINTS {
        return Err(format!(
            "{points} design points; the explorer sweeps at most {}",
            caps::POINTS
        ));
    }
    if runs > caps::SWEEP_RUNS {
        return Err(format!(
            "{runs} runs; the explorer sweeps at most {}",
            caps::SWEEP_RUNS
        ));
    }
    if work > caps::SWEEP_WORK {
        return Err(format!(
            "{runs} runs × {pop} professionals × {ticks} ticks is more than the explorer sweeps \
             (at most {} professional-ticks); use fewer points, replications, ticks or \
             professionals, or profspace sweep",
            caps::SWEEP_WORK
        ));
    }
    Ok(())
}

impl Sweep {
    /// Starts the sweep in a thread of its own; `done` is called when it ends.
    pub fn start(
        id: String,
        toml: String,
        scenario: Scenario,
        dir: PathBuf,
        done: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Arc<Sweep>> {
        let total = Plan::new(&scenario, None).total_runs();
        let sweep = Arc::new(Sweep {
            id,
            toml,
            scenario,
            stop: Stop::new(),
            done: AtomicU64::new(0),
            total: AtomicU64::new(total),
            state: Mutex::new(State {
                status: "running",
                error: None,
                charts: Vec::new(),
            }),
            dir,
        });
        let worker = sweep.clone();
        std::thread::Builder::new()
            .name(format!("sweep {}", sweep.id))
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| worker.execute()))
                    .unwrap_or_else(|p| Err(format!("the sweep failed: {}", panic_message(&*p))));
                let mut st = lock(&worker.state);
                match result {
                    Ok(charts) => {
                        st.status = "done";
                        st.charts = charts;
                    }
                    Err(_) if worker.stop.requested() => st.status = "stopped",
                    Err(e) => {
                        st.status = "error";
                        st.error = Some(e);
                    }
                }
                drop(st);
                done();
            })?;
        Ok(sweep)
    }

    fn execute(&self) -> Result<Vec<String>, String> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2);
        let opts = Options {
            out: self.dir.clone(),
            threads,
            resume: false,
            fresh: false,
            overwrite: false,
            keep_previous: false,
            command: "sweep".into(),
            command_line: ["profspace", "sweep", "explorer-sweep.toml"]
                .map(String::from)
                .to_vec(),
        };
        let plan = Plan::new(&self.scenario, None);
        let outcome = sweep::execute(&plan, &opts, self, &self.stop)
            .map_err(|e| format!("the sweep failed: {e}"))?;
        if !outcome.complete {
            return Err("the sweep was stopped".into());
        }
        let files = profspace::plot::plot_dir(&self.dir, &profspace::plot::PlotOptions::default())
            .map_err(|e| format!("the charts could not be drawn: {e}"))?;
        let mut charts: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        // The heatmap and the situations map first, as the page expects.
        charts.sort_by_key(|n| (!n.starts_with("heatmap"), n != "situations.png", n.clone()));
        Ok(charts)
    }

    /// Asks the sweep to stop.
    pub fn request_stop(&self) {
        self.stop.request(Reason::Requested);
    }

    pub fn running(&self) -> bool {
        lock(&self.state).status == "running"
    }

    /// `GET /api/sweep/{id}`.
    pub fn info(&self) -> Json {
        let st = lock(&self.state);
        json!({
            "id": self.id,
            "status": st.status,
            "done": self.done.load(Ordering::Relaxed),
            "total": self.total.load(Ordering::Relaxed),
            "charts": st.charts,
            "error": st.error,
        })
    }

    /// A chart file of the finished sweep (only the names it listed).
    pub fn chart(&self, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let st = lock(&self.state);
        if !st.charts.iter().any(|c| c == name) {
            return None;
        }
        let ctype = if name.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        };
        std::fs::read(self.dir.join("plots").join(name))
            .ok()
            .map(|b| (b, ctype))
    }

    /// The whole folder (and the sweep's scenario) as a tar.
    pub fn tar(&self) -> Result<Vec<u8>, String> {
        if lock(&self.state).status != "done" {
            return Err("the sweep has not finished".into());
        }
        let mtime = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut out = Vec::new();
        super::tar::append(
            &mut out,
            "explorer-sweep/explorer-sweep.toml",
            self.toml.as_bytes(),
            mtime,
        )?;
        super::tar::append_dir(&mut out, &self.dir, "explorer-sweep", mtime)?;
        super::tar::finish(&mut out);
        Ok(out)
    }
}
