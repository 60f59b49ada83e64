//! Analyses of a finished result folder, read from its tables alone (never
//! from model internals): paired contrasts between design points
//! ([`contrast`]) and scenario discovery. Every table is
//! checked against the digests in `manifest.json` before it is read.

pub mod contrast;
pub mod discover;
pub mod prim;
mod results;

pub use results::{Finished, RunTable};
