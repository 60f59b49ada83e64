//! What a folder's `manifest.json` tells the charts about its design, read
//! leniently (the strict check of a complete folder is `plot::verified`):
//! the model, the swept columns (`design.columns`), the resolved columns
//! (`design.resolved`) and which columns were sampled.
//!
//! **Inputs.** Only the swept columns are inputs of the charts (what
//! varies, what groups, the axes of a heatmap, the labels). The resolved
//! columns that the tables carry after them (the values a named condition
//! sets, or every model parameter of a plain run) are functions of the
//! condition and are dropped. A manifest without `design.resolved` (an
//! older folder) has none; a folder without a manifest treats every
//! parameter column as swept.
//!
//! **Sampled columns.** A column is sampled when the resolved scenario in
//! the manifest (`scenario_toml`) lists it in `[sweep.sample]`. Without a
//! manifest (or without `scenario_toml`), the data decide: a numeric column
//! with at least [`MIN_SAMPLED_VALUES`] distinct values that are not evenly
//! spaced (no grid axis of `from`/`to`/`steps`) is taken as sampled. A
//! sample is crossed with every grid cell, so its values repeat once per
//! cell; counting distinct values against points would miss it, the
//! spacing does not.

use super::{Design, Param};
use crate::error::Result;
use crate::plot::missing;
use serde_json::Value as Json;
use std::path::Path;

/// The fewest distinct values of a column the data rule calls sampled.
pub(crate) const MIN_SAMPLED_VALUES: usize = 10;

/// The design facts of a folder's manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FolderInfo {
    /// The model's name and version (`march1991 1.0`), if recorded.
    pub model: Option<String>,
    /// The swept columns, in order (`design.columns`), if recorded.
    pub columns: Option<Vec<String>>,
    /// The resolved columns (`design.resolved`); empty when not recorded.
    pub resolved: Vec<String>,
    /// The sampled parameters (`[sweep.sample]` of `scenario_toml`), if
    /// the manifest has the scenario; `None`: decide from the data.
    pub sampled: Option<Vec<String>>,
}

