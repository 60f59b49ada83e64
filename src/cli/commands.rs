//! One function per command: load what it needs, call the library, print
//! what the user should see, return the exit code.

use super::args::{Cli, Command, Exec, Overrides, PlotFormat};
use super::{analyse, exit, explain, progress, report, slurm, usage};
use anyhow::Result;
use profspace::scenario::{self, Limits, Override, Scenario};
use profspace::sweep::{self, Options, Plan, Reason, Shard, Stop};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs the command the user asked for.
pub(crate) fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        None => flagship(&cli.flagship),
        Some(Command::Run {
            scenario,
            set,
            exec,
        }) => run(scenario.as_deref(), &set, &exec),
        Some(Command::Sweep {
            scenario,
            shard,
            dry_run,
            set,
            exec,
        }) => sweep(&scenario, shard, dry_run, &set, &exec),
        Some(Command::Sensitivity {
            scenario,
            set,
            exec,
        }) => sensitivity(&scenario, &set, &exec),
        Some(Command::Calibrate {
            scenario,
            set,
            folder,
        }) => super::calibrate::calibrate(&scenario, &set, &folder),
        Some(Command::Diagnose {
            survey,
            scenario,
            scale,
            set,
            folder,
        }) => super::diagnose::diagnose(
            &survey,
            scenario.as_deref(),
            scale.unwrap_or_default(),
            &set,
            &folder,
        ),
        Some(Command::Advise {
            dir,
            step,
            metric,
            draws,
            threads,
            no_plots,
        }) => super::diagnose::advise(&dir, step, metric, draws, threads, no_plots),
        Some(Command::Replay {
            dir,
            run,
            ticks_every,
            teams_every,
            agents_at,
            out,
            overwrite,
            no_plots,
        }) => {
            let recording = sweep::replay::Recording {
                ticks_every,
                teams_every,
                agents_at,
            };
            replay(&dir, run, &recording, out, overwrite, no_plots)
        }
        Some(Command::Slurm {
            scenario,
            shards,
            partition,
            time,
            cpus_per_task,
            mem,
            submit,
            out,
            set,
        }) => {
            let opts = slurm::SlurmOptions {
                shards,
                partition,
                time,
                cpus_per_task,
                mem,
                dir: PathBuf::new(),
            };
            slurm_jobs(&scenario, opts, out, submit, &set)
        }
        Some(Command::Merge {
            dirs,
            out,
            overwrite,
            no_plots,
        }) => merge(&dirs, &out, overwrite, no_plots),
        Some(Command::Plot {
            dir,
            format,
            metrics,
            x,
            y,
            by,
            out,
        }) => plot(&dir, format, metrics, x, y, by, out),
        Some(Command::Compare {
            dir,
            by,
            baseline,
            metrics,
            no_plots,
        }) => {
            let opts = profspace::analysis::contrast::Options {
                by,
                baseline,
                metrics,
            };
            analyse::compare(&dir, opts, no_plots)
        }
        Some(Command::Discover {
            dir,
            metric,
            above,
            below,
            density,
            boxes,
            per_run,
            step,
            resample,
            objective,
            no_plots,
        }) => {
            use profspace::analysis::discover::{Options, Rule};
            let rule = match (above, below) {
                (Some(x), _) => Rule::Above(x),
                (None, Some(x)) => Rule::Below(x),
                (None, None) => return Err(usage("give --above X or --below X")),
            };
            let opts = Options {
                metric,
                rule,
                density,
                boxes,
                per_run,
                step,
                resample,
                objective: objective.into(),
            };
            analyse::discover(&dir, opts, no_plots)
        }
        Some(Command::Check { scenario, set }) => check(&scenario, &set),
        Some(Command::Explain {
            scenario,
            out,
            threads,
            set,
        }) => explain_scenario(&scenario, out, threads, &set),
        Some(Command::New { name, from }) => new(&name, from.as_deref()),
        Some(Command::Params { key: Some(key), .. }) => param(&key),
        Some(Command::Params {
            key: None,
            markdown,
        }) => reference(
            markdown,
            scenario::params_table,
            scenario::reference_markdown,
        ),
        Some(Command::Serve {
            port,
            bind,
            no_open,
        }) => crate::serve::serve(&crate::serve::ServeOptions {
            port,
            bind,
            open: !no_open,
        }),
        Some(Command::Metrics { markdown }) => reference(
            markdown,
            profspace::model::metrics_table,
            profspace::model::metrics_markdown,
        ),
    }
}

