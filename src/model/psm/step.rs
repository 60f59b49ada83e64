//! One tick of the professional-space model (MODEL.md §3), team by team.
//!
//! Every team draws from its own random stream positioned at the tick, and
//! its contribution to the organisation's observation is summed per team and
//! then over teams in team order, so the result is the same whatever order
//! or thread the teams are stepped in.

use super::{Organisation, draw_levers, uniform};
use crate::rng;
use crate::scenario::Coupling;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The organisation's tick metrics, in the order of
/// [`crate::observe::PSM_TICK_METRICS`].
pub type TickObservation = [f64; 20];

/// Per-team sums of the tick metrics (state of tick t, flows of phase A).
type Tally = [f64; 18];

#[inline(always)]
fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

impl Organisation {
    /// Advances the organisation by one tick and returns the observation of
    /// that tick: means of the state the tick started from, the flows phase A
    /// computed from it, and the event counts through the tick's phase C.
    pub fn step(&mut self, tick: u32) -> TickObservation {
        self.peer_means();
        let turbulent =
            uniform(&mut rng::stream(&self.key, rng::ORG_STREAM, tick)) < self.p.turbulence;
        let mut sums = [0.0; 18];
        for j in 0..self.teams() {
            let t = self.step_team(j, tick, turbulent);
            for (s, x) in sums.iter_mut().zip(t) {
                *s += x;
            }
        }
        let n = self.len() as f64;
        let mut obs = [0.0; 20];
        for (k, s) in sums.iter().enumerate() {
            obs[k] = if k == 9 {
                s / self.teams() as f64
            } else {
                s / n
            };
        }
        obs[18] = self.exits as f64;
        obs[19] = self.revocations as f64;
        obs
    }

    /// Phase A, social part: peer means of meaning, drive and safety at tick
    /// t, for everyone, before anything is written. Without ties a
    /// professional's own value stands in for the peers'.
    fn peer_means(&mut self) {
        let k = self.peers;
        if k == 0 {
            self.peer_meaning.copy_from_slice(&self.meaning);
            self.peer_drive.copy_from_slice(&self.drive);
            self.peer_safety.copy_from_slice(&self.safety);
            return;
        }
        let inv = 1.0 / k as f64;
        for (i, ties) in self.ties.chunks_exact(k).enumerate() {
            let (mut m, mut d, mut s) = (0.0, 0.0, 0.0);
            for &t in ties {
                let t = t as usize;
                m += self.meaning[t];
                d += self.drive[t];
                s += self.safety[t];
            }
            self.peer_meaning[i] = m * inv;
            self.peer_drive[i] = d * inv;
            self.peer_safety[i] = s * inv;
        }
    }

