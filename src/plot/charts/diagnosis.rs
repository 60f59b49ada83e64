//! The charts of a diagnosis and of its advice:
//!
//! - `diagnosis`: a forest plot of each team's levers, one row per lever
//!   and the teams side by side within it: the posterior mean and its 95%
//!   credible interval, on the lever's range; the legend gives each team's
//!   most likely coupling.
//! - `radar_<team>`: the team's observed windows (± 1.96 × the sd of its
//!   mean) against the calibrated model's posterior-predictive runs (mean
//!   and 95% interval), on the model's profile radar.
//! - `advice`: per team, every move ranked by its mean change of the
//!   outcome, with its 95% interval over posterior draws; read from
//!   `advice.csv`.

use super::profile::Profile;
use crate::calibrate::tables::Folder;
use crate::error::Result;
use crate::plot::style::{self, Axis, Chart, DrawResult, LegendEntry, SeriesStyle};
use crate::plot::{invalid, missing, unreadable};
use crate::scenario::calibrate::Prior;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One team in the forest: its id, and per lever (mean, q025, q975).
struct TeamRow {
    label: String,
    levers: Vec<Option<(f64, f64, f64)>>,
}

/// The forest plot of a diagnosis.
pub(crate) struct Forest {
    levers: Vec<String>,
    teams: Vec<TeamRow>,
    x: Axis,
    legend: Vec<LegendEntry>,
}

fn team_style(i: usize) -> SeriesStyle {
    SeriesStyle {
        dash: None,
        ..style::series_style(i)
    }
}

/// Builds the forest plot from each team's calibration (`teams`: id and
/// folder), naming each lever by its last path segment.
pub(crate) fn forest(teams: &[(String, Folder)]) -> Result<Forest> {
    let Some((_, first)) = teams.first() else {
        return Err(missing(
            Path::new(crate::output::tables::DIAGNOSIS.file),
            "teams",
        ));
    };
    let keys: Vec<(String, (f64, f64))> = first
        .priors
        .iter()
        .filter_map(|(k, p)| match p {
            Prior::Uniform { lo, hi } => Some((k.clone(), (*lo, *hi))),
            Prior::Normal { lo, hi, .. } => Some((k.clone(), (*lo, *hi))),
            Prior::Choice(_) => None,
        })
        .collect();
    let (lo, hi) = keys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, r)| {
            (a.min(r.0), b.max(r.1))
        });
    let rows: Vec<TeamRow> = teams
        .iter()
        .map(|(id, f)| {
            let choice = f.priors.iter().find_map(|(k, p)| match p {
                Prior::Choice(values) => values
                    .iter()
                    .filter_map(|v| {
                        f.posterior_of(&format!("{k}:{v}"))
                            .map(|x| (v.to_string(), x[0]))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1)),
                _ => None,
            });
            TeamRow {
                label: match choice {
                    Some((v, p)) => format!(
                        "team {id}: most likely {v} (P {})",
                        crate::calibrate::tables::probability(p)
                    ),
                    None => format!("team {id}"),
                },
                levers: keys
                    .iter()
                    .map(|(k, _)| f.posterior_of(k).map(|x| (x[0], x[2], x[4])))
                    .collect(),
            }
        })
        .collect();
    let legend = rows
        .iter()
        .enumerate()
        .map(|(i, t)| LegendEntry {
            label: t.label.clone(),
            style: team_style(i),
            line: true,
            marker: true,
            fill: false,
        })
        .collect();
    Ok(Forest {
        levers: keys
            .iter()
            .map(|(k, _)| k.rsplit('.').next().unwrap_or(k).to_string())
            .collect(),
        teams: rows,
        x: Axis::numeric(lo, hi, 6, "posterior mean and 95% credible interval"),
        legend,
    })
}

const ROW_H: u32 = 34;

