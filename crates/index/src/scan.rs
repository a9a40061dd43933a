//! The linear scan, prefetching, and running the hot loops with the best
//! popcount instructions the CPU has.
//!
//! The portable x86-64 target has no POPCNT instruction, so `count_ones`
//! compiles to a dozen shifts and adds. [`dispatched!`] defines a search
//! entry point that checks the CPU once per call (std caches the detection)
//! and runs the same code compiled for AVX-512 VPOPCNTQ, AVX2 or POPCNT where
//! available. The `unsafe` here is limited to calling those compiled copies
//! after the check, and to the prefetch hint; tests compare every level with
//! the portable code.

use crate::key::distance;

/// The instruction sets the hot loops are compiled for, best first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    /// AVX-512 with its 64-bit popcount (VPOPCNTQ): 8 hashes' limbs at a time.
    Avx512,
    /// AVX2 and POPCNT: popcount by nibble lookup, 4 limbs at a time.
    Avx2,
    /// POPCNT alone.
    Popcnt,
    /// Portable code (`count_ones` as shifts and adds).
    Portable,
}

/// The best level this CPU runs (std caches the detection).
#[inline(always)]
pub(crate) fn level() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512vpopcntdq")
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("popcnt")
        {
            return Level::Avx512;
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
            return Level::Avx2;
        }
        if std::is_x86_feature_detected!("popcnt") {
            return Level::Popcnt;
        }
    }
    Level::Portable
}

/// Defines `$name`, which runs `$body` (an `#[inline(always)]` function)
/// compiled for the best [`Level`] the CPU has. The instruction set applies
/// to the code inlined into the wrapper, which is why the hot loops are
/// `#[inline(always)]`. Results are identical at every level; tests compare
/// them.
macro_rules! dispatched {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $body:path) => {
        $(#[$doc])*
        pub(crate) fn $name($($arg: $ty),*) -> $ret {
            $crate::scan::at_level!($crate::scan::level(), fn $name($($arg: $ty),*) -> $ret = $body)
        }
    };
}
pub(crate) use dispatched;

/// Runs `$body` compiled for the given [`Level`] (falling back to the
/// portable code off x86-64).
macro_rules! at_level {
    ($level:expr, fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $body:path) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx512f,avx512bw,avx512vpopcntdq,popcnt")]
            fn avx512($($arg: $ty),*) -> $ret {
                $body($($arg),*)
            }
            #[target_feature(enable = "avx2,popcnt")]
            fn avx2($($arg: $ty),*) -> $ret {
                $body($($arg),*)
            }
            #[target_feature(enable = "popcnt")]
            fn popcnt($($arg: $ty),*) -> $ret {
                $body($($arg),*)
            }
            // The macro expands where it is used: the `unsafe` is allowed
            // here, not in those modules.
            #[allow(unsafe_code)]
            let result = match $level {
                // SAFETY: each function needs only the features of its level,
                // and the level says the CPU has them.
                $crate::scan::Level::Avx512 => unsafe { avx512($($arg),*) },
                $crate::scan::Level::Avx2 => unsafe { avx2($($arg),*) },
                $crate::scan::Level::Popcnt => unsafe { popcnt($($arg),*) },
                $crate::scan::Level::Portable => $body($($arg),*),
            };
            result
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = $level;
            $body($($arg),*)
        }
    }};
}
pub(crate) use at_level;

/// Asks the CPU to start loading the cache line holding `address` into cache.
///
/// Multi-index search visits about a thousand buckets per table and fetches
/// a few thousand hashes at random: issuing these loads ahead of use lets
/// them overlap (measured about twice as fast at 1M hashes, radius 31).
#[inline(always)]
pub(crate) fn prefetch<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults and never changes a
    // result, whatever the address. SSE, which provides it, is part of x86-64.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Bytes in a cache line.
const CACHE_LINE: usize = 64;

/// Prefetches every cache line of `items`.
#[inline(always)]
pub(crate) fn prefetch_all<T>(items: &[T]) {
    let bytes = size_of_val(items);
    let start = items.as_ptr().cast::<u8>();
    let mut offset = 0;
    while offset < bytes {
        prefetch(start.wrapping_add(offset));
        offset += CACHE_LINE;
    }
}

/// Hashes compared per branch-free block of the scan (vectorised by the compiler).
const SCAN_BLOCK: usize = 8;

/// Calls `found(position, distance)` for every hash within `radius` of `query`.
#[inline(always)]
pub(crate) fn scan(
    hashes: &[[u64; 4]],
    query: &[u64; 4],
    radius: u32,
    mut found: impl FnMut(usize, u32),
) {
    let mut blocks = hashes.chunks_exact(SCAN_BLOCK);
    for (b, block) in (&mut blocks).enumerate() {
        let mut d = [0u32; SCAN_BLOCK];
        for (slot, hash) in d.iter_mut().zip(block) {
            *slot = distance(hash, query);
        }
        let mut within = 0u32;
        for (i, &slot) in d.iter().enumerate() {
            within |= u32::from(slot <= radius) << i;
        }
        while within != 0 {
            let i = within.trailing_zeros() as usize;
            found(b * SCAN_BLOCK + i, d[i]);
            within &= within - 1;
        }
    }
    let done = hashes.len() - blocks.remainder().len();
    for (i, hash) in blocks.remainder().iter().enumerate() {
        let d = distance(hash, query);
        if d <= radius {
            found(done + i, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(always)]
    fn collect(hashes: &[[u64; 4]], query: &[u64; 4], radius: u32) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        scan(hashes, query, radius, |p, d| out.push((p, d)));
        out
    }

    fn at(level: Level, hashes: &[[u64; 4]], query: &[u64; 4], radius: u32) -> Vec<(usize, u32)> {
        at_level!(level, fn scan_at(hashes: &[[u64; 4]], query: &[u64; 4], radius: u32) -> Vec<(usize, u32)> = collect)
    }

    #[test]
    fn popcount_path_and_plain_path_agree() {
        let hashes: Vec<[u64; 4]> = (0..1000u64)
            .map(|i| {
                let x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                [x, x.rotate_left(17), !x, x ^ i]
            })
            .collect();
        let query = [0x0123_4567_89ab_cdef, 0, u64::MAX, 42];
        for radius in [0, 100, 128, 140, 256] {
            let mut plain = Vec::new();
            scan(&hashes, &query, radius, |p, d| plain.push((p, d)));
            let best = level();
            for level in [Level::Avx512, Level::Avx2, Level::Popcnt, Level::Portable] {
                if level as u8 >= best as u8 {
                    assert_eq!(plain, at(level, &hashes, &query, radius), "{level:?}");
                }
            }
            let brute: Vec<(usize, u32)> = hashes
                .iter()
                .enumerate()
                .map(|(p, h)| (p, pdq::Hash256(*h).distance(&pdq::Hash256(query))))
                .filter(|&(_, d)| d <= radius)
                .collect();
            assert_eq!(plain, brute);
        }
    }
}
