//! Makes `scenarios/survey_example.csv`: a SYNTHETIC survey of three teams
//! whose managers are known, each simulated by profspace as one team of its
//! size at the built-in defaults otherwise. A team's score on a window is
//! the run's final-window mean; its `<window>_sd` is the spread of the
//! professionals' values at the last tick (the spread of the answers).
//!
//! `cargo run --release --example survey_example > scenarios/survey_example.csv`

use profspace::model::{Recorded, Recording};
use profspace::rng;
use profspace::scenario::{DEFAULT_SCENARIO, Scenario};

/// A known team: id, respondents, coupling, the seven levers.
type Known = (&'static str, u32, &'static str, [(&'static str, f64); 7]);

/// The three teams.
const TEAMS: [Known; 3] = [
    (
        "A",
        12,
        "zero_sum",
        [
            ("rationale", 0.5),
            ("effect", 0.8),
            ("focus", 0.9),
            ("energy", 0.5),
            ("connection", 0.15),
            ("dominance", 0.8),
            ("listening", 0.1),
        ],
    ),
    (
        "B",
        9,
        "zero_sum",
        [
            ("rationale", 0.15),
            ("effect", 0.15),
            ("focus", 0.1),
            ("energy", 0.3),
            ("connection", 0.15),
            ("dominance", 0.1),
            ("listening", 0.3),
        ],
    ),
    (
        "C",
        15,
        "freedom_safety",
        [
            ("rationale", 0.8),
            ("effect", 0.5),
            ("focus", 0.8),
            ("energy", 0.7),
            ("connection", 0.85),
            ("dominance", 0.1),
            ("listening", 0.8),
        ],
    ),
];

fn main() {
    let model = profspace::model::default_model();
    let survey = model
        .survey()
        .expect("the professional-space model has a survey");
    println!("# SYNTHETIC survey, made by profspace (examples/survey_example.rs) from three known");
    println!("# managers, each team simulated as one team of its size (seed 2026, 200 ticks):");
    for (id, n, coupling, levers) in TEAMS {
        let set: Vec<String> = levers.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "#   team {id} ({n} respondents): {coupling}, {}",
            set.join(", ")
        );
    }
    println!("# A: a commanding manager; B: an absent one; C: an integrating one.");
    let windows: Vec<&str> = survey.windows.iter().map(|(w, _)| *w).collect();
    let mut header = vec!["team".to_string(), "respondents".to_string()];
    header.extend(windows.iter().map(|w| w.to_string()));
    header.extend(windows.iter().map(|w| format!("{w}_sd")));
    println!("{}", header.join(","));
    for (id, n, coupling, levers) in TEAMS {
        let mut s = Scenario::from_toml(DEFAULT_SCENARIO, "default.toml", "default").unwrap();
        s.set("seed", &profspace::params::Value::Int(2026)).unwrap();
        s.set("coupling", &profspace::params::Value::Text(coupling.into()))
            .unwrap();
        for (k, v) in levers {
            s.set(
                &format!("managers.{k}"),
                &profspace::params::Value::Float(v),
            )
            .unwrap();
        }
        (survey.one_team)(&mut s.params, n).unwrap();
        let ticks = match s.get("ticks") {
            Some(profspace::params::Value::Int(t)) => t as u32,
            _ => 200,
        };
        let at = [ticks];
        let rec = Recording {
            agents_at: &at,
            ..Recording::default()
        };
        let mut out = Recorded::default();
        let run = model.simulate(&s.params, rng::run_seed(s.seed, 0), rec, &mut out);
        let run_names: Vec<&str> = model.run_metrics().iter().map(|m| m.name).collect();
        let agent_names: Vec<&str> = model.agent_columns().iter().map(|m| m.name).collect();
        let width = agent_names.len() + 3;
        let mut row = vec![id.to_string(), n.to_string()];
        let mut sds = Vec::new();
        for (_, metric) in survey.windows {
            let i = run_names.iter().position(|m| m == metric).unwrap();
            row.push(format!("{:.3}", run[i]));
            let j = agent_names.iter().position(|m| m == metric).unwrap();
            let xs: Vec<f64> = out.agents.chunks_exact(width).map(|r| r[3 + j]).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            sds.push(format!("{:.3}", var.sqrt()));
        }
        row.extend(sds);
        println!("{}", row.join(","));
    }
}
