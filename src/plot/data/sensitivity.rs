//! `sensitivity.csv`: the Morris or Sobol' indices of every output and
//! parameter, read for the sensitivity charts.

use super::{column, columns, read_table, require};
use crate::error::Result;
use crate::plot::{invalid, missing};
use std::path::{Path, PathBuf};

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
) -> Result<Vec<f64>> {
    let mut v = Vec::with_capacity(cols.len());
    for (k, &c) in cols.iter().enumerate() {
        let s = row[c].trim();
        v.push(if s.is_empty() {
            f64::NAN
        } else {
            s.parse::<f64>().map_err(|_| {
                invalid(
                    path,
                    format!(
                        "row {}: `{s}` in column `{}` is not a number",
                        i + 1,
                        names[k]
                    ),
                )
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
    pub fn read(path: &Path) -> Result<Sensitivity> {
        require(path)?;
        let t = read_table(path)?;
        let mc = column(path, &t.header, "method")?;
        let oc = column(path, &t.header, "output")?;
        let pc = column(path, &t.header, "parameter")?;
        let Some(first) = t.rows.first() else {
            return Err(missing(path, "rows (no indices)"));
        };
        let method = first[mc].trim().to_ascii_lowercase();
        let names: &[&str] = match method.as_str() {
            "morris" => &MORRIS_COLUMNS,
            "sobol" => &SOBOL_COLUMNS,
            other => {
                return Err(invalid(
                    path,
                    format!("row 1: unknown method `{other}` (morris or sobol)"),
                ));
            }
        };
        let cols = columns(path, &t.header, names)?;
        let mut outputs: Vec<(String, SaIndices)> = Vec::new();
        for (i, row) in t.rows.iter().enumerate() {
            if !row[mc].trim().eq_ignore_ascii_case(&method) {
                return Err(invalid(
                    path,
                    format!(
                        "row {}: method `{}` differs from `{method}` of row 1",
                        i + 1,
                        row[mc].trim()
                    ),
                ));
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
