//! Lanes: four (or eight) `f64` values computed side by side, one number type for the
//! hot loops whether they run in lanes or one value at a time, and the
//! choice of instruction set those loops are compiled for.
//!
//! # Invariants
//!
//! - **One IEEE operation per lane.** Every operation of [`F4`] is, in each
//!   lane, the same single IEEE 754 operation as the scalar [`Real`]
//!   implementation for `f64`: add, subtract, multiply, divide and square
//!   root correctly rounded; absolute value, comparisons, selections, bit
//!   casts and integer arithmetic exact. There is no fused multiply-add, no
//!   approximate reciprocal or square root (whose bits differ between
//!   processors) and no reassociation: Rust never contracts `a * b + c` into
//!   an FMA or reorders floating-point operations on its own. A value
//!   computed in lanes therefore has the same bits as the same expression
//!   computed one value at a time, however many lanes the processor adds
//!   at once.
//! - **Maximum and minimum are selections**, `if x > y { x } else { y }`
//!   (x86's `maxpd` semantics), not IEEE `maxNum`, whose choice between
//!   `+0` and `−0` is left to the implementation.
//! - **One source, three builds.** The hot loops are written once, generic
//!   over [`Real`] or on [`F4`], marked `#[inline(always)]`, and compiled
//!   into three entry points: one with AVX-512F enabled, which steps eight
//!   professionals at a time in [`F8`] (512-bit registers) and adds their
//!   sums four lanes at a time in the order of the others; one with AVX2
//!   enabled (256-bit registers: four lanes per instruction); and one for
//!   the x86-64 baseline (SSE2, 128-bit: the compiler splits each four-lane
//!   operation in two). [`isa`] decides once per process which one runs:
//!   AVX2 where the processor has it, unless `PROFSPACE_SIMD` names
//!   another (`avx512`, `avx2`, `off`) that it has. By the first invariant all give the same
//!   bits; `tests/it/hot_loops.rs` compares every build the processor has
//!   over whole runs. No build fuses a multiply and an add: AVX2 brings no
//!   FMA, and AVX-512F, which has it, is never asked for it (Rust never
//!   contracts `a * b + c`).

use std::ops::{Add, Div, Mul, Sub};

/// Four lanes of `$e`, with `$l` bound to each lane index in turn
/// (written out: no closure the compiler might leave uninlined).
#[macro_export]
#[doc(hidden)]
macro_rules! each_lane {
    ($l:ident => $e:expr) => {
        [
            {
                let $l = 0usize;
                $e
            },
            {
                let $l = 1usize;
                $e
            },
            {
                let $l = 2usize;
                $e
            },
            {
                let $l = 3usize;
                $e
            },
        ]
    };
}

/// The instruction set the hot loops run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// 512-bit AVX-512 registers, eight lanes at a time (x86-64 processors
    /// that report AVX-512F).
    Avx512,
    /// 256-bit AVX2 registers (x86-64 processors that report AVX2).
    Avx2,
    /// The baseline of the target (SSE2 on x86-64).
    Portable,
}

impl Isa {
    /// Its name in `manifest.json` and `PROFSPACE_SIMD`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Portable => "portable",
        }
    }

    /// Whether this processor can run it.
    pub fn available(self) -> bool {
        match self {
            Isa::Avx512 => avx512_available(),
            Isa::Avx2 => avx2_available(),
            Isa::Portable => true,
        }
    }

    /// The builds this processor can run, widest first.
    pub fn all_available() -> Vec<Isa> {
        [Isa::Avx512, Isa::Avx2, Isa::Portable]
            .into_iter()
            .filter(|i| i.available())
            .collect()
    }
}

/// Whether this processor can run the AVX-512 build.
pub fn avx512_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this processor can run the AVX2 build.
pub fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The instruction set of this process, decided on first use: AVX2 when
/// the processor has it, the portable build otherwise; `PROFSPACE_SIMD`
/// asks for another (`avx512`, `avx2`, `off`), which runs when the
/// processor has it (else the next narrower one). The AVX-512 build is not
/// the default: on the AMD EPYC (Zen 4) it was measured on, whose 512-bit
/// operations run as two 256-bit halves, it is slower than AVX2
/// (PERFORMANCE.md).
pub fn isa() -> Isa {
    static ISA: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
    *ISA.get_or_init(|| choose(&std::env::var("PROFSPACE_SIMD").unwrap_or_default()))
}

