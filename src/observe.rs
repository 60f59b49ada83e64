//! Observables, declared once by name (as Mesa's DataCollector does): what a
//! metric is ([`Metric`]: name, meaning, scale, direction, unit, the ODD
//! section that defines it, how it is tallied and how a run summarises it),
//! the [`metric_table!`] macro that turns a model's list of metrics into
//! index constants and a table, and the per-run [`Summary`] computed from the
//! tick rows (final-window means, final counts, the settle tick).
//!
//! A model hands one row of tick metrics to a [`Summary`] per tick; output
//! code reads these rows and the tables' names, never the model's state.

/// How a run summarises a metric's tick series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A mean or share: averaged over the final window.
    Mean,
    /// A cumulative count: its final value (written as a whole number).
    Count,
    /// A tick or period number (written as a whole number).
    Tick,
}

/// What one tick's value is computed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Summed over professionals, divided by their number.
    Professionals,
    /// Summed over managers (teams), divided by their number.
    Managers,
    /// A running counter of events since the start of the run.
    Counter,
    /// Computed by the model directly (March's knowledge, the settle tick).
    Direct,
}

/// Whether more is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// More is better for the organisation or its people.
    Higher,
    /// Less is better.
    Lower,
    /// Neither: a description, not a verdict.
    Neither,
}

impl Direction {
    /// The word used in tables.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Higher => "higher is better",
            Direction::Lower => "lower is better",
            Direction::Neither => "neither",
        }
    }
}

/// What a metric's number counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A level on the model's 0–1 scale (a mean over agents).
    Level,
    /// A share of professionals (0–1).
    Share,
    /// A number of people (cumulative).
    HeadCount,
    /// A number of events (cumulative).
    Events,
    /// A tick number.
    Tick,
    /// A period number (March).
    Period,
    /// A score of March's model (Σ agreement with reality / m, −1 … 1).
    Score,
    /// 0 or 1.
    Flag,
}

impl Unit {
    /// The word used in tables.
    pub fn word(self) -> &'static str {
        match self {
            Unit::Level => "level (0–1 scale)",
            Unit::Share => "share of professionals",
            Unit::HeadCount => "head count",
            Unit::Events => "events",
            Unit::Tick => "tick",
            Unit::Period => "period",
            Unit::Score => "score",
            Unit::Flag => "flag",
        }
    }
}

/// One observable: a column of `ticks.csv` and `runs.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// Column name.
    pub name: &'static str,
    /// What it measures, in words.
    pub meaning: &'static str,
    /// The range of its values, in words (`0 to 1`).
    pub scale: &'static str,
    /// Whether more is better.
    pub direction: Direction,
    /// What its number counts.
    pub unit: Unit,
    /// The section of the model's documentation that defines it.
    pub defined_in: &'static str,
    /// What one tick's value is computed over.
    pub tally: Tally,
    /// How a run summarises it.
    pub kind: MetricKind,
}

impl Metric {
    /// A mean of a 0–1 state over professionals, averaged over the final
    /// window; direction "neither" until [`Metric::higher`] or
    /// [`Metric::lower`] says otherwise.
    pub const fn level(name: &'static str, meaning: &'static str) -> Metric {
        Metric {
            name,
            meaning,
            scale: "0 to 1",
            direction: Direction::Neither,
            unit: Unit::Level,
            defined_in: "",
            tally: Tally::Professionals,
            kind: MetricKind::Mean,
        }
    }

    /// A share of professionals, averaged over the final window.
    pub const fn share(name: &'static str, meaning: &'static str) -> Metric {
        Metric {
            unit: Unit::Share,
            ..Metric::level(name, meaning)
        }
    }

    /// A cumulative count of events; a run reports its final value.
    pub const fn count(name: &'static str, meaning: &'static str, unit: Unit) -> Metric {
        Metric {
            scale: "0 or more",
            unit,
            tally: Tally::Counter,
            kind: MetricKind::Count,
            ..Metric::level(name, meaning)
        }
    }

    /// A tick (or period) number computed by the model; a run reports it.
    pub const fn tick(name: &'static str, meaning: &'static str, unit: Unit) -> Metric {
        Metric {
            scale: "0 to ticks",
            unit,
            tally: Tally::Direct,
            kind: MetricKind::Tick,
            ..Metric::level(name, meaning)
        }
    }

    /// More is better.
    pub const fn higher(self) -> Metric {
        Metric {
            direction: Direction::Higher,
            ..self
        }
    }

