//! Standard exponential and normal draws by the ziggurat method.
//!
//! Marsaglia, G. and Tsang, W. W. (2000), "The Ziggurat Method for
//! Generating Random Variables", Journal of Statistical Software 5(8).
//! The area under the density is cut into 256 horizontal layers of equal
//! area; a draw picks a layer and a point along it, and in about 98 % of
//! draws the point lies inside the next layer up, so it is under the curve
//! and is returned after one multiplication and one comparison. Only the
//! rest pay for an `exp` (the layer's curved edge) or a `log` (the tail).
//! Inverting the CDF instead costs a `log` on every draw, which was the
//! engine's largest single cost on the M/M/c benchmark.
//!
//! The layer tables are worked out once, with `libm`, so they and every
//! draw are the same bits on every CPU.

use std::sync::OnceLock;

use crate::engine::random::Stream;

/// Number of layers: the low 8 bits of a draw choose one.
const LAYERS: usize = 256;

/// One density's layers. Layer `i` spans `0..width[i]` horizontally and
/// `low[i]..low[i + 1]` vertically (density values); layer 0 is the base
/// strip, whose width is stretched so that its rectangle has the common
/// area and whose part beyond `tail_start` stands for the tail.
struct Layers {
    /// Width of each layer (for layer 0, area ÷ height at `tail_start`).
    width: [f64; LAYERS],
    /// Width of the layer above: a point left of it is under the curve.
    inner: [f64; LAYERS],
    /// The density at each layer's right edge, `f(width[i])`, with one
    /// more entry, `f(0)`, for the top of the last layer.
    density: [f64; LAYERS + 1],
}

impl Layers {
    /// Builds the layers of a decreasing density `f` on x ≥ 0, whose
    /// inverse is `f_inverse`, for the tail start `r` and layer area `v`
    /// that Marsaglia and Tsang give for 256 layers.
    fn build(f: impl Fn(f64) -> f64, f_inverse: impl Fn(f64) -> f64, r: f64, v: f64) -> Layers {
        let mut edges = [0.0f64; LAYERS + 1];
        edges[1] = r;
        for i in 1..LAYERS {
            let next = f(edges[i]) + v / edges[i];
            // The last edge is the peak, x = 0; rounding may overshoot it.
            edges[i + 1] = if next >= f(0.0) { 0.0 } else { f_inverse(next) };
        }
        edges[LAYERS] = 0.0;
        edges[0] = v / f(r);
        let mut layers =
            Layers { width: [0.0; LAYERS], inner: [0.0; LAYERS], density: [0.0; LAYERS + 1] };
        for i in 0..LAYERS {
            layers.width[i] = edges[i];
            layers.inner[i] = edges[i + 1];
            layers.density[i] = f(edges[i].min(r));
        }
        layers.density[LAYERS] = f(0.0);
        layers
    }
}

fn exponential_layers() -> &'static Layers {
    static LAYERS_EXP: OnceLock<Layers> = OnceLock::new();
    LAYERS_EXP.get_or_init(|| {
        Layers::build(
            |x| libm::exp(-x),
            |y| -libm::log(y),
            7.697_117_470_131_05,
            0.003_949_659_822_581_557,
        )
    })
}

fn normal_layers() -> &'static Layers {
    static LAYERS_NORMAL: OnceLock<Layers> = OnceLock::new();
    LAYERS_NORMAL.get_or_init(|| {
        Layers::build(
            |x| libm::exp(-0.5 * x * x),
            |y| libm::sqrt(-2.0 * libm::log(y)),
            3.654_152_885_361_009,
            0.004_928_673_233_99,
        )
    })
}

