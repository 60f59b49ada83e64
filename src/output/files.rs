//! Files that survive crashes: atomic whole-file writes (temporary file,
//! fsync, rename, fsync of the folder), append-only `.part` files renamed to
//! their final name only when complete, and the lock that keeps two
//! processes out of one output folder.
//!
//! The rule these give: a file under its final name is always complete.

use crate::error::{Error, IoContext, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Flushes a folder's entries to disk (so a rename survives power loss).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// fsync, rename over `path`, fsync of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// As [`write_atomic`], with the contents written by `fill` to the
/// temporary file (for files too large to hold in memory at once).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).at("write", path);
    }
    Ok(())
}

/// The name a file has while it is being written.
pub fn part_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// An append-only file written under `<name>.part` and renamed to `<name>`
/// by [`PartFile::commit`].
#[derive(Debug)]
pub struct PartFile {
    path: PathBuf,
    file: File,
    len: u64,
}

impl PartFile {
    /// Opens `<path>.part` for appending after truncating it to `keep` bytes
    /// (0 starts a new file). Writes `header` when the file is empty.
    pub fn open(path: &Path, keep: u64, header: &[u8]) -> Result<Self> {
        let part = part_path(path);
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(&part)
            .at("open", &part)?;
        file.set_len(keep).at("truncate", &part)?;
        let mut pf = PartFile {
            path: path.to_path_buf(),
            file,
            len: keep,
        };
        use std::io::Seek;
        pf.file
            .seek(io::SeekFrom::Start(keep))
            .at("seek in", &part)?;
        if keep == 0 {
            pf.append(header)?;
        }
        Ok(pf)
    }

    /// Appends bytes.
    pub fn append(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(bytes)
            .at("write", &part_path(&self.path))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flushes the data to disk.
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().at("flush", &part_path(&self.path))
    }

    /// Flushes and renames the file to its final name.
    pub fn commit(self) -> Result<()> {
        self.sync()?;
        let part = part_path(&self.path);
        fs::rename(&part, &self.path)
            .context_with(|| format!("cannot rename {} to its final name", part.display()))?;
        if let Some(dir) = self.path.parent() {
            let _ = sync_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            });
        }
        Ok(())
    }
}

/// Exclusive use of an output folder for the life of the value.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Takes the lock of `dir` (`dir/.profspace/lock`), or explains who has it.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let state = dir.join(".profspace");
        fs::create_dir_all(&state).at("create", &state)?;
        let path = state.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .at("open the lock file", &path)?;
        match file.try_lock() {
            Ok(()) => {
                let _ = file.set_len(0);
                let _ = (&file).write_all(format!("{}\n", std::process::id()).as_bytes());
                Ok(FolderLock { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                Err(Error::folder(format!(
                    "another profspace process{} is writing to {}; wait for it to finish or choose another --out",
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" (pid {holder})")
                    },
                    dir.display()
                )))
            }
            Err(fs::TryLockError::Error(e)) => Err(e).at("lock", &path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_appear_under_their_name_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        let mut f = PartFile::open(&path, 0, b"a,b\n").unwrap();
        f.append(b"1,2\n").unwrap();
        assert!(!path.exists());
        assert_eq!(f.len(), 8);
        f.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\n1,2\n");
    }

    #[test]
    fn reopening_truncates_to_what_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut f = PartFile::open(&path, 0, b"h\n").unwrap();
        f.append(b"1\n2\n3").unwrap();
        drop(f);
        let mut f = PartFile::open(&path, 6, b"h\n").unwrap();
        f.append(b"9\n").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"h\n1\n2\n9\n");
    }

    #[test]
    fn a_second_lock_is_refused_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let first = FolderLock::acquire(dir.path()).unwrap();
        let err = FolderLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another profspace process"), "{err}");
        drop(first);
        FolderLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn atomic_write_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
