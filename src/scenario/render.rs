//! Writing scenarios back as TOML: the resolved form (`profspace check`, the
//! manifest, the fingerprint), the commented form (`profspace new`), and the
//! parameter reference (`profspace params --markdown`,
//! `docs/parameters.md`).

use super::{ENGINE_PARAMS, Scenario};
use crate::model;
use crate::params::{Param, Value, format_float};
use std::any::Any;
use std::fmt::Write;

/// Every value of the scenario as TOML, defaults included, keys of the
/// scenario's model only. Reading it back gives the same scenario.
pub fn render_resolved(s: &Scenario) -> String {
    render(s, false)
}

/// The scenario as TOML with every key preceded by a comment giving its
/// meaning, allowed range and the article's concept: a file a student can
/// start from.
pub fn render_commented(s: &Scenario) -> String {
    render(s, true)
}

/// The keys in the order a file must have them: top-level keys before any
/// table, then each table's keys together.
fn ordered(s: &Scenario) -> Vec<(&'static Param, &dyn Any)> {
    let engine = ENGINE_PARAMS.iter().map(|p| (p, s as &dyn Any));
    let model = s.model.params().iter().map(|p| (p, s.params.as_any()));
    let all: Vec<(&'static Param, &dyn Any)> = engine.chain(model).collect();
    let mut out: Vec<(&'static Param, &dyn Any)> = all
        .iter()
        .copied()
        .filter(|(p, _)| p.section().is_empty())
        .collect();
    let mut sections: Vec<&str> = Vec::new();
    for (p, _) in &all {
        if !p.section().is_empty() && !sections.contains(&p.section()) {
            sections.push(p.section());
        }
    }
    for section in sections {
        out.extend(all.iter().copied().filter(|(p, _)| p.section() == section));
    }
    out
}

fn render(s: &Scenario, comments: bool) -> String {
    let mut out = String::new();
    let mut section = "";
    let defaults = super::Scenario::of(s.model);
    for (p, holder) in ordered(s) {
        if p.section() != section {
            section = p.section();
            let _ = writeln!(out, "\n[{section}]");
        }
        let default_holder: &dyn Any = if find_engine(p) {
            &defaults
        } else {
            defaults.params.as_any()
        };
        if comments {
            let _ = writeln!(out, "# {}", p.meaning);
            let mut line = format!(
                "# allowed: {}; default: {}",
                p.kind.range(),
                p.default_text(default_holder)
            );
            if p.concept != "—" {
                line.push_str(&format!("; concept: {}", p.concept));
            }
            let _ = writeln!(out, "{line}");
        }
        match p.get(holder) {
            Some(v) => {
                let _ = writeln!(out, "{} = {}", p.key(), v.to_toml());
            }
            // A key left to a default that depends on other keys.
            None if comments => {
                let _ = writeln!(
                    out,
                    "# {} is not set: {}",
                    p.key(),
                    p.default_text(default_holder)
                );
            }
            None => {}
        }
        if comments {
            out.push('\n');
        }
    }
    out.push_str(&s.model.render_extra(&s.params));
    if let Some(sa) = &s.sensitivity {
        render_sensitivity(&mut out, sa);
    }
    if let Some(sweep) = &s.sweep {
        render_sweep(&mut out, sweep);
    }
    if let Some(c) = &s.calibrate {
        super::calibrate::render(&mut out, c);
    }
    out
}

fn find_engine(p: &Param) -> bool {
    ENGINE_PARAMS.iter().any(|e| e.path == p.path)
}

fn render_sensitivity(out: &mut String, sa: &super::sensitivity::Sensitivity) {
    let outputs: Vec<String> = sa
        .outputs
        .iter()
        .map(|o| Value::Text(o.clone()).to_toml())
        .collect();
    let _ = writeln!(
        out,
        "\n[sensitivity]\nmethod = \"{}\"\noutputs = [{}]\ntrajectories = {}\nlevels = {}\nbase_samples = {}\nbootstrap = {}",
        sa.method.name(),
        outputs.join(", "),
        sa.trajectories,
        sa.levels,
        sa.base_samples,
        sa.bootstrap
    );
    out.push_str("\n[sensitivity.parameters]\n");
    for (path, r) in &sa.parameters {
        let _ = writeln!(
            out,
            "\"{path}\" = {{ from = {}, to = {} }}",
            format_float(r.from),
            format_float(r.to)
        );
    }
}

fn render_sweep(out: &mut String, sweep: &super::Sweep) {
    out.push_str("\n[sweep]\n");
    if let Some(r) = sweep.replications {
        let _ = writeln!(out, "replications = {r}");
    }
    if let Some(t) = &sweep.target {
        let _ = writeln!(
            out,
            "target_ci95 = {{ metric = {}, half_width = {}, max_replications = {} }}",
            Value::Text(t.metric.clone()).to_toml(),
            format_float(t.half_width),
            t.max_replications
        );
    }
    for c in &sweep.conditions {
        let _ = writeln!(
            out,
            "\n[[sweep.conditions]]\nlabel = {}",
            Value::Text(c.label.clone()).to_toml()
        );
        for (path, v) in &c.settings {
            let _ = writeln!(out, "\"{path}\" = {}", v.to_toml());
        }
    }
    if !sweep.grid.is_empty() {
        out.push_str("\n[sweep.grid]\n");
        for axis in &sweep.grid {
            let values: Vec<String> = axis.values.iter().map(Value::to_toml).collect();
            let _ = writeln!(out, "\"{}\" = [{}]", axis.path, values.join(", "));
        }
    }
    if let Some(sm) = &sweep.sample {
        let _ = writeln!(
            out,
            "\n[sweep.sample]\nmethod = \"{}\"\nsamples = {}",
            sm.method.name(),
            sm.samples
        );
        for (path, r) in &sm.ranges {
            let _ = writeln!(
                out,
                "\"{path}\" = {{ from = {}, to = {} }}",
                format_float(r.from),
                format_float(r.to)
            );
        }
    }
}

/// The `[sweep]` section in the reference.
const SWEEP_REFERENCE: &str = "
## `[sweep]`: an experiment over design points

`[sweep]` and `[sensitivity]` make a scenario an experiment (see the README, \
`scenarios/regimes.toml` and `scenarios/sensitivity.toml`). Every design point runs \
the same replicates: replicate r has the same random numbers at every point, so \
points can be compared pair by pair (`profspace compare`).

| key | allowed | meaning |
|---|---|---|
| `sweep.replications` | 1 … 1000000 | replications per point, instead of the top-level `replications` |
| `sweep.target_ci95` | `{ metric = \"essential\", half_width = 0.01, max_replications = 200 }` | add replications in rounds, doubling them at every point whose 95% half-width on `metric` is above `half_width`, until every point meets it or has `max_replications`; `aggregate.csv` gets `target_met`; cannot be sharded |
| `[sweep.grid]` | `\"key\" = [v1, v2, …]` or `{ from, to, steps }` | a full-factorial grid; the first axis varies slowest |
| `[sweep.sample]` | `method = \"lhs\"` or `\"random\"`, `samples = N`, `\"key\" = { from, to }` | sampled points (Latin hypercube or uniform), crossed with every grid cell |
| `[[sweep.conditions]]` | `label = \"…\"`, then `\"key\" = value` … | named bundles of settings, the slowest axis; the keys they set get a resolved column in every table |
";

/// One table of keys in the reference.
fn reference_table(out: &mut String, params: &[Param], defaults: &dyn Any, model_note: &str) {
    let mut section = "\u{0}";
    for p in params {
        if p.section() != section {
            section = p.section();
            let title = if section.is_empty() {
                format!("Top level{model_note}")
            } else {
                format!("`[{section}]`")
            };
            let _ = write!(
                out,
                "\n### {title}\n\n| key | default | allowed | meaning | concept |\n|---|---|---|---|---|\n"
            );
        }
        let allowed = if p.path == "model" {
            model::BUILTIN
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            p.kind.range()
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {}{} | {} |",
            p.path,
            p.default_text(defaults),
            allowed,
            p.meaning,
            if p.sweepable { "" } else { " (not sweepable)" },
            p.concept
        );
    }
}

/// The parameter reference as Markdown (`docs/parameters.md` and
/// `profspace params --markdown`): the engine's keys, then each built-in
/// model's.
pub fn reference_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Parameter reference\n\n");
    out.push_str(
        "Generated by `profspace params --markdown` from the parameter registries \
         (the engine's keys in `src/scenario/mod.rs`, each model's in \
         `src/model/<model>/params.rs`); a test keeps this file equal to them.\n\n\
         Every key is optional: an empty file is a valid scenario with the defaults \
         of the model (`docs/ODD.md`). Numbers are drawn as normal variates around the means with the \
         given spreads and clamped to [0, 1].\n",
    );
    let base = Scenario::default();
    out.push_str("\n## Every scenario\n");
    reference_table(&mut out, ENGINE_PARAMS, &base, "");
    out.push_str(SWEEP_REFERENCE);
    for m in model::BUILTIN {
        let defaults = m.defaults();
        let _ = write!(out, "\n## `model = \"{}\"`: {}\n", m.name(), m.title());
        reference_table(
            &mut out,
            m.params(),
            defaults.as_any(),
            &format!(" (`model = \"{}\"`)", m.name()),
        );
        out.push_str(m.extra_reference());
    }
    out
}

/// The parameter table of `profspace params`: the engine's keys, then every
/// registered model's.
pub fn params_table() -> String {
    // Every row first, so that the columns fit their widest cell (a long
    // default or range is cut to a reasonable width with `…`).
    let base = Scenario::default();
    let mut sections: Vec<(String, Vec<[String; 4]>)> = vec![(String::new(), Vec::new())];
    for p in ENGINE_PARAMS {
        sections[0].1.push(param_row(p, &base, true));
    }
    for m in model::all() {
        let defaults = m.defaults();
        let rows = m
            .params()
            .iter()
            .map(|p| param_row(p, defaults.as_any(), false))
            .collect();
        sections.push((format!("model = \"{}\": {}", m.name(), m.title()), rows));
    }
    let fit = |k: usize, cap: usize| {
        sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(move |r| r[k].chars().count()))
            .chain(std::iter::once(["key", "default", "allowed"][k].len()))
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let widths = [fit(0, 44), fit(1, 20), fit(2, 28)];
    let cell = |text: &str, w: usize| {
        if text.chars().count() > w {
            let cut: String = text.chars().take(w - 1).collect();
            format!("{cut}…")
        } else {
            format!("{text:<w$}")
        }
    };
    let mut out = String::new();
    let line = |out: &mut String, r: &[String; 4]| {
        let _ = writeln!(
            out,
            "{} {} {} {}",
            cell(&r[0], widths[0]),
            cell(&r[1], widths[1]),
            cell(&r[2], widths[2]),
            r[3]
        );
    };
    line(
        &mut out,
        &["key", "default", "allowed", "meaning"].map(String::from),
    );
    for (title, rows) in &sections {
        if !title.is_empty() {
            let _ = writeln!(out, "\n{title}");
        }
        for r in rows {
            line(&mut out, r);
        }
    }
    out.push_str(
        "\n`profspace params KEY` shows one key in full; see docs/parameters.md for tables of \
         mixed populations (profiles), sweeps, sensitivity analyses and calibrations\n",
    );
    out
}

/// A row of the parameter table: key, default, allowed values, meaning.
fn param_row(p: &Param, defaults: &dyn Any, engine: bool) -> [String; 4] {
    let allowed = if engine && p.path == "model" {
        model::names().join(", ")
    } else {
        p.kind.range()
    };
    [
        p.path.to_string(),
        p.default_text(defaults),
        allowed,
        p.meaning.to_string(),
    ]
}

/// One key in full (`profspace params KEY`): where it is, its default,
/// what it takes, what it means and what it stands for; `None` when no
/// model knows the key (the closest keys are then suggested by the caller).
pub fn param_details(path: &str) -> Option<String> {
    let base = Scenario::default();
    let mut found: Vec<String> = Vec::new();
    if let Some(p) = ENGINE_PARAMS.iter().find(|p| p.path == path) {
        found.push(details(p, &base, "every scenario"));
    }
    for m in model::all() {
        if let Some(p) = m.params().iter().find(|p| p.path == path) {
            let defaults = m.defaults();
            found.push(details(
                p,
                defaults.as_any(),
                &format!("model = \"{}\"", m.name()),
            ));
        }
    }
    (!found.is_empty()).then(|| found.join("\n"))
}

fn details(p: &Param, defaults: &dyn Any, whose: &str) -> String {
    let mut out = format!(
        "{}  ({whose}; in [{}] of a scenario file)\n  default: {}\n  allowed: {}\n  meaning: {}\n",
        p.path,
        if p.section().is_empty() {
            "the top level".to_string()
        } else {
            p.section().to_string()
        },
        p.default_text(defaults),
        p.kind.allowed(),
        p.meaning
    );
    if p.concept != "—" {
        let _ = writeln!(out, "  concept: {}", p.concept);
    }
    let _ = writeln!(
        out,
        "  {}",
        if p.sweepable {
            "a sweep may vary it; a calibration may infer it"
        } else {
            "fixed for a scenario: not swept, not calibrated"
        }
    );
    out
}
