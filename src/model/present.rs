//! How the explorer (`profspace serve`) presents a model: its controls, its
//! charts over time, its trade-off chart and its team tiles. A model
//! declares these in its own folder ([`Model::presentation`]), so its
//! vocabulary stays there; a model that declares nothing gets a plain page
//! built from its parameters and metrics ([`Presentation::plain`]).
//!
//! Colours are names of the Okabe–Ito palette the page knows (`black`,
//! `orange`, `sky`, `green`, `yellow`, `blue`, `vermillion`, `purple`,
//! `grey`).

use super::Model;
use crate::params::Kind;
use serde::Serialize;

/// One control of the page: a scenario key, its group, a few words, and
/// the window of the professional's view it feeds (if any).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Control {
    /// The scenario key (`managers.focus`).
    pub key: String,
    /// The group it is shown in (a key of [`Presentation::groups`]).
    pub group: String,
    /// A few words under it.
    pub short: String,
    /// The window it feeds, shown beside it (empty: none).
    pub window: String,
}

/// One line of a chart over time.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Series {
    /// The tick metric.
    pub metric: String,
    /// Its label in the legend.
    pub label: String,
    /// Its colour (a palette name).
    pub colour: String,
    /// Line width in pixels.
    pub width: f64,
    /// `true`: on the right-hand axis (counts).
    pub right: bool,
}

/// A chart of tick metrics over time.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LineChart {
    /// A short name, unique on the page (the chart's element is
    /// `#chart-<id>`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The words under the title.
    pub sub: String,
    /// The left axis's label.
    pub y_label: String,
    /// The right axis's label (empty: no right axis).
    pub y2_label: String,
    /// The lowest and highest value of the left axis.
    pub range: (f64, f64),
    /// Its lines.
    pub series: Vec<Series>,
}

/// A chart of one tick metric against another: the path of the run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Tradeoff {
    /// Its title.
    pub title: String,
    /// The words under the title.
    pub sub: String,
    /// The metric across, and its label.
    pub x: (String, String),
    /// The metric up, and its label.
    pub y: (String, String),
}

/// A situation a team tile is coloured by: a team metric that is a share.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Situation {
    /// The team metric (a share of the team's professionals).
    pub metric: String,
    /// The words for it.
    pub words: String,
    /// Its colour (a palette name).
    pub colour: String,
}

/// The tiles of the teams: one per team, coloured by the situation that
/// dominates it, or by one team value.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Tiles {
    /// The situations, in order.
    pub situations: Vec<Situation>,
    /// The team metric the tiles may be coloured by instead (0–1), and what
    /// it means (empty: none).
    pub value: (String, String),
    /// Further team metrics shown in a tile's details.
    pub details: Vec<String>,
}

/// Everything the explorer shows of a model.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Presentation {
    /// One line under the page's title.
    pub tagline: String,
    /// Paragraphs that explain the model to a newcomer.
    pub about: Vec<String>,
    /// The control groups, in order: (group, title).
    pub groups: Vec<(String, String)>,
    /// The controls, in order.
    pub controls: Vec<Control>,
    /// A few words for values of choice keys: (value, words).
    pub notes: Vec<(String, String)>,
    /// The charts over time.
    pub charts: Vec<LineChart>,
    /// The trade-off chart, if the model has one.
    pub tradeoff: Option<Tradeoff>,
    /// The team tiles, if the model has teams.
    pub tiles: Option<Tiles>,
    /// The keys a new sweep varies by default (across, up).
    pub sweep: (String, String),
    /// The word for a time step (`tick`, `period`): the first column of
    /// the series.
    pub time: String,
}

/// `&str` pairs as owned pairs.
pub fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A control.
pub fn control(key: &str, group: &str, short: &str, window: &str) -> Control {
    Control {
        key: key.into(),
        group: group.into(),
        short: short.into(),
        window: window.into(),
    }
}

/// A line of a chart (left axis, 2 px).
pub fn series(metric: &str, label: &str, colour: &str) -> Series {
    Series {
        metric: metric.into(),
        label: label.into(),
        colour: colour.into(),
        width: 2.0,
        right: false,
    }
}

/// The colours of plain charts, in turn.
const PALETTE: [&str; 7] = [
    "blue",
    "vermillion",
    "green",
    "orange",
    "purple",
    "sky",
    "black",
];

/// The engine's keys every page offers, in the group `run`.
fn run_controls(model: &dyn Model) -> Vec<Control> {
    vec![
        control("seed", "run", "same seed, same numbers", ""),
        control(model.ticks_key(), "run", "length of a run", ""),
    ]
}

impl Presentation {
    /// The page of a model that declares none: a control for each of its
    /// sweepable numeric and choice keys (grouped by their first path
    /// segment), one chart of its tick metrics over time, no tiles.
    pub fn plain(model: &dyn Model) -> Presentation {
        let mut controls = Vec::new();
        let mut groups: Vec<(String, String)> = Vec::new();
        for p in model.params().iter().filter(|p| p.sweepable) {
            if !matches!(
                p.kind,
                Kind::Float { .. } | Kind::Int { .. } | Kind::Choice(_)
            ) {
                continue;
            }
            if p.path == model.ticks_key() {
                continue;
            }
            let group = p.path.split_once('.').map_or("model", |(g, _)| g);
            if !groups.iter().any(|(g, _)| g == group) {
                groups.push((group.to_string(), format!("[{group}]")));
            }
            controls.push(control(p.path, group, p.meaning, ""));
        }
        controls.extend(run_controls(model));
        groups.push(("run".into(), "The run".into()));
        let metrics = model.tick_metrics();
        let range = if metrics.iter().any(|m| m.scale.starts_with('−')) {
            (-1.0, 1.0)
        } else {
            (0.0, 1.0)
        };
        let series = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| series(m.name, m.name, PALETTE[i % PALETTE.len()]))
            .collect();
        let time = model.charts().time;
        let reals: Vec<&str> = controls
            .iter()
            .map(|c| c.key.as_str())
            .filter(|k| {
                model
                    .params()
                    .iter()
                    .any(|p| p.path == *k && matches!(p.kind, Kind::Float { .. }))
            })
            .collect();
        let axis = |i: usize| {
            let key = reals.get(i).or(reals.first()).copied().unwrap_or("seed");
            key.to_string()
        };
        let sweep = (axis(0), axis(1));
        Presentation {
            tagline: model.title().to_string(),
            about: vec![format!(
                "{}. Move a control, press Run, compare. Every chart shows the model's {} metrics \
                 (profspace metrics lists them with their meaning).",
                model.title(),
                time
            )],
            groups,
            controls,
            notes: Vec::new(),
            charts: vec![LineChart {
                id: "metrics".into(),
                title: format!("Over the {time}s"),
                sub: format!("the model's metrics, {time} by {time}"),
                y_label: metrics
                    .first()
                    .map_or(String::new(), |m| format!("{} ({})", m.name, m.scale)),
                y2_label: String::new(),
                range,
                series,
            }],
            tradeoff: None,
            tiles: None,
            sweep,
            time: time.to_string(),
        }
    }

    /// The controls' keys.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.controls.iter().map(|c| c.key.as_str())
    }
}
