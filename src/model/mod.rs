//! The models the engine hosts, behind one interface ([`Model`]), and the
//! registry that lists them.
//!
//! A model is one folder under `src/model/` that owns everything about it:
//! its parameter declarations and parameter struct with its defaults, its
//! metric tables, its cross-field rules and memory estimate, its `explain`
//! paragraph, its summary lines and chart defaults, and its `simulate`.
//! Nothing outside `src/model/` names a model: the scenario reader, the
//! sweep runner, resume, merge, the charts and the commands all work through
//! this trait. Adding a model is a folder and one line in [`BUILTIN`] (or a
//! call to [`register`], as the tests' toy model does).
//!
//! Models do no I/O and cannot fail on parameters that passed their
//! [`Model::validate`]; randomness comes only from the run seed (see
//! [`crate::rng`]).

pub mod march;
pub mod present;
pub mod psm;

use crate::error::{Error, Result};
use crate::observe::{Metric, ResultTable};
use crate::params::{Kind, Param, Problem, Value};
use std::any::Any;
use std::fmt;
use std::sync::RwLock;

/// A model's parameter values: its own struct behind a type-erased box, so
/// that a scenario can hold the parameters of any model.
pub struct ModelParams(Box<dyn ErasedParams>);

/// What a parameter struct must be to live in [`ModelParams`].
pub trait ErasedParams: Any + Send + Sync + fmt::Debug {
    /// A boxed copy.
    fn clone_box(&self) -> Box<dyn ErasedParams>;
    /// Equality with a value of any type (false for another type).
    fn eq_any(&self, other: &dyn Any) -> bool;
    /// As `Any`, to read it.
    fn as_any(&self) -> &dyn Any;
    /// As `Any`, to write it.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone + PartialEq + Send + Sync + fmt::Debug> ErasedParams for T {
    fn clone_box(&self) -> Box<dyn ErasedParams> {
        Box::new(self.clone())
    }

    fn eq_any(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>() == Some(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl ModelParams {
    /// Wraps a model's parameter struct.
    pub fn new<T: ErasedParams>(params: T) -> Self {
        ModelParams(Box::new(params))
    }

    /// The struct, if it is a `T`.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }

    /// The struct, mutably, if it is a `T`.
    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.0.as_any_mut().downcast_mut()
    }

    /// The struct as `Any` (for [`Param::get`]).
    pub fn as_any(&self) -> &dyn Any {
        self.0.as_any()
    }

    /// The struct as `Any` (for [`Param::set`]).
    pub fn as_any_mut(&mut self) -> &mut dyn Any {
        self.0.as_any_mut()
    }
}

impl Clone for ModelParams {
    fn clone(&self) -> Self {
        ModelParams(self.0.clone_box())
    }
}

impl PartialEq for ModelParams {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_any(other.0.as_any())
    }
}

impl fmt::Debug for ModelParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The charts a model's results get by default.
#[derive(Clone, Copy, Debug)]
pub struct Charts {
    /// The metric of heatmaps, comparisons and lines when none is asked.
    pub primary: &'static str,
    /// The time-series panels, in order.
    pub panels: &'static [&'static str],
    /// Shares of professionals in situations, stacked in the situations
    /// map: (metric, label). Empty: no situations map.
    pub situations: &'static [(&'static str, &'static str)],
    /// A radar profile: its title and its axes (metric, label), clockwise
    /// from the top. Empty: no profile.
    pub profile: (&'static str, &'static [(&'static str, &'static str)]),
    /// The word for the time axis of `ticks.csv` (`tick`, `period`).
    pub time: &'static str,
    /// The parameter that groups series best when it varies (e.g. the
    /// frame of negotiation); empty: the first varying text parameter.
    pub group: &'static str,
    /// The two run metrics of the trade-off map (across, up), one point
    /// per design point; empty: no trade-off map.
    pub tradeoff: (&'static str, &'static str),
}

