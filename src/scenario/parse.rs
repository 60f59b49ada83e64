//! Step one of reading a scenario: walk the spanned TOML document against
//! the registry, convert and range-check every value, and collect every
//! problem with its line. Rules that tie keys together live in `validate`.

use super::params::{self, Kind, MANAGER_PROFILE_KEYS, PROFESSIONAL_PROFILE_KEYS, Value, suggest};
use super::sweep;
use super::{Levers, ManagerProfile, Problem, ProfessionalProfile, Scenario, Traits};
use std::collections::BTreeSet;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Deepest nesting of arrays and tables accepted before parsing; deeper
/// documents are refused rather than risking the parser's stack.
const MAX_NESTING: usize = 64;

/// Byte offsets where each line starts.
pub(crate) fn line_index(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(lines: &[usize], offset: usize) -> usize {
    lines.partition_point(|&start| start <= offset).max(1)
}

/// Parsing context shared with the sweep parser.
pub(crate) struct Ctx {
    lines: Vec<usize>,
    pub(crate) problems: Vec<Problem>,
}

impl Ctx {
    pub(crate) fn line(&self, span: std::ops::Range<usize>) -> Option<usize> {
        Some(line_of(&self.lines, span.start))
    }

    pub(crate) fn problem(
        &mut self,
        path: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) {
        let line = self.line(span);
        self.problems.push(Problem::new(path, line, message));
    }

    /// Converts a TOML value to a [`Value`] without checking any range.
    pub(crate) fn raw_value(&mut self, path: &str, v: &Spanned<DeValue<'_>>) -> Option<Value> {
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
    pub(crate) fn value(
        &mut self,
        path: &str,
        kind: Kind,
        v: &Spanned<DeValue<'_>>,
    ) -> Option<Value> {
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
                self.problem(path, v.span(), msg);
                None
            }
        }
    }

    /// Reports an unknown key with the best suggestion.
    pub(crate) fn unknown(
        &mut self,
        path: &str,
        key: &str,
        span: std::ops::Range<usize>,
        candidates: &[&str],
    ) {
        let mut msg = format!("unknown key `{key}`");
        if let Some(c) = suggest(key, candidates.iter().copied()) {
            msg.push_str(&format!("; did you mean `{c}`?"));
        } else if let Some(elsewhere) = params::PARAMS.iter().find(|p| p.key() == key) {
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

fn article(type_str: &str) -> String {
    match type_str {
        "array" => "a list".into(),
        "table" => "a table".into(),
        "datetime" => "a date".into(),
        other => format!("a {other}"),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Deepest nesting of `[` and `{` outside strings and comments (an
/// over-estimate for table headers, which is fine for a guard).
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                let quote = c;
                let mut escaped = false;
                for c in chars.by_ref() {
                    if quote == '"' && c == '\\' && !escaped {
                        escaped = true;
                        continue;
                    }
                    if c == quote && !escaped {
                        break;
                    }
                    escaped = false;
                }
            }
            _ => {}
        }
    }
    max
}

/// Parses scenario text into a scenario (defaults where keys are missing) and
/// the problems found. The scenario is meaningful only without problems.
/// Lines of the keys set in a file, for problems found by the cross-field
/// rules.
pub(crate) type KeyLines = std::collections::BTreeMap<String, usize>;

pub(crate) fn parse(text: &str, default_name: &str) -> (Scenario, Vec<Problem>, KeyLines) {
    let mut ctx = Ctx {
        lines: line_index(text),
        problems: Vec::new(),
    };
    let mut s = Scenario {
        name: default_name.to_string(),
        ..Scenario::default()
    };
    if nesting_depth(text) > MAX_NESTING {
        ctx.problems.push(Problem::file(format!(
            "lists or tables are nested more than {MAX_NESTING} deep; a scenario needs at most 3"
        )));
        return (s, ctx.problems, KeyLines::new());
    }
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let line = e.span().map(|sp| line_of(&ctx.lines, sp.start));
            let mut msg = e.message().trim().to_string();
            // Name what the parser points at (e.g. which key is duplicated).
            if let Some(at) = e.span().and_then(|sp| text.get(sp)) {
                let at = at.trim();
                if !at.is_empty() && at.len() <= 60 && !at.contains('\n') {
                    msg.push_str(&format!(" (at `{at}`)"));
                }
            }
            ctx.problems.push(Problem::new(
                "",
                line,
                format!("this is not valid TOML: {msg}"),
            ));
            return (s, ctx.problems, KeyLines::new());
        }
    };
    let mut walker = Walker {
        ctx,
        seen: BTreeSet::new(),
        sweep: None,
        sensitivity: None,
    };
    walker.table("", root.get_ref(), &mut s);
    if let Some(sweep_table) = walker.sweep.take() {
        s.sweep = sweep::parse(&mut walker.ctx, &sweep_table, &s);
    }
    if let Some(table) = walker.sensitivity.take() {
        if s.sweep.is_some() {
            walker.ctx.problem(
                "sensitivity",
                table.span(),
                "a scenario has either a [sweep] or a [sensitivity] section (the analysis makes its own design)",
            );
        } else {
            s.sensitivity = super::sensitivity::parse(&mut walker.ctx, &table, &s);
        }
    }
    walker.check_scope(&s);
    let mut lines = KeyLines::new();
    for (path, line) in &walker.seen {
        lines.entry(path.clone()).or_insert(*line);
    }
    (s, walker.ctx.problems, lines)
}

