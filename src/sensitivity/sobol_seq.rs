//! Scrambled Sobol' low-discrepancy points.
//!
//! This file owns the Joe–Kuo direction-number table, the (unscrambled)
//! Sobol' digital sequence generated from it in Gray-code order, and the
//! seeded Owen scramble that turns it into a randomized QMC point set.
//!
//! * **Sequence.** Dimension 1 is the van der Corput sequence in base 2;
//!   dimensions 2..=[`SOBOL_MAX_DIMS`] use the direction numbers of Joe & Kuo
//!   (2008), file `new-joe-kuo-6.21201`. Points are produced in Gray-code
//!   (Antonov–Saleev) order, the order of Joe & Kuo's reference code and of
//!   SciPy's `qmc.Sobol`. **No point is skipped**: point 0 of the unscrambled
//!   sequence is the origin, and after scrambling it is a uniformly
//!   distributed point like every other one. (Dropping it would break the
//!   balance of the first `2^m` points, which is what makes power-of-two
//!   sample sizes good.)
//! * **Scramble.** A full nested uniform (Owen 1995) scramble in base 2 of
//!   the first 53 binary digits of every coordinate. As in Burley (2020,
//!   "Practical Hash-based Owen Scrambling", JCGT 9(4)), the random
//!   permutation tree is never stored: the flip bit of the node reached by a
//!   digit prefix is a hash of that node and of a per-dimension key. Unlike
//!   Burley's Laine–Karras shortcut, every node gets its own independent hash,
//!   so this is an exact Owen scramble up to the quality of the hash. The
//!   per-dimension keys are drawn from
//!   `crate::rng::seeded(seed, …)` on stream [`STREAM_SCRAMBLE`], so the
//!   whole point set is a deterministic function of `(n, dims, seed)`. Column
//!   `d` does not depend on `dims`, and the first `n` points do not depend on
//!   the total number requested.
//!
//! Owen scrambling maps every elementary interval onto an elementary
//! interval of the same shape, so the (t, m, s)-net properties of the
//! sequence are preserved; in particular every 1-D projection of the first
//! `2^m` points has exactly one point in each interval `[i/2^m, (i+1)/2^m)`.

use crate::error::{Error, Result};
use rand::Rng;

/// Number of dimensions for which direction numbers are embedded.
pub const SOBOL_MAX_DIMS: usize = 1 + JOE_KUO.len();

/// Largest number of points that [`sobol_points`] can produce (the index of a
/// point must fit the 32-bit direction numbers).
pub const SOBOL_MAX_POINTS: u64 = 1 << 32;

/// ChaCha stream used to draw the per-dimension scramble keys.
pub const STREAM_SCRAMBLE: u64 = 1;

/// Number of leading binary digits that are scrambled; the result is then
/// converted exactly to an `f64` in `[0, 1)`.
const SCRAMBLED_DIGITS: u32 = 53;

