//! Key popularity: which key each data access touches.
//!
//! A request's keys are a function of the request's arrival number and the
//! access's place within the request, hashed with a stream's seed, so that
//! two designs run under one seed read and write the same keys in the same
//! requests however differently they schedule them (common random
//! numbers). Up to [`ALIAS_MAX_KEYS`] keys, a Zipf key is drawn from an
//! alias table (A. J. Walker, 1977, built by M. D. Vose's method, IEEE TSE
//! 17(9), 1991): one 64-bit draw and two table reads, no transcendental
//! function, for 12 bytes a key. Larger key spaces use rejection-inversion
//! (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates
//! from monotone discrete distributions", ACM TOMACS 6(3), 1996): O(1)
//! memory for any key space, at the cost of an `exp` and a `log` or two
//! per key.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Key spaces up to this size draw from an alias table (12 MB at most).
pub const ALIAS_MAX_KEYS: u64 = 1 << 20;

/// A hash map keyed by 64-bit keys, with a fast hasher.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// A fast hasher for 64-bit keys (a multiply and a rotate). Keys are not
/// adversarial, so HashDoS resistance buys nothing here.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517C_C1B7_2722_0A95);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = (key ^ (key >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9).rotate_left(27);
    }
}

/// The popularity of the keys of a key space, 0-based: key 0 is the most
/// popular.
#[derive(Debug, Clone, PartialEq)]
pub enum Popularity {
    /// Zipf: key k (counting from 1) has probability ∝ k^−exponent.
    Zipf(Zipf),
    /// Every key equally likely.
    Uniform {
        /// Number of keys.
        count: u64,
    },
}

impl Popularity {
    /// Number of keys.
    pub fn count(&self) -> u64 {
        match self {
            Popularity::Zipf(z) => z.count,
            Popularity::Uniform { count } => *count,
        }
    }

    /// The key of access `access` of the request that arrived `arrival`-th,
    /// under the stream seed `seed`.
    #[inline]
    pub fn key(&self, seed: u64, arrival: u64, access: u32) -> u64 {
        let mut source = Source::new(seed, arrival, access);
        match self {
            Popularity::Zipf(z) => z.sample(&mut source) - 1,
            Popularity::Uniform { count } => {
                ((u128::from(source.next_u64()) * u128::from(*count)) >> 64) as u64
            }
        }
    }

    /// Probability of key `key` (0-based).
    pub fn probability(&self, key: u64) -> f64 {
        match self {
            Popularity::Zipf(z) => z.probability(key + 1),
            Popularity::Uniform { count } => 1.0 / *count as f64,
        }
    }
}

/// A small counter-based generator: SplitMix64 from a state mixed out of
/// a seed and two indices.
struct Source {
    state: u64,
}

