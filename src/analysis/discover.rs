//! Scenario discovery (`profspace discover`): which combinations of the
//! design's inputs lead to an outcome of interest, as boxes found by PRIM
//! ([`super::prim`]) in a finished folder's results.
//!
//! The rows are the design points (the mean of the metric over their
//! replicates) or, with `per_run`, the runs; the inputs are the design's
//! columns (its swept, sampled and condition parameters; text parameters
//! such as `coupling` are categorical); a row is a case of interest when its
//! metric is at or above (at or below) the threshold. The tables written:
//!
//! ```text
//! discover_trajectory.csv  box,step,coverage,density,mass,restricted_dims,phase,restricted
//! discover.csv             the chosen step of each box, same columns, then metric,rule,threshold
//! discover_boxes.csv       box,parameter,lower,upper,values,p_value,p_lower,p_upper
//! discover_stability.csv   parameter,restricted_share,reproduce_coverage,reproduce_density (--resample)
//! ```

use super::Finished;
use super::prim::{
    self, BoxChoice, Column, ColumnValues, Dataset, Limit, Objective, Phase, Prim, PrimBox,
    PrimConfig, QuasiP, Sampling, Stability, Step,
};
use crate::error::{Error, Result};
use crate::output::table::{push_f64, push_text, push_u64};
pub use crate::params::sig3;
use crate::rng;
use std::collections::{BTreeMap, HashMap};

/// The ChaCha stream of the resamples (drawn from the master seed).
const RESAMPLE_STREAM: u64 = 0x5052_494d; // "PRIM"

/// Which side of the threshold is of interest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// The metric is at least the threshold.
    Above(f64),
    /// The metric is at most the threshold.
    Below(f64),
}

impl Rule {
    /// Whether `x` is a case of interest.
    pub fn holds(self, x: f64) -> bool {
        match self {
            Rule::Above(t) => x >= t,
            Rule::Below(t) => x <= t,
        }
    }

    /// `≥ 0.3` or `≤ 0.3`.
    pub fn words(self) -> String {
        match self {
            Rule::Above(t) => format!("≥ {}", sig3(t)),
            Rule::Below(t) => format!("≤ {}", sig3(t)),
        }
    }

    /// `above` or `below`, and the threshold.
    pub fn parts(self) -> (&'static str, f64) {
        match self {
            Rule::Above(t) => ("above", t),
            Rule::Below(t) => ("below", t),
        }
    }
}

/// What to discover.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The metric whose values define the cases of interest.
    pub metric: String,
    /// The threshold and its side.
    pub rule: Rule,
    /// The density a box must reach (the box choice).
    pub density: f64,
    /// Boxes to find (covering).
    pub boxes: usize,
    /// One row per run rather than per design point.
    pub per_run: bool,
    /// The step of the first box's trajectory to take instead of the
    /// default choice.
    pub step: Option<usize>,
    /// Bootstrap resamples for the stability of the restrictions (0: none).
    pub resample: usize,
    /// The score of peeling candidates.
    pub objective: Objective,
}

/// What was found.
#[derive(Clone, Debug)]
pub struct Discovery {
    /// What was asked.
    pub options: Options,
    /// `design point` or `run`.
    pub unit: &'static str,
    /// The rows analysed.
    pub rows: usize,
    /// Rows left out (no finite value of the metric).
    pub dropped: usize,
    /// The largest and smallest value of the metric over the rows.
    pub range: (f64, f64),
    /// The data PRIM saw.
    pub data: Dataset,
    /// The boxes, in the order found.
    pub boxes: Vec<PrimBox>,
    /// Stability over resamples, when asked.
    pub stability: Option<Stability>,
}

/// An error of PRIM (the data or the settings), said as the command's.
fn in_discover(e: Error) -> Error {
    Error::usage(format!("discover: {e}"))
}

