//! March (1991) mutual-learning model: parameters, state, one period of the
//! dynamics, whole runs and their summary.
//!
//! James G. March (1991), "Exploration and exploitation in organizational
//! learning", *Organization Science* 2(1):71–87. The rules follow the
//! "original algorithm" of March's own program, as documented by Rodan (2005),
//! Christensen (2015) and the recreation by M. Workiewicz (2019, which quotes
//! Christensen's note), rather than the paper's text alone (the paper omits
//! the random action of undecided individuals and states code learning in
//! terms of knowledge instead of performance).
//!
//! # The model
//! Steps are numbered as in the specification of this module.
//!
//! 1. **Initial state**: reality is a vector of `m` values in {−1, +1}, each
//!    +1 with probability ½; each of the `n` individuals holds beliefs in
//!    {−1, 0, +1}, uniform; the organisational code starts at all 0.
//!
//! Each period ([`March::step`]) then runs steps 2–6:
//!
//! 2. **Turnover** (only when `turnover > 0`): each individual is replaced,
//!    with probability p3, by a newcomer with fresh uniform beliefs.
//!    **Turbulence** (only when `turbulence > 0`): each dimension of reality
//!    flips with probability p4.
//! 3. **Act**: every individual acts on its beliefs; a 0 belief becomes a fresh
//!    fair coin flip ±1 for this period only. Performance = Σ action·reality;
//!    the code's score = Σ code·reality (0 entries count 0).
//! 4. **Superior group**: the individuals whose performance is strictly
//!    greater than the code's score.
//! 5. **Socialisation** (gradual): on each dimension where the code is not 0
//!    and the belief differs from it, with probability p1 (the individual's
//!    rate: `fast_socialization` for the first `fast_individuals`,
//!    `socialization` for the rest) an opposite belief becomes 0 and a 0
//!    belief becomes the code's value.
//! 6. **Code learning**: on each dimension, S = Σ of the superior group's
//!    *actions* of step 3; where S ≠ 0 and sign(S) differs from the code, the
//!    code jumps to sign(S) with probability 1 − (1 − p2)^|S|.
//!
//! ## Steps 5 and 6 are synchronous
//! Both read the state as it was at the start of step 5: socialisation
//! moves beliefs toward the code *before* this period's code learning, and
//! code learning reads the superior group and its actions fixed in steps 3–4,
//! i.e. *before* this period's socialisation. This is what the original
//! algorithm does: in Watts's NetLogo port of March's BASIC program (supplied
//! by Rodan; Watts & Gilbert 2014, ch. 4) the order is "calculate membership
//! of superior group [and its belief sums] → socialisation → learning", with
//! the comment "I'm surprised March allowed socialization after the
//! superior-group has been determined"; in Workiewicz's recreation following
//! Christensen (2015) the order is "1. individuals act, 2. individuals
//! socialise, 3. organisation learns", learning from the actions recorded in
//! the first of these. Since learning only reads recorded actions and
//! socialisation only reads the code that learning has not yet changed, the
//! sequential order of the sources and a synchronous update are the same
//! thing.
//!
//! (Watts's port of the BASIC code differs from the rules here, which follow
//! Christensen (2015) as recreated by Workiewicz, in three ways: it forms the
//! superior group and S from beliefs (Σ belief·reality, no random action),
//! its code learning is gradual too (−1 → 0 → +1), and turbulence comes
//! before turnover, which only changes the order of draws. Neither of the
//! first two is implemented. With the rules here, 2 000 replications per
//! cell reproduce the Figure 1 means of Workiewicz's 10 000-replication
//! recreation to within 0.005.)
//!
//! ## Equilibrium (step 7; closed organisation, p3 = p4 = 0)
//! After a period, the run has reached equilibrium when (a) no individual
//! could beat the code's score of step 3 even if all its 0 beliefs were lucky
//! (Σ belief·reality + #zeros ≤ that score) and (b) no individual differs from
//! the code on any dimension where the code is not 0. The state is then
//! absorbing: nobody can enter the superior group again and socialisation has
//! nothing left to change. (Using the step-3 score is the documented rule; in
//! the rare period where code learning *lowers* the code's score, the check
//! can accept a state that is not strictly absorbing.) [`run`] stops there,
//! or at `max_periods`. With turnover or turbulence the run always goes to
//! `max_periods`.
//!
//! ## Reported knowledge
//! [`March::knowledge`] is Σ code·reality / m of the *current* state: after
//! `t` calls to `step` it is the code at the end of period `t` (after code
//! learning) against reality as it was during period `t`. For closed runs the
//! summary reports it at equilibrium (or at the cap); for open organisations
//! (p3 > 0 or p4 > 0) it is the value at the last period, `max_periods`.
//!
//! # Randomness
//! All randomness comes from the `&mut R` passed in, consumed in this fixed
//! order, only through `Rng::next_u64`, so the stream does not depend on the
//! value-stability of `rand`'s distributions:
//!
//! - `new`: reality, one draw per dimension (top bit: 1 → +1, 0 → −1); then
//!   the beliefs, row-major (individual by individual, dimension by
//!   dimension), one draw each (⌊3·u/2⁶⁴⌋ − 1).
//! - `step`, in this order (the list numbers are not the step numbers):
//!   1. if `turnover > 0`: per individual one Bernoulli draw; a replaced
//!      individual then takes `m` belief draws as in `new`;
//!   2. if `turbulence > 0`: per dimension one Bernoulli draw;
//!   3. coin flips: one *bit* for every cell of the `n × m` belief matrix
//!      (used only where the belief is 0), ⌈n·m/64⌉ words; the cell of
//!      row-major index `k` takes bit `k mod 64` (least significant first) of
//!      word `⌊k/64⌋`, bit 1 → +1, 0 → −1;
//!   4. socialisation: row-major, one Bernoulli draw per cell where the code
//!      is not 0 and the belief differs from it (also when p1 is 0 or 1);
//!   5. code learning: per dimension where S ≠ 0 and sign(S) ≠ code, one
//!      Bernoulli draw.
//!
//! A Bernoulli draw with probability `p` is `u < ⌊p·2⁶⁴⌋` for `u` the next
//! 64-bit word (always true when `p ≥ 1`, never when `p ≤ 0`).
//!
//! # Preconditions (not checked; the caller validates)
//! `dimensions ≥ 1`, `individuals ≥ 1`, every probability in [0, 1],
//! `fast_individuals ≤ individuals`. Nothing panics outside them: sizes of 0
//! give NaN knowledge, probabilities outside [0, 1] are clamped,
//! `fast_individuals` is clamped to `individuals`.

