//! Service-time distributions as a scenario writes them: every form samples
//! the mean and CV of its formula, measured tables reproduce their
//! percentiles, and bad input is refused with the key and line at fault.
//!
//! Tolerances come from the sample size, never from a fudge factor:
//! - a mean is within 4 standard errors, s/√n;
//! - a CV is within 4 standard errors by the delta method,
//!   cv·√(((κ − 1)/4 + cv² − γ·cv)/n), with the sample's skewness γ and
//!   kurtosis κ (from Var(s²) ≈ (μ₄ − σ⁴)/n and Cov(x̄, s²) ≈ μ₃/n);
//! - a sampled percentile q̂ₚ lies between the true quantiles at p ± δ, with
//!   δ = 4·√(p(1 − p)/n) + 1/n: the share of draws below the true quantile
//!   is binomial, whatever the distribution's shape.
//!
//! Four standard errors fail a correct sampler about once in 16,000 checks;
//! the streams are seeded, so a run that passes always passes.

use std::fs;
use std::path::{Path, PathBuf};

use cloudtwin::catalogue::Catalogue;
use cloudtwin::engine::dist::Dist;
use cloudtwin::engine::random::Stream;
use cloudtwin::scenario::error::Problem;
use cloudtwin::scenario::{self, ScenarioError, values};
use toml::Spanned;

/// Draws per check: enough for a CV within about 1 % on these shapes.
const DRAWS: usize = 400_000;

/// A fresh folder for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudtwin-dist-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads `text`, the right-hand side of `cpu = …`, as the scenario reader
/// does, with files relative to `dir`.
fn read(text: &str, dir: &Path) -> Result<Dist, Problem> {
    let mut table: toml::Table = toml::from_str(&format!("cpu = {text}")).expect("valid TOML");
    let value = table.remove("cpu").expect("just written");
    values::distribution(&Spanned::new(0..text.len(), value), "components.web.cpu", dir)
}

/// Reads a distribution that must be valid.
fn dist(text: &str, dir: &Path) -> Dist {
    read(text, dir).unwrap_or_else(|p| panic!("{text}: {}: {}", p.key, p.problem))
}

/// `n` sorted draws in nanoseconds.
fn sorted_draws(dist: &Dist, n: usize) -> Vec<f64> {
    let mut stream = Stream::new(2026, 0, "distributions");
    let mut xs: Vec<f64> = (0..n).map(|_| dist.sample(&mut stream).as_nanos() as f64).collect();
    xs.sort_by(f64::total_cmp);
    xs
}

/// Asserts that draws of `dist` have mean `mean_ns` and CV `cv`, within
/// four standard errors (see the module comment).
fn assert_mean_and_cv(dist: &Dist, mean_ns: f64, cv: f64) {
    let xs = sorted_draws(dist, DRAWS);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let central = |k: i32| xs.iter().map(|x| (x - mean).powi(k)).sum::<f64>() / n;
    let (m2, m3, m4) = (central(2), central(3), central(4));
    if m2 == 0.0 {
        // Every draw the same: no noise to allow for.
        assert!(mean == mean_ns && cv == 0.0, "{dist:?}: constant {mean} ns, formula {mean_ns}");
        return;
    }
    let sd = m2.sqrt();
    let (skew, kurt) = (m3 / (sd * m2), m4 / (m2 * m2));
    let sample_cv = sd / mean;
    let cv_se =
        sample_cv * (((kurt - 1.0) / 4.0 + sample_cv.powi(2) - skew * sample_cv) / n).sqrt();
    // Half a nanosecond more for rounding each draw to whole nanoseconds.
    let mean_tolerance = 4.0 * sd / n.sqrt() + 0.5;
    assert!(
        (mean - mean_ns).abs() <= mean_tolerance,
        "{dist:?}: mean {mean} ns, formula {mean_ns} ± {mean_tolerance}"
    );
    assert!(
        (sample_cv - cv).abs() <= 4.0 * cv_se + 1e-9,
        "{dist:?}: cv {sample_cv}, formula {cv} ± {}",
        4.0 * cv_se
    );
}