/// What a survey of a team measures, and which manager settings explain it
/// (`profspace diagnose`): the model's own vocabulary for the practitioner.
#[derive(Clone, Copy, Debug)]
pub struct Survey {
    /// The survey's score columns and the run metric each one measures
    /// (`("box", "safety")`), in the order of the questionnaire.
    pub windows: &'static [(&'static str, &'static str)],
    /// The real-valued keys a diagnosis infers (the levers), with the
    /// short word for each (`("managers.focus", "focus")`).
    pub levers: &'static [(&'static str, &'static str)],
    /// The categorical key a diagnosis infers as a model choice, with the
    /// words for each value (`("zero_sum", "zero-sum")`).
    pub choice: (&'static str, &'static [(&'static str, &'static str)]),
    /// The metric advice improves by default (`essential`).
    pub outcome: &'static str,
    /// The metrics reported as side effects of a move besides the windows
    /// (exits, revocations).
    pub side_effects: &'static [&'static str],
    /// Makes `p` an organisation of one team of `size` professionals, the
    /// rest unchanged as far as the model's rules allow.
    pub one_team: fn(&mut ModelParams, u32) -> Result<()>,
}

/// Called by a model after each recorded tick with everything recorded so
/// far (a live view, e.g. the explorer's charts); returning `false` asks the
/// model to stop the run there (its results are then incomplete and must be
/// discarded).
pub type Live<'a> = &'a (dyn Fn(&Recorded) -> bool + Sync);

/// What a run records besides its run metrics: the ticks that go to
/// `ticks.csv`, `teams.csv` and `agents.csv`, and who watches it live.
#[derive(Clone, Copy, Default)]
pub struct Recording<'a> {
    /// Every `ticks_every`-th tick to `ticks.csv` (0: none).
    pub ticks_every: u32,
    /// Every `teams_every`-th tick to `teams.csv` (0: none).
    pub teams_every: u32,
    /// The ticks whose agents go to `agents.csv`, ascending.
    pub agents_at: &'a [u32],
    /// Threads the run may use for itself (0 or 1: the calling thread
    /// only). More are used only when the run is called from inside a
    /// rayon pool (the sweep runner's, which sets this when it has fewer
    /// runs than threads); the model starts no threads of its own. The
    /// results do not depend on it.
    pub threads: usize,
    /// A live view of the rows, if any.
    pub live: Option<Live<'a>>,
}

impl fmt::Debug for Recording<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("ticks_every", &self.ticks_every)
            .field("teams_every", &self.teams_every)
            .field("agents_at", &self.agents_at)
            .field("threads", &self.threads)
            .field("live", &self.live.is_some())
            .finish()
    }
}

impl Recording<'_> {
    /// Only `ticks.csv`, every `every`-th tick.
    pub fn ticks(every: u32) -> Recording<'static> {
        Recording {
            ticks_every: every,
            ..Recording::default()
        }
    }

    /// Tells the live view, if any, about the rows so far after tick `t`
    /// (when `t` is recorded); whether the run goes on.
    pub fn watch(&self, t: u32, out: &Recorded) -> bool {
        match self.live {
            Some(live) if self.tick(t) || self.teams(t) => live(out),
            _ => true,
        }
    }

    /// Whether tick `t` goes to `ticks.csv`.
    pub fn tick(&self, t: u32) -> bool {
        self.ticks_every > 0 && t.is_multiple_of(self.ticks_every)
    }

    /// Whether tick `t` goes to `teams.csv`.
    pub fn teams(&self, t: u32) -> bool {
        self.teams_every > 0 && t.is_multiple_of(self.teams_every)
    }

    /// Whether the agents of tick `t` go to `agents.csv`.
    pub fn agents(&self, t: u32) -> bool {
        self.agents_at.binary_search(&t).is_ok()
    }
}

/// The rows a run recorded, flat, row after row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    /// `[tick, tick metrics…]` per recorded tick.
    pub ticks: Vec<f64>,
    /// `[tick, team, team metrics…]` per recorded tick and team.
    pub teams: Vec<f64>,
    /// `[tick, team, agent, agent columns…]` per recorded tick and agent.
    pub agents: Vec<f64>,
}

/// How many teams and agents a run has (0 when the model has none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Population {
    /// Teams.
    pub teams: u64,
    /// Agents (professionals).
    pub agents: u64,
}

/// The metrics a summary shows.
#[derive(Clone, Copy, Debug)]
pub struct KeyMetrics {
    /// For a single design point, with their confidence intervals.
    pub one: &'static [&'static str],
    /// For a table of design points.
    pub table: &'static [&'static str],
}