    /// Less is better.
    pub const fn lower(self) -> Metric {
        Metric {
            direction: Direction::Lower,
            ..self
        }
    }

    /// Averaged over managers rather than professionals.
    pub const fn of_managers(self) -> Metric {
        Metric {
            tally: Tally::Managers,
            ..self
        }
    }

    /// Computed by the model directly.
    pub const fn direct(self) -> Metric {
        Metric {
            tally: Tally::Direct,
            ..self
        }
    }

    /// The documentation section that defines it.
    pub const fn defined_in(self, section: &'static str) -> Metric {
        Metric {
            defined_in: section,
            ..self
        }
    }

    /// A different scale description.
    pub const fn scale(self, scale: &'static str) -> Metric {
        Metric { scale, ..self }
    }

    /// A different unit.
    pub const fn unit(self, unit: Unit) -> Metric {
        Metric { unit, ..self }
    }

    /// A different summary.
    pub const fn kind(self, kind: MetricKind) -> Metric {
        Metric { kind, ..self }
    }
}

/// Declares a table of metrics in the current module: one `usize` constant
/// per metric (its column index), `LEN`, and the table `METRICS`, so that a
/// new metric is one line and no index is written by hand.
///
/// ```
/// mod tick {
///     use profspace::observe::{Metric, Unit};
///     profspace::metric_table! {
///         AUTONOMY = Metric::level("autonomy", "mean autonomy"),
///         EXITS = Metric::count("exits", "cumulative exits", Unit::HeadCount),
///     }
/// }
/// assert_eq!((tick::AUTONOMY, tick::EXITS, tick::LEN), (0, 1, 2));
/// assert_eq!(tick::METRICS[tick::EXITS].name, "exits");
/// ```
#[macro_export]
macro_rules! metric_table {
    ($($index:ident = $metric:expr),+ $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[derive(Clone, Copy)]
        enum Column { $($index),+ }
        $(
            #[doc = concat!("Column index of `", stringify!($index), "`.")]
            pub const $index: usize = Column::$index as usize;
        )+
        /// Number of metrics in the table.
        pub const LEN: usize = [$(Column::$index),+].len();
        /// The metrics, in column order.
        pub static METRICS: [$crate::observe::Metric; LEN] = [$($metric),+];
    };
}

/// A table read back from a result folder (`aggregate.csv`, `runs.csv`):
/// its header and rows as text, for summaries that read results rather
/// than model internals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
    /// The resolved parameter columns (set by named conditions, not inputs
    /// of their own; see `Design::resolved`).
    pub resolved: Vec<String>,
}

impl ResultTable {
    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The number in row `row`, column `col` (NaN when empty or not a
    /// number).
    pub fn number(&self, row: usize, col: usize) -> f64 {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN)
    }

    /// The index of column `name` when it is an input of the design (a
    /// parameter column that is not resolved).
    pub fn input(&self, name: &str) -> Option<usize> {
        self.parameter_columns()
            .into_iter()
            .find(|&i| self.header[i] == name)
    }

    /// The design parameter columns of `aggregate.csv`, the inputs: those
    /// between `point` and `n` but the resolved ones.
    pub fn parameter_columns(&self) -> Vec<usize> {
        self.all_parameter_columns()
            .into_iter()
            .filter(|&i| !self.resolved.contains(&self.header[i]))
            .collect()
    }

    /// Every parameter column of `aggregate.csv`, resolved ones included:
    /// those between `point` and `n`.
    pub fn all_parameter_columns(&self) -> Vec<usize> {
        (1..self.header.len())
            .take_while(|&i| self.header[i] != "n")
            .collect()
    }
}

/// Number of ticks in the final window: the last 20%, at least one.
pub fn final_window(ticks: u32) -> u32 {
    ticks.div_ceil(5).max(1)
}

/// The settle rule: a run has settled at the first tick from which the
/// trailing mean of a metric over [`SETTLE_SPAN`] ticks (fewer at the start)
/// stays within [`SETTLE_BAND`] of its final-window mean until the end.
pub const SETTLE_SPAN: usize = 10;
/// See [`SETTLE_SPAN`].
pub const SETTLE_BAND: f64 = 0.02;