/// Asserts that the sampled p-th quantiles of `dist` fall where `quantile`
/// (the true inverse CDF, in ns) puts them, within the binomial band.
fn assert_percentiles(dist: &Dist, quantile: impl Fn(f64) -> f64, ps: &[f64]) {
    let xs = sorted_draws(dist, DRAWS);
    let n = xs.len() as f64;
    for &p in ps {
        let sampled = xs[(p * (n - 1.0)).round() as usize];
        let delta = 4.0 * (p * (1.0 - p) / n).sqrt() + 1.0 / n;
        let (low, high) = (quantile((p - delta).max(0.0)), quantile((p + delta).min(1.0)));
        // One nanosecond either way for rounding.
        assert!(
            low - 1.0 <= sampled && sampled <= high + 1.0,
            "p{}: sampled {sampled} ns, expected {} ns (band {low}..{high})",
            p * 100.0,
            quantile(p)
        );
    }
}

/// The inverse CDF through `(p, value)` knots by linear interpolation,
/// written here independently of the engine's table.
fn interpolate(knots: &[(f64, f64)], p: f64) -> f64 {
    let i = knots.iter().rposition(|k| k.0 <= p).unwrap_or(0).min(knots.len() - 2);
    let ((p0, x0), (p1, x1)) = (knots[i], knots[i + 1]);
    x0 + (p - p0) / (p1 - p0) * (x1 - x0)
}

/// Mean and CV of an inverse CDF by the midpoint rule over a million steps:
/// E[X] = ∫₀¹ Q(u) du, a method independent of the engine's closed form.
fn integrate(quantile: impl Fn(f64) -> f64) -> (f64, f64) {
    let steps = 1_000_000;
    let us = (0..steps).map(|i| (i as f64 + 0.5) / steps as f64);
    let (sum, sum2) = us.map(&quantile).fold((0.0, 0.0), |(s, s2), x| (s + x, s2 + x * x));
    let mean = sum / steps as f64;
    (mean, (sum2 / steps as f64 - mean * mean).sqrt() / mean)
}

