//! From a team survey to a diagnosis: for each team, a calibration of its
//! manager's levers and of the coupling to the team's window scores, on an
//! organisation of one team of the survey's size. It reuses the
//! calibration engine: each team is one calibration in a folder of its own
//! (`team-<id>/`, resumable and checked like any calibration); this module
//! builds their scenarios and gathers their posteriors into
//! `diagnosis.csv`.

use super::survey::{self, Scale, Team};
use super::tables::{Folder, fmt2, probability};
use super::{Outcome, Watch};
use crate::error::{Error, Result};
use crate::model::Survey;
use crate::output::folder::{MANIFEST, ResultFolder};
use crate::output::manifest::{self, Manifest, Status};
use crate::output::table::{push_f64, push_text};
use crate::output::tables::DIAGNOSIS;
use crate::params::{Kind, Value};
use crate::scenario::calibrate::{Calibrate, Prior};
use crate::scenario::{Design, Scenario, fnv1a64};
use crate::sweep::{Decision, Options, Reason, Stop, decide};
use serde_json::json;
use std::path::{Path, PathBuf};

/// A diagnosis to run: the scenario teams start from, the survey read, and
/// the calibration settings every team shares.
pub struct Diagnosis {
    base: Scenario,
    survey: Survey,
    teams: Vec<Team>,
    template: Calibrate,
    source: PathBuf,
    scale: Scale,
    fingerprint: String,
}

/// The calibration settings of a diagnosis when the scenario has no
/// `[calibrate]`: 300 particles, 6 generations, the median tolerance, one
/// run per particle.
fn default_settings() -> Calibrate {
    Calibrate {
        particles: 300,
        generations: 6,
        quantile: 0.5,
        replications: 1,
        min_epsilon: None,
        min_acceptance: None,
        max_simulations: None,
        priors: Vec::new(),
        targets: Vec::new(),
        observed: None,
    }
}

impl Diagnosis {
    /// Reads the survey at `path` for the model of `base` (its `[calibrate]`
    /// section, if any, gives the settings and the priors; else every lever
    /// of the model's survey is uniform on its allowed range and the
    /// coupling a choice of its values).
    pub fn new(base: &Scenario, path: &Path, scale: Scale) -> Result<Diagnosis> {
        let survey = base.model.survey().ok_or_else(|| {
            Error::usage(format!(
                "model {} declares no survey: diagnose works on models with windows a survey \
                 measures (the professional-space model)",
                base.model.name()
            ))
        })?;
        if base.sweep.is_some() || base.sensitivity.is_some() {
            return Err(Error::usage(
                "the scenario of a diagnosis has no [sweep] or [sensitivity]: each team is \
                 calibrated on the scenario's one organisation",
            ));
        }
        let teams = survey::read(path, scale, &survey)?;
        let mut template = base.calibrate.clone().unwrap_or_else(default_settings);
        template.targets.clear();
        template.observed = None;
        if template.priors.is_empty() {
            for (key, _) in survey.levers {
                let (lo, hi) = match base.kind_of(key) {
                    Ok((Kind::Float { min, max }, _)) => (min, max),
                    _ => return Err(Error::internal(format!("lever {key} is not a real key"))),
                };
                template
                    .priors
                    .push((key.to_string(), Prior::Uniform { lo, hi }));
            }
            let (key, values) = survey.choice;
            template.priors.push((
                key.to_string(),
                Prior::Choice(
                    values
                        .iter()
                        .map(|(v, _)| Value::Text(v.to_string()))
                        .collect(),
                ),
            ));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let mut base = base.without_design();
        base.calibrate = None;
        let fingerprint = format!(
            "{:016x}",
            fnv1a64(
                format!(
                    "{}|{}|{}|{}",
                    base.fingerprint(),
                    fnv1a64(&bytes),
                    scale,
                    crate::scenario::render_resolved(&Scenario {
                        calibrate: Some(template.clone()),
                        ..base.clone()
                    })
                )
                .as_bytes()
            )
        );
        Ok(Diagnosis {
            base,
            survey,
            teams,
            template,
            source: path.to_path_buf(),
            scale,
            fingerprint,
        })
    }

    /// The teams of the survey.
    pub fn teams(&self) -> &[Team] {
        &self.teams
    }

    /// The model's survey.
    pub fn survey(&self) -> &Survey {
        &self.survey
    }

    /// The calibration settings every team shares.
    pub fn settings(&self) -> &Calibrate {
        &self.template
    }

    /// The scenario of one team: one team of its size, the survey's scores
    /// as targets.
    pub fn scenario_of(&self, team: &Team) -> Result<Scenario> {
        let mut s = self.base.clone();
        (self.survey.one_team)(&mut s.params, team.respondents)?;
        let problems = s.model.validate(&s.params, &|_| None);
        if let Some(p) = problems.first() {
            return Err(Error::usage(format!(
                "team `{}` (line {} of the survey) cannot be simulated as one team of {}: {p}",
                team.id, team.line, team.respondents
            )));
        }
        s.name = team.folder();
        s.calibrate = Some(Calibrate {
            targets: team.targets(&self.survey),
            ..self.template.clone()
        });
        Ok(s)
    }
}

/// Progress of a diagnosis: which team is being calibrated.
pub trait TeamWatch {
    /// Team `index` of `of` starts.
    fn team(&self, index: usize, of: usize, team: &Team);
    /// A team's calibration has ended.
    fn team_done(&self, team: &Team, outcome: &Outcome);
}

/// What a diagnosis achieved.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosed {
    /// Whether every team is calibrated and `diagnosis.csv` is written.
    pub complete: bool,
    /// What stopped it.
    pub stopped_by: Option<Reason>,
    /// What was found and done to the folder first.
    pub notes: Vec<String>,
}

