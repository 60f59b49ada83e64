//! Distribution of professionals' states (`agents.csv`): one panel per
//! state; in each, one violin per recorded tick (x) and group (colour, side
//! by side). A violin is the Gaussian kernel density of the state over
//! every professional of every run of its group at that tick
//! ([`crate::plot::estimate::kde`], Silverman's rule-of-thumb bandwidth),
//! drawn between the smallest and the largest value, every violin equally
//! wide at its widest (so shapes compare, not counts); a bar marks the
//! interquartile range and a dot the median. Violins of very many values
//! use a systematic sample (see [`crate::plot::data::agents`]). At most
//! [`MAX_TICKS`] ticks, spread over those recorded.

use crate::plot::data::AgentValues;
use crate::plot::estimate::{kde, quantile, silverman};
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many recorded ticks are drawn.
pub(crate) const MAX_TICKS: usize = 12;
/// Points along the outline of a violin.
const OUTLINE: usize = 64;

/// One violin: its slot (tick) and group, its outline (value, width as a
/// share of the widest), quartiles and median.
struct Violin {
    slot: usize,
    group: usize,
    outline: Vec<(f64, f64)>,
    q1: f64,
    median: f64,
    q3: f64,
}

/// One panel: a state, its y axis and violins.
struct Panel {
    state: String,
    y: Axis,
    violins: Vec<Violin>,
}

/// The distribution chart.
pub(crate) struct Distribution {
    title: String,
    panels: Vec<Panel>,
    x: Axis,
    groups: usize,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
    cols: usize,
}

/// How the runs are grouped, for the labels: the group names and what
/// they are (`condition`, `coupling`, "design point", or none: pooled).
#[derive(Clone, Debug)]
pub(crate) struct Grouping {
    pub labels: Vec<String>,
    pub what: Option<String>,
    /// Whether a group pools several design points.
    pub pooled: bool,
}

/// Builds the chart of the states `states` (indices) of `values`, `time`
/// naming the x axis.
pub(crate) fn build(
    values: &AgentValues,
    states: &[usize],
    grouping: &Grouping,
    time: &str,
) -> Distribution {
    let slots = pick_ticks(values.ticks.len());
    let labels: Vec<String> = slots.iter().map(|&t| values.ticks[t].to_string()).collect();
    let panels: Vec<Panel> = states.iter().map(|&k| panel(values, k, &slots)).collect();
    let names: Vec<&str> = states.iter().map(|&k| values.states[k].as_str()).collect();
    let groups = values.groups;
    let legend = if groups > 1 {
        grouping
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| LegendEntry {
                label: l.clone(),
                style: style::series_style(i),
                line: false,
                marker: false,
                fill: true,
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = match (names.as_slice(), &grouping.what) {
        ([one], Some(w)) => format!("{one} across professionals, by {w}"),
        ([one], None) => format!("{one} across professionals"),
        (_, Some(w)) => format!("Professionals' states, by {w}"),
        (_, None) => "Professionals' states".to_string(),
    };
    let panel_w = panel_width(slots.len(), groups);
    Distribution {
        title,
        subtitle: subtitle(values, states, grouping, &slots),
        x: Axis::categorical(&labels, time),
        panels,
        groups,
        legend,
        cols: if panel_w <= 700 && states.len() > 1 {
            2
        } else {
            1
        },
    }
}

/// Which recorded ticks (indices of `n`) are drawn: all, or
/// [`MAX_TICKS`] spread evenly from the first to the last.
fn pick_ticks(n: usize) -> Vec<usize> {
    if n <= MAX_TICKS {
        (0..n).collect()
    } else {
        (0..MAX_TICKS)
            .map(|k| k * (n - 1) / (MAX_TICKS - 1))
            .collect()
    }
}

/// The lines under the title: what a violin is, how many values it holds,
/// the grouping, a sample, ticks left out.
fn subtitle(
    values: &AgentValues,
    states: &[usize],
    grouping: &Grouping,
    slots: &[usize],
) -> Vec<String> {
    let mut lines = vec![
        "violin: Gaussian kernel density over professionals (bandwidth: Silverman's rule),"
            .to_string(),
        "each as wide as the others at its widest; bar: interquartile range; dot: median"
            .to_string(),
    ];
    let (mut lo, mut hi, mut thinned) = (u64::MAX, 0u64, false);
    for &t in slots {
        for g in 0..values.groups {
            for &k in states {
                let b = values.at(t, g, k);
                if b.seen() > 0 {
                    lo = lo.min(b.seen());
                    hi = hi.max(b.seen());
                }
                thinned |= b.thinned();
            }
        }
    }
    let scope = match (&grouping.what, grouping.pooled) {
        (Some(w), true) => format!("; each violin pools every design point with that {w}"),
        (None, _) => "; all runs pooled".to_string(),
        _ => String::new(),
    };
    if lo <= hi {
        let count = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}–{hi}")
        };
        lines.push(format!("{count} values per violin{scope}"));
    }
    if thinned {
        lines.push(format!(
            "violins of more than {} values: a systematic sample of them (every k-th row)",
            crate::plot::data::agents::MAX_VALUES
        ));
    }
    if slots.len() < values.ticks.len() {
        lines.push(format!(
            "{} of {} recorded ticks",
            slots.len(),
            values.ticks.len()
        ));
    }
    lines
}

