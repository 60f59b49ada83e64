//! A mutable view of the state of a range of whole teams: their
//! professionals' arrays and their managers'. A tick splits the
//! organisation into such views, one per thread, and one per team inside
//! them; each holds nothing but its own teams, so they can be stepped at
//! the same time.

use super::params::Levers;
use super::{Populations, draw};
use crate::rng::Words;

/// The state of teams `first .. first + len()`.
pub(crate) struct Teams<'a> {
    /// Index of the first team in the organisation.
    pub first: usize,
    pub team_size: usize,
    // Professionals, `team_size` per team.
    pub need: &'a mut [f64],
    pub lambda: &'a mut [f64],
    pub aspiration: &'a mut [f64],
    pub standard: &'a mut [f64],
    pub base_drive: &'a mut [f64],
    pub autonomy: &'a mut [f64],
    pub safety: &'a mut [f64],
    pub purpose: &'a mut [f64],
    pub identity: &'a mut [f64],
    pub meaning: &'a mut [f64],
    pub drive: &'a mut [f64],
    pub skill: &'a mut [f64],
    pub cynicism: &'a mut [f64],
    pub trust: &'a mut [f64],
    // Managers and counters, one per team.
    pub levers: &'a mut [Levers],
    pub effects: &'a mut [f64],
    pub licence: &'a mut [f64],
    pub below: &'a mut [u32],
    pub perf: &'a mut [f64],
    pub team_exits: &'a mut [u64],
    pub team_revocations: &'a mut [u64],
}

/// Splits each named field at `$at` into the two views.
macro_rules! split {
    ($v:ident, $at:expr, $a:ident, $b:ident; $($f:ident),*) => {
        $(($a.$f, $b.$f) = std::mem::take(&mut $v.$f).split_at_mut($at);)*
    };
}

impl<'a> Teams<'a> {
    /// Number of teams.
    pub fn len(&self) -> usize {
        self.levers.len()
    }

    /// An empty view (to be filled by [`Teams::split_at`]).
    fn empty(first: usize, team_size: usize) -> Teams<'a> {
        Teams {
            first,
            team_size,
            need: &mut [],
            lambda: &mut [],
            aspiration: &mut [],
            standard: &mut [],
            base_drive: &mut [],
            autonomy: &mut [],
            safety: &mut [],
            purpose: &mut [],
            identity: &mut [],
            meaning: &mut [],
            drive: &mut [],
            skill: &mut [],
            cynicism: &mut [],
            trust: &mut [],
            levers: &mut [],
            effects: &mut [],
            licence: &mut [],
            below: &mut [],
            perf: &mut [],
            team_exits: &mut [],
            team_revocations: &mut [],
        }
    }

    /// The first `teams` teams and the rest.
    pub fn split_at(mut self, teams: usize) -> (Teams<'a>, Teams<'a>) {
        let ts = self.team_size;
        let mut a = Teams::empty(self.first, ts);
        let mut b = Teams::empty(self.first + teams, ts);
        let at = teams * ts;
        split!(self, at, a, b; need, lambda, aspiration, standard, base_drive, autonomy, safety,
            purpose, identity, meaning, drive, skill, cynicism, trust);
        split!(self, teams, a, b; levers, effects, licence, below, perf, team_exits,
            team_revocations);
        (a, b)
    }

    /// Fills place `i` (counted from the view's first professional) with a
    /// new professional: fresh traits from the place's profile (need,
    /// consequentialism, aspiration, standard, base_drive, then skill ~
    /// N(skill_mean, 0.1)), initial states.
    pub fn hire<W: Words + ?Sized>(
        &mut self,
        pops: &Populations,
        r: &mut W,
        i: usize,
        skill_mean: f64,
    ) {
        let m = pops.place_traits[i % self.team_size];
        let sd = pops.spread;
        self.need[i] = draw(r, m.need, sd.need);
        self.lambda[i] = draw(r, m.consequentialism, sd.consequentialism);
        self.aspiration[i] = draw(r, m.aspiration, sd.aspiration);
        self.standard[i] = draw(r, m.standard, sd.standard);
        self.base_drive[i] = draw(r, m.base_drive, sd.base_drive);
        self.skill[i] = draw(r, skill_mean, 0.1);
        self.autonomy[i] = 0.5;
        self.safety[i] = 0.5;
        self.purpose[i] = 0.5;
        self.identity[i] = 0.5;
        self.meaning[i] = 0.5;
        self.drive[i] = self.base_drive[i];
        self.cynicism[i] = 0.0;
        self.trust[i] = 0.5;
    }
}
