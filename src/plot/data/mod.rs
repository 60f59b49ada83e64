//! Reading a result folder's CSV tables for the charts: the design (the
//! swept parameters of every point) and `aggregate.csv` (per-point means
//! and 95% CIs) here; a streaming pass over `ticks.csv` in `ticks`
//! (per condition, tick and metric: count, mean and squared deviations
//! over runs, so a 100 MB table never sits in memory); `sensitivity.csv`
//! (Morris or Sobol' indices per output and parameter) in `sensitivity`;
//! the tables of `profspace discover` in `discover`.
//! Everything is found by column name; nothing here knows a model's metric
//! list.

use crate::error::{Error, Result};
use crate::plot::{invalid, missing, unreadable};
use std::path::{Path, PathBuf};

/// One swept parameter: its value at every design row.
#[derive(Clone, Debug)]
pub(crate) struct Param {
    /// Full path, e.g. `managers.focus`.
    pub name: String,
    /// Short name for labels (the last path segment when unambiguous).
    pub short: String,
    /// Value at each row, as written.
    pub text: Vec<String>,
    /// Value at each row as a number, when every value is a finite number.
    pub num: Option<Vec<f64>>,
    /// Distinct values: ascending for numbers, in order of appearance for text.
    pub levels: Vec<String>,
    /// Level index of each row.
    pub level: Vec<usize>,
    /// Whether its values were drawn by `[sweep.sample]` (every point its
    /// own real value) rather than set on a grid or by a condition; see
    /// [`folder`].
    pub sampled: bool,
}