impl FolderInfo {
    /// Reads `dir/manifest.json`; a missing or unreadable one tells nothing.
    pub fn read(dir: &Path) -> FolderInfo {
        std::fs::read(dir.join(crate::output::folder::MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Json>(&b).ok())
            .map_or_else(FolderInfo::default, |doc| FolderInfo::from_json(&doc))
    }

    /// The design facts of a parsed manifest.
    pub fn from_json(doc: &Json) -> FolderInfo {
        let names = |key: &str| -> Option<Vec<String>> {
            doc.get("design")?
                .get(key)?
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        FolderInfo {
            model: doc.get("model").and_then(Json::as_str).map(str::to_string),
            columns: names("columns"),
            resolved: names("resolved").unwrap_or_default(),
            sampled: doc
                .get("scenario_toml")
                .and_then(Json::as_str)
                .and_then(sampled_in_toml),
        }
    }

    /// The inputs of `design` (read from `file`): its swept columns only,
    /// each marked sampled or not. A swept column the manifest lists and
    /// the table lacks is an error naming both.
    pub fn inputs(&self, design: Design, file: &Path) -> Result<Design> {
        if let Some(cols) = &self.columns
            && let Some(c) = cols.iter().find(|c| design.param(c).is_none())
        {
            return Err(missing(
                file,
                format!("column `{c}` (a design column in manifest.json)"),
            ));
        }
        let keep = |p: &Param| {
            !self.resolved.contains(&p.name)
                && self.columns.as_ref().is_none_or(|c| c.contains(&p.name))
        };
        let Design {
            points,
            params,
            group,
        } = design;
        let (names, columns): (Vec<String>, Vec<Vec<String>>) = params
            .into_iter()
            .filter(|p| keep(p))
            .map(|p| (p.name, p.text))
            .unzip();
        let mut design = Design::new(points, names, columns);
        design.group = group;
        for p in &mut design.params {
            p.sampled = match &self.sampled {
                Some(list) => p.numeric() && list.contains(&p.name),
                None => looks_sampled(p),
            };
        }
        Ok(design)
    }
}

/// The parameters of `[sweep.sample]` in a resolved scenario (`None` when
/// the text is not TOML): every key whose value is a range `{ from, to }`,
/// nested tables joined with dots.
fn sampled_in_toml(text: &str) -> Option<Vec<String>> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut found = Vec::new();
    if let Some(sample) = doc
        .get("sweep")
        .and_then(|s| s.get("sample"))
        .and_then(toml::Value::as_table)
    {
        ranges("", sample, &mut found);
    }
    Some(found)
}

fn ranges(prefix: &str, table: &toml::Table, found: &mut Vec<String>) {
    for (k, v) in table {
        let Some(t) = v.as_table() else { continue };
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if t.contains_key("from") || t.contains_key("to") {
            found.push(path);
        } else {
            ranges(&path, t, found);
        }
    }
}

/// The data rule (see the module documentation): numeric, at least
/// [`MIN_SAMPLED_VALUES`] distinct values, not evenly spaced (some gap
/// between neighbouring values differs from their mean gap by more than
/// 1%).
pub(crate) fn looks_sampled(p: &Param) -> bool {
    let n = p.levels.len();
    if !p.numeric() || n < MIN_SAMPLED_VALUES {
        return false;
    }
    let v: Vec<f64> = (0..n).map(|k| p.level_value(k)).collect();
    let mean_gap = (v[n - 1] - v[0]) / (n - 1) as f64;
    v.windows(2)
        .any(|w| ((w[1] - w[0]) - mean_gap).abs() > 0.01 * mean_gap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn design(names: &[&str], rows: &[&[&str]]) -> Design {
        Design::new(
            (0..rows.len() as u64).collect(),
            names.iter().map(|s| s.to_string()).collect(),
            (0..names.len())
                .map(|i| rows.iter().map(|r| r[i].to_string()).collect())
                .collect(),
        )
    }

    #[test]
    fn only_the_swept_columns_are_inputs() {
        let d = design(
            &["condition", "managers.focus", "managers.connection"],
            &[&["walls", "0.9", "0.1"], &["integrated", "0.8", "0.8"]],
        );
        let info = FolderInfo::from_json(&json!({
            "design": {"columns": ["condition"], "resolved": ["managers.focus", "managers.connection"]}
        }));
        let kept = info.inputs(d.clone(), Path::new("design.csv")).unwrap();
        assert_eq!(kept.params.len(), 1);
        assert_eq!(kept.params[0].name, "condition");
        // An older manifest: no `resolved`, every listed column kept.
        let old = FolderInfo::from_json(
            &json!({"design": {"columns": ["condition", "managers.focus", "managers.connection"]}}),
        );
        assert_eq!(
            old.inputs(d.clone(), Path::new("x")).unwrap().params.len(),
            3
        );
        // No manifest: every column.
        assert_eq!(
            FolderInfo::default()
                .inputs(d.clone(), Path::new("x"))
                .unwrap()
                .params
                .len(),
            3
        );
        // A listed column the table lacks.
        let bad = FolderInfo::from_json(&json!({"design": {"columns": ["coupling"]}}));
        let e = bad
            .inputs(d, Path::new("aggregate.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("aggregate.csv") && e.contains("`coupling`"),
            "{e}"
        );
    }

    #[test]
    fn sampled_columns_come_from_the_scenario_or_the_data() {
        let toml = "seed = 3\n[sweep.grid]\ncoupling = [\"zero_sum\"]\n[sweep.sample]\nmethod = \"lhs\"\nsamples = 4\n\"professionals.need\" = { from = 0.3, to = 0.9 }\n[sweep.sample.managers]\nfocus = { from = 0.1, to = 0.9 }\n";
        assert_eq!(
            sampled_in_toml(toml),
            Some(vec![
                "professionals.need".to_string(),
                "managers.focus".to_string()
            ])
        );
        assert_eq!(sampled_in_toml("seed = 3\n"), Some(Vec::new()));
        // Data rule: 12 uneven values are a sample, 12 even ones a grid,
        // 5 uneven ones too few.
        let uneven: Vec<String> = (0..12)
            .map(|i| format!("{}", (i * i) as f64 / 7.3))
            .collect();
        let even: Vec<String> = (0..12).map(|i| format!("{}", i as f64 * 0.1)).collect();
        let p = |v: &[String]| Param::new("a".into(), v.to_vec());
        assert!(looks_sampled(&p(&uneven)));
        assert!(!looks_sampled(&p(&even)));
        assert!(!looks_sampled(&p(&uneven[..5])));
        // The manifest's word beats the data.
        let info = FolderInfo::from_json(&json!({"scenario_toml": "seed = 1\n"}));
        let d = Design::new((0..12).collect(), vec!["a".into()], vec![uneven.clone()]);
        assert!(!info.inputs(d.clone(), Path::new("x")).unwrap().params[0].sampled);
        assert!(
            FolderInfo::default()
                .inputs(d, Path::new("x"))
                .unwrap()
                .params[0]
                .sampled
        );
    }
}
