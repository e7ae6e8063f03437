//! The latency-and-load figure: latency percentiles above offered load,
//! over the minutes of the measured window.

use std::path::Path;

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::coord::combinators::IntoLogRange;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::style::{AsRelative, RGBColor};

use super::axis::{self, Extent};
use super::panel::{self, Axes, Line, PALETTE};
use super::series;
use super::{Figure, PlotError, draw_no_data, titled_canvas, write_figure};

/// One point of a time series plot: x is minutes since the start of the
/// measured window.
///
/// A percentile is `None` when it is unknown for that minute, typically
/// because no request completed; the line then shows a gap. Non-finite or
/// negative values are treated the same way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyLoadPoint {
    /// Minutes since the start of the measured window (after warm-up).
    pub minute: f64,
    /// Offered load in requests per second, averaged over the interval.
    pub offered_per_s: f64,
    /// Median latency in milliseconds.
    pub p50_ms: Option<f64>,
    /// 90th percentile latency in milliseconds.
    pub p90_ms: Option<f64>,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: Option<f64>,
    /// 99.9th percentile latency in milliseconds.
    pub p999_ms: Option<f64>,
}

/// What the figure is about, shown in its title and on its time axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotTitle {
    /// Scenario name, as the user wrote it.
    pub scenario: String,
    /// Wall-clock start of the measured window, e.g. `1998-06-30 18:00 UTC`.
    pub start_utc: String,
}

/// Writes `<dir>/<stem>.svg` and `<dir>/<stem>.png`: latency percentiles on
/// top, offered load below, sharing the time axis.
///
/// The latency axis turns logarithmic when the values span more than two
/// decades, so that p50 stays readable beside a long p99.9 tail.
///
/// `dir` must exist. Empty input, or input with no finite minute, still
/// writes both files: the figure then says it has no data, so a report that
/// links to it never points at a missing file.
///
/// # Errors
///
/// Returns [`PlotError`] naming the file that could not be written.
pub fn write_latency_and_load(
    dir: &Path,
    stem: &str,
    title: &PlotTitle,
    points: &[LatencyLoadPoint],
) -> Result<(), PlotError> {
    write_figure(dir, stem, &LatencyLoad { title, points })
}

struct LatencyLoad<'a> {
    title: &'a PlotTitle,
    points: &'a [LatencyLoadPoint],
}

type Percentile = (&'static str, RGBColor, fn(&LatencyLoadPoint) -> Option<f64>);

/// The percentile lines, from the median up to the tail.
const PERCENTILES: [Percentile; 4] = [
    ("p50", PALETTE[0], |p| p.p50_ms),
    ("p90", PALETTE[2], |p| p.p90_ms),
    ("p99", PALETTE[1], |p| p.p99_ms),
    ("p99.9", PALETTE[3], |p| p.p999_ms),
];

impl Figure for LatencyLoad<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let heading = format!("{} — latency and offered load", self.title.scenario);
        let body = titled_canvas(root, &heading)?;
        let Some(minutes) = Extent::of(self.points.iter().map(|p| p.minute)) else {
            return draw_no_data(&body, "no data points in the measured window");
        };

        // Latency gets the larger share: it is what the reader came for.
        let (top, bottom) = body.split_vertically(62.percent_height());
        let x_desc = format!("minutes since {}", self.title.start_utc);
        self.draw_latency(&top, axis::padded(minutes))?;
        self.draw_load(&bottom, axis::padded(minutes), &x_desc)
    }
}

