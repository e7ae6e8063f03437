//! Checking `sqs` and `cloudfront` components, each default recorded with
//! its source.

use super::build::Defaults;
use super::components::ComponentNames;
use super::error::Problem;
use super::keys::key_space;
use super::model::{CloudFrontSpec, ComponentKind, Consumer, KeySpace, SqsSpec};
use super::raw::{RawCloudFront, RawSqs};
use super::values;
use crate::catalogue::Catalogue;
use crate::engine::time::SimDuration;

/// AWS: a queue's visibility timeout is at most 12 hours.
const MAX_VISIBILITY_S: u64 = 43_200;

/// Checks an SQS standard queue.
pub(super) fn sqs(
    raw: &RawSqs,
    key: &str,
    names: &ComponentNames,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let facts = catalogue.sqs();
    let id = names.resolve(&raw.consumer, &format!("{key}.consumer"))?;
    let consumer = match names.kind_of(id) {
        "lambda" => Consumer::Lambda(id),
        "ec2" => Consumer::Fleet(id),
        other => {
            return Err(Problem::new(
                raw.consumer.span(),
                format!("{key}.consumer"),
                format!(
                    "`{}` is of type `{other}`: a queue's consumer is a lambda or ec2 component",
                    raw.consumer.get_ref()
                ),
            ));
        }
    };
    let batch_size = match &raw.batch_size {
        Some(b) => {
            values::integer_in(b, &format!("{key}.batch_size"), 1, i64::from(facts.batch_max))?
        }
        None => {
            defaults.used(
                format!("{key}.batch_size"),
                facts.batch_max.to_string(),
                format!(
                    "AWS: a Lambda event source's default batch size, and the most one receive \
                     returns ({})",
                    catalogue.cite(&facts.defaults)
                ),
            );
            facts.batch_max
        }
    };
    let visibility_timeout = match &raw.visibility_timeout {
        Some(v) => {
            let d = values::positive_duration(v, &format!("{key}.visibility_timeout"))?;
            if d > SimDuration::from_secs(MAX_VISIBILITY_S) {
                return Err(Problem::new(
                    v.span(),
                    format!("{key}.visibility_timeout"),
                    "a visibility timeout is at most 12 hours",
                ));
            }
            if d.as_nanos() % 1_000_000_000 != 0 {
                return Err(Problem::new(
                    v.span(),
                    format!("{key}.visibility_timeout"),
                    "SQS takes a visibility timeout in whole seconds",
                )
                .with_hint("write it like \"30s\" or \"5m\""));
            }
            d
        }
        None => {
            defaults.used(
                format!("{key}.visibility_timeout"),
                format!("{}s", facts.visibility_timeout_s),
                format!(
                    "AWS: a new queue's visibility timeout ({})",
                    catalogue.cite(&facts.defaults)
                ),
            );
            SimDuration::from_secs(u64::from(facts.visibility_timeout_s))
        }
    };
    let max_receives = match &raw.max_receives {
        Some(m) => Some(values::integer_in(m, &format!("{key}.max_receives"), 1, 1_000)?),
        None => {
            defaults.used(
                format!("{key}.max_receives"),
                "none",
                "AWS: a new queue has no redrive policy, so no dead-letter queue: a message \
                 returns until it is processed or its retention runs out",
            );
            None
        }
    };
    let send_latency = match &raw.send_latency {
        Some(s) => values::duration(s, &format!("{key}.send_latency"))?,
        None => {
            defaults.used(
                format!("{key}.send_latency"),
                "10ms",
                "Assumption: SendMessage takes about 10 ms within a region; AWS publishes no figure",
            );
            SimDuration::from_millis(10)
        }
    };
    let (_, _, esm_max) = facts.esm;
    let max_batches = match (&raw.max_concurrency, consumer) {
        (Some(m), Consumer::Lambda(_)) => {
            values::integer_in(m, &format!("{key}.max_concurrency"), 2, i64::from(esm_max))?
        }
        (Some(m), Consumer::Fleet(_)) => {
            return Err(Problem::new(
                m.span(),
                format!("{key}.max_concurrency"),
                "max_concurrency limits a Lambda event source; an ec2 consumer's concurrency is \
                 its worker threads",
            ));
        }
        (None, Consumer::Lambda(_)) => {
            defaults.used(
                format!("{key}.max_concurrency"),
                esm_max.to_string(),
                format!(
                    "AWS: without a maximum concurrency the event source scales to {esm_max} \
                     concurrent batches ({})",
                    catalogue.cite(&facts.esm_cite)
                ),
            );
            esm_max
        }
        (None, Consumer::Fleet(_)) => esm_max,
    };
    Ok(ComponentKind::Sqs(Box::new(SqsSpec {
        consumer,
        batch_size,
        visibility_timeout,
        max_receives,
        send_latency,
        max_batches,
        price_source: catalogue.cite(&facts.price),
        facts: Box::new(facts.clone()),
    })))
}