#[test]
fn every_parametric_form_samples_its_formula() {
    let here = Path::new(".");
    let ms = 1e6;
    let cases: [(&str, f64, f64); 9] = [
        (r#"{ dist = "exponential", mean = "10ms" }"#, 10.0 * ms, 1.0),
        (r#"{ dist = "lognormal", mean = "8ms", cv = 0.5 }"#, 8.0 * ms, 0.5),
        (r#"{ dist = "gamma", mean = "10ms", cv = 0.5 }"#, 10.0 * ms, 0.5),
        // cv above 1: shape 1/4, drawn with the U^(1/k) boost.
        (r#"{ dist = "gamma", mean = "10ms", cv = 2 }"#, 10.0 * ms, 2.0),
        (r#"{ dist = "gamma", mean = "10ms", k = 4 }"#, 10.0 * ms, 0.5),
        (r#"{ dist = "erlang", mean = "10ms", k = 3 }"#, 10.0 * ms, 1.0 / 3f64.sqrt()),
        (r#"{ dist = "erlang", mean = "10ms", k = 1 }"#, 10.0 * ms, 1.0),
        // Uniform on [1, 5]: mean 3, standard deviation 4/√12.
        (r#"{ dist = "uniform", min = "1ms", max = "5ms" }"#, 3.0 * ms, 4.0 / 12f64.sqrt() / 3.0),
        (r#"{ dist = "constant", value = "8ms" }"#, 8.0 * ms, 0.0),
    ];
    for (text, mean_ns, cv) in cases {
        let dist = dist(text, here);
        assert!((dist.mean().as_nanos() as f64 - mean_ns).abs() <= 1.0, "{text}: mean()");
        assert!((dist.scv() - cv * cv).abs() < 1e-9, "{text}: scv() {}", dist.scv());
        assert_mean_and_cv(&dist, mean_ns, cv);
    }
}

#[test]
fn percentile_points_are_reproduced() {
    let text = r#"{ dist = "percentiles", unit = "ms", points = { p0 = 1, p50 = 10, p99 = 80, p100 = 200 } }"#;
    let dist = dist(text, Path::new("."));
    let knots = [(0.0, 1e6), (0.5, 10e6), (0.99, 80e6), (1.0, 200e6)];
    let quantile = |p: f64| interpolate(&knots, p);
    assert_percentiles(&dist, quantile, &[0.25, 0.5, 0.75, 0.99]);

    let (mean, cv) = integrate(quantile);
    assert!((dist.mean().as_nanos() as f64 / mean - 1.0).abs() < 1e-6, "mean() vs {mean}");
    assert!((dist.scv().sqrt() / cv - 1.0).abs() < 1e-6, "scv() vs cv {cv}");
    assert_mean_and_cv(&dist, mean, cv);
}

#[test]
fn percentile_points_may_be_durations() {
    let numbers = dist(
        r#"{ dist = "percentiles", unit = "us", points = { p0 = 500, p50 = 2000, p100 = 9000 } }"#,
        Path::new("."),
    );
    let durations = dist(
        r#"{ dist = "percentiles", points = { p100 = "9ms", p0 = "500us", p50 = "2ms" } }"#,
        Path::new("."),
    );
    assert_eq!(numbers, durations);
}

#[test]
fn a_file_of_samples_is_reproduced() {
    let dir = temp_dir("samples");
    // 1,000 skewed samples, in no particular order: (i mod 1000)² / 1000 ms.
    let samples: Vec<f64> =
        (0..1000).map(|i| ((i * 7919) % 1000) as f64).map(|x| x * x / 1e3).collect();
    let rows: String = samples.iter().enumerate().map(|(i, x)| format!("r{i},{x}\n")).collect();
    fs::write(dir.join("samples.csv"), format!("request,duration_ms\n{rows}")).unwrap();
    let text =
        r#"{ dist = "empirical", file = "samples.csv", column = "duration_ms", unit = "ms" }"#;
    let dist = dist(text, &dir);

    // The sample's own percentiles, linear between order statistics.
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let last = (sorted.len() - 1) as f64;
    let knots: Vec<(f64, f64)> =
        sorted.iter().enumerate().map(|(i, x)| (i as f64 / last, x * 1e6)).collect();
    let quantile = |p: f64| interpolate(&knots, p);
    assert_percentiles(&dist, quantile, &[0.25, 0.5, 0.75, 0.99]);

    let (mean, cv) = integrate(quantile);
    assert!((dist.mean().as_nanos() as f64 / mean - 1.0).abs() < 1e-6, "mean() vs {mean}");
    assert!((dist.scv().sqrt() / cv - 1.0).abs() < 1e-6, "scv() vs cv {cv}");
    assert_mean_and_cv(&dist, mean, cv);
}

#[test]
fn a_lone_column_needs_no_name() {
    let dir = temp_dir("lone");
    fs::write(dir.join("d.csv"), "seconds\n0.5\n1.5\n").unwrap();
    let dist = dist(r#"{ dist = "empirical", file = "d.csv", unit = "s" }"#, &dir);
    assert_eq!(dist.mean().as_nanos(), 1_000_000_000);
}

/// The header and first two rows of the Azure Functions 2019 durations
/// sample (`function_durations_percentiles_1000fn.csv` in the team's shared
/// traces), verbatim. Microsoft Azure Functions Trace 2019, CC-BY 4.0:
/// Shahrad et al., "Serverless in the Wild", USENIX ATC 2020.
const AZURE_HEAD: &str = "\
HashFunction,HashApp,HashOwner,Count,Average,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100
1779fd3337dd353e424d808d9190aff8f09e46a8cbbe6469079b2d7f0e246e37,1779fd3337dd353e424d808d9190aff8f09e46a8cbbe6469079b2d7f0e246e37,1779fd3337dd353e424d808d9190aff8f09e46a8cbbe6469079b2d7f0e246e37,6688,53004,170.0,588171.0,170,194,3483,41128,82492,341598,588171
c7a3df2a3383e5b81667e3ca96a52c205738316fa047028c4d1caf605a8d536b,c7a3df2a3383e5b81667e3ca96a52c205738316fa047028c4d1caf605a8d536b,c7a3df2a3383e5b81667e3ca96a52c205738316fa047028c4d1caf605a8d536b,6,365,53.0,799.0,265,265,265,265,466,466,466
";

/// The whole file where the team's shared data sits beside the clone,
/// otherwise its first rows, copied above.
fn azure_durations(dir: &Path) -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/traces/azure_functions_2019_sample")
        .join("function_durations_percentiles_1000fn.csv");
    if shared.is_file() {
        return shared;
    }
    let copy = dir.join("function_durations_percentiles_1000fn.csv");
    fs::write(&copy, AZURE_HEAD).unwrap();
    copy
}

#[test]
fn azure_functions_row_1_loads_and_is_reproduced() {
    let dir = temp_dir("azure");
    let file = azure_durations(&dir).display().to_string();
    let text = format!(r#"{{ dist = "percentiles", file = '{file}', row = 1, unit = "ms" }}"#);
    let dist = dist(&text, &dir);
    let knots = [
        (0.0, 170.0),
        (0.01, 194.0),
        (0.25, 3483.0),
        (0.5, 41128.0),
        (0.75, 82492.0),
        (0.99, 341598.0),
        (1.0, 588171.0),
    ]
    .map(|(p, ms)| (p, ms * 1e6));
    assert_percentiles(&dist, |p| interpolate(&knots, p), &[0.25, 0.5, 0.75, 0.99]);

    let xs = sorted_draws(&dist, 10_000);
    assert!(xs[0] >= 170e6 && xs[xs.len() - 1] <= 588_171e6, "draws outside [p0, p100]");

    let hash = "c7a3df2a3383e5b81667e3ca96a52c205738316fa047028c4d1caf605a8d536b";
    let by_key =
        format!(r#"{{ dist = "percentiles", file = '{file}', key = "{hash}", unit = "ms" }}"#);
    let by_row = format!(r#"{{ dist = "percentiles", file = '{file}', row = 2, unit = "ms" }}"#);
    assert_eq!(read(&by_key, &dir).unwrap(), read(&by_row, &dir).unwrap());
}

#[test]
fn a_dist_clone_shares_its_table() {
    let dir = temp_dir("clone");
    let rows: String = (0..100_000).map(|i| format!("{i}\n")).collect();
    fs::write(dir.join("big.csv"), format!("us\n{rows}")).unwrap();
    let dist = dist(r#"{ dist = "empirical", file = "big.csv", unit = "us" }"#, &dir);
    let (Dist::Empirical(a), Dist::Empirical(b)) = (&dist, &dist.clone()) else {
        panic!("an empirical file gives a table");
    };
    assert!(std::ptr::eq(a.knots(), b.knots()));
}

// ---------------------------------------------------------------------
// Bad input, refused through the whole scenario reader.

/// A station scenario whose service time is `service`, in `dir`.
fn check(service: &str, dir: &Path) -> Result<scenario::Scenario, ScenarioError> {
    let text = format!(
        r#"[scenario]
name = "dist"
start = "2026-01-01T00:00:00Z"
duration = "10m"

[traffic]
entry = "a"
rate = "10/s"

[components.a]
type = "station"
servers = 1
service = {service}
"#
    );
    scenario::parse(&dir.join("s.toml"), text, &Catalogue::builtin())
}

/// The line of `service = ` in the scenario above.
const SERVICE_LINE: usize = 13;

/// Asserts that `service` is refused under `components.a.service.<param>`,
/// on the line that sets it, with `words` in the message.
fn refused(service: &str, dir: &Path, param: &str, words: &str) -> ScenarioError {
    let error = check(service, dir).expect_err("should be refused");
    assert_eq!(error.key, format!("components.a.service.{param}"), "{error}");
    assert_eq!(error.line, SERVICE_LINE, "{error}");
    assert!(error.to_string().contains(words), "{error}\n  wanted: {words}");
    error
}

#[test]
fn files_are_found_beside_the_scenario() {
    let dir = temp_dir("beside");
    fs::write(dir.join("d.csv"), "ms\n1\n2\n3\n").unwrap();
    let service = r#"{ dist = "empirical", file = "d.csv", unit = "ms" }"#;
    assert!(check(service, &dir).is_ok());
}

#[test]
fn bad_parameters_are_refused_with_their_key() {
    let dir = Path::new(".");
    refused(r#"{ dist = "gamma", mean = "10ms", cv = 0 }"#, dir, "cv", "above 0");
    refused(r#"{ dist = "lognormal", mean = "10ms", cv = -0.5 }"#, dir, "cv", "above 0");
    refused(r#"{ dist = "gamma", mean = "10ms" }"#, dir, "cv", "`gamma` needs `cv`");
    refused(r#"{ dist = "gamma", mean = "10ms", cv = 1, k = 1 }"#, dir, "k", "not both");
    refused(r#"{ dist = "erlang", mean = "10ms", k = 0 }"#, dir, "k", "from 1");
    refused(r#"{ dist = "erlang", mean = "10ms", k = 2.5 }"#, dir, "k", "whole number");
    refused(r#"{ dist = "erlang", mean = "0ms", k = 2 }"#, dir, "mean", "longer than zero");
    let swapped = refused(r#"{ dist = "uniform", min = "5ms", max = "1ms" }"#, dir, "max", "below");
    assert_eq!(swapped.hint.as_deref(), Some("swap the two values"));
    refused(r#"{ dist = "uniform", min = "1ms" }"#, dir, "max", "needs `max`");
}

#[test]
fn misspelled_names_get_the_nearest_one() {
    let dir = Path::new(".");
    let dist = refused(r#"{ dist = "gama", mean = "10ms", cv = 1 }"#, dir, "dist", "unknown");
    assert_eq!(dist.hint.as_deref(), Some("did you mean `gamma`?"));
    let param = refused(r#"{ dist = "lognormal", mean = "1ms", cvv = 1 }"#, dir, "cvv", "not a");
    assert_eq!(param.hint.as_deref(), Some("did you mean `cv`?"));
    let unit = r#"{ dist = "percentiles", unit = "sec", points = { p0 = 1, p100 = 2 } }"#;
    refused(unit, dir, "unit", "ns, us, ms or s");
}

#[test]
fn bad_percentiles_are_refused_with_the_point_at_fault() {
    let dir = Path::new(".");
    let falling = r#"{ dist = "percentiles", unit = "ms", points = { p0 = 1, p50 = 100, p99 = 80, p100 = 200 } }"#;
    refused(falling, dir, "points.p99", "p99 = 80 is below p50 = 100");
    let no_p0 = r#"{ dist = "percentiles", unit = "ms", points = { p50 = 10, p100 = 200 } }"#;
    refused(no_p0, dir, "points", "no p0");
    let no_p100 = r#"{ dist = "percentiles", unit = "ms", points = { p0 = 1, p99 = 200 } }"#;
    refused(no_p100, dir, "points", "no p100");
    let not_a_percentile =
        r#"{ dist = "percentiles", unit = "ms", points = { p0 = 1, q50 = 3, p100 = 9 } }"#;
    refused(not_a_percentile, dir, "points.q50", "not a percentile");
    let negative = r#"{ dist = "percentiles", unit = "ms", points = { p0 = -1, p100 = 9 } }"#;
    refused(negative, dir, "points.p0", "negative");
    let no_unit = r#"{ dist = "percentiles", points = { p0 = 1, p100 = 9 } }"#;
    refused(no_unit, dir, "unit", "plain number");
}

#[test]
fn bad_files_are_refused_with_file_and_line() {
    let dir = temp_dir("bad-files");
    let write = |name: &str, text: &str| fs::write(dir.join(name), text).unwrap();
    let empirical = |file: &str, column: &str| {
        format!(r#"{{ dist = "empirical", file = '{file}', column = "{column}", unit = "ms" }}"#)
    };

    let missing = refused(&empirical("nowhere.csv", "ms"), &dir, "file", "no file at");
    assert!(missing.hint.unwrap().contains("relative to the scenario"));

    write("two.csv", "request,duration_ms\na,1\nb,2\n");
    let typo = refused(&empirical("tow.csv", "duration_ms"), &dir, "file", "no file at");
    assert!(typo.hint.unwrap().starts_with("did you mean `two.csv`?"));
    let column = refused(&empirical("two.csv", "duration_s"), &dir, "column", "no column");
    assert_eq!(column.hint.as_deref(), Some("did you mean `duration_ms`?"));
    let unnamed = r#"{ dist = "empirical", file = "two.csv", unit = "ms" }"#;
    refused(unnamed, &dir, "column", "`request`, `duration_ms`");

    write("text.csv", "request,duration_ms\na,1\nb,2\nc,fast\n");
    refused(&empirical("text.csv", "duration_ms"), &dir, "file", "text.csv:4: `fast`");
    write("negative.csv", "request,duration_ms\na,1\nb,-2\n");
    refused(&empirical("negative.csv", "duration_ms"), &dir, "file", "negative.csv:3: `-2`");
    write("one.csv", "request,duration_ms\na,1\n");
    refused(&empirical("one.csv", "duration_ms"), &dir, "file", "at least 2");
    write("headless.csv", "1\n2\n3\n");
    let headless = r#"{ dist = "empirical", file = "headless.csv", unit = "ms" }"#;
    refused(headless, &dir, "file", "header");
    let no_unit = r#"{ dist = "empirical", file = "two.csv", column = "duration_ms" }"#;
    refused(no_unit, &dir, "unit", "needs `unit`");
}

#[test]
fn bad_percentile_rows_are_refused_with_file_and_line() {
    let dir = temp_dir("bad-rows");
    let write = |name: &str, text: &str| fs::write(dir.join(name), text).unwrap();
    let row = |file: &str, row: &str| {
        format!(r#"{{ dist = "percentiles", file = '{file}', {row}, unit = "ms" }}"#)
    };
    write("p.csv", "name,p0,p50,p100\nfast,1,2,3\nfalling,1,5,4\nnan,1,x,3\nhalf,0,1,\n");
    assert!(check(&row("p.csv", "row = 1"), &dir).is_ok());
    assert!(check(&row("p.csv", r#"key = "fast""#), &dir).is_ok());
    refused(&row("p.csv", "row = 2"), &dir, "file", "p.csv:3: p100 = 4 is below p50 = 5");
    refused(&row("p.csv", "row = 3"), &dir, "file", "p.csv:4: `x` in column `p50`");
    refused(&row("p.csv", "row = 4"), &dir, "file", "p.csv:5: column `p100` is empty");
    refused(&row("p.csv", "row = 9"), &dir, "row", "has 4 data row(s)");
    refused(&row("p.csv", "row = 0"), &dir, "row", "counting from 1");
    let key = refused(&row("p.csv", r#"key = "fastt""#), &dir, "key", "no row");
    assert_eq!(key.hint.as_deref(), Some("did you mean `fast`?"));
    write("no-p100.csv", "name,p0,p50\nf,1,2\n");
    refused(&row("no-p100.csv", "row = 1"), &dir, "file", "no-p100.csv:2: no p100");
    write("none.csv", "name,mean\nf,1\n");
    refused(&row("none.csv", "row = 1"), &dir, "file", "no percentile columns");
    let both = r#"{ dist = "percentiles", file = "p.csv", row = 1, key = "fast", unit = "ms" }"#;
    refused(both, &dir, "key", "not both");
}