struct Walker<'a> {
    ctx: Ctx,
    /// Keys set explicitly, with their lines (for model-scope checks).
    seen: BTreeSet<(String, usize)>,
    sweep: Option<Spanned<DeValue<'a>>>,
    sensitivity: Option<Spanned<DeValue<'a>>>,
}

impl<'a> Walker<'a> {
    fn table(&mut self, prefix: &str, table: &DeTable<'a>, s: &mut Scenario) {
        for (key, value) in table.iter() {
            let path = join(prefix, key.get_ref());
            let line = self.ctx.line(key.span()).unwrap_or(0);
            match path.as_str() {
                "sweep" => {
                    self.sweep = Some(value.clone());
                    continue;
                }
                "sensitivity" => {
                    self.sensitivity = Some(value.clone());
                    continue;
                }
                "managers.profiles" => {
                    self.seen.insert((path.clone(), line));
                    s.managers.profiles = self.manager_profiles(value, s);
                    continue;
                }
                "professionals.profiles" => {
                    self.seen.insert((path.clone(), line));
                    s.professionals.profiles = self.professional_profiles(value, s);
                    continue;
                }
                _ => {}
            }
            if let Some(param) = params::find(&path) {
                self.seen.insert((path.clone(), line));
                if let Some(v) = self.ctx.value(&path, param.kind, value) {
                    if let (true, Value::Text(name)) = (path == "name", &v)
                        && let Some(msg) = super::validate::name_problem(name)
                    {
                        self.ctx.problem(&path, value.span(), msg);
                        continue;
                    }
                    param.set(s, &v);
                }
            } else if params::is_section(&path) || path == "managers.profiles" {
                match value.get_ref() {
                    DeValue::Table(t) => self.table(&path, t, s),
                    other => self.ctx.problem(
                        &path,
                        value.span(),
                        format!(
                            "expected a table [{path}], found {}",
                            article(other.type_str())
                        ),
                    ),
                }
            } else {
                let mut candidates = params::children(prefix);
                if prefix == "managers" || prefix == "professionals" {
                    candidates.push("profiles");
                }
                if prefix.is_empty() {
                    candidates.push("sweep");
                    candidates.push("sensitivity");
                }
                self.ctx
                    .unknown(&path, key.get_ref(), key.span(), &candidates);
            }
        }
    }