/// Splits a 64-bit draw into a layer (its low 8 bits) and a uniform in
/// [0, 1) from its top 53 bits.
#[inline]
fn split(bits: u64) -> (usize, f64) {
    ((bits & 0xFF) as usize, (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
}

/// True when a point at `x` in layer `i`, given the curved part of the
/// layer, falls under the density `f`: a second uniform picks its height.
#[inline]
fn under_curve(
    layers: &Layers,
    i: usize,
    x: f64,
    f: impl Fn(f64) -> f64,
    stream: &mut Stream,
) -> bool {
    let (low, high) = (layers.density[i], layers.density[i + 1]);
    low + stream.uniform() * (high - low) < f(x)
}

/// A standard exponential draw (mean 1).
#[inline]
pub fn exponential(stream: &mut Stream) -> f64 {
    let layers = exponential_layers();
    loop {
        let (i, u) = split(stream.next_u64());
        let x = u * layers.width[i];
        if x < layers.inner[i] {
            return x;
        }
        if i == 0 {
            // Beyond the base's tail start the density is memoryless.
            return layers.inner[0] - libm::log(stream.uniform_open0());
        }
        if under_curve(layers, i, x, |x| libm::exp(-x), stream) {
            return x;
        }
    }
}

/// A standard normal draw (mean 0, standard deviation 1).
#[inline]
pub fn normal(stream: &mut Stream) -> f64 {
    let layers = normal_layers();
    loop {
        let bits = stream.next_u64();
        let (i, u) = split(bits);
        let sign = if bits & 0x100 == 0 { 1.0 } else { -1.0 };
        let x = u * layers.width[i];
        if x < layers.inner[i] {
            return sign * x;
        }
        if i == 0 {
            return sign * normal_tail(layers.inner[0], stream);
        }
        if under_curve(layers, i, x, |x| libm::exp(-0.5 * x * x), stream) {
            return sign * x;
        }
    }
}

/// A draw of the normal's tail beyond `r` (Marsaglia 1964).
fn normal_tail(r: f64, stream: &mut Stream) -> f64 {
    loop {
        let a = -libm::log(stream.uniform_open0()) / r;
        let b = -libm::log(stream.uniform_open0());
        if 2.0 * b > a * a {
            return r + a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kolmogorov–Smirnov distance between `n` draws and the CDF `cdf`.
    fn ks_distance(mut draws: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        draws.sort_by(f64::total_cmp);
        let n = draws.len() as f64;
        draws.iter().enumerate().fold(0.0f64, |worst, (k, &x)| {
            let c = cdf(x);
            worst.max((c - k as f64 / n).abs()).max(((k + 1) as f64 / n - c).abs())
        })
    }

    /// The standard normal CDF, from the complementary error function.
    fn normal_cdf(x: f64) -> f64 {
        0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }

    const N: usize = 1_000_000;
    /// The KS critical distance at the 0.1 % level for N draws, 1.95/√N.
    fn ks_critical() -> f64 {
        1.95 / (N as f64).sqrt()
    }

    #[test]
    fn layers_close_at_the_peak_with_equal_areas() {
        for (layers, f) in [
            (exponential_layers(), (|x: f64| libm::exp(-x)) as fn(f64) -> f64),
            (normal_layers(), |x: f64| libm::exp(-0.5 * x * x)),
        ] {
            assert_eq!(layers.inner[LAYERS - 1], 0.0);
            // Every layer above the base has the base's area, so the
            // recursion that built them closes near the peak.
            let area = |i: usize| layers.width[i] * (f(layers.inner[i]) - f(layers.width[i]));
            let base = layers.width[0] * f(layers.inner[0]);
            for i in 1..LAYERS - 1 {
                assert!((area(i) - base).abs() < 1e-9 * base, "layer {i}");
            }
            // The top layer, cut at the peak, keeps the area to 1 part in
            // a million: the published r and v close the recursion.
            let top = area(LAYERS - 1);
            assert!((top - base).abs() < 1e-6 * base, "top layer {top} vs {base}");
        }
    }

    #[test]
    fn exponential_follows_its_cdf() {
        let mut stream = Stream::new(3, 0, "zig-exp");
        let draws: Vec<f64> = (0..N).map(|_| exponential(&mut stream)).collect();
        let mean = draws.iter().sum::<f64>() / N as f64;
        assert!((mean - 1.0).abs() < 4.0 / (N as f64).sqrt(), "mean {mean}");
        assert!(ks_distance(draws, |x| -libm::expm1(-x)) < ks_critical());
    }

    #[test]
    fn normal_follows_its_cdf_in_the_body_and_the_tails() {
        let mut stream = Stream::new(4, 0, "zig-normal");
        let draws: Vec<f64> = (0..N).map(|_| normal(&mut stream)).collect();
        let beyond = |t: f64| draws.iter().filter(|x| x.abs() > t).count() as f64;
        // P(|Z| > 3.6541…) = 2.58e-4: about 258 of a million draws, from
        // the tail branch; ± 4 standard errors.
        let want = 2.0 * (1.0 - normal_cdf(3.654_152_885_361_009)) * N as f64;
        assert!((beyond(3.654_152_885_361_009) - want).abs() < 4.0 * want.sqrt(), "tail");
        assert!(ks_distance(draws, normal_cdf) < ks_critical());
    }

    #[test]
    fn same_stream_same_draws() {
        let draw = || {
            let mut stream = Stream::new(9, 2, "zig");
            (0..1000).map(|_| (exponential(&mut stream), normal(&mut stream))).collect::<Vec<_>>()
        };
        assert_eq!(draw(), draw());
    }
}