/// Direction numbers of Joe & Kuo, file `new-joe-kuo-6.21201`
/// (<https://web.maths.unsw.edu.au/~fkuo/sobol/new-joe-kuo-6.21201>),
/// S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
/// two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635–2654.
///
/// One entry `(s, a, [m_1, …, m_s])` per dimension `d = 2..=128` (dimension 1
/// is van der Corput and has no entry): `s` is the degree of the primitive
/// polynomial `x^s + a_1 x^{s-1} + … + a_{s-1} x + 1`, `a` packs
/// `a_1 … a_{s-1}` with `a_1` as the most significant bit, and `m_i` are the
/// initial direction numbers. The `(s, a)` columns are checked against an
/// enumeration of primitive polynomials in the tests.
const JOE_KUO: [(u32, u32, &[u32]); 127] = [
    (1, 0, &[1]),                                         // d = 2
    (2, 1, &[1, 3]),                                      // d = 3
    (3, 1, &[1, 3, 1]),                                   // d = 4
    (3, 2, &[1, 1, 1]),                                   // d = 5
    (4, 1, &[1, 1, 3, 3]),                                // d = 6
    (4, 4, &[1, 3, 5, 13]),                               // d = 7
    (5, 2, &[1, 1, 5, 5, 17]),                            // d = 8
    (5, 4, &[1, 1, 5, 5, 5]),                             // d = 9
    (5, 7, &[1, 1, 7, 11, 19]),                           // d = 10
    (5, 11, &[1, 1, 5, 1, 1]),                            // d = 11
    (5, 13, &[1, 1, 1, 3, 11]),                           // d = 12
    (5, 14, &[1, 3, 5, 5, 31]),                           // d = 13
    (6, 1, &[1, 3, 3, 9, 7, 49]),                         // d = 14
    (6, 13, &[1, 1, 1, 15, 21, 21]),                      // d = 15
    (6, 16, &[1, 3, 1, 13, 27, 49]),                      // d = 16
    (6, 19, &[1, 1, 1, 15, 7, 5]),                        // d = 17
    (6, 22, &[1, 3, 1, 15, 13, 25]),                      // d = 18
    (6, 25, &[1, 1, 5, 5, 19, 61]),                       // d = 19
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),                  // d = 20
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),                   // d = 21
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),                    // d = 22
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),                     // d = 23
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),                  // d = 24
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),                   // d = 25
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),                  // d = 26
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),                    // d = 27
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),                    // d = 28
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),                   // d = 29
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),                   // d = 30
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),                   // d = 31
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),                   // d = 32
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),                    // d = 33
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),                   // d = 34
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),                   // d = 35
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),                   // d = 36
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),                    // d = 37
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),             // d = 38
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),              // d = 39
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),             // d = 40
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),               // d = 41
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),              // d = 42
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),               // d = 43
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),               // d = 44
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),              // d = 45
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),              // d = 46
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),                // d = 47
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),             // d = 48
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),              // d = 49
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),              // d = 50
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),              // d = 51
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),            // d = 52
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),             // d = 53
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),          // d = 54
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),            // d = 55
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),           // d = 56
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),         // d = 57
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),        // d = 58
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),         // d = 59
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),          // d = 60
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),         // d = 61
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),         // d = 62
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),         // d = 63
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),         // d = 64
    (9, 67, &[1, 1, 1, 11, 21, 53, 125, 249, 293]),       // d = 65
    (9, 74, &[1, 1, 7, 11, 11, 7, 57, 79, 323]),          // d = 66
    (9, 81, &[1, 1, 5, 5, 17, 13, 81, 3, 131]),           // d = 67
    (9, 82, &[1, 1, 7, 13, 23, 7, 65, 251, 475]),         // d = 68
    (9, 87, &[1, 3, 5, 1, 9, 43, 3, 149, 11]),            // d = 69
    (9, 91, &[1, 1, 3, 13, 31, 13, 13, 255, 487]),        // d = 70
    (9, 94, &[1, 3, 3, 1, 5, 63, 89, 91, 127]),           // d = 71
    (9, 103, &[1, 1, 3, 3, 1, 19, 123, 127, 237]),        // d = 72
    (9, 104, &[1, 1, 5, 7, 23, 31, 37, 243, 289]),        // d = 73
    (9, 109, &[1, 1, 5, 11, 17, 53, 117, 183, 491]),      // d = 74
    (9, 122, &[1, 1, 1, 5, 1, 13, 13, 209, 345]),         // d = 75
    (9, 124, &[1, 1, 3, 15, 1, 57, 115, 7, 33]),          // d = 76
    (9, 137, &[1, 3, 1, 11, 7, 43, 81, 207, 175]),        // d = 77
    (9, 138, &[1, 3, 1, 1, 15, 27, 63, 255, 49]),         // d = 78
    (9, 143, &[1, 3, 5, 3, 27, 61, 105, 171, 305]),       // d = 79
    (9, 145, &[1, 1, 5, 3, 1, 3, 57, 249, 149]),          // d = 80
    (9, 152, &[1, 1, 3, 5, 5, 57, 15, 13, 159]),          // d = 81
    (9, 157, &[1, 1, 1, 11, 7, 11, 105, 141, 225]),       // d = 82
    (9, 167, &[1, 3, 3, 5, 27, 59, 121, 101, 271]),       // d = 83
    (9, 173, &[1, 3, 5, 9, 11, 49, 51, 59, 115]),         // d = 84
    (9, 176, &[1, 1, 7, 1, 23, 45, 125, 71, 419]),        // d = 85
    (9, 181, &[1, 1, 3, 5, 23, 5, 105, 109, 75]),         // d = 86
    (9, 182, &[1, 1, 7, 15, 7, 11, 67, 121, 453]),        // d = 87
    (9, 185, &[1, 3, 7, 3, 9, 13, 31, 27, 449]),          // d = 88
    (9, 191, &[1, 3, 1, 15, 19, 39, 39, 89, 15]),         // d = 89
    (9, 194, &[1, 1, 1, 1, 1, 33, 73, 145, 379]),         // d = 90
    (9, 199, &[1, 3, 1, 15, 15, 43, 29, 13, 483]),        // d = 91
    (9, 218, &[1, 1, 7, 3, 19, 27, 85, 131, 431]),        // d = 92
    (9, 220, &[1, 3, 3, 3, 5, 35, 23, 195, 349]),         // d = 93
    (9, 227, &[1, 3, 3, 7, 9, 27, 39, 59, 297]),          // d = 94
    (9, 229, &[1, 1, 3, 9, 11, 17, 13, 241, 157]),        // d = 95
    (9, 230, &[1, 3, 7, 15, 25, 57, 33, 189, 213]),       // d = 96
    (9, 234, &[1, 1, 7, 1, 9, 55, 73, 83, 217]),          // d = 97
    (9, 236, &[1, 3, 3, 13, 19, 27, 23, 113, 249]),       // d = 98
    (9, 241, &[1, 3, 5, 3, 23, 43, 3, 253, 479]),         // d = 99
    (9, 244, &[1, 1, 5, 5, 11, 5, 45, 117, 217]),         // d = 100
    (9, 253, &[1, 3, 3, 7, 29, 37, 33, 123, 147]),        // d = 101
    (10, 4, &[1, 3, 1, 15, 5, 5, 37, 227, 223, 459]),     // d = 102
    (10, 13, &[1, 1, 7, 5, 5, 39, 63, 255, 135, 487]),    // d = 103
    (10, 19, &[1, 3, 1, 7, 9, 7, 87, 249, 217, 599]),     // d = 104
    (10, 22, &[1, 1, 3, 13, 9, 47, 7, 225, 363, 247]),    // d = 105
    (10, 50, &[1, 3, 7, 13, 19, 13, 9, 67, 9, 737]),      // d = 106
    (10, 55, &[1, 3, 5, 5, 19, 59, 7, 41, 319, 677]),     // d = 107
    (10, 64, &[1, 1, 5, 3, 31, 63, 15, 43, 207, 789]),    // d = 108
    (10, 69, &[1, 1, 7, 9, 13, 39, 3, 47, 497, 169]),     // d = 109
    (10, 98, &[1, 3, 1, 7, 21, 17, 97, 19, 415, 905]),    // d = 110
    (10, 107, &[1, 3, 7, 1, 3, 31, 71, 111, 165, 127]),   // d = 111
    (10, 115, &[1, 1, 5, 11, 1, 61, 83, 119, 203, 847]),  // d = 112
    (10, 121, &[1, 3, 3, 13, 9, 61, 19, 97, 47, 35]),     // d = 113
    (10, 127, &[1, 1, 7, 7, 15, 29, 63, 95, 417, 469]),   // d = 114
    (10, 134, &[1, 3, 1, 9, 25, 9, 71, 57, 213, 385]),    // d = 115
    (10, 140, &[1, 3, 5, 13, 31, 47, 101, 57, 39, 341]),  // d = 116
    (10, 145, &[1, 1, 3, 3, 31, 57, 125, 173, 365, 551]), // d = 117
    (10, 152, &[1, 3, 7, 1, 13, 57, 67, 157, 451, 707]),  // d = 118
    (10, 158, &[1, 1, 1, 7, 21, 13, 105, 89, 429, 965]),  // d = 119
    (10, 161, &[1, 1, 5, 9, 17, 51, 45, 119, 157, 141]),  // d = 120
    (10, 171, &[1, 3, 7, 7, 13, 45, 91, 9, 129, 741]),    // d = 121
    (10, 181, &[1, 3, 7, 1, 23, 57, 67, 141, 151, 571]),  // d = 122
    (10, 194, &[1, 1, 3, 11, 17, 47, 93, 107, 375, 157]), // d = 123
    (10, 199, &[1, 3, 3, 5, 11, 21, 43, 51, 169, 915]),   // d = 124
    (10, 203, &[1, 1, 5, 3, 15, 55, 101, 67, 455, 625]),  // d = 125
    (10, 208, &[1, 3, 5, 9, 1, 23, 29, 47, 345, 595]),    // d = 126
    (10, 227, &[1, 3, 7, 7, 5, 49, 29, 155, 323, 589]),   // d = 127
    (10, 242, &[1, 3, 3, 7, 5, 41, 127, 61, 261, 717]),   // d = 128
];

