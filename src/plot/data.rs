//! Reading a result folder's CSV tables for the charts: the design (the
//! swept parameters of every point), `aggregate.csv` (per-point means and
//! 95% CIs) and a streaming pass over `ticks.csv` that keeps, per
//! (condition, tick, metric), the count, mean and squared deviations over
//! runs (Welford), so a 100 MB table never sits in memory, and
//! `sensitivity.csv` (Morris or Sobol' indices per output and parameter).
//! Everything is found by column name; nothing here knows a model's metric
//! list.

use super::PlotError;
use crate::stats::t975;
use std::collections::{BTreeMap, HashMap};
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
        }
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
                let v = &p.text[r];
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

fn csv_err(path: &Path, e: csv::Error) -> PlotError {
    PlotError::Csv {
        file: path.to_path_buf(),
        source: e,
    }
}

/// Opens a CSV table and reads its header (names trimmed).
fn open_csv(
    path: &Path,
    flexible: bool,
) -> Result<(csv::Reader<std::fs::File>, Vec<String>), PlotError> {
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

fn read_table(path: &Path) -> Result<Table, PlotError> {
    let (mut r, header) = open_csv(path, false)?;
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_err(path, e))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(Table { header, rows })
}

pub(crate) fn missing_file(path: &Path) -> PlotError {
    PlotError::Missing {
        file: path.to_path_buf(),
        what: "file (run or sweep into this folder first)".into(),
    }
}

fn require(path: &Path) -> Result<(), PlotError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(missing_file(path))
    }
}

fn point_ids(path: &Path, table: &Table, col: usize) -> Result<Vec<u64>, PlotError> {
    table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row[col].trim().parse().map_err(|_| PlotError::Invalid {
                file: path.to_path_buf(),
                message: format!("row {}: `{}` is not a point number", i + 1, row[col]),
            })
        })
        .collect()
}

fn column(path: &Path, header: &[String], name: &str) -> Result<usize, PlotError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| PlotError::Missing {
            file: path.to_path_buf(),
            what: format!("column `{name}`"),
        })
}

/// Reads `design.csv`: `point`, then the swept parameters.
pub(crate) fn read_design(path: &Path) -> Result<Design, PlotError> {
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
    Ok(Design::new(points, names, columns))
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
fn number(path: &Path, line: usize, column: &str, s: &str) -> Result<f64, PlotError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(f64::NAN);
    }
    t.parse().map_err(|_| PlotError::Invalid {
        file: path.to_path_buf(),
        message: format!(
            "line {line}, column `{column}`: `{}` is not a number",
            crate::params::ellipsis(t)
        ),
    })
}

