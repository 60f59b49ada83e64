//! Scenarios: what a user asks the engine to simulate.
//!
//! A scenario is read from TOML in two steps, as ripgrep reads its flags:
//! [`parse`] walks the spanned TOML document against the parameter registry
//! ([`params`]) and collects *every* problem with its line, then
//! [`validate`] checks the rules that tie several keys together. The result
//! is a [`Scenario`]: plain data, every value resolved (defaults included),
//! safe to hand to the model, which cannot fail on it.
//!
//! The registry in [`params`] is the single source of truth for key paths,
//! defaults, allowed ranges and meanings: the parser, `profspace params`,
//! `docs/parameters.md`, the sweep paths and the commented files written by
//! `profspace new` all read it.

mod error;
pub mod params;
mod parse;
mod render;
pub mod sensitivity;
pub mod sweep;
mod validate;

pub use error::{Problem, ScenarioError};
pub use params::{Kind, Param, Value};
pub use render::{render_commented, render_resolved};
pub use sweep::{CONDITION, Condition, Design, DesignPoint, Range, SampleMethod, Sweep, SweepAxis};
pub use validate::{Limits, MEMORY_PER_PROFESSIONAL, human_bytes, name_problem};

use std::path::Path;

/// The scenario compiled into the binary and run by `profspace run` without
/// a file.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");
/// The flagship sweep compiled into the binary and run by `profspace` alone.
pub const FLAGSHIP_SCENARIO: &str = include_str!("../../scenarios/regimes.toml");

/// Which model a scenario runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// The professional-space model of `docs/ODD.md` (the flagship).
    ProfessionalSpace,
    /// March (1991): mutual learning of an organisational code and its members.
    March1991,
}

impl ModelKind {
    /// Names as written in scenario files, in the order of the enum.
    pub const NAMES: &'static [&'static str] = &["professional_space", "march1991"];

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::ProfessionalSpace => "professional_space",
            ModelKind::March1991 => "march1991",
        }
    }

    /// The model and the version of its description, as recorded in
    /// `manifest.json` (`psm 1.1`: `docs/ODD.md`).
    pub fn version(self) -> &'static str {
        match self {
            ModelKind::ProfessionalSpace => "psm 1.1",
            ModelKind::March1991 => "march1991 1.0",
        }
    }

    /// Parses a name as written in scenario files.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "professional_space" => Some(ModelKind::ProfessionalSpace),
            "march1991" => Some(ModelKind::March1991),
            _ => None,
        }
    }
}

/// How the manager and the professional negotiate the frame (ODD §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coupling {
    /// Control and autonomy share one budget: what one gains the other loses.
    ZeroSum,
    /// Freedom and safety are independent and reinforce each other.
    FreedomSafety,
}

impl Coupling {
    /// Names as written in scenario files.
    pub const NAMES: &'static [&'static str] = &["freedom_safety", "zero_sum"];

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::ZeroSum => "zero_sum",
            Coupling::FreedomSafety => "freedom_safety",
        }
    }

    /// Parses a name as written in scenario files.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "zero_sum" => Some(Coupling::ZeroSum),
            "freedom_safety" => Some(Coupling::FreedomSafety),
            _ => None,
        }
    }
}

/// The size and wiring of the organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    /// Number of teams, each with one manager.
    pub teams: u32,
    /// Professionals per team.
    pub team_size: u32,
    /// Directed peer ties per professional.
    pub peers: u32,
    /// Share of the peer ties inside the own team.
    pub peer_within: f64,
}

impl Organization {
    /// Number of professionals in the organisation.
    pub fn professionals(&self) -> u64 {
        u64::from(self.teams) * u64::from(self.team_size)
    }

    /// Peer ties inside the own team: round(peers · peer_within).
    pub fn peers_within(&self) -> u32 {
        (f64::from(self.peers) * self.peer_within).round() as u32
    }
}

/// The seven management levers (ODD §2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levers {
    /// Why: vision, the rationale that can become a motive (purpose).
    pub rationale: f64,
    /// Targets and results the manager defines (identity).
    pub effect: f64,
    /// Priorities, structures and systems (box).
    pub focus: f64,
    /// Budget, knowledge and experience (drive).
    pub energy: f64,
    /// Connection: the centre of the model (meaning).
    pub connection: f64,
    /// How much the manager imposes rather than listens.
    pub dominance: f64,
    /// How far the manager adjusts the effects to what professionals voice.
    pub listening: f64,
}

