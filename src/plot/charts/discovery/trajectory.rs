//! `discover_trajectory`: coverage (x) against density (y) at every step
//! of PRIM's trajectories, in step order joined by a thin line; each step
//! a marker coloured by its number of restricted parameters (a discrete
//! viridis scale), a circle for the initial box and the peeling steps, a
//! diamond for the pasting ones. Box 1 in full colour, later boxes of the
//! covering loop in lighter marks under it. Each chosen box is ringed at
//! its coverage and density (`discover.csv`), box 1's with a label
//! `chosen: step 38, coverage 0.828, density 0.65`. Both axes 0–1.

use super::{Sample, draw_legend, legend_height, lighten, stats_words};
use crate::plot::data::{Discovery, PrimStep};
use crate::plot::style::{self, Axis, Chart, DrawResult, Marker, Plane};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// How much lighter later boxes are drawn.
const LATER: f64 = 0.6;
const R: i32 = 7;

/// The trajectory chart.
pub(crate) struct Trajectory {
    title: String,
    subtitle: Vec<String>,
    /// The steps of every box, boxes in order, each box's in step order.
    boxes: Vec<(usize, Vec<PrimStep>)>,
    /// (box, coverage, density, label) of each chosen box.
    chosen: Vec<(usize, f64, f64, String)>,
    max_dims: usize,
    first_box: usize,
    x: Axis,
    y: Axis,
    legend: Vec<Vec<(Sample, String)>>,
}

/// The colour of a step with `dims` restricted parameters.
fn dims_colour(dims: usize, max_dims: usize) -> RGBColor {
    style::viridis(0.9 * dims as f64 / max_dims.max(1) as f64)
}

/// The trajectory chart of a discovery.
pub(crate) fn trajectory(d: &Discovery) -> Trajectory {
    let mut boxes: Vec<(usize, Vec<PrimStep>)> = Vec::new();
    for s in &d.trajectory {
        match boxes.iter_mut().find(|(b, _)| *b == s.box_no) {
            Some((_, steps)) => steps.push(s.clone()),
            None => boxes.push((s.box_no, vec![s.clone()])),
        }
    }
    boxes.sort_by_key(|(b, _)| *b);
    let max_dims = d.trajectory.iter().map(|s| s.dims).max().unwrap_or(0);
    let chosen = d
        .chosen
        .iter()
        .map(|c| {
            let label = if c.at.box_no == d.first().at.box_no {
                format!("chosen: step {}, {}", c.at.step, stats_words(c))
            } else {
                format!("box {}", c.at.box_no)
            };
            (c.at.box_no, c.at.coverage, c.at.density, label)
        })
        .collect();
    let first = d.first();
    let mut subtitle = vec![format!(
        "box {}'s trajectory: peeling (circles), then pasting (diamonds); colour: number of \
         restricted parameters; ring: the chosen box",
        first.at.box_no
    )];
    if boxes.len() > 1 {
        subtitle.push(format!(
            "lighter marks: boxes {}–{}, each found among the points left outside the boxes \
             before it (coverage is of all cases of interest)",
            boxes[1].0,
            boxes[boxes.len() - 1].0
        ));
    }
    let mut scale = vec![(Sample::None, "restricted parameters:".to_string())];
    scale.extend((0..=max_dims).map(|k| {
        (
            Sample::Marker(Marker::Circle, R, dims_colour(k, max_dims)),
            k.to_string(),
        )
    }));
    let grey = style::INK;
    let mut shapes = vec![
        (
            Sample::Marker(Marker::Circle, R, grey),
            "peeling step".into(),
        ),
        (
            Sample::Marker(Marker::Diamond, R, grey),
            "pasting step".into(),
        ),
        (Sample::Ring, "chosen box".into()),
    ];
    if boxes.len() > 1 {
        shapes.push((
            Sample::Marker(Marker::Circle, R, lighten(grey, LATER)),
            "later boxes".into(),
        ));
    }
    Trajectory {
        title: format!("{}: coverage against density, step by step", first.rule()),
        subtitle,
        boxes,
        chosen,
        max_dims,
        first_box: first.at.box_no,
        x: Axis::numeric(
            -0.02,
            1.02,
            5,
            "coverage: share of all cases of interest inside the box",
        ),
        y: Axis::numeric(-0.02, 1.02, 5, "density: share of the box that are cases"),
        legend: vec![scale, shapes],
    }
}

