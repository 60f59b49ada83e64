//! The `[sweep]` section: which parameters vary, over what, and the design
//! (the list of parameter settings) it expands to.
//!
//! Design order, documented for users: named conditions
//! (`[[sweep.conditions]]`) first, then the grid axes in the order they are
//! written, the first varying slowest (like nested loops); when a
//! `[sweep.sample]` is present too, every cell is crossed with the same
//! sample points, which vary fastest. Point `i` is computed from `i` alone,
//! so a design of millions of points needs no memory beyond its sample.

use super::params::{self, Kind, Value};
use super::parse::Ctx;
use super::{Limits, Problem, Scenario};
use crate::rng;
use rand::RngExt;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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

/// A closed interval for sampled parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Lower end.
    pub from: f64,
    /// Upper end.
    pub to: f64,
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

    fn from_name(s: &str) -> Option<Self> {
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

/// A parameter sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Replications per point (overrides the top-level `replications`).
    pub replications: Option<u32>,
    /// Named conditions (the first, slowest axis).
    pub conditions: Vec<Condition>,
    /// Full-factorial grid axes, in the order written.
    pub grid: Vec<SweepAxis>,
    /// Optional sampled parameters.
    pub sample: Option<Sample>,
}

/// The expanded design of a scenario: one point per parameter setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Column names: `condition` (when there are named conditions), grid
    /// paths, then sampled paths.
    pub columns: Vec<String>,
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
            let unit = sa.unit_design(rng::sensitivity_seed(s.seed));
            let dims = sa.parameters.len();
            let mut sample = Vec::with_capacity(unit.len() * dims);
            for row in &unit {
                for (u, (_, r)) in row.iter().zip(&sa.parameters) {
                    sample.push(crate::sensitivity::scale(*u, r.from, r.to));
                }
            }
            return Design {
                columns: sa.parameters.iter().map(|(p, _)| p.clone()).collect(),
                axes: Vec::new(),
                conditions: Vec::new(),
                sample_kinds: vec![Kind::Float { min: 0.0, max: 1.0 }; dims],
                sample,
                samples: unit.len() as u64,
                len: unit.len() as u64,
            };
        }
        let Some(sweep) = &s.sweep else {
            return Design {
                columns: Vec::new(),
                axes: Vec::new(),
                conditions: Vec::new(),
                sample_kinds: Vec::new(),
                sample: Vec::new(),
                samples: 1,
                len: 1,
            };
        };
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
            let dims = sm.ranges.len();
            let n = sm.samples as usize;
            let mut rng = rng::design_rng(s.seed);
            sample = vec![0.0; n * dims];
            for (d, (path, range)) in sm.ranges.iter().enumerate() {
                columns.push(path.clone());
                let kind = params::kind_of(s, path).unwrap_or(Kind::Float { min: 0.0, max: 1.0 });
                sample_kinds.push(kind);
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
        }
        let cells: u64 = axes.iter().map(|a| a.len() as u64).product();
        Design {
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

    /// The scenario of point `index`: the base with the point's values set.
    pub fn apply(&self, base: &Scenario, index: u64) -> Result<Scenario, String> {
        let point = self.point(index);
        let mut s = base.without_design();
        for (path, value) in self.columns.iter().zip(&point.values) {
            if path == CONDITION {
                let c = self
                    .conditions
                    .iter()
                    .find(|c| Value::Text(c.label.clone()) == *value);
                for (p, v) in c.map(|c| c.settings.as_slice()).unwrap_or_default() {
                    params::set(&mut s, p, v)?;
                }
            } else {
                params::set(&mut s, path, value)?;
            }
        }
        Ok(s)
    }
}

/// Rounds a computed grid value to 12 decimals so that 0.1 + 0.2 prints 0.3.
fn tidy(x: f64) -> f64 {
    let r = (x * 1e12).round() / 1e12;
    if r == 0.0 { 0.0 } else { r }
}

