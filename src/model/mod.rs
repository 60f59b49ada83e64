//! The models the engine hosts. Each declares its tick and run metrics and
//! runs one simulation from a validated scenario and a run seed. Models do
//! no I/O and cannot fail on a validated scenario; randomness comes only
//! from the run seed (see [`crate::rng`]).

pub mod psm;

use crate::observe::{self, Metric, Summary};
use crate::scenario::{ModelKind, Scenario};

/// Per-tick metrics of a model, in column order.
pub fn tick_metrics(model: ModelKind) -> &'static [Metric] {
    match model {
        ModelKind::ProfessionalSpace => &observe::PSM_TICK_METRICS,
        ModelKind::March1991 => &observe::PSM_TICK_METRICS,
    }
}

/// Per-run metrics of a model, in column order.
pub fn run_metrics(model: ModelKind) -> &'static [Metric] {
    match model {
        ModelKind::ProfessionalSpace => &observe::PSM_RUN_METRICS,
        ModelKind::March1991 => &observe::PSM_RUN_METRICS,
    }
}

/// Runs one simulation. Every `s.output.ticks_every`-th tick is appended to
/// `ticks` as a row `[tick, metrics…]`; returns the per-run metrics.
pub fn simulate(s: &Scenario, run_seed: u64, ticks: &mut Vec<f64>) -> Vec<f64> {
    match s.model {
        ModelKind::ProfessionalSpace | ModelKind::March1991 => {
            let mut org = psm::Organisation::new(s, run_seed);
            let mut summary = Summary::new(
                &observe::PSM_TICK_METRICS,
                s.ticks,
                Some(observe::PSM_ESSENTIAL),
            );
            let every = s.output.ticks_every;
            for t in 0..s.ticks {
                let row = org.step(t);
                summary.push(t, &row);
                if every > 0 && t % every == 0 {
                    ticks.push(f64::from(t));
                    ticks.extend_from_slice(&row);
                }
            }
            summary.finish()
        }
    }
}
