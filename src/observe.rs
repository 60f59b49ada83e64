//! Observables, declared once by name (as Mesa's DataCollector does): the
//! per-tick metrics each model reports and the per-run summary computed from
//! them (MODEL.md §4).
//!
//! The model hands one row of tick metrics to a [`Summary`] per tick; the
//! summary keeps the running sums of the final window and the essential
//! series, and produces the per-run row. Output code reads these rows and
//! names, never the model's state.

/// How a metric aggregates over the final window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A mean or share: averaged over the final window.
    Mean,
    /// A cumulative count: its final value.
    Count,
    /// A tick number (written as a whole number).
    Tick,
}

/// One observable.
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    /// Column name.
    pub name: &'static str,
    /// Aggregation.
    pub kind: MetricKind,
    /// What it measures.
    pub meaning: &'static str,
}

const fn mean(name: &'static str, meaning: &'static str) -> Metric {
    Metric {
        name,
        kind: MetricKind::Mean,
        meaning,
    }
}

const fn count(name: &'static str, meaning: &'static str) -> Metric {
    Metric {
        name,
        kind: MetricKind::Count,
        meaning,
    }
}

/// Per-tick metrics of the professional-space model, in column order.
pub const PSM_TICK_METRICS: [Metric; 20] = [
    mean("autonomy", "mean autonomy a"),
    mean("safety", "mean safety s (the box)"),
    mean("purpose", "mean purpose p"),
    mean("identity", "mean identity id"),
    mean("meaning", "mean meaning mn"),
    mean("drive", "mean drive d"),
    mean("skill", "mean skill q"),
    mean("cynicism", "mean cynicism cy"),
    mean("trust", "mean trust in the own manager"),
    mean("licence", "mean licence of the managers"),
    mean("conflict", "mean conflict k of the frame negotiation"),
    mean(
        "existential",
        "mean existential performance: does it work (craft)",
    ),
    mean(
        "functional",
        "mean functional performance: does it fit (return)",
    ),
    mean("essential", "mean essential performance: both integrated"),
    mean(
        "fit",
        "mean fit of the manager's effects with the professional's standard",
    ),
    mean(
        "alienated",
        "share with autonomy < 0.3 and meaning < 0.3 (walls without space)",
    ),
    mean(
        "disoriented",
        "share with safety < 0.3 and purpose < 0.3 (space without walls)",
    ),
    mean(
        "integrated",
        "share with autonomy, safety, purpose, identity and meaning all > 0.6",
    ),
    count(
        "exits",
        "cumulative exits (professionals who left and were replaced)",
    ),
    count(
        "revocations",
        "cumulative revocations of a manager's licence",
    ),
];

/// Index of `essential` in [`PSM_TICK_METRICS`].
pub const PSM_ESSENTIAL: usize = 13;

/// Per-run metrics of the professional-space model: the tick metrics over
/// the final window, then `settle_tick`.
pub const PSM_RUN_METRICS: [Metric; 21] = {
    let mut out = [mean("", ""); 21];
    let mut i = 0;
    while i < 20 {
        out[i] = PSM_TICK_METRICS[i];
        i += 1;
    }
    out[20] = Metric {
        name: "settle_tick",
        kind: MetricKind::Tick,
        meaning: "first tick at which essential reaches 90% of its final-window mean",
    };
    out
};

/// Per-period metrics of March (1991).
pub const MARCH_TICK_METRICS: [Metric; 2] = [
    mean("knowledge", "knowledge of the code: Σ code·reality / m"),
    mean(
        "individual_knowledge",
        "mean over individuals of Σ belief·reality / m",
    ),
];

/// Per-run metrics of March (1991).
pub const MARCH_RUN_METRICS: [Metric; 7] = [
    mean(
        "knowledge",
        "knowledge of the code at the end (equilibrium, or the last period)",
    ),
    mean(
        "code_correct",
        "share of dimensions where the code equals reality",
    ),
    mean(
        "individual_knowledge",
        "mean over individuals of Σ belief·reality / m",
    ),
    mean(
        "fast_knowledge",
        "individual knowledge of the fast socialisers (empty without them)",
    ),
    mean(
        "slow_knowledge",
        "individual knowledge of the other individuals (empty without them)",
    ),
    Metric {
        name: "periods",
        kind: MetricKind::Tick,
        meaning: "periods run",
    },
    count(
        "capped",
        "1 if the run stopped at max_periods rather than at equilibrium",
    ),
];

/// Number of ticks in the final window: the last 20%, at least one.
pub fn final_window(ticks: u32) -> u32 {
    ticks.div_ceil(5).max(1)
}

/// Streaming per-run summary of a tick series.
#[derive(Clone, Debug)]
pub struct Summary {
    kinds: Vec<MetricKind>,
    window_start: u32,
    window_sums: Vec<f64>,
    window_len: u32,
    last: Vec<f64>,
    settle_metric: Option<usize>,
    settle_series: Vec<f64>,
}

impl Summary {
    /// A summary of `ticks` ticks of the given tick metrics. When
    /// `settle_metric` is set, a final `settle_tick` is appended.
    pub fn new(metrics: &[Metric], ticks: u32, settle_metric: Option<usize>) -> Self {
        Summary {
            kinds: metrics.iter().map(|m| m.kind).collect(),
            window_start: ticks - final_window(ticks),
            window_sums: vec![0.0; metrics.len()],
            window_len: 0,
            last: vec![0.0; metrics.len()],
            settle_metric,
            settle_series: Vec::with_capacity(if settle_metric.is_some() {
                ticks as usize
            } else {
                0
            }),
        }
    }

    /// Adds the row of tick `tick`.
    pub fn push(&mut self, tick: u32, row: &[f64]) {
        if tick >= self.window_start {
            for (s, x) in self.window_sums.iter_mut().zip(row) {
                *s += x;
            }
            self.window_len += 1;
        }
        self.last.copy_from_slice(row);
        if let Some(i) = self.settle_metric {
            self.settle_series.push(row[i]);
        }
    }

    /// The per-run row.
    pub fn finish(&self) -> Vec<f64> {
        let n = f64::from(self.window_len.max(1));
        let mut out: Vec<f64> = self
            .kinds
            .iter()
            .zip(self.window_sums.iter().zip(&self.last))
            .map(|(kind, (sum, last))| match kind {
                MetricKind::Mean => sum / n,
                MetricKind::Count | MetricKind::Tick => *last,
            })
            .collect();
        if let Some(i) = self.settle_metric {
            let target = 0.9 * out[i];
            let tick = self
                .settle_series
                .iter()
                .position(|&x| x >= target)
                .unwrap_or(self.settle_series.len());
            out.push(tick as f64);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_window_is_the_last_fifth() {
        assert_eq!(final_window(200), 40);
        assert_eq!(final_window(7), 2);
        assert_eq!(final_window(1), 1);
    }

    #[test]
    fn summary_averages_the_window_and_finds_the_settle_tick() {
        let metrics = [mean("x", ""), count("n", "")];
        let mut s = Summary::new(&metrics, 10, Some(0));
        for t in 0..10u32 {
            s.push(t, &[f64::from(t.min(5)), f64::from(t)]);
        }
        let out = s.finish();
        // Window = ticks 8 and 9 (x = 5 both); settle: first x ≥ 4.5 is tick 5.
        assert_eq!(out, vec![5.0, 9.0, 5.0]);
    }
}
