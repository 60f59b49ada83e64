//! The ChaCha8 block function (Bernstein 2008), several blocks side by
//! side, for the words of the tick's team streams.
//!
//! The state is laid out as in `rand_chacha` (the four constants, the eight
//! key words, a 64-bit block counter in words 12–13 and a 64-bit stream id
//! in words 14–15), so block `b` of stream `s` here is the same 16 words as
//! `ChaCha8Rng` of the same key on stream `s` at word `16·b` (tested below).
//! Setting a stream and a position is writing two words of the input: no
//! generator is built or re-keyed per team.
//!
//! The blocks of one call are computed in lanes of `u32`, one block per lane
//! (the compiler turns each lane loop into one vector instruction); the
//! integer arithmetic is exact, so the words do not depend on the
//! instruction set.

/// "expand 32-byte k".
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Blocks computed side by side (eight 32-bit lanes fill a 256-bit register).
pub const LANES: usize = 8;

/// The key as eight little-endian words.
pub fn key_words(key: &[u8; 32]) -> [u32; 8] {
    std::array::from_fn(|i| {
        u32::from_le_bytes([key[4 * i], key[4 * i + 1], key[4 * i + 2], key[4 * i + 3]])
    })
}

#[inline(always)]
fn add<const L: usize>(a: [u32; L], b: [u32; L]) -> [u32; L] {
    std::array::from_fn(|l| a[l].wrapping_add(b[l]))
}

#[inline(always)]
fn xor_rotate<const L: usize, const R: u32>(a: [u32; L], b: [u32; L]) -> [u32; L] {
    std::array::from_fn(|l| (a[l] ^ b[l]).rotate_left(R))
}

#[inline(always)]
fn quarter<const L: usize>(x: &mut [[u32; L]; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = add(x[a], x[b]);
    x[d] = xor_rotate::<L, 16>(x[d], x[a]);
    x[c] = add(x[c], x[d]);
    x[b] = xor_rotate::<L, 12>(x[b], x[c]);
    x[a] = add(x[a], x[b]);
    x[d] = xor_rotate::<L, 8>(x[d], x[a]);
    x[c] = add(x[c], x[d]);
    x[b] = xor_rotate::<L, 7>(x[b], x[c]);
}

/// `L` ChaCha8 blocks: block `l` of stream `streams[l]` at block counter
/// `counters[l]`, into `out[l]`.
#[inline(always)]
pub fn blocks<const L: usize>(
    key: &[u32; 8],
    streams: &[u64; L],
    counters: &[u64; L],
    out: &mut [[u32; 16]; L],
) {
    let mut input = [[0u32; L]; 16];
    for (w, c) in SIGMA.iter().enumerate() {
        input[w] = [*c; L];
    }
    for (w, k) in key.iter().enumerate() {
        input[4 + w] = [*k; L];
    }
    input[12] = counters.map(|c| c as u32);
    input[13] = counters.map(|c| (c >> 32) as u32);
    input[14] = streams.map(|s| s as u32);
    input[15] = streams.map(|s| (s >> 32) as u32);
    let mut x = input;
    for _ in 0..4 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 1, 5, 9, 13);
        quarter(&mut x, 2, 6, 10, 14);
        quarter(&mut x, 3, 7, 11, 15);
        quarter(&mut x, 0, 5, 10, 15);
        quarter(&mut x, 1, 6, 11, 12);
        quarter(&mut x, 2, 7, 8, 13);
        quarter(&mut x, 3, 4, 9, 14);
    }
    for w in 0..16 {
        x[w] = add(x[w], input[w]);
    }
    for (l, block) in out.iter_mut().enumerate() {
        for (w, word) in block.iter_mut().enumerate() {
            *word = x[w][l];
        }
    }
}

/// One block (for the words a team needs beyond its bulk words).
pub fn block(key: &[u32; 8], stream: u64, counter: u64) -> [u32; 16] {
    let mut out = [[0; 16]; 1];
    blocks::<1>(key, &[stream], &[counter], &mut out);
    out[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{run_key, stream};

    #[test]
    fn blocks_are_the_words_of_rand_chacha() {
        let key = run_key(12345);
        let kw = key_words(&key);
        for (s, tick) in [
            (1u64, 0u32),
            (17, 3),
            (u64::MAX - 1, 1 << 20),
            (1 << 40, u32::MAX),
        ] {
            let mut r = stream(&key, s, tick);
            let first = u64::from(tick) << 28;
            let streams = [s; LANES];
            let counters: [u64; LANES] = std::array::from_fn(|b| first + b as u64);
            let mut out = [[0; 16]; LANES];
            blocks(&kw, &streams, &counters, &mut out);
            for (b, words) in out.iter().enumerate() {
                for (w, &word) in words.iter().enumerate() {
                    assert_eq!(word, r.word(), "stream {s} tick {tick} block {b} word {w}");
                }
            }
            assert_eq!(block(&kw, s, first + 8), std::array::from_fn(|_| r.word()));
        }
    }
}
