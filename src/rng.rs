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

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere in the engine.
pub type Rng = ChaCha8Rng;

/// Stream that builds the organisation (traits, levers, network).
pub const SETUP_STREAM: u64 = 0;
/// Stream of organisation-wide events (turbulence).
pub const ORG_STREAM: u64 = u64::MAX;
/// Stream of the sample designs of sweeps.
const DESIGN_STREAM: u64 = 0x0053_5745_4550; // "SWEEP"
/// Stream of sensitivity designs and bootstraps.
pub const SENSITIVITY_STREAM: u64 = 0x5345_4e53; // "SENS"

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
    let mut rng = Rng::from_seed(*key);
    rng.set_stream(stream);
    if tick > 0 {
        rng.set_word_pos(u128::from(tick) << 32);
    }
    rng
}

/// The generator of a sweep's sample design.
pub fn design_rng(master_seed: u64) -> Rng {
    stream(&run_key(splitmix64(master_seed)), DESIGN_STREAM, 0)
}

/// A generator for sensitivity designs and bootstraps.
pub fn sensitivity_seed(master_seed: u64) -> u64 {
    splitmix64(master_seed ^ SENSITIVITY_STREAM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn splitmix_matches_the_reference() {
        // First outputs of SplitMix64 seeded with 0 (reference implementation:
        // x += golden; mix(x)).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
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
