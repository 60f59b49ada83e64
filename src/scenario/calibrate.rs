//! The `[calibrate]` section: which keys are inferred from observations
//! (their priors), what was observed (the targets), and how the ABC-SMC
//! search runs (particles, generations, the tolerance quantile, stops). It
//! is read here, with every problem and its line; the search itself lives
//! in `crate::calibrate`.
//!
//! ```toml
//! [calibrate]
//! particles = 500
//! generations = 8
//! quantile = 0.5
//! replications = 1
//!
//! [calibrate.priors]
//! "managers.focus" = { uniform = [0.0, 1.0] }
//! coupling = { choice = ["zero_sum", "freedom_safety"] }
//!
//! [calibrate.targets]
//! purpose = { value = 0.42, sd = 0.02 }
//! # or: observed = "observed.csv" (columns metric,value,sd)
//! ```

use super::Scenario;
use crate::error::{Error, Result};
use crate::params::{self, Ctx, Kind, Value};
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A prior of one key.
#[derive(Clone, Debug, PartialEq)]
pub enum Prior {
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal with `mean` and `sd`, truncated to the key's allowed range
    /// `[lo, hi]`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower end of the key's range.
        lo: f64,
        /// Upper end of the key's range.
        hi: f64,
    },
    /// Each of the values with the same probability.
    Choice(Vec<Value>),
}

impl Prior {
    /// The smallest and largest value the prior gives (continuous priors).
    pub fn support(&self) -> Option<(f64, f64)> {
        match *self {
            Prior::Uniform { lo, hi } | Prior::Normal { lo, hi, .. } => Some((lo, hi)),
            Prior::Choice(_) => None,
        }
    }

