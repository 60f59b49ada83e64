//! The analyses of a finished folder, checked against computations made
//! here from `runs.csv` alone: paired contrasts (`compare`).

use assert_cmd::Command;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn profspace() -> Command {
    Command::cargo_bin("profspace").unwrap()
}

const GRID: &str = "ticks = 40\nreplications = 6\n[organization]\nteams = 4\nteam_size = 6\n\
    [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
    \"managers.focus\" = [0.2, 0.5, 0.8]\n\"managers.connection\" = [0.3, 0.9]\n";

fn sweep(dir: &Path, text: &str) -> PathBuf {
    let file = dir.join("s.toml");
    fs::write(&file, text).unwrap();
    let out = dir.join("out");
    profspace()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    out
}

type Table = (Vec<String>, Vec<Vec<String>>);

fn read(path: &Path) -> Table {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn col(t: &Table, name: &str) -> usize {
    t.0.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn t975(df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .unwrap_or_else(|e| panic!("df {df}: {e}"))
        .inverse_cdf(0.975)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

/// The contrasts of `by` (baseline `base`) on `metric`, computed here:
/// (level, other values) → (n, mean diff, sd diff, ci95, ci95 unpaired, d_z).
fn expected(
    runs: &Table,
    by: &str,
    base: &str,
    others: &[&str],
    metric: &str,
) -> BTreeMap<(String, Vec<String>), [f64; 6]> {
    let (b, m, rep) = (col(runs, by), col(runs, metric), col(runs, "replicate"));
    let o: Vec<usize> = others.iter().map(|n| col(runs, n)).collect();
    let mut cells: BTreeMap<(String, Vec<String>), BTreeMap<String, f64>> = BTreeMap::new();
    for r in &runs.1 {
        let key = (r[b].clone(), o.iter().map(|&c| r[c].clone()).collect());
        cells
            .entry(key)
            .or_default()
            .insert(r[rep].clone(), r[m].parse().unwrap());
    }
    let mut out = BTreeMap::new();
    for ((level, rest), reps) in &cells {
        if level == base {
            continue;
        }
        let baseline = &cells[&(base.to_string(), rest.clone())];
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (r, v) in reps {
            x.push(*v);
            y.push(baseline[r]);
        }
        let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
        let n = d.len() as f64;
        let sd = var(&d).sqrt();
        let (va, vb) = (var(&x) / n, var(&y) / n);
        let nu = (va + vb).powi(2) / (va * va / (n - 1.0) + vb * vb / (n - 1.0));
        out.insert(
            (level.clone(), rest.clone()),
            [
                n,
                mean(&d),
                sd,
                t975(n - 1.0) * sd / n.sqrt(),
                // No spread on either side: no interval.
                if va + vb == 0.0 {
                    0.0
                } else {
                    t975(nu) * (va + vb).sqrt()
                },
                mean(&d) / sd,
            ],
        );
    }
    out
}

fn check(out: &Path, by: &str, base: &str, others: &[&str], metrics: &[&str]) {
    let runs = read(&out.join("runs.csv"));
    let got = read(&out.join("contrasts.csv"));
    let mut head = vec!["metric", "by", "level", "baseline"];
    head.extend(others);
    head.extend(["n", "mean_diff", "sd_diff", "ci95", "ci95_unpaired", "d_z"]);
    assert_eq!(got.0, head);
    let mut seen = 0;
    for metric in metrics {
        let want = expected(&runs, by, base, others, metric);
        let rows: Vec<&Vec<String>> = got.1.iter().filter(|r| r[0] == *metric).collect();
        assert_eq!(rows.len(), want.len(), "{metric}: rows");
        for r in rows {
            assert_eq!((r[1].as_str(), r[3].as_str()), (by, base));
            let key = (r[2].clone(), r[4..4 + others.len()].to_vec());
            let w = want[&key];
            for (k, field) in r[4 + others.len()..].iter().enumerate() {
                if field.is_empty() {
                    assert!(
                        !w[k].is_finite(),
                        "{metric} {key:?} column {k}: empty, {} expected",
                        w[k]
                    );
                    continue;
                }
                let x: f64 = field.parse().unwrap();
                assert!(
                    (x - w[k]).abs() <= 1e-9 * w[k].abs().max(1.0),
                    "{metric} {key:?} column {k}: {x} vs {}",
                    w[k]
                );
            }
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn contrasts_match_an_independent_computation_and_pairing_narrows_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(dir.path(), GRID);
    let compare = |args: &[&str]| {
        let mut cmd = profspace();
        cmd.args(["compare", out.to_str().unwrap(), "--no-plots"])
            .args(args);
        String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
    };
    let text = compare(&["--by", "coupling"]);
    assert!(text.contains("essential: paired differences"), "{text}");
    check(
        &out,
        "coupling",
        "zero_sum",
        &["managers.focus", "managers.connection"],
        &["essential"],
    );
    compare(&[
        "--by",
        "managers.focus",
        "--baseline",
        "0.8",
        "--metric",
        "autonomy",
        "--metric",
        "integrated",
    ]);
    check(
        &out,
        "managers.focus",
        "0.8",
        &["coupling", "managers.connection"],
        &["autonomy", "integrated"],
    );
    // Within a coupling, focus changes little of the random path: the
    // paired interval is narrower than the unpaired one in most rows.
    let got = read(&out.join("contrasts.csv"));
    let autonomy: Vec<&Vec<String>> = got.1.iter().filter(|r| r[0] == "autonomy").collect();
    let narrower = autonomy
        .iter()
        .filter(|r| r[9].parse::<f64>().unwrap() < r[10].parse::<f64>().unwrap())
        .count();
    assert!(
        narrower * 4 >= autonomy.len() * 3,
        "{narrower} of {} rows narrower",
        autonomy.len()
    );
}

#[test]
fn compare_refuses_what_it_cannot_pair() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(dir.path(), GRID);
    let refused = |args: &[&str], fragment: &str| {
        let mut cmd = profspace();
        cmd.args(["compare", out.to_str().unwrap()]).args(args);
        let stderr = String::from_utf8(cmd.assert().code(2).get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(fragment), "{args:?}: {stderr}");
    };
    refused(&["--by", "managers.fcous"], "did you mean `managers.focus`");
    refused(
        &["--by", "coupling", "--baseline", "zero"],
        "its levels are zero_sum, freedom_safety",
    );
    refused(
        &["--by", "coupling", "--metric", "essentail"],
        "did you mean `essential`",
    );
    // Replicate 0 with another seed at one point: unpaired, refused (the
    // manifest's digests are brought up to date so that only the pairing
    // is wrong).
    let runs = out.join("runs.csv");
    let text = fs::read_to_string(&runs).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut f: Vec<String> = lines[7].split(',').map(str::to_string).collect();
    assert_eq!(f[2], "0");
    f[3] = "12345".into();
    lines[7] = f.join(",");
    fs::write(&runs, lines.join("\n") + "\n").unwrap();
    refused(&["--by", "coupling"], "damaged");
    let folder = profspace::output::ResultFolder::new(&out);
    let mut m: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for d in folder.digests().unwrap() {
        m["files"][&d.name] = serde_json::json!({"bytes": d.bytes, "sha256": d.sha256});
    }
    fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
    refused(&["--by", "coupling"], "not paired: replicate 0");
}

/// A small discovery design: a Latin hypercube over focus and connection
/// under both couplings.
const DISCOVERY: &str = "ticks = 60\nreplications = 2\n[organization]\nteams = 4\nteam_size = 6\n\
    [output]\nticks_every = 0\n\
    [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
    [sweep.sample]\nmethod = \"lhs\"\nsamples = 60\n\
    \"managers.focus\" = { from = 0.0, to = 1.0 }\n\"managers.connection\" = { from = 0.0, to = 1.0 }\n\
    \"managers.dominance\" = { from = 0.0, to = 1.0 }\n";

fn discover(out: &Path, args: &[&str]) -> (String, Vec<Vec<u8>>) {
    let mut cmd = profspace();
    cmd.args(["discover", out.to_str().unwrap(), "--no-plots"])
        .args(args);
    let stdout = String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap();
    let tables = [
        "discover_trajectory.csv",
        "discover.csv",
        "discover_boxes.csv",
    ]
    .iter()
    .map(|t| fs::read(out.join(t)).unwrap())
    .collect();
    (stdout, tables)
}

#[test]
fn discovery_finds_a_box_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.toml");
    fs::write(&file, DISCOVERY).unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        profspace()
            .args([
                "sweep",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
                "--threads",
                threads,
            ])
            .assert()
            .success();
        outs.push(out);
    }
    let args = [
        "--metric",
        "autonomy",
        "--above",
        "0.5",
        "--boxes",
        "2",
        "--resample",
        "20",
    ];
    let (text, one) = discover(&outs[0], &args);
    let (_, again) = discover(&outs[0], &args);
    let (_, two) = discover(&outs[1], &args);
    assert_eq!(one, again, "discover is not deterministic");
    assert_eq!(
        one, two,
        "discover differs between sweeps on 1 and 2 threads"
    );
    assert!(text.contains("autonomy ≥ 0.5 holds at"), "{text}");
    assert!(text.contains("box 1: coverage"), "{text}");
    // High autonomy lives under zero_sum with little focus (F1): the box
    // restricts the coupling and focus, and says so in words.
    let boxes = String::from_utf8(one[2].clone()).unwrap();
    assert!(
        boxes.starts_with("box,parameter,lower,upper,values,p_value"),
        "{boxes}"
    );
    let first: Vec<&str> = boxes
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("1,"))
        .collect();
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("1,coupling,,,zero_sum,")),
        "{boxes}"
    );
    assert!(
        first.iter().any(|l| l.starts_with("1,managers.focus,")),
        "{boxes}"
    );
    assert!(
        text.contains("when coupling = zero_sum") && text.contains("managers.focus ≤"),
        "{text}"
    );
    // The trajectory holds every step; discover.csv the chosen ones.
    let trajectory = String::from_utf8(one[0].clone()).unwrap();
    assert!(trajectory.starts_with("box,step,coverage,density,mass,restricted_dims,"));
    let chosen = String::from_utf8(one[1].clone()).unwrap();
    assert!(chosen.lines().count() >= 2, "{chosen}");
    assert!(outs[0].join("discover_stability.csv").is_file());
    // Another step of box 1's trajectory can be taken by hand.
    let (text, _) = discover(
        &outs[0],
        &["--metric", "autonomy", "--above", "0.5", "--step", "3"],
    );
    assert!(text.contains("(step 3 of"), "{text}");
    // With charts: the trajectory, the box's limits and the design points
    // over focus × connection with the box; `plot` redraws them.
    let out = &outs[1];
    profspace()
        .args(["discover", out.to_str().unwrap()])
        .args(["--metric", "autonomy", "--above", "0.5"])
        .assert()
        .success();
    let charts = ["discover_trajectory", "discover_box", "discover_scatter"];
    for c in charts {
        let png = fs::read(out.join("plots").join(format!("{c}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{c}");
        fs::remove_file(out.join("plots").join(format!("{c}.png"))).unwrap();
    }
    profspace()
        .args(["plot", out.to_str().unwrap()])
        .assert()
        .success();
    for c in charts {
        assert!(out.join("plots").join(format!("{c}.png")).is_file(), "{c}");
    }
}

#[test]
fn discovery_refuses_what_it_cannot_answer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.toml");
    fs::write(&file, DISCOVERY).unwrap();
    let out = dir.path().join("out");
    profspace()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    let refused = |dir: &Path, args: &[&str], fragment: &str| {
        let mut cmd = profspace();
        cmd.args(["discover", dir.to_str().unwrap(), "--no-plots"])
            .args(args);
        let stderr = String::from_utf8(cmd.assert().code(2).get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(fragment), "{args:?}: {stderr}");
    };
    refused(
        &out,
        &["--metric", "autonmy", "--above", "0.5"],
        "did you mean `autonomy`",
    );
    refused(
        &out,
        &["--metric", "autonomy", "--above", "1.5"],
        "0 cases of interest",
    );
    refused(
        &out,
        &["--metric", "autonomy", "--above", "0.5", "--step", "999"],
        "--step 999",
    );
    refused(
        &out,
        &["--metric", "autonomy", "--above", "0.5", "--density", "2"],
        "--density 2",
    );
    // A single design point, and a model without the metric.
    let plain = dir.path().join("plain.toml");
    fs::write(
        &plain,
        "ticks = 10\nreplications = 2\n[organization]\nteams = 2\nteam_size = 3\n",
    )
    .unwrap();
    let one = dir.path().join("one");
    profspace()
        .args([
            "run",
            plain.to_str().unwrap(),
            "--out",
            one.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    refused(
        &one,
        &["--metric", "autonomy", "--above", "0.5"],
        "single design point",
    );
    let march = dir.path().join("march.toml");
    fs::write(
        &march,
        "model = \"march1991\"\nreplications = 2\n[march]\nindividuals = 10\ndimensions = 10\n\
         [sweep.grid]\n\"march.socialization\" = [0.1, 0.5, 0.9]\n",
    )
    .unwrap();
    let m = dir.path().join("m");
    profspace()
        .args([
            "sweep",
            march.to_str().unwrap(),
            "--out",
            m.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    refused(
        &m,
        &["--metric", "integrated", "--above", "0.5"],
        "the metrics are knowledge",
    );
}

/// The best cell of each coupling (the highest mean of essential over the
/// other parameters' cells) and its paired difference against the first
/// coupling's, recomputed from `runs.csv`.
#[test]
fn best_cells_are_the_highest_means_and_their_paired_difference() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, GRID).unwrap();
    let out = dir.path().join("out");
    let printed = profspace()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-plots",
        ])
        .output()
        .unwrap();
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).unwrap();
    assert!(
        printed.contains("each best cell is the highest of up to 6 noisy means of its coupling")
            && printed.contains("biased upward"),
        "the summary does not warn that a best cell is chosen: {printed}"
    );
    let finished = profspace::analysis::Finished::open(&out).unwrap();
    let best = profspace::analysis::contrast::best_cells(&finished, "coupling", "essential")
        .unwrap()
        .expect("two couplings over a grid of other parameters");
    assert_eq!(best.by, "coupling");
    assert_eq!(best.others, ["managers.focus", "managers.connection"]);
    let runs = read(&out.join("runs.csv"));
    let (c, f, k, e, r) = (
        col(&runs, "coupling"),
        col(&runs, "managers.focus"),
        col(&runs, "managers.connection"),
        col(&runs, "essential"),
        col(&runs, "replicate"),
    );
    // Mean per cell, and the values by replicate.
    let mut cells: std::collections::BTreeMap<(String, String, String), Vec<(u32, f64)>> =
        Default::default();
    for row in &runs.1 {
        cells
            .entry((row[c].clone(), row[f].clone(), row[k].clone()))
            .or_default()
            .push((row[r].parse().unwrap(), row[e].parse().unwrap()));
    }
    let best_of = |coupling: &str| {
        cells
            .iter()
            .filter(|((cp, _, _), _)| cp == coupling)
            .map(|(key, v)| {
                (
                    key.clone(),
                    mean(&v.iter().map(|x| x.1).collect::<Vec<_>>()),
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap()
    };
    let (zs, fs) = (best_of("zero_sum"), best_of("freedom_safety"));
    assert_eq!(best.cells.len(), 2);
    let per_coupling = cells.keys().filter(|(cp, _, _)| cp == "zero_sum").count();
    assert_eq!(
        best.candidates, per_coupling,
        "cells a best was chosen from"
    );
    for ((level, values, m), want) in best.cells.iter().zip([&zs, &fs]) {
        assert_eq!(level, &want.0.0);
        assert_eq!(values, &vec![want.0.1.clone(), want.0.2.clone()], "{level}");
        assert!(
            (m - want.1).abs() < 1e-12,
            "{level}: mean {m}, recomputed {}",
            want.1
        );
    }
    let (a, b) = (&cells[&fs.0], &cells[&zs.0]);
    let diffs: Vec<f64> = a
        .iter()
        .map(|(rep, x)| x - b.iter().find(|(r2, _)| r2 == rep).unwrap().1)
        .collect();
    let got = &best.contrasts[0];
    assert!(
        (got.mean_diff - mean(&diffs)).abs() < 1e-12,
        "paired difference {} of the best cells, recomputed {}",
        got.mean_diff,
        mean(&diffs)
    );
}
