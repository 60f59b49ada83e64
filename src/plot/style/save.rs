//! Writing a chart to disk: PNG and/or SVG, each drawn whole and then put
//! under its final name (the PNG through a temporary file renamed into
//! place, the SVG through `output::write_atomic`), so a chart file is never
//! seen half-written.

use super::Chart;
use super::text::ensure_fonts;
use crate::error::{Error, IoContext, Result};
use crate::plot::Format;
use crate::plot::not_drawn;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Writes `chart` as `dir/stem.png` and/or `dir/stem.svg`, each through a
/// temporary file renamed into place, so a chart under its final name is
/// always whole.
pub(crate) fn save<C: Chart>(
    chart: &C,
    dir: &Path,
    stem: &str,
    format: Format,
) -> Result<Vec<PathBuf>> {
    ensure_fonts();
    let size = chart.size();
    let mut written = Vec::new();
    if matches!(format, Format::Png | Format::Both) {
        let path = dir.join(format!("{stem}.png"));
        let tmp = dir.join(format!(".{stem}.png.tmp-{}.png", std::process::id()));
        let draw_err = |e: Box<dyn std::error::Error + Send + Sync>| not_drawn(&path, e);
        let drawn = (|| {
            let root =
                crate::plot::png::TextFix(BitMapBackend::new(&tmp, size)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_err(e.into()))?;
            chart.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))
        })();
        if let Err(e) = drawn.and_then(|()| std::fs::rename(&tmp, &path).at("write", &path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        written.push(path);
    }
    if matches!(format, Format::Svg | Format::Both) {
        let path = dir.join(format!("{stem}.svg"));
        let draw_err = |e: Box<dyn std::error::Error + Send + Sync>| not_drawn(&path, e);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_err(e.into()))?;
            chart.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))?;
        }
        crate::output::write_atomic(&path, svg.as_bytes()).map_err(|e| match e {
            Error::Io { source, .. } => {
                Error::io(format!("cannot write {}", path.display()), source)
            }
            other => not_drawn(&path, other),
        })?;
        written.push(path);
    }
    Ok(written)
}
