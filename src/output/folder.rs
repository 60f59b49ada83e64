//! A result folder: the one place that knows what it holds. Its tables and
//! their headers and identifying columns, the `.part` files the streamed
//! tables grow in, the state folder (lock, journal, checkpoint), and which
//! files profspace wrote (so that starting afresh removes those and nothing
//! else).
//!
//! ```text
//! design.csv      point, design parameters
//! runs.csv        run, point, replicate, seed, design parameters, run metrics   (streamed)
//! ticks.csv       run, point, replicate, tick, tick metrics                     (streamed)
//! failures.csv    run, point, replicate, seed, message                          (streamed)
//! aggregate.csv   point, design parameters, n, mean/sd/ci95 of every run metric
//! sensitivity.csv the indices of a [sensitivity] analysis
//! manifest.json   what wrote the folder, and its state
//! plots/          the charts
//! .profspace/     lock, journal, checkpoint
//! ```

use super::files::{FolderLock, PartFile, part_path, write_atomic};
use super::manifest::{self, FileDigest};
use super::table;
use crate::error::{Error, IoContext, Result};
use crate::observe::Metric;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `design.csv`.
pub const DESIGN: &str = "design.csv";
/// `runs.csv`.
pub const RUNS: &str = "runs.csv";
/// `ticks.csv`.
pub const TICKS: &str = "ticks.csv";
/// `failures.csv`.
pub const FAILURES: &str = "failures.csv";
/// `aggregate.csv`.
pub const AGGREGATE: &str = "aggregate.csv";
/// `sensitivity.csv`.
pub const SENSITIVITY: &str = "sensitivity.csv";
/// `manifest.json`.
pub const MANIFEST: &str = "manifest.json";
/// The charts' folder.
pub const PLOTS: &str = "plots";

/// The tables streamed in run order, in the order of [`Layout`]'s arrays.
pub const STREAMED: [&str; 3] = [RUNS, TICKS, FAILURES];

/// The tables a finished folder may hold, in the order the manifest lists
/// their digests.
pub const TABLES: [&str; 6] = [DESIGN, RUNS, TICKS, FAILURES, AGGREGATE, SENSITIVITY];

/// Where the results a changed scenario replaced are kept (the default
/// output folder only); older ones move to `previous.1`, `previous.2` ….
pub const PREVIOUS: &str = "previous";

/// The files profspace writes in a result folder.
const OWNED: [&str; 7] = [
    RUNS,
    TICKS,
    FAILURES,
    AGGREGATE,
    DESIGN,
    MANIFEST,
    SENSITIVITY,
];

/// The identifying columns that open every row of `runs.csv` and
/// `failures.csv`.
pub const RUN_ID: [&str; 4] = ["run", "point", "replicate", "seed"];
/// The identifying columns that open every row of `ticks.csv`.
pub const TICK_ID: [&str; 4] = ["run", "point", "replicate", "tick"];

/// The shape of the streamed tables: their headers and the number of fields
/// of a row, in the order of [`STREAMED`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Header lines.
    pub headers: [Vec<u8>; 3],
    /// Fields per row.
    pub fields: [usize; 3],
    /// Index of the first metric column of `runs.csv`.
    pub first_run_metric: usize,
}

impl Layout {
    /// The layout for a design with `columns` and a model with these metrics.
    pub fn new(columns: &[String], run_metrics: &[Metric], tick_metrics: &[Metric]) -> Layout {
        Layout {
            headers: [
                table::runs_header(columns, run_metrics),
                table::ticks_header(tick_metrics),
                table::failures_header(),
            ],
            fields: [
                RUN_ID.len() + columns.len() + run_metrics.len(),
                TICK_ID.len() + tick_metrics.len(),
                RUN_ID.len() + 1,
            ],
            first_run_metric: RUN_ID.len() + columns.len(),
        }
    }

    /// The header lengths: where the data of empty tables starts.
    pub fn header_lens(&self) -> [u64; 3] {
        [
            self.headers[0].len() as u64,
            self.headers[1].len() as u64,
            self.headers[2].len() as u64,
        ]
    }
}

/// The `.part` files of the streamed tables.
pub struct Streams {
    /// In the order of [`STREAMED`].
    pub files: [PartFile; 3],
}

