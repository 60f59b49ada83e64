//! Output: the CSV tables, the manifest and the file discipline that keeps
//! them whole (every file is committed by temporary file + rename; a file
//! under its final name is always complete).

pub mod files;
pub mod manifest;
pub mod table;

pub use files::{FolderError, FolderLock, PartFile, part_path, write_atomic};
