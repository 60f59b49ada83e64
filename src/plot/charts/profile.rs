//! Profile: a radar chart of the model's profile axes (for the
//! professional-space model, the five windows: purpose, identity, safety —
//! the box —, drive, meaning), final-window means with radial 95% CI
//! whiskers, one polygon per chosen condition: the best and the worst
//! design point on the model's main metric (or the first metric) and, when
//! a grouping parameter exists (`by`, else the model's preferred one or the
//! first varying text parameter), the best point of each group; every
//! point when there are at most six; a single point alone. plotters has no radar chart: it is drawn on a square
//! cartesian plane.

use crate::error::Result;
use crate::model::Charts;
use crate::plot::data::{Aggregate, Design};
use crate::plot::style::{self, Chart, DrawResult, LegendEntry};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::f64::consts::{FRAC_PI_2, TAU};

/// At most this many polygons.
const MAX_SHAPES: usize = 6;

/// The radar chart.
pub(crate) struct Profile {
    title: String,
    axes: Vec<String>,
    /// Per condition: values and CI half-widths per axis.
    shapes: Vec<(Vec<f64>, Vec<f64>)>,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
}

/// Builds the profile of the model's axes (`defaults.profile`); `None` when
/// fewer than three of them are present.
pub(crate) fn build(
    agg: &Aggregate,
    defaults: &Charts,
    by: Option<usize>,
) -> Result<Option<Profile>> {
    let (title, axes) = defaults.profile;
    let present: Vec<(usize, &str)> = axes
        .iter()
        .filter_map(|(col, label)| {
            agg.metrics
                .iter()
                .position(|m| m.name == *col)
                .map(|i| (i, *label))
        })
        .collect();
    let d = &agg.design;
    if present.len() < 3 || d.len() == 0 {
        return Ok(None);
    }
    let Some(chosen) = choose(agg, &present, defaults.primary, by) else {
        return Ok(None);
    };
    let shapes = chosen
        .iter()
        .map(|(r, _)| {
            (
                present
                    .iter()
                    .map(|&(i, _)| agg.metrics[i].mean[*r])
                    .collect(),
                present
                    .iter()
                    .map(|&(i, _)| agg.metrics[i].ci[*r])
                    .collect(),
            )
        })
        .collect();
    let labels = labels(d, &chosen);
    let legend = labels
        .iter()
        .enumerate()
        .map(|(i, l)| LegendEntry {
            label: style::fit_text(l, style::LEGEND, 900),
            style: style::series_style(i),
            line: true,
            marker: true,
            fill: false,
        })
        .collect();
    let mut subtitle =
        vec!["final-window means over replicates, whiskers: 95% CI; centre 0, rim 1".to_string()];
    if labels.len() == 1 && !d.varying().is_empty() {
        subtitle.push(labels[0].clone());
    }
    Ok(Some(Profile {
        title: title.to_string(),
        axes: present.iter().map(|&(_, l)| l.to_string()).collect(),
        shapes,
        legend: if labels.len() > 1 { legend } else { Vec::new() },
        subtitle,
    }))
}

