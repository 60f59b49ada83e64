//! Random streams: every random number of a run comes from one ChaCha8 key
//! derived from the master seed and the replicate number.
//!
//! The derivation (documented in `docs/ODD.md`, "Stochasticity"):
//!
//! - `run_seed = splitmix64(splitmix64(master_seed) ^ replicate)`; this is the
//!   `seed` column of `runs.csv`. The design point does not enter it, so
//!   replicate `r` meets the same random numbers at every design point
//!   (common random numbers: conditions are compared on paired runs).
//! - The run's ChaCha8 key is four successive SplitMix64 outputs of
//!   `run_seed`, little-endian.
//! - Within the run, ChaCha's 64-bit stream id separates purposes: stream 0
//!   builds the organisation, stream `1 + j` serves team `j`, and the last
//!   stream serves organisation-wide events. A stream is positioned at word
//!   `tick · 2³²` at the start of each tick, so what a team draws in one tick
//!   never shifts what it draws in the next, and teams can be stepped in any
//!   order or in parallel with the same result.
//! - The team streams of a tick are read in bulk ([`team_words`]): team
//!   `j`'s words of tick `t` are ChaCha8 blocks `t · 2²⁸ + b` of stream
//!   `1 + j`, computed several teams at a time by `rng::chacha`; a team reads
//!   the words past its bulk through [`More`].

mod chacha;

use crate::lanes::{F4, Real};
use rand::{Rng as _, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;
use std::convert::Infallible;

/// The generator used everywhere in the engine: a ChaCha8 stream drawn one
/// 32-bit word at a time (a 64-bit draw takes two words, low word first).
#[derive(Clone, Debug)]
pub struct Rng {
    chacha: ChaCha8Rng,
}

impl Rng {
    fn new(chacha: ChaCha8Rng) -> Self {
        Rng { chacha }
    }

    /// The next 32-bit word.
    #[inline(always)]
    pub fn word(&mut self) -> u32 {
        self.chacha.next_u32()
    }
}

/// A source of 32-bit words: the draws below take their bits from one.
pub trait Words {
    /// The next word.
    fn word(&mut self) -> u32;
}

impl Words for Rng {
    #[inline(always)]
    fn word(&mut self) -> u32 {
        self.chacha.next_u32()
    }
}

impl TryRng for Rng {
    type Error = Infallible;

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = u64::from(self.word());
        Ok(lo | u64::from(self.word()) << 32)
    }

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.word())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let x = self.word().to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}

/// Stream that builds the organisation (traits, levers, network).
pub const SETUP_STREAM: u64 = 0;
/// Stream of organisation-wide events (turbulence).
pub const ORG_STREAM: u64 = u64::MAX;

/// The stream of team `j`.
pub fn team_stream(j: usize) -> u64 {
    1 + j as u64
}
/// Stream of the sample designs of sweeps.
const DESIGN_STREAM: u64 = 0x0053_5745_4550; // "SWEEP"
/// Stream of sensitivity designs and bootstraps.
pub const SENSITIVITY_STREAM: u64 = 0x5345_4e53; // "SENS"

/// Ziggurat tables for the standard normal (Marsaglia & Tsang 2000, 256
/// layers; the layout of Doornik 2005): `x[0]` is the base layer's pseudo
/// width, `x[1] = R`, `x[256] = 0`, `f[i] = exp(−x[i]²/2)`. Built once from
/// `libm`'s pure-Rust `exp`/`log`, so they are the same bits on every
/// machine.
pub struct Ziggurat {
    x: [f64; 257],
    /// `x[i] · 2⁻²³`: a signed 24-bit integer times this is `u · x[i]`.
    xs: [f64; 257],
    f: [f64; 257],
    /// `(xs[i], x[i + 1])`: what the fast path of layer i reads, in one
    /// 16-byte load.
    fast: [[f64; 2]; 256],
}

/// Start of the tail.
const ZIG_R: f64 = 3.654_152_885_361_009;
/// Area of each layer.
const ZIG_V: f64 = 0.004_928_673_233_99;

