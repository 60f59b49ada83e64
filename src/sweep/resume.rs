//! What a crashed or interrupted sweep left behind, how much of it can be
//! kept, and why it can be trusted.
//!
//! The runner appends each run's rows to the `.part` files of the streamed
//! tables (`runs.csv`, `ticks.csv`, `failures.csv`, `teams.csv`,
//! `agents.csv`), in canonical run order; right after, it appends one line
//! to the index `.profspace/index`: the run's bytes in each table and their
//! checksums, in the order of the tables, then the line's own checksum:
//!
//! ```text
//! <run index> <bytes runs> … <bytes agents> <fnv runs> … <fnv agents> <fnv of the line>
//! ```
//!
//! Every few seconds the `.part` files are flushed to disk, then the index,
//! so the index never covers bytes that are not on disk. Runs that finish out
//! of order wait in memory and in an append-only journal
//! (`.profspace/journal`), each record with its own checksum, so a finished
//! run is on disk the moment it finishes.
//!
//! On `--resume` every indexed run's bytes are read back and checked against
//! the index. A torn end (the last index line half-written, rows after the
//! last indexed run, a file cut short) is repaired: those runs are computed
//! again, deterministically, so the result is the same bytes. Bytes that
//! differ from their checksum are damage: the resume is refused, with the
//! file, the line and what to do. Journal records whose checksum fails are
//! dropped and computed again.

use super::Plan;
use crate::error::{Error, IoContext, Result};
use crate::output::folder::{Layout, N_STREAMED, ResultFolder, STREAMED};
use crate::output::part_path;
use crate::output::tables::{self};
use crate::scenario::fnv1a64;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;

/// A run finished by a worker, formatted for the streamed tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// Index of the run in the plan.
    pub index: u64,
    /// Its rows in each table, in the order of [`STREAMED`] (a failed run
    /// has only its `failures.csv` row; a run that succeeded has none
    /// there).
    pub parts: [Vec<u8>; N_STREAMED],
}

impl Finished {
    /// Whether the run failed.
    pub fn failed(&self) -> bool {
        !self.parts[tables::slot(&tables::FAILURES)].is_empty()
    }
}

/// How far the ordered files are known to be complete.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Runs of the plan written, in order.
    pub done: u64,
    /// Failed runs among them.
    pub failed: u64,
    /// Byte lengths of the `.part` files, in the order of [`STREAMED`].
    pub lens: [u64; N_STREAMED],
}

/// One line of the index: a run's bytes in each table and their checksums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    index: u64,
    lens: [u64; N_STREAMED],
    sums: [u64; N_STREAMED],
}

impl Entry {
    fn of(f: &Finished) -> Entry {
        Entry {
            index: f.index,
            lens: f.parts.each_ref().map(|b| b.len() as u64),
            sums: f.parts.each_ref().map(|b| fnv1a64(b)),
        }
    }

    fn render(&self) -> String {
        let mut body = self.index.to_string();
        for len in self.lens {
            body.push_str(&format!(" {len}"));
        }
        for sum in self.sums {
            body.push_str(&format!(" {sum:016x}"));
        }
        format!("{body} {:016x}\n", fnv1a64(body.as_bytes()))
    }

    /// A whole line whose own checksum holds.
    fn parse(line: &str) -> Option<Entry> {
        let (body, check) = line.strip_suffix('\n')?.rsplit_once(' ')?;
        if format!("{:016x}", fnv1a64(body.as_bytes())) != check {
            return None;
        }
        let f: Vec<&str> = body.split(' ').collect();
        if f.len() != 1 + 2 * N_STREAMED {
            return None;
        }
        let mut entry = Entry {
            index: f[0].parse().ok()?,
            lens: [0; N_STREAMED],
            sums: [0; N_STREAMED],
        };
        for t in 0..N_STREAMED {
            entry.lens[t] = f[1 + t].parse().ok()?;
            entry.sums[t] = u64::from_str_radix(f[1 + N_STREAMED + t], 16).ok()?;
        }
        Some(entry)
    }
}

fn index_path(folder: &ResultFolder) -> PathBuf {
    folder.state_dir().join("index")
}

/// The index, appended to as runs are written.
pub struct Index {
    path: PathBuf,
    file: File,
}

impl Index {
    /// Opens the index for appending after cutting it to `keep` bytes.
    pub fn open(folder: &ResultFolder, keep: u64) -> Result<Index> {
        let path = index_path(folder);
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .at("open", &path)?;
        file.set_len(keep).at("truncate", &path)?;
        Ok(Index { path, file })
    }

