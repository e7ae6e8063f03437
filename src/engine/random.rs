//! Random streams: one seeded generator per purpose.
//!
//! Each stream is seeded from a stable hash of the scenario seed, the
//! replication index and the stream's name ("arrivals", "web.cpu", …), so
//! adding a component or a draw in one place never shifts the numbers any
//! other place sees. The hash is FNV-1a over the name, mixed with SplitMix64:
//! both are fixed published algorithms, unlike `DefaultHasher`, whose output
//! may change between Rust releases.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A named, independently seeded random stream (xoshiro256++).
#[derive(Clone, Debug)]
pub struct Stream {
    rng: Xoshiro256PlusPlus,
}

/// Mixes a 64-bit state into a well-spread 64-bit value (SplitMix64's
/// finaliser, Steele, Lea and Flood 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64-bit: a stable hash of a stream's name.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

impl Stream {
    /// The stream called `name` for this seed and replication.
    pub fn new(seed: u64, replication: u32, name: &str) -> Stream {
        let mut state = seed ^ fnv1a(name.as_bytes()).rotate_left(17) ^ u64::from(replication);
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Stream { rng: Xoshiro256PlusPlus::from_seed(bytes) }
    }

    /// A uniform draw in the half-open interval (0, 1]: never zero, so its
    /// logarithm is always finite.
    #[inline]
    pub fn uniform_open0(&mut self) -> f64 {
        ((self.rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in [0, 1).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A raw 64-bit draw, such as a seed for a derived generator.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform integer in `0..n`; `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        // Lemire's multiply-shift: unbiased enough for routing and key
        // choice (bias below n / 2⁶⁴).
        ((u128::from(self.rng.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_numbers_other_name_other_numbers() {
        let draw = |name| Stream::new(42, 0, name).uniform();
        assert_eq!(draw("arrivals"), draw("arrivals"));
        assert_ne!(draw("arrivals"), draw("web.cpu"));
        assert_ne!(Stream::new(42, 0, "a").uniform(), Stream::new(42, 1, "a").uniform());
        assert_ne!(Stream::new(42, 0, "a").uniform(), Stream::new(43, 0, "a").uniform());
    }

    #[test]
    fn uniform_open0_is_never_zero() {
        let mut stream = Stream::new(1, 0, "x");
        assert!((0..10_000).all(|_| stream.uniform_open0() > 0.0));
    }

    #[test]
    fn the_hash_is_stable_across_releases() {
        // FNV-1a of "a" is a published test vector.
        assert_eq!(fnv1a(b"a"), 0xAF63_DC4C_8601_EC8C);
    }
}
