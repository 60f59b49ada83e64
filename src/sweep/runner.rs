//! Executes a plan: workers on a rayon pool take runs in canonical order,
//! a single writer (the calling thread) streams the results to disk in that
//! order, so the bytes do not depend on the number of threads, and memory
//! is bounded by a small reorder window however many runs there are.
//!
//! A run that panics is caught and recorded in `failures.csv`; the sweep
//! goes on. An interrupt (the `stop` flag) stops workers from taking new
//! runs; what finished is kept and `--resume` completes the rest.

use super::resume::{self, Checkpoint, Finished, Journal};
use super::{Plan, RunSpec, aggregate};
use crate::model;
use crate::observe::Metric;
use crate::output::manifest::{self, Manifest, Status};
use crate::output::table::{self, push_metric, push_run_id, push_value};
use crate::output::{FolderError, FolderLock, PartFile, part_path, write_atomic};
use anyhow::{Context, Result, bail};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How to execute a plan.
#[derive(Clone, Debug)]
pub struct Options {
    /// Output folder.
    pub out: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Continue an interrupted sweep in `out` (or start one if there is none).
    pub resume: bool,
    /// Discard an unfinished sweep in `out` and start over.
    pub fresh: bool,
    /// Command name for the manifest.
    pub command: String,
    /// Command line for the manifest.
    pub command_line: Vec<String>,
}

/// Progress reports from the writer.
pub trait Progress {
    /// Called once before runs start: runs of the plan, runs already done.
    fn start(&self, total: u64, done: u64);
    /// Called after each run is written.
    fn advance(&self, done: u64);
    /// Called when the writer stops.
    fn finish(&self);
}

/// What an execution achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Runs of the plan written (now, including earlier sessions).
    pub done: u64,
    /// Runs of the plan.
    pub total: u64,
    /// Runs computed in this session.
    pub computed: u64,
    /// Failed runs: (run id, seed, message).
    pub failures: Vec<(u64, u64, String)>,
    /// Whether every run is written and the files have their final names.
    pub complete: bool,
    /// Whether the folder was already complete (nothing was run).
    pub already_complete: bool,
}

/// Files a run writes, removed when a folder is started afresh.
const OWNED_FILES: [&str; 7] = [
    "runs.csv",
    "ticks.csv",
    "failures.csv",
    "aggregate.csv",
    "design.csv",
    "manifest.json",
    "sensitivity.csv",
];

/// How long between checkpoints.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

