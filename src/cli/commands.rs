//! The commands: [`dispatch`] hands the command line to the command's
//! flags, and each command's `run` loads what it needs, calls the library,
//! prints what the user should see and returns the exit code. `calibrate`,
//! `diagnose`, `advise`, `compare` and `discover` are in modules of their
//! own; what commands share is in `shared.rs`.

use super::args::{
    CheckArgs, Cli, Command, Exec, ExplainArgs, MergeArgs, MetricsArgs, NewArgs, Overrides,
    ParamsArgs, PlotArgs, ReplayArgs, RunArgs, SensitivityArgs, ServeArgs, SlurmArgs, SweepArgs,
};
use super::shared::{
    command_line, default_out, draw_charts, load, resume_command, stop_on_signals, stopped_code,
    threads_of,
};
use super::{exit, explain, progress, report, slurm, usage};
use anyhow::Result;
use profspace::output::tables;
use profspace::scenario::{self, Scenario};
use profspace::sweep::{self, Options, Plan, Shard};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs the command the user asked for; without one, the flagship
/// experiment.
pub(crate) fn dispatch(cli: Cli) -> Result<i32> {
    let Some(command) = cli.command else {
        return flagship(&cli.flagship);
    };
    match command {
        Command::Run(args) => args.run(),
        Command::Sweep(args) => args.run(),
        Command::Sensitivity(args) => args.run(),
        Command::Calibrate(args) => args.run(),
        Command::Diagnose(args) => args.run(),
        Command::Advise(args) => args.run(),
        Command::Replay(args) => args.run(),
        Command::Slurm(args) => args.run(),
        Command::Merge(args) => args.run(),
        Command::Plot(args) => args.run(),
        Command::Compare(args) => args.run(),
        Command::Discover(args) => args.run(),
        Command::Check(args) => args.run(),
        Command::Explain(args) => args.run(),
        Command::New(args) => args.run(),
        Command::Params(args) => args.run(),
        Command::Metrics(args) => args.run(),
        Command::Serve(args) => args.run(),
    }
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

/// Loads the scenario a run, sweep or sensitivity analysis executes: the
/// file (or the embedded scenario) with the command line's overrides, then
/// the tables `--no-ticks` and `--format` ask for.
fn load_to_execute(
    path: Option<&Path>,
    embedded: (&str, &str),
    set: &Overrides,
    exec: &Exec,
) -> Result<Scenario> {
    let n = threads_of(exec.folder.threads)?;
    let mut s = load(path, embedded, set, n)?;
    if exec.no_ticks {
        s.output.ticks_every = 0;
    }
    if let Some(f) = &exec.format {
        s.output.parquet = f == "parquet";
    }
    Ok(s)
}

impl RunArgs {
    /// `profspace run [FILE]`: the scenario's replications, the built-in
    /// default scenario without a file.
    pub(crate) fn run(self) -> Result<i32> {
        let s = load_to_execute(
            self.scenario.as_deref(),
            (scenario::DEFAULT_SCENARIO, "default"),
            &self.set,
            &self.exec,
        )?;
        execute(&s, None, &self.exec, "run")
    }
}

impl SweepArgs {
    /// `profspace sweep FILE`: the design's runs, or with `--dry-run` the
    /// design and its number of runs.
    pub(crate) fn run(self) -> Result<i32> {
        let s = load_to_execute(Some(&self.scenario), ("", ""), &self.set, &self.exec)?;
        if self.dry_run {
            let plan = Plan::new(&s, self.shard);
            report::dry_run(&plan);
            warn_if_large(&plan);
            return Ok(exit::OK);
        }
        execute(&s, self.shard, &self.exec, "sweep")
    }
}

impl SensitivityArgs {
    /// `profspace sensitivity FILE`: the design's runs, then
    /// `sensitivity.csv` and its summary.
    pub(crate) fn run(self) -> Result<i32> {
        let path = &self.scenario;
        let s = load_to_execute(Some(path), ("", ""), &self.set, &self.exec)?;
        if s.sensitivity.is_none() {
            return Err(usage(format!(
                "{} has no [sensitivity] section; see scenarios/sensitivity.toml for one",
                path.display()
            )));
        }
        let code = execute(&s, None, &self.exec, "sensitivity")?;
        if code == exit::OK {
            let out = self
                .exec
                .folder
                .out
                .clone()
                .unwrap_or_else(|| default_out(&s));
            let folder = profspace::output::ResultFolder::new(&out);
            if !folder.file(tables::SENSITIVITY.file).is_file() {
                sweep::write_indices(&folder, &Plan::new(&s, None))?;
            }
            report::sensitivity(&out)?;
        }
        Ok(code)
    }
}

impl SlurmArgs {
    /// `profspace slurm FILE --shards N`: the job files, submitted with
    /// `--submit`.
    pub(crate) fn run(self) -> Result<i32> {
        let mut opts = slurm::SlurmOptions {
            shards: self.shards,
            partition: self.partition,
            time: self.time,
            cpus_per_task: self.cpus_per_task,
            mem: self.mem,
            dir: PathBuf::new(),
        };
        let s = load(
            Some(&self.scenario),
            ("", ""),
            &self.set,
            opts.cpus_per_task.max(1) as usize,
        )?;
        let total = Plan::new(&s, None).total_runs();
        check_slurm_options(&s, &opts, total)?;
        opts.dir = self
            .out
            .unwrap_or_else(|| Path::new("output").join(format!("{}-slurm", s.name)));
        let binary = std::env::current_exe()
            .map_err(|e| usage(format!("cannot find the profspace binary: {e}")))?;
        let files = slurm::generate(&s, &binary, &opts)?;
        errln!(
            "wrote {} files into {} ({total} runs in {} shards); see README.md there",
            files.len(),
            opts.dir.display(),
            opts.shards
        );
        if self.submit {
            submit_slurm(&opts.dir)?;
        } else {
            errln!("submit with: {}", opts.dir.join("submit.sh").display());
        }
        Ok(exit::OK)
    }
}

/// The usage errors of `profspace slurm`: a sweep that cannot be split,
/// shards out of range, a malformed time, no CPUs.
fn check_slurm_options(s: &Scenario, opts: &slurm::SlurmOptions, total: u64) -> Result<()> {
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
    Ok(())
}

/// Submits the job files in `dir` with their `submit.sh`.
fn submit_slurm(dir: &Path) -> Result<()> {
    let status = std::process::Command::new("bash")
        .arg(dir.join("submit.sh"))
        .status()
        .map_err(|e| usage(format!("cannot run submit.sh: {e}")))?;
    if !status.success() {
        return Err(usage(
            "sbatch refused the jobs (see above); is sbatch on the PATH?",
        ));
    }
    Ok(())
}

impl MergeArgs {
    /// `profspace merge DIR… --out DIR`: the shard folders as one folder.
    pub(crate) fn run(self) -> Result<i32> {
        let runs = sweep::merge(&self.dirs, &self.out, command_line(), self.overwrite)?;
        errln!(
            "merged {} shard folders: {runs} runs into {}",
            self.dirs.len(),
            self.out.display()
        );
        draw_charts(&self.out, self.no_plots);
        Ok(exit::OK)
    }
}

impl PlotArgs {
    /// `profspace plot DIR`: the folder's charts, and where they are.
    pub(crate) fn run(self) -> Result<i32> {
        let opts = profspace::plot::PlotOptions {
            format: self.format.into(),
            metrics: self.metrics,
            x: self.x,
            y: self.y,
            by: self.by,
            out: self.out,
        };
        let files = profspace::plot::plot_dir(&self.dir, &opts)?;
        let target = opts.out.clone().unwrap_or_else(|| self.dir.join("plots"));
        errln!("{} charts in {}:", files.len(), target.display());
        for f in files {
            errln!("  {}", f.display());
        }
        Ok(exit::OK)
    }
}

impl CheckArgs {
    /// `profspace check FILE`: the scenario resolved on stdout, its design
    /// in one line on stderr.
    pub(crate) fn run(self) -> Result<i32> {
        let path = &self.scenario;
        let s = load(Some(path), ("", ""), &self.set, 1)?;
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
}

impl ExplainArgs {
    /// `profspace explain FILE`: what a scenario would do, without running
    /// it.
    pub(crate) fn run(self) -> Result<i32> {
        let n = threads_of(self.threads)?;
        let s = load(Some(&self.scenario), ("", ""), &self.set, n)?;
        let out = self.out.unwrap_or_else(|| default_out(&s));
        out!(
            "{}",
            explain::explain(&self.scenario.display().to_string(), &s, n, &out)
        );
        Ok(exit::OK)
    }
}

impl NewArgs {
    /// `profspace new NAME`: a commented `NAME.toml`, from the defaults or
    /// from another scenario.
    pub(crate) fn run(self) -> Result<i32> {
        let name = &self.name;
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
        let base = match &self.from {
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
}

impl ParamsArgs {
    /// `profspace params`: every scenario key, or one in full.
    pub(crate) fn run(self) -> Result<i32> {
        match self.key {
            Some(key) => param(&key),
            None => reference(
                self.markdown,
                scenario::params_table,
                scenario::reference_markdown,
            ),
        }
    }
}

impl MetricsArgs {
    /// `profspace metrics`: every output column of every model.
    pub(crate) fn run(self) -> Result<i32> {
        reference(
            self.markdown,
            profspace::model::metrics_table,
            profspace::model::metrics_markdown,
        )
    }
}

impl ServeArgs {
    /// `profspace serve`: the explorer, until it is stopped.
    pub(crate) fn run(self) -> Result<i32> {
        crate::serve::serve(&crate::serve::ServeOptions {
            port: self.port,
            bind: self.bind,
            open: !self.no_open,
            start: (self.scenario.as_deref())
                .map(crate::serve::start_text)
                .transpose()?,
        })
    }
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

impl ReplayArgs {
    /// `profspace replay DIR --run N`: the run (or a calibration's
    /// particle) again, into its own folder, checked against the original.
    pub(crate) fn run(self) -> Result<i32> {
        let recording = sweep::replay::Recording {
            ticks_every: self.ticks_every,
            teams_every: self.teams_every,
            agents_at: self.agents_at,
        };
        let (dir, run) = (&self.dir, self.run);
        let out = self.out.unwrap_or_else(|| {
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
            overwrite: self.overwrite,
            keep_previous: false,
            command: "replay".into(),
            command_line: command_line(),
        };
        let stop = stop_on_signals();
        let bar = progress::Bar::new(std::io::stderr().is_terminal());
        if profspace::calibrate::replay::is_calibration(dir) {
            let done =
                profspace::calibrate::replay::replay(dir, run, &recording, &opts, &bar, &stop)?;
            if !done.outcome.complete {
                return Ok(stopped_code(done.outcome.stopped_by));
            }
            let targets = done
                .targets
                .iter()
                .map(|(m, x)| format!("{m} {}", profspace::params::sig3(*x)))
                .collect::<Vec<_>>()
                .join(", ");
            errln!(
                "particle {run} of {} (generation {}, seed {}) replayed into {}: {} runs whose \
                 means are the particle's simulated targets, bit for bit ({targets})",
                dir.display(),
                done.generation,
                done.seed,
                out.display(),
                done.outcome.total
            );
        } else {
            let done = sweep::replay(dir, run, &recording, &opts, &bar, &stop)?;
            if !done.outcome.complete {
                return Ok(stopped_code(done.outcome.stopped_by));
            }
            errln!(
                "run {run} of {} replayed into {}; its runs.csv row is the original's, byte for byte",
                dir.display(),
                out.display()
            );
        }
        draw_charts(&out, self.no_plots);
        Ok(exit::OK)
    }
}

/// Prints the estimated size of the tables when it is large.
fn warn_if_large(plan: &Plan) {
    let size = plan.estimated_output();
    if size.total() > 1 << 30 {
        let recorded: Vec<String> = tables::STREAMED
            .iter()
            .filter(|t| t.rows.is_some())
            .map(|t| format!("{} {}", scenario::human_bytes(size.of(t).0), t.file))
            .collect();
        errln!(
            "warning: this will write about {} of tables (of which {}); to make it smaller, {}",
            scenario::human_bytes(size.total()),
            recorded.join(", "),
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
        errln!(
            "stopped: {} of {} runs are written to {}; nothing finished is lost.\nto finish: {}",
            outcome.done,
            outcome.total,
            out.display(),
            resume_command()
        );
        return Ok(stopped_code(outcome.stopped_by));
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