/// The build for a `PROFSPACE_SIMD` of `asked` on this processor.
fn choose(asked: &str) -> Isa {
    let want = match asked.to_ascii_lowercase().as_str() {
        "off" | "portable" => Isa::Portable,
        "avx512" => Isa::Avx512,
        _ => Isa::Avx2,
    };
    let order = [Isa::Avx512, Isa::Avx2, Isa::Portable];
    let from = order.iter().position(|&i| i == want).unwrap_or(1);
    order[from..]
        .iter()
        .copied()
        .find(|i| i.available())
        .unwrap_or(Isa::Portable)
}

/// The numbers of the hot loops: `f64` (one value) and [`F4`] (four lanes)
/// with the same operations and the same bits per lane.
pub trait Real:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// The result of a comparison.
    type Mask: Copy;
    /// `x` in every lane.
    fn splat(x: f64) -> Self;
    /// Correctly rounded square root.
    fn sqrt(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `self > o`.
    fn gt(self, o: Self) -> Self::Mask;
    /// `self < o`.
    fn lt(self, o: Self) -> Self::Mask;
    /// `self >= o`.
    fn ge(self, o: Self) -> Self::Mask;
    /// Lanes where both masks hold.
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// `a` where `m` holds, else `b`.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
    /// A first guess of the cube root of a normal positive number, within
    /// a few per cent: the exponent (and, roughly, the mantissa) divided by
    /// three in the high 32 bits (fdlibm's constant).
    fn cbrt_guess(self) -> Self;

    /// `self` if greater than `o`, else `o` (`o` when either is NaN).
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        Self::select(self.gt(o), self, o)
    }

    /// `self` if less than `o`, else `o` (`o` when either is NaN).
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        Self::select(self.lt(o), self, o)
    }
}

/// The high word of a cube-root guess: `hi / 3 + B1` (fdlibm's `cbrt`).
#[inline(always)]
fn cbrt_hi(bits: u64) -> u64 {
    // hi < 2³², so the product fits in 64 bits: a 32 × 32-bit multiply in
    // lanes (`vpmuludq`); (hi · ⌈2³³/3⌉) >> 33 is hi / 3 for every hi < 2³².
    let hi = bits >> 32;
    (((hi * 0xAAAA_AAAB) >> 33) + 0x2A9F_7893) << 32
}

impl Real for f64 {
    type Mask = bool;

    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
    }

    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }

    #[inline(always)]
    fn abs(self) -> f64 {
        f64::abs(self)
    }

    #[inline(always)]
    fn gt(self, o: f64) -> bool {
        self > o
    }

    #[inline(always)]
    fn lt(self, o: f64) -> bool {
        self < o
    }

    #[inline(always)]
    fn ge(self, o: f64) -> bool {
        self >= o
    }

    #[inline(always)]
    fn and(a: bool, b: bool) -> bool {
        a & b
    }

    #[inline(always)]
    fn select(m: bool, a: f64, b: f64) -> f64 {
        if m { a } else { b }
    }

    #[inline(always)]
    fn cbrt_guess(self) -> f64 {
        f64::from_bits(cbrt_hi(self.to_bits()))
    }
}

/// Four `f64` lanes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(32))]
pub struct F4(pub [f64; 4]);

/// Four comparison results, as the bit masks vector comparisons give: all
/// ones where the comparison holds, zero where it does not (kept as masks,
/// not `bool`s, so the compiler never turns them into bytes and back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct M4(pub [u64; 4]);

impl M4 {
    /// Whether any lane holds.
    #[inline(always)]
    pub fn any(self) -> bool {
        let m = self.0;
        ((m[0] | m[1]) | (m[2] | m[3])) != 0
    }

