//! What the commands print: summaries read back from the CSV results (never
//! from the model's state; the model only says which metrics matter and
//! adds its own lines, from the same tables), the parameter table and the
//! dry-run design.

use anyhow::{Context, Result};
use profspace::observe::ResultTable;
use profspace::output::tables;
use profspace::scenario::Scenario;
use profspace::sweep::{Outcome, Plan};
use std::path::Path;

/// Design points up to which a sweep's summary prints one row per point.
const TABLE_POINTS: usize = 12;
/// Design points up to which the model's own summary lines are computed
/// (the table is held in memory for them).
const SUMMARY_POINTS: usize = 10_000;

/// Reads `aggregate.csv`, keeping at most `keep` rows; returns the table and
/// the number of rows in the file.
fn read_aggregate(dir: &Path, keep: usize, resolved: &[String]) -> Result<(ResultTable, usize)> {
    let path = dir.join(profspace::output::tables::AGGREGATE.file);
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut table = ResultTable {
        header: r.headers()?.iter().map(str::to_string).collect(),
        rows: Vec::new(),
        resolved: resolved.to_vec(),
    };
    let mut count = 0;
    for rec in r.records() {
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
        count += 1;
        if table.rows.len() < keep {
            table.rows.push(rec.iter().map(str::to_string).collect());
        }
    }
    Ok((table, count))
}

/// "× 10 replications = 500 runs", or what a precision target plans.
pub fn runs_words(plan: &Plan) -> String {
    match &plan.rounds {
        None => format!(
            "× {} replication{} = {} run{}",
            plan.replications,
            if plan.replications == 1 { "" } else { "s" },
            plan.total_runs(),
            if plan.total_runs() == 1 { "" } else { "s" }
        ),
        Some(r) => format!(
            "× {} replications in the first round ({} runs), doubled where the 95% half-width of \
             {} is above {} (up to {} per point)",
            plan.replications,
            plan.design.len() * u64::from(plan.replications),
            r.target.metric,
            r.target.half_width,
            r.target.max_replications
        ),
    }
}

/// The first line: what runs where.
pub fn starting(command: &str, s: &Scenario, plan: &Plan, threads: usize, out: &Path) {
    errln!(
        "{} {}: {} design point{} {}{} on {threads} thread{} → {}",
        command,
        s.name,
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        runs_words(plan),
        plan.shard
            .map(|sh| format!(" (shard {sh}: {} runs)", plan.len()))
            .unwrap_or_default(),
        if threads == 1 { "" } else { "s" },
        out.display()
    );
}

/// A rate of runs in words: whole runs per second, or seconds per run when
/// runs are slower than one a second ("3.7 s per run", not "0 runs/s").
fn rate(per_sec: f64) -> String {
    if per_sec >= 1.0 {
        format!("{per_sec:.0} runs/s")
    } else if per_sec > 0.0 {
        format!("{:.1} s per run", 1.0 / per_sec)
    } else {
        "no runs".to_string()
    }
}

/// How long the runs took.
pub fn finished(outcome: &Outcome, secs: f64) {
    errln!(
        "{} run{} done in {secs:.1} s ({}){}",
        outcome.computed,
        if outcome.computed == 1 { "" } else { "s" },
        rate(outcome.computed as f64 / secs.max(1e-9)),
        if outcome.done > outcome.computed {
            format!("; {} were already written", outcome.done - outcome.computed)
        } else {
            String::new()
        }
    );
}

/// The runs that failed.
pub fn failures(outcome: &Outcome, out: &Path) {
    errln!(
        "{} run{} failed (see {}):",
        outcome.failures.len(),
        if outcome.failures.len() == 1 { "" } else { "s" },
        out.join(profspace::output::tables::FAILURES.file).display()
    );
    for (run, seed, msg) in outcome.failures.iter().take(10) {
        errln!("  run {run} (seed {seed}): {msg}");
    }
}

/// The key outcomes of a finished run or sweep: every key metric of a
/// single design point with its 95% CI; a row per point for small designs;
/// then the model's own lines.
pub fn summary(dir: &Path, s: &Scenario) -> Result<()> {
    let resolved = profspace::scenario::Design::build(s).resolved;
    let (table, count) = read_aggregate(dir, SUMMARY_POINTS, &resolved)?;
    let keys = s.model.key_metrics();
    let all: Vec<&str> = s.model.run_metrics().iter().map(|m| m.name).collect();
    let pick = |k: &'static [&'static str]| {
        if k.is_empty() {
            all.clone()
        } else {
            k.to_vec()
        }
    };
    if count == 1 {
        outln!(
            "{:<14} {:>10} {:>11}   (final-window mean over replicates, 95% CI)",
            "metric",
            "mean",
            "± ci95"
        );
        for k in pick(keys.one) {
            if let (Some(m), Some(c)) = (
                table.column(&format!("{k}_mean")),
                table.column(&format!("{k}_ci95")),
            ) {
                let ci = table.number(0, c);
                // One replicate has no spread: say so rather than NaN.
                let ci = if ci.is_finite() {
                    format!("{ci:.4}")
                } else {
                    "n/a (1 run)".to_string()
                };
                outln!("{k:<14} {:>10.4} {ci:>11}", table.number(0, m));
            }
        }
        return Ok(());
    }
    if count <= TABLE_POINTS {
        points_table(&table, &pick(keys.table));
    } else {
        outln!(
            "{count} design points; per-point means with 95% CIs are in {}",
            dir.join(profspace::output::tables::AGGREGATE.file)
                .display()
        );
    }
    if count <= SUMMARY_POINTS {
        for line in s.model.summary(&table) {
            outln!("{line}");
        }
        best_cells(dir, s)?;
    }
    Ok(())
}

