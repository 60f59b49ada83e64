//! Scenarios: what a user asks the engine to simulate.
//!
//! A scenario is read from TOML in two steps, as ripgrep reads its flags:
//! [`parse`] walks the spanned TOML document against the engine's keys
//! ([`ENGINE_PARAMS`]: name, description, model, seed, replications,
//! `[output]`) and the chosen model's own declarations, and collects
//! *every* problem with its line; then [`validate`] checks the rules that
//! tie several keys together (the model's own rules among them). The
//! `[sweep]` and `[sensitivity]` sections are the engine's too. The result
//! is a [`Scenario`]: plain data, every value resolved (defaults included),
//! safe to hand to the model, which cannot fail on it.
//!
//! The scenario knows its model only through [`crate::model::Model`]; the
//! model's parameters are its own struct, held in [`ModelParams`].

pub mod calibrate;
mod overrides;
mod parse;
mod render;
pub mod sensitivity;
pub mod sweep;
mod validate;

pub use crate::params::{Kind, Param, Problem, ScenarioError, Value};
pub use overrides::{Override, Target};
pub use render::{
    param_details, params_table, reference_markdown, render_commented, render_resolved,
};
pub use sweep::{
    CONDITION, Condition, Design, DesignPoint, Precision, SampleMethod, Sweep, SweepAxis,
};
pub use validate::{Limits, human_bytes, name_problem, recorded_rows, sanitize_name};

use crate::error::{Error, Result};
use crate::model::{self, Model, ModelParams};
use crate::param;
use crate::params::find;
use std::any::Any;
use std::path::Path;

/// The scenario compiled into the binary and run by `profspace run` without
/// a file.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");
/// The flagship sweep compiled into the binary and run by `profspace` alone.
pub const FLAGSHIP_SCENARIO: &str = include_str!("../../scenarios/regimes.toml");

/// What is written besides the per-run results.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Write every n-th tick to `ticks.csv`; 0 writes no per-tick table.
    pub ticks_every: u32,
    /// Write every n-th tick's teams to `teams.csv`; 0 writes none.
    pub teams_every: u32,
    /// The ticks whose agents go to `agents.csv`, ascending, no repeats.
    pub agents_at: Vec<u32>,
    /// Also write the four run tables as typed Parquet files when the runs
    /// are complete (`format = "parquet"`).
    pub parquet: bool,
}

/// The names `output.format` takes.
pub const FORMATS: &[&str] = &["csv", "parquet"];

impl Output {
    /// What a run records.
    pub fn recording(&self) -> crate::model::Recording<'_> {
        crate::model::Recording {
            ticks_every: self.ticks_every,
            teams_every: self.teams_every,
            agents_at: &self.agents_at,
            ..Default::default()
        }
    }
}

/// A validated scenario: every value resolved, every rule checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name of the output folder under `output/`.
    pub name: String,
    /// Free text for humans.
    pub description: String,
    /// Which model runs.
    pub model: &'static dyn Model,
    /// Master seed from which every random stream is derived.
    pub seed: u64,
    /// Replications per design point.
    pub replications: u32,
    /// Output options.
    pub output: Output,
    /// The model's parameters.
    pub params: ModelParams,
    /// Optional parameter sweep.
    pub sweep: Option<Sweep>,
    /// Optional sensitivity analysis (its design replaces a sweep).
    pub sensitivity: Option<sensitivity::Sensitivity>,
    /// Optional calibration to observations (`profspace calibrate`).
    pub calibrate: Option<calibrate::Calibrate>,
    /// The command-line overrides applied after the file, as written
    /// (`--set managers.focus=0.7`); recorded in the manifest.
    pub overrides: Vec<String>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::of(model::default_model())
    }
}

const BIG: i64 = 10_000_000;

/// `output.ticks_every` of a scenario with a `[sweep]` or `[sensitivity]`
/// that does not set it.
pub const SWEEP_TICKS_EVERY: u32 = 10;

