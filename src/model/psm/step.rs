//! One tick of the professional-space model (ODD §3 and §7), team by team.
//!
//! Every team draws from its own random stream positioned at the tick, and
//! its contribution to the organisation's observation is summed per team and
//! then over teams in team order, so the result is the same whatever order
//! or thread the teams are stepped in.

use super::frame::{Frame, TeamFrame};
use super::math::{cbrt, clamp01, prefetch};
use super::metrics::tick as m;
use super::{Levers, Organisation, draw_levers};
use crate::observe::Tally;
use crate::rng;

/// The organisation's tick metrics, in the order of
/// [`super::metrics::tick::METRICS`].
pub type TickObservation = [f64; m::LEN];

/// Per-team sums of the tick metrics (state of tick t, flows of phase A),
/// indexed like the observation; counters are filled in at the end.
type TeamSums = [f64; m::LEN];

impl Organisation {
    /// Advances the organisation by one tick and returns the observation of
    /// that tick: means of the state the tick started from, the flows phase A
    /// computed from it, and the event counts through the tick's phase C.
    pub fn step(&mut self, tick: u32) -> TickObservation {
        self.step_recording(tick, None)
    }

    /// [`Organisation::step`], appending a row `[tick, team, team columns…]`
    /// per team to `teams` when given (the columns of
    /// [`super::metrics::team`]: the tick metrics over the team, then the
    /// levers of its manager during the tick).
    pub fn step_recording(
        &mut self,
        tick: u32,
        mut teams: Option<&mut Vec<f64>>,
    ) -> TickObservation {
        self.snapshot();
        let turbulent =
            rng::uniform(&mut rng::stream(&self.key, rng::ORG_STREAM, tick)) < self.p.turbulence;
        // One word per professional, in index order: team j's words start at
        // j · team_size, so a team could seek to them on its own.
        let mut exits = rng::stream(&self.key, rng::EXIT_STREAM, tick);
        let mut sums: TeamSums = [0.0; m::LEN];
        for j in 0..self.teams() {
            // The manager of tick t (a revocation in phase C replaces it).
            let levers = self.levers[j];
            let t = self.step_team(j, tick, turbulent, &mut exits);
            for (s, x) in sums.iter_mut().zip(t) {
                *s += x;
            }
            if let Some(rows) = teams.as_deref_mut() {
                self.team_row(j, tick, &t, &levers, rows);
            }
        }
        let (n, teams) = (self.len() as f64, self.teams() as f64);
        for (x, metric) in sums.iter_mut().zip(&m::METRICS) {
            match metric.tally {
                Tally::Professionals => *x /= n,
                Tally::Managers => *x /= teams,
                Tally::Counter | Tally::Direct => {}
            }
        }
        sums[m::EXITS] = self.exits as f64;
        sums[m::REVOCATIONS] = self.revocations as f64;
        sums
    }

    /// Team `j`'s row of `teams.csv` from its tally.
    fn team_row(&self, j: usize, tick: u32, tally: &TeamSums, lv: &Levers, rows: &mut Vec<f64>) {
        let ts = self.team_size as f64;
        rows.push(f64::from(tick));
        rows.push(j as f64);
        for (x, metric) in tally.iter().zip(&m::METRICS) {
            rows.push(match metric.tally {
                Tally::Professionals => x / ts,
                Tally::Managers | Tally::Counter | Tally::Direct => *x,
            });
        }
        let at = rows.len() - m::LEN;
        rows[at + m::EXITS] = self.team_exits[j] as f64;
        rows[at + m::REVOCATIONS] = self.team_revocations[j] as f64;
        rows.extend_from_slice(&[
            lv.rationale,
            lv.effect,
            lv.focus,
            lv.energy,
            lv.connection,
            lv.dominance,
            lv.listening,
        ]);
    }

    /// Appends a row `[tick, team, professional, agent columns…]` per
    /// professional (see [`super::metrics::agent`]): the state entering tick
    /// `tick`.
    pub fn agent_rows(&self, tick: u32, rows: &mut Vec<f64>) {
        use super::metrics::agent as a;
        rows.reserve(self.len() * (3 + a::LEN));
        for i in 0..self.len() {
            let mut row = [0.0; a::LEN];
            row[a::AUTONOMY] = self.autonomy[i];
            row[a::SAFETY] = self.safety[i];
            row[a::PURPOSE] = self.purpose[i];
            row[a::IDENTITY] = self.identity[i];
            row[a::MEANING] = self.meaning[i];
            row[a::DRIVE] = self.drive[i];
            row[a::SKILL] = self.skill[i];
            row[a::CYNICISM] = self.cynicism[i];
            row[a::TRUST] = self.trust[i];
            row[a::STANDARD] = self.standard[i];
            row[a::NEED] = self.need[i];
            row[a::CONSEQUENTIALISM] = self.lambda[i];
            row[a::ASPIRATION] = self.aspiration[i];
            row[a::BASE_DRIVE] = self.base_drive[i];
            rows.extend_from_slice(&[f64::from(tick), (i / self.team_size) as f64, i as f64]);
            rows.extend_from_slice(&row);
        }
    }