/// The paired difference between the best cells of each level of the
/// model's grouping parameter (e.g. the couplings), when it varies with
/// other parameters.
fn best_cells(dir: &Path, s: &Scenario) -> Result<()> {
    let charts = s.model.charts();
    let f = profspace::analysis::Finished::just_written(dir)?;
    let Some(b) = profspace::analysis::contrast::best_cells(&f, charts.group, charts.primary)?
    else {
        return Ok(());
    };
    let at = |values: &[String]| {
        b.others
            .iter()
            .zip(values)
            .map(|(k, v)| {
                let v = v
                    .parse::<f64>()
                    .map_or_else(|_| v.clone(), profspace::analysis::discover::sig3);
                format!("{} {v}", k.rsplit('.').next().unwrap_or(k))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!(
        "\npaired difference of the best cells ({}; replicate r of one cell against replicate r of the other, which share their random numbers):",
        b.metric
    );
    let (first, first_at, _) = &b.cells[0];
    for ((level, values, _), p) in b.cells[1..].iter().zip(&b.contrasts) {
        outln!(
            "  {level} ({}) − {first} ({}): {:+.3} ± {:.3} (95% CI; unpaired it would be ± {:.3}), d_z {:.1}, {} pairs",
            at(values),
            at(first_at),
            p.mean_diff,
            p.ci95,
            p.ci95_unpaired,
            p.d_z,
            p.n
        );
    }
    if b.candidates > 1 {
        outln!(
            "  note: each best cell is the highest of up to {} noisy means of its {}; a maximum \
             is biased upward, more so with few replications, and these intervals do not \
             account for the choice. Confirm with fresh replicates (another --seed) of the two cells.",
            b.candidates,
            b.by.rsplit('.').next().unwrap_or(&b.by)
        );
    }
    outln!(
        "  (profspace compare {} --by {} gives every contrast)",
        dir.display(),
        b.by
    );
    Ok(())
}

/// One row per design point: its parameters and the final-window means of
/// `metrics`.
fn points_table(table: &ResultTable, metrics: &[&str]) {
    let mut params = table.all_parameter_columns();
    // A precision target's replications and whether they met it.
    if let (Some(n), Some(met)) = (table.column("n"), table.column("target_met")) {
        params.extend([n, met]);
    }
    let cols: Vec<(&str, usize)> = metrics
        .iter()
        .filter_map(|m| Some((*m, table.column(&format!("{m}_mean"))?)))
        .collect();
    let width = |i: usize| {
        table
            .rows
            .iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(table.header[i].chars().count()))
            .max()
            .unwrap_or(0)
    };
    let mut line = String::from("point");
    for &p in &params {
        line.push_str(&format!("  {:<w$}", table.header[p], w = width(p)));
    }
    for (m, _) in &cols {
        line.push_str(&format!("  {m:>w$}", w = m.len().max(6)));
    }
    outln!("{line}");
    for (r, row) in table.rows.iter().enumerate() {
        let mut line = format!("{:<5}", row[0]);
        for &p in &params {
            line.push_str(&format!("  {:<w$}", row[p], w = width(p)));
        }
        for (m, c) in &cols {
            let x = table.number(r, *c);
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

/// The indices of `sensitivity.csv`, one table per output.
pub fn sensitivity(dir: &Path) -> Result<()> {
    let path = dir.join(profspace::output::tables::SENSITIVITY.file);
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
            .map(|i| format!("{:>12.3}", rec[i].parse::<f64>().unwrap_or(f64::NAN)))
            .collect();
        outln!("  {:<34}{values}", &rec[2]);
    }
    outln!("\n(written to {})", path.display());
    Ok(())
}

/// `profspace sweep --dry-run`.
pub fn dry_run(plan: &Plan) {
    let size = plan.estimated_output();
    outln!(
        "{} design point{} {}{}; tables of about {} ({} rows of {} per run)",
        plan.design.len(),
        if plan.design.len() == 1 { "" } else { "s" },
        runs_words(plan),
        plan.shard
            .map(|s| format!(" (shard {s}: {} runs)", plan.len()))
            .unwrap_or_default(),
        profspace::scenario::human_bytes(size.total()),
        size.of(&tables::TICKS).1,
        tables::TICKS.file
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
