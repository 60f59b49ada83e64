//! Arithmetic of the hot loop: clamping (from [`crate::lanes`], which also
//! holds the cube roots of the geometric means, for one value or four
//! lanes), and a cache hint.

pub use crate::lanes::clamp01;

/// Asks the processor to bring `value`'s cache line into the second-level
/// cache ahead of use (a hint: no effect on results). Large organisations
/// read their peers at random across memory; fetching a later team's peers
/// while this team is computed hides much of that latency.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 processor has; a
    // prefetch never faults and writes nothing, and the pointer comes from a
    // live reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(
            (value as *const T).cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