/// A model: what the engine needs to know to read its parameters, run it,
/// and present its results.
pub trait Model: Send + Sync + 'static {
    /// Its name in scenario files (`model = "…"`).
    fn name(&self) -> &'static str;

    /// Its name and version as recorded in `manifest.json` (`psm 1.1`).
    fn version(&self) -> &'static str;

    /// One line saying what it is, for `params`, `metrics` and `explain`.
    fn title(&self) -> &'static str;

    /// Its parameters at their defaults.
    fn defaults(&self) -> ModelParams;

    /// Its keys, in the order of the documentation and of rendered files.
    fn params(&self) -> &'static [Param];

    /// Per-tick metrics, in column order.
    fn tick_metrics(&self) -> &'static [Metric];

    /// Per-run metrics, in column order.
    fn run_metrics(&self) -> &'static [Metric];

    /// Per-team metrics of `teams.csv`, in column order (empty: the model
    /// has no teams).
    fn team_metrics(&self) -> &'static [Metric] {
        &[]
    }

    /// Per-agent columns of `agents.csv`, in column order (empty: the model
    /// records no agents).
    fn agent_columns(&self) -> &'static [Metric] {
        &[]
    }

    /// The name of the column that numbers agents in `agents.csv`.
    fn agent_word(&self) -> &'static str {
        "agent"
    }

    /// The key that sets the length of a run (for `--ticks`).
    fn ticks_key(&self) -> &'static str {
        "ticks"
    }

    /// Teams and agents of a run with `p`.
    fn population(&self, p: &ModelParams) -> Population {
        let _ = p;
        Population::default()
    }

    /// Runs one simulation and returns the run metrics. The ticks `rec`
    /// asks for are appended to `out` (see [`Recorded`]).
    fn simulate(
        &self,
        p: &ModelParams,
        seed: u64,
        rec: Recording<'_>,
        out: &mut Recorded,
    ) -> Vec<f64>;

    /// The rows a run writes to `ticks.csv` when that number is fixed
    /// (`None` when it depends on the run, e.g. a run that stops early).
    fn tick_rows(&self, p: &ModelParams, every: u32) -> Option<u64>;

    /// An estimate of the rows a run writes to `ticks.csv` (for sizes).
    fn estimated_tick_rows(&self, p: &ModelParams, every: u32) -> u64 {
        self.tick_rows(p, every).unwrap_or(0)
    }

    /// Bytes one run holds at once.
    fn memory_per_run(&self, p: &ModelParams) -> u64;

    /// The rules that tie several keys together; `line` gives the line of a
    /// key set in the file, when known.
    fn validate(&self, p: &ModelParams, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
        let _ = (p, line);
        Vec::new()
    }

    /// Tables of the model's own shape that the registry cannot declare
    /// (e.g. arrays of profile tables): their paths.
    fn extra_tables(&self) -> &'static [&'static str] {
        &[]
    }

    /// Reads one of [`Model::extra_tables`] into `p`; problems go to `ctx`.
    fn parse_extra(
        &self,
        path: &str,
        value: &toml::Spanned<toml::de::DeValue<'_>>,
        ctx: &mut crate::params::Ctx,
        p: &mut ModelParams,
    ) {
        let _ = (value, p);
        ctx.problems
            .push(Problem::new(path, None, "this model has no such table"));
    }

    /// The value at a path the registry does not declare (e.g.
    /// `managers.profiles.coach.share`), if the model knows it.
    fn get_extra(&self, p: &ModelParams, path: &str) -> Option<Value> {
        let _ = (p, path);
        None
    }

    /// The kind of a path the registry does not declare: `None` when the
    /// model does not know it, an error saying why when it is malformed.
    fn kind_of_extra(&self, p: &ModelParams, path: &str) -> Option<Result<Kind>> {
        let _ = (p, path);
        None
    }

    /// Sets a path the registry does not declare.
    fn set_extra(&self, p: &mut ModelParams, path: &str, value: &Value) -> Result<()> {
        let _ = (p, value);
        Err(Error::usage(format!("`{path}` is not a scenario key")))
    }

    /// What the model's extra tables take, as Markdown for the parameter
    /// reference.
    fn extra_reference(&self) -> &'static str {
        ""
    }

    /// The model's extra tables as TOML (appended to rendered scenarios).
    fn render_extra(&self, p: &ModelParams) -> String {
        let _ = p;
        String::new()
    }

    /// A copy of `p` to time cheaply for `explain`, and the factor from its
    /// time to a whole run's.
    fn probe(&self, p: &ModelParams) -> (ModelParams, f64) {
        (p.clone(), 1.0)
    }

    /// The paragraph of `explain` about the model's setup; `swept` says
    /// whether a key varies over the design.
    fn describe(&self, p: &ModelParams, swept: &dyn Fn(&str) -> bool) -> String {
        let _ = (p, swept);
        format!("Model: {}.", self.title())
    }

    /// A key to show in examples of sweeps (`profspace new`): by default the
    /// first sweepable real-valued key.
    fn example_key(&self) -> &'static str {
        self.params()
            .iter()
            .find(|p| p.sweepable && matches!(p.kind, Kind::Float { .. }))
            .map_or("", |p| p.path)
    }

    /// The metrics summaries show (empty: every run metric).
    fn key_metrics(&self) -> KeyMetrics {
        KeyMetrics {
            one: &[],
            table: &[],
        }
    }

    /// Lines of a sweep's summary beyond the table of key metrics, read
    /// from `aggregate.csv`.
    fn summary(&self, aggregate: &ResultTable) -> Vec<String> {
        let _ = aggregate;
        Vec::new()
    }

    /// What a team survey measures and which settings explain it (`None`:
    /// the model cannot be diagnosed from a survey).
    fn survey(&self) -> Option<Survey> {
        None
    }

    /// How the explorer presents it (`None`: a plain page from its
    /// parameters and metrics, [`present::Presentation::plain`]).
    fn presentation(&self) -> Option<present::Presentation> {
        None
    }

    /// The charts its results get by default.
    fn charts(&self) -> Charts {
        Charts {
            primary: self.run_metrics().first().map_or("", |m| m.name),
            panels: &[],
            situations: &[],
            profile: ("", &[]),
            time: "tick",
            group: "",
            tradeoff: ("", ""),
        }
    }
}

