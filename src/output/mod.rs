//! Output: the CSV tables, the manifest and the file discipline that keeps
//! them whole (every file is committed by temporary file + rename; a file
//! under its final name is always complete).

pub mod files;
pub mod folder;
pub mod manifest;
pub mod parquet;
pub mod table;
pub mod tables;

pub use files::{FolderLock, PartFile, part_path, write_atomic, write_atomic_with};
pub use folder::{Layout, ResultFolder, Streams};