use rand::Rng;

pub mod metrics;
mod model;
mod params;

pub use model::March1991;

#[cfg(test)]
mod tests;

/// Parameters of March's mutual-learning model (March's names in brackets):
/// the scenario's `[march]` keys and the algorithm's input, one struct with
/// its defaults written once.
#[derive(Debug, Clone, PartialEq)]
pub struct MarchParams {
    /// Number of dimensions of reality `m` (30).
    pub dimensions: u32,
    /// Number of individuals `n` (50).
    pub individuals: u32,
    /// Socialisation rate `p1`: learning of individuals from the code (0.1).
    pub socialization: f64,
    /// Code learning rate `p2`: learning of the code from the superior group (0.5).
    pub code_learning: f64,
    /// Turnover `p3`: per-period probability that an individual is replaced (0).
    pub turnover: f64,
    /// Turbulence `p4`: per-period probability that a dimension of reality flips (0).
    pub turbulence: f64,
    /// The first `fast_individuals` individuals socialise at
    /// `fast_socialization`, the rest at `socialization` (0).
    pub fast_individuals: u32,
    /// Socialisation rate of the fast individuals (0.9).
    pub fast_socialization: f64,
    /// Period cap of a run; `None` resolves to 5000 for a closed
    /// organisation and 100 otherwise ([`MarchParams::resolved_max_periods`]).
    pub max_periods: Option<u32>,
}

impl Default for MarchParams {
    fn default() -> Self {
        Self {
            dimensions: 30,
            individuals: 50,
            socialization: 0.1,
            code_learning: 0.5,
            turnover: 0.0,
            turbulence: 0.0,
            fast_individuals: 0,
            fast_socialization: 0.9,
            max_periods: None,
        }
    }
}

