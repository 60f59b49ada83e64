//! Reliability: hostile input gets a clear error and never a panic; crashes,
//! interruptions, locks, failing runs and full disks lose nothing and leave
//! no half-written file under a final name.

use crate::common;

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
        &[
            "huge.toml".into(),
            "9.5 MiB".into(),
            "at most 1.0 MiB".into(),
        ],
    );
    let long = format!("description = \"{}\"\n", "x".repeat(100_000));
    refused(
        &write("long.toml", long.as_bytes()),
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
                    [output]\nticks_every = 1\n[sweep.grid]\n\"managers.focus\" = { from = 0.1, to = 0.9, steps = 14 }\n";

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
    fs::write(&scenario, "ticks = 100\nreplications = 4\n[output]\nticks_every = 1\n[sweep.grid]\n\"managers.focus\" = [0.1, 0.3, 0.5, 0.7, 0.9]\n").unwrap();
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
    // Which file meets the limit first depends on how the runs interleave
    // (the largest table, or the journal of runs finished out of order):
    // either way the error names it, in the output folder.
    assert!(
        stderr.contains("cannot write")
            && stderr.contains(&out.display().to_string())
            && !stderr.contains("panicked"),
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

// ------------------------------------------------------------------------
// The table of runtime faults: what a careless or unlucky user does to a
// result folder, an input or a running sweep. Each case states the exit
// code and message it expects, and ends by checking that nothing corrupt is
// left under a final name and that no finished result was lost.

mod table {
    use super::common::faults::*;
    use std::fs;
    use std::path::Path;

    type Case = (&'static str, fn(&Path));

    /// A finished sweep of SWEEP in `dir/out`; returns (scenario, out).
    fn finished(dir: &Path) -> (String, std::path::PathBuf) {
        let s = file(dir, "f.toml", SWEEP);
        let out = dir.join("out");
        let o = run(
            dir,
            &["sweep", &s, "--out", out.to_str().unwrap(), "--no-plots"],
        );
        expect(&o, 0, &[]);
        (s, out)
    }

    /// A sweep of LONG killed in the middle in `dir/out`.
    fn killed(dir: &Path, rows: usize) -> (String, std::path::PathBuf) {
        let s = file(dir, "long.toml", LONG);
        let out = dir.join("out");
        assert!(
            interrupted(dir, &s, &out, rows),
            "the sweep finished before it was killed"
        );
        (s, out)
    }

    /// Resumes `out` and compares it with an uninterrupted sweep.
    fn resumes_identically(dir: &Path, s: &str, out: &Path) {
        let o = run(
            dir,
            &[
                "sweep",
                s,
                "--out",
                out.to_str().unwrap(),
                "--resume",
                "--no-plots",
            ],
        );
        expect(&o, 0, &[]);
        let clean = dir.join("clean");
        let o = run(
            dir,
            &["sweep", s, "--out", clean.to_str().unwrap(), "--no-plots"],
        );
        expect(&o, 0, &[]);
        assert_eq!(tables(&clean), tables(out), "the resumed folder differs");
    }

    fn resume(dir: &Path, s: &str, out: &Path) -> std::process::Output {
        run(
            dir,
            &[
                "sweep",
                s,
                "--out",
                out.to_str().unwrap(),
                "--resume",
                "--no-plots",
            ],
        )
    }

    // ---- finished results are never destroyed without a word ----

    fn another_scenario_into_a_finished_out(dir: &Path) {
        let (_, out) = finished(dir);
        let before = snapshot(&out);
        let other = file(dir, "other.toml", OTHER);
        let o = run(
            dir,
            &["run", &other, "--out", out.to_str().unwrap(), "--no-plots"],
        );
        expect(
            &o,
            2,
            &[
                out.to_str().unwrap(),
                "finished results of another scenario",
                "--overwrite",
            ],
        );
        assert_eq!(snapshot(&out), before);
    }

    fn another_scenario_with_overwrite(dir: &Path) {
        let (_, out) = finished(dir);
        let other = file(dir, "other.toml", OTHER);
        let o = run(
            dir,
            &[
                "run",
                &other,
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
                "--overwrite",
            ],
        );
        expect(&o, 0, &[]);
        let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 1 + 2);
        sound(dir, &other, &out);
    }

    fn changed_scenario_in_the_default_folder_is_kept(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        expect(&run(dir, &["sweep", &s, "--no-plots"]), 0, &[]);
        let first = tables(&dir.join("output/f"));
        file(dir, "f.toml", OTHER);
        let err = expect(&run(dir, &["run", &s, "--no-plots"]), 0, &["previous"]);
        assert!(err.contains("output/f/previous"), "{err}");
        assert_eq!(tables(&dir.join("output/f/previous")), first);
        // A third version: the second moves in, the first stays.
        file(dir, "f.toml", &SWEEP.replace("ticks = 40", "ticks = 41"));
        expect(&run(dir, &["sweep", &s, "--no-plots"]), 0, &[]);
        assert_eq!(tables(&dir.join("output/f/previous.1")), first);
        assert!(dir.join("output/f/previous/runs.csv").is_file());
    }

    fn students_run_then_sweep(dir: &Path) {
        let s = file(
            dir,
            "my-first.toml",
            "coupling = \"zero_sum\"\nticks = 30\n[managers]\nfocus = 0.9\n",
        );
        expect(&run(dir, &["run", &s, "--no-plots"]), 0, &[]);
        let runs = fs::read(dir.join("output/my-first/runs.csv")).unwrap();
        fs::write(
            &s,
            "coupling = \"zero_sum\"\nticks = 30\n[managers]\nfocus = 0.9\n\
                       [sweep.grid]\n\"managers.focus\" = [0.2, 0.5, 0.9]\n",
        )
        .unwrap();
        expect(&run(dir, &["sweep", &s, "--no-plots"]), 0, &[]);
        assert_eq!(
            fs::read(dir.join("output/my-first/previous/runs.csv")).unwrap(),
            runs
        );
    }

    fn out_full_of_the_users_files(dir: &Path) {
        let out = dir.join("mine");
        fs::create_dir_all(out.join("plots")).unwrap();
        fs::write(out.join("runs.csv"), "my,own\n1,2\n").unwrap();
        fs::write(out.join("notes.txt"), "thesis notes").unwrap();
        fs::write(out.join("plots/figure.png"), "png").unwrap();
        let before = snapshot(&out);
        let s = file(dir, "f.toml", SWEEP);
        let o = run(
            dir,
            &["sweep", &s, "--out", out.to_str().unwrap(), "--no-plots"],
        );
        expect(&o, 2, &["did not write", "notes.txt", "--overwrite"]);
        assert_eq!(snapshot(&out), before);
    }

    fn out_full_of_the_users_files_with_overwrite(dir: &Path) {
        let out = dir.join("mine");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "thesis notes").unwrap();
        let s = file(dir, "f.toml", SWEEP);
        let o = run(
            dir,
            &[
                "sweep",
                &s,
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
                "--overwrite",
            ],
        );
        expect(&o, 0, &[]);
        assert_eq!(
            fs::read_to_string(out.join("notes.txt")).unwrap(),
            "thesis notes"
        );
        sound(dir, &s, &out);
    }

    fn merge_out_is_a_shard_spelled_differently(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        for k in 0..2 {
            let o = run(
                dir,
                &[
                    "sweep",
                    &s,
                    "--shard",
                    &format!("{k}/2"),
                    "--out",
                    &format!("s{k}"),
                    "--no-plots",
                ],
            );
            expect(&o, 0, &[]);
        }
        let before = snapshot(&dir.join("s0"));
        let absolute = dir.join("s0");
        let o = run(
            dir,
            &[
                "merge",
                "s0",
                "s1",
                "--out",
                absolute.to_str().unwrap(),
                "--no-plots",
            ],
        );
        expect(&o, 2, &["is the shard folder"]);
        assert_eq!(snapshot(&dir.join("s0")), before);
        let o = run(
            dir,
            &["merge", "./s0", "s1", "--out", "s1/../s0", "--no-plots"],
        );
        expect(&o, 2, &["is the shard folder"]);
    }

    fn merge_into_another_scenarios_results(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        for k in 0..2 {
            let o = run(
                dir,
                &[
                    "sweep",
                    &s,
                    "--shard",
                    &format!("{k}/2"),
                    "--out",
                    &format!("s{k}"),
                    "--no-plots",
                ],
            );
            expect(&o, 0, &[]);
        }
        let other = file(dir, "other.toml", OTHER);
        expect(
            &run(dir, &["run", &other, "--out", "taken", "--no-plots"]),
            0,
            &[],
        );
        let before = snapshot(&dir.join("taken"));
        let o = run(dir, &["merge", "s0", "s1", "--out", "taken", "--no-plots"]);
        expect(&o, 2, &["another scenario", "--overwrite"]);
        assert_eq!(snapshot(&dir.join("taken")), before);
    }

    fn rerun_of_the_same_scenario(dir: &Path) {
        let (s, out) = finished(dir);
        let before = tables(&out);
        let o = run(
            dir,
            &["sweep", &s, "--out", out.to_str().unwrap(), "--no-plots"],
        );
        expect(&o, 0, &[]);
        assert_eq!(tables(&out), before);
    }

    fn unreadable_manifest_in_out(dir: &Path) {
        let out = dir.join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("manifest.json"), "{ not json").unwrap();
        let s = file(dir, "f.toml", SWEEP);
        let o = run(
            dir,
            &["sweep", &s, "--out", out.to_str().unwrap(), "--no-plots"],
        );
        expect(&o, 2, &["cannot read", "--overwrite"]);
        assert_eq!(
            fs::read_to_string(out.join("manifest.json")).unwrap(),
            "{ not json"
        );
    }

    fn unfinished_folder_of_another_scenario(dir: &Path) {
        let (_, out) = killed(dir, 10);
        let other = file(
            dir,
            "other.toml",
            &LONG.replace("ticks = 150", "ticks = 149"),
        );
        let o = run(
            dir,
            &[
                "sweep",
                &other,
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
            ],
        );
        expect(&o, 2, &["unfinished", "another scenario", "--fresh"]);
        let o = run(
            dir,
            &[
                "sweep",
                &other,
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
                "--fresh",
            ],
        );
        expect(&o, 0, &[]);
        sound(dir, &other, &out);
    }

    // ---- damaged files are never trusted ----

    fn finished_runs_csv_truncated(dir: &Path) {
        let (s, out) = finished(dir);
        let runs = fs::read(out.join("runs.csv")).unwrap();
        fs::write(out.join("runs.csv"), &runs[..runs.len() - 30]).unwrap();
        expect(
            &resume(dir, &s, &out),
            2,
            &["runs.csv is damaged", "without --resume"],
        );
        // Rerunning recomputes it.
        expect(
            &run(
                dir,
                &["sweep", &s, "--out", out.to_str().unwrap(), "--no-plots"],
            ),
            0,
            &[],
        );
        sound(dir, &s, &out);
    }

    fn finished_runs_csv_flipped(dir: &Path) {
        let (s, out) = finished(dir);
        flip(&out.join("runs.csv"), -5);
        expect(
            &resume(dir, &s, &out),
            2,
            &["runs.csv is damaged", "changed"],
        );
    }

    fn finished_ticks_csv_flipped(dir: &Path) {
        let (s, out) = finished(dir);
        flip(&out.join("ticks.csv"), 500);
        expect(&resume(dir, &s, &out), 2, &["ticks.csv is damaged"]);
    }

    fn finished_manifest_digest_altered(dir: &Path) {
        let (s, out) = finished(dir);
        let m = fs::read_to_string(out.join("manifest.json")).unwrap();
        let i = m.find("\"sha256\": \"").unwrap() + 11;
        let mut b = m.into_bytes();
        b[i] = if b[i] == b'a' { b'b' } else { b'a' };
        fs::write(out.join("manifest.json"), b).unwrap();
        expect(&resume(dir, &s, &out), 2, &["is damaged"]);
    }

    fn interrupted_runs_part_flipped(dir: &Path) {
        let (s, out) = killed(dir, 20);
        flip(&out.join("runs.csv.part"), 400);
        let err = expect(
            &resume(dir, &s, &out),
            2,
            &["runs.csv.part is damaged at line", "--fresh"],
        );
        assert!(!out.join("runs.csv").exists(), "{err}");
    }

    fn interrupted_ticks_part_flipped(dir: &Path) {
        let (s, out) = killed(dir, 20);
        flip(&out.join("ticks.csv.part"), 3000);
        expect(
            &resume(dir, &s, &out),
            2,
            &["ticks.csv.part is damaged at line"],
        );
        assert!(!out.join("ticks.csv").exists());
    }

    fn interrupted_torn_last_line(dir: &Path) {
        let (s, out) = killed(dir, 20);
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(out.join("runs.csv.part"))
            .unwrap();
        std::io::Write::write_all(&mut f, b"999,3,1,12345,0.5,0.").unwrap();
        resumes_identically(dir, &s, &out);
    }

    fn interrupted_index_flipped_in_the_middle(dir: &Path) {
        let (s, out) = killed(dir, 20);
        let index = out.join(".profspace/index");
        let text = fs::read_to_string(&index).unwrap();
        let first_line_len = text.lines().next().unwrap().len();
        flip(&index, first_line_len as i64 / 2);
        expect(
            &resume(dir, &s, &out),
            2,
            &["index is damaged at line 1", "--fresh"],
        );
    }

    fn interrupted_index_torn(dir: &Path) {
        let (s, out) = killed(dir, 20);
        let index = out.join(".profspace/index");
        let b = fs::read(&index).unwrap();
        fs::write(&index, &b[..b.len() - 7]).unwrap();
        resumes_identically(dir, &s, &out);
    }

    fn interrupted_journal_with_a_crafted_length(dir: &Path) {
        let (s, out) = killed(dir, 20);
        fs::write(
            out.join(".profspace/journal"),
            "#run 70 999999999999 0 0 0000000000000000\nshort",
        )
        .unwrap();
        resumes_identically(dir, &s, &out);
    }

    fn interrupted_journal_flipped(dir: &Path) {
        let (s, out) = killed(dir, 20);
        let body = "70,11,4,1,0.5\n";
        let record = format!("#run 70 {} 0 0 {:016x}\n{body}", body.len(), 0xdead_beefu64);
        fs::write(out.join(".profspace/journal"), record).unwrap();
        resumes_identically(dir, &s, &out);
    }

    fn interrupted_header_damaged(dir: &Path) {
        let (s, out) = killed(dir, 20);
        flip(&out.join("runs.csv.part"), 2);
        expect(
            &resume(dir, &s, &out),
            2,
            &["runs.csv.part is damaged at line 1"],
        );
    }

    fn merge_of_a_damaged_shard(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        for k in 0..2 {
            expect(
                &run(
                    dir,
                    &[
                        "sweep",
                        &s,
                        "--shard",
                        &format!("{k}/2"),
                        "--out",
                        &format!("s{k}"),
                        "--no-plots",
                    ],
                ),
                0,
                &[],
            );
        }
        flip(&dir.join("s1/runs.csv"), -4);
        let o = run(dir, &["merge", "s0", "s1", "--out", "m", "--no-plots"]);
        expect(&o, 2, &["s1/runs.csv is damaged"]);
        assert!(!dir.join("m/runs.csv").exists());
    }

    fn merge_of_a_shard_with_text_in_a_number(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        for k in 0..2 {
            expect(
                &run(
                    dir,
                    &[
                        "sweep",
                        &s,
                        "--shard",
                        &format!("{k}/2"),
                        "--out",
                        &format!("s{k}"),
                        "--no-plots",
                    ],
                ),
                0,
                &[],
            );
        }
        let runs = fs::read_to_string(dir.join("s0/runs.csv")).unwrap();
        let mut lines: Vec<String> = runs.lines().map(String::from).collect();
        let last = lines[1].rfind(',').unwrap();
        lines[1].replace_range(last + 1.., "abc");
        fs::write(dir.join("s0/runs.csv"), lines.join("\n") + "\n").unwrap();
        expect(
            &run(dir, &["merge", "s0", "s1", "--out", "m", "--no-plots"]),
            2,
            &["damaged"],
        );
    }

    fn plot_of_a_damaged_aggregate(dir: &Path) {
        let (_, out) = finished(dir);
        let a = fs::read_to_string(out.join("aggregate.csv")).unwrap();
        fs::write(out.join("aggregate.csv"), a.replacen(",0.", ",abc", 1)).unwrap();
        let o = run(dir, &["plot", out.to_str().unwrap()]);
        expect(&o, 2, &["aggregate.csv is damaged"]);
    }

    fn plot_of_text_in_a_table_without_manifest(dir: &Path) {
        let (_, out) = finished(dir);
        fs::remove_file(out.join("manifest.json")).unwrap();
        let a = fs::read_to_string(out.join("aggregate.csv")).unwrap();
        let mut lines: Vec<String> = a.lines().map(String::from).collect();
        let mut fields: Vec<&str> = lines[1].split(',').collect();
        fields[6] = "abc";
        lines[1] = fields.join(",");
        fs::write(out.join("aggregate.csv"), lines.join("\n") + "\n").unwrap();
        let o = run(dir, &["plot", out.to_str().unwrap()]);
        expect(
            &o,
            2,
            &["aggregate.csv", "line 2", "`abc", "is not a number"],
        );
    }

    fn plot_draws_only_the_metric_asked(dir: &Path) {
        let (_, out) = finished(dir);
        let o = run(
            dir,
            &["plot", out.to_str().unwrap(), "--metric", "settle_tick"],
        );
        let err = expect(&o, 0, &[]);
        assert!(
            err.contains("settle_tick") && !err.contains("timeseries"),
            "{err}"
        );
        let o = run(
            dir,
            &["plot", out.to_str().unwrap(), "--metric", "setle_tick"],
        );
        expect(&o, 2, &["setle_tick"]);
    }

    // ---- endless or odd inputs ----

    fn fifo_as_scenario(dir: &Path) {
        let fifo = dir.join("pipe.toml");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let o = run(dir, &["check", fifo.to_str().unwrap()]);
        expect(&o, 2, &["not a regular file"]);
        let link = dir.join("link.toml");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        expect(
            &run(dir, &["check", link.to_str().unwrap()]),
            2,
            &["not a regular file"],
        );
    }

    fn dev_zero_as_scenario(dir: &Path) {
        let o = run(dir, &["run", "/dev/zero", "--out", "x", "--no-plots"]);
        expect(&o, 2, &["not a regular file"]);
        assert!(!dir.join("x").exists());
    }

    fn scenario_over_one_mib(dir: &Path) {
        let s = file(dir, "big.toml", &"# filler\n".repeat(300_000));
        expect(&run(dir, &["check", &s]), 2, &["at most 1.0 MiB"]);
    }

    fn absurd_thread_count(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        let o = run(
            dir,
            &[
                "sweep",
                &s,
                "--out",
                "t",
                "--no-plots",
                "--threads",
                "100000",
            ],
        );
        expect(&o, 0, &["--threads 100000", "using"]);
        sound(dir, &s, &dir.join("t"));
        expect(
            &run(dir, &["sweep", &s, "--out", "t0", "--threads", "0"]),
            2,
            &["at least 1"],
        );
    }

    // ---- signals ----

    fn signal_mid_sweep(dir: &Path, sig: &str, code: i32) {
        let s = file(dir, "long.toml", LONG);
        let out = dir.join("out");
        let mut child = spawn(dir, &s, &out, &["--threads", "1"]);
        assert!(
            when_written(&mut child, &out, 15, |c| signal(c, sig)),
            "finished first"
        );
        let o = child.wait_with_output().unwrap();
        let err = expect(&o, code, &["to finish"]);
        let m = fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(
            m.contains("\"status\": \"interrupted\"")
                && m.contains(&format!("\"interrupted_by\": \"SIG{sig}\"")),
            "{m}\n{err}"
        );
        assert!(!out.join("runs.csv").exists());
        resumes_identically(dir, &s, &out);
    }

    fn sigterm_mid_sweep(dir: &Path) {
        signal_mid_sweep(dir, "TERM", 143);
    }

    fn sighup_mid_sweep(dir: &Path) {
        signal_mid_sweep(dir, "HUP", 129);
    }

    fn second_sigterm_stops_at_once(dir: &Path) {
        let s = file(dir, "long.toml", LONG);
        let out = dir.join("out");
        let mut child = spawn(dir, &s, &out, &["--threads", "1"]);
        assert!(when_written(&mut child, &out, 15, |c| {
            signal(c, "TERM");
            signal(c, "TERM");
        }));
        let o = child.wait_with_output().unwrap();
        assert!(matches!(o.status.code(), Some(143)), "{:?}", o.status);
        resumes_identically(dir, &s, &out);
    }

    // ---- sizes ----

    fn tables_larger_than_the_free_space(dir: &Path) {
        let s = file(dir, "f.toml", SWEEP);
        let o = profspace(dir)
            .env("PROFSPACE_FREE_BYTES", "1000")
            .args(["sweep", &s, "--out", "z", "--no-plots"])
            .output()
            .unwrap();
        expect(&o, 2, &["need about", "free", "ticks_every", "--no-ticks"]);
        assert!(!dir.join("z").exists());
    }

    fn a_large_sweep_is_announced(dir: &Path) {
        let big = "ticks = 2000\nreplications = 100\n[output]\nticks_every = 1\n\
                   [sweep.grid]\n\"managers.focus\" = { from = 0.0, to = 1.0, steps = 21 }\n";
        let s = file(dir, "big.toml", big);
        let o = run(dir, &["sweep", &s, "--dry-run"]);
        expect(&o, 0, &["warning", "GiB", "--no-ticks"]);
    }

    fn no_ticks_and_the_sweep_default(dir: &Path) {
        let s = file(
            dir,
            "f.toml",
            &SWEEP.replace("[output]\nticks_every = 1\n", ""),
        );
        expect(
            &run(dir, &["sweep", &s, "--out", "d", "--no-plots"]),
            0,
            &[],
        );
        let ticks = fs::read_to_string(dir.join("d/ticks.csv")).unwrap();
        assert_eq!(
            ticks.lines().count(),
            1 + 12 * 4,
            "every 10th of 40 ticks, 12 runs"
        );
        expect(
            &run(
                dir,
                &["sweep", &s, "--out", "n", "--no-plots", "--no-ticks"],
            ),
            0,
            &[],
        );
        assert!(!dir.join("n/ticks.csv").exists());
        assert_eq!(
            fs::read(dir.join("d/runs.csv")).unwrap().len(),
            fs::read(dir.join("n/runs.csv")).unwrap().len()
        );
    }

    const CASES: &[Case] = &[
        (
            "another scenario into a finished --out",
            another_scenario_into_a_finished_out,
        ),
        (
            "another scenario with --overwrite",
            another_scenario_with_overwrite,
        ),
        (
            "changed scenario in the default folder",
            changed_scenario_in_the_default_folder_is_kept,
        ),
        ("the student's run, then sweep", students_run_then_sweep),
        (
            "--out full of the user's files",
            out_full_of_the_users_files,
        ),
        (
            "--out full of the user's files, --overwrite",
            out_full_of_the_users_files_with_overwrite,
        ),
        (
            "merge --out is a shard, spelled differently",
            merge_out_is_a_shard_spelled_differently,
        ),
        (
            "merge into another scenario's results",
            merge_into_another_scenarios_results,
        ),
        ("rerun of the same scenario", rerun_of_the_same_scenario),
        ("unreadable manifest in --out", unreadable_manifest_in_out),
        (
            "unfinished folder of another scenario",
            unfinished_folder_of_another_scenario,
        ),
        ("finished runs.csv truncated", finished_runs_csv_truncated),
        (
            "finished runs.csv with a flipped byte",
            finished_runs_csv_flipped,
        ),
        (
            "finished ticks.csv with a flipped byte",
            finished_ticks_csv_flipped,
        ),
        ("manifest digest altered", finished_manifest_digest_altered),
        (
            "runs.csv.part with a flipped byte",
            interrupted_runs_part_flipped,
        ),
        (
            "ticks.csv.part with a flipped byte",
            interrupted_ticks_part_flipped,
        ),
        ("a torn last line", interrupted_torn_last_line),
        (
            "the index damaged in the middle",
            interrupted_index_flipped_in_the_middle,
        ),
        ("the index torn at its end", interrupted_index_torn),
        (
            "a journal record of 1 TB",
            interrupted_journal_with_a_crafted_length,
        ),
        (
            "a journal record with a bad checksum",
            interrupted_journal_flipped,
        ),
        ("a damaged header", interrupted_header_damaged),
        ("merge of a damaged shard", merge_of_a_damaged_shard),
        (
            "merge of a shard with text in a number",
            merge_of_a_shard_with_text_in_a_number,
        ),
        ("plot of a damaged aggregate", plot_of_a_damaged_aggregate),
        (
            "plot of text in a table without manifest",
            plot_of_text_in_a_table_without_manifest,
        ),
        (
            "plot draws only the metric asked",
            plot_draws_only_the_metric_asked,
        ),
        ("a FIFO as the scenario", fifo_as_scenario),
        ("/dev/zero as the scenario", dev_zero_as_scenario),
        ("a scenario over 1 MiB", scenario_over_one_mib),
        ("--threads 100000 and 0", absurd_thread_count),
        ("SIGTERM mid-sweep", sigterm_mid_sweep),
        ("SIGHUP mid-sweep", sighup_mid_sweep),
        ("a second SIGTERM", second_sigterm_stops_at_once),
        (
            "tables larger than the free space",
            tables_larger_than_the_free_space,
        ),
        ("a large sweep is announced", a_large_sweep_is_announced),
        (
            "--no-ticks and the sweep default",
            no_ticks_and_the_sweep_default,
        ),
    ];

    /// Every case runs (in its own folder); failures are reported together.
    #[test]
    fn every_runtime_fault_is_handled() {
        let mut failed = Vec::new();
        for (name, case) in CASES {
            let dir = tempfile::tempdir().unwrap();
            let result = std::panic::catch_unwind(|| case(dir.path()));
            if let Err(e) = result {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failed.push(format!("{name}: {msg}"));
            }
        }
        eprintln!(
            "{} runtime-fault cases, {} failed",
            CASES.len(),
            failed.len()
        );
        assert!(
            failed.is_empty(),
            "{} of {} runtime-fault cases failed:\n\n{}",
            failed.len(),
            CASES.len(),
            failed.join("\n\n")
        );
    }
}
