//! Phases A and B of one team (ODD §7), four professionals at a time.
//!
//! [`professional`] is the equations for one professional, written once,
//! generic over [`Real`]: it runs on lanes of four professionals ([`F4`]),
//! and the same source on one value gives the same bits per lane (see
//! [`crate::lanes`]). [`team`] walks a team in lanes: places `4v … 4v+3`
//! share a vector, the last vector of a team whose size is not a multiple
//! of four runs with its missing lanes masked out. A team's sums are kept
//! per lane (lane `l` adds places `l, l+4, l+8, …` in place order) and the
//! four lane sums are then added as (l0 + l1) + (l2 + l3). The AVX-512
//! build ([`team`] with `WIDE`) computes two such vectors at once in eight
//! lanes ([`F8`]) and adds their sums vector by vector, in the same order:
//! the same bits.

use super::frame::{Frame, TeamFrame};
use super::metrics::tick as m;
use super::params::Coupling;
use super::teams::Teams;
use crate::lanes::{F4, F8, M4, Real, cbrt2, clamp01, mask, max0};
use crate::rng::uniform32;

/// A team's values of the tick that every professional of it reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TeamConsts {
    pub frame: TeamFrame,
    /// (1 + connection)/2 and (1 + energy)/2.
    pub c_conn: f64,
    pub c_en: f64,
    /// Peer weight w and 1 − w.
    pub w: f64,
    pub one_w: f64,
    /// L · rationale: p* = √(L·rationale·mn).
    pub purpose_target: f64,
    pub alpha: f64,
    /// α · 0.2 (rule W5).
    pub alpha_standard: f64,
    /// The manager's effects E and effect lever.
    pub e_m: f64,
    pub effect: f64,
    /// learn · 0.5 (skill).
    pub learn_half: f64,
    pub cynicism_rate: f64,
    pub meaning_dynamics: bool,
    pub exit_base: f64,
    pub exit_sensitivity: f64,
    pub engagement_floor: f64,
}

/// One professional's state of tick t, its peers' means, its noise and the
/// uniform that decides its exit.
#[derive(Clone, Copy)]
pub(crate) struct In<R> {
    pub a: R,
    pub s: R,
    pub pu: R,
    pub id: R,
    pub mn: R,
    pub d: R,
    pub q: R,
    pub cy: R,
    pub tr: R,
    pub need: R,
    pub lambda: R,
    pub asp: R,
    pub std: R,
    pub base: R,
    pub peer: [R; 3],
    /// Noise of W1, W2, W3, W4, W6, W7.
    pub z: [R; 6],
    pub u: R,
}

/// One professional's new state (tick t+1), the flows of phase A it adds
/// to the team's tally, and whether it leaves.
#[derive(Clone, Copy)]
pub(crate) struct Out<R: Real> {
    pub a: R,
    pub s: R,
    pub pu: R,
    pub id: R,
    pub std: R,
    pub mn: R,
    pub d: R,
    pub q: R,
    pub cy: R,
    pub tr: R,
    pub conflict: R,
    pub existential: R,
    pub functional: R,
    pub essential: R,
    pub fit: R,
    /// v · (standard − E): what the professional voices about the effects.
    pub adjust: R,
    pub leave: R::Mask,
}

