//! What a crashed or interrupted sweep left behind, and how much of it can be
//! kept.
//!
//! The runner writes each run's `ticks.csv` rows before its `runs.csv` row
//! (or its `failures.csv` row), in canonical run order, to `.part` files.
//! Runs that finish out of order wait in memory and in an append-only
//! journal (`.profspace/journal`), so a finished run is on disk the moment
//! it finishes. Every few seconds the `.part` files are flushed to disk and
//! a checkpoint records their lengths.
//!
//! On `--resume`, everything up to the checkpoint is trusted; after it, rows
//! are read and accepted run by run while they are complete and in the
//! expected order; the files are cut after the last whole run. Journal
//! records with a valid checksum come back without being recomputed.

use super::Plan;
use crate::error::{IoContext, Result};
use crate::output::folder::{ResultFolder, STREAMED};
use crate::output::part_path;
use crate::scenario::fnv1a64;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A run finished by a worker, formatted for the three tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// Index of the run in the plan.
    pub index: u64,
    /// Its `runs.csv` row (empty when it failed).
    pub runs: Vec<u8>,
    /// Its `ticks.csv` rows.
    pub ticks: Vec<u8>,
    /// Its `failures.csv` row (empty when it succeeded).
    pub failure: Vec<u8>,
}

/// How far the ordered files are known to be complete.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Runs of the plan written, in order.
    pub done: u64,
    /// Failed runs among them.
    pub failed: u64,
    /// Byte lengths of `runs.csv.part`, `ticks.csv.part`, `failures.csv.part`.
    pub lens: [u64; 3],
}

impl Checkpoint {
    fn render(&self) -> String {
        format!(
            "{} {} {} {} {}\n",
            self.done, self.failed, self.lens[0], self.lens[1], self.lens[2]
        )
    }

    fn parse(text: &str) -> Option<Self> {
        let v: Vec<u64> = text
            .split_whitespace()
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        (v.len() == 5).then(|| Checkpoint {
            done: v[0],
            failed: v[1],
            lens: [v[2], v[3], v[4]],
        })
    }
}

fn checkpoint_path(folder: &ResultFolder) -> PathBuf {
    folder.state_dir().join("checkpoint")
}

/// Records a checkpoint (after the `.part` files were flushed).
pub fn save_checkpoint(folder: &ResultFolder, c: &Checkpoint) -> Result<()> {
    crate::output::write_atomic(&checkpoint_path(folder), c.render().as_bytes())
}

/// Reads the checkpoint, if any.
pub fn load_checkpoint(folder: &ResultFolder) -> Option<Checkpoint> {
    Checkpoint::parse(&fs::read_to_string(checkpoint_path(folder)).ok()?)
}

/// Removes the checkpoint (the folder is complete).
pub fn remove_checkpoint(folder: &ResultFolder) {
    let _ = fs::remove_file(checkpoint_path(folder));
}

/// The run id in the first field of a CSV line.
fn first_field(line: &[u8]) -> Option<u64> {
    let end = line.iter().position(|&b| b == b',')?;
    std::str::from_utf8(&line[..end]).ok()?.parse().ok()
}

/// Reads whole lines of a `.part` file from an offset.
struct Lines {
    reader: Option<BufReader<File>>,
    pos: u64,
    peeked: Option<Vec<u8>>,
    fields: usize,
}

impl Lines {
    fn open(path: &Path, from: u64, fields: usize) -> Result<Self> {
        let reader = match File::open(path) {
            Ok(mut f) => {
                f.seek(SeekFrom::Start(from)).at("read", path)?;
                Some(BufReader::new(f))
            }
            Err(_) => None,
        };
        Ok(Lines {
            reader,
            pos: from,
            peeked: None,
            fields,
        })
    }

    /// The next complete, well-formed line (without consuming it).
    fn peek(&mut self) -> Option<&[u8]> {
        if self.peeked.is_none() {
            let r = self.reader.as_mut()?;
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf) {
                Ok(n) if n > 0 && buf.ends_with(b"\n") => {
                    // A row of the wrong width, or with a NUL (a block lost in
                    // a power cut), ends what can be trusted.
                    let commas = buf.iter().filter(|&&b| b == b',').count();
                    if buf.contains(&0) || (self.fields > 0 && commas + 1 < self.fields) {
                        self.reader = None;
                        return None;
                    }
                    self.peeked = Some(buf);
                }
                _ => {
                    self.reader = None;
                    return None;
                }
            }
        }
        self.peeked.as_deref()
    }

    fn next_id(&mut self) -> Option<u64> {
        self.peek().and_then(first_field)
    }

    fn take(&mut self) {
        if let Some(l) = self.peeked.take() {
            self.pos += l.len() as u64;
        }
    }
}

