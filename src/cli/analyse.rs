//! The analysis commands: `compare` (paired contrasts) prints its table and
//! writes `contrasts.csv`, `discover` (PRIM) prints its boxes and writes
//! `discover*.csv`; the charts come from the plot module.

use super::args::{CompareArgs, DiscoverArgs};
use super::exit;
use super::shared::{draw_contrasts, draw_discovery};
use anyhow::Result;
use profspace::analysis::Finished;
use profspace::analysis::contrast::{self, Contrasts, Options};
use profspace::analysis::discover::{self, Discovery, Rule, sig3};
use profspace::model;
use profspace::output::tables;

/// Rows printed per metric; the rest are in `contrasts.csv`.
const SHOWN: usize = 40;

impl CompareArgs {
    /// `profspace compare DIR --by PARAM`: the contrasts printed and
    /// written to `contrasts.csv`, and their forest plots.
    pub(crate) fn run(self) -> Result<i32> {
        let dir = &self.dir;
        let mut opts = Options {
            by: self.by,
            baseline: self.baseline,
            metrics: self.metrics,
        };
        let f = Finished::open(dir)?;
        if opts.metrics.is_empty() {
            let primary = model::find_version(&f.manifest.model)
                .map(|m| m.charts().primary)
                .unwrap_or("");
            if primary.is_empty() {
                return Err(super::usage(format!(
                    "the model of {} is not known to this profspace ({}); name the metrics with --metric",
                    dir.display(),
                    f.manifest.model
                )));
            }
            opts.metrics.push(primary.to_string());
        }
        let c = contrast::compare(&f, &opts)?;
        c.write(&f)?;
        print(&c);
        outln!(
            "\n(written to {})",
            f.folder.file(tables::CONTRASTS.file).display()
        );
        if !self.no_plots {
            draw_contrasts(dir, &c.metrics);
        }
        Ok(exit::OK)
    }
}

/// A number for the table: 4 decimals, or blank when undefined.
fn num(x: f64, width: usize) -> String {
    if x.is_finite() {
        format!("{x:>width$.4}")
    } else {
        format!("{:>width$}", "—")
    }
}

/// A standardised effect for the table: 1 decimal, or a dash.
fn num2(x: f64, width: usize) -> String {
    if x.is_finite() {
        format!("{x:>width$.1}")
    } else {
        format!("{:>width$}", "—")
    }
}

