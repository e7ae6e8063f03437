//! A chart of one or more named lines over a numeric x axis, such as
//! running capacity over time.

use std::path::Path;

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::style::RGBColor;

use super::axis::{self, Extent};
use super::panel::{self, Axes, Line, PALETTE};
use super::series;
use super::{Figure, PlotError, draw_no_data, titled_canvas, write_figure};

/// How a series joins its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesShape {
    /// A straight line between samples: for rates and averages.
    Line,
    /// Each value holds until the next sample: for counts that change at
    /// instants, such as running instances.
    Step,
}

/// One named line of a [`write_line_chart`] figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Name in the legend.
    pub label: String,
    /// `(x, y)` samples in increasing x. A `None` or non-finite `y` leaves a
    /// gap in the line.
    pub points: Vec<(f64, Option<f64>)>,
    /// How samples are joined.
    pub shape: SeriesShape,
}

/// Writes `<dir>/<stem>.svg` and `<dir>/<stem>.png`: each series as a line
/// on a linear y axis that starts at zero.
///
/// Lines take their colours in order from a palette of eight, repeating
/// after that. A legend beside the plot names each series; labels of up to
/// about fourteen characters fit in it.
///
/// `dir` must exist. With no drawable point in any series, both files are
/// still written and the figure says there is no data.
///
/// # Errors
///
/// Returns [`PlotError`] naming the file that could not be written.
pub fn write_line_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), PlotError> {
    write_figure(dir, stem, &LineChart { title, x_label, y_label, series })
}

struct LineChart<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    series: &'a [Series],
}

impl Figure for LineChart<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let body = titled_canvas(root, self.title)?;
        let lines: Vec<Line> = self.series.iter().zip(PALETTE.iter().cycle()).map(line).collect();
        let drawn = || lines.iter().flat_map(|line| line.runs.iter().flatten());
        let (Some(xs), Some(ys)) =
            (Extent::of(drawn().map(|p| p.0)), Extent::of(drawn().map(|p| p.1)))
        else {
            return draw_no_data(&body, "no data");
        };

        let axes = Axes { x: axis::padded(xs), x_desc: Some(self.x_label), y_desc: self.y_label };
        panel::draw(&body, &axes, axis::from_zero(ys), &lines)
    }
}

fn line<'a>((series, color): (&'a Series, &RGBColor)) -> Line<'a> {
    let runs = series::runs(series.points.iter().copied(), |_| true);
    let runs = match series.shape {
        SeriesShape::Line => runs,
        SeriesShape::Step => runs.iter().map(|run| series::steps(run)).collect(),
    };
    Line { label: &series.label, color: *color, runs, is_filled: false }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_written, scratch_dir};
    use super::*;

    fn capacity() -> Vec<Series> {
        let instances = [2.0, 2.0, 4.0, 6.0, 6.0, 3.0, 2.0];
        let points = |scale: f64| {
            instances.iter().enumerate().map(|(i, n)| (i as f64 * 10.0, Some(n * scale))).collect()
        };
        vec![
            Series { label: "desired".to_owned(), points: points(1.0), shape: SeriesShape::Step },
            Series {
                label: "in service".to_owned(),
                points: points(0.8),
                shape: SeriesShape::Line,
            },
        ]
    }

    #[test]
    fn writes_both_files_for_capacity_over_time() {
        let dir = scratch_dir("lines-capacity");
        let title = "web tier capacity";
        write_line_chart(&dir, "capacity", title, "minutes", "instances", &capacity()).unwrap();
        assert_written(&dir, "capacity", title);
    }

    #[test]
    fn empty_and_nan_series_do_not_panic() {
        let dir = scratch_dir("lines-odd");
        write_line_chart(&dir, "none", "no series", "minutes", "instances", &[]).unwrap();
        let mut series = capacity();
        series[0].points = vec![(f64::NAN, Some(1.0)), (1.0, Some(f64::INFINITY))];
        series[1].points = vec![(5.0, Some(3.0))];
        write_line_chart(&dir, "odd", "odd series", "minutes", "instances", &series).unwrap();
        assert!(std::fs::read_to_string(dir.join("none.svg")).unwrap().contains("no data"));
        assert_written(&dir, "odd", "odd series");
    }
}