/// The ziggurat tables (built on first use).
pub fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let pdf = |x: f64| libm::exp(-0.5 * x * x);
        let mut x = [0.0; 257];
        x[0] = ZIG_V / pdf(ZIG_R);
        x[1] = ZIG_R;
        for i in 2..256 {
            x[i] = libm::sqrt(-2.0 * libm::log(ZIG_V / x[i - 1] + pdf(x[i - 1])));
        }
        x[256] = 0.0;
        let mut f = [0.0; 257];
        for i in 0..257 {
            f[i] = pdf(x[i]);
        }
        let xs = x.map(|v| v * (1.0 / 8_388_608.0));
        let fast = std::array::from_fn(|i| [xs[i], x[i + 1]]);
        Ziggurat { x, xs, f, fast }
    })
}

/// A uniform draw in [0, 1) with 53 random bits (two words, low first).
#[inline(always)]
pub fn uniform<W: Words + ?Sized>(rng: &mut W) -> f64 {
    let lo = u64::from(rng.word());
    let bits = lo | u64::from(rng.word()) << 32;
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The uniform in [0, 1) of one 32-bit word: enough to decide events with
/// probabilities above 1e-9.
#[inline(always)]
pub fn uniform32(word: u32) -> f64 {
    f64::from(word) * (1.0 / 4_294_967_296.0)
}

/// The layer index and the signed position of one 32-bit word: the low 8
/// bits choose the layer, the high 24 bits are a signed integer k in
/// [−2²³, 2²³), the point u = k · 2⁻²³ in [−1, 1) (a resolution far finer
/// than any use of the draws here).
#[inline(always)]
fn layer(bits: u32) -> (usize, f64) {
    ((bits & 0xff) as usize, f64::from((bits as i32) >> 8))
}

/// A standard normal draw (ziggurat). The fast path, taken about 99% of the
/// time, costs one 32-bit word, a multiply and a compare.
#[inline(always)]
pub fn normal<W: Words + ?Sized>(rng: &mut W) -> f64 {
    let z = ziggurat();
    normal_of(rng.word(), z, rng)
}

/// The normal draw whose first word is `word`; words beyond it, when the
/// draw leaves the fast path, come from `more`.
#[inline(always)]
fn normal_of<W: Words + ?Sized>(word: u32, z: &Ziggurat, more: &mut W) -> f64 {
    let (i, k) = layer(word);
    let [xs, edge] = z.fast[i];
    let x = k * xs;
    if x.abs() < edge {
        return x;
    }
    normal_slow(more, z, i, k, x)
}

/// Normal draws times `scale` into `out`, one per word of `words` (of the
/// same length): draw i starts with `words[i]`; a draw that leaves the
/// ziggurat's fast path (about 1 in 80) continues on `more`, draws in index
/// order. The fast path runs in lanes of four (the table reads stay
/// scalar); its bits are those of [`normal`] on the same words.
#[inline(always)]
pub fn fill_normals<W: Words>(words: &[u32], scale: f64, out: &mut [f64], more: &mut W) {
    let z = ziggurat();
    let n = words.len();
    let out = &mut out[..n];
    let (body, tail) = words.split_at(n - n % 4);
    for (w, o) in body.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
        let layers: [usize; 4] = crate::each_lane!(l => (w[l] & 0xff) as usize);
        let k = F4(crate::each_lane!(l => f64::from((w[l] as i32) >> 8)));
        let x = k * F4(crate::each_lane!(l => z.fast[layers[l]][0]));
        let fast = x.abs().lt(F4(crate::each_lane!(l => z.fast[layers[l]][1])));
        (x * F4::splat(scale)).store(o);
        if fast.0 != [u64::MAX; 4] {
            for l in 0..4 {
                if !fast.lane(l) {
                    o[l] = normal_slow(more, z, layers[l], k.0[l], x.0[l]) * scale;
                }
            }
        }
    }
    let at = body.len();
    for (w, o) in tail.iter().zip(&mut out[at..]) {
        *o = normal_of(*w, z, more) * scale;
    }
}

