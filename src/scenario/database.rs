//! Checking an `rds` component: class and engine, Multi-AZ, storage and
//! IOPS, query times by kind, read replicas, replication lag, keys,
//! connections and what callers do during an outage.

use std::path::Path;

use super::build::Defaults;
use super::error::Problem;
use super::keys::key_space;
use super::model::{ComponentKind, OutageBehaviour, RdsSpec, ReadRouting};
use super::raw::RawRds;
use super::values;
use crate::catalogue::{Catalogue, RdsEngine};
use crate::engine::dist::Dist;
use crate::engine::time::SimDuration;

/// Bytes in a GiB.
const GIB: f64 = 1_073_741_824.0;

/// AWS: RDS for MySQL and PostgreSQL allow up to 15 read replicas per
/// source instance (RDS User Guide, working with read replicas).
const MAX_REPLICAS: i64 = 15;

/// AWS: gp3 on RDS for MySQL and PostgreSQL goes up to 64,000 IOPS.
const MAX_IOPS: i64 = 64_000;

/// Checks an RDS database.
pub(super) fn rds(
    raw: &RawRds,
    key: &str,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
    base_dir: &Path,
) -> Result<ComponentKind, Problem> {
    let class_key = format!("{key}.instance_class");
    let class = catalogue.rds_class(raw.instance_class.get_ref()).map_err(|unknown| {
        let problem =
            Problem::new(raw.instance_class.span(), class_key.clone(), unknown.to_string());
        match &unknown.suggestion {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        }
    })?;
    let engine = engine(raw, key, defaults)?;
    let usd_per_hour = class.usd_per_hour(engine).ok_or_else(|| {
        Problem::new(
            raw.instance_class.span(),
            class_key.clone(),
            format!("the catalogue has no {engine} price for {}", class.name),
        )
        .with_hint("choose another class or engine, or give a catalogue directory with the price")
    })?;
    let multi_az = match raw.multi_az.as_ref() {
        Some(m) => *m.get_ref(),
        None => {
            defaults.used(
                format!("{key}.multi_az"),
                "false",
                "AWS: CreateDBInstance defaults MultiAZ to false",
            );
            false
        }
    };
    let storage_gb = match raw.storage.as_ref() {
        Some(s) => values::storage_gib(s, &format!("{key}.storage"))?,
        None => {
            defaults.used(
                format!("{key}.storage"),
                "20GB",
                "AWS: the smallest gp3 allocation RDS accepts (20 GiB)",
            );
            20
        }
    };
    let extra_iops = extra_iops(raw, key, storage_gb, catalogue)?;
    let (read_query, write_query) = query_times(raw, key, base_dir)?;
    let replicas = match &raw.replicas {
        Some(r) => values::integer_in(r, &format!("{key}.replicas"), 0, MAX_REPLICAS)?,
        None => 0,
    };
    if replicas == 0 {
        let needless = [
            ("replication_lag", raw.replication_lag.as_ref().map(values::span)),
            ("read_routing", raw.read_routing.as_ref().map(|r| r.span())),
        ];
        if let Some((name, Some(at))) = needless.into_iter().find(|(_, at)| at.is_some()) {
            return Err(Problem::new(
                at,
                format!("{key}.{name}"),
                "applies to read replicas, and this database has none",
            )
            .with_hint("add replicas = N, or leave this key out"));
        }
    }
    let read_routing = read_routing(raw, key, replicas, defaults)?;
    let replication_lag = match &raw.replication_lag {
        Some(v) => values::distribution(v, &format!("{key}.replication_lag"), base_dir)?,
        None => {
            if replicas > 0 {
                defaults.used(
                    format!("{key}.replication_lag"),
                    "exponential, mean 1s",
                    "Assumption: AWS publishes no typical lag for RDS replicas; lags of seconds \
                     under light load are the usual planning figure (aws-facts §5.2)",
                );
            }
            Dist::exponential(SimDuration::from_secs(1))
        }
    };
    let keys = match &raw.keys {
        Some(v) => Some(key_space(v, &format!("{key}.keys"), base_dir)?),
        None => None,
    };
    let max_connections = match &raw.max_connections {
        Some(m) => values::integer_in(m, &format!("{key}.max_connections"), 1, 1_000_000)?,
        None => {
            let rule = catalogue.rds_max_connections(engine);
            let memory = (class.memory_gib * GIB) as u64;
            let connections = rule.connections_for(memory);
            defaults.used(
                format!("{key}.max_connections"),
                connections.to_string(),
                format!(
                    "AWS: the default parameter group's {} with DBInstanceClassMemory taken as \
                     the class's {} GiB (RDS keeps an unpublished share for itself, so the real \
                     figure is somewhat lower) ({})",
                    rule.formula,
                    class.memory_gib,
                    catalogue.cite(&rule.cite)
                ),
            );
            connections
        }
    };
    let during_outage = match &raw.during_outage {
        None => {
            defaults.used(
                format!("{key}.during_outage"),
                "fail",
                "Assumption: while the database is down (a db_failure fault) its queries fail at \
                 once, as a refused connection does",
            );
            OutageBehaviour::Fail
        }
        Some(d) => match d.get_ref().as_str() {
            "fail" => OutageBehaviour::Fail,
            "wait" => OutageBehaviour::Wait,
            other => {
                return Err(Problem::new(
                    d.span(),
                    format!("{key}.during_outage"),
                    format!("unknown behaviour `{other}`: expected fail or wait"),
                ));
            }
        },
    };
    let zones = values::zones(
        &raw.zones,
        &format!("{key}.zones"),
        &["us-east-1a", "us-east-1b", "us-east-1c"],
        defaults,
    )?;
    if multi_az && zones.len() < 2 {
        return Err(Problem::new(
            raw.zones.as_ref().map_or(raw.kind.span(), values::span),
            format!("{key}.zones"),
            "a Multi-AZ database keeps its standby in another zone: list at least two",
        ));
    }
    let query_bytes = match &raw.query_bytes {
        Some(b) => values::size(b, &format!("{key}.query_bytes"))?,
        None => {
            defaults.used(
                format!("{key}.query_bytes"),
                "2KiB",
                "Assumption: a query and its result of a few rows",
            );
            2_048
        }
    };
    let storage = catalogue.rds_storage();
    Ok(ComponentKind::Rds(Box::new(RdsSpec {
        class: class.clone(),
        engine,
        multi_az,
        storage_gb,
        extra_iops,
        read_query,
        write_query,
        replicas,
        read_routing,
        replication_lag,
        keys,
        max_connections,
        during_outage,
        zones,
        query_bytes,
        usd_per_hour,
        storage_usd_per_gb_month: storage.gp3_usd_per_gb_month,
        iops_usd_per_month: storage.gp3_usd_per_extra_iops_month,
        price_source: class.price_cite(engine).map(|c| catalogue.cite(c)).unwrap_or_default(),
        storage_price_source: catalogue.cite(&storage.gp3_price),
        iops_price_source: catalogue.cite(&storage.gp3_extra_iops),
    })))
}

