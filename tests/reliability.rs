//! Reliability: hostile input gets a clear error and never a panic; crashes,
//! interruptions, locks, failing runs and full disks lose nothing and leave
//! no half-written file under a final name.

mod common;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn profspace() -> Command {
    Command::cargo_bin("profspace").unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("profspace")
}

/// Runs `profspace run FILE` and checks exit 2, the fragments, no panic and
/// no output folder.
fn refused(file: &Path, fragments: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = profspace()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: expected exit 2, stderr:\n{stderr}",
        file.display()
    );
    for f in fragments {
        assert!(
            stderr.contains(f.as_str()),
            "{}: stderr lacks {f:?}:\n{stderr}",
            file.display()
        );
    }
    assert!(
        !stderr.contains("panicked"),
        "{}: a panic reached the user:\n{stderr}",
        file.display()
    );
    assert!(
        !out.exists(),
        "{}: an output folder was created",
        file.display()
    );
}

#[test]
fn every_bad_file_is_refused_with_its_message() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 35,
        "the table of bad inputs is incomplete: {}",
        files.len()
    );
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{} lacks a `# expect:` line", file.display()));
        let fragments: Vec<String> = expect.split('|').map(|f| f.trim().to_string()).collect();
        refused(&file, &fragments);
    }
}

#[test]
fn generated_hostile_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        fs::write(&p, bytes).unwrap();
        p
    };
    let huge = format!("description = \"{}\"\n", "x".repeat(10_000_000));
    refused(
        &write("huge.toml", huge.as_bytes()),
        &["description".into(), "too long".into()],
    );
    refused(
        &write("binary.toml", b"seed = 1\n\xff\xfe\x00garbage\n"),
        &["not UTF-8".into(), "binary.toml:2:".into()],
    );
    let deep = format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    refused(&write("deep.toml", deep.as_bytes()), &["nested".into()]);
    let tables = (0..200).map(|i| format!("[t{i}]\n")).collect::<String>();
    refused(
        &write("many_tables.toml", tables.as_bytes()),
        &["unknown key `t0`".into()],
    );
    refused(dir.path(), &["directory".into()]);
    refused(&dir.path().join("missing.toml"), &["no such file".into()]);
}

#[test]
fn nothing_is_written_outside_the_chosen_folder() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["../escape", "/tmp/abs", ".hidden", "a/b", "tab\\there"] {
        let file = dir.path().join("s.toml");
        fs::write(&file, format!("name = \"{name}\"\n")).unwrap();
        profspace()
            .current_dir(dir.path())
            .args(["run", "s.toml", "--no-plots"])
            .assert()
            .code(2);
    }
    let entries: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        entries,
        vec![std::ffi::OsString::from("s.toml")],
        "something was written: {entries:?}"
    );
    // A valid name writes only under output/<name>.
    fs::write(
        dir.path().join("s.toml"),
        "name = \"ok.v1\"\nticks = 5\nreplications = 1\n",
    )
    .unwrap();
    profspace()
        .current_dir(dir.path())
        .args(["run", "s.toml", "--no-plots"])
        .assert()
        .success();
    assert!(dir.path().join("output/ok.v1/runs.csv").is_file());
}

const LONG: &str = "name = \"long\"\nticks = 150\nreplications = 6\n[organization]\nteams = 10\nteam_size = 10\n\
                    [sweep.grid]\n\"managers.focus\" = { from = 0.1, to = 0.9, steps = 14 }\n";

fn tables(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    [
        "design.csv",
        "runs.csv",
        "ticks.csv",
        "aggregate.csv",
        "failures.csv",
    ]
    .iter()
    .map(|t| (t.to_string(), fs::read(dir.join(t)).ok()))
    .collect()
}

