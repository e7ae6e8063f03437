//! The terminal summary of one run: a block of aligned lines a person reads
//! at a glance.

use std::fmt::Write;

use super::summary::Summary;

/// Writes `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The terminal table for one summary.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let s = &summary.scenario;
    let r = &summary.requests;
    let _ = writeln!(
        out,
        "{}  ({} UTC start, {} measured after {} warm-up, seed {})",
        s.name, s.start_utc, s.duration, s.warmup, s.seed
    );
    let _ = writeln!(
        out,
        "  requests     arrived {}  completed {}  failed {} ({:.3}%)  in flight at end {}",
        thousands(r.arrived),
        thousands(r.completed),
        thousands(r.failed),
        r.error_rate * 100.0,
        thousands(r.in_flight_at_end),
    );
    let _ = writeln!(
        out,
        "  rates        offered {:.1}/s  throughput {:.1}/s  goodput {:.1}/s",
        r.offered_per_s, r.throughput_per_s, r.goodput_per_s
    );
    let e = &r.attempt_errors;
    let kinds = [
        ("refused", e.refused),
        ("no targets", e.no_targets),
        ("target down", e.target_down),
        ("db connection", e.db_connection),
        ("db down", e.db_down),
        ("throttled", e.throttled),
        ("function errors", e.function_errors),
        ("gateway timeouts", e.gateway_timeouts),
        ("timed out", e.timed_out),
        ("server errors", e.server_errors),
    ];
    let failed: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind} {}", thousands(*n)))
        .collect();
    let failed = if failed.is_empty() { "none".to_string() } else { failed.join("  ") };
    let _ = writeln!(
        out,
        "  attempts     {} ({} retries, amplification {:.3})  failed attempts: {failed}  wasted work {}",
        thousands(r.attempts),
        thousands(r.retries),
        r.amplification,
        thousands(r.wasted)
    );
    match &summary.latency {
        Some(l) => {
            let _ = writeln!(
                out,
                "  latency      p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  (mean {:.2} ms)",
                l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.mean_ms
            );
        }
        None => {
            let _ = writeln!(out, "  latency      no request completed");
        }
    }
    if summary.classes.len() > 1 {
        for c in &summary.classes {
            let latency = c.latency.map_or("no latency".to_string(), |l| {
                format!("p50 {:.2} ms  p99 {:.2} ms", l.p50_ms, l.p99_ms)
            });
            let _ = writeln!(
                out,
                "  class        {:<12} arrived {}  completed {}  failed {}  {latency}",
                c.name,
                thousands(c.arrived),
                thousands(c.completed),
                thousands(c.failed)
            );
        }
    }
    let utilisation: Vec<String> = summary
        .tiers
        .iter()
        .map(|t| match t.servers {
            Some(_) => format!("{} {:.1}%", t.name, t.utilization * 100.0),
            None => format!("{} {:.1} busy", t.name, t.utilization),
        })
        .collect();
    if !utilisation.is_empty() {
        let _ = writeln!(out, "  utilisation  {}", utilisation.join("  "));
    }
    for fleet in &summary.fleets {
        let mut line = format!(
            "  instances    {}: mean {:.1} in service, peak {}, {} launched",
            fleet.name, fleet.mean_in_service, fleet.peak_in_service, fleet.launched
        );
        if fleet.scaled {
            line += &format!(
                "; {} scaling decisions taken, {} not taken (scaling.csv)",
                fleet.decisions_taken, fleet.decisions_not_taken
            );
        }
        if let Some(credits) = fleet.credits_at_end {
            line += &format!("; CPU credits at end {credits:.1} per instance");
        }
        let _ = writeln!(out, "{line}");
    }
    for cache in &summary.caches {
        let c = &cache.counts;
        let ratio = cache.hit_ratio.map_or("n/a".to_string(), |h| format!("{:.1}%", h * 100.0));
        let mut line = format!(
            "  cache        {}: hit ratio {ratio} of {} reads, {} evictions, {} expired, {} items \
             ({:.0}% of memory) at end",
            cache.name,
            thousands(c.gets),
            thousands(c.evictions),
            thousands(c.expirations),
            thousands(cache.items_at_end),
            cache.used_bytes_at_end as f64 / cache.capacity_bytes.max(1) as f64 * 100.0
        );
        if c.refused_sets > 0 {
            line += &format!("; {} writes refused (full, or too big)", thousands(c.refused_sets));
        }
        if c.unavailable > 0 {
            line += &format!("; {} reads found no node up", thousands(c.unavailable));
        }
        let _ = writeln!(out, "{line}");
    }
    for db in &summary.databases {
        let c = &db.counts;
        let mut line = format!(
            "  database     {} ({}): {} reads, {} writes; connections {} at end, peak {} of {}",
            db.name,
            db.role_at_end,
            thousands(c.reads),
            thousands(c.writes),
            db.connections_at_end,
            db.peak_connections,
            db.max_connections
        );
        if let Some(share) = db.stale_share.filter(|_| c.stale_reads > 0) {
            line += &format!("; {} stale reads ({:.2}%)", thousands(c.stale_reads), share * 100.0);
        }
        if c.refused_connections > 0 {
            line += &format!("; {} connections refused", thousands(c.refused_connections));
        }
        if db.pool.waited > 0 {
            line += &format!(
                "; {} queries waited for a connection, {} gave up",
                thousands(db.pool.waited),
                thousands(db.pool.timed_out)
            );
        }
        if c.failed_queries > 0 {
            line += &format!("; {} queries cut off by its failure", thousands(c.failed_queries));
        }
        let _ = writeln!(out, "{line}");
    }
    for pool in summary.pools.iter().filter(|p| p.counts.waited + p.counts.refused > 0) {
        let _ = writeln!(
            out,
            "  db pool      {}: {} queries waited for a connection (mean {:.2} ms), {} gave up, \
             {} new connections refused",
            pool.fleet,
            thousands(pool.counts.waited),
            pool.mean_wait_ms,
            thousands(pool.counts.timed_out),
            thousands(pool.counts.refused)
        );
    }
    for f in &summary.functions {
        let c = &f.counts;
        let share = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.2}%", v * 100.0));
        let _ = writeln!(
            out,
            "  lambda       {}: {} invocations, cold starts {} ({}), throttles {} ({}), timeouts {}; \
             concurrency mean {:.1}, peak {}; {} environment{} at end",
            f.name,
            thousands(c.invocations),
            thousands(c.cold_starts),
            share(f.cold_start_share),
            thousands(c.throttles),
            share(f.throttle_share),
            thousands(c.timeouts),
            f.mean_concurrency,
            f.peak_concurrency,
            f.environments_at_end,
            if f.environments_at_end == 1 { "" } else { "s" }
        );
    }
    for g in &summary.gateways {
        let c = &g.counts;
        let _ = writeln!(
            out,
            "  api          {}: {} requests, {} throttled (429), {} timed out (504)",
            g.name,
            thousands(c.requests),
            thousands(c.throttled),
            thousands(c.timed_out)
        );
    }
    for q in &summary.queues {
        let c = &q.counts;
        let delay = q.delay.map_or("n/a".to_string(), |d| {
            format!("p50 {:.0} ms, p99 {:.0} ms", d.p50_ms, d.p99_ms)
        });
        let gave_up = if c.failed + c.throttled > 0 {
            format!(
                "; consumer gave up {} (failed) and {} (throttled)",
                thousands(c.failed),
                thousands(c.throttled)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  queue        {}: {} sent, {} deleted, {} duplicates, {} dead-lettered, {} returned{gave_up}; \
             delay to processed {delay}; {} visible and {} in flight at end",
            q.name,
            thousands(c.sent),
            thousands(c.deleted),
            thousands(c.duplicates),
            thousands(c.dead_lettered),
            thousands(c.returned),
            thousands(q.visible_at_end),
            thousands(q.invisible_at_end)
        );
    }
    for e in &summary.edges {
        let c = &e.counts;
        let ratio = e.hit_ratio.map_or("n/a".to_string(), |h| format!("{:.1}%", h * 100.0));
        let _ = writeln!(
            out,
            "  cloudfront   {}: {} requests, hit ratio {ratio} of the cacheable, {} uncacheable, \
             {:.2} GB out",
            e.name,
            thousands(c.requests),
            thousands(c.uncacheable),
            c.bytes_out as f64 / 1_073_741_824.0
        );
    }
    for e in &summary.event_log {
        let _ = writeln!(
            out,
            "  event        {:>8.1} s  {}  {}: {}",
            e.time_s, e.component, e.event, e.detail
        );
    }
    let c = &summary.cost;
    let per_million = c.per_million_successful_usd.map_or("n/a".to_string(), |m| m.to_string());
    let _ = writeln!(
        out,
        "  cost         window {}  per month {}  per million successful {}",
        c.window_usd, c.per_month_usd, per_million
    );
    let width = |f: fn(&crate::billing::bill::LineItem) -> usize| c.lines.iter().map(f).max();
    let service_w = width(|l| l.service.chars().count()).unwrap_or(4);
    let component_w = width(|l| l.component.chars().count()).unwrap_or(10);
    let item_w = width(|l| l.item.chars().count()).unwrap_or(44);
    for line in &c.lines {
        let _ = writeln!(
            out,
            "               {:<service_w$} {:<component_w$} {:<item_w$} {:>12.3} {:<8} {:>10}  /month {:>10}",
            line.service,
            line.component,
            line.item,
            line.quantity,
            line.unit,
            line.window.to_string(),
            line.month.to_string()
        );
    }
    let _ = writeln!(out, "  prices from:");
    let mut cited: Vec<(String, String)> = Vec::new();
    for line in &c.lines {
        let key = (line.service.clone(), line.price_source.clone());
        if !cited.contains(&key) {
            let _ = writeln!(out, "    {} {}", line.service, line.price_source);
            cited.push(key);
        }
    }
    for warning in &summary.warnings {
        let _ = writeln!(out, "  warning: {warning}");
    }
    if !summary.settings.is_empty() {
        let _ = writeln!(out, "  set over the file:");
        for s in &summary.settings {
            let _ = writeln!(out, "    {} = {}  ({})", s.key, s.value, s.from);
        }
    }
    if !summary.defaults.is_empty() {
        let _ = writeln!(out, "  defaults used:");
        for d in &summary.defaults {
            let _ = writeln!(out, "    {} = {}  ({})", d.key, d.value, d.source);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(75_234_001), "75,234,001");
    }
}
