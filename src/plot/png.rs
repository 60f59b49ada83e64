//! The PNG backend: plotters' bitmap backend with text drawn here, glyph by
//! glyph with ab_glyph from the embedded fonts. plotters 0.3.7's ab_glyph
//! text drops each glyph's left side bearing (uneven letter spacing, as in
//! "Ti tle") and places the baseline loosely; this backend positions
//! glyphs by their advance, kerning and bearing, anchors text on its box
//! the way the SVG backend does, and supports the quarter-turn rotations
//! plotters uses for y-axis titles. Everything else is passed through.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
    text_anchor::{HPos, VPos},
};
use std::sync::OnceLock;

fn fonts() -> &'static (Option<FontRef<'static>>, Option<FontRef<'static>>) {
    static FONTS: OnceLock<(Option<FontRef<'static>>, Option<FontRef<'static>>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        (
            FontRef::try_from_slice(super::style::REGULAR).ok(),
            FontRef::try_from_slice(super::style::BOLD).ok(),
        )
    })
}

/// A bitmap backend whose text is laid out correctly.
pub(crate) struct TextFix<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for TextFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let (regular, bold) = fonts();
        let font = match style.style() {
            FontStyle::Bold => bold.as_ref().or(regular.as_ref()),
            _ => regular.as_ref(),
        };
        let Some(font) = font else {
            return self.0.draw_text(text, style, pos);
        };
        let scaled = font.as_scaled(style.size() as f32);
        // Horizontal layout: advances and kerning, as plotters measures.
        let mut glyphs = Vec::new();
        let mut x = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scaled.scale(), point(x, 0.0)));
            x += scaled.h_advance(id);
            prev = Some(id);
        }
        let width = x;
        let (ascent, descent) = (scaled.ascent(), scaled.descent());
        let height = ascent - descent;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        // Baseline offset from the anchor.
        let dy = match style.anchor().v_pos {
            VPos::Top => ascent,
            VPos::Center => ascent - height / 2.0,
            VPos::Bottom => descent,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        for g in glyphs {
            let Some(outline) = font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut err = None;
            outline.draw(|gx, gy, cov| {
                if err.is_some() || cov <= 0.0 {
                    return;
                }
                let px = (b.min.x + gx as f32 + dx).round() as i32;
                let py = (b.min.y + gy as f32 + dy).round() as i32;
                let (rx, ry) = trans.transform(px, py);
                let (ax, ay) = (pos.0 + rx, pos.1 + ry);
                if ax >= 0 && ay >= 0 && (ax as u32) < w && (ay as u32) < h {
                    let c = BackendColor {
                        alpha: color.alpha * cov.min(1.0) as f64,
                        rgb: color.rgb,
                    };
                    if let Err(e) = self.0.draw_pixel((ax, ay), c) {
                        err = Some(e);
                    }
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
        }
        Ok(())
    }
}
