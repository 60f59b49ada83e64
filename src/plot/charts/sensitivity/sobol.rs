//! The Sobol' bar chart of one output: parameters sorted by total index
//! ST, for each the first-order index S1 hatched above the solid ST bar
//! (distinct in greyscale), 95% whiskers, values of bars cut by the axis,
//! arrows where an interval continues beyond it, and a legend of the two
//! bars.

use crate::plot::data::SobolIndex;
use crate::plot::style::{self, Axis, Chart, DrawResult, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The axis of the Sobol' chart never reaches beyond these.
const SOBOL_MIN: f64 = -0.5;
const SOBOL_MAX: f64 = 1.5;
/// Height of one parameter's pair of bars.
const SOBOL_ROW: u32 = 58;

/// The Sobol' bar chart of one output.
pub(crate) struct Sobol {
    output: String,
    /// Sorted by ST, highest first.
    rows: Vec<SobolIndex>,
    x: Axis,
    y: Axis,
    y_area: u32,
    subtitle: Vec<String>,
}

/// Builds the Sobol' chart of `output`.
pub(crate) fn sobol(output: &str, rows: &[SobolIndex]) -> Sobol {
    let mut rows: Vec<SobolIndex> = rows.to_vec();
    let key = |s: &SobolIndex| if s.st.is_finite() { s.st } else { f64::MIN };
    // Stable: ties keep the scenario order.
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
    let values = rows.iter().flat_map(|r| {
        [r.s1, r.s1_lo, r.s1_hi, r.st, r.st_lo, r.st_hi]
            .into_iter()
            .filter(|v| v.is_finite())
    });
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let lo = ((lo * 10.0).floor() / 10.0).max(SOBOL_MIN);
    let hi = ((hi * 10.0).ceil() / 10.0).min(SOBOL_MAX);
    let cut = rows.iter().any(|r| {
        [r.s1_lo, r.st_lo, r.s1, r.st].iter().any(|&v| v < lo)
            || [r.s1_hi, r.st_hi, r.s1, r.st].iter().any(|&v| v > hi)
    });
    let labels: Vec<String> = rows
        .iter()
        .rev()
        .map(|r| style::fit_text(&r.parameter, style::TICK, 460))
        .collect();
    let y_area = labels
        .iter()
        .map(|l| style::text_size(l, style::TICK).0)
        .max()
        .unwrap_or(0)
        + 24;
    let sum = |f: fn(&SobolIndex) -> f64| -> String {
        let v: Vec<f64> = rows.iter().map(f).filter(|v| v.is_finite()).collect();
        if v.is_empty() {
            "–".into()
        } else {
            style::fmt_num(v.iter().sum(), 2)
        }
    };
    let mut second = format!(
        "whiskers: 95% bootstrap CI; sorted by ST; sum of S1 = {}, of ST = {}",
        sum(|r| r.s1),
        sum(|r| r.st)
    );
    if cut {
        second.push_str("; arrows: CI continues beyond the axis");
    }
    let subtitle = vec![
        "S1 (first order): share of the output's variance due to the parameter alone; ST (total): with all its interactions"
            .to_string(),
        second,
    ];
    Sobol {
        output: output.to_string(),
        rows,
        x: Axis::numeric(lo, hi, 10, "index (share of output variance)"),
        y: Axis::categorical(&labels, ""),
        y_area,
        subtitle,
    }
}

/// The two bars of the Sobol' chart: S1 hatched on a light ground, ST solid.
#[derive(Clone, Copy)]
enum Bar {
    First,
    Total,
}

impl Bar {
    fn color(self) -> RGBColor {
        match self {
            Bar::First => style::OKABE_ITO[1],
            Bar::Total => style::OKABE_ITO[0],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Bar::First => "S1 first order",
            Bar::Total => "ST total",
        }
    }
}

/// Draws a bar over the pixel rectangle `(x0, y0)`–`(x1, y1)`.
fn draw_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bar: Bar,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let c = bar.color();
    match bar {
        Bar::Total => {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))?;
        }
        Bar::First => {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.mix(0.18).filled()))?;
            // Hatching "/": lines x + y = k, every 8 px.
            let mut k = x0 + y0 + 4;
            while k < x1 + y1 {
                let (ax, bx) = ((k - y1).max(x0), (k - y0).min(x1));
                if ax < bx {
                    root.draw(&PathElement::new(
                        vec![(ax, k - ax), (bx, k - bx)],
                        c.stroke_width(2),
                    ))?;
                }
                k += 8;
            }
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(2)))?;
        }
    }
    Ok(())
}