impl Levers {
    /// Lever names in the order of the struct.
    pub const NAMES: [&'static str; 7] = [
        "rationale",
        "effect",
        "focus",
        "energy",
        "connection",
        "dominance",
        "listening",
    ];

    /// The lever called `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "rationale" => self.rationale,
            "effect" => self.effect,
            "focus" => self.focus,
            "energy" => self.energy,
            "connection" => self.connection,
            "dominance" => self.dominance,
            "listening" => self.listening,
            _ => return None,
        })
    }

    /// A mutable reference to the lever called `name`.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "rationale" => &mut self.rationale,
            "effect" => &mut self.effect,
            "focus" => &mut self.focus,
            "energy" => &mut self.energy,
            "connection" => &mut self.connection,
            "dominance" => &mut self.dominance,
            "listening" => &mut self.listening,
            _ => return None,
        })
    }
}

impl Default for Levers {
    fn default() -> Self {
        Levers {
            rationale: 0.5,
            effect: 0.5,
            focus: 0.5,
            energy: 0.5,
            connection: 0.5,
            dominance: 0.2,
            listening: 0.5,
        }
    }
}

/// A named group of managers with its own lever means.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerProfile {
    /// Name, used in sweep paths (`managers.profiles.<name>.share`).
    pub name: String,
    /// Share of the teams led by this profile.
    pub share: f64,
    /// Lever means (the `[managers]` values unless overridden).
    pub levers: Levers,
    /// Spread of the lever draws.
    pub spread: f64,
}

/// The manager population.
#[derive(Clone, Debug, PartialEq)]
pub struct Managers {
    /// Lever means.
    pub levers: Levers,
    /// Spread (standard deviation) of every lever draw.
    pub spread: f64,
    /// Optional mixed population; empty means one profile with the means above.
    pub profiles: Vec<ManagerProfile>,
}

impl Managers {
    /// The profiles actually used: the declared ones, or one implicit profile.
    pub fn effective_profiles(&self) -> Vec<ManagerProfile> {
        if self.profiles.is_empty() {
            vec![ManagerProfile {
                name: "all".into(),
                share: 1.0,
                levers: self.levers,
                spread: self.spread,
            }]
        } else {
            self.profiles.clone()
        }
    }
}

/// The five professional traits (ODD §2; means, or spreads).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Traits {
    /// Need for autonomy.
    pub need: f64,
    /// Weight of the consequential logic (the model's λ); 1 − it is the
    /// logic of identity.
    pub consequentialism: f64,
    /// Aspiration level.
    pub aspiration: f64,
    /// What good work means: 0 volume … 1 craft quality.
    pub standard: f64,
    /// Baseline intrinsic drive.
    pub base_drive: f64,
}

impl Traits {
    /// Trait names in the order of the struct.
    pub const NAMES: [&'static str; 5] = [
        "need",
        "consequentialism",
        "aspiration",
        "standard",
        "base_drive",
    ];

    /// The trait called `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "need" => self.need,
            "consequentialism" => self.consequentialism,
            "aspiration" => self.aspiration,
            "standard" => self.standard,
            "base_drive" => self.base_drive,
            _ => return None,
        })
    }

    /// A mutable reference to the trait called `name`.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "need" => &mut self.need,
            "consequentialism" => &mut self.consequentialism,
            "aspiration" => &mut self.aspiration,
            "standard" => &mut self.standard,
            "base_drive" => &mut self.base_drive,
            _ => return None,
        })
    }

    /// The default means (ODD §5).
    pub fn default_means() -> Self {
        Traits {
            need: 0.7,
            consequentialism: 0.5,
            aspiration: 0.6,
            standard: 0.7,
            base_drive: 0.7,
        }
    }

    /// The default spreads (ODD §5).
    pub fn default_spreads() -> Self {
        Traits {
            need: 0.1,
            consequentialism: 0.2,
            aspiration: 0.1,
            standard: 0.15,
            base_drive: 0.1,
        }
    }
}