impl Streams {
    /// Their lengths in bytes.
    pub fn lens(&self) -> [u64; 3] {
        [
            self.files[0].len(),
            self.files[1].len(),
            self.files[2].len(),
        ]
    }

    /// Flushes them to disk.
    pub fn sync(&self) -> Result<()> {
        for f in &self.files {
            f.sync()?;
        }
        Ok(())
    }
}

/// A result folder on disk.
#[derive(Clone, Debug)]
pub struct ResultFolder {
    dir: PathBuf,
}

impl ResultFolder {
    /// The folder at `dir` (nothing is touched).
    pub fn new(dir: &Path) -> Self {
        ResultFolder {
            dir: dir.to_path_buf(),
        }
    }

    /// Its path.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of one of its files.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The state folder (lock, journal, checkpoint).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join(".profspace")
    }

    /// Creates the folder (and its parents) if needed.
    pub fn create(&self) -> Result<()> {
        fs::create_dir_all(&self.dir)
            .context_with(|| format!("cannot create the output folder {}", self.dir.display()))
    }

    /// Exclusive use of the folder while the value lives.
    pub fn lock(&self) -> Result<FolderLock> {
        FolderLock::acquire(&self.dir)
    }

    /// What its manifest says.
    pub fn manifest(&self) -> manifest::Read {
        manifest::read(&self.dir)
    }

    /// The entries of the folder that profspace did not write (every entry
    /// but its tables, their `.part` and temporary files, `manifest.json`,
    /// `plots/`, `.profspace/` and `previous*/`), sorted.
    pub fn foreign_entries(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                let base = n.strip_suffix(".part").unwrap_or(n);
                !(OWNED.contains(&base)
                    || n == PLOTS
                    || n == ".profspace"
                    || n.starts_with(PREVIOUS)
                    || (n.starts_with('.') && n.contains(".tmp-")))
            })
            .collect();
        out.sort();
        out
    }

    /// Moves the folder's results (tables, manifest, charts) into
    /// `previous/`; an older `previous/` first moves to the next free
    /// `previous.N/`. Nothing is deleted. Returns where they went.
    pub fn keep_as_previous(&self) -> Result<PathBuf> {
        let previous = self.file(PREVIOUS);
        if previous.exists() {
            let mut n = 1;
            while self.file(&format!("{PREVIOUS}.{n}")).exists() {
                n += 1;
            }
            let older = self.file(&format!("{PREVIOUS}.{n}"));
            fs::rename(&previous, &older).at("rename", &previous)?;
        }
        fs::create_dir(&previous).at("create", &previous)?;
        for name in OWNED.iter().copied().chain([PLOTS]) {
            let from = self.file(name);
            if from.exists() {
                fs::rename(&from, previous.join(name)).at("move", &from)?;
            }
        }
        Ok(previous)
    }

    /// Size and SHA-256 of every finished table in the folder.
    pub fn digests(&self) -> Result<Vec<FileDigest>> {
        let mut out = Vec::new();
        for name in TABLES {
            let path = self.file(name);
            if path.is_file() {
                let (bytes, sha256) = sha256_of(&path)?;
                out.push(FileDigest {
                    name: name.to_string(),
                    bytes,
                    sha256,
                });
            }
        }
        Ok(out)
    }

    /// Checks the folder's tables against the digests `recorded` in its
    /// manifest; a user error saying which file differs and how.
    pub fn verify(&self, recorded: &[FileDigest]) -> Result<()> {
        for f in recorded {
            let path = self.file(&f.name);
            let damaged = |what: String| {
                Error::folder(format!(
                    "{} is damaged: {what}; it does not match manifest.json, so it cannot be trusted",
                    path.display()
                ))
            };
            if !path.is_file() {
                return Err(damaged("the file is missing".into()));
            }
            let (bytes, sha256) = sha256_of(&path)?;
            if bytes != f.bytes {
                return Err(damaged(format!(
                    "it has {bytes} bytes, {} were written",
                    f.bytes
                )));
            }
            if sha256 != f.sha256 {
                return Err(damaged("its content changed after it was written".into()));
            }
        }
        Ok(())
    }

    /// Free bytes on the folder's file system (of its nearest existing
    /// ancestor), when the system says.
    pub fn free_space(&self) -> Option<u64> {
        if let Some(forced) = std::env::var("PROFSPACE_FREE_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            // Test hook: pretend the file system has this much room.
            return Some(forced);
        }
        let mut dir = self.dir.as_path();
        while !dir.exists() {
            dir = dir.parent().filter(|p| !p.as_os_str().is_empty())?;
        }
        free_bytes(dir)
    }

    /// Whether any streamed table is being written (a `.part` file exists).
    pub fn has_parts(&self) -> bool {
        OWNED.iter().any(|n| part_path(&self.file(n)).exists())
    }

    /// Whether every `.part` file of the streamed tables starts with its
    /// header (anything else cannot be kept on resume).
    pub fn headers_intact(&self, layout: &Layout) -> bool {
        STREAMED.iter().zip(&layout.headers).all(|(name, want)| {
            fs::read(part_path(&self.file(name)))
                .map(|b| b.starts_with(want))
                .unwrap_or(false)
        })
    }

    /// Removes the files a previous run of this folder wrote (only those:
    /// the tables, their `.part` files, the journal and checkpoint, and the
    /// charts in `plots/`).
    pub fn clear(&self) -> Result<()> {
        for name in OWNED {
            for p in [self.file(name), part_path(&self.file(name))] {
                if p.exists() {
                    fs::remove_file(&p).at("remove", &p)?;
                }
            }
        }
        let state = self.state_dir();
        for name in ["journal", "checkpoint", "index"] {
            let _ = fs::remove_file(state.join(name));
        }
        if let Ok(entries) = fs::read_dir(self.file(PLOTS)) {
            for e in entries.flatten() {
                let p = e.path();
                if matches!(p.extension().and_then(|x| x.to_str()), Some("png" | "svg")) {
                    let _ = fs::remove_file(p);
                }
            }
        }
        Ok(())
    }

    /// Opens the `.part` files of the streamed tables, each cut to the
    /// length in `keep` (`None`: new files with their headers).
    pub fn open_streams(&self, layout: &Layout, keep: Option<[u64; 3]>) -> Result<Streams> {
        let open = |i: usize| {
            PartFile::open(
                &self.file(STREAMED[i]),
                keep.map_or(0, |k| k[i]),
                &layout.headers[i],
            )
        };
        Ok(Streams {
            files: [open(0)?, open(1)?, open(2)?],
        })
    }

    /// Gives the streamed tables their final names: `runs.csv` always,
    /// `ticks.csv` when per-tick rows are written, `failures.csv` when a run
    /// failed; the others' `.part` files are removed.
    pub fn commit_streams(&self, streams: Streams, ticks: bool, failures: bool) -> Result<()> {
        let [runs, tick_rows, failed] = streams.files;
        if ticks {
            tick_rows.commit()?;
        } else {
            drop(tick_rows);
            let _ = fs::remove_file(part_path(&self.file(TICKS)));
        }
        if failures {
            failed.commit()?;
        } else {
            drop(failed);
            let _ = fs::remove_file(part_path(&self.file(FAILURES)));
        }
        runs.commit()
    }

    /// Writes one whole file atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.file(name), bytes)
    }
}

/// Size and lower-case hex SHA-256 of a file.
pub fn sha256_of(path: &Path) -> Result<(u64, String)> {
    let mut file = fs::File::open(path).at("read", path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).at("read", path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((bytes, hex))
}

#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    let st = rustix::fs::statvfs(dir).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_of(&p).unwrap(),
            (
                3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string()
            )
        );
    }

    #[test]
    fn previous_results_rotate_and_nothing_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let f = ResultFolder::new(dir.path());
        for round in 0..3 {
            fs::write(f.file(RUNS), format!("round {round}")).unwrap();
            f.keep_as_previous().unwrap();
        }
        let read = |p: &str| fs::read_to_string(dir.path().join(p).join(RUNS)).unwrap();
        assert_eq!(read("previous"), "round 2");
        assert_eq!(read("previous.2"), "round 1");
        assert_eq!(read("previous.1"), "round 0");
        assert!(!f.file(RUNS).exists());
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert_eq!(f.foreign_entries(), vec!["notes.txt".to_string()]);
    }
}