/// Finds how much of the `.part` files can be kept: starting from the
/// checkpoint, runs are accepted in plan order while their rows are whole.
/// `tick_rows(index)` gives the number of tick rows a run writes, when fixed.
pub fn scan(
    folder: &ResultFolder,
    plan: &Plan,
    start: Checkpoint,
    fields: [usize; 3],
    tick_rows: &dyn Fn(u64) -> Option<u64>,
) -> Result<Checkpoint> {
    let mut files: Vec<Lines> = STREAMED
        .iter()
        .zip(start.lens)
        .zip(fields)
        .map(|((n, len), f)| Lines::open(&part_path(&folder.file(n)), len, f))
        .collect::<Result<_>>()?;
    let mut c = start;
    while c.done < plan.len() {
        let id = plan.run(c.done).run;
        if files[0].next_id() == Some(id) {
            // Its tick rows come first in ticks.csv.
            let mut rows = 0u64;
            let mut ticks_end = files[1].pos;
            let mut probe = Lines {
                reader: None,
                pos: 0,
                peeked: None,
                fields: 0,
            };
            std::mem::swap(&mut probe, &mut files[1]);
            while probe.next_id() == Some(id) {
                probe.take();
                rows += 1;
                ticks_end = probe.pos;
            }
            std::mem::swap(&mut probe, &mut files[1]);
            if tick_rows(c.done).is_some_and(|expected| rows != expected) {
                break;
            }
            files[0].take();
            c.lens[0] = files[0].pos;
            c.lens[1] = ticks_end;
        } else if files[2].next_id() == Some(id) {
            files[2].take();
            c.lens[2] = files[2].pos;
            c.failed += 1;
        } else {
            break;
        }
        c.done += 1;
    }
    Ok(c)
}

/// The journal of runs finished out of order.
pub struct Journal {
    path: PathBuf,
    file: File,
    len: u64,
}

impl Journal {
    /// Opens the journal for appending (creating it).
    pub fn open(folder: &ResultFolder) -> Result<Self> {
        let path = folder.state_dir().join("journal");
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .at("open", &path)?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Journal { path, file, len })
    }

    /// Appends a finished run.
    pub fn append(&mut self, f: &Finished) -> Result<()> {
        let mut body = Vec::with_capacity(f.runs.len() + f.ticks.len() + f.failure.len());
        body.extend_from_slice(&f.runs);
        body.extend_from_slice(&f.ticks);
        body.extend_from_slice(&f.failure);
        let head = format!(
            "#run {} {} {} {} {:016x}\n",
            f.index,
            f.runs.len(),
            f.ticks.len(),
            f.failure.len(),
            fnv1a64(&body)
        );
        self.file
            .write_all(head.as_bytes())
            .and_then(|_| self.file.write_all(&body))
            .at("write", &self.path)?;
        self.len += (head.len() + body.len()) as u64;
        Ok(())
    }

    /// Empties the journal (every record in it has been written in order).
    pub fn clear(&mut self) -> Result<()> {
        if self.len > 0 {
            self.file.set_len(0).at("truncate", &self.path)?;
            self.len = 0;
        }
        Ok(())
    }

    /// Removes the journal file.
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Reads the valid records of the journal with an index at or after `from`.
pub fn read_journal(folder: &ResultFolder, from: u64) -> BTreeMap<u64, Finished> {
    let mut found = BTreeMap::new();
    let Ok(mut bytes) = fs::read(folder.state_dir().join("journal")).map(std::io::Cursor::new)
    else {
        return found;
    };
    loop {
        let mut head = Vec::new();
        if bytes.read_until(b'\n', &mut head).unwrap_or(0) == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&head);
        let parts: Vec<&str> = text.trim_end().split(' ').collect();
        if parts.len() != 6 || parts[0] != "#run" {
            break;
        }
        let nums: Option<Vec<u64>> = parts[1..5].iter().map(|p| p.parse().ok()).collect();
        let Some(nums) = nums else { break };
        let total = (nums[1] + nums[2] + nums[3]) as usize;
        let mut body = vec![0u8; total];
        if bytes.read_exact(&mut body).is_err() || format!("{:016x}", fnv1a64(&body)) != parts[5] {
            break;
        }
        if nums[0] >= from {
            let (runs, rest) = body.split_at(nums[1] as usize);
            let (ticks, failure) = rest.split_at(nums[2] as usize);
            found.insert(
                nums[0],
                Finished {
                    index: nums[0],
                    runs: runs.to_vec(),
                    ticks: ticks.to_vec(),
                    failure: failure.to_vec(),
                },
            );
        }
    }
    found
}
