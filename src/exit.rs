//! How the binary's commands end: the exit codes, and a usage error of
//! the command line. Shared by the command line (`cli`) and the explorer's
//! server (`serve`), so that neither imports the other.

/// Everything worked.
pub const OK: i32 = 0;
/// A bug or an unexpected failure of the machine.
pub const INTERNAL: i32 = 1;
/// The user asked for something that cannot be done as asked.
pub const USER: i32 = 2;
/// Some runs failed (recorded in failures.csv); the rest is written.
pub const RUNS_FAILED: i32 = 3;
/// Stopped by Ctrl-C; `--resume` continues.
pub const INTERRUPTED: i32 = 130;

/// A usage error of the command line (exit code 2).
pub(crate) fn usage(msg: impl Into<String>) -> anyhow::Error {
    profspace::error::Error::usage(msg).into()
}
