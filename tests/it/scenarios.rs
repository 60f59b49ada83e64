//! Every file in `scenarios/` is valid and runs at a reduced size; `new`
//! writes files that check; `explain` describes what will run.

use assert_cmd::Command;
use profspace::params::Value;
use profspace::scenario::{Limits, Scenario};
use profspace::sweep::{Options, Plan, Progress, execute};
use std::fs;
use std::path::PathBuf;

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The same scenario, shrunk: two replications, short runs, a small
/// organisation (unless the sweep varies it).
fn shrink(mut s: Scenario) -> Scenario {
    s.replications = 2;
    if let Some(sw) = &mut s.sweep {
        sw.replications = Some(2);
    }
    let swept = |s: &Scenario, p: &str| {
        s.sweep
            .as_ref()
            .is_some_and(|sw| sw.grid.iter().any(|a| a.path.starts_with(p)))
    };
    // At most `cap` for each whole-number key of this list that the model has.
    for (key, cap) in [
        ("ticks", 15),
        ("organization.teams", 3),
        ("organization.team_size", 5),
        ("march.max_periods", 40),
    ] {
        if let Some(Value::Int(v)) = s.get(key).or_else(|| {
            (key == "march.max_periods" && s.model.name() == "march1991").then_some(Value::Int(cap))
        }) && !(key.starts_with("organization") && swept(&s, "organization"))
        {
            s.set(key, &Value::Int(v.min(cap))).unwrap();
        }
    }
    s
}

#[test]
fn every_scenario_checks_and_runs_small() {
    let files = scenario_files();
    assert!(
        files.len() >= 12,
        "expected the scenario library, found {files:?}"
    );
    for f in files {
        let s = Scenario::load(&f, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let small = shrink(s);
        small
            .check_rules(&Limits::default())
            .unwrap_or_else(|p| panic!("{}: shrunk scenario invalid: {p:?}", f.display()));
        let plan = Plan::new(&small, None);
        let dir = tempfile::tempdir().unwrap();
        let opts = Options {
            out: dir.path().join("out"),
            threads: 2,
            resume: false,
            fresh: false,
            overwrite: false,
            keep_previous: false,
            command: "test".into(),
            command_line: Vec::new(),
        };
        let outcome = execute(&plan, &opts, &Quiet, &profspace::sweep::Stop::new()).unwrap();
        assert!(
            outcome.complete && outcome.failures.is_empty(),
            "{}: {outcome:?}",
            f.display()
        );
        let runs = fs::read_to_string(opts.out.join("runs.csv")).unwrap();
        assert_eq!(
            runs.lines().count() as u64,
            1 + plan.total_runs(),
            "{}",
            f.display()
        );
        assert!(opts.out.join("aggregate.csv").is_file());
    }
}

#[test]
fn new_writes_a_commented_file_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("profspace")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .assert()
    };
    run(&["new", "mine"]).success();
    let text = fs::read_to_string(dir.path().join("mine.toml")).unwrap();
    assert!(
        text.contains("# Mean of the focus lever") && text.contains("name = \"mine\""),
        "{text}"
    );
    run(&["check", "mine.toml"]).success();
    // From another scenario: its values, sweep included, survive.
    let from = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/mixed_managers.toml");
    run(&["new", "copy", "--from", from]).success();
    let copy = fs::read_to_string(dir.path().join("copy.toml")).unwrap();
    assert!(
        copy.contains("name = \"commander\"") && copy.contains("managers.profiles.commander.share"),
        "{copy}"
    );
    run(&["check", "copy.toml"]).success();
    // Never overwrites, refuses names that are not folder names.
    run(&["new", "mine"]).code(2);
    run(&["new", ".hidden"]).code(2);
}

#[test]
fn explain_describes_the_runs() {
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/regimes.toml");
    let out = Command::cargo_bin("profspace")
        .unwrap()
        .args(["explain", f])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for part in [
        "100 professionals",
        "managers.focus over 0.1, 0.3, 0.5, 0.7, 0.9",
        "500 runs",
        "Estimated time",
        "ticks.csv",
    ] {
        assert!(text.contains(part), "explain lacks {part:?}:\n{text}");
    }
}
