//! Forest plot of paired contrasts (`contrasts.csv`, from `profspace
//! compare DIR --by PARAM`): one row per contrast, top to bottom in file
//! order, labelled `level − baseline` and the values of the other design
//! parameters that vary (3 significant digits); a dot at the mean paired
//! difference, a thick bar for its paired 95% interval (± `ci95`, pairs
//! sharing a replicate's random numbers) over a thin, lighter bar for the
//! unpaired Welch interval (± `ci95_unpaired`), so the gain from pairing
//! shows as the difference in length; a vertical line at 0; the
//! difference and its interval written at the right. At most
//! [`MAX_ROWS`] rows; beyond, the first ones and a note saying how many
//! are left out. Rows with an undefined difference say so.

use crate::plot::data::{Design, MetricContrasts};
use crate::plot::style::{self, Axis, Chart, DrawResult, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many rows are drawn.
pub(crate) const MAX_ROWS: usize = 60;
const ROW_H: u32 = 30;
const MAX_LABEL_PX: u32 = 520;
/// Width of the column of values at the right.
const VALUE_W: u32 = 250;
const LEGEND_H: u32 = 50;
const PAIRED: RGBColor = style::OKABE_ITO[0];

/// One row: its label and (mean, paired CI, unpaired CI, n).
struct Row {
    label: String,
    stats: (f64, f64, f64, f64),
}

/// The forest plot of one metric.
pub(crate) struct Forest {
    title: String,
    rows: Vec<Row>,
    x: Axis,
    y: Axis,
    y_area: u32,
    subtitle: Vec<String>,
}

/// Builds the forest plot of `m`; `others` names the other design
/// parameters of the rows' values.
pub(crate) fn build(m: &MetricContrasts, others: &[String]) -> Forest {
    let shown = &m.rows[..m.rows.len().min(MAX_ROWS)];
    let labels = row_labels(m, others);
    let rows: Vec<Row> = shown
        .iter()
        .zip(labels)
        .map(|(c, label)| Row {
            label: style::fit_text(&label, style::TICK, MAX_LABEL_PX),
            stats: (c.mean_diff, c.ci95, c.ci95_unpaired, c.n),
        })
        .collect();
    let values = rows.iter().flat_map(|r| {
        let (mu, a, b, _) = r.stats;
        let w = [a, b]
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        [mu - w, mu + w, 0.0]
    });
    let (lo, hi) = style::data_range(values, false);
    let cats: Vec<String> = rows.iter().rev().map(|r| r.label.clone()).collect();
    let y = Axis::categorical(&cats, "");
    let y_area = cats
        .iter()
        .map(|l| style::text_size(l, style::TICK).0)
        .max()
        .unwrap_or(0)
        + 24;
    let (title, x_desc) = titles(m);
    let mut subtitle = vec![
        "dot: mean paired difference; thick bar: paired 95% CI; thin bar below it: unpaired (Welch) 95% CI"
            .to_string(),
    ];
    if m.rows.len() > MAX_ROWS {
        subtitle.push(format!(
            "the first {MAX_ROWS} of {} contrasts (the rest are in contrasts.csv)",
            m.rows.len()
        ));
    }
    Forest {
        title,
        rows,
        x: Axis::numeric(lo, hi, 6, &x_desc),
        y,
        y_area,
        subtitle,
    }
}

/// The title (what is compared, and how) and the x axis description.
fn titles(m: &MetricContrasts) -> (String, String) {
    let first = &m.rows[0];
    let one_level = m.rows.iter().all(|c| c.level == first.level);
    let one_base = m.rows.iter().all(|c| c.baseline == first.baseline);
    let (level, base) = (
        style::label_value(&first.level),
        style::label_value(&first.baseline),
    );
    let compared = match (one_level, one_base) {
        (true, true) => format!("{level} − {base}"),
        (false, true) => format!("each {} − {base}", m.by),
        _ => format!("{} levels against their baselines", m.by),
    };
    (
        format!(
            "{}: {compared}, paired by replicate (common random numbers)",
            m.metric
        ),
        format!("difference in {} ({} level − baseline)", m.metric, m.by),
    )
}

/// Each row's label: `level − baseline`, then the other parameters that
/// vary among the rows (their short names and values).
fn row_labels(m: &MetricContrasts, others: &[String]) -> Vec<String> {
    let n = m.rows.len();
    let columns = (0..others.len())
        .map(|k| m.rows.iter().map(|c| c.others[k].clone()).collect())
        .collect();
    let d = Design::new((0..n as u64).collect(), others.to_vec(), columns);
    m.rows
        .iter()
        .enumerate()
        .map(|(r, c)| {
            let mut label = format!(
                "{} − {}",
                style::label_value(&c.level),
                style::label_value(&c.baseline)
            );
            if !d.varying().is_empty() {
                label.push_str(", ");
                label.push_str(&d.label(r));
            }
            label
        })
        .collect()
}

impl Forest {
    /// Draws row `i` (y = `y`): the unpaired bar, the paired bar, the dot.
    fn draw_row<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        y: f64,
        (mu, ci, ci_u, _): (f64, f64, f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        if !mu.is_finite() {
            return Ok(());
        }
        let clip = |v: f64| v.clamp(self.x.lo, self.x.hi);
        // The two intervals side by side, the paired one just above the
        // row's line and the unpaired one just below, so that neither hides
        // the other; a small dot, so that it hides no interval.
        let (yp, yu) = (y + 0.14, y - 0.2);
        if ci_u.is_finite() {
            let thin = PAIRED.mix(0.55).stroke_width(3);
            plot.draw(&PathElement::new(
                vec![(clip(mu - ci_u), yu), (clip(mu + ci_u), yu)],
                thin,
            ))?;
            for e in [mu - ci_u, mu + ci_u] {
                plot.draw(
                    &(EmptyElement::at((clip(e), yu))
                        + PathElement::new(vec![(0, -4), (0, 4)], thin)),
                )?;
            }
        }
        if ci.is_finite() {
            plot.draw(&PathElement::new(
                vec![(clip(mu - ci), yp), (clip(mu + ci), yp)],
                PAIRED.stroke_width(6),
            ))?;
        }
        style::draw_marker(plot, (mu, yp), style::Marker::Circle, 4, style::TEXT)
    }

    /// The value of row `stats` as written at the right.
    fn value_text((mu, ci, _, n): (f64, f64, f64, f64)) -> String {
        if !mu.is_finite() {
            return "undefined".to_string();
        }
        let n = if n.is_finite() {
            format!(", n = {}", style::fmt_sig(n, 3))
        } else {
            String::new()
        };
        if ci.is_finite() {
            format!("{} ± {}{n}", style::fmt_sig(mu, 3), style::fmt_sig(ci, 3))
        } else {
            format!("{}{n}", style::fmt_sig(mu, 3))
        }
    }
}

/// The legend: the two bars and the dot, drawn as they are in the chart.
fn draw_forest_legend<DB>(area: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let items: [(&str, u32, f64); 2] = [
        (
            "paired 95% CI (same replicate, common random numbers)",
            6,
            1.0,
        ),
        ("unpaired 95% CI (Welch)", 3, 0.55),
    ];
    let font = style::font(style::LEGEND);
    let widths: Vec<i32> = items
        .iter()
        .map(|(l, _, _)| 58 + style::text_size(l, style::LEGEND).0 as i32)
        .collect();
    let dot_w = 30 + style::text_size("mean difference", style::LEGEND).0 as i32;
    let total = widths.iter().sum::<i32>() + dot_w + 60;
    let mut x = (w as i32 - total) / 2;
    let y = LEGEND_H as i32 / 2;
    for ((label, width, alpha), iw) in items.iter().zip(&widths) {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 48, y)],
            PAIRED.mix(*alpha).stroke_width(*width),
        ))?;
        area.draw(&Text::new(
            label.to_string(),
            (x + 58, y),
            style::anchored(font.clone(), HPos::Left, VPos::Center),
        ))?;
        x += iw + 30;
    }
    style::draw_marker(area, (x + 8, y), style::Marker::Circle, 4, style::TEXT)?;
    area.draw(&Text::new(
        "mean difference",
        (x + 24, y),
        style::anchored(font, HPos::Left, VPos::Center),
    ))?;
    Ok(())
}