/// Runs a diagnosis into `opts.out`: each team's calibration in its
/// folder, then `diagnosis.csv` and the manifest.
pub fn run(
    d: &Diagnosis,
    opts: &Options,
    watch: &dyn Watch,
    teams_watch: &dyn TeamWatch,
    stop: &Stop,
) -> Result<Diagnosed> {
    let folder = ResultFolder::new(&opts.out);
    folder.create()?;
    let _lock = folder.lock()?;
    let differs = |e: &manifest::Existing| -> Option<String> {
        if e.command != "diagnose" {
            Some(format!("a {} (not a diagnosis)", e.command))
        } else if e.fingerprint != d.fingerprint {
            Some(format!(
                "a different survey or scenario (fingerprint {}, now {})",
                e.fingerprint, d.fingerprint
            ))
        } else {
            None
        }
    };
    let unfinished = || {
        folder.subfolders().iter().any(|s| {
            folder
                .file(s)
                .join(".profspace")
                .join(crate::output::folder::CALIBRATION_JOURNAL)
                .exists()
        })
    };
    let mut again = None;
    let (resume, started, mut notes) = match decide(&folder, opts, &differs, &unfinished)? {
        Decision::Fresh(notes) => (false, manifest::now(), notes),
        Decision::Again(e) => {
            again = Some(e.files.clone());
            (false, manifest::now(), Vec::new())
        }
        Decision::Resume(e) | Decision::Complete(e) => (true, e.started.clone(), Vec::new()),
    };
    let mut m = Manifest::running(
        "diagnose",
        &opts.command_line,
        started,
        &d.fingerprint,
        opts.threads,
    );
    write_manifest(&folder, d, &m)?;
    for (i, team) in d.teams.iter().enumerate() {
        teams_watch.team(i, d.teams.len(), team);
        let s = d.scenario_of(team)?;
        let team_opts = team_options(opts, team, resume);
        let outcome = super::run(&s, &team_opts, watch, stop)?;
        teams_watch.team_done(team, &outcome);
        if !outcome.complete {
            m.status = Status::Interrupted;
            m.finished = Some(manifest::now());
            m.interrupted_by = stop.reason().map(|r| r.name().to_string());
            write_manifest(&folder, d, &m)?;
            return Ok(Diagnosed {
                complete: false,
                stopped_by: outcome.stopped_by,
                notes,
            });
        }
    }
    folder.write(DIAGNOSIS.file, &table(d, &opts.out)?)?;
    m.files = folder.digests_of(&[DIAGNOSIS.file])?;
    m.status = Status::Complete;
    m.finished = Some(manifest::now());
    write_manifest(&folder, d, &m)?;
    if let Some(old) = &again {
        notes.extend(crate::sweep::check_again(
            &folder,
            old,
            &m.files,
            DIAGNOSIS.file,
        )?);
    }
    Ok(Diagnosed {
        complete: true,
        stopped_by: None,
        notes,
    })
}

