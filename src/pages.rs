//! Large arrays on huge pages.
//!
//! A run of 1 000 000 professionals reads its peers at random across tens
//! of megabytes. With 4 KiB pages nearly every such read also misses the
//! processor's address cache (the TLB) and walks the page tables; with
//! 2 MiB pages the whole snapshot needs a few dozen entries. Arrays read
//! in order gain nothing from them: the state arrays stay on small pages,
//! whose first touch costs less system time here (PERFORMANCE.md).
//!
//! On Linux, [`filled`] asks the kernel for transparent huge pages
//! (`madvise(MADV_HUGEPAGE)`) before the memory is first touched. That is a
//! hint: the kernel honours it when
//! `/sys/kernel/mm/transparent_hugepage/enabled` says `madvise` or `always`,
//! and ignores it when it says `never`, or on another system. It changes
//! where the values live, never a value (PERFORMANCE.md has what it buys).

/// The size of a huge page on x86-64 and most other Linux systems.
const HUGE: usize = 2 << 20;

/// `n` copies of `value`, on huge pages where the system gives them.
pub fn filled<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise(&v);
    v.resize(n, value);
    v
}

/// Asks for huge pages for the whole 2 MiB pages inside `v`'s allocation.
#[cfg(target_os = "linux")]
fn advise<T>(v: &Vec<T>) {
    let bytes = v.capacity().saturating_mul(size_of::<T>());
    // Smaller arrays gain nothing, and may share pages with other data.
    if bytes < 2 * HUGE {
        return;
    }
    let start = v.as_ptr() as usize;
    let (lo, hi) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
    if hi <= lo {
        return;
    }
    // SAFETY: `lo .. hi` lies inside the allocation of `v`, which lives
    // through the call; MADV_HUGEPAGE changes only how the kernel backs
    // those pages, never their contents, so no reference is invalidated.
    // A refusal (no transparent huge pages) is not an error for us.
    unsafe {
        let _ = rustix::mm::madvise(lo as *mut _, hi - lo, rustix::mm::Advice::LinuxHugepage);
    }
}

/// Elsewhere there is nothing to ask.
#[cfg(not(target_os = "linux"))]
fn advise<T>(_: &Vec<T>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_arrays_hold_their_values_whatever_the_pages() {
        for n in [0, 1, 1000, 3 * HUGE / 8 + 5] {
            let v = filled(n, 0.5f64);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x == 0.5));
        }
    }

    /// Where the system has transparent huge pages, a large array's whole
    /// 2 MiB pages are advised for them: the kernel marks their mapping
    /// `hg` in /proc/self/smaps, whether or not it had a huge page free at
    /// the time. Breaking `advise` (no call, or a range outside the array)
    /// makes this fail on such a system.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_arrays_are_advised_for_huge_pages() {
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
        if !mode.is_ok_and(|m| m.contains("[madvise]") || m.contains("[always]")) {
            return;
        }
        let v = filled(8 * HUGE / 8, 1.0f64);
        // The first whole huge page of the array: the advised part is a
        // mapping of its own.
        let at = (v.as_ptr() as usize).next_multiple_of(HUGE);
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        let mut flags = None;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = (lo..hi).contains(&at);
            } else if inside && let Some(f) = line.strip_prefix("VmFlags:") {
                flags = Some(f.split_whitespace().map(String::from).collect::<Vec<_>>());
            }
        }
        let flags = flags.expect("the array's mapping in /proc/self/smaps");
        assert!(flags.iter().any(|f| f == "hg"), "flags {flags:?}");
        assert!(v.iter().all(|&x| x == 1.0));
    }
}