/// Phases A and B for one professional (or four in lanes), in `coupling`.
#[inline(always)]
pub(crate) fn professional<R: Real>(c: &TeamConsts, coupling: Coupling, x: &In<R>) -> Out<R> {
    let sp = R::splat;
    let (half, one) = (sp(0.5), sp(1.0));
    let In {
        a,
        s,
        pu,
        id,
        mn,
        d,
        q,
        cy,
        tr,
        need,
        lambda,
        asp,
        std,
        base,
        ..
    } = *x;
    let [peer_mn, peer_d, peer_s] = x.peer;

    // Signals and the frame negotiation.
    let Frame {
        voice,
        autonomy_target: a_target,
        conflict: k,
        safety_offer: s_offer,
        structure: sigma,
        ..
    } = c.frame.negotiate_in(coupling, need, a, d, s, cy);

    // Work. Good work needs skill, room, safety and effort (v1.1).
    let effort = (d * half * (one + mn)).sqrt();
    let existential = (q * a * s * effort).sqrt().sqrt();
    let alignment = one - (one - sigma) * (one - pu);
    let (c_en, c_conn) = (sp(c.c_en), sp(c.c_conn));
    // The two three-part geometric means share their divisions.
    let (functional, mn_mean) = cbrt2(effort * alignment * c_en, s * half * (pu + id) * c_conn);
    let essential = (existential * functional).sqrt();

    // Targets of the windows; meaning is the catalyst.
    let (w, one_w, e_m) = (sp(c.w), sp(c.one_w), sp(c.e_m));
    let c_mn = sp(0.25) + sp(1.5) * mn;
    let p_target = (sp(c.purpose_target) * mn).sqrt();
    let fit = one - (e_m - std).abs();
    let id_target = fit * half * (one + a);
    let mn_target = one_w * mn_mean + w * peer_mn;
    let aspiration = asp + sp(c.effect) * (one - asp) * half;
    let frustration = max0(aspiration - essential);
    let source = lambda * (one - frustration) + (one - lambda) * id;
    let d_target = one_w * (base * source * (one - cy) * c_en).sqrt().sqrt() + w * peer_d;
    let s_target = one_w * s_offer + w * peer_s;
    let tr_target = ((one - k) * c_conn).sqrt();

    // Phase B: the new state, from the values above only.
    let alpha = sp(c.alpha);
    let [z1, z2, z3, z4, z6, z7] = x.z;
    let mn_new = if c.meaning_dynamics {
        clamp01(mn + alpha * (mn_target - mn) + z6)
    } else {
        mn
    };
    let d_new = clamp01(d + alpha * c_mn * (d_target - d) + z7);
    // Turnover (phase C) reads the new drive and meaning.
    let engagement = (d_new * mn_new).sqrt();
    let leave =
        sp(c.exit_base) + sp(c.exit_sensitivity) * max0(sp(c.engagement_floor) - engagement);
    Out {
        a: clamp01(a + alpha * (a_target - a) + z1),
        s: clamp01(s + alpha * (s_target - s) + z2),
        pu: clamp01(pu + alpha * c_mn * (p_target - pu) + z3),
        id: clamp01(id + alpha * c_mn * (id_target - id) + z4),
        std: clamp01(std + sp(c.alpha_standard) * pu * (e_m - std)),
        mn: mn_new,
        d: d_new,
        q: clamp01(
            q + sp(c.learn_half) * (one + lambda) * a * s * (one - q) - sp(0.01) * q * (one - a),
        ),
        cy: clamp01(
            cy + sp(c.cynicism_rate)
                * (lambda * frustration * (one - cy) - (one - frustration) * cy * half),
        ),
        tr: clamp01(tr + alpha * (tr_target - tr)),
        conflict: k,
        existential,
        functional,
        essential,
        fit,
        adjust: voice * (std - e_m),
        leave: x.u.lt(leave),
    }
}

/// A team's sums, per lane: the tally of [`m::METRICS`] (state of tick t
/// and flows; events are left to phase C), the voiced adjustment of the
/// effects and the new trust.
pub(crate) struct Sums {
    pub tally: [F4; m::LEN],
    pub adjust: F4,
    pub trust: F4,
}

impl Sums {
    /// All zero.
    pub fn zero() -> Sums {
        Sums {
            tally: [F4::splat(0.0); m::LEN],
            adjust: F4::splat(0.0),
            trust: F4::splat(0.0),
        }
    }