/// The keys of every scenario, whatever its model, in the order of the
/// documentation. `model` is read first and checked against the registry of
/// models (see [`crate::model::names`]).
pub static ENGINE_PARAMS: &[Param] = &[
    param!(Scenario, "name", Kind::Text { max_len: 100 }, name: t => Text,
        "Name of the output folder under output/; letters, digits, '-', '_' and '.', not starting with '.'",
        "—")
    .fixed()
    .note("the file name"),
    param!(Scenario, "description", Kind::Text { max_len: 10_000 }, description: t => Text,
        "Free text describing the experiment", "—")
    .fixed(),
    Param::new(
        "model",
        Kind::Text { max_len: 60 },
        "Which model runs (`profspace params` lists the models)",
        "—",
        |h| {
            h.downcast_ref::<Scenario>()
                .map(|s| Value::Text(s.model.name().into()))
        },
        |h, v| match (h.downcast_mut::<Scenario>(), v) {
            (Some(s), Value::Text(name)) => match model::find(name) {
                Some(m) if m.name() == s.model.name() => true,
                Some(m) => {
                    *s = Scenario {
                        name: std::mem::take(&mut s.name),
                        description: std::mem::take(&mut s.description),
                        seed: s.seed,
                        replications: s.replications,
                        output: s.output.clone(),
                        ..Scenario::of(m)
                    };
                    true
                }
                None => false,
            },
            _ => false,
        },
    )
    .fixed(),
    Param::new(
        "seed",
        Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        "Master seed; every random stream of every run is derived from it and the replicate number",
        "—",
        |h| {
            h.downcast_ref::<Scenario>()
                .and_then(|s| i64::try_from(s.seed).ok().map(Value::Int))
        },
        |h, v| match (h.downcast_mut::<Scenario>(), v) {
            (Some(s), Value::Int(i)) => u64::try_from(*i).map(|i| s.seed = i).is_ok(),
            _ => false,
        },
    )
    .fixed(),
    param!(Scenario, "replications", Kind::Int { min: 1, max: 1_000_000 }, replications: u => Int,
        "Replications per design point; replicate r uses the same random numbers at every point", "—")
    .fixed(),
    param!(Scenario, "output.ticks_every", Kind::Int { min: 0, max: BIG }, output.ticks_every: u => Int,
        "Write every n-th tick (or period) to ticks.csv; 0 writes no per-tick table", "—")
    .fixed()
    .note("1; 10 with a [sweep] or [sensitivity]"),
    param!(Scenario, "output.teams_every", Kind::Int { min: 0, max: BIG }, output.teams_every: u => Int,
        "Write every n-th tick of every team to teams.csv (team means, the manager's values, the team's own events); 0 writes none", "the manager–team dyad")
    .fixed(),
    Param::new(
        "output.format",
        Kind::Choice(FORMATS),
        "csv writes the tables as CSV; parquet also writes runs, ticks, teams and agents as typed Parquet files (runs.parquet, …) once the runs are complete",
        "—",
        |h| {
            h.downcast_ref::<Scenario>()
                .map(|s| Value::Text(FORMATS[usize::from(s.output.parquet)].into()))
        },
        |h, v| match (h.downcast_mut::<Scenario>(), v) {
            (Some(s), Value::Text(name)) if FORMATS.contains(&name.as_str()) => {
                s.output.parquet = name == "parquet";
                true
            }
            _ => false,
        },
    )
    .fixed(),
    param!(Scenario, "output.agents_at", Kind::Ticks { max: BIG, max_len: MAX_AGENT_TICKS }, output.agents_at: l => List,
        "Ticks at which every professional's states and traits go to agents.csv, e.g. [0, 200]; tick t is the state entering tick t, the number of ticks the state after the last", "—")
    .fixed(),
];

/// Most ticks `output.agents_at` may list.
pub const MAX_AGENT_TICKS: usize = 1000;

