//! The parameter registry: every scenario key with its kind, allowed range,
//! meaning and the article's concept it stands for.
//!
//! Defaults are not written here: they are read from [`Scenario::default`]
//! through each entry's getter, so the model's numbers live in one place.
//! Profile keys (`managers.profiles.<name>.<lever>`) are not entries of the
//! table; [`get`] and [`set`] resolve them by name.

use super::{Coupling, ModelKind, Scenario};
use std::fmt;

/// A scenario value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A real number.
    Float(f64),
    /// A whole number.
    Int(i64),
    /// A switch.
    Bool(bool),
    /// Text, or one of a set of names.
    Text(String),
}

impl Value {
    /// The value as a real number (whole numbers convert).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(x) => Some(x),
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// Renders the value as TOML.
    pub fn to_toml(&self) -> String {
        match self {
            Value::Float(x) => format_float(*x),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Text(s) => toml::Value::String(s.clone()).to_string(),
        }
    }
}

/// Formats a float so that TOML reads it back as a float with the same value.
pub fn format_float(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E', 'i', 'n']) {
        s
    } else {
        format!("{s}.0")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Float(x) => write!(f, "{x}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => write!(f, "{s}"),
        }
    }
}

/// What values a key takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A finite real number in `[min, max]`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A whole number in `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// Free text of bounded length.
    Text {
        /// Longest allowed text, in characters.
        max_len: usize,
    },
}

impl Kind {
    /// Describes the allowed values in words, for messages and docs.
    pub fn allowed(&self) -> String {
        match *self {
            Kind::Float { min, max } => format!("a number from {min} to {max}"),
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Bool => "true or false".into(),
            Kind::Choice(names) => format!(
                "one of {}",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Text { max_len } => format!("text of at most {max_len} characters"),
        }
    }

    /// Short form of the allowed range for tables.
    pub fn range(&self) -> String {
        match *self {
            Kind::Float { min, max } => format!("[{min}, {max}]"),
            Kind::Int { min, max } => format!("{min} … {max}"),
            Kind::Bool => "true, false".into(),
            Kind::Choice(names) => names.join(", "),
            Kind::Text { max_len } => format!("≤ {max_len} characters"),
        }
    }

    /// Checks a value against the kind. Whole numbers are accepted where real
    /// numbers are asked. Returns the value to store, or what is wrong.
    pub fn check(&self, value: &Value) -> Result<Value, String> {
        match (*self, value) {
            (Kind::Float { min, max }, v @ (Value::Float(_) | Value::Int(_))) => {
                let x = v.as_f64().unwrap_or(f64::NAN);
                if x.is_nan() {
                    Err(format!("nan is not a number; expected {}", self.allowed()))
                } else if x.is_infinite() {
                    Err(format!(
                        "{x} is not a finite number; expected {}",
                        self.allowed()
                    ))
                } else if x == 0.0 && x.is_sign_negative() {
                    Err(format!(
                        "-0.0 carries a sign; write 0.0 ({} is allowed)",
                        self.allowed()
                    ))
                } else if x < min || x > max {
                    Err(format!(
                        "{} is out of range; expected {}",
                        short(x),
                        self.allowed()
                    ))
                } else {
                    Ok(Value::Float(x))
                }
            }
            (Kind::Int { min, max }, Value::Int(i)) => {
                if *i < min || *i > max {
                    Err(format!("{i} is out of range; expected {}", self.allowed()))
                } else {
                    Ok(Value::Int(*i))
                }
            }
            (Kind::Int { .. }, Value::Float(x)) => Err(format!(
                "{} is not a whole number; expected {}",
                format_float(*x),
                self.allowed()
            )),
            (Kind::Bool, Value::Bool(b)) => Ok(Value::Bool(*b)),
            (Kind::Choice(names), Value::Text(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(value.clone())
                } else {
                    let hint = suggest(s, names.iter().copied())
                        .map(|n| format!(" (did you mean \"{n}\"?)"))
                        .unwrap_or_default();
                    Err(format!(
                        "\"{}\" is not known{hint}; expected {}",
                        ellipsis(s),
                        self.allowed()
                    ))
                }
            }
            (Kind::Text { max_len }, Value::Text(s)) => {
                let n = s.chars().count();
                if n > max_len {
                    Err(format!(
                        "text of {n} characters is too long; expected {}",
                        self.allowed()
                    ))
                } else {
                    Ok(value.clone())
                }
            }
            (_, v) => Err(format!(
                "expected {}, found {} `{}`",
                self.allowed(),
                type_name(v),
                ellipsis(&v.to_toml())
            )),
        }
    }
}

/// A number as people read it: plain for everyday sizes, scientific for
/// very large or very small ones.
pub fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e7 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Float(_) => "the number",
        Value::Int(_) => "the whole number",
        Value::Bool(_) => "the switch",
        Value::Text(_) => "the text",
    }
}

