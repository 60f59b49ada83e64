//! Parameter declarations and their checking: what a scenario key is
//! ([`Param`]: path, allowed values, meaning, the article's concept, how to
//! read and write it), the values keys take ([`Value`], [`Kind`]), the
//! problems found in a scenario ([`Problem`], [`ScenarioError`]) and the
//! reading of spanned TOML that turns values into problems with lines
//! ([`Ctx`]).
//!
//! This is the bottom layer shared by the scenario reader and the models:
//! each model declares its own keys with these types, and the scenario
//! reader walks a file against the engine's keys and the model's. Nothing
//! here knows a model.

mod toml;

pub use crate::error::{Problem, ScenarioError};
pub use toml::{Ctx, KeyLines, Range, article, closed_range, join, line_index, line_of};

use crate::error::Error;
use std::any::Any;
use std::fmt;

/// A scenario value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A real number.
    Float(f64),
    /// A whole number.
    Int(i64),
    /// A switch.
    Bool(bool),
    /// Text, or one of a set of names.
    Text(String),
    /// A list of whole numbers (e.g. the ticks of `output.agents_at`).
    List(Vec<i64>),
}

impl Value {
    /// The value as a real number (whole numbers convert).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(x) => Some(x),
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// Renders the value as TOML.
    pub fn to_toml(&self) -> String {
        match self {
            Value::Float(x) => format_float(*x),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Text(s) => ::toml::Value::String(s.clone()).to_string(),
            Value::List(v) => format!(
                "[{}]",
                v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Formats a float so that TOML reads it back as a float with the same value.
pub fn format_float(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E', 'i', 'n']) {
        s
    } else {
        format!("{s}.0")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Float(x) => write!(f, "{x}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => write!(f, "{s}"),
            Value::List(_) => write!(f, "{}", self.to_toml()),
        }
    }
}

/// What values a key takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A finite real number in `[min, max]`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A whole number in `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// Free text of bounded length.
    Text {
        /// Longest allowed text, in characters.
        max_len: usize,
    },
    /// A list of whole numbers from 0 to `max`, at most `max_len` of them;
    /// stored sorted, without repeats.
    Ticks {
        /// Largest allowed number.
        max: i64,
        /// Longest allowed list.
        max_len: usize,
    },
}

/// A share, level or probability: a real number from 0 to 1.
pub const UNIT: Kind = Kind::Float { min: 0.0, max: 1.0 };

impl Kind {
    /// Describes the allowed values in words, for messages and docs.
    pub fn allowed(&self) -> String {
        match *self {
            Kind::Float { min, max } => format!("a number from {min} to {max}"),
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Bool => "true or false".into(),
            Kind::Choice(names) => format!(
                "one of {}",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Text { max_len } => format!("text of at most {max_len} characters"),
            Kind::Ticks { max, max_len } => {
                format!("a list of at most {max_len} whole numbers from 0 to {max}")
            }
        }
    }

    /// Short form of the allowed range for tables.
    pub fn range(&self) -> String {
        match *self {
            Kind::Float { min, max } => format!("[{min}, {max}]"),
            Kind::Int { min, max } => format!("{min} … {max}"),
            Kind::Bool => "true, false".into(),
            Kind::Choice(names) => names.join(", "),
            Kind::Text { max_len } => format!("≤ {max_len} characters"),
            Kind::Ticks { max, max_len } => format!("[t, …]: ≤ {max_len} of 0 … {max}"),
        }
    }

    /// Whether the values are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Kind::Float { .. } | Kind::Int { .. })
    }

    /// Checks a value against the kind. Whole numbers are accepted where real
    /// numbers are asked. Returns the value to store, or a usage error that
    /// says what is wrong and what is allowed.
    pub fn check(&self, value: &Value) -> crate::error::Result<Value> {
        match (*self, value) {
            (Kind::Float { min, max }, v @ (Value::Float(_) | Value::Int(_))) => {
                let x = v.as_f64().unwrap_or(f64::NAN);
                if x.is_nan() {
                    Err(Error::usage(format!(
                        "nan is not a number; expected {}",
                        self.allowed()
                    )))
                } else if x.is_infinite() {
                    Err(Error::usage(format!(
                        "{x} is not a finite number; expected {}",
                        self.allowed()
                    )))
                } else if x == 0.0 && x.is_sign_negative() {
                    Err(Error::usage(format!(
                        "-0.0 carries a sign; write 0.0 ({} is allowed)",
                        self.allowed()
                    )))
                } else if x < min || x > max {
                    Err(Error::usage(format!(
                        "{} is out of range; expected {}",
                        short(x),
                        self.allowed()
                    )))
                } else {
                    Ok(Value::Float(x))
                }
            }
            (Kind::Int { min, max }, Value::Int(i)) => {
                if *i < min || *i > max {
                    Err(Error::usage(format!(
                        "{i} is out of range; expected {}",
                        self.allowed()
                    )))
                } else {
                    Ok(Value::Int(*i))
                }
            }
            (Kind::Int { .. }, Value::Float(x)) => Err(Error::usage(format!(
                "{} is not a whole number; expected {}",
                format_float(*x),
                self.allowed()
            ))),
            (Kind::Bool, Value::Bool(b)) => Ok(Value::Bool(*b)),
            (Kind::Choice(names), Value::Text(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(value.clone())
                } else {
                    let hint = suggest(s, names.iter().copied())
                        .map(|n| format!(" (did you mean \"{n}\"?)"))
                        .unwrap_or_default();
                    Err(Error::usage(format!(
                        "\"{}\" is not known{hint}; expected {}",
                        ellipsis(s),
                        self.allowed()
                    )))
                }
            }
            (Kind::Text { max_len }, Value::Text(s)) => {
                let n = s.chars().count();
                if n > max_len {
                    Err(Error::usage(format!(
                        "text of {n} characters is too long; expected {}",
                        self.allowed()
                    )))
                } else {
                    Ok(value.clone())
                }
            }
            (Kind::Ticks { max, max_len }, Value::List(items)) => {
                if items.len() > max_len {
                    return Err(Error::usage(format!(
                        "{} numbers are too many; expected {}",
                        items.len(),
                        self.allowed()
                    )));
                }
                if let Some(bad) = items.iter().find(|&&i| i < 0 || i > max) {
                    return Err(Error::usage(format!(
                        "{bad} is out of range; expected {}",
                        self.allowed()
                    )));
                }
                let mut sorted = items.clone();
                sorted.sort_unstable();
                sorted.dedup();
                Ok(Value::List(sorted))
            }
            (_, v) => Err(Error::usage(format!(
                "expected {}, found {} `{}`",
                self.allowed(),
                type_name(v),
                ellipsis(&v.to_toml())
            ))),
        }
    }
}

/// A number with 3 significant digits, for words and labels (`0.849`, `123`,
/// `0.000123`).
pub fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A number as people read it: plain for everyday sizes, scientific for
/// very large or very small ones.
pub fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e7 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Float(_) => "the number",
        Value::Int(_) => "the whole number",
        Value::Bool(_) => "the switch",
        Value::Text(_) => "the text",
        Value::List(_) => "the list",
    }
}

