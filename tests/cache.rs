//! ElastiCache against values known independently of the simulator: LRU
//! hit ratios under Zipf popularity against Che's approximation, a static
//! cache of the most popular keys against the exact sum of their
//! probabilities, a real key trace against an LRU written here and the
//! ARC paper's published figure, a lost node's stampede, node-hours to the
//! cent, and refused configurations.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use cloudtwin::billing::bill::bill;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::components::cache::{Eviction, Store};
use cloudtwin::engine::keys::{Popularity, Zipf};
use cloudtwin::engine::time::SimTime;
use cloudtwin::scenario::{self, Scenario, ScenarioError};
use cloudtwin::sim::{self, RunResult};

fn parse_in(dir: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(&dir.join("cache.toml"), text.to_string(), &Catalogue::builtin())
}

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    parse_in(Path::new("."), text)
}

fn run(text: &str) -> RunResult {
    sim::run(&parse(text).expect("valid scenario"), 0)
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Che's approximation of an LRU cache of `capacity` items under the
/// independent reference model: the characteristic time T solves
/// Σ (1 − e^(−pᵢT)) = C, and the hit ratio is Σ pᵢ (1 − e^(−pᵢT)).
fn che_hit_ratio(popularity: &Popularity, capacity: f64) -> f64 {
    let p: Vec<f64> = (0..popularity.count()).map(|k| popularity.probability(k)).collect();
    let occupancy = |t: f64| p.iter().map(|pi| 1.0 - (-pi * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while occupancy(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if occupancy(mid) < capacity { lo = mid } else { hi = mid }
    }
    p.iter().map(|pi| pi * (1.0 - (-pi * lo).exp())).sum()
}

/// The store alone, fed keys drawn from Zipf popularity: its LRU hit ratio
/// matches Che's approximation. The tolerance, 0.01, covers both the
/// approximation's own error, which for Zipf popularity and caches of
/// 1,000 items or more is a few thousandths (Fricker, Robert and Roberts,
/// "A versatile and accurate approximation for LRU cache performance",
/// ITC 2012, figures 1–3), and the sampling error of 2 million requests
/// (a standard deviation near 0.001).
#[test]
fn lru_hit_ratio_under_zipf_matches_ches_approximation() {
    for (exponent, capacity) in [(0.8, 1_000u64), (0.8, 10_000), (1.1, 2_000)] {
        let popularity = Popularity::Zipf(Zipf::new(100_000, exponent));
        let mut store = Store::new(capacity, Eviction::Lru, 1);
        let never = SimTime(u64::MAX);
        let (warm, measured) = (500_000u64, 2_000_000u64);
        let mut hits = 0u64;
        for i in 0..warm + measured {
            let key = popularity.key(42, i, 0);
            let hit = store.get(key, SimTime(0));
            if !hit {
                store.set(key, 1, never, SimTime(0));
            }
            if i >= warm {
                hits += u64::from(hit);
            }
        }
        let seen = hits as f64 / measured as f64;
        let che = che_hit_ratio(&popularity, capacity as f64);
        assert!(
            (seen - che).abs() < 0.01,
            "s = {exponent}, C = {capacity}: LRU {seen:.4}, Che {che:.4}"
        );
    }
}

/// One cache.t4g.micro node with nothing reserved: 0.5 GiB = 536,870,912
/// bytes, so items of 53,687 bytes fit exactly 10,000 times.
fn cached_site(cache_extra: &str, keys: &str, rate: &str, duration: &str) -> String {
    format!(
        r#"
        [scenario]
        name = "cached"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "{duration}"
        seed = 9
        [traffic]
        entry = "web"
        rate = "{rate}"
        arrivals = "deterministic"
        [components.web]
        type = "ec2"
        instance_type = "c7g.4xlarge"
        count = 1
        workers = 100000
        accept_queue = 100000
        cpu = "1us"
        database = "db"
        cache = "kv"
        [components.kv]
        type = "elasticache"
        node_type = "cache.t4g.micro"
        nodes = 1
        item_size = "53687B"
        reserved_memory_percent = 0
        latency = "1us"
        op_time = "1us"
        {cache_extra}
        [components.db]
        type = "rds"
        instance_class = "db.r6g.2xlarge"
        query = "1us"
        keys = {keys}
        "#
    )
}

/// Through the whole simulator: a cache of 10,000 items in front of a
/// database whose reads follow Zipf(0.8) over 100,000 keys. After a warm
/// minute the hit ratio matches Che's approximation within 0.01 (as
/// above; the run holds 1.2 million reads).
#[test]
fn a_simulated_cache_reaches_ches_hit_ratio() {
    let text = cached_site("", "{ count = 100000, zipf = 0.8 }", "10000/s", "2m")
        .replace("warmup = \"0s\"", "warmup = \"1m\"");
    let result = run(&text);
    let cache = &result.caches[0];
    let che = che_hit_ratio(&Popularity::Zipf(Zipf::new(100_000, 0.8)), 10_000.0);
    let seen = cache.hit_ratio.expect("reads happened");
    assert!(cache.counts.gets > 1_000_000);
    assert!((seen - che).abs() < 0.01, "simulated {seen:.4}, Che {che:.4}");
    assert_eq!(cache.items_at_end, 10_000);
}

/// A warm cache that never evicts holds exactly the 10,000 most popular
/// keys for the whole run, so its hit ratio is the sum of their
/// probabilities; with 1.2 million independent reads the binomial standard
/// deviation is below 0.0005, and the tolerance is four of them.
#[test]
fn a_static_top_c_cache_hits_the_sum_of_the_top_c_probabilities() {
    let text = cached_site(
        "warm = true\neviction = \"none\"",
        "{ count = 100000, zipf = 0.8 }",
        "10000/s",
        "2m",
    );
    let result = run(&text);
    let cache = &result.caches[0];
    let popularity = Popularity::Zipf(Zipf::new(100_000, 0.8));
    let top: f64 = (0..10_000).map(|k| popularity.probability(k)).sum();
    let seen = cache.hit_ratio.expect("reads happened");
    let n = cache.counts.gets as f64;
    let sd = (top * (1.0 - top) / n).sqrt();
    assert!((seen - top).abs() < 4.0 * sd, "hit ratio {seen:.5}, top-C sum {top:.5} ± {sd:.5}");
    assert_eq!(cache.counts.evictions, 0);
    assert_eq!(cache.counts.refused_sets, cache.counts.gets - cache.counts.hits);
}

/// A cache large enough never to evict, whose items live `ttl` after the
/// miss that stored them: each key's reads form renewal cycles of one miss
/// followed by the reads within T, so a key read at rate λᵢ hits
/// λᵢT / (1 + λᵢT) of the time (the TTL-cache formula of Jung, Berger and
/// Balakrishnan, "Modeling TTL-based Internet caches", INFOCOM 2003). A
/// warm start must reach the same steady state: its items were stored at
/// random instants of the last TTL, so they expire too.
#[test]
fn a_ttl_cache_hits_as_renewal_theory_says_warm_or_cold() {
    let (rate, ttl_s) = (10_000.0, 10.0);
    let popularity = Popularity::Zipf(Zipf::new(100_000, 0.8));
    let theory: f64 = (0..popularity.count())
        .map(|k| {
            let p = popularity.probability(k);
            let reads_per_ttl = rate * p * ttl_s;
            p * reads_per_ttl / (1.0 + reads_per_ttl)
        })
        .sum();
    for warm in ["warm = false", "warm = true"] {
        let text = cached_site(
            &format!("ttl = \"10s\"\n{warm}"),
            "{ count = 100000, zipf = 0.8 }",
            "10000/s",
            "2m",
        )
        .replace("item_size = \"53687B\"", "item_size = \"1KiB\"")
        .replace("warmup = \"0s\"", "warmup = \"30s\"");
        let result = run(&text);
        let cache = &result.caches[0];
        let seen = cache.hit_ratio.expect("reads happened");
        assert_eq!(cache.counts.evictions, 0, "{warm}");
        assert!(cache.counts.expirations > 0, "{warm}: items expire");
        assert!((seen - theory).abs() < 0.01, "{warm}: hit ratio {seen:.4}, theory {theory:.4}");
    }
}

/// An LRU written here, independent of cloudtwin's: the hits of replaying
/// `keys` through `capacity` items.
fn reference_lru_hits(keys: &[u64], capacity: usize) -> u64 {
    let mut last_use: HashMap<u64, u64> = HashMap::new();
    let mut order: VecDeque<(u64, u64)> = VecDeque::new();
    let mut hits = 0;
    for (tick, &key) in keys.iter().enumerate() {
        let tick = tick as u64;
        if last_use.contains_key(&key) {
            hits += 1;
        }
        last_use.insert(key, tick);
        order.push_back((key, tick));
        while last_use.len() > capacity {
            let (old, when) = order.pop_front().expect("entries remain");
            if last_use.get(&old) == Some(&when) {
                last_use.remove(&old);
            }
        }
    }
    hits
}

fn oltp_trace() -> Vec<u64> {
    let file = std::fs::File::open(scenarios_dir().join("data/arc-oltp/oltp-page-requests.txt.gz"))
        .expect("the trace ships with the scenarios");
    BufReader::new(flate2::read::MultiGzDecoder::new(file))
        .lines()
        .map(|l| l.unwrap().trim().parse().unwrap())
        .collect()
}

/// The ARC paper's OLTP trace, replayed in order through a 1,000-item
/// cache, one read per request and requests far enough apart that no two
/// overlap: the hits equal those of the LRU written here exactly, and the
/// hit ratio over the whole trace is the paper's 32.83 % for LRU.
#[test]
fn a_key_trace_through_the_cache_matches_an_independent_lru_and_the_arc_paper() {
    // 914,145 references at 10,000 per second take 91.4145 s; each request
    // takes a few microseconds, far less than the 100 µs between them.
    let text = cached_site(
        "",
        "{ trace = \"data/arc-oltp/oltp-page-requests.txt.gz\" }",
        "10000/s",
        "91414500us",
    )
    .replace("item_size = \"53687B\"", "item_size = \"536870B\"");
    let scenario = parse_in(&scenarios_dir(), &text).expect("valid scenario");
    let result = sim::run(&scenario, 0);
    let cache = &result.caches[0];
    let trace = oltp_trace();
    assert_eq!(trace.len(), 914_145);
    let reads = cache.counts.gets as usize;
    assert!(reads >= trace.len() - 2, "{reads} reads");
    assert_eq!(cache.counts.hits, reference_lru_hits(&trace[..reads], 1_000));
    let ratio = cache.counts.hits as f64 / trace.len() as f64;
    assert!((ratio - 0.3283).abs() < 0.00005, "hit ratio {ratio:.5}");
}

/// Four nodes of 10,000 items hold all 20,000 keys. Losing one loses its
/// items: its keys move to the other nodes, whose copies are missing, so
/// every one of them misses once and reads the database (a stampede), then
/// the hits return. When the replacement node comes back empty, the keys
/// move back to it and miss again.
#[test]
fn a_lost_node_sends_a_stampede_to_the_database() {
    let text = format!(
        "{}{}",
        cached_site("", "{ count = 20000, zipf = 0.9 }", "5000/s", "6m")
            .replace("nodes = 1", "nodes = 4")
            .replace("warmup = \"0s\"", "warmup = \"2m\""),
        r#"
        [[faults]]
        at = "2m"
        kind = "cache_node_loss"
        target = "kv"
        node = 1
        duration = "1m"
        "#
    );
    let result = run(&text);
    let misses: Vec<u64> =
        result.windows.iter().map(|w| w.caches[0].gets - w.caches[0].hits).collect();
    let db_reads: Vec<u64> = result.windows.iter().map(|w| w.databases[0].reads).collect();
    assert_eq!(misses, db_reads, "every miss reads the database");
    let quiet = misses[1].max(1);
    assert!(misses[2] > 5 * quiet, "stampede after the loss: {misses:?}");
    assert!(misses[3] > 5 * quiet, "stampede when the empty node returns: {misses:?}");
    assert!(misses[5] < misses[3] / 5, "the cache refills: {misses:?}");
    let events: Vec<&str> = result.event_log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["node lost", "node replaced"]);
}

/// Three cache.r7g.large Redis OSS nodes at 0.219 USD per node-hour (S21,
/// written here, not read from the catalogue) for a 90-minute window that
/// starts at 14:30: each node touches two clock hours and a partial hour is
/// billed as a full one, so 3 × 2 × 0.219 = 1.314 USD.
#[test]
fn node_hours_bill_partial_hours_as_full_to_the_cent() {
    let text = cached_site("", "{ count = 1000, zipf = 1.0 }", "10/s", "90m")
        .replace("node_type = \"cache.t4g.micro\"", "node_type = \"cache.r7g.large\"")
        .replace("nodes = 1", "nodes = 3")
        .replace("item_size = \"53687B\"", "item_size = \"1KiB\"")
        .replace("2026-01-01T00:00:00Z", "2026-01-01T14:30:00Z");
    let scenario = parse(&text).expect("valid");
    let result = sim::run(&scenario, 0);
    let line = bill(&scenario, &result.usage)
        .lines
        .into_iter()
        .find(|l| l.service == "ElastiCache")
        .expect("a node line");
    assert_eq!(line.quantity, 6.0);
    assert_eq!((line.window.as_usd_f64() * 100.0).round() as i64, 131);
    assert!((line.window.as_usd_f64() - 3.0 * 2.0 * 0.219).abs() < 1e-9);
}

fn refused(text: &str, key: &str, words: &str) {
    let error = parse(text).expect_err("the scenario must be refused").to_string();
    assert!(error.contains(key) && error.contains(words), "{error}");
}

#[test]
fn bad_caches_are_refused_with_their_key() {
    let site = |extra: &str, keys: &str| cached_site(extra, keys, "10/s", "10m");
    let zipf = "{ count = 1000, zipf = 1.0 }";
    refused(
        &site("", zipf)
            .replace(
                "item_size = \"53687B\"",
                "item_size = { dist = \"exponential\", mean = \"800MiB\" }",
            )
            .replace("cache.t4g.micro", "cache.r7g.xlarge"),
        "components.kv.item_size",
        "at most 512 MiB",
    );
    refused(
        &site("", zipf).replace("item_size = \"53687B\"", "item_size = \"1GiB\""),
        "components.kv.item_size",
        "bigger than a cache.t4g.micro node",
    );
    refused(
        &site("", zipf).replace("nodes = 1", "nodes = 0"),
        "components.kv.nodes",
        "out of range",
    );
    refused(
        &site("engine = \"memcached\"\nreplicas = 1", zipf),
        "components.kv.replicas",
        "Memcached has no replicas",
    );
    refused(&site("", "{ count = 1000, zipf = 0 }"), "components.db.keys.zipf", "above 0");
    refused(&site("", "{ count = 1000, zipf = -1.2 }"), "components.db.keys.zipf", "above 0");
    refused(
        &site("", "{ trace = \"no/such/keys.txt\" }"),
        "components.db.keys.trace",
        "cannot read",
    );
    refused(
        &site("", zipf)
            .replace("node_type = \"cache.t4g.micro\"", "node_type = \"cache.r7g.larg\""),
        "components.kv.node_type",
        "cache.r7g.large",
    );
    refused(
        &site("", zipf).replace("keys = { count = 1000, zipf = 1.0 }", ""),
        "components.db.keys",
        "reads go through a cache",
    );
}
