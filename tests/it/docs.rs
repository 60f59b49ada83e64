//! Documentation that is generated must match its source.

/// Compares a generated document with its committed copy (rewritten when
/// `PROFSPACE_BLESS` is set).
fn check_generated(relative: &str, generated: &str, command: &str) {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("PROFSPACE_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "{relative} is out of date: run `cargo run -- {command} > {relative}` \
         (or PROFSPACE_BLESS=1 cargo test --test it docs::)"
    );
}

#[test]
fn parameter_reference_matches_the_registry() {
    check_generated(
        "docs/parameters.md",
        &profspace::scenario::reference_markdown(),
        "params --markdown",
    );
}

#[test]
fn metrics_glossary_matches_the_metric_tables() {
    check_generated(
        "docs/metrics.md",
        &profspace::model::metrics_markdown(),
        "metrics --markdown",
    );
}

/// `profspace metrics` names every column of the tables a run writes.
#[test]
fn the_glossary_covers_every_column_of_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    for (name, scenario) in [
        (
            "psm",
            "ticks = 20\nreplications = 2\n[sweep.grid]\n\"managers.focus\" = [0.2, 0.8]\n",
        ),
        (
            "march",
            "model = \"march1991\"\nreplications = 2\n[march]\nmax_periods = 20\n",
        ),
    ] {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, scenario).unwrap();
        let out = dir.path().join(name);
        assert_cmd::Command::cargo_bin("profspace")
            .unwrap()
            .args([
                "sweep",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-plots",
            ])
            .assert()
            .success();
        let listing = assert_cmd::Command::cargo_bin("profspace")
            .unwrap()
            .arg("metrics")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let listing = String::from_utf8(listing).unwrap();
        let words: Vec<&str> = listing.split_whitespace().collect();
        for table in ["runs.csv", "ticks.csv"] {
            let text = std::fs::read_to_string(out.join(table)).unwrap();
            for column in text.lines().next().unwrap().split(',') {
                assert!(
                    words.contains(&column) || column.contains('.'),
                    "{name}: column `{column}` of {table} is not in `profspace metrics`"
                );
            }
        }
    }
}