/// `postgresql` (the default; `postgres` is accepted too) or `mysql`.
fn engine(raw: &RawRds, key: &str, defaults: &mut Defaults) -> Result<RdsEngine, Problem> {
    match raw.engine.as_ref() {
        Some(e) => match e.get_ref().as_str() {
            "postgresql" | "postgres" => Ok(RdsEngine::Postgresql),
            "mysql" => Ok(RdsEngine::Mysql),
            other => {
                let problem = Problem::new(
                    e.span(),
                    format!("{key}.engine"),
                    format!("unknown engine `{other}`: expected postgresql or mysql"),
                );
                let near =
                    values::suggest(&other.to_lowercase(), ["postgresql", "mysql"].into_iter())
                        .or_else(|| values::suggest(other, ["postgresql", "mysql"].into_iter()));
                Err(match near {
                    Some(near) => {
                        problem.with_hint(format!("did you mean `{near}`? (names are lower case)"))
                    }
                    None => problem,
                })
            }
        },
        None => {
            defaults.used(
                format!("{key}.engine"),
                "postgresql",
                "Assumption: the engine most RDS users choose",
            );
            Ok(RdsEngine::Postgresql)
        }
    }
}

/// The read and write query times: each its own, or `query` for both.
fn query_times(raw: &RawRds, key: &str, base_dir: &Path) -> Result<(Dist, Dist), Problem> {
    let read = |name: &str, v: &Option<super::raw::RawValue>| {
        v.as_ref()
            .map(|value| values::distribution(value, &format!("{key}.{name}"), base_dir))
            .transpose()
    };
    if let (Some(_), Some(extra)) =
        (&raw.query, raw.read_query.as_ref().or(raw.write_query.as_ref()))
    {
        let which = if raw.read_query.is_some() { "read_query" } else { "write_query" };
        return Err(Problem::new(
            values::span(extra),
            format!("{key}.{which}"),
            "give `query` (reads and writes alike), or `read_query` and `write_query`, not both",
        ));
    }
    let both = read("query", &raw.query)?;
    let reads = read("read_query", &raw.read_query)?.or_else(|| both.clone());
    let writes = read("write_query", &raw.write_query)?.or(both);
    match (reads, writes) {
        (Some(r), Some(w)) => Ok((r, w)),
        _ => Err(Problem::new(
            raw.kind.span(),
            format!("{key}.query"),
            "missing: give `query` (reads and writes alike), or both `read_query` and \
             `write_query`",
        )),
    }
}

