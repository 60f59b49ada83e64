//! Calibration (ABC-SMC) against answers known exactly, on test-only toy
//! models; recovery of known levers on the professional-space model; the
//! same bytes for any thread count and after kill -9 and --resume; and the
//! messages for bad input.

use crate::common;

use profspace::calibrate::{self, Quiet, tables::Folder};
use profspace::model::{self, Model, ModelParams, Recorded, Recording};
use profspace::observe::{Metric, Summary};
use profspace::params::{Kind, Param};
use profspace::rng;
use profspace::scenario::Scenario;
use profspace::sweep::{Options, Stop};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The toy: one observation y ~ N(θ, σ²), σ = 0.5 (family "narrow") or
/// 2 ("wide").
mod gauss {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    pub struct G {
        pub theta: f64,
        pub family: String,
    }

    pub static PARAMS: [Param; 2] = [
        profspace::param!(G, "gauss.theta", Kind::Float { min: -50.0, max: 50.0 }, theta: f => Float,
            "The mean of the observation", "—"),
        profspace::param!(G, "gauss.family", Kind::Choice(&["narrow", "wide"]), family: t => Text,
            "The observation's sd: 0.5 (narrow) or 2 (wide)", "—"),
    ];

    pub mod run {
        use profspace::observe::Metric;
        profspace::metric_table! {
            Y = Metric::level("y", "the observation").scale("any"),
        }
    }

    pub struct Gauss;

    impl Model for Gauss {
        fn name(&self) -> &'static str {
            "gauss"
        }
        fn version(&self) -> &'static str {
            "gauss 1.0"
        }
        fn title(&self) -> &'static str {
            "one normal observation (calibration test model)"
        }
        fn defaults(&self) -> ModelParams {
            ModelParams::new(G {
                theta: 0.0,
                family: "narrow".into(),
            })
        }
        fn params(&self) -> &'static [Param] {
            &PARAMS
        }
        fn tick_metrics(&self) -> &'static [Metric] {
            &run::METRICS
        }
        fn run_metrics(&self) -> &'static [Metric] {
            &run::METRICS
        }
        fn simulate(
            &self,
            p: &ModelParams,
            seed: u64,
            _: Recording<'_>,
            _: &mut Recorded,
        ) -> Vec<f64> {
            let g = p.get::<G>().expect("a gauss");
            let sd = if g.family == "narrow" { 0.5 } else { 2.0 };
            let mut r = rng::stream(&rng::run_key(seed), rng::SETUP_STREAM, 0);
            let y = g.theta + sd * rng::normal(&mut r);
            let mut summary = Summary::new(&run::METRICS, 1, None);
            summary.push(0, &[y]);
            summary.finish()
        }
        fn tick_rows(&self, _: &ModelParams, _: u32) -> Option<u64> {
            Some(0)
        }
        fn memory_per_run(&self, _: &ModelParams) -> u64 {
            64
        }
    }
}

static GAUSS: gauss::Gauss = gauss::Gauss;

fn options(out: &Path, threads: usize) -> Options {
    Options {
        out: out.to_path_buf(),
        threads,
        resume: false,
        fresh: false,
        overwrite: false,
        keep_previous: false,
        command: "calibrate".into(),
        command_line: Vec::new(),
    }
}