    /// Whether lane `l` holds.
    #[inline(always)]
    pub fn lane(self, l: usize) -> bool {
        self.0[l] != 0
    }
}

/// A slice too short for four lanes.
#[cold]
#[inline(never)]
fn short(len: usize) -> ! {
    panic!("four lanes from a slice of {len}")
}

/// The mask of a comparison result.
#[inline(always)]
pub fn mask(c: bool) -> u64 {
    if c { u64::MAX } else { 0 }
}

impl F4 {
    /// The first four values of `s` (one bounds check).
    #[inline(always)]
    pub fn load(s: &[f64]) -> F4 {
        let Some(v) = s.first_chunk::<4>() else {
            short(s.len())
        };
        F4(*v)
    }

    /// The values of `s` (at most four), the other lanes `fill`.
    #[inline(always)]
    pub fn load_partial(s: &[f64], fill: f64) -> F4 {
        F4(crate::each_lane!(l => match s.get(l) {
            Some(x) => *x,
            None => fill,
        }))
    }

    /// Writes the four lanes to the start of `s` (one bounds check).
    #[inline(always)]
    pub fn store(self, s: &mut [f64]) {
        let len = s.len();
        let Some(v) = s.first_chunk_mut::<4>() else {
            short(len)
        };
        *v = self.0;
    }

    /// Writes the first `s.len() ≤ 4` lanes to `s`.
    #[inline(always)]
    pub fn store_partial(self, s: &mut [f64]) {
        crate::each_lane!(l => if let Some(x) = s.get_mut(l) {
            *x = self.0[l];
        });
    }

    /// The lanes added in a fixed order: (l0 + l1) + (l2 + l3).
    #[inline(always)]
    pub fn sum(self) -> f64 {
        let [a, b, c, d] = self.0;
        (a + b) + (c + d)
    }
}

/// Three values of `$e`, with `$l` bound to 0, 1, 2.
#[macro_export]
#[doc(hidden)]
macro_rules! each_lane3 {
    ($l:ident => $e:expr) => {
        [
            {
                let $l = 0usize;
                $e
            },
            {
                let $l = 1usize;
                $e
            },
            {
                let $l = 2usize;
                $e
            },
        ]
    };
}

/// Six values of `$e`, with `$l` bound to 0 … 5.
#[macro_export]
#[doc(hidden)]
macro_rules! each_lane6 {
    ($l:ident => $e:expr) => {{
        let [a, b, c] = $crate::each_lane3!($l => $e);
        let [d, e, f] = $crate::each_lane3!(x => {
            let $l = x + 3;
            $e
        });
        [a, b, c, d, e, f]
    }};
}

macro_rules! lane_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for F4 {
            type Output = F4;
            #[inline(always)]
            fn $f(self, o: F4) -> F4 {
                let (a, b) = (self.0, o.0);
                F4([a[0] $op b[0], a[1] $op b[1], a[2] $op b[2], a[3] $op b[3]])
            }
        }
    };
}
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);
lane_op!(Div, div, /);

impl Real for F4 {
    type Mask = M4;

    #[inline(always)]
    fn splat(x: f64) -> F4 {
        F4([x; 4])
    }

    #[inline(always)]
    fn sqrt(self) -> F4 {
        let a = self.0;
        F4([a[0].sqrt(), a[1].sqrt(), a[2].sqrt(), a[3].sqrt()])
    }

    #[inline(always)]
    fn abs(self) -> F4 {
        let a = self.0;
        F4([a[0].abs(), a[1].abs(), a[2].abs(), a[3].abs()])
    }

    #[inline(always)]
    fn gt(self, o: F4) -> M4 {
        let (a, b) = (self.0, o.0);
        M4(crate::each_lane!(l => mask(a[l] > b[l])))
    }

    #[inline(always)]
    fn lt(self, o: F4) -> M4 {
        let (a, b) = (self.0, o.0);
        M4(crate::each_lane!(l => mask(a[l] < b[l])))
    }

    #[inline(always)]
    fn ge(self, o: F4) -> M4 {
        let (a, b) = (self.0, o.0);
        M4(crate::each_lane!(l => mask(a[l] >= b[l])))
    }

