//! The professional-space model's parameters: the struct a run reads
//! ([`PsmParams`]), its defaults (`docs/ODD.md` §5, written once, here), the
//! registry of its scenario keys ([`PARAMS`]: path, allowed values, meaning,
//! the article's concept), and the rules that tie keys together.
//!
//! The `[[managers.profiles]]` and `[[professionals.profiles]]` tables,
//! which a flat registry cannot declare, are read, addressed and written in
//! `profiles.rs`.

use crate::param;
use crate::params::{Kind, Param, Problem, UNIT, Value};
use std::any::Any;

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

    /// In plain words, for `explain`.
    pub fn words(self) -> &'static str {
        match self {
            Coupling::ZeroSum => {
                "zero_sum: control and autonomy share one budget; what the manager claims in control the professional loses in autonomy"
            }
            Coupling::FreedomSafety => {
                "freedom_safety: freedom and safety are independent and reinforce each other; professionals take room where it is safe"
            }
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

/// One management lever, declared once in [`LEVERS`]: everything the
/// scenario reader, the tables, the documentation and the explorer say
/// about it.
#[derive(Clone, Copy, Debug)]
pub struct Lever {
    /// Its name: the field of [`Levers`], the column of `teams.csv`.
    pub name: &'static str,
    /// Its scenario key (`managers.<name>`, the mean of its draws).
    pub key: &'static str,
    /// Its default mean.
    pub default: f64,
    /// The key's meaning (`profspace params`).
    pub meaning: &'static str,
    /// The concept of the article it stands for.
    pub concept: &'static str,
    /// The meaning of its column of `teams.csv`.
    pub column: &'static str,
    /// A few words under its control in the explorer.
    pub short: &'static str,
    /// The window of the professional's view it feeds (empty: none).
    pub window: &'static str,
}

/// Declares the levers: the struct [`Levers`] with one field each (the
/// model's rules read them by name), [`LEVERS`] with everything else about
/// them, in the order of the keys, the draws and the columns.
macro_rules! levers {
    ($($(#[doc = $doc:literal])* $name:ident = $default:literal {
        key: $key:literal, meaning: $meaning:literal, concept: $concept:literal,
        column: $column:literal, short: $short:literal, window: $window:literal $(,)?
    })+) => {
        /// The management levers (ODD §2), one field per entry of [`LEVERS`].
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct Levers {
            $($(#[doc = $doc])* pub $name: f64,)+
        }

        /// Every lever, in the order of its keys, its draws and its columns.
        pub const LEVERS: [Lever; N_LEVERS] = [$(Lever {
            name: stringify!($name),
            key: $key,
            default: $default,
            meaning: $meaning,
            concept: $concept,
            column: $column,
            short: $short,
            window: $window,
        },)+];

        /// The number of levers.
        pub const N_LEVERS: usize = [$(stringify!($name)),+].len();

        impl Levers {
            /// Lever names in the order of [`LEVERS`].
            pub const NAMES: [&'static str; N_LEVERS] = [$(stringify!($name)),+];

            /// The values, in the order of [`LEVERS`].
            pub fn values(&self) -> [f64; N_LEVERS] {
                [$(self.$name),+]
            }

            /// Levers whose value `i` (in the order of [`LEVERS`]) is
            /// `f(i)`, called in that order.
            pub fn from_fn(f: impl FnMut(usize) -> f64) -> Levers {
                let mut values = (0..N_LEVERS).map(f);
                Levers {
                    $($name: values.next().unwrap_or_default(),)+
                }
            }

            /// The lever called `name`.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($name) => Some(self.$name),)+
                    _ => None,
                }
            }

            /// A mutable reference to the lever called `name`.
            pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)+
                    _ => None,
                }
            }
        }

        impl Default for Levers {
            fn default() -> Self {
                Levers {
                    $($name: $default,)+
                }
            }
        }
    };
}

