//! The time series CSV: one row per window of the measured run.

use std::io::Write;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::sim::RunResult;

/// Writes the scaling log of `result` as CSV: one row per decision, taken
/// or not, with its time, policy, datapoints, alarm state, capacity before
/// and after, and the reason.
pub fn write_scaling_log(out: impl Write, result: &RunResult) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "time_s",
        "component",
        "policy",
        "metric",
        "datapoints",
        "alarm",
        "from",
        "to",
        "reason",
    ])?;
    for d in &result.scaling_log {
        writer.write_record([
            format!("{}", d.time_s),
            d.component.clone(),
            d.policy.clone(),
            d.metric.clone(),
            d.datapoints.clone(),
            d.alarm.clone(),
            d.from.to_string(),
            d.to.to_string(),
            d.reason.clone(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the event log of `result` as CSV: one row per fault and per
/// thing the load balancer or the Auto Scaling group did about one.
pub fn write_event_log(out: impl Write, result: &RunResult) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["time_s", "component", "event", "detail"])?;
    for e in &result.event_log {
        writer.write_record([
            format!("{}", e.time_s),
            e.component.clone(),
            e.event.clone(),
            e.detail.clone(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the rows of `result` as CSV, with UTC times from `start`.
pub fn write_csv(
    out: impl Write,
    start: OffsetDateTime,
    result: &RunResult,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "minute_start_utc",
        "offset_s",
        "arrivals",
        "offered_per_s",
        "completed",
        "errors",
        "attempts",
        "retries",
        "timeouts",
        "in_flight",
        "latency_mean_ms",
        "latency_p50_ms",
        "latency_p90_ms",
        "latency_p99_ms",
        "latency_p999_ms",
        "latency_max_ms",
    ]
    .map(String::from)
    .to_vec();
    header.extend(result.tiers.iter().map(|t| format!("utilization_{}", t.name)));
    for fleet in &result.fleets {
        for column in ["desired", "pending", "in_service", "draining", "unhealthy"] {
            header.push(format!("{}_{column}", fleet.name));
        }
        if fleet.credits_at_end.is_some() {
            header.push(format!("{}_cpu_credits", fleet.name));
        }
    }
    for cache in &result.caches {
        for column in ["hit_ratio", "reads", "evictions", "items", "memory_used"] {
            header.push(format!("{}_{column}", cache.name));
        }
    }
    for db in &result.databases {
        for column in ["reads", "writes", "stale_reads", "connections", "refused_connections"] {
            header.push(format!("{}_{column}", db.name));
        }
    }
    for pool in &result.pools {
        header.push(format!("{}_pool_waits", pool.fleet));
        header.push(format!("{}_pool_timeouts", pool.fleet));
    }
    for f in &result.functions {
        for column in ["invocations", "cold_starts", "throttles", "concurrency", "environments"] {
            header.push(format!("{}_{column}", f.name));
        }
    }
    for q in &result.queues {
        for column in ["sent", "deleted", "depth", "in_flight", "oldest_age_s"] {
            header.push(format!("{}_{column}", q.name));
        }
    }
    for e in &result.edges {
        header.push(format!("{}_hit_ratio", e.name));
    }
    writer.write_record(&header)?;
    for row in &result.windows {
        let utc = start.checked_add(time::Duration::seconds_f64(row.offset_s));
        let mut record = vec![
            utc.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default(),
            format!("{}", row.offset_s),
            row.arrivals.to_string(),
            format!("{:.3}", row.arrivals as f64 / row.length_s.max(1e-9)),
            row.completed.to_string(),
            row.errors.to_string(),
            row.attempts.to_string(),
            row.retries.to_string(),
            row.timeouts.to_string(),
            row.in_flight.to_string(),
        ];
        let latency =
            row.latency.map(|p| [p.mean_ms, p.p50_ms, p.p90_ms, p.p99_ms, p.p999_ms, p.max_ms]);
        match latency {
            Some(values) => record.extend(values.iter().map(|v| format!("{v:.3}"))),
            None => record.extend(std::iter::repeat_n(String::new(), 6)),
        }
        record.extend(row.utilization.iter().map(|u| format!("{u:.4}")));
        for (fleet, capacity) in result.fleets.iter().zip(&row.fleets) {
            for n in [
                capacity.desired,
                capacity.pending,
                capacity.in_service,
                capacity.draining,
                capacity.unhealthy,
            ] {
                record.push(n.to_string());
            }
            if fleet.credits_at_end.is_some() {
                record.push(capacity.credits.map_or_else(String::new, |c| format!("{c:.2}")));
            }
        }
        for c in &row.caches {
            let ratio = if c.gets > 0 {
                format!("{:.4}", c.hits as f64 / c.gets as f64)
            } else {
                String::new()
            };
            record.extend([
                ratio,
                c.gets.to_string(),
                c.evictions.to_string(),
                c.items.to_string(),
                format!("{:.4}", c.memory_used),
            ]);
        }
        for d in &row.databases {
            record.extend([
                d.reads.to_string(),
                d.writes.to_string(),
                d.stale_reads.to_string(),
                d.connections.to_string(),
                d.refused_connections.to_string(),
            ]);
        }
        let pooled = result.pools.iter().map(|p| &p.fleet);
        for name in pooled {
            let f = result.fleets.iter().position(|fl| &fl.name == name).unwrap_or(0);
            let (waits, timeouts) = row.pools.get(f).copied().unwrap_or_default();
            record.extend([waits.to_string(), timeouts.to_string()]);
        }
        for f in &row.functions {
            record.extend([
                f.invocations.to_string(),
                f.cold_starts.to_string(),
                f.throttles.to_string(),
                format!("{:.3}", f.concurrency),
                f.environments.to_string(),
            ]);
        }
        for q in &row.queues {
            record.extend([
                q.sent.to_string(),
                q.deleted.to_string(),
                q.depth.to_string(),
                q.in_flight.to_string(),
                format!("{:.1}", q.oldest_age_s),
            ]);
        }
        for &(hits, cacheable) in &row.edges {
            record.push(if cacheable > 0 {
                format!("{:.4}", hits as f64 / cacheable as f64)
            } else {
                String::new()
            });
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}
