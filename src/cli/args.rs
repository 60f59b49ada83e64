//! The command line's shape (clap): every command with exactly the flags it
//! uses, so that a flag a command would ignore is a usage error. Each
//! command's flags are one struct (`RunArgs`, `SweepArgs`, …) whose `run`
//! method does the command: in `commands.rs`, or in the command's own
//! module (`calibrate.rs`, `diagnose.rs`, `analyse.rs`).

use clap::{Args, Parser, Subcommand};
use profspace::sweep::Shard;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "profspace",
    version,
    about = "Agent-based simulation of professional space: where management and profession meet",
    long_about = "Agent-based simulation of professional space: where management and profession meet.\n\n\
        Without a command, runs the flagship experiment (scenarios/regimes.toml, built in): \
        zero-sum control/autonomy against freedom/safety pairings over a focus × connection grid, \
        and writes CSV tables and charts under output/regimes/.",
    after_help = "Exit codes: 0 success, 1 internal error, 2 user error, 3 some runs failed, 130 interrupted.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the flagship experiment (no command)
    #[command(flatten)]
    pub flagship: Exec,
}

/// Where and how runs execute (run, sweep, sensitivity, the flagship).
#[derive(Args, Debug, Clone, Default)]
pub struct Exec {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Write no per-tick table (ticks.csv); the per-run results are the same
    #[arg(long)]
    pub no_ticks: bool,
    /// Table format, overriding [output] format: csv, or parquet to add typed
    /// Parquet copies of runs, ticks, teams and agents
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "parquet"])]
    pub format: Option<String>,
}

/// The output folder, the threads, and what to do with what the folder
/// holds (run, sweep, sensitivity, calibrate, the flagship).
#[derive(Args, Debug, Clone, Default)]
pub struct FolderArgs {
    /// Output folder [default: output/<scenario name>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results are identical for any value
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Finish an interrupted run, sweep or calibration in the output folder (or start it)
    #[arg(long)]
    pub resume: bool,
    /// Discard unfinished work in the output folder and start over
    #[arg(long, conflicts_with = "resume")]
    pub fresh: bool,
    /// Replace the finished results of another scenario, or files profspace did not write, in --out
    #[arg(long, conflicts_with = "resume")]
    pub overwrite: bool,
    /// Do not draw the charts at the end
    #[arg(long)]
    pub no_plots: bool,
}

/// Scenario values from the command line, read after the file with the
/// same checks (run, sweep, sensitivity, slurm, check, explain).
#[derive(Args, Debug, Clone, Default)]
pub struct Overrides {
    /// Set a scenario key, overriding the file (repeatable), e.g. --set managers.focus=0.7
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Master seed, overriding the scenario's
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Ticks (periods) per run, overriding the scenario's
    #[arg(long, value_name = "N")]
    pub ticks: Option<u64>,
    /// Replications per design point, overriding the scenario's (and its [sweep]'s)
    #[arg(long, value_name = "N")]
    pub replications: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario's replications (the built-in default scenario without a file)
    Run(RunArgs),
    /// Run a parameter sweep: every design point × replications, in parallel
    Sweep(SweepArgs),
    /// Run a scenario's [sensitivity] analysis (Morris or Sobol') and write sensitivity.csv
    Sensitivity(SensitivityArgs),
    /// Calibrate: which values of the [calibrate.priors] keys explain the observed [calibrate.targets] (ABC-SMC)
    Calibrate(CalibrateArgs),
    /// Diagnose each team of a survey: its manager's levers and the coupling, inferred from the team's five windows (a calibration per team)
    Diagnose(DiagnoseArgs),
    /// Which lever to pull: each lever moved up and down on the posterior of a calibration or of each team of a diagnosis (writes DIR/advice.csv)
    Advise(AdviseArgs),
    /// Run one run of a finished sweep again, with its exact seed and parameters, recording more of it
    Replay(ReplayArgs),
    /// Write a Slurm job array (one task per shard) and a merge job for a sweep
    Slurm(SlurmArgs),
    /// Join the folders of a sharded sweep into one (byte-identical to an unsharded sweep)
    Merge(MergeArgs),
    /// Draw the charts of a result folder from its CSV files (into DIR/plots/)
    Plot(PlotArgs),
    /// Paired contrasts: every level of a design parameter against a baseline, over the paired replicates (writes DIR/contrasts.csv)
    Compare(CompareArgs),
    /// Scenario discovery (PRIM): the boxes of the design's parameters where an outcome lives (writes DIR/discover*.csv)
    Discover(DiscoverArgs),
    /// Validate a scenario and print it with every value resolved
    Check(CheckArgs),
    /// Say in plain words what a scenario will do, how long it takes and how much it writes
    Explain(ExplainArgs),
    /// Write a commented scenario file to start from (NAME.toml)
    New(NewArgs),
    /// List every scenario parameter: key, default, allowed values, meaning (or one key in full)
    Params(ParamsArgs),
    /// List every output column of every model: meaning, unit, scale, direction
    Metrics(MetricsArgs),
    /// Serve the explorer: a local web page to move the levers and watch runs live
    Serve(ServeArgs),
}

