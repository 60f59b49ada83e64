//! The command line's shape (clap): every command with exactly the flags it
//! uses, so that a flag a command would ignore is a usage error.

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
    /// Output folder [default: output/<scenario name>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results are identical for any value
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Finish an interrupted run or sweep in the output folder (or start it)
    #[arg(long)]
    pub resume: bool,
    /// Discard an unfinished run or sweep in the output folder and start over
    #[arg(long, conflicts_with = "resume")]
    pub fresh: bool,
    /// Replace the finished results of another scenario, or files profspace did not write, in --out
    #[arg(long, conflicts_with = "resume")]
    pub overwrite: bool,
    /// Write no per-tick table (ticks.csv); the per-run results are the same
    #[arg(long)]
    pub no_ticks: bool,
    /// Do not draw the charts at the end
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario's replications (the built-in default scenario without a file)
    Run {
        /// Scenario file (TOML) [default: the built-in scenarios/default.toml]
        scenario: Option<PathBuf>,
        /// Master seed, overriding the scenario's
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        #[command(flatten)]
        exec: Exec,
    },
    /// Run a parameter sweep: every design point × replications, in parallel
    Sweep {
        /// Scenario file (TOML) with a [sweep] section
        scenario: PathBuf,
        /// Run only the runs with run % N == K (for clusters); merge the folders after
        #[arg(long, value_name = "K/N")]
        shard: Option<Shard>,
        /// Print the design and the number of runs, then stop
        #[arg(long)]
        dry_run: bool,
        /// Master seed, overriding the scenario's
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        #[command(flatten)]
        exec: Exec,
    },
    /// Run a scenario's [sensitivity] analysis (Morris or Sobol') and write sensitivity.csv
    Sensitivity {
        /// Scenario file (TOML) with a [sensitivity] section
        scenario: PathBuf,
        /// Master seed, overriding the scenario's
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        #[command(flatten)]
        exec: Exec,
    },
    /// Write a Slurm job array (one task per shard) and a merge job for a sweep
    Slurm {
        /// Scenario file (TOML)
        scenario: PathBuf,
        /// Number of shards (array tasks)
        #[arg(long, value_name = "N")]
        shards: u64,
        /// Partition to submit to
        #[arg(long, value_name = "P")]
        partition: Option<String>,
        /// Wall time per task
        #[arg(long, value_name = "HH:MM:SS", default_value = "01:00:00")]
        time: String,
        /// CPUs per task (each shard uses that many threads)
        #[arg(long, value_name = "C", default_value_t = 1)]
        cpus_per_task: u32,
        /// Memory per task
        #[arg(long, value_name = "M", default_value = "2G")]
        mem: String,
        /// Submit with sbatch right away (sbatch must be on the PATH)
        #[arg(long)]
        submit: bool,
        /// Folder for the job files [default: output/<scenario name>-slurm]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Join the folders of a sharded sweep into one (byte-identical to an unsharded sweep)
    Merge {
        /// Shard folders
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The folder to write the merged sweep into (a new one)
        #[arg(long, value_name = "DIR", required = true)]
        out: PathBuf,
        /// Replace the finished results of another scenario, or files profspace did not write, in --out
        #[arg(long)]
        overwrite: bool,
        /// Do not draw the charts at the end
        #[arg(long)]
        no_plots: bool,
    },
    /// Draw the charts of a result folder from its CSV files (into DIR/plots/)
    Plot {
        /// Result folder (aggregate.csv, design.csv, ticks.csv …)
        dir: PathBuf,
        /// Image format
        #[arg(long, value_enum, default_value_t = PlotFormat::Png)]
        format: PlotFormat,
        /// Metric for heatmaps, comparisons, lines, scatters and contrasts (repeatable), also drawn over time (timeseries_<metric>) and, for a state of agents.csv, as violins (distribution_<state>) [default: the model's main metric]
        #[arg(long = "metric", value_name = "NAME")]
        metrics: Vec<String>,
        /// Parameter on the x axis (lines; a heatmap when --y is a parameter too)
        #[arg(long, value_name = "PATH")]
        x: Option<String>,
        /// Metric on the y axis (lines), or a parameter (heatmap over --x × --y)
        #[arg(long, value_name = "METRIC|PATH")]
        y: Option<String>,
        /// Parameter that groups the series: one line per value, colours, heatmap panels
        #[arg(long, value_name = "PATH")]
        by: Option<String>,
        /// Folder for the charts [default: DIR/plots]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Validate a scenario and print it with every value resolved
    Check {
        /// Scenario file (TOML)
        scenario: PathBuf,
    },
    /// Say in plain words what a scenario will do, how long it takes and how much it writes
    Explain {
        /// Scenario file (TOML)
        scenario: PathBuf,
        /// Output folder the runs would write to [default: output/<scenario name>]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Worker threads the estimate assumes [default: all cores]
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
    },
    /// Write a commented scenario file to start from (NAME.toml)
    New {
        /// Name of the new scenario (the file is NAME.toml in the current folder)
        name: String,
        /// Start from this scenario instead of the defaults
        #[arg(long, value_name = "SCENARIO")]
        from: Option<PathBuf>,
    },
    /// List every scenario parameter: key, default, allowed values, meaning
    Params {
        /// Print the Markdown reference (docs/parameters.md)
        #[arg(long)]
        markdown: bool,
    },
    /// List every output column of every model: meaning, unit, scale, direction
    Metrics {
        /// Print the Markdown glossary (docs/metrics.md)
        #[arg(long)]
        markdown: bool,
    },
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
