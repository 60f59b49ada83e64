//! A team survey: one row per team, its respondents and its scores on the
//! model's windows (for the professional-space model: purpose, identity,
//! box, drive, meaning), optionally with the spread of the answers within
//! the team (`<window>_sd`). Read and checked here; every problem names the
//! file, the line and the column.
//!
//! ```text
//! # lines starting with # are comments
//! team,respondents,purpose,identity,box,drive,meaning,purpose_sd,…
//! A,12,0.61,0.55,0.48,0.70,0.52,0.18,…
//! ```

use crate::error::{Error, Result};
use crate::model::Survey;
use crate::params;
use crate::scenario::calibrate::Target;
use std::path::Path;

/// The sd of the answers within a team on the 0–1 scale when the survey
/// gives none: 0.2, about 0.8 points of a 5-point item.
pub const DEFAULT_SD: f64 = 0.2;
/// The smallest sd of a team's mean score used as a target's scale (a very
/// large team does not ask the simulations for more precision than this).
pub const MIN_TARGET_SD: f64 = 0.01;

/// The scale of the scores: `lo` maps to 0 and `hi` to 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// The lowest score (1 on a 1–5 Likert scale).
    pub lo: f64,
    /// The highest score.
    pub hi: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { lo: 0.0, hi: 1.0 }
    }
}

impl std::str::FromStr for Scale {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::usage(format!(
                "`{s}` is not a scale; write LO:HI, e.g. 1:5 or 1:7"
            ))
        };
        let (a, b) = s.split_once(':').ok_or_else(bad)?;
        let lo: f64 = a.trim().parse().map_err(|_| bad())?;
        let hi: f64 = b.trim().parse().map_err(|_| bad())?;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::usage(format!(
                "scale {s}: the lowest score must be below the highest"
            )));
        }
        Ok(Scale { lo, hi })
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.lo, self.hi)
    }
}

/// One team of a survey, its scores on the 0–1 scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    /// Its id, as written.
    pub id: String,
    /// Respondents.
    pub respondents: u32,
    /// Per window of the survey: its mean score and the sd of the answers
    /// (both on 0–1), when scored.
    pub scores: Vec<Option<(f64, Option<f64>)>>,
    /// Its line in the file.
    pub line: usize,
}

impl Team {
    /// The calibration targets of the team: each scored window's metric,
    /// its mean score, and the sd of that mean (the answers' sd over
    /// √respondents, [`DEFAULT_SD`] when none is given, at least
    /// [`MIN_TARGET_SD`]).
    pub fn targets(&self, survey: &Survey) -> Vec<Target> {
        self.scores
            .iter()
            .zip(survey.windows)
            .filter_map(|(score, (_, metric))| {
                score.map(|(value, sd)| Target {
                    metric: metric.to_string(),
                    value,
                    sd: (sd.unwrap_or(DEFAULT_SD) / f64::from(self.respondents).sqrt())
                        .max(MIN_TARGET_SD),
                })
            })
            .collect()
    }

    /// A name for its folder: `team-` and its id with only letters, digits,
    /// `-`, `_` and `.` (others become `_`).
    pub fn folder(&self) -> String {
        let id: String = self
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("team-{id}")
    }
}

/// What a column of a survey holds.
enum Col {
    Team,
    Respondents,
    Score(usize),
    Sd(usize),
}

/// Problems of one survey file, with its name.
struct Where<'a>(&'a str);

impl Where<'_> {
    /// A usage error at a line (and column, when named).
    fn fail(&self, line: usize, column: &str, msg: String) -> Error {
        Error::usage(if column.is_empty() {
            format!("{}: line {line}: {msg}", self.0)
        } else {
            format!("{}: line {line}, column {column}: {msg}", self.0)
        })
    }
}

/// The columns of a survey's header: each known, none twice, `team` and
/// `respondents` and at least one score among them.
fn columns(header: &[String], line: usize, windows: &[&str], at: &Where<'_>) -> Result<Vec<Col>> {
    let mut allowed: Vec<String> = vec!["team".into(), "respondents".into()];
    allowed.extend(windows.iter().map(|w| w.to_string()));
    allowed.extend(windows.iter().map(|w| format!("{w}_sd")));
    let mut cols = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let sd_of = h
            .strip_suffix("_sd")
            .and_then(|base| windows.iter().position(|w| *w == base));
        let col = match (h.as_str(), windows.iter().position(|w| w == h), sd_of) {
            ("team", _, _) => Col::Team,
            ("respondents", _, _) => Col::Respondents,
            (_, Some(w), _) => Col::Score(w),
            (_, _, Some(w)) => Col::Sd(w),
            _ => {
                let hint = params::suggest(h, allowed.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(at.fail(
                    line,
                    h,
                    format!(
                        "`{h}` is not a column of a survey; {hint}the columns are team, \
                         respondents, the windows {} and, for each, <window>_sd",
                        windows.join(", ")
                    ),
                ));
            }
        };
        if header[..i].contains(h) {
            return Err(at.fail(line, h, "the column appears twice".into()));
        }
        cols.push(col);
    }
    for need in ["team", "respondents"] {
        if !header.iter().any(|h| h == need) {
            return Err(at.fail(
                line,
                "",
                format!(
                    "the survey has no `{need}` column; its first line must name the columns, \
                     e.g. team,respondents,{}",
                    windows.join(",")
                ),
            ));
        }
    }
    if !cols.iter().any(|c| matches!(c, Col::Score(_))) {
        return Err(at.fail(
            line,
            "",
            format!("the survey has no score column ({})", windows.join(", ")),
        ));
    }
    Ok(cols)
}