impl fmt::Debug for dyn Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq for dyn Model {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

/// The models built into the engine; the first is the default.
pub static BUILTIN: [&dyn Model; 2] = [&psm::Psm, &march::March1991];

/// Models registered at run time (e.g. by tests).
static REGISTERED: RwLock<Vec<&'static dyn Model>> = RwLock::new(Vec::new());

/// Adds a model to the registry (a name already taken is ignored).
pub fn register(model: &'static dyn Model) {
    let mut extra = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    let taken = BUILTIN
        .iter()
        .chain(extra.iter())
        .any(|m| m.name() == model.name());
    if !taken {
        extra.push(model);
    }
}

/// Every model: the built-in ones, then the registered ones.
pub fn all() -> Vec<&'static dyn Model> {
    let extra = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    BUILTIN
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

/// The names of every model, for messages and the `model` key.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|m| m.name()).collect()
}

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static dyn Model> {
    all().into_iter().find(|m| m.name() == name)
}

/// The model whose manifest version is `version` (`psm 1.1`), or whose
/// name is `version`.
pub fn find_version(version: &str) -> Option<&'static dyn Model> {
    all()
        .into_iter()
        .find(|m| m.version() == version || m.name() == version)
}

/// The default model.
pub fn default_model() -> &'static dyn Model {
    BUILTIN[0]
}

/// The columns every table shares, for the glossary: (name, meaning).
pub const ID_COLUMNS: [(&str, &str); 8] = [
    (
        "run",
        "run id: point · replications + replicate (point · max_replications + replicate with a [sweep] target_ci95)",
    ),
    (
        "point",
        "design point (design.csv, runs.csv, ticks.csv, aggregate.csv)",
    ),
    (
        "replicate",
        "replicate number; replicate r has the same random numbers at every point",
    ),
    (
        "seed",
        "the run's seed, derived from the master seed and the replicate (docs/ODD.md §4)",
    ),
    ("tick", "tick (period, for march1991) of a row of ticks.csv"),
    (
        "condition",
        "label of a named condition of the sweep ([[sweep.conditions]])",
    ),
    ("team", "team number (teams.csv, agents.csv)"),
    (
        "professional",
        "place of a professional, 0 … N − 1; a hire takes the place of the one who left (agents.csv)",
    ),
];