impl Chart for Forest {
    fn size(&self) -> (u32, u32) {
        let title_w = style::bold_text_size(&self.title, style::TITLE).0 + 60;
        let w = (self.y_area + 640 + VALUE_W).max(1100).max(title_w);
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + ROW_H * self.rows.len() as u32 + 110 + LEGEND_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(root, &self.title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let (main, legend) = body.split_vertically(h - LEGEND_H);
        let main = main.margin(0, 0, 10, VALUE_W);
        let chart = style::cartesian(&main, &self.x, &self.y, self.y_area, true)?;
        let plot = chart.plotting_area();
        if self.x.lo <= 0.0 && 0.0 <= self.x.hi {
            plot.draw(&PathElement::new(
                vec![(0.0, self.y.lo), (0.0, self.y.hi)],
                style::INK.stroke_width(2),
            ))?;
        }
        let k = self.rows.len();
        let (root_w, _) = root.dim_in_pixel();
        let (_, oy) = root.get_base_pixel();
        let value_x = root_w as i32 - VALUE_W as i32 + 16;
        let (_, top) = plot.map_coordinate(&(self.x.lo, self.y.hi));
        root.draw(&Text::new(
            "difference ± paired CI",
            (value_x, top - oy - 4),
            style::anchored(style::bold(style::TICK), HPos::Left, VPos::Bottom),
        ))?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = (k - 1 - i) as f64;
            self.draw_row(plot, y, row.stats)?;
            let (_, py) = plot.map_coordinate(&(self.x.lo, y));
            root.draw(&Text::new(
                Self::value_text(row.stats),
                (value_x, py - oy),
                style::anchored(style::font(style::TICK), HPos::Left, VPos::Center),
            ))?;
        }
        draw_forest_legend(&legend)
    }
}
