//! What several commands share: the threads to use, the command line,
//! loading a scenario with the command line's overrides, the default output
//! folder, stopping on signals, and drawing a folder's charts with a
//! warning when they cannot be drawn.

use super::args::Overrides;
use super::{exit, usage};
use anyhow::Result;
use profspace::scenario::{Limits, Override, Scenario};
use profspace::sweep::{Reason, Stop};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// The command line as given: what a folder's manifest records, and what
/// a stopped run is resumed with.
pub(crate) fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// The overrides of the command line, in order: every `--set`, then the
/// shorthands.
fn overrides(set: &Overrides) -> Result<Vec<Override>> {
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

/// The command line again with `--resume` (and without `--fresh`): what
/// finishes a stopped run, sweep, calibration or diagnosis.
pub(crate) fn resume_command() -> String {
    command_line()
        .into_iter()
        .filter(|a| a != "--resume" && a != "--fresh")
        .chain(std::iter::once("--resume".to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit code of work that stopped before its end: the signal's, or
/// interrupted.
pub(crate) fn stopped_code(by: Option<Reason>) -> i32 {
    by.map_or(exit::INTERRUPTED, Reason::exit_code)
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

/// Draws the charts of a finished folder unless `no_plots`; a failure to
/// draw is a warning (the results are written).
pub(crate) fn draw_charts(out: &Path, no_plots: bool) {
    if no_plots {
        return;
    }
    match profspace::plot::plot_dir(out, &profspace::plot::PlotOptions::default()) {
        Ok(files) => errln!("{} charts in {}", files.len(), out.join("plots").display()),
        Err(e) => errln!("warning: charts not drawn: {e}"),
    }
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
