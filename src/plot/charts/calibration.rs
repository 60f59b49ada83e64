//! The charts of a calibration folder, from its tables and manifest
//! ([`crate::calibrate::tables::Folder`]):
//!
//! - `posterior_pairs`: a corner plot of the last population. On the
//!   diagonal each real key's weighted marginal density (a Gaussian kernel
//!   density of the weighted particles) with its 95% credible interval
//!   shaded; below it the pairs, each particle a dot whose area follows its
//!   weight, coloured by the value of the first categorical key; the axes
//!   span the prior. A categorical key gets bars of its posterior
//!   probabilities against the prior's.
//! - `epsilon`: the tolerance, the acceptance rate and the effective sample
//!   size by generation.
//! - `predictive`: each target's observed value (± its sd) against the
//!   density of its posterior-predictive runs.

use crate::calibrate::tables::Folder;
use crate::error::Result;
use crate::plot::missing;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry};
use crate::scenario::calibrate::Prior;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Side of one panel of the corner plot.
const CELL: u32 = 330;
/// Points along a density curve.
const CURVE: usize = 120;

/// The axis range of a real key: the prior's support, or for a normal
/// prior its mean ± 4 sd within the support.
fn prior_range(p: &Prior) -> (f64, f64) {
    match *p {
        Prior::Uniform { lo, hi } => (lo, hi),
        Prior::Normal { mean, sd, lo, hi } => {
            ((mean - 4.0 * sd).max(lo), (mean + 4.0 * sd).min(hi))
        }
        Prior::Choice(_) => (0.0, 1.0),
    }
}

/// The weighted Gaussian kernel density of `xs` at `at` (Silverman's rule
/// with the weighted sd and the effective sample size).
fn weighted_kde(xs: &[f64], w: &[f64], at: &[f64]) -> Vec<f64> {
    let total: f64 = w.iter().sum();
    let mean: f64 = xs.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total;
    let var: f64 = xs
        .iter()
        .zip(w)
        .map(|(x, w)| w * (x - mean).powi(2))
        .sum::<f64>()
        / total;
    let ess = total * total / w.iter().map(|w| w * w).sum::<f64>();
    let h = (0.9 * var.sqrt() * ess.powf(-0.2)).max(1e-9 * (1.0 + mean.abs()));
    let norm = 1.0 / (total * h * (2.0 * std::f64::consts::PI).sqrt());
    at.iter()
        .map(|&a| {
            xs.iter()
                .zip(w)
                .map(|(x, w)| {
                    let u = (a - x) / h;
                    w * (-0.5 * u * u).exp()
                })
                .sum::<f64>()
                * norm
        })
        .collect()
}

/// A real key of the corner plot.
struct RealKey {
    name: String,
    /// The axis range (the prior's).
    range: (f64, f64),
    /// The 95% credible interval.
    interval: (f64, f64),
    mean: f64,
}

/// A categorical key of the corner plot.
struct ChoiceKey {
    name: String,
    values: Vec<String>,
    posterior: Vec<f64>,
    prior: Vec<f64>,
}

/// The corner plot.
pub(crate) struct Pairs {
    real: Vec<RealKey>,
    /// The particles' values of the real keys, their weights, and colour
    /// group.
    points: Vec<(Vec<f64>, f64, usize)>,
    choices: Vec<ChoiceKey>,
    legend: Vec<LegendEntry>,
    subtitle: Vec<String>,
}