impl Source {
    fn new(seed: u64, arrival: u64, access: u32) -> Source {
        let mut state = seed ^ arrival.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        state ^= u64::from(access).wrapping_mul(0xC2B2_AE3D_27D4_EB4F).rotate_left(31);
        Source { state }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Zipf over `1..=count` with exponent `s > 0`, with the constants of
/// rejection-inversion worked out once.
#[derive(Debug, Clone, PartialEq)]
pub struct Zipf {
    count: u64,
    exponent: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    squeeze: f64,
    /// The normalising sum Σ k^−s, for probabilities (exact up to a million
    /// keys, an integral tail beyond).
    normaliser: f64,
    /// The alias table, for key spaces of at most [`ALIAS_MAX_KEYS`];
    /// shared by the clones a run makes.
    alias: Option<Arc<AliasTable>>,
}

/// Walker's alias table: column `i` keeps rank `i + 1` when the low part
/// of the draw is below `keep[i]` (a probability scaled to 2⁶⁴), and gives
/// `alias[i]` otherwise.
#[derive(Debug, Clone, PartialEq)]
struct AliasTable {
    keep: Vec<u64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// Vose's construction for the probabilities `p` (summing to 1).
    fn new(p: &[f64]) -> AliasTable {
        let n = p.len();
        let mut scaled: Vec<f64> = p.iter().map(|pi| pi * n as f64).collect();
        let mut keep = vec![u64::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            keep[s] = (scaled[s] * 18_446_744_073_709_551_616.0) as u64;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left holds (up to rounding) exactly one column's worth.
        AliasTable { keep, alias }
    }

    /// A 0-based rank from one uniform 64-bit draw: its high part picks the
    /// column, the rest of the product decides keep or alias.
    #[inline]
    fn sample(&self, bits: u64) -> u64 {
        let product = u128::from(bits) * self.keep.len() as u128;
        let column = (product >> 64) as usize;
        if (product as u64) < self.keep[column] {
            column as u64
        } else {
            u64::from(self.alias[column])
        }
    }
}

impl Zipf {
    /// Zipf over `count` keys (at least 1) with exponent `exponent` (above
    /// 0 and finite; validation refuses anything else).
    pub fn new(count: u64, exponent: f64) -> Zipf {
        let mut zipf = Zipf {
            count,
            exponent,
            h_integral_x1: 0.0,
            h_integral_n: 0.0,
            squeeze: 0.0,
            normaliser: 0.0,
            alias: None,
        };
        zipf.h_integral_x1 = zipf.h_integral(1.5) - 1.0;
        zipf.h_integral_n = zipf.h_integral(count as f64 + 0.5);
        zipf.squeeze = 2.0 - zipf.h_integral_inverse(zipf.h_integral(2.5) - zipf.h(2.0));
        zipf.normaliser = zipf.harmonic();
        if count <= ALIAS_MAX_KEYS {
            let p: Vec<f64> = (1..=count).map(|k| zipf.probability(k)).collect();
            zipf.alias = Some(Arc::new(AliasTable::new(&p)));
        }
        zipf
    }

    /// Number of keys.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exponent.
    pub fn exponent(&self) -> f64 {
        self.exponent
    }

    /// Probability of rank `k` (1-based).
    pub fn probability(&self, k: u64) -> f64 {
        libm::pow(k as f64, -self.exponent) / self.normaliser
    }

    /// Draws a rank in `1..=count`.
    fn sample(&self, source: &mut Source) -> u64 {
        if let Some(table) = &self.alias {
            return table.sample(source.next_u64()) + 1;
        }
        self.sample_by_rejection(source)
    }

    /// Draws a rank by rejection-inversion, for key spaces too large for a
    /// table.
    fn sample_by_rejection(&self, source: &mut Source) -> u64 {
        loop {
            let u = self.h_integral_n + source.uniform() * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            let k = (x + 0.5).clamp(1.0, self.count as f64) as u64;
            let kf = k as f64;
            if kf - x <= self.squeeze || u >= self.h_integral(kf + 0.5) - self.h(kf) {
                return k;
            }
        }
    }

    /// h(x) = x^−s.
    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.exponent * libm::log(x))
    }

    /// H(x), an antiderivative of h: (x^(1−s) − 1)/(1 − s), or ln x at
    /// s = 1, computed so that it stays accurate near s = 1.
    fn h_integral(&self, x: f64) -> f64 {
        let log_x = libm::log(x);
        expm1_over_x((1.0 - self.exponent) * log_x) * log_x
    }

    /// The inverse of H.
    fn h_integral_inverse(&self, y: f64) -> f64 {
        let mut t = y * (1.0 - self.exponent);
        if t < -1.0 {
            // Rounding can push t just below −1, where log1p is undefined.
            t = -1.0;
        }
        libm::exp(log1p_over_x(t) * y)
    }

    /// Σ_{k=1}^{n} k^−s: summed up to a million terms, then the rest by the
    /// Euler–Maclaurin integral (relative error far below 10⁻⁹).
    fn harmonic(&self) -> f64 {
        const EXACT: u64 = 1_000_000;
        let s = self.exponent;
        let exact = self.count.min(EXACT);
        // Summed from the smallest terms up, for accuracy.
        let mut sum: f64 = (1..=exact).rev().map(|k| libm::pow(k as f64, -s)).sum();
        if self.count > EXACT {
            let (a, b) = (EXACT as f64 + 0.5, self.count as f64 + 0.5);
            sum += self.h_integral(b) - self.h_integral(a);
        }
        sum
    }
}

/// (eˣ − 1)/x, with its limit 1 at 0.
fn expm1_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 { libm::expm1(x) / x } else { 1.0 + x / 2.0 * (1.0 + x / 3.0) }
}

