//! The `[sweep]` section: which parameters vary, over what, and the design
//! (the list of parameter settings) it expands to. The types live here, the
//! reading of the section in `parse`, the expansion in `design`.
//!
//! Design order, documented for users: named conditions
//! (`[[sweep.conditions]]`) first, then the grid axes in the order they are
//! written, the first varying slowest (like nested loops); when a
//! `[sweep.sample]` is present too, every cell is crossed with the same
//! sample points, which vary fastest. Point `i` is computed from `i` alone,
//! so a design of millions of points needs no memory beyond its sample.

mod design;
mod parse;

pub use design::{Design, DesignPoint};
pub(crate) use parse::parse;

use super::{Limits, Scenario};
use crate::params::{Kind, Problem, Range, Value};

/// The design column of named conditions.
pub const CONDITION: &str = "condition";

/// Most design points a sweep may have (each is validated before any run).
pub const MAX_POINTS: u64 = 10_000_000;
/// Most runs (points × replications) a sweep may have.
pub const MAX_RUNS: u64 = 1_000_000_000;

/// One swept parameter of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepAxis {
    /// Parameter path, exactly as written (`managers.focus`).
    pub path: String,
    /// Values in order.
    pub values: Vec<Value>,
}

/// How sample points are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleMethod {
    /// Latin hypercube: each parameter's range cut into `samples` strata,
    /// one point per stratum.
    Lhs,
    /// Independent uniform draws.
    Random,
}

impl SampleMethod {
    /// Names as written in scenario files.
    pub const NAMES: &'static [&'static str] = &["lhs", "random"];

    pub(crate) fn from_name(s: &str) -> Option<Self> {
        match s {
            "lhs" => Some(SampleMethod::Lhs),
            "random" => Some(SampleMethod::Random),
            _ => None,
        }
    }

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            SampleMethod::Lhs => "lhs",
            SampleMethod::Random => "random",
        }
    }
}

/// `[sweep.sample]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Method.
    pub method: SampleMethod,
    /// Number of sample points.
    pub samples: u32,
    /// Parameter ranges, in the order written.
    pub ranges: Vec<(String, Range)>,
    /// The kind of each sampled parameter (whole numbers are rounded).
    pub kinds: Vec<Kind>,
}

/// A named bundle of settings (`[[sweep.conditions]]`): an axis whose
/// values are whole conditions, such as "management only" against
/// "integrated".
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Label, the value of the `condition` column.
    pub label: String,
    /// Parameter paths and values, in the order written.
    pub settings: Vec<(String, Value)>,
}

/// `[sweep] target_ci95 = { metric, half_width, max_replications }`:
/// replications are added in rounds, doubling at each point whose 95%
/// confidence half-width on `metric` is still above `half_width`, until
/// every point meets it or has `max_replications`.
#[derive(Clone, Debug, PartialEq)]
pub struct Precision {
    /// The run metric whose interval is targeted.
    pub metric: String,
    /// The 95% half-width to reach.
    pub half_width: f64,
    /// The most replications a point gets.
    pub max_replications: u32,
}

/// A parameter sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Replications per point (overrides the top-level `replications`); the
    /// first round's, with a precision target.
    pub replications: Option<u32>,
    /// A precision target, if any.
    pub target: Option<Precision>,
    /// Named conditions (the first, slowest axis).
    pub conditions: Vec<Condition>,
    /// Full-factorial grid axes, in the order written.
    pub grid: Vec<SweepAxis>,
    /// Optional sampled parameters.
    pub sample: Option<Sample>,
}

/// Checks the cross-field rules at every design point. A problem found at
/// many points is said once, at the first, with how many points share it;
/// it stops after a few different problems so that a large design cannot
/// flood the terminal.
pub(crate) fn validate_design(
    s: &Scenario,
    limits: &Limits,
    lines: &crate::params::KeyLines,
) -> Vec<Problem> {
    let design = Design::build(s);
    // (problem, first point's words, points with it)
    let mut found: Vec<(Problem, String, u64)> = Vec::new();
    for i in 0..design.len() {
        let checked = design
            .apply(s, i)
            .map_err(|e| vec![Problem::new("sweep", None, e.to_string())])
            .and_then(|p| {
                let found = super::validate::validate(&p, limits, lines);
                if found.is_empty() { Ok(()) } else { Err(found) }
            });
        let Err(problems) = checked else { continue };
        for p in problems {
            if let Some(seen) = found.iter_mut().find(|(q, _, _)| *q == p) {
                seen.2 += 1;
                continue;
            }
            let at = design
                .columns
                .iter()
                .zip(&design.point(i).values)
                .map(|(c, v)| format!("{c} = {}", short_value(v)))
                .collect::<Vec<_>>()
                .join(", ");
            found.push((p, format!("design point {i} ({at})"), 1));
        }
        if found.len() >= 5 {
            break;
        }
    }
    found
        .into_iter()
        .map(|(p, at, n)| {
            let at = match n {
                1 => format!("at {at}"),
                n if n == design.len() => format!("at every design point (the first is {at})"),
                2 => format!("at {at} and at 1 other design point"),
                n => format!("at {at} and at {} other design points", n - 1),
            };
            Problem::new(p.path, p.line, format!("{at}: {}", p.message))
        })
        .collect()
}

/// A value as people read it in a message: a real number with at most four
/// significant digits (`0.4831`, not `0.48307611006154255`).
fn short_value(v: &Value) -> String {
    match v {
        Value::Float(x) if x.is_finite() && *x != 0.0 => {
            let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
            let s = format!("{x:.digits$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
        other => other.to_string(),
    }
}
