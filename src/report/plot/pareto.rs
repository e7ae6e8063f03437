//! Cost against p99: one dot per design (a sweep point or a compared
//! scenario), the Pareto front (no design both cheaper and faster) joined
//! by a line, designs that meet every SLO filled, the others hollow. The
//! axes span the designs, not zero: what matters is how they differ.
//! Designs that would be drawn on top of each other share one label.

use std::path::Path;

use plotters::backend::DrawingBackend;
use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::element::{Circle, EmptyElement, PathElement, Text};
use plotters::series::LineSeries;
use plotters::style::{BLACK, Color, IntoFont, ShapeStyle, TextStyle};

use super::axis::{self, Extent};
use super::font::FAMILY;
use super::panel::PALETTE;
use super::{Figure, PlotError, draw_no_data, titled_canvas, write_figure};
use crate::experiment::aggregate::ExperimentSummary;

/// One design on the plot.
struct Dot {
    cost: f64,
    p99: f64,
    label: String,
    passes: bool,
    on_front: bool,
}

/// Writes `<dir>/pareto.svg` and `<dir>/pareto.png` for an experiment.
pub fn write_pareto(dir: &Path, summary: &ExperimentSummary) -> Result<(), PlotError> {
    let dots: Vec<Dot> = summary
        .points
        .iter()
        .map(|p| Dot {
            cost: p.cost_per_month_usd.mean,
            p99: p.p99_ms.mean,
            label: format!("{}", p.index),
            passes: p.passes_all,
            on_front: summary.pareto.contains(&p.index),
        })
        .collect();
    let front: Vec<(f64, f64)> = summary
        .pareto
        .iter()
        .filter_map(|i| dots.iter().find(|d| d.label == i.to_string()).map(|d| (d.cost, d.p99)))
        .collect();
    let dots = share_labels(dots);
    let title = format!("{}: monthly cost against p99 (numbers are points)", summary.scenario);
    write_figure(dir, "pareto", &Pareto { title: &title, dots: &dots, front: &front })
}

/// Gives designs that would overlap on the plot (within 2 % of both axes'
/// spans) one label, `3, 9`, written once, so that numbers do not print
/// over each other.
fn share_labels(mut dots: Vec<Dot>) -> Vec<Dot> {
    let finite = || dots.iter().filter(|d| d.cost.is_finite() && d.p99.is_finite());
    let span = |values: Vec<f64>| {
        let (low, high) =
            values.iter().fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
        (high - low).max(1e-9)
    };
    let cost_span = span(finite().map(|d| d.cost).collect());
    let p99_span = span(finite().map(|d| d.p99).collect());
    for i in 0..dots.len() {
        if dots[i].label.is_empty() {
            continue;
        }
        let mut shared = vec![dots[i].label.clone()];
        for j in i + 1..dots.len() {
            let close = (dots[i].cost - dots[j].cost).abs() < 0.02 * cost_span
                && (dots[i].p99 - dots[j].p99).abs() < 0.02 * p99_span;
            if close && !dots[j].label.is_empty() {
                shared.push(std::mem::take(&mut dots[j].label));
            }
        }
        dots[i].label = shared.join(", ");
    }
    dots
}

struct Pareto<'a> {
    title: &'a str,
    dots: &'a [Dot],
    front: &'a [(f64, f64)],
}

impl Figure for Pareto<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let body = titled_canvas(root, self.title)?;
        let usable = || self.dots.iter().filter(|d| d.cost.is_finite() && d.p99.is_finite());
        let (Some(xs), Some(ys)) =
            (Extent::of(usable().map(|d| d.cost)), Extent::of(usable().map(|d| d.p99)))
        else {
            return draw_no_data(&body, "no design finished a request");
        };
        // The legend sits above the plot, in the top margin, where it
        // cannot hide a design.
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .margin_top(84)
            .margin_right(40)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(axis::around(xs), axis::around(ys))?;
        chart
            .configure_mesh()
            .x_desc("cost per month (USD)")
            .y_desc("p99 latency (ms)")
            .x_label_formatter(&|v| axis::tick_label(*v))
            .y_label_formatter(&|v| axis::tick_label(*v))
            .label_style((FAMILY, 16))
            .axis_desc_style((FAMILY, 18))
            .bold_line_style(BLACK.mix(0.15))
            .light_line_style(BLACK.mix(0.05))
            .draw()?;
        let front_colour = PALETTE[2];
        chart.draw_series(LineSeries::new(
            self.front.iter().copied(),
            front_colour.stroke_width(2),
        ))?;
        chart.draw_series(usable().map(|d| {
            let colour = if d.passes { PALETTE[0] } else { PALETTE[3] };
            let style: ShapeStyle = if d.passes { colour.filled() } else { colour.stroke_width(2) };
            let radius = if d.on_front { 9 } else { 6 };
            EmptyElement::at((d.cost, d.p99))
                + Circle::new((0, 0), radius, style)
                + Text::new(d.label.clone(), (10, -18), (FAMILY, 15).into_font())
        }))?;
        // A legend in words, top right.
        let legend = TextStyle::from((FAMILY, 16).into_font());
        let (width, _) = body.dim_in_pixel();
        let x = width as i32 - 420;
        body.draw(&(EmptyElement::at((x, 20)) + Circle::new((0, 0), 6, PALETTE[0].filled())))?;
        body.draw_text("meets every SLO", &legend, (x + 14, 12))?;
        body.draw(
            &(EmptyElement::at((x, 44)) + Circle::new((0, 0), 6, PALETTE[3].stroke_width(2))),
        )?;
        body.draw_text("misses an SLO", &legend, (x + 14, 36))?;
        body.draw(&PathElement::new(vec![(x - 8, 68), (x + 8, 68)], front_colour.stroke_width(2)))?;
        body.draw_text("Pareto front (none cheaper and faster)", &legend, (x + 14, 60))?;
        Ok(())
    }
}
