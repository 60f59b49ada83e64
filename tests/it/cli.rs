//! The command line as a user meets it: exit codes, messages that name the
//! key, the value, what is allowed and the line, and no output folder
//! created for a scenario that is wrong.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn profspace() -> Command {
    Command::cargo_bin("profspace").unwrap()
}

/// Runs `profspace run FILE --out DIR` on `text`, expects exit 2 with every
/// fragment in stderr, and no output folder.
fn check_refused(text: &str, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let assert = profspace()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for f in fragments {
        assert!(stderr.contains(f), "stderr lacks {f:?}:\n{stderr}");
    }
    assert!(
        !stderr.contains("panicked"),
        "a panic reached the user:\n{stderr}"
    );
    assert_eq!(
        stderr.matches("invalid scenario").count(),
        1,
        "the problems are said more than once:\n{stderr}"
    );
    assert!(
        !out.exists(),
        "an output folder was created for a bad scenario"
    );
}

#[test]
fn malformed_toml_names_the_line() {
    check_refused(
        "seed = 1\n[managers\nfocus = 0.5\n",
        &["bad.toml:2:", "not valid TOML"],
    );
}

#[test]
fn unknown_key_gets_a_suggestion() {
    check_refused(
        "[managers]\nfocus = 0.5\nfcous = 0.4\n",
        &["bad.toml:3:", "managers.fcous", "did you mean `focus`"],
    );
}

#[test]
fn wrong_type_names_key_value_and_allowed() {
    check_refused(
        "[organization]\nteams = \"ten\"\n",
        &[
            "bad.toml:2:",
            "organization.teams",
            "whole number from 1",
            "\"ten\"",
        ],
    );
}