    #[inline(always)]
    fn and(a: M4, b: M4) -> M4 {
        let (a, b) = (a.0, b.0);
        M4(crate::each_lane!(l => a[l] & b[l]))
    }

    #[inline(always)]
    fn select(m: M4, a: F4, b: F4) -> F4 {
        let (m, a, b) = (m.0, a.0, b.0);
        F4(crate::each_lane!(l => f64::from_bits(
            (m[l] & a[l].to_bits()) | (!m[l] & b[l].to_bits())
        )))
    }

    #[inline(always)]
    fn cbrt_guess(self) -> F4 {
        let a = self.0;
        F4(crate::each_lane!(l => f64::from_bits(cbrt_hi(a[l].to_bits()))))
    }
}

/// Eight lanes of `$e`, with `$l` bound to each lane index in turn.
#[macro_export]
#[doc(hidden)]
macro_rules! each_lane8 {
    ($l:ident => $e:expr) => {{
        let [a, b, c, d] = $crate::each_lane!($l => $e);
        let [e, f, g, h] = $crate::each_lane!(x => {
            let $l = x + 4;
            $e
        });
        [a, b, c, d, e, f, g, h]
    }};
}

/// Eight `f64` lanes: two [`F4`] side by side, computed in one 512-bit
/// register where the processor has AVX-512 (the AVX-512 build), with the
/// same single IEEE operation per lane as [`F4`] and `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct F8(pub [f64; 8]);

/// Eight comparison results, as bit masks (see [`M4`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct M8(pub [u64; 8]);

impl M8 {
    /// Whether lane `l` holds.
    #[inline(always)]
    pub fn lane(self, l: usize) -> bool {
        self.0[l] != 0
    }
}

impl F8 {
    /// Two four-lane vectors as one: `lo` in lanes 0–3, `hi` in 4–7.
    #[inline(always)]
    pub fn join(lo: [f64; 4], hi: [f64; 4]) -> F8 {
        F8([lo[0], lo[1], lo[2], lo[3], hi[0], hi[1], hi[2], hi[3]])
    }

    /// Lanes 0–3 and lanes 4–7.
    #[inline(always)]
    pub fn halves(self) -> (F4, F4) {
        let a = self.0;
        (F4([a[0], a[1], a[2], a[3]]), F4([a[4], a[5], a[6], a[7]]))
    }
}

macro_rules! lane_op8 {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for F8 {
            type Output = F8;
            #[inline(always)]
            fn $f(self, o: F8) -> F8 {
                let (a, b) = (self.0, o.0);
                F8(crate::each_lane8!(l => a[l] $op b[l]))
            }
        }
    };
}
lane_op8!(Add, add, +);
lane_op8!(Sub, sub, -);
lane_op8!(Mul, mul, *);
lane_op8!(Div, div, /);

impl Real for F8 {
    type Mask = M8;

    #[inline(always)]
    fn splat(x: f64) -> F8 {
        F8([x; 8])
    }

    #[inline(always)]
    fn sqrt(self) -> F8 {
        let a = self.0;
        F8(crate::each_lane8!(l => a[l].sqrt()))
    }

    #[inline(always)]
    fn abs(self) -> F8 {
        let a = self.0;
        F8(crate::each_lane8!(l => a[l].abs()))
    }

    #[inline(always)]
    fn gt(self, o: F8) -> M8 {
        let (a, b) = (self.0, o.0);
        M8(crate::each_lane8!(l => mask(a[l] > b[l])))
    }

    #[inline(always)]
    fn lt(self, o: F8) -> M8 {
        let (a, b) = (self.0, o.0);
        M8(crate::each_lane8!(l => mask(a[l] < b[l])))
    }

    #[inline(always)]
    fn ge(self, o: F8) -> M8 {
        let (a, b) = (self.0, o.0);
        M8(crate::each_lane8!(l => mask(a[l] >= b[l])))
    }

    #[inline(always)]
    fn and(a: M8, b: M8) -> M8 {
        let (a, b) = (a.0, b.0);
        M8(crate::each_lane8!(l => a[l] & b[l]))
    }

