//! `report.html`: one self-contained page a person opens in a browser. The
//! figures are the run's SVG files, inlined; the styles are inline too, so
//! the page needs nothing beside it (it can be mailed or attached to a
//! ticket).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::summary::Summary;
use crate::experiment::aggregate::{ExperimentSummary, PointSummary};
use crate::stats::estimate::Estimate;

const STYLE: &str = "body{font-family:sans-serif;max-width:1250px;margin:2em auto;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
th{background:#f3f3f3}td.l,th.l{text-align:left}.pass{color:#1a7f37}.fail{color:#c62828}\
.warn{background:#fff4e5;padding:6px;border-left:4px solid #f0a020;margin:4px 0}\
figure{margin:1em 0}svg{max-width:100%;height:auto}small{color:#666}";

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page's start, with its title.
fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n",
        t = esc(title)
    )
}

/// Inlines `<dir>/<stem>.svg` if it is there.
fn figure(dir: &Path, stem: &str, caption: &str) -> String {
    match fs::read_to_string(dir.join(format!("{stem}.svg"))) {
        Ok(svg) => {
            let body = svg.find("<svg").map_or(svg.as_str(), |at| &svg[at..]);
            format!("<figure>{body}<figcaption>{}</figcaption></figure>\n", esc(caption))
        }
        Err(_) => String::new(),
    }
}

fn write(dir: &Path, page: String) -> Result<()> {
    let path = dir.join("report.html");
    fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))
}

/// A value with its interval, `12.3 ± 0.4`.
fn with_interval(e: &Estimate, digits: usize) -> String {
    if !e.mean.is_finite() {
        return "n/a".into();
    }
    match e.half_width {
        Some(h) => format!("{:.digits$} ± {:.digits$}", e.mean, h),
        None => format!("{:.digits$}", e.mean),
    }
}

/// The report of one run.
pub fn write_run_report(dir: &Path, summary: &Summary) -> Result<()> {
    let s = &summary.scenario;
    let mut page = head(&format!("cloudtwin: {}", s.name));
    let _ = writeln!(
        page,
        "<p>{} measured from {} after a {} warm-up, seed {}. File: <code>{}</code>.</p>",
        esc(&s.duration),
        esc(&s.start_utc),
        esc(&s.warmup),
        s.seed,
        esc(&s.file)
    );
    let r = &summary.requests;
    let _ = writeln!(
        page,
        "<h2>Requests</h2><table><tr><th class=l>arrived</th><th>completed</th><th>failed</th><th>error rate</th><th>in flight at end</th><th>goodput /s</th></tr>"
    );
    let _ = writeln!(
        page,
        "<tr><td class=l>{}</td><td>{}</td><td>{}</td><td>{:.3} %</td><td>{}</td><td>{:.1}</td></tr></table>",
        r.arrived,
        r.completed,
        r.failed,
        r.error_rate * 100.0,
        r.in_flight_at_end,
        r.goodput_per_s
    );
    if let Some(l) = &summary.latency {
        let _ = writeln!(
            page,
            "<h2>Latency</h2><table><tr><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\
             <tr><td>{:.2} ms</td><td>{:.2} ms</td><td>{:.2} ms</td><td>{:.2} ms</td><td>{:.2} ms</td><td>{:.2} ms</td></tr></table>",
            l.mean_ms, l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms
        );
    }
    if !summary.slos.is_empty() {
        let _ = writeln!(
            page,
            "<h2>Service-level objectives</h2><table><tr><th class=l>objective</th><th>value</th><th>verdict</th></tr>"
        );
        for slo in &summary.slos {
            let (class, word) = if slo.pass { ("pass", "pass") } else { ("fail", "fail") };
            let _ = writeln!(
                page,
                "<tr><td class=l>{}</td><td>{}</td><td class={class}>{word}</td></tr>",
                esc(&slo.name),
                esc(&slo.shown)
            );
        }
        page.push_str("</table>\n");
    }
    for warning in &summary.warnings {
        let _ = writeln!(
            page,
            "<div class=warn>{}</div>",
            esc(&warning.to_string()).replace('\n', "<br>")
        );
    }
    page += &figure(dir, "latency", "Latency percentiles and offered load, minute by minute");
    page += &figure(dir, "capacity", "Instances of the scaling group");
    let c = &summary.cost;
    let _ = writeln!(
        page,
        "<h2>Cost</h2><p>Window {}; per month {}; per million successful {}.</p>",
        c.window_usd,
        c.per_month_usd,
        c.per_million_successful_usd.map_or("n/a".to_string(), |m| m.to_string())
    );
    let _ = writeln!(
        page,
        "<table><tr><th class=l>service</th><th class=l>component</th><th class=l>item</th><th>quantity</th><th class=l>unit</th><th>window</th><th>per month</th><th class=l>price source</th></tr>"
    );
    for line in &c.lines {
        let _ = writeln!(
            page,
            "<tr><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td><td>{:.3}</td><td class=l>{}</td><td>{}</td><td>{}</td><td class=l><small>{}</small></td></tr>",
            esc(&line.service),
            esc(&line.component),
            esc(&line.item),
            line.quantity,
            esc(&line.unit),
            line.window,
            line.month,
            esc(&line.price_source)
        );
    }
    page.push_str("</table>\n");
    page += &figure(dir, "cost", "Cost of the window by service and component");
    if !summary.settings.is_empty() {
        let rows = summary.settings.iter().map(|s| [&s.key, &s.value, &s.from]);
        page += &key_table("Set over the file", "from", rows);
    }
    let rows = summary.defaults.iter().map(|d| [&d.key, &d.value, &d.source]);
    page += &key_table("Defaults used", "source", rows);
    page.push_str("<p><small>Figures: summary.json and timeseries.csv beside this page.</small></p></body></html>\n");
    write(dir, page)
}