levers! {
    /// Why: vision, the rationale that can become a motive (purpose).
    rationale = 0.5 {
        key: "managers.rationale",
        meaning: "Mean of the rationale lever: the why, vision",
        concept: "rationale (vertical axis) → purpose",
        column: "the manager's rationale lever: the why, vision",
        short: "the why, vision",
        window: "purpose",
    }
    /// Targets and results the manager defines (identity).
    effect = 0.5 {
        key: "managers.effect",
        meaning: "Mean of the effect lever: weight of targets and results",
        concept: "effect (targets) → identity",
        column: "the manager's effect lever: weight of targets and results",
        short: "targets and results",
        window: "identity",
    }
    /// Priorities, structures and systems (box).
    focus = 0.5 {
        key: "managers.focus",
        meaning: "Mean of the focus lever: priorities, structures, systems",
        concept: "focus (capacity, horizontal axis) → box (containment, Bion)",
        column: "the manager's focus lever: priorities, structures, systems",
        short: "priorities, structures, systems",
        window: "box",
    }
    /// Budget, knowledge and experience (drive).
    energy = 0.5 {
        key: "managers.energy",
        meaning: "Mean of the energy lever: budget, knowledge, experience",
        concept: "energy → drive",
        column: "the manager's energy lever: budget, knowledge, experience",
        short: "budget, knowledge, experience",
        window: "drive",
    }
    /// Connection: the centre of the model (meaning).
    connection = 0.5 {
        key: "managers.connection",
        meaning: "Mean of the connection lever: care, contact, the centre of the model",
        concept: "connection (centre) → meaning (sensemaking, Weick)",
        column: "the manager's connection lever: care, contact",
        short: "care and contact",
        window: "meaning",
    }
    /// How much the manager imposes rather than listens.
    dominance = 0.2 {
        key: "managers.dominance",
        meaning: "Mean dominance: how much the manager imposes a claim instead of negotiating",
        concept: "leadership as dominance rather than licence",
        column: "the manager's dominance: imposing a claim rather than negotiating",
        short: "imposing instead of negotiating",
        window: "",
    }
    /// How far the manager adjusts the effects to what professionals voice.
    listening = 0.5 {
        key: "managers.listening",
        meaning: "Mean listening: how far effects move toward what professionals voice",
        concept: "professionals seen and heard in defining effects",
        column: "the manager's listening: moving the effects toward what professionals voice",
        short: "moving effects toward what professionals voice",
        window: "",
    }
}

/// The value of lever `I` of a [`PsmParams`] (for its [`Param`]).
fn lever_value<const I: usize>(h: &dyn Any) -> Option<Value> {
    let p = h.downcast_ref::<PsmParams>()?;
    Some(Value::Float(p.managers.levers.values()[I]))
}

/// Sets lever `I` of a [`PsmParams`] (for its [`Param`]).
fn set_lever<const I: usize>(h: &mut dyn Any, v: &Value) -> bool {
    let Some(p) = h.downcast_mut::<PsmParams>() else {
        return false;
    };
    match p.managers.levers.get_mut(LEVERS[I].name) {
        Some(x) => {
            *x = crate::params::convert::f(v);
            true
        }
        None => false,
    }
}