impl Sobol {
    /// `v` within the x axis.
    fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.x.lo, self.x.hi)
    }

    /// Draws the vertical grid line of each x tick.
    fn draw_grid<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Plane>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ylo, yhi) = (self.y.lo, self.y.hi);
        for &t in &self.x.ticks {
            plot.draw(&PathElement::new(
                vec![(t, ylo), (t, yhi)],
                style::GRID.stroke_width(1),
            ))?;
        }
        Ok(())
    }

    /// Draws the two bars of `r`, centred on `yc`, with their whiskers.
    fn draw_row<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &DrawingArea<DB, Plane>,
        yc: f64,
        r: &SobolIndex,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (xlo, xhi) = (self.x.lo, self.x.hi);
        for (bar, v, lo, hi, (b0, b1)) in [
            (Bar::First, r.s1, r.s1_lo, r.s1_hi, (0.04, 0.38)),
            (Bar::Total, r.st, r.st_lo, r.st_hi, (-0.38, -0.04)),
        ] {
            let mid = yc + (b0 + b1) / 2.0;
            if v.is_finite() {
                let p0 = plot.map_coordinate(&(self.clamp(0.0), yc + b1));
                let p1 = plot.map_coordinate(&(self.clamp(v), yc + b0));
                draw_bar(root, bar, p0, p1)?;
                if v < xlo || v > xhi {
                    self.draw_cut_value(root, plot, v, mid)?;
                }
            } else {
                let at = plot.map_coordinate(&(self.clamp(0.0), mid));
                root.draw(&Text::new(
                    "undefined",
                    (at.0 + 6, at.1),
                    style::anchored(
                        style::font(style::LEGEND).color(&style::INK),
                        HPos::Left,
                        VPos::Center,
                    ),
                ))?;
            }
            if lo.is_finite() && hi.is_finite() && hi > lo {
                self.draw_whisker(root, plot, (lo, hi), mid)?;
            }
        }
        Ok(())
    }

    /// Writes the value `v` of a bar cut by the axis inside its cut end, on
    /// a white ground, at height `mid`.
    fn draw_cut_value<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &DrawingArea<DB, Plane>,
        v: f64,
        mid: f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let text = style::fmt_num(v, 2);
        let (tw, th) = style::text_size(&text, style::TICK);
        let (tw, th) = (tw as i32, th as i32);
        let at = plot.map_coordinate(&(self.clamp(v), mid));
        let x0 = if v < self.x.lo {
            at.0 + 16
        } else {
            at.0 - 16 - tw
        };
        root.draw(&Rectangle::new(
            [
                (x0 - 4, at.1 - th / 2 - 2),
                (x0 + tw + 4, at.1 + th / 2 + 2),
            ],
            WHITE.filled(),
        ))?;
        root.draw(&Text::new(
            text,
            (x0, at.1),
            style::anchored(style::font(style::TICK), HPos::Left, VPos::Center),
        ))?;
        Ok(())
    }

    /// Draws the whisker `lo`–`hi` at height `mid`: end ticks, or an arrow
    /// head where it continues beyond the axis.
    fn draw_whisker<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &DrawingArea<DB, Plane>,
        (lo, hi): (f64, f64),
        mid: f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (xlo, xhi) = (self.x.lo, self.x.hi);
        let ink = style::TEXT.stroke_width(2);
        let (a, b) = (self.clamp(lo), self.clamp(hi));
        let pa = plot.map_coordinate(&(a, mid));
        let pb = plot.map_coordinate(&(b, mid));
        root.draw(&PathElement::new(vec![pa, pb], ink))?;
        for (p, end, beyond) in [(pa, -1, lo < xlo), (pb, 1, hi > xhi)] {
            if beyond {
                // An arrow head pointing out of the axis.
                root.draw(&Polygon::new(
                    vec![
                        (p.0 + 2 * end, p.1),
                        (p.0 - 9 * end, p.1 - 6),
                        (p.0 - 9 * end, p.1 + 6),
                    ],
                    style::TEXT.filled(),
                ))?;
            } else {
                root.draw(&PathElement::new(vec![(p.0, p.1 - 6), (p.0, p.1 + 6)], ink))?;
            }
        }
        Ok(())
    }
}

/// Draws the legend: a swatch of each bar and its name, centred in
/// `legend`.
fn draw_bar_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, _) = legend.dim_in_pixel();
    let entries = [Bar::First, Bar::Total];
    let widths: Vec<i32> = entries
        .iter()
        .map(|b| 44 + 10 + style::text_size(b.label(), style::LEGEND).0 as i32)
        .collect();
    let total: i32 = widths.iter().sum::<i32>() + 40;
    let mut x = (w as i32 - total) / 2;
    let base = legend.get_base_pixel();
    let y = 23;
    for (b, wd) in entries.iter().zip(widths) {
        draw_bar(
            root,
            *b,
            (base.0 + x, base.1 + y - 10),
            (base.0 + x + 44, base.1 + y + 10),
        )?;
        legend.draw(&Text::new(
            b.label(),
            (x + 54, y),
            style::anchored(style::font(style::LEGEND), HPos::Left, VPos::Center),
        ))?;
        x += wd + 40;
    }
    Ok(())
}

impl Chart for Sobol {
    fn size(&self) -> (u32, u32) {
        let w = (self.y_area + 760).max(1000);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + SOBOL_ROW * self.rows.len() as u32 + 100 + 46)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("Sobol' indices: {}", self.output);
        let body = style::header(root, &title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let (main, legend) = body.split_vertically(h - 46);
        let main = main.margin(0, 0, 10, 30);
        let chart = style::cartesian(&main, &self.x, &self.y, self.y_area, false)?;
        let plot = chart.plotting_area();
        self.draw_grid(plot)?;
        let k = self.rows.len();
        for (i, r) in self.rows.iter().enumerate() {
            self.draw_row(root, plot, (k - 1 - i) as f64, r)?;
        }
        // The zero line, over the bars.
        let (xlo, xhi) = (self.x.lo, self.x.hi);
        if xlo <= 0.0 && 0.0 <= xhi {
            plot.draw(&PathElement::new(
                vec![(0.0, self.y.lo), (0.0, self.y.hi)],
                style::TEXT.stroke_width(2),
            ))?;
        }
        draw_bar_legend(root, &legend)
    }
}