/// A headed table of key paths, their values and a third column (where
/// each came from).
fn key_table<'a>(
    heading: &str,
    third: &str,
    rows: impl Iterator<Item = [&'a String; 3]>,
) -> String {
    let mut table = format!(
        "<h2>{heading}</h2><table><tr><th class=l>key</th><th class=l>value</th><th class=l>{third}</th></tr>\n"
    );
    for [key, value, origin] in rows {
        let _ = writeln!(
            table,
            "<tr><td class=l><code>{}</code></td><td class=l>{}</td><td class=l><small>{}</small></td></tr>",
            esc(key),
            esc(value),
            esc(origin)
        );
    }
    table.push_str("</table>\n");
    table
}

/// The report of an experiment (a sweep, replications, or a comparison).
pub fn write_experiment_report(dir: &Path, summary: &ExperimentSummary) -> Result<()> {
    let mut page = head(&format!("cloudtwin: {}", summary.scenario));
    let _ = writeln!(
        page,
        "<p>{} point(s) × {} replication(s). Intervals: {}.</p>",
        summary.points.len(),
        summary.replications,
        esc(&summary.interval_method)
    );
    match summary.cheapest_passing.and_then(|i| summary.points.iter().find(|p| p.index == i)) {
        Some(p) => {
            let _ = writeln!(
                page,
                "<p class=pass><b>Cheapest design that meets every SLO:</b> point {} ({}) at ${:.2} a month.</p>",
                p.index,
                esc(&p.label),
                p.cost_per_month_usd.mean
            );
        }
        None if !summary.slos.is_empty() => {
            page.push_str("<p class=fail><b>No design meets every SLO.</b></p>\n");
        }
        None => {}
    }
    if summary.runs_missing > 0 {
        let _ = writeln!(
            page,
            "<p class=fail><b>Incomplete:</b> {} planned run(s) did not finish (interrupted, \
             or stopped by an error); the figures are over the runs that did.</p>",
            summary.runs_missing
        );
    }
    page.push_str(&points_table(summary));
    page += &figure(dir, "pareto", "Monthly cost against p99; the Pareto front joined");
    page += &figure(dir, "cdf", "Latency distribution of each point");
    page.push_str("<p><small>Figures: experiment.json and points.csv beside this page; each run's files under runs/.</small></p></body></html>\n");
    write(dir, page)
}

fn points_table(summary: &ExperimentSummary) -> String {
    let mut table = String::from(
        "<table><tr><th>point</th><th class=l>settings</th><th>mean ms</th><th>p99 ms</th><th>error rate %</th><th>$ / month</th>",
    );
    for slo in &summary.slos {
        let _ = write!(table, "<th>{}</th>", esc(&slo.name));
    }
    table.push_str("<th>vs point 0: p99 ms</th><th>vs point 0: $ / month</th></tr>\n");
    for p in &summary.points {
        table.push_str(&point_row(summary, p));
    }
    table.push_str("</table>\n");
    table
}

fn point_row(summary: &ExperimentSummary, p: &PointSummary) -> String {
    let mark = if summary.cheapest_passing == Some(p.index) { " ★" } else { "" };
    let front = if summary.pareto.contains(&p.index) { " (front)" } else { "" };
    let collapsed = match (p.collapsed_runs, &p.collapse) {
        (0, _) | (_, None) => String::new(),
        (k, Some(why)) => format!(
            "<br><small class=fail>gave way under its load in {k} of {} run(s): {}</small>",
            p.runs,
            esc(why)
        ),
    };
    let percent = Estimate {
        mean: p.error_rate.mean * 100.0,
        half_width: p.error_rate.half_width.map(|h| h * 100.0),
        n: p.error_rate.n,
    };
    let mut row = format!(
        "<tr><td>{}{mark}</td><td class=l>{}{front}{collapsed}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        p.index,
        esc(&p.label),
        with_interval(&p.mean_ms, 2),
        with_interval(&p.p99_ms, 2),
        with_interval(&percent, 3),
        with_interval(&p.cost_per_month_usd, 2)
    );
    for v in &p.slos {
        let (class, word) = if v.pass { ("pass", "pass") } else { ("fail", "fail") };
        let doubt = if v.certain { "" } else { " ?" };
        let _ = write!(row, "<td class={class}>{word}{doubt}</td>");
    }
    match &p.versus_first {
        Some(d) => {
            let _ = write!(
                row,
                "<td>{}</td><td>{}</td>",
                with_interval(&d.p99_ms, 2),
                with_interval(&d.cost_per_month_usd, 2)
            );
        }
        None => row.push_str("<td></td><td></td>"),
    }
    row.push_str("</tr>\n");
    row
}
