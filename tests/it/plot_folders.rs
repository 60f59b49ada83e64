//! Synthetic result folders for `tests/plot.rs`, written by the tests
//! themselves (CSV tables and a manifest), for the cases no fixture of
//! `tests/data/plot/` has: a sampled design, resolved parameter columns,
//! the March model's periods, `agents.csv` and `contrasts.csv`.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// Writes `dir/manifest.json` of a folder still being written (so plot
/// checks no digests), with the model, the design's swept columns, its
/// resolved columns (no key when `None`, as in older folders) and the
/// resolved scenario text.
pub fn manifest(
    dir: &Path,
    model: &str,
    columns: &[&str],
    resolved: Option<&[&str]>,
    scenario_toml: &str,
) {
    let mut design = serde_json::json!({
        "columns": columns,
        "points": 1,
        "replications": 1,
        "runs": 1,
    });
    if let Some(r) = resolved {
        design["resolved"] = serde_json::json!(r);
    }
    let doc = serde_json::json!({
        "profspace": "test",
        "command": "sweep",
        "command_line": [],
        "status": "running",
        "started": "2026-01-01T00:00:00Z",
        "finished": null,
        "model": model,
        "master_seed": 1,
        "scenario_fingerprint": "test",
        "scenario": {},
        "scenario_toml": scenario_toml,
        "design": design,
        "runs_done": 0,
        "runs_failed": 0,
        "threads": 1,
        "files": {},
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&doc).unwrap(),
    )
    .unwrap();
}

/// The fractional part of `x`.
fn frac(x: f64) -> f64 {
    x - x.floor()
}

/// The resolved scenario of the sampled folder.
pub const SAMPLED_TOML: &str = "name = \"sampled\"\nseed = 3\n\n[sweep.grid]\n\"coupling\" = [\"zero_sum\", \"freedom_safety\"]\n\n[sweep.sample]\nmethod = \"lhs\"\nsamples = 30\n\"professionals.need\" = { from = 0.3, to = 0.9 }\n\"managers.focus\" = { from = 0.1, to = 0.9 }\n";

/// One sampled value of 16 digits, `k` of 30, in `[lo, hi]`.
pub fn sample(k: usize, salt: f64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * frac(k as f64 * 0.618_033_988_749_894_9 + salt)
}

/// A sampled design, as `[sweep.sample]` crossed with a grid writes it:
/// `coupling` (2 values) × 30 points of `professionals.need` and
/// `managers.focus` with 16-digit values; design, aggregate (essential,
/// autonomy, safety, purpose, identity, drive) and ticks (2 runs per
/// point, every 10th tick up to 200). No manifest.
pub fn sampled(dir: &Path) {
    let metrics = [
        "essential",
        "autonomy",
        "safety",
        "purpose",
        "identity",
        "drive",
    ];
    let mut design = String::from("point,coupling,professionals.need,managers.focus\n");
    let mut agg = String::from("point,coupling,professionals.need,managers.focus,n");
    for m in metrics {
        write!(agg, ",{m}_mean,{m}_sd,{m}_ci95").unwrap();
    }
    agg.push('\n');
    let mut ticks = String::from("run,point,replicate,tick,essential,autonomy\n");
    for p in 0..60 {
        let coupling = if p < 30 { "zero_sum" } else { "freedom_safety" };
        let (need, focus) = (
            sample(p % 30, 0.123_456_789, 0.3, 0.9),
            sample(p % 30, 0.71, 0.1, 0.9),
        );
        let params = format!("{p},{coupling},{need},{focus}");
        writeln!(design, "{params}").unwrap();
        let lift = if p < 30 { 0.0 } else { 0.1 };
        let ess = 0.3 + 0.3 * focus - 0.2 * (need - 0.6).powi(2) + lift;
        write!(agg, "{params},2").unwrap();
        for (k, _) in metrics.iter().enumerate() {
            let v = (ess + 0.05 * k as f64).min(0.95);
            write!(agg, ",{v},0.01,0.09").unwrap();
        }
        agg.push('\n');
        for rep in 0..2 {
            for t in (0..=200).step_by(10) {
                let v = ess * (1.0 - (-(t as f64) / 40.0).exp()) + 0.01 * rep as f64;
                writeln!(ticks, "{},{p},{rep},{t},{v},{}", p * 2 + rep, 1.0 - v).unwrap();
            }
        }
    }
    std::fs::write(dir.join("design.csv"), design).unwrap();
    std::fs::write(dir.join("aggregate.csv"), agg).unwrap();
    std::fs::write(dir.join("ticks.csv"), ticks).unwrap();
}