/// A named group of professionals with its own trait means.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfessionalProfile {
    /// Name, used in sweep paths (`professionals.profiles.<name>.share`).
    pub name: String,
    /// Share of the places in every team held by this profile.
    pub share: f64,
    /// Trait means (the `[professionals]` values unless overridden).
    pub traits: Traits,
}

/// The professional population.
#[derive(Clone, Debug, PartialEq)]
pub struct Professionals {
    /// Trait means.
    pub traits: Traits,
    /// Trait spreads.
    pub spread: Traits,
    /// Optional mixed population; empty means one profile with the means above.
    pub profiles: Vec<ProfessionalProfile>,
}

impl Professionals {
    /// The profiles actually used: the declared ones, or one implicit profile.
    pub fn effective_profiles(&self) -> Vec<ProfessionalProfile> {
        if self.profiles.is_empty() {
            vec![ProfessionalProfile {
                name: "all".into(),
                share: 1.0,
                traits: self.traits,
            }]
        } else {
            self.profiles.clone()
        }
    }
}

/// Rates of the dynamics (ODD §7).
#[derive(Clone, Debug, PartialEq)]
pub struct Dynamics {
    /// Adjustment rate of the windows.
    pub alpha: f64,
    /// Standard deviation of the noise on every noisy update.
    pub noise: f64,
    /// Weight of the peers in meaning, drive and safety.
    pub peer_weight: f64,
    /// Learning rate of skill.
    pub learn: f64,
    /// Rate at which frustration turns into cynicism.
    pub cynicism_rate: f64,
    /// Initial effect definition of every manager.
    pub effects0: f64,
    /// Whether meaning moves (false: the catalyst ablation).
    pub meaning_dynamics: bool,
}

/// Exits and hires.
#[derive(Clone, Debug, PartialEq)]
pub struct Turnover {
    /// Baseline exit probability per tick.
    pub exit_base: f64,
    /// Extra exit probability per unit of engagement below the floor.
    pub exit_sensitivity: f64,
    /// Engagement below which people start to leave.
    pub engagement_floor: f64,
}

/// Leadership as a licence granted by the team.
#[derive(Clone, Debug, PartialEq)]
pub struct Licence {
    /// Licence of a new manager.
    pub initial: f64,
    /// Rate at which the licence follows the team's trust.
    pub rate: f64,
    /// Licence under which the team starts counting.
    pub revoke_below: f64,
    /// Ticks in a row under the threshold after which the manager is replaced.
    pub replace_after: u32,
}

/// The organisation's environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Environment {
    /// Probability per tick that every manager's effects shift.
    pub turbulence: f64,
}

/// What is written besides the per-run results.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Write every n-th tick to `ticks.csv`; 0 writes no per-tick table.
    pub ticks_every: u32,
}

/// Parameters of March's (1991) model.
#[derive(Clone, Debug, PartialEq)]
pub struct March {
    /// Dimensions of reality (m).
    pub dimensions: u32,
    /// Individuals (n).
    pub individuals: u32,
    /// Socialisation rate p1.
    pub socialization: f64,
    /// Code learning rate p2.
    pub code_learning: f64,
    /// Turnover p3.
    pub turnover: f64,
    /// Turbulence p4.
    pub turbulence: f64,
    /// How many individuals (the first ones) socialise fast.
    pub fast_individuals: u32,
    /// Socialisation rate of the fast individuals.
    pub fast_socialization: f64,
    /// Explicit cap on periods; `None` resolves to 5000 for a closed
    /// organisation and 100 otherwise.
    pub max_periods: Option<u32>,
}

