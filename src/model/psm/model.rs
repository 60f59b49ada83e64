//! The professional-space model behind the engine's [`Model`] interface: its
//! name and version, its keys and metrics, a whole run, and how its results
//! are explained, summarised and drawn.

use super::params::{self, Coupling, LEVERS, N_LEVERS, PsmParams};
use super::{Organisation, metrics, profiles};
use crate::error::{Error, Result};
use crate::model::{
    Charts, KeyMetrics, Model, ModelParams, Population, Recorded, Recording, Survey,
};
use crate::observe::{Metric, ResultTable, Summary, final_window};
use crate::params::{Ctx, Kind, Param, Problem, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The professional-space model (`model = "professional_space"`).
pub struct Psm;

/// The parameters of `p`, which belong to this model by construction.
fn of(p: &ModelParams) -> Option<&PsmParams> {
    p.get::<PsmParams>()
}

impl Model for Psm {
    fn name(&self) -> &'static str {
        "professional_space"
    }

    fn version(&self) -> &'static str {
        "psm 1.1"
    }

    fn title(&self) -> &'static str {
        "the professional-space model (v1.1, docs/ODD.md)"
    }

    fn defaults(&self) -> ModelParams {
        ModelParams::new(PsmParams::default())
    }

    fn params(&self) -> &'static [Param] {
        params::PARAMS
    }

    fn tick_metrics(&self) -> &'static [Metric] {
        &metrics::tick::METRICS
    }

    fn run_metrics(&self) -> &'static [Metric] {
        &metrics::run::METRICS
    }

    fn team_metrics(&self) -> &'static [Metric] {
        &metrics::team::METRICS
    }

    fn agent_columns(&self) -> &'static [Metric] {
        &metrics::agent::METRICS
    }

    fn agent_word(&self) -> &'static str {
        "professional"
    }

    fn population(&self, p: &ModelParams) -> Population {
        of(p).map_or_else(Population::default, |p| Population {
            teams: u64::from(p.organization.teams),
            agents: u64::from(p.organization.teams) * u64::from(p.organization.team_size),
        })
    }

    fn simulate(
        &self,
        p: &ModelParams,
        seed: u64,
        rec: Recording<'_>,
        out: &mut Recorded,
    ) -> Vec<f64> {
        let Some(p) = of(p) else {
            return Vec::new();
        };
        let mut org = Organisation::new(p, seed);
        org.set_threads(rec.threads);
        let mut summary = Summary::new(
            &metrics::tick::METRICS,
            p.ticks,
            Some(metrics::tick::ESSENTIAL),
        );
        for t in 0..p.ticks {
            if rec.agents(t) {
                org.agent_rows(t, &mut out.agents);
            }
            let teams = rec.teams(t).then_some(&mut out.teams);
            let row = org.step_recording(t, teams);
            summary.push(t, &row);
            if rec.tick(t) {
                out.ticks.push(f64::from(t));
                out.ticks.extend_from_slice(&row);
            }
            if !rec.watch(t, out) {
                return summary.finish();
            }
        }
        if rec.agents(p.ticks) {
            org.agent_rows(p.ticks, &mut out.agents);
        }
        summary.finish()
    }

    fn tick_rows(&self, p: &ModelParams, every: u32) -> Option<u64> {
        let p = of(p)?;
        Some(if every == 0 {
            0
        } else {
            u64::from(p.ticks.div_ceil(every))
        })
    }

    fn memory_per_run(&self, p: &ModelParams) -> u64 {
        of(p).map_or(0, params::memory_per_run)
    }

    fn validate(&self, p: &ModelParams, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
        of(p).map_or_else(Vec::new, |p| params::validate(p, line))
    }

    fn extra_tables(&self) -> &'static [&'static str] {
        &profiles::TABLES
    }

    fn parse_extra(
        &self,
        path: &str,
        value: &toml::Spanned<toml::de::DeValue<'_>>,
        ctx: &mut Ctx,
        p: &mut ModelParams,
    ) {
        if let Some(p) = p.get_mut::<PsmParams>() {
            profiles::parse(path, value, ctx, p);
        }
    }

    fn get_extra(&self, p: &ModelParams, path: &str) -> Option<Value> {
        profiles::get(of(p)?, path)
    }

    fn kind_of_extra(&self, p: &ModelParams, path: &str) -> Option<Result<Kind>> {
        profiles::kind_of(of(p)?, path)
    }

    fn set_extra(&self, p: &mut ModelParams, path: &str, value: &Value) -> Result<()> {
        match p.get_mut::<PsmParams>() {
            Some(p) => profiles::set(p, path, value),
            None => Err(Error::usage(format!("`{path}` is not a scenario key"))),
        }
    }

    fn extra_reference(&self) -> &'static str {
        profiles::REFERENCE
    }

    fn render_extra(&self, p: &ModelParams) -> String {
        of(p).map_or_else(String::new, profiles::render)
    }

    fn probe(&self, p: &ModelParams) -> (ModelParams, f64) {
        let Some(full) = of(p) else {
            return (p.clone(), 1.0);
        };
        let mut short = full.clone();
        short.ticks = full.ticks.min(20);
        (
            ModelParams::new(short),
            f64::from(full.ticks) / f64::from(full.ticks.clamp(1, 20)),
        )
    }

    fn describe(&self, p: &ModelParams, swept: &dyn Fn(&str) -> bool) -> String {
        of(p).map_or_else(String::new, |p| describe(p, swept))
    }

    fn example_key(&self) -> &'static str {
        "managers.focus"
    }

    fn key_metrics(&self) -> KeyMetrics {
        KeyMetrics {
            one: &[
                "essential",
                "functional",
                "existential",
                "autonomy",
                "safety",
                "purpose",
                "meaning",
                "drive",
                "cynicism",
                "licence",
                "conflict",
                "alienated",
                "disoriented",
                "integrated",
                "exits",
                "revocations",
                "settle_tick",
            ],
            table: &[
                "essential",
                "autonomy",
                "safety",
                "meaning",
                "alienated",
                "disoriented",
                "integrated",
                "licence",
                "exits",
            ],
        }
    }

    fn summary(&self, aggregate: &ResultTable) -> Vec<String> {
        let mut lines = situations(aggregate);
        lines.extend(best_cells(aggregate));
        lines
    }

    fn survey(&self) -> Option<Survey> {
        Some(SURVEY)
    }

    fn presentation(&self) -> Option<crate::model::present::Presentation> {
        Some(super::present::presentation())
    }

    fn charts(&self) -> Charts {
        Charts {
            primary: "essential",
            panels: &[
                "essential",
                "functional",
                "existential",
                "autonomy",
                "safety",
                "meaning",
                "drive",
                "cynicism",
            ],
            situations: &SITUATIONS,
            profile: (
                "Professional-space profile: the five windows",
                &[
                    ("purpose", "purpose"),
                    ("identity", "identity"),
                    ("safety", "safety (box)"),
                    ("drive", "drive"),
                    ("meaning", "meaning"),
                ],
            ),
            time: "tick",
            group: "coupling",
            tradeoff: ("autonomy", "safety"),
        }
    }
}