impl MarchParams {
    /// Whether the organisation is closed (no turnover, no turbulence), i.e.
    /// whether a run may stop at equilibrium.
    pub fn is_closed(&self) -> bool {
        let open = |rate: f64| rate > 0.0;
        !open(self.turnover) && !open(self.turbulence)
    }

    /// The cap on periods, with the default resolved: 5000 for a closed
    /// organisation (which stops earlier at equilibrium), else 100.
    pub fn resolved_max_periods(&self) -> u32 {
        self.max_periods
            .unwrap_or(if self.is_closed() { 5000 } else { 100 })
    }
}

/// Threshold of a Bernoulli draw: success iff `u < threshold`, with
/// `u64::MAX` standing for "always".
fn threshold(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else if p > 0.0 {
        // p·2⁶⁴ < 2⁶⁴; the cast saturates at u64::MAX (= always) anyway.
        (p * 18_446_744_073_709_551_616.0) as u64
    } else {
        0 // p ≤ 0 or NaN: never
    }
}

/// One Bernoulli draw (always consumes one word).
#[inline(always)]
fn trial<R: Rng + ?Sized>(rng: &mut R, threshold: u64) -> bool {
    let u = rng.next_u64();
    threshold == u64::MAX || u < threshold
}

/// A uniform value in {−1, 0, +1} (one word).
#[inline(always)]
fn ternary<R: Rng + ?Sized>(rng: &mut R) -> i8 {
    ((u128::from(rng.next_u64()) * 3) >> 64) as i8 - 1
}

/// Σ a·b over two ±1/0 vectors.
#[inline]
fn dot(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x * y)).sum()
}

/// State of one organisation: reality, code, beliefs and reusable scratch.
#[derive(Debug, Clone)]
pub struct March {
    m: usize,
    n: usize,
    /// Reality, `m` values in {−1, +1}.
    reality: Vec<i8>,
    /// Organisational code, `m` values in {−1, 0, +1}.
    code: Vec<i8>,
    /// Beliefs, `n × m` row-major by individual, values in {−1, 0, +1}.
    beliefs: Vec<i8>,
    /// Scratch: this period's actions, `n × m` like `beliefs`.
    actions: Vec<i8>,
    /// Scratch: per dimension, Σ of the superior group's actions.
    superior_sum: Vec<i32>,
    /// Bernoulli thresholds of 1 − (1 − p2)^s for s = 0..=n.
    learn_table: Vec<u64>,
    /// Bits of the p2 `learn_table` was built for.
    learn_p2_bits: u64,
    /// Periods stepped so far.
    period: u32,
    /// Code score used in the last period (step 3, before learning).
    last_code_score: i32,
    /// Size of the last period's superior group.
    last_superior: usize,
}

impl March {
    /// Initial state: random reality, uniform beliefs, code all 0 (see the
    /// module doc for the order of draws).
    pub fn new<R: Rng + ?Sized>(p: &MarchParams, rng: &mut R) -> Self {
        let (m, n) = (p.dimensions as usize, p.individuals as usize);
        let reality = (0..m)
            .map(|_| if rng.next_u64() >> 63 == 1 { 1 } else { -1 })
            .collect();
        let beliefs = (0..n * m).map(|_| ternary(rng)).collect();
        let mut march = Self {
            m,
            n,
            reality,
            code: vec![0; m],
            beliefs,
            actions: vec![0; n * m],
            superior_sum: vec![0; m],
            learn_table: Vec::with_capacity(n + 1),
            learn_p2_bits: 0,
            period: 0,
            last_code_score: 0,
            last_superior: 0,
        };
        march.build_learn_table(p.code_learning);
        march
    }

    fn build_learn_table(&mut self, p2: f64) {
        let keep = 1.0 - p2.clamp(0.0, 1.0);
        self.learn_table.clear();
        self.learn_table
            .extend((0..=self.n).map(|s| threshold(1.0 - keep.powi(s as i32))));
        self.learn_p2_bits = p2.to_bits();
    }