    /// Phases A, B and C for team `j`; returns the team's tally.
    fn step_team(&mut self, j: usize, tick: u32, turbulent: bool) -> Tally {
        let p = self.p;
        let ts = self.team_size;
        let (lo, hi) = (j * ts, (j + 1) * ts);
        let lv = self.levers[j];
        let big_l = self.licence[j];
        let e_m = self.effects[j];
        let mut r = rng::stream(&self.key, 1 + j as u64, tick);

        // Team-level values of tick t.
        let g = (lv.effect - self.perf[j]).max(0.0);
        let c_conn = 0.5 * (1.0 + lv.connection);
        let c_en = 0.5 * (1.0 + lv.energy);
        let (w, one_w) = (p.w, 1.0 - p.w);
        let w_m = big_l * (1.0 - 0.5 * lv.listening) + lv.dominance;
        let zs_offer = big_l * 0.5 * (lv.focus + lv.connection);
        let fs_box = big_l * (lv.focus * lv.connection).sqrt();
        let fs_sigma = clamp01(big_l * lv.focus + lv.effect * g);
        let purpose_target = big_l * lv.rationale;
        let alpha = p.alpha;

        let mut tally: Tally = [0.0; 18];
        tally[9] = big_l;
        let (mut adjust, mut ess_sum, mut trust_sum) = (0.0, 0.0, 0.0);

        for i in lo..hi {
            let a = self.autonomy[i];
            let s = self.safety[i];
            let pu = self.purpose[i];
            let id = self.identity[i];
            let mn = self.meaning[i];
            let d = self.drive[i];
            let q = self.skill[i];
            let cy = self.cynicism[i];
            let tr = self.trust[i];
            let need = self.need[i];
            let lambda = self.lambda[i];
            let asp = self.aspiration[i];
            let std = self.standard[i];

            // Signals.
            let request = d * (need - a).max(0.0);
            let voice = s * (1.0 - cy);

            // Frame negotiation.
            let (a_target, k, s_offer, sigma) = match p.coupling {
                Coupling::ZeroSum => {
                    let c_claim = clamp01(lv.focus + lv.effect * g + lv.dominance * request);
                    let w_p = d * voice;
                    let total = w_p + w_m;
                    let a_target = if total > 0.0 {
                        (w_p * need + w_m * (1.0 - c_claim)) / total
                    } else {
                        a
                    };
                    let k = (need - (1.0 - c_claim)).abs();
                    (a_target, k, zs_offer * (1.0 - k), 1.0 - a)
                }
                Coupling::FreedomSafety => {
                    let k = lv.dominance * request;
                    (need * s, k, fs_box * (1.0 - k), fs_sigma)
                }
            };

            // Work.
            let effort = (d * 0.5 * (1.0 + mn)).sqrt();
            let existential = (q * a * effort).cbrt();
            let alignment = 1.0 - (1.0 - sigma) * (1.0 - pu);
            let functional = (effort * alignment * c_en).cbrt();
            let essential = (existential * functional).sqrt();

            // Targets of the windows; meaning is the catalyst.
            let c_mn = 0.25 + 1.5 * mn;
            let p_target = purpose_target * mn;
            let fit = 1.0 - (e_m - std).abs();
            let id_target = fit * 0.5 * (1.0 + a);
            let mn_target =
                one_w * (s * 0.5 * (pu + id) * c_conn).cbrt() + w * self.peer_meaning[i];
            let aspiration = asp + lv.effect * (1.0 - asp) * 0.5;
            let frustration = (aspiration - essential).max(0.0);
            let source = lambda * (1.0 - frustration) + (1.0 - lambda) * id;
            let d_target = one_w
                * (self.base_drive[i] * source * (1.0 - cy) * c_en)
                    .sqrt()
                    .sqrt()
                + w * self.peer_drive[i];
            let s_target = one_w * s_offer + w * self.peer_safety[i];
            let tr_target = ((1.0 - k) * c_conn).sqrt();

            // Phase B: the new state, from the values above only.
            let mut z = [0.0f64; 6];
            for x in &mut z {
                *x = p.noise * r.sample::<f64, _>(StandardNormal);
            }
            let a_new = clamp01(a + alpha * (a_target - a) + z[0]);
            self.autonomy[i] = a_new;
            self.safety[i] = clamp01(s + alpha * (s_target - s) + z[1]);
            self.purpose[i] = clamp01(pu + alpha * c_mn * (p_target - pu) + z[2]);
            self.identity[i] = clamp01(id + alpha * c_mn * (id_target - id) + z[3]);
            self.standard[i] = clamp01(std + alpha * 0.2 * pu * (e_m - std));
            if p.meaning_dynamics {
                self.meaning[i] = clamp01(mn + alpha * (mn_target - mn) + z[4]);
            }
            self.drive[i] = clamp01(d + alpha * c_mn * (d_target - d) + z[5]);
            self.skill[i] = clamp01(
                q + p.learn * 0.5 * (1.0 + lambda) * a * s * (1.0 - q) - 0.01 * q * (1.0 - a),
            );
            self.cynicism[i] = clamp01(
                cy + p.cynicism_rate
                    * (lambda * frustration * (1.0 - cy) - (1.0 - frustration) * cy * 0.5),
            );
            let tr_new = clamp01(tr + alpha * (tr_target - tr));
            self.trust[i] = tr_new;
            self.control[i] = match p.coupling {
                Coupling::ZeroSum => 1.0 - a_new,
                Coupling::FreedomSafety => sigma,
            };

            adjust += voice * (std - e_m);
            ess_sum += essential;
            trust_sum += tr_new;

            tally[0] += a;
            tally[1] += s;
            tally[2] += pu;
            tally[3] += id;
            tally[4] += mn;
            tally[5] += d;
            tally[6] += q;
            tally[7] += cy;
            tally[8] += tr;
            tally[10] += k;
            tally[11] += existential;
            tally[12] += functional;
            tally[13] += essential;
            tally[14] += fit;
            tally[15] += f64::from(u8::from(a < 0.3 && mn < 0.3));
            tally[16] += f64::from(u8::from(s < 0.3 && pu < 0.3));
            tally[17] += f64::from(u8::from(
                a > 0.6 && s > 0.6 && pu > 0.6 && id > 0.6 && mn > 0.6,
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
        }
        if turbulent {
            e_new = clamp01(e_new + 0.2 * r.sample::<f64, _>(StandardNormal));
        }
        self.effects[j] = e_new;
        for i in lo..hi {
            let engagement = (self.drive[i] * self.meaning[i]).sqrt();
            let leave =
                p.exit_base + p.exit_sensitivity * (p.engagement_floor - engagement).max(0.0);
            if uniform(&mut r) < leave {
                self.hire(&mut r, i, 0.3);
                self.exits += 1;
            }
        }
        tally
    }
}