/// Builds the corner plot of a calibration.
pub(crate) fn pairs(f: &Folder) -> Result<Pairs> {
    let mut real = Vec::new();
    let mut real_dims = Vec::new();
    let mut choices = Vec::new();
    let mut colour_dim = None;
    for (d, (key, prior)) in f.priors.iter().enumerate() {
        match prior {
            Prior::Choice(values) => {
                let names: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                let post: Vec<f64> = names
                    .iter()
                    .map(|v| f.posterior_of(&format!("{key}:{v}")).map_or(0.0, |x| x[0]))
                    .collect();
                let prior_p = vec![1.0 / names.len() as f64; names.len()];
                colour_dim.get_or_insert((d, names.clone()));
                choices.push(ChoiceKey {
                    name: key.clone(),
                    values: names,
                    posterior: post,
                    prior: prior_p,
                });
            }
            _ => {
                let x = f.posterior_of(key).ok_or_else(|| {
                    missing(
                        &f.dir.join(crate::output::tables::POSTERIOR.file),
                        format!("row `{key}`"),
                    )
                })?;
                real.push(RealKey {
                    name: key.clone(),
                    range: prior_range(prior),
                    interval: (x[2], x[4]),
                    mean: x[0],
                });
                real_dims.push(d);
            }
        }
    }
    let points = f
        .last
        .iter()
        .map(|(theta, w)| {
            (
                real_dims.iter().map(|&d| theta[d]).collect(),
                *w,
                colour_dim.as_ref().map_or(0, |(d, _)| theta[*d] as usize),
            )
        })
        .collect();
    let legend = colour_dim
        .as_ref()
        .map(|(d, names)| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| LegendEntry {
                    label: format!("{} = {n}", f.priors[*d].0),
                    style: style::SeriesStyle {
                        marker: style::Marker::Circle,
                        ..style::series_style(i)
                    },
                    line: false,
                    marker: true,
                    fill: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let g = f.generations.last();
    let subtitle = vec![
        format!(
            "the last population (generation {}, ε = {}, ESS {:.0}); dot area ∝ weight; axes span the prior",
            g.map_or(0, |g| g.index),
            g.map_or("–".into(), |g| crate::params::sig3(g.epsilon)),
            g.map_or(0.0, |g| g.ess)
        ),
        "diagonal: weighted posterior density, 95% credible interval shaded, mean marked".into(),
        "bars: the posterior probability of each value of a categorical key (line: the prior's)"
            .into(),
    ];
    Ok(Pairs {
        real,
        points,
        choices,
        legend,
        subtitle,
    })
}

impl Pairs {
    fn cols(&self) -> usize {
        self.real.len().max(1) + usize::from(!self.choices.is_empty())
    }

    fn axis(&self, k: usize, desc: bool) -> Axis {
        let r = &self.real[k];
        Axis::numeric(r.range.0, r.range.1, 5, if desc { &r.name } else { "" })
    }

    fn diagonal<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
        last: bool,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (lo, hi) = self.real[k].range;
        let at: Vec<f64> = (0..CURVE)
            .map(|i| lo + (hi - lo) * i as f64 / (CURVE - 1) as f64)
            .collect();
        let xs: Vec<f64> = self.points.iter().map(|p| p.0[k]).collect();
        let ws: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        let dens = weighted_kde(&xs, &ws, &at);
        let top = dens.iter().copied().fold(0.0, f64::max).max(1e-300) * 1.1;
        let y = Axis {
            lo: 0.0,
            hi: top,
            ticks: Vec::new(),
            labels: Vec::new(),
            desc: if k == 0 {
                "density".into()
            } else {
                String::new()
            },
        };
        let chart = style::cartesian(area, &self.axis(k, last), &y, 70, false)?;
        let plot = chart.plotting_area();
        let (a, b) = self.real[k].interval;
        let c = style::OKABE_ITO[4];
        let band: Vec<(f64, f64)> = at
            .iter()
            .zip(&dens)
            .filter(|(x, _)| **x >= a && **x <= b)
            .map(|(&x, &d)| (x, d))
            .collect();
        if band.len() >= 2 {
            let mut poly = band.clone();
            poly.push((band[band.len() - 1].0, 0.0));
            poly.push((band[0].0, 0.0));
            plot.draw(&Polygon::new(poly, c.mix(style::BAND_ALPHA * 1.5).filled()))?;
        }
        let curve: Vec<(f64, f64)> = at.iter().copied().zip(dens.iter().copied()).collect();
        plot.draw(&PathElement::new(curve, c.stroke_width(3)))?;
        let m = self.real[k].mean;
        plot.draw(&PathElement::new(
            vec![(m, 0.0), (m, top)],
            style::INK.stroke_width(2),
        ))?;
        Ok(())
    }

    fn pair<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (i, j): (usize, usize),
        (x_desc, y_desc): (bool, bool),
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let y = self.axis(i, y_desc);
        let chart = style::cartesian(area, &self.axis(j, x_desc), &y, 70, true)?;
        let plot = chart.plotting_area();
        let n = self.points.len() as f64;
        for (v, w, g) in &self.points {
            let r = (3.0 * (w * n).sqrt()).clamp(1.5, 9.0);
            let c = style::series_style(*g).color;
            plot.draw(&Circle::new((v[j], v[i]), r, c.mix(0.45).filled()))?;
        }
        Ok(())
    }

    fn bars<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, c: &ChoiceKey) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let x = Axis::categorical(&c.values, &c.name);
        let mut y = Axis::numeric(0.0, 1.0, 5, "probability");
        y.hi = 1.12;
        let chart = style::cartesian(area, &x, &y, 70, true)?;
        let plot = chart.plotting_area();
        for (k, (&p, &q)) in c.posterior.iter().zip(&c.prior).enumerate() {
            let c = style::series_style(k).color;
            let x = k as f64;
            plot.draw(&Rectangle::new([(x - 0.3, 0.0), (x + 0.3, p)], c.filled()))?;
            plot.draw(&PathElement::new(
                vec![(x - 0.4, q), (x + 0.4, q)],
                style::INK.stroke_width(2),
            ))?;
            plot.draw(&Text::new(
                crate::calibrate::tables::fmt2(p),
                (x, p + 0.02),
                style::anchored(style::font(style::TICK), HPos::Center, VPos::Bottom),
            ))?;
        }
        Ok(())
    }
}