/// Checks a CloudFront distribution.
pub(super) fn cloudfront(
    raw: &RawCloudFront,
    key: &str,
    names: &ComponentNames,
    catalogue: &Catalogue,
    base_dir: &std::path::Path,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let facts = catalogue.cloudfront();
    let origin = names.resolve(&raw.origin, &format!("{key}.origin"))?;
    if !["alb", "api_gateway", "ec2", "lambda"].contains(&names.kind_of(origin)) {
        return Err(Problem::new(
            raw.origin.span(),
            format!("{key}.origin"),
            format!(
                "`{}` is of type `{}`: CloudFront's origin is an alb, api_gateway, ec2 or lambda \
                 component",
                raw.origin.get_ref(),
                names.kind_of(origin)
            ),
        ));
    }
    let objects = match key_space(&raw.objects, &format!("{key}.objects"), base_dir)? {
        KeySpace::Drawn(p) => p,
        KeySpace::Trace(_) => {
            return Err(Problem::new(
                raw.objects.span(),
                format!("{key}.objects"),
                "CloudFront's objects are a popularity ({ count, zipf } or { count, popularity = \
                 \"uniform\" }), not a trace",
            ));
        }
    };
    let ttl = match &raw.ttl {
        Some(t) => values::positive_duration(t, &format!("{key}.ttl"))?,
        None => {
            defaults.used(
                format!("{key}.ttl"),
                format!("{}s", facts.default_ttl_s),
                format!("AWS: CloudFront's default TTL ({})", catalogue.cite(&facts.ttl)),
            );
            SimDuration::from_secs(u64::from(facts.default_ttl_s))
        }
    };
    let capacity_bytes = match &raw.capacity {
        Some(c) => {
            let bytes = values::size(c, &format!("{key}.capacity"))?;
            if bytes == 0 {
                return Err(Problem::new(
                    c.span(),
                    format!("{key}.capacity"),
                    "an edge cache holds something: expected a size above 0",
                )
                .with_hint("leave capacity out for an edge that keeps every object"));
            }
            bytes
        }
        None => {
            defaults.used(
                format!("{key}.capacity"),
                "unlimited",
                "Assumption: the edge keeps every object until its TTL runs out (AWS publishes no \
                 cache size)",
            );
            u64::MAX / 2
        }
    };
    let latency = match &raw.latency {
        Some(l) => values::duration(l, &format!("{key}.latency"))?,
        None => {
            defaults.used(
                format!("{key}.latency"),
                "2ms",
                "Assumption: the time an edge location takes to answer from its cache, network \
                 to the client left out as everywhere else",
            );
            SimDuration::from_millis(2)
        }
    };
    Ok(ComponentKind::CloudFront(Box::new(CloudFrontSpec {
        origin,
        objects,
        ttl,
        capacity_bytes,
        latency,
        price_source: catalogue.cite(&facts.requests),
        facts: Box::new(facts.clone()),
    })))
}