/// The panel of state `k` over the ticks `slots`.
fn panel(values: &AgentValues, k: usize, slots: &[usize]) -> Panel {
    let mut violins = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (slot, &t) in slots.iter().enumerate() {
        for g in 0..values.groups {
            let v = values.at(t, g, k).sorted();
            if let Some(violin) = violin(&v, slot, g) {
                lo = lo.min(v[0]);
                hi = hi.max(v[v.len() - 1]);
                violins.push(violin);
            }
        }
    }
    let unit = lo >= 0.0 && hi <= 1.0;
    let (y0, y1) = style::data_range([lo, hi], unit);
    let state = &values.states[k];
    let desc = if unit {
        format!("{state} (0–1)")
    } else {
        state.clone()
    };
    Panel {
        state: state.clone(),
        y: Axis::numeric(y0, y1, 5, &desc),
        violins,
    }
}

/// The violin of sorted values `v` (none when empty).
fn violin(v: &[f64], slot: usize, group: usize) -> Option<Violin> {
    let (&first, &last) = (v.first()?, v.last()?);
    let h = silverman(v);
    let (a, b) = if last > first {
        (first, last)
    } else {
        (first - h, last + h)
    };
    let at: Vec<f64> = (0..OUTLINE)
        .map(|i| a + (b - a) * i as f64 / (OUTLINE - 1) as f64)
        .collect();
    let dens = kde(v, h, &at);
    let peak = dens.iter().copied().fold(0.0, f64::max);
    let outline = at
        .iter()
        .zip(&dens)
        .map(|(&y, &d)| (y, if peak > 0.0 { d / peak } else { 0.0 }))
        .collect();
    Some(Violin {
        slot,
        group,
        outline,
        q1: quantile(v, 0.25),
        median: quantile(v, 0.5),
        q3: quantile(v, 0.75),
    })
}

const PANEL_H: u32 = 380;

/// The width of a panel of `slots` ticks of `groups` violins each.
fn panel_width(slots: usize, groups: usize) -> u32 {
    (slots.max(1) as u32 * groups.max(1) as u32 * 46 + 160).max(600)
}

impl Distribution {
    /// The centre of group `g`'s violin in slot `s`, and its half-width at
    /// its widest (in slot units).
    fn place(&self, s: usize, g: usize) -> (f64, f64) {
        let band = 0.84 / self.groups as f64;
        let x = s as f64 - 0.42 + band * (g as f64 + 0.5);
        (x, 0.46 * band)
    }

    fn draw_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = area.dim_in_pixel();
        area.draw(&Text::new(
            p.state.clone(),
            (w as i32 / 2, 6),
            style::anchored(style::bold(style::PANEL), HPos::Center, VPos::Top),
        ))?;
        let body = area.split_vertically(36).1;
        let chart = style::cartesian(&body, &self.x, &p.y, style::y_area_for(&p.y.labels), true)?;
        let plot = chart.plotting_area();
        for v in &p.violins {
            self.draw_violin(plot, v, (p.y.lo, p.y.hi))?;
        }
        Ok(())
    }

    fn draw_violin<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        v: &Violin,
        (ylo, yhi): (f64, f64),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (x, half) = self.place(v.slot, v.group);
        let colour = style::series_style(v.group).color;
        let clamp = |y: f64| y.clamp(ylo, yhi);
        let mut pts: Vec<(f64, f64)> = v
            .outline
            .iter()
            .map(|&(y, f)| (x + half * f, clamp(y)))
            .collect();
        pts.extend(
            v.outline
                .iter()
                .rev()
                .map(|&(y, f)| (x - half * f, clamp(y))),
        );
        plot.draw(&Polygon::new(
            pts.clone(),
            colour.mix(style::BAND_ALPHA * 2.0).filled(),
        ))?;
        pts.push(pts[0]);
        plot.draw(&PathElement::new(pts, colour.stroke_width(1)))?;
        plot.draw(&PathElement::new(
            vec![(x, clamp(v.q1)), (x, clamp(v.q3))],
            style::TEXT.stroke_width(4),
        ))?;
        plot.draw(
            &(EmptyElement::at((x, clamp(v.median))) + Circle::new((0, 0), 4, WHITE.filled())),
        )?;
        plot.draw(
            &(EmptyElement::at((x, clamp(v.median)))
                + Circle::new((0, 0), 4, style::TEXT.stroke_width(1))),
        )?;
        Ok(())
    }
}

impl Chart for Distribution {
    fn size(&self) -> (u32, u32) {
        let panel_w = panel_width(self.x.labels.len(), self.groups);
        let w = (panel_w * self.cols as u32).max(900);
        let rows = self.panels.len().div_ceil(self.cols).max(1) as u32;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + PANEL_H * rows + style::legend_height(&self.legend, w) + 10,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(root, &self.title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let lh = style::legend_height(&self.legend, w);
        let (legend, grid) = body.split_vertically(lh);
        let grid = grid.margin(0, 0, 10, 10);
        let rows = self.panels.len().div_ceil(self.cols).max(1);
        let areas = grid.split_evenly((rows, self.cols));
        for (p, area) in self.panels.iter().zip(&areas) {
            self.draw_panel(area, p)?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