/// Runs PRIM on a finished folder.
pub fn discover(f: &Finished, opts: &Options) -> Result<Discovery> {
    let dir = f.folder.dir().display().to_string();
    if f.manifest.columns.is_empty() {
        return Err(Error::usage(format!(
            "{dir} holds a single design point; discover needs a sweep over many points (see \
             scenarios/discovery.toml)"
        )));
    }
    let t = f.runs(std::slice::from_ref(&opts.metric))?;
    // Rows: design points (mean over replicates) or runs.
    let mut rows: Vec<(usize, f64)> = Vec::new(); // (a run row with the inputs, value)
    if opts.per_run {
        rows.extend((0..t.len()).map(|r| (r, t.metric[0][r])));
    } else {
        let mut points: BTreeMap<u64, (usize, f64, usize)> = BTreeMap::new();
        for r in 0..t.len() {
            let e = points.entry(t.point[r]).or_insert((r, 0.0, 0));
            if t.metric[0][r].is_finite() {
                e.1 += t.metric[0][r];
                e.2 += 1;
            }
        }
        rows.extend(points.values().map(|&(r, sum, n)| (r, sum / n as f64)));
    }
    let total = rows.len();
    rows.retain(|(_, x)| x.is_finite());
    let dropped = total - rows.len();
    let unit = if opts.per_run { "run" } else { "design point" };
    if rows.len() < 2 {
        return Err(Error::usage(format!(
            "{dir} has {} {unit}{} with a value of {}; discover needs a design of many points",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            opts.metric
        )));
    }
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let range = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let y: Vec<bool> = values.iter().map(|&x| opts.rule.holds(x)).collect();
    if !y.contains(&true) {
        let (side, _) = opts.rule.parts();
        return Err(Error::usage(format!(
            "0 cases of interest: no {unit} has {} {} (its values run from {} to {}); choose a \
             threshold {side} which some {unit}s are",
            opts.metric,
            opts.rule.words(),
            sig3(range.0),
            sig3(range.1)
        )));
    }
    let columns = t
        .inputs
        .iter()
        .enumerate()
        .map(|(i, name)| column(name, rows.iter().map(|&(r, _)| t.values[i][r].as_str())))
        .collect();
    let data = Dataset::new(columns, y).map_err(in_discover)?;
    let config = PrimConfig {
        threshold: opts.density,
        objective: opts.objective,
        ..PrimConfig::default()
    };
    let boxes = find(&data, config, opts)?;
    let stability = match opts.resample {
        0 => None,
        n => {
            let mut r = rng::seeded(f.manifest.master_seed, RESAMPLE_STREAM);
            let first = boxes.first();
            Some(
                prim::resample(&data, config, first, n, Sampling::Bootstrap, &mut r)
                    .map_err(in_discover)?,
            )
        }
    };
    Ok(Discovery {
        options: opts.clone(),
        unit,
        rows: rows.len(),
        dropped,
        range,
        data,
        boxes,
        stability,
    })
}

/// A column of the dataset: numeric when every value is a finite number,
/// categorical otherwise (levels in order of first appearance).
fn column<'a>(name: &str, values: impl Iterator<Item = &'a str> + Clone) -> Column {
    let numbers: Option<Vec<f64>> = values
        .clone()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    if let Some(x) = numbers {
        return Column::numeric(name, x);
    }
    let mut levels: Vec<String> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let codes = values
        .map(|v| {
            *index.entry(v).or_insert_with(|| {
                levels.push(v.to_string());
                levels.len() - 1
            })
        })
        .collect();
    Column::categorical(name, levels, codes)
}

/// The covering loop: the first box at `opts.step` when given, the others
/// (and the first by default) at the density threshold.
fn find(data: &Dataset, config: PrimConfig, opts: &Options) -> Result<Vec<PrimBox>> {
    if opts.boxes == 0 {
        return Err(Error::usage("--boxes must be at least 1"));
    }
    let mut prim = Prim::new(data, config).map_err(in_discover)?;
    let mut out: Vec<PrimBox> = Vec::new();
    while out.len() < opts.boxes {
        let found = match (out.is_empty(), opts.step) {
            (true, Some(step)) => first_at(&mut prim, step)?,
            _ => prim.find_box(BoxChoice::Threshold).map_err(in_discover)?,
        };
        let Some(b) = found else { break };
        let stop = !b.meets_threshold;
        out.push(b);
        if stop {
            break;
        }
    }
    Ok(out)
}

/// The first box at step `step` of its trajectory (`--step`); `None` when no
/// case of interest remains.
fn first_at(prim: &mut Prim, step: usize) -> Result<Option<PrimBox>> {
    if prim.remaining().1 == 0 {
        return Ok(None);
    }
    let t = prim.trajectory().map_err(in_discover)?;
    if step >= t.steps.len() {
        return Err(Error::usage(format!(
            "--step {step}: the trajectory of box 1 has steps 0 to {} (see \
             discover_trajectory.csv)",
            t.steps.len() - 1
        )));
    }
    prim.select(t, BoxChoice::Step(step))
        .map(Some)
        .map_err(in_discover)
}

impl Discovery {
    /// The names of the dimensions.
    fn names(&self) -> Vec<&str> {
        self.data
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .collect()
    }

