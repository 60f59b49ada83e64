//! `profspace merge`: joins the folders of a sharded sweep into the files an
//! unsharded sweep writes, byte for byte, after checking that the shards
//! belong to one scenario and that every run is there exactly once.

use super::Plan;
use crate::error::{Error, IoContext, Result};
use crate::output::Streams;
use crate::output::folder::{N_STREAMED, ResultFolder, STREAMED};
use crate::output::manifest::Existing;
use crate::output::manifest::{self, Manifest, Status};
use crate::output::tables::{self, DESIGN, FAILURES, RUNS, slot};
use crate::scenario::Scenario;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

fn user(msg: String) -> Error {
    Error::folder(msg)
}

/// Line reader over one table of one shard.
struct Table {
    path: PathBuf,
    reader: Option<BufReader<File>>,
    line: Vec<u8>,
}

impl Table {
    fn open(path: PathBuf, required: bool) -> Result<Self> {
        let reader = match File::open(&path) {
            Ok(f) => Some(BufReader::new(f)),
            Err(_) if !required => None,
            Err(e) => return Err(e).at("read", &path),
        };
        let mut t = Table {
            path,
            reader,
            line: Vec::new(),
        };
        t.advance()?; // header
        t.advance()?;
        Ok(t)
    }

    fn advance(&mut self) -> Result<()> {
        self.line.clear();
        if let Some(r) = &mut self.reader {
            r.read_until(b'\n', &mut self.line).at("read", &self.path)?;
        }
        Ok(())
    }

    fn id(&self) -> Option<u64> {
        let end = self.line.iter().position(|&b| b == b',')?;
        std::str::from_utf8(&self.line[..end]).ok()?.parse().ok()
    }
}

/// Where a path is, spelled one way: the canonical path of the path, or of
/// its parent joined with its name when it does not exist yet.
fn place(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let parent = p
        .parent()
        .filter(|q| !q.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (parent.canonicalize(), p.file_name()) {
        (Ok(c), Some(name)) => c.join(name),
        _ => p.to_path_buf(),
    }
}

/// Merges shard folders into `out`. Returns the number of runs. `out` must
/// be a new folder, an empty one, or one holding this sweep's results;
/// anything else is refused unless `overwrite`.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    command_line: Vec<String>,
    overwrite: bool,
) -> Result<u64> {
    if dirs.is_empty() {
        return Err(user("merge needs at least one shard folder".into()));
    }
    let target = place(out);
    if let Some(d) = dirs.iter().find(|d| place(d) == target) {
        return Err(user(format!(
            "--out {} is the shard folder {}; merge into a new folder",
            out.display(),
            d.display()
        )));
    }
    let (dirs, first) = ordered_shards(dirs)?;
    let first = &first;
    let scenario = Scenario::from_toml(
        &first.scenario_toml,
        crate::output::folder::MANIFEST,
        "merged",
    )
    .map_err(|e| user(format!("the shards' scenario cannot be read back: {e}")))?;
    let plan = Plan::new(&scenario, None);
    if scenario.fingerprint() != first.fingerprint {
        return Err(user(
            "the shards were written by another version of profspace".into(),
        ));
    }

    let folder = ResultFolder::new(out);
    claim(&folder, &first.fingerprint, overwrite)?;
    folder.create()?;
    let _lock = folder.lock()?;
    let design = fs::read(dirs[0].join(DESIGN.file)).at("read", &dirs[0].join(DESIGN.file))?;
    for d in &dirs[1..] {
        if fs::read(d.join(DESIGN.file)).ok().as_deref() != Some(&design[..]) {
            return Err(user(format!(
                "{} has another design.csv than {}",
                d.display(),
                dirs[0].display()
            )));
        }
    }
    let required = tables::written(&scenario.output, false);
    let mut tables: Vec<Vec<Table>> = Vec::new();
    for d in &dirs {
        let mut t = Vec::with_capacity(N_STREAMED);
        for (name, needed) in STREAMED.iter().zip(required) {
            t.push(Table::open(d.join(name.file), needed)?);
        }
        tables.push(t);
    }
    let mut layout = plan.layout();
    for (i, name) in STREAMED.iter().enumerate() {
        if required[i] {
            layout.headers[i] = header(&dirs[0].join(name.file))?;
        }
    }
    let streams = folder.open_streams(&layout, None)?;
    let (streams, failed) = interleave(&plan, &dirs, &mut tables, streams)?;
    folder.write(DESIGN.file, &design)?;
    let total = plan.total_runs();
    let mut m = Manifest {
        command: "merge".into(),
        command_line,
        status: Status::Running,
        started: first.started.clone(),
        finished: Some(manifest::now()),
        fingerprint: first.fingerprint.clone(),
        shard: None,
        runs_done: total,
        runs_failed: failed,
        runs_total: total,
        threads: 1,
        interrupted_by: None,
        files: Vec::new(),
    };
    super::finish(&folder, &plan, streams, &mut m)?;
    Ok(total)
}