impl Trajectory {
    /// Draws the steps of one box: the line, then the markers.
    fn draw_box<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        steps: &[PrimStep],
        light: f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let pts: Vec<(f64, f64)> = steps
            .iter()
            .filter(|s| s.coverage.is_finite() && s.density.is_finite())
            .map(|s| (s.coverage, s.density))
            .collect();
        plot.draw(&PathElement::new(
            pts,
            lighten(style::INK, 0.5 + light / 2.0).stroke_width(2),
        ))?;
        for s in steps {
            if !(s.coverage.is_finite() && s.density.is_finite()) {
                continue;
            }
            let marker = if s.phase == "paste" {
                Marker::Diamond
            } else {
                Marker::Circle
            };
            let c = lighten(dims_colour(s.dims, self.max_dims), light);
            style::draw_marker(plot, (s.coverage, s.density), marker, R, c)?;
        }
        Ok(())
    }

    /// Rings a chosen box and writes its label beside it: below and to the
    /// left (where a trajectory, which gains density as it loses coverage,
    /// leaves room), or to the right near the left edge.
    fn draw_chosen<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Plane>,
        (x, y): (f64, f64),
        label: &str,
        first: bool,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ring, size) = if first {
            (style::TEXT, style::LEGEND)
        } else {
            (lighten(style::TEXT, 0.35), style::TICK)
        };
        plot.draw(&(EmptyElement::at((x, y)) + Circle::new((0, 0), 13, ring.stroke_width(3))))?;
        let (tw, th) = style::text_size(label, size);
        let (px, _) = plot.map_coordinate(&(x, y));
        let (left, _) = plot.map_coordinate(&(self.x.lo, y));
        let right = px - 18 - (tw as i32) < left + 10;
        let (x0, x1) = if right {
            (18, 18 + tw as i32 + 12)
        } else {
            (-18 - tw as i32 - 12, -18)
        };
        let (y0, y1) = (16, 16 + th as i32 + 10);
        let font = if first {
            style::bold(size)
        } else {
            style::font(size)
        };
        plot.draw(
            &(EmptyElement::at((x, y))
                + Rectangle::new([(x0, y0), (x1, y1)], WHITE.mix(0.85).filled())
                + Text::new(
                    label.to_string(),
                    (x0 + 6, (y0 + y1) / 2),
                    style::anchored(font, HPos::Left, VPos::Center),
                )),
        )?;
        Ok(())
    }
}

impl Chart for Trajectory {
    fn size(&self) -> (u32, u32) {
        let w = 1100;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (w, head + 760 + legend_height(&self.legend, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (main, legend) = style::layout_with(
            root,
            &self.title,
            &self.subtitle,
            |w| legend_height(&self.legend, w),
            (0, 0, 60, 80),
        )?;
        let chart = style::cartesian(
            &main,
            &self.x,
            &self.y,
            style::y_area_for(&self.y.labels),
            true,
        )?;
        let plot = chart.plotting_area();
        for (b, steps) in self.boxes.iter().rev() {
            let light = if *b == self.first_box { 0.0 } else { LATER };
            self.draw_box(plot, steps, light)?;
        }
        for (b, x, y, label) in self.chosen.iter().rev() {
            if x.is_finite() && y.is_finite() {
                self.draw_chosen(plot, (*x, *y), label, *b == self.first_box)?;
            }
        }
        draw_legend(&legend, &self.legend)
    }
}