thread_local! {
    /// Whether this thread is inside a model run (panics are recorded, not printed).
    static IN_RUN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that keeps panics inside runs quiet and
/// records their message and place for `failures.csv`.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside = IN_RUN.with(|r| r.borrow().is_some());
            if inside {
                let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                    (*s).to_string()
                } else if let Some(s) = info.payload().downcast_ref::<String>() {
                    s.clone()
                } else {
                    "panic".to_string()
                };
                let place = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                IN_RUN.with(|r| *r.borrow_mut() = Some(format!("{msg}{place}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs listed in `PROFSPACE_FAIL_RUNS` (comma-separated run ids) panic on
/// purpose: a fault-injection hook for the failure-isolation tests.
fn injected_failures() -> Vec<u64> {
    std::env::var("PROFSPACE_FAIL_RUNS")
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// Runs one simulation and formats its rows (in the worker thread).
fn perform(
    plan: &Plan,
    index: u64,
    point_cache: &mut Option<(u64, crate::scenario::Scenario, Vec<u8>)>,
    fail: &[u64],
) -> Finished {
    let spec = plan.run(index);
    if point_cache
        .as_ref()
        .is_none_or(|(p, _, _)| *p != spec.point)
    {
        let s = plan.scenario_at(spec.point);
        let mut params = Vec::new();
        for v in &plan.design.point(spec.point).values {
            params.push(b',');
            push_value(&mut params, v);
        }
        *point_cache = Some((spec.point, s, params));
    }
    let (_, scenario, params) = point_cache.as_ref().expect("cache filled above");
    IN_RUN.with(|r| *r.borrow_mut() = Some(String::new()));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        if fail.contains(&spec.run) {
            panic!("injected failure (PROFSPACE_FAIL_RUNS)");
        }
        let mut ticks = Vec::new();
        let run = model::simulate(scenario, spec.seed, &mut ticks);
        (run, ticks)
    }));
    let message = IN_RUN.with(|r| r.borrow_mut().take()).unwrap_or_default();
    match result {
        Ok((run, ticks)) => format_run(plan, spec, index, params, &run, &ticks),
        Err(_) => {
            let mut failure = Vec::new();
            push_run_id(
                &mut failure,
                spec.run,
                spec.point,
                spec.replicate,
                spec.seed,
            );
            failure.push(b',');
            table::push_text(&mut failure, &message);
            failure.push(b'\n');
            Finished {
                index,
                runs: Vec::new(),
                ticks: Vec::new(),
                failure,
            }
        }
    }
}

fn format_run(
    plan: &Plan,
    spec: RunSpec,
    index: u64,
    params: &[u8],
    run: &[f64],
    ticks: &[f64],
) -> Finished {
    let run_metrics: &[Metric] = model::run_metrics(plan.scenario.model);
    let tick_metrics: &[Metric] = model::tick_metrics(plan.scenario.model);
    let mut runs = Vec::with_capacity(64 + 20 * run.len());
    push_run_id(&mut runs, spec.run, spec.point, spec.replicate, spec.seed);
    runs.extend_from_slice(params);
    for (m, x) in run_metrics.iter().zip(run) {
        runs.push(b',');
        push_metric(&mut runs, m.kind, *x);
    }
    runs.push(b'\n');
    let width = tick_metrics.len() + 1;
    let mut out = Vec::with_capacity(ticks.len() * 20);
    for row in ticks.chunks_exact(width) {
        table::push_u64(&mut out, spec.run);
        out.push(b',');
        table::push_u64(&mut out, spec.point);
        out.push(b',');
        table::push_u64(&mut out, u64::from(spec.replicate));
        out.push(b',');
        table::push_u64(&mut out, row[0] as u64);
        for (m, x) in tick_metrics.iter().zip(&row[1..]) {
            out.push(b',');
            push_metric(&mut out, m.kind, *x);
        }
        out.push(b'\n');
    }
    Finished {
        index,
        runs,
        ticks: out,
        failure: Vec::new(),
    }
}

/// The three `.part` files and the bookkeeping of what is in them.
struct Writer {
    files: [PartFile; 3],
    journal: Journal,
    checkpoint: Checkpoint,
    out: PathBuf,
    last_checkpoint: Instant,
    failures: Vec<(u64, u64, String)>,
}

impl Writer {
    fn write(&mut self, f: &Finished) -> Result<()> {
        if f.failure.is_empty() {
            self.files[1].append(&f.ticks)?;
            self.files[0].append(&f.runs)?;
        } else {
            self.files[2].append(&f.failure)?;
            self.checkpoint.failed += 1;
            self.failures.extend(failure_of(&f.failure));
        }
        self.checkpoint.done += 1;
        self.checkpoint.lens = [
            self.files[0].len(),
            self.files[1].len(),
            self.files[2].len(),
        ];
        if self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            self.save_checkpoint()?;
        }
        Ok(())
    }

    fn save_checkpoint(&mut self) -> Result<()> {
        for f in &self.files {
            f.sync()?;
        }
        resume::save_checkpoint(&self.out, &self.checkpoint)?;
        self.last_checkpoint = Instant::now();
        Ok(())
    }
}

/// (run, seed, message) of a `failures.csv` row.
fn failure_of(row: &[u8]) -> Option<(u64, u64, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row);
    let record = reader.records().next()?.ok()?;
    Some((
        record.get(0)?.parse().ok()?,
        record.get(3)?.parse().ok()?,
        record.get(4)?.to_string(),
    ))
}

