//! The integration tests, in one binary (one link instead of one per
//! file; rust-analyzer's layout): each module is one area, run through the
//! library's public API or the `profspace` binary. `cargo test` runs them
//! all; `cargo test --test it calibrate::` one area.

mod common;
mod plot_folders;

mod analysis;
mod calibrate;
mod cli;
mod determinism;
mod diagnose;
mod docs;
mod events;
mod explorer;
mod facts;
mod fuzz;
mod golden;
mod hot_loops;
mod layering;
mod observation;
mod plot;
mod precision;
mod properties;
mod readme;
mod reliability;
mod scenarios;
mod serve;
mod toy_model;
mod tutorial;
