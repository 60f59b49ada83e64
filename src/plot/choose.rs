//! Choices the steps share: the design parameter a name means, the metrics
//! of the per-point charts and of the time-series panels, whether a design
//! is a family of lines, and file names.

use super::MAX_PANELS;
use super::data::{Aggregate, Design};
use crate::error::Result;
use crate::plot::missing;
use std::collections::BTreeSet;
use std::path::Path;

/// The design parameter called `name`, or a user error listing them.
pub(super) fn param_index(design: &Design, name: &str, file: &Path) -> Result<usize> {
    design.param(name).ok_or_else(|| {
        missing(
            file,
            format!(
                "parameter column `{name}` (parameters: {})",
                if design.params.is_empty() {
                    "none: a single condition".to_string()
                } else {
                    design
                        .params
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        )
    })
}

/// The metrics of the per-point charts: those asked for that the aggregate
/// has, else the model's main metric, else the first metric.
pub(super) fn primary_metrics(agg: &Aggregate, asked: &[String], main: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let chosen: Vec<String> = asked
        .iter()
        .filter_map(|m| agg.metric(m).map(|s| s.name.clone()))
        .filter(|m| seen.insert(m.clone()))
        .collect();
    // Metrics asked for are the only ones drawn (those of them that the
    // aggregate has); nothing else stands in for them.
    if !asked.is_empty() {
        return chosen;
    }
    if let Some(m) = agg.metric(main) {
        return vec![m.name.clone()];
    }
    agg.metrics
        .first()
        .map(|m| vec![m.name.clone()])
        .unwrap_or_default()
}

/// The time-series panels: the asked metrics present in ticks.csv (and only
/// them), else the model's panels present, else the first columns.
pub(super) fn panel_metrics(
    names: &[String],
    asked: &[String],
    key_metrics: &[&str],
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let chosen: Vec<String> = asked
        .iter()
        .filter(|m| names.contains(m) && seen.insert(m.to_string()))
        .take(MAX_PANELS)
        .cloned()
        .collect();
    if !asked.is_empty() {
        return chosen;
    }
    let key: Vec<String> = key_metrics
        .iter()
        .filter(|k| names.iter().any(|n| n == *k))
        .map(|k| k.to_string())
        .collect();
    if !key.is_empty() {
        return key;
    }
    names.iter().take(8).cloned().collect()
}

/// Whether the design is a family of lines: the x parameter and the
/// grouping parameter, if any. Sampled parameters do not count (the lines
/// average over them). One varying numeric parameter (x) with at
/// most one other varying parameter of at most 8 values (the groups); or
/// exactly two varying numeric parameters and nothing else, x being the
/// one with more values.
pub(super) fn auto_lines(design: &Design, by: Option<usize>) -> Option<(usize, Option<usize>)> {
    let varying: Vec<usize> = design
        .varying()
        .into_iter()
        .filter(|&i| !design.params[i].sampled)
        .collect();
    let numeric: Vec<usize> = varying
        .iter()
        .copied()
        .filter(|&i| design.params[i].numeric() && Some(i) != by)
        .collect();
    let levels = |i: usize| design.params[i].levels.len();
    match (numeric.len(), varying.len()) {
        (1, 1) => Some((numeric[0], None)),
        (1, 2) => {
            let other = varying.iter().copied().find(|&i| i != numeric[0])?;
            (levels(other) <= 8).then_some((numeric[0], Some(other)))
        }
        (2, 2) => {
            let (a, b) = (numeric[0], numeric[1]);
            let (x, g) = if levels(b) > levels(a) {
                (b, a)
            } else {
                (a, b)
            };
            (levels(g) <= 8).then_some((x, Some(g)))
        }
        _ => None,
    }
}

pub(super) fn lines_stem(metric: &str, design: &Design, by: Option<usize>) -> String {
    match by {
        Some(b) => format!(
            "lines_{}_by_{}",
            file_part(metric),
            file_part(&design.params[b].name)
        ),
        None => format!("lines_{}", file_part(metric)),
    }
}

/// A name made safe for a file name: letters, digits, `.`, `_`, `-`.
pub(super) fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::tests::grid;

    #[test]
    fn line_families_are_recognised() {
        let march = grid(&[
            ("march.code_learning", &["0.1", "0.5", "0.9"]),
            ("march.socialization", &["0.1", "0.3", "0.5", "0.7", "0.9"]),
        ]);
        // x: the parameter with more values; one line per the other.
        assert_eq!(auto_lines(&march, None), Some((1, Some(0))));
        let one = grid(&[("a", &["1", "2", "3"])]);
        assert_eq!(auto_lines(&one, None), Some((0, None)));
        let grouped = grid(&[("coupling", &["z", "f"]), ("a", &["1", "2", "3"])]);
        assert_eq!(auto_lines(&grouped, None), Some((1, Some(0))));
        // The flagship (coupling × focus × connection) is a heatmap, not lines.
        let flagship = grid(&[
            ("coupling", &["z", "f"]),
            ("managers.focus", &["0.1", "0.9"]),
            ("managers.connection", &["0.1", "0.9"]),
        ]);
        assert_eq!(auto_lines(&flagship, None), None);
        assert_eq!(
            lines_stem("knowledge", &march, Some(0)),
            "lines_knowledge_by_march.code_learning"
        );
        assert_eq!(file_part("a b/c"), "a_b_c");
    }

    #[test]
    fn panels_prefer_the_key_metrics() {
        let names: Vec<String> = ["knowledge", "code_correct"].map(String::from).to_vec();
        const KEY: [&str; 3] = ["essential", "autonomy", "safety"];
        assert_eq!(panel_metrics(&names, &[], &KEY), names);
        let psm: Vec<String> = ["autonomy", "safety", "essential", "trust"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            panel_metrics(&psm, &[], &KEY),
            vec!["essential", "autonomy", "safety"]
        );
        assert_eq!(
            panel_metrics(&psm, &["trust".into(), "nope".into()], &KEY),
            vec!["trust"]
        );
        assert_eq!(
            panel_metrics(&psm, &["settle_tick".into()], &KEY),
            Vec::<String>::new()
        );
    }
}
