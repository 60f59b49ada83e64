//! The frame negotiation of phase A (ODD §7): how a manager's claim and a
//! professional's request become an autonomy target, conflict, the safety
//! the manager offers and the structure that aligns the work, in each of the
//! two couplings. The team-level part is computed once per team and tick
//! ([`TeamFrame::new`]); [`TeamFrame::negotiate`] runs per professional, on
//! one value or on lanes of four professionals ([`Real`]), with the same
//! operations in the same order either way.

use super::params::{Coupling, Levers};
use crate::lanes::{Real, clamp01, max0};

/// The team-level values of one tick's negotiation.
#[derive(Clone, Copy, Debug)]
pub struct TeamFrame {
    coupling: Coupling,
    dominance: f64,
    /// focus + effect·g, the part of the zero-sum claim without the request.
    claim0: f64,
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

/// What one professional's negotiation gives (or four professionals', in
/// lanes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame<R = f64> {
    /// Request r = d·max(0, need − a): asks for more space.
    pub request: R,
    /// Voice v = s·(1 − cy): speaks up where it is safe and not cynical.
    pub voice: R,
    /// The autonomy target a*.
    pub autonomy_target: R,
    /// Conflict k.
    pub conflict: R,
    /// Safety offered, s_off.
    pub safety_offer: R,
    /// Structure σ: the alignment the manager's side brings.
    pub structure: R,
}

impl TeamFrame {
    /// The team's frame under `levers` with licence `licence` and last
    /// tick's performance `perf`.
    pub fn new(coupling: Coupling, levers: &Levers, licence: f64, perf: f64) -> Self {
        let pressure = max0(levers.effect - perf);
        TeamFrame {
            coupling,
            dominance: levers.dominance,
            claim0: levers.focus + levers.effect * pressure,
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

    /// The coupling of the frame.
    pub fn coupling(&self) -> Coupling {
        self.coupling
    }

    /// zero_sum: the manager's control claim c* = clamp(focus + effect·g +
    /// dominance·r) against a professional whose request is `request`.
    #[inline(always)]
    pub fn claim<R: Real>(&self, request: R) -> R {
        clamp01(R::splat(self.claim0) + R::splat(self.dominance) * request)
    }

    /// The negotiation with a professional of need `need`, autonomy `a`,
    /// drive `d`, safety `s` and cynicism `cy`.
    #[inline(always)]
    pub fn negotiate<R: Real>(&self, need: R, a: R, d: R, s: R, cy: R) -> Frame<R> {
        self.negotiate_in(self.coupling, need, a, d, s, cy)
    }

    /// [`TeamFrame::negotiate`] in `coupling` (the frame's own: hot loops
    /// that know it pass a constant, so the other branch is compiled away).
    #[inline(always)]
    pub fn negotiate_in<R: Real>(
        &self,
        coupling: Coupling,
        need: R,
        a: R,
        d: R,
        s: R,
        cy: R,
    ) -> Frame<R> {
        let (zero, one) = (R::splat(0.0), R::splat(1.0));
        let request = d * max0(need - a);
        let voice = s * (one - cy);
        let (autonomy_target, conflict, safety_offer, structure) = match coupling {
            Coupling::ZeroSum => {
                // One budget: what the manager claims in control, the
                // professional cannot have as autonomy.
                let c_claim = self.claim(request);
                let w_p = d * voice;
                let w_m = R::splat(self.w_m);
                let total = w_p + w_m;
                // Nobody negotiates when both weights are 0: a* = a.
                let a_target = R::select(
                    total.gt(zero),
                    (w_p * need + w_m * (one - c_claim)) / total,
                    a,
                );
                let k = (need - (one - c_claim)).abs();
                (a_target, k, R::splat(self.zs_offer) * (one - k), one - a)
            }
            Coupling::FreedomSafety => {
                // Freedom is taken where it is safe; only a dominant answer
                // turns a request into conflict.
                let k = R::splat(self.dominance) * request;
                (
                    need * s,
                    k,
                    R::splat(self.fs_box) * (one - k),
                    R::splat(self.fs_sigma),
                )
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