/// Parses `[sweep]`. Problems go to `ctx`.
pub(crate) fn parse(ctx: &mut Ctx, value: &Spanned<DeValue<'_>>, base: &Scenario) -> Option<Sweep> {
    let Some(table) = value.get_ref().as_table() else {
        ctx.problem("sweep", value.span(), "expected a table [sweep]");
        return None;
    };
    let before = ctx.problems.len();
    let mut sweep = Sweep {
        replications: None,
        conditions: Vec::new(),
        grid: Vec::new(),
        sample: None,
    };
    for (key, v) in table.iter() {
        match key.get_ref().as_ref() {
            "replications" => {
                let kind = params::find("replications")
                    .map(|p| p.kind)
                    .unwrap_or(Kind::Bool);
                if let Some(Value::Int(n)) = ctx.value("sweep.replications", kind, v) {
                    sweep.replications = Some(n as u32);
                }
            }
            "grid" => match v.get_ref().as_table() {
                Some(t) => grid_table(ctx, "", t, base, &mut sweep.grid),
                None => ctx.problem("sweep.grid", v.span(), "expected a table [sweep.grid]"),
            },
            "sample" => sweep.sample = sample(ctx, v, base),
            "conditions" => sweep.conditions = conditions(ctx, v, base),
            other => ctx.unknown(
                &format!("sweep.{other}"),
                other,
                key.span(),
                &["replications", "conditions", "grid", "sample"],
            ),
        }
    }
    if sweep.grid.is_empty()
        && sweep.sample.is_none()
        && sweep.conditions.is_empty()
        && ctx.problems.len() == before
    {
        ctx.problem(
            "sweep",
            value.span(),
            "a [sweep] needs a [sweep.grid] or a [sweep.sample] with at least one parameter",
        );
    }
    for axis in &sweep.grid {
        if let Some(sm) = &sweep.sample
            && sm.ranges.iter().any(|(p, _)| p == &axis.path)
        {
            ctx.problem(
                &axis.path,
                value.span(),
                "is both in [sweep.grid] and [sweep.sample]; keep one",
            );
        }
    }
    // Size limits.
    let reps = u64::from(sweep.replications.unwrap_or(base.replications));
    for c in &sweep.conditions {
        for (path, _) in &c.settings {
            if sweep.grid.iter().any(|a| &a.path == path)
                || sweep
                    .sample
                    .as_ref()
                    .is_some_and(|s| s.ranges.iter().any(|(p, _)| p == path))
            {
                ctx.problem(
                    path,
                    value.span(),
                    format!(
                        "is set by condition \"{}\" and swept too; keep one",
                        c.label
                    ),
                );
            }
        }
    }
    let mut points: u64 = (sweep.conditions.len() as u64).max(1);
    for axis in &sweep.grid {
        points = points.saturating_mul(axis.values.len() as u64);
    }
    if let Some(sm) = &sweep.sample {
        points = points.saturating_mul(u64::from(sm.samples));
    }
    if points > MAX_POINTS {
        ctx.problem(
            "sweep",
            value.span(),
            format!("the design has {points} points; at most {MAX_POINTS} are allowed (split the experiment)"),
        );
    } else if points.saturating_mul(reps) > MAX_RUNS {
        ctx.problem(
            "sweep",
            value.span(),
            format!(
                "{points} points × {reps} replications = {} runs; at most {MAX_RUNS} runs can be stored in one sweep",
                points.saturating_mul(reps)
            ),
        );
    }
    (ctx.problems.len() == before).then_some(sweep)
}

/// Checks that `path` can be swept in `base`; returns its kind.
fn sweepable(
    ctx: &mut Ctx,
    path: &str,
    span: std::ops::Range<usize>,
    base: &Scenario,
) -> Option<Kind> {
    match params::kind_of(base, path) {
        Ok(kind) => {
            if let Some(p) = params::find(path) {
                if !p.sweepable {
                    ctx.problem(path, span, "cannot be swept");
                    return None;
                }
                if !p.scope.applies_to(base.model) {
                    ctx.problem(
                        path,
                        span,
                        format!("has no effect with model = \"{}\"", base.model.name()),
                    );
                    return None;
                }
            }
            Some(kind)
        }
        Err(msg) => {
            ctx.problem(path, span, msg);
            None
        }
    }
}

