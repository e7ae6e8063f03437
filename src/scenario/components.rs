//! Building the `[components.NAME]` tables: each is read by the raw struct
//! of its `type`, then checked against the catalogue and the other
//! components it names.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::build::{
    Defaults, check_name, key_path_at, plain_message, unknown_field_hint, value_hint,
};
use super::error::{Problem, ScenarioError, Source};
use super::model::{
    AlbSpec, Component, ComponentId, ComponentKind, FleetSpec, HealthChecks, NextHop, PoolSpec,
    Routing, StationSpec,
};
use super::raw::{
    RawAlb, RawApiGateway, RawCache, RawCloudFront, RawEc2, RawLambda, RawRds, RawSqs, RawStation,
    RawValue,
};
use super::routing::{check_station_visits, check_stations_reach_exit};
use super::scaling::{FleetContext, scaling};
use super::traffic::RunClock;
use super::values;
use crate::catalogue::Catalogue;
use crate::engine::time::SimDuration;

/// The component types a scenario may use.
const TYPES: [&str; 9] =
    ["alb", "ec2", "rds", "elasticache", "lambda", "api_gateway", "sqs", "cloudfront", "station"];

/// Component names, their types and where they are defined, in file order.
#[derive(Debug)]
pub struct ComponentNames {
    /// (name, type, span of the name), in file order.
    pub(super) entries: Vec<(String, String, Range<usize>)>,
}

impl ComponentNames {
    /// Reads each component's name and `type`.
    pub fn collect(components: &Spanned<DeValue<'_>>) -> Result<ComponentNames, Problem> {
        let DeValue::Table(table) = components.get_ref() else {
            return Err(Problem::new(
                components.span(),
                "components",
                "expected tables like [components.web]",
            ));
        };
        let mut entries = Vec::new();
        for (name, value) in table.iter() {
            let key = format!("components.{}", name.get_ref());
            check_name(name.get_ref())
                .map_err(|why| Problem::new(name.span(), key.clone(), why))?;
            if name.get_ref().contains('.') {
                return Err(Problem::new(
                    name.span(),
                    key,
                    format!(
                        "`{}`: a component's name may not contain '.', which separates the steps \
                         of key paths (components.web.count) in --set, [sweep] and messages",
                        name.get_ref()
                    ),
                ));
            }
            let DeValue::Table(body) = value.get_ref() else {
                return Err(Problem::new(value.span(), key, "expected a table with a `type`"));
            };
            let kind = match body.get("type").map(|v| (v.get_ref(), v.span())) {
                Some((DeValue::String(kind), span)) => {
                    if !TYPES.contains(&kind.as_ref()) {
                        let problem = Problem::new(
                            span,
                            format!("{key}.type"),
                            format!(
                                "unknown component type `{kind}`: expected one of {}",
                                TYPES.join(", ")
                            ),
                        );
                        return Err(match values::suggest(kind, TYPES.iter().copied()) {
                            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                            None => problem,
                        });
                    }
                    kind.to_string()
                }
                _ => {
                    return Err(Problem::new(
                        name.span(),
                        key,
                        format!("missing `type`: expected one of {}", TYPES.join(", ")),
                    ));
                }
            };
            entries.push((name.get_ref().to_string(), kind, name.span()));
        }
        if entries.is_empty() {
            return Err(Problem::new(components.span(), "components", "no components defined"));
        }
        Ok(ComponentNames { entries })
    }

    /// The index of the component a value names.
    pub fn resolve(&self, name: &Spanned<String>, key: &str) -> Result<ComponentId, Problem> {
        self.find(name.get_ref()).ok_or_else(|| self.unknown(name.get_ref(), name.span(), key))
    }

    /// The index of a component by name.
    pub fn find(&self, name: &str) -> Option<ComponentId> {
        self.entries.iter().position(|(n, _, _)| n == name)
    }

    /// The error for a name that is not a component.
    pub fn unknown(&self, name: &str, span: Range<usize>, key: &str) -> Problem {
        let known: Vec<&str> = self.entries.iter().map(|(n, _, _)| n.as_str()).collect();
        let problem = Problem::new(
            span,
            key,
            format!("no component named `{name}`: the scenario has {}", known.join(", ")),
        );
        match values::suggest(name, known.iter().copied()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        }
    }

