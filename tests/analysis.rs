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
