//! Sessions (one per browser tab) and their scenario: a TOML text with
//! comments, checked by the engine's own reader and by the explorer's
//! rules (one replicate, no sweep, every tick recorded, the caps); the
//! controls the page draws; and the state the API returns.

use super::edit;
use super::runs::Run;
use super::sweeps::Sweep;
use profspace::model::Model;
use profspace::model::present::{Control, Presentation};
use profspace::scenario::{Kind, Scenario, Value};
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The caps of the explorer.
pub(super) mod caps {
    /// Ticks per run.
    pub const TICKS: i64 = 5000;
    /// Professionals (teams × team size) per run.
    pub const PROFESSIONALS: u64 = 20_000;
    /// Teams per run (one tile each).
    pub const TEAMS: u64 = 500;
    /// Runs and sweeps going on at once in one session.
    pub const RUNS: usize = 2;
    /// Runs and sweeps going on at once in the whole server.
    pub const ALL_RUNS: usize = 6;
    /// Design points of a sweep.
    pub const POINTS: u64 = 100;
    /// Runs of a sweep.
    pub const SWEEP_RUNS: u64 = 1000;
    /// Professional-ticks of a sweep (runs × professionals × ticks).
    pub const SWEEP_WORK: u64 = 2_000_000_000;
    /// The largest seed: the whole numbers a browser keeps exactly.
    pub const SEED: u64 = (1 << 53) - 1;
}

/// How the page presents the scenario's model: the model's own
/// declaration, or a plain page from its parameters and metrics.
pub(super) fn presentation(model: &dyn Model) -> Presentation {
    model
        .presentation()
        .unwrap_or_else(|| Presentation::plain(model))
}

