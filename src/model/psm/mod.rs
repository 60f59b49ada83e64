//! The professional-space model (v1.1, `docs/ODD.md`): state, setup and one
//! tick.
//!
//! State is a structure of arrays indexed by professional, teams contiguous
//! (team `j` holds professionals `j·team_size .. (j+1)·team_size`), plus
//! per-team manager arrays. A tick has three phases (ODD §3): A computes
//! every target from the state of tick t, B writes tick t+1 from A's values
//! only, C applies the end-of-tick events. Peer means are computed for every
//! professional before any state is written, and team-level values are read
//! before the team is updated, so the result does not depend on the order
//! in which professionals or teams are visited. No I/O, no allocation per
//! tick once the first tick has sized the scratch space, nothing that can
//! fail on a validated scenario.

pub mod frame;
mod kernel;
mod math;
pub mod metrics;
mod model;
mod network;
pub mod params;
mod present;
mod profiles;
mod step;
mod teams;

use crate::lanes::{self, Isa};
use crate::pages;
use crate::rng::{self, Words};
use teams::Teams;

pub use model::Psm;
pub use params::{Coupling, Levers, PsmParams, Traits};
pub use step::TickObservation;

/// A normal draw with mean `mean` and spread `sd`, clamped to [0, 1].
fn draw<W: Words + ?Sized>(rng: &mut W, mean: f64, sd: f64) -> f64 {
    math::clamp01(mean + sd * rng::normal(rng))
}

/// Scalar parameters copied out of the scenario for the hot loop.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    pub coupling: Coupling,
    pub alpha: f64,
    pub noise: f64,
    pub w: f64,
    pub learn: f64,
    pub cynicism_rate: f64,
    pub meaning_dynamics: bool,
    pub exit_base: f64,
    pub exit_sensitivity: f64,
    pub engagement_floor: f64,
    pub licence0: f64,
    pub licence_rate: f64,
    pub revoke_below: f64,
    pub replace_after: u32,
    pub turbulence: f64,
    pub effects0: f64,
}

/// Manager levers of each team's profile, and trait means per place.
#[derive(Clone, Debug)]
pub(crate) struct Populations {
    /// (lever means, spread) of the profile leading each team.
    pub team_profile: Vec<(Levers, f64)>,
    /// Trait means of the profile holding each place in a team.
    pub place_traits: Vec<Traits>,
    /// Trait spreads.
    pub spread: Traits,
}

/// Index of the profile whose cumulative share first exceeds (k + ½) / n.
fn assign(shares: &[f64], k: usize, n: usize) -> usize {
    let target = (k as f64 + 0.5) / n as f64;
    let mut cum = 0.0;
    for (i, s) in shares.iter().enumerate() {
        cum += s;
        if target < cum {
            return i;
        }
    }
    shares.len() - 1
}

/// One professional's meaning, drive and safety in the snapshot of a tick
/// (the fourth lane is 0 and unused), aligned so that it lies in one cache
/// line and loads as one vector.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
pub(crate) struct Social(pub [f64; 4]);

/// The state of one organisation.
pub struct Organisation {
    pub(crate) p: Params,
    pub(crate) pops: Populations,
    pub(crate) key: [u8; 32],
    /// The key as words, for the team streams.
    pub(crate) key_words: [u32; 8],
    pub(crate) team_size: usize,
    pub(crate) peers: usize,
    // Traits (standard drifts, rule W5).
    pub(crate) need: Vec<f64>,
    pub(crate) lambda: Vec<f64>,
    pub(crate) aspiration: Vec<f64>,
    pub(crate) standard: Vec<f64>,
    pub(crate) base_drive: Vec<f64>,
    // Dynamic state.
    pub(crate) autonomy: Vec<f64>,
    pub(crate) safety: Vec<f64>,
    pub(crate) purpose: Vec<f64>,
    pub(crate) identity: Vec<f64>,
    pub(crate) meaning: Vec<f64>,
    pub(crate) drive: Vec<f64>,
    pub(crate) skill: Vec<f64>,
    pub(crate) cynicism: Vec<f64>,
    pub(crate) trust: Vec<f64>,
    /// Snapshot of (meaning, drive, safety) of tick t, one aligned vector
    /// of four per professional, so that a peer is read from one cache
    /// line; written before any state changes.
    pub(crate) social: Vec<Social>,
    pub(crate) ties: Vec<u32>,
    // Managers, one per team.
    pub(crate) levers: Vec<Levers>,
    pub(crate) effects: Vec<f64>,
    pub(crate) licence: Vec<f64>,
    pub(crate) below: Vec<u32>,
    pub(crate) perf: Vec<f64>,
    // Counters, of the organisation and per team.
    pub(crate) exits: u64,
    pub(crate) revocations: u64,
    pub(crate) team_exits: Vec<u64>,
    pub(crate) team_revocations: Vec<u64>,
    /// Threads a tick may use (0 or 1: this one; more: the caller's rayon
    /// pool, see [`step`]).
    pub(crate) threads: usize,
    /// The instruction set of the hot loops.
    pub(crate) isa: Isa,
    /// Scratch space of the tick, one per part stepped at once.
    pub(crate) scratch: Vec<step::Scratch>,
    /// Sums of the tick metrics per group of teams (see [`step`]).
    pub(crate) group_sums: Vec<step::TeamSums>,
}