#[test]
fn kill_9_at_several_moments_then_resume_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.toml");
    fs::write(&scenario, LONG).unwrap();
    let full = dir.path().join("full");
    profspace()
        .args([
            "sweep",
            scenario.to_str().unwrap(),
            "--out",
            full.to_str().unwrap(),
            "--no-plots",
            "--threads",
            "1",
        ])
        .assert()
        .success();
    let out = dir.path().join("killed");
    // Kill after various numbers of written runs, including at once (before
    // any row) and repeatedly on the same folder.
    let mut kills = 0;
    for (round, after) in [0usize, 3, 17, 29, 41, 60].into_iter().enumerate() {
        let mut child = common::spawn_sweep(
            &scenario,
            &out,
            if round == 0 { &[] } else { &["--resume"] },
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if common::part_rows(&out) > after
                || (after == 0 && out.join("manifest.json").exists())
                || Instant::now() > deadline
            {
                child.kill().unwrap();
                kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let _ = child.wait();
        assert!(
            !out.join("runs.csv").exists() || out.join("aggregate.csv").exists(),
            "a final runs.csv without a complete sweep"
        );
    }
    assert!(kills >= 4, "only {kills} kills landed mid-way");
    common::profspace_on("sweep", &scenario, &out, &["--resume"]).success();
    assert_eq!(
        tables(&full),
        tables(&out),
        "resumed sweep differs from the uninterrupted one"
    );
}

#[test]
fn a_second_process_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.toml");
    fs::write(&scenario, LONG).unwrap();
    let out = dir.path().join("out");
    let mut first = common::spawn_sweep(&scenario, &out, &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::part_rows(&out) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let second = profspace()
        .args([
            "sweep",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--resume",
            "--no-plots",
        ])
        .output()
        .unwrap();
    let first_done = first.try_wait().unwrap().is_some();
    let _ = first.kill();
    let _ = first.wait();
    assert!(
        !first_done,
        "the first sweep finished before the second could start"
    );
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another profspace process") && stderr.contains("pid"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_says_how_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.toml");
    fs::write(&scenario, LONG).unwrap();
    let out = dir.path().join("out");
    let child = common::spawn_sweep(&scenario, &out, &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::part_rows(&out) < 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("nothing finished is lost") && stderr.contains("--resume"),
        "{stderr}"
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"status\": \"interrupted\""),
        "{manifest}"
    );
    assert!(!out.join("runs.csv").exists());
    common::profspace_on("sweep", &scenario, &out, &["--resume"]).success();
    assert!(out.join("aggregate.csv").is_file());
}

#[test]
fn a_failing_run_is_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(
        &scenario,
        "ticks = 20\nreplications = 3\n[sweep.grid]\n\"managers.focus\" = [0.2, 0.8]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = profspace()
        .env("PROFSPACE_FAIL_RUNS", "1,4")
        .args([
            "sweep",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("2 runs failed") && stderr.contains("run 1 (seed"),
        "{stderr}"
    );
    let failures = fs::read_to_string(out.join("failures.csv")).unwrap();
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines[0], "run,point,replicate,seed,message");
    assert!(
        lines[1].starts_with("1,0,1,") && lines[1].contains("injected failure"),
        "{failures}"
    );
    assert!(lines[2].starts_with("4,1,1,"), "{failures}");
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    let ids: Vec<&str> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["0", "2", "3", "5"]);
    let aggregate = fs::read_to_string(out.join("aggregate.csv")).unwrap();
    assert!(
        aggregate.lines().nth(1).unwrap().starts_with("0,0.2,2,"),
        "{aggregate}"
    );
    // The failures are part of the result: resuming does not redo them.
    common::profspace_on("sweep", &scenario, &out, &["--resume"])
        .success()
        .stderr(predicates::str::contains("already complete"));
}

#[test]
fn an_output_path_that_cannot_be_a_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    fs::write(&file, "x").unwrap();
    let out = file.join("out");
    profspace()
        .args(["run", "--out", out.to_str().unwrap(), "--no-plots"])
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("cannot create the output folder")
                .and(predicates::str::contains("plain-file")),
        );
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_no_half_file_and_resume_completes() {
    // A file-size limit makes writes fail the way a full disk does (EFBIG
    // instead of ENOSPC); SIGXFSZ is ignored so the write returns an error.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(&scenario, "ticks = 100\nreplications = 4\n[sweep.grid]\n\"managers.focus\" = [0.1, 0.3, 0.5, 0.7, 0.9]\n").unwrap();
    let out = dir.path().join("out");
    let cmd = format!(
        "ulimit -f 200; trap '' XFSZ; exec {} sweep {} --out {} --no-plots",
        bin().display(),
        scenario.display(),
        out.display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &cmd])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ticks.csv") && !stderr.contains("panicked"),
        "{stderr}"
    );
    for t in ["runs.csv", "ticks.csv", "aggregate.csv"] {
        assert!(
            !out.join(t).exists(),
            "{t} exists under its final name after a failed write"
        );
    }
    common::profspace_on("sweep", &scenario, &out, &["--resume"]).success();
    let fresh = dir.path().join("fresh");
    common::profspace_on("sweep", &scenario, &fresh, &[]).success();
    assert_eq!(tables(&fresh), tables(&out));
}

use predicates::prelude::PredicateBooleanExt;
