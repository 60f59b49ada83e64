//! A result folder: the one place that knows what it holds. Its tables and
//! their headers and identifying columns, the `.part` files the streamed
//! tables grow in, the state folder (lock, journal, checkpoint), and which
//! files profspace wrote (so that starting afresh removes those and nothing
//! else).
//!
//! ```text
//! design.csv      point, design parameters, resolved parameters
//! runs.csv        run, point, replicate, seed, parameters, run metrics          (streamed)
//! ticks.csv       run, point, replicate, tick, tick metrics                     (streamed)
//! failures.csv    run, point, replicate, seed, message                          (streamed)
//! teams.csv       run, point, replicate, tick, team, team metrics               (streamed)
//! agents.csv      run, point, replicate, tick, team, agent, agent columns       (streamed)
//! aggregate.csv   point, parameters, n, mean/sd/ci95 of every run metric
//! sensitivity.csv the indices of a [sensitivity] analysis
//! contrasts.csv   paired contrasts (`profspace compare`)
//! discover*.csv   scenario discovery (`profspace discover`)
//! manifest.json   what wrote the folder, and its state
//! particles.csv, generations.csv, posterior.csv, predictive.csv   a calibration
//! diagnosis.csv, advice.csv                                       a diagnosis, its advice
//! team-*/         a diagnosis's calibrations, one per team (listed in its manifest)
//! plots/          the charts
//! .profspace/     lock, journal, index
//! ```

use super::files::{FolderLock, PartFile, part_path, write_atomic};
use super::manifest::{self, FileDigest};
use super::table;
use crate::error::{Error, IoContext, Result};
use crate::model::Model;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::tables::{self, Kind};
pub use super::tables::{N_STREAMED, STREAMED};

/// `manifest.json`.
pub const MANIFEST: &str = "manifest.json";
/// The charts' folder.
pub const PLOTS: &str = "plots";
/// The journal of a calibration's accepted particles, in the state folder.
pub const CALIBRATION_JOURNAL: &str = "calibrate.journal";

/// Where the results a changed scenario replaced are kept (the default
/// output folder only); older ones move to `previous.1`, `previous.2` ….
pub const PREVIOUS: &str = "previous";

/// Whether profspace writes the file `name` in a result folder: a table
/// (analyses included), a table's Parquet copy, or the manifest.
fn owned(name: &str) -> bool {
    name == MANIFEST || owned_tables().any(|t| t == name)
}

/// The tables profspace writes (analyses included) and their Parquet
/// copies.
fn owned_tables() -> impl Iterator<Item = String> {
    tables::ALL.iter().flat_map(|t| {
        let copy = t.parquet.then(|| tables::parquet_name(t.file));
        std::iter::once(t.file.to_string()).chain(copy)
    })
}

/// Whether `name` is a table later commands add to a finished folder
/// (`compare`, `discover`, `advise`): kept when the same scenario runs
/// again into it.
fn is_analysis(name: &str) -> bool {
    tables::of(Kind::Analysis).any(|t| t.file == name)
}

/// The identifying columns that open every row of `runs.csv` and
/// `failures.csv`.
pub const RUN_ID: &[&str] = tables::RUNS.id;

/// The shape of the streamed tables: their headers and the number of fields
/// of a row, in the order of [`STREAMED`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Header lines.
    pub headers: [Vec<u8>; N_STREAMED],
    /// Fields per row.
    pub fields: [usize; N_STREAMED],
    /// Index of the first metric column of `runs.csv`.
    pub first_run_metric: usize,
}

impl Layout {
    /// The layout for tables with the parameter columns `columns` (swept,
    /// then resolved) of a run of `model`.
    pub fn new(columns: &[String], model: &dyn Model) -> Layout {
        let header = |t: &tables::Table| t.header(model, columns);
        Layout {
            headers: STREAMED.map(|t| table::header_line(&header(&t))),
            fields: STREAMED.map(|t| header(&t).len()),
            first_run_metric: RUN_ID.len() + columns.len(),
        }
    }

    /// The header lengths: where the data of empty tables starts.
    pub fn header_lens(&self) -> [u64; N_STREAMED] {
        self.headers.each_ref().map(|h| h.len() as u64)
    }
}

/// The `.part` files of the streamed tables.
pub struct Streams {
    /// In the order of [`STREAMED`].
    pub files: [PartFile; N_STREAMED],
}