/// Every team's state, borrowed field by field from an `Organisation`
/// (so that its other fields stay free to use).
macro_rules! all_teams {
    ($org:expr) => {
        Teams {
            first: 0,
            team_size: $org.team_size,
            need: &mut $org.need,
            lambda: &mut $org.lambda,
            aspiration: &mut $org.aspiration,
            standard: &mut $org.standard,
            base_drive: &mut $org.base_drive,
            autonomy: &mut $org.autonomy,
            safety: &mut $org.safety,
            purpose: &mut $org.purpose,
            identity: &mut $org.identity,
            meaning: &mut $org.meaning,
            drive: &mut $org.drive,
            skill: &mut $org.skill,
            cynicism: &mut $org.cynicism,
            trust: &mut $org.trust,
            levers: &mut $org.levers,
            effects: &mut $org.effects,
            licence: &mut $org.licence,
            below: &mut $org.below,
            perf: &mut $org.perf,
            team_exits: &mut $org.team_exits,
            team_revocations: &mut $org.team_revocations,
        }
    };
}
pub(crate) use all_teams;

impl Organisation {
    /// Builds the organisation of validated parameters from the run seed:
    /// managers (team order, lever order), then professionals (index order:
    /// need, consequentialism, aspiration, standard, base_drive, skill), then
    /// the network, all from the setup stream.
    pub fn new(s: &PsmParams, run_seed: u64) -> Self {
        let key = rng::run_key(run_seed);
        let mut r = rng::stream(&key, rng::SETUP_STREAM, 0);
        let o = &s.organization;
        let (teams, team_size) = (o.teams as usize, o.team_size as usize);
        let n = teams * team_size;

        let manager_profiles = s.managers.effective_profiles();
        let shares: Vec<f64> = manager_profiles.iter().map(|p| p.share).collect();
        let team_profile: Vec<(Levers, f64)> = (0..teams)
            .map(|j| {
                let pr = &manager_profiles[assign(&shares, j, teams)];
                (pr.levers, pr.spread)
            })
            .collect();
        let prof_profiles = s.professionals.effective_profiles();
        let shares: Vec<f64> = prof_profiles.iter().map(|p| p.share).collect();
        let place_traits: Vec<Traits> = (0..team_size)
            .map(|k| prof_profiles[assign(&shares, k, team_size)].traits)
            .collect();
        let pops = Populations {
            team_profile,
            place_traits,
            spread: s.professionals.spread,
        };

        let levers: Vec<Levers> = pops
            .team_profile
            .iter()
            .map(|(m, sd)| draw_levers(&mut r, m, *sd))
            .collect();

        let d = &s.dynamics;
        let l = &s.licence;
        let t = &s.turnover;
        let mut org = Organisation {
            p: Params {
                coupling: s.coupling,
                alpha: d.alpha,
                noise: d.noise,
                w: d.peer_weight,
                learn: d.learn,
                cynicism_rate: d.cynicism_rate,
                meaning_dynamics: d.meaning_dynamics,
                exit_base: t.exit_base,
                exit_sensitivity: t.exit_sensitivity,
                engagement_floor: t.engagement_floor,
                licence0: l.initial,
                licence_rate: l.rate,
                revoke_below: l.revoke_below,
                replace_after: l.replace_after,
                turbulence: s.environment.turbulence,
                effects0: d.effects0,
            },
            pops,
            key,
            key_words: rng::key_words(&key),
            team_size,
            peers: o.peers as usize,
            // Every professional value is set by `hire` below.
            need: vec![0.0; n],
            lambda: vec![0.0; n],
            aspiration: vec![0.0; n],
            standard: vec![0.0; n],
            base_drive: vec![0.0; n],
            autonomy: vec![0.0; n],
            safety: vec![0.0; n],
            purpose: vec![0.0; n],
            identity: vec![0.0; n],
            meaning: vec![0.0; n],
            drive: vec![0.0; n],
            skill: vec![0.0; n],
            cynicism: vec![0.0; n],
            trust: vec![0.0; n],
            social: pages::filled(n, Social([0.0; 4])),
            ties: Vec::new(),
            levers,
            effects: vec![d.effects0; teams],
            licence: vec![l.initial; teams],
            below: vec![0; teams],
            perf: vec![0.0; teams],
            exits: 0,
            revocations: 0,
            team_exits: vec![0; teams],
            team_revocations: vec![0; teams],
            threads: 1,
            isa: lanes::isa(),
            scratch: Vec::new(),
            group_sums: Vec::new(),
        };
        let (mut all, pops) = org.teams_mut();
        for i in 0..n {
            all.hire(pops, &mut r, i, 0.5);
        }
        org.ties = network::build(&mut r, o.teams, o.team_size, o.peers, o.peers_within());
        org
    }

