//! One tick of the professional-space model at several organisation sizes
//! (team size 10, four peer ties). Throughput is reported in elements =
//! professionals, so criterion's "elem/s" is professional-steps per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use profspace::model::psm::{Coupling, Organisation, PsmParams};
use std::hint::black_box;

fn organisation(professionals: u32, coupling: Coupling) -> Organisation {
    let mut s = PsmParams::default();
    s.organization.team_size = 10;
    s.organization.teams = professionals / 10;
    s.coupling = coupling;
    Organisation::new(&s, 42)
}

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    for &n in &[100u32, 1_000, 10_000, 100_000, 1_000_000] {
        if n >= 1_000_000 {
            group.sample_size(10);
        } else if n >= 100_000 {
            group.sample_size(20);
        }
        group.throughput(Throughput::Elements(u64::from(n)));
        for coupling in [Coupling::FreedomSafety, Coupling::ZeroSum] {
            let mut org = organisation(n, coupling);
            let mut tick = 0u32;
            group.bench_with_input(BenchmarkId::new(coupling.name(), n), &n, |b, _| {
                b.iter(|| {
                    tick = tick.wrapping_add(1);
                    black_box(org.step(tick))
                })
            });
        }
    }
    group.finish();
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("setup");
    group.sample_size(20);
    for &n in &[10_000u32, 100_000, 1_000_000] {
        if n >= 1_000_000 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| black_box(organisation(n, Coupling::FreedomSafety)))
        });
    }
    group.finish();
}

criterion_group!(benches, step, setup);
criterion_main!(benches);