    /// The full range of dimension `j` (numeric).
    fn span(&self, j: usize) -> (f64, f64) {
        match &self.data.columns()[j].values {
            ColumnValues::Numeric(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                }),
            ColumnValues::Categorical { .. } => (f64::NAN, f64::NAN),
        }
    }

    /// One limit in words: `managers.focus ≥ 0.62`, `coupling =
    /// freedom_safety`, `0.3 ≤ x ≤ 0.8`.
    pub fn limit_words(&self, j: usize, limit: &Limit) -> String {
        let name = &self.data.columns()[j].name;
        match limit {
            Limit::Numeric { lower, upper } => {
                let (lo, hi) = self.span(j);
                match (*lower > lo, *upper < hi) {
                    (true, true) => format!("{} ≤ {name} ≤ {}", sig3(*lower), sig3(*upper)),
                    (true, false) => format!("{name} ≥ {}", sig3(*lower)),
                    (false, true) => format!("{name} ≤ {}", sig3(*upper)),
                    (false, false) => format!("{name} anywhere"),
                }
            }
            Limit::Categorical { kept } => {
                let names = self.data.level_names(j, kept);
                if names.len() == 1 {
                    format!("{name} = {}", names[0])
                } else {
                    format!("{name} ∈ {{{}}}", names.join(", "))
                }
            }
        }
    }

    /// The sentence of a box: where the outcome lives.
    pub fn box_words(&self, b: &PrimBox) -> String {
        let limits: Vec<String> = b
            .restricted
            .iter()
            .map(|&j| self.limit_words(j, &b.limits.limits[j]))
            .collect();
        format!(
            "{} {} is found in {:.0}% of the cases (coverage), and {:.0}% of the {}s in the box \
             have it (density), {}",
            self.options.metric,
            self.options.rule.words(),
            100.0 * b.coverage,
            100.0 * b.density,
            self.unit,
            if limits.is_empty() {
                "with no restriction at all".to_string()
            } else {
                format!("when {}", limits.join(", "))
            }
        )
    }

    /// `discover_trajectory.csv`: every step of every box's trajectory.
    pub fn trajectory_table(&self) -> Vec<u8> {
        let mut buf = header(&STEP_COLUMNS);
        for (i, b) in self.boxes.iter().enumerate() {
            for (s, step) in b.trajectory.steps.iter().enumerate() {
                self.step_row(&mut buf, i + 1, s, step);
                buf.push(b'\n');
            }
        }
        buf
    }

    /// `discover.csv`: the chosen box of each round.
    pub fn boxes_table(&self) -> Vec<u8> {
        let mut cols = STEP_COLUMNS.to_vec();
        cols.extend(["metric", "rule", "threshold"]);
        let mut buf = header(&cols);
        let (side, threshold) = self.options.rule.parts();
        for (i, b) in self.boxes.iter().enumerate() {
            let last = Step {
                phase: if b.pasting.is_empty() {
                    b.trajectory.steps[b.step].phase
                } else {
                    Phase::Paste
                },
                n: b.n,
                k: b.k,
                coverage: b.coverage,
                density: b.density,
                mass: b.mass,
                restricted: b.restricted.clone(),
                limits: b.limits.clone(),
            };
            self.step_row(&mut buf, i + 1, b.step, &last);
            buf.push(b',');
            push_text(&mut buf, &self.options.metric);
            buf.push(b',');
            push_text(&mut buf, side);
            buf.push(b',');
            push_f64(&mut buf, threshold);
            buf.push(b'\n');
        }
        buf
    }

    fn step_row(&self, buf: &mut Vec<u8>, index: usize, step: usize, s: &Step) {
        let names = self.names();
        push_u64(buf, index as u64);
        buf.push(b',');
        push_u64(buf, step as u64);
        for x in [s.coverage, s.density, s.mass] {
            buf.push(b',');
            push_f64(buf, x);
        }
        buf.push(b',');
        push_u64(buf, s.restricted.len() as u64);
        buf.push(b',');
        push_text(
            buf,
            match s.phase {
                Phase::Initial => "initial",
                Phase::Peel => "peel",
                Phase::Paste => "paste",
            },
        );
        buf.push(b',');
        let dims: Vec<&str> = s.restricted.iter().map(|&j| names[j]).collect();
        push_text(buf, &dims.join("|"));
    }

    /// `discover_boxes.csv`: the limits and quasi-p-values of every
    /// restricted dimension of every box.
    pub fn limits_table(&self) -> Vec<u8> {
        let mut buf = header(&[
            "box",
            "parameter",
            "lower",
            "upper",
            "values",
            "p_value",
            "p_lower",
            "p_upper",
        ]);
        for (i, b) in self.boxes.iter().enumerate() {
            for (&j, qp) in b.restricted.iter().zip(&b.quasi_p) {
                push_u64(&mut buf, i as u64 + 1);
                buf.push(b',');
                push_text(&mut buf, &self.data.columns()[j].name);
                let (lower, upper, values) = match &b.limits.limits[j] {
                    Limit::Numeric { lower, upper } => (*lower, *upper, String::new()),
                    Limit::Categorical { kept } => {
                        (f64::NAN, f64::NAN, self.data.level_names(j, kept).join("|"))
                    }
                };
                let (p, lo, hi) = p_values(qp);
                for x in [lower, upper] {
                    buf.push(b',');
                    push_f64(&mut buf, x);
                }
                buf.push(b',');
                push_text(&mut buf, &values);
                for x in [p, lo, hi] {
                    buf.push(b',');
                    push_f64(&mut buf, x);
                }
                buf.push(b'\n');
            }
        }
        buf
    }

    /// `discover_stability.csv`, when resamples were drawn.
    pub fn stability_table(&self) -> Option<Vec<u8>> {
        let s = self.stability.as_ref()?;
        let mut buf = header(&[
            "parameter",
            "restricted_share",
            "reproduce_coverage",
            "reproduce_density",
        ]);
        for d in &s.dimensions {
            push_text(&mut buf, &d.name);
            for x in [
                Some(d.restricted),
                d.reproduce_coverage,
                d.reproduce_density,
            ] {
                buf.push(b',');
                push_f64(&mut buf, x.unwrap_or(f64::NAN));
            }
            buf.push(b'\n');
        }
        Some(buf)
    }

    /// Writes the tables into the folder (each atomically).
    pub fn write(&self, f: &Finished) -> Result<Vec<&'static str>> {
        let mut written = vec![TRAJECTORY, BOXES, LIMITS];
        f.folder.write(TRAJECTORY, &self.trajectory_table())?;
        f.folder.write(BOXES, &self.boxes_table())?;
        f.folder.write(LIMITS, &self.limits_table())?;
        let stale = f.folder.file(STABILITY);
        match self.stability_table() {
            Some(t) => {
                f.folder.write(STABILITY, &t)?;
                written.push(STABILITY);
            }
            // A stability table of another discovery would mislead.
            None if stale.exists() => {
                let _ = std::fs::remove_file(stale);
            }
            None => {}
        }
        Ok(written)
    }

    /// The p-value of a restricted dimension (the smaller of its sides).
    pub fn p_value(&self, b: &PrimBox, j: usize) -> f64 {
        b.restricted
            .iter()
            .zip(&b.quasi_p)
            .find(|(d, _)| **d == j)
            .map_or(f64::NAN, |(_, qp)| p_values(qp).0)
    }
}

