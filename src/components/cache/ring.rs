//! Consistent hashing of keys over a cluster's nodes, as Memcached clients
//! do (ketama): each node owns many points on a ring of 64-bit hashes, and a
//! key goes to the first point at or after its own hash. When a node is
//! down its points are skipped, so only its keys move, each to the next
//! node along the ring; when it returns, they move back.

/// Points per node: ketama's 160 keep each node's share within a few
/// percent of even.
const POINTS_PER_NODE: u64 = 160;

/// Bits of a hash that index the lookup table: 4,096 slices of the ring.
const SLICE_BITS: u32 = 12;

/// The ring.
#[derive(Debug, Clone)]
pub struct Ring {
    /// (hash, node), sorted by hash.
    points: Vec<(u64, u32)>,
    /// For each slice of the ring (a hash's top bits), the first point at
    /// or after the slice's start: a lookup scans from there, past a
    /// point or so, instead of searching the whole ring.
    first_in_slice: Vec<u32>,
}

/// SplitMix64's finaliser: a stable, well-spread hash of a 64-bit value.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Ring {
    /// The ring of `nodes` nodes.
    pub fn new(nodes: u32) -> Ring {
        let mut points: Vec<(u64, u32)> = (0..nodes)
            .flat_map(|node| {
                (0..POINTS_PER_NODE).map(move |p| (mix((u64::from(node) << 32) | p), node))
            })
            .collect();
        points.sort_unstable();
        let first_in_slice = (0..1u64 << SLICE_BITS)
            .map(|slice| {
                let start = slice << (64 - SLICE_BITS);
                points.partition_point(|&(h, _)| h < start) as u32
            })
            .collect();
        Ring { points, first_in_slice }
    }

    /// The node that holds `key`, skipping nodes for which `is_down` is
    /// true; `None` when every node is down.
    pub fn node_of(&self, key: u64, is_down: impl Fn(u32) -> bool) -> Option<u32> {
        let hash = mix(key ^ 0x5851_F42D_4C95_7F2D);
        let mut start = self.first_in_slice[(hash >> (64 - SLICE_BITS)) as usize] as usize;
        while start < self.points.len() && self.points[start].0 < hash {
            start += 1;
        }
        let n = self.points.len();
        (0..n).map(|k| self.points[(start + k) % n].1).find(|&node| !is_down(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_spread_evenly_and_only_a_lost_nodes_keys_move() {
        let ring = Ring::new(4);
        let up = |_| false;
        let mut shares = [0u32; 4];
        let keys = 40_000u64;
        for key in 0..keys {
            shares[ring.node_of(key, up).unwrap() as usize] += 1;
        }
        for share in shares {
            let expected = keys as f64 / 4.0;
            assert!((f64::from(share) - expected).abs() < 0.15 * expected, "{shares:?}");
        }
        let down = |node| node == 2;
        for key in 0..keys {
            let before = ring.node_of(key, up).unwrap();
            let after = ring.node_of(key, down).unwrap();
            assert!(after != 2);
            if before != 2 {
                assert_eq!(before, after, "key {key} moved though its node stayed up");
            }
        }
        assert_eq!(ring.node_of(1, |_| true), None);
    }

    /// The sliced lookup finds the same point as a search of the whole
    /// ring, including hashes past the last point (which wrap to the
    /// first).
    #[test]
    fn the_slice_table_agrees_with_a_full_search() {
        for nodes in [1, 3, 7] {
            let ring = Ring::new(nodes);
            for key in 0..20_000u64 {
                let hash = mix(key ^ 0x5851_F42D_4C95_7F2D);
                let start = ring.points.partition_point(|&(h, _)| h < hash);
                let want = ring.points[start % ring.points.len()].1;
                assert_eq!(ring.node_of(key, |_| false), Some(want), "key {key}");
            }
        }
    }
}
