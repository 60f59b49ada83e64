//! What the commands print: summaries read back from the CSV results (never
//! from the model), the parameter table and the dry-run design.

use crate::scenario::{Scenario, params};
use crate::sweep::Plan;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Streams `aggregate.csv`: the header, then every row to `each` (memory
/// does not grow with the number of design points).
fn read_aggregate(dir: &Path, mut each: impl FnMut(&[String], Vec<String>)) -> Result<Vec<String>> {
    let path = dir.join("aggregate.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    for rec in r.records() {
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
        each(&header, rec.iter().map(str::to_string).collect());
    }
    Ok(header)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

/// The key outcomes of a finished run or sweep.
pub fn summary(dir: &Path, s: &Scenario) -> Result<()> {
    let (mut count, mut first) = (0usize, None);
    let header = read_aggregate(dir, |_, row| {
        count += 1;
        if first.is_none() {
            first = Some(row);
        }
    })?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let keys: &[&str] = match s.model {
        crate::scenario::ModelKind::ProfessionalSpace => &[
            "essential",
            "functional",
            "existential",
            "autonomy",
            "safety",
            "meaning",
            "drive",
            "cynicism",
            "licence",
            "conflict",
            "exits",
        ],
        crate::scenario::ModelKind::March1991 => &[
            "knowledge",
            "code_correct",
            "individual_knowledge",
            "periods",
        ],
    };
    if let (1, Some(row)) = (count, &first) {
        outln!(
            "{:<14} {:>10} {:>10}   (final window mean over replicates, 95% CI)",
            "metric",
            "mean",
            "± ci95"
        );
        for k in keys {
            if let (Some(m), Some(c)) = (col(&format!("{k}_mean")), col(&format!("{k}_ci95"))) {
                outln!("{k:<14} {:>10.4} {:>10.4}", num(&row[m]), num(&row[c]));
            }
        }
    } else {
        outln!(
            "{count} design points; per-point means with 95% CIs are in {}",
            dir.join("aggregate.csv").display()
        );
    }
    Ok(())
}

/// The flagship comparison: the best cell of each coupling on essential.
pub fn compare_couplings(dir: &Path) -> Result<()> {
    let mut best: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let header = read_aggregate(dir, |header, row| {
        let col = |name: &str| header.iter().position(|h| h == name);
        if let (Some(c), Some(m)) = (col("coupling"), col("essential_mean")) {
            let e = best.entry(row[c].clone()).or_insert_with(|| row.clone());
            if num(&row[m]) > num(&e[m]) {
                *e = row;
            }
        }
    })?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(c), Some(m), Some(ci)) = (
        col("coupling"),
        col("essential_mean"),
        col("essential_ci95"),
    ) else {
        return Ok(());
    };
    let params: Vec<usize> = (1..header.len())
        .take_while(|&i| header[i] != "n")
        .filter(|&i| i != c)
        .collect();
    outln!("\nbest cell of each coupling (essential performance, final-window mean ± 95% CI):");
    for (coupling, row) in &best {
        let at: Vec<String> = params
            .iter()
            .map(|&i| format!("{} = {}", header[i], row[i]))
            .collect();
        outln!(
            "  {coupling:<15} essential {:.3} ± {:.3}   at {}",
            num(&row[m]),
            num(&row[ci]),
            at.join(", ")
        );
    }
    Ok(())
}

/// The indices of `sensitivity.csv`, one table per output.
pub fn sensitivity(dir: &Path) -> Result<()> {
    let path = dir.join("sensitivity.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let mut last_output = String::new();
    for rec in r.records() {
        let rec = rec?;
        if rec[1] != *last_output {
            last_output = rec[1].to_string();
            outln!(
                "\n{} indices of {last_output} (95% bootstrap intervals):",
                &rec[0]
            );
            outln!(
                "  {:<34}{}",
                "parameter",
                header[3..]
                    .iter()
                    .map(|h| format!("{h:>12}"))
                    .collect::<String>()
            );
        }
        let values: String = (3..rec.len())
            .map(|i| format!("{:>12.3}", num(&rec[i])))
            .collect();
        outln!("  {:<34}{values}", &rec[2]);
    }
    outln!("\n(written to {})", path.display());
    Ok(())
}

/// `profspace params`.
pub fn params_table() {
    outln!("{:<40} {:<12} {:<22} meaning", "key", "default", "allowed");
    for p in params::PARAMS {
        outln!(
            "{:<40} {:<12} {:<22} {}",
            p.path,
            p.default_text(),
            p.kind.range(),
            p.meaning
        );
    }
    outln!(
        "\nprofiles: [[managers.profiles]] name, share, any lever, spread; \
         [[professionals.profiles]] name, share, any trait mean (see docs/parameters.md)"
    );
}

/// `profspace sweep --dry-run`.
pub fn dry_run(plan: &Plan) {
    outln!(
        "{} design points × {} replications = {} runs{}",
        plan.design.len(),
        plan.replications,
        plan.total_runs(),
        plan.shard
            .map(|s| format!(" (shard {s}: {} runs)", plan.len()))
            .unwrap_or_default()
    );
    if plan.design.columns.is_empty() {
        return;
    }
    outln!("\npoint,{}", plan.design.columns.join(","));
    let shown = plan.design.len().min(10);
    for i in 0..shown {
        let values: Vec<String> = plan
            .design
            .point(i)
            .values
            .iter()
            .map(ToString::to_string)
            .collect();
        outln!("{i},{}", values.join(","));
    }
    if plan.design.len() > shown {
        outln!("… {} more", plan.design.len() - shown);
    }
}