    /// Phase A, social part: a snapshot of every professional's meaning,
    /// drive and safety at tick t, taken before anything is written; peers
    /// read it while their own state is being updated.
    fn snapshot(&mut self) {
        for (((x, m), d), s) in self
            .social
            .iter_mut()
            .zip(&self.meaning)
            .zip(&self.drive)
            .zip(&self.safety)
        {
            *x = [*m, *d, *s];
        }
    }

    /// Phases A, B and C for team `j`; returns the team's tally.
    fn step_team(
        &mut self,
        j: usize,
        tick: u32,
        turbulent: bool,
        exits: &mut rng::Rng,
    ) -> TeamSums {
        let p = self.p;
        let ts = self.team_size;
        let (lo, hi) = (j * ts, (j + 1) * ts);
        let lv = self.levers[j];
        let big_l = self.licence[j];
        let e_m = self.effects[j];
        let mut r = rng::stream(&self.key, 1 + j as u64, tick);
        let zig = rng::ziggurat();

        // Team-level values of tick t.
        let frame = TeamFrame::new(p.coupling, &lv, big_l, self.perf[j]);
        let c_conn = 0.5 * (1.0 + lv.connection);
        let c_en = 0.5 * (1.0 + lv.energy);
        let (w, one_w) = (p.w, 1.0 - p.w);
        let purpose_target = big_l * lv.rationale;
        let alpha = p.alpha;

        let mut tally: TeamSums = [0.0; m::LEN];
        tally[m::EFFECTS] = e_m;
        tally[m::LICENCE] = big_l;
        let (mut adjust, mut ess_sum, mut trust_sum) = (0.0, 0.0, 0.0);

        // The team's slices: every one has length ts, so indexing by k < ts
        // needs no bounds checks.
        let autonomy = &mut self.autonomy[lo..hi];
        let safety = &mut self.safety[lo..hi];
        let purpose = &mut self.purpose[lo..hi];
        let identity = &mut self.identity[lo..hi];
        let meaning = &mut self.meaning[lo..hi];
        let drive = &mut self.drive[lo..hi];
        let skill = &mut self.skill[lo..hi];
        let cynicism = &mut self.cynicism[lo..hi];
        let trust = &mut self.trust[lo..hi];
        let need = &self.need[lo..hi];
        let lambda = &self.lambda[lo..hi];
        let aspiration = &self.aspiration[lo..hi];
        let standard = &mut self.standard[lo..hi];
        let base_drive = &self.base_drive[lo..hi];
        // Peer means of tick t (one's own values without ties). The next
        // team's peers are fetched into the cache while this team computes.
        let k_peers = self.peers;
        if let Some(next) = self.ties.get(hi * k_peers..(hi + ts) * k_peers) {
            for &t in next {
                if let Some(v) = self.social.get(t as usize) {
                    prefetch(v);
                }
            }
        }
        let peer = &mut self.peer[..ts];
        if k_peers == 0 {
            peer.copy_from_slice(&self.social[lo..hi]);
        } else {
            let inv = 1.0 / k_peers as f64;
            let social = &self.social;
            for (out, mine) in peer
                .iter_mut()
                .zip(self.ties[lo * k_peers..hi * k_peers].chunks_exact(k_peers))
            {
                let mut sum = [0.0; 3];
                for &t in mine {
                    let v = social[t as usize];
                    sum[0] += v[0];
                    sum[1] += v[1];
                    sum[2] += v[2];
                }
                *out = [sum[0] * inv, sum[1] * inv, sum[2] * inv];
            }
        }
        // The team's noise, drawn in one tight loop: six normals per
        // professional in index order (W1, W2, W3, W4, W6, W7).
        let noise = &mut self.noise[..6 * ts];
        for x in noise.iter_mut() {
            *x = p.noise * rng::normal_with(&mut r, zig);
        }
        for ix in 0..ts {
            let a = autonomy[ix];
            let s = safety[ix];
            let pu = purpose[ix];
            let id = identity[ix];
            let mn = meaning[ix];
            let d = drive[ix];
            let q = skill[ix];
            let cy = cynicism[ix];
            let tr = trust[ix];
            let need = need[ix];
            let lambda = lambda[ix];
            let asp = aspiration[ix];
            let std = standard[ix];
            let [peer_mn, peer_d, peer_s] = peer[ix];

            // Signals and the frame negotiation.
            let Frame {
                voice,
                autonomy_target: a_target,
                conflict: k,
                safety_offer: s_offer,
                structure: sigma,
                ..
            } = frame.negotiate(need, a, d, s, cy);

            // Work.
            let effort = (d * 0.5 * (1.0 + mn)).sqrt();
            // Good work needs skill, room, safety and effort (v1.1).
            let existential = (q * a * s * effort).sqrt().sqrt();
            let alignment = 1.0 - (1.0 - sigma) * (1.0 - pu);
            let functional = cbrt(effort * alignment * c_en);
            let essential = (existential * functional).sqrt();

            // Targets of the windows; meaning is the catalyst.
            let c_mn = 0.25 + 1.5 * mn;
            let p_target = (purpose_target * mn).sqrt();
            let fit = 1.0 - (e_m - std).abs();
            let id_target = fit * 0.5 * (1.0 + a);
            let mn_target = one_w * cbrt(s * 0.5 * (pu + id) * c_conn) + w * peer_mn;
            let aspiration = asp + lv.effect * (1.0 - asp) * 0.5;
            let frustration = (aspiration - essential).max(0.0);
            let source = lambda * (1.0 - frustration) + (1.0 - lambda) * id;
            let d_target =
                one_w * (base_drive[ix] * source * (1.0 - cy) * c_en).sqrt().sqrt() + w * peer_d;
            let s_target = one_w * s_offer + w * peer_s;
            let tr_target = ((1.0 - k) * c_conn).sqrt();

            // Phase B: the new state, from the values above only.
            let z = &noise[6 * ix..6 * ix + 6];
            let a_new = clamp01(a + alpha * (a_target - a) + z[0]);
            autonomy[ix] = a_new;
            safety[ix] = clamp01(s + alpha * (s_target - s) + z[1]);
            purpose[ix] = clamp01(pu + alpha * c_mn * (p_target - pu) + z[2]);
            identity[ix] = clamp01(id + alpha * c_mn * (id_target - id) + z[3]);
            standard[ix] = clamp01(std + alpha * 0.2 * pu * (e_m - std));
            if p.meaning_dynamics {
                meaning[ix] = clamp01(mn + alpha * (mn_target - mn) + z[4]);
            }
            drive[ix] = clamp01(d + alpha * c_mn * (d_target - d) + z[5]);
            skill[ix] = clamp01(
                q + p.learn * 0.5 * (1.0 + lambda) * a * s * (1.0 - q) - 0.01 * q * (1.0 - a),
            );
            cynicism[ix] = clamp01(
                cy + p.cynicism_rate
                    * (lambda * frustration * (1.0 - cy) - (1.0 - frustration) * cy * 0.5),
            );
            let tr_new = clamp01(tr + alpha * (tr_target - tr));
            trust[ix] = tr_new;

            adjust += voice * (std - e_m);
            ess_sum += essential;
            trust_sum += tr_new;

            tally[m::AUTONOMY] += a;
            tally[m::SAFETY] += s;
            tally[m::PURPOSE] += pu;
            tally[m::IDENTITY] += id;
            tally[m::MEANING] += mn;
            tally[m::DRIVE] += d;
            tally[m::SKILL] += q;
            tally[m::CYNICISM] += cy;
            tally[m::TRUST] += tr;
            tally[m::STANDARD] += std;
            tally[m::CONFLICT] += k;
            tally[m::EXISTENTIAL] += existential;
            tally[m::FUNCTIONAL] += functional;
            tally[m::ESSENTIAL] += essential;
            tally[m::FIT] += fit;
            tally[m::ALIENATED] += f64::from(u8::from(a < 0.3 && mn < 0.3));
            tally[m::DISORIENTED] += f64::from(u8::from(a >= 0.5 && s < 0.3 && pu < 0.3));
            tally[m::INTEGRATED] += f64::from(u8::from(
                a > 0.5 && s > 0.5 && pu > 0.5 && id > 0.5 && mn > 0.5,
            ));
        }

        // Phase B, manager: communicative adjustment of the effects.
        let inv_ts = 1.0 / ts as f64;
        let mut e_new = clamp01(e_m + alpha * lv.listening * adjust * inv_ts);

        // Phase C: performance, licence (revocation and replacement),
        // turbulence, turnover.
        self.perf[j] = ess_sum * inv_ts;
        let l_new = clamp01(big_l + p.licence_rate * (trust_sum * inv_ts - big_l));
        self.licence[j] = l_new;
        self.below[j] = if l_new < p.revoke_below {
            self.below[j] + 1
        } else {
            0
        };
        if self.below[j] >= p.replace_after {
            let (means, sd) = self.pops.team_profile[j];
            self.levers[j] = draw_levers(&mut r, &means, sd);
            self.licence[j] = p.licence0;
            self.below[j] = 0;
            e_new = p.effects0;
            self.trust[lo..hi].fill(0.5);
            self.revocations += 1;
            self.team_revocations[j] += 1;
        }
        if turbulent {
            e_new = clamp01(e_new + 0.2 * rng::normal(&mut r));
        }
        self.effects[j] = e_new;
        for i in lo..hi {
            let engagement = (self.drive[i] * self.meaning[i]).sqrt();
            let leave =
                p.exit_base + p.exit_sensitivity * (p.engagement_floor - engagement).max(0.0);
            if rng::uniform32(exits) < leave {
                self.hire(&mut r, i, 0.3);
                self.exits += 1;
                self.team_exits[j] += 1;
            }
        }
        tally
    }
}