impl Chart for Pairs {
    fn size(&self) -> (u32, u32) {
        let w = (CELL * self.cols() as u32).max(900) + 40;
        let rows = self.real.len().max(self.choices.len()).max(1) as u32;
        let head = 76 + 27 * self.subtitle.len() as u32;
        (
            w,
            head + CELL * rows + style::legend_height(&self.legend, w) + 20,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (main, legend) = style::layout(
            root,
            "Posterior: which values explain the observations",
            &self.subtitle,
            &self.legend,
            (0, 10, 10, 10),
        )?;
        let k = self.real.len();
        let rows = k.max(self.choices.len()).max(1);
        let cols = self.cols();
        let cells = main.split_evenly((rows, cols));
        for i in 0..k {
            for j in 0..=i {
                let area = &cells[i * cols + j];
                if i == j {
                    self.diagonal(area, i, i + 1 == k)?;
                } else {
                    self.pair(area, (i, j), (i + 1 == k, j == 0))?;
                }
            }
        }
        for (c, choice) in self.choices.iter().enumerate() {
            self.bars(&cells[c * cols + cols - 1], choice)?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}

/// The tolerance, acceptance and ESS by generation.
pub(crate) struct Epsilon {
    /// (generation, ε, acceptance rate in %, ESS).
    rows: Vec<(f64, f64, f64, f64)>,
    particles: f64,
    subtitle: Vec<String>,
}

/// Builds the tolerance chart.
pub(crate) fn epsilon(f: &Folder) -> Epsilon {
    let particles = f.generations.first().map_or(0.0, |g| f64::from(g.accepted));
    let mut subtitle = vec![
        "each generation accepts particles whose distance is within its tolerance ε".to_string(),
    ];
    if let Some(e) = &f.ending {
        subtitle.push(format!(
            "it stopped because {}",
            crate::calibrate::tables::ending_words(e)
        ));
    }
    Epsilon {
        rows: f
            .generations
            .iter()
            .map(|g| {
                (
                    f64::from(g.index),
                    g.epsilon,
                    100.0 * g.acceptance_rate,
                    g.ess,
                )
            })
            .collect(),
        particles,
        subtitle,
    }
}

impl Chart for Epsilon {
    fn size(&self) -> (u32, u32) {
        (1000, 76 + 27 * self.subtitle.len() as u32 + 3 * 300 + 20)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = style::header(
            root,
            "Tolerance and acceptance by generation",
            &self.subtitle,
        )?;
        let panels = body.margin(0, 10, 10, 20).split_evenly((3, 1));
        let n = self.rows.len();
        let last = n.saturating_sub(1) as f64;
        let x = Axis::numeric(-0.3, last + 0.3, n.clamp(2, 10), "generation");
        let column =
            |f: fn(&(f64, f64, f64, f64)) -> f64| -> Vec<f64> { self.rows.iter().map(f).collect() };
        let series = [
            ("tolerance ε (distance)", column(|r| r.1), 0.0),
            ("acceptance rate (%)", column(|r| r.2), 100.0),
            ("effective sample size", column(|r| r.3), self.particles),
        ];
        for (s, (name, values, cap)) in series.into_iter().enumerate() {
            let top = values.iter().copied().fold(cap, f64::max) * 1.08;
            let top = if top > 0.0 { top } else { 1.0 };
            let y = Axis::numeric(0.0, top, 5, name);
            let chart = style::cartesian(&panels[s], &x, &y, style::y_area_for(&y.labels), true)?;
            let plot = chart.plotting_area();
            let st = style::series_style(s);
            let pts: Vec<(f64, f64)> = self.rows.iter().map(|r| r.0).zip(values).collect();
            plot.draw(&PathElement::new(pts.clone(), st.color.stroke_width(3)))?;
            for p in pts {
                style::draw_marker(plot, p, st.marker, 7, st.color)?;
            }
        }
        Ok(())
    }
}

/// One target of the predictive chart: the observed value and sd, the
/// axis, and the density of the runs.
struct TargetPanel {
    observed: f64,
    sd: f64,
    x: Axis,
    curve: Vec<(f64, f64)>,
}

/// Each target's observed value against its posterior-predictive runs.
pub(crate) struct Predictive {
    panels: Vec<TargetPanel>,
    subtitle: Vec<String>,
    legend: Vec<LegendEntry>,
}

/// Builds the posterior-predictive chart.
pub(crate) fn predictive(f: &Folder) -> Result<Predictive> {
    if f.predictive.is_empty() {
        return Err(missing(
            &f.dir.join(crate::output::tables::PREDICTIVE.file),
            "rows (no posterior-predictive draws)",
        ));
    }
    let mut panels = Vec::new();
    for (k, t) in f.targets.iter().enumerate() {
        let mut xs: Vec<f64> = f
            .predictive
            .iter()
            .map(|r| r[k])
            .filter(|x| x.is_finite())
            .collect();
        xs.sort_by(f64::total_cmp);
        let q = |p: f64| crate::plot::estimate::quantile(&xs, p);
        let lo = q(0.0).min(t.value - 2.0 * t.sd);
        let hi = q(1.0).max(t.value + 2.0 * t.sd);
        let pad = 0.05 * (hi - lo).max(1e-9);
        let (lo, hi) = (lo - pad, hi + pad);
        let at: Vec<f64> = (0..CURVE)
            .map(|i| lo + (hi - lo) * i as f64 / (CURVE - 1) as f64)
            .collect();
        let h = crate::plot::estimate::silverman(&xs);
        let dens = crate::plot::estimate::kde(&xs, h, &at);
        panels.push(TargetPanel {
            observed: t.value,
            sd: t.sd,
            x: Axis::numeric(lo, hi, 6, &t.metric),
            curve: at.into_iter().zip(dens).collect(),
        });
    }
    let legend = vec![
        LegendEntry {
            label: format!("posterior-predictive runs ({})", f.predictive.len()),
            style: style::SeriesStyle {
                dash: None,
                ..style::series_style(4)
            },
            line: true,
            marker: false,
            fill: true,
        },
        LegendEntry {
            label: "observed value ± its sd".into(),
            style: style::SeriesStyle {
                dash: None,
                ..style::series_style(5)
            },
            line: true,
            marker: false,
            fill: true,
        },
    ];
    Ok(Predictive {
        panels,
        subtitle: vec![
            "a calibrated model reproduces what was observed: each observed value should sit well inside its runs"
                .into(),
        ],
        legend,
    })
}

impl Chart for Predictive {
    fn size(&self) -> (u32, u32) {
        let cols = self.panels.len().clamp(1, 3) as u32;
        let rows = self.panels.len().div_ceil(3).max(1) as u32;
        let w = (cols * 420).max(900);
        (
            w,
            76 + 27 * self.subtitle.len() as u32
                + rows * 340
                + style::legend_height(&self.legend, w)
                + 20,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (main, legend) = style::layout(
            root,
            "Observed against posterior-predictive runs",
            &self.subtitle,
            &self.legend,
            (0, 10, 10, 10),
        )?;
        let cols = self.panels.len().clamp(1, 3);
        let rows = self.panels.len().div_ceil(3).max(1);
        let cells = main.split_evenly((rows, cols));
        for (p, area) in self.panels.iter().zip(&cells) {
            let (obs, sd, x, curve) = (&p.observed, &p.sd, &p.x, &p.curve);
            let top = curve.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-300) * 1.1;
            let y = Axis {
                lo: 0.0,
                hi: top,
                ticks: Vec::new(),
                labels: Vec::new(),
                desc: "density".into(),
            };
            let chart = style::cartesian(area, x, &y, 40, true)?;
            let plot = chart.plotting_area();
            let runs = style::series_style(4).color;
            let seen = style::series_style(5).color;
            let (a, b) = ((obs - sd).max(x.lo), (obs + sd).min(x.hi));
            plot.draw(&Rectangle::new(
                [(a, 0.0), (b, top)],
                seen.mix(style::BAND_ALPHA).filled(),
            ))?;
            let mut poly = curve.clone();
            poly.push((x.hi, 0.0));
            poly.push((x.lo, 0.0));
            plot.draw(&Polygon::new(
                poly,
                runs.mix(style::BAND_ALPHA * 1.5).filled(),
            ))?;
            plot.draw(&PathElement::new(curve.clone(), runs.stroke_width(3)))?;
            plot.draw(&PathElement::new(
                vec![(*obs, 0.0), (*obs, top)],
                seen.stroke_width(3),
            ))?;
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}