/// The settle tick of `series` around `target` (0 when the trailing mean
/// never leaves the band).
pub fn settle_tick(series: &[f64], target: f64) -> usize {
    let mut sum = 0.0;
    let mut last_outside = None;
    for (t, x) in series.iter().enumerate() {
        sum += x;
        if t >= SETTLE_SPAN {
            sum -= series[t - SETTLE_SPAN];
        }
        let n = (t + 1).min(SETTLE_SPAN) as f64;
        if (sum / n - target).abs() > SETTLE_BAND {
            last_outside = Some(t);
        }
    }
    last_outside.map_or(0, |t| t + 1)
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
    /// `settle_metric` is set, a final settle tick of that metric is
    /// appended (see [`settle_tick`]).
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
            out.push(settle_tick(&self.settle_series, out[i]) as f64);
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
    fn settle_tick_is_one_past_the_last_tick_outside_the_band() {
        // Flat at the target from the start: never leaves the band.
        assert_eq!(settle_tick(&[0.5; 30], 0.5), 0);
        // A step from 0 to 1 at tick 5: the trailing mean of 10 reaches
        // 0.98 (within 0.02 of 1) only when the window holds no zero, at
        // tick 14; tick 13 (mean 0.9) is the last outside.
        let mut s = vec![0.0; 5];
        s.extend([1.0; 25]);
        assert_eq!(settle_tick(&s, 1.0), 14);
        // A late excursion counts: the band must hold until the end.
        let mut s = vec![1.0; 30];
        s[25] = 0.0;
        assert_eq!(settle_tick(&s, 1.0), 30);
        // The start uses the ticks there are.
        assert_eq!(settle_tick(&[0.97, 1.0, 1.0], 1.0), 1);
    }

    #[test]
    fn summary_averages_the_window_and_finds_the_settle_tick() {
        let metrics = [Metric::level("x", ""), Metric::count("n", "", Unit::Events)];
        let mut s = Summary::new(&metrics, 10, Some(0));
        for t in 0..10u32 {
            s.push(t, &[f64::from(t.min(5)), f64::from(t)]);
        }
        let out = s.finish();
        // Window = ticks 8 and 9 (x = 5 both); the trailing mean reaches
        // 5 ± 0.02 only at tick 14, after the end: settle = last outside + 1.
        assert_eq!(out, vec![5.0, 9.0, 10.0]);
    }

    mod table {
        use crate::observe::{Metric, Unit};
        crate::metric_table! {
            A = Metric::level("a", "first"),
            B = Metric::count("b", "second", Unit::Events),
        }
    }

    #[test]
    fn the_table_macro_numbers_the_columns() {
        assert_eq!((table::A, table::B, table::LEN), (0, 1, 2));
        assert_eq!(table::METRICS[table::B].name, "b");
    }

    #[test]
    fn metric_constructors_give_their_scale_unit_and_kind() {
        let t = Metric::tick("settle", "a tick", Unit::Tick);
        assert_eq!(
            (t.scale, t.kind, t.tally),
            ("0 to ticks", MetricKind::Tick, Tally::Direct)
        );
        let c = Metric::count("exits", "events", Unit::Events);
        assert_eq!(
            (c.scale, c.kind, c.tally),
            ("0 or more", MetricKind::Count, Tally::Counter)
        );
        assert_eq!(c.unit.word(), "events");
        // Every unit has a word of its own.
        let units = [
            Unit::Level,
            Unit::Share,
            Unit::HeadCount,
            Unit::Events,
            Unit::Tick,
            Unit::Period,
            Unit::Score,
            Unit::Flag,
        ];
        let mut words: Vec<&str> = units.iter().map(|u| u.word()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), units.len());
        assert_eq!(Unit::Level.word(), "level (0–1 scale)");
    }

    #[test]
    fn result_tables_find_their_columns_and_inputs() {
        let t = ResultTable {
            header: ["point", "coupling", "managers.focus", "n", "essential_mean"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                ["0", "zero_sum", "0.5", "10", "0.42"]
                    .map(String::from)
                    .to_vec(),
            ],
            resolved: vec!["managers.focus".into()],
        };
        assert_eq!(t.column("n"), Some(3));
        assert_eq!(t.column("nothing"), None);
        assert_eq!(t.number(0, 4), 0.42);
        assert!(t.number(0, 1).is_nan());
        assert_eq!(t.input("coupling"), Some(1));
        assert_eq!(
            t.input("managers.focus"),
            None,
            "a resolved column is no input"
        );
        assert_eq!(t.parameter_columns(), vec![1]);
        assert_eq!(t.all_parameter_columns(), vec![1, 2]);
    }
}
