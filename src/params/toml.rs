//! Reading values out of spanned TOML (`toml::de::DeTable`) against
//! declared kinds: every conversion or range failure becomes a [`Problem`]
//! with its line, collected in a [`Ctx`] so that a file's problems are
//! reported together.

use super::{Kind, Param, Problem, Value, suggest};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Byte offsets where each line starts.
pub fn line_index(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The 1-based line of a byte offset.
pub fn line_of(lines: &[usize], offset: usize) -> usize {
    lines.partition_point(|&start| start <= offset).max(1)
}

/// Lines of the keys set in a file, for problems found by the cross-field
/// rules.
pub type KeyLines = std::collections::BTreeMap<String, usize>;

/// A closed interval of a parameter (samples, sensitivity ranges).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Lower end.
    pub from: f64,
    /// Upper end.
    pub to: f64,
}

/// The problems found so far in one file, and its line index.
pub struct Ctx {
    lines: Vec<usize>,
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
}

impl Ctx {
    /// A context for `text`.
    pub fn new(text: &str) -> Self {
        Ctx {
            lines: line_index(text),
            problems: Vec::new(),
        }
    }

    /// The line of a span.
    pub fn line(&self, span: std::ops::Range<usize>) -> Option<usize> {
        Some(line_of(&self.lines, span.start))
    }

    /// Records a problem with key `path` at `span`.
    pub fn problem(
        &mut self,
        path: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) {
        let line = self.line(span);
        self.problems.push(Problem::new(path, line, message));
    }

    /// Converts a TOML value to a [`Value`] without checking any range.
    pub fn raw_value(&mut self, path: &str, v: &Spanned<DeValue<'_>>) -> Option<Value> {
        match v.get_ref() {
            DeValue::Float(x) => match x.as_str().parse::<f64>() {
                Ok(x) => Some(Value::Float(x)),
                Err(_) => {
                    self.problem(path, v.span(), format!("`{}` is not a number", x.as_str()));
                    None
                }
            },
            DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => match i64::try_from(n) {
                    Ok(n) => Some(Value::Int(n)),
                    Err(_) => {
                        self.problem(path, v.span(), format!("{n} is too large for any key"));
                        None
                    }
                },
                Err(_) => {
                    self.problem(path, v.span(), format!("`{i}` is too large for any key"));
                    None
                }
            },
            DeValue::Boolean(b) => Some(Value::Bool(*b)),
            DeValue::String(s) => Some(Value::Text(s.to_string())),
            other => {
                self.problem(
                    path,
                    v.span(),
                    format!(
                        "expected a single value, found {}",
                        article(other.type_str())
                    ),
                );
                None
            }
        }
    }

    /// Converts and checks a value against a kind; records the problem.
    pub fn value(&mut self, path: &str, kind: Kind, v: &Spanned<DeValue<'_>>) -> Option<Value> {
        if let DeValue::Integer(i) = v.get_ref() {
            // Report integers beyond 64 bits with the allowed range.
            if i128::from_str_radix(i.as_str(), i.radix())
                .map_or(true, |n| i64::try_from(n).is_err())
            {
                self.problem(
                    path,
                    v.span(),
                    format!("{i} is too large; expected {}", kind.allowed()),
                );
                return None;
            }
        }
        let raw = match v.get_ref() {
            DeValue::Array(items) if matches!(kind, Kind::Ticks { .. }) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    match self.raw_value(path, item)? {
                        Value::Int(i) => list.push(i),
                        other => {
                            self.problem(
                                path,
                                item.span(),
                                format!(
                                    "`{}` is not a whole number; expected {}",
                                    crate::params::ellipsis(&other.to_toml()),
                                    kind.allowed()
                                ),
                            );
                            return None;
                        }
                    }
                }
                Value::List(list)
            }
            DeValue::Array(_) | DeValue::Table(_) | DeValue::Datetime(_) => {
                self.problem(
                    path,
                    v.span(),
                    format!(
                        "expected {}, found {}",
                        kind.allowed(),
                        article(v.get_ref().type_str())
                    ),
                );
                return None;
            }
            _ => self.raw_value(path, v)?,
        };
        match kind.check(&raw) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.problem(path, v.span(), msg.to_string());
                None
            }
        }
    }

    /// Reports an unknown key with the best suggestion among `candidates`,
    /// or the section where a key of that name belongs among `known`.
    pub fn unknown(
        &mut self,
        path: &str,
        key: &str,
        span: std::ops::Range<usize>,
        candidates: &[&str],
        known: &[&Param],
    ) {
        let mut msg = format!("unknown key `{key}`");
        if let Some(c) = suggest(key, candidates.iter().copied()) {
            msg.push_str(&format!("; did you mean `{c}`?"));
        } else if let Some(elsewhere) = known.iter().find(|p| p.key() == key) {
            msg.push_str(&format!(
                "; `{key}` belongs in [{}] (as `{}`)",
                elsewhere.section(),
                elsewhere.path
            ));
        } else if !candidates.is_empty() {
            msg.push_str(&format!("; the keys here are {}", candidates.join(", ")));
        }
        self.problem(path, span, msg);
    }
}

/// "a list", "a table", … for messages.
pub fn article(type_str: &str) -> String {
    match type_str {
        "array" => "a list".into(),
        "table" => "a table".into(),
        "datetime" => "a date".into(),
        other => format!("a {other}"),
    }
}

/// `prefix.key`, or `key` at the top level.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Reads a `{ from, to }` table (values checked against `kind`, `from`
/// not above `to`).
pub fn closed_range(
    ctx: &mut Ctx,
    path: &str,
    kind: Kind,
    v: &Spanned<DeValue<'_>>,
    t: &DeTable<'_>,
) -> Option<Range> {
    let (mut from, mut to) = (None, None);
    for (rk, x) in t.iter() {
        let kp = format!("{path}.{}", rk.get_ref());
        match rk.get_ref().as_ref() {
            "from" => from = ctx.value(&kp, kind, x).and_then(|x| x.as_f64()),
            "to" => to = ctx.value(&kp, kind, x).and_then(|x| x.as_f64()),
            other => ctx.unknown(&kp, other, rk.span(), &["from", "to"], &[]),
        }
    }
    match (from, to) {
        (Some(from), Some(to)) if from <= to => Some(Range { from, to }),
        (Some(from), Some(to)) => {
            ctx.problem(
                path,
                v.span(),
                format!("`from` ({from}) is above `to` ({to})"),
            );
            None
        }
        _ => {
            if !t.contains_key("from") || !t.contains_key("to") {
                ctx.problem(
                    path,
                    v.span(),
                    "a range needs `from` and `to`, e.g. { from = 0.1, to = 0.9 }",
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        let lines = line_index("a\nb\nc");
        assert_eq!(line_of(&lines, 0), 1);
        assert_eq!(line_of(&lines, 2), 2);
        assert_eq!(line_of(&lines, 4), 3);
    }
}
