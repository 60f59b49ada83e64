//! The models the engine hosts. Each declares its tick and run metrics and
//! runs one simulation from a validated scenario and a run seed. Models do
//! no I/O and cannot fail on a validated scenario; randomness comes only
//! from the run seed (see [`crate::rng`]).

pub mod march;
pub mod psm;

use crate::observe::{self, Metric, Summary};
use crate::rng;
use crate::scenario::{ModelKind, Scenario};

/// Per-tick metrics of a model, in column order.
pub fn tick_metrics(model: ModelKind) -> &'static [Metric] {
    match model {
        ModelKind::ProfessionalSpace => &observe::PSM_TICK_METRICS,
        ModelKind::March1991 => &observe::MARCH_TICK_METRICS,
    }
}

/// Per-run metrics of a model, in column order.
pub fn run_metrics(model: ModelKind) -> &'static [Metric] {
    match model {
        ModelKind::ProfessionalSpace => &observe::PSM_RUN_METRICS,
        ModelKind::March1991 => &observe::MARCH_RUN_METRICS,
    }
}

/// Runs one simulation. Every `s.output.ticks_every`-th tick (period, for
/// March) is appended to `ticks` as a row `[tick, metrics…]`; returns the
/// per-run metrics.
pub fn simulate(s: &Scenario, run_seed: u64, ticks: &mut Vec<f64>) -> Vec<f64> {
    let every = s.output.ticks_every;
    match s.model {
        ModelKind::ProfessionalSpace => {
            let mut org = psm::Organisation::new(s, run_seed);
            let mut summary = Summary::new(
                &observe::PSM_TICK_METRICS,
                s.ticks,
                Some(observe::PSM_ESSENTIAL),
            );
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
        ModelKind::March1991 => {
            let p = march_params(s);
            let mut r = rng::stream(&rng::run_key(run_seed), rng::SETUP_STREAM, 0);
            let end = march::run(&p, &mut r, |period, m| {
                if every > 0 && period % every == 0 {
                    ticks.extend_from_slice(&[
                        f64::from(period),
                        m.knowledge(),
                        m.individual_knowledge(),
                    ]);
                }
            });
            vec![
                end.knowledge,
                end.code_correct,
                end.individual_knowledge,
                end.fast_knowledge,
                end.slow_knowledge,
                f64::from(end.periods),
                f64::from(u8::from(end.capped)),
            ]
        }
    }
}

/// The March parameters of a scenario.
pub fn march_params(s: &Scenario) -> march::MarchParams {
    let m = &s.march;
    march::MarchParams {
        dimensions: m.dimensions as usize,
        individuals: m.individuals as usize,
        socialization: m.socialization,
        code_learning: m.code_learning,
        turnover: m.turnover,
        turbulence: m.turbulence,
        fast_individuals: m.fast_individuals as usize,
        fast_socialization: m.fast_socialization,
        max_periods: m.resolved_max_periods(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn march_defaults_agree_with_the_scenario_defaults() {
        let s = Scenario {
            model: ModelKind::March1991,
            ..Scenario::default()
        };
        assert_eq!(march_params(&s), march::MarchParams::default());
    }
}