    /// The state of every team, and the populations hires are drawn from.
    pub(crate) fn teams_mut(&mut self) -> (Teams<'_>, &Populations) {
        let all = all_teams!(self);
        (all, &self.pops)
    }

    /// Lets a tick use up to `threads` threads of the caller's rayon pool
    /// (0 or 1: none but the caller's). The results do not depend on it.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads;
    }

    /// Runs the hot loops in the build `isa` when the processor has it,
    /// otherwise in the portable one. Every build gives the same bits; this
    /// is for the tests that check so.
    #[doc(hidden)]
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = if isa.available() { isa } else { Isa::Portable };
    }

    /// The build the hot loops run in.
    #[doc(hidden)]
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Number of professionals.
    pub fn len(&self) -> usize {
        self.autonomy.len()
    }

    /// Whether the organisation has no professionals (never, once validated).
    pub fn is_empty(&self) -> bool {
        self.autonomy.is_empty()
    }

    /// Number of teams.
    pub fn teams(&self) -> usize {
        self.levers.len()
    }

    /// The peer ties, `peers_per_professional()` per professional in index
    /// order (`ties[i·k .. (i+1)·k]` are professional i's).
    pub fn ties(&self) -> &[u32] {
        &self.ties
    }

    /// Peer ties per professional.
    pub fn peers_per_professional(&self) -> usize {
        self.peers
    }

    /// Professionals per team.
    pub fn team_size(&self) -> usize {
        self.team_size
    }

    /// The managers' current levers, one per team.
    pub fn levers(&self) -> &[Levers] {
        &self.levers
    }

    /// Every state variable of every professional and manager, for invariant
    /// tests: (name, values).
    pub fn state_arrays(&self) -> Vec<(&'static str, &[f64])> {
        vec![
            ("need", &self.need),
            ("lambda", &self.lambda),
            ("aspiration", &self.aspiration),
            ("standard", &self.standard),
            ("base_drive", &self.base_drive),
            ("autonomy", &self.autonomy),
            ("safety", &self.safety),
            ("purpose", &self.purpose),
            ("identity", &self.identity),
            ("meaning", &self.meaning),
            ("drive", &self.drive),
            ("skill", &self.skill),
            ("cynicism", &self.cynicism),
            ("trust", &self.trust),
            ("effects", &self.effects),
            ("licence", &self.licence),
            ("perf", &self.perf),
        ]
    }

    /// Cumulative exits and revocations.
    pub fn counts(&self) -> (u64, u64) {
        (self.exits, self.revocations)
    }
}

/// Draws the seven levers around the means.
fn draw_levers<W: Words + ?Sized>(r: &mut W, m: &Levers, sd: f64) -> Levers {
    let means = m.values();
    Levers::from_fn(|i| draw(r, means[i], sd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_assigned_by_share() {
        let shares = [0.3, 0.7];
        let got: Vec<usize> = (0..10).map(|k| assign(&shares, k, 10)).collect();
        assert_eq!(got, vec![0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(assign(&[1.0], 0, 1), 0);
        assert_eq!(assign(&[0.0, 1.0], 0, 3), 1);
    }
}