    /// One period (turnover/turbulence, act, superior group, socialisation,
    /// code learning). Returns whether the equilibrium condition holds after
    /// it (only meaningful when p3 = p4 = 0).
    ///
    /// The rates (p1, p2, p3, p4, `fast_individuals`, `fast_socialization`)
    /// are read from `p` every period, so they may change between periods;
    /// the sizes are fixed at construction and `p.dimensions` /
    /// `p.individuals` are ignored here.
    pub fn step<R: Rng + ?Sized>(&mut self, p: &MarchParams, rng: &mut R) -> bool {
        let (m, n) = (self.m, self.n);
        self.period = self.period.saturating_add(1);
        if m == 0 {
            self.last_code_score = 0;
            self.last_superior = 0;
            return true;
        }

        // 2. Turnover, then turbulence.
        if p.turnover > 0.0 {
            let thr = threshold(p.turnover);
            for row in self.beliefs.chunks_exact_mut(m) {
                if trial(rng, thr) {
                    for b in row {
                        *b = ternary(rng);
                    }
                }
            }
        }
        if p.turbulence > 0.0 {
            let thr = threshold(p.turbulence);
            for r in &mut self.reality {
                if trial(rng, thr) {
                    *r = -*r;
                }
            }
        }

        // 3–4. Act (one coin bit per cell, branch-free), score, superior
        // group and its action sums.
        for (acts, bels) in self.actions.chunks_mut(64).zip(self.beliefs.chunks(64)) {
            let word = rng.next_u64();
            for (k, (a, &b)) in acts.iter_mut().zip(bels).enumerate() {
                let coin = 2 * ((word >> k) & 1) as i8 - 1;
                *a = if b != 0 { b } else { coin };
            }
        }
        let code_score = dot(&self.code, &self.reality);
        self.superior_sum.fill(0);
        let mut superior = 0;
        for act in self.actions.chunks_exact(m) {
            if dot(act, &self.reality) > code_score {
                superior += 1;
                for (s, &a) in self.superior_sum.iter_mut().zip(act) {
                    *s += i32::from(a);
                }
            }
        }

        // 5. Socialisation toward the code as it was at the start of the period.
        let fast = (p.fast_individuals as usize).min(n);
        let thr_slow = threshold(p.socialization);
        let thr_fast = threshold(p.fast_socialization);
        for (i, row) in self.beliefs.chunks_exact_mut(m).enumerate() {
            let thr = if i < fast { thr_fast } else { thr_slow };
            // Blocks of up to 64 dimensions: a mask of the cells that may
            // change, then one draw per set bit, lowest dimension first.
            for (bels, code) in row.chunks_mut(64).zip(self.code.chunks(64)) {
                let mut mask = 0u64;
                for (k, (&b, &c)) in bels.iter().zip(code).enumerate() {
                    mask |= u64::from(c != 0 && b != c) << k;
                }
                while mask != 0 {
                    let k = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    let (b, c) = (bels[k], code[k]);
                    let moved = if b == 0 { c } else { 0 };
                    bels[k] = if trial(rng, thr) { moved } else { b };
                }
            }
        }

        // 6. Code learning from the superior group's actions of step 3.
        if p.code_learning.to_bits() != self.learn_p2_bits {
            self.build_learn_table(p.code_learning);
        }
        if superior > 0 {
            for (c, &s) in self.code.iter_mut().zip(&self.superior_sum) {
                if s != 0 {
                    let sign = if s > 0 { 1 } else { -1 };
                    // |s| ≤ superior ≤ n, so the index is in the table.
                    if sign != *c && trial(rng, self.learn_table[s.unsigned_abs() as usize]) {
                        *c = sign;
                    }
                }
            }
        }

        self.last_code_score = code_score;
        self.last_superior = superior;
        self.equilibrium_with(code_score)
    }

    /// The equilibrium condition against a given code score.
    fn equilibrium_with(&self, code_score: i32) -> bool {
        if self.m == 0 {
            return true;
        }
        self.beliefs.chunks_exact(self.m).all(|row| {
            let mut best = 0i32;
            for ((&b, &r), &c) in row.iter().zip(&self.reality).zip(&self.code) {
                if c != 0 && b != c {
                    return false;
                }
                best += if b == 0 { 1 } else { i32::from(b * r) };
            }
            best <= code_score
        })
    }

    /// Code score / m: Σ code·reality / m, in [−1, 1] (NaN when m = 0).
    pub fn knowledge(&self) -> f64 {
        f64::from(dot(&self.code, &self.reality)) / self.m as f64
    }

