//! Fuzzing the scenario loader and validator with proptest: arbitrary bytes,
//! and structurally valid TOML made of real keys with extreme values. The
//! loader must answer every input with a scenario or with problems, never a
//! panic; an accepted scenario must run.
//!
//! The default case counts keep `cargo test` quick; for a long campaign set
//! `PROFSPACE_FUZZ_CASES` (e.g. 200000). Inputs that once failed are kept in
//! `tests/data/fuzz/` and replayed by `regressions_stay_fixed`.

use profspace::rng;
use profspace::scenario::{ENGINE_PARAMS, Limits, Scenario};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROFSPACE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Loads `text`; when it is accepted and small, runs it.
fn exercise(text: &str) {
    let limits = Limits {
        memory_bytes: 1 << 30,
        concurrent_runs: 1,
    };
    if let Ok(s) = Scenario::from_toml_with(text, "fuzz.toml", "fuzz", &limits) {
        assert!(s.check_rules(&limits).is_ok() || s.sweep.is_some());
        let plan = profspace::sweep::Plan::new(&s, None);
        let point = plan
            .scenario_at(plan.design.len() - 1)
            .expect("every design point of a valid scenario can be set");
        // Work: about the memory a run touches, once per step.
        let work = (point.model.memory_per_run(&point.params) / 100)
            .saturating_mul(point.model.estimated_tick_rows(&point.params, 1).max(1));
        if work <= 200_000 {
            let seed = rng::run_seed(point.seed, 0);
            let out = point.model.simulate(
                &point.params,
                seed,
                Default::default(),
                &mut Default::default(),
            );
            assert!(!out.is_empty());
        }
    }
}

/// Values that are valid TOML but hostile.
fn extreme_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("-nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("-0.0".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("5e-324".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("0".to_string()),
        Just("1".to_string()),
        Just("0.5".to_string()),
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("\"zero_sum\"".to_string()),
        Just("[]".to_string()),
        Just("[0.1, 0.9]".to_string()),
        Just("{ from = 0.0, to = 1.0, steps = 3 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        "[a-z_]{0,12}".prop_map(|s| format!("\"{s}\"")),
        (1u32..400).prop_map(|n| format!("\"{}\"", "x".repeat(n as usize * 100))),
    ]
}

/// A key path: a real one, a near miss, or a profile or sweep path.
fn key_path() -> impl Strategy<Value = String> {
    let real: Vec<String> = ENGINE_PARAMS
        .iter()
        .chain(profspace::model::all().iter().flat_map(|m| m.params()))
        .map(|p| p.path.to_string())
        .collect();
    prop_oneof![
        6 => prop::sample::select(real.clone()),
        1 => (prop::sample::select(real), "[a-z]{1,3}").prop_map(|(p, s)| format!("{p}{s}")),
        1 => Just("managers.profiles".to_string()),
        1 => Just("sweep.replications".to_string()),
    ]
}

/// A TOML document of up to a dozen `"path" = value` lines under the right
/// tables, possibly with a sweep.
fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((key_path(), extreme_value()), 0..12),
        prop::option::of((key_path(), extreme_value())),
        prop::option::of((1u32..5, key_path(), extreme_value())),
    )
        .prop_map(|(lines, grid, profile)| {
            let mut out = String::new();
            let mut sections: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for (path, value) in lines {
                let (section, key) = match path.rsplit_once('.') {
                    Some((s, k)) => (s.to_string(), k.to_string()),
                    None => (String::new(), path),
                };
                sections
                    .entry(section)
                    .or_default()
                    .push(format!("{key} = {value}"));
            }
            for (section, lines) in &sections {
                if !section.is_empty() {
                    out.push_str(&format!("[{section}]\n"));
                }
                // Duplicate keys are a TOML error; keep the first of each.
                let mut seen = std::collections::BTreeSet::new();
                for l in lines {
                    let key = l.split(" = ").next().unwrap_or("").to_string();
                    if seen.insert(key) {
                        out.push_str(l);
                        out.push('\n');
                    }
                }
            }
            if let Some((n, path, value)) = profile {
                for i in 0..n {
                    out.push_str(&format!(
                        "[[managers.profiles]]\nname = \"p{i}\"\nshare = {}\n",
                        1.0 / f64::from(n)
                    ));
                }
                out.push_str(&format!("[sweep.grid]\n\"{path}\" = {value}\n"));
            } else if let Some((path, value)) = grid {
                out.push_str(&format!("[sweep.grid]\n\"{path}\" = [{value}]\n"));
            }
            out
        })
}

proptest! {
    // A fixed seed: the same cases every run, so a rule bug is caught every
    // time or never, not by chance.
    #![proptest_config(ProptestConfig {
        cases: cases(2000),
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261206),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            exercise(text);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[\\[\\]{}=\".,a-z0-9_ \\n#-]{0,300}") {
        exercise(&text);
    }
}

proptest! {
    // A fixed seed: the same cases every run, so a rule bug is caught every
    // time or never, not by chance.
    #![proptest_config(ProptestConfig {
        cases: cases(1000),
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261207),
        ..ProptestConfig::default()
    })]

    #[test]
    fn extreme_but_valid_toml_never_panics(text in document()) {
        exercise(&text);
    }
}

#[test]
fn regressions_stay_fixed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fuzz");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            exercise(text);
        }
    }
}
