//! A 200-run sweep (20 design points × 10 replications of the default
//! organisation, 200 ticks, no per-tick table) through the full runner,
//! writing to a temporary folder, with 1 and 2 worker threads. Throughput is
//! in runs per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use profspace::scenario::Scenario;
use profspace::sweep::{Options, Plan, Progress, execute};

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

const SCENARIO: &str = "replications = 10\n[output]\nticks_every = 0\n\
    [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
    \"managers.focus\" = { from = 0.1, to = 0.9, steps = 10 }\n";

fn sweep(c: &mut Criterion) {
    let scenario = Scenario::from_toml(SCENARIO, "bench.toml", "bench").expect("valid");
    let plan = Plan::new(&scenario, None);
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(plan.total_runs()));
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("threads", threads),
            &threads,
            |b, &threads| {
                b.iter(|| {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let opts = Options {
                        out: dir.path().join("out"),
                        threads,
                        resume: false,
                        fresh: false,
                        overwrite: false,
                        keep_previous: false,
                        command: "bench".into(),
                        command_line: Vec::new(),
                    };
                    execute(&plan, &opts, &Quiet, &profspace::sweep::Stop::new()).expect("sweep")
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