/// The threads to use: as asked, or every core; more than the machine has
/// are clamped to its cores, with a note.
pub(crate) fn threads_of(n: Option<usize>) -> Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match n {
        Some(0) => Err(usage("--threads must be at least 1")),
        Some(n) if n > cores => {
            errln!(
                "note: --threads {n} is more than the {cores} cores this machine offers; using {cores}"
            );
            Ok(cores)
        }
        Some(n) => Ok(n),
        None => Ok(cores),
    }
}

pub(crate) fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// The overrides of the command line, in order: every `--set`, then the
/// shorthands.
pub(crate) fn overrides(set: &Overrides) -> Result<Vec<Override>> {
    let mut list = set
        .set
        .iter()
        .map(|a| Override::set(a).map_err(anyhow::Error::from))
        .collect::<Result<Vec<_>>>()?;
    list.extend(set.seed.map(Override::seed));
    list.extend(set.ticks.map(Override::ticks));
    list.extend(set.replications.map(Override::replications));
    Ok(list)
}

/// `profspace explain`: what a scenario would do, without running it.
fn explain_scenario(
    scenario: &Path,
    out: Option<PathBuf>,
    threads: Option<usize>,
    set: &Overrides,
) -> Result<i32> {
    let n = threads_of(threads)?;
    let s = load(Some(scenario), ("", ""), set, n)?;
    let out = out.unwrap_or_else(|| default_out(&s));
    out!(
        "{}",
        explain::explain(&scenario.display().to_string(), &s, n, &out)
    );
    Ok(exit::OK)
}

/// `profspace params` and `profspace metrics`: a reference table, as text
/// or as Markdown.
fn reference(markdown: bool, text: fn() -> String, md: fn() -> String) -> Result<i32> {
    out!("{}", if markdown { md() } else { text() });
    Ok(exit::OK)
}

/// `profspace params KEY`: one key in full, or the closest keys.
fn param(key: &str) -> Result<i32> {
    if let Some(text) = scenario::param_details(key) {
        out!("{text}");
        return Ok(exit::OK);
    }
    let all: Vec<&str> = scenario::ENGINE_PARAMS
        .iter()
        .chain(profspace::model::all().iter().flat_map(|m| m.params()))
        .map(|p| p.path)
        .collect();
    // `profspace params focus` shows every key whose last part is `focus`.
    let mut by_last: Vec<&str> = all
        .iter()
        .copied()
        .filter(|p| p.rsplit('.').next() == Some(key) && *p != key)
        .collect();
    by_last.dedup();
    let found: Vec<String> = by_last
        .iter()
        .filter_map(|p| scenario::param_details(p))
        .collect();
    if !found.is_empty() {
        out!("{}", found.join("\n"));
        return Ok(exit::OK);
    }
    let hint = profspace::params::suggest(key, all.iter().copied())
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    Err(usage(format!(
        "`{key}` is not a scenario key{hint} (`profspace params` lists them all)"
    )))
}

/// Loads a scenario file or an embedded one, applying the command line's
/// overrides.
pub(crate) fn load(
    path: Option<&Path>,
    embedded: (&str, &str),
    set: &Overrides,
    concurrent: usize,
) -> Result<Scenario> {
    let limits = Limits::detect(concurrent as u64);
    let list = overrides(set)?;
    let loaded = match path {
        Some(p) => Scenario::load_overridden(p, &limits, &list),
        None => Scenario::from_toml_overridden(
            embedded.0,
            &format!("<built-in {}.toml>", embedded.1),
            embedded.1,
            &limits,
            &list,
        ),
    };
    Ok(loaded.map_err(profspace::error::Error::from)?)
}

