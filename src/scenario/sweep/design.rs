//! Expanding a sweep into its design: the columns, and point `i` computed
//! from `i` alone (conditions, then grid axes with the first varying
//! slowest, then the sample points, which vary fastest).

use super::{CONDITION, Condition, Sample, SampleMethod, Sweep};
use crate::error::{Error, Result};
use crate::params::{Kind, Value};
use crate::rng;
use crate::scenario::Scenario;
use crate::scenario::sensitivity::Sensitivity;
use rand::RngExt;

/// The base scenario's values at `paths` (a path the scenario cannot read
/// gets an empty text, which never happens for declared keys).
fn base_values(s: &Scenario, paths: &[String]) -> Vec<Value> {
    paths
        .iter()
        .map(|p| s.get(p).unwrap_or(Value::Text(String::new())))
        .collect()
}

/// The sample points of a sweep's `[sweep.sample]`, row-major (samples ×
/// sampled parameters), drawn from the design stream of `seed`: parameter
/// by parameter, a Latin hypercube's strata shuffled first, then one
/// uniform draw per point.
fn sample_matrix(sm: &Sample, seed: u64) -> Vec<f64> {
    let dims = sm.ranges.len();
    let n = sm.samples as usize;
    let mut rng = rng::design_rng(seed);
    let mut sample = vec![0.0; n * dims];
    for (d, (_, range)) in sm.ranges.iter().enumerate() {
        let mut strata: Vec<usize> = (0..n).collect();
        if sm.method == SampleMethod::Lhs {
            // Fisher–Yates with the design stream.
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                strata.swap(i, j);
            }
        }
        for (i, stratum) in strata.iter().enumerate() {
            let u: f64 = rng.random();
            let unit = match sm.method {
                SampleMethod::Lhs => (*stratum as f64 + u) / n as f64,
                SampleMethod::Random => u,
            };
            sample[i * dims + d] = range.from + unit * (range.to - range.from);
        }
    }
    sample
}

/// The expanded design of a scenario: one point per parameter setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Column names: `condition` (when there are named conditions), grid
    /// paths, then sampled paths.
    pub columns: Vec<String>,
    /// Resolved columns, after [`Design::columns`] in every table: the
    /// parameters that named conditions set (in the order they first
    /// appear), or, for a single run without a sweep, every parameter of
    /// the model that a sweep could vary. Their values follow from the
    /// columns; they are not inputs of their own.
    pub resolved: Vec<String>,
    /// The base scenario's value of each resolved column.
    base_values: Vec<Value>,
    axes: Vec<Vec<Value>>,
    conditions: Vec<Condition>,
    sample_kinds: Vec<Kind>,
    /// Sample matrix, row-major (samples × sampled parameters).
    sample: Vec<f64>,
    samples: u64,
    len: u64,
}

/// One design point.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignPoint {
    /// Index of the point in the design.
    pub index: u64,
    /// Values in the order of [`Design::columns`].
    pub values: Vec<Value>,
}

impl Design {
    /// Expands the sweep of `s` (a single point without parameters when
    /// there is no sweep). Sample points are drawn from the master seed.
    pub fn build(s: &Scenario) -> Design {
        if let Some(sa) = &s.sensitivity {
            return Design::of_sensitivity(s, sa);
        }
        match &s.sweep {
            Some(sweep) => Design::of_sweep(s, sweep),
            None => Design::single(s),
        }
    }

    /// The design of a sensitivity analysis: its unit design (from the
    /// master seed) scaled to the parameters' ranges, every point a sample.
    fn of_sensitivity(s: &Scenario, sa: &Sensitivity) -> Design {
        let unit = sa.unit_design(rng::sensitivity_seed(s.seed));
        let dims = sa.parameters.len();
        let mut sample = Vec::with_capacity(unit.len() * dims);
        for row in &unit {
            for (u, (_, r)) in row.iter().zip(&sa.parameters) {
                sample.push(crate::sensitivity::scale(*u, r.from, r.to));
            }
        }
        Design {
            columns: sa.parameters.iter().map(|(p, _)| p.clone()).collect(),
            resolved: Vec::new(),
            base_values: Vec::new(),
            axes: Vec::new(),
            conditions: Vec::new(),
            sample_kinds: vec![Kind::Float { min: 0.0, max: 1.0 }; dims],
            sample,
            samples: unit.len() as u64,
            len: unit.len() as u64,
        }
    }

