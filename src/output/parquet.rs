//! Parquet copies of the run tables (`[output] format = "parquet"`).
//!
//! The runner streams CSV, which is what makes a sweep resumable after a
//! crash; when a folder is complete, `runs`, `ticks`, `teams` and `agents`
//! are also written as Parquet, from those CSV files, with typed columns:
//! identifiers and counts as 64-bit integers (`seed` unsigned), real numbers
//! as doubles (an empty CSV field, a value that is not a number, as null),
//! `true`/`false` as booleans and labels as dictionary-encoded text. The
//! numbers are those of the CSV, bit for bit: the CSV writes the shortest
//! decimal that reads back to the same `f64`.

use super::files::write_atomic_with;
use super::tables::{N_STREAMED, STREAMED, parquet_name};
use crate::error::{Error, Result};
use crate::observe::{Metric, MetricKind};
use crate::scenario::{Scenario, Value};
use parquet::basic::{Compression, IntType, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: large enough for good compression, small enough
/// that a million-row table is converted in bounded memory.
const ROW_GROUP: usize = 65_536;

/// The type of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// A whole number (identifiers, counts, ticks, whole-number keys).
    Int,
    /// A 64-bit unsigned whole number (`seed`).
    UInt,
    /// A real number; an empty field is null.
    Real,
    /// `true` or `false`.
    Bool,
    /// A label.
    Text,
}

/// The type of each column of a run table's `header`, from what the column
/// is: an identifier, a metric of `metrics`, or a key of `scenario`.
pub fn column_types(header: &[String], metrics: &[Metric], scenario: &Scenario) -> Vec<Column> {
    header
        .iter()
        .map(|name| match name.as_str() {
            "seed" => Column::UInt,
            "run" | "point" | "replicate" | "tick" | "team" | "professional" | "period"
            | "agent" => Column::Int,
            "condition" => Column::Text,
            _ => {
                if let Some(m) = metrics.iter().find(|m| m.name == name) {
                    match m.kind {
                        MetricKind::Count | MetricKind::Tick => Column::Int,
                        MetricKind::Mean => Column::Real,
                    }
                } else {
                    match scenario.get(name) {
                        Some(Value::Float(_)) => Column::Real,
                        Some(Value::Int(_)) => Column::Int,
                        Some(Value::Bool(_)) => Column::Bool,
                        _ => Column::Text,
                    }
                }
            }
        })
        .collect()
}