/// `output/<scenario name>`.
pub(crate) fn default_out(s: &Scenario) -> PathBuf {
    Path::new("output").join(&s.name)
}

/// The flagship experiment: the built-in `regimes.toml`.
fn flagship(exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.folder.threads)?;
    let s = load(
        None,
        (scenario::FLAGSHIP_SCENARIO, "regimes"),
        &Overrides::default(),
        n,
    )?;
    execute(&s, None, exec, "sweep")
}

fn run(path: Option<&Path>, set: &Overrides, exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.folder.threads)?;
    let mut s = load(path, (scenario::DEFAULT_SCENARIO, "default"), set, n)?;
    if exec.no_ticks {
        s.output.ticks_every = 0;
    }
    if let Some(f) = &exec.format {
        s.output.parquet = f == "parquet";
    }
    execute(&s, None, exec, "run")
}

fn sweep(
    path: &Path,
    shard: Option<Shard>,
    dry_run: bool,
    set: &Overrides,
    exec: &Exec,
) -> Result<i32> {
    let n = threads_of(exec.folder.threads)?;
    let mut s = load(Some(path), ("", ""), set, n)?;
    if exec.no_ticks {
        s.output.ticks_every = 0;
    }
    if let Some(f) = &exec.format {
        s.output.parquet = f == "parquet";
    }
    if dry_run {
        let plan = Plan::new(&s, shard);
        report::dry_run(&plan);
        warn_if_large(&plan);
        return Ok(exit::OK);
    }
    execute(&s, shard, exec, "sweep")
}