    /// The prior as written in a scenario file.
    pub fn to_toml(&self) -> String {
        let f = params::format_float;
        match self {
            Prior::Uniform { lo, hi } => format!("{{ uniform = [{}, {}] }}", f(*lo), f(*hi)),
            Prior::Normal { mean, sd, .. } => {
                format!("{{ normal = [{}, {}] }}", f(*mean), f(*sd))
            }
            Prior::Choice(values) => format!(
                "{{ choice = [{}] }}",
                values
                    .iter()
                    .map(Value::to_toml)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// In words, for summaries: `uniform on [0, 1]`.
    pub fn describe(&self) -> String {
        match self {
            Prior::Uniform { lo, hi } => format!("uniform on [{lo}, {hi}]"),
            Prior::Normal { mean, sd, lo, hi } => {
                format!("normal (mean {mean}, sd {sd}) within [{lo}, {hi}]")
            }
            Prior::Choice(values) => format!(
                "one of {} with equal probability",
                values
                    .iter()
                    .map(|v| v.to_toml())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// One observed value: the final-window mean of a run metric, and the sd
/// that scales its distance.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// A run metric of the model.
    pub metric: String,
    /// The observed value.
    pub value: f64,
    /// Its scale in the distance (the uncertainty of the observation).
    pub sd: f64,
}

/// A calibration: priors, targets and the settings of the search.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibrate {
    /// Particles of each generation.
    pub particles: u32,
    /// Most generations (generation 0 included).
    pub generations: u32,
    /// The next tolerance is this quantile of the accepted distances.
    pub quantile: f64,
    /// Runs averaged per simulated particle.
    pub replications: u32,
    /// Stop once the tolerance is at or below this.
    pub min_epsilon: Option<f64>,
    /// Stop when a generation's acceptance rate would fall below this.
    pub min_acceptance: Option<f64>,
    /// Stop when the simulations would exceed this.
    pub max_simulations: Option<u64>,
    /// Keys and their priors, in the order written.
    pub priors: Vec<(String, Prior)>,
    /// The observed values, in the order written (or of the observed file).
    pub targets: Vec<Target>,
    /// The observed file the targets were read from, as written.
    pub observed: Option<String>,
}

impl Calibrate {
    /// What a calibration of its own still lacks (a diagnosis fills in
    /// the priors and the targets from the model's survey): `None` when it
    /// can run.
    pub fn missing(&self) -> Option<String> {
        if self.priors.is_empty() {
            return Some(
                "`calibrate.priors`: a calibration needs a [calibrate.priors] table with at least \
                 one key, e.g. \"managers.focus\" = { uniform = [0.0, 1.0] }"
                    .into(),
            );
        }
        if self.targets.is_empty() {
            return Some(
                "`calibrate.targets`: a calibration needs at least one observed value in \
                 [calibrate.targets], e.g. purpose = { value = 0.42, sd = 0.02 }, or observed = \
                 \"observed.csv\""
                    .into(),
            );
        }
        None
    }
}

/// Most particles a generation may have.
pub const MAX_PARTICLES: i64 = 1_000_000;

/// The keys of `[calibrate]`.
const KEYS: [&str; 9] = [
    "particles",
    "generations",
    "quantile",
    "replications",
    "min_epsilon",
    "min_acceptance",
    "max_simulations",
    "priors",
    "targets",
];

/// Parses `[calibrate]`. `dir` is the folder of the scenario file, where a
/// relative `observed` file is looked for (`None`: the current folder).
pub(crate) fn parse(
    ctx: &mut Ctx,
    value: &Spanned<DeValue<'_>>,
    base: &Scenario,
    dir: Option<&Path>,
) -> Option<Calibrate> {
    let Some(table) = value.get_ref().as_table() else {
        ctx.problem("calibrate", value.span(), "expected a table [calibrate]");
        return None;
    };
    let before = ctx.problems.len();
    let mut out = Calibrate {
        particles: 500,
        generations: 8,
        quantile: 0.5,
        replications: 1,
        min_epsilon: None,
        min_acceptance: None,
        max_simulations: None,
        priors: Vec::new(),
        targets: Vec::new(),
        observed: None,
    };
    for (key, v) in table.iter() {
        setting(ctx, key.get_ref(), key.span(), v, base, dir, &mut out);
    }
    // Priors and targets may be left out here: a diagnosis gives its own
    // (see `Calibrate::missing`).
    if ctx.problems.len() == before {
        no_prior_is_a_target(ctx, &out, value.span());
    }
    (ctx.problems.len() == before).then_some(out)
}

/// Reads one key `k` of `[calibrate]` into `out`.
fn setting(
    ctx: &mut Ctx,
    k: &str,
    key_span: std::ops::Range<usize>,
    v: &Spanned<DeValue<'_>>,
    base: &Scenario,
    dir: Option<&Path>,
    out: &mut Calibrate,
) {
    let path = format!("calibrate.{k}");
    let int = |ctx: &mut Ctx, min: i64, max: i64| match ctx.value(&path, Kind::Int { min, max }, v)
    {
        Some(Value::Int(n)) => Some(n),
        _ => None,
    };
    let real =
        |ctx: &mut Ctx, min: f64, max: f64| match ctx.value(&path, Kind::Float { min, max }, v) {
            Some(Value::Float(x)) => Some(x),
            _ => None,
        };
    match k {
        "particles" => {
            if let Some(n) = int(ctx, 2, MAX_PARTICLES) {
                out.particles = n as u32;
            }
        }
        "generations" => {
            if let Some(n) = int(ctx, 1, 1000) {
                out.generations = n as u32;
            }
        }
        "quantile" => {
            if let Some(q) = real(ctx, 0.0, 1.0) {
                if q <= 0.0 || q >= 1.0 {
                    ctx.problem(
                        &path,
                        v.span(),
                        format!(
                            "{q} leaves no room to shrink the tolerance; expected a number \
                             strictly between 0 and 1 (0.5: the median)"
                        ),
                    );
                } else {
                    out.quantile = q;
                }
            }
        }
        "replications" => {
            if let Some(n) = int(ctx, 1, 10_000) {
                out.replications = n as u32;
            }
        }
        "min_epsilon" => out.min_epsilon = real(ctx, 0.0, f64::MAX),
        "min_acceptance" => {
            if let Some(x) = real(ctx, 0.0, 1.0) {
                if x <= 0.0 {
                    ctx.problem(
                        &path,
                        v.span(),
                        "0 never stops; expected a number above 0 and at most 1 (e.g. 0.01), or leave the key out",
                    );
                } else {
                    out.min_acceptance = Some(x);
                }
            }
        }
        "max_simulations" => {
            out.max_simulations = int(ctx, 1, 1_000_000_000_000).map(|n| n as u64);
        }
        "priors" => match v.get_ref().as_table() {
            Some(t) => priors(ctx, "", t, base, &mut out.priors),
            None => ctx.problem(&path, v.span(), "expected a table [calibrate.priors]"),
        },
        "targets" => match v.get_ref().as_table() {
            Some(t) => targets(ctx, t, base, dir, out),
            None => ctx.problem(&path, v.span(), "expected a table [calibrate.targets]"),
        },
        other => ctx.unknown(&path, other, key_span, &KEYS, &[]),
    }
}

/// A key with a prior that is also a target metric: a problem, since
/// `particles.csv` could not tell their columns apart.
fn no_prior_is_a_target(ctx: &mut Ctx, out: &Calibrate, span: std::ops::Range<usize>) {
    let sims: std::collections::BTreeSet<&str> =
        out.targets.iter().map(|t| t.metric.as_str()).collect();
    for (key, _) in &out.priors {
        if sims.contains(key.as_str()) {
            ctx.problem(
                &format!("calibrate.priors.{key}"),
                span.clone(),
                "is both a key with a prior and a target metric; particles.csv could not tell them apart",
            );
        }
    }
}

/// The names of the prior kinds.
const PRIOR_KINDS: [&str; 3] = ["uniform", "normal", "choice"];

/// Reads `[calibrate.priors]`: `key = { uniform = [lo, hi] }`, `{ normal =
/// [mean, sd] }` or `{ choice = [...] }`; keys may be quoted dotted paths or
/// nested tables.
fn priors(
    ctx: &mut Ctx,
    prefix: &str,
    table: &DeTable<'_>,
    base: &Scenario,
    out: &mut Vec<(String, Prior)>,
) {
    for (key, v) in table.iter() {
        let path = params::join(prefix, key.get_ref());
        let shown = format!("calibrate.priors.{path}");
        let Some(t) = v.get_ref().as_table() else {
            ctx.problem(
                &shown,
                v.span(),
                "expected a prior: { uniform = [lo, hi] }, { normal = [mean, sd] } or { choice = [...] }",
            );
            continue;
        };
        if !PRIOR_KINDS.iter().any(|k| t.contains_key(*k)) {
            priors(ctx, &path, t, base, out);
            continue;
        }
        let (kind, sweepable) = match base.kind_of(&path) {
            Ok(found) => found,
            Err(e) => {
                ctx.problem(&shown, key.span(), e.to_string());
                continue;
            }
        };
        if !sweepable {
            ctx.problem(
                &shown,
                key.span(),
                "is fixed for a scenario (like its seed or size of output) and cannot be calibrated",
            );
            continue;
        }
        if out.iter().any(|(p, _)| p == &path) {
            ctx.problem(&shown, key.span(), "has two priors");
            continue;
        }
        if t.len() != 1 {
            ctx.problem(
                &shown,
                v.span(),
                "a prior has exactly one of uniform, normal or choice",
            );
            continue;
        }
        let Some((which, spec)) = t.iter().next() else {
            continue;
        };
        let which_path = format!("{shown}.{}", which.get_ref());
        let prior = match which.get_ref().as_ref() {
            "uniform" | "normal" => continuous(ctx, &which_path, which.get_ref(), spec, kind),
            "choice" => choice(ctx, &which_path, spec, kind),
            other => {
                ctx.unknown(&which_path, other, which.span(), &PRIOR_KINDS, &[]);
                None
            }
        };
        if let Some(p) = prior {
            out.push((path, p));
        }
    }
}

/// Two numbers `[a, b]`.
fn pair(ctx: &mut Ctx, path: &str, v: &Spanned<DeValue<'_>>, what: &str) -> Option<(f64, f64)> {
    let items = match v.get_ref() {
        DeValue::Array(items) if items.len() == 2 => items,
        _ => {
            ctx.problem(path, v.span(), format!("expected two numbers {what}"));
            return None;
        }
    };
    let mut xs = [0.0; 2];
    for (x, item) in xs.iter_mut().zip(items.iter()) {
        *x = ctx
            .value(
                path,
                Kind::Float {
                    min: f64::MIN,
                    max: f64::MAX,
                },
                item,
            )?
            .as_f64()?;
    }
    Some((xs[0], xs[1]))
}

/// `uniform = [lo, hi]` or `normal = [mean, sd]` of a real-valued key.
fn continuous(
    ctx: &mut Ctx,
    path: &str,
    which: &str,
    v: &Spanned<DeValue<'_>>,
    kind: Kind,
) -> Option<Prior> {
    let Kind::Float { min, max } = kind else {
        ctx.problem(
            path,
            v.span(),
            format!(
                "a {which} prior needs a real-valued key, and this key takes {}; give it {{ choice = [...] }} instead",
                kind.allowed()
            ),
        );
        return None;
    };
    let range = format!("[{}, {}]", params::short(min), params::short(max));
    if which == "uniform" {
        let (lo, hi) = pair(ctx, path, v, "[lo, hi], e.g. [0.0, 1.0]")?;
        if lo < min || hi > max {
            ctx.problem(
                path,
                v.span(),
                format!(
                    "[{}, {}] is outside the key's allowed range {range}",
                    params::short(lo),
                    params::short(hi)
                ),
            );
            return None;
        }
        if lo >= hi {
            ctx.problem(
                path,
                v.span(),
                format!(
                    "the lower end {} is not below the upper end {}",
                    params::short(lo),
                    params::short(hi)
                ),
            );
            return None;
        }
        return Some(Prior::Uniform { lo, hi });
    }
    let (mean, sd) = pair(ctx, path, v, "[mean, sd], e.g. [0.5, 0.1]")?;
    if sd <= 0.0 {
        ctx.problem(
            path,
            v.span(),
            format!("the sd {} must be above 0", params::short(sd)),
        );
        return None;
    }
    if mean < min || mean > max {
        ctx.problem(
            path,
            v.span(),
            format!(
                "the mean {} is outside the key's allowed range {range}",
                params::short(mean)
            ),
        );
        return None;
    }
    let mass = crate::stats::normal_mass(mean, sd, min, max);
    if mass < 1e-3 {
        ctx.problem(
            path,
            v.span(),
            format!(
                "only {} of this normal lies inside the key's allowed range {range}; choose a \
                 mean inside it and an sd that keeps most of the prior there",
                params::sig3(mass)
            ),
        );
        return None;
    }
    Some(Prior::Normal {
        mean,
        sd,
        lo: min,
        hi: max,
    })
}

/// `choice = [...]`: at least two different allowed values.
fn choice(ctx: &mut Ctx, path: &str, v: &Spanned<DeValue<'_>>, kind: Kind) -> Option<Prior> {
    let DeValue::Array(items) = v.get_ref() else {
        ctx.problem(
            path,
            v.span(),
            format!("expected a list of values, each {}", kind.allowed()),
        );
        return None;
    };
    let mut values: Vec<Value> = Vec::new();
    for item in items.iter() {
        let value = ctx.value(path, kind, item)?;
        if values.contains(&value) {
            ctx.problem(
                path,
                item.span(),
                format!("{} is listed twice", value.to_toml()),
            );
            return None;
        }
        values.push(value);
    }
    if values.len() < 2 {
        ctx.problem(
            path,
            v.span(),
            "a choice needs at least two values (a single value is not inferred: set the key)",
        );
        return None;
    }
    Some(Prior::Choice(values))
}

/// Reads `[calibrate.targets]`: `metric = { value, sd }` entries, or
/// `observed = "file.csv"`.
fn targets(
    ctx: &mut Ctx,
    table: &DeTable<'_>,
    base: &Scenario,
    dir: Option<&Path>,
    out: &mut Calibrate,
) {
    let metrics: Vec<&str> = base.model.run_metrics().iter().map(|m| m.name).collect();
    for (key, v) in table.iter() {
        let k = key.get_ref().as_ref();
        let path = format!("calibrate.targets.{k}");
        if k == "observed" && !metrics.contains(&"observed") {
            observed_file(ctx, &path, v, dir, &metrics, out);
        } else if !metrics.contains(&k) {
            let hint = params::suggest(k, metrics.iter().copied())
                .map(|m| format!("did you mean `{m}`? "))
                .unwrap_or_default();
            ctx.problem(
                &path,
                key.span(),
                format!(
                    "`{k}` is not an output of this model; {hint}the outputs are {} (or `observed = \"file.csv\"`)",
                    metrics.join(", ")
                ),
            );
        } else {
            target(ctx, &path, k, key.span(), v, out);
        }
    }
}

/// Reads `observed = "file.csv"` (at `path`): the file's targets into
/// `out`, each metric observed once, and the file's name. A relative file
/// is looked for in `dir`.
fn observed_file(
    ctx: &mut Ctx,
    path: &str,
    v: &Spanned<DeValue<'_>>,
    dir: Option<&Path>,
    metrics: &[&str],
    out: &mut Calibrate,
) {
    let Some(Value::Text(file)) = ctx.value(path, Kind::Text { max_len: 4096 }, v) else {
        return;
    };
    let full = match dir {
        Some(d) => d.join(&file),
        None => Path::new(&file).to_path_buf(),
    };
    match read_observed(&full, metrics) {
        Ok(list) => {
            for t in list {
                if out.targets.iter().any(|o| o.metric == t.metric) {
                    ctx.problem(
                        path,
                        v.span(),
                        format!(
                            "`{}` is observed twice (in {file} and in the file)",
                            t.metric
                        ),
                    );
                } else {
                    out.targets.push(t);
                }
            }
            out.observed = Some(file);
        }
        Err(msg) => ctx.problem(path, v.span(), msg.to_string()),
    }
}

/// Reads one target, `k = { value = …, sd = … }` (at `path`), into `out`:
/// both numbers are needed, the sd above 0, and a metric is observed once.
fn target(
    ctx: &mut Ctx,
    path: &str,
    k: &str,
    key_span: std::ops::Range<usize>,
    v: &Spanned<DeValue<'_>>,
    out: &mut Calibrate,
) {
    let Some(t) = v.get_ref().as_table() else {
        ctx.problem(path, v.span(), "expected { value = …, sd = … }");
        return;
    };
    let (mut value, mut sd) = (None, None);
    for (tk, x) in t.iter() {
        let kp = format!("{path}.{}", tk.get_ref());
        let any = Kind::Float {
            min: f64::MIN,
            max: f64::MAX,
        };
        match tk.get_ref().as_ref() {
            "value" => value = ctx.value(&kp, any, x).and_then(|x| x.as_f64()),
            "sd" => match ctx.value(&kp, any, x).and_then(|x| x.as_f64()) {
                Some(s) if s <= 0.0 => ctx.problem(
                    &kp,
                    x.span(),
                    format!(
                        "{} is not above 0; the sd scales the distance, so it must be positive (e.g. the standard error of the observation)",
                        params::short(s)
                    ),
                ),
                found => sd = found,
            },
            other => ctx.unknown(&kp, other, tk.span(), &["value", "sd"], &[]),
        }
    }
    match (value, sd) {
        (Some(value), Some(sd)) => {
            if out.targets.iter().any(|o| o.metric == k) {
                ctx.problem(path, key_span, "is observed twice");
            } else {
                out.targets.push(Target {
                    metric: k.to_string(),
                    value,
                    sd,
                });
            }
        }
        (None, _) if !t.contains_key("value") => {
            ctx.problem(path, v.span(), "needs `value = …` (the observed mean)")
        }
        (_, None) if !t.contains_key("sd") => ctx.problem(
            path,
            v.span(),
            "needs `sd = …` (its scale in the distance, above 0)",
        ),
        _ => {}
    }
}

/// Reads an observed file: a CSV with the columns `metric,value,sd`.
/// Problems name the file, the line and the column.
pub fn read_observed(path: &Path, metrics: &[&str]) -> Result<Vec<Target>> {
    let shown = path.display();
    let text = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::usage(format!("the observed file {shown} does not exist (a relative path is read from the scenario's folder)"))
        } else {
            Error::io(format!("cannot read the observed file {shown}"), e)
        }
    })?;
    if text.len() > 1 << 20 {
        return Err(Error::usage(format!(
            "{shown} is larger than 1 MiB; an observed file holds a few lines"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::usage(format!("{shown}: line 1: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| -> Result<usize> {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Error::usage(format!(
                "{shown}: line 1: no column `{name}`; the columns must be metric,value,sd (found {})",
                header.join(",")
            ))
        })
    };
    let (cm, cv, cs) = (col("metric")?, col("value")?, col("sd")?);
    let mut out: Vec<Target> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::usage(format!("{shown}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let metric = field(cm).to_string();
        if !metrics.contains(&metric.as_str()) {
            let hint = params::suggest(&metric, metrics.iter().copied())
                .map(|m| format!(" (did you mean `{m}`?)"))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "{shown}: line {line}, column metric: `{metric}` is not an output of this model{hint}"
            )));
        }
        let number = |i: usize, name: &str| -> Result<f64> {
            field(i)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Error::usage(format!(
                        "{shown}: line {line}, column {name}: `{}` is not a number",
                        field(i)
                    ))
                })
        };
        let value = number(cv, "value")?;
        let sd = number(cs, "sd")?;
        if sd <= 0.0 {
            return Err(Error::usage(format!(
                "{shown}: line {line}, column sd: {sd} is not above 0 (the sd scales the distance)"
            )));
        }
        if out.iter().any(|t| t.metric == metric) {
            return Err(Error::usage(format!(
                "{shown}: line {line}, column metric: `{metric}` is observed twice"
            )));
        }
        out.push(Target { metric, value, sd });
    }
    if out.is_empty() {
        return Err(Error::usage(format!(
            "{shown} has no observed values below its header"
        )));
    }
    Ok(out)
}

