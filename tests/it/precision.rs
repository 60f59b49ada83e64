//! `[sweep] target_ci95`: replications are added in rounds until every
//! point's 95% half-width meets the target or the maximum is reached,
//! deterministically (the same bytes for any thread count and after a
//! kill and `--resume`), with replicate r's seed whatever the rounds.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn scenario(dir: &Path, name: &str, target: &str, extra: &str) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    fs::write(
        &file,
        format!(
            "ticks = 40\nreplications = 3\n[organization]\nteams = 3\nteam_size = 5\n[sweep]\n{target}\n\
             [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\"managers.focus\" = [0.2, 0.8]\n{extra}"
        ),
    )
    .unwrap();
    file
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) {
    common::profspace_on("sweep", file, out, extra).success();
}

/// aggregate.csv: point → (n, target_met).
fn points(out: &Path) -> BTreeMap<u64, (u64, String)> {
    let text = fs::read_to_string(out.join("aggregate.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let n = header.iter().position(|h| *h == "n").unwrap();
    assert_eq!(header[n + 1], "target_met");
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].parse().unwrap(),
                (f[n].parse().unwrap(), f[n + 1].to_string()),
            )
        })
        .collect()
}

/// runs.csv rows by (point, replicate), without the run id.
fn rows(out: &Path) -> BTreeMap<(String, String), String> {
    fs::read_to_string(out.join("runs.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            ((f[1].to_string(), f[2].to_string()), f[3].to_string())
        })
        .collect()
}

#[test]
fn an_easy_target_stops_early_and_a_hard_one_at_the_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let easy = scenario(
        dir.path(),
        "easy",
        "target_ci95 = { metric = \"essential\", half_width = 0.02, max_replications = 48 }",
        "",
    );
    let out = dir.path().join("easy");
    sweep(&easy, &out, &[]);
    let got = points(&out);
    assert_eq!(got.len(), 4);
    for (p, (n, met)) in &got {
        assert_eq!(
            met, "true",
            "point {p} did not meet an easy target with {n} replications"
        );
        assert!(*n >= 3 && *n < 48, "point {p}: {n} replications");
    }
    // The recorded half-width is at most the target where it was met.
    let agg = fs::read_to_string(out.join("aggregate.csv")).unwrap();
    let header: Vec<&str> = agg.lines().next().unwrap().split(',').collect();
    let ci = header.iter().position(|h| *h == "essential_ci95").unwrap();
    for line in agg.lines().skip(1) {
        let x: f64 = line.split(',').nth(ci).unwrap().parse().unwrap();
        assert!(x <= 0.02, "{line}");
    }

    let hard = scenario(
        dir.path(),
        "hard",
        "target_ci95 = { metric = \"essential\", half_width = 1e-9, max_replications = 20 }",
        "",
    );
    let out_hard = dir.path().join("hard");
    sweep(&hard, &out_hard, &[]);
    for (p, (n, met)) in points(&out_hard) {
        assert_eq!((n, met.as_str()), (20, "false"), "point {p}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out_hard.join("manifest.json")).unwrap()).unwrap();
    // 3 → 6 → 12 → 20 replications: four rounds, 80 runs.
    assert_eq!(manifest["design"]["rounds"], 4);
    assert_eq!(manifest["design"]["runs"], 80);

    // Replicate r is the same run, whatever the rounds: the rows equal those
    // of a sweep with 20 fixed replications (but for the run id).
    let fixed = dir.path().join("fixed.toml");
    fs::write(
        &fixed,
        fs::read_to_string(&hard).unwrap().replace(
            "target_ci95 = { metric = \"essential\", half_width = 1e-9, max_replications = 20 }",
            "replications = 20",
        ),
    )
    .unwrap();
    let out_fixed = dir.path().join("fixed");
    sweep(&fixed, &out_fixed, &[]);
    assert_eq!(rows(&out_hard), rows(&out_fixed));
}

#[test]
fn rounds_are_the_same_bytes_for_any_thread_count_and_after_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    fs::write(
        &file,
        "ticks = 120\nreplications = 4\n[organization]\nteams = 8\nteam_size = 10\n[output]\nteams_every = 20\n\
         [sweep]\ntarget_ci95 = { metric = \"integrated\", half_width = 0.004, max_replications = 64 }\n\
         [sweep.grid]\n\"managers.focus\" = [0.1, 0.4, 0.7, 0.9]\n\"managers.connection\" = [0.2, 0.9]\n",
    )
    .unwrap();
    let one = dir.path().join("one");
    sweep(&file, &one, &["--threads", "1"]);
    let two = dir.path().join("two");
    sweep(&file, &two, &["--threads", "2"]);
    let tables = [
        "runs.csv",
        "ticks.csv",
        "teams.csv",
        "aggregate.csv",
        "design.csv",
    ];
    for t in tables {
        assert_eq!(
            fs::read(one.join(t)).unwrap(),
            fs::read(two.join(t)).unwrap(),
            "{t}"
        );
    }
    let runs = fs::read_to_string(one.join("runs.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(runs > 8 * 4, "only the first round ran ({runs} runs)");
    // Kill it after the first round, resume, compare.
    let killed = dir.path().join("killed");
    let mut child = common::spawn_sweep(&file, &killed, &[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut stopped = false;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if common::part_rows(&killed) > 8 * 4 + 3 {
            child.kill().unwrap();
            stopped = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.wait();
    assert!(stopped, "the sweep ended before it could be killed");
    common::profspace_on("sweep", &file, &killed, &["--resume"]).success();
    for t in tables {
        assert_eq!(
            fs::read(one.join(t)).unwrap(),
            fs::read(killed.join(t)).unwrap(),
            "{t} after resume"
        );
    }
}

#[test]
fn a_precision_sweep_is_refused_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "p",
        "target_ci95 = { metric = \"essential\", half_width = 0.01, max_replications = 10 }",
        "",
    );
    let out = dir.path().join("o");
    let stderr =
        |a: assert_cmd::assert::Assert| String::from_utf8(a.get_output().stderr.clone()).unwrap();
    let e = stderr(common::profspace_on("sweep", &file, &out, &["--shard", "0/2"]).code(2));
    assert!(e.contains("cannot be") && e.contains("shards"), "{e}");
    let bad = scenario(
        dir.path(),
        "bad",
        "target_ci95 = { metric = \"essentail\", half_width = 0.01, max_replications = 2 }",
        "",
    );
    let e = stderr(common::profspace_on("sweep", &bad, &out, &[]).code(2));
    assert!(e.contains("did you mean \"essential\""), "{e}");
    assert!(e.contains("fewer than the 3 replications"), "{e}");
}