impl Chart for Forest {
    fn size(&self) -> (u32, u32) {
        let w = 1100;
        let rows = self.levers.len() as u32 * (self.teams.len() as u32 * ROW_H + 24);
        (
            w,
            76 + 2 * 27 + rows + 110 + style::legend_height(&self.legend, w),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let subtitle = vec![
            "each team's manager as its survey explains them: posterior means, 95% credible intervals"
                .to_string(),
            "a short bar: the survey pins the lever down; a bar across the range: it cannot tell"
                .to_string(),
        ];
        let (main, legend) = style::layout(
            root,
            "Diagnosis: the levers of each team's manager",
            &subtitle,
            &self.legend,
            (0, 0, 10, 20),
        )?;
        let k = self.teams.len();
        // Lever rows from the top; teams spaced inside a row.
        let slots = self.levers.len() * (k + 1);
        let levels: Vec<String> = (0..slots)
            .rev()
            .map(|s| {
                let (lever, within) = (s / (k + 1), s % (k + 1));
                if within == k / 2 {
                    self.levers[lever].clone()
                } else {
                    String::new()
                }
            })
            .collect();
        let y = Axis::categorical(&levels, "");
        let y_area = style::y_area_for(&self.levers) + 10;
        let chart = style::cartesian(&main, &self.x, &y, y_area, true)?;
        let plot = chart.plotting_area();
        for (l, _) in self.levers.iter().enumerate() {
            for (t, team) in self.teams.iter().enumerate() {
                let Some((m, a, b)) = team.levers[l] else {
                    continue;
                };
                let slot = l * (k + 1) + t;
                let yv = (slots - 1 - slot) as f64;
                let st = team_style(t);
                plot.draw(&PathElement::new(
                    vec![(a, yv), (b, yv)],
                    st.color.stroke_width(4),
                ))?;
                style::draw_marker(plot, (m, yv), st.marker, 7, st.color)?;
            }
        }
        if !self.legend.is_empty() {
            style::draw_legend(&legend, &self.legend)?;
        }
        Ok(())
    }
}

/// The radar of one team: its observed windows against the calibrated
/// runs; `None` when fewer than three windows were scored.
pub(crate) fn radar(team: &str, f: &Folder, windows: &[(String, String)]) -> Option<Profile> {
    let mut axes = Vec::new();
    let (mut seen, mut seen_ci) = (Vec::new(), Vec::new());
    let (mut runs, mut runs_ci) = (Vec::new(), Vec::new());
    for (column, metric) in windows {
        let Some(t) = f.targets.iter().find(|t| &t.metric == metric) else {
            continue;
        };
        let Some((_, values)) = f.predicted.iter().find(|(m, _)| m == metric) else {
            continue;
        };
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if xs.is_empty() {
            continue;
        }
        xs.sort_by(f64::total_cmp);
        let q = |p: f64| crate::plot::estimate::quantile(&xs, p);
        axes.push(if column == metric {
            column.clone()
        } else {
            format!("{column} ({metric})")
        });
        seen.push(t.value);
        seen_ci.push(1.96 * t.sd);
        runs.push(xs.iter().sum::<f64>() / xs.len() as f64);
        runs_ci.push((q(0.975) - q(0.025)) / 2.0);
    }
    if axes.len() < 3 {
        return None;
    }
    let legend = vec![
        LegendEntry {
            label: "observed (± 1.96 sd of the team's mean)".into(),
            style: style::series_style(0),
            line: true,
            marker: true,
            fill: false,
        },
        LegendEntry {
            label: format!(
                "calibrated model: mean of {} posterior-predictive runs (95% of them)",
                f.predictive.len()
            ),
            style: style::series_style(1),
            line: true,
            marker: true,
            fill: false,
        },
    ];
    Some(Profile::of(
        format!("Team {team}: observed windows against the calibrated model"),
        axes,
        vec![(seen, seen_ci), (runs, runs_ci)],
        legend,
        vec![
            "centre 0, rim 1; where the two shapes part, the model cannot reproduce the team"
                .into(),
        ],
    ))
}

/// One move of the advice chart.
struct Bar {
    label: String,
    mean: f64,
    lo: f64,
    hi: f64,
}

/// The advice chart: per team, the moves ranked by their mean change.
pub(crate) struct AdviceChart {
    metric: String,
    teams: Vec<(String, Vec<Bar>)>,
    x: Axis,
}

/// Reads `advice.csv` into the advice chart (the rows of the outcome, the
/// first metric of each move).
pub(crate) fn advice(path: &Path) -> Result<AdviceChart> {
    let csv_err = |e: csv::Error| unreadable(path, &e);
    let mut reader = csv::Reader::from_path(path).map_err(csv_err)?;
    let head: Vec<String> = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let want = [
        "team",
        "parameter",
        "direction",
        "metric",
        "mean",
        "q025",
        "q975",
        "p_positive",
        "rank",
        "clamped",
    ];
    if head != want {
        return Err(invalid(
            path,
            format!(
                "its columns are {} but {} were expected",
                head.join(","),
                want.join(",")
            ),
        ));
    }
    let mut metric = String::new();
    let mut teams: Vec<(String, Vec<Bar>)> = Vec::new();
    let mut last_move = (String::new(), String::new(), String::new());
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(csv_err)?;
        let f = |k: usize| r.get(k).unwrap_or("").to_string();
        let num = |k: usize| -> Result<f64> {
            f(k).parse()
                .map_err(|_| invalid(path, format!("row {}: `{}` is not a number", i + 2, f(k))))
        };
        let this_move = (f(0), f(1), f(2));
        if this_move == last_move {
            continue; // a side effect of the move already read
        }
        last_move = this_move;
        if metric.is_empty() {
            metric = f(3);
        }
        let word = f(1).rsplit('.').next().unwrap_or("").to_string();
        let bar = Bar {
            label: format!("{} {word}", if f(2) == "+" { "raise" } else { "lower" }),
            mean: num(4)?,
            lo: num(5)?,
            hi: num(6)?,
        };
        match teams.iter_mut().find(|(t, _)| *t == f(0)) {
            Some((_, bars)) => bars.push(bar),
            None => teams.push((f(0), vec![bar])),
        }
    }
    if teams.is_empty() {
        return Err(missing(path, "rows"));
    }
    let values = teams
        .iter()
        .flat_map(|(_, b)| b.iter().flat_map(|b| [b.lo, b.hi, 0.0]));
    let (lo, hi) = style::data_range(values, false);
    Ok(AdviceChart {
        x: Axis::numeric(
            lo,
            hi,
            6,
            &format!("change of {metric} (mean over posterior draws, 95%)"),
        ),
        metric,
        teams,
    })
}