/// The `explain` paragraph: organisation, coupling, populations, window.
fn describe(p: &PsmParams, swept: &dyn Fn(&str) -> bool) -> String {
    let mut w = String::new();
    let o = &p.organization;
    let _ = writeln!(
        w,
        "Model: the professional-space model (v1.1, docs/ODD.md), {} ticks per run.",
        p.ticks
    );
    let _ = writeln!(
        w,
        "Organisation: {} teams × {} professionals = {} professionals, one manager per team; \
         each professional has {} peer ties ({} inside the team).",
        o.teams,
        o.team_size,
        p.professionals(),
        o.peers,
        o.peers_within()
    );
    if swept("coupling") {
        let _ = writeln!(
            w,
            "Coupling: varied (swept, or inferred by a calibration); both are compared:"
        );
        for c in [Coupling::ZeroSum, Coupling::FreedomSafety] {
            let _ = writeln!(w, "  {}", c.words());
        }
    } else {
        let _ = writeln!(w, "Coupling: {}", p.coupling.words());
    }
    let managers: Vec<String> = p
        .managers
        .profiles
        .iter()
        .map(|x| format!("{} ({})", x.name, x.share))
        .collect();
    let professionals: Vec<String> = p
        .professionals
        .profiles
        .iter()
        .map(|x| format!("{} ({})", x.name, x.share))
        .collect();
    for (what, list) in [("Managers", managers), ("Professionals", professionals)] {
        if !list.is_empty() {
            let _ = writeln!(w, "{what}: a mixed population: {}.", list.join(", "));
        }
    }
    let _ = writeln!(
        w,
        "Per-run results are means over the last {} ticks (the final window).",
        final_window(p.ticks)
    );
    w
}

/// Every lever as a diagnosis infers it: (its key, its name).
const SURVEY_LEVERS: [(&str, &str); N_LEVERS] = {
    let mut out = [("", ""); N_LEVERS];
    let mut i = 0;
    while i < N_LEVERS {
        out[i] = (LEVERS[i].key, LEVERS[i].name);
        i += 1;
    }
    out
};

/// The five windows of the article's figure 1 as a survey measures them,
/// and the manager's seven levers that explain them.
const SURVEY: Survey = Survey {
    windows: &[
        ("purpose", "purpose"),
        ("identity", "identity"),
        ("box", "safety"),
        ("drive", "drive"),
        ("meaning", "meaning"),
    ],
    levers: &SURVEY_LEVERS,
    choice: (
        "coupling",
        &[
            ("zero_sum", "zero-sum"),
            ("freedom_safety", "freedom/safety"),
        ],
    ),
    outcome: "essential",
    side_effects: &["exits", "revocations"],
    one_team,
};

