//! One function per command: load what it needs, call the library, print
//! what the user should see, return the exit code.

use super::args::{Cli, Command, Exec, PlotFormat};
use super::{exit, explain, progress, report, slurm, usage};
use anyhow::Result;
use profspace::scenario::{self, Limits, Scenario};
use profspace::sweep::{self, Options, Plan, Shard};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs the command the user asked for.
pub(crate) fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        None => flagship(&cli.flagship),
        Some(Command::Run {
            scenario,
            seed,
            exec,
        }) => run(scenario.as_deref(), seed, &exec),
        Some(Command::Sweep {
            scenario,
            shard,
            dry_run,
            seed,
            exec,
        }) => sweep(&scenario, shard, dry_run, seed, &exec),
        Some(Command::Sensitivity {
            scenario,
            seed,
            exec,
        }) => sensitivity(&scenario, seed, &exec),
        Some(Command::Slurm {
            scenario,
            shards,
            partition,
            time,
            cpus_per_task,
            mem,
            submit,
            out,
        }) => {
            let opts = slurm::SlurmOptions {
                shards,
                partition,
                time,
                cpus_per_task,
                mem,
                dir: PathBuf::new(),
            };
            slurm_jobs(&scenario, opts, out, submit)
        }
        Some(Command::Merge {
            dirs,
            out,
            no_plots,
        }) => merge(&dirs, &out, no_plots),
        Some(Command::Plot {
            dir,
            format,
            metrics,
            x,
            y,
            by,
            out,
        }) => plot(&dir, format, metrics, x, y, by, out),
        Some(Command::Check { scenario }) => check(&scenario),
        Some(Command::Explain {
            scenario,
            out,
            threads,
        }) => {
            let n = threads_of(threads)?;
            let s = load(Some(&scenario), ("", ""), None, n)?;
            let out = out.unwrap_or_else(|| default_out(&s));
            out!(
                "{}",
                explain::explain(&scenario.display().to_string(), &s, n, &out)
            );
            Ok(exit::OK)
        }
        Some(Command::New { name, from }) => new(&name, from.as_deref()),
        Some(Command::Params { markdown }) => {
            if markdown {
                out!("{}", scenario::reference_markdown());
            } else {
                out!("{}", scenario::params_table());
            }
            Ok(exit::OK)
        }
        Some(Command::Metrics { markdown }) => {
            if markdown {
                out!("{}", profspace::model::metrics_markdown());
            } else {
                out!("{}", profspace::model::metrics_table());
            }
            Ok(exit::OK)
        }
    }
}

/// The threads to use: as asked, or every core.
fn threads_of(n: Option<usize>) -> Result<usize> {
    match n {
        Some(0) => Err(usage("--threads must be at least 1")),
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
    let loaded = match path {
        Some(p) => Scenario::load(p, &limits),
        None => Scenario::from_toml_with(
            embedded.0,
            &format!("<built-in {}.toml>", embedded.1),
            embedded.1,
            &limits,
        ),
    };
    let mut s = loaded.map_err(profspace::error::Error::from)?;
    if let Some(seed) = seed {
        if seed > i64::MAX as u64 {
            return Err(usage(format!(
                "--seed {seed} is too large; the largest seed is {}",
                i64::MAX
            )));
        }
        s.seed = seed;
    }
    Ok(s)
}

/// `output/<scenario name>`.
fn default_out(s: &Scenario) -> PathBuf {
    Path::new("output").join(&s.name)
}

/// The flagship experiment: the built-in `regimes.toml`.
fn flagship(exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.threads)?;
    let s = load(None, (scenario::FLAGSHIP_SCENARIO, "regimes"), None, n)?;
    execute(&s, None, exec, "sweep")
}

fn run(path: Option<&Path>, seed: Option<u64>, exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.threads)?;
    let s = load(path, (scenario::DEFAULT_SCENARIO, "default"), seed, n)?;
    execute(&s, None, exec, "run")
}

fn sweep(
    path: &Path,
    shard: Option<Shard>,
    dry_run: bool,
    seed: Option<u64>,
    exec: &Exec,
) -> Result<i32> {
    let n = threads_of(exec.threads)?;
    let s = load(Some(path), ("", ""), seed, n)?;
    if dry_run {
        report::dry_run(&Plan::new(&s, shard));
        return Ok(exit::OK);
    }
    execute(&s, shard, exec, "sweep")
}

fn sensitivity(path: &Path, seed: Option<u64>, exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.threads)?;
    let s = load(Some(path), ("", ""), seed, n)?;
    if s.sensitivity.is_none() {
        return Err(usage(format!(
            "{} has no [sensitivity] section; see scenarios/sensitivity.toml for one",
            path.display()
        )));
    }
    let code = execute(&s, None, exec, "sensitivity")?;
    if code == exit::OK {
        let out = exec.out.clone().unwrap_or_else(|| default_out(&s));
        let folder = profspace::output::ResultFolder::new(&out);
        if !folder
            .file(profspace::output::folder::SENSITIVITY)
            .is_file()
        {
            sweep::write_indices(&folder, &Plan::new(&s, None))?;
        }
        report::sensitivity(&out)?;
    }
    Ok(code)
}