/// Parses `[[sweep.conditions]]`.
fn conditions(ctx: &mut Ctx, v: &Spanned<DeValue<'_>>, base: &Scenario) -> Vec<Condition> {
    let items = match v.get_ref() {
        DeValue::Array(items) if items.iter().all(|i| i.get_ref().is_table()) => items,
        _ => {
            ctx.problem(
                "sweep.conditions",
                v.span(),
                "expected [[sweep.conditions]] entries, each with a `label` and parameter settings",
            );
            return Vec::new();
        }
    };
    let mut out: Vec<Condition> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("sweep.conditions[{i}]");
        let Some(table) = item.get_ref().as_table() else {
            continue;
        };
        let label = match table.get("label") {
            Some(l) => match ctx.value(&format!("{here}.label"), Kind::Text { max_len: 60 }, l) {
                Some(Value::Text(t)) if t.trim().is_empty() => {
                    ctx.problem(&format!("{here}.label"), l.span(), "the label is empty");
                    None
                }
                Some(Value::Text(t)) if out.iter().any(|c| c.label == t) => {
                    ctx.problem(
                        &format!("{here}.label"),
                        l.span(),
                        format!("the label \"{t}\" is used twice"),
                    );
                    None
                }
                Some(Value::Text(t)) => Some(t),
                _ => None,
            },
            None => {
                ctx.problem(
                    &here,
                    item.span(),
                    "a condition needs a `label`, e.g. label = \"integrated\"",
                );
                None
            }
        };
        let mut settings = Vec::new();
        settings_table(ctx, "", table, base, &mut settings);
        if settings.is_empty() {
            ctx.problem(
                &here,
                item.span(),
                "a condition needs at least one setting, e.g. \"managers.focus\" = 0.8",
            );
        }
        if let Some(label) = label {
            out.push(Condition { label, settings });
        }
    }
    out
}

/// The settings of a condition: every key but `label`, flattened to paths.
fn settings_table(
    ctx: &mut Ctx,
    prefix: &str,
    table: &DeTable<'_>,
    base: &Scenario,
    out: &mut Vec<(String, Value)>,
) {
    for (key, v) in table.iter() {
        if prefix.is_empty() && key.get_ref() == "label" {
            continue;
        }
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if let DeValue::Table(t) = v.get_ref() {
            settings_table(ctx, &path, t, base, out);
            continue;
        }
        let Some(kind) = sweepable(ctx, &path, key.span(), base) else {
            continue;
        };
        if let Some(value) = ctx.value(&path, kind, v) {
            out.push((path, value));
        }
    }
}

/// Reads a `{ from, to }` table (values checked against `kind`, `from`
/// not above `to`).
pub(crate) fn closed_range(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
    t: &DeTable<'_>,
) -> Option<Range> {
    let (mut from, mut to) = (None, None);
    for (rk, x) in t.iter() {
        let kp = format!("{path}.{}", rk.get_ref());
        match rk.get_ref().as_ref() {
            "from" => from = ctx.value(&kp, kind, x).and_then(|x| x.as_f64()),
            "to" => to = ctx.value(&kp, kind, x).and_then(|x| x.as_f64()),
            other => ctx.unknown(&kp, other, rk.span(), &["from", "to"]),
        }
    }
    match (from, to) {
        (Some(from), Some(to)) if from <= to => Some(Range { from, to }),
        (Some(from), Some(to)) => {
            ctx.problem(
                path,
                v.span(),
                format!("`from` ({from}) is above `to` ({to})"),
            );
            None
        }
        _ => {
            if !t.contains_key("from") || !t.contains_key("to") {
                ctx.problem(
                    path,
                    v.span(),
                    "a range needs `from` and `to`, e.g. { from = 0.1, to = 0.9 }",
                );
            }
            None
        }
    }
}