#[test]
fn out_of_range_names_key_value_range_and_line() {
    check_refused(
        "\n\n[managers]\nfocus = 1.5\n",
        &["bad.toml:4:", "managers.focus", "1.5", "from 0 to 1"],
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    check_refused(
        "ticks = 0\n[managers]\nfocus = -1\n[dynamics]\nalpah = 0.1\n",
        &[
            "3 problems",
            "bad.toml:1:",
            "bad.toml:3:",
            "bad.toml:5:",
            "did you mean `alpha`",
        ],
    );
}

#[test]
fn bad_profile_shares_are_refused() {
    check_refused(
        "[[managers.profiles]]\nname = \"boss\"\nshare = 0.5\n[[managers.profiles]]\nname = \"coach\"\nshare = 0.3\n",
        &["managers.profiles", "sum to 0.8", "within 1e-9"],
    );
}

#[test]
fn impossible_peers_are_refused() {
    check_refused(
        "[organization]\nteam_size = 3\npeers = 8\npeer_within = 1.0\n",
        &["organization.peers", "cannot be drawn", "team_size"],
    );
}

#[test]
fn oversize_organisation_is_refused_before_allocation() {
    check_refused(
        "[organization]\nteams = 10000000\nteam_size = 10000000\n",
        &["too large for this machine", "TiB"],
    );
}

#[test]
fn unknown_coupling_is_refused_with_suggestion() {
    check_refused(
        "coupling = \"zerosum\"\n",
        &["coupling", "did you mean \"zero_sum\""],
    );
}

#[test]
fn missing_file_and_directory_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    profspace()
        .args(["check", dir.path().join("nope.toml").to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
    profspace()
        .args(["check", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("directory"));
}

#[test]
fn check_prints_a_resolved_scenario_that_checks_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, "coupling = \"zero_sum\"\n[managers]\nfocus = 0.9\n").unwrap();
    let out = profspace()
        .args(["check", file.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("focus = 0.9") && text.contains("alpha = 0.1"),
        "{text}"
    );
    let again = dir.path().join("again.toml");
    fs::write(&again, &text).unwrap();
    let out2 = profspace()
        .args(["check", again.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out2)
            .unwrap()
            .replace("name = \"again\"", "name = \"s\""),
        text
    );
}

#[test]
fn params_lists_every_key() {
    let out = profspace()
        .arg("params")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for key in [
        "managers.focus",
        "professionals.consequentialism",
        "licence.replace_after",
        "dynamics.meaning_dynamics",
    ] {
        assert!(text.contains(key), "params lacks {key}");
    }
}

#[test]
fn params_of_one_key_explains_it() {
    for key in ["managers.focus", "focus"] {
        let out = profspace().args(["params", key]).output().unwrap();
        assert!(out.status.success(), "params {key}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("managers.focus"), "params {key}: {text}");
        for part in ["default: 0.5", "allowed: a number from 0 to 1", "meaning:"] {
            assert!(text.contains(part), "params {key} lacks {part}: {text}");
        }
    }
    let out = profspace()
        .args(["params", "management.focus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `managers.focus`"), "{err}");
}

#[test]
fn run_writes_the_three_files_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(
        &file,
        "ticks = 20\nreplications = 3\n[organization]\nteams = 3\nteam_size = 4\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    profspace()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("essential"));
    for f in ["runs.csv", "ticks.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    // The run's design point: every key a sweep could vary, then the metrics.
    let header = runs.lines().next().unwrap();
    assert!(
        header.starts_with("run,point,replicate,seed,ticks,coupling,organization.teams,"),
        "{header}"
    );
    assert!(header.ends_with(",environment.turbulence,autonomy,safety,purpose,identity,meaning,drive,skill,cynicism,trust,standard,effects,licence,conflict,existential,functional,essential,fit,alienated,disoriented,integrated,exits,revocations,settle_tick"), "{header}");
    let teams = header
        .split(',')
        .position(|c| c == "organization.teams")
        .unwrap();
    assert!(
        runs.lines()
            .skip(1)
            .all(|l| l.split(',').nth(teams) == Some("3"))
    );
    assert_eq!(runs.lines().count(), 4);
    let ticks = fs::read_to_string(out.join("ticks.csv")).unwrap();
    assert_eq!(ticks.lines().count(), 1 + 3 * 20);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["master_seed"], 42);
    assert_eq!(manifest["model"], "psm 1.1");
    assert_eq!(manifest["scenario"]["organization.teams"], 3);
    assert!(manifest["started"].as_str().unwrap().ends_with('Z'));
    // No leftovers under temporary names.
    for e in fs::read_dir(&out).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            !name.ends_with(".part") && !name.contains(".tmp"),
            "leftover {name}"
        );
    }
}

#[test]
fn ticks_every_zero_writes_no_tick_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(
        &file,
        "ticks = 10\nreplications = 2\n[output]\nticks_every = 0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    profspace()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    assert!(out.join("runs.csv").is_file());
    assert!(
        !out.join("ticks.csv").exists()
            && !Path::new(&format!("{}.part", out.join("ticks.csv").display())).exists()
    );
}

#[test]
fn bad_arguments_exit_2() {
    profspace().args(["run", "--threads", "0"]).assert().code(2);
    profspace().args(["sweep"]).assert().code(2);
    profspace().args(["frobnicate"]).assert().code(2);
}

#[test]
fn slurm_writes_an_array_a_merge_and_a_readme() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(
        &file,
        "replications = 2\n[sweep.grid]\n\"managers.focus\" = [0.2, 0.5, 0.8]\n",
    )
    .unwrap();
    let out = dir.path().join("jobs");
    profspace()
        .args([
            "slurm",
            file.to_str().unwrap(),
            "--shards",
            "3",
            "--partition",
            "short",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let array = fs::read_to_string(out.join("array.sbatch")).unwrap();
    for part in [
        "#SBATCH --array=0-2",
        "#SBATCH --partition=short",
        "--shard \"$k/3\" --resume",
        "#SBATCH --requeue",
    ] {
        assert!(
            array.contains(part),
            "array.sbatch lacks {part:?}:\n{array}"
        );
    }
    let merge = fs::read_to_string(out.join("merge.sbatch")).unwrap();
    assert!(
        merge.contains("merge") && merge.contains("shard-2-of-3") && merge.contains("/merged"),
        "{merge}"
    );
    let submit = fs::read_to_string(out.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"), "{submit}");
    assert!(out.join("README.md").is_file() && out.join("scenario.toml").is_file());
    // The copied scenario is the same experiment.
    profspace()
        .args(["check", out.join("scenario.toml").to_str().unwrap()])
        .assert()
        .success();
    profspace()
        .args(["slurm", file.to_str().unwrap(), "--shards", "0"])
        .assert()
        .code(2);
    profspace()
        .args([
            "slurm",
            file.to_str().unwrap(),
            "--shards",
            "2",
            "--time",
            "1h",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    // `check` of a large grid prints megabytes: more than a pipe holds.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    fs::write(
        &file,
        "[sweep.grid]\n\"managers.focus\" = { from = 0.0, to = 1.0, steps = 200000 }\n",
    )
    .unwrap();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("profspace"))
        .args(["check", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.code().is_none(),
        "{:?} {stderr}",
        out.status
    );
}

/// A closed stdout or stderr (`| head -3`, `2>&1 | head -4`) ends the
/// printing, never the work: the tables, the manifest and every chart are
/// written, and the exit code is the work's.
#[test]
fn a_closed_stdout_or_stderr_stops_only_the_printing() {
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(
        &file,
        "ticks = 20
replications = 2
[organization]
teams = 2
team_size = 4
         [sweep.grid]
coupling = [\"zero_sum\", \"freedom_safety\"]
         \"managers.focus\" = [0.2, 0.8]
",
    )
    .unwrap();
    let charts = |out: &std::path::Path| {
        fs::read_dir(out.join("plots"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let reference = dir.path().join("reference");
    profspace()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&reference)
        .assert()
        .success();
    let expected = charts(&reference);
    assert!(expected >= 5, "{expected} charts");
    for (closed_out, closed_err) in [(true, false), (false, true), (true, true)] {
        let out = dir.path().join(format!("closed-{closed_out}-{closed_err}"));
        let mut child = Std::new(assert_cmd::cargo::cargo_bin("profspace"))
            .args(["sweep", file.to_str().unwrap(), "--out"])
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the pipes before the program writes: every write fails.
        if closed_out {
            drop(child.stdout.take());
        }
        if closed_err {
            drop(child.stderr.take());
        }
        let status = child.wait_with_output().unwrap().status;
        assert!(
            status.success(),
            "stdout closed {closed_out}, stderr closed {closed_err}: {status:?}"
        );
        assert_eq!(
            charts(&out),
            expected,
            "stdout closed {closed_out}, stderr closed {closed_err}: charts missing"
        );
        assert!(
            fs::read_to_string(out.join("manifest.json"))
                .unwrap()
                .contains("\"status\": \"complete\"")
        );
    }
}

/// Running an unchanged scenario again into its folder keeps what later
/// commands added (contrasts, charts of other metrics); when the results
/// come out different (another version), those analyses move to
/// `previous/`, and it says so.
#[test]
fn a_rerun_keeps_the_analyses_of_unchanged_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(
        &file,
        "ticks = 20\nreplications = 3\n[organization]\nteams = 2\nteam_size = 4\n\
         [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let sweep = || {
        profspace()
            .args(["sweep", file.to_str().unwrap(), "--out"])
            .arg(&out)
            .assert()
            .success()
    };
    sweep();
    profspace()
        .args(["compare", out.to_str().unwrap(), "--by", "coupling"])
        .assert()
        .success();
    profspace()
        .args(["plot", out.to_str().unwrap(), "--metric", "trust"])
        .assert()
        .success();
    let kept = [
        "contrasts.csv",
        "plots/contrast_essential.png",
        "plots/timeseries_trust.png",
    ];
    for k in kept {
        assert!(out.join(k).exists(), "{k} was not made");
    }
    let contrasts = fs::read(out.join("contrasts.csv")).unwrap();
    sweep();
    for k in kept {
        assert!(
            out.join(k).exists(),
            "{k} vanished on a re-run of the same scenario"
        );
    }
    assert_eq!(fs::read(out.join("contrasts.csv")).unwrap(), contrasts);
    assert!(!out.join("previous").exists());
    // Results that come out different (as after a change of version):
    // the analyses of the old ones move to previous/, with a note.
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    let runs_digest = manifest
        .split("\"runs.csv\"")
        .nth(1)
        .and_then(|r| r.split("\"sha256\": \"").nth(1))
        .and_then(|r| r.get(..64))
        .unwrap()
        .to_string();
    fs::write(
        out.join("manifest.json"),
        manifest.replace(&runs_digest, &"0".repeat(64)),
    )
    .unwrap();
    sweep().stderr(predicates::str::contains("came out different"));
    assert!(!out.join("contrasts.csv").exists());
    assert_eq!(
        fs::read(out.join("previous/contrasts.csv")).unwrap(),
        contrasts
    );
    assert!(out.join("previous/plots/contrast_essential.png").exists());
}

/// Each command takes only its own flags: a flag it would ignore is a usage
/// error, and the flags it shows are honoured.
#[test]
fn commands_refuse_flags_they_do_not_use_and_honour_those_they_show() {
    for args in [
        &["params", "--resume"][..],
        &["metrics", "--threads", "2"],
        &["check", "x.toml", "--no-plots"],
        &["--resume", "params"],
    ] {
        let out = profspace().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Usage"), "{args:?}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    fs::write(
        &file,
        "ticks = 10\nreplications = 2\n[sweep.grid]\n\"managers.focus\" = [0.2, 0.8]\n",
    )
    .unwrap();
    let results = dir.path().join("results");
    profspace()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&results)
        .arg("--no-plots")
        .assert()
        .success();
    // plot --out writes the charts elsewhere, and only there.
    let charts = dir.path().join("charts");
    profspace()
        .args(["plot", results.to_str().unwrap(), "--out"])
        .arg(&charts)
        .assert()
        .success();
    assert!(charts.join("lines_essential.png").is_file());
    assert!(!results.join("plots").exists());
    // explain --out says where the results would go.
    let explained = profspace()
        .args(["explain", file.to_str().unwrap(), "--out", "elsewhere"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&explained.stdout).contains("Results go to elsewhere/"),
        "{}",
        String::from_utf8_lossy(&explained.stdout)
    );
}

/// `--set` and the shorthands are read like the file: a bad value exits 2
/// naming the flag, the key and what is allowed; a good one gives the same
/// bytes as the file with that value, and the manifest records it.
#[test]
fn overrides_are_checked_like_the_file_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.toml");
    fs::write(
        &base,
        "ticks = 20\nreplications = 3\n[organization]\nteams = 3\nteam_size = 4\n",
    )
    .unwrap();
    let refused = |args: &[&str], fragments: &[&str]| {
        let out = dir.path().join("refused");
        let mut cmd = profspace();
        cmd.args([
            "run",
            base.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let assert = cmd.args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        for f in fragments {
            assert!(stderr.contains(f), "stderr lacks {f:?}:\n{stderr}");
        }
        assert_eq!(stderr.matches("invalid scenario").count(), 1, "{stderr}");
        assert!(!out.exists());
    };
    refused(
        &["--set", "managers.focus=2"],
        &[
            "--set managers.focus=2",
            "`managers.focus`",
            "out of range",
            "from 0 to 1",
        ],
    );
    refused(
        &["--set", "managers.fcous=0.2"],
        &["--set managers.fcous=0.2", "did you mean `focus`"],
    );
    refused(
        &["--set", "coupling=zero_sm"],
        &["did you mean \"zero_sum\""],
    );
    refused(&["--ticks", "0"], &["--ticks 0", "`ticks`"]);
    refused(
        &["--set", "organization.peers=50"],
        &["--set organization.peers=50", "peer ties"],
    );
    refused(&["--set", "sweep.replications=2"], &["not the [sweep]"]);

    let written = dir.path().join("written.toml");
    fs::write(
        &written,
        "seed = 5\nticks = 15\nreplications = 2\ncoupling = \"zero_sum\"\n[organization]\nteams = 3\nteam_size = 4\n[managers]\nfocus = 0.7\n",
    )
    .unwrap();
    let run = |file: &Path, out: &str, args: &[&str]| {
        let out = dir.path().join(out);
        let mut cmd = profspace();
        cmd.args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ]);
        cmd.args(args).assert().success();
        out
    };
    let by_flags = run(
        &base,
        "flags",
        &[
            "--set",
            "managers.focus=0.7",
            "--set",
            "coupling=zero_sum",
            "--ticks",
            "15",
            "--replications",
            "2",
            "--seed",
            "5",
        ],
    );
    let by_file = run(&written, "file", &[]);
    for t in ["runs.csv", "ticks.csv", "aggregate.csv"] {
        assert_eq!(
            fs::read(by_flags.join(t)).unwrap(),
            fs::read(by_file.join(t)).unwrap(),
            "{t} differs between the flags and the file"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(by_flags.join("manifest.json")).unwrap()).unwrap();
    let overrides: Vec<&str> = manifest["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        overrides,
        [
            "--set managers.focus=0.7",
            "--set coupling=zero_sum",
            "--seed 5",
            "--ticks 15",
            "--replications 2"
        ]
    );
    assert_eq!(manifest["scenario"]["managers.focus"], 0.7);
    assert!(
        manifest["scenario_toml"]
            .as_str()
            .unwrap()
            .contains("focus = 0.7")
    );
}

/// A conditions sweep writes the parameters its conditions set, resolved
/// at every point, after the swept columns.
#[test]
fn conditions_carry_their_parameter_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    fs::write(
        &file,
        "ticks = 10\nreplications = 2\n[organization]\nteams = 2\nteam_size = 3\n\
         [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
         [[sweep.conditions]]\nlabel = \"management\"\n\"managers.focus\" = 0.9\n\"managers.connection\" = 0.2\n\
         [[sweep.conditions]]\nlabel = \"integrated\"\n\"managers.focus\" = 0.8\n\"managers.connection\" = 0.8\n\
         [[sweep.conditions]]\nlabel = \"plain\"\n\"dynamics.alpha\" = 0.2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    profspace()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    let design = fs::read_to_string(out.join("design.csv")).unwrap();
    assert_eq!(
        design,
        "point,condition,coupling,managers.focus,managers.connection,dynamics.alpha\n\
         0,management,zero_sum,0.9,0.2,0.1\n1,management,freedom_safety,0.9,0.2,0.1\n\
         2,integrated,zero_sum,0.8,0.8,0.1\n3,integrated,freedom_safety,0.8,0.8,0.1\n\
         4,plain,zero_sum,0.5,0.5,0.2\n5,plain,freedom_safety,0.5,0.5,0.2\n"
    );
    for t in ["runs.csv", "aggregate.csv"] {
        let text = fs::read_to_string(out.join(t)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let at = header.iter().position(|c| *c == "managers.focus").unwrap();
        let cond = header.iter().position(|c| *c == "condition").unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let want = match f[cond] {
                "management" => "0.9",
                "integrated" => "0.8",
                _ => "0.5",
            };
            assert_eq!(f[at], want, "{t}: {line}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["design"]["columns"],
        serde_json::json!(["condition", "coupling"])
    );
    assert_eq!(
        manifest["design"]["resolved"],
        serde_json::json!(["managers.focus", "managers.connection", "dynamics.alpha"])
    );
}

/// What a run records is checked like everything else: no team table for a
/// model without teams, no agents after the end of the run, and recorded
/// rows that would not fit in memory are refused before anything runs;
/// `explain` counts them.
#[test]
fn recorded_teams_and_agents_are_checked_and_counted() {
    check_refused(
        "model = \"march1991\"\n[output]\nteams_every = 5\n",
        &["output.teams_every", "has no teams"],
    );
    check_refused(
        "ticks = 50\n[output]\nagents_at = [0, 51]\n",
        &[
            "output.agents_at",
            "tick 51 is after the end of the run",
            "from 0 to 50",
        ],
    );
    check_refused(
        "ticks = 50\n[output]\nagents_at = [0, -1]\n",
        &["output.agents_at", "-1 is out of range"],
    );
    // 501 snapshots of a million professionals: hundreds of GiB on any
    // machine.
    let ticks: Vec<String> = (0..=1000).step_by(2).map(|t| t.to_string()).collect();
    check_refused(
        &format!(
            "ticks = 1000\nreplications = 1\n[organization]\nteams = 20000\nteam_size = 50\n[output]\nagents_at = [{}]\n",
            ticks.join(", ")
        ),
        &[
            "output.agents_at",
            "rows a run records are too large",
            "1 run at once",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(
        &file,
        "ticks = 40\nreplications = 2\n[organization]\nteams = 3\nteam_size = 4\n[output]\nteams_every = 10\nagents_at = [0, 40]\n",
    )
    .unwrap();
    let out = profspace()
        .args(["explain", file.to_str().unwrap()])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    // 4 recorded ticks × 3 teams; 2 ticks × 12 professionals.
    assert!(
        text.contains("teams.csv") && text.contains("(12 rows per run)"),
        "{text}"
    );
    assert!(
        text.contains("agents.csv") && text.contains("(24 rows per run)"),
        "{text}"
    );
}
