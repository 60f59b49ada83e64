//! The observation rules of `docs/ODD.md` §7, recomputed from the tables a
//! sweep writes: each run's final-window means and final counts from its
//! rows of `ticks.csv` (every tick recorded), its `settle_tick` from the
//! essential column of those rows, and the three shares of `ticks.csv` from
//! the professionals of `agents.csv` at the recorded ticks. Many runs, both
//! couplings, levers that reach the three situations.

use profspace::scenario::Scenario;
use profspace::sweep::{Options, Plan, Progress, Stop, execute};
use std::collections::BTreeMap;
use std::path::Path;

struct Quiet;
impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

const TICKS: usize = 60;
const AGENTS_AT: [u32; 3] = [0, 25, 50];

/// A table as a header and rows of numbers (text fields as NaN).
fn read(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|f| f.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    (head, rows)
}

fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A sweep of 2 couplings × 3 manager profiles × 4 replications, every tick
/// recorded, professionals recorded at three ticks.
fn sweep(dir: &Path) {
    let text = format!(
        "ticks = {TICKS}\nreplications = 4\n\
         [organization]\nteams = 4\nteam_size = 6\n\
         [turnover]\nexit_base = 0.01\n[environment]\nturbulence = 0.1\n\
         [output]\nticks_every = 1\nteams_every = 1\nagents_at = {AGENTS_AT:?}\n\
         [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\
         [[sweep.conditions]]\nlabel = \"walls\"\n\
         \"managers.focus\" = 0.9\n\"managers.effect\" = 0.9\n\"managers.connection\" = 0.1\n\"managers.rationale\" = 0.1\n\
         [[sweep.conditions]]\nlabel = \"absent\"\n\
         \"managers.focus\" = 0.1\n\"managers.effect\" = 0.1\n\"managers.connection\" = 0.1\n\"managers.rationale\" = 0.1\n\
         [[sweep.conditions]]\nlabel = \"integrated\"\n\
         \"managers.focus\" = 0.8\n\"managers.connection\" = 0.8\n\"managers.rationale\" = 0.8\n"
    );
    let s = Scenario::from_toml(&text, "obs.toml", "obs").unwrap_or_else(|e| panic!("{e}"));
    let opts = Options {
        out: dir.to_path_buf(),
        threads: 2,
        resume: false,
        fresh: false,
        overwrite: false,
        keep_previous: false,
        command: "test".into(),
        command_line: Vec::new(),
    };
    let outcome = execute(&Plan::new(&s, None), &opts, &Quiet, &Stop::new()).unwrap();
    assert!(outcome.complete && outcome.failures.is_empty());
}

/// The settle rule, written from the ODD: the first tick from which the
/// trailing mean (over ticks max(0, t − 9) … t) stays within 0.02 of the
/// final-window mean until the end; 0 when it never leaves the band.
fn settle(series: &[f64], target: f64) -> usize {
    let trailing = |t: usize| {
        let from = t.saturating_sub(9);
        series[from..=t].iter().sum::<f64>() / (t + 1 - from) as f64
    };
    let mut last_outside = None;
    for t in 0..series.len() {
        if (trailing(t) - target).abs() > 0.02 {
            last_outside = Some(t);
        }
    }
    last_outside.map_or(0, |t| t + 1)
}