    #[inline(always)]
    fn select(m: M8, a: F8, b: F8) -> F8 {
        let (m, a, b) = (m.0, a.0, b.0);
        F8(crate::each_lane8!(l => f64::from_bits(
            (m[l] & a[l].to_bits()) | (!m[l] & b[l].to_bits())
        )))
    }

    #[inline(always)]
    fn cbrt_guess(self) -> F8 {
        let a = self.0;
        F8(crate::each_lane8!(l => f64::from_bits(cbrt_hi(a[l].to_bits()))))
    }
}

/// `max(x, 0)` (0 for NaN).
#[inline(always)]
pub fn max0<R: Real>(x: R) -> R {
    x.max(R::splat(0.0))
}

/// `x` clamped to [0, 1] (0 for NaN).
#[inline(always)]
pub fn clamp01<R: Real>(x: R) -> R {
    x.max(R::splat(0.0)).min(R::splat(1.0))
}

/// Below this the cube root's first guess is scaled (the bit trick needs a
/// normal number well inside the exponent range).
const CBRT_TINY: f64 = 1e-150;

/// The cube root of `x ≥ 0` (0 for `x ≤ 0` and NaN): a bit-level first
/// guess refined by two Halley steps, relative error below 1e-14.
#[inline(always)]
pub fn cbrt<R: Real>(x: R) -> R {
    let (tiny, zero) = (R::splat(CBRT_TINY), R::splat(0.0));
    let small = x.lt(tiny);
    // 2³⁰⁰ before, 2⁻¹⁰⁰ after, for the rare tiny x.
    let scaled = R::select(
        small,
        x * R::splat(f64::from_bits(0x52B0_0000_0000_0000)),
        x,
    );
    let mut y = scaled.cbrt_guess();
    let (two, scaled2) = (R::splat(2.0), scaled + scaled);
    for _ in 0..2 {
        let y3 = y * y * y;
        y = y * ((y3 + scaled2) / (two * y3 + scaled));
    }
    let y = R::select(
        small,
        y * R::splat(f64::from_bits(0x39B0_0000_0000_0000)),
        y,
    );
    R::select(x.gt(zero), y, zero)
}

