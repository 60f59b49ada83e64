//! The frame negotiation of phase A (ODD §7): how a manager's claim and a
//! professional's request become an autonomy target, conflict, the safety
//! the manager offers and the structure that aligns the work, in each of the
//! two couplings. The team-level part is computed once per team and tick
//! ([`TeamFrame::new`]); [`TeamFrame::negotiate`] runs per professional.

use super::math::clamp01;
use super::params::{Coupling, Levers};

/// The team-level values of one tick's negotiation.
#[derive(Clone, Copy, Debug)]
pub struct TeamFrame {
    coupling: Coupling,
    focus: f64,
    effect: f64,
    dominance: f64,
    /// Pressure g = max(0, effect − perf): targets not yet met.
    pressure: f64,
    /// The manager's weight in the zero-sum negotiation.
    w_m: f64,
    /// zero_sum: safety offered before conflict, L·(focus + connection)/2.
    zs_offer: f64,
    /// freedom_safety: the box, L·√(focus·connection).
    fs_box: f64,
    /// freedom_safety: the structure σ, clamp(L·focus + effect·g).
    fs_sigma: f64,
}

/// What one professional's negotiation gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Request r = d·max(0, need − a): asks for more space.
    pub request: f64,
    /// Voice v = s·(1 − cy): speaks up where it is safe and not cynical.
    pub voice: f64,
    /// The autonomy target a*.
    pub autonomy_target: f64,
    /// Conflict k.
    pub conflict: f64,
    /// Safety offered, s_off.
    pub safety_offer: f64,
    /// Structure σ: the alignment the manager's side brings.
    pub structure: f64,
}

impl TeamFrame {
    /// The team's frame under `levers` with licence `licence` and last
    /// tick's performance `perf`.
    pub fn new(coupling: Coupling, levers: &Levers, licence: f64, perf: f64) -> Self {
        let pressure = (levers.effect - perf).max(0.0);
        TeamFrame {
            coupling,
            focus: levers.focus,
            effect: levers.effect,
            dominance: levers.dominance,
            pressure,
            w_m: licence * (1.0 - 0.5 * levers.listening) + levers.dominance,
            zs_offer: licence * 0.5 * (levers.focus + levers.connection),
            fs_box: licence * (levers.focus * levers.connection).sqrt(),
            fs_sigma: clamp01(licence * levers.focus + levers.effect * pressure),
        }
    }

    /// The pressure g of the tick.
    pub fn pressure(&self) -> f64 {
        self.pressure
    }

    /// zero_sum: the manager's control claim c* = clamp(focus + effect·g +
    /// dominance·r) against a professional whose request is `request`.
    #[inline(always)]
    pub fn claim(&self, request: f64) -> f64 {
        clamp01(self.focus + self.effect * self.pressure + self.dominance * request)
    }

    /// The negotiation with a professional of need `need`, autonomy `a`,
    /// drive `d`, safety `s` and cynicism `cy`.
    #[inline(always)]
    pub fn negotiate(&self, need: f64, a: f64, d: f64, s: f64, cy: f64) -> Frame {
        let request = d * (need - a).max(0.0);
        let voice = s * (1.0 - cy);
        let (autonomy_target, conflict, safety_offer, structure) = match self.coupling {
            Coupling::ZeroSum => {
                // One budget: what the manager claims in control, the
                // professional cannot have as autonomy.
                let c_claim = self.claim(request);
                let w_p = d * voice;
                let total = w_p + self.w_m;
                let a_target = if total > 0.0 {
                    (w_p * need + self.w_m * (1.0 - c_claim)) / total
                } else {
                    a
                };
                let k = (need - (1.0 - c_claim)).abs();
                (a_target, k, self.zs_offer * (1.0 - k), 1.0 - a)
            }
            Coupling::FreedomSafety => {
                // Freedom is taken where it is safe; only a dominant answer
                // turns a request into conflict.
                let k = self.dominance * request;
                (need * s, k, self.fs_box * (1.0 - k), self.fs_sigma)
            }
        };
        Frame {
            request,
            voice,
            autonomy_target,
            conflict,
            safety_offer,
            structure,
        }
    }
}