/// `profspace run`: a scenario's replications.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML) [default: the built-in scenarios/default.toml]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub set: Overrides,
    #[command(flatten)]
    pub exec: Exec,
}

/// `profspace sweep`: every design point of a `[sweep]` × its replications.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (TOML) with a [sweep] section
    pub scenario: PathBuf,
    /// Run only the runs with run % N == K (for clusters); merge the folders after
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Print the design and the number of runs, then stop
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub set: Overrides,
    #[command(flatten)]
    pub exec: Exec,
}

/// `profspace sensitivity`: a scenario's `[sensitivity]` analysis.
#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// Scenario file (TOML) with a [sensitivity] section
    pub scenario: PathBuf,
    #[command(flatten)]
    pub set: Overrides,
    #[command(flatten)]
    pub exec: Exec,
}

/// `profspace calibrate`: ABC-SMC on a scenario's `[calibrate]` section.
#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Scenario file (TOML) with a [calibrate] section
    pub scenario: PathBuf,
    #[command(flatten)]
    pub set: Overrides,
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// `profspace diagnose`: a calibration per team of a survey.
#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// The survey: one row per team, columns team,respondents,purpose,identity,box,drive,meaning (and <window>_sd)
    pub survey: PathBuf,
    /// Scenario the teams start from (model settings; its [calibrate] gives the settings and priors) [default: the built-in defaults]
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// The scores' scale, mapped linearly to 0–1 (1:5 for the means of 5-point items) [default: 0:1]
    #[arg(long, value_name = "LO:HI")]
    pub scale: Option<profspace::calibrate::survey::Scale>,
    #[command(flatten)]
    pub set: Overrides,
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// `profspace advise`: each lever moved on the posterior of a calibration or a diagnosis.
#[derive(Args, Debug)]
pub struct AdviseArgs {
    /// Folder of a finished calibration or diagnosis
    pub dir: PathBuf,
    /// How far each lever moves, up and down
    #[arg(long, value_name = "X", default_value_t = 0.1)]
    pub step: f64,
    /// The outcome to improve [default: the model's, essential]
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Draws from each posterior (each runs every move paired with the unmoved draw)
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub draws: u32,
    /// Worker threads [default: all cores]; results are identical for any value
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not draw the chart
    #[arg(long)]
    pub no_plots: bool,
}

/// `profspace replay`: one run of a finished folder again, recording more of it.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Folder of a finished run, sweep or calibration
    pub dir: PathBuf,
    /// The run to replay: the `run` column of runs.csv; for a
    /// calibration, the row of particles.csv (from 0)
    #[arg(long, value_name = "N")]
    pub run: u64,
    /// Write every K-th tick to ticks.csv [default: as the original]
    #[arg(long, value_name = "K")]
    pub ticks_every: Option<u32>,
    /// Write every K-th tick of every team to teams.csv [default: as the original]
    #[arg(long, value_name = "K")]
    pub teams_every: Option<u32>,
    /// Ticks whose professionals go to agents.csv, e.g. 0,100,200 [default: as the original]
    #[arg(long, value_name = "T,…", value_delimiter = ',')]
    pub agents_at: Option<Vec<u32>>,
    /// Output folder [default: DIR-replay-N beside DIR]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the finished results of another scenario, or files profspace did not write, in --out
    #[arg(long)]
    pub overwrite: bool,
    /// Do not draw the charts at the end
    #[arg(long)]
    pub no_plots: bool,
}

/// `profspace slurm`: a Slurm job array and a merge job for a sweep.
#[derive(Args, Debug)]
pub struct SlurmArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    /// Number of shards (array tasks)
    #[arg(long, value_name = "N")]
    pub shards: u64,
    /// Partition to submit to
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Wall time per task
    #[arg(long, value_name = "HH:MM:SS", default_value = "01:00:00")]
    pub time: String,
    /// CPUs per task (each shard uses that many threads)
    #[arg(long, value_name = "C", default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Memory per task
    #[arg(long, value_name = "M", default_value = "2G")]
    pub mem: String,
    /// Submit with sbatch right away (sbatch must be on the PATH)
    #[arg(long)]
    pub submit: bool,
    /// Folder for the job files [default: output/<scenario name>-slurm]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub set: Overrides,
}

/// `profspace merge`: the folders of a sharded sweep joined into one.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard folders
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The folder to write the merged sweep into (a new one)
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// Replace the finished results of another scenario, or files profspace did not write, in --out
    #[arg(long)]
    pub overwrite: bool,
    /// Do not draw the charts at the end
    #[arg(long)]
    pub no_plots: bool,
}