impl March {
    /// The cap on periods, with the default resolved.
    pub fn resolved_max_periods(&self) -> u32 {
        self.max_periods
            .unwrap_or(if self.turnover == 0.0 && self.turbulence == 0.0 {
                5000
            } else {
                100
            })
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
    pub model: ModelKind,
    /// Master seed from which every random stream is derived.
    pub seed: u64,
    /// Ticks per run (professional-space model).
    pub ticks: u32,
    /// Replications per design point.
    pub replications: u32,
    /// Frame negotiation.
    pub coupling: Coupling,
    /// Organisation.
    pub organization: Organization,
    /// Managers.
    pub managers: Managers,
    /// Professionals.
    pub professionals: Professionals,
    /// Dynamics.
    pub dynamics: Dynamics,
    /// Turnover.
    pub turnover: Turnover,
    /// Licence.
    pub licence: Licence,
    /// Environment.
    pub environment: Environment,
    /// Output options.
    pub output: Output,
    /// March (1991) parameters.
    pub march: March,
    /// Optional parameter sweep.
    pub sweep: Option<Sweep>,
    /// Optional sensitivity analysis (its design replaces a sweep).
    pub sensitivity: Option<sensitivity::Sensitivity>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "default".into(),
            description: String::new(),
            model: ModelKind::ProfessionalSpace,
            seed: 42,
            ticks: 200,
            replications: 10,
            coupling: Coupling::FreedomSafety,
            organization: Organization {
                teams: 10,
                team_size: 10,
                peers: 4,
                peer_within: 0.5,
            },
            managers: Managers {
                levers: Levers::default(),
                spread: 0.05,
                profiles: Vec::new(),
            },
            professionals: Professionals {
                traits: Traits::default_means(),
                spread: Traits::default_spreads(),
                profiles: Vec::new(),
            },
            dynamics: Dynamics {
                alpha: 0.1,
                noise: 0.02,
                peer_weight: 0.3,
                learn: 0.05,
                cynicism_rate: 0.1,
                effects0: 0.4,
                meaning_dynamics: true,
            },
            turnover: Turnover {
                exit_base: 0.002,
                exit_sensitivity: 0.05,
                engagement_floor: 0.4,
            },
            licence: Licence {
                initial: 0.7,
                rate: 0.05,
                revoke_below: 0.4,
                replace_after: 10,
            },
            environment: Environment { turbulence: 0.0 },
            output: Output { ticks_every: 1 },
            march: March {
                dimensions: 30,
                individuals: 50,
                socialization: 0.1,
                code_learning: 0.5,
                turnover: 0.0,
                turbulence: 0.0,
                fast_individuals: 0,
                fast_socialization: 0.9,
                max_periods: None,
            },
            sweep: None,
            sensitivity: None,
        }
    }
}

impl Scenario {
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
        let (scenario, mut problems, key_lines) = parse::parse(text, default_name);
        if problems.is_empty() {
            problems.extend(validate::validate(&scenario, limits, &key_lines));
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
        let origin = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let why = if path.is_dir() {
                    "it is a directory, not a scenario file".to_string()
                } else if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file".to_string()
                } else {
                    e.to_string()
                };
                return Err(ScenarioError::new(
                    &origin,
                    vec![Problem::file(format!("cannot read the scenario: {why}"))],
                ));
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(ScenarioError::new(
                    &origin,
                    vec![Problem::at_line(
                        line,
                        format!(
                            "the file is not UTF-8 text (invalid byte at offset {at}); save it as UTF-8"
                        ),
                    )],
                ));
            }
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        Self::from_toml_with(&text, &origin, &validate::sanitize_name(stem), limits)
    }

    /// A copy without the sweep and the sensitivity analysis: the base of a
    /// design point. Costs nothing in the size of the design.
    pub fn without_design(&self) -> Scenario {
        Scenario {
            name: self.name.clone(),
            description: self.description.clone(),
            model: self.model,
            seed: self.seed,
            ticks: self.ticks,
            replications: self.replications,
            coupling: self.coupling,
            organization: self.organization.clone(),
            managers: self.managers.clone(),
            professionals: self.professionals.clone(),
            dynamics: self.dynamics.clone(),
            turnover: self.turnover.clone(),
            licence: self.licence.clone(),
            environment: self.environment.clone(),
            output: self.output.clone(),
            march: self.march.clone(),
            sweep: None,
            sensitivity: None,
        }
    }

    /// Number of professionals in one run.
    pub fn professionals(&self) -> u64 {
        self.organization.professionals()
    }

    /// The value at a registry path (`managers.focus`, `coupling`, …),
    /// including profile paths (`managers.profiles.coach.share`).
    pub fn get(&self, path: &str) -> Option<Value> {
        params::get(self, path)
    }

    /// Sets the value at a path and re-validates the cross-field rules.
    pub fn with(&self, path: &str, value: &Value) -> Result<Scenario, String> {
        let mut s = self.clone();
        params::set(&mut s, path, value)?;
        Ok(s)
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
}