fn schema(header: &[String], types: &[Column]) -> Result<Type> {
    let fields = header
        .iter()
        .zip(types)
        .map(|(name, t)| {
            let (physical, logical, repetition) = match t {
                Column::Int => (Physical::INT64, None, Repetition::REQUIRED),
                Column::UInt => (
                    Physical::INT64,
                    Some(LogicalType::Integer(IntType {
                        bit_width: 64,
                        is_signed: false,
                    })),
                    Repetition::REQUIRED,
                ),
                Column::Real => (Physical::DOUBLE, None, Repetition::OPTIONAL),
                Column::Bool => (Physical::BOOLEAN, None, Repetition::REQUIRED),
                Column::Text => (
                    Physical::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::REQUIRED,
                ),
            };
            Type::primitive_type_builder(name, physical)
                .with_logical_type(logical)
                .with_repetition(repetition)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    Type::group_type_builder("profspace")
        .with_fields(fields)
        .build()
        .map_err(internal)
}

fn internal(e: parquet::errors::ParquetError) -> Error {
    Error::Internal(format!("writing Parquet: {e}"))
}

/// One row group's values, column by column.
enum Values {
    Int(Vec<i64>),
    Real(Vec<f64>, Vec<i16>),
    Bool(Vec<bool>),
    Text(Vec<ByteArray>),
}

impl Values {
    fn new(t: Column) -> Values {
        match t {
            Column::Int | Column::UInt => Values::Int(Vec::new()),
            Column::Real => Values::Real(Vec::new(), Vec::new()),
            Column::Bool => Values::Bool(Vec::new()),
            Column::Text => Values::Text(Vec::new()),
        }
    }

    /// Adds one CSV field; `None` when it does not fit the column's type.
    fn push(&mut self, t: Column, field: &str) -> Option<()> {
        match self {
            Values::Int(v) if t == Column::UInt => {
                v.push(field.parse::<u64>().ok()?.cast_signed());
            }
            Values::Int(v) => v.push(field.parse().ok()?),
            Values::Real(v, def) => match field.parse::<f64>() {
                Ok(x) => {
                    v.push(x);
                    def.push(1);
                }
                Err(_) => def.push(0),
            },
            Values::Bool(v) => v.push(match field {
                "true" => true,
                "false" => false,
                _ => return None,
            }),
            Values::Text(v) => v.push(ByteArray::from(field)),
        }
        Some(())
    }

    fn clear(&mut self) {
        match self {
            Values::Int(v) => v.clear(),
            Values::Real(v, d) => {
                v.clear();
                d.clear();
            }
            Values::Bool(v) => v.clear(),
            Values::Text(v) => v.clear(),
        }
    }
}

/// Writes the CSV table `csv` as the Parquet file `out` with column types
/// `types` (see [`column_types`]); atomically, like every table.
pub fn csv_to_parquet(csv: &Path, out: &Path, types: &[Column]) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(csv)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", csv.display())))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", csv.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() != types.len() {
        return Err(Error::Internal(format!(
            "{}: {} columns, {} types",
            csv.display(),
            header.len(),
            types.len()
        )));
    }
    let schema = Arc::new(schema(&header, types)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("profspace {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    write_atomic_with(out, |file| {
        let mut writer = SerializedFileWriter::new(file, schema.clone(), props.clone())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut columns: Vec<Values> = types.iter().map(|&t| Values::new(t)).collect();
        let mut rows = 0usize;
        let mut record = csv::StringRecord::new();
        let mut line = 1u64;
        loop {
            let more = reader
                .read_record(&mut record)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            if more {
                line += 1;
                for (i, (field, &t)) in record.iter().zip(types).enumerate() {
                    columns[i].push(t, field).ok_or_else(|| {
                        std::io::Error::other(format!(
                            "{} line {line}: `{field}` in column {} is not a {t:?} value",
                            csv.display(),
                            header[i]
                        ))
                    })?;
                }
                rows += 1;
            }
            if rows == ROW_GROUP || (!more && rows > 0) {
                write_group(&mut writer, &mut columns)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                rows = 0;
            }
            if !more {
                break;
            }
        }
        writer
            .close()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(())
    })
}

fn write_group<W: std::io::Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    columns: &mut [Values],
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    for values in columns.iter_mut() {
        let Some(mut col) = group.next_column()? else {
            break;
        };
        match values {
            Values::Int(v) => {
                col.typed::<Int64Type>().write_batch(v, None, None)?;
            }
            Values::Real(v, def) => {
                col.typed::<DoubleType>().write_batch(v, Some(def), None)?;
            }
            Values::Bool(v) => {
                col.typed::<BoolType>().write_batch(v, None, None)?;
            }
            Values::Text(v) => {
                col.typed::<ByteArrayType>().write_batch(v, None, None)?;
            }
        }
        col.close()?;
        values.clear();
    }
    group.close()?;
    Ok(())
}

/// Writes the Parquet copy of each run table of `folder` that `written`
/// marks, when `scenario` asks for them; otherwise removes copies left by
/// an earlier run, so that no stale table is listed as a result.
pub fn export(
    folder: &super::ResultFolder,
    scenario: &Scenario,
    written: &[bool; N_STREAMED],
) -> Result<()> {
    let model = scenario.model;
    for (t, &written) in STREAMED.iter().zip(written) {
        if !t.parquet {
            continue;
        }
        let out = folder.file(&parquet_name(t.file));
        if !(scenario.output.parquet && written) {
            if out.is_file() {
                std::fs::remove_file(&out).map_err(|e| Error::Io {
                    context: format!("cannot remove the stale {}", out.display()),
                    source: e,
                })?;
            }
            continue;
        }
        let metrics = match t.rows {
            Some(rows) => (rows.metrics)(model),
            None => model.run_metrics(),
        };
        let csv_path = folder.file(t.file);
        let header: Vec<String> = csv::Reader::from_path(&csv_path)
            .and_then(|mut r| r.headers().map(|h| h.iter().map(str::to_string).collect()))
            .map_err(|e| Error::Internal(format!("cannot read {}: {e}", csv_path.display())))?;
        let types = column_types(&header, metrics, scenario);
        csv_to_parquet(&csv_path, &out, &types)?;
    }
    Ok(())
}
