//! `profspace explain` and `profspace new`: a scenario in plain words, and a
//! commented scenario file to start from.

use crate::model;
use crate::observe::final_window;
use crate::rng;
use crate::scenario::{self, Coupling, ModelKind, Scenario, Value, human_bytes, params};
use crate::sweep::Plan;
use std::fmt::Write;
use std::time::Instant;

fn coupling_words(c: Coupling) -> &'static str {
    match c {
        Coupling::ZeroSum => {
            "zero_sum: control and autonomy share one budget; what the manager claims in control the professional loses in autonomy"
        }
        Coupling::FreedomSafety => {
            "freedom_safety: freedom and safety are independent and reinforce each other; professionals take room where it is safe"
        }
    }
}

/// Values of a swept axis, shortened for reading.
fn values_text(values: &[Value]) -> String {
    let all: Vec<String> = values.iter().map(ToString::to_string).collect();
    if all.len() <= 6 {
        all.join(", ")
    } else {
        format!(
            "{}, {}, … {} ({} values)",
            all[0],
            all[1],
            all[all.len() - 1],
            all.len()
        )
    }
}

/// Seconds one run of point 0 takes, measured on a shortened run.
fn seconds_per_run(plan: &Plan) -> f64 {
    let mut s = plan.scenario_at(0);
    s.output.ticks_every = 0;
    let seed = rng::run_seed(s.seed, 0);
    match s.model {
        ModelKind::ProfessionalSpace => {
            let full = f64::from(s.ticks);
            let probe = s.ticks.min(20);
            s.ticks = probe;
            let started = Instant::now();
            model::simulate(&s, seed, &mut Vec::new());
            started.elapsed().as_secs_f64() * full / f64::from(probe)
        }
        ModelKind::March1991 => {
            let started = Instant::now();
            model::simulate(&s, seed, &mut Vec::new());
            started.elapsed().as_secs_f64()
        }
    }
}