/// (p_value, p_lower, p_upper): the smaller side's value, and each side's
/// (NaN where the side is not restricted).
fn p_values(qp: &QuasiP) -> (f64, f64, f64) {
    match *qp {
        QuasiP::Numeric { lower, upper, .. } => {
            let (lo, hi) = (lower.unwrap_or(f64::NAN), upper.unwrap_or(f64::NAN));
            (lo.min(hi), lo, hi)
        }
        QuasiP::Categorical { p, .. } => (p, f64::NAN, f64::NAN),
    }
}

/// The columns of a trajectory step.
const STEP_COLUMNS: [&str; 8] = [
    "box",
    "step",
    "coverage",
    "density",
    "mass",
    "restricted_dims",
    "phase",
    "restricted",
];

/// `discover_trajectory.csv`.
pub const TRAJECTORY: &str = crate::output::tables::DISCOVER_TRAJECTORY.file;
/// `discover.csv`.
pub const BOXES: &str = crate::output::tables::DISCOVER.file;
/// `discover_boxes.csv`.
pub const LIMITS: &str = crate::output::tables::DISCOVER_BOXES.file;
/// `discover_stability.csv`.
pub const STABILITY: &str = crate::output::tables::DISCOVER_STABILITY.file;

fn header(cols: &[&str]) -> Vec<u8> {
    let mut buf = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_text(&mut buf, c);
    }
    buf.push(b'\n');
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_words_have_three_significant_digits() {
        assert_eq!(sig3(0.8492218000795573), "0.849");
        assert_eq!(sig3(0.3), "0.3");
        assert_eq!(sig3(123.456), "123");
        assert_eq!(sig3(0.000123456), "0.000123");
        assert_eq!(sig3(-2.5), "-2.5");
        assert_eq!(Rule::Above(0.3).words(), "≥ 0.3");
        assert!(Rule::Below(0.2).holds(0.2) && !Rule::Below(0.2).holds(0.21));
    }

    #[test]
    fn text_columns_are_categorical_and_numbers_numeric() {
        let c = column(
            "coupling",
            ["zero_sum", "freedom_safety", "zero_sum"].into_iter(),
        );
        assert_eq!(
            c.values,
            ColumnValues::Categorical {
                levels: vec!["zero_sum".into(), "freedom_safety".into()],
                codes: vec![0, 1, 0]
            }
        );
        let c = column("x", ["0.5", "1", "2e-1"].into_iter());
        assert_eq!(c.values, ColumnValues::Numeric(vec![0.5, 1.0, 0.2]));
    }
}