/// Calibrates `text` into `out` with the library and reads the folder.
fn calibrate_text(text: &str, out: &Path, threads: usize) -> Folder {
    model::register(&GAUSS);
    let s = Scenario::from_toml(text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"));
    let outcome = calibrate::run(&s, &options(out, threads), &Quiet, &Stop::new()).unwrap();
    assert!(outcome.complete, "{outcome:?}");
    Folder::read(out).unwrap()
}

/// The posterior mean and sd of a key, from the last population.
fn moments(f: &Folder, key: &str) -> (f64, f64) {
    let x = f.posterior_of(key).unwrap_or_else(|| panic!("no {key}"));
    (x[0], x[1])
}

const GAUSS_TOY: &str = "model = \"gauss\"\nseed = 3\n\
    [calibrate]\nparticles = 600\ngenerations = 9\nquantile = 0.5\n\
    [calibrate.priors]\n\"gauss.theta\" = { normal = [0.0, 1.0] }\n\
    [calibrate.targets]\ny = { value = 2.0, sd = 1.0 }\n";

#[test]
fn the_gaussian_toy_gets_the_exact_posterior() {
    // Prior N(0, 1), y ~ N(θ, 0.5²), y_obs = 2: the posterior is
    // N(1.6, 0.2), sd 0.447.
    let dir = tempfile::tempdir().unwrap();
    let f = calibrate_text(GAUSS_TOY, dir.path(), 2);
    let eps = f.generations.last().unwrap().epsilon;
    assert!(eps < 0.1, "ε is not small: {eps}");
    let (mean, sd) = moments(&f, "gauss.theta");
    eprintln!("gaussian toy: mean {mean:.4} (exact 1.6), sd {sd:.4} (exact 0.447), ε {eps:.4}");
    assert!(
        (mean - 1.6).abs() < 0.07,
        "posterior mean {mean:.4}, exact 1.6 (tolerance 0.07; ε {eps:.3})"
    );
    assert!(
        (sd - 0.2f64.sqrt()).abs() < 0.12,
        "posterior sd {sd:.4}, exact 0.447 (tolerance 0.12; ε {eps:.3})"
    );
    // The tolerance shrinks from generation to generation.
    let eps: Vec<f64> = f.generations.iter().map(|g| g.epsilon).collect();
    assert!(eps.windows(2).all(|w| w[1] < w[0]), "{eps:?}");
}

#[test]
fn the_two_model_toy_gets_the_bayes_factor() {
    // y ~ N(θ, σ²), θ ~ N(0, 1): the evidence of y = 2 is N(2; 0, 1 + σ²).
    // With σ 0.5 against 2 and equal prior odds, P(narrow | y) = 0.376.
    let dir = tempfile::tempdir().unwrap();
    let text = "model = \"gauss\"\nseed = 5\n\
        [calibrate]\nparticles = 1500\ngenerations = 8\n\
        [calibrate.priors]\n\"gauss.theta\" = { normal = [0.0, 1.0] }\n\
        \"gauss.family\" = { choice = [\"narrow\", \"wide\"] }\n\
        [calibrate.targets]\ny = { value = 2.0, sd = 1.0 }\n";
    let f = calibrate_text(text, dir.path(), 2);
    let density = |v: f64| (-2.0 / v).exp() / (2.0 * std::f64::consts::PI * v).sqrt();
    let exact = density(1.25) / (density(1.25) + density(5.0));
    let p = f.posterior_of("gauss.family:narrow").unwrap()[0];
    let q = f.posterior_of("gauss.family:wide").unwrap()[0];
    eprintln!("two-model toy: P(narrow) {p:.4} (exact {exact:.4})");
    assert!((p + q - 1.0).abs() < 1e-9);
    assert!(
        (p - exact).abs() < 0.05,
        "P(narrow) = {p:.4}, exact {exact:.4} (tolerance 0.05; ε {:.3})",
        f.generations.last().unwrap().epsilon
    );
}

/// Final-window means of a profspace run at the truth, as targets.
fn observe(levers: &str, metrics: &[&str]) -> String {
    let text = format!("ticks = 120\n{levers}{SMALL_ORG}");
    let results = common::run(&text, 12);
    let mut out = String::from("[calibrate.targets]\n");
    for m in metrics {
        let v = results.metric(m);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        out.push_str(&format!("{m} = {{ value = {mean}, sd = 0.02 }}\n"));
    }
    out
}

const SMALL_ORG: &str = "[organization]\nteams = 3\nteam_size = 8\n";

fn recovery(levers: &str, focus: f64, connection: f64, coupling: &str) {
    let targets = observe(
        levers,
        &["autonomy", "safety", "purpose", "meaning", "conflict"],
    );
    let text = format!(
        "seed = 17\nticks = 120\n\
         [calibrate]\nparticles = 200\ngenerations = 6\n\
         [calibrate.priors]\n\"managers.focus\" = {{ uniform = [0.0, 1.0] }}\n\
         \"managers.connection\" = {{ uniform = [0.0, 1.0] }}\n\
         coupling = {{ choice = [\"zero_sum\", \"freedom_safety\"] }}\n\
         {targets}{SMALL_ORG}"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = calibrate_text(&text, dir.path(), 2);
    let prior_sd = 1.0 / 12f64.sqrt();
    for (key, truth) in [
        ("managers.focus", focus),
        ("managers.connection", connection),
    ] {
        let x = f.posterior_of(key).unwrap();
        eprintln!(
            "{coupling} truth {key} = {truth}: mean {:.3}, 95% {:.3}–{:.3}, sd {:.3}",
            x[0], x[2], x[4], x[1]
        );
        assert!(
            x[2] <= truth && truth <= x[4],
            "{key}: the truth {truth} is outside the 95% credible interval {:.3}–{:.3}",
            x[2],
            x[4]
        );
        assert!(
            x[1] < 0.6 * prior_sd,
            "{key}: the posterior sd {:.3} is not well below the prior's {prior_sd:.3}",
            x[1]
        );
    }
    let p = f.posterior_of(&format!("coupling:{coupling}")).unwrap()[0];
    eprintln!("P({coupling}) = {p:.3}");
    assert!(
        p > 0.5,
        "P({coupling}) = {p:.3}: the true coupling is not the more likely"
    );
}

#[test]
fn known_levers_are_recovered_commanding_zero_sum() {
    recovery(
        "coupling = \"zero_sum\"\n[managers]\nfocus = 0.8\nconnection = 0.3\n",
        0.8,
        0.3,
        "zero_sum",
    );
}

#[test]
fn known_levers_are_recovered_connected_freedom_safety() {
    recovery(
        "coupling = \"freedom_safety\"\n[managers]\nfocus = 0.35\nconnection = 0.8\n",
        0.35,
        0.8,
        "freedom_safety",
    );
}

const TABLES: [&str; 4] = [
    "particles.csv",
    "generations.csv",
    "posterior.csv",
    "predictive.csv",
];

fn assert_same(a: &Path, b: &Path) {
    for t in TABLES {
        let (x, y) = (fs::read(a.join(t)).unwrap(), fs::read(b.join(t)).unwrap());
        assert!(
            x == y,
            "{t} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn the_bytes_are_the_same_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let text = GAUSS_TOY.replace("particles = 600", "particles = 150");
    calibrate_text(&text, &dir.path().join("one"), 1);
    let f = calibrate_text(&text, &dir.path().join("two"), 2);
    assert_same(&dir.path().join("one"), &dir.path().join("two"));
    assert!(f.generations.len() == 9 && f.last.len() == 150);
    // Another seed gives other particles.
    calibrate_text(
        &text.replace("seed = 3", "seed = 4"),
        &dir.path().join("other"),
        2,
    );
    assert_ne!(
        fs::read(dir.path().join("one/particles.csv")).unwrap(),
        fs::read(dir.path().join("other/particles.csv")).unwrap()
    );
}

/// A calibration slow enough to kill in the middle (the professional-space
/// model, through the binary).
const SLOW: &str = "name = \"slow\"\nseed = 9\nticks = 150\n\
    [organization]\nteams = 4\nteam_size = 10\n\
    [calibrate]\nparticles = 120\ngenerations = 4\n\
    [calibrate.priors]\n\"managers.focus\" = { uniform = [0.0, 1.0] }\n\
    coupling = { choice = [\"zero_sum\", \"freedom_safety\"] }\n\
    [calibrate.targets]\nautonomy = { value = 0.2, sd = 0.02 }\nsafety = { value = 0.15, sd = 0.02 }\n";

fn journal_lines(out: &Path) -> usize {
    fs::read(out.join(".profspace/calibrate.journal"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn a_killed_calibration_resumes_to_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("slow.toml");
    fs::write(&scenario, SLOW).unwrap();
    let full = dir.path().join("full");
    common::profspace_on("calibrate", &scenario, &full, &["--threads", "1"]).success();
    let out = dir.path().join("killed");
    // Kill it once a generation after the prior sample has begun.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("profspace"))
        .args(["calibrate", scenario.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(["--no-plots", "--threads", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut killed = false;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if journal_lines(&out) > 200 {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.wait();
    assert!(killed, "the calibration finished before it could be killed");
    assert!(!out.join("particles.csv").exists());
    // Without --resume the unfinished calibration is protected.
    common::profspace_on("calibrate", &scenario, &out, &[])
        .code(2)
        .stderr(predicates::str::contains("--resume"));
    // Its journal loses a torn last line, as after a crash mid-write.
    let journal = out.join(".profspace/calibrate.journal");
    let mut text = fs::read(&journal).unwrap();
    text.extend_from_slice(b"3 7 1 3fe0");
    fs::write(&journal, text).unwrap();
    common::profspace_on("calibrate", &scenario, &out, &["--resume"])
        .success()
        .stderr(predicates::str::contains("from the journal"));
    assert_same(&full, &out);
    assert!(
        !journal.exists(),
        "a finished calibration keeps its journal"
    );
    // A finished calibration resumed is already complete, after its
    // tables are checked.
    common::profspace_on("calibrate", &scenario, &out, &["--resume"])
        .success()
        .stderr(predicates::str::contains("already complete"));
    fs::write(out.join("posterior.csv"), "parameter\n").unwrap();
    common::profspace_on("calibrate", &scenario, &out, &["--resume"])
        .code(2)
        .stderr(predicates::str::contains("damaged"));
}

/// Runs `profspace calibrate` on `text` and returns the failure's stderr
/// (the exit code must be 2).
fn refused(text: &str, extra_file: Option<(&str, &str)>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("bad.toml");
    fs::write(&path, text).unwrap();
    if let Some((name, body)) = extra_file {
        fs::write(dir.path().join(name), body).unwrap();
    }
    let out = assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .args(["calibrate", path.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

const GOOD_PRIORS: &str = "[calibrate.priors]\n\"managers.focus\" = { uniform = [0.0, 1.0] }\n";
const GOOD_TARGETS: &str = "[calibrate.targets]\npurpose = { value = 0.4, sd = 0.02 }\n";

#[test]
fn bad_calibrations_are_refused_with_the_key_the_value_and_the_line() {
    // A prior outside the key's allowed range.
    let err = refused(
        &format!(
            "[calibrate]\n[calibrate.priors]\n\"managers.focus\" = {{ uniform = [0.2, 1.5] }}\n{GOOD_TARGETS}"
        ),
        None,
    );
    assert!(
        err.contains(":3:")
            && err.contains("managers.focus")
            && err.contains("[0.2, 1.5]")
            && err.contains("[0, 1]"),
        "{err}"
    );
    // An unknown target metric, with a suggestion.
    let err = refused(
        &format!(
            "[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\npurpse = {{ value = 0.4, sd = 0.02 }}\n"
        ),
        None,
    );
    assert!(
        err.contains("purpse") && err.contains("did you mean `purpose`"),
        "{err}"
    );
    // sd ≤ 0.
    let err = refused(
        &format!(
            "[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\npurpose = {{ value = 0.4, sd = 0 }}\n"
        ),
        None,
    );
    assert!(
        err.contains("calibrate.targets.purpose.sd") && err.contains("not above 0"),
        "{err}"
    );
    // A swept key with a prior.
    let err = refused(
        &format!(
            "[sweep.grid]\n\"managers.focus\" = [0.2, 0.8]\n[calibrate]\n{GOOD_PRIORS}{GOOD_TARGETS}"
        ),
        None,
    );
    assert!(
        err.contains("managers.focus") && err.contains("swept"),
        "{err}"
    );
    // A missing observed file.
    let err = refused(
        &format!("[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\nobserved = \"nothere.csv\"\n"),
        None,
    );
    assert!(
        err.contains("nothere.csv") && err.contains("does not exist"),
        "{err}"
    );
    // A bad row of an observed file: file, line and column.
    let err = refused(
        &format!("[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\nobserved = \"obs.csv\"\n"),
        Some((
            "obs.csv",
            "metric,value,sd\npurpose,0.4,0.02\nsafety,high,0.02\n",
        )),
    );
    assert!(err.contains("obs.csv: line 3, column value"), "{err}");
    // particles < 2.
    let err = refused(
        &format!("[calibrate]\nparticles = 1\n{GOOD_PRIORS}{GOOD_TARGETS}"),
        None,
    );
    assert!(
        err.contains(":2:") && err.contains("calibrate.particles") && err.contains("from 2"),
        "{err}"
    );
    // A calibration without observations.
    let err = refused(&format!("[calibrate]\n{GOOD_PRIORS}"), None);
    assert!(err.contains("`calibrate.targets`"), "{err}");
    // A scenario without the section.
    let err = refused("ticks = 10\n", None);
    assert!(err.contains("no [calibrate] section"), "{err}");
}

#[test]
fn an_observed_file_gives_the_same_targets_as_the_table() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("obs.csv"),
        "metric,value,sd\npurpose,0.4,0.02\nsafety, 0.3 ,0.05\n",
    )
    .unwrap();
    let path = dir.path().join("s.toml");
    fs::write(
        &path,
        format!("[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\nobserved = \"obs.csv\"\n"),
    )
    .unwrap();
    let s = Scenario::load(&path, &Default::default()).unwrap();
    let inline = common::scenario(&format!(
        "[calibrate]\n{GOOD_PRIORS}[calibrate.targets]\npurpose = {{ value = 0.4, sd = 0.02 }}\n\
         safety = {{ value = 0.3, sd = 0.05 }}\n"
    ));
    assert_eq!(
        s.calibrate.unwrap().targets,
        inline.calibrate.unwrap().targets
    );
}

#[test]
fn the_worked_example_calibrates_small_and_its_charts_are_drawn_again() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/calibrate.toml");
    let mut s = Scenario::load(Path::new(path), &Default::default()).unwrap();
    let c = s.calibrate.as_mut().unwrap();
    c.particles = 30;
    c.generations = 2;
    for (key, v) in [
        ("ticks", 30),
        ("organization.teams", 2),
        ("organization.team_size", 5),
    ] {
        s.set(key, &profspace::params::Value::Int(v)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cal");
    let outcome = calibrate::run(&s, &options(&out, 2), &Quiet, &Stop::new()).unwrap();
    assert!(outcome.complete);
    let f = Folder::read(&out).unwrap();
    assert_eq!((f.generations.len(), f.last.len()), (2, 30));
    assert!(f.words().contains("managers.focus"), "{}", f.words());
    let charts = profspace::plot::plot_dir(&out, &profspace::plot::PlotOptions::default()).unwrap();
    let names: Vec<String> = charts
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["posterior_pairs.png", "epsilon.png", "predictive.png"]
    );
}

/// `profspace replay DIR --run N` on a calibration runs row N of
/// particles.csv again: its values and the seed of its accepted attempt, as
/// `replications` runs whose means are the row's simulated targets, bit for
/// bit (recomputed here from the replay's runs.csv), recording more.
#[test]
fn a_replayed_particle_gives_its_simulated_targets() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name = \"rp\"\nseed = 5\nticks = 40\n[organization]\nteams = 2\nteam_size = 5\n\
        [calibrate]\nparticles = 30\ngenerations = 2\nreplications = 3\n\
        [calibrate.priors]\n\"managers.focus\" = { uniform = [0.0, 1.0] }\n\
        coupling = { choice = [\"zero_sum\", \"freedom_safety\"] }\n\
        [calibrate.targets]\npurpose = { value = 0.45, sd = 0.05 }\nsafety = { value = 0.3, sd = 0.05 }\n";
    let file = dir.path().join("rp.toml");
    fs::write(&file, text).unwrap();
    let cal = dir.path().join("cal");
    assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .args([
            "calibrate",
            file.to_str().unwrap(),
            "--out",
            cal.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    let particles = fs::read_to_string(cal.join("particles.csv")).unwrap();
    let head: Vec<&str> = particles.lines().next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    for row in [3usize, 41] {
        let fields: Vec<&str> = particles.lines().nth(row + 1).unwrap().split(',').collect();
        let out = dir.path().join(format!("replay-{row}"));
        assert_cmd::Command::cargo_bin("profspace")
            .unwrap()
            .args([
                "replay",
                cal.to_str().unwrap(),
                "--run",
                &row.to_string(),
                "--ticks-every",
                "10",
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
            ])
            .assert()
            .success();
        let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
        let rhead: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
        let rcol = |name: &str| rhead.iter().position(|h| *h == name).unwrap();
        let rows: Vec<Vec<&str>> = runs
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(rows.len(), 3, "a particle is the mean of 3 runs");
        for (r, fields_r) in rows.iter().enumerate() {
            let seed: u64 = fields[col("seed")].parse().unwrap();
            assert_eq!(
                fields_r[rcol("seed")],
                rng::run_seed(seed, r as u32).to_string()
            );
            assert_eq!(fields_r[rcol("coupling")], fields[col("coupling")]);
            assert_eq!(
                fields_r[rcol("managers.focus")],
                fields[col("managers.focus")]
            );
        }
        for metric in ["purpose", "safety"] {
            let mean = rows
                .iter()
                .map(|f| f[rcol(metric)].parse::<f64>().unwrap())
                .sum::<f64>()
                / 3.0;
            let want: f64 = fields[col(metric)].parse().unwrap();
            assert_eq!(
                mean.to_bits(),
                want.to_bits(),
                "row {row}: {metric} {mean} vs {want}"
            );
        }
        assert!(
            out.join("ticks.csv").is_file(),
            "--ticks-every was not honoured"
        );
    }
    let err = assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .args(["replay", cal.to_str().unwrap(), "--run", "60", "--no-plots"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("0 to 59"));
}