    /// Records a run written to the `.part` files.
    pub fn append(&mut self, f: &Finished) -> Result<()> {
        self.file
            .write_all(Entry::of(f).render().as_bytes())
            .at("write", &self.path)
    }

    /// Flushes the index to disk (after the `.part` files).
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().at("flush", &self.path)
    }

    /// Removes the index (the folder is complete).
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// What `--resume` can keep.
pub struct Recovered {
    /// Whether the `.part` files are kept (up to `checkpoint.lens`), or
    /// written again from their headers.
    pub keep: bool,
    /// The verified runs.
    pub checkpoint: Checkpoint,
    /// Bytes of the index that cover them.
    pub index_len: u64,
    /// Runs finished out of order whose journal records are sound.
    pub pending: BTreeMap<u64, Finished>,
    /// What was repaired, for the user.
    pub notes: Vec<String>,
}

/// Reads the index and checks every indexed run's bytes in the `.part`
/// files; see the module documentation.
pub fn recover(folder: &ResultFolder, plan: &Plan, layout: &Layout) -> Result<Recovered> {
    let headers = layout.header_lens();
    let mut notes = Vec::new();
    let parts: Vec<PathBuf> = STREAMED
        .iter()
        .map(|t| part_path(&folder.file(t.file)))
        .collect();
    let torn_header = |(p, want): (&PathBuf, &Vec<u8>)| {
        fs::read(p).is_ok_and(|got| got.len() < want.len() && want.starts_with(&got))
    };
    if parts.iter().any(|p| !p.is_file()) || parts.iter().zip(&layout.headers).any(torn_header) {
        notes.push(
            "the interrupted run had not written a whole table yet; starting from the first run"
                .into(),
        );
        return Ok(Recovered {
            keep: false,
            checkpoint: Checkpoint {
                lens: headers,
                ..Checkpoint::default()
            },
            index_len: 0,
            pending: read_journal(folder, 0, &mut notes),
            notes,
        });
    }
    check_headers(&parts, layout)?;
    let entries = read_index(folder)?;
    let mut files = parts
        .iter()
        .map(|p| Ok(BufReader::new(File::open(p).at("read", p)?)))
        .collect::<Result<Vec<_>>>()?;
    for ((f, skip), path) in files.iter_mut().zip(headers).zip(&parts) {
        let mut header = vec![0u8; skip as usize];
        f.read_exact(&mut header).at("read", path)?;
    }
    let sizes: Vec<u64> = parts
        .iter()
        .map(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .collect();
    let mut c = Checkpoint {
        lens: headers,
        ..Checkpoint::default()
    };
    let mut lines = [2u64; N_STREAMED];
    let mut kept_index = 0u64;
    for (entry, line_end) in &entries {
        if entry.index != c.done || c.done >= plan.bound() {
            return Err(damaged_index(folder, c.done));
        }
        let mut torn = false;
        for t in 0..N_STREAMED {
            // A length beyond the end of the file is a torn end, found
            // before anything is allocated.
            if entry.lens[t] > sizes[t].saturating_sub(c.lens[t]) {
                torn = true;
                break;
            }
            let mut bytes = vec![0u8; entry.lens[t] as usize];
            if files[t].read_exact(&mut bytes).is_err() {
                torn = true;
                break;
            }
            if fnv1a64(&bytes) != entry.sums[t] {
                return Err(Error::folder(format!(
                    "{} is damaged at line {} (the plan's run number {}): its bytes do not match the \
                     checksum recorded when they were written. The {} runs before it are sound; to \
                     compute everything again, run the same command with --fresh instead of --resume",
                    parts[t].display(),
                    lines[t],
                    c.done,
                    c.done
                )));
            }
            lines[t] += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        if torn {
            notes.push(format!(
                "the tables end inside run {}: it and the runs after it are computed again",
                c.done
            ));
            break;
        }
        for t in 0..N_STREAMED {
            c.lens[t] += entry.lens[t];
        }
        c.failed += u64::from(entry.lens[tables::slot(&tables::FAILURES)] > 0);
        c.done += 1;
        kept_index = *line_end;
    }
    Ok(Recovered {
        keep: true,
        checkpoint: c,
        index_len: kept_index,
        pending: read_journal(folder, c.done, &mut notes),
        notes,
    })
}

/// Every `.part` file must start with its header.
fn check_headers(parts: &[PathBuf], layout: &Layout) -> Result<()> {
    for (path, want) in parts.iter().zip(&layout.headers) {
        let mut got = vec![0u8; want.len()];
        let read = File::open(path)
            .and_then(|mut f| f.read_exact(&mut got))
            .is_ok();
        if !read || &got != want {
            return Err(Error::folder(format!(
                "{} is damaged at line 1 (its header is not the header of this scenario's table); \
                 to compute everything again, run the same command with --fresh instead of --resume",
                path.display()
            )));
        }
    }
    Ok(())
}

/// The index entries with the byte offset where each line ends. A torn last
/// line is dropped; a bad line followed by good ones is damage.
fn read_index(folder: &ResultFolder) -> Result<Vec<(Entry, u64)>> {
    let path = index_path(folder);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).at("read", &path),
    };
    let mut entries = Vec::new();
    let mut pos = 0u64;
    let mut bad_at = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let parsed = std::str::from_utf8(line).ok().and_then(Entry::parse);
        match (parsed, bad_at) {
            (Some(e), None) => {
                pos += line.len() as u64;
                entries.push((e, pos));
            }
            (Some(_), Some(_)) => return Err(damaged_index(folder, entries.len() as u64)),
            (None, _) => bad_at = Some(entries.len()),
        }
    }
    Ok(entries)
}