/// Shortens long text for messages.
pub fn ellipsis(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// The closest name to `word` among `candidates`, if one is close enough to
/// be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Which model a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every model.
    Engine,
    /// The professional-space model.
    ProfessionalSpace,
    /// March (1991).
    March,
}

impl Scope {
    /// Whether keys of this scope apply to `model`.
    pub fn applies_to(self, model: ModelKind) -> bool {
        matches!(
            (self, model),
            (Scope::Engine, _)
                | (Scope::ProfessionalSpace, ModelKind::ProfessionalSpace)
                | (Scope::March, ModelKind::March1991)
        )
    }
}

/// One scenario key.
#[derive(Clone, Copy)]
pub struct Param {
    /// Dotted key path as written in TOML (`managers.focus`).
    pub path: &'static str,
    /// Allowed values.
    pub kind: Kind,
    /// One-line meaning.
    pub meaning: &'static str,
    /// The concept of the article (or of March 1991) the key stands for.
    pub concept: &'static str,
    /// Which model reads it.
    pub scope: Scope,
    /// Whether a sweep may vary it.
    pub sweepable: bool,
    /// A note on the default where it is not a single value.
    pub default_note: Option<&'static str>,
    getter: fn(&Scenario) -> Value,
    setter: fn(&mut Scenario, &Value),
}

impl Param {
    /// The value of this key in `s`.
    pub fn get(&self, s: &Scenario) -> Value {
        (self.getter)(s)
    }

    /// The default value.
    pub fn default_value(&self) -> Value {
        self.get(&Scenario::default())
    }

    /// The default as shown in tables.
    pub fn default_text(&self) -> String {
        match self.default_note {
            Some(note) => note.to_string(),
            None => match self.default_value() {
                Value::Text(s) if s.is_empty() => "\"\"".into(),
                v => v.to_toml(),
            },
        }
    }

    /// Stores an already checked value.
    pub fn set(&self, s: &mut Scenario, v: &Value) {
        (self.setter)(s, v)
    }

    /// The last segment of the path.
    pub fn key(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// The table the key lives in (`""` for the top level).
    pub fn section(&self) -> &'static str {
        match self.path.rfind('.') {
            Some(i) => &self.path[..i],
            None => "",
        }
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Param").field("path", &self.path).finish()
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_default()
}
fn u(v: &Value) -> u32 {
    match v {
        Value::Int(i) => u32::try_from(*i).unwrap_or(u32::MAX),
        _ => 0,
    }
}
fn b(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}
fn t(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        other => other.to_string(),
    }
}

const UNIT: Kind = Kind::Float { min: 0.0, max: 1.0 };
const BIG: i64 = 10_000_000;