/// Shortens long text for messages.
pub fn ellipsis(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// The closest name to `word` among `candidates`, if one is close enough to
/// be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// One scenario key: where it is written, what it takes, what it means, and
/// how to read and write it in the value that holds it (the scenario for
/// the engine's keys, the model's parameter struct for a model's).
#[derive(Clone, Copy)]
pub struct Param {
    /// Dotted key path as written in TOML (`managers.focus`).
    pub path: &'static str,
    /// Allowed values.
    pub kind: Kind,
    /// One-line meaning.
    pub meaning: &'static str,
    /// The concept of the article (or of the model's source) the key
    /// stands for; `—` for none.
    pub concept: &'static str,
    /// Whether a sweep may vary it.
    pub sweepable: bool,
    /// A note on the default where it is not a single value.
    pub default_note: Option<&'static str>,
    get: fn(&dyn Any) -> Option<Value>,
    set: fn(&mut dyn Any, &Value) -> bool,
}

impl Param {
    /// A sweepable key read by `get` and written by `set` (which return
    /// `None`/`false` when handed a value of another type).
    pub const fn new(
        path: &'static str,
        kind: Kind,
        meaning: &'static str,
        concept: &'static str,
        get: fn(&dyn Any) -> Option<Value>,
        set: fn(&mut dyn Any, &Value) -> bool,
    ) -> Param {
        Param {
            path,
            kind,
            meaning,
            concept,
            sweepable: true,
            default_note: None,
            get,
            set,
        }
    }

    /// The key cannot be swept.
    pub const fn fixed(self) -> Param {
        Param {
            sweepable: false,
            ..self
        }
    }

    /// The default is described by `note` rather than a single value.
    pub const fn note(self, note: &'static str) -> Param {
        Param {
            default_note: Some(note),
            ..self
        }
    }

    /// The value of this key in `holder`.
    pub fn get(&self, holder: &dyn Any) -> Option<Value> {
        (self.get)(holder)
    }

    /// Checks `value` against the key's kind and stores it in `holder`.
    pub fn set(&self, holder: &mut dyn Any, value: &Value) -> crate::error::Result<()> {
        let v = self.kind.check(value)?;
        if (self.set)(holder, &v) {
            Ok(())
        } else {
            Err(crate::error::Error::usage(format!(
                "`{}` cannot be set here",
                self.path
            )))
        }
    }

    /// The default as shown in tables, read from `defaults`.
    pub fn default_text(&self, defaults: &dyn Any) -> String {
        match (self.default_note, self.get(defaults)) {
            (Some(note), _) => note.to_string(),
            (None, Some(Value::Text(s))) if s.is_empty() => "\"\"".into(),
            (None, Some(v)) => v.to_toml(),
            (None, None) => "—".into(),
        }
    }

    /// The last segment of the path.
    pub fn key(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// The table the key lives in (`""` for the top level).
    pub fn section(&self) -> &'static str {
        match self.path.rfind('.') {
            Some(i) => &self.path[..i],
            None => "",
        }
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Param").field("path", &self.path).finish()
    }
}

/// The registry entry at `path` in `params`.
pub fn find<'a>(params: &'a [Param], path: &str) -> Option<&'a Param> {
    params.iter().find(|p| p.path == path)
}