/// One line per metric of every model, as `profspace metrics` prints them.
pub fn metrics_table() -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for model in all() {
        let _ = writeln!(out, "model = \"{}\"", model.name());
        let _ = writeln!(
            out,
            "  {:<21} {:<22} {:<16} {:<17} meaning",
            "column", "unit", "scale", "direction"
        );
        for m in model.run_metrics() {
            let _ = writeln!(
                out,
                "  {:<21} {:<22} {:<16} {:<17} {} [{}]",
                m.name,
                m.unit.word(),
                m.scale,
                m.direction.word(),
                m.meaning,
                m.defined_in
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "columns of every table:");
    for (name, meaning) in ID_COLUMNS {
        let _ = writeln!(out, "  {name:<21} {meaning}");
    }
    let _ = writeln!(
        out,
        "  <parameter path>      value of a swept (or condition-set) parameter at the design point (e.g. managers.focus)\n\
         \naggregate.csv has, per metric M, M_mean, M_sd and M_ci95 (mean, standard deviation\n\
         and 95% confidence half-width over the replicates of a design point)."
    );
    out
}

/// Rows of a glossary table.
fn markdown_rows<'a>(out: &mut String, metrics: impl IntoIterator<Item = &'a Metric>) {
    use std::fmt::Write;
    for m in metrics {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            m.name,
            m.meaning.replace('|', "\\|"),
            m.unit.word(),
            m.scale,
            m.direction.word(),
            m.defined_in
        );
    }
}

/// The metrics glossary as Markdown (`docs/metrics.md`, `profspace metrics
/// --markdown`).
pub fn metrics_markdown() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Metrics glossary\n\n\
         Generated by `profspace metrics --markdown` from the models' metric tables \
         (one table per model, in `src/model/*/metrics.rs`); a test keeps this file equal \
         to them.\n\n\
         Every metric is a column of `runs.csv` (one row per run) and, except \
         `settle_tick` and March's end-of-run metrics, of `ticks.csv` (one row per recorded \
         tick). In `runs.csv` a level or share is its mean over the final window (the last \
         fifth of the ticks), a count is its final value. `aggregate.csv` has, per metric \
         M, the columns `M_mean`, `M_sd` and `M_ci95`: the mean over the replicates of a \
         design point, their standard deviation and the half-width of the 95% confidence \
         interval of the mean.\n",
    );
    for model in BUILTIN {
        let _ = write!(
            out,
            "\n## `model = \"{}\"`\n\n| column | meaning | unit | scale | direction | defined in |\n|---|---|---|---|---|---|\n",
            model.name()
        );
        markdown_rows(&mut out, model.run_metrics());
        let extra = [
            (
                "teams.csv",
                "one row per run, recorded tick and team (`[output] teams_every`): `run,point,replicate,tick,team`, then",
                model.team_metrics(),
            ),
            (
                "agents.csv",
                "one row per run, recorded tick and professional (`[output] agents_at`): `run,point,replicate,tick,team,professional`, then",
                model.agent_columns(),
            ),
        ];
        for (file, what, columns) in extra {
            if columns.is_empty() {
                continue;
            }
            let names: Vec<String> = columns.iter().map(|m| format!("`{}`", m.name)).collect();
            let _ = writeln!(out, "\n`{file}`: {what} {}.", names.join(", "));
            if file == "agents.csv" {
                out.push_str("\n| column | meaning | unit | scale | direction | defined in |\n|---|---|---|---|---|---|\n");
                markdown_rows(&mut out, columns);
            } else {
                out.push_str(
                    "The tick metrics are computed over the team: means over its professionals, its \
                     manager's values, counts of its own events.",
                );
                let new: Vec<&Metric> = columns
                    .iter()
                    .filter(|c| !model.tick_metrics().iter().any(|t| t.name == c.name))
                    .collect();
                if !new.is_empty() {
                    out.push_str(" The others:\n\n| column | meaning | unit | scale | direction | defined in |\n|---|---|---|---|---|---|\n");
                    markdown_rows(&mut out, new);
                } else {
                    out.push('\n');
                }
            }
        }
    }
    out.push_str("\n## Columns of every table\n\n| column | meaning |\n|---|---|\n");
    for (name, meaning) in ID_COLUMNS {
        let _ = writeln!(out, "| `{name}` | {meaning} |");
    }
    out.push_str("| *parameter path* | the value of a parameter at the design point, e.g. `managers.focus`: the swept ones, then those named conditions set (manifest.json lists them as `design.columns` and `design.resolved`); a plain run lists every model key |\n");
    out
}
