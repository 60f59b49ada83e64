//! `profspace merge`: joins the folders of a sharded sweep into the files an
//! unsharded sweep writes, byte for byte, after checking that the shards
//! belong to one scenario and that every run is there exactly once.

use super::{Plan, aggregate};
use crate::output::FolderError;
use crate::output::manifest::{self, Manifest, Status};
use crate::output::{FolderLock, PartFile, write_atomic};
use crate::scenario::Scenario;
use anyhow::{Context, Result};
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

fn user(msg: String) -> anyhow::Error {
    FolderError(msg).into()
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
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
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
            r.read_until(b'\n', &mut self.line)
                .with_context(|| format!("cannot read {}", self.path.display()))?;
        }
        Ok(())
    }

    fn id(&self) -> Option<u64> {
        let end = self.line.iter().position(|&b| b == b',')?;
        std::str::from_utf8(&self.line[..end]).ok()?.parse().ok()
    }
}

/// Merges shard folders into `out`. Returns the number of runs.
pub fn merge(dirs: &[PathBuf], out: &Path, command_line: Vec<String>) -> Result<u64> {
    if dirs.is_empty() {
        return Err(user("merge needs at least one shard folder".into()));
    }
    let mut shards = Vec::new();
    for d in dirs {
        let m = manifest::read(d).ok_or_else(|| {
            user(format!(
                "{} is not a profspace result folder (no readable manifest.json)",
                d.display()
            ))
        })?;
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
    let dirs: Vec<PathBuf> = by_index.into_iter().flatten().collect();
    let scenario = Scenario::from_toml(&first.scenario_toml, "manifest.json", "merged")
        .map_err(|e| user(format!("the shards' scenario cannot be read back: {e}")))?;
    let plan = Plan::new(&scenario, None);
    if scenario.fingerprint() != first.fingerprint {
        return Err(user(
            "the shards were written by another version of profspace".into(),
        ));
    }

    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let _lock = FolderLock::acquire(out)?;
    let design = fs::read(dirs[0].join("design.csv"))
        .with_context(|| format!("cannot read {}", dirs[0].join("design.csv").display()))?;
    for d in &dirs[1..] {
        if fs::read(d.join("design.csv")).ok().as_deref() != Some(&design[..]) {
            return Err(user(format!(
                "{} has another design.csv than {}",
                d.display(),
                dirs[0].display()
            )));
        }
    }
    let names = ["runs.csv", "ticks.csv", "failures.csv"];
    let ticks_enabled = scenario.output.ticks_every > 0;
    let mut tables: Vec<[Table; 3]> = Vec::new();
    for d in &dirs {
        tables.push([
            Table::open(d.join(names[0]), true)?,
            Table::open(d.join(names[1]), ticks_enabled)?,
            Table::open(d.join(names[2]), false)?,
        ]);
    }
    let header = |name: &str| -> Result<Vec<u8>> {
        let p = dirs[0].join(name);
        let mut r =
            BufReader::new(File::open(&p).with_context(|| format!("cannot read {}", p.display()))?);
        let mut h = Vec::new();
        r.read_until(b'\n', &mut h)?;
        Ok(h)
    };
    let mut outs = [
        PartFile::open(&out.join(names[0]), 0, &header(names[0])?)?,
        PartFile::open(
            &out.join(names[1]),
            0,
            &if ticks_enabled {
                header(names[1])?
            } else {
                Vec::new()
            },
        )?,
        PartFile::open(
            &out.join(names[2]),
            0,
            &crate::output::table::failures_header(),
        )?,
    ];
    let total = plan.total_runs();
    let mut failed = 0u64;
    for run in 0..total {
        let k = (run % count) as usize;
        let t = &mut tables[k];
        let place = dirs[k].display();
        if t[0].id() == Some(run) {
            while ticks_enabled && t[1].id() == Some(run) {
                outs[1].append(&t[1].line)?;
                t[1].advance()?;
            }
            outs[0].append(&t[0].line)?;
            t[0].advance()?;
        } else if t[2].id() == Some(run) {
            outs[2].append(&t[2].line)?;
            t[2].advance()?;
            failed += 1;
        } else {
            let found = [t[0].id(), t[2].id()].into_iter().flatten().min();
            return Err(user(match found {
                Some(id) if id < run => format!("run {id} appears twice in {place}"),
                _ => format!("run {run} is missing from {place} (shard {k}/{count})"),
            }));
        }
        if t[0].id() == Some(run) || t[2].id() == Some(run) {
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
    let [runs, ticks, fails] = outs;
    if ticks_enabled {
        ticks.commit()?;
    } else {
        drop(ticks);
        let _ = fs::remove_file(crate::output::part_path(&out.join(names[1])));
    }
    if failed > 0 {
        fails.commit()?;
    } else {
        drop(fails);
        let _ = fs::remove_file(crate::output::part_path(&out.join(names[2])));
    }
    runs.commit()?;
    write_atomic(&out.join("design.csv"), &design)?;
    aggregate::write_aggregate(out, &plan)?;
    if failed == 0 {
        super::indices::write_indices(out, &plan)?;
    }
    let m = Manifest {
        command: "merge".into(),
        command_line,
        status: Status::Complete,
        started: first.started.clone(),
        finished: Some(manifest::now()),
        fingerprint: first.fingerprint.clone(),
        shard: None,
        runs_done: total,
        runs_failed: failed,
        runs_total: total,
        threads: 1,
    };
    write_atomic(
        &out.join("manifest.json"),
        &manifest::render(&m, &scenario, &plan.design, plan.replications),
    )?;
    Ok(total)
}