    /// Adds one vector's contributions, each lane times its `weight` (1 for
    /// a place of the team, 0 for the missing lanes of its last vector;
    /// none: all 1). The values are finite, so 0 · x is 0.
    #[inline(always)]
    fn add(&mut self, x: &In<F4>, o: &Out<F4>, weight: Option<F4>) {
        let (zero, one) = (F4::splat(0.0), F4::splat(1.0));
        macro_rules! v {
            ($x:expr) => {
                match weight {
                    Some(w) => $x * w,
                    None => $x,
                }
            };
        }
        macro_rules! share {
            ($m:expr) => {
                F4::select($m, weight.unwrap_or(one), zero)
            };
        }
        let (a, s, pu, id, mn) = (x.a, x.s, x.pu, x.id, x.mn);
        let lo = F4::splat(0.3);
        let hi = F4::splat(0.5);
        let t = &mut self.tally;
        macro_rules! add {
            ($($i:expr => $x:expr),* $(,)?) => { $(t[$i] = t[$i] + v!($x);)* };
        }
        add!(
            m::AUTONOMY => a,
            m::SAFETY => s,
            m::PURPOSE => pu,
            m::IDENTITY => id,
            m::MEANING => mn,
            m::DRIVE => x.d,
            m::SKILL => x.q,
            m::CYNICISM => x.cy,
            m::TRUST => x.tr,
            m::STANDARD => x.std,
            m::CONFLICT => o.conflict,
            m::EXISTENTIAL => o.existential,
            m::FUNCTIONAL => o.functional,
            m::ESSENTIAL => o.essential,
            m::FIT => o.fit,
        );
        let alienated = F4::and(a.lt(lo), mn.lt(lo));
        let disoriented = F4::and(F4::and(a.ge(hi), s.lt(lo)), pu.lt(lo));
        let open = F4::and(
            F4::and(a.gt(hi), s.gt(hi)),
            F4::and(pu.gt(hi), F4::and(id.gt(hi), mn.gt(hi))),
        );
        t[m::ALIENATED] = t[m::ALIENATED] + share!(alienated);
        t[m::DISORIENTED] = t[m::DISORIENTED] + share!(disoriented);
        t[m::INTEGRATED] = t[m::INTEGRATED] + share!(open);
        self.adjust = self.adjust + v!(o.adjust);
        self.trust = self.trust + v!(o.tr);
    }
}

/// One team's places: its professionals' arrays, each `team_size` long,
/// its peer means and noise (`team_size` apart in the scratch space), its
/// exit words and where its leavers are marked.
pub(crate) struct Places<'a> {
    pub a: &'a mut [f64],
    pub s: &'a mut [f64],
    pub pu: &'a mut [f64],
    pub id: &'a mut [f64],
    pub mn: &'a mut [f64],
    pub d: &'a mut [f64],
    pub q: &'a mut [f64],
    pub cy: &'a mut [f64],
    pub tr: &'a mut [f64],
    pub std: &'a mut [f64],
    pub need: &'a [f64],
    pub lambda: &'a [f64],
    pub asp: &'a [f64],
    pub base: &'a [f64],
    pub peer: &'a [f64],
    pub noise: &'a [f64],
    pub turnover: &'a [u32],
    pub leave: &'a mut [bool],
}

impl<'a> Places<'a> {
    /// Professionals `lo .. lo + team_size` of `t`, with the scratch values
    /// of their team.
    #[inline(always)]
    pub fn of(
        t: &'a mut Teams<'_>,
        lo: usize,
        peer: &'a [f64],
        noise: &'a [f64],
        turnover: &'a [u32],
        leave: &'a mut [bool],
    ) -> Places<'a> {
        let ts = t.team_size;
        let r = lo..lo + ts;
        Places {
            a: &mut t.autonomy[r.clone()],
            s: &mut t.safety[r.clone()],
            pu: &mut t.purpose[r.clone()],
            id: &mut t.identity[r.clone()],
            mn: &mut t.meaning[r.clone()],
            d: &mut t.drive[r.clone()],
            q: &mut t.skill[r.clone()],
            cy: &mut t.cynicism[r.clone()],
            tr: &mut t.trust[r.clone()],
            std: &mut t.standard[r.clone()],
            need: &t.need[r.clone()],
            lambda: &t.lambda[r.clone()],
            asp: &t.aspiration[r.clone()],
            base: &t.base_drive[r],
            // Exact lengths, so that the compiler can drop the bounds
            // checks of the loads.
            peer: &peer[..3 * ts],
            noise: &noise[..6 * ts],
            turnover: &turnover[..ts],
            leave: &mut leave[..ts],
        }
    }
}

/// The inputs of four places of `p`: `state` loads a state array, `scratch`
/// row `i` of the peer or noise scratch, `u` the exit uniforms.
#[inline(always)]
fn gather(
    p: &Places<'_>,
    state: impl Fn(&[f64]) -> F4,
    scratch: impl Fn(&[f64], usize) -> F4,
    u: F4,
) -> In<F4> {
    In {
        a: state(p.a),
        s: state(p.s),
        pu: state(p.pu),
        id: state(p.id),
        mn: state(p.mn),
        d: state(p.d),
        q: state(p.q),
        cy: state(p.cy),
        tr: state(p.tr),
        need: state(p.need),
        lambda: state(p.lambda),
        asp: state(p.asp),
        std: state(p.std),
        base: state(p.base),
        peer: crate::each_lane3!(i => scratch(p.peer, i)),
        z: crate::each_lane6!(i => scratch(p.noise, i)),
        u,
    }
}

