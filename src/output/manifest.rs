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
    /// The status as written in the manifest.
    pub fn name(self) -> &'static str {
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
    /// What stopped an interrupted folder (`SIGTERM`, `SIGINT` …).
    pub interrupted_by: Option<String>,
    /// The finished tables: name, size and SHA-256, so that a complete
    /// folder can be checked before it is trusted.
    pub files: Vec<FileDigest>,
}

impl Manifest {
    /// The manifest of a `command` started (or resumed) at `started`, its
    /// scenario's `fingerprint`, running on `threads`: nothing done yet.
    pub fn running(
        command: &str,
        command_line: &[String],
        started: String,
        fingerprint: &str,
        threads: usize,
    ) -> Manifest {
        Manifest {
            command: command.to_string(),
            command_line: command_line.to_vec(),
            status: Status::Running,
            started,
            finished: None,
            fingerprint: fingerprint.to_string(),
            shard: None,
            runs_done: 0,
            runs_failed: 0,
            runs_total: 0,
            threads,
            interrupted_by: None,
            files: Vec::new(),
        }
    }
}

/// A finished file's size and SHA-256 (hex), as recorded in the manifest;
/// `sha256sum FILE` shows the same digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    /// File name in the folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// Renders the manifest of `s` with `design`.
/// `rounds`: the rounds planned so far by a sweep with a precision target.
pub fn render(
    m: &Manifest,
    s: &Scenario,
    design: &Design,
    replications: u32,
    rounds: Option<u32>,
) -> Result<Vec<u8>> {
    render_with(m, s, design, replications, rounds, Vec::new())
}

/// As [`render`], with sections of its own after the common ones (e.g. a
/// calibration's priors, targets and result).
pub fn render_with(
    m: &Manifest,
    s: &Scenario,
    design: &Design,
    replications: u32,
    rounds: Option<u32>,
    extra: Vec<(String, Json)>,
) -> Result<Vec<u8>> {
    let mut flat = Map::new();
    for p in s.declared() {
        let v = match s.get(p.path) {
            Some(Value::Float(x)) => json!(x),
            Some(Value::Int(i)) => json!(i),
            Some(Value::Bool(b)) => json!(b),
            Some(Value::Text(t)) => json!(t),
            Some(Value::List(v)) => json!(v),
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
        "overrides": s.overrides,
        "scenario": Json::Object(flat),
        "scenario_toml": render_resolved(s),
        "design": {
            "columns": design.columns,
            "resolved": design.resolved,
            "points": design.len(),
            "replications": replications,
            "rounds": rounds,
            "runs": m.runs_total,
        },
        "shard": m.shard.map(|(k, n)| json!({"index": k, "count": n})),
        "runs_done": m.runs_done,
        "runs_failed": m.runs_failed,
        "threads": m.threads,
        "simd": crate::lanes::isa().name(),
        "interrupted_by": m.interrupted_by,
        "files": Json::Object(
            m.files
                .iter()
                .map(|f| (f.name.clone(), json!({"bytes": f.bytes, "sha256": f.sha256})))
                .collect()
        ),
    });
    let mut doc = doc;
    if let Some(map) = doc.as_object_mut() {
        map.extend(extra);
    }
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
    /// When it finished (or stopped).
    pub finished: Option<String>,
    /// The digests of its finished tables.
    pub files: Vec<FileDigest>,
    /// The model and its version (`psm 1.1`).
    pub model: String,
    /// The master seed.
    pub master_seed: u64,
    /// The design's columns: its inputs.
    pub columns: Vec<String>,
    /// The resolved columns after them (none in folders of release 1).
    pub resolved: Vec<String>,
    /// Sub-folders the folder's results include (a diagnosis: one
    /// calibration per team); they move and go with the folder.
    pub subfolders: Vec<String>,
}

/// What is in the folder's `manifest.json`.
#[derive(Clone, Debug, PartialEq)]
pub enum Read {
    /// No manifest.
    Missing,
    /// A manifest profspace cannot use: not JSON, or a field missing.
    Unreadable(String),
    /// A manifest.
    Found(Box<Existing>),
}

/// Reads the manifest of `dir`. Every field that decides anything must be
/// there: a manifest that lacks one is unreadable, never filled in with a
/// default.
pub fn read(dir: &Path) -> Read {
    let text = match std::fs::read(dir.join("manifest.json")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Unreadable(e.to_string()),
    };
    let doc: Json = match serde_json::from_slice(&text) {
        Ok(d) => d,
        Err(e) => return Read::Unreadable(format!("not valid JSON ({e})")),
    };
    match parse(&doc) {
        Ok(e) => Read::Found(Box::new(e)),
        Err(field) => Read::Unreadable(format!("`{field}` is missing or malformed")),
    }
}

/// Whether `name` is one plain entry of a folder (no separator, not `.` or
/// `..`): what a manifest may list as a sub-folder.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

fn parse(doc: &Json) -> Result<Existing, &'static str> {
    let text = |key: &'static str| {
        doc.get(key)
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or(key)
    };
    let number = |key: &'static str| doc.get(key).and_then(Json::as_u64).ok_or(key);
    let shard = match doc.get("shard") {
        None | Some(Json::Null) => None,
        Some(s) => Some((
            s.get("index").and_then(Json::as_u64).ok_or("shard")?,
            s.get("count").and_then(Json::as_u64).ok_or("shard")?,
        )),
    };
    let mut files = Vec::new();
    if let Some(map) = doc.get("files").and_then(Json::as_object) {
        for (name, f) in map {
            files.push(FileDigest {
                name: name.clone(),
                bytes: f.get("bytes").and_then(Json::as_u64).ok_or("files")?,
                sha256: f
                    .get("sha256")
                    .and_then(Json::as_str)
                    .ok_or("files")?
                    .to_string(),
            });
        }
    }
    let status = Status::from_name(&text("status")?).ok_or("status")?;
    if status == Status::Complete && files.is_empty() {
        return Err("files");
    }
    let names = |key: &str| -> Option<Vec<String>> {
        doc.get("design")?
            .get(key)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    Ok(Existing {
        model: text("model")?,
        master_seed: number("master_seed")?,
        columns: names("columns").ok_or("design")?,
        resolved: match doc.get("design").and_then(|d| d.get("resolved")) {
            None => Vec::new(),
            Some(_) => names("resolved").ok_or("design")?,
        },
        status,
        fingerprint: text("scenario_fingerprint")?,
        shard,
        runs_total: doc
            .get("design")
            .and_then(|d| d.get("runs"))
            .and_then(Json::as_u64)
            .ok_or("design")?,
        runs_failed: number("runs_failed")?,
        command: text("command")?,
        scenario_toml: text("scenario_toml")?,
        started: text("started")?,
        finished: doc
            .get("finished")
            .and_then(Json::as_str)
            .map(str::to_string),
        files,
        subfolders: match doc.get("subfolders") {
            None | Some(Json::Null) => Vec::new(),
            Some(list) => list
                .as_array()
                .and_then(|l| {
                    l.iter()
                        .map(|v| v.as_str().filter(|s| is_plain_name(s)).map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or("subfolders")?,
        },
    })
}