/// The conditions drawn (design rows with every window of `present`
/// defined) and the roles of each: the best and the worst on `essential`
/// (or the first metric) and the best of each group, at most
/// [`MAX_SHAPES`]; a single point alone. `None` when no row is complete.
fn choose(
    agg: &Aggregate,
    present: &[(usize, &str)],
    main: &str,
    by: Option<usize>,
) -> Option<Vec<(usize, Vec<String>)>> {
    let d = &agg.design;
    let complete = |r: usize| {
        present
            .iter()
            .all(|&(i, _)| agg.metrics[i].mean[r].is_finite())
    };
    let rank = agg
        .metric(main)
        .or(agg.metrics.first())
        .map(|m| (m.name.clone(), m.mean.clone()));
    let mut chosen: Vec<(usize, Vec<String>)> = Vec::new();
    let mut add = |r: usize, role: String| {
        if let Some(e) = chosen.iter_mut().find(|(row, _)| *row == r) {
            if !role.is_empty() {
                e.1.push(role);
            }
        } else if chosen.len() < MAX_SHAPES {
            chosen.push((r, vec![role]));
        }
    };
    let candidates: Vec<usize> = (0..d.len()).filter(|&r| complete(r)).collect();
    if candidates.is_empty() {
        return None;
    }
    match (&rank, candidates.len()) {
        (Some((name, v)), n) if n > 1 => {
            let ranked: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&r| v[r].is_finite())
                .collect();
            let best = |rows: &mut dyn Iterator<Item = usize>| {
                rows.fold(None, |acc: Option<usize>, r| match acc {
                    Some(b) if v[b] >= v[r] => Some(b),
                    _ => Some(r),
                })
            };
            if let Some(b) = best(&mut ranked.iter().copied()) {
                add(b, format!("best {name}"));
            }
            if let Some(g) = by.or_else(|| d.group_param()) {
                let p = &d.params[g];
                for (k, level) in p.shown_levels().iter().enumerate() {
                    let mut rows = ranked.iter().copied().filter(|&r| p.level[r] == k);
                    if let Some(b) = best(&mut rows) {
                        add(b, format!("best of {level}"));
                    }
                }
            }
            let worst = ranked
                .iter()
                .copied()
                .fold(None, |acc: Option<usize>, r| match acc {
                    Some(w) if v[w] <= v[r] => Some(w),
                    _ => Some(r),
                });
            if let Some(w) = worst {
                add(w, format!("worst {name}"));
            }
            // A small design shows every point (the scenario's conditions in
            // both couplings, say), not only the best and the worst.
            if candidates.len() <= MAX_SHAPES {
                for &r in &candidates {
                    add(r, String::new());
                }
            }
        }
        _ => add(candidates[0], String::new()),
    }
    Some(chosen)
}

/// The legend label of each chosen condition: its point's label and its
/// roles.
fn labels(d: &Design, chosen: &[(usize, Vec<String>)]) -> Vec<String> {
    chosen
        .iter()
        .map(|(r, roles)| {
            let roles: Vec<&str> = roles
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            // The roles first: a long label is cut at its end.
            if roles.is_empty() {
                d.label(*r)
            } else {
                format!("{}: {}", roles.join(", "), d.label(*r))
            }
        })
        .collect()
}

/// The plane of the radar chart.
type Radar = Cartesian2d<RangedCoordf64, RangedCoordf64>;

const SIDE: u32 = 760;
/// Plane extent: x in ±REACH, y from BELOW to ABOVE (the pentagon reaches
/// lower less far than up, and its labels need room).
const REACH: f64 = 1.36;
const BELOW: f64 = -1.08;
const ABOVE: f64 = 1.24;

fn plane_height() -> u32 {
    (SIDE as f64 * (ABOVE - BELOW) / (2.0 * REACH)).round() as u32
}

impl Profile {
    /// A radar of `axes` with `shapes` (values and whisker half-widths per
    /// axis), drawn in the series styles in order.
    pub(crate) fn of(
        title: String,
        axes: Vec<String>,
        shapes: Vec<(Vec<f64>, Vec<f64>)>,
        legend: Vec<LegendEntry>,
        subtitle: Vec<String>,
    ) -> Profile {
        Profile {
            title,
            axes,
            shapes,
            legend,
            subtitle,
        }
    }

    fn angle(&self, k: usize) -> f64 {
        FRAC_PI_2 - TAU * k as f64 / self.axes.len() as f64
    }

    fn at(&self, k: usize, r: f64) -> (f64, f64) {
        let a = self.angle(k);
        (r * a.cos(), r * a.sin())
    }

