//! `contrasts.csv`, written by `profspace compare DIR --by PARAM`: paired
//! differences between levels of one design parameter. Header:
//! `metric,by,level,baseline,<other design parameters…>,n,mean_diff,
//! sd_diff,ci95,ci95_unpaired,d_z`; one row per metric × level other than
//! the baseline × combination of the other parameters; an empty field is
//! undefined (NaN).

use super::{FolderInfo, column, number, read_table, require};
use crate::error::Result;
use std::path::{Path, PathBuf};

/// The statistics of one contrast.
#[derive(Clone, Debug)]
pub(crate) struct Contrast {
    /// The level compared with the baseline.
    pub level: String,
    /// The baseline level.
    pub baseline: String,
    /// The values of the other design parameters (as written).
    pub others: Vec<String>,
    /// Pairs (replicates) in the contrast.
    pub n: f64,
    /// Mean of the paired differences, level − baseline.
    pub mean_diff: f64,
    /// Half-width of the paired 95% CI.
    pub ci95: f64,
    /// Half-width of the unpaired (Welch) 95% CI.
    pub ci95_unpaired: f64,
}

/// The contrasts of one metric, in file order.
#[derive(Clone, Debug)]
pub(crate) struct MetricContrasts {
    pub metric: String,
    /// The parameter compared (`by`).
    pub by: String,
    pub rows: Vec<Contrast>,
}

/// `contrasts.csv`: the other parameters' names and the contrasts of every
/// metric, metrics in file order.
#[derive(Clone, Debug)]
pub(crate) struct Contrasts {
    pub path: PathBuf,
    /// The other design parameters, in column order (resolved columns,
    /// should the table carry any, left out).
    pub others: Vec<String>,
    pub metrics: Vec<MetricContrasts>,
}

/// The columns every `contrasts.csv` must have.
const TEXT_COLUMNS: [&str; 4] = ["metric", "by", "level", "baseline"];
const NUMBER_COLUMNS: [&str; 4] = ["n", "mean_diff", "ci95", "ci95_unpaired"];

impl Contrasts {
    /// Reads `path`; a missing column or a field that is not a number is
    /// an error naming the file, the line and the column.
    pub fn read(path: &Path, info: &FolderInfo) -> Result<Contrasts> {
        require(path)?;
        let t = read_table(path)?;
        let text: Vec<usize> = TEXT_COLUMNS
            .iter()
            .map(|c| column(path, &t.header, c))
            .collect::<Result<_, _>>()?;
        let nums: Vec<usize> = NUMBER_COLUMNS
            .iter()
            .map(|c| column(path, &t.header, c))
            .collect::<Result<_, _>>()?;
        let other_cols: Vec<usize> = (text[3] + 1..nums[0])
            .filter(|&i| !info.resolved.contains(&t.header[i]))
            .collect();
        let mut metrics: Vec<MetricContrasts> = Vec::new();
        for (k, row) in t.rows.iter().enumerate() {
            let line = k + 2;
            let v: Vec<f64> = nums
                .iter()
                .map(|&c| number(path, line, &t.header[c], &row[c]))
                .collect::<Result<_, _>>()?;
            let contrast = Contrast {
                level: row[text[2]].trim().to_string(),
                baseline: row[text[3]].trim().to_string(),
                others: other_cols
                    .iter()
                    .map(|&c| row[c].trim().to_string())
                    .collect(),
                n: v[0],
                mean_diff: v[1],
                ci95: v[2],
                ci95_unpaired: v[3],
            };
            let (metric, by) = (row[text[0]].trim(), row[text[1]].trim());
            match metrics.iter_mut().find(|m| m.metric == metric) {
                Some(m) => m.rows.push(contrast),
                None => metrics.push(MetricContrasts {
                    metric: metric.to_string(),
                    by: by.to_string(),
                    rows: vec![contrast],
                }),
            }
        }
        Ok(Contrasts {
            path: path.to_path_buf(),
            others: other_cols.iter().map(|&c| t.header[c].clone()).collect(),
            metrics,
        })
    }

    /// The metrics' names, comma-separated.
    pub fn metric_list(&self) -> String {
        self.metrics
            .iter()
            .map(|m| m.metric.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrasts_are_read_by_column_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("contrasts.csv");
        std::fs::write(
            &p,
            "metric,by,level,baseline,managers.focus,managers.connection,n,mean_diff,sd_diff,ci95,ci95_unpaired,d_z\n\
             essential,coupling,freedom_safety,zero_sum,0.2,0.8,10,0.05,0.01,0.007,0.02,5\n\
             essential,coupling,freedom_safety,zero_sum,0.8,0.8,10,,,,,\n\
             exits,coupling,freedom_safety,zero_sum,0.2,0.8,10,-3,2,1.4,2.5,-1.5\n",
        )
        .unwrap();
        let info = FolderInfo {
            resolved: vec!["managers.connection".into()],
            ..FolderInfo::default()
        };
        let c = Contrasts::read(&p, &info).unwrap();
        assert_eq!(c.others, vec!["managers.focus"]);
        assert_eq!(c.metric_list(), "essential, exits");
        let e = &c.metrics[0];
        assert_eq!((e.by.as_str(), e.rows.len()), ("coupling", 2));
        assert_eq!(e.rows[0].others, vec!["0.2"]);
        assert!(e.rows[1].mean_diff.is_nan());
        assert_eq!(c.metrics[1].rows[0].ci95_unpaired, 2.5);
        // A missing column and a bad number name the file and the column.
        std::fs::write(&p, "metric,by,level,baseline,n,mean_diff,ci95\n").unwrap();
        let e = Contrasts::read(&p, &info).unwrap_err().to_string();
        assert!(
            e.contains("contrasts.csv") && e.contains("`ci95_unpaired`"),
            "{e}"
        );
        std::fs::write(
            &p,
            "metric,by,level,baseline,n,mean_diff,ci95,ci95_unpaired\nm,b,x,y,3,big,1,1\n",
        )
        .unwrap();
        let e = Contrasts::read(&p, &info).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("`mean_diff`"), "{e}");
    }
}
