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

/// The metrics a summary shows: (one design point, a table of points).
fn key_metrics(s: &Scenario) -> (&'static [&'static str], &'static [&'static str]) {
    match s.model {
        crate::scenario::ModelKind::ProfessionalSpace => (
            &[
                "essential",
                "functional",
                "existential",
                "autonomy",
                "safety",
                "purpose",
                "meaning",
                "drive",
                "cynicism",
                "licence",
                "conflict",
                "alienated",
                "disoriented",
                "integrated",
                "exits",
                "revocations",
                "settle_tick",
            ],
            &[
                "essential",
                "autonomy",
                "safety",
                "meaning",
                "alienated",
                "disoriented",
                "integrated",
                "licence",
                "exits",
            ],
        ),
        crate::scenario::ModelKind::March1991 => (
            &[
                "knowledge",
                "code_correct",
                "individual_knowledge",
                "periods",
            ],
            &[
                "knowledge",
                "code_correct",
                "individual_knowledge",
                "periods",
            ],
        ),
    }
}

/// Design points up to which a sweep's summary prints one row per point.
const TABLE_POINTS: usize = 12;

/// The key outcomes of a finished run or sweep: every key metric of a
/// single design point with its 95% CI; a row per point for small designs;
/// where each situation dominates.
pub fn summary(dir: &Path, s: &Scenario) -> Result<()> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut count = 0usize;
    let header = read_aggregate(dir, |_, row| {
        count += 1;
        if rows.len() <= TABLE_POINTS {
            rows.push(row);
        }
    })?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let (one, table) = key_metrics(s);
    if let (1, Some(row)) = (count, rows.first()) {
        outln!(
            "{:<14} {:>10} {:>10}   (final-window mean over replicates, 95% CI)",
            "metric",
            "mean",
            "± ci95"
        );
        for k in one {
            if let (Some(m), Some(c)) = (col(&format!("{k}_mean")), col(&format!("{k}_ci95"))) {
                outln!("{k:<14} {:>10.4} {:>10.4}", num(&row[m]), num(&row[c]));
            }
        }
        return Ok(());
    }
    if count <= TABLE_POINTS {
        points_table(&header, &rows, table);
    } else {
        outln!(
            "{count} design points; per-point means with 95% CIs are in {}",
            dir.join("aggregate.csv").display()
        );
    }
    situations(dir)
}

/// One row per design point: its parameters and the final-window means of
/// `metrics`.
fn points_table(header: &[String], rows: &[Vec<String>], metrics: &[&str]) {
    let params: Vec<usize> = (1..header.len())
        .take_while(|&i| header[i] != "n")
        .collect();
    let cols: Vec<(&str, usize)> = metrics
        .iter()
        .filter_map(|m| {
            let i = header.iter().position(|h| *h == format!("{m}_mean"))?;
            Some((*m, i))
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(header[i].chars().count()))
            .max()
            .unwrap_or(0)
    };
    let mut line = String::from("point");
    for &p in &params {
        line.push_str(&format!("  {:<w$}", header[p], w = width(p)));
    }
    for (m, _) in &cols {
        line.push_str(&format!("  {m:>w$}", w = m.len().max(6)));
    }
    outln!("{line}");
    for row in rows {
        let mut line = format!("{:<5}", row[0]);
        for &p in &params {
            line.push_str(&format!("  {:<w$}", row[p], w = width(p)));
        }
        for (m, c) in &cols {
            let x = num(&row[*c]);
            let text = if x.abs() >= 10.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.3}")
            };
            line.push_str(&format!("  {text:>w$}", w = m.len().max(6)));
        }
        outln!("{line}");
    }
    outln!(
        "(final-window means over the replicates of each point; sd and 95% CIs in aggregate.csv)"
    );
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

/// The three situations of the professional-space model and their words.
const SITUATIONS: [(&str, &str); 3] = [
    ("alienated", "walls without space"),
    ("disoriented", "space without walls"),
    ("integrated", "the five windows open"),
];

/// A situation dominates a design point when its share is the largest of
/// the three and at least this.
const DOMINANT: f64 = 0.25;

/// Where each situation dominates: per value of `coupling` (when swept),
/// how many design points each situation dominates and where its share
/// peaks. Prints nothing for a folder without the three shares or with a
/// single point.
pub fn situations(dir: &Path) -> Result<()> {
    struct Group {
        points: usize,
        dominated: [usize; 3],
        peak: [(f64, Vec<String>); 3],
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut complete = true;
    let header = read_aggregate(dir, |header, row| {
        let col = |name: &str| header.iter().position(|h| h == name);
        let Some(cols) = SITUATIONS
            .iter()
            .map(|(m, _)| col(&format!("{m}_mean")))
            .collect::<Option<Vec<usize>>>()
        else {
            complete = false;
            return;
        };
        let key = col("coupling").map(|c| row[c].clone()).unwrap_or_default();
        let params: Vec<String> = (1..header.len())
            .take_while(|&i| header[i] != "n")
            .filter(|&i| header[i] != "coupling")
            .map(|i| format!("{} = {}", header[i], row[i]))
            .collect();
        let g = groups.entry(key).or_insert_with(|| Group {
            points: 0,
            dominated: [0; 3],
            peak: std::array::from_fn(|_| (f64::NEG_INFINITY, Vec::new())),
        });
        g.points += 1;
        let shares: Vec<f64> = cols.iter().map(|&c| num(&row[c])).collect();
        for (k, &x) in shares.iter().enumerate() {
            if x > g.peak[k].0 {
                g.peak[k] = (x, params.clone());
            }
        }
        if let Some((k, &x)) = shares.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))
            && x >= DOMINANT
        {
            g.dominated[k] += 1;
        }
    })?;
    if !complete || header.is_empty() || groups.values().map(|g| g.points).sum::<usize>() < 2 {
        return Ok(());
    }
    outln!(
        "\nwhere each situation dominates (its share of professionals is the largest of the three and at least {:.0}%):",
        DOMINANT * 100.0
    );
    for (key, g) in &groups {
        if !key.is_empty() {
            outln!("  coupling = {key}");
        }
        for (k, (metric, words)) in SITUATIONS.iter().enumerate() {
            let (peak, at) = &g.peak[k];
            let peak = if *peak < 0.005 {
                "never present".to_string()
            } else if at.is_empty() {
                format!("largest share {peak:.2}")
            } else {
                format!("largest share {peak:.2} at {}", at.join(", "))
            };
            outln!(
                "    {:<12} {:<24} dominates {:>3} of {} points; {peak}",
                metric,
                format!("({words})"),
                g.dominated[k],
                g.points,
            );
        }
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
