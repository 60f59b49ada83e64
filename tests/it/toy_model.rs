//! The model interface carries a model the engine has never seen: a toy
//! random walk, declared here (its own module) and added with one line
//! (`model::register`). It runs through run, sweep, merge, plot, params and
//! metrics without anything outside this file knowing it.

use profspace::model::{self, Model, ModelParams, Recorded, Recording};
use profspace::observe::{Metric, Summary, Unit};
use profspace::params::{Kind, Param, UNIT};
use profspace::scenario::Scenario;
use profspace::sweep::{Options, Plan, Progress, Shard, execute, merge};
use std::path::Path;

/// The toy's own module: parameters, metrics and the model.
mod toy {
    use super::*;
    use profspace::rng;

    /// A walker's step size and how long it walks.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Walk {
        pub step: f64,
        pub ticks: u32,
    }

    pub static PARAMS: [Param; 2] = [
        profspace::param!(Walk, "toy.step", UNIT, step: f => Float, "Step size of the walk", "—"),
        profspace::param!(Walk, "toy.ticks", Kind::Int { min: 1, max: 10_000 }, ticks: u => Int,
            "Steps per run", "—"),
    ];

    pub mod tick {
        use profspace::observe::{Metric, Unit};
        profspace::metric_table! {
            POSITION = Metric::level("position", "where the walker is").scale("any"),
            STEPS = Metric::count("steps", "steps taken", Unit::Events),
        }
    }

    pub struct Toy;

    impl Model for Toy {
        fn name(&self) -> &'static str {
            "toy"
        }
        fn version(&self) -> &'static str {
            "toy 1.0"
        }
        fn title(&self) -> &'static str {
            "a random walk (test model)"
        }
        fn defaults(&self) -> ModelParams {
            ModelParams::new(Walk {
                step: 0.1,
                ticks: 30,
            })
        }
        fn params(&self) -> &'static [Param] {
            &PARAMS
        }
        fn tick_metrics(&self) -> &'static [Metric] {
            &tick::METRICS
        }
        fn run_metrics(&self) -> &'static [Metric] {
            &tick::METRICS
        }
        fn simulate(
            &self,
            p: &ModelParams,
            seed: u64,
            rec: Recording<'_>,
            out: &mut Recorded,
        ) -> Vec<f64> {
            let w = p.get::<Walk>().expect("a walk");
            let mut r = rng::stream(&rng::run_key(seed), rng::SETUP_STREAM, 0);
            let mut summary = Summary::new(&tick::METRICS, w.ticks, None);
            let mut x = 0.0;
            for t in 0..w.ticks {
                let row = [x, f64::from(t)];
                summary.push(t, &row);
                if rec.tick(t) {
                    out.ticks.push(f64::from(t));
                    out.ticks.extend_from_slice(&row);
                }
                x += w.step * rng::normal(&mut r);
            }
            summary.finish()
        }
        fn tick_rows(&self, p: &ModelParams, every: u32) -> Option<u64> {
            let w = p.get::<Walk>()?;
            Some(if every == 0 {
                0
            } else {
                u64::from(w.ticks.div_ceil(every))
            })
        }
        fn memory_per_run(&self, _: &ModelParams) -> u64 {
            64
        }
    }
}

static TOY: toy::Toy = toy::Toy;

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

fn options(out: &Path) -> Options {
    Options {
        out: out.to_path_buf(),
        threads: 2,
        resume: false,
        fresh: false,
        overwrite: false,
        keep_previous: false,
        command: "test".into(),
        command_line: Vec::new(),
    }
}

fn scenario(text: &str) -> Scenario {
    model::register(&TOY);
    Scenario::from_toml(text, "toy.toml", "toy").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, shard: Option<Shard>, out: &Path) {
    let outcome = execute(
        &Plan::new(s, shard),
        &options(out),
        &Quiet,
        &profspace::sweep::Stop::new(),
    )
    .unwrap();
    assert!(
        outcome.complete && outcome.failures.is_empty(),
        "{outcome:?}"
    );
}

const SWEEP: &str = "model = \"toy\"\nreplications = 3\n[toy]\nticks = 20\n\
                     [sweep.grid]\n\"toy.step\" = [0.1, 0.5, 1.0]\n";

#[test]
fn a_registered_model_runs_and_is_read_like_any_other() {
    let s = scenario("model = \"toy\"\nreplications = 4\n[toy]\nstep = 0.3\n");
    assert_eq!(s.model.name(), "toy");
    assert_eq!(
        s.get("toy.step"),
        Some(profspace::params::Value::Float(0.3))
    );
    let dir = tempfile::tempdir().unwrap();
    run(&s, None, dir.path());
    let runs = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    // A plain run lists the parameters it ran with (the model's sweepable
    // keys) between the ids and the metrics.
    assert!(
        runs.starts_with("run,point,replicate,seed,toy.step,toy.ticks,position,steps\n"),
        "{runs}"
    );
    assert!(runs.lines().nth(1).unwrap().contains(",0.3,30,"), "{runs}");
    assert_eq!(runs.lines().count(), 1 + 4);
    let ticks = std::fs::read_to_string(dir.path().join("ticks.csv")).unwrap();
    assert_eq!(ticks.lines().count(), 1 + 4 * 30);
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"model\": \"toy 1.0\""), "{manifest}");
    // Keys of other models are refused, as for the built-in ones.
    let err = Scenario::from_toml("model = \"toy\"\n[managers]\nfocus = 0.2\n", "x.toml", "x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no effect"), "{err}");
}

#[test]
fn a_registered_model_sweeps_merges_and_plots() {
    let s = scenario(SWEEP);
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run(&s, None, &whole);
    let aggregate = std::fs::read_to_string(whole.join("aggregate.csv")).unwrap();
    assert!(
        aggregate.starts_with("point,toy.step,n,position_mean"),
        "{aggregate}"
    );
    assert_eq!(aggregate.lines().count(), 1 + 3);
    // Larger steps wander further: the spread of positions grows with step.
    let sd = |point: usize| -> f64 {
        let row: Vec<&str> = aggregate
            .lines()
            .nth(1 + point)
            .unwrap()
            .split(',')
            .collect();
        row[4].parse().unwrap()
    };
    assert!(sd(2) > sd(0), "{aggregate}");

    // Two shards merged give the unsharded files, byte for byte.
    let shards: Vec<_> = (0..2)
        .map(|k| {
            let d = dir.path().join(format!("shard{k}"));
            run(&s, Some(Shard { index: k, count: 2 }), &d);
            d
        })
        .collect();
    let merged = dir.path().join("merged");
    merge(&shards, &merged, Vec::new(), false).unwrap();
    for f in ["runs.csv", "ticks.csv", "aggregate.csv", "design.csv"] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }

    // Charts from the tables alone.
    let files = profspace::plot::plot_dir(&whole, &Default::default()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for chart in [
        "timeseries.png",
        "comparison_position.png",
        "lines_position.png",
    ] {
        assert!(names.iter().any(|n| n == chart), "{chart} not in {names:?}");
    }
}

#[test]
fn a_registered_model_is_listed_by_params_and_metrics() {
    model::register(&TOY);
    let params = profspace::scenario::params_table();
    assert!(
        params.contains("model = \"toy\"") && params.contains("toy.step"),
        "{params}"
    );
    let metrics = model::metrics_table();
    assert!(metrics.contains("position") && metrics.contains("where the walker is"));
    let _: &[Metric] = TOY.tick_metrics();
    let _ = Unit::Events;
}