fn sensitivity(path: &Path, set: &Overrides, exec: &Exec) -> Result<i32> {
    let n = threads_of(exec.folder.threads)?;
    let mut s = load(Some(path), ("", ""), set, n)?;
    if exec.no_ticks {
        s.output.ticks_every = 0;
    }
    if let Some(f) = &exec.format {
        s.output.parquet = f == "parquet";
    }
    if s.sensitivity.is_none() {
        return Err(usage(format!(
            "{} has no [sensitivity] section; see scenarios/sensitivity.toml for one",
            path.display()
        )));
    }
    let code = execute(&s, None, exec, "sensitivity")?;
    if code == exit::OK {
        let out = exec.folder.out.clone().unwrap_or_else(|| default_out(&s));
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
    set: &Overrides,
) -> Result<i32> {
    let s = load(
        Some(path),
        ("", ""),
        set,
        opts.cpus_per_task.max(1) as usize,
    )?;
    let total = Plan::new(&s, None).total_runs();
    if s.sweep.as_ref().is_some_and(|sw| sw.target.is_some()) {
        return Err(usage(
            "a sweep with [sweep] target_ci95 decides its runs round by round, so it cannot be \
             split into Slurm shards; run it whole (profspace sweep, in one job)",
        ));
    }
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
    errln!(
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
        errln!("submit with: {}", opts.dir.join("submit.sh").display());
    }
    Ok(exit::OK)
}

fn merge(dirs: &[PathBuf], out: &Path, overwrite: bool, no_plots: bool) -> Result<i32> {
    let runs = sweep::merge(dirs, out, command_line(), overwrite)?;
    errln!(
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
    errln!("{} charts in {}:", files.len(), target.display());
    for f in files {
        errln!("  {}", f.display());
    }
    Ok(exit::OK)
}

fn check(path: &Path, set: &Overrides) -> Result<i32> {
    let s = load(Some(path), ("", ""), set, 1)?;
    out!("{}", scenario::render_resolved(&s));
    let plan = Plan::new(&s, None);
    errln!(
        "{} is valid: {} design point{} {}",
        path.display(),
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        report::runs_words(&plan)
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
        Some(f) => Some((
            f.display().to_string(),
            load(Some(f), ("", ""), &Overrides::default(), 1)?,
        )),
        None => None,
    };
    let text = explain::new_file(&file_name, base.as_ref().map(|(o, s)| (o.as_str(), s)));
    profspace::output::write_atomic(&path, text.as_bytes())?;
    errln!(
        "wrote {}; run it with: profspace run {}",
        path.display(),
        path.display()
    );
    Ok(exit::OK)
}

/// Draws the forest plots of `contrasts.csv` in `dir`; a failure to draw is
/// a warning (the table is written).
pub(crate) fn draw_contrasts(dir: &Path, metrics: &[String]) {
    let out = dir.join("plots");
    match profspace::plot::plot_contrasts(dir, &out, metrics, profspace::plot::Format::Png) {
        Ok(files) => {
            for f in files {
                errln!("forest plot: {}", f.display());
            }
        }
        Err(e) => errln!("warning: forest plot not drawn: {e}"),
    }
}

/// Draws the charts of a discovery in `dir`; a failure to draw is a warning
/// (the tables are written).
pub(crate) fn draw_discovery(dir: &Path) {
    let out = dir.join("plots");
    match profspace::plot::plot_discovery(dir, &out, profspace::plot::Format::Png) {
        Ok(files) => {
            for f in files {
                errln!("discovery chart: {}", f.display());
            }
        }
        Err(e) => errln!("warning: discovery charts not drawn: {e}"),
    }
}

/// `profspace replay DIR --run N`: the run again, into its own folder,
/// checked against the original's row.
fn replay(
    dir: &Path,
    run: u64,
    recording: &sweep::replay::Recording,
    out: Option<PathBuf>,
    overwrite: bool,
    no_plots: bool,
) -> Result<i32> {
    let out = out.unwrap_or_else(|| {
        let name = dir
            .file_name()
            .map_or_else(|| "replay".into(), |n| n.to_string_lossy().into_owned());
        dir.with_file_name(format!("{name}-replay-{run}"))
    });
    let opts = Options {
        out: out.clone(),
        threads: threads_of(None)?,
        resume: false,
        fresh: false,
        overwrite,
        keep_previous: false,
        command: "replay".into(),
        command_line: command_line(),
    };
    let stop = stop_on_signals();
    let bar = progress::Bar::new(std::io::stderr().is_terminal());
    if profspace::calibrate::replay::is_calibration(dir) {
        let done = profspace::calibrate::replay::replay(dir, run, recording, &opts, &bar, &stop)?;
        if !done.outcome.complete {
            return Ok(done
                .outcome
                .stopped_by
                .map_or(exit::INTERRUPTED, Reason::exit_code));
        }
        let targets = done
            .targets
            .iter()
            .map(|(m, x)| format!("{m} {}", profspace::params::sig3(*x)))
            .collect::<Vec<_>>()
            .join(", ");
        errln!(
            "particle {run} of {} (generation {}, seed {}) replayed into {}: {} runs whose means \
             are the particle's simulated targets, bit for bit ({targets})",
            dir.display(),
            done.generation,
            done.seed,
            out.display(),
            done.outcome.total
        );
        draw_charts(&out, no_plots);
        return Ok(exit::OK);
    }
    let done = sweep::replay(dir, run, recording, &opts, &bar, &stop)?;
    if !done.outcome.complete {
        return Ok(done
            .outcome
            .stopped_by
            .map_or(exit::INTERRUPTED, Reason::exit_code));
    }
    errln!(
        "run {run} of {} replayed into {}; its runs.csv row is the original's, byte for byte",
        dir.display(),
        out.display()
    );
    draw_charts(&out, no_plots);
    Ok(exit::OK)
}

/// Draws the charts of a finished folder unless `no_plots`; a failure to
/// draw is a warning (the results are written).
fn draw_charts(out: &Path, no_plots: bool) {
    if no_plots {
        return;
    }
    match profspace::plot::plot_dir(out, &profspace::plot::PlotOptions::default()) {
        Ok(files) => errln!("{} charts in {}", files.len(), out.join("plots").display()),
        Err(e) => errln!("warning: charts not drawn: {e}"),
    }
}

/// Asks the runner to stop on SIGINT (Ctrl-C), SIGTERM (what Slurm sends
/// on pre-emption and `scancel`) and SIGHUP: what is running finishes and
/// is written. A second signal stops at once. The watcher is the binary's
/// one thread of its own.
pub(crate) fn stop_on_signals() -> Arc<Stop> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let stop = Arc::new(Stop::new());
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        errln!("warning: signals cannot be caught; an interrupt will stop at once");
        return stop;
    };
    let flag = stop.clone();
    std::thread::spawn(move || {
        for sig in signals.forever() {
            let reason = match sig {
                SIGTERM => Reason::Terminate,
                SIGHUP => Reason::Hangup,
                _ => Reason::Interrupt,
            };
            if flag.request(reason) {
                errln!("\nstopping now");
                std::process::exit(reason.exit_code());
            }
            errln!(
                "\n{}: finishing the runs in progress (send it again to stop at once)…",
                reason.name()
            );
        }
    });
    stop
}

