//! A chart of named bars, such as a cost breakdown by service.

use std::path::Path;

use plotters::backend::DrawingBackend;
use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::element::{EmptyElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, IntoFont, TextStyle};

use super::axis::{self, Extent};
use super::font::FAMILY;
use super::panel::PALETTE;
use super::{Figure, PlotError, draw_no_data, titled_canvas, write_figure};

/// Writes `<dir>/<stem>.svg` and `<dir>/<stem>.png`: one bar per entry of
/// `bars`, in the given order, each labelled with its name below and its
/// value above.
///
/// `y_label` names the value axis and its unit, e.g. `cost (USD)`. Negative
/// values (credits) are drawn below zero. A non-finite value gets no bar and
/// the label `n/a`. The names sit side by side under the bars, so about a
/// dozen short names fit; the caller should group anything longer.
///
/// `dir` must exist. With no bars, both files are still written and the
/// figure says there is no data.
///
/// # Errors
///
/// Returns [`PlotError`] naming the file that could not be written.
pub fn write_bar_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    y_label: &str,
    bars: &[(String, f64)],
) -> Result<(), PlotError> {
    write_figure(dir, stem, &BarChart { title, y_label, bars })
}

struct BarChart<'a> {
    title: &'a str,
    y_label: &'a str,
    bars: &'a [(String, f64)],
}

impl Figure for BarChart<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let body = titled_canvas(root, self.title)?;
        let Some(last) = self.bars.len().checked_sub(1) else {
            return draw_no_data(&body, "no data");
        };
        let values = Extent::of(self.bars.iter().map(|(_, value)| *value));
        let y = values.map_or(0.0..1.0, axis::from_zero);
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d((0..last).into_segmented(), y)?;

        let name = |segment: &SegmentValue<usize>| match segment {
            SegmentValue::CenterOf(i) => self.bars.get(*i).map_or("", |(name, _)| name).to_owned(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.bars.len())
            .x_label_formatter(&name)
            .y_desc(self.y_label)
            .y_label_formatter(&|v| axis::tick_label(*v))
            .label_style((FAMILY, 16))
            .axis_desc_style((FAMILY, 18))
            .bold_line_style(BLACK.mix(0.15))
            .light_line_style(BLACK.mix(0.05))
            .draw()?;

        let drawable = || self.bars.iter().enumerate().filter(|(_, (_, value))| value.is_finite());
        chart.draw_series(drawable().map(|(i, (_, value))| {
            let corners = [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *value)];
            let mut bar = Rectangle::new(corners, PALETTE[i % PALETTE.len()].filled());
            // Gaps between bars, so that neighbours of one colour stay apart.
            bar.set_margin(0, 0, 12, 12);
            bar
        }))?;

        // Values sit just outside the end of each bar: above a positive one,
        // below a negative one.
        let above =
            TextStyle::from((FAMILY, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        let below = above.pos(Pos::new(HPos::Center, VPos::Top));
        chart.draw_series(self.bars.iter().enumerate().map(|(i, (_, value))| {
            let (at, style, offset) = if !value.is_finite() {
                (0.0, &above, -4)
            } else if *value < 0.0 {
                (*value, &below, 4)
            } else {
                (*value, &above, -4)
            };
            let anchor = EmptyElement::at((SegmentValue::CenterOf(i), at));
            anchor + Text::new(value_label(*value), (0, offset), style.clone())
        }))?;
        Ok(())
    }
}

/// Formats a bar's value to the cent below 1000 and to the unit up to a
/// million: a cost breakdown is read for its exact figures, not its shape.
fn value_label(value: f64) -> String {
    match value.abs() {
        v if !v.is_finite() => "n/a".to_owned(),
        v if v < 1000.0 => format!("{value:.2}"),
        v if v < 1e6 => format!("{value:.0}"),
        _ => axis::tick_label(value),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_written, scratch_dir};
    use super::*;

    fn costs() -> Vec<(String, f64)> {
        [("EC2", 1234.56), ("ALB", 310.25), ("RDS", 890.0), ("S3", 12.75), ("data transfer", 95.1)]
            .into_iter()
            .map(|(name, usd)| (name.to_owned(), usd))
            .collect()
    }

    #[test]
    fn writes_both_files_for_a_cost_breakdown() {
        let dir = scratch_dir("bars-costs");
        write_bar_chart(&dir, "cost", "monthly cost by service", "cost (USD)", &costs()).unwrap();
        let svg = std::fs::read_to_string(dir.join("cost.svg")).unwrap();
        assert!(svg.contains("data transfer") && svg.contains("1235"), "names or values missing");
        assert_written(&dir, "cost", "monthly cost by service");
    }

    #[test]
    fn empty_nan_and_negative_bars_do_not_panic() {
        let dir = scratch_dir("bars-odd");
        write_bar_chart(&dir, "empty", "nothing billed", "cost (USD)", &[]).unwrap();
        let mut bars = costs();
        bars[1].1 = f64::NAN;
        bars[2].1 = -40.0;
        bars[3].1 = f64::NEG_INFINITY;
        write_bar_chart(&dir, "odd", "odd costs", "cost (USD)", &bars).unwrap();
        let svg = std::fs::read_to_string(dir.join("odd.svg")).unwrap();
        assert!(svg.contains("n/a"));
        assert!(std::fs::read_to_string(dir.join("empty.svg")).unwrap().contains("no data"));
        assert_written(&dir, "odd", "odd costs");
    }

    #[test]
    fn values_are_labelled_to_the_cent() {
        assert_eq!(value_label(12.5), "12.50");
        assert_eq!(value_label(1234.56), "1235");
        assert_eq!(value_label(-3.0), "-3.00");
        assert_eq!(value_label(f64::NAN), "n/a");
        assert_eq!(value_label(2.5e6), "2.5M");
    }
}