    /// Share of dimensions where the code equals reality (NaN when m = 0).
    pub fn code_correct(&self) -> f64 {
        let hits = self
            .code
            .iter()
            .zip(&self.reality)
            .filter(|(c, r)| c == r)
            .count();
        hits as f64 / self.m as f64
    }

    /// Mean over individuals of Σ belief·reality / m (NaN when n = 0 or m = 0).
    pub fn individual_knowledge(&self) -> f64 {
        self.individual_knowledge_range(0..self.n)
    }

    /// Mean over individuals `range` of Σ belief·reality / m. The range is
    /// clamped to `0..n`; an empty range gives NaN (e.g. the fast group when
    /// `fast_individuals = 0`).
    pub fn individual_knowledge_range(&self, range: std::ops::Range<usize>) -> f64 {
        let end = range.end.min(self.n);
        let start = range.start.min(end);
        let total: i64 = self.beliefs[start * self.m..end * self.m]
            .iter()
            .zip(self.reality.iter().cycle())
            .map(|(&b, &r)| i64::from(b * r))
            .sum();
        total as f64 / ((end - start) * self.m) as f64
    }

    /// Periods stepped so far.
    pub fn period(&self) -> u32 {
        self.period
    }

    /// Number of dimensions `m`.
    pub fn dimensions(&self) -> usize {
        self.m
    }

    /// Number of individuals `n`.
    pub fn individuals(&self) -> usize {
        self.n
    }

    /// Reality, `m` values in {−1, +1}.
    pub fn reality(&self) -> &[i8] {
        &self.reality
    }

    /// The organisational code, `m` values in {−1, 0, +1}.
    pub fn code(&self) -> &[i8] {
        &self.code
    }

    /// All beliefs, `n × m` row-major by individual, values in {−1, 0, +1}.
    pub fn beliefs(&self) -> &[i8] {
        &self.beliefs
    }

    /// Size of the last period's superior group (0 before the first step).
    pub fn superior_count(&self) -> usize {
        self.last_superior
    }

    /// Code score (Σ code·reality) that the last period compared against
    /// (step 3), i.e. before that period's code learning (0 before the first step).
    pub fn last_code_score(&self) -> i32 {
        self.last_code_score
    }

    /// Summary of the current state; `periods` is [`March::period`], the fast
    /// group is `0..p.fast_individuals` (clamped), the slow group the rest.
    pub fn summary(&self, p: &MarchParams, capped: bool) -> MarchSummary {
        let fast = (p.fast_individuals as usize).min(self.n);
        MarchSummary {
            knowledge: self.knowledge(),
            code_correct: self.code_correct(),
            individual_knowledge: self.individual_knowledge(),
            periods: self.period,
            capped,
            fast_knowledge: self.individual_knowledge_range(0..fast),
            slow_knowledge: self.individual_knowledge_range(fast..self.n),
        }
    }
}

/// End of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarchSummary {
    /// [`March::knowledge`] at the end: at equilibrium for a closed run that
    /// reached it, otherwise at the last period (`max_periods`).
    pub knowledge: f64,
    /// [`March::code_correct`] at the end.
    pub code_correct: f64,
    /// [`March::individual_knowledge`] at the end.
    pub individual_knowledge: f64,
    /// Periods run.
    pub periods: u32,
    /// True when the run stopped at `max_periods` rather than at equilibrium
    /// (always true for open organisations).
    pub capped: bool,
    /// Individual knowledge of the fast socialisers (NaN when there are none).
    pub fast_knowledge: f64,
    /// Individual knowledge of the other individuals (NaN when there are none).
    pub slow_knowledge: f64,
}

/// Runs to equilibrium (closed organisations only) or to `max_periods`,
/// calling `observe(period, &march)` after every period (period 1 is the
/// state after the first step).
pub fn run<R: Rng + ?Sized>(
    p: &MarchParams,
    rng: &mut R,
    mut observe: impl FnMut(u32, &March),
) -> MarchSummary {
    let mut march = March::new(p, rng);
    let closed = p.is_closed();
    let mut capped = true;
    let max_periods = p.resolved_max_periods();
    while march.period() < max_periods {
        let equilibrium = march.step(p, rng);
        observe(march.period(), &march);
        if closed && equilibrium {
            capped = false;
            break;
        }
    }
    march.summary(p, capped)
}