/// The wedges and the tail of the ziggurat.
#[cold]
fn normal_slow<W: Words + ?Sized>(
    rng: &mut W,
    z: &Ziggurat,
    mut i: usize,
    mut k: f64,
    mut x: f64,
) -> f64 {
    loop {
        if i == 0 {
            // Tail beyond R (Marsaglia 1964).
            loop {
                let a = libm::log(1.0 - uniform(rng)) / ZIG_R;
                let b = libm::log(1.0 - uniform(rng));
                if -2.0 * b >= a * a {
                    return if k < 0.0 { a - ZIG_R } else { ZIG_R - a };
                }
            }
        }
        if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * uniform(rng) < libm::exp(-0.5 * x * x) {
            return x;
        }
        (i, k) = layer(rng.word());
        x = k * z.xs[i];
        if x.abs() < z.x[i + 1] {
            return x;
        }
    }
}

/// Blocks of 16 words each team reads in bulk at a tick, to hold `words`
/// words.
pub fn blocks_for(words: usize) -> usize {
    words.div_ceil(16)
}

/// The bulk words of teams `first .. first + teams` at `tick`: `blocks`
/// ChaCha8 blocks per team (the start of each team's stream at the tick,
/// word `tick · 2³²`), team after team, into `out`. Computed eight blocks
/// at a time across teams.
#[inline(always)]
pub fn team_words(
    key: &[u32; 8],
    tick: u32,
    first: usize,
    teams: usize,
    blocks: usize,
    out: &mut [u32],
) {
    use chacha::LANES;
    let total = teams * blocks;
    let out = &mut out[..16 * total];
    let base = u64::from(tick) << 28;
    let mut streams = [0u64; LANES];
    let mut counters = [0u64; LANES];
    let mut buf = [[0u32; 16]; LANES];
    for (n, chunk) in out.chunks_mut(16 * LANES).enumerate() {
        for l in 0..LANES {
            // Lanes past the last block compute a block nobody reads.
            let at = (n * LANES + l).min(total - 1);
            streams[l] = team_stream(first + at / blocks);
            counters[l] = base + (at % blocks) as u64;
        }
        chacha::blocks(key, &streams, &counters, &mut buf);
        for (dst, src) in chunk.chunks_exact_mut(16).zip(&buf) {
            dst.copy_from_slice(src);
        }
    }
}

/// The words of a team's stream past those read in bulk: first the rest
/// of the bulk words, then further blocks of the stream, one at a time.
pub struct More<'a> {
    rest: &'a [u32],
    key: &'a [u32; 8],
    stream: u64,
    next: u64,
    buf: [u32; 16],
    at: usize,
}

impl<'a> More<'a> {
    /// Team `j`'s words at `tick` after `rest`, the unread end of its
    /// `blocks` bulk blocks.
    pub fn new(key: &'a [u32; 8], j: usize, tick: u32, blocks: usize, rest: &'a [u32]) -> Self {
        More {
            rest,
            key,
            stream: team_stream(j),
            next: (u64::from(tick) << 28) + blocks as u64,
            buf: [0; 16],
            at: 16,
        }
    }
}

impl Words for More<'_> {
    #[inline]
    fn word(&mut self) -> u32 {
        if let Some((&w, rest)) = self.rest.split_first() {
            self.rest = rest;
            return w;
        }
        if self.at == 16 {
            self.buf = chacha::block(self.key, self.stream, self.next);
            self.next += 1;
            self.at = 0;
        }
        self.at += 1;
        self.buf[self.at - 1]
    }
}

/// The ChaCha8 key of a run as eight words (for [`team_words`]).
pub fn key_words(key: &[u8; 32]) -> [u32; 8] {
    chacha::key_words(key)
}

/// One step of SplitMix64 (Steele, Lea & Flood 2014): a bijective mixer.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replicate `replicate` (the same at every design point).
pub fn run_seed(master_seed: u64, replicate: u32) -> u64 {
    splitmix64(splitmix64(master_seed) ^ u64::from(replicate))
}