/// Provisioned IOPS beyond those gp3 includes.
fn extra_iops(
    raw: &RawRds,
    key: &str,
    storage_gb: u64,
    catalogue: &Catalogue,
) -> Result<u32, Problem> {
    let Some(value) = &raw.iops else { return Ok(0) };
    let storage = catalogue.rds_storage();
    let included = storage.gp3_included_iops_for(storage_gb as u32);
    let iops = values::integer_in(value, &format!("{key}.iops"), 1, MAX_IOPS)?;
    if storage_gb < u64::from(storage.gp3_large_volume_from_gb) && iops != included {
        return Err(Problem::new(
            value.span(),
            format!("{key}.iops"),
            format!(
                "gp3 storage under {} GiB has a fixed {included} IOPS on RDS",
                storage.gp3_large_volume_from_gb
            ),
        )
        .with_hint("allocate more storage to provision IOPS"));
    }
    if iops < included {
        return Err(Problem::new(
            value.span(),
            format!("{key}.iops"),
            format!("{iops} is below the {included} IOPS gp3 includes at {storage_gb} GiB"),
        ));
    }
    Ok(iops - included)
}

/// How reads pick a replica.
fn read_routing(
    raw: &RawRds,
    key: &str,
    replicas: u32,
    defaults: &mut Defaults,
) -> Result<ReadRouting, Problem> {
    match &raw.read_routing {
        None => {
            if replicas > 0 {
                defaults.used(
                    format!("{key}.read_routing"),
                    "random",
                    "Assumption: callers spread reads over the replicas at random, as DNS \
                     answers for a reader name do",
                );
            }
            Ok(ReadRouting::Random)
        }
        Some(r) => match r.get_ref().as_str() {
            "random" => Ok(ReadRouting::Random),
            "round_robin" => Ok(ReadRouting::RoundRobin),
            "least_connections" => Ok(ReadRouting::LeastConnections),
            other => Err(Problem::new(
                r.span(),
                format!("{key}.read_routing"),
                format!(
                    "unknown read routing `{other}`: expected random, round_robin or \
                     least_connections"
                ),
            )),
        },
    }
}