/// The cube roots of `x` and `z` at once: [`cbrt`]'s Halley steps with one
/// division for both (`n₁/d₁ = n₁·d₂/(d₁·d₂)`). Same accuracy for
/// arguments up to 1e100 (the products of values in [0, 1] it is used
/// for); the two results need not have the same bits as [`cbrt`]'s.
#[inline(always)]
pub fn cbrt2<R: Real>(x: R, z: R) -> (R, R) {
    let (tiny, zero) = (R::splat(CBRT_TINY), R::splat(0.0));
    let up = R::splat(f64::from_bits(0x52B0_0000_0000_0000));
    let down = R::splat(f64::from_bits(0x39B0_0000_0000_0000));
    let (small_x, small_z) = (x.lt(tiny), z.lt(tiny));
    // Zero, negative or NaN lanes compute the root of 1 (and give 0): a
    // Halley step of 0 divides 0 by 0, which the shared division would pass
    // on to the other root.
    let one = R::splat(1.0);
    let xs = R::select(x.gt(zero), R::select(small_x, x * up, x), one);
    let zs = R::select(z.gt(zero), R::select(small_z, z * up, z), one);
    let (mut a, mut b) = (xs.cbrt_guess(), zs.cbrt_guess());
    let two = R::splat(2.0);
    for _ in 0..2 {
        let (a3, b3) = (a * a * a, b * b * b);
        let (na, da) = (a3 + two * xs, two * a3 + xs);
        let (nb, db) = (b3 + two * zs, two * b3 + zs);
        let r = one / (da * db);
        a = a * (na * db * r);
        b = b * (nb * da * r);
    }
    let a = R::select(small_x, a * down, a);
    let b = R::select(small_z, b * down, b);
    (
        R::select(x.gt(zero), a, zero),
        R::select(z.gt(zero), b, zero),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worst(f: impl Fn(f64) -> f64) -> f64 {
        let mut worst = 0.0f64;
        let mut check = |v: f64| {
            let want = v.cbrt();
            worst = worst.max(((f(v) - want) / want).abs());
        };
        let mut x = 1e-300f64;
        while x <= 1.0 {
            for m in [1.0, 1.37, 2.5, 4.99, 7.3] {
                if x * m <= 1.0 {
                    check(x * m);
                }
            }
            x *= 1.7;
        }
        for i in 1..=100_000 {
            check(f64::from(i) / 100_000.0);
        }
        check(f64::MIN_POSITIVE / 8.0);
        worst
    }

    #[test]
    fn the_build_is_the_one_asked_for_when_the_processor_has_it() {
        let widest = Isa::all_available()[0];
        assert_eq!(choose("off"), Isa::Portable);
        assert_eq!(choose("portable"), Isa::Portable);
        let avx2 = if avx2_available() {
            Isa::Avx2
        } else {
            Isa::Portable
        };
        assert_eq!(choose(""), avx2, "AVX2 is the default");
        assert_eq!(choose("avx2"), avx2);
        assert_eq!(choose("AVX512"), widest);
    }

    #[test]
    fn cube_roots_match_the_standard_library() {
        let w = worst(cbrt::<f64>);
        assert!(w < 1e-14, "cbrt: worst relative error {w:e}");
        let w = worst(|v| cbrt2::<f64>(v, 0.3).0);
        assert!(w < 1e-14, "cbrt2 (first): worst relative error {w:e}");
        let w = worst(|v| cbrt2::<f64>(0.7, v).1);
        assert!(w < 1e-14, "cbrt2 (second): worst relative error {w:e}");
        for f in [cbrt::<f64>, |v| cbrt2::<f64>(v, v).0] {
            assert_eq!(f(0.0), 0.0);
            assert_eq!(f(-0.5), 0.0);
            assert_eq!(f(f64::NAN), 0.0);
            assert!((f(1.0) - 1.0).abs() <= 2.0 * f64::EPSILON);
            assert!((f(0.125) - 0.5).abs() <= f64::EPSILON);
        }
    }

    #[test]
    fn lanes_give_the_bits_of_one_value_at_a_time() {
        let xs = [0.0, 1e-200, 0.3, 0.999_999, -0.1, f64::NAN, 1.0, 0.5];
        for w in xs.windows(4) {
            let v = F4([w[0], w[1], w[2], w[3]]);
            let (c, c2) = (cbrt(v), cbrt2(v, v * F4::splat(0.5)));
            let clamp = clamp01(v * F4::splat(1.5) - F4::splat(0.2));
            for (l, &x) in w.iter().enumerate() {
                assert_eq!(c.0[l].to_bits(), cbrt(x).to_bits());
                let s = cbrt2(x, x * 0.5);
                assert_eq!(
                    (c2.0.0[l].to_bits(), c2.1.0[l].to_bits()),
                    (s.0.to_bits(), s.1.to_bits())
                );
                assert_eq!(clamp.0[l].to_bits(), clamp01(x * 1.5 - 0.2).to_bits());
            }
        }
        assert_eq!(clamp01(-0.0f64).to_bits(), 0.0f64.to_bits());
        assert_eq!(clamp01(f64::NAN), 0.0);
        assert_eq!(F4([1.0, 2.0, 3.0, 4.0]).sum(), 10.0);
        // Eight lanes: each lane the bits of one value at a time, and the
        // halves are the lanes in order.
        let v = F8(xs);
        let (lo, hi) = v.halves();
        assert_eq!(
            F8::join(lo.0, hi.0).0.map(f64::to_bits),
            xs.map(f64::to_bits)
        );
        let c8 = cbrt2(v, clamp01(v * F8::splat(1.5) - F8::splat(0.2)));
        for (l, &x) in xs.iter().enumerate() {
            let s = cbrt2(x, clamp01(x * 1.5 - 0.2));
            assert_eq!(
                (c8.0.0[l].to_bits(), c8.1.0[l].to_bits()),
                (s.0.to_bits(), s.1.to_bits())
            );
        }
    }
}