impl LatencyLoad<'_> {
    fn draw_latency<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let all_ms =
            || PERCENTILES.iter().flat_map(|(_, _, get)| self.points.iter().filter_map(get));
        let Some(extent) = Extent::of(all_ms().filter(|ms| *ms >= 0.0)) else {
            return draw_no_data(area, "no latency recorded: no request completed");
        };
        // A log axis has no place for zero: zeros neither choose it nor
        // appear on it, where they become gaps instead.
        let log_extent = Extent::of(all_ms().filter(|ms| *ms > 0.0)).filter(|e| e.wants_log());
        let is_drawable = |ms: f64| if log_extent.is_some() { ms > 0.0 } else { ms >= 0.0 };

        let axes = Axes { x, x_desc: None, y_desc: "latency (ms)" };
        let lines = PERCENTILES.map(|(label, color, get)| {
            let samples = self.points.iter().map(|p| (p.minute, get(p)));
            Line { label, color, runs: series::runs(samples, is_drawable), is_filled: false }
        });
        match log_extent {
            Some(positive) => {
                panel::draw(area, &axes, axis::whole_decades(positive).log_scale(), &lines)
            }
            None => panel::draw(area, &axes, axis::from_zero(extent), &lines),
        }
    }

    fn draw_load<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
        x_desc: &str,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let samples = self.points.iter().map(|p| (p.minute, Some(p.offered_per_s)));
        let runs = series::runs(samples, |rate| rate >= 0.0);
        let rates = runs.iter().flatten().map(|&(_, rate)| rate);
        let y = Extent::of(rates).map_or(0.0..1.0, axis::from_zero);
        let axes = Axes { x, x_desc: Some(x_desc), y_desc: "offered load (requests/s)" };
        let load = Line { label: "offered load", color: PALETTE[4], runs, is_filled: true };
        panel::draw(area, &axes, y, &[load])
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_written, scratch_dir};
    use super::*;

    fn title() -> PlotTitle {
        PlotTitle { scenario: "worldcup".to_owned(), start_utc: "1998-06-30 18:00 UTC".to_owned() }
    }

    /// A diurnal-ish day: load swings, the tail grows with it, and an outage
    /// hour leaves gaps in the percentiles.
    fn day() -> Vec<LatencyLoadPoint> {
        (0..24 * 60)
            .step_by(5)
            .map(|minute| {
                let phase = f64::from(minute) / (24.0 * 60.0) * std::f64::consts::TAU;
                let load = 800.0 + 600.0 * phase.sin();
                let is_outage = (600..660).contains(&minute);
                let ms = |base: f64| (!is_outage).then_some(base * (1.0 + load / 1000.0));
                LatencyLoadPoint {
                    minute: f64::from(minute),
                    offered_per_s: load,
                    p50_ms: ms(4.0),
                    p90_ms: ms(9.0),
                    p99_ms: ms(60.0),
                    p999_ms: ms(900.0),
                }
            })
            .collect()
    }

    #[test]
    fn writes_both_files_for_a_day() {
        let dir = scratch_dir("latency-day");
        write_latency_and_load(&dir, "latency", &title(), &day()).unwrap();
        assert_written(&dir, "latency", "worldcup — latency and offered load");
    }

    #[test]
    fn empty_input_writes_a_chart_that_says_so() {
        let dir = scratch_dir("latency-empty");
        write_latency_and_load(&dir, "latency", &title(), &[]).unwrap();
        let svg = std::fs::read_to_string(dir.join("latency.svg")).unwrap();
        assert!(svg.contains("no data points"));
        assert_written(&dir, "latency", "worldcup");
    }

    #[test]
    fn a_single_point_is_drawn() {
        let dir = scratch_dir("latency-single");
        let point = day()[0];
        write_latency_and_load(&dir, "latency", &title(), &[point]).unwrap();
        assert_written(&dir, "latency", "worldcup");
    }

    #[test]
    fn nan_infinity_and_zeros_do_not_panic() {
        let dir = scratch_dir("latency-nan");
        let mut points = day();
        points[3].minute = f64::NAN;
        points[4].offered_per_s = f64::INFINITY;
        points[5].p99_ms = Some(f64::NAN);
        points[6].p50_ms = Some(0.0);
        points[7].p90_ms = Some(-3.0);
        points[8].p999_ms = Some(f64::MAX);
        write_latency_and_load(&dir, "latency", &title(), &points).unwrap();
        assert_written(&dir, "latency", "worldcup");
    }

    #[test]
    fn no_latency_at_all_still_draws_the_load() {
        let dir = scratch_dir("latency-none");
        let points: Vec<_> = day()
            .into_iter()
            .map(|p| LatencyLoadPoint {
                p50_ms: None,
                p90_ms: None,
                p99_ms: None,
                p999_ms: None,
                ..p
            })
            .collect();
        write_latency_and_load(&dir, "latency", &title(), &points).unwrap();
        let svg = std::fs::read_to_string(dir.join("latency.svg")).unwrap();
        assert!(svg.contains("no request completed"));
        assert_written(&dir, "latency", "worldcup");
    }
}
