//! The frame around a chart: the legend (entries with a line and/or marker
//! sample, flowing in centred rows), the title block on top (`header`),
//! and the common layout of title, chart area and legend (`layout`).

use super::DrawResult;
use super::palette::{INK, SeriesStyle, draw_line, draw_marker};
use super::text::{LEGEND, SUBTITLE, TITLE, anchored, bold, fit_styled, fit_text, font, text_size};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, VPos};

/// What a legend entry shows beside its label.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub style: SeriesStyle,
    pub line: bool,
    pub marker: bool,
    /// A shaded box (a band's colour) under the line and marker.
    pub fill: bool,
}

const SAMPLE_W: i32 = 48;
/// The opacity of a shaded band (and its legend sample).
pub(crate) const BAND_ALPHA: f64 = 0.22;
const ENTRY_GAP: i32 = 30;
const ROW_H: i32 = 30;

/// The width of an entry: its sample and its label, the label measured
/// with 10% to spare (the measure runs a little short of the drawn text,
/// and a row of many entries would run off the chart).
fn entry_width(e: &LegendEntry) -> i32 {
    SAMPLE_W + 10 + (text_size(&e.label, LEGEND).0 as f64 * 1.1).ceil() as i32
}

fn legend_rows(entries: &[LegendEntry], width: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, e) in entries.iter().enumerate() {
        let w = entry_width(e);
        match rows.last_mut() {
            Some(row) if used + ENTRY_GAP + w <= width => {
                row.push(i);
                used += ENTRY_GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

/// Height in pixels of a legend of `entries` laid out in rows `width` wide.
pub(crate) fn legend_height(entries: &[LegendEntry], width: u32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    (legend_rows(entries, width as i32 - 20).len() as i32 * ROW_H + 16) as u32
}

/// Draws a legend: entries flow in centred rows.
pub(crate) fn draw_legend<DB>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    // A label longer than the chart is wide is cut with `…`, so that no
    // entry runs off the edge.
    let room = ((w as i32 - 40 - SAMPLE_W - 10).max(40) as f64 / 1.1) as u32;
    let fitted: Vec<LegendEntry> = entries
        .iter()
        .map(|e| LegendEntry {
            label: fit_styled(&e.label, LEGEND, room, FontStyle::Normal),
            ..e.clone()
        })
        .collect();
    let entries = &fitted[..];
    let rows = legend_rows(entries, w as i32 - 20);
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&i| entry_width(&entries[i])).sum::<i32>()
            + ENTRY_GAP * (row.len() as i32 - 1);
        let mut x = ((w as i32 - total) / 2).max(10);
        let y = 8 + r as i32 * ROW_H + ROW_H / 2;
        for &i in row {
            let e = &entries[i];
            if e.fill {
                let corners = [(x, y - 9), (x + SAMPLE_W, y + 9)];
                area.draw(&Rectangle::new(
                    corners,
                    e.style.color.mix(BAND_ALPHA).filled(),
                ))?;
                area.draw(&Rectangle::new(corners, e.style.color.stroke_width(1)))?;
            }
            if e.line {
                draw_line(area, &[(x, y), (x + SAMPLE_W, y)], &e.style, 3)?;
            }
            if e.marker {
                draw_marker(
                    area,
                    (x + SAMPLE_W / 2, y),
                    e.style.marker,
                    7,
                    e.style.color,
                )?;
            }
            area.draw(&Text::new(
                e.label.clone(),
                (x + SAMPLE_W + 10, y),
                anchored(font(LEGEND), HPos::Left, VPos::Center),
            ))?;
            x += entry_width(e) + ENTRY_GAP;
        }
    }
    Ok(())
}

/// Draws a title and an optional subtitle at the top of `root`, and returns
/// the area below them.
pub(crate) fn header<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let title = fit_styled(title, TITLE, w - 40, FontStyle::Bold);
    root.draw(&Text::new(
        title,
        (w as i32 / 2, 18),
        anchored(bold(TITLE), HPos::Center, VPos::Top),
    ))?;
    let mut y = 18 + 42;
    for line in subtitle {
        let line = fit_text(line, SUBTITLE, w - 40);
        root.draw(&Text::new(
            line,
            (w as i32 / 2, y),
            anchored(font(SUBTITLE).color(&INK), HPos::Center, VPos::Top),
        ))?;
        y += 27;
    }
    Ok(root.split_vertically(y + 8).1)
}

/// The common layout: title and subtitle on top, the legend at the bottom,
/// the chart area between them with the given (top, bottom, left, right)
/// margins. Returns (chart area, legend area).
pub(crate) type Areas<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

pub(crate) fn layout<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
    legend: &[LegendEntry],
    margins: (u32, u32, u32, u32),
) -> Result<Areas<DB>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    layout_with(root, title, subtitle, |w| legend_height(legend, w), margins)
}

/// [`layout`] for a legend of another kind: `legend_height` gives its
/// height at a width.
pub(crate) fn layout_with<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
    legend_height: impl Fn(u32) -> u32,
    margins: (u32, u32, u32, u32),
) -> Result<Areas<DB>, Box<dyn std::error::Error + Send + Sync>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let body = header(root, title, subtitle)?;
    let (w, h) = body.dim_in_pixel();
    let lh = legend_height(w);
    let (main, bottom) = body.split_vertically(h - lh);
    Ok((
        main.margin(margins.0, margins.1, margins.2, margins.3),
        bottom,
    ))
}