#[test]
fn run_results_are_what_the_recorded_ticks_and_professionals_say() {
    let dir = tempfile::tempdir().unwrap();
    sweep(dir.path());
    let (rh, runs) = read(&dir.path().join("runs.csv"));
    let (th, ticks) = read(&dir.path().join("ticks.csv"));
    let (ah, agents) = read(&dir.path().join("agents.csv"));
    assert_eq!(runs.len(), 24);
    // Each run's ticks, in order.
    let mut by_run: BTreeMap<u64, Vec<&Vec<f64>>> = BTreeMap::new();
    for row in &ticks {
        by_run.entry(row[0] as u64).or_default().push(row);
    }
    let window = TICKS.div_ceil(5);
    let first_metric = col(&th, "tick") + 1;
    let metrics: Vec<String> = th[first_metric..].to_vec();
    let (mut settled_inside, mut checked) = (0, 0);
    for run in &runs {
        let id = run[col(&rh, "run")] as u64;
        let rows = &by_run[&id];
        assert_eq!(rows.len(), TICKS, "run {id}: every tick recorded");
        for (k, name) in metrics.iter().enumerate() {
            let series: Vec<f64> = rows.iter().map(|r| r[first_metric + k]).collect();
            let got = run[col(&rh, name)];
            let want = if matches!(name.as_str(), "exits" | "revocations") {
                series[TICKS - 1]
            } else {
                series[TICKS - window..].iter().sum::<f64>() / window as f64
            };
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "run {id}: runs.csv {name} = {got}, but its final window in ticks.csv gives {want}"
            );
            checked += 1;
        }
        let essential: Vec<f64> = rows.iter().map(|r| r[col(&th, "essential")]).collect();
        let target = run[col(&rh, "essential")];
        let want = settle(&essential, target) as f64;
        let got = run[col(&rh, "settle_tick")];
        assert_eq!(
            got, want,
            "run {id}: settle_tick {got} in runs.csv, {want} recomputed from the essential column of ticks.csv"
        );
        settled_inside += usize::from(want > 0.0 && want < TICKS as f64);
    }
    assert!(
        settled_inside >= 12,
        "only {settled_inside} of 24 runs settle inside the run: the rule was hardly exercised"
    );
    // The shares of ticks.csv from the professionals of agents.csv.
    let mut seen = [false; 3];
    let mut groups: BTreeMap<(u64, u64), Vec<&Vec<f64>>> = BTreeMap::new();
    for row in &agents {
        groups
            .entry((row[0] as u64, row[col(&ah, "tick")] as u64))
            .or_default()
            .push(row);
    }
    assert_eq!(groups.len(), 24 * AGENTS_AT.len());
    for ((run, tick), people) in &groups {
        let v = |r: &Vec<f64>, name: &str| r[col(&ah, name)];
        let n = people.len() as f64;
        let share =
            |f: &dyn Fn(&Vec<f64>) -> bool| people.iter().filter(|r| f(r)).count() as f64 / n;
        let alienated = share(&|r| v(r, "autonomy") < 0.3 && v(r, "meaning") < 0.3);
        let disoriented =
            share(&|r| v(r, "autonomy") >= 0.5 && v(r, "safety") < 0.3 && v(r, "purpose") < 0.3);
        let integrated = share(&|r| {
            ["autonomy", "safety", "purpose", "identity", "meaning"]
                .iter()
                .all(|w| v(r, w) > 0.5)
        });
        let row = by_run[run]
            .iter()
            .find(|r| r[col(&th, "tick")] as u64 == *tick)
            .unwrap();
        for (k, (name, want)) in [
            ("alienated", alienated),
            ("disoriented", disoriented),
            ("integrated", integrated),
        ]
        .into_iter()
        .enumerate()
        {
            let got = row[col(&th, name)];
            assert!(
                (got - want).abs() < 1e-12,
                "run {run}, tick {tick}: {name} share {got} in ticks.csv, {want} from agents.csv"
            );
            seen[k] |= want > 0.0;
        }
    }
    assert_eq!(seen, [true; 3], "every share above 0 somewhere: {seen:?}");
    eprintln!(
        "{checked} run results equal to their final windows; 24 settle ticks recomputed \
         ({settled_inside} inside the run); {} recorded shares equal to the professionals'",
        groups.len() * 3
    );
    teams_add_up_to_the_organisation(dir.path(), &th, &by_run);
}

/// `teams.csv` (ODD §7): over teams of equal size, the mean of a team's
/// level column is the organisation's value of the tick, and the teams'
/// own counts of exits and revocations add up to the organisation's.
fn teams_add_up_to_the_organisation(
    dir: &Path,
    th: &[String],
    by_run: &BTreeMap<u64, Vec<&Vec<f64>>>,
) {
    let (gh, teams) = read(&dir.join("teams.csv"));
    let mut sums: BTreeMap<(u64, u64), (Vec<f64>, usize)> = BTreeMap::new();
    let first = col(&gh, "team") + 1;
    let metrics: Vec<String> = th[col(th, "tick") + 1..].to_vec();
    for row in &teams {
        let e = sums
            .entry((row[0] as u64, row[col(&gh, "tick")] as u64))
            .or_insert((vec![0.0; metrics.len()], 0));
        for (k, name) in metrics.iter().enumerate() {
            e.0[k] += row[col(&gh, name)];
        }
        e.1 += 1;
        assert!(
            row[first - 1] < 4.0,
            "team number {} of 4 teams",
            row[first - 1]
        );
    }
    assert_eq!(sums.len(), 24 * TICKS, "a row per run, tick and team");
    for ((run, tick), (sum, n)) in &sums {
        assert_eq!(*n, 4, "run {run}, tick {tick}: one row per team");
        let org = by_run[run][*tick as usize];
        for (k, name) in metrics.iter().enumerate() {
            let counts = matches!(name.as_str(), "exits" | "revocations");
            let want = org[col(th, "tick") + 1 + k];
            let got = if counts { sum[k] } else { sum[k] / 4.0 };
            assert!(
                (got - want).abs() < 1e-12,
                "run {run}, tick {tick}: {name} over the teams gives {got}, the organisation {want}"
            );
        }
    }
}
