//! The command line: parse arguments (clap), call the library, report one
//! error at the top and exit with a code that says what happened:
//! 0 success, 1 internal error, 2 user error (bad scenario, bad arguments,
//! an output folder in the way), 3 some runs failed, 130 interrupted.

/// `println!` that ends the process quietly when stdout is closed (e.g.
/// `profspace params | head`), instead of panicking on a broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, $($arg)*) {
            $crate::cli::stdout_failed(e);
        }
    }};
}

/// `print!` with the same handling of a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if let Err(e) = write!(out, $($arg)*) {
            $crate::cli::stdout_failed(e);
        }
    }};
}

/// A failed write to stdout: a closed pipe ends the process with success
/// (the reader has what it wanted); anything else is reported.
pub(crate) fn stdout_failed(e: std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(exit::OK);
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(exit::INTERNAL);
}

mod explain;
mod progress;
mod report;
mod slurm;

use crate::scenario::{self, Limits, Scenario, ScenarioError};
use crate::sweep::{self, Options, Plan, Shard};
use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit codes.
pub mod exit {
    /// Everything worked.
    pub const OK: i32 = 0;
    /// A bug or an unexpected failure of the machine.
    pub const INTERNAL: i32 = 1;
    /// The user asked for something that cannot be done as asked.
    pub const USER: i32 = 2;
    /// Some runs failed (recorded in failures.csv); the rest is written.
    pub const RUNS_FAILED: i32 = 3;
    /// Stopped by Ctrl-C; `--resume` continues.
    pub const INTERRUPTED: i32 = 130;
}

/// An error the user can act on (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

fn user(msg: impl Into<String>) -> anyhow::Error {
    UserError(msg.into()).into()
}

#[derive(Parser, Debug)]
#[command(
    name = "profspace",
    version,
    about = "Agent-based simulation of professional space: where management and profession meet",
    long_about = "Agent-based simulation of professional space: where management and profession meet.\n\n\
        Without a command, runs the flagship experiment (scenarios/regimes.toml, built in): \
        zero-sum control/autonomy against freedom/safety pairings over a focus × connection grid, \
        and writes CSV tables and charts under output/regimes/.",
    after_help = "Exit codes: 0 success, 1 internal error, 2 user error, 3 some runs failed, 130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    exec: ExecArgs,
}