/// The places `k .. k + 4` of `p`: state, peers, noise, exit uniforms.
#[inline(always)]
fn load(p: &Places<'_>, k: usize) -> In<F4> {
    let ts = p.a.len();
    let w = &p.turnover[k..k + 4];
    gather(
        p,
        |x| F4::load(&x[k..]),
        |x, c| F4::load(&x[c * ts + k..]),
        F4(crate::each_lane!(l => uniform32(w[l]))),
    )
}

/// Phases A and B for the team of `p` in `coupling` (a constant where this
/// is inlined): writes the new state, sets `leave` for the leavers and adds
/// to `sums`.
///
/// Places go four to a vector. A team whose size is not a multiple of four
/// first computes its last four places, keeping the old state of the lanes
/// a whole vector covers later (they add 0 to the sums); then the whole
/// vectors from the start. Teams of fewer than four professionals run one
/// vector padded with 0.5.
#[inline(always)]
pub(crate) fn team<const WIDE: bool>(
    c: &TeamConsts,
    coupling: Coupling,
    p: Places<'_>,
    sums: &mut Sums,
) {
    let ts = p.a.len();
    if ts < 4 {
        return small(c, coupling, p, sums);
    }
    let body = ts & !3;
    if body < ts {
        let k = ts - 4;
        let x = load(&p, k);
        let o = professional(c, coupling, &x);
        let old = M4(crate::each_lane!(l => mask(k + l < body)));
        let keep = |x: F4, new: F4, s: &mut [f64]| F4::select(old, x, new).store(&mut s[k..]);
        keep(x.a, o.a, p.a);
        keep(x.s, o.s, p.s);
        keep(x.pu, o.pu, p.pu);
        keep(x.id, o.id, p.id);
        keep(x.mn, o.mn, p.mn);
        keep(x.d, o.d, p.d);
        keep(x.q, o.q, p.q);
        keep(x.cy, o.cy, p.cy);
        keep(x.tr, o.tr, p.tr);
        keep(x.std, o.std, p.std);
        let leave = &mut p.leave[k..k + 4];
        for (l, out) in leave.iter_mut().enumerate() {
            *out = o.leave.lane(l);
        }
        let weight = F4::select(old, F4::splat(0.0), F4::splat(1.0));
        sums.add(&x, &o, Some(weight));
    }
    // Every array as whole vectors (macros, not closures: each must be
    // inlined in the build it is in).
    macro_rules! v4 {
        ($($x:ident),*) => { $(let $x = p.$x[..body].as_chunks_mut::<4>().0;)* };
    }
    macro_rules! r4 {
        ($($x:ident),*) => { $(let $x = p.$x[..body].as_chunks::<4>().0;)* };
    }
    v4!(a, s, pu, id, mn, d, q, cy, tr, std, leave);
    r4!(need, lambda, asp, base, turnover);
    macro_rules! scratch {
        ($x:expr, $i:expr) => {
            $x[$i * ts..$i * ts + body].as_chunks::<4>().0
        };
    }
    let peer = crate::each_lane3!(i => scratch!(p.peer, i));
    let noise = crate::each_lane6!(i => scratch!(p.noise, i));
    macro_rules! load {
        ($v:expr) => {{
            let v = $v;
            In {
                a: F4(a[v]),
                s: F4(s[v]),
                pu: F4(pu[v]),
                id: F4(id[v]),
                mn: F4(mn[v]),
                d: F4(d[v]),
                q: F4(q[v]),
                cy: F4(cy[v]),
                tr: F4(tr[v]),
                need: F4(need[v]),
                lambda: F4(lambda[v]),
                asp: F4(asp[v]),
                std: F4(std[v]),
                base: F4(base[v]),
                peer: crate::each_lane3!(i => F4(peer[i][v])),
                z: crate::each_lane6!(i => F4(noise[i][v])),
                u: F4(crate::each_lane!(l => uniform32(turnover[v][l]))),
            }
        }};
    }
    macro_rules! store {
        ($v:expr, $o:expr) => {{
            let (v, o) = ($v, $o);
            a[v] = o.a.0;
            s[v] = o.s.0;
            pu[v] = o.pu.0;
            id[v] = o.id.0;
            mn[v] = o.mn.0;
            d[v] = o.d.0;
            q[v] = o.q.0;
            cy[v] = o.cy.0;
            tr[v] = o.tr.0;
            std[v] = o.std.0;
            leave[v] = crate::each_lane!(l => o.leave.lane(l));
        }};
    }
    let vectors = body / 4;
    let mut v = 0;
    // Eight lanes: two vectors at once, their sums added vector by vector,
    // as four lanes add them.
    while WIDE && v + 1 < vectors {
        let (x0, x1) = (load!(v), load!(v + 1));
        let (o0, o1) = halves(&professional(c, coupling, &join(&x0, &x1)));
        store!(v, &o0);
        store!(v + 1, &o1);
        sums.add(&x0, &o0, None);
        sums.add(&x1, &o1, None);
        v += 2;
    }
    while v < vectors {
        let x = load!(v);
        let o = professional(c, coupling, &x);
        store!(v, &o);
        sums.add(&x, &o, None);
        v += 1;
    }
}