    /// The entries of an array of tables, or a problem.
    fn entries<'v>(
        &mut self,
        path: &str,
        value: &'v Spanned<DeValue<'a>>,
    ) -> Vec<&'v Spanned<DeValue<'a>>> {
        match value.get_ref() {
            DeValue::Array(items) if items.iter().all(|i| i.get_ref().is_table()) => {
                items.iter().collect()
            }
            other => {
                self.ctx.problem(
                    path,
                    value.span(),
                    format!(
                        "expected [[{path}]] entries (tables), found {}",
                        article(other.type_str())
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Reads `name` and `share` of a profile entry; checks duplicate names.
    fn profile_head(
        &mut self,
        path: &str,
        entry: &Spanned<DeValue<'a>>,
        names: &mut Vec<String>,
    ) -> (Option<String>, Option<f64>) {
        let Some(table) = entry.get_ref().as_table() else {
            return (None, None);
        };
        let mut name = None;
        if let Some(v) = table.get("name") {
            let p = format!("{path}.name");
            if let Some(Value::Text(n)) = self.ctx.value(&p, Kind::Text { max_len: 40 }, v) {
                if n.is_empty()
                    || !n
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.ctx.problem(
                        &p,
                        v.span(),
                        format!(
                            "profile name \"{}\" must be letters, digits, '-' or '_' (it is used in sweep paths)",
                            params::ellipsis(&n)
                        ),
                    );
                } else if names.contains(&n) {
                    self.ctx
                        .problem(&p, v.span(), format!("profile name \"{n}\" is used twice"));
                } else {
                    names.push(n.clone());
                    name = Some(n);
                }
            }
        } else {
            self.ctx
                .problem(path, entry.span(), "a profile needs a `name`");
        }
        let mut share = None;
        if let Some(v) = table.get("share") {
            let p = format!("{path}.share");
            share = self
                .ctx
                .value(&p, Kind::Float { min: 0.0, max: 1.0 }, v)
                .and_then(|v| v.as_f64());
        } else {
            self.ctx.problem(
                path,
                entry.span(),
                "a profile needs a `share` (a number from 0 to 1)",
            );
        }
        (name, share)
    }

    /// Reads `[[<population>.profiles]]` entries: `name`, `share`, and unit
    /// values of the keys `slot` knows (levers, traits …), starting from
    /// the population's means.
    fn profiles<T: Clone, P>(
        &mut self,
        population: &str,
        value: &Spanned<DeValue<'a>>,
        allowed: &[&str],
        start: T,
        slot: impl for<'v> Fn(&'v mut T, &str) -> Option<&'v mut f64>,
        build: impl Fn(String, f64, T) -> P,
    ) -> Vec<P> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        let list = format!("{population}.profiles");
        for (i, entry) in self.entries(&list, value).into_iter().enumerate() {
            let path = format!("{list}[{i}]");
            let (name, share) = self.profile_head(&path, entry, &mut names);
            let mut values = start.clone();
            if let Some(table) = entry.get_ref().as_table() {
                for (key, v) in table.iter() {
                    let k = key.get_ref().as_ref();
                    if k == "name" || k == "share" {
                        continue;
                    }
                    let p = format!("{path}.{k}");
                    match slot(&mut values, k) {
                        Some(target) => {
                            if let Some(x) =
                                self.ctx.value(&p, Kind::Float { min: 0.0, max: 1.0 }, v)
                            {
                                *target = x.as_f64().unwrap_or(*target);
                            }
                        }
                        None => self.ctx.unknown(&p, k, key.span(), allowed),
                    }
                }
            }
            if let (Some(name), Some(share)) = (name, share) {
                out.push(build(name, share, values));
            }
        }
        out
    }

    fn manager_profiles(
        &mut self,
        value: &Spanned<DeValue<'a>>,
        s: &Scenario,
    ) -> Vec<ManagerProfile> {
        let allowed: Vec<&str> = Levers::NAMES
            .iter()
            .copied()
            .chain(MANAGER_PROFILE_KEYS)
            .collect();
        self.profiles(
            "managers",
            value,
            &allowed,
            (s.managers.levers, s.managers.spread),
            |(levers, spread), k| {
                if k == "spread" {
                    Some(spread)
                } else {
                    levers.get_mut(k)
                }
            },
            |name, share, (levers, spread)| ManagerProfile {
                name,
                share,
                levers,
                spread,
            },
        )
    }

    fn professional_profiles(
        &mut self,
        value: &Spanned<DeValue<'a>>,
        s: &Scenario,
    ) -> Vec<ProfessionalProfile> {
        let allowed: Vec<&str> = Traits::NAMES
            .iter()
            .copied()
            .chain(PROFESSIONAL_PROFILE_KEYS)
            .collect();
        self.profiles(
            "professionals",
            value,
            &allowed,
            s.professionals.traits,
            |traits, k| traits.get_mut(k),
            |name, share, traits| ProfessionalProfile {
                name,
                share,
                traits,
            },
        )
    }

    /// Keys of one model set in a scenario of the other are refused: they
    /// would be silently ignored otherwise.
    fn check_scope(&mut self, s: &Scenario) {
        for (path, line) in &self.seen {
            let scope = match params::find(path) {
                Some(p) => p.scope,
                None => params::Scope::ProfessionalSpace, // profiles
            };
            if !scope.applies_to(s.model) {
                self.ctx.problems.push(Problem::new(
                    path.clone(),
                    Some(*line),
                    format!(
                        "has no effect in a scenario with model = \"{}\"; remove it",
                        s.model.name()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        let mut p = parse(text, "t").1;
        p.sort_by_key(|p| p.line);
        p
    }

    #[test]
    fn line_numbers_are_one_based() {
        let lines = line_index("a\nb\nc");
        assert_eq!(line_of(&lines, 0), 1);
        assert_eq!(line_of(&lines, 2), 2);
        assert_eq!(line_of(&lines, 4), 3);
    }

    #[test]
    fn all_problems_are_reported_with_lines() {
        let p = problems(
            "seed = 1\n[managers]\nfocus = 1.5\nfcous = 0.2\n[dynamics]\nalpha = \"fast\"\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!((p[0].path.as_str(), p[0].line), ("managers.focus", Some(3)));
        assert!(
            p[0].message.contains("1.5") && p[0].message.contains("from 0 to 1"),
            "{}",
            p[0].message
        );
        assert!(
            p[1].message.contains("did you mean `focus`"),
            "{}",
            p[1].message
        );
        assert_eq!(p[2].line, Some(6));
    }

    #[test]
    fn misplaced_key_says_where_it_belongs() {
        let p = problems("[professionals]\nconnection = 0.5\n");
        assert!(p[0].message.contains("[managers]"), "{}", p[0].message);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let p = problems(&text);
        assert!(p[0].message.contains("nested"), "{p:?}");
    }

    #[test]
    fn keys_of_the_other_model_are_refused() {
        let p = problems("model = \"march1991\"\n[managers]\nfocus = 0.2\n");
        assert!(
            p.iter()
                .any(|p| p.path == "managers.focus" && p.message.contains("no effect")),
            "{p:?}"
        );
    }
}
