//! The library's one error type. [`Error::is_user`] says whether the user
//! can act on it (a bad scenario, a bad argument, a result folder in the way
//! or damaged, a full disk) or whether it is a bug or a fault of the
//! machine; [`io_is_user`] is the one place that decides which I/O failures
//! are the user's to fix.

use std::fmt;
use std::io;
use std::path::Path;

/// What went wrong.
#[derive(Debug)]
pub enum Error {
    /// A scenario with problems (every problem, with its line).
    Scenario(ScenarioError),
    /// An argument or option that cannot be used as given.
    Usage(String),
    /// A result folder that is in the way, belongs to something else, or is
    /// damaged; the message says what to do.
    Folder(String),
    /// A chart that cannot be drawn from the data as asked.
    Plot(String),
    /// A file operation that failed: what was being done, and why.
    Io {
        /// What was being done (`cannot write output/x/runs.csv`).
        context: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// A bug: something the code assumes did not hold.
    Internal(String),
}

impl Error {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// A folder error.
    pub fn folder(message: impl Into<String>) -> Self {
        Error::Folder(message.into())
    }

    /// A chart error.
    pub fn plot(message: impl Into<String>) -> Self {
        Error::Plot(message.into())
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Whether the user can act on the error (exit code 2) rather than it
    /// being a bug or a fault of the machine (exit code 1).
    pub fn is_user(&self) -> bool {
        match self {
            Error::Scenario(_) | Error::Usage(_) | Error::Folder(_) | Error::Plot(_) => true,
            Error::Io { source, .. } => io_is_user(source),
            Error::Internal(_) => false,
        }
    }
}

/// Whether an I/O failure is the user's to fix: a missing or unreadable
/// file, a folder in the way, a full or read-only disk, a file too large for
/// the limits the user set.
pub fn io_is_user(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        PermissionDenied
            | NotFound
            | StorageFull
            | FileTooLarge
            | ReadOnlyFilesystem
            | AlreadyExists
            | NotADirectory
            | IsADirectory
            | QuotaExceeded
            | InvalidFilename
            | TimedOut
    )
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Scenario(e) => e.fmt(f),
            Error::Usage(m) | Error::Folder(m) | Error::Plot(m) | Error::Internal(m) => {
                f.write_str(m)
            }
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The message already says the cause (an I/O error's is in its
        // text; a scenario's problems are the message itself): no source,
        // so that `{:#}` does not print it twice.
        None
    }
}

impl From<ScenarioError> for Error {
    fn from(e: ScenarioError) -> Self {
        Error::Scenario(e)
    }
}

/// The library's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches what was being done to an I/O result.
pub trait IoContext<T> {
    /// `cannot {what} {path}` on failure.
    fn at(self, what: &str, path: &Path) -> Result<T>;
    /// A context computed on failure.
    fn context_with(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at(self, what: &str, path: &Path) -> Result<T> {
        self.map_err(|e| Error::io(format!("cannot {what} {}", path.display()), e))
    }

    fn context_with(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::io(context(), e))
    }
}

// ---------------------------------------------------------------- scenarios
//
// Problems found in a scenario, reported together with their lines: the
// payload of [`Error::Scenario`].

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Key path (`managers.focus`), empty for file-level problems.
    pub path: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// Where the value came from when not from the file: the command-line
    /// flag as written (`--set managers.focus=2`).
    pub origin: Option<String>,
}

impl Problem {
    /// A problem with a key at a line.
    pub fn new(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            line,
            message: message.into(),
            origin: None,
        }
    }

    /// The same problem, said of a command-line flag rather than a line.
    pub fn from_flag(mut self, flag: &str) -> Self {
        self.line = None;
        self.origin = Some(flag.to_string());
        self
    }

    /// A problem with the file as a whole.
    pub fn file(message: impl Into<String>) -> Self {
        Problem::new("", None, message)
    }

    /// A problem at a line that belongs to no key.
    pub fn at_line(line: usize, message: impl Into<String>) -> Self {
        Problem::new("", Some(line), message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(flag) = &self.origin {
            write!(f, "{flag}: ")?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// Everything wrong with one scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file (or `<embedded>`) the scenario came from.
    pub origin: String,
    /// The problems, sorted by line.
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// Wraps problems found in `origin`.
    pub fn new(origin: &str, problems: Vec<Problem>) -> Self {
        ScenarioError {
            origin: origin.to_string(),
            problems,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid scenario {}: {} problem{}",
            self.origin,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            match &p.origin {
                Some(flag) => write!(f, "\n  {flag}:")?,
                None => write!(f, "\n  {}:", self.origin)?,
            }
            if let Some(line) = p.line {
                write!(f, "{line}:")?;
            }
            if p.path.is_empty() {
                write!(f, " {}", p.message)?;
            } else {
                write!(f, " `{}`: {}", p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_classified_once() {
        let full = Error::io(
            "cannot write x",
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert!(full.is_user());
        assert_eq!(full.to_string(), "cannot write x: no storage space");
        let odd = Error::io("cannot read x", io::Error::other("boom"));
        assert!(!odd.is_user());
        assert!(Error::folder("in the way").is_user());
        assert!(!Error::internal("bug").is_user());
    }
}