/// Reads the shards' manifests and checks that they are the complete
/// shards of one sweep, each once; returns the folders in shard order and
/// the first manifest.
fn ordered_shards(dirs: &[PathBuf]) -> Result<(Vec<PathBuf>, Existing)> {
    let mut shards = Vec::new();
    for d in dirs {
        let m = match manifest::read(d) {
            manifest::Read::Found(m) => m,
            manifest::Read::Missing => {
                return Err(user(format!(
                    "{} is not a profspace result folder (no manifest.json)",
                    d.display()
                )));
            }
            manifest::Read::Unreadable(why) => {
                return Err(user(format!(
                    "{}: its manifest.json cannot be read ({why})",
                    d.display()
                )));
            }
        };
        shards.push((d.clone(), m));
    }
    let first = &shards[0].1;
    for (d, m) in &shards {
        if m.fingerprint != first.fingerprint {
            return Err(user(format!(
                "{} belongs to another scenario (fingerprint {}) than {} ({}); shards of one sweep only",
                d.display(),
                m.fingerprint,
                shards[0].0.display(),
                first.fingerprint
            )));
        }
        if m.status != Status::Complete {
            return Err(user(format!(
                "{} is not complete (status {:?}); finish it with `profspace sweep … --resume` first",
                d.display(),
                m.status
            )));
        }
        // Nothing damaged is merged: every table must match its digest.
        ResultFolder::new(d).verify(&m.files)?;
    }
    let count = first.shard.map_or(1, |(_, n)| n);
    let mut by_index: Vec<Option<PathBuf>> = vec![None; count as usize];
    for (d, m) in &shards {
        let (k, n) = m.shard.unwrap_or((0, 1));
        if n != count {
            return Err(user(format!(
                "{} is shard {k}/{n}, but the others are out of {count}",
                d.display()
            )));
        }
        if let Some(other) = &by_index[k as usize] {
            return Err(user(format!(
                "shard {k}/{n} is given twice: {} and {}",
                other.display(),
                d.display()
            )));
        }
        by_index[k as usize] = Some(d.clone());
    }
    if let Some(k) = by_index.iter().position(Option::is_none) {
        return Err(user(format!(
            "shard {k}/{count} is missing; merge needs all {count} shard folders"
        )));
    }
    let first = shards[0].1.clone();
    Ok((by_index.into_iter().flatten().collect(), *first))
}

/// The header line of a table.
fn header(path: &Path) -> Result<Vec<u8>> {
    let mut r = BufReader::new(File::open(path).at("read", path)?);
    let mut h = Vec::new();
    r.read_until(b'\n', &mut h).at("read", path)?;
    Ok(h)
}

/// Copies every run's rows, in run order, from the shard that holds it;
/// every run must be there exactly once. Returns the streams and the number
/// of failed runs.
fn interleave(
    plan: &Plan,
    dirs: &[PathBuf],
    tables: &mut [Vec<Table>],
    mut outs: Streams,
) -> Result<(Streams, u64)> {
    let count = dirs.len() as u64;
    let (runs, failures) = (slot(&RUNS), slot(&FAILURES));
    // The tables of a run's recorded rows (ticks, teams, agents).
    let rows_of_run: Vec<usize> = (0..N_STREAMED)
        .filter(|&i| STREAMED[i].rows.is_some())
        .collect();
    let mut failed = 0u64;
    for run in 0..plan.total_runs() {
        let k = (run % count) as usize;
        let t = &mut tables[k];
        let place = dirs[k].display();
        if t[runs].id() == Some(run) {
            for &i in &rows_of_run {
                while t[i].id() == Some(run) {
                    outs.files[i].append(&t[i].line)?;
                    t[i].advance()?;
                }
            }
            outs.files[runs].append(&t[runs].line)?;
            t[runs].advance()?;
        } else if t[failures].id() == Some(run) {
            outs.files[failures].append(&t[failures].line)?;
            t[failures].advance()?;
            failed += 1;
        } else {
            let found = [t[runs].id(), t[failures].id()].into_iter().flatten().min();
            return Err(user(match found {
                Some(id) if id < run => format!("run {id} appears twice in {place}"),
                _ => format!("run {run} is missing from {place} (shard {k}/{count})"),
            }));
        }
        if t[runs].id() == Some(run) || t[failures].id() == Some(run) {
            return Err(user(format!("run {run} appears twice in {place}")));
        }
    }
    for (k, t) in tables.iter().enumerate() {
        for table in t {
            if let Some(id) = table.id() {
                return Err(user(format!(
                    "{} holds run {id}, which is not a run of shard {k}/{count} or appears twice",
                    table.path.display()
                )));
            }
        }
    }
    Ok((outs, failed))
}

/// Whether `merge` may write into `folder`: new, empty, or this sweep's;
/// otherwise only with `overwrite`.
fn claim(folder: &ResultFolder, fingerprint: &str, overwrite: bool) -> Result<()> {
    if overwrite || !folder.dir().exists() {
        return Ok(());
    }
    let dir = folder.dir().display();
    match folder.manifest() {
        manifest::Read::Found(e) if e.fingerprint == fingerprint => Ok(()),
        manifest::Read::Found(e) => Err(user(format!(
            "{dir} holds the results of another scenario ({} started {}); choose another --out, \
             or add --overwrite to replace them",
            e.command, e.started
        ))),
        manifest::Read::Unreadable(why) => Err(user(format!(
            "{dir} holds a manifest.json that profspace cannot read ({why}); choose another \
             --out, or add --overwrite to replace what is there"
        ))),
        manifest::Read::Missing => {
            let foreign = folder.foreign_entries();
            if foreign.is_empty() {
                Ok(())
            } else {
                Err(user(format!(
                    "{dir} holds files that profspace did not write ({}); choose an empty or \
                     new folder with --out, or add --overwrite to write into it",
                    foreign.join(", ")
                )))
            }
        }
    }
}