    /// The `type` of component `id`.
    pub fn kind_of(&self, id: ComponentId) -> &str {
        &self.entries[id].1
    }
}

/// Builds every component in file order.
pub(super) fn build_components(
    source: &Source,
    components: &Spanned<DeValue<'_>>,
    names: &ComponentNames,
    catalogue: &Catalogue,
    clock: &RunClock,
    defaults: &mut Defaults,
) -> Result<Vec<Component>, ScenarioError> {
    let DeValue::Table(table) = components.get_ref() else {
        unreachable!("ComponentNames::collect checked that components is a table")
    };
    let base_dir = source.path.parent().unwrap_or(Path::new("."));
    let alb_targets = named_by(table, "alb", "targets");
    let queue_consumers = named_by(table, "sqs", "consumer");
    let mut built = Vec::new();
    for ((name, kind, _), (_, value)) in names.entries.iter().zip(table.iter()) {
        let key = format!("components.{name}");
        let deserializer = || ValueDeserializer::from(value.clone());
        let located = |e: toml::de::Error| {
            let span = e.span().unwrap_or(value.span());
            let mut root = DeTable::new();
            root.insert(Spanned::new(0..0, "components".into()), components.clone());
            let path = key_path_at(&root, span.start);
            let mut problem = Problem::new(
                span,
                if path.is_empty() { key.clone() } else { path },
                plain_message(e.message()),
            );
            problem.hint = if e.message().contains("unknown field") {
                unknown_field_hint(e.message())
            } else {
                value_hint(e.message())
            };
            source.error(problem)
        };
        let built_kind = match kind.as_str() {
            "alb" => alb(
                &RawAlb::deserialize(deserializer()).map_err(located)?,
                &key,
                names,
                catalogue,
                defaults,
            ),
            "ec2" => ec2(
                &RawEc2::deserialize(deserializer()).map_err(located)?,
                &key,
                Ec2Context {
                    names,
                    catalogue,
                    base_dir,
                    clock,
                    behind_alb: alb_targets.iter().any(|t| t == name),
                    consumes_queue: queue_consumers.iter().any(|t| t == name),
                },
                defaults,
            ),
            "rds" => super::database::rds(
                &RawRds::deserialize(deserializer()).map_err(located)?,
                &key,
                catalogue,
                defaults,
                base_dir,
            ),
            "elasticache" => super::cache::cache(
                &RawCache::deserialize(deserializer()).map_err(located)?,
                &key,
                catalogue,
                defaults,
            ),
            "lambda" => super::serverless::lambda(
                &RawLambda::deserialize(deserializer()).map_err(located)?,
                &key,
                catalogue,
                base_dir,
                defaults,
            ),
            "api_gateway" => super::serverless::api_gateway(
                &RawApiGateway::deserialize(deserializer()).map_err(located)?,
                &key,
                names,
                catalogue,
                defaults,
            ),
            "sqs" => super::edge::sqs(
                &RawSqs::deserialize(deserializer()).map_err(located)?,
                &key,
                names,
                catalogue,
                defaults,
            ),
            "cloudfront" => super::edge::cloudfront(
                &RawCloudFront::deserialize(deserializer()).map_err(located)?,
                &key,
                names,
                catalogue,
                base_dir,
                defaults,
            ),
            _ => station(
                &RawStation::deserialize(deserializer()).map_err(located)?,
                &key,
                names,
                base_dir,
            ),
        }
        .map_err(|p| source.error(p))?;
        built.push(Component { name: name.clone(), kind: built_kind });
    }
    check_stations_reach_exit(&built, names).map_err(|p| source.error(p))?;
    check_station_visits(&built, names).map_err(|p| source.error(p))?;
    Ok(built)
}

/// The names that components of type `kind` give under `field` (the
/// `targets` of every ALB, the `consumer` of every queue), read before the
/// components are built so that a fleet knows which metrics exist for it.
fn named_by(table: &DeTable<'_>, kind: &str, field: &str) -> Vec<String> {
    table
        .iter()
        .filter_map(|(_, value)| match value.get_ref() {
            DeValue::Table(body) => Some(body),
            _ => None,
        })
        .filter(|body| matches!(body.get("type").map(|t| t.get_ref()), Some(DeValue::String(t)) if t == kind))
        .filter_map(|body| match body.get(field).map(|t| t.get_ref()) {
            Some(DeValue::String(target)) => Some(target.to_string()),
            _ => None,
        })
        .collect()
}

