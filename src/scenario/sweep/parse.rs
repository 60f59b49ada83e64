//! Reading `[sweep]`: conditions, grid axes (lists or `{ from, to, steps }`
//! ranges) and samples, each value checked against the key it sets, every
//! problem collected with its line, and the size limits of a design.

use super::{Condition, MAX_POINTS, MAX_RUNS, Precision, Sample, SampleMethod, Sweep, SweepAxis};
use crate::model;
use crate::params::{Ctx, Kind, Value, closed_range};
use crate::scenario::Scenario;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

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
    let mut target_max = None;
    let mut sweep = Sweep {
        replications: None,
        target: None,
        conditions: Vec::new(),
        grid: Vec::new(),
        sample: None,
    };
    for (key, v) in table.iter() {
        match key.get_ref().as_ref() {
            "replications" => {
                let kind = Kind::Int {
                    min: 1,
                    max: 1_000_000,
                };
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
            "target_ci95" => (sweep.target, target_max) = precision(ctx, v, base),
            other => ctx.unknown(
                &format!("sweep.{other}"),
                other,
                key.span(),
                &[
                    "replications",
                    "target_ci95",
                    "conditions",
                    "grid",
                    "sample",
                ],
                &[],
            ),
        }
    }
    let empty = ctx.problems.len() == before;
    check_design(ctx, &sweep, target_max, value.span(), base, empty);
    (ctx.problems.len() == before).then_some(sweep)
}

/// What the parts of `[sweep]` must agree on: something to sweep, no key
/// both swept and sampled or set by a condition, a precision target that
/// fits the first round, and a design within the size limits. `span` is
/// `[sweep]`'s; `read_cleanly` says the parts had no problem of their own.
fn check_design(
    ctx: &mut Ctx,
    sweep: &Sweep,
    target_max: Option<u32>,
    span: std::ops::Range<usize>,
    base: &Scenario,
    read_cleanly: bool,
) {
    if sweep.grid.is_empty()
        && sweep.sample.is_none()
        && sweep.conditions.is_empty()
        && read_cleanly
    {
        ctx.problem(
            "sweep",
            span.clone(),
            "a [sweep] needs a [sweep.grid] or a [sweep.sample] with at least one parameter",
        );
    }
    for axis in &sweep.grid {
        if let Some(sm) = &sweep.sample
            && sm.ranges.iter().any(|(p, _)| p == &axis.path)
        {
            ctx.problem(
                &axis.path,
                span.clone(),
                "is both in [sweep.grid] and [sweep.sample]; keep one",
            );
        }
    }
    let first = sweep.replications.unwrap_or(base.replications);
    if let Some(max) = target_max {
        if first < 2 {
            ctx.problem(
                "sweep.target_ci95",
                span.clone(),
                format!(
                    "a precision target starts from at least 2 replications (an interval needs two), \
                     but the first round has {first}; set replications = 2 or more"
                ),
            );
        } else if max < first {
            ctx.problem(
                "sweep.target_ci95.max_replications",
                span.clone(),
                format!("{max} is fewer than the {first} replications of the first round"),
            );
        }
    }
    // Size limits (a precision target may need up to its maximum).
    let reps = u64::from(
        sweep
            .target
            .as_ref()
            .map_or(first, |t| t.max_replications.max(first)),
    );
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
                    span.clone(),
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
            span.clone(),
            format!("the design has {points} points; at most {MAX_POINTS} are allowed (split the experiment)"),
        );
    } else if points.saturating_mul(reps) > MAX_RUNS {
        ctx.problem(
            "sweep",
            span.clone(),
            format!(
                "{points} points × {reps} replications = {} runs; at most {MAX_RUNS} runs can be stored in one sweep",
                points.saturating_mul(reps)
            ),
        );
    }
}

