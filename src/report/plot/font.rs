//! The one font every figure uses, embedded so that no system font is needed.
//!
//! plotters' `ab_glyph` feature looks fonts up by family name in a registry
//! of its own and never asks the operating system. We register DejaVu Sans
//! under the generic name `sans-serif`, so the SVG files also fall back to the
//! viewer's own sans-serif font, whatever it is. Bundling the font was chosen
//! over plotters' `ttf` feature, which links fontconfig and freetype and needs
//! fonts installed on the machine that draws the plots.

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

/// The font family every figure must use; no other family is registered.
pub(super) const FAMILY: &str = "sans-serif";

/// DejaVu Sans, under its permissive licence (see `DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans.ttf"));

/// Registers the embedded font with plotters, once per process.
///
/// Only [`FontStyle::Normal`] exists, so figures must not ask for bold or
/// italic text: plotters would fail to draw it.
pub(super) fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // `InvalidFont` has no `Debug`, hence no `expect`.
        let registered = register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS);
        assert!(registered.is_ok(), "the embedded DejaVu Sans is a valid TrueType font");
    });
}
