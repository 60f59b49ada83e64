//! Writing scenarios back as TOML: the resolved form (`profspace check`, the
//! manifest, the fingerprint) and the commented form (`profspace new`).

use super::params::{PARAMS, Value, format_float};
use super::{Scenario, Traits};
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

fn render(s: &Scenario, comments: bool) -> String {
    let mut out = String::new();
    let mut section = "";
    for p in PARAMS.iter().filter(|p| p.scope.applies_to(s.model)) {
        if p.path == "march.max_periods" && s.march.max_periods.is_none() {
            if comments {
                let _ = writeln!(
                    out,
                    "# {}\n# default: {}\n# max_periods = 5000",
                    p.meaning,
                    p.default_text()
                );
            }
            continue;
        }
        if p.section() != section {
            section = p.section();
            if !section.is_empty() {
                let _ = writeln!(out, "\n[{section}]");
            }
        }
        if comments {
            let _ = writeln!(out, "# {}", p.meaning);
            let mut line = format!(
                "# allowed: {}; default: {}",
                p.kind.range(),
                p.default_text()
            );
            if p.concept != "—" {
                line.push_str(&format!("; concept: {}", p.concept));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "{} = {}", p.key(), p.get(s).to_toml());
        if comments {
            out.push('\n');
        }
    }
    if s.model == super::ModelKind::ProfessionalSpace {
        for m in &s.managers.profiles {
            let _ = writeln!(
                out,
                "\n[[managers.profiles]]\nname = {}",
                Value::Text(m.name.clone()).to_toml()
            );
            let _ = writeln!(out, "share = {}", format_float(m.share));
            for lever in super::Levers::NAMES {
                let _ = writeln!(
                    out,
                    "{lever} = {}",
                    format_float(m.levers.get(lever).unwrap_or_default())
                );
            }
            let _ = writeln!(out, "spread = {}", format_float(m.spread));
        }
        for pr in &s.professionals.profiles {
            let _ = writeln!(
                out,
                "\n[[professionals.profiles]]\nname = {}",
                Value::Text(pr.name.clone()).to_toml()
            );
            let _ = writeln!(out, "share = {}", format_float(pr.share));
            for t in Traits::NAMES {
                let _ = writeln!(
                    out,
                    "{t} = {}",
                    format_float(pr.traits.get(t).unwrap_or_default())
                );
            }
        }
    }
    if let Some(sa) = &s.sensitivity {
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
    if let Some(sweep) = &s.sweep {
        out.push_str("\n[sweep]\n");
        if let Some(r) = sweep.replications {
            let _ = writeln!(out, "replications = {r}");
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
    out
}