/// The contrasts as a table per metric, and how much narrower the paired
/// intervals are.
fn print(c: &Contrasts) {
    for metric in &c.metrics {
        let rows: Vec<_> = c.rows.iter().filter(|r| &r.metric == metric).collect();
        outln!(
            "\n{metric}: paired differences level − baseline of `{}` (baseline {}), over the replicates",
            c.by,
            c.baseline
        );
        let widths: Vec<usize> = c
            .others
            .iter()
            .enumerate()
            .map(|(i, name)| {
                rows.iter()
                    .map(|r| r.others[i].chars().count())
                    .chain([name.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let level_width = c
            .levels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut head = format!("  {:<level_width$}", "level");
        for (name, w) in c.others.iter().zip(&widths) {
            head.push_str(&format!("  {name:<w$}"));
        }
        head.push_str("     n   mean diff  ± ci95 paired  ± ci95 unpaired      d_z");
        outln!("{head}");
        for r in rows.iter().take(SHOWN) {
            let mut line = format!("  {:<level_width$}", r.level);
            for (v, w) in r.others.iter().zip(&widths) {
                line.push_str(&format!("  {v:<w$}"));
            }
            let s = &r.stats;
            line.push_str(&format!(
                "  {:>4}  {}  {}  {}  {}",
                s.n,
                num(s.mean_diff, 10),
                num(s.ci95, 13),
                num(s.ci95_unpaired, 15),
                num2(s.d_z, 7)
            ));
            outln!("{line}");
        }
        if rows.len() > SHOWN {
            outln!("  … {} more rows in contrasts.csv", rows.len() - SHOWN);
        }
        let mut ratios: Vec<f64> = rows
            .iter()
            .map(|r| r.stats.ci95 / r.stats.ci95_unpaired)
            .filter(|x| x.is_finite())
            .collect();
        if !ratios.is_empty() {
            ratios.sort_by(f64::total_cmp);
            outln!(
                "  (95% t intervals; the replicates share their random numbers, so the paired interval \
                 is {:.2} of the unpaired one at the median row)",
                ratios[ratios.len() / 2]
            );
        }
    }
}

impl DiscoverArgs {
    /// `profspace discover DIR --metric NAME`: PRIM's boxes printed and
    /// written to `discover*.csv`, and their charts.
    pub(crate) fn run(self) -> Result<i32> {
        let dir = &self.dir;
        let rule = match (self.above, self.below) {
            (Some(x), _) => Rule::Above(x),
            (None, Some(x)) => Rule::Below(x),
            (None, None) => return Err(super::usage("give --above X or --below X")),
        };
        let opts = discover::Options {
            metric: self.metric,
            rule,
            density: self.density,
            boxes: self.boxes,
            per_run: self.per_run,
            step: self.step,
            resample: self.resample,
            objective: self.objective.into(),
        };
        if !(0.0..=1.0).contains(&opts.density) {
            return Err(super::usage(format!(
                "--density {}: the density of a box is a share, from 0 to 1",
                opts.density
            )));
        }
        if opts.resample > 10_000 {
            return Err(super::usage(format!(
                "--resample {}: at most 10000 resamples",
                opts.resample
            )));
        }
        let f = Finished::open(dir)?;
        let d = discover::discover(&f, &opts)?;
        let written = d.write(&f)?;
        print_discovery(&d);
        outln!(
            "\n(written to {})",
            written
                .iter()
                .map(|n| f.folder.file(n).display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !self.no_plots {
            draw_discovery(dir);
        }
        Ok(exit::OK)
    }
}

/// The boxes in words, their limits and p-values, and their stability.
fn print_discovery(d: &Discovery) {
    let cases = d.data.cases_of_interest();
    let o = &d.options;
    outln!(
        "{} {} holds at {cases} of {} {}s ({:.0}%){}.",
        o.metric,
        o.rule.words(),
        d.rows,
        d.unit,
        100.0 * cases as f64 / d.rows as f64,
        if d.dropped > 0 {
            format!("; {} without a value were left out", d.dropped)
        } else {
            String::new()
        }
    );
    for (i, b) in d.boxes.iter().enumerate() {
        outln!(
            "\nbox {}: coverage {:.2}, density {:.2}, mass {:.2} (step {} of {} on its trajectory{})",
            i + 1,
            b.coverage,
            b.density,
            b.mass,
            b.step,
            b.trajectory.steps.len(),
            if b.meets_threshold {
                String::new()
            } else {
                format!(
                    "; no box reaches density {}, this is the densest",
                    o.density
                )
            }
        );
        outln!("  {}.", d.box_words(b));
        if !b.restricted.is_empty() {
            outln!("  {:<28} {:<36} quasi-p", "parameter", "limits");
        }
        for &j in &b.restricted {
            outln!(
                "  {:<28} {:<36} {}",
                d.data.columns()[j].name,
                d.limit_words(j, &b.limits.limits[j]),
                match d.p_value(b, j) {
                    p if p.is_finite() => format!("{p:.2e}"),
                    _ => "—".into(),
                }
            );
        }
    }
    outln!(
        "  (a small quasi-p says the restriction is unlikely to raise the density by chance; \
         drop those near 1)"
    );
    if let Some(s) = &d.stability {
        let shares: Vec<String> = s
            .dimensions
            .iter()
            .map(|x| format!("{} {}%", x.name, sig3(100.0 * x.restricted)))
            .collect();
        outln!(
            "\nstability over {} bootstrap resamples ({} analysed), how often box 1 restricts each parameter: {}",
            s.attempted,
            s.completed,
            shares.join(", ")
        );
    }
}