impl Param {
    fn new(name: String, text: Vec<String>) -> Param {
        let parsed: Vec<Option<f64>> = text
            .iter()
            .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        let num = if !text.is_empty() && parsed.iter().all(Option::is_some) {
            Some(
                parsed
                    .into_iter()
                    .map(|x| x.unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>(),
            )
        } else {
            None
        };
        let (levels, level) = match &num {
            Some(v) => {
                let mut order: Vec<usize> = (0..v.len()).collect();
                order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
                let mut levels: Vec<String> = Vec::new();
                let mut values: Vec<f64> = Vec::new();
                let mut level = vec![0; v.len()];
                for i in order {
                    if values.last() != Some(&v[i]) {
                        values.push(v[i]);
                        levels.push(text[i].clone());
                    }
                    level[i] = values.len() - 1;
                }
                (levels, level)
            }
            None => {
                let mut levels: Vec<String> = Vec::new();
                let level = text
                    .iter()
                    .map(|t| match levels.iter().position(|l| l == t) {
                        Some(k) => k,
                        None => {
                            levels.push(t.clone());
                            levels.len() - 1
                        }
                    })
                    .collect();
                (levels, level)
            }
        };
        Param {
            short: name.clone(),
            name,
            text,
            num,
            levels,
            level,
            sampled: false,
        }
    }

    /// Level `k` as a label: numbers to 3 significant digits.
    pub fn shown(&self, k: usize) -> String {
        crate::plot::style::label_value(&self.levels[k])
    }

    /// Every level as a label (see [`Param::shown`]).
    pub fn shown_levels(&self) -> Vec<String> {
        (0..self.levels.len()).map(|k| self.shown(k)).collect()
    }

    /// Whether the parameter takes more than one value.
    pub fn varies(&self) -> bool {
        self.levels.len() > 1
    }

    /// Whether every value is a number.
    pub fn numeric(&self) -> bool {
        self.num.is_some()
    }

    /// The numeric value of level `k` (NaN for text).
    pub fn level_value(&self, k: usize) -> f64 {
        self.levels[k].trim().parse().unwrap_or(f64::NAN)
    }
}

/// The design: the swept parameters of every row (design point).
#[derive(Clone, Debug)]
pub(crate) struct Design {
    /// Point id of each row (`point` column).
    pub points: Vec<u64>,
    /// Swept parameters, in column order.
    pub params: Vec<Param>,
    /// The parameter that groups best when it varies (the model's choice,
    /// e.g. `coupling`), if any.
    pub group: Option<String>,
}

impl Design {
    /// A design from point ids, parameter names and their columns.
    pub fn new(points: Vec<u64>, names: Vec<String>, columns: Vec<Vec<String>>) -> Design {
        let mut params: Vec<Param> = names
            .into_iter()
            .zip(columns)
            .map(|(n, c)| Param::new(n, c))
            .collect();
        let shorts: Vec<String> = params
            .iter()
            .map(|p| p.name.rsplit('.').next().unwrap_or(&p.name).to_string())
            .collect();
        for (i, p) in params.iter_mut().enumerate() {
            if shorts.iter().filter(|s| **s == shorts[i]).count() == 1 {
                p.short = shorts[i].clone();
            }
        }
        Design {
            points,
            params,
            group: None,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Indices of the varying parameters that were sampled.
    pub fn sampled(&self) -> Vec<usize> {
        self.varying()
            .into_iter()
            .filter(|&i| self.params[i].sampled)
            .collect()
    }

    /// Indices of the parameters that take more than one value.
    pub fn varying(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&i| self.params[i].varies())
            .collect()
    }

    /// A label for row `r` from the values of the varying parameters
    /// (text values alone, numbers and booleans with their short name).
    pub fn label(&self, r: usize) -> String {
        let parts: Vec<String> = self
            .varying()
            .into_iter()
            .map(|i| {
                let p = &self.params[i];
                let v = &p.shown(p.level[r]);
                if p.numeric() {
                    format!("{} {v}", p.short)
                } else if v == "true" || v == "false" {
                    format!("{} = {v}", p.short)
                } else {
                    v.clone()
                }
            })
            .collect();
        if parts.is_empty() {
            if self.len() == 1 {
                "all runs".to_string()
            } else {
                format!("point {}", self.points[r])
            }
        } else {
            parts.join(", ")
        }
    }

    /// The natural grouping: the model's preferred parameter when it varies
    /// (see [`Design::group`]), else the first varying text (or boolean)
    /// parameter (such as a named `condition`).
    pub fn group_param(&self) -> Option<usize> {
        let text: Vec<usize> = self
            .varying()
            .into_iter()
            .filter(|&i| !self.params[i].numeric())
            .collect();
        text.iter()
            .copied()
            .find(|&i| self.group.as_deref() == Some(self.params[i].name.as_str()))
            .or(text.first().copied())
    }

    /// Whether parameters `x` and `y` form a grid worth a heatmap: at most
    /// 30 values each, and at least half of the x × y cells have a point
    /// (a sampled design, where every point has its own values, does not).
    pub fn is_grid(&self, x: usize, y: usize) -> bool {
        let (nx, ny) = (self.params[x].levels.len(), self.params[y].levels.len());
        if nx > 30 || ny > 30 {
            return false;
        }
        let cells: std::collections::BTreeSet<(usize, usize)> = (0..self.len())
            .map(|r| (self.params[x].level[r], self.params[y].level[r]))
            .collect();
        2 * cells.len() >= nx * ny
    }
}

/// A whole (small) CSV table.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    unreadable(path, &e)
}

/// Opens a CSV table and reads its header (names trimmed).
fn open_csv(path: &Path, flexible: bool) -> Result<(csv::Reader<std::fs::File>, Vec<String>)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(flexible)
        .from_path(path)
        .map_err(|e| csv_err(path, e))?;
    let header = r
        .headers()
        .map_err(|e| csv_err(path, e))?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    Ok((r, header))
}

fn read_table(path: &Path) -> Result<Table> {
    let (mut r, header) = open_csv(path, false)?;
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_err(path, e))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(Table { header, rows })
}

pub(crate) fn missing_file(path: &Path) -> Error {
    missing(path, "file (run or sweep into this folder first)")
}

fn require(path: &Path) -> Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(missing_file(path))
    }
}

fn point_ids(path: &Path, table: &Table, col: usize) -> Result<Vec<u64>> {
    table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row[col].trim().parse().map_err(|_| {
                invalid(
                    path,
                    format!("row {}: `{}` is not a point number", i + 1, row[col]),
                )
            })
        })
        .collect()
}

