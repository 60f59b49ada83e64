//! From a team survey to a diagnosis and advice: the survey's checks; the
//! three synthetic teams of `scenarios/survey_example.csv` recovered; the
//! advice checked against brute force at the true levers; the uncertainty
//! of the diagnosis carried into the advice; the same bytes for any thread
//! count and after a stop and --resume.

use crate::common;

use profspace::calibrate::advise::{self, Advice};
use profspace::calibrate::diagnose::{self, Diagnosis, TeamWatch};
use profspace::calibrate::survey::{Scale, Team};
use profspace::calibrate::{Outcome, Quiet};
use profspace::params::Value;
use profspace::rng;
use profspace::scenario::{DEFAULT_SCENARIO, Scenario};
use profspace::sweep::{Options, Reason, Stop};
use std::fs;
use std::path::{Path, PathBuf};

const SURVEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/survey_example.csv");

/// A known manager: team, coupling, levers.
type Manager = (&'static str, &'static str, [(&'static str, f64); 7]);

/// The managers the synthetic survey was made from (examples/survey_example.rs).
const TRUTH: [Manager; 3] = [
    (
        "A",
        "zero_sum",
        [
            ("rationale", 0.5),
            ("effect", 0.8),
            ("focus", 0.9),
            ("energy", 0.5),
            ("connection", 0.15),
            ("dominance", 0.8),
            ("listening", 0.1),
        ],
    ),
    (
        "B",
        "zero_sum",
        [
            ("rationale", 0.15),
            ("effect", 0.15),
            ("focus", 0.1),
            ("energy", 0.3),
            ("connection", 0.15),
            ("dominance", 0.1),
            ("listening", 0.3),
        ],
    ),
    (
        "C",
        "freedom_safety",
        [
            ("rationale", 0.8),
            ("effect", 0.5),
            ("focus", 0.8),
            ("energy", 0.7),
            ("connection", 0.85),
            ("dominance", 0.1),
            ("listening", 0.8),
        ],
    ),
];

fn default_scenario() -> Scenario {
    Scenario::from_toml(DEFAULT_SCENARIO, "default.toml", "default").unwrap()
}

fn options(out: &Path, threads: usize, resume: bool) -> Options {
    Options {
        out: out.to_path_buf(),
        threads,
        resume,
        fresh: false,
        overwrite: false,
        keep_previous: false,
        command: "diagnose".into(),
        command_line: Vec::new(),
    }
}

struct NoTeams;
impl TeamWatch for NoTeams {
    fn team(&self, _: usize, _: usize, _: &Team) {}
    fn team_done(&self, _: &Team, _: &Outcome) {}
}

/// Diagnoses `survey` with `base` into `out`.
fn diagnose_into(base: &Scenario, survey: &Path, out: &Path, threads: usize) {
    let d = Diagnosis::new(base, survey, Scale::default()).unwrap();
    let done = diagnose::run(
        &d,
        &options(out, threads, false),
        &Quiet,
        &NoTeams,
        &Stop::new(),
    )
    .unwrap();
    assert!(done.complete);
}

fn advise_on(dir: &Path, draws: u32) -> Advice {
    let opts = advise::Options {
        step: 0.1,
        metric: None,
        draws,
        threads: 2,
    };
    advise::advise(dir, &opts, &Stop::new()).unwrap()
}

#[test]
fn the_synthetic_teams_are_recovered_and_the_advice_agrees_with_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("diag");
    diagnose_into(&default_scenario(), Path::new(SURVEY), &out, 2);
    let read = diagnose::read(&out).unwrap();
    assert_eq!(read.teams.len(), 3);
    let (mut inside, mut pairs) = (0, 0);
    for ((id, f), (tid, coupling, levers)) in read.teams.iter().zip(TRUTH) {
        assert_eq!(id, tid);
        for (lever, truth) in levers {
            let x = f.posterior_of(&format!("managers.{lever}")).unwrap();
            pairs += 1;
            if x[2] <= truth && truth <= x[4] {
                inside += 1;
            } else {
                eprintln!(
                    "team {id}: {lever} = {truth} is outside {:.3}–{:.3}",
                    x[2], x[4]
                );
            }
        }
        let p = f.posterior_of(&format!("coupling:{coupling}")).unwrap()[0];
        assert!(
            p > 0.5,
            "team {id}: P({coupling}) = {p:.3}, the true coupling is not the more likely"
        );
    }
    eprintln!("{inside} of {pairs} true levers inside their 95% intervals");
    assert!(
        inside * 10 >= pairs * 8,
        "only {inside} of {pairs} true levers lie inside their 95% credible intervals (at least 80% must)"
    );
    // The diagnosis in words names the coupling and the situation.
    let survey = default_scenario().model.survey().unwrap();
    let situations = default_scenario().model.charts().situations;
    let words = diagnose::words(&read.teams[2].0, &read.teams[2].1, &survey, situations);
    assert!(
        words.starts_with("team C: a manager with") && words.contains("most likely freedom/safety"),
        "{words}"
    );

    // The advice on the diagnosed posteriors against brute force at the
    // truth: the best single move by many paired runs must be the advice's
    // first, or lie within the interval of the advice's first.
    let advice = advise_on(&out, 200);
    for (id, coupling, levers) in TRUTH {
        let team = read.teams.iter().find(|(t, _)| t == id).unwrap();
        let n = team.1.scenario_toml.clone();
        let s = Scenario::from_toml(&n, "m.toml", "m").unwrap();
        let mut truth = s.without_design();
        truth.calibrate = None;
        truth
            .set("coupling", &Value::Text(coupling.into()))
            .unwrap();
        for (k, v) in levers {
            truth
                .set(&format!("managers.{k}"), &Value::Float(v))
                .unwrap();
        }
        let essential = truth
            .model
            .run_metrics()
            .iter()
            .position(|m| m.name == "essential")
            .unwrap();
        let run = |s: &Scenario, r: u32| {
            s.model.simulate(
                &s.params,
                rng::run_seed(99, r),
                Default::default(),
                &mut Default::default(),
            )[essential]
        };
        let reps = 300;
        let base: Vec<f64> = (0..reps).map(|r| run(&truth, r)).collect();
        let mut best: Option<(String, i8, f64)> = None;
        for (k, v) in levers {
            for dir in [1i8, -1] {
                let moved_value = (v + f64::from(dir) * 0.1).clamp(0.0, 1.0);
                let moved = truth
                    .with(&format!("managers.{k}"), &Value::Float(moved_value))
                    .unwrap();
                let mean = (0..reps)
                    .map(|r| run(&moved, r) - base[r as usize])
                    .sum::<f64>()
                    / f64::from(reps);
                if best.as_ref().is_none_or(|b| mean > b.2) {
                    best = Some((format!("managers.{k}"), dir, mean));
                }
            }
        }
        let (key, dir, brute) = best.unwrap();
        let ranked: Vec<_> = advice.moves.iter().filter(|m| m.team == id).collect();
        let first = ranked.iter().find(|m| m.rank == 1).unwrap();
        let same = ranked
            .iter()
            .find(|m| m.key == key && m.direction == dir)
            .unwrap();
        let (_, _, lo, hi, _) = first.effects[0];
        eprintln!(
            "team {id}: brute force {key} {dir:+} ({brute:+.4}); advice first {} {:+} ({:+.4}, {lo:+.4}…{hi:+.4}); brute-force move advised {:+.4} at rank {}",
            first.key, first.direction, first.effects[0].1, same.effects[0].1, same.rank
        );
        assert!(
            same.rank == 1 || (lo <= same.effects[0].1 && same.effects[0].1 <= hi),
            "team {id}: brute force finds {key} {dir:+} best ({brute:+.4}); the advice ranks it {} \
             ({:+.4}), outside the interval {lo:+.4}…{hi:+.4} of its first, {} {:+}",
            same.rank,
            same.effects[0].1,
            first.key,
            first.direction
        );
    }
    // advice.csv has a row per team, move and reported metric.
    let csv = fs::read_to_string(out.join("advice.csv")).unwrap();
    assert!(
        csv.starts_with("team,parameter,direction,metric,mean,q025,q975,p_positive,rank,clamped\n")
    );
    assert_eq!(
        csv.lines().count(),
        1 + 3 * 14 * 8,
        "3 teams × 14 moves × 8 metrics"
    );
}

/// A survey of one team scored like team B, with `n` respondents.
fn one_team(dir: &Path, n: u32) -> PathBuf {
    let path = dir.join(format!("n{n}.csv"));
    fs::write(
        &path,
        format!(
            "team,respondents,purpose,identity,box,drive,meaning\nB,{n},0.158,0.831,0.096,0.752,0.283\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_wider_diagnosis_gives_wider_advice() {
    let dir = tempfile::tempdir().unwrap();
    let small = common::scenario(
        "ticks = 100\n[calibrate]\nparticles = 150\ngenerations = 4\n\
         [calibrate.priors]\n\"managers.connection\" = { uniform = [0.0, 1.0] }\n\
         \"managers.focus\" = { uniform = [0.0, 1.0] }\n",
    );
    let width = |n: u32| {
        let out = dir.path().join(format!("d{n}"));
        diagnose_into(&small, &one_team(dir.path(), n), &out, 2);
        let a = advise_on(&out, 100);
        let widths: Vec<f64> = a
            .moves
            .iter()
            .map(|m| m.effects[0].3 - m.effects[0].2)
            .collect();
        let f = &diagnose::read(&out).unwrap().teams[0].1;
        let sd = f.posterior_of("managers.connection").unwrap()[1];
        (widths.iter().sum::<f64>() / widths.len() as f64, sd)
    };
    // With 2 respondents the target sd is 0.14, with 400 it is 0.01.
    let (wide, sd_wide) = width(2);
    let (narrow, sd_narrow) = width(400);
    eprintln!(
        "2 respondents: posterior sd {sd_wide:.3}, mean advice interval {wide:.4}; 400: {sd_narrow:.3}, {narrow:.4}"
    );
    assert!(
        sd_wide > sd_narrow,
        "the posterior of 2 respondents is not wider: {sd_wide} vs {sd_narrow}"
    );
    assert!(
        wide > narrow,
        "advice from the wider posterior has narrower intervals: {wide} vs {narrow}"
    );
}

const SMALL: &str = "ticks = 60\n[calibrate]\nparticles = 60\ngenerations = 3\n\
    [calibrate.priors]\n\"managers.connection\" = { uniform = [0.0, 1.0] }\n\
    coupling = { choice = [\"zero_sum\", \"freedom_safety\"] }\n";

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        "diagnosis.csv".to_string(),
        fs::read(dir.join("diagnosis.csv")).unwrap(),
    )];
    for team in ["team-A", "team-B", "team-C"] {
        for t in [
            "particles.csv",
            "generations.csv",
            "posterior.csv",
            "predictive.csv",
        ] {
            out.push((
                format!("{team}/{t}"),
                fs::read(dir.join(team).join(t)).unwrap(),
            ));
        }
    }
    out
}

/// Requests a stop once the first team is done.
struct StopAfterFirst<'a>(&'a Stop);
impl TeamWatch for StopAfterFirst<'_> {
    fn team(&self, _: usize, _: usize, _: &Team) {}
    fn team_done(&self, _: &Team, _: &Outcome) {
        self.0.request(Reason::Requested);
    }
}

