//! `profspace diagnose` and `profspace advise`: a team survey to each
//! team's manager in words, and the lever to pull first, with the library's
//! calibration engine doing the work.

use super::args::{FolderArgs, Overrides};
use super::calibrate::Watcher;
use super::commands::{command_line, load, stop_on_signals, threads_of};
use super::exit;
use anyhow::Result;
use profspace::calibrate::diagnose::{self, Diagnosis, TeamWatch};
use profspace::calibrate::survey::{Scale, Team};
use profspace::calibrate::{Outcome, advise};
use profspace::scenario::{self, sanitize_name};
use profspace::sweep::{Options, Reason};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Says which team is being calibrated.
struct Teams;

impl TeamWatch for Teams {
    fn team(&self, index: usize, of: usize, team: &Team) {
        errln!(
            "team {} ({} of {of}, {} respondent{}):",
            team.id,
            index + 1,
            team.respondents,
            if team.respondents == 1 { "" } else { "s" }
        );
    }

    fn team_done(&self, _: &Team, outcome: &Outcome) {
        for note in &outcome.notes {
            errln!("note: {note}");
        }
        if outcome.already_complete {
            errln!("  already calibrated (its tables checked)");
        }
    }
}

/// `profspace diagnose SURVEY`.
pub(crate) fn diagnose(
    survey: &Path,
    scenario_path: Option<&Path>,
    scale: Scale,
    set: &Overrides,
    args: &FolderArgs,
) -> Result<i32> {
    let n = threads_of(args.threads)?;
    let s = load(
        scenario_path,
        (scenario::DEFAULT_SCENARIO, "default"),
        set,
        n,
    )?;
    let d = Diagnosis::new(&s, survey, scale)?;
    let stem = survey
        .file_stem()
        .and_then(|x| x.to_str())
        .unwrap_or("survey");
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(format!("diagnose-{}", sanitize_name(stem)))
    });
    let spec = d.settings();
    errln!(
        "diagnose {}: {} team{}, each a calibration of {} key{} ({} particles, up to {} generations) \
         on one team of its size, on {n} thread{} → {}",
        survey.display(),
        d.teams().len(),
        if d.teams().len() == 1 { "" } else { "s" },
        spec.priors.len(),
        if spec.priors.len() == 1 { "" } else { "s" },
        spec.particles,
        spec.generations,
        if n == 1 { "" } else { "s" },
        out.display()
    );
    let opts = Options {
        out: out.clone(),
        threads: n,
        resume: args.resume,
        fresh: args.fresh,
        overwrite: args.overwrite,
        keep_previous: args.out.is_none(),
        command: "diagnose".into(),
        command_line: command_line(),
    };
    let stop = stop_on_signals();
    let watch = Watcher::new(std::io::stderr().is_terminal());
    let done = diagnose::run(&d, &opts, &watch, &Teams, &stop)?;
    for note in &done.notes {
        errln!("note: {note}");
    }
    if !done.complete {
        let resume_cmd = command_line()
            .into_iter()
            .filter(|a| a != "--resume" && a != "--fresh")
            .chain(std::iter::once("--resume".to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        errln!(
            "stopped: every finished team and every accepted particle is kept in {}.\nto finish: {resume_cmd}",
            out.display()
        );
        return Ok(done.stopped_by.map_or(exit::INTERRUPTED, Reason::exit_code));
    }
    let read = diagnose::read(&out)?;
    let survey_words = s.model.survey();
    let situations = s.model.charts().situations;
    for (team, f) in &read.teams {
        if let Some(sv) = &survey_words {
            outln!("{}", diagnose::words(team, f, sv, situations));
        }
    }
    errln!(
        "the posterior of every team: {}",
        out.join(profspace::output::tables::DIAGNOSIS.file)
            .display()
    );
    if !args.no_plots {
        match profspace::plot::plot_diagnosis(
            &out,
            &out.join("plots"),
            profspace::plot::Format::Png,
        ) {
            Ok(files) => errln!("{} charts in {}", files.len(), out.join("plots").display()),
            Err(e) => errln!("warning: charts not drawn: {e}"),
        }
    }
    errln!("which lever to pull: profspace advise {}", out.display());
    Ok(exit::OK)
}

/// `profspace advise DIR`.
pub(crate) fn advise(
    dir: &Path,
    step: f64,
    metric: Option<String>,
    draws: u32,
    threads: Option<usize>,
    no_plots: bool,
) -> Result<i32> {
    let n = threads_of(threads)?;
    let opts = advise::Options {
        step,
        metric,
        draws,
        threads: n,
    };
    let stop = stop_on_signals();
    errln!(
        "advise {}: each lever moved by ±{step} on {draws} posterior draws, paired with the unmoved \
         draw, on {n} thread{}",
        dir.display(),
        if n == 1 { "" } else { "s" }
    );
    let a = advise::advise(dir, &opts, &stop)?;
    let teams: Vec<String> = a.moves.iter().fold(Vec::new(), |mut v, m| {
        if !v.contains(&m.team) {
            v.push(m.team.clone());
        }
        v
    });
    for team in &teams {
        outln!("{}", advise::words(&a, team));
    }
    errln!(
        "every move and its side effects: {}",
        dir.join(profspace::output::tables::ADVICE.file).display()
    );
    if !no_plots {
        match profspace::plot::plot_advice(dir, &dir.join("plots"), profspace::plot::Format::Png) {
            Ok(files) => {
                for f in files {
                    errln!("chart: {}", f.display());
                }
            }
            Err(e) => errln!("warning: chart not drawn: {e}"),
        }
    }
    Ok(exit::OK)
}
