//! The tables of `profspace discover` (scenario discovery with PRIM):
//!
//! ```text
//! discover_trajectory.csv  box,step,coverage,density,mass,restricted_dims,phase,restricted
//! discover.csv             the chosen step of each box, same columns, then metric,rule,threshold
//! discover_boxes.csv       box,parameter,lower,upper,values,p_value,p_lower,p_upper
//! ```
//!
//! Every column is found by name; a missing one, or a field that is not
//! what the column holds, is an error naming the file (and the line and
//! column). An empty number is undefined (NaN).

use super::{Table, column, columns, csv_err, number, open_csv, read_table, require};
use crate::error::Result;
use crate::plot::{invalid, missing};
use std::path::Path;

/// One step of a box's peeling/pasting trajectory (or a chosen box).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PrimStep {
    /// The box (1, 2, … in the order found).
    pub box_no: usize,
    /// The step's index on its box's trajectory.
    pub step: usize,
    pub coverage: f64,
    pub density: f64,
    /// The number of restricted parameters.
    pub dims: usize,
    /// `initial`, `peel` or `paste`.
    pub phase: String,
}

/// A chosen box (a row of `discover.csv`) and what defined the cases of
/// interest.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChosenBox {
    pub at: PrimStep,
    /// The metric whose values define the cases of interest.
    pub metric: String,
    /// Whether the cases are at or above the threshold (else at or below).
    pub above: bool,
    pub threshold: f64,
}

impl ChosenBox {
    /// Whether `x` is a case of interest.
    pub fn holds(&self, x: f64) -> bool {
        if self.above {
            x >= self.threshold
        } else {
            x <= self.threshold
        }
    }

    /// `integrated ≥ 0.1`.
    pub fn rule(&self) -> String {
        let sign = if self.above { "≥" } else { "≤" };
        format!(
            "{} {sign} {}",
            self.metric,
            crate::plot::style::fmt_sig(self.threshold, 3)
        )
    }
}

/// The limit of one restricted parameter of a box.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Restriction {
    /// A numeric parameter kept within `[lower, upper]` (NaN: no limit on
    /// that side).
    Range { lower: f64, upper: f64 },
    /// A categorical parameter: the levels kept.
    Levels(Vec<String>),
}

/// A row of `discover_boxes.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BoxLimit {
    pub box_no: usize,
    pub parameter: String,
    pub limit: Restriction,
    /// The quasi-p-value (the smaller side's); NaN when undefined.
    pub p_value: f64,
}

/// The three tables of a discovery.
#[derive(Clone, Debug)]
pub(crate) struct Discovery {
    /// Every step of every box, in file order.
    pub trajectory: Vec<PrimStep>,
    /// The chosen boxes, in file order (at least one).
    pub chosen: Vec<ChosenBox>,
    /// The restricted parameters of every box, in file order.
    pub limits: Vec<BoxLimit>,
}

/// The file names.
pub(crate) const TRAJECTORY: &str = crate::output::tables::DISCOVER_TRAJECTORY.file;
pub(crate) const BOXES: &str = crate::output::tables::DISCOVER.file;
pub(crate) const LIMITS: &str = crate::output::tables::DISCOVER_BOXES.file;

impl Discovery {
    /// Reads the three tables of `dir`.
    pub fn read(dir: &Path) -> Result<Discovery> {
        let paths = [TRAJECTORY, BOXES, LIMITS].map(|f| dir.join(f));
        for p in &paths {
            require(p)?;
        }
        let t = read_table(&paths[0])?;
        let trajectory = steps(&paths[0], &t)?;
        let chosen = chosen(&paths[1])?;
        let limits = limits(&paths[2])?;
        Ok(Discovery {
            trajectory,
            chosen,
            limits,
        })
    }

    /// The first box.
    pub fn first(&self) -> &ChosenBox {
        &self.chosen[0]
    }

    /// The restricted parameters of box `b`, in file order.
    pub fn limits_of(&self, b: usize) -> Vec<&BoxLimit> {
        self.limits.iter().filter(|l| l.box_no == b).collect()
    }
}

/// A whole number of a table.
fn whole(path: &Path, line: usize, column: &str, s: &str) -> Result<usize> {
    s.trim().parse().map_err(|_| {
        invalid(
            path,
            format!(
                "line {line}, column `{column}`: `{}` is not a whole number",
                crate::params::ellipsis(s.trim())
            ),
        )
    })
}

/// The columns of a step, in `t`'s header.
const STEP_COLUMNS: [&str; 6] = [
    "box",
    "step",
    "coverage",
    "density",
    "restricted_dims",
    "phase",
];

/// The steps of a trajectory table (or of `discover.csv`).
fn steps(path: &Path, t: &Table) -> Result<Vec<PrimStep>> {
    let c = columns(path, &t.header, &STEP_COLUMNS)?;
    t.rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let line = k + 2;
            let int = |i: usize| whole(path, line, STEP_COLUMNS[i], &row[c[i]]);
            let num = |i: usize| number(path, line, STEP_COLUMNS[i], &row[c[i]]);
            Ok(PrimStep {
                box_no: int(0)?,
                step: int(1)?,
                coverage: num(2)?,
                density: num(3)?,
                dims: int(4)?,
                phase: row[c[5]].trim().to_string(),
            })
        })
        .collect()
}

