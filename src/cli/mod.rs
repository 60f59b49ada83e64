//! The command line: parse arguments (clap), call the library, report one
//! error at the top and exit with a code that says what happened:
//! 0 success, 1 internal error, 2 user error (bad scenario, bad arguments,
//! an output folder in the way), 3 some runs failed, 130 interrupted.
//!
//! This is the binary's own code; the library (`profspace::…`) is what an
//! embedding program sees.

/// `println!` that stops printing, and nothing else, when stdout is closed
/// (`profspace params | head`, `profspace sweep x.toml | head -3`): the
/// work and the charts go on, and the exit code is the work's.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::stdout_closed() {
            let mut out = std::io::stdout().lock();
            if let Err(e) = writeln!(out, $($arg)*) {
                $crate::cli::stdout_failed(e);
            }
        }
    }};
}

/// `print!` with the same handling of a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::stdout_closed() {
            let mut out = std::io::stdout().lock();
            if let Err(e) = write!(out, $($arg)*) {
                $crate::cli::stdout_failed(e);
            }
        }
    }};
}

/// `eprintln!` that never stops the program: a closed stderr (`profspace
/// 2>&1 | head -4`) only ends the messages, never the work or the charts.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod analyse;
mod args;
mod calibrate;
mod commands;
mod diagnose;
mod explain;
mod progress;
mod report;
mod shared;
mod slurm;

use clap::Parser;

pub(crate) use crate::exit;
pub(crate) use crate::exit::usage;

/// Whether stdout was found closed (or failing): printing to it stopped.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether printing to stdout has stopped.
pub(crate) fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A failed write to stdout: printing stops, the work goes on. A closed
/// pipe says nothing (the reader has what it wanted); any other failure is
/// said once on stderr.
pub(crate) fn stdout_failed(e: std::io::Error) {
    STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        errln!("warning: cannot write to standard output ({e}); the rest goes unprinted");
    }
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USER } else { exit::OK };
            let _ = e.print();
            return code;
        }
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = classify(&e);
            if code == exit::INTERNAL {
                errln!(
                    "error: {e:#}\n(this looks like a bug in profspace; please report it with the command line above)"
                );
            } else {
                errln!("error: {e:#}");
            }
            code
        }
    }
}

/// The exit code an error deserves: the library's errors say whether they
/// are the user's ([`profspace::error::Error::is_user`]); bare I/O errors
/// go through the one classifier.
fn classify(e: &anyhow::Error) -> i32 {
    for cause in e.chain() {
        if let Some(err) = cause.downcast_ref::<profspace::error::Error>() {
            return if err.is_user() {
                exit::USER
            } else {
                exit::INTERNAL
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return if profspace::error::io_is_user(io) {
                exit::USER
            } else {
                exit::INTERNAL
            };
        }
    }
    exit::INTERNAL
}
