//! March (1991) behind the engine's [`Model`] interface.

use super::{MarchParams, metrics, params, run};
use crate::model::{Charts, KeyMetrics, Model, ModelParams, Recorded, Recording};
use crate::observe::Metric;
use crate::params::{Param, Problem};
use crate::rng;

/// March's (1991) model of exploration and exploitation (`model =
/// "march1991"`).
pub struct March1991;

fn of(p: &ModelParams) -> Option<&MarchParams> {
    p.get::<MarchParams>()
}

impl Model for March1991 {
    fn name(&self) -> &'static str {
        "march1991"
    }

    fn version(&self) -> &'static str {
        "march1991 1.0"
    }

    fn title(&self) -> &'static str {
        "March (1991), mutual learning of an organisational code and its members (docs/march1991.md)"
    }

    fn defaults(&self) -> ModelParams {
        ModelParams::new(MarchParams::default())
    }

    fn params(&self) -> &'static [Param] {
        params::PARAMS
    }

    fn tick_metrics(&self) -> &'static [Metric] {
        &metrics::tick::METRICS
    }

    fn run_metrics(&self) -> &'static [Metric] {
        &metrics::run::METRICS
    }

    fn ticks_key(&self) -> &'static str {
        "march.max_periods"
    }

    fn simulate(
        &self,
        p: &ModelParams,
        seed: u64,
        rec: Recording<'_>,
        out: &mut Recorded,
    ) -> Vec<f64> {
        let Some(p) = of(p) else {
            return Vec::new();
        };
        let mut r = rng::stream(&rng::run_key(seed), rng::SETUP_STREAM, 0);
        let end = run(p, &mut r, |period, m| {
            if rec.tick(period) {
                out.ticks.extend_from_slice(&[
                    f64::from(period),
                    m.knowledge(),
                    m.individual_knowledge(),
                ]);
            }
            // March's runs are short: a live view watches, it cannot stop one.
            let _ = rec.watch(period, out);
        });
        let mut row = vec![0.0; metrics::run::LEN];
        row[metrics::run::KNOWLEDGE] = end.knowledge;
        row[metrics::run::CODE_CORRECT] = end.code_correct;
        row[metrics::run::INDIVIDUAL_KNOWLEDGE] = end.individual_knowledge;
        row[metrics::run::FAST_KNOWLEDGE] = end.fast_knowledge;
        row[metrics::run::SLOW_KNOWLEDGE] = end.slow_knowledge;
        row[metrics::run::PERIODS] = f64::from(end.periods);
        row[metrics::run::CAPPED] = f64::from(u8::from(end.capped));
        row
    }

    /// A closed organisation stops at equilibrium, so the rows vary.
    fn tick_rows(&self, p: &ModelParams, every: u32) -> Option<u64> {
        let p = of(p)?;
        match every {
            0 => Some(0),
            _ if p.is_closed() => None,
            k => Some(u64::from(p.resolved_max_periods() / k)),
        }
    }

    fn estimated_tick_rows(&self, p: &ModelParams, every: u32) -> u64 {
        match (of(p), every) {
            (Some(p), k) if k > 0 => u64::from(p.resolved_max_periods().min(200).div_ceil(k)),
            _ => 0,
        }
    }

    fn memory_per_run(&self, p: &ModelParams) -> u64 {
        of(p).map_or(0, params::memory_per_run)
    }

    fn validate(&self, p: &ModelParams, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
        of(p).map_or_else(Vec::new, |p| params::validate(p, line))
    }

    fn describe(&self, p: &ModelParams, _swept: &dyn Fn(&str) -> bool) -> String {
        let Some(m) = of(p) else {
            return String::new();
        };
        format!(
            "Model: March (1991), mutual learning of an organisational code and {} individuals \
             on {} dimensions of reality; at most {} periods{}.\n",
            m.individuals,
            m.dimensions,
            m.resolved_max_periods(),
            if m.is_closed() {
                ", stopping at equilibrium"
            } else {
                ""
            }
        )
    }

    fn key_metrics(&self) -> KeyMetrics {
        const KEYS: &[&str] = &[
            "knowledge",
            "code_correct",
            "individual_knowledge",
            "periods",
        ];
        KeyMetrics {
            one: KEYS,
            table: KEYS,
        }
    }

    fn charts(&self) -> Charts {
        Charts {
            primary: "knowledge",
            panels: &["knowledge", "individual_knowledge"],
            situations: &[],
            profile: ("", &[]),
            time: "period",
            group: "",
            tradeoff: ("", ""),
        }
    }
}