/// The plain-words description of a scenario.
pub fn explain(origin: &str, s: &Scenario, threads: usize) -> String {
    let plan = Plan::new(s, None);
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{origin}: \"{}\"", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(w, "  {}", s.description);
    }
    let swept = |path: &str| plan.design.columns.iter().any(|c| c == path);
    match s.model {
        ModelKind::ProfessionalSpace => {
            let o = &s.organization;
            let _ = writeln!(
                w,
                "\nModel: the professional-space model (v1.1, docs/ODD.md), {} ticks per run.",
                s.ticks
            );
            let _ = writeln!(
                w,
                "Organisation: {} teams × {} professionals = {} professionals, one manager per team; \
                 each professional has {} peer ties ({} inside the team).",
                o.teams,
                o.team_size,
                s.professionals(),
                o.peers,
                o.peers_within()
            );
            if swept("coupling") {
                let _ = writeln!(w, "Coupling: swept; both are compared:");
                for c in [Coupling::ZeroSum, Coupling::FreedomSafety] {
                    let _ = writeln!(w, "  {}", coupling_words(c));
                }
            } else {
                let _ = writeln!(w, "Coupling: {}", coupling_words(s.coupling));
            }
            for (what, profiles) in [
                (
                    "Managers",
                    s.managers
                        .profiles
                        .iter()
                        .map(|p| (&p.name, p.share))
                        .collect::<Vec<_>>(),
                ),
                (
                    "Professionals",
                    s.professionals
                        .profiles
                        .iter()
                        .map(|p| (&p.name, p.share))
                        .collect(),
                ),
            ] {
                if !profiles.is_empty() {
                    let list: Vec<String> = profiles
                        .iter()
                        .map(|(n, sh)| format!("{n} ({sh})"))
                        .collect();
                    let _ = writeln!(w, "{what}: a mixed population: {}.", list.join(", "));
                }
            }
        }
        ModelKind::March1991 => {
            let m = &s.march;
            let _ = writeln!(
                w,
                "\nModel: March (1991), mutual learning of an organisational code and {} individuals \
                 on {} dimensions of reality; at most {} periods{}.",
                m.individuals,
                m.dimensions,
                m.resolved_max_periods(),
                if m.turnover == 0.0 && m.turbulence == 0.0 {
                    ", stopping at equilibrium"
                } else {
                    ""
                }
            );
        }
    }
    let defaults = Scenario::default();
    let changed: Vec<String> = params::PARAMS
        .iter()
        .filter(|p| {
            p.scope.applies_to(s.model) && !matches!(p.path, "name" | "description" | "model")
        })
        .filter(|p| !swept(p.path) && p.get(s) != p.get(&defaults))
        .map(|p| format!("{} = {}", p.path, p.get(s).to_toml()))
        .collect();
    if changed.is_empty() {
        let _ = writeln!(w, "Every other value is the default.");
    } else {
        let _ = writeln!(w, "Set away from the defaults: {}.", changed.join(", "));
    }
    if let Some(sweep) = &s.sweep {
        let _ = writeln!(w, "\nSwept:");
        for c in &sweep.conditions {
            let set: Vec<String> = c
                .settings
                .iter()
                .map(|(p, v)| format!("{p} = {v}"))
                .collect();
            let _ = writeln!(w, "  condition \"{}\": {}", c.label, set.join(", "));
        }
        for axis in &sweep.grid {
            let _ = writeln!(w, "  {} over {}", axis.path, values_text(&axis.values));
        }
        if let Some(sm) = &sweep.sample {
            let _ = writeln!(
                w,
                "  {} {} samples (drawn from the master seed) of:",
                sm.samples,
                sm.method.name()
            );
            for (p, r) in &sm.ranges {
                let _ = writeln!(w, "    {p} from {} to {}", r.from, r.to);
            }
        }
    }
    let runs = plan.total_runs();
    let _ = writeln!(
        w,
        "\nDesign: {} point{} × {} replications = {} runs; replicate r uses the same random numbers at every point (paired comparisons), master seed {}.",
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        plan.replications,
        runs,
        s.seed
    );
    let per_run = seconds_per_run(&plan);
    let total = per_run * runs as f64 / threads.max(1) as f64;
    let _ = writeln!(
        w,
        "Estimated time: {} on {threads} thread{} ({:.2} ms per run, measured on point 0).",
        human_seconds(total),
        if threads == 1 { "" } else { "s" },
        per_run * 1e3
    );
    // Output size: about 19 bytes per real number, 8 per id field.
    let run_fields = model::run_metrics(s.model).len() as u64;
    let tick_fields = model::tick_metrics(s.model).len() as u64;
    let runs_bytes = runs * (40 + 12 * plan.design.columns.len() as u64 + 19 * run_fields);
    let tick_rows = match (s.model, s.output.ticks_every) {
        (_, 0) => 0,
        (ModelKind::ProfessionalSpace, k) => u64::from(s.ticks.div_ceil(k)),
        (ModelKind::March1991, k) => u64::from(s.march.resolved_max_periods().min(200).div_ceil(k)),
    };
    let ticks_bytes = runs * tick_rows * (20 + 19 * tick_fields);
    let _ = writeln!(
        w,
        "Estimated output: runs.csv {}, ticks.csv {}{}, aggregate.csv {}.",
        human_bytes(runs_bytes),
        human_bytes(ticks_bytes),
        if tick_rows == 0 {
            " (no per-tick table)".to_string()
        } else {
            format!(" ({tick_rows} rows per run)")
        },
        human_bytes(plan.design.len() * (20 + 60 * run_fields))
    );
    if s.model == ModelKind::ProfessionalSpace {
        let _ = writeln!(
            w,
            "Per-run results are means over the last {} ticks (the final window).",
            final_window(s.ticks)
        );
    }
    let _ = writeln!(w, "Results go to output/{}/ (or --out DIR).", s.name);
    out
}

fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        "under a second".into()
    } else if s < 120.0 {
        format!("about {s:.0} s")
    } else if s < 7200.0 {
        format!("about {:.0} min", s / 60.0)
    } else {
        format!("about {:.1} h", s / 3600.0)
    }
}

/// The text of `profspace new NAME [--from FILE]`.
pub fn new_file(name: &str, from: Option<(&str, &Scenario)>) -> String {
    let mut s = from.map(|(_, s)| s.clone()).unwrap_or_default();
    s.name = name.to_string();
    let mut out = String::new();
    let _ = writeln!(out, "# {name}.toml: a profspace scenario.");
    match from {
        Some((origin, _)) => {
            let _ = writeln!(
                out,
                "# Started from {origin}; every value is written out with its meaning."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# Every value is the default; change one lever, run it, compare the charts."
            );
        }
    }
    let _ = writeln!(
        out,
        "#\n# Run it:    profspace run {name}.toml      (or: cargo run --release -- run {name}.toml)\n\
         # Check it:  profspace check {name}.toml\n\
         # Every key is optional: delete a line and its default applies.\n\
         # `profspace params` lists every key; docs/parameters.md explains them.\n\
         #\n# To compare settings, add a sweep at the end, e.g.:\n\
         #   [sweep.grid]\n#   \"managers.focus\" = [0.2, 0.5, 0.8]\n"
    );
    out.push_str(&scenario::render_commented(&s));
    out
}