/// The 32 direction numbers `V_j = m_j · 2^{32-j}` (as 32-bit fractions) of
/// 0-based dimension `dim`.
fn direction_numbers(dim: usize) -> [u32; 32] {
    let mut v = [0u32; 32];
    if dim == 0 {
        for (j, vj) in v.iter_mut().enumerate() {
            *vj = 1u32 << (31 - j);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[dim - 1];
    let s = s as usize;
    for j in 0..32 {
        v[j] = if j < s {
            m[j] << (31 - j)
        } else {
            // Bratley–Fox recurrence as written by Joe & Kuo.
            let mut x = v[j - s] ^ (v[j - s] >> s);
            for l in 1..s {
                if (a >> (s - 1 - l)) & 1 == 1 {
                    x ^= v[j - l];
                }
            }
            x
        };
    }
    v
}

/// splitmix64 / Stafford "mix13" finalizer: a bijective 64-bit mixer.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Owen (nested uniform) scramble of the leading [`SCRAMBLED_DIGITS`] binary
/// digits of `x` (a fraction in `[0, 1)` scaled by `2^64`). The digit at
/// depth `j` is flipped by a bit that depends only on the key and on the `j`
/// digits above it, i.e. on the node of the binary tree that the prefix
/// reaches, which is what makes the map an Owen scramble.
#[inline]
fn owen_scramble(x: u64, key: (u64, u64)) -> u64 {
    let mut flips = 0u64;
    for depth in 0..SCRAMBLED_DIGITS {
        let prefix = if depth == 0 { 0 } else { x >> (64 - depth) };
        // Heap numbering of tree nodes: unique for every (depth, prefix).
        let node = (1u64 << depth) | prefix;
        let h = mix64(mix64(node ^ key.0).wrapping_add(key.1));
        flips |= (h >> 63) << (63 - depth);
    }
    x ^ flips
}

/// Checks the preconditions of [`sobol_points`].
fn check_sizes(n: usize, dims: usize) -> Result<()> {
    if dims > SOBOL_MAX_DIMS {
        return Err(Error::usage(format!(
            "sobol_points: {dims} dimensions requested, at most {SOBOL_MAX_DIMS} are available"
        )));
    }
    if n as u64 > SOBOL_MAX_POINTS {
        return Err(Error::usage(format!(
            "sobol_points: {n} points requested, at most 2^32 are available"
        )));
    }
    if n.checked_mul(dims).is_none() {
        return Err(Error::usage(format!(
            "sobol_points: {n} × {dims} overflows usize"
        )));
    }
    Ok(())
}

/// Raw 32-bit digits of the first `n` unscrambled points (row-major),
/// generated in Gray-code order.
fn gray_code_digits(n: usize, dims: usize, mut each: impl FnMut(usize, usize, u32)) {
    let v: Vec<[u32; 32]> = (0..dims).map(direction_numbers).collect();
    let mut state = vec![0u32; dims];
    for i in 0..n {
        if i > 0 {
            // Index of the lowest zero bit of i - 1.
            let c = (i - 1).trailing_ones() as usize;
            for (x, vd) in state.iter_mut().zip(&v) {
                *x ^= vd[c];
            }
        }
        for (d, &x) in state.iter().enumerate() {
            each(i, d, x);
        }
    }
}

/// `n` Owen-scrambled Sobol' points in `[0, 1)^dims`, row-major
/// (`out[i * dims + d]` is coordinate `d` of point `i`), or an error if
/// `dims > SOBOL_MAX_DIMS`, `n > 2^32` or `n * dims` overflows.
///
/// No point is dropped (see the module documentation). Use a power of two
/// for `n` to get the full balance properties.
pub fn try_sobol_points(n: usize, dims: usize, seed: u64) -> Result<Vec<f64>> {
    check_sizes(n, dims)?;
    let mut rng = crate::rng::seeded(seed, STREAM_SCRAMBLE);
    let keys: Vec<(u64, u64)> = (0..dims)
        .map(|_| {
            let k0 = rng.next_u64();
            (k0, rng.next_u64())
        })
        .collect();
    let mut out = vec![0.0; n * dims];
    gray_code_digits(n, dims, |i, d, x| {
        let scrambled = owen_scramble(u64::from(x) << 32, keys[d]);
        out[i * dims + d] = (scrambled >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    });
    Ok(out)
}

/// `n` Owen-scrambled Sobol' points in `[0, 1)^dims`, row-major
/// (`out[i * dims + d]` is coordinate `d` of point `i`). No point is dropped.
///
/// # Panics
/// If `dims > SOBOL_MAX_DIMS` or `n > 2^32`; see [`try_sobol_points`] for the
/// fallible version.
pub fn sobol_points(n: usize, dims: usize, seed: u64) -> Vec<f64> {
    try_sobol_points(n, dims, seed).unwrap_or_else(|e| panic!("{e}"))
}

/// The first `n` points of the unscrambled sequence, row-major.
#[cfg(test)]
fn unscrambled_points(n: usize, dims: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * dims];
    gray_code_digits(n, dims, |i, d, x| {
        out[i * dims + d] = f64::from(x) / 4_294_967_296.0;
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscrambled_first_points_match_reference() {
        // Joe & Kuo / SciPy `qmc.Sobol(d, scramble=False)` in Gray-code order.
        let dim1 = [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125];
        let dim2 = [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625];
        let dim3 = [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375];
        let p = unscrambled_points(8, 3);
        for i in 0..8 {
            assert_eq!(p[i * 3], dim1[i], "dim 1, point {i}");
            assert_eq!(p[i * 3 + 1], dim2[i], "dim 2, point {i}");
            assert_eq!(p[i * 3 + 2], dim3[i], "dim 3, point {i}");
        }
    }

    /// Order of `x` in GF(2)[x] / (poly); `poly` has degree `s`.
    fn order_of_x(poly: u32, s: u32) -> u32 {
        let mut r = 1u32;
        for e in 1..=(1u32 << s) {
            r <<= 1;
            if r >> s & 1 == 1 {
                r ^= poly;
            }
            if r == 1 {
                return e;
            }
        }
        0
    }

    #[test]
    fn table_lists_the_primitive_polynomials_in_order() {
        // Joe & Kuo list every primitive polynomial over GF(2), by degree and
        // then by `a`; regenerate that list and compare the (s, a) columns.
        let mut expected = Vec::new();
        for s in 1..=10u32 {
            for a in 0..(1u32 << (s - 1)) {
                let poly = (1 << s) | (a << 1) | 1;
                if order_of_x(poly, s) == (1 << s) - 1 {
                    expected.push((s, a));
                }
            }
        }
        let table: Vec<(u32, u32)> = JOE_KUO.iter().map(|&(s, a, _)| (s, a)).collect();
        assert_eq!(table[..], expected[..table.len()]);
        for (d, &(s, _, m)) in JOE_KUO.iter().enumerate() {
            assert_eq!(m.len(), s as usize, "dimension {}", d + 2);
            for (i, &mi) in m.iter().enumerate() {
                assert!(
                    mi % 2 == 1 && mi < (2 << i),
                    "dimension {}: m_{}",
                    d + 2,
                    i + 1
                );
            }
        }
    }

    #[test]
    fn scrambled_points_are_in_unit_cube_and_seed_dependent() {
        let dims = SOBOL_MAX_DIMS;
        let a = sobol_points(256, dims, 7);
        let b = sobol_points(256, dims, 8);
        assert_eq!(a.len(), 256 * dims);
        assert!(a.iter().chain(&b).all(|&x| (0.0..1.0).contains(&x)));
        assert_ne!(a, b);
        // Whole columns differ, not just a few values.
        for d in 0..dims {
            let same = (0..256)
                .filter(|&i| a[i * dims + d] == b[i * dims + d])
                .count();
            assert!(same < 4, "column {d}: {same} identical values");
        }
        // Same seed, same bits.
        assert_eq!(a, sobol_points(256, dims, 7));
    }

    #[test]
    fn prefixes_and_columns_are_consistent() {
        let big = sobol_points(100, 10, 3);
        let small = sobol_points(37, 4, 3);
        for i in 0..37 {
            assert_eq!(small[i * 4..i * 4 + 4], big[i * 10..i * 10 + 4]);
        }
    }

    #[test]
    fn one_dimensional_projections_are_stratified() {
        for seed in [0u64, 1, 99] {
            for m in 0..=10u32 {
                let n = 1usize << m;
                let dims = SOBOL_MAX_DIMS;
                let p = sobol_points(n, dims, seed);
                for d in 0..dims {
                    let mut hit = vec![false; n];
                    for i in 0..n {
                        let cell = (p[i * dims + d] * n as f64) as usize;
                        assert!(!hit[cell], "seed {seed}, m {m}, dim {d}: cell {cell} twice");
                        hit[cell] = true;
                    }
                }
            }
        }
    }

    #[test]
    fn first_two_dimensions_form_a_zero_m_two_net() {
        // Dimensions 1 and 2 of Sobol' form a (0, m, 2)-net, and Owen
        // scrambling preserves it: every box [i 2^-a, (i+1) 2^-a) ×
        // [j 2^-(m-a), (j+1) 2^-(m-a)) holds exactly one of 2^m points.
        let m = 8u32;
        let n = 1usize << m;
        let p = sobol_points(n, 2, 12345);
        for a in 0..=m {
            let (cols, rows) = (1usize << a, 1usize << (m - a));
            let mut count = vec![0u32; n];
            for i in 0..n {
                let cx = (p[2 * i] * cols as f64) as usize;
                let cy = (p[2 * i + 1] * rows as f64) as usize;
                count[cx * rows + cy] += 1;
            }
            assert!(count.iter().all(|&c| c == 1), "a = {a}");
        }
    }

    #[test]
    fn scrambled_estimates_are_unbiased_with_small_variance() {
        // ∫ Π_d 2 x_d dx = 1 on [0,1]^4. Over independent scramble seeds the
        // RQMC estimate must be centred on 1 and far less variable than plain
        // Monte Carlo with the same n (variance ((4/3)^4 - 1) / n).
        let (n, dims, reps) = (256usize, 4usize, 64u64);
        let est: Vec<f64> = (0..reps)
            .map(|seed| {
                let p = sobol_points(n, dims, 1000 + seed);
                p.chunks(dims)
                    .map(|x| x.iter().map(|v| 2.0 * v).product::<f64>())
                    .sum::<f64>()
                    / n as f64
            })
            .collect();
        let mean = est.iter().sum::<f64>() / reps as f64;
        let var = est.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
        let mc_var = ((4.0f64 / 3.0).powi(4) - 1.0) / n as f64;
        assert!(var > 0.0 && var < mc_var / 20.0, "var {var} vs MC {mc_var}");
        assert!(
            (mean - 1.0).abs() < 4.0 * (var / reps as f64).sqrt(),
            "mean {mean}"
        );
    }

    #[test]
    fn rejects_oversized_requests() {
        assert!(try_sobol_points(4, SOBOL_MAX_DIMS + 1, 0).is_err());
        assert!(try_sobol_points(0, 3, 0).unwrap().is_empty());
        assert!(try_sobol_points(5, 0, 0).unwrap().is_empty());
    }
}
