//! The `[sensitivity]` section: a global sensitivity analysis (Morris
//! elementary effects or Sobol' indices with Saltelli sampling) of chosen
//! outputs over chosen parameter ranges. Its design becomes the scenario's
//! design, so it runs through the sweep machinery (parallel, streamed,
//! resumable, shardable); the indices are computed from `runs.csv`.

use super::Scenario;
use crate::params::{self, Ctx, Kind, Range, Value};
use toml::Spanned;
use toml::de::DeValue;

/// Morris or Sobol'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Morris (1991) elementary effects: μ, μ*, σ per parameter.
    Morris,
    /// Sobol' first-order and total indices (Saltelli 2010, Jansen).
    Sobol,
}

impl Method {
    /// Names as written in scenario files.
    pub const NAMES: &'static [&'static str] = &["morris", "sobol"];

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// A sensitivity analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    /// Method.
    pub method: Method,
    /// Run metrics analysed.
    pub outputs: Vec<String>,
    /// Morris: number of trajectories.
    pub trajectories: u32,
    /// Morris: number of grid levels (even).
    pub levels: u32,
    /// Sobol': base samples N (the design has N·(k + 2) points).
    pub base_samples: u32,
    /// Bootstrap resamples for the confidence intervals.
    pub bootstrap: u32,
    /// Parameters and their ranges, in the order written.
    pub parameters: Vec<(String, Range)>,
}

impl Sensitivity {
    /// Design points the analysis needs.
    pub fn points(&self) -> u64 {
        let k = self.parameters.len() as u64;
        match self.method {
            Method::Morris => u64::from(self.trajectories) * (k + 1),
            Method::Sobol => u64::from(self.base_samples) * (k + 2),
        }
    }

    /// The design in the unit hypercube (one row per point), from `seed`.
    pub fn unit_design(&self, seed: u64) -> Vec<Vec<f64>> {
        let k = self.parameters.len();
        match self.method {
            Method::Morris => crate::sensitivity::morris_design(
                k,
                self.trajectories as usize,
                self.levels as usize,
                seed,
            ),
            Method::Sobol => crate::sensitivity::SaltelliDesign {
                k,
                n: self.base_samples as usize,
            }
            .points(seed),
        }
    }
}

/// Parses `[sensitivity]`.
pub(crate) fn parse(
    ctx: &mut Ctx,
    value: &Spanned<DeValue<'_>>,
    base: &Scenario,
) -> Option<Sensitivity> {
    let Some(table) = value.get_ref().as_table() else {
        ctx.problem(
            "sensitivity",
            value.span(),
            "expected a table [sensitivity]",
        );
        return None;
    };
    let before = ctx.problems.len();
    let mut out = Sensitivity {
        method: Method::Morris,
        outputs: Vec::new(),
        trajectories: 20,
        levels: 4,
        base_samples: 256,
        bootstrap: 1000,
        parameters: Vec::new(),
    };
    let mut method_set = false;
    let metrics: Vec<&str> = base.model.run_metrics().iter().map(|m| m.name).collect();
    for (key, v) in table.iter() {
        let k = key.get_ref().as_ref();
        let path = format!("sensitivity.{k}");
        let int =
            |ctx: &mut Ctx, min: i64, max: i64| match ctx.value(&path, Kind::Int { min, max }, v) {
                Some(Value::Int(n)) => Some(n as u32),
                _ => None,
            };
        match k {
            "method" => {
                if let Some(Value::Text(m)) = ctx.value(&path, Kind::Choice(Method::NAMES), v) {
                    out.method = if m == "sobol" {
                        Method::Sobol
                    } else {
                        Method::Morris
                    };
                    method_set = true;
                }
            }
            "trajectories" => out.trajectories = int(ctx, 2, 100_000).unwrap_or(out.trajectories),
            "levels" => {
                if let Some(n) = int(ctx, 2, 1000) {
                    if n % 2 == 1 {
                        ctx.problem(
                            &path,
                            v.span(),
                            format!("{n} levels: Morris needs an even number of levels (e.g. 4)"),
                        );
                    }
                    out.levels = n;
                }
            }
            "base_samples" => out.base_samples = int(ctx, 2, 1 << 24).unwrap_or(out.base_samples),
            "bootstrap" => out.bootstrap = int(ctx, 0, 100_000).unwrap_or(out.bootstrap),
            "outputs" => outputs(ctx, &path, v, &metrics, &mut out.outputs),
            "parameters" => match v.get_ref().as_table() {
                Some(t) => parameters(ctx, "", t, base, &mut out.parameters),
                None => ctx.problem(&path, v.span(), "expected a table [sensitivity.parameters]"),
            },
            other => ctx.unknown(
                &path,
                other,
                key.span(),
                &[
                    "method",
                    "outputs",
                    "trajectories",
                    "levels",
                    "base_samples",
                    "bootstrap",
                    "parameters",
                ],
                &[],
            ),
        }
    }
    if ctx.problems.len() == before {
        complete(ctx, value, &out, method_set, base);
    }
    (ctx.problems.len() == before).then_some(out)
}