/// `target_ci95 = { metric = "essential", half_width = 0.01,
/// max_replications = 200 }`; also its maximum when that alone could be
/// read (so that it is checked whatever else is wrong).
fn precision(
    ctx: &mut Ctx,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
) -> (Option<Precision>, Option<u32>) {
    const PATH: &str = "sweep.target_ci95";
    let Some(t) = v.get_ref().as_table() else {
        ctx.problem(
            PATH,
            v.span(),
            "expected a table: target_ci95 = { metric = \"essential\", half_width = 0.01, max_replications = 200 }",
        );
        return (None, None);
    };
    let before = ctx.problems.len();
    let (mut metric, mut half_width, mut max_replications) = (None, None, None);
    for (key, item) in t.iter() {
        let path = format!("{PATH}.{}", key.get_ref());
        match key.get_ref().as_ref() {
            "metric" => {
                let names: Vec<&str> = base.model.run_metrics().iter().map(|m| m.name).collect();
                if let Some(Value::Text(m)) = ctx.value(&path, Kind::Text { max_len: 100 }, item) {
                    if names.contains(&m.as_str()) {
                        metric = Some(m);
                    } else {
                        let hint = crate::params::suggest(&m, names.iter().copied())
                            .map(|c| format!(" (did you mean \"{c}\"?)"))
                            .unwrap_or_default();
                        ctx.problem(
                            &path,
                            item.span(),
                            format!(
                                "\"{}\" is not a metric of model {}{hint}; `profspace metrics` lists them",
                                crate::params::ellipsis(&m),
                                base.model.name()
                            ),
                        );
                    }
                }
            }
            "half_width" => {
                let kind = Kind::Float {
                    min: 1e-12,
                    max: 1e12,
                };
                if let Some(Value::Float(x)) = ctx.value(&path, kind, item) {
                    half_width = Some(x);
                }
            }
            "max_replications" => {
                let kind = Kind::Int {
                    min: 2,
                    max: 1_000_000,
                };
                if let Some(Value::Int(n)) = ctx.value(&path, kind, item) {
                    max_replications = Some(n as u32);
                }
            }
            other => ctx.unknown(
                &path,
                other,
                key.span(),
                &["metric", "half_width", "max_replications"],
                &[],
            ),
        }
    }
    for (name, missing) in [
        ("metric", metric.is_none()),
        ("half_width", half_width.is_none()),
        ("max_replications", max_replications.is_none()),
    ] {
        if missing && ctx.problems.len() == before {
            ctx.problem(PATH, v.span(), format!("`{name}` is missing"));
        }
    }
    let found = (|| {
        Some(Precision {
            metric: metric?,
            half_width: half_width?,
            max_replications: max_replications?,
        })
    })();
    (found, max_replications)
}

/// Checks that `path` can be swept in `base`; returns its kind.
pub(crate) fn sweepable(
    ctx: &mut Ctx,
    path: &str,
    span: std::ops::Range<usize>,
    base: &Scenario,
) -> Option<Kind> {
    match base.kind_of(path) {
        Ok((kind, true)) => Some(kind),
        Ok((_, false)) => {
            ctx.problem(path, span, "cannot be swept");
            None
        }
        Err(e) => {
            let other = model::all().into_iter().find(|m| {
                m.name() != base.model.name() && m.params().iter().any(|p| p.path == path)
            });
            match other {
                Some(_) => ctx.problem(
                    path,
                    span,
                    format!("has no effect with model = \"{}\"", base.model.name()),
                ),
                None => ctx.problem(path, span, e.to_string()),
            }
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

/// The values of one grid axis at `path`: a list of values, or a range
/// `{ from, to, steps }`; `None` with the problems in `ctx`.
fn axis_values(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
) -> Option<Vec<Value>> {
    match v.get_ref() {
        DeValue::Array(items) => listed_values(ctx, path, kind, v, items),
        DeValue::Table(t) => range_values(ctx, path, kind, v, t),
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

/// A grid axis given as a list (`v`, whose items are `items`): at least
/// one value, each of the key's kind, none twice.
fn listed_values(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
    items: &DeArray<'_>,
) -> Option<Vec<Value>> {
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

/// A grid axis given as a range (`v`, whose table is `t`): `steps` values
/// evenly spaced from `from` to `to`, rounded for a whole-number key, none
/// repeated.
fn range_values(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
    t: &DeTable<'_>,
) -> Option<Vec<Value>> {
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
            other => ctx.unknown(&kp, other, k.span(), &["from", "to", "steps"], &[]),
        }
    }
    let (Some(from), Some(to), Some(Value::Int(steps))) = (from, to, steps) else {
        if !t.contains_key("from") || !t.contains_key("to") || !t.contains_key("steps") {
            ctx.problem(path, v.span(), "a grid range needs `from`, `to` and `steps`, e.g. { from = 0.1, to = 0.9, steps = 5 }");
        }
        return None;
    };
    let (Some(a), Some(b)) = (from.as_f64(), to.as_f64()) else {
        ctx.problem(
            path,
            v.span(),
            "a range needs numbers; list names instead, e.g. [\"zero_sum\", \"freedom_safety\"]",
        );
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

fn sample(ctx: &mut Ctx, v: &Spanned<DeValue<'_>>, base: &Scenario) -> Option<Sample> {
    let Some(table) = v.get_ref().as_table() else {
        ctx.problem("sweep.sample", v.span(), "expected a table [sweep.sample]");
        return None;
    };
    let before = ctx.problems.len();
    let (mut method, mut samples, mut ranges) = (None, None, Vec::new());
    let mut kinds = Vec::new();
    sample_table(
        ctx,
        "",
        table,
        base,
        &mut method,
        &mut samples,
        &mut ranges,
        &mut kinds,
    );
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
        kinds,
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
    ranges: &mut Vec<(String, crate::params::Range)>,
    kinds: &mut Vec<Kind>,
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
                sample_table(ctx, &path, t, base, method, samples, ranges, kinds)
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
                    kinds.push(kind);
                }
            }
            _ => ctx.problem(&path, v.span(), "expected a range { from = …, to = … }"),
        }
    }
}
