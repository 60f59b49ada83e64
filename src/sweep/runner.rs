//! Executes a plan: workers on a rayon pool take runs in canonical order,
//! a single writer (the calling thread) streams the results to disk in that
//! order, so the bytes do not depend on the number of threads, and memory
//! is bounded by a small reorder window however many runs there are.
//!
//! A run that panics is caught and recorded in `failures.csv`; the sweep
//! goes on. A stop request ([`Stop`], e.g. a signal) stops workers from
//! taking new runs; what finished is kept and `--resume` completes the rest.
//!
//! Before anything is written, the folder is checked: finished results of
//! another scenario, or files profspace did not write, are never replaced
//! without `overwrite` (or kept in `previous/` with `keep_previous`); a
//! resumed folder is verified run by run (see `resume`), a finished one
//! against the digests in its manifest; and the tables must fit on the
//! disk.

use super::resume::{self, Checkpoint, Finished, Index, Journal};
use super::stop::{Reason, Stop};
use super::{Plan, RunSpec};
use crate::error::{Error, IoContext, Result};
use crate::model::Recorded;
use crate::observe::Metric;
use crate::output::folder::{Layout, N_STREAMED, ResultFolder, STREAMED, Streams};
use crate::output::manifest::{self, Existing, FileDigest, Manifest, Read, Status};
use crate::output::table::{self, push_metric, push_run_id};
use crate::output::tables::{self, DESIGN};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Replace finished results of another scenario, or files profspace
    /// did not write, in `out`.
    pub overwrite: bool,
    /// Keep finished results of another scenario in `out/previous/`
    /// instead of refusing (the default output folder does).
    pub keep_previous: bool,
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
    /// What stopped an incomplete execution.
    pub stopped_by: Option<Reason>,
    /// What was found and done to the folder before the runs (repairs,
    /// results kept in `previous/`), for the user.
    pub notes: Vec<String>,
}

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

/// The scenario of the point a worker is on, and its parameter values as
/// CSV fields (`,v1,v2…`); an error when the point cannot be set up.
type PointCache = Option<(u64, Result<crate::scenario::Scenario>, Vec<u8>)>;

/// Runs one simulation and formats its rows (in the worker thread); the run
/// may use `threads` threads of the pool for itself.
fn perform(
    plan: &Plan,
    index: u64,
    cache: &mut PointCache,
    fail: &[u64],
    threads: usize,
) -> Finished {
    let spec = plan.run(index);
    if cache.as_ref().is_none_or(|(p, _, _)| *p != spec.point) {
        let fields = plan.point_fields(spec.point);
        *cache = Some((spec.point, plan.scenario_at(spec.point), fields));
    }
    let Some((_, scenario, params)) = cache.as_ref() else {
        return failed(spec, index, "internal error: no scenario for the run");
    };
    let scenario = match scenario {
        Ok(s) => s,
        Err(e) => return failed(spec, index, &format!("internal error: {e}")),
    };
    let result = catch_run(|| {
        if fail.contains(&spec.run) {
            panic!("injected failure (PROFSPACE_FAIL_RUNS)");
        }
        let mut out = Recorded::default();
        let rec = crate::model::Recording {
            threads,
            ..scenario.output.recording()
        };
        let run = scenario
            .model
            .simulate(&scenario.params, spec.seed, rec, &mut out);
        (run, out)
    });
    match result {
        Ok((run, out)) => format_run(plan, spec, index, params, &run, &out),
        Err(e) => failed(spec, index, &e.to_string()),
    }
}

/// Runs `f` (a model run) with its panic caught and kept quiet: an
/// internal error with the panic's message and place, for the user, instead
/// of a crash.
pub(crate) fn catch_run<T>(f: impl FnOnce() -> T) -> Result<T> {
    install_panic_hook();
    IN_RUN.with(|r| *r.borrow_mut() = Some(String::new()));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let message = IN_RUN.with(|r| r.borrow_mut().take()).unwrap_or_default();
    result.map_err(|_| Error::internal(message))
}

/// A failed run's `failures.csv` row.
fn failed(spec: RunSpec, index: u64, message: &str) -> Finished {
    let mut failure = Vec::new();
    push_run_id(
        &mut failure,
        spec.run,
        spec.point,
        spec.replicate,
        spec.seed,
    );
    failure.push(b',');
    table::push_text(&mut failure, message);
    failure.push(b'\n');
    let mut parts: [Vec<u8>; N_STREAMED] = Default::default();
    parts[tables::slot(&tables::FAILURES)] = failure;
    Finished { index, parts }
}

