//! Helpers shared by the integration tests: run a scenario's replicates
//! through the library and read metrics by name.
#![allow(dead_code)]

pub mod faults;

use profspace::model::psm::PsmParams;
use profspace::rng;
use profspace::scenario::Scenario;

/// Parses a scenario (panics with the scenario's own message if invalid).
pub fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// The professional-space parameters of a scenario given as TOML.
pub fn psm(text: &str) -> PsmParams {
    scenario(text)
        .params_of::<PsmParams>()
        .expect("a professional-space scenario")
        .clone()
}

/// Per-run results of `reps` paired replicates: `runs[r][metric]`, and the
/// recorded tick rows of each run.
pub struct Results {
    pub scenario: Scenario,
    pub runs: Vec<Vec<f64>>,
    pub ticks: Vec<Vec<f64>>,
}

impl Results {
    /// The per-replicate values of a run metric.
    pub fn metric(&self, name: &str) -> Vec<f64> {
        let i = self
            .scenario
            .model
            .run_metrics()
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("no run metric {name}"));
        self.runs.iter().map(|r| r[i]).collect()
    }

    /// The per-replicate values of a tick metric at tick `tick`.
    pub fn at_tick(&self, name: &str, tick: u32) -> Vec<f64> {
        let metrics = self.scenario.model.tick_metrics();
        let i = metrics
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("no tick metric {name}"));
        let width = metrics.len() + 1;
        self.ticks
            .iter()
            .map(|rows| {
                rows.chunks_exact(width)
                    .find(|r| r[0] as u32 == tick)
                    .unwrap_or_else(|| panic!("tick {tick} not recorded"))[i + 1]
            })
            .collect()
    }
}

/// Runs `reps` replicates of the scenario (replicate r has the same seed in
/// every condition: paired comparisons).
pub fn run(text: &str, reps: u32) -> Results {
    let s = scenario(text);
    let mut runs = Vec::new();
    let mut ticks = Vec::new();
    for r in 0..reps {
        let mut t = profspace::model::Recorded::default();
        let seed = rng::run_seed(s.seed, r);
        let rec = profspace::model::Recording::ticks(s.output.ticks_every);
        runs.push(s.model.simulate(&s.params, seed, rec, &mut t));
        ticks.push(t.ticks);
    }
    Results {
        scenario: s,
        runs,
        ticks,
    }
}

/// Mean of a slice.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Paired difference a − b: (mean, standard error).
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    profspace::stats::paired_difference(a, b)
}

/// Asserts that a − b is positive by more than `k` standard errors of the
/// paired difference; the message gives the effect, its SE and the margin
/// it holds (or fails) by.
pub fn assert_greater(what: &str, a: &[f64], b: &[f64], k: f64) {
    let (d, se) = paired(a, b);
    let z = if se > 0.0 {
        d / se
    } else {
        f64::INFINITY * d.signum()
    };
    let report = format!(
        "means {:.4} vs {:.4}; effect (paired difference) {d:.4} ± SE {se:.4} = {z:.1} SE over {} seeds; \
         needs more than {k} SE: margin {:.1} SE",
        mean(a),
        mean(b),
        a.len(),
        z - k
    );
    eprintln!("{what}: {report}");
    assert!(
        d > 0.0 && d > k * se,
        "{what}: the first is not larger: {report}"
    );
}

/// A bound on a mean.
#[derive(Clone, Copy, Debug)]
pub enum Bound {
    /// The mean is at least this.
    AtLeast(f64),
    /// The mean is at most this.
    AtMost(f64),
}

/// Asserts a bound on the mean of `values`; the message gives the mean,
/// its standard error, and the margin it holds (or fails) by in SE.
pub fn assert_bound(what: &str, values: &[f64], bound: Bound) {
    let m = profspace::stats::mean_ci(values);
    let se = m.sd / (values.len() as f64).sqrt();
    let (margin, words) = match bound {
        Bound::AtLeast(b) => (m.mean - b, format!("at least {b}")),
        Bound::AtMost(b) => (b - m.mean, format!("at most {b}")),
    };
    let in_se = if se > 0.0 {
        format!("{:.1} SE", margin / se)
    } else {
        "every seed gave the same value".to_string()
    };
    let report = format!(
        "mean {:.4} ± SE {se:.4} over {} seeds, expected {words}: margin {margin:.4} ({in_se})",
        m.mean,
        values.len()
    );
    eprintln!("{what}: {report}");
    assert!(margin >= 0.0, "{what}: {report}; values {values:.3?}");
}

/// `profspace COMMAND SCENARIO --out OUT --no-plots EXTRA…`, asserted later.
pub fn profspace_on(
    command: &str,
    scenario: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .args([
            command,
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .args(extra)
        .assert()
}

/// Starts `profspace sweep SCENARIO --out OUT --no-plots --threads 2 EXTRA…`
/// in the background (stderr captured).
pub fn spawn_sweep(
    scenario: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("profspace"))
        .args([
            "sweep",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
            "--threads",
            "2",
        ])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Rows (header included) written so far to `OUT/runs.csv.part`.
pub fn part_rows(out: &std::path::Path) -> usize {
    std::fs::read(out.join("runs.csv.part"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}
