//! The input table: named numeric and categorical columns and one
//! case-of-interest flag per row, validated once.

use crate::error::{Error, Result};

/// Values of one input column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Numeric values (must be finite).
    Numeric(Vec<f64>),
    /// Categorical values, as indices into `levels`.
    Categorical {
        /// Names of the levels, e.g. `["zero_sum", "freedom_safety"]`.
        levels: Vec<String>,
        /// One level index per row.
        codes: Vec<usize>,
    },
}

/// One named input dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name of the dimension (unique within a dataset).
    pub name: String,
    /// Its values, one per row.
    pub values: ColumnValues,
}

impl Column {
    /// A numeric dimension.
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Numeric(values),
        }
    }

    /// A categorical dimension with the given level names and one level
    /// index per row.
    pub fn categorical(name: impl Into<String>, levels: Vec<String>, codes: Vec<usize>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Categorical { levels, codes },
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Categorical { codes, .. } => codes.len(),
        }
    }

    fn same_value(&self, a: usize, b: usize) -> bool {
        match &self.values {
            ColumnValues::Numeric(v) => v[a] == v[b],
            ColumnValues::Categorical { codes, .. } => codes[a] == codes[b],
        }
    }
}

/// A validated table of design points with a boolean case-of-interest flag
/// per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub(super) columns: Vec<Column>,
    pub(super) y: Vec<bool>,
    pub(super) coi: usize,
}

impl Dataset {
    /// Validates and builds a dataset.
    ///
    /// # Errors
    /// [`Error::Usage`] saying what is wrong: no rows, no dimension, a
    /// column of the wrong length, a repeated name, a value that is not
    /// finite, a level index out of range, no case of interest, or a single
    /// distinct point.
    pub fn new(columns: Vec<Column>, y: Vec<bool>) -> Result<Self> {
        let rows = y.len();
        if rows == 0 {
            return Err(Error::usage("the dataset has no rows"));
        }
        if columns.is_empty() {
            return Err(Error::usage("the dataset has no input dimension"));
        }
        for (i, c) in columns.iter().enumerate() {
            if c.len() != rows {
                return Err(Error::usage(format!(
                    "dimension `{}` has {} values but the outcome has {rows} rows",
                    c.name,
                    c.len()
                )));
            }
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(Error::usage(format!(
                    "dimension `{}` appears more than once",
                    c.name
                )));
            }
            match &c.values {
                ColumnValues::Numeric(v) => {
                    if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                        return Err(Error::usage(format!(
                            "dimension `{}` has a non-finite value in row {row}",
                            c.name
                        )));
                    }
                }
                ColumnValues::Categorical { levels, codes } => {
                    if let Some(row) = codes.iter().position(|&code| code >= levels.len()) {
                        return Err(Error::usage(format!(
                            "dimension `{}` has level index {} in row {row} but only {} levels",
                            c.name,
                            codes[row],
                            levels.len()
                        )));
                    }
                }
            }
        }
        let coi = y.iter().filter(|&&b| b).count();
        if coi == 0 {
            return Err(no_case_of_interest());
        }
        let distinct = (1..rows).any(|r| columns.iter().any(|c| !c.same_value(0, r)));
        if !distinct {
            return Err(Error::usage(
                "all rows are the same point: there is nothing to discover",
            ));
        }
        Ok(Self { columns, y, coi })
    }

    /// Number of rows (design points).
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// The input columns, in the order given.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The case-of-interest flags, one per row.
    pub fn outcome(&self) -> &[bool] {
        &self.y
    }

    /// Number of cases of interest.
    pub fn cases_of_interest(&self) -> usize {
        self.coi
    }

    /// Index of the column named `name`, if any.
    pub fn dimension_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Names of the given levels of categorical column `dim` (empty for a
    /// numeric column or an out-of-range index).
    pub fn level_names(&self, dim: usize, levels: &[usize]) -> Vec<&str> {
        match self.columns.get(dim).map(|c| &c.values) {
            Some(ColumnValues::Categorical { levels: names, .. }) => levels
                .iter()
                .filter_map(|&l| names.get(l).map(String::as_str))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The dataset restricted to `rows` (repetitions allowed), validated.
    pub(super) fn subset(&self, rows: &[usize]) -> Result<Self> {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                values: match &c.values {
                    ColumnValues::Numeric(v) => {
                        ColumnValues::Numeric(rows.iter().map(|&r| v[r]).collect())
                    }
                    ColumnValues::Categorical { levels, codes } => ColumnValues::Categorical {
                        levels: levels.clone(),
                        codes: rows.iter().map(|&r| codes[r]).collect(),
                    },
                },
            })
            .collect();
        Self::new(columns, rows.iter().map(|&r| self.y[r]).collect())
    }
}

/// The error of data without a case of interest (left).
pub(super) fn no_case_of_interest() -> Error {
    Error::usage("no row is a case of interest")
}