macro_rules! param {
    ($path:literal, $kind:expr, $scope:ident, $sweep:literal, $($field:ident).+ : $conv:ident => $wrap:ident,
     $meaning:literal, $concept:literal) => {
        Param {
            path: $path,
            kind: $kind,
            meaning: $meaning,
            concept: $concept,
            scope: Scope::$scope,
            sweepable: $sweep,
            default_note: None,
            getter: |s| param!(@wrap $wrap, s.$($field).+),
            setter: |s, v| s.$($field).+ = param!(@conv $conv, v),
        }
    };
    (@wrap Float, $e:expr) => { Value::Float($e) };
    (@wrap Int, $e:expr) => { Value::Int(i64::from($e)) };
    (@wrap Bool, $e:expr) => { Value::Bool($e) };
    (@wrap Text, $e:expr) => { Value::Text($e.clone()) };
    (@conv f, $v:expr) => { f($v) };
    (@conv u, $v:expr) => { u($v) };
    (@conv b, $v:expr) => { b($v) };
    (@conv t, $v:expr) => { t($v) };
}

/// Every scenario key, in the order of the documentation and of rendered
/// scenario files.
pub static PARAMS: &[Param] = &[
    // ---- top level ----
    Param {
        default_note: Some("the file name"),
        ..param!("name", Kind::Text { max_len: 100 }, Engine, false, name: t => Text,
            "Name of the output folder under output/; letters, digits, '-', '_' and '.', not starting with '.'",
            "—")
    },
    param!("description", Kind::Text { max_len: 10_000 }, Engine, false, description: t => Text,
        "Free text describing the experiment", "—"),
    Param {
        path: "model",
        kind: Kind::Choice(ModelKind::NAMES),
        meaning: "Which model runs: the professional-space model or March's (1991) exploration/exploitation model",
        concept: "March's two logics of action (claim 6)",
        scope: Scope::Engine,
        sweepable: false,
        default_note: None,
        getter: |s| Value::Text(s.model.name().into()),
        setter: |s, v| {
            s.model = ModelKind::from_name(&t(v)).unwrap_or(ModelKind::ProfessionalSpace)
        },
    },
    Param {
        path: "seed",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        meaning: "Master seed; every random stream of every run is derived from it and the replicate number",
        concept: "—",
        scope: Scope::Engine,
        sweepable: false,
        default_note: None,
        getter: |s| Value::Int(s.seed as i64),
        setter: |s, v| {
            if let Value::Int(i) = v {
                s.seed = *i as u64
            }
        },
    },
    param!("ticks", Kind::Int { min: 1, max: BIG }, ProfessionalSpace, true, ticks: u => Int,
        "Ticks (rounds of communicative adjustment) per run", "ongoing communicative adjustment (Fogel)"),
    param!("replications", Kind::Int { min: 1, max: 1_000_000 }, Engine, false, replications: u => Int,
        "Replications per design point; replicate r uses the same random numbers at every point", "—"),
    Param {
        path: "coupling",
        kind: Kind::Choice(Coupling::NAMES),
        meaning: "How the frame is negotiated: one control/autonomy budget (zero_sum) or independent, mutually reinforcing freedom and safety (freedom_safety)",
        concept: "zero-sum pairs (claim 2) against the positive-sum pair freedom/safety (claim 3, Bauman)",
        scope: Scope::ProfessionalSpace,
        sweepable: true,
        default_note: None,
        getter: |s| Value::Text(s.coupling.name().into()),
        setter: |s, v| s.coupling = Coupling::from_name(&t(v)).unwrap_or(Coupling::FreedomSafety),
    },
    // ---- organisation ----
    param!("organization.teams", Kind::Int { min: 1, max: BIG }, ProfessionalSpace, true, organization.teams: u => Int,
        "Number of teams, each with one manager", "the organisation"),
    param!("organization.team_size", Kind::Int { min: 1, max: BIG }, ProfessionalSpace, true, organization.team_size: u => Int,
        "Professionals per team", "the organisation"),
    param!("organization.peers", Kind::Int { min: 0, max: 1000 }, ProfessionalSpace, true, organization.peers: u => Int,
        "Directed peer ties per professional (drawn without replacement, no self-ties)", "sensemaking among colleagues (Weick)"),
    param!("organization.peer_within", UNIT, ProfessionalSpace, true, organization.peer_within: f => Float,
        "Share of the peer ties inside the own team; round(peers × peer_within) are inside", "sensemaking among colleagues (Weick)"),
    // ---- managers ----
    param!("managers.rationale", UNIT, ProfessionalSpace, true, managers.levers.rationale: f => Float,
        "Mean of the rationale lever: the why, vision", "rationale (vertical axis) → purpose"),
    param!("managers.effect", UNIT, ProfessionalSpace, true, managers.levers.effect: f => Float,
        "Mean of the effect lever: weight of targets and results", "effect (targets) → identity"),
    param!("managers.focus", UNIT, ProfessionalSpace, true, managers.levers.focus: f => Float,
        "Mean of the focus lever: priorities, structures, systems", "focus (capacity, horizontal axis) → box (containment, Bion)"),
    param!("managers.energy", UNIT, ProfessionalSpace, true, managers.levers.energy: f => Float,
        "Mean of the energy lever: budget, knowledge, experience", "energy → drive"),
    param!("managers.connection", UNIT, ProfessionalSpace, true, managers.levers.connection: f => Float,
        "Mean of the connection lever: care, contact, the centre of the model", "connection (centre) → meaning (sensemaking, Weick)"),
    param!("managers.dominance", UNIT, ProfessionalSpace, true, managers.levers.dominance: f => Float,
        "Mean dominance: how much the manager imposes a claim instead of negotiating", "leadership as dominance rather than licence"),
    param!("managers.listening", UNIT, ProfessionalSpace, true, managers.levers.listening: f => Float,
        "Mean listening: how far effects move toward what professionals voice", "professionals seen and heard in defining effects"),
    param!("managers.spread", UNIT, ProfessionalSpace, true, managers.spread: f => Float,
        "Standard deviation of every lever draw around its mean", "—"),
    // ---- professionals ----
    param!("professionals.need", UNIT, ProfessionalSpace, true, professionals.traits.need: f => Float,
        "Mean need for autonomy", "the professional's request for space"),
    param!("professionals.consequentialism", UNIT, ProfessionalSpace, true, professionals.traits.consequentialism: f => Float,
        "Mean weight of the logic of consequences (the model's λ); 1 − it is the logic of identity", "March's two logics of action"),
    param!("professionals.aspiration", UNIT, ProfessionalSpace, true, professionals.traits.aspiration: f => Float,
        "Mean aspiration level", "high ambitions lead to failure, frustration and cynicism (March)"),
    param!("professionals.standard", UNIT, ProfessionalSpace, true, professionals.traits.standard: f => Float,
        "Mean standard of good work: 0 volume … 1 craft quality", "degelijkheid: sound and good work"),
    param!("professionals.base_drive", UNIT, ProfessionalSpace, true, professionals.traits.base_drive: f => Float,
        "Mean baseline intrinsic drive", "drive: preparedness, intrinsic motivation"),
    param!("professionals.spread.need", UNIT, ProfessionalSpace, true, professionals.spread.need: f => Float,
        "Standard deviation of need", "—"),
    param!("professionals.spread.consequentialism", UNIT, ProfessionalSpace, true, professionals.spread.consequentialism: f => Float,
        "Standard deviation of consequentialism", "—"),
    param!("professionals.spread.aspiration", UNIT, ProfessionalSpace, true, professionals.spread.aspiration: f => Float,
        "Standard deviation of aspiration", "—"),
    param!("professionals.spread.standard", UNIT, ProfessionalSpace, true, professionals.spread.standard: f => Float,
        "Standard deviation of standard", "—"),
    param!("professionals.spread.base_drive", UNIT, ProfessionalSpace, true, professionals.spread.base_drive: f => Float,
        "Standard deviation of base_drive", "—"),
    // ---- dynamics ----
    param!("dynamics.alpha", UNIT, ProfessionalSpace, true, dynamics.alpha: f => Float,
        "Adjustment rate: how far a state moves toward its target per tick", "ongoing communicative adjustment (Fogel)"),
    param!("dynamics.noise", UNIT, ProfessionalSpace, true, dynamics.noise: f => Float,
        "Standard deviation of the noise on every noisy update", "—"),
    param!("dynamics.peer_weight", UNIT, ProfessionalSpace, true, dynamics.peer_weight: f => Float,
        "Weight of the peers' meaning, drive and safety in one's own targets", "sensemaking is social (Weick)"),
    param!("dynamics.learn", UNIT, ProfessionalSpace, true, dynamics.learn: f => Float,
        "Learning rate of skill (needs room and safety)", "professional development"),
    param!("dynamics.cynicism_rate", UNIT, ProfessionalSpace, true, dynamics.cynicism_rate: f => Float,
        "Rate at which frustration of consequentialists turns into cynicism", "frustration and cynicism (March)"),
    param!("dynamics.effects0", UNIT, ProfessionalSpace, true, dynamics.effects0: f => Float,
        "Initial effect definition of every manager, on the axis of standard", "effects defined without the professionals"),
    param!("dynamics.meaning_dynamics", Kind::Bool, ProfessionalSpace, true, dynamics.meaning_dynamics: b => Bool,
        "Whether meaning moves; false holds it at its initial value (the catalyst ablation)", "meaning as pivot and catalyst"),
    // ---- turnover ----
    param!("turnover.exit_base", UNIT, ProfessionalSpace, true, turnover.exit_base: f => Float,
        "Baseline exit probability per professional per tick", "people leave"),
    param!("turnover.exit_sensitivity", UNIT, ProfessionalSpace, true, turnover.exit_sensitivity: f => Float,
        "Extra exit probability per unit of engagement below the floor", "soulless, alienated people leave"),
    param!("turnover.engagement_floor", UNIT, ProfessionalSpace, true, turnover.engagement_floor: f => Float,
        "Engagement G(drive, meaning) below which exits rise", "engagement"),
    // ---- licence ----
    param!("licence.initial", UNIT, ProfessionalSpace, true, licence.initial: f => Float,
        "Licence of a new manager", "leadership is a licence granted by the group"),
    param!("licence.rate", UNIT, ProfessionalSpace, true, licence.rate: f => Float,
        "Rate at which the licence follows the team's trust", "the licence is renegotiated"),
    param!("licence.revoke_below", UNIT, ProfessionalSpace, true, licence.revoke_below: f => Float,
        "Licence below which the team starts counting toward revocation", "the licence is revoked"),
    param!("licence.replace_after", Kind::Int { min: 1, max: BIG }, ProfessionalSpace, true, licence.replace_after: u => Int,
        "Ticks in a row under the threshold after which the manager is replaced", "the licence is revoked"),
    // ---- environment ----
    param!("environment.turbulence", UNIT, ProfessionalSpace, true, environment.turbulence: f => Float,
        "Probability per tick that every manager's effects shift by N(0, 0.2)", "rapidly changing markets"),
    // ---- output ----
    param!("output.ticks_every", Kind::Int { min: 0, max: BIG }, Engine, false, output.ticks_every: u => Int,
        "Write every n-th tick to ticks.csv (per period for march1991); 0 writes no per-tick table", "—"),
    // ---- March (1991) ----
    param!("march.dimensions", Kind::Int { min: 1, max: 100_000 }, March, true, march.dimensions: u => Int,
        "Dimensions of reality (m)", "March 1991: the external reality"),
    param!("march.individuals", Kind::Int { min: 1, max: 1_000_000 }, March, true, march.individuals: u => Int,
        "Individuals in the organisation (n)", "March 1991: the members"),
    param!("march.socialization", UNIT, March, true, march.socialization: f => Float,
        "Socialisation rate p1: how fast individuals adopt the code", "exploitation: learning from the code"),
    param!("march.code_learning", UNIT, March, true, march.code_learning: f => Float,
        "Code learning rate p2: how fast the code learns from the superior group", "the organisation learns from its members"),
    param!("march.turnover", UNIT, March, true, march.turnover: f => Float,
        "Turnover p3: probability per period that an individual is replaced by a newcomer", "exploration through newcomers"),
    param!("march.turbulence", UNIT, March, true, march.turbulence: f => Float,
        "Turbulence p4: probability per period that each dimension of reality flips", "a changing environment"),
    param!("march.fast_individuals", Kind::Int { min: 0, max: 1_000_000 }, March, true, march.fast_individuals: u => Int,
        "How many individuals (the first ones) socialise at fast_socialization", "heterogeneous socialisation"),
    param!("march.fast_socialization", UNIT, March, true, march.fast_socialization: f => Float,
        "Socialisation rate of the fast individuals", "heterogeneous socialisation"),
    Param {
        path: "march.max_periods",
        kind: Kind::Int { min: 1, max: BIG },
        meaning: "Cap on periods; a closed organisation stops earlier at equilibrium",
        concept: "—",
        scope: Scope::March,
        sweepable: true,
        default_note: Some("5000 if turnover and turbulence are 0, else 100"),
        getter: |s| Value::Int(i64::from(s.march.resolved_max_periods())),
        setter: |s, v| s.march.max_periods = Some(u(v)),
    },
];

