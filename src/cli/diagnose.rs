//! `profspace diagnose` and `profspace advise`: a team survey to each
//! team's manager in words, and the lever to pull first, with the library's
//! calibration engine doing the work.

use super::args::{AdviseArgs, DiagnoseArgs};
use super::calibrate::Watcher;
use super::exit;
use super::shared::{
    command_line, load, resume_command, stop_on_signals, stopped_code, threads_of,
};
use anyhow::Result;
use profspace::calibrate::diagnose::{self, Diagnosis, TeamWatch};
use profspace::calibrate::survey::Team;
use profspace::calibrate::{Outcome, advise};
use profspace::output::tables;
use profspace::scenario::{self, sanitize_name};
use profspace::sweep::Options;
use std::io::IsTerminal;
use std::path::PathBuf;

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

impl DiagnoseArgs {
    /// `profspace diagnose SURVEY`: a calibration per team into one folder,
    /// then each team's diagnosis in words and the charts.
    pub(crate) fn run(self) -> Result<i32> {
        let (survey, args) = (&self.survey, &self.folder);
        let n = threads_of(args.threads)?;
        let s = load(
            self.scenario.as_deref(),
            (scenario::DEFAULT_SCENARIO, "default"),
            &self.set,
            n,
        )?;
        let d = Diagnosis::new(&s, survey, self.scale.unwrap_or_default())?;
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
            errln!(
                "stopped: every finished team and every accepted particle is kept in {}.\nto finish: {}",
                out.display(),
                resume_command()
            );
            return Ok(stopped_code(done.stopped_by));
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
            out.join(tables::DIAGNOSIS.file).display()
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
}

impl AdviseArgs {
    /// `profspace advise DIR`: each lever moved up and down on the
    /// posterior draws, the advice in words and `advice.csv`.
    pub(crate) fn run(self) -> Result<i32> {
        let (dir, step, metric, draws) = (&self.dir, self.step, self.metric, self.draws);
        let n = threads_of(self.threads)?;
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
            dir.join(tables::ADVICE.file).display()
        );
        if !self.no_plots {
            match profspace::plot::plot_advice(
                dir,
                &dir.join("plots"),
                profspace::plot::Format::Png,
            ) {
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
}
