//! Checking an `elasticache` component: node type and count, engine, item
//! size, TTL, eviction, write policy and node timing, each default recorded
//! with its source.

use toml::Spanned;

use super::build::Defaults;
use super::error::Problem;
use super::model::{CacheSpec, ComponentKind, ItemSize, WritePolicy};
use super::raw::{RawCache, RawValue};
use super::units;
use super::values::{self, span};
use crate::catalogue::{CacheEngine, Catalogue};
use crate::components::cache::Eviction;
use crate::engine::dist::Dist;
use crate::engine::time::SimDuration;

/// The largest value Redis and Valkey store (their `proto-max-bulk-len`
/// default, 512 MiB).
const MAX_VALUE_BYTES: u64 = 512 * 1024 * 1024;
/// Bytes in a GiB.
const GIB: f64 = 1_073_741_824.0;

/// Checks an ElastiCache cluster.
pub(super) fn cache(
    raw: &RawCache,
    key: &str,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let type_key = format!("{key}.node_type");
    let node_type = catalogue.cache_node_type(raw.node_type.get_ref()).map_err(|unknown| {
        let problem = Problem::new(raw.node_type.span(), type_key.clone(), unknown.to_string());
        match &unknown.suggestion {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem.with_hint("the catalogue lists cache.t4g, m6g, m7g, r6g and r7g sizes"),
        }
    })?;
    let engine = match &raw.engine {
        None => {
            defaults.used(
                format!("{key}.engine"),
                "redis",
                "Assumption: Redis OSS, the engine most ElastiCache clusters run",
            );
            CacheEngine::Redis
        }
        Some(e) => match e.get_ref().as_str() {
            "redis" => CacheEngine::Redis,
            "valkey" => CacheEngine::Valkey,
            "memcached" => CacheEngine::Memcached,
            other => {
                return Err(Problem::new(
                    e.span(),
                    format!("{key}.engine"),
                    format!("unknown engine `{other}`: expected redis, valkey or memcached"),
                ));
            }
        },
    };
    if let Some(replicas) = &raw.replicas {
        let problem = match engine {
            CacheEngine::Memcached => Problem::new(
                replicas.span(),
                format!("{key}.replicas"),
                "Memcached has no replicas: each node holds its own share of the keys",
            ),
            CacheEngine::Redis | CacheEngine::Valkey => Problem::new(
                replicas.span(),
                format!("{key}.replicas"),
                "replica nodes are not modelled: cloudtwin's nodes are primaries only, and a \
                 lost node loses its keys",
            )
            .with_hint("leave replicas out, or add nodes to spread the keys"),
        };
        return Err(problem);
    }
    let nodes = values::integer_in(&raw.nodes, &format!("{key}.nodes"), 1, 500)?;
    let reserved = reserved_percent(raw, key, engine, catalogue, defaults)?;
    let usable_bytes_per_node = (node_type.memory_gib * GIB * (1.0 - reserved / 100.0)) as u64;
    let item_size = item_size(&raw.item_size, &format!("{key}.item_size"))?;
    let largest = item_size.max().unwrap_or(item_size.mean() as u64);
    if largest > usable_bytes_per_node {
        return Err(Problem::new(
            span(&raw.item_size),
            format!("{key}.item_size"),
            format!(
                "an item of {largest} bytes is bigger than a {} node's usable memory ({} bytes)",
                node_type.name, usable_bytes_per_node
            ),
        )
        .with_hint("choose a larger node type or smaller items"));
    }
    if largest > MAX_VALUE_BYTES {
        return Err(Problem::new(
            span(&raw.item_size),
            format!("{key}.item_size"),
            format!(
                "items of {largest} bytes (the largest, or the mean of an unbounded \
                 distribution): Redis and Valkey keep values of at most 512 MiB"
            ),
        )
        .with_hint("keep large objects in S3 and cache a reference"));
    }
    let ttl = match &raw.ttl {
        Some(t) => Some(values::positive_duration(t, &format!("{key}.ttl"))?),
        None => {
            defaults.used(
                format!("{key}.ttl"),
                "none",
                "Assumption: items stay until evicted or invalidated",
            );
            None
        }
    };
    let eviction = match &raw.eviction {
        None => {
            defaults.used(
                format!("{key}.eviction"),
                "lru",
                "AWS: maxmemory-policy defaults to volatile-lru, the least recently used of the \
                 keys with a TTL; every cached item is taken to carry one (S22)",
            );
            Eviction::Lru
        }
        Some(e) => match e.get_ref().as_str() {
            "lru" => Eviction::Lru,
            "random" => Eviction::Random,
            "none" => Eviction::None,
            other => {
                return Err(Problem::new(
                    e.span(),
                    format!("{key}.eviction"),
                    format!("unknown eviction `{other}`: expected lru, random or none"),
                ));
            }
        },
    };
    let write_policy = match &raw.write_policy {
        None => {
            defaults.used(
                format!("{key}.write_policy"),
                "invalidate",
                "Assumption: cache-aside (lazy loading): a write deletes the key and the next \
                 read fills it, as AWS's ElastiCache caching strategies describe",
            );
            WritePolicy::Invalidate
        }
        Some(w) => match w.get_ref().as_str() {
            "invalidate" => WritePolicy::Invalidate,
            "write_through" => WritePolicy::WriteThrough,
            other => {
                return Err(Problem::new(
                    w.span(),
                    format!("{key}.write_policy"),
                    format!("unknown write policy `{other}`: expected invalidate or write_through"),
                ));
            }
        },
    };
    let mut timing = |value: &Option<Spanned<String>>, name: &str, default: &str, source: &str| {
        let full = format!("{key}.{name}");
        match value {
            Some(v) => values::duration(v, &full),
            None => {
                defaults.used(full, default, source);
                Ok(units::parse_duration(default).expect("a valid default"))
            }
        }
    };
    let latency = timing(
        &raw.latency,
        "latency",
        "250us",
        "Assumption: a network round trip within one Availability Zone, client included; AWS \
         says only \"sub-millisecond\"",
    )?;
    let op_time = timing(
        &raw.op_time,
        "op_time",
        "10us",
        "Assumption: one thread serves about 100,000 simple GET and SET commands per second, \
         the order redis-benchmark measures on current cores",
    )?;
    if op_time == SimDuration::ZERO {
        return Err(Problem::new(
            raw.op_time.as_ref().map_or(raw.kind.span(), |v| v.span()),
            format!("{key}.op_time"),
            "expected a duration above zero: a node's throughput is 1 / op_time per thread",
        ));
    }
    let warm = match &raw.warm {
        Some(w) => *w.get_ref(),
        None => {
            defaults.used(
                format!("{key}.warm"),
                "false",
                "Assumption: the cache starts empty, as after a deployment",
            );
            false
        }
    };
    let zones = values::zones(
        &raw.zones,
        &format!("{key}.zones"),
        &["us-east-1a", "us-east-1b"],
        defaults,
    )?;
    let threads_per_node = match engine {
        CacheEngine::Memcached => node_type.vcpus,
        CacheEngine::Redis | CacheEngine::Valkey => 1,
    };
    Ok(ComponentKind::Cache(Box::new(CacheSpec {
        usd_per_hour: node_type.usd_per_hour(engine),
        price_source: catalogue.cite(&node_type.price),
        node_type: node_type.clone(),
        engine,
        nodes,
        usable_bytes_per_node,
        item_size,
        ttl,
        eviction,
        write_policy,
        latency,
        op_time,
        threads_per_node,
        warm,
        zones,
    })))
}