fn damaged_index(folder: &ResultFolder, at: u64) -> Error {
    Error::folder(format!(
        "{} is damaged at line {}: the record of what was written cannot be trusted; \
         to compute everything again, run the same command with --fresh instead of --resume",
        index_path(folder).display(),
        at + 1
    ))
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
        let body = f.parts.concat();
        let mut head = format!("#run {}", f.index);
        for part in &f.parts {
            head.push_str(&format!(" {}", part.len()));
        }
        head.push_str(&format!(" {:016x}\n", fnv1a64(&body)));
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

/// Reads the sound records of the journal with an index at or after
/// `from`. Lengths are checked against what is left of the file before
/// anything is allocated; the first unsound record ends the reading (the
/// runs it held are computed again).
pub fn read_journal(
    folder: &ResultFolder,
    from: u64,
    notes: &mut Vec<String>,
) -> BTreeMap<u64, Finished> {
    let mut found = BTreeMap::new();
    let Ok(bytes) = fs::read(folder.state_dir().join("journal")) else {
        return found;
    };
    let mut r = std::io::Cursor::new(&bytes[..]);
    loop {
        let mut head = Vec::new();
        if r.read_until(b'\n', &mut head).unwrap_or(0) == 0 {
            break;
        }
        let left = bytes.len() as u64 - r.position();
        let record = std::str::from_utf8(&head).ok().and_then(|text| {
            let parts: Vec<&str> = text.trim_end().split(' ').collect();
            if parts.len() != 3 + N_STREAMED || parts[0] != "#run" {
                return None;
            }
            let nums: Vec<u64> = parts[1..2 + N_STREAMED]
                .iter()
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let total = nums[1..]
                .iter()
                .try_fold(0u64, |sum, &n| sum.checked_add(n))?;
            (total <= left).then_some((nums, total as usize, parts[2 + N_STREAMED].to_string()))
        });
        let Some((nums, total, sum)) = record else {
            notes.push(
                "the journal ends in an unreadable record; its runs are computed again".into(),
            );
            break;
        };
        let mut body = vec![0u8; total];
        if r.read_exact(&mut body).is_err() || format!("{:016x}", fnv1a64(&body)) != sum {
            notes.push(
                "a journal record does not match its checksum; its runs are computed again".into(),
            );
            break;
        }
        if nums[0] >= from {
            let mut parts: [Vec<u8>; N_STREAMED] = Default::default();
            let mut rest = &body[..];
            for (part, &len) in parts.iter_mut().zip(&nums[1..]) {
                let (mine, after) = rest.split_at(len as usize);
                *part = mine.to_vec();
                rest = after;
            }
            found.insert(
                nums[0],
                Finished {
                    index: nums[0],
                    parts,
                },
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lines_check_themselves() {
        let f = Finished {
            index: 7,
            parts: [
                b"7,1,2,3\n".to_vec(),
                b"7,1,2,0,0.5\n".to_vec(),
                Vec::new(),
                b"7,1,2,0,0,0.5\n".to_vec(),
                Vec::new(),
            ],
        };
        let line = Entry::of(&f).render();
        assert_eq!(Entry::parse(&line), Some(Entry::of(&f)));
        let mut bad = line.clone().into_bytes();
        bad[0] = b'8';
        assert_eq!(Entry::parse(std::str::from_utf8(&bad).unwrap()), None);
        assert_eq!(Entry::parse(&line[..line.len() - 1]), None);
    }
}
