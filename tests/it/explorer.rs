//! The explorer in a real browser: starts `profspace serve --port 0
//! --no-open` and runs `tests/explorer/browser_test.py` (Python's selenium
//! driving headless chromium with --no-sandbox) against it. The script loads
//! the page, moves `managers.focus` and sees the TOML follow, runs and waits
//! for `data-run-state=done`, replays the run with `profspace run` of its
//! resolved scenario and seed (the same numbers and the same ticks.csv,
//! byte for byte), pins it and runs the other coupling (a different
//! series, both drawn), types invalid TOML (the line-numbered error, Run
//! disabled) and runs a small sweep.
//!
//! It needs chromium, chromedriver and python3-selenium, so `cargo test`
//! reports it as ignored, with that reason; `.ci/run` installs them and runs
//! it with `cargo test --test it -- --ignored explorer::`, where anything missing
//! is a failure. `PROFSPACE_EXPLORER_SHOTS=DIR` keeps the screenshots in
//! DIR.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The first of `candidates` that is a file, or the program found on PATH.
fn find(env: &str, candidates: &[&str], program: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Path::new(&p).is_file().then(|| PathBuf::from(p));
    }
    for c in candidates {
        if Path::new(c).is_file() {
            return Some(PathBuf::from(c));
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// A Python that can import selenium: Debian's first (python3-selenium is
/// installed for it), then whichever python3 is on PATH.
fn python_with_selenium() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("/usr/bin/python3")];
    if let Some(p) = find("PROFSPACE_PYTHON", &[], "python3") {
        candidates.insert(0, p);
    }
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import selenium, tomllib"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

/// Stops a `profspace serve` the way Ctrl-C would (SIGTERM), so that it
/// removes its temporary folder; kills it if it is still there after a while.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..100 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Chromium, chromedriver and a Python with selenium, or a failure that
/// says what to install.
fn browser_tools() -> (PathBuf, PathBuf, PathBuf) {
    let chromium = find(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        "chromium",
    );
    let driver = find(
        "CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        "chromedriver",
    );
    let python = python_with_selenium();
    let missing: Vec<&str> = [
        (chromium.is_none(), "chromium"),
        (driver.is_none(), "chromedriver (chromium-driver)"),
        (python.is_none(), "python3 with selenium (python3-selenium)"),
    ]
    .iter()
    .filter(|(m, _)| *m)
    .map(|(_, name)| *name)
    .collect();
    assert!(
        missing.is_empty(),
        "the browser test needs {}: apt-get install chromium chromium-driver python3-selenium",
        missing.join(", ")
    );
    (
        chromium.unwrap_or_default(),
        driver.unwrap_or_default(),
        python.unwrap_or_default(),
    )
}

/// `profspace serve` with `args`: the server and its address.
fn serve(args: &[&str]) -> (Server, String) {
    let bin = env!("CARGO_BIN_EXE_profspace");
    let mut child = Command::new(bin)
        .arg("serve")
        .args(args)
        .args(["--port", "0", "--no-open"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("profspace serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("profspace serve prints its address");
    let url = line
        .trim_end()
        .strip_prefix("profspace explorer: ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (server, url)
}

/// Runs `tests/explorer/<script>` against `url` with `args` and the
/// browser's paths; its screenshots go to `$PROFSPACE_EXPLORER_SHOTS` or a
/// folder under `tmp`. Returns its output and the screenshots' folder.
fn run_script(
    script: &str,
    url: &str,
    args: &[&str],
    (chromium, driver, python): (&Path, &Path, &Path),
    tmp: &Path,
) -> (std::process::Output, PathBuf) {
    let kept = std::env::var_os("PROFSPACE_EXPLORER_SHOTS").map(PathBuf::from);
    let shots = kept.unwrap_or_else(|| tmp.join("shots"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/explorer")
        .join(script);
    let out = Command::new(python)
        .arg(&script)
        .arg(url)
        .arg(&shots)
        .args(args)
        .arg("--chromium")
        .arg(chromium)
        .arg("--chromedriver")
        .arg(driver)
        .env("HOME", tmp)
        .output()
        .expect("the browser test starts");
    (out, shots)
}

#[test]
#[ignore = "needs chromium, chromium-driver and python3-selenium; .ci/run installs them and runs it (cargo test --test it -- --ignored explorer::)"]
fn the_explorer_works_in_headless_chromium() {
    let (chromium, driver, python) = browser_tools();
    let bin = env!("CARGO_BIN_EXE_profspace");
    let (server, url) = serve(&[]);

    let tmp = tempfile::tempdir().unwrap();
    let (out, shots) = run_script(
        "browser_test.py",
        &url,
        &["--profspace", bin, "--sweep", "--timeout", "120"],
        (&chromium, &driver, &python),
        tmp.path(),
    );
    drop(server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the browser test failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("browser test: all steps passed"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("identical"),
        "the run was not replayed: {stdout}"
    );
    assert!(shots.join("01-after-run.png").is_file());
}

#[test]
#[ignore = "needs chromium, chromium-driver and python3-selenium; .ci/run installs them and runs it (cargo test --test it -- --ignored explorer::)"]
fn the_explorer_shows_march_1991_in_headless_chromium() {
    let (chromium, driver, python) = browser_tools();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("march.toml");
    std::fs::write(
        &file,
        "# March (1991) in the explorer\nmodel = \"march1991\"\nseed = 1991\nreplications = 1\n\n[march]\nindividuals = 50\nsocialization = 0.1\ncode_learning = 0.9\nmax_periods = 200\n",
    )
    .unwrap();
    let (server, url) = serve(&[file.to_str().unwrap()]);
    let (out, shots) = run_script(
        "march_test.py",
        &url,
        &[],
        (&chromium, &driver, &python),
        tmp.path(),
    );
    drop(server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("march test: all steps passed"),
        "the March browser test failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(shots.join("explorer-march.png").is_file());
}