/// A run's rows in every streamed table. A model that returns rows of the
/// wrong width fails the run rather than writing a shifted row.
fn format_run(
    plan: &Plan,
    spec: RunSpec,
    index: u64,
    params: &[u8],
    run: &[f64],
    out: &Recorded,
) -> Finished {
    let model = plan.scenario.model;
    let run_metrics = model.run_metrics();
    // The recorded tables: (their slot, rows, metrics, identifying numbers
    // after run, point, replicate).
    let recorded = STREAMED.iter().enumerate().filter_map(|(slot, t)| {
        t.rows
            .map(|r| (slot, (r.values)(out), (r.metrics)(model), r.ids))
    });
    let bad_width = recorded
        .clone()
        .any(|(_, rows, metrics, ids)| !rows.len().is_multiple_of(metrics.len() + ids));
    if run.len() != run_metrics.len() || bad_width {
        return failed(
            spec,
            index,
            &format!(
                "internal error: model {} returned {} run metrics (expected {}) or recorded rows of the wrong width",
                model.name(),
                run.len(),
                run_metrics.len(),
            ),
        );
    }
    let mut parts: [Vec<u8>; N_STREAMED] = Default::default();
    let runs = &mut parts[tables::slot(&tables::RUNS)];
    runs.reserve(64 + params.len() + 20 * run.len());
    push_run_id(runs, spec.run, spec.point, spec.replicate, spec.seed);
    runs.extend_from_slice(params);
    for (m, x) in run_metrics.iter().zip(run) {
        runs.push(b',');
        push_metric(runs, m.kind, *x);
    }
    runs.push(b'\n');
    for (slot, rows, metrics, ids) in recorded {
        parts[slot] = rows_of(spec, rows, metrics, ids);
    }
    Finished { index, parts }
}

/// CSV rows of recorded numbers: `run,point,replicate`, the `ids` whole
/// numbers each row starts with (tick, team, agent), then its metrics.
fn rows_of(spec: RunSpec, rows: &[f64], metrics: &[Metric], ids: usize) -> Vec<u8> {
    let width = metrics.len() + ids;
    let mut out = Vec::with_capacity(rows.len() * 20);
    for row in rows.chunks_exact(width) {
        table::push_u64(&mut out, spec.run);
        out.push(b',');
        table::push_u64(&mut out, spec.point);
        out.push(b',');
        table::push_u64(&mut out, u64::from(spec.replicate));
        for &id in &row[..ids] {
            out.push(b',');
            table::push_u64(&mut out, id as u64);
        }
        for (m, x) in metrics.iter().zip(&row[ids..]) {
            out.push(b',');
            push_metric(&mut out, m.kind, *x);
        }
        out.push(b'\n');
    }
    out
}

/// The values of a precision target's metric so far: point → replicate →
/// value (failed runs absent).
type Values = BTreeMap<u64, BTreeMap<u32, f64>>;

/// The `.part` files and the bookkeeping of what is in them.
struct Writer {
    streams: Streams,
    index: Index,
    journal: Journal,
    checkpoint: Checkpoint,
    last_sync: Instant,
    failures: Vec<(u64, u64, String)>,
    /// With a precision target: the column of its metric in `runs.csv`, and
    /// the values written so far.
    target: Option<(usize, Values)>,
}

/// Reads (point, replicate, value of column `col`) from a `runs.csv` row.
fn target_value(row: &[u8], col: usize) -> Option<(u64, u32, f64)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row);
    let record = reader.byte_records().next()?.ok()?;
    let text = |i: usize| std::str::from_utf8(record.get(i)?).ok();
    Some((
        text(1)?.parse().ok()?,
        text(2)?.parse().ok()?,
        text(col)?.parse().unwrap_or(f64::NAN),
    ))
}