/// ln(1 + x)/x, with its limit 1 at 0.
fn log1p_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 { libm::log1p(x) / x } else { 1.0 - x * (0.5 - x / 3.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frequencies(popularity: &Popularity, draws: u64) -> Vec<f64> {
        let mut counts = vec![0u64; popularity.count() as usize];
        for i in 0..draws {
            counts[popularity.key(7, i, 0) as usize] += 1;
        }
        counts.into_iter().map(|c| c as f64 / draws as f64).collect()
    }

    #[test]
    fn zipf_draws_follow_their_probabilities() {
        for s in [0.5, 0.99, 1.0, 1.3] {
            let popularity = Popularity::Zipf(Zipf::new(50, s));
            let seen = frequencies(&popularity, 400_000);
            for (k, share) in seen.iter().enumerate().take(10) {
                let p = popularity.probability(k as u64);
                let sd = (p * (1.0 - p) / 400_000.0).sqrt();
                assert!((share - p).abs() < 5.0 * sd, "s = {s}, key {k}: {share} vs {p}");
            }
        }
    }

    /// Both samplers against the probabilities, over the top keys: the
    /// alias table (small key spaces) and rejection-inversion (the same
    /// Zipf drawn without the table).
    #[test]
    fn the_alias_table_and_rejection_inversion_draw_the_same_law() {
        let mut zipf = Zipf::new(5_000, 0.9);
        let table = Popularity::Zipf(zipf.clone());
        zipf.alias = None;
        let rejection = Popularity::Zipf(zipf);
        let draws = 400_000u64;
        for popularity in [table, rejection] {
            let seen = frequencies(&popularity, draws);
            for (k, share) in seen.iter().enumerate().take(20) {
                let p = popularity.probability(k as u64);
                let sd = (p * (1.0 - p) / draws as f64).sqrt();
                assert!((share - p).abs() < 5.0 * sd, "key {k}: {share} vs {p}");
            }
            let tail: f64 = seen[1_000..].iter().sum();
            let want: f64 = (1_000..5_000).map(|k| popularity.probability(k)).sum();
            assert!((tail - want).abs() < 0.005, "tail {tail} vs {want}");
        }
    }

    #[test]
    fn an_alias_table_keeps_each_probability() {
        let p = [0.5, 0.25, 0.125, 0.125];
        let table = AliasTable::new(&p);
        // Each column is a quarter of the draws; what each rank gets from
        // its own column and from others' aliases adds up to its p.
        let mut mass = [0.0f64; 4];
        for (i, (&keep, &alias)) in table.keep.iter().zip(&table.alias).enumerate() {
            let kept = keep as f64 / 18_446_744_073_709_551_616.0;
            mass[i] += kept / 4.0;
            mass[alias as usize] += (1.0 - kept) / 4.0;
        }
        for (m, want) in mass.iter().zip(p) {
            assert!((m - want).abs() < 1e-12, "{mass:?}");
        }
    }

    #[test]
    fn probabilities_add_up_to_one() {
        for count in [1, 10, 1_000, 3_000_000] {
            let zipf = Zipf::new(count, 0.8);
            let total: f64 = (1..=count.min(2_000_000)).map(|k| zipf.probability(k)).sum();
            if count <= 2_000_000 {
                assert!((total - 1.0).abs() < 1e-9, "{count}: {total}");
            }
        }
    }

    #[test]
    fn keys_depend_on_request_and_access_only() {
        let popularity = Popularity::Zipf(Zipf::new(1_000_000, 0.9));
        assert_eq!(popularity.key(1, 42, 3), popularity.key(1, 42, 3));
        let distinct: std::collections::HashSet<u64> =
            (0..100).map(|i| popularity.key(1, 1_000 + i, 0)).collect();
        assert!(distinct.len() > 10);
        let uniform = Popularity::Uniform { count: 10 };
        assert!((0..1_000).all(|i| uniform.key(3, i, 1) < 10));
    }
}