/// Where a key lives.
enum Holder {
    /// One of [`ENGINE_PARAMS`].
    Engine(&'static Param),
    /// One of the model's declared keys.
    Model(&'static Param),
}

impl Scenario {
    /// The defaults of `model`, named `default`.
    pub fn of(model: &'static dyn Model) -> Scenario {
        Scenario {
            name: "default".into(),
            description: String::new(),
            model,
            seed: 42,
            replications: 10,
            output: Output {
                ticks_every: 1,
                teams_every: 0,
                agents_at: Vec::new(),
                parquet: false,
            },
            params: model.defaults(),
            sweep: None,
            sensitivity: None,
            calibrate: None,
            overrides: Vec::new(),
        }
    }

    /// Parses and validates scenario text. `origin` names the file in
    /// messages; `default_name` is the name used when the file sets none.
    pub fn from_toml(text: &str, origin: &str, default_name: &str) -> Result<Self, ScenarioError> {
        Self::from_toml_with(text, origin, default_name, &Limits::default())
    }

    /// As [`Scenario::from_toml`], with explicit machine limits.
    pub fn from_toml_with(
        text: &str,
        origin: &str,
        default_name: &str,
        limits: &Limits,
    ) -> Result<Self, ScenarioError> {
        Self::from_toml_overridden(text, origin, default_name, limits, &[])
    }

    /// As [`Scenario::from_toml_with`], with values from the command line
    /// read after the file (see [`Override`]).
    pub fn from_toml_overridden(
        text: &str,
        origin: &str,
        default_name: &str,
        limits: &Limits,
        overrides: &[Override],
    ) -> Result<Self, ScenarioError> {
        Self::parse_in(text, origin, default_name, limits, overrides, None)
    }

    /// As [`Scenario::from_toml_overridden`]; `dir` is the folder of the
    /// scenario file, where the files it names are looked for.
    fn parse_in(
        text: &str,
        origin: &str,
        default_name: &str,
        limits: &Limits,
        overrides: &[Override],
        dir: Option<&Path>,
    ) -> Result<Self, ScenarioError> {
        let (scenario, mut problems, key_lines) = parse::parse(text, default_name, overrides, dir);
        if problems.is_empty() {
            // A rule broken by an overridden key is said of its flag.
            let ticks_key = scenario.model.ticks_key();
            for mut p in validate::validate(&scenario, limits, &key_lines) {
                if let Some(o) = overrides.iter().rev().find(|o| o.key(ticks_key) == p.path) {
                    p = p.from_flag(&o.flag);
                }
                problems.push(p);
            }
        }
        if problems.is_empty() {
            Ok(scenario)
        } else {
            problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
            Err(ScenarioError::new(origin, problems))
        }
    }

    /// Reads, parses and validates a scenario file.
    pub fn load(path: &Path, limits: &Limits) -> Result<Self, ScenarioError> {
        Self::load_overridden(path, limits, &[])
    }

    /// As [`Scenario::load`], with values from the command line.
    pub fn load_overridden(
        path: &Path,
        limits: &Limits,
        overrides: &[Override],
    ) -> Result<Self, ScenarioError> {
        let origin = path.display().to_string();
        let text = validate::read_text(path).map_err(|p| ScenarioError::new(&origin, vec![p]))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        Self::parse_in(
            &text,
            &origin,
            &sanitize_name(stem),
            limits,
            overrides,
            path.parent(),
        )
    }

    /// A copy without the sweep and the sensitivity analysis: the base of a
    /// design point. Costs nothing in the size of the design.
    pub fn without_design(&self) -> Scenario {
        Scenario {
            name: self.name.clone(),
            description: self.description.clone(),
            model: self.model,
            seed: self.seed,
            replications: self.replications,
            output: self.output.clone(),
            params: self.params.clone(),
            sweep: None,
            sensitivity: None,
            calibrate: None,
            overrides: self.overrides.clone(),
        }
    }

    /// The model's parameter struct, if it is a `T`.
    pub fn params_of<T: Any>(&self) -> Option<&T> {
        self.params.get()
    }

    /// The model's parameter struct, mutably, if it is a `T`.
    pub fn params_of_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.params.get_mut()
    }

    /// Every declared key of this scenario: the engine's, then the model's.
    pub fn declared(&self) -> impl Iterator<Item = &'static Param> + '_ {
        ENGINE_PARAMS.iter().chain(self.model.params())
    }

    fn holder(&self, path: &str) -> Option<Holder> {
        find(ENGINE_PARAMS, path)
            .map(Holder::Engine)
            .or_else(|| find(self.model.params(), path).map(Holder::Model))
    }

    /// The value at a key path (`managers.focus`, `coupling`, …), including
    /// the model's own paths (`managers.profiles.coach.share`).
    pub fn get(&self, path: &str) -> Option<Value> {
        match self.holder(path) {
            Some(Holder::Engine(p)) => p.get(self),
            Some(Holder::Model(p)) => p.get(self.params.as_any()),
            None => self.model.get_extra(&self.params, path),
        }
    }

    /// Checks and sets the value at a path (the cross-field rules are not
    /// checked: see [`Scenario::check_rules`]).
    pub fn set(&mut self, path: &str, value: &Value) -> Result<()> {
        match self.holder(path) {
            Some(Holder::Engine(p)) => p.set(self, value),
            Some(Holder::Model(p)) => p.set(self.params.as_any_mut(), value),
            None => self.model.set_extra(&mut self.params, path, value),
        }
    }

    /// A copy with the value at a path set.
    pub fn with(&self, path: &str, value: &Value) -> Result<Scenario> {
        let mut s = self.clone();
        s.set(path, value)?;
        Ok(s)
    }

    /// The kind of the value at `path`, and whether a sweep may vary it;
    /// an error saying why when `path` is not a key of this scenario.
    pub fn kind_of(&self, path: &str) -> Result<(Kind, bool)> {
        if let Some(Holder::Engine(p) | Holder::Model(p)) = self.holder(path) {
            return Ok((p.kind, p.sweepable));
        }
        if let Some(found) = self.model.kind_of_extra(&self.params, path) {
            return found.map(|k| (k, true));
        }
        let hint = crate::params::suggest(
            path,
            self.declared().filter(|p| p.sweepable).map(|p| p.path),
        )
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
        Err(Error::usage(format!(
            "`{path}` is not a scenario key{hint}"
        )))
    }

    /// Checks the rules that tie several keys together (used after sweeps set
    /// values).
    pub fn check_rules(&self, limits: &Limits) -> Result<(), Vec<Problem>> {
        let problems = validate::validate(self, limits, &Default::default());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A stable fingerprint of the resolved scenario (FNV-1a 64 of its
    /// resolved TOML rendering), used to refuse resuming or merging results
    /// of a different scenario.
    pub fn fingerprint(&self) -> String {
        let text = render_resolved(self);
        format!("{:016x}", fnv1a64(text.as_bytes()))
    }
}

/// FNV-1a, 64 bit: a stable, dependency-free fingerprint (not a security hash).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default_scenario() {
        let s = Scenario::from_toml("", "empty.toml", "default").unwrap();
        assert_eq!(s, Scenario::default());
    }

    #[test]
    fn embedded_scenarios_are_valid() {
        Scenario::from_toml(DEFAULT_SCENARIO, "default.toml", "default").unwrap();
        Scenario::from_toml(FLAGSHIP_SCENARIO, "regimes.toml", "regimes").unwrap();
    }

    #[test]
    fn resolved_rendering_round_trips() {
        let text = "seed = 7\ncoupling = \"zero_sum\"\n[managers]\nfocus = 0.9\n\
                    [[managers.profiles]]\nname = \"boss\"\nshare = 0.25\ndominance = 0.9\n\
                    [[managers.profiles]]\nname = \"coach\"\nshare = 0.75\nlistening = 0.9\n";
        let s = Scenario::from_toml(text, "x.toml", "x").unwrap();
        let rendered = render_resolved(&s);
        let again = Scenario::from_toml(&rendered, "rendered.toml", "x").unwrap();
        assert_eq!(s, again, "rendered:\n{rendered}");
    }

    #[test]
    fn keys_are_found_in_the_engine_and_the_model() {
        let mut s = Scenario::default();
        s.set("managers.focus", &Value::Float(0.9)).unwrap();
        assert_eq!(s.get("managers.focus"), Some(Value::Float(0.9)));
        s.set("seed", &Value::Int(7)).unwrap();
        assert_eq!(s.seed, 7);
        assert!(s.set("managers.focus", &Value::Float(2.0)).is_err());
        let err = s.kind_of("managers.fcous").unwrap_err().to_string();
        assert!(err.contains("did you mean `managers.focus`"), "{err}");
    }
}