/// Two inputs of four lanes as one of eight.
#[inline(always)]
fn join(lo: &In<F4>, hi: &In<F4>) -> In<F8> {
    let j = |a: F4, b: F4| F8::join(a.0, b.0);
    In {
        a: j(lo.a, hi.a),
        s: j(lo.s, hi.s),
        pu: j(lo.pu, hi.pu),
        id: j(lo.id, hi.id),
        mn: j(lo.mn, hi.mn),
        d: j(lo.d, hi.d),
        q: j(lo.q, hi.q),
        cy: j(lo.cy, hi.cy),
        tr: j(lo.tr, hi.tr),
        need: j(lo.need, hi.need),
        lambda: j(lo.lambda, hi.lambda),
        asp: j(lo.asp, hi.asp),
        std: j(lo.std, hi.std),
        base: j(lo.base, hi.base),
        peer: crate::each_lane3!(i => j(lo.peer[i], hi.peer[i])),
        z: crate::each_lane6!(i => j(lo.z[i], hi.z[i])),
        u: j(lo.u, hi.u),
    }
}

/// An output of eight lanes as two of four (lanes 0–3, lanes 4–7).
#[inline(always)]
fn halves(o: &Out<F8>) -> (Out<F4>, Out<F4>) {
    let m = o.leave.0;
    let half = |h: usize| {
        let p = |x: F8| if h == 0 { x.halves().0 } else { x.halves().1 };
        Out {
            a: p(o.a),
            s: p(o.s),
            pu: p(o.pu),
            id: p(o.id),
            std: p(o.std),
            mn: p(o.mn),
            d: p(o.d),
            q: p(o.q),
            cy: p(o.cy),
            tr: p(o.tr),
            conflict: p(o.conflict),
            existential: p(o.existential),
            functional: p(o.functional),
            essential: p(o.essential),
            fit: p(o.fit),
            adjust: p(o.adjust),
            leave: M4(crate::each_lane!(l => m[4 * h + l])),
        }
    };
    (half(0), half(1))
}

/// [`team`] for teams of fewer than four: one vector, padded with 0.5.
#[inline(never)]
fn small(c: &TeamConsts, coupling: Coupling, p: Places<'_>, sums: &mut Sums) {
    let ts = p.a.len();
    let x = gather(
        &p,
        |x| F4::load_partial(x, 0.5),
        |x, i| F4::load_partial(&x[i * ts..(i + 1) * ts], 0.0),
        F4(crate::each_lane!(l => p.turnover.get(l).map_or(1.0, |w| uniform32(*w)))),
    );
    let o = professional(c, coupling, &x);
    o.a.store_partial(p.a);
    o.s.store_partial(p.s);
    o.pu.store_partial(p.pu);
    o.id.store_partial(p.id);
    o.mn.store_partial(p.mn);
    o.d.store_partial(p.d);
    o.q.store_partial(p.q);
    o.cy.store_partial(p.cy);
    o.tr.store_partial(p.tr);
    o.std.store_partial(p.std);
    for (l, out) in p.leave.iter_mut().enumerate() {
        *out = o.leave.lane(l);
    }
    let weight = F4(crate::each_lane!(l => if l < ts { 1.0 } else { 0.0 }));
    sums.add(&x, &o, Some(weight));
}