/// The positions of the columns `names` in `header`.
fn columns(path: &Path, header: &[String], names: &[&str]) -> Result<Vec<usize>> {
    names.iter().map(|n| column(path, header, n)).collect()
}

fn column(path: &Path, header: &[String], name: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| missing(path, format!("column `{name}`")))
}

/// Reads `design.csv`: `point`, then the parameters (of which `info`
/// keeps the swept ones).
pub(crate) fn read_design(path: &Path, info: &FolderInfo) -> Result<Design> {
    require(path)?;
    let t = read_table(path)?;
    let pc = column(path, &t.header, "point")?;
    let points = point_ids(path, &t, pc)?;
    let names: Vec<String> = (0..t.header.len())
        .filter(|&i| i != pc)
        .map(|i| t.header[i].clone())
        .collect();
    let columns = (0..t.header.len())
        .filter(|&i| i != pc)
        .map(|i| t.rows.iter().map(|r| r[i].clone()).collect())
        .collect();
    info.inputs(Design::new(points, names, columns), path)
}

/// Mean and 95% CI half-width of one metric at every design row.
#[derive(Clone, Debug)]
pub(crate) struct MetricStats {
    pub name: String,
    pub mean: Vec<f64>,
    pub ci: Vec<f64>,
}

impl MetricStats {
    /// Whether every finite mean lies in [0, 1] (a share or a mean of a
    /// [0, 1] state rather than a count).
    pub fn unit(&self) -> bool {
        self.mean
            .iter()
            .filter(|x| x.is_finite())
            .all(|&x| (0.0..=1.0).contains(&x))
    }
}

/// `aggregate.csv`: the design and the per-point statistics.
#[derive(Clone, Debug)]
pub(crate) struct Aggregate {
    pub path: PathBuf,
    pub design: Design,
    pub metrics: Vec<MetricStats>,
}

/// A number of a table: empty is "no value" (NaN, as written for undefined
/// results); anything else must be a number, or the table is refused with
/// its line and column.
fn number(path: &Path, line: usize, column: &str, s: &str) -> Result<f64> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(f64::NAN);
    }
    t.parse().map_err(|_| {
        invalid(
            path,
            format!(
                "line {line}, column `{column}`: `{}` is not a number",
                crate::params::ellipsis(t)
            ),
        )
    })
}

impl Aggregate {
    /// Reads `aggregate.csv` (`point`, parameters (of which `info` keeps
    /// the swept ones), `n`, `<m>_mean`, `<m>_sd`, `<m>_ci95` …).
    pub fn read(path: &Path, info: &FolderInfo) -> Result<Aggregate> {
        require(path)?;
        let t = read_table(path)?;
        let pc = column(path, &t.header, "point")?;
        let nc = column(path, &t.header, "n")?;
        let points = point_ids(path, &t, pc)?;
        let param_cols: Vec<usize> = (0..nc).filter(|&i| i != pc).collect();
        let names = param_cols.iter().map(|&i| t.header[i].clone()).collect();
        let columns = param_cols
            .iter()
            .map(|&i| t.rows.iter().map(|r| r[i].clone()).collect())
            .collect();
        let design = info.inputs(Design::new(points, names, columns), path)?;
        let mut metrics = Vec::new();
        for (i, h) in t.header.iter().enumerate().skip(nc + 1) {
            let Some(name) = h.strip_suffix("_mean") else {
                continue;
            };
            let ci_col = t.header.iter().position(|c| *c == format!("{name}_ci95"));
            let values = |c: usize| -> Result<Vec<f64>> {
                t.rows
                    .iter()
                    .enumerate()
                    .map(|(k, r)| number(path, k + 2, &t.header[c], &r[c]))
                    .collect()
            };
            metrics.push(MetricStats {
                name: name.to_string(),
                mean: values(i)?,
                ci: match ci_col {
                    Some(c) => values(c)?,
                    None => vec![f64::NAN; t.rows.len()],
                },
            });
        }
        Ok(Aggregate {
            path: path.to_path_buf(),
            design,
            metrics,
        })
    }