/// Keys allowed in a `[[managers.profiles]]` entry besides the levers.
pub const MANAGER_PROFILE_KEYS: [&str; 3] = ["name", "share", "spread"];
/// Keys allowed in a `[[professionals.profiles]]` entry besides the traits.
pub const PROFESSIONAL_PROFILE_KEYS: [&str; 2] = ["name", "share"];

/// The registry entry at `path`.
pub fn find(path: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.path == path)
}

/// Whether `path` names a table that holds registry keys.
pub fn is_section(path: &str) -> bool {
    let prefix = format!("{path}.");
    PARAMS.iter().any(|p| p.path.starts_with(&prefix))
}

/// The keys directly inside a section (`""` for the top level), including
/// sub-tables.
pub fn children(section: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in PARAMS {
        let rest = if section.is_empty() {
            Some(p.path)
        } else {
            p.path
                .strip_prefix(section)
                .and_then(|r| r.strip_prefix('.'))
        };
        if let Some(rest) = rest {
            let first = rest.split('.').next().unwrap_or(rest);
            if !out.contains(&first) {
                out.push(first);
            }
        }
    }
    out
}

/// A profile path split into its parts: (population, profile name, key).
pub fn split_profile_path(path: &str) -> Option<(&str, &str, &str)> {
    for population in ["managers", "professionals"] {
        let prefix = format!("{population}.profiles.");
        if let Some(rest) = path.strip_prefix(&prefix) {
            let (name, key) = rest.rsplit_once('.')?;
            let population = if population == "managers" {
                "managers"
            } else {
                "professionals"
            };
            return Some((population, name, key));
        }
    }
    None
}

