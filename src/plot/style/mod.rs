//! The look shared by every chart: the embedded DejaVu Sans font (so a
//! headless machine without fonts draws text), text sizes, the Okabe–Ito
//! palette with marker shapes and dash patterns (so series survive colour
//! blindness and greyscale printing), the viridis colour map, axis ticks and
//! number formatting, the legend, and writing a chart as PNG and/or SVG.
//!
//! One file per job: `text` (fonts, sizes, fitting), `palette` (colours,
//! markers, dashes, viridis), `axis` (ticks, number format, the cartesian
//! chart), `legend` (legend, title block, layout) and `save` (writing
//! files). Everything charts use is re-exported here, so
//! they name it `style::X`. This file owns the [`Chart`] trait that ties
//! them together.

mod axis;
mod legend;
mod palette;
mod save;
mod text;

pub(crate) use axis::{
    Axis, Plane, TOP_MARGIN, X_AREA, cartesian, data_range, fmt_num, fmt_sig, label_value, ticks,
    y_area_for,
};
pub(crate) use legend::{
    BAND_ALPHA, LegendEntry, draw_legend, header, layout, layout_with, legend_height,
};
pub(crate) use palette::{
    GRID, INK, Marker, OKABE_ITO, SeriesStyle, TEXT, dark_text_on, draw_line, draw_marker,
    draw_marker_alpha, marker_reach, series_style, viridis,
};
pub(crate) use save::save;
pub(crate) use text::{
    AXIS, BOLD, CELL, LEGEND, PANEL, REGULAR, TICK, TITLE, anchored, bold, bold_text_size,
    ensure_fonts, fit_text, font, text_size,
};

use plotters::coord::Shift;
use plotters::prelude::*;

/// The result of drawing on any backend.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Something that can draw itself at a fixed size.
pub(crate) trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on `root` (already white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}