/// The ChaCha8 key of a run.
pub fn run_key(run_seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    let mut x = run_seed;
    for chunk in key.chunks_exact_mut(8) {
        x = splitmix64(x);
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    key
}

/// The generator of `stream` positioned at the start of `tick`.
pub fn stream(key: &[u8; 32], stream: u64, tick: u32) -> Rng {
    let mut chacha = ChaCha8Rng::from_seed(*key);
    chacha.set_stream(stream);
    if tick > 0 {
        chacha.set_word_pos(u128::from(tick) << 32);
    }
    Rng::new(chacha)
}

/// The generator of a sweep's sample design.
pub fn design_rng(master_seed: u64) -> Rng {
    stream(&run_key(splitmix64(master_seed)), DESIGN_STREAM, 0)
}

/// The seed of sensitivity designs and bootstraps.
pub fn sensitivity_seed(master_seed: u64) -> u64 {
    splitmix64(master_seed ^ SENSITIVITY_STREAM)
}

/// Tag of calibration seeds ("CALIB").
const CALIBRATE_TAG: u64 = 0x0043_414c_4942;
/// ChaCha stream of a calibration attempt's proposal.
pub const CALIBRATE_STREAM: u64 = 0x4341_4c49; // "CALI"

/// The seed of one attempt of a calibration: `attempt` of `particle` in
/// `generation` (generation `u32::MAX` is the prior sample that sets the
/// first tolerance, `u32::MAX − 1` the posterior-predictive draws). The
/// attempt's proposal draws from [`seeded`]`(seed, CALIBRATE_STREAM)`; its
/// replicate r runs with [`run_seed`]`(seed, r)`. Every number of a
/// calibration depends on these keys only, never on which thread ran what.
pub fn calibrate_seed(master_seed: u64, generation: u32, particle: u32, attempt: u32) -> u64 {
    let g = splitmix64(splitmix64(master_seed ^ CALIBRATE_TAG) ^ u64::from(generation));
    splitmix64(splitmix64(g ^ u64::from(particle)) ^ u64::from(attempt))
}

/// The generator of analyses that take a plain 64-bit seed (sensitivity
/// designs and bootstraps): ChaCha8 seeded from `seed` (rand's
/// `seed_from_u64`), on ChaCha stream `stream`.
pub fn seeded(seed: u64, stream: u64) -> Rng {
    let mut chacha = ChaCha8Rng::seed_from_u64(seed);
    chacha.set_stream(stream);
    Rng::new(chacha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference() {
        // First outputs of SplitMix64 seeded with 0 (reference implementation:
        // x += golden; mix(x)).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ziggurat_tables_close_at_zero() {
        let z = ziggurat();
        // The recursion must land on the top layer: x[255] small, and the
        // top layer's area x[255]·(1 − f[255]) equal to the others' V.
        assert!(z.x[255] > 0.0 && z.x[255] < 0.3, "{}", z.x[255]);
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top - ZIG_V).abs() < 1e-9, "top layer area {top}");
        assert!(z.x.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn normal_draws_are_standard_normal() {
        // Kolmogorov–Smirnov against Φ with 200 000 draws: the 0.1% critical
        // value is 1.95 / √n.
        let n = 200_000;
        let mut r = stream(&run_key(7), 3, 0);
        let mut x: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
        x.sort_by(f64::total_cmp);
        let phi = |v: f64| 0.5 * libm::erfc(-v / std::f64::consts::SQRT_2);
        let d = x
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let c = phi(v);
                (c - k as f64 / n as f64)
                    .abs()
                    .max(((k + 1) as f64 / n as f64 - c).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / (n as f64).sqrt(), "KS distance {d}");
        let tail = x.iter().filter(|v| v.abs() > ZIG_R).count() as f64 / n as f64;
        // P(|Z| > 3.654) = 2.58e-4; with n = 2e5 expect ~52.
        assert!(tail > 1e-4 && tail < 5e-4, "tail share {tail}");
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.015,
            "mean {mean}, variance {var}"
        );
    }

    #[test]
    fn bulk_normals_are_the_draws_one_at_a_time() {
        // fill_normals in lanes against normal() on the same words, over
        // enough draws that many leave the fast path (wedges and tail), and
        // over lengths that are and are not multiples of four.
        let mut r = stream(&run_key(11), 5, 1);
        for len in [0usize, 1, 3, 4, 7, 64, 1001, 20_000] {
            let words: Vec<u32> = (0..len).map(|_| r.word()).collect();
            let extra: Vec<u32> = (0..4 * len + 64).map(|_| r.word()).collect();
            let mut bulk_more = extra.iter().copied();
            let mut bulk_src = FromIter(&mut bulk_more);
            let mut out = vec![0.0; len];
            fill_normals(&words, 0.3, &mut out, &mut bulk_src);
            // One at a time: draw i starts on words[i] and continues on the
            // extra words, in draw order.
            let mut more = extra.iter().copied();
            let mut src = FromIter(&mut more);
            let z = ziggurat();
            for (i, w) in words.iter().enumerate() {
                let x = normal_of(*w, z, &mut src) * 0.3;
                assert_eq!(x.to_bits(), out[i].to_bits(), "len {len}, draw {i}");
            }
            assert_eq!(bulk_more.len(), more.len(), "len {len}: words used");
        }
    }

    #[test]
    fn ten_million_bulk_normals_have_the_moments_and_tails_of_n01() {
        // The path the tick takes: team words in bulk, normals in lanes.
        // Kolmogorov–Smirnov over 10⁷ draws (0.1% critical value 1.95/√n),
        // the first four moments, and three tail shares within 5 standard
        // errors of their binomial expectation.
        let key = key_words(&run_key(20_251_129));
        let (teams, blocks) = (625, 1000);
        let mut words = vec![0u32; 16 * teams * blocks];
        team_words(&key, 3, 0, teams, blocks, &mut words);
        let n = words.len();
        assert_eq!(n, 10_000_000);
        let mut more = stream(&run_key(99), 7, 0);
        let mut x = vec![0.0; n];
        fill_normals(&words, 1.0, &mut x, &mut more);
        let nf = n as f64;
        let mean = x.iter().sum::<f64>() / nf;
        let m = |k: i32| x.iter().map(|v| (v - mean).powi(k)).sum::<f64>() / nf;
        let (var, m3, m4) = (m(2), m(3), m(4));
        let (skew, kurt) = (m3 / var.powf(1.5), m4 / (var * var));
        assert!(mean.abs() < 5.0 / nf.sqrt(), "mean {mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (2.0 / nf).sqrt(),
            "variance {var}"
        );
        assert!(skew.abs() < 5.0 * (6.0 / nf).sqrt(), "skewness {skew}");
        assert!(
            (kurt - 3.0).abs() < 5.0 * (24.0 / nf).sqrt(),
            "kurtosis {kurt}"
        );
        let phi = |v: f64| 0.5 * libm::erfc(-v / std::f64::consts::SQRT_2);
        for cut in [2.0, ZIG_R, 4.5] {
            let p = 2.0 * phi(-cut);
            let got = x.iter().filter(|v| v.abs() > cut).count() as f64;
            let (want, se) = (nf * p, (nf * p * (1.0 - p)).sqrt());
            assert!(
                (got - want).abs() < 5.0 * se,
                "|z| > {cut}: {got}, expected {want}"
            );
        }
        x.sort_by(f64::total_cmp);
        let d = x
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                let c = phi(v);
                (c - k as f64 / nf)
                    .abs()
                    .max(((k + 1) as f64 / nf - c).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / nf.sqrt(), "KS distance {d}");
    }

    /// Words from an iterator (tests).
    struct FromIter<'a, I: Iterator<Item = u32>>(&'a mut I);

    impl<I: Iterator<Item = u32>> Words for FromIter<'_, I> {
        fn word(&mut self) -> u32 {
            self.0.next().expect("enough words")
        }
    }

    #[test]
    fn uniform_draws_are_in_the_unit_interval() {
        let mut r = stream(&run_key(8), 1, 2);
        let u: Vec<f64> = (0..100_000).map(|_| uniform(&mut r)).collect();
        assert!(u.iter().all(|&v| (0.0..1.0).contains(&v)));
        let mean = u.iter().sum::<f64>() / u.len() as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
    }

    #[test]
    fn streams_are_distinct_and_reproducible() {
        let key = run_key(run_seed(42, 0));
        let a = stream(&key, 1, 3).next_u64();
        assert_eq!(a, stream(&key, 1, 3).next_u64());
        assert_ne!(a, stream(&key, 2, 3).next_u64());
        assert_ne!(a, stream(&key, 1, 4).next_u64());
        assert_ne!(run_seed(42, 0), run_seed(42, 1));
        assert_ne!(run_seed(42, 0), run_seed(43, 0));
    }
}