/// `discover.csv`: the steps, then `metric`, `rule` (`above` or `below`)
/// and `threshold`; at least one row.
fn chosen(path: &Path) -> Result<Vec<ChosenBox>> {
    let t = read_table(path)?;
    let at = steps(path, &t)?;
    let [m, r, th] = ["metric", "rule", "threshold"].map(|n| column(path, &t.header, n));
    let (m, r, th) = (m?, r?, th?);
    if t.rows.is_empty() {
        return Err(missing(path, "rows (no box was found)"));
    }
    t.rows
        .iter()
        .zip(at)
        .enumerate()
        .map(|(k, (row, at))| {
            let line = k + 2;
            let above = match row[r].trim() {
                "above" => true,
                "below" => false,
                other => {
                    return Err(invalid(
                        path,
                        format!(
                            "line {line}, column `rule`: `{}` is neither `above` nor `below`",
                            crate::params::ellipsis(other)
                        ),
                    ));
                }
            };
            Ok(ChosenBox {
                at,
                metric: row[m].trim().to_string(),
                above,
                threshold: number(path, line, "threshold", &row[th])?,
            })
        })
        .collect()
}

/// `discover_boxes.csv`: a categorical limit when `values` is filled, else
/// a numeric one.
fn limits(path: &Path) -> Result<Vec<BoxLimit>> {
    let t = read_table(path)?;
    let names = ["box", "parameter", "lower", "upper", "values", "p_value"];
    let c = columns(path, &t.header, &names)?;
    t.rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let line = k + 2;
            let num = |i: usize| number(path, line, names[i], &row[c[i]]);
            let values = row[c[4]].trim();
            let limit = if values.is_empty() {
                Restriction::Range {
                    lower: num(2)?,
                    upper: num(3)?,
                }
            } else {
                Restriction::Levels(values.split('|').map(|v| v.trim().to_string()).collect())
            };
            Ok(BoxLimit {
                box_no: whole(path, line, "box", &row[c[0]])?,
                parameter: row[c[1]].trim().to_string(),
                limit,
                p_value: num(5)?,
            })
        })
        .collect()
}

/// The mean of `metric` at each design point of `aggregate.csv` (`path`),
/// read a row at a time: only the `point` and `<metric>_mean` columns are
/// kept, so a sampled design of 10 000 points with every metric costs
/// little.
pub(crate) fn point_means(
    path: &Path,
    metric: &str,
) -> Result<std::collections::BTreeMap<u64, f64>> {
    require(path)?;
    let (mut r, header) = open_csv(path, false)?;
    let pc = column(path, &header, "point")?;
    let name = format!("{metric}_mean");
    let mc = column(path, &header, &name)?;
    let mut means = std::collections::BTreeMap::new();
    for (k, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| csv_err(path, e))?;
        let line = k + 2;
        let point = whole(path, line, "point", rec.get(pc).unwrap_or(""))?;
        let value = number(path, line, &name, rec.get(mc).unwrap_or(""))?;
        means.insert(point as u64, value);
    }
    Ok(means)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(trajectory: &str, boxes: &str, limits: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [(TRAJECTORY, trajectory), (BOXES, boxes), (LIMITS, limits)] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    const STEPS: &str = "box,step,coverage,density,mass,restricted_dims,phase,restricted\n";

    #[test]
    fn the_tables_are_read_by_column_name() {
        let dir = folder(
            &format!("{STEPS}1,0,1,0.05,1,0,initial,\n1,1,0.9,0.5,0.1,1,peel,x\n"),
            &format!(
                "{}metric,rule,threshold\n1,1,0.9,0.5,0.1,1,peel,x,integrated,below,0.1\n",
                STEPS.trim_end().to_string() + ","
            ),
            "box,parameter,lower,upper,values,p_value,p_lower,p_upper\n\
             1,x,0.2,,,0.001,0.001,\n1,coupling,,,freedom_safety|zero_sum,,,\n",
        );
        let d = Discovery::read(dir.path()).unwrap();
        assert_eq!(d.trajectory.len(), 2);
        assert_eq!(d.trajectory[1].dims, 1);
        let b = d.first();
        assert!(!b.above && b.holds(0.1) && !b.holds(0.11));
        assert_eq!(b.rule(), "integrated ≤ 0.1");
        assert_eq!(b.at.step, 1);
        let l = d.limits_of(1);
        assert!(
            matches!(l[0].limit, Restriction::Range { lower, upper } if lower == 0.2 && upper.is_nan())
        );
        assert_eq!(
            l[1].limit,
            Restriction::Levels(vec!["freedom_safety".into(), "zero_sum".into()])
        );
        assert!(l[1].p_value.is_nan());
        assert!(d.limits_of(2).is_empty());
    }

    #[test]
    fn broken_tables_name_the_file_line_and_column() {
        let boxes = format!(
            "{}metric,rule,threshold\n",
            STEPS.trim_end().to_string() + ","
        );
        let lim = "box,parameter,lower,upper,values,p_value\n";
        let err = |t: &str, b: &str, l: &str| {
            Discovery::read(folder(t, b, l).path())
                .unwrap_err()
                .to_string()
        };
        let e = err("box,step,coverage\n", &boxes, lim);
        assert!(e.contains(TRAJECTORY) && e.contains("`density`"), "{e}");
        let e = err(&format!("{STEPS}1,x,1,1,1,0,initial,\n"), &boxes, lim);
        assert!(e.contains("line 2") && e.contains("`step`"), "{e}");
        let e = err(STEPS, &boxes, lim);
        assert!(e.contains(BOXES) && e.contains("no box"), "{e}");
        let one = format!("{boxes}1,0,1,0.5,1,0,initial,,m,sideways,0.5\n");
        let e = err(STEPS, &one, lim);
        assert!(e.contains("`rule`") && e.contains("sideways"), "{e}");
        let one = format!("{boxes}1,0,1,0.5,1,0,initial,,m,above,0.5\n");
        let e = err(STEPS, &one, "box,parameter,lower,upper,values\n");
        assert!(e.contains(LIMITS) && e.contains("`p_value`"), "{e}");
        assert!(Discovery::read(folder(STEPS, &one, lim).path()).is_ok());
    }
}