/// Reads `outputs = [...]`: names of run metrics of the model, each once.
fn outputs(
    ctx: &mut Ctx,
    path: &str,
    v: &Spanned<DeValue<'_>>,
    metrics: &[&str],
    out: &mut Vec<String>,
) {
    match v.get_ref() {
        DeValue::Array(items) if !items.is_empty() => {
            for item in items.iter() {
                if let Some(Value::Text(name)) = ctx.value(path, Kind::Text { max_len: 60 }, item) {
                    if !metrics.contains(&name.as_str()) {
                        let hint = params::suggest(&name, metrics.iter().copied())
                            .map(|m| format!("did you mean `{m}`? "))
                            .unwrap_or_default();
                        ctx.problem(
                            path,
                            item.span(),
                            format!(
                                "`{name}` is not an output of this model; {hint}the outputs are {}",
                                metrics.join(", ")
                            ),
                        );
                    } else if out.contains(&name) {
                        ctx.problem(path, item.span(), format!("`{name}` is listed twice"));
                    } else {
                        out.push(name);
                    }
                }
            }
        }
        _ => ctx.problem(
            path,
            v.span(),
            "expected a non-empty list of output names, e.g. [\"essential\"]",
        ),
    }
}

/// What a complete analysis needs: a method, outputs and parameters, few
/// enough dimensions for Sobol', few enough runs.
fn complete(
    ctx: &mut Ctx,
    value: &Spanned<DeValue<'_>>,
    out: &Sensitivity,
    method_set: bool,
    base: &Scenario,
) {
    if !method_set {
        ctx.problem(
            "sensitivity.method",
            value.span(),
            "needs `method = \"morris\"` or `method = \"sobol\"`",
        );
    }
    if out.outputs.is_empty() {
        ctx.problem(
            "sensitivity.outputs",
            value.span(),
            "needs `outputs = [\"essential\", …]`",
        );
    }
    if out.parameters.is_empty() {
        ctx.problem(
            "sensitivity.parameters",
            value.span(),
            "needs a [sensitivity.parameters] table, e.g. \"managers.focus\" = { from = 0.1, to = 0.9 }",
        );
    }
    if out.method == Method::Sobol && out.parameters.len() > crate::sensitivity::SOBOL_MAX_DIMS / 2
    {
        ctx.problem(
            "sensitivity.parameters",
            value.span(),
            format!(
                "Sobol' analysis supports at most {} parameters",
                crate::sensitivity::SOBOL_MAX_DIMS / 2
            ),
        );
    }
    let runs = out.points().saturating_mul(u64::from(base.replications));
    if runs > super::sweep::MAX_RUNS {
        ctx.problem(
            "sensitivity",
            value.span(),
            format!(
                "the analysis needs {runs} runs; at most {} can be stored",
                super::sweep::MAX_RUNS
            ),
        );
    }
}

fn parameters(
    ctx: &mut Ctx,
    prefix: &str,
    table: &toml::de::DeTable<'_>,
    base: &Scenario,
    out: &mut Vec<(String, Range)>,
) {
    for (key, v) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let Some(t) = v.get_ref().as_table() else {
            ctx.problem(&path, v.span(), "expected a range { from = …, to = … }");
            continue;
        };
        if !t.contains_key("from") && !t.contains_key("to") {
            parameters(ctx, &path, t, base, out);
            continue;
        }
        let kind = match base.kind_of(&path) {
            Ok((kind @ Kind::Float { .. }, true)) => kind,
            Ok(_) => {
                ctx.problem(
                    &path,
                    key.span(),
                    "only real-valued parameters of this model can be analysed",
                );
                continue;
            }
            Err(e) => {
                ctx.problem(&path, key.span(), e.to_string());
                continue;
            }
        };
        match params::closed_range(ctx, &path, kind, v, t) {
            Some(r) if r.from == r.to => ctx.problem(
                &path,
                v.span(),
                "`from` and `to` are equal: nothing to analyse",
            ),
            Some(_) if out.iter().any(|(p, _)| p == &path) => {
                ctx.problem(&path, key.span(), "is listed twice")
            }
            Some(r) => out.push((path, r)),
            None => {}
        }
    }
}
