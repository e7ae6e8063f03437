//! The capacity figure of a scaled fleet: desired, pending and in-service
//! instances with the scaling decisions marked, above the offered load.

use std::path::Path;

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::style::AsRelative;

use super::axis::{self, Extent};
use super::panel::{self, Axes, Line, PALETTE};
use super::series;
use super::{Figure, PlotError, PlotTitle, draw_no_data, titled_canvas, write_figure};

/// The fleet's state at the end of one minute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityPoint {
    /// Minutes since the start of the measured window.
    pub minute: f64,
    /// Offered load in requests per second over the minute.
    pub offered_per_s: f64,
    /// The minute's start, where its offered load is plotted.
    pub load_minute: f64,
    /// Desired capacity.
    pub desired: f64,
    /// Instances launched and not yet in service.
    pub pending: f64,
    /// Instances in service.
    pub in_service: f64,
}

/// A scaling decision that changed the desired capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecisionMark {
    /// Minutes since the start of the measured window.
    pub minute: f64,
    /// The desired capacity it set.
    pub to: f64,
}

/// Writes `<dir>/<stem>.svg` and `.png`: capacity with the decisions as
/// dots on top, offered load below, sharing the time axis. Empty input
/// still writes both files, saying there is no data.
///
/// # Errors
///
/// Returns [`PlotError`] naming the file that could not be written.
pub fn write_capacity_and_load(
    dir: &Path,
    stem: &str,
    title: &PlotTitle,
    fleet: &str,
    points: &[CapacityPoint],
    decisions: &[DecisionMark],
) -> Result<(), PlotError> {
    write_figure(dir, stem, &CapacityLoad { title, fleet, points, decisions })
}

struct CapacityLoad<'a> {
    title: &'a PlotTitle,
    fleet: &'a str,
    points: &'a [CapacityPoint],
    decisions: &'a [DecisionMark],
}

impl Figure for CapacityLoad<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let heading = format!("{} — {} capacity and offered load", self.title.scenario, self.fleet);
        let body = titled_canvas(root, &heading)?;
        let Some(minutes) = Extent::of(self.points.iter().flat_map(|p| [p.load_minute, p.minute]))
        else {
            return draw_no_data(&body, "no data points in the measured window");
        };
        let (top, bottom) = body.split_vertically(62.percent_height());
        let x = axis::padded(minutes);
        self.draw_capacity(&top, x.clone())?;
        let x_desc = format!("minutes since {}", self.title.start_utc);
        // The load is the minute's mean, plotted at the minute's start as
        // the latency plot does; the instance counts are at its end.
        let samples = self.points.iter().map(|p| (p.load_minute, Some(p.offered_per_s)));
        let runs = series::runs(samples, |rate| rate >= 0.0);
        let y =
            Extent::of(runs.iter().flatten().map(|&(_, r)| r)).map_or(0.0..1.0, axis::from_zero);
        let axes = Axes { x, x_desc: Some(&x_desc), y_desc: "offered load (requests/s)" };
        let load = Line { label: "offered load", color: PALETTE[4], runs, is_filled: true };
        panel::draw(&bottom, &axes, y, &[load])
    }
}

impl CapacityLoad<'_> {
    fn draw_capacity<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        type Get = fn(&CapacityPoint) -> f64;
        let counts: [(&str, usize, Get); 3] = [
            ("desired", 0, |p| p.desired),
            ("in service", 2, |p| p.in_service),
            ("pending", 1, |p| p.pending),
        ];
        let mut lines: Vec<Line> = counts
            .iter()
            .map(|&(label, color, get)| {
                let samples = self.points.iter().map(|p| (p.minute, Some(get(p))));
                let runs = series::runs(samples, |n| n >= 0.0);
                Line {
                    label,
                    color: PALETTE[color],
                    runs: runs.iter().map(|r| series::steps(r)).collect(),
                    is_filled: false,
                }
            })
            .collect();
        lines.push(Line {
            label: "decision",
            color: PALETTE[3],
            runs: self
                .decisions
                .iter()
                .filter(|d| d.minute.is_finite() && x.contains(&d.minute))
                .map(|d| vec![(d.minute, d.to)])
                .collect(),
            is_filled: false,
        });
        let all = lines.iter().flat_map(|l| l.runs.iter().flatten().map(|&(_, y)| y));
        let y = Extent::of(all).map_or(0.0..1.0, axis::from_zero);
        let axes = Axes { x, x_desc: None, y_desc: "instances (at each minute's end)" };
        panel::draw(area, &axes, y, &lines)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_written, scratch_dir};
    use super::*;

    #[test]
    fn writes_a_scale_out_and_in() {
        let dir = scratch_dir("capacity");
        let points: Vec<CapacityPoint> = (0..60)
            .map(|m| {
                let high = (10..40).contains(&m);
                CapacityPoint {
                    minute: f64::from(m),
                    load_minute: f64::from(m) - 1.0,
                    offered_per_s: if high { 1000.0 } else { 200.0 },
                    desired: if (14..45).contains(&m) { 10.0 } else { 2.0 },
                    pending: if (14..16).contains(&m) { 8.0 } else { 0.0 },
                    in_service: if (16..46).contains(&m) { 10.0 } else { 2.0 },
                }
            })
            .collect();
        let decisions =
            [DecisionMark { minute: 14.0, to: 10.0 }, DecisionMark { minute: 45.0, to: 2.0 }];
        let title =
            PlotTitle { scenario: "flash".into(), start_utc: "2026-06-12 09:00 UTC".into() };
        write_capacity_and_load(&dir, "capacity", &title, "web", &points, &decisions).unwrap();
        assert_written(&dir, "capacity", "flash — web capacity and offered load");
    }

    #[test]
    fn empty_input_says_so() {
        let dir = scratch_dir("capacity-empty");
        let title = PlotTitle { scenario: "flash".into(), start_utc: "x".into() };
        write_capacity_and_load(&dir, "capacity", &title, "web", &[], &[]).unwrap();
        let svg = std::fs::read_to_string(dir.join("capacity.svg")).unwrap();
        assert!(svg.contains("no data points"));
        assert_written(&dir, "capacity", "flash");
    }
}