/// The options of one team's calibration, in its sub-folder.
fn team_options(opts: &Options, team: &Team, resume: bool) -> Options {
    Options {
        out: opts.out.join(team.folder()),
        threads: opts.threads,
        resume,
        fresh: false,
        overwrite: false,
        keep_previous: false,
        command: "calibrate".into(),
        command_line: opts.command_line.clone(),
    }
}

/// The manifest of a diagnosis: the base scenario, the survey, its teams
/// and their folders (which move and go with it).
fn write_manifest(folder: &ResultFolder, d: &Diagnosis, m: &Manifest) -> Result<()> {
    let full = Scenario {
        calibrate: Some(d.template.clone()),
        ..d.base.clone()
    };
    let teams: Vec<serde_json::Value> = d
        .teams
        .iter()
        .map(|t| json!({"team": t.id, "folder": t.folder(), "respondents": t.respondents, "line": t.line}))
        .collect();
    let extra = vec![
        (
            "diagnosis".to_string(),
            json!({
                "survey": d.source.display().to_string(),
                "scale": d.scale.to_string(),
                "default_sd": survey::DEFAULT_SD,
                "min_target_sd": survey::MIN_TARGET_SD,
                "windows": d.survey.windows.iter().map(|(w, m)| json!({"column": w, "metric": m})).collect::<Vec<_>>(),
                "teams": teams,
            }),
        ),
        (
            "subfolders".to_string(),
            json!(d.teams.iter().map(Team::folder).collect::<Vec<_>>()),
        ),
    ];
    let design = Design::build(&d.base);
    let bytes = manifest::render_with(m, &full, &design, d.template.replications, None, extra)?;
    folder.write(MANIFEST, &bytes)
}

/// `diagnosis.csv`: `team,parameter,mean,sd,q025,q975`, a row per team and
/// real key, and per team and value of a categorical key (`key:value`,
/// its mean the posterior probability).
fn table(d: &Diagnosis, out: &Path) -> Result<Vec<u8>> {
    let mut buf = b"team,parameter,mean,sd,q025,q975\n".to_vec();
    for team in &d.teams {
        let f = Folder::read(&out.join(team.folder()))?;
        for (parameter, x) in &f.posterior {
            push_text(&mut buf, &team.id);
            buf.push(b',');
            push_text(&mut buf, parameter);
            for v in [x[0], x[1], x[2], x[4]] {
                buf.push(b',');
                push_f64(&mut buf, v);
            }
            buf.push(b'\n');
        }
    }
    Ok(buf)
}

/// A diagnosis folder read back: its teams (id and folder) and each team's
/// calibration.
pub struct Read {
    /// The teams, in the survey's order: id, and its calibration.
    pub teams: Vec<(String, Folder)>,
    /// The observed scores' windows: (survey column, metric).
    pub windows: Vec<(String, String)>,
}

