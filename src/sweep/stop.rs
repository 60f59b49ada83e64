//! Stopping a sweep from outside: a request and its reason (a signal, or
//! the writer's own error), read by the workers between runs. What is
//! running finishes and is written; `--resume` completes the rest.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// Why a sweep was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGTERM: what Slurm sends on pre-emption and `scancel`.
    Terminate,
    /// SIGHUP: the terminal went away.
    Hangup,
    /// Asked by the program itself (an error in the writer, a caller).
    Requested,
}

impl Reason {
    /// The name recorded in `manifest.json`.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Interrupt => "SIGINT",
            Reason::Terminate => "SIGTERM",
            Reason::Hangup => "SIGHUP",
            Reason::Requested => "stop requested",
        }
    }

    /// The conventional exit code: 128 + the signal number.
    pub fn exit_code(self) -> i32 {
        match self {
            Reason::Interrupt | Reason::Requested => 130,
            Reason::Terminate => 143,
            Reason::Hangup => 129,
        }
    }

    fn code(self) -> u8 {
        match self {
            Reason::Interrupt => 1,
            Reason::Terminate => 2,
            Reason::Hangup => 3,
            Reason::Requested => 4,
        }
    }

    fn from_code(c: u8) -> Option<Reason> {
        match c {
            1 => Some(Reason::Interrupt),
            2 => Some(Reason::Terminate),
            3 => Some(Reason::Hangup),
            4 => Some(Reason::Requested),
            _ => None,
        }
    }
}

/// A stop request shared between whoever asks and the runner.
#[derive(Debug, Default)]
pub struct Stop {
    requested: AtomicBool,
    reason: AtomicU8,
}

impl Stop {
    /// No stop requested.
    pub const fn new() -> Self {
        Stop {
            requested: AtomicBool::new(false),
            reason: AtomicU8::new(0),
        }
    }

    /// Asks the sweep to stop; returns whether a stop had been asked before
    /// (the first reason is kept).
    pub fn request(&self, reason: Reason) -> bool {
        let _ = self
            .reason
            .compare_exchange(0, reason.code(), Ordering::SeqCst, Ordering::SeqCst);
        self.requested.swap(true, Ordering::SeqCst)
    }

    /// Whether a stop was asked.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Why, if a stop was asked.
    pub fn reason(&self) -> Option<Reason> {
        Reason::from_code(self.reason.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_is_kept() {
        let s = Stop::new();
        assert_eq!((s.requested(), s.reason()), (false, None));
        assert!(!s.request(Reason::Terminate));
        assert!(s.request(Reason::Interrupt));
        assert_eq!(s.reason(), Some(Reason::Terminate));
        assert_eq!(Reason::Terminate.exit_code(), 143);
    }
}