impl Writer {
    fn open(folder: &ResultFolder, layout: &Layout, start: &Start) -> Result<Writer> {
        let keep = start.keep.then_some(start.checkpoint.lens);
        let streams = folder.open_streams(layout, keep)?;
        // Failures already written stay reported.
        let mut failures = Vec::new();
        if start.checkpoint.failed > 0
            && let Ok(text) = std::fs::read(crate::output::part_path(
                &folder.file(crate::output::tables::FAILURES.file),
            ))
        {
            failures.extend(
                text.split_inclusive(|&b| b == b'\n')
                    .skip(1)
                    .filter_map(failure_of),
            );
        }
        let mut writer = Writer {
            checkpoint: Checkpoint {
                lens: streams.lens(),
                ..start.checkpoint
            },
            streams,
            index: Index::open(folder, start.index_len)?,
            journal: Journal::open(folder)?,
            last_sync: Instant::now(),
            failures,
            target: None,
        };
        writer.sync()?;
        Ok(writer)
    }

    /// Follows a precision target's metric in column `col`, starting from
    /// the rows already in `runs.csv.part` (a resumed sweep).
    fn follow(&mut self, folder: &ResultFolder, col: usize) -> Result<()> {
        let path = crate::output::part_path(&folder.file(tables::RUNS.file));
        let len = self.checkpoint.lens[tables::slot(&tables::RUNS)] as usize;
        let bytes = std::fs::read(&path).at("read", &path)?;
        let mut values = Values::new();
        for row in bytes[..len.min(bytes.len())]
            .split_inclusive(|&b| b == b'\n')
            .skip(1)
        {
            if let Some((point, rep, x)) = target_value(row, col) {
                values.entry(point).or_default().insert(rep, x);
            }
        }
        self.target = Some((col, values));
        Ok(())
    }