/// One team's row, its scores mapped from `scale` to 0–1.
fn team_of(
    record: &csv::StringRecord,
    cols: &[Col],
    header: &[String],
    scale: Scale,
    windows: usize,
    at: &Where<'_>,
) -> Result<Team> {
    let line = record.position().map_or(0, |p| p.line() as usize);
    let width = scale.hi - scale.lo;
    let mut team = Team {
        id: String::new(),
        respondents: 0,
        scores: vec![None; windows],
        line,
    };
    let mut sds = vec![None; windows];
    for (col, (field, name)) in cols.iter().zip(record.iter().zip(header)) {
        let number = || -> Result<Option<f64>> {
            if field.is_empty() {
                return Ok(None);
            }
            field
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| at.fail(line, name, format!("`{field}` is not a number")))
        };
        match col {
            Col::Team if field.is_empty() => {
                return Err(at.fail(line, name, "the team has no id".into()));
            }
            Col::Team => team.id = field.to_string(),
            Col::Respondents => {
                team.respondents = match field.parse::<i64>() {
                    Ok(n) if n < 1 => {
                        return Err(at.fail(
                            line,
                            name,
                            format!("{n} respondents: a team needs at least 1"),
                        ));
                    }
                    Ok(n) => u32::try_from(n).map_err(|_| {
                        at.fail(line, name, format!("{n} respondents is more than any team"))
                    })?,
                    Err(_) => {
                        return Err(at.fail(
                            line,
                            name,
                            format!("`{field}` is not a whole number of respondents"),
                        ));
                    }
                }
            }
            Col::Score(w) => {
                if let Some(x) = number()? {
                    if x < scale.lo || x > scale.hi {
                        let hint = if scale == Scale::default() {
                            " (scores are on 0–1; give --scale 1:5 or 1:7 for Likert means)"
                        } else {
                            ""
                        };
                        return Err(at.fail(
                            line,
                            name,
                            format!("{x} is outside the scale {}–{}{hint}", scale.lo, scale.hi),
                        ));
                    }
                    team.scores[*w] = Some(((x - scale.lo) / width, None));
                }
            }
            Col::Sd(w) => {
                if let Some(x) = number()? {
                    if x <= 0.0 || x > width {
                        return Err(at.fail(
                            line,
                            name,
                            format!(
                                "{x} is not a spread of answers on {}–{}: it must be above 0 and \
                                 at most {width} (leave the cell empty for the default)",
                                scale.lo, scale.hi
                            ),
                        ));
                    }
                    sds[*w] = Some(x / width);
                }
            }
        }
    }
    for (score, sd) in team.scores.iter_mut().zip(sds) {
        if let Some((_, s)) = score {
            *s = sd;
        }
    }
    Ok(team)
}

/// Reads a survey file for a model's `survey`, its scores on `scale`.
pub fn read(path: &Path, scale: Scale, survey: &Survey) -> Result<Vec<Team>> {
    let shown = path.display().to_string();
    let at = Where(&shown);
    let text =
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read the survey {shown}"), e))?;
    if text.len() > 16 << 20 {
        return Err(Error::usage(format!(
            "{shown} is larger than 16 MiB; a survey has one row per team"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::usage(format!("{shown}: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    // The header's line: the first that is neither blank nor a comment.
    let header_line = String::from_utf8_lossy(&text)
        .lines()
        .position(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#')
        })
        .map_or(1, |i| i + 1);
    let windows: Vec<&str> = survey.windows.iter().map(|(w, _)| *w).collect();
    let cols = columns(&header, header_line, &windows, &at)?;
    let mut teams: Vec<Team> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::usage(format!("{shown}: {e}")))?;
        let team = team_of(&record, &cols, &header, scale, windows.len(), &at)?;
        if let Some(other) = teams.iter().find(|t| t.id == team.id) {
            return Err(at.fail(
                team.line,
                "team",
                format!(
                    "team `{}` appears twice (also on line {})",
                    team.id, other.line
                ),
            ));
        }
        if team.scores.iter().all(Option::is_none) {
            return Err(at.fail(
                team.line,
                "",
                format!("team `{}` has no score: nothing to diagnose", team.id),
            ));
        }
        teams.push(team);
    }
    if teams.is_empty() {
        return Err(Error::usage(format!(
            "{shown} has no team below its header: the survey has no usable score"
        )));
    }
    Ok(teams)
}