/// The share of memory kept from data, in percent.
fn reserved_percent(
    raw: &RawCache,
    key: &str,
    engine: CacheEngine,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<f64, Problem> {
    let full = format!("{key}.reserved_memory_percent");
    match &raw.reserved_memory_percent {
        Some(p) if engine == CacheEngine::Memcached => Err(Problem::new(
            p.span(),
            full,
            "Memcached has no reserved-memory setting: it may use all of its memory for items",
        )
        .with_hint("leave reserved_memory_percent out for memcached")),
        Some(p) => {
            let percent = *p.get_ref();
            if !(0.0..100.0).contains(&percent) {
                return Err(Problem::new(
                    p.span(),
                    full,
                    format!("{percent} is not a percentage from 0 to below 100"),
                ));
            }
            Ok(percent)
        }
        None => match engine {
            CacheEngine::Memcached => {
                defaults.used(
                    full,
                    "0",
                    "Assumption: Memcached has no reserved-memory setting; it may use all of \
                     its max_cache_memory for items",
                );
                Ok(0.0)
            }
            CacheEngine::Redis | CacheEngine::Valkey => {
                let facts = catalogue.cache_defaults();
                defaults.used(
                    full,
                    facts.reserved_memory_percent.to_string(),
                    catalogue.cite(&facts.reserved),
                );
                Ok(f64::from(facts.reserved_memory_percent))
            }
        },
    }
}

/// An item size: `"2KiB"`, or a table naming `dist` with sizes for its
/// parameters (`constant`, `uniform`, `exponential`, `lognormal`).
fn item_size(value: &RawValue, key: &str) -> Result<ItemSize, Problem> {
    let at = span(value);
    let form = "a size like \"2KiB\", or a table like { dist = \"lognormal\", mean = \"4KiB\", \
                cv = 1.0 } (dist: constant, uniform, exponential, lognormal)";
    let bytes_of = |v: Option<&toml::Value>, field: &str| -> Result<u64, Problem> {
        let key = if field.is_empty() { key.to_string() } else { format!("{key}.{field}") };
        match v {
            Some(toml::Value::String(text)) => match units::parse_size(text) {
                Ok(b) if b > 0 => Ok(b),
                _ => Err(Problem::new(
                    at.clone(),
                    key.clone(),
                    format!("`{text}` is not a size above zero like \"512B\" or \"4KiB\""),
                )),
            },
            Some(other) => Err(Problem::new(
                at.clone(),
                key.clone(),
                format!("{other} is not a size: write it with its unit, like \"4KiB\""),
            )),
            None => Err(Problem::new(at.clone(), key.clone(), "missing")),
        }
    };
    let as_duration = |bytes: u64| SimDuration(bytes);
    let bytes = match value.get_ref() {
        toml::Value::String(_) => Dist::Constant(as_duration(bytes_of(Some(value.get_ref()), "")?)),
        toml::Value::Table(table) => match table.get("dist").and_then(|d| d.as_str()) {
            Some("constant") => Dist::Constant(as_duration(bytes_of(table.get("value"), "value")?)),
            Some("uniform") => {
                let (min, max) =
                    (bytes_of(table.get("min"), "min")?, bytes_of(table.get("max"), "max")?);
                if min > max {
                    return Err(Problem::new(at, format!("{key}.max"), "max is below min"));
                }
                Dist::uniform(as_duration(min), as_duration(max))
            }
            Some("exponential") => {
                Dist::exponential(as_duration(bytes_of(table.get("mean"), "mean")?))
            }
            Some("lognormal") => {
                let mean = bytes_of(table.get("mean"), "mean")?;
                let cv = match table.get("cv") {
                    Some(toml::Value::Float(c)) if *c > 0.0 && *c <= 100.0 => *c,
                    Some(toml::Value::Integer(c)) if *c > 0 && *c <= 100 => *c as f64,
                    _ => {
                        return Err(Problem::new(
                            at,
                            format!("{key}.cv"),
                            "expected a coefficient of variation above 0 and at most 100",
                        ));
                    }
                };
                Dist::lognormal(as_duration(mean), cv)
            }
            _ => return Err(Problem::new(at, key, format!("expected {form}"))),
        },
        _ => return Err(Problem::new(at, key, format!("expected {form}"))),
    };
    Ok(ItemSize { bytes })
}