fn is_range(t: &DeTable<'_>) -> bool {
    t.iter()
        .any(|(k, _)| matches!(k.get_ref().as_ref(), "from" | "to" | "steps"))
}

fn grid_table(
    ctx: &mut Ctx,
    prefix: &str,
    table: &DeTable<'_>,
    base: &Scenario,
    out: &mut Vec<SweepAxis>,
) {
    for (key, v) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        match v.get_ref() {
            DeValue::Table(t) if !is_range(t) => grid_table(ctx, &path, t, base, out),
            _ => {
                let Some(kind) = sweepable(ctx, &path, key.span(), base) else {
                    continue;
                };
                if let Some(values) = axis_values(ctx, &path, kind, v) {
                    out.push(SweepAxis { path, values });
                }
            }
        }
    }
}

fn axis_values(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
) -> Option<Vec<Value>> {
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                ctx.problem(
                    path,
                    v.span(),
                    "the list of values is empty; give at least one value",
                );
                return None;
            }
            let mut values = Vec::new();
            let mut seen = std::collections::BTreeSet::new();
            let mut ok = true;
            for item in items.iter() {
                match ctx.value(path, kind, item) {
                    Some(x) if !seen.insert(x.to_toml()) => {
                        ctx.problem(path, item.span(), format!("the value {x} is listed twice"));
                        ok = false;
                    }
                    Some(x) => values.push(x),
                    None => ok = false,
                }
            }
            ok.then_some(values)
        }
        DeValue::Table(t) => {
            let (mut from, mut to, mut steps) = (None, None, None);
            for (k, x) in t.iter() {
                let kp = format!("{path}.{}", k.get_ref());
                match k.get_ref().as_ref() {
                    "from" => from = ctx.value(&kp, kind, x),
                    "to" => to = ctx.value(&kp, kind, x),
                    "steps" => {
                        steps = ctx.value(
                            &kp,
                            Kind::Int {
                                min: 1,
                                max: 1_000_000,
                            },
                            x,
                        )
                    }
                    other => ctx.unknown(&kp, other, k.span(), &["from", "to", "steps"]),
                }
            }
            let (Some(from), Some(to), Some(Value::Int(steps))) = (from, to, steps) else {
                if !t.contains_key("from") || !t.contains_key("to") || !t.contains_key("steps") {
                    ctx.problem(path, v.span(), "a grid range needs `from`, `to` and `steps`, e.g. { from = 0.1, to = 0.9, steps = 5 }");
                }
                return None;
            };
            let (Some(a), Some(b)) = (from.as_f64(), to.as_f64()) else {
                ctx.problem(path, v.span(), "a range needs numbers; list names instead, e.g. [\"zero_sum\", \"freedom_safety\"]");
                return None;
            };
            let values: Vec<Value> = (0..steps)
                .map(|i| {
                    let x = if steps == 1 {
                        a
                    } else {
                        a + (b - a) * i as f64 / (steps - 1) as f64
                    };
                    match kind {
                        Kind::Int { .. } => Value::Int(x.round() as i64),
                        _ => Value::Float(tidy(x)),
                    }
                })
                .collect();
            let mut dedup = values.clone();
            dedup.dedup();
            if dedup.len() != values.len() {
                ctx.problem(
                    path,
                    v.span(),
                    format!(
                        "{steps} steps from {a} to {b} repeat whole numbers; use at most {} steps",
                        (b - a).abs() as i64 + 1
                    ),
                );
                return None;
            }
            Some(values)
        }
        _ => {
            ctx.problem(
                path,
                v.span(),
                format!(
                    "expected a list of values or a range {{ from, to, steps }}; each value {}",
                    kind.allowed()
                ),
            );
            None
        }
    }
}

