//! `profspace explain` and `profspace new`: a scenario in plain words, and a
//! commented scenario file to start from.

use profspace::output::tables;
use profspace::params::Value;
use profspace::rng;
use profspace::scenario::{self, Scenario, human_bytes};
use profspace::sweep::Plan;
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

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

/// Seconds one run of point 0 takes, measured on the model's cheap probe
/// (the fastest of three, so that a cold first run does not count).
fn seconds_per_run(plan: &Plan) -> f64 {
    let Ok(s) = plan.scenario_at(0) else {
        return f64::NAN;
    };
    let (probe, factor) = s.model.probe(&s.params);
    let seed = rng::run_seed(s.seed, 0);
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let started = Instant::now();
        s.model
            .simulate(&probe, seed, Default::default(), &mut Default::default());
        best = best.min(started.elapsed().as_secs_f64());
    }
    best * factor
}

/// The keys set away from the model's defaults (not the swept ones).
fn changed(s: &Scenario, swept: &dyn Fn(&str) -> bool) -> Vec<String> {
    let defaults = Scenario::of(s.model);
    s.declared()
        .filter(|p| !matches!(p.path, "name" | "description" | "model"))
        .filter(|p| !swept(p.path) && s.get(p.path) != defaults.get(p.path))
        .filter_map(|p| Some(format!("{} = {}", p.path, s.get(p.path)?.to_toml())))
        .collect()
}

/// What the sweep varies.
fn swept_text(w: &mut String, sweep: &scenario::Sweep) {
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

/// The plain-words description of a scenario.
pub fn explain(origin: &str, s: &Scenario, threads: usize, out: &Path) -> String {
    let plan = Plan::new(s, None);
    let mut w = String::new();
    let _ = writeln!(w, "{origin}: \"{}\"", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(w, "  {}", s.description);
    }
    let swept = |path: &str| {
        plan.design.columns.iter().any(|c| c == path)
            || s.calibrate
                .as_ref()
                .is_some_and(|c| c.priors.iter().any(|(k, _)| k == path))
    };
    let _ = write!(w, "\n{}", s.model.describe(&s.params, &swept));
    let changed = changed(s, &swept);
    if changed.is_empty() {
        let _ = writeln!(w, "Every other value is the default.");
    } else {
        let _ = writeln!(w, "Set away from the defaults: {}.", changed.join(", "));
    }
    if let Some(sweep) = &s.sweep {
        swept_text(&mut w, sweep);
    }
    if let Some(c) = &s.calibrate {
        calibration_text(&mut w, c, seconds_per_run(&plan), threads);
        let _ = writeln!(w, "Results go to {}/.", out.display());
        return w;
    }
    let runs = plan.total_runs();
    let _ = writeln!(
        w,
        "\nDesign: {} point{} {}; replicate r uses the same random numbers at every point (paired comparisons), master seed {}.",
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        super::report::runs_words(&plan),
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
    let size = plan.estimated_output();
    let rows = |rows: u64, none: &str| {
        if rows == 0 {
            format!(" ({none})")
        } else {
            format!(" ({rows} rows per run)")
        }
    };
    let of = |t: &tables::Table| (t.file, size.of(t));
    let (runs, (runs_bytes, _)) = of(&tables::RUNS);
    let (ticks, (ticks_bytes, tick_rows)) = of(&tables::TICKS);
    let mut text = format!(
        "{runs} {}, {ticks} {}{}",
        human_bytes(runs_bytes),
        human_bytes(ticks_bytes),
        rows(tick_rows, "no per-tick table")
    );
    // The other tables of recorded rows, when the scenario asks for them.
    let others = tables::STREAMED
        .iter()
        .filter(|t| t.rows.is_some() && t.file != ticks);
    for (name, (bytes, n)) in others.map(of) {
        if n > 0 {
            text.push_str(&format!(", {name} {}{}", human_bytes(bytes), rows(n, "")));
        }
    }
    let _ = writeln!(
        w,
        "Estimated output: {text}, {} {}.",
        tables::AGGREGATE.file,
        human_bytes(size.aggregate)
    );
    let _ = writeln!(w, "Results go to {}/.", out.display());
    w
}

/// What a calibration infers from what, and its budget.
fn calibration_text(
    w: &mut String,
    c: &scenario::calibrate::Calibrate,
    per_run: f64,
    threads: usize,
) {
    let _ = writeln!(w, "\nCalibration (ABC-SMC) infers:");
    for (key, prior) in &c.priors {
        let _ = writeln!(w, "  {key}: prior {}", prior.describe());
    }
    let _ = writeln!(w, "from the observed final-window means:");
    for t in &c.targets {
        let _ = writeln!(w, "  {} = {} (sd {})", t.metric, t.value, t.sd);
    }
    let (n, g) = (u64::from(c.particles), u64::from(c.generations));
    // Acceptance is near 1/2 in generation 0 and falls roughly as
    // 1 / (2 (g + 1)) with a median tolerance (a guide, not a promise).
    let typical = n + n * g * (g + 1);
    let least = n * (1 + g);
    let _ = writeln!(
        w,
        "\nBudget: {n} particles. A prior sample of {n} simulations sets the first tolerance; then up \
         to {g} generation{}, each simulating until {n} particles land within its tolerance. \
         At least {least} simulations; typically about {typical} (acceptance falls from about 50% \
         in generation 0 towards a few percent){}.",
        if g == 1 { "" } else { "s" },
        match (c.max_simulations, c.min_acceptance) {
            (Some(m), _) => format!("; at most {m} (max_simulations)"),
            (None, Some(a)) => format!(
                "; a generation whose acceptance rate would fall below {a} is not run (min_acceptance)"
            ),
            (None, None) => "; no bound is set (add max_simulations = … to set one)".to_string(),
        }
    );
    let runs = f64::from(c.replications) * typical as f64;
    let _ = writeln!(
        w,
        "Each simulation is {} run{} of about {:.2} ms here: typically {} on {threads} thread{} \
         (at least {}).",
        c.replications,
        if c.replications == 1 { "" } else { "s" },
        per_run * 1e3,
        human_seconds(per_run * runs / threads.max(1) as f64),
        if threads == 1 { "" } else { "s" },
        human_seconds(per_run * f64::from(c.replications) * least as f64 / threads.max(1) as f64),
    );
    let _ = writeln!(
        w,
        "Output: particles.csv, generations.csv, posterior.csv, predictive.csv and the charts \
         posterior_pairs, epsilon and predictive."
    );
}

fn human_seconds(s: f64) -> String {
    if !s.is_finite() {
        "unknown".into()
    } else if s < 1.0 {
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
         #   [sweep.grid]\n#   \"{}\" = [0.2, 0.5, 0.8]\n",
        s.model.example_key()
    );
    out.push_str(&scenario::render_commented(&s));
    out
}