/// The scenario key of lever `I`.
const fn lever_param<const I: usize>() -> Param {
    let l = &LEVERS[I];
    Param::new(
        l.key,
        UNIT,
        l.meaning,
        l.concept,
        lever_value::<I>,
        set_lever::<I>,
    )
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

/// Every parameter of the professional-space model.
#[derive(Clone, Debug, PartialEq)]
pub struct PsmParams {
    /// Ticks per run.
    pub ticks: u32,
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
}

impl Default for PsmParams {
    fn default() -> Self {
        PsmParams {
            ticks: 200,
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
        }
    }
}

impl PsmParams {
    /// Number of professionals in one run.
    pub fn professionals(&self) -> u64 {
        self.organization.professionals()
    }
}

const BIG: i64 = 10_000_000;

/// Every key of the model, in the order of the documentation and of
/// rendered scenario files.
pub static PARAMS: &[Param] = &[
    param!(PsmParams, "ticks", Kind::Int { min: 1, max: BIG }, ticks: u => Int,
        "Ticks (rounds of communicative adjustment) per run", "ongoing communicative adjustment (Fogel)"),
    Param::new(
        "coupling",
        Kind::Choice(Coupling::NAMES),
        "How the frame is negotiated: one control/autonomy budget (zero_sum) or independent, mutually reinforcing freedom and safety (freedom_safety)",
        "zero-sum pairs (claim 2) against the positive-sum pair freedom/safety (claim 3, Bauman)",
        |h| {
            h.downcast_ref::<PsmParams>()
                .map(|p| Value::Text(p.coupling.name().into()))
        },
        |h, v| match (h.downcast_mut::<PsmParams>(), v) {
            (Some(p), Value::Text(name)) => {
                Coupling::from_name(name).map(|c| p.coupling = c).is_some()
            }
            _ => false,
        },
    ),
    // ---- organisation ----
    param!(PsmParams, "organization.teams", Kind::Int { min: 1, max: BIG }, organization.teams: u => Int,
        "Number of teams, each with one manager", "the organisation"),
    param!(PsmParams, "organization.team_size", Kind::Int { min: 1, max: BIG }, organization.team_size: u => Int,
        "Professionals per team", "the organisation"),
    param!(PsmParams, "organization.peers", Kind::Int { min: 0, max: 1000 }, organization.peers: u => Int,
        "Directed peer ties per professional (drawn without replacement, no self-ties)", "sensemaking among colleagues (Weick)"),
    param!(PsmParams, "organization.peer_within", UNIT, organization.peer_within: f => Float,
        "Share of the peer ties inside the own team; round(peers × peer_within) are inside", "sensemaking among colleagues (Weick)"),
    // ---- managers ----
    lever_param::<0>(),
    lever_param::<1>(),
    lever_param::<2>(),
    lever_param::<3>(),
    lever_param::<4>(),
    lever_param::<5>(),
    lever_param::<6>(),
    param!(PsmParams, "managers.spread", UNIT, managers.spread: f => Float,
        "Standard deviation of every lever draw around its mean", "—"),
    // ---- professionals ----
    param!(PsmParams, "professionals.need", UNIT, professionals.traits.need: f => Float,
        "Mean need for autonomy", "the professional's request for space"),
    param!(PsmParams, "professionals.consequentialism", UNIT, professionals.traits.consequentialism: f => Float,
        "Mean weight of the logic of consequences (the model's λ); 1 − it is the logic of identity", "March's two logics of action"),
    param!(PsmParams, "professionals.aspiration", UNIT, professionals.traits.aspiration: f => Float,
        "Mean aspiration level", "high ambitions lead to failure, frustration and cynicism (March)"),
    param!(PsmParams, "professionals.standard", UNIT, professionals.traits.standard: f => Float,
        "Mean standard of good work: 0 volume … 1 craft quality", "degelijkheid: sound and good work"),
    param!(PsmParams, "professionals.base_drive", UNIT, professionals.traits.base_drive: f => Float,
        "Mean baseline intrinsic drive", "drive: preparedness, intrinsic motivation"),
    param!(PsmParams, "professionals.spread.need", UNIT, professionals.spread.need: f => Float,
        "Standard deviation of need", "—"),
    param!(PsmParams, "professionals.spread.consequentialism", UNIT, professionals.spread.consequentialism: f => Float,
        "Standard deviation of consequentialism", "—"),
    param!(PsmParams, "professionals.spread.aspiration", UNIT, professionals.spread.aspiration: f => Float,
        "Standard deviation of aspiration", "—"),
    param!(PsmParams, "professionals.spread.standard", UNIT, professionals.spread.standard: f => Float,
        "Standard deviation of standard", "—"),
    param!(PsmParams, "professionals.spread.base_drive", UNIT, professionals.spread.base_drive: f => Float,
        "Standard deviation of base_drive", "—"),
    // ---- dynamics ----
    param!(PsmParams, "dynamics.alpha", UNIT, dynamics.alpha: f => Float,
        "Adjustment rate: how far a state moves toward its target per tick", "ongoing communicative adjustment (Fogel)"),
    param!(PsmParams, "dynamics.noise", UNIT, dynamics.noise: f => Float,
        "Standard deviation of the noise on every noisy update", "—"),
    param!(PsmParams, "dynamics.peer_weight", UNIT, dynamics.peer_weight: f => Float,
        "Weight of the peers' meaning, drive and safety in one's own targets", "sensemaking is social (Weick)"),
    param!(PsmParams, "dynamics.learn", UNIT, dynamics.learn: f => Float,
        "Learning rate of skill (needs room and safety)", "professional development"),
    param!(PsmParams, "dynamics.cynicism_rate", UNIT, dynamics.cynicism_rate: f => Float,
        "Rate at which frustration of consequentialists turns into cynicism", "frustration and cynicism (March)"),
    param!(PsmParams, "dynamics.effects0", UNIT, dynamics.effects0: f => Float,
        "Initial effect definition of every manager, on the axis of standard", "effects defined without the professionals"),
    param!(PsmParams, "dynamics.meaning_dynamics", Kind::Bool, dynamics.meaning_dynamics: b => Bool,
        "Whether meaning moves; false holds it at its initial value (the catalyst ablation)", "meaning as pivot and catalyst"),
    // ---- turnover ----
    param!(PsmParams, "turnover.exit_base", UNIT, turnover.exit_base: f => Float,
        "Baseline exit probability per professional per tick", "people leave"),
    param!(PsmParams, "turnover.exit_sensitivity", UNIT, turnover.exit_sensitivity: f => Float,
        "Extra exit probability per unit of engagement below the floor", "soulless, alienated people leave"),
    param!(PsmParams, "turnover.engagement_floor", UNIT, turnover.engagement_floor: f => Float,
        "Engagement G(drive, meaning) below which exits rise", "engagement"),
    // ---- licence ----
    param!(PsmParams, "licence.initial", UNIT, licence.initial: f => Float,
        "Licence of a new manager", "leadership is a licence granted by the group"),
    param!(PsmParams, "licence.rate", UNIT, licence.rate: f => Float,
        "Rate at which the licence follows the team's trust", "the licence is renegotiated"),
    param!(PsmParams, "licence.revoke_below", UNIT, licence.revoke_below: f => Float,
        "Licence below which the team starts counting toward revocation", "the licence is revoked"),
    param!(PsmParams, "licence.replace_after", Kind::Int { min: 1, max: BIG }, licence.replace_after: u => Int,
        "Ticks in a row under the threshold after which the manager is replaced", "the licence is revoked"),
    // ---- environment ----
    param!(PsmParams, "environment.turbulence", UNIT, environment.turbulence: f => Float,
        "Probability per tick that every manager's effects shift by N(0, 0.2)", "rapidly changing markets"),
];

/// Bytes a run needs per professional, besides the peer ties (4 bytes each):
/// nine state and five trait arrays of `f64`, and the snapshot of meaning,
/// drive and safety the peers read, four aligned `f64` (see PERFORMANCE.md).
pub const MEMORY_PER_PROFESSIONAL: u64 = (10 + 5 + 4) * 8;

/// Estimated bytes one run holds.
pub fn memory_per_run(p: &PsmParams) -> u64 {
    let n = p.professionals();
    let per = MEMORY_PER_PROFESSIONAL + 4 * u64::from(p.organization.peers);
    // Per team: levers and manager state; per tick: the essential series.
    n.saturating_mul(per)
        .saturating_add(u64::from(p.organization.teams) * 128)
        .saturating_add(u64::from(p.ticks) * 8)
}

/// The rules that tie several keys together: peer ties that can be drawn,
/// profile shares that sum to 1.
pub fn validate(p: &PsmParams, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let o = &p.organization;
    let first_line = |keys: &[&str]| keys.iter().filter_map(|k| line(k)).min();
    let peers_line = line("organization.peers").or_else(|| {
        first_line(&[
            "organization.peer_within",
            "organization.team_size",
            "organization.teams",
        ])
    });
    let within = o.peers_within();
    let across = o.peers - within.min(o.peers);
    if within > o.team_size - 1 {
        problems.push(Problem::new(
            "organization.peers",
            peers_line,
            format!(
                "{within} peer ties inside the team (round({} × {})) cannot be drawn without repeats \
                 from the {} of a team of {}; lower peers or peer_within, or raise team_size",
                o.peers,
                o.peer_within,
                match o.team_size - 1 {
                    1 => "1 other member".to_string(),
                    n => format!("{n} other members"),
                },
                o.team_size
            ),
        ));
    }
    let outside = u64::from(o.teams - 1) * u64::from(o.team_size);
    if u64::from(across) > outside {
        problems.push(Problem::new(
            "organization.peers",
            peers_line,
            format!(
                "{across} peer ties outside the team cannot be drawn without repeats from the {outside} \
                 professionals of the other teams; lower peers, raise peer_within (1.0 keeps all ties inside) or add teams"
            ),
        ));
    }
    for (population, shares) in [
        (
            "managers.profiles",
            p.managers
                .profiles
                .iter()
                .map(|p| p.share)
                .collect::<Vec<_>>(),
        ),
        (
            "professionals.profiles",
            p.professionals.profiles.iter().map(|p| p.share).collect(),
        ),
    ] {
        if !shares.is_empty() {
            let sum: f64 = shares.iter().sum();
            if (sum - 1.0).abs() > 1e-9 {
                problems.push(Problem::new(
                    population,
                    line(population),
                    format!(
                        "the shares sum to {sum} ({}); they must sum to 1 within 1e-9",
                        shares
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(" + ")
                    ),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::find;

    #[test]
    fn paths_are_unique_and_defaults_satisfy_their_kind() {
        let defaults = PsmParams::default();
        for (i, p) in PARAMS.iter().enumerate() {
            assert!(
                PARAMS[i + 1..].iter().all(|q| q.path != p.path),
                "duplicate {}",
                p.path
            );
            let d = p.get(&defaults).expect("a PsmParams key");
            assert_eq!(p.kind.check(&d).ok(), Some(d.clone()), "{}", p.path);
        }
        assert!(find(PARAMS, "managers.focus").is_some());
    }

    #[test]
    fn impossible_peers_are_refused() {
        let mut p = PsmParams::default();
        p.organization.team_size = 2;
        p.organization.peers = 6;
        p.organization.peer_within = 0.5;
        let found = validate(&p, &|_| None);
        assert!(
            found.iter().any(|p| p.message.contains("inside the team")),
            "{found:?}"
        );
        p.organization.teams = 1;
        p.organization.peer_within = 0.0;
        p.organization.team_size = 10;
        let found = validate(&p, &|_| None);
        assert!(
            found.iter().any(|p| p.message.contains("outside the team")),
            "{found:?}"
        );
    }
}
