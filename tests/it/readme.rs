//! The README's quoted numbers are the program's: the flagship's best
//! cells and averages, the paired-interval ratios of `compare`, the
//! discovery example's box, and the line of the error example are found in
//! the README and checked against what the commands print now. Like
//! `tutorial.rs`, a snapshot: it fails when the output changes, right or
//! wrong, and then the README is updated with the new numbers.

use assert_cmd::Command;
use std::path::Path;

fn readme() -> String {
    // Prose is wrapped: compare with single spaces.
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `profspace ARGS` in `dir`; its stdout and stderr.
fn run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("profspace")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text between `before` and `after` in the README.
fn quoted<'a>(text: &'a str, before: &str, after: &str) -> &'a str {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("the README no longer says `{before}`"))
        + before.len();
    let len = text[start..]
        .find(after)
        .unwrap_or_else(|| panic!("the README no longer says `{before}…{after}`"));
    &text[start..start + len]
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_readme_quotes_what_the_commands_print() {
    let text = readme();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // The flagship: the best cells and the averages over the 25 cells.
    let (printed, _) = run(d, &["--out", "regimes", "--no-plots"]);
    for (coupling, quote) in [
        (
            "freedom_safety",
            quoted(&text, "The best freedom_safety cell (", ";"),
        ),
        (
            "zero_sum",
            quoted(&text, "the best zero_sum cell (", ". **Why"),
        ),
    ] {
        // "focus 0.9, connection 0.9) reaches essential performance 0.789 ± 0.006"
        let (at, rest) = quote.split_once(") ").unwrap();
        let value = rest.trim_start_matches("reaches essential performance ");
        let line = printed
            .lines()
            .find(|l| l.trim_start().starts_with(coupling) && l.contains("essential "))
            .unwrap_or_else(|| panic!("no best cell of {coupling} in:\n{printed}"));
        let at = at
            .replace("focus ", "managers.focus = ")
            .replace("connection ", "managers.connection = ");
        assert!(
            line.contains(&format!("essential {value}")) && line.contains(&at),
            "the README quotes {coupling}'s best cell as {quote}; the flagship prints {line:?}"
        );
    }
    let means = |coupling: &str| {
        let mut r = csv::Reader::from_path(d.join("regimes/aggregate.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let (c, e) = (
            h.iter().position(|x| x == "coupling").unwrap(),
            h.iter().position(|x| x == "essential_mean").unwrap(),
        );
        let xs: Vec<f64> = r
            .records()
            .map(|x| x.unwrap())
            .filter(|x| &x[c] == coupling)
            .map(|x| x[e].parse().unwrap())
            .collect();
        format!("{:.3}", xs.iter().sum::<f64>() / xs.len() as f64)
    };
    let fs_avg = quoted(&text, "Averaged over all 25 cells, freedom_safety (", ")");
    let zs_avg = quoted(&text, "*below* zero_sum (", ")");
    assert_eq!(fs_avg, means("freedom_safety"), "freedom_safety's average");
    assert_eq!(zs_avg, means("zero_sum"), "zero_sum's average");

    // Paired contrasts: the coupling contrast, then the focus contrasts.
    let (printed, _) = run(d, &["compare", "regimes", "--by", "coupling"]);
    let ratio = quoted(
        &text,
        "as wide as the unpaired one at the median cell (ratio ",
        ";",
    );
    assert!(
        printed.contains(&format!("paired interval is {ratio} of the unpaired one")),
        "the README's coupling ratio {ratio} is not what compare prints:\n{printed}"
    );
    let narrower = quoted(&text, "narrower in ", " cells)");
    let mut r = csv::Reader::from_path(d.join("regimes/contrasts.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (a, b) = (
        h.iter().position(|x| x == "ci95").unwrap(),
        h.iter().position(|x| x == "ci95_unpaired").unwrap(),
    );
    let rows: Vec<(f64, f64)> = r
        .records()
        .map(|x| x.unwrap())
        .map(|x| (x[a].parse().unwrap(), x[b].parse().unwrap()))
        .collect();
    let fewer = rows.iter().filter(|(p, u)| p < u).count();
    assert_eq!(
        narrower,
        format!("{fewer} of {}", rows.len()),
        "cells where pairing narrows"
    );
    let (printed, _) = run(
        d,
        &[
            "compare",
            "regimes",
            "--by",
            "managers.focus",
            "--baseline",
            "0.5",
            "--metric",
            "autonomy",
            "--metric",
            "safety",
        ],
    );
    let ratios: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.split("paired interval is ").nth(1))
        .filter_map(|l| l.split(' ').next())
        .collect();
    let quoted_ratios = quoted(&text, "have paired intervals ", " of the unpaired ones");
    assert_eq!(
        quoted_ratios,
        format!("{} and {}", ratios[0], ratios[1]),
        "the focus contrasts' ratios"
    );
    let worth: Vec<String> = ratios
        .iter()
        .map(|r| format!("{:.0}", 1.0 / r.parse::<f64>().unwrap().powi(2)))
        .collect();
    assert_eq!(
        quoted(&text, "as if each run were worth ", " unpaired ones"),
        format!("{} and {}", worth[0], worth[1]),
        "runs an unpaired design would need, 1 / ratio²"
    );

    // Scenario discovery.
    run(
        d,
        &[
            "sweep",
            &scenario("discovery.toml"),
            "--out",
            "discovery",
            "--no-plots",
        ],
    );
    let (printed, _) = run(
        d,
        &[
            "discover",
            "discovery",
            "--metric",
            "integrated",
            "--above",
            "0.1",
            "--density",
            "0.6",
        ],
    );
    let printed = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = quoted(&text, "printed in words (\"", "\"),");
    for part in sentence.split(", …") {
        let part = part.trim_start_matches(", ").trim_end_matches(", …").trim();
        if !part.is_empty() {
            assert!(
                printed.contains(part),
                "the README's discovery example says `{part}`; discover prints:\n{printed}"
            );
        }
    }

    // The error example, in a file written by `profspace new`.
    run(d, &["new", "my-first"]);
    let file = d.join("my-first.toml");
    let toml = std::fs::read_to_string(&file).unwrap();
    let toml: String = toml
        .lines()
        .map(|l| {
            if l.starts_with("focus = ") {
                "focus = 1.5"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, toml).unwrap();
    let (_, err) = run(d, &["check", "my-first.toml"]);
    let example = quoted(&text, "what is allowed (``", "``)");
    assert!(
        err.contains(example),
        "the README's error example `{example}` is not what check prints:\n{err}"
    );
}