fn sample(ctx: &mut Ctx, v: &Spanned<DeValue<'_>>, base: &Scenario) -> Option<Sample> {
    let Some(table) = v.get_ref().as_table() else {
        ctx.problem("sweep.sample", v.span(), "expected a table [sweep.sample]");
        return None;
    };
    let before = ctx.problems.len();
    let (mut method, mut samples, mut ranges) = (None, None, Vec::new());
    sample_table(ctx, "", table, base, &mut method, &mut samples, &mut ranges);
    if method.is_none() && ctx.problems.len() == before {
        ctx.problem(
            "sweep.sample",
            v.span(),
            "needs `method = \"lhs\"` or `method = \"random\"`",
        );
    }
    if samples.is_none() && ctx.problems.len() == before {
        ctx.problem(
            "sweep.sample",
            v.span(),
            "needs `samples = N` (the number of sample points)",
        );
    }
    if ranges.is_empty() && ctx.problems.len() == before {
        ctx.problem("sweep.sample", v.span(), "needs at least one parameter range, e.g. \"managers.focus\" = { from = 0.1, to = 0.9 }");
    }
    if ctx.problems.len() != before {
        return None;
    }
    Some(Sample {
        method: method?,
        samples: samples?,
        ranges,
    })
}

#[allow(clippy::too_many_arguments)]
fn sample_table(
    ctx: &mut Ctx,
    prefix: &str,
    table: &DeTable<'_>,
    base: &Scenario,
    method: &mut Option<SampleMethod>,
    samples: &mut Option<u32>,
    ranges: &mut Vec<(String, Range)>,
) {
    for (key, v) in table.iter() {
        let k = key.get_ref().as_ref();
        if prefix.is_empty() && k == "method" {
            if let Some(Value::Text(m)) =
                ctx.value("sweep.sample.method", Kind::Choice(SampleMethod::NAMES), v)
            {
                *method = SampleMethod::from_name(&m);
            }
            continue;
        }
        if prefix.is_empty() && k == "samples" {
            if let Some(Value::Int(n)) = ctx.value(
                "sweep.sample.samples",
                Kind::Int {
                    min: 1,
                    max: MAX_POINTS as i64,
                },
                v,
            ) {
                *samples = Some(n as u32);
            }
            continue;
        }
        let path = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match v.get_ref() {
            DeValue::Table(t) if !is_range(t) => {
                sample_table(ctx, &path, t, base, method, samples, ranges)
            }
            DeValue::Table(t) => {
                let Some(kind) = sweepable(ctx, &path, key.span(), base) else {
                    continue;
                };
                if !matches!(kind, Kind::Float { .. } | Kind::Int { .. }) {
                    ctx.problem(
                        &path,
                        key.span(),
                        "only numbers can be sampled; put it in [sweep.grid] instead",
                    );
                    continue;
                }
                if let Some(r) = closed_range(ctx, &path, kind, v, t) {
                    ranges.push((path, r));
                }
            }
            _ => ctx.problem(&path, v.span(), "expected a range { from = …, to = … }"),
        }
    }
}

/// Checks the cross-field rules at every design point (stops after a few
/// problems so a large design cannot flood the terminal).
pub(crate) fn validate_design(s: &Scenario, limits: &Limits) -> Vec<Problem> {
    let design = Design::build(s);
    let mut problems = Vec::new();
    for i in 0..design.len() {
        let checked = design
            .apply(s, i)
            .map_err(|m| vec![Problem::new("sweep", None, m)])
            .and_then(|p| {
                let found = super::validate::validate(&p, limits, &Default::default());
                if found.is_empty() { Ok(()) } else { Err(found) }
            });
        if let Err(found) = checked {
            let at = design
                .columns
                .iter()
                .zip(&design.point(i).values)
                .map(|(c, v)| format!("{c} = {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            for p in found {
                problems.push(Problem::new(
                    p.path,
                    p.line,
                    format!("at design point {i} ({at}): {}", p.message),
                ));
            }
            if problems.len() >= 5 {
                break;
            }
        }
    }
    problems
}