/// Prints the estimated size of the tables when it is large.
fn warn_if_large(plan: &Plan) {
    let size = plan.estimated_output();
    if size.total() > 1 << 30 {
        errln!(
            "warning: this will write about {} of tables ({} of them ticks.csv, {} teams.csv, {} agents.csv); to make it smaller, {}",
            scenario::human_bytes(size.total()),
            scenario::human_bytes(size.ticks),
            scenario::human_bytes(size.teams),
            scenario::human_bytes(size.agents),
            sweep::SMALLER
        );
    }
}

/// Runs a scenario (plain or swept) into its folder and reports.
fn execute(s: &Scenario, shard: Option<Shard>, exec: &Exec, command: &str) -> Result<i32> {
    let n = threads_of(exec.folder.threads)?;
    let plan = Plan::new(s, shard);
    let mut out = exec.folder.out.clone().unwrap_or_else(|| default_out(s));
    if let (Some(sh), None) = (shard, &exec.folder.out) {
        out = out.join(format!("shard-{}-of-{}", sh.index, sh.count));
    }
    let opts = Options {
        out: out.clone(),
        threads: n,
        resume: exec.folder.resume,
        fresh: exec.folder.fresh,
        overwrite: exec.folder.overwrite,
        keep_previous: exec.folder.out.is_none(),
        command: command.to_string(),
        command_line: command_line(),
    };
    let stop = stop_on_signals();
    let bar = progress::Bar::new(std::io::stderr().is_terminal());
    report::starting(command, s, &plan, n, &out);
    warn_if_large(&plan);
    let started = std::time::Instant::now();
    let outcome = sweep::execute(&plan, &opts, &bar, &stop)?;
    for note in &outcome.notes {
        errln!("note: {note}");
    }
    if outcome.already_complete {
        errln!("{} is already complete; nothing to do", out.display());
        return Ok(exit::OK);
    }
    if !outcome.complete {
        let resume_cmd = command_line()
            .into_iter()
            .filter(|a| a != "--resume" && a != "--fresh")
            .chain(std::iter::once("--resume".to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        errln!(
            "stopped: {} of {} runs are written to {}; nothing finished is lost.\nto finish: {resume_cmd}",
            outcome.done,
            outcome.total,
            out.display()
        );
        return Ok(outcome
            .stopped_by
            .map_or(exit::INTERRUPTED, Reason::exit_code));
    }
    report::finished(&outcome, started.elapsed().as_secs_f64());
    if shard.is_none() {
        report::summary(&out, s)?;
        draw_charts(&out, exec.folder.no_plots);
    }
    if !outcome.failures.is_empty() {
        report::failures(&outcome, &out);
        return Ok(exit::RUNS_FAILED);
    }
    Ok(exit::OK)
}
