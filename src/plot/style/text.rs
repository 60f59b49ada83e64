//! Text: the embedded DejaVu Sans font (so a headless machine without
//! fonts draws text) and its registration, the text sizes of every chart,
//! text styles, measuring text in pixels, and cutting it to a width.

use super::palette::TEXT;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

pub(crate) static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The font family every chart uses (registered from the embedded files).
pub(crate) const FONT: &str = "sans-serif";

/// Chart title.
pub(crate) const TITLE: f64 = 30.0;
/// The line under the title.
pub(crate) const SUBTITLE: f64 = 19.0;
/// Panel captions.
pub(crate) const PANEL: f64 = 22.0;
/// Axis descriptions.
pub(crate) const AXIS: f64 = 21.0;
/// Tick labels.
pub(crate) const TICK: f64 = 18.0;
/// Legend entries.
pub(crate) const LEGEND: f64 = 18.0;
/// Values written inside heatmap cells.
pub(crate) const CELL: f64 = 17.0;

/// Registers the embedded fonts once per process.
pub(crate) fn ensure_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Both files are valid fonts; a failure here would only mean that
        // text is missing, never a crash.
        let _ = register_font(FONT, FontStyle::Normal, REGULAR).is_ok();
        let _ = register_font(FONT, FontStyle::Bold, BOLD).is_ok();
    });
}

/// A regular text style of `size`.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&TEXT)
}

/// A bold text style of `size`.
pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&TEXT)
}

/// Anchors a text style.
pub(crate) fn anchored<'a>(style: TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// Width and height of `text` in pixels.
pub(crate) fn text_size(text: &str, size: f64) -> (u32, u32) {
    styled_text_size(text, size, FontStyle::Normal)
}

/// Width and height of `text` in pixels, in bold.
pub(crate) fn bold_text_size(text: &str, size: f64) -> (u32, u32) {
    styled_text_size(text, size, FontStyle::Bold)
}

fn styled_text_size(text: &str, size: f64, style: FontStyle) -> (u32, u32) {
    ensure_fonts();
    (FONT, size, style)
        .into_font()
        .box_size(text)
        .unwrap_or_else(|_| {
            // Fallback estimate: 0.6 em per character.
            (
                (text.chars().count() as f64 * size * 0.55) as u32,
                size as u32,
            )
        })
}

/// Cuts `text` to at most `max_px` pixels wide, ending in an ellipsis.
pub(crate) fn fit_text(text: &str, size: f64, max_px: u32) -> String {
    fit_styled(text, size, max_px, FontStyle::Normal)
}

pub(super) fn fit_styled(text: &str, size: f64, max_px: u32, style: FontStyle) -> String {
    if styled_text_size(text, size, style).0 <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if styled_text_size(&s, size, style).0 <= max_px {
            return s;
        }
    }
    "…".to_string()
}