/// What checking a fleet needs besides its own table.
struct Ec2Context<'a> {
    names: &'a ComponentNames,
    catalogue: &'a Catalogue,
    base_dir: &'a Path,
    clock: &'a RunClock,
    behind_alb: bool,
    consumes_queue: bool,
}

/// Checks an ALB.
fn alb(
    raw: &RawAlb,
    key: &str,
    names: &ComponentNames,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let targets = names.resolve(&raw.targets, &format!("{key}.targets"))?;
    if !["ec2", "lambda"].contains(&names.kind_of(targets)) {
        return Err(Problem::new(
            raw.targets.span(),
            format!("{key}.targets"),
            format!(
                "`{}` is of type `{}`: an ALB forwards to an ec2 fleet or a lambda function",
                raw.targets.get_ref(),
                names.kind_of(targets)
            ),
        ));
    }
    let routing = match raw.routing.as_ref() {
        Some(r) => match r.get_ref().as_str() {
            "round_robin" => Routing::RoundRobin,
            "least_outstanding_requests" => Routing::LeastOutstandingRequests,
            other => {
                return Err(Problem::new(
                    r.span(),
                    format!("{key}.routing"),
                    format!(
                        "unknown routing `{other}`: expected round_robin or least_outstanding_requests"
                    ),
                ));
            }
        },
        None => {
            defaults.used(
                format!("{key}.routing"),
                "round_robin",
                catalogue.cite_alb_routing_default(),
            );
            Routing::RoundRobin
        }
    };
    let latency = match raw.latency.as_ref() {
        Some(l) => values::duration(l, &format!("{key}.latency"))?,
        None => {
            defaults.used(
                format!("{key}.latency"),
                "1ms",
                "Assumption: AWS publishes no figure for the time an ALB adds; 1 ms is a round planning value",
            );
            SimDuration::from_millis(1)
        }
    };
    let rules = match raw.rules.as_ref() {
        Some(r) => values::integer_in(r, &format!("{key}.rules"), 1, 100)?,
        None => {
            defaults.used(
                format!("{key}.rules"),
                "1",
                "Assumption: only the listener's default rule",
            );
            1
        }
    };
    Ok(ComponentKind::Alb(Box::new(AlbSpec {
        targets,
        routing,
        latency,
        rules,
        facts: catalogue.alb().clone(),
        price_source: catalogue.cite(&catalogue.alb().price),
    })))
}