/// A problem of a scenario text, as the API reports it.
#[derive(Clone, Debug)]
pub(super) struct Problem {
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl Problem {
    fn at(text: &str, key: &str, message: impl Into<String>) -> Problem {
        Problem {
            line: edit::line_of(text, key),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    pub fn json(&self) -> Json {
        json!({"line": self.line, "key": self.key, "message": self.message})
    }
}

/// The problems as the API's 400 body.
pub(super) fn problems_json(problems: &[Problem]) -> Json {
    let first = problems.first().map_or(String::new(), |p| match p.line {
        Some(l) => format!(": line {l}: {}", p.message),
        None => format!(": {}", p.message),
    });
    json!({
        "error": format!("the scenario is not valid{first}"),
        "problems": problems.iter().map(Problem::json).collect::<Vec<_>>(),
    })
}

/// Reads and checks a scenario text: the engine's messages first, then the
/// explorer's own rules.
pub(super) fn check_text(text: &str) -> Result<Scenario, Vec<Problem>> {
    check_file(text, "explorer.toml")
}

/// Checks a scenario text read from `file` as [`check_text`] does.
pub(super) fn check_file(text: &str, file: &str) -> Result<Scenario, Vec<Problem>> {
    let s = Scenario::from_toml(text, file, "explorer").map_err(|e| {
        e.problems
            .into_iter()
            .map(|p| Problem {
                line: p.line,
                key: (!p.path.is_empty()).then_some(p.path),
                message: p.message,
            })
            .collect::<Vec<_>>()
    })?;
    let problems = explorer_rules(text, &s);
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

/// What the explorer refuses of a valid scenario.
fn explorer_rules(text: &str, s: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    for section in ["sweep", "sensitivity"] {
        let present = if section == "sweep" {
            s.sweep.is_some()
        } else {
            s.sensitivity.is_some()
        };
        if present {
            out.push(Problem {
                line: edit::table_line(text, section),
                key: Some(section.into()),
                message: format!("the explorer runs one scenario: remove the [{section}] section (the Sweep tab builds sweeps)"),
            });
        }
    }
    if s.replications != 1 {
        out.push(Problem::at(
            text,
            "replications",
            format!(
                "the explorer runs one replicate: write replications = 1, not {}",
                s.replications
            ),
        ));
    }
    if s.seed > caps::SEED {
        out.push(Problem::at(text, "seed", format!(
            "{} is too large for the explorer: seeds go from 0 to 2^53 − 1 = {} (the whole numbers a browser keeps exactly)",
            s.seed, caps::SEED)));
    }
    if s.output.ticks_every != 1 {
        out.push(Problem::at(
            text,
            "output.ticks_every",
            "the explorer records every tick: write output.ticks_every = 1 or leave it out",
        ));
    }
    if !s.output.agents_at.is_empty() {
        out.push(Problem::at(text, "output.agents_at",
            "the explorer does not write agents.csv: leave output.agents_at out (profspace run writes it)"));
    }
    out.extend(size_problems(text, s));
    out
}

/// The caps on ticks and size.
fn size_problems(text: &str, s: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let ticks_key = s.model.ticks_key();
    if let Some(Value::Int(t)) = s.get(ticks_key)
        && t > caps::TICKS
    {
        out.push(Problem::at(text, ticks_key, format!(
            "{t} ticks is more than the explorer runs (at most {}); use profspace run for longer runs",
            caps::TICKS)));
    }
    let pop = s.model.population(&s.params);
    if pop.agents > caps::PROFESSIONALS {
        out.push(Problem::at(
            text,
            &size_key(text, s, true),
            format!(
                "{} {}s in all is more than the explorer runs (at most {}); use profspace run",
                pop.agents,
                s.model.agent_word(),
                caps::PROFESSIONALS
            ),
        ));
    }
    if pop.teams > caps::TEAMS {
        out.push(Problem::at(text, &size_key(text, s, false), format!(
            "{} teams is more than the explorer shows (at most {}, one tile each); use profspace run",
            pop.teams, caps::TEAMS)));
    }
    out
}

/// The key of the page's first (or `last`) whole-number control the text
/// sets besides the seed and the run's length: the size of the
/// organisation, to point a size problem at its line.
fn size_key(text: &str, s: &Scenario, last: bool) -> String {
    let page = presentation(s.model);
    let size = |k: &&str| {
        *k != "seed"
            && *k != s.model.ticks_key()
            && edit::line_of(text, k).is_some()
            && matches!(s.kind_of(k), Ok((Kind::Int { .. }, _)))
    };
    let mut keys = page.keys().filter(size);
    let key = if last { keys.last() } else { keys.next() };
    key.unwrap_or("").to_string()
}

/// A browser tab's state on the server.
pub(super) struct Session {
    pub id: String,
    pub version: u64,
    pub toml: String,
    pub scenario: Scenario,
    pub touched: Instant,
    pub runs: Vec<Arc<Run>>,
    pub sweeps: Vec<Arc<Sweep>>,
    /// Its folder in the server's temporary folder.
    pub dir: PathBuf,
}

impl Session {
    /// A new session with the scenario text `start`.
    pub fn new(id: String, dir: PathBuf, start: &str) -> Session {
        let toml = start.to_string();
        let scenario = check_text(&toml).unwrap_or_default();
        Session {
            id,
            version: 1,
            toml,
            scenario,
            touched: Instant::now(),
            runs: Vec::new(),
            sweeps: Vec::new(),
            dir,
        }
    }

    /// Replaces the text when it is valid; the problems otherwise (the
    /// session keeps its scenario).
    pub fn set_text(&mut self, text: String) -> Result<(), Vec<Problem>> {
        let s = check_text(&text)?;
        self.toml = text;
        self.scenario = s;
        self.version += 1;
        Ok(())
    }

    /// Sets one key in the text.
    pub fn set_key(&mut self, key: &str, value: &Json) -> Result<(), Vec<Problem>> {
        let one = |m: String| vec![Problem::at(&self.toml, key, m)];
        let (kind, _) = self.scenario.kind_of(key).map_err(|m| {
            vec![Problem {
                line: None,
                key: Some(key.to_string()),
                message: m.to_string(),
            }]
        })?;
        let v = edit::toml_value(&kind, value).map_err(one)?;
        let text = edit::set(&self.toml, key, &v).map_err(one)?;
        self.set_text(text)
    }

    /// The state the API returns (`GET /api/scenario`).
    pub fn state(&self) -> Json {
        let s = &self.scenario;
        let mut values = serde_json::Map::new();
        let mut controls = Vec::new();
        let page = presentation(s.model);
        for c in &page.controls {
            let Some(p) = s.declared().find(|p| p.path == c.key) else {
                continue;
            };
            if let Some(v) = s.get(&c.key) {
                values.insert(c.key.to_string(), value_json(&v));
            }
            controls.push(control_json(c, p.kind, p.meaning, s.model.ticks_key()));
        }
        let metrics: Vec<Json> = s
            .model
            .tick_metrics()
            .iter()
            .map(|m| {
                json!({
                    "name": m.name, "meaning": m.meaning, "unit": m.unit.word(),
                    "direction": m.direction.word(),
                })
            })
            .collect();
        json!({
            "session": self.id,
            "version": self.version,
            "toml": self.toml,
            "values": values,
            "controls": controls,
            "metrics": metrics,
            "model": s.model.name(),
            "ticks_key": s.model.ticks_key(),
            "page": page,
            "limits": {
                "ticks": caps::TICKS, "professionals": caps::PROFESSIONALS,
                "teams": caps::TEAMS, "runs": caps::RUNS, "points": caps::POINTS,
                "sweep_runs": caps::SWEEP_RUNS, "seed": caps::SEED,
            },
        })
    }
}

fn control_json(c: &Control, kind: Kind, meaning: &str, ticks_key: &str) -> Json {
    let label = c.key.rsplit('.').next().unwrap_or(&c.key);
    let mut o = json!({"key": c.key, "label": label, "group": c.group, "meaning": meaning,
        "short": c.short});
    if !c.window.is_empty() {
        o["window"] = json!(c.window);
    }
    match kind {
        Kind::Float { min, max } => {
            o["kind"] = json!("float");
            o["min"] = json!(min);
            o["max"] = json!(max);
            o["step"] = json!(0.01);
        }
        Kind::Int { min, max } => {
            let cap = match c.key.as_str() {
                "seed" => caps::SEED as i64,
                k if k == ticks_key => caps::TICKS,
                _ => caps::PROFESSIONALS as i64,
            };
            o["kind"] = json!("int");
            o["min"] = json!(min);
            o["max"] = json!(max.min(cap));
        }
        Kind::Choice(choices) => {
            o["kind"] = json!("choice");
            o["choices"] = json!(choices);
        }
        Kind::Bool => o["kind"] = json!("bool"),
        _ => o["kind"] = json!("text"),
    }
    o
}

/// A scenario value as JSON.
pub(super) fn value_json(v: &Value) -> Json {
    match v {
        Value::Float(x) => json!(x),
        Value::Int(i) => json!(i),
        Value::Bool(b) => json!(b),
        Value::Text(t) => json!(t),
        Value::List(l) => json!(l),
    }
}

/// The values of the controls of a scenario (`values` of a run).
pub(super) fn values_of(s: &Scenario) -> Json {
    let mut values = serde_json::Map::new();
    for c in presentation(s.model).controls {
        if let Some(v) = s.get(&c.key) {
            values.insert(c.key.to_string(), value_json(&v));
        }
    }
    Json::Object(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::new(
            "s".into(),
            PathBuf::from("/nonexistent"),
            super::super::assets::TEMPLATE,
        )
    }

    #[test]
    fn the_template_passes_and_has_every_control() {
        let s = session();
        let st = s.state();
        let page = presentation(profspace::model::default_model());
        assert_eq!(
            st["controls"].as_array().unwrap().len(),
            page.controls.len()
        );
        assert_eq!(st["values"]["managers.focus"], json!(0.5));
        assert_eq!(st["values"]["seed"], json!(42));
    }

    #[test]
    fn explorer_rules_name_their_lines() {
        let mut s = session();
        let text = format!(
            "{}\n[sweep.grid]\n\"managers.focus\" = [0.1, 0.2]\n",
            s.toml.replace("replications = 1 ", "replications = 3 ")
        );
        let problems = s.set_text(text).unwrap_err();
        let words: Vec<String> = problems
            .iter()
            .map(|p| format!("{:?} {}", p.line, p.message))
            .collect();
        assert!(
            words
                .iter()
                .any(|w| w.contains("replications = 1") && w.starts_with("Some(11)")),
            "{words:?}"
        );
        assert!(words.iter().any(|w| w.contains("[sweep]")), "{words:?}");
        assert_eq!(s.version, 1);
    }

    #[test]
    fn set_checks_with_the_engine() {
        let mut s = session();
        s.set_key("managers.focus", &json!(0.8)).unwrap();
        assert!(s.toml.contains("focus = 0.8 "), "{}", s.toml);
        assert_eq!(s.version, 2);
        let p = s.set_key("managers.focus", &json!(1.5)).unwrap_err();
        assert_eq!(p[0].line, Some(25), "{p:?}");
        assert!(
            p[0].message.contains("0") && p[0].message.contains("1"),
            "{p:?}"
        );
        let p = s.set_key("seed", &json!(1u64 << 60)).unwrap_err();
        assert!(p[0].message.contains("2^53"), "{p:?}");
        let p = s
            .set_key("organization.team_size", &json!(3000))
            .unwrap_err();
        assert!(p[0].message.contains("professionals"), "{p:?}");
        assert_eq!(s.version, 2);
    }
}