/// Reads a complete diagnosis folder (its manifest, then each team's
/// calibration, checked).
pub fn read(dir: &Path) -> Result<Read> {
    let folder = ResultFolder::new(dir);
    let e = match folder.manifest() {
        manifest::Read::Found(e) if e.command == "diagnose" => e,
        manifest::Read::Found(e) => {
            return Err(Error::folder(format!(
                "{} holds a {}, not a diagnosis",
                dir.display(),
                e.command
            )));
        }
        _ => {
            return Err(Error::folder(format!(
                "{} holds no diagnosis (no readable manifest.json)",
                dir.display()
            )));
        }
    };
    if e.status != Status::Complete {
        return Err(Error::folder(format!(
            "{} holds an unfinished diagnosis; finish it with --resume first",
            dir.display()
        )));
    }
    folder.verify(&e.files)?;
    let text = std::fs::read(folder.file(MANIFEST)).map_err(|err| {
        Error::io(
            format!("cannot read {}", folder.file(MANIFEST).display()),
            err,
        )
    })?;
    let doc: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|err| Error::folder(format!("{}: {err}", folder.file(MANIFEST).display())))?;
    let malformed = || {
        Error::folder(format!(
            "{}: `diagnosis` is missing or malformed",
            folder.file(MANIFEST).display()
        ))
    };
    let section = doc.get("diagnosis").ok_or_else(malformed)?;
    let mut teams = Vec::new();
    for t in section
        .get("teams")
        .and_then(|t| t.as_array())
        .ok_or_else(malformed)?
    {
        let id = t
            .get("team")
            .and_then(|x| x.as_str())
            .ok_or_else(malformed)?;
        let sub = t
            .get("folder")
            .and_then(|x| x.as_str())
            .ok_or_else(malformed)?;
        if !e.subfolders.iter().any(|s| s == sub) {
            return Err(malformed());
        }
        teams.push((id.to_string(), Folder::read(&dir.join(sub))?));
    }
    let windows = section
        .get("windows")
        .and_then(|w| w.as_array())
        .ok_or_else(malformed)?
        .iter()
        .map(|w| {
            Some((
                w.get("column")?.as_str()?.to_string(),
                w.get("metric")?.as_str()?.to_string(),
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(malformed)?;
    Ok(Read { teams, windows })
}

/// A team's diagnosis in words: the levers the survey pins down (much or
/// little of them: the 95% credible interval lies wholly above or below
/// the middle of the prior; with the posterior mean and the interval), the most
/// likely value of the categorical key, and the situation its calibrated
/// runs end in (the model's situations, from the posterior-predictive
/// runs). "team B: a manager with much focus (0.86, 0.74–0.95) and little
/// connection (0.18, 0.06–0.33), most likely zero-sum (P = 0.93): walls
/// without space."
pub fn words(team: &str, f: &Folder, survey: &Survey, situations: &[(&str, &str)]) -> String {
    // Levers whose whole 95% interval lies on one side of the prior's
    // middle, the best pinned down first: at most three.
    let mut told: Vec<(f64, String)> = Vec::new();
    for (key, word) in survey.levers {
        let Some(x) = f.posterior_of(key) else {
            continue;
        };
        let (mean, sd, lo, hi, middle, prior_sd) = (x[0], x[1], x[2], x[4], x[5], x[6]);
        let amount = if lo > middle {
            "much"
        } else if hi < middle {
            "little"
        } else {
            continue;
        };
        told.push((
            sd / prior_sd,
            format!(
                "{amount} {word} ({}, {}–{})",
                fmt2(mean),
                fmt2(lo),
                fmt2(hi)
            ),
        ));
    }
    told.sort_by(|a, b| a.0.total_cmp(&b.0));
    told.truncate(3);
    let manager = match told.len() {
        0 => "a manager whose levers this survey cannot pin down".to_string(),
        1 => format!("a manager with {}", told[0].1),
        n => format!(
            "a manager with {} and {}",
            told[..n - 1]
                .iter()
                .map(|t| t.1.clone())
                .collect::<Vec<_>>()
                .join(", "),
            told[n - 1].1
        ),
    };
    let (key, values) = survey.choice;
    let choice = values
        .iter()
        .filter_map(|(v, w)| f.posterior_of(&format!("{key}:{v}")).map(|x| (w, x[0])))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(w, p)| format!(", most likely {w} (P {})", probability(p)))
        .unwrap_or_default();
    let situation = situations
        .iter()
        .filter_map(|(metric, label)| {
            let (_, values) = f.predicted.iter().find(|(m, _)| m == metric)?;
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            Some((mean, *label))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(share, label)| {
            if share >= 0.25 {
                // "alienated (walls without space)": the words in brackets.
                let inner = label
                    .split_once('(')
                    .and_then(|(_, r)| r.strip_suffix(')'))
                    .unwrap_or(label);
                format!(": {inner}")
            } else {
                ": no single situation dominates".to_string()
            }
        })
        .unwrap_or_default();
    format!("team {team}: {manager}{choice}{situation}.")
}