/// Checks an EC2 fleet, fixed or in an Auto Scaling group.
fn ec2(
    raw: &RawEc2,
    key: &str,
    context: Ec2Context<'_>,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let Ec2Context { names, catalogue, base_dir, clock, behind_alb, consumes_queue } = context;
    let type_key = format!("{key}.instance_type");
    let instance_type = catalogue.ec2_type(raw.instance_type.get_ref()).map_err(|unknown| {
        let problem = Problem::new(raw.instance_type.span(), type_key.clone(), unknown.to_string());
        match &unknown.suggestion {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem.with_hint(
                "the catalogue lists t3, t4g, m5, m6i, m7g, m7i, c5, c6i, c7g, r6i and r7g sizes",
            ),
        }
    })?;
    let fewest = if raw.scaling.is_some() { 0 } else { 1 };
    let count = values::integer_in(&raw.count, &format!("{key}.count"), fewest, 10_000)?;
    let workers = match raw.workers.as_ref() {
        Some(w) => values::integer_in(w, &format!("{key}.workers"), 1, 1_000_000)?,
        None => {
            defaults.used(
                format!("{key}.workers"),
                "200",
                "Assumption: Apache Tomcat's default maxThreads (200)",
            );
            200
        }
    };
    let accept_queue = match raw.accept_queue.as_ref() {
        Some(q) => values::integer_in(q, &format!("{key}.accept_queue"), 0, 1_000_000)?,
        None => {
            defaults.used(
                format!("{key}.accept_queue"),
                "4096",
                "Assumption: Linux's default listen backlog cap net.core.somaxconn = 4096 (kernel 5.4 and later)",
            );
            4_096
        }
    };
    let reference_cpu = values::distribution(&raw.cpu, &format!("{key}.cpu"), base_dir)?;
    let cpu = reference_cpu.scaled_by_speed(instance_type.relative_speed);
    let io = match &raw.io {
        Some(v) => Some(values::distribution(v, &format!("{key}.io"), base_dir)?),
        None => None,
    };
    let database = match raw.database.as_ref() {
        Some(db) => {
            let id = names.resolve(db, &format!("{key}.database"))?;
            if names.kind_of(id) != "rds" {
                return Err(Problem::new(
                    db.span(),
                    format!("{key}.database"),
                    format!(
                        "`{}` is of type `{}`: expected an rds component",
                        db.get_ref(),
                        names.kind_of(id)
                    ),
                ));
            }
            Some(id)
        }
        None => None,
    };
    let cache = match raw.cache.as_ref() {
        Some(c) => {
            let id = names.resolve(c, &format!("{key}.cache"))?;
            if names.kind_of(id) != "elasticache" {
                return Err(Problem::new(
                    c.span(),
                    format!("{key}.cache"),
                    format!(
                        "`{}` is of type `{}`: expected an elasticache component",
                        c.get_ref(),
                        names.kind_of(id)
                    ),
                ));
            }
            if database.is_none() {
                return Err(Problem::new(
                    c.span(),
                    format!("{key}.cache"),
                    "a cache-aside read goes to the database on a miss: give the fleet a \
                     `database` too",
                ));
            }
            Some(id)
        }
        None => None,
    };
    let pool = db_pool(raw, key, workers, database.is_some(), defaults)?;
    // Zones matter only for the traffic to a database or cache.
    let mut unused = super::build::Defaults::default();
    let zone_defaults = if database.is_some() { &mut *defaults } else { &mut unused };
    let zones = values::zones(
        &raw.zones,
        &format!("{key}.zones"),
        &["us-east-1a", "us-east-1b"],
        zone_defaults,
    )?;
    let credits = super::credits::credits(raw, key, instance_type, catalogue, defaults)?;
    let scaling = match &raw.scaling {
        Some(table) => {
            let fleet = FleetContext { key, count, behind_alb, consumes_queue, base_dir };
            Some(Box::new(scaling(table, &fleet, clock, defaults)?))
        }
        None => None,
    };
    let health = scaling.as_ref().map_or_else(
        || {
            let facts = &catalogue.alb().defaults;
            HealthChecks {
                interval: SimDuration::from_secs(u64::from(facts.health_check_interval_s)),
                unhealthy_threshold: facts.unhealthy_threshold,
                replace_unhealthy: false,
                grace_period: SimDuration::ZERO,
            }
        },
        |s| s.health,
    );
    Ok(ComponentKind::Ec2(Box::new(FleetSpec {
        health,
        price_source: catalogue.cite(&instance_type.price),
        instance_type: instance_type.clone(),
        count,
        workers,
        accept_queue,
        cpu,
        io,
        database,
        cache,
        pool,
        zones,
        credits,
        scaling,
    })))
}

/// The fleet's connection pool to each database instance.
fn db_pool(
    raw: &RawEc2,
    key: &str,
    workers: u32,
    has_database: bool,
    defaults: &mut Defaults,
) -> Result<PoolSpec, Problem> {
    let Some(table) = &raw.db_pool else {
        if has_database {
            defaults.used(
                format!("{key}.db_pool"),
                format!("{{ size = {workers} }}"),
                "Assumption: one connection per worker thread, so a worker never waits for one",
            );
        }
        return Ok(PoolSpec { size: workers, wait_timeout: None, prefill: false });
    };
    let body = table.get_ref();
    if !has_database {
        return Err(Problem::new(
            table.span(),
            format!("{key}.db_pool"),
            "a connection pool needs a `database` to connect to",
        ));
    }
    let size = values::integer_in(&body.size, &format!("{key}.db_pool.size"), 1, 100_000)?;
    let wait_timeout = match &body.wait_timeout {
        Some(t) if t.get_ref() == "none" => None,
        Some(t) => Some(values::positive_duration(t, &format!("{key}.db_pool.wait_timeout"))?),
        None => {
            defaults.used(
                format!("{key}.db_pool.wait_timeout"),
                "30s",
                "Assumption: HikariCP's default connectionTimeout (30 s)",
            );
            Some(SimDuration::from_secs(30))
        }
    };
    let prefill = match &body.prefill {
        Some(p) => *p.get_ref(),
        None => {
            defaults.used(
                format!("{key}.db_pool.prefill"),
                "true",
                "Assumption: HikariCP's default minimumIdle equals maximumPoolSize, so a pool \
                 opens all its connections when the application starts",
            );
            true
        }
    };
    Ok(PoolSpec { size, wait_timeout, prefill })
}

