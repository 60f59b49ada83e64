//! Coverage-guided fuzzing of the scenario loader and validator: any bytes
//! must give a scenario or problems, never a panic; an accepted scenario's
//! design must apply at every point it has.
//!
//! Run (stable toolchain; libFuzzer needs nightly flags, which
//! RUSTC_BOOTSTRAP unlocks):
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run scenario -- -max_total_time=600
#![no_main]

use libfuzzer_sys::fuzz_target;
use profspace::scenario::{Limits, Scenario};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = Limits { memory_bytes: 1 << 30, concurrent_runs: 1 };
    if let Ok(s) = Scenario::from_toml_with(text, "fuzz.toml", "fuzz", &limits) {
        let plan = profspace::sweep::Plan::new(&s, None);
        for i in 0..plan.design.len().min(64) {
            assert!(plan.design.apply(&s, i).is_ok());
        }
        let _ = profspace::scenario::render_resolved(&s);
    }
});