impl Aggregate {
    /// Reads `aggregate.csv` (`point`, parameters, `n`, `<m>_mean`,
    /// `<m>_sd`, `<m>_ci95` …).
    pub fn read(path: &Path) -> Result<Aggregate, PlotError> {
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
        let design = Design::new(points, names, columns);
        let mut metrics = Vec::new();
        for (i, h) in t.header.iter().enumerate().skip(nc + 1) {
            let Some(name) = h.strip_suffix("_mean") else {
                continue;
            };
            let ci_col = t.header.iter().position(|c| *c == format!("{name}_ci95"));
            let values = |c: usize| -> Result<Vec<f64>, PlotError> {
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
    pub fn require(&self, name: &str) -> Result<&MetricStats, PlotError> {
        self.metric(name).ok_or_else(|| {
            let name = name.strip_suffix("_mean").unwrap_or(name);
            PlotError::Missing {
                file: self.path.clone(),
                what: format!(
                    "column `{name}_mean` (metrics present: {})",
                    self.metrics
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        })
    }
}

/// The Morris indices of one parameter on one output.
#[derive(Clone, Debug)]
pub(crate) struct MorrisIndex {
    pub parameter: String,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
    /// 95% interval of `mu_star`.
    pub lo: f64,
    pub hi: f64,
}

/// The Sobol' indices of one parameter on one output, with 95% intervals.
#[derive(Clone, Debug)]
pub(crate) struct SobolIndex {
    pub parameter: String,
    pub s1: f64,
    pub s1_lo: f64,
    pub s1_hi: f64,
    pub st: f64,
    pub st_lo: f64,
    pub st_hi: f64,
}

/// The indices of one output, parameters in file (scenario) order.
#[derive(Clone, Debug)]
pub(crate) enum SaIndices {
    Morris(Vec<MorrisIndex>),
    Sobol(Vec<SobolIndex>),
}

/// `sensitivity.csv`: the indices of every output, outputs in file order.
#[derive(Clone, Debug)]
pub(crate) struct Sensitivity {
    pub path: PathBuf,
    pub outputs: Vec<(String, SaIndices)>,
}

/// The values of `row` (row `i` of `path`) in columns `cols` (named
/// `names`): an empty field is NaN (an undefined index).
fn index_values(
    path: &Path,
    row: &[String],
    i: usize,
    cols: &[usize],
    names: &[&str],
) -> Result<Vec<f64>, PlotError> {
    let mut v = Vec::with_capacity(cols.len());
    for (k, &c) in cols.iter().enumerate() {
        let s = row[c].trim();
        v.push(if s.is_empty() {
            f64::NAN
        } else {
            s.parse::<f64>().map_err(|_| PlotError::Invalid {
                file: path.to_path_buf(),
                message: format!(
                    "row {}: `{s}` in column `{}` is not a number",
                    i + 1,
                    names[k]
                ),
            })?
        });
    }
    Ok(v)
}

/// Adds the indices `v` of `parameter` to `output` in `outputs` (a new
/// output of `method` at the end when it is not there yet).
fn push_index(
    outputs: &mut Vec<(String, SaIndices)>,
    method: &str,
    output: String,
    parameter: String,
    v: &[f64],
) {
    let slot = match outputs.iter().position(|(o, _)| *o == output) {
        Some(k) => k,
        None => {
            outputs.push((
                output,
                if method == "morris" {
                    SaIndices::Morris(Vec::new())
                } else {
                    SaIndices::Sobol(Vec::new())
                },
            ));
            outputs.len() - 1
        }
    };
    match &mut outputs[slot].1 {
        SaIndices::Morris(m) => m.push(MorrisIndex {
            parameter,
            mu_star: v[0],
            sigma: v[1],
            lo: v[2],
            hi: v[3],
        }),
        SaIndices::Sobol(s) => s.push(SobolIndex {
            parameter,
            s1: v[0],
            s1_lo: v[1],
            s1_hi: v[2],
            st: v[3],
            st_lo: v[4],
            st_hi: v[5],
        }),
    }
}

const MORRIS_COLUMNS: [&str; 4] = ["mu_star", "sigma", "mu_star_lo", "mu_star_hi"];
const SOBOL_COLUMNS: [&str; 6] = ["s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"];

impl Sensitivity {
    /// Reads `sensitivity.csv` (`method,output,parameter,` then the
    /// method's columns; an empty field is an undefined index).
    pub fn read(path: &Path) -> Result<Sensitivity, PlotError> {
        require(path)?;
        let t = read_table(path)?;
        let mc = column(path, &t.header, "method")?;
        let oc = column(path, &t.header, "output")?;
        let pc = column(path, &t.header, "parameter")?;
        let Some(first) = t.rows.first() else {
            return Err(PlotError::Missing {
                file: path.to_path_buf(),
                what: "rows (no indices)".into(),
            });
        };
        let method = first[mc].trim().to_ascii_lowercase();
        let names: &[&str] = match method.as_str() {
            "morris" => &MORRIS_COLUMNS,
            "sobol" => &SOBOL_COLUMNS,
            other => {
                return Err(PlotError::Invalid {
                    file: path.to_path_buf(),
                    message: format!("row 1: unknown method `{other}` (morris or sobol)"),
                });
            }
        };
        let cols: Vec<usize> = names
            .iter()
            .map(|n| column(path, &t.header, n))
            .collect::<Result<_, _>>()?;
        let mut outputs: Vec<(String, SaIndices)> = Vec::new();
        for (i, row) in t.rows.iter().enumerate() {
            if !row[mc].trim().eq_ignore_ascii_case(&method) {
                return Err(PlotError::Invalid {
                    file: path.to_path_buf(),
                    message: format!(
                        "row {}: method `{}` differs from `{method}` of row 1",
                        i + 1,
                        row[mc].trim()
                    ),
                });
            }
            let v = index_values(path, row, i, &cols, names)?;
            let output = row[oc].trim().to_string();
            let parameter = row[pc].trim().to_string();
            push_index(&mut outputs, &method, output, parameter, &v);
        }
        Ok(Sensitivity {
            path: path.to_path_buf(),
            outputs,
        })
    }

    /// The output called `name`.
    pub fn output(&self, name: &str) -> Option<&SaIndices> {
        self.outputs
            .iter()
            .find(|(o, _)| o == name)
            .map(|(_, ix)| ix)
    }

    /// The outputs' names, comma-separated.
    pub fn output_list(&self) -> String {
        self.outputs
            .iter()
            .map(|(o, _)| o.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Running count, mean and sum of squared deviations (Welford).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Welford {
    pub n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Adds a value (non-finite values are skipped).
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Half-width of the 95% CI of the mean (Student's t; NaN when n < 2).
    pub fn ci95(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        let sd = (self.m2 / (self.n - 1) as f64).max(0.0).sqrt();
        t975(self.n as usize - 1) * sd / (self.n as f64).sqrt()
    }
}

/// The metric columns of `ticks.csv` (every column but run, point,
/// replicate and tick), or `None` when the file is absent.
pub(crate) fn tick_metrics(path: &Path) -> Result<Option<Vec<String>>, PlotError> {
    if !path.is_file() {
        return Ok(None);
    }
    let (_, header) = open_csv(path, false)?;
    Ok(Some(
        header
            .into_iter()
            .filter(|h| !["run", "point", "replicate", "tick"].contains(&h.as_str()))
            .collect(),
    ))
}

/// Per-condition, per-tick statistics over runs of some tick metrics.
#[derive(Clone, Debug)]
pub(crate) struct TickSeries {
    /// Tick numbers, ascending.
    pub ticks: Vec<f64>,
    /// Metric names, in the order asked for.
    pub metrics: Vec<String>,
    /// Number of conditions.
    pub conditions: usize,
    /// `acc[(t * conditions + c) * metrics + m]`.
    acc: Vec<Welford>,
}

impl TickSeries {
    /// The statistics of metric `m`, condition `c`, tick index `t`.
    pub fn at(&self, t: usize, c: usize, m: usize) -> &Welford {
        &self.acc[(t * self.conditions + c) * self.metrics.len() + m]
    }
}

/// Streams `ticks.csv`, adding each row's `metrics` to the condition
/// `condition_of(point)` (rows of points mapped to `None` are skipped).
pub(crate) fn read_ticks(
    path: &Path,
    metrics: &[String],
    conditions: usize,
    condition_of: &BTreeMap<u64, usize>,
) -> Result<TickSeries, PlotError> {
    require(path)?;
    let (mut r, header) = open_csv(path, false)?;
    let pc = column(path, &header, "point")?;
    let tc = column(path, &header, "tick")?;
    let mcols: Vec<usize> = metrics
        .iter()
        .map(|m| column(path, &header, m))
        .collect::<Result<_, _>>()?;
    // Dense lookup of the condition of a point id (ids are 0..points).
    let max_id = condition_of.keys().next_back().copied().unwrap_or(0);
    let dense: Option<Vec<Option<usize>>> = (max_id < 10_000_000).then(|| {
        let mut v = vec![None; max_id as usize + 1];
        for (&p, &c) in condition_of {
            v[p as usize] = Some(c);
        }
        v
    });
    let nm = metrics.len();
    let block = conditions * nm;
    let mut slot_of: HashMap<u64, usize> = HashMap::new();
    let mut tick_values: Vec<u64> = Vec::new();
    let mut acc: Vec<Welford> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let parse_u64 = |b: &[u8]| -> Option<u64> { std::str::from_utf8(b).ok()?.trim().parse().ok() };
    let mut line = 1usize;
    while r.read_byte_record(&mut rec).map_err(|e| csv_err(path, e))? {
        line += 1;
        let (Some(point), Some(tick)) = (parse_u64(&rec[pc]), parse_u64(&rec[tc])) else {
            return Err(PlotError::Invalid {
                file: path.to_path_buf(),
                message: format!("line {line}: the point or tick is not a whole number"),
            });
        };
        let cond = match &dense {
            Some(v) => v.get(point as usize).copied().flatten(),
            None => condition_of.get(&point).copied(),
        };
        let Some(c) = cond else { continue };
        let slot = *slot_of.entry(tick).or_insert_with(|| {
            tick_values.push(tick);
            acc.resize(acc.len() + block, Welford::default());
            tick_values.len() - 1
        });
        let base = slot * block + c * nm;
        for (k, &col) in mcols.iter().enumerate() {
            let text = std::str::from_utf8(&rec[col]).unwrap_or("\u{fffd}");
            let x = number(path, line, &metrics[k], text)?;
            acc[base + k].push(x);
        }
    }
    // Order the slots by tick.
    let mut order: Vec<usize> = (0..tick_values.len()).collect();
    order.sort_by_key(|&s| tick_values[s]);
    let mut sorted = Vec::with_capacity(acc.len());
    for &s in &order {
        sorted.extend_from_slice(&acc[s * block..(s + 1) * block]);
    }
    Ok(TickSeries {
        ticks: order.iter().map(|&s| tick_values[s] as f64).collect(),
        metrics: metrics.to_vec(),
        conditions,
        acc: sorted,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn welford_matches_mean_ci() {
        let xs = [0.2, 0.4, 0.9, 0.1];
        let mut w = Welford::default();
        for x in xs {
            w.push(x);
        }
        w.push(f64::NAN);
        let m = crate::stats::mean_ci(&xs);
        assert_eq!(w.n, 4);
        assert!((w.mean() - m.mean).abs() < 1e-12);
        assert!((w.ci95() - m.ci95).abs() < 1e-12);
        assert!(Welford::default().mean().is_nan());
    }

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
