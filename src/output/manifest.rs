//! `manifest.json`: what produced a result folder. It is the only output
//! that holds timestamps, the command line and the thread count; the CSV
//! files hold none of these, so they are byte-identical across machines.

use crate::error::{Error, Result};
use crate::params::Value;
use crate::scenario::{Design, Scenario, render_resolved};
use serde_json::{Map, Value as Json, json};
use std::path::Path;
use std::time::SystemTime;

/// The state of a result folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Runs are being written (or the process died while writing).
    Running,
    /// Stopped by the user; `--resume` continues.
    Interrupted,
    /// Every run of the folder is written.
    Complete,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Interrupted => "interrupted",
            Status::Complete => "complete",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        match s {
            "running" => Some(Status::Running),
            "interrupted" => Some(Status::Interrupted),
            "complete" => Some(Status::Complete),
            _ => None,
        }
    }
}

/// The now, as RFC 3339 UTC.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Everything a manifest records.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Which command wrote the folder (`run`, `sweep`, `merge`, `sensitivity`).
    pub command: String,
    /// The command line, as given.
    pub command_line: Vec<String>,
    /// Folder state.
    pub status: Status,
    /// Start time.
    pub started: String,
    /// End time, once complete or interrupted.
    pub finished: Option<String>,
    /// Fingerprint of the resolved scenario.
    pub fingerprint: String,
    /// `(index, count)` when the folder holds one shard.
    pub shard: Option<(u64, u64)>,
    /// Runs written (successful or failed).
    pub runs_done: u64,
    /// Runs that failed.
    pub runs_failed: u64,
    /// Runs of the whole design (all shards).
    pub runs_total: u64,
    /// Threads used (does not affect results).
    pub threads: usize,
}

/// Renders the manifest of `s` with `design`.
pub fn render(m: &Manifest, s: &Scenario, design: &Design, replications: u32) -> Result<Vec<u8>> {
    let mut flat = Map::new();
    for p in s.declared() {
        let v = match s.get(p.path) {
            Some(Value::Float(x)) => json!(x),
            Some(Value::Int(i)) => json!(i),
            Some(Value::Bool(b)) => json!(b),
            Some(Value::Text(t)) => json!(t),
            None => continue,
        };
        flat.insert(p.path.to_string(), v);
    }
    let doc = json!({
        "profspace": env!("CARGO_PKG_VERSION"),
        "command": m.command,
        "command_line": m.command_line,
        "status": m.status.name(),
        "started": m.started,
        "finished": m.finished,
        "model": s.model.version(),
        "master_seed": s.seed,
        "seed_derivation": "run_seed = splitmix64(splitmix64(master_seed) ^ replicate); see docs/ODD.md",
        "scenario_fingerprint": m.fingerprint,
        "scenario": Json::Object(flat),
        "scenario_toml": render_resolved(s),
        "design": {
            "columns": design.columns,
            "points": design.len(),
            "replications": replications,
            "runs": m.runs_total,
        },
        "shard": m.shard.map(|(k, n)| json!({"index": k, "count": n})),
        "runs_done": m.runs_done,
        "runs_failed": m.runs_failed,
        "threads": m.threads,
    });
    let mut out = serde_json::to_vec_pretty(&doc)
        .map_err(|e| Error::internal(format!("cannot render the manifest: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// The parts of an existing manifest that decide what a new command may do.
#[derive(Clone, Debug, PartialEq)]
pub struct Existing {
    /// Folder state.
    pub status: Status,
    /// Scenario fingerprint.
    pub fingerprint: String,
    /// Shard, if any.
    pub shard: Option<(u64, u64)>,
    /// Runs of the whole design.
    pub runs_total: u64,
    /// Runs failed.
    pub runs_failed: u64,
    /// The command that wrote it.
    pub command: String,
    /// The resolved scenario text.
    pub scenario_toml: String,
    /// When the folder was started.
    pub started: String,
}

/// Reads the manifest of `dir`, if there is a readable one.
pub fn read(dir: &Path) -> Option<Existing> {
    let text = std::fs::read(dir.join("manifest.json")).ok()?;
    let doc: Json = serde_json::from_slice(&text).ok()?;
    let shard = doc
        .get("shard")
        .and_then(|s| Some((s.get("index")?.as_u64()?, s.get("count")?.as_u64()?)));
    Some(Existing {
        status: Status::from_name(doc.get("status")?.as_str()?)?,
        fingerprint: doc.get("scenario_fingerprint")?.as_str()?.to_string(),
        shard,
        runs_total: doc.get("design")?.get("runs")?.as_u64()?,
        runs_failed: doc.get("runs_failed").and_then(Json::as_u64).unwrap_or(0),
        command: doc
            .get("command")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        scenario_toml: doc
            .get("scenario_toml")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        started: doc
            .get("started")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}
