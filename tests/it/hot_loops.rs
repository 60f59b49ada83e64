//! What the hot loops must never change: the bits of a run. The AVX-512,
//! AVX2 and portable builds (each one the processor has) give the same bits (whole runs of a few hundred
//! ticks in both couplings, with exits, revocations and turbulence), and a
//! run stepped on one thread or on several gives the same bits, through the
//! library and through the binary.

use profspace::lanes::Isa;
use profspace::model::psm::{Coupling, Organisation, PsmParams};

use crate::common;

/// Scenarios that reach every path of a tick: teams whose size is and is
/// not a multiple of four (and smaller than four), noise, exits and hires,
/// revocations and replacements, turbulence, with and without peers.
fn scenarios() -> Vec<PsmParams> {
    let mut out = Vec::new();
    for coupling in ["zero_sum", "freedom_safety"] {
        for (teams, size, peers, within) in [
            (20, 10, 4, 0.5),
            (9, 13, 5, 0.5),
            (6, 3, 2, 0.5),
            (5, 4, 0, 0.5),
            (3, 1, 2, 0.0),
            (17, 8, 3, 0.5),
        ] {
            out.push(common::psm(&format!(
                "coupling = \"{coupling}\"\n\
                 [organization]\nteams = {teams}\nteam_size = {size}\npeers = {peers}\n\
                 peer_within = {within}\n\
                 [dynamics]\nnoise = 0.05\n\
                 [managers]\ndominance = 0.6\nfocus = 0.8\nconnection = 0.2\n\
                 [licence]\nrevoke_below = 0.55\nreplace_after = 3\n\
                 [turnover]\nexit_base = 0.02\n\
                 [environment]\nturbulence = 0.2\n"
            )));
        }
    }
    out
}

/// Every bit of a run: the observation and the team rows of every tick,
/// then every state array at the end.
fn bits(s: &PsmParams, ticks: u32, setup: impl Fn(&mut Organisation)) -> Vec<u64> {
    let mut org = Organisation::new(s, 20_251_129);
    setup(&mut org);
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for t in 0..ticks {
        rows.clear();
        let obs = org.step_recording(t, Some(&mut rows));
        out.extend(obs.iter().chain(&rows).map(|x| x.to_bits()));
    }
    for (_, values) in org.state_arrays() {
        out.extend(values.iter().map(|x| x.to_bits()));
    }
    let (exits, revocations) = org.counts();
    out.extend([exits, revocations]);
    out
}

#[test]
fn every_build_the_processor_has_gives_the_same_bits() {
    let builds = Isa::all_available();
    eprintln!(
        "builds compared on this processor: {}",
        builds
            .iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if builds.len() < 2 {
        eprintln!("this processor has no AVX2: only the portable build can run here; skipped");
        return;
    }
    let mut events = (0, 0);
    for s in scenarios() {
        let runs: Vec<Vec<u64>> = builds
            .iter()
            .map(|&isa| {
                bits(&s, 300, |o| {
                    o.set_isa(isa);
                    assert_eq!(o.isa(), isa);
                })
            })
            .collect();
        for (isa, run) in builds.iter().zip(&runs).skip(1) {
            let first = runs[0].iter().zip(run).position(|(a, b)| a != b);
            assert!(
                runs[0].len() == run.len() && first.is_none(),
                "{:?} teams of {}: the {} and {} builds differ from value {first:?} on",
                s.coupling,
                s.organization.team_size,
                builds[0].name(),
                isa.name()
            );
        }
        let n = runs[0].len();
        events.0 += runs[0][n - 2];
        events.1 += runs[0][n - 1];
    }
    // The runs did reach the event paths.
    assert!(
        events.0 > 100 && events.1 > 10,
        "exits and revocations: {events:?}"
    );
}

#[test]
fn one_and_several_threads_give_the_same_bits() {
    let mut s =
        common::psm("coupling = \"zero_sum\"\n[organization]\nteams = 203\nteam_size = 7\n");
    s.dynamics.noise = 0.05;
    s.turnover.exit_base = 0.01;
    for coupling in [Coupling::ZeroSum, Coupling::FreedomSafety] {
        s.coupling = coupling;
        let one = bits(&s, 60, |_| {});
        for threads in [2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let many = pool.install(|| bits(&s, 60, |o| o.set_threads(threads)));
            assert!(
                one == many,
                "{coupling:?}: {threads} threads change the run"
            );
        }
    }
}

/// Runs `profspace run` on a one-replication scenario of many teams;
/// returns its tables.
fn run_tables(dir: &std::path::Path, name: &str, threads: &str, simd: &str) -> [Vec<u8>; 2] {
    let out = dir.join(name);
    assert_cmd::Command::cargo_bin("profspace")
        .unwrap()
        .env("PROFSPACE_SIMD", simd)
        .args([
            "run",
            dir.join("s.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--no-plots", "--threads", threads])
        .assert()
        .success();
    ["ticks.csv", "runs.csv"].map(|t| std::fs::read(out.join(t)).unwrap())
}

#[test]
fn the_binary_writes_the_same_bytes_for_any_threads_and_instruction_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "ticks = 40\nreplications = 1\ncoupling = \"zero_sum\"\n\
         [organization]\nteams = 300\nteam_size = 10\n[turnover]\nexit_base = 0.01\n",
    )
    .unwrap();
    let reference = run_tables(dir.path(), "one", "1", "");
    assert!(reference[0].len() > 1000);
    assert!(
        run_tables(dir.path(), "two", "2", "") == reference,
        "2 threads changed the bytes"
    );
    for simd in ["avx512", "avx2", "off"] {
        assert!(
            run_tables(dir.path(), simd, "2", simd) == reference,
            "PROFSPACE_SIMD={simd} changed the bytes"
        );
    }
}