/// Checks a textbook station.
fn station(
    raw: &RawStation,
    key: &str,
    names: &ComponentNames,
    base_dir: &Path,
) -> Result<ComponentKind, Problem> {
    let servers_key = format!("{key}.servers");
    let servers = match raw.servers.get_ref() {
        toml::Value::Integer(n) if (1..=1_000_000).contains(n) => Some(*n as u32),
        toml::Value::String(word) if word == "unlimited" => None,
        other => {
            return Err(Problem::new(
                raw.servers.span(),
                servers_key,
                format!(
                    "`{other}`: expected a number of servers from 1 to 1000000, or \"unlimited\""
                ),
            ));
        }
    };
    let service = values::distribution(&raw.service, &format!("{key}.service"), base_dir)?;
    let next = match raw.next.as_ref() {
        None => vec![NextHop { to: None, cumulative: 1.0 }],
        Some(next) => next_hops(next, &format!("{key}.next"), names)?,
    };
    let error_probability = match &raw.error_probability {
        Some(p) if !(0.0..1.0).contains(p.get_ref()) => {
            return Err(Problem::new(
                p.span(),
                format!("{key}.error_probability"),
                format!("{}: expected a probability from 0 up to (not including) 1", p.get_ref()),
            ));
        }
        Some(p) => *p.get_ref(),
        None => 0.0,
    };
    Ok(ComponentKind::Station(StationSpec { servers, service, next, error_probability }))
}

/// Reads a station's routing: a name, `"exit"`, or `[{ to, p }, …]`.
fn next_hops(raw: &RawValue, key: &str, names: &ComponentNames) -> Result<Vec<NextHop>, Problem> {
    let span = raw.span();
    let target = |name: &str| -> Result<Option<ComponentId>, Problem> {
        if name == "exit" {
            return Ok(None);
        }
        let id = names.find(name).ok_or_else(|| names.unknown(name, span.clone(), key))?;
        if names.kind_of(id) != "station" {
            return Err(Problem::new(
                span.clone(),
                key,
                format!(
                    "`{name}` is of type `{}`: stations route to stations or \"exit\"",
                    names.kind_of(id)
                ),
            ));
        }
        Ok(Some(id))
    };
    match raw.get_ref() {
        toml::Value::String(name) => Ok(vec![NextHop { to: target(name)?, cumulative: 1.0 }]),
        toml::Value::Array(branches) => {
            let mut hops = Vec::new();
            let mut cumulative = 0.0;
            for branch in branches {
                let (Some(toml::Value::String(to)), Some(p)) = (branch.get("to"), branch.get("p"))
                else {
                    return Err(Problem::new(
                        span,
                        key,
                        "each branch is { to = \"NAME\", p = SHARE }",
                    ));
                };
                let p = p.as_float().or_else(|| p.as_integer().map(|i| i as f64)).unwrap_or(-1.0);
                if !(0.0..=1.0).contains(&p) {
                    return Err(Problem::new(
                        span,
                        key,
                        format!("p = {p}: a share is between 0 and 1"),
                    ));
                }
                cumulative += p;
                hops.push(NextHop { to: target(to)?, cumulative });
            }
            if (cumulative - 1.0).abs() > 1e-9 {
                return Err(Problem::new(
                    span,
                    key,
                    format!("the shares add up to {cumulative}, not 1"),
                )
                .with_hint("add a branch { to = \"exit\", p = … } for requests that leave"));
            }
            if let Some(last) = hops.last_mut() {
                last.cumulative = 1.0;
            }
            Ok(hops)
        }
        other => Err(Problem::new(
            span,
            key,
            format!(
                "expected a component name, \"exit\" or a list of {{ to, p }}, found {}",
                values::a_type(other)
            ),
        )),
    }
}