/// Appends `[calibrate]` as TOML (every value resolved; observed values
/// written out, so that a changed observed file changes the fingerprint).
pub(crate) fn render(out: &mut String, c: &Calibrate) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "\n[calibrate]\nparticles = {}\ngenerations = {}\nquantile = {}\nreplications = {}",
        c.particles,
        c.generations,
        params::format_float(c.quantile),
        c.replications
    );
    if let Some(x) = c.min_epsilon {
        let _ = writeln!(out, "min_epsilon = {}", params::format_float(x));
    }
    if let Some(x) = c.min_acceptance {
        let _ = writeln!(out, "min_acceptance = {}", params::format_float(x));
    }
    if let Some(n) = c.max_simulations {
        let _ = writeln!(out, "max_simulations = {n}");
    }
    out.push_str("\n[calibrate.priors]\n");
    for (key, prior) in &c.priors {
        let _ = writeln!(out, "\"{key}\" = {}", prior.to_toml());
    }
    out.push_str("\n[calibrate.targets]\n");
    if let Some(file) = &c.observed {
        let _ = writeln!(out, "# read from {file}");
    }
    for t in &c.targets {
        let _ = writeln!(
            out,
            "{} = {{ value = {}, sd = {} }}",
            t.metric,
            params::format_float(t.value),
            params::format_float(t.sd)
        );
    }
}
