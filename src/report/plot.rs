//! Figures for the report, each written as an SVG and a PNG side by side.
//!
//! Every figure is drawn once per backend by the same code, so the two files
//! always show the same thing: the SVG for the HTML report (it scales), the
//! PNG for places that cannot show SVG (chat, slides, issue trackers).
//!
//! Text is drawn with DejaVu Sans embedded in the binary, never a system font,
//! so plots render the same on a bare CI runner or in a container without
//! fontconfig. Inputs are cleaned before they reach plotters: non-finite
//! values become gaps, and empty input gives a chart that says it has no
//! data, so that a report never links to a missing file.

mod axis;
mod bar_chart;
mod capacity;
pub mod cdf;
mod font;
mod latency;
mod line_chart;
mod panel;
pub mod pareto;
mod series;

use std::path::{Path, PathBuf};

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{BLACK, IntoFont, RGBColor, TextStyle, WHITE};

pub use bar_chart::write_bar_chart;
pub use capacity::{CapacityPoint, DecisionMark, write_capacity_and_load};
pub use latency::{LatencyLoadPoint, PlotTitle, write_latency_and_load};
pub use line_chart::{Series, SeriesShape, write_line_chart};

/// Why a figure could not be written.
///
/// Each variant names the file it concerns. A plot is an optional output: the
/// caller can report the error and go on with the rest of the run.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file could not be created or written (missing folder, no
    /// permission, disk full).
    #[error("{}: could not write plot: {reason}", path.display())]
    Write {
        /// The file that was being written.
        path: PathBuf,
        /// What the operating system or the PNG encoder said.
        reason: String,
    },
    /// plotters refused to draw the figure. Inputs are cleaned beforehand,
    /// so this points at a bug in this module rather than at the data.
    #[error("{}: could not draw plot: {reason}", path.display())]
    Draw {
        /// The file the figure was meant for.
        path: PathBuf,
        /// What plotters said.
        reason: String,
    },
}

/// Size of every figure in pixels: wide enough for a day of minutes, and
/// readable when a browser scales the SVG down to a report column.
const SIZE: (u32, u32) = (1200, 800);

/// Background of the panel that says a figure has no data.
const EMPTY_GREY: RGBColor = RGBColor(245, 245, 245);

/// A figure that can be drawn on any plotters backend.
///
/// The drawing code is generic over the backend so that the SVG and the PNG
/// come from one description instead of two that could drift apart.
trait Figure {
    /// Draws the whole figure on `root`, which is [`SIZE`] pixels.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>;
}

/// Writes `<dir>/<stem>.svg` and `<dir>/<stem>.png`; `dir` must exist.
fn write_figure(dir: &Path, stem: &str, figure: &impl Figure) -> Result<(), PlotError> {
    font::register();
    write_svg(&dir.join(format!("{stem}.svg")), figure)?;
    write_png(&dir.join(format!("{stem}.png")), figure)
}

fn write_svg(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    // The SVG is drawn into a string and written by us rather than by
    // plotters, so that a failed write reports the plain `io::Error`.
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let drawn = figure.draw(&root).and_then(|()| root.present());
        drawn.map_err(|e| PlotError::Draw { path: path.to_owned(), reason: e.to_string() })?;
    }
    std::fs::write(path, svg)
        .map_err(|e| PlotError::Write { path: path.to_owned(), reason: e.to_string() })
}

fn write_png(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    // plotters only encodes PNG straight to a path, and reports a failed
    // write as a nested debug dump. Creating the file first turns the common
    // failures (no permission, a folder in the way) into a plain `io::Error`.
    let write_error = |reason: String| PlotError::Write { path: path.to_owned(), reason };
    std::fs::File::create(path).map_err(|e| write_error(e.to_string()))?;

    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    figure
        .draw(&root)
        .map_err(|e| PlotError::Draw { path: path.to_owned(), reason: e.to_string() })?;
    root.present().map_err(|e| write_error(e.to_string()))
}

/// Fills `root` with a white background and draws `title` at its top.
///
/// Returns the area below the title, where the charts go.
fn titled_canvas<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    root.margin(10, 0, 0, 0).titled(title, (font::FAMILY, 28).into_font())
}

/// Draws `message` in the middle of a grey panel: the figure for no data.
fn draw_no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let panel = area.margin(20, 20, 20, 20);
    panel.fill(&EMPTY_GREY)?;
    let (width, height) = panel.dim_in_pixel();
    let style = TextStyle::from((font::FAMILY, 24).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    panel.draw_text(message, &style, (width as i32 / 2, height as i32 / 2))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// Returns a fresh, empty folder for one test; tests run in parallel,
    /// so each gets its own.
    pub(super) fn scratch_dir(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cloudtwin-plot-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the temp folder is writable");
        dir
    }

    /// Checks that `<stem>.svg` names `title` and `<stem>.png` is a real
    /// picture, then removes the folder.
    pub(super) fn assert_written(dir: &std::path::Path, stem: &str, title: &str) {
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).expect("svg written");
        assert!(svg.contains(title), "svg lacks the title {title:?}");
        let png = std::fs::read(dir.join(format!("{stem}.png"))).expect("png written");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        // A blank 1200x800 PNG compresses to a few kB; axes, text and lines
        // push it well past that.
        assert!(png.len() > 10_000, "png is only {} bytes", png.len());
        std::fs::remove_dir_all(dir).expect("scratch folder removable");
    }

    #[test]
    fn missing_folder_is_reported_with_the_svg_path() {
        let dir = std::env::temp_dir().join("cloudtwin-plot-no-such-folder").join("deeper");
        let err = super::write_bar_chart(&dir, "cost", "cost", "USD", &[]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("cost.svg"), "{message}");
        assert!(message.contains("could not write plot"), "{message}");
    }

    #[test]
    fn unwritable_png_is_reported_with_its_path() {
        let dir = scratch_dir("png-blocked");
        // A folder where the PNG should go cannot be replaced by a file.
        std::fs::create_dir(dir.join("cost.png")).unwrap();
        let err = super::write_bar_chart(&dir, "cost", "cost", "USD", &[]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("cost.png: could not write plot"), "{message}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
