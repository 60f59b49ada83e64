//! One tick of the professional-space model (ODD §3 and §7).
//!
//! A tick: the turbulence draw and the snapshot of every professional's
//! meaning, drive and safety (phase A, social part); then the teams, in
//! groups of [`GROUP`] teams: the group's random words are computed in bulk
//! from the team streams ([`rng::team_words`]), then per team its peer
//! means, its noise, phases A and B in lanes of four professionals
//! ([`kernel`]), its tally and phase C; finally the organisation's
//! observation: team tallies added in team order within each group, the
//! group sums in group order.
//!
//! Every team reads only the snapshot, its own state and its own stream, so
//! teams can be stepped in any order. With more than one thread (see
//! [`Organisation::set_threads`]) contiguous ranges of groups are stepped
//! at once on the caller's rayon pool; the sums are added in the same order
//! whatever the split, so the bytes do not depend on the number of threads.
//! The hot loops are compiled for AVX2 and for the portable baseline
//! ([`crate::lanes`]); both give the same bits.

use super::frame::TeamFrame;
use super::kernel::{self, Places, Sums, TeamConsts};
use super::math::prefetch;
use super::metrics::tick as m;
use super::params::Coupling;
use super::teams::Teams;
use super::{Levers, Organisation, Params, Populations, Social, all_teams, draw_levers};
use crate::lanes::{F4, Isa, Real, clamp01};
use crate::observe::Tally;
use crate::rng::{self, More, Words};

/// The organisation's tick metrics, in the order of
/// [`super::metrics::tick::METRICS`].
pub type TickObservation = [f64; m::LEN];

/// Per-team sums of the tick metrics (state of tick t, flows of phase A),
/// indexed like the observation; counters are filled in at the end.
pub(crate) type TeamSums = [f64; m::LEN];

/// Width of a team row: tick, team, the team columns.
const ROW: usize = 2 + super::metrics::team::LEN;

/// Teams whose words are computed together and whose tallies are added
/// into one group sum; a tick's parts are whole groups.
pub(crate) const GROUP: usize = 8;

/// Words of a team's tick: six noise words per professional (window after
/// window: W1, W2, W3, W4, W6, W7), then one turnover word per
/// professional; words beyond these continue where a draw needs more.
const WORDS_PER_PROFESSIONAL: usize = 7;

/// Scratch space of one part of a tick.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The bulk words of a group of teams.
    words: Vec<u32>,
    lanes: TeamScratch,
}

/// Scratch space of one team.
#[derive(Default)]
struct TeamScratch {
    /// Noise, window after window, `team_size` apart.
    noise: Vec<f64>,
    /// Peer means of meaning, drive and safety, `team_size` apart.
    peer: Vec<f64>,
    /// Whether each professional leaves.
    leave: Vec<bool>,
    /// The team's sums, per lane.
    sums: Sums,
}

impl Default for Sums {
    fn default() -> Sums {
        Sums::zero()
    }
}

impl Scratch {
    fn size(&mut self, team_size: usize, blocks: usize) {
        self.words.resize(GROUP * blocks * 16, 0);
        self.lanes.noise.resize(6 * team_size, 0.0);
        self.lanes.peer.resize(3 * team_size, 0.0);
        self.lanes.leave.resize(team_size, false);
    }
}

/// What every team of a tick reads.
struct Tick<'a> {
    p: &'a Params,
    pops: &'a Populations,
    key: &'a [u32; 8],
    social: &'a [Social],
    ties: &'a [u32],
    peers: usize,
    tick: u32,
    turbulent: bool,
    /// Bulk blocks per team.
    blocks: usize,
    isa: Isa,
    /// Whether to fetch the next team's peers into the cache ahead.
    prefetch: bool,
}

/// Parts of a tick per thread when teams are stepped in parallel.
const PARTS_PER_THREAD: usize = 4;