#[test]
fn the_bytes_are_the_same_for_any_threads_and_after_a_stop_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::scenario(SMALL);
    diagnose_into(&base, Path::new(SURVEY), &dir.path().join("one"), 1);
    diagnose_into(&base, Path::new(SURVEY), &dir.path().join("two"), 2);
    let one = files_of(&dir.path().join("one"));
    assert_eq!(one, files_of(&dir.path().join("two")));
    // Stopped after the first team, then resumed.
    let out = dir.path().join("stopped");
    let d = Diagnosis::new(&base, Path::new(SURVEY), Scale::default()).unwrap();
    let stop = Stop::new();
    let done = diagnose::run(
        &d,
        &options(&out, 2, false),
        &Quiet,
        &StopAfterFirst(&stop),
        &stop,
    )
    .unwrap();
    assert!(!done.complete);
    assert!(!out.join("diagnosis.csv").exists());
    assert!(out.join("team-A/particles.csv").exists());
    let done = diagnose::run(&d, &options(&out, 2, true), &Quiet, &NoTeams, &Stop::new()).unwrap();
    assert!(done.complete);
    assert_eq!(one, files_of(&out));
}

/// Runs `profspace diagnose` on a survey text and returns stderr (exit 2).
fn refused(survey: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.csv");
    fs::write(&path, survey).unwrap();
    let out = assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .args(["diagnose", path.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .args(extra)
        .assert()
        .code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn bad_surveys_are_refused_with_the_file_the_line_and_the_column() {
    let head = "team,respondents,purpose,identity,box,drive,meaning\n";
    // A score outside the scale.
    let err = refused(&format!("{head}A,10,0.5,0.5,1.4,0.5,0.5\n"), &[]);
    assert!(
        err.contains("survey.csv: line 2, column box: 1.4 is outside the scale 0–1"),
        "{err}"
    );
    let err = refused(&format!("{head}A,10,3,3,6,3,3\n"), &["--scale", "1:5"]);
    assert!(
        err.contains("line 2, column box: 6 is outside the scale 1–5"),
        "{err}"
    );
    // A missing team column.
    let err = refused("respondents,purpose\n10,0.5\n", &[]);
    assert!(
        err.contains("survey.csv: line 1: the survey has no `team` column"),
        "{err}"
    );
    // respondents < 1.
    let err = refused(&format!("{head}A,0,0.5,0.5,0.5,0.5,0.5\n"), &[]);
    assert!(
        err.contains("line 2, column respondents: 0 respondents"),
        "{err}"
    );
    // An unknown window column, with a suggestion.
    let err = refused("team,respondents,purpse\nA,10,0.5\n", &[]);
    assert!(
        err.contains("line 1, column purpse") && err.contains("did you mean `purpose`"),
        "{err}"
    );
    // Duplicate team ids.
    let err = refused(
        &format!("{head}A,10,0.5,0.5,0.5,0.5,0.5\nA,8,0.5,0.5,0.5,0.5,0.5\n"),
        &[],
    );
    assert!(
        err.contains("line 3, column team: team `A` appears twice (also on line 2)"),
        "{err}"
    );
    // No usable score.
    let err = refused(&format!("{head}A,10,,,,,\n"), &[]);
    assert!(err.contains("line 2: team `A` has no score"), "{err}");
    let err = refused(head, &[]);
    assert!(err.contains("has no team below its header"), "{err}");
}

#[test]
fn a_likert_survey_gives_the_targets_of_its_zero_one_version() {
    let model = default_scenario().model;
    let survey = model.survey().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let likert = dir.path().join("likert.csv");
    fs::write(
        &likert,
        "# a comment\nteam,respondents,purpose,box,purpose_sd\nX,16,4.2,2,0.8\n",
    )
    .unwrap();
    let unit = dir.path().join("unit.csv");
    fs::write(
        &unit,
        "team,respondents,purpose,box,purpose_sd\nX,16,0.8,0.25,0.2\n",
    )
    .unwrap();
    let scale: Scale = "1:5".parse().unwrap();
    let a = profspace::calibrate::survey::read(&likert, scale, &survey).unwrap();
    let b = profspace::calibrate::survey::read(&unit, Scale::default(), &survey).unwrap();
    let (ta, tb) = (a[0].targets(&survey), b[0].targets(&survey));
    assert_eq!(ta.len(), 2);
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.metric, y.metric);
        assert!(
            (x.value - y.value).abs() < 1e-12 && (x.sd - y.sd).abs() < 1e-12,
            "{x:?} {y:?}"
        );
    }
    // The box is the safety window; an sd over √respondents; the default
    // sd when none is given.
    assert_eq!(tb[1].metric, "safety");
    assert!((tb[0].sd - 0.2 / 4.0).abs() < 1e-12);
    assert!((tb[1].sd - profspace::calibrate::survey::DEFAULT_SD / 4.0).abs() < 1e-12);
}