/// The kind of a profile key, if `key` is one.
pub fn profile_key_kind(population: &str, key: &str) -> Option<Kind> {
    let ok = match population {
        "managers" => {
            super::Levers::NAMES.contains(&key) || MANAGER_PROFILE_KEYS[1..].contains(&key)
        }
        _ => super::Traits::NAMES.contains(&key) || key == "share",
    };
    ok.then_some(UNIT)
}

/// The value at `path`, including profile paths.
pub fn get(s: &Scenario, path: &str) -> Option<Value> {
    if let Some(p) = find(path) {
        return Some(p.get(s));
    }
    let (population, name, key) = split_profile_path(path)?;
    let x = if population == "managers" {
        let pr = s.managers.profiles.iter().find(|p| p.name == name)?;
        match key {
            "share" => pr.share,
            "spread" => pr.spread,
            lever => pr.levers.get(lever)?,
        }
    } else {
        let pr = s.professionals.profiles.iter().find(|p| p.name == name)?;
        match key {
            "share" => pr.share,
            tr => pr.traits.get(tr)?,
        }
    };
    Some(Value::Float(x))
}

/// Checks and sets the value at `path`. Setting a profile's share rescales
/// the other profiles of that population so the shares still sum to 1.
pub fn set(s: &mut Scenario, path: &str, value: &Value) -> Result<(), String> {
    if let Some(p) = find(path) {
        let v = p.kind.check(value)?;
        p.set(s, &v);
        return Ok(());
    }
    let Some((population, name, key)) = split_profile_path(path) else {
        return Err(format!("`{path}` is not a scenario key"));
    };
    let kind = profile_key_kind(population, key)
        .ok_or_else(|| format!("`{key}` is not a key of a {population} profile"))?;
    let x = kind.check(value)?.as_f64().unwrap_or_default();
    let mut shares: Vec<(String, f64)> = if population == "managers" {
        s.managers
            .profiles
            .iter()
            .map(|p| (p.name.clone(), p.share))
            .collect()
    } else {
        s.professionals
            .profiles
            .iter()
            .map(|p| (p.name.clone(), p.share))
            .collect()
    };
    let Some(index) = shares.iter().position(|(n, _)| n == name) else {
        let names: Vec<&str> = shares.iter().map(|(n, _)| n.as_str()).collect();
        return Err(if names.is_empty() {
            format!("there are no {population} profiles, so no profile `{name}`")
        } else {
            format!(
                "no {population} profile named `{name}`; the profiles are {}",
                names.join(", ")
            )
        });
    };
    if key == "share" {
        let others: f64 = shares
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, (_, v))| v)
            .sum();
        if others <= 0.0 && x < 1.0 {
            return Err(format!(
                "cannot set the share of `{name}` to {x}: the other {population} profiles have share 0, so the shares could not sum to 1"
            ));
        }
        for (i, (_, v)) in shares.iter_mut().enumerate() {
            *v = if i == index {
                x
            } else if others > 0.0 {
                *v / others * (1.0 - x)
            } else {
                0.0
            };
        }
    }
    if population == "managers" {
        for (p, (_, sh)) in s.managers.profiles.iter_mut().zip(&shares) {
            p.share = *sh;
        }
        let pr = &mut s.managers.profiles[index];
        match key {
            "share" => {}
            "spread" => pr.spread = x,
            lever => *pr.levers.get_mut(lever).ok_or("unknown lever")? = x,
        }
    } else {
        for (p, (_, sh)) in s.professionals.profiles.iter_mut().zip(&shares) {
            p.share = *sh;
        }
        let pr = &mut s.professionals.profiles[index];
        match key {
            "share" => {}
            tr => *pr.traits.get_mut(tr).ok_or("unknown trait")? = x,
        }
    }
    Ok(())
}