impl Streams {
    /// Their lengths in bytes.
    pub fn lens(&self) -> [u64; N_STREAMED] {
        self.files.each_ref().map(PartFile::len)
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
            .filter(|n| !self.subfolders().contains(n))
            .filter(|n| {
                let base = n.strip_suffix(".part").unwrap_or(n);
                !(owned(base)
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
        let previous = self.new_previous()?;
        let subfolders = self.subfolders();
        for name in owned_tables()
            .chain([MANIFEST.to_string(), PLOTS.to_string()])
            .chain(subfolders)
        {
            let from = self.file(&name);
            if from.exists() {
                fs::rename(&from, previous.join(name)).at("move", &from)?;
            }
        }
        Ok(previous)
    }

    /// A new, empty `previous/` (an older one moved to the next free
    /// `previous.N/`).
    fn new_previous(&self) -> Result<PathBuf> {
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
        Ok(previous)
    }

    /// Whether the folder holds analyses made from its results by later
    /// commands (`compare`, `discover`, `advise`).
    pub fn has_analyses(&self) -> bool {
        tables::of(Kind::Analysis).any(|t| self.file(t.file).exists())
    }

    /// Moves the analyses made from the folder's results by later commands,
    /// and their charts, into a new `previous/` (when the results they were
    /// made from have changed). Returns where they went, if anything moved.
    pub fn analyses_to_previous(&self) -> Result<Option<PathBuf>> {
        if !self.has_analyses() {
            return Ok(None);
        }
        let previous = self.new_previous()?;
        for name in tables::of(Kind::Analysis).map(|t| t.file) {
            let from = self.file(name);
            if from.exists() {
                fs::rename(&from, previous.join(name)).at("move", &from)?;
            }
        }
        if let Ok(entries) = fs::read_dir(self.file(PLOTS)) {
            let charts = previous.join(PLOTS);
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let drawn = |t: &tables::Table| t.charts.iter().any(|p| name.starts_with(p));
                if tables::of(Kind::Analysis).any(drawn) {
                    fs::create_dir_all(&charts).at("create", &charts)?;
                    fs::rename(e.path(), charts.join(&name)).at("move", &e.path())?;
                }
            }
        }
        Ok(Some(previous))
    }

    /// Removes what a run of the same scenario writes again (its tables,
    /// their `.part` files, the journal, index and checkpoint), and keeps
    /// the charts and the analyses later commands made from the results:
    /// the same scenario gives the same results, which the caller checks
    /// (see [`Self::analyses_to_previous`]).
    pub fn clear_results(&self) -> Result<()> {
        for name in owned_tables()
            .chain([MANIFEST.to_string()])
            .filter(|n| !is_analysis(n))
        {
            for p in [self.file(&name), part_path(&self.file(&name))] {
                if p.exists() {
                    fs::remove_file(&p).at("remove", &p)?;
                }
            }
        }
        let state = self.state_dir();
        for name in ["journal", "checkpoint", "index", CALIBRATION_JOURNAL] {
            let _ = fs::remove_file(state.join(name));
        }
        Ok(())
    }

    /// The sub-folders its manifest says are part of its results (a
    /// diagnosis's teams), those that exist.
    pub fn subfolders(&self) -> Vec<String> {
        match self.manifest() {
            manifest::Read::Found(e) => e
                .subfolders
                .into_iter()
                .filter(|s| self.file(s).is_dir())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Size and SHA-256 of every finished table in the folder.
    pub fn digests(&self) -> Result<Vec<FileDigest>> {
        let finished = [Kind::Design, Kind::Streamed, Kind::Summary];
        let runs = || tables::ALL.iter().filter(|t| finished.contains(&t.kind));
        let copies = runs()
            .filter(|t| t.parquet)
            .map(|t| tables::parquet_name(t.file));
        let names: Vec<String> = runs().map(|t| t.file.to_string()).chain(copies).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.digests_of(&names)
    }

    /// Size and SHA-256 of each of the files `names` that exists.
    pub fn digests_of(&self, names: &[&str]) -> Result<Vec<FileDigest>> {
        let mut out = Vec::new();
        for &name in names {
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
        owned_tables().any(|n| part_path(&self.file(&n)).exists())
    }

    /// Whether every `.part` file of the streamed tables starts with its
    /// header (anything else cannot be kept on resume).
    pub fn headers_intact(&self, layout: &Layout) -> bool {
        STREAMED.iter().zip(&layout.headers).all(|(t, want)| {
            fs::read(part_path(&self.file(t.file)))
                .map(|b| b.starts_with(want))
                .unwrap_or(false)
        })
    }

    /// Removes the files a previous run of this folder wrote (only those:
    /// the tables, their `.part` files, the journal and checkpoint, the
    /// charts in `plots/`, and the sub-folders its manifest lists).
    pub fn clear(&self) -> Result<()> {
        for name in self.subfolders() {
            let p = self.file(&name);
            if p.is_dir() {
                fs::remove_dir_all(&p).at("remove", &p)?;
            }
        }
        for name in owned_tables().chain([MANIFEST.to_string()]) {
            for p in [self.file(&name), part_path(&self.file(&name))] {
                if p.exists() {
                    fs::remove_file(&p).at("remove", &p)?;
                }
            }
        }
        let state = self.state_dir();
        for name in ["journal", "checkpoint", "index", CALIBRATION_JOURNAL] {
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
    pub fn open_streams(
        &self,
        layout: &Layout,
        keep: Option<[u64; N_STREAMED]>,
    ) -> Result<Streams> {
        let mut files = Vec::with_capacity(N_STREAMED);
        for (i, t) in STREAMED.iter().enumerate() {
            files.push(PartFile::open(
                &self.file(t.file),
                keep.map_or(0, |k| k[i]),
                &layout.headers[i],
            )?);
        }
        let files = files
            .try_into()
            .map_err(|_| Error::internal("the streamed tables could not be opened"))?;
        Ok(Streams { files })
    }

    /// Gives the streamed tables their final names: those in `written`
    /// (runs.csv always, the others when they were asked for or, for
    /// failures.csv, when a run failed); the others' `.part` files are
    /// removed.
    pub fn commit_streams(&self, streams: Streams, written: [bool; N_STREAMED]) -> Result<()> {
        for ((file, keep), t) in streams.files.into_iter().zip(written).zip(STREAMED) {
            if keep {
                file.commit()?;
            } else {
                drop(file);
                let _ = fs::remove_file(part_path(&self.file(t.file)));
            }
        }
        Ok(())
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
    const RUNS: &str = tables::RUNS.file;

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