#[derive(Args, Debug, Clone, Default)]
struct ExecArgs {
    /// Output folder [default: output/<scenario name>]
    #[arg(long, value_name = "DIR", global = true)]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results are identical for any value
    #[arg(long, value_name = "N", global = true)]
    threads: Option<usize>,
    /// Finish an interrupted run or sweep in the output folder (or start it)
    #[arg(long, global = true)]
    resume: bool,
    /// Discard an unfinished run or sweep in the output folder and start over
    #[arg(long, global = true, conflicts_with = "resume")]
    fresh: bool,
    /// Do not draw the charts at the end
    #[arg(long, global = true)]
    no_plots: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario's replications (the built-in default scenario without a file)
    Run {
        /// Scenario file (TOML) [default: the built-in scenarios/default.toml]
        scenario: Option<PathBuf>,
        /// Master seed, overriding the scenario's
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
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
    },
    /// Run a scenario's [sensitivity] analysis (Morris or Sobol') and write sensitivity.csv
    Sensitivity {
        /// Scenario file (TOML) with a [sensitivity] section
        scenario: PathBuf,
        /// Master seed, overriding the scenario's
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
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
    },
    /// Join the folders of a sharded sweep into one (byte-identical to an unsharded sweep)
    Merge {
        /// Shard folders
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Draw the charts of a result folder from its CSV files (into DIR/plots/)
    Plot {
        /// Result folder (aggregate.csv, design.csv, ticks.csv …)
        dir: PathBuf,
        /// Image format
        #[arg(long, value_enum, default_value_t = PlotFormat::Png)]
        format: PlotFormat,
        /// Metric for heatmaps, comparisons, lines and time-series panels (repeatable) [default: essential, else the first]
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
enum PlotFormat {
    Png,
    Svg,
    Both,
}

impl From<PlotFormat> for crate::plot::Format {
    fn from(f: PlotFormat) -> Self {
        match f {
            PlotFormat::Png => Self::Png,
            PlotFormat::Svg => Self::Svg,
            PlotFormat::Both => Self::Both,
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USER } else { exit::OK };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = classify(&e);
            if code == exit::INTERNAL {
                eprintln!(
                    "error: {e:#}\n(this looks like a bug in profspace; please report it with the command line above)"
                );
            } else {
                eprintln!("error: {e:#}");
            }
            code
        }
    }
}

/// The exit code an error deserves.
fn classify(e: &anyhow::Error) -> i32 {
    for cause in e.chain() {
        if let Some(p) = cause.downcast_ref::<crate::plot::PlotError>() {
            return if crate::plot::is_user_error(p) {
                exit::USER
            } else {
                exit::INTERNAL
            };
        }
        if cause.is::<UserError>()
            || cause.is::<ScenarioError>()
            || cause.is::<sweep::FolderError>()
        {
            return exit::USER;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                PermissionDenied
                    | NotFound
                    | StorageFull
                    | FileTooLarge
                    | ReadOnlyFilesystem
                    | AlreadyExists
                    | NotADirectory
                    | IsADirectory
                    | QuotaExceeded
            ) {
                return exit::USER;
            }
        }
    }
    exit::INTERNAL
}

fn threads(n: Option<usize>) -> Result<usize> {
    match n {
        Some(0) => Err(user("--threads must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// Loads a scenario file or an embedded one, applying a seed override.
fn load(
    path: Option<&Path>,
    embedded: (&str, &str),
    seed: Option<u64>,
    concurrent: usize,
) -> Result<Scenario> {
    let limits = Limits::detect(concurrent as u64);
    let mut s = match path {
        Some(p) => Scenario::load(p, &limits)?,
        None => Scenario::from_toml_with(
            embedded.0,
            &format!("<built-in {}.toml>", embedded.1),
            embedded.1,
            &limits,
        )?,
    };
    if let Some(seed) = seed {
        if seed > i64::MAX as u64 {
            return Err(user(format!(
                "--seed {seed} is too large; the largest seed is {}",
                i64::MAX
            )));
        }
        s.seed = seed;
    }
    Ok(s)
}

fn dispatch(cli: Cli) -> Result<i32> {
    let exec = cli.exec.clone();
    match cli.command {
        None => {
            let n = threads(exec.threads)?;
            let s = load(None, (scenario::FLAGSHIP_SCENARIO, "regimes"), None, n)?;
            let code = execute(&s, None, &exec, "sweep")?;
            if code == exit::OK {
                let out = out_dir(&exec, &s);
                report::compare_couplings(&out)?;
            }
            Ok(code)
        }
        Some(Command::Run { scenario, seed }) => {
            let n = threads(exec.threads)?;
            let s = load(
                scenario.as_deref(),
                (scenario::DEFAULT_SCENARIO, "default"),
                seed,
                n,
            )?;
            execute(&s, None, &exec, "run")
        }
        Some(Command::Sweep {
            scenario,
            shard,
            dry_run,
            seed,
        }) => {
            let n = threads(exec.threads)?;
            let s = load(Some(&scenario), ("", ""), seed, n)?;
            if dry_run {
                report::dry_run(&Plan::new(&s, shard));
                return Ok(exit::OK);
            }
            execute(&s, shard, &exec, "sweep")
        }
        Some(Command::Sensitivity { scenario, seed }) => {
            let n = threads(exec.threads)?;
            let s = load(Some(&scenario), ("", ""), seed, n)?;
            if s.sensitivity.is_none() {
                return Err(user(format!(
                    "{} has no [sensitivity] section; see scenarios/sensitivity.toml for one",
                    scenario.display()
                )));
            }
            let code = execute(&s, None, &exec, "sensitivity")?;
            if code == exit::OK {
                let out = out_dir(&exec, &s);
                if !out.join("sensitivity.csv").is_file() {
                    crate::sweep::write_indices(&out, &Plan::new(&s, None))?;
                }
                report::sensitivity(&out)?;
            }
            Ok(code)
        }
        Some(Command::Slurm {
            scenario,
            shards,
            partition,
            time,
            cpus_per_task,
            mem,
            submit,
        }) => {
            let s = load(
                Some(&scenario),
                ("", ""),
                None,
                cpus_per_task.max(1) as usize,
            )?;
            let total = Plan::new(&s, None).total_runs();
            if shards == 0 || shards > total {
                return Err(user(format!(
                    "--shards {shards}: choose from 1 to {total} (the number of runs)"
                )));
            }
            if !slurm::valid_time(&time) {
                return Err(user(format!(
                    "--time {time}: write HH:MM:SS (or D-HH:MM:SS), e.g. 02:00:00"
                )));
            }
            if cpus_per_task == 0 {
                return Err(user("--cpus-per-task must be at least 1"));
            }
            let dir = exec
                .out
                .clone()
                .unwrap_or_else(|| Path::new("output").join(format!("{}-slurm", s.name)));
            let binary = std::env::current_exe()
                .map_err(|e| user(format!("cannot find the profspace binary: {e}")))?;
            let opts = slurm::SlurmOptions {
                shards,
                partition,
                time,
                cpus_per_task,
                mem,
                dir: dir.clone(),
            };
            let files = slurm::generate(&s, &binary, &opts)?;
            eprintln!(
                "wrote {} files into {} ({total} runs in {shards} shards); see README.md there",
                files.len(),
                dir.display()
            );
            if submit {
                let status = std::process::Command::new("bash")
                    .arg(dir.join("submit.sh"))
                    .status()
                    .map_err(|e| user(format!("cannot run submit.sh: {e}")))?;
                if !status.success() {
                    return Err(user(
                        "sbatch refused the jobs (see above); is sbatch on the PATH?",
                    ));
                }
            } else {
                eprintln!("submit with: {}", dir.join("submit.sh").display());
            }
            Ok(exit::OK)
        }
        Some(Command::Merge { dirs }) => {
            let Some(out) = exec.out.clone() else {
                bail!(UserError(
                    "merge needs --out DIR: the folder to write the merged sweep into".into()
                ));
            };
            if dirs.iter().any(|d| d == &out) {
                return Err(user("--out must be a new folder, not one of the shards"));
            }
            let runs = sweep::merge(&dirs, &out, command_line())?;
            eprintln!(
                "merged {} shard folders: {runs} runs into {}",
                dirs.len(),
                out.display()
            );
            draw_charts(&out, &exec);
            Ok(exit::OK)
        }
        Some(Command::Plot {
            dir,
            format,
            metrics,
            x,
            y,
            by,
        }) => {
            let opts = crate::plot::PlotOptions {
                format: format.into(),
                metrics,
                x,
                y,
                by,
            };
            let files = crate::plot::plot_dir(&dir, &opts)?;
            eprintln!("{} charts in {}:", files.len(), dir.join("plots").display());
            for f in files {
                eprintln!("  {}", f.display());
            }
            Ok(exit::OK)
        }
        Some(Command::Check { scenario }) => {
            let s = load(Some(&scenario), ("", ""), None, 1)?;
            out!("{}", scenario::render_resolved(&s));
            let plan = Plan::new(&s, None);
            eprintln!(
                "{} is valid: {} design point{} × {} replications = {} runs",
                scenario.display(),
                plan.design.len(),
                if plan.design.len() == 1 { "" } else { "s" },
                plan.replications,
                plan.total_runs()
            );
            Ok(exit::OK)
        }
        Some(Command::Explain { scenario }) => {
            let n = threads(exec.threads)?;
            let s = load(Some(&scenario), ("", ""), None, n)?;
            out!(
                "{}",
                explain::explain(&scenario.display().to_string(), &s, n)
            );
            Ok(exit::OK)
        }
        Some(Command::New { name, from }) => {
            let stem = name.strip_suffix(".toml").unwrap_or(&name);
            let file_name = Path::new(stem)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            if let Some(problem) = scenario::name_problem(&file_name) {
                return Err(user(format!(
                    "cannot use `{name}` as a scenario name: {problem}"
                )));
            }
            let path = PathBuf::from(format!("{stem}.toml"));
            if path.exists() {
                return Err(user(format!(
                    "{} exists already; choose another name or delete it",
                    path.display()
                )));
            }
            let base = match &from {
                Some(f) => Some((f.display().to_string(), load(Some(f), ("", ""), None, 1)?)),
                None => None,
            };
            let text = explain::new_file(&file_name, base.as_ref().map(|(o, s)| (o.as_str(), s)));
            crate::output::write_atomic(&path, text.as_bytes())?;
            eprintln!(
                "wrote {}; run it with: profspace run {}",
                path.display(),
                path.display()
            );
            Ok(exit::OK)
        }
        Some(Command::Metrics { markdown }) => {
            if markdown {
                out!("{}", crate::model::metrics_markdown());
            } else {
                out!("{}", crate::model::metrics_table());
            }
            Ok(exit::OK)
        }
        Some(Command::Params { markdown }) => {
            if markdown {
                out!("{}", scenario::params::reference_markdown());
            } else {
                report::params_table();
            }
            Ok(exit::OK)
        }
    }
}

/// Draws the charts of a finished folder unless `--no-plots`; a failure to
/// draw is a warning (the results are written).
fn draw_charts(out: &Path, exec: &ExecArgs) {
    if exec.no_plots {
        return;
    }
    match crate::plot::plot_dir(out, &crate::plot::PlotOptions::default()) {
        Ok(files) => eprintln!("{} charts in {}", files.len(), out.join("plots").display()),
        Err(e) => eprintln!("warning: charts not drawn: {e}"),
    }
}

fn out_dir(exec: &ExecArgs, s: &Scenario) -> PathBuf {
    exec.out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&s.name))
}

/// Runs a scenario (plain or swept) into its folder and reports.
fn execute(s: &Scenario, shard: Option<Shard>, exec: &ExecArgs, command: &str) -> Result<i32> {
    let n = threads(exec.threads)?;
    let plan = Plan::new(s, shard);
    let mut out = out_dir(exec, s);
    if let (Some(sh), None) = (shard, &exec.out) {
        out = out.join(format!("shard-{}-of-{}", sh.index, sh.count));
    }
    let opts = Options {
        out: out.clone(),
        threads: n,
        resume: exec.resume,
        fresh: exec.fresh,
        command: command.to_string(),
        command_line: command_line(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                eprintln!("\nstopping now");
                std::process::exit(exit::INTERRUPTED);
            }
            eprintln!(
                "\ninterrupted: finishing the runs in progress (Ctrl-C again to stop at once)…"
            );
        });
    }
    let bar = progress::Bar::new(std::io::stderr().is_terminal());
    eprintln!(
        "{} {}: {} design point{} × {} replications = {} runs{} on {n} thread{} → {}",
        command,
        s.name,
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        plan.replications,
        plan.total_runs(),
        shard
            .map(|sh| format!(" (shard {sh}: {} runs)", plan.len()))
            .unwrap_or_default(),
        if n == 1 { "" } else { "s" },
        out.display()
    );
    let started = std::time::Instant::now();
    let outcome = sweep::execute(&plan, &opts, &bar, &stop)?;
    let secs = started.elapsed().as_secs_f64();
    if outcome.already_complete {
        eprintln!("{} is already complete; nothing to do", out.display());
        return Ok(exit::OK);
    }
    if !outcome.complete {
        let resume_cmd = command_line()
            .into_iter()
            .filter(|a| a != "--resume" && a != "--fresh")
            .chain(std::iter::once("--resume".to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        eprintln!(
            "stopped: {} of {} runs are written to {}; nothing finished is lost.\nto finish: {resume_cmd}",
            outcome.done,
            outcome.total,
            out.display()
        );
        return Ok(exit::INTERRUPTED);
    }
    eprintln!(
        "{} runs done in {secs:.1} s ({:.0} runs/s){}",
        outcome.computed,
        outcome.computed as f64 / secs.max(1e-9),
        if outcome.done > outcome.computed {
            format!("; {} were already written", outcome.done - outcome.computed)
        } else {
            String::new()
        }
    );
    if shard.is_none() {
        report::summary(&out, s)?;
        draw_charts(&out, exec);
    }
    if !outcome.failures.is_empty() {
        eprintln!(
            "{} run{} failed (see {}):",
            outcome.failures.len(),
            if outcome.failures.len() == 1 { "" } else { "s" },
            out.join("failures.csv").display()
        );
        for (run, seed, msg) in outcome.failures.iter().take(10) {
            eprintln!("  run {run} (seed {seed}): {msg}");
        }
        return Ok(exit::RUNS_FAILED);
    }
    Ok(exit::OK)
}
