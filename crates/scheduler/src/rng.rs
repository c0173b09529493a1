//! Seeded random streams: one per component, derived from the master seed.
//!
//! Every stream is a PCG-64 (MCG variant, `rand_pcg::Pcg64Mcg`), a portable
//! generator whose output is specified bit for bit. A stream's seed mixes the
//! master seed, a component tag and an index with SplitMix64, so adding draws
//! to one thread never changes the numbers another thread sees.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// Component tag of thread streams (durations of random steps).
pub const THREAD_STREAM: u64 = 1;
/// Component tag of GIL streams (random wake order).
pub const GIL_STREAM: u64 = 2;
/// Component tag of the OS stream (wake-up latency jitter).
pub const OS_STREAM: u64 = 3;
/// Component tag of request-source streams (arrivals, think times, routines).
pub const SOURCE_STREAM: u64 = 4;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of stream `index` of `component` under `master`.
pub fn stream_seed(master: u64, component: u64, index: u64) -> u64 {
    splitmix64(master ^ splitmix64(component.wrapping_mul(0x1000_0000_01B3) ^ splitmix64(index)))
}

/// The random stream `index` of `component` under `master`.
pub fn stream(master: u64, component: u64, index: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(stream_seed(master, component, index))
}

#[cfg(test)]
mod tests {
    use rand::RngCore;

    use super::*;

    #[test]
    fn streams_are_stable_and_distinct() {
        // Pinned: a change here changes every random scenario's results.
        assert_eq!(stream(1, THREAD_STREAM, 0).next_u64(), stream(1, THREAD_STREAM, 0).next_u64());
        assert_ne!(stream(1, THREAD_STREAM, 0).next_u64(), stream(1, THREAD_STREAM, 1).next_u64());
        assert_ne!(stream(1, THREAD_STREAM, 0).next_u64(), stream(1, GIL_STREAM, 0).next_u64());
        assert_ne!(stream(1, THREAD_STREAM, 0).next_u64(), stream(2, THREAD_STREAM, 0).next_u64());
        expect_test::expect!["3827321952350453894"].assert_eq(&stream(1, THREAD_STREAM, 0).next_u64().to_string());
    }
}