/// From this many professionals on (a snapshot of 2 MiB, twice a core's
/// second-level cache here), the peers of the team [`PREFETCH_TEAMS`]
/// ahead are prefetched. Measured in teams of 10 (PERFORMANCE.md): no
/// difference at 50 000 professionals, 3% faster at 70 000, 6–11% at
/// 100 000.
const PREFETCH_FROM: usize = 1 << 16;

/// How many teams ahead peers are prefetched. Measured at 1 000 000
/// professionals in teams of 10 (PERFORMANCE.md): two teams ahead into
/// the second-level cache beat one team ahead into the first by 10%; three
/// or four ahead, or prefetching only the ties across teams, did not help.
const PREFETCH_TEAMS: usize = 2;

/// Events of a part of the tick.
#[derive(Clone, Copy, Default)]
struct Counts {
    exits: u64,
    revocations: u64,
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, o: Counts) -> Counts {
        Counts {
            exits: self.exits + o.exits,
            revocations: self.revocations + o.revocations,
        }
    }
}

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
    pub fn step_recording(&mut self, tick: u32, teams: Option<&mut Vec<f64>>) -> TickObservation {
        let turbulent =
            rng::uniform(&mut rng::stream(&self.key, rng::ORG_STREAM, tick)) < self.p.turbulence;
        let n_teams = self.teams();
        let groups = n_teams.div_ceil(GROUP);
        // Parallel only inside a rayon pool the caller set up (the sweep
        // runner's): the model starts no threads of its own. Several parts
        // per thread, so that a thread on a slower core takes fewer of them
        // (the pool steals work) instead of holding up the tick.
        let parts = if self.threads > 1 && rayon::current_thread_index().is_some() {
            (self.threads * PARTS_PER_THREAD).min(groups)
        } else {
            1
        };
        self.snapshot(parts);
        let width = ROW;
        let rows = teams.map(|r| {
            let at = r.len();
            r.resize(at + n_teams * width, 0.0);
            &mut r[at..]
        });
        let blocks = rng::blocks_for(WORDS_PER_PROFESSIONAL * self.team_size);
        let ctx = Tick {
            p: &self.p,
            pops: &self.pops,
            key: &self.key_words,
            social: &self.social,
            ties: &self.ties,
            peers: self.peers,
            tick,
            turbulent,
            blocks,
            isa: self.isa,
            prefetch: self.len() >= PREFETCH_FROM,
        };
        self.scratch.resize_with(parts, Scratch::default);
        self.group_sums.resize(groups, [0.0; m::LEN]);
        let all = all_teams!(self);
        for s in &mut self.scratch {
            s.size(self.team_size, blocks);
        }
        let counts = split(&ctx, all, &mut self.scratch, &mut self.group_sums, rows);
        self.exits += counts.exits;
        self.revocations += counts.revocations;
        self.observation()
    }

    /// The organisation's observation from the group sums.
    fn observation(&self) -> TickObservation {
        let mut sums: TickObservation = [0.0; m::LEN];
        for g in &self.group_sums {
            for (s, x) in sums.iter_mut().zip(g) {
                *s += x;
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
    fn snapshot(&mut self, parts: usize) {
        fn fill(x: &mut [Social], m: &[f64], d: &[f64], s: &[f64]) {
            for (((x, m), d), s) in x.iter_mut().zip(m).zip(d).zip(s) {
                *x = Social([*m, *d, *s, 0.0]);
            }
        }
        if parts > 1 {
            // Copies, so the split changes no value.
            use rayon::prelude::*;
            let chunk = self.len().div_ceil(parts).max(1);
            self.social
                .par_chunks_mut(chunk)
                .zip(self.meaning.par_chunks(chunk))
                .zip(self.drive.par_chunks(chunk))
                .zip(self.safety.par_chunks(chunk))
                .for_each(|(((x, m), d), s)| fill(x, m, d, s));
        } else {
            fill(&mut self.social, &self.meaning, &self.drive, &self.safety);
        }
    }
}

/// Steps `teams` in as many parts as there are scratch spaces, half of them
/// on another thread of the current rayon pool, recursively. Each part is
/// whole groups: `sums` has one entry per group, `rows` one row per team.
fn split(
    ctx: &Tick<'_>,
    teams: Teams<'_>,
    scratch: &mut [Scratch],
    sums: &mut [TeamSums],
    rows: Option<&mut [f64]>,
) -> Counts {
    if scratch.len() <= 1 {
        return part(ctx, teams, &mut scratch[0], sums, rows);
    }
    let half = scratch.len() / 2;
    let left_groups = sums.len() * half / scratch.len();
    let left_teams = (left_groups * GROUP).min(teams.len());
    let (ta, tb) = teams.split_at(left_teams);
    let (sa, sb) = scratch.split_at_mut(half);
    let (ga, gb) = sums.split_at_mut(left_groups);
    let (ra, rb) = match rows {
        Some(r) => {
            let (a, b) = r.split_at_mut(left_teams * ROW);
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    let (a, b) = rayon::join(|| split(ctx, ta, sa, ga, ra), || split(ctx, tb, sb, gb, rb));
    a + b
}

/// One part of the tick, in the build of the tick's instruction set.
fn part(
    ctx: &Tick<'_>,
    teams: Teams<'_>,
    scratch: &mut Scratch,
    sums: &mut [TeamSums],
    rows: Option<&mut [f64]>,
) -> Counts {
    match ctx.isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            // SAFETY: `Isa::Avx2` is chosen only when the processor reports
            // AVX2 (`lanes::isa`, `Organisation::set_isa`).
            unsafe { part_avx2(ctx, teams, scratch, sums, rows) }
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => {
            // SAFETY: `Isa::Avx512` is chosen only when the processor
            // reports AVX-512F (`lanes::isa`, `Organisation::set_isa`).
            unsafe { part_avx512(ctx, teams, scratch, sums, rows) }
        }
        _ => part_lanes::<false>(ctx, teams, scratch, sums, rows),
    }
}

/// [`part_lanes`] compiled with AVX-512F, eight lanes at a time (the same
/// bits: one IEEE operation per lane, sums added vector by vector).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn part_avx512(
    ctx: &Tick<'_>,
    teams: Teams<'_>,
    scratch: &mut Scratch,
    sums: &mut [TeamSums],
    rows: Option<&mut [f64]>,
) -> Counts {
    part_lanes::<true>(ctx, teams, scratch, sums, rows)
}

/// [`part_lanes`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn part_avx2(
    ctx: &Tick<'_>,
    teams: Teams<'_>,
    scratch: &mut Scratch,
    sums: &mut [TeamSums],
    rows: Option<&mut [f64]>,
) -> Counts {
    part_lanes::<false>(ctx, teams, scratch, sums, rows)
}

/// Steps whole groups of teams: the group's words in bulk, then team after
/// team; each team's tally is added to its group's sum and written to its
/// row when rows are recorded.
#[inline(always)]
fn part_lanes<const WIDE: bool>(
    ctx: &Tick<'_>,
    mut teams: Teams<'_>,
    scratch: &mut Scratch,
    sums: &mut [TeamSums],
    mut rows: Option<&mut [f64]>,
) -> Counts {
    let width = ROW;
    let per_team = 16 * ctx.blocks;
    let mut counts = Counts::default();
    let mut tally: TeamSums = [0.0; m::LEN];
    for (g, sum) in sums.iter_mut().enumerate() {
        let first = g * GROUP;
        let n = (teams.len() - first).min(GROUP);
        let words = &mut scratch.words[..n * per_team];
        rng::team_words(ctx.key, ctx.tick, teams.first + first, n, ctx.blocks, words);
        *sum = [0.0; m::LEN];
        for t in 0..n {
            let jt = first + t;
            let words = &scratch.words[t * per_team..(t + 1) * per_team];
            // The manager of tick t (a revocation in phase C replaces it).
            let levers = teams.levers[jt];
            counts = counts
                + step_team::<WIDE>(ctx, &mut teams, jt, words, &mut scratch.lanes, &mut tally);
            for (s, x) in sum.iter_mut().zip(&tally) {
                *s += x;
            }
            if let Some(r) = rows.as_deref_mut() {
                team_row(
                    ctx.tick,
                    &teams,
                    jt,
                    &tally,
                    &levers,
                    &mut r[jt * width..(jt + 1) * width],
                );
            }
        }
    }
    counts
}

/// Team `jt`'s row of `teams.csv` from its tally and the levers of its
/// manager during the tick.
fn team_row(tick: u32, t: &Teams<'_>, jt: usize, tally: &TeamSums, lv: &Levers, row: &mut [f64]) {
    let ts = t.team_size as f64;
    row[0] = f64::from(tick);
    row[1] = (t.first + jt) as f64;
    for ((out, x), metric) in row[2..].iter_mut().zip(tally).zip(&m::METRICS) {
        *out = match metric.tally {
            Tally::Professionals => x / ts,
            Tally::Managers | Tally::Counter | Tally::Direct => *x,
        };
    }
    row[2 + m::EXITS] = t.team_exits[jt] as f64;
    row[2 + m::REVOCATIONS] = t.team_revocations[jt] as f64;
    row[2 + m::LEN..].copy_from_slice(&lv.values());
}

/// Phases A, B and C for team `jt` of `t`, whose bulk words are `words`;
/// writes the team's tally and returns its events.
#[inline(always)]
fn step_team<const WIDE: bool>(
    ctx: &Tick<'_>,
    t: &mut Teams<'_>,
    jt: usize,
    words: &[u32],
    s: &mut TeamScratch,
    tally: &mut TeamSums,
) -> Counts {
    let p = ctx.p;
    let ts = t.team_size;
    let (j, lo) = (t.first + jt, jt * ts);
    let (lv, big_l, e_m) = (t.levers[jt], t.licence[jt], t.effects[jt]);
    let c = TeamConsts {
        frame: TeamFrame::new(p.coupling, &lv, big_l, t.perf[jt]),
        c_conn: 0.5 * (1.0 + lv.connection),
        c_en: 0.5 * (1.0 + lv.energy),
        w: p.w,
        one_w: 1.0 - p.w,
        purpose_target: big_l * lv.rationale,
        alpha: p.alpha,
        alpha_standard: p.alpha * 0.2,
        e_m,
        effect: lv.effect,
        learn_half: p.learn * 0.5,
        cynicism_rate: p.cynicism_rate,
        meaning_dynamics: p.meaning_dynamics,
        exit_base: p.exit_base,
        exit_sensitivity: p.exit_sensitivity,
        engagement_floor: p.engagement_floor,
    };
    peer_means(ctx, j * ts, ts, &mut s.peer);
    let mut more = More::new(
        ctx.key,
        j,
        ctx.tick,
        ctx.blocks,
        &words[WORDS_PER_PROFESSIONAL * ts..],
    );
    rng::fill_normals(&words[..6 * ts], p.noise, &mut s.noise, &mut more);
    let turnover = &words[6 * ts..7 * ts];
    s.sums = Sums::zero();
    let places = Places::of(t, lo, &s.peer, &s.noise, turnover, &mut s.leave);
    match p.coupling {
        Coupling::ZeroSum => kernel::team::<WIDE>(&c, Coupling::ZeroSum, places, &mut s.sums),
        Coupling::FreedomSafety => {
            kernel::team::<WIDE>(&c, Coupling::FreedomSafety, places, &mut s.sums)
        }
    }
    for (x, lanes) in tally.iter_mut().zip(&s.sums.tally) {
        *x = lanes.sum();
    }
    tally[m::EFFECTS] = e_m;
    tally[m::LICENCE] = big_l;
    let (adjust, trust) = (s.sums.adjust.sum(), s.sums.trust.sum());
    phase_c(ctx, t, jt, tally, adjust, trust, &s.leave, &mut more)
}

/// Peer means of tick t (one's own values without ties) of professionals
/// `lo .. lo + ts` into `out`: meaning, drive, safety, `ts` apart. A peer's
/// three values are read as one aligned vector of four (the fourth is not
/// used). In large organisations the peers of a team further on are
/// fetched into the cache meanwhile.
#[inline(always)]
fn peer_means(ctx: &Tick<'_>, lo: usize, ts: usize, out: &mut [f64]) {
    let k_peers = ctx.peers;
    let (mn, rest) = out.split_at_mut(ts);
    let (d, s) = rest.split_at_mut(ts);
    let hi = lo + ts;
    if k_peers == 0 {
        for (k, v) in ctx.social[lo..hi].iter().enumerate() {
            [mn[k], d[k], s[k], _] = v.0;
        }
        return;
    }
    if ctx.prefetch {
        let ahead = lo + PREFETCH_TEAMS * ts;
        if let Some(next) = ctx.ties.get(ahead * k_peers..(ahead + ts) * k_peers) {
            for &t in next {
                if let Some(v) = ctx.social.get(t as usize) {
                    prefetch(v);
                }
            }
        }
    }
    let social = ctx.social;
    let inv = F4::splat(1.0 / k_peers as f64);
    let ties = ctx.ties[lo * k_peers..hi * k_peers].chunks_exact(k_peers);
    for (k, mine) in ties.enumerate() {
        let mut sum = F4::splat(0.0);
        for &t in mine {
            sum = sum + F4(social[t as usize].0);
        }
        let [a, b, c, _] = (sum * inv).0;
        mn[k] = a;
        d[k] = b;
        s[k] = c;
    }
}

/// Phase C for team `jt` of `t`: performance, licence (revocation and
/// replacement), turbulence, turnover; draws from `r`, the team's words
/// past its bulk.
#[allow(clippy::too_many_arguments)]
fn phase_c<W: Words>(
    ctx: &Tick<'_>,
    t: &mut Teams<'_>,
    jt: usize,
    tally: &TeamSums,
    adjust: f64,
    trust_sum: f64,
    leave: &[bool],
    r: &mut W,
) -> Counts {
    let p = ctx.p;
    let ts = t.team_size;
    let inv_ts = 1.0 / ts as f64;
    let (lv, big_l, e_m) = (t.levers[jt], t.licence[jt], t.effects[jt]);
    // Phase B, manager: communicative adjustment of the effects.
    let mut e_new = clamp01(e_m + p.alpha * lv.listening * adjust * inv_ts);
    t.perf[jt] = tally[m::ESSENTIAL] * inv_ts;
    let l_new = clamp01(big_l + p.licence_rate * (trust_sum * inv_ts - big_l));
    t.licence[jt] = l_new;
    t.below[jt] = if l_new < p.revoke_below {
        t.below[jt] + 1
    } else {
        0
    };
    let mut counts = Counts::default();
    if t.below[jt] >= p.replace_after {
        let (means, sd) = ctx.pops.team_profile[t.first + jt];
        t.levers[jt] = draw_levers(r, &means, sd);
        t.licence[jt] = p.licence0;
        t.below[jt] = 0;
        e_new = p.effects0;
        t.trust[jt * ts..(jt + 1) * ts].fill(0.5);
        counts.revocations += 1;
        t.team_revocations[jt] += 1;
    }
    if ctx.turbulent {
        e_new = clamp01(e_new + 0.2 * rng::normal(r));
    }
    t.effects[jt] = e_new;
    for (k, _) in leave.iter().enumerate().filter(|(_, l)| **l) {
        t.hire(ctx.pops, r, jt * ts + k, 0.3);
        counts.exits += 1;
        t.team_exits[jt] += 1;
    }
    counts
}