    /// The design of a scenario without a sweep: one point, no columns, and
    /// every parameter a sweep could vary resolved to the scenario's value.
    fn single(s: &Scenario) -> Design {
        let resolved: Vec<String> = s
            .model
            .params()
            .iter()
            .filter(|p| p.sweepable)
            .map(|p| p.path.to_string())
            .collect();
        Design {
            base_values: base_values(s, &resolved),
            resolved,
            columns: Vec::new(),
            axes: Vec::new(),
            conditions: Vec::new(),
            sample_kinds: Vec::new(),
            sample: Vec::new(),
            samples: 1,
            len: 1,
        }
    }

    /// The design of a sweep: conditions and grid axes crossed, times the
    /// sample points; what the conditions set is resolved.
    fn of_sweep(s: &Scenario, sweep: &Sweep) -> Design {
        let mut columns: Vec<String> = Vec::new();
        let mut axes: Vec<Vec<Value>> = Vec::new();
        if !sweep.conditions.is_empty() {
            columns.push(CONDITION.to_string());
            axes.push(
                sweep
                    .conditions
                    .iter()
                    .map(|c| Value::Text(c.label.clone()))
                    .collect(),
            );
        }
        columns.extend(sweep.grid.iter().map(|a| a.path.clone()));
        axes.extend(sweep.grid.iter().map(|a| a.values.clone()));
        let (mut sample, mut samples, mut sample_kinds) = (Vec::new(), 1u64, Vec::new());
        if let Some(sm) = &sweep.sample {
            samples = u64::from(sm.samples);
            sample = sample_matrix(sm, s.seed);
            for (d, (path, _)) in sm.ranges.iter().enumerate() {
                columns.push(path.clone());
                sample_kinds.push(sm.kinds[d]);
            }
        }
        let cells: u64 = axes.iter().map(|a| a.len() as u64).product();
        let mut resolved: Vec<String> = Vec::new();
        for (path, _) in sweep.conditions.iter().flat_map(|c| &c.settings) {
            if !columns.contains(path) && !resolved.contains(path) {
                resolved.push(path.clone());
            }
        }
        Design {
            base_values: base_values(s, &resolved),
            resolved,
            columns,
            axes,
            conditions: sweep.conditions.clone(),
            sample_kinds,
            sample,
            samples,
            len: cells.saturating_mul(samples),
        }
    }

    /// Number of design points.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the design has no points (never, for a validated scenario).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The parameter values of point `index`.
    pub fn point(&self, index: u64) -> DesignPoint {
        let mut values = Vec::with_capacity(self.columns.len());
        let (mut cell, sample_index) = (index / self.samples, index % self.samples);
        let mut grid = vec![Value::Int(0); self.axes.len()];
        for (slot, axis) in grid.iter_mut().zip(&self.axes).rev() {
            let n = axis.len() as u64;
            *slot = axis[(cell % n) as usize].clone();
            cell /= n;
        }
        values.extend(grid);
        let dims = self.sample_kinds.len();
        for (d, kind) in self.sample_kinds.iter().enumerate() {
            let x = self.sample[sample_index as usize * dims + d];
            values.push(match kind {
                Kind::Int { .. } => Value::Int(x.round() as i64),
                _ => Value::Float(x),
            });
        }
        DesignPoint { index, values }
    }

    /// Every column of the tables' parameters: [`Design::columns`], then
    /// [`Design::resolved`].
    pub fn table_columns(&self) -> Vec<String> {
        self.columns.iter().chain(&self.resolved).cloned().collect()
    }

    /// The values of the resolved columns at point `index` (given its
    /// values from [`Design::point`]).
    pub fn resolved_values(&self, point: &DesignPoint) -> Vec<Value> {
        let condition = self
            .columns
            .iter()
            .position(|c| c == CONDITION)
            .and_then(|i| {
                self.conditions
                    .iter()
                    .find(|c| Value::Text(c.label.clone()) == point.values[i])
            });
        self.resolved
            .iter()
            .zip(&self.base_values)
            .map(|(path, base)| {
                condition
                    .and_then(|c| c.settings.iter().find(|(p, _)| p == path))
                    .map_or_else(|| base.clone(), |(_, v)| v.clone())
            })
            .collect()
    }

    /// The scenario of point `index`: the base with the point's values set.
    pub fn apply(&self, base: &Scenario, index: u64) -> Result<Scenario> {
        let point = self.point(index);
        let mut s = base.without_design();
        for (path, value) in self.columns.iter().zip(&point.values) {
            if path == CONDITION {
                let c = self
                    .conditions
                    .iter()
                    .find(|c| Value::Text(c.label.clone()) == *value)
                    .ok_or_else(|| {
                        Error::internal(format!("design point {index} names no condition"))
                    })?;
                for (p, v) in &c.settings {
                    s.set(p, v)?;
                }
            } else {
                s.set(path, value)?;
            }
        }
        Ok(s)
    }
}