    /// The metric called `name` (or `name` without a `_mean` suffix).
    pub fn metric(&self, name: &str) -> Option<&MetricStats> {
        let name = name.strip_suffix("_mean").unwrap_or(name);
        self.metrics.iter().find(|m| m.name == name)
    }

    /// The metric called `name`, or a user error naming the missing column.
    pub fn require(&self, name: &str) -> Result<&MetricStats> {
        self.metric(name).ok_or_else(|| {
            let name = name.strip_suffix("_mean").unwrap_or(name);
            missing(
                &self.path,
                format!(
                    "column `{name}_mean` (metrics present: {})",
                    self.metrics
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}

pub(crate) mod agents;
mod contrasts;
pub(crate) mod discover;
pub(crate) mod folder;
pub(crate) use agents::{AgentValues, agent_states, read_agents};
pub(crate) use contrasts::{Contrasts, MetricContrasts};
pub(crate) use discover::{BoxLimit, ChosenBox, Discovery, PrimStep, Restriction};
pub(crate) use folder::FolderInfo;
mod sensitivity;
mod ticks;

pub(crate) use sensitivity::{MorrisIndex, SaIndices, Sensitivity, SobolIndex};
pub(crate) use ticks::{TickSeries, Welford, read_ticks, tick_metrics};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A full grid design from named axes (the first varies slowest).
    pub(crate) fn grid(axes: &[(&str, &[&str])]) -> Design {
        let mut rows: Vec<Vec<String>> = vec![Vec::new()];
        for (_, values) in axes {
            rows = rows
                .into_iter()
                .flat_map(|r| {
                    values.iter().map(move |v| {
                        let mut r = r.clone();
                        r.push(v.to_string());
                        r
                    })
                })
                .collect();
        }
        let columns = (0..axes.len())
            .map(|i| rows.iter().map(|r| r[i].clone()).collect())
            .collect();
        Design::new(
            (0..rows.len() as u64).collect(),
            axes.iter().map(|(n, _)| n.to_string()).collect(),
            columns,
        )
    }

    #[test]
    fn designs_label_group_and_recognise_grids() {
        let d = grid(&[
            ("condition", &["walls", "space"]),
            ("coupling", &["zero_sum", "freedom_safety"]),
            ("managers.focus", &["0.1", "0.5"]),
            ("flag", &["true", "false"]),
        ]);
        assert_eq!(d.len(), 16);
        assert_eq!(d.group_param(), d.param("condition"));
        let d = Design {
            group: Some("coupling".into()),
            ..d
        };
        assert_eq!(d.group_param(), d.param("coupling"));
        assert_eq!(d.label(0), "walls, zero_sum, focus 0.1, flag = true");
        let (c, f) = (
            d.param("coupling").unwrap(),
            d.param("managers.focus").unwrap(),
        );
        assert!(d.is_grid(c, f));
        // A sampled design: every point its own values.
        let s = Design::new(
            (0..40).collect(),
            vec!["a".into(), "b".into()],
            vec![
                (0..40).map(|i| format!("{}", i as f64 / 40.0)).collect(),
                (0..40)
                    .map(|i| format!("{}", (i * 7 % 40) as f64 / 40.0))
                    .collect(),
            ],
        );
        assert!(!s.is_grid(0, 1));
        let one = Design::new(vec![0], Vec::new(), Vec::new());
        assert_eq!(one.label(0), "all runs");
        assert_eq!(one.group_param(), None);
    }

    #[test]
    fn params_know_numbers_and_levels() {
        let p = Param::new("a.b".into(), vec!["0.5".into(), "0.1".into(), "0.5".into()]);
        assert!(p.numeric() && p.varies());
        assert_eq!(p.levels, vec!["0.1", "0.5"]);
        assert_eq!(p.level, vec![1, 0, 1]);
        let q = Param::new("c".into(), vec!["true".into(), "false".into()]);
        assert!(!q.numeric());
        assert_eq!(q.levels, vec!["true", "false"]);
    }
}
