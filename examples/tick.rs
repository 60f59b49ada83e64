//! Steps one organisation for a number of ticks and prints the throughput:
//! the fixed workload behind `benches/callgrind.sh` (instruction counts per
//! professional-step) and a quick check of wall-clock speed.
//!
//! `cargo run --release --example tick -- [PROFESSIONALS] [TICKS] [zero_sum]`

use profspace::model::psm::{Coupling, Organisation, PsmParams};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let ticks: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut s = PsmParams::default();
    s.organization.teams = (n / s.organization.team_size).max(1);
    if args.get(3).is_some_and(|c| c == "zero_sum") {
        s.coupling = Coupling::ZeroSum;
    }
    let mut org = Organisation::new(&s, 42);
    let started = Instant::now();
    let mut essential = 0.0;
    for t in 0..ticks {
        // The whole observation is used (as the run summary does), so the
        // compiler cannot drop the parts of the tick that compute it.
        let obs = std::hint::black_box(org.step(t));
        essential += obs[profspace::model::psm::metrics::tick::ESSENTIAL];
    }
    let secs = started.elapsed().as_secs_f64();
    let steps = f64::from(s.organization.teams * s.organization.team_size) * f64::from(ticks);
    println!(
        "{} professionals × {ticks} ticks: {:.2} M professional-steps/s (mean essential {:.4})",
        s.organization.teams * s.organization.team_size,
        steps / secs.max(1e-12) / 1e6,
        essential / f64::from(ticks.max(1))
    );
}
