//! The journal of a calibration: every accepted particle, appended as soon
//! as it is known, so that a calibration stopped by Ctrl-C, SIGTERM or
//! kill -9 resumes without recomputing it.
//!
//! A text file in the folder's state folder. Its first line names the
//! format, the profspace version and the scenario's fingerprint; each
//! further line is one particle:
//!
//! ```text
//! <generation> <particle> <attempts> <distance> <θ…> <simulated targets…> <check>
//! ```
//!
//! Numbers are the hex bits of their `f64` (so a resumed calibration
//! reads back exactly what it computed), the generation of the prior
//! sample is `-1`, and `<check>` is the FNV-1a of the line before it. A
//! line that does not check (a torn last line, damage) is not used: its
//! particle is computed again, with the same result.

use super::smc::Particle;
use crate::error::{IoContext, Result};
use crate::scenario::fnv1a64;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The generation number of the prior sample in the journal.
pub const PRIOR_SAMPLE: i64 = -1;

/// What a journal holds: particle per (generation, slot).
pub type Records = BTreeMap<(i64, u32), Particle>;

/// An open journal.
pub struct Journal {
    path: PathBuf,
    file: File,
    last_sync: Instant,
}

fn header(fingerprint: &str) -> String {
    format!(
        "profspace-calibrate-journal 1 {} {fingerprint}\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn hex(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

fn unhex(s: &str) -> Option<f64> {
    (s.len() == 16)
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
        .map(f64::from_bits)
}

/// One journal line.
fn line(generation: i64, slot: u32, p: &Particle) -> String {
    let mut body = format!("{generation} {slot} {} {}", p.attempts, hex(p.distance));
    for &x in p.theta.iter().chain(&p.sims) {
        body.push(' ');
        body.push_str(&hex(x));
    }
    let check = fnv1a64(body.as_bytes());
    format!("{body} {check:016x}\n")
}

/// Reads one line back: `None` unless it checks and has `dims` parameters
/// and `targets` simulated values.
fn parse_line(text: &str, dims: usize, targets: usize) -> Option<((i64, u32), Particle)> {
    let (body, check) = text.rsplit_once(' ')?;
    if u64::from_str_radix(check, 16).ok()? != fnv1a64(body.as_bytes()) {
        return None;
    }
    let fields: Vec<&str> = body.split(' ').collect();
    if fields.len() != 4 + dims + targets {
        return None;
    }
    let generation: i64 = fields[0].parse().ok()?;
    let slot: u32 = fields[1].parse().ok()?;
    let attempts: u32 = fields[2].parse().ok()?;
    let distance = unhex(fields[3])?;
    let numbers: Vec<f64> = fields[4..]
        .iter()
        .map(|f| unhex(f))
        .collect::<Option<_>>()?;
    Some((
        (generation, slot),
        Particle {
            theta: numbers[..dims].to_vec(),
            sims: numbers[dims..].to_vec(),
            distance,
            attempts,
        },
    ))
}

/// Reads the journal at `path` written for `fingerprint`: its records and
/// how many lines could not be used. `None` when there is no journal or it
/// belongs to another scenario or version.
pub fn read(
    path: &Path,
    fingerprint: &str,
    dims: usize,
    targets: usize,
) -> Result<Option<(Records, usize)>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at("read", path),
    };
    let text = String::from_utf8_lossy(&bytes);
    let want = header(fingerprint);
    let Some(rest) = text.strip_prefix(want.as_str()) else {
        return Ok(None);
    };
    let mut records = Records::new();
    let mut bad = 0;
    for l in rest.split_inclusive('\n') {
        let Some(l) = l.strip_suffix('\n') else {
            bad += 1; // a torn last line
            continue;
        };
        match parse_line(l, dims, targets) {
            Some((key, p)) => {
                records.entry(key).or_insert(p);
            }
            None => bad += 1,
        }
    }
    Ok(Some((records, bad)))
}

impl Journal {
    /// Opens the journal at `path` for `fingerprint`, keeping the `records`
    /// already read (they are written again, so that a damaged line is not
    /// carried over).
    pub fn create(path: &Path, fingerprint: &str, records: &Records) -> Result<Journal> {
        let mut text = header(fingerprint);
        for (&(g, slot), p) in records {
            text.push_str(&line(g, slot, p));
        }
        crate::output::write_atomic(path, text.as_bytes())?;
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .at("open", path)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            last_sync: Instant::now(),
        })
    }

    /// Appends an accepted particle (written through to the operating
    /// system at once, so that kill -9 keeps it; flushed to the disk every
    /// two seconds).
    pub fn append(&mut self, generation: i64, slot: u32, p: &Particle) -> Result<()> {
        self.file
            .write_all(line(generation, slot, p).as_bytes())
            .at("write", &self.path)?;
        if self.last_sync.elapsed() >= Duration::from_secs(2) {
            self.sync()?;
        }
        Ok(())
    }

    /// Flushes it to the disk.
    pub fn sync(&mut self) -> Result<()> {
        self.last_sync = Instant::now();
        self.file.sync_data().at("write", &self.path)
    }

    /// Removes it (the calibration is complete).
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn particle(x: f64) -> Particle {
        Particle {
            theta: vec![x, 1.0 / 3.0],
            distance: x * 0.1,
            sims: vec![f64::NAN],
            attempts: 7,
        }
    }

    #[test]
    fn records_read_back_bit_for_bit_and_bad_lines_are_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::create(&path, "abc", &Records::new()).unwrap();
        j.append(-1, 0, &particle(0.1)).unwrap();
        j.append(2, 5, &particle(0.7)).unwrap();
        drop(j);
        let (records, bad) = read(&path, "abc", 2, 1).unwrap().unwrap();
        assert_eq!(bad, 0);
        assert_eq!(records.len(), 2);
        let p = &records[&(2, 5)];
        assert_eq!(p.theta[1].to_bits(), (1.0f64 / 3.0).to_bits());
        assert!(p.sims[0].is_nan() && p.attempts == 7);
        // Another scenario's journal is not read.
        assert!(read(&path, "abd", 2, 1).unwrap().is_none());
        // A torn last line and a damaged line are not used.
        let mut text = fs::read_to_string(&path).unwrap();
        text = text.replacen(" 7 ", " 8 ", 1);
        text.push_str("2 6 1 3ff");
        fs::write(&path, text).unwrap();
        let (records, bad) = read(&path, "abc", 2, 1).unwrap().unwrap();
        assert_eq!((records.len(), bad), (1, 2));
        assert!(records.contains_key(&(2, 5)));
    }
}
