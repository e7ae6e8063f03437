//! The terminal view of an experiment (one row per point, figures with
//! their intervals, SLO verdicts, the cheapest design that passes) and of
//! one run's SLO verdicts.

use std::fmt::Write as _;

use crate::experiment::aggregate::ExperimentSummary;
use crate::report::summary::Summary;
use crate::stats::estimate::Estimate;

/// `12.34 ± 0.56`, or the mean alone without an interval.
fn shown(e: &Estimate, digits: usize) -> String {
    if !e.mean.is_finite() {
        return "n/a".into();
    }
    match e.half_width {
        Some(h) => format!("{:.digits$} ±{:.digits$}", e.mean, h),
        None => format!("{:.digits$}", e.mean),
    }
}

/// The experiment's table.
pub fn render(summary: &ExperimentSummary) -> String {
    let mut out = String::new();
    let intervals = if summary.replications > 1 {
        format!("± is the 95 % interval, {}", summary.interval_method)
    } else {
        "one replication each, so no intervals: add --replications 5 for them".into()
    };
    let planned_runs =
        summary.runs_missing + summary.points.iter().map(|p| p.runs as usize).sum::<usize>();
    let planned_points = planned_runs / summary.replications.max(1) as usize;
    let points = match summary.points.len() {
        n if n < planned_points => format!("{n} of {planned_points} points"),
        1 => "1 point".to_string(),
        n => format!("{n} points"),
    };
    let _ = writeln!(
        out,
        "{}  ({points} × {} replication{}; {intervals})",
        summary.scenario,
        summary.replications,
        if summary.replications == 1 { "" } else { "s" },
    );
    if summary.runs_missing > 0 {
        let _ = writeln!(
            out,
            "  INCOMPLETE: {} of the {} planned runs did not finish (interrupted, or stopped by an \
             error); the figures are over the runs that did",
            summary.runs_missing, planned_runs
        );
    }
    if !summary.fixed.is_empty() {
        let fixed: Vec<String> = summary.fixed.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let _ = writeln!(out, "  set in every run: {}", fixed.join(", "));
    }
    let label_width =
        summary.points.iter().map(|p| p.label.chars().count()).max().unwrap_or(8).max(8);
    let _ = write!(
        out,
        "  {:>5}  {:<label_width$}  {:>18}  {:>18}  {:>16}  {:>20}",
        "point", "settings", "mean ms", "p99 ms", "errors %", "$ / month"
    );
    for (i, _) in summary.slos.iter().enumerate() {
        let _ = write!(out, "  {:>6}", format!("slo{}", i + 1));
    }
    out.push('\n');
    for p in &summary.points {
        let errors = Estimate {
            mean: p.error_rate.mean * 100.0,
            half_width: p.error_rate.half_width.map(|h| h * 100.0),
            n: p.error_rate.n,
        };
        let mut marks = String::new();
        if summary.pareto.contains(&p.index) {
            marks.push('◆');
        }
        if summary.cheapest_passing == Some(p.index) {
            marks.push('★');
        }
        if p.collapsed_runs > 0 {
            marks.push('✗');
        }
        let _ = write!(
            out,
            "  {:>3}{:<2}  {:<label_width$}  {:>18}  {:>18}  {:>16}  {:>20}",
            p.index,
            marks,
            p.label,
            shown(&p.mean_ms, 2),
            shown(&p.p99_ms, 2),
            shown(&errors, 3),
            shown(&p.cost_per_month_usd, 2)
        );
        for v in &p.slos {
            let word = match (v.pass, v.certain || summary.replications == 1) {
                (true, true) => "pass",
                (true, false) => "pass?",
                (false, true) => "FAIL",
                (false, false) => "FAIL?",
            };
            let _ = write!(out, "  {word:>6}");
        }
        out.push('\n');
    }
    for p in summary.points.iter().filter(|p| p.collapsed_runs > 0) {
        let _ = writeln!(
            out,
            "  ✗ point {} gave way under its load in {} of its {} run(s), which stopped there; it \
             fails every SLO: {}",
            p.index,
            p.collapsed_runs,
            p.runs,
            p.collapse.as_deref().unwrap_or_default()
        );
    }
    out.push_str(&differences(summary));
    for (i, slo) in summary.slos.iter().enumerate() {
        let _ = writeln!(out, "  slo{}: {}", i + 1, slo.name);
    }
    let uncertain = summary.points.iter().flat_map(|p| &p.slos).any(|v| !v.certain);
    if !summary.slos.is_empty() && summary.replications > 1 && uncertain {
        out.push_str(
            "  (? = the interval crosses the bound: more replications could change the verdict)\n",
        );
    }
    out.push_str(if summary.pareto.is_empty() {
        "  no design on a cost–p99 Pareto front (none finished its runs)"
    } else {
        "  ◆ on the cost–p99 Pareto front"
    });
    match summary.cheapest_passing.and_then(|i| summary.points.iter().find(|p| p.index == i)) {
        Some(p) => {
            let _ = writeln!(
                out,
                "; ★ cheapest design that meets every SLO{}: point {} ({}) at ${:.2} a month{}",
                if summary.runs_missing > 0 { " among the runs that finished" } else { "" },
                p.index,
                p.label,
                p.cost_per_month_usd.mean,
                if summary.replications > 1 && p.slos.iter().any(|v| !v.certain) {
                    " (on the means; its pass? could change with more replications)"
                } else {
                    ""
                }
            );
        }
        None if !summary.slos.is_empty() => out.push_str("; no design meets every SLO\n"),
        None => {
            out.push_str("; add [[slo]] tables to have the cheapest design that meets them named\n")
        }
    }
    out
}

/// Each point's p99 and monthly cost less point 0's, paired replication
/// by replication (common random numbers make the pairs), with their
/// intervals: lines under the table, empty when there is nothing to pair.
fn differences(summary: &ExperimentSummary) -> String {
    let signed = |e: &Estimate, digits: usize| -> String {
        if !e.mean.is_finite() {
            return "n/a".into();
        }
        match e.half_width {
            // A narrow interval keeps its digits: ±0.0034, not ±0.00.
            Some(h) if h > 0.0 && h < 0.5 * 10f64.powi(-(digits as i32)) => {
                format!("{:+.4} ±{h:.4}", e.mean)
            }
            Some(h) => format!("{:+.digits$} ±{h:.digits$}", e.mean),
            None => format!("{:+.digits$}", e.mean),
        }
    };
    let mut out = String::new();
    for p in &summary.points {
        let Some(d) = &p.versus_first else {
            if p.index != 0
                && summary.points.first().is_some_and(|f| f.index == 0 && f.collapsed_runs > 0)
            {
                out.push_str("  no paired differences: point 0 gave way\n");
                break;
            }
            continue;
        };
        if d.p99_ms.n == 0 {
            continue;
        }
        if out.is_empty() {
            out.push_str("  against point 0, paired by replication:\n");
        }
        let _ = writeln!(
            out,
            "    point {:>3}: p99 {} ms, mean {} ms, cost {} $ / month",
            p.index,
            signed(&d.p99_ms, 2),
            signed(&d.mean_ms, 2),
            signed(&d.cost_per_month_usd, 2)
        );
    }
    out
}

/// One run's SLO verdicts, as table lines (empty without SLOs).
pub fn slo_lines(summary: &Summary) -> String {
    let mut out = String::new();
    for slo in &summary.slos {
        let verdict = if slo.pass { "pass" } else { "FAIL" };
        let _ = writeln!(out, "  slo          {}: {}  {verdict}", slo.name, slo.shown);
    }
    out
}
