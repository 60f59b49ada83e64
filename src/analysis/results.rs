//! A finished result folder as the analyses read it: its manifest (checked
//! against the tables' digests) and the rows of `runs.csv`.

use crate::error::{Error, Result};
use crate::output::folder::{RUN_ID, ResultFolder};
use crate::output::manifest::{Existing, Read, Status};
use crate::output::tables::RUNS;
use std::path::Path;

/// A complete, sound result folder.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The folder.
    pub folder: ResultFolder,
    /// What its manifest says.
    pub manifest: Existing,
}

impl Finished {
    /// Opens the folder at `dir`: it must hold complete results whose
    /// tables match the digests recorded when they were written.
    pub fn open(dir: &Path) -> Result<Finished> {
        let folder = ResultFolder::new(dir);
        let shown = dir.display();
        let manifest = match folder.manifest() {
            Read::Found(m) => m,
            Read::Missing => {
                return Err(Error::folder(format!(
                    "{shown} is not a profspace result folder (no manifest.json); give the folder \
                     a run or sweep wrote, e.g. output/regimes"
                )));
            }
            Read::Unreadable(why) => {
                return Err(Error::folder(format!(
                    "{shown}: its manifest.json cannot be read ({why})"
                )));
            }
        };
        if manifest.status != Status::Complete {
            return Err(Error::folder(format!(
                "{shown} holds unfinished results (status {}); finish them with --resume first",
                manifest.status.name()
            )));
        }
        if manifest.shard.is_some() {
            return Err(Error::folder(format!(
                "{shown} holds one shard of a sweep; merge the shards first (profspace merge)"
            )));
        }
        folder.verify(&manifest.files)?;
        Ok(Finished {
            folder,
            manifest: *manifest,
        })
    }

    /// A complete folder this process has just written, read without
    /// checking its digests again (for the summary at the end of a sweep).
    pub fn just_written(dir: &Path) -> Result<Finished> {
        let folder = ResultFolder::new(dir);
        match folder.manifest() {
            Read::Found(manifest) if manifest.status == Status::Complete => Ok(Finished {
                folder,
                manifest: *manifest,
            }),
            _ => Err(Error::internal(format!(
                "{} was just written but holds no complete manifest",
                dir.display()
            ))),
        }
    }

    /// Reads `runs.csv`, keeping the metrics named in `metrics` (all when
    /// empty).
    pub fn runs(&self, metrics: &[String]) -> Result<RunTable> {
        RunTable::read(&self.folder, &self.manifest, metrics)
    }
}

/// The rows of `runs.csv`: ids, the design's input values as text, and the
/// chosen metrics.
#[derive(Clone, Debug, Default)]
pub struct RunTable {
    /// The design's inputs (its columns, not the resolved ones).
    pub inputs: Vec<String>,
    /// Every metric column of the table, in order.
    pub all_metrics: Vec<String>,
    /// The metrics kept, in the order asked.
    pub metrics: Vec<String>,
    /// Design point of each row.
    pub point: Vec<u64>,
    /// Replicate of each row.
    pub replicate: Vec<u32>,
    /// Seed of each row.
    pub seed: Vec<u64>,
    /// `values[i][row]`: the value of input `i` as written.
    pub values: Vec<Vec<String>>,
    /// `metric[k][row]`: metric `k` (NaN where empty).
    pub metric: Vec<Vec<f64>>,
}

impl RunTable {
    /// Reads `runs.csv` of a complete folder described by `m`.
    fn read(folder: &ResultFolder, m: &Existing, keep: &[String]) -> Result<RunTable> {
        let path = folder.file(RUNS.file);
        let bad = |line: u64, what: String| {
            Error::folder(format!("{} line {line}: {what}", path.display()))
        };
        let mut reader = csv::Reader::from_path(&path)
            .map_err(|e| Error::folder(format!("cannot read {}: {e}", path.display())))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let first_metric = RUN_ID.len() + m.columns.len() + m.resolved.len();
        let expected: Vec<&str> = RUN_ID
            .iter()
            .copied()
            .chain(m.columns.iter().map(String::as_str))
            .chain(m.resolved.iter().map(String::as_str))
            .collect();
        if header.len() < first_metric || header[..first_metric] != expected[..] {
            return Err(bad(
                1,
                format!(
                    "the header does not start with the columns manifest.json lists ({})",
                    expected.join(",")
                ),
            ));
        }
        let all_metrics: Vec<String> = header[first_metric..].to_vec();
        let metrics: Vec<String> = if keep.is_empty() {
            all_metrics.clone()
        } else {
            keep.to_vec()
        };
        let metric_cols: Vec<usize> = metrics
            .iter()
            .map(|k| {
                all_metrics
                    .iter()
                    .position(|c| c == k)
                    .map(|i| first_metric + i)
                    .ok_or_else(|| unknown_metric(k, &all_metrics, &path))
            })
            .collect::<Result<_>>()?;
        let mut t = RunTable {
            inputs: m.columns.clone(),
            all_metrics,
            metric: vec![Vec::new(); metrics.len()],
            values: vec![Vec::new(); m.columns.len()],
            metrics,
            ..RunTable::default()
        };
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let r = record.map_err(|e| bad(line, e.to_string()))?;
            let int = |c: usize| {
                r.get(c).and_then(|s| s.parse::<u64>().ok()).ok_or_else(|| {
                    bad(
                        line,
                        format!("`{}` is not a whole number", &r[c.min(r.len() - 1)]),
                    )
                })
            };
            t.point.push(int(1)?);
            t.replicate
                .push(u32::try_from(int(2)?).map_err(|_| bad(line, "replicate too large".into()))?);
            t.seed.push(int(3)?);
            for (k, v) in t.values.iter_mut().enumerate() {
                v.push(r[RUN_ID.len() + k].to_string());
            }
            for (k, &c) in metric_cols.iter().enumerate() {
                let text = r.get(c).unwrap_or("").trim();
                let x = if text.is_empty() {
                    f64::NAN
                } else {
                    text.parse().map_err(|_| {
                        bad(
                            line,
                            format!("`{text}` in column `{}` is not a number", t.metrics[k]),
                        )
                    })?
                };
                t.metric[k].push(x);
            }
        }
        Ok(t)
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.point.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.point.is_empty()
    }

    /// Whether replicate r has one seed at every point (common random
    /// numbers); otherwise the first replicate with two seeds, and where.
    pub fn unpaired(&self) -> Option<Unpaired> {
        let mut seen: std::collections::BTreeMap<u32, (u64, u64)> = Default::default();
        for i in 0..self.len() {
            let (r, s, p) = (self.replicate[i], self.seed[i], self.point[i]);
            match seen.get(&r) {
                Some(&(seed, point)) if seed != s => {
                    return Some(Unpaired {
                        replicate: r,
                        first: (point, seed),
                        other: (p, s),
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(r, (s, p));
                }
            }
        }
        None
    }
}

/// A replicate with two seeds: the table is not paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unpaired {
    /// The replicate.
    pub replicate: u32,
    /// The first (point, seed) it was seen with.
    pub first: (u64, u64),
    /// A (point, seed) with another seed.
    pub other: (u64, u64),
}

/// A metric that is not a column: the error with the closest name.
pub(crate) fn unknown_metric(name: &str, known: &[String], path: &Path) -> Error {
    let hint = crate::params::suggest(name, known.iter().map(String::as_str))
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    Error::usage(format!(
        "`{name}` is not a metric of {}; {hint}the metrics are {}",
        path.display(),
        known.join(", ")
    ))
}