/// The keys directly inside `section` (`""` for the top level), sub-tables
/// included, in order.
pub fn children<'a>(
    params: impl IntoIterator<Item = &'a Param>,
    section: &str,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in params {
        let rest = if section.is_empty() {
            Some(p.path)
        } else {
            p.path
                .strip_prefix(section)
                .and_then(|r| r.strip_prefix('.'))
        };
        if let Some(rest) = rest {
            let first = rest.split('.').next().unwrap_or(rest);
            if !out.contains(&first) {
                out.push(first);
            }
        }
    }
    out
}

/// Conversions from checked values to the fields that store them, used by
/// the [`param!`](crate::param) macro. A checked value always has the
/// expected shape; the fallbacks never apply.
pub mod convert {
    use super::Value;

    /// A real number.
    pub fn f(v: &Value) -> f64 {
        v.as_f64().unwrap_or_default()
    }

    /// A whole number that fits 32 bits (the kinds that use it say so).
    pub fn u(v: &Value) -> u32 {
        match v {
            Value::Int(i) => u32::try_from(*i).unwrap_or(u32::MAX),
            _ => 0,
        }
    }

    /// A switch.
    pub fn b(v: &Value) -> bool {
        matches!(v, Value::Bool(true))
    }

    /// A list of ticks (the kind [`super::Kind::Ticks`] bounds them).
    pub fn l(v: &Value) -> Vec<u32> {
        match v {
            Value::List(items) => items
                .iter()
                .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Text.
    pub fn t(v: &Value) -> String {
        match v {
            Value::Text(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// Declares a [`Param`] stored in a field of `$holder`:
/// `param!(Holder, "managers.focus", UNIT, managers.focus: f => Float, "meaning", "concept")`.
/// The conversions are those of [`convert`]: `f` (f64), `u` (u32), `b`
/// (bool), `t` (String), `l` (a list of ticks); the wrappers `Float`, `Int`,
/// `Bool`, `Text`, `List`.
#[macro_export]
macro_rules! param {
    ($holder:ty, $path:literal, $kind:expr, $($field:ident).+ : $conv:ident => $wrap:ident,
     $meaning:literal, $concept:literal) => {
        $crate::params::Param::new(
            $path,
            $kind,
            $meaning,
            $concept,
            |h| h.downcast_ref::<$holder>().map(|h| $crate::param!(@wrap $wrap, h.$($field).+)),
            |h, v| match h.downcast_mut::<$holder>() {
                Some(h) => {
                    h.$($field).+ = $crate::params::convert::$conv(v);
                    true
                }
                None => false,
            },
        )
    };
    (@wrap Float, $e:expr) => { $crate::params::Value::Float($e) };
    (@wrap Int, $e:expr) => { $crate::params::Value::Int(i64::from($e)) };
    (@wrap Bool, $e:expr) => { $crate::params::Value::Bool($e) };
    (@wrap Text, $e:expr) => { $crate::params::Value::Text($e.clone()) };
    (@wrap List, $e:expr) => {
        $crate::params::Value::List($e.iter().map(|&t| i64::from(t)).collect())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Holder {
        x: f64,
        n: u32,
    }

    static PARAMS: [Param; 2] = [
        crate::param!(Holder, "a.x", UNIT, x: f => Float, "an x", "—"),
        crate::param!(Holder, "a.n", Kind::Int { min: 0, max: 9 }, n: u => Int, "an n", "—")
            .fixed(),
    ];

    #[test]
    fn params_read_and_write_their_holder_only() {
        let mut h = Holder::default();
        PARAMS[0].set(&mut h, &Value::Int(1)).unwrap();
        assert_eq!(h.x, 1.0);
        assert_eq!(PARAMS[1].get(&h), Some(Value::Int(0)));
        assert!(PARAMS[1].set(&mut h, &Value::Int(10)).is_err());
        let mut other = 5u8;
        assert_eq!(PARAMS[0].get(&other), None);
        assert!(PARAMS[0].set(&mut other, &Value::Float(0.5)).is_err());
        assert_eq!(children(&PARAMS, ""), vec!["a"]);
        assert_eq!(children(&PARAMS, "a"), vec!["x", "n"]);
        assert_eq!((PARAMS[0].key(), PARAMS[0].section()), ("x", "a"));
    }

    #[test]
    fn kind_check_rejects_what_it_should() {
        assert!(UNIT.check(&Value::Float(f64::NAN)).is_err());
        assert!(UNIT.check(&Value::Float(f64::INFINITY)).is_err());
        assert!(UNIT.check(&Value::Float(-0.0)).is_err());
        assert!(UNIT.check(&Value::Float(1.5)).is_err());
        assert_eq!(UNIT.check(&Value::Int(1)).ok(), Some(Value::Float(1.0)));
        let err = Kind::Choice(&["freedom_safety", "zero_sum"])
            .check(&Value::Text("zero_summ".into()))
            .unwrap_err();
        assert!(err.is_user(), "a bad value is the user's to fix");
        let err = err.to_string();
        assert!(err.contains("did you mean \"zero_sum\""), "{err}");
    }
}