impl Chart for AdviceChart {
    fn size(&self) -> (u32, u32) {
        let rows: u32 = self
            .teams
            .iter()
            .map(|(_, b)| b.len() as u32 * 30 + 130)
            .sum();
        (1100, 76 + 2 * 27 + rows + 10)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let subtitle = vec![
            format!(
                "each lever moved up and down, paired with the unmoved manager, over draws from the team's posterior; best first"
            ),
            format!(
                "an interval that crosses 0: the move may not raise {}",
                self.metric
            ),
        ];
        let body = style::header(root, "Which lever to pull first", &subtitle)?;
        let heights: Vec<u32> = self
            .teams
            .iter()
            .map(|(_, b)| b.len() as u32 * 30 + 130)
            .collect();
        let mut rest = body.margin(0, 0, 10, 20);
        for ((team, bars), h) in self.teams.iter().zip(heights) {
            let (area, below) = rest.split_vertically(h);
            rest = below;
            let labels: Vec<String> = bars.iter().rev().map(|b| b.label.clone()).collect();
            let y = Axis::categorical(&labels, &format!("team {team}"));
            let chart =
                style::cartesian(&area, &self.x, &y, style::y_area_for(&labels) + 30, true)?;
            let plot = chart.plotting_area();
            plot.draw(&PathElement::new(
                vec![(0.0, -0.5), (0.0, labels.len() as f64 - 0.5)],
                style::INK.stroke_width(2),
            ))?;
            let n = bars.len();
            for (i, b) in bars.iter().enumerate() {
                let yv = (n - 1 - i) as f64;
                let c = if i == 0 {
                    style::OKABE_ITO[2]
                } else {
                    style::OKABE_ITO[0]
                };
                plot.draw(&Rectangle::new(
                    [(0.0, yv - 0.3), (b.mean, yv + 0.3)],
                    c.mix(0.6).filled(),
                ))?;
                plot.draw(&PathElement::new(
                    vec![(b.lo, yv), (b.hi, yv)],
                    style::INK.stroke_width(2),
                ))?;
                for e in [b.lo, b.hi] {
                    plot.draw(&PathElement::new(
                        vec![(e, yv - 0.15), (e, yv + 0.15)],
                        style::INK.stroke_width(2),
                    ))?;
                }
            }
        }
        Ok(())
    }
}
