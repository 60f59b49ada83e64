//! Problems found in a scenario, reported together with their lines.

use std::fmt;

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