    /// Appends a run's rows, then its index line.
    fn write(&mut self, f: &Finished) -> Result<()> {
        for (file, part) in self.streams.files.iter_mut().zip(&f.parts) {
            if !part.is_empty() {
                file.append(part)?;
            }
        }
        if f.failed() {
            self.checkpoint.failed += 1;
            self.failures
                .extend(failure_of(&f.parts[tables::slot(&tables::FAILURES)]));
        } else if let Some((col, values)) = &mut self.target
            && let Some((point, rep, x)) = target_value(&f.parts[tables::slot(&tables::RUNS)], *col)
        {
            values.entry(point).or_default().insert(rep, x);
        }
        self.index.append(f)?;
        self.checkpoint.done += 1;
        self.checkpoint.lens = self.streams.lens();
        if self.last_sync.elapsed() >= CHECKPOINT_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    /// Flushes the tables to disk, then the index that covers them.
    fn sync(&mut self) -> Result<()> {
        self.streams.sync()?;
        self.index.sync()?;
        self.last_sync = Instant::now();
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

/// Where an execution starts.
struct Start {
    /// What is on disk already (nothing, for a fresh start).
    checkpoint: Checkpoint,
    /// Bytes of the index that cover it.
    index_len: u64,
    /// Whether the `.part` files are kept up to `checkpoint.lens`.
    keep: bool,
    /// When the folder was started.
    started: String,
    /// Runs finished out of order in an earlier session (the journal).
    pending: BTreeMap<u64, Finished>,
    /// What was found and done, for the user.
    notes: Vec<String>,
    /// The digests of the finished folder of the same scenario that this
    /// execution computes again (its analyses are kept when the results
    /// come out the same).
    again: Option<Vec<FileDigest>>,
}

impl Start {
    fn fresh(layout: &Layout, notes: Vec<String>) -> Start {
        Start {
            checkpoint: Checkpoint {
                lens: layout.header_lens(),
                ..Checkpoint::default()
            },
            index_len: 0,
            keep: false,
            started: manifest::now(),
            pending: BTreeMap::new(),
            notes,
            again: None,
        }
    }
}

/// After a finished folder of the same scenario was computed again: when
/// its `table` came out different (another profspace version), the
/// analyses later commands made from the old results are moved to
/// `previous/`, and a note says so; when the same, they stay.
pub(crate) fn check_again(
    folder: &ResultFolder,
    old: &[FileDigest],
    new: &[FileDigest],
    table: &str,
) -> Result<Option<String>> {
    let digest = |files: &[FileDigest]| files.iter().find(|f| f.name == table).cloned();
    if digest(old) == digest(new) || !folder.has_analyses() {
        return Ok(None);
    }
    Ok(folder.analyses_to_previous()?.map(|p| {
        format!(
            "{table} came out different from the last run of this scenario (another profspace \
             version?): the analyses made from the old results are kept in {}",
            p.display()
        )
    }))
}

/// What to do with a result folder before a command writes into it.
pub(crate) enum Decision {
    /// Start afresh: the folder's own files are removed (notes say what
    /// was kept elsewhere).
    Fresh(Vec<String>),
    /// Continue the unfinished work of the same scenario (`--resume`).
    Resume(Box<Existing>),
    /// `--resume` on a finished folder of the same scenario.
    Complete(Box<Existing>),
    /// A finished folder of the same scenario, to compute again: its
    /// results are removed, the analyses later commands made from them and
    /// the charts are kept (see [`check_again`]).
    Again(Box<Existing>),
}

/// Decides what to do with what is in the folder: refuse, report it
/// complete, resume it, or start afresh (keeping or replacing what was
/// there only as `opts` allows). `differs` says how an existing folder's
/// work differs from the command's (`None`: the same work); `unfinished`
/// whether unfinished work of it is on disk.
pub(crate) fn decide(
    folder: &ResultFolder,
    opts: &Options,
    differs: &dyn Fn(&Existing) -> Option<String>,
    unfinished: &dyn Fn() -> bool,
) -> Result<Decision> {
    let dir = folder.dir().display().to_string();
    let fresh = |notes: Vec<String>| -> Result<Decision> {
        folder.clear()?;
        Ok(Decision::Fresh(notes))
    };
    let existing = match folder.manifest() {
        Read::Found(e) => e,
        Read::Unreadable(why) if !opts.overwrite => {
            return Err(Error::folder(format!(
                "{dir} holds a manifest.json that profspace cannot read ({why}); choose another \
                 --out, or add --overwrite to replace what is there"
            )));
        }
        Read::Unreadable(_) => return fresh(Vec::new()),
        Read::Missing => {
            let foreign = folder.foreign_entries();
            if !foreign.is_empty() && !opts.overwrite {
                let shown: Vec<String> = foreign.iter().take(5).cloned().collect();
                return Err(Error::folder(format!(
                    "{dir} holds files that profspace did not write ({}{}); choose an empty or new \
                     folder with --out, or add --overwrite to write into it (files named like \
                     profspace's tables and charts are replaced)",
                    shown.join(", "),
                    if foreign.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                )));
            }
            return fresh(Vec::new());
        }
    };
    let difference = differs(&existing);
    if opts.resume {
        if let Some(what) = difference {
            return Err(Error::folder(format!(
                "cannot resume: {dir} holds results of {what}; use the scenario it was started \
                 with, or another --out"
            )));
        }
        return Ok(if existing.status == Status::Complete {
            Decision::Complete(existing)
        } else {
            Decision::Resume(existing)
        });
    }
    let same = difference.is_none();
    match existing.status {
        Status::Complete if same => {
            folder.clear_results()?;
            Ok(Decision::Again(existing))
        }
        Status::Complete if opts.overwrite => fresh(Vec::new()),
        Status::Complete if opts.keep_previous => {
            let kept = folder.keep_as_previous()?;
            let note = format!(
                "the scenario changed: the results of the previous one are kept in {}",
                kept.display()
            );
            fresh(vec![note])
        }
        Status::Complete => Err(Error::folder(format!(
            "{dir} holds the finished results of another scenario ({} started {}); choose another \
             --out, or add --overwrite to replace them",
            if existing.command.is_empty() {
                "a run"
            } else {
                &existing.command
            },
            existing.started
        ))),
        _ if unfinished() && !opts.fresh => Err(Error::folder(format!(
            "{dir} holds an unfinished {} of {} ({}); {}",
            existing.command,
            if same {
                "this scenario"
            } else {
                "another scenario"
            },
            match existing.status {
                Status::Interrupted => "interrupted",
                _ => "stopped while running",
            },
            if same {
                "add --resume to finish it, or --fresh to discard it and start over"
            } else {
                "add --fresh to discard it, or choose another --out"
            }
        ))),
        _ => fresh(Vec::new()),
    }
}

/// Decides what to do with what is in the folder (see [`decide`]):
/// `None` when it is complete already.
fn prepare(
    folder: &ResultFolder,
    plan: &Plan,
    layout: &Layout,
    opts: &Options,
) -> Result<Option<Start>> {
    let fingerprint = plan.scenario.fingerprint();
    let shard = plan.shard.map(|s| (s.index, s.count));
    let differs = |e: &Existing| -> Option<String> {
        let shard_text = |s: Option<(u64, u64)>| {
            s.map(|(k, n)| format!(" shard {k}/{n}"))
                .unwrap_or_default()
        };
        let what = if e.fingerprint != fingerprint {
            "a different scenario"
        } else if e.shard != shard {
            "a different shard"
        } else {
            return None;
        };
        Some(format!(
            "{what} (fingerprint {}{}, now {fingerprint}{})",
            e.fingerprint,
            shard_text(e.shard),
            shard_text(shard),
        ))
    };
    match decide(folder, opts, &differs, &|| folder.has_parts())? {
        Decision::Fresh(notes) => Ok(Some(Start::fresh(layout, notes))),
        Decision::Again(e) => Ok(Some(Start {
            again: Some(e.files.clone()),
            ..Start::fresh(layout, Vec::new())
        })),
        Decision::Complete(e) => {
            folder.verify(&e.files).map_err(|err| {
                Error::folder(format!(
                    "{err}. Run the same command without --resume to compute the results again"
                ))
            })?;
            Ok(None)
        }
        Decision::Resume(e) => {
            let found = resume::recover(folder, plan, layout)?;
            Ok(Some(Start {
                checkpoint: found.checkpoint,
                index_len: found.index_len,
                keep: found.keep,
                started: e.started.clone(),
                pending: found.pending,
                notes: found.notes,
                again: None,
            }))
        }
    }
}

/// Refuses to start when the tables would not fit on the disk (before
/// anything in the folder is touched); a resumed run needs only what its
/// `.part` files do not hold yet.
fn check_space(folder: &ResultFolder, plan: &Plan, resume: bool) -> Result<()> {
    let written: u64 = if resume {
        crate::output::folder::STREAMED
            .iter()
            .filter_map(|t| std::fs::metadata(crate::output::part_path(&folder.file(t.file))).ok())
            .map(|m| m.len())
            .sum()
    } else {
        0
    };
    let need = plan.estimated_output().total().saturating_sub(written);
    match folder.free_space() {
        Some(free) if need > free => Err(Error::usage(format!(
            "the tables of this run need about {} but {} has {} free; {}",
            crate::scenario::human_bytes(need),
            folder.dir().display(),
            crate::scenario::human_bytes(free),
            super::SMALLER
        ))),
        _ => Ok(()),
    }
}

/// Executes `plan` into `opts.out`. See the module documentation.
pub fn execute(
    plan: &Plan,
    opts: &Options,
    progress: &dyn Progress,
    stop: &Stop,
) -> Result<Outcome> {
    install_panic_hook();
    if plan.rounds.is_some() && plan.shard.is_some() {
        return Err(Error::usage(
            "a sweep with [sweep] target_ci95 decides its runs round by round, so it cannot be \
             split into shards; run it whole",
        ));
    }
    let mut plan = plan.clone();
    let folder = ResultFolder::new(&opts.out);
    check_space(&folder, &plan, opts.resume)?;
    folder.create()?;
    let _lock = folder.lock()?;
    let layout = plan.layout();
    let Some(mut start) = prepare(&folder, &plan, &layout, opts)? else {
        return Ok(Outcome {
            done: plan.len(),
            total: plan.len(),
            computed: 0,
            failures: Vec::new(),
            complete: true,
            already_complete: true,
            stopped_by: None,
            notes: Vec::new(),
        });
    };
    folder.write(DESIGN.file, &design_table(&plan))?;
    let mut writer = Writer::open(&folder, &layout, &start)?;
    follow_target(&folder, &layout, &mut plan, &mut writer)?;
    let mut manifest = running_manifest(&plan, opts, &start);
    super::write_manifest(&folder, &plan, &manifest)?;
    let computed = AtomicU64::new(0);
    let mut pending = std::mem::take(&mut start.pending);
    loop {
        progress.start(plan.len(), writer.checkpoint.done);
        let pool = Pool {
            plan: &plan,
            threads: opts.threads,
            stop,
            computed: &computed,
        };
        let result = pool.run(&mut writer, std::mem::take(&mut pending), progress);
        if let Err(e) = result {
            progress.finish();
            return Err(e);
        }
        if stop.requested() || !plan.next_round(target_values(&writer)) {
            break;
        }
        manifest.runs_total = plan.total_runs();
        super::write_manifest(&folder, &plan, &manifest)?;
    }
    progress.finish();
    let mut outcome = conclude(&folder, &plan, writer, &mut manifest, &start, stop)?;
    outcome.computed = computed.load(Ordering::Relaxed);
    Ok(outcome)
}

/// With a precision target, has the writer follow the target metric's
/// column of `runs.csv`; a resumed sweep plans again the rounds it had
/// finished.
fn follow_target(
    folder: &ResultFolder,
    layout: &Layout,
    plan: &mut Plan,
    writer: &mut Writer,
) -> Result<()> {
    let Some(rounds) = &plan.rounds else {
        return Ok(());
    };
    let metrics = plan.scenario.model.run_metrics();
    let col = metrics
        .iter()
        .position(|m| m.name == rounds.target.metric)
        .ok_or_else(|| Error::internal("the precision target's metric is not a run metric"))?;
    writer.follow(folder, layout.first_run_metric + col)?;
    while writer.checkpoint.done >= plan.len() && plan.next_round(target_values(writer)) {}
    Ok(())
}

/// The manifest of a run set that has started (or resumed) at `start`.
fn running_manifest(plan: &Plan, opts: &Options, start: &Start) -> Manifest {
    let fingerprint = plan.scenario.fingerprint();
    let started = start.started.clone();
    Manifest {
        shard: plan.shard.map(|s| (s.index, s.count)),
        runs_done: start.checkpoint.done,
        runs_failed: start.checkpoint.failed,
        runs_total: plan.total_runs(),
        ..Manifest::running(
            &opts.command,
            &opts.command_line,
            started,
            &fingerprint,
            opts.threads,
        )
    }
}

/// After the runs: a complete set is finished (final names, aggregate,
/// digests, and the comparison with the results it replaces); an
/// interrupted one says so in its manifest. The outcome, without the count
/// of runs computed.
fn conclude(
    folder: &ResultFolder,
    plan: &Plan,
    mut writer: Writer,
    manifest: &mut Manifest,
    start: &Start,
    stop: &Stop,
) -> Result<Outcome> {
    let mut notes = start.notes.clone();
    let total = plan.len();
    let done = writer.checkpoint.done;
    let failures = writer.failures.clone();
    writer.sync()?;
    manifest.runs_done = done;
    manifest.runs_failed = writer.checkpoint.failed;
    manifest.runs_total = plan.total_runs();
    manifest.finished = Some(manifest::now());
    // With a precision target, a stop between rounds leaves rounds to plan.
    let complete = done == total && (plan.rounds.is_none() || !stop.requested());
    if complete {
        let Writer {
            streams,
            journal,
            index,
            ..
        } = writer;
        journal.remove();
        super::finish(folder, plan, streams, manifest)?;
        index.remove();
        if let Some(old) = &start.again {
            notes.extend(check_again(
                folder,
                old,
                &manifest.files,
                tables::RUNS.file,
            )?);
        }
    } else {
        manifest.status = Status::Interrupted;
        manifest.interrupted_by = stop.reason().map(|r| r.name().to_string());
        super::write_manifest(folder, plan, manifest)?;
    }
    Ok(Outcome {
        done,
        total,
        computed: 0,
        failures,
        complete,
        already_complete: false,
        stopped_by: if complete { None } else { stop.reason() },
        notes,
    })
}

/// The precision target's values written so far (none without a target).
fn target_values(writer: &Writer) -> &Values {
    static NONE: Values = Values::new();
    writer.target.as_ref().map_or(&NONE, |(_, v)| v)
}

/// `design.csv`.
fn design_table(plan: &Plan) -> Vec<u8> {
    let mut buf = table::design_header(&plan.design.table_columns());
    for i in 0..plan.design.len() {
        table::push_u64(&mut buf, i);
        buf.extend_from_slice(&plan.point_fields(i));
        buf.push(b'\n');
    }
    buf
}

/// What the workers share: the next run to take, the last run written (and
/// its condition variable), the runs the journal already holds, and the
/// runs that must fail on purpose.
type Shared<'a> = (
    &'a AtomicU64,
    &'a (Mutex<u64>, Condvar),
    &'a [u64],
    &'a [u64],
);

/// The workers and what they share: the only place that spawns threads.
struct Pool<'a> {
    plan: &'a Plan,
    threads: usize,
    stop: &'a Stop,
    computed: &'a AtomicU64,
}

impl Pool<'_> {
    /// Workers on a pool, the writer on this thread; `pending` holds runs
    /// finished out of order in an earlier session.
    fn run(
        &self,
        writer: &mut Writer,
        mut pending: BTreeMap<u64, Finished>,
        progress: &dyn Progress,
    ) -> Result<()> {
        let threads = self.threads.max(1);
        let window = (4 * threads as u64).max(8);
        let first = writer.checkpoint.done;
        let next = AtomicU64::new(first);
        let committed = (Mutex::new(first), Condvar::new());
        let skip: Vec<u64> = pending.keys().copied().collect();
        let fail = injected_failures();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("profspace-run-{i}"))
            .build()
            .map_err(|e| Error::internal(format!("cannot start the worker threads: {e}")))?;
        let (tx, rx) = mpsc::sync_channel::<Finished>(window as usize);
        let mut error = None;
        pool.in_place_scope(|scope| {
            for _ in 0..threads {
                let tx = tx.clone();
                let shared = (&next, &committed, skip.as_slice(), fail.as_slice());
                scope.spawn(move |_| self.work(shared, window, &tx));
            }
            drop(tx);
            if let Err(e) = self.write_all(writer, &mut pending, &rx, &committed, progress) {
                // Stop the workers; the error is reported after they finish.
                self.stop.request(Reason::Requested);
                for _ in rx.iter() {}
                error = Some(e);
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
        if writer.checkpoint.done < self.plan.len() && !self.stop.requested() {
            return Err(Error::internal(format!(
                "the sweep ended with {} of {} runs written",
                writer.checkpoint.done,
                self.plan.len()
            )));
        }
        Ok(())
    }

    /// One worker: takes the next run, waits while far ahead of the writer,
    /// performs it and sends it to the writer.
    fn work(
        &self,
        (next, committed, skip, fail): Shared<'_>,
        window: u64,
        tx: &mpsc::SyncSender<Finished>,
    ) {
        let mut cache = None;
        // With fewer runs than threads, each run gets the spare threads
        // (idle workers of this pool help it step its teams).
        let runs = usize::try_from(self.plan.len()).unwrap_or(usize::MAX);
        let per_run = (self.threads / runs.max(1)).max(1);
        loop {
            if self.stop.requested() {
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= self.plan.len() {
                break;
            }
            if skip.binary_search(&i).is_ok() {
                continue;
            }
            // Bound the reorder buffer: wait while far ahead of the writer.
            {
                let (lock, cv) = committed;
                let mut c = lock.lock().unwrap_or_else(|e| e.into_inner());
                while i >= *c + window && !self.stop.requested() {
                    c = cv
                        .wait_timeout(c, Duration::from_millis(50))
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
            if self.stop.requested() {
                break;
            }
            let f = perform(self.plan, i, &mut cache, fail, per_run);
            self.computed.fetch_add(1, Ordering::Relaxed);
            if tx.send(f).is_err() {
                break;
            }
        }
    }

    /// The writer: writes runs in order as they arrive; runs that arrive
    /// early wait in memory and in the journal.
    fn write_all(
        &self,
        writer: &mut Writer,
        pending: &mut BTreeMap<u64, Finished>,
        rx: &mpsc::Receiver<Finished>,
        committed: &(Mutex<u64>, Condvar),
        progress: &dyn Progress,
    ) -> Result<()> {
        let write_ready = |writer: &mut Writer, pending: &mut BTreeMap<u64, Finished>| {
            while let Some(f) = pending.remove(&writer.checkpoint.done) {
                writer.write(&f)?;
                progress.advance(writer.checkpoint.done);
            }
            if pending.is_empty() {
                writer.journal.clear()?;
            }
            let (lock, cv) = committed;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = writer.checkpoint.done;
            cv.notify_all();
            Ok::<(), Error>(())
        };
        write_ready(writer, pending)?;
        for f in rx.iter() {
            if f.index != writer.checkpoint.done {
                writer.journal.append(&f)?;
                pending.insert(f.index, f);
                continue;
            }
            pending.insert(f.index, f);
            write_ready(writer, pending)?;
        }
        Ok(())
    }
}