/// Removes the files a previous run of this folder wrote (only those).
fn clear_folder(out: &Path) -> Result<()> {
    for name in OWNED_FILES {
        for p in [out.join(name), part_path(&out.join(name))] {
            if p.exists() {
                fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
            }
        }
    }
    let state = resume::state_dir(out);
    for name in ["journal", "checkpoint"] {
        let _ = fs::remove_file(state.join(name));
    }
    let plots = out.join("plots");
    if let Ok(entries) = fs::read_dir(&plots) {
        for e in entries.flatten() {
            let p = e.path();
            if matches!(p.extension().and_then(|x| x.to_str()), Some("png" | "svg")) {
                let _ = fs::remove_file(p);
            }
        }
    }
    Ok(())
}

/// Executes `plan` into `opts.out`. See the module documentation.
pub fn execute(
    plan: &Plan,
    opts: &Options,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> Result<Outcome> {
    install_panic_hook();
    let out = &opts.out;
    fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let _lock = FolderLock::acquire(out)?;
    let fingerprint = plan.scenario.fingerprint();
    let shard = plan.shard.map(|s| (s.index, s.count));
    let model = plan.scenario.model;
    let run_metrics = model::run_metrics(model);
    let tick_metrics = model::tick_metrics(model);
    let headers = [
        table::runs_header(&plan.design.columns, run_metrics),
        table::ticks_header(tick_metrics),
        table::failures_header(),
    ];
    let ticks_enabled = plan.scenario.output.ticks_every > 0;

    // What is in the folder already?
    let existing = manifest::read(out);
    let has_parts = OWNED_FILES.iter().any(|n| part_path(&out.join(n)).exists());
    let mut started = manifest::now();
    let mut resume_from = None;
    match (&existing, opts.resume) {
        (Some(e), true) if e.fingerprint != fingerprint || e.shard != shard => {
            let what = if e.fingerprint != fingerprint {
                "a different scenario"
            } else {
                "a different shard"
            };
            return Err(FolderError(format!(
                "cannot resume: {} holds results of {what} (fingerprint {} {}, now {} {}); \
                 use the scenario it was started with, or another --out",
                out.display(),
                e.fingerprint,
                e.shard
                    .map(|(k, n)| format!("shard {k}/{n}"))
                    .unwrap_or_default(),
                fingerprint,
                shard
                    .map(|(k, n)| format!("shard {k}/{n}"))
                    .unwrap_or_default(),
            ))
            .into());
        }
        (Some(e), true) if e.status == Status::Complete => {
            return Ok(Outcome {
                done: plan.len(),
                total: plan.len(),
                computed: 0,
                failures: Vec::new(),
                complete: true,
                already_complete: true,
            });
        }
        (Some(_), true) => resume_from = Some(resume::load_checkpoint(out).unwrap_or_default()),
        (Some(e), false) if e.status != Status::Complete && has_parts && !opts.fresh => {
            return Err(FolderError(format!(
                "{} holds an unfinished {} ({}); add --resume to finish it, or --fresh to discard it and start over",
                out.display(),
                if e.command.is_empty() { "sweep".to_string() } else { e.command.clone() },
                match e.status {
                    Status::Interrupted => "interrupted",
                    _ => "stopped while running",
                }
            ))
            .into());
        }
        _ => {}
    }
    if let (Some(e), Some(_)) = (&existing, resume_from) {
        started = e.started.clone();
    }

    let mut start = Checkpoint::default();
    let mut preloaded = BTreeMap::new();
    if let Some(cp) = resume_from {
        // Headers must be intact for anything to be kept.
        let intact = (0..3).all(|i| {
            let want = &headers[i];
            fs::read(part_path(
                &out.join(["runs.csv", "ticks.csv", "failures.csv"][i]),
            ))
            .map(|b| b.starts_with(want))
            .unwrap_or(false)
        });
        let mut from = if intact && cp.lens[0] > 0 {
            cp
        } else {
            Checkpoint {
                done: 0,
                failed: 0,
                lens: [
                    headers[0].len() as u64,
                    headers[1].len() as u64,
                    headers[2].len() as u64,
                ],
            }
        };
        if intact {
            let fields = [
                4 + plan.design.columns.len() + run_metrics.len(),
                4 + tick_metrics.len(),
                5,
            ];
            let rows = |i: u64| -> Option<u64> {
                if !ticks_enabled {
                    return Some(0);
                }
                match model {
                    crate::scenario::ModelKind::ProfessionalSpace => {
                        let s = plan.scenario_at(plan.run(i).point);
                        Some(u64::from(s.ticks.div_ceil(s.output.ticks_every)))
                    }
                    crate::scenario::ModelKind::March1991 => None,
                }
            };
            from = resume::scan(out, plan, from, fields, &rows)?;
            start = from;
        }
        preloaded = resume::read_journal(out, start.done);
    } else {
        clear_folder(out)?;
        start.lens = [
            headers[0].len() as u64,
            headers[1].len() as u64,
            headers[2].len() as u64,
        ];
    }
    write_atomic(&out.join("design.csv"), &design_table(plan))?;

    let mut manifest = Manifest {
        command: opts.command.clone(),
        command_line: opts.command_line.clone(),
        status: Status::Running,
        started,
        finished: None,
        fingerprint,
        shard,
        runs_done: start.done,
        runs_failed: start.failed,
        runs_total: plan.total_runs(),
        threads: opts.threads,
    };
    let render =
        |m: &Manifest| manifest::render(m, &plan.scenario, &plan.design, plan.replications);
    write_atomic(&out.join("manifest.json"), &render(&manifest))?;

    let files = [
        PartFile::open(
            &out.join("runs.csv"),
            if resume_from.is_some() {
                start.lens[0]
            } else {
                0
            },
            &headers[0],
        )?,
        PartFile::open(
            &out.join("ticks.csv"),
            if resume_from.is_some() {
                start.lens[1]
            } else {
                0
            },
            &headers[1],
        )?,
        PartFile::open(
            &out.join("failures.csv"),
            if resume_from.is_some() {
                start.lens[2]
            } else {
                0
            },
            &headers[2],
        )?,
    ];
    // Failures already written stay reported.
    let mut failures = Vec::new();
    if start.failed > 0
        && let Ok(text) = fs::read(part_path(&out.join("failures.csv")))
    {
        failures.extend(
            text.split_inclusive(|&b| b == b'\n')
                .skip(1)
                .filter_map(failure_of),
        );
    }
    let mut writer = Writer {
        files,
        journal: Journal::open(out)?,
        checkpoint: start,
        out: out.clone(),
        last_checkpoint: Instant::now(),
        failures,
    };
    writer.save_checkpoint()?;

    let total = plan.len();
    progress.start(total, start.done);
    let computed = AtomicU64::new(0);
    let result = run_pool(
        plan,
        opts.threads,
        &mut writer,
        preloaded,
        progress,
        stop,
        &computed,
    );
    progress.finish();
    result?;

    let done = writer.checkpoint.done;
    let complete = done == total;
    let failures = writer.failures.clone();
    writer.save_checkpoint()?;
    manifest.runs_done = done;
    manifest.runs_failed = writer.checkpoint.failed;
    manifest.finished = Some(manifest::now());
    if complete {
        let Writer { files, journal, .. } = writer;
        let [runs, ticks, fails] = files;
        if ticks_enabled {
            ticks.commit()?;
        } else {
            drop(ticks);
            let _ = fs::remove_file(part_path(&out.join("ticks.csv")));
        }
        if manifest.runs_failed > 0 {
            fails.commit()?;
        } else {
            drop(fails);
            let _ = fs::remove_file(part_path(&out.join("failures.csv")));
        }
        runs.commit()?;
        journal.remove();
        if plan.shard.is_none() {
            aggregate::write_aggregate(out, plan)?;
            if manifest.runs_failed == 0 {
                super::indices::write_indices(out, plan)?;
            }
        }
        manifest.status = Status::Complete;
        write_atomic(&out.join("manifest.json"), &render(&manifest))?;
        let _ = fs::remove_file(resume::state_dir(out).join("checkpoint"));
    } else {
        manifest.status = Status::Interrupted;
        write_atomic(&out.join("manifest.json"), &render(&manifest))?;
    }
    Ok(Outcome {
        done,
        total,
        computed: computed.load(Ordering::Relaxed),
        failures,
        complete,
        already_complete: false,
    })
}

/// `design.csv`.
fn design_table(plan: &Plan) -> Vec<u8> {
    let mut buf = table::design_header(&plan.design.columns);
    for i in 0..plan.design.len() {
        table::push_u64(&mut buf, i);
        for v in &plan.design.point(i).values {
            buf.push(b',');
            push_value(&mut buf, v);
        }
        buf.push(b'\n');
    }
    buf
}

/// Workers on a pool, the writer on this thread.
fn run_pool(
    plan: &Plan,
    threads: usize,
    writer: &mut Writer,
    mut pending: BTreeMap<u64, Finished>,
    progress: &dyn Progress,
    stop: &AtomicBool,
    computed: &AtomicU64,
) -> Result<()> {
    let threads = threads.max(1);
    let window = (4 * threads as u64).max(8);
    let total = plan.len();
    let first = writer.checkpoint.done;
    let next = AtomicU64::new(first);
    let committed = (Mutex::new(first), Condvar::new());
    let skip: Vec<u64> = pending.keys().copied().collect();
    let fail = injected_failures();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("profspace-run-{i}"))
        .build()
        .context("cannot start the worker threads")?;
    let (tx, rx) = mpsc::sync_channel::<Finished>(window as usize);
    let mut error = None;
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, committed, skip, fail) = (&next, &committed, &skip, &fail);
            scope.spawn(move |_| {
                let mut cache = None;
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    if skip.binary_search(&i).is_ok() {
                        continue;
                    }
                    // Bound the reorder buffer: wait while far ahead of the writer.
                    {
                        let (lock, cv) = committed;
                        let mut c = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *c + window && !stop.load(Ordering::Relaxed) {
                            c = cv
                                .wait_timeout(c, Duration::from_millis(50))
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let f = perform(plan, i, &mut cache, fail);
                    computed.fetch_add(1, Ordering::Relaxed);
                    if tx.send(f).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let write_ready =
            |writer: &mut Writer, pending: &mut BTreeMap<u64, Finished>| -> Result<()> {
                while let Some(f) = pending.remove(&writer.checkpoint.done) {
                    writer.write(&f)?;
                    progress.advance(writer.checkpoint.done);
                }
                if pending.is_empty() {
                    writer.journal.clear()?;
                }
                let (lock, cv) = &committed;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = writer.checkpoint.done;
                cv.notify_all();
                Ok(())
            };
        let mut body = || -> Result<()> {
            write_ready(writer, &mut pending)?;
            for f in rx.iter() {
                if f.index == writer.checkpoint.done {
                    pending.insert(f.index, f);
                } else {
                    writer.journal.append(&f)?;
                    pending.insert(f.index, f);
                    continue;
                }
                write_ready(writer, &mut pending)?;
            }
            Ok(())
        };
        if let Err(e) = body() {
            // Stop the workers; the error is reported after they finish.
            stop.store(true, Ordering::Relaxed);
            for _ in rx.iter() {}
            error = Some(e);
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    if writer.checkpoint.done < total && !stop.load(Ordering::Relaxed) {
        bail!(
            "internal error: the sweep ended with {} of {} runs written",
            writer.checkpoint.done,
            total
        );
    }
    Ok(())
}