/// Named conditions with their resolved columns after the swept one, as
/// the engine writes them: `condition` (walls, space, integrated) with
/// `managers.focus` and `managers.connection` resolved; design, aggregate
/// (essential, autonomy, safety) and runs.
pub fn conditions(dir: &Path) {
    let rows = [
        ("walls", "0.9", "0.1", 0.45),
        ("space", "0.1", "0.1", 0.40),
        ("integrated", "0.8", "0.8", 0.62),
    ];
    let mut design = String::from("point,condition,managers.focus,managers.connection\n");
    let mut agg = String::from(
        "point,condition,managers.focus,managers.connection,n,essential_mean,essential_sd,essential_ci95,autonomy_mean,autonomy_sd,autonomy_ci95,safety_mean,safety_sd,safety_ci95\n",
    );
    for (p, (c, f, k, e)) in rows.iter().enumerate() {
        writeln!(design, "{p},{c},{f},{k}").unwrap();
        writeln!(
            agg,
            "{p},{c},{f},{k},4,{e},0.02,0.03,0.3,0.02,0.03,0.4,0.02,0.03"
        )
        .unwrap();
    }
    std::fs::write(dir.join("design.csv"), design).unwrap();
    std::fs::write(dir.join("aggregate.csv"), agg).unwrap();
}

/// A March (1991) folder: two values of `march.code_learning`, knowledge
/// (a score from −1 to 1) at `periods` recorded periods, 2 runs per point
/// whose values lie near 0 and near 1, so that a band of the mean (t with
/// one degree of freedom) would leave the range.
pub fn march(dir: &Path, periods: &[u32]) {
    std::fs::write(
        dir.join("design.csv"),
        "point,march.code_learning\n0,0.1\n1,0.9\n",
    )
    .unwrap();
    let mut ticks = String::from("run,point,replicate,tick,knowledge,individual_knowledge\n");
    for p in 0..2 {
        for rep in 0..2 {
            for (i, &t) in periods.iter().enumerate() {
                let base = 0.02 + 0.3 * i as f64;
                let v = if rep == 0 {
                    base
                } else {
                    (base + 0.5).min(1.0)
                };
                writeln!(ticks, "{},{p},{rep},{t},{v},{v}", p * 2 + rep).unwrap();
            }
        }
    }
    std::fs::write(dir.join("ticks.csv"), ticks).unwrap();
}

/// `contrasts.csv` of `rows` contrasts of `essential` (freedom_safety −
/// zero_sum by coupling, over `managers.focus` with long values) and one
/// of `exits` with an undefined difference.
pub fn contrasts(dir: &Path, rows: usize) {
    let mut t = String::from(
        "metric,by,level,baseline,managers.focus,n,mean_diff,sd_diff,ci95,ci95_unpaired,d_z\n",
    );
    for i in 0..rows {
        let focus = sample(i, 0.123_456_789, 0.1, 0.9);
        let d = 0.05 * (i as f64 - rows as f64 / 2.0) / rows as f64 + 0.02;
        writeln!(
            t,
            "essential,coupling,freedom_safety,zero_sum,{focus},10,{d},0.01,0.007,0.03,2"
        )
        .unwrap();
    }
    t.push_str("exits,coupling,freedom_safety,zero_sum,0.5,1,,,,,\n");
    std::fs::write(dir.join("contrasts.csv"), t).unwrap();
}

/// The states of a professional in `agents.csv` (the default model's).
pub const STATES: [&str; 14] = [
    "autonomy",
    "safety",
    "purpose",
    "identity",
    "meaning",
    "drive",
    "skill",
    "cynicism",
    "trust",
    "standard",
    "need",
    "consequentialism",
    "aspiration",
    "base_drive",
];

/// `agents.csv` for the design points `points` (2 replicates each, 6
/// professionals in 2 teams, ticks 0, 20 and 40): every state on 0–1, a
/// little lower for odd points.
pub fn agents(dir: &Path, points: u64) {
    let mut t = String::from("run,point,replicate,tick,team,professional,");
    t.push_str(&STATES.join(","));
    t.push('\n');
    for p in 0..points {
        for rep in 0..2 {
            for tick in [0, 20, 40] {
                for pro in 0..6u64 {
                    write!(t, "{},{p},{rep},{tick},{},{pro}", p * 2 + rep, pro / 3).unwrap();
                    for k in 0..STATES.len() as u64 {
                        let v = frac((p * 7 + pro * 3 + k + rep) as f64 * 0.377) * 0.8
                            + if p % 2 == 1 { 0.0 } else { 0.1 };
                        write!(t, ",{v:.4}").unwrap();
                    }
                    t.push('\n');
                }
            }
        }
    }
    std::fs::write(dir.join("agents.csv"), t).unwrap();
}
