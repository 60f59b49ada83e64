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
use super::manifest::{self, Existing};
use super::table;
use crate::error::{IoContext, Result};
use crate::observe::Metric;
use std::fs;
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

    /// What its manifest says, if it has a readable one.
    pub fn manifest(&self) -> Option<Existing> {
        manifest::read(&self.dir)
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
        for name in ["journal", "checkpoint"] {
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