/// `profspace plot`: the charts of a result folder.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Result folder (aggregate.csv, design.csv, ticks.csv …)
    pub dir: PathBuf,
    /// Image format
    #[arg(long, value_enum, default_value_t = PlotFormat::Png)]
    pub format: PlotFormat,
    /// Metric for heatmaps, comparisons, lines, scatters and contrasts (repeatable), also drawn over time (timeseries_<metric>) and, for a state of agents.csv, as violins (distribution_<state>) [default: the model's main metric]
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Parameter on the x axis (lines; a heatmap when --y is a parameter too)
    #[arg(long, value_name = "PATH")]
    pub x: Option<String>,
    /// Metric on the y axis (lines), or a parameter (heatmap over --x × --y)
    #[arg(long, value_name = "METRIC|PATH")]
    pub y: Option<String>,
    /// Parameter that groups the series: one line per value, colours, heatmap panels
    #[arg(long, value_name = "PATH")]
    pub by: Option<String>,
    /// Folder for the charts [default: DIR/plots]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `profspace compare`: paired contrasts of a design parameter's levels.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Result folder of a finished sweep
    pub dir: PathBuf,
    /// The design parameter whose levels are compared (e.g. coupling, condition, managers.focus)
    #[arg(long, value_name = "PARAM")]
    pub by: String,
    /// The level the others are compared against [default: the first in the design]
    #[arg(long, value_name = "VALUE")]
    pub baseline: Option<String>,
    /// Metric to compare (repeatable) [default: the model's main metric]
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Do not draw the forest plots
    #[arg(long)]
    pub no_plots: bool,
}

/// `profspace discover`: scenario discovery (PRIM) in a finished sweep.
#[derive(Args, Debug)]
pub struct DiscoverArgs {
    /// Result folder of a finished sweep (many design points, e.g. scenarios/discovery.toml)
    pub dir: PathBuf,
    /// The metric that defines the cases of interest (e.g. integrated)
    #[arg(long, value_name = "NAME")]
    pub metric: String,
    /// Cases of interest: the metric is at least X
    #[arg(
        long,
        value_name = "X",
        allow_hyphen_values = true,
        required_unless_present = "below",
        conflicts_with = "below"
    )]
    pub above: Option<f64>,
    /// Cases of interest: the metric is at most X
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub below: Option<f64>,
    /// The density (share of cases of interest) the chosen box must reach
    #[arg(long, value_name = "D", default_value_t = 0.8)]
    pub density: f64,
    /// Boxes to find: each next box looks at the points outside the earlier ones
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub boxes: usize,
    /// One row per run instead of one per design point (the mean over its replicates)
    #[arg(long)]
    pub per_run: bool,
    /// Take this step of box 1's trajectory (see discover_trajectory.csv) instead of the default choice
    #[arg(long, value_name = "N")]
    pub step: Option<usize>,
    /// Rerun on R bootstrap resamples and report how often each parameter is restricted
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub resample: usize,
    /// How peeling candidates are scored
    #[arg(long, value_enum, default_value_t = PrimObjective::Original)]
    pub objective: PrimObjective,
    /// Do not draw the charts
    #[arg(long)]
    pub no_plots: bool,
}

/// `profspace check`: a scenario validated and printed resolved.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub set: Overrides,
}

/// `profspace explain`: what a scenario would do, in words.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    /// Output folder the runs would write to [default: output/<scenario name>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads the estimate assumes [default: all cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub set: Overrides,
}

/// `profspace new`: a commented scenario file to start from.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// Name of the new scenario (the file is NAME.toml in the current folder)
    pub name: String,
    /// Start from this scenario instead of the defaults
    #[arg(long, value_name = "SCENARIO")]
    pub from: Option<PathBuf>,
}

/// `profspace params`: the scenario keys, or one key in full.
#[derive(Args, Debug)]
pub struct ParamsArgs {
    /// One key to show in full, e.g. managers.focus
    pub key: Option<String>,
    /// Print the Markdown reference (docs/parameters.md)
    #[arg(long)]
    pub markdown: bool,
}

/// `profspace metrics`: the output columns of every model.
#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Print the Markdown glossary (docs/metrics.md)
    #[arg(long)]
    pub markdown: bool,
}

/// `profspace serve`: the explorer.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The scenario a new tab starts from [default: the explorer's own, a
    /// professional-space scenario]; any model's scenario with one
    /// replicate and no [sweep]
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Port to listen on (0 picks a free one) [default: 8765, or a free one when taken]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Address to listen on; only this computer can reach the default
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Do not open a browser
    #[arg(long)]
    pub no_open: bool,
}

/// The scores of PRIM's peeling candidates.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PrimObjective {
    /// The density of the box after the peel (Friedman and Fisher's original)
    Original,
    /// The gain in density per point removed (EMA Workbench's default)
    Lenient1,
    /// Lenient1 times the points left in the box
    Lenient2,
}

impl From<PrimObjective> for profspace::analysis::prim::Objective {
    fn from(o: PrimObjective) -> Self {
        match o {
            PrimObjective::Original => Self::Original,
            PrimObjective::Lenient1 => Self::Lenient1,
            PrimObjective::Lenient2 => Self::Lenient2,
        }
    }
}

/// Image formats of `profspace plot`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PlotFormat {
    Png,
    Svg,
    Both,
}

impl From<PlotFormat> for profspace::plot::Format {
    fn from(f: PlotFormat) -> Self {
        match f {
            PlotFormat::Png => Self::Png,
            PlotFormat::Svg => Self::Svg,
            PlotFormat::Both => Self::Both,
        }
    }
}