/// One team of `size`: every peer tie inside it (as many as the team has
/// colleagues).
fn one_team(p: &mut ModelParams, size: u32) -> Result<()> {
    let p = p
        .get_mut::<PsmParams>()
        .ok_or_else(|| Error::usage("not a professional-space scenario"))?;
    let o = &mut p.organization;
    o.teams = 1;
    o.team_size = size;
    o.peers = o.peers.min(size.saturating_sub(1));
    o.peer_within = 1.0;
    Ok(())
}

/// The three situations of the article and their words.
const SITUATIONS: [(&str, &str); 3] = [
    ("alienated", "alienated (walls without space)"),
    ("disoriented", "disoriented (space without walls)"),
    ("integrated", "integrated (the five windows open)"),
];

/// A situation dominates a design point when its share is the largest of
/// the three and at least this.
const DOMINANT: f64 = 0.25;

/// The design parameters of an aggregate row, but `coupling`, as text.
fn at(agg: &ResultTable, row: usize) -> String {
    agg.parameter_columns()
        .into_iter()
        .filter(|&i| agg.header[i] != "coupling")
        .map(|i| {
            let v = &agg.rows[row][i];
            let v = v
                .parse::<f64>()
                .map_or_else(|_| v.clone(), crate::params::sig3);
            format!("{} = {v}", agg.header[i])
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where each situation dominates: per value of `coupling` (when swept),
/// how many design points each situation dominates and where its share
/// peaks. Nothing for a folder without the shares or with a single point.
fn situations(agg: &ResultTable) -> Vec<String> {
    let Some(cols) = SITUATIONS
        .iter()
        .map(|(m, _)| agg.column(&format!("{m}_mean")))
        .collect::<Option<Vec<usize>>>()
    else {
        return Vec::new();
    };
    if agg.rows.len() < 2 {
        return Vec::new();
    }
    let coupling = agg.input("coupling");
    // Per coupling: points, points dominated per situation, and each
    // situation's largest share with its row.
    type Group = (usize, [usize; 3], [(f64, usize); 3]);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for r in 0..agg.rows.len() {
        let key = coupling.map(|c| agg.rows[r][c].clone()).unwrap_or_default();
        let g = groups
            .entry(key)
            .or_insert((0, [0; 3], [(f64::NEG_INFINITY, 0); 3]));
        g.0 += 1;
        let shares: Vec<f64> = cols.iter().map(|&c| agg.number(r, c)).collect();
        for (k, &x) in shares.iter().enumerate() {
            if x > g.2[k].0 {
                g.2[k] = (x, r);
            }
        }
        if let Some((k, &x)) = shares.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))
            && x >= DOMINANT
        {
            g.1[k] += 1;
        }
    }
    let mut lines = vec![format!(
        "\nwhere each situation dominates (its share of professionals is the largest of the three and at least {:.0}%):",
        DOMINANT * 100.0
    )];
    for (key, (points, dominated, peak)) in &groups {
        if !key.is_empty() {
            lines.push(format!("  coupling = {key}"));
        }
        for (k, (metric, label)) in SITUATIONS.iter().enumerate() {
            let words = label
                .split_once(' ')
                .map_or(String::new(), |(_, w)| w.to_string());
            let (share, row) = peak[k];
            let peak = if share < 0.005 {
                "never present".to_string()
            } else {
                match at(agg, row) {
                    a if a.is_empty() => format!("largest share {share:.2}"),
                    a => format!("largest share {share:.2} at {a}"),
                }
            };
            lines.push(format!(
                "    {metric:<12} {words:<24} dominates {:>3} of {points} points; {peak}",
                dominated[k],
            ));
        }
    }
    lines
}

/// The best design point of each coupling on essential, when the coupling
/// is swept and each has more than one point.
fn best_cells(agg: &ResultTable) -> Vec<String> {
    let (Some(c), Some(m), Some(ci)) = (
        agg.input("coupling"),
        agg.column("essential_mean"),
        agg.column("essential_ci95"),
    ) else {
        return Vec::new();
    };
    let mut best: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in 0..agg.rows.len() {
        let e = best.entry(agg.rows[r][c].as_str()).or_insert((r, 0));
        e.1 += 1;
        if agg.number(r, m) > agg.number(e.0, m) {
            e.0 = r;
        }
    }
    if best.len() < 2 || best.values().any(|&(_, n)| n < 2) {
        return Vec::new();
    }
    let mut lines = vec![
        "\nbest cell of each coupling (essential performance, final-window mean ± 95% CI):"
            .to_string(),
    ];
    for (coupling, (r, _)) in &best {
        lines.push(format!(
            "  {coupling:<15} essential {:.3} ± {:.3}   at {}",
            agg.number(*r, m),
            agg.number(*r, ci),
            at(agg, *r)
        ));
    }
    lines
}