    /// Draws the rings, the spokes and the window names.
    fn draw_grid<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Radar>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.axes.len();
        for ring in 1..=5 {
            let r = ring as f64 / 5.0;
            let pts: Vec<(f64, f64)> = (0..=n).map(|k| self.at(k % n, r)).collect();
            let color = if ring == 5 {
                style::INK
            } else {
                RGBColor(200, 200, 200)
            };
            plot.draw(&PathElement::new(pts, color.stroke_width(1)))?;
        }
        for k in 0..n {
            plot.draw(&PathElement::new(
                vec![(0.0, 0.0), self.at(k, 1.0)],
                RGBColor(200, 200, 200).stroke_width(1),
            ))?;
        }
        for (k, label) in self.axes.iter().enumerate() {
            let (x, y) = self.at(k, 1.1);
            let h = if x.abs() < 0.05 {
                HPos::Center
            } else if x > 0.0 {
                HPos::Left
            } else {
                HPos::Right
            };
            let v = if y > 0.5 {
                VPos::Bottom
            } else if y < -0.5 {
                VPos::Top
            } else {
                VPos::Center
            };
            plot.draw(&Text::new(
                label.clone(),
                (x, y),
                style::anchored(style::bold(style::AXIS), h, v),
            ))?;
        }
        Ok(())
    }

    /// Draws the conditions: fills first, then outlines, whiskers and markers.
    fn draw_shapes<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Radar>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.axes.len();
        for (i, (vals, _)) in self.shapes.iter().enumerate() {
            let st = style::series_style(i);
            let pts: Vec<(f64, f64)> = (0..n)
                .map(|k| self.at(k, vals[k].clamp(0.0, 1.05)))
                .collect();
            plot.draw(&Polygon::new(pts, st.color.mix(0.10).filled()))?;
        }
        for (i, (vals, cis)) in self.shapes.iter().enumerate() {
            let st = style::series_style(i);
            let pts: Vec<(f64, f64)> = (0..=n)
                .map(|k| self.at(k % n, vals[k % n].clamp(0.0, 1.05)))
                .collect();
            style::draw_line(plot, &pts, &st, 3)?;
            for k in 0..n {
                let (v, c) = (vals[k], cis[k]);
                if c.is_finite() && c > 0.0 {
                    plot.draw(&PathElement::new(
                        vec![self.at(k, (v - c).max(0.0)), self.at(k, (v + c).min(1.05))],
                        st.color.stroke_width(2),
                    ))?;
                }
                style::draw_marker(plot, self.at(k, v.clamp(0.0, 1.05)), st.marker, 6, st.color)?;
            }
        }
        Ok(())
    }

    /// Writes the ring values left of the top spoke, over the shapes on a
    /// light box so that they stay legible.
    fn draw_ring_values<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Radar>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let size = style::TICK - 2.0;
        for ring in 1..=5 {
            let r = ring as f64 / 5.0;
            let text = style::fmt_num(r, 1);
            let (tw, th) = style::text_size(&text, size);
            let (tw, th) = (tw as i32, th as i32);
            plot.draw(
                &(EmptyElement::at(self.at(0, r))
                    + Rectangle::new(
                        [(-10 - tw - 2, -th / 2 - 1), (-8, th / 2 + 1)],
                        WHITE.mix(0.85).filled(),
                    )
                    + Text::new(
                        text,
                        (-10, 0),
                        style::anchored(
                            style::font(size).color(&RGBColor(100, 100, 100)),
                            HPos::Right,
                            VPos::Center,
                        ),
                    )),
            )?;
        }
        Ok(())
    }
}

impl Chart for Profile {
    fn size(&self) -> (u32, u32) {
        let w = 1000;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + plane_height() + style::legend_height(&self.legend, w) + 16,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(root, &self.title, &self.subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let ph = plane_height();
        let square = body.clone().shrink(((w - SIDE) / 2, 0), (SIDE, ph));
        let legend = body.split_vertically(ph + 8).1;
        let chart = ChartBuilder::on(&square).build_cartesian_2d(-REACH..REACH, BELOW..ABOVE)?;
        let plot = chart.plotting_area();
        self.draw_grid(plot)?;
        self.draw_shapes(plot)?;
        self.draw_ring_values(plot)?;
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