/// The kind of the value at `path` (registry keys and profile keys).
pub fn kind_of(s: &Scenario, path: &str) -> Result<Kind, String> {
    if let Some(p) = find(path) {
        return Ok(p.kind);
    }
    if let Some((population, name, key)) = split_profile_path(path) {
        let exists = if population == "managers" {
            s.managers.profiles.iter().any(|p| p.name == name)
        } else {
            s.professionals.profiles.iter().any(|p| p.name == name)
        };
        if !exists {
            return Err(format!("no {population} profile named `{name}`"));
        }
        return profile_key_kind(population, key)
            .ok_or_else(|| format!("`{key}` is not a key of a {population} profile"));
    }
    let hint = suggest(path, PARAMS.iter().filter(|p| p.sweepable).map(|p| p.path))
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    Err(format!("`{path}` is not a scenario key{hint}"))
}

/// Renders the parameter reference as Markdown (`docs/parameters.md` and
/// `profspace params --markdown`).
pub fn reference_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Parameter reference\n\n");
    out.push_str(
        "Generated by `profspace params --markdown` from the parameter registry \
         (`src/scenario/params.rs`); a test keeps this file equal to it.\n\n\
         Every key is optional: an empty file is a valid scenario with the defaults \
         of the model (`docs/ODD.md`). Numbers are drawn as normal variates around the means with the \
         given spreads and clamped to [0, 1].\n",
    );
    let mut section = "\u{0}";
    for p in PARAMS {
        if p.section() != section {
            section = p.section();
            let title = if section.is_empty() {
                "Top level".to_string()
            } else {
                format!("`[{section}]`")
            };
            out.push_str(&format!(
                "\n## {title}\n\n| key | default | allowed | meaning | concept |\n|---|---|---|---|---|\n"
            ));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {}{} | {} |\n",
            p.path,
            p.default_text(),
            p.kind.range(),
            p.meaning,
            if p.sweepable { "" } else { " (not sweepable)" },
            p.concept
        ));
    }
    out.push_str(
        "\n## Profiles\n\n\
         `[[managers.profiles]]` entries take `name` (letters, digits, `-`, `_`), `share` \
         (the shares of all entries sum to 1 within 1e-9), any of the seven levers and \
         `spread`; unset levers take the `[managers]` means. Teams are assigned to profiles \
         in order: team j gets the first profile whose cumulative share exceeds (j + ½) / teams.\n\n\
         `[[professionals.profiles]]` entries take `name`, `share` and any of the five \
         trait means; every team holds the same mix: place k of a team gets the first \
         profile whose cumulative share exceeds (k + ½) / team_size.\n\n\
         In sweeps a profile key is addressed as `managers.profiles.<name>.<key>`; setting \
         a share rescales the other profiles of that population so the shares still sum to 1.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_children_resolve() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                PARAMS[i + 1..].iter().all(|q| q.path != p.path),
                "duplicate {}",
                p.path
            );
            assert!(children(p.section()).contains(&p.key()), "{}", p.path);
        }
        assert!(children("").contains(&"managers"));
        assert!(children("professionals").contains(&"spread"));
    }

    #[test]
    fn every_default_satisfies_its_own_kind() {
        for p in PARAMS {
            let d = p.default_value();
            assert_eq!(p.kind.check(&d), Ok(d.clone()), "{}", p.path);
        }
    }

    #[test]
    fn setting_a_share_rescales_the_others() {
        let mut s = Scenario::default();
        for (name, share) in [("a", 0.5), ("b", 0.25), ("c", 0.25)] {
            s.managers.profiles.push(super::super::ManagerProfile {
                name: name.into(),
                share,
                levers: s.managers.levers,
                spread: 0.05,
            });
        }
        set(&mut s, "managers.profiles.a.share", &Value::Float(0.8)).unwrap();
        let shares: Vec<f64> = s.managers.profiles.iter().map(|p| p.share).collect();
        assert!(
            (shares[1] - 0.1).abs() < 1e-12 && (shares[2] - 0.1).abs() < 1e-12,
            "{shares:?}"
        );
        assert!(set(&mut s, "managers.profiles.zz.share", &Value::Float(0.5)).is_err());
    }

    #[test]
    fn kind_check_rejects_what_it_should() {
        assert!(UNIT.check(&Value::Float(f64::NAN)).is_err());
        assert!(UNIT.check(&Value::Float(f64::INFINITY)).is_err());
        assert!(UNIT.check(&Value::Float(-0.0)).is_err());
        assert!(UNIT.check(&Value::Float(1.5)).is_err());
        assert_eq!(UNIT.check(&Value::Int(1)), Ok(Value::Float(1.0)));
        let err = Kind::Choice(Coupling::NAMES)
            .check(&Value::Text("zero_summ".into()))
            .unwrap_err();
        assert!(err.contains("did you mean \"zero_sum\""), "{err}");
    }
}
