//! `profspace calibrate`: loads the scenario, runs the library's ABC-SMC
//! into its folder with a progress bar and a line per generation, then
//! prints the posterior read back from the folder and draws its charts.

use super::args::CalibrateArgs;
use super::shared::{
    command_line, default_out, load, resume_command, stop_on_signals, stopped_code, threads_of,
};
use super::{exit, usage};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profspace::calibrate::tables::{self, Folder, fmt2, thousands};
use profspace::calibrate::{Generation, Watch};
use profspace::scenario::Scenario;
use profspace::sweep::Options;
use std::io::IsTerminal;
use std::path::Path;

/// The progress of a calibration on stderr: a bar per phase (hidden when
/// stderr is not a terminal) and a line per finished generation.
pub(crate) struct Watcher {
    bar: ProgressBar,
}

impl Watcher {
    pub(crate) fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template("{prefix:<26} {bar:30.cyan/blue} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Watcher { bar }
    }
}

impl Watch for Watcher {
    fn phase(&self, generation: Option<u32>, epsilon: f64, total: u64, done: u64) {
        self.bar.set_prefix(match generation {
            None => "prior sample (sets ε₀)".to_string(),
            Some(g) => format!("generation {g} (ε = {})", profspace::params::sig3(epsilon)),
        });
        self.bar.set_message("particles");
        self.bar.set_length(total);
        self.bar.set_position(done);
    }

    fn advance(&self, done: u64) {
        self.bar.set_position(done);
    }

    fn generation(&self, g: &Generation) {
        self.bar.suspend(|| {
            errln!(
                "generation {}: ε = {}, {} accepted of {} simulated ({:.1}%), ESS {:.0}",
                g.index,
                profspace::params::sig3(g.epsilon),
                g.accepted,
                thousands(g.simulations),
                100.0 * g.acceptance_rate,
                g.ess
            )
        });
    }

    fn predictive(&self, total: u64) {
        self.phase(None, 0.0, total, 0);
        self.bar.set_prefix("posterior predictive");
        self.bar.set_message("draws");
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl CalibrateArgs {
    /// `profspace calibrate FILE`: the calibration into its folder, then its
    /// posterior in a table and in words, and its charts.
    pub(crate) fn run(self) -> Result<i32> {
        let (path, set, args) = (&self.scenario, &self.set, &self.folder);
        let n = threads_of(args.threads)?;
        let s = load(Some(path), ("", ""), set, n)?;
        let Some(spec) = &s.calibrate else {
            return Err(usage(format!(
                "{} has no [calibrate] section; see scenarios/calibrate.toml for one",
                path.display()
            )));
        };
        let out = args.out.clone().unwrap_or_else(|| default_out(&s));
        let opts = Options {
            out: out.clone(),
            threads: n,
            resume: args.resume,
            fresh: args.fresh,
            overwrite: args.overwrite,
            keep_previous: args.out.is_none(),
            command: "calibrate".into(),
            command_line: command_line(),
        };
        errln!(
            "calibrate {}: {} key{} to {} observed value{}, {} particles, up to {} generation{}, {} \
             run{} per particle, on {n} thread{} → {}",
            s.name,
            spec.priors.len(),
            if spec.priors.len() == 1 { "" } else { "s" },
            spec.targets.len(),
            if spec.targets.len() == 1 { "" } else { "s" },
            spec.particles,
            spec.generations,
            if spec.generations == 1 { "" } else { "s" },
            spec.replications,
            if spec.replications == 1 { "" } else { "s" },
            if n == 1 { "" } else { "s" },
            out.display()
        );
        let stop = stop_on_signals();
        let watch = Watcher::new(std::io::stderr().is_terminal());
        let outcome = profspace::calibrate::run(&s, &opts, &watch, &stop)?;
        for note in &outcome.notes {
            errln!("note: {note}");
        }
        if !outcome.complete {
            errln!(
                "stopped: every accepted particle is kept in {}; nothing finished is lost.\nto finish: {}",
                out.display(),
                resume_command()
            );
            return Ok(stopped_code(outcome.stopped_by));
        }
        if outcome.already_complete {
            errln!("{} is already complete; nothing to do", out.display());
        }
        let folder = Folder::read(&out)?;
        summary(&folder, &s);
        if !args.no_plots {
            draw(&out);
        }
        Ok(exit::OK)
    }
}

/// The posterior as a table and in words (stdout).
pub(crate) fn summary(f: &Folder, s: &Scenario) {
    let _ = s;
    outln!(
        "{:<28} {:>8} {:>8} {:>17}   prior",
        "parameter",
        "mean",
        "sd",
        "95% credible"
    );
    for (p, x) in &f.posterior {
        if p.contains(':') {
            outln!(
                "{:<28} {:>8} {:>8} {:>17}   {}",
                p,
                fmt2(x[0]),
                fmt2(x[1]),
                "(probability)",
                fmt2(x[5])
            );
        } else {
            outln!(
                "{:<28} {:>8} {:>8} {:>17}   {} ± {}",
                p,
                fmt2(x[0]),
                fmt2(x[1]),
                format!("{}–{}", fmt2(x[2]), fmt2(x[4])),
                fmt2(x[5]),
                fmt2(x[6])
            );
        }
    }
    outln!("{}", f.words());
    if let Some(e) = &f.ending {
        outln!("it stopped because {}", tables::ending_words(e));
    }
}

/// Draws the calibration's charts; a failure to draw is a warning.
pub(crate) fn draw(dir: &Path) {
    match profspace::plot::plot_calibration(dir, &dir.join("plots"), profspace::plot::Format::Png) {
        Ok(files) => errln!("{} charts in {}", files.len(), dir.join("plots").display()),
        Err(e) => errln!("warning: charts not drawn: {e}"),
    }
}