fn slurm_jobs(
    path: &Path,
    mut opts: slurm::SlurmOptions,
    out: Option<PathBuf>,
    submit: bool,
) -> Result<i32> {
    let s = load(
        Some(path),
        ("", ""),
        None,
        opts.cpus_per_task.max(1) as usize,
    )?;
    let total = Plan::new(&s, None).total_runs();
    if opts.shards == 0 || opts.shards > total {
        return Err(usage(format!(
            "--shards {}: choose from 1 to {total} (the number of runs)",
            opts.shards
        )));
    }
    if !slurm::valid_time(&opts.time) {
        return Err(usage(format!(
            "--time {}: write HH:MM:SS (or D-HH:MM:SS), e.g. 02:00:00",
            opts.time
        )));
    }
    if opts.cpus_per_task == 0 {
        return Err(usage("--cpus-per-task must be at least 1"));
    }
    opts.dir = out.unwrap_or_else(|| Path::new("output").join(format!("{}-slurm", s.name)));
    let binary = std::env::current_exe()
        .map_err(|e| usage(format!("cannot find the profspace binary: {e}")))?;
    let files = slurm::generate(&s, &binary, &opts)?;
    eprintln!(
        "wrote {} files into {} ({total} runs in {} shards); see README.md there",
        files.len(),
        opts.dir.display(),
        opts.shards
    );
    if submit {
        let status = std::process::Command::new("bash")
            .arg(opts.dir.join("submit.sh"))
            .status()
            .map_err(|e| usage(format!("cannot run submit.sh: {e}")))?;
        if !status.success() {
            return Err(usage(
                "sbatch refused the jobs (see above); is sbatch on the PATH?",
            ));
        }
    } else {
        eprintln!("submit with: {}", opts.dir.join("submit.sh").display());
    }
    Ok(exit::OK)
}

fn merge(dirs: &[PathBuf], out: &Path, no_plots: bool) -> Result<i32> {
    if dirs.iter().any(|d| d == out) {
        return Err(usage("--out must be a new folder, not one of the shards"));
    }
    let runs = sweep::merge(dirs, out, command_line())?;
    eprintln!(
        "merged {} shard folders: {runs} runs into {}",
        dirs.len(),
        out.display()
    );
    draw_charts(out, no_plots);
    Ok(exit::OK)
}

fn plot(
    dir: &Path,
    format: PlotFormat,
    metrics: Vec<String>,
    x: Option<String>,
    y: Option<String>,
    by: Option<String>,
    out: Option<PathBuf>,
) -> Result<i32> {
    let opts = profspace::plot::PlotOptions {
        format: format.into(),
        metrics,
        x,
        y,
        by,
        out,
    };
    let files = profspace::plot::plot_dir(dir, &opts)?;
    let target = opts.out.clone().unwrap_or_else(|| dir.join("plots"));
    eprintln!("{} charts in {}:", files.len(), target.display());
    for f in files {
        eprintln!("  {}", f.display());
    }
    Ok(exit::OK)
}

fn check(path: &Path) -> Result<i32> {
    let s = load(Some(path), ("", ""), None, 1)?;
    out!("{}", scenario::render_resolved(&s));
    let plan = Plan::new(&s, None);
    eprintln!(
        "{} is valid: {} design point{} × {} replications = {} runs",
        path.display(),
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        plan.replications,
        plan.total_runs()
    );
    Ok(exit::OK)
}

fn new(name: &str, from: Option<&Path>) -> Result<i32> {
    let stem = name.strip_suffix(".toml").unwrap_or(name);
    let file_name = Path::new(stem)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    if let Some(problem) = scenario::name_problem(&file_name) {
        return Err(usage(format!(
            "cannot use `{name}` as a scenario name: {problem}"
        )));
    }
    let path = PathBuf::from(format!("{stem}.toml"));
    if path.exists() {
        return Err(usage(format!(
            "{} exists already; choose another name or delete it",
            path.display()
        )));
    }
    let base = match from {
        Some(f) => Some((f.display().to_string(), load(Some(f), ("", ""), None, 1)?)),
        None => None,
    };
    let text = explain::new_file(&file_name, base.as_ref().map(|(o, s)| (o.as_str(), s)));
    profspace::output::write_atomic(&path, text.as_bytes())?;
    eprintln!(
        "wrote {}; run it with: profspace run {}",
        path.display(),
        path.display()
    );
    Ok(exit::OK)
}

/// Draws the charts of a finished folder unless `no_plots`; a failure to
/// draw is a warning (the results are written).
fn draw_charts(out: &Path, no_plots: bool) {
    if no_plots {
        return;
    }
    match profspace::plot::plot_dir(out, &profspace::plot::PlotOptions::default()) {
        Ok(files) => eprintln!("{} charts in {}", files.len(), out.join("plots").display()),
        Err(e) => eprintln!("warning: charts not drawn: {e}"),
    }
}

/// A Ctrl-C handler that asks the runner to stop (a second one stops at
/// once).
fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("\nstopping now");
            std::process::exit(exit::INTERRUPTED);
        }
        eprintln!("\ninterrupted: finishing the runs in progress (Ctrl-C again to stop at once)…");
    });
    stop
}

/// Runs a scenario (plain or swept) into its folder and reports.
fn execute(s: &Scenario, shard: Option<Shard>, exec: &Exec, command: &str) -> Result<i32> {
    let n = threads_of(exec.threads)?;
    let plan = Plan::new(s, shard);
    let mut out = exec.out.clone().unwrap_or_else(|| default_out(s));
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
    let stop = stop_flag();
    let bar = progress::Bar::new(std::io::stderr().is_terminal());
    report::starting(command, s, &plan, n, &out);
    let started = std::time::Instant::now();
    let outcome = sweep::execute(&plan, &opts, &bar, &stop)?;
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
    report::finished(&outcome, started.elapsed().as_secs_f64());
    if shard.is_none() {
        report::summary(&out, s)?;
        draw_charts(&out, exec.no_plots);
    }
    if !outcome.failures.is_empty() {
        report::failures(&outcome, &out);
        return Ok(exit::RUNS_FAILED);
    }
    Ok(exit::OK)
}
