//! Helpers for the table of runtime faults in `tests/reliability.rs`: a
//! small sweep, ways to run profspace on it, and the checks every case ends
//! with (nothing corrupt under a final name, nothing finished lost).

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// A small sweep: 4 points × 3 replications, every tick written.
pub const SWEEP: &str = "name = \"f\"\nticks = 40\nreplications = 3\n[output]\nticks_every = 1\n\
    [organization]\nteams = 4\nteam_size = 5\n\
    [sweep.grid]\n\"managers.focus\" = [0.2, 0.4, 0.6, 0.8]\n";

/// Another scenario of the same name.
pub const OTHER: &str =
    "name = \"f\"\nticks = 30\nreplications = 2\n[organization]\nteams = 4\nteam_size = 5\n";

/// A sweep long enough to be stopped in the middle.
pub const LONG: &str = "name = \"long\"\nticks = 150\nreplications = 6\n[output]\nticks_every = 1\n\
    [sweep.grid]\n\"managers.focus\" = { from = 0.1, to = 0.9, steps = 14 }\n";

/// The tables of a result folder, by name (absent ones as `None`).
pub fn tables(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
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

/// Every file under `dir`, with its bytes (what must not be lost).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != ".profspace" {
                    stack.push(p);
                }
            } else if let Ok(b) = fs::read(&p) {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), b);
            }
        }
    }
    out
}

/// The profspace binary, run in `cwd`.
pub fn profspace(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("profspace").unwrap();
    c.current_dir(cwd);
    c
}

/// Runs `profspace ARGS` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    profspace(cwd).args(args).output().unwrap()
}

/// Writes `text` as `cwd/name` and returns the path as text.
pub fn file(cwd: &Path, name: &str, text: &str) -> String {
    let p = cwd.join(name);
    fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Checks exit code and message fragments; returns stderr.
pub fn expect(out: &Output, code: i32, fragments: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}:\n{err}"
    );
    for f in fragments {
        assert!(err.contains(f), "stderr lacks {f:?}:\n{err}");
    }
    assert!(
        !err.contains("panicked"),
        "a panic reached the user:\n{err}"
    );
    err
}

/// Nothing corrupt under a final name: a folder with a complete manifest
/// matches its digests (checked by `--resume`, which verifies and then
/// says it is complete); a folder without one holds no final table.
pub fn sound(cwd: &Path, scenario: &str, out: &Path) {
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap_or_default();
    if manifest.contains("\"status\": \"complete\"") {
        let o = run(
            cwd,
            &[
                "sweep",
                scenario,
                "--out",
                out.to_str().unwrap(),
                "--resume",
                "--no-plots",
            ],
        );
        expect(&o, 0, &["already complete"]);
    } else {
        for t in ["runs.csv", "ticks.csv", "aggregate.csv"] {
            assert!(
                !out.join(t).exists(),
                "{t} exists under its final name in an unfinished folder"
            );
        }
    }
}

/// Starts `profspace sweep SCENARIO --out OUT EXTRA…` in the background.
pub fn spawn(cwd: &Path, scenario: &str, out: &Path, extra: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("profspace"))
        .current_dir(cwd)
        .args([
            "sweep",
            scenario,
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Rows (header included) written so far to `OUT/runs.csv.part`.
pub fn part_rows(out: &Path) -> usize {
    fs::read(out.join("runs.csv.part"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Waits until `rows` runs are written, then runs `act` on the child.
pub fn when_written(
    child: &mut std::process::Child,
    out: &Path,
    rows: usize,
    act: impl FnOnce(&mut std::process::Child),
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if part_rows(out) > rows || Instant::now() > deadline {
            act(child);
            return true;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
}

/// A folder left by a sweep killed with SIGKILL after some runs; `None` if
/// the sweep finished first.
pub fn interrupted(cwd: &Path, scenario: &str, out: &Path, rows: usize) -> bool {
    let mut child = spawn(cwd, scenario, out, &["--threads", "1"]);
    let killed = when_written(&mut child, out, rows, |c| c.kill().unwrap());
    let _ = child.wait();
    killed && !out.join("runs.csv").exists()
}

/// Flips one byte (at `at` from the end when negative) of `path`.
pub fn flip(path: &Path, at: i64) {
    let mut b = fs::read(path).unwrap();
    let i = if at < 0 {
        (b.len() as i64 + at) as usize
    } else {
        at as usize
    };
    b[i] = if b[i] == b'1' { b'2' } else { b'1' };
    fs::write(path, b).unwrap();
}

/// Sends a signal to a process.
pub fn signal(child: &std::process::Child, sig: &str) {
    std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
}
