//! The observables of March's (1991) model, declared once: the per-period
//! metrics (`ticks.csv`) and the per-run metrics (`runs.csv`).

use crate::observe::{Metric, MetricKind, Unit};

/// Where the metrics are defined.
const DOC: &str = "docs/march1991.md, Observation";

/// Per-period metrics, in column order.
pub mod tick {
    use super::*;

    crate::metric_table! {
        KNOWLEDGE = Metric::level("knowledge", "knowledge of the code: Σ code·reality / m").unit(Unit::Score).scale("−1 to 1").higher().direct().defined_in(DOC),
        INDIVIDUAL_KNOWLEDGE = Metric::level("individual_knowledge", "mean over individuals of Σ belief·reality / m").unit(Unit::Score).scale("−1 to 1").higher().direct().defined_in(DOC),
    }
}

/// Per-run metrics, in column order.
pub mod run {
    use super::*;

    crate::metric_table! {
        KNOWLEDGE = Metric::level("knowledge", "knowledge of the code at the end (equilibrium, or the last period)").unit(Unit::Score).scale("−1 to 1").higher().direct().defined_in(DOC),
        CODE_CORRECT = Metric::level("code_correct", "share of dimensions where the code equals reality").unit(Unit::Level).higher().direct().defined_in(DOC),
        INDIVIDUAL_KNOWLEDGE = Metric::level("individual_knowledge", "mean over individuals of Σ belief·reality / m").unit(Unit::Score).scale("−1 to 1").higher().direct().defined_in(DOC),
        FAST_KNOWLEDGE = Metric::level("fast_knowledge", "individual knowledge of the fast socialisers (empty without them)").unit(Unit::Score).scale("−1 to 1").direct().defined_in(DOC),
        SLOW_KNOWLEDGE = Metric::level("slow_knowledge", "individual knowledge of the other individuals (empty without them)").unit(Unit::Score).scale("−1 to 1").direct().defined_in(DOC),
        PERIODS = Metric::tick("periods", "periods run", Unit::Period).scale("1 to max_periods").defined_in(DOC),
        CAPPED = Metric::level("capped", "1 if the run stopped at max_periods rather than at equilibrium").unit(Unit::Flag).scale("0 or 1").direct().kind(MetricKind::Count).defined_in(DOC),
    }
}
