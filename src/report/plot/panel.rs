//! One chart panel: axes, grid, lines broken at gaps, and a legend.

use std::ops::Range;

use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{Shift, cartesian::Cartesian2d};
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::element::{Circle, DynElement, IntoDynElement, PathElement};
use plotters::prelude::{AreaSeries, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, Color, IntoFont, RGBColor, ShapeStyle, TextStyle};

use super::axis::tick_label;
use super::font::FAMILY;
use super::series::Run;

/// Width of the y tick-label area, in pixels. Fixed rather than fitted to
/// the labels, so that panels stacked on a shared x axis line up exactly.
const Y_LABEL_AREA: u32 = 90;

/// Width of the legend column right of the plot, in pixels; it fits about
/// fourteen characters. Fixed for the same reason as [`Y_LABEL_AREA`].
///
/// The legend sits beside the plot rather than in a corner of it, where it
/// would hide whatever the data does there (often the warm-up or the tail).
const LEGEND_WIDTH: u32 = 150;

/// Colours for successive lines: the common "category 10" palette, which
/// stays distinct for most colour-blind readers in its first four entries.
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// One series as a panel draws it.
pub(super) struct Line<'a> {
    /// Name in the legend.
    pub(super) label: &'a str,
    /// Colour of the line, and of its shading when filled.
    pub(super) color: RGBColor,
    /// The points, already cleaned; a run of one point is drawn as a dot.
    pub(super) runs: Vec<Run>,
    /// Whether to shade the area between the line and the bottom of the axis.
    pub(super) is_filled: bool,
}

/// The axes of one panel.
pub(super) struct Axes<'a> {
    /// Range of the x axis, finite and non-empty.
    pub(super) x: Range<f64>,
    /// Description under the x axis. `None` also hides the x tick labels,
    /// for a panel stacked above another that shares its x axis.
    pub(super) x_desc: Option<&'a str>,
    /// Description beside the y axis, with its unit.
    pub(super) y_desc: &'a str,
}

/// Draws `lines` on `area` with a grid, tick labels and a legend column on
/// the right.
///
/// `y` is a linear range or a log range; both must be finite and non-empty.
pub(super) fn draw<DB, Y>(
    area: &DrawingArea<DB, Shift>,
    axes: &Axes,
    y: Y,
    lines: &[Line],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let (width, _) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_horizontally(width.saturating_sub(LEGEND_WIDTH));
    let x_label_area = if axes.x_desc.is_some() { 60 } else { 8 };
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(8)
        .x_label_area_size(x_label_area)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(axes.x.clone(), y)?;

    let ticks = |v: &f64| tick_label(*v);
    let no_ticks = |_: &f64| String::new();
    chart
        .configure_mesh()
        .x_desc(axes.x_desc.unwrap_or_default())
        .y_desc(axes.y_desc)
        .x_label_formatter(if axes.x_desc.is_some() { &ticks } else { &no_ticks })
        .y_label_formatter(&ticks)
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 18))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;

    for line in lines {
        draw_line(&mut chart, line)?;
    }
    draw_legend(&legend_area, lines)
}

/// Lists each line's colour and label, top-aligned with the plot.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Line],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let text = TextStyle::from((FAMILY, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, line) in (0..).zip(lines) {
        let y = 20 + 24 * i;
        let swatch = ShapeStyle::from(&line.color).stroke_width(3);
        area.draw(&PathElement::new(vec![(4, y), (30, y)], swatch))?;
        area.draw_text(line.label, &text, (38, y))?;
    }
    Ok(())
}

fn draw_line<DB, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, Y>>,
    line: &Line,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let style = ShapeStyle::from(&line.color).stroke_width(2);
    if line.is_filled {
        // The bottom of the axis rather than zero, which a log axis lacks.
        let baseline = chart.y_range().start;
        for run in line.runs.iter().filter(|run| run.len() > 1) {
            let shade = line.color.mix(0.2);
            chart.draw_series(AreaSeries::new(run.iter().copied(), baseline, shade))?;
        }
    }

    chart.draw_series(line.runs.iter().map(|run| run_element::<DB>(run, style)))?;
    Ok(())
}

/// Returns a path for a run, or a dot for a lone point, which a path of one
/// point would leave invisible.
fn run_element<DB: DrawingBackend>(
    run: &Run,
    style: ShapeStyle,
) -> DynElement<'static, DB, (f64, f64)> {
    match run.as_slice() {
        [point] => Circle::new(*point, 3, style.filled()).into_dyn(),
        _ => PathElement::new(run.clone(), style).into_dyn(),
    }
}
